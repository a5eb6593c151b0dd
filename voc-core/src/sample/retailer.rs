//! A simulated fashion e-commerce retailer: customers, orders, returns and refunds, tickets, survey
//! answers, social mentions and churn-survey answers, with a planted cause of churn.
//!
//! **Planted cause.** When the warehouse has received a return, the refund is sometimes slow (9–30 days
//! instead of under 4). A slow refund raises refund-themed tickets (often repeated) and social
//! complaints, lowers the customer's next NPS answers by [`Planted::nps_penalty`] points and CES, and
//! multiplies the odds of churning after that order by [`Planted::churn_odds_ratio`]. From the fix date
//! on, slow refunds become rare. Price complaints stay rare (under 5% of mentions). The truth (each
//! customer's churn time and base churn probability, the effect sizes) is returned with the data.
//!
//! Customers are simulated independently, each from its own ChaCha8 stream, in parallel: the same seed
//! gives byte-identical data whatever the thread count.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Exp, Gamma, LogNormal, Normal};

use crate::error::{Error, Result};
use crate::signals::{
    ChurnEvents, Customers, DAY, EventLog, Ids, Mentions, NO_TIME, Orders, Returns, SurveyKind,
    Surveys, Tickets,
};
use crate::stats::linalg::sigmoid;
use crate::time::days_from_civil;

/// Value tiers, in code order.
pub const TIERS: [&str; 3] = ["gold", "silver", "bronze"];
/// Regions, in code order (the first three write in Chinese).
pub const REGIONS: [&str; 6] = ["east_china", "south_china", "north_china", "us", "uk", "sg"];
/// Acquisition channels, in code order.
pub const ACQUISITION: [&str; 5] = ["search", "social", "referral", "marketplace", "direct"];
/// Product categories, in code order.
pub const CATEGORIES: [&str; 6] = [
    "dresses",
    "tops",
    "shoes",
    "bags",
    "outerwear",
    "accessories",
];
/// Ticket and mention themes, in code order.
pub const THEMES: [&str; 9] = [
    "refund",
    "returns",
    "delivery",
    "size_fit",
    "quality",
    "app_login",
    "price",
    "service",
    "praise",
];
/// Ticket channels, in code order.
pub const TICKET_CHANNELS: [&str; 4] = ["chat", "email", "phone", "app"];
/// Social platforms, in code order.
pub const PLATFORMS: [&str; 5] = ["weibo", "xiaohongshu", "douyin", "instagram", "x"];
/// Churn-survey reasons, in code order.
pub const CHURN_REASONS: [&str; 6] = [
    "refund_slow",
    "price",
    "quality",
    "delivery",
    "size_fit",
    "found_alternative",
];

const REFUND: u32 = 0;
const RETURNS: u32 = 1;
#[cfg(test)]
const PRICE: u32 = 6;
const PRAISE: u32 = 8;

/// Options of [`retailer`].
///
/// ```
/// use voc_core::sample::{retailer, RetailerOptions};
/// assert!(retailer(&RetailerOptions { customers: 0, ..Default::default() }).is_err());
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct RetailerOptions {
    /// Number of customers (default 20,000; up to 10 million).
    pub customers: usize,
    /// Seed (default 7).
    pub seed: u64,
    /// First simulated day, days since 1970-01-01 (default 2024-01-01).
    pub start_day: i64,
    /// Simulated days (default 730; customers sign up over the first three quarters).
    pub days: u32,
    /// Day (since `start_day`) from which refunds are fixed (default 540, 2025-06-24); `None`: never.
    pub fix_day: Option<u32>,
    /// Share of refunds that are slow before the fix (default 0.30).
    pub slow_refund_rate: f64,
    /// Share of refunds that are slow after the fix (default 0.05).
    pub slow_refund_rate_fixed: f64,
    /// Odds ratio of churning after an order with a slow refund, or within 120 days of one (default 4).
    pub churn_odds_ratio: f64,
    /// Share of customers held out of the fix (a randomised control group: their refunds stay slow at
    /// the pre-fix rate; default 0). Drawn from a stream of its own, so the rest of the data do not
    /// depend on it.
    pub holdout: f64,
}

impl Default for RetailerOptions {
    fn default() -> Self {
        RetailerOptions {
            customers: 20_000,
            seed: 7,
            start_day: days_from_civil(2024, 1, 1),
            days: 730,
            fix_day: Some(540),
            slow_refund_rate: 0.30,
            slow_refund_rate_fixed: 0.05,
            churn_odds_ratio: 4.0,
            holdout: 0.0,
        }
    }
}

impl RetailerOptions {
    fn validate(&self) -> Result<()> {
        if self.customers == 0 || self.customers > 10_000_000 {
            return Err(Error::option(
                "customers",
                self.customers,
                "must lie in 1..=10000000",
            ));
        }
        if !(60..=3650).contains(&self.days) {
            return Err(Error::option("days", self.days, "must lie in 60..=3650"));
        }
        if !(-700_000..=700_000).contains(&self.start_day) {
            return Err(Error::option(
                "start_day",
                self.start_day,
                "must be a day between years 0 and 3800",
            ));
        }
        for (name, p) in [
            ("slow_refund_rate", self.slow_refund_rate),
            ("slow_refund_rate_fixed", self.slow_refund_rate_fixed),
            ("holdout", self.holdout),
        ] {
            if !(0.0..=1.0).contains(&p) {
                return Err(Error::option(name, p, "must lie in [0, 1]"));
            }
        }
        if !(self.churn_odds_ratio > 0.0 && self.churn_odds_ratio.is_finite()) {
            return Err(Error::option(
                "churn_odds_ratio",
                self.churn_odds_ratio,
                "must be positive and finite",
            ));
        }
        Ok(())
    }
}

/// The planted effects, as simulated.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Planted {
    /// What was planted, in words.
    pub description: String,
    /// First day of the fix (days since 1970-01-01), if any.
    pub fix_day: Option<i64>,
    /// Share of refunds that are slow before the fix.
    pub slow_refund_rate: f64,
    /// Share after the fix.
    pub slow_refund_rate_fixed: f64,
    /// Odds ratio of churning after a slow refund.
    pub churn_odds_ratio: f64,
    /// Share of customers held out of the fix.
    pub holdout: f64,
    /// NPS points lost in answers within 90 days of a slow refund.
    pub nps_penalty: f64,
    /// A refund slower than this many days after receipt is "slow" in the simulation.
    pub slow_after_days: f64,
}

/// Customers.
#[derive(Debug, Clone, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct CustomerTable {
    /// Customer id (1, 2, …).
    pub id: Vec<i64>,
    /// Sign-up time (seconds since 1970-01-01 UTC).
    pub signup: Vec<i64>,
    /// Value tier (index into [`TIERS`]).
    pub tier: Vec<u8>,
    /// Region (index into [`REGIONS`]).
    pub region: Vec<u8>,
    /// Acquisition channel (index into [`ACQUISITION`]).
    pub channel: Vec<u8>,
    /// Held out of the refund fix (the control group of the fix).
    pub holdout: Vec<bool>,
}

/// Orders.
#[derive(Debug, Clone, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct OrderTable {
    /// Order id (1, 2, …).
    pub id: Vec<i64>,
    /// Customer id.
    pub customer: Vec<i64>,
    /// Order time.
    pub time: Vec<i64>,
    /// Order value.
    pub amount: Vec<f64>,
    /// Category (index into [`CATEGORIES`]).
    pub category: Vec<u8>,
    /// Whether the order can be returned.
    pub returnable: Vec<bool>,
}

/// Returns and refunds.
#[derive(Debug, Clone, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ReturnTable {
    /// Returned order id.
    pub order: Vec<i64>,
    /// Customer id.
    pub customer: Vec<i64>,
    /// Requested.
    pub requested: Vec<i64>,
    /// Received by the warehouse ([`NO_TIME`]: not by the end of the data).
    pub received: Vec<i64>,
    /// Refund paid ([`NO_TIME`]: not by the end of the data).
    pub refunded: Vec<i64>,
    /// Refund amount.
    pub amount: Vec<f64>,
}

/// Support tickets.
#[derive(Debug, Clone, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct TicketTable {
    /// Customer id.
    pub customer: Vec<i64>,
    /// Opened.
    pub time: Vec<i64>,
    /// Channel (index into [`TICKET_CHANNELS`]).
    pub channel: Vec<u8>,
    /// Theme (index into [`THEMES`]).
    pub theme: Vec<u32>,
    /// Text written by the customer (Chinese or English).
    pub text: Vec<String>,
    /// Resolved ([`NO_TIME`]: unresolved).
    pub resolved: Vec<i64>,
    /// CSAT 1–5 given on the ticket (NaN: none).
    pub csat: Vec<f64>,
}

/// Survey answers.
#[derive(Debug, Clone, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct SurveyTable {
    /// Customer id.
    pub customer: Vec<i64>,
    /// Answered.
    pub time: Vec<i64>,
    /// Kind.
    pub kind: Vec<SurveyKind>,
    /// Score on the kind's scale.
    pub score: Vec<f64>,
    /// Free-text comment, if any.
    pub verbatim: Vec<Option<String>>,
}

/// Social mentions.
#[derive(Debug, Clone, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct MentionTable {
    /// Customer id (`None`: anonymous).
    pub customer: Vec<Option<i64>>,
    /// Posted.
    pub time: Vec<i64>,
    /// Platform (index into [`PLATFORMS`]).
    pub platform: Vec<u8>,
    /// Theme (index into [`THEMES`]; the truth, for checking text analysis).
    pub theme: Vec<u32>,
    /// Text.
    pub text: Vec<String>,
    /// Sentiment in [-1, 1] where the platform scores it (NaN: not given).
    pub sentiment: Vec<f64>,
}

/// Churn-survey answers (explicit churn events).
#[derive(Debug, Clone, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ChurnTable {
    /// Customer id.
    pub customer: Vec<i64>,
    /// Answered.
    pub time: Vec<i64>,
    /// Main reason (index into [`CHURN_REASONS`]).
    pub reason: Vec<u8>,
}

/// The truth behind the data, per customer (in customer order).
#[derive(Debug, Clone, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Truth {
    /// When the customer decided to leave ([`NO_TIME`]: stayed to the end).
    pub churn_time: Vec<i64>,
    /// Slow refunds the customer experienced.
    pub slow_refunds: Vec<u32>,
    /// Probability of churning after an order without a slow refund.
    pub base_churn_prob: Vec<f64>,
    /// Latent satisfaction on the 0–10 scale.
    pub satisfaction: Vec<f64>,
}

/// A simulated retailer.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Retailer {
    /// Customers.
    pub customers: CustomerTable,
    /// Orders.
    pub orders: OrderTable,
    /// Returns and refunds.
    pub returns: ReturnTable,
    /// Tickets.
    pub tickets: TicketTable,
    /// Survey answers.
    pub surveys: SurveyTable,
    /// Social mentions.
    pub mentions: MentionTable,
    /// Churn-survey answers.
    pub churn: ChurnTable,
    /// The truth per customer.
    pub truth: Truth,
    /// The planted effects.
    pub planted: Planted,
    /// First simulated time (seconds).
    pub start: i64,
    /// End of the data (seconds, exclusive).
    pub end: i64,
}

impl Retailer {
    /// The data as a validated [`EventLog`] (mentions by anonymous posters left out; churn-survey
    /// answers as explicit churn events; ticket themes named by [`THEMES`]).
    ///
    /// ```
    /// use voc_core::sample::{retailer, RetailerOptions};
    /// use voc_core::signals::{FeatureOptions, DAY};
    /// let r = retailer(&RetailerOptions { customers: 1_000, ..Default::default() })?;
    /// let log = r.event_log()?;
    /// let f = log.features(&FeatureOptions::new(r.start + 365 * DAY))?;
    /// assert!(f.rows() > 400 && f.column("theme_refund").is_some());
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn event_log(&self) -> Result<EventLog> {
        let known: Vec<usize> = (0..self.mentions.customer.len())
            .filter(|&i| self.mentions.customer[i].is_some())
            .collect();
        let m_customer: Vec<i64> = known
            .iter()
            .filter_map(|&i| self.mentions.customer[i])
            .collect();
        let m_time: Vec<i64> = known.iter().map(|&i| self.mentions.time[i]).collect();
        let m_sentiment: Vec<f64> = known.iter().map(|&i| self.mentions.sentiment[i]).collect();
        let themes: Vec<String> = THEMES.iter().map(|s| s.to_string()).collect();
        Ok(EventLog::builder(Customers {
            id: Ids::Int(&self.customers.id),
            signup: &self.customers.signup,
        })?
        .orders(Orders {
            id: Some(Ids::Int(&self.orders.id)),
            customer: Ids::Int(&self.orders.customer),
            time: &self.orders.time,
            amount: &self.orders.amount,
        })?
        .returns(Returns {
            order: Some(Ids::Int(&self.returns.order)),
            customer: Ids::Int(&self.returns.customer),
            requested: &self.returns.requested,
            received: &self.returns.received,
            refunded: &self.returns.refunded,
            amount: &self.returns.amount,
        })?
        .tickets(
            Tickets {
                customer: Ids::Int(&self.tickets.customer),
                time: &self.tickets.time,
                theme: &self.tickets.theme,
                resolved: &self.tickets.resolved,
                csat: Some(&self.tickets.csat),
                sentiment: None,
            },
            &themes,
        )?
        .surveys(Surveys {
            customer: Ids::Int(&self.surveys.customer),
            time: &self.surveys.time,
            kind: &self.surveys.kind,
            score: &self.surveys.score,
        })?
        .mentions(Mentions {
            customer: Ids::Int(&m_customer),
            time: &m_time,
            sentiment: Some(&m_sentiment),
        })?
        .churn(ChurnEvents {
            customer: Ids::Int(&self.churn.customer),
            time: &self.churn.time,
        })?
        .build())
    }

    /// Number of events (orders, returns, tickets, survey answers, mentions, churn answers).
    pub fn events(&self) -> usize {
        self.orders.time.len()
            + self.returns.requested.len()
            + self.tickets.time.len()
            + self.surveys.time.len()
            + self.mentions.time.len()
            + self.churn.time.len()
    }
}

/// Everything one chunk of customers produced.
#[derive(Default)]
struct Out {
    customers: CustomerTable,
    orders: OrderTable,
    returns: ReturnTable,
    tickets: TicketTable,
    surveys: SurveyTable,
    mentions: MentionTable,
    churn: ChurnTable,
    truth: Truth,
}

/// Customers per parallel chunk (fixed, so output order never depends on threads).
const CHUNK: usize = 4096;
/// Days after a slow refund during which it weighs on answers and churn.
const MEMORY_DAYS: f64 = 120.0;
const NPS_PENALTY: f64 = 3.0;

/// Simulates the retailer.
///
/// ```
/// use voc_core::sample::{retailer, RetailerOptions};
/// let opts = RetailerOptions { customers: 2_000, ..Default::default() };
/// let a = retailer(&opts)?;
/// // Deterministic, byte for byte (NaN fields make `==` false, so compare the serialised form).
/// let bytes = |r: &voc_core::sample::Retailer| serde_json::to_vec(r).unwrap_or_default();
/// assert_eq!(bytes(&a), bytes(&retailer(&opts)?));
/// assert!(a.events() > 10 * 2_000 / 2);
/// assert_eq!(a.customers.id.len(), 2_000);
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn retailer(opts: &RetailerOptions) -> Result<Retailer> {
    opts.validate()?;
    let n = opts.customers;
    let starts: Vec<usize> = (0..n).step_by(CHUNK).collect();
    let run = |&first: &usize| {
        let mut out = Out::default();
        for c in first..(first + CHUNK).min(n) {
            simulate(opts, c, &mut out);
        }
        out
    };
    #[cfg(feature = "parallel")]
    let parts: Vec<Out> = {
        use rayon::prelude::*;
        starts.par_iter().map(run).collect()
    };
    #[cfg(not(feature = "parallel"))]
    let parts: Vec<Out> = starts.iter().map(run).collect();
    let mut all = Out::default();
    for mut p in parts {
        // Order ids are numbered in output order; returns refer to them by chunk-local position.
        let offset = all.orders.time.len() as i64;
        p.returns.order.iter_mut().for_each(|o| *o += offset + 1);
        append(&mut all, p);
    }
    all.orders.id = (1..=all.orders.time.len() as i64).collect();
    anonymous_mentions(opts, &mut all.mentions);
    let start = opts.start_day * DAY;
    Ok(Retailer {
        customers: all.customers,
        orders: all.orders,
        returns: all.returns,
        tickets: all.tickets,
        surveys: all.surveys,
        mentions: all.mentions,
        churn: all.churn,
        truth: all.truth,
        planted: Planted {
            description: "refunds are slow after the warehouse receives a return; slow refunds raise \
                          refund tickets and complaints, lower NPS and raise churn; fixed from the fix day"
                .into(),
            fix_day: opts.fix_day.map(|d| opts.start_day + i64::from(d)),
            slow_refund_rate: opts.slow_refund_rate,
            slow_refund_rate_fixed: opts.slow_refund_rate_fixed,
            churn_odds_ratio: opts.churn_odds_ratio,
            holdout: opts.holdout,
            nps_penalty: NPS_PENALTY,
            slow_after_days: 9.0,
        },
        start,
        end: start + i64::from(opts.days) * DAY,
    })
}

macro_rules! extend_all {
    ($dst:expr, $src:expr; $($field:ident),*) => {
        $( $dst.$field.extend($src.$field); )*
    };
}

fn append(all: &mut Out, p: Out) {
    extend_all!(all.customers, p.customers; id, signup, tier, region, channel, holdout);
    extend_all!(all.orders, p.orders; customer, time, amount, category, returnable);
    extend_all!(all.returns, p.returns; order, customer, requested, received, refunded, amount);
    extend_all!(all.tickets, p.tickets; customer, time, channel, theme, text, resolved, csat);
    extend_all!(all.surveys, p.surveys; customer, time, kind, score, verbatim);
    extend_all!(all.mentions, p.mentions; customer, time, platform, theme, text, sentiment);
    extend_all!(all.churn, p.churn; customer, time, reason);
    extend_all!(all.truth, p.truth; churn_time, slow_refunds, base_churn_prob, satisfaction);
}

/// The random source of one customer: the seed's ChaCha8 stream number `stream`.
fn rng_for(seed: u64, stream: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(stream);
    rng
}

fn pick(rng: &mut ChaCha8Rng, weights: &[f64]) -> usize {
    let total: f64 = weights.iter().sum();
    let mut u = rng.random::<f64>() * total;
    for (i, w) in weights.iter().enumerate() {
        if u < *w {
            return i;
        }
        u -= w;
    }
    weights.len() - 1
}

fn logit(p: f64) -> f64 {
    (p / (1.0 - p)).ln()
}

/// Mixed into the seed of the holdout draws (its own streams).
const HOLDOUT_SALT: u64 = 0x686f_6c64_6f75_7421;

/// One customer's life. Times are in days since the start until written out.
#[allow(clippy::too_many_lines)]
fn simulate(opts: &RetailerOptions, c: usize, out: &mut Out) {
    let mut rng = rng_for(opts.seed, c as u64);
    let horizon = f64::from(opts.days);
    let fix = opts.fix_day.map_or(f64::INFINITY, f64::from);
    let start = opts.start_day * DAY;
    let secs = |d: f64| start + (d * DAY as f64).floor() as i64;
    let id = c as i64 + 1;
    let held_out = opts.holdout > 0.0
        && rng_for(opts.seed ^ HOLDOUT_SALT, c as u64).random::<f64>() < opts.holdout;

    let signup = rng.random::<f64>() * horizon * 0.75;
    let tier = pick(&mut rng, &[0.15, 0.35, 0.50]);
    let region = pick(&mut rng, &[0.25, 0.2, 0.15, 0.2, 0.1, 0.1]);
    let zh = region < 3;
    let channel = pick(&mut rng, &[0.3, 0.25, 0.15, 0.2, 0.1]);
    let sat = Normal::new(7.6_f64, 1.3)
        .map_or(7.6, |d| d.sample(&mut rng))
        .clamp(0.0, 10.0);
    let base_logit = logit([0.05, 0.08, 0.12][tier]) + 0.25 * (7.6 - sat);
    let rate = [1.0 / 20.0, 1.0 / 40.0, 1.0 / 75.0][tier]
        * Gamma::new(4.0, 0.25).map_or(1.0, |d| d.sample(&mut rng));
    let spend = LogNormal::new([110.0_f64, 70.0, 45.0][tier].ln(), 0.45).ok();
    let gap = Exp::new(rate).ok();
    let ln_or = opts.churn_odds_ratio.ln();

    out.customers.id.push(id);
    out.customers.signup.push(secs(signup));
    out.customers.tier.push(tier as u8);
    out.customers.region.push(region as u8);
    out.customers.channel.push(channel as u8);
    out.customers.holdout.push(held_out);

    let mut churn_at = f64::INFINITY;
    let mut slow_refunds = 0u32;
    // Receipt days of slow returns: they weigh on answers and churn for MEMORY_DAYS.
    let mut slow_received: Vec<f64> = Vec::new();
    let recent_slow =
        |slow: &[f64], day: f64| slow.iter().any(|&r| r <= day && day - r <= MEMORY_DAYS);
    let mut t = signup + rng.random::<f64>() * 3.0;
    while t < horizon.min(churn_at) {
        let local_order = out.orders.time.len() as i64;
        let amount = spend.map_or(50.0, |d| d.sample(&mut rng)).max(5.0);
        let amount = (amount * 100.0).round() / 100.0;
        let returnable = rng.random::<f64>() < 0.92;
        out.orders.customer.push(id);
        out.orders.time.push(secs(t));
        out.orders.amount.push(amount);
        out.orders
            .category
            .push(pick(&mut rng, &[0.25, 0.25, 0.15, 0.1, 0.1, 0.15]) as u8);
        out.orders.returnable.push(returnable);

        let mut decision = t + 1.0;
        let mut slow_now = false;
        if returnable && rng.random::<f64>() < 0.22 {
            let requested = t + 1.0 + rng.random::<f64>() * 11.0;
            let received = requested + 2.0 + rng.random::<f64>() * 5.0;
            let p_slow = if received < fix || held_out {
                opts.slow_refund_rate
            } else {
                opts.slow_refund_rate_fixed
            };
            slow_now = rng.random::<f64>() < p_slow;
            let delay = if slow_now {
                9.0 + rng.random::<f64>() * 21.0
            } else {
                0.3 + rng.random::<f64>() * 3.2
            };
            let refunded = received + delay;
            let full = rng.random::<f64>() < 0.7;
            let refund_amount = if full {
                amount
            } else {
                (amount * (0.3 + 0.7 * rng.random::<f64>()) * 100.0).floor() / 100.0
            };
            if requested < horizon {
                out.returns.order.push(local_order);
                out.returns.customer.push(id);
                out.returns.requested.push(secs(requested));
                out.returns.received.push(if received < horizon {
                    secs(received)
                } else {
                    NO_TIME
                });
                out.returns.refunded.push(if refunded < horizon {
                    secs(refunded)
                } else {
                    NO_TIME
                });
                out.returns.amount.push(refund_amount);
            }
            if slow_now {
                slow_refunds += 1;
                slow_received.push(received);
                decision = refunded;
                // Refund tickets while waiting, often repeated.
                if rng.random::<f64>() < 0.75 {
                    let mut at = received + 4.0 + rng.random::<f64>() * 4.0;
                    let mut k = 0;
                    while at < refunded && at < horizon && k < 4 {
                        let resolved = refunded + rng.random::<f64>();
                        let csat = if rng.random::<f64>() < 0.5 {
                            f64::from(1 + u8::from(rng.random::<f64>() < 0.3))
                        } else {
                            f64::NAN
                        };
                        ticket(
                            out,
                            &mut rng,
                            id,
                            zh,
                            secs(at),
                            REFUND,
                            resolved,
                            horizon,
                            csat,
                            &secs,
                        );
                        at += 3.0 + rng.random::<f64>() * 3.0;
                        k += 1;
                        if rng.random::<f64>() > 0.6 {
                            break;
                        }
                    }
                }
                if rng.random::<f64>() < 0.15 {
                    let at = received + 7.0 + rng.random::<f64>() * 13.0;
                    if at < horizon {
                        mention(out, &mut rng, Some(id), zh, secs(at), REFUND);
                    }
                }
            } else if rng.random::<f64>() < 0.03 && requested < horizon {
                let resolved = requested + 0.5 + rng.random::<f64>() * 2.0;
                ticket(
                    out,
                    &mut rng,
                    id,
                    zh,
                    secs(requested),
                    RETURNS,
                    resolved,
                    horizon,
                    f64::NAN,
                    &secs,
                );
            }
            if rng.random::<f64>() < 0.3 && refunded < horizon {
                let at = refunded + rng.random::<f64>() * 3.0;
                if at < horizon {
                    let score = if slow_now {
                        1 + rng.random_range(0..3)
                    } else {
                        5 + rng.random_range(0..3)
                    };
                    survey(out, id, secs(at), SurveyKind::Ces, f64::from(score), None);
                }
            }
        }

        // An NPS invitation after some orders.
        if rng.random::<f64>() < 0.35 {
            let at = t + 3.0 + rng.random::<f64>() * 7.0;
            if at < horizon {
                let hurt = recent_slow(&slow_received, at);
                let mean = sat - if hurt { NPS_PENALTY } else { 0.0 };
                let score = (mean + 1.2 * standard_normal(&mut rng))
                    .round()
                    .clamp(0.0, 10.0);
                let verbatim = if score <= 6.0 && rng.random::<f64>() < 0.5 {
                    let theme = if hurt {
                        REFUND
                    } else {
                        complaint_theme(&mut rng)
                    };
                    Some(text(&mut rng, zh, theme))
                } else if score >= 9.0 && rng.random::<f64>() < 0.3 {
                    Some(text(&mut rng, zh, PRAISE))
                } else {
                    None
                };
                survey(out, id, secs(at), SurveyKind::Nps, score, verbatim);
            }
        }
        // A delivery CSAT survey after some orders.
        if rng.random::<f64>() < 0.12 {
            let at = t + 2.0 + rng.random::<f64>() * 6.0;
            if at < horizon {
                let hurt = recent_slow(&slow_received, at);
                let mean = 1.0 + 0.4 * sat - if hurt { 1.5 } else { 0.0 };
                let score = (mean + 0.8 * standard_normal(&mut rng))
                    .round()
                    .clamp(1.0, 5.0);
                survey(out, id, secs(at), SurveyKind::Csat, score, None);
            }
        }
        // Background tickets and mentions.
        if rng.random::<f64>() < 0.07 {
            let at = t + 1.0 + rng.random::<f64>() * 9.0;
            if at < horizon {
                let theme = complaint_theme(&mut rng);
                let resolved = if rng.random::<f64>() < 0.05 {
                    f64::INFINITY
                } else {
                    at + LogNormal::new(0.4, 0.9).map_or(1.5, |d| d.sample(&mut rng))
                };
                let csat = if rng.random::<f64>() < 0.4 {
                    (3.8 + standard_normal(&mut rng)).round().clamp(1.0, 5.0)
                } else {
                    f64::NAN
                };
                ticket(
                    out,
                    &mut rng,
                    id,
                    zh,
                    secs(at),
                    theme,
                    resolved,
                    horizon,
                    csat,
                    &secs,
                );
            }
        }
        if rng.random::<f64>() < 0.04 {
            let at = t + 1.0 + rng.random::<f64>() * 14.0;
            if at < horizon {
                let theme = if rng.random::<f64>() < 0.6 {
                    PRAISE
                } else {
                    complaint_theme(&mut rng)
                };
                mention(out, &mut rng, Some(id), zh, secs(at), theme);
            }
        }

        // Churn decision, once the order (and any slow refund) has played out.
        let exposed = slow_now || recent_slow(&slow_received, decision);
        let p = sigmoid(base_logit + if exposed { ln_or } else { 0.0 });
        if rng.random::<f64>() < p {
            churn_at = churn_at.min(decision);
        }
        t += gap.map_or(horizon, |d| d.sample(&mut rng));
    }
    if churn_at < horizon && rng.random::<f64>() < 0.3 {
        let at = churn_at + 1.0 + rng.random::<f64>() * 13.0;
        if at < horizon {
            let reason = if recent_slow(&slow_received, churn_at) && rng.random::<f64>() < 0.7 {
                0
            } else {
                1 + pick(&mut rng, &[0.15, 0.25, 0.2, 0.2, 0.2])
            };
            out.churn.customer.push(id);
            out.churn.time.push(secs(at));
            out.churn.reason.push(reason as u8);
        }
    }
    out.truth.churn_time.push(if churn_at < horizon {
        secs(churn_at)
    } else {
        NO_TIME
    });
    out.truth.slow_refunds.push(slow_refunds);
    out.truth.base_churn_prob.push(sigmoid(base_logit));
    out.truth.satisfaction.push(sat);
}

fn standard_normal(rng: &mut ChaCha8Rng) -> f64 {
    rand_distr::StandardNormal.sample(rng)
}

/// A complaint theme other than refunds: returns, delivery, size, quality, app, price (rare), service.
fn complaint_theme(rng: &mut ChaCha8Rng) -> u32 {
    1 + pick(rng, &[0.2, 0.25, 0.2, 0.15, 0.1, 0.03, 0.07]) as u32
}

#[allow(clippy::too_many_arguments)]
fn ticket(
    out: &mut Out,
    rng: &mut ChaCha8Rng,
    id: i64,
    zh: bool,
    at: i64,
    theme: u32,
    resolved: f64,
    horizon: f64,
    csat: f64,
    secs: &dyn Fn(f64) -> i64,
) {
    let done = resolved < horizon;
    out.tickets.customer.push(id);
    out.tickets.time.push(at);
    out.tickets
        .channel
        .push(pick(rng, &[0.4, 0.25, 0.15, 0.2]) as u8);
    out.tickets.theme.push(theme);
    out.tickets.text.push(text(rng, zh, theme));
    // A resolution can land in the same second as the opening, never before it.
    out.tickets.resolved.push(if done {
        secs(resolved).max(at)
    } else {
        NO_TIME
    });
    out.tickets.csat.push(if done { csat } else { f64::NAN });
}

fn mention(out: &mut Out, rng: &mut ChaCha8Rng, id: Option<i64>, zh: bool, at: i64, theme: u32) {
    let platform = if zh {
        pick(rng, &[0.4, 0.35, 0.25])
    } else {
        3 + pick(rng, &[0.6, 0.4])
    };
    let scored = rng.random::<f64>() < 0.7;
    let sentiment = if !scored {
        f64::NAN
    } else if theme == PRAISE {
        0.3 + 0.6 * rng.random::<f64>()
    } else {
        -0.9 + 0.6 * rng.random::<f64>()
    };
    out.mentions.customer.push(id);
    out.mentions.time.push(at);
    out.mentions.platform.push(platform as u8);
    out.mentions.theme.push(theme);
    out.mentions.text.push(text(rng, zh, theme));
    out.mentions.sentiment.push(sentiment);
}

fn survey(out: &mut Out, id: i64, at: i64, kind: SurveyKind, score: f64, verbatim: Option<String>) {
    out.surveys.customer.push(id);
    out.surveys.time.push(at);
    out.surveys.kind.push(kind);
    out.surveys.score.push(score);
    out.surveys.verbatim.push(verbatim);
}

/// Mentions by people who are not (known) customers: a tenth as many as customers, spread over the
/// period, from the stream after the last customer's.
fn anonymous_mentions(opts: &RetailerOptions, m: &mut MentionTable) {
    let mut rng = rng_for(opts.seed, opts.customers as u64);
    let start = opts.start_day * DAY;
    let span = i64::from(opts.days) * DAY;
    let mut out = Out::default();
    for _ in 0..opts.customers / 10 {
        let at = start + rng.random_range(0..span);
        let zh = rng.random::<f64>() < 0.6;
        let theme = if rng.random::<f64>() < 0.5 {
            PRAISE
        } else {
            complaint_theme(&mut rng)
        };
        mention(&mut out, &mut rng, None, zh, at, theme);
    }
    extend_all!(m, out.mentions; customer, time, platform, theme, text, sentiment);
}

const ZH: [&[&str]; 9] = [
    &[
        "退款慢，退货寄回去{n}天了还没到账",
        "仓库已经签收退货，退款一直没处理",
        "退款什么时候到账？客服不理人",
        "退货退款太慢了，不会再买了",
    ],
    &["找不到退货入口", "退货流程太复杂了", "想退货但是找不到入口"],
    &["快递太慢了，{n}天还没到", "物流信息一直不更新", "发货太慢"],
    &[
        "尺码偏小，要换大一号",
        "尺码不准，穿不上",
        "尺码表和实际不符",
    ],
    &[
        "质量差，洗一次就起球",
        "面料质量一般，有线头",
        "衣服开线了，质量不行",
    ],
    &["APP登录不了", "找不到入口，APP太难用", "APP一直闪退"],
    &["价格太贵了", "比别家贵，不划算"],
    &["客服不理人，等了{n}个小时", "客服态度差", "客服回复太慢"],
    &["衣服很好看，推荐", "质量不错，会回购", "物流很快，好评"],
];

const EN: [&[&str]; 9] = [
    &[
        "Refund is so slow, returned {n} days ago and still no money",
        "The warehouse received my return but the refund is still pending",
        "Where is my refund? Support never replies",
        "Still waiting for my refund, never buying again",
    ],
    &[
        "Can't find where to start a return",
        "The return process is too complicated",
        "How do I return this item?",
    ],
    &[
        "Delivery is late, {n} days and still not here",
        "Tracking has not updated for days",
        "Shipping took forever",
    ],
    &[
        "The size runs small",
        "Sizing chart is wrong, too tight",
        "Wrong size, does not fit",
    ],
    &[
        "Poor quality, the fabric pilled after one wash",
        "Loose threads everywhere, bad quality",
        "The seam ripped, terrible quality",
    ],
    &[
        "Can't log in to the app",
        "The app keeps crashing",
        "Can't find anything in the app",
    ],
    &["Too expensive", "Prices went up, not worth it"],
    &[
        "Customer service ignores me, waited {n} hours",
        "Rude support agent",
        "Support is so slow to reply",
    ],
    &[
        "Love this dress!",
        "Great quality, will buy again",
        "Fast delivery, very happy",
    ],
];

fn text(rng: &mut ChaCha8Rng, zh: bool, theme: u32) -> String {
    let table = if zh { &ZH } else { &EN };
    let options = table.get(theme as usize).copied().unwrap_or(&[""]);
    let template = options[rng.random_range(0..options.len())];
    template.replace("{n}", &rng.random_range(3..30).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn price_complaints_are_rare_and_slow_refunds_fall_after_the_fix() {
        let r = retailer(&RetailerOptions {
            customers: 20_000,
            ..Default::default()
        })
        .unwrap();
        let price = r.mentions.theme.iter().filter(|&&t| t == PRICE).count() as f64;
        assert!(price / (r.mentions.theme.len() as f64) < 0.05);
        let fix = r.planted.fix_day.unwrap() * DAY;
        let slow = |before: bool| {
            let (mut s, mut n) = (0.0, 0.0);
            for (&rec, &paid) in r.returns.received.iter().zip(&r.returns.refunded) {
                if rec == NO_TIME || paid == NO_TIME || (rec < fix) != before {
                    continue;
                }
                n += 1.0;
                s += f64::from(u8::from((paid - rec) as f64 / DAY as f64 >= 9.0));
            }
            s / n
        };
        let (before, after) = (slow(true), slow(false));
        assert!((before - 0.30).abs() < 0.02, "{before}");
        assert!((after - 0.05).abs() < 0.02, "{after}");
        // Refund tickets cluster on customers with slow refunds.
        assert!(
            r.tickets.theme.iter().filter(|&&t| t == REFUND).count() > r.tickets.time.len() / 3
        );
    }

    #[test]
    fn the_holdout_keeps_slow_refunds_and_changes_nothing_else_before_the_fix() {
        let base = RetailerOptions {
            customers: 6_000,
            ..Default::default()
        };
        let a = retailer(&base).unwrap();
        let b = retailer(&RetailerOptions {
            holdout: 0.3,
            ..base.clone()
        })
        .unwrap();
        let held = b.customers.holdout.iter().filter(|&&h| h).count() as f64 / 6_000.0;
        assert!((held - 0.3).abs() < 0.03, "{held}");
        assert!(a.customers.holdout.iter().all(|&h| !h));
        // Customers not held out live the same lives; so does everyone before the fix.
        assert_eq!(a.customers.signup, b.customers.signup);
        let fix = b.planted.fix_day.unwrap() * DAY;
        let before = |r: &Retailer| -> Vec<i64> {
            r.orders
                .time
                .iter()
                .copied()
                .filter(|&t| t < fix - 60 * DAY)
                .collect()
        };
        assert_eq!(before(&a).len(), before(&b).len());
        // After the fix, the held-out customers' refunds stay slow.
        let slow_after = |r: &Retailer, held: bool| {
            let (mut s, mut n) = (0.0, 0.0);
            for k in 0..r.returns.customer.len() {
                let (rec, paid) = (r.returns.received[k], r.returns.refunded[k]);
                let c = (r.returns.customer[k] - 1) as usize;
                if rec == NO_TIME || paid == NO_TIME || rec < fix || r.customers.holdout[c] != held
                {
                    continue;
                }
                n += 1.0;
                s += f64::from(u8::from((paid - rec) as f64 / DAY as f64 >= 9.0));
            }
            s / n
        };
        assert!(slow_after(&b, true) > 0.2, "{}", slow_after(&b, true));
        assert!(slow_after(&b, false) < 0.1, "{}", slow_after(&b, false));
    }

    #[test]
    fn times_respect_their_order() {
        let r = retailer(&RetailerOptions {
            customers: 3_000,
            seed: 1,
            ..Default::default()
        })
        .unwrap();
        for i in 0..r.returns.requested.len() {
            let (q, rec, paid) = (
                r.returns.requested[i],
                r.returns.received[i],
                r.returns.refunded[i],
            );
            assert!(rec == NO_TIME || rec >= q);
            assert!(paid == NO_TIME || (rec != NO_TIME && paid >= rec));
            assert!(r.returns.order[i] >= 1 && r.returns.order[i] <= r.orders.id.len() as i64);
            let o = (r.returns.order[i] - 1) as usize;
            assert_eq!(r.orders.customer[o], r.returns.customer[i]);
            assert!(r.orders.time[o] <= q && r.returns.amount[i] <= r.orders.amount[o]);
        }
        assert!(
            r.tickets
                .resolved
                .iter()
                .zip(&r.tickets.time)
                .all(|(&d, &t)| d == NO_TIME || d >= t)
        );
        assert!(
            r.orders
                .time
                .iter()
                .chain(&r.tickets.time)
                .all(|&t| t >= r.start && t < r.end)
        );
    }
}
