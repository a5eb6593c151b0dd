//! The one place where errors become Python exceptions (classes defined in `voc.errors`).

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyType;
use voc_core::Error;

/// A binding-level input problem the core never sees (dtype, shape, nulls in Arrow data).
#[derive(Debug)]
pub enum BindError {
    /// A column of the wrong type.
    Dtype {
        arg: &'static str,
        found: String,
        expected: &'static str,
    },
    /// An array with the wrong number of dimensions (`ndim` is what was expected: 1 for a column, 2 for
    /// a matrix).
    Shape {
        arg: &'static str,
        shape: Vec<usize>,
        ndim: usize,
    },
    /// A core error.
    Core(Error),
}

impl From<Error> for BindError {
    fn from(e: Error) -> Self {
        BindError::Core(e)
    }
}

/// Result of binding code.
pub type BindResult<T> = Result<T, BindError>;

fn class<'py>(py: Python<'py>, name: &'static str) -> PyResult<Bound<'py, PyType>> {
    static MODULE: PyOnceLock<Py<PyModule>> = PyOnceLock::new();
    let module =
        MODULE.get_or_try_init(py, || Ok::<_, PyErr>(py.import("voc.errors")?.unbind()))?;
    Ok(module.bind(py).getattr(name)?.cast_into()?)
}

fn raise(
    py: Python<'_>,
    name: &'static str,
    message: String,
    arg: Option<&str>,
    index: Option<usize>,
    value: Option<f64>,
) -> PyErr {
    match class(py, name).and_then(|cls| cls.call1((message.clone(), arg, index, value))) {
        Ok(instance) => PyErr::from_value(instance),
        Err(e) => PyRuntimeError::new_err(format!(
            "{message} (and voc.errors could not be loaded: {e})"
        )),
    }
}

/// Raises the `voc.errors` class `name` with a message made here (for messages that need names the
/// core error cannot carry, such as a column name).
pub fn raise_named(
    py: Python<'_>,
    name: &'static str,
    message: String,
    arg: Option<&str>,
) -> PyErr {
    raise(py, name, message, arg, None, None)
}

/// `voc.errors.ColumnNotFoundError` (an `InputError` and a `KeyError`) for a column name `name` that a
/// table with the columns `available` does not hold; `.value` is the name asked for.
pub fn column_not_found(py: Python<'_>, arg: &str, name: &str, available: &[String]) -> PyErr {
    let message =
        format!("{arg} = {name:?}: the table has no such column (columns: {available:?})");
    match class(py, "ColumnNotFoundError")
        .and_then(|cls| cls.call1((message.clone(), arg, None::<usize>, name)))
    {
        Ok(instance) => PyErr::from_value(instance),
        Err(e) => PyRuntimeError::new_err(format!(
            "{message} (and voc.errors could not be loaded: {e})"
        )),
    }
}

/// A state whose lock was poisoned by a panic in another thread (not an input problem: a plain
/// `RuntimeError`).
pub fn poisoned<T>(_: T) -> PyErr {
    PyRuntimeError::new_err("a state was poisoned by a panic in another thread")
}

/// Converts a core error into the matching `voc.errors` exception.
pub fn core_to_py(py: Python<'_>, err: Error) -> PyErr {
    if err == Error::Interrupted {
        // The exception the signal handler raised (KeyboardInterrupt), not a voc error.
        return crate::interrupt::interrupted(py);
    }
    let message = match &err {
        // The core speaks of its Rust option; the Python argument is `missing="skip"`.
        Error::Missing { arg, index } => format!(
            "{arg}[{index}] is missing (NaN or null); pass missing=\"skip\" to leave missing rows out"
        ),
        _ => err.to_string(),
    };
    let (name, arg, index, value): (&'static str, Option<&str>, Option<usize>, Option<f64>) =
        match &err {
            Error::OutOfRange {
                arg, index, value, ..
            }
            | Error::NotWhole { arg, index, value } => {
                ("ScoreRangeError", Some(arg), Some(*index), Some(*value))
            }
            Error::NonFinite { arg, index, value } => {
                ("NonFiniteError", Some(arg), Some(*index), Some(*value))
            }
            Error::Missing { arg, index } => ("MissingValueError", Some(arg), Some(*index), None),
            Error::InvalidValue {
                arg, index, value, ..
            } => ("InputError", Some(arg), Some(*index), Some(*value)),
            Error::UnknownId { arg, index, .. } | Error::DuplicateId { arg, index, .. } => {
                ("UnknownIdError", Some(arg), Some(*index), None)
            }
            Error::Empty { arg, .. } => ("EmptyInputError", Some(arg), None, None),
            Error::LengthMismatch { arg, .. } => ("LengthMismatchError", Some(arg), None, None),
            Error::InvalidOption { name, .. } => ("InvalidOptionError", Some(name), None, None),
            Error::Incompatible(_) => ("IncompatibleError", None, None, None),
            Error::Decode { .. } => ("DecodeError", None, None, None),
            Error::InsufficientData(_) => ("InsufficientDataError", None, None, None),
            Error::NotConverged { .. } => ("ConvergenceError", None, None, None),
            Error::TooLarge { arg, .. } => ("LimitError", Some(arg), None, None),
            Error::Internal { .. } => ("InternalError", None, None, None),
            _ => ("VocError", None, None, None),
        };
    raise(py, name, message, arg, index, value)
}

/// Converts a binding error into a Python exception.
pub fn to_py(py: Python<'_>, err: BindError) -> PyErr {
    match err {
        BindError::Core(e) => core_to_py(py, e),
        BindError::Shape { arg, shape, ndim } => raise(
            py,
            "InputError",
            format!(
                "{arg} must be {}, got an array of shape {shape:?}",
                if ndim == 1 {
                    "one-dimensional"
                } else {
                    "two-dimensional (rows × columns)"
                }
            ),
            Some(arg),
            None,
            None,
        ),
        BindError::Dtype {
            arg,
            found,
            expected,
        } => raise(
            py,
            "DtypeError",
            format!("{arg} has dtype {found}, which cannot be read as {expected}"),
            Some(arg),
            None,
            None,
        ),
    }
}

/// `?`-friendly conversion of core results inside `#[pyfunction]`s.
pub trait IntoPy<T> {
    /// Maps the error to a Python exception.
    fn py_err(self, py: Python<'_>) -> PyResult<T>;
}

impl<T> IntoPy<T> for Result<T, Error> {
    fn py_err(self, py: Python<'_>) -> PyResult<T> {
        self.map_err(|e| core_to_py(py, e))
    }
}

impl<T> IntoPy<T> for BindResult<T> {
    fn py_err(self, py: Python<'_>) -> PyResult<T> {
        self.map_err(|e| to_py(py, e))
    }
}

/// The `voc.errors` exception for one bad cell of a matrix argument: `.arg` is the argument, `.index`
/// the `(row, column)` pair and `.value` the cell; the message names the row and the column (by its
/// name when the matrix came from a table) and ends with `hint` (how to leave such rows out, where the
/// function can). `NaN` is a `MissingValueError`, `±inf` a `NonFiniteError`.
pub fn raise_cell(
    py: Python<'_>,
    arg: &str,
    (row, column): (usize, usize),
    name: Option<&str>,
    value: f64,
    hint: &str,
) -> PyErr {
    let (class_name, what) = if value.is_nan() {
        ("MissingValueError", "is missing (NaN or null)")
    } else {
        ("NonFiniteError", "is not finite")
    };
    let col = match name {
        Some(n) => format!("column {n:?}"),
        None => format!("column {column}"),
    };
    let message = if value.is_nan() {
        format!("{arg}[row {row}, {col}] {what}{hint}")
    } else {
        format!("{arg}[row {row}, {col}] = {value} {what}{hint}")
    };
    match class(py, class_name)
        .and_then(|cls| cls.call1((message.clone(), arg, (row, column), value)))
    {
        Ok(instance) => PyErr::from_value(instance),
        Err(e) => PyRuntimeError::new_err(format!(
            "{message} (and voc.errors could not be loaded: {e})"
        )),
    }
}
