//! Metrics by calendar period, with the change from the previous period and its test.

use super::score::Score;
use super::state::{Metric, SurveyState};
use super::tally::{Batch, MAX_GROUPS, Scale, Tally};
use crate::MissingPolicy;
use crate::error::{Error, Result, check_len};
use crate::stats::{Adjustment, TestResult, adjust_p_values};
use crate::time::{NAT, Period, TimeUnit};

/// First supported day, -9999-01-01.
const MIN_DAY: i64 = -4_371_587;
/// Last supported day (9999-12-31).
const MAX_DAY: i64 = 2_932_896;

/// One row of a trend table: a group's metric in one period (see [`trend`] for an example).
///
/// ```
/// use voc_core::metrics::{trend, Batch, Csat, CsatOptions, Scale};
/// use voc_core::time::{Period, TimeUnit};
/// let rows = trend::<Csat, _>(Scale::new(1, 5)?, Batch::new(&[5_u8, 5]), &[0, 31], TimeUnit::Days, Period::Month, &CsatOptions::default())?;
/// assert_eq!((rows[0].label.as_str(), rows[1].previous.as_deref()), ("1970-01", Some("1970-01")));
/// assert!(rows[1].change.is_none()); // all satisfied in both months: the test is undefined
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct TrendRow<O> {
    /// Group id (0 when ungrouped).
    pub group: u32,
    /// Period index (see [`Period::index`]).
    pub period: i64,
    /// First day of the period (days since 1970-01-01).
    pub start_day: i64,
    /// Period label ("2026-03", "2026-W09", ...).
    pub label: String,
    /// The metric in this period; `None` when it is undefined there (the reason is in
    /// [`undefined_reason`](TrendRow::undefined_reason)), and the other periods are still computed.
    pub result: Option<O>,
    /// Why `result` is `None`: the period has responses but their weights sum to zero.
    pub undefined_reason: Option<String>,
    /// Label of the period compared against: the group's previous period with responses.
    pub previous: Option<String>,
    /// Test of (this period − previous period) on the metric's headline; `None` for a group's first
    /// period, or when the test is undefined (e.g. zero variance in both periods).
    pub change: Option<TestResult>,
    /// The change's p-value after Holm's correction over every change test of the table (all groups and
    /// periods); `None` where there is no test.
    pub p_adjusted: Option<f64>,
}

impl<O> TrendRow<O> {
    /// Whether the change is significant at `1 − confidence` before the correction for multiple testing.
    ///
    /// ```
    /// use voc_core::metrics::{trend, Batch, Nps, NpsOptions, Scale};
    /// use voc_core::time::{Period, TimeUnit};
    /// // January: NPS +50; February: NPS −50 (40 answers each).
    /// let scores: Vec<u8> = [vec![10_u8; 30], vec![2; 10], vec![10; 10], vec![2; 30]].concat();
    /// let days: Vec<i64> = (0..80).map(|i| if i < 40 { 0 } else { 40 }).collect();
    /// let rows = trend::<Nps, _>(Scale::new(0, 10)?, Batch::new(&scores), &days, TimeUnit::Days, Period::Month, &NpsOptions::default())?;
    /// assert!(!rows[0].significant(0.95) && rows[1].significant(0.95) && rows[1].significant_adjusted(0.95));
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn significant(&self, confidence: f64) -> bool {
        self.change
            .as_ref()
            .is_some_and(|t| t.p_value < 1.0 - confidence)
    }

    /// Whether the change is significant at `1 − confidence` after Holm's correction (`p_adjusted`).
    pub fn significant_adjusted(&self, confidence: f64) -> bool {
        self.p_adjusted.is_some_and(|p| p < 1.0 - confidence)
    }
}

/// Metric `M` per (group, period), in group then period order, each compared with the group's previous
/// period that has responses.
///
/// `times` holds one timestamp per score in `unit`; [`NAT`] marks a missing time, handled by
/// `batch.missing` like a missing score.
///
/// ```
/// use voc_core::metrics::{trend, Batch, Nps, NpsOptions, Scale};
/// use voc_core::time::{Period, TimeUnit};
/// let scores = [10_u8, 9, 3, 10, 2, 1];
/// let days = [0_i64, 1, 2, 40, 41, 42]; // January and February 1970
/// let rows = trend::<Nps, _>(Scale::new(0, 10)?, Batch::new(&scores), &days, TimeUnit::Days, Period::Month, &NpsOptions::default())?;
/// assert_eq!(rows.len(), 2);
/// assert_eq!(rows[1].label, "1970-02");
/// assert!(rows[1].change.is_some_and(|c| c.difference < 0.0));
/// # Ok::<(), voc_core::Error>(())
/// ```
///
/// A period whose responses all have weight 0 gets a row without a result, saying why; the other
/// periods are computed:
///
/// ```
/// use voc_core::metrics::{trend, Batch, Nps, NpsOptions, Scale};
/// use voc_core::time::{Period, TimeUnit};
/// let (scores, days, w) = ([10_u8, 9, 3, 10], [0_i64, 1, 40, 41], [1.0, 1.0, 0.0, 0.0]);
/// let rows = trend::<Nps, _>(Scale::new(0, 10)?, Batch::new(&scores).weights(&w), &days, TimeUnit::Days, Period::Month, &NpsOptions::default())?;
/// assert_eq!(rows[0].result.as_ref().map(|r| r.nps), Some(100.0));
/// assert!(rows[1].result.is_none() && rows[1].undefined_reason.is_some());
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn trend<M: Metric, S: Score>(
    scale: Scale,
    batch: Batch<'_, S>,
    times: &[i64],
    unit: TimeUnit,
    period: Period,
    opts: &M::Options,
) -> Result<Vec<TrendRow<M::Output>>> {
    check_len("scores", batch.len(), "time", times.len())?;
    let state = SurveyState::<M>::with_scale(scale.min, scale.max)?;
    M::validate(opts, scale)?;
    if let Some(index) = times.iter().position(|&t| t == NAT) {
        if batch.missing == MissingPolicy::Error {
            return Err(Error::Missing { arg: "time", index });
        }
        return trend_without_missing_times::<M, S>(scale, batch, times, unit, period, opts);
    }
    let Some(periods) = PeriodMap::new(times, unit, period)? else {
        return Ok(Vec::new());
    };
    let (lo, span) = (periods.first, periods.count);
    let groups = batch
        .groups
        .map_or(1, |g| g.iter().copied().max().map_or(1, |m| m as usize + 1));
    if groups.saturating_mul(span) > MAX_GROUPS {
        return Err(Error::option(
            "period",
            period.name(),
            format!("{groups} groups × {span} periods is too many cells; use a coarser period"),
        ));
    }
    if let Some(g) = batch.groups {
        check_len("scores", batch.len(), "groups", g.len())?;
    }
    let cells = periods.cells(times, unit, batch.groups);
    let mut tally: Tally = state.tally().clone();
    tally.update(Batch {
        groups: Some(&cells),
        ..batch
    })?;

    let mut rows = Vec::new();
    for g in 0..groups {
        let mut previous: Option<(String, M::Output)> = None;
        for p in 0..span {
            let cell = tally.cell(g * span + p);
            if cell.n() == 0 {
                continue;
            }
            let index = lo + p as i64;
            let label = period.label(index);
            if !(cell.weight_sum() > 0.0) {
                // Responses whose weights are all zero: the metric is undefined in this period (reported
                // as such, with its reason), and the next period is compared with the one before.
                rows.push(TrendRow {
                    group: g as u32,
                    period: index,
                    start_day: period.start_day(index),
                    label,
                    result: None,
                    undefined_reason: Some(format!(
                        "the {} responses of this period have zero total weight",
                        cell.n()
                    )),
                    previous: None,
                    change: None,
                    p_adjusted: None,
                });
                continue;
            }
            let result = M::finish(&cell, opts)?;
            let change = match &previous {
                Some((_, before)) => match M::compare(&result, before, opts) {
                    Ok(t) => Some(t),
                    Err(Error::InsufficientData(_)) => None,
                    Err(e) => return Err(e),
                },
                None => None,
            };
            rows.push(TrendRow {
                group: g as u32,
                period: index,
                start_day: period.start_day(index),
                label: label.clone(),
                result: Some(result.clone()),
                undefined_reason: None,
                previous: previous.as_ref().map(|(l, _)| l.clone()),
                change,
                p_adjusted: None,
            });
            previous = Some((label, result));
        }
    }
    if !rows.is_empty() && rows.iter().all(|r| r.result.is_none()) {
        return Err(Error::Empty {
            arg: "scores",
            what: "no responses (or zero total weight) to summarise",
        });
    }
    // Holm over every test of the table (rows without a test take no part).
    let raw: Vec<f64> = rows
        .iter()
        .map(|r| r.change.as_ref().map_or(f64::NAN, |t| t.p_value))
        .collect();
    let adjusted = adjust_p_values(&raw, Adjustment::Holm)?;
    for (row, p) in rows.iter_mut().zip(adjusted) {
        row.p_adjusted = (!p.is_nan()).then_some(p);
    }
    Ok(rows)
}

/// Drops rows whose time is missing (policy `Skip`), then computes the trend.
fn trend_without_missing_times<M: Metric, S: Score>(
    scale: Scale,
    batch: Batch<'_, S>,
    times: &[i64],
    unit: TimeUnit,
    period: Period,
    opts: &M::Options,
) -> Result<Vec<TrendRow<M::Output>>> {
    let keep: Vec<usize> = (0..times.len()).filter(|&i| times[i] != NAT).collect();
    let pick = |i: &usize| *i;
    let scores: Vec<S> = keep.iter().map(|&i| batch.scores[i]).collect();
    let kept_times: Vec<i64> = keep.iter().map(|&i| times[i]).collect();
    let groups: Option<Vec<u32>> = batch
        .groups
        .map(|g| keep.iter().map(pick).map(|i| g[i]).collect());
    let weights: Option<Vec<f64>> = batch
        .weights
        .map(|w| keep.iter().map(pick).map(|i| w[i]).collect());
    let inner = Batch {
        scores: &scores,
        groups: groups.as_deref(),
        weights: weights.as_deref(),
        missing: batch.missing,
    };
    trend::<M, S>(scale, inner, &kept_times, unit, period, opts)
}

/// Runs `$body` with `$day` bound to a timestamp → day-number closure whose divisor is a constant, so the
/// compiler turns the division into a multiplication.
macro_rules! with_day_fn {
    ($unit:expr, $day:ident => $body:expr) => {
        match $unit {
            TimeUnit::Seconds => {
                let $day = |t: i64| t.div_euclid(86_400);
                $body
            }
            TimeUnit::Millis => {
                let $day = |t: i64| t.div_euclid(86_400_000);
                $body
            }
            TimeUnit::Micros => {
                let $day = |t: i64| t.div_euclid(86_400_000_000);
                $body
            }
            TimeUnit::Nanos => {
                let $day = |t: i64| t.div_euclid(86_400_000_000_000);
                $body
            }
            TimeUnit::Days => {
                let $day = |t: i64| t;
                $body
            }
        }
    };
}

/// Each row's period through a day → period table built once for the days present.
struct PeriodMap {
    first_day: i64,
    /// Period offset (from `first`) of each day in `first_day..`.
    table: Vec<u32>,
    /// Index of the first period.
    first: i64,
    /// Number of periods spanned.
    count: usize,
}

impl PeriodMap {
    /// `None` without rows; an error for a date outside the supported range (no silent wrap-around).
    fn new(times: &[i64], unit: TimeUnit, period: Period) -> Result<Option<PeriodMap>> {
        let Some((lo, hi)) = with_day_fn!(unit, day => day_range(times, day)) else {
            return Ok(None);
        };
        if lo < MIN_DAY || hi > MAX_DAY {
            let index = with_day_fn!(unit, day => times.iter().position(|&t| !(MIN_DAY..=MAX_DAY).contains(&day(t))));
            let index = index.unwrap_or(0);
            return Err(Error::InvalidValue {
                arg: "time",
                index,
                value: times.get(index).copied().unwrap_or(0) as f64,
                reason: "is outside the supported dates (years -9999 to 9999)",
            });
        }
        let first = period.index(lo);
        let table: Vec<u32> = (lo..=hi)
            .map(|d| (period.index(d) - first) as u32)
            .collect();
        let count = table.last().map_or(0, |&p| p as usize + 1);
        Ok(Some(PeriodMap {
            first_day: lo,
            table,
            first,
            count,
        }))
    }

    /// Cell per row: group × periods + period offset.
    fn cells(&self, times: &[i64], unit: TimeUnit, groups: Option<&[u32]>) -> Vec<u32> {
        let span = self.count as u32;
        with_day_fn!(unit, day => {
            let offset = |t: i64| self.table[(day(t) - self.first_day) as usize];
            match groups {
                Some(g) => map_rows(times, g, |t, g| g * span + offset(t)),
                None => map_rows(times, times, |t, _| offset(t)),
            }
        })
    }
}

/// Smallest and largest day of the timestamps.
fn day_range(times: &[i64], day: impl Fn(i64) -> i64 + Sync) -> Option<(i64, i64)> {
    let fold = |c: &[i64]| {
        c.iter().fold((i64::MAX, i64::MIN), |(lo, hi), &t| {
            (lo.min(day(t)), hi.max(day(t)))
        })
    };
    #[cfg(feature = "parallel")]
    let (lo, hi) = {
        use rayon::prelude::*;
        times
            .par_chunks(1 << 18)
            .map(fold)
            .reduce(|| (i64::MAX, i64::MIN), |a, b| (a.0.min(b.0), a.1.max(b.1)))
    };
    #[cfg(not(feature = "parallel"))]
    let (lo, hi) = fold(times);
    (!times.is_empty()).then_some((lo, hi))
}

/// `f(times[i], other[i])` for every row, in parallel for large inputs.
fn map_rows<O: Copy + Sync>(
    times: &[i64],
    other: &[O],
    f: impl Fn(i64, O) -> u32 + Sync,
) -> Vec<u32> {
    #[cfg(feature = "parallel")]
    {
        use rayon::prelude::*;
        times
            .par_iter()
            .zip(other.par_iter())
            .map(|(&t, &o)| f(t, o))
            .collect()
    }
    #[cfg(not(feature = "parallel"))]
    {
        times.iter().zip(other).map(|(&t, &o)| f(t, o)).collect()
    }
}
