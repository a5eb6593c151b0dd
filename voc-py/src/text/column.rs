//! Text columns read from Python: Arrow string columns without a Python object per row, lists and
//! object columns item by item.

use super::*;

/// Texts read from a Python column; nulls (None, NaN, Arrow nulls) read as empty texts.
pub struct Texts {
    data: TextData,
    /// Sorted positions of nulls.
    pub nulls: Vec<usize>,
}

enum TextData {
    Owned(Vec<String>),
    Arrow(Vec<ArrayRef>),
}

impl Texts {
    /// The texts as string slices ("" for nulls).
    pub fn strs(&self) -> Vec<&str> {
        match &self.data {
            TextData::Owned(v) => v.iter().map(String::as_str).collect(),
            TextData::Arrow(chunks) => {
                let mut out = Vec::with_capacity(chunks.iter().map(|c| c.len()).sum());
                for c in chunks {
                    for i in 0..c.len() {
                        out.push(string_at(c, i).unwrap_or(""));
                    }
                }
                out
            }
        }
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

pub(super) fn dtype_err(py: Python<'_>, arg: &'static str, found: String) -> PyErr {
    crate::error::to_py(
        py,
        BindError::Dtype {
            arg,
            found,
            expected: "text (str)",
        },
    )
}

/// Reads a text column: Arrow string columns (polars, pyarrow, pandas string[pyarrow]) without a Python
/// object per row; lists, numpy arrays and object columns item by item.
pub fn texts(obj: &Bound<'_, PyAny>, arg: &'static str) -> PyResult<Texts> {
    let py = obj.py();
    if obj.is_instance_of::<PyString>() {
        return Err(dtype_err(
            py,
            arg,
            "str (a single text; pass a list of texts)".into(),
        ));
    }
    let is_numpy = obj.hasattr("__array_interface__").unwrap_or(false);
    let exports = !is_numpy
        && (obj.hasattr("__arrow_c_stream__").unwrap_or(false)
            || obj.hasattr("__arrow_c_array__").unwrap_or(false));
    if exports
        && let Ok(any) = obj.extract::<AnyArray>()
        && let Ok(chunked) = any.into_chunked_array()
    {
        let (chunks, field) = chunked.into_inner();
        match field.data_type() {
            DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => {
                let mut nulls = Vec::new();
                let mut base = 0;
                for c in &chunks {
                    for i in 0..c.len() {
                        if c.is_null(i) {
                            nulls.push(base + i);
                        }
                    }
                    base += c.len();
                }
                return Ok(Texts {
                    data: TextData::Arrow(chunks),
                    nulls,
                });
            }
            DataType::Null => {
                let n: usize = chunks.iter().map(|c| c.len()).sum();
                return Ok(Texts {
                    data: TextData::Owned(vec![String::new(); n]),
                    nulls: (0..n).collect(),
                });
            }
            DataType::Dictionary(..) | DataType::LargeBinary | DataType::Binary => {}
            other => return Err(dtype_err(py, arg, format!("arrow {other}"))),
        }
    }
    // Object columns and sequences, item by item.
    let seq = if obj.hasattr("tolist").unwrap_or(false) {
        obj.call_method0("tolist")?
    } else {
        obj.clone()
    };
    let mut out = Vec::new();
    let mut nulls = Vec::new();
    let iter = seq.try_iter().map_err(|_| {
        dtype_err(
            py,
            arg,
            seq.get_type()
                .name()
                .map(|n| n.to_string())
                .unwrap_or_default(),
        )
    })?;
    for (i, item) in iter.enumerate() {
        let item = item?;
        if let Ok(s) = item.cast::<PyString>() {
            out.push(s.to_str()?.to_owned());
        } else if item.is_none() || item.extract::<f64>().is_ok_and(f64::is_nan) {
            nulls.push(i);
            out.push(String::new());
        } else {
            let t = item.get_type().name()?.to_string();
            return Err(dtype_err(py, arg, format!("{t} at position {i}")));
        }
    }
    Ok(Texts {
        data: TextData::Owned(out),
        nulls,
    })
}
