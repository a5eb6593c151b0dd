//! Logistic regression for churn risk: L2, L1 or elastic-net penalty (scikit-learn's parametrisation:
//! `C · Σ loss + penalty(w)`), class and sample weights, standardisation stored with the model, and
//! a Newton solver (proximal Newton with coordinate descent for L1 / elastic net) with backtracking line
//! search and a convergence report. Without a penalty it also gives standard errors, z, p-values and
//! odds-ratio intervals (as statsmodels `Logit`).

mod design;
mod inference;
mod model;
mod options;
mod solver;
#[cfg(test)]
mod tests;

pub use inference::CoefInference;
pub use model::LogisticModel;
pub use options::{ClassWeight, Impute, LogisticOptions, Penalty};
pub use solver::Convergence;

use design::{Design, prepare, row_weights};
use inference::finish;
use solver::{
    Data, Singular, WARM_MIN_ROWS, collinear, l1_violation, max_abs, newton, separation_check,
    warm_start,
};

use crate::error::{Error, Result};
use crate::stats::check;

/// Fits a logistic regression of `y` (0/1) on the feature columns `x` (each of length `y.len()`).
///
/// ```
/// use voc_core::risk::{fit, LogisticOptions, Penalty};
/// let x1 = [0.5, 1.5, 2.0, 3.5, 4.0, 5.5, 1.0, 4.5];
/// let y = [0.0, 0.0, 1.0, 0.0, 1.0, 1.0, 0.0, 1.0];
/// let m = fit(&[&x1], &["delay".to_string()], &y, None, &LogisticOptions { penalty: Penalty::None, ..Default::default() })?;
/// assert!(m.convergence.converged && m.coef[0] > 0.0);
/// let se = m.inference.as_ref().map(|v| v[1].se).unwrap_or(f64::NAN);
/// assert!(se > 0.0);
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn fit(
    x: &[&[f64]],
    names: &[String],
    y: &[f64],
    sample_weight: Option<&[f64]>,
    opts: &LogisticOptions,
) -> Result<LogisticModel> {
    fit_design(Design::Columns(x), names, y, sample_weight, opts)
}

/// As [`fit`], on a row-major matrix: `x[i · names.len() + j]` is feature `j` of row `i` (a C-ordered
/// 2-D array, read in place). Error positions count in the same order.
///
/// ```
/// use voc_core::risk::{fit, fit_rows, LogisticOptions};
/// let names = ["delay".to_string(), "tickets".to_string()];
/// let rows = [0.5, 1.0, 1.5, 0.0, 2.0, 2.0, 3.5, 1.0, 4.0, 3.0, 5.5, 2.0, 1.0, 0.0, 4.5, 1.0];
/// let y = [0.0, 0.0, 1.0, 0.0, 1.0, 1.0, 0.0, 1.0];
/// let by_rows = fit_rows(&rows, &names, &y, None, &LogisticOptions::default())?;
/// let (a, b): (Vec<f64>, Vec<f64>) = rows.chunks(2).map(|r| (r[0], r[1])).unzip();
/// let by_cols = fit(&[&a, &b], &names, &y, None, &LogisticOptions::default())?;
/// assert!((by_rows.coef[0] - by_cols.coef[0]).abs() < 1e-12);
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn fit_rows(
    x: &[f64],
    names: &[String],
    y: &[f64],
    sample_weight: Option<&[f64]>,
    opts: &LogisticOptions,
) -> Result<LogisticModel> {
    let design = Design::Rows {
        values: x,
        features: names.len(),
    };
    fit_design(design, names, y, sample_weight, opts)
}

fn fit_design(
    x: Design<'_>,
    names: &[String],
    y: &[f64],
    sample_weight: Option<&[f64]>,
    opts: &LogisticOptions,
) -> Result<LogisticModel> {
    opts.validate()?;
    let n = y.len();
    if n == 0 {
        return Err(Error::Empty {
            arg: "y",
            what: "no rows to fit",
        });
    }
    crate::error::check_len("X", x.features(), "feature names", names.len())?;
    x.check_rows(n)?;
    if let Some(w) = sample_weight {
        crate::error::check_len("y", n, "sample_weight", w.len())?;
    }
    let n_pos = check::labels("y", y)?;
    if n_pos == 0 || n_pos == n {
        return Err(Error::InsufficientData(format!(
            "y has only one class ({} rows, all {}); a churn model needs churners and stayers",
            n,
            u8::from(n_pos == n)
        )));
    }
    let s = row_weights(y, sample_weight, opts.class_weight)?;
    let prep = prepare(x, &s, opts)?;
    let q = prep.active.len();
    let (l1, l2) = opts.lambdas();
    let total: f64 = s.iter().sum();
    let ybar = y.iter().zip(&s).map(|(a, b)| a * b).sum::<f64>() / total;
    let mut beta = vec![0.0; q + 1];
    beta[0] = (ybar / (1.0 - ybar)).ln();
    // Cold starts are far from the optimum: the Hessian is refreshed for the first steps. On big data a
    // fit on an evenly spread subsample lands close to the optimum, and the full-data Newton steps from
    // there converge in few passes; the result is the full-data optimum either way.
    let mut hessian_steps = 2;
    if l1 == 0.0 && n >= WARM_MIN_ROWS && q > 0 {
        beta = warm_start(&prep.z, q, y, &s, beta, l2, opts);
        hessian_steps = 1;
    }
    let data = Data {
        z: &prep.z,
        q,
        y,
        s: &s,
    };
    let (beta, mut conv, g_data) =
        match newton(&data, beta, l1, l2, opts.max_iter, opts.tol, hessian_steps) {
            Ok(r) => r,
            Err(Singular { pivot, beta }) => {
                // A Hessian that turns singular on the way out to infinity means separation.
                if opts.penalty == Penalty::None {
                    separation_check(&prep.z, q, &beta)?;
                }
                return Err(collinear(names, &prep.active, pivot));
            }
        };
    if l1 == 0.0 {
        // The gradient at the final point (the loop reports it at the start of the last step).
        let mut g = g_data.clone();
        for j in 1..=q {
            g[j] += l2 * beta[j];
        }
        conv.gradient = max_abs(&g);
    } else {
        // The L1 penalty has no gradient; report the largest optimality violation instead.
        conv.gradient = l1_violation(&beta, &g_data, l1, l2);
    }
    if opts.penalty == Penalty::None {
        separation_check(&prep.z, q, &beta)?;
    }
    if !conv.converged {
        return Err(Error::NotConverged {
            iterations: conv.iterations,
            last_change: conv.last_change,
        });
    }
    finish(x.features(), names, y, &s, prep, beta, conv, opts, n_pos)
}
