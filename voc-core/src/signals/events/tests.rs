use super::index::{Index, Order};
use super::*;
use crate::signals::ids::Ids;
use crate::time::NAT;

fn customers() -> Customers<'static> {
    Customers {
        id: Ids::Int(&[1, 2, 3]),
        signup: &[0, 0, 0],
    }
}

#[test]
fn index_groups_by_customer_in_time_order() {
    let (index, order, time) = Index::build(3, &[2, 0, 2, 0, 1], &[50, 9, 10, 3, 7]);
    assert_eq!(index.start, vec![0, 2, 3, 5]);
    assert_eq!(order.into_rows(), vec![3, 1, 4, 2, 0]);
    assert_eq!(time, vec![3, 9, 7, 10, 50]);
}

#[test]
fn grouped_rows_in_time_order_stay_where_they_are() {
    // Customer 1 has no rows; customer 3's are grouped but out of time order.
    let (index, order, time) = Index::build(4, &[0, 0, 2], &[1, 5, 2]);
    assert_eq!(index.start, vec![0, 2, 2, 3, 3]);
    assert_eq!(order, Order::Same(3));
    assert_eq!(time, vec![1, 5, 2]);
    let (index, order, time) = Index::build(4, &[0, 3, 3, 3], &[1, 9, 4, 4]);
    assert_eq!(index.start, vec![0, 1, 1, 1, 4]);
    assert_eq!(order, Order::Moved(vec![0, 2, 3, 1]));
    assert_eq!(time, vec![1, 4, 4, 9]);
}

/// The index of `rows` (customer code, time, kept) checked against a plain sort by (customer, time,
/// row) of the kept rows.
fn check_index(rows: &[(u32, i64, bool)]) -> Result<(), proptest::test_runner::TestCaseError> {
    let codes: Vec<u32> = rows.iter().map(|r| r.0).collect();
    let time: Vec<i64> = rows.iter().map(|r| r.1).collect();
    let keep: Vec<bool> = rows.iter().map(|r| r.2).collect();
    let (index, order, sorted) = super::index::index_kept(6, &codes, &time, &keep);
    let mut want: Vec<u32> = (0..rows.len() as u32)
        .filter(|&r| keep[r as usize])
        .collect();
    want.sort_by_key(|&r| (codes[r as usize], time[r as usize], r));
    proptest::prop_assert_eq!(order.len(), want.len());
    proptest::prop_assert_eq!(
        &order.gather(&codes),
        &want.iter().map(|&r| codes[r as usize]).collect::<Vec<_>>()
    );
    let perm = order.into_rows();
    proptest::prop_assert_eq!(&perm, &want);
    let want_time: Vec<i64> = want.iter().map(|&r| time[r as usize]).collect();
    proptest::prop_assert_eq!(sorted, want_time);
    for c in 0..6 {
        let range = index.range(c);
        proptest::prop_assert!(perm[range].iter().all(|&r| codes[r as usize] == c as u32));
    }
    proptest::prop_assert_eq!(index.start.last().copied(), Some(want.len()));
    Ok(())
}

proptest::proptest! {
    /// The counting sort with its blockwise time check equals a plain sort by (customer, time, row),
    /// with or without skipped rows.
    #[test]
    fn index_equals_a_sort_by_customer_time_and_row(
        rows in proptest::collection::vec((0u32..6, -5i64..5, proptest::bool::weighted(0.9)), 0..60),
    ) {
        check_index(&rows)?;
    }

    /// Rows already grouped by customer (the index read off the codes, rows left in place unless a
    /// customer's are out of time order), in blocks of positions longer than one check block.
    #[test]
    fn grouped_rows_index_equals_a_sort_by_customer_time_and_row(
        mut rows in proptest::collection::vec((0u32..6, -5i64..5, proptest::bool::weighted(0.95)), 0..3000),
        in_time_order in proptest::bool::ANY,
    ) {
        if in_time_order {
            rows.sort_by_key(|r| (r.0, r.1));
        } else {
            rows.sort_by_key(|r| r.0);
        }
        check_index(&rows)?;
    }
}

#[test]
fn latest_time_of_kept_rows_skips_unset_times() {
    let customers = Customers {
        id: Ids::Int(&[1, 2]),
        signup: &[0, 0],
    };
    let returns = Returns {
        order: None,
        customer: Ids::Int(&[1, 2, 9]),
        requested: &[DAY, 2 * DAY, 50 * DAY],
        received: &[3 * DAY, NAT, 60 * DAY],
        refunded: &[NAT, NAT, 70 * DAY],
        amount: &[1.0, 2.0, 3.0],
    };
    // The third row names an unknown customer: skipped, so its later times do not count.
    let log = EventLogBuilder::new(customers, RowPolicy::Skip)
        .unwrap()
        .returns(returns)
        .unwrap()
        .build();
    assert_eq!(log.last_time(), Some(3 * DAY));
    assert_eq!(log.events(), 2);
    let empty = EventLog::builder(customers).unwrap().build();
    assert_eq!(empty.last_time(), None);
}

#[test]
fn returns_are_checked_against_their_orders() {
    // Orders already grouped by customer (kept in place) and not (moved).
    let grouped = Orders {
        id: Some(Ids::Int(&[100, 101])),
        customer: Ids::Int(&[1, 2]),
        time: &[10 * DAY, 10 * DAY],
        amount: &[50.0, 60.0],
    };
    let moved = Orders {
        id: Some(Ids::Int(&[101, 100])),
        customer: Ids::Int(&[2, 1]),
        time: &[10 * DAY, 10 * DAY],
        amount: &[60.0, 50.0],
    };
    for orders in [grouped, moved] {
        check_returns_against(orders);
    }
}

fn check_returns_against(orders: Orders<'static>) {
    let ret = |order: &'static [i64], requested: &'static [i64], amount: &'static [f64]| Returns {
        order: Some(Ids::Int(order)),
        customer: Ids::Int(&[1]),
        requested,
        received: &[NAT],
        refunded: &[NAT],
        amount,
    };
    let b = EventLog::builder(customers())
        .unwrap()
        .orders(orders)
        .unwrap();
    let msg = |r| b.clone().returns(r).unwrap_err().to_string();
    assert_eq!(
        msg(ret(&[101], &[11 * DAY], &[1.0])),
        "returns.order[0] = \"101\" is not an order of the same customer (or that order was skipped)"
    );
    assert_eq!(
        msg(ret(&[100], &[9 * DAY], &[1.0])),
        "returns.requested[0] = 777600 is invalid: the return was requested before its order"
    );
    assert_eq!(
        msg(ret(&[100], &[11 * DAY], &[51.0])),
        "returns.amount[0] = 51 is invalid: the refund is larger than its order"
    );
    assert_eq!(
        msg(ret(&[7], &[11 * DAY], &[1.0])),
        "returns.order[0] = \"7\" is not an order id in orders.id"
    );
    assert!(b.returns(ret(&[100], &[11 * DAY], &[50.0])).is_ok());
}

#[test]
fn skip_policy_counts_each_reason_once_per_row() {
    let b = EventLogBuilder::new(customers(), RowPolicy::Skip).unwrap();
    let log = b
        .surveys(Surveys {
            customer: Ids::Int(&[1, 1, 4, 2]),
            time: &[1, NAT, 2, 3],
            kind: &[
                SurveyKind::Nps,
                SurveyKind::Nps,
                SurveyKind::Csat,
                SurveyKind::Csat,
            ],
            score: &[11.0, 5.0, 6.0, 4.0],
        })
        .unwrap()
        .build();
    let reasons: Vec<_> = log
        .skipped()
        .iter()
        .map(|s| (s.reason.as_str(), s.rows, s.first))
        .collect();
    assert_eq!(
        reasons,
        vec![
            (
                "surveys.customer is not a customer id in customers.id",
                1,
                2
            ),
            ("surveys.time is missing", 1, 1),
            ("surveys.score outside the NPS scale", 1, 0),
        ]
    );
    assert_eq!(log.events(), 1);
    assert_eq!(log.last_time(), Some(3));
}

#[test]
fn ticket_rules() {
    let t = |resolved: &'static [i64], csat: &'static [f64]| Tickets {
        customer: Ids::Int(&[1]),
        time: &[100],
        theme: &[Some(0)],
        resolved,
        csat: Some(csat),
        sentiment: None,
    };
    let b = EventLog::builder(customers()).unwrap();
    let themes = vec!["refund".to_string()];
    assert!(b.clone().tickets(t(&[99], &[f64::NAN]), &themes).is_err());
    let e = b.clone().tickets(t(&[NAT], &[6.0]), &themes).unwrap_err();
    assert_eq!(
        e.to_string(),
        "tickets.csat[0] = 6 is outside the CSAT scale 1..=5"
    );
    assert!(b.clone().tickets(t(&[NAT], &[5.0]), &[]).is_err());
    assert!(b.tickets(t(&[200], &[5.0]), &themes).is_ok());
}

/// Times far from 1970 (`i64::MAX`, `i64::MIN + 1`) once overflowed `cutoff - signup` in the
/// feature builder; they are now an input error, or a skipped row under [`RowPolicy::Skip`].
#[test]
fn times_outside_the_range_are_rejected_not_overflowed() {
    for far in [i64::MAX, i64::MIN + 1, MAX_ABS_TIME + 1, -MAX_ABS_TIME - 1] {
        let signup = [0, far];
        let err = EventLogBuilder::new(
            Customers {
                id: Ids::Int(&[1, 2]),
                signup: &signup,
            },
            RowPolicy::Skip,
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("customers.signup[1]") && err.contains("2^53"),
            "{err}"
        );

        let times = [DAY, far];
        let orders = || Orders {
            id: None,
            customer: Ids::Int(&[1, 2]),
            time: &times,
            amount: &[5.0, 5.0],
        };
        let strict = EventLogBuilder::new(customers(), RowPolicy::Error).unwrap();
        let err = strict.orders(orders()).unwrap_err().to_string();
        assert!(err.contains("orders.time[1]"), "{err}");
        let log = EventLogBuilder::new(customers(), RowPolicy::Skip)
            .unwrap()
            .orders(orders())
            .unwrap()
            .build();
        assert_eq!(log.events(), 1);
        assert_eq!(log.skipped()[0].first, 1);

        let resolved = [far];
        let tickets = Tickets {
            customer: Ids::Int(&[1]),
            time: &[DAY],
            theme: &[None],
            resolved: &resolved,
            csat: None,
            sentiment: None,
        };
        let err = EventLogBuilder::new(customers(), RowPolicy::Error)
            .unwrap()
            .tickets(tickets, &[])
            .unwrap_err()
            .to_string();
        assert!(err.contains("tickets.resolved[0]"), "{err}");

        let log = EventLog::builder(customers()).unwrap().build();
        let err = log
            .features(&crate::signals::FeatureOptions::new(far))
            .unwrap_err()
            .to_string();
        assert!(err.contains("cutoff"), "{err}");
    }
    // The edge itself is a valid time, and the features are finite.
    let signup = [-MAX_ABS_TIME];
    let log = EventLog::builder(Customers {
        id: Ids::Int(&[1]),
        signup: &signup,
    })
    .unwrap()
    .build();
    let f = log
        .features(&crate::signals::FeatureOptions::new(MAX_ABS_TIME))
        .unwrap();
    assert!(f.values()[[0, 0]].is_finite());
}
