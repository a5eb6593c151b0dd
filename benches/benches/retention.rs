//! Retention hot paths: Kaplan–Meier on 1M subjects (continuous and tied integer durations, ungrouped
//! and in 5 groups), Cox PH on 100k × 10 (continuous and tied integer days, Efron), BG/NBD on 100k
//! customers, cohort retention on 1M orders, and the follow-up loop metrics of 1M cases in 8 teams.
//!
//! Run with `cargo bench -p voc-benches --bench retention` (add `-- --quick` for a fast pass). Data are
//! generated once per group, outside the timed loop, from a seeded ChaCha8 stream.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use voc_core::retention::{
    BgNbd, BgNbdOptions, CohortOptions, CoxOptions, KmOptions, Ties, cohort_retention, cox_ph,
    kaplan_meier,
};

/// Exponential variate with the given mean.
fn exp(rng: &mut ChaCha8Rng, mean: f64) -> f64 {
    -mean * (1.0 - rng.random::<f64>()).ln()
}

fn km(c: &mut Criterion) {
    let n = 1_000_000;
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let cont: Vec<f64> = (0..n).map(|_| exp(&mut rng, 365.0)).collect();
    let days: Vec<f64> = cont.iter().map(|d| d.floor()).collect();
    let events: Vec<f64> = (0..n)
        .map(|_| f64::from(u8::from(rng.random::<f64>() < 0.6)))
        .collect();
    let groups: Vec<u32> = (0..n).map(|_| rng.random_range(0..5)).collect();
    let mut g = c.benchmark_group("kaplan_meier_1M");
    g.sample_size(20).measurement_time(Duration::from_secs(8));
    g.bench_function("continuous", |b| {
        b.iter(|| kaplan_meier(black_box(&cont), &events, None, &KmOptions::default()))
    });
    g.bench_function("integer_days", |b| {
        b.iter(|| kaplan_meier(black_box(&days), &events, None, &KmOptions::default()))
    });
    g.bench_function("integer_days_5_groups", |b| {
        b.iter(|| {
            kaplan_meier(
                black_box(&days),
                &events,
                Some(&groups),
                &KmOptions::default(),
            )
        })
    });
    g.finish();
}

fn cox(c: &mut Criterion) {
    let (n, p) = (100_000, 10);
    let mut rng = ChaCha8Rng::seed_from_u64(2);
    let x: Vec<f64> = (0..n * p)
        .map(|_| rng.random::<f64>() * 2.0 - 1.0)
        .collect();
    let beta: Vec<f64> = (0..p).map(|j| 0.1 * (j as f64 - 4.5)).collect();
    let cont: Vec<f64> = x
        .chunks_exact(p)
        .map(|r| {
            let eta: f64 = r.iter().zip(&beta).map(|(a, b)| a * b).sum();
            exp(&mut rng, 365.0 * (-eta).exp())
        })
        .collect();
    let days: Vec<f64> = cont.iter().map(|d| d.floor().min(730.0)).collect();
    let events: Vec<f64> = cont
        .iter()
        .map(|&d| f64::from(u8::from(d < 730.0 && rng.random::<f64>() < 0.8)))
        .collect();
    let x = ndarray::Array2::from_shape_vec((n, p), x).expect("n × p values");
    let mut g = c.benchmark_group("cox_100k_x_10");
    g.sample_size(10).measurement_time(Duration::from_secs(10));
    g.bench_function("efron_continuous", |b| {
        b.iter(|| cox_ph(black_box(x.view()), &cont, &events, &CoxOptions::default()))
    });
    g.bench_function("efron_integer_days", |b| {
        b.iter(|| cox_ph(black_box(x.view()), &days, &events, &CoxOptions::default()))
    });
    let breslow = CoxOptions::default().ties(Ties::Breslow);
    g.bench_function("breslow_integer_days", |b| {
        b.iter(|| cox_ph(black_box(x.view()), &days, &events, &breslow))
    });
    g.finish();
}

fn bgnbd(c: &mut Criterion) {
    // Simulated BG/NBD customers (r = 0.25, alpha = 4, a = 0.8, b = 2.5) over 39 weeks.
    let n = 100_000;
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let (mut f, mut r, mut t) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..n {
        let big_t = 39.0;
        let lambda = gamma(&mut rng, 0.25) / 4.0;
        let pdrop = beta(&mut rng, 0.8, 2.5);
        let (mut now, mut x, mut last) = (0.0, 0.0, 0.0);
        loop {
            now += exp(&mut rng, 1.0 / lambda.max(1e-12));
            if now > big_t {
                break;
            }
            x += 1.0;
            last = now;
            if rng.random::<f64>() < pdrop {
                break;
            }
        }
        f.push(x);
        r.push(last);
        t.push(big_t);
    }
    let mut g = c.benchmark_group("bgnbd_100k");
    g.sample_size(10).measurement_time(Duration::from_secs(10));
    g.bench_function("fit", |b| {
        b.iter(|| BgNbd::fit(black_box(&f), &r, &t, &BgNbdOptions::default()))
    });
    g.finish();
}

/// Gamma(shape, 1) by Marsaglia–Tsang (with the shape < 1 boost).
fn gamma(rng: &mut ChaCha8Rng, shape: f64) -> f64 {
    if shape < 1.0 {
        let u: f64 = rng.random::<f64>().max(1e-300);
        return gamma(rng, shape + 1.0) * u.powf(1.0 / shape);
    }
    let d = shape - 1.0 / 3.0;
    let c = 1.0 / (9.0 * d).sqrt();
    loop {
        let (mut xn, mut v);
        loop {
            // Box–Muller normal
            let u1: f64 = rng.random::<f64>().max(1e-300);
            let u2: f64 = rng.random();
            xn = (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos();
            v = 1.0 + c * xn;
            if v > 0.0 {
                break;
            }
        }
        v = v * v * v;
        let u: f64 = rng.random();
        if u.ln() < 0.5 * xn * xn + d - d * v + d * v.ln() {
            return d * v;
        }
    }
}

fn beta(rng: &mut ChaCha8Rng, a: f64, b: f64) -> f64 {
    let x = gamma(rng, a);
    let y = gamma(rng, b);
    x / (x + y)
}

fn cohorts(c: &mut Criterion) {
    let n = 1_000_000;
    let mut rng = ChaCha8Rng::seed_from_u64(4);
    let cust: Vec<u32> = (0..n).map(|_| rng.random_range(0..200_000)).collect();
    let days: Vec<i64> = (0..n).map(|_| 19_000 + rng.random_range(0..730)).collect();
    let mut g = c.benchmark_group("cohorts_1M_orders");
    g.sample_size(20);
    g.bench_function("cohort_retention", |b| {
        b.iter(|| cohort_retention(black_box(&cust), &days, &CohortOptions::default()))
    });
    g.finish();
}

/// Loop metrics of 1M follow-up cases in 8 teams (the data of `benches/python/bench_followup.py`:
/// opened over 90 days, contacts after hours to days, 5% closed without a contact, 10% open).
fn followup(c: &mut Criterion) {
    use voc_core::MissingPolicy;
    use voc_core::followup::{LoopInput, LoopOptions, loop_metrics};
    use voc_core::time::NAT;
    const H: f64 = 3600.0;
    let n = 1_000_000;
    let mut rng = ChaCha8Rng::seed_from_u64(17);
    let speed = [6.0, 9.0, 12.0, 18.0, 24.0, 30.0, 40.0, 60.0];
    let as_of = (95 * 24 * 3600) as i64;
    let (mut groups, mut opened, mut contacted, mut closed) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    for _ in 0..n {
        let g = rng.random_range(0..8usize);
        let o = (rng.random::<f64>() * 90.0 * 24.0 * H) as i64;
        let c = o + (gamma(&mut rng, 1.2) * speed[g] / 1.2 * H) as i64;
        let z = c + (gamma(&mut rng, 2.0) * 24.0 * H) as i64;
        let u = rng.random::<f64>();
        groups.push(g as u32);
        opened.push(o);
        if u < 0.05 {
            contacted.push(NAT);
            closed.push(o + 20 * 3600);
        } else {
            contacted.push(if c > as_of { NAT } else { c });
            closed.push(if u > 0.9 || z > as_of { NAT } else { z });
        }
    }
    let names: Vec<String> = (0..8).map(|k| format!("team_{k}")).collect();
    let input = LoopInput {
        groups: &groups,
        opened: &opened,
        contacted: &contacted,
        closed: &closed,
        as_of: Some(as_of),
    };
    let mut g = c.benchmark_group("followup_1M");
    g.sample_size(20).measurement_time(Duration::from_secs(8));
    g.bench_function("loop_metrics_8_teams", |b| {
        b.iter(|| {
            loop_metrics(
                &names,
                black_box(input),
                MissingPolicy::Error,
                None,
                &LoopOptions::default(),
            )
        })
    });
    g.finish();
}

criterion_group!(benches, km, cox, bgnbd, cohorts, followup);
criterion_main!(benches);
