//! Where a column comes from: numpy arrays (zero-copy when contiguous), Arrow PyCapsule producers
//! and plain sequences (via numpy); dtype and shape errors.

use super::*;

pub(super) fn numpy(py: Python<'_>) -> PyResult<&Bound<'_, PyModule>> {
    static NUMPY: PyOnceLock<Py<PyModule>> = PyOnceLock::new();
    Ok(NUMPY
        .get_or_try_init(py, || Ok::<_, PyErr>(py.import("numpy")?.unbind()))?
        .bind(py))
}

pub(super) fn dtype_error(
    arg: &'static str,
    found: impl Into<String>,
    expected: &'static str,
) -> BindError {
    BindError::Dtype {
        arg,
        found: found.into(),
        expected,
    }
}

pub(super) fn bind_err(py: Python<'_>, e: BindError) -> PyErr {
    to_py(py, e)
}

/// Reads a 1-d numpy array of element type `T` (copying only when strided or byte-swapped).
pub(super) fn numpy_buf<'py, T: Element + ArrowNativeType>(
    arr: &Bound<'py, PyAny>,
) -> PyResult<Buf<'py, T>> {
    let py = arr.py();
    let readonly: PyReadonlyArray1<'py, T> = match arr.extract() {
        Ok(a) => a,
        // Non-native byte order: let numpy convert once.
        Err(_) => numpy(py)?
            .call_method1("ascontiguousarray", (arr, numpy::dtype::<T>(py)))?
            .extract()?,
    };
    if readonly.as_slice().is_ok() {
        Ok(Buf::Numpy(readonly))
    } else {
        Ok(Buf::Owned(readonly.as_array().iter().copied().collect()))
    }
}

pub(super) fn check_1d(
    arr: &Bound<'_, PyUntypedArray>,
    arg: &'static str,
) -> Result<(), BindError> {
    match arr.ndim() {
        1 => Ok(()),
        0 => Err(dtype_error(
            arg,
            "a scalar or non-sequence",
            "a column (array, Series, list)",
        )),
        _ => Err(BindError::Shape {
            arg,
            shape: arr.shape().to_vec(),
            ndim: 1,
        }),
    }
}

pub(super) fn prim<T: ArrowPrimitiveType>(
    chunks: &[ArrayRef],
) -> (Buf<'static, T::Native>, Vec<usize>)
where
    T::Native: Element,
{
    let nulls = null_positions(chunks);
    if let [one] = chunks {
        return (Buf::Arrow(one.as_primitive::<T>().values().clone()), nulls);
    }
    let mut values = Vec::with_capacity(chunks.iter().map(|c| c.len()).sum());
    for c in chunks {
        values.extend_from_slice(c.as_primitive::<T>().values());
    }
    (Buf::Owned(values), nulls)
}

pub(super) fn null_positions(chunks: &[ArrayRef]) -> Vec<usize> {
    let mut out = Vec::new();
    let mut offset = 0;
    for c in chunks {
        if c.null_count() > 0 {
            out.extend((0..c.len()).filter(|&i| c.is_null(i)).map(|i| i + offset));
        }
        offset += c.len();
    }
    out
}

/// Reads an Arrow column through the PyCapsule interface; `None` when the object does not export one
/// (numpy arrays and numpy-backed pandas columns are read through numpy instead, without a copy).
pub(super) fn arrow_chunks(obj: &Bound<'_, PyAny>) -> Option<(Vec<ArrayRef>, DataType, bool)> {
    let py = obj.py();
    if obj.cast::<PyUntypedArray>().is_ok() || is_pandas_numpy_backed(obj) {
        return None;
    }
    let exports = obj
        .hasattr(pyo3::intern!(py, "__arrow_c_stream__"))
        .unwrap_or(false)
        || obj
            .hasattr(pyo3::intern!(py, "__arrow_c_array__"))
            .unwrap_or(false);
    if !exports {
        return None;
    }
    let any: AnyArray = obj.extract().ok()?;
    let chunked = any.into_chunked_array().ok()?;
    let (chunks, field) = chunked.into_inner();
    let ordered = field.dict_is_ordered().unwrap_or(false);
    Some((chunks, field.data_type().clone(), ordered))
}

pub(super) fn is_pandas_numpy_backed(obj: &Bound<'_, PyAny>) -> bool {
    let module = obj
        .get_type()
        .module()
        .map(|m| m.to_string())
        .unwrap_or_default();
    if !module.starts_with("pandas") {
        return false;
    }
    // A plain numpy dtype (not a pandas extension dtype, which goes through Arrow).
    let Ok(np_dtype) = numpy(obj.py()).and_then(|np| np.getattr("dtype")) else {
        return false;
    };
    obj.getattr("dtype")
        .is_ok_and(|d| d.is_instance(&np_dtype).unwrap_or(false))
}

/// The object as a numpy array if it is one, a numpy-backed pandas column, or a plain sequence.
pub(super) fn as_numpy<'py>(
    obj: &Bound<'py, PyAny>,
    arg: &'static str,
    float_fallback: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let py = obj.py();
    if obj.cast::<PyUntypedArray>().is_ok() {
        return Ok(obj.clone());
    }
    if is_pandas_numpy_backed(obj) {
        return obj.call_method0("to_numpy");
    }
    if obj.is_instance_of::<PyString>()
        || obj.is_instance_of::<PyFloat>()
        || obj.extract::<i64>().is_ok()
    {
        return Err(bind_err(
            py,
            dtype_error(
                arg,
                obj.get_type().name()?.to_string(),
                "a column (array, Series, list)",
            ),
        ));
    }
    let np = numpy(py)?;
    let arr = np.call_method1("asarray", (obj,)).map_err(|e| {
        let found = format!(
            "{} that numpy cannot read as a column ({e})",
            obj.get_type()
                .name()
                .map(|n| n.to_string())
                .unwrap_or_default()
        );
        bind_err(
            py,
            dtype_error(arg, found, "a column (array, Series, list)"),
        )
    })?;
    let kind: String = arr.getattr("dtype")?.getattr("kind")?.extract()?;
    if kind == "O" && float_fallback && only_numbers(&arr)? {
        // Lists with None: let numpy turn None into NaN (a missing value under the policy). Only
        // numbers and None: a string such as "1.5" is never read as a number.
        if let Ok(f) = np.call_method1("asarray", (obj, "float64")) {
            return Ok(f);
        }
    }
    Ok(arr)
}

/// Whether every item of an object array is None, a bool, an int or a float (Python's or numpy's).
fn only_numbers(arr: &Bound<'_, PyAny>) -> PyResult<bool> {
    use pyo3::types::{PyBool, PyInt};
    let py = arr.py();
    let np = numpy(py)?;
    let floating = np.getattr("floating")?;
    let integer = np.getattr("integer")?;
    let bool_ = np.getattr("bool_")?;
    for item in arr.call_method1("ravel", ("K",))?.try_iter()? {
        let item = item?;
        let ok = item.is_none()
            || item.is_instance_of::<PyFloat>()
            || item.is_instance_of::<PyInt>()
            || item.is_instance_of::<PyBool>()
            || item.is_instance(&floating)?
            || item.is_instance(&integer)?
            || item.is_instance(&bool_)?;
        if !ok {
            return Ok(false);
        }
    }
    Ok(true)
}

/// The string at row `i` of an Arrow string array (`None` for a null or another type).
pub(super) fn string_at(values: &ArrayRef, i: usize) -> Option<&str> {
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
