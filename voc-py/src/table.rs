//! Tabular results: column builders and the `Table` class (to pandas / polars / dict in one call).

use std::sync::Arc;

use arrow_array::{ArrayRef, StructArray};
use arrow_schema::Field;
use numpy::PyArray1;
use pyo3::prelude::*;
use pyo3::types::{PyCapsule, PyDict, PyList, PyTuple};
use pyo3_arrow::ffi::{ArrayIterator, to_stream_pycapsule};

use crate::error::{column_not_found, raise_named};
use crate::table_arrow;

/// One cell value.
#[derive(Debug, Clone)]
pub enum Value {
    F64(f64),
    U64(u64),
    I64(i64),
    Bool(bool),
    Str(Option<String>),
    /// Days since 1970-01-01 (becomes `datetime64[D]`).
    Day(i64),
}

impl From<f64> for Value {
    fn from(v: f64) -> Self {
        Value::F64(v)
    }
}
impl From<u64> for Value {
    fn from(v: u64) -> Self {
        Value::U64(v)
    }
}
impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Bool(v)
    }
}
impl From<Option<f64>> for Value {
    fn from(v: Option<f64>) -> Self {
        Value::F64(v.unwrap_or(f64::NAN))
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Str(Some(v.to_owned()))
    }
}
impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Str(Some(v))
    }
}

/// Named fields of one row.
pub type Row = Vec<(&'static str, Value)>;

enum Col {
    F64(Vec<f64>),
    U64(Vec<u64>),
    I64(Vec<i64>),
    Bool(Vec<bool>),
    Str(Vec<Option<String>>),
    Day(Vec<i64>),
}

impl Col {
    fn new(v: &Value) -> Col {
        match v {
            Value::F64(_) => Col::F64(Vec::new()),
            Value::U64(_) => Col::U64(Vec::new()),
            Value::I64(_) => Col::I64(Vec::new()),
            Value::Bool(_) => Col::Bool(Vec::new()),
            Value::Str(_) => Col::Str(Vec::new()),
            Value::Day(_) => Col::Day(Vec::new()),
        }
    }

    fn push(&mut self, v: Value) {
        match (self, v) {
            (Col::F64(c), Value::F64(x)) => c.push(x),
            (Col::U64(c), Value::U64(x)) => c.push(x),
            (Col::I64(c), Value::I64(x)) => c.push(x),
            (Col::Bool(c), Value::Bool(x)) => c.push(x),
            (Col::Str(c), Value::Str(x)) => c.push(x),
            (Col::Day(c), Value::Day(x)) => c.push(x),
            // invariant: a column keeps the type of its first value; rows are built by one function.
            _ => {}
        }
    }

    fn into_py(self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        Ok(match self {
            Col::F64(v) => PyArray1::from_vec(py, v).into_any().unbind(),
            Col::U64(v) => PyArray1::from_vec(py, v.into_iter().map(|x| x as i64).collect())
                .into_any()
                .unbind(),
            Col::I64(v) => PyArray1::from_vec(py, v).into_any().unbind(),
            Col::Bool(v) => PyArray1::from_vec(py, v).into_any().unbind(),
            Col::Str(v) => PyList::new(py, v)?.into_any().unbind(),
            Col::Day(v) => PyArray1::from_vec(py, v)
                .call_method1("astype", ("datetime64[D]",))?
                .unbind(),
        })
    }
}

/// Builds columns row by row (rows must share their field names and types).
#[derive(Default)]
pub struct Columns {
    names: Vec<&'static str>,
    cols: Vec<Col>,
    rows: usize,
}

impl Columns {
    /// Appends a row.
    pub fn push(&mut self, row: Row) {
        for (name, value) in row {
            let idx = match self.names.iter().position(|n| *n == name) {
                Some(i) => i,
                None => {
                    self.names.push(name);
                    self.cols.push(Col::new(&value));
                    self.cols.len() - 1
                }
            };
            self.cols[idx].push(value);
        }
        self.rows += 1;
    }

    /// Finishes into a [`Table`].
    pub fn into_table(
        self,
        py: Python<'_>,
        kind: String,
        meta: Option<Py<PyDict>>,
    ) -> PyResult<Table> {
        let names = self.names.iter().map(|s| s.to_string()).collect();
        let columns = self
            .cols
            .into_iter()
            .map(|c| c.into_py(py))
            .collect::<PyResult<_>>()?;
        Ok(Table {
            kind,
            names,
            columns,
            rows: self.rows,
            meta,
        })
    }
}

/// A row to a Python dict of scalars.
pub fn row_dict<'py>(py: Python<'py>, row: Row) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    for (name, v) in row {
        match v {
            Value::F64(x) => d.set_item(name, x)?,
            Value::U64(x) => d.set_item(name, x)?,
            Value::I64(x) => d.set_item(name, x)?,
            Value::Bool(x) => d.set_item(name, x)?,
            Value::Str(x) => d.set_item(name, x)?,
            Value::Day(x) => d.set_item(name, voc_core::time::date_string(x))?,
        }
    }
    Ok(d)
}

/// A table of results (one row per group and/or period). Columns are numpy arrays (strings: lists).
///
/// `to_pandas()` and `to_polars()` give a DataFrame; `to_dict()` the columns.
#[pyclass(frozen, module = "voc._voc")]
pub struct Table {
    kind: String,
    names: Vec<String>,
    columns: Vec<Py<PyAny>>,
    rows: usize,
    meta: Option<Py<PyDict>>,
}

#[pymethods]
impl Table {
    /// Rebuilds a table from a kind, a dict of equal-length columns and optional metadata (used by pickle).
    #[new]
    #[pyo3(signature = (kind, columns, meta=None))]
    fn new(
        py: Python<'_>,
        kind: String,
        columns: &Bound<'_, PyDict>,
        meta: Option<Bound<'_, PyDict>>,
    ) -> PyResult<Self> {
        let mut names = Vec::new();
        let mut cols = Vec::new();
        let mut rows = None;
        for (k, v) in columns.iter() {
            let len = v.len()?;
            if *rows.get_or_insert(len) != len {
                return Err(raise_named(
                    py,
                    "LengthMismatchError",
                    format!(
                        "columns must all have the same length: {:?} has {len} rows, the first column {}",
                        k.str()?.to_string(),
                        rows.unwrap_or(0)
                    ),
                    Some("columns"),
                ));
            }
            names.push(crate::convert_args::string(&k)?);
            cols.push(v.unbind());
        }
        Ok(Table {
            kind,
            names,
            columns: cols,
            rows: rows.unwrap_or(0),
            meta: meta.map(Bound::unbind),
        })
    }

    /// What the table holds, e.g. "nps by group".
    #[getter]
    fn kind(&self) -> &str {
        &self.kind
    }

    /// Metadata (e.g. the changes planted in simulated data), or None.
    #[getter]
    fn meta<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyDict>> {
        // A copy: the table is frozen.
        self.meta.as_ref().and_then(|m| m.bind(py).copy().ok())
    }

    /// Column names, in order.
    #[getter]
    fn columns(&self) -> Vec<String> {
        self.names.clone()
    }

    fn __len__(&self) -> usize {
        self.rows
    }

    fn __getitem__(&self, py: Python<'_>, name: &str) -> PyResult<Py<PyAny>> {
        match self.names.iter().position(|n| n == name) {
            Some(i) => Ok(self.columns[i].clone_ref(py)),
            None => Err(column_not_found(py, "key", name, &self.names)),
        }
    }

    /// The columns as a dict (name → numpy array or list).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        for (n, c) in self.names.iter().zip(&self.columns) {
            d.set_item(n, c.bind(py))?;
        }
        Ok(d)
    }

    /// A pandas DataFrame (needs pandas).
    fn to_pandas<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        py.import("pandas")?
            .call_method1("DataFrame", (self.to_dict(py)?,))
    }

    /// A polars DataFrame (needs polars, not pandas), read through the Arrow C stream; label columns
    /// become `pl.Categorical`.
    fn to_polars<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        slf.py().import("polars")?.call_method1("DataFrame", (slf,))
    }

    /// The table as an Arrow C stream (the Arrow PyCapsule interface): `polars.DataFrame(t)`,
    /// `pyarrow.table(t)` and DuckDB read it without pandas. Label columns become dictionary arrays,
    /// `datetime64[D]` columns `date32`.
    #[pyo3(signature = (requested_schema=None))]
    fn __arrow_c_stream__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, PyCapsule>>,
    ) -> PyResult<Bound<'py, PyCapsule>> {
        let batch = table_arrow::record_batch(py, &self.names, &self.columns, self.rows)?;
        let field = Field::new_struct("", batch.schema().fields().clone(), false);
        let array: ArrayRef = Arc::new(StructArray::from(batch));
        let reader = Box::new(ArrayIterator::new(
            std::iter::once(Ok(array)),
            Arc::new(field),
        ));
        Ok(to_stream_pycapsule(py, reader, requested_schema)?)
    }

    /// A pyarrow Table (needs pyarrow), through the Arrow C stream.
    fn to_arrow<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        slf.py().import("pyarrow")?.call_method1("table", (slf,))
    }

    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let args = (self.kind.clone(), self.to_dict(py)?, self.meta(py));
        PyTuple::new(
            py,
            [
                py.get_type::<Table>().into_any(),
                args.into_pyobject(py)?.into_any(),
            ],
        )
    }

    /// Equal when the kind, the column names and every value are the same (floats bit for bit).
    fn __eq__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<bool> {
        match other.cast::<Table>() {
            Ok(o) => self.same(py, o.get()),
            Err(_) => Ok(false),
        }
    }

    fn __repr__(&self) -> String {
        format!(
            "Table(kind={:?}, rows={}, columns={:?})",
            self.kind, self.rows, self.names
        )
    }

    fn _repr_html_(&self, py: Python<'_>) -> PyResult<String> {
        let shown = self.rows.min(30);
        let mut html = format!(
            "<p><b>voc {}</b> — {} rows</p><table><thead><tr>",
            escape(&self.kind),
            self.rows
        );
        for n in &self.names {
            html.push_str(&format!("<th>{}</th>", escape(n)));
        }
        html.push_str("</tr></thead><tbody>");
        for i in 0..shown {
            html.push_str("<tr>");
            for c in &self.columns {
                let cell = c.bind(py).get_item(i)?;
                let text = match cell.extract::<f64>() {
                    Ok(x)
                        if !cell.is_instance_of::<pyo3::types::PyInt>()
                            && !cell.is_instance_of::<pyo3::types::PyBool>() =>
                    {
                        format!("{x:.4}")
                    }
                    _ => cell.str()?.to_string(),
                };
                html.push_str(&format!("<td>{}</td>", escape(&text)));
            }
            html.push_str("</tr>");
        }
        html.push_str("</tbody></table>");
        if shown < self.rows {
            html.push_str(&format!("<p>… {} more rows</p>", self.rows - shown));
        }
        Ok(html)
    }
}

/// Minimal HTML escaping.
pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The `_repr_html_` of a result from its `to_dict()`: a bold `voc <name>` line, then one row per
/// field, the value shown by its `repr()` (`repr = true`: strings quoted) or its `str()`.
pub fn fields_html(name: &str, d: &Bound<'_, PyDict>, repr: bool) -> PyResult<String> {
    let mut out = format!("<p><b>voc {name}</b></p><table>");
    for (k, v) in d.iter() {
        let shown = if repr { v.repr()? } else { v.str()? };
        out.push_str(&format!(
            "<tr><th>{}</th><td>{}</td></tr>",
            escape(&k.str()?.to_string()),
            escape(&shown.to_string())
        ));
    }
    out.push_str("</table>");
    Ok(out)
}

impl Table {
    /// Whether two tables hold the same kind, column names and values (floats bit for bit, so NaN
    /// cells compare equal to themselves), compared through their Arrow form.
    pub fn same(&self, py: Python<'_>, other: &Table) -> PyResult<bool> {
        if self.kind != other.kind || self.names != other.names || self.rows != other.rows {
            return Ok(false);
        }
        let a = table_arrow::record_batch(py, &self.names, &self.columns, self.rows)?;
        let b = table_arrow::record_batch(py, &other.names, &other.columns, other.rows)?;
        Ok(a == b)
    }

    /// The notebook HTML of the table.
    pub fn html(&self, py: Python<'_>) -> PyResult<String> {
        self._repr_html_(py)
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.rows
    }

    /// Whether the table has no rows.
    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    /// The columns as JSON-ready lists (dates and times as ISO strings, missing as None), for the
    /// `to_dict()` of results that hold a table.
    pub fn json_columns<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        for (n, c) in self.names.iter().zip(&self.columns) {
            let c = c.bind(py);
            let datetime = c
                .getattr("dtype")
                .ok()
                .and_then(|t| t.getattr("kind").ok())
                .and_then(|k| k.extract::<String>().ok())
                .is_some_and(|k| k == "M");
            let list = if datetime {
                let s = c.call_method1("astype", ("str",))?.call_method0("tolist")?;
                let nat = pyo3::types::PyString::new(py, "NaT");
                let items: Vec<Bound<'py, PyAny>> = s
                    .try_iter()?
                    .map(|v| {
                        let v = v?;
                        Ok(if v.eq(&nat)? {
                            py.None().into_bound(py)
                        } else {
                            v
                        })
                    })
                    .collect::<PyResult<_>>()?;
                PyList::new(py, items)?.into_any()
            } else if c.hasattr("tolist")? {
                c.call_method0("tolist")?
            } else {
                PyList::new(py, c.try_iter()?.collect::<PyResult<Vec<_>>>()?)?.into_any()
            };
            d.set_item(n, list)?;
        }
        Ok(d)
    }

    /// A table from ready Python columns.
    pub fn from_columns(
        kind: String,
        names: Vec<String>,
        columns: Vec<Py<PyAny>>,
        rows: usize,
        meta: Option<Py<PyDict>>,
    ) -> Table {
        Table {
            kind,
            names,
            columns,
            rows,
            meta,
        }
    }
}

/// Builds a [`Table`] column by column from core vectors (no per-row work in Python).
pub struct TableBuilder<'py> {
    py: Python<'py>,
    names: Vec<String>,
    cols: Vec<Py<PyAny>>,
    rows: Option<usize>,
}

impl<'py> TableBuilder<'py> {
    /// An empty builder.
    pub fn new(py: Python<'py>) -> Self {
        TableBuilder {
            py,
            names: Vec::new(),
            cols: Vec::new(),
            rows: None,
        }
    }

    fn push(&mut self, name: &str, len: usize, col: Bound<'py, PyAny>) -> &mut Self {
        // invariant: all columns come from one core table, so lengths agree.
        self.rows.get_or_insert(len);
        self.names.push(name.to_owned());
        self.cols.push(col.unbind());
        self
    }

    /// A numeric column (f64, i64, bool, ...).
    pub fn numbers<T: numpy::Element>(&mut self, name: &str, v: Vec<T>) -> &mut Self {
        let len = v.len();
        let arr = PyArray1::from_vec(self.py, v).into_any();
        self.push(name, len, arr)
    }

    /// A numeric column made from one field of each row.
    pub fn field<R, T: numpy::Element>(
        &mut self,
        name: &str,
        rows: &[R],
        f: impl Fn(&R) -> T,
    ) -> &mut Self {
        self.numbers(name, rows.iter().map(f).collect())
    }

    /// Seconds since 1970 as `datetime64[us]` (`i64::MIN` is NaT), a unit pandas, polars and Arrow all take.
    pub fn times(&mut self, name: &str, v: Vec<i64>) -> PyResult<&mut Self> {
        let len = v.len();
        let us = v
            .into_iter()
            .map(|t| {
                if t == i64::MIN {
                    t
                } else {
                    t.saturating_mul(1_000_000)
                }
            })
            .collect();
        let arr = PyArray1::from_vec(self.py, us).call_method1("view", ("datetime64[us]",))?;
        Ok(self.push(name, len, arr))
    }

    /// Codes shown as their labels: a pandas `Categorical` when pandas is installed (cheap to build, to
    /// group by and to read back), else a list sharing one Python string per label. Out-of-range codes
    /// are missing.
    pub fn labels(
        &mut self,
        name: &str,
        codes: impl ExactSizeIterator<Item = usize>,
        labels: &[&str],
    ) -> PyResult<&mut Self> {
        if let Ok(pd) = self.py.import("pandas") {
            let len = codes.len();
            let k = labels.len();
            let codes: Vec<i32> = codes.map(|c| if c < k { c as i32 } else { -1 }).collect();
            let codes = PyArray1::from_vec(self.py, codes);
            let cat = pd
                .getattr("Categorical")?
                .call_method1("from_codes", (codes, labels.to_vec()))?;
            return Ok(self.push(name, len, cat));
        }
        let strs: Vec<Bound<'py, pyo3::types::PyString>> = labels
            .iter()
            .map(|l| pyo3::types::PyString::new(self.py, l))
            .collect();
        let len = codes.len();
        let none = self.py.None().into_bound(self.py);
        let items = codes.map(|c| {
            strs.get(c)
                .map_or_else(|| none.clone(), |s| s.clone().into_any())
        });
        let list = PyList::new(self.py, items)?.into_any();
        Ok(self.push(name, len, list))
    }

    /// A string column (`None` for missing).
    pub fn strings<S: AsRef<str>>(&mut self, name: &str, v: &[Option<S>]) -> PyResult<&mut Self> {
        let list =
            PyList::new(self.py, v.iter().map(|s| s.as_ref().map(AsRef::as_ref)))?.into_any();
        Ok(self.push(name, v.len(), list))
    }

    /// A ready Python column.
    pub fn column(&mut self, name: &str, len: usize, col: Bound<'py, PyAny>) -> &mut Self {
        self.push(name, len, col)
    }

    /// The table.
    pub fn finish(self, kind: &str, meta: Option<Bound<'py, PyDict>>) -> Table {
        Table::from_columns(
            kind.to_owned(),
            self.names,
            self.cols,
            self.rows.unwrap_or(0),
            meta.map(Bound::unbind),
        )
    }
}
