//! Roles (docs/conventions.md §1): a keyword such as `scores=` or `by=` is either a column name of the
//! `data` table or a column itself.

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};

use crate::error::{column_not_found, raise_named};

/// Column names of a table: a dict's keys, `.column_names` (pyarrow), or `.columns` (pandas, polars,
/// `voc.Table`); `None` when `data` is not a table.
pub fn table_names(data: &Bound<'_, PyAny>) -> PyResult<Option<Vec<String>>> {
    if let Ok(d) = data.cast::<PyDict>() {
        return Ok(Some(
            d.keys()
                .iter()
                .map(|k| k.str().map(|s| s.to_string()))
                .collect::<PyResult<_>>()?,
        ));
    }
    for attr in ["column_names", "columns"] {
        if let Ok(cols) = data.getattr(attr)
            && !cols.is_callable()
        {
            let names: PyResult<Vec<String>> = cols
                .try_iter()?
                .map(|c| c.and_then(|c| c.str().map(|s| s.to_string())))
                .collect();
            return names.map(Some);
        }
    }
    Ok(None)
}

/// The column a role names: `value` itself unless it is a string, which must then name a column of
/// `data` (`ColumnNotFoundError` otherwise).
pub fn role<'py>(
    data: Option<&Bound<'py, PyAny>>,
    value: Option<&Bound<'py, PyAny>>,
    arg: &'static str,
) -> PyResult<Option<Bound<'py, PyAny>>> {
    role_named(data, value, arg)
}

/// [`role`] for an argument name known only at run time.
fn role_named<'py>(
    data: Option<&Bound<'py, PyAny>>,
    value: Option<&Bound<'py, PyAny>>,
    arg: &str,
) -> PyResult<Option<Bound<'py, PyAny>>> {
    let Some(value) = value else {
        return Ok(None);
    };
    let Ok(name) = value.cast::<PyString>() else {
        return Ok(Some(value.clone()));
    };
    let py = value.py();
    let name = name.to_str().map_err(|_| {
        raise_named(
            py,
            "InvalidOptionError",
            format!("{arg} is a column name that is not valid Unicode (it holds a lone surrogate)"),
            Some(arg),
        )
    })?;
    let Some(data) = data else {
        return Err(raise_named(
            py,
            "InvalidOptionError",
            format!("{arg} = {name:?} names a column, but no data table was given"),
            Some(arg),
        ));
    };
    let Some(names) = table_names(data)? else {
        return Err(raise_named(
            py,
            "DtypeError",
            format!(
                "data must be a table (pandas or polars DataFrame, voc.Table, pyarrow Table or dict of columns) to look up {arg} = {name:?}, got {}",
                data.get_type().name()?
            ),
            Some("data"),
        ));
    };
    if !names.iter().any(|n| n == name) {
        return Err(column_not_found(py, arg, name, &names));
    }
    data.get_item(name).map(Some)
}

/// For single-column functions (`voc.nps(scores)` and `voc.nps(df, scores="nps")`, §1): when the role
/// keyword is absent, the positional argument is the column itself; otherwise it is the table. Returns
/// the table (if any) and the column.
pub fn single_column<'py>(
    py: Python<'py>,
    data: Option<&Bound<'py, PyAny>>,
    value: Option<&Bound<'py, PyAny>>,
    arg: &'static str,
) -> PyResult<(Option<Bound<'py, PyAny>>, Bound<'py, PyAny>)> {
    if value.is_none() {
        return match data {
            Some(column) => Ok((None, column.clone())),
            None => Err(raise_named(
                py,
                "InvalidOptionError",
                format!("{arg} is required: pass the column, or a table and {arg}=<column name>"),
                Some(arg),
            )),
        };
    }
    match role(data, value, arg)? {
        Some(column) => Ok((data.cloned(), column)),
        None => Err(raise_named(
            py,
            "InvalidOptionError",
            format!("{arg} is required"),
            Some(arg),
        )),
    }
}

/// `voc._columns.column`: the column a role names (`value` itself unless it is a string naming a
/// column of `data`), by [`role`]'s rules; `None` stays `None`.
#[pyfunction]
#[pyo3(signature = (data, value, arg))]
pub fn _role<'py>(
    data: Option<Bound<'py, PyAny>>,
    value: Option<Bound<'py, PyAny>>,
    arg: &str,
) -> PyResult<Option<Bound<'py, PyAny>>> {
    let value = value.filter(|v| !v.is_none());
    let data = data.filter(|d| !d.is_none());
    if let (None, Some(v)) = (&data, &value)
        && v.is_instance_of::<PyString>()
    {
        // A column name needs a table: `None` is not one.
        let none = v.py().None().into_bound(v.py());
        return _table_names(&none).map(|_| None);
    }
    role_named(data.as_ref(), value.as_ref(), arg)
}

/// `voc._columns.names`: the column names of a table; anything else is a `DtypeError` naming `data`.
#[pyfunction]
pub fn _table_names(data: &Bound<'_, PyAny>) -> PyResult<Vec<String>> {
    match table_names(data)? {
        Some(names) => Ok(names),
        None => Err(raise_named(
            data.py(),
            "DtypeError",
            format!(
                "data must be a table (voc.Table, pandas or polars DataFrame, pyarrow Table or dict of columns), got {}",
                data.get_type().name()?
            ),
            Some("data"),
        )),
    }
}
