//! The last line of defence against panics: every call into the core runs under
//! [`std::panic::catch_unwind`], and a panic becomes `voc.errors.InternalError` (a `VocError`) whose
//! message names the Python function, instead of pyo3's `PanicException` (which derives from
//! `BaseException` and escapes `except Exception`).
//!
//! voc-core validates its input and returns typed errors; a panic that reaches this module is a bug in
//! voc. The default panic hook still prints the panic's location to stderr, which is what a bug report
//! needs.

use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind};

use pyo3::prelude::*;
use voc_core::Error;

use crate::error::{BindError, core_to_py};

/// The text of a panic payload (`panic!("...")` carries a `&str` or a `String`).
fn payload_text(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic without a message".to_string()
    }
}

fn internal(function: &str, payload: &(dyn Any + Send)) -> Error {
    Error::Internal {
        function: function.to_string(),
        message: payload_text(payload),
    }
}

/// A result type that can carry a caught panic as its error.
pub trait FromPanic {
    /// The error value for a panic in `function`.
    fn from_panic(py: Python<'_>, function: &str, payload: &(dyn Any + Send)) -> Self;
}

impl<T> FromPanic for Result<T, Error> {
    fn from_panic(_: Python<'_>, function: &str, payload: &(dyn Any + Send)) -> Self {
        Err(internal(function, payload))
    }
}

impl<T> FromPanic for Result<T, BindError> {
    fn from_panic(_: Python<'_>, function: &str, payload: &(dyn Any + Send)) -> Self {
        Err(BindError::Core(internal(function, payload)))
    }
}

impl<T> FromPanic for PyResult<T> {
    fn from_panic(py: Python<'_>, function: &str, payload: &(dyn Any + Send)) -> Self {
        Err(core_to_py(py, internal(function, payload)))
    }
}

/// `py.detach(f)` (the GIL released) for a closure returning a `Result`; a panic in `f` becomes that
/// `Result`'s error: [`Error::Internal`] naming `function` (the public Python name, e.g.
/// `"voc.impact.rate_ratio"`), raised as `voc.errors.InternalError`.
pub fn detach<T, F>(py: Python<'_>, function: &str, f: F) -> T
where
    F: FnOnce() -> T + Send,
    T: FromPanic + Send,
{
    match py.detach(|| catch_unwind(AssertUnwindSafe(f))) {
        Ok(v) => v,
        Err(payload) => T::from_panic(py, function, payload.as_ref()),
    }
}

/// `py.detach(f)` for a closure returning a plain value: a panic becomes `voc.errors.InternalError`.
pub fn detach_value<T, F>(py: Python<'_>, function: &str, f: F) -> PyResult<T>
where
    F: FnOnce() -> T + Send,
    T: Send,
{
    py.detach(|| catch_unwind(AssertUnwindSafe(f)))
        .map_err(|payload| core_to_py(py, internal(function, payload.as_ref())))
}

/// `f()` with the GIL held (cheap calls), a panic turned into `voc.errors.InternalError`.
pub fn run<T>(py: Python<'_>, function: &str, f: impl FnOnce() -> T) -> PyResult<T> {
    catch_unwind(AssertUnwindSafe(f))
        .map_err(|payload| core_to_py(py, internal(function, payload.as_ref())))
}

/// A hidden entry point for the tests of this module (not part of the public surface: its name starts
/// with `_`, and no `voc` module re-exports it): panics inside the guard named by `path` —
/// `"detach"` (a closure returning `Result<_, voc_core::Error>`), `"detach_bind"` (`Result<_,
/// BindError>`), `"detach_py"` (`PyResult`), `"detach_value"` or `"run"` — so that
/// `voc-py/tests/test_reliability_misc.py` can check that each path raises `voc.errors.InternalError`
/// naming the function, as a real bug would. Any other `path` is an `InvalidOptionError`.
#[pyfunction]
#[pyo3(signature = (path, /))]
#[allow(clippy::panic)] // the point of the function
pub fn _guard_panic(
    py: Python<'_>,
    #[pyo3(from_py_with = crate::convert_args::text)] path: &str,
) -> PyResult<()> {
    const NAME: &str = "voc._guard_panic";
    let boom = || -> ! { panic!("a deliberate panic (test of the guard)") };
    match path {
        "detach" => {
            let r: Result<(), Error> = detach(py, NAME, || boom());
            r.map_err(|e| core_to_py(py, e))
        }
        "detach_bind" => {
            let r: Result<(), BindError> = detach(py, NAME, || boom());
            r.map_err(|e| crate::error::to_py(py, e))
        }
        "detach_py" => detach(py, NAME, || -> PyResult<()> { boom() }),
        "detach_value" => detach_value(py, NAME, || -> u8 { boom() }).map(|_| ()),
        "run" => run(py, NAME, || -> u8 { boom() }).map(|_| ()),
        other => Err(core_to_py(
            py,
            Error::option(
                "path",
                other,
                "one of \"detach\", \"detach_bind\", \"detach_py\", \"detach_value\", \"run\"",
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_text_reads_str_and_string_payloads() {
        let a = catch_unwind(|| std::panic::panic_any("boom")).unwrap_err();
        assert_eq!(payload_text(a.as_ref()), "boom");
        let b = catch_unwind(|| std::panic::panic_any(format!("n = {}", 3))).unwrap_err();
        assert_eq!(payload_text(b.as_ref()), "n = 3");
        let c = catch_unwind(|| std::panic::panic_any(7_u8)).unwrap_err();
        assert_eq!(payload_text(c.as_ref()), "a panic without a message");
    }
}
