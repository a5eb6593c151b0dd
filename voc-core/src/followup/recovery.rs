//! Recovery after a follow-up: did the detractor come back (their next NPS answer after the case was
//! closed), and did the customer buy again within a window after closing.

use super::cases::{CaseLog, Trigger};
use crate::error::{Error, Result};
use crate::signals::{DAY, EventLog, SurveyKind};
use crate::stats::dist::{t_quantile, t_two_sided_p};
use crate::stats::{IntervalOptions, Share, check_confidence, share};
use crate::time::NAT;

/// Options of [`recovery`].
///
/// ```
/// use voc_core::followup::RecoveryOptions;
/// let o = RecoveryOptions::default();
/// assert_eq!((o.repurchase_days, o.confidence), (90, 0.95));
/// assert!(RecoveryOptions::default().repurchase_days(0).validate().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct RecoveryOptions {
    /// Days after closing in which an order counts as a repurchase (default 90).
    pub repurchase_days: u32,
    /// Confidence level of every interval (default 0.95).
    pub confidence: f64,
}

impl Default for RecoveryOptions {
    fn default() -> Self {
        RecoveryOptions {
            repurchase_days: 90,
            confidence: 0.95,
        }
    }
}

crate::setters!(RecoveryOptions {
    repurchase_days: u32,
    confidence: f64
});

impl RecoveryOptions {
    /// Checks every option: `repurchase_days` ≥ 1, `confidence` in (0, 1).
    pub fn validate(&self) -> Result<()> {
        if self.repurchase_days == 0 {
            return Err(Error::option(
                "repurchase_days",
                0,
                "must be at least one day",
            ));
        }
        check_confidence(self.confidence).map(|_| ())
    }
}

/// The paired change of NPS from the answer before the case to the first answer after it: each
/// customer's answer is scored −100 (detractor, 0–6), 0 (passive, 7–8) or +100 (promoter, 9–10), and
/// the change is the mean of the per-customer differences with a Student-t interval and p-value (as
/// `scipy.stats.ttest_rel(after, before)`).
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct PairedChange {
    /// Customers with an answer before and after.
    pub n: u64,
    /// NPS of the answers before (points).
    pub before: f64,
    /// NPS of the answers after (points).
    pub after: f64,
    /// Mean per-customer change, `after − before` (points).
    pub estimate: f64,
    /// Its standard error.
    pub se: f64,
    /// Lower bound of the t interval.
    pub ci_low: f64,
    /// Upper bound of the t interval.
    pub ci_high: f64,
    /// Two-sided p-value of the paired t-test; NaN when the changes have no spread or n < 2.
    pub p_value: f64,
}

/// Recovery of the customers whose case was opened by a detractor answer and is closed.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct RecoveryGroup {
    /// Closed detractor-triggered cases.
    pub cases: u64,
    /// Of them, customers who answered an NPS survey after the closing.
    pub answered: u64,
    /// Share of those answers at 7 or more (detractor → passive or promoter), Wilson interval.
    pub recovered: Option<Share>,
    /// Share of those answers at 9 or more (detractor → promoter), Wilson interval.
    pub promoted: Option<Share>,
    /// NPS before vs after, paired; `None` with fewer than two pairs.
    pub nps_change: Option<PairedChange>,
    /// Closed cases (any trigger) whose repurchase window ended by the log's last event.
    pub repurchase_eligible: u64,
    /// Share of them with an order within `repurchase_days` after closing, Wilson interval.
    pub repurchase: Option<Share>,
}

/// [`RecoveryGroup`] per group code (or one for all cases).
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Recovery {
    /// One entry per group code `0..groups`.
    pub groups: Vec<RecoveryGroup>,
    /// The options used.
    pub options: RecoveryOptions,
}

/// Scores an NPS answer as −100, 0 or +100.
fn nps_points(score: f64) -> f64 {
    if score >= 9.0 {
        100.0
    } else if score >= 7.0 {
        0.0
    } else {
        -100.0
    }
}

fn paired(before: &[f64], after: &[f64], confidence: f64) -> Result<Option<PairedChange>> {
    let n = before.len();
    if n < 2 {
        return Ok(None);
    }
    let d: Vec<f64> = after.iter().zip(before).map(|(a, b)| a - b).collect();
    let nf = n as f64;
    let mean = d.iter().sum::<f64>() / nf;
    let var = d.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (nf - 1.0);
    let se = (var / nf).sqrt();
    let t = t_quantile(0.5 + 0.5 * confidence, nf - 1.0)?;
    let p_value = if se > 0.0 {
        t_two_sided_p(mean / se, nf - 1.0)?
    } else {
        f64::NAN
    };
    Ok(Some(PairedChange {
        n: n as u64,
        before: before.iter().sum::<f64>() / nf,
        after: after.iter().sum::<f64>() / nf,
        estimate: mean,
        se,
        ci_low: mean - t * se,
        ci_high: mean + t * se,
        p_value,
    }))
}

/// Recovery after follow-up cases, per group code (`groups[i]` for the `i`-th kept case of `cases`, all
/// below `n_groups`; `None`: one group).
///
/// - For each **closed case opened by a detractor answer** ([`Trigger::Detractor`]): the customer's
///   last NPS answer at or before the opening (the trigger) and the first NPS answer after the closing.
///   `recovered` is the share of after-answers at 7 or more, `promoted` at 9 or more (Wilson intervals,
///   as `scipy.stats.binomtest(k, n).proportion_ci(method="wilson")`); `nps_change` the paired change.
/// - For each **closed case** (any trigger) whose window of `repurchase_days` after closing ended by the
///   log's last event: whether the customer ordered within the window (`repurchase`).
///
/// Observational: the customers who answer again or buy again are not a random sample; the holdout
/// estimate of a follow-up's effect needs a randomised holdout of triggers.
///
/// ```
/// use voc_core::followup::{recovery, CaseLog, Cases, RecoveryOptions, Trigger};
/// use voc_core::signals::{Customers, EventLog, Ids, Orders, RowPolicy, SurveyKind, Surveys, DAY};
/// use voc_core::time::NAT;
/// let ids = [1, 2, 3];
/// let kinds = [SurveyKind::Nps; 6];
/// let log = EventLog::builder(Customers { id: Ids::Int(&ids), signup: &[0; 3] })?
///     .surveys(Surveys { customer: Ids::Int(&[1, 1, 2, 2, 3, 3]), time: &[DAY, 9 * DAY, DAY, 9 * DAY, DAY, 9 * DAY],
///                        kind: &kinds, score: &[3.0, 9.0, 5.0, 6.0, 2.0, 8.0] })?
///     .orders(Orders { id: None, customer: Ids::Int(&[1, 3]), time: &[20 * DAY, 200 * DAY], amount: &[10.0, 5.0] })?
///     .build();
/// let cases = CaseLog::new(&log, Cases {
///     customer: Ids::Int(&ids), trigger: &[Trigger::Detractor; 3],
///     opened: &[DAY; 3], contacted: &[2 * DAY; 3], closed: &[3 * DAY; 3],
///     team: None, action: None, outcome: None, cost: None,
/// }, RowPolicy::Error)?;
/// let r = &recovery(&log, &cases, None, 1, &RecoveryOptions::default())?.groups[0];
/// assert_eq!(r.answered, 3);
/// assert_eq!(r.recovered.map(|s| s.successes), Some(2.0)); // 9 and 8
/// assert_eq!(r.nps_change.map(|c| c.estimate), Some(100.0)); // changes +200, 0, +100
/// assert_eq!(r.repurchase.map(|s| (s.successes, s.n)), Some((1.0, 3.0)));
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn recovery(
    log: &EventLog,
    cases: &CaseLog,
    groups: Option<&[u32]>,
    n_groups: usize,
    options: &RecoveryOptions,
) -> Result<Recovery> {
    options.validate()?;
    if let Some(g) = groups {
        crate::error::check_len("cases", cases.len(), "groups", g.len())?;
        if let Some(i) = g.iter().position(|&c| c as usize >= n_groups) {
            return Err(Error::InvalidValue {
                arg: "groups",
                index: i,
                value: f64::from(g[i]),
                reason: "a group code at or above the number of groups",
            });
        }
    }
    if n_groups == 0 {
        return Err(Error::Empty {
            arg: "groups",
            what: "no group to report",
        });
    }
    let window = i64::from(options.repurchase_days) * DAY;
    let last = log.last_time;
    struct Acc {
        cases: u64,
        before: Vec<f64>,
        after_all: Vec<f64>,
        after_paired: Vec<f64>,
        eligible: u64,
        bought: u64,
    }
    let mut acc: Vec<Acc> = (0..n_groups)
        .map(|_| Acc {
            cases: 0,
            before: Vec::new(),
            after_all: Vec::new(),
            after_paired: Vec::new(),
            eligible: 0,
            bought: 0,
        })
        .collect();
    let s = &log.surveys;
    let o = &log.orders;
    let mut ticker = crate::interrupt::Ticker::new();
    for i in 0..cases.len() {
        let closed = cases.closed()[i];
        if closed == NAT {
            continue;
        }
        ticker.tick()?;
        let c = cases.customer_rows()[i] as usize;
        let a = &mut acc[groups.map_or(0, |g| g[i] as usize)];
        if last != NAT && closed.saturating_add(window) <= last {
            a.eligible += 1;
            let rows = o.index.range(c);
            let bought = o.time[rows]
                .iter()
                .any(|&t| t > closed && t <= closed + window);
            a.bought += u64::from(bought);
        }
        if cases.trigger()[i] != Trigger::Detractor {
            continue;
        }
        a.cases += 1;
        let opened = cases.opened()[i];
        let rows = s.index.range(c);
        let nps = rows.filter(|&r| s.kind[r] == SurveyKind::Nps);
        let mut before = None;
        let mut after = None;
        for r in nps {
            let t = s.time[r];
            if t <= opened {
                before = Some(s.score[r]);
            } else if t > closed {
                after = Some(s.score[r]);
                break;
            }
        }
        if let Some(after) = after {
            a.after_all.push(after);
            if let Some(before) = before {
                a.before.push(nps_points(before));
                a.after_paired.push(nps_points(after));
            }
        }
    }
    let opts = IntervalOptions::default().confidence(options.confidence);
    let maybe = |k: u64, n: u64| -> Result<Option<Share>> {
        if n == 0 {
            Ok(None)
        } else {
            share(k as f64, n as f64, &opts).map(Some)
        }
    };
    let groups = acc
        .into_iter()
        .map(|a| {
            let answered = a.after_all.len() as u64;
            let at_least = |x: f64| a.after_all.iter().filter(|&&v| v >= x).count() as u64;
            Ok(RecoveryGroup {
                cases: a.cases,
                answered,
                recovered: maybe(at_least(7.0), answered)?,
                promoted: maybe(at_least(9.0), answered)?,
                nps_change: paired(&a.before, &a.after_paired, options.confidence)?,
                repurchase_eligible: a.eligible,
                repurchase: maybe(a.bought, a.eligible)?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Recovery {
        groups,
        options: *options,
    })
}
