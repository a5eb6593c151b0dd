//! Python bindings for `voc-core`, imported as `voc`. This crate only converts and calls.

use pyo3::prelude::*;

#[cfg(target_os = "linux")]
mod alloc;
mod anomaly;
mod convert;
mod convert_args;
mod error;
mod followup;
mod followup_fixes;
mod followup_outcomes;
mod guard;
mod impact;
mod interrupt;
mod matrix;
mod metrics;
mod pickle;
mod results;
mod retention;
mod risk;
mod sample;
mod segment;
mod signals;
mod state;
mod stats;
mod table;
mod table_arrow;
mod text;
mod uplift;

/// The compiled part of the `voc` package.
#[pymodule]
fn _voc(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    interrupt::install(m.py())?;
    m.add_function(wrap_pyfunction!(metrics::nps, m)?)?;
    m.add_function(wrap_pyfunction!(metrics::csat, m)?)?;
    m.add_function(wrap_pyfunction!(metrics::ces, m)?)?;
    m.add_function(wrap_pyfunction!(metrics::compare, m)?)?;
    m.add_function(wrap_pyfunction!(metrics::nps_test, m)?)?;
    m.add_function(wrap_pyfunction!(stats::proportion_ci, m)?)?;
    m.add_function(wrap_pyfunction!(stats::two_proportion_test, m)?)?;
    m.add_function(wrap_pyfunction!(stats::welch_test, m)?)?;
    m.add_function(wrap_pyfunction!(stats::adjust_p_values, m)?)?;
    m.add_class::<metrics::NpsResult>()?;
    m.add_class::<metrics::CsatResult>()?;
    m.add_class::<metrics::CesResult>()?;
    m.add_class::<metrics::GroupedResult>()?;
    m.add_class::<results::ValueVoiceResult>()?;
    m.add_class::<results::RfmResult>()?;
    m.add_class::<results::LifecycleResult>()?;
    m.add_class::<metrics::NpsState>()?;
    m.add_class::<metrics::CsatState>()?;
    m.add_class::<metrics::CesState>()?;
    m.add_class::<stats::PyTestResult>()?;
    m.add_class::<stats::ProportionInterval>()?;
    m.add_class::<table::Table>()?;
    m.add_function(wrap_pyfunction!(sample::surveys, m)?)?;
    m.add_function(wrap_pyfunction!(sample::retailer, m)?)?;
    m.add_class::<signals::EventLog>()?;
    text::register(m)?;
    segment::register(m)?;
    risk::register(m)?;
    retention::register(m)?;
    followup::register(m)?;
    followup_fixes::register(m)?;
    followup_outcomes::register(m)?;
    impact::register(m)?;
    uplift::register(m)?;
    anomaly::register(m)?;
    m.add_function(wrap_pyfunction!(guard::_guard_panic, m)?)?;
    Ok(())
}
