//! Churn and spend of customers whose case was done within the SLA, later, or never: the observational
//! comparison with an inverse-propensity-weighted (IPW) estimate and covariate balance, and — when a
//! randomised holdout of triggers is given — the holdout estimate.

use ndarray::{ArrayView2, Axis};

use super::HOUR;
use super::run::at_input_row;
use crate::error::{Error, Result};
use crate::impact::effect::{EffectOptions, holdout};
use crate::risk::{LogisticOptions, Penalty, RiskData};
use crate::signals::RowPolicy;
use crate::signals::events::validate::{Checker, check_time_range, time_error};
use crate::stats::dist::{normal_quantile, normal_two_sided_p};
use crate::stats::{
    Interval, MeanSummary, Method, NeumaierSum, TestOptions, check_confidence, welch_t_test,
};
use crate::time::NAT;
use crate::{Fit, MissingPolicy, Predict};

/// When a customer's case was done relative to the SLA; spelled "within", "later" or "never".
///
/// ```
/// use voc_core::followup::SlaClass;
/// assert_eq!("never".parse::<SlaClass>()?, SlaClass::Never);
/// assert_eq!(SlaClass::Within.to_string(), "within");
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum SlaClass {
    /// Done within the SLA of the opening.
    Within,
    /// Done, but after the SLA.
    Later,
    /// No case, or a case not done by the observation.
    Never,
}

crate::named_enum!(SlaClass, "reference", {
    Within => "within",
    Later => "later",
    Never => "never",
});

impl SlaClass {
    /// The three classes in order.
    pub const ALL: [SlaClass; 3] = [SlaClass::Within, SlaClass::Later, SlaClass::Never];
}

/// Options of [`sla_outcomes`].
///
/// ```
/// use voc_core::followup::{OutcomeOptions, SlaClass};
/// let o = OutcomeOptions::default();
/// assert_eq!((o.sla_hours, o.confidence, o.reference), (48.0, 0.95, SlaClass::Never));
/// assert!(OutcomeOptions::default().sla_hours(0.0).validate().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct OutcomeOptions {
    /// Service level in hours from the opening (default 48).
    pub sla_hours: f64,
    /// Confidence level of every interval (default 0.95).
    pub confidence: f64,
    /// The class every other class is compared with (default [`SlaClass::Never`]).
    pub reference: SlaClass,
}

impl Default for OutcomeOptions {
    fn default() -> Self {
        OutcomeOptions {
            sla_hours: 48.0,
            confidence: 0.95,
            reference: SlaClass::Never,
        }
    }
}

crate::setters!(OutcomeOptions {
    sla_hours: f64,
    confidence: f64,
    reference: SlaClass
});

impl OutcomeOptions {
    /// Checks every option: `sla_hours` finite and > 0, `confidence` in (0, 1).
    pub fn validate(&self) -> Result<()> {
        if !(self.sla_hours.is_finite() && self.sla_hours > 0.0) {
            return Err(Error::option(
                "sla_hours",
                self.sla_hours,
                "must be a positive, finite number of hours",
            ));
        }
        check_confidence(self.confidence).map(|_| ())
    }
}

/// Columns for [`sla_outcomes`], one row per customer (or trigger).
#[derive(Debug, Clone, Copy)]
pub struct OutcomeInput<'a> {
    /// Opening of the customer's case (seconds since 1970; [`NAT`]: no case).
    pub opened: &'a [i64],
    /// When the case was done — closed, or first contacted for a contact SLA ([`NAT`]: not done).
    pub done: &'a [i64],
    /// The outcome (churned 0/1, spend, …; NaN: missing).
    pub outcome: &'a [f64],
    /// Covariates of the propensity model, one row per customer (NaN: missing); `None`: unadjusted.
    pub covariates: Option<ArrayView2<'a, f64>>,
    /// Names of the covariate columns.
    pub names: &'a [String],
    /// 1 for a trigger held out of the follow-up by a randomised design (it has no case), 0 otherwise
    /// (NaN: missing); `None`: no holdout.
    pub holdout: Option<&'a [f64]>,
}

/// Mean outcome of one class.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ClassOutcome {
    /// The class.
    pub class: SlaClass,
    /// Customers in it.
    pub n: u64,
    /// Mean outcome (NaN without customers).
    pub mean: f64,
}

/// Standardised mean difference of one covariate between a class and the reference, before and
/// after weighting, both over the unweighted pooled SD √((s²₁ + s²₀)/2).
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Balance {
    /// Covariate name.
    pub covariate: String,
    /// Before weighting; `None` when the covariate is constant in both classes.
    pub before: Option<f64>,
    /// After weighting; `None` when the covariate is constant in both classes.
    pub after: Option<f64>,
}

/// One class against the reference: the unadjusted difference of means and the IPW estimate.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct IpwComparison {
    /// The class.
    pub class: SlaClass,
    /// The reference class.
    pub reference: SlaClass,
    /// Customers of the class.
    pub n: u64,
    /// Customers of the reference.
    pub n_reference: u64,
    /// Mean outcome of the class minus that of the reference, unweighted.
    pub difference: f64,
    /// IPW (Hajek) estimate of the average effect of being in the class rather than the reference.
    pub estimate: f64,
    /// Its robust (HC0 sandwich) standard error, the propensities taken as known.
    pub se: f64,
    /// Normal interval of the estimate.
    pub ci: Interval,
    /// Two-sided normal p-value of `estimate = 0`.
    pub p_value: f64,
    /// Kish effective sample size of the weighted class, (Σw)² / Σw².
    pub n_eff: f64,
    /// Kish effective sample size of the weighted reference.
    pub n_eff_reference: f64,
    /// Largest weight.
    pub max_weight: f64,
    /// Balance of each covariate.
    pub balance: Vec<Balance>,
}

/// The randomised holdout's estimate: customers eligible for a follow-up (treated, intention to
/// treat) against those held out (control).
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct HoldoutEstimate {
    /// Eligible customers.
    pub n_treated: u64,
    /// Held-out customers.
    pub n_control: u64,
    /// Mean outcome of the eligible.
    pub treated_mean: f64,
    /// Mean outcome of the held out.
    pub control_mean: f64,
    /// treated − control.
    pub estimate: f64,
    /// Interval of the difference: Newcombe's for a 0/1 outcome (as `voc_core::impact::holdout`),
    /// Welch's otherwise.
    pub ci: Interval,
    /// Two-sided p-value: pooled two-proportion z test (0/1 outcome) or Welch's t test.
    pub p_value: f64,
}

/// What [`sla_outcomes`] returns.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct SlaOutcomes {
    /// Mean outcome per class (within, later, never).
    pub classes: Vec<ClassOutcome>,
    /// Each class with customers against the reference (when both have customers).
    pub comparisons: Vec<IpwComparison>,
    /// The holdout estimate, when a holdout column was given.
    pub holdout: Option<HoldoutEstimate>,
    /// Whether the outcome is 0/1.
    pub binary: bool,
    /// Rows used.
    pub n: u64,
    /// Rows left out under [`MissingPolicy::Skip`].
    pub n_missing: u64,
    /// The same, by reason.
    pub skipped: Vec<super::run::LeftOut>,
    /// The options used.
    pub options: OutcomeOptions,
}

fn class_of(opened: i64, done: i64, sla: f64) -> SlaClass {
    if opened == NAT || done == NAT {
        SlaClass::Never
    } else if (done - opened) as f64 / HOUR <= sla {
        SlaClass::Within
    } else {
        SlaClass::Later
    }
}

fn mean(v: impl Iterator<Item = f64>) -> (f64, usize) {
    let mut s = NeumaierSum::default();
    let mut n = 0;
    for x in v {
        s.add(x);
        n += 1;
    }
    (s.value() / n as f64, n)
}

/// Churn, spend or any outcome of customers whose case was done within the SLA, later, or never,
/// compared observationally with an inverse-propensity-weighted estimate.
///
/// For each class with customers (other than the reference), on the customers of that class and of
/// the reference: a logistic propensity e(x) = P(class | covariates) fitted by maximum likelihood
/// (voc's logistic model, no penalty; a constant without covariates), weights w = 1/e for the class
/// and 1/(1 − e) for the reference, and the Hajek (normalised) estimate
/// Σ w y / Σ w (class) − Σ w y / Σ w (reference). Its standard error is the robust HC0 sandwich with
/// the propensities taken as known — the same as the coefficient of a weighted least-squares fit of y
/// on the class indicator (statsmodels `WLS(y, [1, T], weights=w).fit(cov_type="HC0")`), conservative
/// for the average effect (Lunceford & Davidian 2004) — with a normal interval. Balance: standardised
/// mean differences of every covariate before and after weighting.
///
/// With a holdout column (1: held out of the follow-up by a randomised design), the holdout estimate
/// compares everyone eligible with everyone held out: Newcombe's interval and the pooled z test for a
/// 0/1 outcome ([`holdout`](crate::impact::effect::holdout)), Welch's t otherwise.
///
/// A customer's class: no case, or a case not done → never; done within `sla_hours` of opening →
/// within; else later. Missing outcomes, covariates and holdout flags follow `missing`; a case done
/// before it was opened, or a held-out customer with a case, is an error naming the row.
///
/// ```
/// use voc_core::MissingPolicy;
/// use voc_core::followup::{sla_outcomes, OutcomeInput, OutcomeOptions, SlaClass};
/// use voc_core::time::NAT;
/// const H: i64 = 3600;
/// let opened = [0, 0, 0, 0, NAT, NAT];
/// let done = [H, 2 * H, 100 * H, 90 * H, NAT, NAT];
/// let churned = [0.0, 0.0, 1.0, 0.0, 1.0, 1.0];
/// let input = OutcomeInput { opened: &opened, done: &done, outcome: &churned, covariates: None,
///                            names: &[], holdout: None };
/// let r = sla_outcomes(input, MissingPolicy::Error, &OutcomeOptions::default())?;
/// assert_eq!(r.classes.iter().map(|c| c.n).collect::<Vec<_>>(), [2, 2, 2]);
/// let within = &r.comparisons[0]; // within the SLA against never
/// assert_eq!((within.class, within.reference), (SlaClass::Within, SlaClass::Never));
/// assert_eq!(within.estimate, -1.0); // without covariates, the plain difference of means
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn sla_outcomes(
    input: OutcomeInput<'_>,
    missing: MissingPolicy,
    options: &OutcomeOptions,
) -> Result<SlaOutcomes> {
    options.validate()?;
    let n = input.opened.len();
    crate::error::check_len("opened", n, "done", input.done.len())?;
    crate::error::check_len("opened", n, "outcome", input.outcome.len())?;
    if let Some(h) = input.holdout {
        crate::error::check_len("opened", n, "holdout", h.len())?;
    }
    let p = input.covariates.map_or(0, |x| x.ncols());
    if let Some(x) = input.covariates {
        crate::error::check_len("opened", n, "covariates", x.nrows())?;
        crate::error::check_len("covariates", p, "names", input.names.len())?;
    }
    let policy = match missing {
        MissingPolicy::Error => RowPolicy::Error,
        MissingPolicy::Skip => RowPolicy::Skip,
    };
    let mut ck = Checker::new("outcomes", policy, n);
    for i in 0..n {
        let y = input.outcome[i];
        if y.is_nan() {
            ck.fail(i, || Error::Missing {
                arg: "outcome",
                index: i,
            })?;
        } else if y.is_infinite() {
            return Err(Error::NonFinite {
                arg: "outcome",
                index: i,
                value: y,
            });
        }
        if let Some(x) = input.covariates {
            for (j, &v) in x.row(i).iter().enumerate() {
                if v.is_nan() {
                    ck.fail(i, || Error::Missing {
                        arg: "covariates",
                        index: i * p + j,
                    })?;
                } else if v.is_infinite() {
                    return Err(Error::NonFinite {
                        arg: "covariates",
                        index: i * p + j,
                        value: v,
                    });
                }
            }
        }
        if let Some(h) = input.holdout {
            if h[i].is_nan() {
                ck.fail(i, || Error::Missing {
                    arg: "holdout",
                    index: i,
                })?;
            } else if h[i] != 0.0 && h[i] != 1.0 {
                return Err(Error::InvalidValue {
                    arg: "holdout",
                    index: i,
                    value: h[i],
                    reason: "must be 0 or 1 (or a bool)",
                });
            } else if h[i] == 1.0 && input.opened[i] != NAT {
                return Err(time_error(
                    "opened",
                    i,
                    input.opened[i],
                    "a trigger held out of the follow-up has no case",
                ));
            }
        }
    }
    let mut strict = Checker::new("outcomes", RowPolicy::Error, n);
    check_time_range(&mut strict, "opened", input.opened)?;
    check_time_range(&mut strict, "done", input.done)?;
    for i in 0..n {
        let (o, d) = (input.opened[i], input.done[i]);
        if d != NAT && o == NAT {
            return Err(time_error("done", i, d, "a customer without a case"));
        }
        if d != NAT && d < o {
            return Err(time_error(
                "done",
                i,
                d,
                "the case was done before it was opened",
            ));
        }
    }
    let rows: Vec<usize> = (0..n).filter(|&i| ck.ok(i)).collect();
    if rows.is_empty() {
        return Err(Error::Empty {
            arg: "outcome",
            what: "no customer to compare",
        });
    }
    let class: Vec<SlaClass> = rows
        .iter()
        .map(|&i| class_of(input.opened[i], input.done[i], options.sla_hours))
        .collect();
    let y: Vec<f64> = rows.iter().map(|&i| input.outcome[i]).collect();
    let x = input.covariates.map(|x| x.select(Axis(0), &rows));
    let binary = y.iter().all(|&v| v == 0.0 || v == 1.0);
    let classes = SlaClass::ALL
        .iter()
        .map(|&c| {
            let (m, k) = mean(
                class
                    .iter()
                    .zip(&y)
                    .filter(|(k, _)| **k == c)
                    .map(|(_, v)| *v),
            );
            ClassOutcome {
                class: c,
                n: k as u64,
                mean: m,
            }
        })
        .collect::<Vec<_>>();
    let reference = options.reference;
    let mut comparisons = Vec::new();
    for &c in &SlaClass::ALL {
        if c == reference {
            continue;
        }
        let pick: Vec<usize> = (0..rows.len())
            .filter(|&i| class[i] == c || class[i] == reference)
            .collect();
        let t: Vec<f64> = pick
            .iter()
            .map(|&i| f64::from(u8::from(class[i] == c)))
            .collect();
        let n1 = t.iter().filter(|&&v| v == 1.0).count();
        if n1 == 0 || n1 == t.len() {
            continue;
        }
        let ys: Vec<f64> = pick.iter().map(|&i| y[i]).collect();
        let xs = x.as_ref().map(|x| x.select(Axis(0), &pick));
        let cmp = ipw(
            c,
            reference,
            &t,
            &ys,
            xs.as_ref().map(|x| x.view()),
            input.names,
            options,
        )
        .map_err(|e| at_input_row(e, &rows))?;
        comparisons.push(cmp);
    }
    let holdout_estimate = match input.holdout {
        Some(h) => {
            let held: Vec<bool> = rows.iter().map(|&i| h[i] == 1.0).collect();
            Some(holdout_effect(&y, &held, binary, options.confidence)?)
        }
        None => None,
    };
    Ok(SlaOutcomes {
        classes,
        comparisons,
        holdout: holdout_estimate,
        binary,
        n: rows.len() as u64,
        n_missing: (n - rows.len()) as u64,
        skipped: super::run::LeftOut::from_skipped(&ck.skipped),
        options: *options,
    })
}

/// Sample mean and variance (ddof 1) of the values where `sel` holds.
fn moments(v: &[f64], sel: impl Fn(usize) -> bool) -> (f64, f64, usize) {
    let (m, k) = mean((0..v.len()).filter(|&i| sel(i)).map(|i| v[i]));
    let var = (0..v.len())
        .filter(|&i| sel(i))
        .map(|i| (v[i] - m).powi(2))
        .sum::<f64>()
        / (k as f64 - 1.0);
    (m, var, k)
}

fn weighted_mean(v: &[f64], w: &[f64], sel: impl Fn(usize) -> bool) -> (f64, f64) {
    let (mut num, mut den) = (NeumaierSum::default(), NeumaierSum::default());
    for i in (0..v.len()).filter(|&i| sel(i)) {
        num.add(w[i] * v[i]);
        den.add(w[i]);
    }
    (num.value() / den.value(), den.value())
}

#[allow(clippy::too_many_arguments)]
fn ipw(
    class: SlaClass,
    reference: SlaClass,
    t: &[f64],
    y: &[f64],
    x: Option<ArrayView2<'_, f64>>,
    names: &[String],
    options: &OutcomeOptions,
) -> Result<IpwComparison> {
    let m = t.len();
    let treated = |i: usize| t[i] == 1.0;
    let control = |i: usize| t[i] == 0.0;
    let e: Vec<f64> = match x {
        Some(x) if x.ncols() > 0 => {
            let model = LogisticOptions::default()
                .penalty(Penalty::None)
                .fit(RiskData::new(x, t).names(names))
                .map_err(|e| e.renamed("X", "covariates").renamed("y", "class"))?;
            model.predict(x)?
        }
        _ => {
            let share = t.iter().sum::<f64>() / m as f64;
            vec![share; m]
        }
    };
    if let Some(i) = e.iter().position(|&p| !(p > 0.0 && p < 1.0)) {
        return Err(Error::InsufficientData(format!(
            "the propensity of row {i} is {}: the covariates separate the classes, so no weight can \
             balance them",
            e[i]
        )));
    }
    let w: Vec<f64> = (0..m)
        .map(|i| {
            if treated(i) {
                1.0 / e[i]
            } else {
                1.0 / (1.0 - e[i])
            }
        })
        .collect();
    let (mu1, sw1) = weighted_mean(y, &w, treated);
    let (mu0, sw0) = weighted_mean(y, &w, control);
    let part = |mu: f64, sw: f64, sel: &dyn Fn(usize) -> bool| -> (f64, f64) {
        let (mut v, mut w2) = (NeumaierSum::default(), NeumaierSum::default());
        for i in (0..m).filter(|&i| sel(i)) {
            v.add((w[i] * (y[i] - mu)).powi(2));
            w2.add(w[i] * w[i]);
        }
        (v.value() / (sw * sw), sw * sw / w2.value())
    };
    let (v1, ess1) = part(mu1, sw1, &treated);
    let (v0, ess0) = part(mu0, sw0, &control);
    let estimate = mu1 - mu0;
    let se = (v1 + v0).sqrt();
    let z = normal_quantile(0.5 + 0.5 * options.confidence);
    let p_value = if se > 0.0 {
        normal_two_sided_p(estimate / se)
    } else {
        f64::NAN
    };
    let (m1, _, n1) = moments(y, treated);
    let (m0, _, n0) = moments(y, control);
    let mut balance = Vec::new();
    if let Some(x) = x {
        for (j, name) in names.iter().enumerate().take(x.ncols()) {
            let col: Vec<f64> = x.column(j).to_vec();
            let (a1, s1, _) = moments(&col, treated);
            let (a0, s0, _) = moments(&col, control);
            let sd = ((s1 + s0) / 2.0).sqrt();
            let (b1, _) = weighted_mean(&col, &w, treated);
            let (b0, _) = weighted_mean(&col, &w, control);
            let ok = sd > 0.0 && sd.is_finite();
            balance.push(Balance {
                covariate: name.clone(),
                before: ok.then(|| (a1 - a0) / sd),
                after: ok.then(|| (b1 - b0) / sd),
            });
        }
    }
    Ok(IpwComparison {
        class,
        reference,
        n: n1 as u64,
        n_reference: n0 as u64,
        difference: m1 - m0,
        estimate,
        se,
        ci: Interval {
            low: estimate - z * se,
            high: estimate + z * se,
            level: options.confidence,
            method: Method::Wald,
        },
        p_value,
        n_eff: ess1,
        n_eff_reference: ess0,
        max_weight: w.iter().copied().fold(0.0, f64::max),
        balance,
    })
}

fn holdout_effect(
    y: &[f64],
    held: &[bool],
    binary: bool,
    confidence: f64,
) -> Result<HoldoutEstimate> {
    let (mt, vt, nt) = moments(y, |i| !held[i]);
    let (mc, vc, nc) = moments(y, |i| held[i]);
    if nt == 0 || nc == 0 {
        return Err(Error::InsufficientData(format!(
            "the holdout needs eligible and held-out customers, got {nt} and {nc}"
        )));
    }
    let (estimate, ci, p_value) = if binary {
        let ones = |want: bool| {
            (0..y.len())
                .filter(|&i| held[i] == want && y[i] == 1.0)
                .count() as f64
        };
        let h = holdout(
            (ones(false), nt as f64),
            (ones(true), nc as f64),
            &EffectOptions::default().confidence(confidence),
        )?;
        (h.difference, h.ci, h.p_value)
    } else {
        let t = welch_t_test(
            &MeanSummary {
                mean: mt,
                variance: vt,
                n: nt as f64,
            },
            &MeanSummary {
                mean: mc,
                variance: vc,
                n: nc as f64,
            },
            &TestOptions { confidence },
        )?;
        (t.difference, t.ci, t.p_value)
    };
    Ok(HoldoutEstimate {
        n_treated: nt as u64,
        n_control: nc as u64,
        treated_mean: mt,
        control_mean: mc,
        estimate,
        ci,
        p_value,
    })
}
