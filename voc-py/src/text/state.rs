//! `MentionState`: mergeable theme mention counts (Dask / Spark partitions) — the core
//! [`voc_core::text::MentionState`] (themes, settings, channel labels, counts and their byte form)
//! behind the generic state wrapper.

use super::*;

/// Mergeable theme mention counts per channel × period, from `ThemeMatcher.mention_state(texts, ...)`:
/// merge the states of batches or workers (in any order; channels are aligned by label and keep the
/// `by=` column's dtype and order; states of other themes, roll-up or period, of another label dtype
/// or of other categories do not merge), then `finish` gives the table `mention_rates` gives on all
/// the texts at once. Pickles; `to_bytes` / `from_bytes` for Spark.
#[pyclass(frozen, module = "voc._voc")]
pub struct MentionState {
    pub(super) inner: Shared<core::MentionState>,
}

crate::state::state_protocol!(MentionState, inner);

#[pymethods]
impl MentionState {
    /// The mention-rate table (same columns and options as `ThemeMatcher.mention_rates`).
    #[pyo3(signature = (*, confidence=0.95, interval="wilson", alert_alpha=0.01, adjust=Some("holm"), min_mentions=5),
        text_signature = "(self, *, confidence=0.95, interval='wilson', alert_alpha=0.01, adjust='holm', min_mentions=5)")]
    fn finish(
        &self,
        py: Python<'_>,
        #[pyo3(from_py_with = crate::convert_args::real)] confidence: f64,
        #[pyo3(from_py_with = crate::convert_args::text)] interval: &str,
        #[pyo3(from_py_with = crate::convert_args::real)] alert_alpha: f64,
        #[pyo3(from_py_with = crate::convert_args::opt_text)] adjust: Option<&str>,
        #[pyo3(from_py_with = crate::convert_args::whole::<u64>)] min_mentions: u64,
    ) -> PyResult<MentionRatesResult> {
        let opts = mention_options(py, confidence, interval, alert_alpha, adjust, min_mentions)?;
        mention_table(py, &self.inner.snapshot()?, &opts, adjust)
    }

    /// Texts counted so far.
    #[getter]
    fn texts(&self) -> PyResult<u64> {
        Ok(self.inner.lock()?.texts())
    }

    fn __repr__(&self) -> PyResult<String> {
        let s = self.inner.lock()?;
        Ok(format!(
            "MentionState(themes={}, channels={}, period={}, texts={})",
            s.themes().len(),
            s.channels().map_or(0, ChannelLabels::len),
            s.settings().period.map_or("None", |p| p.name()),
            s.texts()
        ))
    }
}
