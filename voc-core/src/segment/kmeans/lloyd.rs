//! The iteration (Lloyd's scheme, with Hamerly's bounds when the options resolve to
//! [`Algorithm::Hamerly`]): assignment,
//! centre update, relocation of empty clusters, stopping rule; and the column statistics of the data.

#[cfg(feature = "parallel")]
use super::PARALLEL_ROWS;
use super::hamerly::{Mode, Pass, Rows, Shifts, State, half_gaps, update_bounds};
use ndarray::ArrayView2;

use super::{Algorithm, BLOCK, KMeansOptions, blocks, for_rows, sq_dist};
use crate::error::Result;
use crate::interrupt::Ticker;
use crate::stats::NeumaierSum;

/// Column sums in fixed blocks (plain sums inside a block, compensated across blocks) of `f(value, col)`.
/// Rows are read through the view, in row order, whatever its layout.
pub(super) fn column_sums(
    x: ArrayView2<'_, f64>,
    parallel: bool,
    f: impl Fn(f64, usize) -> f64 + Sync + Send,
) -> Vec<f64> {
    let cols = x.ncols();
    let parts = blocks(x.nrows(), parallel, |start, end| {
        let mut acc = vec![0.0; cols];
        let mut add = |row: &[f64]| {
            for (c, (a, v)) in acc.iter_mut().zip(row).enumerate() {
                *a += f(*v, c);
            }
        };
        match x.as_slice() {
            // C order: the rows of the block straight from the buffer.
            Some(data) => data[start * cols..end * cols]
                .chunks_exact(cols.max(1))
                .for_each(add),
            None => for_rows(x, start, end, |_, row| add(row)),
        }
        acc
    });
    let mut sums = vec![NeumaierSum::default(); cols];
    for p in parts {
        for (s, v) in sums.iter_mut().zip(p) {
            s.add(v);
        }
    }
    sums.iter().map(NeumaierSum::value).collect()
}

pub(super) fn column_means(x: ArrayView2<'_, f64>) -> Vec<f64> {
    let rows = x.nrows().max(1) as f64;
    column_sums(x, true, |v, _| v)
        .into_iter()
        .map(|s| s / rows)
        .collect()
}

/// Population variance of each column around `means`.
pub(super) fn column_variances(x: ArrayView2<'_, f64>, means: &[f64]) -> Vec<f64> {
    let rows = x.nrows().max(1) as f64;
    column_sums(x, true, |v, c| {
        let d = v - means.get(c).copied().unwrap_or(0.0);
        d * d
    })
    .into_iter()
    .map(|s| s / rows)
    .collect()
}

/// Mean of the column variances (population), the scale of scikit-learn's tolerance (`centred`
/// computes the same number on the way).
pub(super) fn mean_variance(x: ArrayView2<'_, f64>, means: &[f64]) -> f64 {
    column_variances(x, means).iter().sum::<f64>() / x.ncols().max(1) as f64
}

/// `x` minus the column means, as one row-major buffer (the rows the iterations read contiguously),
/// and the mean of the column variances (population) read from it on the way: the same numbers, in the
/// same order, as `mean_variance`. In blocks, on several threads for large data. This is the only
/// copy of the data a fit makes.
pub(super) fn centred(x: ArrayView2<'_, f64>, means: &[f64], parallel: bool) -> (Vec<f64>, f64) {
    let cols = x.ncols();
    let mut out = vec![0.0; x.nrows() * cols];
    if cols == 0 {
        return (out, 0.0);
    }
    let data = x.as_slice();
    let fill = |(b, o): (usize, &mut [f64])| {
        let start = b * BLOCK;
        // Σ (v − mean)² per column over the block's rows, in row order (as `column_sums`).
        let mut sq = vec![0.0; cols];
        let mut sub = |orow: &mut [f64], irow: &[f64]| {
            for (((ov, iv), m), a) in orow.iter_mut().zip(irow).zip(means).zip(sq.iter_mut()) {
                let d = iv - m;
                *ov = d;
                *a += d * d;
            }
        };
        match data {
            // C order: the block's rows straight from the buffer.
            Some(d) => {
                let input = &d[start * cols..(start * cols + o.len()).min(d.len())];
                for (orow, irow) in o.chunks_exact_mut(cols).zip(input.chunks_exact(cols)) {
                    sub(orow, irow);
                }
            }
            None => for_rows(x, start, start + BLOCK, |i, irow| {
                let orow = &mut o[(i - start) * cols..(i - start + 1) * cols];
                sub(orow, irow);
            }),
        }
        sq
    };
    #[cfg(feature = "parallel")]
    let parts: Vec<Vec<f64>> = if parallel && x.nrows() >= PARALLEL_ROWS {
        use rayon::prelude::*;
        out.par_chunks_mut(BLOCK * cols)
            .enumerate()
            .map(fill)
            .collect()
    } else {
        out.chunks_mut(BLOCK * cols).enumerate().map(fill).collect()
    };
    #[cfg(not(feature = "parallel"))]
    let parts: Vec<Vec<f64>> = {
        let _ = parallel;
        out.chunks_mut(BLOCK * cols).enumerate().map(fill).collect()
    };
    let mut sums = vec![NeumaierSum::default(); cols];
    for p in parts {
        for (s, v) in sums.iter_mut().zip(p) {
            s.add(v);
        }
    }
    let rows = x.nrows().max(1) as f64;
    let variance = sums.iter().map(|s| s.value() / rows).sum::<f64>() / cols as f64;
    (out, variance)
}

/// The outcome of one run on centred data (centres still centred, row-major `k × cols`).
pub(super) struct Run {
    pub(super) centers: Vec<f64>,
    pub(super) labels: Vec<u32>,
    pub(super) inertia: f64,
    pub(super) iterations: usize,
    pub(super) converged: bool,
    /// The scheme that ran (never [`Algorithm::Auto`]).
    pub(super) algorithm: Algorithm,
}

/// One run on the rows `x` (centred).
pub(super) fn run(
    x: Rows<'_>,
    mut centers: Vec<f64>,
    tol: f64,
    opts: &KMeansOptions,
) -> Result<Run> {
    let k = opts.k;
    let cols = x.cols;
    let n = x.n();
    // `exact`: every distance of every pass (Lloyd); otherwise Hamerly's bounds skip what they can.
    let algorithm = opts.algorithm.resolve(k, cols);
    let pass = Pass {
        x,
        k,
        parallel: opts.parallel,
        exact: algorithm == Algorithm::Lloyd,
    };
    let mut st = State::new(n);
    let mut strict = false;
    let mut converged = false;
    let mut iterations = 0;
    let mut shifts = vec![0.0; k];
    // Per-cluster sums and counts of the current labels, kept up to date from the points that move.
    let mut sums = vec![0.0; k * cols];
    let mut counts = vec![0_i64; k];
    let mut ticker = Ticker::new();
    // The bound changes the next pass applies (Hamerly): none before the first pass.
    let mut pending: Option<Shifts> = None;
    fn mode(exact: bool, pending: &Option<Shifts>) -> Mode<'_> {
        match pending {
            _ if exact => Mode::Exact,
            None => Mode::Fresh,
            Some(s) => Mode::Bounded(s),
        }
    }
    for it in 0..opts.max_iter {
        ticker.tick()?;
        iterations = it + 1;
        let gaps = half_gaps(&centers, k, cols);
        let (d_sums, d_counts, changed) =
            pass.assign(&centers, &gaps, &mut st, mode(pass.exact, &pending));
        for (s, d) in sums.iter_mut().zip(&d_sums) {
            *s += d;
        }
        for (c, d) in counts.iter_mut().zip(&d_counts) {
            *c += d;
        }
        let mut new = sums.clone();
        let mut weights = counts.clone();
        relocate_empty(x, &centers, &st.labels, &mut new, &mut weights);
        let counts_now = weights;
        for (row, &c) in new.chunks_exact_mut(cols).zip(&counts_now) {
            if c > 0 {
                let inv = 1.0 / c as f64;
                for v in row.iter_mut() {
                    *v *= inv;
                }
            }
        }
        for (j, s) in shifts.iter_mut().enumerate() {
            *s = sq_dist(
                &new[j * cols..(j + 1) * cols],
                &centers[j * cols..(j + 1) * cols],
            )
            .sqrt();
        }
        centers = new;
        pending = None;
        if changed == 0 {
            strict = true;
            converged = true;
            break;
        }
        if shifts.iter().map(|s| s * s).sum::<f64>() <= tol {
            converged = true;
            break;
        }
        pending = Some(Shifts::new(&shifts));
    }
    if !strict {
        let last = Shifts::new(&shifts);
        if let Some(p) = &pending {
            // The iteration limit was reached: those bounds were moved once already, and are moved
            // once more (a looser bound is still a bound).
            if !pass.exact {
                update_bounds(&mut st, p);
            }
        }
        let gaps = half_gaps(&centers, k, cols);
        let final_mode = if pass.exact {
            Mode::Exact
        } else {
            Mode::Bounded(&last)
        };
        pass.assign(&centers, &gaps, &mut st, final_mode);
    }
    let inertia = pass.inertia(&centers, &mut st);
    Ok(Run {
        centers,
        labels: st.labels,
        inertia,
        iterations,
        converged,
        algorithm,
    })
}

/// scikit-learn's `_relocate_empty_clusters_dense`: each empty cluster takes one of the points farthest
/// from their (old) centres, largest distance first (ties: lower row first).
pub(super) fn relocate_empty(
    x: Rows<'_>,
    centers: &[f64],
    labels: &[u32],
    sums: &mut [f64],
    counts: &mut [i64],
) {
    let empty: Vec<usize> = (0..counts.len()).filter(|&j| counts[j] == 0).collect();
    if empty.is_empty() {
        return;
    }
    let cols = x.cols;
    let mut buf = vec![0.0; cols];
    let mut far: Vec<(f64, usize)> = labels
        .iter()
        .enumerate()
        .map(|(i, &l)| {
            let l = l as usize;
            let row = x.row(i, &mut buf);
            (sq_dist(row, &centers[l * cols..(l + 1) * cols]), i)
        })
        .collect();
    far.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    for (&j, &(_, i)) in empty.iter().zip(&far) {
        let old = labels[i] as usize;
        let row = x.row(i, &mut buf);
        for (c, v) in row.iter().enumerate() {
            sums[old * cols + c] -= v;
            sums[j * cols + c] = *v;
        }
        counts[j] = 1;
        counts[old] -= 1;
    }
}
