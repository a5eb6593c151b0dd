//! Correlation with p-values and intervals: Pearson, Spearman, Kendall tau-b/tau-c, point-biserial, matrices.
//!
//! Every coefficient and p-value matches `scipy.stats` (`pearsonr`, `spearmanr`, `kendalltau`,
//! `pointbiserialr`) to 1e-12 (relative where the value is tiny) at the sample sizes of the reference
//! tests; see `docs/impact.md` for methods and references.
//!
//! - **Pearson** r; p from the exact null distribution of r, Beta(n/2 − 1, n/2 − 1) on (−1, 1), which is
//!   the Student-t test with n − 2 degrees of freedom; Fisher-z interval with SE 1/√(n − 3), as scipy's
//!   `PearsonRResult.confidence_interval()`.
//! - **Spearman** ρ: Pearson r of average ranks (ties share the mean of their positions), p by the same
//!   t approximation as scipy `spearmanr`; Fisher-z interval with the Bonett–Wright (2000) standard error
//!   √((1 + ρ²/2)/(n − 3)).
//! - **Kendall** τ-b (and Stuart's τ-c) by Knight's O(n log n) algorithm; p as scipy
//!   `kendalltau(method="auto")`: the exact null distribution when neither column has ties and n ≤ 33
//!   (or at most one pair is discordant, or at most one concordant), else the normal approximation with the
//!   tie-corrected variance of Kendall (1970); Fisher-z interval with the Fieller–Hartley–Pearson (1957)
//!   standard error √(0.437/(n − 4)).
//! - **Point-biserial**: Pearson r between a 0/1 column and a measurement, as scipy `pointbiserialr`.
//! - **Matrices** ([`correlation_matrix`]): every pair of the columns of an `n × k`
//!   [`ndarray::ArrayView2`] (any layout), with pairwise-complete rows on request; the coefficients,
//!   p-values and pair counts come back as `k × k` [`ndarray::Array2`]s.
//!
//! Ranks are computed with a radix sort of the values' order-preserving bit patterns, or by counting
//! when the values are small whole numbers (survey scales), and the rank products are summed exactly in
//! integers; with the `parallel` feature the two columns are ranked on two threads and matrices are
//! computed pair by pair in parallel.
//!
//! NaN is a missing value: an [`Error::Missing`] naming the argument and position, or, with
//! [`MissingPolicy::Skip`], the pair is left out and counted (`n_missing`); ±inf is an
//! [`Error::NonFinite`]. A
//! constant column has no correlation: it is [`Error::InsufficientData`] (scipy returns NaN with a
//! warning), as is n < 3.
//!
//! The files: `pearson` (Pearson and point-biserial r), `rank` (dense, average and centred ranks),
//! `spearman`, `kendall` (Knight's algorithm and the exact null distribution) and `matrix`.

use crate::MissingPolicy;
use crate::error::{Error, Result, check_len};
use crate::stats::check_confidence;
use crate::stats::dist::{inc_beta, normal_quantile};

mod kendall;
mod matrix;
mod pearson;
mod rank;
mod spearman;
#[cfg(test)]
mod tests;

pub use kendall::kendall;
pub(crate) use matrix::contiguous_columns;
pub use matrix::{CorrelationMatrix, MatrixPair, correlation_matrix};
pub use pearson::{pearson, point_biserial};
pub use rank::average_ranks;
pub use spearman::spearman;

/// Which correlation coefficient.
///
/// Spellings: `"pearson"`, `"spearman"`, `"kendall"` and `"point_biserial"` (also `"pointbiserial"`).
///
/// ```
/// use voc_core::impact::correlation::CorrelationMethod;
/// assert_eq!("spearman".parse::<CorrelationMethod>()?, CorrelationMethod::Spearman);
/// assert_eq!(CorrelationMethod::Kendall.name(), "kendall");
/// assert_eq!(CorrelationMethod::PointBiserial.to_string(), "point_biserial");
/// assert!("cosine".parse::<CorrelationMethod>().is_err());
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum CorrelationMethod {
    /// Pearson's product-moment r.
    #[default]
    Pearson,
    /// Spearman's rank correlation ρ (average ranks for ties).
    Spearman,
    /// Kendall's τ (variant b or c).
    Kendall,
    /// Point-biserial r: Pearson r with a 0/1 first column.
    PointBiserial,
}

crate::named_enum!(CorrelationMethod, "method", {
    Pearson => "pearson",
    Spearman => "spearman",
    Kendall => "kendall",
    PointBiserial => "point_biserial" | "pointbiserial",
});

/// The alternative hypothesis, as scipy's `alternative=`.
///
/// Spellings: `"two-sided"` (also `"two_sided"`), `"less"` and `"greater"`.
///
/// ```
/// use voc_core::impact::correlation::Alternative;
/// assert_eq!("greater".parse::<Alternative>()?, Alternative::Greater);
/// assert_eq!(Alternative::TwoSided.name(), "two-sided");
/// assert!("both".parse::<Alternative>().is_err());
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Alternative {
    /// The correlation is not zero.
    #[default]
    TwoSided,
    /// The correlation is negative.
    Less,
    /// The correlation is positive.
    Greater,
}

crate::named_enum!(Alternative, "alternative", {
    TwoSided => "two-sided" | "two_sided",
    Less => "less",
    Greater => "greater",
});

/// Kendall's τ variant, as scipy's `variant=`: `"b"` or `"c"`.
///
/// ```
/// use voc_core::impact::correlation::KendallVariant;
/// assert_eq!("c".parse::<KendallVariant>()?, KendallVariant::C);
/// assert_eq!(KendallVariant::B.name(), "b");
/// assert!("a".parse::<KendallVariant>().is_err());
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum KendallVariant {
    /// τ-b (Kendall 1945): ties corrected in the denominator.
    #[default]
    B,
    /// τ-c (Stuart 1953): for rectangular tables, normalised by the smaller number of distinct values.
    C,
}

crate::named_enum!(KendallVariant, "variant", {
    B => "b",
    C => "c",
});

/// How the p-value was computed: `"t"`, `"exact"` or `"normal"`.
///
/// ```
/// use voc_core::impact::correlation::{kendall, CorrelationOptions, KendallVariant, PValueMethod};
/// let k = kendall(&[1.0, 2.0, 3.0, 4.0], &[1.0, 3.0, 2.0, 4.0], &CorrelationOptions::default())?;
/// assert_eq!(k.p_method, PValueMethod::Exact);
/// assert_eq!(PValueMethod::Normal.name(), "normal");
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum PValueMethod {
    /// Student's t with n − 2 degrees of freedom (equivalently the Beta null distribution of r).
    StudentT,
    /// The exact permutation distribution of Kendall's statistic (no ties, small n).
    Exact,
    /// Normal approximation with the tie-corrected variance.
    Normal,
}

crate::named_enum!(PValueMethod, "p_method", {
    StudentT => "t",
    Exact => "exact",
    Normal => "normal",
});

/// Options of [`correlate`] and [`correlation_matrix`]: build from `Default` with the setters;
/// checked once by [`validate`](Self::validate).
///
/// ```
/// use voc_core::impact::correlation::{CorrelationMethod, CorrelationOptions};
/// let o = CorrelationOptions::default().method(CorrelationMethod::Spearman);
/// assert!(o.validate().is_ok());
/// assert!(o.confidence(1.5).validate().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct CorrelationOptions {
    /// Which coefficient.
    pub method: CorrelationMethod,
    /// Alternative hypothesis of the p-value (and side of the interval).
    pub alternative: Alternative,
    /// Confidence level of the interval, in (0, 1).
    pub confidence: f64,
    /// Kendall variant (ignored by the other methods).
    pub variant: KendallVariant,
    /// What a NaN does in [`correlate`] and [`correlation_matrix`]: an error (the default) or, with
    /// [`MissingPolicy::Skip`], rows with a NaN are left out and counted: for [`correlate`] the pairs
    /// with a NaN in either column; for a matrix, each pair uses the rows where both columns are
    /// present ("pairwise-complete"), or with `listwise` the rows where every column is. The
    /// single-pair functions ([`pearson`], ...) always reject NaN.
    pub missing: MissingPolicy,
    /// With [`MissingPolicy::Skip`], whether [`correlation_matrix`] leaves out every row with a NaN
    /// in any column (listwise, one `n` for every pair) rather than pair by pair (default `false`).
    pub listwise: bool,
}

impl Default for CorrelationOptions {
    fn default() -> Self {
        CorrelationOptions {
            method: CorrelationMethod::Pearson,
            alternative: Alternative::TwoSided,
            confidence: 0.95,
            variant: KendallVariant::B,
            missing: MissingPolicy::Error,
            listwise: false,
        }
    }
}

impl CorrelationOptions {
    /// Checks the confidence level.
    ///
    /// ```
    /// use voc_core::impact::correlation::CorrelationOptions;
    /// assert!(CorrelationOptions::default().validate().is_ok());
    /// ```
    pub fn validate(&self) -> Result<()> {
        check_confidence(self.confidence).map(|_| ())
    }
}

crate::setters!(CorrelationOptions {
    method: CorrelationMethod,
    alternative: Alternative,
    confidence: f64,
    variant: KendallVariant,
    missing: MissingPolicy,
    listwise: bool
});

/// A correlation coefficient with its test and interval.
///
/// ```
/// use voc_core::impact::correlation::{pearson, CorrelationOptions};
/// let r = pearson(&[1.0, 2.0, 3.0, 4.0, 5.0], &[2.0, 1.0, 4.0, 3.0, 5.0], &CorrelationOptions::default())?;
/// assert!((r.estimate - 0.8).abs() < 1e-12);
/// assert!(r.ci_low < r.estimate && r.estimate < r.ci_high);
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Correlation {
    /// Which coefficient.
    pub method: CorrelationMethod,
    /// Kendall variant (`None` for the other methods).
    pub variant: Option<KendallVariant>,
    /// The coefficient (r, ρ or τ).
    pub estimate: f64,
    /// Test statistic: t (n − 2 df) for Pearson, Spearman and point-biserial; z for Kendall.
    pub statistic: f64,
    /// p-value under `alternative`.
    pub p_value: f64,
    /// How the p-value was computed.
    pub p_method: PValueMethod,
    /// Alternative hypothesis.
    pub alternative: Alternative,
    /// Lower end of the Fisher-z interval (−1 for `Less`).
    pub ci_low: f64,
    /// Upper end of the Fisher-z interval (1 for `Greater`).
    pub ci_high: f64,
    /// Confidence level of the interval.
    pub confidence: f64,
    /// Number of pairs used.
    pub n: usize,
    /// Pairs left out because `x` or `y` was NaN (with [`MissingPolicy::Skip`]; else 0).
    pub n_missing: usize,
}

/// Checks one column: every value finite (NaN is missing, ±inf not finite).
fn check_finite(arg: &'static str, x: &[f64]) -> Result<()> {
    if crate::stats::check::all_finite(x) {
        return Ok(());
    }
    match x.iter().position(|v| !v.is_finite()) {
        Some(index) if x.get(index).is_some_and(|v| v.is_nan()) => {
            Err(Error::Missing { arg, index })
        }
        Some(index) => Err(Error::NonFinite {
            arg,
            index,
            value: x.get(index).copied().unwrap_or(f64::NAN),
        }),
        None => Ok(()),
    }
}

fn check_pair(x: &[f64], y: &[f64]) -> Result<()> {
    check_len("x", x.len(), "y", y.len())?;
    check_finite("x", x)?;
    check_finite("y", y)?;
    if x.len() < 3 {
        return Err(Error::InsufficientData(format!(
            "a correlation test needs at least 3 pairs, got {}",
            x.len()
        )));
    }
    if x.len() > MAX_PAIRS {
        // Ranks are held as 32-bit integers.
        return Err(Error::option(
            "x",
            format!("{} values", x.len()),
            format!("at most {MAX_PAIRS} pairs are supported"),
        ));
    }
    Ok(())
}

fn constant(arg: &str, n: usize) -> Error {
    Error::InsufficientData(format!(
        "{arg} is constant (all {n} values equal): the correlation is not defined"
    ))
}

/// p-value of r under the null Beta(a, a) on (−1, 1), a = n/2 − 1 (the t test with n − 2 df), computed
/// with the same arguments as scipy (`betainc`/`betaincc` at (r + 1)/2) so that values agree to rounding.
fn r_p_value(r: f64, n: usize, alternative: Alternative) -> f64 {
    let a = n as f64 / 2.0 - 1.0;
    let sf = |v: f64| {
        let x = (v + 1.0) / 2.0;
        inc_beta(a, a, 1.0 - x)
    };
    let cdf = |v: f64| inc_beta(a, a, (v + 1.0) / 2.0);
    let p = match alternative {
        Alternative::TwoSided => 2.0 * sf(r.abs()),
        Alternative::Less => cdf(r),
        Alternative::Greater => sf(r),
    };
    p.clamp(0.0, 1.0)
}

/// Student t statistic of r with n − 2 df.
fn t_of_r(r: f64, n: usize) -> f64 {
    let df = n as f64 - 2.0;
    r * (df / ((r + 1.0) * (1.0 - r))).max(0.0).sqrt()
}

/// Fisher-z interval of a coefficient with standard error `se` on the z scale.
fn fisher_interval(r: f64, se: f64, confidence: f64, alternative: Alternative) -> (f64, f64) {
    if !(se.is_finite() && se > 0.0) {
        return (-1.0, 1.0);
    }
    let z = r.atanh();
    match alternative {
        Alternative::TwoSided => {
            let h = normal_quantile(0.5 + confidence / 2.0);
            ((z - h * se).tanh(), (z + h * se).tanh())
        }
        Alternative::Less => (-1.0, (z + normal_quantile(confidence) * se).tanh()),
        Alternative::Greater => ((z - normal_quantile(confidence) * se).tanh(), 1.0),
    }
}

fn se_fisher(n: usize, extra: f64, sub: f64) -> f64 {
    let d = n as f64 - sub;
    if d > 0.0 {
        (extra / d).sqrt()
    } else {
        f64::NAN
    }
}

/// Most pairs a correlation accepts (ranks are 32-bit).
const MAX_PAIRS: usize = i32::MAX as usize;

/// Runs both closures, on two threads when the `parallel` feature is on and the work is large.
fn join<A: Send, B: Send>(
    big: bool,
    a: impl FnOnce() -> A + Send,
    b: impl FnOnce() -> B + Send,
) -> (A, B) {
    #[cfg(feature = "parallel")]
    if big {
        return rayon::join(a, b);
    }
    let _ = big;
    (a(), b())
}

const PARALLEL_MIN: usize = 50_000;

/// Any of the coefficients, chosen by `options.method`. A NaN is an [`Error::Missing`], or with
/// `options.missing` [`MissingPolicy::Skip`] its pair is left out and counted in `n_missing`.
///
/// ```
/// use voc_core::impact::correlation::{correlate, CorrelationMethod, CorrelationOptions};
/// use voc_core::MissingPolicy;
/// let o = CorrelationOptions::default().method(CorrelationMethod::Kendall);
/// let k = correlate(&[1.0, 2.0, 3.0, 4.0], &[1.0, 3.0, 2.0, 4.0], &o)?;
/// assert!((k.estimate - 2.0 / 3.0).abs() < 1e-12);
/// let x = [1.0, 2.0, f64::NAN, 3.0, 4.0];
/// let y = [1.0, 3.0, 5.0, 2.0, 4.0];
/// assert!(matches!(correlate(&x, &y, &o), Err(voc_core::Error::Missing { arg: "x", index: 2 })));
/// let s = correlate(&x, &y, &o.missing(MissingPolicy::Skip))?;
/// assert_eq!((s.n, s.n_missing), (4, 1));
/// assert!((s.estimate - k.estimate).abs() < 1e-12);
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn correlate(x: &[f64], y: &[f64], options: &CorrelationOptions) -> Result<Correlation> {
    options.validate()?;
    if options.missing == MissingPolicy::Skip && x.iter().chain(y).any(|v| v.is_nan()) {
        check_len("x", x.len(), "y", y.len())?;
        let (xs, ys): (Vec<f64>, Vec<f64>) = x
            .iter()
            .zip(y)
            .filter(|(u, v)| !u.is_nan() && !v.is_nan())
            .map(|(u, v)| (*u, *v))
            .unzip();
        let mut c = correlate_valid(&xs, &ys, options)?;
        c.n_missing = x.len() - xs.len();
        return Ok(c);
    }
    correlate_valid(x, y, options)
}

/// [`correlate`] with options already validated.
fn correlate_valid(x: &[f64], y: &[f64], options: &CorrelationOptions) -> Result<Correlation> {
    let (a, c) = (options.alternative, options.confidence);
    match options.method {
        CorrelationMethod::Pearson => pearson::pearson_at(x, y, a, c),
        CorrelationMethod::Spearman => spearman::spearman_at(x, y, a, c),
        CorrelationMethod::Kendall => kendall::kendall_valid(x, y, a, options.variant, c),
        CorrelationMethod::PointBiserial => pearson::point_biserial_at(x, y, a, c),
    }
}
