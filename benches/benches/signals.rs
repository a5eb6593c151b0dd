//! Churn-signal hot paths on the simulated retailer (1M customers, about 11.6M events by default):
//! building the validated, customer-indexed event log, and the feature matrix and labels at a cutoff.
//!
//! Run with `cargo bench -p voc-benches --bench signals` (add `-- --quick` for a fast pass). The size can
//! be lowered with `VOC_BENCH_CUSTOMERS`.
//!
//! The data are simulated once, outside the timed loops, by `voc_core::sample::retailer` (seeded).

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use voc_core::sample::{RetailerOptions, retailer};
use voc_core::signals::{DAY, FeatureOptions};

fn customers_from_env() -> usize {
    std::env::var("VOC_BENCH_CUSTOMERS")
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(1_000_000)
}

fn signals(c: &mut Criterion) {
    let n = customers_from_env();
    let r = retailer(&RetailerOptions::default().customers(n)).expect("valid options");
    let events = r.events() as u64;
    let cutoff = r.start + 366 * DAY;

    let mut group = c.benchmark_group("signals");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    group.throughput(Throughput::Elements(events));
    group.bench_function(BenchmarkId::new("event_log_build", events), |b| {
        b.iter(|| black_box(r.event_log().expect("valid data")))
    });
    let log = r.event_log().expect("valid data");
    let opts = FeatureOptions::new(cutoff);
    group.bench_function(BenchmarkId::new("features_3_windows", events), |b| {
        b.iter(|| black_box(log.features(black_box(&opts)).expect("valid options")))
    });
    group.bench_function(BenchmarkId::new("labels_180d", events), |b| {
        b.iter(|| {
            black_box(
                log.labels(black_box(cutoff), 180)
                    .expect("data cover the horizon"),
            )
        })
    });
    group.finish();

    let mut group = c.benchmark_group("simulate");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    group.throughput(Throughput::Elements(n as u64));
    group.bench_function(BenchmarkId::new("retailer", n), |b| {
        b.iter(|| {
            black_box(retailer(&RetailerOptions::default().customers(n)).expect("valid options"))
        })
    });
    group.finish();
}

criterion_group!(benches, signals);
criterion_main!(benches);
