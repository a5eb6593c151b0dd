//! A `Table`'s columns as one Arrow record batch, for `__arrow_c_stream__` (polars, pyarrow, DuckDB read
//! it without pandas).
//!
//! The columns a `Table` holds are the ones this crate builds (numpy float64 / int64 / bool /
//! `datetime64[D]` arrays, lists of optional strings, pandas categoricals for labels) plus whatever a
//! user passed to `Table(kind, columns)`; numpy arrays of other numeric and datetime dtypes are read too.

use std::sync::Arc;

use arrow_array::types::Int32Type;
use arrow_array::{
    ArrayRef, BooleanArray, Date32Array, DictionaryArray, Float64Array, Int32Array, Int64Array,
    RecordBatch, RecordBatchOptions, StringArray, TimestampMicrosecondArray,
    TimestampMillisecondArray, TimestampNanosecondArray, TimestampSecondArray,
};
use arrow_schema::{Field, Schema};
use numpy::{PyArrayDescrMethods, PyReadonlyArray1, PyUntypedArray, PyUntypedArrayMethods};
use pyo3::prelude::*;

use crate::error::raise_named;

fn unreadable(py: Python<'_>, name: &str, what: String) -> PyErr {
    raise_named(
        py,
        "DtypeError",
        format!("column {name:?} cannot be exported to Arrow: {what}"),
        Some("columns"),
    )
}

/// The numpy array `obj` (any 1-D dtype voc tables hold) as an Arrow array.
fn numpy_column(py: Python<'_>, name: &str, obj: &Bound<'_, PyAny>) -> PyResult<ArrayRef> {
    let arr = obj.cast::<PyUntypedArray>()?;
    if arr.ndim() != 1 {
        return Err(unreadable(py, name, format!("{} dimensions", arr.ndim())));
    }
    let dtype = arr.dtype();
    let kind = dtype.kind() as char;
    let cast = |target: &str| obj.call_method1("astype", (target,));
    Ok(match kind {
        'f' => {
            let a: PyReadonlyArray1<f64> = cast("float64")?.extract()?;
            Arc::new(Float64Array::from_iter_values(a.as_array().iter().copied()))
        }
        'i' | 'u' => {
            let a: PyReadonlyArray1<i64> = cast("int64")?.extract()?;
            Arc::new(Int64Array::from_iter_values(a.as_array().iter().copied()))
        }
        'b' => {
            let a: PyReadonlyArray1<bool> = obj.extract()?;
            Arc::new(BooleanArray::from_iter(
                a.as_array().iter().map(|&b| Some(b)),
            ))
        }
        'M' => {
            let unit = dtype.str()?.to_string();
            let a: PyReadonlyArray1<i64> = obj.call_method1("view", ("int64",))?.extract()?;
            // NaT is i64::MIN in every unit.
            let view = a.as_array();
            let values = view.iter().map(|&v| (v != i64::MIN).then_some(v));
            if unit.ends_with("[D]") {
                let days = values.map(|v| v.and_then(|d| i32::try_from(d).ok()));
                Arc::new(Date32Array::from_iter(days))
            } else if unit.ends_with("[s]") {
                Arc::new(TimestampSecondArray::from_iter(values))
            } else if unit.ends_with("[ms]") {
                Arc::new(TimestampMillisecondArray::from_iter(values))
            } else if unit.ends_with("[us]") {
                Arc::new(TimestampMicrosecondArray::from_iter(values))
            } else if unit.ends_with("[ns]") {
                Arc::new(TimestampNanosecondArray::from_iter(values))
            } else {
                return Err(unreadable(py, name, format!("datetime unit {unit}")));
            }
        }
        'U' | 'O' => string_column(py, name, &obj.call_method0("tolist")?)?,
        other => return Err(unreadable(py, name, format!("numpy dtype kind {other:?}"))),
    })
}

/// A list of optional strings as an Arrow string array.
fn string_column(py: Python<'_>, name: &str, obj: &Bound<'_, PyAny>) -> PyResult<ArrayRef> {
    let values: Vec<Option<String>> = obj.extract().map_err(|_| {
        unreadable(
            py,
            name,
            "a list whose items are not all strings or None".into(),
        )
    })?;
    Ok(Arc::new(StringArray::from(values)))
}

/// One column of a `Table` as an Arrow array.
pub fn column(py: Python<'_>, name: &str, obj: &Bound<'_, PyAny>) -> PyResult<ArrayRef> {
    if obj.is_instance_of::<PyUntypedArray>() {
        return numpy_column(py, name, obj);
    }
    if obj.hasattr("categories")? && obj.hasattr("codes")? {
        // A pandas Categorical: a dictionary array keeps the category order and the labels' dtype.
        let codes: PyReadonlyArray1<i32> = obj
            .getattr("codes")?
            .call_method1("astype", ("int32",))?
            .extract()?;
        let keys = Int32Array::from_iter(codes.as_array().iter().map(|&c| (c >= 0).then_some(c)));
        let categories = obj.getattr("categories")?.call_method0("to_numpy")?;
        let values = column(py, name, &categories)?;
        let dict = DictionaryArray::<Int32Type>::try_new(keys, values)
            .map_err(|e| unreadable(py, name, e.to_string()))?;
        return Ok(Arc::new(dict));
    }
    string_column(py, name, obj)
}

/// The columns as one record batch.
pub fn record_batch(
    py: Python<'_>,
    names: &[String],
    columns: &[Py<PyAny>],
    rows: usize,
) -> PyResult<RecordBatch> {
    let mut fields = Vec::with_capacity(names.len());
    let mut arrays = Vec::with_capacity(names.len());
    for (name, col) in names.iter().zip(columns) {
        let array = column(py, name, col.bind(py))?;
        fields.push(Field::new(name, array.data_type().clone(), true));
        arrays.push(array);
    }
    let options = RecordBatchOptions::new().with_row_count(Some(rows));
    RecordBatch::try_new_with_options(Arc::new(Schema::new(fields)), arrays, &options)
        .map_err(|e| unreadable(py, "(table)", e.to_string()))
}
