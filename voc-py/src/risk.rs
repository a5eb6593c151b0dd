//! `voc.risk`: the churn model, its evaluation and the alert list. Feature matrices arrive as one 2-D
//! float64 array of any layout (the Python layer in `voc/risk.py` picks the model's columns out of tables
//! and DataFrames), read through `crate::matrix::matrix` and handed to the core as an `ndarray` view.

use numpy::PyReadonlyArray1;
use numpy::PyReadonlyArray2;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList};
use voc_core::risk::{
    self as core, AlertOptions, ClassWeight, Impute, LogisticModel, LogisticOptions, Penalty,
    RiskData,
};
use voc_core::{Error, Fit};

use crate::error::{BindError, IntoPy, to_py};
use crate::matrix::matrix;
use crate::table::{Table, TableBuilder};

/// The model's feature columns of `x` as one float64 matrix, through `voc.risk._design` (which reads
/// tables, DataFrames and 2-D arrays, and leaves a float64 array in its own layout).
fn design<'py>(
    py: Python<'py>,
    x: &Bound<'py, PyAny>,
    names: &[String],
) -> PyResult<PyReadonlyArray2<'py, f64>> {
    let (_, m): (Vec<String>, Bound<'py, PyAny>) = py
        .import("voc.risk")?
        .call_method1("_design", (x, names.to_vec()))?
        .extract()?;
    matrix(&m, "X")
}

/// Turns a core error about the flattened matrix (`X[row·p + column]`) into one naming row and column.
fn x_error(py: Python<'_>, e: Error, names: &[String]) -> PyErr {
    let p = names.len().max(1);
    let at = |index: usize| {
        let col = names.get(index % p).map_or("?", String::as_str);
        format!("X[row {}, column {col:?}]", index / p)
    };
    let message = match &e {
        Error::Missing { arg: "X", index } => Some((
            "MissingValueError",
            format!(
                "{} is missing (NaN); pass impute=\"mean\" to fill missing values with the training mean",
                at(*index)
            ),
        )),
        Error::NonFinite {
            arg: "X",
            index,
            value,
        } => Some((
            "NonFiniteError",
            format!("{} = {value} is not finite", at(*index)),
        )),
        Error::InvalidOption {
            name: "c",
            value,
            reason,
        } => {
            // The core's option `c` is scikit-learn's `C` in Python.
            let e = Error::InvalidOption {
                name: "C",
                value: value.clone(),
                reason: reason.clone(),
            };
            return to_py(py, BindError::Core(e));
        }
        _ => None,
    };
    match message {
        Some((class, msg)) => crate::error::raise_named(py, class, msg, Some("X")),
        None => to_py(py, BindError::Core(e)),
    }
}

#[allow(clippy::too_many_arguments)]
fn options(
    penalty: &str,
    c: f64,
    l1_ratio: Option<f64>,
    class_weight: Option<&Bound<'_, PyAny>>,
    standardize: bool,
    impute: &str,
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
    let class_weight = match class_weight {
        None => ClassWeight::None,
        Some(w) => {
            if let Ok(s) = w.extract::<String>() {
                if s == "balanced" {
                    ClassWeight::Balanced
                } else {
                    return Err(Error::option(
                        "class_weight",
                        s,
                        "expected \"balanced\", a dict {0: w0, 1: w1} or None",
                    ));
                }
            } else if let Ok(d) = w.extract::<std::collections::HashMap<i64, f64>>() {
                ClassWeight::Manual {
                    negative: d.get(&0).copied().unwrap_or(1.0),
                    positive: d.get(&1).copied().unwrap_or(1.0),
                }
            } else {
                return Err(Error::option(
                    "class_weight",
                    w.to_string(),
                    "expected \"balanced\", a dict {0: w0, 1: w1} or None",
                ));
            }
        }
    };
    let impute: Impute = impute
        .parse()
        .map_err(|_| Error::option("impute", impute, "expected \"error\" or \"mean\""))?;
    let mut opts = LogisticOptions::default()
        .penalty(penalty)
        .c(c)
        .class_weight(class_weight)
        .standardize(standardize)
        .impute(impute)
        .max_iter(max_iter)
        .tol(tol)
        .confidence(confidence);
    // Checked (with the other options) once, by the core's fit.
    opts.l1_ratio = l1_ratio;
    Ok(opts)
}

/// A fitted churn model (logistic regression).
#[pyclass(frozen, module = "voc._voc")]
pub struct RiskModel {
    inner: LogisticModel,
}

crate::core_pickled!(RiskModel, LogisticModel);

/// Fits the churn model on a float64 matrix (rows × named features, any layout).
#[pyfunction]
#[pyo3(signature = (x, names, y, *, sample_weight=None, penalty="l2", C=1.0, l1_ratio=None, class_weight=None, standardize=true, impute="error", max_iter=100, tol=1e-10, confidence=0.95))]
#[allow(clippy::too_many_arguments, non_snake_case)]
pub fn fit_logistic(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    names: Vec<String>,
    y: PyReadonlyArray1<'_, f64>,
    sample_weight: Option<PyReadonlyArray1<'_, f64>>,
    penalty: &str,
    C: f64,
    l1_ratio: Option<f64>,
    class_weight: Option<&Bound<'_, PyAny>>,
    standardize: bool,
    impute: &str,
    max_iter: usize,
    tol: f64,
    confidence: f64,
) -> PyResult<RiskModel> {
    let opts = options(
        penalty,
        C,
        l1_ratio,
        class_weight,
        standardize,
        impute,
        max_iter,
        tol,
        confidence,
    )
    .py_err(py)?;
    let (y, w) = (
        y.as_slice()?,
        sample_weight.as_ref().map(|w| w.as_slice()).transpose()?,
    );
    let x = matrix(x, "X")?;
    let x = x.as_array();
    let model = py.detach(|| {
        let mut data = RiskData::new(x, y).names(&names);
        data.sample_weight = w;
        opts.fit(data)
    });
    Ok(RiskModel {
        inner: model.map_err(|e| x_error(py, e, &names))?,
    })
}

#[pymethods]
impl RiskModel {
    /// Feature names.
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

    /// Likelihood-ratio test `(statistic, p_value)` against the intercept-only model (no penalty only).
    #[getter]
    fn lr_test(&self) -> Option<(f64, f64)> {
        self.inner.lr_test
    }

    /// Rows used.
    #[getter]
    fn n(&self) -> usize {
        self.inner.n
    }

    /// Penalty used.
    #[getter]
    fn penalty(&self) -> String {
        let o = &self.inner.options;
        match (o.penalty, o.l1_ratio) {
            (Penalty::ElasticNet, Some(l1_ratio)) => format!("elasticnet(l1_ratio={l1_ratio})"),
            (p, _) => p.name().into(),
        }
    }

    /// One row per term: coefficient, standardised coefficient, odds ratio, and without a penalty its
    /// standard error, z, p-value and confidence intervals (of the coefficient and the odds ratio).
    fn coefficients(&self, py: Python<'_>) -> PyResult<Table> {
        let m = &self.inner;
        let mut names = vec!["(intercept)".to_string()];
        names.extend(m.names.iter().cloned());
        let mut coef = vec![m.intercept];
        coef.extend(&m.coef);
        let mut std = vec![m.intercept_std];
        std.extend(&m.coef_std);
        let odds: Vec<f64> = coef.iter().map(|c| c.exp()).collect();
        let inf = m.inference.clone().unwrap_or_default();
        let pick = |f: &dyn Fn(&core::CoefInference) -> f64| -> Vec<f64> {
            (0..names.len())
                .map(|i| inf.get(i).map_or(f64::NAN, f))
                .collect()
        };
        let mut b = TableBuilder::new(py);
        b.column("term", names.len(), PyList::new(py, &names)?.into_any());
        b.numbers("coef", coef);
        b.numbers("coef_std", std);
        b.numbers("odds_ratio", odds);
        b.numbers("se", pick(&|c| c.se));
        b.numbers("z", pick(&|c| c.z));
        b.numbers("p_value", pick(&|c| c.p_value));
        b.numbers("ci_low", pick(&|c| c.ci.0));
        b.numbers("ci_high", pick(&|c| c.ci.1));
        b.numbers("odds_ratio_ci_low", pick(&|c| c.ci.0.exp()));
        b.numbers("odds_ratio_ci_high", pick(&|c| c.ci.1.exp()));
        let meta = PyDict::new(py);
        meta.set_item("confidence", m.options.confidence)?;
        meta.set_item("penalty", self.penalty())?;
        Ok(b.finish("churn model coefficients", Some(meta)))
    }

    /// Churn probability of each row of `X` (a table or DataFrame with the model's feature columns, or a
    /// 2-D array with them in order).
    #[pyo3(name = "predict_proba")]
    fn py_predict_proba(&self, py: Python<'_>, x: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let x = design(py, x, &self.inner.names)?;
        let x = x.as_array();
        let m = &self.inner;
        let p = py
            .detach(|| m.predict_proba(x))
            .map_err(|e| x_error(py, e, &m.names))?;
        Ok(numpy::PyArray1::from_vec(py, p).into_any().unbind())
    }

    /// Log-odds of each row of `X`.
    fn decision_function(&self, py: Python<'_>, x: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let x = design(py, x, &self.inner.names)?;
        let x = x.as_array();
        let m = &self.inner;
        let eta = py
            .detach(|| m.decision_function(x))
            .map_err(|e| x_error(py, e, &m.names))?;
        Ok(numpy::PyArray1::from_vec(py, eta).into_any().unbind())
    }

    /// The alert list (see `voc.risk.alerts`).
    #[pyo3(signature = (x, value, *, save_rate=0.3, contact_cost=5.0, capacity=None, min_probability=None, reasons=3))]
    #[allow(clippy::too_many_arguments)]
    fn _alerts<'py>(
        &self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
        value: PyReadonlyArray1<'_, f64>,
        save_rate: f64,
        contact_cost: f64,
        capacity: Option<usize>,
        min_probability: Option<f64>,
        reasons: usize,
    ) -> PyResult<Bound<'py, PyDict>> {
        let x = design(py, x, &self.inner.names)?;
        let x = x.as_array();
        let value = value.as_slice()?;
        let mut opts = AlertOptions::default()
            .save_rate(save_rate)
            .contact_cost(contact_cost)
            .reasons(reasons);
        opts.capacity = capacity;
        opts.min_probability = min_probability;
        let m = &self.inner;
        let list = py
            .detach(|| core::alerts(m, x, value, &opts))
            .map_err(|e| x_error(py, e, &m.names))?;
        let out = PyDict::new(py);
        out.set_item("row", list.iter().map(|a| a.row).collect::<Vec<_>>())?;
        out.set_item(
            "probability",
            list.iter().map(|a| a.probability).collect::<Vec<_>>(),
        )?;
        out.set_item("value", list.iter().map(|a| a.value).collect::<Vec<_>>())?;
        out.set_item(
            "expected_value",
            list.iter().map(|a| a.expected_value).collect::<Vec<_>>(),
        )?;
        for k in 0..reasons {
            let text: Vec<Option<String>> = list
                .iter()
                .map(|a| a.reasons.get(k).map(|r| r.text.clone()))
                .collect();
            let feature: Vec<Option<String>> = list
                .iter()
                .map(|a| a.reasons.get(k).map(|r| r.feature.clone()))
                .collect();
            out.set_item(format!("reason_{}", k + 1), text)?;
            out.set_item(format!("reason_{}_feature", k + 1), feature)?;
        }
        Ok(out)
    }

    /// The model as bytes (the core's versioned, checksummed byte form: exact, NaN included), for
    /// storing it; [`from_bytes`](Self::from_bytes) reads them.
    fn to_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.inner.to_bytes())
    }

    /// A model from [`to_bytes`](Self::to_bytes) output; anything else is a `voc.DecodeError`.
    #[staticmethod]
    fn from_bytes(py: Python<'_>, data: &[u8]) -> PyResult<RiskModel> {
        Ok(RiskModel {
            inner: LogisticModel::from_bytes(data).py_err(py)?,
        })
    }

    fn __repr__(&self) -> String {
        let m = &self.inner;
        format!(
            "RiskModel(features={}, penalty={}, C={}, n={}, converged={}, iterations={}, pseudo_r2={:.4})",
            m.names.len(),
            self.penalty(),
            m.options.c,
            m.n,
            m.convergence.converged,
            m.convergence.iterations,
            m.pseudo_r2()
        )
    }
}

/// ROC AUC (ties half), average precision and Brier score.
#[pyfunction]
pub fn score_metrics(
    py: Python<'_>,
    y: PyReadonlyArray1<'_, f64>,
    p: PyReadonlyArray1<'_, f64>,
) -> PyResult<(f64, f64, f64)> {
    let (y, p) = (y.as_slice()?, p.as_slice()?);
    py.detach(|| {
        Ok::<_, Error>((
            core::roc_auc(y, p)?,
            core::average_precision(y, p)?,
            core::brier_score(y, p)?,
        ))
    })
    .py_err(py)
}

/// ROC AUC alone.
#[pyfunction]
pub fn roc_auc(
    py: Python<'_>,
    y: PyReadonlyArray1<'_, f64>,
    p: PyReadonlyArray1<'_, f64>,
) -> PyResult<f64> {
    let (y, p) = (y.as_slice()?, p.as_slice()?);
    py.detach(|| core::roc_auc(y, p)).py_err(py)
}

/// Calibration table.
#[pyfunction]
#[pyo3(signature = (y, p, bins=10))]
pub fn calibration(
    py: Python<'_>,
    y: PyReadonlyArray1<'_, f64>,
    p: PyReadonlyArray1<'_, f64>,
    bins: usize,
) -> PyResult<Table> {
    let rows = core::calibration(y.as_slice()?, p.as_slice()?, bins).py_err(py)?;
    let mut b = TableBuilder::new(py);
    b.field("bin_low", &rows, |r| r.edges.0);
    b.field("bin_high", &rows, |r| r.edges.1);
    b.field("n", &rows, |r| r.n as i64);
    b.field("mean_predicted", &rows, |r| r.mean_predicted);
    b.field("observed", &rows, |r| r.observed);
    b.field("observed_ci_low", &rows, |r| r.observed_ci.0);
    b.field("observed_ci_high", &rows, |r| r.observed_ci.1);
    Ok(b.finish("calibration", None))
}

/// Lift and gains table.
#[pyfunction]
#[pyo3(signature = (y, p, groups=10))]
pub fn lift(
    py: Python<'_>,
    y: PyReadonlyArray1<'_, f64>,
    p: PyReadonlyArray1<'_, f64>,
    groups: usize,
) -> PyResult<Table> {
    let rows = core::lift(y.as_slice()?, p.as_slice()?, groups).py_err(py)?;
    let mut b = TableBuilder::new(py);
    b.field("group", &rows, |r| r.group as i64);
    b.field("n", &rows, |r| r.n as i64);
    b.field("score_low", &rows, |r| r.score_range.0);
    b.field("score_high", &rows, |r| r.score_range.1);
    b.field("churners", &rows, |r| r.positives as i64);
    b.field("rate", &rows, |r| r.rate);
    b.field("lift", &rows, |r| r.lift);
    b.field("cumulative_gain", &rows, |r| r.cumulative_gain);
    b.field("cumulative_lift", &rows, |r| r.cumulative_lift);
    Ok(b.finish("lift and gains", None))
}

/// Confusion matrix at a threshold: counts and the rates computed from them.
#[pyfunction]
pub fn confusion<'py>(
    py: Python<'py>,
    y: PyReadonlyArray1<'_, f64>,
    p: PyReadonlyArray1<'_, f64>,
    threshold: f64,
) -> PyResult<Bound<'py, PyDict>> {
    let c = core::confusion(y.as_slice()?, p.as_slice()?, threshold).py_err(py)?;
    let d = PyDict::new(py);
    d.set_item("threshold", c.threshold)?;
    d.set_item("true_positives", c.true_positives)?;
    d.set_item("false_positives", c.false_positives)?;
    d.set_item("true_negatives", c.true_negatives)?;
    d.set_item("false_negatives", c.false_negatives)?;
    d.set_item("precision", c.precision())?;
    d.set_item("recall", c.recall())?;
    d.set_item("f1", c.f1())?;
    d.set_item("accuracy", c.accuracy())?;
    d.set_item("base_rate", c.base_rate())?;
    Ok(d)
}

/// Lowest threshold reaching a target precision: (threshold, precision, recall) or None.
#[pyfunction]
pub fn threshold_for_precision(
    py: Python<'_>,
    y: PyReadonlyArray1<'_, f64>,
    p: PyReadonlyArray1<'_, f64>,
    target: f64,
) -> PyResult<Option<(f64, f64, f64)>> {
    core::threshold_for_precision(y.as_slice()?, p.as_slice()?, target).py_err(py)
}

/// Threshold flagging the k highest scores.
#[pyfunction]
pub fn threshold_top_k(py: Python<'_>, p: PyReadonlyArray1<'_, f64>, k: usize) -> PyResult<f64> {
    core::threshold_top_k(p.as_slice()?, k).py_err(py)
}

/// Stratified k-fold cross-validation: (fold per row, out-of-fold probability, AUC per fold, pooled AUC).
#[pyfunction]
#[pyo3(signature = (x, names, y, *, k=5, seed=0, sample_weight=None, penalty="l2", C=1.0, l1_ratio=None, class_weight=None, standardize=true, impute="error", max_iter=100, tol=1e-10))]
#[allow(clippy::too_many_arguments, non_snake_case, clippy::type_complexity)]
pub fn cross_validate(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    names: Vec<String>,
    y: PyReadonlyArray1<'_, f64>,
    k: usize,
    seed: u64,
    sample_weight: Option<PyReadonlyArray1<'_, f64>>,
    penalty: &str,
    C: f64,
    l1_ratio: Option<f64>,
    class_weight: Option<&Bound<'_, PyAny>>,
    standardize: bool,
    impute: &str,
    max_iter: usize,
    tol: f64,
) -> PyResult<(Vec<u32>, Vec<f64>, Vec<f64>, f64)> {
    let opts = options(
        penalty,
        C,
        l1_ratio,
        class_weight,
        standardize,
        impute,
        max_iter,
        tol,
        0.95,
    )
    .py_err(py)?;
    let x = matrix(x, "X")?;
    let x = x.as_array();
    let (y, w) = (
        y.as_slice()?,
        sample_weight.as_ref().map(|w| w.as_slice()).transpose()?,
    );
    let cv = py
        .detach(|| {
            let mut data = RiskData::new(x, y).names(&names);
            data.sample_weight = w;
            core::cross_validate(data, &opts, k, seed)
        })
        .map_err(|e| x_error(py, e, &names))?;
    Ok((cv.fold, cv.probability, cv.fold_auc, cv.pooled_auc))
}

/// Registers the risk functions and classes.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<RiskModel>()?;
    m.add_function(wrap_pyfunction!(fit_logistic, m)?)?;
    m.add_function(wrap_pyfunction!(score_metrics, m)?)?;
    m.add_function(wrap_pyfunction!(roc_auc, m)?)?;
    m.add_function(wrap_pyfunction!(calibration, m)?)?;
    m.add_function(wrap_pyfunction!(lift, m)?)?;
    m.add_function(wrap_pyfunction!(confusion, m)?)?;
    m.add_function(wrap_pyfunction!(threshold_for_precision, m)?)?;
    m.add_function(wrap_pyfunction!(threshold_top_k, m)?)?;
    m.add_function(wrap_pyfunction!(cross_validate, m)?)?;
    Ok(())
}
