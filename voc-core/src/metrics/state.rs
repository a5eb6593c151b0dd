//! The generic mergeable survey state and the [`Metric`] trait that NPS, CSAT and CES implement.

use std::fmt::Debug;
use std::marker::PhantomData;

use super::score::Score;
use super::tally::{Batch, Cell, MetricKind, Scale, Tally};
use crate::MissingPolicy;
use crate::error::{Error, Result};
use crate::group::GroupKey;
use crate::stats::{MeanSummary, TestResult};

/// A survey metric: how to read a [`Cell`] and how to compare two results.
///
/// ```
/// use voc_core::metrics::{Csat, CsatOptions, CsatState, Metric};
/// let (mut a, mut b) = (CsatState::new(), CsatState::new());
/// a.update(&[5_u8, 5, 4, 2])?;
/// b.update(&[1_u8, 2, 4, 2])?;
/// let opts = CsatOptions::default();
/// let (ra, rb) = (a.finish(&opts)?, b.finish(&opts)?);
/// assert_eq!(Csat::headline(&ra), 0.75);
/// assert!((Csat::compare(&ra, &rb, &opts)?.difference - 0.5).abs() < 1e-12);
/// # Ok::<(), voc_core::Error>(())
/// ```
pub trait Metric: Sized + Clone + Send + Sync + 'static {
    /// Which metric.
    const KIND: MetricKind;
    /// Options for [`finish`](Self::finish) (confidence level, interval method, thresholds).
    type Options: Clone + Default + Debug + Send + Sync;
    /// The result.
    type Output: Clone + Debug + Send + Sync;
    /// The scale used by [`SurveyState::new`].
    fn default_scale() -> Scale;
    /// Rejects scales the metric is not defined on.
    fn check_scale(_scale: Scale) -> Result<()> {
        Ok(())
    }
    /// Validates options against a scale.
    fn validate(opts: &Self::Options, scale: Scale) -> Result<()>;
    /// The result for one group; [`Error::Empty`] when it has no responses.
    fn finish(cell: &Cell<'_>, opts: &Self::Options) -> Result<Self::Output>;
    /// The headline number: NPS points, CSAT satisfied share, CES mean.
    fn headline(out: &Self::Output) -> f64;
    /// Two-sided test of the headline difference `a − b`.
    fn compare(a: &Self::Output, b: &Self::Output, opts: &Self::Options) -> Result<TestResult>;
}

/// What every survey result reports about its responses.
///
/// ```
/// use voc_core::metrics::{CsatOptions, CsatState};
/// let mut s = CsatState::new();
/// s.update(&[5_u8, 3])?;
/// let r = s.finish(&CsatOptions::default())?.responses;
/// assert_eq!((r.n, r.mean, r.distribution), (2, 4.0, vec![0, 0, 1, 0, 1]));
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Responses {
    /// Responses counted.
    pub n: u64,
    /// Rows left out as missing (policy `Skip`).
    pub missing: u64,
    /// Whether weights were used.
    pub weighted: bool,
    /// Σw (equals n when unweighted).
    pub weight_sum: f64,
    /// Kish effective sample size (equals n when unweighted).
    pub n_eff: f64,
    /// (Weighted) mean score.
    pub mean: f64,
    /// (Weighted) standard deviation, ddof = 1; NaN for a single response.
    pub sd: f64,
    /// Raw count per scale point, from the lowest point up.
    pub distribution: Vec<u64>,
}

impl Responses {
    pub(crate) fn of(cell: &Cell<'_>) -> Result<(Responses, MeanSummary)> {
        let n = cell.n();
        if n == 0 || !(cell.weight_sum() > 0.0) {
            return Err(Error::Empty {
                arg: "scores",
                what: "no responses (or zero total weight) to summarise",
            });
        }
        let summary = cell.mean_summary();
        Ok((
            Responses {
                n,
                missing: cell.missing(),
                weighted: cell.is_weighted(),
                weight_sum: cell.weight_sum(),
                n_eff: cell.n_eff(),
                mean: summary.mean,
                sd: summary.variance.sqrt(),
                distribution: cell.counts().to_vec(),
            },
            summary,
        ))
    }
}

/// A mergeable state for metric `M`: `update` with batches, `merge`, `finish`, and a versioned byte form.
///
/// ```
/// use voc_core::metrics::{NpsOptions, NpsState};
/// let mut morning = NpsState::new();
/// morning.update(&[10_u8, 9, 8, 3])?;
/// let mut evening = NpsState::new();
/// evening.update(&[9_u8, 6])?;
/// morning.merge(&evening)?;
/// let nps = morning.finish(&NpsOptions::default())?;
/// assert_eq!(nps.responses.n, 6);
/// assert!((nps.nps - 100.0 * (3.0 - 2.0) / 6.0).abs() < 1e-12);
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(bound = ""))]
pub struct SurveyState<M: Metric> {
    tally: Tally,
    #[cfg_attr(feature = "serde", serde(skip))]
    metric: PhantomData<M>,
}

impl<M: Metric> Default for SurveyState<M> {
    fn default() -> Self {
        Self::new()
    }
}

impl<M: Metric> SurveyState<M> {
    /// An empty state on the metric's default scale (NPS 0–10, CSAT 1–5, CES 1–7).
    ///
    /// ```
    /// use voc_core::metrics::CesState;
    /// assert_eq!(CesState::new().scale().max, 7);
    /// ```
    pub fn new() -> Self {
        SurveyState {
            tally: Tally::new(M::KIND, M::default_scale()),
            metric: PhantomData,
        }
    }

    /// An empty state on a custom scale `min..=max` (NPS accepts only 0..=10).
    ///
    /// ```
    /// use voc_core::metrics::{CsatState, NpsState};
    /// assert!(CsatState::with_scale(1, 7).is_ok());
    /// assert!(NpsState::with_scale(1, 10).is_err());
    /// ```
    pub fn with_scale(min: i32, max: i32) -> Result<Self> {
        let scale = Scale::new(min, max)?;
        M::check_scale(scale)?;
        Ok(SurveyState {
            tally: Tally::new(M::KIND, scale),
            metric: PhantomData,
        })
    }

    /// Wraps a tally (checks that it counts for this metric).
    ///
    /// ```
    /// use voc_core::metrics::{CsatState, NpsState};
    /// let csat = CsatState::new();
    /// assert!(NpsState::from_tally(csat.tally().clone()).is_err());
    /// ```
    pub fn from_tally(tally: Tally) -> Result<Self> {
        if tally.kind() != M::KIND {
            return Err(Error::Incompatible(format!(
                "a {} tally cannot become a {} state",
                tally.kind().name(),
                M::KIND.name()
            )));
        }
        Ok(SurveyState {
            tally,
            metric: PhantomData,
        })
    }

    /// The underlying tally (histogram per group).
    ///
    /// ```
    /// use voc_core::metrics::NpsState;
    /// let mut s = NpsState::new();
    /// s.update(&[10_u8, 10, 0])?;
    /// assert_eq!(s.tally().cell(0).counts()[10], 2);
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn tally(&self) -> &Tally {
        &self.tally
    }

    /// The scale.
    ///
    /// ```
    /// assert_eq!(voc_core::metrics::NpsState::new().scale().min, 0);
    /// ```
    pub fn scale(&self) -> Scale {
        self.tally.scale()
    }

    /// Adds unweighted, ungrouped scores (missing values are an error). All-or-nothing.
    ///
    /// ```
    /// use voc_core::metrics::NpsState;
    /// let mut s = NpsState::new();
    /// s.update(&[9.0_f64, 10.0])?;
    /// assert!(s.update(&[9.0_f64, 9.5]).is_err()); // not a whole number: nothing is added
    /// assert_eq!(s.tally().rows(), 2);
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn update<S: Score>(&mut self, scores: &[S]) -> Result<()> {
        self.tally.update(Batch::new(scores))
    }

    /// Adds weighted scores (non-negative weights; intervals use Kish's effective n).
    ///
    /// ```
    /// use voc_core::metrics::{NpsOptions, NpsState};
    /// let mut s = NpsState::new();
    /// s.update_weighted(&[10_u8, 0], &[3.0, 1.0])?;
    /// let r = s.finish(&NpsOptions::default())?;
    /// assert_eq!(r.nps, 50.0);
    /// assert!((r.responses.n_eff - 1.6).abs() < 1e-12);
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn update_weighted<S: Score>(&mut self, scores: &[S], weights: &[f64]) -> Result<()> {
        self.tally.update(Batch::new(scores).weights(weights))
    }

    /// Adds a batch with any combination of groups, weights and missing policy. All-or-nothing.
    ///
    /// ```
    /// use voc_core::metrics::{Batch, NpsState};
    /// use voc_core::MissingPolicy;
    /// let mut s = NpsState::new();
    /// s.update_batch(Batch::new(&[9.0, f64::NAN, 3.0]).groups(&[0, 0, 1]).missing(MissingPolicy::Skip))?;
    /// assert_eq!((s.tally().cell(0).n(), s.tally().cell(0).missing()), (1, 1));
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn update_batch<S: Score>(&mut self, batch: Batch<'_, S>) -> Result<()> {
        self.tally.update(batch)
    }

    /// Adds unweighted scores grouped by an integer key column (group id = key − `base`); see
    /// [`Tally::update_keyed`]. The fastest grouped path: the key column is read as it is.
    ///
    /// ```
    /// use voc_core::metrics::{NpsOptions, NpsState};
    /// use voc_core::MissingPolicy;
    /// let mut s = NpsState::new();
    /// s.update_keyed(&[10_u8, 0], &[7_i64, 8], 7, MissingPolicy::Error)?;
    /// assert_eq!(s.finish_group(1, &NpsOptions::default())?.nps, -100.0);
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn update_keyed<S: Score, K: GroupKey>(
        &mut self,
        scores: &[S],
        keys: &[K],
        base: i64,
        missing: MissingPolicy,
    ) -> Result<()> {
        self.tally.update_keyed(scores, keys, base, missing)
    }

    /// Adds unweighted scores grouped by integer keys of any spread, on a fresh state: group `g` is the
    /// `g`-th smallest distinct key, and the keys come back in that order. Keys are hashed and counted in
    /// one pass (see [`Tally::update_by_keys`]); the state equals one updated with the keys' dense codes
    /// ([`factorize_keys`](crate::group::factorize_keys)).
    ///
    /// ```
    /// use voc_core::metrics::{NpsOptions, NpsState};
    /// use voc_core::MissingPolicy;
    /// let mut s = NpsState::new();
    /// let keys = s.update_by_keys(&[10_u8, 0, 9], &[90_210_i32, -7, 90_210], MissingPolicy::Error)?;
    /// assert_eq!(keys, vec![-7, 90_210]);
    /// assert_eq!(s.finish_group(1, &NpsOptions::default())?.nps, 100.0);
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn update_by_keys<S: Score, K: GroupKey>(
        &mut self,
        scores: &[S],
        keys: &[K],
        missing: MissingPolicy,
    ) -> Result<Vec<i64>> {
        self.tally.update_by_keys(scores, keys, missing)
    }

    /// The state with its groups renamed: group `g` becomes group `map[g]` of a state of `groups` groups
    /// (groups mapped to one group add up); see [`Tally::regroup`]. Unweighted states only.
    ///
    /// ```
    /// use voc_core::metrics::{Batch, NpsOptions, NpsState};
    /// let mut s = NpsState::new();
    /// s.update_batch(Batch::new(&[10_u8, 0]).groups(&[0, 1]))?;
    /// let swapped = s.regroup(&[1, 0], 2)?;
    /// assert_eq!(swapped.finish_group(0, &NpsOptions::default())?.nps, -100.0);
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn regroup(&self, map: &[u32], groups: usize) -> Result<Self> {
        Ok(SurveyState {
            tally: self.tally.regroup(map, groups)?,
            metric: PhantomData,
        })
    }

    /// Adds unweighted scores grouped by identity (an object's address, an id), on a fresh state: group
    /// `g` is the `g`-th distinct identity in order of first occurrence, hashed and counted in one pass
    /// (see [`Tally::update_by_identities`]); `None` (the state untouched) past
    /// [`MAX_IDENTITIES`](crate::metrics::MAX_IDENTITIES) distinct identities.
    ///
    /// ```
    /// use voc_core::metrics::{NpsOptions, NpsState};
    /// use voc_core::MissingPolicy;
    /// let mut s = NpsState::new();
    /// let rows = [0x7f40_usize, 0x7f00, 0x7f40];
    /// let ids = s.update_by_identities(&[10_u8, 0, 9], |i| rows[i], MissingPolicy::Error)?;
    /// assert_eq!(ids.map(|i| i.first), Some(vec![0, 1]));
    /// assert_eq!(s.finish_group(0, &NpsOptions::default())?.nps, 100.0);
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn update_by_identities<S: Score>(
        &mut self,
        scores: &[S],
        key: impl Fn(usize) -> usize + Sync,
        missing: MissingPolicy,
    ) -> Result<Option<crate::metrics::Identities>> {
        self.tally.update_by_identities(scores, key, missing)
    }

    /// The state with its groups renamed, groups mapped to `None` left out, and the number of rows left
    /// out; see [`Tally::regroup_dropping`]. Unweighted states only.
    ///
    /// ```
    /// use voc_core::metrics::{Batch, NpsState};
    /// let mut s = NpsState::new();
    /// s.update_batch(Batch::new(&[10_u8, 0, 3]).groups(&[0, 1, 1]))?;
    /// let (kept, dropped) = s.regroup_dropping(&[Some(0), None], 1)?;
    /// assert_eq!((kept.tally().rows(), dropped), (1, 2));
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn regroup_dropping(&self, map: &[Option<u32>], groups: usize) -> Result<(Self, u64)> {
        let (tally, dropped) = self.tally.regroup_dropping(map, groups)?;
        Ok((
            SurveyState {
                tally,
                metric: PhantomData,
            },
            dropped,
        ))
    }

    /// Merges another state (same scale); associative and commutative, the empty state is the identity.
    ///
    /// ```
    /// use voc_core::metrics::CsatState;
    /// let mut a = CsatState::new();
    /// a.update(&[5_u8])?;
    /// assert!(a.merge(&CsatState::with_scale(1, 7)?).is_err()); // different scales
    /// a.merge(&CsatState::new())?;
    /// assert_eq!(a.tally().rows(), 1);
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn merge(&mut self, other: &Self) -> Result<()> {
        self.tally.merge(&other.tally)
    }

    /// The result over all responses (all groups together); [`Error::Empty`] without responses.
    ///
    /// ```
    /// use voc_core::metrics::{CesOptions, CesState};
    /// let mut s = CesState::new();
    /// assert!(s.finish(&CesOptions::default()).is_err());
    /// s.update(&[7_u8, 5, 2])?;
    /// assert!((s.finish(&CesOptions::default())?.responses.mean - 14.0 / 3.0).abs() < 1e-12);
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn finish(&self, opts: &M::Options) -> Result<M::Output> {
        M::validate(opts, self.scale())?;
        if self.tally.groups() == 1 {
            return M::finish(&self.tally.cell(0), opts);
        }
        let total = self.tally.collapsed();
        M::finish(&total.cell(0), opts)
    }

    /// The result of one group.
    ///
    /// ```
    /// use voc_core::metrics::{Batch, NpsOptions, NpsState};
    /// let mut s = NpsState::new();
    /// s.update_batch(Batch::new(&[10_u8, 0]).groups(&[0, 1]))?;
    /// assert_eq!(s.finish_group(1, &NpsOptions::default())?.nps, -100.0);
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn finish_group(&self, group: u32, opts: &M::Options) -> Result<M::Output> {
        M::validate(opts, self.scale())?;
        M::finish(&self.tally.cell(group as usize), opts)
    }

    /// Results of every group that has responses (and a positive total weight), in group-id order.
    ///
    /// ```
    /// use voc_core::metrics::{Batch, NpsOptions, NpsState};
    /// let mut s = NpsState::new();
    /// s.update_batch(Batch::new(&[10_u8, 0]).groups(&[0, 2]))?;
    /// let ids: Vec<u32> = s.finish_groups(&NpsOptions::default())?.into_iter().map(|(g, _)| g).collect();
    /// assert_eq!(ids, vec![0, 2]); // group 1 has no responses
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn finish_groups(&self, opts: &M::Options) -> Result<Vec<(u32, M::Output)>> {
        M::validate(opts, self.scale())?;
        (0..self.tally.groups())
            // A group without responses, or whose weights are all zero, has no result: it is left out.
            .filter(|&g| self.tally.cell(g).n() > 0 && self.tally.cell(g).weight_sum() > 0.0)
            .map(|g| Ok((g as u32, M::finish(&self.tally.cell(g), opts)?)))
            .collect()
    }

    /// The versioned byte form (see [`Tally::to_bytes`]).
    ///
    /// ```
    /// use voc_core::metrics::{CsatState, NpsState};
    /// let mut s = NpsState::new();
    /// s.update(&[8_u8])?;
    /// assert_eq!(NpsState::from_bytes(&s.to_bytes())?, s);
    /// // An NPS state is not a CSAT state.
    /// let e = CsatState::from_bytes(&s.to_bytes()).unwrap_err();
    /// assert!(matches!(e, voc_core::Error::Decode { .. }), "{e}");
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn to_bytes(&self) -> Vec<u8> {
        self.tally.to_bytes()
    }

    /// Parses [`to_bytes`](Self::to_bytes) output of a state of the same metric; the bytes of
    /// another metric's state are an [`Error::Decode`] naming both.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        Self::from_tally(Tally::from_bytes(bytes)?).map_err(|e| match e {
            Error::Incompatible(reason) => Error::Decode {
                what: "NPS / CSAT / CES state",
                reason,
            },
            other => other,
        })
    }
}

impl<M: Metric> crate::State for SurveyState<M> {
    type Batch<'a> = Batch<'a, f64>;
    type Options = M::Options;
    type Output = M::Output;

    fn empty_like(&self) -> Self {
        let s = self.scale();
        // The scale of an existing state is valid, so this falls back only in theory.
        Self::with_scale(s.min, s.max).unwrap_or_default()
    }
    fn update(&mut self, batch: Batch<'_, f64>) -> Result<()> {
        self.update_batch(batch)
    }
    fn merge(&mut self, other: &Self) -> Result<()> {
        SurveyState::merge(self, other)
    }
    fn finish(&self, options: &M::Options) -> Result<M::Output> {
        SurveyState::finish(self, options)
    }
    fn to_bytes(&self) -> Vec<u8> {
        SurveyState::to_bytes(self)
    }
    fn from_bytes(bytes: &[u8]) -> Result<Self> {
        SurveyState::from_bytes(bytes)
    }
}
