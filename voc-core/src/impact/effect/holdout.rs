//! Holdout (A/B) comparison of churn: treated against control.

use super::{EffectOptions, check_rate};
use crate::error::Result;
use crate::impact::contingency::{Ratio, Table2x2, TableOptions, ZeroCells, risk_ratio};
use crate::stats::{
    Interval, IntervalOptions, Method, Share, ShareInterval, TestOptions, share,
    two_proportion_test,
};

/// A holdout (A/B) comparison of churn: treated against control.
///
/// ```
/// use voc_core::impact::effect::{holdout, EffectOptions};
/// let h = holdout((10.0, 100.0), (20.0, 100.0), &EffectOptions::default())?;
/// assert!((h.relative_reduction - 0.5).abs() < 1e-12);
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Holdout {
    /// Churn of the treated (Wilson interval).
    pub treated: Share,
    /// Churn of the control group (Wilson interval).
    pub control: Share,
    /// treated − control (negative when the programme reduced churn).
    pub difference: f64,
    /// Newcombe hybrid score interval of the difference.
    pub ci: Interval,
    /// Two-sided p of the pooled two-proportion z test.
    pub p_value: f64,
    /// treated ÷ control (Katz log interval).
    pub risk_ratio: Ratio,
    /// Relative reduction 1 − treated/control.
    pub relative_reduction: f64,
    /// Its interval, 1 − the risk-ratio interval.
    pub relative_reduction_ci: Interval,
}

impl Holdout {
    /// Customers in both groups, treated + control.
    ///
    /// ```
    /// use voc_core::impact::effect::{holdout, EffectOptions};
    /// let h = holdout((80.0, 1000.0), (120.0, 1500.0), &EffectOptions::default())?;
    /// assert_eq!(h.n(), 2500.0);
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    #[must_use]
    pub fn n(&self) -> f64 {
        self.treated.n + self.control.n
    }
}

/// Holdout comparison: `treated` and `control` are (churned, customers).
///
/// The difference interval is Newcombe's hybrid score interval (1998, method 10) built from the two
/// Wilson intervals, as statsmodels `confint_proportions_2indep(method="newcomb", compare="diff")`; the
/// p-value is the pooled z test of [`two_proportion_test`] (statsmodels `proportions_ztest`); the risk
/// ratio is Katz's log interval (statsmodels `Table2x2.riskratio_confint`). Tolerance 1e-12.
///
/// A group with no churn or all churn (a zero cell) keeps its difference, interval and test; the risk
/// ratio and the relative reduction then use the Haldane–Anscombe correction (0.5 added to every cell,
/// statsmodels `Table2x2(table + 0.5)`), as [`before_after`](super::before_after) does.
///
/// ```
/// use voc_core::impact::effect::{holdout, EffectOptions};
/// let h = holdout((80.0, 1000.0), (120.0, 1000.0), &EffectOptions::default())?;
/// assert!((h.difference + 0.04).abs() < 1e-12 && h.ci.high < 0.0);
/// assert!((h.relative_reduction - 1.0 / 3.0).abs() < 1e-12);
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn holdout(treated: (f64, f64), control: (f64, f64), opts: &EffectOptions) -> Result<Holdout> {
    let level = opts.validate()?;
    check_rate("treated", treated.0, treated.1)?;
    check_rate("control", control.0, control.1)?;
    let wilson = IntervalOptions {
        confidence: level,
        method: ShareInterval::Wilson,
    };
    let t = share(treated.0, treated.1, &wilson)?;
    let c = share(control.0, control.1, &wilson)?;
    let difference = t.estimate - c.estimate;
    let low =
        difference - ((t.estimate - t.ci.low).powi(2) + (c.ci.high - c.estimate).powi(2)).sqrt();
    let high =
        difference + ((t.ci.high - t.estimate).powi(2) + (c.estimate - c.ci.low).powi(2)).sqrt();
    let test = two_proportion_test(
        treated.0,
        treated.1,
        control.0,
        control.1,
        &TestOptions { confidence: level },
    )?;
    let rr = risk_ratio(
        &Table2x2::from_rates(treated.0, treated.1, control.0, control.1)?,
        &TableOptions::default()
            .confidence(level)
            .zero_cells(ZeroCells::Haldane),
    )?;
    Ok(Holdout {
        treated: t,
        control: c,
        difference,
        ci: Interval {
            low,
            high,
            level,
            method: Method::Newcombe,
        },
        p_value: test.p_value,
        risk_ratio: rr,
        relative_reduction: 1.0 - rr.estimate,
        relative_reduction_ci: Interval {
            low: 1.0 - rr.ci.high,
            high: 1.0 - rr.ci.low,
            ..rr.ci
        },
    })
}
