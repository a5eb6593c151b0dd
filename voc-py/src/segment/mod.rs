//! `voc.segment`: columns in (numpy, pandas, polars, pyarrow, lists), segment tables and k-means out.
//! Every role is a column name of the `data` table or a column, resolved here by `crate::convert`'s
//! role rules; the segment tables are in `tables.rs`.

use numpy::ndarray::Array2;
use numpy::{PyArray1, PyArray2, ToPyArray};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString, PyTuple};
use voc_core::Error;
use voc_core::Predict;
use voc_core::segment::{
    self as core, Algorithm, KMeansOptions, LifecycleOptions, Play, ProfileInput, ProfileOptions,
    RfmOptions, RfmRule, Tiers, ValueVoiceOptions, VoiceRule,
};
use voc_core::stats::ShareInterval;

use crate::convert::{Buf, Labels, groups, numbers, role};
use crate::error::IntoPy;
use crate::matrix::{check_cells, matrix, matrix_named};
use crate::table::{Table, TableBuilder, escape};

mod tables;

/// An RFM rule from Python: (name, (r_low, r_high), (f_low, f_high)).
type RuleTuple = (String, (u8, u8), (u8, u8));

/// Registers the segment functions and classes.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    tables::register(m)?;
    m.add_function(wrap_pyfunction!(_segment_kmeans, m)?)?;
    m.add_function(wrap_pyfunction!(_segment_standardize, m)?)?;
    m.add_function(wrap_pyfunction!(_segment_silhouette, m)?)?;
    m.add_class::<KMeansModel>()?;
    m.add_class::<Standardized>()?;
    let py = m.py();
    let plays: Vec<(String, String, String)> = core::Play::defaults()
        .into_iter()
        .map(|p| (p.tier, p.voice, p.play))
        .collect();
    m.add("DEFAULT_PLAYS", PyTuple::new(py, plays)?)?;
    let rules: Vec<RuleTuple> = RfmRule::defaults()
        .into_iter()
        .map(|r| (r.name, r.r, r.f))
        .collect();
    m.add("DEFAULT_RFM_RULES", PyTuple::new(py, rules)?)?;
    let voices: Vec<(String, String)> = VoiceRule::defaults()
        .into_iter()
        .map(|r| {
            let when = r.when_text();
            (r.voice, when)
        })
        .collect();
    m.add("DEFAULT_VOICE_RULES", PyTuple::new(py, voices)?)?;
    Ok(())
}

/// A float column (nulls as NaN).
fn floats<'py>(obj: &Bound<'py, PyAny>, arg: &'static str) -> PyResult<Buf<'py, f64>> {
    Ok(numbers(obj, arg)?.nulls_as_nan().into_f64())
}

/// Segment or cluster labels through the one label coder (`crate::convert::groups`): dense codes over the
/// labels that occur, in label order (numbers by value, strings by code point, categories in category
/// order). A missing label is a `MissingValueError`.
fn label_codes(obj: &Bound<'_, PyAny>, arg: &'static str) -> PyResult<(Vec<u32>, Labels)> {
    let py = obj.py();
    let col = groups(obj, arg)?;
    if let Some(&index) = col.nulls.first() {
        return Err(Error::Missing { arg, index }).py_err(py);
    }
    let mut codes = col.data.codes.into_dense();
    // Keep only the labels that occur (integer ranges are coded by offset, with gaps).
    let labels = col.data.labels.only_used(&mut codes, &[]);
    Ok((codes, labels))
}

/// A float column of `data` (or given), looked up by the role rules.
fn data_floats<'py>(
    data: &Bound<'py, PyAny>,
    name: &str,
    arg: &'static str,
) -> PyResult<Buf<'py, f64>> {
    let key = PyString::new(data.py(), name).into_any();
    // invariant: `role` returns a column for a given value.
    let col = role(Some(data), Some(&key), arg)?.unwrap_or(key);
    floats(&col, arg)
}

/// The matrix of `x=` (see `voc.segment.fit_kmeans`): `data` itself when `x` is None, the columns of
/// `data` that `x` names (a name or a list of names; read by the one matrix reader, which names a
/// column that is not numeric), else `x`.
fn matrix_role<'py>(
    py: Python<'py>,
    data: Option<&Bound<'py, PyAny>>,
    x: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let data = data.filter(|d| !d.is_none());
    let Some(x) = x.filter(|x| !x.is_none()) else {
        return data.cloned().ok_or_else(|| {
            crate::error::raise_named(
                py,
                "InvalidOptionError",
                "x is required: pass a matrix, or a table and x=[column names]".into(),
                Some("x"),
            )
        });
    };
    let names: Option<Vec<Bound<'py, PyAny>>> = if x.is_instance_of::<PyString>() {
        Some(vec![x.clone()])
    } else if x.is_instance_of::<pyo3::types::PyList>() || x.is_instance_of::<PyTuple>() {
        let items: Vec<Bound<'py, PyAny>> = x.try_iter()?.collect::<PyResult<_>>()?;
        (!items.is_empty() && items.iter().all(|i| i.is_instance_of::<PyString>())).then_some(items)
    } else {
        None
    };
    let Some(names) = names else {
        return Ok(x.clone());
    };
    // A dict of the named columns: the matrix reader reads each column.
    let d = PyDict::new(py);
    for name in names {
        let col = crate::convert::lookup(data, Some(&name), "x")?;
        d.set_item(&name, col)?;
    }
    Ok(d.into_any())
}

/// A fitted k-means model (`voc.segment.fit_kmeans`): labels, centres, `predict`, `summary()`,
/// `to_bytes` / `from_bytes` and pickle (the core byte form).
#[pyclass(frozen, module = "voc._voc")]
pub struct KMeansModel {
    inner: core::KMeans,
}

crate::core_pickled!(KMeansModel, core::KMeans);

#[pymethods]
impl KMeansModel {
    /// Cluster of each row.
    #[getter]
    fn labels<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<i64>> {
        PyArray1::from_vec(
            py,
            self.inner.labels.iter().map(|&l| i64::from(l)).collect(),
        )
    }

    /// Centres, shape (k, columns).
    #[getter]
    fn centers<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray2<f64>> {
        self.inner.centers.to_pyarray(py)
    }

    /// Sum of squared distances to the nearest centre.
    #[getter]
    fn inertia(&self) -> f64 {
        self.inner.inertia
    }

    /// Iterations run.
    #[getter]
    fn n_iter(&self) -> usize {
        self.inner.iterations
    }

    /// Whether the stopping rule was met before `max_iter`.
    #[getter]
    fn converged(&self) -> bool {
        self.inner.converged
    }

    /// The iteration scheme that ran: "lloyd" or "hamerly" (what `algorithm="auto"` chose), `None`
    /// for a model read from version-1 bytes.
    #[getter]
    fn algorithm(&self) -> Option<&'static str> {
        self.inner.algorithm.map(Algorithm::name)
    }

    /// Number of clusters.
    #[getter]
    fn k(&self) -> usize {
        self.inner.k()
    }

    /// Rows the model was fitted on.
    #[getter]
    fn n(&self) -> usize {
        self.inner.labels.len()
    }

    /// Nearest centre of each row of `x` (lowest index on a tie).
    #[pyo3(signature = (x, /))]
    fn predict<'py>(
        &self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyArray1<i64>>> {
        let (arr, names) = matrix_named(x, "x")?;
        let view = arr.as_array();
        // A NaN or infinite cell names its row and column.
        check_cells(py, view, "x", names.as_deref(), "")?;
        let labels = crate::guard::detach(py, "voc.segment.KMeansModel.predict", || {
            self.inner.predict(view)
        })
        .py_err(py)?;
        Ok(PyArray1::from_vec(
            py,
            labels.into_iter().map(i64::from).collect(),
        ))
    }

    /// One row per cluster: `cluster`, `size`, `share` and the centre's coordinates `center_0`,
    /// `center_1`, … (one per column of `x`).
    fn summary(&self, py: Python<'_>) -> PyResult<Table> {
        let k = self.inner.k();
        let mut size = vec![0i64; k];
        for &l in &self.inner.labels {
            if let Some(s) = size.get_mut(l as usize) {
                *s += 1;
            }
        }
        let n = self.inner.labels.len().max(1) as f64;
        let mut t = TableBuilder::new(py);
        t.numbers("cluster", (0..k as i64).collect::<Vec<_>>());
        t.numbers(
            "share",
            size.iter().map(|&s| s as f64 / n).collect::<Vec<_>>(),
        );
        t.numbers("size", size);
        for j in 0..self.inner.cols() {
            t.numbers(
                &format!("center_{j}"),
                self.inner.centers.column(j).to_vec(),
            );
        }
        Ok(t.finish("k-means clusters", None))
    }

    /// The fields as a dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("k", self.inner.k())?;
        d.set_item("n", self.inner.labels.len())?;
        d.set_item("inertia", self.inner.inertia)?;
        d.set_item("n_iter", self.inner.iterations)?;
        d.set_item("converged", self.inner.converged)?;
        d.set_item("algorithm", self.algorithm())?;
        d.set_item("labels", self.labels(py))?;
        d.set_item("centers", self.centers(py))?;
        crate::results::json_dict(d)
    }

    fn _repr_html_(&self, py: Python<'_>) -> PyResult<String> {
        let m = &self.inner;
        let mut html = format!(
            "<p><b>voc KMeansModel</b></p><table><tr><th>k</th><td>{}</td></tr><tr><th>n</th><td>{}</td></tr><tr><th>inertia</th><td>{}</td></tr><tr><th>n_iter</th><td>{}</td></tr><tr><th>converged</th><td>{}</td></tr></table>",
            m.k(),
            m.labels.len(),
            m.inertia,
            m.iterations,
            m.converged
        );
        let t = Bound::new(py, self.summary(py)?)?;
        html.push_str(&t.call_method0("_repr_html_")?.extract::<String>()?);
        Ok(html)
    }

    fn __repr__(&self) -> String {
        format!(
            "KMeansModel(k={}, n={}, inertia={:.6}, n_iter={}, converged={})",
            self.inner.k(),
            self.inner.labels.len(),
            self.inner.inertia,
            self.inner.iterations,
            self.inner.converged
        )
    }
}

/// k-means: from given centres (`init` a matrix) or k-means++ with `n_init` starts (`init` =
/// `"k-means++"`).
#[pyfunction]
#[allow(clippy::too_many_arguments)]
#[pyo3(signature = (data, x, k, init, n_init, max_iter, tol, seed, algorithm, parallel))]
fn _segment_kmeans(
    py: Python<'_>,
    data: Option<&Bound<'_, PyAny>>,
    x: Option<&Bound<'_, PyAny>>,
    #[pyo3(from_py_with = crate::convert_args::whole::<usize>)] k: usize,
    init: &Bound<'_, PyAny>,
    #[pyo3(from_py_with = crate::convert_args::whole::<usize>)] n_init: usize,
    #[pyo3(from_py_with = crate::convert_args::whole::<usize>)] max_iter: usize,
    #[pyo3(from_py_with = crate::convert_args::real)] tol: f64,
    #[pyo3(from_py_with = crate::convert_args::whole::<u64>)] seed: u64,
    #[pyo3(from_py_with = crate::convert_args::text)] algorithm: &str,
    #[pyo3(from_py_with = crate::convert_args::flag)] parallel: bool,
) -> PyResult<KMeansModel> {
    let x = matrix_role(py, data, x)?;
    let (arr, names) = matrix_named(&x, "x")?;
    // A NaN or infinite cell names its row and column.
    check_cells(py, arr.as_array(), "x", names.as_deref(), "")?;
    let init_arr = match init.cast::<PyString>() {
        Ok(name) => {
            let name = name.to_str().map_err(|_| {
                crate::error::raise_named(
                    py,
                    "InvalidOptionError",
                    "init is not valid Unicode (it holds a lone surrogate)".into(),
                    Some("init"),
                )
            })?;
            if name != "k-means++" {
                return Err(Error::option(
                    "init",
                    name,
                    "expected \"k-means++\" or an array of centres (k × columns)",
                ))
                .py_err(py);
            }
            None
        }
        Err(_) => Some(matrix(init, "init")?),
    };
    let opts = KMeansOptions::default()
        .k(k)
        .n_init(n_init)
        .max_iter(max_iter)
        .tol(tol)
        .seed(seed)
        .algorithm(algorithm.parse::<Algorithm>().py_err(py)?)
        .parallel(parallel);
    let view = arr.as_array();
    let init = init_arr.as_ref().map(|a| a.as_array());
    let fit = crate::guard::detach(py, "voc.segment.fit_kmeans", || match init {
        Some(c) => core::kmeans_from(view, c, &opts),
        None => core::kmeans(view, &opts),
    })
    .py_err(py)?;
    Ok(KMeansModel { inner: fit })
}

/// Columns standardised to z-scores (`voc.segment.standardize`): the z-scores in `values`, the column
/// means and scales, and `transform` to apply the same scaling to other rows.
#[pyclass(frozen, module = "voc._voc")]
#[derive(serde::Serialize, serde::Deserialize)]
pub struct Standardized {
    values: Array2<f64>,
    scaling: core::Scaling,
}

impl crate::pickle::Checked for Standardized {
    fn check(&self) -> Result<(), String> {
        let k = self.values.ncols();
        crate::pickle::same_len(
            "column scaling",
            k,
            &[self.scaling.means.len(), self.scaling.scales.len()],
        )
    }
}

#[pymethods]
impl Standardized {
    /// z-scores, shape (rows, columns).
    #[getter]
    fn values<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray2<f64>> {
        self.values.to_pyarray(py)
    }

    /// Column means.
    #[getter]
    fn mean<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        PyArray1::from_slice(py, &self.scaling.means)
    }

    /// Column scales (population standard deviation; 1 for a constant column).
    #[getter]
    fn scale<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        PyArray1::from_slice(py, &self.scaling.scales)
    }

    /// Rows used.
    #[getter]
    fn n(&self) -> usize {
        self.values.nrows()
    }

    /// The same scaling applied to other rows with the same columns.
    #[pyo3(signature = (x, /))]
    fn transform<'py>(
        &self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let arr = matrix(x, "x")?;
        let view = arr.as_array();
        let z = crate::guard::detach(py, "voc.segment.Standardized.transform", || {
            self.scaling.transform(view)
        })
        .py_err(py)?;
        Ok(PyArray2::from_owned_array(py, z))
    }

    fn __reduce__<'py>(
        &self,
        py: Python<'py>,
    ) -> PyResult<(Bound<'py, PyAny>, (Bound<'py, pyo3::types::PyBytes>,))> {
        let state = crate::pickle::dump(py, "Standardized", self)?;
        Ok((py.get_type::<Self>().getattr("_from_state")?, (state,)))
    }

    /// Rebuilds the scaling from its pickled state.
    #[staticmethod]
    fn _from_state(py: Python<'_>, data: &[u8]) -> PyResult<Self> {
        crate::pickle::load(py, "Standardized", data)
    }

    /// Equal when the z-scores and the scaling are the same bit for bit.
    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .cast::<Self>()
            .is_ok_and(|o| crate::pickle::same(o.get(), self))
    }

    /// The fields as a dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("values", self.values(py))?;
        d.set_item("mean", self.mean(py))?;
        d.set_item("scale", self.scale(py))?;
        d.set_item("n", self.n())?;
        crate::results::json_dict(d)
    }

    fn _repr_html_(&self) -> String {
        let mut html = format!(
            "<p><b>voc Standardized</b> ({} rows)</p><table><tr><th>column</th><th>mean</th><th>scale</th></tr>",
            self.values.nrows()
        );
        for (j, (m, s)) in self
            .scaling
            .means
            .iter()
            .zip(&self.scaling.scales)
            .enumerate()
        {
            html.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&j.to_string()),
                m,
                s
            ));
        }
        html.push_str("</table>");
        html
    }

    fn __repr__(&self) -> String {
        format!(
            "Standardized(rows={}, columns={})",
            self.values.nrows(),
            self.values.ncols()
        )
    }
}

/// z-scores per column with the means and scales; the matrix as [`matrix_role`] reads it.
#[pyfunction]
#[pyo3(signature = (data, x))]
fn _segment_standardize(
    py: Python<'_>,
    data: Option<&Bound<'_, PyAny>>,
    x: Option<&Bound<'_, PyAny>>,
) -> PyResult<Standardized> {
    let x = matrix_role(py, data, x)?;
    let arr = matrix(&x, "x")?;
    let view = arr.as_array();
    let (values, scaling) =
        crate::guard::detach(py, "voc.segment.standardize", || core::standardize(view))
            .py_err(py)?;
    Ok(Standardized { values, scaling })
}

/// Mean silhouette coefficient; `labels` of any label dtype (coded by the one label coder), a column
/// name of `data` or a column; the matrix as [`matrix_role`] reads it.
#[pyfunction]
#[pyo3(signature = (data, x, labels))]
fn _segment_silhouette(
    py: Python<'_>,
    data: Option<&Bound<'_, PyAny>>,
    x: Option<&Bound<'_, PyAny>>,
    labels: &Bound<'_, PyAny>,
) -> PyResult<f64> {
    let x = matrix_role(py, data, x)?;
    let labels = crate::convert::required(data, labels, "labels")?;
    let arr = matrix(&x, "x")?;
    let view = arr.as_array();
    let (labels, _) = label_codes(&labels, "labels")?;
    crate::guard::detach(py, "voc.segment.silhouette", || {
        core::silhouette_score(view, &labels)
    })
    .py_err(py)
}
