//! Grouped counting by identity (an object's address, an opaque id) in one pass: each chunk of rows
//! hashes its identities to first-seen codes in a small table (in cache) and counts into chunk-local
//! counters by those codes; the chunks' identities are then merged in row order. No code array is
//! built: a binding counts a column of label objects this way, reads each distinct object's label
//! once, and moves the counts to the labels ([`Tally::regroup_dropping`]).

use super::*;
use crate::group::hashed::{HashKey, Table};

/// Rows whose codes are looked up before they are counted.
const BLOCK: usize = 512;

/// Most chunk-local counters counted as `u16` (half the cache footprint of `u32`); they are added to
/// the `u32` counters every [`FLUSH_ROWS`] rows, a sweep that stays cheap next to the rows counted
/// while there are this few. A chunk with more counters counts into `u32` directly.
const SMALL_CELLS: usize = 1 << 17;

/// Rows counted into `u16` counters between two flushes: whole blocks, so no counter can pass
/// `u16::MAX`.
const FLUSH_ROWS: usize = u16::MAX as usize / BLOCK * BLOCK;

/// Most distinct identities [`Tally::update_by_identities`] counts; a column with more is left to
/// [`factorize_identities`](crate::group::factorize_identities).
///
/// ```
/// assert_eq!(voc_core::metrics::MAX_IDENTITIES, 1 << 16);
/// ```
pub const MAX_IDENTITIES: usize = 1 << 16;

/// The distinct identities counted by [`Tally::update_by_identities`], in first-seen order: group `g`
/// of the tally holds the rows of `keys[g]`, first met at row `first[g]`.
///
/// ```
/// use voc_core::metrics::{Identities, MetricKind, Scale, Tally};
/// use voc_core::MissingPolicy;
/// let mut t = Tally::new(MetricKind::Nps, Scale::new(0, 10)?);
/// let rows = [0x7f00_usize, 0x7f40, 0x7f00];
/// let ids = t.update_by_identities(&[9_u8, 3, 10], |i| rows[i], MissingPolicy::Error)?;
/// assert_eq!(ids, Some(Identities { keys: vec![0x7f00, 0x7f40], first: vec![0, 1] }));
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identities {
    /// Each distinct identity, in order of first occurrence.
    pub keys: Vec<usize>,
    /// The row of each one's first occurrence (increasing).
    pub first: Vec<usize>,
}

/// Counters of one chunk, by the chunk's first-seen identity code.
struct Local {
    keys: Vec<usize>,
    first: Vec<usize>,
    counts: Vec<u32>,
    missing: Vec<u64>,
    /// `u16` counters while they are few ([`SMALL_CELLS`]), added to `counts` every [`FLUSH_ROWS`].
    small: Option<Vec<u16>>,
    /// Rows counted into `small` since its last flush.
    since: usize,
    /// Counters per identity (the scale's points).
    k: usize,
}

impl Local {
    fn new(k: usize) -> Self {
        Local {
            keys: Vec::new(),
            first: Vec::new(),
            counts: Vec::new(),
            missing: Vec::new(),
            small: Some(Vec::new()),
            since: 0,
            k,
        }
    }

    /// Registers identity `id`, first met at row `row`, with zeroed counters (out of the row loop:
    /// rare).
    #[cold]
    #[inline(never)]
    fn add(&mut self, id: usize, row: usize) -> std::result::Result<(), Stop> {
        if self.keys.len() == MAX_IDENTITIES {
            return Err(Stop::Many);
        }
        self.keys.push(id);
        self.first.push(row);
        self.counts.resize(self.counts.len() + self.k, 0);
        self.missing.push(0);
        if let Some(s) = &mut self.small {
            if self.counts.len() <= SMALL_CELLS {
                s.resize(self.counts.len(), 0);
            } else {
                flush(&mut self.counts, s);
                self.small = None;
            }
        }
        Ok(())
    }

    /// Counts one block of rows (row `start` first) by their codes.
    fn count(
        &mut self,
        scores: &[impl Score],
        codes: &[u32],
        start: usize,
        clean: bool,
        c: Counting,
    ) -> std::result::Result<(), Stop> {
        let Some(s) = &mut self.small else {
            return count_block(
                &mut self.counts,
                &mut self.missing,
                scores,
                codes,
                start,
                clean,
                c,
            );
        };
        count_block(s, &mut self.missing, scores, codes, start, clean, c)?;
        self.since += scores.len();
        if self.since + BLOCK > FLUSH_ROWS {
            flush(&mut self.counts, s);
            self.since = 0;
        }
        Ok(())
    }

    /// The counts, all in `counts`.
    fn finish(mut self) -> Self {
        if let Some(s) = &mut self.small {
            flush(&mut self.counts, s);
        }
        self
    }
}

/// Why a chunk's scan stopped early.
enum Stop {
    /// The first bad score (or, under `Error`, missing one) of the chunk.
    Bad(usize),
    /// More than [`MAX_IDENTITIES`] distinct identities.
    Many,
    /// An identity the chunk's table keys cannot hold.
    Wide,
}

/// The scale and policy a chunk is counted with.
#[derive(Clone, Copy)]
struct Counting {
    min: i32,
    max: i32,
    k: usize,
    strict: bool,
}

/// Counts one block of rows (row `start` first) by their codes into `counts` (`k` per code) and
/// `missing`; `clean`: every score is a point (no missing or bad rows to handle). Not inlined: its
/// loop gets the registers.
#[inline(never)]
fn count_block<S: Score, C: Copy + std::ops::AddAssign + From<u8>>(
    counts: &mut [C],
    missing: &mut [u64],
    scores: &[S],
    codes: &[u32],
    start: usize,
    clean: bool,
    c: Counting,
) -> std::result::Result<(), Stop> {
    let (min, max, k) = (c.min, c.max, c.k);
    if clean {
        for (&s, &code) in scores.iter().zip(codes) {
            if let Located::Point(p) = s.locate(min, max) {
                counts[code as usize * k + p] += C::from(1);
            }
        }
        return Ok(());
    }
    for (i, (&s, &code)) in scores.iter().zip(codes).enumerate() {
        let code = code as usize;
        match s.locate(min, max) {
            Located::Point(p) => counts[code * k + p] += C::from(1),
            Located::Missing if !c.strict => missing[code] += 1,
            _ => return Err(Stop::Bad(start + i)),
        }
    }
    Ok(())
}

/// Adds the `u16` counters to the `u32` ones and clears them.
fn flush(counts: &mut [u32], small: &mut [u16]) {
    for (a, b) in counts.iter_mut().zip(small) {
        *a += u32::from(std::mem::take(b));
    }
}

/// The codes of one block of rows (row `start` first), each identity `key(row)` hashed as the table
/// key `narrow(identity)` (`None`: [`Stop::Wide`]); new identities are registered in row order. Not
/// inlined: its loop gets the registers.
#[inline(never)]
fn lookup_block<K: HashKey>(
    table: &mut Table<K>,
    local: &mut Local,
    codes: &mut [u32],
    start: usize,
    key: &impl Fn(usize) -> usize,
    narrow: &impl Fn(usize) -> Option<K>,
) -> std::result::Result<(), Stop> {
    let mut j = 0;
    loop {
        // The rows of identities already met (nearly all of them), the table read-only.
        j += table.known_codes(&mut codes[j..], |r| narrow(key(start + j + r)));
        let Some(code) = codes.get_mut(j) else {
            return Ok(());
        };
        // A new identity (or one the table keys cannot hold).
        let id = key(start + j);
        let Some(hashed) = narrow(id) else {
            return Err(Stop::Wide);
        };
        *code = table.code_or_insert(hashed, local.keys.len() as u32);
        local.add(id, start + j)?;
        j += 1;
    }
}

/// Counts one chunk of rows (row `offset` first) by identity, each identity `key(row)` hashed as the
/// table key `narrow(identity)` (`None`: [`Stop::Wide`]).
fn scan_chunk<S: Score, K: HashKey>(
    offset: usize,
    scores: &[S],
    key: &(impl Fn(usize) -> usize + Sync),
    narrow: impl Fn(usize) -> Option<K>,
    c: Counting,
) -> std::result::Result<Local, Stop> {
    // Sparse: every row is looked up, and a key away from its home slot costs a mispredicted branch
    // on each of its rows.
    let mut table: Table<K> = Table::sparse(10);
    let mut local = Local::new(c.k);
    // Every score a point (one vectorised fold): rows are then counted with no checks.
    let clean = S::all_points(scores, c.min, c.max);
    // Blocks of rows: the codes first (hash probes, whose mispredicted branches would otherwise also
    // stall the counting), then the counts, as independent increments.
    let mut codes = [0_u32; BLOCK];
    for (b, scores) in scores.chunks(BLOCK).enumerate() {
        let start = offset + b * BLOCK;
        let codes = &mut codes[..scores.len()];
        lookup_block(&mut table, &mut local, codes, start, key, &narrow)?;
        local.count(scores, codes, start, clean, c)?;
    }
    Ok(local.finish())
}

impl Tally {
    /// Adds unweighted scores grouped by identity, on a fresh tally: row `i` is `key(i)` (an object's
    /// address, an id: compared for equality only), and group `g` is the `g`-th distinct identity in
    /// order of first occurrence. Identities are hashed chunk by chunk on several threads (feature
    /// `parallel`) and counted in the same pass, so no code array is built; the result equals
    /// [`factorize_identities`](crate::group::factorize_identities) (first-seen codes) followed by a
    /// grouped update with those codes.
    ///
    /// `Ok(None)`, leaving the tally untouched, when the column holds more than [`MAX_IDENTITIES`]
    /// distinct identities: the caller codes it instead (a bad row met first is reported instead).
    /// Errors, all-or-nothing, name the first bad score as a grouped update would. Only on a fresh
    /// tally (no rows, one group, unweighted), since the groups are the identities' first-seen order.
    ///
    /// ```
    /// use voc_core::metrics::{MetricKind, Scale, Tally};
    /// use voc_core::MissingPolicy;
    /// let mut t = Tally::new(MetricKind::Nps, Scale::new(0, 10)?);
    /// let rows = [0x9000_usize, 0x7000, 0x9000, 0x9000];
    /// let ids = t.update_by_identities(&[10_u8, 0, 9, 3], |i| rows[i], MissingPolicy::Error)?;
    /// assert_eq!(ids.map(|i| i.keys), Some(vec![0x9000, 0x7000]));
    /// assert_eq!((t.cell(0).n(), t.cell(1).n()), (3, 1));
    /// let e = Tally::new(MetricKind::Nps, Scale::new(0, 10)?)
    ///     .update_by_identities(&[10_u8, 11], |i| rows[i], MissingPolicy::Error)
    ///     .unwrap_err();
    /// assert!(e.to_string().contains("scores[1]"), "{e}");
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn update_by_identities<S: Score>(
        &mut self,
        scores: &[S],
        key: impl Fn(usize) -> usize + Sync,
        missing: MissingPolicy,
    ) -> Result<Option<Identities>> {
        if self.rows() != 0 || self.groups != 1 || self.weights.is_some() {
            return Err(Error::Incompatible(
                "update_by_identities needs a fresh tally: its groups are the identities' order"
                    .into(),
            ));
        }
        self.check_capacity(scores.len() as u64)?;
        let (min, max) = (self.scale.min, self.scale.max);
        let k = self.scale.points();
        let strict = missing == MissingPolicy::Error;
        let counting = Counting {
            min,
            max,
            k,
            strict,
        };
        let scan = |offset: usize, scores: &[S]| -> std::result::Result<Local, Stop> {
            // Identities 8-byte aligned and within 32 GiB of one another (the addresses of one
            // process's objects, in practice) are hashed as 32-bit offsets from a point 16 GiB below
            // the chunk's first one: table slots half as wide, which stay in cache. Others (or a
            // chunk with one identity out of that range) are hashed as they are.
            let base = if scores.is_empty() {
                0
            } else {
                (key(offset) as u64).wrapping_sub(1 << 34)
            };
            let narrow = |id: usize| {
                let off = (id as u64).wrapping_sub(base);
                (off >> 35 == 0 && off & 7 == 0).then_some((off >> 3) as u32)
            };
            match scan_chunk(offset, scores, &key, narrow, counting) {
                Err(Stop::Wide) => scan_chunk(offset, scores, &key, Some, counting),
                other => other,
            }
        };
        // A chunk never holds more than 2³¹ rows, so its counters may be `u32`.
        let chunk = chunk_len(scores.len()).min(1 << 31);
        #[cfg(feature = "parallel")]
        let locals: Vec<std::result::Result<Local, Stop>> = {
            use rayon::prelude::*;
            scores
                .par_chunks(chunk)
                .enumerate()
                .map(|(c, s)| scan(c * chunk, s))
                .collect()
        };
        #[cfg(not(feature = "parallel"))]
        let locals: Vec<std::result::Result<Local, Stop>> = scores
            .chunks(chunk)
            .enumerate()
            .map(|(c, s)| scan(c * chunk, s))
            .collect();
        if locals
            .iter()
            .any(|l| matches!(l, Err(Stop::Many | Stop::Wide)))
        {
            return Ok(None);
        }
        let bad = locals
            .iter()
            .filter_map(|l| match l {
                Err(Stop::Bad(row)) => Some(*row),
                _ => None,
            })
            .min();
        if let Some(bad) = bad {
            return Err(self.score_error(scores, bad, missing));
        }
        let locals: Vec<Local> = locals.into_iter().flatten().collect();
        // Merge in chunk order: first-seen order of the whole column, whatever the chunking.
        let mut global: Table<usize> = Table::new(10);
        let mut ids = Identities {
            keys: Vec::new(),
            first: Vec::new(),
        };
        let maps: Vec<Vec<u32>> = locals
            .iter()
            .map(|l| {
                l.keys
                    .iter()
                    .zip(&l.first)
                    .map(|(&id, &row)| {
                        let next = ids.keys.len() as u32;
                        let g = global.code_or_insert(id, next);
                        if g == next {
                            ids.keys.push(id);
                            ids.first.push(row);
                        }
                        g
                    })
                    .collect()
            })
            .collect();
        if ids.keys.len() > MAX_IDENTITIES {
            return Ok(None);
        }
        self.grow(ids.keys.len());
        for (local, map) in locals.iter().zip(&maps) {
            for (j, &g) in map.iter().enumerate() {
                self.add_local(g as usize, j, &local.counts, &local.missing);
            }
        }
        Ok(Some(ids))
    }
}

#[cfg(test)]
mod tests {
    use super::super::nps;
    use super::*;
    use proptest::prelude::*;

    /// The fused pass equals factorizing the identities (first-seen codes) and updating with the codes.
    fn same_as_codes(scores: &[f64], keys: &[usize], missing: MissingPolicy) {
        let mut fused = nps();
        let got = fused.update_by_identities(scores, |i| keys[i], missing);
        let mut distinct = (Vec::new(), Vec::new());
        let codes = crate::group::factorize_identities(
            keys.len(),
            |i| keys[i],
            |d, first| {
                distinct = (d.to_vec(), first.to_vec());
                Ok((0..d.len() as u32).collect())
            },
        )
        .unwrap();
        let mut coded = nps();
        let want = coded.update(Batch::new(scores).groups(&codes).missing(missing));
        match (got, want) {
            (Ok(Some(ids)), Ok(())) => {
                assert_eq!((ids.keys, ids.first), distinct);
                if !keys.is_empty() {
                    assert_eq!(fused, coded);
                }
            }
            (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
            (a, b) => panic!("fused {a:?} vs codes {b:?}"),
        }
    }

    #[test]
    fn many_chunks_equal_the_coded_update() {
        let n = 2_500_000;
        let keys: Vec<usize> = (0..n)
            .map(|i| 0x7f00_0000_0000 + (i * 2_654_435_761 % 1_013) * 64)
            .collect();
        let scores: Vec<f64> = (0..n).map(|i| (i * 7 % 11) as f64).collect();
        same_as_codes(&scores, &keys, MissingPolicy::Error);
        // Identities too far apart for 32-bit table keys, in some chunks only (from row 1,500,000).
        let mut spread = keys.clone();
        for k in &mut spread[1_500_000..] {
            *k = k.wrapping_mul(0x9E37_79B9_7F4A_7C15_u64 as usize);
        }
        same_as_codes(&scores, &spread, MissingPolicy::Skip);
        let bytes: Vec<u8> = scores.iter().map(|&s| s as u8).collect();
        let mut a = nps();
        a.update_by_identities(&bytes, |i| keys[i], MissingPolicy::Error)
            .unwrap();
        let mut b = nps();
        b.update_by_identities(&scores, |i| keys[i], MissingPolicy::Error)
            .unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn bad_rows_past_the_first_blocks_are_named_exactly() {
        let n = 3_000_000;
        let keys: Vec<usize> = (0..n).map(|i| (i * 7_919 % 997) << 4).collect();
        for (bad, value) in [(513, 11.0), (1_049_999, f64::NAN), (2_999_999, -1.0)] {
            let mut scores: Vec<f64> = (0..n).map(|i| (i % 11) as f64).collect();
            scores[bad] = value;
            same_as_codes(&scores, &keys, MissingPolicy::Error);
            same_as_codes(&scores, &keys, MissingPolicy::Skip);
            let e = nps()
                .update_by_identities(&scores, |i| keys[i], MissingPolicy::Error)
                .unwrap_err();
            assert!(e.to_string().contains(&format!("scores[{bad}]")), "{e}");
        }
    }

    #[test]
    fn too_many_identities_leave_the_tally_untouched() {
        // One chunk past the cap, and several chunks each under it but together past it.
        for (n, step) in [(MAX_IDENTITIES + 1, 1), (3_000_000, 16)] {
            let scores = vec![9_u8; n];
            let mut t = nps();
            let got = t
                .update_by_identities(&scores, |i| i / step, MissingPolicy::Error)
                .unwrap();
            assert_eq!(got, None);
            assert_eq!((t.rows(), t.groups()), (0, 1));
        }
        let mut t = nps();
        let keys: Vec<usize> = (0..MAX_IDENTITIES).collect();
        let ids = t
            .update_by_identities(&vec![3_u8; keys.len()], |i| keys[i], MissingPolicy::Error)
            .unwrap();
        assert_eq!(ids.map(|i| i.keys.len()), Some(MAX_IDENTITIES));
    }

    #[test]
    fn only_a_fresh_tally_is_counted_by_identity() {
        let mut t = nps();
        t.update(Batch::new(&[9_u8])).unwrap();
        assert!(
            t.update_by_identities(&[9_u8], |_| 1, MissingPolicy::Error)
                .is_err()
        );
        let mut w = nps();
        assert!(w.update(Batch::new(&[9_u8]).weights(&[0.5])).is_ok());
        assert!(
            w.update_by_identities(&[9_u8], |_| 1, MissingPolicy::Error)
                .is_err()
        );
    }

    /// Keys of `rows` rows over `distinct` identities: evenly spaced addresses (`stride` bytes apart:
    /// 32-bit table keys, several in one probe run) or spread over the whole range (`None`: 64-bit
    /// keys), in an order mixed by `seed`, one identity (`heavy`) taking half the rows.
    fn column(
        rows: usize,
        distinct: usize,
        stride: Option<usize>,
        seed: u64,
        heavy: bool,
    ) -> Vec<usize> {
        let mut x = seed | 1;
        (0..rows)
            .map(|i| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                // Every identity met (in a mixed order) before the random draws.
                let d = if i < distinct {
                    (i * 7_919) % distinct
                } else if heavy && x & 1 == 0 {
                    0
                } else {
                    (x >> 8) as usize % distinct
                };
                match stride {
                    Some(s) => 0x7f3a_0000_0000 + d * s,
                    None => (d + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15_u64 as usize),
                }
            })
            .collect()
    }

    #[test]
    fn small_counters_are_flushed_and_left_exactly() {
        // Identities 64 bytes apart (probe runs in the table).
        let addr = |d: usize| 0x7f3a_0000_0000 + d * 64;
        // One cell past `u16::MAX`: several flushes.
        let one = vec![addr(0); 200_000];
        same_as_codes(&vec![9.0; one.len()], &one, MissingPolicy::Error);
        // A thousand identities past the first flush, then enough new ones to outgrow the small
        // counters (with rows counted since that flush), then all of them again.
        let keys: Vec<usize> = (0..100_000)
            .map(|i| match i {
                0..80_000 => addr(i % 1_000),
                80_000..92_500 => addr(1_000 + i - 80_000),
                _ => addr(i % 13_500),
            })
            .collect();
        let scores: Vec<f64> = (0..keys.len()).map(|i| (i % 11) as f64).collect();
        same_as_codes(&scores, &keys, MissingPolicy::Error);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(32))]

        /// Larger columns, one chunk each: few identities with a cell past `u16::MAX` (the small
        /// counters flushed), about a thousand (the benchmark's case), enough counters to leave the
        /// small ones mid-chunk, and more than [`MAX_IDENTITIES`]; keys in probe runs or 64-bit.
        #[test]
        fn larger_columns_equal_the_coded_update(
            (rows, distinct) in prop_oneof![
                (150_000_usize..200_000, 1_usize..4),
                (20_000_usize..60_000, 900_usize..1_100),
                (30_000_usize..40_000, 11_900_usize..12_500),
                (66_000_usize..67_000, (MAX_IDENTITIES + 1)..(MAX_IDENTITIES + 300)),
            ],
            stride in prop_oneof![Just(Some(8_usize)), Just(Some(16)), Just(Some(48)), Just(Some(64)), Just(None)],
            seed in any::<u64>(),
            heavy in any::<bool>(),
            bad in prop_oneof![Just(None), (0.0_f64..1.0).prop_map(Some)],
            skip in any::<bool>(),
        ) {
            let keys = column(rows, distinct.min(rows), stride, seed, heavy);
            // With few identities, one score only: cells past `u16::MAX`.
            let point = |i: usize| if distinct < 4 { 9 } else { (i as u64 * 2_654_435_761) % 11 };
            let mut scores: Vec<f64> = (0..rows).map(|i| point(i) as f64).collect();
            if let Some(at) = bad {
                let at = (at * rows as f64) as usize;
                scores[at] = if at.is_multiple_of(2) { f64::NAN } else { 10.5 };
            }
            let policy = if skip { MissingPolicy::Skip } else { MissingPolicy::Error };
            if distinct > MAX_IDENTITIES {
                // Every identity is met in the first rows; a bad row after them is never reached.
                let mut t = nps();
                let got = t.update_by_identities(&scores, |i| keys[i], policy);
                if bad.is_none_or(|at| (at * rows as f64) as usize >= distinct) {
                    prop_assert_eq!(got.ok(), Some(None));
                    prop_assert_eq!((t.rows(), t.groups()), (0, 1));
                }
            } else {
                same_as_codes(&scores, &keys, policy);
            }
        }

        #[test]
        fn equals_the_coded_update(
            rows in proptest::collection::vec(
                (prop_oneof![Just(f64::NAN), Just(12.0), 0.0_f64..=10.0, Just(9.0)], 0_usize..12),
                0..120,
            ),
            skip in any::<bool>(),
            spread in any::<bool>(),
        ) {
            let scores: Vec<f64> = rows.iter().map(|r| r.0.round()).collect();
            // Nearby aligned addresses (32-bit table keys) or identities spread over the whole range.
            let keys: Vec<usize> = rows
                .iter()
                .map(|r| if spread { r.1.wrapping_mul(0x9E37_79B9_7F4A_7C15_u64 as usize) } else { 0x1000 + r.1 * 48 })
                .collect();
            let policy = if skip { MissingPolicy::Skip } else { MissingPolicy::Error };
            same_as_codes(&scores, &keys, policy);
        }

        /// Counted by identity, then moved to labels (several identities may share a label, some have
        /// none): the same tally as coding every row by its label, rows without one left out.
        #[test]
        fn regrouped_by_label_equals_counting_by_label(
            rows in proptest::collection::vec((0_u8..=10, 0_usize..10), 1..150),
            label_of in proptest::collection::vec(prop_oneof![Just(None), (0_u32..4).prop_map(Some)], 10),
        ) {
            let scores: Vec<u8> = rows.iter().map(|r| r.0).collect();
            let keys: Vec<usize> = rows.iter().map(|r| 0x7f00 + r.1 * 64).collect();
            let label = |id: usize| label_of[(id - 0x7f00) / 64];
            let mut fused = nps();
            let ids = fused
                .update_by_identities(&scores, |i| keys[i], MissingPolicy::Error)
                .unwrap()
                .unwrap();
            let map: Vec<Option<u32>> = ids.keys.iter().map(|&id| label(id)).collect();
            let (regrouped, dropped) = fused.regroup_dropping(&map, 4).unwrap();
            // Reference: codes from factorize_identities whose finish gives each identity its label.
            let codes = crate::group::factorize_identities(keys.len(), |i| keys[i], |d, _| {
                Ok(d.iter().map(|&id| label(id).unwrap_or(u32::MAX)).collect())
            })
            .unwrap();
            let keep: Vec<usize> = (0..codes.len()).filter(|&i| codes[i] != u32::MAX).collect();
            let kept_scores: Vec<u8> = keep.iter().map(|&i| scores[i]).collect();
            let kept_codes: Vec<u32> = keep.iter().map(|&i| codes[i]).collect();
            let mut coded = nps();
            coded.update(Batch::new(&kept_scores).groups(&kept_codes)).unwrap();
            prop_assert_eq!(dropped, (rows.len() - keep.len()) as u64);
            prop_assert_eq!(regrouped.rows(), coded.rows());
            // (A tally without rows in its last groups holds no counters for them.)
            let counts = |t: &Tally, g: usize| {
                let c = t.cell(g).counts().to_vec();
                if c.is_empty() { vec![0; 11] } else { c }
            };
            for g in 0..4 {
                prop_assert_eq!(counts(&regrouped, g), counts(&coded, g));
            }
        }
    }
}
