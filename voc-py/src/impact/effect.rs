//! Bindings: effect measurement: before/after, holdout, difference-in-differences, sample size and minimum detectable effect.

use pyo3::prelude::*;
use voc_core::Error;
use voc_core::impact::effect::{
    self as core, Design, DidOptions, DidSe, EffectOptions, PowerMethod, SampleSize,
};
use voc_core::stats::MeanSummary;

use crate::convert::numbers_or_bools as numbers;
use crate::error::IntoPy;
use crate::impact_result;

/// Registers this part of `voc.impact`.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<BeforeAfterResult>()?;
    m.add_class::<RateRatioResult>()?;
    m.add_class::<HoldoutResult>()?;
    m.add_class::<DiffInDiffResult>()?;
    m.add_class::<SampleSizeResult>()?;
    m.add_function(wrap_pyfunction!(_impact_before_after, m)?)?;
    m.add_function(wrap_pyfunction!(_impact_rate_ratio, m)?)?;
    m.add_function(wrap_pyfunction!(_impact_holdout, m)?)?;
    m.add_function(wrap_pyfunction!(_impact_diff_in_diff, m)?)?;
    m.add_function(wrap_pyfunction!(_impact_sample_size, m)?)?;
    Ok(())
}

impact_result! {
    /// Change in a rate between two periods (see `voc.impact.before_after`): the difference after −
    /// before with its Wald interval and pooled z test, each period's rate (Wilson), and the ratio.
    BeforeAfterResult {
        /// after − before.
        estimate: f64,
        /// Standard error of the difference (unpooled).
        se: f64,
        /// Pooled z statistic.
        statistic: f64,
        /// Two-sided p of the pooled z test.
        p_value: f64,
        /// Lower end of the Wald interval of the difference.
        ci_low: f64,
        /// Upper end of the Wald interval of the difference.
        ci_high: f64,
        /// Level of every interval.
        confidence: f64,
        /// Customers in both periods.
        n: f64,
        /// Rate before.
        rate_before: f64,
        /// Lower end of its Wilson interval.
        rate_before_ci_low: f64,
        /// Upper end of its Wilson interval.
        rate_before_ci_high: f64,
        /// Events before.
        events_before: f64,
        /// Customers before.
        n_before: f64,
        /// Rate after.
        rate_after: f64,
        /// Lower end of its Wilson interval.
        rate_after_ci_low: f64,
        /// Upper end of its Wilson interval.
        rate_after_ci_high: f64,
        /// Events after.
        events_after: f64,
        /// Customers after.
        n_after: f64,
        /// after ÷ before (Katz log interval).
        ratio: f64,
        /// Lower end of the ratio's interval.
        ratio_ci_low: f64,
        /// Upper end of the ratio's interval.
        ratio_ci_high: f64,
        /// (after − before) ÷ before.
        relative_change: f64,
    }
}

impact_result! {
    /// Poisson rate ratio (count1/exposure1) ÷ (count2/exposure2) (see `voc.impact.rate_ratio`):
    /// Wald-log interval and p (`estimate`, `ci_low`, `ci_high`, `p_value`) and the exact conditional
    /// ones.
    RateRatioResult {
        /// The rate ratio.
        estimate: f64,
        /// Lower end of the Wald-log interval.
        ci_low: f64,
        /// Upper end of the Wald-log interval.
        ci_high: f64,
        /// Wald-log p (statsmodels "wald-log").
        p_value: f64,
        /// Lower end of the exact conditional interval.
        ci_low_exact: f64,
        /// Upper end of the exact conditional interval.
        ci_high_exact: f64,
        /// Exact conditional p (statsmodels "exact-cond").
        p_value_exact: f64,
        /// Level of the intervals.
        confidence: f64,
        /// Method of `ci_low`, `ci_high` and `p_value`.
        method: String,
        /// Events of the first period.
        count1: f64,
        /// Exposure of the first period.
        exposure1: f64,
        /// Events of the second period.
        count2: f64,
        /// Exposure of the second period.
        exposure2: f64,
        /// count1 / exposure1.
        rate1: f64,
        /// count2 / exposure2.
        rate2: f64,
        /// Relative change, ratio − 1.
        change: f64,
    }
}

impact_result! {
    /// Treated against control churn (see `voc.impact.holdout`): the difference treated − control with
    /// Newcombe's interval and the pooled z p, each group's rate (Wilson), the risk ratio and the
    /// relative reduction. `voc.impact.roi(holdout=...)` takes it as it is.
    HoldoutResult {
        /// treated − control (negative when the programme reduced churn).
        estimate: f64,
        /// Lower end of Newcombe's interval of the difference.
        ci_low: f64,
        /// Upper end of Newcombe's interval of the difference.
        ci_high: f64,
        /// Two-sided p of the pooled two-proportion z test.
        p_value: f64,
        /// Interval method of the difference ("newcombe").
        method: String,
        /// Level of every interval.
        confidence: f64,
        /// Customers in both groups.
        n: f64,
        /// Churn of the treated.
        rate_treated: f64,
        /// Lower end of its Wilson interval.
        rate_treated_ci_low: f64,
        /// Upper end of its Wilson interval.
        rate_treated_ci_high: f64,
        /// Churners among the treated.
        events_treated: f64,
        /// Treated customers.
        n_treated: f64,
        /// Churn of the control group.
        rate_control: f64,
        /// Lower end of its Wilson interval.
        rate_control_ci_low: f64,
        /// Upper end of its Wilson interval.
        rate_control_ci_high: f64,
        /// Churners in the control group.
        events_control: f64,
        /// Control customers.
        n_control: f64,
        /// treated ÷ control (Katz log interval).
        risk_ratio: f64,
        /// Lower end of the risk ratio's interval.
        risk_ratio_ci_low: f64,
        /// Upper end of the risk ratio's interval.
        risk_ratio_ci_high: f64,
        /// 1 − risk ratio.
        relative_reduction: f64,
        /// Lower end of its interval (1 − the risk ratio's upper end).
        relative_reduction_ci_low: f64,
        /// Upper end of its interval.
        relative_reduction_ci_high: f64,
    }
    hidden { core: core::Holdout }
}

impact_result! {
    /// Difference-in-differences (treated_after − treated_before) − (control_after − control_before)
    /// (see `voc.impact.diff_in_diff`), with the cell means and sizes.
    DiffInDiffResult {
        /// The difference in differences.
        estimate: f64,
        /// Its standard error (HC1 or pooled OLS, see `method`).
        se: f64,
        /// z (HC1) or t (pooled) statistic.
        statistic: f64,
        /// Degrees of freedom of the t test (None for the normal HC1 test).
        df: Option<f64>,
        /// Two-sided p-value.
        p_value: f64,
        /// Lower end of the interval.
        ci_low: f64,
        /// Upper end of the interval.
        ci_high: f64,
        /// Level of the interval.
        confidence: f64,
        /// Standard-error method: "hc1" or "pooled".
        method: String,
        /// Rows in the four cells.
        n: f64,
        /// Mean of the treated before.
        treated_before_mean: f64,
        /// Rows of the treated before.
        treated_before_n: f64,
        /// Mean of the treated after.
        treated_after_mean: f64,
        /// Rows of the treated after.
        treated_after_n: f64,
        /// Mean of the control before.
        control_before_mean: f64,
        /// Rows of the control before.
        control_before_n: f64,
        /// Mean of the control after.
        control_after_mean: f64,
        /// Rows of the control after.
        control_after_n: f64,
    }
}

impact_result! {
    /// Sample size, or minimum detectable effect, of a two-group churn comparison (see
    /// `voc.impact.sample_size` and `voc.impact.minimum_detectable_effect`).
    SampleSizeResult {
        /// Treated churn rate (given, or the lowest detectable).
        p_treated: f64,
        /// Control churn rate.
        p_control: f64,
        /// Treated customers.
        n_treated: f64,
        /// Control customers (ratio × n_treated).
        n_control: f64,
        /// Effect size (Cohen's h, or the difference for "classic").
        effect_size: f64,
        /// Two-sided significance level of the test.
        alpha: f64,
        /// Power.
        power: f64,
        /// Controls per treated customer.
        ratio: f64,
        /// "cohen_h" or "classic".
        method: String,
    }
}

/// `(events, customers)` from a Python sequence of two numbers.
fn pair(py: Python<'_>, v: &[f64], arg: &'static str) -> PyResult<(f64, f64)> {
    match v {
        &[k, n] => Ok((k, n)),
        _ => Err(Error::option(
            arg,
            format!("{} numbers", v.len()),
            "give (events, customers)",
        ))
        .py_err(py),
    }
}

/// Before/after change in a rate.
#[pyfunction]
#[pyo3(signature = (before, after, confidence))]
fn _impact_before_after(
    py: Python<'_>,
    #[pyo3(from_py_with = crate::convert_args::reals)] before: Vec<f64>,
    #[pyo3(from_py_with = crate::convert_args::reals)] after: Vec<f64>,
    #[pyo3(from_py_with = crate::convert_args::real)] confidence: f64,
) -> PyResult<BeforeAfterResult> {
    let (before, after) = (pair(py, &before, "before")?, pair(py, &after, "after")?);
    let opts = EffectOptions::default().confidence(confidence);
    let r = crate::guard::run(py, "voc.impact.before_after", || {
        core::before_after(before, after, &opts)
    })?
    .py_err(py)?;
    let (b, a, c) = (&r.before, &r.after, &r.change);
    Ok(BeforeAfterResult {
        estimate: c.difference,
        se: c.se,
        statistic: c.statistic,
        p_value: c.p_value,
        ci_low: c.ci.low,
        ci_high: c.ci.high,
        confidence: c.ci.level,
        n: r.n(),
        rate_before: b.estimate,
        rate_before_ci_low: b.ci.low,
        rate_before_ci_high: b.ci.high,
        events_before: b.successes,
        n_before: b.n,
        rate_after: a.estimate,
        rate_after_ci_low: a.ci.low,
        rate_after_ci_high: a.ci.high,
        events_after: a.successes,
        n_after: a.n,
        ratio: r.ratio.estimate,
        ratio_ci_low: r.ratio.ci.low,
        ratio_ci_high: r.ratio.ci.high,
        relative_change: r.relative_change,
    })
}

/// Poisson rate ratio.
#[pyfunction]
#[pyo3(signature = (count1, exposure1, count2, exposure2, confidence))]
fn _impact_rate_ratio(
    py: Python<'_>,
    #[pyo3(from_py_with = crate::convert_args::real)] count1: f64,
    #[pyo3(from_py_with = crate::convert_args::real)] exposure1: f64,
    #[pyo3(from_py_with = crate::convert_args::real)] count2: f64,
    #[pyo3(from_py_with = crate::convert_args::real)] exposure2: f64,
    #[pyo3(from_py_with = crate::convert_args::real)] confidence: f64,
) -> PyResult<RateRatioResult> {
    let opts = EffectOptions::default().confidence(confidence);
    let r = crate::guard::detach(py, "voc.impact.rate_ratio", || {
        core::rate_ratio(count1, exposure1, count2, exposure2, &opts)
    })
    .py_err(py)?;
    Ok(RateRatioResult {
        estimate: r.ratio,
        ci_low: r.ci.low,
        ci_high: r.ci.high,
        p_value: r.p_value,
        ci_low_exact: r.ci_exact.low,
        ci_high_exact: r.ci_exact.high,
        p_value_exact: r.p_exact,
        confidence: r.ci.level,
        method: r.ci.method.name().to_owned(),
        count1: r.count1,
        exposure1: r.exposure1,
        count2: r.count2,
        exposure2: r.exposure2,
        rate1: r.rate1,
        rate2: r.rate2,
        change: r.change,
    })
}

/// Holdout comparison.
#[pyfunction]
#[pyo3(signature = (treated, control, confidence))]
fn _impact_holdout(
    py: Python<'_>,
    #[pyo3(from_py_with = crate::convert_args::reals)] treated: Vec<f64>,
    #[pyo3(from_py_with = crate::convert_args::reals)] control: Vec<f64>,
    #[pyo3(from_py_with = crate::convert_args::real)] confidence: f64,
) -> PyResult<HoldoutResult> {
    let (treated, control) = (
        pair(py, &treated, "treated")?,
        pair(py, &control, "control")?,
    );
    let opts = EffectOptions::default().confidence(confidence);
    let h = crate::guard::run(py, "voc.impact.holdout", || {
        core::holdout(treated, control, &opts)
    })?
    .py_err(py)?;
    let (t, c) = (&h.treated, &h.control);
    Ok(HoldoutResult {
        estimate: h.difference,
        ci_low: h.ci.low,
        ci_high: h.ci.high,
        p_value: h.p_value,
        method: h.ci.method.name().to_owned(),
        confidence: h.ci.level,
        n: h.n(),
        rate_treated: t.estimate,
        rate_treated_ci_low: t.ci.low,
        rate_treated_ci_high: t.ci.high,
        events_treated: t.successes,
        n_treated: t.n,
        rate_control: c.estimate,
        rate_control_ci_low: c.ci.low,
        rate_control_ci_high: c.ci.high,
        events_control: c.successes,
        n_control: c.n,
        risk_ratio: h.risk_ratio.estimate,
        risk_ratio_ci_low: h.risk_ratio.ci.low,
        risk_ratio_ci_high: h.risk_ratio.ci.high,
        relative_reduction: h.relative_reduction,
        relative_reduction_ci_low: h.relative_reduction_ci.low,
        relative_reduction_ci_high: h.relative_reduction_ci.high,
        core: h,
    })
}

/// Difference-in-differences from four (mean, variance, n) cells or from rows (y, treated, after).
#[pyfunction]
#[pyo3(signature = (data, cells, y, treated, after, se, confidence))]
#[allow(clippy::too_many_arguments)]
fn _impact_diff_in_diff<'py>(
    py: Python<'py>,
    data: Option<&Bound<'py, PyAny>>,
    #[pyo3(from_py_with = crate::convert_args::opt_real_rows)] cells: Option<Vec<Vec<f64>>>,
    y: Option<&Bound<'py, PyAny>>,
    treated: Option<&Bound<'py, PyAny>>,
    after: Option<&Bound<'py, PyAny>>,
    #[pyo3(from_py_with = crate::convert_args::text)] se: &str,
    #[pyo3(from_py_with = crate::convert_args::real)] confidence: f64,
) -> PyResult<DiffInDiffResult> {
    let opts = DidOptions::default()
        .confidence(confidence)
        .se(se.parse::<DidSe>().py_err(py)?);
    // Each role: a column name of `data` or a column (read only without `cells`).
    let (y, treated, after) = if cells.is_some() {
        (None, None, None)
    } else {
        (
            crate::convert::optional(data, y, "y")?,
            crate::convert::optional(data, treated, "treated")?,
            crate::convert::optional(data, after, "after")?,
        )
    };
    let (y, treated, after) = (y.as_ref(), treated.as_ref(), after.as_ref());
    let cells: [MeanSummary; 4] = match (cells, y, treated, after) {
        (Some(c), _, _, _) => {
            let bad = || {
                Error::option(
                    "cells",
                    format!("{} cells", c.len()),
                    "give four (mean, variance, n) cells: treated-before, treated-after, control-before, control-after",
                )
            };
            let mut out = [MeanSummary {
                mean: 0.0,
                variance: 0.0,
                n: 0.0,
            }; 4];
            if c.len() != 4 {
                return Err(bad()).py_err(py);
            }
            for (slot, cell) in out.iter_mut().zip(&c) {
                let &[mean, variance, n] = cell.as_slice() else {
                    return Err(bad()).py_err(py);
                };
                *slot = MeanSummary { mean, variance, n };
            }
            out
        }
        (None, Some(y), Some(t), Some(a)) => {
            let y = numbers(y, "y")?.nulls_as_nan().into_f64();
            let t = numbers(t, "treated")?.nulls_as_nan().into_f64();
            let a = numbers(a, "after")?.nulls_as_nan().into_f64();
            let (ys, ts, as_) = (y.as_slice(), t.as_slice(), a.as_slice());
            crate::guard::detach(py, "voc.impact.diff_in_diff", || {
                core::did_cells(ys, ts, as_)
            })
            .py_err(py)?
        }
        _ => {
            return Err(Error::option(
                "cells",
                "None",
                "give either the four cells or the y, treated and after columns",
            ))
            .py_err(py);
        }
    };
    let r = crate::guard::run(py, "voc.impact.diff_in_diff", || {
        core::diff_in_diff(&cells, &opts)
    })?
    .py_err(py)?;
    let [tb, ta, cb, ca] = cells;
    Ok(DiffInDiffResult {
        estimate: r.difference,
        se: r.se,
        statistic: r.statistic,
        df: r.df,
        p_value: r.p_value,
        ci_low: r.ci.low,
        ci_high: r.ci.high,
        confidence: r.ci.level,
        method: se.to_owned(),
        n: core::did_n(&cells),
        treated_before_mean: tb.mean,
        treated_before_n: tb.n,
        treated_after_mean: ta.mean,
        treated_after_n: ta.n,
        control_before_mean: cb.mean,
        control_before_n: cb.n,
        control_after_mean: ca.mean,
        control_after_n: ca.n,
    })
}

fn size_result(s: &SampleSize, method: &str) -> SampleSizeResult {
    SampleSizeResult {
        p_treated: s.p_treated,
        p_control: s.p_control,
        n_treated: s.n_treated,
        n_control: s.n_control,
        effect_size: s.effect_size,
        alpha: s.design.alpha,
        power: s.design.power,
        ratio: s.design.ratio,
        method: method.to_owned(),
    }
}

/// Sample size (when `p_treated` is given) or minimum detectable effect (when `n_treated` is given).
#[pyfunction]
#[pyo3(signature = (p_control, p_treated, n_treated, alpha, power, ratio, method))]
#[allow(clippy::too_many_arguments)]
fn _impact_sample_size(
    py: Python<'_>,
    #[pyo3(from_py_with = crate::convert_args::real)] p_control: f64,
    #[pyo3(from_py_with = crate::convert_args::opt_real)] p_treated: Option<f64>,
    #[pyo3(from_py_with = crate::convert_args::opt_real)] n_treated: Option<f64>,
    #[pyo3(from_py_with = crate::convert_args::real)] alpha: f64,
    #[pyo3(from_py_with = crate::convert_args::real)] power: f64,
    #[pyo3(from_py_with = crate::convert_args::real)] ratio: f64,
    #[pyo3(from_py_with = crate::convert_args::text)] method: &str,
) -> PyResult<SampleSizeResult> {
    let design = Design::default()
        .alpha(alpha)
        .power(power)
        .ratio(ratio)
        .method(method.parse::<PowerMethod>().py_err(py)?);
    let s = match (p_treated, n_treated) {
        (Some(p), _) => crate::guard::run(py, "voc.impact.sample_size", || {
            core::sample_size(p, p_control, &design)
        })?
        .py_err(py)?,
        (None, Some(n)) => crate::guard::run(py, "voc.impact.minimum_detectable_effect", || {
            core::minimum_detectable_effect(p_control, n, &design)
        })?
        .py_err(py)?,
        (None, None) => {
            return Err(Error::option(
                "p_treated",
                "None",
                "give p_treated (for a sample size) or n_treated (for a detectable effect)",
            ))
            .py_err(py);
        }
    };
    Ok(size_result(&s, method))
}
