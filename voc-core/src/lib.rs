#![doc = include_str!("../README.md")]
#![deny(unsafe_code)] // allowed only for runtime CPU-feature dispatch and its kernels (metrics::kernel, risk::logistic::solver, stats::linalg: AVX2 loads and a prefetch hint, impact::correlation, segment::kmeans::kernel, and the `simd` dispatch macro)

pub mod anomaly;
mod codec;
pub mod envelope;
pub mod error;
pub mod followup;
pub mod group;
pub mod impact;
pub mod interrupt;
pub mod metrics;
mod options;
pub mod retention;
pub mod risk;
#[cfg(feature = "sample")]
pub mod sample;
pub mod segment;
pub mod signals;
mod simd;
pub mod stats;
#[cfg(feature = "text")]
pub mod text;
pub mod time;
mod traits;
pub mod uplift;

pub use error::{Error, Result};
pub use traits::{Fit, Predict, State};

/// What to do with missing values (NaN scores or weights; nulls from Arrow inputs).
///
/// ```
/// use voc_core::metrics::{Batch, NpsState};
/// use voc_core::MissingPolicy;
/// let mut s = NpsState::new();
/// assert!(s.update(&[9.0, f64::NAN]).is_err());
/// s.update_batch(Batch::new(&[9.0, f64::NAN]).missing(MissingPolicy::Skip))?;
/// assert_eq!(s.tally().cell(0).missing(), 1);
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum MissingPolicy {
    /// A missing value is an error naming its position (the default: nothing is dropped silently).
    #[default]
    Error,
    /// Missing rows are left out and counted in the result's `missing` field.
    Skip,
}
