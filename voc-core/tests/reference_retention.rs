//! Reference tests of the retention module against golden values from named peers.
//!
//! The fixture `tests/data/retention_golden.json` is written by `scripts/golden/retention.py`
//! (provenance in `tests/data/README.md`): lifelines 0.30.3 (`KaplanMeierFitter`, `logrank_test`,
//! `multivariate_logrank_test`, `CoxPHFitter`), statsmodels `PHReg` and lifetimes 0.11.3
//! (`BetaGeoFitter`, `GammaGammaFitter`, `summary_data_from_transaction_data`) on the public data sets
//! copied in `tests/data/` (rossi, waltons, CDNOW) and on seeded samples stored in the fixture.

// Tests report failure by panicking.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use serde_json::Value;
use voc_core::retention::{CoxOptions, KmOptions, Ties, cox_ph, kaplan_meier, logrank_test};

const FIXTURE: &str = include_str!("data/retention_golden.json");

fn golden() -> Value {
    serde_json::from_str(FIXTURE).unwrap()
}

fn num(v: &Value) -> f64 {
    match v {
        Value::Null => f64::NAN,
        Value::String(s) if s == "inf" => f64::INFINITY,
        Value::String(s) if s == "-inf" => f64::NEG_INFINITY,
        v => v.as_f64().unwrap(),
    }
}

fn nums(v: &Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(num).collect()
}

fn close(what: &str, got: f64, want: f64, tol: f64) {
    let ok = (got.is_nan() && want.is_nan())
        || got == want
        || (got - want).abs() <= tol * want.abs().max(1.0);
    assert!(ok, "{what}: got {got}, want {want} (tol {tol})");
}

fn close_all(what: &str, got: &[f64], want: &[f64], tol: f64) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        close(&format!("{what}[{i}]"), *g, *w, tol);
    }
}

/// Kaplan–Meier against lifelines: survival, exponential Greenwood interval, table counts, median and
/// its interval, to 1e-12.
#[test]
fn kaplan_meier_matches_lifelines() {
    let g = golden();
    for case in g["kaplan_meier"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let t = nums(&case["durations"]);
        let e = nums(&case["events"]);
        let opts = KmOptions {
            confidence: num(&case["level"]),
        };
        let km = kaplan_meier(&t, &e, None, opts).unwrap();
        let c = &km.curves[0];
        close_all(&format!("{name} time"), &c.time, &nums(&case["time"]), 0.0);
        let as_f = |v: &[u64]| v.iter().map(|&x| x as f64).collect::<Vec<_>>();
        close_all(
            &format!("{name} at_risk"),
            &as_f(&c.at_risk),
            &nums(&case["at_risk"]),
            0.0,
        );
        close_all(
            &format!("{name} events"),
            &as_f(&c.events),
            &nums(&case["events_at"]),
            0.0,
        );
        close_all(
            &format!("{name} censored"),
            &as_f(&c.censored),
            &nums(&case["censored"]),
            0.0,
        );
        close_all(
            &format!("{name} survival"),
            &c.survival,
            &nums(&case["survival"]),
            1e-12,
        );
        close_all(
            &format!("{name} ci_low"),
            &c.ci_low,
            &nums(&case["ci_low"]),
            1e-12,
        );
        close_all(
            &format!("{name} ci_high"),
            &c.ci_high,
            &nums(&case["ci_high"]),
            1e-12,
        );
        close(
            &format!("{name} median"),
            c.median,
            num(&case["median"]),
            0.0,
        );
        close(
            &format!("{name} median_low"),
            c.median_low,
            num(&case["median_low"]),
            0.0,
        );
        close(
            &format!("{name} median_high"),
            c.median_high,
            num(&case["median_high"]),
            0.0,
        );
    }
}

/// Grouped curves equal the curves of each group fitted alone.
#[test]
fn grouped_kaplan_meier_equals_separate_fits() {
    let g = golden();
    let case = &g["logrank"][1];
    let t = nums(&case["durations"]);
    let e = nums(&case["events"]);
    let codes: Vec<u32> = case["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap() as u32)
        .collect();
    let all = kaplan_meier(&t, &e, Some(&codes), KmOptions::default()).unwrap();
    assert_eq!(all.curves.len(), 3);
    for k in 0..3u32 {
        let (tk, ek): (Vec<f64>, Vec<f64>) = t
            .iter()
            .zip(&e)
            .zip(&codes)
            .filter(|(_, c)| **c == k)
            .map(|((a, b), _)| (*a, *b))
            .unzip();
        let one = kaplan_meier(&tk, &ek, None, KmOptions::default()).unwrap();
        assert_eq!(one.curves[0], all.curves[k as usize]);
    }
}

/// Log-rank statistic and p-value against lifelines, to 1e-10.
#[test]
fn logrank_matches_lifelines() {
    let g = golden();
    for case in g["logrank"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let t = nums(&case["durations"]);
        let e = nums(&case["events"]);
        let codes: Vec<u32> = case["groups"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap() as u32)
            .collect();
        let r = logrank_test(&t, &e, &codes).unwrap();
        close(
            &format!("{name} statistic"),
            r.statistic,
            num(&case["statistic"]),
            1e-10,
        );
        close(
            &format!("{name} p"),
            r.p_value,
            num(&case["p_value"]),
            1e-10,
        );
        assert_eq!(r.df as u64, case["df"].as_u64().unwrap());
        if let Some(s2) = case.get("statistic_two") {
            close(
                &format!("{name} two-group statistic"),
                r.statistic,
                num(s2),
                1e-10,
            );
        }
    }
}

/// Reads a comma-separated file with a header into (header, rows of numbers).
fn read_csv(text: &str) -> (Vec<String>, Vec<Vec<f64>>) {
    let mut lines = text.lines();
    let header = lines
        .next()
        .unwrap()
        .split(',')
        .map(|s| s.trim().to_string())
        .collect();
    let rows = lines
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split(',').map(|v| v.trim().parse().unwrap()).collect())
        .collect();
    (header, rows)
}

fn column(header: &[String], rows: &[Vec<f64>], name: &str) -> Vec<f64> {
    let j = header.iter().position(|h| h == name).unwrap();
    rows.iter().map(|r| r[j]).collect()
}

/// Cox PH on the rossi data against lifelines `CoxPHFitter` (Efron, with and without an L2 penalty) and
/// statsmodels `PHReg` (Breslow and Efron): coefficients, SE, z, p, intervals and log-likelihood to 1e-6
/// (relative where larger than 1); the likelihood-ratio test and concordance to 1e-6.
#[test]
fn cox_matches_lifelines_and_statsmodels_on_rossi() {
    let (header, rows) = read_csv(include_str!("data/rossi.csv"));
    let g = golden();
    for case in g["cox"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let cols: Vec<&str> = case["columns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap())
            .collect();
        let p = cols.len();
        let mut x = Vec::with_capacity(rows.len() * p);
        for row in &rows {
            for c in &cols {
                let j = header.iter().position(|h| h == c).unwrap();
                x.push(row[j]);
            }
        }
        let t = column(&header, &rows, "week");
        let e = column(&header, &rows, "arrest");
        let opts = CoxOptions {
            ties: Ties::parse(case["ties"].as_str().unwrap()).unwrap(),
            penalizer: num(&case["penalizer"]),
            ..CoxOptions::default()
        };
        let fit = cox_ph(&x, p, &t, &e, opts).unwrap();
        let tol = 1e-6;
        close_all(
            &format!("{name} coef"),
            &fit.coef,
            &nums(&case["coef"]),
            tol,
        );
        close_all(&format!("{name} se"), &fit.se, &nums(&case["se"]), tol);
        close_all(&format!("{name} z"), &fit.z, &nums(&case["z"]), tol);
        close_all(&format!("{name} p"), &fit.p_value, &nums(&case["p"]), tol);
        if case.get("ci_low").is_some() {
            close_all(
                &format!("{name} ci_low"),
                &fit.ci_low,
                &nums(&case["ci_low"]),
                tol,
            );
            close_all(
                &format!("{name} ci_high"),
                &fit.ci_high,
                &nums(&case["ci_high"]),
                tol,
            );
        }
        close(
            &format!("{name} loglik"),
            fit.penalized_log_likelihood,
            num(&case["log_likelihood"]),
            tol,
        );
        if let Some(v) = case.get("lr_statistic") {
            close(&format!("{name} lr"), fit.lr_statistic, num(v), tol);
            close(
                &format!("{name} lr p"),
                fit.lr_p_value,
                num(&case["lr_p"]),
                tol,
            );
            close(
                &format!("{name} c"),
                fit.concordance,
                num(&case["concordance"]),
                tol,
            );
        }
        for (hr, c) in fit.hazard_ratio.iter().zip(&fit.coef) {
            assert_eq!(*hr, c.exp());
        }
    }
}
