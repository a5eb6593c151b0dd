//! The result classes `NpsResult`, `CsatResult` and `CesResult`.

use super::*;

fn ci_pair(ci: &Interval) -> (f64, f64) {
    (ci.low, ci.high)
}

// ---------------------------------------------------------------- results

/// A Net Promoter Score with its interval (NPS, SE and interval in points, shares in 0..1).
#[pyclass(frozen, module = "voc._voc")]
pub struct NpsResult {
    pub(super) inner: voc_core::metrics::NpsResult,
}

/// A CSAT result: share satisfied (top-2-box by default), top-box share, mean.
#[pyclass(frozen, module = "voc._voc")]
pub struct CsatResult {
    pub(super) inner: voc_core::metrics::CsatResult,
}

/// A CES result: mean effort score, share easy, share high effort.
#[pyclass(frozen, module = "voc._voc")]
pub struct CesResult {
    pub(super) inner: voc_core::metrics::CesResult,
}

macro_rules! common_result_methods {
    ($cls:ident, $metric:ty) => {
        #[pymethods]
        impl $cls {
            /// Responses counted.
            #[getter]
            fn n(&self) -> u64 {
                self.inner.responses.n
            }
            /// Rows left out as missing (`missing="skip"`).
            #[getter]
            fn n_missing(&self) -> u64 {
                self.inner.responses.missing
            }
            /// Whether weights were used.
            #[getter]
            fn weighted(&self) -> bool {
                self.inner.responses.weighted
            }
            /// Sum of weights (n when unweighted).
            #[getter]
            fn weight_sum(&self) -> f64 {
                self.inner.responses.weight_sum
            }
            /// Kish effective sample size (n when unweighted).
            #[getter]
            fn n_eff(&self) -> f64 {
                self.inner.responses.n_eff
            }
            /// (Weighted) mean score.
            #[getter]
            fn mean(&self) -> f64 {
                self.inner.responses.mean
            }
            /// (Weighted) standard deviation (ddof=1).
            #[getter]
            fn sd(&self) -> f64 {
                self.inner.responses.sd
            }
            /// Raw count per scale point, lowest first.
            #[getter]
            fn distribution(&self) -> Vec<u64> {
                self.inner.responses.distribution.clone()
            }
            /// All fields as a dict.
            fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
                let mut row = <$metric as PyMetric>::row(&self.inner);
                row.extend(<$metric as PyMetric>::details(&self.inner));
                let d = row_dict(py, row)?;
                d.set_item("distribution", self.distribution())?;
                Ok(d)
            }
            fn _repr_html_(&self, py: Python<'_>) -> PyResult<String> {
                let mut html = format!("<p><b>voc {}</b></p><table>", stringify!($cls));
                for (k, v) in self.to_dict(py)?.iter() {
                    html.push_str(&format!(
                        "<tr><th>{}</th><td>{}</td></tr>",
                        escape(&k.str()?.to_string()),
                        escape(&v.str()?.to_string())
                    ));
                }
                html.push_str("</table>");
                Ok(html)
            }
        }
    };
}

common_result_methods!(NpsResult, Nps);
common_result_methods!(CsatResult, Csat);
common_result_methods!(CesResult, Ces);
crate::pickled!(NpsResult);
crate::pickled!(CsatResult);
crate::pickled!(CesResult);

#[pymethods]
impl NpsResult {
    /// NPS in points (−100..100).
    #[getter]
    fn nps(&self) -> f64 {
        self.inner.nps
    }
    /// Standard error in points.
    #[getter]
    fn se(&self) -> f64 {
        self.inner.se
    }
    /// Per-response variance in points², 100² · ((p₊ + p₋) − (p₊ − p₋)²) (Rocks 2016; the R `NPS`
    /// package reports it on the −1..1 scale, i.e. divided by 100²). `se` is √(variance / n_eff).
    #[getter]
    fn variance(&self) -> f64 {
        self.inner.variance_points()
    }
    /// The NPS in points (docs/conventions.md: `estimate`; the same number as `nps`).
    #[getter]
    fn estimate(&self) -> f64 {
        self.inner.nps
    }
    /// Lower bound of the interval, in points.
    #[getter]
    fn ci_low(&self) -> f64 {
        self.inner.ci.low
    }
    /// Upper bound of the interval, in points.
    #[getter]
    fn ci_high(&self) -> f64 {
        self.inner.ci.high
    }
    /// Confidence interval (low, high) in points.
    #[getter]
    fn ci(&self) -> (f64, f64) {
        ci_pair(&self.inner.ci)
    }
    /// Confidence level of `ci`.
    #[getter]
    fn confidence(&self) -> f64 {
        self.inner.ci.level
    }
    /// Interval method ("wald", "adjusted_wald", "bootstrap").
    #[getter]
    fn method(&self) -> &'static str {
        self.inner.ci.method.name()
    }
    /// Detractors (0–6), raw count.
    #[getter]
    fn detractors(&self) -> u64 {
        self.inner.detractors
    }
    /// Passives (7–8), raw count.
    #[getter]
    fn passives(&self) -> u64 {
        self.inner.passives
    }
    /// Promoters (9–10), raw count.
    #[getter]
    fn promoters(&self) -> u64 {
        self.inner.promoters
    }
    /// (Weighted) share of detractors.
    #[getter]
    fn share_detractors(&self) -> f64 {
        self.inner.share_detractors
    }
    /// (Weighted) share of passives.
    #[getter]
    fn share_passives(&self) -> f64 {
        self.inner.share_passives
    }
    /// (Weighted) share of promoters.
    #[getter]
    fn share_promoters(&self) -> f64 {
        self.inner.share_promoters
    }
    fn __repr__(&self) -> String {
        let r = &self.inner;
        format!(
            "NpsResult(nps={:.2}, ci=({:.2}, {:.2}) [{} {:.0}%], n={}, promoters={:.1}%, detractors={:.1}%)",
            r.nps,
            r.ci.low,
            r.ci.high,
            r.ci.method.name(),
            100.0 * r.ci.level,
            r.responses.n,
            100.0 * r.share_promoters,
            100.0 * r.share_detractors
        )
    }
}

#[pymethods]
impl CsatResult {
    /// Share satisfied (points ≥ `satisfied_from`).
    #[getter]
    fn satisfied(&self) -> f64 {
        self.inner.satisfied.estimate
    }
    /// The headline CSAT, the share satisfied (docs/conventions.md: `estimate`; the same as `satisfied`).
    #[getter]
    fn estimate(&self) -> f64 {
        self.inner.satisfied.estimate
    }
    /// Lower bound of the satisfied share's interval.
    #[getter]
    fn ci_low(&self) -> f64 {
        self.inner.satisfied.ci.low
    }
    /// Upper bound of the satisfied share's interval.
    #[getter]
    fn ci_high(&self) -> f64 {
        self.inner.satisfied.ci.high
    }
    /// Interval of the satisfied share.
    #[getter]
    fn satisfied_ci(&self) -> (f64, f64) {
        ci_pair(&self.inner.satisfied.ci)
    }
    /// Share on the top point.
    #[getter]
    fn top_box(&self) -> f64 {
        self.inner.top_box.estimate
    }
    /// Interval of the top-box share.
    #[getter]
    fn top_box_ci(&self) -> (f64, f64) {
        ci_pair(&self.inner.top_box.ci)
    }
    /// Student-t interval of the mean, or None with fewer than two responses.
    #[getter]
    fn mean_ci(&self) -> Option<(f64, f64)> {
        self.inner.mean_ci.as_ref().map(ci_pair)
    }
    /// Lowest satisfied point.
    #[getter]
    fn satisfied_from(&self) -> i32 {
        self.inner.satisfied_from
    }
    /// The scale's lowest and highest points, e.g. `(1, 5)`.
    #[getter]
    fn scale(&self) -> (i32, i32) {
        (self.inner.scale.min, self.inner.scale.max)
    }
    /// Confidence level.
    #[getter]
    fn confidence(&self) -> f64 {
        self.inner.satisfied.ci.level
    }
    /// Interval method of the shares.
    #[getter]
    fn method(&self) -> &'static str {
        self.inner.satisfied.ci.method.name()
    }
    fn __repr__(&self) -> String {
        let r = &self.inner;
        format!(
            "CsatResult(satisfied={:.2}%, ci=({:.2}%, {:.2}%) [{} {:.0}%], mean={:.3}, n={})",
            100.0 * r.satisfied.estimate,
            100.0 * r.satisfied.ci.low,
            100.0 * r.satisfied.ci.high,
            r.satisfied.ci.method.name(),
            100.0 * r.satisfied.ci.level,
            r.responses.mean,
            r.responses.n
        )
    }
}

#[pymethods]
impl CesResult {
    /// The headline CES, the mean effort score (docs/conventions.md: `estimate`; the same as `mean`).
    #[getter]
    fn estimate(&self) -> f64 {
        self.inner.responses.mean
    }
    /// Lower bound of the mean's Student-t interval (None with fewer than two responses).
    #[getter]
    fn ci_low(&self) -> Option<f64> {
        self.inner.mean_ci.as_ref().map(|ci| ci.low)
    }
    /// Upper bound of the mean's Student-t interval (None with fewer than two responses).
    #[getter]
    fn ci_high(&self) -> Option<f64> {
        self.inner.mean_ci.as_ref().map(|ci| ci.high)
    }
    /// Student-t interval of the mean, or None with fewer than two responses.
    #[getter]
    fn mean_ci(&self) -> Option<(f64, f64)> {
        self.inner.mean_ci.as_ref().map(ci_pair)
    }
    /// Share easy (points ≥ `easy_from`).
    #[getter]
    fn easy(&self) -> f64 {
        self.inner.easy.estimate
    }
    /// Interval of the easy share.
    #[getter]
    fn easy_ci(&self) -> (f64, f64) {
        ci_pair(&self.inner.easy.ci)
    }
    /// Share high effort (points ≤ `hard_to`).
    #[getter]
    fn high_effort(&self) -> f64 {
        self.inner.high_effort.estimate
    }
    /// Interval of the high-effort share.
    #[getter]
    fn high_effort_ci(&self) -> (f64, f64) {
        ci_pair(&self.inner.high_effort.ci)
    }
    /// Lowest easy point.
    #[getter]
    fn easy_from(&self) -> i32 {
        self.inner.easy_from
    }
    /// Highest high-effort point.
    #[getter]
    fn hard_to(&self) -> i32 {
        self.inner.hard_to
    }
    /// The scale's lowest and highest points, e.g. `(1, 7)`.
    #[getter]
    fn scale(&self) -> (i32, i32) {
        (self.inner.scale.min, self.inner.scale.max)
    }
    /// Confidence level.
    #[getter]
    fn confidence(&self) -> f64 {
        self.inner.easy.ci.level
    }
    /// Interval method of the shares.
    #[getter]
    fn method(&self) -> &'static str {
        self.inner.easy.ci.method.name()
    }
    fn __repr__(&self) -> String {
        let r = &self.inner;
        let ci = r.mean_ci.map_or("n/a".to_string(), |c| {
            format!("({:.3}, {:.3})", c.low, c.high)
        });
        format!(
            "CesResult(mean={:.3}, ci={ci}, easy={:.1}%, high_effort={:.1}%, n={})",
            r.responses.mean,
            100.0 * r.easy.estimate,
            100.0 * r.high_effort.estimate,
            r.responses.n
        )
    }
}

crate::table_result_class!(
    /// NPS, CSAT or CES by group and/or period (`voc.nps(..., by=)`, `voc.nps(..., period=, time=)`):
    /// the `table` (one row per group, or per group and period with the change from the previous
    /// period) and the counts of the call.
    GroupedResult {
        /// The metric: "nps", "csat" or "ces".
        metric: String,
        /// The period of a trend ("day", "week", "month", "quarter", "year"), None for groups only.
        period: Option<String>,
        /// Level of every interval in the table.
        confidence: f64,
        /// Responses used, over all rows of the table.
        n: u64,
        /// Rows left out under `missing="skip"`: missing scores, plus rows without a group label or a
        /// time.
        n_missing: u64,
        /// Rows left out because their `by` label was missing.
        n_missing_group: u64,
        /// Rows left out because their time was missing (trends only).
        n_missing_time: u64,
    }
);
