//! Turning group labels into dense `u32` codes, the form every grouped computation takes.
//!
//! Codes follow the sorted order of the labels (as pandas `groupby(sort=True)`), so results come out
//! in label order.

use std::collections::HashMap;
use std::hash::Hash;

use crate::error::{Error, Result};

/// Group ids must be below this (they index dense arrays).
///
/// ```
/// use voc_core::metrics::{Batch, NpsState, MAX_GROUPS};
/// let mut s = NpsState::new();
/// assert!(s.update_batch(Batch::new(&[9_u8]).groups(&[MAX_GROUPS as u32])).is_err());
/// ```
pub const MAX_GROUPS: usize = 1 << 24;

/// Dense codes (one per row) and the label of each code.
///
/// ```
/// let f = voc_core::group::factorize_ints(&[5_i32, 5, -1])?;
/// assert_eq!((f.codes, f.labels), (vec![1, 1, 0], vec![-1, 5]));
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Factorized<L> {
    /// Code per row, `0..labels.len()`.
    pub codes: Vec<u32>,
    /// Label per code, sorted ascending.
    pub labels: Vec<L>,
}

/// Dense codes for integer labels.
///
/// Compact label ranges (up to 4 labels per row or 2²⁰ values) use a direct lookup table; sparse ones a
/// hash map.
///
/// ```
/// let f = voc_core::group::factorize_ints(&[30_i64, 10, 30, 20])?;
/// assert_eq!(f.labels, vec![10, 20, 30]);
/// assert_eq!(f.codes, vec![2, 0, 2, 1]);
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn factorize_ints<T: Copy + Into<i64>>(keys: &[T]) -> Result<Factorized<i64>> {
    let Some(&first) = keys.first() else {
        return Ok(Factorized {
            codes: Vec::new(),
            labels: Vec::new(),
        });
    };
    let first: i64 = first.into();
    let (min, max) = keys.iter().fold((first, first), |(lo, hi), &k| {
        let k: i64 = k.into();
        (lo.min(k), hi.max(k))
    });
    let span = (max as i128 - min as i128 + 1) as u128;
    if span <= (1u128 << 20).max(4 * keys.len() as u128) {
        let mut table = vec![u32::MAX; span as usize];
        for &k in keys {
            table[(k.into() - min) as usize] = 0;
        }
        let mut labels = Vec::new();
        for (offset, slot) in table.iter_mut().enumerate() {
            if *slot == 0 {
                *slot = labels.len() as u32;
                labels.push(min + offset as i64);
            }
        }
        check_count(labels.len())?;
        let codes = keys
            .iter()
            .map(|&k| table[(k.into() - min) as usize])
            .collect();
        return Ok(Factorized { codes, labels });
    }
    factorize_hashed(keys.iter().map(|&k| k.into()))
}

/// An integer column that can serve as group keys (all primitive integer types).
pub trait GroupKey: Copy + Send + Sync + 'static {
    /// The key as `i64`; `None` for a `u64` above `i64::MAX`.
    ///
    /// ```
    /// use voc_core::group::GroupKey;
    /// assert_eq!(7_u16.key(), Some(7));
    /// assert_eq!(u64::MAX.key(), None);
    /// ```
    fn key(self) -> Option<i64>;

    /// Smallest and largest key; `None` when empty or a key does not fit in `i64`.
    ///
    /// ```
    /// use voc_core::group::GroupKey;
    /// assert_eq!(i32::range(&[4, -2, 9]), Some((-2, 9)));
    /// ```
    fn range(keys: &[Self]) -> Option<(i64, i64)> {
        let first = keys.first()?.key()?;
        keys.iter().try_fold((first, first), |(lo, hi), &k| {
            let k = k.key()?;
            Some((lo.min(k), hi.max(k)))
        })
    }
}

macro_rules! group_key {
    ($($t:ty),*) => {$(
        impl GroupKey for $t {
            #[inline(always)]
            fn key(self) -> Option<i64> {
                Some(i64::from(self))
            }

            // A native min/max fold, which vectorises (the keys always fit in i64).
            fn range(keys: &[Self]) -> Option<(i64, i64)> {
                let (lo, hi) = keys.iter().fold((<$t>::MAX, <$t>::MIN), |(lo, hi), &k| (lo.min(k), hi.max(k)));
                (!keys.is_empty()).then(|| (i64::from(lo), i64::from(hi)))
            }
        }
    )*};
}
group_key!(i8, i16, i32, i64, u8, u16, u32);

impl GroupKey for u64 {
    #[inline(always)]
    fn key(self) -> Option<i64> {
        i64::try_from(self).ok()
    }
}

/// Smallest and largest key, in one pass; `None` when empty or a key does not fit in `i64`.
///
/// ```
/// assert_eq!(voc_core::group::key_range(&[5_u8, 2, 9]), Some((2, 9)));
/// assert_eq!(voc_core::group::key_range::<i32>(&[]), None);
/// assert_eq!(voc_core::group::key_range(&[1_u64, u64::MAX]), None);
/// ```
pub fn key_range<K: GroupKey>(keys: &[K]) -> Option<(i64, i64)> {
    K::range(keys)
}

/// Dense codes `key − base` for an integer key column whose keys lie in `base..base + MAX_GROUPS`
/// (the codes a keyed grouped update uses implicitly); `None` if a key lies outside.
///
/// ```
/// assert_eq!(voc_core::group::keyed_codes(&[12_i32, 10, 12], 10), Some(vec![2, 0, 2]));
/// assert_eq!(voc_core::group::keyed_codes(&[9_i32], 10), None);
/// ```
pub fn keyed_codes<K: GroupKey>(keys: &[K], base: i64) -> Option<Vec<u32>> {
    keys.iter()
        .map(|&k| {
            let g = k.key()?.checked_sub(base)?;
            u32::try_from(g).ok().filter(|&g| (g as usize) < MAX_GROUPS)
        })
        .collect()
}

/// Dense codes for float labels, ordered by value (`-0.0` is `0.0`); NaN is a missing label: its rows
/// get code 0 and are listed in the second value (ascending), and NaN is never a label.
///
/// Integral floats stay floats: `1.0` and `2.0` are the labels `1.0` and `2.0`.
///
/// ```
/// let (f, missing) = voc_core::group::factorize_floats(&[2.0, f64::NAN, -0.5, 2.0])?;
/// assert_eq!(f.labels, vec![-0.5, 2.0]);
/// assert_eq!(f.codes, vec![1, 0, 0, 1]);
/// assert_eq!(missing, vec![1]);
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn factorize_floats(values: &[f64]) -> Result<(Factorized<f64>, Vec<usize>)> {
    // Distinct values first (by their bits, -0.0 folded into 0.0), then only those are sorted.
    let mut seen: std::collections::HashSet<u64> = std::collections::HashSet::new();
    for v in values {
        if !v.is_nan() {
            seen.insert((v + 0.0).to_bits());
        }
    }
    check_count(seen.len())?;
    let mut labels: Vec<f64> = seen.into_iter().map(f64::from_bits).collect();
    labels.sort_unstable_by(f64::total_cmp);
    let mut missing = Vec::new();
    let codes = values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            if v.is_nan() {
                missing.push(i);
                0
            } else {
                labels
                    .binary_search_by(|x| x.total_cmp(&(v + 0.0)))
                    .map_or(0, |c| c as u32)
            }
        })
        .collect();
    Ok((Factorized { codes, labels }, missing))
}

/// Dense codes for boolean labels: the labels that occur, `false` before `true`.
///
/// ```
/// let f = voc_core::group::factorize_bools(&[true, true])?;
/// assert_eq!((f.codes, f.labels), (vec![0, 0], vec![true]));
/// let f = voc_core::group::factorize_bools(&[true, false])?;
/// assert_eq!((f.codes, f.labels), (vec![1, 0], vec![false, true]));
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn factorize_bools(values: &[bool]) -> Result<Factorized<bool>> {
    let has = |b: bool| values.contains(&b);
    let labels: Vec<bool> = [false, true].into_iter().filter(|&b| has(b)).collect();
    let base = u32::from(labels.len() == 2);
    let codes = values.iter().map(|&b| if b { base } else { 0 }).collect();
    Ok(Factorized { codes, labels })
}

/// Dense codes for string labels (sorted lexicographically by bytes).
///
/// ```
/// let f = voc_core::group::factorize_strs(["web", "app", "web"])?;
/// assert_eq!(f.labels, vec!["app".to_string(), "web".to_string()]);
/// assert_eq!(f.codes, vec![1, 0, 1]);
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn factorize_strs<'a>(keys: impl IntoIterator<Item = &'a str>) -> Result<Factorized<String>> {
    let f = factorize_hashed(keys)?;
    Ok(Factorized {
        codes: f.codes,
        labels: f.labels.into_iter().map(str::to_owned).collect(),
    })
}

fn factorize_hashed<L: Hash + Eq + Ord + Copy>(
    keys: impl IntoIterator<Item = L>,
) -> Result<Factorized<L>> {
    let mut seen: HashMap<L, u32> = HashMap::new();
    let mut labels = Vec::new();
    let codes: Vec<u32> = keys
        .into_iter()
        .map(|k| {
            *seen.entry(k).or_insert_with(|| {
                labels.push(k);
                labels.len() as u32 - 1
            })
        })
        .collect();
    check_count(labels.len())?;
    // Renumber first-seen codes into sorted label order.
    let mut order: Vec<u32> = (0..labels.len() as u32).collect();
    order.sort_unstable_by(|&a, &b| labels[a as usize].cmp(&labels[b as usize]));
    let mut rank = vec![0u32; labels.len()];
    for (r, &old) in order.iter().enumerate() {
        rank[old as usize] = r as u32;
    }
    let labels = order.iter().map(|&old| labels[old as usize]).collect();
    Ok(Factorized {
        codes: codes.into_iter().map(|c| rank[c as usize]).collect(),
        labels,
    })
}

/// Checks that `n` distinct group labels fit in the dense codes ([`MAX_GROUPS`]).
///
/// ```
/// assert!(voc_core::group::check_count(10).is_ok());
/// assert!(voc_core::group::check_count(usize::MAX).is_err());
/// ```
pub fn check_count(n: usize) -> Result<()> {
    if n > MAX_GROUPS {
        return Err(Error::option(
            "groups",
            n,
            format!("at most {MAX_GROUPS} distinct groups are supported"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn float_labels_are_ordered_by_value_and_nan_is_missing() {
        let (f, missing) =
            factorize_floats(&[2.0, -0.0, f64::NAN, 0.0, 1.5, f64::INFINITY]).unwrap();
        assert_eq!(f.labels, vec![0.0, 1.5, 2.0, f64::INFINITY]);
        assert_eq!(f.codes, vec![2, 0, 0, 0, 1, 3]);
        assert_eq!(missing, vec![2]);
        assert!(f.labels[0].is_sign_positive());
        let (f, missing) = factorize_floats(&[f64::NAN]).unwrap();
        assert!(f.labels.is_empty());
        assert_eq!(missing, vec![0]);
    }

    #[test]
    fn bool_labels_are_those_that_occur() {
        assert_eq!(factorize_bools(&[]).unwrap().labels, Vec::<bool>::new());
        let f = factorize_bools(&[false, false]).unwrap();
        assert_eq!((f.codes, f.labels), (vec![0, 0], vec![false]));
    }

    proptest! {
        /// Integral floats code like the integers they equal (same codes, same order).
        #[test]
        fn integral_floats_code_as_ints(v in proptest::collection::vec(-50_i64..50, 0..40)) {
            let floats: Vec<f64> = v.iter().map(|&x| x as f64).collect();
            let (f, missing) = factorize_floats(&floats).unwrap();
            let i = factorize_ints(&v).unwrap();
            prop_assert!(missing.is_empty());
            prop_assert_eq!(f.codes, i.codes);
            prop_assert_eq!(f.labels, i.labels.iter().map(|&x| x as f64).collect::<Vec<_>>());
        }

        /// Bools code like 0 / 1 integers.
        #[test]
        fn bools_code_as_ints(v in proptest::collection::vec(any::<bool>(), 0..40)) {
            let f = factorize_bools(&v).unwrap();
            let ints: Vec<i64> = v.iter().map(|&b| i64::from(b)).collect();
            let i = factorize_ints(&ints).unwrap();
            prop_assert_eq!(f.codes, i.codes);
            prop_assert_eq!(f.labels.iter().map(|&b| i64::from(b)).collect::<Vec<_>>(), i.labels);
        }
    }
}
