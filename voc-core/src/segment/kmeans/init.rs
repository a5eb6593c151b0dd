//! k-means++ seeding.

use ndarray::{Array2, ArrayView2};

#[cfg(feature = "parallel")]
use super::PARALLEL_ROWS;
use super::hamerly::Rows;
use super::kernel::{Lanes, simd_dispatch};
use super::{BLOCK, KMeansOptions, blocks, check_finite, check_input, sq_dist, to_matrix};
use crate::error::Result;
use crate::interrupt::Ticker;
use crate::stats::rng::Rng;

/// k-means++ seeding (Arthur & Vassilvitskii 2007) in scikit-learn's greedy form: the first centre is a
/// uniformly drawn row; each next centre is the best of `2 + ⌊ln k⌋` candidates drawn with probability
/// proportional to the squared distance to the nearest chosen centre (best = lowest total potential).
/// Seeded with ChaCha8; the draws differ from numpy's, so the centres differ from scikit-learn's.
///
/// Returns the `k × columns` centres. `x` may have any layout: a C-ordered view is read in place,
/// any other layout is copied once into a row-major buffer (every draw reads whole rows).
///
/// ```
/// use ndarray::array;
/// use voc_core::segment::kmeans_plusplus;
/// let x = array![[0.0], [0.1], [10.0], [10.1]];
/// let c = kmeans_plusplus(x.view(), 2, 7)?;
/// assert!((c[[0, 0]] < 5.0) != (c[[1, 0]] < 5.0)); // one centre in each group
/// assert_eq!(c, kmeans_plusplus(x.view(), 2, 7)?); // seeded
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn kmeans_plusplus(x: ArrayView2<'_, f64>, k: usize, seed: u64) -> Result<Array2<f64>> {
    check_input(x, &KMeansOptions::default().k(k))?;
    check_finite("x", x)?;
    let rows = x.as_standard_layout();
    let data = rows.as_slice().unwrap_or(&[]);
    let cols = x.ncols();
    let zero = vec![0.0; cols];
    let rows = Rows {
        data,
        shift: &zero,
        cols,
    };
    to_matrix(k, cols, plusplus(rows, k, seed, true)?)
}

/// Potential of each k-means++ candidate over rows `start..end`: Σ min(closest, d²(row, candidate)),
/// rows in order (the candidates' distances computed together by the lane kernel, each bit for bit
/// `sq_dist`).
#[inline(always)]
fn potentials_impl(
    x: Rows<'_>,
    closest: &[f64],
    candidates: &Lanes,
    start: usize,
    end: usize,
) -> Vec<f64> {
    let trials = candidates.k();
    let mut s = vec![0.0; trials];
    let mut d = vec![0.0; candidates.scratch_len()];
    let mut buf = vec![0.0; x.cols];
    for (i, &c) in (start..end).zip(&closest[start..end]) {
        candidates.distances(x.row(i, &mut buf), &mut d);
        for (st, &dt) in s.iter_mut().zip(&d[..trials]) {
            *st += c.min(dt);
        }
    }
    s
}

simd_dispatch! {
    fn potentials(
        x: Rows<'_>,
        closest: &[f64],
        candidates: &Lanes,
        start: usize,
        end: usize,
    ) -> Vec<f64> => potentials_impl
}

/// `closest[i] = min(closest[i], d²(row i, centre))` (or `= d²` when `first`) for one block of rows.
#[inline(always)]
fn closest_block_impl(x: Rows<'_>, centre: &[f64], start: usize, closest: &mut [f64], first: bool) {
    let mut buf = vec![0.0; x.cols];
    for (i, d) in (start..).zip(closest.iter_mut()) {
        let v = sq_dist(x.row(i, &mut buf), centre);
        *d = if first { v } else { d.min(v) };
    }
}

simd_dispatch! {
    fn closest_block(x: Rows<'_>, centre: &[f64], start: usize, closest: &mut [f64], first: bool) -> ()
        => closest_block_impl
}

/// [`closest_block`] over every block, on several threads when asked (each value is computed alone, so
/// the result does not depend on it).
fn update_closest(x: Rows<'_>, centre: &[f64], closest: &mut [f64], first: bool, parallel: bool) {
    let update =
        |(b, chunk): (usize, &mut [f64])| closest_block(x, centre, b * BLOCK, chunk, first);
    #[cfg(feature = "parallel")]
    if parallel && closest.len() >= PARALLEL_ROWS {
        use rayon::prelude::*;
        closest.par_chunks_mut(BLOCK).enumerate().for_each(update);
        return;
    }
    let _ = parallel;
    closest.chunks_mut(BLOCK).enumerate().for_each(update);
}

/// k-means++ seeding (greedy, `2 + ln k` candidates per centre, as scikit-learn) of the rows `x`
/// (centred).
pub(super) fn plusplus(x: Rows<'_>, k: usize, seed: u64, parallel: bool) -> Result<Vec<f64>> {
    let n = x.n();
    let cols = x.cols;
    let mut buf = vec![0.0; cols];
    let mut rng = Rng::seeded(seed, "seed")?;
    let trials = 2 + (k as f64).ln().floor() as usize;
    let mut centers = Vec::with_capacity(k * cols);
    let first = rng.below(n);
    centers.extend_from_slice(x.row(first, &mut buf));
    let mut closest = vec![0.0; n];
    update_closest(x, &centers, &mut closest, true, parallel);
    let mut pot: f64 = closest.iter().sum();
    let mut cumulative = vec![0.0; n];
    let mut ticker = Ticker::new();
    let mut rows = Vec::with_capacity(trials * cols);
    for _ in 1..k {
        ticker.tick()?;
        let mut acc = 0.0;
        for (c, d) in cumulative.iter_mut().zip(&closest) {
            acc += d;
            *c = acc;
        }
        let candidates: Vec<usize> = (0..trials)
            .map(|_| {
                let r = rng.uniform() * pot;
                cumulative.partition_point(|&c| c < r).min(n - 1)
            })
            .collect();
        rows.clear();
        for &c in &candidates {
            rows.extend_from_slice(x.row(c, &mut buf));
        }
        let lanes = Lanes::new(&rows, cols);
        // Potential of each candidate, in fixed blocks.
        let parts = blocks(n, parallel, |start, end| {
            potentials(x, &closest, &lanes, start, end)
        });
        let mut pots = vec![0.0; trials];
        for p in parts {
            for (t, v) in pots.iter_mut().zip(p) {
                *t += v;
            }
        }
        let mut best = 0;
        for t in 1..trials {
            if pots[t] < pots[best] {
                best = t;
            }
        }
        let crow = rows[best * cols..(best + 1) * cols].to_vec();
        update_closest(x, &crow, &mut closest, false, parallel);
        pot = pots[best];
        centers.extend_from_slice(&crow);
    }
    Ok(centers)
}
