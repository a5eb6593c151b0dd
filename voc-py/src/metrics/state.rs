//! The mergeable state classes `NpsState`, `CsatState` and `CesState`.

use super::*;

// ---------------------------------------------------------------- states

/// Dense group ids from a float column (whole numbers in 0..MAX_GROUPS); integer columns take the keyed
/// path instead.
#[allow(clippy::unnecessary_cast)] // the macro arm for f64 casts to itself
fn group_codes(py: Python<'_>, groups: &Numbers<'_>) -> PyResult<Vec<u32>> {
    let codes: Result<Vec<u32>, Error> = with_numbers!(groups, s => s
        .iter()
        .enumerate()
        .map(|(index, &g)| {
            let v = g as f64;
            if v >= 0.0 && v.fract() == 0.0 && v < voc_core::metrics::MAX_GROUPS as f64 {
                Ok(v as u32)
            } else {
                Err(Error::InvalidValue { arg: "by", index, value: v, reason: "group ids must be whole numbers in 0..16777216" })
            }
        })
        .collect());
    codes.py_err(py)
}

macro_rules! state_class {
    ($cls:ident, $metric:ty, $doc:literal) => {
        #[doc = $doc]
        #[pyclass(frozen, module = "voc._voc")]
        pub struct $cls {
            state: $crate::state::Shared<SurveyState<$metric>>,
        }

        impl $cls {
            fn snapshot(&self) -> PyResult<SurveyState<$metric>> {
                self.state.snapshot()
            }
        }

        $crate::state::state_protocol!($cls, state);

        #[pymethods]
        impl $cls {
            /// Adds a batch. `by` holds dense integer group ids (0, 1, ...), the same ids in every batch and
            /// state that will be merged; `weights` non-negative.
            /// All-or-nothing: after an error the state is unchanged.
            #[pyo3(signature = (scores, /, *, weights=None, by=None, missing="error"))]
            fn update(
                &self,
                py: Python<'_>,
                scores: &Bound<'_, PyAny>,
                weights: Option<&Bound<'_, PyAny>>,
                by: Option<&Bound<'_, PyAny>>,
                #[pyo3(from_py_with = crate::convert_args::text)] missing: &str,
            ) -> PyResult<()> {
                let policy = convert::missing_policy(missing).py_err(py)?;
                let scores = convert::numbers(scores, "scores")?;
                let groups = by.map(|g| convert::numbers(g, "by")).transpose()?;
                if let Some(&index) = groups.as_ref().and_then(|g| g.nulls.first()) {
                    return Err(Error::Missing { arg: "by", index }).py_err(py);
                }
                let weights = weights.map(|w| convert::numbers(w, "weights")).transpose()?;
                // Integer group ids without weights: the core reads them as they are (id = key − 0).
                if let Some(keys) = groups.as_ref().map(|g| &g.data)
                    && weights.is_none()
                    && !matches!(keys, Numbers::F32(_) | Numbers::F64(_))
                {
                    check_len(py, scores.data.len(), "by", keys.len())?;
                    convert::check_nulls(policy, &[("scores", &scores.nulls)]).py_err(py)?;
                    let scores = scores.nulls_as_nan();
                    let state = &self.state;
                    let result = with_numbers!(&scores, s => with_int_keys!(keys, k => crate::guard::detach(py, concat!("voc.", stringify!($cls), ".update"), || -> Result<Result<(), Error>, PyErr> {
                        let mut guard = state.lock()?;
                        Ok(guard.update_keyed(s, k, 0, policy))
                    }), Ok(Ok(()))))?;
                    return result.map_err(|e| e.renamed("groups", "by")).py_err(py);
                }
                let codes = groups.map(|g| group_codes(py, &g.data)).transpose()?;
                let codes = codes.map(|data| Column { data, nulls: Vec::new() });
                let p = prepare(py, policy, "by", scores, codes, weights, None)?;
                let (data, codes) = (&p.scores, p.groups.as_deref());
                let weight_slice = p.weights.as_ref().map(|w| w.as_slice());
                let state = &self.state;
                let result = with_numbers!(data, s => crate::guard::detach(py, concat!("voc.", stringify!($cls), ".update"), || -> Result<Result<(), Error>, PyErr> {
                    let mut guard = state.lock()?;
                    Ok(guard.update_batch(Batch { scores: s, groups: codes, weights: weight_slice, missing: policy }))
                }))?;
                result.map_err(|e| e.renamed("groups", "by")).py_err(py)
            }

            /// Responses counted so far (all groups).
            #[getter]
            fn n(&self) -> PyResult<u64> {
                let s = self.state.lock()?;
                let t = s.tally();
                Ok((0..t.groups()).map(|g| t.cell(g).n()).sum())
            }

            /// Number of group ids (one more than the largest seen).
            #[getter]
            fn groups(&self) -> PyResult<usize> {
                Ok(self.state.lock()?.tally().groups())
            }

            /// Scale as (min, max).
            #[getter]
            fn scale(&self) -> PyResult<(i32, i32)> {
                let s = self.state.lock()?.scale();
                Ok((s.min, s.max))
            }

            fn __repr__(&self) -> PyResult<String> {
                let s = self.snapshot()?;
                let t = s.tally();
                let n: u64 = (0..t.groups()).map(|g| t.cell(g).n()).sum();
                Ok(format!(
                    "{}(scale=({}, {}), n={}, groups={}, weighted={})",
                    stringify!($cls),
                    s.scale().min,
                    s.scale().max,
                    n,
                    t.groups(),
                    if t.is_weighted() { "True" } else { "False" }
                ))
            }
        }
    };
}

state_class!(
    NpsState,
    Nps,
    "Mergeable NPS state: `update` batches (from threads or workers), `merge`, `finish`, pickle."
);
state_class!(
    CsatState,
    Csat,
    "Mergeable CSAT state: `update`, `merge`, `finish`, pickle."
);
state_class!(
    CesState,
    Ces,
    "Mergeable CES state: `update`, `merge`, `finish`, pickle."
);

fn finish_table<M: PyMetric>(
    py: Python<'_>,
    state: SurveyState<M>,
    opts: &M::Options,
) -> PyResult<Py<PyAny>> {
    let rows = crate::guard::detach(py, &format!("voc.{}State.finish", M::NAME), || {
        state.finish_groups(opts)
    })
    .py_err(py)?;
    let ids = Labels::Int((0..state.tally().groups() as i64).collect());
    Ok(Py::new(py, grouped_table::<M>(py, &rows, &ids)?)?.into_any())
}

#[pymethods]
impl NpsState {
    /// An empty NPS state (scale 0–10).
    #[new]
    fn py_new() -> Self {
        NpsState {
            state: crate::state::Shared::new(SurveyState::new()),
        }
    }

    /// The NPS over all responses so far.
    #[pyo3(signature = (*, confidence=0.95, interval="adjusted_wald", resamples=2000, seed=0))]
    fn finish(
        &self,
        py: Python<'_>,
        #[pyo3(from_py_with = crate::convert_args::real)] confidence: f64,
        #[pyo3(from_py_with = crate::convert_args::text)] interval: &str,
        #[pyo3(from_py_with = crate::convert_args::whole::<usize>)] resamples: usize,
        #[pyo3(from_py_with = crate::convert_args::whole::<u64>)] seed: u64,
    ) -> PyResult<NpsResult> {
        let opts = NpsOptions::default()
            .confidence(confidence)
            .interval(interval.parse::<NpsInterval>().py_err(py)?)
            .resamples(resamples)
            .seed(seed);
        let state = self.snapshot()?;
        Ok(NpsResult {
            inner: crate::guard::detach(py, "voc.NpsState.finish", || state.finish(&opts))
                .py_err(py)?,
        })
    }

    /// One row per group id with responses.
    #[pyo3(signature = (*, confidence=0.95, interval="adjusted_wald", resamples=2000, seed=0))]
    fn finish_groups(
        &self,
        py: Python<'_>,
        #[pyo3(from_py_with = crate::convert_args::real)] confidence: f64,
        #[pyo3(from_py_with = crate::convert_args::text)] interval: &str,
        #[pyo3(from_py_with = crate::convert_args::whole::<usize>)] resamples: usize,
        #[pyo3(from_py_with = crate::convert_args::whole::<u64>)] seed: u64,
    ) -> PyResult<Py<PyAny>> {
        let opts = NpsOptions::default()
            .confidence(confidence)
            .interval(interval.parse::<NpsInterval>().py_err(py)?)
            .resamples(resamples)
            .seed(seed);
        finish_table::<Nps>(py, self.snapshot()?, &opts)
    }
}

#[pymethods]
impl CsatState {
    /// An empty CSAT state on `scale` (default 1–5).
    #[new]
    #[pyo3(signature = (scale=(1, 5)), text_signature = "(scale=(1, 5))")]
    fn py_new(
        py: Python<'_>,
        #[pyo3(from_py_with = crate::convert_args::whole_pair::<i32>)] scale: (i32, i32),
    ) -> PyResult<Self> {
        Ok(CsatState {
            state: crate::state::Shared::new(SurveyState::with_scale(scale.0, scale.1).py_err(py)?),
        })
    }

    /// The CSAT over all responses so far.
    #[pyo3(signature = (*, confidence=0.95, interval="wilson", satisfied_from=None))]
    fn finish(
        &self,
        py: Python<'_>,
        #[pyo3(from_py_with = crate::convert_args::real)] confidence: f64,
        #[pyo3(from_py_with = crate::convert_args::text)] interval: &str,
        #[pyo3(from_py_with = crate::convert_args::opt_whole::<i32>)] satisfied_from: Option<i32>,
    ) -> PyResult<CsatResult> {
        let opts = CsatOptions::default()
            .confidence(confidence)
            .interval(interval.parse::<ShareInterval>().py_err(py)?)
            .satisfied_from(satisfied_from);
        let state = self.snapshot()?;
        Ok(CsatResult {
            inner: crate::guard::detach(py, "voc.CsatState.finish", || state.finish(&opts))
                .py_err(py)?,
        })
    }

    /// One row per group id with responses.
    #[pyo3(signature = (*, confidence=0.95, interval="wilson", satisfied_from=None))]
    fn finish_groups(
        &self,
        py: Python<'_>,
        #[pyo3(from_py_with = crate::convert_args::real)] confidence: f64,
        #[pyo3(from_py_with = crate::convert_args::text)] interval: &str,
        #[pyo3(from_py_with = crate::convert_args::opt_whole::<i32>)] satisfied_from: Option<i32>,
    ) -> PyResult<Py<PyAny>> {
        let opts = CsatOptions::default()
            .confidence(confidence)
            .interval(interval.parse::<ShareInterval>().py_err(py)?)
            .satisfied_from(satisfied_from);
        finish_table::<Csat>(py, self.snapshot()?, &opts)
    }
}

#[pymethods]
impl CesState {
    /// An empty CES state on `scale` (default 1–7).
    #[new]
    #[pyo3(signature = (scale=(1, 7)), text_signature = "(scale=(1, 7))")]
    fn py_new(
        py: Python<'_>,
        #[pyo3(from_py_with = crate::convert_args::whole_pair::<i32>)] scale: (i32, i32),
    ) -> PyResult<Self> {
        Ok(CesState {
            state: crate::state::Shared::new(SurveyState::with_scale(scale.0, scale.1).py_err(py)?),
        })
    }

    /// The CES over all responses so far.
    #[pyo3(signature = (*, confidence=0.95, interval="wilson", easy_from=None, hard_to=None))]
    fn finish(
        &self,
        py: Python<'_>,
        #[pyo3(from_py_with = crate::convert_args::real)] confidence: f64,
        #[pyo3(from_py_with = crate::convert_args::text)] interval: &str,
        #[pyo3(from_py_with = crate::convert_args::opt_whole::<i32>)] easy_from: Option<i32>,
        #[pyo3(from_py_with = crate::convert_args::opt_whole::<i32>)] hard_to: Option<i32>,
    ) -> PyResult<CesResult> {
        let opts = CesOptions::default()
            .confidence(confidence)
            .interval(interval.parse::<ShareInterval>().py_err(py)?)
            .easy_from(easy_from)
            .hard_to(hard_to);
        let state = self.snapshot()?;
        Ok(CesResult {
            inner: crate::guard::detach(py, "voc.CesState.finish", || state.finish(&opts))
                .py_err(py)?,
        })
    }

    /// One row per group id with responses.
    #[pyo3(signature = (*, confidence=0.95, interval="wilson", easy_from=None, hard_to=None))]
    fn finish_groups(
        &self,
        py: Python<'_>,
        #[pyo3(from_py_with = crate::convert_args::real)] confidence: f64,
        #[pyo3(from_py_with = crate::convert_args::text)] interval: &str,
        #[pyo3(from_py_with = crate::convert_args::opt_whole::<i32>)] easy_from: Option<i32>,
        #[pyo3(from_py_with = crate::convert_args::opt_whole::<i32>)] hard_to: Option<i32>,
    ) -> PyResult<Py<PyAny>> {
        let opts = CesOptions::default()
            .confidence(confidence)
            .interval(interval.parse::<ShareInterval>().py_err(py)?)
            .easy_from(easy_from)
            .hard_to(hard_to);
        finish_table::<Ces>(py, self.snapshot()?, &opts)
    }
}
