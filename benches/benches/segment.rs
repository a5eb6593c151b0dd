//! Segmentation hot paths: k-means (k = 8) on 1M × 8 standardised points from given initial centres
//! (Hamerly and Lloyd), k-means++ seeding, RFM scores and value × voice on the simulated retailer's
//! signals.
//!
//! Run with `cargo bench -p voc-benches --bench segment` (add `-- --quick` for a fast pass). The k-means
//! size can be lowered with `VOC_BENCH_ROWS`, the retailer with `VOC_BENCH_CUSTOMERS`.
//!
//! The data are made once, outside the timed loops (seeded).

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use ndarray::{ArrayView2, s};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use voc_core::sample::{RetailerOptions, retailer};
use voc_core::segment::{
    Algorithm, KMeansOptions, RfmOptions, ValueVoiceOptions, kmeans_from, kmeans_plusplus, rfm,
    value_voice,
};
use voc_core::signals::{DAY, FeatureOptions};

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(default)
}

/// `n × d` points around `k` planted centres (Gaussian-ish noise from sums of uniforms).
fn blobs(n: usize, d: usize, k: usize, seed: u64) -> Vec<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let centres: Vec<f64> = (0..k * d)
        .map(|_| rng.random::<f64>() * 8.0 - 4.0)
        .collect();
    let mut x = Vec::with_capacity(n * d);
    for _ in 0..n {
        let c = rng.random_range(0..k);
        for j in 0..d {
            let noise: f64 = (0..3).map(|_| rng.random::<f64>() - 0.5).sum::<f64>() * 2.0;
            x.push(centres[c * d + j] + noise);
        }
    }
    x
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

fn kmeans_bench(c: &mut Criterion) {
    maybe_hook();
    let (n, d, k) = (env("VOC_BENCH_ROWS", 1_000_000), 8, 8);
    let x = blobs(n, d, k, 42);
    let p = ArrayView2::from_shape((n, d), &x).expect("n × d values");
    let init = p.slice(s![..k, ..]);
    let mut group = c.benchmark_group("kmeans");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    group.throughput(Throughput::Elements(n as u64));
    for algorithm in [Algorithm::Hamerly, Algorithm::Lloyd] {
        let opts = KMeansOptions::default().k(k).algorithm(algorithm);
        group.bench_function(BenchmarkId::new(format!("{algorithm:?}_k8_d8"), n), |b| {
            b.iter(|| black_box(kmeans_from(p, black_box(init), &opts).expect("valid")))
        });
    }
    group.bench_function(BenchmarkId::new("plusplus_k8_d8", n), |b| {
        b.iter(|| black_box(kmeans_plusplus(p, k, 7).expect("valid")))
    });
    group.finish();
}

fn rules_bench(c: &mut Criterion) {
    let r = retailer(&RetailerOptions::default().customers(env("VOC_BENCH_CUSTOMERS", 200_000)))
        .expect("valid options");
    let f = r
        .event_log()
        .expect("valid data")
        .features(&FeatureOptions::new(r.start + 366 * DAY))
        .expect("valid options");
    let col = |name: &str| f.column(name).expect("signals column");
    let (recency, frequency, monetary) = (col("recency_days"), col("frequency"), col("monetary"));
    let (tickets, price, nps) = (col("tickets_90d"), col("theme_price"), col("nps_last"));
    let cols = [
        ("tickets_90d", tickets),
        ("theme_price", price),
        ("nps_last", nps),
    ];
    let mut group = c.benchmark_group("segment_rules");
    group.sample_size(20);
    group.throughput(Throughput::Elements(f.rows() as u64));
    group.bench_function(BenchmarkId::new("rfm_5_bins", f.rows()), |b| {
        b.iter(|| black_box(rfm(recency, frequency, monetary, &RfmOptions::default())))
    });
    let opts = ValueVoiceOptions::default();
    group.bench_function(BenchmarkId::new("value_voice", f.rows()), |b| {
        b.iter(|| black_box(value_voice(monetary, &cols, &opts)))
    });
    group.finish();
}

criterion_group!(benches, kmeans_bench, rules_bench);
criterion_main!(benches);
