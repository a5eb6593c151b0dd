//! `voc.impact`: converts columns, calls `voc_core::impact`, returns tables and result objects.

use pyo3::prelude::*;

mod contingency;
mod correlation;
mod drivers;
mod effect;
mod outcome;
pub(crate) mod results;
mod roi;
mod score_themes;
mod theme;

/// Registers the impact functions and classes.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    contingency::register(m)?;
    correlation::register(m)?;
    drivers::register(m)?;
    effect::register(m)?;
    outcome::register(m)?;
    roi::register(m)?;
    theme::register(m)?;
    score_themes::register(m)?;
    Ok(())
}
