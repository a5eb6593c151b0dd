//! The envelope of the byte forms whose body another serialiser writes (the pickles of the Python
//! binding's result classes): the same frame as every other voc byte form.
//!
//! Version 1: magic `VRES`, envelope version (u16), the kind (u64 length + UTF-8: the result class),
//! the layout version of that kind (u16), the body (u64 length + bytes), then the FNV-1a checksum
//! (u64) of everything before it, so a changed bit anywhere (metadata included) is detected. The body
//! is read only after the checksum, the magic, the kind and both versions have been checked, and
//! every stored length is checked against the bytes that remain before anything is allocated.
//!
//! ```
//! use voc_core::envelope;
//! let bytes = envelope::seal("NpsResult", 1, b"body");
//! assert_eq!(envelope::open(&bytes, "NpsResult", 1)?, b"body");
//! // Another kind, another layout version, a flipped bit or a cut: all `Error::Decode`.
//! assert!(envelope::open(&bytes, "CsatResult", 1).is_err());
//! assert!(envelope::open(&bytes, "NpsResult", 2).is_err());
//! let mut flipped = bytes.clone();
//! flipped[12] ^= 4;
//! assert!(envelope::open(&flipped, "NpsResult", 1).is_err());
//! assert!(envelope::open(&bytes[..bytes.len() - 1], "NpsResult", 1).is_err());
//! # Ok::<(), voc_core::Error>(())
//! ```

use crate::codec::{Reader, Writer};
use crate::error::{Error, Result};

/// The magic that opens an envelope.
pub const MAGIC: &[u8; 4] = b"VRES";
/// The envelope's own layout version.
pub const VERSION: u16 = 1;

/// The FNV-1a (64-bit) checksum that closes every voc byte form (states, models and envelopes):
/// the last 8 bytes of a byte form are `checksum(rest).to_le_bytes()`. Tools that build or repair
/// byte forms (the fuzz targets re-seal their inputs so the checks after the checksum are
/// reached) use it.
///
/// ```
/// use voc_core::envelope::checksum;
/// let bytes = voc_core::envelope::seal("X", 1, b"");
/// let (body, sum) = bytes.split_at(bytes.len() - 8);
/// assert_eq!(sum, checksum(body).to_le_bytes());
/// ```
pub fn checksum(bytes: &[u8]) -> u64 {
    crate::codec::fnv1a(bytes)
}

/// Wraps `body`, the layout-`version` serialisation of a value of `kind`, in the checksummed frame.
pub fn seal(kind: &str, version: u16, body: &[u8]) -> Vec<u8> {
    let mut w = Writer::with_header(MAGIC, VERSION);
    w.str(kind);
    w.u16(version);
    w.len(body.len());
    w.bytes(body);
    w.seal()
}

/// The body of an envelope written by [`seal`] for `kind` at layout `version`.
///
/// Anything else is an [`Error::Decode`] naming `kind` and the reason: too short, a checksum that
/// does not match (corrupted or truncated bytes), the byte form of another voc object (named when
/// it is one: a model, a state), an envelope of another kind, another envelope or layout version,
/// a body length that disagrees with the bytes present, trailing bytes.
pub fn open<'a>(bytes: &'a [u8], kind: &'static str, version: u16) -> Result<&'a [u8]> {
    let mut r = Reader::sealed(bytes, kind)?;
    r.header(MAGIC, VERSION)?;
    let found = r.str("the kind")?;
    if found != kind {
        return Err(r.fail(format!("these are the bytes of a {found}, not of a {kind}")));
    }
    let v = r.u16()?;
    if v != version {
        return Err(r.fail(format!(
            "layout version {v} of a {kind} (this build reads version {version})"
        )));
    }
    let len = r.len()?;
    r.expect_items(len, 1)?;
    let body = r.rest();
    if body.len() != len {
        return Err(Error::Decode {
            what: kind,
            reason: format!("{} trailing bytes", body.len() - len),
        });
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::test_util::{is_decode, sealed};

    fn sample() -> Vec<u8> {
        seal("KaplanMeierResult", 3, &[1, 2, 3, 4, 5, 250])
    }

    #[test]
    fn round_trip_is_exact() -> Result<()> {
        for body in [&[][..], &[0u8], &[7u8; 1000][..]] {
            let b = seal("X", 1, body);
            assert_eq!(open(&b, "X", 1)?, body);
        }
        Ok(())
    }

    #[test]
    fn every_bit_flip_is_detected() {
        let b = sample();
        for i in 0..b.len() * 8 {
            let mut c = b.clone();
            c[i / 8] ^= 1 << (i % 8);
            assert!(
                is_decode(open(&c, "KaplanMeierResult", 3), ""),
                "flip of bit {i}"
            );
        }
    }

    #[test]
    fn every_truncation_and_extension_is_detected() {
        let b = sample();
        for n in 0..b.len() {
            assert!(is_decode(open(&b[..n], "KaplanMeierResult", 3), ""), "{n}");
        }
        let mut longer = b.clone();
        longer.push(0);
        assert!(is_decode(open(&longer, "KaplanMeierResult", 3), ""));
    }

    #[test]
    fn kind_and_versions_are_checked() {
        let b = sample();
        assert!(is_decode(
            open(&b, "CohortResult", 3),
            "bytes of a KaplanMeierResult, not of a CohortResult"
        ));
        assert!(is_decode(
            open(&b, "KaplanMeierResult", 4),
            "layout version 3"
        ));
        let mut w = Writer::with_header(MAGIC, 2);
        w.str("KaplanMeierResult");
        assert!(is_decode(
            open(&w.seal(), "KaplanMeierResult", 3),
            "unsupported version 2"
        ));
    }

    #[test]
    fn foreign_voc_bytes_are_named() {
        let m = crate::retention::BgNbd::new(0.2, 4.0, 0.8, 2.4).map(|m| m.to_bytes());
        assert!(m.is_ok_and(|m| is_decode(open(&m, "NpsResult", 1), "BG/NBD model")));
    }

    #[test]
    fn forged_lengths_allocate_nothing() {
        // A checksummed envelope whose kind and body lengths claim far more than is present.
        let mut w = Writer::with_header(MAGIC, VERSION);
        w.u64(u64::MAX);
        assert!(is_decode(open(&w.seal(), "X", 1), "claims"));
        let mut w = Writer::with_header(MAGIC, VERSION);
        w.str("X");
        w.u16(1);
        w.u64(1 << 61);
        assert!(is_decode(open(&w.seal(), "X", 1), "claims"));
        let mut w = Writer::with_header(MAGIC, VERSION);
        w.str("X");
        w.u16(1);
        w.u64(1);
        w.bytes(&[1, 2]);
        assert!(is_decode(open(&w.seal(), "X", 1), "1 trailing bytes"));
        assert!(is_decode(open(&sealed(b"VRE"), "X", 1), "end of data"));
    }
}
