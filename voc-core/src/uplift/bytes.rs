//! The uplift model's byte form: versioned, little-endian, closed by a checksum.
//!
//! Layout of version 2: magic `VUPL`, version (u16), the feature names, the reference customer
//! (count and f64s), the arms (four u64: treated, control, their responders), the missing-value policy
//! (u8: 0 error, 1 skip followed by the rows left out as a u64, 2 impute_mean; version 1 has no policy
//! and reads as error), the learner's tag (0 T-learner,
//! 1 class transformation, 2 X-learner), then its logistic models (each its own sealed byte form,
//! length-prefixed), for the X-learner the two effect models (coefficients with their count, then the
//! intercept) and the propensity, and the FNV-1a checksum of everything before it.

use super::check::Arms;
use super::effect::EffectModel;
use super::{Learner, UpliftModel};
use crate::codec::{Reader, Writer};
use crate::error::Result;
use crate::risk::{LogisticModel, Missing};

const MAGIC: &[u8; 4] = b"VUPL";
const VERSION: u16 = 2;
const WHAT: &str = "uplift model";

fn put_model(w: &mut Writer, m: &LogisticModel) {
    let b = m.to_bytes();
    w.len(b.len());
    w.bytes(&b);
}

fn put_effect(w: &mut Writer, e: &EffectModel) {
    w.f64_vec(&e.coef);
    w.f64(e.intercept);
}

impl UpliftModel {
    /// The model as bytes (version 2, every float bit-exact, closed by a checksum);
    /// [`from_bytes`](Self::from_bytes) reads them back.
    ///
    /// ```
    /// # use ndarray::Array2;
    /// # use voc_core::Fit;
    /// # use voc_core::uplift::{UpliftData, UpliftMethod, UpliftModel, UpliftOptions};
    /// # let n = 200;
    /// # let x = Array2::from_shape_fn((n, 1), |(i, _)| (i % 10) as f64);
    /// # let t: Vec<f64> = (0..n).map(|i| (i % 2) as f64).collect();
    /// # let y: Vec<f64> = (0..n).map(|i| f64::from(u8::from((i * 7) % 3 == 0 || (t[i] == 1.0 && i % 10 > 6)))).collect();
    /// let m = UpliftOptions::default().method(UpliftMethod::XLearner).fit(UpliftData::new(x.view(), &y, &t))?;
    /// let bytes = m.to_bytes();
    /// assert_eq!(UpliftModel::from_bytes(&bytes)?, m);
    /// let mut bad = bytes.clone();
    /// bad[12] ^= 1;
    /// assert!(matches!(UpliftModel::from_bytes(&bad), Err(voc_core::Error::Decode { .. })));
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::with_header(MAGIC, VERSION);
        w.strs(&self.names);
        w.f64_vec(&self.reference);
        let a = &self.arms;
        for v in [
            a.n_treated,
            a.n_control,
            a.responders_treated,
            a.responders_control,
        ] {
            w.u64(v as u64);
        }
        match self.missing {
            Missing::Error => w.u8(0),
            Missing::Skip => {
                w.u8(1);
                w.u64(self.n_missing as u64);
            }
            Missing::ImputeMean => w.u8(2),
        }
        match &self.learner {
            Learner::TLearner { treated, control } => {
                w.u8(0);
                put_model(&mut w, treated);
                put_model(&mut w, control);
            }
            Learner::ClassTransformation { model } => {
                w.u8(1);
                put_model(&mut w, model);
            }
            Learner::XLearner {
                treated,
                control,
                effect_treated,
                effect_control,
                propensity,
            } => {
                w.u8(2);
                put_model(&mut w, treated);
                put_model(&mut w, control);
                put_effect(&mut w, effect_treated);
                put_effect(&mut w, effect_control);
                w.f64(*propensity);
            }
        }
        w.seal()
    }

    /// Reads [`to_bytes`](Self::to_bytes) output (versions 1 and 2). Truncated, corrupted or foreign
    /// bytes, another version, and models whose parts disagree (feature counts, arms, a propensity outside (0, 1))
    /// are an [`Error::Decode`](crate::Error::Decode), never a panic.
    pub fn from_bytes(bytes: &[u8]) -> Result<UpliftModel> {
        let (mut r, version) = Reader::open_current_or_v1(bytes, WHAT, MAGIC, VERSION)?;
        let p = r.len()?;
        r.expect_items(p, 8)?;
        let mut names = Vec::with_capacity(p);
        for _ in 0..p {
            names.push(r.str("a feature name")?);
        }
        let len = r.len()?;
        if len != p {
            return Err(r.fail(format!("{len} reference values for {p} features")));
        }
        let reference = r.f64s(len)?;
        let arms = Arms {
            n_treated: r.len()?,
            n_control: r.len()?,
            responders_treated: r.len()?,
            responders_control: r.len()?,
        };
        if arms.n_treated == 0
            || arms.n_control == 0
            || arms.responders_treated > arms.n_treated
            || arms.responders_control > arms.n_control
        {
            return Err(r.fail(format!("inconsistent arm counts {arms:?}")));
        }
        let (missing, n_missing) = if version == 1 {
            (Missing::Error, 0)
        } else {
            match r.u8()? {
                0 => (Missing::Error, 0),
                1 => (Missing::Skip, r.len()?),
                2 => (Missing::ImputeMean, 0),
                other => return Err(r.fail(format!("unknown missing-value policy {other}"))),
            }
        };
        let model = |r: &mut Reader<'_>, what: &str| -> Result<LogisticModel> {
            let len = r.len()?;
            r.expect_items(len, 1)?;
            let raw: Vec<u8> = (0..len).map(|_| r.u8()).collect::<Result<_>>()?;
            let m = LogisticModel::from_bytes(&raw)
                .map_err(|e| r.fail(format!("the {what} model: {e}")))?;
            if m.names != names {
                return Err(r.fail(format!("the {what} model has other features")));
            }
            Ok(m)
        };
        let effect = |r: &mut Reader<'_>, what: &str| -> Result<EffectModel> {
            let len = r.len()?;
            if len != p {
                return Err(r.fail(format!(
                    "the {what} effect model has {len} coefficients for {p} features"
                )));
            }
            let coef = r.f64s(len)?;
            Ok(EffectModel {
                coef,
                intercept: r.f64()?,
            })
        };
        let learner = match r.u8()? {
            0 => Learner::TLearner {
                treated: model(&mut r, "treated")?,
                control: model(&mut r, "control")?,
            },
            1 => Learner::ClassTransformation {
                model: model(&mut r, "class-transformation")?,
            },
            2 => {
                let treated = model(&mut r, "treated")?;
                let control = model(&mut r, "control")?;
                let effect_treated = effect(&mut r, "treated")?;
                let effect_control = effect(&mut r, "control")?;
                let propensity = r.f64()?;
                if !(propensity > 0.0 && propensity < 1.0) {
                    return Err(r.fail(format!("propensity {propensity} is not in (0, 1)")));
                }
                Learner::XLearner {
                    treated,
                    control,
                    effect_treated,
                    effect_control,
                    propensity,
                }
            }
            other => return Err(r.fail(format!("unknown learner tag {other}"))),
        };
        r.finish()?;
        Ok(UpliftModel {
            names,
            reference,
            arms,
            learner,
            missing,
            n_missing,
        })
    }
}
