//! The predictive distribution of a count: negative binomial with mean `mu` and variance `phi · mu`
//! (Poisson when `phi = 1`), its CDF, upper quantile and upper-tail probability.

use statrs::function::gamma::checked_gamma_ur;

use crate::stats::dist::inc_beta;

/// P(Y ≤ k) for Y negative binomial with mean `mu` and variance `phi · mu` (Poisson when
/// `phi <= 1`); `k < 0` gives 0.
pub(super) fn cdf(k: f64, mu: f64, phi: f64) -> f64 {
    if k < 0.0 {
        return 0.0;
    }
    if mu <= 0.0 {
        return 1.0;
    }
    let k = k.floor();
    if phi <= 1.0 {
        // P(Y ≤ k) = Q(k + 1, mu), the upper regularised incomplete gamma.
        return checked_gamma_ur(k + 1.0, mu).map_or(f64::NAN, |p| p.clamp(0.0, 1.0));
    }
    // Size r = mu / (phi − 1), success probability 1 / phi: P(Y ≤ k) = I_{1/phi}(r, k + 1).
    inc_beta(mu / (phi - 1.0), k + 1.0, 1.0 / phi).clamp(0.0, 1.0)
}

/// The smallest integer `u >= 0` with P(Y ≤ u) ≥ `level`.
pub(super) fn upper_quantile(level: f64, mu: f64, phi: f64) -> f64 {
    if mu <= 0.0 {
        return 0.0;
    }
    let sd = (mu * phi.max(1.0)).sqrt();
    let z = crate::stats::dist::normal_quantile(level);
    // Bracket [lo, hi] with cdf(lo) < level <= cdf(hi), starting from the normal approximation.
    let guess = (mu + z * sd).max(0.0).floor();
    let mut step = sd.max(1.0).ceil();
    let (mut lo, mut hi);
    if cdf(guess, mu, phi) >= level {
        hi = guess;
        lo = guess - step;
        while lo >= 0.0 && cdf(lo, mu, phi) >= level {
            hi = lo;
            step *= 2.0;
            lo -= step;
        }
        lo = lo.max(-1.0);
    } else {
        lo = guess;
        hi = guess + step;
        // The tail of a distribution with these moments is passed long before 2^60 steps; the cap
        // only guards against a CDF that never reaches `level` through rounding.
        let mut rounds = 0;
        while cdf(hi, mu, phi) < level && rounds < 60 {
            lo = hi;
            step *= 2.0;
            hi += step;
            rounds += 1;
        }
    }
    // At most ~110 halvings from any bracket below 2^60 (the cap guards against doubles too coarse to
    // split).
    let mut halvings = 0;
    while hi - lo > 1.0 && halvings < 200 {
        halvings += 1;
        let mid = ((lo + hi) / 2.0).floor();
        if mid <= lo || mid >= hi {
            break;
        }
        if cdf(mid, mu, phi) >= level {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    hi
}

/// P(Y ≥ y): the upper-tail probability of an observed value (1 for `y <= 0`).
pub(super) fn upper_tail(y: f64, mu: f64, phi: f64) -> f64 {
    if y <= 0.0 {
        return 1.0;
    }
    (1.0 - cdf(y.ceil() - 1.0, mu, phi)).clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn poisson_and_negative_binomial_quantiles_match_r() {
        // qpois(0.99, 10) = 18; qpois(0.95, 3.2) = 6
        assert_eq!(upper_quantile(0.99, 10.0, 1.0), 18.0);
        assert_eq!(upper_quantile(0.95, 3.2, 1.0), 6.0);
        // qnbinom(0.99, size = 50 / (2 - 1), prob = 1 / 2) = 75 (mean 50, variance 100)
        assert_eq!(upper_quantile(0.99, 50.0, 2.0), 75.0);
        // qnbinom(0.995, size = 2, prob = 0.2) = 32 (mean 8, phi 5)
        assert_eq!(upper_quantile(0.995, 8.0, 5.0), 32.0);
        // ppois(17, 10) (scipy.stats.poisson.cdf(17, 10))
        assert!((cdf(17.0, 10.0, 1.0) - 0.985_722_386_402_950_3).abs() < 1e-12);
        assert!((upper_tail(18.0, 10.0, 1.0) - (1.0 - 0.985_722_386_402_950_3)).abs() < 1e-12);
        assert_eq!(upper_quantile(0.99, 0.0, 3.0), 0.0);
    }

    #[test]
    fn the_quantile_is_the_smallest_value_reaching_the_level() {
        for &(mu, phi) in &[
            (0.3, 1.0),
            (4.0, 1.7),
            (120.0, 2.5),
            (1e6, 3.0),
            (2.0e9, 1.0),
        ] {
            for &level in &[0.5, 0.9, 0.99, 0.999] {
                let u = upper_quantile(level, mu, phi);
                assert!(cdf(u, mu, phi) >= level, "{mu} {phi} {level}");
                assert!(
                    u == 0.0 || cdf(u - 1.0, mu, phi) < level,
                    "{mu} {phi} {level}"
                );
            }
        }
    }
}
