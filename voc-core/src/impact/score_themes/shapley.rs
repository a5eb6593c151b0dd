//! Shapley values of the themes in the game `v(S)` = score of the answers whose themes all lie in `S`
//! (answers that mention no theme always count): exact over all 2^k coalitions, or by seeded
//! permutation sampling.

#[cfg(feature = "parallel")]
use rayon::prelude::*;

use super::data::Patterns;
use crate::error::{Error, Result};
use crate::stats::NeumaierSum;
use crate::stats::rng::Rng;

/// Permutations per chunk of work.
const CHUNK: usize = 256;

/// Exact Shapley values over the k themes. The caller guarantees answers with no theme exist (so
/// every coalition has answers). Cost O(k·2^k) after one pass over the patterns: a subset-sum (zeta)
/// transform gives every coalition's answers and value sum, then each theme's weighted marginal
/// contributions are summed (compensated).
pub(super) fn exact(k: usize, p: &Patterns) -> Result<Vec<f64>> {
    let size = 1_usize << k;
    let mut c = vec![0.0_f64; size];
    let mut t = vec![0.0_f64; size];
    for ((&m, &n), &s) in p.masks.iter().zip(&p.count).zip(&p.sum) {
        let m = m as usize;
        if let (Some(cm), Some(tm)) = (c.get_mut(m), t.get_mut(m)) {
            *cm += n;
            *tm += s;
        }
    }
    for j in 0..k {
        crate::interrupt::check()?;
        let bit = 1_usize << j;
        for s in 0..size {
            if s & bit != 0 {
                let (a, b) = (c[s ^ bit], t[s ^ bit]);
                c[s] += a;
                t[s] += b;
            }
        }
    }
    if !(c[0] > 0.0) {
        return Err(Error::InsufficientData(
            "no answer mentions no theme: the Shapley total is undefined".into(),
        ));
    }
    let v: Vec<f64> = c.iter().zip(&t).map(|(&c, &t)| t / c).collect();
    // w(s) = s!(k−s−1)!/k! = 1 / (k · C(k−1, s)).
    let mut w = vec![0.0_f64; k];
    let mut binom = 1.0_f64; // C(k−1, s)
    for (s, ws) in w.iter_mut().enumerate() {
        *ws = 1.0 / (k as f64 * binom);
        binom = binom * (k - 1 - s) as f64 / (s + 1) as f64;
    }
    let mut phi = vec![NeumaierSum::default(); k];
    for s in 0..size {
        if s & 0xFFFF == 0 {
            crate::interrupt::check()?;
        }
        let ws = w.get(s.count_ones() as usize).copied().unwrap_or(0.0);
        for (j, acc) in phi.iter_mut().enumerate() {
            let bit = 1_usize << j;
            if s & bit == 0 {
                acc.add(ws * (v[s | bit] - v[s]));
            }
        }
    }
    Ok(phi.iter().map(NeumaierSum::value).collect())
}

/// Shapley values by `permutations` seeded random orders (permutation `b` from ChaCha stream `b`
/// of `seed`, so the result does not depend on threads), with each value's Monte Carlo standard
/// error (sd of the marginal contributions / √permutations). In each order an answer joins when its
/// last theme does, so one order costs one pass over the patterns. Each order's contributions add up
/// to the total, so the averages do too.
pub(super) fn sampled(
    k: usize,
    p: &Patterns,
    permutations: usize,
    seed: u64,
) -> Result<(Vec<f64>, Vec<f64>)> {
    Rng::seeded(seed, "seed")?;
    let (mut c0, mut t0) = (0.0, 0.0);
    let mut rest: Vec<(u64, f64, f64)> = Vec::with_capacity(p.masks.len());
    for ((&m, &n), &s) in p.masks.iter().zip(&p.count).zip(&p.sum) {
        if m == 0 {
            c0 += n;
            t0 += s;
        } else {
            rest.push((m, n, s));
        }
    }
    if !(c0 > 0.0) {
        return Err(Error::InsufficientData(
            "no answer mentions no theme: the Shapley total is undefined".into(),
        ));
    }
    let one = |b: usize| -> Result<Vec<f64>> {
        if b.is_multiple_of(16) {
            crate::interrupt::check()?;
        }
        let mut rng = Rng::seeded(seed, "seed")?;
        rng.set_stream(b as u64);
        let mut order: Vec<usize> = (0..k).collect();
        rng.shuffle(&mut order);
        let mut pos = [0_usize; 64];
        for (t, &j) in order.iter().enumerate() {
            if let Some(x) = pos.get_mut(j) {
                *x = t;
            }
        }
        let mut sc = vec![0.0_f64; k];
        let mut st = vec![0.0_f64; k];
        for &(m, n, s) in &rest {
            let (mut bits, mut e) = (m, 0_usize);
            while bits != 0 {
                let j = bits.trailing_zeros() as usize;
                e = e.max(pos.get(j).copied().unwrap_or(0));
                bits &= bits - 1;
            }
            if let (Some(a), Some(b)) = (sc.get_mut(e), st.get_mut(e)) {
                *a += n;
                *b += s;
            }
        }
        let mut marg = vec![0.0_f64; k];
        let (mut c, mut t) = (c0, t0);
        let mut prev = t / c;
        for (step, &j) in order.iter().enumerate() {
            c += sc[step];
            t += st[step];
            let v = t / c;
            if let Some(x) = marg.get_mut(j) {
                *x = v - prev;
            }
            prev = v;
        }
        Ok(marg)
    };
    // Permutations in chunks: each chunk sums its marginal contributions and their squares in order,
    // and the chunks are combined in order, so the result does not depend on threads and the memory
    // does not grow with the number of permutations.
    let chunk = |c: usize| -> Result<(Vec<NeumaierSum>, Vec<f64>)> {
        let mut sum = vec![NeumaierSum::default(); k];
        let mut sq = vec![0.0_f64; k];
        let end = ((c + 1) * CHUNK).min(permutations);
        for b in c * CHUNK..end {
            for ((acc, q), x) in sum.iter_mut().zip(sq.iter_mut()).zip(one(b)?) {
                acc.add(x);
                *q += x * x;
            }
        }
        Ok((sum, sq))
    };
    let chunks = permutations.div_ceil(CHUNK);
    #[cfg(feature = "parallel")]
    let parts = crate::interrupt::watch(|| {
        (0..chunks)
            .into_par_iter()
            .map(chunk)
            .collect::<Result<Vec<_>>>()
    })?;
    #[cfg(not(feature = "parallel"))]
    let parts = (0..chunks).map(chunk).collect::<Result<Vec<_>>>()?;
    let mut sum = vec![NeumaierSum::default(); k];
    let mut sq = vec![0.0_f64; k];
    for (s, q) in &parts {
        for (j, (a, b)) in s.iter().zip(q).enumerate() {
            if let (Some(acc), Some(t)) = (sum.get_mut(j), sq.get_mut(j)) {
                acc.merge(a);
                *t += b;
            }
        }
    }
    let np = permutations as f64;
    let phi: Vec<f64> = sum.iter().map(|s| s.value() / np).collect();
    let se: Vec<f64> = phi
        .iter()
        .zip(&sq)
        .map(|(&m, &q)| {
            if permutations > 1 {
                ((q - np * m * m).max(0.0) / (np - 1.0) / np).sqrt()
            } else {
                0.0
            }
        })
        .collect();
    Ok((phi, se))
}
