//! Small dense symmetric solvers for the model fits (p × p, row-major).

/// Cholesky factor `L` (row-major, lower) of a symmetric positive-definite matrix, or the index of
/// the first pivot that is not positive (relative to the largest diagonal entry).
pub(crate) fn cholesky(a: &[f64], p: usize) -> Result<Vec<f64>, usize> {
    let scale = (0..p).map(|i| a[i * p + i].abs()).fold(0.0_f64, f64::max);
    let tol = scale * 1e-13;
    let mut l = vec![0.0; p * p];
    for j in 0..p {
        let mut d = a[j * p + j];
        for k in 0..j {
            d -= l[j * p + k] * l[j * p + k];
        }
        if !(d > tol) {
            return Err(j);
        }
        let d = d.sqrt();
        l[j * p + j] = d;
        for i in j + 1..p {
            let mut s = a[i * p + j];
            for k in 0..j {
                s -= l[i * p + k] * l[j * p + k];
            }
            l[i * p + j] = s / d;
        }
    }
    Ok(l)
}

/// Solves `L Lᵀ x = b` in place.
pub(crate) fn chol_solve(l: &[f64], p: usize, b: &mut [f64]) {
    for i in 0..p {
        let mut s = b[i];
        for k in 0..i {
            s -= l[i * p + k] * b[k];
        }
        b[i] = s / l[i * p + i];
    }
    for i in (0..p).rev() {
        let mut s = b[i];
        for k in i + 1..p {
            s -= l[k * p + i] * b[k];
        }
        b[i] = s / l[i * p + i];
    }
}

/// Inverse of `L Lᵀ`.
pub(crate) fn chol_inverse(l: &[f64], p: usize) -> Vec<f64> {
    let mut inv = vec![0.0; p * p];
    let mut col = vec![0.0; p];
    for j in 0..p {
        col.iter_mut().for_each(|x| *x = 0.0);
        col[j] = 1.0;
        chol_solve(l, p, &mut col);
        for i in 0..p {
            inv[i * p + j] = col[i];
        }
    }
    inv
}

/// `zᵀ A⁺ z` for a symmetric positive semi-definite `A` (Moore–Penrose inverse, as numpy `pinv` with
/// its default cut-off of 1e-15 × the largest eigenvalue, here 1e-12 for sums of rounded terms), from
/// the eigen-decomposition [`sym_eigen`].
pub(crate) fn pinv_quadratic_form(a: &[f64], p: usize, z: &[f64]) -> f64 {
    let (values, v) = sym_eigen(a, p);
    let lmax = values.iter().fold(0.0_f64, |m, x| m.max(x.abs()));
    (0..p)
        .filter(|&i| values[i] > 1e-12 * lmax)
        .map(|i| {
            let proj: f64 = (0..p).map(|k| v[k * p + i] * z[k]).sum();
            proj * proj / values[i]
        })
        .sum()
}

/// Eigenvalues and eigenvectors of a symmetric `p × p` matrix (row-major) by cyclic Jacobi rotations
/// (Golub & Van Loan, *Matrix Computations*, 4th ed., §8.5): returns `(values, vectors)` with
/// eigenvector `i` in column `i` of the row-major `vectors`, in no particular order.
///
/// Jacobi is chosen over a tridiagonal QR because the matrices here are small (p ≤ a few hundred) and
/// it is accurate to a few ulps relative to the largest eigenvalue, with a dozen lines of code and no
/// dependency. Sweeps stop when the off-diagonal mass is below 1e-30 of the diagonal's (at most 100).
pub(crate) fn sym_eigen(a: &[f64], p: usize) -> (Vec<f64>, Vec<f64>) {
    let mut m = a.to_vec();
    let mut v = vec![0.0; p * p];
    for i in 0..p {
        v[i * p + i] = 1.0;
    }
    for _sweep in 0..100 {
        let off: f64 = (0..p)
            .flat_map(|i| (0..p).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| m[i * p + j] * m[i * p + j])
            .sum();
        let diag: f64 = (0..p).map(|i| m[i * p + i] * m[i * p + i]).sum();
        if off <= 1e-30 * diag.max(f64::MIN_POSITIVE) {
            break;
        }
        for i in 0..p {
            for j in i + 1..p {
                let aij = m[i * p + j];
                if aij == 0.0 {
                    continue;
                }
                let theta = (m[j * p + j] - m[i * p + i]) / (2.0 * aij);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..p {
                    let (mki, mkj) = (m[k * p + i], m[k * p + j]);
                    m[k * p + i] = c * mki - s * mkj;
                    m[k * p + j] = s * mki + c * mkj;
                }
                for k in 0..p {
                    let (mik, mjk) = (m[i * p + k], m[j * p + k]);
                    m[i * p + k] = c * mik - s * mjk;
                    m[j * p + k] = s * mik + c * mjk;
                }
                for k in 0..p {
                    let (vki, vkj) = (v[k * p + i], v[k * p + j]);
                    v[k * p + i] = c * vki - s * vkj;
                    v[k * p + j] = s * vki + c * vkj;
                }
            }
        }
    }
    ((0..p).map(|i| m[i * p + i]).collect(), v)
}

/// Dot product with four running sums, so the compiler can use vector lanes (a fixed order: results do
/// not depend on the machine).
#[inline]
pub(crate) fn dot(a: &[f64], b: &[f64]) -> f64 {
    let mut acc = [0.0; 4];
    let (a4, b4) = (a.chunks_exact(4), b.chunks_exact(4));
    let (ra, rb) = (a4.remainder(), b4.remainder());
    for (x, y) in a4.zip(b4) {
        for k in 0..4 {
            acc[k] += x[k] * y[k];
        }
    }
    let mut tail = 0.0;
    for (x, y) in ra.iter().zip(rb) {
        tail += x * y;
    }
    (acc[0] + acc[1]) + (acc[2] + acc[3]) + tail
}

/// Rows per block of [`co_moments`]: a block's centred columns stay in cache while their
/// cross-products are summed.
const CO_BLOCK: usize = 512;
/// Blocks per task of [`co_moments`]: tasks are fixed by the row count and merged in order, so the
/// result does not depend on the number of threads.
const CO_TASK: usize = 16;
/// Output tile of the cross-product kernel: `CO_TILE_A` rows × `CO_TILE_B` columns.
const CO_TILE_A: usize = 2;
const CO_TILE_B: usize = 4;

/// Total weight, means and centred cross-products `Σ w (x_a − m_a)(x_b − m_b)` of some columns (a
/// `dim × dim` row-major matrix, both triangles once [`co_moments`] returns; the means are of the
/// shifted columns until then).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CoMoments {
    pub(crate) weight: f64,
    pub(crate) mean: Vec<f64>,
    pub(crate) cross: Vec<f64>,
}

impl CoMoments {
    fn empty(dim: usize) -> Self {
        CoMoments {
            weight: 0.0,
            mean: vec![0.0; dim],
            cross: vec![0.0; dim * dim],
        }
    }

    /// Adds another part's moments (Chan, Golub & LeVeque 1979, with weights): upper triangle only.
    fn merge(&mut self, other: &CoMoments) {
        if !(other.weight > 0.0) {
            return;
        }
        if !(self.weight > 0.0) {
            self.clone_from(other);
            return;
        }
        let dim = self.mean.len();
        let total = self.weight + other.weight;
        let f = self.weight * other.weight / total;
        let g = other.weight / total;
        let delta: Vec<f64> = other
            .mean
            .iter()
            .zip(&self.mean)
            .map(|(b, a)| b - a)
            .collect();
        for a in 0..dim {
            let da = delta[a] * f;
            for (b, db) in delta.iter().enumerate().skip(a) {
                self.cross[a * dim + b] += other.cross[a * dim + b] + da * db;
            }
        }
        for (m, d) in self.mean.iter_mut().zip(&delta) {
            *m += d * g;
        }
        self.weight = total;
    }
}

/// Row weights of [`co_moments`]: observation weights, bootstrap counts, both, or none.
#[derive(Clone, Copy)]
pub(crate) struct RowWeights<'a> {
    pub(crate) weights: Option<&'a [f64]>,
    pub(crate) counts: Option<&'a [u32]>,
}

/// Scratch of one task: the block's centred columns (`z`), the same times the row weights (`zw`),
/// the weights and the block's cross-products, all reused from block to block.
struct CoScratch {
    z: Vec<f64>,
    zw: Vec<f64>,
    w: Vec<f64>,
    tiles: Vec<f64>,
    pad: usize,
}

/// The co-moments of equal-length columns with optional row weights, in one pass over the rows:
/// blocks of [`CO_BLOCK`] rows are centred on their own weighted means (so no cancellation however
/// far the data sit from zero), their cross-products summed by a register-tiled kernel (four rows per
/// vector lane, a fixed order), and the blocks merged in row order with Chan's update. With
/// `parallel` (and the feature) tasks of [`CO_TASK`] blocks run on rayon; the tasks are fixed by the
/// row count, so the result is bit-identical on any number of threads.
pub(crate) fn co_moments(cols: &[&[f64]], rw: RowWeights<'_>, parallel: bool) -> CoMoments {
    let dim = cols.len();
    let n = cols.first().map_or(0, |c| c.len());
    let blocks = n.div_ceil(CO_BLOCK);
    let tasks = blocks.div_ceil(CO_TASK);
    // Every column is shifted by the mean of its first block, so the running means (and Chan's
    // updates of them) stay near zero and keep their low digits whatever the data's offset.
    let shift: Vec<f64> = cols
        .iter()
        .map(|c| {
            let head = &c[..c.len().min(CO_BLOCK)];
            if head.is_empty() {
                0.0
            } else {
                lane_sum(head) / head.len() as f64
            }
        })
        .collect();
    let shift = &shift;
    let task = |t: usize| -> CoMoments {
        let pad = dim.div_ceil(CO_TILE_B) * CO_TILE_B;
        let weighted = rw.weights.is_some() || rw.counts.is_some();
        let mut s = CoScratch {
            z: vec![0.0; pad * CO_BLOCK],
            zw: if weighted {
                vec![0.0; pad * CO_BLOCK]
            } else {
                Vec::new()
            },
            w: vec![0.0; CO_BLOCK],
            tiles: vec![0.0; pad * pad],
            pad,
        };
        let mut acc = CoMoments::empty(dim);
        let first = t * CO_TASK;
        for b in first..(first + CO_TASK).min(blocks) {
            let (lo, hi) = (b * CO_BLOCK, ((b + 1) * CO_BLOCK).min(n));
            if let Some(part) = co_block(cols, shift, rw, lo, hi, &mut s) {
                acc.merge(&part);
            }
        }
        acc
    };
    #[cfg(feature = "parallel")]
    let parts: Vec<CoMoments> = if parallel && tasks > 1 {
        use rayon::prelude::*;
        (0..tasks).into_par_iter().map(task).collect()
    } else {
        (0..tasks).map(task).collect()
    };
    #[cfg(not(feature = "parallel"))]
    let parts: Vec<CoMoments> = {
        let _ = parallel;
        (0..tasks).map(task).collect()
    };
    let mut total = CoMoments::empty(dim);
    for part in &parts {
        total.merge(part);
    }
    for a in 0..dim {
        for b in 0..a {
            total.cross[a * dim + b] = total.cross[b * dim + a];
        }
    }
    if total.weight > 0.0 {
        for (m, c) in total.mean.iter_mut().zip(shift) {
            *m += c;
        }
    }
    total
}

/// One block's co-moments (rows `lo..hi`); `None` when its weights sum to zero. The AVX2 build
/// (when the CPU has AVX2) runs the same operations in the same order, so gives the same bits.
#[allow(unsafe_code)] // one call to the AVX2 build, after checking that the CPU has AVX2
fn co_block(
    cols: &[&[f64]],
    shift: &[f64],
    rw: RowWeights<'_>,
    lo: usize,
    hi: usize,
    s: &mut CoScratch,
) -> Option<CoMoments> {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: `co_block_avx2` only requires AVX2, which the CPU has (checked just above).
        return unsafe { co_block_avx2(cols, shift, rw, lo, hi, s) };
    }
    co_block_plain(cols, shift, rw, lo, hi, s)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn co_block_avx2(
    cols: &[&[f64]],
    shift: &[f64],
    rw: RowWeights<'_>,
    lo: usize,
    hi: usize,
    s: &mut CoScratch,
) -> Option<CoMoments> {
    co_block_plain(cols, shift, rw, lo, hi, s)
}

#[inline(always)]
fn co_block_plain(
    cols: &[&[f64]],
    shift: &[f64],
    rw: RowWeights<'_>,
    lo: usize,
    hi: usize,
    s: &mut CoScratch,
) -> Option<CoMoments> {
    let dim = cols.len();
    let len = hi - lo;
    let weighted = rw.weights.is_some() || rw.counts.is_some();
    let w = &mut s.w[..len];
    let weight = if weighted {
        for (k, slot) in w.iter_mut().enumerate() {
            let c = rw.counts.map_or(1.0, |c| f64::from(c[lo + k]));
            *slot = rw.weights.map_or(c, |ws| c * ws[lo + k]);
        }
        lane_sum(w)
    } else {
        len as f64
    };
    if !(weight > 0.0) {
        return None;
    }
    let mut mean = vec![0.0; dim];
    // Σ of each left column (z, or w·z when weighted) after centring: the residuals below.
    let mut resid = vec![0.0; dim];
    for (a, col) in cols.iter().enumerate() {
        let x = &col[lo..hi];
        // The next block's rows of this column are fetched while this block is summed: each
        // block of a column is a fresh page, where the hardware prefetcher would start cold.
        prefetch(col.get(hi..(hi + len).min(col.len())).unwrap_or(&[]));
        let z = &mut s.z[a * CO_BLOCK..a * CO_BLOCK + len];
        // Shift and sum in one pass (the sum as `lane_sum` adds, so the same bits).
        let sum = shift_and_sum(x, shift[a], z);
        let m = if weighted { dot(w, z) } else { sum } / weight;
        mean[a] = m;
        if weighted {
            for zv in z.iter_mut() {
                *zv -= m;
            }
            let zw = &mut s.zw[a * CO_BLOCK..a * CO_BLOCK + len];
            resid[a] = scale_and_sum(z, w, zw);
        } else {
            resid[a] = centre_and_sum(z, m);
        }
    }
    let left = if weighted { &s.zw } else { &s.z };
    cross_tiles(left, &s.z, len, dim, s.pad, &mut s.tiles);
    // The corrected two-pass formula: the residuals Σ w (x − m̂) of the rounded means m̂ (zero in
    // exact arithmetic) fix the means and the cross-products, Σ w (x − m)(y − m') =
    // Σ w (x − m̂)(y − m̂') − r r' / W, so data far from zero lose nothing.
    let mut cross = vec![0.0; dim * dim];
    for a in 0..dim {
        mean[a] += resid[a] / weight;
        for b in a..dim {
            cross[a * dim + b] = s.tiles[a * s.pad + b] - resid[a] * resid[b] / weight;
        }
    }
    Some(CoMoments {
        weight,
        mean,
        cross,
    })
}

/// `z = x − c`, returning `lane_sum(z)` (the same additions in the same order).
#[inline(always)]
fn shift_and_sum(x: &[f64], c: f64, z: &mut [f64]) -> f64 {
    let n = x.len().min(z.len());
    let (xc, xr) = x[..n].as_chunks::<4>();
    let (zc, zr) = z[..n].as_chunks_mut::<4>();
    let mut acc = [0.0; 4];
    // Whole four-lane values, so the compiler keeps the lanes in one vector register.
    for (zv, xv) in zc.iter_mut().zip(xc) {
        let d = [xv[0] - c, xv[1] - c, xv[2] - c, xv[3] - c];
        *zv = d;
        acc = [acc[0] + d[0], acc[1] + d[1], acc[2] + d[2], acc[3] + d[3]];
    }
    for (zv, &xv) in zr.iter_mut().zip(xr) {
        *zv = xv - c;
    }
    let tail: f64 = zr.iter().sum();
    (acc[0] + acc[1]) + (acc[2] + acc[3]) + tail
}

/// `z −= m`, returning `lane_sum(z)` of the result.
#[inline(always)]
fn centre_and_sum(z: &mut [f64], m: f64) -> f64 {
    let (zc, zr) = z.as_chunks_mut::<4>();
    let mut acc = [0.0; 4];
    for zv in zc.iter_mut() {
        let d = [zv[0] - m, zv[1] - m, zv[2] - m, zv[3] - m];
        *zv = d;
        acc = [acc[0] + d[0], acc[1] + d[1], acc[2] + d[2], acc[3] + d[3]];
    }
    for zv in zr.iter_mut() {
        *zv -= m;
    }
    let tail: f64 = zr.iter().sum();
    (acc[0] + acc[1]) + (acc[2] + acc[3]) + tail
}

/// `zw = w · z`, returning `lane_sum(zw)`.
#[inline(always)]
fn scale_and_sum(z: &[f64], w: &[f64], zw: &mut [f64]) -> f64 {
    let n = z.len().min(w.len()).min(zw.len());
    let (zc, zr) = z[..n].as_chunks::<4>();
    let (wc, wr) = w[..n].as_chunks::<4>();
    let (oc, or) = zw[..n].as_chunks_mut::<4>();
    let mut acc = [0.0; 4];
    for ((o, zv), wv) in oc.iter_mut().zip(zc).zip(wc) {
        let d = [wv[0] * zv[0], wv[1] * zv[1], wv[2] * zv[2], wv[3] * zv[3]];
        *o = d;
        acc = [acc[0] + d[0], acc[1] + d[1], acc[2] + d[2], acc[3] + d[3]];
    }
    for ((o, &zv), &wv) in or.iter_mut().zip(zr).zip(wr) {
        *o = wv * zv;
    }
    let tail: f64 = or.iter().sum();
    (acc[0] + acc[1]) + (acc[2] + acc[3]) + tail
}

/// Asks the CPU to start loading `x` into its level-2 cache (a hint: no effect on any value).
/// Level 2 rather than 1: a block's columns and scratch do not fit in level 1, and a level-1 hint
/// measured a quarter slower on 100k × 21 columns.
#[inline(always)]
#[allow(unsafe_code)] // a prefetch hint, which reads nothing and cannot fault
fn prefetch(x: &[f64]) {
    #[cfg(target_arch = "x86_64")]
    for line in x.chunks(8) {
        use std::arch::x86_64::{_MM_HINT_T1, _mm_prefetch};
        // SAFETY: a prefetch is a hint that never faults; the address is inside `x` anyway.
        unsafe { _mm_prefetch::<_MM_HINT_T1>(line.as_ptr().cast::<i8>()) };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = x;
}

/// Sum with four running sums (a fixed order).
fn lane_sum(x: &[f64]) -> f64 {
    let (chunks, rest) = x.as_chunks::<4>();
    let mut acc = [0.0; 4];
    for c in chunks {
        for k in 0..4 {
            acc[k] += c[k];
        }
    }
    let tail: f64 = rest.iter().sum();
    (acc[0] + acc[1]) + (acc[2] + acc[3]) + tail
}

/// `tiles[a·pad + b] = Σ_k left[a][k] · right[b][k]` over the first `len` rows of each column
/// (columns [`CO_BLOCK`] apart), for every `a ≤ b < dim` (and some `a > b` next to the diagonal),
/// in tiles of 2 × 4 outputs, and the last `dim mod 4` columns in tiles of 2 × 1 (so no time goes
/// to the zero columns that pad `dim` to `pad`). The AVX2 build runs the same operations in the
/// same order.
#[allow(unsafe_code)] // one call to the AVX2 build, after checking that the CPU has AVX2
fn cross_tiles(left: &[f64], right: &[f64], len: usize, dim: usize, pad: usize, tiles: &mut [f64]) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: `cross_tiles_avx2` only requires AVX2, which the CPU has (checked just above).
        return unsafe { cross_tiles_avx2(left, right, len, dim, pad, tiles) };
    }
    cross_tiles_plain(left, right, len, dim, pad, tiles);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn cross_tiles_avx2(
    left: &[f64],
    right: &[f64],
    len: usize,
    dim: usize,
    pad: usize,
    tiles: &mut [f64],
) {
    cross_tiles_by(
        left,
        right,
        len,
        dim,
        pad,
        tiles,
        |x, y| tile_avx2(x, y),
        |x, y| edge_tile_avx2(x, y),
    );
}

/// The tiling shared by both builds of the kernel: 2 × 4 tiles (`tile4`) over the columns up to a
/// multiple of four, 2 × 1 tiles (`tile1`) over the rest. Inlined into each build, so the tiles are
/// compiled with that build's instructions.
#[inline(always)]
#[allow(clippy::too_many_arguments)] // the kernel's arguments plus the two tile functions
fn cross_tiles_by(
    left: &[f64],
    right: &[f64],
    len: usize,
    dim: usize,
    pad: usize,
    tiles: &mut [f64],
    tile4: impl Fn([&[f64]; 2], [&[f64]; 4]) -> [[f64; 4]; 2],
    tile1: impl Fn([&[f64]; 2], &[f64]) -> [f64; 2],
) {
    let full = dim / CO_TILE_B * CO_TILE_B;
    for a in (0..dim).step_by(CO_TILE_A) {
        let x = [col_of(left, a, len), col_of(left, a + 1, len)];
        for b in ((a / CO_TILE_B) * CO_TILE_B..full).step_by(CO_TILE_B) {
            let t = tile4(
                x,
                [
                    col_of(right, b, len),
                    col_of(right, b + 1, len),
                    col_of(right, b + 2, len),
                    col_of(right, b + 3, len),
                ],
            );
            put_tile(tiles, pad, a, b, &t);
        }
        for b in full..dim {
            let t = tile1(x, col_of(right, b, len));
            put_tile(tiles, pad, a, b, &[[t[0]], [t[1]]]);
        }
    }
}

/// Column `j` of a block's scratch (columns [`CO_BLOCK`] apart), its first `len` rows.
#[inline(always)]
fn col_of(m: &[f64], j: usize, len: usize) -> &[f64] {
    m.get(j * CO_BLOCK..j * CO_BLOCK + len).unwrap_or(&[])
}

/// Writes a 2 × `W` tile at rows `a`, `a + 1` and columns `b..b + W`.
#[inline(always)]
fn put_tile<const W: usize>(tiles: &mut [f64], pad: usize, a: usize, b: usize, t: &[[f64; W]; 2]) {
    for (i, row) in t.iter().enumerate() {
        for (j, &v) in row.iter().enumerate() {
            if let Some(o) = tiles.get_mut((a + i) * pad + b + j) {
                *o = v;
            }
        }
    }
}

/// [`tile`] with explicit AVX2 vectors: each accumulator is one 4-lane register, a product then a
/// sum per lane (no fused multiply-add), so every lane sees the operations of [`tile`] in its
/// order and the result has the same bits. Left to itself the compiler shuffles lanes across
/// accumulators here and runs several times slower.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[allow(unsafe_code)] // unaligned loads and a store of four-lane arrays
fn tile_avx2(x: [&[f64]; 2], y: [&[f64]; 4]) -> [[f64; 4]; 2] {
    use std::arch::x86_64::{
        __m256d, _mm256_add_pd, _mm256_loadu_pd, _mm256_mul_pd, _mm256_setzero_pd, _mm256_storeu_pd,
    };
    let len = x[0].len();
    if x.iter().chain(&y).any(|c| c.len() != len) {
        return [[0.0; 4]; 2];
    }
    let (x0, xr0) = x[0].as_chunks::<4>();
    let (x1, xr1) = x[1].as_chunks::<4>();
    let (y0, yr0) = y[0].as_chunks::<4>();
    let (y1, yr1) = y[1].as_chunks::<4>();
    let (y2, yr2) = y[2].as_chunks::<4>();
    let (y3, yr3) = y[3].as_chunks::<4>();
    let zero = _mm256_setzero_pd();
    let [mut a00, mut a01, mut a02, mut a03] = [zero; 4];
    let [mut a10, mut a11, mut a12, mut a13] = [zero; 4];
    let rows = x0
        .iter()
        .zip(x1)
        .zip(y0.iter().zip(y1))
        .zip(y2.iter().zip(y3));
    for (((p, q), (r0, r1)), (r2, r3)) in rows {
        // SAFETY: each `&[f64; 4]` is valid for reading four consecutive f64; the loads need no
        // alignment.
        let (p, q, r0, r1, r2, r3) = unsafe {
            (
                _mm256_loadu_pd(p.as_ptr()),
                _mm256_loadu_pd(q.as_ptr()),
                _mm256_loadu_pd(r0.as_ptr()),
                _mm256_loadu_pd(r1.as_ptr()),
                _mm256_loadu_pd(r2.as_ptr()),
                _mm256_loadu_pd(r3.as_ptr()),
            )
        };
        a00 = _mm256_add_pd(a00, _mm256_mul_pd(p, r0));
        a01 = _mm256_add_pd(a01, _mm256_mul_pd(p, r1));
        a02 = _mm256_add_pd(a02, _mm256_mul_pd(p, r2));
        a03 = _mm256_add_pd(a03, _mm256_mul_pd(p, r3));
        a10 = _mm256_add_pd(a10, _mm256_mul_pd(q, r0));
        a11 = _mm256_add_pd(a11, _mm256_mul_pd(q, r1));
        a12 = _mm256_add_pd(a12, _mm256_mul_pd(q, r2));
        a13 = _mm256_add_pd(a13, _mm256_mul_pd(q, r3));
    }
    let acc: [__m256d; 8] = [a00, a01, a02, a03, a10, a11, a12, a13];
    let xr = [xr0, xr1];
    let yr = [yr0, yr1, yr2, yr3];
    let mut out = [[0.0; 4]; 2];
    for i in 0..2 {
        for j in 0..4 {
            let mut a = [0.0f64; 4];
            // SAFETY: `a` is four writable f64; the store needs no alignment.
            unsafe { _mm256_storeu_pd(a.as_mut_ptr(), acc[i * 4 + j]) };
            let tail: f64 = xr[i].iter().zip(yr[j]).map(|(u, v)| u * v).sum();
            out[i][j] = (a[0] + a[1]) + (a[2] + a[3]) + tail;
        }
    }
    out
}

/// [`edge_tile`] with explicit AVX2 vectors, as [`tile_avx2`] is [`tile`].
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[allow(unsafe_code)] // unaligned loads and a store of four-lane arrays
fn edge_tile_avx2(x: [&[f64]; 2], y: &[f64]) -> [f64; 2] {
    use std::arch::x86_64::{
        _mm256_add_pd, _mm256_loadu_pd, _mm256_mul_pd, _mm256_setzero_pd, _mm256_storeu_pd,
    };
    let len = y.len();
    if x.iter().any(|c| c.len() != len) {
        return [0.0; 2];
    }
    let (x0, xr0) = x[0].as_chunks::<4>();
    let (x1, xr1) = x[1].as_chunks::<4>();
    let (y0, yr) = y.as_chunks::<4>();
    let [mut a0, mut a1] = [_mm256_setzero_pd(); 2];
    for ((p, q), r) in x0.iter().zip(x1).zip(y0) {
        // SAFETY: each `&[f64; 4]` is valid for reading four consecutive f64; the loads need no
        // alignment.
        let (p, q, r) = unsafe {
            (
                _mm256_loadu_pd(p.as_ptr()),
                _mm256_loadu_pd(q.as_ptr()),
                _mm256_loadu_pd(r.as_ptr()),
            )
        };
        a0 = _mm256_add_pd(a0, _mm256_mul_pd(p, r));
        a1 = _mm256_add_pd(a1, _mm256_mul_pd(q, r));
    }
    let xr = [xr0, xr1];
    let mut out = [0.0; 2];
    for (i, acc) in [a0, a1].into_iter().enumerate() {
        let mut a = [0.0f64; 4];
        // SAFETY: `a` is four writable f64; the store needs no alignment.
        unsafe { _mm256_storeu_pd(a.as_mut_ptr(), acc) };
        let tail: f64 = xr[i].iter().zip(yr).map(|(u, v)| u * v).sum();
        out[i] = (a[0] + a[1]) + (a[2] + a[3]) + tail;
    }
    out
}

/// The portable build of the kernel: the fallback without AVX2, and the reference of the tests.
#[inline(always)]
fn cross_tiles_plain(
    left: &[f64],
    right: &[f64],
    len: usize,
    dim: usize,
    pad: usize,
    tiles: &mut [f64],
) {
    cross_tiles_by(left, right, len, dim, pad, tiles, tile, edge_tile);
}

/// A 2 × 1 tile: one column's dot products with two, four rows per lane as in [`tile`].
#[inline(always)]
fn edge_tile(x: [&[f64]; 2], y: &[f64]) -> [f64; 2] {
    let len = y.len();
    if x.iter().any(|c| c.len() != len) {
        return [0.0; 2];
    }
    let (x0, xr0) = x[0].as_chunks::<4>();
    let (x1, xr1) = x[1].as_chunks::<4>();
    let (y0, yr) = y.as_chunks::<4>();
    let mut acc = [[0.0f64; 4]; 2];
    let [a0, a1] = &mut acc;
    for ((p, q), r) in x0.iter().zip(x1).zip(y0) {
        madd(a0, p, r);
        madd(a1, q, r);
    }
    let mut out = [0.0; 2];
    for ((o, a), xr) in out.iter_mut().zip(&acc).zip([xr0, xr1]) {
        let tail: f64 = xr.iter().zip(yr).map(|(u, v)| u * v).sum();
        *o = (a[0] + a[1]) + (a[2] + a[3]) + tail;
    }
    out
}

/// `acc += a · b`, lane by lane.
#[inline(always)]
fn madd(acc: &mut [f64; 4], a: &[f64; 4], b: &[f64; 4]) {
    for l in 0..4 {
        acc[l] += a[l] * b[l];
    }
}

/// A 2 × 4 tile of dot products, four rows per lane: eight running vectors, six loads per four rows.
#[inline(always)]
fn tile(x: [&[f64]; 2], y: [&[f64]; 4]) -> [[f64; 4]; 2] {
    let len = x[0].len();
    if x.iter().chain(&y).any(|c| c.len() != len) {
        return [[0.0; 4]; 2];
    }
    let (x0, xr0) = x[0].as_chunks::<4>();
    let (x1, xr1) = x[1].as_chunks::<4>();
    let (y0, yr0) = y[0].as_chunks::<4>();
    let (y1, yr1) = y[1].as_chunks::<4>();
    let (y2, yr2) = y[2].as_chunks::<4>();
    let (y3, yr3) = y[3].as_chunks::<4>();
    let m = x0.len();
    let (x1, y0, y1, y2, y3) = (&x1[..m], &y0[..m], &y1[..m], &y2[..m], &y3[..m]);
    // Eight named accumulators of four lanes each: the shape the vectoriser maps to eight registers.
    let mut acc = [[0.0f64; 4]; 8];
    let [a00, a01, a02, a03, a10, a11, a12, a13] = &mut acc;
    for k in 0..m {
        let (p, q) = (&x0[k], &x1[k]);
        let (r0, r1, r2, r3) = (&y0[k], &y1[k], &y2[k], &y3[k]);
        madd(a00, p, r0);
        madd(a01, p, r1);
        madd(a02, p, r2);
        madd(a03, p, r3);
        madd(a10, q, r0);
        madd(a11, q, r1);
        madd(a12, q, r2);
        madd(a13, q, r3);
    }
    let xr = [xr0, xr1];
    let yr = [yr0, yr1, yr2, yr3];
    let mut out = [[0.0; 4]; 2];
    for i in 0..2 {
        for j in 0..4 {
            let a = &acc[i * 4 + j];
            let tail: f64 = xr[i].iter().zip(yr[j]).map(|(u, v)| u * v).sum();
            out[i][j] = (a[0] + a[1]) + (a[2] + a[3]) + tail;
        }
    }
    out
}

/// The logistic function `1 / (1 + e^−η)`, without overflow for large |η|.
#[inline]
pub(crate) fn sigmoid(eta: f64) -> f64 {
    if eta >= 0.0 {
        1.0 / (1.0 + (-eta).exp())
    } else {
        let e = eta.exp();
        e / (1.0 + e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn solves_spd() -> Result<(), usize> {
        let a = [4.0, 2.0, 2.0, 3.0];
        let l = cholesky(&a, 2)?;
        let inv = chol_inverse(&l, 2);
        // inverse of [[4,2],[2,3]] is [[3,-2],[-2,4]]/8
        let want = [0.375, -0.25, -0.25, 0.5];
        for (x, y) in inv.iter().zip(want) {
            assert!((x - y).abs() < 1e-15);
        }
        assert_eq!(cholesky(&[1.0, 1.0, 1.0, 1.0], 2), Err(1));
        // full rank: z' A^-1 z
        let q = pinv_quadratic_form(&a, 2, &[1.0, 2.0]);
        assert!((q - (0.375 - 4.0 * 0.25 + 4.0 * 0.5)).abs() < 1e-14);
        // rank one [[1,-1],[-1,1]]/4: pinv = [[1,-1],[-1,1]]; z = (1,-1) gives 4
        let q = pinv_quadratic_form(&[0.25, -0.25, -0.25, 0.25], 2, &[1.0, -1.0]);
        assert!((q - 4.0).abs() < 1e-14);
        Ok(())
    }

    #[test]
    fn eigen_reconstructs() {
        // A 4 x 4 correlation-like matrix: V diag(values) V' gives it back, V is orthonormal, and the
        // values are those of numpy.linalg.eigvalsh to 1e-14.
        let a = [
            1.0, 0.5, 0.3, -0.2, 0.5, 1.0, 0.4, 0.1, 0.3, 0.4, 1.0, 0.25, -0.2, 0.1, 0.25, 1.0,
        ];
        let p = 4;
        let (values, v) = sym_eigen(&a, p);
        for i in 0..p {
            for j in 0..p {
                let back: f64 = (0..p)
                    .map(|k| v[i * p + k] * values[k] * v[j * p + k])
                    .sum();
                assert!((back - a[i * p + j]).abs() < 1e-14, "A[{i}][{j}]");
                let dot: f64 = (0..p).map(|k| v[k * p + i] * v[k * p + j]).sum();
                assert!(
                    (dot - f64::from(u8::from(i == j))).abs() < 1e-14,
                    "V'V[{i}][{j}]"
                );
            }
        }
        let mut sorted = values.clone();
        sorted.sort_by(f64::total_cmp);
        // numpy.linalg.eigvalsh of the matrix above
        let want = [
            0.4172231624407511,
            0.5711588031287146,
            1.1977661129974495,
            1.813851921433085,
        ];
        for (x, y) in sorted.iter().zip(want) {
            assert!((x - y).abs() < 1e-14, "{x} vs {y}");
        }
        assert!((values.iter().sum::<f64>() - 4.0).abs() < 1e-14);
    }
}

#[cfg(test)]
mod co_moment_tests {
    use super::*;

    /// Weighted co-moments by two plain passes over the rows (the textbook formula).
    /// The columns are shifted by their first value first (exact for these whole-number data), so
    /// the reference itself loses nothing to the offset.
    fn two_pass(cols: &[Vec<f64>], w: &[f64]) -> (f64, Vec<f64>, Vec<f64>) {
        let dim = cols.len();
        let shift: Vec<f64> = cols.iter().map(|c| c[0]).collect();
        let cols: Vec<Vec<f64>> = cols
            .iter()
            .zip(&shift)
            .map(|(c, s)| c.iter().map(|x| x - s).collect())
            .collect();
        let total: f64 = w.iter().sum();
        let mean: Vec<f64> = cols
            .iter()
            .map(|c| c.iter().zip(w).map(|(x, w)| x * w).sum::<f64>() / total)
            .collect();
        let mut cross = vec![0.0; dim * dim];
        for a in 0..dim {
            for b in 0..dim {
                cross[a * dim + b] = (0..w.len())
                    .map(|i| w[i] * (cols[a][i] - mean[a]) * (cols[b][i] - mean[b]))
                    .sum();
            }
        }
        let mean = mean.iter().zip(&shift).map(|(m, s)| m + s).collect();
        (total, mean, cross)
    }

    #[test]
    fn co_moments_match_two_passes_for_any_shape_weights_and_offset() {
        let mut s = 0x2545_F491_4F6C_DD1Du64;
        let mut next = move || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s >> 11) as f64 / (1u64 << 53) as f64
        };
        // Row counts across block and task boundaries, column counts across tile widths.
        for (n, dim) in [
            (1usize, 1usize),
            (5, 2),
            (511, 3),
            (513, 5),
            (8192, 8),
            (9000, 13),
            (20_000, 21),
        ] {
            for offset in [0.0, 1e8] {
                let cols: Vec<Vec<f64>> = (0..dim)
                    .map(|j| {
                        (0..n)
                            .map(|_| offset + (next() * 5.0).round() + j as f64)
                            .collect()
                    })
                    .collect();
                let w: Vec<f64> = (0..n).map(|_| next() * 2.0).collect();
                let counts: Vec<u32> = (0..n).map(|_| (next() * 3.0) as u32).collect();
                let wc: Vec<f64> = w
                    .iter()
                    .zip(&counts)
                    .map(|(w, &c)| w * f64::from(c))
                    .collect();
                let refs: Vec<&[f64]> = cols.iter().map(Vec::as_slice).collect();
                let ones = vec![1.0; n];
                for (rw, weights) in [
                    (
                        RowWeights {
                            weights: None,
                            counts: None,
                        },
                        &ones,
                    ),
                    (
                        RowWeights {
                            weights: Some(&w),
                            counts: None,
                        },
                        &w,
                    ),
                    (
                        RowWeights {
                            weights: Some(&w),
                            counts: Some(&counts),
                        },
                        &wc,
                    ),
                ] {
                    let got = co_moments(&refs, rw, false);
                    let (total, mean, cross) = two_pass(&cols, weights);
                    if total == 0.0 {
                        // every weight zero: nothing to average
                        assert_eq!(got.weight, 0.0);
                        continue;
                    }
                    assert!((got.weight - total).abs() <= 1e-12 * total);
                    for a in 0..dim {
                        assert!(
                            (got.mean[a] - mean[a]).abs() <= 1e-12 * mean[a].abs().max(1.0),
                            "n {n} dim {dim}: {} vs {}",
                            got.mean[a],
                            mean[a]
                        );
                        for b in 0..dim {
                            let (g, t) = (got.cross[a * dim + b], cross[a * dim + b]);
                            let scale =
                                (cross[a * dim + a] * cross[b * dim + b]).sqrt().max(1e-300);
                            assert!(
                                (g - t).abs() <= 1e-12 * scale,
                                "n {n} dim {dim} [{a}][{b}]: {g} vs {t}"
                            );
                        }
                    }
                    // The same bits whether tasks run on threads or not.
                    assert_eq!(co_moments(&refs, rw, true), got);
                }
            }
        }
    }

    fn scratch(dim: usize, weighted: bool) -> CoScratch {
        let pad = dim.div_ceil(CO_TILE_B) * CO_TILE_B;
        CoScratch {
            z: vec![0.0; pad * CO_BLOCK],
            zw: if weighted {
                vec![0.0; pad * CO_BLOCK]
            } else {
                Vec::new()
            },
            w: vec![0.0; CO_BLOCK],
            tiles: vec![0.0; pad * pad],
            pad,
        }
    }

    /// The block pass before its loops were fused (four passes per column, the portable kernel).
    fn co_block_reference(
        cols: &[&[f64]],
        shift: &[f64],
        rw: RowWeights<'_>,
        lo: usize,
        hi: usize,
        s: &mut CoScratch,
    ) -> Option<CoMoments> {
        let dim = cols.len();
        let len = hi - lo;
        let weighted = rw.weights.is_some() || rw.counts.is_some();
        let w = &mut s.w[..len];
        let weight = if weighted {
            for (k, slot) in w.iter_mut().enumerate() {
                let c = rw.counts.map_or(1.0, |c| f64::from(c[lo + k]));
                *slot = rw.weights.map_or(c, |ws| c * ws[lo + k]);
            }
            lane_sum(w)
        } else {
            len as f64
        };
        if !(weight > 0.0) {
            return None;
        }
        let mut mean = vec![0.0; dim];
        for (a, col) in cols.iter().enumerate() {
            let x = &col[lo..hi];
            let c = shift[a];
            let z = &mut s.z[a * CO_BLOCK..a * CO_BLOCK + len];
            for (zv, &xv) in z.iter_mut().zip(x) {
                *zv = xv - c;
            }
            let m = if weighted { dot(w, z) } else { lane_sum(z) } / weight;
            mean[a] = m;
            for zv in z.iter_mut() {
                *zv -= m;
            }
            if weighted {
                let zw = &mut s.zw[a * CO_BLOCK..a * CO_BLOCK + len];
                for ((o, &zv), &wv) in zw.iter_mut().zip(z.iter()).zip(w.iter()) {
                    *o = wv * zv;
                }
            }
        }
        let left = if weighted { &s.zw } else { &s.z };
        cross_tiles_plain(left, &s.z, len, dim, s.pad, &mut s.tiles);
        // The corrected two-pass formula: the residuals Σ w (x − m̂) of the rounded means m̂ (zero in
        // exact arithmetic) fix the means and the cross-products, Σ w (x − m)(y − m') =
        // Σ w (x − m̂)(y − m̂') − r r' / W, so data far from zero lose nothing.
        let resid: Vec<f64> = (0..dim)
            .map(|a| lane_sum(&left[a * CO_BLOCK..a * CO_BLOCK + len]))
            .collect();
        let mut cross = vec![0.0; dim * dim];
        for a in 0..dim {
            mean[a] += resid[a] / weight;
            for b in a..dim {
                cross[a * dim + b] = s.tiles[a * s.pad + b] - resid[a] * resid[b] / weight;
            }
        }
        Some(CoMoments {
            weight,
            mean,
            cross,
        })
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]

        /// The kernel the CPU runs (AVX2 where it has it) gives the portable kernel's bits.
        #[test]
        fn cross_tiles_match_the_portable_kernel(
            cols in 1usize..12,
            len in 0usize..=CO_BLOCK,
            seed in proptest::prelude::any::<u64>(),
        ) {
            let pad = cols.div_ceil(CO_TILE_B) * CO_TILE_B;
            let mut s = seed | 1;
            let left: Vec<f64> = (0..pad * CO_BLOCK)
                .map(|_| {
                    s ^= s << 13;
                    s ^= s >> 7;
                    s ^= s << 17;
                    (s >> 11) as f64 / (1u64 << 40) as f64 - 4096.0
                })
                .collect();
            let right: Vec<f64> = left.iter().rev().map(|v| v * 1.25 + 0.1).collect();
            let mut got = vec![0.0; pad * pad];
            let mut want = vec![0.0; pad * pad];
            cross_tiles(&left, &right, len, cols, pad, &mut got);
            cross_tiles_plain(&left, &right, len, cols, pad, &mut want);
            let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            proptest::prop_assert_eq!(bits(&got), bits(&want));
        }

        /// The fused block pass gives the bits of the four separate passes it replaced, with and
        /// without weights, for any block length and column count.
        #[test]
        fn co_block_matches_the_unfused_passes(
            dim in 1usize..10,
            len in 1usize..=CO_BLOCK,
            offset in proptest::prelude::prop_oneof![proptest::prelude::Just(0.0), proptest::prelude::Just(1e7)],
            weighted in proptest::prelude::any::<bool>(),
            seed in proptest::prelude::any::<u64>(),
        ) {
            let mut s = seed | 1;
            let mut next = move || {
                s ^= s << 13;
                s ^= s >> 7;
                s ^= s << 17;
                (s >> 11) as f64 / (1u64 << 53) as f64
            };
            let n = len + 37;
            let cols: Vec<Vec<f64>> = (0..dim)
                .map(|j| (0..n).map(|_| offset + next() * 7.0 + j as f64).collect())
                .collect();
            let w: Vec<f64> = (0..n).map(|_| next() * 2.0).collect();
            let counts: Vec<u32> = (0..n).map(|_| (next() * 3.0) as u32).collect();
            let refs: Vec<&[f64]> = cols.iter().map(Vec::as_slice).collect();
            let shift: Vec<f64> = refs.iter().map(|c| c[0] - 0.5).collect();
            let rw = if weighted {
                RowWeights { weights: Some(&w), counts: Some(&counts) }
            } else {
                RowWeights { weights: None, counts: None }
            };
            let (lo, hi) = (37 / 2, 37 / 2 + len);
            let got = co_block(&refs, &shift, rw, lo, hi, &mut scratch(dim, weighted));
            let want = co_block_reference(&refs, &shift, rw, lo, hi, &mut scratch(dim, weighted));
            let bits = |m: &Option<CoMoments>| {
                m.as_ref().map(|m| {
                    std::iter::once(m.weight)
                        .chain(m.mean.iter().copied())
                        .chain(m.cross.iter().copied())
                        .map(f64::to_bits)
                        .collect::<Vec<_>>()
                })
            };
            proptest::prop_assert_eq!(bits(&got), bits(&want));
        }
    }
}
