//! Replays every file of the cargo-fuzz corpora (`fuzz/corpus/<target>/*`) through the same target
//! bodies the fuzzer runs (`fuzz/src/targets.rs`), so that CI checks on stable Rust, without
//! cargo-fuzz, that nothing the fuzzer found or was seeded with panics again.
//!
//! The seeds of the decoder targets are the bodies (checksum removed) of valid byte forms; they are
//! written by the ignored test `write_seeds` (`cargo test -p voc-core --test fuzz_corpus --
//! --ignored write_seeds`), from the reference blobs in `tests/data/` and a few states built here.

#![cfg(feature = "text")]
// Tests report failure by panicking.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../fuzz/src/targets.rs"]
mod targets;

use std::path::{Path, PathBuf};

fn corpus_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus")
}

#[test]
fn every_corpus_file_replays_without_panic() {
    let root = corpus_root();
    let mut replayed = 0;
    for (name, _) in targets::TARGETS {
        let dir = root.join(name);
        let entries = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("corpus of target {name} at {}: {e}", dir.display()));
        let mut files = 0;
        for entry in entries {
            let path = entry.unwrap().path();
            let data = std::fs::read(&path).unwrap();
            assert!(targets::run(name, &data));
            files += 1;
        }
        assert!(files > 0, "target {name} has an empty corpus");
        replayed += files;
    }
    // Every corpus folder belongs to a target.
    for entry in std::fs::read_dir(&root).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        assert!(
            targets::TARGETS.iter().any(|(n, _)| *n == name),
            "fuzz/corpus/{name} has no target"
        );
    }
    assert!(replayed >= targets::TARGETS.len());
}

/// Every decoder seed is a valid byte form once re-sealed: the fuzzer starts from the real layouts.
#[test]
fn decoder_seeds_decode() {
    use voc_core::metrics::NpsState;
    let root = corpus_root();
    let seed = |target: &str, file: &str| {
        targets::resealed(&std::fs::read(root.join(target).join(file)).unwrap())
    };
    assert!(NpsState::from_bytes(&seed("survey_state", "seed-nps")).is_ok());
    assert!(voc_core::retention::CoxPh::from_bytes(&seed("cox_model", "seed-cox-v2")).is_ok());
    assert!(voc_core::text::TopicModel::from_bytes(&seed("topic_model", "seed-topics")).is_ok());
    assert!(
        voc_core::text::MentionState::from_bytes(&seed("mention_state", "seed-mention-state-v2"))
            .is_ok()
    );
    assert!(
        voc_core::envelope::open(&seed("result_envelope", "seed-result"), "NpsResult", 1).is_ok()
    );
    for file in ["seed-uplift-x", "seed-uplift-skip", "seed-uplift-v1"] {
        assert!(voc_core::uplift::UpliftModel::from_bytes(&seed("uplift_model", file)).is_ok());
    }
    for file in ["seed-kmeans", "seed-kmeans-v2"] {
        assert!(voc_core::segment::KMeans::from_bytes(&seed("kmeans_model", file)).is_ok());
    }
}

/// The forged topic model of issue 16 (checksummed, `n_topics` = 2^61): an error, not a hang.
#[test]
fn forged_topic_model_is_rejected() {
    let blob = include_bytes!("data/topics_v1.bin");
    let m = voc_core::text::TopicModel::from_bytes(blob).unwrap();
    // Find n_topics (u64, after the vocabulary and the idf) by its value, then overwrite it.
    let body = &blob[..blob.len() - 8];
    let n = (m.summary(1).len() as u64).to_le_bytes();
    let at = body.windows(8).position(|w| w == n).unwrap();
    let mut forged = body.to_vec();
    forged[at..at + 8].copy_from_slice(&(1u64 << 61).to_le_bytes());
    let r = voc_core::text::TopicModel::from_bytes(&targets::resealed(&forged));
    assert!(matches!(r, Err(voc_core::Error::Decode { .. })), "{r:?}");
}

#[test]
#[ignore = "writes the seed corpora; run by hand when a byte form gains a version"]
fn write_seeds() {
    use voc_core::impact::{OutcomeState, Outcomes};
    use voc_core::metrics::{CesState, CsatState, NpsState};
    use voc_core::text::{MentionCounts, Taxonomy, ThemeMatcher};
    let root = corpus_root();
    let write = |target: &str, file: &str, bytes: &[u8]| {
        let dir = root.join(target);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(file), bytes).unwrap();
    };
    // Decoder seeds: bodies without their checksum.
    let body = |b: Vec<u8>| b[..b.len() - 8].to_vec();
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    for (target, file, blob) in [
        ("risk_model", "seed-risk", "risk_model_v1.bin"),
        ("cox_model", "seed-cox-v1", "cox_v1.bin"),
        ("cox_model", "seed-cox-v2", "cox_v2.bin"),
        ("bgnbd_model", "seed-bgnbd", "bgnbd_v1.bin"),
        ("gamma_gamma_model", "seed-gg", "gamma_gamma_v1.bin"),
        ("kmeans_model", "seed-kmeans", "kmeans_v1.bin"),
        ("kmeans_model", "seed-kmeans-v2", "kmeans_v2.bin"),
        (
            "mention_state",
            "seed-mention-state",
            "mention_state_v1.bin",
        ),
        (
            "mention_state",
            "seed-mention-state-v2",
            "mention_state_v2.bin",
        ),
        ("tfidf_model", "seed-tfidf", "tfidf_v1.bin"),
        ("topic_model", "seed-topics", "topics_v1.bin"),
    ] {
        write(target, file, &body(std::fs::read(data.join(blob)).unwrap()));
    }
    let mut nps = NpsState::new();
    nps.update(&[0_u8, 7, 9, 10, 10]).unwrap();
    write("survey_state", "seed-nps", &body(nps.to_bytes()));
    let mut csat = CsatState::new();
    csat.update(&[1_u8, 5, 4]).unwrap();
    write("survey_state", "seed-csat", &body(csat.to_bytes()));
    write(
        "survey_state",
        "seed-ces-empty",
        &body(CesState::new().to_bytes()),
    );
    let mut o =
        OutcomeState::new(&["detractor".into(), "passive".into(), "promoter".into()]).unwrap();
    let churned = [1.0, 0.0, 0.0, 1.0];
    let spend = [10.0, 25.5, 3.0, 0.0];
    o.update(
        &[0, 1, 2, 0],
        Outcomes {
            churned: Some(&churned),
            spend: Some(&spend),
            clv: None,
            repurchased: None,
        },
        voc_core::MissingPolicy::Error,
    )
    .unwrap();
    write("outcome_state", "seed-outcome", &body(o.to_bytes()));
    let mut t = Taxonomy::new();
    t.add("refund", "退款", &["退款", "refund*"], &[]).unwrap();
    t.add("refund.slow", "退款慢", &["退款慢", "slow refund"], &[])
        .unwrap();
    let m = ThemeMatcher::new(t).unwrap();
    let sets = m
        .themes_batch(&["退款慢", "refund now", "hi"][..], true)
        .unwrap();
    let mut c = MentionCounts::new(2);
    c.update(&sets, Some(&[0, 1, 0]), Some(&[24_300, 24_300, 24_301]))
        .unwrap();
    write("mention_counts", "seed-counts", &body(c.to_bytes()));
    write(
        "result_envelope",
        "seed-result",
        &body(voc_core::envelope::seal("NpsResult", 1, &[0, 1, 2, 3])),
    );
    // Parser and builder seeds.
    write(
        "taxonomy",
        "seed-retail",
        voc_core::text::DEFAULT_RETAIL.as_bytes(),
    );
    write(
        "taxonomy",
        "seed-small",
        "# themes\n[refund]\nlabel = 退款\nkeywords = 退款, refund*\n[refund.slow]\nkeywords = 退款慢，slow refund\nexclude = fast\n".as_bytes(),
    );
    write(
        "event_tables",
        "seed-small",
        &[1, 3, 1, 2, 3, 10, 20, 30, 2, 1, 2, 15, 25, 16, 40, 0],
    );
    write(
        "event_tables",
        "seed-mixed",
        &(0u8..=255).collect::<Vec<_>>(),
    );
}

/// A stand-in for the fuzzer where cargo-fuzz cannot be built: random mutations (bit flips, byte
/// overwrites, cuts, insertions, splices) of each target's corpus, run through the same bodies, for
/// `VOC_FUZZ_SECS` seconds per target (default 10). Not coverage-guided; it prints the executions
/// and crashes per target, and writes crash inputs to `fuzz/artifacts/<target>/`.
/// `cargo test --release -p voc-core --test fuzz_corpus -- --ignored mutate_corpora --nocapture`
#[test]
#[ignore = "a time-boxed mutation run; run by hand"]
fn mutate_corpora() {
    let secs: u64 = std::env::var("VOC_FUZZ_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    let root = corpus_root();
    let mut state = 0x9E37_79B9_7F4A_7C15_u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut total_crashes = 0;
    for (name, f) in targets::TARGETS {
        let seeds: Vec<Vec<u8>> = std::fs::read_dir(root.join(name))
            .unwrap()
            .map(|e| std::fs::read(e.unwrap().path()).unwrap())
            .collect();
        let start = std::time::Instant::now();
        let (mut runs, mut crashes) = (0u64, 0u64);
        while start.elapsed().as_secs() < secs {
            let mut d = seeds[next() as usize % seeds.len()].clone();
            for _ in 0..=(next() % 4) {
                let n = d.len().max(1);
                let at = next() as usize % n;
                match next() % 6 {
                    0 if !d.is_empty() => d[at] ^= 1 << (next() % 8),
                    1 if !d.is_empty() => d[at] = [0, 1, 0xff, 0x7f, 0x80][next() as usize % 5],
                    2 => d.truncate(at),
                    3 => d.insert(at.min(d.len()), next() as u8),
                    4 if d.len() >= 8 => {
                        let at = at.min(d.len() - 8);
                        let v = [0u64, 1, u64::MAX, 1 << 61, 1 << 32][next() as usize % 5];
                        d[at..at + 8].copy_from_slice(&v.to_le_bytes());
                    }
                    _ => {
                        let other = &seeds[next() as usize % seeds.len()];
                        let from = next() as usize % other.len().max(1);
                        d.extend_from_slice(other.get(from..).unwrap_or_default());
                    }
                }
            }
            if std::panic::catch_unwind(|| f(&d)).is_err() {
                // Kept out of the corpus (which must replay cleanly) until fixed.
                let dir = root.join("../artifacts").join(name);
                std::fs::create_dir_all(&dir).unwrap();
                std::fs::write(dir.join(format!("crash-{:016x}", next())), &d).unwrap();
                crashes += 1;
            }
            runs += 1;
        }
        println!("{name}: {runs} runs in {secs} s, {crashes} crashes");
        total_crashes += crashes;
    }
    assert_eq!(total_crashes, 0, "crash inputs are in fuzz/artifacts/");
}

/// Found by `mutate_corpora`: an outcome state whose stored counts add up past u64 overflowed in
/// `missing()` (a panic in debug builds, a wrapped, silently wrong count in release ones). Decoding
/// now bounds the total, and so does merging.
#[test]
fn outcome_state_counts_cannot_overflow() {
    use voc_core::impact::{OutcomeOptions, OutcomeState};
    let seed = std::fs::read(corpus_root().join("outcome_state/seed-outcome")).unwrap();
    // magic, version, 3 class names (count + 9, 7 and 8 bytes), the integer flag, 3 counts, 3 missing.
    let at = 6 + 8 + (8 + 9) + (8 + 7) + (8 + 8) + 1 + 3 * 8 + 3 * 8;
    let with_unclassified = |n: u64| {
        let mut body = seed.clone();
        body[at..at + 8].copy_from_slice(&n.to_le_bytes());
        OutcomeState::from_bytes(&targets::resealed(&body))
    };
    let ok = with_unclassified(0).unwrap();
    assert!(ok.finish(&OutcomeOptions::default()).is_ok());
    let r = with_unclassified(u64::MAX);
    assert!(
        matches!(&r, Err(voc_core::Error::Decode { reason, .. }) if reason.contains("customers")),
        "{r:?}"
    );
    // The largest state that decodes cannot be merged with itself.
    let big = with_unclassified((1 << 53) - 4).unwrap();
    assert_eq!(big.missing(), (1 << 53) - 4);
    let mut twice = big.clone();
    assert!(matches!(
        twice.merge(&big),
        Err(voc_core::Error::Incompatible(_))
    ));
    assert_eq!(twice, big, "a failed merge leaves the state unchanged");
}
