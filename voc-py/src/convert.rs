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
use voc_core::group::{
    Factorized, GroupKey, factorize_ints, factorize_strs, key_range, keyed_codes,
};
use voc_core::time::TimeUnit;
use voc_core::{Error, MissingPolicy};

use crate::error::{BindError, to_py};

/// Values of one column, borrowed from numpy or Arrow when possible.
pub enum Buf<'py, T: Element + ArrowNativeType> {
    /// A contiguous numpy array (held borrowed read-only).
    Numpy(PyReadonlyArray1<'py, T>),
    /// An Arrow buffer (reference-counted, no copy).
    Arrow(ScalarBuffer<T>),
    /// Values copied out (strided numpy, several Arrow chunks, compaction).
    Owned(Vec<T>),
}

impl<T: Element + ArrowNativeType> std::ops::Deref for Buf<'_, T> {
    type Target = [T];

    fn deref(&self) -> &[T] {
        self.as_slice()
    }
}

impl<T: Element + ArrowNativeType> Buf<'_, T> {
    /// The values.
    pub fn as_slice(&self) -> &[T] {
        match self {
            // invariant: only contiguous arrays are stored as `Numpy`, so `as_slice` succeeds.
            Buf::Numpy(a) => a.as_slice().unwrap_or(&[]),
            Buf::Arrow(b) => b,
            Buf::Owned(v) => v,
        }
    }

    fn compact(&self, keep: &[bool]) -> Buf<'static, T> {
        Buf::Owned(
            self.as_slice()
                .iter()
                .zip(keep)
                .filter(|(_, k)| **k)
                .map(|(v, _)| *v)
                .collect(),
        )
    }
}

/// A numeric column in its own element type.
pub enum Numbers<'py> {
    I8(Buf<'py, i8>),
    U8(Buf<'py, u8>),
    I16(Buf<'py, i16>),
    U16(Buf<'py, u16>),
    I32(Buf<'py, i32>),
    U32(Buf<'py, u32>),
    I64(Buf<'py, i64>),
    U64(Buf<'py, u64>),
    F32(Buf<'py, f32>),
    F64(Buf<'py, f64>),
}

/// Runs `$body` with `$s` bound to the column's slice in its own element type.
#[macro_export]
macro_rules! with_numbers {
    ($n:expr, $s:ident => $body:expr) => {
        match $n {
            $crate::convert::Numbers::I8(b) => {
                let $s = b.as_slice();
                $body
            }
            $crate::convert::Numbers::U8(b) => {
                let $s = b.as_slice();
                $body
            }
            $crate::convert::Numbers::I16(b) => {
                let $s = b.as_slice();
                $body
            }
            $crate::convert::Numbers::U16(b) => {
                let $s = b.as_slice();
                $body
            }
            $crate::convert::Numbers::I32(b) => {
                let $s = b.as_slice();
                $body
            }
            $crate::convert::Numbers::U32(b) => {
                let $s = b.as_slice();
                $body
            }
            $crate::convert::Numbers::I64(b) => {
                let $s = b.as_slice();
                $body
            }
            $crate::convert::Numbers::U64(b) => {
                let $s = b.as_slice();
                $body
            }
            $crate::convert::Numbers::F32(b) => {
                let $s = b.as_slice();
                $body
            }
            $crate::convert::Numbers::F64(b) => {
                let $s = b.as_slice();
                $body
            }
        }
    };
}

macro_rules! map_numbers {
    ($n:expr, $b:ident => $body:expr) => {
        match $n {
            Numbers::I8($b) => Numbers::I8($body),
            Numbers::U8($b) => Numbers::U8($body),
            Numbers::I16($b) => Numbers::I16($body),
            Numbers::U16($b) => Numbers::U16($body),
            Numbers::I32($b) => Numbers::I32($body),
            Numbers::U32($b) => Numbers::U32($body),
            Numbers::I64($b) => Numbers::I64($body),
            Numbers::U64($b) => Numbers::U64($body),
            Numbers::F32($b) => Numbers::F32($body),
            Numbers::F64($b) => Numbers::F64($body),
        }
    };
}

impl<'py> Numbers<'py> {
    /// Number of values.
    pub fn len(&self) -> usize {
        with_numbers!(self, s => s.len())
    }

    /// The values as `f64` (no copy when they already are).
    #[allow(clippy::unnecessary_cast)] // the macro arm for f64 casts to itself
    pub fn into_f64(self) -> Buf<'py, f64> {
        match self {
            Numbers::F64(b) => b,
            other => Buf::Owned(with_numbers!(&other, s => s.iter().map(|&v| v as f64).collect())),
        }
    }

    /// The values as `i64` (no copy when they already are); `None` if a `u64` does not fit.
    #[allow(clippy::unnecessary_cast)] // the macro arm for i64 casts to itself
    pub fn into_i64(self) -> Option<Buf<'py, i64>> {
        Some(match self {
            Numbers::I64(b) => b,
            Numbers::U64(b) => Buf::Owned(
                b.as_slice()
                    .iter()
                    .map(|&v| i64::try_from(v).ok())
                    .collect::<Option<_>>()?,
            ),
            Numbers::F32(_) | Numbers::F64(_) => return None,
            other => Buf::Owned(with_numbers!(&other, s => s.iter().map(|&v| v as i64).collect())),
        })
    }
}

/// A column plus the positions of its nulls (Arrow validity, `None` in lists).
pub struct Column<T> {
    /// The values (a placeholder at null positions).
    pub data: T,
    /// Sorted positions of nulls.
    pub nulls: Vec<usize>,
}

fn numpy(py: Python<'_>) -> PyResult<&Bound<'_, PyModule>> {
    static NUMPY: PyOnceLock<Py<PyModule>> = PyOnceLock::new();
    Ok(NUMPY
        .get_or_try_init(py, || Ok::<_, PyErr>(py.import("numpy")?.unbind()))?
        .bind(py))
}

fn dtype_error(arg: &'static str, found: impl Into<String>, expected: &'static str) -> BindError {
    BindError::Dtype {
        arg,
        found: found.into(),
        expected,
    }
}

fn bind_err(py: Python<'_>, e: BindError) -> PyErr {
    to_py(py, e)
}

/// Reads a 1-d numpy array of element type `T` (copying only when strided or byte-swapped).
fn numpy_buf<'py, T: Element + ArrowNativeType>(arr: &Bound<'py, PyAny>) -> PyResult<Buf<'py, T>> {
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

fn check_1d(arr: &Bound<'_, PyUntypedArray>, arg: &'static str) -> Result<(), BindError> {
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

fn numbers_from_numpy<'py>(
    obj: &Bound<'py, PyAny>,
    arr: &Bound<'py, PyUntypedArray>,
    arg: &'static str,
) -> PyResult<Numbers<'py>> {
    let py = obj.py();
    check_1d(arr, arg).map_err(|e| bind_err(py, e))?;
    let dtype = arr.dtype();
    Ok(match (dtype.kind(), dtype.itemsize()) {
        (b'i', 1) => Numbers::I8(numpy_buf(obj)?),
        (b'u', 1) => Numbers::U8(numpy_buf(obj)?),
        (b'i', 2) => Numbers::I16(numpy_buf(obj)?),
        (b'u', 2) => Numbers::U16(numpy_buf(obj)?),
        (b'i', 4) => Numbers::I32(numpy_buf(obj)?),
        (b'u', 4) => Numbers::U32(numpy_buf(obj)?),
        (b'i', 8) => Numbers::I64(numpy_buf(obj)?),
        (b'u', 8) => Numbers::U64(numpy_buf(obj)?),
        (b'f', 4) => Numbers::F32(numpy_buf(obj)?),
        (b'f', 8) => Numbers::F64(numpy_buf(obj)?),
        (b'f', _) => Numbers::F64(numpy_buf(&obj.call_method1("astype", ("float64",))?)?),
        _ => {
            let found: String = dtype.str()?.extract()?;
            return Err(bind_err(
                py,
                dtype_error(arg, found, "numbers (integers or floats)"),
            ));
        }
    })
}

fn prim<T: ArrowPrimitiveType>(chunks: &[ArrayRef]) -> (Buf<'static, T::Native>, Vec<usize>)
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

fn null_positions(chunks: &[ArrayRef]) -> Vec<usize> {
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
fn arrow_chunks(obj: &Bound<'_, PyAny>) -> Option<(Vec<ArrayRef>, DataType, bool)> {
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

fn numbers_from_arrow(
    chunks: &[ArrayRef],
    dt: &DataType,
    arg: &'static str,
) -> Result<Column<Numbers<'static>>, BindError> {
    macro_rules! p {
        ($variant:ident, $t:ty) => {{
            let (data, nulls) = prim::<$t>(chunks);
            Column {
                data: Numbers::$variant(data),
                nulls,
            }
        }};
    }
    Ok(match dt {
        DataType::Int8 => p!(I8, Int8Type),
        DataType::UInt8 => p!(U8, UInt8Type),
        DataType::Int16 => p!(I16, Int16Type),
        DataType::UInt16 => p!(U16, UInt16Type),
        DataType::Int32 => p!(I32, Int32Type),
        DataType::UInt32 => p!(U32, UInt32Type),
        DataType::Int64 => p!(I64, Int64Type),
        DataType::UInt64 => p!(U64, UInt64Type),
        DataType::Float32 => p!(F32, Float32Type),
        DataType::Float64 => p!(F64, Float64Type),
        DataType::Null => {
            let len = chunks.iter().map(|c| c.len()).sum();
            Column {
                data: Numbers::F64(Buf::Owned(vec![f64::NAN; len])),
                nulls: (0..len).collect(),
            }
        }
        other => {
            return Err(dtype_error(
                arg,
                format!("arrow {other}"),
                "numbers (integers or floats)",
            ));
        }
    })
}

fn is_pandas_numpy_backed(obj: &Bound<'_, PyAny>) -> bool {
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
fn as_numpy<'py>(
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
    if kind == "O" && float_fallback {
        // Lists with None: let numpy turn None into NaN (a missing value under the policy).
        if let Ok(f) = np.call_method1("asarray", (obj, "float64")) {
            return Ok(f);
        }
    }
    Ok(arr)
}

/// Reads a numeric column (`scores`, `weights`).
pub fn numbers<'py>(obj: &Bound<'py, PyAny>, arg: &'static str) -> PyResult<Column<Numbers<'py>>> {
    let py = obj.py();
    if let Some((chunks, dt, _)) = arrow_chunks(obj) {
        return numbers_from_arrow(&chunks, &dt, arg).map_err(|e| bind_err(py, e));
    }
    let arr = as_numpy(obj, arg, true)?;
    let untyped = arr.cast::<PyUntypedArray>().map_err(PyErr::from)?;
    Ok(Column {
        data: numbers_from_numpy(&arr, untyped, arg)?,
        nulls: Vec::new(),
    })
}

/// Timestamps as integers in a unit.
pub struct Times<'py> {
    /// Values (`i64::MIN` is NaT).
    pub values: Buf<'py, i64>,
    /// Their unit.
    pub unit: TimeUnit,
}

fn unit_of(name: &str) -> Option<TimeUnit> {
    match name {
        "s" => Some(TimeUnit::Seconds),
        "ms" => Some(TimeUnit::Millis),
        "us" => Some(TimeUnit::Micros),
        "ns" => Some(TimeUnit::Nanos),
        "D" => Some(TimeUnit::Days),
        _ => None,
    }
}

/// Reads timestamps: numpy `datetime64`, Arrow timestamp/date columns (pandas, polars, pyarrow), or
/// integers meaning seconds since 1970-01-01 UTC.
pub fn times<'py>(obj: &Bound<'py, PyAny>, arg: &'static str) -> PyResult<Column<Times<'py>>> {
    let py = obj.py();
    if let Some((chunks, dt, _)) = arrow_chunks(obj) {
        let nulls = null_positions(&chunks);
        let (values, unit) = match &dt {
            DataType::Timestamp(u, _) => {
                use arrow_array::types::{
                    TimestampMicrosecondType, TimestampMillisecondType, TimestampNanosecondType,
                    TimestampSecondType,
                };
                match u {
                    ArrowUnit::Second => {
                        (prim::<TimestampSecondType>(&chunks).0, TimeUnit::Seconds)
                    }
                    ArrowUnit::Millisecond => (
                        prim::<TimestampMillisecondType>(&chunks).0,
                        TimeUnit::Millis,
                    ),
                    ArrowUnit::Microsecond => (
                        prim::<TimestampMicrosecondType>(&chunks).0,
                        TimeUnit::Micros,
                    ),
                    ArrowUnit::Nanosecond => {
                        (prim::<TimestampNanosecondType>(&chunks).0, TimeUnit::Nanos)
                    }
                }
            }
            DataType::Date32 => {
                let v = chunks
                    .iter()
                    .flat_map(|c| {
                        c.as_primitive::<Date32Type>()
                            .values()
                            .iter()
                            .map(|&d| d as i64)
                            .collect::<Vec<_>>()
                    })
                    .collect();
                (Buf::Owned(v), TimeUnit::Days)
            }
            DataType::Date64 => {
                let v = chunks
                    .iter()
                    .flat_map(|c| c.as_primitive::<Date64Type>().values().to_vec())
                    .collect();
                (Buf::Owned(v), TimeUnit::Millis)
            }
            _ => {
                let col = numbers_from_arrow(&chunks, &dt, arg).map_err(|e| bind_err(py, e))?;
                let ints = col.data.into_i64().ok_or_else(|| {
                    bind_err(
                        py,
                        dtype_error(
                            arg,
                            format!("arrow {dt}"),
                            "timestamps (datetime64, dates or integer seconds)",
                        ),
                    )
                })?;
                (ints, TimeUnit::Seconds)
            }
        };
        return Ok(Column {
            data: Times { values, unit },
            nulls,
        });
    }
    let mut arr = as_numpy(obj, arg, false)?;
    let kind: String = arr.getattr("dtype")?.getattr("kind")?.extract()?;
    if kind == "O" {
        // Sequences of datetime.datetime / datetime.date (naive = UTC).
        if let Ok(converted) = numpy(py)?.call_method1("asarray", (obj, "datetime64[us]")) {
            arr = converted;
        }
    }
    let untyped = arr.cast::<PyUntypedArray>().map_err(PyErr::from)?;
    check_1d(untyped, arg).map_err(|e| bind_err(py, e))?;
    let dtype = untyped.dtype();
    if dtype.kind() == b'M' {
        let np = numpy(py)?;
        let (name, count): (String, i64) =
            np.call_method1("datetime_data", (&dtype,))?.extract()?;
        let (arr, unit) = match unit_of(&name) {
            Some(u) if count == 1 => (arr.clone(), u),
            _ => (
                arr.call_method1("astype", ("datetime64[s]",))?,
                TimeUnit::Seconds,
            ),
        };
        let ints = arr.call_method1("view", ("int64",))?;
        return Ok(Column {
            data: Times {
                values: numpy_buf(&ints)?,
                unit,
            },
            nulls: Vec::new(),
        });
    }
    let data = numbers_from_numpy(&arr, untyped, arg)?;
    let found = dtype.str()?.to_string();
    let values = data.into_i64().ok_or_else(|| {
        bind_err(
            py,
            dtype_error(
                arg,
                found,
                "timestamps (datetime64, dates or integer seconds)",
            ),
        )
    })?;
    Ok(Column {
        data: Times {
            values,
            unit: TimeUnit::Seconds,
        },
        nulls: Vec::new(),
    })
}

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

impl<'py> Column<Numbers<'py>> {
    /// The values with nulls as NaN, which the core treats as missing (and counts); no copy without nulls.
    pub fn nulls_as_nan(self) -> Numbers<'py> {
        if self.nulls.is_empty() {
            return self.data;
        }
        let mut values: Vec<f64> = self.data.into_f64().as_slice().to_vec();
        for &i in &self.nulls {
            if let Some(v) = values.get_mut(i) {
                *v = f64::NAN;
            }
        }
        Numbers::F64(Buf::Owned(values))
    }
}

impl<'py> Column<Times<'py>> {
    /// The timestamps with nulls as NaT (`i64::MIN`), which the core treats as missing.
    pub fn nulls_as_nat(self) -> Times<'py> {
        if self.nulls.is_empty() {
            return self.data;
        }
        let mut values = self.data.values.as_slice().to_vec();
        for &i in &self.nulls {
            if let Some(v) = values.get_mut(i) {
                *v = i64::MIN;
            }
        }
        Times {
            values: Buf::Owned(values),
            unit: self.data.unit,
        }
    }
}

impl Numbers<'_> {
    /// Rows where `keep` is true.
    pub fn compact(&self, keep: &[bool]) -> Numbers<'static> {
        map_numbers!(self, b => b.compact(keep))
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
