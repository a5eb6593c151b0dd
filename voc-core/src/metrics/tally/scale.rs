//! The metric kind, the rating scale and a batch of input rows.

use super::MAX_POINTS;
use crate::error::{Error, Result};

use crate::MissingPolicy;

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

    pub(super) fn tag(self) -> u8 {
        match self {
            MetricKind::Nps => 1,
            MetricKind::Csat => 2,
            MetricKind::Ces => 3,
        }
    }

    pub(super) fn from_tag(tag: u8) -> Option<Self> {
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
