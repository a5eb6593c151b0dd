//! Hamerly's bounds (2010): one upper and one lower distance bound per point, so most points skip the
//! distance pass after the first iterations.

#[cfg(feature = "parallel")]
use super::PARALLEL_ROWS;
use super::{BLOCK, nearest, sq_dist};
use crate::stats::NeumaierSum;

/// Per-point state of a run: the label and Hamerly's bounds (distances, not squared).
#[derive(Debug, Clone, Copy)]
pub(super) struct PointState {
    pub(super) label: u32,
    pub(super) upper: f64,
    pub(super) lower: f64,
}

/// Runs `f` on each block of `BLOCK` points of `state` (on several threads when asked) and returns the
/// block results in block order.
pub(super) fn blocks_mut<T, F>(state: &mut [PointState], parallel: bool, f: F) -> Vec<T>
where
    T: Send,
    F: Fn(usize, &mut [PointState]) -> T + Sync + Send,
{
    #[cfg(feature = "parallel")]
    if parallel && state.len() >= PARALLEL_ROWS {
        use rayon::prelude::*;
        return state
            .par_chunks_mut(BLOCK)
            .enumerate()
            .map(|(b, chunk)| f(b * BLOCK, chunk))
            .collect();
    }
    let _ = parallel;
    state
        .chunks_mut(BLOCK)
        .enumerate()
        .map(|(b, chunk)| f(b * BLOCK, chunk))
        .collect()
}

/// One block's contribution to an assignment pass.
pub(super) struct Partial {
    pub(super) sums: Vec<f64>,
    pub(super) counts: Vec<i64>,
    pub(super) changed: usize,
}

pub(super) struct Pass<'a> {
    pub(super) x: &'a [f64],
    pub(super) cols: usize,
    pub(super) k: usize,
    pub(super) parallel: bool,
    pub(super) exact: bool,
}

impl Pass<'_> {
    /// Assigns every point (using and updating the bounds unless `exact` or `fresh`) and returns the
    /// change of the per-cluster sums and counts (points that moved leave one cluster and join another;
    /// with `fresh` every point joins) and how many labels changed. `half_gap[j]` is half the distance
    /// from centre `j` to its nearest other centre.
    pub(super) fn assign(
        &self,
        centers: &[f64],
        half_gap: &[f64],
        st: &mut [PointState],
        fresh: bool,
    ) -> (Vec<f64>, Vec<i64>, usize) {
        let (cols, k) = (self.cols, self.k);
        let parts = blocks_mut(st, self.parallel, |start, chunk| {
            let mut part = Partial {
                sums: vec![0.0; k * cols],
                counts: vec![0; k],
                changed: 0,
            };
            for (o, p) in chunk.iter_mut().enumerate() {
                let i = start + o;
                let row = &self.x[i * cols..(i + 1) * cols];
                let old = p.label;
                let mut a = old as usize;
                if fresh || self.exact {
                    let (j, d1, d2) = nearest(row, centers, cols);
                    a = j;
                    p.upper = d1.sqrt();
                    p.lower = d2.sqrt();
                } else {
                    let m = half_gap[a].max(p.lower);
                    if p.upper > m {
                        p.upper = sq_dist(row, &centers[a * cols..(a + 1) * cols]).sqrt();
                        if p.upper > m {
                            let (j, d1, d2) = nearest(row, centers, cols);
                            a = j;
                            p.upper = d1.sqrt();
                            p.lower = d2.sqrt();
                        }
                    }
                }
                if a as u32 != old {
                    part.changed += 1;
                    p.label = a as u32;
                    for (s, v) in part.sums[a * cols..(a + 1) * cols].iter_mut().zip(row) {
                        *s += v;
                    }
                    part.counts[a] += 1;
                    if (old as usize) < k {
                        let o = old as usize;
                        for (s, v) in part.sums[o * cols..(o + 1) * cols].iter_mut().zip(row) {
                            *s -= v;
                        }
                        part.counts[o] -= 1;
                    }
                }
            }
            part
        });
        let mut total_sums = vec![0.0; k * cols];
        let mut total_counts = vec![0_i64; k];
        let mut changed = 0;
        for p in parts {
            for (t, s) in total_sums.iter_mut().zip(&p.sums) {
                *t += s;
            }
            for (t, c) in total_counts.iter_mut().zip(&p.counts) {
                *t += c;
            }
            changed += p.changed;
        }
        (total_sums, total_counts, changed)
    }

    pub(super) fn inertia(&self, centers: &[f64], st: &mut [PointState]) -> f64 {
        let cols = self.cols;
        let parts = blocks_mut(st, self.parallel, |start, chunk| {
            let mut s = 0.0;
            for (o, p) in chunk.iter().enumerate() {
                let i = start + o;
                let j = p.label as usize;
                s += sq_dist(
                    &self.x[i * cols..(i + 1) * cols],
                    &centers[j * cols..(j + 1) * cols],
                );
            }
            s
        });
        let mut total = NeumaierSum::default();
        for p in parts {
            total.add(p);
        }
        total.value()
    }
}

pub(super) fn half_gaps(centers: &[f64], k: usize, cols: usize) -> Vec<f64> {
    (0..k)
        .map(|j| {
            let cj = &centers[j * cols..(j + 1) * cols];
            let m = (0..k)
                .filter(|&i| i != j)
                .map(|i| sq_dist(cj, &centers[i * cols..(i + 1) * cols]))
                .fold(f64::INFINITY, f64::min);
            0.5 * m.sqrt()
        })
        .collect()
}

/// Hamerly's bound update after the centres moved by `shifts`.
pub(super) fn update_bounds(st: &mut [PointState], shifts: &[f64]) {
    // The bound to the second-nearest centre falls by the largest shift among the other centres.
    let r1 = (0..shifts.len())
        .max_by(|&a, &b| shifts[a].total_cmp(&shifts[b]))
        .unwrap_or(0);
    let max1 = shifts.get(r1).copied().unwrap_or(0.0);
    let max2 = (0..shifts.len())
        .filter(|&j| j != r1)
        .map(|j| shifts[j])
        .fold(0.0, f64::max);
    for p in st.iter_mut() {
        let a = p.label as usize;
        p.upper += shifts.get(a).copied().unwrap_or(0.0);
        p.lower -= if a == r1 { max2 } else { max1 };
    }
}
