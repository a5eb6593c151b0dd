//! k-means: k-means++ seeding, `n_init` restarts, Lloyd's or Hamerly's exact iterations (whichever is
//! faster for the shape, by default), standardisation and the silhouette score.
//!
//! The iteration follows scikit-learn's `KMeans` (`algorithm="lloyd"`) step for step, so that from the
//! same initial centres both give the same labels and inertia: the data are centred on their column
//! means first; each iteration assigns every point to its nearest centre (lowest index on an exact tie),
//! moves each centre to the mean of its points (an empty cluster takes the point farthest from its
//! centre), and stops when no label changed ("strict convergence") or when the sum of squared centre
//! shifts is at most `tol × mean column variance`; without strict convergence the labels are reassigned
//! to the final centres. Hamerly (2010, "Making k-means even faster", SIAM SDM) keeps one upper and one
//! lower distance bound per point, so most points skip the distance pass after the first iterations; the
//! labels are the exact nearest centres, as with Lloyd's algorithm, which computes every distance.
//! [`Algorithm::Auto`] (the default) picks one of the two from the number of clusters and columns
//! ([`Algorithm::resolve`]); the model records which ran.
//!
//! Parallel passes (rayon, feature `parallel`, above [`PARALLEL_ROWS`]) work on fixed blocks of rows and
//! add the blocks' partial sums in block order, so the result depends on the seed only, never on the
//! number of threads.

mod bytes;
mod hamerly;
mod init;
mod kernel;
mod lloyd;
mod quality;
#[cfg(test)]
mod tests;

pub use init::kmeans_plusplus;
pub use quality::{Scaling, silhouette_score, standardize};

use ndarray::{Array2, ArrayView2, Axis};

use crate::error::{Error, Result};
use crate::interrupt::Ticker;
use crate::traits::{Fit, Predict};

use hamerly::Rows;
use init::plusplus;
use kernel::{Lanes, nearest_rows};
use lloyd::{Run, centred, column_means, mean_variance, run};

/// Rows per block of a distance pass (fixed, so block sums do not depend on the thread count).
const BLOCK: usize = 4096;

/// Rows from which distance passes run on several threads (with the `parallel` feature).
pub const PARALLEL_ROWS: usize = 32_768;

/// The iteration scheme. Every choice gives the exact Lloyd iteration (the same labels, centres and
/// iterations from the same start); they differ in speed only.
///
/// ```
/// use voc_core::segment::Algorithm;
/// assert_eq!("lloyd".parse::<Algorithm>()?, Algorithm::Lloyd);
/// assert_eq!(Algorithm::default(), Algorithm::Auto);
/// assert_eq!(Algorithm::Hamerly.to_string(), "hamerly");
/// assert!("elkan".parse::<Algorithm>().is_err());
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Algorithm {
    /// Lloyd or Hamerly, whichever is faster for the number of clusters and columns
    /// ([`Algorithm::resolve`]; default).
    #[default]
    Auto,
    /// Hamerly (2010): exact, with one upper and one lower bound per point.
    Hamerly,
    /// Lloyd: every point-centre distance in every iteration.
    Lloyd,
}

crate::named_enum!(Algorithm, "algorithm", {
    Auto => "auto",
    Hamerly => "hamerly",
    Lloyd => "lloyd",
});

/// Most clusters, and most columns, for which [`Algorithm::Auto`] runs Lloyd's iteration (one group of
/// the distance kernel's lanes).
pub const AUTO_LLOYD_MAX: usize = kernel::LANES;

impl Algorithm {
    /// The scheme a fit with `k` clusters on `cols` columns runs: [`Algorithm::Auto`] becomes
    /// [`Algorithm::Lloyd`] when both `k` and `cols` are at most [`AUTO_LLOYD_MAX`] (8), else
    /// [`Algorithm::Hamerly`]; an explicit choice is kept.
    ///
    /// Why: with at most 8 centres the kernel computes a row's distances to all of them in one group
    /// of vector lanes, and with at most 8 columns that is at most 8 vector subtract-multiply-adds per
    /// row, with the centres in registers. Hamerly's bookkeeping costs about as much (two bounds read
    /// and written per row, the shift look-ups, a branch), and a row that fails its bound test — most
    /// rows in the first iterations — computes distances twice (to its own centre, then to all with
    /// the second nearest). Above 8 centres (more lane groups) or 8 columns, the distances it skips
    /// dominate. Timed from the same start on planted clusters, 200k, 500k and 1M rows (2 cores,
    /// AVX-512; time of Hamerly ÷ time of Lloyd, median of 5): with k ∈ {2, 4, 8} on 2, 4 or 8 columns,
    /// 0.75–1.89 over 18 cells, Lloyd faster in 13 (1.21 on 1M × 8 with k = 8, 9 iterations), level in
    /// 3, slower in 2 (k = 2 on 8 columns, 2–4 iterations: 0.75 and 0.85); with k ∈ {2, 4, 8} on 12 to
    /// 32 columns, 0.67–1.08; with k from 12 to 64, 0.18–0.71 (1.01 once, k = 16 on 2 columns). So a
    /// wrong pick near the boundary costs up to about 25%, while the right one far from it is 1.4–5×
    /// faster.
    ///
    /// ```
    /// use voc_core::segment::Algorithm;
    /// assert_eq!(Algorithm::Auto.resolve(8, 8), Algorithm::Lloyd);
    /// assert_eq!(Algorithm::Auto.resolve(9, 2), Algorithm::Hamerly);
    /// assert_eq!(Algorithm::Auto.resolve(4, 32), Algorithm::Hamerly);
    /// assert_eq!(Algorithm::Hamerly.resolve(8, 8), Algorithm::Hamerly);
    /// ```
    pub fn resolve(self, k: usize, cols: usize) -> Algorithm {
        match self {
            Algorithm::Auto if k <= AUTO_LLOYD_MAX && cols <= AUTO_LLOYD_MAX => Algorithm::Lloyd,
            Algorithm::Auto => Algorithm::Hamerly,
            explicit => explicit,
        }
    }
}

/// k-means options (defaults as scikit-learn: 8 clusters, 300 iterations, `tol` 1e-4, one k-means++
/// start). Validated once, when fitting.
///
/// ```
/// use voc_core::segment::KMeansOptions;
/// let opts = KMeansOptions::default().k(2).seed(7);
/// assert_eq!((opts.k, opts.seed, opts.max_iter), (2, 7, 300));
/// assert!(opts.validate().is_ok());
/// assert!(KMeansOptions::default().k(0).validate().is_err());
/// assert!(KMeansOptions::default().tol(-1.0).validate().is_err());
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct KMeansOptions {
    /// Number of clusters (≥ 1; default 8).
    pub k: usize,
    /// Independent k-means++ starts; the run with the lowest inertia wins (first on a tie).
    pub n_init: usize,
    /// Iteration limit per start.
    pub max_iter: usize,
    /// Relative tolerance: stop when Σ squared centre shifts ≤ `tol` × mean column variance.
    pub tol: f64,
    /// Seed of the k-means++ draws (start `i` uses a stream derived from `seed` and `i`).
    pub seed: u64,
    /// Iteration scheme (default [`Algorithm::Auto`]).
    pub algorithm: Algorithm,
    /// Use several threads above [`PARALLEL_ROWS`] rows (results do not depend on it).
    pub parallel: bool,
}

/// Most starts [`KMeansOptions::n_init`] may ask for (each is a full fit); more are an
/// [`Error::TooLarge`] naming `n_init`.
pub const MAX_N_INIT: usize = 1_000;

/// Most iterations per start [`KMeansOptions::max_iter`] may ask for; more are an [`Error::TooLarge`]
/// naming `max_iter`.
pub const MAX_ITER: usize = 100_000;

impl Default for KMeansOptions {
    fn default() -> Self {
        KMeansOptions {
            k: 8,
            n_init: 1,
            max_iter: 300,
            tol: 1e-4,
            seed: 0,
            algorithm: Algorithm::Auto,
            parallel: true,
        }
    }
}

impl KMeansOptions {
    /// Allows (or forbids) several threads above [`PARALLEL_ROWS`] rows.
    ///
    /// ```
    /// assert!(!voc_core::segment::KMeansOptions::default().parallel(false).parallel);
    /// ```
    pub fn parallel(mut self, parallel: bool) -> Self {
        self.parallel = parallel;
        self
    }

    /// Checks the options (called by every fit).
    ///
    /// ```
    /// use voc_core::segment::KMeansOptions;
    /// assert!(KMeansOptions::default().k(2).n_init(0).validate().is_err());
    /// ```
    pub fn validate(&self) -> Result<()> {
        if self.k == 0 {
            return Err(Error::option("k", self.k, "need at least one cluster"));
        }
        if self.k > u32::MAX as usize {
            return Err(Error::option("k", self.k, "too many clusters"));
        }
        if self.n_init == 0 {
            return Err(Error::option(
                "n_init",
                self.n_init,
                "need at least one start",
            ));
        }
        if self.max_iter == 0 {
            return Err(Error::option(
                "max_iter",
                self.max_iter,
                "need at least one iteration",
            ));
        }
        if self.n_init > MAX_N_INIT {
            return Err(Error::too_large(
                "n_init",
                self.n_init,
                MAX_N_INIT,
                "k-means restarts (each is a full fit; scikit-learn's default is 1 to 10)",
            ));
        }
        if self.max_iter > MAX_ITER {
            return Err(Error::too_large(
                "max_iter",
                self.max_iter,
                MAX_ITER,
                "Lloyd/Hamerly iterations per start (the default is 300)",
            ));
        }
        if !(self.tol >= 0.0) || !self.tol.is_finite() {
            return Err(Error::option("tol", self.tol, "must be finite and ≥ 0"));
        }
        Ok(())
    }
}

crate::setters!(KMeansOptions {
    k: usize,
    n_init: usize,
    max_iter: usize,
    tol: f64,
    seed: u64,
    algorithm: Algorithm
});

/// A fitted k-means clustering: fit it with [`Fit`] on the options (or [`kmeans`] / [`kmeans_from`]),
/// label new rows with [`Predict`].
///
/// ```
/// use ndarray::array;
/// use voc_core::{Fit, Predict};
/// use voc_core::segment::{Algorithm, KMeansOptions};
/// let x = array![[0.0, 0.0], [0.1, 0.0], [5.0, 5.0], [5.1, 5.0]];
/// let fit = KMeansOptions::default().k(2).fit(x.view())?;
/// assert_eq!(fit.labels[0], fit.labels[1]);
/// assert_ne!(fit.labels[0], fit.labels[2]);
/// assert!((fit.inertia - 0.01).abs() < 1e-12);
/// assert_eq!(fit.algorithm, Some(Algorithm::Lloyd)); // what the default (auto) ran
/// assert_eq!(fit.predict(x.view())?, fit.labels);
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct KMeans {
    /// Centres, `k × columns`.
    pub centers: Array2<f64>,
    /// Cluster of each row.
    pub labels: Vec<u32>,
    /// Sum of squared distances of the rows to their centres.
    pub inertia: f64,
    /// Iterations run (of the winning start).
    pub iterations: usize,
    /// Whether the winning start met the stopping rule before `max_iter`.
    pub converged: bool,
    /// The iteration scheme that ran ([`Algorithm::Lloyd`] or [`Algorithm::Hamerly`], never
    /// [`Algorithm::Auto`]: what [`Algorithm::resolve`] chose); `None` for a model read from version-1
    /// bytes, which did not record it.
    #[cfg_attr(feature = "serde", serde(default))]
    pub algorithm: Option<Algorithm>,
}

impl KMeans {
    /// Number of clusters (rows of [`centers`](KMeans::centers)).
    ///
    /// ```
    /// use voc_core::Fit;
    /// use voc_core::segment::KMeansOptions;
    /// let fit = KMeansOptions::default().k(1).fit(ndarray::array![[1.0], [3.0]].view())?;
    /// assert_eq!((fit.k(), fit.cols()), (1, 1));
    /// assert_eq!(fit.centers, ndarray::array![[2.0]]);
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn k(&self) -> usize {
        self.centers.nrows()
    }

    /// Number of columns (of the centres and of the data).
    ///
    /// ```
    /// use voc_core::Fit;
    /// use voc_core::segment::KMeansOptions;
    /// let fit = KMeansOptions::default().k(1).fit(ndarray::array![[1.0, 2.0]].view())?;
    /// assert_eq!(fit.cols(), 2);
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn cols(&self) -> usize {
        self.centers.ncols()
    }
}

impl Fit<ArrayView2<'_, f64>> for KMeansOptions {
    type Model = KMeans;

    /// k-means with `n_init` k-means++ starts: [`kmeans`].
    fn fit(&self, x: ArrayView2<'_, f64>) -> Result<KMeans> {
        kmeans(x, self)
    }
}

impl Predict<ArrayView2<'_, f64>> for KMeans {
    type Output = Vec<u32>;

    /// The nearest centre of each row of `x` (lowest index on a tie); `x` may have any layout.
    ///
    /// ```
    /// use ndarray::array;
    /// use voc_core::Predict;
    /// use voc_core::segment::{kmeans_from, KMeansOptions};
    /// let opts = KMeansOptions::default().k(2);
    /// let fit = kmeans_from(array![[0.0], [10.0]].view(), array![[0.0], [10.0]].view(), &opts)?;
    /// assert_eq!(fit.predict(array![[1.0], [9.0], [5.0]].view())?, vec![0, 1, 0]);
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    fn predict(&self, x: ArrayView2<'_, f64>) -> Result<Vec<u32>> {
        let cols = self.cols();
        if x.ncols() != cols {
            return Err(Error::LengthMismatch {
                arg: "x columns",
                len: x.ncols(),
                other: "centres columns",
                other_len: cols,
            });
        }
        check_finite("x", x)?;
        let centers = self.centers.as_standard_layout();
        let lanes = Lanes::new(centers.as_slice().unwrap_or(&[]), cols);
        let data = x.as_slice();
        let parts = blocks(x.nrows(), true, |start, end| {
            let mut out = vec![0; end - start];
            match data {
                Some(d) => nearest_rows(&lanes, &d[start * cols..end * cols], cols, &mut out),
                None => {
                    let mut rows = Vec::with_capacity((end - start) * cols);
                    for_rows(x, start, end, |_, row| rows.extend_from_slice(row));
                    nearest_rows(&lanes, &rows, cols, &mut out);
                }
            }
            out
        });
        Ok(parts.concat())
    }
}

/// Checks that every value of `x` is finite; the error names the first bad row (row-major order).
fn check_finite(arg: &'static str, x: ArrayView2<'_, f64>) -> Result<()> {
    // Fast path for C-ordered data: a branch-free scan of blocks, the rows only when a block fails.
    if let Some(data) = x.as_slice() {
        let block = BLOCK * x.ncols().max(1);
        if data
            .chunks(block)
            .all(|c| c.iter().fold(true, |ok, v| ok & v.is_finite()))
        {
            return Ok(());
        }
    }
    for (i, row) in x.rows().into_iter().enumerate() {
        if let Some(&value) = row.iter().find(|v| !v.is_finite()) {
            return Err(Error::NonFinite {
                arg,
                index: i,
                value,
            });
        }
    }
    Ok(())
}

/// Calls `f(i, row)` for rows `start..end` of `x`, each as a slice: read in place when the row is
/// contiguous (C order, or a row-strided view of it), copied into one scratch row otherwise (Fortran
/// order, transposed views). The values and their order are the same for every layout.
fn for_rows(x: ArrayView2<'_, f64>, start: usize, end: usize, mut f: impl FnMut(usize, &[f64])) {
    let mut scratch: Vec<f64> = Vec::new();
    for i in start..end.min(x.nrows()) {
        let row = x.index_axis_move(Axis(0), i);
        match row.to_slice() {
            Some(r) => f(i, r),
            None => {
                scratch.clear();
                scratch.extend(row.iter().copied());
                f(i, &scratch);
            }
        }
    }
}

/// A `rows × cols` matrix from row-major values.
fn to_matrix(rows: usize, cols: usize, values: Vec<f64>) -> Result<Array2<f64>> {
    Array2::from_shape_vec((rows, cols), values)
        .map_err(|e| Error::InsufficientData(format!("centres of shape {rows} × {cols}: {e}")))
}

#[inline]
fn sq_dist(a: &[f64], b: &[f64]) -> f64 {
    // Four independent accumulators let the compiler use vector lanes.
    let mut acc = [0.0_f64; 4];
    let mut ca = a.chunks_exact(4);
    let mut cb = b.chunks_exact(4);
    for (x, y) in (&mut ca).zip(&mut cb) {
        for l in 0..4 {
            let d = x[l] - y[l];
            acc[l] += d * d;
        }
    }
    let mut s = (acc[0] + acc[1]) + (acc[2] + acc[3]);
    for (x, y) in ca.remainder().iter().zip(cb.remainder()) {
        s += (x - y) * (x - y);
    }
    s
}

/// Nearest and second-nearest squared distances: (index, d1², d2²); the lowest index wins a tie. The
/// scalar reference of [`kernel::Lanes::nearest`], which the iterations use.
#[cfg(test)]
fn nearest(row: &[f64], centers: &[f64], cols: usize) -> (usize, f64, f64) {
    let mut best = (0, f64::INFINITY, f64::INFINITY);
    for (j, c) in centers.chunks_exact(cols).enumerate() {
        let d = sq_dist(row, c);
        if d < best.1 {
            best = (j, d, best.1);
        } else if d < best.2 {
            best.2 = d;
        }
    }
    best
}

/// Runs `f` on each block of `BLOCK` rows (on several threads when asked), results in block order.
fn blocks<T, F>(rows: usize, parallel: bool, f: F) -> Vec<T>
where
    T: Send,
    F: Fn(usize, usize) -> T + Sync + Send,
{
    let n_blocks = rows.div_ceil(BLOCK);
    let run = |b: usize| f(b * BLOCK, ((b + 1) * BLOCK).min(rows));
    #[cfg(feature = "parallel")]
    if parallel && rows >= PARALLEL_ROWS {
        use rayon::prelude::*;
        return (0..n_blocks).into_par_iter().map(run).collect();
    }
    let _ = parallel;
    (0..n_blocks).map(run).collect()
}

fn check_input(x: ArrayView2<'_, f64>, opts: &KMeansOptions) -> Result<()> {
    opts.validate()?;
    if x.nrows() == 0 {
        return Err(Error::Empty {
            arg: "x",
            what: "k-means needs at least one row",
        });
    }
    if x.ncols() == 0 {
        return Err(Error::Empty {
            arg: "x",
            what: "k-means needs at least one column",
        });
    }
    if x.nrows() < opts.k {
        return Err(Error::InsufficientData(format!(
            "k-means with k = {} needs at least {} rows, got {}",
            opts.k,
            opts.k,
            x.nrows()
        )));
    }
    Ok(())
}

/// Column means of the data, checked finite: a non-finite value makes its column's sum non-finite,
/// so the data are scanned for the bad row only then (no separate pass over clean data).
fn checked_means(x: ArrayView2<'_, f64>) -> Result<Vec<f64>> {
    let means = column_means(x);
    if means.iter().any(|m| !m.is_finite()) {
        check_finite("x", x)?;
    }
    Ok(means)
}

/// The data a fit reads, centred on the column means: a C-ordered input in place (each row centred as
/// it is read), any other layout as one centred row-major copy.
struct Prepared<'a> {
    data: std::borrow::Cow<'a, [f64]>,
    shift: Vec<f64>,
    means: Vec<f64>,
    cols: usize,
    /// Mean of the column variances (population), the scale of the tolerance.
    variance: f64,
}

impl<'a> Prepared<'a> {
    fn new(x: ArrayView2<'a, f64>, means: Vec<f64>, parallel: bool) -> Self {
        let cols = x.ncols();
        match x.to_slice() {
            Some(data) => Prepared {
                variance: mean_variance(x, &means),
                data: data.into(),
                shift: means.clone(),
                means,
                cols,
            },
            None => {
                let (copy, variance) = centred(x, &means, parallel);
                Prepared {
                    data: copy.into(),
                    shift: vec![0.0; cols],
                    means,
                    cols,
                    variance,
                }
            }
        }
    }

    fn rows(&self) -> Rows<'_> {
        Rows {
            data: &self.data,
            shift: &self.shift,
            cols: self.cols,
        }
    }
}

/// The fitted model: the winning run's centres moved back by the column means.
fn finish(fit: Run, means: &[f64]) -> Result<KMeans> {
    let cols = means.len();
    let Run {
        mut centers,
        labels,
        inertia,
        iterations,
        converged,
        algorithm,
    } = fit;
    for row in centers.chunks_exact_mut(cols) {
        for (c, m) in row.iter_mut().zip(means) {
            *c += m;
        }
    }
    Ok(KMeans {
        centers: to_matrix(centers.len() / cols, cols, centers)?,
        labels,
        inertia,
        iterations,
        converged,
        algorithm: Some(algorithm),
    })
}

/// k-means from given initial centres (`k × columns`, `k` must equal `opts.k`). One run: `n_init` and
/// `seed` are not used. `x` and `init` may have any memory layout; the data are centred into one
/// row-major buffer, which the iterations read.
///
/// ```
/// use ndarray::array;
/// use voc_core::segment::{kmeans_from, KMeansOptions};
/// let x = array![[1.0], [2.0], [10.0], [12.0]];
/// let fit = kmeans_from(x.view(), array![[0.0], [20.0]].view(), &KMeansOptions::default().k(2))?;
/// assert_eq!(fit.labels, vec![0, 0, 1, 1]);
/// assert_eq!(fit.centers, array![[1.5], [11.0]]);
/// assert!((fit.inertia - 2.5).abs() < 1e-12);
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn kmeans_from(
    x: ArrayView2<'_, f64>,
    init: ArrayView2<'_, f64>,
    opts: &KMeansOptions,
) -> Result<KMeans> {
    check_input(x, opts)?;
    let cols = x.ncols();
    if init.nrows() != opts.k {
        return Err(Error::LengthMismatch {
            arg: "init rows",
            len: init.nrows(),
            other: "k",
            other_len: opts.k,
        });
    }
    if init.ncols() != cols {
        return Err(Error::LengthMismatch {
            arg: "init columns",
            len: init.ncols(),
            other: "x columns",
            other_len: cols,
        });
    }
    check_finite("init", init)?;
    // Centre the data on the column means, as scikit-learn does, for accurate distances.
    let means = checked_means(x)?;
    let mut start = Vec::with_capacity(opts.k * cols);
    for_rows(init, 0, init.nrows(), |_, row| {
        start.extend(row.iter().zip(&means).map(|(v, m)| v - m));
    });
    let prepared = Prepared::new(x, means, opts.parallel);
    let tol = opts.tol * prepared.variance;
    finish(run(prepared.rows(), start, tol, opts)?, &prepared.means)
}

/// k-means with `n_init` k-means++ starts (start `i` seeded from `opts.seed` and `i`); the start with
/// the lowest inertia wins. The same as [`Fit::fit`] on the options. `x` may have any memory layout;
/// the data are centred into one row-major buffer, which the iterations read.
///
/// ```
/// use ndarray::Array2;
/// use voc_core::segment::{kmeans, KMeansOptions};
/// let x = Array2::from_shape_fn((60, 1), |(i, _)| (i % 3) as f64 * 10.0 + (i as f64) * 0.01);
/// let opts = KMeansOptions::default().k(3).n_init(4).seed(1);
/// let a = kmeans(x.view(), &opts)?;
/// assert_eq!(a, kmeans(x.view(), &opts)?); // same seed, same result
/// assert!(a.converged);
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn kmeans(x: ArrayView2<'_, f64>, opts: &KMeansOptions) -> Result<KMeans> {
    check_input(x, opts)?;
    let prepared = Prepared::new(x, checked_means(x)?, opts.parallel);
    let rows = prepared.rows();
    let tol = opts.tol * prepared.variance;
    let mut best: Option<Run> = None;
    let mut ticker = Ticker::new();
    for start in 0..opts.n_init {
        ticker.tick()?;
        let seed = opts
            .seed
            .wrapping_mul(0x9E37_79B9_7F4A_7C15)
            .wrapping_add(start as u64);
        let init = plusplus(rows, opts.k, seed, opts.parallel)?;
        let fit = run(rows, init, tol, opts)?;
        if best.as_ref().is_none_or(|b| fit.inertia < b.inertia) {
            best = Some(fit);
        }
    }
    let fit = best.ok_or(Error::Empty {
        arg: "n_init",
        what: "no start was run",
    })?;
    finish(fit, &prepared.means)
}
