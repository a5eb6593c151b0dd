//! Uplift models on the logistic model: the T-learner, the class transformation and the X-learner.

use ndarray::{Array2, ArrayView2, Axis};

use super::check::{Arms, arms, finite, two_classes};
use super::effect::EffectModel;
use crate::error::{Error, Result, check_len};
use crate::risk::logistic::{complete_rows, fit_rows};
use crate::risk::{LogisticModel, LogisticOptions, Missing, RiskData, describe};
use crate::stats::linalg::sigmoid;
use crate::{Fit, Predict};

/// How the uplift is learned. Spelled `t_learner`, `class_transformation`, `x_learner`.
///
/// ```
/// use voc_core::uplift::UpliftMethod;
/// assert_eq!("x_learner".parse::<UpliftMethod>()?, UpliftMethod::XLearner);
/// assert_eq!(UpliftMethod::default().to_string(), "t_learner");
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum UpliftMethod {
    /// One response model per arm; the uplift is the difference of their probabilities (the
    /// "two-model" approach; Künzel et al. 2019 call it the T-learner).
    #[default]
    TLearner,
    /// One model of the transformed class `z = y·t + (1 − y)(1 − t)`; the uplift is `2 P(z = 1) − 1`
    /// (Jaskowski & Jaroszewicz 2012). The arms are weighted to equal totals, which leaves a balanced
    /// test unweighted (as scikit-uplift's `ClassTransformation`) and makes the identity hold otherwise.
    ClassTransformation,
    /// Künzel et al. (2019): the T-learner's response models impute each row's effect (`y − μ₀(x)` for
    /// the treated, `μ₁(x) − y` for the controls), a linear model per arm learns the imputed effects,
    /// and the two are mixed by the propensity `g`: `τ(x) = g · τ₀(x) + (1 − g) · τ₁(x)`.
    XLearner,
}

crate::named_enum!(UpliftMethod, "method", {
    TLearner => "t_learner",
    ClassTransformation => "class_transformation",
    XLearner => "x_learner",
});

/// Options (parameters) of an uplift model; fitting is [`Fit::fit`] on them with [`UpliftData`].
///
/// ```
/// use voc_core::risk::{LogisticOptions, Penalty};
/// use voc_core::uplift::{UpliftMethod, UpliftOptions};
/// let o = UpliftOptions::default()
///     .method(UpliftMethod::XLearner)
///     .logistic(LogisticOptions::default().penalty(Penalty::None));
/// assert!(o.validate().is_ok());
/// assert!(UpliftOptions::default().propensity(Some(1.0)).validate().is_err());
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct UpliftOptions {
    /// The learner (default the T-learner).
    pub method: UpliftMethod,
    /// Options of every logistic model fitted (penalty, C, standardisation, solver limits), and what
    /// the fit does with missing values (NaN), as the churn model's `missing`
    /// ([`LogisticOptions::missing`]): [`Missing::Error`] (the default), [`Missing::Skip`] (rows with a
    /// NaN feature, outcome or treatment are left out and counted in [`UpliftModel::n_missing`]) or
    /// [`Missing::ImputeMean`] (a NaN feature is replaced by the training mean over all rows, the
    /// model's [`reference`](UpliftModel::reference) customer, at fit and at prediction, so that every
    /// arm's model fills it alike; outcome and treatment must be present).
    pub logistic: LogisticOptions,
    /// The X-learner's propensity `P(contacted)`, constant as in a randomised test: `None` (the
    /// default) takes the share of treated rows; a given value must lie in (0, 1). Other learners
    /// ignore it.
    pub propensity: Option<f64>,
}

impl Default for UpliftOptions {
    fn default() -> Self {
        UpliftOptions {
            method: UpliftMethod::TLearner,
            logistic: LogisticOptions::default(),
            propensity: None,
        }
    }
}

crate::setters!(UpliftOptions {
    method: UpliftMethod,
    logistic: LogisticOptions,
    propensity: Option<f64>
});

impl UpliftOptions {
    /// Checks the options (done once at the start of every fit).
    pub fn validate(&self) -> Result<()> {
        self.logistic.validate()?;
        if let Some(g) = self.propensity
            && !(g > 0.0 && g < 1.0)
        {
            return Err(Error::option("propensity", g, "must lie in (0, 1)"));
        }
        Ok(())
    }
}

/// Training data of an uplift model, borrowed: features (rows × columns, any memory layout), the 0/1
/// outcome (1: the response the play aims for, e.g. stayed), the 0/1 treatment (1: contacted) and
/// optionally the feature names.
///
/// ```
/// use ndarray::array;
/// use voc_core::uplift::UpliftData;
/// let x = array![[1.0], [2.0]];
/// let d = UpliftData::new(x.view(), &[1.0, 0.0], &[1.0, 0.0]);
/// assert!(d.names.is_none());
/// ```
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct UpliftData<'a> {
    /// Features, one row per customer.
    pub x: ArrayView2<'a, f64>,
    /// Outcome, 0 or 1, one per row.
    pub outcome: &'a [f64],
    /// Treatment, 0 (held out) or 1 (contacted), one per row.
    pub treatment: &'a [f64],
    /// Feature names (default `x0`, `x1`, ...).
    pub names: Option<&'a [String]>,
}

impl<'a> UpliftData<'a> {
    /// Features, outcome and treatment, without names.
    pub fn new(x: ArrayView2<'a, f64>, outcome: &'a [f64], treatment: &'a [f64]) -> Self {
        UpliftData {
            x,
            outcome,
            treatment,
            names: None,
        }
    }

    /// Sets the feature names.
    pub fn names(mut self, names: &'a [String]) -> Self {
        self.names = Some(names);
        self
    }
}

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

/// The mean of each column of `x`: each column's values added in row order, as `Iterator::sum`
/// down the column, read row by row when the matrix is C-ordered (one sequential read, which also
/// checks that every value is finite); an error naming the first value that is not.
fn column_means(x: &ArrayView2<'_, f64>) -> Result<Vec<f64>> {
    let (n, p) = x.dim();
    let nf = n as f64;
    match x.as_slice() {
        Some(values) if p > 0 => {
            let mut sum = vec![-0.0; p];
            let mut clean = true;
            for row in values.chunks_exact(p) {
                for (s, &v) in sum.iter_mut().zip(row) {
                    *s += v;
                    clean &= v.is_finite();
                }
            }
            if !clean {
                finite(x, false)?;
            }
            Ok(sum.into_iter().map(|s| s / nf).collect())
        }
        _ => {
            finite(x, false)?;
            Ok(x.columns()
                .into_iter()
                .map(|c| c.iter().sum::<f64>() / nf)
                .collect())
        }
    }
}

/// Both arms' probabilities of the rows of `x`, whose values were checked (finite, or NaN filled):
/// one read of the rows when `x` is C-ordered, else two `predict_proba` calls (the same numbers).
fn both_arms(
    treated: &LogisticModel,
    control: &LogisticModel,
    x: ArrayView2<'_, f64>,
) -> Result<(Vec<f64>, Vec<f64>)> {
    match x
        .as_slice()
        .and_then(|v| arm_probabilities(treated, control, v, x.ncols()))
    {
        Some(both) => Ok(both),
        None => Ok((treated.predict_proba(x)?, control.predict_proba(x)?)),
    }
}

/// Both arms' probabilities of every row of a C-ordered `values` (rows of `p` finite values), in one
/// read of the rows: each row's log-odds summed as [`LogisticModel::decision_function`] sums them
/// (the intercept, then `coef · value` in column order, zero coefficients skipped) and mapped by the
/// same [`sigmoid`], so the numbers are those of two `predict_proba` calls. `None` when a model does
/// not have `p` coefficients (the checked path reports it).
fn arm_probabilities(
    treated: &LogisticModel,
    control: &LogisticModel,
    values: &[f64],
    p: usize,
) -> Option<(Vec<f64>, Vec<f64>)> {
    if p == 0
        || treated.coef.len() != p
        || control.coef.len() != p
        || treated.means.len() != p
        || control.means.len() != p
        || !values.len().is_multiple_of(p)
    {
        return None;
    }
    let n = values.len() / p;
    let (mut pt, mut pc) = (vec![0.0; n], vec![0.0; n]);
    let (ct, cc) = (&treated.coef[..], &control.coef[..]);
    let fill = |start: usize, out_t: &mut [f64], out_c: &mut [f64]| {
        let rows = values[start * p..].chunks_exact(p);
        for ((ot, oc), row) in out_t.iter_mut().zip(out_c.iter_mut()).zip(rows) {
            let (mut et, mut ec) = (treated.intercept, control.intercept);
            for ((&v, &a), &b) in row.iter().zip(ct).zip(cc) {
                if a != 0.0 {
                    et += a * v;
                }
                if b != 0.0 {
                    ec += b * v;
                }
            }
            *ot = sigmoid(et);
            *oc = sigmoid(ec);
        }
    };
    const ROWS: usize = 8192;
    #[cfg(feature = "parallel")]
    {
        use rayon::prelude::*;
        pt.par_chunks_mut(ROWS)
            .zip(pc.par_chunks_mut(ROWS))
            .enumerate()
            .for_each(|(c, (a, b))| fill(c * ROWS, a, b));
    }
    #[cfg(not(feature = "parallel"))]
    pt.chunks_mut(ROWS)
        .zip(pc.chunks_mut(ROWS))
        .enumerate()
        .for_each(|(c, (a, b))| fill(c * ROWS, a, b));
    Some((pt, pc))
}

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
        let mut options = self.clone();
        options.logistic.missing = Missing::Error;
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
        let reference = column_means(&data.x)?;
        let nf = n as f64;
        let (treated, control): (Vec<usize>, Vec<usize>) =
            (0..n).partition(|&i| data.treatment[i] == 1.0);
        let pick = |rows: &[usize], v: &[f64]| rows.iter().map(|&i| v[i]).collect::<Vec<f64>>();
        // Each arm's model reads its rows of `x` in place.
        let arm_model = |rows: &[usize]| -> Result<LogisticModel> {
            fit_rows(
                &options.logistic,
                data.x,
                rows,
                &pick(rows, data.outcome),
                names,
            )
        };
        let learner = match self.method {
            UpliftMethod::TLearner | UpliftMethod::XLearner => {
                two_classes("the treated arm", a.responders_treated, a.n_treated)?;
                two_classes("the control arm", a.responders_control, a.n_control)?;
                // The two arms side by side (each fit is the same whatever the threads), under one
                // watcher for interrupts rather than one per pass over the rows.
                let (mt, mc) = crate::interrupt::watch(|| {
                    #[cfg(feature = "parallel")]
                    let (mt, mc) = rayon::join(|| arm_model(&treated), || arm_model(&control));
                    #[cfg(not(feature = "parallel"))]
                    let (mt, mc) = (arm_model(&treated), arm_model(&control));
                    Ok((mt?, mc?))
                })?;
                if self.method == UpliftMethod::TLearner {
                    Learner::TLearner {
                        treated: mt,
                        control: mc,
                    }
                } else {
                    crate::interrupt::check()?;
                    let xt = data.x.select(Axis(0), &treated);
                    let xc = data.x.select(Axis(0), &control);
                    let d1: Vec<f64> = pick(&treated, data.outcome)
                        .iter()
                        .zip(mc.predict_proba(xt.view())?)
                        .map(|(y, m0)| y - m0)
                        .collect();
                    let d0: Vec<f64> = mt
                        .predict_proba(xc.view())?
                        .iter()
                        .zip(pick(&control, data.outcome))
                        .map(|(m1, y)| m1 - y)
                        .collect();
                    let effect_treated = EffectModel::fit(xt.view(), &d1, names, "treated")?;
                    let effect_control = EffectModel::fit(xc.view(), &d0, names, "control")?;
                    Learner::XLearner {
                        treated: mt,
                        control: mc,
                        effect_treated,
                        effect_control,
                        propensity: self.propensity.unwrap_or(a.n_treated as f64 / a.n() as f64),
                    }
                }
            }
            UpliftMethod::ClassTransformation => {
                let z: Vec<f64> = data
                    .outcome
                    .iter()
                    .zip(data.treatment)
                    .map(|(&y, &t)| y * t + (1.0 - y) * (1.0 - t))
                    .collect();
                let positives = z.iter().filter(|&&v| v == 1.0).count();
                if positives == 0 || positives == n {
                    return Err(Error::InsufficientData(format!(
                        "the transformed class z = y·t + (1 − y)(1 − t) is {} on all {n} rows; the \
                         class transformation needs both values",
                        u8::from(positives == n)
                    )));
                }
                let w: Option<Vec<f64>> = (a.n_treated != a.n_control).then(|| {
                    let (wt, wc) = (
                        nf / (2.0 * a.n_treated as f64),
                        nf / (2.0 * a.n_control as f64),
                    );
                    data.treatment
                        .iter()
                        .map(|&t| if t == 1.0 { wt } else { wc })
                        .collect()
                });
                let mut d = RiskData::new(data.x, &z).names(names);
                d.sample_weight = w.as_deref();
                Learner::ClassTransformation {
                    model: options.logistic.fit(d)?,
                }
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
