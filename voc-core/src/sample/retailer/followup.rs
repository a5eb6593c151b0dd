//! The closed loop: detractor answers, complaint tickets and churn alerts open follow-up cases; teams
//! contact customers at their own speed; a contact within the SLA wins detractors back and keeps
//! customers; a random holdout of triggers gets no case.
//!
//! Everything here reads the customer's simulated life (already drawn) and draws from streams of its
//! own, a fixed number of draws per customer, so the event tables and the rest of the truth are
//! byte-identical with or without the loop, and the holdout share only flips arms.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::campaign::Marks;
use super::{Out, RetailerOptions};
use crate::followup::Trigger;
use crate::signals::{DAY, SurveyKind};
use crate::stats::linalg::sigmoid;
use crate::time::NAT;

/// Follow-up teams, in code order; their mean hours to first contact are
/// [`PlantedFollowup::team_contact_hours`].
pub const TEAMS: [&str; 4] = ["north", "south", "east", "west"];
/// Actions taken on a follow-up case, in code order: `refund_advanced` when the customer waits on a
/// slow refund at the first contact, else `apology` or `coupon` (½ each); `none` when the customer
/// could not be reached.
pub const FOLLOWUP_ACTIONS: [&str; 4] = ["refund_advanced", "apology", "coupon", "none"];
/// Outcomes of a follow-up case, in code order: `resolved` (contacted and closed), `unreachable`
/// (closed without a contact), `open` (not closed by the end of the data).
pub const FOLLOWUP_OUTCOMES: [&str; 3] = ["resolved", "unreachable", "open"];

/// Mean hours from opening to first contact per team (exponential).
const TEAM_HOURS: [f64; 4] = [10.0, 20.0, 40.0, 80.0];
/// Probability that a customer can be reached at all.
const REACH: f64 = 0.9;
/// An unreachable customer's case is closed this many hours after opening.
const UNREACHABLE_CLOSE_HOURS: f64 = 168.0;
/// Share of triggered customers who answer the survey sent after the case (or after the trigger when
/// held out).
const ANSWER_RATE: f64 = 0.6;
/// Logit of recovering (next NPS ≥ 7) without a contact within the SLA, at mean satisfaction.
const RECOVER_LOGIT: f64 = -1.0;
/// Logit change per point of latent satisfaction above 7.6.
const RECOVER_SAT: f64 = 0.5;
/// Share of the non-recovery a contact within the SLA removes.
const RECOVER_LIFT: f64 = 0.35;
/// Log odds added to the per-order base churn probability for a 90-day window after a trigger.
const WINDOW_LOGIT: f64 = 1.0;
/// Log odds added per trigger kind (detractor, alert, ticket).
const TRIGGER_LOGIT: [f64; 3] = [0.3, 0.6, 0.2];
/// Share of the churn probability a contact within the SLA removes.
const CHURN_SAVE: f64 = 0.3;
/// Days without an order after which a churn alert fires.
const ALERT_DAYS: i64 = 60;
/// Cost of a contacted case, an unreachable one, and a coupon on top.
const COST_CONTACT: f64 = 15.0;
const COST_UNREACHABLE: f64 = 5.0;
const COST_COUPON: f64 = 10.0;
/// Mixed into the seed of the loop's draws (streams of their own).
const FOLLOWUP_SALT: u64 = 0x666f_6c6c_6f77_7570;

/// One row per trigger that entered the closed loop: a case, or a held-out trigger that got none (in
/// customer order; at most one per customer: the customer's first trigger in the loop's period).
#[derive(Debug, Clone, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct CaseTable {
    /// Customer id.
    pub customer: Vec<i64>,
    /// What triggered it: a detractor answer, a churn alert or a complaint ticket.
    pub trigger: Vec<Trigger>,
    /// The triggering row, 0-based, in the trigger's table: `surveys` for a detractor, `tickets` for a
    /// ticket, `orders` for an alert (the last order before it).
    pub trigger_row: Vec<i64>,
    /// Trigger time (seconds).
    pub time: Vec<i64>,
    /// Held out: the trigger got no case (opened, contacted, closed are [`NAT`]).
    pub holdout: Vec<bool>,
    /// Case opened ([`NAT`] when held out).
    pub opened: Vec<i64>,
    /// First contact ([`NAT`]: never, or held out).
    pub contacted: Vec<i64>,
    /// Closed ([`NAT`]: still open at the end of the data, or held out).
    pub closed: Vec<i64>,
    /// Team (index into [`TEAMS`]; `None` when held out).
    pub team: Vec<Option<u8>>,
    /// Action (index into [`FOLLOWUP_ACTIONS`]; `None` when held out).
    pub action: Vec<Option<u8>>,
    /// Outcome (index into [`FOLLOWUP_OUTCOMES`]; `None` when held out).
    pub outcome: Vec<Option<u8>>,
    /// Cost of the case (0 when held out).
    pub cost: Vec<f64>,
    /// Answer (NPS 0–10) to the survey sent after closing (after the trigger when held out); NaN: no
    /// answer. The same answers are the rows of [`Retailer::followup_surveys`](super::Retailer).
    pub next_nps: Vec<f64>,
    /// Churned within the window after the trigger (under the arm and contact speed the trigger got).
    pub churned: Vec<bool>,
}

/// The truth behind the closed loop, one row per row of [`CaseTable`].
#[derive(Debug, Clone, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct CaseTruth {
    /// Customer id.
    pub customer: Vec<i64>,
    /// Probability that a case of this trigger is contacted within the SLA (its team's speed and the
    /// chance of reaching the customer), whether or not it was held out.
    pub p_fast: Vec<f64>,
    /// Probability of recovering (next NPS ≥ 7) without a contact within the SLA.
    pub p_recover_slow: Vec<f64>,
    /// Probability of recovering with a contact within the SLA.
    pub p_recover_fast: Vec<f64>,
    /// Probability of churning in the window without a contact within the SLA.
    pub p_churn_slow: Vec<f64>,
    /// Probability of churning in the window with a contact within the SLA.
    pub p_churn_fast: Vec<f64>,
}

/// The closed loop's design and planted effect sizes.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct PlantedFollowup {
    /// What was planted, in words.
    pub description: String,
    /// First day on which triggers open cases (days since 1970-01-01).
    pub first_day: i64,
    /// Triggers end before this day (days since 1970-01-01): the window after each ends in the data.
    pub end_day: i64,
    /// Share of triggers held out (no case).
    pub holdout: f64,
    /// Service level: hours from opening to first contact.
    pub sla_hours: f64,
    /// Days after the trigger in which churn is counted.
    pub window_days: u32,
    /// Mean hours to first contact per team (exponential), in [`TEAMS`] order.
    pub team_contact_hours: Vec<f64>,
    /// Probability of contact within the SLA per team (`reach · (1 − exp(−sla / mean))`).
    pub team_p_fast: Vec<f64>,
    /// Probability that a customer can be reached at all.
    pub reach: f64,
    /// Share of triggered customers who answer the survey after the case.
    pub answer_rate: f64,
    /// Share of the non-recovery a contact within the SLA removes:
    /// `p_recover_fast = p_recover_slow + recover_lift · (1 − p_recover_slow)`.
    pub recover_lift: f64,
    /// Share of the churn probability a contact within the SLA removes:
    /// `p_churn_fast = (1 − churn_save) · p_churn_slow`.
    pub churn_save: f64,
    /// Days without an order after which a churn alert fires.
    pub alert_days: u32,
}

impl PlantedFollowup {
    pub(super) fn new(opts: &RetailerOptions, first: u32) -> Self {
        let sla = opts.followup_sla_hours;
        PlantedFollowup {
            description: "detractor answers, complaint tickets and churn alerts open follow-up cases \
                          (a random holdout of triggers gets none); teams contact at different speeds; \
                          a contact within the SLA raises the chance that the next answer is 7 or more \
                          and lowers churn in the window after the trigger; late contacts change nothing"
                .into(),
            first_day: opts.start_day + i64::from(first),
            end_day: opts.start_day + i64::from(opts.days) - i64::from(opts.followup_window),
            holdout: opts.followup_holdout,
            sla_hours: sla,
            window_days: opts.followup_window,
            team_contact_hours: TEAM_HOURS.to_vec(),
            team_p_fast: TEAM_HOURS.iter().map(|&h| p_fast(h, sla)).collect(),
            reach: REACH,
            answer_rate: ANSWER_RATE,
            recover_lift: RECOVER_LIFT,
            churn_save: CHURN_SAVE,
            alert_days: ALERT_DAYS as u32,
        }
    }
}

fn p_fast(mean_hours: f64, sla_hours: f64) -> f64 {
    REACH * (1.0 - (-sla_hours / mean_hours).exp())
}

/// The answers to the survey sent after each follow-up (and after each held-out trigger), as survey
/// rows.
#[derive(Debug, Clone, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct FollowupSurveys {
    /// Customer id.
    pub customer: Vec<i64>,
    /// Answered.
    pub time: Vec<i64>,
    /// NPS 0–10.
    pub score: Vec<f64>,
}

/// The loop's row of customer `c` (0-based), just simulated into `out` from `m` on; nothing when the
/// loop is off or the customer has no trigger in its period. Trigger rows are chunk-local here.
#[allow(clippy::too_many_lines)]
pub(super) fn followup(opts: &RetailerOptions, c: usize, out: &mut Out, m: Marks) {
    let Some(first) = opts.followup_day else {
        return;
    };
    let start = opts.start_day * DAY;
    let d0 = start + i64::from(first) * DAY;
    let d1 = start + (i64::from(opts.days) - i64::from(opts.followup_window)) * DAY;
    let end = start + i64::from(opts.days) * DAY;
    let (Some(&churn), Some(&base), Some(&sat)) = (
        out.truth.churn_time.last(),
        out.truth.base_churn_prob.last(),
        out.truth.satisfaction.last(),
    ) else {
        return;
    };
    // A fixed number of draws, always, so nothing depends on the path or the holdout share.
    let mut rng = ChaCha8Rng::seed_from_u64(opts.seed ^ FOLLOWUP_SALT);
    rng.set_stream(c as u64);
    let mut u = [0.0f64; 11];
    for x in &mut u {
        *x = rng.random::<f64>();
    }
    let [
        u_hold,
        u_team,
        u_open,
        u_reach,
        u_contact,
        u_close,
        u_action,
        u_answer,
        u_recover,
        u_score,
        u_churn,
    ] = u;
    let alive = |t: i64| t >= d0 && t < d1 && (churn == NAT || t < churn);
    // The first trigger in the loop's period: (time, kind, chunk-local row).
    let mut best: Option<(i64, Trigger, usize)> = None;
    let mut consider = |t: i64, k: Trigger, row: usize| {
        if alive(t) && best.is_none_or(|(b, _, _)| t < b) {
            best = Some((t, k, row));
        }
    };
    let s = &out.surveys;
    for i in m.surveys..s.time.len() {
        if s.kind[i] == SurveyKind::Nps && s.score[i] <= 6.0 {
            consider(s.time[i], Trigger::Detractor, i);
        }
    }
    let tk = &out.tickets;
    for i in m.tickets..tk.time.len() {
        consider(tk.time[i], Trigger::Ticket, i);
    }
    let o = &out.orders;
    for i in m.orders..o.time.len() {
        let next = o.time.get(i + 1).copied();
        let alert = o.time[i] + ALERT_DAYS * DAY;
        if next.is_none_or(|n| n > alert) {
            consider(alert, Trigger::Alert, i);
        }
    }
    let Some((t, kind, row)) = best else {
        return;
    };
    let id = c as i64 + 1;
    let sla = opts.followup_sla_hours;
    let hour = 3600.0;
    let team = ((u_team * TEAMS.len() as f64) as usize).min(TEAMS.len() - 1);
    let p_fast_team = p_fast(TEAM_HOURS[team], sla);
    let held = u_hold < opts.followup_holdout;
    let secs = |h: f64| (h * hour).floor() as i64;
    let (mut opened, mut contacted, mut closed) = (NAT, NAT, NAT);
    let (mut team_code, mut action, mut outcome, mut cost) = (None, None, None, 0.0);
    if !held {
        opened = t + secs(2.0 * u_open);
        let reached = u_reach < REACH;
        if reached {
            contacted = opened + secs(-(1.0 - u_contact).ln() * TEAM_HOURS[team]);
            closed = contacted + secs(1.0 + 71.0 * u_close);
        } else {
            closed = opened + secs(UNREACHABLE_CLOSE_HOURS);
        }
        if contacted != NAT && contacted >= end {
            contacted = NAT;
        }
        if closed >= end {
            closed = NAT;
        }
        let pending_slow = contacted != NAT && {
            let r = &out.returns;
            (m.returns..r.received.len()).any(|i| {
                let (rec, paid) = (r.received[i], r.refunded[i]);
                rec != NAT
                    && rec <= contacted
                    && (paid == NAT || paid > contacted)
                    && (paid == NAT || paid - rec >= 9 * DAY)
            })
        };
        let act = if contacted == NAT {
            3
        } else if pending_slow {
            0
        } else if u_action < 0.5 {
            1
        } else {
            2
        };
        cost = match (contacted != NAT, act) {
            (false, _) => COST_UNREACHABLE,
            (true, 2) => COST_CONTACT + COST_COUPON,
            (true, _) => COST_CONTACT,
        };
        outcome = Some(if closed == NAT {
            2
        } else if contacted == NAT {
            1
        } else {
            0
        });
        team_code = Some(team as u8);
        action = Some(act);
    }
    let fast = contacted != NAT && (contacted - opened) as f64 <= sla * hour;
    let p_recover_slow = sigmoid(RECOVER_LOGIT + RECOVER_SAT * (sat - 7.6));
    let p_recover_fast = p_recover_slow + RECOVER_LIFT * (1.0 - p_recover_slow);
    let k = match kind {
        Trigger::Detractor => 0,
        Trigger::Alert => 1,
        _ => 2,
    };
    let logit = (base / (1.0 - base)).ln()
        + WINDOW_LOGIT
        + (f64::from(opts.followup_window) / 90.0).ln()
        + TRIGGER_LOGIT[k];
    let p_churn_slow = sigmoid(logit);
    let p_churn_fast = (1.0 - CHURN_SAVE) * p_churn_slow;
    // The survey after the case: an hour to a day after closing (after the trigger plus four days
    // when held out); none for a case still open.
    let asked = if held {
        t + secs(96.0 + 23.0 * u_score)
    } else if closed != NAT {
        closed + secs(1.0 + 23.0 * u_score)
    } else {
        NAT
    };
    let answered = asked != NAT && asked < end && u_answer < ANSWER_RATE;
    let p_recover = if fast { p_recover_fast } else { p_recover_slow };
    let next_nps = if !answered {
        f64::NAN
    } else if u_recover < p_recover {
        // 7..=10, spread by where the draw fell in the recovered range.
        7.0 + (4.0 * u_recover / p_recover).floor().min(3.0)
    } else {
        2.0 + (5.0 * (u_recover - p_recover) / (1.0 - p_recover))
            .floor()
            .min(4.0)
    };
    if answered {
        out.followup_surveys.customer.push(id);
        out.followup_surveys.time.push(asked);
        out.followup_surveys.score.push(next_nps);
    }
    let cs = &mut out.cases;
    cs.customer.push(id);
    cs.trigger.push(kind);
    cs.trigger_row.push(row as i64);
    cs.time.push(t);
    cs.holdout.push(held);
    cs.opened.push(opened);
    cs.contacted.push(contacted);
    cs.closed.push(closed);
    cs.team.push(team_code);
    cs.action.push(action);
    cs.outcome.push(outcome);
    cs.cost.push(cost);
    cs.next_nps.push(next_nps);
    cs.churned
        .push(u_churn < if fast { p_churn_fast } else { p_churn_slow });
    let tr = &mut out.truth.followup;
    tr.customer.push(id);
    tr.p_fast.push(p_fast_team);
    tr.p_recover_slow.push(p_recover_slow);
    tr.p_recover_fast.push(p_recover_fast);
    tr.p_churn_slow.push(p_churn_slow);
    tr.p_churn_fast.push(p_churn_fast);
}

/// Programme cost of the simulator's refund fix in [`Retailer::fixes`](super::Retailer).
const FIX_COST: f64 = 60_000.0;

/// The register of root-cause fixes: one row per fix (the simulator has one, the refund fix, when
/// [`RetailerOptions::fix_day`] is set).
#[derive(Debug, Clone, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct FixTable {
    /// Fix id.
    pub id: Vec<String>,
    /// Theme the fix addresses (a name of [`THEMES`](super::THEMES)).
    pub theme: Vec<String>,
    /// Rollout time (seconds).
    pub rollout: Vec<i64>,
    /// Name of the customers' column of customers held out of the fix (`None`: no holdout).
    pub holdout: Vec<Option<String>>,
    /// Programme cost of the fix.
    pub cost: Vec<f64>,
}

pub(super) fn fixes(opts: &RetailerOptions) -> FixTable {
    let mut f = FixTable::default();
    if let Some(day) = opts.fix_day {
        f.id.push("refund_sync".into());
        f.theme.push("refund".into());
        f.rollout.push((opts.start_day + i64::from(day)) * DAY);
        f.holdout
            .push((opts.holdout > 0.0).then(|| "holdout".to_string()));
        f.cost.push(FIX_COST);
    }
    f
}
