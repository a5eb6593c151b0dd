//! The follow-up case table, validated once against the event log's customers.

use crate::error::{Error, Result};
use crate::signals::events::validate::{
    Checker, check_customers, check_required_times, check_time_range, len_check, time_error,
};
use crate::signals::{EventLog, Ids, RowPolicy, Skipped};
use crate::time::NAT;

/// What opened a follow-up case; spelled "detractor", "alert", "ticket" or "social".
///
/// ```
/// use voc_core::followup::Trigger;
/// assert_eq!("churn_alert".parse::<Trigger>()?, Trigger::Alert);
/// assert_eq!(Trigger::Detractor.to_string(), "detractor");
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Trigger {
    /// A detractor's survey answer (NPS 0–6).
    Detractor,
    /// A churn-risk alert.
    Alert,
    /// A complaint ticket.
    Ticket,
    /// A social-media post.
    Social,
}

crate::named_enum!(Trigger, "trigger", {
    Detractor => "detractor",
    Alert => "alert" | "churn_alert",
    Ticket => "ticket" | "complaint",
    Social => "social" | "mention",
});

/// The case table as borrowed columns, one row per case. Times are seconds since 1970
/// ([`NAT`]: has not happened). Codes (team, action, outcome) index names the caller keeps.
#[derive(Debug, Clone, Copy)]
pub struct Cases<'a> {
    /// Customer of each case (must be a customer of the event log).
    pub customer: Ids<'a>,
    /// What opened the case.
    pub trigger: &'a [Trigger],
    /// When the case was opened (required).
    pub opened: &'a [i64],
    /// First contact with the customer ([`NAT`]: not yet, or never).
    pub contacted: &'a [i64],
    /// When the case was closed ([`NAT`]: still open).
    pub closed: &'a [i64],
    /// Team or owner code per case.
    pub team: Option<&'a [u32]>,
    /// Action code per case (refund advanced, apology, coupon, …).
    pub action: Option<&'a [u32]>,
    /// Outcome code per case.
    pub outcome: Option<&'a [u32]>,
    /// Cost of the case (≥ 0; NaN: unknown).
    pub cost: Option<&'a [f64]>,
}

/// The validated cases, joined to the event log's customer rows (the rows kept, in input order).
///
/// ```
/// use voc_core::followup::{CaseLog, Cases, Trigger};
/// use voc_core::signals::{Customers, EventLog, Ids, RowPolicy};
/// use voc_core::time::NAT;
/// let log = EventLog::builder(Customers { id: Ids::Int(&[1, 2]), signup: &[0, 0] })?.build();
/// let h = 3600;
/// let cases = Cases {
///     customer: Ids::Int(&[1, 2, 9]),
///     trigger: &[Trigger::Detractor, Trigger::Alert, Trigger::Ticket],
///     opened: &[10 * h, 20 * h, 30 * h],
///     contacted: &[12 * h, NAT, 31 * h],
///     closed: &[40 * h, NAT, 32 * h],
///     team: None, action: None, outcome: None, cost: None,
/// };
/// // Customer 9 is unknown: an error naming the column and row, or a skipped row.
/// let e = CaseLog::new(&log, cases, RowPolicy::Error).unwrap_err();
/// assert_eq!(e.to_string(), "cases.customer[2] = \"9\" is not a customer id in customers.id");
/// let kept = CaseLog::new(&log, cases, RowPolicy::Skip)?;
/// assert_eq!((kept.len(), kept.skipped()[0].rows), (2, 1));
/// assert_eq!(kept.customer_rows(), &[0, 1]);
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct CaseLog {
    customer: Vec<u32>,
    trigger: Vec<Trigger>,
    opened: Vec<i64>,
    contacted: Vec<i64>,
    closed: Vec<i64>,
    team: Option<Vec<u32>>,
    action: Option<Vec<u32>>,
    outcome: Option<Vec<u32>>,
    cost: Option<Vec<f64>>,
    rows: Vec<usize>,
    skipped: Vec<Skipped>,
}

/// Checks the order of a case's times: contact and closing not before opening, closing not before the
/// first contact. Shared by [`CaseLog::new`] and [`LoopState`](super::LoopState) updates.
pub(crate) fn check_case_times(
    ck: &mut Checker,
    prefix: &'static [&'static str; 3],
    opened: &[i64],
    contacted: &[i64],
    closed: &[i64],
) -> Result<()> {
    check_required_times(ck, prefix[0], opened)?;
    check_time_range(ck, prefix[1], contacted)?;
    check_time_range(ck, prefix[2], closed)?;
    for i in 0..opened.len() {
        let (o, c, z) = (opened[i], contacted[i], closed[i]);
        if o == NAT {
            continue;
        }
        if c != NAT && c < o {
            ck.fail(i, || {
                time_error(
                    prefix[1],
                    i,
                    c,
                    "the first contact is before the case was opened",
                )
            })?;
        } else if z != NAT && z < o {
            ck.fail(i, || {
                time_error(prefix[2], i, z, "the case was closed before it was opened")
            })?;
        } else if z != NAT && c != NAT && z < c {
            ck.fail(i, || {
                time_error(
                    prefix[2],
                    i,
                    z,
                    "the case was closed before its first contact",
                )
            })?;
        }
    }
    Ok(())
}

fn kept<T: Copy>(v: &[T], rows: &[usize]) -> Vec<T> {
    rows.iter().map(|&r| v[r]).collect()
}

impl CaseLog {
    /// Validates `cases` against the customers of `log`. Under [`RowPolicy::Error`] the first bad row
    /// is an error naming the column (`cases.<column>`), the row and the value; under
    /// [`RowPolicy::Skip`] bad rows are left out and counted in [`skipped`](CaseLog::skipped).
    ///
    /// Rules: the customer is in the log; `opened` is set; every set time lies within
    /// [`MAX_ABS_TIME`](crate::signals::MAX_ABS_TIME); no contact or closing before opening; no closing
    /// before the first contact; a cost is finite and ≥ 0 (NaN: unknown); all columns have one value
    /// per case.
    pub fn new(log: &EventLog, cases: Cases<'_>, policy: RowPolicy) -> Result<CaseLog> {
        let n = cases.customer.len();
        let opt = |v: Option<usize>| v.unwrap_or(n);
        len_check(
            "cases.customer",
            n,
            &[
                ("cases.trigger", cases.trigger.len()),
                ("cases.opened", cases.opened.len()),
                ("cases.contacted", cases.contacted.len()),
                ("cases.closed", cases.closed.len()),
                ("cases.team", opt(cases.team.map(<[u32]>::len))),
                ("cases.action", opt(cases.action.map(<[u32]>::len))),
                ("cases.outcome", opt(cases.outcome.map(<[u32]>::len))),
                ("cases.cost", opt(cases.cost.map(<[f64]>::len))),
            ],
        )?;
        let codes = log.ids.codes(cases.customer)?;
        let mut ck = Checker::new("cases", policy, n);
        check_customers(&mut ck, "cases.customer", cases.customer, &codes)?;
        check_case_times(
            &mut ck,
            &["cases.opened", "cases.contacted", "cases.closed"],
            cases.opened,
            cases.contacted,
            cases.closed,
        )?;
        if let Some(cost) = cases.cost {
            for (i, &c) in cost.iter().enumerate() {
                if c.is_infinite() {
                    ck.fail(i, || Error::NonFinite {
                        arg: "cases.cost",
                        index: i,
                        value: c,
                    })?;
                } else if c < 0.0 {
                    ck.fail(i, || Error::InvalidValue {
                        arg: "cases.cost",
                        index: i,
                        value: c,
                        reason: "a cost must not be negative",
                    })?;
                }
            }
        }
        let rows: Vec<usize> = (0..n).filter(|&i| ck.ok(i)).collect();
        Ok(CaseLog {
            customer: kept(&codes, &rows),
            trigger: kept(cases.trigger, &rows),
            opened: kept(cases.opened, &rows),
            contacted: kept(cases.contacted, &rows),
            closed: kept(cases.closed, &rows),
            team: cases.team.map(|v| kept(v, &rows)),
            action: cases.action.map(|v| kept(v, &rows)),
            outcome: cases.outcome.map(|v| kept(v, &rows)),
            cost: cases.cost.map(|v| kept(v, &rows)),
            rows,
            skipped: ck.skipped,
        })
    }

    /// Number of cases kept.
    pub fn len(&self) -> usize {
        self.opened.len()
    }

    /// Whether no case was kept.
    pub fn is_empty(&self) -> bool {
        self.opened.is_empty()
    }

    /// The event log's customer row of each kept case.
    pub fn customer_rows(&self) -> &[u32] {
        &self.customer
    }

    /// The input position of each kept case.
    pub fn input_rows(&self) -> &[usize] {
        &self.rows
    }

    /// Rows left out under [`RowPolicy::Skip`], by reason.
    pub fn skipped(&self) -> &[Skipped] {
        &self.skipped
    }

    /// Trigger of each kept case.
    pub fn trigger(&self) -> &[Trigger] {
        &self.trigger
    }

    /// Opening time of each kept case.
    pub fn opened(&self) -> &[i64] {
        &self.opened
    }

    /// First-contact time of each kept case ([`NAT`]: none).
    pub fn contacted(&self) -> &[i64] {
        &self.contacted
    }

    /// Closing time of each kept case ([`NAT`]: open).
    pub fn closed(&self) -> &[i64] {
        &self.closed
    }

    /// Team codes, if given.
    pub fn team(&self) -> Option<&[u32]> {
        self.team.as_deref()
    }

    /// Action codes, if given.
    pub fn action(&self) -> Option<&[u32]> {
        self.action.as_deref()
    }

    /// Outcome codes, if given.
    pub fn outcome(&self) -> Option<&[u32]> {
        self.outcome.as_deref()
    }

    /// Costs, if given (NaN: unknown).
    pub fn cost(&self) -> Option<&[f64]> {
        self.cost.as_deref()
    }
}
