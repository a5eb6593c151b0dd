//! Key-driver analysis: LMG (Shapley-value regression, exact over all 2^p subsets) and Johnson's relative
//! weights on simulated survey data — 100,000 respondents, 12 / 15 / 20 correlated 1–5 ratings and a
//! 0–10 outcome — end to end (correlation matrix from the rows, then the decomposition), the subset
//! enumeration alone from the correlation matrix, and a 100-replicate bootstrap.
//!
//! Run with `cargo bench -p voc-benches --bench drivers` (add `-- --quick` for a fast pass). The row
//! count can be lowered with `VOC_BENCH_ROWS`. The data are made once, outside the timed loops (seeded).

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use ndarray::{Array2, ArrayView2, ShapeBuilder};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use voc_core::impact::drivers::{
    DriverMethod, KeyDriverOptions, key_drivers, lmg_from_matrix, relative_weights_from_matrix,
};

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(default)
}

/// Ratings 1–5 driven by one shared factor plus noise, and an outcome 0–10 (same recipe as
/// `benches/python/bench_drivers.py`).
fn survey(n: usize, p: usize, seed: u64) -> (Vec<f64>, Vec<Vec<f64>>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut normal =
        move || -> f64 { (0..4).map(|_| rng.random::<f64>() - 0.5).sum::<f64>() * 1.7 };
    let f: Vec<f64> = (0..n).map(|_| normal()).collect();
    let xs: Vec<Vec<f64>> = (0..p)
        .map(|j| {
            (0..n)
                .map(|i| {
                    (3.0 + f[i] * ((j % 3 + 1) as f64) / 2.0 + normal())
                        .round()
                        .clamp(1.0, 5.0)
                })
                .collect()
        })
        .collect();
    let y = (0..n)
        .map(|i| {
            let s: f64 = (0..p)
                .map(|j| xs[j][i] * (0.6 - 0.8 * j as f64 / (p - 1) as f64))
                .sum();
            (5.0 + s / 2.0 + 1.5 * normal()).round().clamp(0.0, 10.0)
        })
        .collect();
    (y, xs)
}

fn correlation(y: &[f64], xs: &[Vec<f64>]) -> Vec<f64> {
    let cols: Vec<&[f64]> = std::iter::once(y)
        .chain(xs.iter().map(Vec::as_slice))
        .collect();
    let d = cols.len();
    let n = y.len() as f64;
    let m: Vec<f64> = cols.iter().map(|c| c.iter().sum::<f64>() / n).collect();
    let mut c = vec![0.0; d * d];
    for a in 0..d {
        for b in 0..d {
            c[a * d + b] = cols[a]
                .iter()
                .zip(cols[b])
                .map(|(x, z)| (x - m[a]) * (z - m[b]))
                .sum::<f64>();
        }
    }
    c
}

/// With `VOC_BENCH_HOOK` set, an interrupt hook (that never stops) is installed, as the Python
/// binding does: the cost of the interrupt checks can then be measured (scripts/bench_ir.sh).
fn maybe_hook() {
    fn never() -> bool {
        false
    }
    if std::env::var_os("VOC_BENCH_HOOK").is_some() {
        voc_core::interrupt::set_hook(Some(never));
    }
}

fn drivers_bench(c: &mut Criterion) {
    maybe_hook();
    let n = env("VOC_BENCH_ROWS", 100_000);
    let mut group = c.benchmark_group("key_drivers");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(10));
    group.throughput(Throughput::Elements(n as u64));
    for p in [12, 15, 20] {
        let (y, xs) = survey(n, p, 7);
        let names: Vec<String> = (0..p).map(|j| format!("q{j:02}")).collect();
        // Column-major, as a DataFrame's columns side by side: read in place.
        let x = Array2::from_shape_fn((n, p).f(), |(i, j)| xs[j][i]);
        for method in [DriverMethod::Lmg, DriverMethod::Johnson] {
            let opts = KeyDriverOptions::default().method(method);
            group.bench_with_input(
                BenchmarkId::new(format!("{}_rows", method.name()), format!("{p}x{n}")),
                &opts,
                |b, opts| {
                    b.iter(|| key_drivers(black_box(&y), black_box(x.view()), &names, None, opts))
                },
            );
        }
        if p == 12 {
            let opts = KeyDriverOptions::default()
                .method(DriverMethod::Lmg)
                .resamples(100)
                .seed(1);
            group.bench_with_input(
                BenchmarkId::new("lmg_bootstrap100", format!("{p}x{n}")),
                &opts,
                |b, opts| {
                    b.iter(|| key_drivers(black_box(&y), black_box(x.view()), &names, None, opts))
                },
            );
            // Row-major input: each column is copied once before the moment sums.
            let rows = x.as_standard_layout().into_owned();
            let opts = KeyDriverOptions::default().method(DriverMethod::Johnson);
            group.bench_with_input(
                BenchmarkId::new("johnson_rows_row_major", format!("{p}x{n}")),
                &opts,
                |b, opts| {
                    b.iter(|| {
                        key_drivers(black_box(&y), black_box(rows.view()), &names, None, opts)
                    })
                },
            );
        }
    }
    group.finish();

    // The decomposition alone, from the (p + 1) × (p + 1) covariance matrix.
    let mut group = c.benchmark_group("from_matrix");
    group.sample_size(20);
    for p in [12, 15, 20] {
        let (y, xs) = survey(5_000, p, 11);
        let cov = correlation(&y, &xs);
        let cov = ArrayView2::from_shape((p + 1, p + 1), &cov[..]).expect("(p + 1)² values");
        group.throughput(Throughput::Elements(1 << p));
        group.bench_with_input(BenchmarkId::new("lmg_subsets", p), &cov, |b, cov| {
            b.iter(|| lmg_from_matrix(black_box(*cov)))
        });
        group.bench_with_input(BenchmarkId::new("johnson", p), &cov, |b, cov| {
            b.iter(|| relative_weights_from_matrix(black_box(*cov)))
        });
    }
    group.finish();
}

criterion_group!(benches, drivers_bench);
criterion_main!(benches);
