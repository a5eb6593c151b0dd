//! Property tests of the segmentation: invariants that hold for any input.

// Tests report failure by panicking.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::needless_range_loop
)]

use ndarray::ArrayView2;
use proptest::prelude::*;
use voc_core::segment::{
    Algorithm, KMeansOptions, LifecycleOptions, ProfileInput, ProfileOptions, RfmOptions, Stage,
    ValueVoiceOptions, kmeans, kmeans_from, kmeans_plusplus, lifecycle, profile, quantile_scores,
    rfm, value_voice,
};

fn points(max_rows: usize, cols: usize) -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec(-50.0_f64..50.0, cols * 8..=cols * max_rows).prop_map(move |mut v| {
        v.truncate(v.len() / cols * cols);
        v
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Hamerly's bounds only skip work: labels, centres and iterations equal Lloyd's.
    #[test]
    fn hamerly_equals_lloyd(x in points(200, 3), k in 1_usize..6, seed in 0_u64..1000) {
        let p = ArrayView2::from_shape((x.len() / 3, 3), &x).unwrap();
        prop_assume!(p.nrows() >= k);
        let init = kmeans_plusplus(p, k, seed).unwrap();
        let opts = KMeansOptions::default().k(k);
        let h = kmeans_from(p, init.view(), &opts.clone().algorithm(Algorithm::Hamerly)).unwrap();
        let l = kmeans_from(p, init.view(), &opts.clone().algorithm(Algorithm::Lloyd)).unwrap();
        // The default (auto) is bit for bit the scheme it names.
        let a = kmeans_from(p, init.view(), &opts).unwrap();
        prop_assert_eq!(&a, if a.algorithm == Some(Algorithm::Lloyd) { &l } else { &h });
        prop_assert_eq!(&h.labels, &l.labels);
        prop_assert_eq!(h.iterations, l.iterations);
        prop_assert!((h.inertia - l.inertia).abs() <= 1e-9 * l.inertia.max(1.0));
        // every label is the nearest final centre (the Lloyd fixed point, up to the tolerance stop)
        prop_assert!(h.labels.iter().all(|&c| (c as usize) < k));
    }

    /// Same seed, same result; inertia equals Σ squared distances to the assigned centres.
    #[test]
    fn kmeans_is_seeded_and_inertia_is_consistent(x in points(120, 2), k in 1_usize..5, seed in 0_u64..50) {
        let p = ArrayView2::from_shape((x.len() / 2, 2), &x).unwrap();
        prop_assume!(p.nrows() >= k);
        let opts = KMeansOptions::default().k(k).n_init(2).seed(seed);
        let a = kmeans(p, &opts).unwrap();
        prop_assert_eq!(&a, &kmeans(p, &opts).unwrap());
        let direct: f64 = x.chunks_exact(2).zip(&a.labels).map(|(r, &l)| {
            let c = a.centers.row(l as usize);
            (r[0] - c[0]).powi(2) + (r[1] - c[1]).powi(2)
        }).sum();
        prop_assert!((direct - a.inertia).abs() <= 1e-9 * direct.max(1.0));
    }

    /// Quantile scores: bins hold ⌊m/q⌋ or ⌈m/q⌉ rows whatever the ties, and scores never fall as
    /// values rise.
    #[test]
    fn quantile_scores_are_even_and_monotone(v in prop::collection::vec(0_u8..6, 1..300), q in 2_u8..11) {
        let values: Vec<f64> = v.iter().map(|&x| f64::from(x)).collect();
        let s = quantile_scores(&values, q, false).unwrap();
        let m = values.len();
        if m > 1 {
            for b in 1..=q {
                let c = s.iter().filter(|&&x| x == Some(b)).count();
                let (lo, hi) = (m / q as usize, m.div_ceil(q as usize));
                prop_assert!(lo <= c && c <= hi, "bin {} holds {} of {}", b, c, m);
            }
        }
        for i in 0..m {
            for j in 0..m {
                if values[i] < values[j] {
                    prop_assert!(s[i] <= s[j]);
                }
            }
        }
    }

    /// RFM: a customer with a purchase gets scores in 1..=q, without one no scores and "No Purchases".
    #[test]
    fn rfm_scores_in_range(rows in prop::collection::vec((prop::option::of(0.0_f64..400.0), 1.0_f64..30.0, 0.0_f64..900.0), 0..200)) {
        let rec: Vec<f64> = rows.iter().map(|r| r.0.unwrap_or(f64::NAN)).collect();
        let fr: Vec<f64> = rows.iter().map(|r| r.1).collect();
        let mo: Vec<f64> = rows.iter().map(|r| r.2).collect();
        let out = rfm(&rec, &fr, &mo, &RfmOptions::default()).unwrap();
        for i in 0..rows.len() {
            if rec[i].is_nan() {
                prop_assert_eq!((out.r[i], out.f[i], out.m[i]), (None, None, None));
                prop_assert_eq!(out.segment_name(i), Some("No Purchases"));
            } else {
                let ok = |s: Option<u8>| s.is_some_and(|s| (1..=5).contains(&s));
                prop_assert!(ok(out.r[i]) && ok(out.f[i]) && ok(out.m[i]));
                prop_assert!(out.segment[i].is_some()); // the default grid covers every cell
            }
        }
    }

    /// Value × voice: segment = tier × voices + voice; tiers never fall as value rises; the profile's
    /// sizes, churners and revenue at risk add up to the totals.
    #[test]
    fn value_voice_and_profile_add_up(rows in prop::collection::vec((0.0_f64..1000.0, 0_u8..4, 0_u8..2, prop::option::of(0_u8..11), prop::bool::ANY), 1..200)) {
        let value: Vec<f64> = rows.iter().map(|r| r.0).collect();
        let tickets: Vec<f64> = rows.iter().map(|r| f64::from(r.1)).collect();
        let price: Vec<f64> = rows.iter().map(|r| f64::from(r.2)).collect();
        let nps: Vec<f64> = rows.iter().map(|r| r.3.map_or(f64::NAN, f64::from)).collect();
        let churn: Vec<f64> = rows.iter().map(|r| if r.4 { 1.0 } else { 0.0 }).collect();
        let cols = [("tickets_90d", &tickets[..]), ("theme_price", &price[..]), ("nps_last", &nps[..])];
        let vv = value_voice(&value, &cols, &ValueVoiceOptions::default()).unwrap();
        let nv = vv.voice_names.len() as u32;
        for i in 0..value.len() {
            prop_assert_eq!(vv.segment[i], vv.tier[i] * nv + vv.voice[i]);
            for j in 0..value.len() {
                if value[i] < value[j] {
                    prop_assert!(vv.tier[i] <= vv.tier[j]);
                }
            }
        }
        let input = ProfileInput { churn: Some(&churn), value: Some(&value), nps: Some(&nps),
                                   ..ProfileInput::new(&vv.segment, &vv.segment_names) };
        let p = profile(&input, &ProfileOptions::default()).unwrap();
        prop_assert_eq!(p.len(), vv.segment_names.len());
        prop_assert_eq!(p.iter().map(|r| r.size).sum::<u64>(), value.len() as u64);
        let churned: f64 = churn.iter().sum();
        prop_assert!((p.iter().map(|r| r.churned).sum::<f64>() - churned).abs() < 1e-9);
        let risk: f64 = value.iter().zip(&churn).map(|(v, c)| v * c).sum();
        prop_assert!((p.iter().map(|r| r.revenue_at_risk).sum::<f64>() - risk).abs() <= 1e-9 * risk.max(1.0));
        for r in &p {
            if let Some(ci) = r.churn_ci {
                prop_assert!(ci.low <= r.churn_rate && r.churn_rate <= ci.high);
            } else {
                prop_assert_eq!(r.size, 0);
            }
        }
    }

    /// Lifecycle: onboarding exactly when tenure is below the threshold.
    #[test]
    fn lifecycle_onboarding_by_tenure(rows in prop::collection::vec((0.0_f64..2000.0, prop::option::of(0.0_f64..800.0)), 0..100)) {
        let t: Vec<f64> = rows.iter().map(|r| r.0).collect();
        let a: Vec<f64> = rows.iter().map(|r| r.1.unwrap_or(f64::NAN)).collect();
        let s = lifecycle(&t, &a, &LifecycleOptions::default()).unwrap();
        for i in 0..t.len() {
            prop_assert_eq!(s[i] == Stage::Onboarding, t[i] < 90.0);
        }
    }
}
