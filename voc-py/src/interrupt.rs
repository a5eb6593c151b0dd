//! Ctrl-C during a long call: the hook that voc-core's long loops call (see `voc_core::interrupt`), and
//! the exception an interrupted call raises.
//!
//! Python runs signal handlers on its main thread only, so the hook answers only there: it attaches
//! to the interpreter (the calling thread has released it for the computation) and runs the pending
//! handlers with `check_signals`. When a handler raises (`KeyboardInterrupt` for Ctrl-C), the hook keeps
//! the exception and answers "stop"; voc-core then stops every loop, on every thread, and the call
//! raises the kept exception (see `error.rs`). Work on rayon's threads is watched from the main thread
//! by `voc_core::interrupt::watch`.

use std::sync::{Mutex, OnceLock};
use std::thread::ThreadId;

use pyo3::exceptions::PyKeyboardInterrupt;
use pyo3::prelude::*;

/// Python's main thread (where the module was imported, when that is the main thread).
static MAIN: OnceLock<ThreadId> = OnceLock::new();

/// The exception a signal handler raised during a call, kept until the call raises it.
static CAUGHT: Mutex<Option<PyErr>> = Mutex::new(None);

fn hook() -> bool {
    if MAIN.get() != Some(&std::thread::current().id()) {
        return false;
    }
    Python::attach(|py| match py.check_signals() {
        Ok(()) => false,
        Err(e) => {
            *CAUGHT.lock().unwrap_or_else(|p| p.into_inner()) = Some(e);
            true
        }
    })
}

/// Records the main thread and installs the hook (at import).
pub fn install(py: Python<'_>) -> PyResult<()> {
    let threading = py.import("threading")?;
    let main = threading.call_method0("main_thread")?;
    let current = threading.call_method0("current_thread")?;
    if main.is(&current) {
        let _ = MAIN.set(std::thread::current().id());
    }
    voc_core::interrupt::set_hook(Some(hook));
    Ok(())
}

/// The exception for `Error::Interrupted`: the one the signal handler raised (`KeyboardInterrupt` for
/// Ctrl-C), or a plain `KeyboardInterrupt` when the interrupt came from elsewhere. Clears the pending
/// interrupt, so the next call runs.
pub fn interrupted(_py: Python<'_>) -> PyErr {
    voc_core::interrupt::reset();
    CAUGHT
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .take()
        .unwrap_or_else(|| PyKeyboardInterrupt::new_err("interrupted"))
}
