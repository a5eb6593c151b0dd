//! `voc.risk`: the churn model, its evaluation and the alert list. Features arrive as a 2-D array (read
//! in place, any layout) or as the columns of a table (read by the binding's column readers); labels,
//! scores, weights and values as columns. The core does every computation.

use pyo3::prelude::*;
use voc_core::Error;

use crate::error::{BindError, to_py};

mod estimator;
mod evaluate;
mod model;
mod read;
pub(crate) mod roles;

pub use evaluate::{
    ConfusionResult, CrossValidationResult, EvaluationResult, PrecisionThresholdResult,
};
pub use model::LogisticModel;
pub(crate) use model::{customer_ids, customer_values};
pub(crate) use read::{Features, features, floats, labels};

/// The Python spelling of a core argument name.
fn python_arg(arg: &'static str) -> &'static str {
    match arg {
        "X" => "x",
        "sample_weight" => "weights",
        "c" => "C",
        "probabilities" => "scores",
        other => other,
    }
}

/// Converts a core error about the features (flattened as `X[row · p + column]`) into one naming the row
/// and the column, and renames the core's arguments to the Python keywords.
pub(crate) fn x_error(py: Python<'_>, e: Error, names: &[String]) -> PyErr {
    let p = names.len().max(1);
    // The core's flat index is row-major: row index / p, column index % p.
    let cell = |index: usize| (index / p, index % p);
    let name = |index: usize| names.get(index % p).map(String::as_str);
    match e {
        Error::Missing { arg: "X", index } => crate::error::raise_cell(
            py,
            "x",
            cell(index),
            name(index),
            f64::NAN,
            "; pass missing=\"skip\" to leave such rows out or missing=\"impute_mean\" to fill \
             features with the training mean",
        ),
        Error::NonFinite {
            arg: "X",
            index,
            value,
        } => crate::error::raise_cell(py, "x", cell(index), name(index), value, ""),
        other => to_py(py, BindError::Core(rename(other))),
    }
}

/// The core error with its argument names spelled as the Python keywords.
pub(crate) fn rename(e: Error) -> Error {
    match e {
        Error::NonFinite { arg, index, value } => Error::NonFinite {
            arg: python_arg(arg),
            index,
            value,
        },
        Error::Missing { arg, index } => Error::Missing {
            arg: python_arg(arg),
            index,
        },
        Error::InvalidValue {
            arg,
            index,
            value,
            reason,
        } => Error::InvalidValue {
            arg: python_arg(arg),
            index,
            value,
            reason,
        },
        Error::Empty { arg, what } => Error::Empty {
            arg: python_arg(arg),
            what,
        },
        Error::LengthMismatch {
            arg,
            len,
            other,
            other_len,
        } => Error::LengthMismatch {
            arg: python_arg(arg),
            len,
            other: python_arg(other),
            other_len,
        },
        Error::InvalidOption {
            name,
            value,
            reason,
        } => Error::InvalidOption {
            name: python_arg(name),
            value,
            reason,
        },
        other => other,
    }
}

/// `?`-friendly conversion with the Python argument names.
pub(crate) trait RiskErr<T> {
    fn risk_err(self, py: Python<'_>) -> PyResult<T>;
}

impl<T> RiskErr<T> for Result<T, Error> {
    fn risk_err(self, py: Python<'_>) -> PyResult<T> {
        self.map_err(|e| to_py(py, BindError::Core(rename(e))))
    }
}

/// Registers the risk functions and classes.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<LogisticModel>()?;
    m.add_class::<EvaluationResult>()?;
    m.add_class::<ConfusionResult>()?;
    m.add_class::<PrecisionThresholdResult>()?;
    m.add_class::<CrossValidationResult>()?;
    m.add_function(wrap_pyfunction!(model::fit_logistic, m)?)?;
    m.add_function(wrap_pyfunction!(model::cross_validate, m)?)?;
    m.add_function(wrap_pyfunction!(evaluate::roc_auc, m)?)?;
    m.add_function(wrap_pyfunction!(evaluate::evaluate, m)?)?;
    m.add_function(wrap_pyfunction!(evaluate::calibration, m)?)?;
    m.add_function(wrap_pyfunction!(evaluate::lift, m)?)?;
    m.add_function(wrap_pyfunction!(evaluate::confusion, m)?)?;
    m.add_function(wrap_pyfunction!(evaluate::threshold_for_precision, m)?)?;
    m.add_function(wrap_pyfunction!(evaluate::threshold_top_k, m)?)?;
    m.add_function(wrap_pyfunction!(estimator::_risk_estimator_input, m)?)?;
    m.add_function(wrap_pyfunction!(estimator::_risk_estimator_labels, m)?)?;
    m.add_function(wrap_pyfunction!(_risk_roc_auc, m)?)?;
    m.add_function(wrap_pyfunction!(_risk_evaluate, m)?)?;
    m.add_function(wrap_pyfunction!(_risk_calibration, m)?)?;
    m.add_function(wrap_pyfunction!(_risk_lift, m)?)?;
    m.add_function(wrap_pyfunction!(_risk_confusion, m)?)?;
    m.add_function(wrap_pyfunction!(_risk_threshold_for_precision, m)?)?;
    m.add_function(wrap_pyfunction!(_risk_threshold_top_k, m)?)?;
    Ok(())
}

/// The labels and scores of an evaluation: each a column name of `data`, a column, or the one label
/// column of a `voc.Table`.
fn y_scores<'py>(
    data: Option<&Bound<'py, PyAny>>,
    y: &Bound<'py, PyAny>,
    scores: &Bound<'py, PyAny>,
) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyAny>)> {
    Ok((
        roles::column(data, y, "y")?,
        roles::column(data, scores, "scores")?,
    ))
}

/// `voc.risk.roc_auc`, its roles resolved.
#[pyfunction]
#[pyo3(signature = (data, y, scores))]
fn _risk_roc_auc(
    py: Python<'_>,
    data: Option<&Bound<'_, PyAny>>,
    y: &Bound<'_, PyAny>,
    scores: &Bound<'_, PyAny>,
) -> PyResult<f64> {
    let (y, s) = y_scores(data, y, scores)?;
    evaluate::roc_auc(py, &y, &s)
}

/// `voc.risk.evaluate`, its roles resolved.
#[pyfunction]
#[pyo3(signature = (data, y, scores, threshold))]
fn _risk_evaluate(
    py: Python<'_>,
    data: Option<&Bound<'_, PyAny>>,
    y: &Bound<'_, PyAny>,
    scores: &Bound<'_, PyAny>,
    #[pyo3(from_py_with = crate::convert_args::real)] threshold: f64,
) -> PyResult<EvaluationResult> {
    let (y, s) = y_scores(data, y, scores)?;
    evaluate::evaluate(py, &y, &s, threshold)
}

/// `voc.risk.calibration`, its roles resolved.
#[pyfunction]
#[pyo3(signature = (data, y, scores, bins))]
fn _risk_calibration(
    py: Python<'_>,
    data: Option<&Bound<'_, PyAny>>,
    y: &Bound<'_, PyAny>,
    scores: &Bound<'_, PyAny>,
    #[pyo3(from_py_with = crate::convert_args::whole::<usize>)] bins: usize,
) -> PyResult<crate::table::Table> {
    let (y, s) = y_scores(data, y, scores)?;
    evaluate::calibration(py, &y, &s, bins)
}

/// `voc.risk.lift`, its roles resolved.
#[pyfunction]
#[pyo3(signature = (data, y, scores, bins))]
fn _risk_lift(
    py: Python<'_>,
    data: Option<&Bound<'_, PyAny>>,
    y: &Bound<'_, PyAny>,
    scores: &Bound<'_, PyAny>,
    #[pyo3(from_py_with = crate::convert_args::whole::<usize>)] bins: usize,
) -> PyResult<crate::table::Table> {
    let (y, s) = y_scores(data, y, scores)?;
    evaluate::lift(py, &y, &s, bins)
}

/// `voc.risk.confusion`, its roles resolved.
#[pyfunction]
#[pyo3(signature = (data, y, scores, threshold))]
fn _risk_confusion(
    py: Python<'_>,
    data: Option<&Bound<'_, PyAny>>,
    y: &Bound<'_, PyAny>,
    scores: &Bound<'_, PyAny>,
    #[pyo3(from_py_with = crate::convert_args::real)] threshold: f64,
) -> PyResult<ConfusionResult> {
    let (y, s) = y_scores(data, y, scores)?;
    evaluate::confusion(py, &y, &s, threshold)
}

/// `voc.risk.threshold_for_precision`, its roles resolved.
#[pyfunction]
#[pyo3(signature = (data, y, scores, target))]
fn _risk_threshold_for_precision(
    py: Python<'_>,
    data: Option<&Bound<'_, PyAny>>,
    y: &Bound<'_, PyAny>,
    scores: &Bound<'_, PyAny>,
    #[pyo3(from_py_with = crate::convert_args::real)] target: f64,
) -> PyResult<PrecisionThresholdResult> {
    let (y, s) = y_scores(data, y, scores)?;
    evaluate::threshold_for_precision(py, &y, &s, target)
}

/// `voc.risk.threshold_top_k`: `scores` a column name of `data` or a column; without `scores`, the
/// positional argument is the scores themselves.
#[pyfunction]
#[pyo3(signature = (data, scores, k))]
fn _risk_threshold_top_k(
    py: Python<'_>,
    data: Option<&Bound<'_, PyAny>>,
    scores: Option<&Bound<'_, PyAny>>,
    #[pyo3(from_py_with = crate::convert_args::whole::<usize>)] k: usize,
) -> PyResult<f64> {
    let data = data.filter(|d| !d.is_none());
    let s = match scores.filter(|s| !s.is_none()) {
        Some(s) => roles::column(data, s, "scores")?,
        None => data.cloned().ok_or_else(|| {
            crate::error::raise_named(
                py,
                "InvalidOptionError",
                "no scores: pass them positionally or as scores=".into(),
                Some("scores"),
            )
        })?,
    };
    evaluate::threshold_top_k(py, &s, k)
}
