//! Segment profiles: size, churn with a Wilson interval, NPS with its interval, value, revenue at risk and
//! the top complaint themes of each segment.
//!
//! Churn rate and its interval come from [`crate::stats::share`] (Wilson by default); NPS and its
//! interval from [`crate::metrics::NpsState`] (Rocks 2016 adjusted Wald by default) over the customers
//! who answered. Revenue at risk is Σ value × churn over the segment: with 0/1 churn labels the value of
//! the customers who churned, with churn probabilities the expected value lost.

use crate::MissingPolicy;
use crate::error::{Error, Result, check_len};
use crate::metrics::{Batch, NpsOptions, NpsState};
use crate::stats::{Interval, IntervalOptions, NeumaierSum, ShareInterval, share};

/// Profile options.
///
/// ```
/// use voc_core::segment::ProfileOptions;
/// assert_eq!(ProfileOptions::default().top_themes, 3);
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct ProfileOptions {
    /// Confidence level of the churn and NPS intervals (default 0.95).
    pub confidence: f64,
    /// Interval method of the churn rate (default Wilson).
    pub churn_interval: ShareInterval,
    /// NPS options (the confidence level is taken from `confidence`).
    pub nps: NpsOptions,
    /// How many complaint themes to list per segment (default 3).
    pub top_themes: usize,
}

impl Default for ProfileOptions {
    fn default() -> Self {
        ProfileOptions {
            confidence: 0.95,
            churn_interval: ShareInterval::Wilson,
            nps: NpsOptions::default(),
            top_themes: 3,
        }
    }
}

crate::setters!(ProfileOptions {
    confidence: f64,
    churn_interval: ShareInterval,
    nps: NpsOptions,
    top_themes: usize
});

/// The columns a profile reads; all but `segment` are optional.
///
/// ```
/// use voc_core::segment::ProfileInput;
/// let seg = [0_u32, 1];
/// let names = ["a".to_string(), "b".to_string()];
/// let input = ProfileInput::new(&seg, &names);
/// assert!(input.churn.is_none());
/// ```
#[derive(Debug, Clone, Copy)]
pub struct ProfileInput<'a> {
    /// Segment code of each customer (index into `names`).
    pub segment: &'a [u32],
    /// Segment names; every segment gets a row, empty ones too.
    pub names: &'a [String],
    /// Churn per customer: a 0/1 label or a probability in [0, 1].
    pub churn: Option<&'a [f64]>,
    /// Value per customer (monetary or CLV; finite).
    pub value: Option<&'a [f64]>,
    /// Latest NPS answer per customer (0–10; NaN = no answer).
    pub nps: Option<&'a [f64]>,
    /// Complaint theme counts per customer, by theme name (NaN counts as 0).
    pub themes: &'a [(&'a str, &'a [f64])],
}

impl<'a> ProfileInput<'a> {
    /// Only segments; add the other columns by field.
    ///
    /// ```
    /// use voc_core::segment::ProfileInput;
    /// let names = ["a".to_string()];
    /// let input = ProfileInput { churn: Some(&[1.0]), ..ProfileInput::new(&[0], &names) };
    /// assert!(input.churn.is_some());
    /// ```
    pub fn new(segment: &'a [u32], names: &'a [String]) -> Self {
        ProfileInput {
            segment,
            names,
            churn: None,
            value: None,
            nps: None,
            themes: &[],
        }
    }
}

/// One segment's profile. Undefined numbers are NaN, each explained by a count or a missing input: an
/// empty segment (`size` 0: rates and means), no NPS answers (`nps_n` 0: `nps`), no churn or value
/// column (the numbers made from it). Every other number is finite: [`profile`] rejects sums that
/// overflow.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct SegmentProfile {
    /// Segment name.
    pub name: String,
    /// Customers in the segment.
    pub size: u64,
    /// Share of all customers.
    pub share: f64,
    /// Churners (sum of the churn column).
    pub churned: f64,
    /// Churn rate.
    pub churn_rate: f64,
    /// Interval of the churn rate (None when undefined).
    pub churn_ci: Option<Interval>,
    /// NPS answers.
    pub nps_n: u64,
    /// NPS in points.
    pub nps: f64,
    /// Interval of the NPS (None when undefined).
    pub nps_ci: Option<Interval>,
    /// Mean value.
    pub mean_value: f64,
    /// Total value.
    pub total_value: f64,
    /// Σ value × churn.
    pub revenue_at_risk: f64,
    /// The segment's most frequent complaint themes with their ticket counts (largest first; ties in
    /// theme order; themes with no tickets left out).
    pub top_themes: Vec<(String, f64)>,
}

fn check_values(arg: &'static str, v: &[f64], lo: f64, hi: f64, nan_ok: bool) -> Result<()> {
    for (i, &x) in v.iter().enumerate() {
        if x.is_nan() {
            if nan_ok {
                continue;
            }
            return Err(Error::Missing { arg, index: i });
        }
        if !x.is_finite() {
            return Err(Error::NonFinite {
                arg,
                index: i,
                value: x,
            });
        }
        if x < lo || x > hi {
            return Err(Error::InvalidValue {
                arg,
                index: i,
                value: x,
                reason: if hi <= 1.0 {
                    "must lie in [0, 1]"
                } else {
                    "must be ≥ 0"
                },
            });
        }
    }
    Ok(())
}

/// One row per segment (in `names` order; empty segments included).
///
/// ```
/// use voc_core::segment::{profile, ProfileInput, ProfileOptions};
/// let seg = [0_u32, 0, 0, 1];
/// let names = ["a".to_string(), "b".to_string(), "empty".to_string()];
/// let churn = [1.0, 0.0, 0.0, 1.0];
/// let value = [100.0, 50.0, 30.0, 10.0];
/// let nps = [10.0, 3.0, f64::NAN, 9.0];
/// let refund = [2.0, 0.0, 1.0, 0.0];
/// let themes = [("refund", &refund[..])];
/// let input = ProfileInput { churn: Some(&churn), value: Some(&value), nps: Some(&nps),
///                            themes: &themes, ..ProfileInput::new(&seg, &names) };
/// let p = profile(&input, &ProfileOptions::default())?;
/// assert_eq!((p[0].size, p[0].churn_rate, p[0].revenue_at_risk), (3, 1.0 / 3.0, 100.0));
/// assert_eq!((p[0].nps_n, p[0].nps), (2, 0.0));
/// assert_eq!(p[0].top_themes, vec![("refund".to_string(), 3.0)]);
/// assert_eq!(p[2].size, 0);
/// assert!(p[2].churn_rate.is_nan() && p[2].churn_ci.is_none());
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn profile(input: &ProfileInput<'_>, opts: &ProfileOptions) -> Result<Vec<SegmentProfile>> {
    crate::stats::check_confidence(opts.confidence)?;
    let n = input.segment.len();
    let k = input.names.len();
    if let Some((i, &s)) = input
        .segment
        .iter()
        .enumerate()
        .find(|&(_, &s)| s as usize >= k)
    {
        return Err(Error::InvalidValue {
            arg: "segment",
            index: i,
            value: f64::from(s),
            reason: "is not the code of a named segment",
        });
    }
    if let Some(c) = input.churn {
        check_len("segment", n, "churn", c.len())?;
        check_values("churn", c, 0.0, 1.0, false)?;
    }
    if let Some(v) = input.value {
        check_len("segment", n, "value", v.len())?;
        check_values("value", v, f64::NEG_INFINITY, f64::INFINITY, false)?;
    }
    for (_, t) in input.themes {
        check_len("segment", n, "theme counts", t.len())?;
        check_values("theme counts", t, 0.0, f64::INFINITY, true)?;
    }
    let mut size = vec![0_u64; k];
    let mut churned = vec![NeumaierSum::default(); k];
    let mut value = vec![NeumaierSum::default(); k];
    let mut at_risk = vec![NeumaierSum::default(); k];
    let mut themes = vec![vec![0.0; input.themes.len()]; k];
    for (i, &s) in input.segment.iter().enumerate() {
        let s = s as usize;
        size[s] += 1;
        let c = input.churn.map(|c| c[i]);
        if let Some(c) = c {
            churned[s].add(c);
        }
        if let Some(v) = input.value {
            value[s].add(v[i]);
            if let Some(c) = c {
                at_risk[s].add(v[i] * c);
            }
        }
        for (t, (_, col)) in input.themes.iter().enumerate() {
            if !col[i].is_nan() {
                themes[s][t] += col[i];
            }
        }
    }
    // Sums of finite values can still overflow: name the column rather than return an infinity.
    for s in 0..k {
        if !(value[s].value().is_finite() && at_risk[s].value().is_finite()) {
            let v = input.value.map_or(f64::NAN, |v| {
                v.iter()
                    .copied()
                    .fold(0.0_f64, |m, x| if x.abs() > m.abs() { x } else { m })
            });
            return Err(Error::too_large(
                "value",
                format!("{v:e}"),
                format!("{:e}", f64::MAX),
                format!(
                    "the total value of segment {:?} overflows a double; give the values in larger units",
                    input.names[s]
                ),
            ));
        }
        if let Some(t) = themes[s].iter().position(|c| !c.is_finite()) {
            return Err(Error::too_large(
                "theme counts",
                input.themes.get(t).map_or("?", |(name, _)| name),
                format!("{:e}", f64::MAX),
                format!(
                    "the theme's count in segment {:?} overflows a double",
                    input.names[s]
                ),
            ));
        }
    }
    let mut nps_state = NpsState::new();
    if let Some(scores) = input.nps {
        check_len("segment", n, "nps", scores.len())?;
        nps_state.update_batch(
            Batch::new(scores)
                .groups(input.segment)
                .missing(MissingPolicy::Skip),
        )?;
    }
    let nps_opts = NpsOptions {
        confidence: opts.confidence,
        ..opts.nps.clone()
    };
    let churn_opts = IntervalOptions {
        confidence: opts.confidence,
        method: opts.churn_interval,
    };
    let groups = nps_state.tally().groups();
    (0..k)
        .map(|s| {
            let (churn_rate, churn_ci) = match input.churn {
                Some(_) if size[s] > 0 => {
                    let sh = share(
                        churned[s].value().clamp(0.0, size[s] as f64),
                        size[s] as f64,
                        &churn_opts,
                    )?;
                    (sh.estimate, Some(sh.ci))
                }
                _ => (f64::NAN, None),
            };
            let nps_n = if s < groups {
                nps_state.tally().cell(s).n()
            } else {
                0
            };
            let (nps, nps_ci) = if nps_n > 0 {
                let r = nps_state.finish_group(s as u32, &nps_opts)?;
                (r.nps, Some(r.ci))
            } else {
                (f64::NAN, None)
            };
            let total_value = if input.value.is_some() {
                value[s].value()
            } else {
                f64::NAN
            };
            let mut order: Vec<usize> = (0..input.themes.len())
                .filter(|&t| themes[s][t] > 0.0)
                .collect();
            order.sort_by(|&a, &b| themes[s][b].total_cmp(&themes[s][a]));
            let top_themes = order
                .into_iter()
                .take(opts.top_themes)
                .filter_map(|t| {
                    input
                        .themes
                        .get(t)
                        .map(|(name, _)| ((*name).to_owned(), themes[s][t]))
                })
                .collect();
            Ok(SegmentProfile {
                name: input.names[s].clone(),
                size: size[s],
                share: if n > 0 {
                    size[s] as f64 / n as f64
                } else {
                    f64::NAN
                },
                churned: if input.churn.is_some() {
                    churned[s].value()
                } else {
                    f64::NAN
                },
                churn_rate,
                churn_ci,
                nps_n,
                nps,
                nps_ci,
                mean_value: if size[s] > 0 {
                    total_value / size[s] as f64
                } else {
                    f64::NAN
                },
                total_value,
                revenue_at_risk: if input.churn.is_some() && input.value.is_some() {
                    at_risk[s].value()
                } else {
                    f64::NAN
                },
                top_themes,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn churn_ci_is_wilson_and_bad_input_is_named() -> Result<()> {
        let seg = vec![0_u32; 50];
        let names = ["all".to_string()];
        let churn: Vec<f64> = (0..50).map(|i| if i < 7 { 1.0 } else { 0.0 }).collect();
        let p = profile(
            &ProfileInput {
                churn: Some(&churn),
                ..ProfileInput::new(&seg, &names)
            },
            &ProfileOptions::default(),
        )?;
        // scipy.stats.binomtest(7, 50).proportion_ci(method="wilson")
        let ci = p[0].churn_ci.ok_or(Error::InsufficientData("ci".into()))?;
        assert!((ci.low - 0.06950833427016292).abs() < 1e-12);
        assert!((ci.high - 0.26186193710585537).abs() < 1e-12);
        assert!(p[0].nps.is_nan());
        let mut bad = churn.clone();
        bad[4] = 2.0;
        let e = profile(
            &ProfileInput {
                churn: Some(&bad),
                ..ProfileInput::new(&seg, &names)
            },
            &ProfileOptions::default(),
        );
        assert!(matches!(
            e,
            Err(Error::InvalidValue {
                arg: "churn",
                index: 4,
                ..
            })
        ));
        let e = profile(
            &ProfileInput::new(&[0, 1], &names),
            &ProfileOptions::default(),
        );
        assert!(matches!(
            e,
            Err(Error::InvalidValue {
                arg: "segment",
                index: 1,
                ..
            })
        ));
        Ok(())
    }

    #[test]
    fn nps_matches_the_metric() -> Result<()> {
        let seg = [0_u32, 0, 0, 0, 1];
        let names = ["a".to_string(), "b".to_string()];
        let nps = [10.0, 9.0, 7.0, 2.0, f64::NAN];
        let p = profile(
            &ProfileInput {
                nps: Some(&nps),
                ..ProfileInput::new(&seg, &names)
            },
            &ProfileOptions::default(),
        )?;
        let mut s = NpsState::new();
        s.update(&[10.0, 9.0, 7.0, 2.0])?;
        let r = s.finish(&NpsOptions::default())?;
        assert_eq!(p[0].nps, r.nps);
        assert_eq!(p[0].nps_ci, Some(r.ci));
        assert_eq!((p[1].nps_n, p[1].nps_ci), (0, None));
        Ok(())
    }
}
