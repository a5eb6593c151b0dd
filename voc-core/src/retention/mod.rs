//! Retention and customer value: survival curves, cohorts, proportional hazards and buy-till-you-die
//! models.
//!
//! - [`kaplan_meier`] — Kaplan–Meier survival with right censoring, Greenwood variance, the log(−log)
//!   interval and the median with its interval, as lifelines `KaplanMeierFitter`.
//! - [`logrank_test`] — the log-rank test for two or k groups, as lifelines `multivariate_logrank_test`.
//! - [`cohort_retention`] — acquisition-month × months-since retention matrix and the 12-month repurchase rate.
//! - [`cox_ph`] — Cox proportional hazards with Efron or Breslow ties, as lifelines `CoxPHFitter` and
//!   statsmodels `PHReg`.
//! - [`BgNbd`], [`GammaGamma`], [`rfm_summary`] — the BG/NBD model of Fader, Hardie & Lee (2005), the
//!   Gamma-Gamma spend model, CLV, and the frequency/recency/T summary, as the lifetimes package.
//!
//! Durations and timestamps follow [`crate::time`]: durations are non-negative `f64` in any unit (days,
//! weeks); order timestamps are `i64` in a [`TimeUnit`](crate::time::TimeUnit). A NaN duration, event or
//! covariate is missing: an [`Error::Missing`] naming it (a covariate by row and column) under
//! [`MissingPolicy::Error`], a row left out and counted (`n_missing`) under [`MissingPolicy::Skip`]
//! ([`KmOptions`], [`LogRankOptions`], [`CoxOptions`]).
//!
//! The three models are fitted through [`Fit`](crate::Fit) by their options and predict through
//! [`Predict`](crate::Predict): [`CoxOptions`] on a [`CoxData`] (covariates as an
//! [`ndarray::ArrayView2`] of any memory layout) → [`CoxPh`], which predicts log partial hazards;
//! [`BgNbdOptions`] on an [`RfmData`] → [`BgNbd`], which predicts expected purchases over a horizon;
//! [`GammaGammaOptions`] on a [`SpendData`] → [`GammaGamma`], which predicts the expected spend per
//! transaction. Each fitted model has a versioned, checksummed byte form (`to_bytes` / `from_bytes`).
//!
//! ```
//! use ndarray::array;
//! use voc_core::{Fit, Predict};
//! use voc_core::retention::{CoxData, CoxOptions, CoxPh};
//! let x = array![[2.0], [0.5], [1.0], [1.5], [-0.3], [0.0], [0.7], [-1.0]];
//! let t = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0];
//! let e = [1.0, 1.0, 1.0, 0.0, 1.0, 1.0, 0.0, 1.0];
//! let model = CoxOptions::default().fit(CoxData::new(x.view(), &t, &e))?;
//! let saved = model.to_bytes();
//! let back = CoxPh::from_bytes(&saved)?;
//! assert_eq!(back.predict(x.t().t())?, model.predict(x.view())?);
//! # Ok::<(), voc_core::Error>(())
//! ```

mod bgnbd;
mod bytes;
mod cohort;
mod cox;
mod gamma_gamma;
mod km;
mod km_chunks;
pub(crate) use km::curve_from_keys;
mod km_whole;
pub(crate) use km_whole::curve_from_whole_keys;
mod logrank;
mod optim;
mod params;
mod summary;

pub use bgnbd::{BgNbd, BgNbdOptions, RfmData};
pub use cohort::{CohortOptions, CohortRetention, MAX_COHORT_MONTHS, cohort_retention};
pub use cox::{CoxCoef, CoxData, CoxOptions, CoxPh, Ties, concordance_index, cox_ph};
pub use gamma_gamma::{ClvOptions, GammaGamma, GammaGammaOptions, MAX_CLV_PERIODS, SpendData, clv};
pub use km::{KaplanMeier, KmCurve, KmOptions, kaplan_meier};
pub use logrank::{LogRank, LogRankOptions, MAX_LOGRANK_GROUPS, logrank_test};
pub use params::ParamEstimate;
pub use summary::{
    CalibrationHoldout, RfmSummary, SummaryOptions, calibration_holdout, rfm_summary,
};

use crate::MissingPolicy;
use crate::error::{Error, Result};

/// Checks survival durations: present (NaN is [`Error::Missing`]), finite and not negative.
pub(crate) fn check_durations(durations: &[f64]) -> Result<()> {
    if durations.is_empty() {
        return Err(Error::Empty {
            arg: "durations",
            what: "no subjects",
        });
    }
    for (index, &value) in durations.iter().enumerate() {
        if value.is_nan() {
            return Err(Error::Missing {
                arg: "durations",
                index,
            });
        }
        crate::stats::check::non_negative(
            "durations",
            index,
            value,
            "durations cannot be negative",
        )?;
    }
    Ok(())
}

/// Checks event indicators: each 0 (censored) or 1 (event observed); NaN is [`Error::Missing`].
pub(crate) fn check_events(events: &[f64]) -> Result<()> {
    for (index, &value) in events.iter().enumerate() {
        if value != 0.0 && value != 1.0 {
            if value.is_nan() {
                return Err(Error::Missing {
                    arg: "events",
                    index,
                });
            }
            return Err(Error::InvalidValue {
                arg: "events",
                index,
                value,
                reason: "events must be 0 (censored) or 1 (observed)",
            });
        }
    }
    Ok(())
}

/// The rows to keep under `MissingPolicy::Skip`: `None` when no row of `columns` (of equal length) holds
/// a NaN, else a mask with `false` where one does. Under `MissingPolicy::Error` nothing is scanned here
/// (the column checks report the first NaN as [`Error::Missing`]) and the answer is `None`.
pub(crate) fn complete_rows(columns: &[&[f64]], policy: MissingPolicy) -> Option<Vec<bool>> {
    if policy == MissingPolicy::Error || !columns.iter().any(|c| c.iter().any(|v| v.is_nan())) {
        return None;
    }
    let n = columns.first().map_or(0, |c| c.len());
    let mut keep = vec![true; n];
    for c in columns {
        for (k, v) in keep.iter_mut().zip(c.iter()) {
            *k &= !v.is_nan();
        }
    }
    Some(keep)
}

/// The values of `v` at the rows where `keep` is true.
pub(crate) fn kept<T: Copy>(v: &[T], keep: &[bool]) -> Vec<T> {
    v.iter()
        .zip(keep)
        .filter(|(_, k)| **k)
        .map(|(x, _)| *x)
        .collect()
}

/// Bit pattern of a non-negative finite duration: sorts like the number (−0 is folded into +0).
#[inline]
pub(crate) fn key(d: f64) -> u64 {
    (d + 0.0).to_bits()
}
