use super::*;

fn data() -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    // Two features, overlapping classes.
    let x1: Vec<f64> = (0..40)
        .map(|i| (i as f64 * 0.37).sin() * 3.0 + i as f64 * 0.1)
        .collect();
    let x2: Vec<f64> = (0..40).map(|i| ((i * 7) % 11) as f64).collect();
    let y: Vec<f64> = (0..40)
        .map(|i| {
            f64::from(u8::from(
                (x1[i] + 0.3 * x2[i] + ((i * 13) % 5) as f64 - 4.0) > 0.0,
            ))
        })
        .collect();
    (x1, x2, y)
}

/// `n` rows of three features (deterministic, no random generator needed) and labels.
fn big(n: usize) -> (Vec<f64>, Vec<f64>) {
    let mut rows = Vec::with_capacity(3 * n);
    let mut y = Vec::with_capacity(n);
    for i in 0..n {
        let (a, b, c) = (
            (i as f64 * 0.618).sin() * 2.0,
            ((i * 7919) % 1000) as f64 / 250.0,
            (i as f64 * 0.0137).cos(),
        );
        rows.extend([a, b, c]);
        let u = ((i * 104_729) % 10_007) as f64 / 10_007.0;
        let eta = -1.0 + 0.8 * a - 0.3 * b + 0.5 * c;
        y.push(f64::from(u8::from(u < 1.0 / (1.0 + (-eta).exp()))));
    }
    (rows, y)
}

#[test]
fn warm_start_reaches_the_cold_start_optimum() {
    let n = WARM_MIN_ROWS + 1_234;
    let (rows, y) = big(n);
    let names = vec!["a".to_string(), "b".to_string(), "c".to_string()];
    // Uneven sample weights (some zero) with balanced classes, and plain rows.
    let w: Vec<f64> = (0..n).map(|i| ((i * 31) % 7) as f64 / 3.0).collect();
    for (c, weights) in [(0.01, None), (1.0, None), (1.0, Some(&w[..]))] {
        let opts = LogisticOptions {
            c,
            class_weight: if weights.is_some() {
                ClassWeight::Balanced
            } else {
                ClassWeight::None
            },
            ..Default::default()
        };
        let warm = fit_rows(&rows, &names, &y, weights, &opts).unwrap();
        // The same problem from the cold start, without the subsample.
        let s = row_weights(&y, weights, opts.class_weight).unwrap();
        let design = Design::Rows {
            values: &rows,
            features: 3,
        };
        let prep = prepare(design, &s, &opts).unwrap();
        let ybar = y.iter().zip(&s).map(|(a, b)| a * b).sum::<f64>() / s.iter().sum::<f64>();
        let mut beta = vec![0.0; 4];
        beta[0] = (ybar / (1.0 - ybar)).ln();
        let data = Data {
            z: &prep.z,
            q: 3,
            y: &y,
            s: &s,
        };
        let (cold, conv, _) =
            newton(&data, beta, 0.0, 1.0 / c, 100, 1e-10, 2).unwrap_or_else(|_| panic!());
        assert!(conv.converged);
        for (a, b) in warm.coef_std.iter().zip(&cold[1..]) {
            assert!((a - b).abs() < 1e-9, "{a} vs {b}");
        }
        assert!((warm.intercept_std - cold[0]).abs() < 1e-9);
    }
}

#[test]
fn rows_and_columns_give_identical_fits() {
    let (rows, y) = big(5_000);
    let cols: Vec<Vec<f64>> = (0..3)
        .map(|j| rows.iter().skip(j).step_by(3).copied().collect())
        .collect();
    let x: Vec<&[f64]> = cols.iter().map(Vec::as_slice).collect();
    let names = vec!["a".to_string(), "b".to_string(), "c".to_string()];
    let opts = LogisticOptions::default();
    let by_rows = fit_rows(&rows, &names, &y, None, &opts).unwrap();
    let by_cols = fit(&x, &names, &y, None, &opts).unwrap();
    assert_eq!(by_rows.coef, by_cols.coef);
    assert_eq!(by_rows.intercept, by_cols.intercept);
    // Wrong shapes are errors, not panics.
    assert!(fit_rows(&rows[1..], &names, &y, None, &opts).is_err());
    assert!(fit_rows(&rows, &names[..2], &y, None, &opts).is_err());
}

#[test]
fn gradient_vanishes_at_the_optimum() {
    let (x1, x2, y) = data();
    let names = vec!["a".to_string(), "b".to_string()];
    for penalty in [Penalty::None, Penalty::L2] {
        let opts = LogisticOptions {
            penalty,
            c: 0.7,
            ..Default::default()
        };
        let m = fit(&[&x1, &x2], &names, &y, None, &opts).unwrap();
        assert!(m.convergence.converged);
        assert!(m.convergence.gradient < 1e-8, "{:?}", m.convergence);
    }
}

#[test]
fn l1_zeroes_weak_coefficients() {
    let (x1, x2, y) = data();
    let names = vec!["a".to_string(), "b".to_string()];
    let opts = LogisticOptions {
        penalty: Penalty::L1,
        c: 0.02,
        ..Default::default()
    };
    let m = fit(&[&x1, &x2], &names, &y, None, &opts).unwrap();
    assert!(m.coef.iter().all(|&c| c == 0.0), "{:?}", m.coef);
    // The intercept alone then gives the base rate.
    let rate = y.iter().sum::<f64>() / y.len() as f64;
    assert!((1.0 / (1.0 + (-m.intercept).exp()) - rate).abs() < 1e-9);
}

#[test]
fn bad_inputs_are_errors() {
    let names = vec!["a".to_string()];
    let x = [1.0, 2.0, 3.0];
    let e = fit(
        &[&x],
        &names,
        &[1.0, 1.0, 1.0],
        None,
        &LogisticOptions::default(),
    )
    .unwrap_err();
    assert!(e.to_string().contains("only one class"));
    let e = fit(
        &[&x],
        &names,
        &[1.0, 2.0, 0.0],
        None,
        &LogisticOptions::default(),
    )
    .unwrap_err();
    assert_eq!(e.to_string(), "y[1] = 2 is invalid: labels must be 0 or 1");
    let e = fit(
        &[&[1.0, f64::NAN, 3.0]],
        &names,
        &[1.0, 0.0, 0.0],
        None,
        &LogisticOptions::default(),
    )
    .unwrap_err();
    assert!(matches!(e, Error::Missing { arg: "X", index: 1 }));
    // Perfect separation without a penalty.
    let e = fit(
        &[&[1.0, 2.0, 3.0, 4.0]],
        &names,
        &[0.0, 0.0, 1.0, 1.0],
        None,
        &LogisticOptions {
            penalty: Penalty::None,
            ..Default::default()
        },
    )
    .unwrap_err();
    assert!(e.to_string().contains("separated"), "{e}");
    // Constant columns get a zero coefficient.
    let m = fit(
        &[&[1.0, 2.0, 3.0, 4.0, 2.5], &[5.0; 5]],
        &["a".into(), "k".into()],
        &[0.0, 1.0, 0.0, 1.0, 1.0],
        None,
        &LogisticOptions::default(),
    )
    .unwrap();
    assert_eq!(m.coef[1], 0.0);
    assert!(m.constant[1]);
}
