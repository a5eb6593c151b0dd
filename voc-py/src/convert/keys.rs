//! Label columns read as keys for a grouped count without a code array: integer columns by their
//! range (offsets from the smallest key, or hashed when too spread), unordered Arrow string
//! dictionaries by their dictionary keys.

use super::groups::{MAX_OFFSET_SPAN, category_order, is_string};
use super::*;
use crate::with_int_keys;
use voc_core::group::key_range;

/// An integer label column read as it is, for a grouped count without a code array.
pub enum IntKeys<'py> {
    /// Keys within a span a direct table holds: group `key − base`, labels `base..=max`.
    Spanned {
        keys: Numbers<'py>,
        base: i64,
        labels: Labels,
    },
    /// Keys too spread for a direct table: what a hashed grouped count reads.
    Sparse(Numbers<'py>),
}

/// An integer label column (a numpy array or a numpy-backed pandas column, so without nulls, not
/// empty), its range read once: the same groups and labels [`groups`] gives it. `None` for anything
/// else (which [`groups`] reads).
pub fn int_keys<'py>(obj: &Bound<'py, PyAny>, arg: &'static str) -> PyResult<Option<IntKeys<'py>>> {
    let py = obj.py();
    let arr = if obj.cast::<PyUntypedArray>().is_ok() {
        obj.clone()
    } else {
        let pandas = obj
            .get_type()
            .module()
            .is_ok_and(|m| m.to_string().starts_with("pandas"));
        let np_int = obj.getattr(pyo3::intern!(py, "dtype")).is_ok_and(|d| {
            d.cast::<numpy::PyArrayDescr>()
                .is_ok_and(|d| matches!(d.kind(), b'i' | b'u'))
        });
        if !(pandas && np_int) {
            return Ok(None);
        }
        obj.call_method0(pyo3::intern!(py, "to_numpy"))?
    };
    let Ok(untyped) = arr.cast::<PyUntypedArray>() else {
        return Ok(None);
    };
    if untyped.ndim() != 1 || !matches!(untyped.dtype().kind(), b'i' | b'u') {
        return Ok(None);
    }
    let keys = numbers_from_numpy(&arr, untyped, arg)?;
    let Some((min, max)) = with_int_keys!(&keys, k => key_range(k), None) else {
        return Ok(None);
    };
    Ok(Some(IntKeys::of(keys, min, max)))
}

impl<'py> IntKeys<'py> {
    /// Keys whose smallest and largest are `min` and `max`, by their spread.
    pub(super) fn of(keys: Numbers<'py>, min: i64, max: i64) -> Self {
        if max as i128 - min as i128 + 1 > MAX_OFFSET_SPAN as i128 {
            IntKeys::Sparse(keys)
        } else {
            IntKeys::Spanned {
                keys,
                base: min,
                labels: Labels::Int((min..=max).collect()),
            }
        }
    }
}

/// An unordered Arrow string dictionary (one chunk, no nulls, at most 2²⁰ values): its keys as they are
/// (no copy), the code of each dictionary value among the sorted distinct values, and those labels. A
/// grouped count by the keys, regrouped by the codes, equals one by the labels' codes (groups without
/// rows are left out either way). `None` for anything else (which [`groups`] reads).
pub fn dictionary_column(
    obj: &Bound<'_, PyAny>,
    _arg: &'static str,
) -> PyResult<Option<(Numbers<'static>, Vec<u32>, Labels)>> {
    use arrow_array::types::{Int8Type, Int16Type, Int32Type, Int64Type};
    use arrow_array::types::{UInt8Type, UInt16Type, UInt32Type, UInt64Type};
    if category_order(obj) {
        return Ok(None);
    }
    let Some((chunks, DataType::Dictionary(_, value_type), false)) = arrow_chunks(obj) else {
        return Ok(None);
    };
    let [chunk] = chunks.as_slice() else {
        return Ok(None);
    };
    let dict = chunk.as_any_dictionary();
    let values = dict.values();
    if !is_string(&value_type)
        || chunk.logical_nulls().is_some()
        || values.null_count() > 0
        || values.len() > MAX_OFFSET_SPAN
    {
        return Ok(None);
    }
    let texts: Vec<&str> = (0..values.len())
        .map(|k| string_at(values, k).unwrap_or(""))
        .collect();
    let mut sorted = texts.clone();
    sorted.sort_unstable();
    sorted.dedup();
    let map: Vec<u32> = texts
        .iter()
        .map(|t| sorted.binary_search(t).map_or(0, |c| c as u32))
        .collect();
    let labels = Labels::Str(sorted.into_iter().map(str::to_owned).collect());
    let keys = dict.keys();
    macro_rules! keys {
        ($t:ty, $v:ident) => {
            Numbers::$v(Buf::Arrow(keys.as_primitive::<$t>().values().clone()))
        };
    }
    let keys = match keys.data_type() {
        DataType::Int8 => keys!(Int8Type, I8),
        DataType::Int16 => keys!(Int16Type, I16),
        DataType::Int32 => keys!(Int32Type, I32),
        DataType::Int64 => keys!(Int64Type, I64),
        DataType::UInt8 => keys!(UInt8Type, U8),
        DataType::UInt16 => keys!(UInt16Type, U16),
        DataType::UInt32 => keys!(UInt32Type, U32),
        DataType::UInt64 => keys!(UInt64Type, U64),
        _ => return Ok(None),
    };
    Ok(Some((keys, map, labels)))
}
