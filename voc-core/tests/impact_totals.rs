//! What the Python binding used to compute itself and now reads from the core: the customers behind a
//! holdout, a before/after comparison and a difference-in-differences, and the what-if classes picked by
//! label.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use proptest::prelude::*;
use voc_core::Error;
use voc_core::impact::effect::{EffectOptions, before_after, did_n, holdout, proportion_cell};
use voc_core::impact::roi::{ClassValue, Shift, classes_by_label, what_if};

#[test]
fn totals_are_the_sums_of_the_arms() {
    let opts = EffectOptions::default();
    let h = holdout((80.0, 1000.0), (120.0, 1500.0), &opts).unwrap();
    assert_eq!(h.n(), 2500.0);
    let r = before_after((120.0, 1000.0), (80.0, 900.0), &opts).unwrap();
    assert_eq!(r.n(), 1900.0);
    let cells = [
        proportion_cell(200.0, 1000.0).unwrap(),
        proportion_cell(120.0, 900.0).unwrap(),
        proportion_cell(190.0, 800.0).unwrap(),
        proportion_cell(180.0, 700.0).unwrap(),
    ];
    assert_eq!(did_n(&cells), 3400.0);
}

#[test]
fn classes_are_picked_by_label_in_nps_order() {
    let c = classes_by_label(
        &["promoter", "other", "detractor", "passive"],
        &[400.0, 7.0, 300.0, 300.0],
        &[130.0, 1.0, 80.0, 100.0],
        &[0.08, 0.5, 0.30, 0.15],
    )
    .unwrap();
    let want = [
        ClassValue {
            n: 300.0,
            arpu: 80.0,
            churn: 0.30,
        },
        ClassValue {
            n: 300.0,
            arpu: 100.0,
            churn: 0.15,
        },
        ClassValue {
            n: 400.0,
            arpu: 130.0,
            churn: 0.08,
        },
    ];
    assert_eq!(c, want);
    let w = what_if(&c, Shift::DetractorsToPassives, 0.1).unwrap();
    assert!((w.nps_change - 3.0).abs() < 1e-9);
}

#[test]
fn a_missing_or_repeated_class_is_an_error_naming_data() {
    let err = classes_by_label(
        &["promoter", "passive"],
        &[1.0, 1.0],
        &[1.0, 1.0],
        &[0.1, 0.1],
    )
    .unwrap_err();
    assert!(
        matches!(err, Error::InvalidOption { name: "data", ref value, .. } if value == "detractor"),
        "{err:?}"
    );
    let err = classes_by_label(
        &["detractor", "passive", "promoter", "passive"],
        &[1.0, 2.0, 3.0, 4.0],
        &[1.0; 4],
        &[0.1; 4],
    )
    .unwrap_err();
    assert!(
        matches!(
            err,
            Error::InvalidValue {
                arg: "data",
                index: 3,
                ..
            }
        ),
        "{err:?}"
    );
    let err = classes_by_label(&["detractor"], &[1.0, 2.0], &[1.0], &[0.1]).unwrap_err();
    assert!(
        matches!(
            err,
            Error::LengthMismatch {
                arg: "n",
                len: 2,
                ..
            }
        ),
        "{err:?}"
    );
}

proptest! {
    /// The row order of the class table does not change the what-if.
    #[test]
    fn what_if_does_not_depend_on_row_order(
        n in prop::array::uniform3(1.0f64..1e4),
        arpu in prop::array::uniform3(0.0f64..500.0),
        churn in prop::array::uniform3(0.0f64..1.0),
        rotate in 0usize..3,
        share in 0.0f64..=1.0,
    ) {
        let names = ["detractor", "passive", "promoter"];
        let order: Vec<usize> = (0..3).map(|i| (i + rotate) % 3).collect();
        let pick = |v: &[f64; 3]| order.iter().map(|&i| v[i]).collect::<Vec<_>>();
        let labels: Vec<&str> = order.iter().map(|&i| names[i]).collect();
        let shuffled = classes_by_label(&labels, &pick(&n), &pick(&arpu), &pick(&churn)).unwrap();
        let direct = [0, 1, 2].map(|i| ClassValue { n: n[i], arpu: arpu[i], churn: churn[i] });
        prop_assert_eq!(shuffled, direct);
        let a = what_if(&shuffled, Shift::PassivesToPromoters, share).unwrap();
        let b = what_if(&direct, Shift::PassivesToPromoters, share).unwrap();
        prop_assert_eq!(a, b);
    }

    /// A holdout's and a before/after's n are the customers of both arms.
    #[test]
    fn n_is_both_arms(k1 in 1u32..1000, extra1 in 1u32..1000, k2 in 1u32..1000, extra2 in 1u32..1000) {
        let (a, b) = ((f64::from(k1), f64::from(k1 + extra1)), (f64::from(k2), f64::from(k2 + extra2)));
        let opts = EffectOptions::default();
        prop_assert_eq!(holdout(a, b, &opts).unwrap().n(), a.1 + b.1);
        prop_assert_eq!(before_after(a, b, &opts).unwrap().n(), a.1 + b.1);
    }
}
