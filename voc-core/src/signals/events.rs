//! The multi-channel event model: customers, orders, returns and refunds, tickets, survey answers,
//! social mentions and churn events, validated once and indexed by customer.
//!
//! Times are `i64` seconds since 1970-01-01 UTC; [`NO_TIME`] marks a time that has not happened (a
//! ticket not yet resolved, a refund not yet paid). Ids are mapped to dense rows once ([`IdIndex`]).

use std::sync::Arc;

use crate::error::{Error, Result};
use crate::signals::ids::{IdIndex, IdLabels, Ids, NO_ROW};

/// Marks a time that has not happened (or is unknown): `i64::MIN`, which is also numpy's NaT.
pub const NO_TIME: i64 = i64::MIN;

/// Seconds in a day.
pub const DAY: i64 = 86_400;

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

/// Kind of survey answer, each on its own scale.
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

impl SurveyKind {
    /// Parses "nps", "csat" or "ces" (any case).
    ///
    /// ```
    /// use voc_core::signals::SurveyKind;
    /// assert_eq!(SurveyKind::parse("NPS")?, SurveyKind::Nps);
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn parse(name: &str) -> Result<SurveyKind> {
        match name.to_ascii_lowercase().as_str() {
            "nps" => Ok(SurveyKind::Nps),
            "csat" => Ok(SurveyKind::Csat),
            "ces" => Ok(SurveyKind::Ces),
            _ => Err(Error::option(
                "surveys.kind",
                name,
                "expected \"nps\", \"csat\" or \"ces\"",
            )),
        }
    }

    /// The scale's name and bounds.
    pub fn scale(self) -> (&'static str, i32, i32) {
        match self {
            SurveyKind::Nps => ("NPS", 0, 10),
            SurveyKind::Csat => ("CSAT", 1, 5),
            SurveyKind::Ces => ("CES", 1, 7),
        }
    }
}

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
    /// When the warehouse received it ([`NO_TIME`]: not yet).
    pub received: &'a [i64],
    /// When the refund was paid ([`NO_TIME`]: not yet).
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
    /// Theme code per ticket (an index into the theme names; [`NO_ROW`] for none).
    pub theme: &'a [u32],
    /// When it was resolved ([`NO_TIME`]: unresolved).
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

/// Event tables to add at once with [`EventLogBuilder::tables`]; absent tables stay empty.
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

/// Events of one kind, grouped by customer (`start[c]..start[c + 1]`) and in time order within a customer.
#[derive(Debug, Clone, Default)]
pub(crate) struct Index {
    pub start: Vec<usize>,
}

impl Index {
    /// Groups rows by customer code (stable counting sort), then orders each customer's rows by time.
    /// Returns the index and the permutation (new position → old row).
    fn build(customers: usize, codes: &[u32], time: &[i64]) -> (Index, Vec<u32>) {
        let mut start = vec![0usize; customers + 1];
        for &c in codes {
            start[c as usize + 1] += 1;
        }
        for c in 0..customers {
            start[c + 1] += start[c];
        }
        // Rows already grouped by customer in code order (a common export order) keep their order.
        let mut perm: Vec<u32> = if codes.windows(2).all(|w| w[0] <= w[1]) {
            (0..codes.len() as u32).collect()
        } else {
            let mut next = start.clone();
            let mut perm = vec![0u32; codes.len()];
            for (row, &c) in codes.iter().enumerate() {
                let slot = &mut next[c as usize];
                perm[*slot] = row as u32;
                *slot += 1;
            }
            perm
        };
        for c in 0..customers {
            let seg = &mut perm[start[c]..start[c + 1]];
            if seg
                .windows(2)
                .any(|w| time[w[0] as usize] > time[w[1] as usize])
            {
                seg.sort_by_key(|&r| (time[r as usize], r));
            }
        }
        (Index { start }, perm)
    }

    /// The rows of customer `c`.
    #[inline]
    pub fn range(&self, c: usize) -> std::ops::Range<usize> {
        self.start[c]..self.start[c + 1]
    }
}

fn permute<T: Copy>(values: &[T], perm: &[u32]) -> Vec<T> {
    perm.iter().map(|&r| values[r as usize]).collect()
}

/// Orders, indexed by customer.
#[derive(Debug, Clone, Default)]
pub(crate) struct OrderLog {
    pub index: Index,
    pub time: Vec<i64>,
    pub amount: Vec<f64>,
}

/// Returns, indexed by customer (ordered by request time).
#[derive(Debug, Clone, Default)]
pub(crate) struct ReturnLog {
    pub index: Index,
    pub requested: Vec<i64>,
    pub received: Vec<i64>,
    pub refunded: Vec<i64>,
    pub amount: Vec<f64>,
}

/// Tickets, indexed by customer.
#[derive(Debug, Clone, Default)]
pub(crate) struct TicketLog {
    pub index: Index,
    pub time: Vec<i64>,
    pub theme: Vec<u32>,
    pub resolved: Vec<i64>,
    pub csat: Vec<f64>,
    pub sentiment: Vec<f64>,
}

/// Survey answers, indexed by customer.
#[derive(Debug, Clone, Default)]
pub(crate) struct SurveyLog {
    pub index: Index,
    pub time: Vec<i64>,
    pub kind: Vec<SurveyKind>,
    pub score: Vec<f64>,
}

/// Timestamped events with an optional value (mentions with sentiment; churn events).
#[derive(Debug, Clone, Default)]
pub(crate) struct PointLog {
    pub index: Index,
    pub time: Vec<i64>,
    pub value: Vec<f64>,
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

/// Builds an [`EventLog`] table by table; each table is validated as it is added.
#[derive(Debug, Clone)]
pub struct EventLogBuilder {
    log: EventLog,
    policy: RowPolicy,
    order_ids: Option<IdIndex>,
    /// Customer code of each order row ([`NO_ROW`]: skipped), for checking returns.
    order_customer: Vec<u32>,
    /// Position of each order row in the indexed order arrays.
    order_pos: Vec<u32>,
}

/// Collects the verdict on each row of one table.
struct Checker {
    table: &'static str,
    policy: RowPolicy,
    skipped: Vec<Skipped>,
    keep: Vec<bool>,
}

impl Checker {
    fn new(table: &'static str, policy: RowPolicy, rows: usize) -> Self {
        Checker {
            table,
            policy,
            skipped: Vec::new(),
            keep: vec![true; rows],
        }
    }

    /// Records a broken rule at `row`: an error under [`RowPolicy::Error`], a skipped row otherwise.
    fn fail(&mut self, row: usize, err: impl FnOnce() -> Error) -> Result<()> {
        if self.policy == RowPolicy::Error {
            return Err(err());
        }
        if !std::mem::replace(&mut self.keep[row], false) {
            return Ok(());
        }
        let reason = reason_of(&err());
        match self.skipped.iter_mut().find(|s| s.reason == reason) {
            Some(s) => s.rows += 1,
            None => self.skipped.push(Skipped {
                table: self.table,
                reason,
                rows: 1,
                first: row,
            }),
        }
        Ok(())
    }

    fn ok(&self, row: usize) -> bool {
        self.keep[row]
    }
}

/// The rule an error reports, without the row-specific parts.
fn reason_of(e: &Error) -> String {
    match e {
        Error::UnknownId { arg, what, .. } => format!("{arg} is not {what}"),
        Error::Missing { arg, .. } => format!("{arg} is missing"),
        Error::NonFinite { arg, .. } => format!("{arg} is not finite"),
        Error::InvalidValue { arg, reason, .. } => format!("{arg}: {reason}"),
        Error::OutOfRange { arg, scale, .. } => format!("{arg} outside the {scale} scale"),
        Error::NotWhole { arg, .. } => format!("{arg} is not a whole number"),
        other => other.to_string(),
    }
}

fn time_error(arg: &'static str, index: usize, value: i64, reason: &'static str) -> Error {
    Error::InvalidValue {
        arg,
        index,
        value: value as f64,
        reason,
    }
}

/// Checks customer codes: an unknown id breaks the rule "is a customer id".
fn check_customers(ck: &mut Checker, arg: &'static str, ids: Ids<'_>, codes: &[u32]) -> Result<()> {
    for (i, &c) in codes.iter().enumerate() {
        if c == NO_ROW {
            ck.fail(i, || Error::UnknownId {
                arg,
                index: i,
                id: ids.render(i),
                what: "a customer id in customers.id",
            })?;
        }
    }
    Ok(())
}

fn check_required_times(ck: &mut Checker, arg: &'static str, time: &[i64]) -> Result<()> {
    for (i, &t) in time.iter().enumerate() {
        if t == NO_TIME {
            ck.fail(i, || Error::Missing { arg, index: i })?;
        }
    }
    Ok(())
}

fn check_amounts(ck: &mut Checker, arg: &'static str, amount: &[f64]) -> Result<()> {
    for (i, &a) in amount.iter().enumerate() {
        if a.is_nan() {
            ck.fail(i, || Error::Missing { arg, index: i })?;
        } else if !a.is_finite() {
            ck.fail(i, || Error::NonFinite {
                arg,
                index: i,
                value: a,
            })?;
        } else if a < 0.0 {
            ck.fail(i, || Error::InvalidValue {
                arg,
                index: i,
                value: a,
                reason: "amounts must not be negative",
            })?;
        }
    }
    Ok(())
}

/// Optional values: NaN means "none"; infinities are errors.
fn check_optional(ck: &mut Checker, arg: &'static str, values: Option<&[f64]>) -> Result<()> {
    for (i, &v) in values.unwrap_or(&[]).iter().enumerate() {
        if v.is_infinite() {
            ck.fail(i, || Error::NonFinite {
                arg,
                index: i,
                value: v,
            })?;
        }
    }
    Ok(())
}

fn len_check(arg: &'static str, n: usize, cols: &[(&'static str, usize)]) -> Result<()> {
    for &(other, len) in cols {
        crate::error::check_len(arg, n, other, len)?;
    }
    Ok(())
}

/// Rows kept, as a permutation of the kept rows grouped by customer and ordered by time.
fn index_kept(customers: usize, codes: &[u32], time: &[i64], keep: &[bool]) -> (Index, Vec<u32>) {
    if keep.iter().all(|&k| k) {
        return Index::build(customers, codes, time);
    }
    let rows: Vec<u32> = (0..codes.len() as u32)
        .filter(|&r| keep[r as usize])
        .collect();
    let kept_codes = permute(codes, &rows);
    let kept_time = permute(time, &rows);
    let (index, perm) = Index::build(customers, &kept_codes, &kept_time);
    (index, perm.iter().map(|&p| rows[p as usize]).collect())
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

    /// The latest time seen in any table ([`NO_TIME`] if there are no events).
    pub fn last_time(&self) -> i64 {
        self.last_time
    }
}

impl EventLogBuilder {
    /// Starts a log from the customer table under a row policy.
    ///
    /// ```
    /// use voc_core::signals::{Customers, EventLogBuilder, Ids, Orders, RowPolicy};
    /// let customers = Customers { id: Ids::Int(&[1]), signup: &[0] };
    /// let orders = Orders { id: None, customer: Ids::Int(&[1, 9]), time: &[10, 20], amount: &[5.0, -1.0] };
    /// let log = EventLogBuilder::new(customers, RowPolicy::Skip)?.orders(orders)?.build();
    /// assert_eq!(log.skipped()[0].reason, "orders.customer is not a customer id in customers.id");
    /// assert_eq!(log.events(), 1);
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn new(customers: Customers<'_>, policy: RowPolicy) -> Result<Self> {
        len_check(
            "customers.id",
            customers.id.len(),
            &[("customers.signup", customers.signup.len())],
        )?;
        let ids = IdIndex::new("customers.id", customers.id)?;
        for (i, &t) in customers.signup.iter().enumerate() {
            if t == NO_TIME {
                // A customer row cannot be skipped: events refer to it.
                return Err(Error::Missing {
                    arg: "customers.signup",
                    index: i,
                });
            }
        }
        let n = ids.len();
        let empty = |n: usize| Index {
            start: vec![0; n + 1],
        };
        Ok(EventLogBuilder {
            log: EventLog {
                ids: Arc::new(ids),
                signup: customers.signup.to_vec(),
                orders: OrderLog {
                    index: empty(n),
                    ..Default::default()
                },
                returns: ReturnLog {
                    index: empty(n),
                    ..Default::default()
                },
                tickets: TicketLog {
                    index: empty(n),
                    ..Default::default()
                },
                themes: Vec::new(),
                surveys: SurveyLog {
                    index: empty(n),
                    ..Default::default()
                },
                mentions: PointLog {
                    index: empty(n),
                    ..Default::default()
                },
                churn: PointLog {
                    index: empty(n),
                    ..Default::default()
                },
                last_time: NO_TIME,
                skipped: Vec::new(),
            },
            policy,
            order_ids: None,
            order_customer: Vec::new(),
            order_pos: Vec::new(),
        })
    }

    /// Keeps the skip report and the latest time of the kept rows.
    fn finish_table(&mut self, ck: Checker, times: &[&[i64]]) {
        for col in times {
            for (&t, &keep) in col.iter().zip(&ck.keep) {
                if keep && t != NO_TIME && t > self.log.last_time {
                    self.log.last_time = t;
                }
            }
        }
        self.log.skipped.extend(ck.skipped);
    }

    /// Adds the orders (replacing any added before).
    pub fn orders(mut self, o: Orders<'_>) -> Result<Self> {
        let n = o.customer.len();
        len_check(
            "orders.customer",
            n,
            &[
                ("orders.time", o.time.len()),
                ("orders.amount", o.amount.len()),
                ("orders.id", o.id.map_or(n, |v| v.len())),
            ],
        )?;
        let codes = self.log.ids.codes(o.customer)?;
        let mut ck = Checker::new("orders", self.policy, n);
        check_customers(&mut ck, "orders.customer", o.customer, &codes)?;
        check_required_times(&mut ck, "orders.time", o.time)?;
        check_amounts(&mut ck, "orders.amount", o.amount)?;
        self.order_ids = match o.id {
            Some(ids) => Some(IdIndex::lookup_only("orders.id", ids)?),
            None => None,
        };
        let (index, perm) = index_kept(self.log.customers(), &codes, o.time, &ck.keep);
        // Only returns that name their orders need these.
        (self.order_pos, self.order_customer) = if self.order_ids.is_some() {
            let mut pos_of = vec![NO_ROW; n];
            for (pos, &row) in perm.iter().enumerate() {
                pos_of[row as usize] = pos as u32;
            }
            let customer = codes
                .iter()
                .enumerate()
                .map(|(i, &c)| if ck.ok(i) { c } else { NO_ROW })
                .collect();
            (pos_of, customer)
        } else {
            (Vec::new(), Vec::new())
        };
        self.log.orders = OrderLog {
            index,
            time: permute(o.time, &perm),
            amount: permute(o.amount, &perm),
        };
        self.finish_table(ck, &[o.time]);
        Ok(self)
    }

    /// Adds the returns (replacing any added before). When returns name their order, the orders must have
    /// been added with ids; the order must belong to the same customer, and the return cannot be requested
    /// before the order nor refund more than the order's amount.
    pub fn returns(mut self, r: Returns<'_>) -> Result<Self> {
        let n = r.customer.len();
        len_check(
            "returns.customer",
            n,
            &[
                ("returns.requested", r.requested.len()),
                ("returns.received", r.received.len()),
                ("returns.refunded", r.refunded.len()),
                ("returns.amount", r.amount.len()),
                ("returns.order", r.order.map_or(n, |v| v.len())),
            ],
        )?;
        let codes = self.log.ids.codes(r.customer)?;
        let mut ck = Checker::new("returns", self.policy, n);
        check_customers(&mut ck, "returns.customer", r.customer, &codes)?;
        check_required_times(&mut ck, "returns.requested", r.requested)?;
        check_amounts(&mut ck, "returns.amount", r.amount)?;
        for i in 0..n {
            let (req, rec, paid) = (r.requested[i], r.received[i], r.refunded[i]);
            if req == NO_TIME {
                continue;
            }
            if rec != NO_TIME && rec < req {
                ck.fail(i, || {
                    time_error(
                        "returns.received",
                        i,
                        rec,
                        "the warehouse received the return before it was requested",
                    )
                })?;
            }
            let paid_after = if rec != NO_TIME { rec } else { req };
            if paid != NO_TIME && paid < paid_after {
                ck.fail(i, || {
                    time_error(
                        "returns.refunded",
                        i,
                        paid,
                        "the refund was paid before the return was received (or requested)",
                    )
                })?;
            }
        }
        if let Some(order) = r.order {
            let Some(order_ids) = &self.order_ids else {
                return Err(Error::option(
                    "returns.order",
                    "given",
                    "returns name their orders, so add orders with ids first",
                ));
            };
            let order_codes = order_ids.codes(order)?;
            for (i, &oc) in order_codes.iter().enumerate() {
                let found = self
                    .order_customer
                    .get(oc as usize)
                    .filter(|&&c| c != NO_ROW)
                    .zip(self.order_pos.get(oc as usize));
                let Some((&oc_customer, &pos)) = found else {
                    ck.fail(i, || Error::UnknownId {
                        arg: "returns.order",
                        index: i,
                        id: order.render(i),
                        what: "an order id in orders.id",
                    })?;
                    continue;
                };
                let (ot, oa) = (
                    self.log.orders.time[pos as usize],
                    self.log.orders.amount[pos as usize],
                );
                if oc_customer != codes[i] {
                    ck.fail(i, || Error::UnknownId {
                        arg: "returns.order",
                        index: i,
                        id: order.render(i),
                        what: "an order of the same customer (or that order was skipped)",
                    })?;
                } else if r.requested[i] != NO_TIME && r.requested[i] < ot {
                    ck.fail(i, || {
                        time_error(
                            "returns.requested",
                            i,
                            r.requested[i],
                            "the return was requested before its order",
                        )
                    })?;
                } else if r.amount[i] > oa * (1.0 + 1e-9) {
                    ck.fail(i, || Error::InvalidValue {
                        arg: "returns.amount",
                        index: i,
                        value: r.amount[i],
                        reason: "the refund is larger than its order",
                    })?;
                }
            }
        }
        let (index, perm) = index_kept(self.log.customers(), &codes, r.requested, &ck.keep);
        self.log.returns = ReturnLog {
            index,
            requested: permute(r.requested, &perm),
            received: permute(r.received, &perm),
            refunded: permute(r.refunded, &perm),
            amount: permute(r.amount, &perm),
        };
        let ret = &self.log.returns;
        let cols = [
            ret.requested.clone(),
            ret.received.clone(),
            ret.refunded.clone(),
        ];
        self.finish_table(ck, &[&cols[0], &cols[1], &cols[2]]);
        Ok(self)
    }

    /// Adds the tickets (replacing any added before); `themes` names the theme codes.
    pub fn tickets(mut self, t: Tickets<'_>, themes: &[String]) -> Result<Self> {
        let n = t.customer.len();
        len_check(
            "tickets.customer",
            n,
            &[
                ("tickets.time", t.time.len()),
                ("tickets.theme", t.theme.len()),
                ("tickets.resolved", t.resolved.len()),
                ("tickets.csat", t.csat.map_or(n, <[f64]>::len)),
                ("tickets.sentiment", t.sentiment.map_or(n, <[f64]>::len)),
            ],
        )?;
        let codes = self.log.ids.codes(t.customer)?;
        let mut ck = Checker::new("tickets", self.policy, n);
        check_customers(&mut ck, "tickets.customer", t.customer, &codes)?;
        check_required_times(&mut ck, "tickets.time", t.time)?;
        for (i, &th) in t.theme.iter().enumerate() {
            if th != NO_ROW && th as usize >= themes.len() {
                ck.fail(i, || Error::InvalidValue {
                    arg: "tickets.theme",
                    index: i,
                    value: f64::from(th),
                    reason: "theme code without a theme name",
                })?;
            }
        }
        for i in 0..n {
            let (open, done) = (t.time[i], t.resolved[i]);
            if open != NO_TIME && done != NO_TIME && done < open {
                ck.fail(i, || {
                    time_error(
                        "tickets.resolved",
                        i,
                        done,
                        "the ticket was resolved before it was opened",
                    )
                })?;
            }
        }
        if let Some(csat) = t.csat {
            for (i, &v) in csat.iter().enumerate() {
                if v.is_nan() {
                    continue;
                }
                if !(1.0..=5.0).contains(&v) {
                    ck.fail(i, || Error::OutOfRange {
                        arg: "tickets.csat",
                        index: i,
                        value: v,
                        scale: "CSAT",
                        min: 1,
                        max: 5,
                    })?;
                }
            }
        }
        check_optional(&mut ck, "tickets.sentiment", t.sentiment)?;
        let (index, perm) = index_kept(self.log.customers(), &codes, t.time, &ck.keep);
        let nan = vec![f64::NAN; n];
        self.log.tickets = TicketLog {
            index,
            time: permute(t.time, &perm),
            theme: permute(t.theme, &perm),
            resolved: permute(t.resolved, &perm),
            csat: permute(t.csat.unwrap_or(&nan), &perm),
            sentiment: permute(t.sentiment.unwrap_or(&nan), &perm),
        };
        self.log.themes = themes.to_vec();
        self.finish_table(ck, &[t.time, t.resolved]);
        Ok(self)
    }

    /// Adds the survey answers (replacing any added before); scores must be whole points on their kind's
    /// scale.
    pub fn surveys(mut self, s: Surveys<'_>) -> Result<Self> {
        let n = s.customer.len();
        len_check(
            "surveys.customer",
            n,
            &[
                ("surveys.time", s.time.len()),
                ("surveys.kind", s.kind.len()),
                ("surveys.score", s.score.len()),
            ],
        )?;
        let codes = self.log.ids.codes(s.customer)?;
        let mut ck = Checker::new("surveys", self.policy, n);
        check_customers(&mut ck, "surveys.customer", s.customer, &codes)?;
        check_required_times(&mut ck, "surveys.time", s.time)?;
        for (i, (&v, &k)) in s.score.iter().zip(s.kind).enumerate() {
            let (scale, min, max) = k.scale();
            if v.is_nan() {
                ck.fail(i, || Error::Missing {
                    arg: "surveys.score",
                    index: i,
                })?;
            } else if !(f64::from(min)..=f64::from(max)).contains(&v) {
                ck.fail(i, || Error::OutOfRange {
                    arg: "surveys.score",
                    index: i,
                    value: v,
                    scale,
                    min,
                    max,
                })?;
            } else if v.fract() != 0.0 {
                ck.fail(i, || Error::NotWhole {
                    arg: "surveys.score",
                    index: i,
                    value: v,
                })?;
            }
        }
        let (index, perm) = index_kept(self.log.customers(), &codes, s.time, &ck.keep);
        self.log.surveys = SurveyLog {
            index,
            time: permute(s.time, &perm),
            kind: permute(s.kind, &perm),
            score: permute(s.score, &perm),
        };
        self.finish_table(ck, &[s.time]);
        Ok(self)
    }

    /// Adds the social mentions of known customers (replacing any added before).
    pub fn mentions(mut self, m: Mentions<'_>) -> Result<Self> {
        let n = m.customer.len();
        len_check(
            "mentions.customer",
            n,
            &[
                ("mentions.time", m.time.len()),
                ("mentions.sentiment", m.sentiment.map_or(n, <[f64]>::len)),
            ],
        )?;
        let codes = self.log.ids.codes(m.customer)?;
        let mut ck = Checker::new("mentions", self.policy, n);
        check_customers(&mut ck, "mentions.customer", m.customer, &codes)?;
        check_required_times(&mut ck, "mentions.time", m.time)?;
        check_optional(&mut ck, "mentions.sentiment", m.sentiment)?;
        let (index, perm) = index_kept(self.log.customers(), &codes, m.time, &ck.keep);
        let nan = vec![f64::NAN; n];
        self.log.mentions = PointLog {
            index,
            time: permute(m.time, &perm),
            value: permute(m.sentiment.unwrap_or(&nan), &perm),
        };
        self.finish_table(ck, &[m.time]);
        Ok(self)
    }

    /// Adds explicit churn events (replacing any added before).
    pub fn churn(mut self, e: ChurnEvents<'_>) -> Result<Self> {
        let n = e.customer.len();
        len_check("churn.customer", n, &[("churn.time", e.time.len())])?;
        let codes = self.log.ids.codes(e.customer)?;
        let mut ck = Checker::new("churn", self.policy, n);
        check_customers(&mut ck, "churn.customer", e.customer, &codes)?;
        check_required_times(&mut ck, "churn.time", e.time)?;
        let (index, perm) = index_kept(self.log.customers(), &codes, e.time, &ck.keep);
        self.log.churn = PointLog {
            index,
            time: permute(e.time, &perm),
            value: Vec::new(),
        };
        self.finish_table(ck, &[e.time]);
        Ok(self)
    }

    /// Adds several tables at once: orders and returns are validated and indexed while tickets, survey
    /// answers, mentions and churn events are, on another thread. The result (and the first error, if
    /// any) is the same as adding them one by one in that order.
    ///
    /// ```
    /// use voc_core::signals::*;
    /// let customers = Customers { id: Ids::Int(&[1, 2]), signup: &[0, 0] };
    /// let tables = Tables {
    ///     orders: Some(Orders { id: None, customer: Ids::Int(&[2, 1]), time: &[DAY, 2 * DAY], amount: &[9.0, 5.0] }),
    ///     churn: Some(ChurnEvents { customer: Ids::Int(&[2]), time: &[3 * DAY] }),
    ///     ..Default::default()
    /// };
    /// let log = EventLog::builder(customers)?.tables(tables)?.build();
    /// assert_eq!(log.events(), 3);
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn tables(self, t: Tables<'_>) -> Result<Self> {
        let other = EventLogBuilder {
            log: EventLog {
                ids: Arc::clone(&self.log.ids),
                signup: Vec::new(),
                orders: OrderLog::default(),
                returns: ReturnLog::default(),
                tickets: TicketLog::default(),
                themes: Vec::new(),
                surveys: SurveyLog::default(),
                mentions: PointLog::default(),
                churn: PointLog::default(),
                last_time: NO_TIME,
                skipped: Vec::new(),
            },
            policy: self.policy,
            order_ids: None,
            order_customer: Vec::new(),
            order_pos: Vec::new(),
        };
        let sales = move || -> Result<Self> {
            let mut b = self;
            if let Some(o) = t.orders {
                b = b.orders(o)?;
            }
            if let Some(r) = t.returns {
                b = b.returns(r)?;
            }
            Ok(b)
        };
        let voice = move || -> Result<Self> {
            let mut b = other;
            if let Some(x) = t.tickets {
                b = b.tickets(x, t.themes)?;
            }
            if let Some(x) = t.surveys {
                b = b.surveys(x)?;
            }
            if let Some(x) = t.mentions {
                b = b.mentions(x)?;
            }
            if let Some(x) = t.churn {
                b = b.churn(x)?;
            }
            Ok(b)
        };
        #[cfg(feature = "parallel")]
        let (a, b) = rayon::join(sales, voice);
        #[cfg(not(feature = "parallel"))]
        let (a, b) = (sales(), voice());
        let (mut a, b) = (a?, b?);
        if t.tickets.is_some() {
            a.log.tickets = b.log.tickets;
            a.log.themes = b.log.themes;
        }
        if t.surveys.is_some() {
            a.log.surveys = b.log.surveys;
        }
        if t.mentions.is_some() {
            a.log.mentions = b.log.mentions;
        }
        if t.churn.is_some() {
            a.log.churn = b.log.churn;
        }
        a.log.skipped.extend(b.log.skipped);
        a.log.last_time = a.log.last_time.max(b.log.last_time);
        Ok(a)
    }

    /// The finished log.
    pub fn build(self) -> EventLog {
        self.log
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn customers() -> Customers<'static> {
        Customers {
            id: Ids::Int(&[1, 2, 3]),
            signup: &[0, 0, 0],
        }
    }

    #[test]
    fn index_groups_by_customer_in_time_order() {
        let (index, perm) = Index::build(3, &[2, 0, 2, 0, 1], &[50, 9, 10, 3, 7]);
        assert_eq!(index.start, vec![0, 2, 3, 5]);
        assert_eq!(perm, vec![3, 1, 4, 2, 0]);
    }

    #[test]
    fn returns_are_checked_against_their_orders() {
        let orders = Orders {
            id: Some(Ids::Int(&[100, 101])),
            customer: Ids::Int(&[1, 2]),
            time: &[10 * DAY, 10 * DAY],
            amount: &[50.0, 60.0],
        };
        let ret =
            |order: &'static [i64], requested: &'static [i64], amount: &'static [f64]| Returns {
                order: Some(Ids::Int(order)),
                customer: Ids::Int(&[1]),
                requested,
                received: &[NO_TIME],
                refunded: &[NO_TIME],
                amount,
            };
        let b = EventLog::builder(customers())
            .unwrap()
            .orders(orders)
            .unwrap();
        let msg = |r| b.clone().returns(r).unwrap_err().to_string();
        assert_eq!(
            msg(ret(&[101], &[11 * DAY], &[1.0])),
            "returns.order[0] = \"101\" is not an order of the same customer (or that order was skipped)"
        );
        assert_eq!(
            msg(ret(&[100], &[9 * DAY], &[1.0])),
            "returns.requested[0] = 777600 is invalid: the return was requested before its order"
        );
        assert_eq!(
            msg(ret(&[100], &[11 * DAY], &[51.0])),
            "returns.amount[0] = 51 is invalid: the refund is larger than its order"
        );
        assert_eq!(
            msg(ret(&[7], &[11 * DAY], &[1.0])),
            "returns.order[0] = \"7\" is not an order id in orders.id"
        );
        assert!(b.returns(ret(&[100], &[11 * DAY], &[50.0])).is_ok());
    }

    #[test]
    fn skip_policy_counts_each_reason_once_per_row() {
        let b = EventLogBuilder::new(customers(), RowPolicy::Skip).unwrap();
        let log = b
            .surveys(Surveys {
                customer: Ids::Int(&[1, 1, 4, 2]),
                time: &[1, NO_TIME, 2, 3],
                kind: &[
                    SurveyKind::Nps,
                    SurveyKind::Nps,
                    SurveyKind::Csat,
                    SurveyKind::Csat,
                ],
                score: &[11.0, 5.0, 6.0, 4.0],
            })
            .unwrap()
            .build();
        let reasons: Vec<_> = log
            .skipped()
            .iter()
            .map(|s| (s.reason.as_str(), s.rows, s.first))
            .collect();
        assert_eq!(
            reasons,
            vec![
                (
                    "surveys.customer is not a customer id in customers.id",
                    1,
                    2
                ),
                ("surveys.time is missing", 1, 1),
                ("surveys.score outside the NPS scale", 1, 0),
            ]
        );
        assert_eq!(log.events(), 1);
        assert_eq!(log.last_time(), 3);
    }

    #[test]
    fn ticket_rules() {
        let t = |resolved: &'static [i64], csat: &'static [f64]| Tickets {
            customer: Ids::Int(&[1]),
            time: &[100],
            theme: &[0],
            resolved,
            csat: Some(csat),
            sentiment: None,
        };
        let b = EventLog::builder(customers()).unwrap();
        let themes = vec!["refund".to_string()];
        assert!(b.clone().tickets(t(&[99], &[f64::NAN]), &themes).is_err());
        let e = b
            .clone()
            .tickets(t(&[NO_TIME], &[6.0]), &themes)
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "tickets.csat[0] = 6 is outside the CSAT scale 1..=5"
        );
        assert!(b.clone().tickets(t(&[NO_TIME], &[5.0]), &[]).is_err());
        assert!(b.tickets(t(&[200], &[5.0]), &themes).is_ok());
    }
}
