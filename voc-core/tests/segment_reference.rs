//! Reference tests of the segmentation against scikit-learn and pandas.
//!
//! The fixture `tests/data/segment_golden.json` is written by `scripts/golden/segment.py` (provenance in
//! `tests/data/README.md`): scikit-learn `KMeans(init=<centres>, n_init=1, algorithm="lloyd")`,
//! `StandardScaler`, `silhouette_score`, and pandas `qcut(rank(method="first"), q)` for RFM scores.
//!
//! Tolerances: k-means labels and iteration counts identical; inertia and centres 1e-9 relative;
//! standardisation 1e-12 relative; silhouette 1e-9 absolute; RFM scores identical.

// Tests report failure by panicking.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use ndarray::{Array2, ArrayView2};
use serde::Deserialize;
use voc_core::segment::{
    Algorithm, KMeansOptions, RfmOptions, kmeans_from, rfm, silhouette_score, standardize,
};

const FIXTURE: &str = include_str!("data/segment_golden.json");

#[derive(Deserialize)]
struct Golden {
    kmeans: Vec<KCase>,
    rfm: Vec<RfmCase>,
}

#[derive(Deserialize)]
struct KCase {
    cols: usize,
    k: usize,
    x: Vec<f64>,
    init: Vec<f64>,
    labels: Vec<u32>,
    inertia: f64,
    centers: Vec<f64>,
    n_iter: usize,
    silhouette: f64,
    means: Vec<f64>,
    scales: Vec<f64>,
}

#[derive(Deserialize)]
struct RfmCase {
    bins: u8,
    recency: Vec<f64>,
    frequency: Vec<f64>,
    monetary: Vec<f64>,
    r: Vec<u8>,
    f: Vec<u8>,
    m: Vec<u8>,
}

fn golden() -> Golden {
    serde_json::from_str(FIXTURE).expect("fixture parses")
}

/// A row-major fixture matrix.
fn matrix(values: &[f64], cols: usize) -> Array2<f64> {
    ArrayView2::from_shape((values.len() / cols, cols), values)
        .unwrap()
        .to_owned()
}

fn rel_close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * b.abs().max(1.0)
}

#[test]
fn kmeans_matches_scikit_learn_from_the_same_centres() {
    for (i, c) in golden().kmeans.iter().enumerate() {
        let x = matrix(&c.x, c.cols);
        let init = matrix(&c.init, c.cols);
        for algorithm in [Algorithm::Auto, Algorithm::Hamerly, Algorithm::Lloyd] {
            let opts = KMeansOptions::default().k(c.k).algorithm(algorithm);
            let fit = kmeans_from(x.view(), init.view(), &opts).unwrap();
            assert_eq!(fit.labels, c.labels, "case {i} {algorithm:?}: labels");
            assert_eq!(fit.iterations, c.n_iter, "case {i} {algorithm:?}: n_iter");
            assert!(
                rel_close(fit.inertia, c.inertia, 1e-9),
                "case {i} {algorithm:?}: inertia {} vs {}",
                fit.inertia,
                c.inertia
            );
            for (a, b) in fit.centers.iter().zip(&c.centers) {
                assert!(rel_close(*a, *b, 1e-9), "case {i}: centre {a} vs {b}");
            }
        }
    }
}

#[test]
fn standardize_and_silhouette_match_scikit_learn() {
    for (i, c) in golden().kmeans.iter().enumerate() {
        let x = matrix(&c.x, c.cols);
        let (_, s) = standardize(x.view()).unwrap();
        for (a, b) in s.means.iter().zip(&c.means) {
            assert!(rel_close(*a, *b, 1e-12), "case {i}: mean {a} vs {b}");
        }
        for (a, b) in s.scales.iter().zip(&c.scales) {
            assert!(rel_close(*a, *b, 1e-12), "case {i}: scale {a} vs {b}");
        }
        let sil = silhouette_score(x.view(), &c.labels).unwrap();
        assert!(
            (sil - c.silhouette).abs() <= 1e-9,
            "case {i}: silhouette {sil} vs {}",
            c.silhouette
        );
    }
}

#[test]
fn rfm_scores_match_pandas_qcut_of_first_rank() {
    for (i, c) in golden().rfm.iter().enumerate() {
        let opts = RfmOptions::default().bins(c.bins).rules(vec![]);
        let out = rfm(&c.recency, &c.frequency, &c.monetary, &opts).unwrap();
        // every fixture customer has a purchase, so every score is present
        let scores = |s: &[Option<u8>]| s.iter().map(|v| v.unwrap_or(0)).collect::<Vec<u8>>();
        assert_eq!(scores(&out.r), c.r, "case {i}: R");
        assert_eq!(scores(&out.f), c.f, "case {i}: F");
        assert_eq!(scores(&out.m), c.m, "case {i}: M");
    }
}
