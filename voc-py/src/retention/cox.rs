//! `voc.retention`: the Cox proportional-hazards model and the concordance index.

use numpy::PyReadonlyArray2;
use numpy::ndarray::{Array2, ShapeBuilder};

use super::*;

// ---------------------------------------------------------------- Cox

/// A fitted Cox proportional-hazards model (`voc.retention.fit_cox`): `summary()` (lifelines'
/// `summary`: coef, hazard_ratio, se, z, p_value and both intervals), the fit statistics as typed
/// attributes, `predict_log_partial_hazard` / `predict_partial_hazard` (centred on the training means,
/// as lifelines), `to_bytes` / `from_bytes` and pickle (the core's versioned byte form, with the
/// covariate names).
#[pyclass(frozen, module = "voc._voc")]
pub struct CoxModel {
    inner: core::CoxPh,
}

crate::core_pickled!(CoxModel, core::CoxPh);

impl CoxModel {
    /// The covariates of `x` in the model's order: a DataFrame's columns are picked by name (a missing
    /// one is a `ColumnNotFoundError`), a 2-D array is read as it is (columns in the model's order).
    fn design<'py>(&self, x: &Bound<'py, PyAny>) -> PyResult<PyReadonlyArray2<'py, f64>> {
        let py = x.py();
        let names = &self.inner.names;
        let is_array = x.cast::<numpy::PyUntypedArray>().is_ok();
        let listing = if x.hasattr("column_names")? {
            "column_names" // pyarrow (whose `columns` are the arrays)
        } else {
            "columns"
        };
        if !is_array && x.hasattr(listing)? {
            let have: Vec<String> = x
                .getattr(listing)?
                .try_iter()?
                .map(|c| c.and_then(|c| c.str().map(|s| s.to_string())))
                .collect::<PyResult<_>>()?;
            if have != *names {
                if let Some(lost) = names.iter().find(|n| !have.contains(n)) {
                    return Err(raise_named(
                        py,
                        "ColumnNotFoundError",
                        format!(
                            "x has no column {lost:?}, a covariate of the model (covariates: {names:?}; columns: {have:?})"
                        ),
                        Some("x"),
                    ));
                }
                let wanted = PyList::new(py, names)?;
                let picked = if x.hasattr("select")? && listing == "column_names" {
                    x.call_method1("select", (wanted,))
                } else {
                    x.get_item(wanted)
                }
                .map_err(|e| {
                    let kind = x.get_type().name().map_or_else(|_| "table".into(), |n| n.to_string());
                    raise_named(
                        py,
                        "DtypeError",
                        format!(
                            "x: cannot pick the covariate columns {names:?} from a {kind} ({e}); pass a pandas or polars DataFrame, or a 2-D array with the covariates in the model's order"
                        ),
                        Some("x"),
                    )
                })?;
                return crate::matrix::matrix(&picked, "x");
            }
        }
        crate::matrix::matrix(x, "x")
    }
}

#[pymethods]
impl CoxModel {
    /// Covariate names, in the order of `coef`.
    #[getter]
    fn names(&self) -> Vec<String> {
        self.inner.names.clone()
    }
    /// Coefficients (log hazard ratios).
    #[getter]
    fn coef<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        pyfloat_list(py, &self.inner.coef)
    }
    /// Standard errors of the coefficients.
    #[getter]
    fn se<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        pyfloat_list(py, &self.inner.se)
    }
    /// Wald z = coef / se.
    #[getter]
    fn z<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        pyfloat_list(py, &self.inner.z)
    }
    /// Two-sided p-values of the Wald tests.
    #[getter]
    fn p_value<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        pyfloat_list(py, &self.inner.p_value)
    }
    /// Lower bounds of the coefficients' intervals at `confidence`.
    #[getter]
    fn ci_low<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        pyfloat_list(py, &self.inner.ci_low)
    }
    /// Upper bounds of the coefficients' intervals.
    #[getter]
    fn ci_high<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        pyfloat_list(py, &self.inner.ci_high)
    }
    /// Hazard ratios exp(coef).
    #[getter]
    fn hazard_ratio<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        pyfloat_list(py, &self.inner.hazard_ratio)
    }
    /// Covariance matrix of the coefficients.
    #[getter]
    fn covariance<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let p = self.inner.coef.len();
        PyArray1::from_slice(py, &self.inner.covariance).reshape([p, p])
    }
    /// Training mean of each covariate: the centre of the predicted log partial hazards.
    #[getter]
    fn mean<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        pyfloat_list(py, &self.inner.mean)
    }
    /// Partial log-likelihood (minus the penalty when penalised, as lifelines `log_likelihood_`).
    #[getter]
    #[allow(clippy::misnamed_getters)] // lifelines' log_likelihood_ includes the penalty
    fn log_likelihood(&self) -> f64 {
        self.inner.penalized_log_likelihood
    }
    /// Partial log-likelihood at β = 0.
    #[getter]
    fn null_log_likelihood(&self) -> f64 {
        self.inner.null_log_likelihood
    }
    /// Likelihood-ratio statistic against β = 0 (lifelines `log_likelihood_ratio_test()`).
    #[getter]
    fn lr_statistic(&self) -> f64 {
        self.inner.lr_statistic
    }
    /// Degrees of freedom of the likelihood-ratio test (covariates).
    #[getter]
    fn lr_df(&self) -> usize {
        self.inner.lr_df
    }
    /// χ² p-value of the likelihood-ratio test.
    #[getter]
    fn lr_p_value(&self) -> f64 {
        self.inner.lr_p_value
    }
    /// Harrell's concordance index of the fitted log partial hazards.
    #[getter]
    fn concordance(&self) -> f64 {
        self.inner.concordance
    }
    /// Subjects used.
    #[getter]
    fn n(&self) -> usize {
        self.inner.n
    }
    /// Observed events.
    #[getter]
    fn n_events(&self) -> usize {
        self.inner.n_events
    }
    /// Rows left out as missing (`missing="skip"`).
    #[getter]
    fn n_missing(&self) -> usize {
        self.inner.n_missing
    }
    /// Newton–Raphson iterations.
    #[getter]
    fn iterations(&self) -> usize {
        self.inner.iterations
    }
    /// Ties method ("efron" or "breslow").
    #[getter]
    fn ties(&self) -> &'static str {
        self.inner.ties.name()
    }
    /// L2 penalty.
    #[getter]
    fn penalizer(&self) -> f64 {
        self.inner.penalizer
    }
    /// Confidence level of the intervals.
    #[getter]
    fn confidence(&self) -> f64 {
        self.inner.confidence
    }
    /// Coefficient table, a row per covariate: covariate, coef, hazard_ratio, se, z, p_value, ci_low,
    /// ci_high (of coef), hazard_ratio_ci_low, hazard_ratio_ci_high.
    fn summary(&self, py: Python<'_>) -> PyResult<Table> {
        let rows = self.inner.summary();
        let mut b = TableBuilder::new(py);
        let names: Vec<Option<&str>> = rows.iter().map(|r| Some(r.name.as_str())).collect();
        b.strings("covariate", &names)?;
        b.field("coef", &rows, |r| r.coef);
        b.field("hazard_ratio", &rows, |r| r.hazard_ratio);
        b.field("se", &rows, |r| r.se);
        b.field("z", &rows, |r| r.z);
        b.field("p_value", &rows, |r| r.p_value);
        b.field("ci_low", &rows, |r| r.ci_low);
        b.field("ci_high", &rows, |r| r.ci_high);
        b.field("hazard_ratio_ci_low", &rows, |r| r.hazard_ratio_ci_low);
        b.field("hazard_ratio_ci_high", &rows, |r| r.hazard_ratio_ci_high);
        Ok(b.finish("cox", None))
    }
    /// Log partial hazard (x − mean)·β of each row of `x` (a DataFrame holding the covariates, or a 2-D
    /// array of them in the model's order), as lifelines `predict_log_partial_hazard`.
    fn predict_log_partial_hazard<'py>(
        &self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let x = self.design(x)?;
        let x = x.as_array();
        let v = crate::guard::detach(
            py,
            "voc.retention.CoxModel.predict_log_partial_hazard",
            || self.inner.log_partial_hazard(x),
        )
        .py_err(py)?;
        Ok(PyArray1::from_vec(py, v))
    }
    /// Partial hazard exp((x − mean)·β) of each row of `x`, as lifelines `predict_partial_hazard`.
    fn predict_partial_hazard<'py>(
        &self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let x = self.design(x)?;
        let x = x.as_array();
        let v = crate::guard::detach(py, "voc.retention.CoxModel.predict_partial_hazard", || {
            self.inner.partial_hazard(x)
        })
        .py_err(py)?;
        Ok(PyArray1::from_vec(py, v))
    }
    /// The fit statistics as a dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        let f = &self.inner;
        d.set_item("names", self.names())?;
        d.set_item("coef", f.coef.clone())?;
        d.set_item("se", f.se.clone())?;
        d.set_item("p_value", f.p_value.clone())?;
        d.set_item("log_likelihood", self.log_likelihood())?;
        d.set_item("null_log_likelihood", f.null_log_likelihood)?;
        d.set_item("lr_statistic", f.lr_statistic)?;
        d.set_item("lr_df", f.lr_df)?;
        d.set_item("lr_p_value", f.lr_p_value)?;
        d.set_item("concordance", f.concordance)?;
        d.set_item("n", f.n)?;
        d.set_item("n_events", f.n_events)?;
        d.set_item("n_missing", f.n_missing)?;
        d.set_item("ties", self.ties())?;
        d.set_item("penalizer", f.penalizer)?;
        d.set_item("confidence", f.confidence)?;
        Ok(d)
    }
    fn _repr_html_(&self, py: Python<'_>) -> PyResult<String> {
        result_html(py, "CoxModel", &self.to_dict(py)?, Some(self.summary(py)?))
    }
    fn __repr__(&self) -> String {
        let f = &self.inner;
        let coefs: Vec<String> = f
            .names
            .iter()
            .zip(&f.coef)
            .map(|(n, c)| format!("{n}={c:.4}"))
            .collect();
        format!(
            "CoxModel({}; ties={}, n={}, events={}, loglik={:.4}, concordance={:.4})",
            coefs.join(", "),
            self.ties(),
            f.n,
            f.n_events,
            f.penalized_log_likelihood,
            f.concordance
        )
    }
}

/// Covariates as a matrix: the columns given one by one (read by the column reader, nulls as NaN, laid
/// out column-major without another copy), or a 2-D array / DataFrame read as it is.
enum Design<'py> {
    Columns(Array2<f64>),
    Matrix(PyReadonlyArray2<'py, f64>),
}

fn columns_matrix(
    py: Python<'_>,
    columns: &[Bound<'_, PyAny>],
    names: Option<&[String]>,
    n: usize,
) -> PyResult<Array2<f64>> {
    let mut values: Vec<f64> = Vec::with_capacity(n * columns.len());
    for (j, col) in columns.iter().enumerate() {
        let v = convert::numbers_or_bools(col, "covariates")
            .map_err(|e| match names.and_then(|n| n.get(j)) {
                // A column that is not numeric is named.
                Some(name) => crate::matrix::in_column(py, e, "covariates", name),
                None => e,
            })?
            .nulls_as_nan()
            .into_f64();
        let v = v.as_slice();
        if v.len() != n {
            return Err(Error::LengthMismatch {
                arg: "covariates (rows)",
                len: v.len(),
                other: "durations",
                other_len: n,
            })
            .py_err(py);
        }
        values.extend_from_slice(v);
    }
    // invariant: every column holds n values (checked above), so the shape fits.
    Array2::from_shape_vec((n, columns.len()).f(), values)
        .map_err(|e| Error::Incompatible(format!("covariates: {e}")))
        .py_err(py)
}

/// The covariates of `fit_cox`: the named columns (names and columns) or one matrix.
enum Covariates<'py> {
    Columns(Vec<String>, Vec<Bound<'py, PyAny>>),
    Matrix(Bound<'py, PyAny>),
}

/// Resolves `covariates=` (see `voc.retention.fit_cox`): a list of column names of `data` (or of
/// columns), a table (every column), a 2-D array; without it, every column of `data` that no other
/// role names (or `data` itself when it is a matrix).
fn covariates<'py>(
    py: Python<'py>,
    data: Option<&Bound<'py, PyAny>>,
    covariates: Option<&Bound<'py, PyAny>>,
    roles: &[Option<&Bound<'py, PyAny>>],
) -> PyResult<Covariates<'py>> {
    let covariates = covariates.filter(|c| !c.is_none());
    let data = data.filter(|d| !d.is_none());
    match (covariates, data) {
        (None, None) => Err(Error::option(
            "covariates",
            "None",
            "give the covariate columns (names of data's columns, a table or a 2-D array)",
        ))
        .py_err(py),
        (None, Some(data)) => match convert::table_names(data)? {
            None => Ok(Covariates::Matrix(data.clone())),
            Some(all) => {
                let named: Vec<String> = roles
                    .iter()
                    .flatten()
                    .filter_map(|r| r.extract::<String>().ok())
                    .collect();
                let keep: Vec<String> = all.into_iter().filter(|c| !named.contains(c)).collect();
                let list = PyList::new(data.py(), &keep)?;
                let (names, cols) = convert::role_list(Some(data), list.as_any(), "covariates")?;
                Ok(Covariates::Columns(names, cols))
            }
        },
        (Some(c), data) => {
            if c.is_instance_of::<PyList>() || c.is_instance_of::<PyTuple>() {
                let (names, cols) = convert::role_list(data, c, "covariates")?;
                Ok(Covariates::Columns(names, cols))
            } else if let Some(all) = convert::table_names(c)? {
                let list = PyList::new(c.py(), &all)?;
                let (names, cols) = convert::role_list(Some(c), list.as_any(), "covariates")?;
                Ok(Covariates::Columns(names, cols))
            } else {
                Ok(Covariates::Matrix(c.clone()))
            }
        }
    }
}

/// Cox proportional hazards (see `voc.retention.fit_cox`): each role a column name of `data` or a
/// column; `covariates` as [`covariates`] reads it.
#[pyfunction]
#[pyo3(signature = (data, *, durations, events, event_observed, covariates, ties, penalizer, confidence, max_iter, tol, missing))]
#[allow(clippy::too_many_arguments)]
pub fn _retention_fit_cox(
    py: Python<'_>,
    data: Option<&Bound<'_, PyAny>>,
    durations: &Bound<'_, PyAny>,
    events: Option<&Bound<'_, PyAny>>,
    event_observed: Option<&Bound<'_, PyAny>>,
    covariates: Option<&Bound<'_, PyAny>>,
    #[pyo3(from_py_with = crate::convert_args::text)] ties: &str,
    #[pyo3(from_py_with = crate::convert_args::real)] penalizer: f64,
    #[pyo3(from_py_with = crate::convert_args::real)] confidence: f64,
    #[pyo3(from_py_with = crate::convert_args::whole::<usize>)] max_iter: usize,
    #[pyo3(from_py_with = crate::convert_args::real)] tol: f64,
    #[pyo3(from_py_with = crate::convert_args::text)] missing: &str,
) -> PyResult<CoxModel> {
    let (dur, ev) = survival_roles(data, durations, events, event_observed)?;
    let covariates = self::covariates(
        py,
        data,
        covariates,
        &[Some(durations), events, event_observed],
    )?;
    let policy = convert::missing_policy(missing).py_err(py)?;
    let ties = ties.parse::<Ties>().py_err(py)?;
    let (d, e) = survival(&dur, ev.as_ref())?;
    let (design, names) = match &covariates {
        Covariates::Columns(names, cols) => (
            Design::Columns(columns_matrix(py, cols, Some(names), d.as_slice().len())?),
            Some(names.clone()),
        ),
        Covariates::Matrix(m) => (
            Design::Matrix(crate::matrix::matrix(m, "covariates")?),
            None,
        ),
    };
    let x = match &design {
        Design::Columns(a) => a.view(),
        Design::Matrix(m) => m.as_array(),
    };
    if policy == MissingPolicy::Error {
        // A NaN or infinite covariate names its row and column (by the core's default names `x0`,
        // `x1`, ... when none were given).
        let default: Vec<String> = (0..x.ncols()).map(|j| format!("x{j}")).collect();
        crate::matrix::check_cells(
            py,
            x,
            "covariates",
            Some(names.as_deref().unwrap_or(&default)),
            "; pass missing=\"skip\" to leave such rows out",
        )?;
    }
    let opts = CoxOptions::default()
        .ties(ties)
        .penalizer(penalizer)
        .confidence(confidence)
        .max_iter(max_iter)
        .tol(tol)
        .missing(policy);
    let (d, e) = (d.as_slice(), e.as_slice());
    let data = core::CoxData::new(x, d, e);
    let data = match &names {
        Some(names) => data.names(names),
        None => data,
    };
    let inner = crate::guard::detach(py, "voc.retention.fit_cox", || {
        voc_core::Fit::fit(&opts, data)
    })
    .py_err(py)?;
    Ok(CoxModel { inner })
}

/// Harrell's concordance index (see `voc.retention.concordance_index`): each role a column name of
/// `data` or a column.
#[pyfunction]
#[pyo3(signature = (data, *, durations, scores, events, event_observed))]
pub fn _retention_concordance_index(
    py: Python<'_>,
    data: Option<&Bound<'_, PyAny>>,
    durations: &Bound<'_, PyAny>,
    scores: &Bound<'_, PyAny>,
    events: Option<&Bound<'_, PyAny>>,
    event_observed: Option<&Bound<'_, PyAny>>,
) -> PyResult<f64> {
    let (durations, events) = survival_roles(data, durations, events, event_observed)?;
    let scores = convert::required(data, scores, "scores")?;
    let (d, e) = survival(&durations, events.as_ref())?;
    let s = floats_nan(&scores, "scores")?;
    let (d, s, e) = (d.as_slice(), s.as_slice(), e.as_slice());
    crate::guard::detach(py, "voc.retention.concordance_index", || {
        core::concordance_index(d, s, e)
    })
    .py_err(py)
}
