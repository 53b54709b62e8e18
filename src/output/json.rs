//! JSON written field by field, for the one record that streams by the million (classify's):
//! the bytes serde writes (serde_json and sonic-rs agree), without serde's per-field dispatch
//! and per-string escaping calls. Every other report goes through serde (`Output::json_line`).

use std::fmt::Display;
use std::io::Write as _;
use std::net::{IpAddr, Ipv4Addr};

/// Each byte value's decimal digits followed by a dot, and how many digits there are.
static DECIMAL: [([u8; 4], u8); 256] = {
    let mut table = [([0; 4], 0); 256];
    let mut n = 0;
    while n < 256 {
        let [h, t, u] = [(n / 100) as u8, (n / 10 % 10) as u8, (n % 10) as u8];
        table[n] = match n {
            0..10 => ([u + b'0', b'.', 0, 0], 1),
            10..100 => ([t + b'0', u + b'0', b'.', 0], 2),
            _ => ([h + b'0', t + b'0', u + b'0', b'.'], 3),
        };
        n += 1;
    }
    table
};

/// A JSON text being written into a buffer. The caller writes keys and punctuation with
/// [`Json::raw`]; values go through the typed methods.
pub struct Json<'a>(pub &'a mut Vec<u8>);

impl Json<'_> {
    /// JSON text as it is: punctuation and keys (`,"key":`).
    pub fn raw(&mut self, text: &str) {
        self.0.extend_from_slice(text.as_bytes());
    }

    pub fn null(&mut self) {
        self.raw("null");
    }

    /// A string, quoted and escaped as serde_json escapes it: `"`, `\` and the control
    /// characters; nothing else (not DEL, not non-ASCII).
    pub fn str(&mut self, s: &str) {
        let bytes = s.as_bytes();
        self.0.push(b'"');
        let mut start = 0;
        for (i, &b) in bytes.iter().enumerate() {
            let short: &[u8] = match b {
                b'"' => b"\\\"",
                b'\\' => b"\\\\",
                b'\n' => b"\\n",
                b'\r' => b"\\r",
                b'\t' => b"\\t",
                0x08 => b"\\b",
                0x0c => b"\\f",
                0..0x20 => b"",
                _ => continue,
            };
            self.0.extend_from_slice(&bytes[start..i]);
            start = i + 1;
            if short.is_empty() {
                self.0.extend_from_slice(b"\\u00");
                self.0.extend_from_slice(&crate::text::hex_digits(b));
            } else {
                self.0.extend_from_slice(short);
            }
        }
        self.0.extend_from_slice(&bytes[start..]);
        self.0.push(b'"');
    }

    pub fn opt_str(&mut self, s: Option<&str>) {
        match s {
            Some(s) => self.str(s),
            None => self.null(),
        }
    }

    pub fn bool(&mut self, b: bool) {
        self.raw(if b { "true" } else { "false" });
    }

    pub fn opt_bool(&mut self, b: Option<bool>) {
        match b {
            Some(b) => self.bool(b),
            None => self.null(),
        }
    }

    pub fn u64(&mut self, n: u64) {
        self.raw(itoa::Buffer::new().format(n));
    }

    /// A value whose text needs no escaping (an address, a prefix, a number in some base),
    /// quoted.
    pub fn quoted(&mut self, value: impl Display) {
        // Writing into a Vec cannot fail.
        let _ = write!(self.0, "\"{value}\"");
    }

    /// Text that needs no escaping (digits, addresses), quoted.
    pub fn plain(&mut self, text: &str) {
        self.0.push(b'"');
        self.raw(text);
        self.0.push(b'"');
    }

    /// An IPv4 address, quoted: the commonest value of all, so without the formatter, built
    /// on the stack and copied at once.
    pub fn ipv4(&mut self, addr: Ipv4Addr) {
        let mut text = [b'"'; 17];
        let mut len = 1;
        for octet in addr.octets() {
            let (digits, n) = DECIMAL[usize::from(octet)];
            text[len..len + 4].copy_from_slice(&digits);
            len += usize::from(n) + 1;
        }
        // The last octet's dot becomes the closing quote.
        text[len - 1] = b'"';
        // A copy of fixed length, which the compiler inlines, then the length it should be.
        let start = self.0.len();
        self.0.extend_from_slice(&text);
        self.0.truncate(start + len);
    }

    pub fn ip(&mut self, addr: IpAddr) {
        match addr {
            IpAddr::V4(v4) => self.ipv4(v4),
            IpAddr::V6(v6) => self.quoted(v6),
        }
    }

    /// `value` written by `write`, or null.
    pub fn opt<T>(&mut self, value: Option<T>, write: impl FnOnce(&mut Self, T)) {
        match value {
            Some(v) => write(self, v),
            None => self.null(),
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn written(write: impl FnOnce(&mut Json)) -> String {
        let mut buf = Vec::new();
        write(&mut Json(&mut buf));
        String::from_utf8(buf).unwrap_or_default()
    }

    proptest! {
        #[test]
        fn strings_escape_as_serde_json_does(s in any::<String>()) {
            let expected = serde_json::to_string(&s).unwrap_or_default();
            prop_assert_eq!(written(|j| j.str(&s)), expected);
        }

        #[test]
        fn addresses_and_numbers_read_as_serde_writes_them(bits in any::<u32>(), n in any::<u64>()) {
            let v4 = Ipv4Addr::from(bits);
            prop_assert_eq!(written(|j| j.ipv4(v4)), serde_json::to_string(&v4).unwrap_or_default());
            prop_assert_eq!(written(|j| j.u64(n)), n.to_string());
        }
    }

    #[test]
    fn every_control_character_and_the_specials() {
        let all: String = (0u8..0x80).map(char::from).collect();
        let expected = serde_json::to_string(&all).unwrap_or_default();
        assert_eq!(written(|j| j.str(&all)), expected);
        assert_eq!(written(|j| j.opt_bool(None)), "null");
        assert_eq!(written(|j| j.opt_str(Some("a\"b"))), r#""a\"b""#);
    }
}
