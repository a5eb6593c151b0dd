//! The one source of seeded randomness (bootstrap resamples, k-means++ seeding, cross-validation folds,
//! topic initialisation): ChaCha8 from a `u64` seed, the same stream on every platform.
//!
//! It needs the `random` feature (on by default). Without it the crate has no rand dependency, and
//! asking for a randomised method is an [`Error::InvalidOption`] naming the option, not a compile error,
//! so code written against the full crate still builds.

use crate::error::{Error, Result};

#[cfg(feature = "random")]
use rand::{Rng as _, SeedableRng, seq::SliceRandom};
#[cfg(feature = "random")]
use rand_distr::Distribution;

/// A seeded generator.
pub(crate) struct Rng {
    #[cfg(feature = "random")]
    inner: rand_chacha::ChaCha8Rng,
    /// Without the `random` feature no generator can exist, so its methods are unreachable.
    #[cfg(not(feature = "random"))]
    never: std::convert::Infallible,
}

impl Rng {
    /// A generator seeded with `seed`. `option` names what asked for randomness (for the error without
    /// the `random` feature).
    #[cfg_attr(feature = "random", allow(clippy::unnecessary_wraps))]
    pub(crate) fn seeded(seed: u64, option: &'static str) -> Result<Self> {
        #[cfg(feature = "random")]
        {
            let _ = option;
            Ok(Rng {
                inner: rand_chacha::ChaCha8Rng::seed_from_u64(seed),
            })
        }
        #[cfg(not(feature = "random"))]
        {
            Err(Error::option(
                option,
                seed,
                "randomised methods need voc-core's `random` feature",
            ))
        }
    }

    /// Selects ChaCha stream `stream` (independent replicates from one seed).
    pub(crate) fn set_stream(&mut self, stream: u64) {
        #[cfg(feature = "random")]
        self.inner.set_stream(stream);
        #[cfg(not(feature = "random"))]
        {
            let _ = stream;
            match self.never {}
        }
    }

    /// A uniform index in `0..n` (`n > 0`).
    pub(crate) fn below(&mut self, n: usize) -> usize {
        #[cfg(feature = "random")]
        return self.inner.random_range(0..n);
        #[cfg(not(feature = "random"))]
        {
            let _ = n;
            match self.never {}
        }
    }

    /// A uniform number in `[0, 1)`.
    pub(crate) fn uniform(&mut self) -> f64 {
        #[cfg(feature = "random")]
        return self.inner.random::<f64>();
        #[cfg(not(feature = "random"))]
        match self.never {}
    }

    /// A standard normal draw (topic initialisation).
    #[cfg_attr(not(feature = "text"), allow(dead_code))]
    pub(crate) fn standard_normal(&mut self) -> f64 {
        #[cfg(feature = "random")]
        return rand_distr::StandardNormal.sample(&mut self.inner);
        #[cfg(not(feature = "random"))]
        match self.never {}
    }

    /// A Binomial(n, p) draw; `p` outside `0..=1` is an error naming `arg`.
    pub(crate) fn binomial(&mut self, n: u64, p: f64, arg: &'static str) -> Result<u64> {
        #[cfg(feature = "random")]
        return rand_distr::Binomial::new(n, p)
            .map(|b| b.sample(&mut self.inner))
            .map_err(|e| Error::option(arg, p, e.to_string()));
        #[cfg(not(feature = "random"))]
        {
            let _ = (n, p, arg);
            match self.never {}
        }
    }

    /// Shuffles `v` in place (Fisher–Yates).
    pub(crate) fn shuffle<T>(&mut self, v: &mut [T]) {
        #[cfg(feature = "random")]
        v.shuffle(&mut self.inner);
        #[cfg(not(feature = "random"))]
        {
            let _ = v;
            match self.never {}
        }
    }
}

#[cfg(all(test, feature = "random"))]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_stream() {
        let (mut a, mut b) = (
            Rng::seeded(7, "seed").unwrap(),
            Rng::seeded(7, "seed").unwrap(),
        );
        let xa: Vec<usize> = (0..5).map(|_| a.below(100)).collect();
        let xb: Vec<usize> = (0..5).map(|_| b.below(100)).collect();
        assert_eq!(xa, xb);
        assert!(
            (0..1000)
                .map(|_| a.uniform())
                .all(|u| (0.0..1.0).contains(&u))
        );
        assert!(a.binomial(10, 1.5, "p").is_err());
        assert!(a.binomial(10, 0.5, "p").unwrap() <= 10);
    }
}
