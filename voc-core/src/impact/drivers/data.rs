//! The usable rows of a key-driver analysis and their (weighted) correlation matrix, plus the checks of
//! a covariance or correlation matrix handed in directly.

use std::borrow::Cow;

use ndarray::ArrayView2;

use super::COLLINEAR_TOL;
use crate::MissingPolicy;
use crate::error::{Error, Result};
use crate::stats::linalg::{CoMoments, RowWeights, cholesky, co_moments, sym_eigen};

/// The usable rows: column 0 the outcome, columns 1..=p the drivers (borrowed when a column is
/// contiguous in memory and no row is dropped, else copied once).
pub(crate) struct Data<'a> {
    pub(crate) cols: Vec<Cow<'a, [f64]>>,
    pub(crate) w: Option<Cow<'a, [f64]>>,
    pub(crate) n: usize,
    pub(crate) missing: usize,
    pub(crate) names: Vec<String>,
}

impl<'a> Data<'a> {
    /// Checks every value and keeps the complete rows with a positive weight. `dcols` are the
    /// driver columns, each `outcome.len()` long, one per name (checked by the caller).
    /// `known_finite`: the outcome and drivers are known to hold only finite values (their moments
    /// were finite), so their scan is skipped.
    pub(crate) fn collect(
        outcome: &'a [f64],
        dcols: Vec<Cow<'a, [f64]>>,
        names: &[&str],
        weights: Option<&'a [f64]>,
        missing: MissingPolicy,
        known_finite: bool,
    ) -> Result<Data<'a>> {
        let p = dcols.len();
        let rows = outcome.len();
        // Rows to keep, made only when one is left out.
        let mut keep: Option<Vec<bool>> = None;
        {
            // Each column is scanned on its own (contiguous, and finite values take one test); the
            // error reported is the first bad value in row order (outcome, then drivers, then the
            // weight).
            let mut first: Option<(usize, usize, Error)> = None;
            let mut columns: Vec<(&'static str, &[f64])> = Vec::with_capacity(p + 2);
            columns.push(("outcome", outcome));
            columns.extend(dcols.iter().map(|c| ("drivers", c.as_ref())));
            if let Some(w) = weights {
                columns.push(("weights", w));
            }
            for (slot, (arg, col)) in columns.iter().enumerate() {
                let index = |i: usize| {
                    if *arg == "drivers" {
                        i * p + slot - 1
                    } else {
                        i
                    }
                };
                // The common case, every value finite (and every weight non-negative), in one
                // vectorised test; the row-by-row scan below only runs on a column that fails it.
                let clean = if known_finite && *arg != "weights" {
                    true
                } else if *arg == "weights" {
                    all_finite_non_negative(col)
                } else {
                    crate::stats::check::all_finite(col)
                };
                if clean {
                    continue;
                }
                for (i, &v) in col.iter().enumerate() {
                    let bad = if v.is_finite() {
                        if *arg == "weights" && v < 0.0 {
                            Some(Error::InvalidValue {
                                arg,
                                index: i,
                                value: v,
                                reason: "weights must not be negative",
                            })
                        } else {
                            continue;
                        }
                    } else if v.is_nan() && missing == MissingPolicy::Skip {
                        if let Some(k) = keep.get_or_insert_with(|| vec![true; rows]).get_mut(i) {
                            *k = false;
                        }
                        continue;
                    } else if v.is_nan() {
                        Some(Error::Missing {
                            arg,
                            index: index(i),
                        })
                    } else {
                        Some(Error::NonFinite {
                            arg,
                            index: index(i),
                            value: v,
                        })
                    };
                    if let Some(e) = bad {
                        if first.as_ref().is_none_or(|(r, s, _)| (i, slot) < (*r, *s)) {
                            first = Some((i, slot, e));
                        }
                        break;
                    }
                }
            }
            if let Some((_, _, e)) = first {
                return Err(e);
            }
        }
        let dropped = keep
            .as_ref()
            .map_or(0, |k| k.iter().filter(|&&k| !k).count());
        if let Some(w) = weights
            && w.contains(&0.0)
        {
            let keep = keep.get_or_insert_with(|| vec![true; rows]);
            for (k, &v) in keep.iter_mut().zip(w) {
                if v == 0.0 {
                    *k = false;
                }
            }
        }
        let n = keep
            .as_ref()
            .map_or(rows, |k| k.iter().filter(|&&k| k).count());
        if n < p + 2 {
            return Err(Error::InsufficientData(format!(
                "key drivers with {p} driver(s) need at least {} complete rows with positive weight \
                 (one more than the {} coefficients), got {n}",
                p + 2,
                p + 1
            )));
        }
        // Every row kept: the columns as they are (borrowed, or the one copy made above); else the
        // kept rows are copied.
        let pick = |col: Cow<'a, [f64]>| -> Cow<'a, [f64]> {
            match &keep {
                Some(keep) if n < rows => Cow::Owned(
                    col.iter()
                        .zip(keep)
                        .filter(|(_, k)| **k)
                        .map(|(v, _)| *v)
                        .collect(),
                ),
                _ => col,
            }
        };
        let w = weights.map(|w| pick(Cow::Borrowed(w)));
        let mut cols = Vec::with_capacity(p + 1);
        cols.push(pick(Cow::Borrowed(outcome)));
        cols.extend(dcols.into_iter().map(pick));
        let mut all_names = Vec::with_capacity(p + 1);
        all_names.push(String::from("outcome"));
        all_names.extend(names.iter().map(|n| (*n).to_owned()));
        // A constant column has no correlation: name it (exact check, before any rounding).
        for (c, col) in cols.iter().enumerate() {
            let first = col.first().copied().unwrap_or(0.0);
            if col.iter().all(|&v| v == first) {
                let (name, what) = if c == 0 {
                    ("outcome", "the outcome")
                } else {
                    ("drivers", "driver")
                };
                return Err(Error::option(
                    name,
                    all_names.get(c).map_or("", |s| s.as_str()),
                    format!("{what} is constant ({first}) in the rows used; it has no correlation"),
                ));
            }
        }
        Ok(Data {
            cols,
            w,
            n,
            missing: dropped,
            names: all_names,
        })
    }

    pub(crate) fn columns(&self) -> Vec<&[f64]> {
        self.cols.iter().map(|c| c.as_ref()).collect()
    }
}

/// Whether every value is finite and not negative.
fn all_finite_non_negative(x: &[f64]) -> bool {
    crate::stats::check::all_finite(x) && x.iter().fold(true, |ok, &v| ok & (v >= 0.0))
}

/// Weighted correlation matrix of the columns (row-major, dim × dim), as R's `cov.wt(..., cor =
/// TRUE)`: one pass over the rows in blocks centred on their own means, merged with Chan's update
/// ([`co_moments`]). `counts` multiplies each row's weight (bootstrap).
pub(crate) fn correlation(
    cols: &[&[f64]],
    w: Option<&[f64]>,
    counts: Option<&[u32]>,
    parallel: bool,
) -> Result<Vec<f64>> {
    let cm = co_moments(cols, RowWeights { weights: w, counts }, parallel);
    correlation_of(cm)
}

/// The correlation matrix (row-major) from the columns' co-moments.
pub(crate) fn correlation_of(cm: CoMoments) -> Result<Vec<f64>> {
    let dim = cm.mean.len();
    if !(cm.weight > 0.0) {
        return Err(Error::Empty {
            arg: "weights",
            what: "all weights are zero",
        });
    }
    let cov = cm.cross;
    let sd: Vec<f64> = (0..dim).map(|a| cov[a * dim + a].sqrt()).collect();
    if sd.iter().any(|s| !(*s > 0.0)) {
        return Err(Error::InsufficientData(
            "a column has zero variance in this sample".into(),
        ));
    }
    let mut corr = vec![0.0; dim * dim];
    for a in 0..dim {
        corr[a * dim + a] = 1.0;
        for b in a + 1..dim {
            let v = (cov[a * dim + b] / (sd[a] * sd[b])).clamp(-1.0, 1.0);
            corr[a * dim + b] = v;
            corr[b * dim + a] = v;
        }
    }
    Ok(corr)
}

/// Validates a square covariance/correlation matrix (any layout) and scales it to a correlation
/// matrix (row-major, dim × dim). Positions in errors are row-major (`row × dim + column`).
pub(crate) fn matrix_to_correlation(m: ArrayView2<'_, f64>) -> Result<Vec<f64>> {
    let (rows, dim) = m.dim();
    if rows != dim {
        return Err(Error::LengthMismatch {
            arg: "matrix",
            len: rows,
            other: "its columns (the matrix must be square)",
            other_len: dim,
        });
    }
    if dim < 2 {
        return Err(Error::option(
            "matrix",
            format!("{dim} × {dim}"),
            "the matrix must hold the outcome and at least one driver",
        ));
    }
    // Row-major copy (the matrix is small: (p + 1)², p ≤ 200).
    let m: Vec<f64> = m.iter().copied().collect();
    for (i, &v) in m.iter().enumerate() {
        if !v.is_finite() {
            return Err(Error::NonFinite {
                arg: "matrix",
                index: i,
                value: v,
            });
        }
    }
    for a in 0..dim {
        let d = m[a * dim + a];
        if !(d > 0.0) {
            return Err(Error::InvalidValue {
                arg: "matrix",
                index: a * dim + a,
                value: d,
                reason: "a variance on the diagonal must be positive",
            });
        }
        for b in a + 1..dim {
            let (x, y) = (m[a * dim + b], m[b * dim + a]);
            if (x - y).abs() > 1e-12 * (x.abs() + y.abs()).max(d) {
                return Err(Error::InvalidValue {
                    arg: "matrix",
                    index: b * dim + a,
                    value: y,
                    reason: "the matrix must be symmetric",
                });
            }
        }
    }
    let sd: Vec<f64> = (0..dim).map(|a| m[a * dim + a].sqrt()).collect();
    let mut c = vec![0.0; dim * dim];
    for a in 0..dim {
        for b in 0..dim {
            c[a * dim + b] = if a == b {
                1.0
            } else {
                m[a * dim + b] / (sd[a] * sd[b])
            };
        }
    }
    // The full matrix must be positive semi-definite, else R² could exceed 1.
    let (values, _) = sym_eigen(&c, dim);
    let min = values.iter().copied().fold(f64::INFINITY, f64::min);
    if min < -1e-10 {
        return Err(Error::option(
            "matrix",
            format!("(smallest eigenvalue {min:e})"),
            "is not positive semi-definite: not a covariance or correlation matrix",
        ));
    }
    Ok(c)
}

/// Cholesky factor of the drivers' correlation matrix; a driver whose 1 − R² on the earlier drivers
/// is below [`COLLINEAR_TOL`] is an error naming it.
pub(crate) fn check_collinear(
    corr: &[f64],
    p: usize,
    name: &dyn Fn(usize) -> String,
) -> Result<Vec<f64>> {
    let dim = p + 1;
    let rxx: Vec<f64> = (1..dim)
        .flat_map(|a| (1..dim).map(move |b| (a, b)))
        .map(|(a, b)| corr[a * dim + b])
        .collect();
    let err = |j: usize, d: f64| {
        Error::option(
            "drivers",
            name(j),
            format!(
                "is collinear with the drivers before it (1 - R² on them = {d:.1e}); \
                 drop it or one of them"
            ),
        )
    };
    match cholesky(&rxx, p) {
        Err(j) => Err(err(j, 0.0)),
        Ok(l) => {
            for j in 0..p {
                let d = l[j * p + j] * l[j * p + j];
                if d < COLLINEAR_TOL {
                    return Err(err(j, d));
                }
            }
            Ok(l)
        }
    }
}
