//! The distance kernel of the iterations, of the k-means++ seeding and of `predict`: the squared
//! distances from one row to [`LANES`] centres at once, with the centres transposed so that each
//! column's `LANES` values sit side by side (the centres stay in the L1 cache while the rows stream
//! past, and one vector instruction serves every centre of a group).
//!
//! Every lane performs the operations of [`sq_dist`](super::sq_dist) in its order (four partial sums
//! over the columns taken four at a time, added pairwise, then the remaining columns one by one), so
//! each distance is bit for bit the one `sq_dist` gives, and the nearest centre is the one the scalar
//! scan finds (the lowest index on an exact tie). The hot loops are compiled three times (baseline,
//! AVX2, AVX-512F) and chosen at run time by [`simd_dispatch`]; the three perform the same IEEE
//! operations in the same order (no fused multiply-add), so the results do not depend on the CPU.

/// Centres per group (one AVX-512 register of `f64`, two AVX2 registers).
pub(super) const LANES: usize = 8;

/// Centres (or k-means++ candidates) transposed in groups of [`LANES`]: group `g` holds, for each
/// column `c`, the values of centres `g·LANES ..` in column `c` (zero in the lanes past `k`).
#[derive(Debug, Clone)]
pub(super) struct Lanes {
    cols: usize,
    k: usize,
    t: Vec<[f64; LANES]>,
    /// Per group: 0 in the lanes of real centres, +∞ in the lanes past `k`.
    pad: Vec<[f64; LANES]>,
}

impl Lanes {
    /// The row-major `k × cols` `centers`, transposed.
    pub(super) fn new(centers: &[f64], cols: usize) -> Self {
        let k = centers.len().checked_div(cols).unwrap_or(0);
        let groups = k.div_ceil(LANES);
        let mut t = vec![[0.0; LANES]; groups * cols];
        for (j, c) in centers.chunks_exact(cols.max(1)).enumerate() {
            let (g, l) = (j / LANES, j % LANES);
            for (col, &v) in c.iter().enumerate() {
                t[g * cols + col][l] = v;
            }
        }
        let pad = (0..groups)
            .map(|g| {
                std::array::from_fn(|l| {
                    if g * LANES + l < k {
                        0.0
                    } else {
                        f64::INFINITY
                    }
                })
            })
            .collect();
        Lanes { cols, k, t, pad }
    }

    /// Number of centres.
    pub(super) fn k(&self) -> usize {
        self.k
    }

    /// Length of the scratch buffer [`distances`](Self::distances) writes (`k` rounded up to whole
    /// groups).
    pub(super) fn scratch_len(&self) -> usize {
        self.k.div_ceil(LANES) * LANES
    }

    /// Squared distances from `row` to every centre, in `out[..k]` (`out` holds at least
    /// [`scratch_len`](Self::scratch_len) values; the lanes past `k` are left with distances to zero
    /// centres).
    #[inline(always)]
    pub(super) fn distances(&self, row: &[f64], out: &mut [f64]) {
        if self.cols == 0 {
            return;
        }
        for (tg, og) in self
            .t
            .chunks_exact(self.cols)
            .zip(out.chunks_exact_mut(LANES))
        {
            og.copy_from_slice(&group(row, tg));
        }
    }

    /// Nearest and second-nearest squared distances of `row`: (index, d1², d2²), the lowest index on
    /// a tie, as [`nearest`](super::nearest). Each lane keeps the smallest and second smallest distance
    /// of its centres (and the group of the smallest) over the groups; the lanes are then combined.
    #[inline(always)]
    pub(super) fn nearest(&self, row: &[f64]) -> (usize, f64, f64) {
        if self.k <= LANES && self.cols > 0 {
            return scan(&group(row, &self.t[..self.cols])[..self.k]);
        }
        let (best, sec, group_of) = self.lane_minima::<true>(row);
        let (j1, d1) = first_minimum(&best, &group_of);
        let l1 = j1 % LANES;
        let rest: [f64; LANES] = std::array::from_fn(|l| if l == l1 { sec[l] } else { best[l] });
        (j1, d1, min_lanes(rest))
    }

    /// The nearest centre of `row` (lowest index on a tie): [`nearest`](Self::nearest)`.0`.
    #[inline(always)]
    pub(super) fn nearest1(&self, row: &[f64]) -> usize {
        if self.k <= LANES && self.cols > 0 {
            return scan(&group(row, &self.t[..self.cols])[..self.k]).0;
        }
        let (best, _, group_of) = self.lane_minima::<false>(row);
        first_minimum(&best, &group_of).0
    }

    /// Per lane: the smallest distance over the groups, the second smallest (when `SECOND`), and the
    /// first group where the smallest occurs. The lanes past `k` hold +∞.
    #[inline(always)]
    fn lane_minima<const SECOND: bool>(
        &self,
        row: &[f64],
    ) -> ([f64; LANES], [f64; LANES], [usize; LANES]) {
        let mut best = [f64::INFINITY; LANES];
        let mut sec = [f64::INFINITY; LANES];
        let mut group_of = [0_usize; LANES];
        if self.cols == 0 {
            return (best, sec, group_of);
        }
        for (g, (tg, pad)) in self.t.chunks_exact(self.cols).zip(&self.pad).enumerate() {
            let d0 = group(row, tg);
            for l in 0..LANES {
                // The lanes past `k` get +∞ (+0 elsewhere: the distance unchanged).
                let d = d0[l] + pad[l];
                let lt = d < best[l];
                if SECOND {
                    let s2 = if d < sec[l] { d } else { sec[l] };
                    sec[l] = if lt { best[l] } else { s2 };
                }
                best[l] = if lt { d } else { best[l] };
                group_of[l] = if lt { g } else { group_of[l] };
            }
        }
        (best, sec, group_of)
    }
}

/// (index, smallest, second smallest) of `d`, the lowest index on a tie (one group of centres).
#[inline(always)]
fn scan(d: &[f64]) -> (usize, f64, f64) {
    let (mut j1, mut d1, mut d2) = (0, f64::INFINITY, f64::INFINITY);
    for (j, &v) in d.iter().enumerate() {
        let lt = v < d1;
        let second = if v < d2 { v } else { d2 };
        d2 = if lt { d1 } else { second };
        d1 = if lt { v } else { d1 };
        j1 = if lt { j } else { j1 };
    }
    (j1, d1, d2)
}

/// The smallest of the lanes' minima and the lowest centre index where it occurs.
#[inline(always)]
fn first_minimum(best: &[f64; LANES], group_of: &[usize; LANES]) -> (usize, f64) {
    let d1 = min_lanes(*best);
    let index: [usize; LANES] = std::array::from_fn(|l| {
        if best[l] == d1 {
            group_of[l] * LANES + l
        } else {
            usize::MAX
        }
    });
    let j = index
        .iter()
        .fold(usize::MAX, |a, &b| if b < a { b } else { a });
    (j, d1)
}

/// The smallest of `LANES` values (a tree of selects; exact, as no value is NaN).
#[inline(always)]
fn min_lanes(v: [f64; LANES]) -> f64 {
    let m4: [f64; 4] = std::array::from_fn(|l| if v[l + 4] < v[l] { v[l + 4] } else { v[l] });
    let m2: [f64; 2] = std::array::from_fn(|l| if m4[l + 2] < m4[l] { m4[l + 2] } else { m4[l] });
    if m2[1] < m2[0] { m2[1] } else { m2[0] }
}

/// Squared distances from `row` to the `LANES` centres of one transposed group (`t[c]` = the centres'
/// values in column `c`), in `sq_dist`'s order of operations.
#[inline(always)]
fn group(row: &[f64], t: &[[f64; LANES]]) -> [f64; LANES] {
    // One accumulator per column position mod 4 (sq_dist's four partial sums), each a whole vector of
    // lanes, so the compiler keeps them in registers.
    #[inline(always)]
    fn add(acc: &mut [f64; LANES], x: f64, w: &[f64; LANES]) {
        for l in 0..LANES {
            let d = x - w[l];
            acc[l] += d * d;
        }
    }
    let (mut a0, mut a1, mut a2, mut a3) = ([0.0; LANES], [0.0; LANES], [0.0; LANES], [0.0; LANES]);
    let mut xr = row.chunks_exact(4);
    let mut tr = t.chunks_exact(4);
    for (x4, t4) in (&mut xr).zip(&mut tr) {
        add(&mut a0, x4[0], &t4[0]);
        add(&mut a1, x4[1], &t4[1]);
        add(&mut a2, x4[2], &t4[2]);
        add(&mut a3, x4[3], &t4[3]);
    }
    let mut s = [0.0_f64; LANES];
    for l in 0..LANES {
        s[l] = (a0[l] + a1[l]) + (a2[l] + a3[l]);
    }
    for (&xv, w) in xr.remainder().iter().zip(tr.remainder()) {
        for l in 0..LANES {
            s[l] += (xv - w[l]) * (xv - w[l]);
        }
    }
    s
}

pub(super) use crate::simd::simd_dispatch;

#[inline(always)]
fn nearest_rows_impl(lanes: &Lanes, x: &[f64], cols: usize, out: &mut [u32]) {
    for (row, o) in x.chunks_exact(cols.max(1)).zip(out) {
        *o = lanes.nearest1(row) as u32;
    }
}

simd_dispatch! {
    /// The nearest centre of each row-major row of `x` into `out` (lowest index on a tie).
    pub(super) fn nearest_rows(lanes: &Lanes, x: &[f64], cols: usize, out: &mut [u32]) -> ()
        => nearest_rows_impl
}

#[cfg(test)]
mod tests {
    use super::super::{nearest, sq_dist};
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn lanes_are_bit_identical_to_the_scalar_distance(
            k in 1_usize..40,
            cols in 1_usize..11,
            seed in any::<u64>(),
            kind in 0_u8..3,
        ) {
            // Values from a small grid (kind 0: exact ties between centres occur), spread out (1), or
            // huge (2: some squared distances overflow to +∞).
            let mut s = seed | 1;
            let mut next = || {
                s ^= s << 13;
                s ^= s >> 7;
                s ^= s << 17;
                let u = (s % 1_000_003) as f64 / 1_000_003.0 - 0.5;
                match kind {
                    0 => (s % 5) as f64 - 2.0,
                    1 => u * 1000.0,
                    _ => u * 1e200 * ((s >> 40) % 4) as f64,
                }
            };
            let centers: Vec<f64> = (0..k * cols).map(|_| next()).collect();
            let rows: Vec<f64> = (0..40 * cols).map(|_| next()).collect();
            let lanes = Lanes::new(&centers, cols);
            let mut scratch = vec![0.0; lanes.scratch_len()];
            let mut labels = vec![0; 40];
            nearest_rows(&lanes, &rows, cols, &mut labels);
            for (i, row) in rows.chunks_exact(cols).enumerate() {
                lanes.distances(row, &mut scratch);
                for (j, c) in centers.chunks_exact(cols).enumerate() {
                    prop_assert_eq!(scratch[j].to_bits(), sq_dist(row, c).to_bits());
                }
                let (j, d1, d2) = nearest(row, &centers, cols);
                let (lj, ld1, ld2) = lanes.nearest(row);
                prop_assert_eq!((j, d1.to_bits(), d2.to_bits()), (lj, ld1.to_bits(), ld2.to_bits()));
                prop_assert_eq!(lanes.nearest1(row), j);
                prop_assert_eq!(labels[i] as usize, j);
            }
        }
    }
}
