//! What an uplift fit is asked for: the learner ([`UpliftMethod`]), its options ([`UpliftOptions`])
//! and the training data ([`UpliftData`]).

use ndarray::ArrayView2;

#[cfg(doc)]
use super::UpliftModel;
#[cfg(doc)]
use crate::Fit;
use crate::error::{Error, Result};
use crate::risk::LogisticOptions;
#[cfg(doc)]
use crate::risk::Missing;

/// How the uplift is learned. Spelled `t_learner`, `class_transformation`, `x_learner`.
///
/// ```
/// use voc_core::uplift::UpliftMethod;
/// assert_eq!("x_learner".parse::<UpliftMethod>()?, UpliftMethod::XLearner);
/// assert_eq!(UpliftMethod::default().to_string(), "t_learner");
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum UpliftMethod {
    /// One response model per arm; the uplift is the difference of their probabilities (the
    /// "two-model" approach; Künzel et al. 2019 call it the T-learner).
    #[default]
    TLearner,
    /// One model of the transformed class `z = y·t + (1 − y)(1 − t)`; the uplift is `2 P(z = 1) − 1`
    /// (Jaskowski & Jaroszewicz 2012). The arms are weighted to equal totals, which leaves a balanced
    /// test unweighted (as scikit-uplift's `ClassTransformation`) and makes the identity hold otherwise.
    ClassTransformation,
    /// Künzel et al. (2019): the T-learner's response models impute each row's effect (`y − μ₀(x)` for
    /// the treated, `μ₁(x) − y` for the controls), a linear model per arm learns the imputed effects,
    /// and the two are mixed by the propensity `g`: `τ(x) = g · τ₀(x) + (1 − g) · τ₁(x)`.
    XLearner,
}

crate::named_enum!(UpliftMethod, "method", {
    TLearner => "t_learner",
    ClassTransformation => "class_transformation",
    XLearner => "x_learner",
});

/// Options (parameters) of an uplift model; fitting is [`Fit::fit`] on them with [`UpliftData`].
///
/// ```
/// use voc_core::risk::{LogisticOptions, Penalty};
/// use voc_core::uplift::{UpliftMethod, UpliftOptions};
/// let o = UpliftOptions::default()
///     .method(UpliftMethod::XLearner)
///     .logistic(LogisticOptions::default().penalty(Penalty::None));
/// assert!(o.validate().is_ok());
/// assert!(UpliftOptions::default().propensity(Some(1.0)).validate().is_err());
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct UpliftOptions {
    /// The learner (default the T-learner).
    pub method: UpliftMethod,
    /// Options of every logistic model fitted (penalty, C, standardisation, solver limits), and what
    /// the fit does with missing values (NaN), as the churn model's `missing`
    /// ([`LogisticOptions::missing`]): [`Missing::Error`] (the default), [`Missing::Skip`] (rows with a
    /// NaN feature, outcome or treatment are left out and counted in [`UpliftModel::n_missing`]) or
    /// [`Missing::ImputeMean`] (a NaN feature is replaced by the training mean over all rows, the
    /// model's [`reference`](UpliftModel::reference) customer, at fit and at prediction, so that every
    /// arm's model fills it alike; outcome and treatment must be present).
    pub logistic: LogisticOptions,
    /// The X-learner's propensity `P(contacted)`, constant as in a randomised test: `None` (the
    /// default) takes the share of treated rows; a given value must lie in (0, 1). Other learners
    /// ignore it.
    pub propensity: Option<f64>,
}

impl Default for UpliftOptions {
    fn default() -> Self {
        UpliftOptions {
            method: UpliftMethod::TLearner,
            logistic: LogisticOptions::default(),
            propensity: None,
        }
    }
}

crate::setters!(UpliftOptions {
    method: UpliftMethod,
    logistic: LogisticOptions,
    propensity: Option<f64>
});

impl UpliftOptions {
    /// Checks the options (done once at the start of every fit).
    pub fn validate(&self) -> Result<()> {
        self.logistic.validate()?;
        if let Some(g) = self.propensity
            && !(g > 0.0 && g < 1.0)
        {
            return Err(Error::option("propensity", g, "must lie in (0, 1)"));
        }
        Ok(())
    }
}

/// Training data of an uplift model, borrowed: features (rows × columns, any memory layout), the 0/1
/// outcome (1: the response the play aims for, e.g. stayed), the 0/1 treatment (1: contacted) and
/// optionally the feature names.
///
/// ```
/// use ndarray::array;
/// use voc_core::uplift::UpliftData;
/// let x = array![[1.0], [2.0]];
/// let d = UpliftData::new(x.view(), &[1.0, 0.0], &[1.0, 0.0]);
/// assert!(d.names.is_none());
/// ```
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct UpliftData<'a> {
    /// Features, one row per customer.
    pub x: ArrayView2<'a, f64>,
    /// Outcome, 0 or 1, one per row.
    pub outcome: &'a [f64],
    /// Treatment, 0 (held out) or 1 (contacted), one per row.
    pub treatment: &'a [f64],
    /// Feature names (default `x0`, `x1`, ...).
    pub names: Option<&'a [String]>,
}

impl<'a> UpliftData<'a> {
    /// Features, outcome and treatment, without names.
    pub fn new(x: ArrayView2<'a, f64>, outcome: &'a [f64], treatment: &'a [f64]) -> Self {
        UpliftData {
            x,
            outcome,
            treatment,
            names: None,
        }
    }

    /// Sets the feature names.
    pub fn names(mut self, names: &'a [String]) -> Self {
        self.names = Some(names);
        self
    }
}
