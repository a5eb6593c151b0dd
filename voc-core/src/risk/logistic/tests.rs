use ndarray::{Array2, ArrayView2, ShapeBuilder, s};

use super::design::Rows;
use super::solver::newton;
use super::*;
use crate::Predict;

/// Fits with names (and weights).
fn fit_named(
    x: ArrayView2<'_, f64>,
    names: &[String],
    y: &[f64],
    w: Option<&[f64]>,
    opts: &LogisticOptions,
) -> Result<LogisticModel> {
    let mut data = RiskData::new(x, y).names(names);
    data.sample_weight = w;
    opts.fit(data)
}

/// Columns as a Fortran-ordered matrix (each column contiguous).
fn columns(cols: &[&[f64]]) -> Array2<f64> {
    let n = cols.first().map_or(0, |c| c.len());
    let flat: Vec<f64> = cols.iter().flat_map(|c| c.iter().copied()).collect();
    Array2::from_shape_vec((n, cols.len()).f(), flat).unwrap()
}

/// The same matrix as C-ordered, Fortran-ordered and strided (every other row of a doubled matrix).
fn layouts(x: &Array2<f64>) -> (Array2<f64>, Array2<f64>, Array2<f64>) {
    let (n, p) = x.dim();
    let c = x.as_standard_layout().into_owned();
    let f = Array2::from_shape_vec((n, p).f(), x.t().iter().copied().collect()).unwrap();
    let mut big = Array2::from_elem((2 * n, p), f64::NAN);
    big.slice_mut(s![..;2, ..]).assign(x);
    (c, f, big)
}

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
    let x = Array2::from_shape_vec((n, 3), rows).unwrap();
    let names = vec!["a".to_string(), "b".to_string(), "c".to_string()];
    // Uneven sample weights (some zero) with balanced classes, and plain rows.
    let w: Vec<f64> = (0..n).map(|i| ((i * 31) % 7) as f64 / 3.0).collect();
    for (c, weights) in [(0.01, None), (1.0, None), (1.0, Some(&w[..]))] {
        let opts = LogisticOptions::default()
            .c(c)
            .class_weight(if weights.is_some() {
                ClassWeight::Balanced
            } else {
                ClassWeight::None
            });
        let warm = fit_named(x.view(), &names, &y, weights, &opts).unwrap();
        // The same problem from the cold start, without the subsample.
        let s = row_weights(&y, weights, opts.class_weight).unwrap();
        let prep = prepare(Design::new(x.view()), 3, &s, &opts).unwrap();
        let ybar = y.iter().zip(&s).map(|(a, b)| a * b).sum::<f64>() / s.iter().sum::<f64>();
        let mut beta = vec![0.0; 4];
        beta[0] = (ybar / (1.0 - ybar)).ln();
        let data = Data {
            z: Rows::on_read(Design::new(x.view()), &prep.cols).unwrap(),
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
fn every_layout_gives_identical_fits_and_predictions() {
    // More rows than one parallel chunk, some NaN to impute, uneven weights.
    let n = 20_000;
    let (rows, y) = big(n);
    let mut x = Array2::from_shape_vec((n, 3), rows).unwrap();
    for i in (0..n).step_by(97) {
        x[[i, 1]] = f64::NAN;
    }
    let w: Vec<f64> = (0..n).map(|i| 0.5 + ((i * 13) % 5) as f64).collect();
    let names = vec!["a".to_string(), "b".to_string(), "c".to_string()];
    let (c, f, big) = layouts(&x);
    let strided = big.slice(s![..;2, ..]);
    assert!(c.is_standard_layout() && f.t().is_standard_layout());
    assert!(!strided.is_standard_layout() && !strided.t().is_standard_layout());
    assert!(matches!(Design::new(c.view()), Design::Rows { .. }));
    assert!(matches!(Design::new(f.view()), Design::Columns { .. }));
    assert!(matches!(Design::new(strided), Design::Strided(_)));
    for opts in [
        LogisticOptions::default().missing(Missing::ImputeMean),
        LogisticOptions::default()
            .missing(Missing::ImputeMean)
            .penalty(Penalty::ElasticNet)
            .l1_ratio(0.5)
            .c(0.05),
        LogisticOptions::default()
            .missing(Missing::ImputeMean)
            .penalty(Penalty::None)
            .class_weight(ClassWeight::Balanced),
    ] {
        let fits: Vec<LogisticModel> = [c.view(), f.view(), strided]
            .into_iter()
            .map(|v| fit_named(v, &names, &y, Some(&w), &opts).unwrap())
            .collect();
        for m in &fits[1..] {
            assert_eq!(m, &fits[0]);
        }
        let m = &fits[0];
        let p: Vec<Vec<f64>> = [c.view(), f.view(), strided]
            .into_iter()
            .map(|v| m.predict(v).unwrap())
            .collect();
        let eta: Vec<Vec<f64>> = [c.view(), f.view(), strided]
            .into_iter()
            .map(|v| m.decision_function(v).unwrap())
            .collect();
        let contrib: Vec<Array2<f64>> = [c.view(), f.view(), strided]
            .into_iter()
            .map(|v| m.contributions(v).unwrap())
            .collect();
        for k in 1..3 {
            assert_eq!(p[k], p[0]);
            assert_eq!(eta[k], eta[0]);
            assert_eq!(contrib[k], contrib[0]);
        }
        assert_eq!(p[0].len(), n);
        // The sum is the one written out.
        let i = 5;
        let want = m.intercept
            + (0..3)
                .map(|j| {
                    m.coef[j]
                        * if x[[i, j]].is_nan() {
                            m.means[j]
                        } else {
                            x[[i, j]]
                        }
                })
                .fold(0.0, |a, b| a + b);
        assert!((eta[0][i] - want).abs() < 1e-12);
    }
}

#[test]
fn every_layout_reports_the_same_bad_value() {
    let (rows, y) = big(300);
    let x = Array2::from_shape_vec((300, 3), rows).unwrap();
    let m = LogisticOptions::default().fit((x.view(), &y[..])).unwrap();
    let mut bad = x.clone();
    bad[[7, 2]] = f64::NAN;
    bad[[9, 0]] = f64::INFINITY;
    bad[[40, 0]] = f64::NAN;
    let (c, f, big) = layouts(&bad);
    for v in [c.view(), f.view(), big.slice(s![..;2, ..])] {
        let e = m.predict_proba(v).unwrap_err();
        assert!(
            matches!(
                e,
                Error::Missing {
                    arg: "X",
                    index: 23
                }
            ),
            "{e:?}"
        );
        let e = m.contributions(v).unwrap_err();
        assert!(
            matches!(
                e,
                Error::Missing {
                    arg: "X",
                    index: 23
                }
            ),
            "{e:?}"
        );
        let e = LogisticOptions::default().fit((v, &y[..])).unwrap_err();
        assert!(
            matches!(
                e,
                Error::Missing {
                    arg: "X",
                    index: 23
                }
            ),
            "{e:?}"
        );
    }
    // Wrong shapes are errors, not panics.
    assert!(m.predict_proba(x.slice(s![.., ..2])).is_err());
    assert!(
        LogisticOptions::default()
            .fit((x.slice(s![1.., ..]), &y[..]))
            .is_err()
    );
    let names = vec!["a".to_string(), "b".to_string()];
    assert!(fit_named(x.view(), &names, &y, None, &LogisticOptions::default()).is_err());
    assert!(
        fit_named(
            x.view(),
            &names[..0],
            &y,
            Some(&y[1..]),
            &LogisticOptions::default()
        )
        .is_err()
    );
    // An empty prediction is an empty answer.
    assert!(m.predict_proba(x.slice(s![..0, ..])).unwrap().is_empty());
}

#[test]
fn gradient_vanishes_at_the_optimum() {
    let (x1, x2, y) = data();
    let x = columns(&[&x1, &x2]);
    let names = vec!["a".to_string(), "b".to_string()];
    for penalty in [Penalty::None, Penalty::L2] {
        let opts = LogisticOptions::default().penalty(penalty).c(0.7);
        let m = fit_named(x.view(), &names, &y, None, &opts).unwrap();
        assert!(m.convergence.converged);
        assert!(m.convergence.gradient < 1e-8, "{:?}", m.convergence);
    }
}

#[test]
fn l1_zeroes_weak_coefficients() {
    let (x1, x2, y) = data();
    let x = columns(&[&x1, &x2]);
    let names = vec!["a".to_string(), "b".to_string()];
    let opts = LogisticOptions::default().penalty(Penalty::L1).c(0.02);
    let m = fit_named(x.view(), &names, &y, None, &opts).unwrap();
    assert!(m.coef.iter().all(|&c| c == 0.0), "{:?}", m.coef);
    // The intercept alone then gives the base rate.
    let rate = y.iter().sum::<f64>() / y.len() as f64;
    assert!((1.0 / (1.0 + (-m.intercept).exp()) - rate).abs() < 1e-9);
}

#[test]
fn bad_inputs_are_errors() {
    let names = vec!["a".to_string()];
    let x = columns(&[&[1.0, 2.0, 3.0]]);
    let opts = LogisticOptions::default();
    let e = fit_named(x.view(), &names, &[1.0, 1.0, 1.0], None, &opts).unwrap_err();
    assert!(e.to_string().contains("only one class"));
    let e = fit_named(x.view(), &names, &[1.0, 2.0, 0.0], None, &opts).unwrap_err();
    assert_eq!(e.to_string(), "y[1] = 2 is invalid: labels must be 0 or 1");
    let e = fit_named(
        columns(&[&[1.0, f64::NAN, 3.0]]).view(),
        &names,
        &[1.0, 0.0, 0.0],
        None,
        &opts,
    )
    .unwrap_err();
    assert!(matches!(e, Error::Missing { arg: "X", index: 1 }));
    // Perfect separation without a penalty.
    let e = fit_named(
        columns(&[&[1.0, 2.0, 3.0, 4.0]]).view(),
        &names,
        &[0.0, 0.0, 1.0, 1.0],
        None,
        &LogisticOptions::default().penalty(Penalty::None),
    )
    .unwrap_err();
    assert!(e.to_string().contains("separated"), "{e}");
    // Constant columns get a zero coefficient.
    let m = fit_named(
        columns(&[&[1.0, 2.0, 3.0, 4.0, 2.5], &[5.0; 5]]).view(),
        &["a".into(), "k".into()],
        &[0.0, 1.0, 0.0, 1.0, 1.0],
        None,
        &opts,
    )
    .unwrap();
    assert_eq!(m.coef[1], 0.0);
    assert!(m.constant[1]);
    // Options are checked once, at the start of the fit.
    let e = fit_named(
        x.view(),
        &names,
        &[0.0, 1.0, 0.0],
        None,
        &opts.clone().c(-1.0),
    )
    .unwrap_err();
    assert!(matches!(e, Error::InvalidOption { name: "c", .. }), "{e:?}");
}

#[test]
fn skip_fits_the_complete_rows_and_counts_the_others() {
    let n = 300;
    let (rows, mut y) = big(n);
    let mut x = Array2::from_shape_vec((n, 3), rows).unwrap();
    let mut w: Vec<f64> = (0..n).map(|i| 0.5 + (i % 3) as f64).collect();
    x[[4, 1]] = f64::NAN;
    x[[10, 0]] = f64::NAN;
    y[20] = f64::NAN;
    w[30] = f64::NAN;
    let names = vec!["a".to_string(), "b".to_string(), "c".to_string()];
    let skip = LogisticOptions::default().missing(Missing::Skip);
    let m = fit_named(x.view(), &names, &y, Some(&w), &skip).unwrap();
    assert_eq!((m.n, m.n_missing), (n - 4, 4));
    let keep: Vec<usize> = (0..n).filter(|i| ![4, 10, 20, 30].contains(i)).collect();
    let xk = x.select(ndarray::Axis(0), &keep);
    let yk: Vec<f64> = keep.iter().map(|&i| y[i]).collect();
    let wk: Vec<f64> = keep.iter().map(|&i| w[i]).collect();
    let reference = fit_named(
        xk.view(),
        &names,
        &yk,
        Some(&wk),
        &LogisticOptions::default(),
    )
    .unwrap();
    assert_eq!(m.coef, reference.coef);
    assert_eq!(m.intercept, reference.intercept);
    // The count and the policy survive the byte form; a NaN at prediction is still an error.
    let back = LogisticModel::from_bytes(&m.to_bytes()).unwrap();
    assert_eq!(back, m);
    assert!(matches!(
        m.predict_proba(x.view()),
        Err(Error::Missing {
            arg: "X",
            index: 13
        })
    ));
    // Without the policy the first NaN is an error; without missing rows nothing is left out.
    assert!(fit_named(x.view(), &names, &y, Some(&w), &LogisticOptions::default()).is_err());
    let clean = fit_named(xk.view(), &names, &yk, None, &skip).unwrap();
    assert_eq!(clean.n_missing, 0);
    // Cross-validation leaves the same rows out and marks them.
    let cv = crate::risk::cross_validate(
        RiskData::new(x.view(), &y).names(&names).sample_weight(&w),
        &skip,
        3,
        1,
    )
    .unwrap();
    assert_eq!(cv.n_missing, 4);
    assert_eq!(cv.fold[4], None);
    assert!(cv.probability[20].is_nan() && !cv.probability[0].is_nan());
    assert_eq!(cv.fold.iter().filter(|f| f.is_some()).count(), n - 4);
}

mod fused_passes {
    //! The solver's last pass stands in for the separate passes the fit used to make after it: the
    //! loss, the Hessian for the inference and the separation count are the same numbers, bit for bit.

    use ndarray::Array2;

    use super::super::design::{Design, Rows, dense_rows, prepare, row_weights};
    use super::super::solver::{Data, data_loss, derivatives, solve};
    use super::super::*;

    fn problem(n: usize, p: usize) -> (Array2<f64>, Vec<f64>) {
        let x = Array2::from_shape_fn((n, p), |(i, j)| {
            (((i * (2 * j + 3) + 7 * j) % 101) as f64 / 50.0 - 1.0) * (1.0 + j as f64)
        });
        let y: Vec<f64> = (0..n)
            .map(|i| {
                let eta = 0.3 + x[[i, 0]] - 0.4 * x[[i, 1 % p]] + ((i * 13) % 7) as f64 / 3.0 - 1.0;
                f64::from(u8::from(eta > 0.0))
            })
            .collect();
        (x, y)
    }

    #[test]
    fn the_last_pass_gives_the_loss_hessian_and_extreme_count_at_the_solution() {
        let (x, y) = problem(3_000, 4);
        let opts = LogisticOptions::default().penalty(Penalty::None);
        let s = row_weights(&y, None, opts.class_weight).unwrap();
        let prep = prepare(Design::new(x.view()), 4, &s, &opts).unwrap();
        let q = prep.active.len();
        let z = dense_rows(&prep, Design::new(x.view()), y.len());
        let mut beta = vec![0.0; q + 1];
        let ybar = y.iter().sum::<f64>() / y.len() as f64;
        beta[0] = (ybar / (1.0 - ybar)).ln();
        let data = Data {
            z: Rows::Dense(&z),
            q,
            y: &y,
            s: &s,
        };
        let r =
            solve(&data, beta, 0.0, 0.0, 100, 1e-10, 2, true, None).unwrap_or_else(|_| panic!());
        assert!(r.conv.converged);
        let (loss, g, h) = derivatives(Rows::Dense(&z), q, &y, &s, &r.beta, true).unwrap();
        assert_eq!(r.f_data.to_bits(), loss.to_bits());
        // The pass takes the logarithms of a block at once; the row-by-row sum agrees to rounding.
        let by_row = data_loss(&z, q, &y, &s, &r.beta);
        assert!(
            (loss - by_row).abs() <= 1e-13 * by_row.abs(),
            "{loss} vs {by_row}"
        );
        assert_eq!(r.h_data.as_deref(), Some(&h[..]));
        assert_eq!(r.g_data, g);
        let extreme = (0..y.len())
            .filter(|&i| super::super::solver::eta_of(&r.beta, &z[i * q..(i + 1) * q]).abs() > 30.0)
            .count();
        assert_eq!(r.extreme, extreme);
        // The fitted model reports that loss as its log-likelihood.
        let m = opts.fit((x.view(), &y[..])).unwrap();
        assert_eq!(m.log_likelihood.to_bits(), (-loss).to_bits());
    }

    #[test]
    fn predictions_over_many_chunks_are_the_same_on_every_layout() {
        let (x, y) = problem(40_000, 3);
        let m = LogisticOptions::default().fit((x.view(), &y[..])).unwrap();
        let (c, f, strided) = super::layouts(&x);
        let want: Vec<f64> = x
            .rows()
            .into_iter()
            .map(|r| {
                let mut e = m.intercept;
                for (v, c) in r.iter().zip(&m.coef) {
                    e += c * v;
                }
                e
            })
            .collect();
        let strided = strided.slice(ndarray::s![..;2, ..]);
        for eta in [
            m.decision_function(c.view()).unwrap(),
            m.decision_function(f.view()).unwrap(),
            m.decision_function(strided).unwrap(),
        ] {
            assert_eq!(eta, want);
        }
        // A bad value in a late chunk is still found and named by its row.
        let mut bad = c.clone();
        bad[[33_001, 2]] = f64::INFINITY;
        let e = m.decision_function(bad.view()).unwrap_err();
        assert!(
            matches!(e, crate::error::Error::NonFinite { index, .. } if index == 33_001 * 3 + 2),
            "{e:?}"
        );
    }
}

#[test]
fn rows_read_in_place_fit_the_bits_of_a_standardised_copy() {
    // C-ordered rows are standardised as the solver reads them (one loop when every column is active
    // and none can be NaN); Fortran-ordered ones are copied standardised first. Same models, bit for
    // bit, with and without a constant column, unpenalised and penalised, above the warm-start size.
    let n = WARM_MIN_ROWS + 3_000;
    let (rows, y) = big(n);
    let x3 = Array2::from_shape_vec((n, 3), rows).unwrap();
    let mut x4 = Array2::from_elem((n, 4), 2.5);
    x4.slice_mut(s![.., 1..]).assign(&x3);
    for x in [x3, x4] {
        let p = x.ncols();
        let names: Vec<String> = (0..p).map(|j| format!("f{j}")).collect();
        let (c, f, _) = layouts(&x);
        for opts in [
            LogisticOptions::default().penalty(Penalty::None),
            LogisticOptions::default().c(0.5),
        ] {
            let a = fit_named(c.view(), &names, &y, None, &opts).unwrap();
            let b = fit_named(f.view(), &names, &y, None, &opts).unwrap();
            // Debug prints each float's shortest round-trip form (and the constant column's NaN
            // inference, which `==` would call unequal to itself).
            assert_eq!(format!("{a:?}"), format!("{b:?}"));
        }
    }
}
