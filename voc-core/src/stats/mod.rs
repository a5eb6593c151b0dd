//! Statistical building blocks: compensated sums, distribution functions, intervals and tests.
//!
//! The survey metrics ([`crate::metrics`]) are built from these; they are public so that analyses
//! on other data (mention rates, churn rates) use the same, tested procedures.

mod binom;
pub(crate) mod check;
pub mod dist;
mod interval;
pub(crate) mod linalg;
mod moments;
mod multiple;
mod proportion;
mod quantile;
pub(crate) mod radix;
pub(crate) mod rng;
mod sum;
mod test;

pub use binom::{MAX_BINOMIAL_TRIALS, binomial_pmf, binomial_test};
pub use interval::{Interval, MAX_CONFIDENCE, Method, check_confidence};
pub use moments::Moments;
pub use multiple::{Adjustment, adjust_p_values};
pub use proportion::{
    IntervalOptions, Share, ShareInterval, proportion_interval, share, two_proportion_test,
};
pub use quantile::quantile_sorted;
pub use sum::NeumaierSum;
pub(crate) use test::z_test;
pub use test::{MeanSummary, TestOptions, TestResult, mean_interval, welch_t_test};

/// Turns bucket counts into each bucket's first position (an exclusive prefix sum), as a counting or
/// radix sort scatters by.
pub(crate) fn counts_to_offsets(counts: &mut [usize]) {
    let mut sum = 0;
    for c in counts.iter_mut() {
        let here = *c;
        *c = sum;
        sum += here;
    }
}
