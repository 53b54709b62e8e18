//! Length-prefixed messages over a byte stream, as the socket labs teach: a length header,
//! then that many bytes. The header is 4-byte big-endian by default; the hand-outs'
//! `struct.pack('i', n)` is 4-byte little-endian and signed; 2-byte headers also exist. TCP
//! may split or glue frames; `Deframer` puts them back together, and refuses a header that
//! is negative or above the limit before allocating anything. Pure: no I/O.

use std::fmt::Write as _;

/// The default limit of one frame's payload.
pub const MAX_FRAME: usize = 16 * 1024 * 1024;

/// The length header of a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Header {
    /// 4 bytes, big-endian, unsigned (network byte order).
    #[default]
    Be32,
    /// 4 bytes, little-endian, signed: Python's struct.pack('i', n) on x86 and ARM.
    Le32,
    /// 2 bytes, big-endian, unsigned.
    Be16,
    /// 2 bytes, little-endian, unsigned.
    Le16,
}

/// The header names, as --framed=HEADER takes them.
pub const HEADERS: [(&str, Header); 4] = [
    ("be32", Header::Be32),
    ("le32", Header::Le32),
    ("be16", Header::Be16),
    ("le16", Header::Le16),
];

impl Header {
    /// The header a name stands for (`be32`, `le32`, `be16`, `le16`).
    pub fn from_name(name: &str) -> Option<Header> {
        HEADERS
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|&(_, h)| h)
    }

    pub fn name(self) -> &'static str {
        HEADERS
            .iter()
            .find(|&&(_, h)| h == self)
            .map_or("be32", |&(n, _)| n)
    }

    /// How many bytes the header takes.
    pub fn size(self) -> usize {
        match self {
            Header::Be32 | Header::Le32 => 4,
            Header::Be16 | Header::Le16 => 2,
        }
    }

    /// The largest payload the header can announce.
    fn most(self) -> usize {
        match self {
            Header::Be32 => u32::MAX as usize,
            Header::Le32 => i32::MAX as usize,
            Header::Be16 | Header::Le16 => u16::MAX as usize,
        }
    }

    /// The length a header announces (negative only for le32).
    fn value(self, h: &[u8]) -> i64 {
        match self {
            Header::Be32 => i64::from(u32::from_be_bytes([h[0], h[1], h[2], h[3]])),
            Header::Le32 => i64::from(i32::from_le_bytes([h[0], h[1], h[2], h[3]])),
            Header::Be16 => i64::from(u16::from_be_bytes([h[0], h[1]])),
            Header::Le16 => i64::from(u16::from_le_bytes([h[0], h[1]])),
        }
    }

    /// One frame ready to send: the header, then the payload.
    pub fn encode(self, payload: &[u8]) -> Result<Vec<u8>, FrameError> {
        if payload.len() > self.most() {
            return Err(FrameError::TooLong {
                len: payload.len(),
                header: self.name(),
            });
        }
        let n = payload.len();
        let mut out = Vec::with_capacity(self.size() + n);
        match self {
            Header::Be32 => out.extend_from_slice(&(n as u32).to_be_bytes()),
            Header::Le32 => out.extend_from_slice(&(n as i32).to_le_bytes()),
            Header::Be16 => out.extend_from_slice(&(n as u16).to_be_bytes()),
            Header::Le16 => out.extend_from_slice(&(n as u16).to_le_bytes()),
        }
        out.extend_from_slice(payload);
        Ok(out)
    }
}

/// A frame that cannot be sent, or a stream of frames that cannot be read on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    #[error("bad frame header {bytes} ({header}): the length {value} is negative")]
    Negative {
        bytes: String,
        header: &'static str,
        value: i64,
    },
    #[error("bad frame header {bytes} ({header}): {value} bytes is above --max-frame ({max})")]
    TooLarge {
        bytes: String,
        header: &'static str,
        value: i64,
        max: usize,
    },
    #[error("a message of {len} bytes does not fit a {header} frame header")]
    TooLong { len: usize, header: &'static str },
}

/// Collects stream bytes and hands out whole frames, however the bytes were split.
#[derive(Debug)]
pub struct Deframer {
    header: Header,
    max: usize,
    buffer: Vec<u8>,
}

impl Default for Deframer {
    fn default() -> Deframer {
        Deframer::new(Header::default(), MAX_FRAME)
    }
}

impl Deframer {
    pub fn new(header: Header, max: usize) -> Deframer {
        Deframer {
            header,
            max,
            buffer: Vec::new(),
        }
    }

    /// Adds bytes as they arrived.
    pub fn push(&mut self, bytes: &[u8]) {
        self.buffer.extend_from_slice(bytes);
    }

    /// The next whole frame's payload, if one has fully arrived.
    pub fn next_frame(&mut self) -> Result<Option<Vec<u8>>, FrameError> {
        let size = self.header.size();
        let Some(head) = self.buffer.get(..size) else {
            return Ok(None);
        };
        let value = self.header.value(head);
        let bytes = || {
            let mut s = String::new();
            for (i, b) in head.iter().enumerate() {
                let _ = write!(s, "{}{b:02x}", if i > 0 { " " } else { "" });
            }
            s
        };
        if value < 0 {
            return Err(FrameError::Negative {
                bytes: bytes(),
                header: self.header.name(),
                value,
            });
        }
        let len = value as usize;
        if len > self.max {
            return Err(FrameError::TooLarge {
                bytes: bytes(),
                header: self.header.name(),
                value,
                max: self.max,
            });
        }
        if self.buffer.len() < size + len {
            return Ok(None);
        }
        let payload = self.buffer[size..size + len].to_vec();
        self.buffer.drain(..size + len);
        Ok(Some(payload))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(d: &mut Deframer) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        while let Ok(Some(f)) = d.next_frame() {
            out.push(f);
        }
        out
    }

    fn encode(payload: &[u8]) -> Vec<u8> {
        Header::Be32.encode(payload).unwrap_or_default()
    }

    #[test]
    fn two_frames_glued_in_one_read_come_apart() {
        let mut d = Deframer::default();
        let mut bytes = encode(b"hello");
        bytes.extend(encode(b"world!"));
        d.push(&bytes);
        assert_eq!(frames(&mut d), [b"hello".to_vec(), b"world!".to_vec()]);
        assert!(d.buffer.is_empty(), "nothing left over");
    }

    #[test]
    fn one_frame_split_over_three_reads_comes_whole() {
        let mut d = Deframer::default();
        let bytes = encode(b"split me");
        d.push(&bytes[..2]);
        assert!(frames(&mut d).is_empty());
        d.push(&bytes[2..7]);
        assert!(frames(&mut d).is_empty());
        d.push(&bytes[7..]);
        assert_eq!(frames(&mut d), [b"split me".to_vec()]);
    }

    #[test]
    fn every_header_as_python_struct_packs_it() {
        // struct.pack('>I', 5), struct.pack('<i', 5), struct.pack('>H', 5), struct.pack('<H', 5)
        let cases = [
            (Header::Be32, vec![0, 0, 0, 5]),
            (Header::Le32, vec![5, 0, 0, 0]),
            (Header::Be16, vec![0, 5]),
            (Header::Le16, vec![5, 0]),
        ];
        for (header, head) in cases {
            let framed = header.encode(b"hello").unwrap_or_default();
            assert_eq!(&framed[..header.size()], &head[..], "{header:?}");
            let mut d = Deframer::new(header, MAX_FRAME);
            d.push(&framed);
            assert_eq!(frames(&mut d), [b"hello".to_vec()], "{header:?}");
            assert_eq!(Header::from_name(header.name()), Some(header));
        }
        assert_eq!(Header::from_name("LE32"), Some(Header::Le32));
        assert_eq!(Header::from_name("le64"), None);
    }

    #[test]
    fn bad_headers_are_named_and_nothing_is_allocated() {
        let mut d = Deframer::new(Header::Le32, MAX_FRAME);
        d.push(&(-1i32).to_le_bytes());
        assert_eq!(
            d.next_frame().map_err(|e| e.to_string()),
            Err("bad frame header ff ff ff ff (le32): the length -1 is negative".into())
        );
        let mut d = Deframer::new(Header::Be32, 100);
        d.push(&[0x7f, 0xff, 0xff, 0xff]);
        assert_eq!(
            d.next_frame().map_err(|e| e.to_string()),
            Err(
                "bad frame header 7f ff ff ff (be32): 2147483647 bytes is above --max-frame (100)"
                    .into()
            )
        );
        assert!(Header::Be16.encode(&vec![0; 70_000]).is_err());
        let mut d = Deframer::default();
        d.push(&encode(b""));
        assert_eq!(frames(&mut d), [Vec::<u8>::new()]);
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn frames_come_out_whole_however_the_bytes_are_split(
                payloads in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..300), 0..8),
                cuts in proptest::collection::vec(any::<prop::sample::Index>(), 0..12),
                which in 0usize..4,
            ) {
                let header = HEADERS[which].1;
                let bytes: Vec<u8> = payloads.iter().flat_map(|p| header.encode(p).unwrap_or_default()).collect();
                let mut points: Vec<usize> = cuts.iter().map(|c| c.index(bytes.len() + 1)).collect();
                points.push(0);
                points.push(bytes.len());
                points.sort_unstable();
                let mut d = Deframer::new(header, MAX_FRAME);
                let mut got = Vec::new();
                for pair in points.windows(2) {
                    d.push(&bytes[pair[0]..pair[1]]);
                    got.extend(frames(&mut d));
                }
                prop_assert_eq!(got, payloads);
            }

            #[test]
            fn arbitrary_bytes_never_panic_the_decoder(
                chunks in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..64), 0..10),
                which in 0usize..4,
            ) {
                let mut d = Deframer::new(HEADERS[which].1, 1 << 20);
                for c in &chunks {
                    d.push(c);
                    while let Ok(Some(_)) = d.next_frame() {}
                }
            }
        }
    }
}
