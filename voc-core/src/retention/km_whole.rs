//! Kaplan–Meier curves of durations kept as whole numbers of a small unit (seconds) and reported in a
//! larger one (hours): the keys are integers, so they are sorted by a radix sort of the bits that vary
//! instead of a comparison sort, and each distinct duration is converted once.

use super::KmCurve;
use super::km::finish;

/// Below this many keys a comparison sort beats the radix passes.
const RADIX_MIN: usize = 1 << 10;
/// Widest digit of a pass (a histogram of 2^11 counts stays in the first-level cache).
const DIGIT_BITS: u32 = 11;
/// Most passes: keys spanning a wider range are sorted by comparison.
const MAX_PASSES: u32 = 3;

/// Sorts integer keys ascending: an LSD radix sort on `key − min` (up to three passes of at most 11
/// bits; a pass on which every key has the same digit is skipped), a comparison sort for short slices
/// and wide ranges. `scratch` is a buffer reused across calls (resized as needed).
pub(crate) fn sort_whole_keys(keys: &mut [u64], scratch: &mut Vec<u64>) {
    let n = keys.len();
    if n < RADIX_MIN {
        keys.sort_unstable();
        return;
    }
    let (lo, hi) = keys
        .iter()
        .fold((u64::MAX, 0), |(lo, hi), &k| (lo.min(k), hi.max(k)));
    let bits = 64 - (hi - lo).leading_zeros();
    let passes = bits.div_ceil(DIGIT_BITS).max(1);
    if passes > MAX_PASSES {
        super::km::sort_keys(keys);
        return;
    }
    let width = bits.div_ceil(passes);
    let buckets = 1usize << width;
    let mask = (buckets - 1) as u64;
    // Every pass's histogram from one read of the keys.
    let mut hist = vec![0usize; passes as usize * buckets];
    for &k in keys.iter() {
        let v = k - lo;
        for (p, h) in hist.chunks_exact_mut(buckets).enumerate() {
            if let Some(c) = h.get_mut(((v >> (p as u32 * width)) & mask) as usize) {
                *c += 1;
            }
        }
    }
    scratch.clear();
    scratch.resize(n, 0);
    let mut in_keys = true;
    for (p, h) in hist.chunks_exact_mut(buckets).enumerate() {
        if h.contains(&n) {
            continue;
        }
        crate::stats::counts_to_offsets(h);
        let shift = p as u32 * width;
        let (src, dst): (&[u64], &mut [u64]) = if in_keys {
            (keys, scratch.as_mut_slice())
        } else {
            (scratch.as_slice(), keys)
        };
        for &k in src {
            if let Some(pos) = h.get_mut((((k - lo) >> shift) & mask) as usize) {
                if let Some(slot) = dst.get_mut(*pos) {
                    *slot = k;
                }
                *pos += 1;
            }
        }
        in_keys = !in_keys;
    }
    if !in_keys {
        keys.copy_from_slice(scratch);
    }
}

/// The curve of packed keys `whole duration << 1 | event` (durations as whole numbers of a unit,
/// below 2^53), reported in `divisor` units: the same curve as the durations `whole as f64 / divisor`
/// would give (durations that differ as integers but round to the same reported value are one time).
/// The keys are sorted in place; `scratch` is a buffer reused across calls; `z` is the normal
/// quantile of the intervals. `None` without keys.
pub(crate) fn curve_from_whole_keys(
    keys: &mut [u64],
    scratch: &mut Vec<u64>,
    divisor: f64,
    z: f64,
) -> Option<KmCurve> {
    if keys.is_empty() {
        return None;
    }
    sort_whole_keys(keys, scratch);
    // Distinct whole durations bound the number of rows: sized once, no reallocation.
    let distinct = 1 + keys.windows(2).filter(|w| w[0] >> 1 != w[1] >> 1).count();
    let mut time = Vec::with_capacity(distinct);
    let mut events = Vec::with_capacity(distinct);
    let mut censored = Vec::with_capacity(distinct);
    let first = keys.first().map_or(0, |&k| k >> 1);
    let (mut whole, mut t) = (first, first as f64 / divisor);
    let (mut d, mut n) = (0u64, 0u64);
    for &k in keys.iter() {
        let w = k >> 1;
        if w != whole {
            let u = w as f64 / divisor;
            if u != t {
                time.push(t);
                events.push(d);
                censored.push(n - d);
                (t, d, n) = (u, 0, 0);
            }
            whole = w;
        }
        d += k & 1;
        n += 1;
    }
    time.push(t);
    events.push(d);
    censored.push(n - d);
    Some(finish(time, events, censored, z))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::retention::curve_from_keys;
    use crate::stats::dist::normal_quantile;
    use proptest::prelude::*;

    #[test]
    fn radix_sort_sorts_every_layout() {
        let mut scratch = Vec::new();
        // Short (comparison sort), one, two and three passes, a skipped pass, and a wide range.
        for (n, spread) in [
            (10usize, 1_000u64),
            (5_000, 1_500),
            (5_000, 1 << 20),
            (5_000, 1 << 32),
            (5_000, 1 << 40),
        ] {
            let mut keys: Vec<u64> = (0..n as u64)
                .map(|i| (i.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 7) % spread + (7 << 50))
                .collect();
            let mut want = keys.clone();
            want.sort_unstable();
            sort_whole_keys(&mut keys, &mut scratch);
            assert_eq!(keys, want, "n {n}, spread {spread}");
        }
        // Every key with the same low digit: that pass is skipped.
        let mut keys: Vec<u64> = (0..4_000u64).rev().map(|i| i << 11).collect();
        let mut want = keys.clone();
        want.sort_unstable();
        sort_whole_keys(&mut keys, &mut scratch);
        assert_eq!(keys, want);
    }

    #[test]
    fn durations_that_round_to_one_time_are_one_row() {
        // Near 2^53 seconds, some consecutive whole seconds divide by 3600 to the same hours.
        let base = ((1u64 << 53) - 100..(1 << 53) - 1)
            .find(|&s| s as f64 / 3600.0 == (s + 1) as f64 / 3600.0)
            .unwrap_or(0);
        let whole = [base, base + 1, base + 2, 5, 5];
        let hours: Vec<f64> = whole.iter().map(|&s| s as f64 / 3600.0).collect();
        assert_eq!(hours[0], hours[1]);
        assert!(hours[1] < hours[2]);
        let events = [1u64, 0, 1, 1, 0];
        let mut keys: Vec<u64> = whole
            .iter()
            .zip(&events)
            .map(|(&s, &e)| s << 1 | e)
            .collect();
        let z = normal_quantile(0.975);
        let got = curve_from_whole_keys(&mut keys, &mut Vec::new(), 3600.0, z);
        assert_eq!(got.as_ref().map(|c| c.time.len()), Some(3));
        let want: Vec<u64> = hours
            .iter()
            .zip(&events)
            .map(|(&h, &e)| (h + 0.0).to_bits() << 1 | e)
            .collect();
        assert_eq!(got, Some(curve_from_keys(want, z)));
        assert_eq!(
            curve_from_whole_keys(&mut [], &mut Vec::new(), 3600.0, z),
            None
        );
    }

    proptest! {
        /// The radix path gives the curve of the reported durations, bit for bit.
        #[test]
        fn equals_the_curve_of_the_reported_durations(
            rows in proptest::collection::vec((0u64..20_000, any::<bool>()), 1..3_000),
            scale in prop_oneof![Just(1u64), Just(97), Just(1 << 20), Just(1 << 38)],
            divisor in prop_oneof![Just(3600.0), Just(86_400.0), Just(1.0), Just(7.0)],
        ) {
            let keys: Vec<u64> = rows.iter().map(|&(s, e)| (s * scale) << 1 | u64::from(e)).collect();
            let z = normal_quantile(0.975);
            let want: Vec<u64> = keys
                .iter()
                .map(|&k| (((k >> 1) as f64 / divisor) + 0.0).to_bits() << 1 | (k & 1))
                .collect();
            let mut got_keys = keys.clone();
            let got = curve_from_whole_keys(&mut got_keys, &mut Vec::new(), divisor, z);
            prop_assert_eq!(got, Some(curve_from_keys(want, z)));
        }
    }
}
