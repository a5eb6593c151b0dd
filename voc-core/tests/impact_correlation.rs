//! Correlation against scipy (fixtures from `scripts/golden/correlation.py`) and its properties.
//!
//! Tolerance: 1e-12 relative for coefficients (plus 1e-14 absolute for coefficients near zero), 1e-12
//! relative for p-values and interval ends, whatever their size.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use ndarray::{Array2, ShapeBuilder, s};
use proptest::prelude::*;
use serde_json::Value;
use voc_core::MissingPolicy;
use voc_core::impact::correlation::{
    Alternative, Correlation, CorrelationMethod, CorrelationOptions, KendallVariant, PValueMethod,
    average_ranks, correlate, correlation_matrix, kendall, pearson, point_biserial, spearman,
};
use voc_core::{Error, Result};

const REL: f64 = 1e-12;

fn golden() -> Value {
    let text = include_str!("data/correlation_golden.json");
    serde_json::from_str(text).expect("fixture is valid JSON")
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|x| x.as_f64().expect("number"))
        .collect()
}

thread_local! {
    static FAILURES: std::cell::RefCell<Vec<String>> = const { std::cell::RefCell::new(Vec::new()) };
}

fn close(what: &str, got: f64, want: f64, abs: f64) {
    let ok = got == want || (got - want).abs() <= REL * want.abs() + abs;
    if !ok {
        let msg = format!(
            "{what}: got {got:e}, scipy {want:e} (rel {:e})",
            ((got - want) / want).abs()
        );
        FAILURES.with(|f| f.borrow_mut().push(msg));
    }
}

fn assert_no_failures() {
    let all = FAILURES.with(|f| std::mem::take(&mut *f.borrow_mut()));
    assert!(
        all.is_empty(),
        "{} mismatches:\n{}",
        all.len(),
        all.join("\n")
    );
}

fn check(what: &str, got: &Correlation, want: &Value) {
    let w = floats(want);
    close(&format!("{what} estimate"), got.estimate, w[0], 1e-14);
    close(&format!("{what} p"), got.p_value, w[1], 0.0);
}

fn is_close(got: f64, want: f64) -> bool {
    got == want || (got - want).abs() <= REL * want.abs()
}

/// p-value against scipy's, or, where that is ill-conditioned and scipy's coefficient is an ulp off,
/// against scipy's formula at the correctly rounded coefficient (see `scripts/golden/correlation.py`).
fn check_p(what: &str, got: &Correlation, want: &Value, at_exact: &Value) {
    let w = floats(want);
    close(&format!("{what} estimate"), got.estimate, w[0], 1e-14);
    let exact = at_exact.as_f64().expect("number");
    if !is_close(got.p_value, w[1]) {
        close(
            &format!("{what} p (at exact coefficient)"),
            got.p_value,
            exact,
            0.0,
        );
    }
}

fn alt(name: &str) -> Alternative {
    name.parse::<Alternative>().expect("alternative")
}

#[test]
fn golden_pearson_spearman_kendall() -> Result<()> {
    let g = golden();
    let cases = g["cases"].as_array().expect("cases");
    assert!(cases.len() >= 30);
    for c in cases {
        let name = c["name"].as_str().expect("name");
        let x = floats(&c["x"]);
        let y = floats(&c["y"]);
        for a in ["two-sided", "less", "greater"] {
            let e = &c[a];
            let what = |m: &str| format!("{name} {m} {a}");
            let p = pearson(&x, &y, &CorrelationOptions::default().alternative(alt(a)))?;
            check_p(
                &what("pearson"),
                &p,
                &e["pearson"],
                &e["pearson_p_at_exact_r"],
            );
            let ci = floats(&e["pearson_ci95"]);
            close(&what("pearson ci low"), p.ci_low, ci[0], 0.0);
            close(&what("pearson ci high"), p.ci_high, ci[1], 0.0);
            let p90 = pearson(
                &x,
                &y,
                &CorrelationOptions::default()
                    .alternative(alt(a))
                    .confidence(0.90),
            )?;
            let ci = floats(&e["pearson_ci90"]);
            close(&what("pearson ci90 low"), p90.ci_low, ci[0], 0.0);
            close(&what("pearson ci90 high"), p90.ci_high, ci[1], 0.0);
            check_p(
                &what("spearman"),
                &spearman(&x, &y, &CorrelationOptions::default().alternative(alt(a)))?,
                &e["spearman"],
                &e["spearman_p_at_exact_rho"],
            );
            let kb = kendall(&x, &y, &CorrelationOptions::default().alternative(alt(a)))?;
            check(&what("kendall b"), &kb, &e["kendall_b"]);
            let want = c["kendall_method"].as_str().expect("method");
            assert_eq!(kb.p_method.name(), want, "{name}: p method");
            check(
                &what("kendall c"),
                &kendall(
                    &x,
                    &y,
                    &CorrelationOptions::default()
                        .alternative(alt(a))
                        .variant(KendallVariant::C),
                )?,
                &e["kendall_c"],
            );
        }
        assert_eq!(average_ranks(&x)?, floats(&c["ranks_x"]), "{name} ranks");
    }
    assert_no_failures();
    Ok(())
}

#[test]
fn golden_point_biserial() -> Result<()> {
    let g = golden();
    for c in g["point_biserial"].as_array().expect("pb") {
        let x = floats(&c["x"]);
        let y = floats(&c["y"]);
        let r = point_biserial(&x, &y, &CorrelationOptions::default())?;
        close("pb r", r.estimate, c["r"].as_f64().expect("r"), 1e-14);
        close("pb p", r.p_value, c["p"].as_f64().expect("p"), 0.0);
        assert_eq!(r.method, CorrelationMethod::PointBiserial);
    }
    assert_no_failures();
    Ok(())
}

#[test]
fn exact_kendall_small_samples() -> Result<()> {
    // n = 4, one discordant pair: S = 4, exact two-sided p = 2·P(≤ 1 inversion) = 2·4/24.
    let k = kendall(
        &[1.0, 2.0, 3.0, 4.0],
        &[1.0, 3.0, 2.0, 4.0],
        &CorrelationOptions::default(),
    )?;
    assert_eq!(k.p_method, PValueMethod::Exact);
    assert!((k.p_value - 8.0 / 24.0).abs() < 1e-15);
    assert!((k.estimate - 4.0 / 6.0).abs() < 1e-15);
    // Perfect agreement of 40 (beyond 33, but no discordant pair): exact 2/40!.
    let x: Vec<f64> = (0..40).map(f64::from).collect();
    let k = kendall(&x, &x, &CorrelationOptions::default())?;
    assert_eq!(k.p_method, PValueMethod::Exact);
    let f40: f64 = (1..=40).map(f64::from).product();
    assert!((k.p_value / (2.0 / f40) - 1.0).abs() < 1e-12);
    Ok(())
}

#[test]
fn bad_input_is_a_typed_error() {
    let a = Alternative::TwoSided;
    assert!(matches!(
        pearson(
            &[1.0, 2.0, 3.0],
            &[1.0, 2.0],
            &CorrelationOptions::default().alternative(a)
        ),
        Err(Error::LengthMismatch {
            arg: "y",
            len: 2,
            ..
        })
    ));
    assert!(matches!(
        spearman(
            &[1.0, f64::NAN, 3.0],
            &[1.0, 2.0, 3.0],
            &CorrelationOptions::default().alternative(a)
        ),
        Err(Error::Missing { arg: "x", index: 1 })
    ));
    let e = kendall(
        &[1.0, 2.0, 3.0],
        &[1.0, 2.0, f64::NEG_INFINITY],
        &CorrelationOptions::default().alternative(a),
    );
    assert_eq!(
        e.map_err(|e| e.to_string()).err().as_deref(),
        Some("y[2] = -inf is not finite")
    );
    assert!(matches!(
        pearson(
            &[1.0, 2.0],
            &[1.0, 2.0],
            &CorrelationOptions::default().alternative(a)
        ),
        Err(Error::InsufficientData(_))
    ));
    assert!(matches!(
        pearson(&[], &[], &CorrelationOptions::default().alternative(a)),
        Err(Error::InsufficientData(_))
    ));
    for m in [
        CorrelationMethod::Pearson,
        CorrelationMethod::Spearman,
        CorrelationMethod::Kendall,
    ] {
        let o = CorrelationOptions::default().method(m);
        let e = correlate(&[1.0, 2.0, 3.0, 4.0], &[5.0; 4], &o).unwrap_err();
        assert!(matches!(e, Error::InsufficientData(_)), "{m:?}");
        assert!(e.to_string().contains("y is constant"), "{e}");
    }
    assert!(matches!(
        point_biserial(
            &[0.0, 1.0, 0.5],
            &[1.0, 2.0, 3.0],
            &CorrelationOptions::default().alternative(a)
        ),
        Err(Error::InvalidValue {
            arg: "x",
            index: 2,
            ..
        })
    ));
    assert!(matches!(
        pearson(
            &[1.0, 2.0, 3.0],
            &[1.0, 3.0, 2.0],
            &CorrelationOptions::default().alternative(a).confidence(1.0)
        ),
        Err(Error::InvalidOption {
            name: "confidence",
            ..
        })
    ));
}

#[test]
fn matrix_matches_pairwise_calls_and_names_missing_values() -> Result<()> {
    let a = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0];
    let b = [2.0, 1.0, 4.0, 3.0, 7.0, f64::NAN, 5.0];
    let c = [7.0, 6.0, 5.0, 5.0, 2.0, 1.0, 1.0];
    let d = [3.0; 7];
    let cols = [&a, &b, &c, &d];
    let x = Array2::from_shape_fn((7, 4).f(), |(i, j)| cols[j][i]);
    let names = ["a", "b", "c", "const"];
    for method in [
        CorrelationMethod::Pearson,
        CorrelationMethod::Spearman,
        CorrelationMethod::Kendall,
    ] {
        let o = CorrelationOptions::default().method(method);
        let err = correlation_matrix(x.view(), &names, &o).unwrap_err();
        assert!(
            err.to_string().contains("column \"b\", row 5 = NaN"),
            "{err}"
        );
        let m = correlation_matrix(x.view(), &names, &o.missing(MissingPolicy::Skip))?;
        assert_eq!(m.pairs.len(), 6);
        let ab = correlate(
            &[1.0, 2.0, 3.0, 4.0, 5.0, 7.0],
            &[2.0, 1.0, 4.0, 3.0, 7.0, 5.0],
            &o,
        )?;
        assert_eq!(m.estimate[[0, 1]], ab.estimate);
        assert_eq!(m.estimate[[1, 0]], ab.estimate);
        assert_eq!(m.p_value[[0, 1]], ab.p_value);
        assert_eq!((m.n[[0, 1]], m.n[[0, 2]], m.n[[1, 1]]), (6, 7, 6));
        let ac = correlate(&a, &c, &o)?;
        assert_eq!(m.estimate[[0, 2]], ac.estimate);
        assert!(m.estimate[[0, 3]].is_nan() && m.p_value[[2, 3]].is_nan());
    }
    Ok(())
}

#[test]
fn spearman_of_ten_thousand_likert_pairs_matches_pearson_of_ranks() -> Result<()> {
    // The counting path (small whole numbers) against Pearson on average ranks.
    let x: Vec<f64> = (0..10_000)
        .map(|i| f64::from((i * 7 + i / 13) % 11))
        .collect();
    let y: Vec<f64> = (0..10_000)
        .map(|i| f64::from((i * 3 + i / 7) % 5 + 1))
        .collect();
    let s = spearman(&x, &y, &CorrelationOptions::default())?;
    let p = pearson(
        &average_ranks(&x)?,
        &average_ranks(&y)?,
        &CorrelationOptions::default(),
    )?;
    assert!((s.estimate - p.estimate).abs() < 1e-13);
    // Same data made fractional takes the radix path and gives the same ρ.
    let xf: Vec<f64> = x.iter().map(|v| v * 0.1 + 0.05).collect();
    let s2 = spearman(&xf, &y, &CorrelationOptions::default())?;
    assert_eq!(s.estimate, s2.estimate);
    Ok(())
}

#[test]
fn matrix_reads_every_layout_alike() -> Result<()> {
    // 60 rows × 5 columns: continuous, Likert (ties), a NaN for the pairwise path, and a constant.
    let (n, k) = (60, 5);
    let x = Array2::from_shape_fn((n, k), |(i, j)| match j {
        0 => (i as f64 * 0.37).sin() * 10.0,
        1 => ((i * 7) % 11) as f64,
        2 if i == 13 => f64::NAN,
        2 => (i as f64 * 0.11).cos() + 0.01 * i as f64,
        3 => ((i * 3) % 5 + 1) as f64,
        _ => 2.0,
    });
    let names = ["a", "b", "c", "d", "const"];
    let rows = x.as_standard_layout().into_owned();
    let cols = x.t().as_standard_layout().t().to_owned();
    assert!(cols.t().is_standard_layout() && !cols.is_standard_layout());
    let mut big = Array2::from_elem((2 * n, k), -7.5);
    big.slice_mut(s![..;2, ..]).assign(&x);
    let strided = big.slice(s![..;2, ..]);
    assert!(strided.as_slice_memory_order().is_none());
    for method in [
        CorrelationMethod::Pearson,
        CorrelationMethod::Spearman,
        CorrelationMethod::Kendall,
    ] {
        let o = CorrelationOptions::default()
            .method(method)
            .missing(MissingPolicy::Skip);
        let want = correlation_matrix(rows.view(), &names, &o)?;
        let got_f = correlation_matrix(cols.view(), &names, &o)?;
        let got_s = correlation_matrix(strided, &names, &o)?;
        for got in [&got_f, &got_s] {
            // NaN != NaN: compare the bits
            let bits = |m: &Array2<f64>| m.mapv(f64::to_bits);
            assert_eq!(bits(&got.estimate), bits(&want.estimate), "{method:?}");
            assert_eq!(bits(&got.p_value), bits(&want.p_value), "{method:?}");
            assert_eq!(got.n, want.n);
            assert_eq!(got.names, want.names);
        }
        assert_eq!(want.estimate.dim(), (k, k));
        assert_eq!(want.n[[0, 2]], n - 1);
        assert!(want.estimate[[0, 4]].is_nan());
        let a: Vec<f64> = x.column(0).to_vec();
        let b: Vec<f64> = x.column(1).to_vec();
        assert_eq!(want.estimate[[0, 1]], correlate(&a, &b, &o)?.estimate);
    }
    // the error names the same column and row whatever the layout
    let strict = CorrelationOptions::default();
    for view in [rows.view(), cols.view(), strided] {
        let e = correlation_matrix(view, &names, &strict).unwrap_err();
        assert!(e.to_string().contains("column \"c\", row 13"), "{e}");
    }
    Ok(())
}

fn column(n: usize) -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec(prop_oneof![(-5i32..5).prop_map(f64::from), -1e3f64..1e3], n)
}

fn pairs() -> impl Strategy<Value = (Vec<f64>, Vec<f64>)> {
    (3usize..60).prop_flat_map(|n| (column(n), column(n)))
}

fn try_all(x: &[f64], y: &[f64]) -> Vec<Option<Correlation>> {
    [
        CorrelationMethod::Pearson,
        CorrelationMethod::Spearman,
        CorrelationMethod::Kendall,
    ]
    .iter()
    .map(|&method| correlate(x, y, &CorrelationOptions::default().method(method)).ok())
    .collect()
}

proptest! {
    #[test]
    fn bounded_and_symmetric((x, y) in pairs()) {
        let xy = try_all(&x, &y);
        let yx = try_all(&y, &x);
        for (a, b) in xy.iter().zip(&yx) {
            prop_assert_eq!(a.is_some(), b.is_some());
            if let (Some(a), Some(b)) = (a, b) {
                prop_assert!((-1.0..=1.0).contains(&a.estimate));
                prop_assert!((0.0..=1.0).contains(&a.p_value));
                prop_assert!((a.estimate - b.estimate).abs() < 1e-12);
                prop_assert!((a.p_value - b.p_value).abs() < 1e-12);
                prop_assert!(a.ci_low <= a.estimate + 1e-12 && a.estimate <= a.ci_high + 1e-12);
            }
        }
    }

    #[test]
    fn rank_methods_ignore_monotone_transforms((x, y) in pairs()) {
        let tx: Vec<f64> = x.iter().map(|v| (v / 100.0).exp() * 3.0 - 7.0).collect();
        let a = try_all(&x, &y);
        let b = try_all(&tx, &y);
        for (a, b) in a.iter().zip(&b).skip(1) {
            if let (Some(a), Some(b)) = (a, b) {
                prop_assert!((a.estimate - b.estimate).abs() < 1e-12);
                prop_assert!((a.p_value - b.p_value).abs() < 1e-12);
            }
        }
    }

    #[test]
    fn row_order_does_not_matter((x, y) in pairs(), seed in 0u64..1000) {
        let n = x.len();
        let mut perm: Vec<usize> = (0..n).collect();
        let mut s = seed;
        for i in (1..n).rev() {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            perm.swap(i, (s >> 33) as usize % (i + 1));
        }
        let px: Vec<f64> = perm.iter().map(|&i| x[i]).collect();
        let py: Vec<f64> = perm.iter().map(|&i| y[i]).collect();
        for (a, b) in try_all(&x, &y).iter().zip(&try_all(&px, &py)).skip(1) {
            if let (Some(a), Some(b)) = (a, b) {
                prop_assert_eq!(a.estimate, b.estimate);
                prop_assert_eq!(a.p_value, b.p_value);
            }
        }
    }

    #[test]
    fn negating_one_column_flips_the_sign((x, y) in pairs()) {
        let ny: Vec<f64> = y.iter().map(|v| -v).collect();
        for (a, b) in try_all(&x, &y).iter().zip(&try_all(&x, &ny)) {
            if let (Some(a), Some(b)) = (a, b) {
                prop_assert!((a.estimate + b.estimate).abs() < 1e-12);
            }
        }
    }
}

#[test]
fn matrix_result_round_trips_through_serde() -> Result<()> {
    let x = Array2::from_shape_fn((6, 3), |(i, j)| ((i * (j + 2)) % 5) as f64 + i as f64 * 0.1);
    let m = correlation_matrix(x.view(), &["a", "b", "c"], &CorrelationOptions::default())?;
    let json = serde_json::to_string(&m).expect("serialises");
    let back: voc_core::impact::correlation::CorrelationMatrix =
        serde_json::from_str(&json).expect("deserialises");
    assert_eq!(back, m);
    assert_eq!(back.estimate.dim(), (3, 3));
    Ok(())
}
