//! [`EventLogBuilder`]: each table validated and indexed as it is added.

use crate::time::NAT;
use std::sync::Arc;

use super::index::{
    Index, Order, OrderLog, PointLog, ReturnLog, SurveyLog, TicketLog, index_kept, join, latest,
};
use super::validate::{
    Checker, TIME_RANGE, by_blocks, check_amounts, check_customers, check_optional,
    check_required_times, check_time_range, each_bad, in_time_range, len_check, time_error,
};
use super::{
    ChurnEvents, Customers, EventLog, Mentions, Orders, Returns, RowPolicy, Surveys, Tables,
    Tickets, flags,
};
use crate::error::{Error, Result};
use crate::signals::ids::{IdIndex, NO_ROW};

/// Builds an [`EventLog`] table by table; each table is validated as it is added.
#[derive(Debug, Clone)]
pub struct EventLogBuilder {
    log: EventLog,
    policy: RowPolicy,
    order_ids: Option<IdIndex>,
    /// Customer code of each order row ([`NO_ROW`]: skipped), for checking returns.
    order_customer: Vec<u32>,
    /// Position of each order row in the indexed order arrays (empty: every row where it was).
    order_pos: Vec<u32>,
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
            if t == NAT {
                // A customer row cannot be skipped: events refer to it.
                return Err(Error::Missing {
                    arg: "customers.signup",
                    index: i,
                });
            }
            if !in_time_range(t) {
                return Err(time_error("customers.signup", i, t, TIME_RANGE));
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
                last_time: NAT,
                skipped: Vec::new(),
            },
            policy,
            order_ids: None,
            order_customer: Vec::new(),
            order_pos: Vec::new(),
        })
    }

    /// The position of order row `row` in the indexed orders (`None`: no such order row).
    fn order_position(&self, row: usize) -> Option<u32> {
        if self.order_pos.is_empty() {
            (row < self.order_customer.len()).then_some(row as u32)
        } else {
            self.order_pos.get(row).copied()
        }
    }

    /// Keeps the skip report and the latest time of the kept rows (`last`: their latest time).
    fn finish_table(&mut self, ck: Checker, last: i64) {
        self.log.last_time = self.log.last_time.max(last);
        self.log.skipped.extend(ck.skipped);
    }

    /// Optional values of the kept rows in index order (NaN for every row when the column is absent).
    fn optional(values: Option<&[f64]>, order: &Order) -> Vec<f64> {
        values.map_or_else(|| vec![f64::NAN; order.len()], |v| order.gather(v))
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
        let (index, order, time) = index_kept(self.log.customers(), &codes, o.time, &ck.keep);
        let with_ids = self.order_ids.is_some();
        // Only returns that name their orders need where each order went and whose it is.
        let (amount, order_pos) = join(
            || order.gather(o.amount),
            || match &order {
                Order::Moved(rows) if with_ids => {
                    let mut pos_of = vec![NO_ROW; n];
                    for (pos, &row) in rows.iter().enumerate() {
                        pos_of[row as usize] = pos as u32;
                    }
                    pos_of
                }
                // Rows in place: an empty table means "position = row".
                _ => Vec::new(),
            },
        );
        self.order_pos = order_pos;
        self.order_customer = if !with_ids {
            Vec::new()
        } else if ck.keep.is_empty() {
            codes
        } else {
            codes
                .iter()
                .enumerate()
                .map(|(i, &c)| if ck.ok(i) { c } else { NO_ROW })
                .collect()
        };
        let last = latest(&[&time]);
        self.log.orders = OrderLog {
            index,
            time,
            amount,
        };
        self.finish_table(ck, last);
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
        check_time_range(&mut ck, "returns.received", r.received)?;
        check_time_range(&mut ck, "returns.refunded", r.refunded)?;
        check_amounts(&mut ck, "returns.amount", r.amount)?;
        // A refund is paid no earlier than the return is received, and that no earlier than requested.
        by_blocks(
            n,
            |b| {
                flags::return_out_of_order(
                    &r.requested[b.clone()],
                    &r.received[b.clone()],
                    &r.refunded[b],
                )
            },
            |i| {
                let (req, rec, paid) = (r.requested[i], r.received[i], r.refunded[i]);
                if req == NAT {
                    return Ok(());
                }
                if rec != NAT && rec < req {
                    ck.fail(i, || {
                        time_error(
                            "returns.received",
                            i,
                            rec,
                            "the warehouse received the return before it was requested",
                        )
                    })?;
                }
                let paid_after = if rec != NAT { rec } else { req };
                if paid != NAT && paid < paid_after {
                    ck.fail(i, || {
                        time_error(
                            "returns.refunded",
                            i,
                            paid,
                            "the refund was paid before the return was received (or requested)",
                        )
                    })?;
                }
                Ok(())
            },
        )?;
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
                    .zip(self.order_position(oc as usize));
                let Some((&oc_customer, pos)) = found else {
                    ck.fail(i, || Error::UnknownId {
                        arg: "returns.order",
                        index: i,
                        id: order.describe(i),
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
                        id: order.describe(i),
                        what: "an order of the same customer (or that order was skipped)",
                    })?;
                } else if r.requested[i] != NAT && r.requested[i] < ot {
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
        let (index, order, requested) =
            index_kept(self.log.customers(), &codes, r.requested, &ck.keep);
        let ((received, refunded), amount) = join(
            || join(|| order.gather(r.received), || order.gather(r.refunded)),
            || order.gather(r.amount),
        );
        let last = latest(&[&requested, &received, &refunded]);
        self.log.returns = ReturnLog {
            index,
            requested,
            received,
            refunded,
            amount,
        };
        self.finish_table(ck, last);
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
        check_time_range(&mut ck, "tickets.resolved", t.resolved)?;
        each_bad(
            t.theme,
            |b| {
                b.iter()
                    .any(|th| th.is_some_and(|th| th as usize >= themes.len()))
            },
            |th| th.is_some_and(|th| th as usize >= themes.len()),
            |i, th| {
                ck.fail(i, || Error::InvalidValue {
                    arg: "tickets.theme",
                    index: i,
                    value: th.map_or(f64::NAN, f64::from),
                    reason: "theme code without a theme name",
                })
            },
        )?;
        by_blocks(
            n,
            |b| flags::resolved_early(&t.time[b.clone()], &t.resolved[b]),
            |i| {
                let (open, done) = (t.time[i], t.resolved[i]);
                if open == NAT || done == NAT || done >= open {
                    return Ok(());
                }
                ck.fail(i, || {
                    time_error(
                        "tickets.resolved",
                        i,
                        done,
                        "the ticket was resolved before it was opened",
                    )
                })
            },
        )?;
        if let Some(csat) = t.csat {
            // Fine: NaN (no answer) or a value on the 1..=5 scale.
            each_bad(
                csat,
                flags::off_csat,
                |v| !v.is_nan() && !(1.0..=5.0).contains(&v),
                |i, v| {
                    ck.fail(i, || Error::OutOfRange {
                        arg: "tickets.csat",
                        index: i,
                        value: v,
                        scale: "CSAT",
                        min: 1,
                        max: 5,
                    })
                },
            )?;
        }
        check_optional(&mut ck, "tickets.sentiment", t.sentiment)?;
        let (index, order, time) = index_kept(self.log.customers(), &codes, t.time, &ck.keep);
        let ((theme, resolved), (csat, sentiment)) = join(
            || {
                join(
                    || order.gather_with(t.theme, |th| th.unwrap_or(NO_ROW)),
                    || order.gather(t.resolved),
                )
            },
            || {
                join(
                    || Self::optional(t.csat, &order),
                    || Self::optional(t.sentiment, &order),
                )
            },
        );
        let last = latest(&[&time, &resolved]);
        self.log.tickets = TicketLog {
            index,
            time,
            theme,
            resolved,
            csat,
            sentiment,
        };
        self.log.themes = themes.to_vec();
        self.finish_table(ck, last);
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
        by_blocks(
            n,
            |b| flags::off_scale(&s.score[b.clone()], &s.kind[b]),
            |i| {
                let (v, k) = (s.score[i], s.kind[i]);
                let (scale, min, max) = k.scale();
                if v.is_nan() {
                    ck.fail(i, || Error::Missing {
                        arg: "surveys.score",
                        index: i,
                    })
                } else if !(f64::from(min)..=f64::from(max)).contains(&v) {
                    ck.fail(i, || Error::OutOfRange {
                        arg: "surveys.score",
                        index: i,
                        value: v,
                        scale,
                        min,
                        max,
                    })
                } else if v.fract() != 0.0 {
                    ck.fail(i, || Error::NotWhole {
                        arg: "surveys.score",
                        index: i,
                        value: v,
                    })
                } else {
                    Ok(())
                }
            },
        )?;
        let (index, order, time) = index_kept(self.log.customers(), &codes, s.time, &ck.keep);
        let (kind, score) = join(|| order.gather(s.kind), || order.gather(s.score));
        let last = latest(&[&time]);
        self.log.surveys = SurveyLog {
            index,
            time,
            kind,
            score,
        };
        self.finish_table(ck, last);
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
        let (index, order, time) = index_kept(self.log.customers(), &codes, m.time, &ck.keep);
        let value = Self::optional(m.sentiment, &order);
        let last = latest(&[&time]);
        self.log.mentions = PointLog { index, time, value };
        self.finish_table(ck, last);
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
        let (index, _, time) = index_kept(self.log.customers(), &codes, e.time, &ck.keep);
        let last = latest(&[&time]);
        self.log.churn = PointLog {
            index,
            time,
            value: Vec::new(),
        };
        self.finish_table(ck, last);
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
                last_time: NAT,
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
