//! Python columns → slices for `voc-core`: numpy (zero-copy), Arrow PyCapsule producers (pandas,
//! polars, pyarrow; zero-copy for single-chunk primitive columns) and plain sequences (via numpy).
//!
//! Nothing here computes statistics: it finds the values, their type, and where the nulls are.

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Date32Type, Date64Type, Float32Type, Float64Type, Int8Type, Int16Type, Int32Type, Int64Type,
    UInt8Type, UInt16Type, UInt32Type, UInt64Type,
};
use arrow_array::{Array, ArrayRef, ArrowPrimitiveType};
use arrow_buffer::{ArrowNativeType, ScalarBuffer};
use arrow_schema::{DataType, TimeUnit as ArrowUnit};
use numpy::{
    Element, PyArrayDescrMethods, PyReadonlyArray1, PyUntypedArray, PyUntypedArrayMethods,
};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyFloat, PyString};
use pyo3_arrow::input::AnyArray;
use voc_core::group::{Factorized, key_range, keyed_codes};
use voc_core::time::TimeUnit;
use voc_core::{Error, MissingPolicy};

use crate::error::{BindError, to_py};

mod groups;
mod keys;
mod numbers;
mod objects;
mod roles;
mod source;
pub mod texts;
mod times;

pub use groups::{Codes, Groups, Labels, groups, groups_in_order};
pub use keys::{IntKeys, dictionary_column, int_keys};
pub use numbers::{Buf, Numbers, numbers, numbers_or_bools};
use numbers::{numbers_from_arrow, numbers_from_numpy};
pub use objects::{object_array, object_labels};
pub use roles::{
    column_error, given, lookup, names_of, optional, prefixed, required, role, role_list,
    single_column, table_names, text_of,
};
use source::{
    arrow_chunks, as_numpy, bind_err, check_1d, dtype_error, is_pandas_numpy_backed,
    null_positions, numpy, numpy_buf, prim, string_at,
};
pub use times::{Times, times};

/// A column plus the positions of its nulls (Arrow validity, `None` in lists).
pub struct Column<T> {
    /// The values (a placeholder at null positions).
    pub data: T,
    /// Sorted positions of nulls.
    pub nulls: Vec<usize>,
}

/// Parses `missing=`.
pub fn missing_policy(value: &str) -> Result<MissingPolicy, Error> {
    match value {
        "error" => Ok(MissingPolicy::Error),
        "skip" => Ok(MissingPolicy::Skip),
        other => Err(Error::InvalidOption {
            name: "missing",
            value: other.into(),
            reason: "expected \"error\" or \"skip\"".into(),
        }),
    }
}

/// Under `MissingPolicy::Error`, the first null (lowest position) of any column is an error.
pub fn check_nulls(
    policy: MissingPolicy,
    columns: &[(&'static str, &[usize])],
) -> Result<(), Error> {
    if policy == MissingPolicy::Skip {
        return Ok(());
    }
    match columns
        .iter()
        .filter_map(|(a, n)| n.first().map(|&i| (*a, i)))
        .min_by_key(|&(_, i)| i)
    {
        Some((arg, index)) => Err(Error::Missing { arg, index }),
        None => Ok(()),
    }
}

/// Rows where `keep` is true, of a plain slice.
pub fn compact_slice<T: Copy>(values: &[T], keep: &[bool]) -> Vec<T> {
    values
        .iter()
        .zip(keep)
        .filter(|(_, k)| **k)
        .map(|(v, _)| *v)
        .collect()
}
