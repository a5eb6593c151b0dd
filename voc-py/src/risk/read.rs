//! The churn model's inputs: a feature matrix (a 2-D array through the binding's matrix reader, or the
//! columns of a table through its column readers), 0/1 labels and numeric columns. Nothing here
//! computes: it finds the values, checks their type and hands the core an `ndarray` view.

use numpy::ndarray::{Array2, ArrayView2, ShapeBuilder};
use numpy::{PyReadonlyArray2, PyUntypedArray};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use voc_core::Error;

use crate::convert::{self, Buf, Labels};
use crate::error::{BindError, column_not_found, raise_named, to_py};
use crate::matrix::matrix;

/// The id column of feature tables (`EventLog.features`): never a feature.
pub const ID: &str = "customer_id";

/// A feature matrix: a numpy array read in place (any layout) or columns gathered into one
/// Fortran-ordered matrix.
pub enum Matrix<'py> {
    Array(PyReadonlyArray2<'py, f64>),
    Owned(Array2<f64>),
}

impl Matrix<'_> {
    pub fn view(&self) -> ArrayView2<'_, f64> {
        match self {
            Matrix::Array(a) => a.as_array(),
            Matrix::Owned(a) => a.view(),
        }
    }
}

/// Features: their names and the matrix (rows × features).
pub struct Features<'py> {
    pub names: Vec<String>,
    pub x: Matrix<'py>,
}

/// The column names of `obj` and the object to take columns from, when `obj` is a table (a dict of
/// columns, a `voc.Table`, a pandas or polars DataFrame, a pyarrow Table or another Arrow stream).
fn table<'py>(obj: &Bound<'py, PyAny>) -> PyResult<Option<(Bound<'py, PyAny>, Vec<Key<'py>>)>> {
    if obj.cast::<PyUntypedArray>().is_ok() {
        return Ok(None);
    }
    let py = obj.py();
    let (obj, names) = if let Ok(d) = obj.cast::<PyDict>() {
        (obj.clone(), d.keys().into_any())
    } else if let Ok(n) = obj.getattr("column_names") {
        (obj.clone(), n)
    } else if let Ok(n) = obj.getattr("columns") {
        (obj.clone(), n)
    } else if obj.hasattr("__arrow_c_stream__")? && !obj.hasattr("__len__")? {
        let t = py.import("pyarrow")?.call_method1("table", (obj,))?;
        let n = t.getattr("column_names")?;
        (t, n)
    } else {
        return Ok(None);
    };
    let keys = names
        .try_iter()?
        .map(|k| {
            k.and_then(|k| {
                Ok(Key {
                    name: k.str()?.to_string(),
                    key: k,
                })
            })
        })
        .collect::<PyResult<Vec<_>>>()?;
    Ok(Some((obj, keys)))
}

/// A column of a table: its name as text and the key the table holds it under (an int for a DataFrame
/// with integer column labels).
struct Key<'py> {
    name: String,
    key: Bound<'py, PyAny>,
}

/// Re-raises a column reader's dtype or shape error so that it names the column of the table.
fn in_column(py: Python<'_>, e: PyErr, arg: &str, column: &str) -> PyErr {
    let kind = e
        .value(py)
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_default();
    let class = match kind.as_str() {
        "DtypeError" => "DtypeError",
        "InputError" => "InputError",
        _ => return e,
    };
    let message = e.value(py).str().map(|s| s.to_string()).unwrap_or_default();
    let message = message.replacen(&format!("{arg} "), "", 1);
    raise_named(
        py,
        class,
        format!("column '{column}' of {arg} {message}"),
        Some(column),
    )
}

/// Reads the features of `obj` for `arg`.
///
/// A table gives the columns `names` (the model's features, or those a caller chose), or all columns but
/// `customer_id` and `exclude`; a name the table lacks is a `ColumnNotFoundError`. Anything else is read
/// as a 2-D array of numbers (bool, int or float; any memory layout, read in place when it is float64);
/// complex numbers, strings, dates and objects are a `DtypeError`. `names` given with an array must match
/// its columns in number (the core checks).
pub fn features<'py>(
    obj: &Bound<'py, PyAny>,
    names: Option<&[String]>,
    exclude: &[String],
    arg: &'static str,
) -> PyResult<Features<'py>> {
    let py = obj.py();
    if let Some((t, keys)) = table(obj)? {
        let columns: Vec<String> = keys.iter().map(|k| k.name.clone()).collect();
        let key_of = |name: &str| keys.iter().find(|k| k.name == name).map(|k| k.key.clone());
        let wanted: Vec<String> = match names {
            Some(n) => n.to_vec(),
            None => columns
                .iter()
                .filter(|c| c.as_str() != ID && !exclude.contains(c))
                .cloned()
                .collect(),
        };
        let lacking: Vec<&String> = wanted.iter().filter(|n| !columns.contains(n)).collect();
        if let Some(first) = lacking.first() {
            // The first feature the table lacks (`.value`), with the columns it has.
            return Err(column_not_found(py, arg, first, &columns));
        }
        let mut flat: Vec<f64> = Vec::new();
        let mut rows: Option<(usize, &str)> = None;
        for name in &wanted {
            let Some(key) = key_of(name) else { continue };
            let col = t.get_item(key)?;
            let values = floats(&col, arg).map_err(|e| in_column(py, e, arg, name))?;
            match rows {
                None => rows = Some((values.len(), name.as_str())),
                Some((n, first)) if n != values.len() => {
                    return Err(raise_named(
                        py,
                        "LengthMismatchError",
                        format!(
                            "column '{name}' of {arg} has {} values but column '{first}' has {n}",
                            values.len()
                        ),
                        Some(name),
                    ));
                }
                Some(_) => {}
            }
            flat.extend_from_slice(&values);
        }
        let n = match rows {
            Some((n, _)) => n,
            // No feature column: as many rows as the table has.
            None => keys
                .first()
                .map(|k| t.get_item(&k.key).and_then(|c| c.len()))
                .transpose()?
                .unwrap_or(0),
        };
        let x = Array2::from_shape_vec((n, wanted.len()).f(), flat)
            .map_err(|e| to_py(py, BindError::Core(Error::Incompatible(e.to_string()))))?;
        return Ok(Features {
            names: wanted,
            x: Matrix::Owned(x),
        });
    }
    let np = py.import("numpy")?;
    let arr = if obj.cast::<PyUntypedArray>().is_ok() {
        obj.clone()
    } else {
        np.call_method1("asarray", (obj,))
            .map_err(|_| dtype(py, arg, obj))?
    };
    let kind: String = arr.getattr("dtype")?.getattr("kind")?.extract()?;
    if !matches!(kind.as_str(), "b" | "i" | "u" | "f") {
        let found: String = arr.getattr("dtype")?.str()?.extract()?;
        return Err(to_py(
            py,
            BindError::Dtype {
                arg,
                found,
                expected: "a 2-D array of numbers (bool, int or float) or a table",
            },
        ));
    }
    let x = matrix(&arr, arg)?;
    let names = match names {
        Some(n) => n.to_vec(),
        None => (0..x.as_array().ncols()).map(|j| format!("x{j}")).collect(),
    };
    Ok(Features {
        names,
        x: Matrix::Array(x),
    })
}

fn dtype(py: Python<'_>, arg: &'static str, obj: &Bound<'_, PyAny>) -> PyErr {
    to_py(
        py,
        BindError::Dtype {
            arg,
            found: obj
                .get_type()
                .name()
                .map(|n| n.to_string())
                .unwrap_or_default(),
            expected: "a 2-D array of numbers or a table",
        },
    )
}

/// A numeric column (ints or floats of any width; nulls become NaN, which the core treats as missing).
/// Bool columns are read as 0/1 too, so flags can be features.
pub fn floats<'py>(obj: &Bound<'py, PyAny>, arg: &'static str) -> PyResult<Buf<'py, f64>> {
    match convert::numbers(obj, arg) {
        Ok(col) => Ok(col.nulls_as_nan().into_f64()),
        Err(e) => flags(obj, arg).unwrap_or(Err(e)),
    }
}

/// 0/1 labels: bool, integer 0/1 or float 0.0/1.0 (numpy, pandas, polars, pyarrow, lists); nulls become
/// NaN (missing).
pub fn labels<'py>(obj: &Bound<'py, PyAny>, arg: &'static str) -> PyResult<Buf<'py, f64>> {
    floats(obj, arg)
}

/// A bool column as 0.0 / 1.0 (nulls as NaN), or `None` when the column is not boolean. Read through
/// the label coder, which takes numpy, pandas, polars and Arrow booleans alike.
fn flags<'py>(obj: &Bound<'py, PyAny>, arg: &'static str) -> Option<PyResult<Buf<'py, f64>>> {
    let bool_like = obj
        .getattr("dtype")
        .and_then(|d| d.str().map(|s| s.to_string().to_lowercase()))
        .is_ok_and(|d| d == "bool" || d == "boolean" || d == "|b1")
        || obj
            .getattr("type")
            .and_then(|t| t.str().map(|s| s.to_string()))
            .is_ok_and(|t| t == "bool")
        || obj
            .try_iter()
            .ok()
            .and_then(|mut it| it.next())
            .and_then(Result::ok)
            .is_some_and(|v| v.is_instance_of::<pyo3::types::PyBool>());
    if !bool_like {
        return None;
    }
    let col = match convert::groups(obj, arg) {
        Ok(c) => c,
        Err(e) => return Some(Err(e)),
    };
    let Labels::Int(values) = &col.data.labels else {
        return None;
    };
    let values: Vec<f64> = values.iter().map(|&v| v as f64).collect();
    let mut out: Vec<f64> = col
        .data
        .codes
        .into_dense()
        .into_iter()
        .map(|c| values.get(c as usize).copied().unwrap_or(f64::NAN))
        .collect();
    for &i in &col.nulls {
        if let Some(v) = out.get_mut(i) {
            *v = f64::NAN;
        }
    }
    Some(Ok(Buf::Owned(out)))
}
