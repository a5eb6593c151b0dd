//! Survey-metric hot paths: NPS over 100M scores (u8, i8, i32, f64) and grouped NPS over 10M rows in
//! 1,000 groups (dense codes, sparse int32 keys, string labels), plus a monthly NPS trend for information.
//!
//! Run with `cargo bench -p voc-benches --bench metrics` (add `-- --quick` for a fast pass). Sizes can be
//! lowered with `VOC_BENCH_ROWS` (ungrouped rows) and `VOC_BENCH_GROUPED_ROWS` (grouped and trend rows).
//!
//! Data are generated once per benchmark group, outside the timed loop, from a seeded ChaCha8 stream,
//! with a realistic NPS answer distribution (mostly 7–10, a tail down to 0).

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use voc_core::metrics::{Batch, Nps, NpsOptions, NpsState, Scale, trend};
use voc_core::time::{Period, TimeUnit};

const ROWS: usize = 100_000_000;
const GROUPED_ROWS: usize = 10_000_000;
const GROUPS: u32 = 1_000;

/// Share (in %) of each answer 0..=10; sums to 100.
const ANSWER_PERCENT: [u32; 11] = [3, 1, 1, 2, 2, 4, 5, 10, 18, 22, 32];

fn rows_from_env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(default)
}

/// `n` NPS answers (0..=10) drawn from [`ANSWER_PERCENT`], deterministic for a given seed.
fn answers(n: usize, seed: u64) -> Vec<u8> {
    // A 256-entry table from a random byte to an answer, following the distribution to within 1/256.
    let mut table = [0u8; 256];
    let mut cumulative = 0u32;
    let mut answer = 0u8;
    for (i, slot) in table.iter_mut().enumerate() {
        while (i as u32) * 100 >= (cumulative + ANSWER_PERCENT[answer as usize]) * 256 {
            cumulative += ANSWER_PERCENT[answer as usize];
            answer += 1;
        }
        *slot = answer;
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut bytes = vec![0u8; n];
    rng.fill_bytes(&mut bytes);
    for b in &mut bytes {
        *b = table[*b as usize];
    }
    bytes
}

/// Dense group codes `0..groups`, uniformly mixed (every row may hit a different group).
fn group_codes(n: usize, groups: u32, seed: u64) -> Vec<u32> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..n).map(|_| rng.random_range(0..groups)).collect()
}

/// NPS through `NpsState::update` + `finish` on one score type.
fn bench_nps_type<T: voc_core::metrics::Score>(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    name: &str,
    scores: &[T],
) {
    group.throughput(Throughput::Bytes(std::mem::size_of_val(scores) as u64));
    group.bench_with_input(BenchmarkId::new(name, scores.len()), scores, |b, s| {
        b.iter(|| {
            let mut state = NpsState::new();
            state.update(black_box(s)).expect("valid scores");
            black_box(state.finish(&NpsOptions::default()).expect("non-empty"))
        })
    });
}

fn nps_ungrouped(c: &mut Criterion) {
    let n = rows_from_env("VOC_BENCH_ROWS", ROWS);
    let base = answers(n, 42);
    let mut group = c.benchmark_group("nps_update_finish");

    bench_nps_type(&mut group, "u8", &base);
    {
        let scores: Vec<i8> = base.iter().map(|&x| x as i8).collect();
        bench_nps_type(&mut group, "i8", &scores);

        // Reference point for the byte path: one naive pass counting promoters and detractors with the
        // same range check (this is what a hand-written loop without lane counters gives).
        group.throughput(Throughput::Bytes(scores.len() as u64));
        group.bench_with_input(
            BenchmarkId::new("i8_naive_loop_reference", scores.len()),
            &scores,
            |b, s| {
                b.iter(|| {
                    let (mut pro, mut det, mut bad) = (0u64, 0u64, 0u64);
                    for &x in black_box(s.as_slice()) {
                        pro += (x >= 9) as u64;
                        det += (x <= 6) as u64;
                        bad += !(0..=10).contains(&x) as u64;
                    }
                    black_box((pro, det, bad))
                })
            },
        );
    }
    {
        let scores: Vec<i32> = base.iter().map(|&x| x as i32).collect();
        bench_nps_type(&mut group, "i32", &scores);
    }
    {
        let scores: Vec<f64> = base.iter().map(|&x| x as f64).collect();
        bench_nps_type(&mut group, "f64", &scores);
    }
    group.finish();
}

fn nps_grouped(c: &mut Criterion) {
    let n = rows_from_env("VOC_BENCH_GROUPED_ROWS", GROUPED_ROWS);
    let scores: Vec<i8> = answers(n, 7).into_iter().map(|x| x as i8).collect();
    let codes = group_codes(n, GROUPS, 8);
    let mut group = c.benchmark_group("nps_grouped_update_finish_groups");
    group.throughput(Throughput::Elements(n as u64));
    group.bench_function(BenchmarkId::new("i8_1000_groups", n), |b| {
        b.iter(|| {
            let mut state = NpsState::new();
            state
                .update_batch(Batch::new(black_box(&scores)).groups(black_box(&codes)))
                .expect("valid batch");
            let out = state.finish_groups(&NpsOptions::default()).expect("groups");
            assert_eq!(out.len(), GROUPS as usize);
            black_box(out)
        })
    });
    // Score and group arrays together, for a GB/s figure comparable with the ungrouped case.
    group.throughput(Throughput::Bytes(
        (std::mem::size_of_val(scores.as_slice()) + std::mem::size_of_val(codes.as_slice())) as u64,
    ));
    group.bench_function(BenchmarkId::new("i8_1000_groups_bytes", n), |b| {
        b.iter(|| {
            let mut state = NpsState::new();
            state
                .update_batch(Batch::new(black_box(&scores)).groups(black_box(&codes)))
                .expect("valid batch");
            black_box(state.finish_groups(&NpsOptions::default()).expect("groups"))
        })
    });
    group.finish();
}

/// Grouped NPS by sparse int32 keys (1,000 distinct ids spread over the whole int32 range) and by
/// string labels: the keys (and object identities) hashed and counted in one pass, and the labels
/// factorized then counted.
fn nps_sparse_and_string_keys(c: &mut Criterion) {
    let n = rows_from_env("VOC_BENCH_GROUPED_ROWS", GROUPED_ROWS);
    let scores: Vec<i8> = answers(n, 13).into_iter().map(|x| x as i8).collect();
    let codes = group_codes(n, GROUPS, 14);
    let mut rng = ChaCha8Rng::seed_from_u64(15);
    let ids: Vec<i32> = (0..GROUPS)
        .map(|_| rng.random_range(i32::MIN..i32::MAX))
        .collect();
    let keys: Vec<i32> = codes.iter().map(|&c| ids[c as usize]).collect();
    let names: Vec<String> = (0..GROUPS).map(|g| format!("store-{g:05}")).collect();
    let labels: Vec<&str> = codes.iter().map(|&c| names[c as usize].as_str()).collect();
    let mut group = c.benchmark_group("nps_by_sparse_and_string_keys");
    group.throughput(Throughput::Elements(n as u64));
    group.bench_function(BenchmarkId::new("i8_sparse_i32_keys", n), |b| {
        b.iter(|| {
            let mut state = NpsState::new();
            let keys = state
                .update_by_keys(
                    black_box(&scores),
                    black_box(&keys),
                    voc_core::MissingPolicy::Error,
                )
                .expect("valid batch");
            black_box((
                keys,
                state.finish_groups(&NpsOptions::default()).expect("groups"),
            ))
        })
    });
    // Object identities (addresses of 1,000 label objects, 64 bytes apart): hashed and counted in one
    // pass, as a binding counts an object label column before reading each object's label once.
    let addresses: Vec<usize> = codes
        .iter()
        .map(|&c| 0x7f3a_0000_0000 + c as usize * 64)
        .collect();
    group.bench_function(BenchmarkId::new("i8_object_identities", n), |b| {
        b.iter(|| {
            let mut state = NpsState::new();
            let ids = state
                .update_by_identities(
                    black_box(&scores),
                    |i| addresses[i],
                    voc_core::MissingPolicy::Error,
                )
                .expect("valid batch")
                .expect("few identities");
            black_box((
                ids,
                state.finish_groups(&NpsOptions::default()).expect("groups"),
            ))
        })
    });
    group.bench_function(BenchmarkId::new("i8_string_labels", n), |b| {
        b.iter(|| {
            let f =
                voc_core::group::factorize_strs_at(labels.len(), |i| labels[i]).expect("labels");
            let mut state = NpsState::new();
            state
                .update_batch(Batch::new(black_box(&scores)).groups(&f.codes))
                .expect("valid batch");
            black_box(state.finish_groups(&NpsOptions::default()).expect("groups"))
        })
    });
    group.finish();
}

fn nps_trend(c: &mut Criterion) {
    let n = rows_from_env("VOC_BENCH_GROUPED_ROWS", GROUPED_ROWS);
    let scores: Vec<i8> = answers(n, 11).into_iter().map(|x| x as i8).collect();
    // Two years of daily timestamps (days since 1970-01-01), from 2024-01-01.
    let mut rng = ChaCha8Rng::seed_from_u64(12);
    let days: Vec<i64> = (0..n).map(|_| 19_723 + rng.random_range(0..731)).collect();
    let scale = Scale::new(0, 10).expect("scale");
    let mut group = c.benchmark_group("nps_trend_month");
    group.throughput(Throughput::Elements(n as u64));
    group.bench_function(BenchmarkId::new("i8_days", n), |b| {
        b.iter(|| {
            black_box(
                trend::<Nps, i8>(
                    scale,
                    Batch::new(black_box(&scores)),
                    black_box(&days),
                    TimeUnit::Days,
                    Period::Month,
                    &NpsOptions::default(),
                )
                .expect("trend"),
            )
        })
    });
    group.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
}

criterion_group! {
    name = benches;
    config = config();
    targets = nps_ungrouped, nps_grouped, nps_sparse_and_string_keys, nps_trend
}
criterion_main!(benches);
