//! The mergeable engine behind every survey metric: a histogram of scale points per group, with
//! optional compensated weight sums.
//!
//! A [`Tally`] holds integer counts for each (group, point) cell. That is all NPS, CSAT and CES need:
//! shares, means and variances follow exactly from the histogram, the state is tiny, and merging is
//! exact. Weighted batches add Neumaier-compensated sums of weights per cell and of squared weights
//! per group (for Kish's effective n).

use super::score::{Located, Score, invalid_score};
use crate::MissingPolicy;
use crate::codec::{Reader, Writer};
use crate::error::{Error, Result, check_len};
use crate::group::GroupKey;
use crate::stats::{MeanSummary, NeumaierSum};

/// Largest number of points on a scale.
///
/// ```
/// use voc_core::metrics::{Scale, MAX_POINTS};
/// assert!(Scale::new(0, MAX_POINTS as i32).is_err());
/// ```
pub const MAX_POINTS: usize = 101;
/// Group ids must be below this (they index dense arrays).
///
/// ```
/// use voc_core::metrics::{Batch, NpsState, MAX_GROUPS};
/// let mut s = NpsState::new();
/// assert!(s.update_batch(Batch::new(&[9_u8]).groups(&[MAX_GROUPS as u32])).is_err());
/// ```
pub const MAX_GROUPS: usize = 1 << 24;
/// Most rows (counted plus missing) one tally holds; keeps every counter far from overflow.
///
/// ```
/// assert_eq!(voc_core::metrics::MAX_ROWS, 1 << 62);
/// ```
pub const MAX_ROWS: u64 = 1 << 62;

#[cfg(feature = "parallel")]
const PARALLEL_MIN_ROWS: usize = 1 << 20;

/// Which survey metric a tally belongs to (its scale name in messages, and a tag in the byte form).
///
/// ```
/// use voc_core::metrics::{MetricKind, NpsState};
/// assert_eq!(NpsState::new().tally().kind(), MetricKind::Nps);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum MetricKind {
    /// Net Promoter Score (0–10).
    Nps,
    /// Customer satisfaction.
    Csat,
    /// Customer effort score.
    Ces,
}

impl MetricKind {
    /// Display name.
    ///
    /// ```
    /// assert_eq!(voc_core::metrics::MetricKind::Ces.name(), "CES");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            MetricKind::Nps => "NPS",
            MetricKind::Csat => "CSAT",
            MetricKind::Ces => "CES",
        }
    }

    fn tag(self) -> u8 {
        match self {
            MetricKind::Nps => 1,
            MetricKind::Csat => 2,
            MetricKind::Ces => 3,
        }
    }

    fn from_tag(tag: u8) -> Option<Self> {
        match tag {
            1 => Some(MetricKind::Nps),
            2 => Some(MetricKind::Csat),
            3 => Some(MetricKind::Ces),
            _ => None,
        }
    }
}

/// An integer rating scale `min..=max`.
///
/// ```
/// use voc_core::metrics::Scale;
/// assert_eq!(Scale::new(1, 5)?.points(), 5);
/// assert!(Scale::new(5, 1).is_err());
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Scale {
    /// Lowest point.
    pub min: i32,
    /// Highest point.
    pub max: i32,
}

impl Scale {
    /// A validated scale: at least two and at most [`MAX_POINTS`] points.
    pub fn new(min: i32, max: i32) -> Result<Self> {
        let points = max as i64 - min as i64 + 1;
        if points < 2 || points > MAX_POINTS as i64 {
            return Err(Error::option(
                "scale",
                format!("({min}, {max})"),
                format!("needs min < max and at most {MAX_POINTS} points"),
            ));
        }
        Ok(Scale { min, max })
    }

    /// Number of points.
    ///
    /// ```
    /// assert_eq!(voc_core::metrics::Scale::new(0, 10)?.points(), 11);
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn points(&self) -> usize {
        (self.max - self.min + 1) as usize
    }

    /// Value of the point with index `i`.
    ///
    /// ```
    /// assert_eq!(voc_core::metrics::Scale::new(1, 5)?.value(0), 1.0);
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn value(&self, i: usize) -> f64 {
        self.min as f64 + i as f64
    }
}

/// One batch of columnar input: scores, optional dense group ids, optional weights.
///
/// ```
/// use voc_core::metrics::Batch;
/// let scores = [9_i8, 10, 3];
/// let groups = [0_u32, 1, 1];
/// let batch = Batch::new(&scores).groups(&groups);
/// assert_eq!(batch.len(), 3);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Batch<'a, S> {
    /// Scores.
    pub scores: &'a [S],
    /// Dense group id per row (0-based), if grouped.
    pub groups: Option<&'a [u32]>,
    /// Non-negative weight per row, if weighted.
    pub weights: Option<&'a [f64]>,
    /// What to do with missing scores or weights (NaN).
    pub missing: MissingPolicy,
}

impl<'a, S> Batch<'a, S> {
    /// Scores only: ungrouped, unweighted, missing values are an error.
    pub fn new(scores: &'a [S]) -> Self {
        Batch {
            scores,
            groups: None,
            weights: None,
            missing: MissingPolicy::Error,
        }
    }
    /// Adds group ids.
    pub fn groups(mut self, groups: &'a [u32]) -> Self {
        self.groups = Some(groups);
        self
    }
    /// Adds weights.
    pub fn weights(mut self, weights: &'a [f64]) -> Self {
        self.weights = Some(weights);
        self
    }
    /// Sets the missing-value policy.
    pub fn missing(mut self, missing: MissingPolicy) -> Self {
        self.missing = missing;
        self
    }
    /// Number of rows.
    pub fn len(&self) -> usize {
        self.scores.len()
    }
    /// Whether the batch has no rows.
    pub fn is_empty(&self) -> bool {
        self.scores.is_empty()
    }
}

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
        let scan =
            |offset: usize, scores: &[S], keys: &[K]| -> std::result::Result<LocalCounts, usize> {
                let mut local = LocalCounts::default();
                for (i, (&s, &key)) in scores.iter().zip(keys).enumerate() {
                    let Some(g) = group_of(key, base) else {
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
        // u32 counters: a chunk never holds more than 2^31 rows.
        let chunk = chunk_len(scores.len()).min(1 << 31);
        let locals: Vec<std::result::Result<LocalCounts, usize>> = {
            #[cfg(feature = "parallel")]
            {
                use rayon::prelude::*;
                scores
                    .par_chunks(chunk)
                    .zip(keys.par_chunks(chunk))
                    .enumerate()
                    .map(|(c, (s, g))| scan(c * chunk, s, g))
                    .collect()
            }
            #[cfg(not(feature = "parallel"))]
            {
                scores
                    .chunks(chunk)
                    .zip(keys.chunks(chunk))
                    .enumerate()
                    .map(|(c, (s, g))| scan(c * chunk, s, g))
                    .collect()
            }
        };
        if let Some(bad) = locals
            .iter()
            .filter_map(|l| l.as_ref().err().copied())
            .min()
        {
            return Err(self.row_error(scores, keys, base, bad, missing));
        }
        let locals: Vec<LocalCounts> = locals.into_iter().flatten().collect();
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
            && group_of(key, base).is_none()
        {
            return Error::InvalidValue {
                arg: "groups",
                index,
                value: key.key().map_or(f64::INFINITY, |v| v as f64),
                reason: "group ids must be dense codes in 0..16777216 (factorize labels first)",
            };
        }
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
        if self.kind != other.kind || self.scale != other.scale {
            return Err(Error::Incompatible(format!(
                "cannot merge a {} tally on {}..={} with a {} tally on {}..={}",
                self.kind.name(),
                self.scale.min,
                self.scale.max,
                other.kind.name(),
                other.scale.min,
                other.scale.max
            )));
        }
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

/// A read-only view of one group of a [`Tally`], with the statistics every metric needs.
///
/// ```
/// use voc_core::metrics::{Batch, MetricKind, Scale, Tally};
/// let mut t = Tally::new(MetricKind::Csat, Scale::new(1, 5)?);
/// t.update(Batch::new(&[5_u8, 4, 2, 1]).weights(&[2.0, 1.0, 1.0, 0.0]))?;
/// let c = t.cell(0);
/// assert_eq!((c.n(), c.count_between(4, 5), c.weight_sum()), (4, 2, 4.0));
/// assert_eq!(c.share_between(4, 5), 0.75);
/// assert_eq!(c.point_weights(), vec![0.0, 1.0, 0.0, 1.0, 2.0]);
/// assert!((c.n_eff() - 16.0 / 6.0).abs() < 1e-12);
/// assert_eq!(c.mean_summary().mean, 4.0);
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Cell<'a> {
    kind: MetricKind,
    scale: Scale,
    counts: &'a [u64],
    missing: u64,
    weights: Option<(&'a [NeumaierSum], f64)>,
}

impl Cell<'_> {
    /// The metric.
    pub fn kind(&self) -> MetricKind {
        self.kind
    }
    /// The scale.
    pub fn scale(&self) -> Scale {
        self.scale
    }
    /// Responses counted.
    pub fn n(&self) -> u64 {
        self.counts.iter().sum()
    }
    /// Rows skipped as missing.
    pub fn missing(&self) -> u64 {
        self.missing
    }
    /// Raw count per scale point.
    pub fn counts(&self) -> &[u64] {
        self.counts
    }
    /// Whether weights are in play.
    pub fn is_weighted(&self) -> bool {
        self.weights.is_some()
    }
    /// Raw count of responses on points `from..=to` (values, clamped to the scale).
    pub fn count_between(&self, from: i32, to: i32) -> u64 {
        self.point_range(from, to)
            .map(|r| self.counts[r].iter().sum())
            .unwrap_or(0)
    }

    fn point_range(&self, from: i32, to: i32) -> Option<std::ops::Range<usize>> {
        let lo = from.max(self.scale.min);
        let hi = to.min(self.scale.max);
        (lo <= hi).then(|| (lo - self.scale.min) as usize..(hi - self.scale.min) as usize + 1)
    }

    /// Weight on each point (the raw counts when unweighted).
    pub fn point_weights(&self) -> Vec<f64> {
        match self.weights {
            Some((cells, _)) => cells.iter().map(NeumaierSum::value).collect(),
            None => self.counts.iter().map(|&c| c as f64).collect(),
        }
    }

    /// Total weight (n when unweighted).
    pub fn weight_sum(&self) -> f64 {
        match self.weights {
            Some((cells, _)) => {
                let mut s = NeumaierSum::default();
                cells.iter().for_each(|c| s.merge(c));
                s.value()
            }
            None => self.n() as f64,
        }
    }

    /// Kish effective sample size (Σw)²/Σw²; exactly n when unweighted or all weights are 1.
    pub fn n_eff(&self) -> f64 {
        match self.weights {
            Some((_, squares)) if squares > 0.0 => self.weight_sum().powi(2) / squares,
            Some(_) => 0.0,
            None => self.n() as f64,
        }
    }

    /// (Weighted) share of responses on points `from..=to`; 0 when there is no weight.
    pub fn share_between(&self, from: i32, to: i32) -> f64 {
        let total = self.weight_sum();
        if !(total > 0.0) {
            return 0.0;
        }
        match self.point_range(from, to) {
            Some(r) => match self.weights {
                Some((cells, _)) => {
                    let mut s = NeumaierSum::default();
                    cells[r].iter().for_each(|c| s.merge(c));
                    s.value() / total
                }
                None => self.counts[r].iter().sum::<u64>() as f64 / total,
            },
            None => 0.0,
        }
    }

    /// Mean, ddof-1 variance and effective n of the score, computed exactly from the histogram.
    ///
    /// For weighted data the variance is Σw(x − x̄)²/Σw · n_eff/(n_eff − 1).
    pub fn mean_summary(&self) -> MeanSummary {
        let w = self.point_weights();
        let total = self.weight_sum();
        let n_eff = self.n_eff();
        if !(total > 0.0) {
            return MeanSummary {
                mean: f64::NAN,
                variance: f64::NAN,
                n: n_eff,
            };
        }
        let mean = w
            .iter()
            .enumerate()
            .map(|(i, &wi)| wi * self.scale.value(i))
            .sum::<f64>()
            / total;
        let ss = w
            .iter()
            .enumerate()
            .map(|(i, &wi)| wi * (self.scale.value(i) - mean).powi(2))
            .sum::<f64>()
            / total;
        let variance = if n_eff > 1.0 {
            ss * n_eff / (n_eff - 1.0)
        } else {
            f64::NAN
        };
        MeanSummary {
            mean,
            variance,
            n: n_eff,
        }
    }
}

/// [`Score::byte_histogram`], split across threads for large inputs.
fn byte_histogram_parallel<S: Score>(scores: &[S], min: i32, k: usize) -> Option<Vec<u64>> {
    #[cfg(feature = "parallel")]
    if scores.len() >= PARALLEL_MIN_ROWS {
        use rayon::prelude::*;
        return scores
            .par_chunks(chunk_len(scores.len()))
            .map(|c| S::byte_histogram(c, min, k).map(|h| h[..k].to_vec()))
            .try_reduce(
                || vec![0; k],
                |mut a, b| {
                    a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
                    Some(a)
                },
            );
    }
    S::byte_histogram(scores, min, k).map(|h| h[..k].to_vec())
}

/// Generic counting: (histogram, missing count). Invalid values are simply not counted.
fn histogram_generic<S: Score>(scores: &[S], min: i32, max: i32, k: usize) -> (Vec<u64>, u64) {
    let count = |chunk: &[S]| {
        let mut h = vec![0u64; k];
        let mut skipped = 0u64;
        for &s in chunk {
            match s.locate(min, max) {
                Located::Point(i) => h[i] += 1,
                Located::Missing => skipped += 1,
                Located::Invalid => {}
            }
        }
        (h, skipped)
    };
    #[cfg(feature = "parallel")]
    if scores.len() >= PARALLEL_MIN_ROWS {
        use rayon::prelude::*;
        return scores
            .par_chunks(chunk_len(scores.len()))
            .map(count)
            .reduce(
                || (vec![0; k], 0),
                |(mut a, sa), (b, sb)| {
                    a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
                    (a, sa + sb)
                },
            );
    }
    count(scores)
}

/// Group id `key − base`, if it is one (in `0..MAX_GROUPS`).
#[inline(always)]
fn group_of<K: GroupKey>(key: K, base: i64) -> Option<usize> {
    let g = key.key()?.checked_sub(base)?;
    usize::try_from(g).ok().filter(|&g| g < MAX_GROUPS)
}

/// Thread-local counts of one chunk of a grouped batch.
#[derive(Default)]
struct LocalCounts {
    counts: Vec<u32>,
    missing: Vec<u64>,
    /// Groups seen: one more than the largest id.
    used: usize,
}

impl LocalCounts {
    /// Makes room for `groups` groups, doubling to keep growth amortised.
    fn grow(&mut self, groups: usize, k: usize) {
        self.used = groups;
        if groups * k > self.counts.len() {
            let target = groups.max(self.missing.len() * 2).min(MAX_GROUPS);
            self.counts.resize(target * k, 0);
            self.missing.resize(target, 0);
        }
    }
}

/// Rows per chunk for splitting work across threads (the whole input below the parallel threshold).
fn chunk_len(rows: usize) -> usize {
    #[cfg(feature = "parallel")]
    if rows >= PARALLEL_MIN_ROWS {
        return (rows / (rayon::current_num_threads() * 2)).max(1 << 18);
    }
    rows.max(1)
}

/// Largest group id, checked against [`MAX_GROUPS`].
fn max_group(groups: &[u32]) -> Result<usize> {
    let max = groups.iter().copied().max().unwrap_or(0) as usize;
    if max >= MAX_GROUPS {
        let index = groups
            .iter()
            .position(|&g| g as usize >= MAX_GROUPS)
            .unwrap_or(0);
        return Err(Error::InvalidValue {
            arg: "groups",
            index,
            value: groups.get(index).copied().unwrap_or(0) as f64,
            reason: "group ids must be dense codes below 16,777,216 (factorize labels first)",
        });
    }
    Ok(max)
}

/// Weights must be finite and non-negative, and their squares must sum to a finite number; NaN is a
/// missing weight.
fn validate_weights(weights: &[f64], missing: MissingPolicy) -> Result<()> {
    let mut squares = 0.0_f64;
    for (index, &value) in weights.iter().enumerate() {
        if value.is_finite() {
            squares += value * value;
            if !squares.is_finite() {
                return Err(Error::InvalidValue {
                    arg: "weights",
                    index,
                    value,
                    reason: "weights are too large: their squares do not sum to a finite number (rescale them)",
                });
            }
        }
        if value.is_nan() {
            if missing == MissingPolicy::Error {
                return Err(Error::Missing {
                    arg: "weights",
                    index,
                });
            }
        } else if !value.is_finite() {
            return Err(Error::NonFinite {
                arg: "weights",
                index,
                value,
            });
        } else if value < 0.0 {
            return Err(Error::InvalidValue {
                arg: "weights",
                index,
                value,
                reason: "weights must be non-negative",
            });
        }
    }
    Ok(())
}

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
        let mut w = Writer::default();
        w.bytes(MAGIC);
        w.u16(VERSION);
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
        let mut r = Reader::sealed(bytes, "tally")?;
        if &r.take::<4>()? != MAGIC {
            return Err(r.fail("not a voc tally (bad magic)"));
        }
        let version = r.u16()?;
        if version != VERSION {
            return Err(r.fail(format!(
                "unsupported version {version} (this build reads {VERSION})"
            )));
        }
        let tag = r.u8()?;
        let kind =
            MetricKind::from_tag(tag).ok_or_else(|| r.fail(format!("unknown metric tag {tag}")))?;
        let scale = Scale::new(r.i32()?, r.i32()?).map_err(|e| r.fail(e.to_string()))?;
        let groups = usize::try_from(r.u64()?).map_err(|_| r.fail("group count overflows"))?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::fnv1a;

    fn reseal(mut bytes: Vec<u8>) -> Vec<u8> {
        let body = bytes.len() - 8;
        let sum = fnv1a(&bytes[..body]);
        bytes[body..].copy_from_slice(&sum.to_le_bytes());
        bytes
    }

    #[test]
    fn every_single_byte_corruption_is_detected() {
        let mut t = Tally::new(MetricKind::Csat, Scale::new(1, 5).unwrap());
        t.update(
            Batch::new(&[5_u8, 4, 1])
                .groups(&[0, 2, 2])
                .weights(&[1.0, 0.5, 2.0]),
        )
        .unwrap();
        let bytes = t.to_bytes();
        for i in 0..bytes.len() {
            for flip in [1u8, 0x80, 0xff] {
                let mut bad = bytes.clone();
                bad[i] ^= flip;
                assert!(
                    matches!(Tally::from_bytes(&bad), Err(Error::Decode { .. })),
                    "byte {i} ^ {flip}"
                );
            }
        }
        assert!(matches!(
            Tally::from_bytes(&bytes[..bytes.len() - 1]),
            Err(Error::Decode { .. })
        ));
    }

    #[test]
    fn sealed_bytes_with_overflowing_counts_or_bad_weights_are_rejected() {
        let mut t = Tally::new(MetricKind::Nps, Scale::new(0, 10).unwrap());
        t.update(Batch::new(&[9_u8, 10])).unwrap();
        let mut bytes = t.to_bytes();
        // Header: magic 4 + version 2 + tag 1 + min 4 + max 4 + groups 8 = 23; point 9 is count 9.
        let at = 23 + 9 * 8;
        bytes[at..at + 8].copy_from_slice(&u64::MAX.to_le_bytes());
        let err = Tally::from_bytes(&reseal(bytes)).unwrap_err();
        assert!(err.to_string().contains("2^62"), "{err}");

        let mut w = Tally::new(MetricKind::Nps, Scale::new(0, 10).unwrap());
        w.update(Batch::new(&[9_u8]).weights(&[2.0])).unwrap();
        let mut bytes = w.to_bytes();
        // Weight section starts after counts (11) and missing (1) and the flag byte.
        let at = 23 + 12 * 8 + 1 + 9 * 16;
        bytes[at..at + 8].copy_from_slice(&f64::NAN.to_le_bytes());
        let err = Tally::from_bytes(&reseal(bytes)).unwrap_err();
        assert!(err.to_string().contains("finite"), "{err}");
    }
}
