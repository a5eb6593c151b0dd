//! The solver: (proximal) Newton iterations with a backtracking line search on the standardised data,
//! a warm start from a subsample on big data, and the checks for separation and collinearity.
//!
//! The pass over the rows is compiled twice, the second time with AVX2 and FMA enabled, and that
//! build is chosen at run time when the CPU has both. Both builds run the same operations in the same
//! order (Rust never fuses a multiply and an add on its own; the Hessian's sums are fused
//! multiply-adds, `f64::mul_add`, in both builds), so they give the same bits.
#![allow(unsafe_code)] // one call to the AVX2 build of the pass, after checking that the CPU has it

use super::design::{Rows, chunked, chunked_checked};
use super::exp::exp_nonpositive;
use super::options::LogisticOptions;
use crate::error::{Error, Result};
use crate::stats::linalg::{chol_solve, cholesky, dot};

/// How the solver ended.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Convergence {
    /// Whether the tolerance was met.
    pub converged: bool,
    /// Newton iterations run.
    pub iterations: usize,
    /// Largest coefficient change of the last iteration.
    pub last_change: f64,
    /// Largest absolute gradient entry of the penalised objective at the end (for smooth penalties).
    pub gradient: f64,
}

/// `ln(1 + e^η) − y·η`, computed without overflow.
#[cfg(test)]
#[inline]
pub(super) fn loss(eta: f64, y: f64) -> f64 {
    eta.max(0.0) + (-eta.abs()).exp().ln_1p() - y * eta
}

/// The linear predictor of one standardised row (four-lane sums: a fixed order, so the same on any machine).
#[inline(always)]
pub(super) fn eta_of(beta: &[f64], row: &[f64]) -> f64 {
    beta[0] + dot(&beta[1..], row)
}

/// Weighted data loss at `beta` (the fit takes it from its last pass; kept as the tests' reference).
#[cfg(test)]
pub(super) fn data_loss(z: &[f64], q: usize, y: &[f64], s: &[f64], beta: &[f64]) -> f64 {
    chunked(y.len(), |r| {
        r.map(|i| s[i] * loss(eta_of(beta, &z[i * q..(i + 1) * q]), y[i]))
            .sum::<f64>()
    })
    .iter()
    .sum()
}

/// Rows whose Hessian terms are gathered before being added (a small matrix product that vectorises).
pub(super) const BLOCK: usize = 32;

/// One pass over the rows at some coefficients: the weighted data loss, its gradient, the Hessian
/// (dense, (q+1)², zero unless asked for) and the number of rows whose |η| exceeds
/// [`EXTREME_ETA`] (what [`separation_check`] counts, so a final pass can stand in for it).
pub(super) struct Pass {
    pub(super) f: f64,
    pub(super) g: Vec<f64>,
    pub(super) h: Vec<f64>,
    pub(super) extreme: usize,
}

/// Fitted log-odds beyond which a row's probability is 0 or 1 to machine precision.
pub(super) const EXTREME_ETA: f64 = 30.0;

/// Adds `Σ_r w_r x_r x_rᵀ` over a block of rows to the upper triangle of `h` (`d × d`, row-major).
///
/// `xb` holds the block's rows, `ds` values apart (`d` features, the intercept's 1 first, then zeros
/// up to `ds`, a multiple of 4 above `d`). Rows `a` of `h` are taken two at a time, and their entries from the
/// multiple of 4 at or below `a` to the end in tiles of up to 24 (six groups of four), so each tile's
/// sums stay in registers while the block's rows stream past: per row, one product `w·x_a` per `a`
/// and one fused multiply-add per entry. Each entry is the sum over the block's rows in order, added to `h`
/// once per block (a fixed order: the same bits on any machine and any number of threads). The entries
/// left of `a` in a tile's first group (below the diagonal) are computed and not kept.
#[inline(always)]
fn hessian_block(xb: &[f64], w: &[f64], d: usize, ds: usize, h: &mut [f64]) {
    let mut a = 0;
    while a < d {
        let pair = a + 1 < d && (a + 1) / 4 == a / 4;
        let mut b0 = a - a % 4;
        while b0 < d {
            let groups = ((d - b0).div_ceil(4)).min(6);
            match groups {
                1 => tile::<1>(xb, w, d, ds, a, pair, b0, h),
                2 => tile::<2>(xb, w, d, ds, a, pair, b0, h),
                3 => tile::<3>(xb, w, d, ds, a, pair, b0, h),
                4 => tile::<4>(xb, w, d, ds, a, pair, b0, h),
                5 => tile::<5>(xb, w, d, ds, a, pair, b0, h),
                _ => tile::<6>(xb, w, d, ds, a, pair, b0, h),
            }
            b0 += 4 * groups;
        }
        a += if pair { 2 } else { 1 };
    }
}

/// One tile of [`hessian_block`]: rows `a` (and `a + 1` when `pair`) of `h`, entries `b0..b0 + 4G`
/// (those below `d` and at or right of the row's diagonal kept).
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn tile<const G: usize>(
    xb: &[f64],
    w: &[f64],
    d: usize,
    ds: usize,
    a: usize,
    pair: bool,
    b0: usize,
    h: &mut [f64],
) {
    let mut s0 = [[0.0_f64; 4]; G];
    let mut s1 = [[0.0_f64; 4]; G];
    for (row, &wr) in xb.chunks_exact(ds).zip(w) {
        // Row a + 1 is a zero of the padding when `a` is the last row of `h`.
        let (c0, c1) = (wr * row[a], wr * row[a + 1]);
        let x = &row[b0..b0 + 4 * G];
        for ((t0, t1), v) in s0.iter_mut().zip(s1.iter_mut()).zip(x.chunks_exact(4)) {
            let v: [f64; 4] = [v[0], v[1], v[2], v[3]];
            for l in 0..4 {
                t0[l] = c0.mul_add(v[l], t0[l]);
                t1[l] = c1.mul_add(v[l], t1[l]);
            }
        }
    }
    for (r, sums) in [(a, &s0), (a + 1, &s1)] {
        if r > a && !pair {
            break;
        }
        for (g, group) in sums.iter().enumerate() {
            for (l, v) in group.iter().enumerate() {
                let b = b0 + 4 * g + l;
                if b >= r && b < d {
                    h[r * d + b] += v;
                }
            }
        }
    }
}

/// Data loss, gradient and Hessian (dense, (q+1)²) at `beta`; [`Error::Interrupted`] when an interrupt
/// arrives during the pass (checked before every chunk of rows).
pub(super) fn derivatives(
    z: Rows<'_>,
    q: usize,
    y: &[f64],
    s: &[f64],
    beta: &[f64],
    hessian: bool,
) -> Result<(f64, Vec<f64>, Vec<f64>)> {
    let p = pass(z, q, y, s, beta, hessian)?;
    Ok((p.f, p.g, p.h))
}

/// One chunk of rows of [`pass`]: its loss, gradient, Hessian (upper triangle) and extreme count.
///
/// The loss of a row is `max(η, 0) + ln(1 + e^−|η|) − y·η`. For rows of weight 1 (every row of an
/// unweighted fit) the logarithms of a block of rows are taken at once, as the logarithm of the
/// product of their `1 + e^−|η|` (each in [1, 2], so the product of a block lies in [1, 2³²] and
/// neither overflows nor underflows): one `ln` per block instead of one `ln_1p` per row, which was
/// a third of a pass. Each factor is rounded once, so the sum is off by about one unit in the last
/// place per row (1e-16 absolute), far below what the line search and the log-likelihood need.
#[inline(always)]
fn pass_rows(
    z: Rows<'_>,
    q: usize,
    y: &[f64],
    s: &[f64],
    beta: &[f64],
    hessian: bool,
    r: std::ops::Range<usize>,
) -> (f64, Vec<f64>, Vec<f64>, usize) {
    let d = q + 1;
    let mut g = vec![0.0; d];
    let mut h = vec![0.0; if hessian { d * d } else { 0 }];
    let mut f = 0.0;
    let mut extreme = 0usize;
    // Block of rows, row-major: xb[r·ds + a] is feature a (0 = intercept) of row r, each row padded
    // with zeros to a multiple of 4; hw[r] the row's Hessian weight.
    let ds = (d + 1).next_multiple_of(4);
    let mut xb = vec![0.0; ds * BLOCK];
    let mut hw = [0.0; BLOCK];
    let (start, end) = (r.start, r.end);
    for block_start in (start..end).step_by(BLOCK) {
        let block = block_start..(block_start + BLOCK).min(end);
        let m = block.len();
        // The block's rows and log-odds first, then all their exponentials at once (a vector loop,
        // see `exp`), then each row's terms in row order.
        let mut etas = [0.0; BLOCK];
        let mut es = [0.0; BLOCK];
        for (k, i) in block.clone().enumerate() {
            let dst = &mut xb[k * ds..k * ds + d];
            dst[0] = 1.0;
            z.read_into(i, q, &mut dst[1..]);
            etas[k] = eta_of(beta, &dst[1..]);
            es[k] = -etas[k].abs();
        }
        exp_nonpositive(&mut es);
        // Product of 1 + e^−|η| over the block's rows of weight 1.
        let mut unit = 1.0;
        for (k, i) in block.enumerate() {
            let (eta, e) = (etas[k], es[k]);
            extreme += usize::from(eta.abs() > EXTREME_ETA);
            // One exponential gives the probability and the loss.
            let p = (if eta >= 0.0 { 1.0 } else { e }) / (1.0 + e);
            if s[i] == 1.0 {
                unit *= 1.0 + e;
                f += eta.max(0.0) - y[i] * eta;
            } else {
                f += s[i] * (eta.max(0.0) + e.ln_1p() - y[i] * eta);
            }
            let (r1, w) = (s[i] * (p - y[i]), s[i] * p * (1.0 - p));
            g[0] += r1;
            let row = &xb[k * ds + 1..k * ds + d];
            for (a, &v) in row.iter().enumerate() {
                g[a + 1] += r1 * v;
            }
            hw[k] = w;
        }
        f += unit.ln();
        if !hessian {
            continue;
        }
        // Upper triangle only; mirrored below.
        hessian_block(&xb[..m * ds], &hw[..m], d, ds, &mut h);
    }
    (f, g, h, extreme)
}

/// [`pass_rows`] compiled with AVX2 and FMA (the same operations in the same order, four lanes wide).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn pass_rows_avx2(
    z: Rows<'_>,
    q: usize,
    y: &[f64],
    s: &[f64],
    beta: &[f64],
    hessian: bool,
    r: std::ops::Range<usize>,
) -> (f64, Vec<f64>, Vec<f64>, usize) {
    pass_rows(z, q, y, s, beta, hessian, r)
}

/// [`pass_rows`] in the AVX2 build when the CPU has AVX2 and FMA.
fn pass_rows_best(
    z: Rows<'_>,
    q: usize,
    y: &[f64],
    s: &[f64],
    beta: &[f64],
    hessian: bool,
    r: std::ops::Range<usize>,
) -> (f64, Vec<f64>, Vec<f64>, usize) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
        // SAFETY: `pass_rows_avx2` only requires AVX2 and FMA, which the CPU has (checked just above).
        return unsafe { pass_rows_avx2(z, q, y, s, beta, hessian, r) };
    }
    pass_rows(z, q, y, s, beta, hessian, r)
}

/// [`derivatives`] with the count of extreme rows.
pub(super) fn pass(
    z: Rows<'_>,
    q: usize,
    y: &[f64],
    s: &[f64],
    beta: &[f64],
    hessian: bool,
) -> Result<Pass> {
    let d = q + 1;
    let parts = chunked_checked(y.len(), |r| pass_rows_best(z, q, y, s, beta, hessian, r))?;
    let mut f = 0.0;
    let mut g = vec![0.0; d];
    let mut h = vec![0.0; d * d];
    let mut extreme = 0;
    for (pf, pg, ph, pe) in parts {
        f += pf;
        g.iter_mut().zip(&pg).for_each(|(a, b)| *a += b);
        if hessian {
            h.iter_mut().zip(&ph).for_each(|(a, b)| *a += b);
        }
        extreme += pe;
    }
    for a in 0..d {
        for b in 0..a {
            h[a * d + b] = h[b * d + a];
        }
    }
    Ok(Pass { f, g, h, extreme })
}

pub(super) fn penalty_value(beta: &[f64], l1: f64, l2: f64) -> f64 {
    let w = &beta[1..];
    l1 * w.iter().map(|x| x.abs()).sum::<f64>() + 0.5 * l2 * w.iter().map(|x| x * x).sum::<f64>()
}

pub(super) fn max_abs(v: &[f64]) -> f64 {
    v.iter().fold(0.0, |m, x| f64::max(m, x.abs()))
}

/// Rows from which the fit starts from a subsample's optimum.
pub(super) const WARM_MIN_ROWS: usize = 200_000;
/// Rows of that subsample (about).
pub(super) const WARM_ROWS: usize = 50_000;

/// Standardised rows, labels and row weights of one fit.
pub(super) struct Data<'a> {
    pub(super) z: Rows<'a>,
    pub(super) q: usize,
    pub(super) y: &'a [f64],
    pub(super) s: &'a [f64],
}

/// The Hessian turned singular at column `pivot` (0 = intercept), with the coefficients reached.
pub(super) struct Singular {
    pub(super) pivot: usize,
    pub(super) beta: Vec<f64>,
}

/// Why [`newton`] stopped without a result.
pub(super) enum Halt {
    /// A singular Hessian.
    Singular(Singular),
    /// An interrupt (see [`crate::interrupt`]).
    Interrupted,
}

/// Starting coefficients from the optimum on every k-th row (a fixed stride, so the start does not depend
/// on threads or seeds), with the L2 penalty scaled to the subsample's share of the weight so both
/// objectives have the same optimum in expectation; and the subsample's last data Hessian scaled up to
/// the whole weight, a close stand-in for the full-data Hessian there (the first Newton step needs
/// no Hessian pass of its own). Falls back to `beta` and no Hessian when the subsample fit fails.
pub(super) fn warm_start(
    z: Rows<'_>,
    q: usize,
    y: &[f64],
    s: &[f64],
    beta: Vec<f64>,
    l2: f64,
    opts: &LogisticOptions,
) -> (Vec<f64>, Option<Vec<f64>>) {
    let k = y.len() / WARM_ROWS;
    let rows = (0..y.len()).step_by(k.max(1));
    let mut zs = Vec::with_capacity(q * (y.len() / k.max(1) + 1));
    let (mut ys, mut ss) = (Vec::new(), Vec::new());
    let mut buf = vec![0.0; q];
    for i in rows {
        zs.extend_from_slice(z.get(i, q, &mut buf));
        ys.push(y[i]);
        ss.push(s[i]);
    }
    let share = ss.iter().sum::<f64>() / s.iter().sum::<f64>();
    let (n_pos, m) = (ys.iter().filter(|&&v| v == 1.0).count(), ys.len());
    if n_pos == 0 || n_pos == m || !(share > 0.0) {
        return (beta, None);
    }
    let sub = Data {
        z: Rows::Dense(&zs),
        q,
        y: &ys,
        s: &ss,
    };
    // Its own sampling error is about 1/sqrt(m) (1e-2 here); a loose tolerance is enough.
    match solve(
        &sub,
        beta.clone(),
        0.0,
        l2 * share,
        opts.max_iter,
        1e-4,
        2,
        false,
        None,
    ) {
        Ok(r) if r.conv.converged && r.beta.iter().all(|v| v.is_finite()) => {
            let h = r.h_last.iter().map(|v| v / share).collect::<Vec<f64>>();
            let h = h.iter().all(|v| v.is_finite()).then_some(h);
            (r.beta, h)
        }
        _ => (beta, None),
    }
}

/// What [`solve`] returns: the coefficients, the report, and the last pass's results at them.
pub(super) struct Solved {
    pub(super) beta: Vec<f64>,
    pub(super) conv: Convergence,
    /// Data gradient at `beta`.
    pub(super) g_data: Vec<f64>,
    /// Data loss at `beta`.
    pub(super) f_data: f64,
    /// The data Hessian at `beta`, when the last pass computed it there.
    pub(super) h_data: Option<Vec<f64>>,
    /// The last data Hessian computed, wherever it was (at `beta` or at an earlier iterate).
    pub(super) h_last: Vec<f64>,
    /// Rows with |η| > [`EXTREME_ETA`] at `beta`.
    pub(super) extreme: usize,
}

/// (Proximal) Newton iterations with a backtracking line search, from `beta` until no coefficient moves
/// more than `tol · (1 + max |β|)`. Returns the coefficients, the report and the data gradient there.
#[cfg(test)]
pub(super) fn newton(
    d: &Data<'_>,
    beta: Vec<f64>,
    l1: f64,
    l2: f64,
    max_iter: usize,
    tol: f64,
    hessian_steps: usize,
) -> std::result::Result<(Vec<f64>, Convergence, Vec<f64>), Halt> {
    solve(d, beta, l1, l2, max_iter, tol, hessian_steps, false, None)
        .map(|r| (r.beta, r.conv, r.g_data))
}

/// How far below the tolerance a Newton step must be for the point it starts from to count as the
/// solution (see [`solve`]).
const CERTIFIED: f64 = 0.01;

/// [`newton`], reporting the last pass's loss, extreme-row count and (when asked for with
/// `final_hessian`) the Hessian at the solution; `start_hessian` stands in for the data Hessian at
/// `beta` in the first step (the warm start's, scaled), which then needs no Hessian pass.
///
/// Two ways to stop (smooth penalties):
/// - **Certified at a point.** When the last pass computed the Hessian at `beta` and the Newton step
///   from there is below `CERTIFIED · tol · (1 + max |β|)`, `beta` is the solution to that precision
///   and everything at it (loss, gradient, Hessian) is already known: no further pass. The pass that
///   reaches such a point computes its Hessian when the steps so far predict it (the next step, at
///   the ratio of the last two, below that bound).
/// - **A step below the tolerance.** A step that ends the iterations if accepted is known before its
///   pass (its length and the coefficients it reaches decide it), so that pass also computes the
///   Hessian when `final_hessian` asks for it: the inference needs no pass of its own.
///
/// The L1 / elastic-net path stops only the second way.
#[allow(clippy::too_many_arguments)]
pub(super) fn solve(
    d: &Data<'_>,
    mut beta: Vec<f64>,
    l1: f64,
    l2: f64,
    max_iter: usize,
    tol: f64,
    hessian_steps: usize,
    final_hessian: bool,
    start_hessian: Option<Vec<f64>>,
) -> std::result::Result<Solved, Halt> {
    let Data { z, q, y, s } = *d;
    // Each Newton iteration evaluates loss, gradient and Hessian once, at the accepted point: the line
    // search evaluates its candidates with the full pass and keeps the derivatives of the one it accepts.
    let given = start_hessian.filter(|h| h.len() == (q + 1) * (q + 1));
    let first = pass(z, q, y, s, &beta, given.is_none()).map_err(|_| Halt::Interrupted)?;
    // Whether h_data is the Hessian at beta.
    let mut h_here = given.is_none();
    let (mut f_data, mut g_data, mut extreme) = (first.f, first.g, first.extreme);
    let mut h_data = given.unwrap_or(first.h);
    let mut f = f_data + penalty_value(&beta, l1, l2);
    let mut conv = Convergence {
        converged: false,
        iterations: 0,
        last_change: f64::INFINITY,
        gradient: f64::INFINITY,
    };
    // Smooth penalties reuse the last Hessian factor while Newton steps shrink fast (each such step
    // needs only the gradient, a much cheaper pass); the gradient is always exact, so the optimum is too.
    let mut factor: Option<Vec<f64>> = None;
    let mut fresh = true;
    let mut prev_change = f64::INFINITY;
    for it in 1..=max_iter {
        let target = if l1 > 0.0 {
            prox_newton_target(&beta, &g_data, &h_data, l1, l2)
        } else {
            let mut g = g_data.clone();
            for j in 1..=q {
                g[j] += l2 * beta[j];
            }
            conv.gradient = max_abs(&g);
            if fresh || factor.is_none() {
                let mut h = h_data.clone();
                for j in 1..=q {
                    h[j * (q + 1) + j] += l2;
                }
                match cholesky(&h, q + 1) {
                    Ok(l) => factor = Some(l),
                    Err(_) if !h_here => {
                        // A stand-in Hessian that does not factor: the one at beta instead.
                        let ph = pass(z, q, y, s, &beta, true).map_err(|_| Halt::Interrupted)?;
                        h_data = ph.h;
                        h_here = true;
                        let mut h = h_data.clone();
                        for j in 1..=q {
                            h[j * (q + 1) + j] += l2;
                        }
                        match cholesky(&h, q + 1) {
                            Ok(l) => factor = Some(l),
                            Err(pivot) => return Err(Halt::Singular(Singular { pivot, beta })),
                        }
                    }
                    Err(pivot) => return Err(Halt::Singular(Singular { pivot, beta })),
                }
            }
            let mut d: Vec<f64> = g.iter().map(|v| -v).collect();
            if let Some(l) = &factor {
                chol_solve(l, q + 1, &mut d);
            }
            beta.iter().zip(&d).map(|(b, d)| b + d).collect()
        };
        let dir: Vec<f64> = target.iter().zip(&beta).map(|(t, b)| t - b).collect();
        let step = max_abs(&dir);
        let bound = CERTIFIED * tol * (1.0 + max_abs(&beta));
        if l1 == 0.0 && h_here && fresh && step <= bound {
            // The exact Newton step from beta is negligible: beta is the solution, and the last pass
            // gave its loss, gradient and Hessian.
            conv.converged = true;
            conv.last_change = step;
            break;
        }
        // The next Hessian is needed early on, after a slow step, or with an L1 part; and at a point
        // the steps so far predict to be the solution (the next step, shrinking at the ratio of the
        // last two, below the bound).
        let want_hessian = l1 > 0.0 || it <= hessian_steps || step > 0.25 * prev_change;
        let predicted_final =
            l1 == 0.0 && prev_change.is_finite() && step * (step / prev_change) <= bound;
        // Backtracking: halve the step until the objective does not increase.
        let mut t = 1.0;
        let (next, f_next, pn, with_h) = loop {
            if crate::interrupt::check().is_err() {
                return Err(Halt::Interrupted);
            }
            let cand: Vec<f64> = beta.iter().zip(&dir).map(|(b, d)| b + t * d).collect();
            // Accepted, this candidate ends the iterations (the test below, made in advance).
            let last = t * step <= tol * (1.0 + max_abs(&cand));
            let with_h = want_hessian || (final_hessian && last) || (predicted_final && t == 1.0);
            let pc = pass(z, q, y, s, &cand, with_h).map_err(|_| Halt::Interrupted)?;
            let f_cand = pc.f + penalty_value(&cand, l1, l2);
            if f_cand <= f + 1e-12 * f.abs() || t < 1e-10 {
                break (cand, f_cand, pc, with_h);
            }
            t *= 0.5;
        };
        conv.iterations = it;
        conv.last_change = t * step;
        prev_change = conv.last_change;
        let scale = 1.0 + max_abs(&next);
        beta = next;
        f = f_next;
        f_data = pn.f;
        g_data = pn.g;
        extreme = pn.extreme;
        if with_h {
            h_data = pn.h;
        }
        h_here = with_h;
        // A new Hessian, or a step that had to be shortened, asks for a fresh factor next time.
        fresh = with_h || t < 1.0;
        if t < 1.0 && !with_h {
            let h = pass(z, q, y, s, &beta, true).map_err(|_| Halt::Interrupted)?;
            h_data = h.h;
            h_here = true;
        }
        if conv.last_change <= tol * scale {
            conv.converged = true;
            break;
        }
    }
    Ok(Solved {
        beta,
        conv,
        g_data,
        f_data,
        h_data: h_here.then(|| h_data.clone()),
        h_last: h_data,
        extreme,
    })
}

/// Error for a singular Hessian: the columns at the failed pivot are collinear with earlier ones.
pub(super) fn collinear(names: &[String], active: &[usize], pivot: usize) -> Error {
    let name = pivot
        .checked_sub(1)
        .and_then(|k| active.get(k))
        .and_then(|&j| names.get(j))
        .map_or("the intercept".to_string(), |s| format!("column {s:?}"));
    Error::InsufficientData(format!(
        "{name} is a linear combination of the columns before it (collinear features); drop it or use a penalty"
    ))
}

/// Without a penalty, perfectly separated classes send coefficients to infinity: detect it by rows whose
/// fitted probability is 0 or 1 to machine precision.
pub(super) fn separation_check(z: Rows<'_>, n: usize, q: usize, beta: &[f64]) -> Result<()> {
    let extreme = chunked(n, |r| {
        let mut buf = vec![0.0; q];
        r.filter(|&i| eta_of(beta, z.get(i, q, &mut buf)).abs() > EXTREME_ETA)
            .count()
    })
    .iter()
    .sum::<usize>();
    separation(extreme, q, n, beta)
}

/// [`separation_check`] from a count of extreme rows already made (by the last [`pass`] at `beta`).
pub(super) fn separation(extreme: usize, q: usize, n: usize, beta: &[f64]) -> Result<()> {
    if q > 0 && n > 0 && extreme > 0 && max_abs(&beta[1..]) > 10.0 {
        return Err(Error::InsufficientData(format!(
            "the classes are (quasi-)perfectly separated: {extreme} rows get a fitted probability of 0 or 1 \
             and the maximum-likelihood coefficients are infinite; use a penalty (e.g. L2)"
        )));
    }
    Ok(())
}

/// One proximal Newton target: minimises the quadratic model plus the penalty by coordinate descent.
pub(super) fn prox_newton_target(beta: &[f64], g: &[f64], h: &[f64], l1: f64, l2: f64) -> Vec<f64> {
    let d = beta.len();
    let mut u = beta.to_vec();
    // hd = H (u − β), kept up to date.
    let mut hd = vec![0.0; d];
    for _sweep in 0..10_000 {
        let mut change: f64 = 0.0;
        for j in 0..d {
            let hjj = h[j * d + j];
            if !(hjj > 0.0) && j == 0 {
                continue;
            }
            let c = g[j] + hd[j] - hjj * (u[j] - beta[j]) - hjj * beta[j];
            let new = if j == 0 {
                -c / hjj
            } else {
                let denom = hjj + l2;
                if !(denom > 0.0) {
                    continue;
                }
                -soft(c, l1) / denom
            };
            let delta = new - u[j];
            if delta != 0.0 {
                for k in 0..d {
                    hd[k] += h[k * d + j] * delta;
                }
                u[j] = new;
                change = change.max(delta.abs());
            }
        }
        if change <= 1e-14 * (1.0 + max_abs(&u)) {
            break;
        }
    }
    u
}

/// Largest violation of the optimality conditions of the L1 / elastic-net objective (0 at the optimum).
pub(super) fn l1_violation(beta: &[f64], g: &[f64], l1: f64, l2: f64) -> f64 {
    let mut worst = g[0].abs();
    for j in 1..beta.len() {
        let gj = g[j] + l2 * beta[j];
        let v = if beta[j] == 0.0 {
            (gj.abs() - l1).max(0.0)
        } else {
            (gj + l1 * beta[j].signum()).abs()
        };
        worst = worst.max(v);
    }
    worst
}

pub(super) fn soft(c: f64, l: f64) -> f64 {
    if c > l {
        c - l
    } else if c < -l {
        c + l
    } else {
        0.0
    }
}

#[cfg(test)]
#[path = "solver_tests.rs"]
mod tests;
