//! Text hot paths: theme tagging (normalise + one automaton + offsets) on Chinese and English tickets,
//! on one core.
//!
//! Run with `cargo bench -p voc-benches --bench text` (add `-- --quick` for a fast pass). The number of
//! texts can be lowered with `VOC_BENCH_TEXTS`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use voc_core::text::{Lang, Scratch, Taxonomy, ThemeMatcher, sample_tickets};

fn texts_from_env(default: usize) -> usize {
    std::env::var("VOC_BENCH_TEXTS")
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(default)
}

fn tagging(c: &mut Criterion) {
    let n = texts_from_env(100_000);
    let matcher = match ThemeMatcher::new(Taxonomy::default_retail()) {
        Ok(m) => m,
        Err(e) => panic!("default taxonomy: {e}"),
    };
    let mut g = c.benchmark_group("text_tagging_one_core");
    g.measurement_time(Duration::from_secs(5)).sample_size(10);
    for (name, lang) in [("zh", Lang::Zh), ("en", Lang::En)] {
        let texts = match sample_tickets(n, 42, lang) {
            Ok(t) => t,
            Err(e) => panic!("VOC_BENCH_TEXTS: {e}"),
        };
        let bytes: usize = texts.iter().map(String::len).sum();
        g.throughput(Throughput::Bytes(bytes as u64));
        g.bench_with_input(BenchmarkId::new("themes", name), &texts, |b, texts| {
            let mut scratch = Scratch::default();
            let mut out = Vec::new();
            b.iter(|| {
                let mut total = 0usize;
                for t in texts {
                    matcher.themes_with(t, true, &mut scratch, &mut out);
                    total += out.len();
                }
                black_box(total)
            })
        });
        g.bench_with_input(
            BenchmarkId::new("matches_with_offsets", name),
            &texts,
            |b, texts| {
                let mut scratch = Scratch::default();
                let mut out = Vec::new();
                b.iter(|| {
                    let mut total = 0usize;
                    for t in texts {
                        matcher.find_with(t, &mut scratch, &mut out);
                        total += out.len();
                    }
                    black_box(total)
                })
            },
        );
    }
    g.finish();
}

criterion_group!(benches, tagging);
criterion_main!(benches);
