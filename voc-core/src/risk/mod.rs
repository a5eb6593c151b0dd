//! Churn risk: a logistic-regression model, its evaluation, thresholds and alerts with reasons.
//!
//! Train on the signals at a past cutoff with the labels of the horizon after it, score customers today,
//! pick who to call, and say why. The model's parameters are [`LogisticOptions`]; fitting is
//! [`Fit::fit`](crate::Fit::fit) on [`RiskData`] (an `ndarray::ArrayView2` of features in any memory
//! layout, 0/1 labels, names, weights), and [`LogisticModel`] implements [`Predict`](crate::Predict)
//! (churn probabilities).
//!
//! ```
//! use ndarray::array;
//! use voc_core::{Fit, Predict};
//! use voc_core::risk::{LogisticOptions, RiskData, roc_auc};
//! let x = array![[1.0, 0.0], [2.0, 1.0], [3.0, 0.0], [4.0, 2.0], [5.0, 1.0], [6.0, 3.0], [2.5, 2.0], [4.5, 0.0]];
//! let y = [0.0, 0.0, 1.0, 0.0, 1.0, 1.0, 0.0, 1.0];
//! let names = ["refund_delay_days".to_string(), "tickets_90d".to_string()];
//! let model = LogisticOptions::default().c(10.0).fit(RiskData::new(x.view(), &y).names(&names))?;
//! let p = model.predict(x.view())?;
//! assert!(roc_auc(&y, &p)? > 0.8);
//! # Ok::<(), voc_core::Error>(())
//! ```

mod alerts;
mod cv;
mod evaluate;
pub(crate) mod logistic;

pub use alerts::{
    Alert, AlertOptions, PrecisionThreshold, Reason, ThresholdPoint, alerts, describe,
    expected_value, threshold_for_precision, threshold_top_k,
};
pub use cv::{CrossValidation, cross_validate, stratified_folds};
pub use evaluate::{
    CalibrationBin, Confusion, Evaluation, LiftRow, average_precision, brier_score, calibration,
    confusion, evaluate, lift, roc_auc,
};
pub use logistic::{
    ClassWeight, CoefInference, Convergence, LogisticModel, LogisticOptions, Missing, Penalty,
    RiskData, Term,
};
