//! The checks every uplift function makes once on its inputs: 0/1 outcomes, a 0/1 treatment with both
//! arms present, finite scores, equal lengths.

use crate::error::{Error, Result, check_len};
use crate::stats::check::label;
use crate::stats::radix::{order_key, sort_pairs};
use ndarray::ArrayView2;

/// Counts of a randomised test: rows and responders (outcome 1) per arm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Arms {
    /// Rows in the treated arm (treatment 1).
    pub n_treated: usize,
    /// Rows in the control arm (treatment 0).
    pub n_control: usize,
    /// Responders (outcome 1) among the treated.
    pub responders_treated: usize,
    /// Responders (outcome 1) among the controls.
    pub responders_control: usize,
}

impl Arms {
    /// All rows.
    pub fn n(&self) -> usize {
        self.n_treated + self.n_control
    }

    /// Response rate of the treated arm minus that of the control arm: the average effect.
    pub fn difference(&self) -> f64 {
        self.responders_treated as f64 / self.n_treated as f64
            - self.responders_control as f64 / self.n_control as f64
    }
}

/// Checks `outcome` and `treatment` (0/1 each, same length, both arms present) and counts the arms.
///
/// A value that is not 0 or 1 is [`Error::InvalidValue`] (NaN [`Error::Missing`], ±inf
/// [`Error::NonFinite`]) naming the argument and the row; an empty input, and a treatment with no
/// treated or no control row, are [`Error::Empty`].
///
/// ```
/// use voc_core::uplift::arms;
/// let a = arms(&[1.0, 0.0, 1.0, 1.0], &[1.0, 1.0, 0.0, 0.0])?;
/// assert_eq!((a.n_treated, a.responders_treated, a.n_control, a.responders_control), (2, 1, 2, 2));
/// assert!(arms(&[1.0, 0.0], &[1.0, 1.0]).is_err()); // no control row
/// assert!(arms(&[1.0, 0.0], &[1.0, 2.0]).is_err()); // treatment must be 0/1
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn arms(outcome: &[f64], treatment: &[f64]) -> Result<Arms> {
    check_len("outcome", outcome.len(), "treatment", treatment.len())?;
    if outcome.is_empty() {
        return Err(Error::Empty {
            arg: "outcome",
            what: "no rows to evaluate",
        });
    }
    // Counted without a branch per row (the arms alternate at random, which a branch predicts
    // badly); the rows are read again only to name a value that is not 0 or 1.
    let (mut treated, mut responders, mut both, mut clean) = (0usize, 0usize, 0usize, true);
    for (&y, &t) in outcome.iter().zip(treatment) {
        let (ti, yi) = (usize::from(t == 1.0), usize::from(y == 1.0));
        clean &= (t == 0.0) | (t == 1.0);
        clean &= (y == 0.0) | (y == 1.0);
        treated += ti;
        responders += yi;
        both += ti & yi;
    }
    if !clean {
        for (i, (&y, &t)) in outcome.iter().zip(treatment).enumerate() {
            label("treatment", i, t)?;
            label("outcome", i, y)?;
        }
    }
    let a = Arms {
        n_treated: treated,
        n_control: outcome.len() - treated,
        responders_treated: both,
        responders_control: responders - both,
    };
    if a.n_control == 0 {
        return Err(Error::Empty {
            arg: "treatment",
            what: "no control row (treatment 0); an uplift needs both arms",
        });
    }
    if a.n_treated == 0 {
        return Err(Error::Empty {
            arg: "treatment",
            what: "no treated row (treatment 1); an uplift needs both arms",
        });
    }
    Ok(a)
}

/// Checks that every score is finite and that there is one per row.
pub(crate) fn scores(arg: &'static str, scores: &[f64], n: usize) -> Result<()> {
    check_len("outcome", n, arg, scores.len())?;
    for (index, &value) in scores.iter().enumerate() {
        if value.is_nan() {
            return Err(Error::Missing { arg, index });
        }
        if !value.is_finite() {
            return Err(Error::NonFinite { arg, index, value });
        }
    }
    Ok(())
}

/// Row positions ordered by score, highest first; among equal scores the later row first. This is
/// scikit-uplift's order (`np.argsort(uplift, kind="mergesort")[::-1]`), which the top-k and
/// by-percentile metrics depend on when scores tie (`-0.0` and `0.0` tie, as in numpy).
pub(crate) fn descending(scores: &[f64]) -> Vec<usize> {
    // Each row as one integer that sorts as the wanted order: the score's bits mapped to an unsigned
    // key that orders as the numbers do (−0.0 read as 0.0; callers have rejected NaN), complemented
    // for "highest first", above the complemented position for "later row first". All keys differ,
    // so an unstable (parallel) sort gives the one order: a sort of plain integers, without the
    // indirect comparisons of sorting positions by score.
    let mut packed: Vec<u128> = scores
        .iter()
        .enumerate()
        .map(|(i, &v)| (u128::from(!order_key(v)) << 64) | u128::from(!(i as u64)))
        .collect();
    sort_keys(&mut packed);
    packed.into_iter().map(|k| !(k as u64) as usize).collect()
}

/// Sorts distinct keys (in parallel when there are many: all keys differ, so the order is the one).
fn sort_keys(packed: &mut [u128]) {
    #[cfg(feature = "parallel")]
    {
        use rayon::prelude::*;
        if packed.len() >= 1 << 16 {
            packed.par_sort_unstable();
        } else {
            packed.sort_unstable();
        }
    }
    #[cfg(not(feature = "parallel"))]
    packed.sort_unstable();
}

/// The rows of a 0/1 test ranked by score, highest first, as `(keys, labels)`: each row's score key
/// (complemented, so that an ascending sort puts the highest first) and `outcome · 2 + treatment`.
/// Rows with equal scores are adjacent (ordered by label among themselves, not by position: what a
/// walk that sums each tie group needs). A radix sort of the keys. Outcome and treatment must be 0 or
/// 1, and no score NaN (checked before).
pub(crate) fn descending_labelled(
    scores: &[f64],
    outcome: &[f64],
    treatment: &[f64],
) -> (Vec<u64>, Vec<u32>) {
    let mut keys: Vec<u64> = scores.iter().map(|&v| !order_key(v)).collect();
    let mut labels: Vec<u32> = outcome
        .iter()
        .zip(treatment)
        .map(|(&y, &t)| (u32::from(y == 1.0) << 1) | u32::from(t == 1.0))
        .collect();
    sort_pairs(&mut keys, &mut labels);
    (keys, labels)
}

#[cfg(test)]
pub(crate) fn descending_by_comparison(scores: &[f64]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_unstable_by(|&a, &b| {
        scores[b]
            .partial_cmp(&scores[a])
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(b.cmp(&a))
    });
    order
}

/// Rejects NaN (unless `nan_ok`) and ±inf in `x` (named `X[row · columns + column]`, as the risk
/// model does).
pub(crate) fn finite(x: &ArrayView2<'_, f64>, nan_ok: bool) -> Result<()> {
    // A branch-free test over a contiguous matrix (in parallel on big ones); the position is looked
    // for only when something is wrong.
    let all_finite = |v: &[f64]| v.iter().fold(true, |ok, a| ok & a.is_finite());
    let clean = match x.as_slice_memory_order() {
        #[cfg(feature = "parallel")]
        Some(v) if v.len() >= 1 << 16 => {
            use rayon::prelude::*;
            v.par_chunks(1 << 14).all(all_finite)
        }
        Some(v) => all_finite(v),
        None => false,
    };
    if clean {
        return Ok(());
    }
    let p = x.ncols();
    for ((i, j), &v) in x.indexed_iter() {
        if v.is_nan() {
            if nan_ok {
                continue;
            }
            return Err(Error::Missing {
                arg: "X",
                index: i * p + j,
            });
        }
        if !v.is_finite() {
            return Err(Error::NonFinite {
                arg: "X",
                index: i * p + j,
                value: v,
            });
        }
    }
    Ok(())
}

/// Errors unless an arm has both outcomes.
pub(crate) fn two_classes(what: &str, positives: usize, n: usize) -> Result<()> {
    if positives == 0 || positives == n {
        return Err(Error::InsufficientData(format!(
            "{what} has only outcome {} ({n} rows); its response model needs both outcomes",
            u8::from(positives == n)
        )));
    }
    Ok(())
}
