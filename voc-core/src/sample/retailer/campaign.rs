//! The randomised retention campaign: who takes part, who is called, and who churns in the window
//! after it, with heterogeneous planted effects of the call.
//!
//! Everything here reads the customer's simulated life (already drawn) and draws from streams of its
//! own, so the event tables and the rest of the truth are byte-identical with or without the campaign.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::{Out, PRICE};
use crate::signals::{DAY, SurveyKind};
use crate::stats::linalg::sigmoid;
use crate::time::NAT;

/// The groups that decide a customer's planted response to the campaign's call, in code order (a
/// customer belongs to the first that applies):
///
/// - `slow_refund`: a slow refund (9 days or more after receipt) of a return received before the
///   campaign, paid or still pending; the call saves [`PlantedCampaign::save_slow_refund`] of their
///   churn risk (the agent advances the refund);
/// - `price_sensitive`: an average order under 40 or a price ticket before the campaign; at high risk
///   (a competitor's sale), almost never saved by a call ([`PlantedCampaign::save_price_sensitive`]);
/// - `high_value_silent`: 300 or more spent in the 365 days before the campaign and no ticket, survey
///   answer or mention in the 45 days before it; saved in part ([`PlantedCampaign::save_high_value_silent`]);
/// - `recent_promoter`: the latest NPS answer, in the 90 days before the campaign, is 9 or 10; the call
///   annoys them, adding [`PlantedCampaign::promoter_harm`] to their churn probability;
/// - `other`: saved a little ([`PlantedCampaign::save_other`]).
pub const CAMPAIGN_GROUPS: [&str; 5] = [
    "slow_refund",
    "price_sensitive",
    "high_value_silent",
    "recent_promoter",
    "other",
];

/// The campaign: one row per customer who took part (in customer order).
#[derive(Debug, Clone, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct CampaignTable {
    /// Customer id.
    pub customer: Vec<i64>,
    /// Campaign time (seconds; the same for every row: the start of the campaign day).
    pub time: Vec<i64>,
    /// Called (`true`) or held out as control (`false`), each with probability ½.
    pub treated: Vec<bool>,
    /// Churned within the window after the campaign (under the arm the customer was in).
    pub churned: Vec<bool>,
}

/// The truth behind the campaign, one row per row of [`CampaignTable`].
#[derive(Debug, Clone, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct CampaignTruth {
    /// Customer id.
    pub customer: Vec<i64>,
    /// Group (index into [`CAMPAIGN_GROUPS`]).
    pub group: Vec<u8>,
    /// Probability of churning in the window if held out.
    pub p_churn_control: Vec<f64>,
    /// Probability of churning in the window if called.
    pub p_churn_call: Vec<f64>,
    /// True effect of the call: `p_churn_control − p_churn_call` (positive: the call saves the
    /// customer with that probability; negative: it drives them away).
    pub effect: Vec<f64>,
}

/// The campaign's design and planted effect sizes.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct PlantedCampaign {
    /// What was planted, in words.
    pub description: String,
    /// Campaign day (days since 1970-01-01).
    pub day: i64,
    /// Days after the campaign in which churn is counted.
    pub window_days: u32,
    /// Share of active customers who take part.
    pub share: f64,
    /// Share of participants who are called (the rest are the control group).
    pub call_share: f64,
    /// Share of a `slow_refund` customer's churn probability the call removes.
    pub save_slow_refund: f64,
    /// Share removed for a `price_sensitive` customer.
    pub save_price_sensitive: f64,
    /// Share removed for a `high_value_silent` customer.
    pub save_high_value_silent: f64,
    /// Probability of churning the call adds for a `recent_promoter`.
    pub promoter_harm: f64,
    /// Share removed for everyone else.
    pub save_other: f64,
    /// Odds ratio of churning in the window for a recent slow refund (against `other`).
    pub odds_ratio_slow_refund: f64,
    /// Odds ratio of churning in the window for a price-sensitive customer.
    pub odds_ratio_price_sensitive: f64,
    /// Odds ratio of churning in the window for a recent promoter.
    pub odds_ratio_promoter: f64,
}

const SAVE: [f64; 5] = [0.7, 0.02, 0.4, 0.0, 0.08];
const PROMOTER_HARM: f64 = 0.04;
/// Log odds added to the per-order base churn probability for a 90-day window (plus the log of
/// `window / 90` for other windows).
const WINDOW_LOGIT: f64 = 0.8;
const OR_SLOW: f64 = 4.0;
const OR_PRICE: f64 = 6.0;
const OR_PROMOTER: f64 = 0.6;
/// Mixed into the seed of the campaign's draws (streams of their own).
const CAMPAIGN_SALT: u64 = 0x6361_6d70_6169_676e;

impl PlantedCampaign {
    pub(super) fn new(day: i64, window_days: u32, share: f64) -> Self {
        PlantedCampaign {
            description:
                "a randomised retention call on the campaign day: it saves most customers \
                          waiting on a slow refund (the agent advances it), some high-value silent \
                          customers, almost no price-sensitive ones, and slightly raises churn for \
                          recent promoters"
                    .into(),
            day,
            window_days,
            share,
            call_share: 0.5,
            save_slow_refund: SAVE[0],
            save_price_sensitive: SAVE[1],
            save_high_value_silent: SAVE[2],
            promoter_harm: PROMOTER_HARM,
            save_other: SAVE[4],
            odds_ratio_slow_refund: OR_SLOW,
            odds_ratio_price_sensitive: OR_PRICE,
            odds_ratio_promoter: OR_PROMOTER,
        }
    }
}

/// Where one customer's rows start in each table of the chunk.
#[derive(Clone, Copy)]
pub(super) struct Marks {
    pub(super) orders: usize,
    pub(super) returns: usize,
    pub(super) tickets: usize,
    pub(super) surveys: usize,
    pub(super) mentions: usize,
}

impl Marks {
    pub(super) fn of(out: &Out) -> Self {
        Marks {
            orders: out.orders.time.len(),
            returns: out.returns.received.len(),
            tickets: out.tickets.time.len(),
            surveys: out.surveys.time.len(),
            mentions: out.mentions.time.len(),
        }
    }
}

/// The campaign row of customer `c` (0-based), just simulated into `out` from `marks` on; nothing when
/// there is no campaign, the customer is not active on the campaign day, or is not drawn to take part.
pub(super) fn campaign(opts: &super::RetailerOptions, c: usize, out: &mut Out, m: Marks) {
    let Some(day) = opts.campaign_day else {
        return;
    };
    let d = opts.start_day * DAY + i64::from(day) * DAY;
    let (Some(&signup), Some(&churn), Some(&base)) = (
        out.customers.signup.last(),
        out.truth.churn_time.last(),
        out.truth.base_churn_prob.last(),
    ) else {
        return;
    };
    // Three draws, always, so taking part and the arm never depend on the share.
    let mut rng = ChaCha8Rng::seed_from_u64(opts.seed ^ CAMPAIGN_SALT);
    rng.set_stream(c as u64);
    let (u_in, u_arm, u_out) = (
        rng.random::<f64>(),
        rng.random::<f64>(),
        rng.random::<f64>(),
    );
    let o = &out.orders;
    let before: Vec<usize> = (m.orders..o.time.len())
        .filter(|&i| o.time[i] < d)
        .collect();
    let active = signup < d && (churn == NAT || churn > d) && !before.is_empty();
    if !active || u_in >= opts.campaign_share {
        return;
    }
    let within = |t: i64, days: i64| t < d && t >= d - days * DAY;
    let spent: f64 = before.iter().map(|&i| o.amount[i]).sum();
    let aov = spent / before.len() as f64;
    let spent_year: f64 = before
        .iter()
        .filter(|&&i| within(o.time[i], 365))
        .map(|&i| o.amount[i])
        .sum();
    let r = &out.returns;
    let slow = (m.returns..r.received.len()).any(|i| {
        let (rec, paid) = (r.received[i], r.refunded[i]);
        rec != NAT && rec < d && (paid == NAT || paid - rec >= 9 * DAY)
    });
    let t = &out.tickets;
    let price_ticket = (m.tickets..t.time.len()).any(|i| t.time[i] < d && t.theme[i] == PRICE);
    let s = &out.surveys;
    let mn = &out.mentions;
    let heard = (m.tickets..t.time.len()).any(|i| within(t.time[i], 45))
        || (m.surveys..s.time.len()).any(|i| within(s.time[i], 45))
        || (m.mentions..mn.time.len()).any(|i| within(mn.time[i], 45));
    let last_nps = (m.surveys..s.time.len())
        .filter(|&i| s.kind[i] == SurveyKind::Nps && s.time[i] < d)
        .max_by_key(|&i| s.time[i]);
    let promoter = last_nps.is_some_and(|i| within(s.time[i], 90) && s.score[i] >= 9.0);
    let group: u8 = if slow {
        0
    } else if aov < 40.0 || price_ticket {
        1
    } else if spent_year >= 300.0 && !heard {
        2
    } else if promoter {
        3
    } else {
        4
    };
    let logit = (base / (1.0 - base)).ln()
        + WINDOW_LOGIT
        + (f64::from(opts.campaign_window) / 90.0).ln()
        + match group {
            0 => OR_SLOW.ln(),
            1 => OR_PRICE.ln(),
            3 => OR_PROMOTER.ln(),
            _ => 0.0,
        };
    let p0 = sigmoid(logit);
    let p1 = if group == 3 {
        (p0 + PROMOTER_HARM).min(1.0)
    } else {
        p0 * (1.0 - SAVE[usize::from(group)])
    };
    let treated = u_arm < 0.5;
    let id = c as i64 + 1;
    out.campaign.customer.push(id);
    out.campaign.time.push(d);
    out.campaign.treated.push(treated);
    out.campaign
        .churned
        .push(u_out < if treated { p1 } else { p0 });
    let tr = &mut out.truth.campaign;
    tr.customer.push(id);
    tr.group.push(group);
    tr.p_churn_control.push(p0);
    tr.p_churn_call.push(p1);
    tr.effect.push(p0 - p1);
}
