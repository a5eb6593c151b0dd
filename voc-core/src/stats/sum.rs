//! Compensated summation.

/// A running sum with Neumaier (improved Kahan–Babuška) compensation.
///
/// Merging two sums is exact up to the compensation of each, so states that hold float sums stay
/// associative to within a few ulps however the data were split.
///
/// ```
/// use voc_core::stats::NeumaierSum;
/// let mut s = NeumaierSum::default();
/// for x in [1e16, 1.0, -1e16] { s.add(x); }
/// assert_eq!(s.value(), 1.0);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct NeumaierSum {
    sum: f64,
    comp: f64,
}

impl NeumaierSum {
    /// Adds one term.
    ///
    /// ```
    /// let mut s = voc_core::stats::NeumaierSum::default();
    /// (0..10).for_each(|_| s.add(0.1));
    /// assert_eq!(s.value(), 1.0); // a plain f64 sum gives 0.9999999999999999
    /// ```
    #[inline]
    pub fn add(&mut self, x: f64) {
        let t = self.sum + x;
        if self.sum.abs() >= x.abs() {
            self.comp += (self.sum - t) + x;
        } else {
            self.comp += (x - t) + self.sum;
        }
        self.sum = t;
    }

    /// Adds another compensated sum.
    ///
    /// ```
    /// use voc_core::stats::NeumaierSum;
    /// let (mut a, mut b) = (NeumaierSum::default(), NeumaierSum::default());
    /// a.add(1e16);
    /// b.add(1.0);
    /// b.add(-1e16);
    /// a.merge(&b);
    /// assert_eq!(a.value(), 1.0);
    /// ```
    #[inline]
    pub fn merge(&mut self, other: &NeumaierSum) {
        self.add(other.sum);
        self.comp += other.comp;
    }

    /// The compensated total.
    ///
    /// ```
    /// assert_eq!(voc_core::stats::NeumaierSum::default().value(), 0.0);
    /// ```
    #[inline]
    pub fn value(&self) -> f64 {
        self.sum + self.comp
    }

    /// The raw parts (sum, compensation), for serialisation.
    ///
    /// ```
    /// use voc_core::stats::NeumaierSum;
    /// let mut s = NeumaierSum::default();
    /// s.add(2.5);
    /// assert_eq!(NeumaierSum::from_parts(s.parts().0, s.parts().1), s);
    /// ```
    pub fn parts(&self) -> (f64, f64) {
        (self.sum, self.comp)
    }

    /// Rebuilds a sum from [`parts`](Self::parts).
    ///
    /// ```
    /// assert_eq!(voc_core::stats::NeumaierSum::from_parts(1.0, 1e-20).value(), 1.0);
    /// ```
    pub fn from_parts(sum: f64, comp: f64) -> Self {
        NeumaierSum { sum, comp }
    }
}
