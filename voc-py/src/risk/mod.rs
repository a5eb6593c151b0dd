//! `voc.risk`: the churn model, its evaluation and the alert list. Features arrive as a 2-D array (read
//! in place, any layout) or as the columns of a table (read by the binding's column readers); labels,
//! scores, weights and values as columns. The core does every computation.

use pyo3::prelude::*;
use voc_core::Error;

use crate::error::{BindError, to_py};

mod evaluate;
mod model;
mod read;

pub use evaluate::{
    ConfusionResult, CrossValidationResult, EvaluationResult, PrecisionThresholdResult,
};
pub use model::LogisticModel;
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
    Ok(())
}
