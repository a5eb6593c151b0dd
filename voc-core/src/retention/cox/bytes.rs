//! The byte form of a fitted Cox model.

use super::{CoxPh, Ties};
use crate::codec::{Reader, Writer};
use crate::error::Result;

const MAGIC: &[u8; 4] = b"VCOX";
/// Version 2 added the covariate names and the count of rows left out as missing; version 1 bytes
/// still read (names `x0`, `x1`, ..., no row left out).
const VERSION: u16 = 2;
const WHAT: &str = "Cox model";

impl CoxPh {
    /// The versioned byte form (little-endian, closed by a checksum): every field, bit for bit, and
    /// the covariate names.
    ///
    /// ```
    /// use ndarray::array;
    /// use voc_core::retention::{cox_ph, CoxOptions, CoxPh};
    /// let x = array![[2.0], [0.5], [1.0], [1.5], [-0.3], [0.0], [0.7], [-1.0]];
    /// let t = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0];
    /// let fit = cox_ph(x.view(), &t, &[1.0, 1.0, 1.0, 0.0, 1.0, 1.0, 0.0, 1.0], &CoxOptions::default())?;
    /// assert_eq!(CoxPh::from_bytes(&fit.to_bytes())?, fit);
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn to_bytes(&self) -> Vec<u8> {
        let p = self.coef.len();
        let mut w = Writer::with_header(MAGIC, VERSION);
        w.len(p);
        w.len(self.n);
        w.len(self.n_events);
        w.len(self.iterations);
        w.len(self.lr_df);
        w.u8(match self.ties {
            Ties::Efron => 0,
            Ties::Breslow => 1,
        });
        for v in [
            self.penalizer,
            self.confidence,
            self.log_likelihood,
            self.penalized_log_likelihood,
            self.null_log_likelihood,
            self.lr_statistic,
            self.lr_p_value,
            self.concordance,
        ] {
            w.f64(v);
        }
        for v in self.vectors() {
            w.f64_vec(v);
        }
        w.f64_vec(&self.covariance);
        w.strs(&self.names);
        w.len(self.n_missing);
        w.seal()
    }

    /// Reads [`to_bytes`](CoxPh::to_bytes) output (this version or version 1). Corrupted, truncated or
    /// inconsistent bytes (vectors or names whose counts do not match the number of covariates) are an
    /// [`Error::Decode`](crate::Error::Decode).
    ///
    /// ```
    /// use voc_core::retention::CoxPh;
    /// assert!(matches!(CoxPh::from_bytes(b"VCOX"), Err(voc_core::Error::Decode { .. })));
    /// ```
    pub fn from_bytes(bytes: &[u8]) -> Result<CoxPh> {
        let mut r = Reader::sealed(bytes, WHAT)?;
        if &r.take::<4>()? != MAGIC {
            return Err(r.fail("bad magic for a voc Cox model"));
        }
        let version = r.u16()?;
        if version != 1 && version != VERSION {
            return Err(r.fail(format!(
                "unsupported version {version} (this build reads 1 and {VERSION})"
            )));
        }
        let p = r.len()?;
        let n = r.len()?;
        let n_events = r.len()?;
        let iterations = r.len()?;
        let lr_df = r.len()?;
        let ties = match r.u8()? {
            0 => Ties::Efron,
            1 => Ties::Breslow,
            other => return Err(r.fail(format!("unknown ties code {other}"))),
        };
        let mut scalars = [0.0; 8];
        for v in &mut scalars {
            *v = r.f64()?;
        }
        let mut vectors: Vec<Vec<f64>> = Vec::with_capacity(8);
        for _ in 0..8 {
            let len = r.len()?;
            if len != p {
                return Err(r.fail(format!("a vector has {len} values for {p} covariates")));
            }
            vectors.push(r.f64s(len)?);
        }
        let len = r.len()?;
        if Some(len) != p.checked_mul(p) {
            return Err(r.fail(format!("covariance has {len} values for {p} covariates")));
        }
        let covariance = r.f64s(len)?;
        let (names, n_missing) = if version == 1 {
            ((0..p).map(|j| format!("x{j}")).collect(), 0)
        } else {
            let count = r.len()?;
            if count != p {
                return Err(r.fail(format!("{count} names for {p} covariates")));
            }
            let names = (0..p)
                .map(|_| r.str("a covariate name"))
                .collect::<Result<Vec<_>>>()?;
            (names, r.len()?)
        };
        r.finish()?;
        let [
            penalizer,
            confidence,
            log_likelihood,
            penalized_log_likelihood,
            null_log_likelihood,
            lr_statistic,
            lr_p_value,
            concordance,
        ] = scalars;
        let mut it = vectors.into_iter();
        let mut next = || it.next().unwrap_or_default();
        Ok(CoxPh {
            coef: next(),
            se: next(),
            z: next(),
            p_value: next(),
            ci_low: next(),
            ci_high: next(),
            hazard_ratio: next(),
            mean: next(),
            covariance,
            log_likelihood,
            penalized_log_likelihood,
            null_log_likelihood,
            lr_statistic,
            lr_df,
            lr_p_value,
            concordance,
            n,
            n_events,
            iterations,
            ties,
            penalizer,
            confidence,
            names,
            n_missing,
        })
    }

    /// The per-covariate vectors in byte-form order.
    fn vectors(&self) -> [&[f64]; 8] {
        [
            &self.coef,
            &self.se,
            &self.z,
            &self.p_value,
            &self.ci_low,
            &self.ci_high,
            &self.hazard_ratio,
            &self.mean,
        ]
    }
}
