//! Sorting keys with a payload by radix: order-preserving integer keys of floats, and an LSD radix
//! sort that carries a `u32` per key (a position, or labels).

/// Below this size a comparison sort beats the radix passes.
const RADIX_MIN: usize = 2048;

/// Order-preserving map of a finite f64 to u64 (−0.0 and 0.0 map to the same key; NaN must be
/// rejected before).
#[inline]
pub(crate) fn order_key(v: f64) -> u64 {
    let b = (v + 0.0).to_bits();
    if b >> 63 == 1 { !b } else { b | (1 << 63) }
}

/// Sorts the pairs `(keys[i], idx[i])` ascending (by key, then by `idx`): a comparison sort for
/// short inputs, else [`radix_sort`].
pub(crate) fn sort_pairs(keys: &mut Vec<u64>, idx: &mut Vec<u32>) {
    if keys.len() < RADIX_MIN {
        let mut pairs: Vec<(u64, u32)> = keys.iter().copied().zip(idx.iter().copied()).collect();
        pairs.sort_unstable();
        for (slot, (k, i)) in pairs.into_iter().enumerate() {
            if let (Some(ks), Some(is)) = (keys.get_mut(slot), idx.get_mut(slot)) {
                *ks = k;
                *is = i;
            }
        }
    } else {
        radix_sort(keys, idx);
    }
}

/// Sorts `keys` ascending, carrying `idx`: an LSD radix sort (11-bit digits, digits on which all keys
/// agree skipped) on the high 33 bits only — sign, exponent and the leading 21 mantissa bits — then a
/// fix-up that sorts each run of equal high bits in cache. For spread-out data the runs are a few keys
/// long, so this halves the passes over memory of a full 64-bit radix sort.
fn radix_sort(keys: &mut Vec<u64>, idx: &mut Vec<u32>) {
    const BITS: u32 = 11;
    const BUCKETS: usize = 1 << BITS;
    const LOW: u32 = 31;
    const PASSES: usize = 3;
    let n = keys.len();
    let mut hist = vec![[0usize; BUCKETS]; PASSES];
    for &k in keys.iter() {
        let h = k >> LOW;
        for (p, counts) in hist.iter_mut().enumerate() {
            if let Some(c) = counts.get_mut(((h >> (p as u32 * BITS)) as usize) & (BUCKETS - 1)) {
                *c += 1;
            }
        }
    }
    let mut kbuf = vec![0u64; n];
    let mut ibuf = vec![0u32; n];
    for (p, h) in hist.iter_mut().enumerate() {
        if h.contains(&n) {
            continue;
        }
        crate::stats::counts_to_offsets(h);
        let shift = LOW + p as u32 * BITS;
        for (&k, &i) in keys.iter().zip(idx.iter()) {
            let b = ((k >> shift) as usize) & (BUCKETS - 1);
            if let Some(pos) = h.get_mut(b) {
                if let (Some(ks), Some(is)) = (kbuf.get_mut(*pos), ibuf.get_mut(*pos)) {
                    *ks = k;
                    *is = i;
                }
                *pos += 1;
            }
        }
        std::mem::swap(keys, &mut kbuf);
        std::mem::swap(idx, &mut ibuf);
    }
    // Fix-up: runs of equal high bits, sorted on the full key.
    let mut s = 0;
    let mut pairs: Vec<(u64, u32)> = Vec::new();
    while s < n {
        let hi = keys.get(s).map_or(0, |k| k >> LOW);
        let mut e = s + 1;
        while e < n && keys.get(e).map_or(0, |k| k >> LOW) == hi {
            e += 1;
        }
        if e - s > 1
            && let (Some(ks), Some(is)) = (keys.get_mut(s..e), idx.get_mut(s..e))
        {
            pairs.clear();
            pairs.extend(ks.iter().copied().zip(is.iter().copied()));
            if pairs.len() <= 16 {
                // Insertion sort: the common case of a handful of keys.
                for i in 1..pairs.len() {
                    let mut j = i;
                    while j > 0 && pairs.get(j - 1) > pairs.get(j) {
                        pairs.swap(j - 1, j);
                        j -= 1;
                    }
                }
            } else {
                pairs.sort_unstable();
            }
            for ((k, i), (kd, id)) in pairs.iter().zip(ks.iter_mut().zip(is.iter_mut())) {
                *kd = *k;
                *id = *i;
            }
        }
        s = e;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(keys: Vec<u64>, idx: Vec<u32>) {
        let mut want: Vec<(u64, u32)> = keys.iter().copied().zip(idx.iter().copied()).collect();
        want.sort_unstable();
        let (mut k, mut i) = (keys, idx);
        sort_pairs(&mut k, &mut i);
        let got: Vec<(u64, u32)> = k.into_iter().zip(i).collect();
        assert_eq!(got, want);
    }

    #[test]
    fn sorts_pairs_as_a_comparison_sort_does() {
        // Spread keys, keys sharing their high 33 bits in long runs, repeated keys with payloads in
        // every order, and both sides of the radix threshold.
        for n in [0, 1, 5, 2047, 2048, 50_000] {
            let spread: Vec<u64> = (0..n as u64)
                .map(|i| {
                    order_key(((i * 7919) % 5003) as f64 * if i % 3 == 0 { -0.37 } else { 1.1 })
                })
                .collect();
            check(spread, (0..n as u32).rev().collect());
            let runs: Vec<u64> = (0..n as u64)
                .map(|i| order_key(1e6 + ((i * 4099) % 6007) as f64 * 1e-9))
                .collect();
            check(runs, (0..n as u32).map(|i| i % 4).collect());
            let repeated: Vec<u64> = (0..n as u64)
                .map(|i| order_key((i % 7) as f64 - 3.0))
                .collect();
            check(
                repeated,
                (0..n as u32)
                    .map(|i| i.wrapping_mul(2_654_435_761) % 4)
                    .collect(),
            );
        }
    }

    #[test]
    fn keys_order_as_the_numbers() {
        let v = [
            f64::NEG_INFINITY,
            -1e300,
            -1.0,
            -5e-324,
            -0.0,
            0.0,
            5e-324,
            1.0,
            1e300,
            f64::INFINITY,
        ];
        for w in v.windows(2) {
            assert!(order_key(w[0]) <= order_key(w[1]), "{} vs {}", w[0], w[1]);
        }
        assert_eq!(order_key(-0.0), order_key(0.0));
    }
}
