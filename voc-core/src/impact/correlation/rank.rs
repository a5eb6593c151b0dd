//! Ranking: dense ranks (radix sort of order-preserving bit patterns, or counting for small whole
//! numbers), average ranks as scipy's `rankdata`, and centred doubled ranks for Spearman.

use super::check_finite;
use crate::error::Result;
use crate::stats::radix::{order_key as key, sort_pairs};

/// Dense ranks of a column: `dense[i]` is the 0-based rank of the distinct value at position `i`, and
/// `counts[d]` how many positions share distinct value `d`.
pub(super) struct Dense {
    pub(super) dense: Vec<u32>,
    pub(super) counts: Vec<u32>,
}

/// Largest range of whole values ranked by counting (Likert and other survey scales, counts).
const COUNTING_RANGE: f64 = 65_536.0;

/// The values' keys in ascending order, with their positions.
pub(super) fn sorted_keys(x: &[f64]) -> (Vec<u64>, Vec<u32>) {
    let n = x.len();
    let mut keys: Vec<u64> = x.iter().map(|&v| key(v)).collect();
    let mut idx: Vec<u32> = (0..n as u32).collect();
    sort_pairs(&mut keys, &mut idx);
    (keys, idx)
}

pub(super) fn dense_ranks(x: &[f64]) -> Dense {
    if let Some(d) = dense_by_counting(x) {
        return d;
    }
    let (keys, idx) = sorted_keys(x);
    let mut dense = vec![0u32; keys.len()];
    let mut counts: Vec<u32> = Vec::new();
    let mut prev: Option<u64> = None;
    for (&k, &i) in keys.iter().zip(&idx) {
        if prev != Some(k) {
            counts.push(0);
            prev = Some(k);
        }
        if let Some(c) = counts.last_mut() {
            *c += 1;
        }
        if let Some(d) = dense.get_mut(i as usize) {
            *d = counts.len() as u32 - 1;
        }
    }
    Dense { dense, counts }
}

/// The lowest value and the count of each whole value from it, when every value is a whole number
/// within a range of [`COUNTING_RANGE`].
pub(super) fn whole_counts(x: &[f64]) -> Option<(f64, Vec<u32>)> {
    let (lo, hi) = whole_range(x)?;
    let mut counts = vec![0u32; (hi - lo) as usize + 1];
    for &v in x {
        if let Some(c) = counts.get_mut((v - lo) as usize) {
            *c += 1;
        }
    }
    Some((lo, counts))
}

/// The lowest and highest value when every value is a whole number and they lie within a range of
/// [`COUNTING_RANGE`].
pub(super) fn whole_range(x: &[f64]) -> Option<(f64, f64)> {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for &v in x {
        // `as i64` truncates (saturating), so this is a whole-number test without a libm call.
        if (v as i64) as f64 != v {
            return None;
        }
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if !(hi - lo < COUNTING_RANGE) {
        return None;
    }
    Some((lo, hi))
}

/// Dense ranks in O(n) when every value is a whole number within a small range.
pub(super) fn dense_by_counting(x: &[f64]) -> Option<Dense> {
    let (lo, counts) = whole_counts(x)?;
    let mut code = vec![0u32; counts.len()];
    let mut kept = Vec::new();
    for (slot, &c) in code.iter_mut().zip(&counts) {
        if c > 0 {
            *slot = kept.len() as u32;
            kept.push(c);
        }
    }
    let dense = x
        .iter()
        .map(|&v| code.get((v - lo) as usize).copied().unwrap_or(0))
        .collect();
    Some(Dense {
        dense,
        counts: kept,
    })
}

/// Average ranks (1-based; ties get the mean of the positions they share), as `scipy.stats.rankdata`.
///
/// ```
/// use voc_core::impact::correlation::average_ranks;
/// assert_eq!(average_ranks(&[10.0, 30.0, 20.0, 20.0])?, vec![1.0, 4.0, 2.5, 2.5]);
/// assert!(average_ranks(&[1.0, f64::NAN]).is_err());
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn average_ranks(x: &[f64]) -> Result<Vec<f64>> {
    check_finite("x", x)?;
    let d = dense_ranks(x);
    let doubled = doubled_ranks(&d.counts);
    Ok(d.dense
        .iter()
        .map(|&k| {
            doubled
                .get(k as usize)
                .map_or(f64::NAN, |&v| v as f64 / 2.0)
        })
        .collect())
}

/// Twice the average rank of each distinct value (an integer).
fn doubled_ranks(counts: &[u32]) -> Vec<i64> {
    let mut start = 0i64;
    counts
        .iter()
        .map(|&c| {
            let c = i64::from(c);
            let r = 2 * start + c + 1;
            start += c;
            r
        })
        .collect()
}

/// Σ(t³ − t) over tie groups.
pub(super) fn tie_cubes(counts: &[u32]) -> i128 {
    counts
        .iter()
        .map(|&c| {
            let c = i128::from(c);
            c * c * c - c
        })
        .sum()
}

/// Centred doubled average ranks 2r − n − 1 (integers, |·| < n) by position, and Σ(t³ − t) over ties.
pub(super) struct CentredRanks {
    pub(super) r: Vec<i32>,
    pub(super) ties: i128,
    pub(super) distinct: usize,
}

pub(super) fn centred_ranks(x: &[f64]) -> CentredRanks {
    let n = x.len() as i64;
    if let Some((lo, counts)) = whole_counts(x) {
        // Survey scales: the rank of each value from the counts, O(n) and cache-resident.
        let mut table = vec![0i32; counts.len()];
        let mut start = 0i64;
        for (t, &c) in table.iter_mut().zip(&counts) {
            let c = i64::from(c);
            *t = (2 * start + c + 1 - (n + 1)) as i32;
            start += c;
        }
        let r = x
            .iter()
            .map(|&v| table.get((v - lo) as usize).copied().unwrap_or(0))
            .collect();
        let kept: Vec<u32> = counts.into_iter().filter(|&c| c > 0).collect();
        return CentredRanks {
            r,
            ties: tie_cubes(&kept),
            distinct: kept.len(),
        };
    }
    let (keys, idx) = sorted_keys(x);
    let mut r = vec![0i32; keys.len()];
    let mut ties = 0i128;
    let mut distinct = 0;
    let mut s = 0usize;
    while s < keys.len() {
        let k = keys.get(s).copied();
        let mut e = s + 1;
        while e < keys.len() && keys.get(e).copied() == k {
            e += 1;
        }
        // Positions s..e share the average rank (s + e + 1)/2, doubled and centred: s + e − n.
        let v = (s as i64 + e as i64 - n) as i32;
        for &i in idx.get(s..e).unwrap_or(&[]) {
            if let Some(slot) = r.get_mut(i as usize) {
                *slot = v;
            }
        }
        let t = (e - s) as i128;
        ties += t * t * t - t;
        distinct += 1;
        s = e;
    }
    CentredRanks { r, ties, distinct }
}
