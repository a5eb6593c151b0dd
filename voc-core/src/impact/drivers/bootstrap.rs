//! Seeded percentile-bootstrap replicates over rows.

#[cfg(feature = "parallel")]
use rayon::prelude::*;

use super::data::{Data, correlation};
use super::{Fit, KeyDriverOptions, fit_corr};
use crate::error::{Error, Result};
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
    // Ok(None): a replicate with a constant or collinear driver; Err: an interrupt.
    let one = |b: usize| -> Result<Option<Fit>> {
        crate::interrupt::check()?;
        let Ok(mut rng) = Rng::seeded(opts.seed, "resamples") else {
            return Ok(None);
        };
        rng.set_stream(b as u64);
        let mut counts = vec![0u32; n];
        for _ in 0..n {
            if let Some(c) = counts.get_mut(rng.below(n)) {
                *c += 1;
            }
        }
        let Ok(corr) = correlation(&cols, data.w.as_deref(), Some(&counts), false) else {
            return Ok(None);
        };
        if corr.len() != (p + 1) * (p + 1) {
            return Ok(None);
        }
        match fit_corr(&corr, p, &names, opts.method) {
            Ok(fit) => Ok(Some(fit)),
            Err(Error::Interrupted) => Err(Error::Interrupted),
            Err(_) => Ok(None),
        }
    };
    #[cfg(feature = "parallel")]
    {
        crate::interrupt::watch(|| (0..opts.resamples).into_par_iter().map(one).collect())
    }
    #[cfg(not(feature = "parallel"))]
    {
        (0..opts.resamples).map(one).collect()
    }
}
