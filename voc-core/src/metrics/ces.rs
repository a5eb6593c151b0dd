//! Customer effort score (CES 2.0): mean effort score, share "easy" and share "high effort".
//!
//! Default scale 1–7 (agreement that the company made it easy): easy = 5–7, high effort = 1–3. On other
//! scales the default cut-offs are the points above and below the midpoint. Two CES results are compared
//! with Welch's t-test on the mean.

use super::csat::{check_same_scale, check_threshold, share_of};
use super::state::{Metric, Responses, SurveyState};
use super::tally::{Cell, MetricKind, Scale};
use crate::error::{Error, Result};
use crate::stats::{
    Interval, IntervalOptions, MeanSummary, Share, ShareInterval, TestOptions, TestResult,
    check_confidence, mean_interval, welch_t_test,
};

/// The CES metric; use it through [`CesState`] and the [`Metric`](super::Metric) trait.
///
/// ```
/// use voc_core::metrics::{Ces, CesOptions, CesState, Metric};
/// let mut s = CesState::new();
/// s.update(&[7_u8, 1])?;
/// assert_eq!(Ces::headline(&s.finish(&CesOptions::default())?), 4.0);
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Ces;

/// A mergeable CES state (see [`SurveyState`]).
///
/// ```
/// let mut s = voc_core::metrics::CesState::with_scale(1, 5)?;
/// assert!(s.update(&[6_u8]).is_err());
/// # Ok::<(), voc_core::Error>(())
/// ```
pub type CesState = SurveyState<Ces>;

/// Options for CES results.
///
/// ```
/// use voc_core::metrics::{CesOptions, CesState};
/// let mut s = CesState::new();
/// s.update(&[6_u8, 4, 2])?;
/// let strict = CesOptions::default().easy_from(Some(6)).hard_to(Some(2));
/// let r = s.finish(&strict)?;
/// assert_eq!((r.easy.estimate, r.high_effort.estimate), (1.0 / 3.0, 1.0 / 3.0));
/// assert!(s.finish(&CesOptions::default().easy_from(Some(3)).hard_to(Some(4))).is_err());
/// # Ok::<(), voc_core::Error>(())
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct CesOptions {
    /// Confidence level (default 0.95).
    pub confidence: f64,
    /// Interval for shares (default Wilson).
    pub interval: ShareInterval,
    /// Lowest "easy" point; `None` means the points above the midpoint (5–7 on 1–7).
    pub easy_from: Option<i32>,
    /// Highest "high effort" point; `None` means the points below the midpoint (1–3 on 1–7).
    pub hard_to: Option<i32>,
}
crate::setters!(CesOptions { confidence: f64, interval: ShareInterval, easy_from: Option<i32>, hard_to: Option<i32> });

impl Default for CesOptions {
    fn default() -> Self {
        CesOptions {
            confidence: 0.95,
            interval: ShareInterval::Wilson,
            easy_from: None,
            hard_to: None,
        }
    }
}

/// A CES result.
///
/// ```
/// use voc_core::metrics::{CesOptions, CesState};
/// let mut s = CesState::new();
/// s.update(&[7_u8, 5, 4, 1])?;
/// let r = s.finish(&CesOptions::default())?;
/// assert_eq!((r.easy_from, r.hard_to, r.easy.estimate, r.high_effort.estimate), (5, 3, 0.5, 0.25));
/// assert!(r.mean_ci.is_some());
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct CesResult {
    /// Response counts, weights, mean, sd and the distribution.
    pub responses: Responses,
    /// The scale the scores were on (two results are comparable only on the same scale).
    pub scale: Scale,
    /// Student-t interval of the mean; `None` with fewer than two (effective) responses.
    pub mean_ci: Option<Interval>,
    /// Lowest point counted as easy.
    pub easy_from: i32,
    /// Highest point counted as high effort.
    pub hard_to: i32,
    /// Share easy with its interval.
    pub easy: Share,
    /// Share high effort with its interval.
    pub high_effort: Share,
}

fn cutoffs(scale: Scale, opts: &CesOptions) -> (i32, i32) {
    // In i64: a scale near the ends of i32 (any scale a byte form may hold) must not overflow.
    let sum = i64::from(scale.min) + i64::from(scale.max);
    let easy = i32::try_from(sum.div_euclid(2) + 1).unwrap_or(scale.max);
    let hard = i32::try_from((sum + 1).div_euclid(2) - 1).unwrap_or(scale.min);
    (opts.easy_from.unwrap_or(easy), opts.hard_to.unwrap_or(hard))
}

impl Metric for Ces {
    const KIND: MetricKind = MetricKind::Ces;
    type Options = CesOptions;
    type Output = CesResult;

    fn default_scale() -> Scale {
        Scale { min: 1, max: 7 }
    }

    fn validate(opts: &CesOptions, scale: Scale) -> Result<()> {
        check_confidence(opts.confidence)?;
        let (easy, hard) = cutoffs(scale, opts);
        check_threshold("easy_from", easy, scale)?;
        check_threshold("hard_to", hard, scale)?;
        if hard >= easy {
            return Err(Error::option(
                "hard_to",
                hard,
                format!("must be below easy_from = {easy}"),
            ));
        }
        Ok(())
    }

    fn finish(cell: &Cell<'_>, opts: &CesOptions) -> Result<CesResult> {
        let (responses, summary) = Responses::of(cell)?;
        let scale = cell.scale();
        let (easy_from, hard_to) = cutoffs(scale, opts);
        let n_eff = responses.n_eff;
        let o = IntervalOptions {
            confidence: opts.confidence,
            method: opts.interval,
        };
        Ok(CesResult {
            scale,
            mean_ci: mean_interval(
                &summary,
                &TestOptions {
                    confidence: opts.confidence,
                },
            )
            .ok(),
            easy_from,
            hard_to,
            easy: share_of(cell, easy_from, scale.max, n_eff, &o)?,
            high_effort: share_of(cell, scale.min, hard_to, n_eff, &o)?,
            responses,
        })
    }

    fn headline(out: &CesResult) -> f64 {
        out.responses.mean
    }

    fn compare(a: &CesResult, b: &CesResult, opts: &CesOptions) -> Result<TestResult> {
        check_same_scale("CES", a.scale, b.scale)?;
        let summary = |r: &CesResult| MeanSummary {
            mean: r.responses.mean,
            variance: r.responses.sd.powi(2),
            n: r.responses.n_eff,
        };
        let t = TestOptions {
            confidence: opts.confidence,
        };
        welch_t_test(&summary(a), &summary(b), &t)
    }
}
