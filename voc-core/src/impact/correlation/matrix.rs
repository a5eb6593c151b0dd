//! Correlation matrices: every pair of the columns of an `n × k` matrix of any memory layout, with
//! pairwise-complete rows on request.

use std::borrow::Cow;

use ndarray::{Array2, ArrayView2, Axis};

use super::{CorrelationOptions, correlate_valid};
use crate::MissingPolicy;
use crate::error::{Error, Result, check_len};

/// One pair of a [`CorrelationMatrix`].
///
/// ```
/// use ndarray::array;
/// use voc_core::impact::correlation::{correlation_matrix, CorrelationOptions};
/// let x = array![[1.0, 2.0], [2.0, 1.0], [3.0, 4.0], [4.0, 3.0]];
/// let m = correlation_matrix(x.view(), &["a", "b"], &CorrelationOptions::default())?;
/// let p = &m.pairs[0];
/// assert_eq!((p.a, p.b, p.n), (0, 1, 4));
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct MatrixPair {
    /// Index of the first column.
    pub a: usize,
    /// Index of the second column (a < b).
    pub b: usize,
    /// Coefficient (NaN when undefined for this pair: fewer than 3 complete rows or a constant column).
    pub estimate: f64,
    /// p-value (NaN when the coefficient is).
    pub p_value: f64,
    /// Lower end of the Fisher-z interval at `options.confidence` (NaN when undefined).
    pub ci_low: f64,
    /// Upper end of the Fisher-z interval (NaN when undefined).
    pub ci_high: f64,
    /// Complete rows used.
    pub n: usize,
    /// Why the coefficient is undefined (NaN) for this pair — fewer than 3 complete rows, or a
    /// constant column; `None` when it is defined.
    pub undefined_reason: Option<String>,
}

/// Correlations of every pair of named columns: `k × k` matrices of coefficients, p-values and pair
/// counts, and the upper triangle pair by pair.
///
/// ```
/// use ndarray::Array2;
/// use voc_core::impact::correlation::{correlation_matrix, CorrelationMethod, CorrelationOptions};
/// use voc_core::MissingPolicy;
/// let nps = [9.0, 10.0, 3.0, 7.0, 8.0, f64::NAN];
/// let spend = [120.0, 150.0, 20.0, 60.0, 90.0, 40.0];
/// let tickets = [0.0, 0.0, 4.0, 1.0, 1.0, 2.0];
/// let cols = [&nps, &spend, &tickets];
/// let x = Array2::from_shape_fn((6, 3), |(i, j)| cols[j][i]);
/// let names = ["nps", "spend", "tickets"];
/// let o = CorrelationOptions::default().method(CorrelationMethod::Spearman);
/// assert!(correlation_matrix(x.view(), &names, &o).is_err()); // NaN in nps, row 5
/// let m = correlation_matrix(x.view(), &names, &o.missing(MissingPolicy::Skip))?; // pairwise-complete rows
/// assert_eq!(m.n[[0, 1]], 5);
/// assert_eq!(m.n[[1, 2]], 6);
/// assert_eq!(m.estimate[[0, 0]], 1.0);
/// assert!(m.estimate[[0, 1]] > 0.9);
/// let l = correlation_matrix(x.view(), &names, &o.missing(MissingPolicy::Skip).listwise(true))?; // complete rows
/// assert_eq!((l.n[[1, 2]], l.n_missing), (5, 1));
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct CorrelationMatrix {
    /// Column names, in input order.
    pub names: Vec<String>,
    /// Options used.
    pub options: CorrelationOptions,
    /// Square matrix of coefficients (1 on the diagonal).
    pub estimate: Array2<f64>,
    /// Square matrix of p-values (0 on the diagonal).
    pub p_value: Array2<f64>,
    /// Square matrix of complete rows per pair (the diagonal: the column's present values).
    pub n: Array2<usize>,
    /// The upper triangle, pair by pair (a < b), in row-major order.
    pub pairs: Vec<MatrixPair>,
    /// Rows left out listwise (with [`MissingPolicy::Skip`] and `listwise`; else 0).
    pub n_missing: usize,
}

/// Correlation matrix of the `k` columns of `data` (`n × k`, any memory layout), named by `names`,
/// with p-values and pair counts.
///
/// `options.missing` decides what a NaN does: [`MissingPolicy::Error`] (the default) fails with an
/// error naming the column and row; [`MissingPolicy::Skip`] uses, for each pair, the rows where both
/// are present ("pairwise-complete"). ±inf is always an error. A pair with fewer than 3 complete rows
/// or a constant column gets NaN estimate and p-value (and its `n`), so that one bad pair does not
/// hide the others. Pairs are computed in parallel with the `parallel` feature.
///
/// The kernels read contiguous columns: a column-major (Fortran) view is read in place, a row-major
/// or strided view is copied once into columns (one pass over its rows; not once per pair).
///
/// ```
/// use ndarray::array;
/// use voc_core::impact::correlation::{correlation_matrix, CorrelationOptions};
/// use voc_core::{Error, MissingPolicy};
/// let x = array![[1.0, 1.0], [2.0, f64::INFINITY], [3.0, 2.0]];
/// let o = CorrelationOptions::default().missing(MissingPolicy::Skip);
/// let err = correlation_matrix(x.view(), &["a", "b"], &o).unwrap_err();
/// assert!(err.to_string().contains("column \"b\", row 1"));
/// ```
pub fn correlation_matrix<S: AsRef<str>>(
    data: ArrayView2<'_, f64>,
    names: &[S],
    options: &CorrelationOptions,
) -> Result<CorrelationMatrix> {
    options.validate()?;
    let k = data.ncols();
    check_len("data", k, "names", names.len())?;
    if k < 2 {
        return Err(Error::Empty {
            arg: "data",
            what: "a correlation matrix needs at least two columns",
        });
    }
    let missing = options.missing;
    for (j, name) in names.iter().enumerate() {
        let name = name.as_ref();
        for (row, &v) in data.column(j).iter().enumerate() {
            let bad = v.is_infinite() || (v.is_nan() && missing == MissingPolicy::Error);
            if bad {
                return Err(Error::option(
                    "data",
                    format!("{name:?}"),
                    format!(
                        "column {name:?}, row {row} = {v} is not finite{}",
                        if v.is_nan() {
                            " (missing); use MissingPolicy::Skip to use the rows where both columns are present"
                        } else {
                            ""
                        }
                    ),
                ));
            }
        }
    }
    let mut columns = contiguous_columns(data);
    let mut n_missing = 0;
    if missing == MissingPolicy::Skip && options.listwise {
        let rows = data.nrows();
        let keep: Vec<bool> = (0..rows)
            .map(|i| columns.iter().all(|c| c.get(i).is_none_or(|v| !v.is_nan())))
            .collect();
        n_missing = keep.iter().filter(|k| !**k).count();
        if n_missing > 0 {
            columns = columns
                .iter()
                .map(|c| {
                    Cow::Owned(
                        c.iter()
                            .zip(&keep)
                            .filter(|(_, k)| **k)
                            .map(|(v, _)| *v)
                            .collect(),
                    )
                })
                .collect();
        }
    }
    let pairs_idx: Vec<(usize, usize)> = (0..k)
        .flat_map(|a| (a + 1..k).map(move |b| (a, b)))
        .collect();
    let labels: Vec<&str> = names.iter().map(AsRef::as_ref).collect();
    let one = |&(a, b): &(usize, usize)| -> Result<MatrixPair> {
        let empty: &[f64] = &[];
        let x = columns.get(a).map_or(empty, |c| c.as_ref());
        let y = columns.get(b).map_or(empty, |c| c.as_ref());
        let (xs, ys): (Vec<f64>, Vec<f64>);
        let (x, y) = if x.iter().chain(y).any(|v| v.is_nan()) {
            (xs, ys) = x
                .iter()
                .zip(y)
                .filter(|(u, v)| !u.is_nan() && !v.is_nan())
                .map(|(u, v)| (*u, *v))
                .unzip();
            (&xs[..], &ys[..])
        } else {
            (x, y)
        };
        let n = x.len();
        match correlate_valid(x, y, options) {
            Ok(c) => Ok(MatrixPair {
                a,
                b,
                estimate: c.estimate,
                p_value: c.p_value,
                ci_low: c.ci_low,
                ci_high: c.ci_high,
                n,
                undefined_reason: None,
            }),
            Err(Error::InsufficientData(why)) => Ok(MatrixPair {
                undefined_reason: Some(pair_reason(&labels, (a, x), (b, y), why)),
                a,
                b,
                estimate: f64::NAN,
                p_value: f64::NAN,
                ci_low: f64::NAN,
                ci_high: f64::NAN,
                n,
            }),
            Err(e) => Err(e),
        }
    };
    #[cfg(feature = "parallel")]
    let pairs: Vec<MatrixPair> = {
        use rayon::prelude::*;
        pairs_idx.par_iter().map(one).collect::<Result<_>>()?
    };
    #[cfg(not(feature = "parallel"))]
    let pairs: Vec<MatrixPair> = pairs_idx.iter().map(one).collect::<Result<_>>()?;
    let mut estimate = Array2::from_elem((k, k), f64::NAN);
    let mut p_value = Array2::from_elem((k, k), f64::NAN);
    let mut counts = Array2::<usize>::zeros((k, k));
    for (i, col) in columns.iter().enumerate() {
        let present = col.iter().filter(|v| !v.is_nan()).count();
        set(&mut estimate, i, i, 1.0);
        set(&mut p_value, i, i, 0.0);
        set(&mut counts, i, i, present);
    }
    for p in &pairs {
        for (i, j) in [(p.a, p.b), (p.b, p.a)] {
            set(&mut estimate, i, j, p.estimate);
            set(&mut p_value, i, j, p.p_value);
            set(&mut counts, i, j, p.n);
        }
    }
    Ok(CorrelationMatrix {
        names: names.iter().map(|n| n.as_ref().to_owned()).collect(),
        options: *options,
        estimate,
        p_value,
        n: counts,
        pairs,
        n_missing,
    })
}

/// The columns of `x` as contiguous slices: borrowed when every column already is one (a
/// column-major view, or a single column), else all gathered in one pass over the rows (row-major
/// and strided views), which reads memory in order instead of striding down each column.
pub(crate) fn contiguous_columns<'a>(x: ArrayView2<'a, f64>) -> Vec<Cow<'a, [f64]>> {
    let p = x.ncols();
    let borrowed: Option<Vec<&'a [f64]>> = (0..p)
        .map(|j| x.index_axis_move(Axis(1), j).to_slice())
        .collect();
    if let Some(cols) = borrowed {
        return cols.into_iter().map(Cow::Borrowed).collect();
    }
    let mut bufs: Vec<Vec<f64>> = (0..p).map(|_| Vec::with_capacity(x.nrows())).collect();
    for row in x.rows() {
        for (buf, &v) in bufs.iter_mut().zip(row) {
            buf.push(v);
        }
    }
    bufs.into_iter().map(Cow::Owned).collect()
}

fn set<T>(m: &mut Array2<T>, i: usize, j: usize, v: T) {
    if let Some(slot) = m.get_mut((i, j)) {
        *slot = v;
    }
}

/// Why a pair's coefficient is undefined, naming the constant column (the coefficient's own message
/// says "x" and "y").
fn pair_reason(
    names: &[&str],
    (a, x): (usize, &[f64]),
    (b, y): (usize, &[f64]),
    why: String,
) -> String {
    let name = |i: usize| names.get(i).copied().unwrap_or("?");
    let constant = |v: &[f64]| v.len() >= 3 && v.windows(2).all(|w| w[0] == w[1]);
    if constant(x) {
        format!(
            "{} is constant over the pair's {} complete rows",
            name(a),
            x.len()
        )
    } else if constant(y) {
        format!(
            "{} is constant over the pair's {} complete rows",
            name(b),
            y.len()
        )
    } else {
        why
    }
}
