//! LMG (Shapley-value regression): the R² of all 2^p subsets of drivers, enumerated by Schur
//! complements, and each driver's average marginal R² over all orders of entry.

use ndarray::ArrayView2;
#[cfg(feature = "parallel")]
use rayon::prelude::*;

use super::data::{check_collinear, matrix_to_correlation};
use super::{MAX_LMG_DRIVERS, too_many};
use crate::error::{Error, Result};

/// An R² decomposition from a covariance or correlation matrix.
///
/// ```
/// use ndarray::array;
/// use voc_core::impact::drivers::lmg_from_matrix;
/// // outcome first, then two uncorrelated drivers: importances are the squared correlations
/// let c = array![[1.0, 0.5, 0.3], [0.5, 1.0, 0.0], [0.3, 0.0, 1.0]];
/// let d = lmg_from_matrix(c.view())?;
/// assert!((d.importance[0] - 0.25).abs() < 1e-15 && (d.importance[1] - 0.09).abs() < 1e-15);
/// assert!((d.r2 - 0.34).abs() < 1e-15);
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct R2Decomposition {
    /// R² of the full model.
    pub r2: f64,
    /// One importance per driver (R² units, sums to `r2`).
    pub importance: Vec<f64>,
}

/// LMG (Shapley-value) decomposition of R² from the covariance or correlation matrix of
/// `[outcome, driver 1, …, driver p]` (a square `(p + 1) × (p + 1)` matrix, any layout), as
/// relaimpo's `calc.relimp(covg, type = "lmg")`.
///
/// ```
/// use ndarray::array;
/// use voc_core::impact::drivers::lmg_from_matrix;
/// let c = array![[4.0, 1.0, 1.0], [1.0, 1.0, 0.5], [1.0, 0.5, 1.0]]; // a covariance matrix
/// let d = lmg_from_matrix(c.view())?;
/// assert!((d.importance[0] - d.importance[1]).abs() < 1e-15); // symmetric drivers share equally
/// assert!((d.importance.iter().sum::<f64>() - d.r2).abs() < 1e-15);
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn lmg_from_matrix(matrix: ArrayView2<'_, f64>) -> Result<R2Decomposition> {
    let corr = matrix_to_correlation(matrix)?;
    let p = matrix.nrows() - 1;
    if p > MAX_LMG_DRIVERS {
        return Err(too_many(p, MAX_LMG_DRIVERS));
    }
    check_collinear(&corr, p, &|j| format!("driver {}", j + 1))?;
    let (r2, importance) = lmg(&corr, p)?;
    Ok(R2Decomposition { r2, importance })
}

/// R² of the regression of the outcome on every subset of drivers, indexed by bit mask (bit `j` set =
/// driver `j` in the model; entry 0 is the empty model, 0). From the covariance or correlation matrix
/// of `[outcome, drivers…]` (square, `p + 1` rows, any layout), p ≤ [`MAX_LMG_DRIVERS`].
///
/// ```
/// use ndarray::array;
/// use voc_core::impact::drivers::subset_r2;
/// let c = array![[1.0, 0.5, 0.3], [0.5, 1.0, 0.0], [0.3, 0.0, 1.0]];
/// let r2 = subset_r2(c.view())?;
/// assert_eq!(r2.len(), 4);
/// assert!((r2[1] - 0.25).abs() < 1e-15 && (r2[2] - 0.09).abs() < 1e-15 && (r2[3] - 0.34).abs() < 1e-15);
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn subset_r2(matrix: ArrayView2<'_, f64>) -> Result<Vec<f64>> {
    let corr = matrix_to_correlation(matrix)?;
    let p = matrix.nrows() - 1;
    if p > MAX_LMG_DRIVERS {
        return Err(too_many(p, MAX_LMG_DRIVERS));
    }
    check_collinear(&corr, p, &|j| format!("driver {}", j + 1))?;
    let mut out = vec![0.0; 1 << p];
    let mut visit = |mask: u32, _size: usize, r2: f64| {
        if let Some(slot) = out.get_mut(mask as usize) {
            *slot = r2;
        }
    };
    visit_subsets(&corr, p, 0, &mut visit)?;
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// The enumeration

/// Per-size sums of subset R²: `total[s]` over all subsets of size s, `with[j * (p + 1) + s]` over
/// those that contain driver j.
struct Sums {
    p: usize,
    total: Vec<f64>,
    with: Vec<f64>,
}

impl Sums {
    fn new(p: usize) -> Self {
        Sums {
            p,
            total: vec![0.0; p + 1],
            with: vec![0.0; p * (p + 1)],
        }
    }

    fn add(&mut self, mask: u32, size: usize, r2: f64) {
        self.total[size] += r2;
        let mut m = mask;
        while m != 0 {
            let j = m.trailing_zeros() as usize;
            self.with[j * (self.p + 1) + size] += r2;
            m &= m - 1;
        }
    }

    fn merge(&mut self, other: &Sums) {
        for (a, b) in self.total.iter_mut().zip(&other.total) {
            *a += b;
        }
        for (a, b) in self.with.iter_mut().zip(&other.with) {
            *a += b;
        }
    }
}

/// LMG importances: `Σ_S w(|S|) [R²(S ∪ j) − R²(S)]` over S ∌ j with Shapley weights
/// `w(s) = s! (p − 1 − s)! / p!`, rearranged as sums over subsets by size.
pub(super) fn lmg(corr: &[f64], p: usize) -> Result<(f64, Vec<f64>)> {
    let tasks = prefix_bits(p);
    let run = |t: usize| -> Result<Sums> {
        crate::interrupt::check()?;
        let mut sums = Sums::new(p);
        let mut visit = |mask: u32, size: usize, r2: f64| sums.add(mask, size, r2);
        enumerate_task(corr, p, tasks, t, &mut visit)?;
        Ok(sums)
    };
    let ntasks = 1usize << tasks;
    #[cfg(feature = "parallel")]
    let parts: Vec<Result<Sums>> = if ntasks > 1 {
        crate::interrupt::watch(|| Ok((0..ntasks).into_par_iter().map(run).collect()))?
    } else {
        (0..ntasks).map(run).collect()
    };
    #[cfg(not(feature = "parallel"))]
    let parts: Vec<Result<Sums>> = (0..ntasks).map(run).collect();
    let mut sums = Sums::new(p);
    for part in parts {
        sums.merge(&part?);
    }
    // w(s) = 1 / (p · C(p − 1, s))
    let mut binom = vec![1.0_f64; p];
    for s in 1..p {
        binom[s] = binom[s - 1] * (p - s) as f64 / s as f64;
    }
    let w = |s: usize| 1.0 / (p as f64 * binom[s]);
    let imp = (0..p)
        .map(|j| {
            let row = &sums.with[j * (p + 1)..(j + 1) * (p + 1)];
            let mut v = 0.0;
            for (s, (&with, &total)) in row.iter().zip(&sums.total).enumerate().skip(1) {
                v += w(s - 1) * with;
                if s < p {
                    v -= w(s) * (total - with);
                }
            }
            v
        })
        .collect();
    Ok((sums.total[p], imp))
}

/// Number of leading drivers whose in/out pattern splits the enumeration into independent tasks
/// (a function of p only, so the summation order never depends on the thread count).
fn prefix_bits(p: usize) -> usize {
    p.saturating_sub(10).min(8)
}

/// Every subset's R², sequentially (`tasks` leading bits split the work as [`lmg`] does).
fn visit_subsets(
    corr: &[f64],
    p: usize,
    tasks: usize,
    visit: &mut dyn FnMut(u32, usize, f64),
) -> Result<()> {
    visit(0, 0, 0.0);
    for t in 0..(1usize << tasks) {
        crate::interrupt::check()?;
        enumerate_task(corr, p, tasks, t, &mut |m, s, r| {
            if m != 0 {
                visit(m, s, r)
            }
        })?;
    }
    Ok(())
}

/// One task: the subsets whose intersection with drivers `0..tasks` is the bit pattern `t`.
///
/// The matrix of each node is the covariance of the outcome and the drivers not yet decided,
/// conditional on the drivers in the subset (a Schur complement). Adding driver k is one Gaussian
/// elimination step on that matrix — the forward half of a sweep, never undone, so no error builds up
/// — and the child keeps only the drivers after k. A node with r undecided drivers costs (r + 1)²,
/// so all 2^p subsets cost O(2^p) in total, not O(2^p p³).
fn enumerate_task(
    corr: &[f64],
    p: usize,
    tasks: usize,
    t: usize,
    visit: &mut dyn FnMut(u32, usize, f64),
) -> Result<()> {
    let dim = p + 1;
    let var_y = corr[0];
    // Matrix over [y, members of t..., drivers tasks..p], then eliminate the members of t.
    let members: Vec<usize> = (0..tasks).filter(|&j| t >> j & 1 == 1).collect();
    let mut order: Vec<usize> = vec![0];
    order.extend(members.iter().map(|j| j + 1));
    order.extend((tasks..p).map(|j| j + 1));
    let mut q = order.len();
    let mut m: Vec<f64> = order
        .iter()
        .flat_map(|&a| order.iter().map(move |&b| (a, b)))
        .map(|(a, b)| corr[a * dim + b])
        .collect();
    for _ in &members {
        // the next member sits at position 1
        let keep: Vec<usize> = std::iter::once(0).chain(2..q).collect();
        let mut out = vec![0.0; keep.len() * keep.len()];
        eliminate(&m, q, 1, &keep, &mut out)?;
        m = out;
        q -= 1;
    }
    let base_mask = members.iter().fold(0u32, |acc, &j| acc | 1 << j);
    let size = members.len();
    visit(base_mask, size, 1.0 - m[0] / var_y);
    let vars: Vec<usize> = (tasks..p).collect();
    if vars.is_empty() {
        return Ok(());
    }
    let mut bufs: Vec<Vec<f64>> = (0..=vars.len()).map(|_| vec![0.0; q * q]).collect();
    if let Some(first) = bufs.first_mut() {
        first.copy_from_slice(&m);
    }
    dfs(&mut bufs, &vars, base_mask, size, var_y, visit)
}

/// Depth-first over the subsets that add drivers from `vars` (in increasing order) to `mask`;
/// `bufs[0]` holds the conditional covariance over [y, vars...].
fn dfs(
    bufs: &mut [Vec<f64>],
    vars: &[usize],
    mask: u32,
    size: usize,
    var_y: f64,
    visit: &mut dyn FnMut(u32, usize, f64),
) -> Result<()> {
    let r = vars.len();
    let q = r + 1;
    let Some((cur, rest)) = bufs.split_first_mut() else {
        return Ok(());
    };
    for (a, &k) in vars.iter().enumerate() {
        let pa = a + 1;
        let piv = cur[pa * q + pa];
        if !(piv > 0.0) {
            return Err(Error::InsufficientData(
                "a subset of drivers is numerically collinear".into(),
            ));
        }
        let child_mask = mask | 1 << k;
        let rem = r - pa;
        if rem == 0 {
            let y = cur[pa];
            visit(child_mask, size + 1, 1.0 - (cur[0] - y * y / piv) / var_y);
            continue;
        }
        let cq = rem + 1;
        let Some(out) = rest.first_mut() else {
            return Ok(());
        };
        // child positions: 0 (y) and pa+1..q
        for ci in 0..cq {
            let pi = if ci == 0 { 0 } else { pa + ci };
            let f = cur[pi * q + pa] / piv;
            for cj in ci..cq {
                let pj = if cj == 0 { 0 } else { pa + cj };
                let v = cur[pi * q + pj] - f * cur[pa * q + pj];
                out[ci * cq + cj] = v;
                out[cj * cq + ci] = v;
            }
        }
        visit(child_mask, size + 1, 1.0 - out[0] / var_y);
        dfs(rest, &vars[pa..], child_mask, size + 1, var_y, visit)?;
    }
    Ok(())
}

/// One elimination step: the Schur complement of position `pivot`, restricted to `keep`.
fn eliminate(m: &[f64], q: usize, pivot: usize, keep: &[usize], out: &mut [f64]) -> Result<()> {
    let piv = m[pivot * q + pivot];
    if !(piv > 0.0) {
        return Err(Error::InsufficientData(
            "a subset of drivers is numerically collinear".into(),
        ));
    }
    let k = keep.len();
    for (ci, &pi) in keep.iter().enumerate() {
        let f = m[pi * q + pivot] / piv;
        for (cj, &pj) in keep.iter().enumerate() {
            out[ci * k + cj] = m[pi * q + pj] - f * m[pivot * q + pj];
        }
    }
    Ok(())
}
