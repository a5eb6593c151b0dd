//! The assignment pass: every distance (Lloyd), or Hamerly's bounds (2010: one upper and one lower
//! distance bound per point, so most points skip the distance computation after the first iterations).

#[cfg(feature = "parallel")]
use super::PARALLEL_ROWS;
use super::kernel::{Lanes, simd_dispatch};
use super::{BLOCK, sq_dist};
use crate::stats::NeumaierSum;

/// The rows a run reads: row-major `data` minus `shift` (the column means), centred on the fly as each
/// row is read (`v − mean`, the very value a centred copy would hold). A C-ordered input is read in
/// place; any other layout is copied once, centred, with a zero `shift`.
#[derive(Debug, Clone, Copy)]
pub(super) struct Rows<'a> {
    pub(super) data: &'a [f64],
    pub(super) shift: &'a [f64],
    pub(super) cols: usize,
}

impl Rows<'_> {
    /// Number of rows.
    pub(super) fn n(&self) -> usize {
        self.data.len().checked_div(self.cols).unwrap_or(0)
    }

    /// Row `i`, centred into `buf` (`cols` long).
    #[inline(always)]
    pub(super) fn row<'b>(&self, i: usize, buf: &'b mut [f64]) -> &'b [f64] {
        let raw = &self.data[i * self.cols..(i + 1) * self.cols];
        for ((b, &v), &m) in buf.iter_mut().zip(raw).zip(self.shift) {
            *b = v - m;
        }
        buf
    }
}

/// Per-point state of a run: the labels and Hamerly's bounds (distances, not squared). Lloyd's
/// algorithm never touches the bounds (allocated zeroed, their pages are never written).
pub(super) struct State {
    pub(super) labels: Vec<u32>,
    pub(super) upper: Vec<f64>,
    pub(super) lower: Vec<f64>,
}

impl State {
    /// `n` points without a label (`u32::MAX`).
    pub(super) fn new(n: usize) -> Self {
        State {
            labels: vec![u32::MAX; n],
            upper: vec![0.0; n],
            lower: vec![0.0; n],
        }
    }
}

/// One block of points: the first point's index and the block's labels and bounds.
pub(super) struct Block<'s> {
    pub(super) start: usize,
    pub(super) labels: &'s mut [u32],
    pub(super) upper: &'s mut [f64],
    pub(super) lower: &'s mut [f64],
}

/// One block's slices as the zipped chunk iterators yield them: (block index, ((labels, upper), lower)).
type BlockSlices<'s> = (usize, ((&'s mut [u32], &'s mut [f64]), &'s mut [f64]));

/// Runs `f` on each block of `BLOCK` points of `state` (on several threads when asked) and returns the
/// block results in block order.
pub(super) fn blocks_mut<T, F>(state: &mut State, parallel: bool, f: F) -> Vec<T>
where
    T: Send,
    F: Fn(Block<'_>) -> T + Sync + Send,
{
    let State {
        labels,
        upper,
        lower,
    } = state;
    let block = |(b, ((labels, upper), lower)): BlockSlices<'_>| {
        f(Block {
            start: b * BLOCK,
            labels,
            upper,
            lower,
        })
    };
    #[cfg(feature = "parallel")]
    if parallel && labels.len() >= PARALLEL_ROWS {
        use rayon::prelude::*;
        return labels
            .par_chunks_mut(BLOCK)
            .zip(upper.par_chunks_mut(BLOCK))
            .zip(lower.par_chunks_mut(BLOCK))
            .enumerate()
            .map(block)
            .collect();
    }
    let _ = parallel;
    labels
        .chunks_mut(BLOCK)
        .zip(upper.chunks_mut(BLOCK))
        .zip(lower.chunks_mut(BLOCK))
        .enumerate()
        .map(block)
        .collect()
}

/// One block's contribution to an assignment pass.
pub(super) struct Partial {
    pub(super) sums: Vec<f64>,
    pub(super) counts: Vec<i64>,
    pub(super) changed: usize,
}

pub(super) struct Pass<'a> {
    pub(super) x: Rows<'a>,
    pub(super) k: usize,
    pub(super) parallel: bool,
    pub(super) exact: bool,
}

/// How the points of a pass are assigned.
#[derive(Debug, Clone, Copy)]
pub(super) enum Mode<'a> {
    /// Every distance, the bounds set from them (the first pass of a run).
    Fresh,
    /// Every distance, no bounds (Lloyd's algorithm).
    Exact,
    /// Hamerly's test: the bounds are first moved by the centres' shifts since the last pass, and a
    /// point computes distances only when they no longer prove its label.
    Bounded(&'a Shifts),
}

/// The bound changes after the centres moved: each upper bound grows by its own centre's shift, each
/// lower bound falls by the largest shift among the other centres.
#[derive(Debug, Clone)]
pub(super) struct Shifts {
    up: Vec<f64>,
    down: Vec<f64>,
}

impl Shifts {
    /// The bound changes for centre shifts `shifts` (distances, not squared).
    pub(super) fn new(shifts: &[f64]) -> Self {
        let r1 = (0..shifts.len())
            .max_by(|&a, &b| shifts[a].total_cmp(&shifts[b]))
            .unwrap_or(0);
        let max1 = shifts.get(r1).copied().unwrap_or(0.0);
        let max2 = (0..shifts.len())
            .filter(|&j| j != r1)
            .map(|j| shifts[j])
            .fold(0.0, f64::max);
        Shifts {
            up: shifts.to_vec(),
            down: (0..shifts.len())
                .map(|j| if j == r1 { max2 } else { max1 })
                .collect(),
        }
    }
}

/// One block of an assignment pass (see [`Pass::assign`]).
#[inline(always)]
fn assign_block_impl(
    pass: &Pass<'_>,
    lanes: &Lanes,
    centers: &[f64],
    half_gap: &[f64],
    mode: Mode<'_>,
    block: Block<'_>,
) -> Partial {
    let (cols, k) = (pass.x.cols, pass.k);
    let mut part = Partial {
        sums: vec![0.0; k * cols],
        counts: vec![0; k],
        changed: 0,
    };
    let mut buf = vec![0.0; cols];
    let Block {
        start,
        labels,
        upper,
        lower,
    } = block;
    for (o, label) in labels.iter_mut().enumerate() {
        let row = pass.x.row(start + o, &mut buf);
        let old = *label;
        let a = match mode {
            Mode::Exact => lanes.nearest1(row),
            Mode::Fresh => {
                let (j, d1, d2) = lanes.nearest(row);
                upper[o] = d1.sqrt();
                lower[o] = d2.sqrt();
                j
            }
            Mode::Bounded(shifts) => {
                let mut a = old as usize;
                let (u, l) = (&mut upper[o], &mut lower[o]);
                *u += shifts.up[a];
                *l -= shifts.down[a];
                let m = half_gap[a].max(*l);
                if *u > m {
                    *u = sq_dist(row, &centers[a * cols..(a + 1) * cols]).sqrt();
                    if *u > m {
                        let (j, d1, d2) = lanes.nearest(row);
                        a = j;
                        *u = d1.sqrt();
                        *l = d2.sqrt();
                    }
                }
                a
            }
        };
        if a as u32 != old {
            part.changed += 1;
            *label = a as u32;
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
}

simd_dispatch! {
    fn assign_block(
        pass: &Pass<'_>,
        lanes: &Lanes,
        centers: &[f64],
        half_gap: &[f64],
        mode: Mode<'_>,
        block: Block<'_>,
    ) -> Partial => assign_block_impl
}

/// Σ squared distance of each point of a block to its centre (rows in order).
#[inline(always)]
fn inertia_block_impl(x: Rows<'_>, centers: &[f64], start: usize, labels: &[u32]) -> f64 {
    let cols = x.cols;
    let mut buf = vec![0.0; cols];
    let mut s = 0.0;
    for (o, &j) in labels.iter().enumerate() {
        let row = x.row(start + o, &mut buf);
        let j = j as usize;
        s += sq_dist(row, &centers[j * cols..(j + 1) * cols]);
    }
    s
}

simd_dispatch! {
    fn inertia_block(x: Rows<'_>, centers: &[f64], start: usize, labels: &[u32]) -> f64
        => inertia_block_impl
}

impl Pass<'_> {
    /// Assigns every point as `mode` says and returns the change of the per-cluster sums and counts
    /// (points that moved leave one cluster and join another; in the first pass every point joins) and
    /// how many labels changed. `half_gap[j]` is half the distance from centre `j` to its nearest other
    /// centre.
    pub(super) fn assign(
        &self,
        centers: &[f64],
        half_gap: &[f64],
        st: &mut State,
        mode: Mode<'_>,
    ) -> (Vec<f64>, Vec<i64>, usize) {
        let (cols, k) = (self.x.cols, self.k);
        let lanes = Lanes::new(centers, cols);
        let parts = blocks_mut(st, self.parallel, |block| {
            assign_block(self, &lanes, centers, half_gap, mode, block)
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

    pub(super) fn inertia(&self, centers: &[f64], st: &mut State) -> f64 {
        let x = self.x;
        let parts = blocks_mut(st, self.parallel, |block| {
            inertia_block(x, centers, block.start, block.labels)
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

/// Moves every bound by `shifts` outside a pass (the passes themselves do it as they go).
pub(super) fn update_bounds(st: &mut State, shifts: &Shifts) {
    for ((&a, u), l) in st.labels.iter().zip(&mut st.upper).zip(&mut st.lower) {
        let a = a as usize;
        *u += shifts.up.get(a).copied().unwrap_or(0.0);
        *l -= shifts.down.get(a).copied().unwrap_or(0.0);
    }
}
