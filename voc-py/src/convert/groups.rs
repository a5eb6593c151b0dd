//! Group label columns (`by=`): the one label coder. Integers, floats, booleans, strings and
//! categoricals → dense codes in label order, through `voc_core::group` (docs/conventions.md §4):
//! numbers and booleans by value, strings by code point, pandas categoricals, polars enums and ordered
//! Arrow dictionaries in category order; the labels keep the input's dtype.

use super::keys::IntKeys;
use super::objects::object_groups;
use super::*;
use crate::table::Value;
use voc_core::group::GroupKey;

/// Group labels in code order, in the input's dtype.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Labels {
    /// Integer labels.
    Int(Vec<i64>),
    /// Float labels (integral floats stay floats; never NaN: NaN is a missing label).
    Float(Vec<f64>),
    /// Boolean labels (`false` before `true`).
    Bool(Vec<bool>),
    /// String labels.
    Str(Vec<String>),
}

impl Labels {
    /// Number of labels.
    pub fn len(&self) -> usize {
        match self {
            Labels::Int(v) => v.len(),
            Labels::Float(v) => v.len(),
            Labels::Bool(v) => v.len(),
            Labels::Str(v) => v.len(),
        }
    }

    /// The labels at the codes where `keep` is true, in order.
    pub fn filter(&self, keep: &[bool]) -> Labels {
        fn pick<T: Clone>(v: &[T], keep: &[bool]) -> Vec<T> {
            v.iter()
                .zip(keep)
                .filter(|(_, k)| **k)
                .map(|(x, _)| x.clone())
                .collect()
        }
        match self {
            Labels::Int(v) => Labels::Int(pick(v, keep)),
            Labels::Float(v) => Labels::Float(pick(v, keep)),
            Labels::Bool(v) => Labels::Bool(pick(v, keep)),
            Labels::Str(v) => Labels::Str(pick(v, keep)),
        }
    }

    /// The label of `code` as a table cell, in the labels' dtype (missing when out of range).
    pub fn value(&self, code: u32) -> Value {
        let i = code as usize;
        match self {
            Labels::Int(v) => Value::I64(v.get(i).copied().unwrap_or_default()),
            Labels::Float(v) => Value::F64(v.get(i).copied().unwrap_or(f64::NAN)),
            Labels::Bool(v) => Value::Bool(v.get(i).copied().unwrap_or_default()),
            Labels::Str(v) => Value::Str(v.get(i).cloned()),
        }
    }

    /// The label of `code` as plain text (`"2"`, `"1.5"`, `"True"`, `"web"`), for states that keep
    /// labels as names.
    pub fn text(&self, code: usize) -> String {
        match self {
            Labels::Int(v) => v.get(code).map(i64::to_string),
            Labels::Float(v) => v.get(code).map(|x| format!("{x:?}")),
            Labels::Bool(v) => v
                .get(code)
                .map(|&b| if b { "True" } else { "False" }.to_owned()),
            Labels::Str(v) => v.get(code).cloned(),
        }
        .unwrap_or_default()
    }

    /// All labels as plain text ([`text`](Self::text)).
    pub fn texts(&self) -> Vec<String> {
        (0..self.len()).map(|c| self.text(c)).collect()
    }

    /// The label of `code` as it is written in a message: numbers and booleans as Python shows them,
    /// strings quoted.
    pub fn show(&self, code: usize) -> String {
        match self {
            Labels::Str(v) => v.get(code).map(|s| format!("{s:?}")).unwrap_or_default(),
            _ => self.text(code),
        }
    }

    /// Renumbers `codes` over the labels that rows other than `nulls` use (in label order) and keeps
    /// only those labels; null rows keep code 0 (meaningless, as before).
    pub fn only_used(&self, codes: &mut [u32], nulls: &[usize]) -> Labels {
        let mut used = vec![false; self.len()];
        let mut null = nulls.iter().peekable();
        for (i, &c) in codes.iter().enumerate() {
            if null.peek() == Some(&&i) {
                null.next();
                continue;
            }
            if let Some(u) = used.get_mut(c as usize) {
                *u = true;
            }
        }
        if used.iter().all(|&u| u) {
            // Every label is used: the codes stay as they are.
            return self.filter(&used);
        }
        let mut remap = vec![0u32; used.len()];
        let mut next = 0u32;
        for (slot, &u) in remap.iter_mut().zip(&used) {
            if u {
                *slot = next;
                next += 1;
            }
        }
        for c in codes.iter_mut() {
            *c = remap.get(*c as usize).copied().unwrap_or(0);
        }
        self.filter(&used)
    }

    /// Writes the label column `name` of a table: one label per code in `codes`, in the labels' dtype
    /// (ints, floats, bools or strings).
    pub fn column(
        &self,
        b: &mut crate::table::TableBuilder<'_>,
        name: &str,
        codes: &[usize],
    ) -> PyResult<()> {
        match self {
            Labels::Int(v) => {
                b.numbers(
                    name,
                    codes
                        .iter()
                        .map(|&c| v.get(c).copied().unwrap_or_default())
                        .collect(),
                );
            }
            Labels::Float(v) => {
                b.numbers(
                    name,
                    codes
                        .iter()
                        .map(|&c| v.get(c).copied().unwrap_or(f64::NAN))
                        .collect(),
                );
            }
            Labels::Bool(v) => {
                b.numbers(
                    name,
                    codes
                        .iter()
                        .map(|&c| v.get(c).copied().unwrap_or_default())
                        .collect(),
                );
            }
            Labels::Str(v) => {
                let s: Vec<Option<&str>> = codes
                    .iter()
                    .map(|&c| v.get(c).map(String::as_str))
                    .collect();
                b.strings(name, &s)?;
            }
        }
        Ok(())
    }
}

/// Group codes per row: dense `u32` codes, or an integer key column read as it is with code = key − base.
pub enum Codes<'py> {
    /// One code per row.
    Dense(Vec<u32>),
    /// The caller's integer column (code = key − base): no code array is built.
    Keyed(Numbers<'py>, i64),
}

/// Runs `$body` with `$k` bound to an integer key column's slice; `$float` for float columns.
#[macro_export]
macro_rules! with_int_keys {
    ($n:expr, $k:ident => $body:expr, $float:expr) => {
        match $n {
            $crate::convert::Numbers::I8(b) => {
                let $k = b.as_slice();
                $body
            }
            $crate::convert::Numbers::U8(b) => {
                let $k = b.as_slice();
                $body
            }
            $crate::convert::Numbers::I16(b) => {
                let $k = b.as_slice();
                $body
            }
            $crate::convert::Numbers::U16(b) => {
                let $k = b.as_slice();
                $body
            }
            $crate::convert::Numbers::I32(b) => {
                let $k = b.as_slice();
                $body
            }
            $crate::convert::Numbers::U32(b) => {
                let $k = b.as_slice();
                $body
            }
            $crate::convert::Numbers::I64(b) => {
                let $k = b.as_slice();
                $body
            }
            $crate::convert::Numbers::U64(b) => {
                let $k = b.as_slice();
                $body
            }
            $crate::convert::Numbers::F32(_) | $crate::convert::Numbers::F64(_) => $float,
        }
    };
}

impl Codes<'_> {
    /// Dense codes (built from the key column when keyed).
    pub fn into_dense(self) -> Vec<u32> {
        match self {
            Codes::Dense(c) => c,
            // invariant: keyed columns hold only keys in base..base + MAX_OFFSET_SPAN (checked when made).
            Codes::Keyed(keys, base) => {
                with_int_keys!(&keys, k => keyed_codes(k, base), None).unwrap_or_default()
            }
        }
    }
}

/// Group codes and their labels.
pub struct Groups<'py> {
    /// Code per row.
    pub codes: Codes<'py>,
    /// Label per code.
    pub labels: Labels,
}

/// Largest label range coded by offset (labels are then every value in the range).
pub(super) const MAX_OFFSET_SPAN: usize = 1 << 20;

/// Codes for a numeric label column: a compact integer range is used as it is (code = key − min,
/// labels every value of the range); a sparse one is factorised (labels sorted); floats are coded by
/// value, NaN (and the column's nulls) being missing.
fn number_groups<'py>(
    data: Numbers<'py>,
    nulls: Vec<usize>,
    arg: &'static str,
) -> Result<Column<Groups<'py>>, BindError> {
    if matches!(data, Numbers::F32(_) | Numbers::F64(_)) {
        let col = Column { data, nulls };
        let values = col.nulls_as_nan().into_f64();
        let (f, nulls) = voc_core::group::factorize_floats(values.as_slice())?;
        return Ok(Column {
            data: Groups {
                codes: Codes::Dense(f.codes),
                labels: Labels::Float(f.labels),
            },
            nulls,
        });
    }
    let range = with_int_keys!(&data, k => key_range(k), None);
    let Some((min, max)) = range else {
        // Empty, or a uint64 above 2**63.
        return if data.len() == 0 {
            Ok(Column {
                data: Groups {
                    codes: Codes::Dense(Vec::new()),
                    labels: Labels::Int(Vec::new()),
                },
                nulls,
            })
        } else {
            Err(dtype_error(arg, "uint64", "group labels below 2**63"))
        };
    };
    let data = match IntKeys::of(data, min, max) {
        IntKeys::Spanned { keys, base, labels } => {
            return Ok(Column {
                data: Groups {
                    codes: Codes::Keyed(keys, base),
                    labels,
                },
                nulls,
            });
        }
        IntKeys::Sparse(data) => data,
    };
    let f = with_int_keys!(&data, k => voc_core::group::factorize_keys(k), Ok(Factorized { codes: Vec::new(), labels: Vec::new() }))?;
    Ok(Column {
        data: Groups {
            codes: Codes::Dense(f.codes),
            labels: Labels::Int(f.labels),
        },
        nulls,
    })
}

/// Boolean labels (nulls hold a placeholder that never adds a label).
fn bool_groups(
    mut values: Vec<bool>,
    nulls: Vec<usize>,
) -> Result<Column<Groups<'static>>, BindError> {
    if !nulls.is_empty() {
        let mut null = vec![false; values.len()];
        for &i in &nulls {
            if let Some(n) = null.get_mut(i) {
                *n = true;
            }
        }
        let fill = values
            .iter()
            .zip(&null)
            .find(|(_, n)| !**n)
            .is_some_and(|(v, _)| *v);
        for (v, n) in values.iter_mut().zip(&null) {
            if *n {
                *v = fill;
            }
        }
    }
    let f = voc_core::group::factorize_bools(&values)?;
    Ok(Column {
        data: Groups {
            codes: Codes::Dense(f.codes),
            labels: Labels::Bool(f.labels),
        },
        nulls,
    })
}

pub(super) fn is_string(dt: &DataType) -> bool {
    matches!(
        dt,
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View
    )
}

/// Labels of an Arrow array (a dictionary's values) in the array's order, and the positions of its nulls.
fn labels_of_array(
    values: &ArrayRef,
    arg: &'static str,
) -> Result<(Labels, Vec<usize>), BindError> {
    let chunks = [values.clone()];
    let dt = values.data_type().clone();
    if is_string(&dt) {
        let v = (0..values.len())
            .map(|i| string_at(values, i).unwrap_or("").to_owned())
            .collect();
        return Ok((Labels::Str(v), null_positions(&chunks)));
    }
    if dt == DataType::Boolean {
        let v = values.as_boolean().values().iter().collect();
        return Ok((Labels::Bool(v), null_positions(&chunks)));
    }
    let col = numbers_from_arrow(&chunks, &dt, arg)?;
    let nulls = col.nulls.clone();
    Ok(match col.data {
        Numbers::F32(_) | Numbers::F64(_) => (Labels::Float(col.data.into_f64().to_vec()), nulls),
        other => match other.into_i64() {
            Some(v) => (Labels::Int(v.to_vec()), nulls),
            None => return Err(dtype_error(arg, "uint64", "group labels below 2**63")),
        },
    })
}

fn groups_from_arrow(
    chunks: &[ArrayRef],
    dt: &DataType,
    keep_order: bool,
    arg: &'static str,
) -> Result<Column<Groups<'static>>, BindError> {
    let nulls = null_positions(chunks);
    match dt {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => Ok(Column {
            data: from_strs(arrow_strings(chunks)?),
            nulls,
        }),
        DataType::Dictionary(_, value_type) => {
            // Categories in their order (pandas categoricals, polars enums, ordered Arrow dictionaries)
            // when every chunk shares one dictionary; other dictionaries (whose order is often just
            // first appearance) are sorted by value, like the values themselves.
            let first = chunks
                .first()
                .map(|c| c.as_any_dictionary().values().to_data());
            let shared = chunks
                .iter()
                .all(|c| Some(c.as_any_dictionary().values().to_data()) == first);
            if keep_order && shared {
                let mut codes: Vec<u32> = Vec::with_capacity(chunks.iter().map(|c| c.len()).sum());
                for c in chunks {
                    let n_values = c.as_any_dictionary().values().len();
                    dictionary_keys(c, |k| {
                        codes.push(if k < n_values { k as u32 } else { 0 });
                    });
                }
                let labels = match chunks.first() {
                    Some(c) => labels_of_array(c.as_any_dictionary().values(), arg)?.0,
                    None => Labels::Str(Vec::new()),
                };
                voc_core::group::check_count(labels.len())?;
                return Ok(Column {
                    data: Groups {
                        codes: Codes::Dense(codes),
                        labels,
                    },
                    nulls,
                });
            }
            if is_string(value_type) {
                return Ok(Column {
                    data: string_dictionary(chunks)?,
                    nulls,
                });
            }
            // Other value types (numbers, booleans): decode each row and code the values.
            let mut nulls = nulls;
            let mut ints: Vec<i64> = Vec::new();
            let mut floats: Vec<f64> = Vec::new();
            let mut bools: Vec<bool> = Vec::new();
            let mut offset = 0;
            for c in chunks {
                let dict = c.as_any_dictionary();
                let (labels, value_nulls) = labels_of_array(dict.values(), arg)?;
                for (i, key) in dict.normalized_keys().into_iter().enumerate() {
                    if value_nulls.binary_search(&key).is_ok() {
                        nulls.push(offset + i);
                    }
                    match &labels {
                        Labels::Int(v) => ints.push(v.get(key).copied().unwrap_or_default()),
                        Labels::Float(v) => floats.push(v.get(key).copied().unwrap_or(f64::NAN)),
                        Labels::Bool(v) => bools.push(v.get(key).copied().unwrap_or_default()),
                        Labels::Str(_) => {}
                    }
                }
                offset += c.len();
            }
            nulls.sort_unstable();
            nulls.dedup();
            if !bools.is_empty() {
                return bool_groups(bools, nulls);
            }
            if !floats.is_empty() {
                return number_groups(Numbers::F64(Buf::Owned(floats)), nulls, arg);
            }
            number_groups(Numbers::I64(Buf::Owned(ints)), nulls, arg)
        }
        DataType::Boolean => {
            let values: Vec<bool> = chunks
                .iter()
                .flat_map(|c| c.as_boolean().values().iter().collect::<Vec<_>>())
                .collect();
            bool_groups(values, nulls)
        }
        DataType::Float16 => Err(dtype_error(arg, "arrow float16", LABELS)),
        _ => {
            let col = numbers_from_arrow(chunks, dt, arg)
                .map_err(|_| dtype_error(arg, format!("arrow {dt}"), LABELS))?;
            number_groups(col.data, col.nulls, arg)
        }
    }
}

/// What a label column may hold.
pub(super) const LABELS: &str = "group labels (integers, floats, booleans, strings or categories)";

/// Factorises the dictionaries of string-valued dictionary chunks, not the rows: labels are the sorted
/// distinct values that rows use (null rows read as ""), exactly as factorising the decoded rows would
/// give.
fn string_dictionary(chunks: &[ArrayRef]) -> Result<Groups<'static>, BindError> {
    let mut used: Vec<Vec<bool>> = Vec::with_capacity(chunks.iter().len());
    let mut any_null = false;
    for c in chunks {
        let dict = c.as_any_dictionary();
        let values = dict.values();
        let mut u = vec![false; values.len()];
        match c.logical_nulls() {
            None => dictionary_keys(c, |k| {
                if let Some(slot) = u.get_mut(k) {
                    *slot = true;
                }
            }),
            Some(nulls) => {
                let mut i = 0;
                dictionary_keys(c, |k| {
                    if nulls.is_null(i) {
                        any_null = true;
                    } else if let Some(slot) = u.get_mut(k) {
                        *slot = true;
                    }
                    i += 1;
                });
            }
        }
        used.push(u);
    }
    let mut labels: Vec<&str> = chunks
        .iter()
        .zip(&used)
        .flat_map(|(c, u)| {
            let values = c.as_any_dictionary().values();
            u.iter()
                .enumerate()
                .filter(|(_, on)| **on)
                .filter_map(move |(k, _)| string_at(values, k))
        })
        .collect();
    if any_null {
        labels.push("");
    }
    labels.sort_unstable();
    labels.dedup();
    voc_core::group::check_count(labels.len())?;
    let code_of = |label: &str| labels.binary_search(&label).map_or(0, |i| i as u32);
    let blank = code_of("");
    let mut codes: Vec<u32> = Vec::with_capacity(chunks.iter().map(|c| c.len()).sum());
    for c in chunks {
        let dict = c.as_any_dictionary();
        let values = dict.values();
        let remap: Vec<u32> = (0..values.len())
            .map(|k| string_at(values, k).map_or(blank, code_of))
            .collect();
        let row_nulls = c.logical_nulls();
        let mut i = 0;
        dictionary_keys(c, |k| {
            let null = row_nulls.as_ref().is_some_and(|n| n.is_null(i));
            codes.push(if null {
                blank
            } else {
                remap.get(k).copied().unwrap_or(blank)
            });
            i += 1;
        });
    }
    Ok(Groups {
        codes: Codes::Dense(codes),
        labels: Labels::Str(labels.into_iter().map(str::to_owned).collect()),
    })
}

/// Calls `f` with each row's dictionary key (as `usize`; negative keys, only possible at null rows,
/// as `usize::MAX`), reading the keys in their own integer type.
fn dictionary_keys(chunk: &ArrayRef, mut f: impl FnMut(usize)) {
    use arrow_array::types::{Int8Type, Int16Type, Int32Type, Int64Type};
    use arrow_array::types::{UInt8Type, UInt16Type, UInt32Type, UInt64Type};
    let keys = chunk.as_any_dictionary().keys();
    macro_rules! each {
        ($t:ty) => {
            for &k in keys.as_primitive::<$t>().values().iter() {
                f(usize::try_from(k).unwrap_or(usize::MAX));
            }
        };
    }
    match keys.data_type() {
        DataType::Int8 => each!(Int8Type),
        DataType::Int16 => each!(Int16Type),
        DataType::Int32 => each!(Int32Type),
        DataType::Int64 => each!(Int64Type),
        DataType::UInt8 => each!(UInt8Type),
        DataType::UInt16 => each!(UInt16Type),
        DataType::UInt32 => each!(UInt32Type),
        DataType::UInt64 => each!(UInt64Type),
        _ => {
            for k in chunk.as_any_dictionary().normalized_keys() {
                f(k);
            }
        }
    }
}

/// String labels of Arrow string chunks (nulls read as ""), hashed on several threads.
fn arrow_strings(chunks: &[ArrayRef]) -> Result<Factorized<String>, BindError> {
    enum Strs<'a> {
        Small(&'a arrow_array::StringArray),
        Large(&'a arrow_array::LargeStringArray),
        View(&'a arrow_array::StringViewArray),
    }
    let parts: Vec<(Strs<'_>, Option<arrow_buffer::NullBuffer>)> = chunks
        .iter()
        .filter_map(|c| {
            let s = match c.data_type() {
                DataType::Utf8 => Strs::Small(c.as_string::<i32>()),
                DataType::LargeUtf8 => Strs::Large(c.as_string::<i64>()),
                DataType::Utf8View => Strs::View(c.as_string_view()),
                _ => return None,
            };
            Some((s, c.logical_nulls()))
        })
        .collect();
    let mut starts = Vec::with_capacity(chunks.len());
    let mut n = 0;
    for c in chunks {
        starts.push(n);
        n += c.len();
    }
    let at = |i: usize| -> &str {
        // The chunk holding row i (one chunk in the usual case).
        let c = starts.partition_point(|&s| s <= i).saturating_sub(1);
        let Some((s, nulls)) = parts.get(c) else {
            return "";
        };
        let j = i - starts[c];
        if nulls.as_ref().is_some_and(|n| n.is_null(j)) {
            return "";
        }
        match s {
            Strs::Small(a) => a.value(j),
            Strs::Large(a) => a.value(j),
            Strs::View(a) => a.value(j),
        }
    };
    Ok(voc_core::group::factorize_strs_at(n, at)?)
}

fn from_strs(f: Factorized<String>) -> Groups<'static> {
    Groups {
        codes: Codes::Dense(f.codes),
        labels: Labels::Str(f.labels),
    }
}

/// Whether the column's own category order is its label order: a pandas categorical (ordered or not,
/// as pandas' own `groupby` keeps it) or a polars `Enum`.
pub(super) fn category_order(obj: &Bound<'_, PyAny>) -> bool {
    let module = obj
        .get_type()
        .module()
        .map(|m| m.to_string())
        .unwrap_or_default();
    let Ok(dtype) = obj.getattr("dtype") else {
        return false;
    };
    let dtype_class = dtype
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_default();
    (module.starts_with("pandas") && dtype_class == "CategoricalDtype")
        || (module.starts_with("polars") && dtype_class == "Enum")
}

/// Reads group labels (`by=`): integers, floats, booleans, strings or categoricals → dense codes in
/// label order (docs/conventions.md §4), the labels in the input's dtype. NaN, None and nulls are
/// missing (listed in `nulls`; their code is meaningless).
pub fn groups<'py>(obj: &Bound<'py, PyAny>, arg: &'static str) -> PyResult<Column<Groups<'py>>> {
    let py = obj.py();
    if let Some(g) = pandas_categorical(obj, arg)? {
        return Ok(g);
    }
    if let Some((chunks, dt, ordered)) = arrow_chunks(obj) {
        let keep_order = ordered || category_order(obj);
        return groups_from_arrow(&chunks, &dt, keep_order, arg).map_err(|e| bind_err(py, e));
    }
    let arr = as_numpy(obj, arg, false)?;
    let untyped = arr.cast::<PyUntypedArray>().map_err(PyErr::from)?;
    check_1d(untyped, arg).map_err(|e| bind_err(py, e))?;
    let dtype = untyped.dtype();
    match dtype.kind() {
        b'b' => {
            // A bool is one byte, 0 or 1: read it as uint8 in place.
            let bytes: Buf<'_, u8> = numpy_buf(&arr.call_method1("view", ("uint8",))?)?;
            let values: Vec<bool> = bytes.iter().map(|&v| v != 0).collect();
            bool_groups(values, Vec::new()).map_err(|e| bind_err(py, e))
        }
        b'i' | b'u' | b'f' => {
            let data = numbers_from_numpy(&arr, untyped, arg)?;
            number_groups(data, Vec::new(), arg).map_err(|e| bind_err(py, e))
        }
        b'O' => object_groups(&arr, arg),
        b'U' | b'S' | b'T' => {
            // Fixed-width strings: as Python strings (each row its own object), coded as text.
            let objects = arr.call_method1("astype", ("object",))?;
            object_groups(&objects, arg)
        }
        _ => {
            let found: String = dtype.str()?.extract()?;
            Err(bind_err(py, dtype_error(arg, found, LABELS)))
        }
    }
}

/// Reads group labels like [`groups`], and says whether the labels are in the column's own category
/// order (a pandas categorical, a polars `Enum` or an ordered Arrow dictionary, with one dictionary)
/// rather than sorted by value: what a state that merges labels met by several workers must carry.
pub fn groups_in_order<'py>(
    obj: &Bound<'py, PyAny>,
    arg: &'static str,
) -> PyResult<(Column<Groups<'py>>, bool)> {
    let py = obj.py();
    if let Some(g) = pandas_categorical(obj, arg)? {
        return Ok((g, true));
    }
    if let Some((chunks, dt, ordered)) = arrow_chunks(obj) {
        let keep_order = ordered || category_order(obj);
        // (`as_any_dictionary` only once the type is known to be a dictionary.)
        let given = keep_order && matches!(dt, DataType::Dictionary(..)) && {
            let first = chunks
                .first()
                .map(|c| c.as_any_dictionary().values().to_data());
            chunks
                .iter()
                .all(|c| Some(c.as_any_dictionary().values().to_data()) == first)
        };
        let g = groups_from_arrow(&chunks, &dt, keep_order, arg).map_err(|e| bind_err(py, e))?;
        return Ok((g, given));
    }
    groups(obj, arg).map(|g| (g, false))
}

/// A pandas categorical Series read as its integer codes (`.cat.codes`, no copy) in category order,
/// the labels being its categories as its Arrow form gives them: what the Arrow path gives, without
/// converting the rows. Code −1 is a missing label. `None` for anything else (and for an empty
/// Series), which the general paths read.
fn pandas_categorical<'py>(
    obj: &Bound<'py, PyAny>,
    arg: &'static str,
) -> PyResult<Option<Column<Groups<'py>>>> {
    let py = obj.py();
    let pandas = obj
        .get_type()
        .module()
        .is_ok_and(|m| m.to_string().starts_with("pandas"));
    if !pandas || !category_order(obj) || !obj.hasattr(pyo3::intern!(py, "cat")).unwrap_or(false) {
        return Ok(None);
    }
    let n = obj.len()?;
    if n == 0 {
        return Ok(None);
    }
    // The categories, through the Arrow form of the first row (its dictionary holds them all).
    let head = obj
        .getattr(pyo3::intern!(py, "iloc"))?
        .get_item(pyo3::types::PySlice::new(py, 0, 1, 1))?;
    let Some((chunks, DataType::Dictionary(..), _)) = arrow_chunks(&head) else {
        return Ok(None);
    };
    let Some(first) = chunks.first() else {
        return Ok(None);
    };
    let labels = labels_of_array(first.as_any_dictionary().values(), arg)
        .map_err(|e| bind_err(py, e))?
        .0;
    voc_core::group::check_count(labels.len()).map_err(|e| bind_err(py, e.into()))?;
    let codes = obj
        .getattr(pyo3::intern!(py, "cat"))?
        .getattr(pyo3::intern!(py, "codes"))?
        .call_method0(pyo3::intern!(py, "to_numpy"))?;
    let untyped = codes.cast::<PyUntypedArray>().map_err(PyErr::from)?;
    let data = numbers_from_numpy(&codes, untyped, arg)?;
    if data.len() != n || matches!(data, Numbers::F32(_) | Numbers::F64(_)) {
        return Ok(None);
    }
    let (min, _) = with_int_keys!(&data, k => key_range(k), None).unwrap_or((0, 0));
    if min >= 0 {
        return Ok(Some(Column {
            data: Groups {
                codes: Codes::Keyed(data, 0),
                labels,
            },
            nulls: Vec::new(),
        }));
    }
    let mut nulls = Vec::new();
    let dense: Vec<u32> = with_int_keys!(&data, k => k
        .iter()
        .enumerate()
        .map(|(i, &c)| match c.key() {
            Some(c) if c >= 0 => c as u32,
            _ => {
                nulls.push(i);
                0
            }
        })
        .collect(), Vec::new());
    Ok(Some(Column {
        data: Groups {
            codes: Codes::Dense(dense),
            labels,
        },
        nulls,
    }))
}
