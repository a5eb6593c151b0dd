//! Pickling of result classes: their core struct in a compact binary serde form, which keeps every
//! float bit-exact (NaN included).

use pyo3::prelude::*;
use pyo3::types::PyBytes;
use serde::Serialize;
use serde::de::DeserializeOwned;
use voc_core::Error;

use crate::error::IntoPy;

/// The state bytes of a result.
pub fn dump<'py, T: Serialize>(py: Python<'py>, value: &T) -> PyResult<Bound<'py, PyBytes>> {
    let bytes = bincode::serialize(value)
        .map_err(|e| Error::Decode {
            what: "result",
            reason: e.to_string(),
        })
        .py_err(py)?;
    Ok(PyBytes::new(py, &bytes))
}

/// A result from its state bytes; anything else is a `voc.DecodeError`.
pub fn load<T: DeserializeOwned>(py: Python<'_>, data: &[u8]) -> PyResult<T> {
    bincode::deserialize(data)
        .map_err(|e| Error::Decode {
            what: "result",
            reason: e.to_string(),
        })
        .py_err(py)
}

/// Whether two values serialise to the same bytes: equality that treats identical NaNs as equal.
pub fn same<T: Serialize>(a: &T, b: &T) -> bool {
    matches!((bincode::serialize(a), bincode::serialize(b)), (Ok(x), Ok(y)) if x == y)
}

/// Pickling and bit-exact equality for a frozen result class holding its core struct in `inner`.
#[macro_export]
macro_rules! pickled {
    ($cls:ident) => {
        #[pymethods]
        impl $cls {
            fn __reduce__<'py>(
                &self,
                py: Python<'py>,
            ) -> PyResult<(Bound<'py, PyAny>, (Bound<'py, pyo3::types::PyBytes>,))> {
                let state = $crate::pickle::dump(py, &self.inner)?;
                Ok((py.get_type::<$cls>().getattr("_from_state")?, (state,)))
            }
            /// Rebuilds a result from its pickled state.
            #[staticmethod]
            fn _from_state(py: Python<'_>, data: &[u8]) -> PyResult<Self> {
                Ok($cls {
                    inner: $crate::pickle::load(py, data)?,
                })
            }
            /// Equal when every field is equal bit for bit (so NaN fields compare equal to themselves).
            fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
                other
                    .cast::<$cls>()
                    .is_ok_and(|o| $crate::pickle::same(&o.get().inner, &self.inner))
            }
        }
    };
}

/// Pickling through the core's versioned, checksummed byte form (`to_bytes` / `from_bytes` of `$core`),
/// and bit-exact equality, for a frozen model class holding its core model in `inner`. Corrupted or
/// foreign bytes raise `voc.DecodeError`.
#[macro_export]
macro_rules! core_pickled {
    ($cls:ident, $core:ty) => {
        #[pymethods]
        impl $cls {
            fn __reduce__<'py>(
                &self,
                py: Python<'py>,
            ) -> PyResult<(Bound<'py, PyAny>, (Bound<'py, pyo3::types::PyBytes>,))> {
                let state = pyo3::types::PyBytes::new(py, &self.inner.to_bytes());
                Ok((py.get_type::<$cls>().getattr("_from_state")?, (state,)))
            }
            /// Rebuilds a model from its pickled state (the core byte form).
            #[staticmethod]
            fn _from_state(py: Python<'_>, data: &[u8]) -> PyResult<Self> {
                use $crate::error::IntoPy;
                Ok($cls {
                    inner: <$core>::from_bytes(data).py_err(py)?,
                })
            }
            /// Equal when every field is equal bit for bit (so NaN fields compare equal to themselves).
            fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
                other
                    .cast::<$cls>()
                    .is_ok_and(|o| o.get().inner.to_bytes() == self.inner.to_bytes())
            }
        }
    };
}
