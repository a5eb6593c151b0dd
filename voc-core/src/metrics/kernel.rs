//! The byte histogram kernel: counts of small-scale scores stored as `i8`/`u8` (the usual form of
//! survey answers in numpy and Arrow), with lane-parallel `u8` counters.
//!
//! For a scale of `K` points, each block of 32 values costs `K` compares and `K` adds on 32-byte
//! vectors, with the `K` counters held in registers (a compile-time `K`), flushed to `u64` totals every
//! 255 blocks. The same code is compiled a second time with AVX2 enabled and chosen at run time.
#![allow(unsafe_code)] // one call to the AVX2 build, after checking that the CPU has AVX2

/// Largest scale (in points) that the byte fast path counts with lane counters.
/// NPS (11 points) takes the fast path.
pub(crate) const MAX_BYTE_BINS: usize = 16;

const LANES: usize = 32;

#[inline(always)]
fn count<T: Copy, const K: usize>(
    data: &[T],
    to_bin: impl Fn(T) -> u8 + Copy,
) -> [u64; MAX_BYTE_BINS] {
    let mut total = [0u64; MAX_BYTE_BINS];
    // 255 blocks per round keep the u8 lane counters from overflowing.
    for round in data.chunks(255 * LANES) {
        let mut acc = [[0u8; LANES]; K];
        let mut blocks = round.chunks_exact(LANES);
        for block in &mut blocks {
            let mut bins = [0u8; LANES];
            for (b, &x) in bins.iter_mut().zip(block) {
                *b = to_bin(x);
            }
            for (j, lanes) in acc.iter_mut().enumerate() {
                for (a, &b) in lanes.iter_mut().zip(&bins) {
                    *a = a.wrapping_add(u8::from(b == j as u8));
                }
            }
        }
        for &x in blocks.remainder() {
            let b = to_bin(x) as usize;
            if b < K {
                total[b] += 1;
            }
        }
        for (t, lanes) in total.iter_mut().zip(&acc) {
            *t += lanes.iter().map(|&a| u64::from(a)).sum::<u64>();
        }
    }
    total
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn count_avx2<T: Copy, const K: usize>(
    data: &[T],
    to_bin: impl Fn(T) -> u8 + Copy,
) -> [u64; MAX_BYTE_BINS] {
    count::<T, K>(data, to_bin)
}

#[inline(always)]
fn dispatch<T: Copy, const K: usize>(
    data: &[T],
    to_bin: impl Fn(T) -> u8 + Copy,
) -> [u64; MAX_BYTE_BINS] {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: `count_avx2` only requires AVX2, which the CPU has (checked just above).
        return unsafe { count_avx2::<T, K>(data, to_bin) };
    }
    count::<T, K>(data, to_bin)
}

/// Counts values by bin `to_bin(x)`: entry `b` of the result counts the values in bin `b` for every
/// `b < k` (k ≤ [`MAX_BYTE_BINS`]); values in bins ≥ k are left out (the caller compares the total with
/// the length to detect them). Entries at or beyond `k` are unspecified.
pub(crate) fn byte_histogram<T: Copy>(
    data: &[T],
    k: usize,
    to_bin: impl Fn(T) -> u8 + Copy,
) -> [u64; MAX_BYTE_BINS] {
    match k {
        0..=5 => dispatch::<T, 5>(data, to_bin),
        6 | 7 => dispatch::<T, 7>(data, to_bin),
        8..=11 => dispatch::<T, 11>(data, to_bin),
        _ => dispatch::<T, MAX_BYTE_BINS>(data, to_bin),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_bins_below_k() {
        let h = byte_histogram(&[0_u8, 3, 3, 200], 11, |x| x);
        assert_eq!(&h[..4], &[1, 0, 0, 2]);
        assert_eq!(h[..11].iter().sum::<u64>(), 3); // 200 is not on a 0..=10 scale
        const { assert!(MAX_BYTE_BINS >= 11) } // NPS takes the fast path
    }
}
