//! Quasi-Newton minimisation for the small (3–4 parameter) maximum-likelihood fits, and the one driver
//! they share ([`minimise_log_params`]): BFGS to a moderate gradient, Newton polishing to `tol`, and the
//! inverse Hessian for standard errors.

use crate::error::{Error, Result};
use crate::stats::linalg::{chol_inverse, cholesky};

/// Gradient size at which BFGS hands over to Newton polishing (quadratic convergence from there).
pub(crate) const POLISH_FROM: f64 = 1e-6;

/// Outcome of [`minimise_log_params`].
pub(crate) struct Fitted {
    /// Minimiser (log-parameters).
    pub(crate) x: Vec<f64>,
    /// Objective at `x`.
    pub(crate) f: f64,
    /// BFGS iterations.
    pub(crate) iterations: usize,
    /// Inverse of the central-difference Hessian at `x`, row-major; `None` when it is not positive
    /// definite.
    pub(crate) inv_hessian: Option<Vec<f64>>,
}

/// Minimises a mean negative log-likelihood `f` over log-parameters from 0: BFGS until the largest
/// gradient component is below `max(POLISH_FROM, tol)`, then up to six Newton steps on a
/// finite-difference Hessian of the analytic gradient; [`Error::NotConverged`] unless the gradient ends
/// below `tol`. Returns the minimiser, the objective there and the inverse Hessian for standard errors.
pub(crate) fn minimise_log_params(
    mut f: impl FnMut(&[f64], &mut [f64]) -> f64,
    n_params: usize,
    max_iter: usize,
    tol: f64,
) -> Result<Fitted> {
    // Every evaluation checks for an interrupt (one pass over the data costs far more); once
    // interrupted, the objective is NaN, which ends the line search and BFGS at once.
    let stop = std::cell::Cell::new(false);
    let mut f = |p: &[f64], g: &mut [f64]| -> f64 {
        if stop.get() || crate::interrupt::check().is_err() {
            stop.set(true);
            return f64::NAN;
        }
        let v = f(p, g);
        // An objective may check inside its pass over the data (and return NaN when interrupted).
        if crate::interrupt::is_pending() {
            stop.set(true);
            return f64::NAN;
        }
        v
    };
    let mut min = bfgs(&mut f, &vec![0.0; n_params], POLISH_FROM.max(tol), max_iter);
    if stop.get() {
        return Err(Error::Interrupted);
    }
    let gmax = if min.converged {
        newton_polish(
            |p, g| {
                f(p, g);
            },
            &mut min.x,
            6,
        )
    } else {
        f64::INFINITY
    };
    if stop.get() {
        return Err(Error::Interrupted);
    }
    if !(gmax < tol) {
        return Err(Error::NotConverged {
            iterations: min.iterations,
            last_change: min.last_change,
        });
    }
    let mut dummy = vec![0.0; n_params];
    min.f = f(&min.x, &mut dummy);
    let h = fd_hessian(
        |p, g| {
            f(p, g);
        },
        &min.x,
        1e-5,
    );
    if stop.get() {
        return Err(Error::Interrupted);
    }
    let inv_hessian = cholesky(&h, n_params)
        .ok()
        .map(|l| chol_inverse(&l, n_params));
    Ok(Fitted {
        x: min.x,
        f: min.f,
        iterations: min.iterations,
        inv_hessian,
    })
}

/// Standard errors of parameters `params = exp(log-parameters)` (times any fixed scale) by the delta
/// method, from the inverse Hessian of the mean negative log-likelihood over `n` observations; NaN
/// where there is no inverse.
pub(crate) fn log_param_se<const K: usize>(
    inv_hessian: Option<&[f64]>,
    params: [f64; K],
    n: f64,
) -> [f64; K] {
    let mut se = [f64::NAN; K];
    if let Some(inv) = inv_hessian {
        for (j, (s, p)) in se.iter_mut().zip(params).enumerate() {
            if let Some(v) = inv.get(j * K + j) {
                *s = p * (v / n).sqrt();
            }
        }
    }
    se
}

/// Outcome of [`bfgs`].
pub(crate) struct Minimum {
    pub(crate) x: Vec<f64>,
    pub(crate) f: f64,
    pub(crate) iterations: usize,
    pub(crate) converged: bool,
    pub(crate) last_change: f64,
}

/// Minimises `f` (which returns the value and writes the gradient) by BFGS with Armijo backtracking.
/// Stops when the largest gradient component is below `gtol`. Non-finite values count as "too far".
pub(crate) fn bfgs(
    mut f: impl FnMut(&[f64], &mut [f64]) -> f64,
    x0: &[f64],
    gtol: f64,
    max_iter: usize,
) -> Minimum {
    let n = x0.len();
    let mut x = x0.to_vec();
    let mut g = vec![0.0; n];
    let mut fx = f(&x, &mut g);
    let mut h = identity(n);
    let mut x_new = vec![0.0; n];
    let mut g_new = vec![0.0; n];
    let mut last_change = f64::INFINITY;
    if !fx.is_finite() {
        return Minimum {
            x,
            f: fx,
            iterations: 0,
            converged: false,
            last_change,
        };
    }
    for it in 1..=max_iter {
        let gmax = g.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
        if gmax < gtol {
            return Minimum {
                x,
                f: fx,
                iterations: it - 1,
                converged: true,
                last_change,
            };
        }
        // direction d = −H g
        let mut d: Vec<f64> = (0..n)
            .map(|i| -(0..n).map(|j| h[i * n + j] * g[j]).sum::<f64>())
            .collect();
        let mut slope: f64 = d.iter().zip(&g).map(|(a, b)| a * b).sum();
        if !(slope < 0.0) {
            h = identity(n);
            d = g.iter().map(|v| -v).collect();
            slope = -g.iter().map(|v| v * v).sum::<f64>();
        }
        // Keep log-parameter steps moderate so exp() stays finite.
        let dmax = d.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
        let mut step = if dmax > 5.0 { 5.0 / dmax } else { 1.0 };
        let mut accepted = false;
        let mut f_new = f64::NAN;
        for _ in 0..60 {
            for i in 0..n {
                x_new[i] = x[i] + step * d[i];
            }
            f_new = f(&x_new, &mut g_new);
            if f_new.is_finite() && f_new <= fx + 1e-4 * step * slope {
                accepted = true;
                break;
            }
            step *= 0.5;
        }
        if !accepted {
            // No decrease possible along the direction: at the optimum to machine precision or stuck.
            let converged = gmax < STALL_GTOL;
            return Minimum {
                x,
                f: fx,
                iterations: it,
                converged,
                last_change,
            };
        }
        let s: Vec<f64> = (0..n).map(|i| x_new[i] - x[i]).collect();
        if s.iter().all(|v| *v == 0.0) || f_new >= fx {
            // No progress representable in floating point: the optimum to machine precision, if the
            // gradient is small on the scale of the objective.
            return Minimum {
                x,
                f: fx,
                iterations: it,
                converged: gmax < STALL_GTOL,
                last_change,
            };
        }
        let y: Vec<f64> = (0..n).map(|i| g_new[i] - g[i]).collect();
        last_change = s.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
        let sy: f64 = s.iter().zip(&y).map(|(a, b)| a * b).sum();
        if sy > 1e-300 {
            // H ← (I − ρ s yᵀ) H (I − ρ y sᵀ) + ρ s sᵀ
            let rho = 1.0 / sy;
            let hy: Vec<f64> = (0..n)
                .map(|i| (0..n).map(|j| h[i * n + j] * y[j]).sum())
                .collect();
            let yhy: f64 = y.iter().zip(&hy).map(|(a, b)| a * b).sum();
            for i in 0..n {
                for j in 0..n {
                    h[i * n + j] += -rho * (hy[i] * s[j] + s[i] * hy[j])
                        + (rho * rho * yhy + rho) * s[i] * s[j];
                }
            }
        }
        x.copy_from_slice(&x_new);
        g.copy_from_slice(&g_new);
        fx = f_new;
        let _ = f_new;
    }
    let gmax = g.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
    Minimum {
        x,
        f: fx,
        iterations: max_iter,
        converged: gmax < gtol,
        last_change,
    }
}

/// A line search on function values cannot resolve the last digits of an optimum (the objective changes
/// by less than its rounding); a stall with a gradient below this is handed to [`newton_polish`].
const STALL_GTOL: f64 = 1e-5;

/// Newton steps from near the optimum with one finite-difference Hessian of the analytic gradient
/// (reused: the chord method), taken while they shrink the gradient; returns the largest gradient
/// component reached. From where BFGS stops this reaches the precision of the gradient itself in two
/// or three steps.
pub(crate) fn newton_polish(
    mut grad: impl FnMut(&[f64], &mut [f64]),
    x: &mut [f64],
    max_steps: usize,
) -> f64 {
    let n = x.len();
    let mut g = vec![0.0; n];
    grad(x, &mut g);
    let mut gmax = g.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
    let h = fd_hessian(&mut grad, x, 1e-5);
    let Ok(l) = crate::stats::linalg::cholesky(&h, n) else {
        return gmax;
    };
    let mut trial = vec![0.0; n];
    let mut g_trial = vec![0.0; n];
    for _ in 0..max_steps {
        let mut d = g.clone();
        crate::stats::linalg::chol_solve(&l, n, &mut d);
        for i in 0..n {
            trial[i] = x[i] - d[i];
        }
        grad(&trial, &mut g_trial);
        let gm = g_trial.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
        if !(gm < gmax) {
            break;
        }
        x.copy_from_slice(&trial);
        g.copy_from_slice(&g_trial);
        gmax = gm;
    }
    gmax
}

fn identity(n: usize) -> Vec<f64> {
    let mut h = vec![0.0; n * n];
    for i in 0..n {
        h[i * n + i] = 1.0;
    }
    h
}

/// Hessian by central differences of an analytic gradient (symmetrised), step `h·max(1, |x_i|)`.
pub(crate) fn fd_hessian(mut grad: impl FnMut(&[f64], &mut [f64]), x: &[f64], h: f64) -> Vec<f64> {
    let n = x.len();
    let mut hess = vec![0.0; n * n];
    let mut xp = x.to_vec();
    let mut gp = vec![0.0; n];
    let mut gm = vec![0.0; n];
    for i in 0..n {
        let step = h * x[i].abs().max(1.0);
        xp[i] = x[i] + step;
        grad(&xp, &mut gp);
        xp[i] = x[i] - step;
        grad(&xp, &mut gm);
        xp[i] = x[i];
        for j in 0..n {
            hess[j * n + i] = (gp[j] - gm[j]) / (2.0 * step);
        }
    }
    for i in 0..n {
        for j in 0..i {
            let m = 0.5 * (hess[i * n + j] + hess[j * n + i]);
            hess[i * n + j] = m;
            hess[j * n + i] = m;
        }
    }
    hess
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimises_rosenbrock() {
        let m = bfgs(
            |x, g| {
                let (a, b) = (x[0], x[1]);
                g[0] = -2.0 * (1.0 - a) - 400.0 * a * (b - a * a);
                g[1] = 200.0 * (b - a * a);
                (1.0 - a).powi(2) + 100.0 * (b - a * a).powi(2)
            },
            &[-1.2, 1.0],
            1e-10,
            500,
        );
        assert!(m.converged);
        assert!((m.x[0] - 1.0).abs() < 1e-8 && (m.x[1] - 1.0).abs() < 1e-8);
    }

    #[test]
    fn driver_reaches_tol_and_inverts_the_hessian() -> crate::error::Result<()> {
        // f = ½ Σ c_j (x_j − m_j)²: minimum at m, Hessian diag(c)
        let (c, m) = ([2.0, 0.5, 8.0], [0.3, -1.2, 2.0]);
        let fit = minimise_log_params(
            |x, g| {
                let mut f = 0.0;
                for j in 0..3 {
                    g[j] = c[j] * (x[j] - m[j]);
                    f += 0.5 * c[j] * (x[j] - m[j]).powi(2);
                }
                f
            },
            3,
            100,
            1e-10,
        )?;
        for (x, m) in fit.x.iter().zip(m) {
            assert!((x - m).abs() < 1e-10);
        }
        let inv = fit.inv_hessian.expect("positive definite");
        assert!((inv[0] - 0.5).abs() < 1e-6 && (inv[8] - 0.125).abs() < 1e-6);
        let se = log_param_se(Some(&inv), [1.0, 2.0, 4.0], 4.0);
        assert!((se[1] - 2.0 * (2.0f64 / 4.0).sqrt()).abs() < 1e-6);
        assert!(log_param_se::<2>(None, [1.0, 1.0], 1.0)[0].is_nan());
        // one iteration is not enough
        let slow = minimise_log_params(
            |x, g| {
                g[0] = 4.0 * x[0].powi(3) - 1.0;
                x[0].powi(4) - x[0]
            },
            1,
            1,
            1e-12,
        );
        assert!(matches!(
            slow,
            Err(crate::error::Error::NotConverged { .. })
        ));
        Ok(())
    }
}
