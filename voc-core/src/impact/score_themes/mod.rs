//! Theme impact on a score: how many points of NPS (CSAT, CES or any numeric score) each theme of
//! the verbatims costs, and why the score moved between two periods or segments.
//!
//! Every score here is a mean of per-answer values in the score's own units: NPS answers count
//! +100 (9–10), 0 (7–8) and −100 (0–6), so the mean is the NPS in points; CSAT answers count 100
//! when satisfied (score ≥ `satisfied_from`, 4 by default: top-2-box on 1–5), so the mean is the
//! percent satisfied; CES and `Mean` use the score itself.
//!
//! * [`theme_score_impact`] — per theme: mentions and share, the score among the answers that
//!   mention it against the rest (Student-t intervals, Welch's test, Holm-adjusted p-values), the
//!   **removal impact** (score of all answers − score without the answers that mention the theme:
//!   Thematic's definition) with a seeded bootstrap interval, and a **Shapley decomposition** of
//!   score(all) − score(answers that mention no theme) over the themes.
//! * [`score_change`] — between consecutive groups (periods or segments), the change of the score
//!   split per theme into a **mix** part (the theme's share of answers changed) and a **rate** part
//!   (the score among its answers changed), adding up to the observed change, with bootstrap
//!   intervals.
//!
//! The Shapley game: `v(S)` is the score of the answers whose themes all lie in the set `S` (the
//! answers that mention no theme always count). So `v(∅)` is the score of the answers that mention no
//! theme, `v(all)` the score of all answers, and the removal impact of theme `j` is
//! `v(all) − v(all \ {j})`. The Shapley values add up to `v(all) − v(∅)`. They are exact over all
//! 2^k coalitions up to [`DEFAULT_EXACT_THEMES`] themes (a subset-sum transform over the answers'
//! theme patterns, O(k·2^k); [`ShapleyMethod::Exact`] allows up to [`MAX_EXACT_THEMES`]), and by
//! seeded permutation sampling above, with each value's Monte Carlo standard error.
//!
//! ```
//! use ndarray::array;
//! use voc_core::impact::score_themes::{theme_score_impact, ScoreThemeOptions};
//! // NPS answers; themes: refund, delivery.
//! let scores = [2.0, 3.0, 10.0, 9.0, 6.0, 10.0, 9.0, 8.0];
//! let themes = array![[1.0, 0.0], [1.0, 1.0], [0.0, 1.0], [0.0, 0.0],
//!                     [1.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0]];
//! let r = theme_score_impact(&scores, themes.view(), &["refund", "delivery"],
//!                            &ScoreThemeOptions::default().resamples(0))?;
//! assert_eq!(r.score, 12.5); // 4 promoters, 3 detractors, 8 answers
//! let refund = &r.themes[0];
//! // Without the 3 refund answers: 4 promoters of 5 → 80; 12.5 − 80 = −67.5 points.
//! assert_eq!(refund.removal_impact, Some(12.5 - 80.0));
//! let total: f64 = r.themes.iter().filter_map(|t| t.shapley).sum();
//! assert!((total - (r.score - r.score_no_theme.unwrap())).abs() < 1e-12);
//! # Ok::<(), voc_core::Error>(())
//! ```

pub mod change;
mod data;
mod shapley;
#[cfg(test)]
mod tests;

#[cfg(feature = "parallel")]
use rayon::prelude::*;

use ndarray::ArrayView2;

use crate::MissingPolicy;
use crate::error::{Error, Result};
use crate::stats::rng::Rng;
use crate::stats::{
    Adjustment, Interval, MeanSummary, TestOptions, adjust_p_values, check_confidence,
    mean_interval, welch_t_test,
};
pub use change::{ChangePair, ChangePart, ScoreChange, score_change, score_change_columns};
use data::{Cells, Patterns, percentile};
pub use data::{NO_GROUP, ThemeColumn};

/// Most theme columns (an answer's themes are a 64-bit mask).
///
/// ```
/// assert_eq!(voc_core::impact::score_themes::MAX_THEMES, 64);
/// ```
pub const MAX_THEMES: usize = 64;

/// Most themes for the exact Shapley values (2^20 coalitions: two 8 MB arrays).
///
/// ```
/// assert_eq!(voc_core::impact::score_themes::MAX_EXACT_THEMES, 20);
/// ```
pub const MAX_EXACT_THEMES: usize = 20;

/// Up to this many themes, [`ShapleyMethod::Auto`] computes the Shapley values exactly; above, by
/// permutation sampling.
///
/// ```
/// assert_eq!(voc_core::impact::score_themes::DEFAULT_EXACT_THEMES, 15);
/// ```
pub const DEFAULT_EXACT_THEMES: usize = 15;

/// Most bootstrap resamples.
///
/// ```
/// assert_eq!(voc_core::impact::score_themes::MAX_RESAMPLES, 100_000);
/// ```
pub const MAX_RESAMPLES: usize = 100_000;

/// Most bootstrap replicate values [`score_change`] keeps (resamples × pairs of groups × (1 + 3 ×
/// (themes + 1)); 20 million, 160 MB).
///
/// ```
/// assert_eq!(voc_core::impact::score_themes::MAX_BOOTSTRAP_VALUES, 20_000_000);
/// ```
pub const MAX_BOOTSTRAP_VALUES: usize = 20_000_000;

/// Most Shapley permutations.
///
/// ```
/// assert_eq!(voc_core::impact::score_themes::MAX_PERMUTATIONS, 1_000_000);
/// ```
pub const MAX_PERMUTATIONS: usize = 1_000_000;

/// The score: what each answer counts and what the mean means.
///
/// ```
/// use voc_core::impact::score_themes::ScoreMetric;
/// assert_eq!("nps".parse::<ScoreMetric>()?, ScoreMetric::Nps);
/// assert_eq!(ScoreMetric::Csat.value("scores", 0, 4.0, 4.0)?, 100.0);
/// assert_eq!(ScoreMetric::Nps.value("scores", 0, 6.0, 4.0)?, -100.0);
/// assert!(ScoreMetric::Nps.value("scores", 0, 11.0, 4.0).is_err());
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum ScoreMetric {
    /// Net Promoter Score in points: 0–10 answers count +100 (9–10), 0 (7–8), −100 (0–6).
    #[default]
    Nps,
    /// CSAT in percent satisfied: an answer counts 100 when it is at least `satisfied_from`.
    Csat,
    /// Customer effort score: the mean answer.
    Ces,
    /// Any numeric score: the mean answer.
    Mean,
}

crate::named_enum!(ScoreMetric, "metric", {
    Nps => "nps",
    Csat => "csat",
    Ces => "ces",
    Mean => "mean",
});

impl ScoreMetric {
    /// What the answer `x` (at `index` of `arg`) counts. NPS answers must be whole numbers 0–10;
    /// every answer must be finite.
    pub fn value(
        self,
        arg: &'static str,
        index: usize,
        x: f64,
        satisfied_from: f64,
    ) -> Result<f64> {
        if !x.is_finite() {
            return Err(Error::NonFinite {
                arg,
                index,
                value: x,
            });
        }
        Ok(match self {
            ScoreMetric::Nps => {
                if !(0.0..=10.0).contains(&x) {
                    return Err(Error::OutOfRange {
                        arg,
                        index,
                        value: x,
                        scale: "NPS",
                        min: 0,
                        max: 10,
                    });
                }
                if x.fract() != 0.0 {
                    return Err(Error::NotWhole {
                        arg,
                        index,
                        value: x,
                    });
                }
                if x >= 9.0 {
                    100.0
                } else if x <= 6.0 {
                    -100.0
                } else {
                    0.0
                }
            }
            ScoreMetric::Csat => {
                if x >= satisfied_from {
                    100.0
                } else {
                    0.0
                }
            }
            ScoreMetric::Ces | ScoreMetric::Mean => x,
        })
    }
}

/// How the Shapley values are computed.
///
/// ```
/// use voc_core::impact::score_themes::ShapleyMethod;
/// assert_eq!("permutation".parse::<ShapleyMethod>()?, ShapleyMethod::Permutation);
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum ShapleyMethod {
    /// Exact up to [`DEFAULT_EXACT_THEMES`] themes, permutation sampling above (default).
    #[default]
    Auto,
    /// Exact over all coalitions (at most [`MAX_EXACT_THEMES`] themes).
    Exact,
    /// Seeded permutation sampling with Monte Carlo standard errors.
    Permutation,
}

crate::named_enum!(ShapleyMethod, "shapley", {
    Auto => "auto",
    Exact => "exact",
    Permutation => "permutation",
});

/// Options of [`theme_score_impact`] and [`score_change`].
///
/// ```
/// use voc_core::impact::score_themes::{ScoreMetric, ScoreThemeOptions};
/// let o = ScoreThemeOptions::default().metric(ScoreMetric::Csat).resamples(200).seed(7);
/// assert_eq!((o.satisfied_from, o.confidence, o.permutations), (4.0, 0.95, 2000));
/// assert!(o.validate().is_ok());
/// assert!(o.resamples(1).validate().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct ScoreThemeOptions {
    /// The score (default NPS).
    pub metric: ScoreMetric,
    /// Lowest satisfied CSAT answer (default 4: top-2-box on 1–5).
    pub satisfied_from: f64,
    /// Confidence level of every interval (default 0.95).
    pub confidence: f64,
    /// Bootstrap resamples of the answers for the removal-impact (and change) intervals: 0 for none,
    /// else 10 to [`MAX_RESAMPLES`] (default 1000).
    pub resamples: usize,
    /// Seed of the bootstrap and of the permutations (default 0).
    pub seed: u64,
    /// Shapley method (default [`ShapleyMethod::Auto`]).
    pub shapley: ShapleyMethod,
    /// Permutations of the sampled Shapley values (default 2000; 2 to [`MAX_PERMUTATIONS`]).
    pub permutations: usize,
    /// Rows with a missing score, theme indicator or group: an error (default) or left out.
    pub missing: MissingPolicy,
}

impl Default for ScoreThemeOptions {
    fn default() -> Self {
        ScoreThemeOptions {
            metric: ScoreMetric::Nps,
            satisfied_from: 4.0,
            confidence: 0.95,
            resamples: 1000,
            seed: 0,
            shapley: ShapleyMethod::Auto,
            permutations: 2000,
            missing: MissingPolicy::Error,
        }
    }
}

crate::setters!(ScoreThemeOptions {
    metric: ScoreMetric,
    satisfied_from: f64,
    confidence: f64,
    resamples: usize,
    seed: u64,
    shapley: ShapleyMethod,
    permutations: usize,
    missing: MissingPolicy
});

impl ScoreThemeOptions {
    /// Checks the options, returning the confidence level.
    pub fn validate(&self) -> Result<f64> {
        let level = check_confidence(self.confidence)?;
        if self.resamples != 0 && !(10..=MAX_RESAMPLES).contains(&self.resamples) {
            return Err(Error::option(
                "resamples",
                self.resamples,
                format!("0 (no intervals) or 10 to {MAX_RESAMPLES}"),
            ));
        }
        if !(2..=MAX_PERMUTATIONS).contains(&self.permutations) {
            return Err(Error::option(
                "permutations",
                self.permutations,
                format!("2 to {MAX_PERMUTATIONS}"),
            ));
        }
        if !self.satisfied_from.is_finite() {
            return Err(Error::option(
                "satisfied_from",
                self.satisfied_from,
                "must be a finite score",
            ));
        }
        Ok(level)
    }
}

/// One theme's impact on the score.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ThemeScore {
    /// Theme name.
    pub theme: String,
    /// Answers that mention it.
    pub mentions: u64,
    /// mentions ÷ answers.
    pub share: f64,
    /// Score among the answers that mention it (`None` when none does).
    pub score_mentioned: Option<f64>,
    /// Its Student-t interval (`None` with fewer than two such answers).
    pub score_mentioned_ci: Option<Interval>,
    /// Score among the other answers (`None` when every answer mentions it).
    pub score_rest: Option<f64>,
    /// Its Student-t interval.
    pub score_rest_ci: Option<Interval>,
    /// score_mentioned − score_rest.
    pub difference: Option<f64>,
    /// Its Welch interval (`None` when a side has fewer than two answers or neither varies).
    pub difference_ci: Option<Interval>,
    /// Welch's two-sided p-value of the difference.
    pub p_value: Option<f64>,
    /// Holm-adjusted over the themes that have a p-value.
    pub p_adjusted: Option<f64>,
    /// score(all) − score(without the answers that mention it); `None` when every answer does.
    pub removal_impact: Option<f64>,
    /// Its seeded percentile-bootstrap interval (`None` without resamples).
    pub removal_ci: Option<Interval>,
    /// Shapley contribution to score(all) − score(no theme) (`None` when no answer mentions no
    /// theme).
    pub shapley: Option<f64>,
    /// Its Monte Carlo standard error (0 when exact).
    pub shapley_se: Option<f64>,
}

/// The result of [`theme_score_impact`].
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ScoreThemeImpact {
    /// The score.
    pub metric: ScoreMetric,
    /// Score of all answers used.
    pub score: f64,
    /// Score of the answers that mention no theme (`None` when every answer mentions one).
    pub score_no_theme: Option<f64>,
    /// score − score_no_theme: what the Shapley values add up to.
    pub total: Option<f64>,
    /// Answers used.
    pub n: u64,
    /// Answers left out for a missing value.
    pub n_missing: u64,
    /// Answers that mention no theme.
    pub n_no_theme: u64,
    /// How the Shapley values were computed ([`ShapleyMethod::Exact`] or
    /// [`ShapleyMethod::Permutation`]).
    pub shapley_method: ShapleyMethod,
    /// Permutations drawn (0 when exact).
    pub permutations: usize,
    /// Bootstrap resamples (0: no intervals).
    pub resamples: usize,
    /// Seed.
    pub seed: u64,
    /// Confidence level.
    pub confidence: f64,
    /// One entry per theme, in the order given.
    pub themes: Vec<ThemeScore>,
}

/// Mean and Student-t summary of `n` answers with shifted sum `s` and sum of squares `q`.
fn summary(n: f64, s: f64, q: f64, shift: f64) -> MeanSummary {
    let mean = s / n;
    let variance = if n > 1.0 {
        ((q - s * mean) / (n - 1.0)).max(0.0)
    } else {
        f64::NAN
    };
    MeanSummary {
        mean: mean + shift,
        variance,
        n,
    }
}

/// Theme impact on a score. `scores` are the answers (NaN is missing); `themes` is answers × themes
/// (any layout; a value > 0 means the answer mentions the theme, e.g. the indicators of
/// `ThemeMatcher`); `names` names its columns. See the [module docs](self) for the definitions.
///
/// Cost: one pass over the answers, then work on their distinct theme patterns (at most 2^k):
/// O(k·2^k) for exact Shapley values, O(permutations × patterns) sampled, and O(resamples × distinct
/// (pattern, answer) cells) for the bootstrap.
///
/// ```
/// use ndarray::array;
/// use voc_core::impact::score_themes::{theme_score_impact, ScoreThemeOptions};
/// let scores = [10.0, 9.0, 3.0, 8.0, 2.0];
/// let themes = array![[0.0], [0.0], [1.0], [0.0], [1.0]];
/// let r = theme_score_impact(&scores, themes.view(), &["refund"], &ScoreThemeOptions::default())?;
/// let t = &r.themes[0];
/// assert_eq!((t.mentions, t.score_mentioned, t.score_rest), (2, Some(-100.0), Some(200.0 / 3.0)));
/// assert!(t.removal_ci.is_some());
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn theme_score_impact(
    scores: &[f64],
    themes: ArrayView2<'_, f64>,
    names: &[&str],
    opts: &ScoreThemeOptions,
) -> Result<ScoreThemeImpact> {
    theme_score_impact_columns(scores, &data::matrix_columns(themes), names, opts)
}

/// [`theme_score_impact`] on separate theme columns, read in place (booleans as bytes, counts as
/// integers): what the Python binding uses for table columns.
///
/// ```
/// use voc_core::impact::score_themes::{theme_score_impact, theme_score_impact_columns,
///                                      ScoreThemeOptions, ThemeColumn};
/// let o = ScoreThemeOptions::default().resamples(0);
/// let a = theme_score_impact_columns(&[9.0, 3.0, 10.0], &[ThemeColumn::U8(&[0, 1, 0])], &["refund"], &o)?;
/// let m = ndarray::array![[0.0], [1.0], [0.0]];
/// assert_eq!(a, theme_score_impact(&[9.0, 3.0, 10.0], m.view(), &["refund"], &o)?);
/// # Ok::<(), voc_core::Error>(())
/// ```
#[doc(hidden)]
pub fn theme_score_impact_columns(
    scores: &[f64],
    themes: &[ThemeColumn<'_>],
    names: &[&str],
    opts: &ScoreThemeOptions,
) -> Result<ScoreThemeImpact> {
    impact(
        scores,
        |s| std::borrow::Cow::Borrowed(s),
        themes,
        names,
        opts,
    )
}

/// [`theme_score_impact_columns`] on integer scores, read in place (a float copy is made only when
/// the data are not clean and the general path answers).
///
/// ```
/// use voc_core::impact::score_themes::{theme_score_impact_columns, theme_score_impact_int_columns,
///                                      ScoreThemeOptions, ThemeColumn};
/// let o = ScoreThemeOptions::default().resamples(0);
/// let t = [ThemeColumn::U8(&[0, 1, 0])];
/// let a = theme_score_impact_int_columns(&[9, 3, 10], &t, &["refund"], &o)?;
/// assert_eq!(a, theme_score_impact_columns(&[9.0, 3.0, 10.0], &t, &["refund"], &o)?);
/// # Ok::<(), voc_core::Error>(())
/// ```
#[doc(hidden)]
pub fn theme_score_impact_int_columns(
    scores: &[i64],
    themes: &[ThemeColumn<'_>],
    names: &[&str],
    opts: &ScoreThemeOptions,
) -> Result<ScoreThemeImpact> {
    impact(
        scores,
        |s| std::borrow::Cow::Owned(s.iter().map(|&x| x as f64).collect()),
        themes,
        names,
        opts,
    )
}

/// The theme impact of `scores` of any number type; `as_f64` gives them as floats for the general
/// path (missing values, invalid input, more than 16 themes).
fn impact<S: crate::metrics::Score>(
    scores: &[S],
    as_f64: impl FnOnce(&[S]) -> std::borrow::Cow<'_, [f64]>,
    themes: &[ThemeColumn<'_>],
    names: &[&str],
    opts: &ScoreThemeOptions,
) -> Result<ScoreThemeImpact> {
    let level = opts.validate()?;
    crate::error::check_len("themes", themes.len(), "names", names.len())?;
    let k = themes.len();
    let fast = data::aggregate_clean(
        scores,
        themes,
        opts.metric,
        opts.satisfied_from,
        opts.resamples > 0,
    )?;
    let (pats, cells, shift, n_missing) = match fast {
        Some(g) => (g.patterns, g.cells, g.shift, 0),
        None => {
            let scores = as_f64(scores);
            let a = data::collect(
                &scores,
                themes,
                None,
                opts.metric,
                opts.satisfied_from,
                opts.missing,
            )?;
            let cells = (opts.resamples > 0).then(|| Cells::of(&a, None));
            (Patterns::of(&a, None), cells, a.shift, a.missing)
        }
    };
    let (n, sum) = pats.totals();
    let score = shift + sum / n;
    // Per theme: answers, Σ and Σ² of those that mention it.
    let mut mc = vec![0.0_f64; k];
    let mut ms = vec![0.0_f64; k];
    let mut mq = vec![0.0_f64; k];
    let (mut c0, mut s0) = (0.0, 0.0);
    let total_q: f64 = pats.sumsq.iter().sum();
    for (((&m, &c), &s), &q) in pats
        .masks
        .iter()
        .zip(&pats.count)
        .zip(&pats.sum)
        .zip(&pats.sumsq)
    {
        if m == 0 {
            c0 += c;
            s0 += s;
        }
        for j in 0..k {
            if m & (1_u64 << j) != 0 {
                mc[j] += c;
                ms[j] += s;
                mq[j] += q;
            }
        }
    }
    let test = TestOptions::default().confidence(level);
    let mut out: Vec<ThemeScore> = Vec::with_capacity(k);
    for (j, &name) in names.iter().enumerate() {
        let (c1, s1, q1) = (mc[j], ms[j], mq[j]);
        let (c2, s2, q2) = (n - c1, sum - s1, total_q - q1);
        let m1 = (c1 > 0.0).then(|| summary(c1, s1, q1, shift));
        let m2 = (c2 > 0.0).then(|| summary(c2, s2, q2, shift));
        let ci = |m: &Option<MeanSummary>| {
            m.as_ref()
                .filter(|m| m.n > 1.0)
                .and_then(|m| mean_interval(m, &test).ok())
        };
        let welch = match (&m1, &m2) {
            (Some(x), Some(y)) if x.variance > 0.0 || y.variance > 0.0 => {
                welch_t_test(x, y, &test).ok()
            }
            _ => None,
        };
        out.push(ThemeScore {
            theme: name.to_string(),
            mentions: c1 as u64,
            share: c1 / n,
            score_mentioned: m1.map(|m| m.mean),
            score_mentioned_ci: ci(&m1),
            score_rest: m2.map(|m| m.mean),
            score_rest_ci: ci(&m2),
            difference: (c1 > 0.0 && c2 > 0.0).then(|| s1 / c1 - s2 / c2),
            difference_ci: welch.map(|w| w.ci),
            p_value: welch.map(|w| w.p_value),
            p_adjusted: None,
            removal_impact: (c2 > 0.0).then(|| sum / n - s2 / c2),
            removal_ci: None,
            shapley: None,
            shapley_se: None,
        });
    }
    // Holm over the themes that have a p-value.
    let with_p: Vec<(usize, f64)> = out
        .iter()
        .enumerate()
        .filter_map(|(j, t)| t.p_value.map(|p| (j, p)))
        .collect();
    if !with_p.is_empty() {
        let p: Vec<f64> = with_p.iter().map(|x| x.1).collect();
        for ((j, _), adj) in with_p.iter().zip(adjust_p_values(&p, Adjustment::Holm)?) {
            if let Some(t) = out.get_mut(*j) {
                t.p_adjusted = Some(adj);
            }
        }
    }
    // Shapley values.
    let method = match opts.shapley {
        ShapleyMethod::Auto if k <= DEFAULT_EXACT_THEMES => ShapleyMethod::Exact,
        ShapleyMethod::Auto => ShapleyMethod::Permutation,
        m => m,
    };
    if method == ShapleyMethod::Exact && k > MAX_EXACT_THEMES {
        return Err(Error::TooLarge {
            arg: "themes",
            value: k.to_string(),
            limit: MAX_EXACT_THEMES.to_string(),
            reason: "exact Shapley values enumerate 2^k theme sets; use shapley=\"permutation\""
                .into(),
        });
    }
    let mut permutations = 0;
    if c0 > 0.0 {
        let (phi, se) = if method == ShapleyMethod::Exact {
            (shapley::exact(k, &pats)?, vec![0.0; k])
        } else {
            permutations = opts.permutations;
            shapley::sampled(k, &pats, opts.permutations, opts.seed)?
        };
        for ((t, p), e) in out.iter_mut().zip(phi).zip(se) {
            t.shapley = Some(p);
            t.shapley_se = Some(e);
        }
    }
    // Bootstrap of the removal impacts.
    if let Some(cells) = cells {
        let reps = removal_replicates(&cells, k, opts.resamples, opts.seed)?;
        for (j, t) in out.iter_mut().enumerate() {
            let col: Vec<f64> = reps.iter().map(|r| r[j]).collect();
            t.removal_ci = percentile(col, opts.resamples, level);
        }
    }
    let score_no_theme = (c0 > 0.0).then(|| shift + s0 / c0);
    Ok(ScoreThemeImpact {
        metric: opts.metric,
        score,
        score_no_theme,
        total: (c0 > 0.0).then(|| sum / n - s0 / c0),
        n: n as u64,
        n_missing: n_missing as u64,
        n_no_theme: c0 as u64,
        shapley_method: method,
        permutations,
        resamples: opts.resamples,
        seed: opts.seed,
        confidence: level,
        themes: out,
    })
}

/// Removal impacts of every theme in each bootstrap resample (NaN where a resample has every answer
/// mentioning the theme). Resample `b` uses ChaCha stream `b` of `seed` (stream numbers from 2^32 up,
/// apart from the permutations').
fn removal_replicates(
    cells: &Cells,
    k: usize,
    resamples: usize,
    seed: u64,
) -> Result<Vec<Vec<f64>>> {
    Rng::seeded(seed, "resamples")?;
    let one = |b: usize| -> Result<Vec<f64>> {
        crate::interrupt::check()?;
        let mut rng = Rng::seeded(seed, "resamples")?;
        rng.set_stream((1_u64 << 32) + b as u64);
        let p = cells.resample(&mut rng)?;
        Ok(removal(&p, k))
    };
    #[cfg(feature = "parallel")]
    {
        crate::interrupt::watch(|| {
            (0..resamples)
                .into_par_iter()
                .map(one)
                .collect::<Result<Vec<_>>>()
        })
    }
    #[cfg(not(feature = "parallel"))]
    {
        (0..resamples).map(one).collect()
    }
}

/// Removal impact of each theme from patterns (shifted sums: the shift cancels).
fn removal(p: &Patterns, k: usize) -> Vec<f64> {
    let (n, sum) = p.totals();
    let mut mc = vec![0.0_f64; k];
    let mut ms = vec![0.0_f64; k];
    for ((&m, &c), &s) in p.masks.iter().zip(&p.count).zip(&p.sum) {
        let mut bits = m;
        while bits != 0 {
            let j = bits.trailing_zeros() as usize;
            if let (Some(x), Some(y)) = (mc.get_mut(j), ms.get_mut(j)) {
                *x += c;
                *y += s;
            }
            bits &= bits - 1;
        }
    }
    mc.iter()
        .zip(&ms)
        .map(|(&c, &s)| {
            if n - c > 0.0 {
                sum / n - (sum - s) / (n - c)
            } else {
                f64::NAN
            }
        })
        .collect()
}
