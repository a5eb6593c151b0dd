//! `LogisticModel`: fitting, prediction, the summary table, alerts and cross-validation.

use numpy::{PyArray1, PyArray2};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use voc_core::Error;
use voc_core::Fit;
use voc_core::risk::{
    self as core, AlertOptions, ClassWeight, LogisticModel as CoreModel, LogisticOptions, Missing,
    Penalty, RiskData,
};

use super::read::{Features, features, floats, labels};
use super::{RiskErr, roles, x_error};
use crate::table::{Table, TableBuilder, escape};

/// The model's options from the Python keywords (checked once, by the core's fit).
#[allow(clippy::too_many_arguments)]
fn options(
    missing: &str,
    penalty: &str,
    c: f64,
    l1_ratio: Option<f64>,
    class_weight: Option<&Bound<'_, PyAny>>,
    standardize: bool,
    max_iter: usize,
    tol: f64,
    confidence: f64,
) -> Result<LogisticOptions, Error> {
    let penalty: Penalty = penalty.parse().map_err(|_| {
        Error::option(
            "penalty",
            penalty,
            "expected \"l2\", \"l1\", \"elasticnet\" or \"none\"",
        )
    })?;
    let missing: Missing = missing.parse()?;
    let expected = "expected \"balanced\", a dict {0: w0, 1: w1} or None";
    let class_weight = match class_weight {
        None => ClassWeight::None,
        Some(w) => {
            if let Ok(s) = w.extract::<String>() {
                if s == "balanced" {
                    ClassWeight::Balanced
                } else {
                    return Err(Error::option("class_weight", s, expected));
                }
            } else if let Ok(d) = w.extract::<std::collections::HashMap<i64, f64>>() {
                ClassWeight::Manual {
                    negative: d.get(&0).copied().unwrap_or(1.0),
                    positive: d.get(&1).copied().unwrap_or(1.0),
                }
            } else {
                return Err(Error::option("class_weight", w.to_string(), expected));
            }
        }
    };
    let mut opts = LogisticOptions::default()
        .penalty(penalty)
        .c(c)
        .class_weight(class_weight)
        .standardize(standardize)
        .missing(missing)
        .max_iter(max_iter)
        .tol(tol)
        .confidence(confidence);
    opts.l1_ratio = l1_ratio;
    Ok(opts)
}

/// A fitted churn model (logistic regression): `voc.risk.fit_logistic` makes one.
#[pyclass(frozen, module = "voc._voc")]
pub struct LogisticModel {
    inner: CoreModel,
}

crate::core_pickled!(LogisticModel, CoreModel);

/// Fits the churn model on features `x` (a 2-D array, or a table whose columns `names` are used, all but
/// `customer_id` and `exclude` when `names` is None), labels `y` and optional `weights`.
#[pyfunction]
#[pyo3(signature = (data=None, /, *, x=None, y, weights=None, missing="error", penalty="l2", C=1.0, l1_ratio=None, class_weight=None, standardize=true, max_iter=100, tol=1e-10, confidence=0.95))]
#[allow(clippy::too_many_arguments, non_snake_case)]
pub fn fit_logistic(
    py: Python<'_>,
    data: Option<&Bound<'_, PyAny>>,
    x: Option<&Bound<'_, PyAny>>,
    y: &Bound<'_, PyAny>,
    weights: Option<&Bound<'_, PyAny>>,
    #[pyo3(from_py_with = crate::convert_args::text)] missing: &str,
    #[pyo3(from_py_with = crate::convert_args::text)] penalty: &str,
    #[pyo3(from_py_with = crate::convert_args::real)] C: f64,
    #[pyo3(from_py_with = crate::convert_args::opt_real)] l1_ratio: Option<f64>,
    class_weight: Option<&Bound<'_, PyAny>>,
    #[pyo3(from_py_with = crate::convert_args::flag)] standardize: bool,
    #[pyo3(from_py_with = crate::convert_args::whole::<usize>)] max_iter: usize,
    #[pyo3(from_py_with = crate::convert_args::real)] tol: f64,
    #[pyo3(from_py_with = crate::convert_args::real)] confidence: f64,
) -> PyResult<LogisticModel> {
    // The roles: features from `x` / `data`, labels and weights by name or as columns.
    let src = roles::feature_source(py, data, x, &[Some(y), weights])?;
    let y = roles::column(data, y, "y")?;
    let weights = roles::optional(data, weights, "weights")?;
    let opts = options(
        missing,
        penalty,
        C,
        l1_ratio,
        class_weight,
        standardize,
        max_iter,
        tol,
        confidence,
    )
    .risk_err(py)?;
    let Features { names, x } = features(&src.x, src.names.as_deref(), &src.exclude, "x")?;
    let y = labels(&y, "y")?;
    let w = weights.map(|w| floats(&w, "weights")).transpose()?;
    let (x, y, w): (_, &[f64], Option<&[f64]>) = (x.view(), &y, w.as_deref());
    let model = crate::guard::detach(py, "voc.risk.fit_logistic", || {
        let mut data = RiskData::new(x, y).names(&names);
        data.sample_weight = w;
        opts.fit(data)
    });
    Ok(LogisticModel {
        inner: model.map_err(|e| x_error(py, e, &names))?,
    })
}

/// Stratified, seeded k-fold cross-validation of the churn model (features as in `fit_logistic`).
#[pyfunction]
#[pyo3(signature = (data=None, /, *, x=None, y, weights=None, k=5, seed=0, missing="error", penalty="l2", C=1.0, l1_ratio=None, class_weight=None, standardize=true, max_iter=100, tol=1e-10))]
#[allow(clippy::too_many_arguments, non_snake_case)]
pub fn cross_validate(
    py: Python<'_>,
    data: Option<&Bound<'_, PyAny>>,
    x: Option<&Bound<'_, PyAny>>,
    y: &Bound<'_, PyAny>,
    weights: Option<&Bound<'_, PyAny>>,
    #[pyo3(from_py_with = crate::convert_args::whole::<usize>)] k: usize,
    #[pyo3(from_py_with = crate::convert_args::whole::<u64>)] seed: u64,
    #[pyo3(from_py_with = crate::convert_args::text)] missing: &str,
    #[pyo3(from_py_with = crate::convert_args::text)] penalty: &str,
    #[pyo3(from_py_with = crate::convert_args::real)] C: f64,
    #[pyo3(from_py_with = crate::convert_args::opt_real)] l1_ratio: Option<f64>,
    class_weight: Option<&Bound<'_, PyAny>>,
    #[pyo3(from_py_with = crate::convert_args::flag)] standardize: bool,
    #[pyo3(from_py_with = crate::convert_args::whole::<usize>)] max_iter: usize,
    #[pyo3(from_py_with = crate::convert_args::real)] tol: f64,
) -> PyResult<super::CrossValidationResult> {
    // The roles: features from `x` / `data`, labels and weights by name or as columns.
    let src = roles::feature_source(py, data, x, &[Some(y), weights])?;
    let y = roles::column(data, y, "y")?;
    let weights = roles::optional(data, weights, "weights")?;
    let opts = options(
        missing,
        penalty,
        C,
        l1_ratio,
        class_weight,
        standardize,
        max_iter,
        tol,
        0.95,
    )
    .risk_err(py)?;
    let Features { names, x } = features(&src.x, src.names.as_deref(), &src.exclude, "x")?;
    let y = labels(&y, "y")?;
    let w = weights.map(|w| floats(&w, "weights")).transpose()?;
    let (x, y, w): (_, &[f64], Option<&[f64]>) = (x.view(), &y, w.as_deref());
    let cv = crate::guard::detach(py, "voc.risk.cross_validate", || {
        let mut data = RiskData::new(x, y).names(&names);
        data.sample_weight = w;
        core::cross_validate(data, &opts, k, seed)
    })
    .map_err(|e| x_error(py, e, &names))?;
    Ok(super::evaluate::cv_result(cv, seed))
}

impl LogisticModel {
    fn penalty_name(&self) -> String {
        let o = &self.inner.options;
        match (o.penalty, o.l1_ratio) {
            (Penalty::ElasticNet, Some(l1_ratio)) => format!("elasticnet(l1_ratio={l1_ratio})"),
            (p, _) => p.name().into(),
        }
    }

    fn read<'py>(&self, x: &Bound<'py, PyAny>) -> PyResult<Features<'py>> {
        features(x, Some(&self.inner.names), &[], "x")
    }
}

#[pymethods]
impl LogisticModel {
    /// Feature names, in the order of `coef`.
    #[getter]
    fn names(&self) -> Vec<String> {
        self.inner.names.clone()
    }

    /// Coefficients on the original feature scale.
    #[getter]
    fn coef(&self) -> Vec<f64> {
        self.inner.coef.clone()
    }

    /// Intercept on the original scale.
    #[getter]
    fn intercept(&self) -> f64 {
        self.inner.intercept
    }

    /// Coefficients on the standardised scale (comparable across features).
    #[getter]
    fn coef_std(&self) -> Vec<f64> {
        self.inner.coef_std.clone()
    }

    /// Whether the solver met its tolerance.
    #[getter]
    fn converged(&self) -> bool {
        self.inner.convergence.converged
    }

    /// Newton iterations run.
    #[getter]
    fn iterations(&self) -> usize {
        self.inner.convergence.iterations
    }

    /// Log-likelihood at the fit.
    #[getter]
    fn log_likelihood(&self) -> f64 {
        self.inner.log_likelihood
    }

    /// Log-likelihood of the intercept-only model.
    #[getter]
    fn null_log_likelihood(&self) -> f64 {
        self.inner.null_log_likelihood
    }

    /// McFadden's pseudo-R².
    #[getter]
    fn pseudo_r2(&self) -> f64 {
        self.inner.pseudo_r2()
    }

    /// Likelihood-ratio statistic against the intercept-only model (`penalty="none"` only, else None).
    #[getter]
    fn lr_statistic(&self) -> Option<f64> {
        self.inner.lr_test.map(|t| t.0)
    }

    /// p-value of the likelihood-ratio test (`penalty="none"` only, else None).
    #[getter]
    fn lr_p_value(&self) -> Option<f64> {
        self.inner.lr_test.map(|t| t.1)
    }

    /// Rows used.
    #[getter]
    fn n(&self) -> usize {
        self.inner.n
    }

    /// Rows left out as missing (`missing="skip"`; 0 otherwise).
    #[getter]
    fn n_missing(&self) -> usize {
        self.inner.n_missing
    }

    /// Churners (label 1) among the rows used.
    #[getter]
    fn n_positive(&self) -> usize {
        self.inner.n_positive
    }

    /// Penalty used (`"l2"`, `"l1"`, `"elasticnet(l1_ratio=…)"` or `"none"`).
    #[getter]
    fn penalty(&self) -> String {
        self.penalty_name()
    }

    /// Inverse penalty strength.
    #[getter(C)]
    #[allow(non_snake_case)]
    fn get_C(&self) -> f64 {
        self.inner.options.c
    }

    /// The missing-value policy of the fit (`"error"`, `"skip"` or `"impute_mean"`).
    #[getter]
    fn missing(&self) -> &'static str {
        self.inner.options.missing.name()
    }

    /// Level of the coefficient intervals.
    #[getter]
    fn confidence(&self) -> f64 {
        self.inner.options.confidence
    }

    /// One row per term (the intercept first): `term`, `coef`, `coef_std`, `odds_ratio`, and without a
    /// penalty `se`, `z`, `p_value`, `ci_low`, `ci_high`, `odds_ratio_ci_low`, `odds_ratio_ci_high`
    /// (NaN for penalised fits).
    fn summary(&self, py: Python<'_>) -> PyResult<Table> {
        let terms = self.inner.summary();
        let nan = f64::NAN;
        let mut b = TableBuilder::new(py);
        let names: Vec<&str> = terms.iter().map(|t| t.term.as_str()).collect();
        b.column("term", names.len(), PyList::new(py, &names)?.into_any());
        b.field("coef", &terms, |t| t.coef);
        b.field("coef_std", &terms, |t| t.coef_std);
        b.field("odds_ratio", &terms, |t| t.odds_ratio);
        b.field("se", &terms, |t| t.inference.map_or(nan, |c| c.se));
        b.field("z", &terms, |t| t.inference.map_or(nan, |c| c.z));
        b.field("p_value", &terms, |t| {
            t.inference.map_or(nan, |c| c.p_value)
        });
        b.field("ci_low", &terms, |t| t.inference.map_or(nan, |c| c.ci.0));
        b.field("ci_high", &terms, |t| t.inference.map_or(nan, |c| c.ci.1));
        b.field("odds_ratio_ci_low", &terms, |t| {
            t.odds_ratio_ci.map_or(nan, |c| c.0)
        });
        b.field("odds_ratio_ci_high", &terms, |t| {
            t.odds_ratio_ci.map_or(nan, |c| c.1)
        });
        Ok(b.finish("churn model summary", None))
    }

    /// Churn probability of each row of `x` (a table with the model's feature columns, matched by name,
    /// or a 2-D array with them in order).
    fn predict_proba(&self, py: Python<'_>, x: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let f = self.read(x)?;
        let x = f.x.view();
        let m = &self.inner;
        let p = crate::guard::detach(py, "voc.risk.LogisticModel.predict_proba", || {
            m.predict_proba(x)
        })
        .map_err(|e| x_error(py, e, &m.names))?;
        Ok(PyArray1::from_vec(py, p).into_any().unbind())
    }

    /// Log-odds of each row of `x`.
    fn decision_function(&self, py: Python<'_>, x: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let f = self.read(x)?;
        let x = f.x.view();
        let m = &self.inner;
        let eta = crate::guard::detach(py, "voc.risk.LogisticModel.decision_function", || {
            m.decision_function(x)
        })
        .map_err(|e| x_error(py, e, &m.names))?;
        Ok(PyArray1::from_vec(py, eta).into_any().unbind())
    }

    /// Contribution of each feature to each row's log-odds relative to an average customer,
    /// `coef · (x − training mean)` (rows × features).
    fn contributions(&self, py: Python<'_>, x: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let f = self.read(x)?;
        let x = f.x.view();
        let m = &self.inner;
        let c = crate::guard::detach(py, "voc.risk.LogisticModel.contributions", || {
            m.contributions(x)
        })
        .map_err(|e| x_error(py, e, &m.names))?;
        Ok(PyArray2::from_owned_array(py, c).into_any().unbind())
    }

    /// The alert list (see `voc.risk.alerts`): `x` the customers' features (a table, whose
    /// `customer_id` column names the rows, or a matrix), `value` a column name of that table or a
    /// column. `save_rate` None takes the core's default.
    #[pyo3(signature = (x, value, *, save_rate=None, contact_cost=5.0, capacity=None, min_probability=None, reasons=3))]
    #[allow(clippy::too_many_arguments)]
    fn _alerts(
        &self,
        py: Python<'_>,
        x: &Bound<'_, PyAny>,
        value: &Bound<'_, PyAny>,
        #[pyo3(from_py_with = crate::convert_args::opt_real)] save_rate: Option<f64>,
        #[pyo3(from_py_with = crate::convert_args::real)] contact_cost: f64,
        #[pyo3(from_py_with = crate::convert_args::opt_whole::<usize>)] capacity: Option<usize>,
        #[pyo3(from_py_with = crate::convert_args::opt_real)] min_probability: Option<f64>,
        #[pyo3(from_py_with = crate::convert_args::whole::<usize>)] reasons: usize,
    ) -> PyResult<Table> {
        let value = customer_values(x, value)?;
        let f = self.read(x)?;
        let xv = f.x.view();
        let value: &[f64] = &value;
        let mut opts = AlertOptions::default()
            .contact_cost(contact_cost)
            .reasons(reasons);
        if let Some(s) = save_rate {
            opts = opts.save_rate(s);
        }
        opts.capacity = capacity;
        opts.min_probability = min_probability;
        let m = &self.inner;
        let list = crate::guard::detach(py, "voc.risk.LogisticModel.alerts", || {
            core::alerts(m, xv, value, &opts)
        })
        .map_err(|e| x_error(py, e, &m.names))?;
        let mut b = TableBuilder::new(py);
        let rows: Vec<usize> = list.iter().map(|a| a.row).collect();
        customer_ids(&mut b, x, &rows)?;
        b.field("probability", &list, |a| a.probability);
        b.field("value", &list, |a| a.value);
        b.field("expected_value", &list, |a| a.expected_value);
        for k in 0..reasons {
            let text: Vec<Option<&str>> = list
                .iter()
                .map(|a| a.reasons.get(k).map(|r| r.text.as_str()))
                .collect();
            let feature: Vec<Option<&str>> = list
                .iter()
                .map(|a| a.reasons.get(k).map(|r| r.feature.as_str()))
                .collect();
            b.strings(&format!("reason_{}", k + 1), &text)?;
            b.strings(&format!("reason_{}_feature", k + 1), &feature)?;
        }
        Ok(b.finish("churn alerts", None))
    }

    /// The headline numbers as a dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let m = &self.inner;
        let d = PyDict::new(py);
        d.set_item("names", m.names.clone())?;
        d.set_item("penalty", self.penalty_name())?;
        d.set_item("C", m.options.c)?;
        d.set_item("missing", m.options.missing.name())?;
        d.set_item("n", m.n)?;
        d.set_item("n_missing", m.n_missing)?;
        d.set_item("n_positive", m.n_positive)?;
        d.set_item("converged", m.convergence.converged)?;
        d.set_item("iterations", m.convergence.iterations)?;
        d.set_item("log_likelihood", m.log_likelihood)?;
        d.set_item("null_log_likelihood", m.null_log_likelihood)?;
        d.set_item("pseudo_r2", m.pseudo_r2())?;
        d.set_item("lr_statistic", m.lr_test.map(|t| t.0))?;
        d.set_item("lr_p_value", m.lr_test.map(|t| t.1))?;
        d.set_item("confidence", m.options.confidence)?;
        Ok(d)
    }

    fn _repr_html_(&self, py: Python<'_>) -> PyResult<String> {
        let mut html = String::from("<p><b>voc LogisticModel</b></p><table>");
        for (k, v) in self.to_dict(py)?.iter() {
            html.push_str(&format!(
                "<tr><th>{}</th><td>{}</td></tr>",
                escape(&k.str()?.to_string()),
                escape(&v.str()?.to_string())
            ));
        }
        html.push_str("</table>");
        Ok(html)
    }

    fn __repr__(&self) -> String {
        let m = &self.inner;
        format!(
            "LogisticModel(features={}, penalty={}, C={}, n={}, n_missing={}, converged={}, iterations={}, pseudo_r2={:.4})",
            m.names.len(),
            self.penalty_name(),
            m.options.c,
            m.n,
            m.n_missing,
            m.convergence.converged,
            m.convergence.iterations,
            m.pseudo_r2()
        )
    }
}

/// The customer values of an alert or call list: `value` is a column name of `data` (a table) or a
/// column itself.
pub(crate) fn customer_values<'py>(
    data: &Bound<'py, PyAny>,
    value: &Bound<'py, PyAny>,
) -> PyResult<crate::convert::Buf<'py, f64>> {
    let table = crate::convert::table_names(data)?;
    if table.is_none() && value.is_instance_of::<pyo3::types::PyString>() {
        return Err(crate::error::raise_named(
            value.py(),
            "InvalidOptionError",
            "value names a column, but data is an array; pass the values".into(),
            Some("value"),
        ));
    }
    let value = roles::column(Some(data), value, "value")?;
    floats(&value, "value")
}

/// Writes the `customer_id` column of a list of `rows` of `data`: the table's own `customer_id`
/// column (in its dtype) when it has one, else the row numbers.
pub(crate) fn customer_ids<'py>(
    b: &mut TableBuilder<'py>,
    data: &Bound<'py, PyAny>,
    rows: &[usize],
) -> PyResult<()> {
    let table = crate::convert::table_names(data)?;
    match table {
        Some(names) if names.iter().any(|c| c == super::read::ID) => {
            // Each row's customer id, in the id column's own dtype.
            let col = crate::convert::groups(&data.get_item(super::read::ID)?, "data")?;
            let codes = col.data.codes.into_dense();
            let picked: Vec<usize> = rows
                .iter()
                .map(|&r| codes.get(r).map_or(usize::MAX, |&c| c as usize))
                .collect();
            col.data.labels.column(b, super::read::ID, &picked)?;
        }
        _ => {
            b.numbers(super::read::ID, rows.iter().map(|&r| r as i64).collect());
        }
    }
    Ok(())
}
