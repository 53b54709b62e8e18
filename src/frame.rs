//! Length-prefixed messages over a byte stream, as the socket labs teach: a 4-byte big-endian
//! length, then that many bytes. TCP may split or glue frames; `Deframer` puts them back
//! together. Pure: no I/O.

/// Largest payload accepted in one frame; a larger length is treated as a protocol error.
pub const MAX_FRAME: usize = 16 * 1024 * 1024;

/// One frame ready to send: the length header, then the payload.
pub fn encode(payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(4 + payload.len());
    out.extend_from_slice(&(payload.len() as u32).to_be_bytes());
    out.extend_from_slice(payload);
    out
}

/// Why a stream of frames cannot be read on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    #[error("frame of {0} bytes announced, above the {MAX_FRAME}-byte limit")]
    TooLarge(usize),
}

/// Collects stream bytes and hands out whole frames, however the bytes were split.
#[derive(Debug, Default)]
pub struct Deframer {
    buffer: Vec<u8>,
}

impl Deframer {
    /// Adds bytes as they arrived.
    pub fn push(&mut self, bytes: &[u8]) {
        self.buffer.extend_from_slice(bytes);
    }

    /// The next whole frame's payload, if one has fully arrived.
    pub fn next_frame(&mut self) -> Result<Option<Vec<u8>>, FrameError> {
        let Some(header) = self.buffer.get(..4) else {
            return Ok(None);
        };
        let len = u32::from_be_bytes([header[0], header[1], header[2], header[3]]) as usize;
        if len > MAX_FRAME {
            return Err(FrameError::TooLarge(len));
        }
        if self.buffer.len() < 4 + len {
            return Ok(None);
        }
        let payload = self.buffer[4..4 + len].to_vec();
        self.buffer.drain(..4 + len);
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
    fn empty_frames_and_limits() {
        let mut d = Deframer::default();
        d.push(&encode(b""));
        assert_eq!(frames(&mut d), [Vec::<u8>::new()]);
        d.push(&u32::MAX.to_be_bytes());
        assert_eq!(d.next_frame(), Err(FrameError::TooLarge(u32::MAX as usize)));
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn frames_come_out_whole_however_the_bytes_are_split(
                payloads in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..300), 0..8),
                cuts in proptest::collection::vec(any::<prop::sample::Index>(), 0..12),
            ) {
                let bytes: Vec<u8> = payloads.iter().flat_map(|p| encode(p)).collect();
                let mut points: Vec<usize> = cuts.iter().map(|c| c.index(bytes.len() + 1)).collect();
                points.push(0);
                points.push(bytes.len());
                points.sort_unstable();
                let mut d = Deframer::default();
                let mut got = Vec::new();
                for pair in points.windows(2) {
                    d.push(&bytes[pair[0]..pair[1]]);
                    got.extend(frames(&mut d));
                }
                prop_assert_eq!(got, payloads);
            }

            #[test]
            fn arbitrary_bytes_never_panic_the_decoder(
                chunks in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..64), 0..10)
            ) {
                let mut d = Deframer::default();
                for c in &chunks {
                    d.push(c);
                    while let Ok(Some(_)) = d.next_frame() {}
                }
            }
        }
    }
}
