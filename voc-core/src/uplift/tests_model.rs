//! Uplift models on simulated tests with a planted effect.

use ndarray::{Array2, array};

use super::*;
use crate::error::Error;
use crate::risk::{LogisticOptions, Penalty};
use crate::stats::linalg::sigmoid;
use crate::stats::rng::Rng;
use crate::{Fit, Predict};

/// A randomised test: x0 raises the effect of the play (helps above 0, harms below), x1 only the base
/// rate. Returns x, outcome, treatment and the true uplift.
fn simulate(
    n: usize,
    share_treated: f64,
    seed: u64,
) -> (Array2<f64>, Vec<f64>, Vec<f64>, Vec<f64>) {
    let mut rng = Rng::seeded(seed, "seed").unwrap();
    let x = Array2::from_shape_fn((n, 2), |_| rng.standard_normal());
    let mut y = Vec::with_capacity(n);
    let mut t = Vec::with_capacity(n);
    let mut truth = Vec::with_capacity(n);
    for i in 0..n {
        let treated = rng.uniform() < share_treated;
        let base = -0.3 + 0.8 * x[[i, 1]];
        let lift = 1.2 * x[[i, 0]];
        truth.push(sigmoid(base + lift) - sigmoid(base));
        let p = sigmoid(base + if treated { lift } else { 0.0 });
        t.push(f64::from(u8::from(treated)));
        y.push(f64::from(u8::from(rng.uniform() < p)));
    }
    (x, y, t, truth)
}

fn corr(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len() as f64;
    let (ma, mb) = (a.iter().sum::<f64>() / n, b.iter().sum::<f64>() / n);
    let cov: f64 = a.iter().zip(b).map(|(x, y)| (x - ma) * (y - mb)).sum();
    let va: f64 = a.iter().map(|x| (x - ma).powi(2)).sum();
    let vb: f64 = b.iter().map(|y| (y - mb).powi(2)).sum();
    cov / (va * vb).sqrt()
}

#[test]
fn every_learner_finds_the_planted_effect_and_explains_it_exactly() {
    let (x, y, t, truth) = simulate(6000, 0.5, 1);
    let (xv, yv, tv, truth_v) = simulate(4000, 0.5, 2);
    for method in [
        UpliftMethod::TLearner,
        UpliftMethod::ClassTransformation,
        UpliftMethod::XLearner,
    ] {
        let m = UpliftOptions::default()
            .method(method)
            .fit(UpliftData::new(x.view(), &y, &t))
            .unwrap();
        assert_eq!(m.method(), method);
        let p = m.predict(xv.view()).unwrap();
        let r = corr(&p.uplift, &truth_v);
        assert!(r > 0.9, "{method}: correlation with the truth {r}");
        // Ranking by the model beats chance on held-out data.
        let q = qini_auc(&yv, &tv, &p.uplift, true).unwrap();
        assert!(q.estimate > 0.05, "{method}: qini {}", q.estimate);
        // Contributions add up to the uplift, and x0 carries the effect.
        let c = m.contributions(xv.view()).unwrap();
        for i in 0..50 {
            let total = c.baseline + c.values.row(i).sum();
            assert!((total - p.uplift[i]).abs() < 1e-12, "{method} row {i}");
        }
        let share0: f64 = c.values.column(0).iter().map(|v| v.abs()).sum();
        let share1: f64 = c.values.column(1).iter().map(|v| v.abs()).sum();
        assert!(share0 > 2.0 * share1, "{method}: {share0} vs {share1}");
        let reasons = m.reasons(xv.view(), 1).unwrap();
        let top = (0..xv.nrows())
            .max_by(|&a, &b| p.uplift[a].total_cmp(&p.uplift[b]))
            .unwrap();
        assert_eq!(reasons[top][0].feature, "x0");
        assert_eq!(reasons[top][0].text, format!("x0 = {}", xv[[top, 0]]));
        match method {
            UpliftMethod::ClassTransformation => assert!(p.treated.is_none()),
            _ => {
                let (pt, pc) = (p.treated.unwrap(), p.control.unwrap());
                assert!(corr(&pt, &truth_v) > 0.0 && pc.iter().all(|v| (0.0..=1.0).contains(v)));
            }
        }
        let _ = &truth;
    }
}

#[test]
fn class_transformation_weights_unbalanced_arms() {
    // With 30% treated, the unweighted transformation is biased towards the control arm's response;
    // the arm weights restore 2·P(z) − 1 = uplift.
    let (x, y, t, _) = simulate(8000, 0.3, 3);
    let (xv, _, _, truth) = simulate(3000, 0.5, 4);
    let m = UpliftOptions::default()
        .method(UpliftMethod::ClassTransformation)
        .fit(UpliftData::new(x.view(), &y, &t))
        .unwrap();
    let u = m.predict_uplift(xv.view()).unwrap();
    let bias = u.iter().zip(&truth).map(|(a, b)| a - b).sum::<f64>() / u.len() as f64;
    assert!(bias.abs() < 0.05, "mean bias {bias}");
}

#[test]
fn x_learner_mixes_by_the_propensity() {
    let (x, y, t, _) = simulate(3000, 0.5, 5);
    let fit = |g| {
        UpliftOptions::default()
            .method(UpliftMethod::XLearner)
            .propensity(g)
            .fit(UpliftData::new(x.view(), &y, &t))
            .unwrap()
    };
    let (m0, m1) = (fit(Some(1e-9)), fit(Some(1.0 - 1e-9)));
    let Learner::XLearner {
        effect_treated,
        effect_control,
        ..
    } = &m0.learner
    else {
        panic!("not an X-learner")
    };
    let row = [0.5, -0.25];
    let u0 = m0.predict_uplift(array![row].view()).unwrap()[0];
    let u1 = m1.predict_uplift(array![row].view()).unwrap()[0];
    // g → 0 gives τ₁ (the treated arm's effect model), g → 1 gives τ₀.
    assert!((u0 - effect_treated.at(row)).abs() < 1e-8);
    assert!((u1 - effect_control.at(row)).abs() < 1e-8);
    // The default propensity is the share treated.
    let m = fit(None);
    let Learner::XLearner { propensity, .. } = m.learner else {
        panic!("not an X-learner")
    };
    assert_eq!(propensity, m.arms.n_treated as f64 / 3000.0);
}

#[test]
fn bad_input_is_a_typed_error_naming_the_row() {
    let x = array![[1.0], [2.0], [3.0], [4.0], [5.0], [6.0]];
    let y = [1.0, 0.0, 1.0, 0.0, 1.0, 0.0];
    let t = [1.0, 1.0, 1.0, 0.0, 0.0, 0.0];
    let fit = |x: ndarray::ArrayView2<'_, f64>, y: &[f64], t: &[f64]| {
        UpliftOptions::default().fit(UpliftData::new(x, y, t))
    };
    assert!(matches!(
        fit(x.view(), &y, &[1.0, 1.0, 2.0, 0.0, 0.0, 0.0]),
        Err(Error::InvalidValue {
            arg: "treatment",
            index: 2,
            ..
        })
    ));
    assert!(matches!(
        fit(x.view(), &y, &[1.0; 6]),
        Err(Error::Empty { arg: "treatment", what }) if what.contains("both arms")
    ));
    assert!(matches!(
        fit(x.view(), &[1.0, 1.0, 1.0, 0.0, 1.0, 0.0], &t),
        Err(Error::InsufficientData(m)) if m.contains("treated arm has only outcome 1")
    ));
    assert!(matches!(
        fit(x.view(), &y[..5], &t[..5]),
        Err(Error::LengthMismatch { .. })
    ));
    assert!(matches!(
        fit(x.view(), &y, &t[..5]),
        Err(Error::LengthMismatch { .. })
    ));
    let mut bad = x.clone();
    bad[[4, 0]] = f64::NAN;
    // Row 4 of the whole data (the control arm's second row).
    assert_eq!(
        fit(bad.view(), &y, &t).unwrap_err(),
        Error::Missing { arg: "X", index: 4 }
    );
    bad[[4, 0]] = f64::INFINITY;
    assert!(matches!(
        fit(bad.view(), &y, &t),
        Err(Error::NonFinite {
            arg: "X",
            index: 4,
            ..
        })
    ));
    let m = fit(x.view(), &y, &t).unwrap();
    assert!(matches!(
        m.predict(array![[1.0, 2.0]].view()),
        Err(Error::LengthMismatch { .. })
    ));
    assert!(matches!(
        m.predict(array![[1.0], [f64::NAN]].view()),
        Err(Error::Missing { arg: "X", index: 1 })
    ));
    assert!(m.reasons(x.view(), 21).is_err());
}

#[test]
fn byte_forms_round_trip_and_reject_corruption() {
    let (x, y, t, _) = simulate(500, 0.5, 6);
    for method in [
        UpliftMethod::TLearner,
        UpliftMethod::ClassTransformation,
        UpliftMethod::XLearner,
    ] {
        let m = UpliftOptions::default()
            .method(method)
            .logistic(LogisticOptions::default().penalty(Penalty::None))
            .fit(UpliftData::new(x.view(), &y, &t))
            .unwrap();
        let b = m.to_bytes();
        assert_eq!(UpliftModel::from_bytes(&b).unwrap(), m);
        for i in (0..b.len() * 8).step_by(97) {
            let mut c = b.clone();
            c[i / 8] ^= 1 << (i % 8);
            assert!(
                matches!(UpliftModel::from_bytes(&c), Err(Error::Decode { .. })),
                "bit {i}"
            );
        }
        for cut in [0, 5, b.len() / 2, b.len() - 1] {
            assert!(UpliftModel::from_bytes(&b[..cut]).is_err());
        }
        assert!(crate::risk::LogisticModel::from_bytes(&b).is_err());
    }
}

#[test]
fn both_arms_in_one_read_equal_two_predict_proba_calls() {
    let (x, y, t, _) = simulate(20_000, 0.5, 11);
    for method in [UpliftMethod::TLearner, UpliftMethod::XLearner] {
        let m = UpliftOptions::default()
            .method(method)
            .fit(UpliftData::new(x.view(), &y, &t))
            .unwrap();
        let (mt, mc) = match &m.learner {
            Learner::TLearner { treated, control }
            | Learner::XLearner {
                treated, control, ..
            } => (treated, control),
            Learner::ClassTransformation { .. } => unreachable!(),
        };
        // C-ordered rows take the one-read path; a Fortran-ordered copy the two calls.
        let p = m.predict(x.view()).unwrap();
        let fortran = x.t().as_standard_layout().into_owned().reversed_axes();
        assert!(fortran.as_slice().is_none());
        let q = m.predict(fortran.view()).unwrap();
        assert_eq!(p, q);
        assert_eq!(p.treated, Some(mt.predict_proba(x.view()).unwrap()));
        assert_eq!(p.control, Some(mc.predict_proba(x.view()).unwrap()));
        assert_eq!(m.predict_uplift(x.view()).unwrap(), p.uplift);
    }
}

#[test]
fn each_arm_model_is_the_churn_model_fitted_on_that_arms_rows() {
    // The arms are split out of the matrix in one read (C-ordered) or gathered (any other layout):
    // either way each response model is, bit for bit, the logistic fit on that arm's rows alone.
    let (x, y, t, _) = simulate(20_000, 0.4, 12);
    let treated: Vec<usize> = (0..x.nrows()).filter(|&i| t[i] == 1.0).collect();
    let control: Vec<usize> = (0..x.nrows()).filter(|&i| t[i] == 0.0).collect();
    let names = ["a".to_string(), "b".to_string()];
    let logistic = LogisticOptions::default().penalty(Penalty::None);
    let arm = |rows: &[usize]| {
        let xa = x.select(ndarray::Axis(0), rows);
        let ya: Vec<f64> = rows.iter().map(|&i| y[i]).collect();
        logistic
            .fit(crate::risk::RiskData::new(xa.view(), &ya).names(&names))
            .unwrap()
    };
    let (want_t, want_c) = (arm(&treated), arm(&control));
    let fortran = x.t().as_standard_layout().into_owned().reversed_axes();
    let mut models = Vec::new();
    for m in [&x, &fortran] {
        for method in [UpliftMethod::TLearner, UpliftMethod::XLearner] {
            let fitted = UpliftOptions::default()
                .method(method)
                .logistic(logistic.clone())
                .fit(UpliftData::new(m.view(), &y, &t).names(&names))
                .unwrap();
            match &fitted.learner {
                Learner::TLearner { treated, control }
                | Learner::XLearner {
                    treated, control, ..
                } => {
                    assert_eq!((treated, control), (&want_t, &want_c));
                }
                Learner::ClassTransformation { .. } => unreachable!(),
            }
            // The reference customer is the mean of all rows.
            for (j, r) in fitted.reference.iter().enumerate() {
                let mean = x.column(j).sum() / x.nrows() as f64;
                assert!((r - mean).abs() < 1e-15, "{r} vs {mean}");
            }
            models.push(fitted);
        }
    }
    // The same models on both layouts.
    assert_eq!(models[0], models[2]);
    assert_eq!(models[1], models[3]);
}

#[test]
fn a_bad_value_in_a_late_chunk_is_named_by_the_fit_and_the_prediction() {
    let (mut x, y, t, _) = simulate(20_000, 0.5, 13);
    let m = UpliftOptions::default()
        .fit(UpliftData::new(x.view(), &y, &t))
        .unwrap();
    x[[17_001, 1]] = f64::INFINITY;
    let fortran = x.t().as_standard_layout().into_owned().reversed_axes();
    for v in [x.view(), fortran.view()] {
        for method in [UpliftMethod::TLearner, UpliftMethod::XLearner] {
            let e = UpliftOptions::default()
                .method(method)
                .fit(UpliftData::new(v, &y, &t))
                .unwrap_err();
            assert_eq!(
                e,
                Error::NonFinite {
                    arg: "X",
                    index: 17_001 * 2 + 1,
                    value: f64::INFINITY
                }
            );
        }
        let e = m.predict(v).unwrap_err();
        assert!(
            matches!(e, Error::NonFinite { index, .. } if index == 17_001 * 2 + 1),
            "{e:?}"
        );
    }
    x[[17_001, 1]] = f64::NAN;
    assert_eq!(
        m.predict(x.view()).unwrap_err(),
        Error::Missing {
            arg: "X",
            index: 17_001 * 2 + 1
        }
    );
}

#[test]
fn the_one_read_prediction_has_each_rows_bits_with_zero_coefficients_and_a_ragged_end() {
    // Rows are predicted four at a time with a tail of one to three; a zero coefficient is skipped as
    // `decision_function` skips it. Every row has the bits of two `predict_proba` calls.
    let (x, y, t, _) = simulate(10_003, 0.5, 14);
    let mut m = UpliftOptions::default()
        .fit(UpliftData::new(x.view(), &y, &t))
        .unwrap();
    if let Learner::TLearner { treated, .. } = &mut m.learner {
        treated.coef[1] = 0.0;
    }
    let Learner::TLearner { treated, control } = &m.learner else {
        unreachable!()
    };
    for rows in [10_003, 10_002, 10_001, 8_195, 3] {
        let xs = x.slice(ndarray::s![..rows, ..]);
        assert!(xs.as_slice().is_some());
        let p = m.predict(xs).unwrap();
        let (pt, pc) = (
            treated.predict_proba(xs).unwrap(),
            control.predict_proba(xs).unwrap(),
        );
        let u: Vec<f64> = pt.iter().zip(&pc).map(|(a, b)| a - b).collect();
        assert_eq!((p.treated, p.control, p.uplift), (Some(pt), Some(pc), u));
    }
}
