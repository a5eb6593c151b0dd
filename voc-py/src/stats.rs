//! `voc.stats`: proportion intervals and tests on summary numbers, and the test-result class.

use pyo3::prelude::*;
use pyo3::types::PyDict;
use voc_core::stats::{
    self, Adjustment, IntervalOptions, MeanSummary, ShareInterval, TestOptions, TestResult,
};

use crate::error::IntoPy;

/// Outcome of a two-sided test of a difference (first minus second).
#[pyclass(frozen, name = "TestResult", module = "voc._voc")]
pub struct PyTestResult {
    inner: TestResult,
}

crate::pickled!(PyTestResult);

impl From<TestResult> for PyTestResult {
    fn from(inner: TestResult) -> Self {
        PyTestResult { inner }
    }
}

#[pymethods]
impl PyTestResult {
    /// The estimated difference (docs/conventions.md: `estimate`).
    #[getter]
    fn estimate(&self) -> f64 {
        self.inner.difference
    }
    /// Lower bound of the interval of the difference.
    #[getter]
    fn ci_low(&self) -> f64 {
        self.inner.ci.low
    }
    /// Upper bound of the interval of the difference.
    #[getter]
    fn ci_high(&self) -> f64 {
        self.inner.ci.high
    }
    /// Standard error of the difference (the one its interval uses).
    #[getter]
    fn se(&self) -> f64 {
        self.inner.se
    }
    /// Test statistic (z or t).
    #[getter]
    fn statistic(&self) -> f64 {
        self.inner.statistic
    }
    /// Degrees of freedom (t tests), else None.
    #[getter]
    fn df(&self) -> Option<f64> {
        self.inner.df
    }
    /// Two-sided p-value.
    #[getter]
    fn p_value(&self) -> f64 {
        self.inner.p_value
    }
    /// Interval of the difference (low, high).
    #[getter]
    fn ci(&self) -> (f64, f64) {
        (self.inner.ci.low, self.inner.ci.high)
    }
    /// Confidence level.
    #[getter]
    fn confidence(&self) -> f64 {
        self.inner.ci.level
    }
    /// Interval method.
    #[getter]
    fn method(&self) -> &'static str {
        self.inner.ci.method.name()
    }
    /// Whether p < 1 − confidence.
    #[getter]
    fn significant(&self) -> bool {
        self.inner.significant(1.0 - self.inner.ci.level)
    }
    /// All fields as a dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("estimate", self.estimate())?;
        d.set_item("se", self.se())?;
        d.set_item("statistic", self.statistic())?;
        d.set_item("df", self.df())?;
        d.set_item("p_value", self.p_value())?;
        d.set_item("ci_low", self.ci_low())?;
        d.set_item("ci_high", self.ci_high())?;
        d.set_item("confidence", self.confidence())?;
        d.set_item("method", self.method())?;
        d.set_item("significant", self.significant())?;
        Ok(d)
    }
    /// The fields as a notebook table.
    fn _repr_html_(&self, py: Python<'_>) -> PyResult<String> {
        fields_html("TestResult", &self.to_dict(py)?)
    }
    fn __repr__(&self) -> String {
        let t = &self.inner;
        format!(
            "TestResult(estimate={:.4}, ci=({:.4}, {:.4}) [{} {:.0}%], statistic={:.3}, p_value={}{})",
            t.difference,
            t.ci.low,
            t.ci.high,
            t.ci.method.name(),
            100.0 * t.ci.level,
            t.statistic,
            if t.p_value < 1e-4 {
                format!("{:.2e}", t.p_value)
            } else {
                format!("{:.4}", t.p_value)
            },
            t.df.map_or(String::new(), |d| format!(", df={d:.1}"))
        )
    }
}

/// The notebook table of a result's fields.
fn fields_html(name: &str, fields: &Bound<'_, PyDict>) -> PyResult<String> {
    let mut html = format!("<p><b>voc {name}</b></p><table>");
    for (k, v) in fields.iter() {
        html.push_str(&format!(
            "<tr><th style='text-align:left'>{}</th><td>{}</td></tr>",
            crate::table::escape(&k.str()?.to_string()),
            crate::table::escape(&v.str()?.to_string())
        ));
    }
    html.push_str("</table>");
    Ok(html)
}

/// What a [`ProportionInterval`] holds.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ProportionParts {
    successes: f64,
    n: f64,
    low: f64,
    high: f64,
    method: String,
    confidence: f64,
}

crate::plain_checked!(ProportionParts);

/// A proportion `successes / n` with its confidence interval (`voc.stats.proportion_ci`).
#[pyclass(frozen, module = "voc._voc")]
pub struct ProportionInterval {
    inner: ProportionParts,
}

crate::pickled!(ProportionInterval);

#[pymethods]
impl ProportionInterval {
    /// The proportion, `successes / n`.
    #[getter]
    fn estimate(&self) -> f64 {
        self.inner.successes / self.inner.n
    }
    /// Lower bound of the interval.
    #[getter]
    fn ci_low(&self) -> f64 {
        self.inner.low
    }
    /// Upper bound of the interval.
    #[getter]
    fn ci_high(&self) -> f64 {
        self.inner.high
    }
    /// Number of successes.
    #[getter]
    fn successes(&self) -> f64 {
        self.inner.successes
    }
    /// Number of trials.
    #[getter]
    fn n(&self) -> f64 {
        self.inner.n
    }
    /// The interval's method: `wilson`, `wilson_cc`, `clopper_pearson` or `wald`.
    #[getter]
    fn method(&self) -> &str {
        &self.inner.method
    }
    /// The confidence level.
    #[getter]
    fn confidence(&self) -> f64 {
        self.inner.confidence
    }
    /// The fields as a dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("estimate", self.estimate())?;
        d.set_item("ci_low", self.ci_low())?;
        d.set_item("ci_high", self.ci_high())?;
        d.set_item("successes", self.successes())?;
        d.set_item("n", self.n())?;
        d.set_item("method", self.method())?;
        d.set_item("confidence", self.confidence())?;
        Ok(d)
    }
    fn _repr_html_(&self, py: Python<'_>) -> PyResult<String> {
        fields_html("ProportionInterval", &self.to_dict(py)?)
    }
    fn __repr__(&self) -> String {
        format!(
            "ProportionInterval(estimate={:.6}, ci_low={:.6}, ci_high={:.6}, n={}, method={:?})",
            self.estimate(),
            self.inner.low,
            self.inner.high,
            self.inner.n,
            self.inner.method
        )
    }
}

/// Confidence interval of a proportion `successes / n`; `interval` is "wilson" (default), "wilson_cc",
/// "clopper_pearson" or "wald" (matching `scipy.stats.binomtest(k, n).proportion_ci`).
///
/// >>> import voc
/// >>> r = voc.stats.proportion_ci(7, 50)
/// >>> round(r.estimate, 2), round(r.ci_low, 6), round(r.ci_high, 6), r.method
/// (0.14, 0.069508, 0.261862, 'wilson')
#[pyfunction]
#[pyo3(signature = (successes, n, /, *, confidence=0.95, interval="wilson"))]
pub fn proportion_ci(
    py: Python<'_>,
    #[pyo3(from_py_with = crate::convert_args::real)] successes: f64,
    #[pyo3(from_py_with = crate::convert_args::real)] n: f64,
    #[pyo3(from_py_with = crate::convert_args::real)] confidence: f64,
    #[pyo3(from_py_with = crate::convert_args::text)] interval: &str,
) -> PyResult<ProportionInterval> {
    let m = interval.parse::<ShareInterval>().py_err(py)?;
    let opts = IntervalOptions::default().confidence(confidence).method(m);
    let ci = crate::guard::run(py, "voc.stats.proportion_ci", || {
        stats::proportion_interval(successes, n, &opts)
    })?
    .py_err(py)?;
    Ok(ProportionInterval {
        inner: ProportionParts {
            successes,
            n,
            low: ci.low,
            high: ci.high,
            method: interval.to_owned(),
            confidence,
        },
    })
}

/// Two-proportion z-test of `k1/n1` against `k2/n2` (pooled statistic, unpooled Wald interval).
///
/// >>> import voc
/// >>> t = voc.stats.two_proportion_test(30, 200, 18, 210)  # 15.0% against 8.6%
/// >>> round(t.estimate, 4), [round(x, 4) for x in t.ci], round(t.p_value, 3)
/// (0.0643, [0.002, 0.1266], 0.043)
#[pyfunction]
#[pyo3(signature = (k1, n1, k2, n2, /, *, confidence=0.95))]
pub fn two_proportion_test(
    py: Python<'_>,
    #[pyo3(from_py_with = crate::convert_args::real)] k1: f64,
    #[pyo3(from_py_with = crate::convert_args::real)] n1: f64,
    #[pyo3(from_py_with = crate::convert_args::real)] k2: f64,
    #[pyo3(from_py_with = crate::convert_args::real)] n2: f64,
    #[pyo3(from_py_with = crate::convert_args::real)] confidence: f64,
) -> PyResult<PyTestResult> {
    let opts = TestOptions::default().confidence(confidence);
    Ok(crate::guard::run(py, "voc.stats.two_proportion_test", || {
        stats::two_proportion_test(k1, n1, k2, n2, &opts)
    })?
    .py_err(py)?
    .into())
}

/// Welch's t-test from summary statistics (as `scipy.stats.ttest_ind_from_stats(..., equal_var=False)`).
///
/// >>> import voc
/// >>> t = voc.stats.welch_test(3.9, 1.1, 120, 3.5, 1.3, 140)
/// >>> round(t.estimate, 2), round(t.statistic, 4), round(t.p_value, 4)
/// (0.4, 2.6874, 0.0077)
#[pyfunction]
#[pyo3(signature = (mean1, std1, nobs1, mean2, std2, nobs2, /, *, confidence=0.95))]
#[allow(clippy::too_many_arguments)]
pub fn welch_test(
    py: Python<'_>,
    #[pyo3(from_py_with = crate::convert_args::real)] mean1: f64,
    #[pyo3(from_py_with = crate::convert_args::real)] std1: f64,
    #[pyo3(from_py_with = crate::convert_args::real)] nobs1: f64,
    #[pyo3(from_py_with = crate::convert_args::real)] mean2: f64,
    #[pyo3(from_py_with = crate::convert_args::real)] std2: f64,
    #[pyo3(from_py_with = crate::convert_args::real)] nobs2: f64,
    #[pyo3(from_py_with = crate::convert_args::real)] confidence: f64,
) -> PyResult<PyTestResult> {
    let opts = TestOptions::default().confidence(confidence);
    let named = |e: voc_core::Error| {
        e.renamed("variance1", "std1")
            .renamed("variance2", "std2")
            .renamed("n1", "nobs1")
            .renamed("n2", "nobs2")
    };
    Ok(crate::guard::run(py, "voc.stats.welch_test", || {
        let a = MeanSummary::from_std(mean1, std1, nobs1).map_err(|e| e.renamed("std", "std1"))?;
        let b = MeanSummary::from_std(mean2, std2, nobs2).map_err(|e| e.renamed("std", "std2"))?;
        stats::welch_t_test(&a, &b, &opts).map_err(named)
    })?
    .py_err(py)?
    .into())
}

/// Adjusts p-values for multiple testing: `method` is "holm" (family-wise error rate, the default) or
/// "bh" (Benjamini–Hochberg false discovery rate), as statsmodels `multipletests(p, method)[1]`. NaN
/// entries are left out of the family and stay NaN.
///
/// >>> import voc
/// >>> [round(x, 6) for x in voc.stats.adjust_p_values([0.01, 0.04, 0.03, 0.005])]
/// [0.03, 0.06, 0.06, 0.02]
#[pyfunction]
#[pyo3(signature = (p_values, /, *, method="holm"))]
pub fn adjust_p_values(
    py: Python<'_>,
    #[pyo3(from_py_with = crate::convert_args::reals)] p_values: Vec<f64>,
    #[pyo3(from_py_with = crate::convert_args::text)] method: &str,
) -> PyResult<Vec<f64>> {
    let m = method.parse::<Adjustment>().py_err(py)?;
    crate::guard::run(py, "voc.stats.adjust_p_values", || {
        stats::adjust_p_values(&p_values, m)
    })?
    .py_err(py)
}
