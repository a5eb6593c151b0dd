//! Property tests of the uplift metrics: where the curves end, top-k at the whole data, invariance to
//! monotone rescoring, the perfect ranking, bin counts, and the bootstrap's seed.

// Tests report failure by panicking.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use proptest::prelude::*;
use proptest::test_runner::Config;
use voc_core::uplift::{
    AtKStrategy, PercentileOptions, QiniBootstrapOptions, TopK, arms, qini_auc, qini_bootstrap,
    qini_curve, uplift_at_k, uplift_auc, uplift_by_percentile, uplift_curve,
};

fn config(cases: u32) -> Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(cases);
    Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    }
}

/// A test with both arms present: (outcome, treatment, scores). Scores come from a few levels so that
/// ties are common.
fn test_data() -> impl Strategy<Value = (Vec<f64>, Vec<f64>, Vec<f64>)> {
    (4usize..80).prop_flat_map(|n| {
        (
            prop::collection::vec(0u8..2, n),
            prop::collection::vec(0u8..2, n - 2),
            prop::collection::vec(0u8..6, n),
            any::<bool>(),
        )
            .prop_map(|(y, mut t, s, fine)| {
                t.push(0);
                t.push(1);
                let s = s
                    .iter()
                    .enumerate()
                    .map(|(i, &v)| f64::from(v) + if fine { i as f64 * 1e-3 } else { 0.0 })
                    .collect();
                (
                    y.into_iter().map(f64::from).collect(),
                    t.into_iter().map(f64::from).collect(),
                    s,
                )
            })
    })
}

proptest! {
    #![proptest_config(config(200))]

    #[test]
    fn curves_end_at_the_overall_effect((y, t, s) in test_data()) {
        let a = arms(&y, &t).unwrap();
        let n = a.n() as f64;
        let u = uplift_curve(&y, &t, &s).unwrap();
        let q = qini_curve(&y, &t, &s).unwrap();
        prop_assert_eq!((u.targeted[0], u.value[0]), (0.0, 0.0));
        prop_assert_eq!(*u.targeted.last().unwrap(), n);
        // The uplift curve ends at the overall difference × n, the Qini curve at it × n_treated.
        prop_assert!((u.value.last().unwrap() - a.difference() * n).abs() < 1e-9);
        prop_assert!((q.value.last().unwrap() - a.difference() * a.n_treated as f64).abs() < 1e-9);
        prop_assert!(u.targeted.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn top_k_of_everything_is_the_overall_difference((y, t, s) in test_data()) {
        let a = arms(&y, &t).unwrap();
        for strategy in [AtKStrategy::Overall, AtKStrategy::ByGroup] {
            let all = uplift_at_k(&y, &t, &s, TopK::Share(1.0), strategy).unwrap();
            prop_assert_eq!(all.estimate, a.difference());
            prop_assert_eq!((all.n_treated, all.n_control), (a.n_treated, a.n_control));
        }
        let all = uplift_at_k(&y, &t, &s, TopK::Count(a.n()), AtKStrategy::Overall).unwrap();
        prop_assert_eq!(all.estimate, a.difference());
        let over = uplift_at_k(&y, &t, &s, TopK::Count(a.n() + 1), AtKStrategy::Overall);
        prop_assert!(over.is_err());
    }

    #[test]
    fn scores_matter_only_through_their_order((y, t, s) in test_data()) {
        let rescored: Vec<f64> = s.iter().map(|v| 3.0 * v - 7.0).collect();
        for ne in [true, false] {
            let (a, b) = (qini_auc(&y, &t, &s, ne), qini_auc(&y, &t, &rescored, ne));
            match (a, b) {
                (Ok(a), Ok(b)) => prop_assert_eq!(a.estimate, b.estimate),
                (a, b) => prop_assert_eq!(a.is_err(), b.is_err()),
            }
        }
        prop_assert_eq!(qini_curve(&y, &t, &s).unwrap(), qini_curve(&y, &t, &rescored).unwrap());
    }

    #[test]
    fn the_perfect_ranking_scores_one((y, t, _s) in test_data()) {
        let perfect: Vec<f64> = y.iter().zip(&t).map(|(y, t)| y * t - y * (1.0 - t)).collect();
        if let Ok(q) = qini_auc(&y, &t, &perfect, true) {
            prop_assert_eq!(q.estimate, 1.0);
            prop_assert_eq!(q.area, q.perfect_area);
        }
        // scikit-uplift's perfect uplift ranking: 2·[y = t] + y when more controls respond than
        // treated rows fail to, else 2·[y = t] + t. (It is the reference, not an upper bound: the
        // Qini-perfect ranking can score above 1 on the uplift curve.)
        let cr = y.iter().zip(&t).filter(|&(&y, &t)| y == 1.0 && t == 0.0).count();
        let tn = y.iter().zip(&t).filter(|&(&y, &t)| y == 0.0 && t == 1.0).count();
        let best: Vec<f64> = y
            .iter()
            .zip(&t)
            .map(|(&y, &t)| 2.0 * f64::from(u8::from(y == t)) + if cr > tn { y } else { t })
            .collect();
        if let Ok(u) = uplift_auc(&y, &t, &best) {
            prop_assert_eq!(u.estimate, 1.0);
        }
    }

    #[test]
    fn bins_partition_the_arms((y, t, s) in test_data(), bins in 1usize..6, by_group in any::<bool>()) {
        let a = arms(&y, &t).unwrap();
        prop_assume!(bins < a.n());
        let strategy = if by_group { AtKStrategy::ByGroup } else { AtKStrategy::Overall };
        let r = uplift_by_percentile(&y, &t, &s, &PercentileOptions::default().bins(bins).strategy(strategy)).unwrap();
        prop_assert_eq!(r.bins.len(), bins);
        prop_assert_eq!(r.bins.iter().map(|b| b.n_treated).sum::<usize>(), a.n_treated);
        prop_assert_eq!(r.bins.iter().map(|b| b.n_control).sum::<usize>(), a.n_control);
        prop_assert_eq!(r.bins.iter().map(|b| b.responders_treated).sum::<usize>(), a.responders_treated);
        for b in &r.bins {
            prop_assert_eq!(b.rate_treated.is_nan(), b.n_treated == 0);
            if let Some(ci) = b.ci_uplift {
                prop_assert!(ci.low <= b.uplift && b.uplift <= ci.high);
            }
        }
        prop_assert_eq!(r.total.uplift, a.difference());
    }
}

proptest! {
    #![proptest_config(config(20))]

    #[test]
    fn bootstrap_is_deterministic_per_seed((y, t, s) in test_data(), seed in 0u64..1000) {
        let o = QiniBootstrapOptions::default().resamples(100).seed(seed);
        let (a, b) = (qini_bootstrap(&y, &t, &s, &o), qini_bootstrap(&y, &t, &s, &o));
        match (a, b) {
            (Ok(a), Ok(b)) => {
                prop_assert_eq!(a, b);
                prop_assert_eq!(a.resamples + a.n_undefined, 100);
                prop_assert!(a.ci.low <= a.ci.high);
            }
            (a, b) => prop_assert_eq!(a.is_err(), b.is_err()),
        }
    }
}
