//! Ratios between two classes' means (delta method on the log scale), with the 2×2 table for rates.

use super::{ClassOutcome, OutcomeByClass};
use crate::error::{Error, Result};
use crate::impact::contingency::{
    Table2x2, TableOptions, TwoByTwo, ZeroCells, log_wald, two_by_two,
};
use crate::stats::{Interval, MeanSummary, Share};

/// Which mean a class ratio compares.
///
/// ```
/// use voc_core::impact::outcome::Measure;
/// assert_eq!("arpu".parse::<Measure>()?, Measure::Spend);
/// assert_eq!(Measure::Spend.to_string(), "spend");
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Measure {
    /// Mean spend (ARPU).
    Spend,
    /// Mean CLV.
    Clv,
    /// Churn rate.
    Churn,
    /// Repurchase rate.
    Repurchase,
}

crate::named_enum!(Measure, "measure", {
    Spend => "spend" | "arpu",
    Clv => "clv",
    Churn => "churn",
    Repurchase => "repurchase",
});

/// A ratio of one class's mean to another's.
///
/// ```
/// use voc_core::impact::outcome::{outcome_by_class, Outcomes, OutcomeOptions};
/// let names = vec!["a".to_string(), "b".to_string()];
/// let out = outcome_by_class(&[0, 0, 1], &names, Outcomes { clv: Some(&[1.0, 3.0, 5.0]), ..Default::default() }, &OutcomeOptions::default())?;
/// assert_eq!(out.classes[0].clv.map(|m| m.summary.mean), Some(2.0));
/// assert!(out.classes[1].clv.is_some_and(|m| m.ci.is_none())); // one value: no interval
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ClassRatio {
    /// What is compared.
    pub measure: Measure,
    /// Numerator class.
    pub numerator: String,
    /// Denominator class.
    pub denominator: String,
    /// Numerator mean, variance, n.
    pub numerator_summary: MeanSummary,
    /// Denominator mean, variance, n.
    pub denominator_summary: MeanSummary,
    /// mean₁ ÷ mean₂.
    pub ratio: f64,
    /// Delta-method SE of ln ratio, √(s₁²/(n₁m₁²) + s₂²/(n₂m₂²)).
    pub log_se: f64,
    /// exp(ln ratio ± z·log_se) (method [`Method::LogWald`](crate::stats::Method::LogWald)).
    pub ci: Interval,
    /// Two-sided Wald p of ln ratio = 0.
    pub p_value: f64,
    /// For rates (churn, repurchase): risk ratio, odds ratio, Fisher and chi-square of the 2×2 table.
    pub table: Option<TwoByTwo>,
}

/// Ratio of two classes' means, e.g. promoter ARPU ÷ detractor ARPU, by the delta method on the log
/// scale (both means must be positive). For rates the 2×2 table (Katz RR, Woolf OR, Fisher) is added;
/// there the log-scale ratio CI of means differs from Katz's only by the n/(n − 1) in the variance.
///
/// ```
/// use voc_core::impact::outcome::{class_ratio, nps_classes, outcome_by_class, Measure, Outcomes, OutcomeOptions, NPS_CLASSES};
/// let codes = nps_classes(&[2.0, 5.0, 3.0, 9.0, 10.0, 10.0])?;
/// let names: Vec<String> = NPS_CLASSES.iter().map(|s| s.to_string()).collect();
/// let spend = [10.0, 20.0, 30.0, 50.0, 70.0, 60.0];
/// let out = outcome_by_class(&codes, &names, Outcomes { spend: Some(&spend), ..Default::default() }, &OutcomeOptions::default())?;
/// let r = class_ratio(&out, Measure::Spend, "promoter", "detractor")?;
/// assert!((r.ratio - 3.0).abs() < 1e-12 && r.ci.contains(3.0));
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn class_ratio(
    out: &OutcomeByClass,
    measure: Measure,
    numerator: &str,
    denominator: &str,
) -> Result<ClassRatio> {
    let level = out.options.confidence;
    let find = |name: &str, arg: &'static str| -> Result<&ClassOutcome> {
        out.classes.iter().find(|c| c.name == name).ok_or_else(|| {
            Error::option(
                arg,
                name,
                format!(
                    "no such class (classes: {})",
                    out.classes
                        .iter()
                        .map(|c| c.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
        })
    };
    let (a, b) = (
        find(numerator, "numerator")?,
        find(denominator, "denominator")?,
    );
    let summary = |c: &ClassOutcome| -> Option<MeanSummary> {
        match measure {
            Measure::Spend => c.spend.map(|m| m.summary),
            Measure::Clv => c.clv.map(|m| m.summary),
            Measure::Churn => c.churn.map(rate_summary),
            Measure::Repurchase => c.repurchase.map(rate_summary),
        }
    };
    let (Some(sa), Some(sb)) = (summary(a), summary(b)) else {
        return Err(Error::InsufficientData(format!(
            "measure {measure} was not given or a class has no customers ({numerator}: {}, {denominator}: {})",
            a.n, b.n
        )));
    };
    if !(sa.mean > 0.0 && sb.mean > 0.0 && sa.n > 1.0 && sb.n > 1.0) {
        return Err(Error::InsufficientData(format!(
            "a ratio on the log scale needs positive means and two or more customers per class, got \
             {} (n = {}) and {} (n = {})",
            sa.mean, sa.n, sb.mean, sb.n
        )));
    }
    let ratio = sa.mean / sb.mean;
    let log_se = (sa.variance / (sa.n * sa.mean * sa.mean)
        + sb.variance / (sb.n * sb.mean * sb.mean))
        .sqrt();
    if !(log_se > 0.0 && log_se.is_finite() && ratio.is_finite()) {
        // Both classes constant (a test of no spread is undefined), or means so small or large
        // that the ratio or its standard error is not representable.
        return Err(Error::InsufficientData(format!(
            "the ratio of {measure} between {numerator} and {denominator} has no defined standard \
             error (log_se = {log_se}): the measure does not vary within either class, or its \
             values are too small or too large to represent (rescale them)"
        )));
    }
    let (ci, p_value) = log_wald(ratio, log_se, level);
    let table = match measure {
        Measure::Churn | Measure::Repurchase => {
            let (ka, kb) = (sa.mean * sa.n, sb.mean * sb.n);
            let t = Table2x2::from_rates(ka.round(), sa.n, kb.round(), sb.n)?;
            let opts = TableOptions::default()
                .confidence(level)
                .zero_cells(ZeroCells::Haldane);
            Some(two_by_two(&t, &opts)?)
        }
        _ => None,
    };
    Ok(ClassRatio {
        measure,
        numerator: a.name.clone(),
        denominator: b.name.clone(),
        numerator_summary: sa,
        denominator_summary: sb,
        ratio,
        log_se,
        ci,
        p_value,
        table,
    })
}

/// A rate as a mean of 0/1 values (ddof-1 variance).
fn rate_summary(s: Share) -> MeanSummary {
    let p = s.estimate;
    MeanSummary {
        mean: p,
        variance: if s.n > 1.0 {
            p * (1.0 - p) * s.n / (s.n - 1.0)
        } else {
            f64::NAN
        },
        n: s.n,
    }
}
