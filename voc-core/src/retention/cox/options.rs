//! Options of the Cox fit and the ties method.

use crate::error::{Error, Result};

/// How tied event times enter the partial likelihood.
///
/// ```
/// assert_eq!(voc_core::retention::Ties::default(), voc_core::retention::Ties::Efron);
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

impl Ties {
    /// Parses "efron" or "breslow".
    ///
    /// ```
    /// use voc_core::retention::Ties;
    /// assert_eq!(Ties::parse("Breslow")?, Ties::Breslow);
    /// assert!(Ties::parse("exact").is_err());
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn parse(name: &str) -> Result<Self> {
        match name.to_ascii_lowercase().as_str() {
            "efron" => Ok(Ties::Efron),
            "breslow" => Ok(Ties::Breslow),
            _ => Err(Error::option(
                "ties",
                name,
                "expected \"efron\" or \"breslow\"",
            )),
        }
    }
}

/// Options of [`cox_ph`].
///
/// ```
/// let o = voc_core::retention::CoxOptions { penalizer: 0.1, ..Default::default() };
/// assert_eq!(o.max_iter, 50);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
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
}

impl Default for CoxOptions {
    fn default() -> Self {
        CoxOptions {
            ties: Ties::Efron,
            penalizer: 0.0,
            confidence: 0.95,
            max_iter: 50,
            tol: 1e-9,
        }
    }
}
