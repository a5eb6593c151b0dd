//! Events indexed by customer: rows grouped by customer code and ordered by time within a customer.

use super::SurveyKind;
use crate::time::NAT;

/// Events of one kind, grouped by customer (`start[c]..start[c + 1]`) and in time order within a customer.
#[derive(Debug, Clone, Default)]
pub(crate) struct Index {
    pub start: Vec<usize>,
}

impl Index {
    /// Groups rows by customer code (stable counting sort), then orders each customer's rows by time.
    /// Returns the index, the permutation (new position → old row) and the times in the new order.
    pub(super) fn build(
        customers: usize,
        codes: &[u32],
        time: &[i64],
    ) -> (Index, Vec<u32>, Vec<i64>) {
        let mut start = vec![0usize; customers + 1];
        for &c in codes {
            start[c as usize + 1] += 1;
        }
        for c in 0..customers {
            start[c + 1] += start[c];
        }
        // Rows already grouped by customer in code order (a common export order) keep their order.
        let mut perm: Vec<u32> = if codes.windows(2).all(|w| w[0] <= w[1]) {
            (0..codes.len() as u32).collect()
        } else {
            let mut next = start.clone();
            let mut perm = vec![0u32; codes.len()];
            for (row, &c) in codes.iter().enumerate() {
                let slot = &mut next[c as usize];
                perm[*slot] = row as u32;
                *slot += 1;
            }
            perm
        };
        // The times are gathered once, in the new order, so checking each customer's order reads them
        // sequentially; only customers whose rows are out of time order are sorted (and re-gathered).
        let mut sorted = permute(time, &perm);
        for w in start.windows(2) {
            let (a, b) = (w[0], w[1]);
            if sorted[a..b].windows(2).any(|p| p[0] > p[1]) {
                let seg = &mut perm[a..b];
                seg.sort_by_key(|&r| (time[r as usize], r));
                for (t, &r) in sorted[a..b].iter_mut().zip(seg.iter()) {
                    *t = time[r as usize];
                }
            }
        }
        (Index { start }, perm, sorted)
    }

    /// The rows of customer `c`.
    #[inline]
    pub fn range(&self, c: usize) -> std::ops::Range<usize> {
        self.start[c]..self.start[c + 1]
    }
}

pub(super) fn permute<T: Copy>(values: &[T], perm: &[u32]) -> Vec<T> {
    perm.iter().map(|&r| values[r as usize]).collect()
}

/// Orders, indexed by customer.
#[derive(Debug, Clone, Default)]
pub(crate) struct OrderLog {
    pub index: Index,
    pub time: Vec<i64>,
    pub amount: Vec<f64>,
}

/// Returns, indexed by customer (ordered by request time).
#[derive(Debug, Clone, Default)]
pub(crate) struct ReturnLog {
    pub index: Index,
    pub requested: Vec<i64>,
    pub received: Vec<i64>,
    pub refunded: Vec<i64>,
    pub amount: Vec<f64>,
}

/// Tickets, indexed by customer.
#[derive(Debug, Clone, Default)]
pub(crate) struct TicketLog {
    pub index: Index,
    pub time: Vec<i64>,
    pub theme: Vec<u32>,
    pub resolved: Vec<i64>,
    pub csat: Vec<f64>,
    pub sentiment: Vec<f64>,
}

/// Survey answers, indexed by customer.
#[derive(Debug, Clone, Default)]
pub(crate) struct SurveyLog {
    pub index: Index,
    pub time: Vec<i64>,
    pub kind: Vec<SurveyKind>,
    pub score: Vec<f64>,
}

/// Timestamped events with an optional value (mentions with sentiment; churn events).
#[derive(Debug, Clone, Default)]
pub(crate) struct PointLog {
    pub index: Index,
    pub time: Vec<i64>,
    pub value: Vec<f64>,
}

/// Rows kept, as a permutation of the kept rows grouped by customer and ordered by time, and the kept
/// times in that order. An empty `keep` keeps every row.
pub(super) fn index_kept(
    customers: usize,
    codes: &[u32],
    time: &[i64],
    keep: &[bool],
) -> (Index, Vec<u32>, Vec<i64>) {
    if keep.is_empty() || keep.iter().all(|&k| k) {
        return Index::build(customers, codes, time);
    }
    let rows: Vec<u32> = (0..codes.len() as u32)
        .filter(|&r| keep[r as usize])
        .collect();
    let kept_codes = permute(codes, &rows);
    let kept_time = permute(time, &rows);
    let (index, perm, sorted) = Index::build(customers, &kept_codes, &kept_time);
    let perm = perm.iter().map(|&p| rows[p as usize]).collect();
    (index, perm, sorted)
}

/// Runs `a` and `b`, at the same time when the `parallel` feature is on (columns of one table are
/// gathered side by side).
pub(super) fn join<A: Send, B: Send>(
    a: impl FnOnce() -> A + Send,
    b: impl FnOnce() -> B + Send,
) -> (A, B) {
    #[cfg(feature = "parallel")]
    {
        rayon::join(a, b)
    }
    #[cfg(not(feature = "parallel"))]
    {
        (a(), b())
    }
}

/// The latest set time (not [`NAT`]) of some columns, or [`NAT`] when there is none.
pub(super) fn latest(cols: &[&[i64]]) -> i64 {
    // NAT is the smallest i64, so a plain maximum skips it.
    cols.iter()
        .filter_map(|c| c.iter().copied().max())
        .max()
        .unwrap_or(NAT)
}
