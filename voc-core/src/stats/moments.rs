//! Running mean and variance that merge exactly (Welford's update, Chan et al.'s merge).

/// Count, mean and sum of squared deviations of a stream of values; [`merge`](Moments::merge) combines
/// two streams as if they were one (Chan, Golub & LeVeque 1979), so chunks can be summarised in parallel.
///
/// ```
/// use voc_core::stats::Moments;
/// let mut a = Moments::of(&[1.0, 2.0, 3.0]);
/// a.merge(&Moments::of(&[4.0, 5.0]));
/// assert_eq!(a.n, 5.0);
/// assert_eq!(a.mean, 3.0);
/// assert!((a.variance(1.0) - 2.5).abs() < 1e-12); // sample variance (ddof = 1)
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Moments {
    /// Number of values (a float so that weighted counts fit too).
    pub n: f64,
    /// Their mean (0 when empty).
    pub mean: f64,
    /// Sum of squared deviations from the mean.
    pub m2: f64,
}

impl Moments {
    /// The moments of `x` (two passes: the mean first, then the deviations, for accuracy).
    pub fn of(x: &[f64]) -> Self {
        if x.is_empty() {
            return Self::default();
        }
        let n = x.len() as f64;
        let mean = x.iter().sum::<f64>() / n;
        let m2 = x.iter().map(|v| (v - mean) * (v - mean)).sum();
        Self { n, mean, m2 }
    }

    /// Adds one value (Welford).
    pub fn push(&mut self, v: f64) {
        self.n += 1.0;
        let d = v - self.mean;
        self.mean += d / self.n;
        self.m2 += d * (v - self.mean);
    }

    /// Adds another stream's moments (Chan et al.).
    pub fn merge(&mut self, other: &Moments) {
        if other.n == 0.0 {
            return;
        }
        if self.n == 0.0 {
            *self = *other;
            return;
        }
        let n = self.n + other.n;
        let d = other.mean - self.mean;
        self.mean += d * other.n / n;
        self.m2 += other.m2 + d * d * self.n * other.n / n;
        self.n = n;
    }

    /// Variance with `ddof` degrees of freedom removed (0 = population, 1 = sample); NaN when `n ≤ ddof`.
    pub fn variance(&self, ddof: f64) -> f64 {
        if self.n > ddof {
            self.m2 / (self.n - ddof)
        } else {
            f64::NAN
        }
    }

    /// Standard deviation with `ddof` degrees of freedom removed.
    pub fn sd(&self, ddof: f64) -> f64 {
        self.variance(ddof).sqrt()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_merge_and_two_pass_agree() {
        let x: Vec<f64> = (0..101).map(|i| 1e6 + (i as f64 * 0.37).sin()).collect();
        let whole = Moments::of(&x);
        let mut pushed = Moments::default();
        x.iter().for_each(|&v| pushed.push(v));
        let mut merged = Moments::of(&x[..40]);
        merged.merge(&Moments::of(&x[40..]));
        merged.merge(&Moments::default());
        for m in [pushed, merged] {
            assert_eq!(m.n, whole.n);
            assert!((m.mean - whole.mean).abs() < 1e-9);
            assert!((m.m2 - whole.m2).abs() < 1e-6 * whole.m2);
        }
        assert!(Moments::of(&[1.0]).variance(1.0).is_nan());
    }
}
