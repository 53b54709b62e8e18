//! How a message's bytes read, and how typed text becomes bytes: the encoding (encoding_rs,
//! by WHATWG label: utf-8, gbk, gb18030, big5, shift_jis, euc-kr, windows-1252, ...), text
//! shown with its control characters escaped, hex where bytes do not decode, xxd-style dumps,
//! and hex digits as input; and, when bytes read better in another common encoding than the
//! chosen one, which (`suggest`). One set of rules for echo's log, send's replies and listen.
//! Pure: no I/O.

use std::fmt::Write as _;

use encoding_rs::DecoderResult;

/// How much of one message a log line shows; the rest is counted, not shown.
pub const SHOWN: usize = 4096;

/// Labels to suggest when a name is not one.
const SOME_LABELS: &str = "utf-8, gbk, gb18030, big5, shift_jis, euc-kr, windows-1252, latin1";

/// How messages are shown: in which encoding, and as text or as a hex dump.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Look {
    pub encoding: Encoding,
    pub hex: bool,
}

/// A text encoding: what bytes mean as text, and what typed text is sent as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Encoding(&'static encoding_rs::Encoding);

impl Default for Encoding {
    fn default() -> Encoding {
        Encoding(encoding_rs::UTF_8)
    }
}

impl Encoding {
    /// The encoding a WHATWG label names (`gbk`, `GB2312`, `latin1`, `shift-jis`, ...).
    pub fn for_label(label: &str) -> Result<Encoding, String> {
        let encoding = encoding_rs::Encoding::for_label(label.trim().as_bytes())
            .ok_or_else(|| format!("unknown encoding '{label}' (try {SOME_LABELS})"))?;
        // UTF-16 decodes, but WHATWG encoders write UTF-8 for it, and "replacement" decodes
        // nothing: neither would send what its name says.
        if encoding.output_encoding() != encoding {
            return Err(format!(
                "'{label}' ({}) can be read but not written by netkit (try {SOME_LABELS}, or --hex)",
                encoding.name()
            ));
        }
        Ok(Encoding(encoding))
    }

    /// The encoding's canonical name (`GBK`, `UTF-8`, `windows-1252`).
    pub fn name(self) -> &'static str {
        self.0.name()
    }

    /// The text the bytes are, if every byte decodes.
    pub fn decode(self, bytes: &[u8]) -> Option<String> {
        self.0
            .decode_without_bom_handling_and_without_replacement(bytes)
            .map(|text| text.into_owned())
    }

    /// The bytes of `text` in this encoding; an error names the first character it cannot
    /// write.
    pub fn encode(self, text: &str) -> Result<Vec<u8>, String> {
        let (bytes, _, unmappable) = self.0.encode(text);
        if !unmappable {
            return Ok(bytes.into_owned());
        }
        let bad = text
            .chars()
            .find(|c| self.0.encode(c.encode_utf8(&mut [0; 4])).2)
            .unwrap_or('?');
        Err(format!(
            "'{bad}' (U+{:04X}) cannot be written in {}",
            u32::from(bad),
            self.name()
        ))
    }
}

/// A message of `total` bytes, of which `bytes` are at hand, for a log line: `"text"` (quoted,
/// control characters escaped, any byte that does not decode as `\xNN`) or, when most of it
/// is not text, `hex 00 01 ...`; at most SHOWN bytes, then a note of how many were not shown.
pub fn show(bytes: &[u8], total: usize, encoding: Encoding) -> String {
    let shown = &bytes[..bytes.len().min(SHOWN)];
    let (text, malformed) = escaped(shown, encoding);
    let mut out = if malformed * 3 > shown.len() {
        format!("hex {}", spaced_hex(shown))
    } else {
        text
    };
    push_rest(&mut out, total.saturating_sub(shown.len()));
    out
}

/// The note for bytes a line does not show.
pub fn push_rest(out: &mut String, rest: usize) {
    if rest > 0 {
        let _ = write!(out, " ... ({rest} more bytes not shown)");
    }
}

/// The bytes decoded and quoted, with escapes; and how many bytes did not decode.
fn escaped(bytes: &[u8], encoding: Encoding) -> (String, usize) {
    let mut out = String::with_capacity(bytes.len() + 2);
    out.push('"');
    let mut malformed = 0;
    let mut decoder = encoding.0.new_decoder_without_bom_handling();
    let mut input = bytes;
    let mut decoded = String::with_capacity(
        decoder
            .max_utf8_buffer_length_without_replacement(bytes.len())
            .unwrap_or(bytes.len() * 3 + 16),
    );
    loop {
        decoded.clear();
        let (result, read) =
            decoder.decode_to_string_without_replacement(input, &mut decoded, true);
        push_escaped(&mut out, &decoded);
        match result {
            DecoderResult::InputEmpty => break,
            DecoderResult::OutputFull => {
                decoded.reserve(input.len() * 3 + 16);
            }
            DecoderResult::Malformed(bad, after) => {
                let end = read - usize::from(after);
                let start = end.saturating_sub(usize::from(bad));
                for b in &input[start..end] {
                    let _ = write!(out, "\\x{b:02x}");
                }
                malformed += end - start;
            }
        }
        input = &input[read..];
    }
    out.push('"');
    (out, malformed)
}

/// Text with what a terminal would not show plainly escaped: `\n`, `\r`, `\t`, `\\`, `\"`,
/// `\x00` for other control characters.
fn push_escaped(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            c if c.is_control() && u32::from(c) < 0x100 => {
                let _ = write!(out, "\\x{:02x}", u32::from(c));
            }
            c if c.is_control() => {
                let _ = write!(out, "\\u{{{:04x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
}

/// `68 65 6c 6c 6f`.
pub fn spaced_hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 3);
    for (i, b) in bytes.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// `68656c6c6f`: the bytes, losslessly, as JSON carries them. Digit by digit from a table:
/// `write!` per byte was a sixth of watch --json's time in a burst.
pub fn plain_hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.extend(hex_digits(b).map(char::from));
    }
    out
}

/// A byte's two lower-case hex digits.
pub fn hex_digits(byte: u8) -> [u8; 2] {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    [
        DIGITS[usize::from(byte >> 4)],
        DIGITS[usize::from(byte & 0xf)],
    ]
}

/// An xxd-style dump: offset, 16 bytes in groups of two, and the printable ASCII beside them.
/// One string per line.
pub fn dump(bytes: &[u8]) -> Vec<String> {
    bytes
        .chunks(16)
        .enumerate()
        .map(|(row, chunk)| {
            let mut line = format!("{:08x}: ", row * 16);
            for (i, b) in chunk.iter().enumerate() {
                let _ = write!(line, "{b:02x}");
                if i % 2 == 1 {
                    line.push(' ');
                }
            }
            // Pad a short last row so its text column lines up.
            let width = 16 * 2 + 8;
            let used = chunk.len() * 2 + chunk.len() / 2;
            line.extend(std::iter::repeat_n(' ', width - used + 1));
            line.extend(chunk.iter().map(|&b| {
                if b.is_ascii_graphic() || b == b' ' {
                    char::from(b)
                } else {
                    '.'
                }
            }));
            line
        })
        .collect()
}

/// Hex digits as typed: `48 65 6c 6c 6f`, `48656c6c6f`, `\x48\x65`, `0x48,0x65` all work; an
/// error names the first character that is not a hex digit.
pub fn parse_hex(text: &str) -> Result<Vec<u8>, String> {
    let mut digits = Vec::with_capacity(text.len());
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let prefixed = (c == '\\' || c == '0')
            && chars
                .get(i + 1)
                .is_some_and(|n| n.eq_ignore_ascii_case(&'x'));
        if prefixed {
            i += 2;
            continue;
        }
        if c.is_whitespace() || matches!(c, ',' | ':' | '-') {
            i += 1;
            continue;
        }
        let digit = c
            .to_digit(16)
            .ok_or_else(|| format!("'{c}' (character {}) is not a hex digit", i + 1))?;
        digits.push(digit as u8);
        i += 1;
    }
    if digits.len() % 2 == 1 {
        return Err(format!(
            "{} hex digits: each byte takes two (write 0a, not a)",
            digits.len()
        ));
    }
    Ok(digits.chunks(2).map(|p| p[0] << 4 | p[1]).collect())
}

/// A message given as text (an argument, --reply) as bytes: hex digits with `hex`, else the
/// text in `encoding`.
pub fn to_bytes(text: &str, encoding: Encoding, hex: bool) -> Result<Vec<u8>, String> {
    if hex {
        parse_hex(text)
    } else {
        encoding.encode(text)
    }
}

/// A typed line (its line ending, `\n` or `\r\n`, taken off) as bytes; or why it cannot be
/// sent. The terminal's text is UTF-8; it is sent in `encoding`.
pub fn typed(line: &[u8], encoding: Encoding, hex: bool) -> Result<Vec<u8>, String> {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let text = std::str::from_utf8(line)
        .map_err(|_| "it is not UTF-8 text (give bytes as hex digits with --hex)".to_string())?;
    to_bytes(text, encoding, hex)
}

/// Why another encoding is suggested.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Misread {
    /// The bytes do not decode in the chosen encoding (shown as hex or `\xNN`).
    NotDecoded,
    /// They decode in the chosen encoding only as the mojibake of UTF-8 text (UTF-8 你好 read
    /// as GBK is 浣犲ソ).
    Mojibake,
}

/// Bytes that read as text in another common encoding than the chosen one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    pub misread: Misread,
    /// The first of UTF-8, GBK (GB18030), Big5, Shift_JIS and EUC-KR that reads them.
    pub encoding: Encoding,
    /// The value for `--encoding`: `utf-8`, `gbk`, `gb18030`, `big5`, `shift_jis`, `euc-kr`.
    pub label: &'static str,
    /// The bytes in that encoding, quoted and escaped as a log line shows text, cut at
    /// SUGGESTED_CHARS characters.
    pub text: String,
    /// The names of the others of the list that read them cleanly too.
    pub also: Vec<&'static str>,
    /// WHATWG's GBK (encoding_rs, what netkit decodes with) read a € from bytes Python's
    /// `gbk` codec rejects: 0x80 (and a2 e3) are € in WHATWG's GBK, errors in Python's.
    pub python_differs: bool,
}

/// The encodings a suggestion tries, in order: UTF-8 first, then the lessons' GBK (GB18030),
/// then Big5, Shift_JIS and EUC-KR. Many CJK byte strings decode in several of them (c4 e3 ba
/// c3 is valid GBK, Big5, Shift_JIS and EUC-KR), so the order decides, and the others are
/// named.
const TRIED: [(&str, &encoding_rs::Encoding); 5] = [
    ("utf-8", encoding_rs::UTF_8),
    ("gbk", encoding_rs::GBK),
    ("big5", encoding_rs::BIG5),
    ("shift_jis", encoding_rs::SHIFT_JIS),
    ("euc-kr", encoding_rs::EUC_KR),
];

/// How many characters of the text a suggestion shows.
pub const SUGGESTED_CHARS: usize = 60;

/// Which other encoding reads `bytes` (the first SHOWN of a message) as text, when the chosen
/// one does not, or reads them only as the mojibake of UTF-8; None for ASCII (every encoding
/// reads it alike), for text the chosen encoding reads, and for what no encoding reads as text
/// (binary data). `whole`: the bytes are a whole message (a datagram, a frame); a TCP read
/// may end inside a character, which then counts against no encoding.
pub fn suggest(bytes: &[u8], chosen: Encoding, whole: bool) -> Option<Suggestion> {
    let whole = whole && bytes.len() <= SHOWN;
    let bytes = &bytes[..bytes.len().min(SHOWN)];
    if bytes.is_ascii() {
        return None;
    }
    let misread = if reads(chosen.0, bytes, false).is_none() {
        Misread::NotDecoded
    } else if chosen.0 != encoding_rs::UTF_8 && reads(encoding_rs::UTF_8, bytes, whole).is_some() {
        // Non-ASCII UTF-8 that also decodes elsewhere is, in practice, always UTF-8: what
        // the other encoding makes of it is the classic mojibake.
        Misread::Mojibake
    } else {
        return None;
    };
    let mut found = TRIED
        .iter()
        .filter(|(_, e)| !same_decoder(e, chosen.0))
        .filter_map(|&(label, e)| reads(e, bytes, whole).map(|text| (label, e, text)))
        // A read that may be cut counts only with something beyond ASCII in it: the
        // evidence for the encoding (its unfinished end decodes in nearly any).
        .filter(|(_, _, text)| whole || !text.is_ascii());
    let (mut label, mut encoding, text) = found.next()?;
    // UTF-8 is certain where the chosen encoding made mojibake of it: the others' readings
    // are more of the same.
    let also = match misread {
        Misread::NotDecoded => found.map(|(_, e, _)| e.name()).collect(),
        Misread::Mojibake => Vec::new(),
    };
    let mut python_differs = false;
    if encoding == encoding_rs::GBK {
        // WHATWG's GBK decoder is GB18030's: it reads four-byte sequences GBK has not, so
        // where GBK cannot write the text back, name GB18030 (Python's gbk would fail).
        if encoding_rs::GBK.encode(&text).2 {
            (label, encoding) = ("gb18030", encoding_rs::GB18030);
        } else {
            python_differs = text.contains('€');
        }
    }
    Some(Suggestion {
        misread,
        encoding: Encoding(encoding),
        label,
        text: quoted(&text, SUGGESTED_CHARS),
        also,
        python_differs,
    })
}

/// GBK and GB18030 decode alike (WHATWG): one is not suggested for the other.
fn same_decoder(a: &encoding_rs::Encoding, b: &encoding_rs::Encoding) -> bool {
    let gb = |e: &encoding_rs::Encoding| e == encoding_rs::GBK || e == encoding_rs::GB18030;
    a == b || (gb(a) && gb(b))
}

/// The bytes as text in `encoding`, if every byte decodes (an unfinished character at the
/// end aside, unless `whole`) into text a person would have written: no control characters
/// but tab and line ends, nothing of the private use area (where GBK's and Big5's
/// user-defined codes land).
fn reads(encoding: &'static encoding_rs::Encoding, bytes: &[u8], whole: bool) -> Option<String> {
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let room = decoder.max_utf8_buffer_length_without_replacement(bytes.len())?;
    let mut text = String::with_capacity(room);
    let (result, _) = decoder.decode_to_string_without_replacement(bytes, &mut text, whole);
    if result != DecoderResult::InputEmpty {
        return None;
    }
    let written = |c: char| {
        (matches!(c, '\t' | '\n' | '\r') || !c.is_control())
            && !('\u{e000}'..='\u{f8ff}').contains(&c)
            && c != '\u{fffd}'
    };
    text.chars().all(written).then_some(text)
}

/// Text quoted and escaped as a log line shows it, cut after `max` characters with `...`.
fn quoted(text: &str, max: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max * 4) + 5);
    out.push('"');
    let cut = text.char_indices().nth(max).map(|(i, _)| i);
    push_escaped(&mut out, &text[..cut.unwrap_or(text.len())]);
    out.push('"');
    if cut.is_some() {
        out.push_str("...");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enc(label: &str) -> Encoding {
        Encoding::for_label(label).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn text_is_shown_as_text_in_its_encoding() {
        let utf8 = Encoding::default();
        let gbk = enc("gbk");
        let cases = [
            ("你好 world".as_bytes(), utf8, "\"你好 world\""),
            (&[0xc4, 0xe3, 0xba, 0xc3][..], gbk, "\"你好\""),
            (b"hello\r\n", utf8, "\"hello\\r\\n\""),
            (b"a\tb\x00c", utf8, "\"a\\tb\\x00c\""),
            (b"say \"hi\" \\ bye", utf8, "\"say \\\"hi\\\" \\\\ bye\""),
            (b"", utf8, "\"\""),
            // A multi-byte character cut by a read: the bytes that do not decode, escaped.
            (&b"hello, \xe4\xbd"[..], utf8, "\"hello, \\xe4\\xbd\""),
            (&[0xe9][..], enc("latin1"), "\"é\""),
        ];
        for (bytes, encoding, want) in cases {
            assert_eq!(
                show(bytes, bytes.len(), encoding),
                want,
                "{bytes:?} in {}",
                encoding.name()
            );
        }
    }

    #[test]
    fn what_is_not_text_is_shown_as_hex() {
        let utf8 = Encoding::default();
        assert_eq!(show(&[0xff, 0xfe, 0x01], 3, utf8), "hex ff fe 01");
        // GBK bytes read as UTF-8: not text in that encoding.
        assert_eq!(show(&[0xc4, 0xe3, 0xba, 0xc3], 4, utf8), "hex c4 e3 ba c3");
        // Only the first bytes at hand: the rest is counted.
        assert_eq!(
            show(b"abc", 10, utf8),
            "\"abc\" ... (7 more bytes not shown)"
        );
    }

    #[test]
    fn long_messages_are_cut_with_a_count() {
        let long = vec![b'x'; SHOWN + 10];
        let shown = show(&long, long.len(), Encoding::default());
        assert!(shown.starts_with("\"xxxx"));
        assert!(
            shown.ends_with("\" ... (10 more bytes not shown)"),
            "{}",
            &shown[4000..]
        );
        assert_eq!(shown.matches('x').count(), SHOWN);
    }

    #[test]
    fn encodings_by_label_and_their_bytes() {
        assert_eq!(enc("gbk").encode("你好"), Ok(vec![0xc4, 0xe3, 0xba, 0xc3]));
        assert_eq!(enc("GB2312").name(), "GBK");
        assert_eq!(
            enc("shift_jis").encode("日本"),
            Ok(vec![0x93, 0xfa, 0x96, 0x7b])
        );
        assert_eq!(enc("big5").decode(&[0xa7, 0x41]).as_deref(), Some("你"));
        assert_eq!(enc("latin1").name(), "windows-1252");
        assert_eq!(enc("gbk").decode(&[0xff, 0xff]), None);
        let refused = enc("latin1").encode("a你");
        assert!(
            refused
                .as_ref()
                .is_err_and(|e| e.contains("'你' (U+4F60) cannot be written in windows-1252")),
            "{refused:?}"
        );
        let unknown = Encoding::for_label("klingon");
        assert!(
            unknown.is_err_and(|e| e.contains("unknown encoding 'klingon'") && e.contains("gbk"))
        );
        assert!(Encoding::for_label("utf-16le").is_err_and(|e| e.contains("not written")));
    }

    #[test]
    fn hex_digits_in_every_usual_form() {
        for text in [
            "48 65 6c 6c 6f",
            "48656c6c6f",
            "\\x48\\x65\\x6c\\x6c\\x6f",
            "0x48,0x65,0x6C,0x6c,0x6F",
            "48:65:6c:6c:6f",
        ] {
            assert_eq!(parse_hex(text).as_deref(), Ok(&b"Hello"[..]), "{text}");
        }
        assert_eq!(parse_hex(""), Ok(Vec::new()));
        let bad = parse_hex("48 6g");
        assert!(
            bad.as_ref()
                .is_err_and(|e| e.contains("'g' (character 5) is not a hex digit")),
            "{bad:?}"
        );
        assert!(parse_hex("486").is_err_and(|e| e.contains("3 hex digits")));
    }

    #[test]
    fn typed_lines_lose_their_line_ending_and_take_the_encoding() {
        let gbk = enc("gbk");
        assert_eq!(
            typed("你好\r\n".as_bytes(), gbk, false),
            Ok(vec![0xc4, 0xe3, 0xba, 0xc3])
        );
        assert_eq!(
            typed(b"48 69\n", Encoding::default(), true),
            Ok(b"Hi".to_vec())
        );
        assert_eq!(typed(b"\n", Encoding::default(), false), Ok(Vec::new()));
        assert!(
            typed(&[0xff, b'\n'], Encoding::default(), false)
                .is_err_and(|e| e.contains("not UTF-8"))
        );
    }

    #[test]
    fn dumps_look_like_xxd() {
        let lines = dump(b"Hello, world!\n\x00\x01ABC");
        assert_eq!(
            lines,
            [
                "00000000: 4865 6c6c 6f2c 2077 6f72 6c64 210a 0001  Hello, world!...",
                "00000010: 4142 43                                  ABC",
            ]
        );
        assert_eq!(plain_hex(b"\x00\xff"), "00ff");
        assert!(dump(b"").is_empty());
    }

    #[test]
    fn bytes_that_read_better_elsewhere_get_a_suggestion() {
        let (utf8, gbk) = (Encoding::default(), enc("gbk"));
        let sjis = enc("shift_jis").encode("ｱｲｳ 1").unwrap_or_default();
        let gb18030_only = enc("gb18030").encode("😀").unwrap_or_default();
        // (bytes, chosen, whole, what is suggested: misread, label, text, also, python)
        type Want = Option<(
            Misread,
            &'static str,
            &'static str,
            &'static [&'static str],
            bool,
        )>;
        let cases: [(&[u8], Encoding, bool, Want); 14] = [
            // GBK 你好 in the default UTF-8 view: GBK first; it is valid in the other three too.
            (
                &[0xc4, 0xe3, 0xba, 0xc3],
                utf8,
                true,
                Some((
                    Misread::NotDecoded,
                    "gbk",
                    "\"你好\"",
                    &["Big5", "Shift_JIS", "EUC-KR"],
                    false,
                )),
            ),
            // UTF-8 你好 under --encoding gbk reads as 浣犲ソ: the mojibake of UTF-8.
            (
                &[0xe4, 0xbd, 0xa0, 0xe5, 0xa5, 0xbd],
                gbk,
                true,
                Some((Misread::Mojibake, "utf-8", "\"你好\"", &[], false)),
            ),
            // Big5 你好: GBK reads a7 41 only as a user-defined (private use) character.
            (
                &[0xa7, 0x41, 0xa6, 0x6e],
                utf8,
                true,
                Some((
                    Misread::NotDecoded,
                    "big5",
                    "\"你好\"",
                    &["Shift_JIS", "EUC-KR"],
                    false,
                )),
            ),
            (
                &[0xa7, 0x41, 0xa6, 0x6e],
                gbk,
                true,
                Some((
                    Misread::NotDecoded,
                    "big5",
                    "\"你好\"",
                    &["Shift_JIS", "EUC-KR"],
                    false,
                )),
            ),
            // Shift_JIS half-width katakana before ASCII: no double-byte encoding reads it.
            (
                &sjis,
                utf8,
                true,
                Some((Misread::NotDecoded, "shift_jis", "\"ｱｲｳ 1\"", &[], false)),
            ),
            // WHATWG's GBK reads 0x80 as €; Python's gbk codec does not.
            (
                &[0x80, b'5'],
                utf8,
                true,
                Some((Misread::NotDecoded, "gbk", "\"€5\"", &[], true)),
            ),
            // A four-byte GB18030 sequence: GBK has no such character.
            (
                &gb18030_only,
                utf8,
                true,
                Some((Misread::NotDecoded, "gb18030", "\"😀\"", &[], false)),
            ),
            // Latin-1 chosen, UTF-8 sent: é as Ã©.
            (
                "café".as_bytes(),
                enc("latin1"),
                true,
                Some((Misread::Mojibake, "utf-8", "\"café\"", &[], false)),
            ),
            // A TCP read that ends inside a GBK character still reads as GBK.
            (
                &[0xc4, 0xe3, 0xba],
                utf8,
                false,
                Some((
                    Misread::NotDecoded,
                    "gbk",
                    "\"你\"",
                    &["Big5", "Shift_JIS", "EUC-KR"],
                    false,
                )),
            ),
            // What the chosen encoding reads: nothing to say.
            (&[0xc4, 0xe3, 0xba, 0xc3], gbk, true, None),
            ("你好".as_bytes(), utf8, true, None),
            // A read cut inside a UTF-8 character is UTF-8 still.
            (b"hello, \xe4\xbd", utf8, false, None),
            // Plain ASCII reads alike everywhere; binary junk reads as text nowhere.
            (b"hello\r\n", gbk, true, None),
            (
                &[0x00, 0xff, 0x13, 0x80, 0x9f, 0xfe, 0x01, 0x02],
                utf8,
                true,
                None,
            ),
        ];
        for (bytes, chosen, whole, want) in cases {
            let got = suggest(bytes, chosen, whole);
            let got = got.as_ref().map(|s| {
                (
                    s.misread,
                    s.label,
                    s.text.as_str(),
                    s.also.as_slice(),
                    s.python_differs,
                )
            });
            assert_eq!(
                got,
                want,
                "{} in {} (whole: {whole})",
                spaced_hex(bytes),
                chosen.name()
            );
        }
    }

    #[test]
    fn a_suggestion_shows_a_long_text_cut() {
        let long = "你".repeat(SUGGESTED_CHARS + 5);
        let gbk = enc("gbk").encode(&long).unwrap_or_default();
        let s = suggest(&gbk, Encoding::default(), true);
        let text = s.map(|s| s.text).unwrap_or_default();
        assert_eq!(text, format!("\"{}\"...", "你".repeat(SUGGESTED_CHARS)));
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn hex_prints_as_it_parses(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
                prop_assert_eq!(parse_hex(&plain_hex(&bytes)), Ok(bytes.clone()));
                prop_assert_eq!(parse_hex(&spaced_hex(&bytes)), Ok(bytes));
            }

            #[test]
            fn nothing_shown_panics(bytes in proptest::collection::vec(any::<u8>(), 0..200), label in "(utf-8|gbk|big5|shift_jis|euc-kr|latin1|gb18030)") {
                let _ = show(&bytes, bytes.len() + 3, enc(&label));
                let _ = dump(&bytes);
                let _ = suggest(&bytes, enc(&label), bytes.len() % 2 == 0);
            }

            #[test]
            fn no_typed_hex_panics(text in "\\PC{0,40}") {
                let _ = parse_hex(&text);
            }
        }
    }
}
