//! Harrell's concordance index, O(n log n) with a Fenwick tree.

use crate::error::{Error, Result, check_len};
use crate::retention::{check_durations, check_events, key};

/// Harrell's concordance index of risk scores: among comparable pairs (an observed event before
/// another subject's time, or a censoring at or after it), the share where the earlier event has the
/// higher score, ties in score counting ½. Same pairs and tie rules as lifelines
/// `concordance_index(durations, -scores, events)`; O(n log n). A NaN duration, score or event is an
/// [`Error::Missing`].
///
/// ```
/// use voc_core::retention::concordance_index;
/// let c = concordance_index(&[1.0, 2.0, 3.0], &[3.0, 2.0, 1.0], &[1.0, 1.0, 1.0])?;
/// assert_eq!(c, 1.0);
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn concordance_index(durations: &[f64], scores: &[f64], events: &[f64]) -> Result<f64> {
    check_durations(durations)?;
    check_len("durations", durations.len(), "scores", scores.len())?;
    check_len("durations", durations.len(), "events", events.len())?;
    check_events(events)?;
    if let Some((index, &value)) = scores.iter().enumerate().find(|(_, v)| !v.is_finite()) {
        return Err(if value.is_nan() {
            Error::Missing {
                arg: "scores",
                index,
            }
        } else {
            Error::NonFinite {
                arg: "scores",
                index,
                value,
            }
        });
    }
    let order = by_time_desc(durations);
    let t: Vec<u64> = order.iter().map(|o| o.0).collect();
    let s: Vec<f64> = order.iter().map(|o| scores[o.1 as usize]).collect();
    let ev: Vec<bool> = order.iter().map(|o| events[o.1 as usize] == 1.0).collect();
    concordance_sorted_desc(&t, &s, &ev)
}

/// Concordance on rows sorted by time descending (`t` are sortable keys); checks for an interrupt at
/// every distinct time.
pub(super) fn concordance_sorted_desc(t: &[u64], score: &[f64], ev: &[bool]) -> crate::Result<f64> {
    // Ranks of the scores of subjects with events (the pool); Fenwick tree of counts over them.
    let mut uniq: Vec<f64> = score
        .iter()
        .zip(ev)
        .filter(|(_, e)| **e)
        .map(|(s, _)| *s)
        .collect();
    uniq.sort_unstable_by(f64::total_cmp);
    uniq.dedup();
    let m = uniq.len();
    // Per row: how many pooled scores are below its score, and whether its score is one of them.
    let rank: Vec<(usize, bool)> = score
        .iter()
        .map(|&s| {
            let below = uniq.partition_point(|&u| u < s);
            (below, uniq.get(below) == Some(&s))
        })
        .collect();
    let mut tree = vec![0u64; m + 1];
    let mut count = vec![0u64; m];
    let add = |tree: &mut [u64], mut i: usize| {
        i += 1;
        while i < tree.len() {
            tree[i] += 1;
            i += i & i.wrapping_neg();
        }
    };
    let prefix = |tree: &[u64], mut i: usize| -> u64 {
        // count of pool items with rank < i
        let mut s = 0;
        while i > 0 {
            s += tree[i];
            i -= i & i.wrapping_neg();
        }
        s
    };
    let (mut pairs, mut correct, mut tied) = (0u64, 0u64, 0u64);
    let mut pool = 0u64;
    // Walk times ascending (the rows are descending, so go from the end).
    let n = t.len();
    let mut hi = n;
    let mut ticker = crate::interrupt::Ticker::new();
    while hi > 0 {
        ticker.tick()?;
        let k = t[hi - 1];
        let mut lo = hi - 1;
        while lo > 0 && t[lo - 1] == k {
            lo -= 1;
        }
        // One search per row: the rank of its score among the pooled scores, and whether it is one.
        let query = |tree: &[u64], count: &[u64], (below, hit): (usize, bool), pool: u64| {
            let n_below = prefix(tree, below);
            let n_at = if hit { count[below] } else { 0 };
            // pool members (earlier events) with higher score are concordant
            (pool, pool - n_below - n_at, n_at)
        };
        let rows = || ev[lo..hi].iter().zip(&rank[lo..hi]);
        // Events at this time are compared with earlier events only.
        for (_, &rk) in rows().filter(|(e, _)| **e) {
            let (a, b, c) = query(&tree, &count, rk, pool);
            pairs += a;
            correct += b;
            tied += c;
        }
        for (_, &(below, _)) in rows().filter(|(e, _)| **e) {
            add(&mut tree, below);
            count[below] += 1;
            pool += 1;
        }
        // Censorings at this time are compared with events up to and including it.
        for (_, &rk) in rows().filter(|(e, _)| !**e) {
            let (a, b, c) = query(&tree, &count, rk, pool);
            pairs += a;
            correct += b;
            tied += c;
        }
        hi = lo;
    }
    Ok(if pairs == 0 {
        f64::NAN
    } else {
        (correct as f64 + 0.5 * tied as f64) / pairs as f64
    })
}

/// (time key, row) of every duration, sorted by time, latest first.
pub(super) fn by_time_desc(durations: &[f64]) -> Vec<(u64, u32)> {
    let mut order: Vec<(u64, u32)> = durations
        .iter()
        .enumerate()
        .map(|(i, &d)| (key(d), i as u32))
        .collect();
    order.sort_unstable_by_key(|o| std::cmp::Reverse(o.0));
    order
}
