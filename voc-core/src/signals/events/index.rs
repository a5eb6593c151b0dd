//! Events indexed by customer: rows grouped by customer code and ordered by time within a customer.

use super::SurveyKind;
use crate::time::NAT;

/// Events of one kind, grouped by customer (`start[c]..start[c + 1]`) and in time order within a customer.
#[derive(Debug, Clone, Default)]
pub(crate) struct Index {
    pub start: Vec<usize>,
}

/// Where the rows of an indexed table came from (which input row each position holds).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Order {
    /// Every row where it was (the input was already grouped by customer and in time order): `n` rows.
    Same(usize),
    /// `rows[i]`: the input row at position `i`.
    Moved(Vec<u32>),
}

impl Order {
    /// Rows.
    pub fn len(&self) -> usize {
        match self {
            Order::Same(n) => *n,
            Order::Moved(rows) => rows.len(),
        }
    }

    /// `values` in this order (a plain copy when no row moved).
    pub fn gather<T: Copy>(&self, values: &[T]) -> Vec<T> {
        match self {
            Order::Same(n) => values[..*n].to_vec(),
            Order::Moved(rows) => permute(values, rows),
        }
    }

    /// `f` of `values` in this order.
    pub fn gather_with<T: Copy, U>(&self, values: &[T], f: impl Fn(T) -> U) -> Vec<U> {
        match self {
            Order::Same(n) => values[..*n].iter().map(|&v| f(v)).collect(),
            Order::Moved(rows) => rows.iter().map(|&r| f(values[r as usize])).collect(),
        }
    }

    /// The input row at each position.
    pub fn into_rows(self) -> Vec<u32> {
        match self {
            Order::Same(n) => (0..n as u32).collect(),
            Order::Moved(rows) => rows,
        }
    }
}

/// Positions checked at once for rows out of time order (one branch per block, not per customer).
const BLOCK: usize = 1024;

/// Whether `v` is in non-decreasing order, in blocks without an early exit (so the compare vectorises).
fn ascending(v: &[u32]) -> bool {
    v.chunks(BLOCK)
        .zip(v.chunks(BLOCK).skip(1))
        .all(|(a, b)| a[a.len() - 1] <= b[0])
        && v.chunks(BLOCK)
            .all(|c| c.windows(2).fold(true, |ok, w| ok & (w[0] <= w[1])))
}

impl Index {
    /// Groups rows by customer code, then orders each customer's rows by time (ties in row order).
    /// Returns the index, where each row came from and the times in the new order.
    ///
    /// Rows already grouped by customer in code order (a common export order) stay where they are:
    /// the index is read off the codes and nothing is permuted. Otherwise a stable counting sort
    /// groups them. Only customers whose rows are out of time order are then sorted.
    pub(super) fn build(customers: usize, codes: &[u32], time: &[i64]) -> (Index, Order, Vec<i64>) {
        let n = codes.len();
        let mut start = vec![0usize; customers + 1];
        let (mut order, mut sorted, grouped_codes) = if ascending(codes) {
            // The last row of customer c ends its range; a customer without rows ends where the one
            // before it does (a running maximum over the untouched zeros).
            for (i, &c) in codes.iter().enumerate() {
                start[c as usize + 1] = i + 1;
            }
            let mut end = 0;
            for s in &mut start {
                end = end.max(*s);
                *s = end;
            }
            (
                Order::Same(n),
                time[..n].to_vec(),
                std::borrow::Cow::Borrowed(codes),
            )
        } else {
            for &c in codes {
                start[c as usize + 1] += 1;
            }
            for c in 0..customers {
                start[c + 1] += start[c];
            }
            let mut next = start.clone();
            let mut perm = vec![0u32; n];
            let mut grouped = vec![0u32; n];
            for (row, &c) in codes.iter().enumerate() {
                let slot = &mut next[c as usize];
                perm[*slot] = row as u32;
                grouped[*slot] = c;
                *slot += 1;
            }
            let sorted = permute(time, &perm);
            (Order::Moved(perm), sorted, std::borrow::Cow::Owned(grouped))
        };
        // Customers with a row earlier than the row before it, found a block of positions at a time
        // (a block is tested as a whole, then its positions without a branch each).
        let mut unsorted: Vec<u32> = Vec::new();
        let mut found = [0u32; BLOCK];
        for b in (1..n).step_by(BLOCK) {
            let e = (b + BLOCK).min(n);
            let (t, c) = (&sorted[b - 1..e], &grouped_codes[b - 1..e]);
            if super::flags::descent(t, c) {
                let descent = |j: usize| (t[j] > t[j + 1]) & (c[j] == c[j + 1]);
                let mut m = 0;
                for j in 0..e - b {
                    found[m] = c[j + 1];
                    m += usize::from(descent(j));
                }
                for &c in &found[..m] {
                    if unsorted.last() != Some(&c) {
                        unsorted.push(c);
                    }
                }
            }
        }
        if !unsorted.is_empty() {
            let mut perm = std::mem::replace(&mut order, Order::Same(0)).into_rows();
            for &c in &unsorted {
                let rows = start[c as usize]..start[c as usize + 1];
                sort_by_time(&mut sorted[rows.clone()], &mut perm[rows]);
            }
            order = Order::Moved(perm);
        }
        (Index { start }, order, sorted)
    }

    /// The rows of customer `c`.
    #[inline]
    pub fn range(&self, c: usize) -> std::ops::Range<usize> {
        self.start[c]..self.start[c + 1]
    }
}

/// Sorts one customer's times, carrying their rows, stably by time. The rows arrive in increasing order
/// (grouping keeps row order), so ties stay in row order: the order is by (time, row).
fn sort_by_time(time: &mut [i64], rows: &mut [u32]) {
    if time.len() <= 32 {
        // Insertion sort: a customer's rows are few.
        for i in 1..time.len() {
            let (t, r) = (time[i], rows[i]);
            let mut j = i;
            while j > 0 && time[j - 1] > t {
                time[j] = time[j - 1];
                rows[j] = rows[j - 1];
                j -= 1;
            }
            time[j] = t;
            rows[j] = r;
        }
        return;
    }
    let mut pairs: Vec<(i64, u32)> = time.iter().copied().zip(rows.iter().copied()).collect();
    pairs.sort_unstable();
    for ((t, r), (pt, pr)) in time.iter_mut().zip(rows.iter_mut()).zip(pairs) {
        (*t, *r) = (pt, pr);
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

/// Rows kept, grouped by customer and ordered by time (where each came from), and the kept times in
/// that order. An empty `keep` keeps every row.
pub(super) fn index_kept(
    customers: usize,
    codes: &[u32],
    time: &[i64],
    keep: &[bool],
) -> (Index, Order, Vec<i64>) {
    if keep.is_empty() || keep.iter().all(|&k| k) {
        return Index::build(customers, codes, time);
    }
    let rows: Vec<u32> = (0..codes.len() as u32)
        .filter(|&r| keep[r as usize])
        .collect();
    let kept_codes = permute(codes, &rows);
    let kept_time = permute(time, &rows);
    let (index, order, sorted) = Index::build(customers, &kept_codes, &kept_time);
    (index, Order::Moved(order.gather(&rows)), sorted)
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
    cols.iter()
        .map(|c| super::flags::latest(c))
        .max()
        .unwrap_or(NAT)
}
