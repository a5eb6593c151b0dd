//! Fitting an uplift model: the options and data checked once, missing values left out or imputed,
//! then the learner's models.

use ndarray::Axis;

use super::check::{arms, finite, two_classes};
use super::model::{Learner, UpliftModel};
use super::options::{UpliftData, UpliftMethod, UpliftOptions};
use super::{class_transformation, t_learner, x_learner};
use crate::Fit;
use crate::error::{Error, Result, check_len};
use crate::risk::logistic::complete_rows;
use crate::risk::{Missing, RiskData};

/// Fits an uplift model: validates the options and the data once (outcome and treatment 0/1 with both
/// arms present and both outcomes in each arm, finite features), then the learner's models.
///
/// ```
/// use ndarray::Array2;
/// use voc_core::{Fit, Predict};
/// use voc_core::uplift::{UpliftData, UpliftOptions};
/// // The play helps customers with a high first feature and harms the others.
/// let n = 400;
/// let x = Array2::from_shape_fn((n, 2), |(i, j)| ((i * (3 + j * 4)) % 17) as f64 / 16.0);
/// let t: Vec<f64> = (0..n).map(|i| (i % 2) as f64).collect();
/// let y: Vec<f64> = (0..n)
///     .map(|i| {
///         let helped = t[i] == 1.0 && x[[i, 0]] > 0.5;
///         let lost = t[i] == 1.0 && x[[i, 0]] < 0.2;
///         f64::from(u8::from(helped || (!lost && (i * 7) % 5 < 2)))
///     })
///     .collect();
/// let model = UpliftOptions::default().fit(UpliftData::new(x.view(), &y, &t))?;
/// let p = model.predict(x.view())?;
/// let mean = |keep: &dyn Fn(f64) -> bool| {
///     let v: Vec<f64> = (0..n).filter(|&i| keep(x[[i, 0]])).map(|i| p.uplift[i]).collect();
///     v.iter().sum::<f64>() / v.len() as f64
/// };
/// assert!(mean(&|v| v > 0.5) > 0.0 && mean(&|v| v < 0.2) < 0.0);
/// assert!(p.treated.is_some() && p.uplift.len() == n);
/// # Ok::<(), voc_core::Error>(())
/// ```
impl Fit<UpliftData<'_>> for UpliftOptions {
    type Model = UpliftModel;

    fn fit(&self, data: UpliftData<'_>) -> Result<UpliftModel> {
        self.validate()?;
        let missing = self.logistic.missing;
        match missing {
            Missing::Error => self.fit_complete(data, missing),
            Missing::Skip => {
                check_len(
                    "outcome",
                    data.outcome.len(),
                    "treatment",
                    data.treatment.len(),
                )?;
                check_len("outcome", data.outcome.len(), "X rows", data.x.nrows())?;
                // The churn model's row filter: the treatment rides in the weight slot, whose NaN
                // check is the one needed.
                let mut probe = RiskData::new(data.x, data.outcome);
                probe.sample_weight = Some(data.treatment);
                let Some(c) = complete_rows(&probe) else {
                    return self.fit_complete(data, missing);
                };
                let x = data.x.select(Axis(0), &c.rows);
                let t = c.w.unwrap_or_default();
                let mut d = UpliftData::new(x.view(), &c.y, &t);
                d.names = data.names;
                let mut m = self.fit_complete(d, missing)?;
                m.n_missing = c.dropped;
                Ok(m)
            }
            Missing::ImputeMean => {
                finite(&data.x, true)?;
                let mut x = data.x.to_owned();
                for (j, mut col) in x.columns_mut().into_iter().enumerate() {
                    let (sum, k) = col
                        .iter()
                        .filter(|v| !v.is_nan())
                        .fold((0.0, 0usize), |(s, k), v| (s + v, k + 1));
                    if k == 0 && !col.is_empty() {
                        return Err(Error::InsufficientData(format!(
                            "feature {} (column {j} of X) is missing in every row: no mean to impute",
                            data.names
                                .and_then(|n| n.get(j))
                                .map_or_else(|| format!("x{j}"), |n| format!("{n:?}"))
                        )));
                    }
                    let mean = sum / k.max(1) as f64;
                    col.iter_mut()
                        .filter(|v| v.is_nan())
                        .for_each(|v| *v = mean);
                }
                let mut d = UpliftData::new(x.view(), data.outcome, data.treatment);
                d.names = data.names;
                self.fit_complete(d, missing)
            }
        }
    }
}

impl UpliftOptions {
    /// Fits on rows whose features are complete (NaN already left out or imputed).
    fn fit_complete(&self, data: UpliftData<'_>, missing: Missing) -> Result<UpliftModel> {
        let mut logistic = self.logistic.clone();
        logistic.missing = Missing::Error;
        let a = arms(data.outcome, data.treatment)?;
        let (n, p) = data.x.dim();
        check_len("outcome", data.outcome.len(), "X rows", n)?;
        let generated: Vec<String>;
        let names = match data.names {
            Some(names) => names,
            None => {
                generated = (0..p).map(|j| format!("x{j}")).collect();
                &generated
            }
        };
        check_len("X", p, "feature names", names.len())?;
        let (reference, learner) = match self.method {
            UpliftMethod::TLearner | UpliftMethod::XLearner => {
                // The arms' rows, the reference customer and the check of the values: one read.
                let s = t_learner::split(data.x, data.outcome, data.treatment, a.n_treated)?;
                two_classes("the treated arm", a.responders_treated, a.n_treated)?;
                two_classes("the control arm", a.responders_control, a.n_control)?;
                let (mt, mc) = t_learner::fit_arms(&logistic, &s, names)?;
                let learner = if self.method == UpliftMethod::TLearner {
                    Learner::TLearner {
                        treated: mt,
                        control: mc,
                    }
                } else {
                    let g = self.propensity.unwrap_or(a.n_treated as f64 / a.n() as f64);
                    x_learner::fit(&s, mt, mc, names, g)?
                };
                (s.reference, learner)
            }
            UpliftMethod::ClassTransformation => {
                let reference = t_learner::column_means(&data.x)?;
                let learner = class_transformation::fit(&logistic, &data, &a, names)?;
                (reference, learner)
            }
        };
        Ok(UpliftModel {
            names: names.to_vec(),
            reference,
            arms: a,
            learner,
            missing,
            n_missing: 0,
        })
    }
}
