//! [`ChannelLabels`] and [`LabelOrder`]: the label dictionary of channel codes, its order, and its
//! union (how codes assigned separately are aligned).
//!
//! The order of labels is that of [`crate::group`] (docs/conventions.md §4): numbers and booleans by
//! value (`false < true`), strings by code point, unless the labels come in an order of their own (the
//! categories of a pandas categorical, a polars `Enum`, an ordered Arrow dictionary), which is kept.

use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::Hash;

use crate::error::{Error, Result};
use crate::group::{factorize_bools, factorize_floats, factorize_ints, factorize_strs};

/// Channel labels in code order: code `c` is label `c`. Each kind keeps the labels' own type, so
/// that a finished table gives them back as they came (integral floats stay floats, booleans stay
/// booleans).
///
/// ```
/// use voc_core::text::ChannelLabels;
/// let l = ChannelLabels::Str(vec!["chat".into(), "email".into()]);
/// assert_eq!((l.len(), l.is_empty(), l.kind()), (2, false, "strings"));
/// assert_eq!(ChannelLabels::Float(vec![1.0, 2.5]).kind(), "floats");
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum ChannelLabels {
    /// Integer labels.
    Int(Vec<i64>),
    /// String labels.
    Str(Vec<String>),
    /// Float labels (never NaN: NaN is a missing label; `-0.0` is the label `0.0`).
    Float(Vec<f64>),
    /// Boolean labels.
    Bool(Vec<bool>),
}

/// How the channels of a [`MentionTable`](super::MentionTable) are ordered.
///
/// ```
/// use voc_core::text::LabelOrder;
/// assert_eq!(LabelOrder::default(), LabelOrder::Value);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum LabelOrder {
    /// By value, as [`crate::group`] orders labels: numbers and booleans by value, strings by code
    /// point. Labels met in any order by batches or workers are aligned and then sorted.
    #[default]
    Value,
    /// The order the labels were given in (the categories of a categorical column), kept as it is.
    /// Every batch and state merged must give the same labels in the same order.
    Given,
}

impl LabelOrder {
    /// The order's name in messages.
    ///
    /// ```
    /// assert_eq!(voc_core::text::LabelOrder::Given.name(), "given (category) order");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            LabelOrder::Value => "value order",
            LabelOrder::Given => "given (category) order",
        }
    }
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

/// The bits of float labels (`-0.0` folded into `0.0`), for hashing.
fn bits(v: &[f64]) -> Vec<u64> {
    v.iter().map(|x| (x + 0.0).to_bits()).collect()
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
            ChannelLabels::Float(v) => v.len(),
            ChannelLabels::Bool(v) => v.len(),
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

    /// The kind of labels, as messages name it: `"integers"`, `"strings"`, `"floats"` or
    /// `"booleans"`.
    ///
    /// ```
    /// assert_eq!(voc_core::text::ChannelLabels::Bool(vec![true]).kind(), "booleans");
    /// ```
    pub fn kind(&self) -> &'static str {
        match self {
            ChannelLabels::Int(_) => "integers",
            ChannelLabels::Str(_) => "strings",
            ChannelLabels::Float(_) => "floats",
            ChannelLabels::Bool(_) => "booleans",
        }
    }

    /// No labels, of the same kind.
    pub(super) fn empty_like(&self) -> ChannelLabels {
        match self {
            ChannelLabels::Int(_) => ChannelLabels::Int(Vec::new()),
            ChannelLabels::Str(_) => ChannelLabels::Str(Vec::new()),
            ChannelLabels::Float(_) => ChannelLabels::Float(Vec::new()),
            ChannelLabels::Bool(_) => ChannelLabels::Bool(Vec::new()),
        }
    }

    /// Whether some label appears twice (`0.0` and `-0.0` are one label).
    pub(super) fn has_repeats(&self) -> bool {
        fn repeats<T: Eq + Hash>(v: &[T]) -> bool {
            let mut seen = std::collections::HashSet::with_capacity(v.len());
            !v.iter().all(|x| seen.insert(x))
        }
        match self {
            ChannelLabels::Int(v) => repeats(v),
            ChannelLabels::Str(v) => repeats(v),
            ChannelLabels::Float(v) => repeats(&bits(v)),
            ChannelLabels::Bool(v) => repeats(v),
        }
    }

    /// The position of the first NaN float label, if any.
    pub(super) fn nan_position(&self) -> Option<usize> {
        match self {
            ChannelLabels::Float(v) => v.iter().position(|x| x.is_nan()),
            _ => None,
        }
    }

    /// The labels with `-0.0` written `0.0` (borrowed when there is none).
    pub(super) fn canonical(&self) -> Cow<'_, ChannelLabels> {
        match self {
            ChannelLabels::Float(v) if v.iter().any(|x| *x == 0.0 && x.is_sign_negative()) => {
                Cow::Owned(ChannelLabels::Float(v.iter().map(|x| x + 0.0).collect()))
            }
            other => Cow::Borrowed(other),
        }
    }

    /// Whether `other` holds the same labels in the same order (floats compared by value).
    fn same_as(&self, other: &ChannelLabels) -> bool {
        match (self, other) {
            (ChannelLabels::Float(a), ChannelLabels::Float(b)) => bits(a) == bits(b),
            (a, b) => a == b,
        }
    }

    /// The union of our labels in order `ours` with `other`'s in order `theirs`: the labels, their
    /// order, and the map of `other`'s codes into them.
    ///
    /// Labels without any label yet (a new or empty state) take the other side's kind and order.
    /// Otherwise the kinds must agree (integers, floats, booleans and strings do not mix) and so must
    /// the orders; labels in value order are united (ours first, then the new ones), labels in a given
    /// order must be the same labels in the same order.
    pub(super) fn union(
        &self,
        ours: LabelOrder,
        other: &ChannelLabels,
        theirs: LabelOrder,
    ) -> Result<(ChannelLabels, LabelOrder, Vec<u32>)> {
        if other.is_empty() {
            return Ok((self.clone(), ours, Vec::new()));
        }
        if self.is_empty() {
            if theirs == LabelOrder::Given {
                let identity = (0..other.len() as u32).collect();
                return Ok((other.clone(), theirs, identity));
            }
            // Through the union, so that repeated labels of a batch become one.
            let (labels, map) = other.empty_like().unite(other)?;
            return Ok((labels, theirs, map));
        }
        if std::mem::discriminant(self) != std::mem::discriminant(other) {
            return Err(Error::Incompatible(format!(
                "channel labels of two kinds ({} and {}) cannot be aligned",
                self.kind(),
                other.kind()
            )));
        }
        if ours != theirs {
            return Err(Error::Incompatible(format!(
                "channel labels in {} and in {} cannot be merged: count every part from columns of \
                 the same dtype",
                ours.name(),
                theirs.name()
            )));
        }
        if ours == LabelOrder::Given {
            if !self.same_as(other) {
                return Err(Error::Incompatible(format!(
                    "channel labels in two different given orders ({} and {} categories{}): count \
                     every part with the same categories",
                    self.len(),
                    other.len(),
                    if self.len() == other.len() {
                        ", the same number but not the same labels or order"
                    } else {
                        ""
                    }
                )));
            }
            let identity = (0..other.len() as u32).collect();
            return Ok((self.clone(), ours, identity));
        }
        let (labels, map) = self.unite(other)?;
        Ok((labels, ours, map))
    }

    /// Our labels followed by those of `other` (of the same kind) that are new, and the map of
    /// `other`'s codes into them.
    fn unite(&self, other: &ChannelLabels) -> Result<(ChannelLabels, Vec<u32>)> {
        use ChannelLabels::{Bool, Float, Int, Str};
        Ok(match (self, other) {
            (Int(a), Int(b)) => {
                let (names, map) = union_of(a, b);
                (Int(names), map)
            }
            (Str(a), Str(b)) => {
                let (names, map) = union_of(a, b);
                (Str(names), map)
            }
            (Bool(a), Bool(b)) => {
                let (names, map) = union_of(a, b);
                (Bool(names), map)
            }
            (Float(a), Float(b)) => {
                let (names, map) = union_of(&bits(a), &bits(b));
                (Float(names.into_iter().map(f64::from_bits).collect()), map)
            }
            (a, b) => {
                return Err(Error::Incompatible(format!(
                    "channel labels of two kinds ({} and {}) cannot be aligned",
                    a.kind(),
                    b.kind()
                )));
            }
        })
    }

    /// The labels in `order` (sorted by value through [`crate::group`], or as they are), and the new
    /// code of each old code.
    pub(super) fn ordered(&self, order: LabelOrder) -> Result<(ChannelLabels, Vec<u32>)> {
        if order == LabelOrder::Given {
            return Ok((self.clone(), (0..self.len() as u32).collect()));
        }
        // The labels are distinct, so factorising them gives each its rank (its code) and the
        // labels in ascending order.
        Ok(match self {
            ChannelLabels::Int(v) => {
                let f = factorize_ints(v)?;
                (ChannelLabels::Int(f.labels), f.codes)
            }
            ChannelLabels::Float(v) => {
                let (f, _) = factorize_floats(v)?;
                (ChannelLabels::Float(f.labels), f.codes)
            }
            ChannelLabels::Bool(v) => {
                let f = factorize_bools(v)?;
                (ChannelLabels::Bool(f.labels), f.codes)
            }
            ChannelLabels::Str(v) => {
                let f = factorize_strs(v.iter().map(String::as_str))?;
                (ChannelLabels::Str(f.labels), f.codes)
            }
        })
    }
}
