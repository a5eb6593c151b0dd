//! The versioned, checksummed byte forms of the fitted retention models (Cox, BG/NBD, Gamma-Gamma):
//! magic, version, little-endian fields, FNV-1a checksum ([`crate::codec`]).

use super::{BgNbd, GammaGamma};
use crate::codec::{Reader, Writer};
use crate::error::{Error, Result};

/// A writer with the magic and version already written.
pub(crate) fn writer(magic: &[u8; 4], version: u16) -> Writer {
    let mut w = Writer::default();
    w.bytes(magic);
    w.u16(version);
    w
}

/// A reader past a checked checksum, magic and version.
pub(crate) fn reader<'a>(
    bytes: &'a [u8],
    magic: &[u8; 4],
    version: u16,
    what: &'static str,
) -> Result<Reader<'a>> {
    let mut r = Reader::sealed(bytes, what)?;
    if &r.take::<4>()? != magic {
        return Err(r.fail(format!("not a voc {what} (bad magic)")));
    }
    let found = r.u16()?;
    if found != version {
        return Err(r.fail(format!(
            "unsupported version {found} (this build reads {version})"
        )));
    }
    Ok(r)
}

/// Writes a count.
pub(crate) fn put_len(w: &mut Writer, n: usize) {
    w.u64(n as u64);
}

/// Reads a count.
pub(crate) fn get_len(r: &mut Reader<'_>) -> Result<usize> {
    let v = r.u64()?;
    usize::try_from(v).map_err(|_| r.fail(format!("count {v} does not fit in memory")))
}

/// Writes floats (their count is written elsewhere).
pub(crate) fn put_f64s(w: &mut Writer, v: &[f64]) {
    v.iter().for_each(|&x| w.f64(x));
}

/// Reads `n` floats, checking first that they are present.
pub(crate) fn get_f64s(r: &mut Reader<'_>, n: usize) -> Result<Vec<f64>> {
    r.expect_items(n, 8)?;
    (0..n).map(|_| r.f64()).collect()
}

/// Reads `K` floats.
pub(crate) fn get_array<const K: usize>(r: &mut Reader<'_>) -> Result<[f64; K]> {
    let mut out = [0.0; K];
    for v in &mut out {
        *v = r.f64()?;
    }
    Ok(out)
}

const BGNBD_MAGIC: &[u8; 4] = b"VBGN";
const BGNBD_VERSION: u16 = 1;
const GG_MAGIC: &[u8; 4] = b"VGGM";
const GG_VERSION: u16 = 1;

impl BgNbd {
    /// The versioned byte form (little-endian, closed by a checksum): parameters, standard errors,
    /// log-likelihood, n and iterations, bit for bit.
    ///
    /// ```
    /// use voc_core::retention::BgNbd;
    /// let m = BgNbd::new(0.243, 4.414, 0.793, 2.426)?;
    /// let back = BgNbd::from_bytes(&m.to_bytes())?;
    /// assert_eq!(back.to_bytes(), m.to_bytes()); // NaN standard errors included
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = writer(BGNBD_MAGIC, BGNBD_VERSION);
        put_f64s(&mut w, &[self.r, self.alpha, self.a, self.b]);
        put_f64s(&mut w, &self.se);
        w.f64(self.log_likelihood);
        put_len(&mut w, self.n);
        put_len(&mut w, self.iterations);
        w.seal()
    }

    /// Reads [`to_bytes`](BgNbd::to_bytes) output. Corrupted or truncated bytes, or parameters that are
    /// not finite and > 0, are an [`Error::Decode`](crate::Error::Decode).
    ///
    /// ```
    /// assert!(voc_core::retention::BgNbd::from_bytes(&[0; 30]).is_err());
    /// ```
    pub fn from_bytes(bytes: &[u8]) -> Result<BgNbd> {
        let mut r = reader(bytes, BGNBD_MAGIC, BGNBD_VERSION, "BG/NBD model")?;
        let [rr, alpha, a, b] = get_array::<4>(&mut r)?;
        let se = get_array::<4>(&mut r)?;
        let log_likelihood = r.f64()?;
        let n = get_len(&mut r)?;
        let iterations = get_len(&mut r)?;
        r.finish()?;
        let mut m = BgNbd::new(rr, alpha, a, b).map_err(|e| Error::Decode {
            what: "BG/NBD model",
            reason: e.to_string(),
        })?;
        m.se = se;
        m.log_likelihood = log_likelihood;
        m.n = n;
        m.iterations = iterations;
        Ok(m)
    }
}

impl GammaGamma {
    /// The versioned byte form (little-endian, closed by a checksum): parameters, standard errors,
    /// log-likelihood, counts and iterations, bit for bit.
    ///
    /// ```
    /// use voc_core::retention::GammaGamma;
    /// let gg = GammaGamma::new(6.25, 3.74, 15.44)?;
    /// assert_eq!(GammaGamma::from_bytes(&gg.to_bytes())?.to_bytes(), gg.to_bytes());
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = writer(GG_MAGIC, GG_VERSION);
        put_f64s(&mut w, &[self.p, self.q, self.v]);
        put_f64s(&mut w, &self.se);
        w.f64(self.log_likelihood);
        put_len(&mut w, self.n);
        put_len(&mut w, self.n_skipped);
        put_len(&mut w, self.iterations);
        w.seal()
    }

    /// Reads [`to_bytes`](GammaGamma::to_bytes) output. Corrupted or truncated bytes, or parameters
    /// that are not finite and > 0, are an [`Error::Decode`](crate::Error::Decode).
    ///
    /// ```
    /// assert!(voc_core::retention::GammaGamma::from_bytes(b"").is_err());
    /// ```
    pub fn from_bytes(bytes: &[u8]) -> Result<GammaGamma> {
        let mut r = reader(bytes, GG_MAGIC, GG_VERSION, "Gamma-Gamma model")?;
        let [p, q, v] = get_array::<3>(&mut r)?;
        let se = get_array::<3>(&mut r)?;
        let log_likelihood = r.f64()?;
        let n = get_len(&mut r)?;
        let n_skipped = get_len(&mut r)?;
        let iterations = get_len(&mut r)?;
        r.finish()?;
        let mut m = GammaGamma::new(p, q, v).map_err(|e| Error::Decode {
            what: "Gamma-Gamma model",
            reason: e.to_string(),
        })?;
        m.se = se;
        m.log_likelihood = log_likelihood;
        m.n = n;
        m.n_skipped = n_skipped;
        m.iterations = iterations;
        Ok(m)
    }
}
