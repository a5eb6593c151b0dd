//! A small quasi-Poisson GLM with log link, prior weights and an offset, fitted by iteratively
//! reweighted least squares as R's `glm.fit` does (start `mu = y + 0.1`, relative deviance change
//! below 1e-8, at most 25 iterations).

/// A fitted quasi-Poisson model.
#[derive(Debug, Clone)]
pub(super) struct Glm {
    /// Coefficients, one per design column.
    pub beta: Vec<f64>,
    /// Fitted means.
    pub mu: Vec<f64>,
    /// (X'WX)⁻¹ at the fit, row-major p × p (W = prior weight × mu).
    pub inv: Vec<f64>,
    /// Pearson dispersion Σ ω (y − mu)² / mu / (n − p) (R's `summary.glm(...)$dispersion`).
    pub dispersion: f64,
    /// Residual degrees of freedom (observations with a positive weight minus columns).
    pub df: f64,
}

const MAX_ITER: usize = 25;
const EPSILON: f64 = 1e-8;

/// Cholesky factor (lower, row-major) of a symmetric positive definite p × p matrix, or `None`.
fn cholesky(a: &[f64], p: usize) -> Option<Vec<f64>> {
    let mut l = vec![0.0; p * p];
    let scale = (0..p).map(|i| a[i * p + i].abs()).fold(0.0, f64::max);
    for i in 0..p {
        for j in 0..=i {
            let mut s = a[i * p + j];
            for k in 0..j {
                s -= l[i * p + k] * l[j * p + k];
            }
            if i == j {
                if !(s > 1e-12 * scale.max(f64::MIN_POSITIVE)) {
                    return None;
                }
                l[i * p + i] = s.sqrt();
            } else {
                l[i * p + j] = s / l[j * p + j];
            }
        }
    }
    Some(l)
}

/// Solves L L' x = b.
fn solve(l: &[f64], p: usize, b: &[f64]) -> Vec<f64> {
    let mut y = vec![0.0; p];
    for i in 0..p {
        let mut s = b[i];
        for k in 0..i {
            s -= l[i * p + k] * y[k];
        }
        y[i] = s / l[i * p + i];
    }
    let mut x = vec![0.0; p];
    for i in (0..p).rev() {
        let mut s = y[i];
        for k in i + 1..p {
            s -= l[k * p + i] * x[k];
        }
        x[i] = s / l[i * p + i];
    }
    x
}

/// (L L')⁻¹, row-major p × p, column by column.
fn inverse(l: &[f64], p: usize) -> Vec<f64> {
    let mut inv = vec![0.0; p * p];
    let mut e = vec![0.0; p];
    for j in 0..p {
        e.iter_mut().for_each(|v| *v = 0.0);
        e[j] = 1.0;
        let col = solve(l, p, &e);
        for i in 0..p {
            inv[i * p + j] = col[i];
        }
    }
    inv
}

fn deviance(y: &[f64], mu: &[f64], w: &[f64]) -> f64 {
    y.iter()
        .zip(mu)
        .zip(w)
        .map(|((&y, &m), &w)| {
            let t = if y > 0.0 { y * (y / m).ln() } else { 0.0 };
            2.0 * w * (t - (y - m))
        })
        .sum()
}

/// Fits `log E[y] = X β + offset` with prior weights `w`; `x` holds n rows of `p` columns. `None`
/// when the normal equations are singular or the iterations do not converge.
pub(super) fn fit(x: &[f64], p: usize, y: &[f64], offset: &[f64], w: &[f64]) -> Option<Glm> {
    let n = y.len();
    let mut mu: Vec<f64> = y.iter().map(|&v| v + 0.1).collect();
    let mut eta: Vec<f64> = mu.iter().map(|m| m.ln()).collect();
    let mut dev_old = f64::INFINITY;
    let mut beta = vec![0.0; p];
    let mut converged = false;
    for _ in 0..MAX_ITER {
        let mut xtwx = vec![0.0; p * p];
        let mut xtwz = vec![0.0; p];
        for i in 0..n {
            let row = &x[i * p..(i + 1) * p];
            let wi = w[i] * mu[i];
            let zi = eta[i] - offset[i] + (y[i] - mu[i]) / mu[i];
            for a in 0..p {
                let wa = wi * row[a];
                if wa == 0.0 {
                    continue;
                }
                xtwz[a] += wa * zi;
                for b in 0..=a {
                    xtwx[a * p + b] += wa * row[b];
                }
            }
        }
        for a in 0..p {
            for b in 0..a {
                xtwx[b * p + a] = xtwx[a * p + b];
            }
        }
        let l = cholesky(&xtwx, p)?;
        beta = solve(&l, p, &xtwz);
        for i in 0..n {
            let row = &x[i * p..(i + 1) * p];
            eta[i] = row.iter().zip(&beta).map(|(a, b)| a * b).sum::<f64>() + offset[i];
            mu[i] = eta[i].exp();
        }
        if mu.iter().any(|m| !m.is_finite() || *m <= 0.0) {
            return None;
        }
        let dev = deviance(y, &mu, w);
        if !dev.is_finite() {
            return None;
        }
        if (dev - dev_old).abs() / (dev.abs() + 0.1) < EPSILON {
            converged = true;
            break;
        }
        dev_old = dev;
    }
    if !converged {
        return None;
    }
    // (X'WX)⁻¹ at the fitted means.
    let mut xtwx = vec![0.0; p * p];
    for i in 0..n {
        let row = &x[i * p..(i + 1) * p];
        let wi = w[i] * mu[i];
        for a in 0..p {
            for b in 0..p {
                xtwx[a * p + b] += wi * row[a] * row[b];
            }
        }
    }
    let l = cholesky(&xtwx, p)?;
    let inv = inverse(&l, p);
    let used = w.iter().filter(|&&v| v > 0.0).count();
    let df = used as f64 - p as f64;
    if df <= 0.0 {
        return None;
    }
    let pearson: f64 = (0..n).map(|i| w[i] * (y[i] - mu[i]).powi(2) / mu[i]).sum();
    Some(Glm {
        beta,
        mu,
        inv,
        dispersion: pearson / df,
        df,
    })
}

/// A weighted least-squares fit of the score alerts (`scores.rs`).
#[derive(Debug, Clone)]
pub(super) struct Lm {
    /// Coefficients, one per design column.
    pub beta: Vec<f64>,
    /// (X'WX)⁻¹, row-major p × p.
    pub inv: Vec<f64>,
    /// Residual variance of unit weight: Σ w (y − Xβ)² / (n − p).
    pub sigma2: f64,
    /// Residual degrees of freedom (observations with a positive weight minus columns).
    pub df: f64,
}

/// Fits `E[y] = X β` with `Var(y_i) = σ² / w_i`; `x` holds n rows of `p` columns. `None` when the
/// normal equations are singular or no degree of freedom is left.
pub(super) fn wls(x: &[f64], p: usize, y: &[f64], w: &[f64]) -> Option<Lm> {
    let n = y.len();
    let mut xtwx = vec![0.0; p * p];
    let mut xtwy = vec![0.0; p];
    for i in 0..n {
        let row = x.get(i * p..(i + 1) * p)?;
        for a in 0..p {
            let wa = w[i] * row[a];
            xtwy[a] += wa * y[i];
            for b in 0..p {
                xtwx[a * p + b] += wa * row[b];
            }
        }
    }
    let l = cholesky(&xtwx, p)?;
    let beta = solve(&l, p, &xtwy);
    let inv = inverse(&l, p);
    let used = w.iter().filter(|&&v| v > 0.0).count();
    let df = used as f64 - p as f64;
    if df < 1.0 {
        return None;
    }
    let rss: f64 = (0..n)
        .map(|i| {
            let fit: f64 = x[i * p..(i + 1) * p]
                .iter()
                .zip(&beta)
                .map(|(a, b)| a * b)
                .sum();
            w[i] * (y[i] - fit).powi(2)
        })
        .sum();
    Some(Lm {
        beta,
        inv,
        sigma2: rss / df,
        df,
    })
}

impl Lm {
    /// x' (X'WX)⁻¹ x.
    pub(super) fn quad(&self, row: &[f64]) -> f64 {
        let p = self.beta.len();
        let mut q = 0.0;
        for a in 0..p {
            for b in 0..p {
                q += row[a] * self.inv[a * p + b] * row[b];
            }
        }
        q
    }
}

impl Glm {
    /// Leverage of row `i` of `x` (R's `hatvalues`): ω μ x' (X'WX)⁻¹ x.
    pub(super) fn hat(&self, row: &[f64], weight: f64, mu: f64) -> f64 {
        let p = self.beta.len();
        let mut q = 0.0;
        for a in 0..p {
            for b in 0..p {
                q += row[a] * self.inv[a * p + b] * row[b];
            }
        }
        weight * mu * q
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn poisson_fit_matches_statsmodels() {
        // statsmodels.GLM(y, [1, t], family=Poisson()).fit():
        // params [0.542933, 0.20195039], scale (Pearson chi2 / df) 0.25837112.
        let y = [2.0, 1.0, 3.0, 4.0, 3.0, 5.0, 7.0, 6.0];
        let x: Vec<f64> = (0..8).flat_map(|t| [1.0, f64::from(t)]).collect();
        let g = fit(&x, 2, &y, &[0.0; 8], &[1.0; 8]).expect("fits");
        assert!((g.beta[0] - 0.542_933_0).abs() < 1e-6, "{:?}", g.beta);
        assert!((g.beta[1] - 0.201_950_39).abs() < 1e-6, "{:?}", g.beta);
        assert!(
            (g.dispersion - 0.258_371_12).abs() < 1e-6,
            "{}",
            g.dispersion
        );
        assert_eq!(g.df, 6.0);
    }

    #[test]
    fn a_singular_design_is_no_fit() {
        let x = [1.0, 1.0, 1.0, 1.0];
        assert!(fit(&x, 2, &[1.0, 2.0], &[0.0; 2], &[1.0; 2]).is_none());
    }
}
