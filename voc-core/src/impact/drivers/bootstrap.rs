//! Seeded percentile-bootstrap replicates over rows.

#[cfg(feature = "parallel")]
use rayon::prelude::*;

use super::data::{Data, correlation};
use super::{Fit, KeyDriverOptions, fit_corr};
use crate::error::Result;
use crate::stats::rng::Rng;

/// Replicate `b` resamples the n rows with replacement from its own ChaCha8 stream (`seed`, stream
/// `b`), so each replicate is the same whichever thread runs it. `None`: a constant or collinear driver.
/// Without the `random` feature, asking for resamples is an error.
pub(super) fn replicates(
    data: &Data,
    p: usize,
    opts: &KeyDriverOptions,
) -> Result<Vec<Option<Fit>>> {
    Rng::seeded(opts.seed, "resamples")?;
    let n = data.n;
    let names: Vec<&str> = data.names.iter().skip(1).map(String::as_str).collect();
    let cols = data.columns();
    let one = |b: usize| -> Option<Fit> {
        let mut rng = Rng::seeded(opts.seed, "resamples").ok()?;
        rng.set_stream(b as u64);
        let mut counts = vec![0u32; n];
        for _ in 0..n {
            if let Some(c) = counts.get_mut(rng.below(n)) {
                *c += 1;
            }
        }
        let corr = correlation(&cols, data.w.as_deref(), Some(&counts), false).ok()?;
        if corr.len() != (p + 1) * (p + 1) {
            return None;
        }
        fit_corr(&corr, p, &names, opts.method).ok()
    };
    #[cfg(feature = "parallel")]
    {
        Ok((0..opts.resamples).into_par_iter().map(one).collect())
    }
    #[cfg(not(feature = "parallel"))]
    {
        Ok((0..opts.resamples).map(one).collect())
    }
}
