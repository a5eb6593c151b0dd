//! Tests of [`fix_effects`]: every number equals the impact function's output; bad input; row order.

#![cfg(test)] // compiled for the tests only: the unwraps below never run in the library
use super::*;
use crate::impact::roi::roi;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

struct Data {
    sets: Sets,
    time: Vec<i64>,
    contact: Vec<bool>,
    signup: Vec<i64>,
    churn: Vec<i64>,
    flags: Vec<bool>,
}

fn data(seed: u64) -> Data {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let n = 3_000;
    let mut rows = Vec::new();
    let mut time = Vec::new();
    let mut contact = Vec::new();
    for _ in 0..n {
        let t = rng.random_range(0..400) * DAY + rng.random_range(0..DAY);
        let p = if t < 200 * DAY { 0.3 } else { 0.12 };
        let mut r = Vec::new();
        if rng.random::<f64>() < p {
            r.push(0);
        }
        if rng.random::<f64>() < 0.2 {
            r.push(1);
        }
        if rng.random::<f64>() < 0.1 {
            r.push(2);
        }
        rows.push(r);
        time.push(t);
        contact.push(rng.random::<f64>() < 0.6);
    }
    let m = 2_000;
    let mut signup = Vec::new();
    let mut churn = Vec::new();
    let mut flags = Vec::new();
    for _ in 0..m {
        let s = rng.random_range(0..300) * DAY;
        let flag = rng.random::<f64>() < 0.4;
        let c = if rng.random::<f64>() < 0.5 {
            s + rng.random_range(0..400) * DAY
        } else {
            NAT
        };
        signup.push(s);
        churn.push(c);
        flags.push(flag);
    }
    Data {
        sets: Sets::from_rows(&rows).unwrap(),
        time,
        contact,
        signup,
        churn,
        flags,
    }
}

/// Each number equals the impact function's output on counts made by brute force.
#[test]
fn every_number_is_the_impact_functions_output() {
    let d = data(1);
    let texts = FixTexts {
        themes: &d.sets,
        time: &d.time,
        contact: Some(&d.contact),
    };
    let customers = FixCustomers {
        signup: &d.signup,
        churn: &d.churn,
        as_of: 400 * DAY,
        groups: &[&d.flags],
    };
    let r = 200 * DAY;
    let fixes = vec![
        Fix {
            id: "a".into(),
            themes: vec![0],
            rollout: r,
            cost: 5_000.0,
            groups: Some((FixDesign::Holdout, 0)),
        },
        Fix {
            id: "b".into(),
            themes: vec![0, 2],
            rollout: r,
            cost: 0.0,
            groups: Some((FixDesign::Rollout, 0)),
        },
        Fix {
            id: "c".into(),
            themes: vec![1],
            rollout: 150 * DAY,
            cost: 100.0,
            groups: None,
        },
    ];
    let opts = FixOptions::default()
        .clv(300.0)
        .cost_per_contact(4.0)
        .confidence(0.9);
    let out = fix_effects(&fixes, texts, customers, 3, &opts).unwrap();
    assert_eq!(out.len(), 3);
    let e = EffectOptions::default().confidence(0.9);
    let w = 90 * DAY;
    for (f, got) in fixes.iter().zip(&out) {
        let (from, to) = (f.rollout - w, f.rollout + w);
        let mut k = [[0.0f64; 2]; 2];
        let mut contacts = [0.0f64; 2];
        for i in 0..d.time.len() {
            let t = d.time[i];
            if t < from || t >= to {
                continue;
            }
            let a = usize::from(t >= f.rollout);
            let hit = d.sets.row(i).iter().any(|x| f.themes.contains(x));
            k[a][1] += 1.0;
            if hit {
                k[a][0] += 1.0;
                if d.contact[i] {
                    contacts[a] += 1.0;
                }
            }
        }
        let ba = before_after((k[0][0], k[0][1]), (k[1][0], k[1][1]), &e).unwrap();
        assert_eq!(got.mentions, ba);
        assert_eq!(
            (got.contacts_before as f64, got.contacts_after as f64),
            (contacts[0], contacts[1])
        );
        let rr = rate_ratio(contacts[1], 90.0, contacts[0], 90.0, &e).unwrap();
        assert_eq!(got.contacts, Some(rr));
        assert_eq!(got.contacts_avoided, contacts[0] - contacts[1]);
        // Churn cells by brute force.
        let cell = |start: i64, flag: Option<bool>| {
            let (mut c, mut n) = (0.0, 0.0);
            for i in 0..d.signup.len() {
                let (s, ch) = (d.signup[i], d.churn[i]);
                if s >= start || (ch != NAT && ch < start) {
                    continue;
                }
                if flag.is_some_and(|g| d.flags[i] != g) {
                    continue;
                }
                n += 1.0;
                c += f64::from(u8::from(ch != NAT && ch < start + w));
            }
            (c, n)
        };
        let (reduction, ci, reached) = match (&got.churn, &f.groups) {
            (FixChurn::Holdout(h), Some((FixDesign::Holdout, _))) => {
                let want = holdout(
                    cell(f.rollout, Some(false)),
                    cell(f.rollout, Some(true)),
                    &e,
                )
                .unwrap();
                assert_eq!(*h, want);
                (
                    -want.difference,
                    (-want.ci.high, -want.ci.low),
                    want.treated.n,
                )
            }
            (FixChurn::DiffInDiff { cells, test }, Some((FixDesign::Rollout, _))) => {
                let pc = |(c, n): (f64, f64)| proportion_cell(c, n).unwrap();
                let want_cells = [
                    pc(cell(from, Some(true))),
                    pc(cell(f.rollout, Some(true))),
                    pc(cell(from, Some(false))),
                    pc(cell(f.rollout, Some(false))),
                ];
                assert_eq!(*cells, want_cells);
                let want =
                    diff_in_diff(&want_cells, &DidOptions::default().confidence(0.9)).unwrap();
                assert_eq!(*test, want);
                (
                    -want.difference,
                    (-want.ci.high, -want.ci.low),
                    want_cells[1].n,
                )
            }
            (FixChurn::BeforeAfter(b), None) => {
                let want = before_after(cell(from, None), cell(f.rollout, None), &e).unwrap();
                assert_eq!(*b, want);
                let c = want.change;
                (-c.difference, (-c.ci.high, -c.ci.low), want.after.n)
            }
            _ => panic!("wrong design for {}", f.id),
        };
        assert_eq!(got.customers, reached);
        let want = roi(&RoiInputs::default()
            .churn_reduction(reduction)
            .churn_reduction_ci(Some(ci))
            .customers(reached)
            .clv(300.0)
            .contacts_avoided(((contacts[0] - contacts[1]) / 90.0 * 365.25).max(0.0))
            .cost_per_contact(4.0)
            .program_cost(f.cost))
        .unwrap();
        assert_eq!(got.roi, want);
    }
    // The fix whose themes fell has fewer mentions after; the steady theme does not.
    assert!(out[0].mentions.ratio.estimate < 0.6);
    assert!(out[2].mentions.ratio.ci.low < 1.0 && out[2].mentions.ratio.ci.high > 1.0);
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(24))]
    /// The order of the texts and of the customers does not change any number.
    #[test]
    fn order_of_rows_does_not_matter(seed in 0u64..1_000, shift in 1usize..2_999) {
        let d = data(seed);
        let n = d.time.len();
        let m = d.signup.len();
        let fixes = [
            Fix { id: "h".into(), themes: vec![0, 1], rollout: 200 * DAY, cost: 10.0,
                  groups: Some((FixDesign::Holdout, 0)) },
            Fix { id: "r".into(), themes: vec![2], rollout: 180 * DAY, cost: 0.0,
                  groups: Some((FixDesign::Rollout, 0)) },
        ];
        let opts = FixOptions::default().clv(50.0).cost_per_contact(2.0);
        let run = |order: &[usize], people: &[usize]| {
            let rows: Vec<Vec<u32>> = order.iter().map(|&i| d.sets.row(i).to_vec()).collect();
            let sets = Sets::from_rows(&rows).unwrap();
            let time: Vec<i64> = order.iter().map(|&i| d.time[i]).collect();
            let contact: Vec<bool> = order.iter().map(|&i| d.contact[i]).collect();
            let signup: Vec<i64> = people.iter().map(|&i| d.signup[i]).collect();
            let churn: Vec<i64> = people.iter().map(|&i| d.churn[i]).collect();
            let flags: Vec<bool> = people.iter().map(|&i| d.flags[i]).collect();
            let texts = FixTexts { themes: &sets, time: &time, contact: Some(&contact) };
            let customers = FixCustomers { signup: &signup, churn: &churn, as_of: 400 * DAY, groups: &[&flags] };
            fix_effects(&fixes, texts, customers, 3, &opts).unwrap()
        };
        let id_t: Vec<usize> = (0..n).collect();
        let id_c: Vec<usize> = (0..m).collect();
        let rot_t: Vec<usize> = (0..n).map(|i| (i + shift) % n).rev().collect();
        let rot_c: Vec<usize> = (0..m).map(|i| (i + shift) % m).rev().collect();
        let (a, b) = (run(&id_t, &id_c), run(&rot_t, &rot_c));
        // Sums of the same 0/1 values in another order are the same integers, so equality is exact.
        proptest::prop_assert_eq!(a, b);
    }
}

#[test]
fn bad_registers_and_windows_are_errors_naming_the_input() {
    let d = data(2);
    let texts = FixTexts {
        themes: &d.sets,
        time: &d.time,
        contact: None,
    };
    let short = [true; 3];
    let customers = FixCustomers {
        signup: &d.signup,
        churn: &d.churn,
        as_of: 400 * DAY,
        groups: &[],
    };
    let fix = |themes: Vec<u32>, rollout: i64, cost: f64| Fix {
        id: "x".into(),
        themes,
        rollout,
        cost,
        groups: None,
    };
    let o = FixOptions::default();
    let run = |f: Fix| {
        fix_effects(&[f], texts, customers, 3, &o)
            .unwrap_err()
            .to_string()
    };
    assert!(run(fix(vec![], 200 * DAY, 0.0)).contains("fixes.themes"));
    assert!(run(fix(vec![7], 200 * DAY, 0.0)).contains("fixes.themes"));
    assert!(run(fix(vec![0], NAT, 0.0)).contains("fixes.rollout"));
    assert!(run(fix(vec![0], 200 * DAY, -1.0)).contains("fixes.cost"));
    assert!(run(fix(vec![0], 350 * DAY, 0.0)).contains("window_days"));
    assert!(run(fix(vec![0], 50 * DAY, 0.0)).contains("before the first text"));
    let unknown = Fix {
        groups: Some((FixDesign::Holdout, 0)),
        ..fix(vec![0], 200 * DAY, 0.0)
    };
    assert!(run(unknown).contains("fixes.groups"));
    let wrong_length = FixCustomers {
        groups: &[&short],
        ..customers
    };
    let e = fix_effects(&[], texts, wrong_length, 3, &o).unwrap_err();
    assert!(e.to_string().contains("customers.groups"), "{e}");
    assert!(fix_effects(&[], texts, customers, 3, &o.window_days(0)).is_err());
}
