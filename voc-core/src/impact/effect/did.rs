//! Difference-in-differences: cells from rows or proportions, and the interaction estimate with pooled or HC1 errors.

use super::check_rate;
use crate::error::{Error, Result};
use crate::stats::check::label;
use crate::stats::dist::{normal_quantile, normal_two_sided_p, t_quantile, t_two_sided_p};
use crate::stats::{Interval, MeanSummary, Method, TestResult, check_confidence};

/// Standard error of a difference-in-differences.
///
/// ```
/// use voc_core::impact::effect::DidSe;
/// assert_eq!("nonrobust".parse::<DidSe>()?, DidSe::Pooled);
/// assert_eq!(DidSe::default().name(), "hc1");
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum DidSe {
    /// Classical OLS: one residual variance pooled over the four cells, t with N − 4 df
    /// (statsmodels `OLS(...).fit()`).
    Pooled,
    /// HC1 heteroscedasticity-robust, normal reference (statsmodels `OLS(...).fit(cov_type="HC1")`),
    /// the default: churn variance differs between cells.
    #[default]
    Hc1,
}

crate::named_enum!(DidSe, "se", {
    Pooled => "pooled" | "nonrobust",
    Hc1 => "hc1" | "HC1",
});

/// Options of [`diff_in_diff`].
///
/// ```
/// use voc_core::impact::effect::{DidOptions, DidSe};
/// let o = DidOptions::default().se(DidSe::Pooled).confidence(0.9);
/// assert!(o.validate().is_ok());
/// assert_eq!(DidOptions::default().se, DidSe::Hc1);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct DidOptions {
    /// Confidence level (default 0.95).
    pub confidence: f64,
    /// Standard error (default [`DidSe::Hc1`]).
    pub se: DidSe,
}

impl Default for DidOptions {
    fn default() -> Self {
        DidOptions {
            confidence: 0.95,
            se: DidSe::Hc1,
        }
    }
}

impl DidOptions {
    /// Checks the options (the confidence level lies in (0, 1)), returning the level.
    ///
    /// ```
    /// assert!(voc_core::impact::effect::DidOptions::default().confidence(2.0).validate().is_err());
    /// ```
    pub fn validate(&self) -> Result<f64> {
        check_confidence(self.confidence)
    }
}

crate::setters!(DidOptions {
    confidence: f64,
    se: DidSe
});

/// A cell of a difference-in-differences from a proportion: `k` events of `n` customers, as a mean of
/// 0/1 outcomes with sample variance p(1 − p)·n/(n − 1).
///
/// ```
/// let c = voc_core::impact::effect::proportion_cell(25.0, 100.0)?;
/// assert_eq!(c.mean, 0.25);
/// assert!((c.variance - 0.1875 * 100.0 / 99.0).abs() < 1e-15);
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn proportion_cell(k: f64, n: f64) -> Result<MeanSummary> {
    check_rate("cell", k, n)?;
    let p = k / n;
    let variance = if n > 1.0 {
        p * (1.0 - p) * n / (n - 1.0)
    } else {
        0.0
    };
    Ok(MeanSummary {
        mean: p,
        variance,
        n,
    })
}

/// Rows behind the four cells of [`diff_in_diff`] together (Σ n).
///
/// ```
/// use voc_core::impact::effect::{did_n, proportion_cell};
/// let cells = [
///     proportion_cell(200.0, 1000.0)?, proportion_cell(120.0, 900.0)?,
///     proportion_cell(190.0, 800.0)?, proportion_cell(180.0, 700.0)?,
/// ];
/// assert_eq!(did_n(&cells), 3400.0);
/// # Ok::<(), voc_core::Error>(())
/// ```
#[must_use]
pub fn did_n(cells: &[MeanSummary; 4]) -> f64 {
    cells.iter().map(|c| c.n).sum()
}

/// Difference-in-differences `(treated_after − treated_before) − (control_after − control_before)` from
/// four cell summaries (mean, ddof-1 variance, n) — churn rates via [`proportion_cell`] or mean spend.
///
/// The estimate equals the interaction coefficient of the saturated OLS `y ~ 1 + treated + after +
/// treated·after`; its standard error is the plain pooled OLS one (t with N − 4 df) or HC1 (normal), as
/// statsmodels (tolerance 1e-10). Cells are `[treated_before, treated_after, control_before, control_after]`.
///
/// ```
/// use voc_core::impact::effect::{diff_in_diff, proportion_cell, DidOptions};
/// let cells = [
///     proportion_cell(200.0, 1000.0)?, proportion_cell(120.0, 1000.0)?,
///     proportion_cell(190.0, 1000.0)?, proportion_cell(180.0, 1000.0)?,
/// ];
/// let d = diff_in_diff(&cells, &DidOptions::default())?;
/// assert!((d.difference + 0.07).abs() < 1e-12 && d.ci.high < 0.0);
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn diff_in_diff(cells: &[MeanSummary; 4], opts: &DidOptions) -> Result<TestResult> {
    let level = opts.validate()?;
    for (index, c) in cells.iter().enumerate() {
        for value in [c.mean, c.variance, c.n] {
            if !value.is_finite() {
                return Err(Error::NonFinite {
                    arg: "cells",
                    index,
                    value,
                });
            }
        }
        if !(c.n >= 1.0) || c.variance < 0.0 {
            return Err(Error::InvalidValue {
                arg: "cells",
                index,
                value: c.n,
                reason: "each cell needs n >= 1 and a non-negative variance",
            });
        }
    }
    let [tb, ta, cb, ca] = cells;
    let difference = (ta.mean - tb.mean) - (ca.mean - cb.mean);
    let big_n: f64 = cells.iter().map(|c| c.n).sum();
    let df = big_n - 4.0;
    if !(df > 0.0) {
        return Err(Error::InsufficientData(format!(
            "a difference-in-differences needs more than 4 observations, got {big_n}"
        )));
    }
    // Residual sum of squares of each cell: (n − 1)·s².
    let ss = |c: &MeanSummary| (c.n - 1.0) * c.variance;
    let (var, t_df) = match opts.se {
        DidSe::Pooled => {
            let sigma2 = cells.iter().map(ss).sum::<f64>() / df;
            (
                sigma2 * cells.iter().map(|c| 1.0 / c.n).sum::<f64>(),
                Some(df),
            )
        }
        DidSe::Hc1 => (
            big_n / df * cells.iter().map(|c| ss(c) / (c.n * c.n)).sum::<f64>(),
            None,
        ),
    };
    let se_v = var.sqrt();
    if !(difference.is_finite() && se_v.is_finite()) {
        let largest = cells
            .iter()
            .flat_map(|c| [c.mean.abs(), c.variance])
            .fold(0.0, f64::max);
        return Err(Error::too_large(
            "cells",
            format!("{largest:e}"),
            "differences and variances within ±1.8e308",
            "the difference-in-differences or its standard error overflows a double; rescale the outcome",
        ));
    }
    if !(se_v > 0.0) {
        return Err(Error::InsufficientData(
            "every cell has zero variance, so the difference has no standard error".into(),
        ));
    }
    let statistic = difference / se_v;
    let (crit, p_value, method) = match t_df {
        Some(df) => (
            t_quantile(0.5 + 0.5 * level, df)?,
            t_two_sided_p(statistic, df)?,
            Method::StudentT,
        ),
        None => (
            normal_quantile(0.5 + 0.5 * level),
            normal_two_sided_p(statistic),
            Method::Wald,
        ),
    };
    Ok(TestResult {
        difference,
        se: se_v,
        statistic,
        df: t_df,
        p_value,
        ci: Interval {
            low: difference - crit * se_v,
            high: difference + crit * se_v,
            level,
            method,
        },
    })
}

/// The four cell summaries of a difference-in-differences from customer rows: outcome `y` (0/1 churn
/// or spend), `treated` and `after` flags (0/1), in the order [`diff_in_diff`] takes. One pass.
///
/// ```
/// use voc_core::impact::effect::did_cells;
/// let y = [1.0, 0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 1.0];
/// let treated = [1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0];
/// let after = [0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 1.0, 1.0];
/// let c = did_cells(&y, &treated, &after)?;
/// assert_eq!((c[0].mean, c[1].mean, c[2].mean, c[3].mean), (0.5, 0.0, 1.0, 0.5));
/// // A NaN outcome is a missing value, ±inf not finite.
/// let mut holes = y;
/// holes[3] = f64::NAN;
/// assert!(matches!(did_cells(&holes, &treated, &after), Err(voc_core::Error::Missing { arg: "y", index: 3 })));
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn did_cells(y: &[f64], treated: &[f64], after: &[f64]) -> Result<[MeanSummary; 4]> {
    crate::error::check_len("y", y.len(), "treated", treated.len())?;
    crate::error::check_len("y", y.len(), "after", after.len())?;
    let mut sums = [crate::stats::NeumaierSum::default(); 4];
    let mut n = [0.0_f64; 4];
    let flag = |arg: &'static str, index: usize, v: f64| -> Result<usize> {
        label(arg, index, v).map(usize::from)
    };
    let mut cell = Vec::with_capacity(y.len());
    for (index, ((&v, &t), &a)) in y.iter().zip(treated).zip(after).enumerate() {
        if v.is_nan() {
            return Err(Error::Missing { arg: "y", index });
        }
        if !v.is_finite() {
            return Err(Error::NonFinite {
                arg: "y",
                index,
                value: v,
            });
        }
        // Cells in the order treated-before, treated-after, control-before, control-after.
        let c = 2 * (1 - flag("treated", index, t)?) + flag("after", index, a)?;
        sums[c].add(v);
        n[c] += 1.0;
        cell.push(c as u8);
    }
    if let Some(empty) = n.iter().position(|&k| k == 0.0) {
        return Err(Error::InsufficientData(format!(
            "cell {} of the difference-in-differences has no rows",
            [
                "treated-before",
                "treated-after",
                "control-before",
                "control-after"
            ][empty]
        )));
    }
    let means: Vec<f64> = (0..4).map(|c| sums[c].value() / n[c]).collect();
    let mut ss = [crate::stats::NeumaierSum::default(); 4];
    for (&v, &c) in y.iter().zip(&cell) {
        let c = c as usize;
        ss[c].add((v - means[c]) * (v - means[c]));
    }
    let out = |c: usize| MeanSummary {
        mean: means[c],
        variance: if n[c] > 1.0 {
            ss[c].value() / (n[c] - 1.0)
        } else {
            0.0
        },
        n: n[c],
    };
    Ok([out(0), out(1), out(2), out(3)])
}
