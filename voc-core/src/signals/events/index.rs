//! Events indexed by customer: rows grouped by customer code and ordered by time within a customer.

use super::SurveyKind;

/// Events of one kind, grouped by customer (`start[c]..start[c + 1]`) and in time order within a customer.
#[derive(Debug, Clone, Default)]
pub(crate) struct Index {
    pub start: Vec<usize>,
}

impl Index {
    /// Groups rows by customer code (stable counting sort), then orders each customer's rows by time.
    /// Returns the index and the permutation (new position → old row).
    pub(super) fn build(customers: usize, codes: &[u32], time: &[i64]) -> (Index, Vec<u32>) {
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
        for c in 0..customers {
            let seg = &mut perm[start[c]..start[c + 1]];
            if seg
                .windows(2)
                .any(|w| time[w[0] as usize] > time[w[1] as usize])
            {
                seg.sort_by_key(|&r| (time[r as usize], r));
            }
        }
        (Index { start }, perm)
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

/// Rows kept, as a permutation of the kept rows grouped by customer and ordered by time.
pub(super) fn index_kept(
    customers: usize,
    codes: &[u32],
    time: &[i64],
    keep: &[bool],
) -> (Index, Vec<u32>) {
    if keep.iter().all(|&k| k) {
        return Index::build(customers, codes, time);
    }
    let rows: Vec<u32> = (0..codes.len() as u32)
        .filter(|&r| keep[r as usize])
        .collect();
    let kept_codes = permute(codes, &rows);
    let kept_time = permute(time, &rows);
    let (index, perm) = Index::build(customers, &kept_codes, &kept_time);
    (index, perm.iter().map(|&p| rows[p as usize]).collect())
}
