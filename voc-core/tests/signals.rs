//! Churn signals: no leakage across the cutoff (property test), the simulator's determinism, and the
//! planted cause (customers with long refund delays churn more) recovered with a confidence interval.

// Tests report failure by panicking.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use proptest::prelude::*;
use proptest::test_runner::Config;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use voc_core::sample::{RetailerOptions, retailer};
use voc_core::signals::*;
use voc_core::stats::{TestOptions, two_proportion_test};
use voc_core::time::NAT;

/// Random event tables (times in seconds over 200 days; a few customers so that windows overlap).
#[derive(Debug, Clone)]
struct Tables {
    ids: Vec<i64>,
    signup: Vec<i64>,
    o_customer: Vec<i64>,
    o_time: Vec<i64>,
    o_amount: Vec<f64>,
    r_customer: Vec<i64>,
    r_requested: Vec<i64>,
    r_received: Vec<i64>,
    r_refunded: Vec<i64>,
    r_amount: Vec<f64>,
    t_customer: Vec<i64>,
    t_time: Vec<i64>,
    t_theme: Vec<Option<u32>>,
    t_resolved: Vec<i64>,
    t_csat: Vec<f64>,
    t_sentiment: Vec<f64>,
    s_customer: Vec<i64>,
    s_time: Vec<i64>,
    s_kind: Vec<SurveyKind>,
    s_score: Vec<f64>,
    m_customer: Vec<i64>,
    m_time: Vec<i64>,
    m_sentiment: Vec<f64>,
    c_customer: Vec<i64>,
    c_time: Vec<i64>,
}

const SPAN: i64 = 200 * DAY;
const THEMES: u32 = 3;

fn time(rng: &mut ChaCha8Rng, from: i64, to: i64) -> i64 {
    // Whole days half of the time, so that ties and window edges are hit.
    let t = rng.random_range(from..to.max(from + 1));
    if rng.random::<bool>() {
        t - t.rem_euclid(DAY) + from.rem_euclid(DAY)
    } else {
        t
    }
    .max(from)
}

fn maybe_nan(rng: &mut ChaCha8Rng, v: f64) -> f64 {
    if rng.random::<f64>() < 0.3 {
        f64::NAN
    } else {
        v
    }
}

/// Events of customer `id`, at or after `from`, appended to `t`.
fn add_events(t: &mut Tables, rng: &mut ChaCha8Rng, id: i64, from: i64, count: usize) {
    for _ in 0..count {
        let at = time(rng, from, SPAN);
        match rng.random_range(0..6) {
            0 => {
                t.o_customer.push(id);
                t.o_time.push(at);
                t.o_amount.push(f64::from(rng.random_range(0..500)) / 4.0);
            }
            1 => {
                let rec = if rng.random::<f64>() < 0.8 {
                    at + rng.random_range(0..10 * DAY)
                } else {
                    NAT
                };
                let paid = if rec != NAT && rng.random::<f64>() < 0.7 {
                    rec + rng.random_range(0..30 * DAY)
                } else {
                    NAT
                };
                t.r_customer.push(id);
                t.r_requested.push(at);
                t.r_received.push(rec);
                t.r_refunded.push(paid);
                t.r_amount.push(f64::from(rng.random_range(0..100)));
            }
            2 => {
                t.t_customer.push(id);
                t.t_time.push(at);
                t.t_theme.push(if rng.random::<f64>() < 0.1 {
                    None
                } else {
                    Some(rng.random_range(0..THEMES))
                });
                t.t_resolved.push(if rng.random::<f64>() < 0.7 {
                    at + rng.random_range(0..20 * DAY)
                } else {
                    NAT
                });
                let csat = f64::from(rng.random_range(1..=5));
                t.t_csat.push(maybe_nan(rng, csat));
                let s = rng.random::<f64>() * 2.0 - 1.0;
                t.t_sentiment.push(maybe_nan(rng, s));
            }
            3 => {
                let kind =
                    [SurveyKind::Nps, SurveyKind::Csat, SurveyKind::Ces][rng.random_range(0..3)];
                let (_, lo, hi) = kind.scale();
                t.s_customer.push(id);
                t.s_time.push(at);
                t.s_kind.push(kind);
                t.s_score.push(f64::from(rng.random_range(lo..=hi)));
            }
            4 => {
                t.m_customer.push(id);
                t.m_time.push(at);
                let s = rng.random::<f64>() * 2.0 - 1.0;
                t.m_sentiment.push(maybe_nan(rng, s));
            }
            _ => {
                t.c_customer.push(id);
                t.c_time.push(at);
            }
        }
    }
}

fn random_tables(seed: u64, customers: usize, events: usize) -> Tables {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut t = Tables {
        ids: (0..customers as i64).map(|i| 1000 + 7 * i).collect(),
        signup: (0..customers)
            .map(|_| rng.random_range(0..SPAN / 2))
            .collect(),
        ..empty()
    };
    for _ in 0..events {
        let c = rng.random_range(0..customers);
        let (id, from) = (t.ids[c], t.signup[c]);
        add_events(&mut t, &mut rng, id, from, 1);
    }
    t
}

fn empty() -> Tables {
    Tables {
        ids: vec![],
        signup: vec![],
        o_customer: vec![],
        o_time: vec![],
        o_amount: vec![],
        r_customer: vec![],
        r_requested: vec![],
        r_received: vec![],
        r_refunded: vec![],
        r_amount: vec![],
        t_customer: vec![],
        t_time: vec![],
        t_theme: vec![],
        t_resolved: vec![],
        t_csat: vec![],
        t_sentiment: vec![],
        s_customer: vec![],
        s_time: vec![],
        s_kind: vec![],
        s_score: vec![],
        m_customer: vec![],
        m_time: vec![],
        m_sentiment: vec![],
        c_customer: vec![],
        c_time: vec![],
    }
}

fn log(t: &Tables) -> EventLog {
    log_with(t, RowPolicy::Error)
}

fn log_with(t: &Tables, policy: RowPolicy) -> EventLog {
    let themes: Vec<String> = (0..THEMES).map(|i| format!("t{i}")).collect();
    EventLogBuilder::new(
        Customers {
            id: Ids::Int(&t.ids),
            signup: &t.signup,
        },
        policy,
    )
    .unwrap()
    .orders(Orders {
        id: None,
        customer: Ids::Int(&t.o_customer),
        time: &t.o_time,
        amount: &t.o_amount,
    })
    .unwrap()
    .returns(Returns {
        order: None,
        customer: Ids::Int(&t.r_customer),
        requested: &t.r_requested,
        received: &t.r_received,
        refunded: &t.r_refunded,
        amount: &t.r_amount,
    })
    .unwrap()
    .tickets(
        Tickets {
            customer: Ids::Int(&t.t_customer),
            time: &t.t_time,
            theme: &t.t_theme,
            resolved: &t.t_resolved,
            csat: Some(&t.t_csat),
            sentiment: Some(&t.t_sentiment),
        },
        &themes,
    )
    .unwrap()
    .surveys(Surveys {
        customer: Ids::Int(&t.s_customer),
        time: &t.s_time,
        kind: &t.s_kind,
        score: &t.s_score,
    })
    .unwrap()
    .mentions(Mentions {
        customer: Ids::Int(&t.m_customer),
        time: &t.m_time,
        sentiment: Some(&t.m_sentiment),
    })
    .unwrap()
    .churn(ChurnEvents {
        customer: Ids::Int(&t.c_customer),
        time: &t.c_time,
    })
    .unwrap()
    .build()
}

/// Keeps the rows before the cutoff (re-drawing what happens to them at or after it), drops or re-draws
/// every row at or after it, and adds new events and customers at or after it.
fn perturb_after(t: &Tables, cutoff: i64, seed: u64) -> Tables {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut u = Tables {
        ids: t.ids.clone(),
        signup: t.signup.clone(),
        ..empty()
    };
    let keep = |at: i64| at < cutoff;
    let later = |rng: &mut ChaCha8Rng, from: i64| {
        if rng.random::<bool>() {
            NAT
        } else {
            from + rng.random_range(0..40 * DAY)
        }
    };
    for i in 0..t.o_time.len() {
        if keep(t.o_time[i]) {
            u.o_customer.push(t.o_customer[i]);
            u.o_time.push(t.o_time[i]);
            u.o_amount.push(t.o_amount[i]);
        }
    }
    for i in 0..t.r_requested.len() {
        if !keep(t.r_requested[i]) {
            continue;
        }
        let (mut rec, mut paid) = (t.r_received[i], t.r_refunded[i]);
        if rec == NAT || rec >= cutoff {
            rec = later(&mut rng, cutoff);
            paid = if rec == NAT {
                NAT
            } else {
                later(&mut rng, rec)
            };
        } else if paid == NAT || paid >= cutoff {
            paid = later(&mut rng, cutoff);
        }
        u.r_customer.push(t.r_customer[i]);
        u.r_requested.push(t.r_requested[i]);
        u.r_received.push(rec);
        u.r_refunded.push(paid);
        u.r_amount.push(t.r_amount[i]);
    }
    for i in 0..t.t_time.len() {
        if !keep(t.t_time[i]) {
            continue;
        }
        let done = t.t_resolved[i];
        let (done, csat) = if done == NAT || done >= cutoff {
            // Unresolved at the cutoff: when (or whether) it is resolved later, and its CSAT, must not matter.
            (later(&mut rng, cutoff), f64::from(rng.random_range(1..=5)))
        } else {
            (done, t.t_csat[i])
        };
        u.t_customer.push(t.t_customer[i]);
        u.t_time.push(t.t_time[i]);
        u.t_theme.push(t.t_theme[i]);
        u.t_resolved.push(done);
        u.t_csat.push(csat);
        u.t_sentiment.push(t.t_sentiment[i]);
    }
    for i in 0..t.s_time.len() {
        if keep(t.s_time[i]) {
            u.s_customer.push(t.s_customer[i]);
            u.s_time.push(t.s_time[i]);
            u.s_kind.push(t.s_kind[i]);
            u.s_score.push(t.s_score[i]);
        }
    }
    for i in 0..t.m_time.len() {
        if keep(t.m_time[i]) {
            u.m_customer.push(t.m_customer[i]);
            u.m_time.push(t.m_time[i]);
            u.m_sentiment.push(t.m_sentiment[i]);
        }
    }
    for i in 0..t.c_time.len() {
        if keep(t.c_time[i]) {
            u.c_customer.push(t.c_customer[i]);
            u.c_time.push(t.c_time[i]);
        }
    }
    // New events after the cutoff for existing customers, and customers who sign up after it.
    for _ in 0..rng.random_range(0..40) {
        let c = rng.random_range(0..u.ids.len());
        let id = u.ids[c];
        let from = cutoff.max(u.signup[c]);
        add_events(&mut u, &mut rng, id, from, 1);
    }
    for k in 0..rng.random_range(0..3) {
        let id = 1_000_000 + k;
        u.ids.push(id);
        u.signup.push(cutoff + rng.random_range(0..DAY));
        add_events(&mut u, &mut rng, id, cutoff + DAY, 3);
    }
    u
}

fn bits(f: &Features) -> Vec<u64> {
    f.values().t().iter().map(|v| v.to_bits()).collect()
}

fn config(cases: u32) -> Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(cases);
    Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    }
}

proptest! {
    #![proptest_config(config(64))]

    /// Adding, removing or changing anything at or after the cutoff changes no feature (bit for bit).
    #[test]
    fn no_leakage(seed in any::<u64>(), customers in 1usize..12, events in 0usize..200,
                  cutoff_day in 1i64..199, windows in prop::sample::subsequence(vec![7u32, 30, 45, 90], 1..4),
                  silence in 1u32..120, themes in any::<bool>()) {
        let t = random_tables(seed, customers, events);
        let cutoff = cutoff_day * DAY + (seed % 3) as i64 * 3_600;
        let opts = FeatureOptions::new(cutoff).windows(&windows).silence_days(silence).theme_counts(themes);
        let a = log(&t).features(&opts).unwrap();
        let b = log(&perturb_after(&t, cutoff, seed ^ 0x5eed)).features(&opts).unwrap();
        prop_assert_eq!(&a.names, &b.names);
        prop_assert_eq!(&a.customers, &b.customers);
        prop_assert_eq!(bits(&a), bits(&b));
    }

    /// Input row order does not matter beyond ties: shuffling whole tables gives the same features.
    #[test]
    fn rows_are_grouped_whatever_their_order(seed in any::<u64>(), customers in 1usize..8, events in 0usize..120) {
        let t = random_tables(seed, customers, events);
        let mut s = t.clone();
        // Reverse the orders table: order features use sums, counts and the latest time.
        s.o_customer.reverse();
        s.o_time.reverse();
        s.o_amount.reverse();
        let opts = FeatureOptions::new(120 * DAY);
        let (a, b) = (log(&t).features(&opts).unwrap(), log(&s).features(&opts).unwrap());
        for name in ["frequency", "recency_days", "orders_30d", "orders_change_180d", "silent"] {
            prop_assert_eq!(a.column(name).map(|v| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>()),
                            b.column(name).map(|v| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>()));
        }
        let close = a.column("monetary").unwrap().iter().zip(b.column("monetary").unwrap())
            .all(|(x, y)| (x - y).abs() <= 1e-9 * x.abs().max(1.0));
        prop_assert!(close);
    }
}

/// The survey columns of customer row `c` computed the plain way: the answers before the cutoff in
/// time order (ties in row order), summed and counted per kind.
fn survey_reference(t: &Tables, c: usize, cutoff: i64) -> Vec<f64> {
    let mut rows: Vec<usize> = (0..t.s_time.len())
        .filter(|&i| t.s_customer[i] == t.ids[c] && t.s_time[i] < cutoff)
        .collect();
    rows.sort_by_key(|&i| t.s_time[i]);
    let of = |k: SurveyKind| -> Vec<f64> {
        rows.iter()
            .filter(|&&i| t.s_kind[i] == k)
            .map(|&i| t.s_score[i])
            .collect()
    };
    let mean = |v: &[f64]| {
        if v.is_empty() {
            f64::NAN
        } else {
            v.iter().fold(0.0, |a, b| a + b) / v.len() as f64
        }
    };
    let nps = of(SurveyKind::Nps);
    let last = nps.last().copied().unwrap_or(f64::NAN);
    let prev = if nps.len() >= 2 {
        nps[nps.len() - 2]
    } else {
        f64::NAN
    };
    vec![
        last,
        mean(&nps),
        prev - last,
        f64::from(u8::from(prev >= 9.0 && last <= 6.0)),
        nps.len() as f64,
        mean(&of(SurveyKind::Csat)),
        mean(&of(SurveyKind::Ces)),
        rows.len() as f64,
    ]
}

/// Random orders rows that break a rule (unknown customer, negative or missing amount) spliced into
/// `t` at random places.
fn with_bad_orders(t: &Tables, seed: u64, bad: usize) -> Tables {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut u = t.clone();
    for k in 0..bad {
        let at = rng.random_range(0..=u.o_time.len());
        let (customer, amount) = match k % 3 {
            0 => (-1, 5.0),
            1 => (t.ids[0], -5.0),
            _ => (t.ids[0], f64::NAN),
        };
        u.o_customer.insert(at, customer);
        u.o_time.insert(at, DAY);
        u.o_amount.insert(at, amount);
    }
    u
}

proptest! {
    #![proptest_config(config(64))]

    /// The survey signals equal a plain per-customer computation, bit for bit, whatever the mix of kinds.
    #[test]
    fn survey_signals_equal_a_plain_reference(seed in any::<u64>(), customers in 1usize..8,
                                              events in 0usize..150, cutoff_day in 1i64..199) {
        let t = random_tables(seed, customers, events);
        let cutoff = cutoff_day * DAY;
        let f = log(&t).features(&FeatureOptions::new(cutoff)).unwrap();
        let names = ["nps_last", "nps_mean", "nps_drop", "nps_flip", "nps_count", "csat_mean", "ces_mean", "surveys"];
        for (row, &c) in f.customers.iter().enumerate() {
            let want = survey_reference(&t, c as usize, cutoff);
            for (name, w) in names.iter().zip(&want) {
                let got = f.column(name).unwrap()[row];
                prop_assert_eq!(got.to_bits(), w.to_bits(), "{} of customer row {}", name, c);
            }
        }
    }

    /// Skipping bad rows gives the features of the table without them (bit for bit), and a table with
    /// nothing to skip gives the same log under either policy.
    #[test]
    fn skipped_rows_are_as_if_absent(seed in any::<u64>(), customers in 1usize..8, events in 0usize..120,
                                     bad in 0usize..6) {
        let t = random_tables(seed, customers, events);
        let opts = FeatureOptions::new(120 * DAY);
        let clean = log(&t).features(&opts).unwrap();
        let skipped = log_with(&with_bad_orders(&t, seed ^ 0xbad, bad), RowPolicy::Skip);
        prop_assert_eq!(skipped.skipped().iter().map(|s| s.rows).sum::<u64>(), bad as u64);
        let f = skipped.features(&opts).unwrap();
        prop_assert_eq!(&f.customers, &clean.customers);
        prop_assert_eq!(bits(&f), bits(&clean));
    }
}

#[test]
fn same_seed_gives_byte_identical_data() {
    let opts = RetailerOptions::default().customers(9_000).seed(11);
    let a = serde_json::to_vec(&retailer(&opts).unwrap()).unwrap();
    let b = serde_json::to_vec(&retailer(&opts).unwrap()).unwrap();
    assert_eq!(a, b);
    let c = serde_json::to_vec(&retailer(&opts.clone().seed(12)).unwrap()).unwrap();
    assert_ne!(a, c);
}

/// The planted cause: customers whose refund took long after the warehouse had the return churn more in
/// the next 180 days than the others (difference of churn rates, 99% CI above zero; rate ratio > 1.4).
#[test]
fn long_refund_delays_raise_churn_as_planted() {
    let r = retailer(&RetailerOptions::default().customers(20_000)).unwrap();
    let log = r.event_log().unwrap();
    let cutoff = r.start + 365 * DAY;
    let f = log.features(&FeatureOptions::new(cutoff)).unwrap();
    let y = log.labels(cutoff, 180).unwrap();
    let delay = f.column("refund_delay_max_days").unwrap();
    let frequency = f.column("frequency").unwrap();
    let (mut k1, mut n1, mut k2, mut n2) = (0.0, 0.0, 0.0, 0.0);
    for i in 0..f.rows() {
        if frequency[i] == 0.0 {
            continue;
        }
        let churned = f64::from(u8::from(y.churned[i]));
        if delay[i] >= 9.0 {
            k1 += churned;
            n1 += 1.0;
        } else {
            k2 += churned;
            n2 += 1.0;
        }
    }
    let test =
        two_proportion_test(k1, n1, k2, n2, &TestOptions::default().confidence(0.99)).unwrap();
    assert!(n1 > 500.0 && n2 > 5_000.0, "{n1} {n2}");
    assert!(test.ci.low > 0.0, "{test:?}");
    assert!((k1 / n1) / (k2 / n2) > 1.4, "{} vs {}", k1 / n1, k2 / n2);
}
