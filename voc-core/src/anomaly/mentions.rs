//! Seasonal alerts on the theme mention counts of a [`MentionState`]: one series per channel × theme
//! over the periods of the state, so the alerts run per batch and on Dask (merge the partitions'
//! states, then alert on the merged state).

use super::{AlertOptions, AlertRow, seasonal_alerts};
use crate::error::{Error, Result};
use crate::text::{ChannelLabels, MentionOptions, MentionState};
use crate::time::Period;

/// The most channel × theme × period cells [`mention_alerts`] takes: 20,000,000 (160 MB of counts).
pub const MAX_CELLS: usize = 20_000_000;

/// One period of one channel × theme series of [`mention_alerts`].
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct MentionAlertRow {
    /// Channel code (indexes [`MentionAlerts::channels`]; 0 without channels).
    pub channel: u32,
    /// Theme index (into [`MentionState::themes`]).
    pub theme: u32,
    /// Period index ([`Period::index`] of [`MentionAlerts::period`]).
    pub period: i64,
    /// Texts of the channel in the period (0 when it had none).
    pub texts: u64,
    /// The alert row: `observed` is the theme's mentions.
    pub row: AlertRow,
}

/// The alerts of every channel × theme of a [`MentionState`].
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct MentionAlerts {
    /// Rows ordered by channel, theme, period.
    pub rows: Vec<MentionAlertRow>,
    /// The channel labels in the state's label order (`None` without channels).
    pub channels: Option<ChannelLabels>,
    /// The period of the state.
    pub period: Period,
}

/// Seasonal alerts ([`seasonal_alerts`]) on the mentions of each theme per channel: each series runs
/// over every period from the state's first to its last (a period without texts counts 0 mentions).
/// With `per_text`, the channel's texts per period are the population offset, so the rate of
/// mentions per text is monitored and every period of every channel must have texts.
///
/// The state must have been counted per period ([`MentionSettings::period`](crate::text::MentionSettings)).
///
/// ```
/// use voc_core::anomaly::{AlertOptions, mention_alerts};
/// use voc_core::text::{MentionSettings, MentionState, MentionStateBatch, Taxonomy, ThemeMatcher};
/// use voc_core::time::Period;
/// let mut tax = Taxonomy::new();
/// tax.add("refund", "Refund", &["refund"], &[])?;
/// let m = ThemeMatcher::new(tax)?;
/// let mut s = MentionState::new(m.taxonomy(), MentionSettings::default().period(Some(Period::Week)));
/// // 20 weeks with 3 refund texts of 10, then a week with 9.
/// let mut texts = Vec::new();
/// let mut weeks = Vec::new();
/// for w in 0..21i64 {
///     let k = if w == 20 { 9 } else { 3 };
///     for j in 0..10 {
///         texts.push(if j < k { "refund please" } else { "thanks" });
///         weeks.push(2_900 + w);
///     }
/// }
/// let sets = m.themes_batch(&texts, true)?;
/// s.update(MentionStateBatch::new(&sets).periods(&weeks))?;
/// let a = mention_alerts(&s, &AlertOptions::default(), false)?;
/// let last = &a.rows[a.rows.len() - 1];
/// assert_eq!((last.period, last.row.observed, last.row.alert), (2_920, 9.0, true));
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn mention_alerts(
    state: &MentionState,
    opts: &AlertOptions,
    per_text: bool,
) -> Result<MentionAlerts> {
    let Some(period) = state.settings().period else {
        return Err(Error::option(
            "period",
            "None",
            "alerts need a mention state counted per period (time= and period=)",
        ));
    };
    opts.validate()?;
    let table = state.finish(&MentionOptions::default())?;
    let (mut lo, mut hi) = (i64::MAX, i64::MIN);
    for r in &table.rows {
        if let Some(p) = r.period {
            lo = lo.min(p);
            hi = hi.max(p);
        }
    }
    if lo > hi {
        return Err(Error::Empty {
            arg: "state",
            what: "no periods to alert on",
        });
    }
    let span = hi
        .checked_sub(lo)
        .and_then(|d| usize::try_from(d).ok())
        .and_then(|d| d.checked_add(1))
        .filter(|&d| d <= super::MAX_PERIODS)
        .ok_or_else(|| {
            Error::too_large(
                "time",
                format!("{} to {}", period.label(lo), period.label(hi)),
                super::MAX_PERIODS,
                "periods from the first text to the last",
            )
        })?;
    let n_themes = state.themes().len();
    let n_channels = table.channels.as_ref().map_or(1, ChannelLabels::len).max(1);
    let cells = n_channels
        .checked_mul(n_themes.max(1))
        .and_then(|x| x.checked_mul(span))
        .unwrap_or(usize::MAX);
    if cells > MAX_CELLS {
        return Err(Error::too_large(
            "state",
            cells,
            MAX_CELLS,
            "channels × themes × periods to alert on; alert on fewer channels or a coarser period",
        ));
    }
    // counts[channel][theme][period], texts[channel][period]
    let mut counts = vec![vec![vec![0.0; span]; n_themes]; n_channels];
    let mut texts = vec![vec![0u64; span]; n_channels];
    for r in &table.rows {
        let (Some(p), Some(c)) = (r.period, counts.get_mut(r.channel as usize)) else {
            continue;
        };
        let j = (p - lo) as usize;
        if let Some(v) = c.get_mut(r.theme as usize).and_then(|t| t.get_mut(j)) {
            *v = r.mentions as f64;
        }
        if let Some(v) = texts.get_mut(r.channel as usize).and_then(|t| t.get_mut(j)) {
            *v = r.texts;
        }
    }
    let series: Vec<(usize, usize)> = (0..n_channels)
        .flat_map(|c| (0..n_themes).map(move |t| (c, t)))
        .collect();
    let one = |&(c, t): &(usize, usize)| -> Result<Vec<MentionAlertRow>> {
        crate::interrupt::check()?;
        let pop: Option<Vec<f64>> = per_text.then(|| texts[c].iter().map(|&n| n as f64).collect());
        let rows = seasonal_alerts(&counts[c][t], lo, period, pop.as_deref(), opts).map_err(
            |e| match e {
                Error::InvalidValue {
                    arg: "population",
                    index,
                    value,
                    ..
                } => Error::InvalidValue {
                    arg: "texts",
                    index,
                    value,
                    reason: "a period without texts in a channel cannot be a rate's offset (per_text)",
                },
                e => e,
            },
        )?;
        Ok(rows
            .into_iter()
            .map(|row| MentionAlertRow {
                channel: c as u32,
                theme: t as u32,
                period: lo + row.index as i64,
                texts: texts[c][row.index],
                row,
            })
            .collect())
    };
    #[cfg(feature = "parallel")]
    let parts: Vec<Vec<MentionAlertRow>> = {
        use rayon::prelude::*;
        crate::interrupt::watch(|| series.par_iter().map(one).collect::<Result<Vec<_>>>())?
    };
    #[cfg(not(feature = "parallel"))]
    let parts: Vec<Vec<MentionAlertRow>> = series.iter().map(one).collect::<Result<Vec<_>>>()?;
    Ok(MentionAlerts {
        rows: parts.into_iter().flatten().collect(),
        channels: table.channels,
        period,
    })
}
