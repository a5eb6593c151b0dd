//! Loop metrics: the case clocks against a direct Kaplan–Meier fit, SLA and coverage counts against
//! a row-by-row count, merge of any split equal to the whole, `loop_metrics` straight from the columns
//! equal to the state, and bad rows named.

use super::*;
use crate::State;
use crate::retention::{KmOptions, kaplan_meier};
use crate::signals::{Customers, EventLog, Ids, RowPolicy};
use crate::stats::{IntervalOptions, proportion_interval};
use crate::time::NAT;
use proptest::prelude::*;

const H: i64 = 3600;

/// A case: group, opened, contact delay (hours, None: none), close delay after opening (None: open).
type Row = (u32, i64, Option<i64>, Option<i64>);

fn columns(rows: &[Row]) -> (Vec<u32>, Vec<i64>, Vec<i64>, Vec<i64>) {
    let codes = rows.iter().map(|r| r.0).collect();
    let opened = rows.iter().map(|r| r.1 * H).collect();
    let contacted = rows
        .iter()
        .map(|r| r.2.map_or(NAT, |d| (r.1 + d) * H))
        .collect();
    let closed = rows
        .iter()
        .map(|r| match (r.2, r.3) {
            (Some(c), Some(z)) => (r.1 + c.max(z)) * H,
            (None, Some(z)) => (r.1 + z) * H,
            (_, None) => NAT,
        })
        .collect();
    (codes, opened, contacted, closed)
}

fn state_of(rows: &[Row], groups: usize, as_of: i64) -> LoopState {
    let names: Vec<String> = (0..groups).map(|g| format!("g{g}")).collect();
    let mut s = LoopState::new(&names).unwrap_or_else(|e| panic!("{e}"));
    let (codes, opened, contacted, closed) = columns(rows);
    s.update(LoopBatch::Cases(CaseBatch::new(
        &codes, &opened, &contacted, &closed, as_of,
    )))
    .unwrap_or_else(|e| panic!("{e}"));
    s
}

fn rows_strategy() -> impl Strategy<Value = Vec<Row>> {
    prop::collection::vec(
        (
            0u32..3,
            0i64..500,
            prop::option::of(0i64..120),
            prop::option::of(0i64..200),
        ),
        1..60,
    )
}

#[test]
fn clocks_equal_a_direct_kaplan_meier_fit() -> crate::Result<()> {
    let rows: Vec<Row> = vec![
        (0, 0, Some(2), Some(10)),
        (0, 5, Some(50), None),
        (0, 7, None, Some(3)), // closed without contact: censored at 3 h for contact
        (0, 9, None, None),    // open: censored at as_of
        (0, 1, Some(2), Some(2)),
    ];
    let as_of = 1000;
    let s = state_of(&rows, 1, as_of * H);
    let m = s.finish(&LoopOptions::default())?;
    let g = &m.groups[0];
    let km = kaplan_meier(
        &[2.0, 50.0, 3.0, 991.0, 2.0],
        &[1.0, 1.0, 0.0, 0.0, 1.0],
        None,
        &KmOptions::default(),
    )?;
    assert_eq!(g.time_to_contact.as_ref(), Some(&km.curves[0]));
    let close = kaplan_meier(
        &[10.0, 995.0, 3.0, 991.0, 2.0],
        &[1.0, 0.0, 1.0, 0.0, 1.0],
        None,
        &KmOptions::default(),
    )?;
    assert_eq!(g.time_to_close.as_ref(), Some(&close.curves[0]));
    // SLA 48 h: met by the two 2 h contacts; missed by the 50 h one, the never-contacted closed one
    // and the open one (991 h > 48 h).
    let sla = g.sla.ok_or(crate::Error::Incompatible("no sla".into()))?;
    assert_eq!((sla.successes, sla.n, g.sla_pending), (2.0, 5.0, 0));
    let ci = proportion_interval(2.0, 5.0, &IntervalOptions::default())?;
    assert_eq!((sla.ci.low, sla.ci.high), (ci.low, ci.high));
    assert_eq!(g.contact_percentiles[0].hours, km.curves[0].median);
    assert_eq!(
        (g.contact_percentiles[0].low, g.contact_percentiles[0].high),
        (km.curves[0].median_low, km.curves[0].median_high)
    );
    Ok(())
}

#[test]
fn an_open_case_not_yet_past_the_sla_is_pending() -> crate::Result<()> {
    let s = state_of(&[(0, 0, None, None), (0, 0, Some(1), None)], 1, 10 * H);
    let g = &s.finish(&LoopOptions::default())?.groups[0];
    assert_eq!(g.sla_pending, 1);
    assert_eq!(g.sla.map(|s| (s.successes, s.n)), Some((1.0, 1.0)));
    Ok(())
}

#[test]
fn coverage_counts_triggers_with_a_case_and_contacts_within_the_sla() -> crate::Result<()> {
    let mut s = LoopState::new(&["all".to_string()])?;
    let t = [0, 0, 0, 100 * H];
    let has = [true, true, false, false];
    let contacted = [10 * H, 90 * H, NAT, NAT];
    s.update(LoopBatch::Triggers(TriggerBatch::new(
        &[0; 4],
        &t,
        &has,
        &contacted,
        120 * H,
    )))?;
    let g = &s.finish(&LoopOptions::default())?.groups[0];
    assert_eq!(g.coverage.map(|c| (c.successes, c.n)), Some((2.0, 4.0)));
    // Due: 10 h (met), 90 h (late), no case for 120 h (missed); the last trigger is 20 h old: pending.
    assert_eq!(
        g.coverage_in_sla.map(|c| (c.successes, c.n)),
        Some((1.0, 3.0))
    );
    Ok(())
}

#[test]
fn bad_rows_are_named_by_column_and_row() -> crate::Result<()> {
    let mut s = LoopState::new(&["a".to_string()])?;
    let before = s.clone();
    let e = s
        .update(LoopBatch::Cases(CaseBatch::new(
            &[0, 0],
            &[0, 10 * H],
            &[H, 5 * H],
            &[NAT, NAT],
            20 * H,
        )))
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "contacted[1] = 18000 is invalid: the first contact is before the case was opened"
    );
    let e = s
        .update(LoopBatch::Cases(CaseBatch::new(
            &[0],
            &[0],
            &[5 * H],
            &[2 * H],
            20 * H,
        )))
        .unwrap_err();
    assert!(
        e.to_string().contains("closed before its first contact"),
        "{e}"
    );
    let e = s
        .update(LoopBatch::Cases(CaseBatch::new(
            &[1],
            &[0],
            &[NAT],
            &[NAT],
            H,
        )))
        .unwrap_err();
    assert!(e.to_string().starts_with("codes[0]"), "{e}");
    let e = s
        .update(LoopBatch::Cases(CaseBatch::new(
            &[0],
            &[5 * H],
            &[NAT],
            &[NAT],
            H,
        )))
        .unwrap_err();
    assert!(e.to_string().contains("after as_of"), "{e}");
    let e = s
        .update(LoopBatch::Cases(CaseBatch::new(
            &[0],
            &[0, 1],
            &[NAT],
            &[NAT],
            H,
        )))
        .unwrap_err();
    assert!(e.to_string().contains("opened"), "{e}");
    assert_eq!(s, before, "a failed update changes nothing");
    assert!(LoopState::new(&[]).is_err());
    assert!(LoopState::new(&["a".into(), "a".into()]).is_err());
    Ok(())
}

#[test]
fn case_log_joins_customers_and_names_bad_rows() -> crate::Result<()> {
    let log = EventLog::builder(Customers {
        id: Ids::Int(&[1, 2, 3]),
        signup: &[0, 0, 0],
    })?
    .build();
    let cases = |opened: &'static [i64], contacted: &'static [i64], closed: &'static [i64]| Cases {
        customer: Ids::Int(&[3, 1]),
        trigger: &[Trigger::Detractor, Trigger::Social],
        opened,
        contacted,
        closed,
        team: Some(&[0, 1]),
        action: None,
        outcome: None,
        cost: Some(&[5.0, f64::NAN]),
    };
    let ok = CaseLog::new(
        &log,
        cases(&[0, 0], &[H, NAT], &[2 * H, NAT]),
        RowPolicy::Error,
    )?;
    assert_eq!(ok.customer_rows(), &[2, 0]);
    assert_eq!(ok.team(), Some(&[0, 1][..]));
    let e = CaseLog::new(
        &log,
        cases(&[0, 0], &[H, NAT], &[NAT, -H]),
        RowPolicy::Error,
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "cases.closed[1] = -3600 is invalid: the case was closed before it was opened"
    );
    let skipped = CaseLog::new(&log, cases(&[0, 0], &[H, NAT], &[NAT, -H]), RowPolicy::Skip)?;
    assert_eq!(skipped.input_rows(), &[0]);
    assert_eq!(skipped.skipped()[0].first, 1);
    let mut bad_cost = cases(&[0, 0], &[NAT, NAT], &[NAT, NAT]);
    bad_cost.cost = Some(&[-1.0, 0.0]);
    let e = CaseLog::new(&log, bad_cost, RowPolicy::Error).unwrap_err();
    assert!(e.to_string().starts_with("cases.cost[0]"), "{e}");
    let mut short = cases(&[0, 0], &[NAT, NAT], &[NAT, NAT]);
    short.team = Some(&[0]);
    assert!(CaseLog::new(&log, short, RowPolicy::Skip).is_err());
    Ok(())
}

#[test]
fn decoding_rejects_every_flip_and_cut() -> crate::Result<()> {
    let s = state_of(&[(0, 0, Some(2), Some(10)), (1, 3, None, None)], 2, 100 * H);
    let b = s.to_bytes();
    assert_eq!(LoopState::from_bytes(&b)?, s);
    for i in 0..b.len() * 8 {
        let mut c = b.clone();
        c[i / 8] ^= 1 << (i % 8);
        assert!(LoopState::from_bytes(&c).is_err(), "bit {i}");
    }
    for n in 0..b.len() {
        assert!(LoopState::from_bytes(&b[..n]).is_err(), "{n}");
    }
    Ok(())
}

proptest! {
    #[test]
    fn merge_of_any_split_equals_the_whole(rows in rows_strategy(), cut in 0usize..60, as_of in 700i64..900) {
        let cut = cut.min(rows.len());
        let whole = state_of(&rows, 3, as_of * H);
        let mut a = state_of(&rows[..cut], 3, as_of * H);
        let b = state_of(&rows[cut..], 3, as_of * H);
        // Merge in either order, through the byte form.
        let mut ba = LoopState::from_bytes(&b.to_bytes()).unwrap_or_else(|e| panic!("{e}"));
        ba.merge(&a).unwrap_or_else(|e| panic!("{e}"));
        a.merge(&b).unwrap_or_else(|e| panic!("{e}"));
        let o = LoopOptions::default();
        let want = whole.finish(&o).unwrap_or_else(|e| panic!("{e}"));
        prop_assert_eq!(&a.finish(&o).unwrap_or_else(|e| panic!("{e}")), &want);
        prop_assert_eq!(&ba.finish(&o).unwrap_or_else(|e| panic!("{e}")), &want);
        let empty = whole.empty_like();
        let mut w2 = whole.clone();
        w2.merge(&empty).unwrap_or_else(|e| panic!("{e}"));
        prop_assert_eq!(w2, whole);
    }

    #[test]
    fn sla_counts_match_a_row_by_row_count(rows in rows_strategy(), sla in 1i64..100) {
        let as_of = 800;
        let s = state_of(&rows, 3, as_of * H);
        let m = s.finish(&LoopOptions::default().sla_hours(sla as f64)).unwrap_or_else(|e| panic!("{e}"));
        for (g, out) in m.groups.iter().enumerate() {
            let mine: Vec<&Row> = rows.iter().filter(|r| r.0 as usize == g).collect();
            let met = mine.iter().filter(|r| r.2.is_some_and(|d| d <= sla)).count() as f64;
            let pending = mine
                .iter()
                .filter(|r| r.2.is_none() && r.3.is_none() && as_of - r.1 <= sla)
                .count() as u64;
            let due = mine.len() as f64 - pending as f64;
            prop_assert_eq!(out.cases, mine.len() as u64);
            prop_assert_eq!(out.sla_pending, pending);
            prop_assert_eq!(out.sla.map(|s| (s.successes, s.n)), (due > 0.0).then_some((met, due)));
        }
    }
}

#[test]
fn loop_metrics_skips_missing_rows_and_names_the_callers_row() -> crate::Result<()> {
    use crate::MissingPolicy;
    let names = ["a".to_string(), "b".to_string()];
    let input = LoopInput {
        groups: &[MISSING_GROUP, 0, 1, 0],
        opened: &[0, NAT, 10 * H, 0],
        contacted: &[H, H, 5 * H, 3 * H],
        closed: &[NAT, NAT, NAT, NAT],
        as_of: None,
    };
    let o = LoopOptions::default();
    // Under "error" the first missing value is named; under "skip" the rule break at row 2 is still
    // an error, named by the caller's row (not the row among the kept ones).
    let e = loop_metrics(&names, input, MissingPolicy::Error, None, &o).unwrap_err();
    assert!(e.to_string().starts_with("groups[0] is missing "), "{e}");
    let e = loop_metrics(&names, input, MissingPolicy::Skip, None, &o).unwrap_err();
    assert_eq!(
        e.to_string(),
        "contacted[2] = 18000 is invalid: the first contact is before the case was opened"
    );
    let ok = LoopInput {
        contacted: &[H, H, 12 * H, 3 * H],
        ..input
    };
    let r = loop_metrics(&names, ok, MissingPolicy::Skip, None, &o)?;
    assert_eq!(r.n_missing, 2);
    let reasons: Vec<(&str, u64, usize)> = r
        .skipped
        .iter()
        .map(|s| (s.reason.as_str(), s.rows, s.first))
        .collect();
    assert_eq!(
        reasons,
        [("groups is missing", 1, 0), ("opened is missing", 1, 1)]
    );
    assert_eq!(r.as_of, 12 * H, "the latest time of the kept rows");
    assert_eq!(
        r.metrics.groups.iter().map(|g| g.cases).collect::<Vec<_>>(),
        [1, 1]
    );
    // The same numbers as the state fed with the kept rows.
    let mut s = LoopState::new(&names)?;
    s.update(LoopBatch::Cases(CaseBatch::new(
        &[1, 0],
        &[10 * H, 0],
        &[12 * H, 3 * H],
        &[NAT, NAT],
        12 * H,
    )))?;
    assert_eq!(s.finish(&o)?, r.metrics);
    Ok(())
}

proptest! {
    #[test]
    fn sla_trend_counts_match_a_row_by_row_count(rows in rows_strategy(), sla in 1i64..100) {
        use crate::MissingPolicy;
        use crate::time::Period;
        // Opening days spread over several weeks.
        let rows: Vec<Row> = rows.iter().map(|r| (r.0, r.1 * 7, r.2, r.3)).collect();
        let as_of = 5000;
        let (codes, opened, contacted, closed) = columns(&rows);
        let names: Vec<String> = (0..3).map(|g| format!("g{g}")).collect();
        let o = LoopOptions::default().sla_hours(sla as f64);
        let input = LoopInput { groups: &codes, opened: &opened, contacted: &contacted, closed: &closed, as_of: Some(as_of * H) };
        let r = loop_metrics(&names, input, MissingPolicy::Error, Some(Period::Week), &o)
            .unwrap_or_else(|e| panic!("{e}"));
        let trend = r.trend.unwrap_or_default();
        let mut want = std::collections::BTreeMap::new();
        for row in &rows {
            let pending = row.2.is_none() && row.3.is_none() && as_of - row.1 <= sla;
            if pending {
                continue;
            }
            let met = row.2.is_some_and(|d| d <= sla);
            let week = Period::Week.index((row.1 * H).div_euclid(86_400));
            let e = want.entry((row.0, week)).or_insert((0.0, 0.0));
            e.0 += f64::from(u8::from(met));
            e.1 += 1.0;
        }
        let got: std::collections::BTreeMap<(u32, i64), (f64, f64)> = trend
            .iter()
            .map(|t| ((t.group, t.period), (t.rate.successes, t.rate.n)))
            .collect();
        prop_assert_eq!(got, want);
        // Every test has a Holm-adjusted p-value at or above its own.
        for t in &trend {
            if let Some(c) = &t.change {
                prop_assert!(t.p_adjusted.is_some_and(|p| p >= c.p_value));
            }
        }
        // Summed over periods, the trend's counts are the SLA counts of the whole.
        for (g, out) in r.metrics.groups.iter().enumerate() {
            let (k, n) = trend.iter().filter(|t| t.group as usize == g)
                .fold((0.0, 0.0), |a, t| (a.0 + t.rate.successes, a.1 + t.rate.n));
            prop_assert_eq!(out.sla.map_or((0.0, 0.0), |s| (s.successes, s.n)), (k, n));
        }
    }
}

#[test]
fn coverage_reads_missing_and_bad_flags() -> crate::Result<()> {
    use crate::MissingPolicy;
    let names = ["all".to_string()];
    let t = TriggerInput {
        groups: &[0, 0, 0, 0],
        time: &[0, NAT, 0, 100 * H],
        has_case: &[1.0, 1.0, f64::NAN, 0.0],
        contacted: &[10 * H, NAT, NAT, NAT],
        as_of: None,
    };
    let o = LoopOptions::default();
    let e = coverage(&names, t, MissingPolicy::Error, &o).unwrap_err();
    assert!(e.to_string().starts_with("time[1] is missing "), "{e}");
    let r = coverage(&names, t, MissingPolicy::Skip, &o)?;
    assert_eq!((r.n_missing, r.as_of), (2, 100 * H));
    let g = &r.groups[0];
    assert_eq!(g.coverage.map(|s| (s.successes, s.n)), Some((1.0, 2.0)));
    assert_eq!(g.in_sla.map(|s| (s.successes, s.n)), Some((1.0, 1.0)));
    assert_eq!(g.pending, 1);
    let bad = TriggerInput {
        has_case: &[1.0, 2.0, 0.0, 0.0],
        time: &[0, 0, 0, 0],
        ..t
    };
    let e = coverage(&names, bad, MissingPolicy::Skip, &o).unwrap_err();
    assert!(e.to_string().starts_with("has_case[1] = 2"), "{e}");
    let contact_without_case = TriggerInput {
        has_case: &[1.0, 1.0, 0.0, 0.0],
        time: &[0, 0, 0, 0],
        contacted: &[NAT, NAT, NAT, H],
        ..t
    };
    let e = coverage(&names, contact_without_case, MissingPolicy::Error, &o).unwrap_err();
    assert!(e.to_string().starts_with("contacted[3]"), "{e}");
    Ok(())
}

/// Opened, done, outcome, covariate and holdout columns.
type OutcomeColumns = (Vec<i64>, Vec<i64>, Vec<f64>, Vec<f64>, Vec<f64>);

/// Customers with a covariate that drives both fast closing and churn.
fn outcome_data(n: usize) -> OutcomeColumns {
    let (mut opened, mut done, mut y, mut x, mut hold) = (vec![], vec![], vec![], vec![], vec![]);
    let mut s: u64 = 7;
    let mut unif = || {
        s = s
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (s >> 11) as f64 / (1u64 << 53) as f64
    };
    for _ in 0..n {
        let v = unif() * 4.0 - 2.0;
        let held = unif() < 0.2;
        let u = unif();
        let p_fast = 1.0 / (1.0 + (-v).exp());
        let (o, d) = if held {
            (NAT, NAT)
        } else if u < 0.15 {
            (0, NAT)
        } else if unif() < p_fast {
            (0, 10 * H)
        } else {
            (0, 100 * H)
        };
        let p_churn = 1.0 / (1.0 + (0.5 + 0.8 * v).exp());
        y.push(f64::from(u8::from(unif() < p_churn)));
        opened.push(o);
        done.push(d);
        x.push(v);
        hold.push(f64::from(u8::from(held)));
    }
    (opened, done, y, x, hold)
}

#[test]
fn ipw_equals_a_direct_hajek_computation_with_the_fitted_propensity() -> crate::Result<()> {
    use crate::MissingPolicy;
    use crate::risk::{LogisticOptions, Penalty, RiskData};
    use crate::{Fit, Predict};
    use ndarray::Array2;
    let (opened, done, y, x, hold) = outcome_data(600);
    let xm = Array2::from_shape_vec((x.len(), 1), x.clone()).unwrap_or_else(|e| panic!("{e}"));
    let names = ["v".to_string()];
    let input = OutcomeInput {
        opened: &opened,
        done: &done,
        outcome: &y,
        covariates: Some(xm.view()),
        names: &names,
        holdout: Some(&hold),
    };
    let r = sla_outcomes(input, MissingPolicy::Error, &OutcomeOptions::default())?;
    let c = &r.comparisons[0];
    assert_eq!((c.class, c.reference), (SlaClass::Within, SlaClass::Never));
    // Direct: fit on within ∪ never, weights 1/e and 1/(1 − e), normalised means.
    let class: Vec<SlaClass> = (0..y.len())
        .map(|i| match (opened[i], done[i]) {
            (_, NAT) => SlaClass::Never,
            (o, d) if d - o <= 48 * H => SlaClass::Within,
            _ => SlaClass::Later,
        })
        .collect();
    let pick: Vec<usize> = (0..y.len())
        .filter(|&i| class[i] != SlaClass::Later)
        .collect();
    let t: Vec<f64> = pick
        .iter()
        .map(|&i| f64::from(u8::from(class[i] == SlaClass::Within)))
        .collect();
    let xs = Array2::from_shape_vec((pick.len(), 1), pick.iter().map(|&i| x[i]).collect())
        .unwrap_or_else(|e| panic!("{e}"));
    let m = LogisticOptions::default()
        .penalty(Penalty::None)
        .fit(RiskData::new(xs.view(), &t))?;
    let e = m.predict(xs.view())?;
    let (mut a, mut b, mut c1, mut d) = (0.0, 0.0, 0.0, 0.0);
    for (k, &i) in pick.iter().enumerate() {
        if t[k] == 1.0 {
            a += y[i] / e[k];
            b += 1.0 / e[k];
        } else {
            c1 += y[i] / (1.0 - e[k]);
            d += 1.0 / (1.0 - e[k]);
        }
    }
    let want = a / b - c1 / d;
    assert!((c.estimate - want).abs() < 1e-12, "{} {}", c.estimate, want);
    assert!(c.se > 0.0 && c.ci.low < c.estimate && c.estimate < c.ci.high);
    // The covariate is imbalanced before weighting and balanced after.
    let bal = &c.balance[0];
    assert!(bal.before.is_some_and(|v| v.abs() > 0.2), "{bal:?}");
    assert!(bal.after.is_some_and(|v| v.abs() < 0.05), "{bal:?}");
    // The holdout estimate is impact::holdout on the eligible against the held out.
    let h = r
        .holdout
        .ok_or(crate::Error::Incompatible("no holdout".into()))?;
    let count = |held: bool| {
        let sel: Vec<usize> = (0..y.len()).filter(|&i| (hold[i] == 1.0) == held).collect();
        (
            sel.iter().filter(|&&i| y[i] == 1.0).count() as f64,
            sel.len() as f64,
        )
    };
    let want = crate::impact::effect::holdout(
        count(false),
        count(true),
        &crate::impact::effect::EffectOptions::default(),
    )?;
    assert_eq!(
        (h.estimate, h.ci, h.p_value),
        (want.difference, want.ci, want.p_value)
    );
    Ok(())
}

#[test]
fn outcomes_without_covariates_are_the_difference_of_means_and_bad_rows_are_named()
-> crate::Result<()> {
    use crate::MissingPolicy;
    let opened = [0, 0, 0, NAT, NAT];
    let done = [H, 100 * H, NAT, NAT, NAT];
    let y = [10.0, 4.0, f64::NAN, 1.0, 3.0];
    let input = OutcomeInput {
        opened: &opened,
        done: &done,
        outcome: &y,
        covariates: None,
        names: &[],
        holdout: None,
    };
    let e = sla_outcomes(input, MissingPolicy::Error, &OutcomeOptions::default()).unwrap_err();
    assert!(e.to_string().starts_with("outcome[2] is missing "), "{e}");
    let r = sla_outcomes(input, MissingPolicy::Skip, &OutcomeOptions::default())?;
    assert_eq!((r.n, r.n_missing, r.binary), (4, 1, false));
    let w = &r.comparisons[0];
    assert_eq!((w.estimate, w.difference), (8.0, 8.0));
    let later = &r.comparisons[1];
    assert_eq!(later.estimate, 2.0);
    let bad = OutcomeInput {
        done: &[H, 100 * H, NAT, NAT, -H],
        outcome: &[1.0; 5],
        ..input
    };
    let e = sla_outcomes(bad, MissingPolicy::Skip, &OutcomeOptions::default()).unwrap_err();
    assert!(e.to_string().starts_with("done[4]"), "{e}");
    let held_with_case = OutcomeInput {
        holdout: Some(&[1.0, 0.0, 0.0, 0.0, 1.0]),
        outcome: &[1.0; 5],
        ..input
    };
    let e = sla_outcomes(
        held_with_case,
        MissingPolicy::Skip,
        &OutcomeOptions::default(),
    )
    .unwrap_err();
    assert!(e.to_string().starts_with("opened[0]"), "{e}");
    Ok(())
}

/// Case columns at second resolution from `(group, opened, contact delay, close delay)` rows (seconds;
/// the close delay counts from the contact when there is one), delays scaled by `scale`, and `as_of`
/// `extra` seconds after the latest time.
fn second_columns(
    rows: &[(u32, i64, Option<i64>, Option<i64>)],
    scale: i64,
    extra: i64,
) -> (Vec<u32>, Vec<i64>, Vec<i64>, Vec<i64>, i64) {
    let codes = rows.iter().map(|r| r.0).collect();
    let opened: Vec<i64> = rows.iter().map(|r| r.1).collect();
    let contacted: Vec<i64> = rows
        .iter()
        .map(|r| r.2.map_or(NAT, |c| r.1 + c * scale))
        .collect();
    let closed: Vec<i64> = rows
        .iter()
        .map(|r| r.3.map_or(NAT, |z| r.1 + (r.2.unwrap_or(0) + z) * scale))
        .collect();
    let as_of = [&opened, &contacted, &closed]
        .iter()
        .flat_map(|c| c.iter().copied())
        .filter(|&t| t != NAT)
        .max()
        .unwrap_or(0)
        + extra;
    (codes, opened, contacted, closed, as_of)
}

/// `loop_metrics` (straight from the columns) against a state fed the same cases.
fn direct_equals_state(
    rows: &[(u32, i64, Option<i64>, Option<i64>)],
    scale: i64,
    extra: i64,
    groups: usize,
) -> crate::Result<()> {
    let names: Vec<String> = (0..groups).map(|g| format!("g{g}")).collect();
    let (codes, opened, contacted, closed, as_of) = second_columns(rows, scale, extra);
    let o = LoopOptions::default().percentiles(vec![0.25, 0.5, 0.9]);
    let input = LoopInput {
        groups: &codes,
        opened: &opened,
        contacted: &contacted,
        closed: &closed,
        as_of: Some(as_of),
    };
    let direct = loop_metrics(&names, input, crate::MissingPolicy::Error, None, &o)?.metrics;
    let mut s = LoopState::new(&names)?;
    s.update(LoopBatch::Cases(CaseBatch::new(
        &codes, &opened, &contacted, &closed, as_of,
    )))?;
    assert_eq!(direct, s.finish(&o)?);
    Ok(())
}

#[test]
fn loop_metrics_of_many_cases_equal_the_state() -> crate::Result<()> {
    // Enough rows for several chunks of rows and the radix sort; the last group has no case.
    let mut x: u64 = 7;
    let mut next = |m: u64| {
        x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        (x >> 33) % m
    };
    let rows: Vec<(u32, i64, Option<i64>, Option<i64>)> = (0..200_000)
        .map(|_| {
            let g = next(3) as u32;
            let opened = next(90 * 86_400) as i64;
            let contact = (next(10) > 0).then(|| next(200_000) as i64);
            let close = (next(10) > 1).then(|| next(400_000) as i64);
            (g, opened, contact, close)
        })
        .collect();
    direct_equals_state(&rows, 1, 3_600, 4)?;
    // Durations spread over more bits than the radix passes take: the comparison sort.
    direct_equals_state(&rows[..5_000], 1 << 24, 0, 4)
}

proptest! {
    #[test]
    fn loop_metrics_equal_the_state_fed_the_same_cases(
        rows in prop::collection::vec(
            (0u32..2, 0i64..50_000, prop::option::of(0i64..20_000), prop::option::of(0i64..40_000)),
            1..3_000,
        ),
        scale in prop_oneof![Just(1i64), Just(3_600), Just(1 << 30)],
        extra in 0i64..100_000,
    ) {
        direct_equals_state(&rows, scale, extra, 3).unwrap_or_else(|e| panic!("{e}"));
    }
}
