//! [`MentionCounts`]: mergeable counts of texts and theme mentions per channel × period, and the
//! table of rates they finish into.

use std::collections::BTreeMap;

use super::{MentionOptions, MentionRow};
use crate::codec::{Reader, Writer};
use crate::error::{Error, Result, check_len};
use crate::stats::{IntervalOptions, TestOptions, adjust_p_values, share, two_proportion_test};
use crate::text::Sets;

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
        // Counts decoded from bytes can be anything up to u64::MAX: check every sum before changing
        // anything, so an overflow is an error and this state stays as it was.
        let fits = other.cells.iter().all(|(k, c)| {
            self.cells.get(k).is_none_or(|mine| {
                mine.texts.checked_add(c.texts).is_some()
                    && (mine.mentions.iter().zip(&c.mentions))
                        .all(|(a, b)| a.checked_add(*b).is_some())
            })
        });
        if !fits {
            return Err(Error::Incompatible(
                "the merged mention counts would overflow a 64-bit count".into(),
            ));
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
        let mut w = Writer::with_header(MENTION_MAGIC, MENTION_VERSION);
        self.write_body(&mut w);
        w.seal()
    }

    /// The fields of the byte form (between header and checksum), shared with the byte form of
    /// [`MentionState`](super::MentionState).
    pub(super) fn write_body(&self, w: &mut Writer) {
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
    }

    /// Parses [`to_bytes`](Self::to_bytes) output; any corruption is an [`Error::Decode`].
    ///
    /// ```
    /// use voc_core::text::MentionCounts;
    /// assert!(matches!(MentionCounts::from_bytes(b"VOCM"), Err(voc_core::Error::Decode { .. })));
    /// ```
    pub fn from_bytes(bytes: &[u8]) -> Result<MentionCounts> {
        let mut r = Reader::open(bytes, "mention counts", MENTION_MAGIC, MENTION_VERSION)?;
        let out = MentionCounts::read_body(&mut r)?;
        r.finish()?;
        Ok(out)
    }

    /// Reads the fields written by [`write_body`](Self::write_body).
    pub(super) fn read_body(r: &mut Reader<'_>) -> Result<MentionCounts> {
        let n_themes = r.len()?;
        let n_cells = r.len()?;
        // Each cell holds at least channel, flag, texts and one count per theme.
        let cell_size = n_themes
            .checked_mul(8)
            .and_then(|b| b.checked_add(17))
            .ok_or_else(|| r.fail(format!("{n_themes} themes")))?;
        r.expect_items(n_cells, cell_size)?;
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
        Ok(MentionCounts { n_themes, cells })
    }

    /// Each cell: channel code, period index, texts and mentions per theme (ascending keys).
    pub(super) fn cells(&self) -> impl Iterator<Item = (u32, Option<i64>, u64, &[u64])> {
        self.cells
            .iter()
            .map(|(&(c, p), cell)| (c, p, cell.texts, cell.mentions.as_slice()))
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
        let rate_opts = IntervalOptions {
            confidence: opts.confidence,
            method: opts.interval,
        };
        let test_opts = TestOptions {
            confidence: opts.confidence,
        };
        let mut rows = Vec::with_capacity(self.cells.len() * self.n_themes);
        for (&(channel, period), cell) in &self.cells {
            let prev = period
                .and_then(|p| p.checked_sub(1))
                .and_then(|p| self.cells.get(&(channel, Some(p))));
            // Sum of mentions per parent (None = top level) for share of voice.
            let mut sibling_sum: BTreeMap<Option<usize>, u64> = BTreeMap::new();
            for (t, &m) in cell.mentions.iter().enumerate() {
                // Saturating: counts read from bytes can be anything up to u64::MAX.
                let sum = sibling_sum
                    .entry(parents.get(t).copied().flatten())
                    .or_default();
                *sum = sum.saturating_add(m);
            }
            for (t, &k) in cell.mentions.iter().enumerate() {
                let n = cell.texts;
                let s = share(k as f64, n as f64, &rate_opts)?;
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
                            &test_opts,
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

/// One batch of texts for [`MentionCounts`] as a [`State`](crate::State): their theme sets, and
/// optionally a channel code and a period index per text.
///
/// ```
/// use voc_core::State;
/// use voc_core::text::{MentionBatch, MentionCounts, MentionFinish, Sets};
/// let sets = Sets::from_rows(&[vec![0], vec![0, 1], vec![], vec![1]])?;
/// let mut c = MentionCounts::new(2);
/// State::update(&mut c, MentionBatch::new(&sets).channels(&[0, 0, 1, 1]))?;
/// let rows = State::finish(&c, &MentionFinish::new(vec![None, None]))?;
/// assert_eq!((rows[0].texts, rows[0].mentions), (2, 2));
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct MentionBatch<'a> {
    /// Theme set of each text.
    pub sets: &'a Sets,
    /// Channel code of each text (`None`: all in channel 0).
    pub channels: Option<&'a [u32]>,
    /// Period index of each text ([`period_indices`](super::period_indices); `None`: no periods).
    pub periods: Option<&'a [i64]>,
}

impl<'a> MentionBatch<'a> {
    /// A batch of texts with their theme sets, without channels or periods.
    pub fn new(sets: &'a Sets) -> Self {
        MentionBatch {
            sets,
            channels: None,
            periods: None,
        }
    }

    /// Sets the channel code of each text.
    pub fn channels(mut self, channels: &'a [u32]) -> Self {
        self.channels = Some(channels);
        self
    }

    /// Sets the period index of each text.
    pub fn periods(mut self, periods: &'a [i64]) -> Self {
        self.periods = Some(periods);
        self
    }
}

/// What [`MentionCounts`] needs to finish as a [`State`](crate::State): the theme hierarchy (for share
/// of voice among siblings) and the options. The parents live here rather than in the state, so states
/// stay plain counts (their byte form is unchanged) and one hierarchy is given once, at the end.
///
/// ```
/// use voc_core::text::{MentionFinish, MentionOptions};
/// let f = MentionFinish::new(vec![None, Some(0)]).options(MentionOptions::default());
/// assert_eq!(f.parents.len(), 2);
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct MentionFinish {
    /// `parents[t]` is theme `t`'s parent (`None`: a top-level theme); one entry per theme.
    pub parents: Vec<Option<usize>>,
    /// Interval, test and alert options.
    pub options: MentionOptions,
}

impl MentionFinish {
    /// The hierarchy with default options.
    pub fn new(parents: Vec<Option<usize>>) -> Self {
        MentionFinish {
            parents,
            options: MentionOptions::default(),
        }
    }
}

crate::setters!(MentionFinish {
    options: MentionOptions
});

impl crate::State for MentionCounts {
    type Batch<'a> = MentionBatch<'a>;
    type Options = MentionFinish;
    type Output = Vec<MentionRow>;

    /// Empty counts over the same number of themes.
    fn empty_like(&self) -> Self {
        MentionCounts::new(self.n_themes)
    }
    fn update(&mut self, batch: MentionBatch<'_>) -> Result<()> {
        MentionCounts::update(self, batch.sets, batch.channels, batch.periods)
    }
    fn merge(&mut self, other: &Self) -> Result<()> {
        MentionCounts::merge(self, other)
    }
    fn finish(&self, options: &MentionFinish) -> Result<Vec<MentionRow>> {
        MentionCounts::finish(self, &options.parents, &options.options)
    }
    fn to_bytes(&self) -> Vec<u8> {
        MentionCounts::to_bytes(self)
    }
    fn from_bytes(bytes: &[u8]) -> Result<Self> {
        MentionCounts::from_bytes(bytes)
    }
}
