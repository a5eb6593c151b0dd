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
