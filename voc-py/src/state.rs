//! One Python wrapper for every mergeable state of the core ([`voc_core::State`]): the state behind a
//! mutex (updates from several threads are safe), and the protocol every state class shares —
//! `merge`, `to_bytes`, `from_bytes`, pickling through the byte form, and `==`.

use std::sync::{Mutex, MutexGuard};

use pyo3::prelude::*;
use pyo3::types::PyBytes;
use voc_core::State;

use crate::error::{IntoPy, poisoned};

/// The state's type name without its path (`NpsState`), naming it in an internal error.
fn short_name<S>() -> &'static str {
    let full = std::any::type_name::<S>();
    full.rsplit("::").next().unwrap_or(full)
}

/// A core state shared between Python threads.
pub struct Shared<S>(Mutex<S>);

impl<S: State> Shared<S> {
    /// Wraps a state.
    pub fn new(state: S) -> Self {
        Shared(Mutex::new(state))
    }

    /// The locked state.
    pub fn lock(&self) -> PyResult<MutexGuard<'_, S>> {
        self.0.lock().map_err(poisoned)
    }

    /// Runs `f` on the locked state with the GIL released (heavy updates let other threads run).
    pub fn apply<R: Send>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&mut S) -> R + Send,
    ) -> PyResult<R> {
        crate::guard::detach_value(py, &format!("{}.update", short_name::<S>()), || {
            self.0.lock().map(|mut s| f(&mut s)).map_err(|_| ())
        })?
        .map_err(poisoned)
    }

    /// A copy of the state (taken before locking another state, so `a.merge(a)` cannot deadlock).
    pub fn snapshot(&self) -> PyResult<S> {
        Ok(self.lock()?.clone())
    }

    /// Merges `other` into this state; on error this state is unchanged.
    pub fn merge(&self, py: Python<'_>, other: &Shared<S>) -> PyResult<()> {
        let theirs = other.snapshot()?;
        let merged =
            crate::guard::detach_value(py, &format!("{}.merge", short_name::<S>()), || {
                self.0
                    .lock()
                    .map(|mut mine| mine.merge(&theirs))
                    .map_err(|_| ())
            })?;
        merged.map_err(poisoned)?.py_err(py)
    }

    /// The versioned byte form.
    pub fn to_bytes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let bytes = self.lock()?.to_bytes();
        Ok(PyBytes::new(py, &bytes))
    }

    /// Reads a byte form (corrupted or truncated bytes raise `DecodeError`).
    pub fn from_bytes(py: Python<'_>, data: &[u8]) -> PyResult<Self> {
        Ok(Shared::new(
            crate::guard::detach(py, &format!("{}.from_bytes", short_name::<S>()), || {
                S::from_bytes(data)
            })
            .py_err(py)?,
        ))
    }
}

/// Adds the shared state protocol (`merge`, `to_bytes`, `from_bytes`, `__reduce__`, `__eq__`) to a
/// `#[pyclass]` whose field `$field` is a [`Shared`] state.
macro_rules! state_protocol {
    ($cls:ident, $field:ident) => {
        #[pymethods]
        impl $cls {
            /// Merges another state of the same kind and shape into this one (partial results from
            /// threads, processes or workers); after an error this state is unchanged.
            fn merge(
                &self,
                py: Python<'_>,
                #[pyo3(from_py_with = $crate::convert_args::instance)] other: Bound<'_, $cls>,
            ) -> PyResult<()> {
                self.$field.merge(py, &other.get().$field)
            }

            /// Versioned byte form (checksummed); `from_bytes` reads it back on any platform.
            fn to_bytes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, pyo3::types::PyBytes>> {
                self.$field.to_bytes(py)
            }

            /// Reads a state written by `to_bytes`.
            #[classmethod]
            fn from_bytes(
                _cls: &Bound<'_, pyo3::types::PyType>,
                py: Python<'_>,
                #[pyo3(from_py_with = $crate::convert_args::byte_string)]
                data: pyo3::pybacked::PyBackedBytes,
            ) -> PyResult<Self> {
                Ok($cls {
                    $field: $crate::state::Shared::from_bytes(py, &data)?,
                })
            }

            fn __reduce__<'py>(
                &self,
                py: Python<'py>,
            ) -> PyResult<(Bound<'py, PyAny>, (Bound<'py, pyo3::types::PyBytes>,))> {
                Ok((
                    py.get_type::<$cls>().getattr("from_bytes")?,
                    (self.$field.to_bytes(py)?,),
                ))
            }

            fn __eq__(&self, other: &Bound<'_, PyAny>) -> PyResult<bool> {
                match other.cast::<$cls>() {
                    Ok(o) => Ok(self.$field.snapshot()? == o.get().$field.snapshot()?),
                    Err(_) => Ok(false),
                }
            }
        }
    };
}
pub(crate) use state_protocol;
