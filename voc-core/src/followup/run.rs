//! One call from case (or trigger) columns to the loop metrics: missing rows under the caller's
//! policy, the default observation time, SLA attainment per period, and trigger coverage.

use super::HOUR;
use super::cases::check_case_times;
use super::direct::metrics_of_cases;
use super::state::{CaseBatch, LoopBatch, LoopMetrics, LoopOptions, LoopState, TriggerBatch};
use crate::MissingPolicy;
use crate::error::{Error, Result};
use crate::metrics::{Batch, Csat, CsatOptions, Scale, trend};
use crate::signals::events::validate::Checker;
use crate::signals::{RowPolicy, Skipped};
use crate::stats::{Share, TestResult};
use crate::time::{NAT, Period, TimeUnit};
use std::borrow::Cow;

/// Group code of a row whose group label is missing (it follows the missing-value policy).
pub const MISSING_GROUP: u32 = u32::MAX;

/// Rows left out under [`MissingPolicy::Skip`] for one reason.
///
/// ```
/// use voc_core::followup::LeftOut;
/// let l = LeftOut { reason: "opened is missing".into(), rows: 2, first: 5 };
/// assert_eq!(l.rows, 2);
/// ```
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[derive(Debug, Clone, PartialEq)]
pub struct LeftOut {
    /// Why, e.g. "opened is missing".
    pub reason: String,
    /// How many rows.
    pub rows: u64,
    /// Position of the first such row.
    pub first: usize,
}

impl LeftOut {
    /// The same rows with the argument `from` called `to` in the reason, as
    /// [`Error::renamed`](crate::Error::renamed) does for errors.
    ///
    /// ```
    /// use voc_core::followup::LeftOut;
    /// let l = LeftOut { reason: "groups is missing".into(), rows: 1, first: 0 }.renamed("groups", "by");
    /// assert_eq!(l.reason, "by is missing");
    /// ```
    #[must_use]
    pub fn renamed(mut self, from: &str, to: &str) -> LeftOut {
        if let Some(rest) = self.reason.strip_prefix(from)
            && (rest.starts_with(' ') || rest.starts_with(':'))
        {
            self.reason = format!("{to}{rest}");
        }
        self
    }

    /// The rows an event-table check left out ([`Skipped`](crate::signals::Skipped)), by reason.
    pub fn from_skipped(s: &[Skipped]) -> Vec<LeftOut> {
        s.iter()
            .map(|s| LeftOut {
                reason: s.reason.clone(),
                rows: s.rows,
                first: s.first,
            })
            .collect()
    }
}

/// Case columns for [`loop_metrics`]: one value per case; times in seconds since 1970 ([`NAT`]: not
/// yet; a missing `opened` follows the policy).
///
/// ```
/// use voc_core::followup::LoopInput;
/// let i = LoopInput { groups: &[0], opened: &[0], contacted: &[60], closed: &[120], as_of: None };
/// assert_eq!(i.opened.len(), 1);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct LoopInput<'a> {
    /// Group code per case ([`MISSING_GROUP`]: missing label).
    pub groups: &'a [u32],
    /// Opening times.
    pub opened: &'a [i64],
    /// First-contact times ([`NAT`]: none yet, or never if the case is closed).
    pub contacted: &'a [i64],
    /// Closing times ([`NAT`]: open).
    pub closed: &'a [i64],
    /// Observation time; `None`: the latest time of the (kept) cases.
    pub as_of: Option<i64>,
}

/// SLA attainment of one group in one period (of the case's opening), compared with the group's
/// previous period with due cases.
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[derive(Debug, Clone, PartialEq)]
pub struct SlaTrendRow {
    /// Group code.
    pub group: u32,
    /// Period index (see [`Period::index`]).
    pub period: i64,
    /// First day of the period (days since 1970-01-01).
    pub start_day: i64,
    /// Period label ("2026-03", "2026-W09", ...).
    pub label: String,
    /// Due cases contacted within the SLA, of `rate.n` due cases, with the Wilson interval.
    pub rate: Share,
    /// Label of the period compared against.
    pub previous: Option<String>,
    /// Two-proportion z test of (this period − previous period); `None` for the first period or when
    /// undefined (no spread in either period).
    pub change: Option<TestResult>,
    /// Holm-adjusted p-value over every change test of the table.
    pub p_adjusted: Option<f64>,
}

impl SlaTrendRow {
    /// Whether the change is significant at `1 − confidence` before the correction.
    pub fn significant(&self, confidence: f64) -> bool {
        self.change
            .as_ref()
            .is_some_and(|t| t.p_value < 1.0 - confidence)
    }

    /// Whether the change is significant at `1 − confidence` after Holm's correction.
    pub fn significant_adjusted(&self, confidence: f64) -> bool {
        self.p_adjusted.is_some_and(|p| p < 1.0 - confidence)
    }
}

/// What [`loop_metrics`] returns.
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[derive(Debug, Clone, PartialEq)]
pub struct LoopReport {
    /// The metrics per group.
    pub metrics: LoopMetrics,
    /// The observation time used.
    pub as_of: i64,
    /// Cases left out under [`MissingPolicy::Skip`] (missing opening time or group label).
    pub n_missing: u64,
    /// The same, by reason (`"opened is missing"`, `"groups is missing"`).
    pub skipped: Vec<LeftOut>,
    /// SLA attainment per group and period, when a period was asked for.
    pub trend: Option<Vec<SlaTrendRow>>,
}

fn row_policy(p: MissingPolicy) -> RowPolicy {
    match p {
        MissingPolicy::Error => RowPolicy::Error,
        MissingPolicy::Skip => RowPolicy::Skip,
    }
}

/// The error with its row index mapped from the kept rows back to the caller's rows.
pub(crate) fn at_input_row(mut e: Error, rows: &[usize]) -> Error {
    if let Error::OutOfRange { index, .. }
    | Error::NotWhole { index, .. }
    | Error::NonFinite { index, .. }
    | Error::Missing { index, .. }
    | Error::InvalidValue { index, .. }
    | Error::UnknownId { index, .. }
    | Error::DuplicateId { index, .. } = &mut e
        && let Some(&row) = rows.get(*index)
    {
        *index = row;
    }
    e
}

fn compact<T: Copy>(v: &[T], rows: &[usize]) -> Vec<T> {
    rows.iter().map(|&r| v[r]).collect()
}

/// The rows `rows` of `v`: `v` itself when they are all of them.
fn kept<'a, T: Copy>(v: &'a [T], rows: &[usize], all: bool) -> Cow<'a, [T]> {
    if all {
        Cow::Borrowed(v)
    } else {
        Cow::Owned(compact(v, rows))
    }
}

/// The latest set time of the columns.
fn latest(cols: &[&[i64]]) -> Option<i64> {
    cols.iter()
        .flat_map(|c| c.iter().copied())
        .filter(|&t| t != NAT)
        .max()
}

/// Loop metrics from case columns, in one call: rows with a missing opening time or group label
/// follow `missing` (an error naming the column and row, or left out and counted); the observation
/// time defaults to the latest time of the kept cases; bad rows (a contact before the opening, …) are
/// errors naming the caller's row. With `period`, SLA attainment per group and period of opening
/// (the survey metrics' trend table: Wilson shares, two-proportion tests against the previous period,
/// Holm-adjusted p-values).
///
/// ```
/// use voc_core::MissingPolicy;
/// use voc_core::followup::{loop_metrics, LoopInput, LoopOptions, MISSING_GROUP};
/// use voc_core::time::{NAT, Period};
/// const H: i64 = 3600;
/// let names = ["a".to_string()];
/// let input = LoopInput {
///     groups: &[0, 0, MISSING_GROUP],
///     opened: &[0, 40 * 24 * H, 0],
///     contacted: &[2 * H, 60 * 24 * H, H],
///     closed: &[NAT, NAT, NAT],
///     as_of: None,
/// };
/// let e = loop_metrics(&names, input, MissingPolicy::Error, None, &LoopOptions::default()).unwrap_err();
/// assert!(e.to_string().starts_with("groups[2] is missing"));
/// let r = loop_metrics(&names, input, MissingPolicy::Skip, Some(Period::Month), &LoopOptions::default())?;
/// assert_eq!((r.n_missing, r.as_of), (1, 60 * 24 * H)); // the latest time of the kept cases
/// let trend = r.trend.unwrap_or_default();
/// assert_eq!(trend.iter().map(|t| t.label.as_str()).collect::<Vec<_>>(), ["1970-01", "1970-02"]);
/// assert_eq!((trend[0].rate.successes, trend[1].rate.successes), (1.0, 0.0));
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn loop_metrics(
    names: &[String],
    input: LoopInput<'_>,
    missing: MissingPolicy,
    period: Option<Period>,
    options: &LoopOptions,
) -> Result<LoopReport> {
    options.validate()?;
    let n = input.groups.len();
    for (arg, len) in [
        ("opened", input.opened.len()),
        ("contacted", input.contacted.len()),
        ("closed", input.closed.len()),
    ] {
        crate::error::check_len("groups", n, arg, len)?;
    }
    let mut ck = Checker::new("cases", row_policy(missing), n);
    for i in 0..n {
        if input.opened[i] == NAT {
            ck.fail(i, || Error::Missing {
                arg: "opened",
                index: i,
            })?;
        }
        if input.groups[i] == MISSING_GROUP {
            ck.fail(i, || Error::Missing {
                arg: "groups",
                index: i,
            })?;
        }
    }
    // Borrowed as given when nothing is left out (no row map: errors keep their index); compacted
    // copies otherwise.
    let all = ck.skipped.is_empty();
    let rows: Vec<usize> = if all {
        Vec::new()
    } else {
        (0..n).filter(|&i| ck.ok(i)).collect()
    };
    let n_missing = if all { 0 } else { (n - rows.len()) as u64 };
    let groups = kept(input.groups, &rows, all);
    let (opened, contacted, closed) = (
        kept(input.opened, &rows, all),
        kept(input.contacted, &rows, all),
        kept(input.closed, &rows, all),
    );
    let here = |e: Error| at_input_row(e, &rows).renamed("codes", "groups");
    // Rule checks on the kept rows first, so that an error names the caller's row.
    check_case_times(
        &mut Checker::new("cases", RowPolicy::Error, groups.len()),
        &["opened", "contacted", "closed"],
        &opened,
        &contacted,
        &closed,
    )
    .map_err(here)?;
    let as_of = match input.as_of {
        Some(t) => t,
        None => latest(&[&*opened, &*contacted, &*closed]).ok_or(Error::Empty {
            arg: "opened",
            what: "no case to report",
        })?,
    };
    // One batch, nothing to merge: straight from the columns, without a state's clocks.
    let empty = LoopState::new(names)?;
    let batch = CaseBatch::new(&groups, &opened, &contacted, &closed, as_of);
    let metrics = metrics_of_cases(&empty, batch, options).map_err(here)?;
    let trend = match period {
        Some(p) => Some(sla_trend(
            &groups, &opened, &contacted, &closed, as_of, p, options,
        )?),
        None => None,
    };
    Ok(LoopReport {
        metrics,
        as_of,
        n_missing,
        skipped: LeftOut::from_skipped(&ck.skipped),
        trend,
    })
}

fn hours(from: i64, to: i64) -> f64 {
    (to - from) as f64 / HOUR
}

/// SLA attainment per (group, period of opening) through the survey metrics' trend (a share on a 0–1
/// scale with 1 counted as "met"): the same Wilson intervals, tests and Holm adjustment.
fn sla_trend(
    groups: &[u32],
    opened: &[i64],
    contacted: &[i64],
    closed: &[i64],
    as_of: i64,
    period: Period,
    options: &LoopOptions,
) -> Result<Vec<SlaTrendRow>> {
    let sla = options.sla_hours;
    let (mut met, mut g, mut t) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..opened.len() {
        let (o, c, z) = (opened[i], contacted[i], closed[i]);
        let status = if c != NAT {
            Some(u8::from(hours(o, c) <= sla))
        } else if z != NAT || hours(o, as_of) > sla {
            Some(0)
        } else {
            None // pending: not yet due
        };
        if let Some(m) = status {
            met.push(m);
            g.push(groups[i]);
            t.push(o);
        }
    }
    if met.is_empty() {
        return Ok(Vec::new());
    }
    let opts = CsatOptions::default()
        .confidence(options.confidence)
        .satisfied_from(Some(1));
    let rows = trend::<Csat, u8>(
        Scale::new(0, 1)?,
        Batch::new(&met).groups(&g),
        &t,
        TimeUnit::Seconds,
        period,
        &opts,
    )
    .map_err(|e| e.renamed("time", "opened").renamed("scores", "opened"))?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            r.result.map(|res| SlaTrendRow {
                group: r.group,
                period: r.period,
                start_day: r.start_day,
                label: r.label,
                // Unweighted: the share's successes are a count (p · n, rounded off its last bits).
                rate: Share {
                    successes: res.satisfied.successes.round(),
                    ..res.satisfied
                },
                previous: r.previous,
                change: r.change,
                p_adjusted: r.p_adjusted,
            })
        })
        .collect())
}

/// Trigger columns for [`coverage`]: one value per trigger (a detractor answer, an alert, …).
///
/// ```
/// use voc_core::followup::TriggerInput;
/// let t = TriggerInput { groups: &[0], time: &[0], has_case: &[1.0], contacted: &[60], as_of: None };
/// assert_eq!(t.has_case, &[1.0]);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct TriggerInput<'a> {
    /// Group code per trigger ([`MISSING_GROUP`]: missing label).
    pub groups: &'a [u32],
    /// Trigger times (seconds since 1970; [`NAT`]: missing).
    pub time: &'a [i64],
    /// 1 when a case was opened for the trigger, 0 when not (NaN: missing).
    pub has_case: &'a [f64],
    /// First contact of the trigger's case ([`NAT`]: none).
    pub contacted: &'a [i64],
    /// Observation time; `None`: the latest time of the (kept) triggers.
    pub as_of: Option<i64>,
}

/// Coverage of one group's triggers.
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[derive(Debug, Clone, PartialEq)]
pub struct GroupCoverage {
    /// Group name.
    pub name: String,
    /// Triggers.
    pub triggers: u64,
    /// Share of triggers that got a case (Wilson); `None` without triggers.
    pub coverage: Option<Share>,
    /// Share of due triggers whose case was contacted within the SLA of the trigger (Wilson); `None`
    /// when none is due.
    pub in_sla: Option<Share>,
    /// Triggers not contacted and not yet past the SLA (left out of `in_sla`).
    pub pending: u64,
}

/// What [`coverage`] returns.
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[derive(Debug, Clone, PartialEq)]
pub struct CoverageReport {
    /// One entry per group.
    pub groups: Vec<GroupCoverage>,
    /// The SLA used, hours.
    pub sla_hours: f64,
    /// Confidence level of the intervals.
    pub confidence: f64,
    /// The observation time used.
    pub as_of: i64,
    /// Triggers left out under [`MissingPolicy::Skip`].
    pub n_missing: u64,
    /// The same, by reason.
    pub skipped: Vec<LeftOut>,
}

/// Trigger coverage: the share of triggers that got a case, and the share of due triggers whose case
/// was contacted within `sla_hours` of the trigger (Wilson intervals, as
/// `scipy.stats.binomtest(k, n).proportion_ci(method="wilson")`). A trigger is due once contacted, or
/// once older than the SLA at `as_of`. Missing trigger times, `has_case` values and group labels follow
/// `missing`; a contact without a case, or before its trigger, is an error naming the row.
///
/// ```
/// use voc_core::MissingPolicy;
/// use voc_core::followup::{coverage, LoopOptions, TriggerInput};
/// use voc_core::time::NAT;
/// const H: i64 = 3600;
/// let names = ["all".to_string()];
/// let t = TriggerInput {
///     groups: &[0; 4], time: &[0, 0, 0, 100 * H], has_case: &[1.0, 1.0, 0.0, 0.0],
///     contacted: &[10 * H, 90 * H, NAT, NAT], as_of: Some(120 * H),
/// };
/// let c = &coverage(&names, t, MissingPolicy::Error, &LoopOptions::default())?.groups[0];
/// assert_eq!(c.coverage.map(|s| (s.successes, s.n)), Some((2.0, 4.0)));
/// assert_eq!(c.in_sla.map(|s| (s.successes, s.n)), Some((1.0, 3.0)));
/// assert_eq!(c.pending, 1);
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn coverage(
    names: &[String],
    input: TriggerInput<'_>,
    missing: MissingPolicy,
    options: &LoopOptions,
) -> Result<CoverageReport> {
    options.validate()?;
    let n = input.groups.len();
    for (arg, len) in [
        ("time", input.time.len()),
        ("has_case", input.has_case.len()),
        ("contacted", input.contacted.len()),
    ] {
        crate::error::check_len("groups", n, arg, len)?;
    }
    let mut ck = Checker::new("triggers", row_policy(missing), n);
    for i in 0..n {
        if input.time[i] == NAT {
            ck.fail(i, || Error::Missing {
                arg: "time",
                index: i,
            })?;
        }
        let h = input.has_case[i];
        if h.is_nan() {
            ck.fail(i, || Error::Missing {
                arg: "has_case",
                index: i,
            })?;
        } else if h != 0.0 && h != 1.0 {
            return Err(Error::InvalidValue {
                arg: "has_case",
                index: i,
                value: h,
                reason: "must be 0 or 1 (or a bool)",
            });
        }
        if input.groups[i] == MISSING_GROUP {
            ck.fail(i, || Error::Missing {
                arg: "groups",
                index: i,
            })?;
        }
    }
    let rows: Vec<usize> = (0..n).filter(|&i| ck.ok(i)).collect();
    let groups = compact(input.groups, &rows);
    let time = compact(input.time, &rows);
    let contacted = compact(input.contacted, &rows);
    let has_case: Vec<bool> = rows.iter().map(|&r| input.has_case[r] == 1.0).collect();
    let as_of = match input.as_of {
        Some(t) => t,
        None => latest(&[&time, &contacted]).ok_or(Error::Empty {
            arg: "time",
            what: "no trigger to report",
        })?,
    };
    let mut state = LoopState::new(names)?;
    state
        .update(LoopBatch::Triggers(TriggerBatch::new(
            &groups, &time, &has_case, &contacted, as_of,
        )))
        .map_err(|e| at_input_row(e, &rows).renamed("codes", "groups"))?;
    let m = state.finish(options)?;
    Ok(CoverageReport {
        groups: m
            .groups
            .into_iter()
            .map(|g| GroupCoverage {
                name: g.name,
                triggers: g.triggers,
                coverage: g.coverage,
                in_sla: g.coverage_in_sla,
                pending: g.coverage_pending,
            })
            .collect(),
        sla_hours: m.sla_hours,
        confidence: m.confidence,
        as_of,
        n_missing: (n - rows.len()) as u64,
        skipped: LeftOut::from_skipped(&ck.skipped),
    })
}
