//! `voc.signals`: tables in (DataFrames, Arrow, dicts), an indexed event log, features and labels out.

use std::sync::Arc;

use numpy::PyArray2;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyInt, PyList, PySlice};
use voc_core::Error;
use voc_core::signals::{
    self as core, ChurnEvents, Customers, FeatureOptions, IdLabels, Ids, Mentions, Orders, Returns,
    RowPolicy, SurveyKind, Surveys, Tables, Tickets,
};

use voc_core::time::TimeUnit;

use crate::convert::{Buf, Codes, Labels, Numbers, groups, numbers, times};
use crate::error::{BindError, IntoPy, column_not_found, to_py};
use crate::table::{Table, TableBuilder};

/// A table argument: its column names and a way to fetch a column.
struct Frame<'py> {
    name: &'static str,
    obj: Bound<'py, PyAny>,
    columns: Vec<String>,
}

fn frame<'py>(obj: &Bound<'py, PyAny>, name: &'static str) -> PyResult<Frame<'py>> {
    let py = obj.py();
    let mut obj = obj.clone();
    let names: Bound<'py, PyAny> = if let Ok(d) = obj.cast::<PyDict>() {
        d.keys().into_any()
    } else if let Ok(n) = obj.getattr("column_names") {
        n
    } else if let Ok(n) = obj.getattr("columns") {
        n
    } else if obj.hasattr("__arrow_c_stream__")? {
        obj = py.import("pyarrow")?.call_method1("table", (&obj,))?;
        obj.getattr("column_names")?
    } else {
        return Err(to_py(
            py,
            BindError::Dtype {
                arg: name,
                found: obj.get_type().name()?.to_string(),
                expected: "a table (pandas or polars DataFrame, pyarrow Table, dict of columns)",
            },
        ));
    };
    let columns = names
        .try_iter()?
        .map(|n| n.and_then(|n| n.str().map(|s| s.to_string())))
        .collect::<PyResult<Vec<_>>>()?;
    Ok(Frame { name, obj, columns })
}

impl<'py> Frame<'py> {
    fn get(&self, col: &str) -> PyResult<Option<Bound<'py, PyAny>>> {
        if self.columns.iter().any(|c| c == col) {
            Ok(Some(self.obj.get_item(col)?))
        } else {
            Ok(None)
        }
    }

    fn require(&self, col: &str) -> PyResult<Bound<'py, PyAny>> {
        self.get(col)?
            .ok_or_else(|| column_not_found(self.obj.py(), self.name, col, &self.columns))
    }
}

/// An id column: integers (borrowed when possible), or strings (labels + a code per row).
pub(crate) enum IdCol<'py> {
    Int(Buf<'py, i64>),
    Str {
        labels: Vec<String>,
        codes: Vec<u32>,
    },
}

impl IdCol<'_> {
    pub(crate) fn strs(&self) -> Vec<&str> {
        match self {
            IdCol::Int(_) => Vec::new(),
            IdCol::Str { labels, codes } => codes
                .iter()
                .map(|&c| labels.get(c as usize).map_or("", String::as_str))
                .collect(),
        }
    }

    pub(crate) fn ids<'a>(&'a self, strs: &'a [&'a str]) -> Ids<'a> {
        match self {
            IdCol::Int(v) => Ids::Int(v.as_slice()),
            IdCol::Str { .. } => Ids::Str(strs),
        }
    }

    fn keep(&self, keep: &[bool]) -> IdCol<'static> {
        match self {
            IdCol::Int(v) => IdCol::Int(Buf::Owned(compact(v.as_slice(), keep))),
            IdCol::Str { labels, codes } => IdCol::Str {
                labels: labels.clone(),
                codes: compact(codes, keep),
            },
        }
    }
}

fn compact<T: Copy>(v: &[T], keep: &[bool]) -> Vec<T> {
    v.iter()
        .zip(keep)
        .filter(|(_, k)| **k)
        .map(|(x, _)| *x)
        .collect()
}

fn core_err(py: Python<'_>, e: Error) -> PyErr {
    to_py(py, BindError::Core(e))
}

/// Reads ids; returns them and a null mask (nulls are an error unless `nullable`).
pub(crate) fn read_ids<'py>(
    obj: &Bound<'py, PyAny>,
    arg: &'static str,
    nullable: bool,
) -> PyResult<(IdCol<'py>, Vec<bool>)> {
    let py = obj.py();
    if let Ok(col) = numbers(obj, arg) {
        let n = col.data.len();
        let mut null = vec![false; n];
        for &i in &col.nulls {
            null[i] = true;
        }
        // Floats are converted once, not read again after a failed integer view.
        let (ints, floats) = match col.data {
            d @ (Numbers::F32(_) | Numbers::F64(_)) => (None, Some(d.into_f64())),
            d => (d.into_i64(), None),
        };
        let values: Buf<'py, i64> = match ints {
            Some(v) => v,
            None => {
                // Floats: whole numbers, NaN for "none" (pandas' integer column with gaps); also
                // unsigned ids past the i64 range, read again as floats to be reported.
                let mut out = Vec::with_capacity(n);
                let f = match floats {
                    Some(f) => f,
                    None => numbers(obj, arg)?.data.into_f64(),
                };
                for (i, &x) in f.as_slice().iter().enumerate() {
                    if x.is_nan() {
                        null[i] = true;
                        out.push(0);
                    } else if x.fract() != 0.0 || x.abs() > 9.0e15 {
                        return Err(core_err(
                            py,
                            Error::InvalidValue {
                                arg,
                                index: i,
                                value: x,
                                reason: "ids must be whole numbers or strings",
                            },
                        ));
                    } else {
                        out.push(x as i64);
                    }
                }
                Buf::Owned(out)
            }
        };
        check_null_ids(py, arg, &null, nullable)?;
        return Ok((IdCol::Int(values), null));
    }
    let col = groups(obj, arg)?;
    let n_rows;
    let id = match (col.data.codes, col.data.labels) {
        (codes, Labels::Str(labels)) => {
            let codes = codes.into_dense();
            n_rows = codes.len();
            IdCol::Str { labels, codes }
        }
        (codes, Labels::Float(labels)) => {
            let codes = codes.into_dense();
            n_rows = codes.len();
            IdCol::Str {
                labels: Labels::Float(labels).texts(),
                codes,
            }
        }
        (codes, Labels::Bool(labels)) => {
            let codes = codes.into_dense();
            n_rows = codes.len();
            IdCol::Str {
                labels: Labels::Bool(labels).texts(),
                codes,
            }
        }
        (codes, Labels::Int(labels)) => {
            let codes = codes.into_dense();
            n_rows = codes.len();
            IdCol::Int(Buf::Owned(
                codes
                    .iter()
                    .map(|&c| labels.get(c as usize).copied().unwrap_or(0))
                    .collect(),
            ))
        }
    };
    let mut null = vec![false; n_rows];
    for &i in &col.nulls {
        null[i] = true;
    }
    check_null_ids(py, arg, &null, nullable)?;
    Ok((id, null))
}

fn check_null_ids(
    py: Python<'_>,
    arg: &'static str,
    null: &[bool],
    nullable: bool,
) -> PyResult<()> {
    match null.iter().position(|&b| b) {
        Some(index) if !nullable => Err(core_err(py, Error::Missing { arg, index })),
        _ => Ok(()),
    }
}

/// Reads a time column as seconds since 1970 (NaT/null → `NAT`).
pub(crate) fn read_times<'py>(
    obj: &Bound<'py, PyAny>,
    arg: &'static str,
) -> PyResult<Buf<'py, i64>> {
    let t = times(obj, arg)?.nulls_as_nat();
    if t.unit == TimeUnit::Seconds {
        return Ok(t.values);
    }
    Ok(Buf::Owned(t.unit.to_seconds(t.values.as_slice())))
}

/// Reads a numeric column as f64 (null → NaN).
fn read_f64<'py>(obj: &Bound<'py, PyAny>, arg: &'static str) -> PyResult<Buf<'py, f64>> {
    Ok(numbers(obj, arg)?.nulls_as_nan().into_f64())
}

/// Marks a null in a label column while it is read (becomes `None`).
const NO_ROW: u32 = u32::MAX;

/// Reads a label column: codes (null → `NO_ROW`) and label strings.
fn read_labels(obj: &Bound<'_, PyAny>, arg: &'static str) -> PyResult<(Vec<u32>, Vec<String>)> {
    let col = groups(obj, arg)?;
    let mut codes = match col.data.codes {
        Codes::Dense(v) => v,
        keyed => keyed.into_dense(),
    };
    // The labels rows use; strings (and categories) sorted by text, as feature columns are named.
    let used = col.data.labels.only_used(&mut codes, &col.nulls);
    let labels = used.texts();
    let labels = if matches!(used, Labels::Str(_)) {
        let mut order: Vec<usize> = (0..labels.len()).collect();
        order.sort_by(|&a, &b| labels[a].cmp(&labels[b]));
        let mut rank = vec![0u32; labels.len()];
        for (r, &old) in order.iter().enumerate() {
            rank[old] = r as u32;
        }
        for c in codes.iter_mut() {
            *c = rank.get(*c as usize).copied().unwrap_or(0);
        }
        order.iter().map(|&i| labels[i].clone()).collect()
    } else {
        labels
    };
    for &i in &col.nulls {
        if let Some(c) = codes.get_mut(i) {
            *c = NO_ROW;
        }
    }
    if col.nulls.is_empty() {
        return Ok((codes, labels));
    }
    // Null rows were read as a placeholder label (""); drop it unless a real row uses it.
    let mut used = vec![false; labels.len()];
    for &c in &codes {
        if let Some(u) = used.get_mut(c as usize) {
            *u = true;
        }
    }
    let mut remap = vec![NO_ROW; labels.len()];
    let mut kept = Vec::with_capacity(labels.len());
    for (i, label) in labels.into_iter().enumerate() {
        if used[i] || !label.is_empty() {
            remap[i] = kept.len() as u32;
            kept.push(label);
        }
    }
    for c in &mut codes {
        if let Some(&r) = remap.get(*c as usize) {
            *c = r;
        }
    }
    Ok((codes, kept))
}

fn n_rows_check(
    py: Python<'_>,
    arg: &'static str,
    n: usize,
    other: &'static str,
    m: usize,
) -> PyResult<()> {
    if n == m {
        Ok(())
    } else {
        Err(core_err(
            py,
            Error::LengthMismatch {
                arg: other,
                len: m,
                other: arg,
                other_len: n,
            },
        ))
    }
}

/// A number of days: a positive whole number (a voc error naming `arg` otherwise, never Python's
/// `OverflowError`).
fn days(py: Python<'_>, arg: &'static str, value: i64) -> PyResult<u32> {
    match u32::try_from(value) {
        Ok(d) if d > 0 => Ok(d),
        _ => Err(core_err(
            py,
            Error::option(arg, value, "expected a positive number of days"),
        )),
    }
}

/// Parses a cutoff: a date string, datetime, numpy datetime64, pandas Timestamp, or integer seconds.
pub fn cutoff_seconds(obj: &Bound<'_, PyAny>, arg: &'static str) -> PyResult<i64> {
    let py = obj.py();
    if obj.is_instance_of::<PyInt>() && !obj.is_instance_of::<PyBool>() {
        return obj.extract::<i64>().map_err(|_| {
            core_err(
                py,
                Error::option(arg, obj.to_string(), "integer seconds out of range"),
            )
        });
    }
    let np = py.import("numpy")?;
    let parsed = np
        .getattr("datetime64")?
        .call1((obj,))
        .and_then(|d| d.call_method1("astype", ("datetime64[s]",)))
        .and_then(|d| d.call_method1("astype", ("int64",)))
        .and_then(|d| d.extract::<i64>());
    match parsed {
        Ok(v) if v != i64::MIN => Ok(v),
        _ => Err(core_err(
            py,
            Error::option(
                arg,
                obj.repr()?.to_string(),
                "expected a date or time (e.g. \"2025-01-01\")",
            ),
        )),
    }
}

pub(crate) fn policy(py: Python<'_>, missing: &str) -> PyResult<RowPolicy> {
    match missing {
        "error" => Ok(RowPolicy::Error),
        "skip" => Ok(RowPolicy::Skip),
        other => Err(core_err(
            py,
            Error::option("missing", other, "expected \"error\" or \"skip\""),
        )),
    }
}

/// The same error with a row position of the table `table` mapped back to the caller's row (`rows[i]` is
/// the caller's row of the `i`-th row read).
fn remap_row(e: Error, table: &str, rows: &[usize]) -> Error {
    remap_index(e, rows, |arg| arg.split('.').next() == Some(table))
}

/// The same error with its row position `i` replaced by `rows[i]` when `applies` to its argument
/// (rows read after some were left out, mapped back to the caller's rows).
pub(crate) fn remap_index(mut e: Error, rows: &[usize], applies: impl Fn(&str) -> bool) -> Error {
    let (arg, index) = match &mut e {
        Error::OutOfRange { arg, index, .. }
        | Error::NotWhole { arg, index, .. }
        | Error::NonFinite { arg, index, .. }
        | Error::Missing { arg, index }
        | Error::InvalidValue { arg, index, .. }
        | Error::UnknownId { arg, index, .. }
        | Error::DuplicateId { arg, index, .. } => (*arg, index),
        _ => return e,
    };
    if applies(arg)
        && let Some(&row) = rows.get(*index)
    {
        *index = row;
    }
    e
}

struct OrdersRead<'py> {
    customer: IdCol<'py>,
    id: Option<IdCol<'py>>,
    time: Buf<'py, i64>,
    amount: Buf<'py, f64>,
}

fn read_orders<'py>(obj: &Bound<'py, PyAny>) -> PyResult<OrdersRead<'py>> {
    let f = frame(obj, "orders")?;
    Ok(OrdersRead {
        customer: read_ids(&f.require("customer_id")?, "orders.customer_id", false)?.0,
        id: match f.get("order_id")? {
            Some(c) => Some(read_ids(&c, "orders.order_id", false)?.0),
            None => None,
        },
        time: read_times(&f.require("time")?, "orders.time")?,
        amount: read_f64(&f.require("amount")?, "orders.amount")?,
    })
}

struct ReturnsRead<'py> {
    customer: IdCol<'py>,
    order: Option<IdCol<'py>>,
    requested: Buf<'py, i64>,
    received: Buf<'py, i64>,
    refunded: Buf<'py, i64>,
    amount: Buf<'py, f64>,
}

fn read_returns<'py>(obj: &Bound<'py, PyAny>, with_orders: bool) -> PyResult<ReturnsRead<'py>> {
    let f = frame(obj, "returns")?;
    Ok(ReturnsRead {
        customer: read_ids(&f.require("customer_id")?, "returns.customer_id", false)?.0,
        order: match f.get("order_id")? {
            Some(c) if with_orders => Some(read_ids(&c, "returns.order_id", false)?.0),
            _ => None,
        },
        requested: read_times(&f.require("requested")?, "returns.requested")?,
        received: read_times(&f.require("received")?, "returns.received")?,
        refunded: read_times(&f.require("refunded")?, "returns.refunded")?,
        amount: read_f64(&f.require("amount")?, "returns.amount")?,
    })
}

struct TicketsRead<'py> {
    customer: IdCol<'py>,
    time: Buf<'py, i64>,
    resolved: Buf<'py, i64>,
    theme: Vec<Option<u32>>,
    themes: Vec<String>,
    csat: Option<Buf<'py, f64>>,
    sentiment: Option<Buf<'py, f64>>,
}

fn read_tickets<'py>(obj: &Bound<'py, PyAny>) -> PyResult<TicketsRead<'py>> {
    let py = obj.py();
    let f = frame(obj, "tickets")?;
    let customer = read_ids(&f.require("customer_id")?, "tickets.customer_id", false)?.0;
    let time = read_times(&f.require("time")?, "tickets.time")?;
    let resolved = read_times(&f.require("resolved")?, "tickets.resolved")?;
    let (theme, themes) = match f.get("theme")? {
        Some(c) => {
            let (codes, names) = read_labels(&c, "tickets.theme")?;
            let codes = codes.into_iter().map(|c| (c != NO_ROW).then_some(c));
            (codes.collect(), names)
        }
        None => (vec![None; time.len()], Vec::new()),
    };
    n_rows_check(
        py,
        "tickets.customer_id",
        time.len(),
        "tickets.theme",
        theme.len(),
    )?;
    Ok(TicketsRead {
        customer,
        time,
        resolved,
        theme,
        themes,
        csat: f
            .get("csat")?
            .map(|c| read_f64(&c, "tickets.csat"))
            .transpose()?,
        sentiment: f
            .get("sentiment")?
            .map(|c| read_f64(&c, "tickets.sentiment"))
            .transpose()?,
    })
}

struct SurveysRead<'py> {
    customer: IdCol<'py>,
    time: Buf<'py, i64>,
    kind: Vec<SurveyKind>,
    score: Buf<'py, f64>,
}

fn read_surveys<'py>(obj: &Bound<'py, PyAny>) -> PyResult<SurveysRead<'py>> {
    let py = obj.py();
    let f = frame(obj, "surveys")?;
    let (kind_codes, kind_names) = read_labels(&f.require("kind")?, "surveys.kind")?;
    let parsed = kind_names
        .iter()
        .map(|k| k.to_ascii_lowercase().parse::<SurveyKind>())
        .collect::<Result<Vec<_>, _>>()
        .py_err(py)?;
    let mut kind = Vec::with_capacity(kind_codes.len());
    for (i, &c) in kind_codes.iter().enumerate() {
        match parsed.get(c as usize) {
            Some(&k) => kind.push(k),
            None => {
                return Err(core_err(
                    py,
                    Error::Missing {
                        arg: "surveys.kind",
                        index: i,
                    },
                ));
            }
        }
    }
    Ok(SurveysRead {
        customer: read_ids(&f.require("customer_id")?, "surveys.customer_id", false)?.0,
        time: read_times(&f.require("time")?, "surveys.time")?,
        kind,
        score: read_f64(&f.require("score")?, "surveys.score")?,
    })
}

struct MentionsRead<'py> {
    customer: IdCol<'py>,
    time: Buf<'py, i64>,
    sentiment: Option<Buf<'py, f64>>,
    anonymous: usize,
    /// The caller's row of each row kept (empty when none was left out).
    rows: Vec<usize>,
}

/// Mentions without a customer id are left out (anonymous posters) and counted.
fn read_mentions<'py>(obj: &Bound<'py, PyAny>) -> PyResult<MentionsRead<'py>> {
    let py = obj.py();
    let f = frame(obj, "mentions")?;
    let (customer, null) = read_ids(&f.require("customer_id")?, "mentions.customer_id", true)?;
    let time = read_times(&f.require("time")?, "mentions.time")?;
    let sentiment = f
        .get("sentiment")?
        .map(|c| read_f64(&c, "mentions.sentiment"))
        .transpose()?;
    n_rows_check(
        py,
        "mentions.customer_id",
        null.len(),
        "mentions.time",
        time.len(),
    )?;
    let anonymous = null.iter().filter(|&&b| b).count();
    if anonymous == 0 {
        return Ok(MentionsRead {
            customer,
            time,
            sentiment,
            anonymous,
            rows: Vec::new(),
        });
    }
    let keep: Vec<bool> = null.iter().map(|&b| !b).collect();
    Ok(MentionsRead {
        customer: customer.keep(&keep),
        time: Buf::Owned(compact(&time, &keep)),
        sentiment: sentiment.map(|s| Buf::Owned(compact(&s, &keep))),
        anonymous,
        rows: (0..keep.len()).filter(|&i| keep[i]).collect(),
    })
}

struct ChurnRead<'py> {
    customer: IdCol<'py>,
    time: Buf<'py, i64>,
}

fn read_churn<'py>(obj: &Bound<'py, PyAny>) -> PyResult<ChurnRead<'py>> {
    let f = frame(obj, "churn")?;
    Ok(ChurnRead {
        customer: read_ids(&f.require("customer_id")?, "churn.customer_id", false)?.0,
        time: read_times(&f.require("time")?, "churn.time")?,
    })
}

/// All events of a customer base, validated and indexed by customer (see `docs/signals.md`).
#[pyclass(frozen, module = "voc._voc")]
pub struct EventLog {
    pub(crate) log: Arc<core::EventLog>,
    anonymous_mentions: usize,
    /// The caller's row of each mention read (empty when every mention had a customer id).
    mention_rows: Vec<usize>,
}

#[pymethods]
impl EventLog {
    #[new]
    #[pyo3(signature = (customers, *, orders=None, returns=None, tickets=None, surveys=None, mentions=None, churn=None, missing="error"))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        customers: &Bound<'_, PyAny>,
        orders: Option<&Bound<'_, PyAny>>,
        returns: Option<&Bound<'_, PyAny>>,
        tickets: Option<&Bound<'_, PyAny>>,
        surveys: Option<&Bound<'_, PyAny>>,
        mentions: Option<&Bound<'_, PyAny>>,
        churn: Option<&Bound<'_, PyAny>>,
        #[pyo3(from_py_with = crate::convert_args::text)] missing: &str,
    ) -> PyResult<Self> {
        let policy = policy(py, missing)?;
        // Read every table first (needs the GIL), then validate and index them all without it.
        let f = frame(customers, "customers")?;
        let (ids, _) = read_ids(&f.require("customer_id")?, "customers.customer_id", false)?;
        let signup = read_times(&f.require("signup")?, "customers.signup")?;
        let o = orders.map(read_orders).transpose()?;
        // Returns are checked against their orders when both tables carry order ids.
        let with_order_ids = o.as_ref().is_some_and(|o| o.id.is_some());
        let r = returns
            .map(|r| read_returns(r, with_order_ids))
            .transpose()?;
        let t = tickets.map(read_tickets).transpose()?;
        let sv = surveys.map(read_surveys).transpose()?;
        let m = mentions.map(read_mentions).transpose()?;
        let c = churn.map(read_churn).transpose()?;
        let anonymous = m.as_ref().map_or(0, |m| m.anonymous);
        let mention_rows = m.as_ref().map(|m| m.rows.clone()).unwrap_or_default();

        let ids_s = ids.strs();
        let o_s = o.as_ref().map(|o| {
            (
                o.customer.strs(),
                o.id.as_ref().map(IdCol::strs).unwrap_or_default(),
            )
        });
        let r_s = r.as_ref().map(|r| {
            (
                r.customer.strs(),
                r.order.as_ref().map(IdCol::strs).unwrap_or_default(),
            )
        });
        let t_s = t.as_ref().map(|t| t.customer.strs());
        let sv_s = sv.as_ref().map(|s| s.customer.strs());
        let m_s = m.as_ref().map(|m| m.customer.strs());
        let c_s = c.as_ref().map(|c| c.customer.strs());
        let no_themes: Vec<String> = Vec::new();
        let tables = Tables {
            orders: o.as_ref().zip(o_s.as_ref()).map(|(o, (cs, is))| Orders {
                id: o.id.as_ref().map(|i| i.ids(is)),
                customer: o.customer.ids(cs),
                time: &o.time,
                amount: &o.amount,
            }),
            returns: r.as_ref().zip(r_s.as_ref()).map(|(r, (cs, os))| Returns {
                order: r.order.as_ref().map(|x| x.ids(os)),
                customer: r.customer.ids(cs),
                requested: &r.requested,
                received: &r.received,
                refunded: &r.refunded,
                amount: &r.amount,
            }),
            tickets: t.as_ref().zip(t_s.as_ref()).map(|(t, cs)| Tickets {
                customer: t.customer.ids(cs),
                time: &t.time,
                theme: &t.theme,
                resolved: &t.resolved,
                csat: t.csat.as_deref(),
                sentiment: t.sentiment.as_deref(),
            }),
            themes: t.as_ref().map_or(&no_themes, |t| &t.themes),
            surveys: sv.as_ref().zip(sv_s.as_ref()).map(|(s, cs)| Surveys {
                customer: s.customer.ids(cs),
                time: &s.time,
                kind: &s.kind,
                score: &s.score,
            }),
            mentions: m.as_ref().zip(m_s.as_ref()).map(|(m, cs)| Mentions {
                customer: m.customer.ids(cs),
                time: &m.time,
                sentiment: m.sentiment.as_deref(),
            }),
            churn: c.as_ref().zip(c_s.as_ref()).map(|(c, cs)| ChurnEvents {
                customer: c.customer.ids(cs),
                time: &c.time,
            }),
        };
        let customers = Customers {
            id: ids.ids(&ids_s),
            signup: &signup,
        };
        let log = crate::guard::detach(py, "voc.signals.EventLog", || {
            core::EventLogBuilder::new(customers, policy)
                .and_then(|b| b.tables(tables))
                .map(core::EventLogBuilder::build)
        })
        .map_err(|e| remap_row(e, "mentions", &mention_rows))
        .py_err(py)?;
        Ok(EventLog {
            log: Arc::new(log),
            anonymous_mentions: anonymous,
            mention_rows,
        })
    }

    /// Number of customers.
    #[getter]
    fn n_customers(&self) -> usize {
        self.log.customers()
    }

    /// Number of event rows kept (rows left out under `missing="skip"` and anonymous mentions are not
    /// counted).
    #[getter]
    fn n_events(&self) -> usize {
        self.log.events()
    }

    /// Mentions without a customer id, left out of per-customer signals.
    #[getter]
    fn anonymous_mentions(&self) -> usize {
        self.anonymous_mentions
    }

    /// Ticket theme names, in code order.
    #[getter]
    fn themes(&self) -> Vec<String> {
        self.log.themes().to_vec()
    }

    /// The latest time in any table (numpy datetime64[s]), or None.
    #[getter]
    fn last_time<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        let Some(t) = self.log.last_time() else {
            return Ok(None);
        };
        Ok(Some(
            py.import("numpy")?.getattr("datetime64")?.call1((t, "s"))?,
        ))
    }

    /// Rows left out under `missing="skip"`, in all tables (0 under `missing="error"`).
    #[getter]
    fn n_missing(&self) -> u64 {
        self.log.skipped().iter().map(|s| s.rows).sum()
    }

    /// Rows left out under `missing="skip"`, one row per table and reason (a `voc.Table`: `table`,
    /// `reason`, `n` rows, `first` row position in that table).
    #[getter]
    fn skipped(&self, py: Python<'_>) -> PyResult<Table> {
        let s = self.log.skipped();
        let mut b = TableBuilder::new(py);
        let tables: Vec<Option<&str>> = s.iter().map(|s| Some(s.table)).collect();
        let reasons: Vec<Option<&str>> = s.iter().map(|s| Some(s.reason.as_str())).collect();
        b.strings("table", &tables)?;
        b.strings("reason", &reasons)?;
        b.numbers("n", s.iter().map(|s| s.rows).collect::<Vec<u64>>());
        let first = s.iter().map(|s| {
            let caller = if s.table == "mentions" {
                self.mention_rows.get(s.first).copied()
            } else {
                None
            };
            caller.unwrap_or(s.first) as u64
        });
        b.numbers("first", first.collect::<Vec<u64>>());
        Ok(b.finish("rows left out", None))
    }

    /// Churn signals of each customer who signed up before `cutoff` (a `voc.Table`: `customer_id`, then one
    /// column per signal; see docs/signals.md).
    #[pyo3(signature = (cutoff, *, windows=vec![30, 90, 180], silence_days=90, theme_counts=true))]
    fn features(
        &self,
        py: Python<'_>,
        cutoff: &Bound<'_, PyAny>,
        #[pyo3(from_py_with = crate::convert_args::wholes::<i64>)] windows: Vec<i64>,
        #[pyo3(from_py_with = crate::convert_args::whole::<i64>)] silence_days: i64,
        #[pyo3(from_py_with = crate::convert_args::flag)] theme_counts: bool,
    ) -> PyResult<Table> {
        let t = cutoff_seconds(cutoff, "cutoff")?;
        let windows = windows
            .into_iter()
            .map(|w| days(py, "windows", w))
            .collect::<PyResult<Vec<_>>>()?;
        let silence_days = days(py, "silence_days", silence_days)?;
        let opts = FeatureOptions::new(t)
            .windows(&windows)
            .silence_days(silence_days)
            .theme_counts(theme_counts);
        let log = Arc::clone(&self.log);
        let mut f =
            crate::guard::detach(py, "voc.signals.EventLog.features", || log.features(&opts))
                .py_err(py)?;
        let mut b = TableBuilder::new(py);
        self.id_column(py, &mut b, &f.customers)?;
        let (names, n) = (std::mem::take(&mut f.names), f.rows());
        // The column-major values move into one numpy array (no copy); each column is a contiguous
        // view of it.
        let values = PyArray2::from_owned_array(py, f.into_values()).into_any();
        let all = PySlice::full(py);
        for (j, name) in names.iter().enumerate() {
            b.column(name, n, values.get_item((&all, j))?);
        }
        Ok(b.finish("churn signals", None))
    }

    /// Churn labels for the rows of `features(cutoff)`: `churned` is True when the customer placed no order in
    /// the `horizon_days` after the cutoff or had an explicit churn event in them.
    #[pyo3(signature = (cutoff, *, horizon_days=180))]
    fn labels(
        &self,
        py: Python<'_>,
        cutoff: &Bound<'_, PyAny>,
        #[pyo3(from_py_with = crate::convert_args::whole::<i64>)] horizon_days: i64,
    ) -> PyResult<Table> {
        let t = cutoff_seconds(cutoff, "cutoff")?;
        let horizon_days = days(py, "horizon_days", horizon_days)?;
        let log = Arc::clone(&self.log);
        let labels = crate::guard::detach(py, "voc.signals.EventLog.labels", || {
            log.labels(t, horizon_days)
        })
        .py_err(py)?;
        let mut b = TableBuilder::new(py);
        self.id_column(py, &mut b, &labels.customers)?;
        b.numbers("churned", labels.churned);
        Ok(b.finish("churn labels", None))
    }

    fn __len__(&self) -> usize {
        self.log.events()
    }

    fn __repr__(&self) -> String {
        format!(
            "EventLog(n_customers={}, n_events={}, n_missing={}, anonymous_mentions={})",
            self.log.customers(),
            self.log.events(),
            self.n_missing(),
            self.anonymous_mentions
        )
    }
}

impl EventLog {
    fn id_column<'py>(
        &self,
        py: Python<'py>,
        b: &mut TableBuilder<'py>,
        rows: &[u32],
    ) -> PyResult<()> {
        match self.log.customer_ids() {
            IdLabels::Int(v) => {
                b.numbers(
                    "customer_id",
                    rows.iter().map(|&r| v[r as usize]).collect::<Vec<i64>>(),
                );
            }
            IdLabels::Str(v) => {
                let list = PyList::new(py, rows.iter().map(|&r| v[r as usize].as_str()))?;
                b.column("customer_id", rows.len(), list.into_any());
            }
        }
        Ok(())
    }
}
