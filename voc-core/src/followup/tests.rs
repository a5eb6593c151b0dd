//! Loop metrics: the case clocks against a direct Kaplan–Meier fit, SLA and coverage counts against
//! a row-by-row count, merge of any split equal to the whole, and bad rows named.

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
