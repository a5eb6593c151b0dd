//! Intervals and tests for proportions (shares such as top-2-box, promoters, mention rates).

use super::dist::{beta_quantile, normal_quantile};
use super::interval::{Interval, Method, check_confidence};
use super::test::{TestOptions, TestResult, z_test};
use crate::error::{Error, Result};

/// Interval methods for a proportion.
///
/// ```
/// use voc_core::stats::{proportion_interval, IntervalOptions, ShareInterval};
/// let w = proportion_interval(0.0, 20.0, &IntervalOptions::default().method(ShareInterval::Wilson))?;
/// let cp = proportion_interval(0.0, 20.0, &IntervalOptions::default().method(ShareInterval::ClopperPearson))?;
/// assert_eq!(w.low, 0.0);
/// assert!(cp.high > w.high); // exact intervals are wider
/// # Ok::<(), voc_core::Error>(())
/// ```
///
/// ```
/// use voc_core::stats::ShareInterval;
/// assert_eq!("exact".parse::<ShareInterval>()?, ShareInterval::ClopperPearson);
/// assert_eq!(ShareInterval::ClopperPearson.to_string(), "clopper_pearson");
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum ShareInterval {
    /// Wilson score interval (default): good coverage at all sample sizes.
    #[default]
    Wilson,
    /// Wilson with continuity correction: conservative.
    WilsonCc,
    /// Clopper–Pearson "exact": guaranteed coverage, wider.
    ClopperPearson,
    /// Wald p ± z·√(p(1−p)/n): for comparison only; poor near 0 and 1.
    Wald,
}

crate::named_enum!(ShareInterval, "interval", {
    Wilson => "wilson",
    WilsonCc => "wilson_cc" | "wilsoncc",
    ClopperPearson => "clopper_pearson" | "exact",
    Wald => "wald",
});

/// Options of a proportion's interval ([`proportion_interval`], [`share`]): the confidence level and
/// the interval method. Validated once by each of them.
///
/// ```
/// use voc_core::stats::{proportion_interval, IntervalOptions, ShareInterval};
/// let o = IntervalOptions::default();
/// assert_eq!((o.confidence, o.method), (0.95, ShareInterval::Wilson));
/// let exact90 = IntervalOptions::default().confidence(0.9).method(ShareInterval::ClopperPearson);
/// let ci = proportion_interval(7.0, 50.0, &exact90)?;
/// assert_eq!(ci.level, 0.9);
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct IntervalOptions {
    /// Confidence level, strictly between 0 and 1 (default 0.95).
    pub confidence: f64,
    /// Interval method (default Wilson).
    pub method: ShareInterval,
}

impl Default for IntervalOptions {
    fn default() -> Self {
        IntervalOptions {
            confidence: 0.95,
            method: ShareInterval::Wilson,
        }
    }
}

impl IntervalOptions {
    /// Checks the options (done once by each function that takes them).
    ///
    /// ```
    /// use voc_core::stats::IntervalOptions;
    /// assert!(IntervalOptions::default().validate().is_ok());
    /// assert!(IntervalOptions::default().confidence(0.0).validate().is_err());
    /// ```
    pub fn validate(&self) -> Result<()> {
        check_confidence(self.confidence).map(|_| ())
    }
}

crate::setters!(IntervalOptions {
    confidence: f64,
    method: ShareInterval
});

/// A proportion with its interval.
///
/// ```
/// let s = voc_core::stats::share(2.0, 8.0, &Default::default())?;
/// assert_eq!((s.estimate, s.n), (0.25, 8.0));
/// # Ok::<(), voc_core::Error>(())
/// ```
///
/// For weighted data `successes` and `n` are effective (Kish) quantities: `n` is (Σw)²/Σw² and
/// `successes` is `estimate · n`, which is how the intervals treat weighted data.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Share {
    /// The proportion, in 0..=1.
    pub estimate: f64,
    /// Successes (effective for weighted data).
    pub successes: f64,
    /// Trials (effective for weighted data).
    pub n: f64,
    /// Confidence interval.
    pub ci: Interval,
}

/// Confidence interval for `successes` out of `n` (both may be fractional effective counts).
///
/// ```
/// use voc_core::stats::{proportion_interval, IntervalOptions, ShareInterval};
/// // scipy.stats.binomtest(7, 50).proportion_ci(method="wilson")
/// let ci = proportion_interval(7.0, 50.0, &IntervalOptions::default().method(ShareInterval::Wilson))?;
/// assert!((ci.low - 0.06950833427016292).abs() < 1e-12);
/// assert!((ci.high - 0.26186193710585537).abs() < 1e-12);
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn proportion_interval(successes: f64, n: f64, opts: &IntervalOptions) -> Result<Interval> {
    opts.validate()?;
    let (level, method) = (opts.confidence, opts.method);
    if !(n > 0.0) || !n.is_finite() {
        return Err(Error::Empty {
            arg: "n",
            what: "a proportion needs at least one trial",
        });
    }
    if !(0.0..=n).contains(&successes) {
        return Err(Error::option(
            "successes",
            successes,
            format!("must lie in 0..={n}"),
        ));
    }
    let p = successes / n;
    let q = 1.0 - p;
    let z = normal_quantile(0.5 + 0.5 * level);
    let z2 = z * z;
    let at_zero = successes <= 0.0;
    let at_n = successes >= n;
    // The continuity correction assumes whole counts: with fewer than one (effective) success or failure
    // its bound is meaningless, and the bound is the end of the range instead.
    let cc_at_zero = successes < 1.0;
    let cc_at_n = n - successes < 1.0;
    let (low, high, method) = match method {
        ShareInterval::Wilson => {
            // Newcombe (1998) method 3, the form scipy uses.
            let denom = 2.0 * (n + z2);
            let center = (2.0 * n * p + z2) / denom;
            let delta = z / denom * (4.0 * n * p * q + z2).sqrt();
            let lo = if at_zero { 0.0 } else { center - delta };
            let hi = if at_n { 1.0 } else { center + delta };
            (lo, hi, Method::Wilson)
        }
        ShareInterval::WilsonCc => {
            // Newcombe (1998) method 4.
            let denom = 2.0 * (n + z2);
            let center = (2.0 * n * p + z2) / denom;
            let lo = if cc_at_zero {
                0.0
            } else {
                center
                    - (1.0
                        + z * (z2 - 2.0 - 1.0 / n + 4.0 * p * (n * q + 1.0))
                            .max(0.0)
                            .sqrt())
                        / denom
            };
            let hi = if cc_at_n {
                1.0
            } else {
                center
                    + (1.0
                        + z * (z2 + 2.0 - 1.0 / n + 4.0 * p * (n * q - 1.0))
                            .max(0.0)
                            .sqrt())
                        / denom
            };
            (lo.clamp(0.0, p), hi.clamp(p, 1.0), Method::WilsonCc)
        }
        ShareInterval::ClopperPearson => {
            if n > crate::stats::MAX_BINOMIAL_TRIALS {
                // The beta quantiles' cost grows like √n: bounded as the binomial functions are.
                return Err(Error::too_large(
                    "n",
                    format!("{n:e}"),
                    crate::stats::MAX_BINOMIAL_TRIALS,
                    "the Clopper–Pearson interval takes at most 2⁵³ trials",
                ));
            }
            let alpha = (1.0 - level) / 2.0;
            let lo = if at_zero {
                0.0
            } else {
                beta_quantile(alpha, successes, n - successes + 1.0)?
            };
            let hi = if at_n {
                1.0
            } else {
                beta_quantile(1.0 - alpha, successes + 1.0, n - successes)?
            };
            (lo, hi, Method::ClopperPearson)
        }
        ShareInterval::Wald => {
            let half = z * (p * q / n).sqrt();
            ((p - half).max(0.0), (p + half).min(1.0), Method::Wald)
        }
    };
    if !(low.is_finite() && high.is_finite()) {
        // 2·n overflows in the score intervals' terms (n beyond ~9e307).
        return Err(Error::too_large(
            "n",
            format!("{n:e}"),
            format!("{:e}", f64::MAX / 4.0),
            "the interval's terms overflow a double",
        ));
    }
    Ok(Interval {
        low,
        high,
        level,
        method,
    })
}

/// A proportion with its interval; see [`proportion_interval`].
///
/// ```
/// use voc_core::stats::{share, IntervalOptions};
/// let s = share(30.0, 120.0, &IntervalOptions::default())?;
/// assert_eq!(s.estimate, 0.25);
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn share(successes: f64, n: f64, opts: &IntervalOptions) -> Result<Share> {
    let ci = proportion_interval(successes, n, opts)?;
    Ok(Share {
        estimate: successes / n,
        successes,
        n,
        ci,
    })
}

/// Two-proportion z-test of `a` against `b` (difference `a − b`).
///
/// The statistic uses the pooled standard error (as statsmodels `proportions_ztest`); the interval of
/// the difference uses the unpooled Wald standard error (as statsmodels `confint_proportions_2indep`
/// with `method="wald"`).
///
/// ```
/// use voc_core::stats::{two_proportion_test, TestOptions};
/// let t = two_proportion_test(45.0, 100.0, 30.0, 100.0, &TestOptions::default())?;
/// assert!((t.difference - 0.15).abs() < 1e-12);
/// assert!(t.p_value < 0.05);
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn two_proportion_test(
    k1: f64,
    n1: f64,
    k2: f64,
    n2: f64,
    opts: &TestOptions,
) -> Result<TestResult> {
    opts.validate()?;
    for (name, k, n) in [("a", k1, n1), ("b", k2, n2)] {
        if !(n > 0.0) || !n.is_finite() {
            return Err(Error::Empty {
                arg: name,
                what: "a proportion test needs at least one trial per sample",
            });
        }
        if !(0.0..=n).contains(&k) {
            return Err(Error::option(
                "successes",
                k,
                format!("must lie in 0..={n}"),
            ));
        }
    }
    let (p1, p2) = (k1 / n1, k2 / n2);
    let diff = p1 - p2;
    let pooled = (k1 + k2) / (n1 + n2);
    let se_pooled = (pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2)).sqrt();
    let se = (p1 * (1.0 - p1) / n1 + p2 * (1.0 - p2) / n2).sqrt();
    if !(se_pooled > 0.0) {
        return Err(Error::InsufficientData(
            "both samples are all successes or all failures, so the proportions have no variance"
                .into(),
        ));
    }
    Ok(z_test(diff, se_pooled, se, opts.confidence))
}
