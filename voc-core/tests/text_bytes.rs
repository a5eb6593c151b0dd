//! The text models' byte forms: reference blobs stored in the repo (version 1) still decode to the
//! same TF-IDF and topic models and the same predictions, and corrupted bytes are errors, never panics.
//!
//! `tests/data/tfidf_v1.bin` and `tests/data/topics_v1.bin` are written by the ignored test
//! `write_reference_blobs` (`cargo test -p voc-core --test text_bytes -- --ignored write_reference_blobs
//! --nocapture`, which also prints the expected numbers below); they must never be regenerated for
//! version 1: a change that cannot read them has broken saved models.
#![cfg(feature = "text")]
// Tests report failure by panicking.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use voc_core::text::{SentimentLang, Tfidf, TfidfOptions, TopicModel, TopicOptions, topic_labels};
use voc_core::{Error, Fit, Predict};

const TFIDF_BLOB: &[u8] = include_bytes!("data/tfidf_v1.bin");
const TOPICS_BLOB: &[u8] = include_bytes!("data/topics_v1.bin");

/// The training texts of both reference models: 24 English tickets on three themes, with accented
/// (non-ASCII) terms so that the vocabulary's UTF-8 is exercised.
fn corpus() -> Vec<String> {
    let themes: [(&str, [&str; 4]); 3] = [
        ("refund money slow", ["bank", "über", "waiting", "weeks"]),
        ("login password error", ["app", "crème", "reset", "code"]),
        (
            "delivery parcel courier",
            ["damaged", "late", "tracking", "café"],
        ),
    ];
    (0..24)
        .map(|i| {
            let (base, extra) = themes[i % 3];
            format!("{base} {} {}", extra[i % 4], extra[(i / 3) % 4])
        })
        .collect()
}

fn tfidf_options() -> TfidfOptions {
    TfidfOptions::default()
        .min_df(2)
        .max_df(0.9)
        .max_features(50)
        .lang(SentimentLang::En)
}

fn topic_options() -> TopicOptions {
    TopicOptions::default()
        .n_topics(3)
        .max_iter(300)
        .tol(1e-6)
        .seed(11)
        .tfidf(tfidf_options())
}

/// Texts to weigh (one with no known term).
const PROBE: [&str; 3] = [
    "refund über slow slow",
    "Crème login password, delivery late",
    "nothing known here",
];

/// The TF-IDF rows (term index, weight) the reference model gave for `PROBE` when the blob was written.
const PROBE_TFIDF: [&[(usize, f64)]; 3] = [
    &[
        (14, 0.3873169807635859),
        (16, 0.7746339615271718),
        (20, 0.4999277768447162),
    ],
    &[
        (5, 0.48618575810336717),
        (7, 0.37667040848850875),
        (9, 0.5813618655577213),
        (10, 0.37667040848850875),
        (13, 0.37667040848850875),
    ],
    &[],
];

/// The document-topic weights the reference topic model gave for `PROBE` when the blob was written.
const PROBE_TOPICS: [[f64; 3]; 3] = [
    [0.0, 0.0, 0.5399787582138319],
    [
        0.28797868851054464,
        0.2690532907962113,
        3.3492070707593484e-20,
    ],
    [0.0, 0.0, 0.0],
];

#[test]
#[ignore = "writes the reference blobs; run by hand only when adding a new version"]
fn write_reference_blobs() {
    let texts = corpus();
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data");
    let x = tfidf_options().fit(&texts[..]).unwrap();
    std::fs::write(format!("{dir}/tfidf_v1.bin"), x.to_bytes()).unwrap();
    let t = topic_options().fit(&texts[..]).unwrap();
    std::fs::write(format!("{dir}/topics_v1.bin"), t.to_bytes()).unwrap();
    let p = x.predict(&PROBE[..]).unwrap();
    let rows: Vec<Vec<(usize, f64)>> = (0..PROBE.len()).map(|i| p.row(i).collect()).collect();
    println!("vocabulary = {:?}", x.vocabulary);
    println!("PROBE_TFIDF = {rows:?}");
    let w = t.predict(&PROBE[..]).unwrap();
    println!(
        "PROBE_TOPICS = {:?}",
        w.outer_iter().map(|r| r.to_vec()).collect::<Vec<_>>()
    );
    println!("converged = {}, iterations = {}", t.converged, t.iterations);
}

#[test]
fn tfidf_blob_decodes_to_the_same_model() {
    let m = Tfidf::from_bytes(TFIDF_BLOB).unwrap();
    assert_eq!(m.lang, SentimentLang::En);
    assert_eq!(m.n_docs(), 24);
    assert!(m.vocabulary.iter().any(|t| t == "über"));
    assert!(m.vocabulary.iter().any(|t| t == "crème"));
    assert_eq!(m.idf.len(), m.n_terms());
    let p = m.predict(&PROBE[..]).unwrap();
    assert_eq!(p.n_docs(), PROBE.len());
    for (i, want) in PROBE_TFIDF.iter().enumerate() {
        let got: Vec<(usize, f64)> = p.row(i).collect();
        assert_eq!(got.len(), want.len(), "row {i}: {got:?}");
        for ((j, v), &(wj, wv)) in got.iter().zip(want.iter()) {
            assert_eq!(*j, wj, "row {i}");
            assert!((v - wv).abs() < 1e-14, "row {i}: {v} vs {wv}");
        }
    }
    // The encoder is stable: the decoded model writes the same bytes.
    assert_eq!(m.to_bytes(), TFIDF_BLOB);
    // And today's fit on the same texts is the same vocabulary and idf.
    let again = tfidf_options().fit(&corpus()[..]).unwrap();
    assert_eq!(again.vocabulary, m.vocabulary);
    for (a, b) in again.idf.iter().zip(&m.idf) {
        assert!((a - b).abs() < 1e-14, "{a} vs {b}");
    }
}

#[test]
fn topics_blob_decodes_to_the_same_model() {
    let m = TopicModel::from_bytes(TOPICS_BLOB).unwrap();
    assert_eq!(m.options, topic_options());
    assert_eq!((m.n_topics, m.n_docs()), (3, 24));
    assert_eq!(m.h.dim(), (3, m.vocabulary.len()));
    assert!(m.reconstruction_err.is_finite() && m.iterations <= 300);
    // Each fitted ticket has the topic of its theme.
    let l = m.labels();
    for (i, t) in l.iter().enumerate() {
        assert_eq!(*t, l[i % 3], "document {i}");
    }
    assert!(l[0] != l[1] && l[1] != l[2] && l[0] != l[2]);
    let w = m.predict(&PROBE[..]).unwrap();
    assert_eq!(w.dim(), (3, 3));
    for (i, want) in PROBE_TOPICS.iter().enumerate() {
        for (t, wv) in want.iter().enumerate() {
            let v = w[[i, t]];
            assert!((v - wv).abs() < 1e-14, "text {i}, topic {t}: {v} vs {wv}");
        }
    }
    assert_eq!(topic_labels(&w)[2], None);
    assert_eq!(m.to_bytes(), TOPICS_BLOB);
}

#[test]
fn every_truncation_and_bit_flip_is_a_decode_error() {
    common::assert_corruption_is_detected(TFIDF_BLOB, Tfidf::from_bytes);
    common::assert_corruption_is_detected(TOPICS_BLOB, TopicModel::from_bytes);
    // One model's bytes are not the other's.
    assert!(matches!(
        Tfidf::from_bytes(TOPICS_BLOB),
        Err(Error::Decode { .. })
    ));
    assert!(matches!(
        TopicModel::from_bytes(TFIDF_BLOB),
        Err(Error::Decode { .. })
    ));
}
