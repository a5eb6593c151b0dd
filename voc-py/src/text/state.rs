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

    /// Seasonal anomaly alerts on the mentions of each theme per channel (the options of
    /// `voc.anomaly.seasonal_alerts`); with `per_text=True` the channel's texts per period are the
    /// offset, so the rate of mentions per text is monitored.
    #[pyo3(signature = (*, per_text=false, alpha=0.01, years=5, half_window=None, seasonal_groups=10,
        exclude_recent=None, reweight_threshold=Some(2.58), trend=true, trend_p_value=0.05,
        min_recent=5.0, recent_periods=4, fallback_window=12, min_baseline=4, last=None),
        text_signature = "(self, *, per_text=False, alpha=0.01, years=5, half_window=None, seasonal_groups=10, exclude_recent=None, reweight_threshold=2.58, trend=True, trend_p_value=0.05, min_recent=5.0, recent_periods=4, fallback_window=12, min_baseline=4, last=None)")]
    #[allow(clippy::too_many_arguments)]
    fn seasonal_alerts(
        &self,
        py: Python<'_>,
        #[pyo3(from_py_with = crate::convert_args::flag)] per_text: bool,
        #[pyo3(from_py_with = crate::convert_args::real)] alpha: f64,
        #[pyo3(from_py_with = crate::convert_args::whole::<usize>)] years: usize,
        #[pyo3(from_py_with = crate::convert_args::opt_whole::<usize>)] half_window: Option<usize>,
        #[pyo3(from_py_with = crate::convert_args::whole::<usize>)] seasonal_groups: usize,
        #[pyo3(from_py_with = crate::convert_args::opt_whole::<usize>)] exclude_recent: Option<
            usize,
        >,
        #[pyo3(from_py_with = crate::convert_args::opt_real)] reweight_threshold: Option<f64>,
        #[pyo3(from_py_with = crate::convert_args::flag)] trend: bool,
        #[pyo3(from_py_with = crate::convert_args::real)] trend_p_value: f64,
        #[pyo3(from_py_with = crate::convert_args::real)] min_recent: f64,
        #[pyo3(from_py_with = crate::convert_args::whole::<usize>)] recent_periods: usize,
        #[pyo3(from_py_with = crate::convert_args::whole::<usize>)] fallback_window: usize,
        #[pyo3(from_py_with = crate::convert_args::whole::<usize>)] min_baseline: usize,
        #[pyo3(from_py_with = crate::convert_args::opt_whole::<usize>)] last: Option<usize>,
    ) -> PyResult<crate::anomaly::AlertsResult> {
        let opts = crate::anomaly::alert_options(
            py,
            alpha,
            years,
            half_window,
            seasonal_groups,
            exclude_recent,
            reweight_threshold,
            trend,
            trend_p_value,
            min_recent,
            recent_periods,
            fallback_window,
            min_baseline,
            last,
        )?;
        crate::anomaly::mention_alerts_result(py, &self.inner.snapshot()?, &opts, per_text)
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
