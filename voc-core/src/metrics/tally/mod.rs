//! The mergeable engine behind every survey metric: a histogram of scale points per group, with
//! optional compensated weight sums.
//!
//! A [`Tally`] holds integer counts for each (group, point) cell. That is all NPS, CSAT and CES need:
//! shares, means and variances follow exactly from the histogram, the state is tiny, and merging is
//! exact. Weighted batches add Neumaier-compensated sums of weights per cell and of squared weights
//! per group (for Kish's effective n).

use super::score::{Located, Score, invalid_score};
use crate::MissingPolicy;

use crate::error::{Error, Result, check_len};
use crate::group::GroupKey;
use crate::stats::NeumaierSum;

mod bytes;
mod cell;
mod count;
mod hashed;
mod identities;
mod scale;
#[cfg(test)]
mod tests;

/// An empty NPS tally (0–10), for the tests of the counting passes.
#[cfg(test)]
fn nps() -> Tally {
    // invariant: 0..=10 is a valid scale.
    Tally::new(
        MetricKind::Nps,
        Scale::new(0, 10).unwrap_or_else(|_| unreachable!()),
    )
}

pub use cell::Cell;
use count::*;
pub use identities::{Identities, MAX_IDENTITIES};
pub use scale::{Batch, MetricKind, Scale};

/// Largest number of points on a scale.
///
/// ```
/// use voc_core::metrics::{Scale, MAX_POINTS};
/// assert!(Scale::new(0, MAX_POINTS as i32).is_err());
/// ```
pub const MAX_POINTS: usize = 101;
pub use crate::group::MAX_GROUPS;

/// Group ids a batch may add beyond those a tally already holds without rows to back them: a tally sizes
/// its counters by its largest group id, so a batch's ids must lie below
/// max([`FREE_GROUPS`], groups held + rows in the batch) (and below [`MAX_GROUPS`]). Dense codes (a
/// factorization of the rows) always do; a stray huge id such as 16,000,000 in a one-row batch is an
/// [`Error::TooLarge`] naming `groups` before anything is allocated (it would cost ~1 GB of counters).
pub const FREE_GROUPS: usize = 1 << 20;
/// Most rows (counted plus missing) one tally holds; keeps every counter far from overflow.
///
/// ```
/// assert_eq!(voc_core::metrics::MAX_ROWS, 1 << 62);
/// ```
pub const MAX_ROWS: u64 = 1 << 62;

#[cfg(feature = "parallel")]
const PARALLEL_MIN_ROWS: usize = 1 << 20;

#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
struct WeightSums {
    /// Σw per (group, point) cell.
    cells: Vec<NeumaierSum>,
    /// Σw² per group.
    squares: Vec<NeumaierSum>,
}

/// Mergeable histogram of scale points per group. See the module docs.
///
/// ```
/// use voc_core::metrics::{Batch, MetricKind, Scale, Tally};
/// let mut a = Tally::new(MetricKind::Nps, Scale::new(0, 10)?);
/// a.update(Batch::new(&[10_u8, 9, 0]))?;
/// let mut b = Tally::new(MetricKind::Nps, Scale::new(0, 10)?);
/// b.update(Batch::new(&[7_u8]))?;
/// a.merge(&b)?;
/// assert_eq!(a.cell(0).n(), 4);
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Tally {
    kind: MetricKind,
    scale: Scale,
    groups: usize,
    counts: Vec<u64>,
    missing: Vec<u64>,
    weights: Option<WeightSums>,
}

impl Tally {
    /// An empty tally with one group.
    ///
    /// ```
    /// use voc_core::metrics::{MetricKind, Scale, Tally};
    /// let t = Tally::new(MetricKind::Csat, Scale::new(1, 5)?);
    /// assert_eq!((t.groups(), t.rows(), t.is_weighted()), (1, 0, false));
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn new(kind: MetricKind, scale: Scale) -> Self {
        Tally {
            kind,
            scale,
            groups: 1,
            counts: vec![0; scale.points()],
            missing: vec![0],
            weights: None,
        }
    }

    /// The metric this tally counts for.
    pub fn kind(&self) -> MetricKind {
        self.kind
    }

    /// The scale.
    pub fn scale(&self) -> Scale {
        self.scale
    }

    /// Number of groups (one more than the largest group id seen; at least 1).
    pub fn groups(&self) -> usize {
        self.groups
    }

    /// Whether any weighted batch has been added.
    pub fn is_weighted(&self) -> bool {
        self.weights.is_some()
    }

    /// A read-only view of one group.
    ///
    /// ```
    /// use voc_core::metrics::{Batch, MetricKind, Scale, Tally};
    /// let mut t = Tally::new(MetricKind::Nps, Scale::new(0, 10)?);
    /// t.update(Batch::new(&[10_u8, 3]).groups(&[1, 1]))?;
    /// assert_eq!((t.cell(0).n(), t.cell(1).n(), t.cell(9).n()), (0, 2, 0));
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    ///
    /// # Panics
    /// Never: a group beyond [`groups`](Self::groups) is an empty view.
    pub fn cell(&self, group: usize) -> Cell<'_> {
        let k = self.scale.points();
        let range = group * k..(group + 1) * k;
        let counts = self.counts.get(range.clone()).unwrap_or(&[]);
        let weights = self
            .weights
            .as_ref()
            .and_then(|w| Some((w.cells.get(range)?, w.squares.get(group)?.value())));
        Cell {
            kind: self.kind,
            scale: self.scale,
            counts,
            missing: self.missing.get(group).copied().unwrap_or(0),
            weights,
        }
    }

    /// Rows held: counted plus missing, all groups.
    ///
    /// ```
    /// use voc_core::metrics::{Batch, MetricKind, Scale, Tally};
    /// use voc_core::MissingPolicy;
    /// let mut t = Tally::new(MetricKind::Nps, Scale::new(0, 10)?);
    /// t.update(Batch::new(&[1.0, f64::NAN]).missing(MissingPolicy::Skip))?;
    /// assert_eq!(t.rows(), 2);
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn rows(&self) -> u64 {
        // invariant: bounded by MAX_ROWS (checked on update, merge and decode), so the sums cannot overflow.
        self.counts.iter().sum::<u64>() + self.missing.iter().sum::<u64>()
    }

    fn check_capacity(&self, more: u64) -> Result<()> {
        match self.rows().checked_add(more) {
            Some(total) if total <= MAX_ROWS => Ok(()),
            _ => Err(Error::Incompatible(format!(
                "a tally holds at most 2^62 rows; it has {} and {more} more were added",
                self.rows()
            ))),
        }
    }

    /// Adds a batch. All-or-nothing: on error the tally is unchanged.
    ///
    /// ```
    /// use voc_core::metrics::{Batch, MetricKind, Scale, Tally};
    /// let mut t = Tally::new(MetricKind::Ces, Scale::new(1, 7)?);
    /// let err = t.update(Batch::new(&[3_i64, 9]).weights(&[1.0, 2.0])).unwrap_err();
    /// assert_eq!(err.to_string(), "scores[1] = 9 is outside the CES scale 1..=7");
    /// assert_eq!(t.rows(), 0);
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn update<S: Score>(&mut self, batch: Batch<'_, S>) -> Result<()> {
        let n = batch.scores.len();
        self.check_capacity(n as u64)?;
        if let Some(g) = batch.groups {
            check_len("scores", n, "groups", g.len())?;
        }
        if let Some(w) = batch.weights {
            check_len("scores", n, "weights", w.len())?;
        }
        match (batch.groups, batch.weights) {
            (None, None) => self.update_plain(batch.scores, batch.missing),
            _ => self.update_general(batch),
        }
    }

    fn invalid(&self, index: usize, value: f64) -> Error {
        invalid_score(
            "scores",
            index,
            value,
            self.kind.name(),
            self.scale.min,
            self.scale.max,
        )
    }

    /// Ungrouped, unweighted: one counting pass (byte fast path where the type allows).
    fn update_plain<S: Score>(&mut self, scores: &[S], missing: MissingPolicy) -> Result<()> {
        if self.weights.is_some() {
            return self.update_general(Batch::new(scores).missing(missing));
        }
        let k = self.scale.points();
        let (min, max) = (self.scale.min, self.scale.max);
        let (hist, skipped) = match byte_histogram_parallel(scores, min, k) {
            Some(hist) => (hist, 0),
            None => histogram_generic(scores, min, max, k),
        };
        let counted = hist.iter().sum::<u64>() + skipped;
        if counted != scores.len() as u64 || (skipped > 0 && missing == MissingPolicy::Error) {
            return Err(self.first_invalid(scores, missing));
        }
        for (c, h) in self.counts.iter_mut().zip(hist) {
            *c += h;
        }
        self.missing[0] += skipped;
        Ok(())
    }

    /// The error for the first invalid (or, under `Error`, missing) score.
    fn first_invalid<S: Score>(&self, scores: &[S], missing: MissingPolicy) -> Error {
        let (min, max) = (self.scale.min, self.scale.max);
        for (i, &s) in scores.iter().enumerate() {
            match s.locate(min, max) {
                Located::Point(_) => {}
                Located::Missing if missing == MissingPolicy::Skip => {}
                Located::Missing => {
                    return Error::Missing {
                        arg: "scores",
                        index: i,
                    };
                }
                Located::Invalid => return self.invalid(i, s.to_f64()),
            }
        }
        // invariant: only called after a pass found an invalid or missing value.
        Error::InsufficientData("internal: no invalid score found".into())
    }

    /// Checks every score without touching the state.
    fn validate_scores<S: Score>(&self, scores: &[S], missing: MissingPolicy) -> Result<()> {
        let (min, max) = (self.scale.min, self.scale.max);
        let strict = missing == MissingPolicy::Error;
        for chunk in scores.chunks(4096) {
            let bad = chunk
                .iter()
                .fold(false, |bad, &s| match s.locate(min, max) {
                    Located::Point(_) => bad,
                    Located::Missing => bad | strict,
                    Located::Invalid => true,
                });
            if bad {
                return Err(self.first_invalid(scores, missing));
            }
        }
        Ok(())
    }

    /// Grouped and/or weighted batches: validate everything, then apply.
    fn update_general<S: Score>(&mut self, batch: Batch<'_, S>) -> Result<()> {
        let Batch {
            scores,
            groups,
            weights,
            missing,
        } = batch;
        if let (Some(g), None, None) = (groups, weights, &self.weights) {
            return self.update_grouped(scores, g, 0, missing);
        }
        self.validate_scores(scores, missing)?;
        let needed = match groups {
            Some(g) => max_group(g)? + 1,
            None => 1,
        };
        if needed > self.group_limit(scores.len())
            && let Some(g) = groups
        {
            let index = g
                .iter()
                .position(|&id| id as usize >= self.group_limit(scores.len()))
                .unwrap_or(0);
            return Err(Error::too_large(
                "groups",
                g.get(index).copied().unwrap_or(0),
                self.group_limit(scores.len()),
                "group ids must be dense codes: a batch may add at most as many new ids as it has rows \
                 (beyond FREE_GROUPS = 1048576); factorize labels first",
            ));
        }
        if let Some(w) = weights {
            validate_weights(w, missing)?;
        }
        self.grow(needed);
        // Only weighted rows reach here (the batch's weights, or weight 1 for a weighted state).
        self.apply_weighted(scores, groups, weights);
        Ok(())
    }

    /// Row loop for weighted data (a batch without weights counts with weight 1).
    fn apply_weighted<S: Score>(
        &mut self,
        scores: &[S],
        groups: Option<&[u32]>,
        weights: Option<&[f64]>,
    ) {
        self.ensure_weights();
        let (min, max) = (self.scale.min, self.scale.max);
        let k = self.scale.points();
        let Some(sums) = self.weights.as_mut() else {
            return;
        };
        for (i, &s) in scores.iter().enumerate() {
            let g = groups.map_or(0, |g| g[i] as usize);
            let w = weights.map_or(1.0, |w| w[i]);
            match s.locate(min, max) {
                Located::Point(p) if !w.is_nan() => {
                    let cell = g * k + p;
                    self.counts[cell] += 1;
                    sums.cells[cell].add(w);
                    sums.squares[g].add(w * w);
                }
                _ => self.missing[g] += 1,
            }
        }
    }

    /// Unweighted grouped batch in one fused pass per thread: each chunk validates and counts into
    /// thread-local `u32` counters that grow with the group ids seen; the state changes only after every
    /// chunk succeeded, so an error leaves it untouched.
    fn update_grouped<S: Score, K: GroupKey>(
        &mut self,
        scores: &[S],
        keys: &[K],
        base: i64,
        missing: MissingPolicy,
    ) -> Result<()> {
        let (min, max) = (self.scale.min, self.scale.max);
        let k = self.scale.points();
        let strict = missing == MissingPolicy::Error;
        let limit = self.group_limit(scores.len());
        let scan =
            |offset: usize, scores: &[S], keys: &[K]| -> std::result::Result<LocalCounts, usize> {
                let mut local = LocalCounts::default();
                // Common case: every key of the chunk a valid group and every score a point, which two
                // vectorised folds tell; then rows are counted with no per-row checks.
                if let Some((lo, hi)) = K::range(keys)
                    && let (Some(first), Some(last)) =
                        (group_of_i64(lo, base), group_of_i64(hi, base))
                    && first < limit
                    && last < limit
                    && S::all_points(scores, min, max)
                {
                    local.grow(last + 1, k);
                    let counts = &mut local.counts[..(last + 1) * k];
                    for (&s, &key) in scores.iter().zip(keys) {
                        let g = key.key().map_or(0, |key| (key - base) as usize);
                        if let Located::Point(p) = s.locate(min, max) {
                            counts[g * k + p] += 1;
                        }
                    }
                    return Ok(local);
                }
                for (i, (&s, &key)) in scores.iter().zip(keys).enumerate() {
                    let Some(g) = group_of(key, base).filter(|&g| g < limit) else {
                        return Err(offset + i);
                    };
                    if g >= local.used {
                        local.grow(g + 1, k);
                    }
                    match s.locate(min, max) {
                        Located::Point(p) => local.counts[g * k + p] += 1,
                        Located::Missing if !strict => local.missing[g] += 1,
                        _ => return Err(offset + i),
                    }
                }
                Ok(local)
            };
        let locals = match scan_chunks(scores, keys, scan) {
            Ok(locals) => locals,
            Err(bad) => return Err(self.row_error(scores, keys, base, bad, missing)),
        };
        self.grow(locals.iter().map(|l| l.used).max().unwrap_or(0));
        for local in &locals {
            for (a, &b) in self.counts.iter_mut().zip(&local.counts[..local.used * k]) {
                *a += u64::from(b);
            }
            for (a, &b) in self.missing.iter_mut().zip(&local.missing[..local.used]) {
                *a += b;
            }
        }
        Ok(())
    }

    /// Adds unweighted scores grouped by an integer key column: row `i` belongs to group `keys[i] − base`,
    /// which must lie in `0..MAX_GROUPS`. This reads the caller's key column as it is (no code array is
    /// built), in the same fused, parallel, all-or-nothing pass as grouped batches.
    ///
    /// ```
    /// use voc_core::metrics::{MetricKind, Scale, Tally};
    /// use voc_core::MissingPolicy;
    /// let mut t = Tally::new(MetricKind::Nps, Scale::new(0, 10)?);
    /// t.update_keyed(&[10_u8, 0, 9], &[2024_i32, 2026, 2024], 2024, MissingPolicy::Error)?;
    /// assert_eq!((t.cell(0).n(), t.cell(1).n(), t.cell(2).n()), (2, 0, 1));
    /// assert!(t.update_keyed(&[9_u8], &[2023_i32], 2024, MissingPolicy::Error).is_err()); // below base
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn update_keyed<S: Score, K: GroupKey>(
        &mut self,
        scores: &[S],
        keys: &[K],
        base: i64,
        missing: MissingPolicy,
    ) -> Result<()> {
        check_len("scores", scores.len(), "groups", keys.len())?;
        self.check_capacity(scores.len() as u64)?;
        if self.weights.is_some() {
            // A weighted state takes the row loop (weight 1 per row); it needs dense codes.
            let codes = keys
                .iter()
                .enumerate()
                .map(|(i, &key)| {
                    group_of(key, base)
                        .map(|g| g as u32)
                        .ok_or_else(|| self.row_error(scores, keys, base, i, missing))
                })
                .collect::<Result<Vec<u32>>>()?;
            return self.update_general(Batch {
                scores,
                groups: Some(&codes),
                weights: None,
                missing,
            });
        }
        self.update_grouped(scores, keys, base, missing)
    }

    /// One more than the largest group id a batch of `rows` rows may use ([`FREE_GROUPS`]).
    fn group_limit(&self, rows: usize) -> usize {
        FREE_GROUPS
            .max(self.groups.saturating_add(rows))
            .min(MAX_GROUPS)
    }

    /// The error for row `index` of a grouped batch.
    fn row_error<S: Score, K: GroupKey>(
        &self,
        scores: &[S],
        keys: &[K],
        base: i64,
        index: usize,
        missing: MissingPolicy,
    ) -> Error {
        if let Some(&key) = keys.get(index)
            && let Some(g) = group_of(key, base)
            && g >= self.group_limit(scores.len())
        {
            return Error::too_large(
                "groups",
                g,
                self.group_limit(scores.len()),
                "group ids must be dense codes: a batch may add at most as many new ids as it has rows \
                 (beyond FREE_GROUPS = 1048576); factorize labels first",
            );
        }
        if let Some(&key) = keys.get(index)
            && group_of(key, base).is_none()
        {
            return Error::InvalidValue {
                arg: "groups",
                index,
                value: key.key().map_or(f64::INFINITY, |v| v as f64),
                reason: "group ids must be dense codes in 0..16777216 (factorize labels first)",
            };
        }
        self.score_error(scores, index, missing)
    }

    /// The error for the score at `index`, which a fast pass found missing or off the scale (or, if it
    /// is neither, the first bad score of the column): the error a row-by-row count gives.
    fn score_error<S: Score>(&self, scores: &[S], index: usize, missing: MissingPolicy) -> Error {
        match scores
            .get(index)
            .map(|s| s.locate(self.scale.min, self.scale.max))
        {
            Some(Located::Missing) => Error::Missing {
                arg: "scores",
                index,
            },
            Some(Located::Invalid) => self.invalid(index, scores[index].to_f64()),
            _ => self.first_invalid(scores, missing),
        }
    }

    /// Merges another tally of the same metric and scale (groups are aligned by id).
    ///
    /// ```
    /// use voc_core::metrics::{Batch, MetricKind, Scale, Tally};
    /// let mut a = Tally::new(MetricKind::Nps, Scale::new(0, 10)?);
    /// let mut b = a.clone();
    /// b.update(Batch::new(&[9_u8]).groups(&[3]))?;
    /// a.merge(&b)?;
    /// assert_eq!((a.groups(), a.cell(3).n()), (4, 1));
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn merge(&mut self, other: &Tally) -> Result<()> {
        self.check_mergeable(other)?;
        self.check_capacity(other.rows())?;
        self.grow(other.groups);
        if other.weights.is_some() {
            self.ensure_weights();
        }
        let k = self.scale.points();
        for (i, &c) in other.counts.iter().enumerate() {
            self.counts[i] += c;
        }
        for (i, &m) in other.missing.iter().enumerate() {
            self.missing[i] += m;
        }
        if let Some(mine) = &mut self.weights {
            match &other.weights {
                Some(theirs) => {
                    for (a, b) in mine.cells.iter_mut().zip(&theirs.cells) {
                        a.merge(b);
                    }
                    for (a, b) in mine.squares.iter_mut().zip(&theirs.squares) {
                        a.merge(b);
                    }
                }
                None => {
                    for (i, &c) in other.counts.iter().enumerate() {
                        mine.cells[i].add(c as f64);
                        mine.squares[i / k].add(c as f64);
                    }
                }
            }
        }
        Ok(())
    }

    /// Whether `other` can be merged into this tally: the same metric and the same scale (the only
    /// settings a tally is built with). The error names the setting that differs. Weighted and
    /// unweighted tallies do merge: an unweighted row counts with weight 1, exactly as when a weighted
    /// batch is added to a tally that has only unweighted rows, so merging parts equals adding all
    /// their batches to one tally.
    ///
    /// ```
    /// use voc_core::metrics::{MetricKind, Scale, Tally};
    /// let a = Tally::new(MetricKind::Csat, Scale::new(1, 5)?);
    /// let e = a.check_mergeable(&Tally::new(MetricKind::Csat, Scale::new(1, 7)?)).unwrap_err();
    /// assert!(e.to_string().contains("scale"), "{e}");
    /// let e = a.check_mergeable(&Tally::new(MetricKind::Ces, Scale::new(1, 5)?)).unwrap_err();
    /// assert!(e.to_string().contains("metric"), "{e}");
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn check_mergeable(&self, other: &Tally) -> Result<()> {
        if self.kind != other.kind {
            return Err(Error::Incompatible(format!(
                "the metric differs: a {} tally cannot be merged with a {} tally",
                self.kind.name(),
                other.kind.name()
            )));
        }
        if self.scale != other.scale {
            return Err(Error::Incompatible(format!(
                "the scale differs: a {} tally on {}..={} cannot be merged with one on {}..={} \
                 (the same score means something else on another scale)",
                self.kind.name(),
                self.scale.min,
                self.scale.max,
                other.scale.min,
                other.scale.max
            )));
        }
        Ok(())
    }

    /// Adds one chunk's counts of its local group `j` (`counts`: one run of the scale's points per
    /// local group; `missing`: one per local group) to group `g`.
    fn add_local(&mut self, g: usize, j: usize, counts: &[u32], missing: &[u64]) {
        let k = self.scale.points();
        let from = counts.get(j * k..(j + 1) * k).unwrap_or(&[]);
        for (a, &b) in self.counts[g * k..(g + 1) * k].iter_mut().zip(from) {
            *a += u64::from(b);
        }
        self.missing[g] += missing.get(j).copied().unwrap_or(0);
    }

    fn grow(&mut self, groups: usize) {
        if groups > self.groups {
            let k = self.scale.points();
            self.groups = groups;
            self.counts.resize(groups * k, 0);
            self.missing.resize(groups, 0);
            if let Some(w) = &mut self.weights {
                w.cells.resize(groups * k, NeumaierSum::default());
                w.squares.resize(groups, NeumaierSum::default());
            }
        }
    }

    /// Switches to weighted bookkeeping: rows added so far count with weight 1.
    fn ensure_weights(&mut self) {
        if self.weights.is_none() {
            let k = self.scale.points();
            let cells = self
                .counts
                .iter()
                .map(|&c| NeumaierSum::from_parts(c as f64, 0.0))
                .collect();
            let squares = self
                .counts
                .chunks(k)
                .map(|g| NeumaierSum::from_parts(g.iter().sum::<u64>() as f64, 0.0))
                .collect();
            self.weights = Some(WeightSums { cells, squares });
        }
    }
}
