//! The versioned, checksummed byte form of a tally.

use super::*;
use crate::codec::{Reader, Writer};

const MAGIC: &[u8; 4] = b"VOCT";
const VERSION: u16 = 1;

impl Tally {
    /// The versioned byte form: `b"VOCT"`, version, metric, scale, groups, counts, missing, the weight
    /// sums (value and compensation) if weighted, and an FNV-1a checksum. Stable across platforms
    /// (little-endian).
    ///
    /// ```
    /// use voc_core::metrics::{Batch, MetricKind, Scale, Tally};
    /// let mut t = Tally::new(MetricKind::Csat, Scale::new(1, 5)?);
    /// t.update(Batch::new(&[5_i32, 4, 1]).weights(&[1.0, 2.0, 0.5]))?;
    /// assert_eq!(Tally::from_bytes(&t.to_bytes())?, t);
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::with_header(MAGIC, VERSION);
        w.u8(self.kind.tag());
        w.i32(self.scale.min);
        w.i32(self.scale.max);
        w.u64(self.groups as u64);
        self.counts.iter().for_each(|&c| w.u64(c));
        self.missing.iter().for_each(|&m| w.u64(m));
        match &self.weights {
            None => w.u8(0),
            Some(sums) => {
                w.u8(1);
                for s in sums.cells.iter().chain(&sums.squares) {
                    let (v, c) = s.parts();
                    w.f64(v);
                    w.f64(c);
                }
            }
        }
        w.seal()
    }

    /// Parses [`to_bytes`](Self::to_bytes) output; any corruption is an [`Error::Decode`].
    ///
    /// ```
    /// use voc_core::metrics::Tally;
    /// assert!(matches!(Tally::from_bytes(b"VOCT\x01"), Err(voc_core::Error::Decode { .. })));
    /// ```
    pub fn from_bytes(bytes: &[u8]) -> Result<Tally> {
        let mut r = Reader::open(bytes, "tally", MAGIC, VERSION)?;
        let tag = r.u8()?;
        let kind =
            MetricKind::from_tag(tag).ok_or_else(|| r.fail(format!("unknown metric tag {tag}")))?;
        let scale = Scale::new(r.i32()?, r.i32()?).map_err(|e| r.fail(e.to_string()))?;
        let groups = r.len()?;
        if groups == 0 || groups > MAX_GROUPS {
            return Err(r.fail(format!("group count {groups} out of range")));
        }
        let k = scale.points();
        r.expect_items(groups * (k + 1), 8)?;
        let counts = (0..groups * k)
            .map(|_| r.u64())
            .collect::<Result<Vec<_>>>()?;
        let missing = (0..groups).map(|_| r.u64()).collect::<Result<Vec<_>>>()?;
        let weights = match r.u8()? {
            0 => None,
            1 => {
                r.expect_items(groups * (k + 1), 16)?;
                let mut read = |n: usize| {
                    (0..n)
                        .map(|_| Ok(NeumaierSum::from_parts(r.f64()?, r.f64()?)))
                        .collect::<Result<Vec<_>>>()
                };
                let cells = read(groups * k)?;
                let squares = read(groups)?;
                let bad = cells.iter().chain(&squares).any(|w| {
                    let (v, c) = w.parts();
                    !(v.is_finite() && c.is_finite() && w.value() >= 0.0)
                });
                if bad {
                    return Err(r.fail("weight sums must be finite and non-negative"));
                }
                Some(WeightSums { cells, squares })
            }
            other => return Err(r.fail(format!("bad weight flag {other}"))),
        };
        r.finish()?;
        let rows = counts.iter().chain(&missing).try_fold(0u64, |acc, &c| {
            acc.checked_add(c).filter(|&t| t <= MAX_ROWS)
        });
        if rows.is_none() {
            return Err(Error::Decode {
                what: "tally",
                reason: "counts exceed 2^62 rows".into(),
            });
        }
        Ok(Tally {
            kind,
            scale,
            groups,
            counts,
            missing,
            weights,
        })
    }
}

impl Tally {
    /// All groups summed into one.
    ///
    /// ```
    /// use voc_core::metrics::{Batch, MetricKind, Scale, Tally};
    /// let mut t = Tally::new(MetricKind::Nps, Scale::new(0, 10)?);
    /// t.update(Batch::new(&[10_u8, 0, 5]).groups(&[0, 1, 2]))?;
    /// assert_eq!((t.collapsed().groups(), t.collapsed().cell(0).n()), (1, 3));
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn collapsed(&self) -> Tally {
        let k = self.scale.points();
        let mut out = Tally::new(self.kind, self.scale);
        for group in self.counts.chunks(k) {
            out.counts.iter_mut().zip(group).for_each(|(a, b)| *a += b);
        }
        out.missing[0] = self.missing.iter().sum();
        if let Some(w) = &self.weights {
            let mut cells = vec![NeumaierSum::default(); k];
            for group in w.cells.chunks(k) {
                cells.iter_mut().zip(group).for_each(|(a, b)| a.merge(b));
            }
            let mut square = NeumaierSum::default();
            w.squares.iter().for_each(|s| square.merge(s));
            out.weights = Some(WeightSums {
                cells,
                squares: vec![square],
            });
        }
        out
    }
}
