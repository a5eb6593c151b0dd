//! `voc.signals`: tables in (DataFrames, Arrow, dicts), an indexed event log, features and labels out.

use std::sync::Arc;

use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyInt, PyList};
use voc_core::Error;
use voc_core::signals::{
    self as core, ChurnEvents, Customers, FeatureOptions, IdLabels, Ids, Mentions, NO_ROW, Orders,
    Returns, RowPolicy, SurveyKind, Surveys, Tickets,
};

use crate::convert::{Codes, Labels, groups, numbers, times};
use crate::error::{BindError, IntoPy, to_py};
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
        self.get(col)?.ok_or_else(|| {
            to_py(
                self.obj.py(),
                BindError::Core(Error::option(
                    self.name,
                    format!("a table with columns {:?}", self.columns),
                    format!("it needs a column {col:?} (see docs/signals.md)"),
                )),
            )
        })
    }
}

/// An id column: integers, or strings (labels + a code per row).
enum IdCol {
    Int(Vec<i64>),
    Str {
        labels: Vec<String>,
        codes: Vec<u32>,
    },
}

impl IdCol {
    fn strs(&self) -> Vec<&str> {
        match self {
            IdCol::Int(_) => Vec::new(),
            IdCol::Str { labels, codes } => codes
                .iter()
                .map(|&c| labels.get(c as usize).map_or("", String::as_str))
                .collect(),
        }
    }

    fn ids<'a>(&'a self, strs: &'a [&'a str]) -> Ids<'a> {
        match self {
            IdCol::Int(v) => Ids::Int(v),
            IdCol::Str { .. } => Ids::Str(strs),
        }
    }

    fn keep(&self, keep: &[bool]) -> IdCol {
        match self {
            IdCol::Int(v) => IdCol::Int(compact(v, keep)),
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
fn read_ids(
    obj: &Bound<'_, PyAny>,
    arg: &'static str,
    nullable: bool,
) -> PyResult<(IdCol, Vec<bool>)> {
    let py = obj.py();
    if let Ok(col) = numbers(obj, arg) {
        let n = col.data.len();
        let mut null = vec![false; n];
        for &i in &col.nulls {
            null[i] = true;
        }
        let values: Vec<i64> = match col.data.into_i64() {
            Some(v) => v.as_slice().to_vec(),
            None => {
                // Floats: whole numbers, NaN for "none" (pandas' integer column with gaps).
                let mut out = Vec::with_capacity(n);
                let f = numbers(obj, arg)?.data.into_f64();
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
                out
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
        (codes, Labels::Int(labels)) => {
            let codes = codes.into_dense();
            n_rows = codes.len();
            IdCol::Int(
                codes
                    .iter()
                    .map(|&c| labels.get(c as usize).copied().unwrap_or(0))
                    .collect(),
            )
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

/// Reads a time column as seconds since 1970 (NaT/null → `NO_TIME`).
fn read_times(obj: &Bound<'_, PyAny>, arg: &'static str) -> PyResult<Vec<i64>> {
    let t = times(obj, arg)?.nulls_as_nat();
    let unit = t.unit;
    Ok(t.values
        .as_slice()
        .iter()
        .map(|&v| unit.seconds(v))
        .collect())
}

/// Reads a numeric column as f64 (null → NaN).
fn read_f64(obj: &Bound<'_, PyAny>, arg: &'static str) -> PyResult<Vec<f64>> {
    Ok(numbers(obj, arg)?
        .nulls_as_nan()
        .into_f64()
        .as_slice()
        .to_vec())
}

/// Reads a label column: codes (null → `NO_ROW`) and label strings.
fn read_labels(obj: &Bound<'_, PyAny>, arg: &'static str) -> PyResult<(Vec<u32>, Vec<String>)> {
    let col = groups(obj, arg)?;
    let labels = match col.data.labels {
        Labels::Str(v) => v,
        Labels::Int(v) => v.iter().map(i64::to_string).collect(),
    };
    let mut codes = match col.data.codes {
        Codes::Dense(v) => v,
        keyed => keyed.into_dense(),
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

/// Parses a cutoff: a date string, datetime, numpy datetime64, pandas Timestamp, or integer seconds.
pub fn cutoff_seconds(obj: &Bound<'_, PyAny>, arg: &'static str) -> PyResult<i64> {
    let py = obj.py();
    if obj.is_instance_of::<PyInt>() && !obj.is_instance_of::<PyBool>() {
        return obj.extract::<i64>();
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

fn policy(py: Python<'_>, on_invalid: &str) -> PyResult<RowPolicy> {
    match on_invalid {
        "error" => Ok(RowPolicy::Error),
        "skip" => Ok(RowPolicy::Skip),
        other => Err(core_err(
            py,
            Error::option("on_invalid", other, "expected \"error\" or \"skip\""),
        )),
    }
}

/// All events of a customer base, validated and indexed by customer (see `docs/signals.md`).
#[pyclass(frozen, module = "voc._voc")]
pub struct EventLog {
    log: Arc<core::EventLog>,
    anonymous_mentions: usize,
}

#[pymethods]
impl EventLog {
    #[new]
    #[pyo3(signature = (customers, *, orders=None, returns=None, tickets=None, surveys=None, mentions=None, churn=None, on_invalid="error"))]
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
        on_invalid: &str,
    ) -> PyResult<Self> {
        let policy = policy(py, on_invalid)?;
        let f = frame(customers, "customers")?;
        let (ids, _) = read_ids(&f.require("customer_id")?, "customers.customer_id", false)?;
        let signup = read_times(&f.require("signup")?, "customers.signup")?;
        let id_strs = ids.strs();
        let customers = Customers {
            id: ids.ids(&id_strs),
            signup: &signup,
        };
        let mut b = py
            .detach(|| core::EventLogBuilder::new(customers, policy))
            .py_err(py)?;
        let mut order_ids_given = false;
        if let Some(o) = orders {
            let f = frame(o, "orders")?;
            let (customer, _) = read_ids(&f.require("customer_id")?, "orders.customer_id", false)?;
            let time = read_times(&f.require("time")?, "orders.time")?;
            let amount = read_f64(&f.require("amount")?, "orders.amount")?;
            let id = match f.get("order_id")? {
                Some(c) => Some(read_ids(&c, "orders.order_id", false)?.0),
                None => None,
            };
            order_ids_given = id.is_some();
            let (cs, is) = (
                customer.strs(),
                id.as_ref().map(IdCol::strs).unwrap_or_default(),
            );
            let table = Orders {
                id: id.as_ref().map(|i| i.ids(&is)),
                customer: customer.ids(&cs),
                time: &time,
                amount: &amount,
            };
            b = py.detach(|| b.orders(table)).py_err(py)?;
        }
        if let Some(r) = returns {
            let f = frame(r, "returns")?;
            let (customer, _) = read_ids(&f.require("customer_id")?, "returns.customer_id", false)?;
            let requested = read_times(&f.require("requested")?, "returns.requested")?;
            let received = read_times(&f.require("received")?, "returns.received")?;
            let refunded = read_times(&f.require("refunded")?, "returns.refunded")?;
            let amount = read_f64(&f.require("amount")?, "returns.amount")?;
            // Returns are checked against their orders when both tables carry order ids.
            let order = match f.get("order_id")? {
                Some(c) if order_ids_given => Some(read_ids(&c, "returns.order_id", false)?.0),
                _ => None,
            };
            let (cs, os) = (
                customer.strs(),
                order.as_ref().map(IdCol::strs).unwrap_or_default(),
            );
            let table = Returns {
                order: order.as_ref().map(|o| o.ids(&os)),
                customer: customer.ids(&cs),
                requested: &requested,
                received: &received,
                refunded: &refunded,
                amount: &amount,
            };
            b = py.detach(|| b.returns(table)).py_err(py)?;
        }
        if let Some(t) = tickets {
            let f = frame(t, "tickets")?;
            let (customer, _) = read_ids(&f.require("customer_id")?, "tickets.customer_id", false)?;
            let time = read_times(&f.require("time")?, "tickets.time")?;
            let resolved = read_times(&f.require("resolved")?, "tickets.resolved")?;
            let (theme, names) = match f.get("theme")? {
                Some(c) => read_labels(&c, "tickets.theme")?,
                None => (vec![NO_ROW; time.len()], Vec::new()),
            };
            let csat = f
                .get("csat")?
                .map(|c| read_f64(&c, "tickets.csat"))
                .transpose()?;
            let sentiment = f
                .get("sentiment")?
                .map(|c| read_f64(&c, "tickets.sentiment"))
                .transpose()?;
            n_rows_check(
                py,
                "tickets.customer_id",
                time.len(),
                "tickets.theme",
                theme.len(),
            )?;
            let cs = customer.strs();
            let table = Tickets {
                customer: customer.ids(&cs),
                time: &time,
                theme: &theme,
                resolved: &resolved,
                csat: csat.as_deref(),
                sentiment: sentiment.as_deref(),
            };
            b = py.detach(|| b.tickets(table, &names)).py_err(py)?;
        }
        if let Some(s) = surveys {
            let f = frame(s, "surveys")?;
            let (customer, _) = read_ids(&f.require("customer_id")?, "surveys.customer_id", false)?;
            let time = read_times(&f.require("time")?, "surveys.time")?;
            let (kind_codes, kind_names) = read_labels(&f.require("kind")?, "surveys.kind")?;
            let parsed = kind_names
                .iter()
                .map(|k| SurveyKind::parse(k))
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
            let score = read_f64(&f.require("score")?, "surveys.score")?;
            let cs = customer.strs();
            let table = Surveys {
                customer: customer.ids(&cs),
                time: &time,
                kind: &kind,
                score: &score,
            };
            b = py.detach(|| b.surveys(table)).py_err(py)?;
        }
        let mut anonymous = 0;
        if let Some(m) = mentions {
            let f = frame(m, "mentions")?;
            let (customer, null) =
                read_ids(&f.require("customer_id")?, "mentions.customer_id", true)?;
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
            // Anonymous mentions (no customer id) do not enter per-customer signals.
            anonymous = null.iter().filter(|&&b| b).count();
            let keep: Vec<bool> = null.iter().map(|&b| !b).collect();
            let customer = customer.keep(&keep);
            let time = compact(&time, &keep);
            let sentiment = sentiment.map(|s| compact(&s, &keep));
            let cs = customer.strs();
            let table = Mentions {
                customer: customer.ids(&cs),
                time: &time,
                sentiment: sentiment.as_deref(),
            };
            b = py.detach(|| b.mentions(table)).py_err(py)?;
        }
        if let Some(c) = churn {
            let f = frame(c, "churn")?;
            let (customer, _) = read_ids(&f.require("customer_id")?, "churn.customer_id", false)?;
            let time = read_times(&f.require("time")?, "churn.time")?;
            let cs = customer.strs();
            let table = ChurnEvents {
                customer: customer.ids(&cs),
                time: &time,
            };
            b = py.detach(|| b.churn(table)).py_err(py)?;
        }
        Ok(EventLog {
            log: Arc::new(b.build()),
            anonymous_mentions: anonymous,
        })
    }

    /// Number of customers.
    #[getter]
    fn customers(&self) -> usize {
        self.log.customers()
    }

    /// Number of events kept.
    #[getter]
    fn events(&self) -> usize {
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
        let t = self.log.last_time();
        if t == core::NO_TIME {
            return Ok(None);
        }
        Ok(Some(
            py.import("numpy")?.getattr("datetime64")?.call1((t, "s"))?,
        ))
    }

    /// Rows left out under `on_invalid="skip"`: a list of dicts (table, reason, rows, first).
    #[getter]
    fn skipped<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let out = PyList::empty(py);
        for s in self.log.skipped() {
            let d = PyDict::new(py);
            d.set_item("table", s.table)?;
            d.set_item("reason", &s.reason)?;
            d.set_item("rows", s.rows)?;
            d.set_item("first", s.first)?;
            out.append(d)?;
        }
        Ok(out)
    }

    /// Churn signals of each customer who signed up before `cutoff` (a `voc.Table`: `customer_id`, then one
    /// column per signal; see docs/signals.md).
    #[pyo3(signature = (cutoff, *, windows=vec![30, 90, 180], silence_days=90, theme_counts=true))]
    fn features(
        &self,
        py: Python<'_>,
        cutoff: &Bound<'_, PyAny>,
        windows: Vec<u32>,
        silence_days: u32,
        theme_counts: bool,
    ) -> PyResult<Table> {
        let t = cutoff_seconds(cutoff, "cutoff")?;
        let opts = FeatureOptions::new(t)
            .windows(&windows)
            .silence_days(silence_days)
            .theme_counts(theme_counts);
        let log = Arc::clone(&self.log);
        let (f, cols) = py
            .detach(|| {
                log.features(&opts).map(|f| {
                    let cols = f.columns();
                    (f, cols)
                })
            })
            .py_err(py)?;
        let mut b = TableBuilder::new(py);
        self.id_column(py, &mut b, &f.customers)?;
        for (name, col) in f.names.iter().zip(cols) {
            b.numbers(name, col);
        }
        let meta = PyDict::new(py);
        meta.set_item(
            "cutoff",
            py.import("numpy")?.getattr("datetime64")?.call1((t, "s"))?,
        )?;
        meta.set_item("windows", windows)?;
        meta.set_item("silence_days", silence_days)?;
        Ok(b.finish("churn signals", Some(meta)))
    }

    /// Churn labels for the rows of `features(cutoff)`: `churned` is True when the customer placed no order in
    /// the `horizon_days` after the cutoff or had an explicit churn event in them.
    #[pyo3(signature = (cutoff, *, horizon_days=180))]
    fn labels(
        &self,
        py: Python<'_>,
        cutoff: &Bound<'_, PyAny>,
        horizon_days: u32,
    ) -> PyResult<Table> {
        let t = cutoff_seconds(cutoff, "cutoff")?;
        let log = Arc::clone(&self.log);
        let labels = py.detach(|| log.labels(t, horizon_days)).py_err(py)?;
        let mut b = TableBuilder::new(py);
        self.id_column(py, &mut b, &labels.customers)?;
        b.numbers("churned", labels.churned);
        let meta = PyDict::new(py);
        meta.set_item(
            "cutoff",
            py.import("numpy")?.getattr("datetime64")?.call1((t, "s"))?,
        )?;
        meta.set_item("horizon_days", horizon_days)?;
        Ok(b.finish("churn labels", Some(meta)))
    }

    fn __len__(&self) -> usize {
        self.log.events()
    }

    fn __repr__(&self) -> String {
        format!(
            "EventLog(customers={}, events={}, skipped_rows={}, anonymous_mentions={})",
            self.log.customers(),
            self.log.events(),
            self.log.skipped().iter().map(|s| s.rows).sum::<u64>(),
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
