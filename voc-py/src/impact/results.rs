//! The typed, frozen result classes of `voc.impact` (one per function family), each with `to_dict()`,
//! `_repr_html_()`, pickling and field-by-field equality.

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyFloat};

/// `name=value` pairs of a result's dict for `__repr__` and `_repr_html_` (floats to 6 digits; lists
/// and nested results left out of the repr).
pub(super) fn shown(d: &Bound<'_, PyDict>) -> PyResult<Vec<(String, String, bool)>> {
    let mut out = Vec::with_capacity(d.len());
    for (k, v) in d.iter() {
        let key: String = k.extract()?;
        let nested = v.is_instance_of::<pyo3::types::PyList>() || v.hasattr("to_dict")?;
        let text = if v.is_instance_of::<PyFloat>() {
            v.call_method1("__format__", (".6g",))?.extract()?
        } else {
            v.repr()?.extract()?
        };
        out.push((key, text, nested));
    }
    Ok(out)
}

/// The repr of a result: `Name(field=value, ...)`.
pub(super) fn repr(name: &str, d: &Bound<'_, PyDict>) -> PyResult<String> {
    let inner: Vec<String> = shown(d)?
        .into_iter()
        .filter(|(_, _, nested)| !nested)
        .map(|(k, v, _)| format!("{k}={v}"))
        .collect();
    Ok(format!("{name}({})", inner.join(", ")))
}

/// A two-column HTML table of a result's fields.
pub(super) fn html(name: &str, d: &Bound<'_, PyDict>) -> PyResult<String> {
    let esc = crate::table::escape;
    let rows: String = shown(d)?
        .into_iter()
        .map(|(k, v, _)| {
            format!(
                "<tr><th style='text-align:left'>{}</th><td>{}</td></tr>",
                esc(&k),
                esc(&v)
            )
        })
        .collect();
    Ok(format!(
        "<table><caption>{}</caption>{rows}</table>",
        esc(name)
    ))
}

/// A frozen result class with typed, documented fields (all readable), `to_dict()` (fields in
/// order), `__repr__`, `_repr_html_`, pickling (serde) and equality (bit for bit, so NaN fields
/// compare equal to themselves). Fields after `hidden` are kept for other calls but not shown.
#[macro_export]
macro_rules! impact_result {
    (
        $(#[$doc:meta])*
        $name:ident {
            $( $(#[$fdoc:meta])* $field:ident : $ty:ty ),* $(,)?
        }
        $( hidden { $( $hfield:ident : $hty:ty ),* $(,)? } )?
    ) => {
        $(#[$doc])*
        #[pyclass(frozen, module = "voc._voc")]
        #[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
        pub struct $name {
            $( $(#[$fdoc])* #[pyo3(get)] pub $field: $ty, )*
            $( $( pub(crate) $hfield: $hty, )* )?
        }

        impl $crate::pickle::Checked for $name {}

        #[pymethods]
        impl $name {
            /// The fields as a plain dict.
            fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, pyo3::types::PyDict>> {
                let d = pyo3::types::PyDict::new(py);
                $( d.set_item(stringify!($field), self.$field.clone())?; )*
                Ok(d)
            }
            fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
                $crate::impact::results::repr(stringify!($name), &self.to_dict(py)?)
            }
            fn _repr_html_(&self, py: Python<'_>) -> PyResult<String> {
                $crate::impact::results::html(stringify!($name), &self.to_dict(py)?)
            }
            fn __reduce__<'py>(
                &self,
                py: Python<'py>,
            ) -> PyResult<(Bound<'py, PyAny>, (Bound<'py, pyo3::types::PyBytes>,))> {
                let state = $crate::pickle::dump(py, stringify!($name), self)?;
                Ok((py.get_type::<$name>().getattr("_from_state")?, (state,)))
            }
            /// Rebuilds a result from its pickled state.
            #[staticmethod]
            fn _from_state(py: Python<'_>, data: &[u8]) -> PyResult<Self> {
                $crate::pickle::load(py, stringify!($name), data)
            }
            /// Equal when every field is equal bit for bit (so NaN fields compare equal to themselves).
            fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
                other
                    .cast::<$name>()
                    .is_ok_and(|o| $crate::pickle::same(o.get(), self))
            }
        }
    };
}
