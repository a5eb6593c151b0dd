//! Roles (docs/conventions.md §1): a keyword such as `scores=` or `by=` is either a column name of the
//! `data` table or a column itself.

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};

use crate::error::{column_not_found, raise_named};

/// The `DtypeError` of a `data` that is not a table.
fn not_a_table(data: &Bound<'_, PyAny>, what: &str) -> PyErr {
    let found = data
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "an object".into());
    raise_named(
        data.py(),
        "DtypeError",
        format!(
            "data must be a table (voc.Table, pandas or polars DataFrame, pyarrow Table or dict of columns){what}, got {found}"
        ),
        Some("data"),
    )
}

/// `value` as text for the argument `arg`: a `str` without a lone surrogate (an `InvalidOptionError`
/// naming `arg` otherwise; a value that is not a `str` is a `DtypeError`).
pub fn text_of<'a>(value: &'a Bound<'_, PyAny>, arg: &str) -> PyResult<&'a str> {
    let py = value.py();
    let Ok(s) = value.cast::<PyString>() else {
        return Err(raise_named(
            py,
            "DtypeError",
            format!("{arg}: expected a str, got {}", value.get_type().name()?),
            Some(arg),
        ));
    };
    s.to_str().map_err(|_| {
        raise_named(
            py,
            "InvalidOptionError",
            format!("{arg} is not valid Unicode (it holds a lone surrogate)"),
            Some(arg),
        )
    })
}

/// Column names of `data`, which must be a table (a `DtypeError` naming `data` otherwise).
pub fn names_of(data: &Bound<'_, PyAny>) -> PyResult<Vec<String>> {
    table_names(data)?.ok_or_else(|| not_a_table(data, ""))
}

/// [`role`] where a column name without a table is a `DtypeError` naming `data` (the table the name
/// needs), as the retention, segment and risk functions report it; `None` stays `None`.
pub fn lookup<'py>(
    data: Option<&Bound<'py, PyAny>>,
    value: Option<&Bound<'py, PyAny>>,
    arg: &str,
) -> PyResult<Option<Bound<'py, PyAny>>> {
    let value = value.filter(|v| !v.is_none());
    let data = data.filter(|d| !d.is_none());
    if let (None, Some(v)) = (&data, &value)
        && v.is_instance_of::<PyString>()
    {
        let none = v.py().None().into_bound(v.py());
        return Err(not_a_table(&none, ""));
    }
    role_named(data, value, arg)
}

/// [`lookup`] of a role that must be given.
pub fn required<'py>(
    data: Option<&Bound<'py, PyAny>>,
    value: &Bound<'py, PyAny>,
    arg: &str,
) -> PyResult<Bound<'py, PyAny>> {
    match lookup(data, Some(value), arg)? {
        Some(col) => Ok(col),
        None => Err(raise_named(
            value.py(),
            "InvalidOptionError",
            format!("{arg} is required"),
            Some(arg),
        )),
    }
}

/// A role that is given (never `None`): the column it names in `data` by [`role`]'s rules, or the value
/// itself.
pub fn given<'py>(
    data: Option<&Bound<'py, PyAny>>,
    value: &Bound<'py, PyAny>,
    arg: &str,
) -> PyResult<Bound<'py, PyAny>> {
    Ok(role_named(data, Some(value), arg)?.unwrap_or_else(|| value.clone()))
}

/// [`role`] for an optional role (`None` stays `None`) with a run-time argument name.
pub fn optional<'py>(
    data: Option<&Bound<'py, PyAny>>,
    value: Option<&Bound<'py, PyAny>>,
    arg: &str,
) -> PyResult<Option<Bound<'py, PyAny>>> {
    role_named(data, value.filter(|v| !v.is_none()), arg)
}

/// The columns of `data` whose names start with `prefix` (and are longer), keyed by the rest of the
/// name, leaving out the rests in `exclude` (`themes="theme_"`: the signals' `theme_{name}` columns).
pub fn prefixed<'py>(
    data: &Bound<'py, PyAny>,
    prefix: &str,
    exclude: &[String],
) -> PyResult<Vec<(String, Bound<'py, PyAny>)>> {
    let mut out = Vec::new();
    for name in names_of(data)? {
        if let Some(rest) = name.strip_prefix(prefix)
            && !rest.is_empty()
            && !exclude.iter().any(|e| e == rest)
        {
            out.push((rest.to_owned(), data.get_item(&name)?));
        }
    }
    Ok(out)
}

/// The columns of a role that names several (`drivers=`, `covariates=`, `themes=`): a list of column
/// names of `data` (or of columns, named `x0`, `x1`, ... by position). A single string is a `DtypeError`
/// (a list is expected). Returns the names and the columns.
pub fn role_list<'py>(
    data: Option<&Bound<'py, PyAny>>,
    values: &Bound<'py, PyAny>,
    arg: &str,
) -> PyResult<(Vec<String>, Vec<Bound<'py, PyAny>>)> {
    let py = values.py();
    if values.is_instance_of::<PyString>() || values.is_instance_of::<PyDict>() {
        return Err(raise_named(
            py,
            "DtypeError",
            format!(
                "{arg}: expected a list of column names, got {}",
                values.get_type().name()?
            ),
            Some(arg),
        ));
    }
    let Ok(items) = values.try_iter() else {
        return Err(raise_named(
            py,
            "DtypeError",
            format!(
                "{arg}: expected a list of column names, got {}",
                values.get_type().name()?
            ),
            Some(arg),
        ));
    };
    let mut names = Vec::new();
    let mut columns = Vec::new();
    for (j, item) in items.enumerate() {
        let item = item?;
        let name = match item.cast::<PyString>() {
            Ok(s) => s
                .to_str()
                .map(str::to_owned)
                .unwrap_or_else(|_| format!("x{j}")),
            Err(_) => format!("x{j}"),
        };
        // invariant: a given value resolves to a column (`lookup` returns `None` only for `None`).
        match lookup(data, Some(&item), arg)? {
            Some(col) => columns.push(col),
            None => {
                return Err(raise_named(
                    py,
                    "DtypeError",
                    format!("{arg}[{j}]: expected a column name or a column, got None"),
                    Some(arg),
                ));
            }
        }
        names.push(name);
    }
    Ok((names, columns))
}

/// The one place where an error of a column read from a table role (a column of `covariates=`,
/// `drivers=`, `x=`, ...) is re-raised: `.arg` stays the argument (`covariates`), the message names
/// the column (`column 'age' of covariates has dtype <U3, ...`). Errors other than a `DtypeError` or
/// an `InputError` pass through.
pub fn column_error(py: Python<'_>, e: PyErr, arg: &str, column: &str) -> PyErr {
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
        Some(arg),
    )
}

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
