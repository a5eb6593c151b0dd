//! Test results and the Student/Welch t procedures on summary statistics.

use super::dist::{normal_quantile, normal_two_sided_p, t_quantile, t_two_sided_p};
use super::interval::{Interval, Method, check_confidence};
use crate::error::{Error, Result};

/// The outcome of a two-sided test of a difference (or of one estimate against a null value).
///
/// ```
/// use voc_core::stats::{two_proportion_test, TestOptions};
/// let t = two_proportion_test(60.0, 100.0, 40.0, 100.0, &TestOptions::default())?;
/// assert!(t.significant(0.05) && t.df.is_none() && t.ci.contains(0.2));
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct TestResult {
    /// The estimated difference (first minus second, or estimate minus null value).
    pub difference: f64,
    /// Standard error of the difference used for its interval.
    pub se: f64,
    /// Test statistic (z or t).
    pub statistic: f64,
    /// Degrees of freedom for t tests; `None` for z tests.
    pub df: Option<f64>,
    /// Two-sided p-value.
    pub p_value: f64,
    /// Interval of the difference.
    pub ci: Interval,
}

impl TestResult {
    /// Whether the p-value is below `alpha`.
    ///
    /// ```
    /// use voc_core::stats::{two_proportion_test, TestOptions};
    /// let t = two_proportion_test(52.0, 100.0, 48.0, 100.0, &TestOptions::default())?;
    /// assert!(!t.significant(0.05));
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn significant(&self, alpha: f64) -> bool {
        self.p_value < alpha
    }
}

/// Options of the two-sided t and z procedures on summary statistics: [`welch_t_test`],
/// [`two_proportion_test`](super::two_proportion_test) and the Student-t [`mean_interval`] (the
/// interval of a one-sample t test). Validated once by each of them.
///
/// ```
/// use voc_core::stats::{welch_t_test, MeanSummary, TestOptions};
/// let a = MeanSummary { mean: 4.2, variance: 0.8, n: 200.0 };
/// let b = MeanSummary { mean: 4.0, variance: 1.1, n: 150.0 };
/// let t90 = welch_t_test(&a, &b, &TestOptions::default().confidence(0.9))?;
/// let t95 = welch_t_test(&a, &b, &TestOptions::default())?;
/// assert_eq!((t90.ci.level, t95.ci.level), (0.9, 0.95));
/// assert!(t90.ci.width() < t95.ci.width() && t90.p_value == t95.p_value);
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct TestOptions {
    /// Confidence level of the interval, strictly between 0 and 1 (default 0.95).
    pub confidence: f64,
}

impl Default for TestOptions {
    fn default() -> Self {
        TestOptions { confidence: 0.95 }
    }
}

impl TestOptions {
    /// Checks the options (done once by each procedure that takes them).
    ///
    /// ```
    /// use voc_core::stats::TestOptions;
    /// assert!(TestOptions::default().validate().is_ok());
    /// assert!(TestOptions::default().confidence(95.0).validate().is_err());
    /// ```
    pub fn validate(&self) -> Result<()> {
        check_confidence(self.confidence).map(|_| ())
    }
}

crate::setters!(TestOptions { confidence: f64 });

/// Two-sided z-test of `difference`: statistic `difference / se_statistic`, normal p-value, and the
/// Wald interval `difference ± z·se_interval` (the two SEs differ for the pooled two-proportion test).
pub(crate) fn z_test(
    difference: f64,
    se_statistic: f64,
    se_interval: f64,
    level: f64,
) -> TestResult {
    let z = normal_quantile(0.5 + 0.5 * level);
    let statistic = difference / se_statistic;
    TestResult {
        difference,
        se: se_interval,
        statistic,
        df: None,
        p_value: normal_two_sided_p(statistic),
        ci: Interval {
            low: difference - z * se_interval,
            high: difference + z * se_interval,
            level,
            method: Method::Wald,
        },
    }
}

/// Summary of one sample of a numeric score: mean, sample variance (ddof = 1) and (effective) size.
///
/// ```
/// let s = voc_core::stats::MeanSummary { mean: 3.0, variance: 4.0, n: 16.0 };
/// assert_eq!(s.se(), 0.5);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct MeanSummary {
    /// Mean.
    pub mean: f64,
    /// Sample variance with ddof = 1 (for weighted data, the Kish-effective-n analogue).
    pub variance: f64,
    /// Sample size (effective for weighted data).
    pub n: f64,
}

impl MeanSummary {
    /// Standard error of the mean, √(s²/n).
    ///
    /// ```
    /// assert_eq!(voc_core::stats::MeanSummary { mean: 0.0, variance: 9.0, n: 4.0 }.se(), 1.5);
    /// ```
    pub fn se(&self) -> f64 {
        (self.variance / self.n).sqrt()
    }

    /// The summary from a standard deviation (what `scipy.stats.ttest_ind_from_stats` takes): the
    /// variance is `std²`. A non-finite `std` is an error naming `std`, and so is one whose square
    /// overflows (|std| above about 1.3e154) — never an infinite variance reported as the input.
    ///
    /// ```
    /// use voc_core::stats::MeanSummary;
    /// assert_eq!(MeanSummary::from_std(3.0, 2.0, 10.0)?.variance, 4.0);
    /// assert!(MeanSummary::from_std(3.0, 1e200, 10.0).is_err());
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn from_std(mean: f64, std: f64, n: f64) -> Result<Self> {
        if !std.is_finite() {
            return Err(Error::NonFinite {
                arg: "std",
                index: 0,
                value: std,
            });
        }
        let variance = std * std;
        if !variance.is_finite() {
            return Err(Error::too_large(
                "std",
                format!("{std:e}"),
                "±1.3e154",
                "its square (the variance) overflows a double; rescale the data",
            ));
        }
        Ok(MeanSummary { mean, variance, n })
    }
}

/// Student-t interval for a mean, as `scipy.stats.t.interval(confidence, n − 1, mean, sem)`.
///
/// ```
/// use voc_core::stats::{mean_interval, MeanSummary, TestOptions};
/// let ci = mean_interval(&MeanSummary { mean: 4.0, variance: 1.0, n: 11.0 }, &TestOptions::default())?;
/// assert!((ci.high - 4.0 - 2.2281388519649385 / 11f64.sqrt()).abs() < 1e-10);
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn mean_interval(s: &MeanSummary, opts: &TestOptions) -> Result<Interval> {
    opts.validate()?;
    let level = opts.confidence;
    if !(s.n > 1.0) {
        return Err(Error::InsufficientData(format!(
            "a t interval needs more than one response, got n = {}",
            s.n
        )));
    }
    let t = t_quantile(0.5 + 0.5 * level, s.n - 1.0)?;
    let half = t * s.se();
    Ok(Interval {
        low: s.mean - half,
        high: s.mean + half,
        level,
        method: Method::StudentT,
    })
}

/// Welch's unequal-variance t-test of `a` against `b` (difference `a − b`), as
/// `scipy.stats.ttest_ind(a, b, equal_var=False)` and its `confidence_interval(confidence)`.
///
/// ```
/// use voc_core::stats::{welch_t_test, MeanSummary, TestOptions};
/// let a = MeanSummary { mean: 4.2, variance: 0.8, n: 200.0 };
/// let b = MeanSummary { mean: 4.0, variance: 1.1, n: 150.0 };
/// let t = welch_t_test(&a, &b, &TestOptions::default())?;
/// assert!((t.difference - 0.2).abs() < 1e-12 && t.df.is_some_and(|df| df > 250.0));
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn welch_t_test(a: &MeanSummary, b: &MeanSummary, opts: &TestOptions) -> Result<TestResult> {
    opts.validate()?;
    let level = opts.confidence;
    if !(a.n > 1.0) || !(b.n > 1.0) {
        return Err(Error::InsufficientData(format!(
            "Welch's test needs more than one response per sample, got {} and {}",
            a.n, b.n
        )));
    }
    for (args, s) in [
        (["mean1", "variance1", "n1"], a),
        (["mean2", "variance2", "n2"], b),
    ] {
        for (arg, value) in args.into_iter().zip([s.mean, s.variance, s.n]) {
            if !value.is_finite() {
                return Err(Error::NonFinite {
                    arg,
                    index: 0,
                    value,
                });
            }
        }
    }
    let va = a.variance / a.n;
    let vb = b.variance / b.n;
    let se = (va + vb).sqrt();
    if !(se > 0.0) {
        return Err(Error::InsufficientData(
            "both samples have zero variance".into(),
        ));
    }
    let df = (va + vb).powi(2) / (va * va / (a.n - 1.0) + vb * vb / (b.n - 1.0));
    let difference = a.mean - b.mean;
    let statistic = difference / se;
    // The larger mean is named: the difference (or an interval bound) overflows through it.
    let too_large = || {
        let (arg, mean) = if a.mean.abs() >= b.mean.abs() {
            ("mean1", a.mean)
        } else {
            ("mean2", b.mean)
        };
        Error::too_large(
            arg,
            format!("{mean:e}"),
            "±1.3e154",
            "the difference of the means, its standard error, the t statistic, the degrees of \
             freedom or an interval bound overflow a double; rescale the data",
        )
    };
    if !(difference.is_finite() && se.is_finite() && df.is_finite() && statistic.is_finite()) {
        return Err(too_large());
    }
    let t = t_quantile(0.5 + 0.5 * level, df)?;
    let ci = Interval {
        low: difference - t * se,
        high: difference + t * se,
        level,
        method: Method::Welch,
    };
    if !(ci.low.is_finite() && ci.high.is_finite()) {
        return Err(too_large());
    }
    Ok(TestResult {
        difference,
        se,
        statistic,
        df: Some(df),
        p_value: t_two_sided_p(statistic, df)?,
        ci,
    })
}
