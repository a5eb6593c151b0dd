use super::*;
use crate::time::NAT;

#[test]
fn price_complaints_are_rare_and_slow_refunds_fall_after_the_fix() {
    let r = retailer(&RetailerOptions {
        customers: 20_000,
        ..Default::default()
    })
    .unwrap();
    let price = r.mentions.theme.iter().filter(|&&t| t == PRICE).count() as f64;
    assert!(price / (r.mentions.theme.len() as f64) < 0.05);
    let fix = r.planted.fix_day.unwrap() * DAY;
    let slow = |before: bool| {
        let (mut s, mut n) = (0.0, 0.0);
        for (&rec, &paid) in r.returns.received.iter().zip(&r.returns.refunded) {
            if rec == NAT || paid == NAT || (rec < fix) != before {
                continue;
            }
            n += 1.0;
            s += f64::from(u8::from((paid - rec) as f64 / DAY as f64 >= 9.0));
        }
        s / n
    };
    let (before, after) = (slow(true), slow(false));
    assert!((before - 0.30).abs() < 0.02, "{before}");
    assert!((after - 0.05).abs() < 0.02, "{after}");
    // Refund tickets cluster on customers with slow refunds.
    assert!(r.tickets.theme.iter().filter(|&&t| t == REFUND).count() > r.tickets.time.len() / 3);
}

#[test]
fn the_holdout_keeps_slow_refunds_and_changes_nothing_else_before_the_fix() {
    let base = RetailerOptions {
        customers: 6_000,
        ..Default::default()
    };
    let a = retailer(&base).unwrap();
    let b = retailer(&RetailerOptions {
        holdout: 0.3,
        ..base.clone()
    })
    .unwrap();
    let held = b.customers.holdout.iter().filter(|&&h| h).count() as f64 / 6_000.0;
    assert!((held - 0.3).abs() < 0.03, "{held}");
    assert!(a.customers.holdout.iter().all(|&h| !h));
    // Customers not held out live the same lives; so does everyone before the fix.
    assert_eq!(a.customers.signup, b.customers.signup);
    let fix = b.planted.fix_day.unwrap() * DAY;
    let before = |r: &Retailer| -> Vec<i64> {
        r.orders
            .time
            .iter()
            .copied()
            .filter(|&t| t < fix - 60 * DAY)
            .collect()
    };
    assert_eq!(before(&a).len(), before(&b).len());
    // After the fix, the held-out customers' refunds stay slow.
    let slow_after = |r: &Retailer, held: bool| {
        let (mut s, mut n) = (0.0, 0.0);
        for k in 0..r.returns.customer.len() {
            let (rec, paid) = (r.returns.received[k], r.returns.refunded[k]);
            let c = (r.returns.customer[k] - 1) as usize;
            if rec == NAT || paid == NAT || rec < fix || r.customers.holdout[c] != held {
                continue;
            }
            n += 1.0;
            s += f64::from(u8::from((paid - rec) as f64 / DAY as f64 >= 9.0));
        }
        s / n
    };
    assert!(slow_after(&b, true) > 0.2, "{}", slow_after(&b, true));
    assert!(slow_after(&b, false) < 0.1, "{}", slow_after(&b, false));
}

#[test]
fn times_respect_their_order() {
    let r = retailer(&RetailerOptions {
        customers: 3_000,
        seed: 1,
        ..Default::default()
    })
    .unwrap();
    for i in 0..r.returns.requested.len() {
        let (q, rec, paid) = (
            r.returns.requested[i],
            r.returns.received[i],
            r.returns.refunded[i],
        );
        assert!(rec == NAT || rec >= q);
        assert!(paid == NAT || (rec != NAT && paid >= rec));
        assert!(r.returns.order[i] >= 1 && r.returns.order[i] <= r.orders.id.len() as i64);
        let o = (r.returns.order[i] - 1) as usize;
        assert_eq!(r.orders.customer[o], r.returns.customer[i]);
        assert!(r.orders.time[o] <= q && r.returns.amount[i] <= r.orders.amount[o]);
    }
    assert!(
        r.tickets
            .resolved
            .iter()
            .zip(&r.tickets.time)
            .all(|(&d, &t)| d == NAT || d >= t)
    );
    assert!(
        r.orders
            .time
            .iter()
            .chain(&r.tickets.time)
            .all(|&t| t >= r.start && t < r.end)
    );
}

#[test]
fn the_campaign_changes_no_other_table_or_truth_value() {
    let base = RetailerOptions::default().customers(3_000).seed(5);
    let with = retailer(&base).unwrap();
    let without = retailer(&base.clone().campaign_day(None)).unwrap();
    let other = retailer(&base.clone().campaign_day(Some(300)).campaign_share(0.3)).unwrap();
    assert!(without.campaign.customer.is_empty() && without.truth.campaign.customer.is_empty());
    assert!(without.planted.campaign.is_none() && with.planted.campaign.is_some());
    for r in [&with, &other] {
        assert_eq!(r.customers, without.customers);
        assert_eq!(r.returns.order, without.returns.order);
        assert_eq!(r.orders.amount, without.orders.amount);
        assert_eq!(r.tickets.text, without.tickets.text);
        assert_eq!(r.surveys.time, without.surveys.time);
        assert_eq!(r.mentions.text, without.mentions.text);
        assert_eq!(r.churn, without.churn);
        assert_eq!(r.truth.churn_time, without.truth.churn_time);
        assert_eq!(r.truth.base_churn_prob, without.truth.base_churn_prob);
        assert_eq!(r.truth.satisfaction, without.truth.satisfaction);
    }
    // Who takes part and the arm do not depend on the share: a smaller share keeps a subset, same arms.
    let smaller = retailer(&base.clone().campaign_share(0.4)).unwrap();
    for (k, id) in smaller.campaign.customer.iter().enumerate() {
        let j = with.campaign.customer.binary_search(id).unwrap();
        assert_eq!(smaller.campaign.treated[k], with.campaign.treated[j]);
        assert_eq!(smaller.campaign.churned[k], with.campaign.churned[j]);
    }
    let share = smaller.campaign.customer.len() as f64 / with.campaign.customer.len() as f64;
    assert!((share - 0.4).abs() < 0.05, "{share}");
}

#[test]
fn the_campaign_takes_active_customers_and_randomises_them() {
    let r = retailer(&RetailerOptions::default().customers(20_000)).unwrap();
    let p = r.planted.campaign.clone().unwrap();
    let d = p.day * DAY;
    let c = &r.campaign;
    let n = c.customer.len();
    assert!(n > 6_000, "{n}");
    assert!(c.time.iter().all(|&t| t == d));
    for &id in &c.customer {
        let k = (id - 1) as usize;
        assert!(r.customers.signup[k] < d);
        assert!(r.truth.churn_time[k] == NAT || r.truth.churn_time[k] > d);
    }
    let treated = c.treated.iter().filter(|&&t| t).count() as f64 / n as f64;
    assert!((treated - 0.5).abs() < 0.02, "{treated}");
    let t = &r.truth.campaign;
    assert_eq!(t.customer, c.customer);
    for k in 0..n {
        assert!((t.effect[k] - (t.p_churn_control[k] - t.p_churn_call[k])).abs() < 1e-15);
        assert!(
            (0.0..=1.0).contains(&t.p_churn_call[k]) && (0.0..=1.0).contains(&t.p_churn_control[k])
        );
    }
    // Per group: mean effect and size, with the planted ordering.
    let mut eff = [0.0f64; 5];
    let mut risk = [0.0f64; 5];
    let mut cnt = [0usize; 5];
    for k in 0..n {
        let g = usize::from(t.group[k]);
        eff[g] += t.effect[k];
        risk[g] += t.p_churn_control[k];
        cnt[g] += 1;
    }
    for g in 0..5 {
        eff[g] /= cnt[g] as f64;
        risk[g] /= cnt[g] as f64;
        eprintln!(
            "{:>18} n={:>5} risk={:.3} effect={:.3}",
            CAMPAIGN_GROUPS[g], cnt[g], risk[g], eff[g]
        );
    }
    assert!(cnt.iter().all(|&k| k >= 200), "{cnt:?}");
    assert!(
        eff[0] > 0.15 && eff[2] > eff[4] && eff[1] < 0.02 && eff[3] < 0.0,
        "{eff:?}"
    );
    // Price-sensitive customers are at higher risk than the slow-refund group's effect suggests:
    // risk and uplift rank differently.
    assert!(risk[1] > risk[2] && risk[1] > risk[4], "{risk:?}");
    // The observed difference in churn between arms matches the truth on average.
    let (mut ct, mut nt, mut cc, mut nc) = (0.0, 0.0, 0.0, 0.0);
    for k in 0..n {
        if c.treated[k] {
            nt += 1.0;
            ct += f64::from(u8::from(c.churned[k]));
        } else {
            nc += 1.0;
            cc += f64::from(u8::from(c.churned[k]));
        }
    }
    let observed = cc / nc - ct / nt;
    let truth = t.effect.iter().sum::<f64>() / n as f64;
    assert!((observed - truth).abs() < 0.03, "{observed} vs {truth}");
    assert!(truth > 0.02, "{truth}");
}

#[test]
fn a_campaign_that_does_not_fit_is_an_error_naming_the_day() {
    let e = retailer(&RetailerOptions::default().customers(10).days(300)).unwrap_err();
    assert!(
        matches!(e, crate::Error::InvalidOption { name, .. } if name == "campaign_day"),
        "{e}"
    );
    assert!(
        retailer(
            &RetailerOptions::default()
                .customers(10)
                .days(300)
                .campaign_day(None)
                .followup_day(None)
        )
        .is_ok()
    );
    assert!(
        retailer(
            &RetailerOptions::default()
                .customers(10)
                .campaign_day(Some(10))
        )
        .is_err()
    );
    let e = retailer(&RetailerOptions::default().customers(10).campaign_window(0)).unwrap_err();
    assert!(e.to_string().contains("campaign_window"), "{e}");
    let e = retailer(&RetailerOptions::default().customers(10).campaign_share(1.5)).unwrap_err();
    assert!(e.to_string().contains("campaign_share"), "{e}");
}

#[test]
fn the_closed_loop_changes_no_other_table_or_truth_value() {
    let base = RetailerOptions::default().customers(3_000).seed(5);
    let with = retailer(&base).unwrap();
    let without = retailer(&base.clone().followup_day(None)).unwrap();
    let other = retailer(
        &base
            .clone()
            .followup_day(Some(200))
            .followup_holdout(0.5)
            .followup_sla_hours(24.0),
    )
    .unwrap();
    assert!(without.cases.customer.is_empty() && without.truth.followup.customer.is_empty());
    assert!(without.followup_surveys.customer.is_empty());
    assert!(without.planted.followup.is_none() && with.planted.followup.is_some());
    assert!(!with.cases.customer.is_empty());
    let bytes = |r: &Retailer| {
        let mut r = r.clone();
        r.cases = CaseTable::default();
        r.followup_surveys = FollowupSurveys::default();
        r.truth.followup = CaseTruth::default();
        r.planted.followup = None;
        serde_json::to_vec(&r).unwrap()
    };
    assert_eq!(bytes(&with), bytes(&without));
    assert_eq!(bytes(&other), bytes(&without));
    // The holdout share only flips arms: the same triggers, and the cases of triggers in both arms'
    // case group are the same.
    let more = retailer(&base.clone().followup_holdout(0.5)).unwrap();
    assert_eq!(more.cases.customer, with.cases.customer);
    assert_eq!(more.cases.time, with.cases.time);
    assert_eq!(more.truth.followup, with.truth.followup);
    for k in 0..with.cases.customer.len() {
        assert!(!with.cases.holdout[k] || more.cases.holdout[k]);
        if !more.cases.holdout[k] {
            assert_eq!(more.cases.contacted[k], with.cases.contacted[k]);
            assert_eq!(more.cases.churned[k], with.cases.churned[k]);
        }
    }
}

#[test]
fn cases_point_at_their_triggers_and_validate_against_the_event_log() {
    use crate::followup::{CaseLog, Cases, Trigger};
    use crate::signals::{Ids, RowPolicy};
    let r = retailer(&RetailerOptions::default().customers(4_000).seed(3)).unwrap();
    let c = &r.cases;
    let p = r.planted.followup.clone().unwrap();
    let n = c.customer.len();
    assert!(n > 1_000, "{n}");
    let mut kinds = [0usize; 3];
    for k in 0..n {
        let (id, t) = (c.customer[k], c.time[k]);
        let row = c.trigger_row[k] as usize;
        assert!(t >= p.first_day * DAY && t < p.end_day * DAY);
        match c.trigger[k] {
            Trigger::Detractor => {
                kinds[0] += 1;
                assert_eq!((r.surveys.customer[row], r.surveys.time[row]), (id, t));
                assert!(r.surveys.score[row] <= 6.0);
            }
            Trigger::Ticket => {
                kinds[1] += 1;
                assert_eq!((r.tickets.customer[row], r.tickets.time[row]), (id, t));
            }
            _ => {
                kinds[2] += 1;
                assert_eq!(r.orders.customer[row], id);
                assert_eq!(r.orders.time[row] + 60 * DAY, t);
            }
        }
        let ct = r.truth.churn_time[(id - 1) as usize];
        assert!(ct == NAT || t < ct);
        if c.holdout[k] {
            assert!(c.opened[k] == NAT && c.contacted[k] == NAT && c.closed[k] == NAT);
            assert!(c.team[k].is_none() && c.cost[k] == 0.0);
        } else {
            assert!(c.opened[k] >= t && c.opened[k] <= t + 2 * 3600);
            assert!(c.team[k].is_some() && c.cost[k] > 0.0);
        }
    }
    assert!(kinds.iter().all(|&k| k > 100), "{kinds:?}");
    assert!(
        c.customer.windows(2).all(|w| w[0] < w[1]),
        "one row per customer"
    );
    let held = c.holdout.iter().filter(|&&h| h).count() as f64 / n as f64;
    assert!((held - 0.2).abs() < 0.03, "{held}");
    // The cases (not the held-out triggers) are a valid case table of the event log.
    let log = r.event_log().unwrap();
    let rows: Vec<usize> = (0..n).filter(|&k| !c.holdout[k]).collect();
    let pick = |v: &[i64]| rows.iter().map(|&k| v[k]).collect::<Vec<_>>();
    let (ids, opened, contacted, closed) = (
        pick(&c.customer),
        pick(&c.opened),
        pick(&c.contacted),
        pick(&c.closed),
    );
    let triggers: Vec<Trigger> = rows.iter().map(|&k| c.trigger[k]).collect();
    let team: Vec<u32> = rows
        .iter()
        .map(|&k| u32::from(c.team[k].unwrap()))
        .collect();
    let cost: Vec<f64> = rows.iter().map(|&k| c.cost[k]).collect();
    let cases = Cases {
        customer: Ids::Int(&ids),
        trigger: &triggers,
        opened: &opened,
        contacted: &contacted,
        closed: &closed,
        team: Some(&team),
        action: None,
        outcome: None,
        cost: Some(&cost),
    };
    assert_eq!(
        CaseLog::new(&log, cases, RowPolicy::Error).unwrap().len(),
        rows.len()
    );
    // Answers after the case are in the follow-up surveys, one per answered row.
    let answered = c.next_nps.iter().filter(|x| !x.is_nan()).count();
    assert_eq!(answered, r.followup_surveys.customer.len());
    assert!(r.followup_surveys.time.iter().all(|&t| t < r.end));
}

#[test]
fn fast_contact_recovers_and_keeps_customers_as_planted() {
    let r = retailer(&RetailerOptions::default().customers(40_000).seed(9)).unwrap();
    let (c, t) = (&r.cases, &r.truth.followup);
    let p = r.planted.followup.clone().unwrap();
    let sla = (p.sla_hours * 3600.0) as i64;
    let fast: Vec<bool> = (0..c.customer.len())
        .map(|k| c.contacted[k] != NAT && c.contacted[k] - c.opened[k] <= sla)
        .collect();
    let rate = |keep: &dyn Fn(usize) -> bool, y: &dyn Fn(usize) -> Option<bool>| {
        let v: Vec<f64> = (0..c.customer.len())
            .filter(|&k| keep(k))
            .filter_map(|k| y(k).map(|b| f64::from(u8::from(b))))
            .collect();
        v.iter().sum::<f64>() / v.len() as f64
    };
    let churn = |k: usize| Some(c.churned[k]);
    let recovered = |k: usize| (!c.next_nps[k].is_nan()).then(|| c.next_nps[k] >= 7.0);
    let n = c.customer.len() as f64;
    let mean = |v: &[f64]| v.iter().sum::<f64>() / n;
    let d_churn: Vec<f64> = (0..c.customer.len())
        .map(|k| t.p_churn_fast[k] - t.p_churn_slow[k])
        .collect();
    let d_rec: Vec<f64> = (0..c.customer.len())
        .map(|k| t.p_recover_fast[k] - t.p_recover_slow[k])
        .collect();
    let observed = rate(&|k| fast[k], &churn) - rate(&|k| c.holdout[k], &churn);
    assert!(
        (observed - mean(&d_churn)).abs() < 0.02,
        "{observed} vs {}",
        mean(&d_churn)
    );
    let observed = rate(&|k| fast[k], &recovered) - rate(&|k| c.holdout[k], &recovered);
    assert!(
        (observed - mean(&d_rec)).abs() < 0.03,
        "{observed} vs {}",
        mean(&d_rec)
    );
    // Late contacts change nothing.
    let late = rate(&|k| !fast[k] && !c.holdout[k], &churn) - rate(&|k| c.holdout[k], &churn);
    assert!(late.abs() < 0.02, "{late}");
    // Teams differ in speed as planted.
    for (team, &pf) in p.team_p_fast.iter().enumerate() {
        let got = rate(&|k| c.team[k] == Some(team as u8), &|k| Some(fast[k]));
        assert!((got - pf).abs() < 0.03, "team {team}: {got} vs {pf}");
    }
}

#[test]
fn a_closed_loop_that_does_not_fit_is_an_error_naming_the_option() {
    let o = RetailerOptions::default().customers(10);
    for (bad, name) in [
        (o.clone().followup_day(Some(700)), "followup_day"),
        (o.clone().followup_holdout(1.5), "followup_holdout"),
        (o.clone().followup_sla_hours(0.0), "followup_sla_hours"),
        (o.clone().followup_sla_hours(f64::NAN), "followup_sla_hours"),
        (o.clone().followup_window(0), "followup_window"),
    ] {
        let e = retailer(&bad).unwrap_err();
        assert!(
            matches!(&e, crate::Error::InvalidOption { name: n, .. } if *n == name),
            "{e}"
        );
    }
    assert!(retailer(&o.followup_day(Some(0))).is_ok());
}

#[test]
fn the_refund_fix_in_the_register_is_measured_by_fix_effects() {
    use crate::followup::{
        Fix, FixChurn, FixCustomers, FixDesign, FixOptions, FixTexts, fix_effects,
    };
    use crate::text::Sets;
    let r = retailer(&RetailerOptions::default().customers(20_000).holdout(0.3)).unwrap();
    let f = &r.fixes;
    assert_eq!(f.id, vec!["refund_sync".to_string()]);
    assert_eq!(f.rollout[0], r.planted.fix_day.unwrap() * DAY);
    assert_eq!(f.holdout[0].as_deref(), Some("holdout"));
    let theme = THEMES.iter().position(|t| *t == f.theme[0]).unwrap() as u32;
    let rows: Vec<Vec<u32>> = r.tickets.theme.iter().map(|&t| vec![t]).collect();
    let sets = Sets::from_rows(&rows).unwrap();
    let fix = Fix {
        id: f.id[0].clone(),
        themes: vec![theme],
        rollout: f.rollout[0],
        cost: f.cost[0],
        groups: Some((FixDesign::Holdout, 0)),
    };
    let e = &fix_effects(
        &[fix],
        FixTexts {
            themes: &sets,
            time: &r.tickets.time,
            contact: None,
        },
        FixCustomers {
            signup: &r.customers.signup,
            churn: &r.truth.churn_time,
            as_of: r.end,
            groups: &[&r.customers.holdout],
        },
        THEMES.len(),
        &FixOptions::default().clv(200.0).cost_per_contact(5.0),
    )
    .unwrap()[0];
    assert!(e.mentions.ratio.ci.high < 0.8, "{:?}", e.mentions.ratio);
    assert!(e.contacts_avoided > 0.0);
    let FixChurn::Holdout(h) = e.churn else {
        panic!("{:?}", e.churn)
    };
    assert!(h.difference < 0.0 && h.ci.low < 0.0, "{h:?}");
    assert_eq!(e.customers, h.treated.n);
}
