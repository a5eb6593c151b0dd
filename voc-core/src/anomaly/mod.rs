//! Seasonal anomaly alerts on count series: is this week's count of a theme unusual for the season?
//!
//! For every period, [`seasonal_alerts`] predicts the count expected from the history before it and an
//! upper bound at a chosen false-alarm rate `alpha`; the period is an alert when the observed count
//! exceeds the bound. The method is the **Farrington flexible** algorithm of Noufaily et al. (2013), as
//! R's `surveillance::farringtonFlexible` implements it with Noufaily's settings:
//!
//! 1. **Baseline.** For period `k`, take the same date in each of the `years` earlier years (for weeks,
//!    the week starting closest to that date), a window of `±half_window` periods around each, and the
//!    stretch of each year between the windows split into `seasonal_groups − 1` blocks. The most recent
//!    `exclude_recent` periods before `k` are left out, so an outbreak that is building up does not raise
//!    its own baseline.
//! 2. **Model.** An overdispersed (quasi-) Poisson GLM with log link: one level per block (the reference
//!    windows are one level, the seasonal factor), a linear trend, and optionally a population offset.
//!    The trend is kept only with at least three years of baseline, when it is significant at
//!    `trend_p_value` and the prediction does not exceed every baseline count; otherwise the model is
//!    refitted without it.
//! 3. **Past outbreaks down-weighted.** Baseline periods whose scaled Anscombe residual exceeds
//!    `reweight_threshold` (2.58) get weight ∝ s⁻² and the model is refitted.
//! 4. **Threshold.** The expected count μ₀ is the fitted mean at `k` in the reference-window level, the
//!    dispersion φ = max(φ̂, 1), and the upper bound is the `1 − alpha` quantile of the negative binomial
//!    with mean μ₀ and variance φ μ₀ (Poisson when φ = 1): `surveillance`'s `thresholdMethod =
//!    "nbPlugin"`. Note that `surveillance` puts `alpha / 2` in each tail; here `alpha` is the one-sided
//!    false-alarm rate, so `alpha = 0.01` here is `alpha = 0.02` there.
//! 5. **Alert** when `observed > upper`, the count is positive, and at least `min_recent` counts were
//!    seen in the last `recent_periods` periods including this one (`surveillance`'s `limit54`).
//!
//! Where the history is too short for one year of baseline (or the series is yearly, or the model
//! cannot be fitted), a **trailing baseline** stands in: the mean of the last `fallback_window`
//! periods (as a rate when there is a population) with a dispersion from their Pearson statistic (at
//! least 1), inflated by `1 + 1/L` for the uncertainty of a mean of `L` periods, and the same
//! negative-binomial bound. Periods with fewer than `min_baseline` earlier periods get no row.
//! Each row names the method that made it.
//!
//! References: Farrington, Andrews, Beale & Catchpole (1996), *A statistical algorithm for the early
//! detection of outbreaks of infectious disease*, JRSS A 159:547–563; Noufaily, Enki, Farrington,
//! Garthwaite, Andrews & Charlett (2013), *An improved algorithm for outbreak detection in multiple
//! surveillance systems*, Statistics in Medicine 32:1206–1222; Salmon, Schumacher & Höhle (2016),
//! *Monitoring count time series in R: aberration detection in public health surveillance*, Journal of
//! Statistical Software 70(10).
//!
//! ```
//! use voc_core::anomaly::{AlertOptions, seasonal_alerts};
//! use voc_core::time::Period;
//! // Six years of weekly counts around 40 with a yearly peak, and a spike in the last week.
//! let mut counts: Vec<f64> = (0..312)
//!     .map(|w| (40.0 + 20.0 * (2.0 * std::f64::consts::PI * w as f64 / 52.18).cos()).round())
//!     .collect();
//! counts[311] *= 2.5;
//! let start = Period::Week.index(voc_core::time::days_from_civil(2020, 1, 6));
//! let rows = seasonal_alerts(&counts, start, Period::Week, None, &AlertOptions::default())?;
//! let last = &rows[rows.len() - 1];
//! assert!(last.alert && last.observed > last.upper);
//! assert_eq!(last.method.name(), "farrington_flexible");
//! assert!(!rows[rows.len() - 2].alert);
//! # Ok::<(), voc_core::Error>(())
//! ```

mod farrington;
mod glm;
mod grouped;
#[cfg(feature = "text")]
mod mentions;
mod quantile;
mod scores;
#[cfg(all(test, feature = "random"))]
mod scores_tests;
#[cfg(all(test, feature = "random"))]
mod tests;

pub use grouped::{GroupAlertRow, seasonal_alerts_by};
#[cfg(feature = "text")]
pub use mentions::{MAX_CELLS, MentionAlertRow, MentionAlerts, mention_alerts};
pub use scores::{
    AlertSide, GroupScoreAlertRow, ScoreAlertRow, ScoreInput, score_alerts, score_alerts_by,
};

use crate::error::{Error, Result};
use crate::time::Period;

/// The longest series [`seasonal_alerts`] takes (periods from the first to the last): 100,000, e.g.
/// 1,900 years of weeks or 270 years of days. Longer is a [`Error::TooLarge`].
pub const MAX_PERIODS: usize = 100_000;

/// The largest count per period [`seasonal_alerts`] takes: 2⁵³ (9.007e15; beyond it doubles no longer
/// hold every whole number).
pub const MAX_COUNT: f64 = 9_007_199_254_740_992.0;

/// The smallest false-alarm rate [`AlertOptions::alpha`] takes: 10⁻¹⁰ (a quantile level closer to 1
/// than this is not resolved by a double's CDF).
pub const MIN_ALPHA: f64 = 1e-10;

/// The largest period index [`seasonal_alerts`] takes as `start` (in absolute value): 10⁹ (days
/// within about ±2.7 million years of 1970), so that calendar arithmetic cannot overflow.
pub const MAX_ABS_START: u64 = 1_000_000_000;

/// Options of [`seasonal_alerts`]; the defaults are Noufaily et al.'s (2013) with a one-sided
/// false-alarm rate of 1%.
///
/// ```
/// let o = voc_core::anomaly::AlertOptions::default();
/// assert_eq!((o.alpha, o.years, o.seasonal_groups, o.reweight_threshold), (0.01, 5, 10, Some(2.58)));
/// assert!(o.validate().is_ok());
/// assert!(o.alpha(0.0).validate().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct AlertOptions {
    /// One-sided false-alarm rate: the upper bound is the `1 − alpha` quantile of the predictive
    /// distribution.
    pub alpha: f64,
    /// Years of baseline (`b`); fewer are used when the history is shorter.
    pub years: usize,
    /// Half-width `w` of the reference window around the same date of each earlier year (`None`: 3, or
    /// what fits a year of quarters: 1).
    pub half_window: Option<usize>,
    /// Levels of the seasonal factor (`noPeriods`): the reference windows plus `seasonal_groups − 1`
    /// blocks between them; 1 gives the original Farrington method (windows only).
    pub seasonal_groups: usize,
    /// Recent periods left out of the baseline (`pastWeeksNotIncluded`; `None`: half a year — 26
    /// weeks, 6 months, 2 quarters, 183 days).
    pub exclude_recent: Option<usize>,
    /// Anscombe-residual threshold above which a baseline period is down-weighted (`None`: no
    /// reweighting).
    pub reweight_threshold: Option<f64>,
    /// Whether to try a linear trend.
    pub trend: bool,
    /// The trend is kept when its p-value is below this.
    pub trend_p_value: f64,
    /// No alert unless at least this many counts were seen in the last `recent_periods` periods.
    pub min_recent: f64,
    /// The window of `min_recent` (periods, including the current one).
    pub recent_periods: usize,
    /// Periods of the trailing baseline used where the history is too short for Farrington.
    pub fallback_window: usize,
    /// Fewest earlier periods for a row (the trailing baseline needs at least this many).
    pub min_baseline: usize,
    /// Evaluate only the last `n` periods (`surveillance`'s `range`; `None`: every period with
    /// enough history).
    pub last: Option<usize>,
}

impl Default for AlertOptions {
    fn default() -> Self {
        AlertOptions {
            alpha: 0.01,
            years: 5,
            half_window: None,
            seasonal_groups: 10,
            exclude_recent: None,
            reweight_threshold: Some(2.58),
            trend: true,
            trend_p_value: 0.05,
            min_recent: 5.0,
            recent_periods: 4,
            fallback_window: 12,
            min_baseline: 4,
            last: None,
        }
    }
}

crate::setters!(AlertOptions {
    alpha: f64,
    years: usize,
    half_window: Option<usize>,
    seasonal_groups: usize,
    exclude_recent: Option<usize>,
    reweight_threshold: Option<f64>,
    trend: bool,
    trend_p_value: f64,
    min_recent: f64,
    recent_periods: usize,
    fallback_window: usize,
    min_baseline: usize,
    last: Option<usize>,
});

impl AlertOptions {
    /// Checks the options (done once by [`seasonal_alerts`]).
    ///
    /// ```
    /// use voc_core::anomaly::AlertOptions;
    /// assert!(AlertOptions::default().years(0).validate().is_err());
    /// assert!(AlertOptions::default().min_baseline(1).validate().is_err());
    /// ```
    pub fn validate(&self) -> Result<()> {
        if !(self.alpha >= MIN_ALPHA && self.alpha < 0.5) {
            return Err(Error::option(
                "alpha",
                self.alpha,
                format!("the false-alarm rate must lie in [{MIN_ALPHA:e}, 0.5)"),
            ));
        }
        if !(1..=50).contains(&self.years) {
            return Err(Error::option(
                "years",
                self.years,
                "give 1 to 50 years of baseline",
            ));
        }
        if !(1..=52).contains(&self.seasonal_groups) {
            return Err(Error::option(
                "seasonal_groups",
                self.seasonal_groups,
                "give 1 to 52 levels of the seasonal factor",
            ));
        }
        if let Some(t) = self.reweight_threshold
            && !(t.is_finite() && t > 0.0)
        {
            return Err(Error::option(
                "reweight_threshold",
                t,
                "must be a positive number (or None: no reweighting)",
            ));
        }
        if !(self.trend_p_value > 0.0 && self.trend_p_value <= 1.0) {
            return Err(Error::option(
                "trend_p_value",
                self.trend_p_value,
                "must lie in (0, 1]",
            ));
        }
        if !(self.min_recent.is_finite() && self.min_recent >= 0.0) {
            return Err(Error::option(
                "min_recent",
                self.min_recent,
                "must be a finite count >= 0",
            ));
        }
        if self.recent_periods == 0 || self.recent_periods > MAX_PERIODS {
            return Err(Error::option(
                "recent_periods",
                self.recent_periods,
                "give at least 1 period",
            ));
        }
        if self.min_baseline < 2 || self.min_baseline > MAX_PERIODS {
            return Err(Error::option(
                "min_baseline",
                self.min_baseline,
                "the trailing baseline needs at least 2 periods",
            ));
        }
        if self.fallback_window < self.min_baseline || self.fallback_window > MAX_PERIODS {
            return Err(Error::option(
                "fallback_window",
                self.fallback_window,
                format!("must be at least min_baseline ({})", self.min_baseline),
            ));
        }
        if let Some(x) = self.exclude_recent
            && x > MAX_PERIODS
        {
            return Err(Error::option("exclude_recent", x, "too many periods"));
        }
        if self.last == Some(0) {
            return Err(Error::option(
                "last",
                0,
                "evaluate at least 1 period (or None: all)",
            ));
        }
        Ok(())
    }
}

/// Which method made a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum AlertMethod {
    /// Farrington flexible (Noufaily et al. 2013) on earlier years.
    FarringtonFlexible,
    /// The trailing baseline (history shorter than a year of baseline, a yearly series, or no fit).
    Trailing,
}

impl AlertMethod {
    /// The method's name: `"farrington_flexible"` or `"trailing"`.
    ///
    /// ```
    /// assert_eq!(voc_core::anomaly::AlertMethod::Trailing.name(), "trailing");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            AlertMethod::FarringtonFlexible => "farrington_flexible",
            AlertMethod::Trailing => "trailing",
        }
    }
}

/// One period of [`seasonal_alerts`].
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct AlertRow {
    /// Position in the series (the period is `start + index`).
    pub index: usize,
    /// The observed count.
    pub observed: f64,
    /// The expected count μ₀.
    pub expected: f64,
    /// The upper bound: the `1 − alpha` quantile of the predictive distribution (a whole number).
    pub upper: f64,
    /// `observed / expected`; `None` when nothing was expected (a trailing baseline of zeros).
    pub ratio: Option<f64>,
    /// P(Y ≥ observed) under the predictive distribution.
    pub p_value: f64,
    /// `observed > upper`, `observed > 0` and the `min_recent` rule met.
    pub alert: bool,
    /// The method that made the row.
    pub method: AlertMethod,
    /// The dispersion φ of the predictive distribution (variance φ μ₀; 1 is Poisson).
    pub dispersion: f64,
    /// Whether the model kept a trend.
    pub trend: bool,
    /// Years of baseline used (0 for the trailing baseline).
    pub years: usize,
}

/// Checks a series length against [`MAX_PERIODS`].
fn check_len_limit(arg: &'static str, len: usize) -> Result<()> {
    if len > MAX_PERIODS {
        return Err(Error::too_large(
            arg,
            len,
            MAX_PERIODS,
            "periods in one series",
        ));
    }
    Ok(())
}

/// Checks counts (finite, ≥ 0, at most [`MAX_COUNT`]); `unit` says what one count is of ("period",
/// "row") in the error.
fn check_counts(counts: &[f64], unit: &str) -> Result<()> {
    for (index, &value) in counts.iter().enumerate() {
        if value.is_nan() {
            return Err(Error::Missing {
                arg: "counts",
                index,
            });
        }
        if !value.is_finite() {
            return Err(Error::NonFinite {
                arg: "counts",
                index,
                value,
            });
        }
        if value < 0.0 {
            return Err(Error::InvalidValue {
                arg: "counts",
                index,
                value,
                reason: "a count must not be negative",
            });
        }
        if value > MAX_COUNT {
            return Err(Error::too_large(
                "counts",
                value,
                MAX_COUNT,
                format!("a count per {unit} beyond 2^53 is not a whole number in a double"),
            ));
        }
    }
    Ok(())
}

/// Checks a population (finite, > 0).
fn check_population(population: &[f64]) -> Result<()> {
    for (index, &value) in population.iter().enumerate() {
        if !value.is_finite() {
            return Err(Error::NonFinite {
                arg: "population",
                index,
                value,
            });
        }
        if value <= 0.0 {
            return Err(Error::InvalidValue {
                arg: "population",
                index,
                value,
                reason: "a population (offset) must be positive",
            });
        }
    }
    Ok(())
}

/// Checks the counts (finite, ≥ 0) and the population (finite, > 0, one per count).
fn check_series(counts: &[f64], population: Option<&[f64]>) -> Result<()> {
    check_len_limit("counts", counts.len())?;
    check_counts(counts, "period")?;
    if let Some(p) = population {
        crate::error::check_len("counts", counts.len(), "population", p.len())?;
        check_population(p)?;
    }
    Ok(())
}

/// Checks `start` and resolves the seasonal options of `period` (`None` for a yearly series, which
/// has no season); a reference window as wide as a year is an invalid `half_window`.
fn resolve(
    start: i64,
    period: Period,
    opts: &AlertOptions,
) -> Result<Option<farrington::Resolved>> {
    if start.unsigned_abs() > MAX_ABS_START {
        return Err(Error::option(
            "start",
            start,
            format!("a period index must lie within ±{MAX_ABS_START}"),
        ));
    }
    let Some(season) = farrington::season_length(period) else {
        return Ok(None);
    };
    let r = farrington::Resolved::new(opts, season);
    if (2 * r.half_window + 1) as f64 >= season {
        return Err(Error::option(
            "half_window",
            r.half_window,
            format!(
                "the reference window (2·half_window + 1 periods) must be shorter than a year of {}s",
                period.name()
            ),
        ));
    }
    Ok(Some(r))
}

/// The trailing-baseline row of position `i` (which has at least `min_baseline` earlier periods).
fn trailing(counts: &[f64], population: Option<&[f64]>, i: usize, opts: &AlertOptions) -> AlertRow {
    let from = i.saturating_sub(opts.fallback_window);
    let base = &counts[from..i];
    let pop = |j: usize| population.map_or(1.0, |p| p[j]);
    let total: f64 = base.iter().sum();
    let exposure: f64 = (from..i).map(pop).sum();
    let rate = total / exposure;
    let pearson: f64 = (from..i)
        .map(|j| {
            let e = rate * pop(j);
            if e > 0.0 {
                (counts[j] - e).powi(2) / e
            } else {
                0.0
            }
        })
        .sum();
    let df = (i - from) as f64 - 1.0;
    let phi = if df > 0.0 {
        (pearson / df).max(1.0)
    } else {
        1.0
    };
    // The predictive variance of a new count adds the variance of the estimated mean:
    // φ μ (1 + μ / Σ exposure), i.e. φ (1 + 1/L) without a population.
    let expected_now = rate * pop(i);
    let phi_pred = if exposure > 0.0 {
        phi * (1.0 + pop(i) / exposure)
    } else {
        phi
    };
    let expected = expected_now;
    let observed = counts[i];
    AlertRow {
        index: i,
        observed,
        expected,
        upper: quantile::upper_quantile(1.0 - opts.alpha, expected, phi_pred),
        ratio: (expected > 0.0).then(|| observed / expected),
        p_value: quantile::upper_tail(observed, expected, phi_pred),
        alert: false,
        method: AlertMethod::Trailing,
        dispersion: phi_pred,
        trend: false,
        years: 0,
    }
}

/// Seasonal anomaly alerts on one count series: `counts[i]` is the count of period `start + i`
/// ([`Period::index`] of `period`, so the calendar places the same date of earlier years); optional
/// `population` (e.g. texts per period) enters as an offset, so that a rate rather than a count is
/// monitored. One row per period with at least [`min_baseline`](AlertOptions::min_baseline) earlier
/// periods. The method is described in the [module documentation](self).
///
/// Errors: a NaN count is [`Error::Missing`], an infinite one [`Error::NonFinite`], a negative one
/// [`Error::InvalidValue`] (each naming `counts` and the position); a series with no period to
/// evaluate is [`Error::InsufficientData`]; more than [`MAX_PERIODS`] is [`Error::TooLarge`]; a
/// reference window wider than a year is an invalid `half_window`. Long series stop on an interrupt
/// ([`crate::interrupt`]).
///
/// ```
/// use voc_core::anomaly::{AlertOptions, seasonal_alerts};
/// use voc_core::time::Period;
/// // Ten weeks of history: too short for earlier years, so the trailing baseline answers.
/// let counts = [10.0, 12.0, 9.0, 11.0, 10.0, 13.0, 9.0, 10.0, 12.0, 31.0];
/// let rows = seasonal_alerts(&counts, 2_800, Period::Week, None, &AlertOptions::default())?;
/// assert_eq!(rows.len(), 6); // periods 4..=9
/// let last = &rows[rows.len() - 1];
/// assert_eq!((last.method.name(), last.alert), ("trailing", true));
/// assert!((last.expected - 96.0 / 9.0).abs() < 1e-12); // the mean of the 9 earlier weeks
/// assert!(seasonal_alerts(&[1.0, -2.0], 0, Period::Week, None, &AlertOptions::default()).is_err());
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn seasonal_alerts(
    counts: &[f64],
    start: i64,
    period: Period,
    population: Option<&[f64]>,
    opts: &AlertOptions,
) -> Result<Vec<AlertRow>> {
    opts.validate()?;
    check_series(counts, population)?;
    let resolved = resolve(start, period, opts)?;
    if counts.len() <= opts.min_baseline {
        return Err(Error::InsufficientData(format!(
            "{} periods of counts: an alert needs at least {} earlier periods (min_baseline), so at \
             least {} periods",
            counts.len(),
            opts.min_baseline,
            opts.min_baseline + 1
        )));
    }
    let mut ticker = crate::interrupt::Ticker::new();
    let first = opts.last.map_or(opts.min_baseline, |l| {
        opts.min_baseline.max(counts.len().saturating_sub(l))
    });
    let mut rows = Vec::with_capacity(counts.len() - first);
    for i in first..counts.len() {
        ticker.tick()?;
        let row = resolved
            .as_ref()
            .and_then(|r| farrington::evaluate(counts, population, start, period, i, r))
            .unwrap_or_else(|| trailing(counts, population, i, opts));
        rows.push(row);
    }
    for r in &mut rows {
        let from = (r.index + 1).saturating_sub(opts.recent_periods);
        let recent: f64 = counts[from..=r.index].iter().sum();
        r.alert = r.observed > r.upper && r.observed > 0.0 && recent >= opts.min_recent;
    }
    Ok(rows)
}
