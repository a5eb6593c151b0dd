//! Timestamp columns: numpy `datetime64`, Arrow timestamps and dates, or integer seconds.

use super::*;

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
