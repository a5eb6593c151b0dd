//! Helpers shared by the byte-form tests (each test crate includes this module with `mod common;`).

use voc_core::Error;

/// Every truncation of `blob`, every single-bit flip at every byte, a trailing extra byte and a JSON
/// text all fail to decode with `Error::Decode` (never a panic, never a silent success), and the blob
/// itself decodes.
pub fn assert_corruption_is_detected<T: std::fmt::Debug>(
    blob: &[u8],
    decode: impl Fn(&[u8]) -> voc_core::Result<T>,
) {
    assert!(decode(blob).is_ok(), "the reference blob must decode");
    for len in 0..blob.len() {
        match decode(&blob[..len]) {
            Err(Error::Decode { .. }) => {}
            other => panic!("truncated to {len} bytes: {other:?}"),
        }
    }
    let mut bytes = blob.to_vec();
    for i in 0..bytes.len() {
        for bit in 0..8 {
            bytes[i] ^= 1 << bit;
            match decode(&bytes) {
                Err(Error::Decode { .. }) => {}
                other => panic!("bit {bit} of byte {i} flipped: {other:?}"),
            }
            bytes[i] ^= 1 << bit;
        }
    }
    let mut longer = blob.to_vec();
    longer.push(0);
    assert!(
        matches!(decode(&longer), Err(Error::Decode { .. })),
        "a trailing byte must be rejected"
    );
    assert!(matches!(decode(br#"{"a": 3}"#), Err(Error::Decode { .. })));
}
