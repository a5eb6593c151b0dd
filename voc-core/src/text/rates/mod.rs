//! Mention rates of themes per channel × period with intervals, share of voice, period-over-period
//! change with a two-proportion test and an alert rule, top keywords among negative texts, and
//! survey-reason shares.
//!
//! Intervals are [`proportion_interval`](crate::stats::proportion_interval) (Wilson by default), changes
//! are [`two_proportion_test`](crate::stats::two_proportion_test), and the family of change tests is
//! adjusted by [`adjust_p_values`](crate::stats::adjust_p_values).

mod counts;
mod keywords;
mod state;
#[cfg(test)]
mod tests;

pub use counts::{MentionBatch, MentionCounts, MentionFinish};
pub use keywords::{KeywordRow, reason_shares, top_keywords};
pub use state::{
    ChannelLabels, LabelOrder, MentionSettings, MentionState, MentionStateBatch, MentionTable,
    MentionTheme,
};

use super::matcher::Sets;
use crate::error::{Error, Result};
use crate::stats::{Adjustment, Interval, ShareInterval, check_confidence};
use crate::time::{Period, TimeUnit};

/// Options of [`MentionCounts::finish`].
///
/// ```
/// let o = voc_core::text::MentionOptions::default();
/// assert_eq!((o.confidence, o.alert_alpha), (0.95, 0.01));
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct MentionOptions {
    /// Confidence level of the rate intervals and change intervals.
    pub confidence: f64,
    /// Interval method of the rates (Wilson by default).
    pub interval: ShareInterval,
    /// Alert rule: a theme's rate rose from the previous period with (adjusted) p below this.
    pub alert_alpha: f64,
    /// Multiple-testing adjustment over every change test of the table (`None`: raw p-values).
    pub adjust: Option<Adjustment>,
    /// Alert rule: at least this many mentions in the current period.
    pub min_mentions: u64,
}

impl Default for MentionOptions {
    fn default() -> Self {
        MentionOptions {
            confidence: 0.95,
            interval: ShareInterval::Wilson,
            alert_alpha: 0.01,
            adjust: Some(Adjustment::Holm),
            min_mentions: 5,
        }
    }
}

impl MentionOptions {
    /// Checks the options (done once by [`MentionCounts::finish`]).
    ///
    /// ```
    /// let o = voc_core::text::MentionOptions::default().alert_alpha(2.0);
    /// assert!(o.validate().is_err());
    /// ```
    pub fn validate(&self) -> Result<()> {
        check_confidence(self.confidence)?;
        if !(self.alert_alpha > 0.0 && self.alert_alpha < 1.0) {
            return Err(Error::option(
                "alert_alpha",
                self.alert_alpha,
                "must lie strictly between 0 and 1",
            ));
        }
        Ok(())
    }
}

crate::setters!(MentionOptions { confidence: f64, interval: ShareInterval, alert_alpha: f64, adjust: Option<Adjustment>, min_mentions: u64 });

/// One theme in one channel × period.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct MentionRow {
    /// Channel code.
    pub channel: u32,
    /// Period index ([`Period::index`]); `None` without times.
    pub period: Option<i64>,
    /// Theme index.
    pub theme: u32,
    /// Texts in the cell.
    pub texts: u64,
    /// Texts mentioning the theme.
    pub mentions: u64,
    /// `mentions / texts`.
    pub rate: f64,
    /// Interval of the rate.
    pub ci: Interval,
    /// Mentions of the theme over mentions of it and its sibling themes (same parent) in the cell; NaN
    /// when none of them is mentioned.
    pub share_of_voice: f64,
    /// Rate in the previous period of the same channel (NaN if it had no texts or there are no periods).
    pub previous_rate: f64,
    /// `rate − previous_rate`.
    pub change: f64,
    /// Two-sided p-value of the change (two-proportion z-test, pooled); NaN when not testable.
    pub p_value: f64,
    /// p-value adjusted over the table's family of change tests (equal to `p_value` without adjustment).
    pub p_adjusted: f64,
    /// The alert rule: the rate rose, `p_adjusted < alert_alpha` and `mentions >= min_mentions`.
    pub alert: bool,
}

/// Period index of each timestamp ([`TimeUnit::day`] then [`Period::index`]).
///
/// ```
/// use voc_core::time::{Period, TimeUnit};
/// let p = voc_core::text::period_indices(&[0, 40 * 86_400], TimeUnit::Seconds, Period::Month);
/// assert_eq!(p, vec![1970 * 12, 1970 * 12 + 1]);
/// ```
pub fn period_indices(times: &[i64], unit: TimeUnit, period: Period) -> Vec<i64> {
    times.iter().map(|&t| period.index(unit.day(t))).collect()
}

/// Mention rates in one call: theme sets, optional channel codes, optional timestamps bucketed by
/// `period`.
///
/// ```
/// use voc_core::text::{mention_rates, MentionOptions, Sets};
/// use voc_core::time::{Period, TimeUnit};
/// // theme 0 mentioned by 1 of 4 texts in January, 3 of 4 in February
/// let sets = Sets::from_rows(&[vec![0], vec![], vec![], vec![], vec![0], vec![0], vec![0], vec![]])?;
/// let days = [0, 1, 2, 3, 40, 41, 42, 43];
/// let rows = mention_rates(&sets, &[None], None, Some((&days, TimeUnit::Days, Period::Month)), &MentionOptions::default())?;
/// assert_eq!(rows[1].rate, 0.75);
/// assert_eq!(rows[1].previous_rate, 0.25);
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn mention_rates(
    sets: &Sets,
    parents: &[Option<usize>],
    channels: Option<&[u32]>,
    times: Option<(&[i64], TimeUnit, Period)>,
    opts: &MentionOptions,
) -> Result<Vec<MentionRow>> {
    let mut c = MentionCounts::new(parents.len());
    let periods = times.map(|(t, u, p)| period_indices(t, u, p));
    c.update(sets, channels, periods.as_deref())?;
    c.finish(parents, opts)
}
