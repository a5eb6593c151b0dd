//! `voc.compare` and `voc.nps_test`: tests on results.

use super::*;

/// Tests the difference `a − b` of two results of the same metric: NPS by the Wald z-test of Rocks
/// (2016), CSAT by the two-proportion z-test on the satisfied share, CES by Welch's t-test on the mean.
///
/// >>> import voc
/// >>> t = voc.compare(voc.nps([10, 9, 9, 10, 7] * 40), voc.nps([6, 9, 3, 8, 10] * 40))
/// >>> round(t.estimate, 1), t.significant
/// (80.0, True)
#[pyfunction]
#[pyo3(signature = (a, b, /, *, confidence=None))]
pub fn compare(
    py: Python<'_>,
    a: &Bound<'_, PyAny>,
    b: &Bound<'_, PyAny>,
    #[pyo3(from_py_with = crate::convert_args::opt_real)] confidence: Option<f64>,
) -> PyResult<PyTestResult> {
    let t: Result<TestResult, Error> = if let (Ok(x), Ok(y)) =
        (a.cast::<NpsResult>(), b.cast::<NpsResult>())
    {
        let (x, y) = (&x.get().inner, &y.get().inner);
        let opts = NpsOptions::default().confidence(confidence.unwrap_or(x.ci.level));
        Nps::compare(x, y, &opts)
    } else if let (Ok(x), Ok(y)) = (a.cast::<CsatResult>(), b.cast::<CsatResult>()) {
        let (x, y) = (&x.get().inner, &y.get().inner);
        let opts = CsatOptions::default().confidence(confidence.unwrap_or(x.satisfied.ci.level));
        Csat::compare(x, y, &opts)
    } else if let (Ok(x), Ok(y)) = (a.cast::<CesResult>(), b.cast::<CesResult>()) {
        let (x, y) = (&x.get().inner, &y.get().inner);
        let opts = CesOptions::default().confidence(confidence.unwrap_or(x.easy.ci.level));
        Ces::compare(x, y, &opts)
    } else {
        Err(Error::Incompatible(format!(
            "compare() takes two results of the same metric (NpsResult, CsatResult or CesResult), got {} and {}",
            a.get_type().name()?,
            b.get_type().name()?
        )))
    };
    Ok(PyTestResult::from(t.py_err(py)?))
}

/// One-sample Wald test of an NPS against `null` points (R `NPS::nps.test`, which tests against 0).
///
/// >>> import voc
/// >>> round(voc.nps_test(voc.nps([10, 10, 9, 9, 8, 7, 3, 10, 9, 2]), 0).p_value, 6)
/// 0.113846
#[pyfunction]
#[pyo3(signature = (result, /, null=0.0, *, confidence=None))]
pub fn nps_test(
    py: Python<'_>,
    #[pyo3(from_py_with = crate::convert_args::instance::<NpsResult>)] result: Bound<'_, NpsResult>,
    #[pyo3(from_py_with = crate::convert_args::real)] null: f64,
    #[pyo3(from_py_with = crate::convert_args::opt_real)] confidence: Option<f64>,
) -> PyResult<PyTestResult> {
    let r = &result.get().inner;
    let opts =
        voc_core::metrics::NpsOptions::default().confidence(confidence.unwrap_or(r.ci.level));
    let t = crate::guard::run(py, "voc.nps_test", || {
        voc_core::metrics::nps_test(r, null, &opts)
    })?
    .py_err(py)?;
    Ok(PyTestResult::from(t))
}
