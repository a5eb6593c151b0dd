//! The roles of the churn functions: `x=` (features: column names of `data`, a matrix or a table, or
//! `data` itself), `y=`, `scores=`, `weights=` and `value=` (a column name of `data`, a column, or the
//! one label column of a `voc.Table` such as `EventLog.labels`). Resolved here, by `crate::convert`'s
//! role rules, for every `voc.risk` entry point.

use pyo3::prelude::*;
use pyo3::types::{PyList, PyString, PyTuple};

use super::read::ID;
use crate::convert::{lookup, table_names, text_of};
use crate::error::raise_named;
use crate::table::Table;

/// Where the features are read: the object holding them, the feature names to take from it (`None`:
/// every column but `customer_id` and `exclude`), and the columns the other roles name.
pub struct FeatureSource<'py> {
    pub x: Bound<'py, PyAny>,
    pub names: Option<Vec<String>>,
    pub exclude: Vec<String>,
}

/// Resolves `x=` against `data`: a name or a list of names picks columns of the `data` table; without
/// `x`, `data` holds the features (all columns but those `roles` name); otherwise `x` is the matrix.
pub fn feature_source<'py>(
    py: Python<'py>,
    data: Option<&Bound<'py, PyAny>>,
    x: Option<&Bound<'py, PyAny>>,
    roles: &[Option<&Bound<'py, PyAny>>],
) -> PyResult<FeatureSource<'py>> {
    let data = data.filter(|d| !d.is_none());
    let x = x.filter(|x| !x.is_none());
    let names: Option<Vec<String>> = match x {
        Some(x) if x.is_instance_of::<PyString>() => Some(vec![text_of(x, "x")?.to_owned()]),
        Some(x) if x.is_instance_of::<PyList>() || x.is_instance_of::<PyTuple>() => {
            let items: Vec<Bound<'py, PyAny>> = x.try_iter()?.collect::<PyResult<_>>()?;
            if !items.is_empty() && items.iter().all(|i| i.is_instance_of::<PyString>()) {
                Some(
                    items
                        .iter()
                        .map(|i| text_of(i, "x").map(str::to_owned))
                        .collect::<PyResult<_>>()?,
                )
            } else {
                None
            }
        }
        _ => None,
    };
    if let Some(names) = names {
        let table = match data {
            Some(d) => table_names(d)?.is_some().then_some(d),
            None => None,
        };
        let Some(table) = table else {
            return Err(raise_named(
                py,
                "InvalidOptionError",
                "x names columns, but no data table was given; pass data".into(),
                Some("x"),
            ));
        };
        return Ok(FeatureSource {
            x: table.clone(),
            names: Some(names),
            exclude: Vec::new(),
        });
    }
    match (x, data) {
        (Some(x), _) => Ok(FeatureSource {
            x: x.clone(),
            names: None,
            exclude: Vec::new(),
        }),
        (None, Some(data)) => Ok(FeatureSource {
            x: data.clone(),
            names: None,
            exclude: roles
                .iter()
                .flatten()
                .filter_map(|r| r.extract::<String>().ok())
                .collect(),
        }),
        (None, None) => Err(raise_named(
            py,
            "InvalidOptionError",
            "no features: pass a table or matrix as data, or x=".into(),
            Some("x"),
        )),
    }
}

/// A label or score role: a column name of `data`, the one column of a `voc.Table` other than
/// `customer_id` (such as `EventLog.labels`), or the column itself.
pub fn column<'py>(
    data: Option<&Bound<'py, PyAny>>,
    value: &Bound<'py, PyAny>,
    arg: &str,
) -> PyResult<Bound<'py, PyAny>> {
    if let Ok(t) = value.cast::<Table>() {
        let names = table_names(t.as_any())?.unwrap_or_default();
        let cols: Vec<&String> = names.iter().filter(|c| c.as_str() != ID).collect();
        let [one] = cols.as_slice() else {
            return Err(raise_named(
                value.py(),
                "InvalidOptionError",
                format!("{arg} is a table with columns {names:?}; pass one column"),
                Some(arg),
            ));
        };
        return value.get_item(one.as_str());
    }
    Ok(lookup(data, Some(value), arg)?.unwrap_or_else(|| value.clone()))
}

/// [`column`] of an optional role.
pub fn optional<'py>(
    data: Option<&Bound<'py, PyAny>>,
    value: Option<&Bound<'py, PyAny>>,
    arg: &str,
) -> PyResult<Option<Bound<'py, PyAny>>> {
    value
        .filter(|v| !v.is_none())
        .map(|v| column(data, v, arg))
        .transpose()
}
