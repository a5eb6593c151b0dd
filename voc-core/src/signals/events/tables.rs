//! The input tables: borrowed columns of customers, orders, returns and refunds, tickets, survey
//! answers, social mentions and churn events.

use super::SurveyKind;
use crate::signals::ids::Ids;

/// The customer table.
#[derive(Debug, Clone, Copy)]
pub struct Customers<'a> {
    /// Unique customer ids.
    pub id: Ids<'a>,
    /// Sign-up time of each customer.
    pub signup: &'a [i64],
}

/// The order table.
#[derive(Debug, Clone, Copy)]
pub struct Orders<'a> {
    /// Order ids (needed when returns name their order).
    pub id: Option<Ids<'a>>,
    /// Customer of each order.
    pub customer: Ids<'a>,
    /// Order time.
    pub time: &'a [i64],
    /// Order value (≥ 0).
    pub amount: &'a [f64],
}

/// Returns and their refunds.
#[derive(Debug, Clone, Copy)]
pub struct Returns<'a> {
    /// The returned order (optional; when given it is checked against the orders).
    pub order: Option<Ids<'a>>,
    /// Customer.
    pub customer: Ids<'a>,
    /// When the return was requested.
    pub requested: &'a [i64],
    /// When the warehouse received it ([`NAT`](crate::time::NAT): not yet).
    pub received: &'a [i64],
    /// When the refund was paid ([`NAT`](crate::time::NAT): not yet).
    pub refunded: &'a [i64],
    /// Refund amount (≥ 0).
    pub amount: &'a [f64],
}

/// Support tickets.
#[derive(Debug, Clone, Copy)]
pub struct Tickets<'a> {
    /// Customer.
    pub customer: Ids<'a>,
    /// When the ticket was opened.
    pub time: &'a [i64],
    /// Theme code per ticket (an index into the theme names; `None`: no theme).
    pub theme: &'a [Option<u32>],
    /// When it was resolved ([`NAT`](crate::time::NAT): unresolved).
    pub resolved: &'a [i64],
    /// CSAT given on the ticket, 1–5 (NaN: none). Counted once the ticket is resolved.
    pub csat: Option<&'a [f64]>,
    /// Sentiment of the ticket text, any finite scale (NaN: none).
    pub sentiment: Option<&'a [f64]>,
}

/// Survey answers.
#[derive(Debug, Clone, Copy)]
pub struct Surveys<'a> {
    /// Customer.
    pub customer: Ids<'a>,
    /// Answer time.
    pub time: &'a [i64],
    /// Kind of each answer.
    pub kind: &'a [SurveyKind],
    /// Score on the kind's scale.
    pub score: &'a [f64],
}

/// Social mentions by known customers (anonymous mentions do not enter per-customer signals).
#[derive(Debug, Clone, Copy)]
pub struct Mentions<'a> {
    /// Customer.
    pub customer: Ids<'a>,
    /// Mention time.
    pub time: &'a [i64],
    /// Sentiment, any finite scale (NaN: none).
    pub sentiment: Option<&'a [f64]>,
}

/// Explicit churn events (account closed, subscription cancelled, churn-survey answer).
#[derive(Debug, Clone, Copy)]
pub struct ChurnEvents<'a> {
    /// Customer.
    pub customer: Ids<'a>,
    /// When the customer left.
    pub time: &'a [i64],
}

/// Event tables to add at once with [`EventLogBuilder::tables`](super::EventLogBuilder::tables); absent tables stay empty.
#[derive(Debug, Clone, Copy, Default)]
pub struct Tables<'a> {
    /// Orders.
    pub orders: Option<Orders<'a>>,
    /// Returns and refunds.
    pub returns: Option<Returns<'a>>,
    /// Tickets (their theme codes name `themes`).
    pub tickets: Option<Tickets<'a>>,
    /// Ticket theme names, by code.
    pub themes: &'a [String],
    /// Survey answers.
    pub surveys: Option<Surveys<'a>>,
    /// Social mentions by known customers.
    pub mentions: Option<Mentions<'a>>,
    /// Explicit churn events.
    pub churn: Option<ChurnEvents<'a>>,
}
