//! Numeric columns: the borrowed buffer, the column in its own element type, and reading it from
//! numpy or Arrow.

use super::*;

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

pub(super) fn numbers_from_numpy<'py>(
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

pub(super) fn numbers_from_arrow(
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

/// Reads a column where a number is meant and a flag is a number too (events, 0/1 outcomes, features,
/// covariates): like [`numbers`], plus booleans (numpy `bool`, pandas `boolean`, Arrow / polars
/// booleans, lists of bools) read as 0 / 1, nulls kept as nulls.
pub fn numbers_or_bools<'py>(
    obj: &Bound<'py, PyAny>,
    arg: &'static str,
) -> PyResult<Column<Numbers<'py>>> {
    let py = obj.py();
    if let Some((chunks, dt, _)) = arrow_chunks(obj) {
        if dt == DataType::Boolean {
            let values: Vec<u8> = chunks
                .iter()
                .flat_map(|c| {
                    c.as_boolean()
                        .values()
                        .iter()
                        .map(u8::from)
                        .collect::<Vec<_>>()
                })
                .collect();
            return Ok(Column {
                data: Numbers::U8(Buf::Owned(values)),
                nulls: null_positions(&chunks),
            });
        }
        return numbers_from_arrow(&chunks, &dt, arg).map_err(|e| bind_err(py, e));
    }
    let arr = as_numpy(obj, arg, true)?;
    let untyped = arr.cast::<PyUntypedArray>().map_err(PyErr::from)?;
    if untyped.dtype().kind() == b'b' {
        check_1d(untyped, arg).map_err(|e| bind_err(py, e))?;
        // A bool is one byte, 0 or 1: read it as uint8 in place.
        let bytes = arr.call_method1("view", ("uint8",))?;
        return Ok(Column {
            data: Numbers::U8(numpy_buf(&bytes)?),
            nulls: Vec::new(),
        });
    }
    Ok(Column {
        data: numbers_from_numpy(&arr, untyped, arg)?,
        nulls: Vec::new(),
    })
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

impl Numbers<'_> {
    /// Rows where `keep` is true.
    pub fn compact(&self, keep: &[bool]) -> Numbers<'static> {
        map_numbers!(self, b => b.compact(keep))
    }
}
