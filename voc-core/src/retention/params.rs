//! Parameter tables of the buy-till-you-die models: estimate, standard error and Wald interval.

use super::{BgNbd, GammaGamma};
use crate::error::Result;
use crate::stats::check_confidence;
use crate::stats::dist::normal_quantile;

/// One fitted parameter with its standard error and Wald interval `estimate ± z·se`, as the rows of
/// lifetimes' `summary` (`coef`, `se(coef)`, `lower 95% bound`, `upper 95% bound`).
///
/// ```
/// let gg = voc_core::retention::GammaGamma::new(6.25, 3.74, 15.44)?; // built from parameters: no SE
/// let rows = gg.summary(0.95)?;
/// assert_eq!((rows[0].name, rows[0].estimate), ("p", 6.25));
/// assert!(rows[0].se.is_nan() && rows[0].ci_low.is_nan());
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ParamEstimate {
    /// Parameter name (`r`, `alpha`, `a`, `b`; `p`, `q`, `v`).
    pub name: &'static str,
    /// The estimate.
    pub estimate: f64,
    /// Its standard error (NaN for a model built from parameters).
    pub se: f64,
    /// Lower Wald bound at the confidence level asked for.
    pub ci_low: f64,
    /// Upper Wald bound.
    pub ci_high: f64,
}

fn wald(params: &[(&'static str, f64)], se: &[f64], confidence: f64) -> Result<Vec<ParamEstimate>> {
    let z = normal_quantile(0.5 + 0.5 * check_confidence(confidence)?);
    Ok(params
        .iter()
        .zip(se)
        .map(|(&(name, estimate), &se)| ParamEstimate {
            name,
            estimate,
            se,
            ci_low: estimate - z * se,
            ci_high: estimate + z * se,
        })
        .collect())
}

impl BgNbd {
    /// The parameter table (r, alpha, a, b) with standard errors and Wald intervals at `confidence`,
    /// as lifetimes `BetaGeoFitter.summary` (which uses z = 1.96).
    ///
    /// ```
    /// use voc_core::retention::BgNbd;
    /// let mut m = BgNbd::new(0.243, 4.414, 0.793, 2.426)?; // FHL 2005, CDNOW
    /// m.se = [0.013, 0.378, 0.186, 0.705]; // as a fit would set them
    /// let rows = m.summary(0.95)?;
    /// assert_eq!(rows.iter().map(|r| r.name).collect::<Vec<_>>(), ["r", "alpha", "a", "b"]);
    /// assert_eq!(rows[1].estimate, 4.414);
    /// assert!((rows[0].ci_high - (0.243 + 1.959963984540054 * 0.013)).abs() < 1e-12);
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn summary(&self, confidence: f64) -> Result<Vec<ParamEstimate>> {
        wald(
            &[
                ("r", self.r),
                ("alpha", self.alpha),
                ("a", self.a),
                ("b", self.b),
            ],
            &self.se,
            confidence,
        )
    }
}

impl GammaGamma {
    /// The parameter table (p, q, v) with standard errors and Wald intervals at `confidence`, as
    /// lifetimes `GammaGammaFitter.summary` (which uses z = 1.96).
    ///
    /// ```
    /// use voc_core::retention::GammaGamma;
    /// let mut gg = GammaGamma::new(6.25, 3.74, 15.44)?; // CDNOW
    /// gg.se = [1.19, 0.28, 3.36]; // as a fit would set them
    /// let rows = gg.summary(0.9)?;
    /// assert_eq!(rows.iter().map(|r| r.name).collect::<Vec<_>>(), ["p", "q", "v"]);
    /// assert!((rows[2].ci_low - (15.44 - 1.6448536269514722 * 3.36)).abs() < 1e-9);
    /// assert!(gg.summary(1.5).is_err()); // confidence outside (0, 1)
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn summary(&self, confidence: f64) -> Result<Vec<ParamEstimate>> {
        wald(
            &[("p", self.p), ("q", self.q), ("v", self.v)],
            &self.se,
            confidence,
        )
    }
}
