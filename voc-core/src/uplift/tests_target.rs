//! Missing values in uplift fits, the byte form's versions, and targeting (ranking, budget, interval).

use ndarray::{Array2, Axis, array};

use super::*;
use crate::error::Error;
use crate::risk::{LogisticOptions, Missing, Penalty};
use crate::stats::linalg::sigmoid;
use crate::stats::rng::Rng;
use crate::{Fit, Predict};

/// A randomised test whose effect grows with x0 (T-learner-shaped: a logistic model per arm), and the
/// true uplift of each row.
fn simulate(n: usize, seed: u64) -> (Array2<f64>, Vec<f64>, Vec<f64>, Vec<f64>) {
    let mut rng = Rng::seeded(seed, "seed").unwrap();
    let x = Array2::from_shape_fn((n, 2), |_| rng.standard_normal());
    let (mut y, mut t, mut truth) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..n {
        let treated = rng.uniform() < 0.5;
        let base = -0.2 + 0.7 * x[[i, 1]];
        let lift = 0.3 + 1.0 * x[[i, 0]];
        truth.push(sigmoid(base + lift) - sigmoid(base));
        let p = sigmoid(base + if treated { lift } else { 0.0 });
        t.push(f64::from(u8::from(treated)));
        y.push(f64::from(u8::from(rng.uniform() < p)));
    }
    (x, y, t, truth)
}

fn with_missing(m: Missing) -> UpliftOptions {
    UpliftOptions::default().logistic(LogisticOptions::default().missing(m))
}

const METHODS: [UpliftMethod; 3] = [
    UpliftMethod::TLearner,
    UpliftMethod::ClassTransformation,
    UpliftMethod::XLearner,
];

#[test]
fn skip_fits_the_complete_rows_and_counts_the_others() {
    let (mut x, mut y, mut t, _) = simulate(600, 1);
    x[[3, 0]] = f64::NAN;
    x[[10, 1]] = f64::NAN;
    y[20] = f64::NAN;
    t[30] = f64::NAN;
    let keep: Vec<usize> = (0..600).filter(|i| ![3, 10, 20, 30].contains(i)).collect();
    let xc = x.select(Axis(0), &keep);
    let yc: Vec<f64> = keep.iter().map(|&i| y[i]).collect();
    let tc: Vec<f64> = keep.iter().map(|&i| t[i]).collect();
    for method in METHODS {
        let skip = with_missing(Missing::Skip).method(method);
        let m = skip.fit(UpliftData::new(x.view(), &y, &t)).unwrap();
        assert_eq!(
            (m.n_missing, m.arms.n(), m.missing),
            (4, 596, Missing::Skip)
        );
        let whole = with_missing(Missing::Skip)
            .method(method)
            .fit(UpliftData::new(xc.view(), &yc, &tc))
            .unwrap();
        assert_eq!(m.learner, whole.learner);
        assert_eq!(m.reference, whole.reference);
        // A NaN at prediction stays an error under skip.
        assert_eq!(
            m.predict(array![[0.0, f64::NAN]].view()).unwrap_err(),
            Error::Missing { arg: "X", index: 1 }
        );
        // The default still rejects the first NaN, naming it.
        assert_eq!(
            with_missing(Missing::Error)
                .method(method)
                .fit(UpliftData::new(x.view(), &y, &t))
                .unwrap_err(),
            Error::Missing {
                arg: "outcome",
                index: 20
            }
        );
    }
}

#[test]
fn impute_mean_fills_features_with_the_reference_customer() {
    let (mut x, y, t, _) = simulate(600, 2);
    x[[3, 0]] = f64::NAN;
    x[[400, 0]] = f64::NAN;
    x[[10, 1]] = f64::NAN;
    let mean = |j: usize| {
        let v: Vec<f64> = x
            .column(j)
            .iter()
            .copied()
            .filter(|v| !v.is_nan())
            .collect();
        v.iter().sum::<f64>() / v.len() as f64
    };
    let (m0, m1) = (mean(0), mean(1));
    let mut filled = x.clone();
    filled[[3, 0]] = m0;
    filled[[400, 0]] = m0;
    filled[[10, 1]] = m1;
    for method in METHODS {
        let m = with_missing(Missing::ImputeMean)
            .method(method)
            .fit(UpliftData::new(x.view(), &y, &t))
            .unwrap();
        let by_hand = UpliftOptions::default()
            .method(method)
            .fit(UpliftData::new(filled.view(), &y, &t))
            .unwrap();
        assert_eq!(m.learner, by_hand.learner);
        assert!((m.reference[0] - m0).abs() < 1e-15 && (m.reference[1] - m1).abs() < 1e-15);
        assert_eq!(
            (m.missing, m.n_missing, m.arms.n()),
            (Missing::ImputeMean, 0, 600)
        );
        // At prediction a NaN is the reference value, in every output.
        let a = m.predict(array![[f64::NAN, 0.5]].view()).unwrap();
        let b = m.predict(array![[m.reference[0], 0.5]].view()).unwrap();
        assert_eq!(a, b);
        let c = m.contributions(array![[f64::NAN, 0.5]].view()).unwrap();
        assert!(c.values[[0, 0]].abs() < 1e-15);
        let r = m.reasons(array![[f64::NAN, 3.0]].view(), 2).unwrap();
        assert!(r[0].iter().all(|r| r.feature != "x0"));
        // ±inf is never missing.
        assert!(matches!(
            m.predict(array![[f64::INFINITY, 0.5]].view()),
            Err(Error::NonFinite { arg: "X", .. })
        ));
    }
    let mut empty = x.clone();
    empty.column_mut(1).fill(f64::NAN);
    assert!(matches!(
        with_missing(Missing::ImputeMean).fit(UpliftData::new(empty.view(), &y, &t)),
        Err(Error::InsufficientData(_))
    ));
}

#[test]
fn byte_form_keeps_the_missing_policy_and_reads_version_1() {
    let (mut x, y, t, _) = simulate(500, 3);
    x[[7, 1]] = f64::NAN;
    for policy in [Missing::Error, Missing::Skip, Missing::ImputeMean] {
        let data = if policy == Missing::Error {
            let mut c = x.clone();
            c[[7, 1]] = 0.0;
            c
        } else {
            x.clone()
        };
        let m = with_missing(policy)
            .method(UpliftMethod::XLearner)
            .fit(UpliftData::new(data.view(), &y, &t))
            .unwrap();
        let b = m.to_bytes();
        let back = UpliftModel::from_bytes(&b).unwrap();
        assert_eq!(back, m);
        assert_eq!(back.n_missing, usize::from(policy == Missing::Skip));
    }
    // Version 1 (no policy byte) reads as missing = error.
    let m = UpliftOptions::default()
        .fit(UpliftData::new(
            simulate(300, 4).0.view(),
            &simulate(300, 4).1,
            &simulate(300, 4).2,
        ))
        .unwrap();
    let b = m.to_bytes();
    let body = &b[..b.len() - 8];
    let p = m.names.len();
    let at = 6 + 8 + m.names.iter().map(|n| 8 + n.len()).sum::<usize>() + 8 + 8 * p + 32;
    assert_eq!(body[at], 0);
    let mut v1 = body[..at].to_vec();
    v1[4..6].copy_from_slice(&1u16.to_le_bytes());
    v1.extend_from_slice(&body[at + 1..]);
    v1.extend_from_slice(&crate::envelope::checksum(&v1).to_le_bytes());
    assert_eq!(UpliftModel::from_bytes(&v1).unwrap(), m);
    // An unknown policy byte (re-sealed) is a decode error.
    let mut forged = body.to_vec();
    forged[at] = 7;
    forged.extend_from_slice(&crate::envelope::checksum(&forged.clone()).to_le_bytes());
    assert!(matches!(
        UpliftModel::from_bytes(&forged),
        Err(Error::Decode { .. })
    ));
}

#[test]
fn a_given_uplift_column_is_ranked_by_net_value_with_a_budget() {
    let uplift = [0.10, 0.30, -0.05, 0.02, 0.20, 0.05];
    let value = [100.0, 50.0, 500.0, 100.0, 40.0, 200.0];
    // Net values: 5, 10, -30, -3, 3, 5.
    let l = target(&uplift, &value, &TargetOptions::default()).unwrap();
    let rows: Vec<usize> = l.targets.iter().map(|t| t.row).collect();
    assert_eq!(rows, [1, 0, 5, 4]);
    assert_eq!(
        l.targets.iter().map(|t| t.rank).collect::<Vec<_>>(),
        [1, 2, 3, 4]
    );
    assert_eq!((l.n, l.n_positive), (6, 4));
    assert!((l.expected_saves - 0.65).abs() < 1e-12);
    assert!((l.expected_net_value - 23.0).abs() < 1e-12);
    assert!(
        l.targets
            .iter()
            .all(|t| t.p_treated.is_none() && t.reasons.is_empty())
    );
    // A budget cuts the list; a share is of the customers scored.
    let top2 = TargetOptions::default().budget(Some(TopK::Count(2)));
    assert_eq!(target(&uplift, &value, &top2).unwrap().targets.len(), 2);
    let half = TargetOptions::default().budget(Some(TopK::Share(0.5)));
    assert_eq!(target(&uplift, &value, &half).unwrap().targets.len(), 3);
    // Without the break-even rule the budget fills up with losing calls, in order.
    let all = TargetOptions::default().break_even(false);
    let l = target(&uplift, &value, &all).unwrap();
    assert_eq!(l.targets.last().map(|t| t.row), Some(2));
    assert_eq!(l.targets.len(), 6);
    // A budget above n, a zero count, a share above 1.
    assert!(matches!(
        target(
            &uplift,
            &value,
            &TargetOptions::default().budget(Some(TopK::Count(7)))
        ),
        Err(Error::TooLarge { arg: "budget", .. })
    ));
    assert!(
        TargetOptions::default()
            .budget(Some(TopK::Count(0)))
            .validate()
            .is_err()
    );
    assert!(
        TargetOptions::default()
            .budget(Some(TopK::Share(0.0)))
            .validate()
            .is_err()
    );
    // Bad columns name the argument and the row.
    assert_eq!(
        target(&[0.1, f64::NAN], &[1.0, 1.0], &TargetOptions::default()).unwrap_err(),
        Error::Missing {
            arg: "uplift",
            index: 1
        }
    );
    assert!(matches!(
        target(&[0.1, 2.0], &[1.0, 1.0], &TargetOptions::default()),
        Err(Error::InvalidValue {
            arg: "uplift",
            index: 1,
            ..
        })
    ));
    assert!(matches!(
        target(
            &[0.1, 0.2],
            &[1.0, f64::INFINITY],
            &TargetOptions::default()
        ),
        Err(Error::NonFinite {
            arg: "value",
            index: 1,
            ..
        })
    ));
    assert!(matches!(
        target(&[0.1], &[1.0, 2.0], &TargetOptions::default()),
        Err(Error::LengthMismatch { .. })
    ));
    // The interval needs a model.
    assert!(matches!(
        target(
            &uplift,
            &value,
            &TargetOptions::default().resamples(Some(100))
        ),
        Err(Error::InvalidOption {
            name: "resamples",
            ..
        })
    ));
}

#[test]
fn a_model_list_gives_probabilities_reasons_and_agrees_with_its_predictions() {
    let (x, y, t, _) = simulate(2000, 5);
    let names = [
        "refund_delay_max_days".to_string(),
        "tenure_days".to_string(),
    ];
    let train = UpliftData::new(x.view(), &y, &t).names(&names);
    let (score, _, _, _) = simulate(300, 6);
    let value: Vec<f64> = (0..300).map(|i| 50.0 + (i % 7) as f64 * 30.0).collect();
    for method in METHODS {
        let m = UpliftOptions::default().method(method).fit(train).unwrap();
        let opts = TargetOptions::default().budget(Some(TopK::Share(0.2)));
        let l = target_model(&m, score.view(), &value, None, &opts).unwrap();
        assert!(l.interval.is_none());
        assert!(l.targets.len() <= 60);
        let p = m.predict(score.view()).unwrap();
        let reasons = m.reasons(score.view(), 3).unwrap();
        let same = target(&p.uplift, &value, &opts).unwrap();
        assert_eq!(
            l.targets.iter().map(|t| t.row).collect::<Vec<_>>(),
            same.targets.iter().map(|t| t.row).collect::<Vec<_>>()
        );
        for w in l.targets.windows(2) {
            assert!(w[0].net_value >= w[1].net_value);
        }
        for tg in &l.targets {
            let i = tg.row;
            assert_eq!(tg.uplift, p.uplift[i]);
            assert_eq!(tg.net_value, value[i] * p.uplift[i] - 5.0);
            assert_eq!(tg.p_treated, p.treated.as_ref().map(|v| v[i]));
            assert_eq!(tg.p_control, p.control.as_ref().map(|v| v[i]));
            assert_eq!(tg.reasons, reasons[i]);
            assert!(tg.net_value > 0.0);
        }
        assert_eq!(
            l.expected_saves,
            l.targets.iter().map(|t| t.uplift).sum::<f64>()
        );
    }
}

#[test]
fn the_bootstrap_interval_is_seeded_and_covers_the_true_saves() {
    let (score, _, _, _) = simulate(200, 100);
    let value = vec![100.0; 200];
    let opts = TargetOptions::default()
        .budget(Some(TopK::Count(40)))
        .resamples(Some(100))
        .seed(9);
    let (mut covered, mut covered_net, reps) = (0, 0, 20);
    for rep in 0..reps {
        let (x, y, t, _) = simulate(1000, 200 + rep);
        let train = UpliftData::new(x.view(), &y, &t);
        let m = UpliftOptions::default()
            .logistic(LogisticOptions::default().penalty(Penalty::None))
            .fit(train)
            .unwrap();
        let l = target_model(&m, score.view(), &value, Some(train), &opts).unwrap();
        let i = l.interval.unwrap();
        assert_eq!((i.resamples + i.n_failed, i.seed), (100, 9));
        assert!(i.saves.low < l.expected_saves && l.expected_saves < i.saves.high);
        // The truth of this list: the planted effect of the customers on it.
        let truth: Vec<f64> = {
            let mut rng_free = Vec::new();
            for tg in &l.targets {
                let r = score.row(tg.row);
                let base = -0.2 + 0.7 * r[1];
                rng_free.push(sigmoid(base + 0.3 + r[0]) - sigmoid(base));
            }
            rng_free
        };
        let saves: f64 = truth.iter().sum();
        let net: f64 = truth.iter().map(|u| 100.0 * u - 5.0).sum();
        covered += usize::from(i.saves.low <= saves && saves <= i.saves.high);
        covered_net += usize::from(i.net_value.low <= net && net <= i.net_value.high);
        if rep == 0 {
            // Same seed, same interval.
            let again = target_model(&m, score.view(), &value, Some(train), &opts).unwrap();
            assert_eq!(again.interval, l.interval);
        }
    }
    // 95% intervals: at least 16 of 20 (P(fewer) < 2% at the nominal rate). The Python suite
    // measures the coverage on 200 simulated tests (test_uplift_target.py).
    assert!(covered >= 16, "saves covered {covered} of {reps}");
    assert!(
        covered_net >= 16,
        "net value covered {covered_net} of {reps}"
    );
}

#[test]
fn model_lists_check_their_inputs() {
    let (x, y, t, _) = simulate(400, 7);
    let train = UpliftData::new(x.view(), &y, &t);
    let m = UpliftOptions::default().fit(train).unwrap();
    let o = TargetOptions::default();
    assert!(matches!(
        target_model(&m, x.view(), &[1.0; 3], None, &o),
        Err(Error::LengthMismatch { .. })
    ));
    assert!(matches!(
        target_model(&m, x.view(), &vec![1.0; 400], None, &o.resamples(Some(100))),
        Err(Error::InvalidOption {
            name: "resamples",
            ..
        })
    ));
    assert!(matches!(
        target_model(
            &m,
            x.view(),
            &vec![1.0; 400],
            None,
            &o.budget(Some(TopK::Count(401)))
        ),
        Err(Error::TooLarge { arg: "budget", .. })
    ));
    assert!(
        TargetOptions::default()
            .resamples(Some(10_001))
            .validate()
            .is_err()
    );
    assert!(
        TargetOptions::default()
            .contact_cost(-1.0)
            .validate()
            .is_err()
    );
    assert!(TargetOptions::default().reasons(21).validate().is_err());
    // Training data of another width.
    let narrow = x.select(Axis(1), &[0]);
    let other = UpliftData::new(narrow.view(), &y, &t);
    assert!(matches!(
        target_model(
            &m,
            x.view(),
            &vec![100.0; 400],
            Some(other),
            &o.resamples(Some(100))
        ),
        Err(Error::LengthMismatch { .. })
    ));
}
