//! Group label columns (`by=`): integers, strings, booleans or categoricals → dense codes in label
//! order.

use super::*;

/// Group labels in sorted order.
#[derive(Debug, Clone)]
pub enum Labels {
    /// Integer labels.
    Int(Vec<i64>),
    /// String labels.
    Str(Vec<String>),
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

/// Codes for an integer label column: a compact range is used as it is (code = key − min, labels every
/// value of the range); a sparse one is factorised (labels sorted).
fn int_groups<'py>(data: Numbers<'py>, arg: &'static str) -> Result<Groups<'py>, BindError> {
    let range = with_int_keys!(&data, k => Ok(key_range(k)), Err(dtype_error(arg, "float", "group labels (integers, strings or categories)")))?;
    let Some((min, max)) = range else {
        // Empty, or a uint64 above 2**63.
        return if data.len() == 0 {
            Ok(Groups {
                codes: Codes::Dense(Vec::new()),
                labels: Labels::Int(Vec::new()),
            })
        } else {
            Err(dtype_error(arg, "uint64", "group labels below 2**63"))
        };
    };
    let span = max as i128 - min as i128 + 1;
    if span <= MAX_OFFSET_SPAN as i128 {
        return Ok(Groups {
            codes: Codes::Keyed(data, min),
            labels: Labels::Int((min..=max).collect()),
        });
    }
    let f = with_int_keys!(&data, k => factorize_ints_keyed(k), unreachable_float())?;
    Ok(from_ints(f))
}

fn factorize_ints_keyed<K: GroupKey>(keys: &[K]) -> Result<Factorized<i64>, Error> {
    // invariant: key_range succeeded, so every key fits in i64.
    let ints: Vec<i64> = keys.iter().map(|&k| k.key().unwrap_or(i64::MAX)).collect();
    factorize_ints(&ints)
}

fn unreachable_float() -> Result<Factorized<i64>, Error> {
    // invariant: float columns were rejected above.
    Err(Error::InvalidOption {
        name: "by",
        value: "float".into(),
        reason: "group labels must be integers".into(),
    })
}

fn from_ints(f: Factorized<i64>) -> Groups<'static> {
    Groups {
        codes: Codes::Dense(f.codes),
        labels: Labels::Int(f.labels),
    }
}

fn from_strs(f: Factorized<String>) -> Groups<'static> {
    Groups {
        codes: Codes::Dense(f.codes),
        labels: Labels::Str(f.labels),
    }
}

fn string_at(values: &ArrayRef, i: usize) -> Option<&str> {
    if values.is_null(i) {
        return None;
    }
    match values.data_type() {
        DataType::Utf8 => Some(values.as_string::<i32>().value(i)),
        DataType::LargeUtf8 => Some(values.as_string::<i64>().value(i)),
        DataType::Utf8View => Some(values.as_string_view().value(i)),
        _ => None,
    }
}

fn groups_from_arrow(
    chunks: &[ArrayRef],
    dt: &DataType,
    ordered: bool,
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
        DataType::Dictionary(_, value_type)
            if matches!(
                value_type.as_ref(),
                DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View
            ) =>
        {
            // Ordered categoricals (pandas `ordered=True`) keep their category order when every chunk
            // shares one dictionary; other dictionaries (whose order is often just first appearance) are
            // sorted like strings.
            let first = chunks
                .first()
                .map(|c| c.as_any_dictionary().values().to_data());
            let shared = ordered
                && chunks
                    .iter()
                    .all(|c| Some(c.as_any_dictionary().values().to_data()) == first);
            if shared {
                let mut codes: Vec<u32> = Vec::with_capacity(chunks.iter().map(|c| c.len()).sum());
                for c in chunks {
                    codes.extend(
                        c.as_any_dictionary()
                            .normalized_keys()
                            .into_iter()
                            .map(|k| k as u32),
                    );
                }
                let values = chunks.first().map(|c| c.as_any_dictionary().values());
                let labels = values.map_or_else(Vec::new, |values| {
                    (0..values.len())
                        .map(|k| string_at(values, k).unwrap_or("").to_owned())
                        .collect()
                });
                return Ok(Column {
                    data: Groups {
                        codes: Codes::Dense(codes),
                        labels: Labels::Str(labels),
                    },
                    nulls,
                });
            }
            // Factorise the dictionaries, not the rows: labels are the sorted distinct values that rows
            // use (null rows read as ""), exactly as factorising the decoded rows would give.
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
            Ok(Column {
                data: Groups {
                    codes: Codes::Dense(codes),
                    labels: Labels::Str(labels.into_iter().map(str::to_owned).collect()),
                },
                nulls,
            })
        }
        DataType::Boolean => {
            let ints: Vec<i64> = chunks
                .iter()
                .flat_map(|c| {
                    c.as_boolean()
                        .values()
                        .iter()
                        .map(i64::from)
                        .collect::<Vec<_>>()
                })
                .collect();
            Ok(Column {
                data: from_ints(factorize_ints(&ints)?),
                nulls,
            })
        }
        _ => {
            let col = numbers_from_arrow(chunks, dt, arg)?;
            Ok(Column {
                data: int_groups(col.data, arg)?,
                nulls,
            })
        }
    }
}

/// Reads group labels (`by=`): integers, strings, booleans or categoricals → dense codes in label order
/// (category order for ordered categoricals).
pub fn groups<'py>(obj: &Bound<'py, PyAny>, arg: &'static str) -> PyResult<Column<Groups<'py>>> {
    let py = obj.py();
    if let Some((chunks, dt, ordered)) = arrow_chunks(obj) {
        return groups_from_arrow(&chunks, &dt, ordered, arg).map_err(|e| bind_err(py, e));
    }
    let arr = as_numpy(obj, arg, false)?;
    let untyped = arr.cast::<PyUntypedArray>().map_err(PyErr::from)?;
    check_1d(untyped, arg).map_err(|e| bind_err(py, e))?;
    let dtype = untyped.dtype();
    match dtype.kind() {
        b'i' | b'u' | b'b' => {
            let arr = if dtype.kind() == b'b' {
                arr.call_method1("astype", ("int64",))?
            } else {
                arr.clone()
            };
            let untyped = arr.cast::<PyUntypedArray>().map_err(PyErr::from)?;
            let data = numbers_from_numpy(&arr, untyped, arg)?;
            Ok(Column {
                data: int_groups(data, arg).map_err(|e| bind_err(py, e))?,
                nulls: Vec::new(),
            })
        }
        b'U' | b'O' | b'S' | b'T' => {
            let items: Vec<Bound<'_, PyAny>> = arr.call_method0("tolist")?.extract()?;
            let (codes, labels, nulls) = factorize_objects(&items)?;
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
            Err(bind_err(
                py,
                dtype_error(arg, found, "group labels (integers, strings or categories)"),
            ))
        }
    }
}

/// Codes (in sorted label order), labels and null positions of Python objects: strings as they are,
/// bytes decoded, other objects by `str()`; None and NaN are nulls, read as the label "" (as before any
/// row is dropped). Repeated objects (pandas keeps one object per distinct string in many columns) are
/// looked up by identity before their text is read.
fn factorize_objects(items: &[Bound<'_, PyAny>]) -> PyResult<(Vec<u32>, Vec<String>, Vec<usize>)> {
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
            code_of(s.to_str()?.to_owned(), &mut labels)
        } else if item.is_none() || item.extract::<f64>().is_ok_and(f64::is_nan) {
            nulls.push(i);
            codes.push(code_of(String::new(), &mut labels));
            continue;
        } else if let Ok(b) = item.extract::<Vec<u8>>() {
            code_of(String::from_utf8_lossy(&b).into_owned(), &mut labels)
        } else {
            code_of(item.str()?.to_str()?.to_owned(), &mut labels)
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
