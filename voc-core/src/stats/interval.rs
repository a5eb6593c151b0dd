//! Confidence intervals: the named methods and the interval type.

use crate::error::{Error, Result};

/// How an interval was computed. Every interval in voc names its method.
///
/// ```
/// use voc_core::stats::{proportion_interval, IntervalOptions, Method, ShareInterval};
/// let ci = proportion_interval(3.0, 10.0, &IntervalOptions::default().method(ShareInterval::ClopperPearson))?;
/// assert_eq!(ci.method, Method::ClopperPearson);
/// # Ok::<(), voc_core::Error>(())
/// ```
///
/// ```
/// use voc_core::stats::Method;
/// assert_eq!(Method::WilsonCc.name(), "wilson_cc");
/// assert_eq!("t".parse::<Method>()?, Method::StudentT);
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum Method {
    /// Normal approximation, estimate ± z·SE.
    Wald,
    /// NPS adjusted Wald of Rocks (2016): ¾ added to promoters and detractors, 3 to n.
    AdjustedWald,
    /// Seeded percentile bootstrap.
    Bootstrap,
    /// Wilson score interval (Newcombe 1998 method 3), as scipy `proportion_ci(method="wilson")`.
    Wilson,
    /// Wilson score interval with continuity correction (Newcombe 1998 method 4), as scipy `"wilsoncc"`.
    WilsonCc,
    /// Clopper–Pearson exact interval, as scipy `proportion_ci(method="exact")`.
    ClopperPearson,
    /// Student-t interval for a mean, as `scipy.stats.t.interval`.
    StudentT,
    /// Welch–Satterthwaite t interval for a difference of means.
    Welch,
    /// Wald interval on the log scale, exponentiated: Katz for a risk ratio, Woolf for an odds ratio,
    /// the delta method for a ratio of means.
    LogWald,
    /// Newcombe (1998) hybrid score interval for a difference of proportions (method 10), from Wilson
    /// intervals, as statsmodels `confint_proportions_2indep(method="newcomb")`.
    Newcombe,
    /// Exact conditional interval for a Poisson rate ratio: the Clopper–Pearson interval of the
    /// conditional binomial share count₁/(count₁ + count₂), mapped to the ratio.
    ExactConditional,
}

crate::named_enum!(Method, "method", {
    Wald => "wald",
    AdjustedWald => "adjusted_wald",
    Bootstrap => "bootstrap",
    Wilson => "wilson",
    WilsonCc => "wilson_cc",
    ClopperPearson => "clopper_pearson",
    StudentT => "t",
    Welch => "welch",
    LogWald => "log_wald",
    Newcombe => "newcombe",
    ExactConditional => "exact_conditional",
});

/// A two-sided confidence interval.
///
/// ```
/// use voc_core::stats::{Interval, Method};
/// let ci = Interval { low: 0.1, high: 0.3, level: 0.95, method: Method::Wilson };
/// assert!(ci.contains(0.2));
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Interval {
    /// Lower bound.
    pub low: f64,
    /// Upper bound.
    pub high: f64,
    /// Confidence level, e.g. 0.95.
    pub level: f64,
    /// How it was computed.
    pub method: Method,
}

impl Interval {
    /// Whether `x` lies within the closed interval.
    ///
    /// ```
    /// use voc_core::stats::{Interval, Method};
    /// let ci = Interval { low: 1.0, high: 2.0, level: 0.9, method: Method::Wald };
    /// assert!(ci.contains(1.0) && !ci.contains(2.5));
    /// ```
    pub fn contains(&self, x: f64) -> bool {
        self.low <= x && x <= self.high
    }

    /// Width of the interval.
    ///
    /// ```
    /// use voc_core::stats::{Interval, Method};
    /// assert_eq!(Interval { low: 1.0, high: 2.5, level: 0.9, method: Method::Wald }.width(), 1.5);
    /// ```
    pub fn width(&self) -> f64 {
        self.high - self.low
    }

    pub(crate) fn scaled(self, factor: f64) -> Interval {
        Interval {
            low: self.low * factor,
            high: self.high * factor,
            ..self
        }
    }
}

/// The largest confidence level accepted: 1 − 10⁻¹². Closer to 1, the two-sided quantile 0.5 + level/2
/// rounds to (or next to) 1 in floating point, and the normal, Student-t and beta quantiles behind the
/// intervals become infinite or NaN (`confidence = 1 - 1e-16` gave a NaN interval).
pub const MAX_CONFIDENCE: f64 = 1.0 - 1e-12;

/// Checks a confidence level: strictly between 0 and 1, and at most [`MAX_CONFIDENCE`], so that every
/// interval's quantile is a finite number.
///
/// ```
/// assert!(voc_core::stats::check_confidence(0.95).is_ok());
/// assert!(voc_core::stats::check_confidence(95.0).is_err());
/// assert!(voc_core::stats::check_confidence(1.0 - 1e-16).is_err());
/// ```
pub fn check_confidence(level: f64) -> Result<f64> {
    if level.is_finite() && level > 0.0 && level <= MAX_CONFIDENCE {
        Ok(level)
    } else {
        Err(Error::option(
            "confidence",
            level,
            "must lie strictly between 0 and 1 (e.g. 0.95), and at most 1 − 1e-12",
        ))
    }
}
