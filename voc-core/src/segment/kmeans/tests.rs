use super::*;
use ndarray::{Array2, ShapeBuilder, s};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn blobs(n: usize, seed: u64) -> Array2<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let v: Vec<f64> = (0..n)
        .flat_map(|i| {
            let c = (i % 4) as f64 * 3.0;
            let a = c + rng.random::<f64>() * 2.0;
            let b = -c + rng.random::<f64>() * 2.0;
            [a, b, rng.random::<f64>()]
        })
        .collect();
    Array2::from_shape_vec((n, 3), v).unwrap_or_default()
}

/// The same matrix as C-ordered, Fortran-ordered, and every other row of a doubled matrix.
fn layouts(x: &Array2<f64>) -> (Array2<f64>, Array2<f64>, Array2<f64>) {
    let (n, p) = x.dim();
    let f = Array2::from_shape_vec((n, p).f(), x.t().iter().copied().collect()).unwrap_or_default();
    let mut big = Array2::zeros((2 * n, p));
    for (i, row) in x.rows().into_iter().enumerate() {
        big.row_mut(2 * i).assign(&row);
        big.row_mut(2 * i + 1).fill(f64::NAN); // never read
    }
    (x.clone(), f, big)
}

#[test]
fn hamerly_equals_lloyd() -> Result<()> {
    let x = blobs(3000, 3);
    let init = kmeans_plusplus(x.view(), 6, 11)?;
    let opts = KMeansOptions::default().k(6);
    let h = kmeans_from(x.view(), init.view(), &opts)?;
    let l = kmeans_from(x.view(), init.view(), &opts.algorithm(Algorithm::Lloyd))?;
    assert_eq!(h.labels, l.labels);
    assert_eq!(h.iterations, l.iterations);
    assert!((h.inertia - l.inertia).abs() <= 1e-9 * l.inertia);
    Ok(())
}

#[test]
fn same_result_in_parallel_and_serial() -> Result<()> {
    let x = blobs(PARALLEL_ROWS + 5000, 5);
    let opts = KMeansOptions::default().k(5);
    let par = kmeans(x.view(), &opts)?;
    let ser = kmeans(x.view(), &opts.parallel(false))?;
    assert_eq!(par, ser); // bit for bit
    Ok(())
}

#[test]
fn empty_cluster_takes_the_farthest_point() -> Result<()> {
    // Centre 2 is far from everything: it loses all points and is moved to the farthest one.
    let x = ndarray::array![[0.0], [1.0], [2.0], [100.0]];
    let init = ndarray::array![[0.5], [1.5], [1000.0]];
    let fit = kmeans_from(x.view(), init.view(), &KMeansOptions::default().k(3))?;
    assert_eq!(fit.labels[3], 2);
    assert_eq!(fit.centers.row(2).to_vec(), vec![100.0]);
    Ok(())
}

#[test]
fn silhouette_takes_any_label_values() -> Result<()> {
    let x = ndarray::array![[0.0], [1.0], [10.0], [11.0]];
    let a = silhouette_score(x.view(), &[0, 0, 1, 1])?;
    assert_eq!(a, silhouette_score(x.view(), &[7, 7, u32::MAX, u32::MAX])?);
    Ok(())
}

#[test]
fn bad_input_is_an_error() {
    let x = ndarray::array![[1.0, f64::INFINITY], [2.0, 3.0]];
    let opts = KMeansOptions::default().k(2);
    assert!(matches!(
        kmeans(x.view(), &opts),
        Err(Error::NonFinite {
            arg: "x",
            index: 0,
            ..
        })
    ));
    assert!(matches!(
        standardize(x.t()),
        Err(Error::NonFinite { index: 1, .. })
    ));
    let x = ndarray::array![[1.0], [2.0]];
    assert!(kmeans(x.view(), &KMeansOptions::default().k(3)).is_err());
    let one = ndarray::array![[0.0]];
    assert!(kmeans_from(x.view(), one.view(), &opts).is_err()); // k rows of init
    let wide = ndarray::array![[0.0, 1.0], [1.0, 2.0]];
    assert!(kmeans_from(x.view(), wide.view(), &opts).is_err()); // columns of init
    let bad = ndarray::array![[0.0], [f64::NAN]];
    assert!(matches!(
        kmeans_from(x.view(), bad.view(), &opts),
        Err(Error::NonFinite {
            arg: "init",
            index: 1,
            ..
        })
    ));
    assert!(kmeans(Array2::<f64>::zeros((3, 0)).view(), &opts).is_err());
    let fit = kmeans(x.view(), &opts);
    assert!(fit.is_ok_and(|f| f.predict(wide.view()).is_err()));
}

#[test]
fn every_layout_gives_identical_results() -> Result<()> {
    let x = blobs(500, 9);
    let (c, f, big) = layouts(&x);
    let strided = big.slice(s![..;2, ..]);
    assert!(!f.is_standard_layout() && !strided.is_standard_layout());
    let views = [c.view(), f.view(), strided];
    let opts = KMeansOptions::default().k(4).n_init(2).seed(3);
    let init = kmeans_plusplus(c.view(), 4, 5)?;
    let init_f = layouts(&init).1;
    let base = kmeans(c.view(), &opts)?;
    let base_from = kmeans_from(c.view(), init.view(), &opts)?;
    let (z, scaling) = standardize(c.view())?;
    let sil = silhouette_score(c.view(), &base.labels)?;
    for (i, v) in views.into_iter().enumerate() {
        assert_eq!(kmeans(v, &opts)?, base, "layout {i}: kmeans");
        assert_eq!(opts.fit(v)?, base, "layout {i}: fit");
        assert_eq!(
            kmeans_from(v, init_f.view(), &opts)?,
            base_from,
            "layout {i}: kmeans_from"
        );
        assert_eq!(kmeans_plusplus(v, 4, 5)?, init, "layout {i}: plusplus");
        assert_eq!(base.predict(v)?, base.labels, "layout {i}: predict");
        let (zv, sv) = standardize(v)?;
        assert_eq!((&zv, &sv), (&z, &scaling), "layout {i}: standardize");
        assert_eq!(scaling.transform(v)?, z, "layout {i}: transform");
        assert_eq!(
            silhouette_score(v, &base.labels)?,
            sil,
            "layout {i}: silhouette"
        );
    }
    Ok(())
}

#[test]
fn large_fortran_input_matches_c_order() -> Result<()> {
    // Above the parallel threshold: blocks of a Fortran-ordered view are read row by row.
    let x = blobs(PARALLEL_ROWS + 100, 2);
    let f = layouts(&x).1;
    let opts = KMeansOptions::default().k(4);
    assert_eq!(kmeans(f.view(), &opts)?, kmeans(x.view(), &opts)?);
    Ok(())
}

#[cfg(feature = "serde")]
#[test]
fn centres_round_trip_through_serde() -> Result<()> {
    let x = blobs(50, 1);
    let fit = kmeans(x.view(), &KMeansOptions::default().k(3))?;
    let json = serde_json::to_string(&fit).unwrap_or_default();
    let back: KMeans = serde_json::from_str(&json).map_err(|e| Error::Decode {
        what: "k-means",
        reason: e.to_string(),
    })?;
    assert_eq!(back, fit);
    Ok(())
}
