//! `voc.retention`: Kaplan–Meier, log-rank, Cox PH, cohorts, BG/NBD, Gamma-Gamma, CLV and the
//! transaction summary. Each `_retention_*` function takes the `data` table and the roles
//! (`durations=`, `events=`, `by=`, ...), resolves them to columns by `crate::convert`'s role rules,
//! converts and calls `voc_core::retention`.

use numpy::{PyArray1, PyArray2, PyArrayMethods};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyInt, PyList, PyTuple};
use serde::{Deserialize, Serialize};
use voc_core::retention::{
    self as core, BgNbdOptions, CohortOptions, CoxOptions, GammaGammaOptions, KmOptions,
    LogRankOptions, SummaryOptions, Ties,
};
use voc_core::time::TimeUnit;
use voc_core::{Error, MissingPolicy};

use crate::convert::{self, Buf, Column, Labels, Times};
use crate::error::{IntoPy, raise_named};
use crate::table::{Columns, Table, TableBuilder, Value, escape};

mod clv;
mod cox;
mod km;
mod transactions;

use clv::{BgNbdModel, GammaGammaModel};
use cox::CoxModel;
use km::{KaplanMeierResult, LogRankResult};
pub(crate) use km::{curve_rows, labels_fit};
use transactions::CohortResult;

/// Registers the retention functions and classes.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(km::_retention_kaplan_meier, m)?)?;
    m.add_function(wrap_pyfunction!(km::_retention_logrank_test, m)?)?;
    m.add_function(wrap_pyfunction!(cox::_retention_fit_cox, m)?)?;
    m.add_function(wrap_pyfunction!(cox::_retention_concordance_index, m)?)?;
    m.add_function(wrap_pyfunction!(clv::_retention_fit_bgnbd, m)?)?;
    m.add_function(wrap_pyfunction!(clv::_retention_fit_gamma_gamma, m)?)?;
    m.add_function(wrap_pyfunction!(
        clv::_retention_customer_lifetime_value,
        m
    )?)?;
    m.add_function(wrap_pyfunction!(transactions::_retention_rfm_summary, m)?)?;
    m.add_function(wrap_pyfunction!(
        transactions::_retention_calibration_holdout,
        m
    )?)?;
    m.add_function(wrap_pyfunction!(
        transactions::_retention_cohort_retention,
        m
    )?)?;
    m.add_class::<KaplanMeierResult>()?;
    m.add_class::<LogRankResult>()?;
    m.add_class::<CoxModel>()?;
    m.add_class::<BgNbdModel>()?;
    m.add_class::<GammaGammaModel>()?;
    m.add_class::<CohortResult>()?;
    Ok(())
}

// ---------------------------------------------------------------- inputs

/// A group or customer label as stored in results (serialisable for pickling), in the input's dtype.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) enum Label {
    Int(i64),
    Float(f64),
    Str(String),
    Bool(bool),
}

impl Label {
    pub(crate) fn value(&self) -> Value {
        match self {
            Label::Int(v) => Value::I64(*v),
            Label::Float(v) => Value::F64(*v),
            Label::Str(s) => Value::Str(Some(s.clone())),
            Label::Bool(b) => Value::Bool(*b),
        }
    }
    pub(crate) fn to_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        Ok(match self {
            Label::Int(v) => v.into_pyobject(py)?.into_any(),
            Label::Float(v) => v.into_pyobject(py)?.into_any(),
            Label::Str(s) => s.into_pyobject(py)?.into_any(),
            Label::Bool(b) => b.into_pyobject(py)?.to_owned().into_any(),
        })
    }
    /// Whether the Python value `g` is this label (numbers compare by value: 1 and 1.0 are one label).
    pub(crate) fn matches(&self, g: &Bound<'_, PyAny>) -> bool {
        match self {
            Label::Int(v) => g.extract::<f64>().is_ok_and(|x| x == *v as f64),
            Label::Float(v) => g.extract::<f64>().is_ok_and(|x| x == *v),
            Label::Str(s) => g.extract::<String>().is_ok_and(|x| &x == s),
            Label::Bool(b) => g
                .extract::<f64>()
                .is_ok_and(|x| x == f64::from(u8::from(*b))),
        }
    }
    pub(crate) fn show(&self) -> String {
        match self {
            Label::Int(v) => v.to_string(),
            Label::Float(v) => v.to_string(),
            Label::Str(s) => format!("{s:?}"),
            Label::Bool(b) => if *b { "True" } else { "False" }.to_owned(),
        }
    }
}

/// A label column of a table: one label per row, in the labels' dtype (ints, floats, bools or strings).
pub(crate) fn label_column(
    b: &mut TableBuilder<'_>,
    name: &str,
    labels: &[Label],
    rows: &[usize],
) -> PyResult<()> {
    match labels.first() {
        Some(Label::Int(_)) => {
            let v = rows
                .iter()
                .map(|&g| match labels.get(g) {
                    Some(Label::Int(x)) => *x,
                    _ => 0,
                })
                .collect();
            b.numbers(name, v);
        }
        Some(Label::Float(_)) => {
            let v = rows
                .iter()
                .map(|&g| match labels.get(g) {
                    Some(Label::Float(x)) => *x,
                    _ => f64::NAN,
                })
                .collect();
            b.numbers(name, v);
        }
        Some(Label::Bool(_)) => {
            let v: Vec<bool> = rows
                .iter()
                .map(|&g| matches!(labels.get(g), Some(Label::Bool(true))))
                .collect();
            b.numbers(name, v);
        }
        Some(Label::Str(_)) | None => {
            let v: Vec<Option<&str>> = rows
                .iter()
                .map(|&g| match labels.get(g) {
                    Some(Label::Str(s)) => Some(s.as_str()),
                    _ => None,
                })
                .collect();
            b.strings(name, &v)?;
        }
    }
    Ok(())
}

/// Reads a float column; nulls are an error (`MissingValueError` naming the row).
fn floats<'py>(obj: &Bound<'py, PyAny>, arg: &'static str) -> PyResult<Buf<'py, f64>> {
    let col = convert::numbers(obj, arg)?;
    convert::check_nulls(MissingPolicy::Error, &[(arg, &col.nulls)]).py_err(obj.py())?;
    Ok(col.data.into_f64())
}

/// Reads a float column with nulls as NaN, which the core treats as missing under its policy.
fn floats_nan<'py>(obj: &Bound<'py, PyAny>, arg: &'static str) -> PyResult<Buf<'py, f64>> {
    Ok(convert::numbers(obj, arg)?.nulls_as_nan().into_f64())
}

/// The roles of survival data resolved to columns: `durations`, and the events from `events=` or its
/// alias `event_observed=` (lifelines' name; giving both is an `InvalidOptionError`).
fn survival_roles<'py>(
    data: Option<&Bound<'py, PyAny>>,
    durations: &Bound<'py, PyAny>,
    events: Option<&Bound<'py, PyAny>>,
    event_observed: Option<&Bound<'py, PyAny>>,
) -> PyResult<(Bound<'py, PyAny>, Option<Bound<'py, PyAny>>)> {
    let events = match (
        events.filter(|e| !e.is_none()),
        event_observed.filter(|e| !e.is_none()),
    ) {
        (Some(_), Some(_)) => {
            return Err(raise_named(
                durations.py(),
                "InvalidOptionError",
                "events and event_observed are one argument (event_observed is lifelines' name): pass one of them".into(),
                Some("event_observed"),
            ));
        }
        (e, o) => e.or(o),
    };
    Ok((
        convert::required(data, durations, "durations")?,
        convert::lookup(data, events, "events")?,
    ))
}

/// Durations and events of survival data: events read as 0/1 floats (NaN missing), or every event
/// observed when `events` is `None` (lifelines' default).
fn survival<'py>(
    durations: &Bound<'py, PyAny>,
    events: Option<&Bound<'py, PyAny>>,
) -> PyResult<(Buf<'py, f64>, Buf<'py, f64>)> {
    let d = floats_nan(durations, "durations")?;
    let e = match events {
        Some(e) => convert::numbers_or_bools(e, "events")?
            .nulls_as_nan()
            .into_f64(),
        None => Buf::Owned(vec![1.0; d.as_slice().len()]),
    };
    Ok((d, e))
}

/// Dense codes over the labels that occur (in label order), the labels, and the rows whose label is
/// missing (their code is meaningless).
pub(crate) struct Coded {
    pub(crate) codes: Vec<u32>,
    pub(crate) labels: Vec<Label>,
    pub(crate) nulls: Vec<usize>,
}

/// Reads labels through the one label coder (`convert::groups`): integers, floats, booleans, strings
/// and categoricals, NaN and nulls being missing.
pub(crate) fn coded(obj: &Bound<'_, PyAny>, arg: &'static str) -> PyResult<Coded> {
    let col = convert::groups(obj, arg)?;
    let mut codes = col.data.codes.into_dense();
    // Only the labels that rows with a label use (a label used only by missing rows, such as the ""
    // a null string reads as, is dropped), renumbered in label order.
    let labels = match col.data.labels.only_used(&mut codes, &col.nulls) {
        Labels::Int(v) => v.into_iter().map(Label::Int).collect(),
        Labels::Float(v) => v.into_iter().map(Label::Float).collect(),
        Labels::Bool(v) => v.into_iter().map(Label::Bool).collect(),
        Labels::Str(v) => v.into_iter().map(Label::Str).collect(),
    };
    Ok(Coded {
        codes,
        labels,
        nulls: col.nulls,
    })
}

/// Group labels of survival rows, lined up with `n` durations: a missing label is an error under
/// `MissingPolicy::Error`; under `Skip` its row is left out of every column (the count is returned).
fn grouped<'py>(
    by: &Bound<'py, PyAny>,
    n: usize,
    policy: MissingPolicy,
    d: Buf<'py, f64>,
    e: Buf<'py, f64>,
) -> PyResult<(Buf<'py, f64>, Buf<'py, f64>, Coded, usize)> {
    let py = by.py();
    let mut by = coded(by, "by")?;
    if by.codes.len() != n {
        return Err(Error::LengthMismatch {
            arg: "by",
            len: by.codes.len(),
            other: "durations",
            other_len: n,
        })
        .py_err(py);
    }
    if by.nulls.is_empty() || d.as_slice().len() != n || e.as_slice().len() != n {
        return Ok((d, e, by, 0));
    }
    if policy == MissingPolicy::Error {
        // The first missing value in row order is reported: a missing duration or event in an
        // earlier row is left for the core to name.
        let first = by.nulls.first().copied().unwrap_or(0);
        let before = |v: &[f64]| v.get(..first).is_some_and(|v| v.iter().any(|x| x.is_nan()));
        if before(d.as_slice()) || before(e.as_slice()) {
            return Ok((d, e, by, 0));
        }
        return Err(Error::Missing {
            arg: "by",
            index: first,
        })
        .py_err(py);
    }
    let mut keep = vec![true; n];
    for &i in &by.nulls {
        keep[i] = false;
    }
    let dropped = by.nulls.len();
    let d = Buf::Owned(convert::compact_slice(d.as_slice(), &keep));
    let e = Buf::Owned(convert::compact_slice(e.as_slice(), &keep));
    by.codes = convert::compact_slice(&by.codes, &keep);
    by.nulls.clear();
    Ok((d, e, by, dropped))
}

/// Reads timestamps; a missing time — a null (pandas, Arrow) or numpy's NaT (`i64::MIN`) — is an error
/// naming its position (the retention summaries have no `missing=` option; NaT used to be read as the
/// year 1677).
fn times<'py>(obj: &Bound<'py, PyAny>, arg: &'static str) -> PyResult<Times<'py>> {
    let col: Column<Times<'_>> = convert::times(obj, arg)?;
    let nat = col
        .data
        .values
        .as_slice()
        .iter()
        .position(|&v| v == voc_core::time::NAT);
    let first = match (col.nulls.first().copied(), nat) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    if let Some(index) = first {
        return Err(Error::Missing { arg, index }).py_err(obj.py());
    }
    Ok(col.data)
}

/// One timestamp (a one-element column) expressed in `unit` (floored).
/// A single point in time (`observation_end=`, `calibration_end=`) as a one-element time column: a date
/// or datetime, a string, a numpy `datetime64` or a pandas `Timestamp` in its own unit (days for
/// "2300-01-01": forcing nanoseconds would wrap dates after 2262 around), or whole seconds since
/// 1970-01-01 UTC.
fn instant_column<'py>(
    value: &Bound<'py, PyAny>,
    arg: &'static str,
) -> PyResult<Bound<'py, PyAny>> {
    let py = value.py();
    let type_name = |v: &Bound<'_, PyAny>| {
        v.get_type()
            .name()
            .map(|n| n.to_string())
            .unwrap_or_default()
    };
    let numpy_int = value
        .getattr("dtype")
        .and_then(|d| d.getattr("kind"))
        .and_then(|k| k.extract::<String>())
        .is_ok_and(|k| k == "i" || k == "u")
        && value.hasattr("__index__")?;
    if !value.is_instance_of::<PyBool>() && (value.is_instance_of::<PyInt>() || numpy_int) {
        let v: i128 = value.extract()?;
        let Ok(v) = i64::try_from(v)
            .map_err(|_| ())
            .and_then(|x| if x == i64::MIN { Err(()) } else { Ok(x) })
        else {
            return Err(raise_named(
                py,
                "InvalidOptionError",
                format!("{arg}: {v} seconds is outside the representable dates"),
                Some(arg),
            ));
        };
        return Ok(PyArray1::from_vec(py, vec![v]).into_any());
    }
    let value = if value.hasattr("to_datetime64")? {
        value.call_method0("to_datetime64")?
    } else {
        value.clone()
    };
    let date_like = value.is_instance_of::<pyo3::types::PyString>()
        || value.is_instance_of::<pyo3::types::PyDate>()
        || type_name(&value) == "datetime64";
    if value.is_instance_of::<PyBool>() || !date_like {
        return Err(raise_named(
            py,
            "DtypeError",
            format!(
                "{arg}: expected a date (str, datetime, numpy datetime64 or int seconds), got {}",
                type_name(&value)
            ),
            Some(arg),
        ));
    }
    let np = py.import("numpy")?;
    match np.call_method1("datetime64", (&value,)) {
        Ok(d) => np.call_method1("array", (PyList::new(py, [d])?,)),
        Err(e) => {
            let shown: String = value.repr()?.to_string().chars().take(60).collect();
            Err(raise_named(
                py,
                "InvalidOptionError",
                format!("{arg}: {shown} is not a date ({})", e.value(py)),
                Some(arg),
            ))
        }
    }
}

fn instant(obj: &Bound<'_, PyAny>, arg: &'static str, unit: TimeUnit) -> PyResult<i64> {
    let column = instant_column(obj, arg)?;
    let obj = &column;
    let t = times(obj, arg)?;
    let Some(&v) = t.values.as_slice().first() else {
        return Err(Error::Empty {
            arg,
            what: "no timestamp",
        })
        .py_err(obj.py());
    };
    let num = i128::from(v) * i128::from(unit.per_day());
    let den = i128::from(t.unit.per_day());
    // A date the time column's unit cannot hold (after 2262 in nanoseconds) is an error, never a
    // wrapped-around number.
    match i64::try_from(num.div_euclid(den)) {
        Ok(x) if x != voc_core::time::NAT => Ok(x),
        _ => Err(Error::option(
            arg,
            format!("{v} ({:?})", t.unit),
            format!(
                "lies outside the dates the time column's unit ({unit:?}) can represent (nanoseconds: \
                 1677-09-21 to 2262-04-11); pass the times in a coarser unit, such as datetime64[s]"
            ),
        ))
        .py_err(obj.py()),
    }
}

fn pyfloat_list<'py>(py: Python<'py>, v: &[f64]) -> Bound<'py, PyArray1<f64>> {
    PyArray1::from_slice(py, v)
}

pub(crate) fn labels_list<'py>(py: Python<'py>, labels: &[Label]) -> PyResult<Bound<'py, PyList>> {
    let items: Vec<Bound<'py, PyAny>> = labels
        .iter()
        .map(|l| l.to_py(py))
        .collect::<PyResult<_>>()?;
    PyList::new(py, items)
}

/// `_repr_html_` of a result: its name, its scalar fields, then its table (if any).
pub(crate) fn result_html(
    py: Python<'_>,
    name: &str,
    fields: &Bound<'_, PyDict>,
    table: Option<Table>,
) -> PyResult<String> {
    let mut html = format!("<p><b>voc {name}</b></p><table>");
    for (k, v) in fields.iter() {
        if v.is_instance_of::<PyDict>() || v.is_instance_of::<PyList>() {
            continue;
        }
        html.push_str(&format!(
            "<tr><th>{}</th><td>{}</td></tr>",
            escape(&k.str()?.to_string()),
            escape(&v.str()?.to_string())
        ));
    }
    html.push_str("</table>");
    if let Some(t) = table {
        let t = Bound::new(py, t)?;
        html.push_str(&t.call_method0("_repr_html_")?.extract::<String>()?);
    }
    Ok(html)
}
