//! k-means: k-means++ seeding, `n_init` restarts, Hamerly's exact accelerated iterations, standardisation
//! and the silhouette score.
//!
//! The iteration follows scikit-learn's `KMeans` (`algorithm="lloyd"`) step for step, so that from the
//! same initial centres both give the same labels and inertia: the data are centred on their column
//! means first; each iteration assigns every point to its nearest centre (lowest index on an exact tie),
//! moves each centre to the mean of its points (an empty cluster takes the point farthest from its
//! centre), and stops when no label changed ("strict convergence") or when the sum of squared centre
//! shifts is at most `tol × mean column variance`; without strict convergence the labels are reassigned
//! to the final centres. Hamerly (2010, "Making k-means even faster", SIAM SDM) keeps one upper and one lower distance bound per point, so most
//! points skip the distance pass after the first iterations; the labels are the exact nearest centres, as
//! with Lloyd's algorithm ([`Algorithm::Lloyd`] computes every distance, for comparison).
//!
//! Parallel passes (rayon, feature `parallel`, above [`PARALLEL_ROWS`]) work on fixed blocks of rows and
//! add the blocks' partial sums in block order, so the result depends on the seed only, never on the
//! number of threads.

mod hamerly;
mod init;
mod lloyd;
mod quality;
#[cfg(test)]
mod tests;

pub use init::kmeans_plusplus;
pub use quality::{Scaling, silhouette_score, standardize};

use crate::error::{Error, Result};

use init::plusplus;
use lloyd::{centred, column_means, mean_variance, run};

/// Rows per block of a distance pass (fixed, so block sums do not depend on the thread count).
const BLOCK: usize = 4096;

/// Rows from which distance passes run on several threads (with the `parallel` feature).
pub const PARALLEL_ROWS: usize = 32_768;

/// A dense row-major matrix of finite values (`rows × cols`), borrowed.
///
/// ```
/// use voc_core::segment::Points;
/// let p = Points::new(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], 2)?;
/// assert_eq!((p.rows(), p.cols()), (3, 2));
/// assert!(Points::new(&[1.0, f64::NAN], 2).is_err());
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Points<'a> {
    data: &'a [f64],
    cols: usize,
}

impl<'a> Points<'a> {
    /// Checks the shape (`data.len()` a multiple of `cols > 0`) and that every value is finite
    /// ([`Error::NonFinite`] names the row).
    pub fn new(data: &'a [f64], cols: usize) -> Result<Self> {
        if cols == 0 {
            return Err(Error::option("cols", cols, "need at least one column"));
        }
        if !data.len().is_multiple_of(cols) {
            return Err(Error::option(
                "x",
                data.len(),
                format!("{} values do not fill rows of {cols} columns", data.len()),
            ));
        }
        if let Some(i) = data.iter().position(|v| !v.is_finite()) {
            return Err(Error::NonFinite {
                arg: "x",
                index: i / cols,
                value: data[i],
            });
        }
        Ok(Points { data, cols })
    }

    /// Number of rows.
    ///
    /// ```
    /// assert_eq!(voc_core::segment::Points::new(&[1.0, 2.0], 1)?.rows(), 2);
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn rows(&self) -> usize {
        self.data.len() / self.cols
    }

    /// Number of columns.
    ///
    /// ```
    /// assert_eq!(voc_core::segment::Points::new(&[1.0, 2.0], 1)?.cols(), 1);
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn cols(&self) -> usize {
        self.cols
    }

    /// The values, row-major.
    ///
    /// ```
    /// assert_eq!(voc_core::segment::Points::new(&[1.0, 2.0], 2)?.data(), &[1.0, 2.0]);
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn data(&self) -> &'a [f64] {
        self.data
    }
}

/// The iteration scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Algorithm {
    /// Hamerly (2010): exact, with one upper and one lower bound per point (default).
    #[default]
    Hamerly,
    /// Lloyd: every point-centre distance in every iteration (reference; slower).
    Lloyd,
}

impl Algorithm {
    /// Parses "hamerly" or "lloyd".
    ///
    /// ```
    /// use voc_core::segment::Algorithm;
    /// assert_eq!(Algorithm::parse("lloyd")?, Algorithm::Lloyd);
    /// assert!(Algorithm::parse("elkan").is_err());
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn parse(name: &str) -> Result<Self> {
        match name {
            "hamerly" => Ok(Algorithm::Hamerly),
            "lloyd" => Ok(Algorithm::Lloyd),
            other => Err(Error::option(
                "algorithm",
                other,
                "expected \"hamerly\" or \"lloyd\"",
            )),
        }
    }
}

/// k-means options (defaults as scikit-learn: 300 iterations, `tol` 1e-4, one k-means++ start).
///
/// ```
/// use voc_core::segment::KMeansOptions;
/// assert!(KMeansOptions::new(3).validate().is_ok());
/// assert!(KMeansOptions::new(0).validate().is_err());
/// assert!(KMeansOptions { tol: -1.0, ..KMeansOptions::new(3) }.validate().is_err());
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct KMeansOptions {
    /// Number of clusters (≥ 1).
    pub k: usize,
    /// Independent k-means++ starts; the run with the lowest inertia wins (first on a tie).
    pub n_init: usize,
    /// Iteration limit per start.
    pub max_iter: usize,
    /// Relative tolerance: stop when Σ squared centre shifts ≤ `tol` × mean column variance.
    pub tol: f64,
    /// Seed of the k-means++ draws (start `i` uses a stream derived from `seed` and `i`).
    pub seed: u64,
    /// Iteration scheme.
    pub algorithm: Algorithm,
    /// Use several threads above [`PARALLEL_ROWS`] rows (results do not depend on it).
    pub parallel: bool,
}

impl KMeansOptions {
    /// Defaults for `k` clusters.
    ///
    /// ```
    /// assert_eq!(voc_core::segment::KMeansOptions::new(8).max_iter, 300);
    /// ```
    pub fn new(k: usize) -> Self {
        KMeansOptions {
            k,
            n_init: 1,
            max_iter: 300,
            tol: 1e-4,
            seed: 0,
            algorithm: Algorithm::Hamerly,
            parallel: true,
        }
    }

    /// Checks the options.
    ///
    /// ```
    /// use voc_core::segment::KMeansOptions;
    /// assert!(KMeansOptions { n_init: 0, ..KMeansOptions::new(2) }.validate().is_err());
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
        if !(self.tol >= 0.0) || !self.tol.is_finite() {
            return Err(Error::option("tol", self.tol, "must be finite and ≥ 0"));
        }
        Ok(())
    }
}

/// A fitted k-means clustering.
///
/// ```
/// use voc_core::segment::{kmeans, KMeansOptions, Points};
/// let x = [0.0, 0.0, 0.1, 0.0, 5.0, 5.0, 5.1, 5.0];
/// let fit = kmeans(Points::new(&x, 2)?, &KMeansOptions::new(2))?;
/// assert_eq!(fit.labels[0], fit.labels[1]);
/// assert_ne!(fit.labels[0], fit.labels[2]);
/// assert!((fit.inertia - 0.01).abs() < 1e-12);
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct KMeans {
    /// Number of clusters.
    pub k: usize,
    /// Number of columns.
    pub cols: usize,
    /// Centres, row-major `k × cols`.
    pub centers: Vec<f64>,
    /// Cluster of each row.
    pub labels: Vec<u32>,
    /// Sum of squared distances of the rows to their centres.
    pub inertia: f64,
    /// Iterations run (of the winning start).
    pub iterations: usize,
    /// Whether the winning start met the stopping rule before `max_iter`.
    pub converged: bool,
}

impl KMeans {
    /// Centre `j` (empty slice if `j ≥ k`).
    ///
    /// ```
    /// use voc_core::segment::{kmeans_from, KMeansOptions, Points};
    /// let fit = kmeans_from(Points::new(&[1.0, 3.0], 1)?, &[0.0], &KMeansOptions::new(1))?;
    /// assert_eq!(fit.center(0), &[2.0]);
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn center(&self, j: usize) -> &[f64] {
        self.centers
            .get(j * self.cols..(j + 1) * self.cols)
            .unwrap_or(&[])
    }

    /// The nearest centre of each row of `x` (lowest index on a tie).
    ///
    /// ```
    /// use voc_core::segment::{kmeans_from, KMeansOptions, Points};
    /// let fit = kmeans_from(Points::new(&[0.0, 10.0], 1)?, &[0.0, 10.0], &KMeansOptions::new(2))?;
    /// assert_eq!(fit.predict(Points::new(&[1.0, 9.0, 5.0], 1)?)?, vec![0, 1, 0]);
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn predict(&self, x: Points<'_>) -> Result<Vec<u32>> {
        if x.cols() != self.cols {
            return Err(Error::LengthMismatch {
                arg: "x columns",
                len: x.cols(),
                other: "centres columns",
                other_len: self.cols,
            });
        }
        Ok(x.data()
            .chunks_exact(self.cols)
            .map(|row| nearest(row, &self.centers, self.cols).0 as u32)
            .collect())
    }
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

/// Nearest and second-nearest squared distances: (index, d1², d2²); the lowest index wins a tie.
#[inline]
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

fn check_input(x: &Points<'_>, opts: &KMeansOptions) -> Result<()> {
    opts.validate()?;
    if x.rows() == 0 {
        return Err(Error::Empty {
            arg: "x",
            what: "k-means needs at least one row",
        });
    }
    if x.rows() < opts.k {
        return Err(Error::InsufficientData(format!(
            "k-means with k = {} needs at least {} rows, got {}",
            opts.k,
            opts.k,
            x.rows()
        )));
    }
    Ok(())
}

/// k-means from given initial centres (`k × cols`, row-major; `k` is `init.len() / cols` and must equal
/// `opts.k`). One run: `n_init` and `seed` are not used.
///
/// ```
/// use voc_core::segment::{kmeans_from, KMeansOptions, Points};
/// let x = [1.0, 2.0, 10.0, 12.0];
/// let fit = kmeans_from(Points::new(&x, 1)?, &[0.0, 20.0], &KMeansOptions::new(2))?;
/// assert_eq!(fit.labels, vec![0, 0, 1, 1]);
/// assert_eq!(fit.centers, vec![1.5, 11.0]);
/// assert!((fit.inertia - 2.5).abs() < 1e-12);
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn kmeans_from(x: Points<'_>, init: &[f64], opts: &KMeansOptions) -> Result<KMeans> {
    check_input(&x, opts)?;
    let cols = x.cols();
    if init.len() != opts.k * cols {
        return Err(Error::LengthMismatch {
            arg: "init",
            len: init.len(),
            other: "k × columns",
            other_len: opts.k * cols,
        });
    }
    if let Some(i) = init.iter().position(|v| !v.is_finite()) {
        return Err(Error::NonFinite {
            arg: "init",
            index: i / cols,
            value: init[i],
        });
    }
    // Centre the data on the column means, as scikit-learn does, for accurate distances.
    let means = column_means(x.data(), cols);
    let centred = centred(x.data(), cols, &means, opts.parallel);
    let init: Vec<f64> = init
        .chunks_exact(cols)
        .flat_map(|row| row.iter().zip(&means).map(|(v, m)| v - m))
        .collect();
    let tol = opts.tol * mean_variance(x.data(), cols, &means);
    let mut fit = run(&centred, cols, init, tol, opts);
    for row in fit.centers.chunks_exact_mut(cols) {
        for (c, m) in row.iter_mut().zip(&means) {
            *c += m;
        }
    }
    Ok(fit)
}

/// k-means with `n_init` k-means++ starts (start `i` seeded from `opts.seed` and `i`); the start with
/// the lowest inertia wins.
///
/// ```
/// use voc_core::segment::{kmeans, KMeansOptions, Points};
/// let x: Vec<f64> = (0..60).map(|i| (i % 3) as f64 * 10.0 + (i as f64) * 0.01).collect();
/// let opts = KMeansOptions { n_init: 4, seed: 1, ..KMeansOptions::new(3) };
/// let a = kmeans(Points::new(&x, 1)?, &opts)?;
/// assert_eq!(a, kmeans(Points::new(&x, 1)?, &opts)?); // same seed, same result
/// assert!(a.converged);
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn kmeans(x: Points<'_>, opts: &KMeansOptions) -> Result<KMeans> {
    check_input(&x, opts)?;
    let cols = x.cols();
    let means = column_means(x.data(), cols);
    let centred = centred(x.data(), cols, &means, opts.parallel);
    let tol = opts.tol * mean_variance(x.data(), cols, &means);
    let mut best: Option<KMeans> = None;
    for start in 0..opts.n_init {
        let seed = opts
            .seed
            .wrapping_mul(0x9E37_79B9_7F4A_7C15)
            .wrapping_add(start as u64);
        let init = plusplus(&centred, cols, opts.k, seed, opts.parallel);
        let fit = run(&centred, cols, init, tol, opts);
        if best.as_ref().is_none_or(|b| fit.inertia < b.inertia) {
            best = Some(fit);
        }
    }
    let mut fit = best.ok_or(Error::Empty {
        arg: "n_init",
        what: "no start was run",
    })?;
    for row in fit.centers.chunks_exact_mut(cols) {
        for (c, m) in row.iter_mut().zip(&means) {
            *c += m;
        }
    }
    Ok(fit)
}
