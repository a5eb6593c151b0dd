//! `voc.anomaly`: seasonal anomaly alerts on count series (Farrington flexible with a trailing
//! fallback, all in `voc_core::anomaly`); the binding reads the columns and the options and builds the
//! table.

use pyo3::prelude::*;
use voc_core::Error;
use voc_core::anomaly::{self as core, AlertOptions, AlertRow, AlertSide, ScoreInput};
use voc_core::impact::score_themes::ScoreMetric;
use voc_core::time::Period;

use crate::convert::{self, Labels};
use crate::error::IntoPy;
use crate::table::{Columns, Value};

/// Registers the anomaly functions and classes.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(anomaly_seasonal_alerts, m)?)?;
    m.add_function(wrap_pyfunction!(anomaly_score_alerts, m)?)?;
    m.add_class::<AlertsResult>()?;
    m.add_class::<ScoreAlertsResult>()?;
    Ok(())
}

/// The options of a call, checked once.
#[allow(clippy::too_many_arguments)]
pub fn alert_options(
    py: Python<'_>,
    alpha: f64,
    years: usize,
    half_window: Option<usize>,
    seasonal_groups: usize,
    exclude_recent: Option<usize>,
    reweight_threshold: Option<f64>,
    trend: bool,
    trend_p_value: f64,
    min_recent: f64,
    recent_periods: usize,
    fallback_window: usize,
    min_baseline: usize,
    last: Option<usize>,
) -> PyResult<AlertOptions> {
    let o = AlertOptions::default()
        .alpha(alpha)
        .years(years)
        .half_window(half_window)
        .seasonal_groups(seasonal_groups)
        .exclude_recent(exclude_recent)
        .reweight_threshold(reweight_threshold)
        .trend(trend)
        .trend_p_value(trend_p_value)
        .min_recent(min_recent)
        .recent_periods(recent_periods)
        .fallback_window(fallback_window)
        .min_baseline(min_baseline)
        .last(last);
    o.validate().py_err(py)?;
    Ok(o)
}

/// The columns of one alert row (after the series' own key columns).
pub fn alert_cells(period: Period, index: i64, r: &AlertRow, row: &mut Vec<(&'static str, Value)>) {
    row.push(("period", Value::from(period.label(index))));
    row.push(("period_start", Value::Day(period.start_day(index))));
    row.push(("observed", Value::F64(r.observed)));
    row.push(("expected", Value::F64(r.expected)));
    row.push(("upper", Value::F64(r.upper)));
    row.push(("ratio", Value::from(r.ratio)));
    row.push(("p_value", Value::F64(r.p_value)));
    row.push(("alert", Value::Bool(r.alert)));
    row.push(("method", Value::from(r.method.name())));
    row.push(("dispersion", Value::F64(r.dispersion)));
    row.push(("trend", Value::Bool(r.trend)));
    row.push(("years", Value::U64(r.years as u64)));
}

/// A column of floats as read for the alerts: the values (nulls as NaN) and the missing rows (nulls
/// and NaN, sorted).
pub(crate) fn float_rows(
    col: &Bound<'_, PyAny>,
    arg: &'static str,
) -> PyResult<(Vec<f64>, Vec<usize>)> {
    let c = convert::numbers(col, arg)?;
    let mut nulls = c.nulls.clone();
    let values: Vec<f64> = c.nulls_as_nan().into_f64().as_slice().to_vec();
    nulls.extend(
        values
            .iter()
            .enumerate()
            .filter(|(_, v)| v.is_nan())
            .map(|(i, _)| i),
    );
    nulls.sort_unstable();
    nulls.dedup();
    Ok((values, nulls))
}

/// `other` has `len` rows where `arg` has `n`: a [`Error::LengthMismatch`] naming `arg` first.
fn rows_len(
    py: Python<'_>,
    arg: &'static str,
    n: usize,
    other: &'static str,
    len: usize,
) -> PyResult<()> {
    if len != n {
        return Err(Error::LengthMismatch {
            arg,
            len: n,
            other,
            other_len: len,
        })
        .py_err(py);
    }
    Ok(())
}

/// The period and group of each row of a table of rows over time (the alerts, `voc.text`'s topic
/// shares): the period index per row (0 where the time is missing), the rows whose time is null or
/// NaT, and the group labels, dense codes and null rows of `by`.
pub(crate) struct PeriodRows {
    pub periods: Vec<i64>,
    pub time_nulls: Vec<usize>,
    pub labels: Option<Labels>,
    pub codes: Option<Vec<u32>>,
    pub by_nulls: Vec<usize>,
}

/// Reads `time` (bucketed by `period`) and `by`; `check_len(arg, len)` checks each column's length
/// against the rows (the caller words the error).
pub(crate) fn period_rows(
    time: &Bound<'_, PyAny>,
    by: Option<&Bound<'_, PyAny>>,
    period: Period,
    check_len: impl Fn(&'static str, usize) -> PyResult<()>,
) -> PyResult<PeriodRows> {
    let t = convert::times(time, "time")?;
    let tv = t.data.values.as_slice();
    check_len("time", tv.len())?;
    let mut time_nulls = t.nulls.clone();
    time_nulls.extend(
        tv.iter()
            .enumerate()
            .filter(|&(_, &x)| x == i64::MIN)
            .map(|(i, _)| i),
    );
    time_nulls.sort_unstable();
    time_nulls.dedup();
    let periods: Vec<i64> = tv
        .iter()
        .map(|&s| {
            if s == i64::MIN {
                0
            } else {
                period.index(t.data.unit.day(s))
            }
        })
        .collect();
    let (labels, codes, by_nulls) = match by {
        Some(b) => {
            let g = convert::groups(b, "by")?;
            let nulls = g.nulls.clone();
            let mut codes = g.data.codes.into_dense();
            let labels = g.data.labels.only_used(&mut codes, &nulls);
            check_len("by", codes.len())?;
            (Some(labels), Some(codes), nulls)
        }
        None => (None, None, Vec::new()),
    };
    Ok(PeriodRows {
        periods,
        time_nulls,
        labels,
        codes,
        by_nulls,
    })
}

/// Which of `n` rows are kept (in none of the missing lists) and how many are left out.
pub(crate) fn kept_rows(n: usize, missing: &[&[usize]]) -> (Vec<bool>, usize) {
    let mut keep = vec![true; n];
    for &i in missing.iter().flat_map(|m| m.iter()) {
        if let Some(k) = keep.get_mut(i) {
            *k = false;
        }
    }
    let dropped = keep.iter().filter(|&&k| !k).count();
    (keep, dropped)
}

/// Seasonal anomaly alerts on counts per period (and per group): the expected count from earlier
/// years (Farrington flexible, Noufaily et al. 2013) or a trailing baseline where the history is
/// short, the upper bound at false-alarm rate `alpha`, and an alert where the count exceeds it.
#[pyfunction(name = "anomaly_seasonal_alerts")]
#[pyo3(signature = (data=None, /, *, counts=None, time=None, by=None, population=None, period="week",
    alpha=0.01, years=5, half_window=None, seasonal_groups=10, exclude_recent=None,
    reweight_threshold=Some(2.58), trend=true, trend_p_value=0.05, min_recent=5.0, recent_periods=4,
    fallback_window=12, min_baseline=4, last=None, missing="error"),
    text_signature = "(data=None, /, *, counts=None, time=None, by=None, population=None, period='week', alpha=0.01, years=5, half_window=None, seasonal_groups=10, exclude_recent=None, reweight_threshold=2.58, trend=True, trend_p_value=0.05, min_recent=5.0, recent_periods=4, fallback_window=12, min_baseline=4, last=None, missing='error')")]
#[allow(clippy::too_many_arguments)]
fn anomaly_seasonal_alerts(
    py: Python<'_>,
    data: Option<&Bound<'_, PyAny>>,
    counts: Option<&Bound<'_, PyAny>>,
    time: Option<&Bound<'_, PyAny>>,
    by: Option<&Bound<'_, PyAny>>,
    population: Option<&Bound<'_, PyAny>>,
    #[pyo3(from_py_with = crate::convert_args::text)] period: &str,
    #[pyo3(from_py_with = crate::convert_args::real)] alpha: f64,
    #[pyo3(from_py_with = crate::convert_args::whole::<usize>)] years: usize,
    #[pyo3(from_py_with = crate::convert_args::opt_whole::<usize>)] half_window: Option<usize>,
    #[pyo3(from_py_with = crate::convert_args::whole::<usize>)] seasonal_groups: usize,
    #[pyo3(from_py_with = crate::convert_args::opt_whole::<usize>)] exclude_recent: Option<usize>,
    #[pyo3(from_py_with = crate::convert_args::opt_real)] reweight_threshold: Option<f64>,
    #[pyo3(from_py_with = crate::convert_args::flag)] trend: bool,
    #[pyo3(from_py_with = crate::convert_args::real)] trend_p_value: f64,
    #[pyo3(from_py_with = crate::convert_args::real)] min_recent: f64,
    #[pyo3(from_py_with = crate::convert_args::whole::<usize>)] recent_periods: usize,
    #[pyo3(from_py_with = crate::convert_args::whole::<usize>)] fallback_window: usize,
    #[pyo3(from_py_with = crate::convert_args::whole::<usize>)] min_baseline: usize,
    #[pyo3(from_py_with = crate::convert_args::opt_whole::<usize>)] last: Option<usize>,
    #[pyo3(from_py_with = crate::convert_args::text)] missing: &str,
) -> PyResult<AlertsResult> {
    let opts = alert_options(
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
    let period = period.parse::<Period>().py_err(py)?;
    let policy = convert::missing_policy(missing).py_err(py)?;
    let Some(counts) = convert::role(data, counts, "counts")? else {
        return Err(Error::option(
            "counts",
            "None",
            "counts= is required (a column or its name)",
        ))
        .py_err(py);
    };
    let Some(time) = convert::role(data, time, "time")? else {
        return Err(Error::option(
            "time",
            "None",
            "time= is required (the period of each count)",
        ))
        .py_err(py);
    };
    let by = convert::role(data, by, "by")?;
    let population = convert::role(data, population, "population")?;
    let (values, count_nulls) = float_rows(&counts, "counts")?;
    let n = values.len();
    let len_check = |other: &'static str, len: usize| rows_len(py, "counts", n, other, len);
    let PeriodRows {
        periods,
        time_nulls,
        labels,
        codes,
        by_nulls,
    } = period_rows(&time, by.as_ref(), period, len_check)?;
    let (pop, pop_nulls): (Option<Vec<f64>>, Vec<usize>) = match &population {
        Some(p) => {
            let (v, nulls) = float_rows(p, "population")?;
            len_check("population", v.len())?;
            (Some(v), nulls)
        }
        None => (None, Vec::new()),
    };
    convert::check_nulls(
        policy,
        &[
            ("counts", &count_nulls),
            ("time", &time_nulls),
            ("by", &by_nulls),
            ("population", &pop_nulls),
        ],
    )
    .py_err(py)?;
    let (keep, dropped) = kept_rows(n, &[&count_nulls, &time_nulls, &by_nulls, &pop_nulls]);
    let rows = crate::guard::detach(py, "voc.anomaly.seasonal_alerts", || {
        let (values, periods, codes, pop) = if dropped > 0 {
            (
                convert::compact_slice(&values, &keep),
                convert::compact_slice(&periods, &keep),
                codes.as_deref().map(|c| convert::compact_slice(c, &keep)),
                pop.as_deref().map(|p| convert::compact_slice(p, &keep)),
            )
        } else {
            (values, periods, codes, pop)
        };
        core::seasonal_alerts_by(
            &values,
            &periods,
            codes.as_deref(),
            pop.as_deref(),
            period,
            &opts,
        )
    })
    .py_err(py)?;
    let mut cols = Columns::default();
    let mut series = std::collections::BTreeSet::new();
    let mut n_alerts = 0u64;
    for r in &rows {
        let mut row: Vec<(&'static str, Value)> = Vec::with_capacity(14);
        if let Some(l) = &labels {
            row.push(("group", l.value(r.group)));
        }
        alert_cells(period, r.period, &r.row, &mut row);
        series.insert(r.group);
        n_alerts += u64::from(r.row.alert);
        cols.push(row);
    }
    let table = cols.into_table(py, "seasonal alerts".into(), None)?;
    AlertsResult::new(
        py,
        table,
        (n - dropped) as u64,
        dropped as u64,
        series.len() as u64,
        n_alerts,
        opts.alpha,
        period.name().to_owned(),
        "farrington_flexible".to_owned(),
    )
}

crate::table_result_class!(
    /// Seasonal anomaly alerts (`voc.anomaly.seasonal_alerts`, `MentionState.seasonal_alerts`): the
    /// `table` (one row per series × evaluated period: expected count, upper bound, observed count,
    /// ratio, alert flag and the method of the row) and the counts and options of the call.
    AlertsResult {
        /// Input rows used (`seasonal_alerts`) or texts counted (`MentionState.seasonal_alerts`).
        n: u64,
        /// Rows left out as missing (`missing="skip"`).
        n_missing: u64,
        /// Series evaluated (groups; channel × theme for mention states).
        n_series: u64,
        /// Rows that are alerts.
        n_alerts: u64,
        /// The one-sided false-alarm rate of the upper bounds.
        alpha: f64,
        /// The period of the series ("week", "month", ...).
        period: String,
        /// The method ("farrington_flexible"; rows with too short a history say "trailing").
        method: String,
    }
);

/// Builds the table of a mention state's alerts.
pub fn mention_alerts_result(
    py: Python<'_>,
    state: &voc_core::text::MentionState,
    opts: &AlertOptions,
    per_text: bool,
) -> PyResult<AlertsResult> {
    let out = crate::guard::detach(py, "voc.text.MentionState.seasonal_alerts", || {
        core::mention_alerts(state, opts, per_text)
    })
    .py_err(py)?;
    let themes = state.themes();
    let mut cols = Columns::default();
    let mut series = std::collections::BTreeSet::new();
    let mut n_alerts = 0u64;
    for r in &out.rows {
        let mut row: Vec<(&'static str, Value)> = Vec::with_capacity(17);
        if let Some(l) = &out.channels {
            row.push(("group", crate::text::channel_value(l, r.channel)));
        }
        let th = themes.get(r.theme as usize);
        row.push(("theme", Value::from(th.map_or("", |x| x.id.as_str()))));
        row.push(("label", Value::from(th.map_or("", |x| x.label.as_str()))));
        row.push(("texts", Value::U64(r.texts)));
        alert_cells(out.period, r.period, &r.row, &mut row);
        series.insert((r.channel, r.theme));
        n_alerts += u64::from(r.row.alert);
        cols.push(row);
    }
    let table = cols.into_table(py, "seasonal alerts".into(), None)?;
    AlertsResult::new(
        py,
        table,
        state.texts(),
        state.dropped(),
        series.len() as u64,
        n_alerts,
        opts.alpha,
        out.period.name().to_owned(),
        "farrington_flexible".to_owned(),
    )
}

/// Seasonal alerts on score series (NPS, CSAT, CES, mean sentiment per period): the expected score
/// from earlier years (or a trailing baseline), the lower / upper bound at false-alarm rate `alpha`,
/// and an alert where the period's score lies beyond it. The math is `voc_core::anomaly::score_alerts`.
#[pyfunction(name = "anomaly_score_alerts")]
#[pyo3(signature = (data=None, /, *, scores=None, means=None, n=None, time=None, by=None, metric="nps",
    satisfied_from=4.0, side="lower", period="week", alpha=0.01, years=5, half_window=None,
    seasonal_groups=10, exclude_recent=None, trend=true, trend_p_value=0.05, fallback_window=12,
    min_baseline=4, last=None, missing="error"),
    text_signature = "(data=None, /, *, scores=None, means=None, n=None, time=None, by=None, metric='nps', satisfied_from=4.0, side='lower', period='week', alpha=0.01, years=5, half_window=None, seasonal_groups=10, exclude_recent=None, trend=True, trend_p_value=0.05, fallback_window=12, min_baseline=4, last=None, missing='error')")]
#[allow(clippy::too_many_arguments)]
fn anomaly_score_alerts(
    py: Python<'_>,
    data: Option<&Bound<'_, PyAny>>,
    scores: Option<&Bound<'_, PyAny>>,
    means: Option<&Bound<'_, PyAny>>,
    n: Option<&Bound<'_, PyAny>>,
    time: Option<&Bound<'_, PyAny>>,
    by: Option<&Bound<'_, PyAny>>,
    #[pyo3(from_py_with = crate::convert_args::text)] metric: &str,
    #[pyo3(from_py_with = crate::convert_args::real)] satisfied_from: f64,
    #[pyo3(from_py_with = crate::convert_args::text)] side: &str,
    #[pyo3(from_py_with = crate::convert_args::text)] period: &str,
    #[pyo3(from_py_with = crate::convert_args::real)] alpha: f64,
    #[pyo3(from_py_with = crate::convert_args::whole::<usize>)] years: usize,
    #[pyo3(from_py_with = crate::convert_args::opt_whole::<usize>)] half_window: Option<usize>,
    #[pyo3(from_py_with = crate::convert_args::whole::<usize>)] seasonal_groups: usize,
    #[pyo3(from_py_with = crate::convert_args::opt_whole::<usize>)] exclude_recent: Option<usize>,
    #[pyo3(from_py_with = crate::convert_args::flag)] trend: bool,
    #[pyo3(from_py_with = crate::convert_args::real)] trend_p_value: f64,
    #[pyo3(from_py_with = crate::convert_args::whole::<usize>)] fallback_window: usize,
    #[pyo3(from_py_with = crate::convert_args::whole::<usize>)] min_baseline: usize,
    #[pyo3(from_py_with = crate::convert_args::opt_whole::<usize>)] last: Option<usize>,
    #[pyo3(from_py_with = crate::convert_args::text)] missing: &str,
) -> PyResult<ScoreAlertsResult> {
    let d = AlertOptions::default();
    let opts = alert_options(
        py,
        alpha,
        years,
        half_window,
        seasonal_groups,
        exclude_recent,
        d.reweight_threshold,
        trend,
        trend_p_value,
        d.min_recent,
        d.recent_periods,
        fallback_window,
        min_baseline,
        last,
    )?;
    let metric = metric.parse::<ScoreMetric>().py_err(py)?;
    let side = side.parse::<AlertSide>().py_err(py)?;
    let period = period.parse::<Period>().py_err(py)?;
    let policy = convert::missing_policy(missing).py_err(py)?;
    let scores = convert::role(data, scores, "scores")?;
    let means = convert::role(data, means, "means")?;
    let n_col = convert::role(data, n, "n")?;
    // Either one answer per row (scores=) or a mean and its answers per row (means= and n=).
    let (values_arg, values, nulls, weights) = match (&scores, &means, &n_col) {
        (Some(s), None, None) => {
            let (v, nulls) = float_rows(s, "scores")?;
            ("scores", v, nulls, None)
        }
        (None, Some(m), Some(w)) => {
            let (v, mut nulls) = float_rows(m, "means")?;
            let (wv, w_nulls) = float_rows(w, "n")?;
            rows_len(py, "means", v.len(), "n", wv.len())?;
            // A mean of no answers is no row: its NaN is not missing.
            nulls.retain(|&i| wv.get(i).is_some_and(|&x| x != 0.0));
            ("means", v, nulls, Some((wv, w_nulls)))
        }
        _ => {
            let given = [("scores", &scores), ("means", &means), ("n", &n_col)]
                .iter()
                .filter(|(_, v)| v.is_some())
                .map(|(k, _)| *k)
                .collect::<Vec<_>>()
                .join(", ");
            return Err(Error::option(
                "scores",
                if given.is_empty() { "None".to_owned() } else { given },
                "give scores= (one answer per row) or means= and n= (a mean score and its answers per row)",
            ))
            .py_err(py);
        }
    };
    let rows_in = values.len();
    let Some(time) = convert::role(data, time, "time")? else {
        return Err(Error::option(
            "time",
            "None",
            "time= is required (the period of each row)",
        ))
        .py_err(py);
    };
    let by = convert::role(data, by, "by")?;
    let PeriodRows {
        periods,
        time_nulls,
        labels,
        codes,
        by_nulls,
    } = period_rows(&time, by.as_ref(), period, |other, len| {
        rows_len(py, values_arg, rows_in, other, len)
    })?;
    let n_nulls: &[usize] = weights.as_ref().map_or(&[], |(_, w)| w.as_slice());
    convert::check_nulls(
        policy,
        &[
            (values_arg, &nulls),
            ("n", n_nulls),
            ("time", &time_nulls),
            ("by", &by_nulls),
        ],
    )
    .py_err(py)?;
    let (keep, dropped) = kept_rows(rows_in, &[&nulls, n_nulls, &time_nulls, &by_nulls]);
    let rows = crate::guard::detach(py, "voc.anomaly.score_alerts", || {
        let compact = |v: &[f64]| convert::compact_slice(v, &keep);
        let values = compact(&values);
        let periods = convert::compact_slice(&periods, &keep);
        let codes = codes.as_deref().map(|c| convert::compact_slice(c, &keep));
        let weights = weights.as_ref().map(|(w, _)| compact(w));
        let input = match &weights {
            None => ScoreInput::Answers {
                scores: &values,
                metric,
                satisfied_from,
            },
            Some(w) => ScoreInput::Means {
                means: &values,
                n: w,
            },
        };
        core::score_alerts_by(input, &periods, codes.as_deref(), period, side, &opts)
    })
    .py_err(py)?;
    let mut cols = Columns::default();
    let mut series = std::collections::BTreeSet::new();
    let mut n_alerts = 0u64;
    for r in &rows {
        let x = &r.row;
        let mut row: Vec<(&'static str, Value)> = Vec::with_capacity(17);
        if let Some(l) = &labels {
            row.push(("group", l.value(r.group)));
        }
        row.push(("period", Value::from(period.label(r.period))));
        row.push(("period_start", Value::Day(period.start_day(r.period))));
        row.push(("n", Value::F64(x.n)));
        row.push(("observed", Value::F64(x.observed)));
        row.push(("expected", Value::F64(x.expected)));
        row.push(("difference", Value::F64(x.difference)));
        row.push(("lower", Value::from(x.lower)));
        row.push(("upper", Value::from(x.upper)));
        row.push(("se", Value::F64(x.se)));
        row.push(("df", Value::F64(x.df)));
        row.push(("p_value", Value::F64(x.p_value)));
        row.push(("alert", Value::Bool(x.alert)));
        row.push(("method", Value::from(x.method.name())));
        row.push(("trend", Value::Bool(x.trend)));
        row.push(("years", Value::U64(x.years as u64)));
        series.insert(r.group);
        n_alerts += u64::from(x.alert);
        cols.push(row);
    }
    let table = cols.into_table(py, "score alerts".into(), None)?;
    ScoreAlertsResult::new(
        py,
        table,
        (rows_in - dropped) as u64,
        dropped as u64,
        series.len() as u64,
        n_alerts,
        opts.alpha,
        side.name().to_owned(),
        if weights.is_some() {
            "means".to_owned()
        } else {
            metric.name().to_owned()
        },
        period.name().to_owned(),
    )
}

crate::table_result_class!(
    /// Seasonal alerts on score series (`voc.anomaly.score_alerts`): the `table` (one row per series ×
    /// evaluated period: answers `n`, `observed` and `expected` score, their `difference`, the
    /// `lower` / `upper` bound, `p_value`, the `alert` flag and the `method` of the row) and the counts
    /// and options of the call.
    ScoreAlertsResult {
        /// Input rows used.
        n: u64,
        /// Rows left out as missing (`missing="skip"`).
        n_missing: u64,
        /// Series evaluated (groups).
        n_series: u64,
        /// Rows that are alerts.
        n_alerts: u64,
        /// The false-alarm rate of the bounds (split over both tails when two-sided).
        alpha: f64,
        /// Which side is an alert: "lower", "upper" or "two-sided".
        side: String,
        /// The score: "nps", "csat", "ces", "mean" (answers), or "means" (means and answers given).
        metric: String,
        /// The period of the series ("week", "month", ...).
        period: String,
    }
);
