//! Equal-count quantile bins of ranks with ties in row order (pandas
//! `qcut(rank(method="first"), q, labels=1..q)`), without a comparison sort:
//!
//! - **whole numbers within a range of [`COUNTING_RANGE`]** (days, counts, scores): a counting sort —
//!   one pass counts each value, the running sums give the first rank of each value, and a second pass
//!   in row order hands out the ranks (ties in row order);
//! - **anything else**: a radix select — one pass histograms the top 16 bits of order-preserving keys;
//!   every bucket whose ranks fall in one bin gives its values that bin directly, and only the values of
//!   the few buckets that straddle a bin edge are sorted (by key, then row).
//!
//! Both give exactly the bins of a stable sort; `-0.0` and `0.0` are the same value (as in pandas).

/// Largest range of whole values binned by counting.
const COUNTING_RANGE: f64 = 65_536.0;
/// Bits of the first radix digit (the histogram has `2^DIGIT` buckets).
const DIGIT: u32 = 16;

/// The bin (1..=q) of 0-based rank `r0` among `m` ranked values: the smallest `j ≥ 1` with
/// `r0 + 1 ≤ 1 + (m − 1)·j/q`, i.e. `max(1, ⌈q·r0/(m − 1)⌉)` (1 when `m ≤ 1`).
#[inline]
fn bin(r0: u64, m: u64, q: u64) -> u8 {
    if m <= 1 {
        1
    } else {
        (q * r0).div_ceil(m - 1).max(1) as u8
    }
}

/// Order-preserving key of a finite or infinite f64 (`-0.0` and `0.0` share a key); reversed when
/// `descending`.
#[inline]
fn key(v: f64, descending: bool) -> u64 {
    let b = (v + 0.0).to_bits();
    let k = if b >> 63 == 1 { !b } else { b | (1 << 63) };
    if descending { !k } else { k }
}

/// Quantile bins `1..=q` of the values at the positions where `scored` is true (`None` elsewhere),
/// ranked ascending (descending when `descending`) with ties in row order. `values` at scored positions
/// are not NaN.
pub(super) fn bins(values: &[f64], scored: &[bool], q: u8, descending: bool) -> Vec<Option<u8>> {
    let m = scored.iter().filter(|&&s| s).count() as u64;
    if let Some(out) = by_counting(values, scored, m, u64::from(q), descending) {
        return out;
    }
    by_radix_select(values, scored, m, u64::from(q), descending)
}

/// The counting path, when every scored value is a whole number within [`COUNTING_RANGE`].
fn by_counting(
    values: &[f64],
    scored: &[bool],
    m: u64,
    q: u64,
    descending: bool,
) -> Option<Vec<Option<u8>>> {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for (&v, &s) in values.iter().zip(scored) {
        if s {
            // `as i64` saturates, so this is a whole-number test without a libm call.
            if (v as i64) as f64 != v {
                return None;
            }
            lo = lo.min(v);
            hi = hi.max(v);
        }
    }
    if m == 0 {
        return Some(vec![None; values.len()]);
    }
    if !(hi - lo < COUNTING_RANGE) {
        return None;
    }
    let slot = |v: f64| -> usize {
        if descending {
            (hi - v) as usize
        } else {
            (v - lo) as usize
        }
    };
    let mut next = vec![0_u64; (hi - lo) as usize + 1];
    for (&v, &s) in values.iter().zip(scored) {
        if s && let Some(c) = next.get_mut(slot(v)) {
            *c += 1;
        }
    }
    let mut first = 0;
    for c in next.iter_mut() {
        let here = *c;
        *c = first;
        first += here;
    }
    Some(
        values
            .iter()
            .zip(scored)
            .map(|(&v, &s)| {
                if !s {
                    return None;
                }
                let r = next.get_mut(slot(v))?;
                let b = bin(*r, m, q);
                *r += 1;
                Some(b)
            })
            .collect(),
    )
}

/// The radix-select path (see the module docs).
fn by_radix_select(
    values: &[f64],
    scored: &[bool],
    m: u64,
    q: u64,
    descending: bool,
) -> Vec<Option<u8>> {
    let shift = 64 - DIGIT;
    let mut first = vec![0_u64; 1 << DIGIT];
    for (&v, &s) in values.iter().zip(scored) {
        if s && let Some(c) = first.get_mut((key(v, descending) >> shift) as usize) {
            *c += 1;
        }
    }
    // Bucket b holds ranks first[b] .. first[b] + count: its bin when they all fall in one, else 0
    // (a bucket that straddles a bin edge).
    let mut decided = vec![0_u8; 1 << DIGIT];
    let mut r0 = 0;
    for (c, d) in first.iter_mut().zip(decided.iter_mut()) {
        let count = *c;
        *c = r0;
        if count > 0 {
            let (a, b) = (bin(r0, m, q), bin(r0 + count - 1, m, q));
            *d = if a == b { a } else { 0 };
        }
        r0 += count;
    }
    let mut out = vec![None; values.len()];
    let mut straddle: Vec<(u64, u32)> = Vec::new();
    for (i, ((&v, &s), o)) in values.iter().zip(scored).zip(out.iter_mut()).enumerate() {
        if !s {
            continue;
        }
        let k = key(v, descending);
        match decided.get((k >> shift) as usize) {
            Some(&d) if d > 0 => *o = Some(d),
            _ => straddle.push((k, i as u32)),
        }
    }
    // The straddling buckets' values in (key, row) order: within a bucket, rank = the bucket's first
    // rank + the position among its values.
    straddle.sort_unstable();
    let mut at = 0;
    while at < straddle.len() {
        let b = (straddle[at].0 >> shift) as usize;
        let end = at + straddle[at..].partition_point(|&(k, _)| (k >> shift) as usize == b);
        let start_rank = first.get(b).copied().unwrap_or(0);
        for (j, &(_, i)) in straddle[at..end].iter().enumerate() {
            if let Some(o) = out.get_mut(i as usize) {
                *o = Some(bin(start_rank + j as u64, m, q));
            }
        }
        at = end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The reference: a stable comparison sort (ties in row order), then the bin of each rank.
    fn by_sort(values: &[f64], scored: &[bool], q: u8, descending: bool) -> Vec<Option<u8>> {
        let mut idx: Vec<usize> = (0..values.len()).filter(|&i| scored[i]).collect();
        let k = |i: usize| key(values[i], descending);
        idx.sort_by_key(|&i| k(i));
        let m = idx.len() as u64;
        let mut out = vec![None; values.len()];
        for (r0, &i) in idx.iter().enumerate() {
            out[i] = Some(bin(r0 as u64, m, u64::from(q)));
        }
        out
    }

    fn check(values: &[f64], q: u8) {
        let scored: Vec<bool> = values.iter().map(|v| !v.is_nan()).collect();
        for descending in [false, true] {
            assert_eq!(
                bins(values, &scored, q, descending),
                by_sort(values, &scored, q, descending),
                "q = {q}, descending = {descending}, values = {values:?}"
            );
        }
    }

    proptest! {
        #[test]
        fn bins_equal_those_of_a_stable_sort(
            raw in prop::collection::vec((0_u32..6, -3_i64..400, any::<f64>()), 0..300),
            q in 2_u8..=10,
        ) {
            // A mix of whole numbers (counting path), NaN, signed zeros and arbitrary floats (radix path).
            let whole: Vec<f64> = raw.iter().map(|&(t, w, _)| match t { 0 => f64::NAN, 1 => -0.0, _ => w as f64 }).collect();
            check(&whole, q);
            let any: Vec<f64> = raw.iter().map(|&(t, w, f)| match t {
                0 => f64::NAN, 1 => -0.0, 2 => 0.0, 3 => w as f64 * 0.01, _ if f.is_nan() => 1.5, _ => f,
            }).collect();
            check(&any, q);
        }
    }

    #[test]
    fn wide_and_narrow_values_take_the_radix_path() {
        // Every value in one top-16-bit bucket: the whole column straddles.
        let narrow: Vec<f64> = (0..5000)
            .map(|i| 1.0 + ((i * 7919) % 4999) as f64 * 1e-9)
            .collect();
        check(&narrow, 5);
        let wide: Vec<f64> = (0..5000)
            .map(|i| ((i * 7919) % 4999) as f64 * 1.37e3 + 0.5)
            .collect();
        check(&wide, 7);
        // Whole numbers spread beyond the counting range.
        let spread: Vec<f64> = (0..3000).map(|i| ((i * 37) % 101) as f64 * 1e5).collect();
        check(&spread, 4);
    }

    #[test]
    fn negative_zero_ties_with_zero_in_row_order() {
        let v = [0.0, -0.0, 0.0, -0.0, 1.0];
        let s = [true; 5];
        assert_eq!(
            bins(&v, &s, 4, false),
            vec![Some(1), Some(1), Some(2), Some(3), Some(4)]
        );
        let v = [0.5, -0.0, 0.0, -0.0, 1.5];
        assert_eq!(
            bins(&v, &s, 4, false),
            vec![Some(3), Some(1), Some(1), Some(2), Some(4)]
        );
    }
}
