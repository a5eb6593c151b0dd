//! Byte forms of the fitted retention models: reference blobs stored in `tests/data/` (written by the
//! ignored test `write_reference_blobs`, run with `cargo test -p voc-core --test retention_bytes --
//! --ignored`) must keep decoding to the same models and predictions, and corrupted or truncated bytes
//! must be an `Error::Decode`, never a panic.
//!
//! The blobs hold: `cox_v2.bin` Cox PH (Efron) on rossi's seven covariates, with their names;
//! `cox_v1.bin` the same fit in the version-1 form (no names); `bgnbd_v1.bin` BG/NBD on the CDNOW
//! summary; `gamma_gamma_v1.bin` Gamma-Gamma on the CDNOW returning customers.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use ndarray::Array2;
use serde_json::Value;
use voc_core::retention::{
    BgNbd, BgNbdOptions, CoxData, CoxOptions, CoxPh, GammaGamma, GammaGammaOptions, cox_ph,
};
use voc_core::{Error, Fit};

const COX_V1: &[u8] = include_bytes!("data/cox_v1.bin");
const COX: &[u8] = include_bytes!("data/cox_v2.bin");
const BGNBD: &[u8] = include_bytes!("data/bgnbd_v1.bin");
const GAMMA_GAMMA: &[u8] = include_bytes!("data/gamma_gamma_v1.bin");
const ROSSI_COVARIATES: [&str; 7] = ["fin", "age", "race", "wexp", "mar", "paro", "prio"];

fn csv(text: &str, names: &[&str]) -> Vec<Vec<f64>> {
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').map(str::trim).collect();
    let idx: Vec<usize> = names
        .iter()
        .map(|n| header.iter().position(|h| h == n).unwrap())
        .collect();
    let rows: Vec<Vec<f64>> = lines
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split(',').map(|v| v.trim().parse().unwrap()).collect())
        .collect();
    idx.iter()
        .map(|&j| rows.iter().map(|r: &Vec<f64>| r[j]).collect())
        .collect()
}

fn rossi() -> (Array2<f64>, Vec<f64>, Vec<f64>) {
    let cols = csv(include_str!("data/rossi.csv"), &ROSSI_COVARIATES);
    let n = cols[0].len();
    let x = Array2::from_shape_fn((n, cols.len()), |(i, j)| cols[j][i]);
    let te = csv(include_str!("data/rossi.csv"), &["week", "arrest"]);
    (x, te[0].clone(), te[1].clone())
}

fn cdnow() -> Vec<Vec<f64>> {
    csv(
        include_str!("data/cdnow_customers_summary_with_transactions.csv"),
        &["x", "t_x", "T", "zbar"],
    )
}

fn golden() -> Value {
    serde_json::from_str(include_str!("data/retention_golden.json")).unwrap()
}

fn nums(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

fn close(what: &str, got: &[f64], want: &[f64], tol: f64) {
    assert_eq!(got.len(), want.len(), "{what}");
    for (g, w) in got.iter().zip(want) {
        assert!(
            (g - w).abs() <= tol * w.abs().max(1.0),
            "{what}: got {g}, want {w}"
        );
    }
}

fn fit_cox() -> CoxPh {
    let (x, t, e) = rossi();
    cox_ph(x.view(), &t, &e, &CoxOptions::default()).unwrap()
}

fn fit_cox_named() -> CoxPh {
    let (x, t, e) = rossi();
    let names: Vec<String> = ROSSI_COVARIATES.iter().map(|s| s.to_string()).collect();
    CoxOptions::default()
        .fit(CoxData::new(x.view(), &t, &e).names(&names))
        .unwrap()
}

fn fit_bgnbd() -> BgNbd {
    let c = cdnow();
    BgNbd::fit(&c[0], &c[1], &c[2], &BgNbdOptions::default()).unwrap()
}

fn fit_gamma_gamma() -> GammaGamma {
    let c = cdnow();
    GammaGamma::fit(&c[0], &c[3], &GammaGammaOptions::default()).unwrap()
}

/// Regenerates the reference blobs (only when the byte form changes on purpose: bump the version).
#[test]
#[ignore = "writes tests/data/cox_v2.bin, bgnbd_v1.bin, gamma_gamma_v1.bin"]
fn write_reference_blobs() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    std::fs::write(dir.join("cox_v2.bin"), fit_cox_named().to_bytes()).unwrap();
    std::fs::write(dir.join("bgnbd_v1.bin"), fit_bgnbd().to_bytes()).unwrap();
    std::fs::write(dir.join("gamma_gamma_v1.bin"), fit_gamma_gamma().to_bytes()).unwrap();
}

#[test]
fn cox_reference_blob_decodes_to_the_rossi_fit() {
    let m = CoxPh::from_bytes(COX).unwrap();
    assert_eq!(m.to_bytes(), COX, "re-encoding changes the bytes");
    let g = golden();
    let case = &g["cox"][0];
    assert_eq!(case["name"], "rossi_efron_pen0.0");
    close("coef", &m.coef, &nums(&case["coef"]), 1e-6);
    close("se", &m.se, &nums(&case["se"]), 1e-6);
    assert_eq!((m.n, m.n_events, m.lr_df, m.n_missing), (432, 114, 7, 0));
    assert_eq!(m.names, ROSSI_COVARIATES);
    let (x, _, _) = rossi();
    let fresh = fit_cox_named();
    close(
        "log partial hazard",
        &m.log_partial_hazard(x.view()).unwrap(),
        &fresh.log_partial_hazard(x.view()).unwrap(),
        1e-9,
    );
    close(
        "linear predictor",
        &m.linear_predictor(x.view()).unwrap(),
        &fresh.linear_predictor(x.view()).unwrap(),
        1e-9,
    );
}

#[test]
fn cox_version_1_blob_still_decodes() {
    let old = CoxPh::from_bytes(COX_V1).unwrap();
    let new = CoxPh::from_bytes(COX).unwrap();
    assert_eq!(old.names, ["x0", "x1", "x2", "x3", "x4", "x5", "x6"]);
    assert_eq!(old.n_missing, 0);
    assert_eq!(
        CoxPh {
            names: new.names.clone(),
            ..old.clone()
        },
        new
    );
    // Version 1 reads to the unnamed fit: the same counts and names, and the same numbers up to the
    // rounding of the fit's summation order (the blob was written by an earlier evaluation of the
    // likelihood).
    let fresh = fit_cox();
    assert_eq!(
        CoxPh {
            coef: fresh.coef.clone(),
            se: fresh.se.clone(),
            z: fresh.z.clone(),
            p_value: fresh.p_value.clone(),
            ci_low: fresh.ci_low.clone(),
            ci_high: fresh.ci_high.clone(),
            hazard_ratio: fresh.hazard_ratio.clone(),
            covariance: fresh.covariance.clone(),
            log_likelihood: fresh.log_likelihood,
            penalized_log_likelihood: fresh.penalized_log_likelihood,
            null_log_likelihood: fresh.null_log_likelihood,
            lr_statistic: fresh.lr_statistic,
            lr_p_value: fresh.lr_p_value,
            concordance: fresh.concordance,
            mean: fresh.mean.clone(),
            ..old.clone()
        },
        fresh,
        "version 1 reads to the unnamed fit"
    );
    for (what, a, b) in [
        ("coef", &old.coef, &fresh.coef),
        ("se", &old.se, &fresh.se),
        ("z", &old.z, &fresh.z),
        ("p_value", &old.p_value, &fresh.p_value),
        ("covariance", &old.covariance, &fresh.covariance),
        ("mean", &old.mean, &fresh.mean),
    ] {
        close(what, a, b, 1e-12);
    }
    close(
        "likelihoods, concordance",
        &[
            old.log_likelihood,
            old.null_log_likelihood,
            old.lr_statistic,
            old.concordance,
        ],
        &[
            fresh.log_likelihood,
            fresh.null_log_likelihood,
            fresh.lr_statistic,
            fresh.concordance,
        ],
        1e-12,
    );
}

#[test]
fn bgnbd_reference_blob_decodes_to_the_cdnow_fit() {
    let m = BgNbd::from_bytes(BGNBD).unwrap();
    assert_eq!(m.to_bytes(), BGNBD, "re-encoding changes the bytes");
    let published = [0.243, 4.414, 0.793, 2.426];
    close("published", &[m.r, m.alpha, m.a, m.b], &published, 5e-4);
    close(
        "lifetimes",
        &[m.r, m.alpha, m.a, m.b],
        &nums(&golden()["bgnbd"]["params"]),
        2e-6,
    );
    assert_eq!(m.n, 2357);
    let c = cdnow();
    let fresh = fit_bgnbd();
    close(
        "p_alive",
        &m.p_alive(&c[0], &c[1], &c[2]).unwrap(),
        &fresh.p_alive(&c[0], &c[1], &c[2]).unwrap(),
        1e-9,
    );
    close(
        "expected purchases",
        &m.expected_purchases(39.0, &c[0], &c[1], &c[2]).unwrap(),
        &fresh.expected_purchases(39.0, &c[0], &c[1], &c[2]).unwrap(),
        1e-9,
    );
}

#[test]
fn gamma_gamma_reference_blob_decodes_to_the_cdnow_fit() {
    let m = GammaGamma::from_bytes(GAMMA_GAMMA).unwrap();
    assert_eq!(m.to_bytes(), GAMMA_GAMMA, "re-encoding changes the bytes");
    let gg = &golden()["gamma_gamma"];
    close("params", &[m.p, m.q, m.v], &nums(&gg["params"]), 1e-7);
    close("se", &m.se, &nums(&gg["se"]), 1e-6);
    let c = cdnow();
    let fresh = fit_gamma_gamma();
    close(
        "expected spend",
        &m.expected_spend(&c[0], &c[3]).unwrap(),
        &fresh.expected_spend(&c[0], &c[3]).unwrap(),
        1e-9,
    );
}

#[test]
fn corrupted_or_truncated_bytes_are_decode_errors() {
    common::assert_corruption_is_detected(COX, CoxPh::from_bytes);
    common::assert_corruption_is_detected(COX_V1, CoxPh::from_bytes);
    common::assert_corruption_is_detected(BGNBD, BgNbd::from_bytes);
    common::assert_corruption_is_detected(GAMMA_GAMMA, GammaGamma::from_bytes);
    // one model's bytes are not another's
    assert!(matches!(
        BgNbd::from_bytes(GAMMA_GAMMA),
        Err(Error::Decode { .. })
    ));
    assert!(matches!(
        CoxPh::from_bytes(BGNBD),
        Err(Error::Decode { .. })
    ));
    assert!(matches!(
        GammaGamma::from_bytes(COX),
        Err(Error::Decode { .. })
    ));
}
