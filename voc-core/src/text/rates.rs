//! Mention rates of themes per channel × period with intervals, share of voice, period-over-period
//! change with a two-proportion test and an alert rule, top keywords among negative texts, and
//! survey-reason shares.
//!
//! Intervals are [`proportion_interval`](crate::stats::proportion_interval) (Wilson by default), changes
//! are [`two_proportion_test`](crate::stats::two_proportion_test), and the family of change tests is
//! adjusted by [`adjust_p_values`](crate::stats::adjust_p_values).

use std::collections::BTreeMap;

use super::matcher::Sets;
use crate::codec::{Reader, Writer};
use crate::error::{Error, Result, check_len};
use crate::stats::{
    Adjustment, Interval, Share, ShareInterval, adjust_p_values, check_confidence, share,
    two_proportion_test,
};
use crate::time::{Period, TimeUnit};

/// Options of [`MentionCounts::finish`].
///
/// ```
/// let o = voc_core::text::MentionOptions::default();
/// assert_eq!((o.confidence, o.alert_alpha), (0.95, 0.01));
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
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
    /// Checks the options.
    ///
    /// ```
    /// let o = voc_core::text::MentionOptions { alert_alpha: 2.0, ..Default::default() };
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

#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
struct Cell {
    texts: u64,
    mentions: Vec<u64>,
}

const MENTION_MAGIC: &[u8; 4] = b"VOCM";
const MENTION_VERSION: u16 = 1;

/// Mergeable counts of texts and theme mentions per (channel, period).
///
/// ```
/// use voc_core::text::{MentionCounts, MentionOptions, Sets};
/// let sets = Sets::from_rows(&[vec![0], vec![0, 1], vec![], vec![1]])?;
/// let mut a = MentionCounts::new(2);
/// a.update(&sets, Some(&[0, 0, 1, 1]), None)?;
/// let rows = a.finish(&[None, None], &MentionOptions::default())?;
/// assert_eq!(rows.len(), 4); // 2 channels × 2 themes
/// assert_eq!((rows[0].texts, rows[0].mentions), (2, 2));
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct MentionCounts {
    n_themes: usize,
    cells: BTreeMap<(u32, Option<i64>), Cell>,
}

impl MentionCounts {
    /// Empty counts for `n_themes` themes.
    pub fn new(n_themes: usize) -> Self {
        MentionCounts {
            n_themes,
            cells: BTreeMap::new(),
        }
    }

    /// Number of themes.
    pub fn n_themes(&self) -> usize {
        self.n_themes
    }

    /// Adds texts: their theme sets, and optionally a channel code and a period index per text.
    pub fn update(
        &mut self,
        sets: &Sets,
        channels: Option<&[u32]>,
        periods: Option<&[i64]>,
    ) -> Result<()> {
        sets.validate("themes", self.n_themes)?;
        let n = sets.len();
        if let Some(c) = channels {
            check_len("themes", n, "channels", c.len())?;
        }
        if let Some(p) = periods {
            check_len("themes", n, "times", p.len())?;
        }
        for i in 0..n {
            let ch = channels.and_then(|c| c.get(i).copied()).unwrap_or(0);
            let pe = periods.and_then(|p| p.get(i).copied());
            let nt = self.n_themes;
            let cell = self.cells.entry((ch, pe)).or_insert_with(|| Cell {
                texts: 0,
                mentions: vec![0; nt],
            });
            cell.texts += 1;
            for &t in sets.row(i) {
                if let Some(m) = cell.mentions.get_mut(t as usize) {
                    *m += 1;
                }
            }
        }
        Ok(())
    }

    /// Adds another state's counts (associative and commutative; an empty state is the identity).
    ///
    /// ```
    /// use voc_core::text::{MentionCounts, Sets};
    /// let mut a = MentionCounts::new(1);
    /// a.update(&Sets::from_rows(&[vec![0]])?, None, None)?;
    /// let mut b = MentionCounts::new(1);
    /// b.merge(&a)?;
    /// assert_eq!(a, b);
    /// assert!(b.merge(&MentionCounts::new(3)).is_err());
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn merge(&mut self, other: &MentionCounts) -> Result<()> {
        if other.n_themes != self.n_themes {
            return Err(Error::Incompatible(format!(
                "mention counts over {} and {} themes",
                self.n_themes, other.n_themes
            )));
        }
        for (k, c) in &other.cells {
            let cell = self.cells.entry(*k).or_insert_with(|| Cell {
                texts: 0,
                mentions: vec![0; c.mentions.len()],
            });
            cell.texts += c.texts;
            for (a, b) in cell.mentions.iter_mut().zip(&c.mentions) {
                *a += b;
            }
        }
        Ok(())
    }

    /// Texts counted (all channels and periods).
    ///
    /// ```
    /// use voc_core::text::{MentionCounts, Sets};
    /// let mut c = MentionCounts::new(1);
    /// c.update(&Sets::from_rows(&[vec![0], vec![]])?, Some(&[4, 1]), None)?;
    /// assert_eq!(c.texts(), 2);
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn texts(&self) -> u64 {
        self.cells.values().map(|c| c.texts).sum()
    }

    /// Channel codes with counts, ascending.
    ///
    /// ```
    /// use voc_core::text::{MentionCounts, Sets};
    /// let mut c = MentionCounts::new(1);
    /// c.update(&Sets::from_rows(&[vec![0], vec![]])?, Some(&[4, 1]), None)?;
    /// assert_eq!(c.channels(), vec![1, 4]);
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn channels(&self) -> Vec<u32> {
        let mut out: Vec<u32> = self.cells.keys().map(|&(c, _)| c).collect();
        out.dedup();
        out
    }

    /// The counts with channel code `c` renamed to `map[c]`; codes mapped to the same new code are
    /// added up. Lets states whose channel codes were assigned separately (one per worker) be aligned
    /// before [`merge`](Self::merge).
    ///
    /// ```
    /// use voc_core::text::{MentionCounts, Sets};
    /// let mut c = MentionCounts::new(1);
    /// c.update(&Sets::from_rows(&[vec![0], vec![]])?, Some(&[0, 1]), None)?;
    /// let r = c.remap_channels(&[1, 0])?;
    /// assert_eq!(r.channels(), vec![0, 1]);
    /// assert!(c.remap_channels(&[0]).is_err()); // code 1 has no new code
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn remap_channels(&self, map: &[u32]) -> Result<MentionCounts> {
        let mut out = MentionCounts::new(self.n_themes);
        for (&(channel, period), cell) in &self.cells {
            let Some(&to) = map.get(channel as usize) else {
                return Err(Error::InvalidValue {
                    arg: "map",
                    index: channel as usize,
                    value: f64::from(channel),
                    reason: "channel code has no entry in the map",
                });
            };
            let dest = out.cells.entry((to, period)).or_insert_with(|| Cell {
                texts: 0,
                mentions: vec![0; cell.mentions.len()],
            });
            dest.texts += cell.texts;
            for (a, b) in dest.mentions.iter_mut().zip(&cell.mentions) {
                *a += b;
            }
        }
        Ok(out)
    }

    /// Versioned byte form (little-endian, checksummed), read back by
    /// [`from_bytes`](Self::from_bytes) on any platform: what Dask or Spark workers ship to be merged.
    ///
    /// ```
    /// use voc_core::text::{MentionCounts, Sets};
    /// let mut c = MentionCounts::new(2);
    /// c.update(&Sets::from_rows(&[vec![0, 1], vec![]])?, Some(&[0, 3]), Some(&[24_300, -5]))?;
    /// assert_eq!(MentionCounts::from_bytes(&c.to_bytes())?, c);
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::default();
        w.bytes(MENTION_MAGIC);
        w.u16(MENTION_VERSION);
        w.u64(self.n_themes as u64);
        w.u64(self.cells.len() as u64);
        for (&(channel, period), cell) in &self.cells {
            w.u64(u64::from(channel));
            match period {
                None => w.u8(0),
                Some(p) => {
                    w.u8(1);
                    w.u64(p as u64);
                }
            }
            w.u64(cell.texts);
            cell.mentions.iter().for_each(|&m| w.u64(m));
        }
        w.seal()
    }

    /// Parses [`to_bytes`](Self::to_bytes) output; any corruption is an [`Error::Decode`].
    ///
    /// ```
    /// use voc_core::text::MentionCounts;
    /// assert!(matches!(MentionCounts::from_bytes(b"VOCM"), Err(voc_core::Error::Decode { .. })));
    /// ```
    pub fn from_bytes(bytes: &[u8]) -> Result<MentionCounts> {
        let mut r = Reader::sealed(bytes, "mention counts")?;
        if &r.take::<4>()? != MENTION_MAGIC {
            return Err(r.fail("not voc mention counts (bad magic)"));
        }
        let version = r.u16()?;
        if version != MENTION_VERSION {
            return Err(r.fail(format!(
                "unsupported version {version} (this build reads {MENTION_VERSION})"
            )));
        }
        let n_themes = usize::try_from(r.u64()?).map_err(|_| r.fail("theme count too large"))?;
        let n_cells = usize::try_from(r.u64()?).map_err(|_| r.fail("cell count too large"))?;
        // Each cell holds at least channel, flag, texts and one count per theme.
        r.expect_items(n_cells, 17 + 8 * n_themes)?;
        let mut cells = BTreeMap::new();
        for _ in 0..n_cells {
            let channel =
                u32::try_from(r.u64()?).map_err(|_| r.fail("channel code above u32::MAX"))?;
            let period = match r.u8()? {
                0 => None,
                1 => Some(r.u64()? as i64),
                f => return Err(r.fail(format!("bad period flag {f}"))),
            };
            let texts = r.u64()?;
            let mut mentions = Vec::with_capacity(n_themes);
            for _ in 0..n_themes {
                let m = r.u64()?;
                if m > texts {
                    return Err(r.fail(format!("{m} mentions in a cell of {texts} texts")));
                }
                mentions.push(m);
            }
            if cells
                .insert((channel, period), Cell { texts, mentions })
                .is_some()
            {
                return Err(r.fail("a channel × period cell appears twice"));
            }
        }
        r.finish()?;
        Ok(MentionCounts { n_themes, cells })
    }

    /// The table: one row per channel × period × theme, ordered by channel, period, theme.
    /// `parents[t]` is theme `t`'s parent (for share of voice among siblings).
    pub fn finish(
        &self,
        parents: &[Option<usize>],
        opts: &MentionOptions,
    ) -> Result<Vec<MentionRow>> {
        opts.validate()?;
        check_len("themes", self.n_themes, "parents", parents.len())?;
        if self.cells.is_empty() {
            return Err(Error::Empty {
                arg: "texts",
                what: "no texts to compute mention rates from",
            });
        }
        let mut rows = Vec::with_capacity(self.cells.len() * self.n_themes);
        for (&(channel, period), cell) in &self.cells {
            let prev = period.and_then(|p| self.cells.get(&(channel, Some(p - 1))));
            // Sum of mentions per parent (None = top level) for share of voice.
            let mut sibling_sum: BTreeMap<Option<usize>, u64> = BTreeMap::new();
            for (t, &m) in cell.mentions.iter().enumerate() {
                *sibling_sum
                    .entry(parents.get(t).copied().flatten())
                    .or_default() += m;
            }
            for (t, &k) in cell.mentions.iter().enumerate() {
                let n = cell.texts;
                let s = share(k as f64, n as f64, opts.confidence, opts.interval)?;
                let sib = sibling_sum
                    .get(&parents.get(t).copied().flatten())
                    .copied()
                    .unwrap_or(0);
                let (previous_rate, p_value) = match prev {
                    Some(pc) => {
                        let k0 = pc.mentions.get(t).copied().unwrap_or(0);
                        let r0 = k0 as f64 / pc.texts as f64;
                        let p = two_proportion_test(
                            k as f64,
                            n as f64,
                            k0 as f64,
                            pc.texts as f64,
                            opts.confidence,
                        )
                        .map_or(f64::NAN, |r| r.p_value);
                        (r0, p)
                    }
                    None => (f64::NAN, f64::NAN),
                };
                rows.push(MentionRow {
                    channel,
                    period,
                    theme: t as u32,
                    texts: n,
                    mentions: k,
                    rate: s.estimate,
                    ci: s.ci,
                    share_of_voice: if sib > 0 {
                        k as f64 / sib as f64
                    } else {
                        f64::NAN
                    },
                    previous_rate,
                    change: s.estimate - previous_rate,
                    p_value,
                    p_adjusted: p_value,
                    alert: false,
                });
            }
        }
        if let Some(adj) = opts.adjust {
            let p: Vec<f64> = rows.iter().map(|r| r.p_value).collect();
            let pa = adjust_p_values(&p, adj)?;
            for (r, q) in rows.iter_mut().zip(pa) {
                r.p_adjusted = q;
            }
        }
        for r in &mut rows {
            r.alert = r.change > 0.0
                && r.p_adjusted < opts.alert_alpha
                && r.mentions >= opts.min_mentions;
        }
        Ok(rows)
    }
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

/// A keyword's weight among negative texts.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct KeywordRow {
    /// Keyword index.
    pub keyword: u32,
    /// Negative texts containing the keyword.
    pub negative_mentions: u64,
    /// All texts containing the keyword.
    pub mentions: u64,
    /// Share of negative texts that contain the keyword, with its interval.
    pub share_of_negative: Share,
    /// Share of the keyword's texts that are negative (NaN when it is never mentioned).
    pub negative_rate: f64,
}

/// Top keywords among negative texts, by number of negative texts mentioning them (ties: keyword index).
///
/// ```
/// use voc_core::text::{top_keywords, Sets};
/// let kw = Sets::from_rows(&[vec![0], vec![0, 1], vec![1], vec![]])?;
/// let rows = top_keywords(&kw, 2, &[true, true, false, true], 10, 0.95, Default::default())?;
/// assert_eq!((rows[0].keyword, rows[0].negative_mentions), (0, 2));
/// assert!((rows[0].share_of_negative.estimate - 2.0 / 3.0).abs() < 1e-12);
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn top_keywords(
    keywords: &Sets,
    n_keywords: usize,
    negative: &[bool],
    top: usize,
    confidence: f64,
    interval: ShareInterval,
) -> Result<Vec<KeywordRow>> {
    check_confidence(confidence)?;
    keywords.validate("keywords", n_keywords)?;
    check_len("keywords", keywords.len(), "negative", negative.len())?;
    let n_neg = negative.iter().filter(|&&b| b).count() as u64;
    if n_neg == 0 {
        return Err(Error::Empty {
            arg: "negative",
            what: "no negative texts to rank keywords in",
        });
    }
    let mut all = vec![0u64; n_keywords];
    let mut neg = vec![0u64; n_keywords];
    for (i, &is_neg) in negative.iter().enumerate() {
        for &k in keywords.row(i) {
            let k = k as usize;
            if let Some(a) = all.get_mut(k) {
                *a += 1;
            }
            if is_neg && let Some(b) = neg.get_mut(k) {
                *b += 1;
            }
        }
    }
    let mut order: Vec<usize> = (0..n_keywords).filter(|&k| neg[k] > 0).collect();
    order.sort_by(|&a, &b| neg[b].cmp(&neg[a]).then(a.cmp(&b)));
    order.truncate(top);
    order
        .into_iter()
        .map(|k| {
            Ok(KeywordRow {
                keyword: k as u32,
                negative_mentions: neg[k],
                mentions: all[k],
                share_of_negative: share(neg[k] as f64, n_neg as f64, confidence, interval)?,
                negative_rate: neg[k] as f64 / all[k] as f64,
            })
        })
        .collect()
}

/// Share of respondents giving each reason (multi-select allowed: shares may sum above 1), with
/// intervals. `n` counts every respondent, including those with no reason.
///
/// ```
/// use voc_core::text::{reason_shares, Sets};
/// let r = Sets::from_rows(&[vec![0], vec![0], vec![1], vec![2]])?;
/// let s = reason_shares(&r, 3, 0.95, Default::default())?;
/// assert_eq!(s[0].estimate, 0.5);
/// assert_eq!(s[0].n, 4.0);
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn reason_shares(
    reasons: &Sets,
    n_reasons: usize,
    confidence: f64,
    interval: ShareInterval,
) -> Result<Vec<Share>> {
    check_confidence(confidence)?;
    reasons.validate("reasons", n_reasons)?;
    let n = reasons.len();
    if n == 0 {
        return Err(Error::Empty {
            arg: "reasons",
            what: "no respondents",
        });
    }
    let mut counts = vec![0u64; n_reasons];
    for &r in &reasons.items {
        if let Some(c) = counts.get_mut(r as usize) {
            *c += 1;
        }
    }
    counts
        .into_iter()
        .map(|k| share(k as f64, n as f64, confidence, interval))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn rows_for(k: &[(usize, usize)]) -> Sets {
        // (mentions, texts) per period, one theme
        let mut rows = Vec::new();
        for &(m, n) in k {
            for i in 0..n {
                rows.push(if i < m { vec![0] } else { vec![] });
            }
        }
        Sets::from_rows(&rows).unwrap_or_default()
    }

    #[test]
    fn rates_use_wilson_and_the_two_proportion_test() -> Result<()> {
        // 20/400 then 45/400: statsmodels proportions_ztest([45, 20], [400, 400]) p = 0.0012160982775994919
        let sets = rows_for(&[(20, 400), (45, 400)]);
        let periods: Vec<i64> = (0..800).map(|i| i64::from(i >= 400)).collect();
        let mut c = MentionCounts::new(1);
        c.update(&sets, None, Some(&periods))?;
        let opts = MentionOptions {
            adjust: None,
            ..Default::default()
        };
        let rows = c.finish(&[None], &opts)?;
        assert_eq!(rows.len(), 2);
        let r = &rows[1];
        assert_eq!((r.texts, r.mentions, r.period), (400, 45, Some(1)));
        // scipy.stats.binomtest(45, 400).proportion_ci(method="wilson")
        assert!(
            (r.ci.low - 0.0851484587859595).abs() < 1e-12,
            "{}",
            r.ci.low
        );
        assert!(
            (r.ci.high - 0.1472235693231203).abs() < 1e-12,
            "{}",
            r.ci.high
        );
        assert!(
            (r.p_value - 0.0012160982775994919).abs() < 1e-9,
            "{}",
            r.p_value
        );
        assert!(r.alert);
        assert!(rows[0].p_value.is_nan() && !rows[0].alert);
        assert_eq!(r.share_of_voice, 1.0);
        // the same rise is not an alert at alpha 0.001
        let strict = MentionOptions {
            alert_alpha: 0.001,
            ..opts
        };
        assert!(!c.finish(&[None], &strict)?[1].alert);
        // a fall is never an alert
        let sets = rows_for(&[(45, 400), (20, 400)]);
        let mut c = MentionCounts::new(1);
        c.update(&sets, None, Some(&periods))?;
        assert!(!c.finish(&[None], &opts)?[1].alert);
        Ok(())
    }

    #[test]
    fn alert_needs_min_mentions_and_uses_adjusted_p() -> Result<()> {
        let sets = rows_for(&[(0, 200), (4, 200)]);
        let periods: Vec<i64> = (0..400).map(|i| i64::from(i >= 200)).collect();
        let mut c = MentionCounts::new(1);
        c.update(&sets, None, Some(&periods))?;
        let rows = c.finish(
            &[None],
            &MentionOptions {
                alert_alpha: 0.5,
                ..Default::default()
            },
        )?;
        assert!(!rows[1].alert); // 4 < min_mentions 5
        Ok(())
    }

    #[test]
    fn share_of_voice_among_siblings() -> Result<()> {
        // themes: 0 top, 1 child of 0, 2 child of 0, 3 top
        let sets = Sets::from_rows(&[vec![0, 1], vec![0, 2], vec![0, 1], vec![3]])?;
        let rows = mention_rates(
            &sets,
            &[None, Some(0), Some(0), None],
            None,
            None,
            &MentionOptions::default(),
        )?;
        let sov: Vec<f64> = rows.iter().map(|r| r.share_of_voice).collect();
        assert_eq!(sov, vec![0.75, 2.0 / 3.0, 1.0 / 3.0, 0.25]);
        Ok(())
    }

    #[test]
    fn bad_input_is_an_error() {
        let sets = rows_for(&[(1, 3)]);
        let mut c = MentionCounts::new(1);
        assert!(matches!(
            c.update(&sets, Some(&[0, 1]), None),
            Err(Error::LengthMismatch { .. })
        ));
        assert!(c.finish(&[None], &MentionOptions::default()).is_err());
        let bad = Sets::from_rows(&[vec![5]]).unwrap_or_default();
        assert!(matches!(
            c.update(&bad, None, None),
            Err(Error::InvalidValue { .. })
        ));
        let bad_opts = MentionOptions {
            confidence: 1.5,
            ..Default::default()
        };
        assert!(c.update(&sets, None, None).is_ok());
        assert!(c.finish(&[None], &bad_opts).is_err());
        assert!(top_keywords(&sets, 1, &[false; 3], 5, 0.95, ShareInterval::Wilson).is_err());
        assert!(reason_shares(&Sets::default(), 1, 0.95, ShareInterval::Wilson).is_err());
    }

    #[test]
    fn byte_form_rejects_corruption() -> Result<()> {
        let mut c = MentionCounts::new(2);
        c.update(
            &Sets::from_rows(&[vec![0, 1], vec![1], vec![]])?,
            Some(&[0, 2, 2]),
            Some(&[10, 11, 11]),
        )?;
        let bytes = c.to_bytes();
        assert_eq!(MentionCounts::from_bytes(&bytes)?, c);
        for cut in [0, 3, 10, bytes.len() - 1] {
            assert!(matches!(
                MentionCounts::from_bytes(&bytes[..cut]),
                Err(Error::Decode { .. })
            ));
        }
        let mut flipped = bytes.clone();
        if let Some(b) = flipped.get_mut(20) {
            *b ^= 1;
        }
        assert!(matches!(
            MentionCounts::from_bytes(&flipped),
            Err(Error::Decode { .. })
        ));
        // Two channel codes mapped to one are added up.
        let joined = c.remap_channels(&[0, 0, 0])?;
        assert_eq!(joined.channels(), vec![0]);
        let rows = joined.finish(&[None, None], &MentionOptions::default())?;
        assert_eq!(
            rows.iter()
                .map(|r| (r.texts, r.mentions))
                .collect::<Vec<_>>(),
            vec![(1, 1), (1, 1), (2, 0), (2, 1)]
        );
        Ok(())
    }

    proptest! {
        #[test]
        fn merge_equals_whole(rows in proptest::collection::vec((proptest::collection::vec(0u32..3, 0..3), 0u32..2, 0i64..3), 1..60), split in 0usize..60) {
            let split = split.min(rows.len());
            let sets: Vec<Vec<u32>> = rows.iter().map(|r| r.0.clone()).collect();
            let ch: Vec<u32> = rows.iter().map(|r| r.1).collect();
            let pe: Vec<i64> = rows.iter().map(|r| r.2).collect();
            let mut whole = MentionCounts::new(3);
            whole.update(&Sets::from_rows(&sets)?, Some(&ch), Some(&pe))?;
            let mut a = MentionCounts::new(3);
            a.update(&Sets::from_rows(&sets[..split])?, Some(&ch[..split]), Some(&pe[..split]))?;
            let mut b = MentionCounts::new(3);
            b.update(&Sets::from_rows(&sets[split..])?, Some(&ch[split..]), Some(&pe[split..]))?;
            b.merge(&a)?;
            prop_assert_eq!(&whole, &b);
            // The byte form round-trips, and merging decoded parts gives the whole.
            let mut c = MentionCounts::from_bytes(&a.to_bytes())?;
            c.merge(&MentionCounts::from_bytes(&whole.to_bytes())?.remap_channels(&[0, 1])?)?;
            let mut twice = whole.clone();
            twice.merge(&a)?;
            prop_assert_eq!(&c, &twice);
            // Swapping channel codes twice is the identity.
            prop_assert_eq!(&whole.remap_channels(&[1, 0])?.remap_channels(&[1, 0])?, &whole);
            let rows = whole.finish(&[None, None, None], &MentionOptions::default())?;
            for r in rows {
                prop_assert!(r.ci.low <= r.rate && r.rate <= r.ci.high);
                prop_assert!(r.mentions <= r.texts);
            }
        }
    }
}
