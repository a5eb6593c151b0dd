//! Property tests of the retention module: Kaplan–Meier bounds, bookkeeping and permutation
//! invariance; log-rank relabelling invariance; Cox invariance to row order and covariate shifts;
//! cohort matrix and transaction summary against brute-force recomputation.

// Tests report failure by panicking.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;
use proptest::test_runner::Config;
use voc_core::retention::{
    CohortOptions, CoxOptions, KmOptions, LogRankOptions, SummaryOptions, cohort_retention, cox_ph,
    kaplan_meier, logrank_test, rfm_summary,
};
use voc_core::time::Period;

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

/// (duration, event, group) rows with many ties.
fn survival_rows() -> impl Strategy<Value = Vec<(f64, f64, u32)>> {
    prop::collection::vec(
        (0u32..15, any::<bool>(), 0u32..3)
            .prop_map(|(d, e, g)| (f64::from(d) * 0.5, f64::from(u8::from(e)), g)),
        2..120,
    )
}

fn split(rows: &[(f64, f64, u32)]) -> (Vec<f64>, Vec<f64>, Vec<u32>) {
    let t = rows.iter().map(|r| r.0).collect();
    let e = rows.iter().map(|r| r.1).collect();
    let g = rows.iter().map(|r| r.2).collect();
    (t, e, g)
}

proptest! {
    #![proptest_config(config(64))]

    #[test]
    fn km_bounds_and_bookkeeping(rows in survival_rows()) {
        let (t, e, _) = split(&rows);
        let km = kaplan_meier(&t, &e, None, &KmOptions::default()).unwrap();
        let c = &km.curves[0];
        prop_assert_eq!(c.n as usize, t.len());
        let mut prev = 1.0;
        for i in 0..c.time.len() {
            prop_assert!(c.survival[i] <= prev && c.survival[i] >= 0.0);
            prev = c.survival[i];
            prop_assert!(c.ci_low[i] <= c.survival[i] + 1e-15 && c.survival[i] <= c.ci_high[i] + 1e-15);
            if i + 1 < c.time.len() {
                prop_assert_eq!(c.at_risk[i + 1], c.at_risk[i] - c.events[i] - c.censored[i]);
            }
        }
        prop_assert_eq!(c.events.iter().sum::<u64>(), c.n_events);
    }

    /// Whole-number durations take the histogram path, others the sorting path: same curve.
    #[test]
    fn km_histogram_and_sort_paths_agree(rows in prop::collection::vec((0u32..40, any::<bool>(), 0u32..3), 1..200)) {
        let t: Vec<f64> = rows.iter().map(|r| f64::from(r.0)).collect();
        let half: Vec<f64> = t.iter().map(|v| v * 0.5 + 0.25).collect();
        let e: Vec<f64> = rows.iter().map(|r| f64::from(u8::from(r.1))).collect();
        let g: Vec<u32> = rows.iter().map(|r| r.2).collect();
        let a = kaplan_meier(&t, &e, Some(&g), &KmOptions::default()).unwrap();
        let b = kaplan_meier(&half, &e, Some(&g), &KmOptions::default()).unwrap();
        prop_assert_eq!(a.curves.len(), b.curves.len());
        for (x, y) in a.curves.iter().zip(&b.curves) {
            prop_assert_eq!(&x.survival, &y.survival);
            prop_assert_eq!(&x.ci_low, &y.ci_low);
            prop_assert_eq!(&x.at_risk, &y.at_risk);
            let scaled: Vec<f64> = x.time.iter().map(|v| v * 0.5 + 0.25).collect();
            prop_assert_eq!(&scaled, &y.time);
        }
    }

    #[test]
    fn km_is_permutation_invariant(rows in survival_rows(), seed in any::<u64>()) {
        let (t, e, _) = split(&rows);
        let mut shuffled = rows.clone();
        let n = shuffled.len();
        let mut s = seed | 1;
        for i in (1..n).rev() {
            s ^= s << 13; s ^= s >> 7; s ^= s << 17;
            shuffled.swap(i, (s % (i as u64 + 1)) as usize);
        }
        let (t2, e2, _) = split(&shuffled);
        let a = kaplan_meier(&t, &e, None, &KmOptions::default()).unwrap();
        let b = kaplan_meier(&t2, &e2, None, &KmOptions::default()).unwrap();
        prop_assert_eq!(a, b);
    }

    #[test]
    fn logrank_ignores_group_labels(rows in survival_rows()) {
        let (t, e, g) = split(&rows);
        prop_assume!(e.contains(&1.0));
        let used: BTreeSet<u32> = g.iter().copied().collect();
        prop_assume!(used.len() == 3);
        let a = logrank_test(&t, &e, &g, &LogRankOptions::default()).unwrap();
        let relabelled: Vec<u32> = g.iter().map(|&x| 2 - x).collect();
        let b = logrank_test(&t, &e, &relabelled, &LogRankOptions::default()).unwrap();
        prop_assert!(a.statistic >= -1e-12, "{:?} {:?}", a, rows);
        prop_assert!((a.statistic - b.statistic).abs() <= 1e-9 * a.statistic.abs().max(1.0), "{:?} {:?} {:?}", a, b, rows);
    }

    #[test]
    fn cox_invariant_to_row_order_and_shift(rows in prop::collection::vec((0u32..30, any::<bool>(), -3.0f64..3.0, -2.0f64..2.0), 20..60), shift in -50.0f64..50.0) {
        let t: Vec<f64> = rows.iter().map(|r| f64::from(r.0)).collect();
        let e: Vec<f64> = rows.iter().map(|r| f64::from(u8::from(r.1))).collect();
        prop_assume!(e.iter().filter(|&&v| v == 1.0).count() >= 5);
        let x: Vec<f64> = rows.iter().flat_map(|r| [r.2, r.3]).collect();
        let n = t.len();
        let mat = |v: Vec<f64>| ndarray::Array2::from_shape_vec((n, 2), v).unwrap();
        let Ok(a) = cox_ph(mat(x.clone()).view(), &t, &e, &CoxOptions::default()) else { return Ok(()); };
        let xs: Vec<f64> = x.iter().enumerate().map(|(i, v)| if i % 2 == 0 { v + shift } else { *v }).collect();
        let b = cox_ph(mat(xs).view(), &t, &e, &CoxOptions::default()).unwrap();
        let rev = |v: &[f64], w: usize| -> Vec<f64> { (0..n).rev().flat_map(|i| v[i * w..i * w + w].to_vec()).collect() };
        let c = cox_ph(mat(rev(&x, 2)).view(), &rev(&t, 1), &rev(&e, 1), &CoxOptions::default()).unwrap();
        for j in 0..2 {
            prop_assert!((a.coef[j] - b.coef[j]).abs() < 1e-7 * a.coef[j].abs().max(1.0));
            prop_assert!((a.coef[j] - c.coef[j]).abs() < 1e-9 * a.coef[j].abs().max(1.0));
            prop_assert!((a.se[j] - c.se[j]).abs() < 1e-9 * a.se[j].max(1.0));
        }
        prop_assert!((a.log_likelihood - b.log_likelihood).abs() < 1e-7 * a.log_likelihood.abs().max(1.0));
    }

    #[test]
    fn cohort_and_summary_match_brute_force(orders in prop::collection::vec((0u32..12, 0i64..400), 1..150)) {
        let cust: Vec<u32> = orders.iter().map(|o| o.0).collect();
        let day: Vec<i64> = orders.iter().map(|o| 20_000 + o.1).collect();
        let c = cohort_retention(&cust, &day, &CohortOptions::default()).unwrap();
        let end = *day.iter().max().unwrap();
        let mut first: BTreeMap<u32, i64> = BTreeMap::new();
        for (&k, &d) in cust.iter().zip(&day) {
            let f = first.entry(k).or_insert(d);
            *f = (*f).min(d);
        }
        let month = |d: i64| Period::Month.index(d);
        let mut cells: BTreeMap<(i64, i64), BTreeSet<u32>> = BTreeMap::new();
        for (&k, &d) in cust.iter().zip(&day) {
            let m0 = month(first[&k]);
            cells.entry((m0, month(d) - m0)).or_default().insert(k);
        }
        for (r, &m0) in c.cohort.iter().enumerate() {
            let size = first.values().filter(|&&f| month(f) == m0).count() as u64;
            prop_assert_eq!(c.size[r], size);
            for off in 0..c.n_offsets {
                let want = cells.get(&(m0, off as i64)).map_or(0, |s| s.len() as u64);
                prop_assert_eq!(c.active[r * c.n_offsets + off], want);
            }
        }
        // repurchase within 365 days among customers first seen >= 365 days before the end
        let (mut elig, mut rep) = (0u64, 0u64);
        for (&k, &f) in &first {
            if f + 365 <= end {
                elig += 1;
                if cust.iter().zip(&day).any(|(&k2, &d)| k2 == k && d > f && d <= f + 365) {
                    rep += 1;
                }
            }
        }
        prop_assert_eq!(c.repurchase_eligible.iter().sum::<u64>(), elig);
        prop_assert_eq!(c.repurchased.iter().sum::<u64>(), rep);

        let s = rfm_summary(&cust, &day, None, &SummaryOptions::default()).unwrap();
        for (i, &k) in s.customer.iter().enumerate() {
            let days: BTreeSet<i64> = cust.iter().zip(&day).filter(|(c2, _)| **c2 == k).map(|(_, d)| *d).collect();
            prop_assert_eq!(s.frequency[i], (days.len() - 1) as f64);
            prop_assert_eq!(s.recency[i], (days.last().unwrap() - days.first().unwrap()) as f64);
            prop_assert_eq!(s.t[i], (end - days.first().unwrap()) as f64);
            prop_assert!(s.recency[i] <= s.t[i]);
        }
    }
}
