//! Customer and order ids mapped to dense row indices once, so every later pass indexes arrays.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use crate::error::{Error, Result};

/// An id column: integers or strings.
///
/// ```
/// use voc_core::signals::Ids;
/// let ids = Ids::Int(&[7, 8, 9]);
/// assert_eq!(ids.len(), 3);
/// assert_eq!(ids.render(1).as_deref(), Some("8"));
/// assert_eq!(ids.render(3), None);
/// ```
#[derive(Debug, Clone, Copy)]
pub enum Ids<'a> {
    /// Integer ids.
    Int(&'a [i64]),
    /// String ids.
    Str(&'a [&'a str]),
}

impl Ids<'_> {
    /// Number of ids.
    pub fn len(&self) -> usize {
        match self {
            Ids::Int(v) => v.len(),
            Ids::Str(v) => v.len(),
        }
    }

    /// Whether there are no ids.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The id at `i` as text; `None` when `i` is out of bounds.
    pub fn render(&self, i: usize) -> Option<String> {
        match self {
            Ids::Int(v) => v.get(i).map(|x| x.to_string()),
            Ids::Str(v) => v.get(i).map(|s| (*s).to_owned()),
        }
    }

    /// The id at `i` as text for an error message (empty when out of bounds).
    pub(crate) fn describe(&self, i: usize) -> String {
        self.render(i).unwrap_or_default()
    }

    fn kind(&self) -> &'static str {
        match self {
            Ids::Int(_) => "integers",
            Ids::Str(_) => "strings",
        }
    }
}

/// The ids of an index, in row order.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum IdLabels {
    /// Integer ids.
    Int(Vec<i64>),
    /// String ids.
    Str(Vec<String>),
}

impl IdLabels {
    /// Number of ids.
    pub fn len(&self) -> usize {
        match self {
            IdLabels::Int(v) => v.len(),
            IdLabels::Str(v) => v.len(),
        }
    }

    /// Whether there are no ids.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Marks "no row" in an internal code column (an unknown id under the skip policy); the public API
/// says `None` instead.
pub(crate) const NO_ROW: u32 = u32::MAX;

/// Folded multiply: a fast hash whose low bits depend on every input bit (ids that are multiples of 1000
/// would otherwise share buckets).
#[derive(Default)]
struct IntHasher(u64);

impl Hasher for IntHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b) ^ self.0.rotate_left(8));
        }
    }

    fn write_i64(&mut self, i: i64) {
        self.write_u64(i as u64);
    }

    fn write_u64(&mut self, x: u64) {
        let m = u128::from(x ^ self.0) * 0x9E37_79B9_7F4A_7C15_u128;
        self.0 = (m as u64) ^ ((m >> 64) as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

type IntMap = HashMap<i64, u32, BuildHasherDefault<IntHasher>>;

#[derive(Debug, Clone)]
enum Map {
    /// Ids `base, base + 1, ...` in row order (a numbered export): the row is `id - base`.
    Sequential {
        base: i64,
    },
    /// Ids in a compact range: a direct table from `id - base` to the row.
    Offset {
        base: i64,
        table: Vec<u32>,
    },
    Hash(IntMap),
    Str(HashMap<String, u32>),
}

/// Unique ids → row positions (their dense codes).
///
/// ```
/// use voc_core::signals::{IdIndex, Ids};
/// let index = IdIndex::new("customers.id", Ids::Int(&[10, 20, 30]))?;
/// assert_eq!(index.rows(Ids::Int(&[30, 10, 99]))?, vec![Some(2), Some(0), None]);
/// assert_eq!(index.get_int(20), Some(1));
/// assert_eq!(index.render(2).as_deref(), Some("30"));
/// assert!(IdIndex::new("customers.id", Ids::Int(&[1, 1])).is_err());
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct IdIndex {
    labels: IdLabels,
    len: usize,
    map: Map,
}

/// Largest range of integer ids indexed by a direct table, relative to their count.
const OFFSET_SLACK: usize = 4;

impl IdIndex {
    /// Indexes `ids` without keeping a copy of them ([`labels`](Self::labels) is then empty): for
    /// lookups only, such as orders named by returns.
    pub(crate) fn lookup_only(arg: &'static str, ids: Ids<'_>) -> Result<Self> {
        Self::indexed(arg, ids, false)
    }

    /// Indexes `ids` (row `i` gets code `i`); a repeated id is an [`Error::DuplicateId`].
    pub fn new(arg: &'static str, ids: Ids<'_>) -> Result<Self> {
        Self::indexed(arg, ids, true)
    }

    /// [`new`](Self::new), keeping a copy of the ids as labels only when `keep_labels`.
    fn indexed(arg: &'static str, ids: Ids<'_>, keep_labels: bool) -> Result<Self> {
        if ids.len() >= NO_ROW as usize {
            return Err(Error::option(arg, ids.len(), "at most 2**32 - 2 ids"));
        }
        match ids {
            Ids::Int(v) => Self::from_ints(arg, v, keep_labels),
            Ids::Str(v) => {
                let mut map = HashMap::with_capacity(v.len());
                for (i, s) in v.iter().enumerate() {
                    if map.insert((*s).to_owned(), i as u32).is_some() {
                        return Err(Error::DuplicateId {
                            arg,
                            index: i,
                            id: (*s).to_owned(),
                        });
                    }
                }
                let labels = if keep_labels {
                    v.iter().map(|s| (*s).to_owned()).collect()
                } else {
                    Vec::new()
                };
                Ok(IdIndex {
                    labels: IdLabels::Str(labels),
                    len: v.len(),
                    map: Map::Str(map),
                })
            }
        }
    }

    fn from_ints(arg: &'static str, v: &[i64], keep_labels: bool) -> Result<Self> {
        let dup = |index: usize| Error::DuplicateId {
            arg,
            index,
            id: v.get(index).map(|x| x.to_string()).unwrap_or_default(),
        };
        let labels = IdLabels::Int(if keep_labels { v.to_vec() } else { Vec::new() });
        let Some((min, max)) = min_max(v) else {
            return Ok(IdIndex {
                labels,
                len: 0,
                map: Map::Hash(IntMap::default()),
            });
        };
        if consecutive(v) {
            return Ok(IdIndex {
                labels,
                len: v.len(),
                map: Map::Sequential { base: v[0] },
            });
        }
        let span = max as i128 - min as i128 + 1;
        if span <= (v.len() * OFFSET_SLACK + 1024) as i128 {
            let mut table = vec![NO_ROW; span as usize];
            for (i, &x) in v.iter().enumerate() {
                let slot = &mut table[(x - min) as usize];
                if *slot != NO_ROW {
                    return Err(dup(i));
                }
                *slot = i as u32;
            }
            return Ok(IdIndex {
                labels,
                len: v.len(),
                map: Map::Offset { base: min, table },
            });
        }
        let mut map = IntMap::with_capacity_and_hasher(v.len(), Default::default());
        for (i, &x) in v.iter().enumerate() {
            if map.insert(x, i as u32).is_some() {
                return Err(dup(i));
            }
        }
        Ok(IdIndex {
            labels,
            len: v.len(),
            map: Map::Hash(map),
        })
    }

    /// Number of ids.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the index is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The ids in row order.
    pub fn labels(&self) -> &IdLabels {
        &self.labels
    }

    /// The id of `row`, rendered; `None` when there is no such row.
    pub fn render(&self, row: usize) -> Option<String> {
        match &self.labels {
            IdLabels::Int(v) => v.get(row).map(|x| x.to_string()),
            IdLabels::Str(v) => v.get(row).cloned(),
        }
    }

    /// The row of an integer id (`None` if it is not in the index, or the index holds strings).
    pub fn get_int(&self, id: i64) -> Option<usize> {
        self.codes(Ids::Int(&[id]))
            .ok()
            .and_then(|c| c.first().copied())
            .filter(|&c| c != NO_ROW)
            .map(|c| c as usize)
    }

    /// The row of a string id (`None` if it is not in the index, or the index holds integers).
    pub fn get_str(&self, id: &str) -> Option<usize> {
        self.codes(Ids::Str(&[id]))
            .ok()
            .and_then(|c| c.first().copied())
            .filter(|&c| c != NO_ROW)
            .map(|c| c as usize)
    }

    /// The row of each id (`None` for ids not in the index). Integer ids looked up in a string index
    /// (or the reverse) are an [`Error::Incompatible`].
    pub fn rows(&self, ids: Ids<'_>) -> Result<Vec<Option<usize>>> {
        Ok(self
            .codes(ids)?
            .into_iter()
            .map(|c| (c != NO_ROW).then_some(c as usize))
            .collect())
    }

    /// The row of each id as a dense code, [`NO_ROW`] for ids not in the index (the hot internal form
    /// of [`rows`](Self::rows)).
    pub(crate) fn codes(&self, ids: Ids<'_>) -> Result<Vec<u32>> {
        match (&self.map, ids) {
            (&Map::Sequential { base }, Ids::Int(v)) => {
                let mut codes = vec![0; v.len()];
                sequential_codes(v, base, self.len as u64, &mut codes);
                Ok(codes)
            }
            (Map::Offset { base, table }, Ids::Int(v)) => Ok(v
                .iter()
                .map(|&x| {
                    x.checked_sub(*base)
                        .and_then(|o| usize::try_from(o).ok())
                        .and_then(|o| table.get(o).copied())
                        .unwrap_or(NO_ROW)
                })
                .collect()),
            (Map::Hash(m), Ids::Int(v)) => Ok(v
                .iter()
                .map(|x| m.get(x).copied().unwrap_or(NO_ROW))
                .collect()),
            (Map::Str(m), Ids::Str(v)) => Ok(v
                .iter()
                .map(|s| m.get(*s).copied().unwrap_or(NO_ROW))
                .collect()),
            (_, other) => Err(Error::Incompatible(format!(
                "ids given as {} cannot be looked up among ids that are {}",
                other.kind(),
                match self.labels {
                    IdLabels::Int(_) => "integers",
                    IdLabels::Str(_) => "strings",
                }
            ))),
        }
    }
}

#[inline(always)]
fn consecutive_imp(v: &[i64]) -> bool {
    // Wrapping differences: a run that would pass i64::MAX fails (its last difference wraps).
    let Some(&first) = v.first() else {
        return false;
    };
    let off = v.iter().enumerate().fold(0u8, |acc, (i, &x)| {
        acc | u8::from(x.wrapping_sub(first) != i as i64)
    });
    off == 0 && first.checked_add(v.len() as i64 - 1).is_some()
}

#[inline(always)]
fn sequential_codes_imp(v: &[i64], base: i64, len: u64, codes: &mut [u32]) {
    for (c, &x) in codes.iter_mut().zip(v) {
        // No wrapped difference lands in 0..len: base + len - 1 does not overflow.
        let row = x.wrapping_sub(base) as u64;
        *c = if row < len { row as u32 } else { NO_ROW };
    }
}

#[inline(always)]
fn min_max_imp(v: &[i64]) -> Option<(i64, i64)> {
    let first = *v.first()?;
    Some(
        v.iter()
            .fold((first, first), |(lo, hi), &x| (lo.min(x), hi.max(x))),
    )
}

crate::simd::simd_dispatch! {
    /// Whether `v` is `v[0], v[0] + 1, ...` (non-empty, without passing i64::MAX).
    fn consecutive(v: &[i64]) -> bool => consecutive_imp
}
crate::simd::simd_dispatch! {
    /// The row of each id of a [`Map::Sequential`] index, [`NO_ROW`] when out of range.
    fn sequential_codes(v: &[i64], base: i64, len: u64, codes: &mut [u32]) => sequential_codes_imp
}
crate::simd::simd_dispatch! {
    /// The smallest and largest id (`None` when there is none).
    fn min_max(v: &[i64]) -> Option<(i64, i64)> => min_max_imp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparse_and_string_ids_map_to_rows() {
        let ids = [5_000_000_000_i64, -3, 1_000, 2_000];
        let index = IdIndex::new("id", Ids::Int(&ids)).unwrap();
        assert!(matches!(index.map, Map::Hash(_)));
        assert_eq!(
            index.codes(Ids::Int(&[2_000, -3, 4])).unwrap(),
            vec![3, 1, NO_ROW]
        );
        let s = IdIndex::new("id", Ids::Str(&["a", "b"])).unwrap();
        assert_eq!(s.codes(Ids::Str(&["b", "z"])).unwrap(), vec![1, NO_ROW]);
        assert!(matches!(
            s.codes(Ids::Int(&[1])),
            Err(Error::Incompatible(_))
        ));
        let e = IdIndex::new("customers.id", Ids::Str(&["a", "b", "a"])).unwrap_err();
        assert_eq!(
            e.to_string(),
            "customers.id[2] = \"a\" repeats an earlier id (ids must be unique)"
        );
    }

    #[test]
    fn numbered_ids_map_by_subtraction() {
        let index = IdIndex::new("id", Ids::Int(&[7, 8, 9, 10])).unwrap();
        assert!(matches!(index.map, Map::Sequential { base: 7 }));
        assert_eq!(
            index
                .codes(Ids::Int(&[10, 7, 6, 11, i64::MIN, i64::MAX, 8]))
                .unwrap(),
            vec![3, 0, NO_ROW, NO_ROW, NO_ROW, NO_ROW, 1]
        );
        assert_eq!(index.render(3).as_deref(), Some("10"));
        // A run ending at i64::MAX is numbered; ids far below it do not wrap into it.
        let top = [i64::MAX - 2, i64::MAX - 1, i64::MAX];
        let index = IdIndex::new("id", Ids::Int(&top)).unwrap();
        assert!(matches!(index.map, Map::Sequential { .. }));
        assert_eq!(
            index
                .codes(Ids::Int(&[i64::MIN, i64::MIN + 1, -1, i64::MAX]))
                .unwrap(),
            vec![NO_ROW, NO_ROW, NO_ROW, 2]
        );
        let bottom = [i64::MIN, i64::MIN + 1];
        let index = IdIndex::new("id", Ids::Int(&bottom)).unwrap();
        assert!(matches!(index.map, Map::Sequential { .. }));
        assert_eq!(
            index.codes(Ids::Int(&[i64::MAX, i64::MIN + 1, 0])).unwrap(),
            vec![NO_ROW, 1, NO_ROW]
        );
        // Not consecutive (a gap, a repeat, a run wrapping past i64::MAX): another map, and a repeat
        // is still an error.
        assert!(matches!(
            IdIndex::new("id", Ids::Int(&[1, 2, 4])).unwrap().map,
            Map::Offset { .. }
        ));
        assert!(IdIndex::new("id", Ids::Int(&[1, 2, 2])).is_err());
        let wrap = [i64::MAX, i64::MIN];
        let index = IdIndex::new("id", Ids::Int(&wrap)).unwrap();
        assert!(matches!(index.map, Map::Hash(_)));
        assert_eq!(
            index.codes(Ids::Int(&[i64::MIN, i64::MAX])).unwrap(),
            vec![1, 0]
        );
    }

    proptest::proptest! {
        /// Every map gives the row of each id, or NO_ROW: against a linear search, on numbered,
        /// dense and sparse ids.
        #[test]
        fn every_map_finds_the_row_of_each_id(
            start in proptest::prop_oneof![-5i64..5, proptest::strategy::Just(i64::MAX - 40), proptest::strategy::Just(i64::MIN)],
            len in 0usize..40,
            gap in proptest::prop_oneof![proptest::strategy::Just(1i64), 1i64..3, proptest::strategy::Just(1_000_000_007)],
            probes in proptest::collection::vec(proptest::prop_oneof![-50i64..50, proptest::num::i64::ANY], 0..40),
        ) {
            let ids: Vec<i64> = (0..len as i64).map_while(|i| start.checked_add(i.checked_mul(gap)?)).collect();
            let index = IdIndex::new("id", Ids::Int(&ids)).unwrap();
            let mut all = probes.clone();
            all.extend(&ids);
            let want: Vec<u32> = all
                .iter()
                .map(|x| ids.iter().position(|y| y == x).map_or(NO_ROW, |p| p as u32))
                .collect();
            proptest::prop_assert_eq!(index.codes(Ids::Int(&all)).unwrap(), want);
        }
    }

    #[test]
    fn dense_ids_use_a_table_and_reject_far_keys() {
        let index = IdIndex::new("id", Ids::Int(&[3, 1, 2])).unwrap();
        assert!(matches!(index.map, Map::Offset { .. }));
        assert_eq!(
            index.codes(Ids::Int(&[1, i64::MIN, i64::MAX, 0])).unwrap(),
            vec![1, NO_ROW, NO_ROW, NO_ROW]
        );
        assert_eq!(index.render(0).as_deref(), Some("3"));
        assert_eq!(index.render(3), None);
        assert_eq!(index.get_int(2), Some(2));
        assert_eq!(index.get_int(7), None);
        assert_eq!(index.get_str("2"), None);
    }
}
