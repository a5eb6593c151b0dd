//! Issue 16: a NaN or an infinity in a result is either impossible or explained by a documented field.
//! Each reproducer of the hostile-user run is a test here: an error naming the argument, or an
//! undefined number that is `None` (or NaN beside the count of 0 that explains it).

use proptest::prelude::*;
use voc_core::Error;
use voc_core::impact::roi::{RoiInputs, roi};
use voc_core::risk::{confusion, evaluate};
use voc_core::segment::{ProfileInput, ProfileOptions, profile};
use voc_core::stats::{MeanSummary, TestOptions, welch_t_test};

fn too_large(e: Error) -> &'static str {
    match e {
        Error::TooLarge { arg, .. } => arg,
        _ => "(not Error::TooLarge)",
    }
}

#[test]
fn precision_is_none_not_nan_when_nothing_is_flagged() -> voc_core::Result<()> {
    // Nothing reaches the threshold: precision is 0/0; F1 is 0 (as scikit-learn's f1_score), recall 0.
    let e = evaluate(&[0.0, 1.0, 0.0, 1.0], &[0.1, 0.2, 0.3, 0.4], 0.9)?;
    let c = e.confusion;
    assert_eq!(c.precision(), None);
    assert_eq!((c.recall(), c.f1()), (Some(0.0), Some(0.0)));
    assert!(
        c.undefined_reason()
            .is_some_and(|r| r.contains("no row is flagged"))
    );
    // No churner: recall is 0/0; precision is 0 when something is flagged.
    let c = confusion(&[0.0, 0.0], &[0.9, 0.1], 0.5)?;
    assert_eq!(
        (c.precision(), c.recall(), c.f1()),
        (Some(0.0), None, Some(0.0))
    );
    // Neither: all three undefined.
    let c = confusion(&[0.0, 0.0], &[0.1, 0.1], 0.5)?;
    assert_eq!((c.precision(), c.recall(), c.f1()), (None, None, None));
    // Defined everywhere: no reason.
    let c = confusion(&[1.0, 0.0, 1.0, 0.0], &[0.9, 0.8, 0.3, 0.1], 0.5)?;
    assert_eq!(
        (c.precision(), c.recall(), c.f1()),
        (Some(0.5), Some(0.5), Some(0.5))
    );
    assert_eq!(c.undefined_reason(), None);
    Ok(())
}

#[test]
fn f1_is_zero_not_nan_when_no_flagged_row_churns() -> voc_core::Result<()> {
    // precision = recall = 0 made the harmonic-mean form 0/0 = NaN; scikit-learn gives 0.
    let c = confusion(&[1.0, 0.0, 0.0], &[0.1, 0.9, 0.8], 0.5)?;
    assert_eq!(
        (c.precision(), c.recall(), c.f1()),
        (Some(0.0), Some(0.0), Some(0.0))
    );
    assert_eq!(c.undefined_reason(), None);
    Ok(())
}

#[test]
fn roi_overflow_names_the_input() {
    let base = RoiInputs::default()
        .churn_reduction(0.02)
        .customers(1000.0)
        .clv(300.0)
        .program_cost(1000.0);
    // 1e308 customers made the churn value (and everything after it) infinite.
    assert_eq!(
        too_large(roi(&base.customers(1e308)).unwrap_err()),
        "customers"
    );
    assert_eq!(too_large(roi(&base.clv(1e308)).unwrap_err()), "clv");
    let savings = base.contacts_avoided(1e300).cost_per_contact(1e10);
    assert_eq!(too_large(roi(&savings).unwrap_err()), "contacts_avoided");
    // Each finite on its own, their sum overflows.
    let sum = base
        .churn_reduction(1.0)
        .customers(1.0)
        .clv(1.5e308)
        .contacts_avoided(1.0)
        .cost_per_contact(1.5e308);
    assert!(matches!(roi(&sum), Err(Error::TooLarge { .. })));
    // A tiny cost: the ROI overflows.
    let tiny = base.program_cost(1e-310);
    assert!(matches!(
        roi(&tiny),
        Err(Error::InvalidOption {
            name: "program_cost",
            ..
        })
    ));
    // A benefit too small for its cost: the payback overflows.
    let slow = base.churn_reduction(1e-300).program_cost(1e300);
    assert!(matches!(
        roi(&slow),
        Err(Error::InvalidOption {
            name: "program_cost",
            ..
        })
    ));
    assert!(roi(&base).is_ok());
}

#[test]
fn welch_overflow_names_the_larger_mean() {
    let at = |mean: f64| MeanSummary {
        mean,
        variance: 1e300,
        n: 10.0,
    };
    // The difference overflows: the larger mean is named.
    assert_eq!(
        too_large(welch_t_test(&at(1e308), &at(-1e308), &TestOptions::default()).unwrap_err()),
        "mean1"
    );
    assert_eq!(
        too_large(welch_t_test(&at(1e308), &at(-1.5e308), &TestOptions::default()).unwrap_err()),
        "mean2"
    );
    // Near the largest double, every number (the interval bounds included) is finite or an error.
    for (m1, m2) in [(f64::MAX, 0.0), (f64::MAX, -1.0), (-f64::MAX, 1e-300)] {
        for variance in [0.0, 1.0, 1e300] {
            let a = MeanSummary { variance, ..at(m1) };
            let b = MeanSummary {
                variance: 1.0,
                ..at(m2)
            };
            if let Ok(t) = welch_t_test(&a, &b, &TestOptions::default()) {
                assert!(t.ci.low.is_finite() && t.ci.high.is_finite() && t.statistic.is_finite());
            }
        }
    }
}

#[test]
fn profile_sums_that_overflow_name_the_column() {
    let seg = [0_u32, 0];
    let names = ["a".to_string()];
    let value = [1.5e308, 1.5e308];
    let input = ProfileInput {
        value: Some(&value),
        ..ProfileInput::new(&seg, &names)
    };
    assert_eq!(
        too_large(profile(&input, &ProfileOptions::default()).unwrap_err()),
        "value"
    );
    let counts = [1e308, 1e308];
    let themes = [("refund", &counts[..])];
    let input = ProfileInput {
        themes: &themes,
        ..ProfileInput::new(&seg, &names)
    };
    assert_eq!(
        too_large(profile(&input, &ProfileOptions::default()).unwrap_err()),
        "theme counts"
    );
}

#[test]
fn profile_nan_is_explained_by_a_count_of_zero() -> voc_core::Result<()> {
    let seg = [0_u32, 0, 1];
    let names = ["a".to_string(), "b".to_string(), "empty".to_string()];
    let nps = [9.0, 10.0, f64::NAN];
    let churn = [1.0, 0.0, 0.0];
    let value = [1.0, 2.0, 3.0];
    let input = ProfileInput {
        nps: Some(&nps),
        churn: Some(&churn),
        value: Some(&value),
        ..ProfileInput::new(&seg, &names)
    };
    for p in profile(&input, &ProfileOptions::default())? {
        assert_eq!(p.nps.is_nan(), p.nps_n == 0, "{p:?}");
        assert_eq!(p.nps_ci.is_none(), p.nps_n == 0);
        for v in [p.churn_rate, p.mean_value] {
            assert_eq!(v.is_nan(), p.size == 0, "{p:?}");
        }
        assert!(p.share.is_finite());
        for v in [p.churned, p.total_value, p.revenue_at_risk] {
            assert!(v.is_finite());
        }
    }
    Ok(())
}

proptest! {
    #[test]
    fn roi_is_finite_or_an_error(
        cr in -1.0f64..=1.0,
        exps in prop::array::uniform6(-320i32..=308),
        mant in prop::array::uniform6(0.0f64..10.0),
    ) {
        let v: Vec<f64> = exps.iter().zip(mant).map(|(&e, m)| m * 10f64.powi(e)).collect();
        let inputs = RoiInputs::default()
            .churn_reduction(cr)
            .customers(v[0])
            .clv(v[1])
            .contacts_avoided(v[2])
            .cost_per_contact(v[3])
            .program_cost(v[4])
            .horizon_months(v[5].max(1e-300))
            .churn_reduction_ci(Some((cr.min(0.0), cr.max(0.0))));
        if let Ok(r) = roi(&inputs) {
            let opt = |o: Option<f64>| o.is_none_or(f64::is_finite);
            let pair = |p: Option<(f64, f64)>| p.is_none_or(|(a, b)| a.is_finite() && b.is_finite());
            prop_assert!(r.customers_retained.is_finite() && r.churn_value.is_finite());
            prop_assert!(r.cost_savings.is_finite() && r.benefit.is_finite() && r.net_benefit.is_finite());
            prop_assert!(opt(r.roi) && opt(r.payback_months));
            prop_assert!(pair(r.churn_value_ci) && pair(r.net_benefit_ci) && pair(r.roi_ci));
        }
    }

    #[test]
    fn welch_is_finite_or_an_error(
        m1 in prop::num::f64::NORMAL, m2 in prop::num::f64::NORMAL,
        v1 in 0.0f64..1e300, v2 in 0.0f64..1e300, n1 in 2.0f64..1e9, n2 in 2.0f64..1e9,
    ) {
        let a = MeanSummary { mean: m1, variance: v1, n: n1 };
        let b = MeanSummary { mean: m2, variance: v2, n: n2 };
        if let Ok(t) = welch_t_test(&a, &b, &TestOptions::default()) {
            for x in [t.difference, t.se, t.statistic, t.p_value, t.ci.low, t.ci.high] {
                prop_assert!(x.is_finite(), "{t:?}");
            }
        }
    }
}

#[test]
fn welch_statistic_overflow_is_an_error() {
    // A finite difference over a tiny standard error: the t statistic was inf (with p = 0).
    let a = MeanSummary {
        mean: 1e308,
        variance: 0.25,
        n: 10.0,
    };
    let b = MeanSummary {
        mean: 1.4,
        variance: 0.49,
        n: 12.0,
    };
    assert_eq!(
        too_large(welch_t_test(&a, &b, &TestOptions::default()).unwrap_err()),
        "mean1"
    );
}

#[test]
fn sample_sizes_that_overflow_name_the_ratio() {
    use voc_core::impact::effect::{Design, minimum_detectable_effect, sample_size};
    let wide = Design::default().ratio(1e308);
    assert_eq!(
        too_large(sample_size(0.2, 0.25, &wide).unwrap_err()),
        "ratio"
    );
    assert_eq!(
        too_large(minimum_detectable_effect(0.2, 1000.0, &wide).unwrap_err()),
        "ratio"
    );
    let s = sample_size(0.2, 0.25, &Design::default()).unwrap();
    assert!(s.n_treated.is_finite() && s.n_control.is_finite());
}

#[test]
fn evaluation_rejects_infinite_thresholds_and_overflowing_brier() {
    use voc_core::risk::{brier_score, threshold_top_k};
    let (y, p) = ([0.0, 1.0, 0.0, 1.0], [0.1, 0.2, 0.3, 0.4]);
    for t in [f64::INFINITY, f64::NEG_INFINITY, f64::NAN] {
        assert!(matches!(
            confusion(&y, &p, t),
            Err(Error::InvalidOption {
                name: "threshold",
                ..
            })
        ));
    }
    assert!(matches!(
        brier_score(&y, &[0.1, 1e300, 0.2, 0.3]),
        Err(Error::InvalidValue {
            arg: "scores",
            index: 1,
            ..
        })
    ));
    assert!(matches!(
        threshold_top_k(&[0.5, f64::INFINITY], 1),
        Err(Error::NonFinite {
            arg: "scores",
            index: 1,
            ..
        })
    ));
}

#[test]
fn proportion_interval_of_a_huge_n_is_an_error_not_nan() {
    use voc_core::stats::{IntervalOptions, ShareInterval, proportion_interval};
    for method in [
        ShareInterval::Wilson,
        ShareInterval::WilsonCc,
        ShareInterval::ClopperPearson,
        ShareInterval::Wald,
    ] {
        let opts = IntervalOptions::default().method(method);
        match proportion_interval(3.0, 1e308, &opts) {
            Ok(ci) => assert!(ci.low.is_finite() && ci.high.is_finite(), "{method:?}"),
            Err(e) => assert_eq!(too_large(e), "n"),
        }
    }
    let wilson = IntervalOptions::default();
    assert_eq!(
        too_large(proportion_interval(3.0, 1e308, &wilson).unwrap_err()),
        "n"
    );
}

#[test]
fn threshold_for_precision_needs_a_churner_and_takes_any_finite_scores() {
    use voc_core::risk::threshold_for_precision;
    // Recall was NaN (0/0) with no churner and target 0.
    assert!(matches!(
        threshold_for_precision(&[0.0, 0.0], &[0.1, 0.2], 0.0),
        Err(Error::InsufficientData(_))
    ));
    let t = threshold_for_precision(&[1.0, 0.0], &[f64::MAX, 0.2], 1.0).unwrap();
    assert_eq!(
        t.found.map(|p| (p.threshold, p.recall)),
        Some((f64::MAX, 1.0))
    );
}
