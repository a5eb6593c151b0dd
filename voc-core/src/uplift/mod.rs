//! Uplift: who is moved by a retention play, learned from a randomised test with a held-out control
//! group, and how well a ranking finds them.
//!
//! A churn score says who is likely to leave; it does not say whom a call would keep. Some at-risk
//! customers leave whatever is done, some stay anyway, and some are put off by the contact. The
//! **uplift** of a customer is the effect of the play on them: `P(outcome | contacted) −
//! P(outcome | not contacted)`, with the outcome the response the play aims for (1 = stayed). It is
//! learned from a past randomised outreach (treatment 1 = contacted, 0 = held out).
//!
//! - **Evaluation** of a ranking by predicted uplift, equal to scikit-uplift 0.5.1's `sklift.metrics`
//!   on the same inputs: [`qini_curve`], [`uplift_curve`] and their perfect curves, the Qini
//!   coefficient ([`qini_auc`]) and AUUC ([`uplift_auc`]), uplift at the top k ([`uplift_at_k`]), uplift
//!   by percentile with intervals ([`uplift_by_percentile`]); a seeded bootstrap interval for the Qini
//!   coefficient ([`qini_bootstrap`]); the balance check of the test ([`balance`]).
//! - **Models** on the churn model's logistic regression ([`UpliftOptions`] → [`UpliftModel`] through
//!   [`Fit`](crate::Fit) and [`Predict`](crate::Predict)): the T-learner (one model per arm), the class
//!   transformation (Jaskowski & Jaroszewicz 2012) and the X-learner (Künzel et al. 2019) with a
//!   constant propensity. They predict the uplift and (T, X) both arms' probabilities, and explain
//!   each customer's uplift feature by feature ([`UpliftModel::contributions`],
//!   [`UpliftModel::reasons`]). Fits take `missing` as the churn model does (error, skip, impute_mean).
//! - **Targeting**: who to call, ranked by the expected value of the play, `value × uplift −
//!   contact_cost`, with a budget or the break-even rule, each customer with the signals behind the
//!   uplift, and the list's expected saves and net value with a bootstrap interval ([`target_model`],
//!   [`target`], [`net_value`]).
//!
//! ```
//! use voc_core::uplift::{qini_auc, uplift_at_k, AtKStrategy, TopK};
//! let outcome = [1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 1.0];
//! let treatment = [1.0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 1.0];
//! let uplift = [0.9, 0.1, 0.2, 0.5, 0.8, 0.3, 0.4, 0.7];
//! let q = qini_auc(&outcome, &treatment, &uplift, true)?;
//! assert!(q.estimate > 0.0);
//! let all = uplift_at_k(&outcome, &treatment, &uplift, TopK::Share(1.0), AtKStrategy::Overall)?;
//! assert_eq!(all.estimate, 0.75 - 0.5);
//! # Ok::<(), voc_core::Error>(())
//! ```

mod balance;
mod bins;
mod bootstrap;
mod bytes;
mod check;
mod class_transformation;
mod curves;
mod effect;
mod fit;
mod model;
mod options;
mod t_learner;
mod target;
mod x_learner;

pub use balance::{Balance, BalanceOptions, BalanceRow, balance};
pub use bins::{PercentileOptions, UpliftBin, UpliftByPercentile, uplift_by_percentile};
pub use bootstrap::{MAX_UPLIFT_RESAMPLES, QiniBootstrapOptions, QiniInterval, qini_bootstrap};
pub use check::{Arms, arms};
pub use curves::{
    AtKStrategy, AucScore, Curve, TopK, UpliftAtK, perfect_qini_curve, perfect_uplift_curve,
    qini_auc, qini_curve, uplift_at_k, uplift_auc, uplift_curve,
};
pub use effect::EffectModel;
pub use model::{Learner, UpliftContributions, UpliftModel, UpliftPrediction, UpliftReason};
pub use options::{UpliftData, UpliftMethod, UpliftOptions};
pub use target::{
    MAX_TARGET_RESAMPLES, MIN_TARGET_RESAMPLES, Target, TargetInterval, TargetList, TargetOptions,
    net_value, target, target_model,
};

#[cfg(test)]
mod tests;

#[cfg(test)]
mod tests_model;

#[cfg(test)]
mod tests_target;
