//! Net Promoter Score: detractors 0–6, passives 7–8, promoters 9–10; NPS = %promoters − %detractors.
//!
//! Variance and intervals follow Rocks (2016), "Interval estimation for the Net Promoter Score",
//! *The American Statistician* 70(4): per-response variance (p₊ + p₋) − (p₊ − p₋)² (R package `NPS`,
//! `npvar`), the Wald interval and test of `nps.test`, and the adjusted Wald interval (¾ added to the
//! promoter and detractor counts and 3 to n). NPS, its SE and intervals are reported in points (−100..100);
//! shares are proportions (0..1).

use crate::stats::quantile_sorted;
use crate::stats::rng::Rng;

use super::state::{Metric, Responses, SurveyState};
use super::tally::{Cell, MetricKind, Scale};
use crate::error::{Error, Result};
use crate::stats::dist::normal_quantile;
use crate::stats::{Interval, Method, TestResult, check_confidence, z_test};

/// The NPS metric (see the module docs); use it through [`NpsState`] and the [`Metric`] trait.
///
/// ```
/// use voc_core::metrics::{Metric, Nps, NpsOptions, NpsState};
/// let mut s = NpsState::new();
/// s.update(&[10_u8, 0])?;
/// assert_eq!(Nps::headline(&s.finish(&NpsOptions::default())?), 0.0);
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Nps;

/// A mergeable NPS state (see [`SurveyState`]).
///
/// ```
/// let mut s = voc_core::metrics::NpsState::new();
/// assert!(s.update(&[11_u8]).is_err());
/// ```
pub type NpsState = SurveyState<Nps>;

/// Interval method for a single NPS.
///
/// ```
/// use voc_core::metrics::{NpsInterval, NpsOptions, NpsState};
/// let mut s = NpsState::new();
/// s.update(&[10_u8; 20])?;
/// let wald = s.finish(&NpsOptions::default().interval(NpsInterval::Wald))?;
/// let adjusted = s.finish(&NpsOptions::default())?;
/// assert_eq!(wald.ci.width(), 0.0); // all promoters: the Wald interval collapses...
/// assert!(adjusted.ci.width() > 10.0); // ...the adjusted Wald interval does not
/// # Ok::<(), voc_core::Error>(())
/// ```
///
/// ```
/// use voc_core::metrics::NpsInterval;
/// assert_eq!("adjusted_wald".parse::<NpsInterval>()?, NpsInterval::AdjustedWald);
/// assert_eq!(NpsInterval::Wald.to_string(), "wald");
/// assert!("walt".parse::<NpsInterval>().is_err());
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum NpsInterval {
    /// Rocks (2016) Wald: NPS ± z·√(var/n), as R `NPS::nps.test`.
    Wald,
    /// Rocks (2016) adjusted Wald (default): best coverage in Rocks's evaluation.
    #[default]
    AdjustedWald,
    /// Seeded percentile bootstrap of respondents (multinomial resampling of the three classes).
    Bootstrap,
}

crate::named_enum!(NpsInterval, "interval", {
    Wald => "wald",
    AdjustedWald => "adjusted_wald",
    Bootstrap => "bootstrap",
});

/// Options for NPS results.
///
/// ```
/// use voc_core::metrics::{NpsInterval, NpsOptions, NpsState};
/// let mut s = NpsState::new();
/// s.update(&[10_u8, 9, 3, 7, 8, 10])?;
/// let opts = NpsOptions::default().confidence(0.9).interval(NpsInterval::Bootstrap).resamples(500).seed(7);
/// assert_eq!(s.finish(&opts)?, s.finish(&opts)?); // seeded
/// assert!(s.finish(&NpsOptions::default().confidence(1.5)).is_err());
/// # Ok::<(), voc_core::Error>(())
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct NpsOptions {
    /// Confidence level of intervals and tests (default 0.95).
    pub confidence: f64,
    /// Interval method (default adjusted Wald).
    pub interval: NpsInterval,
    /// Bootstrap resamples (default 2000; used by [`NpsInterval::Bootstrap`]).
    pub resamples: usize,
    /// Bootstrap seed (default 0).
    pub seed: u64,
}
crate::setters!(NpsOptions {
    confidence: f64,
    interval: NpsInterval,
    resamples: usize,
    seed: u64
});

impl Default for NpsOptions {
    fn default() -> Self {
        NpsOptions {
            confidence: 0.95,
            interval: NpsInterval::AdjustedWald,
            resamples: 2000,
            seed: 0,
        }
    }
}

/// An NPS with its interval.
///
/// ```
/// use voc_core::metrics::{NpsOptions, NpsState};
/// let mut s = NpsState::new();
/// s.update(&[10_u8, 9, 8, 6])?;
/// let r = s.finish(&NpsOptions::default())?;
/// assert_eq!((r.promoters, r.passives, r.detractors, r.nps), (2, 1, 1, 25.0));
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct NpsResult {
    /// Response counts, weights, mean score and the 0–10 distribution.
    pub responses: Responses,
    /// Raw count of detractors (0–6).
    pub detractors: u64,
    /// Raw count of passives (7–8).
    pub passives: u64,
    /// Raw count of promoters (9–10).
    pub promoters: u64,
    /// (Weighted) share of detractors.
    pub share_detractors: f64,
    /// (Weighted) share of passives.
    pub share_passives: f64,
    /// (Weighted) share of promoters.
    pub share_promoters: f64,
    /// NPS in points, −100..=100.
    pub nps: f64,
    /// Per-response variance on the −1..1 scale, (p₊ + p₋) − (p₊ − p₋)² (Rocks 2016).
    pub variance: f64,
    /// Standard error in points, 100·√(variance / n_eff).
    pub se: f64,
    /// Confidence interval in points, clipped to −100..=100.
    pub ci: Interval,
}

struct Classes {
    det: f64,
    pro: f64,
    n: f64,
}

impl NpsResult {
    /// The per-response variance in points² (`variance` × 100²), the scale of `nps` and `se`:
    /// `se = √(variance_points / n_eff)`.
    ///
    /// ```
    /// use voc_core::metrics::{Nps, NpsOptions, NpsState};
    /// let mut s = NpsState::new();
    /// s.update(&[10_u8, 9, 9, 8, 7, 6, 3, 10, 9, 10])?;
    /// let r = s.finish(&NpsOptions::default())?;
    /// assert!((r.variance_points() - 10_000.0 * (0.8 - 0.4 * 0.4)).abs() < 1e-9);
    /// assert!((r.se - (r.variance_points() / r.responses.n_eff).sqrt()).abs() < 1e-12);
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn variance_points(&self) -> f64 {
        self.variance * 10_000.0
    }
}

impl Classes {
    fn nps(&self) -> f64 {
        self.pro - self.det
    }
    fn variance(&self) -> f64 {
        (self.pro + self.det) - (self.pro - self.det).powi(2)
    }
    /// Rocks (2016) adjusted Wald: ¾ pseudo-responses added to each of promoters and detractors, 3 to n.
    fn adjusted(&self) -> Classes {
        let n = self.n + 3.0;
        Classes {
            det: (self.det * self.n + 0.75) / n,
            pro: (self.pro * self.n + 0.75) / n,
            n,
        }
    }
}

fn classes(out: &NpsResult) -> Classes {
    Classes {
        det: out.share_detractors,
        pro: out.share_promoters,
        n: out.responses.n_eff,
    }
}

/// A test on the −1..1 scale expressed in NPS points.
fn points(t: TestResult) -> TestResult {
    TestResult {
        difference: 100.0 * t.difference,
        se: 100.0 * t.se,
        ci: t.ci.scaled(100.0),
        ..t
    }
}

fn clip(ci: Interval) -> Interval {
    Interval {
        low: ci.low.max(-100.0),
        high: ci.high.min(100.0),
        ..ci
    }
}

fn wald(c: &Classes, level: f64, method: Method) -> Interval {
    let z = normal_quantile(0.5 + 0.5 * level);
    let half = z * (c.variance() / c.n).sqrt();
    clip(
        Interval {
            low: c.nps() - half,
            high: c.nps() + half,
            level,
            method,
        }
        .scaled(100.0),
    )
}

/// Percentile bootstrap: class counts ~ Multinomial(n, p̂), drawn as two binomials per replicate, which is
/// exactly the distribution of resampling n respondents. Weighted data use n = round(n_eff).
fn bootstrap(c: &Classes, opts: &NpsOptions) -> Result<Interval> {
    let n = c.n.round().max(1.0) as u64;
    let mut rng = Rng::seeded(opts.seed, "interval")?;
    let det = c.det.clamp(0.0, 1.0);
    let pro_given_not_det = if c.det < 1.0 {
        (c.pro / (1.0 - c.det)).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let mut reps = Vec::with_capacity(opts.resamples);
    let mut ticker = crate::interrupt::Ticker::new();
    for _ in 0..opts.resamples {
        ticker.tick()?;
        let d = rng.binomial(n, det, "shares")?;
        let p = rng.binomial(n - d, pro_given_not_det, "shares")?;
        reps.push(100.0 * (p as f64 - d as f64) / n as f64);
    }
    reps.sort_unstable_by(f64::total_cmp);
    let alpha = 1.0 - opts.confidence;
    Ok(Interval {
        low: quantile_sorted(&reps, alpha / 2.0),
        high: quantile_sorted(&reps, 1.0 - alpha / 2.0),
        level: opts.confidence,
        method: Method::Bootstrap,
    })
}

impl Metric for Nps {
    const KIND: MetricKind = MetricKind::Nps;
    type Options = NpsOptions;
    type Output = NpsResult;

    fn default_scale() -> Scale {
        Scale { min: 0, max: 10 }
    }

    fn check_scale(scale: Scale) -> Result<()> {
        if scale == Self::default_scale() {
            Ok(())
        } else {
            Err(Error::option(
                "scale",
                format!("({}, {})", scale.min, scale.max),
                "NPS is defined on 0..=10 only",
            ))
        }
    }

    fn validate(opts: &NpsOptions, _scale: Scale) -> Result<()> {
        check_confidence(opts.confidence)?;
        if opts.interval == NpsInterval::Bootstrap && !(100..=1_000_000).contains(&opts.resamples) {
            return Err(Error::option(
                "resamples",
                opts.resamples,
                "must lie in 100..=1000000",
            ));
        }
        Ok(())
    }

    fn finish(cell: &Cell<'_>, opts: &NpsOptions) -> Result<NpsResult> {
        let (responses, _) = Responses::of(cell)?;
        let c = Classes {
            det: cell.share_between(0, 6),
            pro: cell.share_between(9, 10),
            n: responses.n_eff,
        };
        let ci = match opts.interval {
            NpsInterval::Wald => wald(&c, opts.confidence, Method::Wald),
            NpsInterval::AdjustedWald => wald(&c.adjusted(), opts.confidence, Method::AdjustedWald),
            NpsInterval::Bootstrap => bootstrap(&c, opts)?,
        };
        Ok(NpsResult {
            detractors: cell.count_between(0, 6),
            passives: cell.count_between(7, 8),
            promoters: cell.count_between(9, 10),
            share_detractors: c.det,
            share_passives: cell.share_between(7, 8),
            share_promoters: c.pro,
            nps: 100.0 * c.nps(),
            variance: c.variance(),
            se: 100.0 * (c.variance() / c.n).sqrt(),
            ci,
            responses,
        })
    }

    fn headline(out: &NpsResult) -> f64 {
        out.nps
    }

    /// Two-sample Wald z-test of R `NPS::nps.test` (signed difference a − b, in points).
    fn compare(a: &NpsResult, b: &NpsResult, opts: &NpsOptions) -> Result<TestResult> {
        check_confidence(opts.confidence)?;
        let (ca, cb) = (classes(a), classes(b));
        let se = (ca.variance() / ca.n + cb.variance() / cb.n).sqrt();
        if !(se > 0.0) {
            return Err(Error::InsufficientData(
                "both NPS samples have zero variance (one class only)".into(),
            ));
        }
        Ok(points(z_test(ca.nps() - cb.nps(), se, se, opts.confidence)))
    }
}

/// One-sample Wald z-test of an NPS against a null value in points (R `NPS::nps.test` tests against 0).
///
/// Of the options only [`confidence`](NpsOptions::confidence) is used (the level of the test's
/// interval); it is checked here, as by [`Metric::compare`].
///
/// ```
/// use voc_core::metrics::{nps_test, NpsOptions, NpsState};
/// let mut s = NpsState::new();
/// let answers = [10_u8, 10, 9, 9, 8, 7, 3, 10, 9, 2];
/// s.update(&answers)?;
/// let opts = NpsOptions::default();
/// let t = nps_test(&s.finish(&opts)?, 0.0, &opts)?;
/// // R: nps.test(answers) gives p = 0.1138463: ten answers cannot show that +40 differs from 0...
/// assert!((t.difference - 40.0).abs() < 1e-9 && (t.p_value - 0.113846298).abs() < 1e-8);
/// // ...forty answers with the same distribution can.
/// for _ in 0..3 { s.update(&answers)?; }
/// assert!(nps_test(&s.finish(&opts)?, 0.0, &opts)?.p_value < 0.05);
/// // the interval of the difference at another level; the p-value does not depend on it
/// let t90 = nps_test(&s.finish(&opts)?, 0.0, &NpsOptions::default().confidence(0.9))?;
/// assert_eq!(t90.ci.level, 0.9);
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn nps_test(result: &NpsResult, null_points: f64, opts: &NpsOptions) -> Result<TestResult> {
    check_confidence(opts.confidence)?;
    if !(-100.0..=100.0).contains(&null_points) {
        return Err(Error::option(
            "null",
            null_points,
            "an NPS lies in -100..=100",
        ));
    }
    let c = classes(result);
    let se = (c.variance() / c.n).sqrt();
    if !(se > 0.0) {
        return Err(Error::InsufficientData(
            "the NPS sample has zero variance (one class only)".into(),
        ));
    }
    Ok(points(z_test(
        c.nps() - null_points / 100.0,
        se,
        se,
        opts.confidence,
    )))
}
