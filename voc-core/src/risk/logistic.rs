//! Logistic regression for churn risk: L2, L1 or elastic-net penalty (scikit-learn's parametrisation:
//! `C · Σ loss + penalty(w)`), class and sample weights, standardisation stored with the model, and
//! a Newton solver (proximal Newton with coordinate descent for L1 / elastic net) with backtracking line
//! search and a convergence report. Without a penalty it also gives standard errors, z, p-values and
//! odds-ratio intervals (as statsmodels `Logit`).

use crate::error::{Error, Result};
use crate::stats::check;
use crate::stats::check_confidence;
use crate::stats::dist::{normal_quantile, normal_two_sided_p};
use crate::stats::linalg::{chol_inverse, chol_solve, cholesky};
use crate::stats::linalg::{dot, sigmoid};

/// The penalty on the coefficients (never on the intercept).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Penalty {
    /// Maximum likelihood (gives standard errors and p-values).
    None,
    /// Ridge: `½‖w‖²` (the default, as scikit-learn).
    #[default]
    L2,
    /// Lasso: `‖w‖₁`.
    L1,
    /// `l1_ratio · ‖w‖₁ + (1 − l1_ratio) · ½‖w‖²`.
    ElasticNet {
        /// Share of the L1 part, in [0, 1].
        l1_ratio: f64,
    },
}

/// Weights per class (multiplying any sample weights).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum ClassWeight {
    /// All rows weigh the same.
    #[default]
    None,
    /// `n / (2 · n_class)`, as scikit-learn's `"balanced"` (with sample weights, `n` and `n_class` are
    /// weight totals, as scikit-learn computes them).
    Balanced,
    /// Given weights for class 0 and class 1.
    Manual {
        /// Weight of class 0 (stayers).
        negative: f64,
        /// Weight of class 1 (churners).
        positive: f64,
    },
}

/// Missing (NaN) feature values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Impute {
    /// A NaN is an error naming the column and row (the default).
    #[default]
    Error,
    /// NaN is replaced by the column's (weighted) mean from the training data, stored with the model.
    Mean,
}

/// Options of [`fit`].
///
/// ```
/// use voc_core::risk::{LogisticOptions, Penalty};
/// let opts = LogisticOptions { penalty: Penalty::L1, c: 0.5, ..Default::default() };
/// assert!(opts.validate().is_ok());
/// assert!(LogisticOptions { c: 0.0, ..Default::default() }.validate().is_err());
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct LogisticOptions {
    /// Penalty (default L2).
    pub penalty: Penalty,
    /// Inverse penalty strength, as scikit-learn's `C` (default 1).
    pub c: f64,
    /// Class weights (default none).
    pub class_weight: ClassWeight,
    /// Standardise features (mean 0, population SD 1) before fitting; the penalty then applies to the
    /// standardised coefficients (default true). Coefficients are reported on both scales.
    pub standardize: bool,
    /// Missing values (default: error).
    pub impute: Impute,
    /// Most Newton iterations (default 100).
    pub max_iter: usize,
    /// Converged when no coefficient moves more than `tol · (1 + max |β|)` (default 1e-10).
    pub tol: f64,
    /// Confidence level of coefficient intervals (default 0.95).
    pub confidence: f64,
}

impl Default for LogisticOptions {
    fn default() -> Self {
        LogisticOptions {
            penalty: Penalty::L2,
            c: 1.0,
            class_weight: ClassWeight::None,
            standardize: true,
            impute: Impute::Error,
            max_iter: 100,
            tol: 1e-10,
            confidence: 0.95,
        }
    }
}

impl LogisticOptions {
    /// Checks the options.
    pub fn validate(&self) -> Result<()> {
        if !(self.c > 0.0 && self.c.is_finite()) {
            return Err(Error::option("C", self.c, "must be positive and finite"));
        }
        if let Penalty::ElasticNet { l1_ratio } = self.penalty
            && !(0.0..=1.0).contains(&l1_ratio)
        {
            return Err(Error::option("l1_ratio", l1_ratio, "must lie in [0, 1]"));
        }
        if let ClassWeight::Manual { negative, positive } = self.class_weight
            && !(negative > 0.0 && positive > 0.0 && negative.is_finite() && positive.is_finite())
        {
            return Err(Error::option(
                "class_weight",
                format!("({negative}, {positive})"),
                "class weights must be positive and finite",
            ));
        }
        if self.max_iter == 0 || self.max_iter > 100_000 {
            return Err(Error::option(
                "max_iter",
                self.max_iter,
                "must lie in 1..=100000",
            ));
        }
        if !(self.tol > 0.0 && self.tol < 1.0) {
            return Err(Error::option("tol", self.tol, "must lie in (0, 1)"));
        }
        check_confidence(self.confidence).map(|_| ())
    }

    /// (λ₁, λ₂) of `loss + λ₁‖w‖₁ + λ₂/2 ‖w‖²`.
    fn lambdas(&self) -> (f64, f64) {
        let l = 1.0 / self.c;
        match self.penalty {
            Penalty::None => (0.0, 0.0),
            Penalty::L2 => (0.0, l),
            Penalty::L1 => (l, 0.0),
            Penalty::ElasticNet { l1_ratio } => (l * l1_ratio, l * (1.0 - l1_ratio)),
        }
    }
}

/// Inference on one coefficient (maximum likelihood fits only).
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct CoefInference {
    /// Standard error (from the inverse observed information).
    pub se: f64,
    /// Wald z = coefficient / SE.
    pub z: f64,
    /// Two-sided p-value of z.
    pub p_value: f64,
    /// Confidence interval of the coefficient.
    pub ci: (f64, f64),
}

/// How the solver ended.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Convergence {
    /// Whether the tolerance was met.
    pub converged: bool,
    /// Newton iterations run.
    pub iterations: usize,
    /// Largest coefficient change of the last iteration.
    pub last_change: f64,
    /// Largest absolute gradient entry of the penalised objective at the end (for smooth penalties).
    pub gradient: f64,
}

/// A fitted logistic regression.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct LogisticModel {
    /// Feature names.
    pub names: Vec<String>,
    /// Coefficients on the original feature scale.
    pub coef: Vec<f64>,
    /// Intercept on the original scale.
    pub intercept: f64,
    /// Coefficients on the standardised scale (equal to `coef` without standardisation).
    pub coef_std: Vec<f64>,
    /// Intercept on the standardised scale.
    pub intercept_std: f64,
    /// Column means (0 without standardisation; imputation uses the true means below).
    pub center: Vec<f64>,
    /// Column scales (1 without standardisation).
    pub scale: Vec<f64>,
    /// Training means of the columns (used to impute NaN under [`Impute::Mean`]).
    pub means: Vec<f64>,
    /// Columns that were constant in the training data: their coefficient is 0.
    pub constant: Vec<bool>,
    /// Coefficient inference (maximum likelihood only): intercept first, then one per feature.
    pub inference: Option<Vec<CoefInference>>,
    /// Log-likelihood (weighted) at the fit.
    pub log_likelihood: f64,
    /// Log-likelihood of the intercept-only model.
    pub null_log_likelihood: f64,
    /// Likelihood-ratio statistic `2 (ℓ − ℓ₀)` and its chi-square p-value (maximum likelihood only).
    pub lr_test: Option<(f64, f64)>,
    /// Rows and churners (class 1) used.
    pub n: usize,
    /// Rows of class 1.
    pub n_positive: usize,
    /// The options used.
    pub options: LogisticOptions,
    /// Solver report.
    pub convergence: Convergence,
}

/// Rows per parallel chunk: fixed, so sums are added in the same order on any number of threads.
const CHUNK: usize = 8192;

/// The standardised training data, row-major, for the active (non-constant) columns.
struct Prepared {
    z: Vec<f64>,
    /// Active columns' indices into the features.
    active: Vec<usize>,
    center: Vec<f64>,
    scale: Vec<f64>,
    means: Vec<f64>,
    constant: Vec<bool>,
}

/// Row weights: sample weights × class weights.
fn row_weights(y: &[f64], w: Option<&[f64]>, cw: ClassWeight) -> Result<Vec<f64>> {
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

/// Feature values of a fit: one slice per column, or one row-major matrix (as a C-ordered 2-D array).
#[derive(Debug, Clone, Copy)]
enum Design<'a> {
    Columns(&'a [&'a [f64]]),
    Rows { values: &'a [f64], features: usize },
}

impl Design<'_> {
    fn features(&self) -> usize {
        match *self {
            Design::Columns(x) => x.len(),
            Design::Rows { features, .. } => features,
        }
    }

    /// Checks that every column has `n` values.
    fn check_rows(&self, n: usize) -> Result<()> {
        match *self {
            Design::Columns(x) => x
                .iter()
                .try_for_each(|col| crate::error::check_len("y", n, "X", col.len())),
            Design::Rows { values, features } => {
                crate::error::check_len(
                    "y",
                    n,
                    "X rows",
                    values.len().checked_div(features).unwrap_or(0),
                )?;
                crate::error::check_len("X", values.len(), "rows × features", n * features)
            }
        }
    }

    /// The value of feature `j` in row `i` (both in range: checked by `check_rows`).
    #[inline]
    fn get(&self, i: usize, j: usize) -> f64 {
        match *self {
            Design::Columns(x) => x[j][i],
            Design::Rows { values, features } => values[i * features + j],
        }
    }
}

/// Weighted mean and sum of squared deviations of every column over some rows (NaN left out).
struct Moments {
    weight: Vec<f64>,
    mean: Vec<f64>,
    m2: Vec<f64>,
}

impl Moments {
    fn new(p: usize) -> Self {
        Moments {
            weight: vec![0.0; p],
            mean: vec![0.0; p],
            m2: vec![0.0; p],
        }
    }

    /// Adds the moments of later rows (Chan, Golub and LeVeque's pairwise update: stable, and exact
    /// in the order of the chunks).
    fn merge(&mut self, other: &Moments) {
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
fn column_moments(x: Design<'_>, s: &[f64], impute: Impute) -> Result<Moments> {
    let p = x.features();
    let parts = chunked(s.len(), |r| -> Result<Moments> {
        let mut m = Moments::new(p);
        let mut sum = vec![0.0; p];
        for i in r.clone() {
            for (j, t) in sum.iter_mut().enumerate() {
                let v = x.get(i, j);
                if v.is_nan() {
                    if impute == Impute::Error {
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
            for j in 0..p {
                let v = x.get(i, j);
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

fn prepare(x: Design<'_>, s: &[f64], opts: &LogisticOptions) -> Result<Prepared> {
    let n = s.len();
    let total: f64 = s.iter().sum();
    let p = x.features();
    let moments = column_moments(x, s, opts.impute)?;
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
    let cols: Vec<(usize, f64, f64, f64)> = active
        .iter()
        .map(|&j| (j, center[j], 1.0 / scale[j], means[j]))
        .collect();
    let mut z = vec![0.0; n * q];
    // Row by row, so writes are sequential; chunks of rows in parallel.
    let fill_rows = |start: usize, block: &mut [f64]| {
        for (k, row) in block.chunks_exact_mut(q).enumerate() {
            let i = start + k;
            for (v, &(j, m, inv, fill)) in row.iter_mut().zip(&cols) {
                let raw = x.get(i, j);
                *v = (if raw.is_nan() { fill } else { raw } - m) * inv;
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
        active,
        center,
        scale,
        means,
        constant,
    })
}

/// `ln(1 + e^η) − y·η`, computed without overflow.
#[inline]
fn loss(eta: f64, y: f64) -> f64 {
    eta.max(0.0) + (-eta.abs()).exp().ln_1p() - y * eta
}

/// The linear predictor of one standardised row (four-lane sums: a fixed order, so the same on any machine).
#[inline]
fn eta_of(beta: &[f64], row: &[f64]) -> f64 {
    beta[0] + dot(&beta[1..], row)
}

/// Runs `f` on fixed chunks of rows (in parallel when there are many) and returns the results in order.
fn chunked<T: Send>(n: usize, f: impl Fn(std::ops::Range<usize>) -> T + Sync) -> Vec<T> {
    let starts: Vec<usize> = (0..n).step_by(CHUNK).collect();
    let run = |&s: &usize| f(s..(s + CHUNK).min(n));
    #[cfg(feature = "parallel")]
    if n >= 4 * CHUNK {
        use rayon::prelude::*;
        return starts.par_iter().map(run).collect();
    }
    starts.iter().map(run).collect()
}

/// Weighted data loss at `beta`.
fn data_loss(z: &[f64], q: usize, y: &[f64], s: &[f64], beta: &[f64]) -> f64 {
    chunked(y.len(), |r| {
        r.map(|i| s[i] * loss(eta_of(beta, &z[i * q..(i + 1) * q]), y[i]))
            .sum::<f64>()
    })
    .iter()
    .sum()
}

/// Rows whose Hessian terms are gathered before being added (a small matrix product that vectorises).
const BLOCK: usize = 32;

/// Data loss, gradient and Hessian (dense, (q+1)²) at `beta`.
fn derivatives(
    z: &[f64],
    q: usize,
    y: &[f64],
    s: &[f64],
    beta: &[f64],
    hessian: bool,
) -> (f64, Vec<f64>, Vec<f64>) {
    let d = q + 1;
    let parts = chunked(y.len(), |r| {
        let mut g = vec![0.0; d];
        let mut h = vec![0.0; d * d];
        let mut f = 0.0;
        // Block of rows, column-major: xb[a·BLOCK + r] is feature a (0 = intercept) of row r; wx the same
        // scaled by the row's Hessian weight.
        let mut xb = vec![0.0; d * BLOCK];
        let mut wx = vec![0.0; d * BLOCK];
        let rows: Vec<usize> = r.collect();
        for block in rows.chunks(BLOCK) {
            let m = block.len();
            for (k, &i) in block.iter().enumerate() {
                let row = &z[i * q..(i + 1) * q];
                let eta = eta_of(beta, row);
                // One exponential gives the probability and the loss.
                let e = (-eta.abs()).exp();
                let p = if eta >= 0.0 {
                    1.0 / (1.0 + e)
                } else {
                    e / (1.0 + e)
                };
                f += s[i] * (eta.max(0.0) + e.ln_1p() - y[i] * eta);
                let (r1, w) = (s[i] * (p - y[i]), s[i] * p * (1.0 - p));
                g[0] += r1;
                for (a, &v) in row.iter().enumerate() {
                    g[a + 1] += r1 * v;
                }
                if hessian {
                    xb[k] = 1.0;
                    wx[k] = w;
                    for (a, &v) in row.iter().enumerate() {
                        xb[(a + 1) * BLOCK + k] = v;
                        wx[(a + 1) * BLOCK + k] = w * v;
                    }
                }
            }
            if !hessian {
                continue;
            }
            // Upper triangle only; mirrored below.
            for a in 0..d {
                let wa = &wx[a * BLOCK..a * BLOCK + m];
                for b in a..d {
                    let xb_b = &xb[b * BLOCK..b * BLOCK + m];
                    h[a * d + b] += dot(wa, xb_b);
                }
            }
        }
        (f, g, h)
    });
    let mut f = 0.0;
    let mut g = vec![0.0; d];
    let mut h = vec![0.0; d * d];
    for (pf, pg, ph) in parts {
        f += pf;
        g.iter_mut().zip(&pg).for_each(|(a, b)| *a += b);
        h.iter_mut().zip(&ph).for_each(|(a, b)| *a += b);
    }
    for a in 0..d {
        for b in 0..a {
            h[a * d + b] = h[b * d + a];
        }
    }
    (f, g, h)
}

fn penalty_value(beta: &[f64], l1: f64, l2: f64) -> f64 {
    let w = &beta[1..];
    l1 * w.iter().map(|x| x.abs()).sum::<f64>() + 0.5 * l2 * w.iter().map(|x| x * x).sum::<f64>()
}

fn max_abs(v: &[f64]) -> f64 {
    v.iter().fold(0.0, |m, x| f64::max(m, x.abs()))
}

/// Fits a logistic regression of `y` (0/1) on the feature columns `x` (each of length `y.len()`).
///
/// ```
/// use voc_core::risk::{fit, LogisticOptions, Penalty};
/// let x1 = [0.5, 1.5, 2.0, 3.5, 4.0, 5.5, 1.0, 4.5];
/// let y = [0.0, 0.0, 1.0, 0.0, 1.0, 1.0, 0.0, 1.0];
/// let m = fit(&[&x1], &["delay".to_string()], &y, None, &LogisticOptions { penalty: Penalty::None, ..Default::default() })?;
/// assert!(m.convergence.converged && m.coef[0] > 0.0);
/// let se = m.inference.as_ref().map(|v| v[1].se).unwrap_or(f64::NAN);
/// assert!(se > 0.0);
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn fit(
    x: &[&[f64]],
    names: &[String],
    y: &[f64],
    sample_weight: Option<&[f64]>,
    opts: &LogisticOptions,
) -> Result<LogisticModel> {
    fit_design(Design::Columns(x), names, y, sample_weight, opts)
}

/// As [`fit`], on a row-major matrix: `x[i · names.len() + j]` is feature `j` of row `i` (a C-ordered
/// 2-D array, read in place). Error positions count in the same order.
///
/// ```
/// use voc_core::risk::{fit, fit_rows, LogisticOptions};
/// let names = ["delay".to_string(), "tickets".to_string()];
/// let rows = [0.5, 1.0, 1.5, 0.0, 2.0, 2.0, 3.5, 1.0, 4.0, 3.0, 5.5, 2.0, 1.0, 0.0, 4.5, 1.0];
/// let y = [0.0, 0.0, 1.0, 0.0, 1.0, 1.0, 0.0, 1.0];
/// let by_rows = fit_rows(&rows, &names, &y, None, &LogisticOptions::default())?;
/// let (a, b): (Vec<f64>, Vec<f64>) = rows.chunks(2).map(|r| (r[0], r[1])).unzip();
/// let by_cols = fit(&[&a, &b], &names, &y, None, &LogisticOptions::default())?;
/// assert!((by_rows.coef[0] - by_cols.coef[0]).abs() < 1e-12);
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn fit_rows(
    x: &[f64],
    names: &[String],
    y: &[f64],
    sample_weight: Option<&[f64]>,
    opts: &LogisticOptions,
) -> Result<LogisticModel> {
    let design = Design::Rows {
        values: x,
        features: names.len(),
    };
    fit_design(design, names, y, sample_weight, opts)
}

fn fit_design(
    x: Design<'_>,
    names: &[String],
    y: &[f64],
    sample_weight: Option<&[f64]>,
    opts: &LogisticOptions,
) -> Result<LogisticModel> {
    opts.validate()?;
    let n = y.len();
    if n == 0 {
        return Err(Error::Empty {
            arg: "y",
            what: "no rows to fit",
        });
    }
    crate::error::check_len("X", x.features(), "feature names", names.len())?;
    x.check_rows(n)?;
    if let Some(w) = sample_weight {
        crate::error::check_len("y", n, "sample_weight", w.len())?;
    }
    let n_pos = check::labels("y", y)?;
    if n_pos == 0 || n_pos == n {
        return Err(Error::InsufficientData(format!(
            "y has only one class ({} rows, all {}); a churn model needs churners and stayers",
            n,
            u8::from(n_pos == n)
        )));
    }
    let s = row_weights(y, sample_weight, opts.class_weight)?;
    let prep = prepare(x, &s, opts)?;
    let q = prep.active.len();
    let (l1, l2) = opts.lambdas();
    let total: f64 = s.iter().sum();
    let ybar = y.iter().zip(&s).map(|(a, b)| a * b).sum::<f64>() / total;
    let mut beta = vec![0.0; q + 1];
    beta[0] = (ybar / (1.0 - ybar)).ln();
    // Cold starts are far from the optimum: the Hessian is refreshed for the first steps. On big data a
    // fit on an evenly spread subsample lands close to the optimum, and the full-data Newton steps from
    // there converge in few passes; the result is the full-data optimum either way.
    let mut hessian_steps = 2;
    if l1 == 0.0 && n >= WARM_MIN_ROWS && q > 0 {
        beta = warm_start(&prep.z, q, y, &s, beta, l2, opts);
        hessian_steps = 1;
    }
    let data = Data {
        z: &prep.z,
        q,
        y,
        s: &s,
    };
    let (beta, mut conv, g_data) =
        match newton(&data, beta, l1, l2, opts.max_iter, opts.tol, hessian_steps) {
            Ok(r) => r,
            Err(Singular { pivot, beta }) => {
                // A Hessian that turns singular on the way out to infinity means separation.
                if opts.penalty == Penalty::None {
                    separation_check(&prep.z, q, &beta)?;
                }
                return Err(collinear(names, &prep.active, pivot));
            }
        };
    if l1 == 0.0 {
        // The gradient at the final point (the loop reports it at the start of the last step).
        let mut g = g_data.clone();
        for j in 1..=q {
            g[j] += l2 * beta[j];
        }
        conv.gradient = max_abs(&g);
    } else {
        // The L1 penalty has no gradient; report the largest optimality violation instead.
        conv.gradient = l1_violation(&beta, &g_data, l1, l2);
    }
    if opts.penalty == Penalty::None {
        separation_check(&prep.z, q, &beta)?;
    }
    if !conv.converged {
        return Err(Error::NotConverged {
            iterations: conv.iterations,
            last_change: conv.last_change,
        });
    }
    finish(x.features(), names, y, &s, prep, beta, conv, opts, n_pos)
}

/// Rows from which the fit starts from a subsample's optimum.
const WARM_MIN_ROWS: usize = 200_000;
/// Rows of that subsample (about).
const WARM_ROWS: usize = 50_000;

/// Standardised rows, labels and row weights of one fit.
struct Data<'a> {
    z: &'a [f64],
    q: usize,
    y: &'a [f64],
    s: &'a [f64],
}

/// The Hessian turned singular at column `pivot` (0 = intercept), with the coefficients reached.
struct Singular {
    pivot: usize,
    beta: Vec<f64>,
}

/// Starting coefficients from the optimum on every k-th row (a fixed stride, so the start does not depend
/// on threads or seeds), with the L2 penalty scaled to the subsample's share of the weight so both
/// objectives have the same optimum in expectation. Falls back to `beta` when the subsample fit fails.
fn warm_start(
    z: &[f64],
    q: usize,
    y: &[f64],
    s: &[f64],
    beta: Vec<f64>,
    l2: f64,
    opts: &LogisticOptions,
) -> Vec<f64> {
    let k = y.len() / WARM_ROWS;
    let rows = (0..y.len()).step_by(k.max(1));
    let mut zs = Vec::with_capacity(q * (y.len() / k.max(1) + 1));
    let (mut ys, mut ss) = (Vec::new(), Vec::new());
    for i in rows {
        zs.extend_from_slice(&z[i * q..(i + 1) * q]);
        ys.push(y[i]);
        ss.push(s[i]);
    }
    let share = ss.iter().sum::<f64>() / s.iter().sum::<f64>();
    let (n_pos, m) = (ys.iter().filter(|&&v| v == 1.0).count(), ys.len());
    if n_pos == 0 || n_pos == m || !(share > 0.0) {
        return beta;
    }
    let sub = Data {
        z: &zs,
        q,
        y: &ys,
        s: &ss,
    };
    // Its own sampling error is about 1/sqrt(m); a loose tolerance is enough.
    match newton(&sub, beta.clone(), 0.0, l2 * share, opts.max_iter, 1e-6, 2) {
        Ok((b, conv, _)) if conv.converged && b.iter().all(|v| v.is_finite()) => b,
        _ => beta,
    }
}

/// (Proximal) Newton iterations with a backtracking line search, from `beta` until no coefficient moves
/// more than `tol · (1 + max |β|)`. Returns the coefficients, the report and the data gradient there.
fn newton(
    d: &Data<'_>,
    mut beta: Vec<f64>,
    l1: f64,
    l2: f64,
    max_iter: usize,
    tol: f64,
    hessian_steps: usize,
) -> std::result::Result<(Vec<f64>, Convergence, Vec<f64>), Singular> {
    let Data { z, q, y, s } = *d;
    // Each Newton iteration evaluates loss, gradient and Hessian once, at the accepted point: the line
    // search evaluates its candidates with the full pass and keeps the derivatives of the one it accepts.
    let (f0, mut g_data, mut h_data) = derivatives(z, q, y, s, &beta, true);
    let mut f = f0 + penalty_value(&beta, l1, l2);
    let mut conv = Convergence {
        converged: false,
        iterations: 0,
        last_change: f64::INFINITY,
        gradient: f64::INFINITY,
    };
    // Smooth penalties reuse the last Hessian factor while Newton steps shrink fast (each such step
    // needs only the gradient, a much cheaper pass); the gradient is always exact, so the optimum is too.
    let mut factor: Option<Vec<f64>> = None;
    let mut fresh = true;
    let mut prev_change = f64::INFINITY;
    for it in 1..=max_iter {
        let target = if l1 > 0.0 {
            prox_newton_target(&beta, &g_data, &h_data, l1, l2)
        } else {
            let mut g = g_data.clone();
            for j in 1..=q {
                g[j] += l2 * beta[j];
            }
            conv.gradient = max_abs(&g);
            if fresh || factor.is_none() {
                let mut h = h_data.clone();
                for j in 1..=q {
                    h[j * (q + 1) + j] += l2;
                }
                match cholesky(&h, q + 1) {
                    Ok(l) => factor = Some(l),
                    Err(pivot) => return Err(Singular { pivot, beta }),
                }
            }
            let mut d: Vec<f64> = g.iter().map(|v| -v).collect();
            if let Some(l) = &factor {
                chol_solve(l, q + 1, &mut d);
            }
            beta.iter().zip(&d).map(|(b, d)| b + d).collect()
        };
        let dir: Vec<f64> = target.iter().zip(&beta).map(|(t, b)| t - b).collect();
        let step = max_abs(&dir);
        // The next Hessian is needed early on, after a slow step, or with an L1 part.
        let want_hessian = l1 > 0.0 || it <= hessian_steps || step > 0.25 * prev_change;
        // Backtracking: halve the step until the objective does not increase.
        let mut t = 1.0;
        let (next, f_next, g_next, h_next) = loop {
            let cand: Vec<f64> = beta.iter().zip(&dir).map(|(b, d)| b + t * d).collect();
            let (fc, gc, hc) = derivatives(z, q, y, s, &cand, want_hessian);
            let f_cand = fc + penalty_value(&cand, l1, l2);
            if f_cand <= f + 1e-12 * f.abs() || t < 1e-10 {
                break (cand, f_cand, gc, hc);
            }
            t *= 0.5;
        };
        conv.iterations = it;
        conv.last_change = t * step;
        prev_change = conv.last_change;
        let scale = 1.0 + max_abs(&next);
        beta = next;
        f = f_next;
        g_data = g_next;
        if want_hessian {
            h_data = h_next;
        }
        // A step that had to be shortened asks for a fresh Hessian next time.
        fresh = want_hessian || t < 1.0;
        if t < 1.0 && !want_hessian {
            let (_, _, h) = derivatives(z, q, y, s, &beta, true);
            h_data = h;
        }
        if conv.last_change <= tol * scale {
            conv.converged = true;
            break;
        }
    }
    Ok((beta, conv, g_data))
}

/// Error for a singular Hessian: the columns at the failed pivot are collinear with earlier ones.
fn collinear(names: &[String], active: &[usize], pivot: usize) -> Error {
    let name = pivot
        .checked_sub(1)
        .and_then(|k| active.get(k))
        .and_then(|&j| names.get(j))
        .map_or("the intercept".to_string(), |s| format!("column {s:?}"));
    Error::InsufficientData(format!(
        "{name} is a linear combination of the columns before it (collinear features); drop it or use a penalty"
    ))
}

/// Without a penalty, perfectly separated classes send coefficients to infinity: detect it by rows whose
/// fitted probability is 0 or 1 to machine precision.
fn separation_check(z: &[f64], q: usize, beta: &[f64]) -> Result<()> {
    let extreme = chunked(z.len() / q.max(1), |r| {
        r.filter(|&i| eta_of(beta, &z[i * q..(i + 1) * q]).abs() > 30.0)
            .count()
    })
    .iter()
    .sum::<usize>();
    let n = z.len().checked_div(q).unwrap_or(0);
    if q > 0 && n > 0 && extreme > 0 && max_abs(&beta[1..]) > 10.0 {
        return Err(Error::InsufficientData(format!(
            "the classes are (quasi-)perfectly separated: {extreme} rows get a fitted probability of 0 or 1 \
             and the maximum-likelihood coefficients are infinite; use a penalty (e.g. L2)"
        )));
    }
    Ok(())
}

/// One proximal Newton target: minimises the quadratic model plus the penalty by coordinate descent.
fn prox_newton_target(beta: &[f64], g: &[f64], h: &[f64], l1: f64, l2: f64) -> Vec<f64> {
    let d = beta.len();
    let mut u = beta.to_vec();
    // hd = H (u − β), kept up to date.
    let mut hd = vec![0.0; d];
    for _sweep in 0..10_000 {
        let mut change: f64 = 0.0;
        for j in 0..d {
            let hjj = h[j * d + j];
            if !(hjj > 0.0) && j == 0 {
                continue;
            }
            let c = g[j] + hd[j] - hjj * (u[j] - beta[j]) - hjj * beta[j];
            let new = if j == 0 {
                -c / hjj
            } else {
                let denom = hjj + l2;
                if !(denom > 0.0) {
                    continue;
                }
                -soft(c, l1) / denom
            };
            let delta = new - u[j];
            if delta != 0.0 {
                for k in 0..d {
                    hd[k] += h[k * d + j] * delta;
                }
                u[j] = new;
                change = change.max(delta.abs());
            }
        }
        if change <= 1e-14 * (1.0 + max_abs(&u)) {
            break;
        }
    }
    u
}

/// Largest violation of the optimality conditions of the L1 / elastic-net objective (0 at the optimum).
fn l1_violation(beta: &[f64], g: &[f64], l1: f64, l2: f64) -> f64 {
    let mut worst = g[0].abs();
    for j in 1..beta.len() {
        let gj = g[j] + l2 * beta[j];
        let v = if beta[j] == 0.0 {
            (gj.abs() - l1).max(0.0)
        } else {
            (gj + l1 * beta[j].signum()).abs()
        };
        worst = worst.max(v);
    }
    worst
}

fn soft(c: f64, l: f64) -> f64 {
    if c > l {
        c - l
    } else if c < -l {
        c + l
    } else {
        0.0
    }
}

#[allow(clippy::too_many_arguments)]
fn finish(
    p: usize,
    names: &[String],
    y: &[f64],
    s: &[f64],
    prep: Prepared,
    beta: Vec<f64>,
    conv: Convergence,
    opts: &LogisticOptions,
    n_pos: usize,
) -> Result<LogisticModel> {
    let q = prep.active.len();
    let mut coef_std = vec![0.0; p];
    for (k, &j) in prep.active.iter().enumerate() {
        coef_std[j] = beta[k + 1];
    }
    let coef: Vec<f64> = (0..p).map(|j| coef_std[j] / prep.scale[j]).collect();
    let intercept = beta[0] - (0..p).map(|j| coef[j] * prep.center[j]).sum::<f64>();
    let ll = -data_loss(&prep.z, q, y, s, &beta);
    let total: f64 = s.iter().sum();
    let p0 = y.iter().zip(s).map(|(a, b)| a * b).sum::<f64>() / total;
    let ll0 = y
        .iter()
        .zip(s)
        .map(|(&yi, &si)| si * if yi == 1.0 { p0.ln() } else { (1.0 - p0).ln() })
        .sum::<f64>();
    let (inference, lr_test) = if opts.penalty == Penalty::None {
        let (_, _, h) = derivatives(&prep.z, q, y, s, &beta, true);
        let l = cholesky(&h, q + 1).map_err(|pivot| collinear(names, &prep.active, pivot))?;
        let cov_std = chol_inverse(&l, q + 1);
        // θ_orig = A θ_std over (intercept, active columns).
        let d = q + 1;
        let mut a = vec![0.0; d * d];
        a[0] = 1.0;
        for (k, &j) in prep.active.iter().enumerate() {
            a[k + 1] = -prep.center[j] / prep.scale[j];
            a[(k + 1) * d + k + 1] = 1.0 / prep.scale[j];
        }
        let zq = normal_quantile(0.5 + opts.confidence / 2.0);
        let var = |r: usize| -> f64 {
            let mut v = 0.0;
            for i in 0..d {
                for k in 0..d {
                    v += a[r * d + i] * cov_std[i * d + k] * a[r * d + k];
                }
            }
            v
        };
        let infer = |b: f64, v: f64| {
            let se = v.max(0.0).sqrt();
            let z = b / se;
            CoefInference {
                se,
                z,
                p_value: normal_two_sided_p(z),
                ci: (b - zq * se, b + zq * se),
            }
        };
        let mut inf = vec![infer(intercept, var(0))];
        let nan = CoefInference {
            se: f64::NAN,
            z: f64::NAN,
            p_value: f64::NAN,
            ci: (0.0, 0.0),
        };
        let mut per = vec![nan; p];
        for (k, &j) in prep.active.iter().enumerate() {
            per[j] = infer(coef[j], var(k + 1));
        }
        inf.extend(per);
        let stat = 2.0 * (ll - ll0);
        let p_lr = crate::stats::dist::chi2_sf(stat.max(0.0), q as f64);
        (Some(inf), Some((stat, p_lr)))
    } else {
        (None, None)
    };
    Ok(LogisticModel {
        names: names.to_vec(),
        coef,
        intercept,
        coef_std,
        intercept_std: beta[0],
        center: prep.center,
        scale: prep.scale,
        means: prep.means,
        constant: prep.constant,
        inference,
        log_likelihood: ll,
        null_log_likelihood: ll0,
        lr_test,
        n: y.len(),
        n_positive: n_pos,
        options: opts.clone(),
        convergence: conv,
    })
}

impl LogisticModel {
    /// Checks prediction columns against the model and returns row count.
    fn check_x(&self, x: &[&[f64]]) -> Result<usize> {
        crate::error::check_len("model features", self.names.len(), "X", x.len())?;
        let n = x.first().map_or(0, |c| c.len());
        for col in x {
            crate::error::check_len("X", n, "X", col.len())?;
        }
        Ok(n)
    }

    /// The linear predictor (log-odds) of each row; NaN features are imputed under [`Impute::Mean`].
    pub fn decision_function(&self, x: &[&[f64]]) -> Result<Vec<f64>> {
        let n = self.check_x(x)?;
        let p = x.len();
        let mut eta = vec![self.intercept; n];
        for (j, col) in x.iter().enumerate() {
            let (c, m) = (self.coef[j], self.means[j]);
            for (i, (e, &v)) in eta.iter_mut().zip(col.iter()).enumerate() {
                let v = if v.is_nan() {
                    if self.options.impute == Impute::Error {
                        return Err(Error::Missing {
                            arg: "X",
                            index: i * p + j,
                        });
                    }
                    m
                } else if !v.is_finite() {
                    return Err(Error::NonFinite {
                        arg: "X",
                        index: i * p + j,
                        value: v,
                    });
                } else {
                    v
                };
                if c != 0.0 {
                    *e += c * v;
                }
            }
        }
        Ok(eta)
    }

    /// Churn probability of each row.
    ///
    /// ```
    /// use voc_core::risk::{fit, LogisticOptions};
    /// let x = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
    /// let y = [0.0, 0.0, 1.0, 0.0, 1.0, 1.0];
    /// let m = fit(&[&x], &["x".into()], &y, None, &LogisticOptions::default())?;
    /// let p = m.predict_proba(&[&[0.0, 10.0]])?;
    /// assert!(p[0] < 0.5 && p[1] > 0.5);
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn predict_proba(&self, x: &[&[f64]]) -> Result<Vec<f64>> {
        Ok(self
            .decision_function(x)?
            .into_iter()
            .map(sigmoid)
            .collect())
    }

    /// Each feature's contribution to each row's log-odds relative to an average customer:
    /// `coef_std · (x − mean) / scale` (row-major, rows × features). Ranks the reasons behind a score.
    pub fn contributions(&self, x: &[&[f64]]) -> Result<Vec<f64>> {
        let n = self.check_x(x)?;
        let p = x.len();
        let mut out = vec![0.0; n * p];
        for (j, col) in x.iter().enumerate() {
            let (c, m) = (self.coef[j], self.means[j]);
            for (i, &v) in col.iter().enumerate() {
                let v = if v.is_nan() {
                    if self.options.impute == Impute::Error {
                        return Err(Error::Missing {
                            arg: "X",
                            index: i * p + j,
                        });
                    }
                    m
                } else {
                    v
                };
                out[i * p + j] = c * (v - m);
            }
        }
        Ok(out)
    }

    /// McFadden's pseudo-R² `1 − ℓ/ℓ₀` (statsmodels `prsquared`).
    pub fn pseudo_r2(&self) -> f64 {
        1.0 - self.log_likelihood / self.null_log_likelihood
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data() -> (Vec<f64>, Vec<f64>, Vec<f64>) {
        // Two features, overlapping classes.
        let x1: Vec<f64> = (0..40)
            .map(|i| (i as f64 * 0.37).sin() * 3.0 + i as f64 * 0.1)
            .collect();
        let x2: Vec<f64> = (0..40).map(|i| ((i * 7) % 11) as f64).collect();
        let y: Vec<f64> = (0..40)
            .map(|i| {
                f64::from(u8::from(
                    (x1[i] + 0.3 * x2[i] + ((i * 13) % 5) as f64 - 4.0) > 0.0,
                ))
            })
            .collect();
        (x1, x2, y)
    }

    /// `n` rows of three features (deterministic, no random generator needed) and labels.
    fn big(n: usize) -> (Vec<f64>, Vec<f64>) {
        let mut rows = Vec::with_capacity(3 * n);
        let mut y = Vec::with_capacity(n);
        for i in 0..n {
            let (a, b, c) = (
                (i as f64 * 0.618).sin() * 2.0,
                ((i * 7919) % 1000) as f64 / 250.0,
                (i as f64 * 0.0137).cos(),
            );
            rows.extend([a, b, c]);
            let u = ((i * 104_729) % 10_007) as f64 / 10_007.0;
            let eta = -1.0 + 0.8 * a - 0.3 * b + 0.5 * c;
            y.push(f64::from(u8::from(u < 1.0 / (1.0 + (-eta).exp()))));
        }
        (rows, y)
    }

    #[test]
    fn warm_start_reaches_the_cold_start_optimum() {
        let n = WARM_MIN_ROWS + 1_234;
        let (rows, y) = big(n);
        let names = vec!["a".to_string(), "b".to_string(), "c".to_string()];
        // Uneven sample weights (some zero) with balanced classes, and plain rows.
        let w: Vec<f64> = (0..n).map(|i| ((i * 31) % 7) as f64 / 3.0).collect();
        for (c, weights) in [(0.01, None), (1.0, None), (1.0, Some(&w[..]))] {
            let opts = LogisticOptions {
                c,
                class_weight: if weights.is_some() {
                    ClassWeight::Balanced
                } else {
                    ClassWeight::None
                },
                ..Default::default()
            };
            let warm = fit_rows(&rows, &names, &y, weights, &opts).unwrap();
            // The same problem from the cold start, without the subsample.
            let s = row_weights(&y, weights, opts.class_weight).unwrap();
            let design = Design::Rows {
                values: &rows,
                features: 3,
            };
            let prep = prepare(design, &s, &opts).unwrap();
            let ybar = y.iter().zip(&s).map(|(a, b)| a * b).sum::<f64>() / s.iter().sum::<f64>();
            let mut beta = vec![0.0; 4];
            beta[0] = (ybar / (1.0 - ybar)).ln();
            let data = Data {
                z: &prep.z,
                q: 3,
                y: &y,
                s: &s,
            };
            let (cold, conv, _) =
                newton(&data, beta, 0.0, 1.0 / c, 100, 1e-10, 2).unwrap_or_else(|_| panic!());
            assert!(conv.converged);
            for (a, b) in warm.coef_std.iter().zip(&cold[1..]) {
                assert!((a - b).abs() < 1e-9, "{a} vs {b}");
            }
            assert!((warm.intercept_std - cold[0]).abs() < 1e-9);
        }
    }

    #[test]
    fn rows_and_columns_give_identical_fits() {
        let (rows, y) = big(5_000);
        let cols: Vec<Vec<f64>> = (0..3)
            .map(|j| rows.iter().skip(j).step_by(3).copied().collect())
            .collect();
        let x: Vec<&[f64]> = cols.iter().map(Vec::as_slice).collect();
        let names = vec!["a".to_string(), "b".to_string(), "c".to_string()];
        let opts = LogisticOptions::default();
        let by_rows = fit_rows(&rows, &names, &y, None, &opts).unwrap();
        let by_cols = fit(&x, &names, &y, None, &opts).unwrap();
        assert_eq!(by_rows.coef, by_cols.coef);
        assert_eq!(by_rows.intercept, by_cols.intercept);
        // Wrong shapes are errors, not panics.
        assert!(fit_rows(&rows[1..], &names, &y, None, &opts).is_err());
        assert!(fit_rows(&rows, &names[..2], &y, None, &opts).is_err());
    }

    #[test]
    fn gradient_vanishes_at_the_optimum() {
        let (x1, x2, y) = data();
        let names = vec!["a".to_string(), "b".to_string()];
        for penalty in [Penalty::None, Penalty::L2] {
            let opts = LogisticOptions {
                penalty,
                c: 0.7,
                ..Default::default()
            };
            let m = fit(&[&x1, &x2], &names, &y, None, &opts).unwrap();
            assert!(m.convergence.converged);
            assert!(m.convergence.gradient < 1e-8, "{:?}", m.convergence);
        }
    }

    #[test]
    fn l1_zeroes_weak_coefficients() {
        let (x1, x2, y) = data();
        let names = vec!["a".to_string(), "b".to_string()];
        let opts = LogisticOptions {
            penalty: Penalty::L1,
            c: 0.02,
            ..Default::default()
        };
        let m = fit(&[&x1, &x2], &names, &y, None, &opts).unwrap();
        assert!(m.coef.iter().all(|&c| c == 0.0), "{:?}", m.coef);
        // The intercept alone then gives the base rate.
        let rate = y.iter().sum::<f64>() / y.len() as f64;
        assert!((1.0 / (1.0 + (-m.intercept).exp()) - rate).abs() < 1e-9);
    }

    #[test]
    fn bad_inputs_are_errors() {
        let names = vec!["a".to_string()];
        let x = [1.0, 2.0, 3.0];
        let e = fit(
            &[&x],
            &names,
            &[1.0, 1.0, 1.0],
            None,
            &LogisticOptions::default(),
        )
        .unwrap_err();
        assert!(e.to_string().contains("only one class"));
        let e = fit(
            &[&x],
            &names,
            &[1.0, 2.0, 0.0],
            None,
            &LogisticOptions::default(),
        )
        .unwrap_err();
        assert_eq!(e.to_string(), "y[1] = 2 is invalid: labels must be 0 or 1");
        let e = fit(
            &[&[1.0, f64::NAN, 3.0]],
            &names,
            &[1.0, 0.0, 0.0],
            None,
            &LogisticOptions::default(),
        )
        .unwrap_err();
        assert!(matches!(e, Error::Missing { arg: "X", index: 1 }));
        // Perfect separation without a penalty.
        let e = fit(
            &[&[1.0, 2.0, 3.0, 4.0]],
            &names,
            &[0.0, 0.0, 1.0, 1.0],
            None,
            &LogisticOptions {
                penalty: Penalty::None,
                ..Default::default()
            },
        )
        .unwrap_err();
        assert!(e.to_string().contains("separated"), "{e}");
        // Constant columns get a zero coefficient.
        let m = fit(
            &[&[1.0, 2.0, 3.0, 4.0, 2.5], &[5.0; 5]],
            &["a".into(), "k".into()],
            &[0.0, 1.0, 0.0, 1.0, 1.0],
            None,
            &LogisticOptions::default(),
        )
        .unwrap();
        assert_eq!(m.coef[1], 0.0);
        assert!(m.constant[1]);
    }
}
