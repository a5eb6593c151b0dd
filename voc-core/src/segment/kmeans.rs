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

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::error::{Error, Result};
use crate::stats::NeumaierSum;

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

/// Per-point state of a run: the label and Hamerly's bounds (distances, not squared).
#[derive(Debug, Clone, Copy)]
struct PointState {
    label: u32,
    upper: f64,
    lower: f64,
}

/// Runs `f` on each block of `BLOCK` points of `state` (on several threads when asked) and returns the
/// block results in block order.
fn blocks_mut<T, F>(state: &mut [PointState], parallel: bool, f: F) -> Vec<T>
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
struct Partial {
    sums: Vec<f64>,
    counts: Vec<i64>,
    changed: usize,
}

struct Pass<'a> {
    x: &'a [f64],
    cols: usize,
    k: usize,
    parallel: bool,
    exact: bool,
}

impl Pass<'_> {
    /// Assigns every point (using and updating the bounds unless `exact` or `fresh`) and returns the
    /// change of the per-cluster sums and counts (points that moved leave one cluster and join another;
    /// with `fresh` every point joins) and how many labels changed. `half_gap[j]` is half the distance
    /// from centre `j` to its nearest other centre.
    fn assign(
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

    fn inertia(&self, centers: &[f64], st: &mut [PointState]) -> f64 {
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

fn half_gaps(centers: &[f64], k: usize, cols: usize) -> Vec<f64> {
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

/// Column sums in fixed blocks (plain sums inside a block, compensated across blocks) of `f(value, col)`.
fn column_sums(
    x: &[f64],
    cols: usize,
    parallel: bool,
    f: impl Fn(f64, usize) -> f64 + Sync + Send,
) -> Vec<f64> {
    let rows = x.len() / cols;
    let parts = blocks(rows, parallel, |start, end| {
        let mut acc = vec![0.0; cols];
        for row in x[start * cols..end * cols].chunks_exact(cols) {
            for (c, (a, v)) in acc.iter_mut().zip(row).enumerate() {
                *a += f(*v, c);
            }
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

fn column_means(x: &[f64], cols: usize) -> Vec<f64> {
    let rows = (x.len() / cols).max(1) as f64;
    column_sums(x, cols, true, |v, _| v)
        .into_iter()
        .map(|s| s / rows)
        .collect()
}

/// Population variance of each column around `means`.
fn column_variances(x: &[f64], cols: usize, means: &[f64]) -> Vec<f64> {
    let rows = (x.len() / cols).max(1) as f64;
    column_sums(x, cols, true, |v, c| {
        let d = v - means[c];
        d * d
    })
    .into_iter()
    .map(|s| s / rows)
    .collect()
}

/// Mean of the column variances (population), the scale of scikit-learn's tolerance.
fn mean_variance(x: &[f64], cols: usize, means: &[f64]) -> f64 {
    column_variances(x, cols, means).iter().sum::<f64>() / cols as f64
}

/// `x` minus the column means (in blocks, on several threads for large data).
fn centred(x: &[f64], cols: usize, means: &[f64], parallel: bool) -> Vec<f64> {
    let mut out = vec![0.0; x.len()];
    let fill = |(o, i): (&mut [f64], &[f64])| {
        for (orow, irow) in o.chunks_exact_mut(cols).zip(i.chunks_exact(cols)) {
            for ((ov, iv), m) in orow.iter_mut().zip(irow).zip(means) {
                *ov = iv - m;
            }
        }
    };
    #[cfg(feature = "parallel")]
    if parallel && x.len() / cols >= PARALLEL_ROWS {
        use rayon::prelude::*;
        out.par_chunks_mut(BLOCK * cols)
            .zip(x.par_chunks(BLOCK * cols))
            .for_each(fill);
        return out;
    }
    let _ = parallel;
    out.chunks_mut(BLOCK * cols)
        .zip(x.chunks(BLOCK * cols))
        .for_each(fill);
    out
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

/// One run on centred data.
fn run(x: &[f64], cols: usize, mut centers: Vec<f64>, tol: f64, opts: &KMeansOptions) -> KMeans {
    let k = opts.k;
    let n = x.len() / cols;
    let pass = Pass {
        x,
        cols,
        k,
        parallel: opts.parallel,
        exact: opts.algorithm == Algorithm::Lloyd,
    };
    let mut st = vec![
        PointState {
            label: u32::MAX,
            upper: 0.0,
            lower: 0.0,
        };
        n
    ];
    let mut strict = false;
    let mut converged = false;
    let mut iterations = 0;
    let mut shifts = vec![0.0; k];
    // Per-cluster sums and counts of the current labels, kept up to date from the points that move.
    let mut sums = vec![0.0; k * cols];
    let mut counts = vec![0_i64; k];
    for it in 0..opts.max_iter {
        iterations = it + 1;
        let gaps = half_gaps(&centers, k, cols);
        let (d_sums, d_counts, changed) = pass.assign(&centers, &gaps, &mut st, it == 0);
        for (s, d) in sums.iter_mut().zip(&d_sums) {
            *s += d;
        }
        for (c, d) in counts.iter_mut().zip(&d_counts) {
            *c += d;
        }
        let mut new = sums.clone();
        let mut weights = counts.clone();
        relocate_empty(x, cols, &centers, &st, &mut new, &mut weights);
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
        if changed == 0 {
            strict = true;
            converged = true;
            break;
        }
        if shifts.iter().map(|s| s * s).sum::<f64>() <= tol {
            converged = true;
            break;
        }
        update_bounds(&mut st, &shifts);
    }
    if !strict {
        update_bounds(&mut st, &shifts);
        let gaps = half_gaps(&centers, k, cols);
        pass.assign(&centers, &gaps, &mut st, false);
    }
    let inertia = pass.inertia(&centers, &mut st);
    KMeans {
        k,
        cols,
        centers,
        labels: st.iter().map(|p| p.label).collect(),
        inertia,
        iterations,
        converged,
    }
}

/// Hamerly's bound update after the centres moved by `shifts`.
fn update_bounds(st: &mut [PointState], shifts: &[f64]) {
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

/// scikit-learn's `_relocate_empty_clusters_dense`: each empty cluster takes one of the points farthest
/// from their (old) centres, largest distance first (ties: lower row first).
fn relocate_empty(
    x: &[f64],
    cols: usize,
    centers: &[f64],
    st: &[PointState],
    sums: &mut [f64],
    counts: &mut [i64],
) {
    let empty: Vec<usize> = (0..counts.len()).filter(|&j| counts[j] == 0).collect();
    if empty.is_empty() {
        return;
    }
    let mut far: Vec<(f64, usize)> = x
        .chunks_exact(cols)
        .zip(st)
        .enumerate()
        .map(|(i, (row, p))| {
            let l = p.label as usize;
            (sq_dist(row, &centers[l * cols..(l + 1) * cols]), i)
        })
        .collect();
    far.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    for (&j, &(_, i)) in empty.iter().zip(&far) {
        let old = st[i].label as usize;
        let row = &x[i * cols..(i + 1) * cols];
        for (c, v) in row.iter().enumerate() {
            sums[old * cols + c] -= v;
            sums[j * cols + c] = *v;
        }
        counts[j] = 1;
        counts[old] -= 1;
    }
}

/// k-means++ seeding (Arthur & Vassilvitskii 2007) in scikit-learn's greedy form: the first centre is a
/// uniformly drawn row; each next centre is the best of `2 + ⌊ln k⌋` candidates drawn with probability
/// proportional to the squared distance to the nearest chosen centre (best = lowest total potential).
/// Seeded with ChaCha8; the draws differ from numpy's, so the centres differ from scikit-learn's.
///
/// ```
/// use voc_core::segment::{kmeans_plusplus, Points};
/// let x = [0.0, 0.1, 10.0, 10.1];
/// let c = kmeans_plusplus(Points::new(&x, 1)?, 2, 7)?;
/// assert!((c[0] < 5.0) != (c[1] < 5.0)); // one centre in each group
/// assert_eq!(c, kmeans_plusplus(Points::new(&x, 1)?, 2, 7)?); // seeded
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn kmeans_plusplus(x: Points<'_>, k: usize, seed: u64) -> Result<Vec<f64>> {
    check_input(&x, &KMeansOptions::new(k))?;
    Ok(plusplus(x.data(), x.cols(), k, seed, true))
}

fn plusplus(x: &[f64], cols: usize, k: usize, seed: u64, parallel: bool) -> Vec<f64> {
    let n = x.len() / cols;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let trials = 2 + (k as f64).ln().floor() as usize;
    let mut centers = Vec::with_capacity(k * cols);
    let first = rng.random_range(0..n);
    centers.extend_from_slice(&x[first * cols..(first + 1) * cols]);
    let mut closest: Vec<f64> = x.chunks_exact(cols).map(|r| sq_dist(r, &centers)).collect();
    let mut pot: f64 = closest.iter().sum();
    let mut cumulative = vec![0.0; n];
    for _ in 1..k {
        let mut acc = 0.0;
        for (c, d) in cumulative.iter_mut().zip(&closest) {
            acc += d;
            *c = acc;
        }
        let candidates: Vec<usize> = (0..trials)
            .map(|_| {
                let r = rng.random::<f64>() * pot;
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
    centers
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

/// Column means and scales of a standardisation.
///
/// ```
/// use voc_core::segment::{standardize, Points};
/// let (z, s) = standardize(Points::new(&[1.0, 5.0, 3.0, 5.0], 2)?)?;
/// assert_eq!(z, vec![-1.0, 0.0, 1.0, 0.0]); // constant column: scale 1, as scikit-learn
/// assert_eq!((s.means, s.scales), (vec![2.0, 5.0], vec![1.0, 1.0]));
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Scaling {
    /// Column means.
    pub means: Vec<f64>,
    /// Column standard deviations (population, ddof = 0); 1 for a constant column.
    pub scales: Vec<f64>,
}

impl Scaling {
    /// Applies the scaling to other rows with the same columns.
    ///
    /// ```
    /// use voc_core::segment::{standardize, Points};
    /// let (_, s) = standardize(Points::new(&[0.0, 2.0], 1)?)?;
    /// assert_eq!(s.transform(Points::new(&[4.0], 1)?)?, vec![3.0]);
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn transform(&self, x: Points<'_>) -> Result<Vec<f64>> {
        if x.cols() != self.means.len() {
            return Err(Error::LengthMismatch {
                arg: "x columns",
                len: x.cols(),
                other: "scaling columns",
                other_len: self.means.len(),
            });
        }
        Ok(x.data()
            .chunks_exact(x.cols())
            .flat_map(|row| {
                row.iter()
                    .zip(&self.means)
                    .zip(&self.scales)
                    .map(|((v, m), s)| (v - m) / s)
            })
            .collect())
    }
}

/// z-scores per column, as scikit-learn's `StandardScaler`: (x − mean) / std with the population
/// standard deviation; a column whose std is 0 (or below 10·ε·|mean|) keeps scale 1.
///
/// ```
/// use voc_core::segment::{standardize, Points};
/// assert!(standardize(Points::new(&[], 2)?).is_err());
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn standardize(x: Points<'_>) -> Result<(Vec<f64>, Scaling)> {
    if x.rows() == 0 {
        return Err(Error::Empty {
            arg: "x",
            what: "standardisation needs at least one row",
        });
    }
    let cols = x.cols();
    let means = column_means(x.data(), cols);
    let variances = column_variances(x.data(), cols, &means);
    let scales: Vec<f64> = variances
        .iter()
        .zip(&means)
        .map(|(v, m)| {
            let sd = v.sqrt();
            if sd < 10.0 * f64::EPSILON * m.abs().max(f64::MIN_POSITIVE) || sd == 0.0 {
                1.0
            } else {
                sd
            }
        })
        .collect();
    let scaling = Scaling { means, scales };
    Ok((scaling.transform(x)?, scaling))
}

/// Mean silhouette coefficient (Rousseeuw 1987) with Euclidean distances, as scikit-learn's
/// `silhouette_score`: for each row, a = mean distance to the other rows of its cluster, b = the lowest
/// mean distance to the rows of another cluster, s = (b − a) / max(a, b); s = 0 for a row alone in its
/// cluster (and when a = b = 0). Exact, O(n²): pass a sample for large data.
///
/// ```
/// use voc_core::segment::{silhouette_score, Points};
/// let x = [0.0, 1.0, 10.0, 11.0];
/// let s = silhouette_score(Points::new(&x, 1)?, &[0, 0, 1, 1])?;
/// assert!((s - (9.5 / 10.5 + 8.5 / 9.5) / 2.0).abs() < 1e-12);
/// assert!(silhouette_score(Points::new(&x, 1)?, &[0, 0, 0, 0]).is_err()); // one cluster
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn silhouette_score(x: Points<'_>, labels: &[u32]) -> Result<f64> {
    let n = x.rows();
    crate::error::check_len("x", n, "labels", labels.len())?;
    // Dense cluster codes, whatever the label values (a label of 4e9 must not size a table).
    let mut distinct = labels.to_vec();
    distinct.sort_unstable();
    distinct.dedup();
    let labels: Vec<u32> = labels
        .iter()
        .map(|l| distinct.binary_search(l).unwrap_or(0) as u32)
        .collect();
    let labels = labels.as_slice();
    let k = distinct.len();
    let mut sizes = vec![0_usize; k];
    for &l in labels {
        sizes[l as usize] += 1;
    }
    let present = sizes.iter().filter(|&&s| s > 0).count();
    if present < 2 || present > n.saturating_sub(1) {
        return Err(Error::InsufficientData(format!(
            "the silhouette needs 2 to n − 1 clusters, got {present} clusters in {n} rows"
        )));
    }
    let cols = x.cols();
    let data = x.data();
    let parts = blocks(n, true, |start, end| {
        let mut total = 0.0;
        let mut dist = vec![0.0; k];
        for i in start..end {
            dist.iter_mut().for_each(|d| *d = 0.0);
            let row = &data[i * cols..(i + 1) * cols];
            for (other, &l) in data.chunks_exact(cols).zip(labels) {
                dist[l as usize] += sq_dist(row, other).sqrt();
            }
            let own = labels[i] as usize;
            if sizes[own] <= 1 {
                continue;
            }
            let a = dist[own] / (sizes[own] - 1) as f64;
            let b = (0..k)
                .filter(|&j| j != own && sizes[j] > 0)
                .map(|j| dist[j] / sizes[j] as f64)
                .fold(f64::INFINITY, f64::min);
            let m = a.max(b);
            if m > 0.0 {
                total += (b - a) / m;
            }
        }
        total
    });
    let mut total = NeumaierSum::default();
    for p in parts {
        total.add(p);
    }
    Ok(total.value() / n as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blobs(n: usize, seed: u64) -> Vec<f64> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        (0..n)
            .flat_map(|i| {
                let c = (i % 4) as f64 * 3.0;
                let a = c + rng.random::<f64>() * 2.0;
                let b = -c + rng.random::<f64>() * 2.0;
                [a, b, rng.random::<f64>()]
            })
            .collect()
    }

    #[test]
    fn hamerly_equals_lloyd() -> Result<()> {
        let x = blobs(3000, 3);
        let p = Points::new(&x, 3)?;
        let init = kmeans_plusplus(p, 6, 11)?;
        let h = kmeans_from(p, &init, &KMeansOptions::new(6))?;
        let l = kmeans_from(
            p,
            &init,
            &KMeansOptions {
                algorithm: Algorithm::Lloyd,
                ..KMeansOptions::new(6)
            },
        )?;
        assert_eq!(h.labels, l.labels);
        assert_eq!(h.iterations, l.iterations);
        assert!((h.inertia - l.inertia).abs() <= 1e-9 * l.inertia);
        Ok(())
    }

    #[test]
    fn same_result_in_parallel_and_serial() -> Result<()> {
        let x = blobs(PARALLEL_ROWS + 5000, 5);
        let p = Points::new(&x, 3)?;
        let par = kmeans(p, &KMeansOptions::new(5))?;
        let ser = kmeans(
            p,
            &KMeansOptions {
                parallel: false,
                ..KMeansOptions::new(5)
            },
        )?;
        assert_eq!(par, ser); // bit for bit
        Ok(())
    }

    #[test]
    fn empty_cluster_takes_the_farthest_point() -> Result<()> {
        // Centre 2 is far from everything: it loses all points and is moved to the farthest one.
        let x = [0.0, 1.0, 2.0, 100.0];
        let fit = kmeans_from(
            Points::new(&x, 1)?,
            &[0.5, 1.5, 1000.0],
            &KMeansOptions::new(3),
        )?;
        assert_eq!(fit.labels[3], 2);
        assert_eq!(fit.center(2), &[100.0]);
        Ok(())
    }

    #[test]
    fn silhouette_takes_any_label_values() -> Result<()> {
        let x = [0.0, 1.0, 10.0, 11.0];
        let p = Points::new(&x, 1)?;
        let a = silhouette_score(p, &[0, 0, 1, 1])?;
        assert_eq!(a, silhouette_score(p, &[7, 7, u32::MAX, u32::MAX])?);
        Ok(())
    }

    #[test]
    fn bad_input_is_an_error() {
        assert!(matches!(
            Points::new(&[1.0, f64::INFINITY, 2.0, 3.0], 2),
            Err(Error::NonFinite { index: 0, .. })
        ));
        assert!(Points::new(&[1.0, 2.0, 3.0], 2).is_err());
        let p = Points::new(&[1.0, 2.0], 1).ok();
        assert!(p.is_some_and(|p| kmeans(p, &KMeansOptions::new(3)).is_err()));
        let p = Points::new(&[1.0, 2.0], 1).ok();
        assert!(p.is_some_and(|p| kmeans_from(p, &[0.0], &KMeansOptions::new(2)).is_err()));
    }
}
