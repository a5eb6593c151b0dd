//! `voc.nps`, `voc.csat`, `voc.ces`, the state classes and the result classes.

use pyo3::prelude::*;
use pyo3::types::PyDict;
use voc_core::metrics::{
    Batch, Ces, CesOptions, Csat, CsatOptions, MISSING_TIME, Metric, Nps, NpsInterval, NpsOptions,
    Scale, SurveyState, TrendRow, trend,
};
use voc_core::stats::{Adjustment, Interval, ShareInterval, TestResult, adjust_p_values};
use voc_core::time::{Period, TimeUnit};
use voc_core::{Error, MissingPolicy};

use crate::convert::{self, Buf, Codes, Column, Groups, Labels, Numbers, Times, compact_slice};
use crate::error::IntoPy;
use crate::stats::PyTestResult;
use crate::table::{Columns, Row, Value, escape, row_dict};
use crate::{with_int_keys, with_numbers};

/// How a metric appears in Python: its name, its table row, its result class.
pub trait PyMetric: Metric {
    /// Lowercase name ("nps").
    const NAME: &'static str;
    /// Confidence level of the options.
    fn confidence(opts: &Self::Options) -> f64;
    /// The columns of one result in a table.
    fn row(out: &Self::Output) -> Row;
    /// The remaining fields of a result (in `to_dict`, not in tables).
    fn details(out: &Self::Output) -> Row;
    /// The result class instance.
    fn wrap(py: Python<'_>, out: Self::Output) -> PyResult<Py<PyAny>>;
}

fn ci_pair(ci: &Interval) -> (f64, f64) {
    (ci.low, ci.high)
}

// ---------------------------------------------------------------- results

/// A Net Promoter Score with its interval (NPS, SE and interval in points, shares in 0..1).
#[pyclass(frozen, module = "voc._voc")]
pub struct NpsResult {
    inner: voc_core::metrics::NpsResult,
}

/// A CSAT result: share satisfied (top-2-box by default), top-box share, mean.
#[pyclass(frozen, module = "voc._voc")]
pub struct CsatResult {
    inner: voc_core::metrics::CsatResult,
}

/// A CES result: mean effort score, share easy, share high effort.
#[pyclass(frozen, module = "voc._voc")]
pub struct CesResult {
    inner: voc_core::metrics::CesResult,
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
            fn missing(&self) -> u64 {
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
    /// Per-response variance on the −1..1 scale, (p₊ + p₋) − (p₊ − p₋)² (Rocks 2016).
    #[getter]
    fn variance(&self) -> f64 {
        self.inner.variance
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

fn base_row(r: &voc_core::metrics::Responses) -> Row {
    vec![
        ("n", r.n.into()),
        ("missing", r.missing.into()),
        ("n_eff", r.n_eff.into()),
    ]
}

fn common_details(r: &voc_core::metrics::Responses, ci: &Interval) -> Row {
    vec![
        ("confidence", ci.level.into()),
        ("method", ci.method.name().into()),
        ("weighted", r.weighted.into()),
        ("weight_sum", r.weight_sum.into()),
    ]
}

fn share_row(
    row: &mut Row,
    name: &'static str,
    low: &'static str,
    high: &'static str,
    s: &voc_core::stats::Share,
) {
    row.push((name, s.estimate.into()));
    row.push((low, s.ci.low.into()));
    row.push((high, s.ci.high.into()));
}

impl PyMetric for Nps {
    const NAME: &'static str = "nps";
    fn confidence(opts: &NpsOptions) -> f64 {
        opts.confidence
    }
    fn row(r: &voc_core::metrics::NpsResult) -> Row {
        let mut row = base_row(&r.responses);
        row.extend([
            ("nps", r.nps.into()),
            ("se", r.se.into()),
            ("ci_low", r.ci.low.into()),
            ("ci_high", r.ci.high.into()),
            ("detractors", r.detractors.into()),
            ("passives", r.passives.into()),
            ("promoters", r.promoters.into()),
            ("share_detractors", r.share_detractors.into()),
            ("share_passives", r.share_passives.into()),
            ("share_promoters", r.share_promoters.into()),
            ("mean", r.responses.mean.into()),
        ]);
        row
    }
    fn details(r: &voc_core::metrics::NpsResult) -> Row {
        let mut row = vec![
            ("variance", r.variance.into()),
            ("sd", r.responses.sd.into()),
        ];
        row.extend(common_details(&r.responses, &r.ci));
        row
    }
    fn wrap(py: Python<'_>, out: voc_core::metrics::NpsResult) -> PyResult<Py<PyAny>> {
        Ok(Py::new(py, NpsResult { inner: out })?.into_any())
    }
}

impl PyMetric for Csat {
    const NAME: &'static str = "csat";
    fn confidence(opts: &CsatOptions) -> f64 {
        opts.confidence
    }
    fn row(r: &voc_core::metrics::CsatResult) -> Row {
        let mut row = base_row(&r.responses);
        share_row(
            &mut row,
            "satisfied",
            "satisfied_ci_low",
            "satisfied_ci_high",
            &r.satisfied,
        );
        share_row(
            &mut row,
            "top_box",
            "top_box_ci_low",
            "top_box_ci_high",
            &r.top_box,
        );
        row.push(("mean", r.responses.mean.into()));
        row.push(("mean_ci_low", r.mean_ci.map(|c| c.low).into()));
        row.push(("mean_ci_high", r.mean_ci.map(|c| c.high).into()));
        row.push(("sd", r.responses.sd.into()));
        row
    }
    fn details(r: &voc_core::metrics::CsatResult) -> Row {
        let mut row = vec![("satisfied_from", Value::I64(r.satisfied_from.into()))];
        row.extend(common_details(&r.responses, &r.satisfied.ci));
        row
    }
    fn wrap(py: Python<'_>, out: voc_core::metrics::CsatResult) -> PyResult<Py<PyAny>> {
        Ok(Py::new(py, CsatResult { inner: out })?.into_any())
    }
}

impl PyMetric for Ces {
    const NAME: &'static str = "ces";
    fn confidence(opts: &CesOptions) -> f64 {
        opts.confidence
    }
    fn row(r: &voc_core::metrics::CesResult) -> Row {
        let mut row = base_row(&r.responses);
        row.push(("mean", r.responses.mean.into()));
        row.push(("mean_ci_low", r.mean_ci.map(|c| c.low).into()));
        row.push(("mean_ci_high", r.mean_ci.map(|c| c.high).into()));
        row.push(("sd", r.responses.sd.into()));
        share_row(&mut row, "easy", "easy_ci_low", "easy_ci_high", &r.easy);
        share_row(
            &mut row,
            "high_effort",
            "high_effort_ci_low",
            "high_effort_ci_high",
            &r.high_effort,
        );
        row
    }
    fn details(r: &voc_core::metrics::CesResult) -> Row {
        let mut row = vec![
            ("easy_from", Value::I64(r.easy_from.into())),
            ("hard_to", Value::I64(r.hard_to.into())),
        ];
        row.extend(common_details(&r.responses, &r.easy.ci));
        row
    }
    fn wrap(py: Python<'_>, out: voc_core::metrics::CesResult) -> PyResult<Py<PyAny>> {
        Ok(Py::new(py, CesResult { inner: out })?.into_any())
    }
}

// ---------------------------------------------------------------- one-shot functions

enum Computed<O> {
    Single(O),
    Grouped(Vec<(u32, O)>),
    Trend(Vec<TrendRow<O>>),
}

#[allow(clippy::too_many_arguments)]
fn compute<M: Metric, S: voc_core::metrics::Score>(
    scale: Scale,
    scores: &[S],
    groups: Option<&[u32]>,
    weights: Option<&[f64]>,
    times: Option<(&[i64], TimeUnit)>,
    period: Option<Period>,
    missing: MissingPolicy,
    opts: &M::Options,
) -> Result<Computed<M::Output>, Error> {
    let batch = Batch {
        scores,
        groups,
        weights,
        missing,
    };
    match (period, times) {
        (Some(p), Some((t, unit))) => Ok(Computed::Trend(trend::<M, S>(
            scale, batch, t, unit, p, opts,
        )?)),
        (None, None) => {
            let mut state = SurveyState::<M>::with_scale(scale.min, scale.max)?;
            state.update_batch(batch)?;
            if groups.is_some() {
                Ok(Computed::Grouped(state.finish_groups(opts)?))
            } else {
                Ok(Computed::Single(state.finish(opts)?))
            }
        }
        (Some(p), None) => Err(Error::InvalidOption {
            name: "time",
            value: "None".into(),
            reason: format!(
                "period={:?} needs time= (one timestamp per score)",
                p.name()
            ),
        }),
        (None, Some(_)) => Err(Error::InvalidOption {
            name: "period",
            value: "None".into(),
            reason: "time= needs period= (\"day\", \"week\", \"month\", \"quarter\" or \"year\")"
                .into(),
        }),
    }
}

fn label_value(labels: &Labels, code: u32) -> Value {
    match labels {
        Labels::Int(v) => Value::I64(v.get(code as usize).copied().unwrap_or_default()),
        Labels::Str(v) => Value::Str(v.get(code as usize).cloned()),
    }
}

fn check_len(py: Python<'_>, n: usize, arg: &'static str, len: usize) -> PyResult<()> {
    if n != len {
        return Err(Error::LengthMismatch {
            arg,
            len,
            other: "scores",
            other_len: n,
        })
        .py_err(py);
    }
    Ok(())
}

/// Columns ready for the core. Nulls in scores and weights became NaN and nulls in times NaT, which the
/// core counts as missing (policy `Skip`) per group; rows whose group label is null are dropped, since
/// they belong to no group, and counted in `dropped`.
struct Prepared<'py> {
    scores: Numbers<'py>,
    groups: Option<Vec<u32>>,
    weights: Option<Buf<'py, f64>>,
    times: Option<Buf<'py, i64>>,
    dropped: usize,
}

fn prepare<'py>(
    py: Python<'py>,
    policy: MissingPolicy,
    group_arg: &'static str,
    scores: Column<Numbers<'py>>,
    groups: Option<Column<Vec<u32>>>,
    weights: Option<Column<Numbers<'py>>>,
    times: Option<Column<Times<'py>>>,
) -> PyResult<Prepared<'py>> {
    let n = scores.data.len();
    if let Some(g) = &groups {
        check_len(py, n, group_arg, g.data.len())?;
    }
    if let Some(w) = &weights {
        check_len(py, n, "weights", w.data.len())?;
    }
    if let Some(t) = &times {
        check_len(py, n, "time", t.data.values.as_slice().len())?;
    }
    let empty: &[usize] = &[];
    convert::check_nulls(
        policy,
        &[
            ("scores", &scores.nulls),
            (group_arg, groups.as_ref().map_or(empty, |g| &g.nulls)),
            ("weights", weights.as_ref().map_or(empty, |w| &w.nulls)),
            ("time", times.as_ref().map_or(empty, |t| &t.nulls)),
        ],
    )
    .py_err(py)?;
    let mut prepared = Prepared {
        scores: scores.nulls_as_nan(),
        groups: None,
        weights: weights.map(|w| w.nulls_as_nan().into_f64()),
        times: None,
        dropped: 0,
    };
    let unit_times = times.map(Column::nulls_as_nat);
    let Some(groups) = groups else {
        prepared.times = unit_times.map(|t| t.values);
        return Ok(prepared);
    };
    if groups.nulls.is_empty() {
        prepared.groups = Some(groups.data);
        prepared.times = unit_times.map(|t| t.values);
        return Ok(prepared);
    }
    let mut keep = vec![true; n];
    for &i in &groups.nulls {
        keep[i] = false;
    }
    prepared.dropped = groups.nulls.len();
    prepared.scores = prepared.scores.compact(&keep);
    prepared.groups = Some(compact_slice(&groups.data, &keep));
    prepared.weights = prepared
        .weights
        .map(|w| Buf::Owned(compact_slice(w.as_slice(), &keep)));
    prepared.times = unit_times.map(|t| Buf::Owned(compact_slice(t.values.as_slice(), &keep)));
    Ok(prepared)
}

/// Reads the columns, applies the null policy, computes, and converts the output.
#[allow(clippy::too_many_arguments)]
fn run<M: PyMetric>(
    py: Python<'_>,
    scale: Scale,
    scores: &Bound<'_, PyAny>,
    by: Option<&Bound<'_, PyAny>>,
    period: Option<&str>,
    time: Option<&Bound<'_, PyAny>>,
    weights: Option<&Bound<'_, PyAny>>,
    missing: &str,
    opts: &M::Options,
) -> PyResult<Py<PyAny>> {
    let policy = convert::missing_policy(missing).py_err(py)?;
    let period = period.map(str::parse::<Period>).transpose().py_err(py)?;
    let scores = convert::numbers(scores, "scores")?;
    if scores.data.len() == 0 {
        return Err(Error::Empty {
            arg: "scores",
            what: "no responses to summarise",
        })
        .py_err(py);
    }
    let groups: Option<Column<Groups<'_>>> = by.map(|b| convert::groups(b, "by")).transpose()?;
    let labels = groups.as_ref().map(|g| g.data.labels.clone());
    let weights = weights
        .map(|w| convert::numbers(w, "weights"))
        .transpose()?;
    let times: Option<Column<Times<'_>>> = time.map(|t| convert::times(t, "time")).transpose()?;
    // The common case — scores by an integer column, unweighted, no period — reads the key column as it
    // is: no code array is built.
    if let Some(Column {
        data: Groups {
            codes: Codes::Keyed(keys, base),
            ..
        },
        nulls,
    }) = &groups
        && nulls.is_empty()
        && weights.is_none()
        && times.is_none()
        && period.is_none()
    {
        check_len(py, scores.data.len(), "by", keys.len())?;
        convert::check_nulls(policy, &[("scores", &scores.nulls)]).py_err(py)?;
        let scores = scores.nulls_as_nan();
        let base = *base;
        let rows = with_numbers!(&scores, s => with_int_keys!(keys, k => py.detach(|| {
            let mut state = SurveyState::<M>::with_scale(scale.min, scale.max)?;
            state.update_keyed(s, k, base, policy)?;
            state.finish_groups(opts)
        }), Err(Error::InvalidOption { name: "by", value: "float".into(), reason: "group labels must be integers".into() })))
        .py_err(py)?;
        return grouped_table::<M>(py, &rows, &labels.unwrap_or(Labels::Int(Vec::new())), None);
    }
    let codes = groups.map(|g| Column {
        data: g.data.codes.into_dense(),
        nulls: g.nulls,
    });
    let unit = times.as_ref().map(|t| t.data.unit).unwrap_or_default();
    let p = prepare(py, policy, "by", scores, codes, weights, times)?;
    let time_slice = p.times.as_ref().map(|t| t.as_slice());
    let missing_times = time_slice.map_or(0, |t| t.iter().filter(|&&v| v == MISSING_TIME).count());
    let (group_slice, weight_slice) = (
        p.groups.as_deref(),
        p.weights.as_ref().map(|w| w.as_slice()),
    );
    let computed = with_numbers!(&p.scores, s => py.detach(|| {
        compute::<M, _>(scale, s, group_slice, weight_slice, time_slice.map(|t| (t, unit)), period, policy, opts)
    }))
    .py_err(py)?;
    let meta = PyDict::new(py);
    if p.dropped > 0 {
        meta.set_item("rows_without_group", p.dropped)?;
    }
    if period.is_some() && missing_times > 0 {
        meta.set_item("rows_without_time", missing_times)?;
    }
    let meta = (!meta.is_empty()).then(|| meta.unbind());

    let alpha = 1.0 - M::confidence(opts);
    match computed {
        Computed::Single(out) => M::wrap(py, out),
        Computed::Grouped(rows) => {
            grouped_table::<M>(py, &rows, &labels.unwrap_or(Labels::Int(Vec::new())), meta)
        }
        Computed::Trend(rows) => {
            let period = period.map_or("period", Period::name);
            // Holm adjustment over every test in the table (rows without a test stay NaN).
            let raw: Vec<f64> = rows
                .iter()
                .map(|r| r.change.map_or(f64::NAN, |t| t.p_value))
                .collect();
            let adjusted = adjust_p_values(&raw, Adjustment::Holm).py_err(py)?;
            let mut cols = Columns::default();
            for (r, &p_adjusted) in rows.iter().zip(&adjusted) {
                let mut row: Row = Vec::new();
                if let Some(l) = &labels {
                    row.push(("group", label_value(l, r.group)));
                }
                row.push(("period", r.label.clone().into()));
                row.push(("period_start", Value::Day(r.start_day)));
                row.extend(M::row(&r.result));
                row.push(("previous", Value::Str(r.previous.clone())));
                let t = r.change.as_ref();
                row.push(("change", t.map(|t| t.difference).into()));
                row.push(("change_se", t.map(|t| t.se).into()));
                row.push(("change_ci_low", t.map(|t| t.ci.low).into()));
                row.push(("change_ci_high", t.map(|t| t.ci.high).into()));
                row.push(("statistic", t.map(|t| t.statistic).into()));
                row.push(("p_value", t.map(|t| t.p_value).into()));
                row.push(("significant", t.is_some_and(|t| t.p_value < alpha).into()));
                row.push(("p_adjusted", p_adjusted.into()));
                row.push(("significant_adjusted", (p_adjusted < alpha).into()));
                cols.push(row);
            }
            let kind = match &labels {
                Some(_) => format!("{} by group and {period}", M::NAME),
                None => format!("{} by {period}", M::NAME),
            };
            Ok(Py::new(py, cols.into_table(py, kind, meta)?)?.into_any())
        }
    }
}

/// One row per group, labelled.
fn grouped_table<M: PyMetric>(
    py: Python<'_>,
    rows: &[(u32, M::Output)],
    labels: &Labels,
    meta: Option<Py<PyDict>>,
) -> PyResult<Py<PyAny>> {
    let mut cols = Columns::default();
    for (code, out) in rows {
        let mut row: Row = vec![("group", label_value(labels, *code))];
        row.extend(M::row(out));
        cols.push(row);
    }
    Ok(Py::new(
        py,
        cols.into_table(py, format!("{} by group", M::NAME), meta)?,
    )?
    .into_any())
}

fn scale_of(py: Python<'_>, scale: (i32, i32)) -> PyResult<Scale> {
    Scale::new(scale.0, scale.1).py_err(py)
}

/// Net Promoter Score (promoters 9–10 minus detractors 0–6, in points) with its confidence interval.
///
/// `scores` is any column of 0–10 answers (numpy, pandas, polars, pyarrow, list). With `by=` the result
/// is a Table with one row per group; with `period=` and `time=` a trend Table comparing each period with
/// the previous one (Wald z-test; `p_adjusted` / `significant_adjusted` apply Holm's correction across the
/// table's tests). `interval` is "adjusted_wald" (Rocks 2016, default), "wald" (as R's
/// NPS package) or "bootstrap" (`resamples`, `seed`). `weights` gives a weighted NPS with Kish effective
/// n. `missing="skip"` leaves NaN/None/null rows out and counts them in `.missing`.
///
/// >>> import voc
/// >>> r = voc.nps([10, 9, 9, 8, 7, 6, 3, 10, 9, 10])
/// >>> r.nps, r.promoters, r.detractors
/// (40.0, 6, 2)
/// >>> [round(x, 2) for x in voc.nps([10, 9, 9, 8, 7, 6, 3, 10, 9, 10], interval="wald").ci]
/// [-9.58, 89.58]
/// >>> t = voc.nps([9, 10, 3, 8], by=["web", "app", "web", "app"])
/// >>> t["group"], t["nps"].tolist()
/// (['app', 'web'], [50.0, 0.0])
#[pyfunction]
#[pyo3(signature = (scores, /, *, by=None, period=None, time=None, weights=None, confidence=0.95, interval="adjusted_wald", resamples=2000, seed=0, missing="error"))]
#[allow(clippy::too_many_arguments)]
pub fn nps(
    py: Python<'_>,
    scores: &Bound<'_, PyAny>,
    by: Option<&Bound<'_, PyAny>>,
    period: Option<&str>,
    time: Option<&Bound<'_, PyAny>>,
    weights: Option<&Bound<'_, PyAny>>,
    confidence: f64,
    interval: &str,
    resamples: usize,
    seed: u64,
    missing: &str,
) -> PyResult<Py<PyAny>> {
    let opts = NpsOptions::default()
        .confidence(confidence)
        .interval(interval.parse::<NpsInterval>().py_err(py)?)
        .resamples(resamples)
        .seed(seed);
    run::<Nps>(
        py,
        Nps::default_scale(),
        scores,
        by,
        period,
        time,
        weights,
        missing,
        &opts,
    )
}

/// CSAT: share satisfied (top-2-box by default), top-box share and mean score, with intervals.
///
/// `scale` is (min, max), default (1, 5); `satisfied_from` the lowest satisfied point (default max − 1).
/// Shares use `interval` = "wilson" (default), "wilson_cc", "clopper_pearson" or "wald"; the mean a
/// Student-t interval. `by=`, `period=`/`time=`, `weights=` and `missing=` work as in `nps`.
///
/// >>> import voc
/// >>> r = voc.csat([5, 4, 4, 3, 1, 5, 2, 4])
/// >>> r.satisfied, r.top_box, r.mean
/// (0.625, 0.25, 3.5)
/// >>> [round(x, 4) for x in r.satisfied_ci]
/// [0.3057, 0.8632]
#[pyfunction]
#[pyo3(signature = (scores, /, *, scale=(1, 5), satisfied_from=None, by=None, period=None, time=None, weights=None, confidence=0.95, interval="wilson", missing="error"))]
#[pyo3(
    text_signature = "(scores, /, *, scale=(1, 5), satisfied_from=None, by=None, period=None, time=None, weights=None, confidence=0.95, interval='wilson', missing='error')"
)]
#[allow(clippy::too_many_arguments)]
pub fn csat(
    py: Python<'_>,
    scores: &Bound<'_, PyAny>,
    scale: (i32, i32),
    satisfied_from: Option<i32>,
    by: Option<&Bound<'_, PyAny>>,
    period: Option<&str>,
    time: Option<&Bound<'_, PyAny>>,
    weights: Option<&Bound<'_, PyAny>>,
    confidence: f64,
    interval: &str,
    missing: &str,
) -> PyResult<Py<PyAny>> {
    let opts = CsatOptions::default()
        .confidence(confidence)
        .interval(interval.parse::<ShareInterval>().py_err(py)?)
        .satisfied_from(satisfied_from);
    run::<Csat>(
        py,
        scale_of(py, scale)?,
        scores,
        by,
        period,
        time,
        weights,
        missing,
        &opts,
    )
}

/// CES (2.0): mean effort score with its Student-t interval, share easy and share high effort.
///
/// `scale` is (min, max), default (1, 7); "easy" is `easy_from`..max (default 5–7) and "high effort"
/// min..`hard_to` (default 1–3). `by=`, `period=`/`time=`, `weights=` and `missing=` work as in `nps`.
///
/// >>> import voc
/// >>> r = voc.ces([7, 6, 5, 5, 2, 4, 6, 1])
/// >>> r.mean, r.easy, r.high_effort
/// (4.5, 0.625, 0.25)
#[pyfunction]
#[pyo3(signature = (scores, /, *, scale=(1, 7), easy_from=None, hard_to=None, by=None, period=None, time=None, weights=None, confidence=0.95, interval="wilson", missing="error"))]
#[pyo3(
    text_signature = "(scores, /, *, scale=(1, 7), easy_from=None, hard_to=None, by=None, period=None, time=None, weights=None, confidence=0.95, interval='wilson', missing='error')"
)]
#[allow(clippy::too_many_arguments)]
pub fn ces(
    py: Python<'_>,
    scores: &Bound<'_, PyAny>,
    scale: (i32, i32),
    easy_from: Option<i32>,
    hard_to: Option<i32>,
    by: Option<&Bound<'_, PyAny>>,
    period: Option<&str>,
    time: Option<&Bound<'_, PyAny>>,
    weights: Option<&Bound<'_, PyAny>>,
    confidence: f64,
    interval: &str,
    missing: &str,
) -> PyResult<Py<PyAny>> {
    let opts = CesOptions::default()
        .confidence(confidence)
        .interval(interval.parse::<ShareInterval>().py_err(py)?)
        .easy_from(easy_from)
        .hard_to(hard_to);
    run::<Ces>(
        py,
        scale_of(py, scale)?,
        scores,
        by,
        period,
        time,
        weights,
        missing,
        &opts,
    )
}

/// Tests the difference `a − b` of two results of the same metric: NPS by the Wald z-test of Rocks
/// (2016), CSAT by the two-proportion z-test on the satisfied share, CES by Welch's t-test on the mean.
///
/// >>> import voc
/// >>> t = voc.compare(voc.nps([10, 9, 9, 10, 7] * 40), voc.nps([6, 9, 3, 8, 10] * 40))
/// >>> round(t.difference, 1), t.significant
/// (80.0, True)
#[pyfunction]
#[pyo3(signature = (a, b, /, *, confidence=None))]
pub fn compare(
    py: Python<'_>,
    a: &Bound<'_, PyAny>,
    b: &Bound<'_, PyAny>,
    confidence: Option<f64>,
) -> PyResult<PyTestResult> {
    let t: Result<TestResult, Error> = if let (Ok(x), Ok(y)) =
        (a.cast::<NpsResult>(), b.cast::<NpsResult>())
    {
        let (x, y) = (&x.get().inner, &y.get().inner);
        let opts = NpsOptions::default().confidence(confidence.unwrap_or(x.ci.level));
        Nps::compare(x, y, &opts)
    } else if let (Ok(x), Ok(y)) = (a.cast::<CsatResult>(), b.cast::<CsatResult>()) {
        let (x, y) = (&x.get().inner, &y.get().inner);
        let opts = CsatOptions::default().confidence(confidence.unwrap_or(x.satisfied.ci.level));
        Csat::compare(x, y, &opts)
    } else if let (Ok(x), Ok(y)) = (a.cast::<CesResult>(), b.cast::<CesResult>()) {
        let (x, y) = (&x.get().inner, &y.get().inner);
        let opts = CesOptions::default().confidence(confidence.unwrap_or(x.easy.ci.level));
        Ces::compare(x, y, &opts)
    } else {
        Err(Error::Incompatible(format!(
            "compare() takes two results of the same metric (NpsResult, CsatResult or CesResult), got {} and {}",
            a.get_type().name()?,
            b.get_type().name()?
        )))
    };
    Ok(PyTestResult::from(t.py_err(py)?))
}

/// One-sample Wald test of an NPS against `null` points (R `NPS::nps.test`, which tests against 0).
///
/// >>> import voc
/// >>> round(voc.nps_test(voc.nps([10, 10, 9, 9, 8, 7, 3, 10, 9, 2]), 0).p_value, 6)
/// 0.113846
#[pyfunction]
#[pyo3(signature = (result, /, null=0.0, *, confidence=None))]
pub fn nps_test(
    py: Python<'_>,
    result: &Bound<'_, NpsResult>,
    null: f64,
    confidence: Option<f64>,
) -> PyResult<PyTestResult> {
    let r = &result.get().inner;
    let t = voc_core::metrics::nps_test(r, null, confidence.unwrap_or(r.ci.level)).py_err(py)?;
    Ok(PyTestResult::from(t))
}

// ---------------------------------------------------------------- states

/// Dense group ids from a float column (whole numbers in 0..MAX_GROUPS); integer columns take the keyed
/// path instead.
#[allow(clippy::unnecessary_cast)] // the macro arm for f64 casts to itself
fn group_codes(py: Python<'_>, groups: &Numbers<'_>) -> PyResult<Vec<u32>> {
    let codes: Result<Vec<u32>, Error> = with_numbers!(groups, s => s
        .iter()
        .enumerate()
        .map(|(index, &g)| {
            let v = g as f64;
            if v >= 0.0 && v.fract() == 0.0 && v < voc_core::metrics::MAX_GROUPS as f64 {
                Ok(v as u32)
            } else {
                Err(Error::InvalidValue { arg: "groups", index, value: v, reason: "group ids must be whole numbers in 0..16777216" })
            }
        })
        .collect());
    codes.py_err(py)
}

macro_rules! state_class {
    ($cls:ident, $metric:ty, $doc:literal) => {
        #[doc = $doc]
        #[pyclass(frozen, module = "voc._voc")]
        pub struct $cls {
            state: $crate::state::Shared<SurveyState<$metric>>,
        }

        impl $cls {
            fn snapshot(&self) -> PyResult<SurveyState<$metric>> {
                self.state.snapshot()
            }
        }

        $crate::state::state_protocol!($cls, state);

        #[pymethods]
        impl $cls {
            /// Adds a batch. `groups` are dense integer ids (0, 1, ...); `weights` non-negative.
            /// All-or-nothing: after an error the state is unchanged.
            #[pyo3(signature = (scores, /, *, weights=None, groups=None, missing="error"))]
            fn update(
                &self,
                py: Python<'_>,
                scores: &Bound<'_, PyAny>,
                weights: Option<&Bound<'_, PyAny>>,
                groups: Option<&Bound<'_, PyAny>>,
                missing: &str,
            ) -> PyResult<()> {
                let policy = convert::missing_policy(missing).py_err(py)?;
                let scores = convert::numbers(scores, "scores")?;
                let groups = groups.map(|g| convert::numbers(g, "groups")).transpose()?;
                if let Some(&index) = groups.as_ref().and_then(|g| g.nulls.first()) {
                    return Err(Error::Missing { arg: "groups", index }).py_err(py);
                }
                let weights = weights.map(|w| convert::numbers(w, "weights")).transpose()?;
                // Integer group ids without weights: the core reads them as they are (id = key − 0).
                if let Some(keys) = groups.as_ref().map(|g| &g.data)
                    && weights.is_none()
                    && !matches!(keys, Numbers::F32(_) | Numbers::F64(_))
                {
                    check_len(py, scores.data.len(), "groups", keys.len())?;
                    convert::check_nulls(policy, &[("scores", &scores.nulls)]).py_err(py)?;
                    let scores = scores.nulls_as_nan();
                    let state = &self.state;
                    let result = with_numbers!(&scores, s => with_int_keys!(keys, k => py.detach(|| -> Result<Result<(), Error>, PyErr> {
                        let mut guard = state.lock()?;
                        Ok(guard.update_keyed(s, k, 0, policy))
                    }), Ok(Ok(()))))?;
                    return result.py_err(py);
                }
                let codes = groups.map(|g| group_codes(py, &g.data)).transpose()?;
                let codes = codes.map(|data| Column { data, nulls: Vec::new() });
                let p = prepare(py, policy, "groups", scores, codes, weights, None)?;
                let (data, codes) = (&p.scores, p.groups.as_deref());
                let weight_slice = p.weights.as_ref().map(|w| w.as_slice());
                let state = &self.state;
                let result = with_numbers!(data, s => py.detach(|| -> Result<Result<(), Error>, PyErr> {
                    let mut guard = state.lock()?;
                    Ok(guard.update_batch(Batch { scores: s, groups: codes, weights: weight_slice, missing: policy }))
                }))?;
                result.py_err(py)
            }

            /// Responses counted so far (all groups).
            #[getter]
            fn n(&self) -> PyResult<u64> {
                let s = self.state.lock()?;
                let t = s.tally();
                Ok((0..t.groups()).map(|g| t.cell(g).n()).sum())
            }

            /// Number of group ids (one more than the largest seen).
            #[getter]
            fn groups(&self) -> PyResult<usize> {
                Ok(self.state.lock()?.tally().groups())
            }

            /// Scale as (min, max).
            #[getter]
            fn scale(&self) -> PyResult<(i32, i32)> {
                let s = self.state.lock()?.scale();
                Ok((s.min, s.max))
            }

            fn __repr__(&self) -> PyResult<String> {
                let s = self.snapshot()?;
                let t = s.tally();
                let n: u64 = (0..t.groups()).map(|g| t.cell(g).n()).sum();
                Ok(format!(
                    "{}(scale=({}, {}), n={}, groups={}, weighted={})",
                    stringify!($cls),
                    s.scale().min,
                    s.scale().max,
                    n,
                    t.groups(),
                    if t.is_weighted() { "True" } else { "False" }
                ))
            }
        }
    };
}

state_class!(
    NpsState,
    Nps,
    "Mergeable NPS state: `update` batches (from threads or workers), `merge`, `finish`, pickle."
);
state_class!(
    CsatState,
    Csat,
    "Mergeable CSAT state: `update`, `merge`, `finish`, pickle."
);
state_class!(
    CesState,
    Ces,
    "Mergeable CES state: `update`, `merge`, `finish`, pickle."
);

fn finish_table<M: PyMetric>(
    py: Python<'_>,
    state: SurveyState<M>,
    opts: &M::Options,
) -> PyResult<Py<PyAny>> {
    let rows = py.detach(|| state.finish_groups(opts)).py_err(py)?;
    let ids = Labels::Int((0..state.tally().groups() as i64).collect());
    grouped_table::<M>(py, &rows, &ids, None)
}

#[pymethods]
impl NpsState {
    /// An empty NPS state (scale 0–10).
    #[new]
    fn py_new() -> Self {
        NpsState {
            state: crate::state::Shared::new(SurveyState::new()),
        }
    }

    /// The NPS over all responses so far.
    #[pyo3(signature = (*, confidence=0.95, interval="adjusted_wald", resamples=2000, seed=0))]
    fn finish(
        &self,
        py: Python<'_>,
        confidence: f64,
        interval: &str,
        resamples: usize,
        seed: u64,
    ) -> PyResult<NpsResult> {
        let opts = NpsOptions::default()
            .confidence(confidence)
            .interval(interval.parse::<NpsInterval>().py_err(py)?)
            .resamples(resamples)
            .seed(seed);
        let state = self.snapshot()?;
        Ok(NpsResult {
            inner: py.detach(|| state.finish(&opts)).py_err(py)?,
        })
    }

    /// One row per group id with responses.
    #[pyo3(signature = (*, confidence=0.95, interval="adjusted_wald", resamples=2000, seed=0))]
    fn finish_groups(
        &self,
        py: Python<'_>,
        confidence: f64,
        interval: &str,
        resamples: usize,
        seed: u64,
    ) -> PyResult<Py<PyAny>> {
        let opts = NpsOptions::default()
            .confidence(confidence)
            .interval(interval.parse::<NpsInterval>().py_err(py)?)
            .resamples(resamples)
            .seed(seed);
        finish_table::<Nps>(py, self.snapshot()?, &opts)
    }
}

#[pymethods]
impl CsatState {
    /// An empty CSAT state on `scale` (default 1–5).
    #[new]
    #[pyo3(signature = (scale=(1, 5)), text_signature = "(scale=(1, 5))")]
    fn py_new(py: Python<'_>, scale: (i32, i32)) -> PyResult<Self> {
        Ok(CsatState {
            state: crate::state::Shared::new(SurveyState::with_scale(scale.0, scale.1).py_err(py)?),
        })
    }

    /// The CSAT over all responses so far.
    #[pyo3(signature = (*, confidence=0.95, interval="wilson", satisfied_from=None))]
    fn finish(
        &self,
        py: Python<'_>,
        confidence: f64,
        interval: &str,
        satisfied_from: Option<i32>,
    ) -> PyResult<CsatResult> {
        let opts = CsatOptions::default()
            .confidence(confidence)
            .interval(interval.parse::<ShareInterval>().py_err(py)?)
            .satisfied_from(satisfied_from);
        let state = self.snapshot()?;
        Ok(CsatResult {
            inner: py.detach(|| state.finish(&opts)).py_err(py)?,
        })
    }

    /// One row per group id with responses.
    #[pyo3(signature = (*, confidence=0.95, interval="wilson", satisfied_from=None))]
    fn finish_groups(
        &self,
        py: Python<'_>,
        confidence: f64,
        interval: &str,
        satisfied_from: Option<i32>,
    ) -> PyResult<Py<PyAny>> {
        let opts = CsatOptions::default()
            .confidence(confidence)
            .interval(interval.parse::<ShareInterval>().py_err(py)?)
            .satisfied_from(satisfied_from);
        finish_table::<Csat>(py, self.snapshot()?, &opts)
    }
}

#[pymethods]
impl CesState {
    /// An empty CES state on `scale` (default 1–7).
    #[new]
    #[pyo3(signature = (scale=(1, 7)), text_signature = "(scale=(1, 7))")]
    fn py_new(py: Python<'_>, scale: (i32, i32)) -> PyResult<Self> {
        Ok(CesState {
            state: crate::state::Shared::new(SurveyState::with_scale(scale.0, scale.1).py_err(py)?),
        })
    }

    /// The CES over all responses so far.
    #[pyo3(signature = (*, confidence=0.95, interval="wilson", easy_from=None, hard_to=None))]
    fn finish(
        &self,
        py: Python<'_>,
        confidence: f64,
        interval: &str,
        easy_from: Option<i32>,
        hard_to: Option<i32>,
    ) -> PyResult<CesResult> {
        let opts = CesOptions::default()
            .confidence(confidence)
            .interval(interval.parse::<ShareInterval>().py_err(py)?)
            .easy_from(easy_from)
            .hard_to(hard_to);
        let state = self.snapshot()?;
        Ok(CesResult {
            inner: py.detach(|| state.finish(&opts)).py_err(py)?,
        })
    }

    /// One row per group id with responses.
    #[pyo3(signature = (*, confidence=0.95, interval="wilson", easy_from=None, hard_to=None))]
    fn finish_groups(
        &self,
        py: Python<'_>,
        confidence: f64,
        interval: &str,
        easy_from: Option<i32>,
        hard_to: Option<i32>,
    ) -> PyResult<Py<PyAny>> {
        let opts = CesOptions::default()
            .confidence(confidence)
            .interval(interval.parse::<ShareInterval>().py_err(py)?)
            .easy_from(easy_from)
            .hard_to(hard_to);
        finish_table::<Ces>(py, self.snapshot()?, &opts)
    }
}
