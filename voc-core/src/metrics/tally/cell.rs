//! One group's view of a tally: counts, weights and the summaries every metric reads.

use super::{MetricKind, Scale};
use crate::stats::{MeanSummary, NeumaierSum};

/// A read-only view of one group of a [`Tally`](super::Tally), with the statistics every metric needs.
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
    pub(super) kind: MetricKind,
    pub(super) scale: Scale,
    pub(super) counts: &'a [u64],
    pub(super) missing: u64,
    pub(super) weights: Option<(&'a [NeumaierSum], f64)>,
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
