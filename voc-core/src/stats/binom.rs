//! The binomial distribution and the exact binomial test, in O(log n) time and O(1) memory whatever
//! the counts: the probability mass by Loader's saddle-point form, the tails by the regularised
//! incomplete beta, and the two-sided "minlike" p-value by scipy's binary search for the other tail.

use statrs::function::gamma::ln_gamma;

use super::dist::{bd0, inc_beta, ln_gamma_correction};
use crate::error::{Error, Result};

/// Largest count (trials) the binomial functions take: 2⁵³, beyond which consecutive integers are no
/// longer distinct doubles.
pub const MAX_BINOMIAL_TRIALS: f64 = 9_007_199_254_740_992.0;

/// ln Γ(n + 1) − [(n + ½)·ln n − n + ½·ln 2π] (Loader's `stirlerr`), for n ≥ 1.
fn stirlerr(n: f64) -> f64 {
    const LN_SQRT_2PI: f64 = 0.918_938_533_204_672_8;
    if n >= 10.0 {
        // lnΓ(n+1) = lnΓ(n) + ln n, so the remainder is the Stirling remainder of Γ(n).
        ln_gamma_correction(n)
    } else {
        ln_gamma(n + 1.0) - (n + 0.5) * n.ln() + n - LN_SQRT_2PI
    }
}

/// P(X = x) for X ~ Binomial(n, p), accurate to a few ulps relative (Loader 2000).
///
/// ```
/// use voc_core::stats::binomial_pmf;
/// // scipy.stats.binom.pmf(3, 10, 0.2)
/// assert!((binomial_pmf(3.0, 10.0, 0.2) - 0.20132659199999992).abs() < 1e-13);
/// assert_eq!(binomial_pmf(11.0, 10.0, 0.2), 0.0);
/// ```
pub fn binomial_pmf(x: f64, n: f64, p: f64) -> f64 {
    const LN_2PI: f64 = 1.837_877_066_409_345_5;
    let q = 1.0 - p;
    if x < 0.0 || x > n || x.fract() != 0.0 {
        return 0.0;
    }
    if p == 0.0 {
        return if x == 0.0 { 1.0 } else { 0.0 };
    }
    if q == 0.0 {
        return if x == n { 1.0 } else { 0.0 };
    }
    if x == 0.0 {
        if n == 0.0 {
            return 1.0;
        }
        return if p < 0.1 {
            (-bd0(n, n * q) - n * p).exp()
        } else {
            (n * q.ln()).exp()
        };
    }
    if x == n {
        return if q < 0.1 {
            (-bd0(n, n * p) - n * q).exp()
        } else {
            (n * p.ln()).exp()
        };
    }
    let lc = stirlerr(n) - stirlerr(x) - stirlerr(n - x) - bd0(x, n * p) - bd0(n - x, n * q);
    let lf = LN_2PI + x.ln() + (-x / n).ln_1p();
    (lc - 0.5 * lf).exp()
}

/// P(X ≤ k) for X ~ Binomial(n, p) = I₁₋ₚ(n − k, k + 1).
fn cdf(k: f64, n: f64, p: f64) -> f64 {
    if k < 0.0 {
        0.0
    } else if k >= n {
        1.0
    } else {
        inc_beta(n - k, k + 1.0, 1.0 - p)
    }
}

/// P(X > k) for X ~ Binomial(n, p) = Iₚ(k + 1, n − k).
fn sf(k: f64, n: f64, p: f64) -> f64 {
    if k < 0.0 {
        1.0
    } else if k >= n {
        0.0
    } else {
        inc_beta(k + 1.0, n - k, p)
    }
}

/// scipy's `_binary_search_for_binom_tst`: the last x in [lo, hi] with a(x) ≤ d for a monotone
/// non-decreasing `a` (lo − 1 if none).
fn search(a: impl Fn(f64) -> f64, d: f64, mut lo: f64, mut hi: f64) -> f64 {
    while lo < hi {
        let mid = lo + ((hi - lo) / 2.0).floor();
        let v = a(mid);
        if v < d {
            lo = mid + 1.0;
        } else if v > d {
            hi = mid - 1.0;
        } else {
            return mid;
        }
    }
    if a(lo) <= d { lo } else { lo - 1.0 }
}

/// Exact two-sided binomial test of `k` successes in `n` trials against success probability `p`, as
/// `scipy.stats.binomtest(k, n, p).pvalue`: the probability of the outcomes no more likely than the
/// observed one (× (1 + 10⁻⁷), scipy's tie rule). O(log n) time and O(1) memory whatever the counts.
///
/// `k` and `n` must be whole with 0 ≤ k ≤ n ≤ [`MAX_BINOMIAL_TRIALS`] and `p` in [0, 1]; anything else
/// is an error.
///
/// ```
/// use voc_core::stats::binomial_test;
/// // scipy.stats.binomtest(3, 20, 0.5).pvalue
/// assert!((binomial_test(3.0, 20.0, 0.5)? - 0.0025768280029296875).abs() < 1e-15);
/// // A billion trials cost no more than twenty.
/// assert!(binomial_test(500_100_000.0, 1e9, 0.5)? < 1e-9);
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn binomial_test(k: f64, n: f64, p: f64) -> Result<f64> {
    if !(n >= 0.0 && n.fract() == 0.0) || n > MAX_BINOMIAL_TRIALS {
        return Err(Error::too_large(
            "n",
            n,
            MAX_BINOMIAL_TRIALS,
            "the number of trials must be a whole number that a double holds exactly",
        ));
    }
    if !(k >= 0.0 && k <= n && k.fract() == 0.0) {
        return Err(Error::option(
            "k",
            k,
            format!("successes must be a whole number in 0..={n}"),
        ));
    }
    if !(0.0..=1.0).contains(&p) {
        return Err(Error::option("p", p, "a probability must lie in 0..=1"));
    }
    let pmf = |x: f64| binomial_pmf(x, n, p);
    let d = pmf(k);
    let rerr = 1.0 + 1e-7;
    let pn = p * n;
    let pval = if k == pn {
        1.0
    } else if k < pn {
        let ix = search(|x| -pmf(x), -d * rerr, pn.ceil(), n);
        let tie = if d * rerr == pmf(ix) { 1.0 } else { 0.0 };
        let y = n - ix + tie;
        cdf(k, n, p) + sf(n - y, n, p)
    } else {
        let ix = search(pmf, d * rerr, 0.0, pn.floor());
        let y = ix + 1.0;
        cdf(y - 1.0, n, p) + sf(k - 1.0, n, p)
    };
    Ok(pval.min(1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rel(a: f64, b: f64) -> f64 {
        (a - b).abs() / b.abs().max(f64::MIN_POSITIVE)
    }

    /// scipy 1.17 `binomtest(k, n, p).pvalue` and `binom.pmf(k, n, p)`.
    #[test]
    fn binomial_test_matches_scipy() {
        for (k, n, p, pvalue) in [
            (3.0, 20.0, 0.5, 0.0025768280029296875),
            (90.0, 390.0, 0.5, 1.6975700755073926e-27),
            (7.0, 50.0, 0.1, 0.3415019145427246),
            (0.0, 10.0, 0.3, 0.0388396033),
            (10.0, 10.0, 0.3, 5.9048999999999975e-06),
            (5.0, 10.0, 0.5, 1.0),
        ] {
            let got = binomial_test(k, n, p).unwrap();
            assert!(
                rel(got, pvalue) < 1e-10,
                "binomtest({k}, {n}, {p}) = {got:e}, scipy {pvalue:e}"
            );
        }
    }

    #[test]
    fn binomial_pmf_sums_to_one_and_matches_the_product_form() {
        let (n, p) = (40.0, 0.3);
        let total: f64 = (0..=40).map(|x| binomial_pmf(f64::from(x), n, p)).sum();
        assert!((total - 1.0).abs() < 1e-14);
        // C(40, 12)·0.3¹²·0.7²⁸ by the product form.
        let mut c = 1.0;
        for i in 0..12 {
            c *= (40.0 - f64::from(i)) / (f64::from(i) + 1.0);
        }
        let direct = c * 0.3_f64.powi(12) * 0.7_f64.powi(28);
        assert!(rel(binomial_pmf(12.0, n, p), direct) < 1e-13);
    }

    #[test]
    fn binomial_test_rejects_what_it_cannot_compute() {
        assert!(binomial_test(f64::NAN, 10.0, 0.5).is_err());
        assert!(binomial_test(3.0, f64::INFINITY, 0.5).is_err());
        assert!(binomial_test(11.0, 10.0, 0.5).is_err());
        assert!(binomial_test(3.0, 10.0, f64::NAN).is_err());
        assert!(binomial_test(2.5, 10.0, 0.5).is_err());
    }

    #[test]
    fn binomial_test_on_billions_of_trials_is_symmetric_and_fast() {
        let t = std::time::Instant::now();
        let lo = binomial_test(999_950_000.0, 2e9, 0.5).unwrap();
        let hi = binomial_test(1_000_050_000.0, 2e9, 0.5).unwrap();
        assert!(rel(lo, hi) < 1e-9, "{lo:e} vs {hi:e}");
        // scipy 1.17: binomtest(999_950_000, 2_000_000_000).pvalue.
        assert!(rel(lo, 0.02534878318787173) < 1e-9, "{lo}");
        assert!(t.elapsed().as_secs_f64() < 0.5);
    }
}
