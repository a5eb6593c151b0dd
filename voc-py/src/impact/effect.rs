//! Bindings: effect measurement: before/after, holdout, difference-in-differences, sample size and minimum detectable effect.

use pyo3::prelude::*;
use pyo3::types::PyDict;
use voc_core::impact::effect::{
    self as core, Design, DidOptions, DidSe, EffectOptions, PowerMethod, SampleSize,
};
use voc_core::stats::MeanSummary;

use super::contingency::{put_ci, put_ratio, put_share, put_test};
use crate::convert::numbers;
use crate::error::{IntoPy, raise_named};

/// Registers this part of `voc.impact`.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_impact_before_after, m)?)?;
    m.add_function(wrap_pyfunction!(_impact_rate_ratio, m)?)?;
    m.add_function(wrap_pyfunction!(_impact_holdout, m)?)?;
    m.add_function(wrap_pyfunction!(_impact_diff_in_diff, m)?)?;
    m.add_function(wrap_pyfunction!(_impact_sample_size, m)?)?;
    Ok(())
}

/// Before/after change in a rate.
#[pyfunction]
#[pyo3(signature = (before, after, confidence))]
fn _impact_before_after<'py>(
    py: Python<'py>,
    before: (f64, f64),
    after: (f64, f64),
    confidence: f64,
) -> PyResult<Bound<'py, PyDict>> {
    let opts = EffectOptions::default().confidence(confidence);
    let r = core::before_after(before, after, &opts).py_err(py)?;
    let d = PyDict::new(py);
    put_share(&d, "before", &r.before)?;
    put_share(&d, "after", &r.after)?;
    put_test(&d, "change", &r.change)?;
    put_ratio(&d, "ratio", &r.ratio)?;
    d.set_item("relative_change", r.relative_change)?;
    Ok(d)
}

/// Poisson rate ratio.
#[pyfunction]
#[pyo3(signature = (count1, exposure1, count2, exposure2, confidence))]
fn _impact_rate_ratio<'py>(
    py: Python<'py>,
    count1: f64,
    exposure1: f64,
    count2: f64,
    exposure2: f64,
    confidence: f64,
) -> PyResult<Bound<'py, PyDict>> {
    let opts = EffectOptions::default().confidence(confidence);
    let r = core::rate_ratio(count1, exposure1, count2, exposure2, &opts).py_err(py)?;
    let d = PyDict::new(py);
    d.set_item("count1", r.count1)?;
    d.set_item("exposure1", r.exposure1)?;
    d.set_item("count2", r.count2)?;
    d.set_item("exposure2", r.exposure2)?;
    d.set_item("rate1", r.rate1)?;
    d.set_item("rate2", r.rate2)?;
    d.set_item("ratio", r.ratio)?;
    d.set_item("change", r.change)?;
    put_ci(&d, "ratio_ci", &r.ci)?;
    d.set_item("p_value", r.p_value)?;
    put_ci(&d, "ratio_ci_exact", &r.ci_exact)?;
    d.set_item("p_value_exact", r.p_exact)?;
    Ok(d)
}

/// Holdout comparison.
#[pyfunction]
#[pyo3(signature = (treated, control, confidence))]
fn _impact_holdout<'py>(
    py: Python<'py>,
    treated: (f64, f64),
    control: (f64, f64),
    confidence: f64,
) -> PyResult<Bound<'py, PyDict>> {
    let opts = EffectOptions::default().confidence(confidence);
    let h = core::holdout(treated, control, &opts).py_err(py)?;
    let d = PyDict::new(py);
    put_share(&d, "treated", &h.treated)?;
    put_share(&d, "control", &h.control)?;
    d.set_item("difference", h.difference)?;
    put_ci(&d, "difference_ci", &h.ci)?;
    d.set_item("p_value", h.p_value)?;
    put_ratio(&d, "risk_ratio", &h.risk_ratio)?;
    d.set_item("relative_reduction", h.relative_reduction)?;
    put_ci(&d, "relative_reduction_ci", &h.relative_reduction_ci)?;
    Ok(d)
}

/// Difference-in-differences from four (mean, variance, n) cells or from rows (y, treated, after).
#[pyfunction]
#[pyo3(signature = (cells, y, treated, after, se, confidence))]
#[allow(clippy::too_many_arguments)]
fn _impact_diff_in_diff<'py>(
    py: Python<'py>,
    cells: Option<[(f64, f64, f64); 4]>,
    y: Option<&Bound<'py, PyAny>>,
    treated: Option<&Bound<'py, PyAny>>,
    after: Option<&Bound<'py, PyAny>>,
    se: &str,
    confidence: f64,
) -> PyResult<Bound<'py, PyDict>> {
    let opts = DidOptions::default()
        .confidence(confidence)
        .se(se.parse::<DidSe>().py_err(py)?);
    let cells: [MeanSummary; 4] = match (cells, y, treated, after) {
        (Some(c), _, _, _) => c.map(|(mean, variance, n)| MeanSummary { mean, variance, n }),
        (None, Some(y), Some(t), Some(a)) => {
            let y = numbers(y, "y")?.nulls_as_nan().into_f64();
            let t = numbers(t, "treated")?.nulls_as_nan().into_f64();
            let a = numbers(a, "after")?.nulls_as_nan().into_f64();
            let (ys, ts, as_) = (y.as_slice(), t.as_slice(), a.as_slice());
            py.detach(|| core::did_cells(ys, ts, as_)).py_err(py)?
        }
        _ => {
            return Err(raise_named(
                py,
                "InputError",
                "give either the four cells or the y, treated and after columns".into(),
                None,
            ));
        }
    };
    let r = core::diff_in_diff(&cells, &opts).py_err(py)?;
    let d = PyDict::new(py);
    put_test(&d, "did", &r)?;
    d.set_item("se_method", se)?;
    let names = [
        "treated_before",
        "treated_after",
        "control_before",
        "control_after",
    ];
    for (name, c) in names.iter().zip(&cells) {
        d.set_item(format!("{name}_mean"), c.mean)?;
        d.set_item(format!("{name}_n"), c.n)?;
    }
    Ok(d)
}

fn put_size(d: &Bound<'_, PyDict>, s: &SampleSize, method: &str) -> PyResult<()> {
    d.set_item("p_treated", s.p_treated)?;
    d.set_item("p_control", s.p_control)?;
    d.set_item("n_treated", s.n_treated)?;
    d.set_item("n_control", s.n_control)?;
    d.set_item("effect_size", s.effect_size)?;
    d.set_item("alpha", s.design.alpha)?;
    d.set_item("power", s.design.power)?;
    d.set_item("ratio", s.design.ratio)?;
    d.set_item("method", method)?;
    Ok(())
}

/// Sample size (when `p_treated` is given) or minimum detectable effect (when `n_treated` is given).
#[pyfunction]
#[pyo3(signature = (p_control, p_treated, n_treated, alpha, power, ratio, method))]
#[allow(clippy::too_many_arguments)]
fn _impact_sample_size<'py>(
    py: Python<'py>,
    p_control: f64,
    p_treated: Option<f64>,
    n_treated: Option<f64>,
    alpha: f64,
    power: f64,
    ratio: f64,
    method: &str,
) -> PyResult<Bound<'py, PyDict>> {
    let design = Design::default()
        .alpha(alpha)
        .power(power)
        .ratio(ratio)
        .method(method.parse::<PowerMethod>().py_err(py)?);
    let s = match (p_treated, n_treated) {
        (Some(p), _) => core::sample_size(p, p_control, &design).py_err(py)?,
        (None, Some(n)) => core::minimum_detectable_effect(p_control, n, &design).py_err(py)?,
        (None, None) => {
            return Err(raise_named(
                py,
                "InputError",
                "give p_treated (for a sample size) or n_treated (for a detectable effect)".into(),
                None,
            ));
        }
    };
    let d = PyDict::new(py);
    put_size(&d, &s, method)?;
    Ok(d)
}
