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
//!
//! Ranks are computed with a radix sort of the values' order-preserving bit patterns, or by counting
//! when the values are small whole numbers (survey scales), and the rank products are summed exactly in
//! integers; with the `parallel` feature the two columns are ranked on two threads and matrices are
//! computed pair by pair in parallel.
//!
//! Inputs must be finite: NaN or ±inf is an [`Error::NonFinite`] naming the argument and position. A
//! constant column has no correlation: it is [`Error::InsufficientData`] (scipy returns NaN with a
//! warning), as is n < 3.

use crate::MissingPolicy;
use crate::error::{Error, Result, check_len};
use crate::stats::check_confidence;
use crate::stats::dist::{inc_beta, normal_quantile, normal_two_sided_p};

/// Which correlation coefficient.
///
/// ```
/// use voc_core::impact::correlation::CorrelationMethod;
/// assert_eq!(CorrelationMethod::parse("spearman")?, CorrelationMethod::Spearman);
/// assert_eq!(CorrelationMethod::Kendall.name(), "kendall");
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

impl CorrelationMethod {
    /// Parses "pearson", "spearman", "kendall" or "point_biserial".
    ///
    /// ```
    /// use voc_core::impact::correlation::CorrelationMethod;
    /// assert!(CorrelationMethod::parse("cosine").is_err());
    /// ```
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "pearson" => Ok(Self::Pearson),
            "spearman" => Ok(Self::Spearman),
            "kendall" => Ok(Self::Kendall),
            "point_biserial" | "pointbiserial" => Ok(Self::PointBiserial),
            other => Err(Error::option(
                "method",
                format!("{other:?}"),
                "expected \"pearson\", \"spearman\", \"kendall\" or \"point_biserial\"",
            )),
        }
    }

    /// The name as the Python API spells it.
    ///
    /// ```
    /// use voc_core::impact::correlation::CorrelationMethod;
    /// assert_eq!(CorrelationMethod::PointBiserial.name(), "point_biserial");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Self::Pearson => "pearson",
            Self::Spearman => "spearman",
            Self::Kendall => "kendall",
            Self::PointBiserial => "point_biserial",
        }
    }
}

/// The alternative hypothesis, as scipy's `alternative=`.
///
/// ```
/// use voc_core::impact::correlation::Alternative;
/// assert_eq!(Alternative::parse("greater")?, Alternative::Greater);
/// assert_eq!(Alternative::TwoSided.name(), "two-sided");
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

impl Alternative {
    /// Parses "two-sided" (or "two_sided"), "less" or "greater".
    ///
    /// ```
    /// use voc_core::impact::correlation::Alternative;
    /// assert!(Alternative::parse("both").is_err());
    /// ```
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "two-sided" | "two_sided" => Ok(Self::TwoSided),
            "less" => Ok(Self::Less),
            "greater" => Ok(Self::Greater),
            other => Err(Error::option(
                "alternative",
                format!("{other:?}"),
                "expected \"two-sided\", \"less\" or \"greater\"",
            )),
        }
    }

    /// The name as scipy spells it.
    ///
    /// ```
    /// assert_eq!(voc_core::impact::correlation::Alternative::Less.name(), "less");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Self::TwoSided => "two-sided",
            Self::Less => "less",
            Self::Greater => "greater",
        }
    }
}

/// Kendall's τ variant, as scipy's `variant=`.
///
/// ```
/// use voc_core::impact::correlation::KendallVariant;
/// assert_eq!(KendallVariant::parse("c")?, KendallVariant::C);
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

impl KendallVariant {
    /// Parses "b" or "c".
    ///
    /// ```
    /// use voc_core::impact::correlation::KendallVariant;
    /// assert!(KendallVariant::parse("a").is_err());
    /// ```
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "b" => Ok(Self::B),
            "c" => Ok(Self::C),
            other => Err(Error::option(
                "variant",
                format!("{other:?}"),
                "expected \"b\" or \"c\"",
            )),
        }
    }

    /// "b" or "c".
    ///
    /// ```
    /// assert_eq!(voc_core::impact::correlation::KendallVariant::B.name(), "b");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Self::B => "b",
            Self::C => "c",
        }
    }
}

/// How the p-value was computed.
///
/// ```
/// use voc_core::impact::correlation::{kendall, Alternative, KendallVariant, PValueMethod};
/// let k = kendall(&[1.0, 2.0, 3.0, 4.0], &[1.0, 3.0, 2.0, 4.0], Alternative::TwoSided, KendallVariant::B)?;
/// assert_eq!(k.p_method, PValueMethod::Exact);
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

impl PValueMethod {
    /// "t", "exact" or "normal".
    ///
    /// ```
    /// assert_eq!(voc_core::impact::correlation::PValueMethod::Normal.name(), "normal");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Self::StudentT => "t",
            Self::Exact => "exact",
            Self::Normal => "normal",
        }
    }
}

/// Options of [`correlate`] and [`correlation_matrix`].
///
/// ```
/// use voc_core::impact::correlation::{CorrelationMethod, CorrelationOptions};
/// let o = CorrelationOptions { method: CorrelationMethod::Spearman, ..Default::default() };
/// assert!(o.validate().is_ok());
/// assert!(CorrelationOptions { confidence: 1.5, ..o }.validate().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
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
}

impl Default for CorrelationOptions {
    fn default() -> Self {
        CorrelationOptions {
            method: CorrelationMethod::Pearson,
            alternative: Alternative::TwoSided,
            confidence: 0.95,
            variant: KendallVariant::B,
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

/// A correlation coefficient with its test and interval.
///
/// ```
/// use voc_core::impact::correlation::{pearson, Alternative};
/// let r = pearson(&[1.0, 2.0, 3.0, 4.0, 5.0], &[2.0, 1.0, 4.0, 3.0, 5.0], Alternative::TwoSided, 0.95)?;
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
}

/// Checks one column: every value finite.
fn check_finite(arg: &'static str, x: &[f64]) -> Result<()> {
    match x.iter().position(|v| !v.is_finite()) {
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

/// A running sum with Knuth's branch-free two-sum compensation on every term: summation error stays
/// at a few units in the last place whatever n, which the ill-conditioned p-values near |r| = 1 need.
#[derive(Clone, Copy, Default)]
struct Acc {
    s: f64,
    c: f64,
}

impl Acc {
    #[inline(always)]
    fn add(&mut self, x: f64) {
        let t = self.s + x;
        let bb = t - self.s;
        self.c += (self.s - (t - bb)) + (x - bb);
        self.s = t;
    }

    fn value(self) -> f64 {
        self.s + self.c
    }
}

fn mean(x: &[f64]) -> f64 {
    let mut s = Acc::default();
    for &v in x {
        s.add(v);
    }
    s.value() / x.len() as f64
}

/// Pearson r from finite columns of equal length ≥ 2; errors on a constant column.
fn pearson_r(x: &[f64], y: &[f64]) -> Result<f64> {
    let n = x.len();
    let first = |v: &[f64]| v.first().copied().unwrap_or(0.0);
    let (x0, y0) = (first(x), first(y));
    if x.iter().all(|&v| v == x0) {
        return Err(constant("x", n));
    }
    if y.iter().all(|&v| v == y0) {
        return Err(constant("y", n));
    }
    let (mx, my) = join(n >= PARALLEL_MIN, || mean(x), || mean(y));
    let sums = |fx: f64, fy: f64| {
        let (mut sxx, mut syy, mut sxy) = (Acc::default(), Acc::default(), Acc::default());
        for (&u, &v) in x.iter().zip(y) {
            let (du, dv) = ((u - mx) * fx, (v - my) * fy);
            sxx.add(du * du);
            syy.add(dv * dv);
            sxy.add(du * dv);
        }
        (sxx.value(), syy.value(), sxy.value())
    };
    let (mut sxx, mut syy, mut sxy) = sums(1.0, 1.0);
    let safe = |s: f64| s.is_finite() && s > 1e-250;
    if !(safe(sxx) && safe(syy) && sxy.is_finite()) {
        // Squares over- or underflowed (|values| beyond ~1e150 or below ~1e-125): scale the deviations
        // by their largest magnitude first, as scipy does.
        let spread = |v: &[f64], m: f64| v.iter().fold(0.0f64, |a, &u| a.max((u - m).abs()));
        let (ax, ay) = (spread(x, mx), spread(y, my));
        if ax > 0.0 && ay > 0.0 && ax.is_finite() && ay.is_finite() {
            (sxx, syy, sxy) = sums(1.0 / ax, 1.0 / ay);
        }
    }
    if !(sxx > 0.0) {
        return Err(constant("x", n));
    }
    if !(syy > 0.0) {
        return Err(constant("y", n));
    }
    Ok((sxy / (sxx * syy).sqrt()).clamp(-1.0, 1.0))
}

fn r_result(
    method: CorrelationMethod,
    r: f64,
    n: usize,
    alternative: Alternative,
    confidence: f64,
    se: f64,
) -> Correlation {
    let (ci_low, ci_high) = fisher_interval(r, se, confidence, alternative);
    Correlation {
        method,
        variant: None,
        estimate: r,
        statistic: t_of_r(r, n),
        p_value: r_p_value(r, n, alternative),
        p_method: PValueMethod::StudentT,
        alternative,
        ci_low,
        ci_high,
        confidence,
        n,
    }
}

/// Pearson's r with the t-test p-value and Fisher-z interval, as `scipy.stats.pearsonr(x, y,
/// alternative=...)` and its `confidence_interval(confidence)`.
///
/// ```
/// use voc_core::impact::correlation::{pearson, Alternative};
/// let x = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
/// let y = [1.2, 1.9, 3.4, 3.9, 5.3, 5.8];
/// let r = pearson(&x, &y, Alternative::Greater, 0.95)?;
/// assert!(r.estimate > 0.99 && r.p_value < 1e-4);
/// assert_eq!(r.ci_high, 1.0); // one-sided interval
/// assert!(pearson(&x, &[2.0; 6], Alternative::TwoSided, 0.95).is_err()); // constant y
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn pearson(
    x: &[f64],
    y: &[f64],
    alternative: Alternative,
    confidence: f64,
) -> Result<Correlation> {
    check_confidence(confidence)?;
    check_pair(x, y)?;
    let r = pearson_r(x, y)?;
    let n = x.len();
    Ok(r_result(
        CorrelationMethod::Pearson,
        r,
        n,
        alternative,
        confidence,
        se_fisher(n, 1.0, 3.0),
    ))
}

/// Point-biserial r between a 0/1 column `x` and a measurement `y`, as `scipy.stats.pointbiserialr`
/// (which is Pearson's r); any other value of `x` is an [`Error::InvalidValue`].
///
/// ```
/// use voc_core::impact::correlation::{point_biserial, Alternative};
/// let churned = [0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0];
/// let tickets = [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
/// let r = point_biserial(&churned, &tickets, Alternative::TwoSided, 0.95)?;
/// assert!((r.estimate - 0.8660254037844386).abs() < 1e-12);
/// assert!((r.p_value - 0.011724811003954652).abs() < 1e-12);
/// assert!(point_biserial(&[0.0, 2.0, 1.0], &[1.0, 2.0, 3.0], Alternative::TwoSided, 0.95).is_err());
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn point_biserial(
    x: &[f64],
    y: &[f64],
    alternative: Alternative,
    confidence: f64,
) -> Result<Correlation> {
    check_confidence(confidence)?;
    check_pair(x, y)?;
    if let Some(index) = x.iter().position(|&v| v != 0.0 && v != 1.0) {
        return Err(Error::InvalidValue {
            arg: "x",
            index,
            value: x.get(index).copied().unwrap_or(f64::NAN),
            reason: "the point-biserial correlation needs x to be 0 or 1",
        });
    }
    let r = pearson_r(x, y)?;
    let n = x.len();
    Ok(r_result(
        CorrelationMethod::PointBiserial,
        r,
        n,
        alternative,
        confidence,
        se_fisher(n, 1.0, 3.0),
    ))
}

// ---------------------------------------------------------------------------------------------
// Ranking
// ---------------------------------------------------------------------------------------------

/// Dense ranks of a column: `dense[i]` is the 0-based rank of the distinct value at position `i`, and
/// `counts[d]` how many positions share distinct value `d`.
struct Dense {
    dense: Vec<u32>,
    counts: Vec<u32>,
}

/// Most pairs a correlation accepts (ranks are 32-bit).
const MAX_PAIRS: usize = i32::MAX as usize;

/// Largest range of whole values ranked by counting (Likert and other survey scales, counts).
const COUNTING_RANGE: f64 = 65_536.0;
/// Below this size a comparison sort beats the radix passes.
const RADIX_MIN: usize = 2048;

/// Order-preserving map of a finite f64 to u64 (−0.0 and 0.0 map to the same key).
#[inline]
fn key(v: f64) -> u64 {
    let b = (v + 0.0).to_bits();
    if b >> 63 == 1 { !b } else { b | (1 << 63) }
}

/// The values' keys in ascending order, with their positions.
fn sorted_keys(x: &[f64]) -> (Vec<u64>, Vec<u32>) {
    let n = x.len();
    let mut keys: Vec<u64> = x.iter().map(|&v| key(v)).collect();
    let mut idx: Vec<u32> = (0..n as u32).collect();
    if n < RADIX_MIN {
        let mut pairs: Vec<(u64, u32)> = keys.iter().copied().zip(idx.iter().copied()).collect();
        pairs.sort_unstable();
        for (slot, (k, i)) in pairs.into_iter().enumerate() {
            if let (Some(ks), Some(is)) = (keys.get_mut(slot), idx.get_mut(slot)) {
                *ks = k;
                *is = i;
            }
        }
    } else {
        radix_sort(&mut keys, &mut idx);
    }
    (keys, idx)
}

fn dense_ranks(x: &[f64]) -> Dense {
    if let Some(d) = dense_by_counting(x) {
        return d;
    }
    let (keys, idx) = sorted_keys(x);
    let mut dense = vec![0u32; keys.len()];
    let mut counts: Vec<u32> = Vec::new();
    let mut prev: Option<u64> = None;
    for (&k, &i) in keys.iter().zip(&idx) {
        if prev != Some(k) {
            counts.push(0);
            prev = Some(k);
        }
        if let Some(c) = counts.last_mut() {
            *c += 1;
        }
        if let Some(d) = dense.get_mut(i as usize) {
            *d = counts.len() as u32 - 1;
        }
    }
    Dense { dense, counts }
}

/// The lowest value and the count of each whole value from it, when every value is a whole number
/// within a range of [`COUNTING_RANGE`].
fn whole_counts(x: &[f64]) -> Option<(f64, Vec<u32>)> {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for &v in x {
        // `as i64` truncates (saturating), so this is a whole-number test without a libm call.
        if (v as i64) as f64 != v {
            return None;
        }
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if !(hi - lo < COUNTING_RANGE) {
        return None;
    }
    let mut counts = vec![0u32; (hi - lo) as usize + 1];
    for &v in x {
        if let Some(c) = counts.get_mut((v - lo) as usize) {
            *c += 1;
        }
    }
    Some((lo, counts))
}

/// Dense ranks in O(n) when every value is a whole number within a small range.
fn dense_by_counting(x: &[f64]) -> Option<Dense> {
    let (lo, counts) = whole_counts(x)?;
    let mut code = vec![0u32; counts.len()];
    let mut kept = Vec::new();
    for (slot, &c) in code.iter_mut().zip(&counts) {
        if c > 0 {
            *slot = kept.len() as u32;
            kept.push(c);
        }
    }
    let dense = x
        .iter()
        .map(|&v| code.get((v - lo) as usize).copied().unwrap_or(0))
        .collect();
    Some(Dense {
        dense,
        counts: kept,
    })
}

/// Sorts `keys` ascending, carrying `idx`: an LSD radix sort (11-bit digits, digits on which all keys
/// agree skipped) on the high 33 bits only — sign, exponent and the leading 21 mantissa bits — then a
/// fix-up that sorts each run of equal high bits in cache. For spread-out data the runs are a few keys
/// long, so this halves the passes over memory of a full 64-bit radix sort.
fn radix_sort(keys: &mut Vec<u64>, idx: &mut Vec<u32>) {
    const BITS: u32 = 11;
    const BUCKETS: usize = 1 << BITS;
    const LOW: u32 = 31;
    const PASSES: usize = 3;
    let n = keys.len();
    let mut hist = vec![[0usize; BUCKETS]; PASSES];
    for &k in keys.iter() {
        let h = k >> LOW;
        for (p, counts) in hist.iter_mut().enumerate() {
            if let Some(c) = counts.get_mut(((h >> (p as u32 * BITS)) as usize) & (BUCKETS - 1)) {
                *c += 1;
            }
        }
    }
    let mut kbuf = vec![0u64; n];
    let mut ibuf = vec![0u32; n];
    for (p, h) in hist.iter_mut().enumerate() {
        if h.contains(&n) {
            continue;
        }
        let mut sum = 0;
        for c in h.iter_mut() {
            let here = *c;
            *c = sum;
            sum += here;
        }
        let shift = LOW + p as u32 * BITS;
        for (&k, &i) in keys.iter().zip(idx.iter()) {
            let b = ((k >> shift) as usize) & (BUCKETS - 1);
            if let Some(pos) = h.get_mut(b) {
                if let (Some(ks), Some(is)) = (kbuf.get_mut(*pos), ibuf.get_mut(*pos)) {
                    *ks = k;
                    *is = i;
                }
                *pos += 1;
            }
        }
        std::mem::swap(keys, &mut kbuf);
        std::mem::swap(idx, &mut ibuf);
    }
    // Fix-up: runs of equal high bits, sorted on the full key.
    let mut s = 0;
    let mut pairs: Vec<(u64, u32)> = Vec::new();
    while s < n {
        let hi = keys.get(s).map_or(0, |k| k >> LOW);
        let mut e = s + 1;
        while e < n && keys.get(e).map_or(0, |k| k >> LOW) == hi {
            e += 1;
        }
        if e - s > 1
            && let (Some(ks), Some(is)) = (keys.get_mut(s..e), idx.get_mut(s..e))
        {
            pairs.clear();
            pairs.extend(ks.iter().copied().zip(is.iter().copied()));
            if pairs.len() <= 16 {
                // Insertion sort: the common case of a handful of keys.
                for i in 1..pairs.len() {
                    let mut j = i;
                    while j > 0 && pairs.get(j - 1) > pairs.get(j) {
                        pairs.swap(j - 1, j);
                        j -= 1;
                    }
                }
            } else {
                pairs.sort_unstable();
            }
            for ((k, i), (kd, id)) in pairs.iter().zip(ks.iter_mut().zip(is.iter_mut())) {
                *kd = *k;
                *id = *i;
            }
        }
        s = e;
    }
}

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

/// Average ranks (1-based; ties get the mean of the positions they share), as `scipy.stats.rankdata`.
///
/// ```
/// use voc_core::impact::correlation::average_ranks;
/// assert_eq!(average_ranks(&[10.0, 30.0, 20.0, 20.0])?, vec![1.0, 4.0, 2.5, 2.5]);
/// assert!(average_ranks(&[1.0, f64::NAN]).is_err());
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn average_ranks(x: &[f64]) -> Result<Vec<f64>> {
    check_finite("x", x)?;
    let d = dense_ranks(x);
    let doubled = doubled_ranks(&d.counts);
    Ok(d.dense
        .iter()
        .map(|&k| {
            doubled
                .get(k as usize)
                .map_or(f64::NAN, |&v| v as f64 / 2.0)
        })
        .collect())
}

/// Twice the average rank of each distinct value (an integer).
fn doubled_ranks(counts: &[u32]) -> Vec<i64> {
    let mut start = 0i64;
    counts
        .iter()
        .map(|&c| {
            let c = i64::from(c);
            let r = 2 * start + c + 1;
            start += c;
            r
        })
        .collect()
}

/// Σ(t³ − t) over tie groups.
fn tie_cubes(counts: &[u32]) -> i128 {
    counts
        .iter()
        .map(|&c| {
            let c = i128::from(c);
            c * c * c - c
        })
        .sum()
}

/// Centred doubled average ranks 2r − n − 1 (integers, |·| < n) by position, and Σ(t³ − t) over ties.
struct CentredRanks {
    r: Vec<i32>,
    ties: i128,
    distinct: usize,
}

fn centred_ranks(x: &[f64]) -> CentredRanks {
    let n = x.len() as i64;
    if let Some((lo, counts)) = whole_counts(x) {
        // Survey scales: the rank of each value from the counts, O(n) and cache-resident.
        let mut table = vec![0i32; counts.len()];
        let mut start = 0i64;
        for (t, &c) in table.iter_mut().zip(&counts) {
            let c = i64::from(c);
            *t = (2 * start + c + 1 - (n + 1)) as i32;
            start += c;
        }
        let r = x
            .iter()
            .map(|&v| table.get((v - lo) as usize).copied().unwrap_or(0))
            .collect();
        let kept: Vec<u32> = counts.into_iter().filter(|&c| c > 0).collect();
        return CentredRanks {
            r,
            ties: tie_cubes(&kept),
            distinct: kept.len(),
        };
    }
    let (keys, idx) = sorted_keys(x);
    let mut r = vec![0i32; keys.len()];
    let mut ties = 0i128;
    let mut distinct = 0;
    let mut s = 0usize;
    while s < keys.len() {
        let k = keys.get(s).copied();
        let mut e = s + 1;
        while e < keys.len() && keys.get(e).copied() == k {
            e += 1;
        }
        // Positions s..e share the average rank (s + e + 1)/2, doubled and centred: s + e − n.
        let v = (s as i64 + e as i64 - n) as i32;
        for &i in idx.get(s..e).unwrap_or(&[]) {
            if let Some(slot) = r.get_mut(i as usize) {
                *slot = v;
            }
        }
        let t = (e - s) as i128;
        ties += t * t * t - t;
        distinct += 1;
        s = e;
    }
    CentredRanks { r, ties, distinct }
}

/// Spearman's ρ from centred ranks: exact integer sums, so no rounding until the final division.
fn spearman_rho(rx: &CentredRanks, ry: &CentredRanks) -> Result<f64> {
    let n = rx.r.len();
    if rx.distinct < 2 {
        return Err(constant("x", n));
    }
    if ry.distinct < 2 {
        return Err(constant("y", n));
    }
    let sum_chunk = |a: &[i32], b: &[i32]| -> i128 {
        // |product| < n² < 2^62; the chunk sum is kept in i128.
        a.iter()
            .zip(b)
            .map(|(&u, &v)| i128::from(i64::from(u) * i64::from(v)))
            .sum()
    };
    let sxy = cross_sum(&rx.r, &ry.r, &sum_chunk);
    // Σ(2r − n − 1)² = (n³ − n)/3 − Σ(t³ − t)/3.
    let nn = n as i128;
    let sxx = (nn * nn * nn - nn - rx.ties) / 3;
    let syy = (nn * nn * nn - nn - ry.ties) / 3;
    Ok((sxy as f64 / (sxx as f64 * syy as f64).sqrt()).clamp(-1.0, 1.0))
}

fn cross_sum(a: &[i32], b: &[i32], f: &(dyn Fn(&[i32], &[i32]) -> i128 + Sync)) -> i128 {
    const CHUNK: usize = 1 << 16;
    #[cfg(feature = "parallel")]
    if a.len() >= PARALLEL_MIN {
        use rayon::prelude::*;
        return a
            .par_chunks(CHUNK)
            .zip(b.par_chunks(CHUNK))
            .map(|(p, q)| f(p, q))
            .sum();
    }
    a.chunks(CHUNK)
        .zip(b.chunks(CHUNK))
        .map(|(p, q)| f(p, q))
        .sum()
}

/// Spearman's ρ (average ranks for ties) with the t-approximation p-value of `scipy.stats.spearmanr`
/// and a Fisher-z interval with the Bonett–Wright standard error √((1 + ρ²/2)/(n − 3)).
///
/// ```
/// use voc_core::impact::correlation::{spearman, Alternative};
/// // Likert answers with heavy ties.
/// let csat = [1.0, 2.0, 2.0, 3.0, 4.0, 4.0, 5.0, 5.0];
/// let spend = [10.0, 12.0, 9.0, 20.0, 25.0, 30.0, 28.0, 40.0];
/// let s = spearman(&csat, &spend, Alternative::TwoSided, 0.95)?;
/// assert!(s.estimate > 0.85 && s.p_value < 0.01);
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn spearman(
    x: &[f64],
    y: &[f64],
    alternative: Alternative,
    confidence: f64,
) -> Result<Correlation> {
    check_confidence(confidence)?;
    check_pair(x, y)?;
    let n = x.len();
    let (rx, ry) = join(n >= PARALLEL_MIN, || centred_ranks(x), || centred_ranks(y));
    let rho = spearman_rho(&rx, &ry)?;
    Ok(r_result(
        CorrelationMethod::Spearman,
        rho,
        n,
        alternative,
        confidence,
        se_fisher(n, 1.0 + rho * rho / 2.0, 3.0),
    ))
}

// ---------------------------------------------------------------------------------------------
// Kendall
// ---------------------------------------------------------------------------------------------

/// Counting sort of positions by a dense key (stable).
fn counting_order(keys: &[u32], k: usize, order: &[u32]) -> Vec<u32> {
    let mut start = vec![0usize; k + 1];
    for &i in order {
        if let Some(c) = keys
            .get(i as usize)
            .and_then(|&d| start.get_mut(d as usize + 1))
        {
            *c += 1;
        }
    }
    for j in 1..start.len() {
        let prev = start.get(j - 1).copied().unwrap_or(0);
        if let Some(c) = start.get_mut(j) {
            *c += prev;
        }
    }
    let mut out = vec![0u32; order.len()];
    for &i in order {
        if let Some(pos) = keys
            .get(i as usize)
            .and_then(|&d| start.get_mut(d as usize))
        {
            if let Some(o) = out.get_mut(*pos) {
                *o = i;
            }
            *pos += 1;
        }
    }
    out
}

/// Number of pairs i < j with v[i] > v[j] (strict), by merge sort.
fn inversions(v: &mut [u32], buf: &mut [u32]) -> u64 {
    let n = v.len();
    if n < 2 {
        return 0;
    }
    if n <= 16 {
        // Insertion sort counting moves.
        let mut count = 0u64;
        for i in 1..n {
            let mut j = i;
            while j > 0 && v.get(j - 1) > v.get(j) {
                v.swap(j - 1, j);
                j -= 1;
                count += 1;
            }
        }
        return count;
    }
    let mid = n / 2;
    let (left, right) = v.split_at_mut(mid);
    let (bl, br) = buf.split_at_mut(mid);
    let mut count = inversions(left, bl) + inversions(right, br);
    let (mut i, mut j, mut k) = (0, 0, 0);
    while let (Some(&a), Some(&b)) = (left.get(i), right.get(j)) {
        if b < a {
            count += (mid - i) as u64;
            if let Some(o) = buf.get_mut(k) {
                *o = b;
            }
            j += 1;
        } else {
            if let Some(o) = buf.get_mut(k) {
                *o = a;
            }
            i += 1;
        }
        k += 1;
    }
    for &a in left.get(i..).unwrap_or(&[]) {
        if let Some(o) = buf.get_mut(k) {
            *o = a;
        }
        k += 1;
    }
    for &b in right.get(j..).unwrap_or(&[]) {
        if let Some(o) = buf.get_mut(k) {
            *o = b;
        }
        k += 1;
    }
    v.copy_from_slice(buf.get(..n).unwrap_or(&[]));
    count
}

struct TieSums {
    /// Σ t(t − 1)/2.
    pairs: u128,
    /// Σ t(t − 1)(t − 2).
    v0: f64,
    /// Σ t(t − 1)(2t + 5).
    v1: f64,
}

fn tie_sums(counts: &[u32]) -> TieSums {
    let mut s = TieSums {
        pairs: 0,
        v0: 0.0,
        v1: 0.0,
    };
    for &c in counts.iter().filter(|&&c| c > 1) {
        let t = u128::from(c);
        s.pairs += t * (t - 1) / 2;
        s.v0 += (t * (t - 1) * (t - 2)) as f64;
        s.v1 += (t * (t - 1) * (2 * t + 5)) as f64;
    }
    s
}

/// Exact p-value of Kendall's statistic with `c` concordant pairs among n untied observations
/// (Kendall 1970, the recursion scipy uses).
fn kendall_exact_p(n: usize, c: u128, alternative: Alternative) -> f64 {
    let tot = (n as u128) * (n as u128 - 1) / 2;
    let in_right_tail = c >= tot - c;
    let c = c.min(tot - c) as usize;
    // n! correctly rounded while it fits u128 (n ≤ 34), as Python's int → float division does.
    let factorial = |m: usize| {
        let exact = (1..=m.min(34)).fold(1u128, |acc, k| acc * k as u128) as f64;
        (35..=m).fold(exact, |acc, k| acc * k as f64)
    };
    let (prob, mass): (f64, f64) = if n == 1 {
        (1.0, 1.0)
    } else if n == 2 {
        (1.0, 0.5)
    } else if c == 0 {
        let p = if n < 171 { 2.0 / factorial(n) } else { 0.0 };
        (p, p / 2.0)
    } else if c == 1 {
        let p = if n < 172 { 2.0 / factorial(n - 1) } else { 0.0 };
        let mass = if n < 171 {
            (n - 1) as f64 / factorial(n)
        } else {
            0.0
        };
        (p, mass)
    } else if 4 * c as u128 == (n as u128) * (n as u128 - 1) && alternative == Alternative::TwoSided
    {
        (1.0, f64::NAN)
    } else {
        // Frequencies of the number of inversions, built one element at a time (a running sum that
        // drops terms older than j).
        let mut new = vec![0.0f64; c + 1];
        for v in new.iter_mut().take(2) {
            *v = 1.0;
        }
        let scaled = n >= 171;
        for j in 3..=n {
            let mut acc = 0.0;
            for v in new.iter_mut() {
                acc += *v;
                *v = if scaled { acc / j as f64 } else { acc };
            }
            if j <= c {
                for i in (j..=c).rev() {
                    let sub = new.get(i - j).copied().unwrap_or(0.0);
                    if let Some(v) = new.get_mut(i) {
                        *v -= sub;
                    }
                }
            }
        }
        let last = new.last().copied().unwrap_or(0.0);
        if scaled {
            (new.iter().sum::<f64>(), last / 2.0)
        } else {
            let f = factorial(n);
            (2.0 * new.iter().sum::<f64>() / f, last / f)
        }
    };
    let p = match alternative {
        Alternative::TwoSided => prob,
        _ => {
            if in_right_tail == (alternative == Alternative::Greater) {
                prob / 2.0
            } else {
                1.0 - prob / 2.0 + mass
            }
        }
    };
    p.clamp(0.0, 1.0)
}

/// Kendall's τ-b (or Stuart's τ-c) by Knight's O(n log n) algorithm, with the p-value of
/// `scipy.stats.kendalltau(method="auto")` (same for both variants) and, for τ-b, a 95% Fisher-z interval
/// with the Fieller–Hartley–Pearson standard error √(0.437/(n − 4)) (−1..1 when n ≤ 4; τ-c has none,
/// NaN; [`correlate`] takes another confidence level). The
/// `statistic` is the normal score of S = concordant − discordant with the tie-corrected variance.
///
/// ```
/// use voc_core::impact::correlation::{kendall, Alternative, KendallVariant, PValueMethod};
/// let x = [12.0, 2.0, 1.0, 12.0, 2.0];
/// let y = [1.0, 4.0, 7.0, 1.0, 0.0];
/// let k = kendall(&x, &y, Alternative::TwoSided, KendallVariant::B)?;
/// assert!((k.estimate - -0.4714045207910316).abs() < 1e-12);
/// assert!((k.p_value - 0.2827454599327748).abs() < 1e-12);
/// assert_eq!(k.p_method, PValueMethod::Normal); // ties: asymptotic
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn kendall(
    x: &[f64],
    y: &[f64],
    alternative: Alternative,
    variant: KendallVariant,
) -> Result<Correlation> {
    kendall_with(x, y, alternative, variant, 0.95)
}

fn kendall_with(
    x: &[f64],
    y: &[f64],
    alternative: Alternative,
    variant: KendallVariant,
    confidence: f64,
) -> Result<Correlation> {
    check_confidence(confidence)?;
    check_pair(x, y)?;
    let n = x.len();
    let (dx, dy) = join(n >= PARALLEL_MIN, || dense_ranks(x), || dense_ranks(y));
    if dx.counts.len() < 2 {
        return Err(constant("x", n));
    }
    if dy.counts.len() < 2 {
        return Err(constant("y", n));
    }
    // Order by (x, y): stable counting sorts by y, then by x.
    let all: Vec<u32> = (0..n as u32).collect();
    let by_y = counting_order(&dy.dense, dy.counts.len(), &all);
    let order = counting_order(&dx.dense, dx.counts.len(), &by_y);
    let mut ys: Vec<u32> = order
        .iter()
        .map(|&i| dy.dense.get(i as usize).copied().unwrap_or(0))
        .collect();
    // Joint ties: runs of equal (x, y) in this order.
    let mut joint = 0u128;
    let mut run = 0u128;
    let mut prev: Option<(u32, u32)> = None;
    for (&i, &yv) in order.iter().zip(&ys) {
        let xv = dx.dense.get(i as usize).copied().unwrap_or(0);
        if prev == Some((xv, yv)) {
            run += 1;
        } else {
            joint += run * run.saturating_sub(1) / 2;
            run = 1;
            prev = Some((xv, yv));
        }
    }
    joint += run * run.saturating_sub(1) / 2;
    let mut buf = vec![0u32; n];
    let dis = u128::from(inversions(&mut ys, &mut buf));
    let tx = tie_sums(&dx.counts);
    let ty = tie_sums(&dy.counts);
    let nn = n as u128;
    let tot = nn * (nn - 1) / 2;
    // tot = con + dis + xtie + ytie − joint
    let s = (tot + joint) as f64 - (tx.pairs + ty.pairs) as f64 - 2.0 * dis as f64;
    let s_exact =
        tot as i128 + joint as i128 - tx.pairs as i128 - ty.pairs as i128 - 2 * dis as i128;
    let s = if s_exact.unsigned_abs() < (1u128 << 53) {
        s_exact as f64
    } else {
        s
    };
    let tau = match variant {
        KendallVariant::B => {
            s / ((tot - tx.pairs) as f64).sqrt() / ((tot - ty.pairs) as f64).sqrt()
        }
        KendallVariant::C => {
            let m = dx.counts.len().min(dy.counts.len()) as f64;
            let nf = n as f64;
            2.0 * s / (nf * nf * (m - 1.0) / m)
        }
    }
    .clamp(-1.0, 1.0);
    let nf = n as f64;
    let m = nf * (nf - 1.0);
    let var = (m * (2.0 * nf + 5.0) - tx.v1 - ty.v1) / 18.0
        + (2.0 * tx.pairs as f64 * ty.pairs as f64) / m
        + tx.v0 * ty.v0 / (9.0 * m * (nf - 2.0));
    let z = s / var.sqrt();
    let no_ties = tx.pairs == 0 && ty.pairs == 0;
    let exact = no_ties && (n <= 33 || dis.min(tot - dis) <= 1);
    let (p_value, p_method) = if exact {
        (
            kendall_exact_p(n, tot - dis, alternative),
            PValueMethod::Exact,
        )
    } else {
        let half = 0.5 * normal_two_sided_p(z);
        let p = match alternative {
            Alternative::TwoSided => 2.0 * half,
            Alternative::Greater if z >= 0.0 => half,
            Alternative::Greater => 1.0 - half,
            Alternative::Less if z <= 0.0 => half,
            Alternative::Less => 1.0 - half,
        };
        (p.clamp(0.0, 1.0), PValueMethod::Normal)
    };
    let (ci_low, ci_high) = match variant {
        KendallVariant::B => {
            fisher_interval(tau, se_fisher(n, 0.437, 4.0), confidence, alternative)
        }
        KendallVariant::C => (f64::NAN, f64::NAN),
    };
    Ok(Correlation {
        method: CorrelationMethod::Kendall,
        variant: Some(variant),
        estimate: tau,
        statistic: z,
        p_value,
        p_method,
        alternative,
        ci_low,
        ci_high,
        confidence,
        n,
    })
}

/// Any of the coefficients, chosen by `options.method`.
///
/// ```
/// use voc_core::impact::correlation::{correlate, CorrelationMethod, CorrelationOptions};
/// let o = CorrelationOptions { method: CorrelationMethod::Kendall, ..Default::default() };
/// let k = correlate(&[1.0, 2.0, 3.0, 4.0], &[1.0, 3.0, 2.0, 4.0], &o)?;
/// assert!((k.estimate - 2.0 / 3.0).abs() < 1e-12);
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn correlate(x: &[f64], y: &[f64], options: &CorrelationOptions) -> Result<Correlation> {
    options.validate()?;
    let (a, c) = (options.alternative, options.confidence);
    match options.method {
        CorrelationMethod::Pearson => pearson(x, y, a, c),
        CorrelationMethod::Spearman => spearman(x, y, a, c),
        CorrelationMethod::Kendall => kendall_with(x, y, a, options.variant, c),
        CorrelationMethod::PointBiserial => point_biserial(x, y, a, c),
    }
}

// ---------------------------------------------------------------------------------------------
// Matrix
// ---------------------------------------------------------------------------------------------

/// One pair of a [`CorrelationMatrix`].
///
/// ```
/// use voc_core::impact::correlation::{correlation_matrix, CorrelationOptions};
/// use voc_core::MissingPolicy;
/// let m = correlation_matrix(
///     &[("a", &[1.0, 2.0, 3.0, 4.0][..]), ("b", &[2.0, 1.0, 4.0, 3.0][..])],
///     &CorrelationOptions::default(),
///     MissingPolicy::Error,
/// )?;
/// let p = &m.pairs[0];
/// assert_eq!((p.a, p.b, p.n), (0, 1, 4));
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct MatrixPair {
    /// Index of the first column.
    pub a: usize,
    /// Index of the second column (a < b).
    pub b: usize,
    /// Coefficient (NaN when undefined for this pair: fewer than 3 complete rows or a constant column).
    pub estimate: f64,
    /// p-value (NaN when the coefficient is).
    pub p_value: f64,
    /// Complete rows used.
    pub n: usize,
}

/// Correlations of every pair of named columns.
///
/// ```
/// use voc_core::impact::correlation::{correlation_matrix, CorrelationMethod, CorrelationOptions};
/// use voc_core::MissingPolicy;
/// let nps = [9.0, 10.0, 3.0, 7.0, 8.0, f64::NAN];
/// let spend = [120.0, 150.0, 20.0, 60.0, 90.0, 40.0];
/// let tickets = [0.0, 0.0, 4.0, 1.0, 1.0, 2.0];
/// let o = CorrelationOptions { method: CorrelationMethod::Spearman, ..Default::default() };
/// let cols = [("nps", &nps[..]), ("spend", &spend[..]), ("tickets", &tickets[..])];
/// assert!(correlation_matrix(&cols, &o, MissingPolicy::Error).is_err()); // NaN in nps, row 5
/// let m = correlation_matrix(&cols, &o, MissingPolicy::Skip)?; // pairwise-complete rows
/// assert_eq!(m.n[0][1], 5);
/// assert_eq!(m.n[1][2], 6);
/// assert_eq!(m.estimate[0][0], 1.0);
/// assert!(m.estimate[0][1] > 0.9);
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct CorrelationMatrix {
    /// Column names, in input order.
    pub names: Vec<String>,
    /// Options used.
    pub options: CorrelationOptions,
    /// Square matrix of coefficients (1 on the diagonal).
    pub estimate: Vec<Vec<f64>>,
    /// Square matrix of p-values (0 on the diagonal).
    pub p_value: Vec<Vec<f64>>,
    /// Square matrix of complete rows per pair.
    pub n: Vec<Vec<usize>>,
    /// The upper triangle, pair by pair (a < b), in row-major order.
    pub pairs: Vec<MatrixPair>,
}

/// Correlation matrix of named columns (of equal length) with p-values and pair counts.
///
/// `missing` decides what a NaN does: [`MissingPolicy::Error`] (the default) fails with an error
/// naming the column and row; [`MissingPolicy::Skip`] uses, for each pair, the rows where both are
/// present ("pairwise-complete"). ±inf is always an error. A pair with fewer than 3 complete rows or a
/// constant column gets NaN estimate and p-value (and its `n`), so that one bad pair does not hide the
/// others. Pairs are computed in parallel with the `parallel` feature.
///
/// ```
/// use voc_core::impact::correlation::{correlation_matrix, CorrelationOptions};
/// use voc_core::{Error, MissingPolicy};
/// let a = [1.0, 2.0, 3.0];
/// let b = [1.0, f64::INFINITY, 2.0];
/// let err = correlation_matrix(&[("a", &a[..]), ("b", &b[..])], &CorrelationOptions::default(), MissingPolicy::Skip)
///     .unwrap_err();
/// assert!(err.to_string().contains("column \"b\", row 1"));
/// ```
pub fn correlation_matrix(
    columns: &[(&str, &[f64])],
    options: &CorrelationOptions,
    missing: MissingPolicy,
) -> Result<CorrelationMatrix> {
    options.validate()?;
    if columns.len() < 2 {
        return Err(Error::Empty {
            arg: "columns",
            what: "a correlation matrix needs at least two columns",
        });
    }
    let len = columns.first().map_or(0, |c| c.1.len());
    for (name, col) in columns {
        if col.len() != len {
            return Err(Error::option(
                "columns",
                format!("{name:?}"),
                format!(
                    "column {name:?} has {} rows but column {:?} has {len}",
                    col.len(),
                    columns.first().map_or("", |c| c.0)
                ),
            ));
        }
        for (row, &v) in col.iter().enumerate() {
            let bad = v.is_infinite() || (v.is_nan() && missing == MissingPolicy::Error);
            if bad {
                return Err(Error::option(
                    "columns",
                    format!("{name:?}"),
                    format!(
                        "column {name:?}, row {row} = {v} is not finite{}",
                        if v.is_nan() {
                            " (missing); pass the pairwise-complete missing policy to use the rows where both columns are present"
                        } else {
                            ""
                        }
                    ),
                ));
            }
        }
    }
    let k = columns.len();
    let pairs_idx: Vec<(usize, usize)> = (0..k)
        .flat_map(|a| (a + 1..k).map(move |b| (a, b)))
        .collect();
    let one = |&(a, b): &(usize, usize)| -> Result<MatrixPair> {
        let empty: &[f64] = &[];
        let x = columns.get(a).map_or(empty, |c| c.1);
        let y = columns.get(b).map_or(empty, |c| c.1);
        let (xs, ys): (Vec<f64>, Vec<f64>);
        let (x, y) = if x.iter().chain(y).any(|v| v.is_nan()) {
            (xs, ys) = x
                .iter()
                .zip(y)
                .filter(|(u, v)| !u.is_nan() && !v.is_nan())
                .map(|(u, v)| (*u, *v))
                .unzip();
            (&xs[..], &ys[..])
        } else {
            (x, y)
        };
        let n = x.len();
        match correlate(x, y, options) {
            Ok(c) => Ok(MatrixPair {
                a,
                b,
                estimate: c.estimate,
                p_value: c.p_value,
                n,
            }),
            Err(Error::InsufficientData(_)) => Ok(MatrixPair {
                a,
                b,
                estimate: f64::NAN,
                p_value: f64::NAN,
                n,
            }),
            Err(e) => Err(e),
        }
    };
    #[cfg(feature = "parallel")]
    let pairs: Vec<MatrixPair> = {
        use rayon::prelude::*;
        pairs_idx.par_iter().map(one).collect::<Result<_>>()?
    };
    #[cfg(not(feature = "parallel"))]
    let pairs: Vec<MatrixPair> = pairs_idx.iter().map(one).collect::<Result<_>>()?;
    let mut estimate = vec![vec![f64::NAN; k]; k];
    let mut p_value = vec![vec![f64::NAN; k]; k];
    let mut counts = vec![vec![0usize; k]; k];
    for (i, name) in columns.iter().enumerate() {
        let present = name.1.iter().filter(|v| !v.is_nan()).count();
        set(&mut estimate, i, i, 1.0);
        set(&mut p_value, i, i, 0.0);
        set(&mut counts, i, i, present);
    }
    for p in &pairs {
        for (i, j) in [(p.a, p.b), (p.b, p.a)] {
            set(&mut estimate, i, j, p.estimate);
            set(&mut p_value, i, j, p.p_value);
            set(&mut counts, i, j, p.n);
        }
    }
    Ok(CorrelationMatrix {
        names: columns.iter().map(|c| c.0.to_owned()).collect(),
        options: *options,
        estimate,
        p_value,
        n: counts,
        pairs,
    })
}

fn set<T>(m: &mut [Vec<T>], i: usize, j: usize, v: T) {
    if let Some(slot) = m.get_mut(i).and_then(|r| r.get_mut(j)) {
        *slot = v;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn radix_matches_comparison_sort() {
        let x: Vec<f64> = (0..5000)
            .map(|i| ((i * 7919) % 5003) as f64 * if i % 3 == 0 { -0.37 } else { 1.1 })
            .chain([0.0, -0.0, 1e300, -1e300, 5e-324])
            .collect();
        let d = dense_ranks(&x);
        let mut sorted = x.clone();
        sorted.sort_by(f64::total_cmp);
        sorted.dedup_by(|a, b| a == b);
        assert_eq!(d.counts.len(), sorted.len());
        for (i, &v) in x.iter().enumerate() {
            let r = sorted.partition_point(|&s| s < v);
            assert_eq!(d.dense[i] as usize, r, "value {v}");
        }
    }

    #[test]
    fn radix_fix_up_sorts_long_runs_of_equal_high_bits() {
        // 1e6 + tiny steps: the high 33 bits agree for thousands of keys.
        let x: Vec<f64> = (0..6000)
            .map(|i| 1e6 + ((i * 4099) % 6007) as f64 * 1e-9)
            .collect();
        let d = dense_ranks(&x);
        let mut sorted = x.clone();
        sorted.sort_by(f64::total_cmp);
        for (i, &v) in x.iter().enumerate() {
            assert_eq!(d.dense[i] as usize, sorted.partition_point(|&s| s < v));
        }
    }

    #[test]
    fn counting_path_matches_sort_path() {
        let x: Vec<f64> = (0..3000).map(|i| ((i * 31) % 11) as f64).collect();
        let a = dense_by_counting(&x).map(|d| d.dense);
        let keys: Vec<f64> = x.iter().map(|v| v + 0.5).collect(); // fractional: sort path
        assert!(dense_by_counting(&keys).is_none());
        assert_eq!(a, Some(dense_ranks(&keys).dense));
    }

    #[test]
    fn centred_ranks_are_doubled_average_ranks_less_n_plus_one() -> Result<()> {
        let continuous: Vec<f64> = (0..5000)
            .map(|i| ((i * 7919) % 1009) as f64 * 0.37)
            .collect();
        let likert: Vec<f64> = (0..5000).map(|i| ((i * 31) % 11) as f64).collect();
        for x in [continuous, likert] {
            let n = x.len() as f64;
            let c = centred_ranks(&x);
            let a = average_ranks(&x)?;
            for (&ci, &ai) in c.r.iter().zip(&a) {
                assert_eq!(f64::from(ci), 2.0 * ai - n - 1.0);
            }
            assert_eq!(c.ties, tie_cubes(&dense_ranks(&x).counts));
        }
        Ok(())
    }

    #[test]
    fn pearson_survives_huge_and_tiny_values() -> Result<()> {
        let x = [1.0, 2.0, 3.0, 4.0, 5.0];
        let y = [2.0, 1.0, 4.0, 3.0, 5.0];
        for scale in [1e200, 1e-200, 1e300] {
            let xs: Vec<f64> = x.iter().map(|v| v * scale).collect();
            let r = pearson(&xs, &y, Alternative::TwoSided, 0.95)?;
            assert!(
                (r.estimate - 0.8).abs() < 1e-12,
                "scale {scale}: {}",
                r.estimate
            );
        }
        Ok(())
    }

    #[test]
    fn inversions_count_strict_pairs() {
        let mut v = vec![3, 1, 2, 2, 0, 5, 4, 4, 1, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 0];
        let brute = v
            .iter()
            .enumerate()
            .flat_map(|(i, a)| v.iter().skip(i + 1).map(move |b| u64::from(a > b)))
            .sum::<u64>();
        let mut buf = vec![0; v.len()];
        assert_eq!(inversions(&mut v, &mut buf), brute);
        assert!(v.windows(2).all(|w| w[0] <= w[1]));
    }
}
