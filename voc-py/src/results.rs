//! Results that come with many rows: a typed, frozen class whose `.table` is a [`Table`] and whose
//! headline numbers (rows used, rows left out, options that shaped the numbers) are typed attributes
//! (docs/conventions.md §5: nothing hidden in a table's `meta`).

use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::table::{Table, escape};

/// Field-by-field equality as the result classes define it: floats bit for bit (a NaN equals itself).
pub trait Same {
    /// Whether `self` and `other` are the same value.
    fn same(&self, other: &Self) -> bool;
}

impl Same for f64 {
    fn same(&self, other: &Self) -> bool {
        self.to_bits() == other.to_bits()
    }
}

macro_rules! same_by_eq {
    ($($t:ty),*) => { $( impl Same for $t { fn same(&self, other: &Self) -> bool { self == other } } )* };
}
same_by_eq!(u64, i64, usize, bool, String);

impl<T: Same> Same for Option<T> {
    fn same(&self, other: &Self) -> bool {
        match (self, other) {
            (Some(a), Some(b)) => a.same(b),
            (None, None) => true,
            _ => false,
        }
    }
}

impl<T: Same> Same for Vec<T> {
    fn same(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().zip(other).all(|(a, b)| a.same(b))
    }
}

/// The HTML of a result with a table: its fields, then the table.
pub fn html(
    py: Python<'_>,
    name: &str,
    fields: &Bound<'_, PyDict>,
    table: &Table,
) -> PyResult<String> {
    let mut out = format!("<p><b>voc {}</b></p><table>", escape(name));
    for (k, v) in fields.iter() {
        if k.extract::<String>()? == "table" {
            continue;
        }
        out.push_str(&format!(
            "<tr><th style='text-align:left'>{}</th><td>{}</td></tr>",
            escape(&k.str()?.to_string()),
            escape(&v.repr()?.to_string())
        ));
    }
    out.push_str("</table>");
    out.push_str(&table.html(py)?);
    Ok(out)
}

/// A frozen result class holding a `table` and typed fields: `to_dict()` (the fields, then `table`
/// as JSON-ready lists), `__repr__`, `_repr_html_`, pickling and equality (fields bit for bit, the
/// table value for value).
#[macro_export]
macro_rules! table_result_class {
    (
        $(#[$doc:meta])*
        $name:ident {
            $( $(#[$fdoc:meta])* $field:ident : $ty:ty ),* $(,)?
        }
    ) => {
        $(#[$doc])*
        #[pyclass(frozen, module = "voc._voc")]
        pub struct $name {
            table: Py<$crate::table::Table>,
            $( $(#[$fdoc])* #[pyo3(get)] pub $field: $ty, )*
        }

        impl $name {
            /// The result from its table and fields.
            #[allow(clippy::too_many_arguments)]
            pub fn new(py: Python<'_>, table: $crate::table::Table, $( $field: $ty ),*) -> PyResult<Self> {
                Ok($name { table: Py::new(py, table)?, $( $field ),* })
            }
        }

        #[pymethods]
        impl $name {
            /// The rows.
            #[getter]
            fn table(&self, py: Python<'_>) -> Py<$crate::table::Table> {
                self.table.clone_ref(py)
            }
            /// The fields as a plain dict (JSON-ready): the typed fields, then `table` as a dict of
            /// lists.
            fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, pyo3::types::PyDict>> {
                let d = pyo3::types::PyDict::new(py);
                $( d.set_item(stringify!($field), self.$field.clone())?; )*
                d.set_item("table", self.table.get().json_columns(py)?)?;
                Ok(d)
            }
            fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
                let mut parts: Vec<String> = Vec::new();
                $( parts.push(format!("{}={}", stringify!($field),
                    self.$field.clone().into_pyobject(py)?.repr()?)); )*
                parts.push(format!("table=<{} rows>", self.table.get().len()));
                Ok(format!("{}({})", stringify!($name), parts.join(", ")))
            }
            fn _repr_html_(&self, py: Python<'_>) -> PyResult<String> {
                let d = pyo3::types::PyDict::new(py);
                $( d.set_item(stringify!($field), self.$field.clone())?; )*
                $crate::results::html(py, stringify!($name), &d, self.table.get())
            }
            fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, pyo3::types::PyTuple>> {
                let args = (self.table.clone_ref(py), $( self.$field.clone(), )*);
                pyo3::types::PyTuple::new(py, [
                    py.get_type::<$name>().getattr("_from_parts")?,
                    args.into_pyobject(py)?.into_any(),
                ])
            }
            /// Rebuilds the result from its table and fields (used by pickle).
            #[staticmethod]
            #[allow(clippy::too_many_arguments)]
            fn _from_parts(table: Py<$crate::table::Table>, $( $field: $ty ),*) -> Self {
                $name { table, $( $field ),* }
            }
            /// Equal when every field is the same (floats bit for bit) and the tables hold the same
            /// values.
            fn __eq__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<bool> {
                let Ok(o) = other.cast::<$name>() else { return Ok(false) };
                let o = o.get();
                let fields = true $( && $crate::results::Same::same(&self.$field, &o.$field) )*;
                Ok(fields && self.table.get().same(py, o.table.get())?)
            }
        }
    };
}

crate::table_result_class!(
    /// Value × voice segments (`voc.segment.value_voice`): the `table` (one row per customer:
    /// `value_tier`, `voice`, `segment`, `play`) and the cuts and names that made it.
    ValueVoiceResult {
        /// Customers segmented.
        n: u64,
        /// The value cuts (a value ≥ a cut is in the tier above), lowest first.
        cuts: Vec<f64>,
        /// Value tier names, lowest first.
        tiers: Vec<String>,
        /// Voice names, in rule order (the fallback last).
        voices: Vec<String>,
        /// Every segment name, empty ones too, in order.
        segments: Vec<String>,
        /// The play of each segment of `segments`.
        plays: Vec<String>,
    }
);

crate::table_result_class!(
    /// RFM scores and segments (`voc.segment.rfm`): the `table` (one row per customer: `r`, `f`, `m`,
    /// `rfm_score`, `segment`) and the segment names.
    RfmResult {
        /// Customers scored.
        n: u64,
        /// Bins per score.
        bins: u64,
        /// Every segment name, empty ones too, in rule order.
        segments: Vec<String>,
    }
);

crate::table_result_class!(
    /// Lifecycle stages (`voc.segment.lifecycle`): the `table` (one row per customer: `stage`) and the
    /// stage names.
    LifecycleResult {
        /// Customers staged.
        n: u64,
        /// Every stage name, in order.
        stages: Vec<String>,
    }
);

/// A value as JSON-ready Python objects: a [`Table`] as a dict of lists (its `json_columns`), numpy
/// arrays and scalars as lists and plain numbers (datetimes as ISO strings), dicts and lists
/// element by element; everything else as it is.
pub fn json_ready<'py>(value: Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let py = value.py();
    if let Ok(t) = value.cast::<Table>() {
        return Ok(t.get().json_columns(py)?.into_any());
    }
    if let Ok(d) = value.cast::<PyDict>() {
        return Ok(json_dict(d.clone())?.into_any());
    }
    if value.is_instance_of::<pyo3::types::PyList>()
        || value.is_instance_of::<pyo3::types::PyTuple>()
    {
        let items = value
            .try_iter()?
            .map(|v| json_ready(v?))
            .collect::<PyResult<Vec<_>>>()?;
        return Ok(pyo3::types::PyList::new(py, items)?.into_any());
    }
    let kind = value
        .getattr("dtype")
        .ok()
        .and_then(|t| t.getattr("kind").ok())
        .and_then(|k| k.extract::<String>().ok());
    match kind.as_deref() {
        Some("M" | "m") => value
            .call_method1("astype", ("str",))?
            .call_method0("tolist"),
        Some(_) if value.hasattr("tolist")? => value.call_method0("tolist"),
        _ => Ok(value),
    }
}

/// A result's dict with every value made JSON-ready ([`json_ready`]).
pub fn json_dict<'py>(d: Bound<'py, PyDict>) -> PyResult<Bound<'py, PyDict>> {
    let out = PyDict::new(d.py());
    for (k, v) in d.iter() {
        out.set_item(k, json_ready(v)?)?;
    }
    Ok(out)
}
