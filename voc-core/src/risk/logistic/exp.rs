//! `e^x` for a block of non-positive `x` at once, for the solver's pass over the rows.
//!
//! The pass takes one exponential per row and per iteration, and a library call per row was about a
//! sixth of a fit. This one has no branches and no calls (a rounding by adding a constant, a
//! Taylor polynomial in Horner form, and the power of two written into the exponent bits), so the
//! compiler turns the loop into vector instructions: two lanes in the portable build, four in the
//! AVX2 build. Both builds run the same IEEE operations in the same order (no fused multiply-adds),
//! so they give the same bits. The result is within one unit in the last place of the correctly
//! rounded `e^x` (checked against `f64::exp` in the tests below).

/// `1.5 · 2^52`: adding it to a value of magnitude below `2^51` rounds it to an integer (ties to
/// even), which then sits in the low bits of the sum's representation.
const SHIFT: f64 = 6_755_399_441_055_744.0;
/// `ln 2` split in two: the high part has 33 significant bits, so `n · LN2_HI` is exact for the
/// `|n| ≤ 1100` that occur here (fdlibm's constants).
const LN2_HI: f64 = f64::from_bits(0x3fe6_2e42_fee0_0000);
const LN2_LO: f64 = f64::from_bits(0x3dea_39ef_3579_3c76);
/// Below this, `e^x` is 0 in `f64` (`e^−746 < 2^−1076`, under half the smallest subnormal).
const FLOOR: f64 = -746.0;
/// `2^−64`: results whose power of two is below the normal range are scaled up by `2^64` first and
/// brought down by one last (correctly rounded) product.
const TWO_M64: f64 = 5.421_010_862_427_522e-20;

/// `1/k!` for `k = 13, 12, …, 2`: the Taylor polynomial's coefficients above the linear term. On
/// `|r| ≤ ln 2 / 2` its truncation error is below `4e−18` relative.
const COEFFS: [f64; 12] = [
    1.0 / 6_227_020_800.0,
    1.0 / 479_001_600.0,
    1.0 / 39_916_800.0,
    1.0 / 3_628_800.0,
    1.0 / 362_880.0,
    1.0 / 40_320.0,
    1.0 / 5_040.0,
    1.0 / 720.0,
    1.0 / 120.0,
    1.0 / 24.0,
    1.0 / 6.0,
    0.5,
];

/// Replaces each `x` of `block` (all `≤ 0`; below `−746`, where `e^x` is 0, read as `−746`) by `e^x`;
/// a NaN stays NaN.
///
/// `x = n · ln 2 + r` with `n` the nearest integer to `x / ln 2` and `|r| ≤ ln 2 / 2`, so
/// `e^x = 2^n · e^r`.
#[inline(always)]
pub(super) fn exp_nonpositive<const N: usize>(block: &mut [f64; N]) {
    for v in block.iter_mut() {
        let x = if *v < FLOOR { FLOOR } else { *v };
        let t = x * std::f64::consts::LOG2_E + SHIFT;
        let n = t - SHIFT;
        // `t` lies in [2^52, 2^53), where consecutive doubles are 1 apart: its bits minus the
        // shift's are `n` as an integer.
        let k = (t.to_bits() as i64).wrapping_sub(SHIFT.to_bits() as i64);
        let r = (x - n * LN2_HI) - n * LN2_LO;
        let mut p = COEFFS[0];
        for c in &COEFFS[1..] {
            p = p * r + c;
        }
        p = p * r + 1.0;
        p = p * r + 1.0;
        let small = k < -1000;
        let k = if small { k + 64 } else { k };
        let scale = f64::from_bits(((k + 1023) as u64) << 52);
        let y = p * scale;
        *v = if small { y * TWO_M64 } else { y };
    }
}

/// Values per block of [`sigmoid_in_place`].
const SIGMOID_BLOCK: usize = 16;

crate::simd::simd_dispatch! {
    /// Replaces each log-odds `η` of `v` by its probability `1 / (1 + e^−η)`, without overflow (as
    /// `e^−|η|` over `1 + e^−|η|` for negative `η`), with the vectorised [`exp_nonpositive`]: every
    /// prediction of a logistic model goes through here, so all of them give the same numbers.
    pub(crate) fn sigmoid_in_place(v: &mut [f64]) => sigmoid_in_place_impl
}

#[inline(always)]
fn sigmoid_in_place_impl(v: &mut [f64]) {
    let mut chunks = v.chunks_exact_mut(SIGMOID_BLOCK);
    for c in &mut chunks {
        let mut block = [0.0; SIGMOID_BLOCK];
        block.copy_from_slice(c);
        sigmoid_block(&mut block);
        c.copy_from_slice(&block);
    }
    let rest = chunks.into_remainder();
    let mut block = [0.0; SIGMOID_BLOCK];
    block[..rest.len()].copy_from_slice(rest);
    sigmoid_block(&mut block);
    let n = rest.len();
    rest.copy_from_slice(&block[..n]);
}

#[inline(always)]
fn sigmoid_block(block: &mut [f64; SIGMOID_BLOCK]) {
    let mut e = block.map(|eta| -eta.abs());
    exp_nonpositive(&mut e);
    for (v, e) in block.iter_mut().zip(e) {
        *v = (if *v >= 0.0 { 1.0 } else { e }) / (1.0 + e);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Distance in units in the last place between two non-negative doubles.
    fn ulps(a: f64, b: f64) -> u64 {
        a.to_bits().abs_diff(b.to_bits())
    }

    fn exp_of(x: f64) -> f64 {
        let mut b = [x; 4];
        exp_nonpositive(&mut b);
        b[0]
    }

    #[test]
    fn is_within_one_ulp_of_the_library_exp_over_the_whole_range() {
        let mut worst = (0, 0.0);
        let n = 2_000_000;
        for i in 0..=n {
            // Dense near 0 (where the pass spends most of its rows) and over the whole range.
            for x in [-746.0 * i as f64 / n as f64, -(i as f64 / n as f64) * 40.0] {
                let d = ulps(exp_of(x), x.exp());
                if d > worst.0 {
                    worst = (d, x);
                }
            }
        }
        assert!(worst.0 <= 1, "{} ulps at x = {}", worst.0, worst.1);
    }

    #[test]
    fn is_exact_at_zero_and_zero_below_the_floor() {
        assert_eq!(exp_of(0.0), 1.0);
        assert_eq!(exp_of(-0.0), 1.0);
        assert_eq!(exp_of(-745.2), 0.0);
        assert_eq!(exp_of(-1e300), 0.0);
        assert_eq!(exp_of(f64::NEG_INFINITY), 0.0);
        assert!(exp_of(f64::NAN).is_nan());
        // The smallest subnormal, and values just inside the subnormal range, as the library has them.
        for x in [-744.4, -740.0, -720.0, -709.0, -708.4, -708.3] {
            assert!(
                ulps(exp_of(x), x.exp()) <= 1,
                "{x}: {} vs {}",
                exp_of(x),
                x.exp()
            );
        }
    }

    #[test]
    fn sigmoid_is_within_two_ulps_of_the_library_one_and_keeps_nan() {
        let eta: Vec<f64> = (0..2001)
            .map(|i| (i as f64 - 1000.0) * 0.0371)
            .chain([0.0, -0.0, 800.0, -800.0, f64::INFINITY, f64::NEG_INFINITY])
            .collect();
        let mut got = eta.clone();
        sigmoid_in_place(&mut got);
        for (&x, &p) in eta.iter().zip(&got) {
            let want = crate::stats::linalg::sigmoid(x);
            assert!(ulps(p, want) <= 2, "σ({x}) = {p}, library {want}");
        }
        assert_eq!(got[1000], 0.5);
        // The baseline build gives the same bits as the one chosen at run time.
        let mut plain = eta.clone();
        sigmoid_in_place_impl(&mut plain);
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<u64>>();
        assert_eq!(bits(&plain), bits(&got));
        let mut odd = [f64::NAN, 1.0, -1.0];
        sigmoid_in_place(&mut odd);
        assert!(odd[0].is_nan() && odd[1] > 0.5 && odd[2] < 0.5);
    }

    #[test]
    fn every_lane_gets_its_own_value() {
        let mut b = [0.0, -1.0, -2.0, -3.0, -10.0, -100.0, -700.0, -740.0];
        let want = b.map(f64::exp);
        exp_nonpositive(&mut b);
        for (got, want) in b.iter().zip(want) {
            assert!(ulps(*got, want) <= 1);
        }
    }
}
