//! Simulation tests of the score alerts: planted drops are flagged and seasonal dips are not; without
//! drops the false-alarm rate is the nominal one.

#![cfg(test)] // compiled for the tests only: the unwraps below never run in the library
#![allow(clippy::unwrap_used)]

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Binomial, Distribution};

use super::*;
use crate::impact::score_themes::ScoreMetric;
use crate::time::days_from_civil;

const WEEKS_PER_YEAR: f64 = 365.2425 / 7.0;

fn start() -> i64 {
    Period::Week.index(days_from_civil(2018, 1, 1))
}

/// A weekly NPS series: a level, a yearly dip of `depth` points (a bump of sd 6 weeks at week `dip`
/// of each year) and, in half the series, a trend; each week's NPS is that of `n` simulated answers
/// (30% passives, promoters and detractors splitting the rest to give the week's true NPS).
struct Series {
    means: Vec<f64>,
    n: Vec<f64>,
    level: f64,
    depth: f64,
    dip: f64,
    trend: f64,
}

impl Series {
    fn truth(&self, week: usize) -> f64 {
        truth(self.level, self.depth, self.dip, self.trend, week)
    }

    fn distance_to_dip(&self, week: usize) -> f64 {
        let pos = (week as f64 % WEEKS_PER_YEAR) - self.dip;
        pos.abs().min(WEEKS_PER_YEAR - pos.abs())
    }
}

fn truth(level: f64, depth: f64, dip: f64, trend: f64, week: usize) -> f64 {
    let pos = (week as f64 % WEEKS_PER_YEAR) - dip;
    let d = pos.abs().min(WEEKS_PER_YEAR - pos.abs());
    level - depth * (-(d * d) / (2.0 * 36.0)).exp() + trend * week as f64 / WEEKS_PER_YEAR
}

/// The NPS of `n` answers with true NPS `nps` (points).
fn draw_nps(rng: &mut ChaCha8Rng, n: u64, nps: f64) -> f64 {
    let pro = ((0.7 + nps / 100.0) / 2.0).clamp(0.0, 0.7);
    let det = 0.7 - pro;
    let promoters = Binomial::new(n, pro).map_or(0, |b| b.sample(rng));
    let rest = n - promoters;
    let detractors =
        Binomial::new(rest, (det / (1.0 - pro)).clamp(0.0, 1.0)).map_or(0, |b| b.sample(rng));
    100.0 * (promoters as f64 - detractors as f64) / n as f64
}

/// The sampling sd of one answer's value at true NPS `nps`.
fn answer_sd(nps: f64) -> f64 {
    let pro = (0.7 + nps / 100.0) / 2.0;
    let det = 0.7 - pro;
    (1e4 * (pro + det) - nps * nps).sqrt()
}

fn simulate(rng: &mut ChaCha8Rng, weeks: usize, depth: f64) -> Series {
    let level = rng.random_range(10.0..45.0);
    let dip = rng.random_range(5.0..47.0);
    let trend = if depth == 0.0 {
        0.0
    } else if rng.random_bool(0.5) {
        rng.random_range(-3.0..3.0)
    } else {
        0.0
    };
    let mut s = Series {
        means: Vec::with_capacity(weeks),
        n: Vec::with_capacity(weeks),
        level,
        depth,
        dip,
        trend,
    };
    for w in 0..weeks {
        let n = rng.random_range(80..300_u64);
        let nps = s.truth(w);
        s.means.push(draw_nps(rng, n, nps));
        s.n.push(n as f64);
    }
    s
}

#[test]
fn planted_drops_are_flagged_and_seasonal_dips_are_not() {
    let mut rng = ChaCha8Rng::seed_from_u64(23);
    let weeks = 6 * 52 + 10;
    let mut all = Vec::new();
    for _ in 0..60 {
        let mut s = simulate(&mut rng, weeks, 20.0);
        // Drops in the last year, away from the dip: five sampling SDs below the truth.
        let mut planted = Vec::new();
        for _ in 0..50 {
            if planted.len() == 3 {
                break;
            }
            let w = rng.random_range(weeks - 52..weeks);
            if s.distance_to_dip(w) < 10.0 || planted.contains(&w) {
                continue;
            }
            let mu = s.truth(w);
            s.means[w] = mu - 5.0 * answer_sd(mu) / s.n[w].sqrt();
            planted.push(w);
        }
        all.push((s, planted));
    }
    let opts = AlertOptions::default().last(Some(52));
    let (mut drops, mut caught) = (0usize, 0usize);
    let (mut dip_weeks, mut dip_alerts) = (0usize, 0usize);
    let (mut quiet_weeks, mut quiet_alerts) = (0usize, 0usize);
    for (s, planted) in &all {
        let rows = score_alerts(
            &s.means,
            &s.n,
            start(),
            Period::Week,
            AlertSide::Lower,
            &opts,
        )
        .unwrap();
        assert_eq!(rows.len(), 52);
        for r in &rows {
            assert_eq!(r.method, AlertMethod::FarringtonFlexible);
            assert_eq!(r.years, 5);
            assert!((r.difference - (r.observed - r.expected)).abs() < 1e-12);
            assert_eq!(r.alert, r.observed < r.lower.unwrap());
            if planted.contains(&r.index) {
                drops += 1;
                caught += usize::from(r.alert);
            } else if s.distance_to_dip(r.index) <= 2.0 {
                dip_weeks += 1;
                dip_alerts += usize::from(r.alert);
            } else {
                quiet_weeks += 1;
                quiet_alerts += usize::from(r.alert);
            }
        }
    }
    eprintln!(
        "drops {caught}/{drops}, dip weeks {dip_alerts}/{dip_weeks}, quiet weeks {quiet_alerts}/{quiet_weeks}"
    );
    assert_eq!(drops, 3 * 60);
    assert!(
        caught as f64 >= 0.95 * drops as f64,
        "{caught} of {drops} drops flagged"
    );
    // The yearly dip of 20 points (three sampling SDs) is expected: its weeks alert about as rarely
    // as quiet weeks, near the nominal 1% (at most 3%: the reference windows average the curved bottom
    // of the dip, so its deepest weeks are expected a little too high).
    assert!(dip_weeks >= 200, "{dip_weeks}");
    assert!(
        dip_alerts as f64 <= 0.03 * dip_weeks as f64,
        "{dip_alerts} of {dip_weeks} dip weeks flagged"
    );
    assert!(
        quiet_alerts as f64 <= 0.02 * quiet_weeks as f64,
        "{quiet_alerts} of {quiet_weeks} quiet weeks flagged"
    );
}

/// False alarms in the last week of `n_series` series without drops (a seasonal dip of 8 points and
/// trends; flat series when `weeks` is shorter than a year, where the trailing baseline answers).
fn false_alarms(alpha: f64, side: AlertSide, n_series: usize, weeks: usize, seed: u64) -> usize {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let opts = AlertOptions::default().alpha(alpha).last(Some(1));
    (0..n_series)
        .map(|_| {
            let s = simulate(&mut rng, weeks, if weeks < 52 { 0.0 } else { 8.0 });
            let rows = score_alerts(&s.means, &s.n, start(), Period::Week, side, &opts).unwrap();
            assert_eq!(rows.len(), 1);
            usize::from(rows[0].alert)
        })
        .sum()
}

#[test]
fn the_false_alarm_rate_is_the_nominal_rate() {
    // One evaluation per simulated series, so the alarms are independent Bernoulli trials.
    for &(alpha, side, n, weeks, seed) in &[
        (0.05, AlertSide::Lower, 2_000, 6 * 52 + 20, 7),
        (0.05, AlertSide::TwoSided, 1_000, 6 * 52 + 20, 8),
        (0.05, AlertSide::Lower, 1_000, 30, 9), // the trailing baseline, on flat series
    ] {
        let k = false_alarms(alpha, side, n, weeks, seed) as f64;
        let (lo, hi) = super::tests::binomial_interval(n, alpha);
        eprintln!("alpha {alpha} {side:?} weeks {weeks}: {k} false alarms in {n}");
        assert!(
            (lo..=hi).contains(&k),
            "alpha {alpha}, {side:?}, {weeks} weeks: {k} false alarms in {n} series, outside [{lo}, {hi}]"
        );
    }
}

#[test]
fn periods_without_answers_get_no_row_and_bad_input_names_the_position() {
    let means = [30.0, f64::NAN, 28.0, 31.0, 29.0, 30.0, 10.0];
    let n = [100.0, 0.0, 100.0, 100.0, 100.0, 100.0, 100.0];
    let rows = score_alerts(
        &means,
        &n,
        2_900,
        Period::Week,
        AlertSide::Lower,
        &AlertOptions::default(),
    )
    .unwrap();
    // Positions with 4 earlier periods with answers: 5 and 6; position 1 has none.
    assert_eq!(rows.iter().map(|r| r.index).collect::<Vec<_>>(), [5, 6]);
    assert!(rows[1].alert && rows[1].method == AlertMethod::Trailing);
    assert!((rows[0].expected - 29.5).abs() < 1e-12);
    let o = AlertOptions::default();
    let e = score_alerts(
        &[1.0, f64::NAN],
        &[1.0, 2.0],
        0,
        Period::Week,
        AlertSide::Lower,
        &o,
    );
    assert_eq!(
        e.unwrap_err(),
        Error::Missing {
            arg: "means",
            index: 1
        }
    );
    let e = score_alerts(
        &[1.0, 2.0],
        &[1.0, -2.0],
        0,
        Period::Week,
        AlertSide::Lower,
        &o,
    );
    assert!(matches!(
        e.unwrap_err(),
        Error::InvalidValue {
            arg: "n",
            index: 1,
            ..
        }
    ));
    let e = score_alerts(&[1.0; 5], &[1.0; 4], 0, Period::Week, AlertSide::Lower, &o);
    assert!(matches!(e.unwrap_err(), Error::LengthMismatch { .. }));
    let e = score_alerts(&[1.0; 3], &[1.0; 3], 0, Period::Week, AlertSide::Lower, &o);
    assert!(matches!(e.unwrap_err(), Error::InsufficientData(_)));
}

#[test]
fn answers_and_period_means_give_the_same_alerts() {
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let (mut scores, mut weeks, mut stores) = (Vec::new(), Vec::new(), Vec::new());
    for w in 0..30_i64 {
        for store in 0..2_u32 {
            for _ in 0..rng.random_range(20..40) {
                scores.push(f64::from(rng.random_range(0..11_u8)));
                weeks.push(2_900 + w);
                stores.push(store);
            }
        }
    }
    let o = AlertOptions::default();
    let a = score_alerts_by(
        ScoreInput::Answers {
            scores: &scores,
            metric: ScoreMetric::Nps,
            satisfied_from: 4.0,
        },
        &weeks,
        Some(&stores),
        Period::Week,
        AlertSide::TwoSided,
        &o,
    )
    .unwrap();
    // The same answers as one mean and count per (store, week).
    let (mut means, mut n, mut wk, mut st) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for w in 0..30_i64 {
        for store in 0..2_u32 {
            let v: Vec<f64> = (0..scores.len())
                .filter(|&i| weeks[i] == 2_900 + w && stores[i] == store)
                .map(|i| ScoreMetric::Nps.value("scores", i, scores[i], 4.0).unwrap())
                .collect();
            means.push(v.iter().sum::<f64>() / v.len() as f64);
            n.push(v.len() as f64);
            wk.push(2_900 + w);
            st.push(store);
        }
    }
    let b = score_alerts_by(
        ScoreInput::Means {
            means: &means,
            n: &n,
        },
        &wk,
        Some(&st),
        Period::Week,
        AlertSide::TwoSided,
        &o,
    )
    .unwrap();
    assert_eq!(a.len(), 2 * 26);
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(&b) {
        assert_eq!((x.group, x.period, x.row.n), (y.group, y.period, y.row.n));
        assert!((x.row.expected - y.row.expected).abs() < 1e-9);
        assert!((x.row.p_value - y.row.p_value).abs() < 1e-9);
    }
    let e = score_alerts_by(
        ScoreInput::Answers {
            scores: &[9.0, 11.0],
            metric: ScoreMetric::Nps,
            satisfied_from: 4.0,
        },
        &[1, 2],
        None,
        Period::Week,
        AlertSide::Lower,
        &o,
    );
    assert!(matches!(
        e.unwrap_err(),
        Error::OutOfRange {
            arg: "scores",
            index: 1,
            ..
        }
    ));
}
