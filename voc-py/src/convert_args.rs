//! Options and scalar arguments → Rust values, for every `#[pyfunction]` and method.
//!
//! pyo3's own conversions raise Python's `OverflowError` (`seed=-1`), a bare `TypeError`
//! (`interval=1`) or `UnicodeEncodeError` (a lone surrogate), and silently truncate nothing but accept
//! what they should not (`k=True`). Every option is therefore read through one of the functions here,
//! named in the signature:
//!
//! ```ignore
//! #[pyo3(signature = (*, k, seed = 0))]
//! fn f(#[pyo3(from_py_with = whole::<usize>)] k: usize, #[pyo3(from_py_with = whole::<u64>)] seed: u64)
//! ```
//!
//! Each raises a `voc.errors` class: `DtypeError` (also a `TypeError`) for a value of the wrong type,
//! `InvalidOptionError` (also a `ValueError`) for a value of the right type outside the range. pyo3
//! notes the argument being read on the exception ("while processing 'k'"), and `VocError.add_note`
//! takes that name as the error's `.arg` and puts it in front of the message — so the converters do not
//! need to know the argument's name.
//!
//! Whole numbers: Python ints, numpy integers and integral floats (`2.0`, what pandas gives); never
//! bools, non-integral floats or strings. Reals: ints and floats (Python or numpy), never bools or
//! strings (NaN and ±inf pass: the core's validation names them). Text: `str` only, with no lone
//! surrogate. A list of texts is never a single `str` (`reason_shares("price")` would count letters).

use pyo3::exceptions::PyOverflowError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyComplex, PyFloat, PyString};

use crate::error::raise_named;

/// Integer types an option can be read as, with their range (for the message).
pub trait Whole: Sized + Copy {
    /// Smallest value.
    const MIN: i128;
    /// Largest value.
    const MAX: i128;
    /// The value (already checked to be in `MIN..=MAX`).
    fn from_i128(v: i128) -> Self;
}

macro_rules! whole_impl {
    ($($t:ty),*) => {$(
        impl Whole for $t {
            const MIN: i128 = <$t>::MIN as i128;
            const MAX: i128 = <$t>::MAX as i128;
            fn from_i128(v: i128) -> Self {
                v as $t
            }
        }
    )*};
}
whole_impl!(u8, u16, u32, u64, usize, i32, i64);

fn type_name(ob: &Bound<'_, PyAny>) -> String {
    ob.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "?".into())
}

fn short_repr(ob: &Bound<'_, PyAny>) -> String {
    let r = ob
        .repr()
        .map(|r| r.to_string_lossy().into_owned())
        .unwrap_or_else(|_| "?".into());
    if r.chars().count() > 60 {
        format!("{}…", r.chars().take(60).collect::<String>())
    } else {
        r
    }
}

fn dtype(ob: &Bound<'_, PyAny>, expected: &str) -> PyErr {
    raise_named(
        ob.py(),
        "DtypeError",
        format!(
            "expected {expected}, got {} ({})",
            type_name(ob),
            short_repr(ob)
        ),
        None,
    )
}

fn invalid(ob: &Bound<'_, PyAny>, expected: &str) -> PyErr {
    raise_named(
        ob.py(),
        "InvalidOptionError",
        format!("expected {expected}, got {}", short_repr(ob)),
        None,
    )
}

/// Python and numpy complex numbers (numpy's `__float__` would drop the imaginary part with only a
/// warning).
fn is_complex(ob: &Bound<'_, PyAny>) -> bool {
    ob.is_instance_of::<PyComplex>() || type_name(ob).starts_with("complex")
}

fn is_bool(ob: &Bound<'_, PyAny>) -> bool {
    ob.is_instance_of::<PyBool>() || type_name(ob) == "bool" || type_name(ob) == "bool_"
}

fn range_text<T: Whole>() -> String {
    if T::MIN == 0 {
        format!("a whole number ≥ 0 (at most {})", T::MAX)
    } else {
        format!("a whole number in {}..={}", T::MIN, T::MAX)
    }
}

/// A whole number in the range of `T` (see the module documentation).
pub fn whole<T: Whole>(ob: &Bound<'_, PyAny>) -> PyResult<T> {
    if is_bool(ob) {
        return Err(dtype(ob, "an int"));
    }
    let value: i128 = if ob.is_instance_of::<PyFloat>() || type_name(ob).starts_with("float") {
        let f: f64 = ob.extract().map_err(|_| dtype(ob, "an int"))?;
        if !(f.is_finite() && f.fract() == 0.0) {
            return Err(invalid(ob, &range_text::<T>()));
        }
        if f.abs() >= 1.7e38 {
            return Err(invalid(ob, &range_text::<T>()));
        }
        f as i128
    } else {
        match ob.extract::<i128>() {
            Ok(v) => v,
            Err(e) if e.is_instance_of::<PyOverflowError>(ob.py()) => {
                return Err(invalid(ob, &range_text::<T>()));
            }
            Err(_) => return Err(dtype(ob, "an int")),
        }
    };
    if value < T::MIN || value > T::MAX {
        return Err(invalid(ob, &range_text::<T>()));
    }
    Ok(T::from_i128(value))
}

/// [`whole`], or `None` for `None`.
pub fn opt_whole<T: Whole>(ob: &Bound<'_, PyAny>) -> PyResult<Option<T>> {
    if ob.is_none() {
        Ok(None)
    } else {
        whole(ob).map(Some)
    }
}

/// A pair of whole numbers (such as a scale's lowest and highest points).
pub fn whole_pair<T: Whole>(ob: &Bound<'_, PyAny>) -> PyResult<(T, T)> {
    if ob.is_instance_of::<PyString>() {
        return Err(dtype(ob, "a pair of ints"));
    }
    let items: Vec<Bound<'_, PyAny>> = ob
        .try_iter()
        .map_err(|_| dtype(ob, "a pair of ints"))?
        .collect::<PyResult<_>>()
        .map_err(|_| dtype(ob, "a pair of ints"))?;
    match items.as_slice() {
        [a, b] => Ok((whole(a)?, whole(b)?)),
        _ => Err(invalid(ob, "a pair of ints (low, high)")),
    }
}

/// A list of whole numbers (never a single number or a string).
pub fn wholes<T: Whole>(ob: &Bound<'_, PyAny>) -> PyResult<Vec<T>> {
    sequence(ob, "a list of ints")?
        .iter()
        .map(|item| whole(item))
        .collect()
}

/// A real number (see the module documentation).
pub fn real(ob: &Bound<'_, PyAny>) -> PyResult<f64> {
    if is_bool(ob) || is_complex(ob) || ob.is_instance_of::<PyString>() {
        return Err(dtype(ob, "a number"));
    }
    match ob.extract::<f64>() {
        Ok(v) => Ok(v),
        Err(e) if e.is_instance_of::<PyOverflowError>(ob.py()) => {
            Err(invalid(ob, "a number within the range of a float"))
        }
        Err(_) => Err(dtype(ob, "a number")),
    }
}

/// [`real`], or `None` for `None`.
pub fn opt_real(ob: &Bound<'_, PyAny>) -> PyResult<Option<f64>> {
    if ob.is_none() {
        Ok(None)
    } else {
        real(ob).map(Some)
    }
}

/// A list of real numbers (never a single number or a string).
pub fn reals(ob: &Bound<'_, PyAny>) -> PyResult<Vec<f64>> {
    if let Ok(arr) = ob.extract::<numpy::PyReadonlyArray1<'_, f64>>() {
        return Ok(arr.as_array().to_vec());
    }
    sequence(ob, "a list of numbers")?
        .iter()
        .map(|item| real(item))
        .collect()
}

/// [`reals`], or `None` for `None`.
pub fn opt_reals(ob: &Bound<'_, PyAny>) -> PyResult<Option<Vec<f64>>> {
    if ob.is_none() {
        Ok(None)
    } else {
        reals(ob).map(Some)
    }
}

/// Rows of real numbers (a list of lists, or a 2-D array), or `None` for `None`; a row that is not a
/// list of numbers (a number, a string) is a `DtypeError`.
pub fn opt_real_rows(ob: &Bound<'_, PyAny>) -> PyResult<Option<Vec<Vec<f64>>>> {
    if ob.is_none() {
        return Ok(None);
    }
    sequence(ob, "rows of numbers (a list of lists)")?
        .iter()
        .map(|row| reals(row))
        .collect::<PyResult<_>>()
        .map(Some)
}

/// `True` or `False` (Python or numpy), nothing else.
pub fn flag(ob: &Bound<'_, PyAny>) -> PyResult<bool> {
    if !is_bool(ob) {
        return Err(dtype(ob, "a bool (True or False)"));
    }
    ob.extract::<bool>().map_err(|_| dtype(ob, "a bool"))
}

/// A `str` without lone surrogates.
pub fn text<'a>(ob: &'a Bound<'_, PyAny>) -> PyResult<&'a str> {
    text_of(ob, None)
}

/// [`text`] for an argument not read through `from_py_with` (so pyo3 does not note its name): the
/// error names `arg`.
pub fn text_arg<'a>(ob: &'a Bound<'_, PyAny>, arg: &str) -> PyResult<&'a str> {
    text_of(ob, Some(arg))
}

fn text_of<'a>(ob: &'a Bound<'_, PyAny>, arg: Option<&str>) -> PyResult<&'a str> {
    let s = ob.cast::<PyString>().map_err(|_| dtype(ob, "a str"))?;
    s.to_str().map_err(|_| {
        let prefix = arg.map(|a| format!("{a} = ")).unwrap_or_default();
        raise_named(
            ob.py(),
            "InvalidOptionError",
            format!(
                "{prefix}{} is not valid Unicode (it holds a lone surrogate)",
                short_repr(ob)
            ),
            arg,
        )
    })
}

/// A `str` object, kept as Python's (for text the caller reads itself, reporting positions).
pub fn py_str<'py>(ob: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyString>> {
    ob.cast::<PyString>()
        .cloned()
        .map_err(|_| dtype(ob, "a str"))
}

/// An instance of the voc class `T` (a `DtypeError` naming the class otherwise).
pub fn instance<'py, T: pyo3::PyClass>(ob: &Bound<'py, PyAny>) -> PyResult<Bound<'py, T>> {
    ob.cast::<T>().cloned().map_err(|_| {
        let name = std::any::type_name::<T>()
            .rsplit("::")
            .next()
            .unwrap_or("?");
        dtype(ob, &format!("a voc {name}"))
    })
}

/// The bytes of a `bytes` or `bytearray` (a `DtypeError` otherwise), without a copy of `bytes`.
pub fn byte_string(ob: &Bound<'_, PyAny>) -> PyResult<pyo3::pybacked::PyBackedBytes> {
    ob.extract().map_err(|_| dtype(ob, "bytes or bytearray"))
}

/// [`text`], or `None` for `None`.
pub fn opt_text<'a>(ob: &'a Bound<'_, PyAny>) -> PyResult<Option<&'a str>> {
    if ob.is_none() {
        Ok(None)
    } else {
        text(ob).map(Some)
    }
}

/// [`text`] as an owned `String`.
pub fn string(ob: &Bound<'_, PyAny>) -> PyResult<String> {
    text(ob).map(str::to_owned)
}

fn sequence<'py>(ob: &Bound<'py, PyAny>, expected: &str) -> PyResult<Vec<Bound<'py, PyAny>>> {
    if ob.is_instance_of::<PyString>() || ob.is_none() {
        return Err(dtype(ob, expected));
    }
    let iter = ob.try_iter().map_err(|_| dtype(ob, expected))?;
    iter.collect::<PyResult<Vec<_>>>()
        .map_err(|_| dtype(ob, expected))
}

/// A list of `str` — never a single `str` (which would be read letter by letter).
pub fn texts(ob: &Bound<'_, PyAny>) -> PyResult<Vec<String>> {
    sequence(ob, "a list of str (not a single str)")?
        .iter()
        .map(string)
        .collect()
}

/// [`texts`], or `None` for `None`.
pub fn opt_texts(ob: &Bound<'_, PyAny>) -> PyResult<Option<Vec<String>>> {
    if ob.is_none() {
        Ok(None)
    } else {
        texts(ob).map(Some)
    }
}
