//! The risk model's byte form: a reference blob stored in the repo (version 1) still decodes to the
//! same model and predictions, and corrupted bytes are errors, never panics.
//!
//! `tests/data/risk_model_v1.bin` is written by the ignored test `write_reference_blob`
//! (`cargo test -p voc-core --test risk_bytes -- --ignored write_reference_blob`); it must never be
//! regenerated for version 1: a change that cannot read it has broken saved models.

// Tests report failure by panicking.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use ndarray::{Array2, array};
use voc_core::risk::{ClassWeight, LogisticModel, LogisticOptions, Missing, Penalty, RiskData};
use voc_core::{Error, Fit, Predict};

const BLOB: &[u8] = include_bytes!("data/risk_model_v1.bin");

/// The training data of the reference model: 40 rows, three features (one with NaN, imputed).
fn training() -> (Array2<f64>, Vec<f64>, Vec<String>) {
    let x = Array2::from_shape_fn((40, 3), |(i, j)| match j {
        0 => (i as f64 * 0.37).sin() * 3.0 + i as f64 * 0.1,
        1 if i % 9 == 4 => f64::NAN,
        1 => ((i * 7) % 11) as f64,
        _ => ((i * 5) % 3) as f64 * 0.5,
    });
    let y = (0..40)
        .map(|i| {
            let v = x[[i, 0]] + 0.3 * ((i * 7) % 11) as f64 + ((i * 13) % 5) as f64 - 4.0;
            f64::from(u8::from(v > 0.0))
        })
        .collect();
    let names = vec![
        "refund_delay_max_days".to_string(),
        "tickets_90d".to_string(),
        "退款慢_mentions".to_string(),
    ];
    (x, y, names)
}

fn options() -> LogisticOptions {
    LogisticOptions::default()
        .penalty(Penalty::None)
        .l1_ratio(0.25)
        .class_weight(ClassWeight::Manual {
            negative: 1.0,
            positive: 1.5,
        })
        .missing(Missing::ImputeMean)
        .confidence(0.9)
}

/// Rows to score (one with a NaN to impute).
fn probe() -> Array2<f64> {
    array![[0.0, 3.0, 0.5], [4.5, f64::NAN, 1.0], [-2.0, 10.0, 0.0]]
}

/// The probabilities the reference model gave for `probe()` when the blob was written.
const PROBE_P: [f64; 3] = [0.2390708438456024, 0.9996195603235972, 0.04230061766773063];

#[test]
#[ignore = "writes the reference blob; run by hand only when adding a new version"]
fn write_reference_blob() {
    let (x, y, names) = training();
    let m = options()
        .fit(RiskData::new(x.view(), &y).names(&names))
        .unwrap();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/risk_model_v1.bin");
    std::fs::write(path, m.to_bytes()).unwrap();
    println!("PROBE_P = {:?}", m.predict(probe().view()).unwrap());
}

#[test]
fn reference_blob_decodes_to_the_same_model() {
    let m = LogisticModel::from_bytes(BLOB).unwrap();
    let (x, y, names) = training();
    assert_eq!(m.names, names);
    assert_eq!(
        (m.n, m.n_positive),
        (40, y.iter().filter(|&&v| v == 1.0).count())
    );
    assert_eq!(m.options, options());
    assert_eq!(m.inference.as_ref().map(Vec::len), Some(4));
    assert!(m.lr_test.is_some() && m.convergence.converged);
    let p = m.predict(probe().view()).unwrap();
    for (a, b) in p.iter().zip(PROBE_P) {
        assert!((a - b).abs() < 1e-14, "{a} vs {b}");
    }
    // The encoder is stable: the decoded model writes the same bytes.
    assert_eq!(m.to_bytes(), BLOB);
    // And today's fit on the same data is the same model (up to rounding in the last bits).
    let again = options()
        .fit(RiskData::new(x.view(), &y).names(&names))
        .unwrap();
    for (a, b) in again.coef.iter().zip(&m.coef) {
        assert!((a - b).abs() <= 1e-9 * (1.0 + b.abs()), "{a} vs {b}");
    }
}

#[test]
fn every_truncation_and_bit_flip_is_a_decode_error() {
    for len in 0..BLOB.len() {
        match LogisticModel::from_bytes(&BLOB[..len]) {
            Err(Error::Decode { .. }) => {}
            other => panic!("truncated to {len} bytes: {other:?}"),
        }
    }
    let mut bytes = BLOB.to_vec();
    for i in 0..bytes.len() {
        for bit in 0..8 {
            bytes[i] ^= 1 << bit;
            match LogisticModel::from_bytes(&bytes) {
                Err(Error::Decode { .. }) => {}
                other => panic!("bit {bit} of byte {i} flipped: {other:?}"),
            }
            bytes[i] ^= 1 << bit;
        }
    }
    assert!(matches!(
        LogisticModel::from_bytes(br#"{"names": 3}"#),
        Err(Error::Decode { .. })
    ));
}
