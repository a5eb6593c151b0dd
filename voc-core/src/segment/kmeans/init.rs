//! k-means++ seeding.

use ndarray::{Array2, ArrayView2};

use super::{KMeansOptions, blocks, check_finite, check_input, sq_dist, to_matrix};
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
    to_matrix(k, cols, plusplus(data, cols, k, seed, true)?)
}

/// k-means++ seeding (greedy, `2 + ln k` candidates per centre, as scikit-learn) of row-major `x`.
pub(super) fn plusplus(
    x: &[f64],
    cols: usize,
    k: usize,
    seed: u64,
    parallel: bool,
) -> Result<Vec<f64>> {
    let n = x.len() / cols;
    let mut rng = Rng::seeded(seed, "seed")?;
    let trials = 2 + (k as f64).ln().floor() as usize;
    let mut centers = Vec::with_capacity(k * cols);
    let first = rng.below(n);
    centers.extend_from_slice(&x[first * cols..(first + 1) * cols]);
    let mut closest: Vec<f64> = x.chunks_exact(cols).map(|r| sq_dist(r, &centers)).collect();
    let mut pot: f64 = closest.iter().sum();
    let mut cumulative = vec![0.0; n];
    let mut ticker = Ticker::new();
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
        // Potential of each candidate, in fixed blocks.
        let parts = blocks(n, parallel, |start, end| {
            let mut s = vec![0.0; trials];
            for i in start..end {
                let row = &x[i * cols..(i + 1) * cols];
                for (t, &c) in candidates.iter().enumerate() {
                    s[t] += closest[i].min(sq_dist(row, &x[c * cols..(c + 1) * cols]));
                }
            }
            s
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
        let c = candidates[best];
        let crow = &x[c * cols..(c + 1) * cols];
        for (d, row) in closest.iter_mut().zip(x.chunks_exact(cols)) {
            *d = d.min(sq_dist(row, crow));
        }
        pot = pots[best];
        centers.extend_from_slice(crow);
    }
    Ok(centers)
}
