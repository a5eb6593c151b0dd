//! NPS classes of 0–10 scores.

use crate::MissingPolicy;
use crate::error::{Error, Result};

/// Names of the NPS classes, in code order (detractor 0–6, passive 7–8, promoter 9–10).
///
/// ```
/// assert_eq!(voc_core::impact::outcome::NPS_CLASSES[2], "promoter");
/// ```
pub const NPS_CLASSES: [&str; 3] = ["detractor", "passive", "promoter"];

/// The code of a row that belongs to no class (e.g. a customer without an NPS answer): left out of
/// every class by [`outcome_by_class`](super::outcome_by_class) and [`OutcomeState`](super::OutcomeState).
///
/// Class codes are a dense `u32` column (read zero-copy from a numpy or Arrow array and scanned once
/// per outcome), so "no class" is this one reserved code rather than an `Option<u32>` per row, which
/// would double the column and need a copy at the binding. Any other code must index a class name.
///
/// ```
/// assert_eq!(voc_core::impact::outcome::NO_CLASS, u32::MAX);
/// ```
pub const NO_CLASS: u32 = u32::MAX;

/// NPS class codes (0 detractor, 1 passive, 2 promoter) of 0–10 scores, named by [`NPS_CLASSES`].
///
/// ```
/// use voc_core::impact::outcome::nps_classes;
/// assert_eq!(nps_classes(&[0.0, 6.0, 7.0, 8.0, 9.0, 10.0])?, vec![0, 0, 1, 1, 2, 2]);
/// assert!(nps_classes(&[11.0]).is_err());
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn nps_classes(scores: &[f64]) -> Result<Vec<u32>> {
    nps_classes_with(scores, MissingPolicy::Error)
}

/// [`nps_classes`] with a missing-value policy: with [`MissingPolicy::Skip`] a NaN score (no answer)
/// gets [`NO_CLASS`]; with [`MissingPolicy::Error`] it is an error naming its position.
///
/// ```
/// use voc_core::impact::outcome::{nps_classes_with, NO_CLASS};
/// use voc_core::MissingPolicy;
/// assert_eq!(nps_classes_with(&[9.0, f64::NAN], MissingPolicy::Skip)?, vec![2, NO_CLASS]);
/// assert!(nps_classes_with(&[f64::NAN], MissingPolicy::Error).is_err());
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn nps_classes_with(scores: &[f64], missing: MissingPolicy) -> Result<Vec<u32>> {
    scores
        .iter()
        .enumerate()
        .map(|(index, &value)| {
            if value.is_nan() {
                match missing {
                    MissingPolicy::Skip => Ok(NO_CLASS),
                    MissingPolicy::Error => Err(Error::Missing {
                        arg: "scores",
                        index,
                    }),
                }
            } else if !value.is_finite() {
                Err(Error::NonFinite {
                    arg: "scores",
                    index,
                    value,
                })
            } else if !(0.0..=10.0).contains(&value) {
                Err(Error::OutOfRange {
                    arg: "scores",
                    index,
                    value,
                    scale: "NPS",
                    min: 0,
                    max: 10,
                })
            } else if value.fract() != 0.0 {
                Err(Error::NotWhole {
                    arg: "scores",
                    index,
                    value,
                })
            } else if value <= 6.0 {
                Ok(0)
            } else if value <= 8.0 {
                Ok(1)
            } else {
                Ok(2)
            }
        })
        .collect()
}
