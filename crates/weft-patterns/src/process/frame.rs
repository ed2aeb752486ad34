//! Length-prefixed frames: how messages travel over a pipe.
//!
//! A frame is an 8-byte little-endian payload length followed by the
//! payload, a postcard-encoded message. Frames are built whole, header
//! included, so that one `write` sends a small message; under a checker the
//! same bytes travel over a channel, so the encoding is exercised there too.

use std::io::{self, Read, Write};

use serde::de::DeserializeOwned;
use serde::Serialize;

/// Bytes of the length prefix.
pub(crate) const HEADER_LEN: usize = 8;

/// A message, or what went wrong reading or decoding one.
#[derive(Debug, thiserror::Error)]
pub(crate) enum FrameError {
    /// The pipe failed.
    #[error("pipe error")]
    Io(#[from] io::Error),
    /// The stream ended in the middle of a frame.
    #[error("the stream ended inside a frame")]
    Truncated,
    /// A frame announced more bytes than allowed.
    #[error("frame of {size} bytes exceeds the limit of {limit} bytes")]
    TooLarge {
        /// The announced payload size.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// The payload is not a valid message.
    #[error("malformed message: {0}")]
    Malformed(String),
}

/// Encodes `message` as a whole frame (header included).
///
/// # Errors
///
/// The message's own `Serialize` may fail.
pub(crate) fn encode<T: Serialize + ?Sized>(message: &T) -> Result<Vec<u8>, postcard::Error> {
    let mut frame = postcard::to_extend(message, vec![0u8; HEADER_LEN])?;
    let len = (frame.len() - HEADER_LEN) as u64;
    frame[..HEADER_LEN].copy_from_slice(&len.to_le_bytes());
    Ok(frame)
}

/// Decodes a whole frame (header included) built by [`encode`].
///
/// # Errors
///
/// `Malformed` when the header and the length disagree or the payload is not a `T`.
pub(crate) fn decode<T: DeserializeOwned>(frame: &[u8]) -> Result<T, FrameError> {
    if frame.len() < HEADER_LEN {
        return Err(FrameError::Malformed(
            "frame shorter than its header".into(),
        ));
    }
    let mut header = [0u8; HEADER_LEN];
    header.copy_from_slice(&frame[..HEADER_LEN]);
    if u64::from_le_bytes(header) != (frame.len() - HEADER_LEN) as u64 {
        return Err(FrameError::Malformed(
            "frame length disagrees with its header".into(),
        ));
    }
    postcard::from_bytes(&frame[HEADER_LEN..]).map_err(|e| FrameError::Malformed(e.to_string()))
}

/// The payload size of a whole frame.
pub(crate) fn payload_len(frame: &[u8]) -> u64 {
    frame.len().saturating_sub(HEADER_LEN) as u64
}

/// Writes a whole frame.
///
/// # Errors
///
/// The pipe's error (`BrokenPipe` when the reader is gone).
pub(crate) fn write_frame(writer: &mut impl Write, frame: &[u8]) -> io::Result<()> {
    writer.write_all(frame)?;
    writer.flush()
}

/// Reads one whole frame (header included); `Ok(None)` at a clean end of stream.
///
/// # Errors
///
/// `TooLarge` when the header announces more than `limit` payload bytes (the
/// payload is not read), `Truncated` when the stream ends inside a frame, `Io`
/// when the pipe fails.
pub(crate) fn read_frame(
    reader: &mut impl Read,
    limit: u64,
) -> Result<Option<Vec<u8>>, FrameError> {
    let mut header = [0u8; HEADER_LEN];
    let mut filled = 0;
    while filled < HEADER_LEN {
        match reader.read(&mut header[filled..]) {
            Ok(0) if filled == 0 => return Ok(None),
            Ok(0) => return Err(FrameError::Truncated),
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e.into()),
        }
    }
    let size = u64::from_le_bytes(header);
    if size > limit {
        return Err(FrameError::TooLarge { size, limit });
    }
    let total = usize::try_from(size)
        .ok()
        .and_then(|n| n.checked_add(HEADER_LEN))
        .ok_or(FrameError::TooLarge { size, limit })?;
    let mut frame = vec![0u8; total];
    frame[..HEADER_LEN].copy_from_slice(&header);
    reader.read_exact(&mut frame[HEADER_LEN..]).map_err(|e| {
        if e.kind() == io::ErrorKind::UnexpectedEof {
            FrameError::Truncated
        } else {
            FrameError::Io(e)
        }
    })?;
    Ok(Some(frame))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_round_trip_through_a_byte_stream() {
        let mut wire = Vec::new();
        write_frame(&mut wire, &encode(&(7u32, "seven")).unwrap()).unwrap();
        write_frame(&mut wire, &encode(&vec![1u8; 100_000]).unwrap()).unwrap();
        let mut reader = &wire[..];
        let first = read_frame(&mut reader, u64::MAX).unwrap().unwrap();
        assert_eq!(
            decode::<(u32, String)>(&first).unwrap(),
            (7, "seven".to_string())
        );
        let second = read_frame(&mut reader, u64::MAX).unwrap().unwrap();
        assert_eq!(decode::<Vec<u8>>(&second).unwrap(), vec![1u8; 100_000]);
        assert!(read_frame(&mut reader, u64::MAX).unwrap().is_none());
    }

    #[test]
    fn a_frame_over_the_limit_is_refused_before_its_payload_is_read() {
        let frame = encode(&vec![0u8; 64]).unwrap();
        let err = read_frame(&mut &frame[..], 10).unwrap_err();
        assert!(
            matches!(err, FrameError::TooLarge { size, limit: 10 } if size == payload_len(&frame))
        );
    }

    #[test]
    fn a_stream_cut_inside_a_frame_is_truncated_not_a_clean_end() {
        let frame = encode(&"hello").unwrap();
        for cut in [3, HEADER_LEN, frame.len() - 1] {
            let err = read_frame(&mut &frame[..cut], u64::MAX).unwrap_err();
            assert!(
                matches!(err, FrameError::Truncated),
                "cut at {cut}: {err:?}"
            );
        }
    }

    #[test]
    fn a_frame_whose_header_lies_is_malformed() {
        let mut frame = encode(&"hello").unwrap();
        frame.push(0);
        assert!(matches!(
            decode::<String>(&frame),
            Err(FrameError::Malformed(_))
        ));
    }
}
