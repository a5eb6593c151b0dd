//! [`ChannelLabels`]: the label dictionary of channel codes, and its union (how codes assigned
//! separately are aligned).

use std::collections::HashMap;
use std::hash::Hash;

use crate::error::{Error, Result};

/// Channel labels in code order: code `c` is label `c`.
///
/// ```
/// use voc_core::text::ChannelLabels;
/// let l = ChannelLabels::Str(vec!["chat".into(), "email".into()]);
/// assert_eq!((l.len(), l.is_empty()), (2, false));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum ChannelLabels {
    /// Integer labels.
    Int(Vec<i64>),
    /// String labels.
    Str(Vec<String>),
}

/// The labels of `a` followed by those of `b` not in `a`, and the code map of `b` into them.
fn union_of<T: Clone + Eq + Hash>(a: &[T], b: &[T]) -> (Vec<T>, Vec<u32>) {
    let mut names = a.to_vec();
    let mut pos: HashMap<&T, u32> = a.iter().enumerate().map(|(i, x)| (x, i as u32)).collect();
    let mut map = Vec::with_capacity(b.len());
    for x in b {
        let code = *pos.entry(x).or_insert_with(|| {
            names.push(x.clone());
            names.len() as u32 - 1
        });
        map.push(code);
    }
    (names, map)
}

/// The positions of `v` in ascending order, and the rank of each position.
fn ranks<T: Ord>(v: &[T]) -> (Vec<usize>, Vec<u32>) {
    let mut order: Vec<usize> = (0..v.len()).collect();
    order.sort_by(|&a, &b| v.get(a).cmp(&v.get(b)));
    let mut rank = vec![0u32; v.len()];
    for (r, &old) in order.iter().enumerate() {
        if let Some(x) = rank.get_mut(old) {
            *x = r as u32;
        }
    }
    (order, rank)
}

impl ChannelLabels {
    /// Number of labels.
    ///
    /// ```
    /// assert_eq!(voc_core::text::ChannelLabels::Int(vec![3, 1]).len(), 2);
    /// ```
    pub fn len(&self) -> usize {
        match self {
            ChannelLabels::Int(v) => v.len(),
            ChannelLabels::Str(v) => v.len(),
        }
    }

    /// Whether there are no labels.
    ///
    /// ```
    /// assert!(voc_core::text::ChannelLabels::Str(vec![]).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// No labels, of the same kind.
    pub(super) fn empty_like(&self) -> ChannelLabels {
        match self {
            ChannelLabels::Int(_) => ChannelLabels::Int(Vec::new()),
            ChannelLabels::Str(_) => ChannelLabels::Str(Vec::new()),
        }
    }

    /// Whether some label appears twice.
    pub(super) fn has_repeats(&self) -> bool {
        fn repeats<T: Eq + Hash>(v: &[T]) -> bool {
            let mut seen = std::collections::HashSet::with_capacity(v.len());
            !v.iter().all(|x| seen.insert(x))
        }
        match self {
            ChannelLabels::Int(v) => repeats(v),
            ChannelLabels::Str(v) => repeats(v),
        }
    }

    /// Our labels followed by those of `other` that are new, and the map of `other`'s codes into
    /// them. No labels read as either kind; integer and string labels do not mix.
    pub(super) fn union(&self, other: &ChannelLabels) -> Result<(ChannelLabels, Vec<u32>)> {
        use ChannelLabels::{Int, Str};
        match (self, other) {
            (Int(a), Int(b)) => {
                let (names, map) = union_of(a, b);
                Ok((Int(names), map))
            }
            (Str(a), Str(b)) => {
                let (names, map) = union_of(a, b);
                Ok((Str(names), map))
            }
            (a, b) if b.is_empty() => Ok((a.clone(), Vec::new())),
            (a, b) if a.is_empty() => b.empty_like().union(b),
            _ => Err(Error::Incompatible(
                "channel labels of two kinds (integers and strings) cannot be aligned".into(),
            )),
        }
    }

    /// The labels in ascending order, and the new code of each old code.
    pub(super) fn sorted(&self) -> (ChannelLabels, Vec<u32>) {
        match self {
            ChannelLabels::Int(v) => {
                let (order, rank) = ranks(v);
                let sorted = order.iter().filter_map(|&i| v.get(i).copied()).collect();
                (ChannelLabels::Int(sorted), rank)
            }
            ChannelLabels::Str(v) => {
                let (order, rank) = ranks(v);
                let sorted = order.iter().filter_map(|&i| v.get(i).cloned()).collect();
                (ChannelLabels::Str(sorted), rank)
            }
        }
    }
}
