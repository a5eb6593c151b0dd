//! `voc.retention`: Cox proportional hazards and the concordance index.

use super::*;

// ---------------------------------------------------------------- Cox

#[derive(Clone)]
struct CoxInner {
    fit: core::CoxPh,
    names: Vec<String>,
}

/// A fitted Cox proportional-hazards model: `summary()` as lifelines' `summary` (coef, exp(coef), se,
/// z, p, intervals), log-likelihood, likelihood-ratio test and concordance.
#[pyclass(frozen, module = "voc._voc")]
pub struct CoxResult {
    inner: CoxInner,
}

/// What `__reduce__` returns: the rebuilding function and its arguments (core bytes, names).
type Reduced<'py> = (Bound<'py, PyAny>, (Bound<'py, PyBytes>, Vec<String>));

/// Pickles as the core's versioned byte form and the covariate names.
#[pymethods]
impl CoxResult {
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Reduced<'py>> {
        let state = PyBytes::new(py, &self.inner.fit.to_bytes());
        let rebuild = py.get_type::<CoxResult>().getattr("_from_state")?;
        Ok((rebuild, (state, self.inner.names.clone())))
    }
    /// Rebuilds a result from its pickled state.
    #[staticmethod]
    fn _from_state(py: Python<'_>, data: &[u8], names: Vec<String>) -> PyResult<Self> {
        let fit = core::CoxPh::from_bytes(data).py_err(py)?;
        if names.len() != fit.coef.len() {
            return Err(voc_core::Error::Decode {
                what: "Cox model",
                reason: format!("{} names for {} covariates", names.len(), fit.coef.len()),
            })
            .py_err(py);
        }
        Ok(CoxResult {
            inner: CoxInner { fit, names },
        })
    }
    /// Equal when the names and every field are equal bit for bit.
    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other.cast::<CoxResult>().is_ok_and(|o| {
            let o = &o.get().inner;
            o.names == self.inner.names && o.fit.to_bytes() == self.inner.fit.to_bytes()
        })
    }
}

#[pymethods]
impl CoxResult {
    /// Covariate names.
    #[getter]
    fn names(&self) -> Vec<String> {
        self.inner.names.clone()
    }
    /// Coefficients (log hazard ratios).
    #[getter]
    fn coef<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        pyfloat_list(py, &self.inner.fit.coef)
    }
    /// Standard errors.
    #[getter]
    fn se<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        pyfloat_list(py, &self.inner.fit.se)
    }
    /// Hazard ratios exp(coef).
    #[getter]
    fn hazard_ratio<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        pyfloat_list(py, &self.inner.fit.hazard_ratio)
    }
    /// Two-sided p-values of the Wald tests.
    #[getter]
    fn p_value<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        pyfloat_list(py, &self.inner.fit.p_value)
    }
    /// Covariance matrix of the coefficients.
    #[getter]
    fn covariance<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let p = self.inner.fit.coef.len();
        PyArray1::from_slice(py, &self.inner.fit.covariance).reshape([p, p])
    }
    /// Partial log-likelihood (minus the penalty when penalised, as lifelines `log_likelihood_`).
    #[getter]
    #[allow(clippy::misnamed_getters)] // lifelines' log_likelihood_ includes the penalty
    fn log_likelihood(&self) -> f64 {
        self.inner.fit.penalized_log_likelihood
    }
    /// Partial log-likelihood at β = 0.
    #[getter]
    fn null_log_likelihood(&self) -> f64 {
        self.inner.fit.null_log_likelihood
    }
    /// Likelihood-ratio test against β = 0: (statistic, df, p_value).
    #[getter]
    fn lr_test(&self) -> (f64, usize, f64) {
        let f = &self.inner.fit;
        (f.lr_statistic, f.lr_df, f.lr_p_value)
    }
    /// Harrell's concordance index.
    #[getter]
    fn concordance(&self) -> f64 {
        self.inner.fit.concordance
    }
    /// Subjects.
    #[getter]
    fn n(&self) -> usize {
        self.inner.fit.n
    }
    /// Observed events.
    #[getter]
    fn n_events(&self) -> usize {
        self.inner.fit.n_events
    }
    /// Newton–Raphson iterations.
    #[getter]
    fn iterations(&self) -> usize {
        self.inner.fit.iterations
    }
    /// Ties method ("efron" or "breslow").
    #[getter]
    fn ties(&self) -> &'static str {
        self.inner.fit.ties.name()
    }
    /// L2 penalty.
    #[getter]
    fn penalizer(&self) -> f64 {
        self.inner.fit.penalizer
    }
    /// Confidence level.
    #[getter]
    fn confidence(&self) -> f64 {
        self.inner.fit.confidence
    }
    /// Coefficient table: covariate, coef, exp_coef, se, z, p, ci_low, ci_high, exp_ci_low, exp_ci_high.
    fn summary(&self, py: Python<'_>) -> PyResult<Table> {
        let f = &self.inner.fit;
        let mut cols = Columns::default();
        for (j, name) in self.inner.names.iter().enumerate() {
            cols.push(vec![
                ("covariate", Value::Str(Some(name.clone()))),
                ("coef", Value::F64(f.coef[j])),
                ("exp_coef", Value::F64(f.hazard_ratio[j])),
                ("se", Value::F64(f.se[j])),
                ("z", Value::F64(f.z[j])),
                ("p", Value::F64(f.p_value[j])),
                ("ci_low", Value::F64(f.ci_low[j])),
                ("ci_high", Value::F64(f.ci_high[j])),
                ("exp_ci_low", Value::F64(f.ci_low[j].exp())),
                ("exp_ci_high", Value::F64(f.ci_high[j].exp())),
            ]);
        }
        cols.into_table(py, "cox_ph".into(), None)
    }
    /// Linear predictor x·β of each row of a 2-D array (the log partial hazard up to a constant).
    fn predict_log_hazard<'py>(
        &self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let x = crate::matrix::matrix(x, "x")?;
        let x = x.as_array();
        let v = py
            .detach(|| self.inner.fit.linear_predictor(x))
            .py_err(py)?;
        Ok(PyArray1::from_vec(py, v))
    }
    /// Fit statistics as a dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        let f = &self.inner.fit;
        d.set_item("names", self.names())?;
        d.set_item("coef", f.coef.clone())?;
        d.set_item("se", f.se.clone())?;
        d.set_item("log_likelihood", self.log_likelihood())?;
        d.set_item("lr_test", self.lr_test())?;
        d.set_item("concordance", f.concordance)?;
        d.set_item("n", f.n)?;
        d.set_item("n_events", f.n_events)?;
        d.set_item("ties", self.ties())?;
        d.set_item("penalizer", f.penalizer)?;
        Ok(d)
    }
    fn __repr__(&self) -> String {
        let f = &self.inner.fit;
        let coefs: Vec<String> = self
            .inner
            .names
            .iter()
            .zip(&f.coef)
            .map(|(n, c)| format!("{n}={c:.4}"))
            .collect();
        format!(
            "CoxResult({}; ties={}, n={}, events={}, loglik={:.4}, concordance={:.4})",
            coefs.join(", "),
            self.ties(),
            f.n,
            f.n_events,
            f.penalized_log_likelihood,
            f.concordance
        )
    }
}

/// Cox proportional hazards (Efron ties as lifelines `CoxPHFitter`, or Breslow as statsmodels `PHReg`).
#[pyfunction]
#[pyo3(signature = (covariates, durations, events, /, *, names=None, ties="efron", penalizer=0.0, confidence=0.95, max_iter=50, tol=1e-9))]
#[allow(clippy::too_many_arguments)]
pub fn cox_ph(
    py: Python<'_>,
    covariates: &Bound<'_, PyAny>,
    durations: &Bound<'_, PyAny>,
    events: &Bound<'_, PyAny>,
    names: Option<Vec<String>>,
    ties: &str,
    penalizer: f64,
    confidence: f64,
    max_iter: usize,
    tol: f64,
) -> PyResult<CoxResult> {
    let x = crate::matrix::matrix(covariates, "covariates")?;
    let x = x.as_array();
    let p = x.ncols();
    let d = floats(durations, "durations")?;
    let e = floats(events, "events")?;
    let names = names.unwrap_or_else(|| (0..p).map(|j| format!("x{j}")).collect());
    if names.len() != p {
        return Err(voc_core::Error::LengthMismatch {
            arg: "names",
            len: names.len(),
            other: "covariates (columns)",
            other_len: p,
        })
        .py_err(py);
    }
    let opts = CoxOptions::default()
        .ties(parse_ties(ties).py_err(py)?)
        .penalizer(penalizer)
        .confidence(confidence)
        .max_iter(max_iter)
        .tol(tol);
    let (d, e) = (d.as_slice(), e.as_slice());
    let fit = py.detach(|| core::cox_ph(x, d, e, &opts)).py_err(py)?;
    Ok(CoxResult {
        inner: CoxInner { fit, names },
    })
}

/// The ties method in any letter case (as the binding always accepted).
fn parse_ties(ties: &str) -> voc_core::Result<Ties> {
    ties.parse()
        .or_else(|e| ties.to_ascii_lowercase().parse().map_err(|_| e))
}

/// Harrell's concordance index of risk scores (higher score = earlier event), as lifelines
/// `concordance_index(durations, -scores, events)`.
///
/// >>> import voc
/// >>> voc.retention.concordance_index([5.0, 8.0, 12.0, 20.0], [0.9, 0.5, 0.4, 0.1], [1, 1, 1, 1])  # higher score, longer survival
/// 1.0
#[pyfunction]
#[pyo3(signature = (durations, scores, events, /))]
pub fn concordance_index(
    py: Python<'_>,
    durations: &Bound<'_, PyAny>,
    scores: &Bound<'_, PyAny>,
    events: &Bound<'_, PyAny>,
) -> PyResult<f64> {
    let d = floats(durations, "durations")?;
    let s = floats(scores, "scores")?;
    let e = floats(events, "events")?;
    let (d, s, e) = (d.as_slice(), s.as_slice(), e.as_slice());
    py.detach(|| core::concordance_index(d, s, e)).py_err(py)
}
