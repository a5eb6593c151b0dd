//! The usable rows of a key-driver analysis and their (weighted) correlation matrix, plus the checks of
//! a covariance or correlation matrix handed in directly.

use std::borrow::Cow;

use ndarray::ArrayView2;
#[cfg(feature = "parallel")]
use rayon::prelude::*;

use super::{COLLINEAR_TOL, at, at_u32};
use crate::MissingPolicy;
use crate::error::{Error, Result};
use crate::impact::correlation::contiguous_columns;
use crate::stats::linalg::{cholesky, dot, sym_eigen};

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
    /// Checks every value and keeps the complete rows with a positive weight. `drivers` has
    /// `outcome.len()` rows and `names.len()` columns (checked by the caller).
    pub(crate) fn collect(
        outcome: &'a [f64],
        drivers: ArrayView2<'a, f64>,
        names: &[&str],
        weights: Option<&'a [f64]>,
        missing: MissingPolicy,
    ) -> Result<Data<'a>> {
        let p = drivers.ncols();
        let rows = outcome.len();
        // Contiguous driver columns: borrowed from a column-major view, else gathered in one pass.
        let dcols = contiguous_columns(drivers);
        let mut keep = vec![true; rows];
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
                        if let Some(k) = keep.get_mut(i) {
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
        let dropped = keep.iter().filter(|&&k| !k).count();
        if let Some(w) = weights {
            for (k, &v) in keep.iter_mut().zip(w) {
                if v == 0.0 {
                    *k = false;
                }
            }
        }
        let n = keep.iter().filter(|&&k| k).count();
        if n < p + 2 {
            return Err(Error::InsufficientData(format!(
                "key drivers with {p} driver(s) need at least {} complete rows with positive weight \
                 (one more than the {} coefficients), got {n}",
                p + 2,
                p + 1
            )));
        }
        let all = n == rows;
        // Every row kept: the columns as they are (borrowed, or the one copy made above); else the
        // kept rows are copied.
        let pick = |col: Cow<'a, [f64]>| -> Cow<'a, [f64]> {
            if all {
                col
            } else {
                Cow::Owned(
                    col.iter()
                        .zip(&keep)
                        .filter(|(_, k)| **k)
                        .map(|(v, _)| *v)
                        .collect(),
                )
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

/// Rows per block of the moment sums: blocks are summed in order, so the result does not depend on
/// how many threads computed them.
const BLOCK: usize = 4096;

/// Weighted correlation matrix of the columns (row-major, dim × dim), two-pass (means, then centred
/// cross-products), as R's `cov.wt(..., cor = TRUE)`. `counts` multiplies each row's weight (bootstrap).
pub(crate) fn correlation(
    cols: &[&[f64]],
    w: Option<&[f64]>,
    counts: Option<&[u32]>,
    parallel: bool,
) -> Result<Vec<f64>> {
    let dim = cols.len();
    let n = cols.first().map_or(0, |c| c.len());
    let weight = |i: usize| -> f64 {
        let c = counts.map_or(1.0, |c| f64::from(at_u32(c, i)));
        w.map_or(c, |w| c * at(w, i))
    };
    let blocks = n.div_ceil(BLOCK);
    // pass 1: weighted sums per block
    let sums_of = |b: usize| -> Vec<f64> {
        let (lo, hi) = (b * BLOCK, ((b + 1) * BLOCK).min(n));
        let wts: Vec<f64> = (lo..hi).map(weight).collect();
        let mut s = vec![0.0; dim + 1];
        for (c, col) in cols.iter().enumerate() {
            s[c] = dot(&wts, &col[lo..hi]);
        }
        s[dim] = wts.iter().sum();
        s
    };
    let parts = map_blocks(blocks, parallel, &sums_of);
    let mut tot = vec![0.0; dim + 1];
    for part in &parts {
        for (t, x) in tot.iter_mut().zip(part) {
            *t += x;
        }
    }
    let wsum = tot[dim];
    if !(wsum > 0.0) {
        return Err(Error::Empty {
            arg: "weights",
            what: "all weights are zero",
        });
    }
    let mean: Vec<f64> = tot[..dim].iter().map(|s| s / wsum).collect();
    // pass 2: centred cross-products per block (upper triangle)
    let cross_of = |b: usize| -> Vec<f64> {
        let (lo, hi) = (b * BLOCK, ((b + 1) * BLOCK).min(n));
        let len = hi - lo;
        let mut z = vec![0.0; dim * len];
        let mut zw = vec![0.0; dim * len];
        let wts: Vec<f64> = (lo..hi).map(weight).collect();
        for (c, col) in cols.iter().enumerate() {
            let m = mean[c];
            let zc = &mut z[c * len..(c + 1) * len];
            for (k, v) in zc.iter_mut().enumerate() {
                *v = col[lo + k] - m;
            }
            let zwc = &mut zw[c * len..(c + 1) * len];
            for (k, v) in zwc.iter_mut().enumerate() {
                *v = wts[k] * z[c * len + k];
            }
        }
        let mut s = vec![0.0; dim * dim];
        for a in 0..dim {
            let za = &zw[a * len..(a + 1) * len];
            for b2 in a..dim {
                let zb = &z[b2 * len..(b2 + 1) * len];
                s[a * dim + b2] = dot(za, zb);
            }
        }
        s
    };
    let parts = map_blocks(blocks, parallel, &cross_of);
    let mut cov = vec![0.0; dim * dim];
    for part in &parts {
        for (t, x) in cov.iter_mut().zip(part) {
            *t += x;
        }
    }
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

fn map_blocks(
    blocks: usize,
    parallel: bool,
    f: &(dyn Fn(usize) -> Vec<f64> + Sync),
) -> Vec<Vec<f64>> {
    #[cfg(feature = "parallel")]
    if parallel && blocks > 1 {
        return (0..blocks).into_par_iter().map(f).collect();
    }
    let _ = parallel;
    (0..blocks).map(f).collect()
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
