//! A seeded percentile-bootstrap interval for the Qini coefficient.

#[cfg(feature = "parallel")]
use rayon::prelude::*;

use super::check::{Arms, arms, descending, scores};
use super::curves::{AucScore, Kind, perfect_qini_scores, points, qini_auc, trapezoid};
use crate::error::{Error, Result};
use crate::stats::rng::Rng;
use crate::stats::{Interval, Method, check_confidence, quantile_sorted};

/// The most bootstrap resamples [`qini_bootstrap`] accepts: 100,000 (each costs a pass over the rows).
pub const MAX_UPLIFT_RESAMPLES: usize = 100_000;

/// Options of [`qini_bootstrap`].
///
/// ```
/// use voc_core::uplift::QiniBootstrapOptions;
/// let o = QiniBootstrapOptions::default();
/// assert_eq!((o.resamples, o.confidence, o.seed, o.negative_effect), (1000, 0.95, 0, true));
/// assert!(QiniBootstrapOptions::default().resamples(10).validate().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct QiniBootstrapOptions {
    /// Resamples, 100 to [`MAX_UPLIFT_RESAMPLES`] (default 1000).
    pub resamples: usize,
    /// Confidence level of the interval (default 0.95).
    pub confidence: f64,
    /// Seed of the resamples (default 0): the same seed gives the same interval on any machine and
    /// any number of threads.
    pub seed: u64,
    /// The perfect curve with negative effects (default true; see [`qini_auc`]).
    pub negative_effect: bool,
}

impl Default for QiniBootstrapOptions {
    fn default() -> Self {
        QiniBootstrapOptions {
            resamples: 1000,
            confidence: 0.95,
            seed: 0,
            negative_effect: true,
        }
    }
}

crate::setters!(QiniBootstrapOptions {
    resamples: usize,
    confidence: f64,
    seed: u64,
    negative_effect: bool
});

impl QiniBootstrapOptions {
    /// Checks the options.
    pub fn validate(&self) -> Result<()> {
        if self.resamples < 100 {
            return Err(Error::option(
                "resamples",
                self.resamples,
                "must be at least 100",
            ));
        }
        if self.resamples > MAX_UPLIFT_RESAMPLES {
            return Err(Error::too_large(
                "resamples",
                self.resamples,
                MAX_UPLIFT_RESAMPLES,
                "each resample is a pass over the rows",
            ));
        }
        check_confidence(self.confidence).map(|_| ())
    }
}

/// The Qini coefficient with a bootstrap interval.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct QiniInterval {
    /// The coefficient on the data (as [`qini_auc`]).
    pub score: AucScore,
    /// Percentile interval of the resampled coefficients.
    pub ci: Interval,
    /// Standard deviation of the resampled coefficients.
    pub se: f64,
    /// Resamples whose coefficient was defined (those where no ranking could beat chance are left out).
    pub resamples: usize,
    /// Resamples left out as undefined.
    pub n_undefined: usize,
}

/// A seeded, stratified percentile bootstrap of the Qini coefficient: each resample draws the treated
/// rows from the treated and the controls from the controls (so both arms keep their sizes), with
/// replacement, and ranks them by their `uplift` scores; the interval is the percentiles of the
/// resampled coefficients. Resample `b` draws from ChaCha8 stream `b` of `seed`, so the interval does
/// not depend on the threads. The loop stops on an interrupt ([`crate::interrupt`]).
///
/// ```
/// use voc_core::uplift::{QiniBootstrapOptions, qini_bootstrap};
/// let y: Vec<f64> = (0..200).map(|i| f64::from(u8::from(i % 3 == 0 || (i % 2 == 0 && i < 100)))).collect();
/// let t: Vec<f64> = (0..200).map(|i| f64::from(i % 2)).collect();
/// let u: Vec<f64> = (0..200).map(|i| -f64::from(i)).collect();
/// let q = qini_bootstrap(&y, &t, &u, &QiniBootstrapOptions::default().resamples(200).seed(3))?;
/// assert!(q.ci.low < q.ci.high);
/// assert_eq!(q.resamples + q.n_undefined, 200);
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn qini_bootstrap(
    outcome: &[f64],
    treatment: &[f64],
    uplift: &[f64],
    opts: &QiniBootstrapOptions,
) -> Result<QiniInterval> {
    opts.validate()?;
    let score = qini_auc(outcome, treatment, uplift, opts.negative_effect)?;
    Rng::seeded(opts.seed, "seed")?;
    let a: Arms = arms(outcome, treatment)?;
    scores("uplift", uplift, outcome.len())?;
    let n = outcome.len();
    let order = descending(uplift);
    let perfect = perfect_qini_scores(outcome, treatment);
    let perfect_order = descending(&perfect);
    let (treated, control): (Vec<usize>, Vec<usize>) = (0..n).partition(|&i| treatment[i] == 1.0);
    let one = |b: usize| -> Result<Option<f64>> {
        crate::interrupt::check()?;
        let mut rng = Rng::seeded(opts.seed, "seed")?;
        rng.set_stream(b as u64);
        let mut counts = vec![0u32; n];
        for arm in [&treated, &control] {
            for _ in 0..arm.len() {
                if let Some(&i) = arm.get(rng.below(arm.len())) {
                    counts[i] += 1;
                }
            }
        }
        let w = Some(&counts[..]);
        let actual = points(Kind::Qini, &order, uplift, outcome, treatment, w);
        let (x_end, y_end, perfect_area) = if opts.negative_effect {
            let c = points(Kind::Qini, &perfect_order, &perfect, outcome, treatment, w);
            let (x, y) = (
                c.targeted.last().copied().unwrap_or(0.0),
                c.value.last().copied().unwrap_or(0.0),
            );
            (x, y, trapezoid(&c.targeted, &c.value))
        } else {
            let (mut yt, mut yc) = (0.0, 0.0);
            for (i, &m) in counts.iter().enumerate() {
                let y = f64::from(m) * outcome[i];
                if treatment[i] == 1.0 {
                    yt += y
                } else {
                    yc += y
                }
            }
            let r = yt - a.n_treated as f64 * yc / a.n_control as f64;
            if r < 0.0 {
                return Ok(None);
            }
            let nf = n as f64;
            (nf, r, trapezoid(&[0.0, r, nf], &[0.0, r, r]))
        };
        let random = trapezoid(&[0.0, x_end], &[0.0, y_end]);
        let best = perfect_area - random;
        if best == 0.0 {
            return Ok(None);
        }
        Ok(Some(
            (trapezoid(&actual.targeted, &actual.value) - random) / best,
        ))
    };
    #[cfg(feature = "parallel")]
    let reps: Vec<Result<Option<f64>>> =
        crate::interrupt::watch(|| Ok((0..opts.resamples).into_par_iter().map(one).collect()))?;
    #[cfg(not(feature = "parallel"))]
    let reps: Vec<Result<Option<f64>>> = (0..opts.resamples).map(one).collect();
    let mut values = Vec::with_capacity(reps.len());
    for r in reps {
        if let Some(v) = r? {
            values.push(v);
        }
    }
    let n_undefined = opts.resamples - values.len();
    if values.len() < 2 {
        return Err(Error::InsufficientData(format!(
            "{n_undefined} of {} resamples had no defined Qini coefficient",
            opts.resamples
        )));
    }
    let mean = values.iter().sum::<f64>() / values.len() as f64;
    let se =
        (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (values.len() - 1) as f64).sqrt();
    values.sort_unstable_by(f64::total_cmp);
    let alpha = 1.0 - opts.confidence;
    Ok(QiniInterval {
        score,
        ci: Interval {
            low: quantile_sorted(&values, alpha / 2.0),
            high: quantile_sorted(&values, 1.0 - alpha / 2.0),
            level: opts.confidence,
            method: Method::Bootstrap,
        },
        se,
        resamples: values.len(),
        n_undefined,
    })
}
