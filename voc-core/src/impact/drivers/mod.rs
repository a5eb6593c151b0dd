//! Key drivers: Shapley-value regression (LMG) and Johnson's relative weights, with bootstrap intervals.
//!
//! Which survey items (drivers, e.g. "delivery speed", "refund handling" rated 1–5) move an outcome (NPS,
//! overall satisfaction, spend)? Both methods split the R² of the linear regression of the outcome on
//! all drivers into one non-negative share per driver, so that correlated drivers share the credit
//! instead of one taking it all and the others getting nonsense (even negative) coefficients.
//!
//! - **LMG** (Lindeman, Merenda & Gold 1980; Shapley-value regression; the "general dominance" of
//!   dominance analysis): a driver's importance is its marginal R² averaged over all orders in which the
//!   drivers can enter the model. Computed exactly from the R² of all 2^p subsets, at most
//!   [`MAX_LMG_DRIVERS`] drivers. Reference: R package `relaimpo`, `calc.relimp(type = "lmg")`.
//! - **Johnson's relative weights** (Johnson 2000): regress the outcome on the orthonormal drivers
//!   `Z = X R⁻¹ᐟ²` closest to the standardised drivers, and give each driver the squared loadings
//!   `Λ = R¹ᐟ²` times the squared coefficients, `ε_j = Σ_k Λ_jk² β_k²` with `β = Λ⁻¹ r_xy`. This is
//!   exactly Genizi's (1993) decomposition: relaimpo's `type = "genizi"` computes the same formula.
//!   References: R package `rwa` (raw weights) and relaimpo's "genizi".
//!
//! Both sum to the model R² (checked by property tests). Everything is computed from the correlation
//! matrix of outcome and drivers (observation-weighted if weights are given, as R's `cov.wt`), so
//! importances do not depend on the drivers' units.
//!
//! The drivers are an `n × p` [`ndarray::ArrayView2`] of any memory layout, with one name per column.
//! The moment sums read each driver as a contiguous column: a column-major (Fortran) view is read in
//! place; a row-major or strided view is copied into columns once, in one pass over its rows (and
//! when rows are left out with [`MissingPolicy::Skip`], the kept rows are copied).
//!
//! Intervals are seeded percentile bootstraps over rows (each replicate has its own ChaCha8 stream, so
//! results are bit-identical on any number of threads).
//!
//! The files: `data` (the usable rows and the weighted correlation matrix), `lmg` (all-subsets R²
//! and the Shapley decomposition), `johnson` (relative weights), `quadrants` (importance ×
//! performance chart) and `bootstrap` (seeded row resamples).
//!
//! ```
//! use ndarray::array;
//! use voc_core::impact::drivers::{key_drivers, KeyDriverOptions};
//! let y = [7.0, 9.0, 4.0, 8.0, 10.0, 3.0, 6.0, 9.0];
//! // one row per respondent, one column per driver
//! let x = array![[3.0, 4.0], [5.0, 4.0], [2.0, 2.0], [4.0, 3.0], [5.0, 5.0], [1.0, 2.0], [3.0, 4.0], [4.0, 5.0]];
//! let kd = key_drivers(&y, x.view(), &["speed", "price"], None, &KeyDriverOptions::default())?;
//! let lmg = kd.lmg.as_ref().map(|m| &m.drivers[..]).unwrap_or_default();
//! let total: f64 = lmg.iter().map(|d| d.importance).sum();
//! assert!((total - kd.r2).abs() < 1e-12);
//! # Ok::<(), voc_core::Error>(())
//! ```

use std::borrow::Cow;

use ndarray::ArrayView2;

use crate::MissingPolicy;
use crate::error::{Error, Result, check_len};
use crate::impact::correlation::contiguous_columns;
use crate::stats::linalg::{chol_inverse, chol_solve};
use crate::stats::{Interval, Method, check_confidence, quantile_sorted};

mod bootstrap;
mod data;
mod johnson;
mod lmg;
mod quadrants;
#[cfg(test)]
mod tests;

use crate::stats::linalg::{CoMoments, RowWeights, co_moments};
use data::{Data, check_collinear, correlation, correlation_of};
pub use johnson::relative_weights_from_matrix;
pub use lmg::{R2Decomposition, lmg_from_matrix, subset_r2};
pub use quadrants::{
    Performance, Quadrant, QuadrantChart, QuadrantOptions, QuadrantPoint, Split, driver_quadrants,
};

/// Most drivers LMG takes: it evaluates the R² of all 2^p subsets (2^20 ≈ one million).
///
/// ```
/// assert_eq!(voc_core::impact::drivers::MAX_LMG_DRIVERS, 20);
/// ```
pub const MAX_LMG_DRIVERS: usize = 20;

/// Most drivers Johnson's relative weights take (a p × p eigen-decomposition).
///
/// ```
/// assert_eq!(voc_core::impact::drivers::MAX_DRIVERS, 200);
/// ```
pub const MAX_DRIVERS: usize = 200;

/// A driver that explains all but this share of its variance from the earlier drivers (1 − R² below
/// this, a variance inflation factor above 10¹⁰) is collinear: its importance would be noise.
const COLLINEAR_TOL: f64 = 1e-10;

/// Which decomposition of R² to compute.
///
/// Spellings: `"lmg"` (also `"shapley"`), `"johnson"` (also `"rwa"`, `"genizi"`,
/// `"relative_weights"`) and `"both"`.
///
/// ```
/// use voc_core::impact::drivers::DriverMethod;
/// assert_eq!("johnson".parse::<DriverMethod>()?, DriverMethod::Johnson);
/// assert_eq!("shapley".parse::<DriverMethod>()?, DriverMethod::Lmg);
/// assert_eq!(DriverMethod::Both.to_string(), "both");
/// assert!("ols".parse::<DriverMethod>().is_err());
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum DriverMethod {
    /// Shapley-value regression / LMG: exact average marginal R² over all orders.
    #[default]
    Lmg,
    /// Johnson's (2000) relative weights (= Genizi 1993).
    Johnson,
    /// Both of the above.
    Both,
}

crate::named_enum!(DriverMethod, "method", {
    Lmg => "lmg" | "shapley",
    Johnson => "johnson" | "rwa" | "genizi" | "relative_weights",
    Both => "both",
});

impl DriverMethod {
    fn lmg(self) -> bool {
        matches!(self, DriverMethod::Lmg | DriverMethod::Both)
    }

    fn johnson(self) -> bool {
        matches!(self, DriverMethod::Johnson | DriverMethod::Both)
    }
}

/// Options of [`key_drivers`]: build from `Default` with the setters; checked once by
/// [`validate`](Self::validate) at the start of [`key_drivers`].
///
/// ```
/// use voc_core::impact::drivers::{DriverMethod, KeyDriverOptions};
/// let opts = KeyDriverOptions::default().method(DriverMethod::Both).resamples(500).seed(7);
/// opts.validate()?;
/// assert!(KeyDriverOptions::default().resamples(5).validate().is_err());
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct KeyDriverOptions {
    /// Which decomposition(s) to compute.
    pub method: DriverMethod,
    /// Bootstrap replicates for the percentile intervals: 0 (no intervals) or 100..=100000.
    pub resamples: usize,
    /// Seed of the bootstrap.
    pub seed: u64,
    /// Confidence level of the intervals.
    pub confidence: f64,
    /// Rows with a missing (NaN) outcome, driver or weight: an error (default) or left out (listwise).
    pub missing: MissingPolicy,
}

impl Default for KeyDriverOptions {
    fn default() -> Self {
        KeyDriverOptions {
            method: DriverMethod::Lmg,
            resamples: 0,
            seed: 0,
            confidence: 0.95,
            missing: MissingPolicy::Error,
        }
    }
}

impl KeyDriverOptions {
    /// Checks the options.
    ///
    /// ```
    /// use voc_core::impact::drivers::KeyDriverOptions;
    /// assert!(KeyDriverOptions::default().confidence(1.0).validate().is_err());
    /// ```
    pub fn validate(&self) -> Result<()> {
        check_confidence(self.confidence)?;
        if self.resamples != 0 && !(100..=100_000).contains(&self.resamples) {
            return Err(Error::option(
                "resamples",
                self.resamples,
                "use 0 (no intervals) or 100..=100000 bootstrap replicates",
            ));
        }
        Ok(())
    }
}

crate::setters!(KeyDriverOptions {
    method: DriverMethod,
    resamples: usize,
    seed: u64,
    confidence: f64,
    missing: MissingPolicy
});

/// One driver's importance under one method.
///
/// ```
/// use ndarray::array;
/// use voc_core::impact::drivers::{key_drivers, KeyDriverOptions};
/// let y = [1.0, 3.0, 2.0, 5.0, 4.0];
/// let x = array![[1.0], [2.0], [2.0], [4.0], [5.0]];
/// let kd = key_drivers(&y, x.view(), &["x"], None, &KeyDriverOptions::default())?;
/// let d = &kd.lmg.as_ref().map(|m| m.drivers.clone()).unwrap_or_default()[0];
/// assert_eq!((d.driver.as_str(), d.rank, d.sign), ("x", 1, 1));
/// assert!((d.share - 1.0).abs() < 1e-12 && (d.importance - d.r * d.r).abs() < 1e-12);
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct DriverImportance {
    /// Driver name.
    pub driver: String,
    /// Raw importance, in R² units (the importances of all drivers sum to the model R²).
    pub importance: f64,
    /// Normalised importance: importance / R² (sums to 1; NaN when R² is exactly 0).
    pub share: f64,
    /// 1 = most important (ties share the better rank).
    pub rank: usize,
    /// Sign of the driver's (weighted) correlation with the outcome: −1, 0 or 1. Importances are
    /// non-negative; this says in which direction the driver moves the outcome.
    pub sign: i8,
    /// Pearson correlation with the outcome (weighted when weights are given).
    pub r: f64,
    /// Standardised coefficient in the full model (all drivers).
    pub beta: f64,
    /// R² of the driver alone (r²; relaimpo's "first").
    pub first: f64,
    /// R² lost when the driver is dropped from the full model (relaimpo's "last", "usefulness").
    pub last: f64,
    /// Percentile bootstrap interval of `importance`, when resamples > 0.
    pub ci: Option<Interval>,
    /// Percentile bootstrap interval of `share`, when resamples > 0.
    pub share_ci: Option<Interval>,
}

/// The importances of all drivers under one method, in the drivers' input order.
///
/// ```
/// use ndarray::array;
/// use voc_core::impact::drivers::{key_drivers, DriverMethod, KeyDriverOptions};
/// let y = [1.0, 3.0, 2.0, 5.0, 4.0, 6.0];
/// let x = array![[1.0, 2.0], [2.0, 1.0], [2.0, 3.0], [4.0, 3.0], [5.0, 2.0], [5.0, 4.0]];
/// let opts = KeyDriverOptions::default().method(DriverMethod::Johnson);
/// let kd = key_drivers(&y, x.view(), &["a", "b"], None, &opts)?;
/// let j = kd.johnson.as_ref().map(|m| m.method);
/// assert_eq!(j, Some(DriverMethod::Johnson));
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct DriverImportances {
    /// [`DriverMethod::Lmg`] or [`DriverMethod::Johnson`].
    pub method: DriverMethod,
    /// One entry per driver, input order.
    pub drivers: Vec<DriverImportance>,
}

/// Result of [`key_drivers`].
///
/// ```
/// use ndarray::array;
/// use voc_core::impact::drivers::{key_drivers, KeyDriverOptions};
/// let y = [1.0, 3.0, 2.0, 5.0, 4.0, f64::NAN];
/// let x = array![[1.0], [2.0], [2.0], [4.0], [5.0], [3.0]];
/// let opts = KeyDriverOptions::default().missing(voc_core::MissingPolicy::Skip);
/// let kd = key_drivers(&y, x.view(), &["x"], None, &opts)?;
/// assert_eq!((kd.n, kd.missing), (5, 1));
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct KeyDrivers {
    /// Rows used (complete, with positive weight).
    pub n: usize,
    /// Rows left out for a missing value (with [`MissingPolicy::Skip`]).
    pub missing: usize,
    /// R² of the full model (weighted least squares with an intercept).
    pub r2: f64,
    /// Percentile bootstrap interval of R², when resamples > 0.
    pub r2_ci: Option<Interval>,
    /// LMG importances, when requested.
    pub lmg: Option<DriverImportances>,
    /// Johnson's relative weights, when requested.
    pub johnson: Option<DriverImportances>,
    /// Bootstrap replicates requested.
    pub resamples: usize,
    /// Replicates left out because a resampled driver was constant or collinear.
    pub skipped: usize,
    /// Seed of the bootstrap.
    pub seed: u64,
}

/// Key-driver analysis: LMG and/or Johnson's relative weights of the `drivers` for `outcome`, with
/// the full-model R², each driver's correlation, standardised coefficient, first and last R², and
/// optional observation weights and bootstrap intervals.
///
/// `drivers` is the `n × p` matrix of driver values (one row per respondent, one column per
/// driver, any memory layout) and `names` its `p` column names (unique); `outcome` and `weights`
/// have `n` values. A column-major view is read in place; a row-major or strided one is copied into
/// columns once (one pass over its rows).
///
/// Errors: a missing value (NaN) is [`Error::Missing`] (with [`MissingPolicy::Error`]) and ±∞ is
/// [`Error::NonFinite`]; for `drivers` the index is `row × p + column` (row-major position in the
/// n × p driver matrix), for `outcome` and `weights` the row. A constant or collinear driver, a
/// constant outcome, a duplicate name, no drivers or too many are [`Error::InvalidOption`] naming the
/// driver; fewer than p + 2 usable rows is [`Error::InsufficientData`].
///
/// ```
/// use ndarray::Array2;
/// use voc_core::impact::drivers::{key_drivers, DriverMethod, KeyDriverOptions};
/// let y = [6.0, 9.0, 3.0, 8.0, 10.0, 2.0, 7.0, 9.0, 5.0, 4.0];
/// let speed = [3.0, 5.0, 2.0, 4.0, 5.0, 1.0, 3.0, 4.0, 3.0, 2.0];
/// let price = [4.0, 4.0, 2.0, 3.0, 5.0, 2.0, 4.0, 5.0, 2.0, 3.0];
/// // two columns side by side (column-major: read without a copy)
/// let x = Array2::from_shape_fn((10, 2), |(i, j)| if j == 0 { speed[i] } else { price[i] });
/// let opts = KeyDriverOptions::default().method(DriverMethod::Both).resamples(200).seed(1);
/// let kd = key_drivers(&y, x.view(), &["speed", "price"], None, &opts)?;
/// let lmg = kd.lmg.as_ref().map(|m| m.drivers.clone()).unwrap_or_default();
/// assert!(lmg[0].ci.is_some_and(|ci| ci.low <= lmg[0].importance && lmg[0].importance <= ci.high));
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn key_drivers<S: AsRef<str>>(
    outcome: &[f64],
    drivers: ArrayView2<'_, f64>,
    names: &[S],
    weights: Option<&[f64]>,
    opts: &KeyDriverOptions,
) -> Result<KeyDrivers> {
    let names = check_call(
        outcome,
        drivers.ncols(),
        drivers.nrows(),
        names,
        weights,
        opts,
    )?;
    let cols = contiguous_columns(drivers);
    analyse(outcome, cols, &names, weights, opts)
}

/// [`key_drivers`] with the drivers as separate columns (one slice per driver, each as long as
/// `outcome`), read in place: what a table of columns (a DataFrame, Arrow) hands over without
/// laying the drivers side by side first. Same checks, errors (a driver's index is `row × p +
/// column`) and results as [`key_drivers`] on the matrix of these columns.
///
/// ```
/// use voc_core::impact::drivers::{key_drivers_columns, KeyDriverOptions};
/// let y = [6.0, 9.0, 3.0, 8.0, 10.0, 2.0, 7.0, 9.0, 5.0, 4.0];
/// let speed = [3.0, 5.0, 2.0, 4.0, 5.0, 1.0, 3.0, 4.0, 3.0, 2.0];
/// let price = [4.0, 4.0, 2.0, 3.0, 5.0, 2.0, 4.0, 5.0, 2.0, 3.0];
/// let kd = key_drivers_columns(&y, &[&speed, &price], &["speed", "price"], None, &KeyDriverOptions::default())?;
/// let lmg = kd.lmg.as_ref().map(|m| m.drivers.clone()).unwrap_or_default();
/// assert!((lmg[0].importance + lmg[1].importance - kd.r2).abs() < 1e-12);
/// assert!(key_drivers_columns(&y, &[&speed[..9]], &["speed"], None, &KeyDriverOptions::default()).is_err());
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn key_drivers_columns<S: AsRef<str>>(
    outcome: &[f64],
    drivers: &[&[f64]],
    names: &[S],
    weights: Option<&[f64]>,
    opts: &KeyDriverOptions,
) -> Result<KeyDrivers> {
    let rows = drivers
        .iter()
        .map(|c| c.len())
        .find(|&len| len != outcome.len())
        .unwrap_or(outcome.len());
    let names = check_call(outcome, drivers.len(), rows, names, weights, opts)?;
    let cols = drivers.iter().map(|c| Cow::Borrowed(*c)).collect();
    analyse(outcome, cols, &names, weights, opts)
}

/// The checks of a key-driver call that need no pass over the data; the names as `&str`.
fn check_call<'n, S: AsRef<str>>(
    outcome: &[f64],
    p: usize,
    rows: usize,
    names: &'n [S],
    weights: Option<&[f64]>,
    opts: &KeyDriverOptions,
) -> Result<Vec<&'n str>> {
    opts.validate()?;
    check_len("drivers", p, "names", names.len())?;
    if p == 0 {
        return Err(Error::Empty {
            arg: "drivers",
            what: "key-driver analysis needs at least one driver",
        });
    }
    let max = if opts.method.lmg() {
        MAX_LMG_DRIVERS
    } else {
        MAX_DRIVERS
    };
    if p > max {
        return Err(too_many(p, max));
    }
    check_len("outcome", outcome.len(), "drivers", rows)?;
    let names: Vec<&str> = names.iter().map(AsRef::as_ref).collect();
    for (j, name) in names.iter().enumerate() {
        if names[..j].contains(name) {
            return Err(Error::option(
                "drivers",
                name,
                "is given twice; driver names must be unique",
            ));
        }
    }
    if let Some(w) = weights {
        check_len("outcome", outcome.len(), "weights", w.len())?;
    }
    Ok(names)
}

/// The analysis of checked inputs, the drivers as contiguous columns.
fn analyse(
    outcome: &[f64],
    cols: Vec<Cow<'_, [f64]>>,
    names: &[&str],
    weights: Option<&[f64]>,
    opts: &KeyDriverOptions,
) -> Result<KeyDrivers> {
    let p = cols.len();
    // One pass over the rows when it can: the moments of the columns as given. A NaN or ±inf
    // poisons its block's sums, so finite moments mean every value was finite and the row-by-row
    // scan is skipped; otherwise the scan runs (naming the first bad value, or leaving rows out)
    // and the moments are taken again over the rows kept.
    let pre = if weights.is_none() {
        let all: Vec<&[f64]> = std::iter::once(outcome)
            .chain(cols.iter().map(|c| c.as_ref()))
            .collect();
        let cm = co_moments(
            &all,
            RowWeights {
                weights: None,
                counts: None,
            },
            true,
        );
        cm.mean
            .iter()
            .chain(&cm.cross)
            .all(|v| v.is_finite())
            .then_some(cm)
    } else {
        None
    };
    let data = Data::collect(outcome, cols, names, weights, opts.missing, pre.is_some())?;
    let fit = fit(&data, names, opts.method, pre)?;

    let mut boot = None;
    let mut skipped = 0;
    if opts.resamples > 0 {
        let reps = bootstrap::replicates(&data, p, opts)?;
        skipped = reps.iter().filter(|r| r.is_none()).count();
        let ok: Vec<Fit> = reps.into_iter().flatten().collect();
        if ok.len() * 2 < opts.resamples {
            return Err(Error::InsufficientData(format!(
                "{skipped} of {} bootstrap replicates had a constant or collinear driver; \
                 the intervals would not be reliable (more rows are needed)",
                opts.resamples
            )));
        }
        boot = Some(ok);
    }
    let level = opts.confidence;
    let interval = |vals: &mut Vec<f64>| -> Interval {
        vals.sort_unstable_by(f64::total_cmp);
        let alpha = 1.0 - level;
        Interval {
            low: quantile_sorted(vals, alpha / 2.0),
            high: quantile_sorted(vals, 1.0 - alpha / 2.0),
            level,
            method: Method::Bootstrap,
        }
    };
    let r2_ci = boot.as_ref().map(|reps| {
        let mut v: Vec<f64> = reps.iter().map(|f| f.r2).collect();
        interval(&mut v)
    });
    let build = |method: DriverMethod, imp: &[f64], pick: &dyn Fn(&Fit) -> &[f64]| {
        let ranks = ranks(imp);
        let drivers = (0..p)
            .map(|j| {
                let (ci, share_ci) = match &boot {
                    Some(reps) => {
                        let mut v: Vec<f64> = reps.iter().map(|f| at(pick(f), j)).collect();
                        let mut s: Vec<f64> = reps
                            .iter()
                            .map(|f| at(pick(f), j) / f.r2)
                            .filter(|x| x.is_finite())
                            .collect();
                        (Some(interval(&mut v)), Some(interval(&mut s)))
                    }
                    None => (None, None),
                };
                let r = at(&fit.r, j);
                DriverImportance {
                    driver: names.get(j).map_or_else(String::new, |s| (*s).to_owned()),
                    importance: at(imp, j),
                    share: at(imp, j) / fit.r2,
                    rank: at_usize(&ranks, j),
                    sign: if r > 0.0 {
                        1
                    } else if r < 0.0 {
                        -1
                    } else {
                        0
                    },
                    r,
                    beta: at(&fit.beta, j),
                    first: r * r,
                    last: at(&fit.last, j),
                    ci,
                    share_ci,
                }
            })
            .collect();
        DriverImportances { method, drivers }
    };
    let lmg = fit.lmg.as_ref().map(|imp| {
        build(DriverMethod::Lmg, imp, &|f: &Fit| {
            f.lmg.as_deref().unwrap_or(&[])
        })
    });
    let johnson = fit.johnson.as_ref().map(|imp| {
        build(DriverMethod::Johnson, imp, &|f: &Fit| {
            f.johnson.as_deref().unwrap_or(&[])
        })
    });
    Ok(KeyDrivers {
        n: data.n,
        missing: data.missing,
        r2: fit.r2,
        r2_ci,
        lmg,
        johnson,
        resamples: opts.resamples,
        skipped,
        seed: opts.seed,
    })
}

// ---------------------------------------------------------------------------------------------
// One fit: correlation matrix, full model, decompositions

/// What one fit (the data or one bootstrap replicate) gives.
struct Fit {
    r2: f64,
    r: Vec<f64>,
    beta: Vec<f64>,
    last: Vec<f64>,
    lmg: Option<Vec<f64>>,
    johnson: Option<Vec<f64>>,
}

/// One fit of the data; `pre`: the moments of its columns, when already computed.
fn fit(data: &Data, names: &[&str], method: DriverMethod, pre: Option<CoMoments>) -> Result<Fit> {
    let corr = match pre {
        Some(cm) => correlation_of(cm)?,
        None => correlation(&data.columns(), data.w.as_deref(), None, true)?,
    };
    fit_corr(&corr, data.cols.len() - 1, names, method)
}

fn fit_corr(corr: &[f64], p: usize, names: &[&str], method: DriverMethod) -> Result<Fit> {
    let dim = p + 1;
    let name = |j: usize| {
        names
            .get(j)
            .map_or_else(|| format!("{}", j + 1), |s| (*s).to_owned())
    };
    let l = check_collinear(corr, p, &name)?;
    let r: Vec<f64> = (1..dim).map(|j| corr[j]).collect();
    let mut beta = r.clone();
    chol_solve(&l, p, &mut beta);
    let inv = chol_inverse(&l, p);
    let r2 = beta.iter().zip(&r).map(|(b, r)| b * r).sum::<f64>();
    let last = (0..p).map(|j| beta[j] * beta[j] / inv[j * p + j]).collect();
    let lmg = if method.lmg() {
        Some(lmg::lmg(corr, p)?.1)
    } else {
        None
    };
    let johnson = if method.johnson() {
        Some(johnson::johnson(corr, p)?.1)
    } else {
        None
    };
    Ok(Fit {
        r2,
        r,
        beta,
        last,
        lmg,
        johnson,
    })
}

// ---------------------------------------------------------------------------------------------
// Small helpers

/// Competition ranks, 1 = largest ("1224"): tied values share the better rank.
fn ranks(v: &[f64]) -> Vec<usize> {
    v.iter()
        .map(|x| 1 + v.iter().filter(|y| **y > *x).count())
        .collect()
}

fn too_many(p: usize, max: usize) -> Error {
    let reason = if max == MAX_LMG_DRIVERS {
        format!(
            "LMG is exact over all 2^p subsets and takes at most {max} drivers; \
             use method \"johnson\" for more, or group the drivers"
        )
    } else {
        format!("at most {max} drivers")
    };
    Error::option("drivers", format!("{p} drivers"), reason)
}

fn at(v: &[f64], i: usize) -> f64 {
    v.get(i).copied().unwrap_or(f64::NAN)
}

fn at_usize(v: &[usize], i: usize) -> usize {
    v.get(i).copied().unwrap_or(0)
}
