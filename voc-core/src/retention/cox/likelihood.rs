//! The partial likelihood, its gradient and negative Hessian, on rows sorted by time.

use super::Ties;

pub(super) struct Sorted {
    pub(super) xs: Vec<f64>,
    pub(super) ev: Vec<bool>,
    pub(super) starts: Vec<u32>,
    pub(super) p: usize,
    pub(super) ties: Ties,
}

pub(super) struct Eval {
    pub(super) ll: f64,
    pub(super) grad: Vec<f64>,
    pub(super) neg_hess: Vec<f64>,
    pub(super) s1: Vec<f64>,
    pub(super) s2: Vec<f64>,
    pub(super) d1: Vec<f64>,
    pub(super) d2: Vec<f64>,
    pub(super) xe: Vec<f64>,
    pub(super) a1: Vec<f64>,
}

impl Eval {
    pub(super) fn new(p: usize) -> Self {
        Eval {
            ll: 0.0,
            grad: vec![0.0; p],
            neg_hess: vec![0.0; p * p],
            s1: vec![0.0; p],
            s2: vec![0.0; p * p],
            d1: vec![0.0; p],
            d2: vec![0.0; p * p],
            xe: vec![0.0; p],
            a1: vec![0.0; p],
        }
    }
}

impl Sorted {
    /// Partial log-likelihood, gradient and negative Hessian (lower triangle mirrored) at `beta`.
    ///
    /// Checks for an interrupt at every distinct time ([`crate::interrupt`]).
    pub(super) fn evaluate(&self, beta: &[f64], e: &mut Eval) -> crate::Result<()> {
        let p = self.p;
        e.ll = 0.0;
        e.grad.iter_mut().for_each(|v| *v = 0.0);
        e.neg_hess.iter_mut().for_each(|v| *v = 0.0);
        e.s1.iter_mut().for_each(|v| *v = 0.0);
        e.s2.iter_mut().for_each(|v| *v = 0.0);
        let mut s0 = 0.0;
        let mut ticker = crate::interrupt::Ticker::new();
        for w in self.starts.windows(2) {
            ticker.tick()?;
            let (lo, hi) = (w[0] as usize, w[1] as usize);
            let mut d0 = 0.0;
            let mut d = 0usize;
            let mut eta_sum = 0.0;
            e.d1.iter_mut().for_each(|v| *v = 0.0);
            e.d2.iter_mut().for_each(|v| *v = 0.0);
            e.xe.iter_mut().for_each(|v| *v = 0.0);
            for r in lo..hi {
                let row = &self.xs[r * p..r * p + p];
                let eta: f64 = row.iter().zip(beta).map(|(a, b)| a * b).sum();
                let wt = eta.exp();
                s0 += wt;
                for a in 0..p {
                    let wa = wt * row[a];
                    e.s1[a] += wa;
                    let s2row = &mut e.s2[a * p..a * p + a + 1];
                    for (s, xb) in s2row.iter_mut().zip(&row[..=a]) {
                        *s += wa * xb;
                    }
                }
                if self.ev[r] {
                    d += 1;
                    eta_sum += eta;
                    d0 += wt;
                    for a in 0..p {
                        let wa = wt * row[a];
                        e.xe[a] += row[a];
                        if self.ties == Ties::Efron {
                            e.d1[a] += wa;
                            let d2row = &mut e.d2[a * p..a * p + a + 1];
                            for (s, xb) in d2row.iter_mut().zip(&row[..=a]) {
                                *s += wa * xb;
                            }
                        }
                    }
                }
            }
            if d == 0 {
                continue;
            }
            e.ll += eta_sum;
            for a in 0..p {
                e.grad[a] += e.xe[a];
            }
            match self.ties {
                Ties::Breslow => {
                    let df = d as f64;
                    e.ll -= df * s0.ln();
                    for a in 0..p {
                        let m_a = e.s1[a] / s0;
                        e.grad[a] -= df * m_a;
                        for b in 0..=a {
                            let m_b = e.s1[b] / s0;
                            e.neg_hess[a * p + b] += df * (e.s2[a * p + b] / s0 - m_a * m_b);
                        }
                    }
                }
                Ties::Efron => {
                    let df = d as f64;
                    for l in 0..d {
                        let phi = l as f64 / df;
                        let a0 = s0 - phi * d0;
                        e.ll -= a0.ln();
                        for a in 0..p {
                            e.a1[a] = (e.s1[a] - phi * e.d1[a]) / a0;
                            e.grad[a] -= e.a1[a];
                        }
                        for a in 0..p {
                            for b in 0..=a {
                                let a2 = (e.s2[a * p + b] - phi * e.d2[a * p + b]) / a0;
                                e.neg_hess[a * p + b] += a2 - e.a1[a] * e.a1[b];
                            }
                        }
                    }
                }
            }
        }
        for a in 0..p {
            for b in 0..a {
                e.neg_hess[b * p + a] = e.neg_hess[a * p + b];
            }
        }
        Ok(())
    }
}
