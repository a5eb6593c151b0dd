//! Hand-worked cases of the uplift metrics.

use super::curves::{Kind, pairwise_sum, points, trapezoid};
use super::*;
use crate::error::Error;

const Y: [f64; 4] = [1.0, 0.0, 1.0, 0.0];
const T: [f64; 4] = [1.0, 0.0, 0.0, 1.0];
const U: [f64; 4] = [0.9, 0.5, 0.4, 0.1];

#[test]
fn qini_and_uplift_areas_by_hand() {
    // Qini points (0,0) (1,1) (2,1) (3,0.5) (4,0): area 0.5 + 1 + 0.75 + 0.25.
    let q = qini_auc(&Y, &T, &U, true).unwrap();
    assert_eq!(q.area, 2.5);
    // Perfect: (0,0) (1,1) (3,1) (4,0): 0.5 + 2 + 0.5; the curve ends at 0, so the random area is 0.
    assert_eq!((q.perfect_area, q.random_area), (3.0, 0.0));
    assert_eq!(q.estimate, 2.5 / 3.0);
    // Uplift points (0,0) (1,1) (2,2) (3,1.5) (4,0): 0.5 + 1.5 + 1.75 + 0.75; this ranking is perfect.
    let u = uplift_auc(&Y, &T, &U).unwrap();
    assert_eq!((u.area, u.perfect_area, u.estimate), (4.5, 4.5, 1.0));
    assert_eq!(
        perfect_uplift_curve(&Y, &T).unwrap().value,
        [0.0, 1.0, 2.0, 1.5, 0.0]
    );
}

#[test]
fn ties_are_one_step() {
    let c = qini_curve(&Y, &T, &[0.5; 4]).unwrap();
    assert_eq!((c.targeted, c.value), (vec![0.0, 4.0], vec![0.0, 0.0]));
    let c = uplift_curve(&Y, &T, &[0.7, 0.7, 0.1, 0.1]).unwrap();
    // First step: rows 0 and 1 (one treated responder, one control non-responder): (1 − 0) · 2.
    assert_eq!(c.targeted, [0.0, 2.0, 4.0]);
    assert_eq!(c.value, [0.0, 2.0, 0.0]);
    // -0.0 and 0.0 tie, as in numpy.
    let c = qini_curve(&Y, &T, &[0.0, -0.0, 0.0, -0.0]).unwrap();
    assert_eq!(c.targeted, [0.0, 4.0]);
}

#[test]
fn tied_top_k_takes_the_later_row_first() {
    // scikit-uplift ranks by a stable ascending sort reversed: among ties the last row comes first.
    let y = [1.0, 0.0, 0.0, 1.0];
    let t = [1.0, 1.0, 0.0, 0.0];
    let r = uplift_at_k(&y, &t, &[0.0; 4], TopK::Count(1), AtKStrategy::ByGroup).unwrap();
    // Treated: row 1 (y 0) before row 0; control: row 3 (y 1) before row 2.
    assert_eq!(
        (r.rate_treated, r.rate_control, r.estimate),
        (0.0, 1.0, -1.0)
    );
    // Overall, the top 2 are rows 3 and 2: both controls, so no treated rate.
    let e = uplift_at_k(&y, &t, &[0.0; 4], TopK::Count(2), AtKStrategy::Overall);
    assert!(matches!(e, Err(Error::InsufficientData(_))));
    // The top 3 add row 1 (treated, y 0).
    let r = uplift_at_k(&y, &t, &[0.0; 4], TopK::Count(3), AtKStrategy::Overall).unwrap();
    assert_eq!(
        (r.n_treated, r.n_control, r.rate_treated, r.rate_control),
        (1, 2, 0.0, 0.5)
    );
}

#[test]
fn k_and_bins_are_checked() {
    let k = |k| uplift_at_k(&Y, &T, &U, k, AtKStrategy::Overall);
    assert!(matches!(
        k(TopK::Count(5)),
        Err(Error::TooLarge { arg: "k", .. })
    ));
    assert!(matches!(
        k(TopK::Count(0)),
        Err(Error::InvalidOption { name: "k", .. })
    ));
    assert!(matches!(
        k(TopK::Share(1.5)),
        Err(Error::InvalidOption { name: "k", .. })
    ));
    assert!(matches!(
        k(TopK::Share(f64::NAN)),
        Err(Error::InvalidOption { .. })
    ));
    assert_eq!(k(TopK::Count(4)).unwrap().estimate, 0.0);
    let by_group = uplift_at_k(&Y, &T, &U, TopK::Count(3), AtKStrategy::ByGroup);
    assert!(matches!(by_group, Err(Error::TooLarge { arg: "k", .. })));
    let opts = PercentileOptions::default().bins(4);
    assert!(matches!(
        uplift_by_percentile(&Y, &T, &U, &opts),
        Err(Error::TooLarge { arg: "bins", .. })
    ));
    let opts = PercentileOptions::default().interval(crate::stats::ShareInterval::ClopperPearson);
    assert!(uplift_by_percentile(&Y, &T, &U, &opts).is_err());
}

#[test]
fn bad_inputs_name_argument_and_row() {
    assert_eq!(
        qini_auc(&Y, &[1.0, 0.0, 2.0, 0.0], &U, true).unwrap_err(),
        Error::InvalidValue {
            arg: "treatment",
            index: 2,
            value: 2.0,
            reason: "labels must be 0 or 1"
        }
    );
    assert!(matches!(
        qini_auc(&[1.0, 0.5, 1.0, 0.0], &T, &U, true),
        Err(Error::InvalidValue {
            arg: "outcome",
            index: 1,
            ..
        })
    ));
    assert!(matches!(
        qini_auc(&Y, &T, &[0.1, f64::NAN, 0.2, 0.3], true),
        Err(Error::Missing {
            arg: "uplift",
            index: 1
        })
    ));
    assert!(matches!(
        qini_auc(&Y, &T, &[0.1, 0.2, f64::INFINITY, 0.3], true),
        Err(Error::NonFinite {
            arg: "uplift",
            index: 2,
            ..
        })
    ));
    assert!(matches!(
        qini_auc(&Y, &T, &[0.1, 0.2], true),
        Err(Error::LengthMismatch { arg: "uplift", .. })
    ));
    assert!(matches!(
        qini_auc(&Y, &[1.0, 0.0, 0.0], &U, true),
        Err(Error::LengthMismatch { .. })
    ));
    assert!(matches!(
        qini_auc(&Y, &[1.0; 4], &U, true),
        Err(Error::Empty {
            arg: "treatment",
            ..
        })
    ));
    assert!(matches!(
        qini_auc(&[], &[], &[], true),
        Err(Error::Empty { arg: "outcome", .. })
    ));
    // No responder at all: no ranking beats chance.
    assert!(matches!(
        qini_auc(&[0.0; 4], &T, &U, true),
        Err(Error::InsufficientData(_))
    ));
    // Without negative effects the perfect curve needs a non-negative overall effect.
    assert!(matches!(
        qini_auc(&[0.0, 1.0, 1.0, 0.0], &T, &U, false),
        Err(Error::InsufficientData(_))
    ));
}

#[test]
fn no_negative_effect_perfect_curve_by_hand() {
    let y = [1.0, 0.0, 1.0, 0.0, 1.0, 0.0];
    let t = [1.0, 0.0, 0.0, 1.0, 1.0, 0.0];
    // r = 2 − 3 · 1 / 3 = 1.
    let c = perfect_qini_curve(&y, &t, false).unwrap();
    assert_eq!(
        (c.targeted, c.value),
        (vec![0.0, 1.0, 6.0], vec![0.0, 1.0, 1.0])
    );
}

#[test]
fn pairwise_sum_is_numpy_order() {
    // Integers sum exactly whatever the order; the order shows on values that round.
    let v: Vec<f64> = (0..1000).map(f64::from).collect();
    assert_eq!(pairwise_sum(&v), 499_500.0);
    assert_eq!(pairwise_sum(&[]), 0.0);
    assert_eq!(pairwise_sum(&[-0.0]), 0.0);
    // numpy: np.sum([1e16, 1.0, -1e16] + [0.0] * 5) == 0.0 (left to right below 8 values).
    assert_eq!(pairwise_sum(&[1e16, 1.0, -1e16]), 0.0);
    assert_eq!(trapezoid(&[0.0, 2.0], &[0.0, 3.0]), 3.0);
}

#[test]
fn weighted_points_equal_duplicated_rows() {
    let y = [1.0, 0.0, 1.0, 0.0, 1.0, 1.0];
    let t = [1.0, 0.0, 0.0, 1.0, 1.0, 0.0];
    let u = [0.3, 0.3, 0.1, 0.9, 0.5, 0.2];
    let w = [2u32, 0, 1, 3, 1, 2];
    let order = super::check::descending(&u);
    let weighted = points(Kind::Qini, &order, &u, &y, &t, Some(&w));
    let (mut yy, mut tt, mut uu) = (vec![], vec![], vec![]);
    for i in 0..6 {
        for _ in 0..w[i] {
            yy.push(y[i]);
            tt.push(t[i]);
            uu.push(u[i]);
        }
    }
    assert_eq!(weighted, qini_curve(&yy, &tt, &uu).unwrap());
    let plain = points(Kind::Uplift, &order, &u, &y, &t, Some(&[1; 6]));
    assert_eq!(plain, uplift_curve(&y, &t, &u).unwrap());
}

#[test]
fn by_percentile_by_hand() {
    let y = [1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 1.0];
    let t = [1.0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 1.0];
    let u = [0.9, 0.1, 0.2, 0.5, 0.8, 0.3, 0.4, 0.7];
    let r = uplift_by_percentile(&y, &t, &u, &PercentileOptions::default().bins(2)).unwrap();
    // Ranked: 0 (t y), 4 (t y), 7 (t y), 3 (t n) | 6 (c y), 5 (c n), 2 (c y), 1 (c n).
    let top = &r.bins[0];
    assert_eq!(
        (top.n_treated, top.n_control, top.rate_treated),
        (4, 0, 0.75)
    );
    assert!(top.rate_control.is_nan() && top.ci_control.is_none() && top.ci_uplift.is_none());
    let low = &r.bins[1];
    assert_eq!(
        (low.n_treated, low.n_control, low.rate_control),
        (0, 4, 0.5)
    );
    assert_eq!(r.total.uplift, 0.25);
    assert_eq!(r.total.label, "total");
    let ci = r.total.ci_uplift.unwrap();
    assert!(ci.low < 0.25 && 0.25 < ci.high);
    assert_eq!(ci.method, crate::stats::Method::Newcombe);
    // By group: each arm's ranked rows in halves.
    let g = uplift_by_percentile(
        &y,
        &t,
        &u,
        &PercentileOptions::default()
            .bins(2)
            .strategy(AtKStrategy::ByGroup),
    )
    .unwrap();
    assert_eq!((g.bins[0].n_treated, g.bins[0].n_control), (2, 2));
    assert_eq!((g.bins[0].rate_treated, g.bins[0].rate_control), (1.0, 0.5));
    // Wald: uplift ± z · se.
    let w = uplift_by_percentile(
        &y,
        &t,
        &u,
        &PercentileOptions::default()
            .bins(2)
            .interval(crate::stats::ShareInterval::Wald),
    )
    .unwrap();
    let ci = w.total.ci_uplift.unwrap();
    assert!((ci.high - ci.low - 2.0 * 1.959963984540054 * w.total.se_uplift).abs() < 1e-12);
}

#[test]
fn balance_checks_inputs() {
    let x = ndarray::array![[1.0], [2.0], [3.0], [4.0]];
    assert!(balance(x.view(), &[1.0, 1.0, 0.0], None, &BalanceOptions::default()).is_err());
    assert!(
        balance(
            x.view(),
            &[1.0, 1.0, 1.0, 0.0],
            None,
            &BalanceOptions::default()
        )
        .is_err()
    );
    let x = ndarray::array![[1.0], [f64::NAN], [3.0], [4.0]];
    assert_eq!(
        balance(
            x.view(),
            &[1.0, 1.0, 0.0, 0.0],
            None,
            &BalanceOptions::default()
        )
        .unwrap_err(),
        Error::Missing { arg: "X", index: 1 }
    );
    // Constant within each arm at different values: an infinite SMD, flagged.
    let x = ndarray::array![[1.0, 2.0], [1.0, 2.0], [3.0, 2.0], [3.0, 2.0]];
    let b = balance(
        x.view(),
        &[1.0, 1.0, 0.0, 0.0],
        None,
        &BalanceOptions::default(),
    )
    .unwrap();
    assert_eq!(b.rows[0].smd, f64::NEG_INFINITY);
    assert!(b.rows[0].imbalanced);
    assert_eq!((b.rows[1].smd, b.rows[1].imbalanced), (0.0, false));
}

#[test]
fn bootstrap_is_seeded_and_bounded() {
    let n = 300;
    let t: Vec<f64> = (0..n).map(|i| f64::from(u8::from(i % 2 == 0))).collect();
    let u: Vec<f64> = (0..n).map(|i| f64::from((i * 37) % 101)).collect();
    let y: Vec<f64> = (0..n)
        .map(|i| f64::from(u8::from((i * 37) % 101 > 60 && i % 2 == 0 || i % 5 == 0)))
        .collect();
    let o = QiniBootstrapOptions::default().resamples(200).seed(11);
    let a = qini_bootstrap(&y, &t, &u, &o).unwrap();
    let b = qini_bootstrap(&y, &t, &u, &o).unwrap();
    assert_eq!(a, b);
    assert!(a.ci.low < a.score.estimate && a.score.estimate < a.ci.high);
    assert!(a.se > 0.0);
    let c = qini_bootstrap(&y, &t, &u, &o.seed(12)).unwrap();
    assert_ne!(a.ci, c.ci);
    assert!(matches!(
        qini_bootstrap(&y, &t, &u, &o.resamples(MAX_UPLIFT_RESAMPLES + 1)),
        Err(Error::TooLarge {
            arg: "resamples",
            ..
        })
    ));
}

mod fast_paths {
    //! The sort by packed integer keys and the counted perfect Qini curve against their definitions.

    use super::super::check::{descending, descending_by_comparison};
    use super::super::curves::{Kind, perfect_qini_scores, points};
    use super::super::perfect_qini_curve;
    use proptest::prelude::*;

    /// Scores with many ties, both zeros, extremes and subnormals.
    fn score() -> impl Strategy<Value = f64> {
        prop_oneof![
            Just(0.0),
            Just(-0.0),
            Just(f64::MAX),
            Just(f64::MIN),
            Just(f64::INFINITY),
            Just(f64::NEG_INFINITY),
            Just(5e-324),
            Just(-5e-324),
            (-3i32..3).prop_map(|v| f64::from(v) / 2.0),
            -1e3..1e3_f64,
        ]
    }

    proptest! {
        #[test]
        fn descending_is_the_comparison_order(s in proptest::collection::vec(score(), 0..300)) {
            prop_assert_eq!(descending(&s), descending_by_comparison(&s));
        }

        #[test]
        fn counted_perfect_qini_equals_the_sorted_one(
            rows in proptest::collection::vec((0u8..2, 0u8..2), 2..200),
        ) {
            let y: Vec<f64> = rows.iter().map(|r| f64::from(r.0)).collect();
            let t: Vec<f64> = rows.iter().map(|r| f64::from(r.1)).collect();
            prop_assume!(t.contains(&1.0) && t.contains(&0.0));
            let s = perfect_qini_scores(&y, &t);
            let sorted = points(Kind::Qini, &descending_by_comparison(&s), &s, &y, &t, None);
            let counted = perfect_qini_curve(&y, &t, true).unwrap();
            // Bit for bit, zeros' signs included.
            let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            prop_assert_eq!(bits(&counted.targeted), bits(&sorted.targeted));
            prop_assert_eq!(bits(&counted.value), bits(&sorted.value));
        }
    }

    #[test]
    fn descending_on_a_big_input_uses_the_parallel_sort_and_agrees() {
        let s: Vec<f64> = (0..200_000u64)
            .map(|i| ((i * 2_654_435_761) % 1_000) as f64 / 7.0 - 60.0)
            .collect();
        assert_eq!(descending(&s), descending_by_comparison(&s));
    }
}

#[test]
fn the_qini_walk_over_packed_keys_equals_the_walk_through_positions() {
    // Many ties (scores on a coarse grid), ±0, both arms and outcomes; 70,000 rows take the radix
    // sort.
    for n in [1, 2, 7, 1_000, 70_000] {
        let y: Vec<f64> = (0..n)
            .map(|i| f64::from(u8::from((i * 7) % 3 == 0)))
            .collect();
        let t: Vec<f64> = (0..n)
            .map(|i| f64::from(u8::from((i * 5) % 4 < 2)))
            .collect();
        let s: Vec<f64> = (0..n)
            .map(|i| match i % 11 {
                0 => 0.0,
                1 => -0.0,
                k => {
                    ((i * 13) % 17) as f64 / 8.0 - 1.0
                        + k as f64 * 1e-3 * f64::from(u8::from(i % 3 == 0))
                }
            })
            .collect();
        let order = super::check::descending(&s);
        let (keys, labels) = super::check::descending_labelled(&s, &y, &t);
        // The same scores in the same order, each row's labels kept with its score.
        let ranked: Vec<u64> = order
            .iter()
            .map(|&i| !crate::stats::radix::order_key(s[i]))
            .collect();
        assert_eq!(keys, ranked);
        let count = |it: &mut dyn Iterator<Item = (u64, u32)>| {
            let mut c: Vec<(u64, u32)> = it.collect();
            c.sort_unstable();
            c
        };
        let by_row = count(&mut order.iter().map(|&i| {
            (
                !crate::stats::radix::order_key(s[i]),
                (u32::from(y[i] == 1.0) << 1) | u32::from(t[i] == 1.0),
            )
        }));
        assert_eq!(
            count(&mut keys.iter().copied().zip(labels.iter().copied())),
            by_row
        );
        let want = points(Kind::Qini, &order, &s, &y, &t, None);
        let got = super::curves::qini_points_labelled(&keys, &labels);
        assert_eq!(want.targeted, got.targeted);
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<u64>>();
        assert_eq!(bits(&want.value), bits(&got.value));
    }
}
