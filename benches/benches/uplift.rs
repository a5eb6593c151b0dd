//! Uplift hot paths on a randomised test of 1M customers × 20 standardised, correlated features: the
//! T-learner fit (one unpenalised logistic model per arm, to tol 1e-10), the prediction of every
//! customer's uplift, the Qini coefficient of that ranking, and the three together.
//!
//! Run with `cargo bench -p voc-benches --bench uplift` (add `-- --quick` for a fast pass). The size can
//! be lowered with `VOC_BENCH_ROWS`.
//!
//! The data are made once, outside the timed loops (seeded); `benches/python/bench_uplift.py` times the
//! same pipeline against scikit-uplift.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ndarray::Array2;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use voc_core::risk::{LogisticOptions, Penalty};
use voc_core::uplift::{UpliftData, UpliftOptions, qini_auc};
use voc_core::{Fit, Predict};

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

/// C-ordered features (neighbours correlated), a 50/50 treatment and a 0/1 outcome whose treatment
/// effect varies with the first three features.
fn uplift_data(n: usize, p: usize, seed: u64) -> (Array2<f64>, Vec<f64>, Vec<f64>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut x = Array2::from_shape_fn((n, p), |_| normal(&mut rng));
    for mut row in x.rows_mut() {
        for j in (1..p).rev() {
            row[j] += 0.4 * row[j - 1];
        }
    }
    let beta: Vec<f64> = (0..p)
        .map(|j| {
            if j < p / 2 {
                0.5 * normal(&mut rng)
            } else {
                0.0
            }
        })
        .collect();
    let gamma = [0.4, -0.3, 0.2];
    let t: Vec<f64> = (0..n).map(|_| f64::from(rng.random::<bool>())).collect();
    let y = x
        .rows()
        .into_iter()
        .zip(&t)
        .map(|(row, &ti)| {
            let base: f64 = row.iter().zip(&beta).map(|(v, b)| v * b).sum();
            let effect: f64 = row.iter().zip(&gamma).map(|(v, g)| v * g).sum();
            let eta = 0.8 + base + ti * (0.1 + effect);
            f64::from(rng.random::<f64>() < 1.0 / (1.0 + (-eta).exp()))
        })
        .collect();
    (x, y, t)
}

fn bench_uplift(c: &mut Criterion) {
    let (n, p) = (env("VOC_BENCH_ROWS", 1_000_000), 20);
    let (x, y, t) = uplift_data(n, p, 17);
    let opts = UpliftOptions::default().logistic(LogisticOptions::default().penalty(Penalty::None));
    let model = opts
        .fit(UpliftData::new(x.view(), &y, &t))
        .expect("the T-learner fits");
    let uplift = model.predict_uplift(x.view()).expect("predictions");
    let mut g = c.benchmark_group("uplift");
    g.sample_size(10).measurement_time(Duration::from_secs(10));
    g.throughput(Throughput::Elements(n as u64));
    g.bench_function(format!("t_learner_fit_{n}x{p}"), |b| {
        b.iter(|| {
            opts.fit(UpliftData::new(black_box(x.view()), &y, &t))
                .map(|m| m.arms)
        })
    });
    g.bench_function(format!("predict_{n}x{p}"), |b| {
        b.iter(|| model.predict(black_box(x.view())).map(|p| p.uplift.len()))
    });
    g.bench_function(format!("qini_auc_{n}"), |b| {
        b.iter(|| qini_auc(&y, &t, black_box(&uplift), true).map(|q| q.estimate))
    });
    g.bench_function(format!("fit_predict_qini_{n}x{p}"), |b| {
        b.iter(|| {
            let m = opts.fit(UpliftData::new(black_box(x.view()), &y, &t))?;
            let u = m.predict_uplift(x.view())?;
            qini_auc(&y, &t, &u, true).map(|q| q.estimate)
        })
    });
    g.finish();
}

criterion_group!(benches, bench_uplift);
criterion_main!(benches);
