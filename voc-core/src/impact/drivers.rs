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
//! Intervals are seeded percentile bootstraps over rows (each replicate has its own ChaCha8 stream, so
//! results are bit-identical on any number of threads).
//!
//! ```
//! use voc_core::impact::drivers::{key_drivers, KeyDriverOptions};
//! let y = [7.0, 9.0, 4.0, 8.0, 10.0, 3.0, 6.0, 9.0];
//! let speed = [3.0, 5.0, 2.0, 4.0, 5.0, 1.0, 3.0, 4.0];
//! let price = [4.0, 4.0, 2.0, 3.0, 5.0, 2.0, 4.0, 5.0];
//! let kd = key_drivers(&y, &[("speed", &speed), ("price", &price)], None, &KeyDriverOptions::default())?;
//! let lmg = kd.lmg.as_ref().map(|m| &m.drivers[..]).unwrap_or_default();
//! let total: f64 = lmg.iter().map(|d| d.importance).sum();
//! assert!((total - kd.r2).abs() < 1e-12);
//! # Ok::<(), voc_core::Error>(())
//! ```

use std::borrow::Cow;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
#[cfg(feature = "parallel")]
use rayon::prelude::*;

use crate::MissingPolicy;
use crate::error::{Error, Result, check_len};
use crate::stats::linalg::{chol_inverse, chol_solve, cholesky, sym_eigen};
use crate::stats::{Interval, Method, check_confidence};

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
/// ```
/// use voc_core::impact::drivers::DriverMethod;
/// assert_eq!(DriverMethod::parse("johnson")?, DriverMethod::Johnson);
/// assert_eq!(DriverMethod::Both.name(), "both");
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

impl DriverMethod {
    /// Parses "lmg" (also "shapley"), "johnson" (also "rwa", "genizi", "relative_weights") or "both".
    ///
    /// ```
    /// use voc_core::impact::drivers::DriverMethod;
    /// assert_eq!(DriverMethod::parse("shapley")?, DriverMethod::Lmg);
    /// assert!(DriverMethod::parse("ols").is_err());
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn parse(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "lmg" | "shapley" => Ok(DriverMethod::Lmg),
            "johnson" | "rwa" | "genizi" | "relative_weights" => Ok(DriverMethod::Johnson),
            "both" => Ok(DriverMethod::Both),
            _ => Err(Error::option(
                "method",
                s,
                "use \"lmg\", \"johnson\" or \"both\"",
            )),
        }
    }

    /// The lowercase name ("lmg", "johnson", "both").
    ///
    /// ```
    /// assert_eq!(voc_core::impact::drivers::DriverMethod::Lmg.name(), "lmg");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            DriverMethod::Lmg => "lmg",
            DriverMethod::Johnson => "johnson",
            DriverMethod::Both => "both",
        }
    }

    fn lmg(self) -> bool {
        matches!(self, DriverMethod::Lmg | DriverMethod::Both)
    }

    fn johnson(self) -> bool {
        matches!(self, DriverMethod::Johnson | DriverMethod::Both)
    }
}

/// Options of [`key_drivers`].
///
/// ```
/// use voc_core::impact::drivers::{DriverMethod, KeyDriverOptions};
/// let opts = KeyDriverOptions { method: DriverMethod::Both, resamples: 500, seed: 7, ..Default::default() };
/// opts.validate()?;
/// assert!(KeyDriverOptions { resamples: 5, ..Default::default() }.validate().is_err());
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
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
    /// assert!(KeyDriverOptions { confidence: 1.0, ..Default::default() }.validate().is_err());
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

/// One driver's importance under one method.
///
/// ```
/// use voc_core::impact::drivers::{key_drivers, KeyDriverOptions};
/// let y = [1.0, 3.0, 2.0, 5.0, 4.0];
/// let x = [1.0, 2.0, 2.0, 4.0, 5.0];
/// let kd = key_drivers(&y, &[("x", &x)], None, &KeyDriverOptions::default())?;
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
/// use voc_core::impact::drivers::{key_drivers, DriverMethod, KeyDriverOptions};
/// let y = [1.0, 3.0, 2.0, 5.0, 4.0, 6.0];
/// let (a, b) = ([1.0, 2.0, 2.0, 4.0, 5.0, 5.0], [2.0, 1.0, 3.0, 3.0, 2.0, 4.0]);
/// let opts = KeyDriverOptions { method: DriverMethod::Johnson, ..Default::default() };
/// let kd = key_drivers(&y, &[("a", &a), ("b", &b)], None, &opts)?;
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
/// use voc_core::impact::drivers::{key_drivers, KeyDriverOptions};
/// let y = [1.0, 3.0, 2.0, 5.0, 4.0, f64::NAN];
/// let x = [1.0, 2.0, 2.0, 4.0, 5.0, 3.0];
/// let opts = KeyDriverOptions { missing: voc_core::MissingPolicy::Skip, ..Default::default() };
/// let kd = key_drivers(&y, &[("x", &x)], None, &opts)?;
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

/// An R² decomposition from a covariance or correlation matrix.
///
/// ```
/// use voc_core::impact::drivers::lmg_from_matrix;
/// // outcome first, then two uncorrelated drivers: importances are the squared correlations
/// let c = [1.0, 0.5, 0.3, 0.5, 1.0, 0.0, 0.3, 0.0, 1.0];
/// let d = lmg_from_matrix(&c, 3)?;
/// assert!((d.importance[0] - 0.25).abs() < 1e-15 && (d.importance[1] - 0.09).abs() < 1e-15);
/// assert!((d.r2 - 0.34).abs() < 1e-15);
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct R2Decomposition {
    /// R² of the full model.
    pub r2: f64,
    /// One importance per driver (R² units, sums to `r2`).
    pub importance: Vec<f64>,
}

/// LMG (Shapley-value) decomposition of R² from the covariance or correlation matrix of
/// `[outcome, driver 1, …, driver p]` (`dim = p + 1`, row-major), as relaimpo's `calc.relimp(covg,
/// type = "lmg")`.
///
/// ```
/// use voc_core::impact::drivers::lmg_from_matrix;
/// let c = [4.0, 1.0, 1.0, 1.0, 1.0, 0.5, 1.0, 0.5, 1.0]; // a covariance matrix
/// let d = lmg_from_matrix(&c, 3)?;
/// assert!((d.importance[0] - d.importance[1]).abs() < 1e-15); // symmetric drivers share equally
/// assert!((d.importance.iter().sum::<f64>() - d.r2).abs() < 1e-15);
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn lmg_from_matrix(matrix: &[f64], dim: usize) -> Result<R2Decomposition> {
    let corr = matrix_to_correlation(matrix, dim)?;
    let p = dim - 1;
    if p > MAX_LMG_DRIVERS {
        return Err(too_many(p, MAX_LMG_DRIVERS));
    }
    check_collinear(&corr, p, &|j| format!("driver {}", j + 1))?;
    let (r2, importance) = lmg(&corr, p)?;
    Ok(R2Decomposition { r2, importance })
}

/// Johnson's relative weights (= relaimpo's "genizi") from the covariance or correlation matrix of
/// `[outcome, driver 1, …, driver p]` (`dim = p + 1`, row-major).
///
/// ```
/// use voc_core::impact::drivers::relative_weights_from_matrix;
/// let c = [1.0, 0.5, 0.3, 0.5, 1.0, 0.0, 0.3, 0.0, 1.0];
/// let d = relative_weights_from_matrix(&c, 3)?;
/// assert!((d.importance[0] - 0.25).abs() < 1e-15 && (d.r2 - 0.34).abs() < 1e-15);
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn relative_weights_from_matrix(matrix: &[f64], dim: usize) -> Result<R2Decomposition> {
    let corr = matrix_to_correlation(matrix, dim)?;
    let p = dim - 1;
    if p > MAX_DRIVERS {
        return Err(too_many(p, MAX_DRIVERS));
    }
    check_collinear(&corr, p, &|j| format!("driver {}", j + 1))?;
    let (r2, importance) = johnson(&corr, p)?;
    Ok(R2Decomposition { r2, importance })
}

/// R² of the regression of the outcome on every subset of drivers, indexed by bit mask (bit `j` set =
/// driver `j` in the model; entry 0 is the empty model, 0). From the covariance or correlation matrix
/// of `[outcome, drivers…]` (`dim = p + 1`), p ≤ [`MAX_LMG_DRIVERS`].
///
/// ```
/// use voc_core::impact::drivers::subset_r2;
/// let c = [1.0, 0.5, 0.3, 0.5, 1.0, 0.0, 0.3, 0.0, 1.0];
/// let r2 = subset_r2(&c, 3)?;
/// assert_eq!(r2.len(), 4);
/// assert!((r2[1] - 0.25).abs() < 1e-15 && (r2[2] - 0.09).abs() < 1e-15 && (r2[3] - 0.34).abs() < 1e-15);
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn subset_r2(matrix: &[f64], dim: usize) -> Result<Vec<f64>> {
    let corr = matrix_to_correlation(matrix, dim)?;
    let p = dim - 1;
    if p > MAX_LMG_DRIVERS {
        return Err(too_many(p, MAX_LMG_DRIVERS));
    }
    check_collinear(&corr, p, &|j| format!("driver {}", j + 1))?;
    let mut out = vec![0.0; 1 << p];
    let mut visit = |mask: u32, _size: usize, r2: f64| {
        if let Some(slot) = out.get_mut(mask as usize) {
            *slot = r2;
        }
    };
    visit_subsets(&corr, p, 0, &mut visit)?;
    Ok(out)
}

/// Key-driver analysis: LMG and/or Johnson's relative weights of `drivers` for `outcome`, with the
/// full-model R², each driver's correlation, standardised coefficient, first and last R², and
/// optional observation weights and bootstrap intervals.
///
/// Errors: a missing value (NaN) is [`Error::Missing`] (with [`MissingPolicy::Error`]) and ±∞ is
/// [`Error::NonFinite`]; for `drivers` the index is `row × p + column` (row-major position in the
/// n × p driver matrix), for `outcome` and `weights` the row. A constant or collinear driver, a
/// constant outcome, a duplicate name, no drivers or too many are [`Error::InvalidOption`] naming the
/// driver; fewer than p + 2 usable rows is [`Error::InsufficientData`].
///
/// ```
/// use voc_core::impact::drivers::{key_drivers, DriverMethod, KeyDriverOptions};
/// let y = [6.0, 9.0, 3.0, 8.0, 10.0, 2.0, 7.0, 9.0, 5.0, 4.0];
/// let a = [3.0, 5.0, 2.0, 4.0, 5.0, 1.0, 3.0, 4.0, 3.0, 2.0];
/// let b = [4.0, 4.0, 2.0, 3.0, 5.0, 2.0, 4.0, 5.0, 2.0, 3.0];
/// let opts = KeyDriverOptions { method: DriverMethod::Both, resamples: 200, seed: 1, ..Default::default() };
/// let kd = key_drivers(&y, &[("speed", &a), ("price", &b)], None, &opts)?;
/// let lmg = kd.lmg.as_ref().map(|m| m.drivers.clone()).unwrap_or_default();
/// assert!(lmg[0].ci.is_some_and(|ci| ci.low <= lmg[0].importance && lmg[0].importance <= ci.high));
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn key_drivers(
    outcome: &[f64],
    drivers: &[(&str, &[f64])],
    weights: Option<&[f64]>,
    opts: &KeyDriverOptions,
) -> Result<KeyDrivers> {
    opts.validate()?;
    let p = drivers.len();
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
    for (j, (name, col)) in drivers.iter().enumerate() {
        check_len("outcome", outcome.len(), "drivers", col.len())?;
        if drivers[..j].iter().any(|(other, _)| other == name) {
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
    let data = Data::collect(outcome, drivers, weights, opts.missing)?;
    let names: Vec<&str> = drivers.iter().map(|(n, _)| *n).collect();
    let fit = fit(&data, &names, opts.method)?;

    let mut boot = None;
    let mut skipped = 0;
    if opts.resamples > 0 {
        let reps = bootstrap(&data, p, opts);
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

/// How a driver's performance is measured for the importance × performance quadrants.
///
/// ```
/// use voc_core::impact::drivers::Performance;
/// assert_eq!(Performance::parse("mean", None)?, Performance::Mean);
/// assert_eq!(Performance::parse("top_box", Some(4.0))?, Performance::TopBox(4.0));
/// assert!(Performance::parse("top_box", None).is_err());
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Performance {
    /// The (weighted) mean of the driver, on its own scale.
    Mean,
    /// The (weighted) share of rows at or above this value (top-box share, e.g. 4 on a 1–5 scale).
    TopBox(f64),
}

impl Performance {
    /// Parses "mean" or "top_box" (with its threshold).
    ///
    /// ```
    /// use voc_core::impact::drivers::Performance;
    /// assert!(Performance::parse("median", None).is_err());
    /// ```
    pub fn parse(s: &str, top_box: Option<f64>) -> Result<Self> {
        match (s.to_ascii_lowercase().as_str(), top_box) {
            ("mean", _) => Ok(Performance::Mean),
            ("top_box" | "topbox", Some(t)) if t.is_finite() => Ok(Performance::TopBox(t)),
            ("top_box" | "topbox", t) => Err(Error::option(
                "top_box",
                format!("{t:?}"),
                "performance=\"top_box\" needs a finite top_box threshold (e.g. 4 on a 1-5 scale)",
            )),
            _ => Err(Error::option(
                "performance",
                s,
                "use \"mean\" or \"top_box\"",
            )),
        }
    }
}

/// Where the quadrant lines are drawn: at the median or the mean of the drivers' values.
///
/// ```
/// use voc_core::impact::drivers::Split;
/// assert_eq!(Split::parse("median")?, Split::Median);
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Split {
    /// The median over drivers (the default).
    #[default]
    Median,
    /// The mean over drivers.
    Mean,
}

impl Split {
    /// Parses "median" or "mean".
    ///
    /// ```
    /// assert!(voc_core::impact::drivers::Split::parse("mode").is_err());
    /// ```
    pub fn parse(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "median" => Ok(Split::Median),
            "mean" => Ok(Split::Mean),
            _ => Err(Error::option("split", s, "use \"median\" or \"mean\"")),
        }
    }
}

/// Importance × performance quadrant of a driver.
///
/// ```
/// use voc_core::impact::drivers::Quadrant;
/// assert_eq!(Quadrant::FixFirst.name(), "fix first");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Quadrant {
    /// High importance, low performance: improve these first.
    FixFirst,
    /// High importance, high performance: keep them up.
    Maintain,
    /// Low importance, low performance: low priority.
    LowPriority,
    /// Low importance, high performance: possible over-investment.
    Overinvested,
}

impl Quadrant {
    /// "fix first", "maintain", "low priority" or "overinvested".
    ///
    /// ```
    /// assert_eq!(voc_core::impact::drivers::Quadrant::Overinvested.name(), "overinvested");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Quadrant::FixFirst => "fix first",
            Quadrant::Maintain => "maintain",
            Quadrant::LowPriority => "low priority",
            Quadrant::Overinvested => "overinvested",
        }
    }

    /// The quadrant of a point: a value at or above its split counts as high.
    ///
    /// ```
    /// use voc_core::impact::drivers::Quadrant;
    /// assert_eq!(Quadrant::of(0.3, 2.1, 0.2, 3.0), Quadrant::FixFirst);
    /// assert_eq!(Quadrant::of(0.2, 3.0, 0.2, 3.0), Quadrant::Maintain);
    /// ```
    pub fn of(
        importance: f64,
        performance: f64,
        importance_split: f64,
        performance_split: f64,
    ) -> Self {
        match (
            importance >= importance_split,
            performance >= performance_split,
        ) {
            (true, false) => Quadrant::FixFirst,
            (true, true) => Quadrant::Maintain,
            (false, false) => Quadrant::LowPriority,
            (false, true) => Quadrant::Overinvested,
        }
    }
}

/// One driver in the importance × performance chart.
///
/// ```
/// use voc_core::impact::drivers::{driver_quadrants, DriverImportances, DriverMethod, Performance, Split};
/// # let y = [6.0, 9.0, 3.0, 8.0, 10.0, 2.0, 7.0, 9.0, 5.0, 4.0];
/// # let a = [3.0, 5.0, 2.0, 4.0, 5.0, 1.0, 3.0, 4.0, 3.0, 2.0];
/// # let b = [4.0, 4.0, 2.0, 3.0, 5.0, 2.0, 4.0, 5.0, 2.0, 3.0];
/// let kd = voc_core::impact::drivers::key_drivers(&y, &[("a", &a), ("b", &b)], None, &Default::default())?;
/// let imp = kd.lmg.clone().unwrap_or(DriverImportances { method: DriverMethod::Lmg, drivers: vec![] });
/// let q = driver_quadrants(&imp, &[("a", &a), ("b", &b)], None, Performance::Mean, Split::Median)?;
/// assert_eq!(q.drivers[0].performance, 3.2);
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct QuadrantPoint {
    /// Driver name.
    pub driver: String,
    /// Importance (share of R²).
    pub importance: f64,
    /// Performance (mean or top-box share).
    pub performance: f64,
    /// The quadrant.
    pub quadrant: Quadrant,
}

/// Importance × performance quadrant data for all drivers.
///
/// ```
/// use voc_core::impact::drivers::{QuadrantChart, Split};
/// let c = QuadrantChart { drivers: vec![], importance_split: 0.2, performance_split: 3.5, split: Split::Median };
/// assert!(c.drivers.is_empty());
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct QuadrantChart {
    /// One point per driver, in the order of the importances.
    pub drivers: Vec<QuadrantPoint>,
    /// The importance line (median or mean of the shares).
    pub importance_split: f64,
    /// The performance line (median or mean of the performances).
    pub performance_split: f64,
    /// How the lines were placed.
    pub split: Split,
}

/// Importance × performance quadrants ("fix first" = important and below the performance line).
///
/// `importances` comes from [`key_drivers`]; `columns` hold the drivers' values (by name; the rows
/// used for the performance are those with a finite value and, with `weights`, a positive weight).
/// Importance is the share of R². The lines are the median (or mean) over drivers; a value on a line
/// counts as high.
///
/// ```
/// use voc_core::impact::drivers::{driver_quadrants, key_drivers, Performance, Quadrant, Split};
/// let y = [6.0, 9.0, 3.0, 8.0, 10.0, 2.0, 7.0, 9.0, 5.0, 4.0];
/// let a = [3.0, 5.0, 2.0, 4.0, 5.0, 1.0, 3.0, 4.0, 3.0, 2.0];
/// let b = [4.0, 4.0, 2.0, 3.0, 5.0, 2.0, 4.0, 5.0, 2.0, 3.0];
/// let cols = [("a", &a[..]), ("b", &b[..])];
/// let kd = key_drivers(&y, &cols, None, &Default::default())?;
/// let lmg = kd.lmg.as_ref().ok_or(voc_core::Error::InsufficientData("no lmg".into()))?;
/// let q = driver_quadrants(lmg, &cols, None, Performance::TopBox(4.0), Split::Median)?;
/// assert_eq!(q.drivers[0].quadrant, Quadrant::FixFirst); // a matters more and has fewer 4s and 5s
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn driver_quadrants(
    importances: &DriverImportances,
    columns: &[(&str, &[f64])],
    weights: Option<&[f64]>,
    performance: Performance,
    split: Split,
) -> Result<QuadrantChart> {
    let mut perf = Vec::with_capacity(importances.drivers.len());
    for d in &importances.drivers {
        let col = columns
            .iter()
            .find(|(n, _)| *n == d.driver)
            .map(|(_, c)| *c)
            .ok_or_else(|| {
                Error::option("columns", &d.driver, "no column with this driver's name")
            })?;
        if let Some(w) = weights {
            check_len("columns", col.len(), "weights", w.len())?;
        }
        let (mut num, mut den) = (0.0, 0.0);
        for (i, &v) in col.iter().enumerate() {
            let w = weights.map_or(1.0, |w| at(w, i));
            if !v.is_finite() || !(w > 0.0) {
                continue;
            }
            let x = match performance {
                Performance::Mean => v,
                Performance::TopBox(t) => f64::from(u8::from(v >= t)),
            };
            num += w * x;
            den += w;
        }
        if !(den > 0.0) {
            return Err(Error::Empty {
                arg: "columns",
                what: "a driver has no finite value with a positive weight",
            });
        }
        perf.push(num / den);
    }
    let shares: Vec<f64> = importances.drivers.iter().map(|d| d.share).collect();
    let center = |v: &[f64]| -> f64 {
        match split {
            Split::Mean => v.iter().sum::<f64>() / v.len().max(1) as f64,
            Split::Median => {
                let mut s = v.to_vec();
                s.sort_unstable_by(f64::total_cmp);
                quantile_sorted(&s, 0.5)
            }
        }
    };
    let (si, sp) = (center(&shares), center(&perf));
    let drivers = importances
        .drivers
        .iter()
        .zip(&perf)
        .map(|(d, &pf)| QuadrantPoint {
            driver: d.driver.clone(),
            importance: d.share,
            performance: pf,
            quadrant: Quadrant::of(d.share, pf, si, sp),
        })
        .collect();
    Ok(QuadrantChart {
        drivers,
        importance_split: si,
        performance_split: sp,
        split,
    })
}

// ---------------------------------------------------------------------------------------------
// Data preparation

/// The usable rows: column 0 the outcome, columns 1..=p the drivers (borrowed when no row is dropped).
struct Data<'a> {
    cols: Vec<Cow<'a, [f64]>>,
    w: Option<Cow<'a, [f64]>>,
    n: usize,
    missing: usize,
    names: Vec<String>,
}

impl<'a> Data<'a> {
    fn collect(
        outcome: &'a [f64],
        drivers: &[(&str, &'a [f64])],
        weights: Option<&'a [f64]>,
        missing: MissingPolicy,
    ) -> Result<Data<'a>> {
        let p = drivers.len();
        let rows = outcome.len();
        let mut keep = vec![true; rows];
        // Each column is scanned on its own (contiguous, and finite values take one test); the error
        // reported is the first bad value in row order (outcome, then drivers, then the weight).
        let mut first: Option<(usize, usize, Error)> = None;
        let mut columns: Vec<(&'static str, &[f64])> = Vec::with_capacity(p + 2);
        columns.push(("outcome", outcome));
        columns.extend(drivers.iter().map(|(_, c)| ("drivers", *c)));
        if let Some(w) = weights {
            columns.push(("weights", w));
        }
        for (slot, (arg, col)) in columns.iter().enumerate() {
            let index = |i: usize| {
                if *arg == "drivers" {
                    i * p + slot - 1
                } else {
                    i
                }
            };
            for (i, &v) in col.iter().enumerate() {
                let bad = if v.is_finite() {
                    if *arg == "weights" && v < 0.0 {
                        Some(Error::InvalidValue {
                            arg,
                            index: i,
                            value: v,
                            reason: "weights must not be negative",
                        })
                    } else {
                        continue;
                    }
                } else if v.is_nan() && missing == MissingPolicy::Skip {
                    keep[i] = false;
                    continue;
                } else if v.is_nan() {
                    Some(Error::Missing {
                        arg,
                        index: index(i),
                    })
                } else {
                    Some(Error::NonFinite {
                        arg,
                        index: index(i),
                        value: v,
                    })
                };
                if let Some(e) = bad {
                    if first.as_ref().is_none_or(|(r, s, _)| (i, slot) < (*r, *s)) {
                        first = Some((i, slot, e));
                    }
                    break;
                }
            }
        }
        if let Some((_, _, e)) = first {
            return Err(e);
        }
        let dropped = keep.iter().filter(|&&k| !k).count();
        if let Some(w) = weights {
            for (k, &v) in keep.iter_mut().zip(w) {
                if v == 0.0 {
                    *k = false;
                }
            }
        }
        let n = keep.iter().filter(|&&k| k).count();
        if n < p + 2 {
            return Err(Error::InsufficientData(format!(
                "key drivers with {p} driver(s) need at least {} complete rows with positive weight \
                 (one more than the {} coefficients), got {n}",
                p + 2,
                p + 1
            )));
        }
        let all = n == rows;
        let pick = |col: &'a [f64]| -> Cow<'a, [f64]> {
            if all {
                Cow::Borrowed(col)
            } else {
                Cow::Owned(
                    col.iter()
                        .zip(&keep)
                        .filter(|(_, k)| **k)
                        .map(|(v, _)| *v)
                        .collect(),
                )
            }
        };
        let mut cols = Vec::with_capacity(p + 1);
        cols.push(pick(outcome));
        for (_, col) in drivers {
            cols.push(pick(col));
        }
        let w = weights.map(pick);
        let mut names = Vec::with_capacity(p + 1);
        names.push(String::from("outcome"));
        names.extend(drivers.iter().map(|(n, _)| (*n).to_owned()));
        // A constant column has no correlation: name it (exact check, before any rounding).
        for (c, col) in cols.iter().enumerate() {
            let first = col.first().copied().unwrap_or(0.0);
            if col.iter().all(|&v| v == first) {
                let (name, what) = if c == 0 {
                    ("outcome", "the outcome")
                } else {
                    ("drivers", "driver")
                };
                return Err(Error::option(
                    name,
                    names.get(c).map_or("", |s| s.as_str()),
                    format!("{what} is constant ({first}) in the rows used; it has no correlation"),
                ));
            }
        }
        Ok(Data {
            cols,
            w,
            n,
            missing: dropped,
            names,
        })
    }

    fn columns(&self) -> Vec<&[f64]> {
        self.cols.iter().map(|c| c.as_ref()).collect()
    }
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

fn fit(data: &Data, names: &[&str], method: DriverMethod) -> Result<Fit> {
    let counts: Option<&[u32]> = None;
    let corr = correlation(&data.columns(), data.w.as_deref(), counts, true)?;
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
        Some(lmg(corr, p)?.1)
    } else {
        None
    };
    let johnson = if method.johnson() {
        Some(johnson(corr, p)?.1)
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

/// Rows per block of the moment sums: blocks are summed in order, so the result does not depend on
/// how many threads computed them.
const BLOCK: usize = 4096;

/// Weighted correlation matrix of the columns (row-major, dim × dim), two-pass (means, then centred
/// cross-products), as R's `cov.wt(..., cor = TRUE)`. `counts` multiplies each row's weight (bootstrap).
fn correlation(
    cols: &[&[f64]],
    w: Option<&[f64]>,
    counts: Option<&[u32]>,
    parallel: bool,
) -> Result<Vec<f64>> {
    let dim = cols.len();
    let n = cols.first().map_or(0, |c| c.len());
    let weight = |i: usize| -> f64 {
        let c = counts.map_or(1.0, |c| f64::from(at_u32(c, i)));
        w.map_or(c, |w| c * at(w, i))
    };
    let blocks = n.div_ceil(BLOCK);
    // pass 1: weighted sums per block
    let sums_of = |b: usize| -> Vec<f64> {
        let (lo, hi) = (b * BLOCK, ((b + 1) * BLOCK).min(n));
        let wts: Vec<f64> = (lo..hi).map(weight).collect();
        let mut s = vec![0.0; dim + 1];
        for (c, col) in cols.iter().enumerate() {
            s[c] = dot(&wts, &col[lo..hi]);
        }
        s[dim] = wts.iter().sum();
        s
    };
    let parts = map_blocks(blocks, parallel, &sums_of);
    let mut tot = vec![0.0; dim + 1];
    for part in &parts {
        for (t, x) in tot.iter_mut().zip(part) {
            *t += x;
        }
    }
    let wsum = tot[dim];
    if !(wsum > 0.0) {
        return Err(Error::Empty {
            arg: "weights",
            what: "all weights are zero",
        });
    }
    let mean: Vec<f64> = tot[..dim].iter().map(|s| s / wsum).collect();
    // pass 2: centred cross-products per block (upper triangle)
    let cross_of = |b: usize| -> Vec<f64> {
        let (lo, hi) = (b * BLOCK, ((b + 1) * BLOCK).min(n));
        let len = hi - lo;
        let mut z = vec![0.0; dim * len];
        let mut zw = vec![0.0; dim * len];
        let wts: Vec<f64> = (lo..hi).map(weight).collect();
        for (c, col) in cols.iter().enumerate() {
            let m = mean[c];
            let zc = &mut z[c * len..(c + 1) * len];
            for (k, v) in zc.iter_mut().enumerate() {
                *v = col[lo + k] - m;
            }
            let zwc = &mut zw[c * len..(c + 1) * len];
            for (k, v) in zwc.iter_mut().enumerate() {
                *v = wts[k] * z[c * len + k];
            }
        }
        let mut s = vec![0.0; dim * dim];
        for a in 0..dim {
            let za = &zw[a * len..(a + 1) * len];
            for b2 in a..dim {
                let zb = &z[b2 * len..(b2 + 1) * len];
                s[a * dim + b2] = dot(za, zb);
            }
        }
        s
    };
    let parts = map_blocks(blocks, parallel, &cross_of);
    let mut cov = vec![0.0; dim * dim];
    for part in &parts {
        for (t, x) in cov.iter_mut().zip(part) {
            *t += x;
        }
    }
    let sd: Vec<f64> = (0..dim).map(|a| cov[a * dim + a].sqrt()).collect();
    if sd.iter().any(|s| !(*s > 0.0)) {
        return Err(Error::InsufficientData(
            "a column has zero variance in this sample".into(),
        ));
    }
    let mut corr = vec![0.0; dim * dim];
    for a in 0..dim {
        corr[a * dim + a] = 1.0;
        for b in a + 1..dim {
            let v = (cov[a * dim + b] / (sd[a] * sd[b])).clamp(-1.0, 1.0);
            corr[a * dim + b] = v;
            corr[b * dim + a] = v;
        }
    }
    Ok(corr)
}

/// Dot product with four independent accumulators (lets the compiler vectorise; the order is fixed).
fn dot(a: &[f64], b: &[f64]) -> f64 {
    let mut acc = [0.0; 4];
    let chunks = a.len() / 4;
    for k in 0..chunks {
        for (l, slot) in acc.iter_mut().enumerate() {
            *slot += a[4 * k + l] * b[4 * k + l];
        }
    }
    let mut s = (acc[0] + acc[1]) + (acc[2] + acc[3]);
    for k in 4 * chunks..a.len() {
        s += a[k] * b[k];
    }
    s
}

fn map_blocks(
    blocks: usize,
    parallel: bool,
    f: &(dyn Fn(usize) -> Vec<f64> + Sync),
) -> Vec<Vec<f64>> {
    #[cfg(feature = "parallel")]
    if parallel && blocks > 1 {
        return (0..blocks).into_par_iter().map(f).collect();
    }
    let _ = parallel;
    (0..blocks).map(f).collect()
}

/// Validates a covariance/correlation matrix and scales it to a correlation matrix.
fn matrix_to_correlation(m: &[f64], dim: usize) -> Result<Vec<f64>> {
    if dim < 2 {
        return Err(Error::option(
            "dim",
            dim,
            "the matrix must hold the outcome and at least one driver",
        ));
    }
    if m.len() != dim * dim {
        return Err(Error::LengthMismatch {
            arg: "matrix",
            len: m.len(),
            other: "dim × dim",
            other_len: dim * dim,
        });
    }
    for (i, &v) in m.iter().enumerate() {
        if !v.is_finite() {
            return Err(Error::NonFinite {
                arg: "matrix",
                index: i,
                value: v,
            });
        }
    }
    for a in 0..dim {
        let d = m[a * dim + a];
        if !(d > 0.0) {
            return Err(Error::InvalidValue {
                arg: "matrix",
                index: a * dim + a,
                value: d,
                reason: "a variance on the diagonal must be positive",
            });
        }
        for b in a + 1..dim {
            let (x, y) = (m[a * dim + b], m[b * dim + a]);
            if (x - y).abs() > 1e-12 * (x.abs() + y.abs()).max(d) {
                return Err(Error::InvalidValue {
                    arg: "matrix",
                    index: b * dim + a,
                    value: y,
                    reason: "the matrix must be symmetric",
                });
            }
        }
    }
    let sd: Vec<f64> = (0..dim).map(|a| m[a * dim + a].sqrt()).collect();
    let mut c = vec![0.0; dim * dim];
    for a in 0..dim {
        for b in 0..dim {
            c[a * dim + b] = if a == b {
                1.0
            } else {
                m[a * dim + b] / (sd[a] * sd[b])
            };
        }
    }
    // The full matrix must be positive semi-definite, else R² could exceed 1.
    let (values, _) = sym_eigen(&c, dim);
    let min = values.iter().copied().fold(f64::INFINITY, f64::min);
    if min < -1e-10 {
        return Err(Error::option(
            "matrix",
            format!("(smallest eigenvalue {min:e})"),
            "is not positive semi-definite: not a covariance or correlation matrix",
        ));
    }
    Ok(c)
}

/// Cholesky factor of the drivers' correlation matrix; a driver whose 1 − R² on the earlier drivers
/// is below [`COLLINEAR_TOL`] is an error naming it.
fn check_collinear(corr: &[f64], p: usize, name: &dyn Fn(usize) -> String) -> Result<Vec<f64>> {
    let dim = p + 1;
    let rxx: Vec<f64> = (1..dim)
        .flat_map(|a| (1..dim).map(move |b| (a, b)))
        .map(|(a, b)| corr[a * dim + b])
        .collect();
    let err = |j: usize, d: f64| {
        Error::option(
            "drivers",
            name(j),
            format!(
                "is collinear with the drivers before it (1 - R² on them = {d:.1e}); \
                 drop it or one of them"
            ),
        )
    };
    match cholesky(&rxx, p) {
        Err(j) => Err(err(j, 0.0)),
        Ok(l) => {
            for j in 0..p {
                let d = l[j * p + j] * l[j * p + j];
                if d < COLLINEAR_TOL {
                    return Err(err(j, d));
                }
            }
            Ok(l)
        }
    }
}

// ---------------------------------------------------------------------------------------------
// LMG over all subsets

/// Per-size sums of subset R²: `total[s]` over all subsets of size s, `with[j * (p + 1) + s]` over
/// those that contain driver j.
struct Sums {
    p: usize,
    total: Vec<f64>,
    with: Vec<f64>,
}

impl Sums {
    fn new(p: usize) -> Self {
        Sums {
            p,
            total: vec![0.0; p + 1],
            with: vec![0.0; p * (p + 1)],
        }
    }

    fn add(&mut self, mask: u32, size: usize, r2: f64) {
        self.total[size] += r2;
        let mut m = mask;
        while m != 0 {
            let j = m.trailing_zeros() as usize;
            self.with[j * (self.p + 1) + size] += r2;
            m &= m - 1;
        }
    }

    fn merge(&mut self, other: &Sums) {
        for (a, b) in self.total.iter_mut().zip(&other.total) {
            *a += b;
        }
        for (a, b) in self.with.iter_mut().zip(&other.with) {
            *a += b;
        }
    }
}

/// LMG importances: `Σ_S w(|S|) [R²(S ∪ j) − R²(S)]` over S ∌ j with Shapley weights
/// `w(s) = s! (p − 1 − s)! / p!`, rearranged as sums over subsets by size.
fn lmg(corr: &[f64], p: usize) -> Result<(f64, Vec<f64>)> {
    let tasks = prefix_bits(p);
    let run = |t: usize| -> Result<Sums> {
        let mut sums = Sums::new(p);
        let mut visit = |mask: u32, size: usize, r2: f64| sums.add(mask, size, r2);
        enumerate_task(corr, p, tasks, t, &mut visit)?;
        Ok(sums)
    };
    let ntasks = 1usize << tasks;
    #[cfg(feature = "parallel")]
    let parts: Vec<Result<Sums>> = if ntasks > 1 {
        (0..ntasks).into_par_iter().map(run).collect()
    } else {
        (0..ntasks).map(run).collect()
    };
    #[cfg(not(feature = "parallel"))]
    let parts: Vec<Result<Sums>> = (0..ntasks).map(run).collect();
    let mut sums = Sums::new(p);
    for part in parts {
        sums.merge(&part?);
    }
    // w(s) = 1 / (p · C(p − 1, s))
    let mut binom = vec![1.0_f64; p];
    for s in 1..p {
        binom[s] = binom[s - 1] * (p - s) as f64 / s as f64;
    }
    let w = |s: usize| 1.0 / (p as f64 * binom[s]);
    let imp = (0..p)
        .map(|j| {
            let row = &sums.with[j * (p + 1)..(j + 1) * (p + 1)];
            let mut v = 0.0;
            for (s, (&with, &total)) in row.iter().zip(&sums.total).enumerate().skip(1) {
                v += w(s - 1) * with;
                if s < p {
                    v -= w(s) * (total - with);
                }
            }
            v
        })
        .collect();
    Ok((sums.total[p], imp))
}

/// Number of leading drivers whose in/out pattern splits the enumeration into independent tasks
/// (a function of p only, so the summation order never depends on the thread count).
fn prefix_bits(p: usize) -> usize {
    p.saturating_sub(10).min(8)
}

/// Every subset's R², sequentially (`tasks` leading bits split the work as [`lmg`] does).
fn visit_subsets(
    corr: &[f64],
    p: usize,
    tasks: usize,
    visit: &mut dyn FnMut(u32, usize, f64),
) -> Result<()> {
    visit(0, 0, 0.0);
    for t in 0..(1usize << tasks) {
        enumerate_task(corr, p, tasks, t, &mut |m, s, r| {
            if m != 0 {
                visit(m, s, r)
            }
        })?;
    }
    Ok(())
}

/// One task: the subsets whose intersection with drivers `0..tasks` is the bit pattern `t`.
///
/// The matrix of each node is the covariance of the outcome and the drivers not yet decided,
/// conditional on the drivers in the subset (a Schur complement). Adding driver k is one Gaussian
/// elimination step on that matrix — the forward half of a sweep, never undone, so no error builds up
/// — and the child keeps only the drivers after k. A node with r undecided drivers costs (r + 1)²,
/// so all 2^p subsets cost O(2^p) in total, not O(2^p p³).
fn enumerate_task(
    corr: &[f64],
    p: usize,
    tasks: usize,
    t: usize,
    visit: &mut dyn FnMut(u32, usize, f64),
) -> Result<()> {
    let dim = p + 1;
    let var_y = corr[0];
    // Matrix over [y, members of t..., drivers tasks..p], then eliminate the members of t.
    let members: Vec<usize> = (0..tasks).filter(|&j| t >> j & 1 == 1).collect();
    let mut order: Vec<usize> = vec![0];
    order.extend(members.iter().map(|j| j + 1));
    order.extend((tasks..p).map(|j| j + 1));
    let mut q = order.len();
    let mut m: Vec<f64> = order
        .iter()
        .flat_map(|&a| order.iter().map(move |&b| (a, b)))
        .map(|(a, b)| corr[a * dim + b])
        .collect();
    for _ in &members {
        // the next member sits at position 1
        let keep: Vec<usize> = std::iter::once(0).chain(2..q).collect();
        let mut out = vec![0.0; keep.len() * keep.len()];
        eliminate(&m, q, 1, &keep, &mut out)?;
        m = out;
        q -= 1;
    }
    let base_mask = members.iter().fold(0u32, |acc, &j| acc | 1 << j);
    let size = members.len();
    visit(base_mask, size, 1.0 - m[0] / var_y);
    let vars: Vec<usize> = (tasks..p).collect();
    if vars.is_empty() {
        return Ok(());
    }
    let mut bufs: Vec<Vec<f64>> = (0..=vars.len()).map(|_| vec![0.0; q * q]).collect();
    if let Some(first) = bufs.first_mut() {
        first.copy_from_slice(&m);
    }
    dfs(&mut bufs, &vars, base_mask, size, var_y, visit)
}

/// Depth-first over the subsets that add drivers from `vars` (in increasing order) to `mask`;
/// `bufs[0]` holds the conditional covariance over [y, vars...].
fn dfs(
    bufs: &mut [Vec<f64>],
    vars: &[usize],
    mask: u32,
    size: usize,
    var_y: f64,
    visit: &mut dyn FnMut(u32, usize, f64),
) -> Result<()> {
    let r = vars.len();
    let q = r + 1;
    let Some((cur, rest)) = bufs.split_first_mut() else {
        return Ok(());
    };
    for (a, &k) in vars.iter().enumerate() {
        let pa = a + 1;
        let piv = cur[pa * q + pa];
        if !(piv > 0.0) {
            return Err(Error::InsufficientData(
                "a subset of drivers is numerically collinear".into(),
            ));
        }
        let child_mask = mask | 1 << k;
        let rem = r - pa;
        if rem == 0 {
            let y = cur[pa];
            visit(child_mask, size + 1, 1.0 - (cur[0] - y * y / piv) / var_y);
            continue;
        }
        let cq = rem + 1;
        let Some(out) = rest.first_mut() else {
            return Ok(());
        };
        // child positions: 0 (y) and pa+1..q
        for ci in 0..cq {
            let pi = if ci == 0 { 0 } else { pa + ci };
            let f = cur[pi * q + pa] / piv;
            for cj in ci..cq {
                let pj = if cj == 0 { 0 } else { pa + cj };
                let v = cur[pi * q + pj] - f * cur[pa * q + pj];
                out[ci * cq + cj] = v;
                out[cj * cq + ci] = v;
            }
        }
        visit(child_mask, size + 1, 1.0 - out[0] / var_y);
        dfs(rest, &vars[pa..], child_mask, size + 1, var_y, visit)?;
    }
    Ok(())
}

/// One elimination step: the Schur complement of position `pivot`, restricted to `keep`.
fn eliminate(m: &[f64], q: usize, pivot: usize, keep: &[usize], out: &mut [f64]) -> Result<()> {
    let piv = m[pivot * q + pivot];
    if !(piv > 0.0) {
        return Err(Error::InsufficientData(
            "a subset of drivers is numerically collinear".into(),
        ));
    }
    let k = keep.len();
    for (ci, &pi) in keep.iter().enumerate() {
        let f = m[pi * q + pivot] / piv;
        for (cj, &pj) in keep.iter().enumerate() {
            out[ci * k + cj] = m[pi * q + pj] - f * m[pivot * q + pj];
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Johnson's relative weights

/// `Λ = R^{1/2}` (symmetric square root of the drivers' correlation matrix), `β = Λ⁻¹ r_xy`,
/// `ε_j = Σ_k Λ_jk² β_k²`, R² = Σ β_k².
fn johnson(corr: &[f64], p: usize) -> Result<(f64, Vec<f64>)> {
    let dim = p + 1;
    let rxx: Vec<f64> = (1..dim)
        .flat_map(|a| (1..dim).map(move |b| (a, b)))
        .map(|(a, b)| corr[a * dim + b])
        .collect();
    let r: Vec<f64> = (1..dim).map(|j| corr[j]).collect();
    let (values, v) = sym_eigen(&rxx, p);
    if values.iter().any(|l| !(*l > 0.0)) {
        return Err(Error::InsufficientData(
            "the drivers' correlation matrix is singular".into(),
        ));
    }
    let sq: Vec<f64> = values.iter().map(|l| l.sqrt()).collect();
    // Vᵀ r scaled by 1/√λ, then back: β = V diag(1/√λ) Vᵀ r
    let proj: Vec<f64> = (0..p)
        .map(|k| (0..p).map(|i| v[i * p + k] * r[i]).sum::<f64>() / sq[k])
        .collect();
    let beta: Vec<f64> = (0..p)
        .map(|i| (0..p).map(|k| v[i * p + k] * proj[k]).sum())
        .collect();
    let beta2: Vec<f64> = beta.iter().map(|b| b * b).collect();
    let eps = (0..p)
        .map(|j| {
            (0..p)
                .map(|k| {
                    let lam: f64 = (0..p).map(|m| v[j * p + m] * sq[m] * v[k * p + m]).sum();
                    lam * lam * beta2[k]
                })
                .sum()
        })
        .collect();
    Ok((beta2.iter().sum(), eps))
}

// ---------------------------------------------------------------------------------------------
// Bootstrap

/// Replicate `b` resamples the n rows with replacement from its own ChaCha8 stream (`seed`, stream
/// `b`), so each replicate is the same whichever thread runs it. `None`: a constant or collinear driver.
fn bootstrap(data: &Data, p: usize, opts: &KeyDriverOptions) -> Vec<Option<Fit>> {
    let n = data.n;
    let names: Vec<&str> = data.names.iter().skip(1).map(String::as_str).collect();
    let cols = data.columns();
    let one = |b: usize| -> Option<Fit> {
        let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
        rng.set_stream(b as u64);
        let mut counts = vec![0u32; n];
        for _ in 0..n {
            if let Some(c) = counts.get_mut(rng.random_range(0..n)) {
                *c += 1;
            }
        }
        let corr = correlation(&cols, data.w.as_deref(), Some(&counts), false).ok()?;
        if corr.len() != (p + 1) * (p + 1) {
            return None;
        }
        fit_corr(&corr, p, &names, opts.method).ok()
    };
    #[cfg(feature = "parallel")]
    {
        (0..opts.resamples).into_par_iter().map(one).collect()
    }
    #[cfg(not(feature = "parallel"))]
    {
        (0..opts.resamples).map(one).collect()
    }
}

// ---------------------------------------------------------------------------------------------
// Small helpers

/// Linear-interpolation quantile of sorted data (numpy's default, Hyndman–Fan type 7).
fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let h = (sorted.len() - 1) as f64 * q;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    at(sorted, lo) + (h - lo as f64) * (at(sorted, hi) - at(sorted, lo))
}

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

fn at_u32(v: &[u32], i: usize) -> u32 {
    v.get(i).copied().unwrap_or(0)
}

fn at_usize(v: &[usize], i: usize) -> usize {
    v.get(i).copied().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// R² of every subset by solving the normal equations from scratch.
    fn brute_r2(corr: &[f64], p: usize, mask: u32) -> f64 {
        let dim = p + 1;
        let idx: Vec<usize> = (0..p).filter(|j| mask >> j & 1 == 1).collect();
        let k = idx.len();
        if k == 0 {
            return 0.0;
        }
        let a: Vec<f64> = idx
            .iter()
            .flat_map(|&i| idx.iter().map(move |&j| corr[(i + 1) * dim + j + 1]))
            .collect();
        let r: Vec<f64> = idx.iter().map(|&i| corr[i + 1]).collect();
        let l = cholesky(&a, k).unwrap_or_default();
        let mut b = r.clone();
        chol_solve(&l, k, &mut b);
        b.iter().zip(&r).map(|(x, y)| x * y).sum()
    }

    fn random_corr(p: usize, seed: u64) -> Vec<f64> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let n = 60;
        let f: Vec<f64> = (0..n).map(|_| rng.random_range(-1.0..1.0)).collect();
        let mut cols: Vec<Vec<f64>> = Vec::new();
        for j in 0..=p {
            cols.push(
                (0..n)
                    .map(|i| f[i] * (j % 3) as f64 + rng.random_range(-1.0..1.0))
                    .collect(),
            );
        }
        let refs: Vec<&[f64]> = cols.iter().map(Vec::as_slice).collect();
        correlation(&refs, None, None, false).unwrap_or_default()
    }

    #[test]
    fn subsets_match_brute_force() -> Result<()> {
        for p in [1, 2, 5, 11, 13] {
            let c = random_corr(p, p as u64);
            let all = subset_r2(&c, p + 1)?;
            assert_eq!(all.len(), 1 << p);
            for mask in 0..(1u32 << p) {
                let want = brute_r2(&c, p, mask);
                assert!(
                    (all[mask as usize] - want).abs() < 1e-12,
                    "p={p} mask={mask}"
                );
            }
        }
        Ok(())
    }

    #[test]
    fn lmg_is_shapley_of_subset_r2() -> Result<()> {
        for p in [2, 4, 12] {
            let c = random_corr(p, 100 + p as u64);
            let all = subset_r2(&c, p + 1)?;
            let d = lmg_from_matrix(&c, p + 1)?;
            let fact = |k: usize| (1..=k).map(|x| x as f64).product::<f64>();
            for j in 0..p {
                let mut want = 0.0;
                for mask in 0..(1u32 << p) {
                    if mask >> j & 1 == 0 {
                        let s = mask.count_ones() as usize;
                        let w = fact(s) * fact(p - s - 1) / fact(p);
                        want += w * (all[(mask | 1 << j) as usize] - all[mask as usize]);
                    }
                }
                assert!((d.importance[j] - want).abs() < 1e-12, "p={p} j={j}");
            }
            assert!((d.importance.iter().sum::<f64>() - d.r2).abs() < 1e-12);
        }
        Ok(())
    }

    #[test]
    fn johnson_sums_to_r2() -> Result<()> {
        let c = random_corr(6, 9);
        let d = relative_weights_from_matrix(&c, 7)?;
        let l = lmg_from_matrix(&c, 7)?;
        assert!((d.r2 - l.r2).abs() < 1e-12);
        assert!((d.importance.iter().sum::<f64>() - d.r2).abs() < 1e-12);
        Ok(())
    }

    #[test]
    fn bad_matrices() {
        assert!(lmg_from_matrix(&[1.0], 1).is_err());
        assert!(lmg_from_matrix(&[1.0, 0.5, 0.5], 2).is_err());
        assert!(lmg_from_matrix(&[1.0, f64::NAN, 0.5, 1.0], 2).is_err());
        assert!(lmg_from_matrix(&[1.0, 0.5, 0.4, 1.0], 2).is_err()); // not symmetric
        assert!(lmg_from_matrix(&[1.0, 2.0, 2.0, 1.0], 2).is_err()); // not PSD
        // two identical drivers
        let c = [1.0, 0.5, 0.5, 0.5, 1.0, 1.0, 0.5, 1.0, 1.0];
        let e = lmg_from_matrix(&c, 3)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.contains("driver 2") && e.contains("collinear"), "{e}");
    }

    #[test]
    fn ranks_share_ties() {
        assert_eq!(ranks(&[0.1, 0.3, 0.3, 0.2]), vec![4, 1, 1, 3]);
    }
}
