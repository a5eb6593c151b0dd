//! `voc.anomaly`: seasonal anomaly alerts on count series (Farrington flexible with a trailing
//! fallback, all in `voc_core::anomaly`); the binding reads the columns and the options and builds the
//! table.

use pyo3::prelude::*;
use voc_core::Error;
use voc_core::anomaly::{self as core, AlertOptions, AlertRow};
use voc_core::time::Period;

use crate::convert::{self, Labels};
use crate::error::IntoPy;
use crate::table::{Columns, Value};

/// Registers the anomaly functions and classes.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(anomaly_seasonal_alerts, m)?)?;
    m.add_class::<AlertsResult>()?;
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
    let c = convert::numbers(&counts, "counts")?;
    let mut count_nulls = c.nulls.clone();
    let values: Vec<f64> = c.nulls_as_nan().into_f64().as_slice().to_vec();
    count_nulls.extend(
        values
            .iter()
            .enumerate()
            .filter(|(_, v)| v.is_nan())
            .map(|(i, _)| i),
    );
    count_nulls.sort_unstable();
    count_nulls.dedup();
    let n = values.len();
    let t = convert::times(&time, "time")?;
    let tv = t.data.values.as_slice();
    if tv.len() != n {
        return Err(Error::LengthMismatch {
            arg: "counts",
            len: n,
            other: "time",
            other_len: tv.len(),
        })
        .py_err(py);
    }
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
    let (labels, codes, by_nulls): (Option<Labels>, Option<Vec<u32>>, Vec<usize>) = match &by {
        Some(b) => {
            let g = convert::groups(b, "by")?;
            let nulls = g.nulls.clone();
            let mut codes = g.data.codes.into_dense();
            let labels = g.data.labels.only_used(&mut codes, &nulls);
            (Some(labels), Some(codes), nulls)
        }
        None => (None, None, Vec::new()),
    };
    if let Some(c) = &codes
        && c.len() != n
    {
        return Err(Error::LengthMismatch {
            arg: "counts",
            len: n,
            other: "by",
            other_len: c.len(),
        })
        .py_err(py);
    }
    let (pop, pop_nulls): (Option<Vec<f64>>, Vec<usize>) = match &population {
        Some(p) => {
            let col = convert::numbers(p, "population")?;
            let nulls = col.nulls.clone();
            let v: Vec<f64> = col.nulls_as_nan().into_f64().as_slice().to_vec();
            if v.len() != n {
                return Err(Error::LengthMismatch {
                    arg: "counts",
                    len: n,
                    other: "population",
                    other_len: v.len(),
                })
                .py_err(py);
            }
            let mut nulls = nulls;
            nulls.extend(
                v.iter()
                    .enumerate()
                    .filter(|(_, x)| x.is_nan())
                    .map(|(i, _)| i),
            );
            nulls.sort_unstable();
            nulls.dedup();
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
    let mut keep = vec![true; n];
    for &i in count_nulls
        .iter()
        .chain(&time_nulls)
        .chain(&by_nulls)
        .chain(&pop_nulls)
    {
        if let Some(k) = keep.get_mut(i) {
            *k = false;
        }
    }
    let dropped = keep.iter().filter(|&&k| !k).count();
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
