//! Unit tests of the key-driver internals: subset R² against brute force, LMG as the Shapley value.

// Tests report failure by panicking.
#![allow(clippy::expect_used)]

use ndarray::ArrayView2;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::*;
use crate::stats::linalg::cholesky;

/// A row-major `dim × dim` matrix as a view.
fn view(c: &[f64], dim: usize) -> ArrayView2<'_, f64> {
    ArrayView2::from_shape((dim, dim), c).expect("dim × dim values")
}

/// R² of every subset by solving the normal equations from scratch.
fn brute_r2(corr: &[f64], p: usize, mask: u32) -> f64 {
    let dim = p + 1;
    let idx: Vec<usize> = (0..p).filter(|j| mask >> j & 1 == 1).collect();
    let k = idx.len();
    if k == 0 {
        return 0.0;
    }
    let a: Vec<f64> = idx
        .iter()
        .flat_map(|&i| idx.iter().map(move |&j| corr[(i + 1) * dim + j + 1]))
        .collect();
    let r: Vec<f64> = idx.iter().map(|&i| corr[i + 1]).collect();
    let l = cholesky(&a, k).unwrap_or_default();
    let mut b = r.clone();
    chol_solve(&l, k, &mut b);
    b.iter().zip(&r).map(|(x, y)| x * y).sum()
}

fn random_corr(p: usize, seed: u64) -> Vec<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let n = 60;
    let f: Vec<f64> = (0..n).map(|_| rng.random_range(-1.0..1.0)).collect();
    let mut cols: Vec<Vec<f64>> = Vec::new();
    for j in 0..=p {
        cols.push(
            (0..n)
                .map(|i| f[i] * (j % 3) as f64 + rng.random_range(-1.0..1.0))
                .collect(),
        );
    }
    let refs: Vec<&[f64]> = cols.iter().map(Vec::as_slice).collect();
    correlation(&refs, None, None, false).unwrap_or_default()
}

#[test]
fn subsets_match_brute_force() -> Result<()> {
    for p in [1, 2, 5, 11, 13] {
        let c = random_corr(p, p as u64);
        let all = subset_r2(view(&c, p + 1))?;
        assert_eq!(all.len(), 1 << p);
        for mask in 0..(1u32 << p) {
            let want = brute_r2(&c, p, mask);
            assert!(
                (all[mask as usize] - want).abs() < 1e-12,
                "p={p} mask={mask}"
            );
        }
    }
    Ok(())
}

#[test]
fn lmg_is_shapley_of_subset_r2() -> Result<()> {
    for p in [2, 4, 12] {
        let c = random_corr(p, 100 + p as u64);
        let all = subset_r2(view(&c, p + 1))?;
        let d = lmg_from_matrix(view(&c, p + 1))?;
        let fact = |k: usize| (1..=k).map(|x| x as f64).product::<f64>();
        for j in 0..p {
            let mut want = 0.0;
            for mask in 0..(1u32 << p) {
                if mask >> j & 1 == 0 {
                    let s = mask.count_ones() as usize;
                    let w = fact(s) * fact(p - s - 1) / fact(p);
                    want += w * (all[(mask | 1 << j) as usize] - all[mask as usize]);
                }
            }
            assert!((d.importance[j] - want).abs() < 1e-12, "p={p} j={j}");
        }
        assert!((d.importance.iter().sum::<f64>() - d.r2).abs() < 1e-12);
    }
    Ok(())
}

#[test]
fn johnson_sums_to_r2() -> Result<()> {
    let c = random_corr(6, 9);
    let d = relative_weights_from_matrix(view(&c, 7))?;
    let l = lmg_from_matrix(view(&c, 7))?;
    assert!((d.r2 - l.r2).abs() < 1e-12);
    assert!((d.importance.iter().sum::<f64>() - d.r2).abs() < 1e-12);
    Ok(())
}

#[test]
fn bad_matrices() {
    assert!(lmg_from_matrix(view(&[1.0], 1)).is_err());
    let wide = [1.0, 0.5, 0.5, 0.5, 1.0, 0.5];
    let not_square = ArrayView2::from_shape((2, 3), &wide[..]);
    assert!(not_square.is_ok_and(|m| lmg_from_matrix(m).is_err()));
    assert!(lmg_from_matrix(view(&[1.0, f64::NAN, 0.5, 1.0], 2)).is_err());
    assert!(lmg_from_matrix(view(&[1.0, 0.5, 0.4, 1.0], 2)).is_err()); // not symmetric
    assert!(lmg_from_matrix(view(&[1.0, 2.0, 2.0, 1.0], 2)).is_err()); // not PSD
    // two identical drivers
    let c = [1.0, 0.5, 0.5, 0.5, 1.0, 1.0, 0.5, 1.0, 1.0];
    let e = lmg_from_matrix(view(&c, 3))
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(e.contains("driver 2") && e.contains("collinear"), "{e}");
}

#[test]
fn ranks_share_ties() {
    assert_eq!(ranks(&[0.1, 0.3, 0.3, 0.2]), vec![4, 1, 1, 3]);
}

#[test]
fn columns_entry_point_equals_the_matrix_one() -> Result<()> {
    let mut rng = ChaCha8Rng::seed_from_u64(17);
    let (n, p) = (9_000, 5);
    let f: Vec<f64> = (0..n).map(|_| rng.random_range(-1.0..1.0)).collect();
    let cols: Vec<Vec<f64>> = (0..p)
        .map(|j| {
            (0..n)
                .map(|i| (3.0 + 2.0 * f[i] * (j % 3) as f64 + rng.random_range(-1.5..1.5)).round())
                .collect()
        })
        .collect();
    let mut y: Vec<f64> = (0..n)
        .map(|i| (5.0 + 3.0 * f[i] + cols[0][i]).round())
        .collect();
    let w: Vec<f64> = (0..n).map(|_| rng.random_range(0.0..2.0)).collect();
    let names = ["a", "b", "c", "d", "e"];
    let x = ndarray::Array2::from_shape_fn((n, p), |(i, j)| cols[j][i]);
    let refs: Vec<&[f64]> = cols.iter().map(Vec::as_slice).collect();
    for method in [DriverMethod::Lmg, DriverMethod::Johnson, DriverMethod::Both] {
        let opts = KeyDriverOptions::default().method(method);
        for weights in [None, Some(&w[..])] {
            let want = key_drivers(&y, x.view(), &names, weights, &opts)?;
            assert_eq!(
                key_drivers_columns(&y, &refs, &names, weights, &opts)?,
                want
            );
        }
    }
    // A missing outcome is skipped alike; a short column is a length error naming the drivers.
    y[17] = f64::NAN;
    let opts = KeyDriverOptions::default().missing(MissingPolicy::Skip);
    let want = key_drivers(&y, x.view(), &names, None, &opts)?;
    assert_eq!(want.missing, 1);
    assert_eq!(key_drivers_columns(&y, &refs, &names, None, &opts)?, want);
    let short = [&cols[0][..n - 1]];
    assert!(matches!(
        key_drivers_columns(&y, &short, &["a"], None, &opts),
        Err(Error::LengthMismatch { arg: "drivers", .. })
    ));
    Ok(())
}

#[test]
fn correlation_of_data_far_from_zero_matches_the_centred_data() -> Result<()> {
    // The blocked one-pass moments shift each column by its first block's mean: an offset of 1e9
    // changes nothing but the last bits.
    let mut rng = ChaCha8Rng::seed_from_u64(4);
    let n = 20_000;
    let a: Vec<f64> = (0..n)
        .map(|_| rng.random_range(1.0..5.0_f64).round())
        .collect();
    let b: Vec<f64> = a
        .iter()
        .map(|v| v + rng.random_range(-2.0..2.0_f64).round())
        .collect();
    let far: Vec<f64> = b.iter().map(|v| v + 1e9).collect();
    let near = correlation(&[&a, &b], None, None, true)?;
    let off = correlation(&[&a, &far], None, None, true)?;
    assert!(
        (near[1] - off[1]).abs() < 1e-13,
        "{} vs {}",
        near[1],
        off[1]
    );
    Ok(())
}
