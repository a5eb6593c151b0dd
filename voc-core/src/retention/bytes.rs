//! The versioned, checksummed byte forms of the fitted retention models (Cox, BG/NBD, Gamma-Gamma):
//! magic, version, little-endian fields, FNV-1a checksum ([`crate::codec`]).

use super::{BgNbd, GammaGamma};
use crate::codec::{Reader, Writer};
use crate::error::{Error, Result};

const BGNBD_MAGIC: &[u8; 4] = b"VBGN";
const BGNBD_VERSION: u16 = 1;
const GG_MAGIC: &[u8; 4] = b"VGGM";
const GG_VERSION: u16 = 1;

/// The layout both maximum-likelihood fits share: parameters, their standard errors, the
/// log-likelihood, then counts.
struct Fitted<const K: usize, const C: usize> {
    params: [f64; K],
    se: [f64; K],
    log_likelihood: f64,
    counts: [usize; C],
}

impl<const K: usize, const C: usize> Fitted<K, C> {
    fn to_bytes(&self, magic: &[u8; 4], version: u16) -> Vec<u8> {
        let mut w = Writer::with_header(magic, version);
        w.f64s(&self.params);
        w.f64s(&self.se);
        w.f64(self.log_likelihood);
        self.counts.iter().for_each(|&n| w.len(n));
        w.seal()
    }

    fn from_bytes(bytes: &[u8], magic: &[u8; 4], version: u16, what: &'static str) -> Result<Self> {
        let mut r = Reader::open(bytes, what, magic, version)?;
        let params = r.f64_array::<K>()?;
        let se = r.f64_array::<K>()?;
        let log_likelihood = r.f64()?;
        let mut counts = [0; C];
        for n in &mut counts {
            *n = r.len()?;
        }
        r.finish()?;
        Ok(Fitted {
            params,
            se,
            log_likelihood,
            counts,
        })
    }

    /// The model `new` builds from the parameters (its error becomes a decode error of `what`).
    fn model<M>(&self, what: &'static str, new: impl FnOnce([f64; K]) -> Result<M>) -> Result<M> {
        new(self.params).map_err(|e| Error::Decode {
            what,
            reason: e.to_string(),
        })
    }
}

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
        Fitted {
            params: [self.r, self.alpha, self.a, self.b],
            se: self.se,
            log_likelihood: self.log_likelihood,
            counts: [self.n, self.iterations],
        }
        .to_bytes(BGNBD_MAGIC, BGNBD_VERSION)
    }

    /// Reads [`to_bytes`](BgNbd::to_bytes) output. Corrupted or truncated bytes, or parameters that are
    /// not finite and > 0, are an [`Error::Decode`](crate::Error::Decode).
    ///
    /// ```
    /// assert!(voc_core::retention::BgNbd::from_bytes(&[0; 30]).is_err());
    /// ```
    pub fn from_bytes(bytes: &[u8]) -> Result<BgNbd> {
        const WHAT: &str = "BG/NBD model";
        let f = Fitted::<4, 2>::from_bytes(bytes, BGNBD_MAGIC, BGNBD_VERSION, WHAT)?;
        let mut m = f.model(WHAT, |[r, alpha, a, b]| BgNbd::new(r, alpha, a, b))?;
        let [n, iterations] = f.counts;
        (m.se, m.log_likelihood) = (f.se, f.log_likelihood);
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
        Fitted {
            params: [self.p, self.q, self.v],
            se: self.se,
            log_likelihood: self.log_likelihood,
            counts: [self.n, self.n_skipped, self.iterations],
        }
        .to_bytes(GG_MAGIC, GG_VERSION)
    }

    /// Reads [`to_bytes`](GammaGamma::to_bytes) output. Corrupted or truncated bytes, or parameters
    /// that are not finite and > 0, are an [`Error::Decode`](crate::Error::Decode).
    ///
    /// ```
    /// assert!(voc_core::retention::GammaGamma::from_bytes(b"").is_err());
    /// ```
    pub fn from_bytes(bytes: &[u8]) -> Result<GammaGamma> {
        const WHAT: &str = "Gamma-Gamma model";
        let f = Fitted::<3, 3>::from_bytes(bytes, GG_MAGIC, GG_VERSION, WHAT)?;
        let mut m = f.model(WHAT, |[p, q, v]| GammaGamma::new(p, q, v))?;
        let [n, n_skipped, iterations] = f.counts;
        (m.se, m.log_likelihood) = (f.se, f.log_likelihood);
        m.n = n;
        m.n_skipped = n_skipped;
        m.iterations = iterations;
        Ok(m)
    }
}
