//! A fitted uplift model: its parts, its predictions, and each feature's part in a customer's uplift.

use ndarray::{Array2, ArrayView2};

use super::check::{Arms, finite};
use super::effect::EffectModel;
use super::options::{UpliftMethod, UpliftOptions};
use super::t_learner::{both_arms, clean_arm_probabilities};
use crate::Predict;
use crate::error::{Error, Result, check_len};
use crate::risk::{LogisticModel, Missing, describe};
use crate::stats::linalg::sigmoid;

/// The fitted parts of each learner.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Learner {
    /// T-learner: the response model of each arm.
    TLearner {
        /// `P(outcome = 1 | x, contacted)`.
        treated: LogisticModel,
        /// `P(outcome = 1 | x, held out)`.
        control: LogisticModel,
    },
    /// Class transformation: the model of `z`.
    ClassTransformation {
        /// `P(z = 1 | x)`.
        model: LogisticModel,
    },
    /// X-learner: the response models and the two effect models.
    XLearner {
        /// `μ₁`, the treated arm's response model.
        treated: LogisticModel,
        /// `μ₀`, the control arm's response model.
        control: LogisticModel,
        /// `τ₁`, fitted to `y − μ₀(x)` on the treated rows.
        effect_treated: EffectModel,
        /// `τ₀`, fitted to `μ₁(x) − y` on the control rows.
        effect_control: EffectModel,
        /// `g`, the weight of `τ₀`.
        propensity: f64,
    },
}

/// A fitted uplift model.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct UpliftModel {
    /// Feature names.
    pub names: Vec<String>,
    /// The reference customer: the training mean of each feature over all rows. Contributions explain
    /// a customer's uplift relative to this customer's.
    pub reference: Vec<f64>,
    /// The counts of the training test (rows used).
    pub arms: Arms,
    /// The fitted parts.
    pub learner: Learner,
    /// What the fit did with missing values ([`UpliftOptions::logistic`]'s `missing`); under
    /// [`Missing::ImputeMean`] predictions fill a NaN feature with the [`reference`](Self::reference)
    /// value, otherwise a NaN feature at prediction is an error.
    pub missing: Missing,
    /// Rows left out as missing under [`Missing::Skip`]; 0 otherwise.
    pub n_missing: usize,
}

/// An uplift model's predictions.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct UpliftPrediction {
    /// The predicted effect of the play on the probability of the outcome, per row.
    pub uplift: Vec<f64>,
    /// `P(outcome = 1)` if contacted (the T- and X-learners' treated model; None for the class
    /// transformation, which does not model the arms).
    pub treated: Option<Vec<f64>>,
    /// `P(outcome = 1)` if held out.
    pub control: Option<Vec<f64>>,
}

/// Each feature's part in each row's uplift.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct UpliftContributions {
    /// Rows × features: `baseline + Σ_j values[i, j]` is row `i`'s uplift (up to rounding).
    pub values: Array2<f64>,
    /// The uplift of the reference customer ([`UpliftModel::reference`]).
    pub baseline: f64,
}

/// One reason behind a customer's uplift.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct UpliftReason {
    /// Feature name.
    pub feature: String,
    /// The customer's value.
    pub value: f64,
    /// Its part in the uplift relative to the reference customer (probability points, 0..1 scale).
    pub contribution: f64,
    /// The signal in words (as the risk alerts' reasons, [`describe`]).
    pub text: String,
}

/// Adds `scale ×` the exact path attribution of a logistic model's probability, from the reference
/// to each row, to `out`; returns `scale · σ(η(reference))`.
///
/// Along the straight path from the reference `r` to `x` the log-odds move linearly, so the
/// integrated gradient of feature j is `coef_j (x_j − r_j) · (σ(η_x) − σ(η_r)) / (η_x − η_r)`: the
/// probability change shared in proportion to the log-odds contributions, and summing to it exactly.
fn logistic_parts(
    m: &LogisticModel,
    x: ArrayView2<'_, f64>,
    reference: &[f64],
    scale: f64,
    out: &mut Array2<f64>,
) -> Result<f64> {
    let eta = m.decision_function(x)?;
    let eta_r = m.intercept
        + m.coef
            .iter()
            .zip(reference)
            .map(|(c, r)| c * r)
            .sum::<f64>();
    let p_r = sigmoid(eta_r);
    for ((mut row_out, row), &e) in out.rows_mut().into_iter().zip(x.rows()).zip(&eta) {
        let d = e - eta_r;
        let k = if d.abs() > 1e-9 {
            (sigmoid(e) - p_r) / d
        } else {
            let s = sigmoid(0.5 * (e + eta_r));
            s * (1.0 - s)
        };
        for ((o, &v), (&c, &r)) in row_out
            .iter_mut()
            .zip(row)
            .zip(m.coef.iter().zip(reference))
        {
            *o += scale * c * (v - r) * k;
        }
    }
    Ok(scale * p_r)
}

impl UpliftModel {
    /// Checks `x` against the model; under [`Missing::ImputeMean`] returns the copy of `x` with its
    /// NaN features filled by the reference values (None when there are none to fill).
    fn prepare(&self, x: &ArrayView2<'_, f64>) -> Result<Option<Array2<f64>>> {
        let impute = self.missing == Missing::ImputeMean;
        self.check_x(x, impute)?;
        if !impute || !x.iter().any(|v| v.is_nan()) {
            return Ok(None);
        }
        let mut filled = x.to_owned();
        for (mut col, &r) in filled.columns_mut().into_iter().zip(&self.reference) {
            col.iter_mut().filter(|v| v.is_nan()).for_each(|v| *v = r);
        }
        Ok(Some(filled))
    }

    /// Checks the columns of `x` against the model.
    fn check_x(&self, x: &ArrayView2<'_, f64>, nan_ok: bool) -> Result<()> {
        check_len("model features", self.names.len(), "X", x.ncols())?;
        if self.reference.len() != self.names.len() {
            return Err(Error::Incompatible(format!(
                "the model has {} feature names but {} reference values",
                self.names.len(),
                self.reference.len()
            )));
        }
        finite(x, nan_ok)
    }

    /// The predicted uplift of each row of `x` (rows × the model's features, any layout).
    ///
    /// ```
    /// # use ndarray::Array2;
    /// # use voc_core::Fit;
    /// # use voc_core::uplift::{UpliftData, UpliftMethod, UpliftOptions};
    /// # let n = 200;
    /// # let x = Array2::from_shape_fn((n, 1), |(i, _)| (i % 10) as f64);
    /// # let t: Vec<f64> = (0..n).map(|i| (i % 2) as f64).collect();
    /// # let y: Vec<f64> = (0..n).map(|i| f64::from(u8::from((i * 7) % 3 == 0 || (t[i] == 1.0 && i % 10 > 6)))).collect();
    /// let m = UpliftOptions::default().method(UpliftMethod::ClassTransformation)
    ///     .fit(UpliftData::new(x.view(), &y, &t))?;
    /// let u = m.predict_uplift(x.view())?;
    /// assert!(u.iter().all(|v| (-1.0..=1.0).contains(v)));
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn predict_uplift(&self, x: ArrayView2<'_, f64>) -> Result<Vec<f64>> {
        Ok(self.predict(x)?.uplift)
    }

    /// Each feature's part in each row's uplift, relative to the reference customer: the values of a
    /// row add up, with the baseline, to its predicted uplift.
    ///
    /// For the T-learner and the class transformation the parts are the exact path attributions
    /// (integrated gradients) of the logistic probabilities along the straight line from the reference
    /// customer; for the X-learner (linear effect models and a constant propensity) they are
    /// `(g·γ₀ⱼ + (1 − g)·γ₁ⱼ)(xⱼ − rⱼ)`.
    ///
    /// ```
    /// # use ndarray::Array2;
    /// # use voc_core::Fit;
    /// # use voc_core::uplift::{UpliftData, UpliftOptions};
    /// # let n = 200;
    /// # let x = Array2::from_shape_fn((n, 2), |(i, j)| ((i * (j + 3)) % 10) as f64);
    /// # let t: Vec<f64> = (0..n).map(|i| (i % 2) as f64).collect();
    /// # let y: Vec<f64> = (0..n).map(|i| f64::from(u8::from((i * 7) % 3 == 0 || (t[i] == 1.0 && i % 10 > 6)))).collect();
    /// let m = UpliftOptions::default().fit(UpliftData::new(x.view(), &y, &t))?;
    /// let c = m.contributions(x.view())?;
    /// let u = m.predict_uplift(x.view())?;
    /// let total = c.baseline + c.values.row(5).sum();
    /// assert!((total - u[5]).abs() < 1e-12);
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn contributions(&self, x: ArrayView2<'_, f64>) -> Result<UpliftContributions> {
        let filled = self.prepare(&x)?;
        let x = match &filled {
            Some(f) => f.view(),
            None => x,
        };
        let mut values = Array2::zeros(x.dim());
        let r = &self.reference;
        let baseline = match &self.learner {
            Learner::TLearner { treated, control } => {
                logistic_parts(treated, x, r, 1.0, &mut values)?
                    + logistic_parts(control, x, r, -1.0, &mut values)?
            }
            Learner::ClassTransformation { model } => {
                logistic_parts(model, x, r, 2.0, &mut values)? - 1.0
            }
            Learner::XLearner {
                effect_treated,
                effect_control,
                propensity: g,
                ..
            } => {
                let gamma: Vec<f64> = effect_control
                    .coef
                    .iter()
                    .zip(&effect_treated.coef)
                    .map(|(c0, c1)| g * c0 + (1.0 - g) * c1)
                    .collect();
                for (mut out, row) in values.rows_mut().into_iter().zip(x.rows()) {
                    for ((o, &v), (&gm, &rj)) in out.iter_mut().zip(row).zip(gamma.iter().zip(r)) {
                        *o = gm * (v - rj);
                    }
                }
                g * effect_control.at(r.iter().copied())
                    + (1.0 - g) * effect_treated.at(r.iter().copied())
            }
        };
        Ok(UpliftContributions { values, baseline })
    }

    /// The `k` features that raise each row's uplift the most (positive parts only, largest first),
    /// in words: who is moved by the play, and why.
    ///
    /// ```
    /// # use ndarray::Array2;
    /// # use voc_core::Fit;
    /// # use voc_core::uplift::{UpliftData, UpliftOptions};
    /// # let n = 200;
    /// # let x = Array2::from_shape_fn((n, 1), |(i, _)| (i % 10) as f64);
    /// # let t: Vec<f64> = (0..n).map(|i| (i % 2) as f64).collect();
    /// # let y: Vec<f64> = (0..n).map(|i| f64::from(u8::from((i * 7) % 3 == 0 || (t[i] == 1.0 && i % 10 > 6)))).collect();
    /// # let names = ["refund_delay_days".to_string()];
    /// let m = UpliftOptions::default().fit(UpliftData::new(x.view(), &y, &t).names(&names))?;
    /// let reasons = m.reasons(x.view(), 2)?;
    /// assert!(reasons[9].iter().all(|r| r.contribution > 0.0 && r.feature == "refund_delay_days"));
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn reasons(&self, x: ArrayView2<'_, f64>, k: usize) -> Result<Vec<Vec<UpliftReason>>> {
        if k > 20 {
            return Err(Error::option("reasons", k, "at most 20"));
        }
        let c = self.contributions(x)?;
        Ok(c.values
            .rows()
            .into_iter()
            .zip(x.rows())
            .map(|(parts, row)| {
                let mut idx: Vec<usize> = (0..parts.len()).filter(|&j| parts[j] > 0.0).collect();
                idx.sort_by(|&a, &b| parts[b].total_cmp(&parts[a]).then(a.cmp(&b)));
                idx.truncate(k);
                idx.into_iter()
                    .map(|j| UpliftReason {
                        feature: self.names[j].clone(),
                        value: row[j],
                        contribution: parts[j],
                        text: describe(&self.names[j], row[j]),
                    })
                    .collect()
            })
            .collect())
    }

    /// The options that fit this model again on other data (the learner, the logistic models'
    /// options, the missing-value policy and the X-learner's propensity): what a refit on resampled
    /// training data uses.
    ///
    /// ```
    /// # use ndarray::Array2;
    /// # use voc_core::Fit;
    /// # use voc_core::risk::Missing;
    /// # use voc_core::uplift::{UpliftData, UpliftMethod, UpliftOptions};
    /// # let n = 200;
    /// # let x = Array2::from_shape_fn((n, 1), |(i, _)| (i % 10) as f64);
    /// # let t: Vec<f64> = (0..n).map(|i| (i % 2) as f64).collect();
    /// # let y: Vec<f64> = (0..n).map(|i| f64::from(u8::from((i * 7) % 3 == 0 || (t[i] == 1.0 && i % 10 > 6)))).collect();
    /// let mut o = UpliftOptions::default().method(UpliftMethod::XLearner);
    /// o.logistic.missing = Missing::ImputeMean;
    /// let m = o.fit(UpliftData::new(x.view(), &y, &t))?;
    /// let again = m.options();
    /// assert_eq!((again.method, again.logistic.missing), (UpliftMethod::XLearner, Missing::ImputeMean));
    /// assert_eq!(again.fit(UpliftData::new(x.view(), &y, &t))?, m);
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn options(&self) -> UpliftOptions {
        let (first, propensity) = match &self.learner {
            Learner::TLearner { treated, .. } => (treated, None),
            Learner::ClassTransformation { model } => (model, None),
            Learner::XLearner {
                treated,
                propensity,
                ..
            } => (treated, Some(*propensity)),
        };
        let mut logistic = first.options.clone();
        logistic.missing = self.missing;
        UpliftOptions {
            method: self.method(),
            logistic,
            propensity,
        }
    }

    /// The method of the model.
    pub fn method(&self) -> UpliftMethod {
        match self.learner {
            Learner::TLearner { .. } => UpliftMethod::TLearner,
            Learner::ClassTransformation { .. } => UpliftMethod::ClassTransformation,
            Learner::XLearner { .. } => UpliftMethod::XLearner,
        }
    }
}

/// The uplift and, for the T- and X-learners, both arms' probabilities of each row of `x`.
///
/// ```
/// # use ndarray::Array2;
/// # use voc_core::{Fit, Predict};
/// # use voc_core::uplift::{UpliftData, UpliftOptions};
/// # let n = 200;
/// # let x = Array2::from_shape_fn((n, 1), |(i, _)| (i % 10) as f64);
/// # let t: Vec<f64> = (0..n).map(|i| (i % 2) as f64).collect();
/// # let y: Vec<f64> = (0..n).map(|i| f64::from(u8::from((i * 7) % 3 == 0 || (t[i] == 1.0 && i % 10 > 6)))).collect();
/// let m = UpliftOptions::default().fit(UpliftData::new(x.view(), &y, &t))?;
/// let p = m.predict(x.view())?;
/// let (pt, pc) = (p.treated.unwrap_or_default(), p.control.unwrap_or_default());
/// assert_eq!(p.uplift[3], pt[3] - pc[3]);
/// # Ok::<(), voc_core::Error>(())
/// ```
impl Predict<ArrayView2<'_, f64>> for UpliftModel {
    type Output = UpliftPrediction;

    fn predict(&self, x: ArrayView2<'_, f64>) -> Result<UpliftPrediction> {
        // The usual case, a C-ordered matrix of finite values for a T-learner: one read of the rows
        // checks them and gives both arms' probabilities and the uplift.
        if let Learner::TLearner { treated, control } = &self.learner
            && x.ncols() == self.names.len()
            && self.reference.len() == self.names.len()
            && let Some((pt, pc, uplift)) = clean_arm_probabilities(treated, control, x)
        {
            return Ok(UpliftPrediction {
                uplift,
                treated: Some(pt),
                control: Some(pc),
            });
        }
        let filled = self.prepare(&x)?;
        let x = match &filled {
            Some(f) => f.view(),
            None => x,
        };
        Ok(match &self.learner {
            Learner::TLearner { treated, control } => {
                let (pt, pc) = both_arms(treated, control, x)?;
                UpliftPrediction {
                    uplift: pt.iter().zip(&pc).map(|(a, b)| a - b).collect(),
                    treated: Some(pt),
                    control: Some(pc),
                }
            }
            Learner::ClassTransformation { model } => UpliftPrediction {
                uplift: model
                    .predict_proba(x)?
                    .into_iter()
                    .map(|p| 2.0 * p - 1.0)
                    .collect(),
                treated: None,
                control: None,
            },
            Learner::XLearner {
                treated,
                control,
                effect_treated,
                effect_control,
                propensity: g,
            } => {
                let (pt, pc) = both_arms(treated, control, x)?;
                let uplift = x
                    .rows()
                    .into_iter()
                    .map(|row| {
                        g * effect_control.at(row.iter().copied())
                            + (1.0 - g) * effect_treated.at(row.iter().copied())
                    })
                    .collect();
                UpliftPrediction {
                    uplift,
                    treated: Some(pt),
                    control: Some(pc),
                }
            }
        })
    }
}
