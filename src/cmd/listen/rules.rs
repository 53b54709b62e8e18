//! listen's --reply rules: `TEXT` answers every message, `REQUEST=REPLY` answers a message
//! that is REQUEST (a `*` in it matches any bytes), the first rule that matches wins and a
//! plain TEXT answers the rest. Pure: bytes in, the reply out.

use crate::text::{self, Encoding};

/// A request as a rule matches it: the bytes between its stars (one piece: exact).
#[derive(Debug, PartialEq, Eq)]
struct Pattern(Vec<Vec<u8>>);

impl Pattern {
    /// Whether `message` is what the pattern says, as it is or without its line ending (a
    /// line typed into nc ends in \n; a datagram from the lessons' clients does not).
    fn matches(&self, message: &[u8]) -> bool {
        let line = message.strip_suffix(b"\n").unwrap_or(message);
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        self.fits(message) || (line.len() < message.len() && self.fits(line))
    }

    /// The pieces in order: the first at the start, the last at the end, the others after
    /// one another in between (the leftmost place for each is as good as any).
    fn fits(&self, mut message: &[u8]) -> bool {
        let Some((first, rest)) = self.0.split_first() else {
            return message.is_empty();
        };
        let Some(rest_of_message) = message.strip_prefix(first.as_slice()) else {
            return false;
        };
        message = rest_of_message;
        let Some((last, middle)) = rest.split_last() else {
            return message.is_empty();
        };
        for piece in middle {
            match find(message, piece) {
                Some(at) => message = &message[at + piece.len()..],
                None => return false,
            }
        }
        message.ends_with(last)
    }
}

/// Where `piece` first occurs in `bytes`.
fn find(bytes: &[u8], piece: &[u8]) -> Option<usize> {
    if piece.is_empty() {
        return Some(0);
    }
    bytes.windows(piece.len()).position(|w| w == piece)
}

/// listen's answers: the rules in the order given, and the answer to the rest.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Rules {
    rules: Vec<(Pattern, Vec<u8>)>,
    rest: Option<Vec<u8>>,
}

impl Rules {
    /// The rules of each --reply (in `encoding`, or hex digits with `hex`); an error names
    /// the one that is wrong and why.
    pub fn parse(
        specs: &[String],
        encoding: Encoding,
        hex: bool,
    ) -> Result<Rules, (String, String)> {
        let mut rules = Rules::default();
        for spec in specs {
            let bad = |reason: String| (spec.clone(), reason);
            let bytes = |t: &str| text::to_bytes(t, encoding, hex);
            match split(spec) {
                Some((request, reply)) => {
                    let pieces = request
                        .iter()
                        .map(|piece| bytes(piece))
                        .collect::<Result<Vec<_>, _>>()
                        .map_err(bad)?;
                    let reply = bytes(reply).map_err(bad)?;
                    rules.rules.push((Pattern(pieces), reply));
                }
                None if rules.rest.is_some() => {
                    return Err(bad(
                        "a second answer to every message: give one --reply TEXT, and REQUEST=REPLY for the others".into(),
                    ));
                }
                None => rules.rest = Some(bytes(spec).map_err(bad)?),
            }
        }
        Ok(rules)
    }

    /// Whether any --reply was given.
    pub fn any(&self) -> bool {
        !self.rules.is_empty() || self.rest.is_some()
    }

    /// The answer to `message`, if it gets one.
    pub fn reply(&self, message: &[u8]) -> Option<&[u8]> {
        self.rules
            .iter()
            .find(|(pattern, _)| pattern.matches(message))
            .map(|(_, reply)| reply.as_slice())
            .or(self.rest.as_deref())
    }
}

/// `REQUEST=REPLY` at its first `=` that is not `\=`: the request's pieces between its
/// stars (`\*` a star, `\=` an equals sign), and the reply as written. `None`: no `=`.
fn split(spec: &str) -> Option<(Vec<String>, &str)> {
    let mut pieces = vec![String::new()];
    let mut chars = spec.char_indices();
    while let Some((i, c)) = chars.next() {
        let piece = pieces.last_mut()?;
        match c {
            '\\' => match chars.clone().next() {
                Some((_, escaped @ ('=' | '*'))) => {
                    piece.push(escaped);
                    chars.next();
                }
                _ => piece.push('\\'),
            },
            '=' => return Some((pieces, &spec[i + 1..])),
            '*' => pieces.push(String::new()),
            c => piece.push(c),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(specs: &[&str]) -> Rules {
        let specs: Vec<String> = specs.iter().map(|s| s.to_string()).collect();
        Rules::parse(&specs, Encoding::default(), false).unwrap_or_else(|e| panic!("{e:?}"))
    }

    #[test]
    fn a_drone_answers_each_request_and_the_rest_with_the_default() {
        let drone = rules(&["command=ok", "speed?=100.0", "battery*=87", "error"]);
        let cases: [(&[u8], Option<&[u8]>); 7] = [
            (b"command", Some(b"ok")),
            (b"command\r\n", Some(b"ok")),
            (b"speed?", Some(b"100.0")),
            (b"speeds", Some(b"error")),
            (b"battery?", Some(b"87")),
            (b"takeoff", Some(b"error")),
            (b"", Some(b"error")),
        ];
        for (message, want) in cases {
            assert_eq!(drone.reply(message), want, "{message:?}");
        }
        let no_default = rules(&["command=ok"]);
        assert_eq!(no_default.reply(b"land"), None);
        assert_eq!(rules(&[]).reply(b"x"), None);
        assert!(!rules(&[]).any());
    }

    #[test]
    fn stars_match_any_bytes_and_escapes_keep_stars_and_equals_signs() {
        let cases: [(&str, &[u8], bool); 10] = [
            ("a*c=x", b"abbbc", true),
            ("a*c=x", b"ac", true),
            ("a*c=x", b"acb", false),
            ("*=x", b"anything", true),
            ("*b*=x", b"abc", true),
            ("*b*=x", b"ac", false),
            ("a*b*b=x", b"ab", false),
            ("a\\*=x", b"a*", true),
            ("a\\*=x", b"ab", false),
            ("k\\=v=x", b"k=v", true),
        ];
        for (spec, message, matches) in cases {
            let got = rules(&[spec]).reply(message).is_some();
            assert_eq!(got, matches, "{spec} against {message:?}");
        }
        // The reply is everything after the first '=', equals signs and all.
        assert_eq!(rules(&["*=a=b"]).reply(b"x"), Some(&b"a=b"[..]));
    }

    #[test]
    fn hex_rules_and_wrong_ones_say_what_is_wrong() {
        let specs = vec!["01 02=ff".to_string()];
        let hex = Rules::parse(&specs, Encoding::default(), true).unwrap_or_default();
        assert_eq!(hex.reply(&[1, 2]), Some(&[0xff][..]));
        let two = vec!["a".to_string(), "b".to_string()];
        let err = Rules::parse(&two, Encoding::default(), false).err();
        assert!(
            err.as_ref()
                .is_some_and(|(spec, why)| spec == "b" && why.contains("second answer")),
            "{err:?}"
        );
        let bad_hex = vec!["zz=1".to_string()];
        assert!(Rules::parse(&bad_hex, Encoding::default(), true).is_err());
    }
}
