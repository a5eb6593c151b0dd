//! Object label columns (lists with None, pandas object columns): coded by object identity first, on
//! several threads, then each distinct object's type and text read once (docs/conventions.md §4).

use super::groups::{Codes, Groups, LABELS, Labels};
use super::*;
use numpy::PyArrayMethods;

/// Object arrays (lists with None, pandas object columns): all booleans → bool labels, all integers →
/// int labels, all numbers → float labels (None and NaN missing either way); anything else as text.
///
/// Each distinct object is read once: rows are coded by the object's identity first (pandas keeps one
/// object per distinct string in many columns), on several threads; only then is each distinct
/// object's type and text read.
pub(super) fn object_groups<'py>(
    arr: &Bound<'py, PyAny>,
    arg: &'static str,
) -> PyResult<Column<Groups<'py>>> {
    let py = arr.py();
    let objects = match arr.cast::<numpy::PyArray1<Py<PyAny>>>() {
        Ok(a) => a.clone(),
        Err(_) => {
            return Err(bind_err(py, dtype_error(arg, "object", LABELS)));
        }
    };
    let objects = if objects.is_contiguous() {
        objects
    } else {
        objects
            .call_method0("copy")?
            .cast_into::<numpy::PyArray1<Py<PyAny>>>()
            .map_err(PyErr::from)?
    };
    let view = objects.readonly();
    let slice = view.as_slice().map_err(|e| {
        bind_err(
            py,
            BindError::Core(Error::InvalidOption {
                name: arg,
                value: "object array".into(),
                reason: e.to_string(),
            }),
        )
    })?;
    object_codes(
        py,
        slice.len(),
        |i| slice[i].as_ptr() as usize,
        |i| slice[i].bind(py).clone(),
        arg,
    )
}

/// The object array of a `by=` column that [`groups`](super::groups) codes by object identity: a 1-D,
/// contiguous numpy object array, or a numpy-backed pandas object column (read without a copy); `None`
/// for anything else (lists, which numpy must convert, categoricals, Arrow columns, other dtypes).
pub fn object_array<'py>(
    obj: &Bound<'py, PyAny>,
    arg: &'static str,
) -> PyResult<Option<Bound<'py, numpy::PyArray1<Py<PyAny>>>>> {
    if obj.cast::<PyUntypedArray>().is_err() && !is_pandas_numpy_backed(obj) {
        return Ok(None);
    }
    let arr = as_numpy(obj, arg, false)?;
    Ok(arr
        .cast::<numpy::PyArray1<Py<PyAny>>>()
        .ok()
        .filter(|a| a.is_contiguous())
        .cloned())
}

/// What one distinct object of an object column is, for choosing the labels' type.
enum Kind {
    Missing,
    Bool(bool),
    Int(Option<i64>),
    Float,
    Other,
}

/// Codes an object column given each row's object identity (`ptr`, used only as a hash key, read on
/// several threads while the GIL is held) and the object itself (`object`, read once per distinct
/// object). The labels' type and values are those of the row-by-row rules ([`object_groups`]).
fn object_codes<'py>(
    py: Python<'py>,
    n: usize,
    ptr: impl Fn(usize) -> usize + Sync,
    object: impl Fn(usize) -> Bound<'py, PyAny>,
    arg: &'static str,
) -> PyResult<Column<Groups<'py>>> {
    let mut failure: Option<PyErr> = None;
    let mut labels: Option<Labels> = None;
    let mut null_ids: Vec<usize> = Vec::new();
    let codes = voc_core::group::factorize_identities(n, &ptr, |ids, first| {
        match object_labels(py, first, &object, arg) {
            Ok((codes, l, nulls)) => {
                labels = Some(l);
                // The missing objects' identities.
                null_ids = nulls.iter().filter_map(|&d| ids.get(d).copied()).collect();
                Ok(codes)
            }
            Err(e) => {
                failure = Some(e);
                Err(Error::Internal {
                    function: String::new(),
                    message: String::new(),
                })
            }
        }
    });
    if let Some(e) = failure {
        return Err(e);
    }
    let codes = codes.map_err(|e| bind_err(py, e.into()))?;
    let labels = labels.unwrap_or(Labels::Str(Vec::new()));
    // Rows holding a missing object (found by identity, only when there is one).
    let nulls = if null_ids.is_empty() {
        Vec::new()
    } else {
        let null_ptrs: std::collections::HashSet<usize> = null_ids.into_iter().collect();
        (0..n).filter(|&i| null_ptrs.contains(&ptr(i))).collect()
    };
    Ok(Column {
        data: Groups {
            codes: Codes::Dense(codes),
            labels,
        },
        nulls,
    })
}

/// The labels of an object column's distinct objects, each read once (`first[d]` is the row of the
/// `d`-th distinct object, given to `object`): the label code of each distinct object, the labels,
/// and which distinct objects are missing (None, NaN), by the row-by-row rules ([`object_groups`]).
/// Errors (a label that cannot be read) name the object's first row.
pub fn object_labels<'py>(
    py: Python<'py>,
    first: &[usize],
    object: impl Fn(usize) -> Bound<'py, PyAny>,
    arg: &'static str,
) -> PyResult<(Vec<u32>, Labels, Vec<usize>)> {
    use pyo3::types::{PyBool, PyInt};
    let items: Vec<Bound<'py, PyAny>> = first.iter().map(|&r| object(r)).collect();
    let kinds: Vec<Kind> = items
        .iter()
        .map(|x| {
            let float = x.is_instance_of::<PyFloat>();
            if x.is_none() || (float && x.extract::<f64>().is_ok_and(f64::is_nan)) {
                Kind::Missing
            } else if x.is_instance_of::<PyBool>() {
                Kind::Bool(x.extract::<bool>().unwrap_or(false))
            } else if x.is_instance_of::<PyInt>() {
                Kind::Int(x.extract::<i64>().ok())
            } else if float {
                Kind::Float
            } else {
                Kind::Other
            }
        })
        .collect();
    let missing: Vec<usize> = (0..kinds.len())
        .filter(|&i| matches!(kinds[i], Kind::Missing))
        .collect();
    let present = || kinds.iter().filter(|k| !matches!(k, Kind::Missing));
    let any = present().next().is_some();
    if any && present().all(|k| matches!(k, Kind::Bool(_))) {
        let has = |b: bool| present().any(|k| matches!(k, Kind::Bool(v) if *v == b));
        let both = has(false) && has(true);
        let codes = kinds
            .iter()
            .map(|k| u32::from(both && matches!(k, Kind::Bool(true))))
            .collect();
        let labels = [false, true].into_iter().filter(|&b| has(b)).collect();
        return Ok((codes, Labels::Bool(labels), missing));
    }
    if any && present().all(|k| matches!(k, Kind::Int(Some(_)))) {
        let values: Vec<i64> = kinds
            .iter()
            .map(|k| match k {
                Kind::Int(Some(v)) => *v,
                _ => 0,
            })
            .collect();
        let mut sorted: Vec<i64> = present()
            .map(|k| match k {
                Kind::Int(Some(v)) => *v,
                _ => 0,
            })
            .collect();
        sorted.sort_unstable();
        sorted.dedup();
        let codes = values
            .iter()
            .map(|v| sorted.binary_search(v).map_or(0, |c| c as u32))
            .collect();
        return Ok((codes, Labels::Int(sorted), missing));
    }
    if any && present().all(|k| matches!(k, Kind::Int(_) | Kind::Float)) {
        let values: Vec<f64> = items
            .iter()
            .map(|x| x.extract::<f64>().unwrap_or(f64::NAN))
            .collect();
        let (f, nan) =
            voc_core::group::factorize_floats(&values).map_err(|e| bind_err(py, e.into()))?;
        return Ok((f.codes, Labels::Float(f.labels), nan));
    }
    // Text: strings as they are, bytes decoded, other objects by `str()`; None and NaN (also
    // numpy's NaN scalars) are nulls, read as the label "".
    let mut texts: Vec<String> = Vec::with_capacity(items.len());
    let mut nulls = Vec::new();
    for (d, (item, &row)) in items.iter().zip(first).enumerate() {
        let text = if let Ok(s) = item.cast::<PyString>() {
            texts::text_arg(s, arg, Some(row))?.into_owned()
        } else if item.is_none() || item.extract::<f64>().is_ok_and(f64::is_nan) {
            nulls.push(d);
            String::new()
        } else if let Ok(b) = item.extract::<Vec<u8>>() {
            String::from_utf8_lossy(&b).into_owned()
        } else {
            texts::text_arg(&item.str()?, arg, Some(row))?.into_owned()
        };
        texts.push(text);
    }
    let mut sorted: Vec<&str> = texts.iter().map(String::as_str).collect();
    sorted.sort_unstable();
    sorted.dedup();
    voc_core::group::check_count(sorted.len()).map_err(|e| bind_err(py, e.into()))?;
    let codes = texts
        .iter()
        .map(|t| sorted.binary_search(&t.as_str()).map_or(0, |c| c as u32))
        .collect();
    let labels = Labels::Str(sorted.into_iter().map(str::to_owned).collect());
    Ok((codes, labels, nulls))
}
