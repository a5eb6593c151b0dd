//! The multi-channel event model: customers, orders, returns and refunds, tickets, survey answers,
//! social mentions and churn events, validated once and indexed by customer.
//!
//! Times are `i64` seconds since 1970-01-01 UTC; [`NAT`] marks a time that has not happened (a
//! ticket not yet resolved, a refund not yet paid). Ids are mapped to dense rows once ([`IdIndex`]).

use crate::time::NAT;
use std::sync::Arc;

use crate::error::Result;
use crate::signals::ids::{IdIndex, IdLabels};

mod builder;
mod flags;
mod index;
mod tables;
#[cfg(test)]
mod tests;
pub(crate) mod validate;

pub use builder::EventLogBuilder;
pub(crate) use index::{OrderLog, PointLog, ReturnLog, SurveyLog, TicketLog};
pub use tables::{ChurnEvents, Customers, Mentions, Orders, Returns, Surveys, Tables, Tickets};

/// Seconds in a day.
pub const DAY: i64 = 86_400;

/// The largest distance from 1970 an event time (or a feature cutoff) may have: ±2^53 seconds,
/// about ±285 million years. Within it every difference of two times fits an `i64` and converts
/// to days exactly; a time outside it is an input error (or a skipped row), not an overflow.
///
/// ```
/// use voc_core::signals::{Customers, EventLogBuilder, Ids, RowPolicy, MAX_ABS_TIME};
/// let far = [MAX_ABS_TIME + 1];
/// let err = EventLogBuilder::new(Customers { id: Ids::Int(&[1]), signup: &far }, RowPolicy::Error);
/// assert!(err.is_err());
/// ```
pub const MAX_ABS_TIME: i64 = 1 << 53;

/// What to do with an event row that breaks a rule (unknown customer, negative amount, refund before
/// its return, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum RowPolicy {
    /// The first bad row is an error naming the column, position and value (the default).
    #[default]
    Error,
    /// Bad rows are left out and counted in [`EventLog::skipped`], by table and reason.
    Skip,
}

/// Rows left out under [`RowPolicy::Skip`], for one table and reason.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Skipped {
    /// Table, e.g. "orders".
    pub table: &'static str,
    /// Why, e.g. "unknown customer id".
    pub reason: String,
    /// How many rows.
    pub rows: u64,
    /// Position of the first such row.
    pub first: usize,
}

/// Kind of survey answer, each on its own scale; spelled "nps", "csat" or "ces".
///
/// ```
/// use voc_core::signals::SurveyKind;
/// assert_eq!("nps".parse::<SurveyKind>()?, SurveyKind::Nps);
/// assert_eq!(SurveyKind::Ces.to_string(), "ces");
/// assert_eq!(SurveyKind::Csat.scale(), ("CSAT", 1, 5));
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum SurveyKind {
    /// Net Promoter Score question, 0–10.
    Nps,
    /// Customer satisfaction, 1–5.
    Csat,
    /// Customer effort, 1–7.
    Ces,
}

crate::named_enum!(SurveyKind, "surveys.kind", {
    Nps => "nps",
    Csat => "csat",
    Ces => "ces",
});

impl SurveyKind {
    /// The scale's name and bounds.
    pub fn scale(self) -> (&'static str, i32, i32) {
        match self {
            SurveyKind::Nps => ("NPS", 0, 10),
            SurveyKind::Csat => ("CSAT", 1, 5),
            SurveyKind::Ces => ("CES", 1, 7),
        }
    }
}

/// All events of a customer base, validated and indexed by customer: build once, then compute
/// [`features`](EventLog::features) and [`labels`](EventLog::labels) at any cutoff.
///
/// ```
/// use voc_core::signals::{Customers, EventLog, Ids, Orders, DAY};
/// let customers = Customers { id: Ids::Int(&[1, 2]), signup: &[0, 0] };
/// let orders = Orders { id: None, customer: Ids::Int(&[1, 1, 2]), time: &[DAY, 40 * DAY, 2 * DAY], amount: &[50.0, 20.0, 80.0] };
/// let log = EventLog::builder(customers)?.orders(orders)?.build();
/// assert_eq!(log.customers(), 2);
/// // A customer id that is not in the customer table is an error naming it.
/// let bad = Orders { id: None, customer: Ids::Int(&[3]), time: &[DAY], amount: &[1.0] };
/// let e = EventLog::builder(customers)?.orders(bad).unwrap_err();
/// assert_eq!(e.to_string(), "orders.customer[0] = \"3\" is not a customer id in customers.id");
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct EventLog {
    pub(crate) ids: Arc<IdIndex>,
    pub(crate) signup: Vec<i64>,
    pub(crate) orders: OrderLog,
    pub(crate) returns: ReturnLog,
    pub(crate) tickets: TicketLog,
    pub(crate) themes: Vec<String>,
    pub(crate) surveys: SurveyLog,
    pub(crate) mentions: PointLog,
    pub(crate) churn: PointLog,
    pub(crate) last_time: i64,
    skipped: Vec<Skipped>,
}

impl EventLog {
    /// Starts a log from the customer table (ids must be unique; sign-up times are required).
    pub fn builder(customers: Customers<'_>) -> Result<EventLogBuilder> {
        EventLogBuilder::new(customers, RowPolicy::Error)
    }

    /// Number of customers.
    pub fn customers(&self) -> usize {
        self.ids.len()
    }

    /// The customer ids in row order (feature rows refer to these rows).
    pub fn customer_ids(&self) -> &IdLabels {
        self.ids.labels()
    }

    /// Names of ticket themes, by code.
    pub fn themes(&self) -> &[String] {
        &self.themes
    }

    /// Rows left out under [`RowPolicy::Skip`], by table and reason (empty under [`RowPolicy::Error`]).
    pub fn skipped(&self) -> &[Skipped] {
        &self.skipped
    }

    /// Number of events kept: orders, returns, tickets, survey answers, mentions and churn events.
    pub fn events(&self) -> usize {
        self.orders.time.len()
            + self.returns.requested.len()
            + self.tickets.time.len()
            + self.surveys.time.len()
            + self.mentions.time.len()
            + self.churn.time.len()
    }

    /// The latest time seen in any table (`None` if there are no events).
    pub fn last_time(&self) -> Option<i64> {
        (self.last_time != NAT).then_some(self.last_time)
    }
}
