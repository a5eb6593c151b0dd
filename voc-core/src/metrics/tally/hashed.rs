//! Grouped counting by integer keys of any spread, in one pass: each chunk of rows hashes its keys into
//! a small table (in cache) and counts into chunk-local counters by first-seen code; the chunks' keys
//! are then merged and sorted, and their counters added under the sorted codes. No code array is built.

use super::*;
use crate::group::hashed::Table;

/// Rows whose codes are looked up before they are counted.
const BLOCK: usize = 512;

/// Counters of one chunk, by the chunk's first-seen key code.
struct LocalKeys {
    keys: Vec<i64>,
    counts: Vec<u32>,
    missing: Vec<u64>,
}

impl Tally {
    /// Adds unweighted scores grouped by integer keys of any spread (ids, hashes, sparse codes): group
    /// `g` is the `g`-th smallest distinct key, and the keys are returned in that order. The keys are
    /// hashed chunk by chunk on several threads (feature `parallel`) and counted in the same pass, so
    /// no code array is built; the result equals factorizing the keys
    /// ([`factorize_keys`](crate::group::factorize_keys)) and updating with the codes.
    ///
    /// Only on a fresh tally (no rows, one group, unweighted), since the groups are the keys' ranks.
    /// All-or-nothing; a `u64` key above `i64::MAX` is an error naming `groups`.
    ///
    /// ```
    /// use voc_core::metrics::{MetricKind, Scale, Tally};
    /// use voc_core::MissingPolicy;
    /// let mut t = Tally::new(MetricKind::Nps, Scale::new(0, 10)?);
    /// let keys = t.update_by_keys(&[10_u8, 0, 9], &[7_000_000_000_i64, -5, 7_000_000_000], MissingPolicy::Error)?;
    /// assert_eq!(keys, vec![-5, 7_000_000_000]);
    /// assert_eq!((t.cell(0).n(), t.cell(1).n()), (1, 2));
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn update_by_keys<S: Score, K: GroupKey>(
        &mut self,
        scores: &[S],
        keys: &[K],
        missing: MissingPolicy,
    ) -> Result<Vec<i64>> {
        check_len("scores", scores.len(), "groups", keys.len())?;
        if self.rows() != 0 || self.groups != 1 || self.weights.is_some() {
            return Err(Error::Incompatible(
                "update_by_keys needs a fresh tally: its groups are the keys' ranks".into(),
            ));
        }
        self.check_capacity(scores.len() as u64)?;
        crate::group::check_keys_fit(keys)?;
        let (min, max) = (self.scale.min, self.scale.max);
        let k = self.scale.points();
        let strict = missing == MissingPolicy::Error;
        let scan =
            |offset: usize, scores: &[S], keys: &[K]| -> std::result::Result<LocalKeys, usize> {
                let mut table: Table<i64> = Table::new(10);
                let mut local = LocalKeys {
                    keys: Vec::new(),
                    counts: Vec::new(),
                    missing: Vec::new(),
                };
                // Blocks of rows: the codes first (hash probes, whose mispredicted branches would
                // otherwise also stall the counting), then the counts, as independent increments.
                let mut codes = [0_u32; BLOCK];
                for (b, (scores, keys)) in scores.chunks(BLOCK).zip(keys.chunks(BLOCK)).enumerate()
                {
                    for (code, &key) in codes.iter_mut().zip(keys) {
                        // invariant: every key fits in i64 (checked above).
                        let key = key.key().unwrap_or(i64::MAX);
                        let next = local.keys.len() as u32;
                        *code = table.code_or_insert(key, next);
                        if *code == next {
                            local.keys.push(key);
                            local.counts.resize(local.counts.len() + k, 0);
                            local.missing.push(0);
                        }
                    }
                    for (i, (&s, &c)) in scores.iter().zip(&codes).enumerate() {
                        let c = c as usize;
                        match s.locate(min, max) {
                            Located::Point(p) => local.counts[c * k + p] += 1,
                            Located::Missing if !strict => local.missing[c] += 1,
                            _ => return Err(offset + b * BLOCK + i),
                        }
                    }
                }
                Ok(local)
            };
        let locals = match scan_chunks(scores, keys, scan) {
            Ok(locals) => locals,
            Err(bad) => {
                // Too many distinct keys is reported first, as factorizing them first would.
                crate::group::factorize_keys(keys)?;
                return Err(self.score_error(scores, bad, missing));
            }
        };
        let mut labels: Vec<i64> = locals.iter().flat_map(|l| l.keys.iter().copied()).collect();
        labels.sort_unstable();
        labels.dedup();
        crate::group::check_count(labels.len())?;
        self.grow(labels.len());
        for local in &locals {
            for (j, key) in local.keys.iter().enumerate() {
                let g = labels.binary_search(key).unwrap_or(0);
                self.add_local(g, j, &local.counts, &local.missing);
            }
        }
        Ok(labels)
    }
}

impl Tally {
    /// The tally with its groups renamed: group `g` becomes group `map[g]` of a tally of `groups`
    /// groups; groups mapped to one group add up. This is how counts made by one coding of the labels
    /// (an Arrow dictionary's keys) are moved to another (the labels' sorted order) without a second
    /// pass over the rows. Unweighted tallies only; every group that holds rows needs a target below
    /// `groups`.
    ///
    /// ```
    /// use voc_core::metrics::{Batch, MetricKind, Scale, Tally};
    /// let mut t = Tally::new(MetricKind::Nps, Scale::new(0, 10)?);
    /// t.update(Batch::new(&[10_u8, 0, 9]).groups(&[0, 1, 2]))?;
    /// let r = t.regroup(&[1, 0, 1], 2)?;
    /// assert_eq!((r.groups(), r.cell(0).n(), r.cell(1).n()), (2, 1, 2));
    /// assert!(t.regroup(&[0, 5, 0], 2).is_err());
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn regroup(&self, map: &[u32], groups: usize) -> Result<Tally> {
        let map: Vec<Option<u32>> = map.iter().map(|&t| Some(t)).collect();
        // invariant: no group maps to None, so none is dropped.
        self.regroup_dropping(&map, groups).map(|(t, _)| t)
    }

    /// [`Tally::regroup`] where some groups belong to no target: group `g` becomes group `map[g]`, and
    /// a group mapped to `None` is left out; the number of rows (counted and
    /// missing) left out comes back with the tally. This is how counts made by object identity move to
    /// the objects' labels, the rows of missing labels (None, NaN) left out.
    ///
    /// ```
    /// use voc_core::metrics::{Batch, MetricKind, Scale, Tally};
    /// use voc_core::MissingPolicy;
    /// let mut t = Tally::new(MetricKind::Nps, Scale::new(0, 10)?);
    /// t.update(Batch::new(&[10.0, 0.0, f64::NAN]).groups(&[0, 1, 1]).missing(MissingPolicy::Skip))?;
    /// let (r, dropped) = t.regroup_dropping(&[Some(0), None], 1)?;
    /// assert_eq!((r.groups(), r.rows(), dropped), (1, 1, 2));
    /// assert!(t.regroup_dropping(&[Some(1), None], 1).is_err()); // no group 1
    /// assert!(t.regroup_dropping(&[Some(0)], 1).is_err()); // group 1 unmapped
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn regroup_dropping(&self, map: &[Option<u32>], groups: usize) -> Result<(Tally, u64)> {
        if self.weights.is_some() {
            return Err(Error::Incompatible(
                "regroup moves unweighted counts only".into(),
            ));
        }
        crate::group::check_count(groups)?;
        let k = self.scale.points();
        let mut out = Tally::new(self.kind, self.scale);
        out.grow(groups);
        let mut dropped = 0;
        for g in 0..self.groups {
            let from = self.counts.get(g * k..(g + 1) * k).unwrap_or(&[]);
            let missing = self.missing.get(g).copied().unwrap_or(0);
            if missing == 0 && from.iter().all(|&c| c == 0) {
                continue;
            }
            let to = match map.get(g) {
                Some(None) => {
                    dropped += from.iter().sum::<u64>() + missing;
                    continue;
                }
                Some(Some(t)) => Some(*t as usize).filter(|&t| t < groups),
                None => None,
            };
            let Some(to) = to else {
                return Err(Error::option(
                    "map",
                    g,
                    format!("group {g} holds rows but has no target below {groups}"),
                ));
            };
            for (a, &b) in out.counts[to * k..(to + 1) * k].iter_mut().zip(from) {
                *a += b;
            }
            out.missing[to] += missing;
        }
        Ok((out, dropped))
    }
}

#[cfg(test)]
mod tests {
    use super::super::nps;
    use super::*;
    use proptest::prelude::*;

    /// The hashed pass equals factorizing the keys and updating with the codes.
    fn same_as_codes(scores: &[f64], keys: &[i64], missing: MissingPolicy) {
        let mut hashed = nps();
        let got = hashed.update_by_keys(scores, keys, missing);
        let f = crate::group::factorize_keys(keys).unwrap();
        let mut coded = nps();
        let want = coded.update(Batch::new(scores).groups(&f.codes).missing(missing));
        match (got, want) {
            (Ok(labels), Ok(())) => {
                assert_eq!(labels, f.labels);
                if !keys.is_empty() {
                    assert_eq!(hashed, coded);
                }
            }
            (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
            (a, b) => panic!("hashed {a:?} vs codes {b:?}"),
        }
    }

    #[test]
    fn many_chunks_equal_the_coded_update() {
        let n = 2_500_000;
        let keys: Vec<i64> = (0..n as i64)
            .map(|i| (i * 2_654_435_761 % 3_001) * 1_000_003 - 7)
            .collect();
        let scores: Vec<f64> = (0..n).map(|i| (i * 7 % 11) as f64).collect();
        same_as_codes(&scores, &keys, MissingPolicy::Error);
    }

    #[test]
    fn bad_rows_past_the_first_blocks_are_named_exactly() {
        // Rows in several lookup blocks and chunks; one bad score or missing value deep inside.
        let n = 3_000_000;
        let keys: Vec<i64> = (0..n as i64).map(|i| (i * 7_919 % 997) << 33).collect();
        for (bad, value) in [(513, 11.0), (1_049_999, f64::NAN), (2_999_999, -1.0)] {
            let mut scores: Vec<f64> = (0..n).map(|i| (i % 11) as f64).collect();
            scores[bad] = value;
            same_as_codes(&scores, &keys, MissingPolicy::Error);
            same_as_codes(&scores, &keys, MissingPolicy::Skip);
            let e = nps()
                .update_by_keys(&scores, &keys, MissingPolicy::Error)
                .unwrap_err();
            assert!(e.to_string().contains(&format!("scores[{bad}]")), "{e}");
        }
    }

    #[test]
    fn errors_name_the_first_bad_row_and_leave_the_tally_untouched() {
        let mut t = nps();
        let e = t
            .update_by_keys(
                &[9.0, 11.0, f64::NAN],
                &[1_i64 << 40, 5, 5],
                MissingPolicy::Error,
            )
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            Tally::new(MetricKind::Nps, t.scale())
                .update(Batch::new(&[9.0, 11.0]).groups(&[1, 0]))
                .unwrap_err()
                .to_string()
        );
        assert_eq!((t.rows(), t.groups()), (0, 1));
        let e = t
            .update_by_keys(&[9_u8], &[u64::MAX], MissingPolicy::Error)
            .unwrap_err();
        assert!(e.to_string().contains("groups[0]"), "{e}");
        t.update_by_keys(&[9_u8], &[3_i32], MissingPolicy::Error)
            .unwrap();
        assert!(
            t.update_by_keys(&[9_u8], &[3_i32], MissingPolicy::Error)
                .is_err()
        );
    }

    #[test]
    fn regroup_adds_the_counts_of_merged_groups() {
        let mut t = nps();
        t.update(
            Batch::new(&[10_u8, 0, 9, 5])
                .groups(&[0, 1, 2, 2])
                .missing(MissingPolicy::Skip),
        )
        .unwrap();
        let r = t.regroup(&[2, 0, 2], 3).unwrap();
        assert_eq!((r.cell(0).n(), r.cell(1).n(), r.cell(2).n()), (1, 0, 3));
        assert_eq!(r.cell(2).counts()[10], 1);
        assert_eq!(r.rows(), t.rows());
        // The same counts as updating with the target codes directly.
        let mut direct = nps();
        direct
            .update(Batch::new(&[10_u8, 0, 9, 5]).groups(&[2, 0, 2, 2]))
            .unwrap();
        assert_eq!(r, direct);
        let mut w = nps();
        w.update(Batch::new(&[9_u8]).weights(&[2.0])).unwrap();
        assert!(w.regroup(&[0], 1).is_err());
    }

    proptest! {
        #[test]
        fn equals_the_coded_update(
            rows in proptest::collection::vec(
                (prop_oneof![Just(f64::NAN), Just(12.0), 0.0_f64..=10.0, Just(9.0)], prop_oneof![-2_i64..3, any::<i64>()]),
                0..120,
            ),
            skip in any::<bool>(),
        ) {
            let scores: Vec<f64> = rows.iter().map(|r| r.0.round()).collect();
            let keys: Vec<i64> = rows.iter().map(|r| r.1).collect();
            let policy = if skip { MissingPolicy::Skip } else { MissingPolicy::Error };
            same_as_codes(&scores, &keys, policy);
        }
    }
}
