//! Unit tests of the ranking and counting internals.

use super::kendall::inversions;
use super::rank::{centred_ranks, dense_by_counting, dense_ranks, tie_cubes};
use super::*;

#[test]
fn radix_matches_comparison_sort() {
    let x: Vec<f64> = (0..5000)
        .map(|i| ((i * 7919) % 5003) as f64 * if i % 3 == 0 { -0.37 } else { 1.1 })
        .chain([0.0, -0.0, 1e300, -1e300, 5e-324])
        .collect();
    let d = dense_ranks(&x);
    let mut sorted = x.clone();
    sorted.sort_by(f64::total_cmp);
    sorted.dedup_by(|a, b| a == b);
    assert_eq!(d.counts.len(), sorted.len());
    for (i, &v) in x.iter().enumerate() {
        let r = sorted.partition_point(|&s| s < v);
        assert_eq!(d.dense[i] as usize, r, "value {v}");
    }
}

#[test]
fn radix_fix_up_sorts_long_runs_of_equal_high_bits() {
    // 1e6 + tiny steps: the high 33 bits agree for thousands of keys.
    let x: Vec<f64> = (0..6000)
        .map(|i| 1e6 + ((i * 4099) % 6007) as f64 * 1e-9)
        .collect();
    let d = dense_ranks(&x);
    let mut sorted = x.clone();
    sorted.sort_by(f64::total_cmp);
    for (i, &v) in x.iter().enumerate() {
        assert_eq!(d.dense[i] as usize, sorted.partition_point(|&s| s < v));
    }
}

#[test]
fn counting_path_matches_sort_path() {
    let x: Vec<f64> = (0..3000).map(|i| ((i * 31) % 11) as f64).collect();
    let a = dense_by_counting(&x).map(|d| d.dense);
    let keys: Vec<f64> = x.iter().map(|v| v + 0.5).collect(); // fractional: sort path
    assert!(dense_by_counting(&keys).is_none());
    assert_eq!(a, Some(dense_ranks(&keys).dense));
}

#[test]
fn centred_ranks_are_doubled_average_ranks_less_n_plus_one() -> Result<()> {
    let continuous: Vec<f64> = (0..5000)
        .map(|i| ((i * 7919) % 1009) as f64 * 0.37)
        .collect();
    let likert: Vec<f64> = (0..5000).map(|i| ((i * 31) % 11) as f64).collect();
    for x in [continuous, likert] {
        let n = x.len() as f64;
        let c = centred_ranks(&x);
        let a = average_ranks(&x)?;
        for (&ci, &ai) in c.r.iter().zip(&a) {
            assert_eq!(f64::from(ci), 2.0 * ai - n - 1.0);
        }
        assert_eq!(c.ties, tie_cubes(&dense_ranks(&x).counts));
    }
    Ok(())
}

#[test]
fn pearson_survives_huge_and_tiny_values() -> Result<()> {
    let x = [1.0, 2.0, 3.0, 4.0, 5.0];
    let y = [2.0, 1.0, 4.0, 3.0, 5.0];
    for scale in [1e200, 1e-200, 1e300] {
        let xs: Vec<f64> = x.iter().map(|v| v * scale).collect();
        let r = pearson(&xs, &y, &CorrelationOptions::default())?;
        assert!(
            (r.estimate - 0.8).abs() < 1e-12,
            "scale {scale}: {}",
            r.estimate
        );
    }
    Ok(())
}

#[test]
fn inversions_count_strict_pairs() {
    let mut v = vec![3, 1, 2, 2, 0, 5, 4, 4, 1, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 0];
    let brute = v
        .iter()
        .enumerate()
        .flat_map(|(i, a)| v.iter().skip(i + 1).map(move |b| u64::from(a > b)))
        .sum::<u64>();
    let mut buf = vec![0; v.len()];
    assert_eq!(inversions(&mut v, &mut buf), brute);
    assert!(v.windows(2).all(|w| w[0] <= w[1]));
}

#[test]
fn nan_is_missing_and_skip_leaves_out_pairs_or_rows() {
    use crate::MissingPolicy;
    let x = [1.0, 2.0, f64::NAN, 4.0, 5.0, 6.0];
    let y = [2.0, 1.0, 3.0, 3.0, f64::NAN, 6.0];
    for method in [
        CorrelationMethod::Pearson,
        CorrelationMethod::Spearman,
        CorrelationMethod::Kendall,
    ] {
        let o = CorrelationOptions::default().method(method);
        assert!(matches!(
            correlate(&x, &y, &o),
            Err(Error::Missing { arg: "x", index: 2 })
        ));
        let s = correlate(&x, &y, &o.missing(MissingPolicy::Skip)).unwrap();
        let whole = correlate(&[1.0, 2.0, 4.0, 6.0], &[2.0, 1.0, 3.0, 6.0], &o).unwrap();
        assert_eq!((s.n, s.n_missing), (4, 2));
        assert_eq!(s.estimate.to_bits(), whole.estimate.to_bits());
        assert_eq!(s.p_value.to_bits(), whole.p_value.to_bits());
    }
    let inf = [1.0, f64::INFINITY, 3.0, 4.0];
    let o = CorrelationOptions::default().missing(MissingPolicy::Skip);
    assert!(matches!(
        correlate(&inf, &[1.0, 2.0, 3.0, 4.0], &o),
        Err(Error::NonFinite { .. })
    ));
    // Matrices: listwise drops a row missing in any column; pairwise pair by pair.
    let z = [3.0, 1.0, 2.0, 5.0, 4.0, 6.0];
    let data = ndarray::Array2::from_shape_fn((6, 3), |(i, j)| [x[i], y[i], z[i]][j]);
    let names = ["x", "y", "z"];
    let pair = correlation_matrix(data.view(), &names, &o).unwrap();
    let list = correlation_matrix(data.view(), &names, &o.listwise(true)).unwrap();
    assert_eq!((pair.n_missing, pair.n[[1, 2]]), (0, 5));
    assert_eq!((list.n_missing, list.n[[1, 2]], list.n[[2, 2]]), (2, 4, 4));
    let rows = [0, 1, 3, 5];
    let yz = correlate(
        &rows.map(|i| y[i]),
        &rows.map(|i| z[i]),
        &CorrelationOptions::default(),
    )
    .unwrap();
    assert_eq!(list.estimate[[1, 2]].to_bits(), yz.estimate.to_bits());
}

/// Kendall's τ-b by counting every pair, O(n²): the reference for the fast paths.
fn brute_kendall(x: &[f64], y: &[f64]) -> f64 {
    let (mut s, mut tx, mut ty) = (0i64, 0i64, 0i64);
    let n = x.len();
    for i in 0..n {
        for j in i + 1..n {
            let (dx, dy) = (x[i] - x[j], y[i] - y[j]);
            s += (dx * dy).signum() as i64 * i64::from(dx != 0.0 && dy != 0.0);
            tx += i64::from(dx == 0.0);
            ty += i64::from(dy == 0.0);
        }
    }
    let tot = (n * (n - 1) / 2) as f64;
    s as f64 / ((tot - tx as f64).sqrt() * (tot - ty as f64).sqrt())
}

/// A small deterministic generator (xorshift), so the tests need no feature.
fn stream(seed: u64) -> impl FnMut() -> u64 {
    let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    move || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        s
    }
}

#[test]
fn kendall_table_and_sort_paths_equal_brute_force() -> Result<()> {
    use super::kendall::kendall;
    let o = CorrelationOptions::default();
    let mut next = stream(3);
    for (n, kx, ky) in [(50, 11, 5), (400, 3, 7), (333, 2, 2), (257, 40, 1000)] {
        // Likert-like columns (the contingency-table path) and the same values shifted by a
        // fraction, which forces the sort path with the same ties.
        let x: Vec<f64> = (0..n).map(|_| (next() % kx) as f64).collect();
        let y: Vec<f64> = (0..n).map(|_| (next() % ky) as f64 - 3.0).collect();
        let want = brute_kendall(&x, &y);
        let table = kendall(&x, &y, &o)?;
        let xs: Vec<f64> = x.iter().map(|v| v + 0.5).collect();
        let ys: Vec<f64> = y.iter().map(|v| v * 1.25 + 0.1).collect();
        let sorted = kendall(&xs, &ys, &o)?;
        assert!(
            (table.estimate - want).abs() < 1e-12,
            "n {n}: {} vs {want}",
            table.estimate
        );
        assert_eq!(table.estimate.to_bits(), sorted.estimate.to_bits(), "n {n}");
        assert_eq!(table.p_value.to_bits(), sorted.p_value.to_bits(), "n {n}");
        // one column continuous, the other a scale
        let c: Vec<f64> = (0..n).map(|_| (next() % 1_000_000) as f64 / 7.0).collect();
        let mixed = kendall(&x, &c, &o)?;
        assert!((mixed.estimate - brute_kendall(&x, &c)).abs() < 1e-12);
        let mixed = kendall(&c, &y, &o)?;
        assert!((mixed.estimate - brute_kendall(&c, &y)).abs() < 1e-12);
    }
    Ok(())
}

#[test]
fn inversions_of_large_slices_match_a_fenwick_count() {
    // Sizes across the insertion runs, the in-cache leaf and the two-thread split, with ties.
    let mut next = stream(9);
    for (n, range) in [
        (1usize, 5u64),
        (9, 3),
        (8193, 1 << 40),
        (70_001, 1000),
        (140_000, 1 << 20),
        (300_001, 1 << 30),
    ] {
        let v: Vec<u64> = (0..n).map(|_| next() % range).collect();
        // dense codes for the tree
        let mut sorted = v.clone();
        sorted.sort_unstable();
        sorted.dedup();
        let mut tree = vec![0u64; sorted.len() + 1];
        let mut want = 0u64;
        for (seen, x) in v.iter().enumerate() {
            let r = sorted.partition_point(|s| s <= x); // values ≤ x seen so far
            let mut i = r;
            let mut le = 0;
            while i > 0 {
                le += tree[i];
                i &= i - 1;
            }
            want += seen as u64 - le;
            let mut i = sorted.partition_point(|s| s < x) + 1;
            while i < tree.len() {
                tree[i] += 1;
                i += i & i.wrapping_neg();
            }
        }
        let mut w = v.clone();
        let mut buf = vec![0u64; n];
        assert_eq!(inversions(&mut w, &mut buf), want, "n {n}");
        let mut s = v.clone();
        s.sort_unstable();
        assert_eq!(w, s, "n {n}: sorted");
    }
}

#[test]
fn pearson_blocks_agree_with_two_passes_at_any_offset() -> Result<()> {
    // Lengths across block boundaries; data far from zero and nearly collinear (|r| near 1, where
    // the p-value needs every digit of 1 − r).
    let mut next = stream(5);
    for n in [3usize, 7, 2047, 2048, 2049, 10_000, 60_001] {
        for (offset, noise) in [(0.0, 1.0), (1e9, 1.0), (-3e6, 1e-3)] {
            let x: Vec<f64> = (0..n)
                .map(|_| offset + (next() % 1_000_000) as f64 / 1e3)
                .collect();
            let y: Vec<f64> = x
                .iter()
                .map(|v| 2.0 * v + noise * ((next() % 1000) as f64 / 1e3 - 0.5))
                .collect();
            let fast = super::pearson::pearson_r_for_tests(&x, &y, false)?;
            let two = super::pearson::pearson_r_for_tests(&x, &y, true)?;
            assert!(
                (fast - two).abs() <= 4.0 * f64::EPSILON,
                "n {n} offset {offset}: {fast} vs {two}"
            );
        }
    }
    Ok(())
}
