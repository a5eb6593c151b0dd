//! The fitted model's byte form: versioned, little-endian, closed by a checksum (as the states').
//!
//! Layout of version 1: magic `VOCR`, version (u16), then the features (count, then each name as
//! length + UTF-8), the per-feature vectors (coef, coef_std, center, scale, means: f64; constant: u8),
//! the scalars (intercept, intercept_std, log_likelihood, null_log_likelihood), the optional
//! inference (flag, then (se, z, p_value, ci) per term) and likelihood-ratio test, n and n_positive
//! (u64), the options (the missing-value tag 2, `skip`, is followed by the
//! rows left out, u64), the convergence report, and the FNV-1a checksum of everything before it.

use super::inference::CoefInference;
use super::model::LogisticModel;
use super::options::{ClassWeight, LogisticOptions, Missing, Penalty};
use super::solver::Convergence;
use crate::codec::{Reader, Writer};
use crate::error::Result;

const MAGIC: &[u8; 4] = b"VOCR";
const VERSION: u16 = 1;
const WHAT: &str = "risk model";

fn penalty_tag(p: Penalty) -> u8 {
    match p {
        Penalty::None => 0,
        Penalty::L2 => 1,
        Penalty::L1 => 2,
        Penalty::ElasticNet => 3,
    }
}

impl LogisticModel {
    /// The model as bytes (version 1, little-endian, every float bit-exact, closed by a checksum);
    /// [`from_bytes`](Self::from_bytes) reads them back.
    ///
    /// ```
    /// use ndarray::array;
    /// use voc_core::Fit;
    /// use voc_core::risk::{LogisticModel, LogisticOptions};
    /// let x = array![[1.0], [2.0], [3.0], [4.0], [5.0], [6.0]];
    /// let m = LogisticOptions::default().fit((x.view(), &[0.0, 0.0, 1.0, 0.0, 1.0, 1.0][..]))?;
    /// let bytes = m.to_bytes();
    /// assert_eq!(LogisticModel::from_bytes(&bytes)?, m);
    /// let mut bad = bytes.clone();
    /// bad[10] ^= 1;
    /// assert!(matches!(LogisticModel::from_bytes(&bad), Err(voc_core::Error::Decode { .. })));
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::with_header(MAGIC, VERSION);
        w.strs(&self.names);
        for v in [
            &self.coef,
            &self.coef_std,
            &self.center,
            &self.scale,
            &self.means,
        ] {
            // Each vector carries its own length, so a hand-built inconsistent model still round-trips
            // into the same (rejected) shape rather than into shifted fields.
            w.f64_vec(v);
        }
        w.u64(self.constant.len() as u64);
        self.constant.iter().for_each(|&c| w.flag(c));
        for v in [
            self.intercept,
            self.intercept_std,
            self.log_likelihood,
            self.null_log_likelihood,
        ] {
            w.f64(v);
        }
        match &self.inference {
            None => w.u8(0),
            Some(inf) => {
                w.u8(1);
                w.u64(inf.len() as u64);
                for c in inf {
                    for v in [c.se, c.z, c.p_value, c.ci.0, c.ci.1] {
                        w.f64(v);
                    }
                }
            }
        }
        match self.lr_test {
            None => w.u8(0),
            Some((stat, p)) => {
                w.u8(1);
                w.f64(stat);
                w.f64(p);
            }
        }
        w.u64(self.n as u64);
        w.u64(self.n_positive as u64);
        let o = &self.options;
        w.u8(penalty_tag(o.penalty));
        match o.l1_ratio {
            None => w.u8(0),
            Some(r) => {
                w.u8(1);
                w.f64(r);
            }
        }
        w.f64(o.c);
        match o.class_weight {
            ClassWeight::None => w.u8(0),
            ClassWeight::Balanced => w.u8(1),
            ClassWeight::Manual { negative, positive } => {
                w.u8(2);
                w.f64(negative);
                w.f64(positive);
            }
        }
        w.flag(o.standardize);
        match o.missing {
            Missing::Error => w.u8(0),
            Missing::ImputeMean => w.u8(1),
            // Added within version 1: older models never hold tag 2, so they still read the same.
            Missing::Skip => {
                w.u8(2);
                w.u64(self.n_missing as u64);
            }
        }
        w.u64(o.max_iter as u64);
        w.f64(o.tol);
        w.f64(o.confidence);
        let c = &self.convergence;
        w.flag(c.converged);
        w.u64(c.iterations as u64);
        w.f64(c.last_change);
        w.f64(c.gradient);
        w.seal()
    }

    /// Reads [`to_bytes`](Self::to_bytes) output. Truncated, corrupted or foreign bytes, another
    /// version, and models whose parts disagree (lengths, options) are an
    /// [`Error::Decode`](crate::Error::Decode), never a panic.
    pub fn from_bytes(bytes: &[u8]) -> Result<LogisticModel> {
        let mut r = Reader::open(bytes, WHAT, MAGIC, VERSION)?;
        let p = r.len()?;
        r.expect_items(p, 8)?;
        let mut names = Vec::with_capacity(p);
        for _ in 0..p {
            names.push(r.str("a feature name")?);
        }
        let mut vectors = Vec::with_capacity(5);
        for what in ["coef", "coef_std", "center", "scale", "means"] {
            let len = r.len()?;
            if len != p {
                return Err(r.fail(format!("{what} has {len} values for {p} features")));
            }
            vectors.push(r.f64s(len)?);
        }
        let len = r.len()?;
        if len != p {
            return Err(r.fail(format!("constant has {len} values for {p} features")));
        }
        let constant = (0..len).map(|_| r.flag()).collect::<Result<Vec<bool>>>()?;
        let (intercept, intercept_std) = (r.f64()?, r.f64()?);
        let (log_likelihood, null_log_likelihood) = (r.f64()?, r.f64()?);
        let inference = if r.flag()? {
            let len = r.len()?;
            if len != p + 1 {
                return Err(r.fail(format!("inference has {len} terms for {p} features")));
            }
            r.expect_items(len, 40)?;
            let mut inf = Vec::with_capacity(len);
            for _ in 0..len {
                let (se, z, p_value, lo, hi) = (r.f64()?, r.f64()?, r.f64()?, r.f64()?, r.f64()?);
                inf.push(CoefInference {
                    se,
                    z,
                    p_value,
                    ci: (lo, hi),
                });
            }
            Some(inf)
        } else {
            None
        };
        let lr_test = if r.flag()? {
            Some((r.f64()?, r.f64()?))
        } else {
            None
        };
        let (n, n_positive) = (r.len()?, r.len()?);
        if n_positive > n {
            return Err(r.fail(format!("{n_positive} churners among {n} rows")));
        }
        let penalty = match r.u8()? {
            0 => Penalty::None,
            1 => Penalty::L2,
            2 => Penalty::L1,
            3 => Penalty::ElasticNet,
            other => return Err(r.fail(format!("unknown penalty tag {other}"))),
        };
        let l1_ratio = if r.flag()? { Some(r.f64()?) } else { None };
        let c = r.f64()?;
        let class_weight = match r.u8()? {
            0 => ClassWeight::None,
            1 => ClassWeight::Balanced,
            2 => ClassWeight::Manual {
                negative: r.f64()?,
                positive: r.f64()?,
            },
            other => return Err(r.fail(format!("unknown class weight tag {other}"))),
        };
        let standardize = r.flag()?;
        let (missing, n_missing) = match r.u8()? {
            0 => (Missing::Error, 0),
            1 => (Missing::ImputeMean, 0),
            2 => (Missing::Skip, r.len()?),
            other => return Err(r.fail(format!("unknown missing-value tag {other}"))),
        };
        let max_iter = r.len()?;
        let (tol, confidence) = (r.f64()?, r.f64()?);
        let options = LogisticOptions {
            penalty,
            c,
            l1_ratio,
            class_weight,
            standardize,
            missing,
            max_iter,
            tol,
            confidence,
        };
        options
            .validate()
            .map_err(|e| r.fail(format!("invalid options: {e}")))?;
        let convergence = Convergence {
            converged: r.flag()?,
            iterations: r.len()?,
            last_change: r.f64()?,
            gradient: r.f64()?,
        };
        let mut vectors = vectors.into_iter();
        let mut next = || vectors.next().unwrap_or_default();
        let (coef, coef_std, center, scale, means) = (next(), next(), next(), next(), next());
        r.finish()?;
        Ok(LogisticModel {
            names,
            coef,
            intercept,
            coef_std,
            intercept_std,
            center,
            scale,
            means,
            constant,
            inference,
            log_likelihood,
            null_log_likelihood,
            lr_test,
            n,
            n_missing,
            n_positive,
            options,
            convergence,
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::codec::test_util::sealed;
    use ndarray::array;

    use super::*;
    use crate::Error;
    use crate::Fit;

    fn model() -> LogisticModel {
        let x = array![
            [1.0, 0.5],
            [2.0, 0.1],
            [3.0, 0.7],
            [4.0, 0.2],
            [5.0, f64::NAN],
            [6.0, 0.9]
        ];
        let y = [0.0, 0.0, 1.0, 0.0, 1.0, 1.0];
        LogisticOptions::default()
            .missing(Missing::ImputeMean)
            .fit((x.view(), &y[..]))
            .unwrap()
    }

    #[test]
    fn round_trip_is_exact_and_bad_content_is_a_decode_error() {
        let m = model();
        let bytes = m.to_bytes();
        assert_eq!(LogisticModel::from_bytes(&bytes).unwrap(), m);
        let body = &bytes[..bytes.len() - 8];
        let decode = |b: Vec<u8>| LogisticModel::from_bytes(&sealed(&b));
        // Another version, a foreign magic, a huge count, a bad flag, trailing bytes.
        let mut v = body.to_vec();
        v[4] = 2;
        assert!(
            matches!(decode(v), Err(Error::Decode { reason, .. }) if reason.contains("version 2"))
        );
        let mut v = body.to_vec();
        v[0] = b'X';
        assert!(matches!(decode(v), Err(Error::Decode { .. })));
        let mut v = body.to_vec();
        v[6..14].copy_from_slice(&u64::MAX.to_le_bytes());
        assert!(matches!(decode(v), Err(Error::Decode { .. })));
        let mut v = body.to_vec();
        v.push(0);
        assert!(
            matches!(decode(v), Err(Error::Decode { reason, .. }) if reason.contains("trailing"))
        );
        // Invalid options inside valid framing.
        let mut bad = m.clone();
        bad.options.c = -1.0;
        assert!(matches!(
            LogisticModel::from_bytes(&bad.to_bytes()),
            Err(Error::Decode { .. })
        ));
        // Parts that disagree.
        let mut bad = m;
        bad.means.pop();
        assert!(matches!(
            LogisticModel::from_bytes(&bad.to_bytes()),
            Err(Error::Decode { .. })
        ));
    }
}
