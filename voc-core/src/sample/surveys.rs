//! Survey answers of a fashion e-commerce retailer: NPS, CSAT and CES per response, with segment,
//! channel and time, and two planted changes that an analysis should find.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};

use crate::error::{Error, Result};
use crate::time::{Period, days_from_civil};

/// Customer segments, in code order.
///
/// ```
/// assert_eq!(voc_core::sample::SEGMENTS[2], "vip");
/// ```
pub const SEGMENTS: [&str; 3] = ["new", "regular", "vip"];
/// Survey channels, in code order.
///
/// ```
/// assert_eq!(voc_core::sample::CHANNELS.len(), 4);
/// ```
pub const CHANNELS: [&str; 4] = ["app", "web", "store", "call_center"];

/// Most responses [`surveys`] simulates in one call (100 million, about 6 GB of columns): more is an
/// [`Error::TooLarge`] naming `responses`, before anything is allocated.
///
/// ```
/// use voc_core::sample::{surveys, SurveyOptions, MAX_RESPONSES};
/// let e = surveys(&SurveyOptions::default().responses(MAX_RESPONSES + 1)).unwrap_err();
/// assert!(matches!(e, voc_core::Error::TooLarge { arg: "responses", .. }), "{e}");
/// ```
pub const MAX_RESPONSES: usize = 100_000_000;

/// Latent 0–10 satisfaction lost in the app channel from July (about −15 NPS points).
const APP_SHIFT: f64 = 0.4;

/// Options of [`surveys`].
///
/// ```
/// use voc_core::sample::{surveys, SurveyOptions};
/// assert!(surveys(&SurveyOptions::default().responses(0)).is_err());
/// assert!(SurveyOptions::default().responses(10).seed(1).year(2024).validate().is_ok());
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct SurveyOptions {
    /// Number of responses (default 200,000).
    pub responses: usize,
    /// Seed (default 2026).
    pub seed: u64,
    /// First year of the 12 simulated months, starting in January (default 2025).
    pub year: i32,
}

impl Default for SurveyOptions {
    fn default() -> Self {
        SurveyOptions {
            responses: 200_000,
            seed: 2026,
            year: 2025,
        }
    }
}

impl SurveyOptions {
    /// Checks the options (done once by [`surveys`]).
    pub fn validate(&self) -> Result<()> {
        if self.responses == 0 {
            return Err(Error::option(
                "responses",
                self.responses,
                "must be at least 1",
            ));
        }
        if self.responses > MAX_RESPONSES {
            return Err(Error::too_large(
                "responses",
                self.responses,
                MAX_RESPONSES,
                "simulated survey responses in one call",
            ));
        }
        Ok(())
    }
}

crate::setters!(SurveyOptions {
    responses: usize,
    seed: u64,
    year: i32
});

/// A change planted in the simulated data.
///
/// ```
/// use voc_core::sample::{surveys, SurveyOptions};
/// let s = surveys(&SurveyOptions::default().responses(10))?;
/// assert_eq!(s.planted[0].from_month, "2025-07");
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct PlantedChange {
    /// What changed, in words.
    pub description: String,
    /// Channel affected (index into [`CHANNELS`]).
    pub channel: u32,
    /// First month affected, "YYYY-MM".
    pub from_month: String,
    /// Shift of the latent 0–10 satisfaction (negative = worse).
    pub shift: f64,
}

/// Columns of simulated survey responses (one row per response).
///
/// ```
/// use voc_core::sample::{surveys, SurveyOptions};
/// let s = surveys(&SurveyOptions::default().responses(100))?;
/// assert!(s.csat.iter().all(|&c| (1..=5).contains(&c)) && s.time.len() == 100);
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct SurveySample {
    /// Response time, seconds since 1970-01-01 UTC.
    pub time: Vec<i64>,
    /// Segment code (see [`SEGMENTS`]).
    pub segment: Vec<u32>,
    /// Channel code (see [`CHANNELS`]).
    pub channel: Vec<u32>,
    /// Likelihood to recommend, 0–10.
    pub nps: Vec<u8>,
    /// Satisfaction, 1–5.
    pub csat: Vec<u8>,
    /// Effort ("the company made it easy"), 1–7.
    pub ces: Vec<u8>,
    /// Survey weight correcting the over-sampling of VIP customers (mean 1).
    pub weight: Vec<f64>,
    /// The planted changes.
    pub planted: Vec<PlantedChange>,
}

/// Simulates survey responses over 12 months.
///
/// Planted: from July the app's return/refund flow changes and app NPS falls (latent shift −0.4 points on
/// the 0–10 scale, about −15 NPS points); from October call-centre effort worsens (CES shift about −1.2 on 1–7).
///
/// ```
/// use voc_core::sample::{surveys, SurveyOptions};
/// let a = surveys(&SurveyOptions::default().responses(1000))?;
/// let b = surveys(&SurveyOptions::default().responses(1000))?;
/// assert_eq!(a, b);
/// assert!(a.nps.iter().all(|&s| s <= 10));
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn surveys(opts: &SurveyOptions) -> Result<SurveySample> {
    opts.validate()?;
    let year = i64::from(opts.year);
    let start = days_from_civil(year, 1, 1);
    let days = days_from_civil(year + 1, 1, 1) - start;
    let july = Period::Month.index(days_from_civil(year, 7, 1));
    let october = Period::Month.index(days_from_civil(year, 10, 1));
    let planted = vec![
        PlantedChange {
            description: "app return/refund flow changed: refunds slower, app NPS falls".into(),
            channel: 0,
            from_month: format!("{year:04}-07"),
            shift: -APP_SHIFT,
        },
        PlantedChange {
            description: "call-centre staffing cut: effort rises (CES falls)".into(),
            channel: 3,
            from_month: format!("{year:04}-10"),
            shift: -1.2,
        },
    ];
    let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
    // invariant: constant, valid parameters.
    let noise = Normal::new(0.0, 1.7).map_err(|e| Error::option("noise", 1.7, e.to_string()))?;
    let n = opts.responses;
    let mut out = SurveySample {
        time: Vec::with_capacity(n),
        segment: Vec::with_capacity(n),
        channel: Vec::with_capacity(n),
        nps: Vec::with_capacity(n),
        csat: Vec::with_capacity(n),
        ces: Vec::with_capacity(n),
        weight: Vec::with_capacity(n),
        planted,
    };
    // Sampled shares of segments vs their population shares (VIPs are over-sampled).
    let sampled = [0.35, 0.45, 0.20];
    let population = [0.40, 0.50, 0.10];
    let segment_base = [7.0, 7.6, 8.4];
    let channel_shares = [0.40, 0.30, 0.15, 0.15];
    let channel_base = [0.2, 0.0, 0.4, -0.5];
    let mut ticker = crate::interrupt::Ticker::new();
    for _ in 0..n {
        ticker.tick()?;
        let day = start + rng.random_range(0..days);
        let t = day * 86_400 + rng.random_range(0..86_400);
        let segment = pick(&mut rng, &sampled);
        let channel = pick(&mut rng, &channel_shares);
        let month = Period::Month.index(day);
        let eps: f64 = noise.sample(&mut rng);
        let mut latent: f64 = segment_base[segment] + channel_base[channel] + eps;
        if channel == 0 && month >= july {
            latent -= APP_SHIFT;
        }
        let mut effort: f64 = latent;
        if channel == 3 && month >= october {
            effort -= 2.0;
        }
        let nps = latent.round().clamp(0.0, 10.0) as u8;
        let csat = (1.0 + (latent + 0.6 * noise.sample(&mut rng)) / 2.2)
            .round()
            .clamp(1.0, 5.0) as u8;
        let ces = (1.0 + (effort + 0.8 * noise.sample(&mut rng)) * 0.62)
            .round()
            .clamp(1.0, 7.0) as u8;
        out.time.push(t);
        out.segment.push(segment as u32);
        out.channel.push(channel as u32);
        out.nps.push(nps);
        out.csat.push(csat);
        out.ces.push(ces);
        out.weight.push(population[segment] / sampled[segment]);
    }
    Ok(out)
}

fn pick(rng: &mut ChaCha8Rng, shares: &[f64]) -> usize {
    let u: f64 = rng.random();
    let mut acc = 0.0;
    for (i, s) in shares.iter().enumerate() {
        acc += s;
        if u < acc {
            return i;
        }
    }
    shares.len() - 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::{Batch, Nps, NpsOptions, Scale};
    use crate::metrics::{NpsState, trend};
    use crate::time::TimeUnit;

    #[test]
    fn planted_app_drop_is_found_by_the_trend() {
        let s = surveys(&SurveyOptions::default().responses(60_000)).unwrap();
        let rows = trend::<Nps, _>(
            Scale::new(0, 10).unwrap(),
            Batch::new(&s.nps).groups(&s.channel),
            &s.time,
            TimeUnit::Seconds,
            Period::Month,
            &NpsOptions::default(),
        )
        .unwrap();
        let significant: Vec<_> = rows
            .iter()
            .filter(|r| r.change.is_some_and(|c| c.p_value < 0.001))
            .map(|r| (r.group, r.label.clone()))
            .collect();
        assert_eq!(significant, vec![(0, "2025-07".to_string())], "{rows:#?}");
        let drop = rows
            .iter()
            .find(|r| r.group == 0 && r.label == "2025-07")
            .unwrap()
            .change
            .unwrap()
            .difference;
        assert!((-25.0..-8.0).contains(&drop), "app NPS drop {drop}");
    }

    #[test]
    fn weights_restore_population_segment_shares() {
        let s = surveys(&SurveyOptions::default().responses(50_000)).unwrap();
        let total: f64 = s.weight.iter().sum();
        let vip: f64 = s
            .weight
            .iter()
            .zip(&s.segment)
            .filter(|(_, g)| **g == 2)
            .map(|(w, _)| w)
            .sum();
        assert!((vip / total - 0.10).abs() < 0.01);
        let mut st = NpsState::new();
        st.update(&s.nps).unwrap();
        assert_eq!(
            st.finish(&NpsOptions::default()).unwrap().responses.n,
            50_000
        );
    }
}
