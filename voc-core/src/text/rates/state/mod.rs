//! [`MentionState`]: mention counts that carry what is needed to merge them safely and to finish them
//! into a labelled table — the themes, the roll-up and period settings, and the channel labels (codes
//! are per batch or per worker; merging aligns them by label).

mod bytes;
#[cfg(test)]
mod label_tests;
mod labels;
#[cfg(test)]
mod tests;

pub use labels::{ChannelLabels, LabelOrder};

use std::borrow::Cow;

use super::{MentionCounts, MentionOptions, MentionRow};
use crate::error::{Error, Result, check_len};
use crate::text::{Sets, Taxonomy, Theme};
use crate::time::Period;

/// One theme of a [`MentionState`]: what names its rows in the finished table and what share of
/// voice needs (the parent).
///
/// ```
/// use voc_core::text::{MentionTheme, Taxonomy};
/// let mut t = Taxonomy::new();
/// t.add("refund", "Refund", &["refund"], &[])?;
/// t.add("refund.slow", "Slow refund", &["slow refund"], &[])?;
/// let child = MentionTheme::from(&t.themes()[1]);
/// assert_eq!((child.id.as_str(), child.parent), ("refund.slow", Some(0)));
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct MentionTheme {
    /// Theme id (dots make a hierarchy).
    pub id: String,
    /// Human label.
    pub label: String,
    /// Index of the parent theme (always before the theme itself), if any.
    pub parent: Option<usize>,
}

impl From<&Theme> for MentionTheme {
    fn from(t: &Theme) -> Self {
        MentionTheme {
            id: t.id.clone(),
            label: t.label.clone(),
            parent: t.parent,
        }
    }
}

/// How a [`MentionState`] counts, fixed when it is made: two states merge only when their settings
/// (and themes) are equal.
///
/// ```
/// use voc_core::text::MentionSettings;
/// use voc_core::time::Period;
/// let s = MentionSettings::default().period(Some(Period::Quarter)).channels(true);
/// assert!(s.rollup); // a matched theme counts for its parent themes too
/// assert_eq!(s.period, Some(Period::Quarter));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct MentionSettings {
    /// Whether the theme sets roll matches up to parent themes
    /// ([`ThemeMatcher::themes_batch`](crate::text::ThemeMatcher::themes_batch) with `rollup`); with it
    /// a parent theme is never mentioned less than its child.
    pub rollup: bool,
    /// The period the texts' timestamps are bucketed by (`None`: no periods).
    pub period: Option<Period>,
    /// Whether every text has a channel label.
    pub channels: bool,
}

impl Default for MentionSettings {
    fn default() -> Self {
        MentionSettings {
            rollup: true,
            period: None,
            channels: false,
        }
    }
}

crate::setters!(MentionSettings { rollup: bool, period: Option<Period>, channels: bool });

/// One batch for [`MentionState`]'s [`update`](crate::State::update): the theme sets of the texts and,
/// as the state's settings require, the channel of each text (codes into this batch's own labels) and
/// the period index of each text.
///
/// ```
/// use voc_core::text::{ChannelLabels, MentionStateBatch, Sets};
/// let sets = Sets::from_rows(&[vec![0], vec![]])?;
/// let labels = ChannelLabels::Str(vec!["chat".into(), "email".into()]);
/// let b = MentionStateBatch::new(&sets).channels(&[1, 0], &labels).dropped(3);
/// assert_eq!((b.dropped, b.channels.map(|(c, _)| c.len())), (3, Some(2)));
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct MentionStateBatch<'a> {
    /// Theme set of each text (each row sorted, without repeats, as the matcher gives them).
    pub sets: &'a Sets,
    /// Channel code of each text and the labels the codes index.
    pub channels: Option<(&'a [u32], &'a ChannelLabels)>,
    /// The order of the channel labels in the finished table: by value (the default), or as the
    /// labels are given ([`channels_in_order`](Self::channels_in_order)).
    pub channel_order: LabelOrder,
    /// Period index of each text ([`period_indices`](super::period_indices) with the state's period).
    pub periods: Option<&'a [i64]>,
    /// Texts of the batch left out before counting (missing values), reported by the finished table.
    pub dropped: u64,
}

impl<'a> MentionStateBatch<'a> {
    /// A batch of texts with their theme sets, without channels or periods.
    ///
    /// ```
    /// let sets = voc_core::text::Sets::from_rows(&[vec![0]])?;
    /// let b = voc_core::text::MentionStateBatch::new(&sets);
    /// assert!(b.channels.is_none() && b.periods.is_none() && b.dropped == 0);
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn new(sets: &'a Sets) -> Self {
        MentionStateBatch {
            sets,
            channels: None,
            channel_order: LabelOrder::Value,
            periods: None,
            dropped: 0,
        }
    }

    /// Sets the channel code of each text and the labels the codes index.
    ///
    /// ```
    /// use voc_core::text::{ChannelLabels, MentionStateBatch, Sets};
    /// let sets = Sets::from_rows(&[vec![0]])?;
    /// let labels = ChannelLabels::Int(vec![42]);
    /// assert!(MentionStateBatch::new(&sets).channels(&[0], &labels).channels.is_some());
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    #[must_use]
    pub fn channels(mut self, codes: &'a [u32], labels: &'a ChannelLabels) -> Self {
        self.channels = Some((codes, labels));
        self.channel_order = LabelOrder::Value;
        self
    }

    /// Sets the channel code of each text and the labels the codes index, in an order of their own
    /// (the categories of a categorical column): the finished table keeps that order, and every batch
    /// or state merged must give the same labels in the same order.
    ///
    /// ```
    /// use voc_core::text::{ChannelLabels, LabelOrder, MentionOptions, MentionSettings, MentionState, MentionStateBatch, Sets, Taxonomy};
    /// let mut tax = Taxonomy::new();
    /// tax.add("refund", "Refund", &["refund"], &[])?;
    /// let mut s = MentionState::new(&tax, MentionSettings::default().channels(true));
    /// let categories = ChannelLabels::Str(vec!["web".into(), "app".into()]);
    /// let sets = Sets::from_rows(&[vec![0], vec![]])?;
    /// s.update(MentionStateBatch::new(&sets).channels_in_order(&[1, 0], &categories))?;
    /// assert_eq!(s.channel_order(), LabelOrder::Given);
    /// let t = s.finish(&MentionOptions::default())?;
    /// assert_eq!(t.channels, Some(categories)); // web before app
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    #[must_use]
    pub fn channels_in_order(mut self, codes: &'a [u32], labels: &'a ChannelLabels) -> Self {
        self.channels = Some((codes, labels));
        self.channel_order = LabelOrder::Given;
        self
    }

    /// Sets the period index of each text.
    ///
    /// ```
    /// let sets = voc_core::text::Sets::from_rows(&[vec![0]])?;
    /// let b = voc_core::text::MentionStateBatch::new(&sets).periods(&[24_300]);
    /// assert_eq!(b.periods, Some(&[24_300][..]));
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    #[must_use]
    pub fn periods(mut self, periods: &'a [i64]) -> Self {
        self.periods = Some(periods);
        self
    }

    /// Sets the number of texts left out before counting.
    ///
    /// ```
    /// let sets = voc_core::text::Sets::from_rows(&[vec![0]])?;
    /// assert_eq!(voc_core::text::MentionStateBatch::new(&sets).dropped(2).dropped, 2);
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    #[must_use]
    pub fn dropped(mut self, dropped: u64) -> Self {
        self.dropped = dropped;
        self
    }
}

/// The finished table of a [`MentionState`]: the rows, and the channel labels their codes index.
///
/// Channel codes are renumbered into the state's [`LabelOrder`] (ascending label order unless the
/// labels were given in an order of their own), so the table does not depend on the order in which
/// batches or workers met the channels.
///
/// ```
/// use voc_core::text::{ChannelLabels, MentionOptions, MentionSettings, MentionState, MentionStateBatch, Sets, Taxonomy};
/// let mut tax = Taxonomy::new();
/// tax.add("refund", "Refund", &["refund"], &[])?;
/// let mut s = MentionState::new(&tax, MentionSettings::default().channels(true));
/// let labels = ChannelLabels::Int(vec![9, 4]);
/// s.update(MentionStateBatch::new(&Sets::from_rows(&[vec![0], vec![]])?).channels(&[0, 1], &labels))?;
/// let t = s.finish(&MentionOptions::default())?;
/// let names = match &t.channels { Some(ChannelLabels::Int(v)) => v.clone(), _ => Vec::new() };
/// let named: Vec<(Option<i64>, u64)> =
///     t.rows.iter().map(|r| (names.get(r.channel as usize).copied(), r.mentions)).collect();
/// assert_eq!(named, [(Some(4), 0), (Some(9), 1)]);
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct MentionTable {
    /// One row per channel × period × theme, ordered by channel, period, theme.
    pub rows: Vec<MentionRow>,
    /// The channel labels in the state's [`LabelOrder`] (`rows[i].channel` indexes them); `None`
    /// without channels.
    pub channels: Option<ChannelLabels>,
}

/// Mergeable theme mention counts per channel × period, with their themes, settings and channel
/// labels: merge the states of batches or workers in any order, then
/// [`finish`](crate::State::finish) gives the table [`mention_rates`](super::mention_rates) gives on
/// all the texts at once.
///
/// Merging checks the themes and settings (a state that rolls matches up to parent themes and one
/// that does not cannot be added up) and aligns channel codes by label. The byte form covers
/// everything, checksummed.
///
/// ```
/// use voc_core::State;
/// use voc_core::text::{ChannelLabels, MentionOptions, MentionSettings, MentionState, MentionStateBatch, Taxonomy, ThemeMatcher};
/// let mut tax = Taxonomy::new();
/// tax.add("refund", "Refund", &["refund*"], &[])?;
/// let matcher = ThemeMatcher::new(tax)?;
/// let settings = MentionSettings::default().channels(true);
/// // Two workers, each numbering its own channels.
/// let mut a = MentionState::new(matcher.taxonomy(), settings);
/// let sets = matcher.themes_batch(&["refund please", "hello"], true)?;
/// let labels = ChannelLabels::Str(vec!["email".into(), "chat".into()]);
/// a.update(MentionStateBatch::new(&sets).channels(&[0, 1], &labels))?;
/// let mut b = a.empty_like();
/// let sets = matcher.themes_batch(&["no refund yet"], true)?;
/// let labels = ChannelLabels::Str(vec!["chat".into()]);
/// b.update(MentionStateBatch::new(&sets).channels(&[0], &labels))?;
/// a.merge(&MentionState::from_bytes(&b.to_bytes())?)?;
/// let t = a.finish(&MentionOptions::default())?;
/// assert_eq!(t.channels, Some(ChannelLabels::Str(vec!["chat".into(), "email".into()])));
/// assert_eq!((t.rows[0].texts, t.rows[0].mentions), (2, 1)); // chat
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct MentionState {
    themes: Vec<MentionTheme>,
    settings: MentionSettings,
    /// Channel labels in code order (first met first); empty without channels.
    labels: ChannelLabels,
    /// The order of the labels in the finished table.
    order: LabelOrder,
    dropped: u64,
    counts: MentionCounts,
}

fn incompatible(what: impl std::fmt::Display) -> Error {
    Error::Incompatible(format!("mention states differ in {what}"))
}

fn period_name(p: Option<Period>) -> &'static str {
    p.map_or("none", Period::name)
}

impl MentionState {
    /// An empty state over the themes of `taxonomy`, counting as `settings` say.
    ///
    /// ```
    /// use voc_core::text::{MentionSettings, MentionState, Taxonomy};
    /// let s = MentionState::new(&Taxonomy::default_retail(), MentionSettings::default());
    /// assert_eq!((s.texts(), s.themes().len()), (0, Taxonomy::default_retail().len()));
    /// ```
    pub fn new(taxonomy: &Taxonomy, settings: MentionSettings) -> Self {
        let themes: Vec<MentionTheme> = taxonomy.themes().iter().map(MentionTheme::from).collect();
        MentionState {
            counts: MentionCounts::new(themes.len()),
            themes,
            settings,
            labels: ChannelLabels::Str(Vec::new()),
            order: LabelOrder::Value,
            dropped: 0,
        }
    }

    /// The themes, in code order.
    ///
    /// ```
    /// use voc_core::text::{MentionSettings, MentionState, Taxonomy};
    /// let s = MentionState::new(&Taxonomy::default_retail(), MentionSettings::default());
    /// assert!(s.themes().iter().all(|t| t.parent.is_none_or(|p| s.themes()[p].id.len() < t.id.len())));
    /// ```
    pub fn themes(&self) -> &[MentionTheme] {
        &self.themes
    }

    /// The settings the state counts with.
    ///
    /// ```
    /// use voc_core::text::{MentionSettings, MentionState, Taxonomy};
    /// let s = MentionState::new(&Taxonomy::new(), MentionSettings::default().rollup(false));
    /// assert!(!s.settings().rollup);
    /// ```
    pub fn settings(&self) -> &MentionSettings {
        &self.settings
    }

    /// The channel labels met so far in code order (`None` when the state has no channels).
    ///
    /// ```
    /// use voc_core::text::{ChannelLabels, MentionSettings, MentionState, MentionStateBatch, Sets, Taxonomy};
    /// let mut tax = Taxonomy::new();
    /// tax.add("refund", "Refund", &["refund"], &[])?;
    /// let mut s = MentionState::new(&tax, MentionSettings::default().channels(true));
    /// let labels = ChannelLabels::Int(vec![7, 3]);
    /// s.update(MentionStateBatch::new(&Sets::from_rows(&[vec![0]])?).channels(&[1], &labels))?;
    /// assert_eq!(s.channels(), Some(&labels));
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn channels(&self) -> Option<&ChannelLabels> {
        self.settings.channels.then_some(&self.labels)
    }

    /// The order of the channels in the finished table: [`LabelOrder::Value`] unless the labels were
    /// given in an order of their own ([`MentionStateBatch::channels_in_order`]).
    ///
    /// ```
    /// use voc_core::text::{LabelOrder, MentionSettings, MentionState, Taxonomy};
    /// let s = MentionState::new(&Taxonomy::new(), MentionSettings::default().channels(true));
    /// assert_eq!(s.channel_order(), LabelOrder::Value);
    /// ```
    pub fn channel_order(&self) -> LabelOrder {
        self.order
    }

    /// Texts counted so far.
    ///
    /// ```
    /// use voc_core::text::{MentionSettings, MentionState, MentionStateBatch, Sets, Taxonomy};
    /// let mut s = MentionState::new(&Taxonomy::new(), MentionSettings::default());
    /// s.update(MentionStateBatch::new(&Sets::from_rows(&[vec![], vec![]])?))?;
    /// assert_eq!(s.texts(), 2);
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn texts(&self) -> u64 {
        self.counts.texts()
    }

    /// Texts left out before counting (the sum of the batches' [`dropped`](MentionStateBatch::dropped)).
    ///
    /// ```
    /// use voc_core::text::{MentionSettings, MentionState, MentionStateBatch, Sets, Taxonomy};
    /// let mut s = MentionState::new(&Taxonomy::new(), MentionSettings::default());
    /// s.update(MentionStateBatch::new(&Sets::from_rows(&[vec![]])?).dropped(2))?;
    /// assert_eq!((s.texts(), s.dropped()), (1, 2));
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// The counts, with channel codes in the order of [`channels`](Self::channels).
    ///
    /// ```
    /// use voc_core::text::{MentionSettings, MentionState, Taxonomy};
    /// let s = MentionState::new(&Taxonomy::default_retail(), MentionSettings::default());
    /// assert_eq!(s.counts().n_themes(), s.themes().len());
    /// ```
    pub fn counts(&self) -> &MentionCounts {
        &self.counts
    }

    fn parents(&self) -> Vec<Option<usize>> {
        self.themes.iter().map(|t| t.parent).collect()
    }

    /// Adds one batch; on error the state is unchanged.
    ///
    /// The batch must carry channels exactly when the state's settings have channels, and periods
    /// exactly when they have a period. With [`rollup`](MentionSettings::rollup), every theme of a set
    /// must come with its parent. Channel labels are never NaN; their kind (integers, floats,
    /// booleans, strings) and order must agree with the labels the state holds (see
    /// [`merge`](Self::merge)).
    ///
    /// ```
    /// use voc_core::text::{MentionSettings, MentionState, MentionStateBatch, Sets, Taxonomy};
    /// let mut tax = Taxonomy::new();
    /// tax.add("refund", "Refund", &["refund"], &[])?;
    /// tax.add("refund.slow", "Slow refund", &["slow refund"], &[])?;
    /// let mut s = MentionState::new(&tax, MentionSettings::default());
    /// s.update(MentionStateBatch::new(&Sets::from_rows(&[vec![0, 1], vec![0]])?))?;
    /// // Sets made without roll-up (theme 1 without its parent 0) do not fit this state.
    /// assert!(s.update(MentionStateBatch::new(&Sets::from_rows(&[vec![1]])?)).is_err());
    /// assert_eq!(s.texts(), 2);
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn update(&mut self, batch: MentionStateBatch<'_>) -> Result<()> {
        let sets = batch.sets;
        sets.validate("sets", self.themes.len())?;
        let n = sets.len();
        if batch.periods.is_some() != self.settings.period.is_some() {
            return Err(Error::Incompatible(format!(
                "the mention state's period is {} but the batch {} period indices",
                period_name(self.settings.period),
                if batch.periods.is_some() {
                    "has"
                } else {
                    "has no"
                }
            )));
        }
        if let Some(p) = batch.periods {
            check_len("sets", n, "periods", p.len())?;
        }
        self.check_sets(sets)?;
        let (labels, codes) = match (batch.channels, self.settings.channels) {
            (None, false) => (None, None),
            (Some((codes, labels)), true) => {
                check_len("sets", n, "channels", codes.len())?;
                if let Some(index) = codes.iter().position(|&c| c as usize >= labels.len()) {
                    return Err(Error::InvalidValue {
                        arg: "channels",
                        index,
                        value: codes.get(index).map_or(f64::NAN, |&c| f64::from(c)),
                        reason: "channel code beyond the batch's labels",
                    });
                }
                if let Some(index) = labels.nan_position() {
                    return Err(Error::InvalidValue {
                        arg: "channels",
                        index,
                        value: f64::NAN,
                        reason: "a channel label is NaN (a missing label, never a channel)",
                    });
                }
                if batch.channel_order == LabelOrder::Given && labels.has_repeats() {
                    return Err(Error::InvalidValue {
                        arg: "channels",
                        index: 0,
                        value: f64::NAN,
                        reason: "a channel label appears twice in labels given in their order",
                    });
                }
                let labels = labels.canonical();
                let (merged, order, map) =
                    self.labels
                        .union(self.order, &labels, batch.channel_order)?;
                let codes: Cow<'_, [u32]> = if map.iter().enumerate().all(|(i, &m)| m as usize == i)
                {
                    Cow::Borrowed(codes)
                } else {
                    codes
                        .iter()
                        .map(|&c| map.get(c as usize).copied().unwrap_or(c))
                        .collect()
                };
                (Some((merged, order)), Some(codes))
            }
            (_, has) => {
                return Err(Error::Incompatible(format!(
                    "the mention state {} channels but the batch {}",
                    if has { "has" } else { "has no" },
                    if has { "has none" } else { "has channels" }
                )));
            }
        };
        self.counts.update(sets, codes.as_deref(), batch.periods)?;
        if let Some((l, order)) = labels {
            self.labels = l;
            self.order = order;
        }
        self.dropped = self.dropped.saturating_add(batch.dropped);
        Ok(())
    }

    /// Rows sorted without repeats; with roll-up, every theme's parent in the same row.
    fn check_sets(&self, sets: &Sets) -> Result<()> {
        for i in 0..sets.len() {
            let row = sets.row(i);
            if row.windows(2).any(|w| w[0] >= w[1]) {
                return Err(Error::InvalidValue {
                    arg: "sets",
                    index: i,
                    value: f64::NAN,
                    reason: "a theme set must be sorted without repeats",
                });
            }
            if !self.settings.rollup {
                continue;
            }
            for &t in row {
                let parent = self.themes.get(t as usize).and_then(|x| x.parent);
                if let Some(p) = parent
                    && row.binary_search(&(p as u32)).is_err()
                {
                    return Err(Error::InvalidValue {
                        arg: "sets",
                        index: i,
                        value: f64::from(t),
                        reason: "a theme without its parent in a state that rolls matches up to parents",
                    });
                }
            }
        }
        Ok(())
    }

    /// Checks that `other` counts the same themes with the same settings.
    fn check_compatible(&self, other: &MentionState) -> Result<()> {
        if self.themes != other.themes {
            return Err(incompatible("their themes (made by different matchers)"));
        }
        let (a, b) = (&self.settings, &other.settings);
        if a.rollup != b.rollup {
            return Err(incompatible(format!(
                "rollup ({} and {}): a state that counts a matched theme for its parent themes \
                 cannot be added to one that does not",
                a.rollup, b.rollup
            )));
        }
        if a.period != b.period {
            return Err(incompatible(format!(
                "their period ({} and {})",
                period_name(a.period),
                period_name(b.period)
            )));
        }
        if a.channels != b.channels {
            return Err(incompatible(
                "having channels (one was counted with channels, the other without)",
            ));
        }
        Ok(())
    }

    /// Adds another state of the same themes and settings, aligning its channel codes to ours by label
    /// (labels new to this state are appended); on error this state is unchanged.
    ///
    /// Channel labels merge under one rule: a state without channel labels yet (new, or
    /// [`empty_like`](crate::State::empty_like)) merges with anything; otherwise both states must
    /// hold labels of the same kind (integers, floats, booleans and strings do not mix: `1` and
    /// `1.0` are one label within a column, but columns of two dtypes are two labellings) in the same
    /// [`LabelOrder`]. Labels in value order are united; labels in a given order (categories) must be
    /// the same labels in the same order. Anything else is [`Error::Incompatible`], never a silent
    /// re-ordering.
    ///
    /// ```
    /// use voc_core::text::{ChannelLabels, MentionSettings, MentionState, MentionStateBatch, Sets, Taxonomy};
    /// let mut tax = Taxonomy::new();
    /// tax.add("refund", "Refund", &["refund"], &[])?;
    /// let sets = Sets::from_rows(&[vec![0], vec![]])?;
    /// let mut a = MentionState::new(&tax, MentionSettings::default().channels(true));
    /// let mut b = a.clone();
    /// a.update(MentionStateBatch::new(&sets).channels(&[0, 1], &ChannelLabels::Int(vec![1, 2])))?;
    /// b.update(MentionStateBatch::new(&sets).channels(&[0, 1], &ChannelLabels::Int(vec![3, 1])))?;
    /// a.merge(&b)?;
    /// assert_eq!(a.channels(), Some(&ChannelLabels::Int(vec![1, 2, 3])));
    /// let plain = MentionState::new(&tax, MentionSettings::default().rollup(false).channels(true));
    /// assert!(a.merge(&plain).is_err()); // another roll-up setting
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn merge(&mut self, other: &MentionState) -> Result<()> {
        self.check_compatible(other)?;
        let (labels, aligned) = if self.settings.channels {
            let (labels, order, map) = self.labels.union(self.order, &other.labels, other.order)?;
            (
                Some((labels, order)),
                Some(other.counts.remap_channels(&map)?),
            )
        } else {
            (None, None)
        };
        self.counts
            .merge(aligned.as_ref().unwrap_or(&other.counts))?;
        if let Some((l, order)) = labels {
            self.labels = l;
            self.order = order;
        }
        self.dropped = self.dropped.saturating_add(other.dropped);
        Ok(())
    }

    /// The counts with channel codes renumbered into the state's label order, and those labels.
    fn sorted(&self) -> Result<(MentionCounts, Option<ChannelLabels>)> {
        if !self.settings.channels {
            return Ok((self.counts.clone(), None));
        }
        let (labels, rank) = self.labels.ordered(self.order)?;
        Ok((self.counts.remap_channels(&rank)?, Some(labels)))
    }

    /// The mention-rate table: rows as [`MentionCounts::finish`] gives them, with channel codes in
    /// the state's [`LabelOrder`] (ascending label order unless given in an order of their own).
    ///
    /// ```
    /// use voc_core::text::{ChannelLabels, MentionOptions, MentionSettings, MentionState, MentionStateBatch, Sets, Taxonomy};
    /// let mut tax = Taxonomy::new();
    /// tax.add("refund", "Refund", &["refund"], &[])?;
    /// let mut s = MentionState::new(&tax, MentionSettings::default().channels(true));
    /// let labels = ChannelLabels::Str(vec!["web".into(), "app".into()]);
    /// s.update(MentionStateBatch::new(&Sets::from_rows(&[vec![0], vec![]])?).channels(&[0, 1], &labels))?;
    /// let t = s.finish(&MentionOptions::default())?;
    /// assert_eq!(t.channels, Some(ChannelLabels::Str(vec!["app".into(), "web".into()])));
    /// assert_eq!((t.rows[0].channel, t.rows[0].mentions), (0, 0)); // app
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn finish(&self, opts: &MentionOptions) -> Result<MentionTable> {
        let (counts, channels) = self.sorted()?;
        let rows = counts.finish(&self.parents(), opts)?;
        Ok(MentionTable { rows, channels })
    }
}

/// Equal when they count the same themes with the same settings and finish into the same table:
/// the order in which channels were met does not matter.
impl PartialEq for MentionState {
    fn eq(&self, other: &Self) -> bool {
        if self.check_compatible(other).is_err() || self.dropped != other.dropped {
            return false;
        }
        match (self.sorted(), other.sorted()) {
            (Ok((a, la)), Ok((b, lb))) => {
                let empty = |l: &Option<ChannelLabels>| l.as_ref().is_none_or(|x| x.is_empty());
                a == b && ((la == lb && self.order == other.order) || (empty(&la) && empty(&lb)))
            }
            _ => false,
        }
    }
}

impl crate::State for MentionState {
    type Batch<'a> = MentionStateBatch<'a>;
    type Options = MentionOptions;
    type Output = MentionTable;

    /// No texts, the same themes and settings, no channel labels yet.
    fn empty_like(&self) -> Self {
        MentionState {
            themes: self.themes.clone(),
            settings: self.settings,
            labels: self.labels.empty_like(),
            order: self.order,
            dropped: 0,
            counts: MentionCounts::new(self.themes.len()),
        }
    }
    fn update(&mut self, batch: MentionStateBatch<'_>) -> Result<()> {
        MentionState::update(self, batch)
    }
    fn merge(&mut self, other: &Self) -> Result<()> {
        MentionState::merge(self, other)
    }
    fn finish(&self, options: &MentionOptions) -> Result<MentionTable> {
        MentionState::finish(self, options)
    }
    fn to_bytes(&self) -> Vec<u8> {
        MentionState::to_bytes(self)
    }
    fn from_bytes(bytes: &[u8]) -> Result<Self> {
        MentionState::from_bytes(bytes)
    }
}
