//! The written forms of an address that students are taught besides the usual one: binary
//! and a single hexadecimal number. Each is written when shown (into a stack buffer), so an
//! address that is never shown in binary costs nothing. Pure: no I/O.

use std::fmt;
use std::net::IpAddr;

use serde::{Serialize, Serializer};

/// An address in binary: `10101100.00010100.00000001.00000101` (the dotted form students
/// learn) for IPv4, eight colon-separated groups of 16 bits for IPv6.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Binary(pub IpAddr);

/// An address as one hexadecimal number: `0xac140105`, 32 digits for IPv6.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hex(pub IpAddr);

/// ASCII text of at most N bytes, on the stack.
pub struct Ascii<const N: usize> {
    buf: [u8; N],
    len: usize,
}

impl<const N: usize> Ascii<N> {
    fn new() -> Self {
        Ascii {
            buf: [0; N],
            len: 0,
        }
    }

    fn push(&mut self, bytes: &[u8]) {
        self.buf[self.len..self.len + bytes.len()].copy_from_slice(bytes);
        self.len += bytes.len();
    }

    pub fn as_str(&self) -> &str {
        // Only ASCII is ever pushed.
        std::str::from_utf8(&self.buf[..self.len]).unwrap_or_default()
    }
}

/// Each byte's eight bits as digits, most significant first.
static BITS: [[u8; 8]; 256] = {
    let mut table = [[b'0'; 8]; 256];
    let mut byte = 0;
    while byte < 256 {
        let mut i = 0;
        while i < 8 {
            if byte >> (7 - i) & 1 == 1 {
                table[byte][i] = b'1';
            }
            i += 1;
        }
        byte += 1;
    }
    table
};

/// The address's bytes in the first 4 or 16 of 16.
fn octets(addr: IpAddr) -> ([u8; 16], usize) {
    match addr {
        IpAddr::V4(v4) => {
            let mut octets = [0; 16];
            octets[..4].copy_from_slice(&v4.octets());
            (octets, 4)
        }
        IpAddr::V6(v6) => (v6.octets(), 16),
    }
}

impl Binary {
    /// 35 bytes for IPv4, 135 for IPv6.
    pub fn ascii(self) -> Ascii<135> {
        let mut text = Ascii::new();
        let (per_group, sep) = match self.0 {
            IpAddr::V4(_) => (1, b'.'),
            IpAddr::V6(_) => (2, b':'),
        };
        let (octets, len) = octets(self.0);
        for (i, &octet) in octets[..len].iter().enumerate() {
            if i > 0 && i % per_group == 0 {
                text.push(&[sep]);
            }
            text.push(&BITS[usize::from(octet)]);
        }
        text
    }
}

impl Hex {
    /// 10 bytes for IPv4, 34 for IPv6.
    pub fn ascii(self) -> Ascii<34> {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        let mut text = Ascii::new();
        text.push(b"0x");
        let (octets, len) = octets(self.0);
        for &octet in &octets[..len] {
            text.push(&[
                DIGITS[usize::from(octet >> 4)],
                DIGITS[usize::from(octet & 0xf)],
            ]);
        }
        text
    }
}

impl fmt::Display for Binary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.ascii().as_str())
    }
}

impl fmt::Display for Hex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.ascii().as_str())
    }
}

impl Serialize for Binary {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.ascii().as_str())
    }
}

impl Serialize for Hex {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.ascii().as_str())
    }
}

#[cfg(test)]
mod tests {
    use std::net::{Ipv4Addr, Ipv6Addr};

    use proptest::prelude::*;

    use super::*;

    proptest! {
        #[test]
        fn ipv4_forms_are_the_bits_and_the_number(bits in any::<u32>()) {
            let addr = IpAddr::V4(Ipv4Addr::from(bits));
            let o = bits.to_be_bytes();
            let dotted = format!("{:08b}.{:08b}.{:08b}.{:08b}", o[0], o[1], o[2], o[3]);
            prop_assert_eq!(Binary(addr).to_string(), dotted);
            prop_assert_eq!(Hex(addr).to_string(), format!("0x{bits:08x}"));
        }

        #[test]
        fn ipv6_forms_are_the_bits_and_the_number(bits in any::<u128>()) {
            let addr = IpAddr::V6(Ipv6Addr::from(bits));
            let groups: Vec<String> = Ipv6Addr::from(bits)
                .segments()
                .iter()
                .map(|g| format!("{g:016b}"))
                .collect();
            prop_assert_eq!(Binary(addr).to_string(), groups.join(":"));
            prop_assert_eq!(Hex(addr).to_string(), format!("0x{bits:032x}"));
        }
    }
}
