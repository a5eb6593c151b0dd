//! Correlation hot paths: Pearson and Spearman on 10M pairs (continuous and Likert), Kendall tau-b on 1M,
//! and a Spearman correlation matrix of 8 columns × 1M rows in column-major and row-major layout.
//!
//! Run with `cargo bench -p voc-benches --bench correlation` (add `-- --quick` for a fast pass). The sizes
//! can be lowered with `VOC_BENCH_PAIRS` (Pearson, Spearman), `VOC_BENCH_KENDALL` (Kendall) and
//! `VOC_BENCH_MATRIX` (rows of the matrix).

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use ndarray::{Array2, ShapeBuilder};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use voc_core::impact::correlation::{
    Alternative, CorrelationMethod, CorrelationOptions, correlation_matrix, kendall, pearson,
    spearman,
};

fn size(var: &str, default: usize) -> usize {
    std::env::var(var)
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(default)
}

/// Correlated continuous pairs and Likert pairs (NPS 0–10 against CSAT 1–5).
fn data(n: usize) -> (Vec<f64>, Vec<f64>, Vec<f64>, Vec<f64>) {
    let mut rng = ChaCha8Rng::seed_from_u64(42);
    let mut x = Vec::with_capacity(n);
    let mut y = Vec::with_capacity(n);
    let mut nps = Vec::with_capacity(n);
    let mut csat = Vec::with_capacity(n);
    for _ in 0..n {
        let u: f64 = rng.random::<f64>() - 0.5;
        let v: f64 = rng.random::<f64>() - 0.5;
        x.push(u);
        y.push(0.3 * u + v);
        let s = rng.random_range(0..=10);
        nps.push(f64::from(s));
        csat.push(f64::from((s / 2 + rng.random_range(0..2)).clamp(1, 5)));
    }
    (x, y, nps, csat)
}

fn correlation(c: &mut Criterion) {
    let n = size("VOC_BENCH_PAIRS", 10_000_000);
    let nk = size("VOC_BENCH_KENDALL", 1_000_000).min(n);
    let (x, y, nps, csat) = data(n);
    let mut g = c.benchmark_group("correlation");
    g.measurement_time(Duration::from_secs(10)).sample_size(10);
    g.throughput(Throughput::Elements(n as u64));
    let a = Alternative::TwoSided;
    g.bench_function(BenchmarkId::new("pearson", n), |b| {
        b.iter(|| {
            pearson(
                black_box(&x),
                black_box(&y),
                &CorrelationOptions::default().alternative(a),
            )
        })
    });
    g.bench_function(BenchmarkId::new("spearman_continuous", n), |b| {
        b.iter(|| {
            spearman(
                black_box(&x),
                black_box(&y),
                &CorrelationOptions::default().alternative(a),
            )
        })
    });
    g.bench_function(BenchmarkId::new("spearman_likert", n), |b| {
        b.iter(|| {
            spearman(
                black_box(&nps),
                black_box(&csat),
                &CorrelationOptions::default().alternative(a),
            )
        })
    });
    g.throughput(Throughput::Elements(nk as u64));
    let (xk, yk) = (&x[..nk], &y[..nk]);
    g.bench_function(BenchmarkId::new("kendall_b_continuous", nk), |b| {
        b.iter(|| {
            kendall(
                black_box(xk),
                black_box(yk),
                &CorrelationOptions::default().alternative(a),
            )
        })
    });
    let (nk_, ck) = (&nps[..nk], &csat[..nk]);
    g.bench_function(BenchmarkId::new("kendall_b_likert", nk), |b| {
        b.iter(|| {
            kendall(
                black_box(nk_),
                black_box(ck),
                &CorrelationOptions::default().alternative(a),
            )
        })
    });
    // Matrix: 8 columns (the continuous and Likert columns at four offsets), column-major (read in
    // place) and row-major (each column copied once).
    let nm = size("VOC_BENCH_MATRIX", 1_000_000).min(n - 3);
    let sources = [&x, &y, &nps, &csat];
    let cols = Array2::from_shape_fn((nm, 8).f(), |(i, j)| sources[j % 4][i + j / 4]);
    let rows = cols.as_standard_layout().into_owned();
    let names: Vec<String> = (0..8).map(|j| format!("c{j}")).collect();
    let o = CorrelationOptions::default().method(CorrelationMethod::Spearman);
    g.throughput(Throughput::Elements((nm * 8) as u64));
    g.bench_function(BenchmarkId::new("matrix_spearman_8_col_major", nm), |b| {
        b.iter(|| correlation_matrix(black_box(cols.view()), &names, &o))
    });
    g.bench_function(BenchmarkId::new("matrix_spearman_8_row_major", nm), |b| {
        b.iter(|| correlation_matrix(black_box(rows.view()), &names, &o))
    });
    g.finish();
}

criterion_group!(benches, correlation);
criterion_main!(benches);
