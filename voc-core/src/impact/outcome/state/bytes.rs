//! The byte form of an [`OutcomeState`]: what Dask or Spark workers ship to be merged.

use super::*;

const OUTCOME_MAGIC: &[u8; 4] = b"VOCO";
const OUTCOME_VERSION: u16 = 2;

impl OutcomeState {
    /// Versioned, checksummed byte form (little-endian), read back by [`from_bytes`](Self::from_bytes)
    /// on any platform: what Dask or Spark workers ship to be merged.
    ///
    /// ```
    /// use voc_core::impact::outcome::{OutcomeState, Outcomes};
    /// let mut s = OutcomeState::new(&["a".to_string(), "b".to_string()])?;
    /// s.update(&[0, 1, 1], Outcomes { spend: Some(&[1.0, 2.5, 4.0]), ..Default::default() }, Default::default())?;
    /// assert_eq!(OutcomeState::from_bytes(&s.to_bytes())?, s);
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::with_header(OUTCOME_MAGIC, OUTCOME_VERSION);
        w.strs(&self.names);
        // One byte: 0 text, 1 integer (as the flag of earlier builds), 2 float, 3 bool.
        w.u8(self.kind as u8);
        self.counts.iter().for_each(|&n| w.u64(n));
        self.missing.iter().for_each(|&n| w.u64(n));
        w.u64(self.missing_class);
        w.flag(self.fixed);
        for acc in &self.acc {
            match acc {
                None => w.u8(0),
                Some(v) => {
                    w.u8(1);
                    for a in v {
                        let ((s, sc), (q, qc)) = (a.sum.parts(), a.sq.parts());
                        w.u64(a.n);
                        [s, sc, q, qc].into_iter().for_each(|x| w.f64(x));
                    }
                }
            }
        }
        w.seal()
    }

    /// Parses [`to_bytes`](Self::to_bytes) output; any corruption is an [`Error::Decode`].
    ///
    /// ```
    /// use voc_core::impact::outcome::OutcomeState;
    /// assert!(matches!(OutcomeState::from_bytes(b"VOCO"), Err(voc_core::Error::Decode { .. })));
    /// ```
    pub fn from_bytes(bytes: &[u8]) -> Result<OutcomeState> {
        let mut r = Reader::open(bytes, "outcome state", OUTCOME_MAGIC, OUTCOME_VERSION)?;
        let k = r.len()?;
        r.expect_items(k, 16)?;
        let mut names = Vec::with_capacity(k);
        for _ in 0..k {
            names.push(r.str("a class name")?);
        }
        if names.is_empty() {
            return Err(r.fail("no class names"));
        }
        let kind = match r.u8()? {
            0 => LabelKind::Text,
            1 => LabelKind::Integer,
            2 => LabelKind::Float,
            3 => LabelKind::Bool,
            k => return Err(r.fail(format!("label kind byte {k} is not 0..=3"))),
        };
        let mut counts = Vec::with_capacity(k);
        for _ in 0..k {
            counts.push(r.u64()?);
        }
        let mut missing = Vec::with_capacity(k);
        for _ in 0..k {
            missing.push(r.u64()?);
        }
        let missing_class = r.u64()?;
        if total(&counts, &missing, missing_class).is_none() {
            return Err(r.fail(format!(
                "more than {MAX_CUSTOMERS} customers counted (counts, missing and unclassified)"
            )));
        }
        let fixed = r.flag()?;
        let mut acc: [Option<Vec<Acc>>; 4] = [None, None, None, None];
        for slot in &mut acc {
            match r.u8()? {
                0 => {}
                1 => {
                    r.expect_items(k, 40)?;
                    let mut v = Vec::with_capacity(k);
                    for &count in &counts {
                        let n = r.u64()?;
                        if n > count {
                            return Err(
                                r.fail(format!("{n} values in a class of {count} customers"))
                            );
                        }
                        let (s, sc, q, qc) = (r.f64()?, r.f64()?, r.f64()?, r.f64()?);
                        v.push(Acc {
                            n,
                            sum: NeumaierSum::from_parts(s, sc),
                            sq: NeumaierSum::from_parts(q, qc),
                        });
                    }
                    *slot = Some(v);
                }
                f => return Err(r.fail(format!("bad outcome flag {f}"))),
            }
        }
        r.finish()?;
        Ok(OutcomeState {
            names,
            kind,
            counts,
            missing,
            missing_class,
            acc,
            fixed,
        })
    }
}
