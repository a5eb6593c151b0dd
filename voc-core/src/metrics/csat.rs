//! Customer satisfaction (CSAT): share satisfied (top-2-box by default), top-box share and mean score.
//!
//! Default scale 1–5 (satisfied = 4–5); any scale and threshold can be set. Shares carry a Wilson
//! (default), Wilson-cc, Clopper–Pearson or Wald interval; the mean a Student-t interval. Two CSAT
//! results are compared with the two-proportion z-test on the satisfied share.

use super::state::{Metric, Responses, SurveyState};
use super::tally::{Cell, MetricKind, Scale};
use crate::error::{Error, Result};
use crate::stats::{
    Interval, IntervalOptions, Share, ShareInterval, TestOptions, TestResult, check_confidence,
    mean_interval, share, two_proportion_test,
};

/// The CSAT metric; use it through [`CsatState`] and the [`Metric`](super::Metric) trait.
///
/// ```
/// use voc_core::metrics::{Csat, CsatOptions, CsatState, Metric};
/// let mut s = CsatState::new();
/// s.update(&[5_u8, 4, 1, 2])?;
/// assert_eq!(Csat::headline(&s.finish(&CsatOptions::default())?), 0.5);
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Csat;

/// A mergeable CSAT state (see [`SurveyState`]).
///
/// ```
/// let mut s = voc_core::metrics::CsatState::new();
/// assert!(s.update(&[0_u8]).is_err()); // 0 is not on the 1–5 scale
/// ```
pub type CsatState = SurveyState<Csat>;

/// Options for CSAT results.
///
/// ```
/// use voc_core::metrics::{CsatOptions, CsatState};
/// use voc_core::stats::ShareInterval;
/// let mut s = CsatState::new();
/// s.update(&[5_u8, 4, 3, 3])?;
/// let opts = CsatOptions::default().satisfied_from(Some(3)).interval(ShareInterval::ClopperPearson);
/// assert_eq!(s.finish(&opts)?.satisfied.estimate, 1.0);
/// # Ok::<(), voc_core::Error>(())
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct CsatOptions {
    /// Confidence level (default 0.95).
    pub confidence: f64,
    /// Interval for shares (default Wilson).
    pub interval: ShareInterval,
    /// Lowest "satisfied" point; `None` means the top two points (top-2-box).
    pub satisfied_from: Option<i32>,
}
crate::setters!(CsatOptions { confidence: f64, interval: ShareInterval, satisfied_from: Option<i32> });

impl Default for CsatOptions {
    fn default() -> Self {
        CsatOptions {
            confidence: 0.95,
            interval: ShareInterval::Wilson,
            satisfied_from: None,
        }
    }
}

/// A CSAT result.
///
/// ```
/// use voc_core::metrics::{CsatOptions, CsatState};
/// let mut s = CsatState::new();
/// s.update(&[5_u8, 4, 2, 1])?;
/// let r = s.finish(&CsatOptions::default())?;
/// assert_eq!((r.satisfied.estimate, r.top_box.estimate, r.satisfied_from), (0.5, 0.25, 4));
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct CsatResult {
    /// Response counts, weights, mean, sd and the distribution.
    pub responses: Responses,
    /// The scale the scores were on (two results are comparable only on the same scale).
    pub scale: Scale,
    /// Lowest point counted as satisfied.
    pub satisfied_from: i32,
    /// Share satisfied (top-2-box by default) with its interval.
    pub satisfied: Share,
    /// Share on the top point with its interval.
    pub top_box: Share,
    /// Student-t interval of the mean; `None` with fewer than two (effective) responses.
    pub mean_ci: Option<Interval>,
}

pub(crate) fn share_of(
    cell: &Cell<'_>,
    from: i32,
    to: i32,
    n_eff: f64,
    opts: &IntervalOptions,
) -> Result<Share> {
    let p = cell.share_between(from, to);
    share(p * n_eff, n_eff, opts)
}

/// Two results compared must be on one scale: a share satisfied on 1–5 and one on 1–10 (or a mean on
/// 1–7 and one on 1–5) are different quantities, and a test of their difference means nothing.
///
/// ```
/// use voc_core::metrics::{Csat, CsatOptions, CsatState, Metric};
/// let mut a = CsatState::with_scale(1, 5)?;
/// a.update(&[5_u8, 4, 2])?;
/// let mut b = CsatState::with_scale(1, 10)?;
/// b.update(&[9_u8, 10, 2])?;
/// let (ra, rb) = (a.finish(&CsatOptions::default())?, b.finish(&CsatOptions::default())?);
/// assert!(Csat::compare(&ra, &rb, &CsatOptions::default()).is_err());
/// # Ok::<(), voc_core::Error>(())
/// ```
pub(crate) fn check_same_scale(metric: &str, a: Scale, b: Scale) -> Result<()> {
    if a != b {
        return Err(Error::Incompatible(format!(
            "the two {metric} results are on different scales ({}..={} and {}..={}): compare results \
             measured on the same scale",
            a.min, a.max, b.min, b.max
        )));
    }
    Ok(())
}

pub(crate) fn check_threshold(name: &'static str, value: i32, scale: Scale) -> Result<()> {
    if value < scale.min || value > scale.max {
        return Err(Error::option(
            name,
            value,
            format!("must be a point of the scale {}..={}", scale.min, scale.max),
        ));
    }
    Ok(())
}

impl Metric for Csat {
    const KIND: MetricKind = MetricKind::Csat;
    type Options = CsatOptions;
    type Output = CsatResult;

    fn default_scale() -> Scale {
        Scale { min: 1, max: 5 }
    }

    fn validate(opts: &CsatOptions, scale: Scale) -> Result<()> {
        check_confidence(opts.confidence)?;
        if let Some(t) = opts.satisfied_from {
            check_threshold("satisfied_from", t, scale)?;
        }
        Ok(())
    }

    fn finish(cell: &Cell<'_>, opts: &CsatOptions) -> Result<CsatResult> {
        let (responses, summary) = Responses::of(cell)?;
        let scale = cell.scale();
        let from = opts.satisfied_from.unwrap_or(scale.max - 1);
        let n_eff = responses.n_eff;
        let o = IntervalOptions {
            confidence: opts.confidence,
            method: opts.interval,
        };
        Ok(CsatResult {
            scale,
            satisfied_from: from,
            satisfied: share_of(cell, from, scale.max, n_eff, &o)?,
            top_box: share_of(cell, scale.max, scale.max, n_eff, &o)?,
            mean_ci: mean_interval(
                &summary,
                &TestOptions {
                    confidence: opts.confidence,
                },
            )
            .ok(),
            responses,
        })
    }

    fn headline(out: &CsatResult) -> f64 {
        out.satisfied.estimate
    }

    fn compare(a: &CsatResult, b: &CsatResult, opts: &CsatOptions) -> Result<TestResult> {
        check_same_scale("CSAT", a.scale, b.scale)?;
        if a.satisfied_from != b.satisfied_from {
            return Err(Error::Incompatible(format!(
                "the two CSAT results count different points as satisfied ({}+ and {}+): their shares \
                 measure different things",
                a.satisfied_from, b.satisfied_from
            )));
        }
        let (x, y) = (&a.satisfied, &b.satisfied);
        let t = TestOptions {
            confidence: opts.confidence,
        };
        two_proportion_test(x.successes, x.n, y.successes, y.n, &t)
    }
}
