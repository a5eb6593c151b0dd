//! Little-endian byte writer/reader for the versioned byte forms of states and fitted models.
//!
//! A byte form opens with [`Writer::with_header`] (magic, version) / [`Reader::open`] (checksum,
//! magic, version) and closes with [`Writer::seal`] / [`Reader::finish`]. Between them the shared
//! field forms: counts ([`Writer::len`], a u64), flags ([`Writer::flag`], a byte 0 or 1), strings
//! ([`Writer::str`], [`Writer::strs`]: length + UTF-8), floats ([`Writer::f64s`] without a count,
//! [`Writer::f64_vec`] with one; [`Reader::f64s`] checks the bytes are present before allocating,
//! [`Reader::f64_array`] reads a fixed number) and matrices ([`Writer::matrix`]: rows, columns,
//! row-major values whatever the layout).

use ndarray::{Array2, ArrayView2};

use crate::error::{Error, Result};

/// FNV-1a (64-bit) of `bytes`: the checksum that closes every byte form, so that corruption is detected.
pub(crate) fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The byte forms of this crate by their magic, so that a byte form handed to the wrong reader is
/// named in the error.
const KNOWN: [(&[u8; 4], &str); 13] = [
    (b"VOCT", "NPS / CSAT / CES state"),
    (b"VOCO", "outcome state"),
    (b"VOCM", "mention-counts table"),
    (b"VMST", "mention state"),
    (b"VOCR", "risk model"),
    (b"VCOX", "Cox model"),
    (b"VBGN", "BG/NBD model"),
    (b"VGGM", "Gamma-Gamma model"),
    (b"VOCK", "k-means model"),
    (b"VOCI", "TF-IDF model"),
    (b"VOCN", "topic model"),
    (b"VRES", "result (pickle)"),
    (b"VLOP", "loop state"),
];

/// The name of the byte form that opens with `magic`, if it is one of this crate's.
fn known(magic: &[u8; 4]) -> Option<&'static str> {
    KNOWN
        .iter()
        .find(|(m, _)| *m == magic)
        .map(|&(_, name)| name)
}

/// Appends little-endian fields.
#[derive(Default)]
pub(crate) struct Writer(pub Vec<u8>);

impl Writer {
    /// A writer with the magic and version of a byte form already written.
    pub fn with_header(magic: &[u8; 4], version: u16) -> Writer {
        let mut w = Writer::default();
        w.bytes(magic);
        w.u16(version);
        w
    }
    pub fn bytes(&mut self, b: &[u8]) {
        self.0.extend_from_slice(b);
    }
    pub fn u8(&mut self, v: u8) {
        self.0.push(v);
    }
    pub fn u16(&mut self, v: u16) {
        self.bytes(&v.to_le_bytes());
    }
    pub fn i32(&mut self, v: i32) {
        self.bytes(&v.to_le_bytes());
    }
    pub fn u64(&mut self, v: u64) {
        self.bytes(&v.to_le_bytes());
    }
    pub fn f64(&mut self, v: f64) {
        self.bytes(&v.to_le_bytes());
    }
    /// A count or size, as u64.
    pub fn len(&mut self, n: usize) {
        self.u64(n as u64);
    }
    /// A flag, as one byte 0 or 1.
    pub fn flag(&mut self, v: bool) {
        self.u8(u8::from(v));
    }
    /// A string: its byte length, then its UTF-8.
    pub fn str(&mut self, s: &str) {
        self.len(s.len());
        self.bytes(s.as_bytes());
    }
    /// Strings: their count, then each as [`str`](Self::str).
    pub fn strs(&mut self, v: &[String]) {
        self.len(v.len());
        v.iter().for_each(|s| self.str(s));
    }
    /// Floats without their count (written elsewhere, or fixed by the layout).
    pub fn f64s(&mut self, v: &[f64]) {
        v.iter().for_each(|&x| self.f64(x));
    }
    /// Floats: their count, then each.
    pub fn f64_vec(&mut self, v: &[f64]) {
        self.len(v.len());
        self.f64s(v);
    }
    /// A matrix: rows, columns, then the values in logical (row-major) order whatever the memory
    /// layout.
    #[cfg_attr(not(feature = "text"), allow(dead_code))]
    pub fn matrix(&mut self, a: ArrayView2<'_, f64>) {
        self.len(a.nrows());
        self.len(a.ncols());
        a.iter().for_each(|&x| self.f64(x));
    }
    /// Appends the checksum of everything written so far and returns the bytes.
    pub fn seal(mut self) -> Vec<u8> {
        let sum = fnv1a(&self.0);
        self.u64(sum);
        self.0
    }
}

/// Reads little-endian fields, failing with [`Error::Decode`] on truncation.
pub(crate) struct Reader<'a> {
    buf: &'a [u8],
    what: &'static str,
}

impl<'a> Reader<'a> {
    /// A reader over `buf` whose last 8 bytes must be the checksum of the rest.
    pub fn sealed(buf: &'a [u8], what: &'static str) -> Result<Self> {
        let fail = |reason: &str| Error::Decode {
            what,
            reason: reason.into(),
        };
        let split = buf.len().checked_sub(8).ok_or_else(|| fail("too short"))?;
        let (body, sum) = buf.split_at(split);
        let mut expected = [0u8; 8];
        expected.copy_from_slice(sum);
        if fnv1a(body) != u64::from_le_bytes(expected) {
            return Err(fail(
                "checksum mismatch: the bytes were corrupted or truncated",
            ));
        }
        Ok(Reader { buf: body, what })
    }
    /// A [`sealed`](Self::sealed) reader past the checked magic and version that open a byte form.
    pub fn open(buf: &'a [u8], what: &'static str, magic: &[u8; 4], version: u16) -> Result<Self> {
        let mut r = Reader::sealed(buf, what)?;
        r.header(magic, version)?;
        Ok(r)
    }
    /// A [`sealed`](Self::sealed) reader past the magic and `version`, or version 1 (the first form,
    /// still read); returns it with the version found. Any other version keeps the error about
    /// `version`.
    pub fn open_current_or_v1(
        buf: &'a [u8],
        what: &'static str,
        magic: &[u8; 4],
        version: u16,
    ) -> Result<(Self, u16)> {
        let mut r = Reader::sealed(buf, what)?;
        match r.header(magic, version) {
            Ok(()) => Ok((r, version)),
            Err(e) => {
                let mut v1 = Reader::sealed(buf, what)?;
                if v1.header(magic, 1).is_err() {
                    return Err(e);
                }
                Ok((v1, 1))
            }
        }
    }
    /// Checks the magic and version that open a byte form.
    pub fn header(&mut self, magic: &[u8; 4], version: u16) -> Result<()> {
        let found = self.take::<4>()?;
        if &found != magic {
            return Err(self.fail(match known(&found) {
                Some(other) => format!(
                    "these are the bytes of a voc {other}, not of a {}",
                    self.what
                ),
                None => format!("bad magic for a voc {}", self.what),
            }));
        }
        let found = self.u16()?;
        if found != version {
            return Err(self.fail(format!(
                "unsupported version {found} (this build reads {version})"
            )));
        }
        Ok(())
    }
    pub fn fail(&self, reason: impl Into<String>) -> Error {
        Error::Decode {
            what: self.what,
            reason: reason.into(),
        }
    }
    pub fn take<const N: usize>(&mut self) -> Result<[u8; N]> {
        if self.buf.len() < N {
            return Err(self.fail("unexpected end of data"));
        }
        let (head, rest) = self.buf.split_at(N);
        self.buf = rest;
        let mut out = [0u8; N];
        out.copy_from_slice(head);
        Ok(out)
    }
    pub fn u8(&mut self) -> Result<u8> {
        Ok(self.take::<1>()?[0])
    }
    pub fn u16(&mut self) -> Result<u16> {
        Ok(u16::from_le_bytes(self.take()?))
    }
    pub fn i32(&mut self) -> Result<i32> {
        Ok(i32::from_le_bytes(self.take()?))
    }
    pub fn u64(&mut self) -> Result<u64> {
        Ok(u64::from_le_bytes(self.take()?))
    }
    pub fn f64(&mut self) -> Result<f64> {
        Ok(f64::from_le_bytes(self.take()?))
    }
    /// A count or size written by [`Writer::len`].
    pub fn len(&mut self) -> Result<usize> {
        let v = self.u64()?;
        usize::try_from(v).map_err(|_| self.fail(format!("count {v} does not fit this platform")))
    }
    /// A flag written by [`Writer::flag`]: a byte 0 or 1.
    pub fn flag(&mut self) -> Result<bool> {
        match self.u8()? {
            0 => Ok(false),
            1 => Ok(true),
            other => Err(self.fail(format!("flag byte {other} is neither 0 nor 1"))),
        }
    }
    /// A string written by [`Writer::str`]; `name` names it in the error when it is not UTF-8.
    pub fn str(&mut self, name: &str) -> Result<String> {
        let len = self.len()?;
        self.expect_items(len, 1)?;
        let raw: Vec<u8> = (0..len).map(|_| self.u8()).collect::<Result<_>>()?;
        String::from_utf8(raw).map_err(|_| self.fail(format!("{name} is not UTF-8")))
    }
    /// `n` floats, checking first that they are present (so a huge `n` allocates nothing).
    pub fn f64s(&mut self, n: usize) -> Result<Vec<f64>> {
        self.expect_items(n, 8)?;
        (0..n).map(|_| self.f64()).collect()
    }
    /// A matrix written by [`Writer::matrix`]; `name` names it in the errors.
    #[cfg_attr(not(feature = "text"), allow(dead_code))]
    pub fn matrix(&mut self, name: &str) -> Result<Array2<f64>> {
        let (rows, cols) = (self.len()?, self.len()?);
        let len = rows
            .checked_mul(cols)
            .ok_or_else(|| self.fail(format!("{name} claims {rows} × {cols} values")))?;
        let values = self.f64s(len)?;
        Array2::from_shape_vec((rows, cols), values).map_err(|e| self.fail(format!("{name}: {e}")))
    }
    /// `K` floats.
    pub fn f64_array<const K: usize>(&mut self) -> Result<[f64; K]> {
        let mut out = [0.0; K];
        for v in &mut out {
            *v = self.f64()?;
        }
        Ok(out)
    }
    /// Guards allocations: `count` items of `size` bytes must still be present.
    pub fn expect_items(&self, count: usize, size: usize) -> Result<()> {
        match count.checked_mul(size) {
            Some(bytes) if bytes <= self.buf.len() => Ok(()),
            _ => Err(self.fail(format!(
                "claims {count} items but only {} bytes remain",
                self.buf.len()
            ))),
        }
    }
    /// Everything not read yet.
    pub fn rest(&mut self) -> &'a [u8] {
        std::mem::take(&mut self.buf)
    }
    pub fn finish(self) -> Result<()> {
        if self.buf.is_empty() {
            Ok(())
        } else {
            Err(self.fail(format!("{} trailing bytes", self.buf.len())))
        }
    }
}

/// Helpers for the byte-form tests of every model and state.
#[cfg(test)]
pub(crate) mod test_util {
    use super::Writer;
    use crate::error::{Error, Result};

    /// A body with a valid checksum, so the checks after it are reached.
    pub(crate) fn sealed(body: &[u8]) -> Vec<u8> {
        let mut w = Writer::default();
        w.bytes(body);
        w.seal()
    }

    /// Whether `r` is a decode error whose reason contains `needle`.
    pub(crate) fn is_decode<T: std::fmt::Debug>(r: Result<T>, needle: &str) -> bool {
        matches!(&r, Err(Error::Decode { reason, .. }) if reason.contains(needle))
    }
}
