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
//! **Retention campaign.** On [`RetailerOptions::campaign_day`] (by default 2024-08-28) the customers
//! still active (signed up, at least one order, not yet churned) take part in a randomised test: each is
//! called or held out with probability ½ ([`Retailer::campaign`]). Whether they churn in the
//! [`RetailerOptions::campaign_window`] days after it depends on their state that day, and the call's
//! effect is heterogeneous ([`CAMPAIGN_GROUPS`], [`PlantedCampaign`]): it saves most customers waiting on
//! a slow refund, some high-value silent ones, almost no price-sensitive ones (who are at high risk), and
//! slightly raises churn for recent promoters. Each participant's churn probability under either arm and
//! the true effect are in [`Truth::campaign`]. The campaign reads the simulated lives and draws from
//! streams of its own: the event tables are the world *without* the call (a saved customer's later
//! orders are not added), and every other table and truth value is byte-identical with or without it.
//!
//! ```
//! use voc_core::sample::{retailer, RetailerOptions};
//! let r = retailer(&RetailerOptions::default().customers(3_000))?;
//! let (c, t) = (&r.campaign, &r.truth.campaign);
//! assert_eq!(c.customer, t.customer);
//! let called = c.treated.iter().filter(|&&x| x).count();
//! assert!(called > c.customer.len() / 3 && called < 2 * c.customer.len() / 3);
//! // Slow-refund customers (group 0) gain most from the call; recent promoters (3) lose.
//! let mean = |g: u8| {
//!     let e: Vec<f64> = (0..t.group.len()).filter(|&k| t.group[k] == g).map(|k| t.effect[k]).collect();
//!     e.iter().sum::<f64>() / e.len() as f64
//! };
//! assert!(mean(0) > 0.15 && mean(3) < 0.0);
//! # Ok::<(), voc_core::Error>(())
//! ```
//!
//! **Closed loop.** From [`RetailerOptions::followup_day`] on (by default 2024-12-31), each
//! customer's first detractor answer (NPS 0–6), complaint ticket or churn alert (60 days without an
//! order) opens a follow-up case ([`Retailer::cases`]), except for a random holdout of triggers
//! ([`RetailerOptions::followup_holdout`], 20%) that get none. Teams ([`TEAMS`]) contact at different
//! speeds; a contact within the SLA (48 h) raises the chance that the customer's next answer is 7 or
//! more and lowers churn in the window after the trigger ([`PlantedFollowup`]); each row's
//! probabilities under either speed are in [`Truth::followup`]. Like the campaign, the loop reads the
//! simulated lives and draws from streams of its own: every other table and truth value is
//! byte-identical with or without it.
//!
//! ```
//! use voc_core::sample::{retailer, RetailerOptions};
//! use voc_core::time::NAT;
//! let r = retailer(&RetailerOptions::default().customers(3_000))?;
//! let c = &r.cases;
//! let held = c.holdout.iter().filter(|&&h| h).count();
//! assert!(held > c.customer.len() / 10 && held < c.customer.len() / 3);
//! // A held-out trigger has no case; every case was opened.
//! assert!((0..c.customer.len()).all(|k| c.holdout[k] == (c.opened[k] == NAT)));
//! assert_eq!(r.fixes.id, ["refund_sync"]);
//! # Ok::<(), voc_core::Error>(())
//! ```
//!
//! Customers are simulated independently, each from its own ChaCha8 stream, in parallel: the same seed
//! gives byte-identical data whatever the thread count.

macro_rules! extend_all {
    ($dst:expr, $src:expr; $($field:ident),*) => {
        $( $dst.$field.extend($src.$field); )*
    };
}

mod campaign;
mod followup;
mod options;
mod simulate;
mod tables;
#[cfg(test)]
mod tests;
mod verbatims;

pub use campaign::{CAMPAIGN_GROUPS, CampaignTable, CampaignTruth, PlantedCampaign};
pub use followup::{
    CaseTable, CaseTruth, FOLLOWUP_ACTIONS, FOLLOWUP_OUTCOMES, FixTable, FollowupSurveys,
    PlantedFollowup, TEAMS,
};
pub use options::{MAX_CUSTOMERS, MAX_DAYS, Planted, RetailerOptions};
pub use tables::{
    ChurnTable, CustomerTable, MentionTable, OrderTable, Retailer, ReturnTable, SurveyTable,
    TicketTable, Truth,
};

use simulate::{anonymous_mentions, simulate};

use crate::error::Result;
use crate::signals::DAY;

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
const PRICE: u32 = 6;
const PRAISE: u32 = 8;

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
    campaign: CampaignTable,
    cases: CaseTable,
    followup_surveys: FollowupSurveys,
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
/// let opts = RetailerOptions::default().customers(2_000);
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
    let run = |&first: &usize| -> Result<Out> {
        let mut out = Out::default();
        let mut ticker = crate::interrupt::Ticker::new();
        for c in first..(first + CHUNK).min(n) {
            ticker.tick()?;
            let marks = campaign::Marks::of(&out);
            simulate(opts, c, &mut out);
            campaign::campaign(opts, c, &mut out, marks);
            followup::followup(opts, c, &mut out, marks);
        }
        Ok(out)
    };
    #[cfg(feature = "parallel")]
    let parts: Vec<Out> = crate::interrupt::watch(|| {
        use rayon::prelude::*;
        starts.par_iter().map(run).collect()
    })?;
    #[cfg(not(feature = "parallel"))]
    let parts: Vec<Out> = starts.iter().map(run).collect::<Result<_>>()?;
    let mut all = Out::default();
    for mut p in parts {
        // Order ids are numbered in output order; returns refer to them by chunk-local position.
        let offset = all.orders.time.len() as i64;
        p.returns.order.iter_mut().for_each(|o| *o += offset + 1);
        // Trigger rows are chunk-local positions in their table.
        let (surveys, tickets) = (all.surveys.time.len() as i64, all.tickets.time.len() as i64);
        for (row, kind) in p.cases.trigger_row.iter_mut().zip(&p.cases.trigger) {
            *row += match kind {
                crate::followup::Trigger::Detractor => surveys,
                crate::followup::Trigger::Ticket => tickets,
                _ => offset,
            };
        }
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
        campaign: all.campaign,
        cases: all.cases,
        followup_surveys: all.followup_surveys,
        fixes: followup::fixes(opts),
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
            campaign: opts.campaign_day.map(|d| {
                PlantedCampaign::new(
                    opts.start_day + i64::from(d),
                    opts.campaign_window,
                    opts.campaign_share,
                )
            }),
            followup: opts.followup_day.map(|d| PlantedFollowup::new(opts, d)),
        },
        start,
        end: start + i64::from(opts.days) * DAY,
    })
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
    extend_all!(all.campaign, p.campaign; customer, time, treated, churned);
    extend_all!(all.truth.campaign, p.truth.campaign; customer, group, p_churn_control, p_churn_call, effect);
    extend_all!(all.cases, p.cases; customer, trigger, trigger_row, time, holdout, opened, contacted, closed, team, action, outcome, cost, next_nps, churned);
    extend_all!(all.followup_surveys, p.followup_surveys; customer, time, score);
    extend_all!(all.truth.followup, p.truth.followup; customer, p_fast, p_recover_slow, p_recover_fast, p_churn_slow, p_churn_fast);
}
