//! The versioned, checksummed byte forms of the fitted retention models (Cox, BG/NBD, Gamma-Gamma):
//! magic, version, little-endian fields, FNV-1a checksum ([`crate::codec`]).

use super::{BgNbd, GammaGamma};
use crate::codec::{Reader, Writer};
use crate::error::{Error, Result};

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
        let mut w = Writer::with_header(BGNBD_MAGIC, BGNBD_VERSION);
        w.f64s(&[self.r, self.alpha, self.a, self.b]);
        w.f64s(&self.se);
        w.f64(self.log_likelihood);
        w.len(self.n);
        w.len(self.iterations);
        w.seal()
    }

    /// Reads [`to_bytes`](BgNbd::to_bytes) output. Corrupted or truncated bytes, or parameters that are
    /// not finite and > 0, are an [`Error::Decode`](crate::Error::Decode).
    ///
    /// ```
    /// assert!(voc_core::retention::BgNbd::from_bytes(&[0; 30]).is_err());
    /// ```
    pub fn from_bytes(bytes: &[u8]) -> Result<BgNbd> {
        let mut r = Reader::open(bytes, "BG/NBD model", BGNBD_MAGIC, BGNBD_VERSION)?;
        let [rr, alpha, a, b] = r.f64_array::<4>()?;
        let se = r.f64_array::<4>()?;
        let log_likelihood = r.f64()?;
        let n = r.len()?;
        let iterations = r.len()?;
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
        let mut w = Writer::with_header(GG_MAGIC, GG_VERSION);
        w.f64s(&[self.p, self.q, self.v]);
        w.f64s(&self.se);
        w.f64(self.log_likelihood);
        w.len(self.n);
        w.len(self.n_skipped);
        w.len(self.iterations);
        w.seal()
    }

    /// Reads [`to_bytes`](GammaGamma::to_bytes) output. Corrupted or truncated bytes, or parameters
    /// that are not finite and > 0, are an [`Error::Decode`](crate::Error::Decode).
    ///
    /// ```
    /// assert!(voc_core::retention::GammaGamma::from_bytes(b"").is_err());
    /// ```
    pub fn from_bytes(bytes: &[u8]) -> Result<GammaGamma> {
        let mut r = Reader::open(bytes, "Gamma-Gamma model", GG_MAGIC, GG_VERSION)?;
        let [p, q, v] = r.f64_array::<3>()?;
        let se = r.f64_array::<3>()?;
        let log_likelihood = r.f64()?;
        let n = r.len()?;
        let n_skipped = r.len()?;
        let iterations = r.len()?;
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
