//! Churn-risk hot paths: the L2 logistic fit on 1M × 20 standardised, correlated features (C = 1, to
//! tol 1e-10) and ROC AUC on 10M scores, tied and continuous.
//!
//! Run with `cargo bench -p voc-benches --bench risk` (add `-- --quick` for a fast pass). Sizes can be
//! lowered with `VOC_BENCH_ROWS` (fit) and `VOC_BENCH_SCORES` (AUC).
//!
//! The data are made once, outside the timed loops (seeded); `benches/python/bench_risk.py` times the
//! same workloads against scikit-learn.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ndarray::{Array2, ShapeBuilder};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use voc_core::Fit;
use voc_core::risk::{LogisticOptions, RiskData, roc_auc};

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(default)
}

/// A standard normal draw (Box–Muller).
fn normal(rng: &mut ChaCha8Rng) -> f64 {
    let u: f64 = rng.random::<f64>().max(1e-300);
    let v: f64 = rng.random();
    (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
}

/// `p` feature columns (neighbours correlated) and 0/1 labels from a logistic model, ~20% positives.
fn logistic_data(n: usize, p: usize, seed: u64) -> (Vec<Vec<f64>>, Vec<f64>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut cols: Vec<Vec<f64>> = (0..p)
        .map(|_| (0..n).map(|_| normal(&mut rng)).collect())
        .collect();
    for j in (1..p).rev() {
        let (head, tail) = cols.split_at_mut(j);
        for (a, b) in tail[0].iter_mut().zip(&head[j - 1]) {
            *a += 0.4 * b;
        }
    }
    let beta: Vec<f64> = (0..p)
        .map(|j| {
            if j < p / 2 {
                0.6 * normal(&mut rng)
            } else {
                0.0
            }
        })
        .collect();
    let y = (0..n)
        .map(|i| {
            let eta = -1.6 + (0..p).map(|j| beta[j] * cols[j][i]).sum::<f64>();
            f64::from(rng.random::<f64>() < 1.0 / (1.0 + (-eta).exp()))
        })
        .collect();
    (cols, y)
}

fn bench_fit(c: &mut Criterion) {
    let (n, p) = (env("VOC_BENCH_ROWS", 1_000_000), 20);
    let (cols, y) = logistic_data(n, p, 7);
    // The columns as one Fortran-ordered matrix, read in place (column by column) by the fit.
    let flat: Vec<f64> = cols.into_iter().flatten().collect();
    let x = Array2::from_shape_vec((n, p).f(), flat).expect("n × p values");
    let names: Vec<String> = (0..p).map(|j| format!("x{j}")).collect();
    let opts = LogisticOptions::default();
    let mut g = c.benchmark_group("risk_fit");
    g.sample_size(10).measurement_time(Duration::from_secs(10));
    g.throughput(Throughput::Elements(n as u64));
    g.bench_function(format!("l2_{n}x{p}"), |b| {
        b.iter(|| {
            opts.fit(RiskData::new(black_box(x.view()), &y).names(&names))
                .map(|m| m.convergence.iterations)
        })
    });
    g.finish();
}

fn bench_auc(c: &mut Criterion) {
    let n = env("VOC_BENCH_SCORES", 10_000_000);
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let y: Vec<f64> = (0..n)
        .map(|_| f64::from(rng.random::<f64>() < 0.2))
        .collect();
    let cont: Vec<f64> = y.iter().map(|&v| v + 1.2 * normal(&mut rng)).collect();
    // Scores rounded to 3 decimals of a probability: many ties, as a model's output often has.
    let tied: Vec<f64> = cont
        .iter()
        .map(|&s| (1000.0 / (1.0 + (-s).exp())).round() / 1000.0)
        .collect();
    let mut g = c.benchmark_group("risk_auc");
    g.sample_size(10).measurement_time(Duration::from_secs(10));
    g.throughput(Throughput::Elements(n as u64));
    g.bench_function(format!("continuous_{n}"), |b| {
        b.iter(|| roc_auc(black_box(&y), &cont))
    });
    g.bench_function(format!("tied_{n}"), |b| {
        b.iter(|| roc_auc(black_box(&y), &tied))
    });
    g.finish();
}

criterion_group!(benches, bench_fit, bench_auc);
criterion_main!(benches);
