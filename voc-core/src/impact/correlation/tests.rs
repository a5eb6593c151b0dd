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
