//! Logistic regression for churn risk: L2, L1 or elastic-net penalty (scikit-learn's parametrisation:
//! `C · Σ loss + penalty(w)`), class and sample weights, standardisation stored with the model, and
//! a Newton solver (proximal Newton with coordinate descent for L1 / elastic net) with backtracking line
//! search and a convergence report. Without a penalty it also gives standard errors, z, p-values and
//! odds-ratio intervals (as statsmodels `Logit`).

mod bytes;
mod design;
mod exp;
mod inference;
mod model;
mod options;
mod solver;
#[cfg(test)]
mod tests;

pub use design::RiskData;
pub(crate) use exp::sigmoid_in_place;
pub use inference::{CoefInference, Term};
pub use model::LogisticModel;
pub use options::{ClassWeight, LogisticOptions, Missing, Penalty};
pub use solver::Convergence;

use ndarray::{ArrayView2, Axis};

use design::{Design, Rows, prepare, row_weights};
use inference::finish;
use solver::{
    Data, Halt, Singular, Solved, WARM_MIN_ROWS, collinear, l1_violation, max_abs, separation,
    separation_check, solve, warm_start,
};

use crate::Fit;
use crate::error::{Error, Result, check_len};
use crate::stats::check;

/// Fits a logistic regression of `y` (0/1) on the rows of `x`, with names and sample weights.
///
/// The matrix is read in place whatever its layout (C-ordered, Fortran-ordered or strided), and the fit
/// is bit-identical across layouts. Errors name positions as `X[row · columns + column]`.
///
/// ```
/// use ndarray::array;
/// use voc_core::Fit;
/// use voc_core::risk::{LogisticOptions, Penalty, RiskData};
/// let x = array![[0.5], [1.5], [2.0], [3.5], [4.0], [5.5], [1.0], [4.5]];
/// let y = [0.0, 0.0, 1.0, 0.0, 1.0, 1.0, 0.0, 1.0];
/// let names = ["delay".to_string()];
/// let opts = LogisticOptions::default().penalty(Penalty::None);
/// let m = opts.fit(RiskData::new(x.view(), &y).names(&names))?;
/// assert!(m.convergence.converged && m.coef[0] > 0.0);
/// let se = m.inference.as_ref().map(|v| v[1].se).unwrap_or(f64::NAN);
/// assert!(se > 0.0);
/// # Ok::<(), voc_core::Error>(())
/// ```
impl Fit<RiskData<'_>> for LogisticOptions {
    type Model = LogisticModel;

    fn fit(&self, data: RiskData<'_>) -> Result<LogisticModel> {
        let generated: Vec<String>;
        let names = match data.names {
            Some(names) => names,
            None => {
                generated = (0..data.x.ncols()).map(|j| format!("x{j}")).collect();
                &generated
            }
        };
        if self.missing == Missing::Skip
            && let Some(complete) = complete_rows(&data)
        {
            let x = data.x.select(Axis(0), &complete.rows);
            let mut m = fit_design(
                Design::new(x.view()),
                x.dim(),
                names,
                &complete.y,
                complete.w.as_deref(),
                self,
            )?;
            m.n_missing = complete.dropped;
            return Ok(m);
        }
        fit_design(
            Design::new(data.x),
            data.x.dim(),
            names,
            data.y,
            data.sample_weight,
            self,
        )
    }
}

/// Fits on features and labels alone (features named `x0`, `x1`, ...; no sample weights).
///
/// ```
/// use ndarray::array;
/// use voc_core::{Fit, Predict};
/// use voc_core::risk::LogisticOptions;
/// let x = array![[1.0], [2.0], [3.0], [4.0], [5.0], [6.0]];
/// let y = [0.0, 0.0, 1.0, 0.0, 1.0, 1.0];
/// let m = LogisticOptions::default().fit((x.view(), &y[..]))?;
/// assert_eq!(m.names, ["x0"]);
/// let p = m.predict(array![[0.0], [10.0]].view())?;
/// assert!(p[0] < 0.5 && p[1] > 0.5);
/// # Ok::<(), voc_core::Error>(())
/// ```
impl Fit<(ArrayView2<'_, f64>, &[f64])> for LogisticOptions {
    type Model = LogisticModel;

    fn fit(&self, (x, y): (ArrayView2<'_, f64>, &[f64])) -> Result<LogisticModel> {
        self.fit(RiskData::new(x, y))
    }
}

/// The rows of `data` with no NaN in a feature, the label or the weight (for [`Missing::Skip`]).
pub(crate) struct Complete {
    /// Positions of the complete rows.
    pub(crate) rows: Vec<usize>,
    /// Their labels.
    pub(crate) y: Vec<f64>,
    /// Their weights.
    pub(crate) w: Option<Vec<f64>>,
    /// Rows left out.
    pub(crate) dropped: usize,
}

/// The complete rows of `data`, or `None` when every row is complete (or the lengths disagree, which
/// the fit reports).
pub(crate) fn complete_rows(data: &RiskData<'_>) -> Option<Complete> {
    let n = data.y.len();
    if data.x.nrows() != n || data.sample_weight.is_some_and(|w| w.len() != n) {
        return None;
    }
    let rows: Vec<usize> = (0..n)
        .filter(|&i| {
            !data.y[i].is_nan()
                && !data.sample_weight.is_some_and(|w| w[i].is_nan())
                && !data.x.row(i).iter().any(|v| v.is_nan())
        })
        .collect();
    if rows.len() == n {
        return None;
    }
    Some(Complete {
        y: rows.iter().map(|&i| data.y[i]).collect(),
        w: data
            .sample_weight
            .map(|w| rows.iter().map(|&i| w[i]).collect()),
        dropped: n - rows.len(),
        rows,
    })
}

fn fit_design(
    x: Design<'_>,
    (x_rows, p): (usize, usize),
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
    check_len("X", p, "feature names", names.len())?;
    check_len("y", n, "X rows", x_rows)?;
    if let Some(w) = sample_weight {
        check_len("y", n, "sample_weight", w.len())?;
    }
    if let Some(index) = y.iter().position(|v| v.is_nan()) {
        return Err(Error::Missing { arg: "y", index });
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
    let mut prep = prepare(x, p, &s, opts)?;
    let q = prep.active.len();
    // The rows the solver reads (taken out of `prep`, which the model is made from at the end).
    let (z, cols) = (std::mem::take(&mut prep.z), std::mem::take(&mut prep.cols));
    let rows = match prep.on_read {
        true => Rows::on_read(x, &cols).unwrap_or(Rows::Dense(&z)),
        false => Rows::Dense(&z),
    };
    let (l1, l2) = opts.lambdas();
    let total: f64 = s.iter().sum();
    let ybar = y.iter().zip(&s).map(|(a, b)| a * b).sum::<f64>() / total;
    let mut beta = vec![0.0; q + 1];
    beta[0] = (ybar / (1.0 - ybar)).ln();
    // Cold starts are far from the optimum: the Hessian is refreshed for the first steps. On big data a
    // fit on an evenly spread subsample lands close to the optimum, and the full-data Newton steps from
    // there converge in few passes (the first one on the subsample's Hessian, scaled); the result is the
    // full-data optimum either way.
    let mut hessian_steps = 2;
    let mut start_hessian = None;
    if l1 == 0.0 && n >= WARM_MIN_ROWS && q > 0 {
        (beta, start_hessian) = warm_start(rows, q, y, &s, beta, l2, opts);
        hessian_steps = 1;
    }
    let data = Data {
        z: rows,
        q,
        y,
        s: &s,
    };
    let no_penalty = opts.penalty == Penalty::None;
    let solved = match solve(
        &data,
        beta,
        l1,
        l2,
        opts.max_iter,
        opts.tol,
        hessian_steps,
        no_penalty,
        start_hessian,
    ) {
        Ok(r) => r,
        Err(Halt::Interrupted) => return Err(Error::Interrupted),
        Err(Halt::Singular(Singular { pivot, beta })) => {
            // A Hessian that turns singular on the way out to infinity means separation.
            if no_penalty {
                separation_check(rows, n, q, &beta)?;
            }
            return Err(collinear(names, &prep.active, pivot));
        }
    };
    let Solved {
        beta,
        mut conv,
        g_data,
        f_data,
        h_data,
        extreme,
        ..
    } = solved;
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
    if no_penalty {
        // The last pass counted the rows with extreme log-odds at the solution.
        separation(extreme, q, n, &beta)?;
    }
    if !conv.converged {
        return Err(Error::NotConverged {
            iterations: conv.iterations,
            last_change: conv.last_change,
        });
    }
    // The inference needs the Hessian at the solution (the last pass gives it unless the solver
    // stopped on a step it could not foresee).
    let hessian = match h_data {
        None if no_penalty => Some(
            solver::derivatives(rows, q, y, &s, &beta, true)
                .map_err(|_| Error::Interrupted)?
                .2,
        ),
        h => h,
    };
    let at_solution = inference::AtSolution {
        loss: f_data,
        hessian,
    };
    finish(p, names, y, &s, prep, beta, conv, opts, n_pos, at_solution)
}
