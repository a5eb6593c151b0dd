//! Options of the logistic churn model: penalty, class weights, missing values, solver limits.

use crate::error::{Error, Result};
use crate::stats::check_confidence;

/// The penalty on the coefficients (never on the intercept).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Penalty {
    /// Maximum likelihood (gives standard errors and p-values).
    None,
    /// Ridge: `½‖w‖²` (the default, as scikit-learn).
    #[default]
    L2,
    /// Lasso: `‖w‖₁`.
    L1,
    /// `l1_ratio · ‖w‖₁ + (1 − l1_ratio) · ½‖w‖²`.
    ElasticNet {
        /// Share of the L1 part, in [0, 1].
        l1_ratio: f64,
    },
}

/// Weights per class (multiplying any sample weights).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum ClassWeight {
    /// All rows weigh the same.
    #[default]
    None,
    /// `n / (2 · n_class)`, as scikit-learn's `"balanced"` (with sample weights, `n` and `n_class` are
    /// weight totals, as scikit-learn computes them).
    Balanced,
    /// Given weights for class 0 and class 1.
    Manual {
        /// Weight of class 0 (stayers).
        negative: f64,
        /// Weight of class 1 (churners).
        positive: f64,
    },
}

/// Missing (NaN) feature values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Impute {
    /// A NaN is an error naming the column and row (the default).
    #[default]
    Error,
    /// NaN is replaced by the column's (weighted) mean from the training data, stored with the model.
    Mean,
}

/// Options of [`fit`].
///
/// ```
/// use voc_core::risk::{LogisticOptions, Penalty};
/// let opts = LogisticOptions { penalty: Penalty::L1, c: 0.5, ..Default::default() };
/// assert!(opts.validate().is_ok());
/// assert!(LogisticOptions { c: 0.0, ..Default::default() }.validate().is_err());
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct LogisticOptions {
    /// Penalty (default L2).
    pub penalty: Penalty,
    /// Inverse penalty strength, as scikit-learn's `C` (default 1).
    pub c: f64,
    /// Class weights (default none).
    pub class_weight: ClassWeight,
    /// Standardise features (mean 0, population SD 1) before fitting; the penalty then applies to the
    /// standardised coefficients (default true). Coefficients are reported on both scales.
    pub standardize: bool,
    /// Missing values (default: error).
    pub impute: Impute,
    /// Most Newton iterations (default 100).
    pub max_iter: usize,
    /// Converged when no coefficient moves more than `tol · (1 + max |β|)` (default 1e-10).
    pub tol: f64,
    /// Confidence level of coefficient intervals (default 0.95).
    pub confidence: f64,
}

impl Default for LogisticOptions {
    fn default() -> Self {
        LogisticOptions {
            penalty: Penalty::L2,
            c: 1.0,
            class_weight: ClassWeight::None,
            standardize: true,
            impute: Impute::Error,
            max_iter: 100,
            tol: 1e-10,
            confidence: 0.95,
        }
    }
}

impl LogisticOptions {
    /// Checks the options.
    pub fn validate(&self) -> Result<()> {
        if !(self.c > 0.0 && self.c.is_finite()) {
            return Err(Error::option("C", self.c, "must be positive and finite"));
        }
        if let Penalty::ElasticNet { l1_ratio } = self.penalty
            && !(0.0..=1.0).contains(&l1_ratio)
        {
            return Err(Error::option("l1_ratio", l1_ratio, "must lie in [0, 1]"));
        }
        if let ClassWeight::Manual { negative, positive } = self.class_weight
            && !(negative > 0.0 && positive > 0.0 && negative.is_finite() && positive.is_finite())
        {
            return Err(Error::option(
                "class_weight",
                format!("({negative}, {positive})"),
                "class weights must be positive and finite",
            ));
        }
        if self.max_iter == 0 || self.max_iter > 100_000 {
            return Err(Error::option(
                "max_iter",
                self.max_iter,
                "must lie in 1..=100000",
            ));
        }
        if !(self.tol > 0.0 && self.tol < 1.0) {
            return Err(Error::option("tol", self.tol, "must lie in (0, 1)"));
        }
        check_confidence(self.confidence).map(|_| ())
    }

    /// (λ₁, λ₂) of `loss + λ₁‖w‖₁ + λ₂/2 ‖w‖²`.
    pub(super) fn lambdas(&self) -> (f64, f64) {
        let l = 1.0 / self.c;
        match self.penalty {
            Penalty::None => (0.0, 0.0),
            Penalty::L2 => (0.0, l),
            Penalty::L1 => (l, 0.0),
            Penalty::ElasticNet { l1_ratio } => (l * l1_ratio, l * (1.0 - l1_ratio)),
        }
    }
}
