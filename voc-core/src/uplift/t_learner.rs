//! The T-learner's parts: each arm's rows split out of the features in one read, one response model
//! per arm, and both arms' probabilities of a row read once.

use ndarray::{Array2, ArrayView2, Axis};

use super::check::finite;
use crate::Fit;
use crate::error::{Error, Result};
use crate::risk::logistic::sigmoid_in_place;
use crate::risk::{LogisticModel, LogisticOptions, RiskData};

/// Rows per chunk of the reads below: fixed, so every sum is added in the same order on any number
/// of threads.
const ROWS: usize = 8192;

/// The training rows split by arm: each arm's features (C-ordered copies, rows in their original
/// order) and outcomes, and the mean of every feature over all rows (the reference customer).
pub(super) struct Split {
    pub(super) x_treated: Array2<f64>,
    pub(super) x_control: Array2<f64>,
    pub(super) y_treated: Vec<f64>,
    pub(super) y_control: Vec<f64>,
    pub(super) reference: Vec<f64>,
}

/// One chunk of the split: its rows, and its parts of the treated and control features and outcomes.
type Job<'a> = (
    std::ops::Range<usize>,
    &'a mut [f64],
    &'a mut [f64],
    &'a mut [f64],
    &'a mut [f64],
);

/// The means of the columns from per-chunk sums: the chunks' sums added in chunk order.
fn means_of(parts: &[Vec<f64>], p: usize, n: usize) -> Vec<f64> {
    let mut total = vec![-0.0; p];
    for part in parts {
        for (t, s) in total.iter_mut().zip(part) {
            *t += s;
        }
    }
    total.into_iter().map(|s| s / n as f64).collect()
}

/// The mean of each column of `x` (any layout): each chunk of [`ROWS`] rows summed in row order and
/// the chunks' sums added in order (the numbers [`split`] gives); an error naming the first value
/// that is not finite.
pub(super) fn column_means(x: &ArrayView2<'_, f64>) -> Result<Vec<f64>> {
    finite(x, false)?;
    let (n, p) = x.dim();
    let parts: Vec<Vec<f64>> = (0..n)
        .step_by(ROWS)
        .map(|s| {
            let mut sum = vec![-0.0; p];
            for row in x.slice(ndarray::s![s..(s + ROWS).min(n), ..]).rows() {
                for (t, &v) in sum.iter_mut().zip(row) {
                    *t += v;
                }
            }
            sum
        })
        .collect();
    Ok(means_of(&parts, p, n))
}

/// Splits the rows of `x` by arm (`treatment` 1 or 0, checked), with `n_treated` treated rows. A
/// C-ordered `x` is read once, in parallel chunks, for the copies, the means and the check that every
/// value is finite; any other layout is gathered by arm (the same copies and means).
pub(super) fn split(
    x: ArrayView2<'_, f64>,
    outcome: &[f64],
    treatment: &[f64],
    n_treated: usize,
) -> Result<Split> {
    let (n, p) = x.dim();
    let Some(values) = x.as_slice().filter(|_| p > 0) else {
        let reference = column_means(&x)?;
        let (treated, control): (Vec<usize>, Vec<usize>) =
            (0..n).partition(|&i| treatment[i] == 1.0);
        let pick = |rows: &[usize]| rows.iter().map(|&i| outcome[i]).collect::<Vec<f64>>();
        return Ok(Split {
            x_treated: x
                .select(Axis(0), &treated)
                .as_standard_layout()
                .into_owned(),
            x_control: x
                .select(Axis(0), &control)
                .as_standard_layout()
                .into_owned(),
            y_treated: pick(&treated),
            y_control: pick(&control),
            reference,
        });
    };
    let n_control = n - n_treated;
    let (mut xt, mut xc) = (vec![0.0; n_treated * p], vec![0.0; n_control * p]);
    let (mut yt, mut yc) = (vec![0.0; n_treated], vec![0.0; n_control]);
    // Each chunk of rows writes its own part of every output: the treated rows before it fix where.
    let mut jobs = Vec::with_capacity(n.div_ceil(ROWS));
    {
        let (mut rt, mut rc, mut ryt, mut ryc) =
            (&mut xt[..], &mut xc[..], &mut yt[..], &mut yc[..]);
        for start in (0..n).step_by(ROWS) {
            let end = (start + ROWS).min(n);
            let k = treatment[start..end].iter().filter(|&&t| t == 1.0).count();
            let (a, rest) = std::mem::take(&mut rt).split_at_mut(k * p);
            rt = rest;
            let (b, rest) = std::mem::take(&mut rc).split_at_mut((end - start - k) * p);
            rc = rest;
            let (ya, rest) = std::mem::take(&mut ryt).split_at_mut(k);
            ryt = rest;
            let (yb, rest) = std::mem::take(&mut ryc).split_at_mut(end - start - k);
            ryc = rest;
            jobs.push((start..end, a, b, ya, yb));
        }
    }
    // One read of each row: copied to its arm, added to the column sums, checked.
    let copy = |(r, a, b, ya, yb): Job<'_>| {
        let mut sum = vec![-0.0; p];
        let mut clean = true;
        let (mut ia, mut ib) = (0, 0);
        for (i, row) in r
            .clone()
            .zip(values[r.start * p..r.end * p].chunks_exact(p))
        {
            let dst = if treatment[i] == 1.0 {
                ya[ia] = outcome[i];
                ia += 1;
                &mut a[(ia - 1) * p..ia * p]
            } else {
                yb[ib] = outcome[i];
                ib += 1;
                &mut b[(ib - 1) * p..ib * p]
            };
            for ((d, t), &v) in dst.iter_mut().zip(sum.iter_mut()).zip(row) {
                *d = v;
                *t += v;
                clean &= v.is_finite();
            }
        }
        (sum, clean)
    };
    #[cfg(feature = "parallel")]
    let parts: Vec<(Vec<f64>, bool)> = {
        use rayon::prelude::*;
        jobs.into_par_iter().map(copy).collect()
    };
    #[cfg(not(feature = "parallel"))]
    let parts: Vec<(Vec<f64>, bool)> = jobs.into_iter().map(copy).collect();
    if !parts.iter().all(|(_, clean)| *clean) {
        finite(&x, false)?;
    }
    let sums: Vec<Vec<f64>> = parts.into_iter().map(|(s, _)| s).collect();
    let shape = |v: Vec<f64>, rows: usize| {
        Array2::from_shape_vec((rows, p), v).map_err(|e| Error::Incompatible(e.to_string()))
    };
    Ok(Split {
        x_treated: shape(xt, n_treated)?,
        x_control: shape(xc, n_control)?,
        y_treated: yt,
        y_control: yc,
        reference: means_of(&sums, p, n),
    })
}

/// The two response models, `(treated, control)`, fitted side by side on the arms' rows (each fit is
/// the same whatever the threads), under one watcher for interrupts rather than one per pass.
pub(super) fn fit_arms(
    opts: &LogisticOptions,
    s: &Split,
    names: &[String],
) -> Result<(LogisticModel, LogisticModel)> {
    let arm = |x: &Array2<f64>, y: &[f64]| opts.fit(RiskData::new(x.view(), y).names(names));
    crate::interrupt::watch(|| {
        #[cfg(feature = "parallel")]
        let (mt, mc) = rayon::join(
            || arm(&s.x_treated, &s.y_treated),
            || arm(&s.x_control, &s.y_control),
        );
        #[cfg(not(feature = "parallel"))]
        let (mt, mc) = (
            arm(&s.x_treated, &s.y_treated),
            arm(&s.x_control, &s.y_control),
        );
        Ok((mt?, mc?))
    })
}

/// Both arms' probabilities of the rows of `x`, whose values were checked (finite, or NaN filled):
/// one read of the rows when `x` is C-ordered, else two `predict_proba` calls (the same numbers).
pub(super) fn both_arms(
    treated: &LogisticModel,
    control: &LogisticModel,
    x: ArrayView2<'_, f64>,
) -> Result<(Vec<f64>, Vec<f64>)> {
    match x
        .as_slice()
        .and_then(|v| arm_probabilities(treated, control, v, x.ncols()))
    {
        Some((pt, pc, _)) => Ok((pt, pc)),
        None => Ok((treated.predict_proba(x)?, control.predict_proba(x)?)),
    }
}

/// [`arm_probabilities`] of a C-ordered `x`, when every value of `x` is finite (checked in the same
/// read): the probabilities and their difference, with nothing left to check. `None` otherwise (the
/// checked path then reports the value or fills it).
pub(super) fn clean_arm_probabilities(
    treated: &LogisticModel,
    control: &LogisticModel,
    x: ArrayView2<'_, f64>,
) -> Option<(Vec<f64>, Vec<f64>, Vec<f64>)> {
    arm_probabilities(treated, control, x.as_slice()?, x.ncols())
}

/// Both arms' probabilities of every row of a C-ordered `values` (rows of `p` values), and their
/// difference, in one read of the rows: each row's log-odds summed as
/// [`LogisticModel::decision_function`] sums them (the intercept, then `coef · value` in column order,
/// zero coefficients skipped) and mapped by the same [`sigmoid_in_place`], so the numbers are those of two
/// `predict_proba` calls. `None` when a value is not finite or a model does not have `p`
/// coefficients (the checked path reports it).
fn arm_probabilities(
    treated: &LogisticModel,
    control: &LogisticModel,
    values: &[f64],
    p: usize,
) -> Option<(Vec<f64>, Vec<f64>, Vec<f64>)> {
    if p == 0
        || treated.coef.len() != p
        || control.coef.len() != p
        || treated.means.len() != p
        || control.means.len() != p
        || !values.len().is_multiple_of(p)
    {
        return None;
    }
    let n = values.len() / p;
    let (mut pt, mut pc, mut up) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
    let fill = |start: usize, out_t: &mut [f64], out_c: &mut [f64], out_u: &mut [f64]| {
        fill_chunk((treated, control), values, p, start, out_t, out_c, out_u)
    };
    #[cfg(feature = "parallel")]
    let clean = {
        use rayon::prelude::*;
        pt.par_chunks_mut(ROWS)
            .zip(pc.par_chunks_mut(ROWS))
            .zip(up.par_chunks_mut(ROWS))
            .enumerate()
            .map(|(c, ((a, b), u))| fill(c * ROWS, a, b, u))
            .reduce(|| true, |a, b| a & b)
    };
    #[cfg(not(feature = "parallel"))]
    let clean = pt
        .chunks_mut(ROWS)
        .zip(pc.chunks_mut(ROWS))
        .zip(up.chunks_mut(ROWS))
        .enumerate()
        .fold(true, |ok, (c, ((a, b), u))| ok & fill(c * ROWS, a, b, u));
    clean.then_some((pt, pc, up))
}

crate::simd::simd_dispatch! {
    /// Both arms' probabilities and their difference for the rows from `start` on (as many as
    /// `out_t` holds), and whether all their values are finite (see [`arm_probabilities`]).
    fn fill_chunk(
        models: (&LogisticModel, &LogisticModel),
        values: &[f64],
        p: usize,
        start: usize,
        out_t: &mut [f64],
        out_c: &mut [f64],
        out_u: &mut [f64],
    ) -> bool => fill_chunk_impl
}

// Four rows at a time: each row's sums are still added in column order (the same bits), but the
// four rows' chains of additions run side by side instead of one after the other. The chunk's
// log-odds are then mapped to probabilities at once, as `predict_proba` maps them.
#[inline(always)]
fn fill_chunk_impl(
    (treated, control): (&LogisticModel, &LogisticModel),
    values: &[f64],
    p: usize,
    start: usize,
    out_t: &mut [f64],
    out_c: &mut [f64],
    out_u: &mut [f64],
) -> bool {
    let (ct, cc) = (&treated.coef[..], &control.coef[..]);
    let rows = &values[start * p..(start + out_t.len()) * p];
    let mut clean = true;
    let mut k = 0;
    while k + 4 <= out_t.len() {
        let block = &rows[k * p..(k + 4) * p];
        let (mut et, mut ec) = ([treated.intercept; 4], [control.intercept; 4]);
        for (j, (&a, &b)) in ct.iter().zip(cc).enumerate() {
            let v = [block[j], block[p + j], block[2 * p + j], block[3 * p + j]];
            for r in 0..4 {
                clean &= v[r].is_finite();
                if a != 0.0 {
                    et[r] += a * v[r];
                }
                if b != 0.0 {
                    ec[r] += b * v[r];
                }
            }
        }
        out_t[k..k + 4].copy_from_slice(&et);
        out_c[k..k + 4].copy_from_slice(&ec);
        k += 4;
    }
    for k in k..out_t.len() {
        let row = &rows[k * p..(k + 1) * p];
        let (mut et, mut ec) = (treated.intercept, control.intercept);
        for ((&v, &a), &b) in row.iter().zip(ct).zip(cc) {
            clean &= v.is_finite();
            if a != 0.0 {
                et += a * v;
            }
            if b != 0.0 {
                ec += b * v;
            }
        }
        out_t[k] = et;
        out_c[k] = ec;
    }
    sigmoid_in_place(out_t);
    sigmoid_in_place(out_c);
    for ((u, &a), &b) in out_u.iter_mut().zip(&*out_t).zip(&*out_c) {
        *u = a - b;
    }
    clean
}
