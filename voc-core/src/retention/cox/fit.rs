//! Fitting: Newton–Raphson on the partial likelihood, with step halving and an optional L2 penalty.

use std::collections::BTreeSet;
use std::sync::Mutex;

use ndarray::{ArrayView2, Axis};

use super::concordance::{by_time_desc, concordance_sorted_desc};
use super::likelihood::{Eval, Sorted};
use super::{CoxData, CoxOptions, CoxPh};
use crate::MissingPolicy;
use crate::error::{Error, Result, check_len};
use crate::retention::{check_durations, check_events, complete_rows, kept};
use crate::stats::dist::{chi2_sf, normal_quantile, normal_two_sided_p};
use crate::stats::linalg::{chol_inverse, chol_solve, cholesky};
use crate::traits::Fit;

/// The argument a bad value of covariate column `name` is reported under, `covariates['name']`, with
/// its row as the error's index: the message then names row and column
/// (`covariates['age'][3] is missing`).
///
/// [`Error`] holds its argument as a `&'static str`, so each distinct text is allocated once and kept
/// for the life of the process; past 4096 distinct names the plain `covariates` is used (the row is
/// still the index).
pub(super) fn column_arg(name: &str) -> &'static str {
    static SEEN: Mutex<BTreeSet<&'static str>> = Mutex::new(BTreeSet::new());
    let text = format!("covariates['{name}']");
    let mut seen = SEEN
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(&known) = seen.get(text.as_str()) {
        return known;
    }
    if seen.len() >= 4096 {
        return "covariates";
    }
    let leaked: &'static str = Box::leak(text.into_boxed_str());
    seen.insert(leaked);
    leaked
}

/// The name of covariate column `j`: `names[j]`, or `x{j}` without names.
pub(super) fn column_name(names: &[String], j: usize) -> String {
    names.get(j).cloned().unwrap_or_else(|| format!("x{j}"))
}

/// Checks a covariate matrix of any layout: at least one column, every value present and finite. The
/// first bad value in row order is reported with its row as the index, under the argument naming its
/// column ([`column_arg`]): NaN as [`Error::Missing`], ±inf as [`Error::NonFinite`]. Returns the number
/// of rows.
pub(super) fn check_matrix(x: &ArrayView2<'_, f64>, names: &[String]) -> Result<usize> {
    if x.ncols() == 0 {
        return Err(Error::Empty {
            arg: "covariates",
            what: "at least one covariate column is needed",
        });
    }
    let all_finite = match x.as_slice_memory_order() {
        Some(s) => s.iter().all(|v| v.is_finite()),
        None => x.iter().all(|v| v.is_finite()),
    };
    if all_finite {
        return Ok(x.nrows());
    }
    // Logical (row-major) order, whatever the layout: the lowest row, then the lowest column.
    let Some(((row, col), &value)) = x.indexed_iter().find(|(_, v)| !v.is_finite()) else {
        return Ok(x.nrows());
    };
    let arg = column_arg(&column_name(names, col));
    Err(if value.is_nan() {
        Error::Missing { arg, index: row }
    } else {
        Error::NonFinite {
            arg,
            index: row,
            value,
        }
    })
}

/// Fits a Cox proportional-hazards model (also [`Fit`] on a [`CoxData`] for [`CoxOptions`], which
/// takes covariate names).
///
/// `x` is the n × p covariate matrix (subjects × covariates) in any memory layout (C, Fortran or a
/// strided view), `durations` ≥ 0, `events` 0/1. Rows are sorted once by time; each Newton step
/// sweeps the risk set from the last time backwards (O(n·p²)), and steps that lower the objective are
/// halved. Covariates are centred internally, which changes neither the estimates nor the likelihood.
///
/// Errors: a NaN covariate, duration or event is [`Error::Missing`] under [`MissingPolicy::Error`]
/// (a covariate's names its row and column: `covariates['x1'][3]`, index = the row) and a left-out
/// row under [`MissingPolicy::Skip`]; ±inf is [`Error::NonFinite`]; [`Error::InsufficientData`] when no
/// event is observed; [`Error::InvalidValue`] naming the column (as `covariates[j]`, value = its
/// variance left after the other columns) for a constant or collinear column; [`Error::NotConverged`]
/// when the steps do not settle within `max_iter` (e.g. a covariate that perfectly separates early and
/// late events, whose coefficient runs off to ±∞).
///
/// Matches lifelines `CoxPHFitter` (Efron) and statsmodels `PHReg(ties="breslow")` on the rossi data to
/// 1e-6 (see `tests/reference_retention.rs`).
///
/// ```
/// use ndarray::array;
/// use voc_core::retention::{cox_ph, CoxOptions};
/// // one covariate, higher values tend to fail sooner
/// let x = array![[2.0], [0.5], [1.0], [1.5], [-0.3], [0.0], [0.7], [-1.0]];
/// let t = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0];
/// let e = [1.0, 1.0, 1.0, 0.0, 1.0, 1.0, 0.0, 1.0];
/// let fit = cox_ph(x.view(), &t, &e, &CoxOptions::default())?;
/// assert!((fit.coef[0] - 0.83928678).abs() < 1e-7); // lifelines CoxPHFitter
/// assert!((fit.concordance - 16.0 / 23.0).abs() < 1e-12);
/// assert_eq!(fit.names, ["x0"]);
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn cox_ph(
    x: ArrayView2<'_, f64>,
    durations: &[f64],
    events: &[f64],
    options: &CoxOptions,
) -> Result<CoxPh> {
    fit_data(CoxData::new(x, durations, events), options)
}

/// The fit of [`cox_ph`] on the bundled data: names checked, incomplete rows left out under
/// [`MissingPolicy::Skip`].
fn fit_data(data: CoxData<'_>, options: &CoxOptions) -> Result<CoxPh> {
    options.validate()?;
    let x = data.covariates;
    let p = x.ncols();
    let names: Vec<String> = match data.names {
        Some(names) => {
            check_len("covariates (columns)", p, "names", names.len())?;
            names.to_vec()
        }
        None => (0..p).map(|j| column_name(&[], j)).collect(),
    };
    check_len(
        "durations",
        data.durations.len(),
        "covariates (rows)",
        x.nrows(),
    )?;
    check_len(
        "durations",
        data.durations.len(),
        "events",
        data.events.len(),
    )?;
    if options.missing == MissingPolicy::Skip {
        let mut columns: Vec<&[f64]> = vec![data.durations, data.events];
        let owned: Vec<Vec<f64>>;
        if x.iter().any(|v| v.is_nan()) {
            owned = x.columns().into_iter().map(|c| c.to_vec()).collect();
            columns.extend(owned.iter().map(Vec::as_slice));
        }
        if let Some(keep) = complete_rows(&columns, MissingPolicy::Skip) {
            let rows: Vec<usize> = (0..keep.len()).filter(|&i| keep[i]).collect();
            let xs = x.select(Axis(0), &rows);
            let mut fit = fit_complete(
                xs.view(),
                &kept(data.durations, &keep),
                &kept(data.events, &keep),
                names,
                options,
            )?;
            fit.n_missing = keep.len() - rows.len();
            return Ok(fit);
        }
    }
    fit_complete(x, data.durations, data.events, names, options)
}

/// The Newton–Raphson fit on rows without missing values (a NaN is reported as an error).
fn fit_complete(
    x: ArrayView2<'_, f64>,
    durations: &[f64],
    events: &[f64],
    names: Vec<String>,
    options: &CoxOptions,
) -> Result<CoxPh> {
    let confidence = options.confidence;
    let p = x.ncols();
    check_durations(durations)?;
    let n = check_matrix(&x, &names)?;
    check_events(events)?;
    let n_events = events.iter().filter(|&&e| e == 1.0).count();
    if n_events == 0 {
        return Err(Error::InsufficientData(
            "the Cox model needs at least one observed event (all subjects are censored)".into(),
        ));
    }
    if n < 2 {
        return Err(Error::InsufficientData(
            "the Cox model needs at least two subjects".into(),
        ));
    }

    // Column means and sample standard deviations.
    let mut mean = vec![0.0; p];
    for row in x.rows() {
        for (m, v) in mean.iter_mut().zip(row) {
            *m += v;
        }
    }
    mean.iter_mut().for_each(|m| *m /= n as f64);
    // Sort once by time, descending; centred rows stored in that order, each run of equal times with
    // its events first.
    let order = by_time_desc(durations);
    let mut xs = vec![0.0; n * p];
    let mut ev = vec![false; n];
    let mut starts: Vec<u32> = Vec::new(); // start of each run of equal times
    let mut n_ev: Vec<u32> = Vec::new(); // events of each run
    let mut r = 0;
    let mut ticker = crate::interrupt::Ticker::new();
    for run in order.chunk_by(|a, b| a.0 == b.0) {
        ticker.tick()?;
        starts.push(r as u32);
        let events_first = run
            .iter()
            .filter(|o| events[o.1 as usize] == 1.0)
            .chain(run.iter().filter(|o| events[o.1 as usize] != 1.0));
        let mut d = 0;
        for &(_, i) in events_first {
            let i = i as usize;
            for ((dst, v), m) in xs[r * p..r * p + p].iter_mut().zip(x.row(i)).zip(&mean) {
                *dst = v - m;
            }
            ev[r] = events[i] == 1.0;
            d += u32::from(ev[r]);
            r += 1;
        }
        n_ev.push(d);
    }
    starts.push(n as u32);
    let data = Sorted {
        xs,
        ev,
        starts,
        n_ev,
        p,
        ties: options.ties,
    };

    // Gram matrix of the centred columns: scales, and constant/collinear columns fail its Cholesky.
    let mut gram = super::likelihood::weighted_gram(&data.xs, &vec![1.0; n], p)?;
    gram.truncate(p * p);
    for a in 0..p {
        for b in 0..a {
            gram[b * p + a] = gram[a * p + b];
        }
    }
    let sd: Vec<f64> = (0..p)
        .map(|j| (gram[j * p + j] / (n as f64 - 1.0)).sqrt())
        .collect();
    let mut corr = gram.clone();
    for a in 0..p {
        for b in 0..p {
            let s = (gram[a * p + a] * gram[b * p + b]).sqrt();
            corr[a * p + b] = if s > 0.0 { gram[a * p + b] / s } else { 0.0 };
        }
        if gram[a * p + a] <= 0.0 {
            corr[a * p + a] = 0.0;
        }
    }
    if let Err(j) = cholesky(&corr, p) {
        let residual = residual_variance(&corr, p, j) * gram[j * p + j] / (n as f64 - 1.0);
        return Err(Error::InvalidValue {
            arg: "covariates",
            index: j,
            value: residual,
            reason: "column is constant or a linear combination of other columns (collinear); drop it",
        });
    }

    let pen: Vec<f64> = sd
        .iter()
        .map(|s| n as f64 * options.penalizer * s * s)
        .collect();
    let mut beta = vec![0.0; p];
    let mut eval = Eval::new(p);
    data.evaluate(&beta, &mut eval)?;
    let null_ll = eval.ll;
    let objective = |e: &Eval, b: &[f64]| -> f64 {
        e.ll - 0.5 * b.iter().zip(&pen).map(|(bj, w)| w * bj * bj).sum::<f64>()
    };
    let mut obj = objective(&eval, &beta);
    let mut iterations = 0;
    let mut trial = Eval::new(p);
    let mut converged = false;
    let mut last_change = f64::INFINITY;
    while iterations < options.max_iter {
        iterations += 1;
        // Newton direction on the penalised objective: (−H + P) δ = g − P β.
        let mut neg_h = eval.neg_hess.clone();
        let mut g = eval.grad.clone();
        for j in 0..p {
            neg_h[j * p + j] += pen[j];
            g[j] -= pen[j] * beta[j];
        }
        let Ok(l) = cholesky(&neg_h, p) else {
            return Err(Error::NotConverged {
                iterations,
                last_change,
            });
        };
        let mut delta = g;
        chol_solve(&l, p, &mut delta);
        let change = delta
            .iter()
            .zip(&sd)
            .map(|(d, s)| (d * s).abs())
            .fold(0.0, f64::max);
        // Step halving: accept the first step that does not lower the objective.
        let mut step = 1.0;
        let mut accepted = false;
        let mut cand = beta.clone();
        for _ in 0..30 {
            for j in 0..p {
                cand[j] = beta[j] + step * delta[j];
            }
            data.evaluate(&cand, &mut trial)?;
            let new_obj = objective(&trial, &cand);
            if new_obj.is_finite() && new_obj >= obj - 1e-12 * obj.abs().max(1.0) {
                obj = new_obj;
                accepted = true;
                break;
            }
            step *= 0.5;
        }
        if !accepted {
            return Err(Error::NotConverged {
                iterations,
                last_change: change,
            });
        }
        beta.copy_from_slice(&cand);
        std::mem::swap(&mut eval, &mut trial);
        last_change = change * step;
        if change < options.tol {
            converged = true;
            break;
        }
    }
    if !converged {
        return Err(Error::NotConverged {
            iterations,
            last_change,
        });
    }

    let mut neg_h = eval.neg_hess.clone();
    for j in 0..p {
        neg_h[j * p + j] += pen[j];
    }
    let covariance = match cholesky(&neg_h, p) {
        Ok(l) => chol_inverse(&l, p),
        Err(_) => {
            return Err(Error::NotConverged {
                iterations,
                last_change,
            });
        }
    };
    let zq = normal_quantile(0.5 + 0.5 * confidence);
    let se: Vec<f64> = (0..p).map(|j| covariance[j * p + j].sqrt()).collect();
    let z: Vec<f64> = beta.iter().zip(&se).map(|(b, s)| b / s).collect();
    let lr_statistic = 2.0 * (obj - null_ll);
    let lp: Vec<f64> = data
        .xs
        .chunks_exact(p)
        .map(|r| r.iter().zip(&beta).map(|(a, b)| a * b).sum())
        .collect();
    let times_sorted: Vec<u64> = order.iter().map(|o| o.0).collect();
    let concordance = concordance_sorted_desc(&times_sorted, &lp, &data.ev)?;
    Ok(CoxPh {
        p_value: z.iter().map(|&v| normal_two_sided_p(v)).collect(),
        ci_low: beta.iter().zip(&se).map(|(b, s)| b - zq * s).collect(),
        ci_high: beta.iter().zip(&se).map(|(b, s)| b + zq * s).collect(),
        hazard_ratio: beta.iter().map(|b| b.exp()).collect(),
        z,
        se,
        covariance,
        log_likelihood: eval.ll,
        penalized_log_likelihood: obj,
        null_log_likelihood: null_ll,
        lr_statistic,
        lr_df: p,
        lr_p_value: chi2_sf(lr_statistic, p as f64),
        concordance,
        n,
        n_events,
        iterations,
        ties: options.ties,
        penalizer: options.penalizer,
        confidence,
        coef: beta,
        mean,
        names,
        n_missing: 0,
    })
}

impl Fit<CoxData<'_>> for CoxOptions {
    type Model = CoxPh;

    /// [`cox_ph`] on the bundled data, keeping its covariate names.
    fn fit(&self, data: CoxData<'_>) -> Result<CoxPh> {
        fit_data(data, self)
    }
}

/// Variance of column `j` (of a correlation matrix) not explained by the columns before it.
fn residual_variance(corr: &[f64], p: usize, j: usize) -> f64 {
    if j == 0 {
        return corr[0].max(0.0);
    }
    let sub: Vec<f64> = (0..j)
        .flat_map(|a| (0..j).map(move |b| (a, b)))
        .map(|(a, b)| corr[a * p + b])
        .collect();
    match cholesky(&sub, j) {
        Ok(l) => {
            let mut c: Vec<f64> = (0..j).map(|a| corr[a * p + j]).collect();
            let rhs = c.clone();
            chol_solve(&l, j, &mut c);
            (corr[j * p + j] - c.iter().zip(&rhs).map(|(a, b)| a * b).sum::<f64>()).max(0.0)
        }
        Err(_) => 0.0,
    }
}
