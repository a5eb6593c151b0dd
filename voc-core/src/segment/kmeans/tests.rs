use super::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn blobs(n: usize, seed: u64) -> Vec<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..n)
        .flat_map(|i| {
            let c = (i % 4) as f64 * 3.0;
            let a = c + rng.random::<f64>() * 2.0;
            let b = -c + rng.random::<f64>() * 2.0;
            [a, b, rng.random::<f64>()]
        })
        .collect()
}

#[test]
fn hamerly_equals_lloyd() -> Result<()> {
    let x = blobs(3000, 3);
    let p = Points::new(&x, 3)?;
    let init = kmeans_plusplus(p, 6, 11)?;
    let h = kmeans_from(p, &init, &KMeansOptions::new(6))?;
    let l = kmeans_from(
        p,
        &init,
        &KMeansOptions {
            algorithm: Algorithm::Lloyd,
            ..KMeansOptions::new(6)
        },
    )?;
    assert_eq!(h.labels, l.labels);
    assert_eq!(h.iterations, l.iterations);
    assert!((h.inertia - l.inertia).abs() <= 1e-9 * l.inertia);
    Ok(())
}

#[test]
fn same_result_in_parallel_and_serial() -> Result<()> {
    let x = blobs(PARALLEL_ROWS + 5000, 5);
    let p = Points::new(&x, 3)?;
    let par = kmeans(p, &KMeansOptions::new(5))?;
    let ser = kmeans(
        p,
        &KMeansOptions {
            parallel: false,
            ..KMeansOptions::new(5)
        },
    )?;
    assert_eq!(par, ser); // bit for bit
    Ok(())
}

#[test]
fn empty_cluster_takes_the_farthest_point() -> Result<()> {
    // Centre 2 is far from everything: it loses all points and is moved to the farthest one.
    let x = [0.0, 1.0, 2.0, 100.0];
    let fit = kmeans_from(
        Points::new(&x, 1)?,
        &[0.5, 1.5, 1000.0],
        &KMeansOptions::new(3),
    )?;
    assert_eq!(fit.labels[3], 2);
    assert_eq!(fit.center(2), &[100.0]);
    Ok(())
}

#[test]
fn silhouette_takes_any_label_values() -> Result<()> {
    let x = [0.0, 1.0, 10.0, 11.0];
    let p = Points::new(&x, 1)?;
    let a = silhouette_score(p, &[0, 0, 1, 1])?;
    assert_eq!(a, silhouette_score(p, &[7, 7, u32::MAX, u32::MAX])?);
    Ok(())
}

#[test]
fn bad_input_is_an_error() {
    assert!(matches!(
        Points::new(&[1.0, f64::INFINITY, 2.0, 3.0], 2),
        Err(Error::NonFinite { index: 0, .. })
    ));
    assert!(Points::new(&[1.0, 2.0, 3.0], 2).is_err());
    let p = Points::new(&[1.0, 2.0], 1).ok();
    assert!(p.is_some_and(|p| kmeans(p, &KMeansOptions::new(3)).is_err()));
    let p = Points::new(&[1.0, 2.0], 1).ok();
    assert!(p.is_some_and(|p| kmeans_from(p, &[0.0], &KMeansOptions::new(2)).is_err()));
}
