//! Group label columns (`by=`): the one label coder. Integers, floats, booleans, strings and
//! categoricals → dense codes in label order, through `voc_core::group` (docs/conventions.md §4):
//! numbers and booleans by value, strings by code point, pandas categoricals, polars enums and ordered
//! Arrow dictionaries in category order; the labels keep the input's dtype.

use super::*;
use crate::table::Value;

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
const MAX_OFFSET_SPAN: usize = 1 << 20;

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
    let span = max as i128 - min as i128 + 1;
    if span <= MAX_OFFSET_SPAN as i128 {
        return Ok(Column {
            data: Groups {
                codes: Codes::Keyed(data, min),
                labels: Labels::Int((min..=max).collect()),
            },
            nulls,
        });
    }
    let f = with_int_keys!(&data, k => factorize_ints_keyed(k), Ok(Factorized { codes: Vec::new(), labels: Vec::new() }))?;
    Ok(Column {
        data: Groups {
            codes: Codes::Dense(f.codes),
            labels: Labels::Int(f.labels),
        },
        nulls,
    })
}

fn factorize_ints_keyed<K: GroupKey>(keys: &[K]) -> Result<Factorized<i64>, Error> {
    // invariant: key_range succeeded, so every key fits in i64.
    let ints: Vec<i64> = keys.iter().map(|&k| k.key().unwrap_or(i64::MAX)).collect();
    factorize_ints(&ints)
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

fn is_string(dt: &DataType) -> bool {
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
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => {
            let strs = chunks
                .iter()
                .flat_map(|c| (0..c.len()).map(move |i| string_at(c, i).unwrap_or("")));
            Ok(Column {
                data: from_strs(factorize_strs(strs)?),
                nulls,
            })
        }
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
                    codes.extend(
                        c.as_any_dictionary()
                            .normalized_keys()
                            .into_iter()
                            .map(|k| k as u32),
                    );
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
const LABELS: &str = "group labels (integers, floats, booleans, strings or categories)";

/// Factorises the dictionaries of string-valued dictionary chunks, not the rows: labels are the sorted
/// distinct values that rows use (null rows read as ""), exactly as factorising the decoded rows would
/// give.
fn string_dictionary(chunks: &[ArrayRef]) -> Result<Groups<'static>, BindError> {
    let mut used: Vec<Vec<bool>> = Vec::with_capacity(chunks.len());
    let mut any_null = false;
    for c in chunks {
        let dict = c.as_any_dictionary();
        let mut u = vec![false; dict.values().len()];
        for (i, key) in dict.normalized_keys().into_iter().enumerate() {
            if c.is_null(i) || dict.values().is_null(key) {
                any_null = true;
            } else if let Some(slot) = u.get_mut(key) {
                *slot = true;
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
        for (i, key) in dict.normalized_keys().into_iter().enumerate() {
            codes.push(if c.is_null(i) {
                blank
            } else {
                remap.get(key).copied().unwrap_or(blank)
            });
        }
    }
    Ok(Groups {
        codes: Codes::Dense(codes),
        labels: Labels::Str(labels.into_iter().map(str::to_owned).collect()),
    })
}

fn from_strs(f: Factorized<String>) -> Groups<'static> {
    Groups {
        codes: Codes::Dense(f.codes),
        labels: Labels::Str(f.labels),
    }
}

/// Whether the column's own category order is its label order: a pandas categorical (ordered or not,
/// as pandas' own `groupby` keeps it) or a polars `Enum`.
fn category_order(obj: &Bound<'_, PyAny>) -> bool {
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
            let items: Vec<Bound<'_, PyAny>> = arr.call_method0("tolist")?.extract()?;
            let (codes, labels, nulls) = factorize_objects(&items, arg)?;
            voc_core::group::check_count(labels.len()).map_err(|e| bind_err(py, e.into()))?;
            Ok(Column {
                data: Groups {
                    codes: Codes::Dense(codes),
                    labels: Labels::Str(labels),
                },
                nulls,
            })
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

/// Object arrays (lists with None, pandas object columns): all booleans → bool labels, all integers →
/// int labels, all numbers → float labels (None and NaN missing either way); anything else as text.
fn object_groups<'py>(arr: &Bound<'py, PyAny>, arg: &'static str) -> PyResult<Column<Groups<'py>>> {
    use pyo3::types::{PyBool, PyInt};
    let py = arr.py();
    let items: Vec<Bound<'_, PyAny>> = arr.call_method0("tolist")?.extract()?;
    let is_missing = |x: &Bound<'_, PyAny>| {
        x.is_none() || (x.is_instance_of::<PyFloat>() && x.extract::<f64>().is_ok_and(f64::is_nan))
    };
    let present = || items.iter().filter(|x| !is_missing(x));
    let nulls: Vec<usize> = (0..items.len())
        .filter(|&i| is_missing(&items[i]))
        .collect();
    let any = present().next().is_some();
    if any && present().all(|x| x.is_instance_of::<PyBool>()) {
        let values: Vec<bool> = items
            .iter()
            .map(|x| x.extract::<bool>().unwrap_or(false))
            .collect();
        return bool_groups(values, nulls).map_err(|e| bind_err(py, e));
    }
    if any && present().all(|x| x.is_instance_of::<PyInt>() && !x.is_instance_of::<PyBool>()) {
        let values: Option<Vec<i64>> = items
            .iter()
            .map(|x| {
                if is_missing(x) {
                    Some(0)
                } else {
                    x.extract::<i64>().ok()
                }
            })
            .collect();
        if let Some(v) = values {
            let (f, nulls) = (
                factorize_ints(&v).map_err(|e| bind_err(py, e.into()))?,
                nulls,
            );
            let mut codes = f.codes;
            let labels = Labels::Int(f.labels).only_used(&mut codes, &nulls);
            return Ok(Column {
                data: Groups {
                    codes: Codes::Dense(codes),
                    labels,
                },
                nulls,
            });
        }
    }
    if any
        && present().all(|x| {
            (x.is_instance_of::<PyFloat>() || x.is_instance_of::<PyInt>())
                && !x.is_instance_of::<PyBool>()
        })
    {
        let values: Vec<f64> = items
            .iter()
            .map(|x| x.extract::<f64>().unwrap_or(f64::NAN))
            .collect();
        let (f, nulls) =
            voc_core::group::factorize_floats(&values).map_err(|e| bind_err(py, e.into()))?;
        return Ok(Column {
            data: Groups {
                codes: Codes::Dense(f.codes),
                labels: Labels::Float(f.labels),
            },
            nulls,
        });
    }
    let (codes, labels, nulls) = factorize_objects(&items, arg)?;
    voc_core::group::check_count(labels.len()).map_err(|e| bind_err(py, e.into()))?;
    Ok(Column {
        data: Groups {
            codes: Codes::Dense(codes),
            labels: Labels::Str(labels),
        },
        nulls,
    })
}
/// Codes (in sorted label order), labels and null positions of Python objects: strings as they are,
/// bytes decoded, other objects by `str()`; None and NaN are nulls, read as the label "" (as before any
/// row is dropped). Repeated objects (pandas keeps one object per distinct string in many columns) are
/// looked up by identity before their text is read. A text with a lone surrogate (not valid Unicode) is
/// an `InputError` naming `arg` and the row (`texts::text_arg`).
fn factorize_objects(
    items: &[Bound<'_, PyAny>],
    arg: &'static str,
) -> PyResult<(Vec<u32>, Vec<String>, Vec<usize>)> {
    use std::collections::HashMap;
    let mut by_ptr: HashMap<usize, u32> = HashMap::new();
    let mut by_text: HashMap<String, u32> = HashMap::new();
    let mut labels: Vec<String> = Vec::new();
    let mut codes: Vec<u32> = Vec::with_capacity(items.len());
    let mut nulls = Vec::new();
    let mut code_of = |text: String, labels: &mut Vec<String>| -> u32 {
        *by_text.entry(text).or_insert_with_key(|t| {
            labels.push(t.clone());
            labels.len() as u32 - 1
        })
    };
    for (i, item) in items.iter().enumerate() {
        let ptr = item.as_ptr() as usize;
        if let Some(&c) = by_ptr.get(&ptr) {
            codes.push(c);
            continue;
        }
        let c = if let Ok(s) = item.cast::<PyString>() {
            code_of(texts::text_arg(s, arg, Some(i))?.into_owned(), &mut labels)
        } else if item.is_none() || item.extract::<f64>().is_ok_and(f64::is_nan) {
            nulls.push(i);
            codes.push(code_of(String::new(), &mut labels));
            continue;
        } else if let Ok(b) = item.extract::<Vec<u8>>() {
            code_of(String::from_utf8_lossy(&b).into_owned(), &mut labels)
        } else {
            code_of(
                texts::text_arg(&item.str()?, arg, Some(i))?.into_owned(),
                &mut labels,
            )
        };
        by_ptr.insert(ptr, c);
        codes.push(c);
    }
    // Renumber first-seen codes into sorted label order.
    let mut order: Vec<u32> = (0..labels.len() as u32).collect();
    order.sort_unstable_by(|&a, &b| labels[a as usize].cmp(&labels[b as usize]));
    let mut rank = vec![0u32; labels.len()];
    for (r, &old) in order.iter().enumerate() {
        rank[old as usize] = r as u32;
    }
    let sorted = order.iter().map(|&o| labels[o as usize].clone()).collect();
    Ok((
        codes.into_iter().map(|c| rank[c as usize]).collect(),
        sorted,
        nulls,
    ))
}
