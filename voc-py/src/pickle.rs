//! Pickling of result classes: their core struct in a compact binary serde form (bincode, which
//! keeps every float bit-exact, NaN included) inside the checksummed envelope of
//! [`voc_core::envelope`]: magic, the result class, the layout version, the body, and a checksum
//! over all of it. Loading checks the envelope first, reads the body with every length bounded by
//! the bytes present, rejects trailing bytes, then checks the decoded value's invariants
//! ([`Checked`]); anything else is a `voc.DecodeError` naming the class and the reason.

use bincode::Options;
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use serde::Serialize;
use serde::de::DeserializeOwned;
use voc_core::{Error, envelope};

use crate::error::IntoPy;

/// The layout version of every result pickle: raised when a pickled struct changes shape
/// (`voc-py/tests/test_bytes_fuzz.py` pins the bytes of one result of each class, so a change
/// cannot go unnoticed).
pub const LAYOUT: u16 = 1;

/// The invariants a decoded value must keep so that no later method can panic or hang on it
/// (parallel vectors of one length, labels for every group, shapes that agree). A checksummed
/// payload can still be forged; this is what makes a forged one harmless.
pub trait Checked {
    /// Why the value is inconsistent, if it is.
    fn check(&self) -> Result<(), String> {
        Ok(())
    }
}

/// The voc release that writes result pickles: a pickle is read back only by the same
/// `major.minor` (result layouts may change between minor releases; a model's or a state's byte
/// form stays readable across releases).
const WRITER: &str = env!("CARGO_PKG_VERSION");

/// `major.minor` of a version string.
fn minor(v: &str) -> &str {
    match v.match_indices('.').nth(1) {
        Some((i, _)) => &v[..i],
        None => v,
    }
}

/// bincode as `bincode::serialize` writes it (fixed-width little-endian integers), reading at most
/// `limit` bytes and nothing after the value.
fn options(limit: usize) -> impl Options {
    bincode::DefaultOptions::new()
        .with_fixint_encoding()
        .with_limit(limit as u64)
        .reject_trailing_bytes()
}

/// The state bytes of a result of class `kind`.
pub fn dump<'py, T: Serialize>(
    py: Python<'py>,
    kind: &'static str,
    value: &T,
) -> PyResult<Bound<'py, PyBytes>> {
    Ok(PyBytes::new(py, &encode(kind, value).py_err(py)?))
}

/// A result of class `kind` from its state bytes, checked; anything else is a `voc.DecodeError`.
pub fn load<T: DeserializeOwned + Checked>(
    py: Python<'_>,
    kind: &'static str,
    data: &[u8],
) -> PyResult<T> {
    decode(kind, data).py_err(py)
}

/// [`dump`] without Python: the writer's version (u64 length + UTF-8) and the bincode of `value`, in
/// the envelope.
pub fn encode<T: Serialize>(kind: &'static str, value: &T) -> voc_core::Result<Vec<u8>> {
    let value = bincode::serialize(value).map_err(|e| Error::Decode {
        what: kind,
        reason: e.to_string(),
    })?;
    let mut body = (WRITER.len() as u64).to_le_bytes().to_vec();
    body.extend_from_slice(WRITER.as_bytes());
    body.extend_from_slice(&value);
    Ok(envelope::seal(kind, LAYOUT, &body))
}

/// [`load`] without Python: the envelope, the writer's version, the bounded body, the invariants.
pub fn decode<T: DeserializeOwned + Checked>(
    kind: &'static str,
    data: &[u8],
) -> voc_core::Result<T> {
    let fail = |reason: String| Error::Decode { what: kind, reason };
    let body = envelope::open(data, kind, LAYOUT)?;
    let (writer, body) = match body.split_first_chunk::<8>() {
        Some((n, rest)) => {
            let n = usize::try_from(u64::from_le_bytes(*n)).unwrap_or(usize::MAX);
            match (rest.get(..n), rest.get(n..)) {
                (Some(w), Some(b)) => (String::from_utf8_lossy(w), b),
                _ => return Err(fail("the writer's version is cut".into())),
            }
        }
        None => return Err(fail("the writer's version is missing".into())),
    };
    if minor(&writer) != minor(WRITER) {
        return Err(fail(format!(
            "pickled by voc {writer}; this is voc {WRITER}, which reads result pickles of voc {}.x \
             (recompute the result, or load it with that version)",
            minor(WRITER)
        )));
    }
    let value: T = options(body.len())
        .deserialize(body)
        .map_err(|e| fail(e.to_string()))?;
    value.check().map_err(fail)?;
    Ok(value)
}

/// Whether two values serialise to the same bytes: equality that treats identical NaNs as equal.
pub fn same<T: Serialize>(a: &T, b: &T) -> bool {
    matches!((bincode::serialize(a), bincode::serialize(b)), (Ok(x), Ok(y)) if x == y)
}

/// Pickling and bit-exact equality for a frozen result class holding its core struct in `inner`
/// (whose type implements [`Checked`]).
#[macro_export]
macro_rules! pickled {
    ($cls:ident) => {
        #[pymethods]
        impl $cls {
            fn __reduce__<'py>(
                &self,
                py: Python<'py>,
            ) -> PyResult<(Bound<'py, PyAny>, (Bound<'py, pyo3::types::PyBytes>,))> {
                let state = $crate::pickle::dump(py, stringify!($cls), &self.inner)?;
                Ok((py.get_type::<$cls>().getattr("_from_state")?, (state,)))
            }
            /// Rebuilds a result from its pickled state.
            #[staticmethod]
            fn _from_state(py: Python<'_>, data: &[u8]) -> PyResult<Self> {
                Ok($cls {
                    inner: $crate::pickle::load(py, stringify!($cls), data)?,
                })
            }
            /// Equal when every field is equal bit for bit (so NaN fields compare equal to themselves).
            fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
                other
                    .cast::<$cls>()
                    .is_ok_and(|o| $crate::pickle::same(&o.get().inner, &self.inner))
            }
        }
    };
}

/// Pickling through the core's versioned, checksummed byte form (`to_bytes` / `from_bytes` of `$core`),
/// and bit-exact equality, for a frozen model class holding its core model in `inner`. Corrupted or
/// foreign bytes raise `voc.DecodeError`.
#[macro_export]
macro_rules! core_pickled {
    ($cls:ident, $core:ty) => {
        #[pymethods]
        impl $cls {
            /// The model as bytes (the core's versioned, checksummed byte form: exact, NaN included),
            /// for storing it; `from_bytes` reads them.
            fn to_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, pyo3::types::PyBytes> {
                pyo3::types::PyBytes::new(py, &self.inner.to_bytes())
            }
            /// A model from `to_bytes` output; anything else is a `voc.DecodeError`.
            #[staticmethod]
            fn from_bytes(
                py: Python<'_>,
                #[pyo3(from_py_with = $crate::convert_args::byte_string)]
                data: pyo3::pybacked::PyBackedBytes,
            ) -> PyResult<Self> {
                use $crate::error::IntoPy;
                Ok($cls {
                    inner: <$core>::from_bytes(&data).py_err(py)?,
                })
            }
            fn __reduce__<'py>(
                &self,
                py: Python<'py>,
            ) -> PyResult<(Bound<'py, PyAny>, (Bound<'py, pyo3::types::PyBytes>,))> {
                let state = pyo3::types::PyBytes::new(py, &self.inner.to_bytes());
                Ok((py.get_type::<$cls>().getattr("_from_state")?, (state,)))
            }
            /// Rebuilds a model from its pickled state (the core byte form).
            #[staticmethod]
            fn _from_state(py: Python<'_>, data: &[u8]) -> PyResult<Self> {
                use $crate::error::IntoPy;
                Ok($cls {
                    inner: <$core>::from_bytes(data).py_err(py)?,
                })
            }
            /// Equal when every field is equal bit for bit (so NaN fields compare equal to themselves).
            fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
                other
                    .cast::<$cls>()
                    .is_ok_and(|o| o.get().inner.to_bytes() == self.inner.to_bytes())
            }
        }
    };
}

/// Marks result structs whose every field combination is harmless (plain numbers, no parallel
/// vectors a method indexes), so that decoding needs no check beyond the envelope and the layout.
#[macro_export]
macro_rules! plain_checked {
    ($($ty:ty),* $(,)?) => {
        $( impl $crate::pickle::Checked for $ty {} )*
    };
}

/// `Err` naming `what` unless every length in `lens` equals `n`.
pub fn same_len(what: &str, n: usize, lens: &[usize]) -> Result<(), String> {
    match lens.iter().find(|&&l| l != n) {
        Some(l) => Err(format!(
            "{what}: a vector of {l} values where {n} are expected"
        )),
        None => Ok(()),
    }
}

/// `Err` naming `what` unless `x` is a probability (NaN allowed where a value is undefined).
fn unit(what: &str, x: f64) -> Result<(), String> {
    if x.is_nan() || (0.0..=1.0).contains(&x) {
        Ok(())
    } else {
        Err(format!("{what} = {x} is not in [0, 1]"))
    }
}

impl Checked for voc_core::retention::KaplanMeier {
    fn check(&self) -> Result<(), String> {
        if !(self.confidence > 0.0 && self.confidence < 1.0) {
            return Err(format!("confidence = {} is not in (0, 1)", self.confidence));
        }
        for (g, c) in self.curves.iter().enumerate() {
            let what = format!("curve {g}");
            same_len(
                &what,
                c.time.len(),
                &[
                    c.at_risk.len(),
                    c.events.len(),
                    c.censored.len(),
                    c.survival.len(),
                    c.variance.len(),
                    c.ci_low.len(),
                    c.ci_high.len(),
                ],
            )?;
            if c.time.windows(2).any(|w| !(w[0] < w[1])) {
                return Err(format!("{what}: times are not increasing"));
            }
            if c.survival.windows(2).any(|w| w[1] > w[0]) {
                return Err(format!("{what}: survival increases"));
            }
            for &s in c.survival.iter().chain(&c.ci_low).chain(&c.ci_high) {
                unit(&format!("{what}: survival"), s)?;
            }
        }
        Ok(())
    }
}

impl Checked for voc_core::retention::LogRank {
    fn check(&self) -> Result<(), String> {
        let k = self.n.len();
        same_len(
            "log-rank groups",
            k,
            &[self.observed.len(), self.expected.len()],
        )?;
        if k < 2 || self.df != k - 1 {
            return Err(format!("{} degrees of freedom for {k} groups", self.df));
        }
        unit("p_value", self.p_value)
    }
}

impl Checked for voc_core::retention::CohortRetention {
    fn check(&self) -> Result<(), String> {
        let k = self.cohort.len();
        same_len(
            "cohorts",
            k,
            &[
                self.label.len(),
                self.size.len(),
                self.repurchase_eligible.len(),
                self.repurchased.len(),
                self.repurchase_rate.len(),
            ],
        )?;
        let cells = k
            .checked_mul(self.n_offsets)
            .ok_or_else(|| format!("{k} cohorts × {} offsets", self.n_offsets))?;
        same_len(
            "cohort matrix",
            cells,
            &[self.active.len(), self.retention.len()],
        )?;
        if self.cohort.windows(2).any(|w| w[0] >= w[1]) {
            return Err("cohorts are not increasing".into());
        }
        Ok(())
    }
}

impl Checked for voc_core::risk::CrossValidation {
    fn check(&self) -> Result<(), String> {
        same_len(
            "out-of-fold rows",
            self.fold.len(),
            &[self.probability.len()],
        )?;
        let k = self.fold_auc.len();
        match self.fold.iter().flatten().find(|&&f| f as usize >= k) {
            Some(f) => Err(format!("fold {f} of {k} folds")),
            None => Ok(()),
        }
    }
}

plain_checked!(
    voc_core::stats::TestResult,
    voc_core::text::Polarity,
    voc_core::metrics::NpsResult,
    voc_core::metrics::CsatResult,
    voc_core::metrics::CesResult,
    voc_core::risk::Evaluation,
    voc_core::risk::Confusion,
    voc_core::risk::PrecisionThreshold,
    voc_core::impact::Correlation,
);

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
    struct Sample {
        v: Vec<f64>,
        s: String,
    }
    impl Checked for Sample {
        fn check(&self) -> Result<(), String> {
            same_len("v", 2, &[self.v.len()])
        }
    }

    fn bytes(v: &Sample) -> Vec<u8> {
        encode("Sample", v).unwrap_or_default()
    }

    /// The envelope of `value` as if voc `writer` had written it.
    fn written_by(writer: &str, value: &[u8]) -> Vec<u8> {
        let mut body = (writer.len() as u64).to_le_bytes().to_vec();
        body.extend_from_slice(writer.as_bytes());
        body.extend_from_slice(value);
        envelope::seal("Sample", LAYOUT, &body)
    }

    #[test]
    fn round_trip_and_every_flip() {
        let s = Sample {
            v: vec![1.0, f64::NAN],
            s: "é".into(),
        };
        let b = bytes(&s);
        let back: Sample = decode("Sample", &b).unwrap_or(Sample {
            v: vec![],
            s: String::new(),
        });
        assert_eq!(bincode::serialize(&back).ok(), bincode::serialize(&s).ok());
        for i in 0..b.len() * 8 {
            let mut c = b.clone();
            c[i / 8] ^= 1 << (i % 8);
            assert!(decode::<Sample>("Sample", &c).is_err(), "bit {i}");
        }
        for n in 0..b.len() {
            assert!(decode::<Sample>("Sample", &b[..n]).is_err(), "{n}");
        }
    }

    #[test]
    fn forged_lengths_and_invariants_are_rejected() {
        // A checksummed body claiming 2^60 floats: bounded by the body's length, no allocation.
        let mut body = (1u64 << 60).to_le_bytes().to_vec();
        body.extend_from_slice(&[0; 16]);
        let forged = written_by(WRITER, &body);
        assert!(decode::<Sample>("Sample", &forged).is_err());
        // A writer's version that claims more bytes than there are.
        let mut cut = u64::MAX.to_le_bytes().to_vec();
        cut.push(b'0');
        let e = decode::<Sample>("Sample", &envelope::seal("Sample", LAYOUT, &cut));
        assert!(
            e.err()
                .is_some_and(|e| e.to_string().contains("version is cut"))
        );
        // Valid bincode, but three values where the invariant wants two.
        let three = bytes(&Sample {
            v: vec![1.0; 3],
            s: String::new(),
        });
        let e = decode::<Sample>("Sample", &three)
            .err()
            .map(|e| e.to_string());
        assert!(e.is_some_and(|e| e.contains("3 values where 2")));
        // Trailing bytes after the value.
        let mut body = bincode::serialize(&Sample {
            v: vec![1.0; 2],
            s: String::new(),
        })
        .unwrap_or_default();
        body.push(0);
        assert!(decode::<Sample>("Sample", &written_by(WRITER, &body)).is_err());
    }

    #[test]
    fn another_minor_release_is_named() {
        let value = bincode::serialize(&Sample {
            v: vec![1.0; 2],
            s: String::new(),
        })
        .unwrap_or_default();
        let same_minor = format!("{}.99", minor(WRITER));
        assert!(decode::<Sample>("Sample", &written_by(&same_minor, &value)).is_ok());
        let e = decode::<Sample>("Sample", &written_by("9.1.0", &value)).err();
        assert!(e.is_some_and(|e| e.to_string().contains("pickled by voc 9.1.0")));
        assert_eq!(minor("0.2.0"), "0.2");
        assert_eq!(minor("1"), "1");
    }
}
