//! 2-D inputs: anything numpy reads as a float64 matrix (numpy arrays of any layout, pandas and polars
//! DataFrames, nested lists), handed to the core as an `ndarray` view of its own memory layout.
//!
//! Reading through `as_array()` (never `as_slice()`) is what keeps Fortran-ordered and strided inputs
//! right: the core sees rows and columns, not bytes.

use numpy::{PyReadonlyArray2, PyUntypedArrayMethods};
use pyo3::prelude::*;

use crate::error::{BindError, to_py};

/// Reads `x` as a float64 matrix without copying when it already is one (any layout); other dtypes,
/// DataFrames and lists are converted once by numpy. A value that is not 2-D is a `ShapeError` naming
/// `arg`.
pub fn matrix<'py>(
    x: &Bound<'py, PyAny>,
    arg: &'static str,
) -> PyResult<PyReadonlyArray2<'py, f64>> {
    if let Ok(a) = x.extract::<PyReadonlyArray2<'py, f64>>() {
        return Ok(a);
    }
    let py = x.py();
    let np = py.import("numpy")?;
    // pandas and polars DataFrames convert through `to_numpy()`, which keeps their column-major layout.
    let arr = if x.hasattr("to_numpy")? && x.hasattr("columns")? {
        x.call_method0("to_numpy")?
    } else {
        x.clone()
    };
    let arr = np.call_method1("asarray", (arr, "float64")).map_err(|_| {
        to_py(
            py,
            BindError::Dtype {
                arg,
                found: type_name(x),
                expected: "a 2-D array of numbers (rows × columns)",
            },
        )
    })?;
    let ndim: usize = arr.getattr("ndim")?.extract()?;
    if ndim != 2 {
        let shape: Vec<usize> = arr.getattr("shape")?.extract()?;
        return Err(to_py(
            py,
            BindError::Shape {
                arg,
                shape,
                ndim: 2,
            },
        ));
    }
    let out: PyReadonlyArray2<'py, f64> = arr.extract()?;
    debug_assert_eq!(out.ndim(), 2);
    Ok(out)
}

fn type_name(x: &Bound<'_, PyAny>) -> String {
    x.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "an object".into())
}
