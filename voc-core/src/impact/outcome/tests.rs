use super::*;
use crate::State;
use crate::{Error, MissingPolicy};
use proptest::prelude::*;

fn names() -> Vec<String> {
    ["detractor", "passive", "promoter"]
        .iter()
        .map(|s| s.to_string())
        .collect()
}

/// Finishes through the trait (the generic path the binding and Dask use).
fn finish(s: &OutcomeState) -> OutcomeByClass {
    State::finish(s, &OutcomeOptions::default()).unwrap()
}

fn close(a: f64, b: f64) -> bool {
    (a.is_nan() && b.is_nan()) || (a - b).abs() <= 1e-9 * (1.0 + b.abs())
}

fn same_result(a: &OutcomeByClass, b: &OutcomeByClass) -> bool {
    a.churn_test == b.churn_test
        && a.classes.len() == b.classes.len()
        && a.classes.iter().zip(&b.classes).all(|(x, y)| {
            let mean = |m: Option<MeanCi>, n: Option<MeanCi>| match (m, n) {
                (Some(m), Some(n)) => {
                    close(m.summary.mean, n.summary.mean)
                        && close(m.summary.variance, n.summary.variance)
                }
                (m, n) => m.is_none() && n.is_none(),
            };
            x.n == y.n
                && x.churn == y.churn
                && x.repurchase == y.repurchase
                && mean(x.spend, y.spend)
                && mean(x.clv, y.clv)
        })
}

#[test]
fn empty_like_keeps_the_classes_and_nothing_else() {
    let mut s = OutcomeState::new(&names()).unwrap();
    let churned = [1.0, 0.0, 0.0];
    State::update(
        &mut s,
        OutcomeBatch::new(&[0, 1, 2], Outcomes::default().churned(&churned)),
    )
    .unwrap();
    let e = s.empty_like();
    assert_eq!(e.names(), s.names());
    assert_eq!(e.customers(), 0);
    assert!((0..4).all(|i| !e.holds(i)));
    assert_eq!(e, OutcomeState::new(&names()).unwrap());
}

#[test]
fn a_batch_with_a_nan_outcome_follows_its_missing_policy() {
    let mut s = OutcomeState::new(&names()).unwrap();
    let spend = [1.0, f64::NAN];
    let batch = OutcomeBatch::new(&[0, 2], Outcomes::default().spend(&spend));
    assert!(matches!(
        State::update(&mut s, batch),
        Err(crate::Error::Missing { index: 1, .. })
    ));
    assert_eq!(s.customers(), 0);
    State::update(&mut s, batch.missing(MissingPolicy::Skip)).unwrap();
    assert_eq!(finish(&s).classes[2].spend, None);
}

proptest! {
    /// Updating two states with the two halves of any split and merging them (in either order) gives the
    /// result of one state updated with all rows; an empty state of the same shape is the identity of
    /// merge on either side.
    #[test]
    fn merged_split_batches_equal_one_batch_and_empty_like_is_the_identity(
        rows in prop::collection::vec((0u32..4, 0u8..2, 0.0f64..500.0, 0u8..2), 1..120),
        cut in 0usize..120,
    ) {
        let codes: Vec<u32> = rows.iter().map(|r| if r.0 == 3 { NO_CLASS } else { r.0 }).collect();
        let churn: Vec<f64> = rows.iter().map(|r| f64::from(r.1)).collect();
        let spend: Vec<f64> = rows.iter().map(|r| r.2).collect();
        let rep: Vec<f64> = rows.iter().map(|r| f64::from(r.3)).collect();
        let cut = cut.min(rows.len());
        let batch = |lo: usize, hi: usize| {
            OutcomeBatch::new(
                &codes[lo..hi],
                Outcomes::default()
                    .churned(&churn[lo..hi])
                    .spend(&spend[lo..hi])
                    .repurchased(&rep[lo..hi]),
            )
        };
        let empty = OutcomeState::new(&names()).unwrap();
        let mut whole = empty.empty_like();
        State::update(&mut whole, batch(0, rows.len())).unwrap();
        let (mut a, mut b) = (empty.empty_like(), empty.empty_like());
        State::update(&mut a, batch(0, cut)).unwrap();
        State::update(&mut b, batch(cut, rows.len())).unwrap();
        let mut ab = a.clone();
        State::merge(&mut ab, &b).unwrap();
        let mut ba = b.clone();
        State::merge(&mut ba, &a).unwrap();
        if whole.customers() > 0 {
            let want = finish(&whole);
            prop_assert!(same_result(&finish(&ab), &want));
            prop_assert!(same_result(&finish(&ba), &want));
        }
        // The identity, on the left and on the right, is exact.
        let mut left = whole.empty_like();
        State::merge(&mut left, &whole).unwrap();
        prop_assert_eq!(&left, &whole);
        let mut right = whole.clone();
        State::merge(&mut right, &whole.empty_like()).unwrap();
        prop_assert_eq!(&right, &whole);
        // And the byte form goes through the trait too.
        prop_assert_eq!(&<OutcomeState as State>::from_bytes(&State::to_bytes(&ab)).unwrap(), &ab);
    }
}

#[test]
fn skip_leaves_out_whole_rows_and_counts_them() {
    let names = names();
    let mut s = OutcomeState::new(&names).unwrap();
    let codes = [0, 1, NO_CLASS, 2, 2];
    let churned = [1.0, 0.0, 0.0, f64::NAN, 0.0];
    let spend = [5.0, f64::NAN, 1.0, 4.0, 6.0];
    let o = Outcomes::default().churned(&churned).spend(&spend);
    // With Error the first NaN (churned[3] comes after spend[1] in row order, but columns are
    // checked one by one) is an error and the state is unchanged.
    assert!(matches!(
        s.update(&codes, o, MissingPolicy::Error),
        Err(Error::Missing { .. })
    ));
    assert_eq!((s.customers(), s.missing()), (0, 0));
    s.update(&codes, o, MissingPolicy::Skip).unwrap();
    // Row 1 (spend missing) and row 3 (churn missing) are left out of every outcome; row 2 has no class.
    assert_eq!((s.customers(), s.missing()), (2, 3));
    let out = s.finish(&OutcomeOptions::default()).unwrap();
    assert_eq!(out.n_missing, 3);
    let per_class: Vec<(u64, u64)> = out.classes.iter().map(|c| (c.n, c.n_missing)).collect();
    assert_eq!(per_class, [(1, 0), (0, 1), (1, 1)]);
    assert_eq!(out.classes[2].spend.map(|m| m.summary.mean), Some(6.0));
    // The counts survive the byte form and add up in a merge.
    let back = OutcomeState::from_bytes(&s.to_bytes()).unwrap();
    assert_eq!(back, s);
    let mut twice = s.clone();
    twice.merge(&back).unwrap();
    assert_eq!((twice.customers(), twice.missing()), (4, 6));
}

#[test]
fn integer_labels_round_trip_and_do_not_merge_with_text_labels() {
    let ints = OutcomeState::with_integer_labels(&[2, 9, 10]).unwrap();
    assert_eq!(ints.integer_labels(), Some(vec![2, 9, 10]));
    let back = OutcomeState::from_bytes(&ints.to_bytes()).unwrap();
    assert_eq!(back.integer_labels(), Some(vec![2, 9, 10]));
    let text = OutcomeState::new(&["2".to_string(), "9".to_string(), "10".to_string()]).unwrap();
    let mut a = ints.clone();
    assert!(matches!(a.merge(&text), Err(Error::Incompatible(_))));
}

#[test]
fn float_and_bool_labels_round_trip_and_keep_their_kind() {
    let f = OutcomeState::with_float_labels(&[1.0, 2.5, -0.5]).unwrap();
    let back = OutcomeState::from_bytes(&f.to_bytes()).unwrap();
    assert_eq!(back.float_labels(), Some(vec![1.0, 2.5, -0.5]));
    assert_eq!(back.label_kind(), LabelKind::Float);
    let b = OutcomeState::with_bool_labels(&[false, true]).unwrap();
    let back = OutcomeState::from_bytes(&b.to_bytes()).unwrap();
    assert_eq!(back.bool_labels(), Some(vec![false, true]));
    // Labels of another kind with the same names do not merge.
    let mut text = OutcomeState::new(&["false".to_string(), "true".to_string()]).unwrap();
    assert!(text.merge(&b).is_err());
    // Integer states keep the byte form of earlier builds (the kind byte is the old flag: 1).
    let ints = OutcomeState::with_integer_labels(&[2, 9]).unwrap();
    assert_eq!(
        OutcomeState::from_bytes(&ints.to_bytes())
            .unwrap()
            .integer_labels(),
        Some(vec![2, 9])
    );
}

#[test]
fn merge_refuses_other_settings_naming_each_and_leaves_the_state_unchanged() {
    let spend = Outcomes::default().spend(&[1.0, 2.0]);
    let mut a = OutcomeState::with_integer_labels(&[1, 2]).unwrap();
    a.update(&[0, 1], spend, MissingPolicy::Error).unwrap();
    let before = a.clone();
    let message = |r: Result<(), Error>| match r {
        Err(Error::Incompatible(m)) => m,
        other => panic!("expected Incompatible, got {other:?}"),
    };
    // The same names as text labels: another label kind.
    let text = OutcomeState::new(&["1".to_string(), "2".to_string()]).unwrap();
    let m = message(a.merge(&text));
    assert!(
        m.contains("label kind") && m.contains("integer") && m.contains("text"),
        "{m}"
    );
    // Float labels 1.0, 2.0: another kind too, although the values are equal.
    let floats = OutcomeState::with_float_labels(&[1.0, 2.0]).unwrap();
    assert!(message(a.merge(&floats)).contains("label kind"));
    // Other classes.
    let other = OutcomeState::with_integer_labels(&[1, 3]).unwrap();
    assert!(message(a.merge(&other)).contains("class names"));
    // Other outcomes, once both hold customers.
    let mut churn = OutcomeState::with_integer_labels(&[1, 2]).unwrap();
    churn
        .update(
            &[0],
            Outcomes::default().churned(&[1.0]),
            MissingPolicy::Error,
        )
        .unwrap();
    let m = message(a.merge(&churn));
    assert!(m.contains("outcomes") && m.contains("churned"), "{m}");
    assert_eq!(a, before);
    // An empty state of the same settings merges (the identity).
    a.merge(&a.empty_like()).unwrap();
    assert_eq!(a, before);
}
