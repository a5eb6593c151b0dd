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
    let h = kmeans_from(
        x.view(),
        init.view(),
        &opts.clone().algorithm(Algorithm::Hamerly),
    )?;
    let l = kmeans_from(x.view(), init.view(), &opts.algorithm(Algorithm::Lloyd))?;
    assert_eq!(h.labels, l.labels);
    assert_eq!(h.iterations, l.iterations);
    assert!((h.inertia - l.inertia).abs() <= 1e-9 * l.inertia);
    assert_eq!(
        (h.algorithm, l.algorithm),
        (Some(Algorithm::Hamerly), Some(Algorithm::Lloyd))
    );
    Ok(())
}

#[test]
fn auto_is_the_algorithm_it_resolves_to() -> Result<()> {
    // Both sides of the boundary in clusters and in columns, serial and parallel, from a given start
    // and from k-means++ starts: the fit is bit for bit the explicit scheme's, which it records.
    for (k, cols, n) in [
        (8, 8, 3000),
        (9, 8, 3000),
        (8, 9, 3000),
        (2, 1, 500),
        (5, 3, PARALLEL_ROWS + 700),
    ] {
        let x = stream(n, cols, k + 1, 17 + k as u64);
        let want = if k <= 8 && cols <= 8 {
            Algorithm::Lloyd
        } else {
            Algorithm::Hamerly
        };
        assert_eq!(Algorithm::Auto.resolve(k, cols), want);
        let opts = KMeansOptions::default().k(k).n_init(2).seed(k as u64);
        assert_eq!(opts.algorithm, Algorithm::Auto);
        let init = kmeans_plusplus(x.view(), k, 3)?;
        let auto = kmeans(x.view(), &opts)?;
        let auto_from = kmeans_from(x.view(), init.view(), &opts)?;
        assert_eq!(auto.algorithm, Some(want));
        let explicit = opts.clone().algorithm(want);
        assert_eq!(auto, kmeans(x.view(), &explicit)?, "k = {k}, cols = {cols}");
        assert_eq!(auto_from, kmeans_from(x.view(), init.view(), &explicit)?);
        // The other scheme gives the same clustering (it only records another name).
        let other = if want == Algorithm::Lloyd {
            Algorithm::Hamerly
        } else {
            Algorithm::Lloyd
        };
        let mut o = kmeans_from(x.view(), init.view(), &opts.algorithm(other))?;
        assert_eq!(o.algorithm, Some(other));
        o.algorithm = Some(want);
        assert_eq!(o, auto_from, "k = {k}, cols = {cols}: {other}");
    }
    Ok(())
}

#[test]
fn algorithm_names_parse_and_errors_list_them() {
    assert_eq!("auto".parse::<Algorithm>().ok(), Some(Algorithm::Auto));
    assert_eq!(
        "hamerly".parse::<Algorithm>().ok(),
        Some(Algorithm::Hamerly)
    );
    assert_eq!(Algorithm::Auto.to_string(), "auto");
    assert_eq!(Algorithm::NAMES, ["auto", "hamerly", "lloyd"]);
    let e = "Auto".parse::<Algorithm>().err().map(|e| e.to_string());
    assert!(
        e.as_deref()
            .is_some_and(|m| m.contains("algorithm") && m.contains("auto, hamerly, lloyd")),
        "{e:?}"
    );
    // An explicit choice is never changed.
    for a in [Algorithm::Hamerly, Algorithm::Lloyd] {
        for (k, cols) in [(1, 1), (8, 8), (64, 32)] {
            assert_eq!(a.resolve(k, cols), a);
        }
    }
    assert_eq!(Algorithm::Auto.resolve(usize::MAX, 1), Algorithm::Hamerly);
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

#[cfg(feature = "serde")]
#[test]
fn options_and_models_serialised_before_auto_still_load() -> Result<()> {
    let decode = |e: serde_json::Error| Error::Decode {
        what: "k-means",
        reason: e.to_string(),
    };
    // Options written when Hamerly was the default name their scheme; it loads unchanged.
    let old = r#"{"k":3,"n_init":1,"max_iter":300,"tol":0.0001,"seed":0,"algorithm":"Hamerly","parallel":true}"#;
    let opts: KMeansOptions = serde_json::from_str(old).map_err(decode)?;
    assert_eq!(
        opts,
        KMeansOptions::default().k(3).algorithm(Algorithm::Hamerly)
    );
    let json = serde_json::to_string(&KMeansOptions::default()).unwrap_or_default();
    assert!(json.contains(r#""algorithm":"Auto""#), "{json}");
    // A model written without the scheme that ran reads as `None`.
    let model = r#"{"centers":{"v":1,"dim":[1,1],"data":[2.0]},"labels":[0,0],"inertia":2.0,"iterations":1,"converged":true}"#;
    let m: KMeans = serde_json::from_str(model).map_err(decode)?;
    assert_eq!((m.algorithm, m.labels.len()), (None, 2));
    Ok(())
}

/// Rows of `cols` values in `groups` overlapping groups, from a xorshift stream (the same numbers as
/// the Python script that recorded [`answers_are_those_of_the_scalar_implementation`]'s values).
fn stream(n: usize, cols: usize, groups: usize, seed: u64) -> Array2<f64> {
    let mut s = seed | 1;
    let mut v = Vec::with_capacity(n * cols);
    for i in 0..n {
        let g = i % groups;
        for c in 0..cols {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            let u = (s % 1_000_003) as f64 / 1_000_003.0;
            v.push(u * 2.0 + (g as f64 * 0.25) * (((c * 3 + g) % 7) as f64 - 3.0));
        }
    }
    Array2::from_shape_vec((n, cols), v).unwrap_or_default()
}

/// (inertia bits, iterations, converged, Σ (i + 1)·label, Σ centre bits (wrapping)).
fn fingerprint(f: &KMeans) -> (u64, usize, bool, u64, u64) {
    let labels = f
        .labels
        .iter()
        .enumerate()
        .map(|(i, &l)| (i as u64 + 1) * u64::from(l))
        .sum();
    let centres = f
        .centers
        .iter()
        .fold(0_u64, |a, c| a.wrapping_add(c.to_bits()));
    (
        f.inertia.to_bits(),
        f.iterations,
        f.converged,
        labels,
        centres,
    )
}

#[test]
fn answers_are_those_of_the_scalar_implementation() -> Result<()> {
    // Recorded with the scalar distance loops that the lane kernel replaced (voc 0.2.0 before the
    // kernel): the seeding draws, the iterations, labels, centres and inertia are bit for bit the same.
    let x = stream(40_000, 5, 6, 12345);
    let y = stream(5_000, 3, 13, 777);
    let bits = |h: &str| u64::from_str_radix(h, 16).unwrap_or(0);
    let pp = (
        bits("40ee7111ad6eff92"),
        12,
        true,
        2_424_160_783,
        0x3d52_20a0_ea3e_8d18,
    );
    let opts = KMeansOptions::default().k(7).seed(3).n_init(2);
    assert_eq!(fingerprint(&kmeans(x.view(), &opts)?), pp);
    for a in [Algorithm::Hamerly, Algorithm::Lloyd] {
        let explicit = opts.clone().algorithm(a);
        assert_eq!(fingerprint(&kmeans(x.view(), &explicit)?), pp, "{a}");
    }
    let opts = KMeansOptions::default().k(12);
    let want = (
        bits("40c259a3385d00be"),
        10,
        true,
        74_359_285,
        0x7f0b_bddf_e67b_c763,
    );
    assert_eq!(
        fingerprint(&kmeans_from(y.view(), y.slice(s![..12, ..]), &opts)?),
        want
    );
    // The iteration limit reached (the bounds are moved twice before the last assignment).
    let opts = KMeansOptions::default().k(12).seed(5).max_iter(3);
    let want = (
        bits("40b41a4202cbfb4e"),
        3,
        false,
        64_580_109,
        0x0037_daeb_a9a9_cc38,
    );
    let fit = kmeans(y.view(), &opts)?;
    assert_eq!(fingerprint(&fit), want);
    assert_eq!(
        fingerprint(&kmeans(y.view(), &opts.algorithm(Algorithm::Lloyd))?),
        want
    );
    let p = fit.predict(x.slice(s![.., ..3]))?;
    let sum: u64 = p
        .iter()
        .enumerate()
        .map(|(i, &l)| (i as u64 + 1) * u64::from(l))
        .sum();
    assert_eq!(sum, 4_120_120_825);
    Ok(())
}

#[test]
fn the_variance_read_while_centring_is_the_columns_variance() {
    for n in [700, PARALLEL_ROWS + 4100] {
        let x = stream(n, 5, 4, 99);
        let f = layouts(&x).1;
        let means = lloyd::column_means(x.view());
        let want = lloyd::mean_variance(x.view(), &means);
        for (v, parallel) in [(x.view(), true), (x.view(), false), (f.view(), true)] {
            let (c, got) = lloyd::centred(v, &means, parallel);
            assert_eq!(got.to_bits(), want.to_bits(), "n = {n}");
            assert_eq!(c[7], x[[1, 2]] - means[2]);
        }
    }
}
