//! Seasonal alerts on score series: is this week's NPS (CSAT, CES, mean sentiment) unusually low for
//! the season?
//!
//! A period's score is the mean of its answers' values (NPS answers count +100, 0, −100, so the mean is
//! the NPS in points). The expected score of period `k` comes from the same baseline as the count
//! alerts ([`seasonal_alerts`](super::seasonal_alerts)): the reference windows around the same date in
//! up to `years` earlier years, the rest of each year split into `seasonal_groups − 1` blocks, the most
//! recent `exclude_recent` periods left out, and a linear trend kept when at least three years of
//! baseline are used and it is significant at `trend_p_value`. The model is Gaussian rather than
//! Poisson: the period means `ȳ_t` are fitted by **weighted least squares** with weights `n_t` (the
//! answers of the period), i.e. `Var(ȳ_t) = σ² / n_t` with `σ²` estimated from the baseline's
//! residuals (so it holds the within-period spread and any extra period-to-period variation). The
//! prediction for period `k` is `x_k'β̂` in the reference-window level, with the prediction variance
//! `σ̂² (1/n_k + x_k'(X'WX)⁻¹x_k)` and Student-t quantiles on the residual degrees of freedom: the
//! textbook prediction interval of a new observation of a linear model, exact when the model holds.
//! The bound is one-sided (`lower`: a drop is the alert, the default; or `upper`) at the false-alarm
//! rate `alpha`, or two-sided with `alpha / 2` in each tail.
//!
//! Where the history is too short for a year of baseline (or the series is yearly, or the model
//! cannot be fitted), the **trailing baseline** stands in: the answer-weighted mean of the last
//! `fallback_window` periods with answers, `σ̂²` from their weighted spread, and the prediction
//! variance `σ̂² (1/n_k + 1/Σ n_t)` on `L − 1` degrees of freedom.
//!
//! Periods without answers (`n = 0`) are left out of every fit and get no row. The count options
//! `min_recent`, `recent_periods` and `reweight_threshold` do not apply to scores.
//!
//! References: the baseline design is Noufaily et al. (2013) (see [the module](super)); the
//! prediction interval of a weighted linear model is e.g. Draper & Smith (1998), *Applied Regression
//! Analysis*, 3rd ed., §9.2 and §3.3.
//!
//! ```
//! use voc_core::anomaly::{AlertOptions, AlertSide, score_alerts};
//! use voc_core::time::{Period, days_from_civil};
//! // Four years of weekly NPS around 30 with a yearly dip to 10 in week 30, 200 answers a week;
//! // the last week drops to 5 points, away from the dip.
//! let weeks = 4 * 52 + 10;
//! let means: Vec<f64> = (0..weeks)
//!     .map(|w| {
//!         let d = ((w % 52) as f64 - 30.0).abs();
//!         30.0 - 20.0 * (-(d * d) / 8.0).exp() + if w % 2 == 0 { 1.5 } else { -1.5 }
//!     })
//!     .collect();
//! let mut means = means;
//! means[weeks - 1] = 5.0;
//! let n = vec![200.0; weeks];
//! let start = Period::Week.index(days_from_civil(2020, 1, 6));
//! let rows = score_alerts(&means, &n, start, Period::Week, AlertSide::Lower,
//!                         &AlertOptions::default().last(Some(52)))?;
//! let last = &rows[rows.len() - 1];
//! assert!(last.alert && last.lower.is_some_and(|low| last.observed < low));
//! assert_eq!(last.method.name(), "farrington_flexible");
//! assert!((last.difference - (last.observed - last.expected)).abs() < 1e-12);
//! // The seasonal dip itself is expected: no alert in the weeks around week 30 of the last year.
//! assert!(rows.iter().filter(|r| r.alert).count() == 1);
//! # Ok::<(), voc_core::Error>(())
//! ```

use super::farrington::{self, Resolved};
use super::glm;
use super::{AlertMethod, AlertOptions};
use crate::error::{Error, Result, check_len};
use crate::impact::score_themes::ScoreMetric;
use crate::stats::dist::{t_quantile, t_two_sided_p};
use crate::time::Period;

/// Which side of the expected score is an alert.
///
/// ```
/// use voc_core::anomaly::AlertSide;
/// assert_eq!("two-sided".parse::<AlertSide>()?, AlertSide::TwoSided);
/// assert_eq!(AlertSide::default(), AlertSide::Lower);
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum AlertSide {
    /// A score below the `alpha` lower bound (a drop: the alert that matters for NPS).
    #[default]
    Lower,
    /// A score above the `1 − alpha` upper bound.
    Upper,
    /// Either, with `alpha / 2` in each tail.
    TwoSided,
}

crate::named_enum!(AlertSide, "side", {
    Lower => "lower",
    Upper => "upper",
    TwoSided => "two-sided",
});

/// One period of [`score_alerts`].
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ScoreAlertRow {
    /// Position in the series (the period is `start + index`).
    pub index: usize,
    /// Answers in the period (their weight, for means given with `n`).
    pub n: f64,
    /// The observed score (mean of the period's answer values).
    pub observed: f64,
    /// The expected score.
    pub expected: f64,
    /// observed − expected.
    pub difference: f64,
    /// The lower bound (`None` for [`AlertSide::Upper`]).
    pub lower: Option<f64>,
    /// The upper bound (`None` for [`AlertSide::Lower`]).
    pub upper: Option<f64>,
    /// Standard deviation of the prediction (of observed − expected).
    pub se: f64,
    /// Degrees of freedom of the Student-t quantiles.
    pub df: f64,
    /// P-value of the observed score on the alert's side(s).
    pub p_value: f64,
    /// Whether the observed score lies beyond the bound(s).
    pub alert: bool,
    /// The method that made the row.
    pub method: AlertMethod,
    /// Whether the model kept a trend.
    pub trend: bool,
    /// Years of baseline used (0 for the trailing baseline).
    pub years: usize,
}

/// Checks a series of means and answers per period: `n` finite and ≥ 0, a mean finite where `n > 0`
/// (anything, NaN included, where `n = 0`).
fn check_means(means: &[f64], n: &[f64]) -> Result<()> {
    check_len("means", means.len(), "n", n.len())?;
    for (index, (&m, &w)) in means.iter().zip(n).enumerate() {
        if w.is_nan() {
            return Err(Error::Missing { arg: "n", index });
        }
        if !w.is_finite() {
            return Err(Error::NonFinite {
                arg: "n",
                index,
                value: w,
            });
        }
        if w < 0.0 {
            return Err(Error::InvalidValue {
                arg: "n",
                index,
                value: w,
                reason: "answers per period cannot be negative",
            });
        }
        if w > 0.0 {
            if m.is_nan() {
                return Err(Error::Missing {
                    arg: "means",
                    index,
                });
            }
            if !m.is_finite() {
                return Err(Error::NonFinite {
                    arg: "means",
                    index,
                    value: m,
                });
            }
        }
    }
    Ok(())
}

/// The bounds, p-value and alert of a prediction `expected ± t·sd` on `df` degrees of freedom.
#[allow(clippy::too_many_arguments)]
fn row(
    index: usize,
    n: f64,
    observed: f64,
    expected: f64,
    sd: f64,
    df: f64,
    side: AlertSide,
    alpha: f64,
    method: AlertMethod,
    trend: bool,
    years: usize,
) -> Option<ScoreAlertRow> {
    if !(expected.is_finite() && sd.is_finite() && df >= 1.0) {
        return None;
    }
    let tail = if side == AlertSide::TwoSided {
        alpha / 2.0
    } else {
        alpha
    };
    let q = t_quantile(1.0 - tail, df).ok()?;
    let difference = observed - expected;
    // One-sided tails from the two-sided p-value of t = difference / sd.
    let (below, above) = if sd > 0.0 {
        let two = t_two_sided_p(difference / sd, df).ok()?;
        if difference <= 0.0 {
            (two / 2.0, 1.0 - two / 2.0)
        } else {
            (1.0 - two / 2.0, two / 2.0)
        }
    } else if difference < 0.0 {
        (0.0, 1.0)
    } else if difference > 0.0 {
        (1.0, 0.0)
    } else {
        (1.0, 1.0)
    };
    let lower = (side != AlertSide::Upper).then_some(expected - q * sd);
    let upper = (side != AlertSide::Lower).then_some(expected + q * sd);
    let p_value = match side {
        AlertSide::Lower => below,
        AlertSide::Upper => above,
        AlertSide::TwoSided => (2.0 * below.min(above)).min(1.0),
    };
    let alert = lower.is_some_and(|l| observed < l) || upper.is_some_and(|u| observed > u);
    Some(ScoreAlertRow {
        index,
        n,
        observed,
        expected,
        difference,
        lower,
        upper,
        se: sd,
        df,
        p_value,
        alert,
        method,
        trend,
        years,
    })
}

/// The seasonal (Farrington-design) row of position `i`, or `None` when the history is too short or
/// the model cannot be fitted.
#[allow(clippy::too_many_arguments)]
fn seasonal(
    means: &[f64],
    n: &[f64],
    start: i64,
    period: Period,
    i: usize,
    r: &Resolved,
    side: AlertSide,
) -> Option<ScoreAlertRow> {
    let mut d = farrington::design(means, None, start, period, i, r)?;
    // Periods without answers carry no information: out of the fit.
    let keep: Vec<bool> = d.pos.iter().map(|&j| n[j] > 0.0).collect();
    let mut it = keep.iter();
    d.label.retain(|_| *it.next().unwrap_or(&false));
    let mut it = keep.iter();
    d.y.retain(|_| *it.next().unwrap_or(&false));
    let mut it = keep.iter();
    d.offset.retain(|_| *it.next().unwrap_or(&false));
    d.pos.retain(|&j| n[j] > 0.0);
    let w: Vec<f64> = d.pos.iter().map(|&j| n[j]).collect();
    let fit = |trend: bool| -> Option<(farrington::Model, glm::Lm)> {
        let m = farrington::model(&d, trend, r.season)?;
        let lm = glm::wls(&m.x, m.p, &d.y, &w)?;
        Some((m, lm))
    };
    let mut fitted = None;
    if r.trend
        && d.years >= 3
        && let Some((m, lm)) = fit(true)
    {
        let t = m.p - 1;
        let se = (lm.sigma2 * lm.inv[t * m.p + t]).sqrt();
        let p = if se > 0.0 {
            t_two_sided_p(lm.beta[t] / se, lm.df).unwrap_or(1.0)
        } else {
            1.0
        };
        if p < r.trend_p_value {
            fitted = Some((m, lm));
        }
    }
    if fitted.is_none() {
        fitted = fit(false);
    }
    let (m, lm) = fitted?;
    let mut x = vec![0.0; m.p];
    *x.get_mut(m.col.first().copied().flatten()?)? = 1.0;
    if m.trend {
        x[m.p - 1] = (i as f64 - m.t0 as f64) / m.season;
    }
    let expected: f64 = x.iter().zip(&lm.beta).map(|(a, b)| a * b).sum();
    let sd = (lm.sigma2 * (1.0 / n[i] + lm.quad(&x))).sqrt();
    row(
        i,
        n[i],
        means[i],
        expected,
        sd,
        lm.df,
        side,
        r.alpha,
        AlertMethod::FarringtonFlexible,
        m.trend,
        d.years,
    )
}

/// The trailing-baseline row of position `i`: the last `fallback_window` periods with answers.
fn trailing(
    means: &[f64],
    n: &[f64],
    i: usize,
    side: AlertSide,
    opts: &AlertOptions,
) -> Option<ScoreAlertRow> {
    let base: Vec<usize> = (0..i)
        .rev()
        .filter(|&j| n[j] > 0.0)
        .take(opts.fallback_window)
        .collect();
    let l = base.len();
    if l < 2 {
        return None;
    }
    let total: f64 = base.iter().map(|&j| n[j]).sum();
    let mean = base.iter().map(|&j| n[j] * means[j]).sum::<f64>() / total;
    let ss: f64 = base.iter().map(|&j| n[j] * (means[j] - mean).powi(2)).sum();
    let df = (l - 1) as f64;
    let sd = (ss / df * (1.0 / n[i] + 1.0 / total)).sqrt();
    row(
        i,
        n[i],
        means[i],
        mean,
        sd,
        df,
        side,
        opts.alpha,
        AlertMethod::Trailing,
        false,
        0,
    )
}

/// Seasonal alerts on one series of period scores: `means[i]` is the score (mean answer value, e.g.
/// NPS in points) of period `start + i` from `n[i]` answers (`n = 0`: no answers, the mean is ignored).
/// One row per period with answers and at least [`min_baseline`](AlertOptions::min_baseline)
/// earlier periods with answers (within [`last`](AlertOptions::last) when set). The method is
/// described in `docs/anomaly.md` ("Score and sentiment series").
///
/// Errors: a NaN `n` (or a NaN mean where `n > 0`) is [`Error::Missing`], an infinite one
/// [`Error::NonFinite`], a negative `n` [`Error::InvalidValue`] (each naming the argument and the
/// position); a series with no period to evaluate is [`Error::InsufficientData`]; the limits and
/// options are those of [`seasonal_alerts`](super::seasonal_alerts).
///
/// ```
/// use voc_core::anomaly::{AlertOptions, AlertSide, score_alerts};
/// use voc_core::time::Period;
/// // Ten weeks of NPS: too short for earlier years, so the trailing baseline answers.
/// let nps = [31.0, 29.0, 30.0, 32.0, 28.0, 30.0, 31.0, 29.0, 30.0, 12.0];
/// let n = [150.0; 10];
/// let rows = score_alerts(&nps, &n, 2_800, Period::Week, AlertSide::Lower, &AlertOptions::default())?;
/// let last = &rows[rows.len() - 1];
/// assert_eq!((last.method.name(), last.alert), ("trailing", true));
/// assert!((last.expected - 30.0).abs() < 1e-12); // the mean of the 9 earlier weeks
/// assert!(last.upper.is_none() && last.lower.is_some_and(|low| low > 12.0));
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn score_alerts(
    means: &[f64],
    n: &[f64],
    start: i64,
    period: Period,
    side: AlertSide,
    opts: &AlertOptions,
) -> Result<Vec<ScoreAlertRow>> {
    opts.validate()?;
    super::check_len_limit("means", means.len())?;
    check_means(means, n)?;
    let resolved = super::resolve(start, period, opts)?;
    let with = n.iter().filter(|&&w| w > 0.0).count();
    if with <= opts.min_baseline {
        return Err(Error::InsufficientData(format!(
            "{with} periods with answers: an alert needs at least {} earlier periods with answers \
             (min_baseline), so at least {} periods",
            opts.min_baseline,
            opts.min_baseline + 1
        )));
    }
    let first = opts.last.map_or(0, |l| means.len().saturating_sub(l));
    let mut ticker = crate::interrupt::Ticker::new();
    let mut rows = Vec::new();
    let mut earlier = 0usize;
    for i in 0..means.len() {
        ticker.tick()?;
        if n[i] <= 0.0 {
            continue;
        }
        if i >= first && earlier >= opts.min_baseline {
            let r = resolved
                .as_ref()
                .and_then(|r| seasonal(means, n, start, period, i, r, side))
                .or_else(|| trailing(means, n, i, side, opts));
            rows.extend(r);
        }
        earlier += 1;
    }
    Ok(rows)
}

/// What [`score_alerts_by`] reads per row.
#[derive(Debug, Clone, Copy)]
pub enum ScoreInput<'a> {
    /// One answer per row, counted as `metric` says (NPS answers 0–10 count +100, 0, −100; CSAT
    /// answers 100 when at least `satisfied_from`; CES and mean the answer itself).
    Answers {
        /// The answers.
        scores: &'a [f64],
        /// The score.
        metric: ScoreMetric,
        /// Lowest satisfied CSAT answer.
        satisfied_from: f64,
    },
    /// A mean score and its answers per row (e.g. the per-period table of `voc.nps(period=)`, which a
    /// merged mergeable state gives); rows of one group and period are pooled (answer-weighted).
    Means {
        /// Mean score per row.
        means: &'a [f64],
        /// Answers per row.
        n: &'a [f64],
    },
}

impl ScoreInput<'_> {
    /// The argument that names the rows.
    fn arg(&self) -> &'static str {
        match self {
            ScoreInput::Answers { .. } => "scores",
            ScoreInput::Means { .. } => "means",
        }
    }
}

/// One period of one group's series of [`score_alerts_by`].
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct GroupScoreAlertRow {
    /// Group code (0 without groups).
    pub group: u32,
    /// Period index ([`Period::index`]).
    pub period: i64,
    /// The alert row (its `index` is the position in the group's series).
    pub row: ScoreAlertRow,
}

/// Seasonal alerts on scores from rows: answers (or per-row means and answers) with the period
/// `periods[i]` ([`Period::index`] of `period`) and group `groups[i]` of each row; each group's series
/// runs from its first period to its last, a period without rows having no answers. Groups are
/// returned in code order, each evaluated by [`score_alerts`].
///
/// Answers are checked row by row first (a NaN answer is [`Error::Missing`], an NPS answer outside
/// 0–10 [`Error::OutOfRange`], naming `scores` and the row).
///
/// ```
/// use voc_core::anomaly::{AlertOptions, AlertSide, ScoreInput, score_alerts_by};
/// use voc_core::impact::score_themes::ScoreMetric;
/// use voc_core::time::Period;
/// // Ten weeks of 20 NPS answers (10 promoters, 4 passives, 6 detractors: NPS 20); in the last
/// // week 4 promoters and 12 detractors (NPS −40).
/// let (mut scores, mut weeks) = (Vec::new(), Vec::new());
/// for w in 0..10i64 {
///     let (p, d) = if w == 9 { (4, 12) } else { (10 + (w % 2) as usize, 6) };
///     for j in 0..20 {
///         scores.push(if j < p { 10.0 } else if j < p + d { 3.0 } else { 8.0 });
///         weeks.push(2_900 + w);
///     }
/// }
/// let input = ScoreInput::Answers { scores: &scores, metric: ScoreMetric::Nps, satisfied_from: 4.0 };
/// let rows = score_alerts_by(input, &weeks, None, Period::Week, AlertSide::Lower, &AlertOptions::default())?;
/// let last = &rows[rows.len() - 1];
/// assert_eq!((last.period, last.row.observed, last.row.n, last.row.alert), (2_909, -40.0, 20.0, true));
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn score_alerts_by(
    input: ScoreInput<'_>,
    periods: &[i64],
    groups: Option<&[u32]>,
    period: Period,
    side: AlertSide,
    opts: &AlertOptions,
) -> Result<Vec<GroupScoreAlertRow>> {
    opts.validate()?;
    let rows_in = match input {
        ScoreInput::Answers { scores, .. } => scores.len(),
        ScoreInput::Means { means, .. } => means.len(),
    };
    super::grouped::check_rows(input.arg(), rows_in, periods, groups)?;
    super::grouped::check_not_empty(input.arg(), rows_in)?;
    // Per row: answers and value sum.
    let (weights, sums): (Vec<f64>, Vec<f64>) = match input {
        ScoreInput::Answers {
            scores,
            metric,
            satisfied_from,
        } => {
            if !satisfied_from.is_finite() {
                return Err(Error::option(
                    "satisfied_from",
                    satisfied_from,
                    "must be a finite score",
                ));
            }
            let mut v = Vec::with_capacity(scores.len());
            for (index, &x) in scores.iter().enumerate() {
                if x.is_nan() {
                    return Err(Error::Missing {
                        arg: "scores",
                        index,
                    });
                }
                v.push(metric.value("scores", index, x, satisfied_from)?);
            }
            (vec![1.0; scores.len()], v)
        }
        ScoreInput::Means { means, n } => {
            check_means(means, n)?;
            let sums = means
                .iter()
                .zip(n)
                .map(|(&m, &w)| if w > 0.0 { m * w } else { 0.0 })
                .collect();
            (n.to_vec(), sums)
        }
    };
    let mut out = Vec::new();
    for s in super::grouped::group_rows(rows_in, groups) {
        crate::interrupt::check()?;
        let (lo, len) = s.periods(periods, period)?;
        let mut n = vec![0.0; len];
        let mut total = vec![0.0; len];
        for &i in &s.rows {
            let j = (periods[i] - lo) as usize;
            n[j] += weights[i];
            total[j] += sums[i];
        }
        let means: Vec<f64> = total
            .iter()
            .zip(&n)
            .map(|(&t, &w)| if w > 0.0 { t / w } else { f64::NAN })
            .collect();
        let rows = score_alerts(&means, &n, lo, period, side, opts)?;
        out.extend(rows.into_iter().map(|row| GroupScoreAlertRow {
            group: s.group,
            period: lo + row.index as i64,
            row,
        }));
    }
    Ok(out)
}
