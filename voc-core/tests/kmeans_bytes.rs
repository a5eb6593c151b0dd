//! The k-means model's byte form: the reference blobs stored in the repo (versions 1 and 2) still decode
//! to the same model and the same predictions, and corrupted bytes are errors, never panics.
//!
//! `tests/data/kmeans_v2.bin` is written by the ignored test `write_reference_blob` (`cargo test -p
//! voc-core --test kmeans_bytes -- --ignored write_reference_blob --nocapture`, which also prints the
//! expected numbers below); `kmeans_v1.bin` was written the same way by the version-1 encoder. Neither
//! may be regenerated: a change that cannot read them has broken saved models.
// Tests report failure by panicking.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use ndarray::{Array2, array};
use voc_core::segment::{Algorithm, KMeans, KMeansOptions};
use voc_core::{Fit, Predict};

const BLOB: &[u8] = include_bytes!("data/kmeans_v1.bin");
const BLOB_V2: &[u8] = include_bytes!("data/kmeans_v2.bin");

/// The training rows: 90 points in 3 columns around three centres, with a deterministic spread.
fn training() -> Array2<f64> {
    let centres = [[0.0, 0.0, 0.0], [6.0, 1.0, -2.0], [1.0, 7.0, 3.0]];
    Array2::from_shape_fn((90, 3), |(i, j)| {
        let c = centres[i % 3][j];
        c + ((i * 7 + j * 13) as f64 * 0.37).sin() * 1.5
    })
}

fn options() -> KMeansOptions {
    KMeansOptions::default().k(3).n_init(3).seed(17).tol(1e-6)
}

/// Points to label: near each centre, between two of them (nearer the first), and far away.
fn probe() -> Array2<f64> {
    array![
        [0.2, -0.1, 0.3],
        [5.5, 1.2, -1.8],
        [1.1, 6.4, 2.9],
        [2.5, 0.5, -1.0],
        [-40.0, 100.0, 7.5],
    ]
}

/// The labels the reference model gave for `probe()` when the blob was written.
const PROBE_LABELS: [u32; 5] = [0, 1, 2, 0, 2];

/// The reference model's inertia and iterations when the blob was written.
const INERTIA: f64 = 303.91943800946166;
const ITERATIONS: usize = 2;

#[test]
#[ignore = "writes the reference blob; run by hand only when adding a new version"]
fn write_reference_blob() {
    let m = options().fit(training().view()).unwrap();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/kmeans_v2.bin");
    std::fs::write(path, m.to_bytes()).unwrap();
    println!("PROBE_LABELS = {:?}", m.predict(probe().view()).unwrap());
    println!("INERTIA = {:?}", m.inertia);
    println!("ITERATIONS = {}, converged = {}", m.iterations, m.converged);
    println!("centers = {:?}, algorithm = {:?}", m.centers, m.algorithm);
}

#[test]
fn reference_blob_decodes_to_the_same_model() {
    let m = KMeans::from_bytes(BLOB).unwrap();
    // Version 1 did not record the scheme that ran.
    assert_eq!(m.algorithm, None);
    check_reference(&m, BLOB);
}

#[test]
fn version_2_blob_decodes_to_the_same_model_with_its_scheme() {
    let m = KMeans::from_bytes(BLOB_V2).unwrap();
    // k × columns = 9: the default (auto) ran Lloyd's iteration.
    assert_eq!(m.algorithm, Some(Algorithm::Lloyd));
    check_reference(&m, BLOB_V2);
    let v1 = KMeans::from_bytes(BLOB).unwrap();
    assert_eq!((&m.centers, &m.labels), (&v1.centers, &v1.labels));
    assert_eq!(
        options().fit(training().view()).unwrap().algorithm,
        m.algorithm
    );
}

fn check_reference(m: &KMeans, blob: &[u8]) {
    assert_eq!((m.k(), m.cols()), (3, 3));
    assert_eq!(m.labels.len(), 90);
    assert_eq!(m.inertia.to_bits(), INERTIA.to_bits());
    assert_eq!(m.iterations, ITERATIONS);
    assert!(m.converged);
    assert_eq!(m.predict(probe().view()).unwrap(), PROBE_LABELS);
    // The fitted rows' labels are the nearest centres.
    assert_eq!(m.predict(training().view()).unwrap(), m.labels);
    // The encoder is stable: the decoded model writes the same bytes.
    assert_eq!(m.to_bytes(), blob);
    // And today's fit on the same rows is the same clustering.
    let again = options().fit(training().view()).unwrap();
    assert_eq!(again.labels, m.labels);
    for (a, b) in again.centers.iter().zip(m.centers.iter()) {
        assert!((a - b).abs() < 1e-12, "{a} vs {b}");
    }
    assert!((again.inertia - m.inertia).abs() < 1e-12 * m.inertia);
}

#[test]
fn every_truncation_and_bit_flip_is_a_decode_error() {
    common::assert_corruption_is_detected(BLOB, KMeans::from_bytes);
    common::assert_corruption_is_detected(BLOB_V2, KMeans::from_bytes);
}
