//! Contingency tables, outcome ratios, effect measurement and sample sizes against scipy/statsmodels,
//! plus properties and the planted cause of the simulated retailer.
//!
//! The fixture `tests/data/impact_golden.json` is written by `scripts/golden/impact.py` (provenance in
//! its docstring and in `tests/data/README.md`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use ndarray::{Array2, ShapeBuilder, s};
use proptest::prelude::*;
use serde_json::Value;
use voc_core::impact::contingency::{
    Table2x2, TableOptions, ZeroCells, chi_square, fisher_exact, odds_ratio, risk_ratio, two_by_two,
};
use voc_core::impact::effect::{
    Design, DidOptions, DidSe, EffectOptions, PowerMethod, diff_in_diff, holdout,
    minimum_detectable_effect, rate_ratio, sample_size,
};
use voc_core::impact::outcome::{Measure, OutcomeOptions, Outcomes, class_ratio, outcome_by_class};
use voc_core::impact::roi::{RoiInputs, roi};
use voc_core::impact::theme::{ThemeOptions, theme_impact};
use voc_core::stats::{MeanSummary, TestOptions, mean_interval};

const FIXTURE: &str = include_str!("data/impact_golden.json");

/// A row-major table of `cols` columns.
fn table(cells: &[f64], cols: usize) -> Array2<f64> {
    Array2::from_shape_vec((cells.len() / cols, cols), cells.to_vec()).expect("whole rows")
}

fn golden() -> Value {
    serde_json::from_str(FIXTURE).expect("fixture parses")
}

fn f(v: &Value) -> f64 {
    v.as_f64().expect("number")
}

fn fs(v: &Value) -> Vec<f64> {
    v.as_array().expect("array").iter().map(f).collect()
}

#[track_caller]
fn close(a: f64, e: f64, tol: f64, what: &str) {
    let scale = e.abs().max(1e-300);
    assert!(
        (a - e).abs() <= tol * scale || (a - e).abs() <= 1e-300,
        "{what}: voc {a:e}, reference {e:e} (rel {:e})",
        (a - e).abs() / scale
    );
}

#[test]
fn two_by_two_tables_match_statsmodels_and_scipy() {
    let g = golden();
    for case in g["two_by_two"].as_array().expect("cases") {
        let t = fs(&case["table"]);
        let level = f(&case["level"]);
        let tab = Table2x2::new(t[0], t[1], t[2], t[3]).unwrap();
        let name = format!("{t:?} @ {level}");
        if let Some(rr) = case.get("rr") {
            let e = fs(rr);
            let r = risk_ratio(
                &tab,
                &TableOptions::default()
                    .confidence(level)
                    .zero_cells(ZeroCells::Error),
            )
            .unwrap();
            close(r.estimate, e[0], 1e-12, &format!("rr {name}"));
            close(r.ci.low, e[1], 1e-12, &format!("rr low {name}"));
            close(r.ci.high, e[2], 1e-12, &format!("rr high {name}"));
            close(r.log_se, e[3], 1e-12, &format!("rr se {name}"));
            let e = fs(&case["or"]);
            let o = odds_ratio(
                &tab,
                &TableOptions::default()
                    .confidence(level)
                    .zero_cells(ZeroCells::Error),
            )
            .unwrap();
            close(o.estimate, e[0], 1e-12, &format!("or {name}"));
            close(o.ci.low, e[1], 1e-12, &format!("or low {name}"));
            close(o.ci.high, e[2], 1e-12, &format!("or high {name}"));
            close(o.log_se, e[3], 1e-12, &format!("or se {name}"));
        } else {
            assert!(
                risk_ratio(
                    &tab,
                    &TableOptions::default()
                        .confidence(level)
                        .zero_cells(ZeroCells::Error)
                )
                .is_err(),
                "{name}"
            );
            assert!(
                odds_ratio(
                    &tab,
                    &TableOptions::default()
                        .confidence(level)
                        .zero_cells(ZeroCells::Error)
                )
                .is_err(),
                "{name}"
            );
            let e = fs(&case["rr_haldane"]);
            let r = risk_ratio(
                &tab,
                &TableOptions::default()
                    .confidence(level)
                    .zero_cells(ZeroCells::Haldane),
            )
            .unwrap();
            assert!(r.haldane);
            for (a, e) in [r.estimate, r.ci.low, r.ci.high].into_iter().zip(e) {
                close(a, e, 1e-12, &format!("rr haldane {name}"));
            }
            let e = fs(&case["or_haldane"]);
            let o = odds_ratio(
                &tab,
                &TableOptions::default()
                    .confidence(level)
                    .zero_cells(ZeroCells::Haldane),
            )
            .unwrap();
            for (a, e) in [o.estimate, o.ci.low, o.ci.high].into_iter().zip(e) {
                close(a, e, 1e-12, &format!("or haldane {name}"));
            }
        }
        let fisher = fisher_exact(&tab).unwrap();
        let fe = &case["fisher"];
        close(
            fisher.p_two_sided,
            f(&fe["two-sided"]),
            1e-12,
            &format!("fisher two {name}"),
        );
        close(
            fisher.p_less,
            f(&fe["less"]),
            1e-12,
            &format!("fisher less {name}"),
        );
        close(
            fisher.p_greater,
            f(&fe["greater"]),
            1e-12,
            &format!("fisher greater {name}"),
        );
        match fe["odds_ratio"].as_f64() {
            Some(or) => close(fisher.odds_ratio, or, 1e-15, &format!("fisher or {name}")),
            None => assert!(fisher.odds_ratio.is_infinite(), "{name}"),
        }
        if let Some(y) = case.get("chi2_yates") {
            let cells = [t[0], t[1], t[2], t[3]];
            for (key, yates) in [("chi2_yates", true), ("chi2_plain", false)] {
                let _ = y;
                let e = fs(&case[key]);
                let c = chi_square(table(&cells, 2).view(), yates).unwrap();
                close(c.statistic, e[0], 1e-12, &format!("{key} {name}"));
                close(c.p_value, e[1], 1e-11, &format!("{key} p {name}"));
            }
            let c = chi_square(table(&cells, 2).view(), true).unwrap();
            close(
                c.cramers_v,
                f(&case["cramers_v"]),
                1e-12,
                &format!("V {name}"),
            );
        }
        if let Some(rd) = case.get("rd") {
            let e = fs(rd);
            let r = two_by_two(
                &tab,
                &TableOptions::default()
                    .confidence(level)
                    .zero_cells(ZeroCells::Haldane),
            )
            .unwrap();
            close(
                r.risk_difference.difference,
                e[0],
                1e-12,
                &format!("rd {name}"),
            );
            close(
                r.risk_difference.ci.low,
                e[1],
                1e-12,
                &format!("rd low {name}"),
            );
            close(
                r.risk_difference.ci.high,
                e[2],
                1e-12,
                &format!("rd high {name}"),
            );
        }
    }
}

#[test]
fn r_by_c_chi_square_matches_scipy() {
    for case in golden()["rxc"].as_array().expect("cases") {
        let obs = fs(&case["observed"]);
        let cols = case["cols"].as_u64().expect("cols") as usize;
        let c = chi_square(table(&obs, cols).view(), true).unwrap();
        close(c.statistic, f(&case["statistic"]), 1e-12, "chi2");
        close(c.p_value, f(&case["p"]), 1e-11, "chi2 p");
        assert_eq!(c.df as u64, case["df"].as_u64().expect("df"));
        close(c.cramers_v, f(&case["cramers_v"]), 1e-12, "V");
        for (a, e) in c.expected.iter().zip(fs(&case["expected"])) {
            close(*a, e, 1e-13, "expected");
        }
    }
}

#[test]
fn holdout_matches_statsmodels_newcombe_and_ztest() {
    for case in golden()["holdout"].as_array().expect("cases") {
        let (t, c) = (fs(&case["t"]), fs(&case["c"]));
        let level = f(&case["level"]);
        let e = fs(&case["newcombe"]);
        let h = holdout(
            (t[0], t[1]),
            (c[0], c[1]),
            &EffectOptions::default().confidence(level),
        )
        .unwrap();
        close(h.difference, f(&case["diff"]), 1e-14, "diff");
        close(h.ci.low, e[0], 1e-12, "newcombe low");
        close(h.ci.high, e[1], 1e-12, "newcombe high");
        close(h.p_value, f(&case["p"]), 1e-12, "p");
        if t[0] == 0.0 {
            // A zero cell keeps the difference and its test; the ratio is Haldane-shifted (0.5 per cell).
            let rr = (0.5 / (t[1] + 1.0)) / ((c[0] + 0.5) / (c[1] + 1.0));
            let se =
                (1.0 / 0.5 - 1.0 / (t[1] + 1.0) + 1.0 / (c[0] + 0.5) - 1.0 / (c[1] + 1.0)).sqrt();
            let z = voc_core::stats::dist::normal_quantile(0.5 + level / 2.0);
            close(h.risk_ratio.estimate, rr, 1e-14, "haldane rr");
            close(
                h.risk_ratio.ci.high,
                rr * (z * se).exp(),
                1e-12,
                "haldane rr high",
            );
            close(h.relative_reduction, 1.0 - rr, 1e-14, "relative reduction");
        }
    }
}

#[test]
fn poisson_rate_ratio_matches_statsmodels() {
    for case in golden()["rate_ratio"].as_array().expect("cases") {
        let c = fs(&case["counts"]);
        let r = rate_ratio(c[0], c[1], c[2], c[3], &EffectOptions::default()).unwrap();
        close(r.ratio, f(&case["ratio"]), 1e-14, "ratio");
        let w = fs(&case["wald_log"]);
        close(r.ci.low, w[0], 1e-12, "wald-log low");
        close(r.ci.high, w[1], 1e-12, "wald-log high");
        close(r.p_value, f(&case["p_wald_log"]), 1e-10, "wald-log p");
        close(r.p_exact, f(&case["p_exact"]), 1e-10, "exact p");
        let x = fs(&case["exact_ci"]);
        // scipy finds the Clopper-Pearson bounds with brentq (xtol 2e-12).
        close(r.ci_exact.low, x[0], 1e-9, "exact low");
        close(r.ci_exact.high, x[1], 1e-9, "exact high");
    }
}

#[test]
fn difference_in_differences_matches_statsmodels_ols() {
    for case in golden()["did"].as_array().expect("cases") {
        let cells: Vec<MeanSummary> = case["cells"]
            .as_array()
            .expect("cells")
            .iter()
            .map(|c| {
                let v = fs(c);
                MeanSummary {
                    mean: v[0],
                    variance: v[1],
                    n: v[2],
                }
            })
            .collect();
        let cells: [MeanSummary; 4] = cells.try_into().expect("four cells");
        for (key, se) in [("pooled", DidSe::Pooled), ("hc1", DidSe::Hc1)] {
            let e = fs(&case[key]);
            let d = diff_in_diff(&cells, &DidOptions::default().se(se)).unwrap();
            close(d.difference, f(&case["estimate"]), 1e-10, "did");
            close(d.se, e[0], 1e-10, &format!("{key} se"));
            close(d.p_value, e[1], 1e-10, &format!("{key} p"));
            close(d.ci.low, e[2], 1e-10, &format!("{key} low"));
            close(d.ci.high, e[3], 1e-10, &format!("{key} high"));
        }
    }
}

#[test]
fn sample_sizes_match_statsmodels_power() {
    for case in golden()["sample_size"].as_array().expect("cases") {
        let (p1, p2) = (f(&case["p1"]), f(&case["p2"]));
        let mut d = Design::default()
            .alpha(f(&case["alpha"]))
            .power(f(&case["power"]))
            .ratio(f(&case["ratio"]))
            .method(PowerMethod::CohenH);
        let s = sample_size(p1, p2, &d).unwrap();
        close(s.effect_size, f(&case["h"]), 1e-14, "h");
        // statsmodels' root search stops near 1e-8; the closed-form parts are exact.
        close(s.n_treated, f(&case["n_cohen"]), 1e-6, "n cohen");
        d.method = PowerMethod::Classic;
        let s = sample_size(p1, p2, &d).unwrap();
        close(s.n_treated, f(&case["classic"]), 1e-12, "n classic");
    }
    for case in golden()["mde"].as_array().expect("cases") {
        let d = Design::default()
            .alpha(f(&case["alpha"]))
            .power(f(&case["power"]))
            .ratio(f(&case["ratio"]))
            .method(PowerMethod::CohenH);
        let m = minimum_detectable_effect(f(&case["p2"]), f(&case["n"]), &d).unwrap();
        close(m.effect_size.abs(), f(&case["h"]).abs(), 1e-6, "mde h");
    }
}

#[test]
fn class_ratio_matches_the_delta_method_in_numpy() {
    for case in golden()["class_ratio"].as_array().expect("cases") {
        let (a, b) = (fs(&case["a"]), fs(&case["b"]));
        let codes: Vec<u32> = a.iter().map(|_| 0).chain(b.iter().map(|_| 1)).collect();
        let spend: Vec<f64> = a.iter().chain(&b).copied().collect();
        let names = vec!["a".to_string(), "b".to_string()];
        let out = outcome_by_class(
            &codes,
            &names,
            Outcomes {
                spend: Some(&spend),
                ..Default::default()
            },
            &OutcomeOptions::default(),
        )
        .unwrap();
        let r = class_ratio(&out, Measure::Spend, "a", "b").unwrap();
        close(r.ratio, f(&case["ratio"]), 1e-12, "ratio");
        close(r.log_se, f(&case["log_se"]), 1e-10, "log se");
        let e = fs(&case["ci"]);
        close(r.ci.low, e[0], 1e-10, "ci low");
        close(r.ci.high, e[1], 1e-10, "ci high");
        let t = fs(&case["t_ci_a"]);
        let ci = out.classes[0].spend.and_then(|m| m.ci).expect("t interval");
        close(ci.low, t[0], 1e-10, "t low");
        close(ci.high, t[1], 1e-10, "t high");
        let s = out.classes[0].spend.expect("summary").summary;
        close(
            mean_interval(&s, &TestOptions::default()).unwrap().low,
            t[0],
            1e-10,
            "t reuse",
        );
    }
}

#[test]
fn refund_theme_tops_the_simulated_retailer() {
    use voc_core::sample::{RetailerOptions, retailer};
    use voc_core::signals::{DAY, FeatureOptions};
    let r = retailer(&RetailerOptions::default().customers(4_000)).unwrap();
    let log = r.event_log().unwrap();
    let cutoff = r.start + 365 * DAY;
    let x = log.features(&FeatureOptions::new(cutoff)).unwrap();
    let y = log.labels(cutoff, 180).unwrap();
    let churned: Vec<f64> = y.churned.iter().map(|&c| f64::from(u8::from(c))).collect();
    let value: Vec<f64> = x
        .column("monetary")
        .expect("monetary")
        .iter()
        .map(|v| if v.is_finite() { *v } else { 0.0 })
        .collect();
    let cols: Vec<(String, Vec<f64>)> = x
        .names
        .iter()
        .zip((0..x.cols()).filter_map(|j| x.column_at(j)))
        .filter(|(n, _)| n.starts_with("theme_") && n.as_str() != "theme_praise")
        .map(|(n, c)| (n.trim_start_matches("theme_").to_string(), c.to_vec()))
        .collect();
    assert!(cols.len() >= 5);
    let themes: Vec<&str> = cols.iter().map(|(n, _)| n.as_str()).collect();
    // Customers × themes, one contiguous column per theme (Fortran order).
    let flags = Array2::from_shape_vec(
        (churned.len(), cols.len()).f(),
        cols.iter().flat_map(|(_, c)| c.iter().copied()).collect(),
    )
    .unwrap();
    let out = theme_impact(
        &themes,
        flags.view(),
        &churned,
        Some(&value),
        &ThemeOptions::default(),
    )
    .unwrap();
    assert_eq!(
        out[0].theme,
        "refund",
        "{:?}",
        out.iter()
            .map(|t| (&t.theme, t.excess_revenue))
            .collect::<Vec<_>>()
    );
    let rr = out[0].risk_ratio.expect("rr");
    assert!(rr.ci.low > 1.0 && out[0].p_adjusted < 0.05, "{rr:?}");
    let unweighted = theme_impact(
        &themes,
        flags.view(),
        &churned,
        None,
        &ThemeOptions::default(),
    )
    .unwrap();
    assert_eq!(unweighted[0].theme, "refund");
}

proptest! {
    #[test]
    fn risk_ratio_interval_contains_the_estimate_and_swapping_inverts(
        a in 1u32..500, b in 1u32..500, c in 1u32..500, d in 1u32..500, level in 0.5f64..0.999,
    ) {
        let t = Table2x2::new(a.into(), b.into(), c.into(), d.into()).unwrap();
        let r = risk_ratio(&t, &TableOptions::default().confidence(level).zero_cells(ZeroCells::Error)).unwrap();
        prop_assert!(r.ci.low <= r.estimate && r.estimate <= r.ci.high);
        let s = risk_ratio(&t.swapped(), &TableOptions::default().confidence(level).zero_cells(ZeroCells::Error)).unwrap();
        prop_assert!((s.estimate * r.estimate - 1.0).abs() < 1e-12);
        prop_assert!((s.ci.low * r.ci.high - 1.0).abs() < 1e-9);
        let o = odds_ratio(&t, &TableOptions::default().confidence(level).zero_cells(ZeroCells::Error)).unwrap();
        prop_assert!(o.ci.low <= o.estimate && o.estimate <= o.ci.high);
    }

    #[test]
    fn fisher_p_values_are_probabilities_and_two_sided_is_at_least_one_sided(
        a in 0u32..200, b in 0u32..200, c in 0u32..200, d in 0u32..200,
    ) {
        let f = fisher_exact(&Table2x2::new(a.into(), b.into(), c.into(), d.into()).unwrap()).unwrap();
        for p in [f.p_two_sided, f.p_less, f.p_greater] {
            prop_assert!((0.0..=1.0).contains(&p));
        }
        prop_assert!(f.p_two_sided >= f.p_less.min(f.p_greater) - 1e-12);
        // The two one-sided tails overlap in the observed table, so they sum to at least 1.
        prop_assert!(f.p_less + f.p_greater >= 1.0 - 1e-12);
    }

    #[test]
    fn roi_grows_with_the_churn_reduction(
        d1 in 0.0f64..0.5, step in 0.0f64..0.5, customers in 1.0f64..1e6, clv in 1.0f64..1e4,
        cost in 1.0f64..1e7,
    ) {
        let base = RoiInputs::default().churn_reduction(d1).customers(customers).clv(clv).program_cost(cost);
        let more = base.churn_reduction(d1 + step);
        let (r1, r2) = (roi(&base).unwrap(), roi(&more).unwrap());
        prop_assert!(r2.net_benefit >= r1.net_benefit);
        prop_assert!(r2.roi.unwrap_or(0.0) >= r1.roi.unwrap_or(0.0));
    }

    #[test]
    fn holdout_interval_contains_the_difference(
        kt in 1u32..300, extra_t in 1u32..300, kc in 1u32..300, extra_c in 1u32..300,
    ) {
        let h = holdout((kt.into(), f64::from(kt + extra_t)), (kc.into(), f64::from(kc + extra_c)), &EffectOptions::default()).unwrap();
        prop_assert!(h.ci.low <= h.difference && h.difference <= h.ci.high);
        prop_assert!(h.relative_reduction_ci.low <= h.relative_reduction + 1e-12);
        prop_assert!((0.0..=1.0).contains(&h.p_value));
    }
}

#[test]
fn refund_ticket_volume_falls_after_the_simulated_fix() {
    use voc_core::sample::{RetailerOptions, retailer};
    use voc_core::signals::DAY;
    let r = retailer(&RetailerOptions::default().customers(4_000)).unwrap();
    let fix = r.planted.fix_day.expect("fix day") * DAY;
    let window = 90 * DAY;
    let count = |from: i64, to: i64| {
        r.tickets
            .time
            .iter()
            .zip(&r.tickets.theme)
            .filter(|&(&t, &th)| th == 0 && t >= from && t < to)
            .count() as f64
    };
    // Refund tickets lag the refund by weeks, so the "after" window starts 30 days after the fix.
    let before = count(fix - window, fix);
    let after = count(fix + 30 * DAY, fix + 30 * DAY + window);
    let v = rate_ratio(after, 90.0, before, 90.0, &EffectOptions::default()).unwrap();
    assert!(v.ci.high < 1.0 && v.p_exact < 1e-3, "{v:?}");
    assert!(v.ci_exact.contains(v.ratio));
}

proptest! {
    #[test]
    fn chi_square_p_and_cramers_v_are_bounded(cells in proptest::collection::vec(1u32..300, 6)) {
        let obs: Vec<f64> = cells.iter().map(|&c| f64::from(c)).collect();
        let c = chi_square(table(&obs, 3).view(), true).unwrap();
        prop_assert!((0.0..=1.0).contains(&c.p_value));
        prop_assert!((0.0..=1.0).contains(&c.cramers_v));
        prop_assert!(c.statistic >= 0.0 && c.df == 2);
    }
}

proptest! {
    /// Outcomes by class from states updated on any split of the rows, shipped as bytes and merged, equal
    /// the one-shot call: counts exactly, means and intervals to rounding.
    #[test]
    fn outcome_states_merge_to_the_one_shot_result(
        rows in prop::collection::vec((0u32..3, 0u8..2, 0.0f64..500.0), 2..200),
        cut in 0usize..200,
    ) {
        use voc_core::impact::outcome::OutcomeState;
        let names: Vec<String> = ["d", "p", "r"].iter().map(|s| s.to_string()).collect();
        let codes: Vec<u32> = rows.iter().map(|r| r.0).collect();
        let churn: Vec<f64> = rows.iter().map(|r| f64::from(r.1)).collect();
        let spend: Vec<f64> = rows.iter().map(|r| r.2).collect();
        let cut = cut.min(rows.len());
        let part = |lo: usize, hi: usize| -> OutcomeState {
            let mut s = OutcomeState::new(&names).unwrap();
            let o = Outcomes { churned: Some(&churn[lo..hi]), spend: Some(&spend[lo..hi]), ..Default::default() };
            s.update(&codes[lo..hi], o, Default::default()).unwrap();
            OutcomeState::from_bytes(&s.to_bytes()).unwrap()
        };
        let mut merged = part(0, cut);
        merged.merge(&part(cut, rows.len())).unwrap();
        let opts = OutcomeOptions::default();
        let got = merged.finish(&opts).unwrap();
        let o = Outcomes { churned: Some(&churn), spend: Some(&spend), ..Default::default() };
        let want = outcome_by_class(&codes, &names, o, &opts).unwrap();
        prop_assert_eq!(&got.churn_test, &want.churn_test);
        for (g, w) in got.classes.iter().zip(&want.classes) {
            prop_assert_eq!(g.n, w.n);
            prop_assert_eq!(g.churn, w.churn);
            match (g.spend, w.spend) {
                (Some(a), Some(b)) => {
                    prop_assert!((a.summary.mean - b.summary.mean).abs() <= 1e-9 * (1.0 + b.summary.mean.abs()));
                    let (va, vb) = (a.summary.variance, b.summary.variance);
                    prop_assert!(va.is_nan() && vb.is_nan() || (va - vb).abs() <= 1e-7 * (1.0 + vb.abs()));
                }
                (a, b) => prop_assert_eq!(a.is_some(), b.is_some()),
            }
        }
    }
}

#[test]
fn outcome_state_refuses_mismatches_and_keeps_its_counts() {
    use voc_core::impact::outcome::OutcomeState;
    let names = vec!["a".to_string(), "b".to_string()];
    let mut s = OutcomeState::new(&names).unwrap();
    s.update(
        &[0, 1],
        Outcomes {
            churned: Some(&[1.0, 0.0]),
            ..Default::default()
        },
        Default::default(),
    )
    .unwrap();
    let before = s.clone();
    // A bad value, an unknown class, other outcomes: errors, and nothing is lost.
    assert!(
        s.update(
            &[0],
            Outcomes {
                churned: Some(&[0.5]),
                ..Default::default()
            },
            Default::default()
        )
        .is_err()
    );
    assert!(
        s.update(
            &[7],
            Outcomes {
                churned: Some(&[1.0]),
                ..Default::default()
            },
            Default::default()
        )
        .is_err()
    );
    assert!(
        s.update(
            &[0],
            Outcomes {
                spend: Some(&[1.0]),
                ..Default::default()
            },
            Default::default()
        )
        .is_err()
    );
    assert_eq!(s, before);
    let mut other = OutcomeState::new(&names).unwrap();
    other
        .update(
            &[0],
            Outcomes {
                spend: Some(&[1.0]),
                ..Default::default()
            },
            Default::default(),
        )
        .unwrap();
    assert!(s.merge(&other).is_err());
    assert_eq!(s, before);
    // Corrupted bytes are a decode error.
    let mut bytes = s.to_bytes();
    bytes[10] ^= 1;
    assert!(OutcomeState::from_bytes(&bytes).is_err());
    for cut in 0..bytes.len() {
        assert!(OutcomeState::from_bytes(&s.to_bytes()[..cut]).is_err());
    }
}

#[test]
fn zero_one_columns_share_the_label_check() {
    use voc_core::Error;
    use voc_core::impact::effect::did_cells;
    use voc_core::impact::outcome::OutcomeState;
    let msg = |e: Error| e.to_string();
    // Outcomes: a churn of 2 is invalid, with the shared message.
    let names = vec!["a".to_string()];
    let mut s = OutcomeState::new(&names).unwrap();
    let e = s
        .update(
            &[0, 0],
            Outcomes::default().churned(&[1.0, 2.0]),
            Default::default(),
        )
        .unwrap_err();
    assert_eq!(msg(e), "churned[1] = 2 is invalid: labels must be 0 or 1");
    // Theme impact: NaN churn is missing, infinite churn non-finite.
    let flags = ndarray::array![[1.0], [0.0]];
    let opts = ThemeOptions::default();
    assert!(matches!(
        theme_impact(&["t"], flags.view(), &[1.0, f64::NAN], None, &opts),
        Err(Error::Missing { index: 1, .. })
    ));
    assert!(matches!(
        theme_impact(&["t"], flags.view(), &[f64::INFINITY, 0.0], None, &opts),
        Err(Error::NonFinite { index: 0, .. })
    ));
    // Difference-in-differences flags: NaN is missing, 0.5 invalid.
    let y = [1.0, 0.0, 1.0, 0.0];
    assert!(matches!(
        did_cells(&y, &[1.0, f64::NAN, 0.0, 0.0], &[0.0, 1.0, 0.0, 1.0]),
        Err(Error::Missing {
            arg: "treated",
            index: 1
        })
    ));
    let e = did_cells(&y, &[1.0, 1.0, 0.0, 0.0], &[0.0, 0.5, 0.0, 1.0]).unwrap_err();
    assert_eq!(msg(e), "after[1] = 0.5 is invalid: labels must be 0 or 1");
}

/// The chi-square test reads its table through the view: C-ordered, Fortran-ordered and strided (every
/// other row of a larger table) storage of the same counts give identical results.
#[test]
fn chi_square_is_the_same_for_every_memory_layout() {
    let cells = [
        12.0, 30.0, 7.0, 25.0, 18.0, 9.0, 40.0, 3.0, 11.0, 6.0, 21.0, 14.0,
    ];
    let (rows, cols) = (4, 3);
    let c_order = table(&cells, cols);
    let fortran = Array2::from_shape_vec((rows, cols).f(), {
        // Column-major storage of the same logical table.
        let mut v = Vec::with_capacity(cells.len());
        for j in 0..cols {
            for i in 0..rows {
                v.push(cells[i * cols + j]);
            }
        }
        v
    })
    .unwrap();
    assert_eq!(fortran, c_order);
    assert!(!fortran.is_standard_layout());
    let mut big = Array2::from_elem((2 * rows, cols), -1.0);
    for i in 0..rows {
        big.row_mut(2 * i).assign(&c_order.row(i));
    }
    let strided = big.slice(s![..;2, ..]);
    assert_eq!(strided, c_order);
    for yates in [true, false] {
        let want = chi_square(c_order.view(), yates).unwrap();
        assert_eq!(chi_square(fortran.view(), yates).unwrap(), want);
        assert_eq!(chi_square(strided, yates).unwrap(), want);
        assert_eq!(chi_square(c_order.t().t(), yates).unwrap(), want);
    }
    // A bad count is reported at its row-major position in every layout.
    let mut bad = c_order.clone();
    bad[[1, 2]] = -1.0;
    let f_bad = bad.t().as_standard_layout().into_owned();
    for v in [bad.view(), f_bad.t()] {
        assert!(matches!(
            chi_square(v, true),
            Err(voc_core::Error::InvalidValue { index: 5, .. })
        ));
    }
    assert!(chi_square(Array2::<f64>::zeros((0, 3)).view(), true).is_err());
}

/// Theme impact reads its customers × themes flags through the view: C-ordered, Fortran-ordered and
/// strided storage give identical results; a name per column and a row per customer are checked.
#[test]
fn theme_impact_is_the_same_for_every_memory_layout() {
    let (n, k) = (60, 3);
    let churned: Vec<f64> = (0..n)
        .map(|i: usize| f64::from(u8::from(i.is_multiple_of(3) || i.is_multiple_of(7))))
        .collect();
    let value: Vec<f64> = (0..n).map(|i| 10.0 + (i % 11) as f64).collect();
    let flag = |i: usize, j: usize| -> f64 {
        match j {
            0 => f64::from(u8::from(i.is_multiple_of(3) || i.is_multiple_of(5))),
            1 => (i % 4) as f64,
            _ => f64::from(u8::from(i % 2 == 1)),
        }
    };
    let c_order = Array2::from_shape_fn((n, k), |(i, j)| flag(i, j));
    let fortran = Array2::from_shape_fn((n, k).f(), |(i, j)| flag(i, j));
    assert!(!fortran.is_standard_layout() && fortran == c_order);
    let big = Array2::from_shape_fn(
        (2 * n, k),
        |(i, j)| if i % 2 == 0 { flag(i / 2, j) } else { -5.0 },
    );
    let strided = big.slice(s![..;2, ..]);
    assert_eq!(strided, c_order);
    let names = ["refund", "price", "delivery"];
    let opts = ThemeOptions::default();
    let want = theme_impact(&names, c_order.view(), &churned, Some(&value), &opts).unwrap();
    assert_eq!(want.len(), 3);
    for v in [fortran.view(), strided, c_order.t().t()] {
        assert_eq!(
            theme_impact(&names, v, &churned, Some(&value), &opts).unwrap(),
            want
        );
    }
    // The binding's in-place column path gives the same table.
    let cols: Vec<Vec<f64>> = (0..k).map(|j| c_order.column(j).to_vec()).collect();
    let named: Vec<(&str, &[f64])> = names.iter().zip(&cols).map(|(n, c)| (*n, &c[..])).collect();
    let by_columns =
        voc_core::impact::theme::theme_impact_columns(&named, &churned, Some(&value), &opts);
    assert_eq!(by_columns.unwrap(), want);
    // One name per column, one row per customer.
    assert!(matches!(
        theme_impact(&names[..2], c_order.view(), &churned, None, &opts),
        Err(voc_core::Error::LengthMismatch { .. })
    ));
    assert!(matches!(
        theme_impact(&names, c_order.view(), &churned[1..], None, &opts),
        Err(voc_core::Error::LengthMismatch { .. })
    ));
}

#[test]
fn theme_impact_defaults_to_zero_cells_error_and_never_fills_nan() {
    use voc_core::Error;
    use voc_core::impact::contingency::ZeroCells;
    let flags = ndarray::array![
        [1.0, 1.0],
        [0.0, 1.0],
        [0.0, 1.0],
        [0.0, 0.0],
        [0.0, 0.0],
        [0.0, 0.0]
    ];
    let churned = [0.0, 1.0, 1.0, 0.0, 1.0, 0.0];
    assert_eq!(ThemeOptions::default().zero_cells, ZeroCells::Error);
    let out = theme_impact(
        &["rare", "common"],
        flags.view(),
        &churned,
        None,
        &ThemeOptions::default(),
    )
    .unwrap();
    let rare = out.iter().find(|t| t.theme == "rare").unwrap();
    let common = out.iter().find(|t| t.theme == "common").unwrap();
    // The rare theme's table has an empty cell: no risk ratio, and the rest of the table stands.
    assert!(rare.risk_ratio.is_none() && common.risk_ratio.is_some());
    let haldane = ThemeOptions::default().zero_cells(ZeroCells::Haldane);
    let out = theme_impact(&["rare", "common"], flags.view(), &churned, None, &haldane).unwrap();
    assert!(out.iter().all(|t| t.risk_ratio.is_some()));
    // A NaN value or flag is a missing value, not 0.
    let value = [1.0, 2.0, f64::NAN, 1.0, 1.0, 1.0];
    let err = theme_impact(
        &["rare", "common"],
        flags.view(),
        &churned,
        Some(&value),
        &ThemeOptions::default(),
    );
    assert!(matches!(
        err,
        Err(Error::Missing {
            arg: "value",
            index: 2
        })
    ));
    let mut holes = flags.clone();
    holes[[4, 1]] = f64::NAN;
    let err = theme_impact(
        &["rare", "common"],
        holes.view(),
        &churned,
        None,
        &ThemeOptions::default(),
    );
    assert!(matches!(
        err,
        Err(Error::Missing {
            arg: "themes",
            index: 4
        })
    ));
}
