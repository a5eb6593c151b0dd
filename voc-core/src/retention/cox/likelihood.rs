//! The partial likelihood, its gradient and negative Hessian, on rows sorted by time.
//!
//! One evaluation makes three passes over the rows, none of them O(p²) per event:
//!
//! 1. the linear predictors `η = xβ` and weights `w = exp(η)` (independent per row: in blocks, in parallel
//!    with the `parallel` feature);
//! 2. latest time first, the risk-set sums `s0 = Σ w`, `s1 = Σ w·x` and the tied events' `d0`, `d1` at each
//!    distinct time: the log-likelihood, and the outer-product part `Σ_l a1 a1ᵀ` of the Hessian
//!    (`a1 = (s1 − φ_l d1)/a0_l`), which over a tie's Efron fractions is `[s1 d1] Q [s1 d1]ᵀ` for a 2 × 2
//!    positive semi-definite `Q` of three sums: one or two weighted rows per distinct time, whose
//!    weighted Gram matrix is taken in step 3 (O(p) per distinct time here, not O(p²) per event);
//! 3. the second-moment part. At a time `t` the Hessian needs `Σ_l (s2 − φ_l d2) / a0_l`, i.e.
//!    `A_t·s2(t) − B_t·d2(t)` with `A_t = Σ_l 1/a0_l` and `B_t = Σ_l φ_l/a0_l`. Summed over the times, a row
//!    `j` enters with the weight `v_j = w_j·(Σ_{t ≤ t_j} A_t − [j is an event]·B_{t_j})`, so the whole term is
//!    one weighted Gram matrix `Xᵀ diag(v) X` (and the gradient's `Xᵀ v`), accumulated in blocks of
//!    transposed rows (contiguous dot products) and summed in a fixed order, so that the result does not
//!    depend on the number of threads; likewise the outer-product rows of step 2.
//!
//! Breslow's ties are the case `A_t = d/s0`, `B_t = 0`.

use super::Ties;
use crate::stats::linalg::dot;

/// Rows per block of the Gram accumulation (a block's transposed copy stays in L1/L2).
const BLOCK: usize = 128;

/// Rows per task of the parallel passes; fixed, so that partial sums are added in the same order
/// whatever the number of threads.
const CHUNK: usize = 8192;

/// The fit's data: centred covariates, row-major, sorted by time (latest first) with each run of equal
/// times holding its events first.
pub(super) struct Sorted {
    pub(super) xs: Vec<f64>,
    pub(super) ev: Vec<bool>,
    /// Start of each run of equal times, then `n`.
    pub(super) starts: Vec<u32>,
    /// Events of each run (its first rows).
    pub(super) n_ev: Vec<u32>,
    pub(super) p: usize,
    pub(super) ties: Ties,
}

/// The value, gradient and negative Hessian of one evaluation, with the buffers the passes reuse.
pub(super) struct Eval {
    pub(super) ll: f64,
    pub(super) grad: Vec<f64>,
    pub(super) neg_hess: Vec<f64>,
    s1: Vec<f64>,
    d1: Vec<f64>,
    eta: Vec<f64>,
    w: Vec<f64>,
    /// Per run: `A_t` and `B_t` (see the module documentation).
    a_t: Vec<f64>,
    b_t: Vec<f64>,
    /// Rows (p values each) and weights whose weighted Gram matrix is `Σ_t Σ_l a1 a1ᵀ`.
    outer: Vec<f64>,
    outer_w: Vec<f64>,
}

impl Eval {
    pub(super) fn new(p: usize) -> Self {
        Eval {
            ll: 0.0,
            grad: vec![0.0; p],
            neg_hess: vec![0.0; p * p],
            s1: vec![0.0; p],
            d1: vec![0.0; p],
            eta: Vec::new(),
            w: Vec::new(),
            a_t: Vec::new(),
            b_t: Vec::new(),
            outer: Vec::new(),
            outer_w: Vec::new(),
        }
    }
}

/// `η` and `exp(η)` of the rows of one chunk.
fn weights(xs: &[f64], p: usize, beta: &[f64], eta: &mut [f64], w: &mut [f64]) {
    for ((row, e), wt) in xs.chunks_exact(p).zip(eta.iter_mut()).zip(w.iter_mut()) {
        let v: f64 = row.iter().zip(beta).map(|(a, b)| a * b).sum();
        *e = v;
        *wt = v.exp();
    }
}

/// `Σ v_j x_j x_jᵀ` (lower triangle, row-major p × p) followed by `Σ v_j x_j` (p) over the rows of one
/// chunk, block by block.
fn gram(xs: &[f64], v: &[f64], p: usize) -> Vec<f64> {
    let mut out = vec![0.0; p * p + p];
    let mut xt = vec![0.0; p * BLOCK];
    let mut vx = vec![0.0; p * BLOCK];
    for (rows, vs) in xs.chunks(p * BLOCK).zip(v.chunks(BLOCK)) {
        let m = vs.len();
        for (k, (row, &vk)) in rows.chunks_exact(p).zip(vs).enumerate() {
            for (a, &x) in row.iter().enumerate() {
                xt[a * BLOCK + k] = x;
                vx[a * BLOCK + k] = vk * x;
            }
        }
        for a in 0..p {
            let va = &vx[a * BLOCK..a * BLOCK + m];
            for b in 0..=a {
                out[a * p + b] += dot(va, &xt[b * BLOCK..b * BLOCK + m]);
            }
            out[p * p + a] += va.iter().sum::<f64>();
        }
    }
    out
}

/// [`gram`] over all rows of `xs` (p values each) with weights `v`: chunks in parallel with the
/// `parallel` feature, their partial sums added in chunk order.
pub(super) fn weighted_gram(xs: &[f64], v: &[f64], p: usize) -> crate::Result<Vec<f64>> {
    // A big design takes seconds here before the first iteration: each chunk checks for an interrupt.
    let part = |(xs, v): (&[f64], &[f64])| -> crate::Result<Vec<f64>> {
        crate::interrupt::check()?;
        Ok(gram(xs, v, p))
    };
    #[cfg(feature = "parallel")]
    let parts: Vec<Vec<f64>> = {
        use rayon::prelude::*;
        xs.par_chunks(CHUNK * p)
            .zip(v.par_chunks(CHUNK))
            .map(part)
            .collect::<crate::Result<_>>()?
    };
    #[cfg(not(feature = "parallel"))]
    let parts: Vec<Vec<f64>> = xs
        .chunks(CHUNK * p)
        .zip(v.chunks(CHUNK))
        .map(part)
        .collect::<crate::Result<_>>()?;
    let mut out = vec![0.0; p * p + p];
    for part in &parts {
        for (o, x) in out.iter_mut().zip(part) {
            *o += x;
        }
    }
    Ok(out)
}

impl Sorted {
    /// Partial log-likelihood, gradient and negative Hessian (lower triangle mirrored) at `beta`.
    ///
    /// Checks for an interrupt at every distinct time ([`crate::interrupt`]).
    pub(super) fn evaluate(&self, beta: &[f64], e: &mut Eval) -> crate::Result<()> {
        crate::interrupt::check()?;
        let p = self.p;
        let n = self.ev.len();
        let runs = self.starts.len().saturating_sub(1);
        e.eta.resize(n, 0.0);
        e.w.resize(n, 0.0);
        e.a_t.resize(runs, 0.0);
        e.b_t.resize(runs, 0.0);

        // 1. Linear predictors and weights.
        {
            let (eta, w) = (&mut e.eta, &mut e.w);
            #[cfg(feature = "parallel")]
            {
                use rayon::prelude::*;
                self.xs
                    .par_chunks(CHUNK * p)
                    .zip(eta.par_chunks_mut(CHUNK))
                    .zip(w.par_chunks_mut(CHUNK))
                    .for_each(|((xs, eta), w)| weights(xs, p, beta, eta, w));
            }
            #[cfg(not(feature = "parallel"))]
            weights(&self.xs, p, beta, eta, w);
        }

        // 2. Risk sets, latest time first.
        e.ll = 0.0;
        e.grad.iter_mut().for_each(|v| *v = 0.0);
        e.neg_hess.iter_mut().for_each(|v| *v = 0.0);
        e.s1.iter_mut().for_each(|v| *v = 0.0);
        e.outer.clear();
        e.outer_w.clear();
        let mut s0 = 0.0;
        let mut ticker = crate::interrupt::Ticker::new();
        for (k, run) in self.starts.windows(2).enumerate() {
            ticker.tick()?;
            let (lo, hi) = (run[0] as usize, run[1] as usize);
            let d = self.n_ev[k] as usize;
            let mid = lo + d;
            let mut d0 = 0.0;
            e.d1.iter_mut().for_each(|v| *v = 0.0);
            for r in lo..mid {
                let (row, wt) = (&self.xs[r * p..r * p + p], e.w[r]);
                d0 += wt;
                e.ll += e.eta[r];
                for ((d1, g), x) in e.d1.iter_mut().zip(e.grad.iter_mut()).zip(row) {
                    *d1 += wt * x;
                    *g += x;
                }
            }
            s0 += d0;
            for (s1, d1) in e.s1.iter_mut().zip(&e.d1) {
                *s1 += d1;
            }
            for r in mid..hi {
                let (row, wt) = (&self.xs[r * p..r * p + p], e.w[r]);
                s0 += wt;
                for (s1, x) in e.s1.iter_mut().zip(row) {
                    *s1 += wt * x;
                }
            }
            if d == 0 {
                e.a_t[k] = 0.0;
                e.b_t[k] = 0.0;
                continue;
            }
            // Σ_l 1/a0, Σ_l φ/a0 and the sums of 1/a0², φ/a0², φ²/a0² for Σ_l a1 a1ᵀ with
            // a1 = (s1 − φ d1)/a0.
            let (mut at, mut bt, mut q0, mut q1, mut q2) = (0.0, 0.0, 0.0, 0.0, 0.0);
            match self.ties {
                Ties::Breslow => {
                    let df = d as f64;
                    e.ll -= df * s0.ln();
                    at = df / s0;
                    q0 = df / (s0 * s0);
                }
                Ties::Efron => {
                    let df = d as f64;
                    for l in 0..d {
                        let phi = l as f64 / df;
                        let a0 = s0 - phi * d0;
                        e.ll -= a0.ln();
                        let inv = 1.0 / a0;
                        at += inv;
                        bt += phi * inv;
                        let inv2 = inv * inv;
                        q0 += inv2;
                        q1 += phi * inv2;
                        q2 += phi * phi * inv2;
                    }
                }
            }
            e.a_t[k] = at;
            e.b_t[k] = bt;
            // Σ_l a1 a1ᵀ = [s1 d1] Q [s1 d1]ᵀ with Q = [[q0, −q1], [−q1, q2]] (positive semi-definite):
            // q0·u uᵀ + (q2 − q1²/q0)·d1 d1ᵀ with u = s1 − (q1/q0)·d1, rows of the outer Gram below.
            let c = q1 / q0;
            e.outer
                .extend(e.s1.iter().zip(&e.d1).map(|(s, d)| s - c * d));
            e.outer_w.push(q0);
            if d > 1 {
                e.outer.extend_from_slice(&e.d1);
                e.outer_w.push((q2 - q1 * c).max(0.0));
            }
        }

        // 3. Row weights v (reusing the η buffer once the log-likelihood is summed), then Xᵀ diag(v) X
        // and Xᵀ v.
        let mut cum = 0.0;
        for k in (0..runs).rev() {
            cum += e.a_t[k];
            let (lo, hi) = (self.starts[k] as usize, self.starts[k + 1] as usize);
            let mid = lo + self.n_ev[k] as usize;
            let b = e.b_t[k];
            for r in lo..hi {
                e.eta[r] = e.w[r] * if r < mid { cum - b } else { cum };
            }
        }
        let second = weighted_gram(&self.xs, &e.eta, p)?;
        let outer = weighted_gram(&e.outer, &e.outer_w, p)?;
        for a in 0..p {
            for b in 0..=a {
                e.neg_hess[a * p + b] += second[a * p + b] - outer[a * p + b];
            }
            e.grad[a] -= second[p * p + a];
        }
        for a in 0..p {
            for b in 0..a {
                e.neg_hess[b * p + a] = e.neg_hess[a * p + b];
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The direct evaluation (risk-set second moments accumulated row by row, Efron's fractions one by
    /// one) that the passes above reorganise.
    fn reference(s: &Sorted, beta: &[f64]) -> (f64, Vec<f64>, Vec<f64>) {
        let p = s.p;
        let (mut ll, mut grad, mut h) = (0.0, vec![0.0; p], vec![0.0; p * p]);
        let (mut s0, mut s1, mut s2) = (0.0, vec![0.0; p], vec![0.0; p * p]);
        for w in s.starts.windows(2) {
            let (mut d0, mut d1, mut d2) = (0.0, vec![0.0; p], vec![0.0; p * p]);
            let mut d = 0usize;
            for r in w[0] as usize..w[1] as usize {
                let row = &s.xs[r * p..r * p + p];
                let eta: f64 = row.iter().zip(beta).map(|(a, b)| a * b).sum();
                let wt = eta.exp();
                s0 += wt;
                for a in 0..p {
                    s1[a] += wt * row[a];
                    for b in 0..p {
                        s2[a * p + b] += wt * row[a] * row[b];
                    }
                }
                if s.ev[r] {
                    d += 1;
                    ll += eta;
                    d0 += wt;
                    for a in 0..p {
                        grad[a] += row[a];
                        d1[a] += wt * row[a];
                        for b in 0..p {
                            d2[a * p + b] += wt * row[a] * row[b];
                        }
                    }
                }
            }
            let df = d as f64;
            for l in 0..d {
                let phi = match s.ties {
                    Ties::Efron => l as f64 / df,
                    Ties::Breslow => 0.0,
                };
                let a0 = s0 - phi * d0;
                ll -= a0.ln();
                let a1: Vec<f64> = (0..p).map(|a| (s1[a] - phi * d1[a]) / a0).collect();
                for a in 0..p {
                    grad[a] -= a1[a];
                    for b in 0..p {
                        h[a * p + b] += (s2[a * p + b] - phi * d2[a * p + b]) / a0 - a1[a] * a1[b];
                    }
                }
            }
        }
        (ll, grad, h)
    }

    /// Rows with a few distinct times (heavy ties), events first within each time.
    fn data(n: usize, p: usize, times: u64, ties: Ties, seed: u64) -> Sorted {
        let mut state = seed | 1;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        let mut rows: Vec<(u64, bool, Vec<f64>)> = (0..n)
            .map(|_| {
                let t = (next() * times as f64) as u64;
                let ev = next() < 0.6;
                (t, ev, (0..p).map(|_| 2.0 * next() - 1.0).collect())
            })
            .collect();
        rows.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)));
        let mut starts = Vec::new();
        let mut n_ev = Vec::new();
        for (i, r) in rows.iter().enumerate() {
            if i == 0 || rows[i - 1].0 != r.0 {
                starts.push(i as u32);
                n_ev.push(0);
            }
            if r.1
                && let Some(c) = n_ev.last_mut()
            {
                *c += 1;
            }
        }
        starts.push(n as u32);
        Sorted {
            xs: rows.iter().flat_map(|r| r.2.clone()).collect(),
            ev: rows.iter().map(|r| r.1).collect(),
            starts,
            n_ev,
            p,
            ties,
        }
    }

    fn close(a: f64, b: f64, scale: f64) -> bool {
        (a - b).abs() <= 1e-11 * scale.max(1.0)
    }

    #[test]
    fn passes_equal_the_direct_evaluation() -> crate::Result<()> {
        for ties in [Ties::Efron, Ties::Breslow] {
            // heavy ties, moderate ties, all distinct; sizes across a block and a chunk boundary
            for (n, times) in [(50, 3), (300, 40), (20_000, 700), (9_000, 1 << 40)] {
                let p = 4;
                let s = data(n, p, times, ties, n as u64 + times);
                let beta = [0.3, -0.5, 0.1, 0.8];
                let mut e = Eval::new(p);
                s.evaluate(&beta, &mut e)?;
                let (ll, grad, h) = reference(&s, &beta);
                assert!(close(e.ll, ll, ll.abs()), "{ties:?} {n}: {} vs {ll}", e.ll);
                let gs = grad.iter().fold(0.0f64, |m, v| m.max(v.abs()));
                let hs = h.iter().fold(0.0f64, |m, v| m.max(v.abs()));
                for a in 0..p {
                    assert!(close(e.grad[a], grad[a], gs), "{ties:?} {n} grad {a}");
                    for b in 0..p {
                        let (x, y) = (e.neg_hess[a * p + b], h[a * p + b]);
                        assert!(close(x, y, hs), "{ties:?} {n} hess {a},{b}: {x} vs {y}");
                    }
                }
            }
        }
        Ok(())
    }
}
