//! Before/after change in a rate, and the Poisson rate ratio of two volumes.

use super::{EffectOptions, check_rate};
use crate::error::{Error, Result};
use crate::impact::contingency::{Ratio, Table2x2, TableOptions, ZeroCells, log_wald, risk_ratio};
use crate::stats::{
    Interval, IntervalOptions, Method, Share, ShareInterval, TestOptions, TestResult,
    binomial_test, proportion_interval, share, two_proportion_test,
};

/// A change in a rate between two periods.
///
/// ```
/// use voc_core::impact::effect::{before_after, EffectOptions};
/// let r = before_after((50.0, 500.0), (50.0, 500.0), &EffectOptions::default())?;
/// assert_eq!((r.relative_change, r.ratio.estimate), (0.0, 1.0));
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct BeforeAfter {
    /// Rate before (Wilson interval).
    pub before: Share,
    /// Rate after (Wilson interval).
    pub after: Share,
    /// after − before: pooled z test, unpooled Wald interval.
    pub change: TestResult,
    /// after ÷ before (Katz log interval; 0.5 added to every cell when a count is zero).
    pub ratio: Ratio,
    /// Relative change after/before − 1.
    pub relative_change: f64,
}

impl BeforeAfter {
    /// Customers in both periods, before + after.
    ///
    /// ```
    /// use voc_core::impact::effect::{before_after, EffectOptions};
    /// let r = before_after((120.0, 1000.0), (80.0, 900.0), &EffectOptions::default())?;
    /// assert_eq!(r.n(), 1900.0);
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    #[must_use]
    pub fn n(&self) -> f64 {
        self.before.n + self.after.n
    }
}

/// Before/after change in a rate (`k` events of `n` customers per period), reusing
/// [`two_proportion_test`] (statsmodels `proportions_ztest` and `confint_proportions_2indep(method="wald")`,
/// tolerance 1e-12).
///
/// ```
/// use voc_core::impact::effect::{before_after, EffectOptions};
/// let r = before_after((120.0, 1000.0), (80.0, 1000.0), &EffectOptions::default())?;
/// assert!((r.change.difference + 0.04).abs() < 1e-12);
/// assert!((r.relative_change + 1.0 / 3.0).abs() < 1e-12 && r.change.p_value < 0.01);
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn before_after(
    before: (f64, f64),
    after: (f64, f64),
    opts: &EffectOptions,
) -> Result<BeforeAfter> {
    let level = opts.validate()?;
    check_rate("before", before.0, before.1)?;
    check_rate("after", after.0, after.1)?;
    let change = two_proportion_test(
        after.0,
        after.1,
        before.0,
        before.1,
        &TestOptions { confidence: level },
    )?;
    let wilson = IntervalOptions {
        confidence: level,
        method: ShareInterval::Wilson,
    };
    let t = Table2x2::from_rates(after.0, after.1, before.0, before.1)?;
    Ok(BeforeAfter {
        before: share(before.0, before.1, &wilson)?,
        after: share(after.0, after.1, &wilson)?,
        change,
        ratio: risk_ratio(
            &t,
            &TableOptions::default()
                .confidence(level)
                .zero_cells(ZeroCells::Haldane),
        )?,
        relative_change: (after.0 / after.1) / (before.0 / before.1) - 1.0,
    })
}

/// A ratio of two Poisson rates (events per unit of exposure).
///
/// ```
/// use voc_core::impact::effect::{rate_ratio, EffectOptions};
/// let r = rate_ratio(40.0, 10.0, 20.0, 10.0, &EffectOptions::default())?;
/// assert_eq!((r.rate1, r.rate2, r.ratio), (4.0, 2.0, 2.0));
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct RateRatio {
    /// Events in the first period/group.
    pub count1: f64,
    /// Its exposure (days, customers, orders …).
    pub exposure1: f64,
    /// Events in the second period/group.
    pub count2: f64,
    /// Its exposure.
    pub exposure2: f64,
    /// count1/exposure1.
    pub rate1: f64,
    /// count2/exposure2.
    pub rate2: f64,
    /// rate1 ÷ rate2.
    pub ratio: f64,
    /// ratio − 1 (e.g. −0.7 for "volume down 70%").
    pub change: f64,
    /// Wald interval on the log scale, ln ratio ± z·√(1/count1 + 1/count2).
    pub ci: Interval,
    /// Wald p-value of ln ratio = 0.
    pub p_value: f64,
    /// Exact conditional interval (Clopper–Pearson on count1 of count1 + count2, mapped to the ratio).
    pub ci_exact: Interval,
    /// Exact conditional two-sided p-value (binomial, "minlike").
    pub p_exact: f64,
}

/// Poisson rate ratio `(count1/exposure1) ÷ (count2/exposure2)`, e.g. negative mentions per day after a
/// fix against before.
///
/// The Wald-log interval and p match statsmodels `confint_poisson_2indep` and `test_poisson_2indep` with
/// `method="wald-log"`; the exact p matches `test_poisson_2indep(method="exact-cond")` (scipy `binomtest`
/// of count1 out of count1 + count2 at p₀ = exposure1/(exposure1 + exposure2)); the exact interval is
/// `binomtest(...).proportion_ci(method="exact")` mapped through p ↦ p/(1 − p)·exposure2/exposure1
/// (tolerance 1e-10). Counts of zero give an error for the Wald-log interval.
///
/// Cost is O(1) in the counts (the exact test and interval come from the regularised incomplete beta and
/// a binary search, never from a table of the distribution): counts near 10⁹ take microseconds. Counts
/// must be whole numbers whose sum a double holds exactly ([`MAX_BINOMIAL_TRIALS`](crate::stats::MAX_BINOMIAL_TRIALS)).
///
/// ```
/// use voc_core::impact::effect::{rate_ratio, EffectOptions};
/// // 90 negative mentions in 30 days after the fix, 300 in 30 days before.
/// let r = rate_ratio(90.0, 30.0, 300.0, 30.0, &EffectOptions::default())?;
/// assert!((r.change + 0.7).abs() < 1e-12 && r.ci.high < 0.4 && r.p_exact < 1e-10);
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn rate_ratio(
    count1: f64,
    exposure1: f64,
    count2: f64,
    exposure2: f64,
    opts: &EffectOptions,
) -> Result<RateRatio> {
    let level = opts.validate()?;
    for (index, value) in [count1, exposure1, count2, exposure2]
        .into_iter()
        .enumerate()
    {
        if !value.is_finite() {
            return Err(Error::NonFinite {
                arg: "counts",
                index,
                value,
            });
        }
        if value < 0.0 || (index % 2 == 1 && value == 0.0) {
            return Err(Error::InvalidValue {
                arg: "counts",
                index,
                value,
                reason: "counts must be non-negative and exposures positive",
            });
        }
        if index % 2 == 0 && value.fract() != 0.0 {
            return Err(Error::NotWhole {
                arg: "counts",
                index,
                value,
            });
        }
    }
    if count1 == 0.0 || count2 == 0.0 {
        return Err(Error::InsufficientData(format!(
            "a rate ratio on the log scale needs events in both periods, got {count1} and {count2}"
        )));
    }
    let (rate1, rate2) = (count1 / exposure1, count2 / exposure2);
    let ratio = rate1 / rate2;
    let se = (1.0 / count1 + 1.0 / count2).sqrt();
    let (ci, p_value) = log_wald(ratio, se, level);
    let total = count1 + count2;
    if total > crate::stats::MAX_BINOMIAL_TRIALS {
        return Err(Error::too_large(
            "counts",
            total,
            crate::stats::MAX_BINOMIAL_TRIALS,
            "count1 + count2 must be a whole number that a double holds exactly (2^53)",
        ));
    }
    let p0 = exposure1 / (exposure1 + exposure2);
    let exact = IntervalOptions {
        confidence: level,
        method: ShareInterval::ClopperPearson,
    };
    let cp = proportion_interval(count1, total, &exact)?;
    let to_ratio = |p: f64| p / (1.0 - p) * exposure2 / exposure1;
    Ok(RateRatio {
        count1,
        exposure1,
        count2,
        exposure2,
        rate1,
        rate2,
        ratio,
        change: ratio - 1.0,
        ci,
        p_value,
        ci_exact: Interval {
            low: to_ratio(cp.low),
            high: if cp.high >= 1.0 {
                f64::INFINITY
            } else {
                to_ratio(cp.high)
            },
            level,
            method: Method::ExactConditional,
        },
        p_exact: binomial_test(count1, total, p0).map_err(|e| e.renamed("n", "counts"))?,
    })
}
