//! Cox proportional hazards by Newton–Raphson on the partial likelihood (Efron or Breslow ties).
//!
//! - [`options`](CoxOptions): ties, penalty, confidence, iterations;
//! - `fit`: [`cox_ph`], the Newton–Raphson driver on the sorted data of `likelihood`;
//! - [`model`](CoxPh): the fitted model and its predictions;
//! - [`concordance_index`]: Harrell's C.

mod bytes;
mod concordance;
mod fit;
mod likelihood;
mod model;
mod options;
#[cfg(test)]
mod tests;

pub use concordance::concordance_index;
pub use fit::cox_ph;
pub use model::{CoxCoef, CoxPh};
pub use options::{CoxData, CoxOptions, Ties};
