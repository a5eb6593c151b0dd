//! Effect measurement: before/after, holdout, difference-in-differences, sample size and minimum detectable effect.
//!
//! | Question | Function | Method | Reference |
//! |----------|----------|--------|-----------|
//! | did a rate change? | [`before_after`] | two-proportion z test (pooled), unpooled Wald CI; Katz RR | statsmodels `proportions_ztest`, `confint_proportions_2indep(method="wald")`, `Table2x2` |
//! | did a volume change? | [`rate_ratio`] | Poisson rate ratio: Wald on the log scale, and the exact conditional (binomial) test | statsmodels `confint_poisson_2indep` / `test_poisson_2indep` (`"wald-log"`, `"exact-cond"`) |
//! | did the treated churn less? | [`holdout`] | Newcombe hybrid score CI of the difference, pooled z test, Katz RR | statsmodels `confint_proportions_2indep(method="newcomb")` |
//! | did the treated change more? | [`diff_in_diff`] | interaction coefficient of a saturated two-by-two OLS | statsmodels `OLS(y, [1, g, t, g·t])`, `nonrobust` or `HC1` |
//! | how many customers? | [`sample_size`], [`minimum_detectable_effect`] | Cohen's h with both tails, or the classic pooled/unpooled formula | statsmodels `NormalIndPower`, `samplesize_proportions_2indep_onetail` |

mod before_after;
mod did;
mod holdout;
mod power;

pub use before_after::{BeforeAfter, RateRatio, before_after, rate_ratio};
pub use did::{DidOptions, DidSe, did_cells, did_n, diff_in_diff, proportion_cell};
pub use holdout::{Holdout, holdout};
pub use power::{Design, PowerMethod, SampleSize, minimum_detectable_effect, sample_size};

/// Options of [`before_after`], [`rate_ratio`] and [`holdout`].
///
/// ```
/// use voc_core::impact::effect::EffectOptions;
/// assert_eq!(EffectOptions::default().confidence, 0.95);
/// assert!(EffectOptions::default().confidence(0.0).validate().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct EffectOptions {
    /// Confidence level of the intervals (default 0.95).
    pub confidence: f64,
}

impl Default for EffectOptions {
    fn default() -> Self {
        EffectOptions { confidence: 0.95 }
    }
}

impl EffectOptions {
    /// Checks the options (the confidence level lies in (0, 1)), returning the level.
    ///
    /// ```
    /// assert_eq!(voc_core::impact::effect::EffectOptions::default().validate()?, 0.95);
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn validate(&self) -> Result<f64> {
        crate::stats::check_confidence(self.confidence)
    }
}

crate::setters!(EffectOptions { confidence: f64 });

use crate::error::{Error, Result};
use crate::stats::check;

/// Checks a rate given as `k` events of `n` customers.
pub(super) fn check_rate(arg: &'static str, k: f64, n: f64) -> Result<()> {
    for (index, value) in [k, n].into_iter().enumerate() {
        check::non_negative(arg, index, value, "counts cannot be negative")?;
    }
    if n == 0.0 {
        return Err(Error::Empty {
            arg,
            what: "a rate needs at least one customer",
        });
    }
    if k > n {
        return Err(Error::InvalidValue {
            arg,
            index: 0,
            value: k,
            reason: "events exceed the number of customers",
        });
    }
    Ok(())
}
