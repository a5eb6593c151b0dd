//! One customer's life, drawn from its own ChaCha8 stream, and the anonymous social mentions.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Exp, Gamma, LogNormal, Normal};

use super::verbatims::text;
use super::*;
use crate::signals::SurveyKind;
use crate::stats::linalg::sigmoid;
use crate::time::NAT;

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
pub(super) fn simulate(opts: &RetailerOptions, c: usize, out: &mut Out) {
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
                    NAT
                });
                out.returns.refunded.push(if refunded < horizon {
                    secs(refunded)
                } else {
                    NAT
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
        NAT
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
    out.tickets
        .resolved
        .push(if done { secs(resolved).max(at) } else { NAT });
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
pub(super) fn anonymous_mentions(opts: &RetailerOptions, m: &mut MentionTable) {
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
