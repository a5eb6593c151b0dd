//! Options of the Cox fit and the ties method.

use ndarray::ArrayView2;

use crate::MissingPolicy;
use crate::error::{Error, Result};
use crate::stats::check_confidence;

/// How tied event times enter the partial likelihood. Spelled "efron" and "breslow" (`FromStr`,
/// `Display`; "Efron"/"EFRON" and "Breslow"/"BRESLOW" also parse).
///
/// ```
/// use voc_core::retention::Ties;
/// assert_eq!(Ties::default(), Ties::Efron);
/// assert_eq!("Breslow".parse::<Ties>()?, Ties::Breslow);
/// assert_eq!(Ties::Breslow.to_string(), "breslow");
/// assert!("exact".parse::<Ties>().is_err());
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Ties {
    /// Efron (1977): the tied deaths leave the risk set in equal fractions (lifelines' only method).
    #[default]
    Efron,
    /// Breslow (1974): every tied death sees the full risk set (statsmodels `PHReg` default, R's
    /// `ties = "breslow"`).
    Breslow,
}

crate::named_enum!(Ties, "ties", {
    Efron => "efron" | "Efron" | "EFRON",
    Breslow => "breslow" | "Breslow" | "BRESLOW",
});

/// Options (parameters) of the Cox fit: [`cox_ph`](super::cox_ph), or [`Fit`](crate::Fit) on a
/// [`CoxData`].
///
/// ```
/// use voc_core::retention::{CoxOptions, Ties};
/// let o = CoxOptions::default().penalizer(0.1).ties(Ties::Breslow);
/// assert_eq!((o.max_iter, o.penalizer), (50, 0.1));
/// assert!(CoxOptions::default().tol(0.0).validate().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct CoxOptions {
    /// Handling of tied event times.
    pub ties: Ties,
    /// L2 penalty λ ≥ 0. The objective is `ℓ(β) − n·λ/2·Σ (β_j·s_j)²` with `s_j` the sample standard
    /// deviation of column j, which is lifelines' `penalizer` with `l1_ratio = 0` (it penalises the
    /// coefficients of standardised covariates).
    pub penalizer: f64,
    /// Confidence level of the coefficient intervals.
    pub confidence: f64,
    /// Newton–Raphson iterations before giving up with [`Error::NotConverged`].
    pub max_iter: usize,
    /// Convergence: the largest Newton step (in standard-deviation units of each covariate) is below
    /// this.
    pub tol: f64,
    /// Rows with a NaN covariate, duration or event: an error naming the first (row and column;
    /// [`MissingPolicy::Error`], the default) or left out and counted in
    /// [`CoxPh::n_missing`](super::CoxPh::n_missing) ([`MissingPolicy::Skip`]).
    pub missing: MissingPolicy,
}

impl Default for CoxOptions {
    fn default() -> Self {
        CoxOptions {
            ties: Ties::Efron,
            penalizer: 0.0,
            confidence: 0.95,
            max_iter: 50,
            tol: 1e-9,
            missing: MissingPolicy::Error,
        }
    }
}

impl CoxOptions {
    /// Checks every option: `confidence` in (0, 1), `penalizer` finite and ≥ 0, `tol` > 0. Called once
    /// at the start of the fit.
    ///
    /// ```
    /// use voc_core::retention::CoxOptions;
    /// assert!(CoxOptions::default().validate().is_ok());
    /// assert!(CoxOptions::default().penalizer(-1.0).validate().is_err());
    /// ```
    pub fn validate(&self) -> Result<()> {
        check_confidence(self.confidence)?;
        if !(self.penalizer >= 0.0) || !self.penalizer.is_finite() {
            return Err(Error::option(
                "penalizer",
                self.penalizer,
                "must be finite and >= 0",
            ));
        }
        if !(self.tol > 0.0 && self.tol < 1.0) {
            return Err(Error::option(
                "tol",
                self.tol,
                "must lie in (0, 1), e.g. 1e-9",
            ));
        }
        Ok(())
    }
}

crate::setters!(CoxOptions {
    ties: Ties,
    penalizer: f64,
    confidence: f64,
    max_iter: usize,
    tol: f64,
    missing: MissingPolicy
});

/// The training data of a Cox model, borrowed: covariates (subjects × covariates, any memory layout),
/// durations ≥ 0 and event indicators 0/1, one per subject, and optionally the covariates' names
/// (default `x0`, `x1`, ...; errors about a covariate value name its row and column). What
/// [`CoxOptions`] fits through [`Fit`](crate::Fit).
///
/// ```
/// use ndarray::array;
/// use voc_core::{Fit, Predict};
/// use voc_core::retention::{CoxData, CoxOptions};
/// let x = array![[2.0], [0.5], [1.0], [1.5], [-0.3], [0.0], [0.7], [-1.0]];
/// let t = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0];
/// let e = [1.0, 1.0, 1.0, 0.0, 1.0, 1.0, 0.0, 1.0];
/// let model = CoxOptions::default().fit(CoxData::new(x.view(), &t, &e))?;
/// assert!((model.coef[0] - 0.83928678).abs() < 1e-7); // lifelines CoxPHFitter
/// let log_hazard = model.predict(x.view())?; // centred on the training means, as lifelines
/// assert!(log_hazard[0] > log_hazard[7]);
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct CoxData<'a> {
    /// Covariates: one row per subject, one column per covariate.
    pub covariates: ArrayView2<'a, f64>,
    /// Time to the event or to censoring.
    pub durations: &'a [f64],
    /// 1 when the event was observed, 0 when censored.
    pub events: &'a [f64],
    /// Covariate names, one per column (default `x0`, `x1`, ...).
    pub names: Option<&'a [String]>,
}

impl<'a> CoxData<'a> {
    /// Bundles the three inputs (checked by the fit), without names.
    ///
    /// ```
    /// let x = ndarray::array![[1.0], [2.0]];
    /// let d = voc_core::retention::CoxData::new(x.view(), &[1.0, 2.0], &[1.0, 0.0]);
    /// assert_eq!(d.covariates.nrows(), 2);
    /// ```
    pub fn new(covariates: ArrayView2<'a, f64>, durations: &'a [f64], events: &'a [f64]) -> Self {
        CoxData {
            covariates,
            durations,
            events,
            names: None,
        }
    }

    /// Sets the covariate names (one per column; the fitted model keeps them).
    ///
    /// ```
    /// use voc_core::Fit;
    /// use voc_core::retention::{CoxData, CoxOptions};
    /// let x = ndarray::array![[2.0], [0.5], [1.0], [1.5], [-0.3], [0.0], [0.7], [-1.0]];
    /// let t = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0];
    /// let e = [1.0, 1.0, 1.0, 0.0, 1.0, 1.0, 0.0, 1.0];
    /// let names = ["age".to_string()];
    /// let model = CoxOptions::default().fit(CoxData::new(x.view(), &t, &e).names(&names))?;
    /// assert_eq!(model.names, names);
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn names(mut self, names: &'a [String]) -> Self {
        self.names = Some(names);
        self
    }
}
