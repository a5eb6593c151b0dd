//! 2-D inputs: the one matrix reader. A numpy array of any layout (C, Fortran, strided, non-native
//! byte order) is handed to the core as an `ndarray` view of its own memory; a table (pandas or polars
//! DataFrame, pyarrow Table, `voc.Table`, dict of columns, anything with `__arrow_c_stream__`) is read
//! column by column through the common column reader into one Fortran-ordered matrix; nested lists go
//! through numpy.
//!
//! Reading through `as_array()` (never `as_slice()`) is what keeps Fortran-ordered and strided inputs
//! right: the core sees rows and columns, not bytes. Booleans read as 0 / 1; complex numbers, strings,
//! dates and other objects are a `DtypeError` naming the argument (and the column of a table): never
//! silently cast.

use numpy::ndarray::{Array2, ArrayView2, ShapeBuilder};
use numpy::{
    IntoPyArray, PyArrayDescrMethods, PyArrayMethods, PyReadonlyArray2, PyUntypedArray,
    PyUntypedArrayMethods,
};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::convert;
use crate::error::{BindError, raise_cell, raise_named, to_py};

/// What a matrix argument may hold.
const EXPECTED: &str = "a 2-D array of numbers (bool, int or float) or a table of numeric columns";

/// Reads `x` as a float64 matrix without copying when it already is one (any layout); see
/// [`matrix_named`].
pub fn matrix<'py>(
    x: &Bound<'py, PyAny>,
    arg: &'static str,
) -> PyResult<PyReadonlyArray2<'py, f64>> {
    Ok(matrix_named(x, arg)?.0)
}

/// Reads `x` as a float64 matrix, with the column names when `x` is a table.
///
/// A float64 numpy array is read in place (any layout); bool, int and other float arrays are converted
/// once; a table is read column by column (each column by `convert::numbers_or_bools`, so pandas
/// nullable, polars and Arrow columns are read like any 1-D argument, nulls as NaN). A value that is not
/// 2-D is an `InputError` naming `arg`; complex, string, date and object values are a `DtypeError`.
pub fn matrix_named<'py>(
    x: &Bound<'py, PyAny>,
    arg: &'static str,
) -> PyResult<(PyReadonlyArray2<'py, f64>, Option<Vec<String>>)> {
    if let Ok(a) = x.extract::<PyReadonlyArray2<'py, f64>>() {
        return Ok((a, None));
    }
    let py = x.py();
    if x.cast::<PyUntypedArray>().is_err()
        && let Some((names, columns)) = table_columns(x)?
    {
        let m = columns_matrix(py, &names, &columns, arg)?;
        return Ok((m.into_pyarray(py).readonly(), Some(names)));
    }
    let np = py.import("numpy")?;
    let arr = if x.cast::<PyUntypedArray>().is_ok() {
        x.clone()
    } else {
        np.call_method1("asarray", (x,))
            .map_err(|_| dtype(py, arg, type_name(x)))?
    };
    let untyped = arr.cast::<PyUntypedArray>().map_err(PyErr::from)?;
    let dt = untyped.dtype();
    let kind = dt.kind();
    let ok = match kind {
        b'b' | b'i' | b'u' | b'f' => true,
        // Object arrays (e.g. a bool + float DataFrame's values): only numbers, bools and None.
        b'O' => only_numbers(&arr)?,
        _ => false,
    };
    if !ok {
        let found: String = dt.str()?.extract()?;
        let found = if kind == b'O' {
            "object (not only numbers)".to_owned()
        } else {
            found
        };
        return Err(dtype(py, arg, found));
    }
    if untyped.ndim() != 2 {
        return Err(to_py(
            py,
            BindError::Shape {
                arg,
                shape: untyped.shape().to_vec(),
                ndim: 2,
            },
        ));
    }
    // `astype` keeps the memory layout ("K" order); non-native byte order becomes native.
    let arr = arr.call_method1("astype", ("float64",))?;
    let out: PyReadonlyArray2<'py, f64> = arr.extract()?;
    Ok((out, None))
}

fn dtype(py: Python<'_>, arg: &'static str, found: String) -> PyErr {
    to_py(
        py,
        BindError::Dtype {
            arg,
            found,
            expected: EXPECTED,
        },
    )
}

/// Whether every item of an object array is None, a bool, an int or a float.
fn only_numbers(arr: &Bound<'_, PyAny>) -> PyResult<bool> {
    let np = arr.py().import("numpy")?;
    let number = np.getattr("number")?;
    let bool_ = np.getattr("bool_")?;
    for item in arr.call_method1("ravel", ("K",))?.try_iter()? {
        let item = item?;
        let ok = item.is_none()
            || item.is_instance_of::<pyo3::types::PyFloat>()
            || item.is_instance_of::<pyo3::types::PyInt>()
            || (item.is_instance(&number)?
                && !item.is_instance(&np.getattr("complexfloating")?)?)
            || item.is_instance(&bool_)?;
        if !ok {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Column names and the columns they name.
pub type NamedColumns<'py> = (Vec<String>, Vec<Bound<'py, PyAny>>);

/// The column names and columns of a table (dict of columns, pandas / polars DataFrame, `voc.Table`,
/// pyarrow Table, another Arrow stream); `None` when `x` is not a table.
pub fn table_columns<'py>(x: &Bound<'py, PyAny>) -> PyResult<Option<NamedColumns<'py>>> {
    let py = x.py();
    let (t, keys) = if let Ok(d) = x.cast::<PyDict>() {
        (x.clone(), d.keys().into_any())
    } else if let Ok(n) = x.getattr("column_names")
        && !n.is_callable()
    {
        (x.clone(), n)
    } else if let Ok(n) = x.getattr("columns")
        && !n.is_callable()
    {
        (x.clone(), n)
    } else if x.hasattr("__arrow_c_stream__")? && !x.hasattr("__len__")? {
        let t = py.import("pyarrow")?.call_method1("table", (x,))?;
        let n = t.getattr("column_names")?;
        (t, n)
    } else {
        return Ok(None);
    };
    let mut names = Vec::new();
    let mut columns = Vec::new();
    for key in keys.try_iter()? {
        let key = key?;
        names.push(key.str()?.to_string());
        columns.push(t.get_item(&key)?);
    }
    Ok(Some((names, columns)))
}

/// Reads the columns `columns` (named `names`) into one Fortran-ordered matrix; a column that is not
/// numeric is a `DtypeError` naming it, columns of different lengths a `LengthMismatchError`.
pub fn columns_matrix(
    py: Python<'_>,
    names: &[String],
    columns: &[Bound<'_, PyAny>],
    arg: &'static str,
) -> PyResult<Array2<f64>> {
    let mut flat: Vec<f64> = Vec::new();
    let mut rows: Option<usize> = None;
    for (name, col) in names.iter().zip(columns) {
        let values = convert::numbers_or_bools(col, arg)
            .map_err(|e| in_column(py, e, arg, name))?
            .nulls_as_nan()
            .into_f64();
        match rows {
            None => rows = Some(values.len()),
            Some(n) if n != values.len() => {
                return Err(raise_named(
                    py,
                    "LengthMismatchError",
                    format!(
                        "column '{name}' of {arg} has {} values but column '{}' has {n}",
                        values.len(),
                        names.first().map(String::as_str).unwrap_or_default()
                    ),
                    Some(arg),
                ));
            }
            Some(_) => {}
        }
        flat.extend_from_slice(&values);
    }
    Array2::from_shape_vec((rows.unwrap_or(0), names.len()).f(), flat).map_err(|e| {
        to_py(
            py,
            BindError::Core(voc_core::Error::Incompatible(e.to_string())),
        )
    })
}

/// Re-raises a column reader's dtype or shape error so that it names the column of the table (`.arg`
/// stays the argument): `crate::convert::column_error`.
pub fn in_column(py: Python<'_>, e: PyErr, arg: &str, column: &str) -> PyErr {
    convert::column_error(py, e, arg, column)
}

/// The first NaN or infinite cell of `x` (row by row) as the `voc.errors` exception naming its row and
/// column (`.index == (row, column)`; the column by name when `names` are given), or `Ok` when every
/// cell is finite. `hint` ends the message of a NaN (how to leave such rows out, where the function
/// can).
pub fn check_cells(
    py: Python<'_>,
    x: ArrayView2<'_, f64>,
    arg: &str,
    names: Option<&[String]>,
    hint: &str,
) -> PyResult<()> {
    // Clean contiguous data (the usual case) in one branch-free scan of blocks, in memory order; the
    // rows are searched, in row order, only when a value is not finite.
    if let Some(data) = x.as_slice_memory_order()
        && data
            .chunks(1 << 15)
            .all(|c| c.iter().fold(true, |ok, v| ok & v.is_finite()))
    {
        return Ok(());
    }
    for (r, row) in x.rows().into_iter().enumerate() {
        if let Some((c, &v)) = row.iter().enumerate().find(|(_, v)| !v.is_finite()) {
            let name = names.and_then(|n| n.get(c)).map(String::as_str);
            let hint = if v.is_nan() { hint } else { "" };
            return Err(raise_cell(py, arg, (r, c), name, v, hint));
        }
    }
    Ok(())
}

fn type_name(x: &Bound<'_, PyAny>) -> String {
    x.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "an object".into())
}
