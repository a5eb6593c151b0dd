//! Options of the logistic churn model: penalty, class weights, missing values, solver limits.

use crate::error::{Error, Result};
use crate::stats::check_confidence;

/// The penalty on the coefficients (never on the intercept). Spelled `none`, `l2`, `l1`, `elasticnet`
/// (`FromStr` / `Display`).
///
/// ```
/// use voc_core::risk::Penalty;
/// assert_eq!("elasticnet".parse::<Penalty>()?, Penalty::ElasticNet);
/// assert_eq!(Penalty::L2.to_string(), "l2");
/// assert!("ridge".parse::<Penalty>().is_err());
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Penalty {
    /// Maximum likelihood (gives standard errors and p-values).
    None,
    /// Ridge: `½‖w‖²` (the default, as scikit-learn).
    #[default]
    L2,
    /// Lasso: `‖w‖₁`.
    L1,
    /// `l1_ratio · ‖w‖₁ + (1 − l1_ratio) · ½‖w‖²`, with [`LogisticOptions::l1_ratio`] (required).
    ElasticNet,
}

crate::named_enum!(Penalty, "penalty", {
    None => "none",
    L2 => "l2",
    L1 => "l1",
    ElasticNet => "elasticnet",
});

/// Weights per class (multiplying any sample weights).
///
/// ```
/// use voc_core::risk::{ClassWeight, LogisticOptions};
/// let opts = LogisticOptions::default().class_weight(ClassWeight::Manual { negative: 1.0, positive: 4.0 });
/// assert!(opts.validate().is_ok());
/// let bad = LogisticOptions::default().class_weight(ClassWeight::Manual { negative: 0.0, positive: 4.0 });
/// assert!(bad.validate().is_err());
/// ```
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

/// What a fit does with missing values (NaN) in the features, the labels or the sample weights.
/// Spelled `error`, `skip`, `impute_mean` (`FromStr` / `Display`), as Python's `missing=`.
///
/// ```
/// use voc_core::risk::Missing;
/// assert_eq!("impute_mean".parse::<Missing>()?, Missing::ImputeMean);
/// assert_eq!("skip".parse::<Missing>()?, Missing::Skip);
/// assert_eq!(Missing::default().to_string(), "error");
/// assert!("mean".parse::<Missing>().is_err());
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Missing {
    /// A NaN is an error naming the column and row (the default), at fit and at prediction.
    #[default]
    Error,
    /// Rows with a NaN feature, label or weight are left out of the fit and counted
    /// ([`LogisticModel::n_missing`](super::LogisticModel::n_missing)); a NaN at prediction is an error.
    Skip,
    /// A NaN feature is replaced by the column's (weighted) mean from the training data, stored with the
    /// model and used at prediction too. Labels and weights must still be present.
    ImputeMean,
}

crate::named_enum!(Missing, "missing", {
    Error => "error",
    Skip => "skip",
    ImputeMean => "impute_mean",
});

/// Options (parameters) of the logistic churn model; fitting is [`Fit::fit`](crate::Fit::fit) on them,
/// which validates them once.
///
/// ```
/// use voc_core::risk::{LogisticOptions, Penalty};
/// let opts = LogisticOptions::default().penalty(Penalty::L1).c(0.5);
/// assert!(opts.validate().is_ok());
/// assert!(LogisticOptions::default().c(0.0).validate().is_err());
/// // Elastic net needs its mixing share.
/// assert!(LogisticOptions::default().penalty(Penalty::ElasticNet).validate().is_err());
/// assert!(LogisticOptions::default().penalty(Penalty::ElasticNet).l1_ratio(0.5).validate().is_ok());
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct LogisticOptions {
    /// Penalty (default L2).
    pub penalty: Penalty,
    /// Inverse penalty strength, as scikit-learn's `C` (default 1).
    pub c: f64,
    /// Share of the L1 part of [`Penalty::ElasticNet`], in [0, 1] (required by it; ignored by the other
    /// penalties, as scikit-learn).
    pub l1_ratio: Option<f64>,
    /// Class weights (default none).
    pub class_weight: ClassWeight,
    /// Standardise features (mean 0, population SD 1) before fitting; the penalty then applies to the
    /// standardised coefficients (default true). Coefficients are reported on both scales.
    pub standardize: bool,
    /// Missing values (default: error).
    pub missing: Missing,
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
            l1_ratio: None,
            class_weight: ClassWeight::None,
            standardize: true,
            missing: Missing::Error,
            max_iter: 100,
            tol: 1e-10,
            confidence: 0.95,
        }
    }
}

impl LogisticOptions {
    /// Sets [`l1_ratio`](Self::l1_ratio) (for [`Penalty::ElasticNet`]).
    pub fn l1_ratio(mut self, l1_ratio: f64) -> Self {
        self.l1_ratio = Some(l1_ratio);
        self
    }

    /// Checks the options (done once at the start of every fit).
    pub fn validate(&self) -> Result<()> {
        if !(self.c > 0.0 && self.c.is_finite()) {
            return Err(Error::option("c", self.c, "must be positive and finite"));
        }
        if self.penalty == Penalty::ElasticNet {
            match self.l1_ratio {
                None => {
                    return Err(Error::option(
                        "l1_ratio",
                        "None",
                        "penalty elasticnet needs l1_ratio in [0, 1]",
                    ));
                }
                Some(r) if !(0.0..=1.0).contains(&r) => {
                    return Err(Error::option("l1_ratio", r, "must lie in [0, 1]"));
                }
                Some(_) => {}
            }
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

    /// (λ₁, λ₂) of `loss + λ₁‖w‖₁ + λ₂/2 ‖w‖²` (options validated).
    pub(super) fn lambdas(&self) -> (f64, f64) {
        let l = 1.0 / self.c;
        match self.penalty {
            Penalty::None => (0.0, 0.0),
            Penalty::L2 => (0.0, l),
            Penalty::L1 => (l, 0.0),
            Penalty::ElasticNet => {
                let r = self.l1_ratio.unwrap_or(0.0);
                (l * r, l * (1.0 - r))
            }
        }
    }
}

crate::setters!(LogisticOptions {
    penalty: Penalty,
    c: f64,
    class_weight: ClassWeight,
    standardize: bool,
    missing: Missing,
    max_iter: usize,
    tol: f64,
    confidence: f64
});
