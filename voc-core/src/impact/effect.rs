//! Effect measurement: before/after, holdout, difference-in-differences, sample size and minimum detectable effect.
//!
//! | Question | Function | Method | Reference |
//! |----------|----------|--------|-----------|
//! | did a rate change? | [`before_after`] | two-proportion z test (pooled), unpooled Wald CI; Katz RR | statsmodels `proportions_ztest`, `confint_proportions_2indep(method="wald")`, `Table2x2` |
//! | did a volume change? | [`rate_ratio`] | Poisson rate ratio: Wald on the log scale, and the exact conditional (binomial) test | statsmodels `confint_poisson_2indep` / `test_poisson_2indep` (`"wald-log"`, `"exact-cond"`) |
//! | did the treated churn less? | [`holdout`] | Newcombe hybrid score CI of the difference, pooled z test, Katz RR | statsmodels `confint_proportions_2indep(method="newcomb")` |
//! | did the treated change more? | [`diff_in_diff`] | interaction coefficient of a saturated two-by-two OLS | statsmodels `OLS(y, [1, g, t, g·t])`, `nonrobust` or `HC1` |
//! | how many customers? | [`sample_size`], [`minimum_detectable_effect`] | Cohen's h with both tails, or the classic pooled/unpooled formula | statsmodels `NormalIndPower`, `samplesize_proportions_2indep_onetail` |

use super::contingency::{Ratio, Table2x2, ZeroCells, minlike_tails, risk_ratio};
use crate::error::{Error, Result};
use crate::stats::dist::{normal_quantile, normal_two_sided_p, t_quantile, t_two_sided_p};
use crate::stats::{
    Interval, MeanSummary, Method, Share, ShareInterval, TestResult, check_confidence,
    proportion_interval, share, two_proportion_test,
};

fn check_rate(arg: &'static str, k: f64, n: f64) -> Result<()> {
    for (index, value) in [k, n].into_iter().enumerate() {
        if !value.is_finite() {
            return Err(Error::NonFinite { arg, index, value });
        }
        if value < 0.0 {
            return Err(Error::InvalidValue {
                arg,
                index,
                value,
                reason: "counts cannot be negative",
            });
        }
    }
    if n == 0.0 {
        return Err(Error::Empty {
            arg,
            what: "a rate needs at least one customer",
        });
    }
    if k > n {
        return Err(Error::InvalidValue {
            arg,
            index: 0,
            value: k,
            reason: "events exceed the number of customers",
        });
    }
    Ok(())
}

/// A change in a rate between two periods.
///
/// ```
/// let r = voc_core::impact::effect::before_after((50.0, 500.0), (50.0, 500.0), 0.95)?;
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

/// Before/after change in a rate (`k` events of `n` customers per period), reusing
/// [`two_proportion_test`] (statsmodels `proportions_ztest` and `confint_proportions_2indep(method="wald")`,
/// tolerance 1e-12).
///
/// ```
/// use voc_core::impact::effect::before_after;
/// let r = before_after((120.0, 1000.0), (80.0, 1000.0), 0.95)?;
/// assert!((r.change.difference + 0.04).abs() < 1e-12);
/// assert!((r.relative_change + 1.0 / 3.0).abs() < 1e-12 && r.change.p_value < 0.01);
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn before_after(before: (f64, f64), after: (f64, f64), level: f64) -> Result<BeforeAfter> {
    check_confidence(level)?;
    check_rate("before", before.0, before.1)?;
    check_rate("after", after.0, after.1)?;
    let change = two_proportion_test(after.0, after.1, before.0, before.1, level)?;
    let t = Table2x2::from_rates(after.0, after.1, before.0, before.1)?;
    Ok(BeforeAfter {
        before: share(before.0, before.1, level, ShareInterval::Wilson)?,
        after: share(after.0, after.1, level, ShareInterval::Wilson)?,
        change,
        ratio: risk_ratio(&t, level, ZeroCells::Haldane)?,
        relative_change: (after.0 / after.1) / (before.0 / before.1) - 1.0,
    })
}

/// A ratio of two Poisson rates (events per unit of exposure).
///
/// ```
/// let r = voc_core::impact::effect::rate_ratio(40.0, 10.0, 20.0, 10.0, 0.95)?;
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
/// ```
/// use voc_core::impact::effect::rate_ratio;
/// // 90 negative mentions in 30 days after the fix, 300 in 30 days before.
/// let r = rate_ratio(90.0, 30.0, 300.0, 30.0, 0.95)?;
/// assert!((r.change + 0.7).abs() < 1e-12 && r.ci.high < 0.4 && r.p_exact < 1e-10);
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn rate_ratio(
    count1: f64,
    exposure1: f64,
    count2: f64,
    exposure2: f64,
    level: f64,
) -> Result<RateRatio> {
    check_confidence(level)?;
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
    let z = normal_quantile(0.5 + 0.5 * level);
    let se = (1.0 / count1 + 1.0 / count2).sqrt();
    let l = ratio.ln();
    let total = count1 + count2;
    let p0 = exposure1 / (exposure1 + exposure2);
    let cp = proportion_interval(count1, total, level, ShareInterval::ClopperPearson)?;
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
        ci: Interval {
            low: (l - z * se).exp(),
            high: (l + z * se).exp(),
            level,
            method: Method::LogWald,
        },
        p_value: normal_two_sided_p(l / se),
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
        p_exact: binomial_two_sided_p(count1, total, p0),
    })
}

/// Exact two-sided binomial p ("minlike", as scipy `binomtest`), summed in log space from the mode.
fn binomial_two_sided_p(k: f64, n: f64, p: f64) -> f64 {
    let len = n as usize + 1;
    let mode = ((n + 1.0) * p).floor().clamp(0.0, n) as usize;
    let odds = (p / (1.0 - p)).ln();
    let mut lp = vec![0.0; len];
    let mut acc = 0.0;
    for i in mode..len.saturating_sub(1) {
        let x = i as f64; // pmf(x+1)/pmf(x) = (n − x)/(x + 1) · p/(1 − p)
        acc += ((n - x) / (x + 1.0)).ln() + odds;
        lp[i + 1] = acc;
    }
    acc = 0.0;
    for i in (1..=mode).rev() {
        let x = i as f64;
        acc += (x / (n - x + 1.0)).ln() - odds;
        lp[i - 1] = acc;
    }
    minlike_tails(&lp, k as usize).two_sided
}

/// A holdout (A/B) comparison of churn: treated against control.
///
/// ```
/// let h = voc_core::impact::effect::holdout((10.0, 100.0), (20.0, 100.0), 0.95)?;
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

/// Holdout comparison: `treated` and `control` are (churned, customers).
///
/// The difference interval is Newcombe's hybrid score interval (1998, method 10) built from the two
/// Wilson intervals, as statsmodels `confint_proportions_2indep(method="newcomb", compare="diff")`; the
/// p-value is the pooled z test of [`two_proportion_test`] (statsmodels `proportions_ztest`); the risk
/// ratio is Katz's log interval (statsmodels `Table2x2.riskratio_confint`). Tolerance 1e-12.
///
/// ```
/// use voc_core::impact::effect::holdout;
/// let h = holdout((80.0, 1000.0), (120.0, 1000.0), 0.95)?;
/// assert!((h.difference + 0.04).abs() < 1e-12 && h.ci.high < 0.0);
/// assert!((h.relative_reduction - 1.0 / 3.0).abs() < 1e-12);
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn holdout(treated: (f64, f64), control: (f64, f64), level: f64) -> Result<Holdout> {
    check_confidence(level)?;
    check_rate("treated", treated.0, treated.1)?;
    check_rate("control", control.0, control.1)?;
    let t = share(treated.0, treated.1, level, ShareInterval::Wilson)?;
    let c = share(control.0, control.1, level, ShareInterval::Wilson)?;
    let difference = t.estimate - c.estimate;
    let low =
        difference - ((t.estimate - t.ci.low).powi(2) + (c.ci.high - c.estimate).powi(2)).sqrt();
    let high =
        difference + ((t.ci.high - t.estimate).powi(2) + (c.estimate - c.ci.low).powi(2)).sqrt();
    let test = two_proportion_test(treated.0, treated.1, control.0, control.1, level)?;
    let rr = risk_ratio(
        &Table2x2::from_rates(treated.0, treated.1, control.0, control.1)?,
        level,
        ZeroCells::Error,
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

/// Standard error of a difference-in-differences.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum DidSe {
    /// Classical OLS: one residual variance pooled over the four cells, t with N − 4 df
    /// (statsmodels `OLS(...).fit()`).
    Pooled,
    /// HC1 heteroscedasticity-robust, normal reference (statsmodels `OLS(...).fit(cov_type="HC1")`),
    /// the default: churn variance differs between cells.
    #[default]
    Hc1,
}

impl DidSe {
    /// Parses "pooled" (also "nonrobust") or "hc1".
    ///
    /// ```
    /// use voc_core::impact::effect::DidSe;
    /// assert_eq!(DidSe::parse("nonrobust")?, DidSe::Pooled);
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn parse(name: &str) -> Result<Self> {
        match name {
            "pooled" | "nonrobust" => Ok(DidSe::Pooled),
            "hc1" | "HC1" => Ok(DidSe::Hc1),
            other => Err(Error::option("se", other, "expected \"hc1\" or \"pooled\"")),
        }
    }
}

/// A cell of a difference-in-differences from a proportion: `k` events of `n` customers, as a mean of
/// 0/1 outcomes with sample variance p(1 − p)·n/(n − 1).
///
/// ```
/// let c = voc_core::impact::effect::proportion_cell(25.0, 100.0)?;
/// assert_eq!(c.mean, 0.25);
/// assert!((c.variance - 0.1875 * 100.0 / 99.0).abs() < 1e-15);
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn proportion_cell(k: f64, n: f64) -> Result<MeanSummary> {
    check_rate("cell", k, n)?;
    let p = k / n;
    let variance = if n > 1.0 {
        p * (1.0 - p) * n / (n - 1.0)
    } else {
        0.0
    };
    Ok(MeanSummary {
        mean: p,
        variance,
        n,
    })
}

/// Difference-in-differences `(treated_after − treated_before) − (control_after − control_before)` from
/// four cell summaries (mean, ddof-1 variance, n) — churn rates via [`proportion_cell`] or mean spend.
///
/// The estimate equals the interaction coefficient of the saturated OLS `y ~ 1 + treated + after +
/// treated·after`; its standard error is the plain pooled OLS one (t with N − 4 df) or HC1 (normal), as
/// statsmodels (tolerance 1e-10). Cells are `[treated_before, treated_after, control_before, control_after]`.
///
/// ```
/// use voc_core::impact::effect::{diff_in_diff, proportion_cell, DidSe};
/// let cells = [
///     proportion_cell(200.0, 1000.0)?, proportion_cell(120.0, 1000.0)?,
///     proportion_cell(190.0, 1000.0)?, proportion_cell(180.0, 1000.0)?,
/// ];
/// let d = diff_in_diff(&cells, DidSe::Hc1, 0.95)?;
/// assert!((d.difference + 0.07).abs() < 1e-12 && d.ci.high < 0.0);
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn diff_in_diff(cells: &[MeanSummary; 4], se: DidSe, level: f64) -> Result<TestResult> {
    check_confidence(level)?;
    for (index, c) in cells.iter().enumerate() {
        for value in [c.mean, c.variance, c.n] {
            if !value.is_finite() {
                return Err(Error::NonFinite {
                    arg: "cells",
                    index,
                    value,
                });
            }
        }
        if !(c.n >= 1.0) || c.variance < 0.0 {
            return Err(Error::InvalidValue {
                arg: "cells",
                index,
                value: c.n,
                reason: "each cell needs n >= 1 and a non-negative variance",
            });
        }
    }
    let [tb, ta, cb, ca] = cells;
    let difference = (ta.mean - tb.mean) - (ca.mean - cb.mean);
    let big_n: f64 = cells.iter().map(|c| c.n).sum();
    let df = big_n - 4.0;
    if !(df > 0.0) {
        return Err(Error::InsufficientData(format!(
            "a difference-in-differences needs more than 4 observations, got {big_n}"
        )));
    }
    // Residual sum of squares of each cell: (n − 1)·s².
    let ss = |c: &MeanSummary| (c.n - 1.0) * c.variance;
    let (var, t_df) = match se {
        DidSe::Pooled => {
            let sigma2 = cells.iter().map(ss).sum::<f64>() / df;
            (
                sigma2 * cells.iter().map(|c| 1.0 / c.n).sum::<f64>(),
                Some(df),
            )
        }
        DidSe::Hc1 => (
            big_n / df * cells.iter().map(|c| ss(c) / (c.n * c.n)).sum::<f64>(),
            None,
        ),
    };
    let se_v = var.sqrt();
    if !(se_v > 0.0) {
        return Err(Error::InsufficientData(
            "every cell has zero variance, so the difference has no standard error".into(),
        ));
    }
    let statistic = difference / se_v;
    let (crit, p_value, method) = match t_df {
        Some(df) => (
            t_quantile(0.5 + 0.5 * level, df)?,
            t_two_sided_p(statistic, df)?,
            Method::StudentT,
        ),
        None => (
            normal_quantile(0.5 + 0.5 * level),
            normal_two_sided_p(statistic),
            Method::Wald,
        ),
    };
    Ok(TestResult {
        difference,
        se: se_v,
        statistic,
        df: t_df,
        p_value,
        ci: Interval {
            low: difference - crit * se_v,
            high: difference + crit * se_v,
            level,
            method,
        },
    })
}

/// How a two-proportion sample size is computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum PowerMethod {
    /// Cohen's h = 2·asin√p₁ − 2·asin√p₂ with the normal power of both tails, as statsmodels
    /// `NormalIndPower().solve_power(proportion_effectsize(p1, p2), ...)` (the default).
    #[default]
    CohenH,
    /// The classic formula n₁ = ((z_{α/2}·σ₀ + z_β·σ₁)/Δ)², σ₀ at the pooled proportion and σ₁
    /// unpooled, as statsmodels `samplesize_proportions_2indep_onetail`.
    Classic,
}

impl PowerMethod {
    /// Parses "cohen_h" or "classic".
    ///
    /// ```
    /// use voc_core::impact::effect::PowerMethod;
    /// assert_eq!(PowerMethod::parse("classic")?, PowerMethod::Classic);
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn parse(name: &str) -> Result<Self> {
        match name {
            "cohen_h" | "cohen" | "arcsine" => Ok(PowerMethod::CohenH),
            "classic" | "unpooled" => Ok(PowerMethod::Classic),
            other => Err(Error::option(
                "method",
                other,
                "expected \"cohen_h\" or \"classic\"",
            )),
        }
    }
}

/// Planning inputs of a two-group (holdout) design.
///
/// ```
/// let d = voc_core::impact::effect::Design { power: 0.9, ..Default::default() };
/// assert!(d.validate().is_ok());
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Design {
    /// Two-sided significance level (default 0.05).
    pub alpha: f64,
    /// Power (default 0.8).
    pub power: f64,
    /// n₂/n₁: control customers per treated customer (default 1).
    pub ratio: f64,
    /// Method (default Cohen's h).
    pub method: PowerMethod,
}

impl Default for Design {
    fn default() -> Self {
        Design {
            alpha: 0.05,
            power: 0.8,
            ratio: 1.0,
            method: PowerMethod::CohenH,
        }
    }
}

impl Design {
    /// Checks the options.
    ///
    /// ```
    /// use voc_core::impact::effect::Design;
    /// assert!(Design { power: 1.0, ..Default::default() }.validate().is_err());
    /// ```
    pub fn validate(&self) -> Result<()> {
        if !(self.alpha > 0.0 && self.alpha < 1.0) {
            return Err(Error::option("alpha", self.alpha, "must lie in (0, 1)"));
        }
        if !(self.power > 0.0 && self.power < 1.0) {
            return Err(Error::option("power", self.power, "must lie in (0, 1)"));
        }
        if !(self.ratio > 0.0 && self.ratio.is_finite()) {
            return Err(Error::option("ratio", self.ratio, "must be positive"));
        }
        Ok(())
    }
}

/// A sample size or minimum detectable effect, with every input echoed.
///
/// ```
/// use voc_core::impact::effect::{sample_size, Design};
/// let s = sample_size(0.10, 0.12, &Design { ratio: 2.0, ..Default::default() })?;
/// assert_eq!(s.n_control, 2.0 * s.n_treated);
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct SampleSize {
    /// Rate of the treated group (p₁).
    pub p_treated: f64,
    /// Rate of the control group (p₂, the baseline).
    pub p_control: f64,
    /// Treated customers needed (fractional; round up).
    pub n_treated: f64,
    /// Control customers, ratio × n_treated.
    pub n_control: f64,
    /// Cohen's h of the two rates.
    pub effect_size: f64,
    /// The design.
    pub design: Design,
}

fn norm_sf(x: f64) -> f64 {
    let half = 0.5 * normal_two_sided_p(x);
    if x >= 0.0 { half } else { 1.0 - half }
}

fn cohen_h(p1: f64, p2: f64) -> f64 {
    2.0 * p1.sqrt().asin() - 2.0 * p2.sqrt().asin()
}

/// Power of the two-sided normal test at standardised shift `x` = |h|·√ν (statsmodels `normal_power`).
fn normal_power(x: f64, crit: f64) -> f64 {
    norm_sf(crit - x) + (1.0 - norm_sf(-crit - x))
}

/// The shift x ≥ 0 with `normal_power(x) = power` (monotone in x: bisection then Newton polish).
fn solve_shift(power: f64, alpha: f64) -> Result<f64> {
    let crit = normal_quantile(1.0 - alpha / 2.0);
    if power <= alpha {
        return Err(Error::option(
            "power",
            power,
            "must exceed alpha (power at no effect)",
        ));
    }
    let (mut lo, mut hi) = (0.0_f64, 40.0_f64);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if normal_power(mid, crit) < power {
            lo = mid;
        } else {
            hi = mid;
        }
        if hi - lo <= 1e-15 * hi {
            break;
        }
    }
    Ok(0.5 * (lo + hi))
}

fn check_p(name: &'static str, p: f64) -> Result<()> {
    if p > 0.0 && p < 1.0 {
        Ok(())
    } else {
        Err(Error::option(name, p, "must lie strictly between 0 and 1"))
    }
}

/// Treated customers needed to detect `p_treated` against `p_control` (and `ratio` × that many
/// controls), two-sided at `alpha` with the given power.
///
/// [`PowerMethod::CohenH`] matches statsmodels `NormalIndPower().solve_power(effect_size=
/// proportion_effectsize(p1, p2), alpha=alpha, power=power, ratio=ratio)` (1e-6 relative: statsmodels
/// stops its root search there; the power at our n matches `NormalIndPower().power` to 1e-12);
/// [`PowerMethod::Classic`] matches `samplesize_proportions_2indep_onetail(p1 − p2, p2, power, ratio,
/// alpha, alternative="two-sided")` to 1e-12.
///
/// ```
/// use voc_core::impact::effect::{sample_size, Design};
/// // Detect churn falling from 20% to 16%.
/// let s = sample_size(0.16, 0.20, &Design::default())?;
/// assert!(s.n_treated > 1400.0 && s.n_treated < 1500.0);
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn sample_size(p_treated: f64, p_control: f64, design: &Design) -> Result<SampleSize> {
    design.validate()?;
    check_p("p_treated", p_treated)?;
    check_p("p_control", p_control)?;
    if p_treated == p_control {
        return Err(Error::option(
            "p_treated",
            p_treated,
            "equals p_control: no effect to detect",
        ));
    }
    let h = cohen_h(p_treated, p_control);
    let r = design.ratio;
    let n1 = match design.method {
        PowerMethod::CohenH => {
            let x = solve_shift(design.power, design.alpha)?;
            // ν = n1·r/(1 + r) and x = |h|·√ν.
            (x / h).powi(2) * (1.0 + r) / r
        }
        PowerMethod::Classic => classic_n(p_treated, p_control, design),
    };
    Ok(SampleSize {
        p_treated,
        p_control,
        n_treated: n1,
        n_control: n1 * r,
        effect_size: h,
        design: *design,
    })
}

fn classic_n(p1: f64, p2: f64, d: &Design) -> f64 {
    let r = d.ratio;
    let diff = p1 - p2;
    let pooled = (p1 + p2 * r) / (1.0 + r);
    let std_null = (pooled * (1.0 - pooled) * (1.0 + 1.0 / r)).sqrt();
    let std_alt = (p1 * (1.0 - p1) + p2 * (1.0 - p2) / r).sqrt();
    let crit = normal_quantile(1.0 - d.alpha / 2.0);
    let crit_power = normal_quantile(1.0 - d.power);
    ((crit * std_null - crit_power * std_alt).max(0.0) / diff).powi(2)
}

/// The smallest fall in a rate from `p_control` that `n_treated` treated customers (and `ratio` ×
/// as many controls) detect with the design's power; the result's `p_treated` is the detectable rate.
///
/// [`PowerMethod::CohenH`]: h solves statsmodels `NormalIndPower().solve_power(effect_size=None,
/// nobs1=n_treated, ...)`, and p₁ = sin²(asin√p₂ − h/2). [`PowerMethod::Classic`]: the p₁ at which
/// [`sample_size`] gives `n_treated` (bisection to 1e-14).
///
/// ```
/// use voc_core::impact::effect::{minimum_detectable_effect, sample_size, Design};
/// let d = Design::default();
/// let m = minimum_detectable_effect(0.20, 2000.0, &d)?;
/// assert!(m.p_treated < 0.20 && m.p_treated > 0.15);
/// let back = sample_size(m.p_treated, 0.20, &d)?;
/// assert!((back.n_treated - 2000.0).abs() < 1e-6);
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn minimum_detectable_effect(
    p_control: f64,
    n_treated: f64,
    design: &Design,
) -> Result<SampleSize> {
    design.validate()?;
    check_p("p_control", p_control)?;
    if !(n_treated > 0.0 && n_treated.is_finite()) {
        return Err(Error::option("n_treated", n_treated, "must be positive"));
    }
    let r = design.ratio;
    let p1 = match design.method {
        PowerMethod::CohenH => {
            let x = solve_shift(design.power, design.alpha)?;
            let h = x / (n_treated * r / (1.0 + r)).sqrt();
            let angle = p_control.sqrt().asin() - h / 2.0;
            if angle <= 0.0 {
                return Err(Error::InsufficientData(format!(
                    "{n_treated} treated customers cannot detect any fall from {p_control} with this power"
                )));
            }
            angle.sin().powi(2)
        }
        PowerMethod::Classic => {
            // n(p1) falls as p1 moves away from p2: bisect p1 in (0, p2).
            let (mut lo, mut hi) = (0.0_f64, p_control);
            if classic_n(f64::MIN_POSITIVE, p_control, design) > n_treated {
                return Err(Error::InsufficientData(format!(
                    "{n_treated} treated customers cannot detect any fall from {p_control} with this power"
                )));
            }
            for _ in 0..200 {
                let mid = 0.5 * (lo + hi);
                if classic_n(mid, p_control, design) > n_treated {
                    hi = mid;
                } else {
                    lo = mid;
                }
                if hi - lo <= 1e-16 {
                    break;
                }
            }
            0.5 * (lo + hi)
        }
    };
    Ok(SampleSize {
        p_treated: p1,
        p_control,
        n_treated,
        n_control: n_treated * r,
        effect_size: cohen_h(p1, p_control),
        design: *design,
    })
}

/// The four cell summaries of a difference-in-differences from customer rows: outcome `y` (0/1 churn
/// or spend), `treated` and `after` flags (0/1), in the order [`diff_in_diff`] takes. One pass.
///
/// ```
/// use voc_core::impact::effect::did_cells;
/// let y = [1.0, 0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 1.0];
/// let treated = [1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0];
/// let after = [0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 1.0, 1.0];
/// let c = did_cells(&y, &treated, &after)?;
/// assert_eq!((c[0].mean, c[1].mean, c[2].mean, c[3].mean), (0.5, 0.0, 1.0, 0.5));
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn did_cells(y: &[f64], treated: &[f64], after: &[f64]) -> Result<[MeanSummary; 4]> {
    crate::error::check_len("y", y.len(), "treated", treated.len())?;
    crate::error::check_len("y", y.len(), "after", after.len())?;
    let mut sums = [crate::stats::NeumaierSum::default(); 4];
    let mut n = [0.0_f64; 4];
    let flag = |arg: &'static str, index: usize, v: f64| -> Result<usize> {
        if v == 0.0 || v == 1.0 {
            Ok(v as usize)
        } else if !v.is_finite() {
            Err(Error::NonFinite {
                arg,
                index,
                value: v,
            })
        } else {
            Err(Error::InvalidValue {
                arg,
                index,
                value: v,
                reason: "must be 0 or 1",
            })
        }
    };
    let mut cell = Vec::with_capacity(y.len());
    for (index, ((&v, &t), &a)) in y.iter().zip(treated).zip(after).enumerate() {
        if !v.is_finite() {
            return Err(Error::NonFinite {
                arg: "y",
                index,
                value: v,
            });
        }
        // Cells in the order treated-before, treated-after, control-before, control-after.
        let c = 2 * (1 - flag("treated", index, t)?) + flag("after", index, a)?;
        sums[c].add(v);
        n[c] += 1.0;
        cell.push(c as u8);
    }
    if let Some(empty) = n.iter().position(|&k| k == 0.0) {
        return Err(Error::InsufficientData(format!(
            "cell {} of the difference-in-differences has no rows",
            [
                "treated-before",
                "treated-after",
                "control-before",
                "control-after"
            ][empty]
        )));
    }
    let means: Vec<f64> = (0..4).map(|c| sums[c].value() / n[c]).collect();
    let mut ss = [crate::stats::NeumaierSum::default(); 4];
    for (&v, &c) in y.iter().zip(&cell) {
        let c = c as usize;
        ss[c].add((v - means[c]) * (v - means[c]));
    }
    let out = |c: usize| MeanSummary {
        mean: means[c],
        variance: if n[c] > 1.0 {
            ss[c].value() / (n[c] - 1.0)
        } else {
            0.0
        },
        n: n[c],
    };
    Ok([out(0), out(1), out(2), out(3)])
}
