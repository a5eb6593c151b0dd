//! Text columns (`texts=`, reasons): Arrow string columns (polars, pyarrow, pandas string dtypes)
//! without a Python object per row, through the shared Arrow reader; lists, numpy arrays and object
//! columns item by item.

use std::borrow::Cow;

use super::*;
use crate::error::IntoPy;

/// Texts read from a Python column; nulls (None, NaN, Arrow nulls) read as empty texts.
pub struct Texts {
    data: TextData,
    /// Sorted positions of nulls.
    pub nulls: Vec<usize>,
}

enum TextData {
    /// Python strings, borrowed rather than copied (long texts would double the memory, and the copy
    /// could not be interrupted); `None` for nulls. Each was checked to be valid UTF-8 when read.
    Python(Vec<Option<Py<PyString>>>),
    Arrow(Vec<ArrayRef>),
}

impl Texts {
    /// Number of texts, nulls included.
    pub fn len(&self) -> usize {
        match &self.data {
            TextData::Python(v) => v.len(),
            TextData::Arrow(chunks) => chunks.iter().map(|c| c.len()).sum(),
        }
    }

    /// The texts as string slices ("" for nulls).
    pub fn strs<'a>(&'a self, py: Python<'a>) -> Vec<&'a str> {
        match &self.data {
            TextData::Python(v) => v
                .iter()
                .map(|s| {
                    s.as_ref()
                        .and_then(|s| s.bind(py).to_str().ok())
                        .unwrap_or("")
                })
                .collect(),
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

/// A `DtypeError` for a text argument.
pub fn dtype_err(py: Python<'_>, arg: &'static str, found: String) -> PyErr {
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
    if let Some((chunks, dt, _)) = arrow_chunks(obj) {
        match &dt {
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
                    data: TextData::Python(std::iter::repeat_with(|| None).take(n).collect()),
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
        // A long column of long texts takes a while to check: let Ctrl-C through.
        if i % SIGNAL_EVERY == SIGNAL_EVERY - 1 {
            py.check_signals()?;
        }
        let item = item?;
        if let Ok(s) = item.cast::<PyString>() {
            text_arg(s, arg, Some(i))?;
            out.push(Some(s.clone().unbind()));
        } else if item.is_none() || item.extract::<f64>().is_ok_and(f64::is_nan) {
            nulls.push(i);
            out.push(None);
        } else {
            let t = item.get_type().name()?.to_string();
            return Err(dtype_err(py, arg, format!("{t} at position {i}")));
        }
    }
    Ok(Texts {
        data: TextData::Python(out),
        nulls,
    })
}

/// Items read between two checks for Ctrl-C.
const SIGNAL_EVERY: usize = 1 << 14;

/// A Python str as UTF-8. A lone surrogate (not valid Unicode) is an `InputError` naming `arg` and the
/// position: the row `row` of a column, or the character position within a single text; its `value` is
/// the surrogate's code point.
pub fn text_arg<'a>(
    s: &'a Bound<'_, PyString>,
    arg: &'static str,
    row: Option<usize>,
) -> PyResult<Cow<'a, str>> {
    if let Ok(t) = s.to_str() {
        return Ok(Cow::Borrowed(t));
    }
    let py = s.py();
    // Code points with the surrogates kept, to find the first lone one.
    let raw: Vec<u8> = s
        .call_method1("encode", ("utf-32-le", "surrogatepass"))?
        .extract()?;
    let (pos, cp) = raw
        .chunks_exact(4)
        .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .enumerate()
        .find(|(_, cp)| (0xD800..=0xDFFF).contains(cp))
        .unwrap_or((0, 0));
    let reason = if row.is_some() {
        "a text with a lone surrogate code point (not valid Unicode)"
    } else {
        "a lone surrogate code point (not valid Unicode)"
    };
    Err(Error::InvalidValue {
        arg,
        index: row.unwrap_or(pos),
        value: f64::from(cp),
        reason,
    })
    .py_err(py)
}

/// The texts of a text role (docs/conventions.md §1): the column itself, or a table and `texts=` naming
/// its column (`ColumnNotFoundError` when it has no such column).
pub fn texts_role(
    py: Python<'_>,
    data: Option<&Bound<'_, PyAny>>,
    texts: Option<&Bound<'_, PyAny>>,
) -> PyResult<Texts> {
    let (_, column) = single_column(py, data, texts, "texts")?;
    self::texts(&column, "texts")
}
