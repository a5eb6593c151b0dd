//! The byte form of [`MentionState`]: themes, settings, channel labels and their order, dropped
//! texts and the counts, all under one checksum.
//!
//! Version 2 (written since float, boolean and category-ordered channel labels): the labels' kind
//! code (0 integers, 1 strings, 2 floats, 3 booleans) and their order (0 by value, 1 given).
//! Version 1 (integer and string labels, always in value order) is still read.

use super::{
    ChannelLabels, LabelOrder, MentionCounts, MentionSettings, MentionState, MentionTheme,
};
use crate::codec::{Reader, Writer};
use crate::error::Result;
use crate::time::Period;

const MAGIC: &[u8; 4] = b"VMST";
const VERSION: u16 = 2;

/// Period codes of the byte form (0: no period).
const PERIODS: [Period; 5] = [
    Period::Day,
    Period::Week,
    Period::Month,
    Period::Quarter,
    Period::Year,
];

impl MentionState {
    /// Versioned byte form (little-endian, checksummed) of everything the state holds — themes,
    /// settings, channel labels and their order, and counts — read back by
    /// [`from_bytes`](Self::from_bytes) on any platform: what Dask or Spark workers ship to be merged.
    /// This build writes version 2 and reads versions 1 and 2.
    ///
    /// ```
    /// use voc_core::text::{ChannelLabels, MentionSettings, MentionState, MentionStateBatch, Sets, Taxonomy};
    /// use voc_core::time::Period;
    /// let mut tax = Taxonomy::new();
    /// tax.add("refund", "Refund", &["refund"], &[])?;
    /// let mut s = MentionState::new(&tax, MentionSettings::default().channels(true).period(Some(Period::Month)));
    /// let labels = ChannelLabels::Str(vec!["店铺".into()]);
    /// s.update(MentionStateBatch::new(&Sets::from_rows(&[vec![0]])?).channels(&[0], &labels).periods(&[24_300]))?;
    /// assert_eq!(MentionState::from_bytes(&s.to_bytes())?, s);
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::with_header(MAGIC, VERSION);
        w.len(self.themes.len());
        for t in &self.themes {
            w.str(&t.id);
            w.str(&t.label);
            w.flag(t.parent.is_some());
            if let Some(p) = t.parent {
                w.len(p);
            }
        }
        w.flag(self.settings.rollup);
        let period = self
            .settings
            .period
            .and_then(|p| PERIODS.iter().position(|&x| x == p))
            .map_or(0, |i| i as u8 + 1);
        w.u8(period);
        w.flag(self.settings.channels);
        match &self.labels {
            ChannelLabels::Int(v) => {
                w.u8(0);
                w.len(v.len());
                v.iter().for_each(|&x| w.u64(x as u64));
            }
            ChannelLabels::Str(v) => {
                w.u8(1);
                w.strs(v);
            }
            ChannelLabels::Float(v) => {
                w.u8(2);
                w.len(v.len());
                v.iter().for_each(|&x| w.f64(x));
            }
            ChannelLabels::Bool(v) => {
                w.u8(3);
                w.len(v.len());
                v.iter().for_each(|&x| w.flag(x));
            }
        }
        w.u8(match self.order {
            LabelOrder::Value => 0,
            LabelOrder::Given => 1,
        });
        w.u64(self.dropped);
        self.counts.write_body(&mut w);
        w.seal()
    }

    /// Parses [`to_bytes`](Self::to_bytes) output, of version 1 or 2; any corruption, and any other
    /// version, is an [`Error::Decode`](crate::Error::Decode) (naming the version).
    ///
    /// ```
    /// use voc_core::text::MentionState;
    /// assert!(matches!(MentionState::from_bytes(b"VMST"), Err(voc_core::Error::Decode { .. })));
    /// ```
    pub fn from_bytes(bytes: &[u8]) -> Result<MentionState> {
        let (mut r, version) = Reader::open_current_or_v1(bytes, "mention state", MAGIC, VERSION)?;
        let n = r.len()?;
        // Each theme holds at least two string lengths and a flag.
        r.expect_items(n, 17)?;
        let mut themes = Vec::with_capacity(n);
        for i in 0..n {
            let id = r.str("a theme id")?;
            let label = r.str("a theme label")?;
            let parent = if r.flag()? { Some(r.len()?) } else { None };
            if parent.is_some_and(|p| p >= i) {
                return Err(r.fail(format!(
                    "theme {i} has a parent that does not come before it"
                )));
            }
            themes.push(MentionTheme { id, label, parent });
        }
        let rollup = r.flag()?;
        let period = match r.u8()? {
            0 => None,
            c => Some(
                *PERIODS
                    .get(usize::from(c) - 1)
                    .ok_or_else(|| r.fail(format!("bad period code {c}")))?,
            ),
        };
        let channels = r.flag()?;
        let labels = match r.u8()? {
            0 => {
                let k = r.len()?;
                r.expect_items(k, 8)?;
                ChannelLabels::Int(
                    (0..k)
                        .map(|_| r.u64().map(|x| x as i64))
                        .collect::<Result<_>>()?,
                )
            }
            1 => {
                let k = r.len()?;
                r.expect_items(k, 8)?;
                ChannelLabels::Str(
                    (0..k)
                        .map(|_| r.str("a channel label"))
                        .collect::<Result<_>>()?,
                )
            }
            2 if version >= 2 => {
                let k = r.len()?;
                r.expect_items(k, 8)?;
                ChannelLabels::Float((0..k).map(|_| r.f64()).collect::<Result<_>>()?)
            }
            3 if version >= 2 => {
                let k = r.len()?;
                r.expect_items(k, 1)?;
                ChannelLabels::Bool((0..k).map(|_| r.flag()).collect::<Result<_>>()?)
            }
            k => return Err(r.fail(format!("bad channel label kind {k}"))),
        };
        let order = if version == 1 {
            LabelOrder::Value
        } else {
            match r.u8()? {
                0 => LabelOrder::Value,
                1 => LabelOrder::Given,
                k => return Err(r.fail(format!("bad channel label order {k}"))),
            }
        };
        let dropped = r.u64()?;
        let counts = MentionCounts::read_body(&mut r)?;
        r.finish()?;
        if counts.n_themes() != themes.len() {
            return Err(r_fail("counts and themes disagree"));
        }
        if !channels && !labels.is_empty() {
            return Err(r_fail("channel labels in a state without channels"));
        }
        if labels.has_repeats() {
            return Err(r_fail("a channel label appears twice"));
        }
        if let ChannelLabels::Float(v) = &labels
            && v.iter()
                .any(|x| x.is_nan() || (*x == 0.0 && x.is_sign_negative()))
        {
            return Err(r_fail("a float channel label is NaN or -0.0"));
        }
        if !channels && order == LabelOrder::Given {
            return Err(r_fail("a channel label order in a state without channels"));
        }
        for (channel, p, _, mentions) in counts.cells() {
            if channels && channel as usize >= labels.len() {
                return Err(r_fail("a channel code has no label"));
            }
            if !channels && channel != 0 {
                return Err(r_fail("a channel code in a state without channels"));
            }
            if p.is_some() != period.is_some() {
                return Err(r_fail("a cell's period disagrees with the state's period"));
            }
            if rollup {
                let below_child = themes
                    .iter()
                    .enumerate()
                    .any(|(t, th)| th.parent.is_some_and(|p| mentions.get(p) < mentions.get(t)));
                if below_child {
                    return Err(r_fail(
                        "a parent theme has fewer mentions than its child in a rolled-up state",
                    ));
                }
            }
        }
        Ok(MentionState {
            themes,
            settings: MentionSettings {
                rollup,
                period,
                channels,
            },
            labels,
            order,
            dropped,
            counts,
        })
    }
}

fn r_fail(reason: &str) -> crate::Error {
    crate::Error::Decode {
        what: "mention state",
        reason: reason.into(),
    }
}
