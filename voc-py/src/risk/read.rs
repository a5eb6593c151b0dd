//! The churn model's inputs: a feature matrix (a 2-D array or the columns of a table, through the
//! binding's one matrix reader, `crate::matrix`), 0/1 labels and numeric columns. Nothing here
//! computes: it finds the values and hands the core an `ndarray` view.

use numpy::PyReadonlyArray2;
use numpy::ndarray::{Array2, ArrayView2};
use pyo3::prelude::*;

use crate::convert::{self, Buf};
use crate::error::column_not_found;
use crate::matrix::{columns_matrix, matrix_named, table_columns};

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

/// Reads the features of `obj` for `arg`.
///
/// A table gives the columns `names` (the model's features, or those a caller chose), or all columns but
/// `customer_id` and `exclude`; a name the table lacks is a `ColumnNotFoundError`. Anything else is read
/// as a 2-D array of numbers (bool, int or float; any memory layout, read in place when it is float64);
/// complex numbers, strings, dates and objects are a `DtypeError` (`crate::matrix`). `names` given with
/// an array must match its columns in number (the core checks).
pub fn features<'py>(
    obj: &Bound<'py, PyAny>,
    names: Option<&[String]>,
    exclude: &[String],
    arg: &'static str,
) -> PyResult<Features<'py>> {
    let py = obj.py();
    if obj.cast::<numpy::PyUntypedArray>().is_err()
        && let Some((columns, cols)) = table_columns(obj)?
    {
        let wanted: Vec<String> = match names {
            Some(n) => n.to_vec(),
            None => columns
                .iter()
                .filter(|c| c.as_str() != ID && !exclude.contains(c))
                .cloned()
                .collect(),
        };
        if let Some(first) = wanted.iter().find(|n| !columns.contains(n)) {
            // The first feature the table lacks (`.value`), with the columns it has.
            return Err(column_not_found(py, arg, first, &columns));
        }
        let picked: Vec<Bound<'py, PyAny>> = wanted
            .iter()
            .filter_map(|n| columns.iter().position(|c| c == n))
            .filter_map(|i| cols.get(i).cloned())
            .collect();
        let mut x = columns_matrix(py, &wanted, &picked, arg)?;
        if wanted.is_empty() {
            // No feature column: as many rows as the table has.
            let n = cols.first().map(|c| c.len()).transpose()?.unwrap_or(0);
            x = Array2::zeros((n, 0));
        }
        return Ok(Features {
            names: wanted,
            x: Matrix::Owned(x),
        });
    }
    let (x, _) = matrix_named(obj, arg)?;
    let names = match names {
        Some(n) => n.to_vec(),
        None => (0..x.as_array().ncols()).map(|j| format!("x{j}")).collect(),
    };
    Ok(Features {
        names,
        x: Matrix::Array(x),
    })
}

/// A numeric column (ints or floats of any width; nulls become NaN, which the core treats as missing).
/// Bool columns are read as 0/1 too, so flags can be features.
pub fn floats<'py>(obj: &Bound<'py, PyAny>, arg: &'static str) -> PyResult<Buf<'py, f64>> {
    Ok(convert::numbers_or_bools(obj, arg)?
        .nulls_as_nan()
        .into_f64())
}

/// 0/1 labels: bool, integer 0/1 or float 0.0/1.0 (numpy, pandas, polars, pyarrow, lists); nulls become
/// NaN (missing).
pub fn labels<'py>(obj: &Bound<'py, PyAny>, arg: &'static str) -> PyResult<Buf<'py, f64>> {
    floats(obj, arg)
}
