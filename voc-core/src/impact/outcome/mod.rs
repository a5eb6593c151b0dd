//! Outcomes by VoC class: churn, spend, CLV and repurchase per class, with ratios between classes.
//!
//! Per class: churn and repurchase rates with Wilson intervals ([`crate::stats::proportion_interval`]),
//! mean spend (ARPU) and mean CLV with Student-t intervals ([`crate::stats::mean_interval`]). Between two
//! classes: a ratio of means by the delta method on the log scale ([`class_ratio`]), and the risk ratio,
//! odds ratio and Fisher test of churn ([`crate::impact::contingency::two_by_two`]). Over all classes: the
//! chi-square test of churn × class with Cramér's V.

mod classes;
mod ratio;
mod state;
#[cfg(test)]
mod tests;

pub use classes::{NO_CLASS, NPS_CLASSES, nps_classes, nps_classes_with};
pub use ratio::{ClassRatio, Measure, class_ratio};
pub use state::{LabelKind, OutcomeBatch, OutcomeState};

use super::contingency::ChiSquare;
use crate::MissingPolicy;
use crate::error::Result;
use crate::stats::{Interval, MeanSummary, Share, check_confidence};

/// The outcome columns (each optional; all aligned with the class codes).
///
/// ```
/// let o = voc_core::impact::outcome::Outcomes { churned: Some(&[0.0, 1.0]), ..Default::default() };
/// assert!(o.spend.is_none());
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct Outcomes<'a> {
    /// Churned (1) or not (0).
    pub churned: Option<&'a [f64]>,
    /// Spend per customer in the period (ARPU when averaged).
    pub spend: Option<&'a [f64]>,
    /// Customer lifetime value.
    pub clv: Option<&'a [f64]>,
    /// Repurchased (1) or not (0).
    pub repurchased: Option<&'a [f64]>,
}

impl<'a> Outcomes<'a> {
    /// Sets the churned (0/1) column.
    ///
    /// ```
    /// let o = voc_core::impact::outcome::Outcomes::default().churned(&[0.0, 1.0]);
    /// assert_eq!(o.churned, Some(&[0.0, 1.0][..]));
    /// ```
    pub fn churned(mut self, churned: &'a [f64]) -> Self {
        self.churned = Some(churned);
        self
    }

    /// Sets the spend column.
    ///
    /// ```
    /// let o = voc_core::impact::outcome::Outcomes::default().spend(&[10.0]);
    /// assert!(o.spend.is_some() && o.clv.is_none());
    /// ```
    pub fn spend(mut self, spend: &'a [f64]) -> Self {
        self.spend = Some(spend);
        self
    }

    /// Sets the CLV column.
    ///
    /// ```
    /// let o = voc_core::impact::outcome::Outcomes::default().clv(&[100.0]);
    /// assert!(o.clv.is_some());
    /// ```
    pub fn clv(mut self, clv: &'a [f64]) -> Self {
        self.clv = Some(clv);
        self
    }

    /// Sets the repurchased (0/1) column.
    ///
    /// ```
    /// let o = voc_core::impact::outcome::Outcomes::default().repurchased(&[1.0]);
    /// assert!(o.repurchased.is_some());
    /// ```
    pub fn repurchased(mut self, repurchased: &'a [f64]) -> Self {
        self.repurchased = Some(repurchased);
        self
    }
}

/// Options of [`outcome_by_class`] and of [`OutcomeState::finish`].
///
/// ```
/// use voc_core::impact::outcome::OutcomeOptions;
/// use voc_core::MissingPolicy;
/// assert_eq!(OutcomeOptions::default().confidence, 0.95);
/// let o = OutcomeOptions::default().confidence(0.9).missing(MissingPolicy::Skip);
/// assert!(o.validate().is_ok() && OutcomeOptions::default().confidence(1.0).validate().is_err());
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct OutcomeOptions {
    /// Confidence level (default 0.95).
    pub confidence: f64,
    /// NaN outcomes: an error (default) or left out of that outcome.
    pub missing: MissingPolicy,
}

impl Default for OutcomeOptions {
    fn default() -> Self {
        OutcomeOptions {
            confidence: 0.95,
            missing: MissingPolicy::Error,
        }
    }
}

impl OutcomeOptions {
    /// Checks the options (the confidence level lies in (0, 1)).
    ///
    /// ```
    /// assert!(voc_core::impact::outcome::OutcomeOptions::default().confidence(0.0).validate().is_err());
    /// ```
    pub fn validate(&self) -> Result<()> {
        check_confidence(self.confidence).map(|_| ())
    }
}

crate::setters!(OutcomeOptions {
    confidence: f64,
    missing: MissingPolicy
});

/// A mean with its Student-t interval (`ci` is `None` with fewer than two values).
///
/// ```
/// use voc_core::impact::outcome::{outcome_by_class, Outcomes, OutcomeOptions};
/// let names = vec!["a".to_string(), "b".to_string()];
/// let out = outcome_by_class(&[0, 0, 1], &names, Outcomes { clv: Some(&[1.0, 3.0, 5.0]), ..Default::default() }, &OutcomeOptions::default())?;
/// assert_eq!(out.classes[0].clv.map(|m| m.summary.mean), Some(2.0));
/// assert!(out.classes[1].clv.is_some_and(|m| m.ci.is_none())); // one value: no interval
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct MeanCi {
    /// Mean, sample variance (ddof = 1) and n.
    pub summary: MeanSummary,
    /// Student-t interval.
    pub ci: Option<Interval>,
}

/// Outcomes of one class.
///
/// ```
/// use voc_core::impact::outcome::{outcome_by_class, Outcomes, OutcomeOptions};
/// let names = vec!["a".to_string(), "b".to_string()];
/// let out = outcome_by_class(&[0, 0, 1], &names, Outcomes { clv: Some(&[1.0, 3.0, 5.0]), ..Default::default() }, &OutcomeOptions::default())?;
/// assert_eq!(out.classes[0].clv.map(|m| m.summary.mean), Some(2.0));
/// assert!(out.classes[1].clv.is_some_and(|m| m.ci.is_none())); // one value: no interval
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ClassOutcome {
    /// Class code.
    pub code: u32,
    /// Class name.
    pub name: String,
    /// Customers in the class.
    pub n: u64,
    /// Customers of the class left out under [`crate::MissingPolicy::Skip`] (a missing outcome).
    pub n_missing: u64,
    /// Churn rate (Wilson).
    pub churn: Option<Share>,
    /// Mean spend (t interval).
    pub spend: Option<MeanCi>,
    /// Mean CLV (t interval).
    pub clv: Option<MeanCi>,
    /// Repurchase rate (Wilson).
    pub repurchase: Option<Share>,
}

/// Outcomes by class.
///
/// ```
/// use voc_core::impact::outcome::{outcome_by_class, Outcomes, OutcomeOptions};
/// let names = vec!["a".to_string(), "b".to_string()];
/// let out = outcome_by_class(&[0, 0, 1], &names, Outcomes { clv: Some(&[1.0, 3.0, 5.0]), ..Default::default() }, &OutcomeOptions::default())?;
/// assert_eq!(out.classes[0].clv.map(|m| m.summary.mean), Some(2.0));
/// assert!(out.classes[1].clv.is_some_and(|m| m.ci.is_none())); // one value: no interval
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct OutcomeByClass {
    /// One entry per class, in code order (classes without customers included, with n = 0).
    pub classes: Vec<ClassOutcome>,
    /// Customers left out: without a class ([`NO_CLASS`]) or with a missing outcome under
    /// [`crate::MissingPolicy::Skip`].
    pub n_missing: u64,
    /// Chi-square test of churn × class (classes with customers only; `None` without churn or with
    /// fewer than two such classes).
    pub churn_test: Option<ChiSquare>,
    /// The options used.
    pub options: OutcomeOptions,
}

/// Churn, spend, CLV and repurchase per class (`codes` index `names`; e.g. [`nps_classes`] with
/// [`NPS_CLASSES`]; rows coded [`NO_CLASS`] are left out). One pass per outcome; O(n + classes).
///
/// ```
/// use voc_core::impact::outcome::{nps_classes, outcome_by_class, Outcomes, OutcomeOptions, NPS_CLASSES};
/// let codes = nps_classes(&[2.0, 5.0, 8.0, 9.0, 10.0, 10.0])?;
/// let names: Vec<String> = NPS_CLASSES.iter().map(|s| s.to_string()).collect();
/// let churned = [1.0, 1.0, 0.0, 0.0, 0.0, 1.0];
/// let spend = [10.0, 20.0, 30.0, 50.0, 70.0, 60.0];
/// let out = outcome_by_class(&codes, &names, Outcomes { churned: Some(&churned), spend: Some(&spend), ..Default::default() }, &OutcomeOptions::default())?;
/// assert_eq!(out.classes[0].churn.map(|s| s.estimate), Some(1.0));
/// assert_eq!(out.classes[2].spend.map(|m| m.summary.mean), Some(60.0));
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn outcome_by_class(
    codes: &[u32],
    names: &[String],
    outcomes: Outcomes<'_>,
    opts: &OutcomeOptions,
) -> Result<OutcomeByClass> {
    opts.validate()?;
    let mut state = OutcomeState::new(names)?;
    state.update(codes, outcomes, opts.missing)?;
    state.finish(opts)
}
