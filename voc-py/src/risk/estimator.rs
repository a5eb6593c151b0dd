//! `voc.risk.ChurnClassifier`'s inputs, read as scikit-learn's estimator protocol reads them (voc never
//! imports scikit-learn): `X` a table or an array-like of numbers, `y` any two labels. The checks and
//! their wording follow scikit-learn's, so its estimator checks pass; the model itself is
//! `fit_logistic`'s.

use pyo3::basic::CompareOp;
use pyo3::prelude::*;

use crate::convert::table_names;
use crate::error::raise_named;

fn numpy(py: Python<'_>) -> PyResult<Bound<'_, PyModule>> {
    py.import("numpy")
}

fn kind(arr: &Bound<'_, PyAny>) -> PyResult<String> {
    arr.getattr("dtype")?.getattr("kind")?.extract()
}

fn shape(arr: &Bound<'_, PyAny>) -> PyResult<Vec<usize>> {
    arr.getattr("shape")?.extract()
}

/// `X` for `fit`, `predict_proba`, ...: a table as it is (with its column names), or an array-like as a
/// numpy array (object arrays of numbers as floats). Sparse, complex, 1-D and featureless input, and
/// (with `fitted`) a wrong number of features, are refused with scikit-learn's wording.
#[pyfunction]
#[pyo3(signature = (x, fitted=None))]
pub fn _risk_estimator_input<'py>(
    py: Python<'py>,
    x: &Bound<'py, PyAny>,
    fitted: Option<usize>,
) -> PyResult<(Bound<'py, PyAny>, Option<Vec<String>>)> {
    let module: String = x
        .get_type()
        .getattr("__module__")
        .and_then(|m| m.extract())
        .unwrap_or_default();
    if x.hasattr("tocsr")? || module.starts_with("scipy.sparse") {
        return Err(raise_named(
            py,
            "DtypeError",
            "X is a sparse matrix: sparse input is not supported; pass a dense array (X.toarray())"
                .into(),
            Some("X"),
        ));
    }
    let (x, names, n) = match table_names(x)? {
        Some(names) => {
            let n = names.len();
            (x.clone(), Some(names), n)
        }
        None => {
            // Array-likes (lists, objects with __array__) as scikit-learn reads them.
            let mut arr = numpy(py)?.call_method1("asarray", (x,))?;
            if kind(&arr)? == "O" {
                // float() of each cell: numbers pass, anything else is refused.
                let type_error = py.import("builtins")?.getattr("TypeError")?;
                arr = arr.call_method1("astype", ("float64",)).map_err(|e| {
                    let class = if e.is_instance(py, &type_error) {
                        "DtypeError"
                    } else {
                        "InputError"
                    };
                    raise_named(
                        py,
                        class,
                        format!(
                            "X has dtype object with a cell that is not a number: {}",
                            e.value(py)
                        ),
                        Some("X"),
                    )
                })?;
            }
            if kind(&arr)? == "c" {
                return Err(raise_named(
                    py,
                    "DtypeError",
                    "Complex data not supported: X has complex values".into(),
                    Some("X"),
                ));
            }
            let s = shape(&arr)?;
            if s.len() == 1 {
                return Err(raise_named(
                    py,
                    "InputError",
                    format!(
                        "Expected a 2-D array, got a 1-D array of shape ({},): Reshape your data either \
                         using array.reshape(-1, 1) if it has a single feature or array.reshape(1, -1) if \
                         it is a single row",
                        s[0]
                    ),
                    Some("X"),
                ));
            }
            if s.len() == 2 && s[1] == 0 {
                return Err(raise_named(
                    py,
                    "InputError",
                    format!(
                        "0 feature(s) (shape=({}, 0)) while a minimum of 1 is required.",
                        s[0]
                    ),
                    Some("X"),
                ));
            }
            let n = if s.len() == 2 { s[1] } else { 0 };
            (arr, None, n)
        }
    };
    if let Some(want) = fitted
        && n != want
    {
        let e = raise_named(
            py,
            "InputError",
            format!(
                "X has {n} features, but ChurnClassifier is expecting {want} features as input"
            ),
            Some("X"),
        );
        // invariant: voc.errors instances take attributes; a failure leaves the error as it was.
        let _ = e.value(py).setattr("value", n);
        return Err(e);
    }
    Ok((x, names))
}

/// `y` (and `sample_weight`) for `fit`: the labels as a 1-D numpy array (a column vector is read as
/// its column, and reported by the last item so that the caller warns), the sorted classes, and the
/// 0/1 target (1 for the last class). More than two classes, all-zero weights and one class among the
/// rows of positive weight are refused with scikit-learn's wording.
#[pyfunction]
#[pyo3(signature = (y, sample_weight=None))]
#[allow(clippy::type_complexity)]
pub fn _risk_estimator_labels<'py>(
    py: Python<'py>,
    y: Option<&Bound<'py, PyAny>>,
    sample_weight: Option<&Bound<'py, PyAny>>,
) -> PyResult<(
    Bound<'py, PyAny>,
    Bound<'py, PyAny>,
    Bound<'py, PyAny>,
    bool,
)> {
    let np = numpy(py)?;
    let Some(y) = y.filter(|y| !y.is_none()) else {
        return Err(raise_named(
            py,
            "InputError",
            "ChurnClassifier requires y to be passed, but the target y is None".into(),
            Some("y"),
        ));
    };
    let mut labels = np.call_method1("asarray", (y,))?;
    let s = shape(&labels)?;
    let column = s.len() == 2 && s[1] == 1;
    if column {
        labels = labels.call_method1("reshape", (-1,))?;
    }
    let classes = np.call_method1("unique", (&labels,))?;
    let n_classes = classes.len()?;
    if let Some(w) = sample_weight.filter(|w| !w.is_none()) {
        let w = np.call_method1("asarray", (w, "float64"))?;
        if shape(&w)? == shape(&labels)? {
            let positive = w.rich_compare(0.0, CompareOp::Gt)?;
            if w.len()? > 0 && !positive.call_method0("any")?.is_truthy()? {
                return Err(raise_named(
                    py,
                    "InputError",
                    "every sample_weight is zero: the fit needs rows of positive weight".into(),
                    Some("sample_weight"),
                ));
            }
            let kept = np.call_method1("unique", (labels.get_item(&positive)?,))?;
            if n_classes == 2 && kept.len()? < 2 {
                return Err(raise_named(
                    py,
                    "InputError",
                    "y has one class only among the rows of positive sample_weight; the fit needs rows \
                     of both classes"
                        .into(),
                    Some("sample_weight"),
                ));
            }
        }
    }
    if n_classes > 2 {
        let whole = np
            .call_method1(
                "all",
                (np.call_method1("mod", (&classes, 1))?
                    .rich_compare(0, CompareOp::Eq)?,),
            )
            .and_then(|b| b.is_truthy())
            .unwrap_or(true);
        let what = if kind(&labels)? == "f" && !whole {
            "continuous"
        } else {
            "multiclass"
        };
        return Err(raise_named(
            py,
            "InputError",
            format!(
                "Only binary classification is supported (churned or not): y has {n_classes} classes \
                 (a {what} target)"
            ),
            Some("y"),
        ));
    }
    // With no rows or one class, the fit reports it (EmptyInputError / InsufficientDataError).
    let target = if n_classes > 0 {
        labels
            .rich_compare(classes.get_item(-1)?, CompareOp::Eq)?
            .call_method1("astype", ("float64",))?
    } else {
        labels.call_method1("astype", ("float64",))?
    };
    Ok((labels, classes, target, column))
}
