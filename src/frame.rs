//! Length-prefixed messages over a byte stream, as the socket labs teach: a length header,
//! then that many bytes. The header is 4-byte big-endian by default; the hand-outs'
//! `struct.pack('i', n)` is 4-byte little-endian and signed; 2-byte headers also exist. TCP
//! may split or glue frames; `Deframer` puts them back together, and refuses a header that
//! is negative or above the limit before allocating anything; when the same bytes read in
//! the other byte order make a length within the limit, the error asks whether that header
//! was meant. A frame may also be the lessons' JSON file header (`Announced`): its size field
//! says how many unframed bytes follow, which `BodyCheck` counts and hashes without keeping
//! them. Pure: no I/O.

use std::fmt::Write as _;

use md5::{Digest as _, Md5};
use sha2::Sha256;

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

    /// The header's name (`be32`, ...), as --framed=HEADER takes it.
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

    /// The same size in the other byte order: what a header in the wrong order was meant to be.
    pub fn swapped(self) -> Header {
        match self {
            Header::Be32 => Header::Le32,
            Header::Le32 => Header::Be32,
            Header::Be16 => Header::Le16,
            Header::Le16 => Header::Be16,
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
    #[error("bad frame header {bytes} ({header}): the length {value} is negative{}", Swapped::words(.swapped))]
    Negative {
        bytes: String,
        header: &'static str,
        value: i64,
        swapped: Option<Swapped>,
    },
    #[error("bad frame header {bytes} ({header}): {value} bytes is above --max-frame ({max}){}", Swapped::words(.swapped))]
    TooLarge {
        bytes: String,
        header: &'static str,
        value: i64,
        max: usize,
        swapped: Option<Swapped>,
    },
    #[error("a message of {len} bytes does not fit a {header} frame header")]
    TooLong { len: usize, header: &'static str },
}

/// A bad header read in the other byte order gives a length within the limit: the peer
/// most likely writes that header (a struct.pack('i', n) client read as be32, issue 23).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Swapped {
    /// The option that chose the header (--framed, --framed-in).
    pub option: &'static str,
    /// The header in the other byte order.
    pub header: &'static str,
    /// The length it reads.
    pub value: i64,
}

impl Swapped {
    /// The hint, when there is one, for the end of a bad header's error.
    fn words(swapped: &Option<Swapped>) -> String {
        swapped.as_ref().map_or_else(String::new, |s| {
            format!(
                "; read as {} it is {} bytes: did you mean {}={}?",
                s.header, s.value, s.option, s.header
            )
        })
    }

    /// The hint for a header that is negative or above `max` in `header`'s byte order.
    pub fn of(header: Header, head: &[u8], max: usize, option: &'static str) -> Option<Swapped> {
        let other = header.swapped();
        let value = other.value(head);
        (value >= 0 && value as u64 <= max as u64).then(|| Swapped {
            option,
            header: other.name(),
            value,
        })
    }
}

/// Collects stream bytes and hands out whole frames, however the bytes were split.
#[derive(Debug)]
pub struct Deframer {
    header: Header,
    max: usize,
    buffer: Vec<u8>,
    /// The option that chose the header, named in the hint of a bad one.
    option: &'static str,
}

impl Default for Deframer {
    fn default() -> Deframer {
        Deframer::new(Header::default(), MAX_FRAME)
    }
}

impl Deframer {
    /// A decoder of `header` frames of at most `max` bytes.
    pub fn new(header: Header, max: usize) -> Deframer {
        Deframer {
            header,
            max,
            buffer: Vec::new(),
            option: "--framed",
        }
    }

    /// The option a bad header's hint names (--framed unless said otherwise: --framed-in).
    pub fn named(self, option: &'static str) -> Deframer {
        Deframer { option, ..self }
    }

    /// Up to `most` bytes that came after the last whole frame, taken out unframed: the
    /// start of a body a JSON header announced.
    pub fn take_raw(&mut self, most: usize) -> Vec<u8> {
        let n = most.min(self.buffer.len());
        self.buffer.drain(..n).collect()
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
                swapped: Swapped::of(self.header, head, self.max, self.option),
            });
        }
        let len = value as usize;
        if len > self.max {
            return Err(FrameError::TooLarge {
                bytes: bytes(),
                header: self.header.name(),
                value,
                max: self.max,
                swapped: Swapped::of(self.header, head, self.max, self.option),
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

/// The 4-byte header an unframed reply seems to start with, and the length it says: its
/// length is exactly what follows (the remote-command server's struct.pack('i', len) +
/// output), or it announces a JSON object that follows (the file server's header, then the
/// file), or the reply is the header alone (its answer not read yet: an unframed reply ends
/// once as many bytes came back as went out) and says a length within `MAX_FRAME`. le32 is
/// tried first, the lessons' struct.pack('i'). Two-byte headers are not guessed: too many
/// texts would match.
pub fn guess_header(reply: &[u8]) -> Option<(Header, usize)> {
    let rest = reply.get(4..)?;
    [Header::Le32, Header::Be32].into_iter().find_map(|header| {
        let n = usize::try_from(header.value(reply)).ok()?;
        if n == 0 || n > MAX_FRAME || n > rest.len() && !rest.is_empty() {
            return None;
        }
        let framed = rest.get(..n).unwrap_or_default();
        let counts = rest.is_empty()
            || n == rest.len()
            || (framed.first() == Some(&b'{') && framed.last() == Some(&b'}'));
        counts.then_some((header, n))
    })
}

/// The fields of a JSON header that may give its body's size, looked for in this order: the
/// lessons' file servers write `file_size` or `total_size`; the others are common spellings.
pub const SIZE_FIELDS: [&str; 6] = [
    "file_size",
    "total_size",
    "filesize",
    "size",
    "length",
    "data_size",
];

/// A frame that is a JSON object: the lessons' file header
/// (`{"filename": ..., "md5": ..., "file_size": N}`), which N unframed bytes follow when it
/// has a size field.
#[derive(Debug, Clone)]
pub struct Announced {
    /// The object as it came.
    pub json: sonic_rs::Value,
    /// The size field found first (of `SIZE_FIELDS`) and its value: a whole number ≥ 0.
    pub size: Option<(&'static str, u64)>,
    /// Its `md5` field, when it is 32 hex digits (lower case here).
    pub md5: Option<String>,
}

impl Announced {
    /// The frame read as a JSON object; `None` when it is anything else (text, an array).
    pub fn of(payload: &[u8]) -> Option<Announced> {
        use sonic_rs::{JsonContainerTrait as _, JsonValueTrait as _};
        // Only what opens as an object is tried: a command's output stays text.
        if payload.trim_ascii_start().first() != Some(&b'{') {
            return None;
        }
        let json: sonic_rs::Value = sonic_rs::from_slice(payload).ok()?;
        let object = json.as_object()?;
        let size = SIZE_FIELDS
            .iter()
            .find_map(|&field| Some((field, object.get(&field)?.as_u64()?)));
        let md5 = object
            .get(&"md5")
            .and_then(|v| v.as_str())
            .filter(|m| m.len() == 32 && m.bytes().all(|b| b.is_ascii_hexdigit()))
            .map(str::to_ascii_lowercase);
        Some(Announced { json, size, md5 })
    }
}

/// What came of a body a JSON header announced: its size and checksum, never its bytes.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct BodySum {
    /// The header's size field.
    pub field: &'static str,
    /// The size it announced.
    pub announced: u64,
    /// The bytes that came (fewer when the server closed or went quiet first).
    pub bytes: u64,
    /// Whether all of it came.
    pub complete: bool,
    /// The md5 of what came, when the header has an md5 field.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub md5: Option<String>,
    /// The header's md5.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub md5_expected: Option<String>,
    /// Whether the two are the same (only for a complete body).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub md5_matches: Option<bool>,
    /// The sha256 of what came, when the header has no md5 field.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
}

/// A body being read: counted and hashed as it comes, so memory stays bounded whatever its size.
pub struct BodyCheck {
    field: &'static str,
    announced: u64,
    got: u64,
    hash: Hash,
    expected: Option<String>,
}

/// md5 when the header gives one to compare with, else sha256.
enum Hash {
    Md5(Md5),
    Sha256(Sha256),
}

impl BodyCheck {
    /// The check of the body `announced` promises; `None` without a size field.
    pub fn of(announced: &Announced) -> Option<BodyCheck> {
        let (field, size) = announced.size?;
        let hash = match announced.md5 {
            Some(_) => Hash::Md5(Md5::new()),
            None => Hash::Sha256(Sha256::new()),
        };
        Some(BodyCheck {
            field,
            announced: size,
            got: 0,
            hash,
            expected: announced.md5.clone(),
        })
    }

    /// The bytes still to come.
    pub fn left(&self) -> u64 {
        self.announced - self.got
    }

    /// Takes what belongs to the body of `bytes`; returns how many bytes that was.
    pub fn update(&mut self, bytes: &[u8]) -> usize {
        let n = bytes
            .len()
            .min(usize::try_from(self.left()).unwrap_or(usize::MAX));
        match &mut self.hash {
            Hash::Md5(h) => h.update(&bytes[..n]),
            Hash::Sha256(h) => h.update(&bytes[..n]),
        }
        self.got += n as u64;
        n
    }

    /// The size and checksum of what came.
    pub fn finish(self) -> BodySum {
        let hex = |digest: &[u8]| {
            let mut s = String::with_capacity(digest.len() * 2);
            for b in digest {
                let _ = write!(s, "{b:02x}");
            }
            s
        };
        let complete = self.got == self.announced;
        let (md5, sha256) = match self.hash {
            Hash::Md5(h) => (Some(hex(&h.finalize())), None),
            Hash::Sha256(h) => (None, Some(hex(&h.finalize()))),
        };
        let md5_matches = match (&md5, &self.expected) {
            (Some(got), Some(want)) if complete => Some(got == want),
            _ => None,
        };
        BodySum {
            field: self.field,
            announced: self.announced,
            bytes: self.got,
            complete,
            md5,
            md5_expected: self.expected,
            md5_matches,
            sha256,
        }
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

    #[test]
    fn a_header_in_the_other_byte_order_is_named_when_it_reads_small() {
        // (header, bytes, max, the hint's words or none)
        let cases: [(Header, [u8; 4], usize, Option<&str>); 5] = [
            // struct.pack('i', 5) read as be32: 83886080 bytes.
            (
                Header::Be32,
                [5, 0, 0, 0],
                MAX_FRAME,
                Some("read as le32 it is 5 bytes: did you mean --framed=le32?"),
            ),
            // struct.pack('>I', 5) read as le32: 83886080 (over a limit of 1000).
            (
                Header::Le32,
                [0, 0, 0, 5],
                1000,
                Some("read as be32 it is 5 bytes: did you mean --framed=be32?"),
            ),
            // 200 as be32 read as le32 is negative (c8 00 00 00 would be -939524096).
            (
                Header::Le32,
                [0, 0, 0, 200],
                1000,
                Some("read as be32 it is 200 bytes"),
            ),
            // Text read as a header ("dir\n"): neither order is small.
            (Header::Be32, *b"dir\n", MAX_FRAME, None),
            (Header::Le32, [0xff, 0xff, 0xff, 0xff], MAX_FRAME, None),
        ];
        for (header, head, max, hint) in cases {
            let mut d = Deframer::new(header, max);
            d.push(&head);
            let said = d.next_frame().map_err(|e| e.to_string());
            match hint {
                Some(words) => assert!(
                    said.as_ref().is_err_and(|e| e.contains(words)),
                    "{header:?} {head:?} within {max}: {said:?}"
                ),
                None => assert!(
                    said.as_ref().is_err_and(|e| !e.contains("did you mean")),
                    "{header:?} {head:?}: {said:?}"
                ),
            }
        }
        let mut d = Deframer::new(Header::Be32, MAX_FRAME).named("--framed-in");
        d.push(&[9, 0, 0, 0]);
        assert!(
            d.next_frame()
                .is_err_and(|e| e.to_string().ends_with("did you mean --framed-in=le32?")),
            "the option in use is named"
        );
    }

    #[test]
    fn a_json_frame_announces_its_body_and_the_check_hashes_it() {
        let header =
            br#"{"filename": "a.txt", "md5": "5D41402ABC4B2A76B9719D911017C592", "file_size": 5}"#;
        let announced = Announced::of(header);
        let Some(a) = announced else {
            panic!("a JSON object is a header")
        };
        assert_eq!(a.size, Some(("file_size", 5)));
        assert_eq!(a.md5.as_deref(), Some("5d41402abc4b2a76b9719d911017c592"));
        let Some(mut check) = BodyCheck::of(&a) else {
            panic!("a size field announces a body")
        };
        assert_eq!(check.update(b"hel"), 3);
        assert_eq!(check.update(b"lo and more"), 2, "only the body is taken");
        assert_eq!(check.left(), 0);
        let sum = check.finish();
        assert_eq!(
            (sum.complete, sum.md5_matches),
            (true, Some(true)),
            "{sum:?}"
        );
        // Without md5: sha256; cut short: not complete, nothing compared.
        let a = Announced::of(br#"{"total_size": 10}"#);
        let Some(mut check) = a.as_ref().and_then(BodyCheck::of) else {
            panic!("total_size announces a body")
        };
        check.update(b"hello");
        let sum = check.finish();
        assert_eq!(
            (
                sum.complete,
                sum.bytes,
                sum.md5_matches,
                sum.sha256.as_deref()
            ),
            (
                false,
                5,
                None,
                Some("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824")
            )
        );
        // Each size field, in its order; what is not an object with a number is no body.
        for (json, size) in [
            (&br#"{"size": 3, "length": 4}"#[..], Some(("size", 3))),
            (br#"{"filesize": 7}"#, Some(("filesize", 7))),
            (br#"{"data_size": 1}"#, Some(("data_size", 1))),
            (br#"{"file_size": -1}"#, None),
            (br#"{"file_size": "12"}"#, None),
            (br#"{"name": "x"}"#, None),
        ] {
            let got = Announced::of(json).and_then(|a| a.size);
            assert_eq!(got, size, "{}", String::from_utf8_lossy(json));
        }
        for not_json in [&b"[1, 2]"[..], b"dir output", b"{broken", b""] {
            assert!(Announced::of(not_json).is_none(), "{not_json:?}");
        }
    }

    #[test]
    fn an_unframed_reply_that_starts_with_its_own_length_is_recognised() {
        let mut command = 5i32.to_le_bytes().to_vec();
        command.extend(b"a.txt");
        // The file server's header frame, then its body, read as one unframed reply.
        let mut file = 11i32.to_le_bytes().to_vec();
        file.extend(br#"{"size": 2}xy"#);
        let mut be = 2u32.to_be_bytes().to_vec();
        be.extend(b"ok");
        type Guess = Option<(Header, usize)>;
        let cases: [(&[u8], Guess); 8] = [
            (&command, Some((Header::Le32, 5))),
            (&file, Some((Header::Le32, 11))),
            (&be, Some((Header::Be32, 2))),
            // The header alone: the answer had not come when the reply ended.
            (b"*\0\0\0", Some((Header::Le32, 42))),
            (b"hello world", None),
            (b"ok\r\n", None),
            (b"\x05\0\0\0abc", None),
            (b"\0\0\0\0", None),
        ];
        for (reply, want) in cases {
            assert_eq!(guess_header(reply), want, "{reply:?}");
        }
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
