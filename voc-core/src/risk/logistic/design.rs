//! The design matrix of a fit: row weights, column moments and the standardised copy the solver reads.

use ndarray::ArrayView2;

use super::options::{ClassWeight, LogisticOptions, Missing};
use crate::error::{Error, Result};

/// Rows per parallel chunk: fixed, so sums are added in the same order on any number of threads.
pub(super) const CHUNK: usize = 8192;

/// How one active column is standardised: `(value − center) · inv`, a NaN read as `fill` first.
#[derive(Debug, Clone, Copy)]
pub(super) struct Standardise {
    /// The column's index into the features.
    pub(super) j: usize,
    pub(super) center: f64,
    pub(super) inv: f64,
    pub(super) fill: f64,
}

/// How the active columns are standardised: one entry per active column, and the same as two
/// contiguous lists when every column is active and no value can be NaN (`plain`: each row is then
/// standardised by one vectorised loop, with the same operations).
#[derive(Debug, Clone, Default)]
pub(super) struct Columns {
    pub(super) list: Vec<Standardise>,
    pub(super) center: Vec<f64>,
    pub(super) inv: Vec<f64>,
    pub(super) plain: bool,
}

/// The standardised rows the solver reads: a standardised copy (`Dense`, row-major), or the rows of a
/// C-ordered matrix (`values`, `p` per row), standardised as they are read (`OnRead`: no copy of the
/// data, the same values).
#[derive(Clone, Copy)]
pub(super) enum Rows<'a> {
    Dense(&'a [f64]),
    OnRead {
        values: &'a [f64],
        p: usize,
        cols: &'a Columns,
    },
}

impl<'a> Rows<'a> {
    /// The rows of `x` standardised by `cols` as they are read, when `x` is C-ordered.
    pub(super) fn on_read<'x: 'a>(x: Design<'x>, cols: &'a Columns) -> Option<Rows<'a>> {
        match x {
            Design::Rows { values, p } => Some(Rows::OnRead { values, p, cols }),
            _ => None,
        }
    }

    /// Standardised row `i` (of `q` values): a slice of the copy, or `buf` filled from the matrix.
    #[inline(always)]
    pub(super) fn get<'b>(&'b self, i: usize, q: usize, buf: &'b mut [f64]) -> &'b [f64] {
        match *self {
            Rows::Dense(z) => &z[i * q..(i + 1) * q],
            Rows::OnRead { .. } => {
                self.read_into(i, q, buf);
                &buf[..q]
            }
        }
    }

    /// Writes standardised row `i` (`q` values) into `dst`: straight from the matrix when the rows
    /// are standardised as read, so a caller that keeps the row needs no second copy.
    #[inline(always)]
    pub(super) fn read_into(&self, i: usize, q: usize, dst: &mut [f64]) {
        match *self {
            Rows::Dense(z) => dst[..q].copy_from_slice(&z[i * q..(i + 1) * q]),
            Rows::OnRead { values, p, cols } => {
                let src = &values[i * p..(i + 1) * p];
                if cols.plain {
                    let scale = cols.center.iter().zip(&cols.inv);
                    for ((v, &raw), (&center, &inv)) in dst.iter_mut().zip(src).zip(scale) {
                        *v = (raw - center) * inv;
                    }
                } else {
                    for (v, c) in dst.iter_mut().zip(&cols.list) {
                        let raw = src[c.j];
                        *v = (if raw.is_nan() { c.fill } else { raw } - c.center) * c.inv;
                    }
                }
            }
        }
    }
}

/// The standardised rows of a fit as one row-major copy (`n` rows of `q`), however they are read.
#[cfg(test)]
pub(super) fn dense_rows(prep: &Prepared, x: Design<'_>, n: usize) -> Vec<f64> {
    let q = prep.cols.list.len();
    if !prep.on_read {
        return prep.z.clone();
    }
    let Some(rows) = Rows::on_read(x, &prep.cols) else {
        return Vec::new();
    };
    let mut buf = vec![0.0; q];
    (0..n)
        .flat_map(|i| rows.get(i, q, &mut buf).to_vec())
        .collect()
}

/// The standardised training data, row-major, for the active (non-constant) columns: a copy in `z`,
/// or (when `on_read`) nothing but `cols`, for rows read from the matrix as the solver needs them.
pub(super) struct Prepared {
    pub(super) z: Vec<f64>,
    /// How each active column is standardised.
    pub(super) cols: Columns,
    /// Whether the rows are standardised as they are read (`z` is empty).
    pub(super) on_read: bool,
    /// Active columns' indices into the features.
    pub(super) active: Vec<usize>,
    pub(super) center: Vec<f64>,
    pub(super) scale: Vec<f64>,
    pub(super) means: Vec<f64>,
    pub(super) constant: Vec<bool>,
}

/// Row weights: sample weights × class weights.
pub(super) fn row_weights(y: &[f64], w: Option<&[f64]>, cw: ClassWeight) -> Result<Vec<f64>> {
    let n = y.len();
    let (w0, w1) = match cw {
        ClassWeight::None => (1.0, 1.0),
        ClassWeight::Manual { negative, positive } => (negative, positive),
        // As scikit-learn: class totals of the sample weights (row counts without them).
        ClassWeight::Balanced => {
            let (mut t0, mut t1) = (0.0, 0.0);
            for (i, &v) in y.iter().enumerate() {
                let s = w.map_or(1.0, |w| w[i]);
                if v == 1.0 { t1 += s } else { t0 += s }
            }
            ((t0 + t1) / (2.0 * t0), (t0 + t1) / (2.0 * t1))
        }
    };
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let s = match w {
            Some(w) => {
                let v = w[i];
                if !v.is_finite() {
                    return Err(Error::NonFinite {
                        arg: "sample_weight",
                        index: i,
                        value: v,
                    });
                }
                if v < 0.0 {
                    return Err(Error::InvalidValue {
                        arg: "sample_weight",
                        index: i,
                        value: v,
                        reason: "weights must not be negative",
                    });
                }
                v
            }
            None => 1.0,
        };
        out.push(s * if y[i] == 1.0 { w1 } else { w0 });
    }
    if !(out.iter().sum::<f64>() > 0.0) {
        return Err(Error::Empty {
            arg: "sample_weight",
            what: "all weights are zero",
        });
    }
    Ok(out)
}

/// Training data of the churn model, borrowed: features (rows × columns, any memory layout), 0/1
/// labels, and optionally feature names and sample weights. Fitting is
/// [`Fit::fit`](crate::Fit::fit) of [`LogisticOptions`] on it.
///
/// A struct rather than a tuple because a fit has two optional parts (names, weights) that a tuple
/// would force on every caller; `(x, y)` alone also fits (see [`LogisticOptions`]'s `Fit` impls).
///
/// ```
/// use ndarray::array;
/// use voc_core::Fit;
/// use voc_core::risk::{LogisticOptions, RiskData};
/// let x = array![[1.0, 0.0], [2.0, 1.0], [3.0, 0.0], [4.0, 2.0], [5.0, 1.0], [6.0, 3.0]];
/// let y = [0.0, 0.0, 1.0, 0.0, 1.0, 1.0];
/// let names = ["delay".to_string(), "tickets".to_string()];
/// let w = [1.0, 1.0, 2.0, 1.0, 1.0, 0.5];
/// let data = RiskData::new(x.view(), &y).names(&names).sample_weight(&w);
/// let m = LogisticOptions::default().fit(data)?;
/// assert_eq!(m.names, names);
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct RiskData<'a> {
    /// Features, one row per customer (C-ordered, Fortran-ordered or strided: read in place).
    pub x: ArrayView2<'a, f64>,
    /// Labels, 0 (stayed) or 1 (churned), one per row of `x`.
    pub y: &'a [f64],
    /// Feature names, one per column of `x` (default `x0`, `x1`, ...).
    pub names: Option<&'a [String]>,
    /// Sample weights, one per row (default all 1).
    pub sample_weight: Option<&'a [f64]>,
}

impl<'a> RiskData<'a> {
    /// Features and labels, without names or weights.
    pub fn new(x: ArrayView2<'a, f64>, y: &'a [f64]) -> Self {
        RiskData {
            x,
            y,
            names: None,
            sample_weight: None,
        }
    }

    /// Sets the feature names.
    pub fn names(mut self, names: &'a [String]) -> Self {
        self.names = Some(names);
        self
    }

    /// Sets the sample weights.
    pub fn sample_weight(mut self, sample_weight: &'a [f64]) -> Self {
        self.sample_weight = Some(sample_weight);
        self
    }
}

/// How a feature matrix is read: a C-ordered matrix as one row-major slice, a Fortran-ordered one as
/// one column-major slice, anything else (e.g. every other row) through the view's strides. All three
/// are read in place; the values (and so every sum) are the same whichever path is taken.
#[derive(Debug, Clone, Copy)]
pub(super) enum Design<'a> {
    Rows { values: &'a [f64], p: usize },
    Columns { values: &'a [f64], n: usize },
    Strided(ArrayView2<'a, f64>),
}

impl<'a> Design<'a> {
    pub(super) fn new(x: ArrayView2<'a, f64>) -> Self {
        let (n, p) = x.dim();
        if let Some(values) = x.to_slice() {
            Design::Rows { values, p }
        } else if let Some(values) = x.reversed_axes().to_slice() {
            Design::Columns { values, n }
        } else {
            Design::Strided(x)
        }
    }

    /// Row `i` as one slice, when the layout stores it contiguously (C-ordered): the loops below then
    /// run over slices instead of one lookup per value.
    #[inline]
    pub(super) fn row(&self, i: usize) -> Option<&'a [f64]> {
        match *self {
            Design::Rows { values, p } => values.get(i * p..(i + 1) * p),
            _ => None,
        }
    }

    /// The value of feature `j` in row `i` (both in range: callers check the shape first).
    #[inline]
    pub(super) fn get(&self, i: usize, j: usize) -> f64 {
        match *self {
            Design::Rows { values, p } => values[i * p + j],
            Design::Columns { values, n } => values[j * n + i],
            Design::Strided(x) => x[[i, j]],
        }
    }
}

/// Weighted mean and sum of squared deviations of every column over some rows (NaN left out).
pub(super) struct Moments {
    pub(super) weight: Vec<f64>,
    pub(super) mean: Vec<f64>,
    pub(super) m2: Vec<f64>,
}

impl Moments {
    pub(super) fn new(p: usize) -> Self {
        Moments {
            weight: vec![0.0; p],
            mean: vec![0.0; p],
            m2: vec![0.0; p],
        }
    }

    /// Adds the moments of later rows (Chan, Golub and LeVeque's pairwise update: stable, and exact
    /// in the order of the chunks).
    pub(super) fn merge(&mut self, other: &Moments) {
        for j in 0..self.mean.len() {
            let (wa, wb) = (self.weight[j], other.weight[j]);
            if wb == 0.0 {
                continue;
            }
            let w = wa + wb;
            let delta = other.mean[j] - self.mean[j];
            self.mean[j] += delta * wb / w;
            self.m2[j] += other.m2[j] + delta * delta * wa * wb / w;
            self.weight[j] = w;
        }
    }
}

/// Column moments in one read of the data: each chunk of rows gets its own mean and squared deviations
/// (two passes over a chunk that is still in cache), and chunks are merged in order, so the result does
/// not depend on the number of threads. NaN is an error unless imputed; ±inf always is.
pub(super) fn column_moments(
    x: Design<'_>,
    p: usize,
    s: &[f64],
    missing: Missing,
) -> Result<Moments> {
    let parts = chunked(s.len(), |r| -> Result<Moments> {
        let mut m = Moments::new(p);
        let mut sum = vec![0.0; p];
        // Rows stored contiguously and all finite (the usual case): the same sums, in the same
        // order, without a branch per value (the values are checked in the same loop, and the
        // chunk is summed again below if one is not finite).
        let mut clean = r.clone().all(|i| x.row(i).is_some());
        if clean {
            for i in r.clone() {
                let row = x.row(i).unwrap_or_default();
                let si = s[i];
                for ((t, w), &v) in sum.iter_mut().zip(m.weight.iter_mut()).zip(row) {
                    *t += si * v;
                    *w += si;
                    clean &= v.is_finite();
                }
            }
        }
        if clean {
            for ((mean, &w), &t) in m.mean.iter_mut().zip(&m.weight).zip(&sum) {
                if w > 0.0 {
                    *mean = t / w;
                }
            }
            for i in r {
                let row = x.row(i).unwrap_or_default();
                let si = s[i];
                for ((m2, &mean), &v) in m.m2.iter_mut().zip(&m.mean).zip(row) {
                    let d = v - mean;
                    *m2 += si * d * d;
                }
            }
            return Ok(m);
        }
        let mut m = Moments::new(p);
        let mut sum = vec![0.0; p];
        for i in r.clone() {
            let row = x.row(i);
            for (j, t) in sum.iter_mut().enumerate() {
                let v = row.map_or_else(|| x.get(i, j), |row| row[j]);
                if v.is_nan() {
                    if missing != Missing::ImputeMean {
                        return Err(Error::Missing {
                            arg: "X",
                            index: i * p + j,
                        });
                    }
                } else if !v.is_finite() {
                    return Err(Error::NonFinite {
                        arg: "X",
                        index: i * p + j,
                        value: v,
                    });
                } else {
                    *t += s[i] * v;
                    m.weight[j] += s[i];
                }
            }
        }
        for ((mean, &w), &t) in m.mean.iter_mut().zip(&m.weight).zip(&sum) {
            if w > 0.0 {
                *mean = t / w;
            }
        }
        for i in r {
            let row = x.row(i);
            for j in 0..p {
                let v = row.map_or_else(|| x.get(i, j), |row| row[j]);
                if !v.is_nan() {
                    let d = v - m.mean[j];
                    m.m2[j] += s[i] * d * d;
                }
            }
        }
        Ok(m)
    });
    let mut total = Moments::new(p);
    for part in parts {
        total.merge(&part?);
    }
    Ok(total)
}

pub(super) fn prepare(
    x: Design<'_>,
    p: usize,
    s: &[f64],
    opts: &LogisticOptions,
) -> Result<Prepared> {
    let n = s.len();
    let total: f64 = s.iter().sum();
    let moments = column_moments(x, p, s, opts.missing)?;
    let means = moments.mean;
    let (mut center, mut scale, mut constant) = (vec![0.0; p], vec![1.0; p], vec![false; p]);
    for j in 0..p {
        // Missing values are filled with the mean, so they add nothing to the spread.
        let sd = (moments.m2[j] / total).sqrt();
        // Constant up to rounding: a column whose spread is tiny next to its size.
        constant[j] = !(sd > 1e-12 * means[j].abs().max(1e-300));
        if opts.standardize {
            center[j] = means[j];
            scale[j] = if constant[j] { 1.0 } else { sd };
        }
    }
    let active: Vec<usize> = (0..p).filter(|&j| !constant[j]).collect();
    let q = active.len();
    let cols: Vec<Standardise> = active
        .iter()
        .map(|&j| Standardise {
            j,
            center: center[j],
            inv: 1.0 / scale[j],
            fill: means[j],
        })
        .collect();
    // Without imputation a NaN was an error above: none is left to fill.
    let plain = q == p
        && cols.iter().enumerate().all(|(k, c)| c.j == k)
        && opts.missing != Missing::ImputeMean;
    let cols = Columns {
        center: cols.iter().map(|c| c.center).collect(),
        inv: cols.iter().map(|c| c.inv).collect(),
        list: cols,
        plain,
    };
    // A C-ordered matrix is standardised as the solver reads its rows: no copy of the data, and each
    // pass reads the same bytes a copy would hold.
    if matches!(x, Design::Rows { .. }) {
        return Ok(Prepared {
            z: Vec::new(),
            cols,
            on_read: true,
            active,
            center,
            scale,
            means,
            constant,
        });
    }
    let mut z = vec![0.0; n * q];
    // Row by row, so writes are sequential; chunks of rows in parallel.
    let fill_rows = |start: usize, block: &mut [f64]| {
        for (k, row) in block.chunks_exact_mut(q).enumerate() {
            let i = start + k;
            let src = x.row(i);
            if let (true, Some(src)) = (cols.plain, src) {
                // The same operations as below, in one loop over contiguous lists.
                let scale = cols.center.iter().zip(&cols.inv);
                for ((v, &raw), (&center, &inv)) in row.iter_mut().zip(src).zip(scale) {
                    *v = (raw - center) * inv;
                }
                continue;
            }
            for (v, c) in row.iter_mut().zip(&cols.list) {
                let raw = src.map_or_else(|| x.get(i, c.j), |src| src[c.j]);
                *v = (if raw.is_nan() { c.fill } else { raw } - c.center) * c.inv;
            }
        }
    };
    if q > 0 {
        #[cfg(feature = "parallel")]
        {
            use rayon::prelude::*;
            z.par_chunks_mut(CHUNK * q)
                .enumerate()
                .for_each(|(c, block)| fill_rows(c * CHUNK, block));
        }
        #[cfg(not(feature = "parallel"))]
        z.chunks_mut(CHUNK * q)
            .enumerate()
            .for_each(|(c, block)| fill_rows(c * CHUNK, block));
    }
    Ok(Prepared {
        z,
        cols,
        on_read: false,
        active,
        center,
        scale,
        means,
        constant,
    })
}
/// [`chunked`] for the passes an optimiser repeats (loss, gradient and Hessian over every row): checks
/// for an interrupt ([`crate::interrupt`]) before each chunk of [`CHUNK`] rows, on rayon's threads under
/// [`crate::interrupt::watch`], so that a fit on millions of rows stops within milliseconds of Ctrl-C
/// instead of after a whole pass (about 0.5 s of CPU for 1,000,000 × 40). The same chunks, merged in the
/// same order: results do not change.
pub(super) fn chunked_checked<T: Send>(
    n: usize,
    f: impl Fn(std::ops::Range<usize>) -> T + Sync,
) -> Result<Vec<T>> {
    let starts: Vec<usize> = (0..n).step_by(CHUNK).collect();
    let run = |&s: &usize| -> Result<T> {
        crate::interrupt::check()?;
        Ok(f(s..(s + CHUNK).min(n)))
    };
    #[cfg(feature = "parallel")]
    if n >= 4 * CHUNK {
        use rayon::prelude::*;
        return crate::interrupt::watch(|| starts.par_iter().map(run).collect());
    }
    starts.iter().map(run).collect()
}

/// Runs `f` on fixed chunks of rows (in parallel when there are many) and returns the results in order.
pub(super) fn chunked<T: Send>(n: usize, f: impl Fn(std::ops::Range<usize>) -> T + Sync) -> Vec<T> {
    let starts: Vec<usize> = (0..n).step_by(CHUNK).collect();
    let run = |&s: &usize| f(s..(s + CHUNK).min(n));
    #[cfg(feature = "parallel")]
    if n >= 4 * CHUNK {
        use rayon::prelude::*;
        return starts.par_iter().map(run).collect();
    }
    starts.iter().map(run).collect()
}
