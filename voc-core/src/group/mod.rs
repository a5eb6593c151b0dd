//! Turning group labels into dense `u32` codes, the form every grouped computation takes.
//!
//! Codes follow the sorted order of the labels (as pandas `groupby(sort=True)`), so results come out
//! in label order.

pub(crate) mod hashed;

use crate::error::{Error, Result};
use hashed::{factorize_rows, ranks};

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
pub fn factorize_ints<T: Copy + Into<i64> + Sync>(keys: &[T]) -> Result<Factorized<i64>> {
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
    sorted_codes(keys.len(), |i| keys[i].into())
}

/// Dense codes for an integer key column of any primitive integer type, without widening the column
/// first: like [`factorize_ints`] (same codes, same labels). A `u64` key above `i64::MAX` is an error
/// naming its row.
///
/// Sparse keys are hashed in chunks on several threads (feature `parallel`), each chunk into a small
/// table that stays in cache.
///
/// ```
/// let f = voc_core::group::factorize_keys(&[70_000_u32, 5, 70_000])?;
/// assert_eq!((f.codes, f.labels), (vec![1, 0, 1], vec![5, 70_000]));
/// assert!(voc_core::group::factorize_keys(&[u64::MAX]).is_err());
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn factorize_keys<K: GroupKey>(keys: &[K]) -> Result<Factorized<i64>> {
    check_keys_fit(keys)?;
    let Some((min, max)) = K::range(keys) else {
        return Ok(Factorized {
            codes: Vec::new(),
            labels: Vec::new(),
        });
    };
    let span = (max as i128 - min as i128 + 1) as u128;
    if span <= (1u128 << 20).max(4 * keys.len() as u128) {
        // Compact range: a direct table, as in `factorize_ints`.
        let at = |k: K| (k.key().unwrap_or(min) - min) as usize;
        let mut table = vec![u32::MAX; span as usize];
        for &k in keys {
            table[at(k)] = 0;
        }
        let mut labels = Vec::new();
        for (offset, slot) in table.iter_mut().enumerate() {
            if *slot == 0 {
                *slot = labels.len() as u32;
                labels.push(min + offset as i64);
            }
        }
        check_count(labels.len())?;
        let codes = keys.iter().map(|&k| table[at(k)]).collect();
        return Ok(Factorized { codes, labels });
    }
    sorted_codes(keys.len(), |i| keys[i].key().unwrap_or(i64::MAX))
}

/// Hash factorisation of rows `0..n` into codes in ascending label order.
fn sorted_codes<L: hashed::HashKey + Ord>(
    n: usize,
    get: impl Fn(usize) -> L + Sync,
) -> Result<Factorized<L>> {
    let mut labels = Vec::new();
    let codes = factorize_rows(n, get, |distinct, _| {
        check_count(distinct.len())?;
        let (order, rank) = ranks(distinct);
        labels = order.iter().map(|&o| distinct[o as usize]).collect();
        Ok(rank)
    })?;
    Ok(Factorized { codes, labels })
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

    /// The key as `f64` (for messages; rounded above 2⁵³).
    ///
    /// ```
    /// use voc_core::group::GroupKey;
    /// assert_eq!(u64::MAX.value(), 18_446_744_073_709_551_615.0);
    /// ```
    fn value(self) -> f64;

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

            fn value(self) -> f64 {
                self as f64
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

    fn value(self) -> f64 {
        self as f64
    }
}

/// An error naming the first key that does not fit in `i64` (a `u64` above 2⁶³), if any.
pub(crate) fn check_keys_fit<K: GroupKey>(keys: &[K]) -> Result<()> {
    match keys.iter().position(|k| k.key().is_none()) {
        Some(index) => Err(Error::InvalidValue {
            arg: "groups",
            index,
            value: keys.get(index).map_or(f64::NAN, |k| k.value()),
            reason: "integer group labels must be below 2**63",
        }),
        None => Ok(()),
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
    // A memory-bound scan: two threads read a long column faster than one.
    #[cfg(feature = "parallel")]
    if keys.len() >= 1 << 20 {
        use rayon::prelude::*;
        let chunk = keys.len().div_ceil(rayon::current_num_threads() * 2);
        let ranges: Vec<Option<(i64, i64)>> = keys.par_chunks(chunk).map(K::range).collect();
        return ranges
            .into_iter()
            .try_fold((i64::MAX, i64::MIN), |(lo, hi), r| {
                r.map(|(a, b)| (lo.min(a), hi.max(b)))
            });
    }
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
    // Hashed by bits (-0.0 folded into 0.0, every NaN one key), then only the distinct values are sorted.
    const NAN_KEY: i64 = i64::MIN;
    let key = |v: f64| {
        if v.is_nan() {
            NAN_KEY
        } else {
            (v + 0.0).to_bits() as i64
        }
    };
    let mut labels: Vec<f64> = Vec::new();
    let codes = factorize_rows(
        values.len(),
        |i| key(values[i]),
        |distinct, _| {
            let present: Vec<(f64, usize)> = distinct
                .iter()
                .enumerate()
                .filter(|(_, k)| **k != NAN_KEY)
                .map(|(i, &k)| (f64::from_bits(k as u64), i))
                .collect();
            check_count(present.len())?;
            let mut sorted = present;
            sorted.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
            let mut code = vec![0u32; distinct.len()];
            for (rank, &(v, i)) in sorted.iter().enumerate() {
                code[i] = rank as u32;
                labels.push(v);
            }
            Ok(code)
        },
    )?;
    let missing = values
        .iter()
        .enumerate()
        .filter(|(_, v)| v.is_nan())
        .map(|(i, _)| i)
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
    let keys: Vec<&str> = keys.into_iter().collect();
    factorize_strs_at(keys.len(), |i| keys[i])
}

/// Dense codes for `n` string labels, row `i` being `label(i)`; the same codes and labels as
/// [`factorize_strs`], without collecting the rows first. Rows are hashed in chunks on several threads
/// (feature `parallel`), so `label` must be cheap and thread-safe (an index into a string column).
///
/// ```
/// let rows = ["web", "app", "web"];
/// let f = voc_core::group::factorize_strs_at(rows.len(), |i| rows[i])?;
/// assert_eq!((f.codes, f.labels), (vec![1, 0, 1], vec!["app".to_string(), "web".to_string()]));
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn factorize_strs_at<'a>(
    n: usize,
    label: impl Fn(usize) -> &'a str + Sync,
) -> Result<Factorized<String>> {
    // Short labels (team, channel, region codes) are hashed as one integer each: no string hashing
    // or comparison per row. The check stops at the first longer label.
    if (0..n).all(|i| label(i).len() <= SHORT_LABEL) {
        let f = sorted_codes(n, |i| pack_short(label(i)))?;
        return Ok(Factorized {
            codes: f.codes,
            labels: f.labels.into_iter().map(unpack_short).collect(),
        });
    }
    let f = sorted_codes(n, label)?;
    Ok(Factorized {
        codes: f.codes,
        labels: f.labels.into_iter().map(str::to_owned).collect(),
    })
}

/// Longest label packed into one integer by [`pack_short`].
const SHORT_LABEL: usize = 7;

/// A label of at most [`SHORT_LABEL`] bytes as one integer that sorts as the label does (bytes
/// lexicographically): its bytes from the top, zero-padded, and its length in the lowest byte (a label
/// and the same label followed by zero bytes differ only there, the shorter first).
fn pack_short(s: &str) -> u64 {
    let b = s.as_bytes();
    let mut w = [0u8; 8];
    let m = b.len().min(SHORT_LABEL);
    if let (Some(to), Some(from)) = (w.get_mut(..m), b.get(..m)) {
        to.copy_from_slice(from);
    }
    w[7] = m as u8;
    u64::from_be_bytes(w)
}

/// The label [`pack_short`] packed.
fn unpack_short(k: u64) -> String {
    let w = k.to_be_bytes();
    let m = usize::from(w[7]).min(SHORT_LABEL);
    String::from_utf8_lossy(w.get(..m).unwrap_or_default()).into_owned()
}

/// Codes in first-seen order for `n` rows labelled by `key(i)` (an identity: an integer, a pointer),
/// hashed in chunks on several threads (feature `parallel`). `finish` receives the distinct keys in
/// first-seen order and the row of each one's first occurrence, and returns the final code of each
/// (it may fail, e.g. when a label cannot be read); the result is every row's final code.
///
/// This is how a binding codes columns of objects: each distinct object is read once.
///
/// ```
/// let rows = [30_usize, 10, 30, 20];
/// let codes = voc_core::group::factorize_identities(rows.len(), |i| rows[i], |keys, first| {
///     assert_eq!((keys, first), (&[30, 10, 20][..], &[0, 1, 3][..]));
///     Ok(vec![2, 0, 1]) // rank of each key
/// })?;
/// assert_eq!(codes, vec![2, 0, 2, 1]);
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn factorize_identities(
    n: usize,
    key: impl Fn(usize) -> usize + Sync,
    finish: impl FnOnce(&[usize], &[usize]) -> Result<Vec<u32>>,
) -> Result<Vec<u32>> {
    factorize_rows(n, key, finish)
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

    /// Codes and labels by the definition: labels sorted, code = position of the row's label.
    fn reference<L: Ord + Clone>(rows: &[L]) -> Factorized<L> {
        let set: std::collections::BTreeSet<L> = rows.iter().cloned().collect();
        let labels: Vec<L> = set.into_iter().collect();
        let codes = rows
            .iter()
            .map(|r| labels.binary_search(r).map_or(u32::MAX, |c| c as u32))
            .collect();
        Factorized { codes, labels }
    }

    #[test]
    fn sparse_keys_over_many_chunks_code_as_sorted_labels() {
        // Sparse (hashed), more rows than one chunk, labels first seen in every chunk.
        let keys: Vec<i32> = (0..1_500_000_i64)
            .map(|i| ((i * 2_654_435_761) % 4_001) as i32 * 536_870 - 1_000_000_000)
            .collect();
        let f = factorize_keys(&keys).unwrap();
        let wide: Vec<i64> = keys.iter().map(|&k| i64::from(k)).collect();
        assert_eq!(f, reference(&wide));
        assert_eq!(f, factorize_ints(&keys).unwrap());
        assert_eq!(f.labels.len(), 4_001);
    }

    #[test]
    fn string_rows_over_many_chunks_code_as_sorted_labels() {
        let words: Vec<String> = (0..997).map(|i| format!("store-{:x}", i * 7919)).collect();
        let rows: Vec<&str> = (0..700_000)
            .map(|i| words[(i * 31) % 997].as_str())
            .collect();
        let f = factorize_strs_at(rows.len(), |i| rows[i]).unwrap();
        let r = reference(&rows);
        assert_eq!(f.codes, r.codes);
        assert_eq!(
            f.labels,
            r.labels.iter().map(|s| s.to_string()).collect::<Vec<_>>()
        );
    }

    #[test]
    fn range_of_a_long_column_is_that_of_one_fold() {
        // Long enough to be read in parallel chunks; the extremes sit in different chunks.
        let mut keys: Vec<i32> = (0..3_000_000_i64)
            .map(|i| ((i * 7_919) % 100_003) as i32)
            .collect();
        keys[17] = -41;
        keys[2_999_990] = 1 << 30;
        assert_eq!(key_range(&keys), Some((-41, 1 << 30)));
        assert_eq!(key_range(&keys), i32::range(&keys));
        let mut wide: Vec<u64> = keys.iter().map(|&k| k.unsigned_abs() as u64).collect();
        assert_eq!(key_range(&wide), Some((0, 1 << 30)));
        wide[2_500_000] = u64::MAX;
        assert_eq!(key_range(&wide), None);
    }

    #[test]
    fn short_labels_with_zero_bytes_and_prefixes_stay_apart() {
        let rows = [
            "a", "a\0", "", "\0", "ab", "a\0\0", "\u{ff}", "a", "zzzzzzz",
        ];
        let f = factorize_strs(rows).unwrap();
        let r = reference(&rows);
        assert_eq!(f.codes, r.codes);
        assert_eq!(
            f.labels,
            r.labels.iter().map(|s| s.to_string()).collect::<Vec<_>>()
        );
        assert_eq!(f.labels.len(), 8);
    }

    #[test]
    fn u64_keys_above_i64_are_an_error_naming_the_row() {
        let e = factorize_keys(&[1_u64, u64::MAX]).unwrap_err();
        assert!(e.to_string().contains("groups[1]"), "{e}");
    }

    proptest! {
        /// Hashed and direct paths give the codes and labels of the definition, for any keys.
        #[test]
        fn int_codes_follow_the_definition(
            v in proptest::collection::vec(prop_oneof![-3_i64..3, any::<i64>()], 0..300),
        ) {
            let f = factorize_ints(&v).unwrap();
            prop_assert_eq!(&f, &reference(&v));
            prop_assert_eq!(f, factorize_keys(&v).unwrap());
        }

        /// Strings (with empty and repeated ones) code as their sorted labels.
        #[test]
        fn string_codes_follow_the_definition(
            v in proptest::collection::vec("[a-c]{0,3}|[é中]{1,2}", 0..200),
        ) {
            let rows: Vec<&str> = v.iter().map(String::as_str).collect();
            let f = factorize_strs(rows.iter().copied()).unwrap();
            let r = reference(&rows);
            prop_assert_eq!(f.codes, r.codes);
            prop_assert_eq!(f.labels, r.labels.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        }

        /// Short labels (packed into integers) and longer ones (hashed as strings) code alike: as
        /// their sorted labels, with zero bytes and prefixes kept apart.
        #[test]
        fn short_and_long_string_codes_follow_the_definition(
            v in proptest::collection::vec("[ab\\x00]{0,3}|[a-c]{5,9}|[é中ÿ]{1,3}", 0..200),
            long in any::<bool>(),
        ) {
            let mut rows: Vec<&str> = v.iter().map(String::as_str).collect();
            if long {
                rows.push("a label longer than seven bytes");
            }
            let f = factorize_strs(rows.iter().copied()).unwrap();
            let r = reference(&rows);
            prop_assert_eq!(f.codes, r.codes);
            prop_assert_eq!(f.labels, r.labels.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        }

        /// Floats: NaN rows are missing (code 0), -0.0 is 0.0, the rest sorted by value.
        #[test]
        fn float_codes_follow_the_definition(
            v in proptest::collection::vec(prop_oneof![Just(f64::NAN), Just(-0.0), -3.0_f64..3.0, Just(1.5)], 0..200),
        ) {
            let (f, missing) = factorize_floats(&v).unwrap();
            let mut labels: Vec<f64> = v.iter().filter(|x| !x.is_nan()).map(|x| x + 0.0).collect();
            labels.sort_unstable_by(f64::total_cmp);
            labels.dedup_by(|a, b| a.to_bits() == b.to_bits());
            prop_assert_eq!(f.labels.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
                labels.iter().map(|x| x.to_bits()).collect::<Vec<_>>());
            for (i, x) in v.iter().enumerate() {
                if x.is_nan() {
                    prop_assert_eq!(f.codes[i], 0);
                    prop_assert!(missing.contains(&i));
                } else {
                    prop_assert_eq!(f.labels[f.codes[i] as usize].to_bits(), (x + 0.0).to_bits());
                }
            }
            prop_assert_eq!(missing.len(), v.iter().filter(|x| x.is_nan()).count());
        }

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
