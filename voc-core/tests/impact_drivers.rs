//! Key drivers against R: relaimpo (LMG, "genizi") and rwa (Johnson's relative weights), plus
//! properties (shares sum to R², permutation, scale invariance, one driver, thread-count invariance).
//!
//! The fixture `tests/data/drivers_golden.json` is written by `scripts/golden/drivers.R` (provenance in
//! `scripts/golden/drivers.md`): R's `swiss` and `mtcars` data sets, one weighted case and two simulated
//! surveys with 12 and 15 drivers; the data are in the file.
//!
//! Tolerance: 1e-10 absolute on importances and R² (the brief's bar is 1e-8; the values agree to a
//! few ulps of double precision, the fixture stores 15 significant digits).

// Tests report failure by panicking.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use ndarray::{Array2, ArrayView2, ShapeBuilder, s};
use proptest::prelude::*;
use serde::Deserialize;
use voc_core::Error;
use voc_core::MissingPolicy;
use voc_core::impact::drivers::{
    DriverImportances, DriverMethod, KeyDriverOptions, KeyDrivers, Performance, Quadrant,
    QuadrantChart, QuadrantOptions, Split, driver_quadrants, key_drivers, lmg_from_matrix,
    relative_weights_from_matrix, subset_r2,
};

const FIXTURE: &str = include_str!("data/drivers_golden.json");
const TOL: f64 = 1e-10;

#[derive(Deserialize)]
struct Golden {
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    name: String,
    outcome: String,
    drivers: Vec<String>,
    weights: Option<Vec<f64>>,
    data: std::collections::BTreeMap<String, Vec<f64>>,
    r2: f64,
    lmg: Vec<f64>,
    genizi: Vec<f64>,
    rwa_raw: Vec<f64>,
    rwa_rescaled: Vec<f64>,
    rwa_r2: f64,
    cor_sign: Vec<f64>,
    brute_lmg: Option<Vec<f64>>,
}

fn cases() -> Vec<Case> {
    serde_json::from_str::<Golden>(FIXTURE).unwrap().cases
}

/// Named columns side by side: an `n × p` column-major matrix (the columns are read in place) and
/// the names.
fn matrix(n: usize, cols: &[(&str, &[f64])]) -> (Array2<f64>, Vec<String>) {
    let x = Array2::from_shape_fn((n, cols.len()).f(), |(i, j)| cols[j].1[i]);
    (x, cols.iter().map(|(name, _)| (*name).to_owned()).collect())
}

/// [`key_drivers`] on named columns.
fn fit_cols(
    y: &[f64],
    cols: &[(&str, &[f64])],
    w: Option<&[f64]>,
    opts: &KeyDriverOptions,
) -> Result<KeyDrivers, Error> {
    let (x, names) = matrix(y.len(), cols);
    key_drivers(y, x.view(), &names, w, opts)
}

/// [`driver_quadrants`] on named columns.
fn quadrants(
    imp: &DriverImportances,
    n: usize,
    cols: &[(&str, &[f64])],
    opts: &QuadrantOptions,
) -> Result<QuadrantChart, Error> {
    let (x, names) = matrix(n, cols);
    driver_quadrants(imp, x.view(), &names, None, opts)
}

/// The golden case's drivers as named columns.
fn columns(c: &Case) -> Vec<(&str, &[f64])> {
    c.drivers
        .iter()
        .map(|d| (d.as_str(), c.data[d].as_slice()))
        .collect()
}

fn close(a: f64, b: f64, what: &str) {
    assert!(
        (a - b).abs() <= TOL,
        "{what}: {a} vs {b} (diff {:e})",
        a - b
    );
}

/// Largest absolute difference seen so far (printed with `--nocapture`, quoted in docs/impact.md).
fn track(max: &mut f64, a: f64, b: f64) {
    *max = max.max((a - b).abs());
}

#[test]
fn matches_relaimpo_and_rwa() {
    let cases = cases();
    assert_eq!(cases.len(), 6);
    let (mut dl, mut dj, mut db) = (0.0_f64, 0.0_f64, 0.0_f64);
    for c in &cases {
        let y = &c.data[&c.outcome];
        let cols = columns(c);
        let opts = KeyDriverOptions::default().method(DriverMethod::Both);
        let kd = fit_cols(y, &cols, c.weights.as_deref(), &opts).unwrap();
        assert_eq!(kd.n, y.len(), "{}", c.name);
        close(kd.r2, c.r2, &format!("{} R²", c.name));
        close(kd.r2, c.rwa_r2, &format!("{} rwa R²", c.name));
        let lmg = kd.lmg.as_ref().unwrap();
        let joh = kd.johnson.as_ref().unwrap();
        for (j, name) in c.drivers.iter().enumerate() {
            let (l, w) = (&lmg.drivers[j], &joh.drivers[j]);
            assert_eq!(&l.driver, name);
            close(l.importance, c.lmg[j], &format!("{} lmg {name}", c.name));
            track(&mut dl, l.importance, c.lmg[j]);
            track(&mut dj, w.importance, c.rwa_raw[j]);
            if let Some(b) = &c.brute_lmg {
                close(l.importance, b[j], &format!("{} brute lmg {name}", c.name));
                track(&mut db, l.importance, b[j]);
            }
            close(
                w.importance,
                c.genizi[j],
                &format!("{} genizi {name}", c.name),
            );
            close(
                w.importance,
                c.rwa_raw[j],
                &format!("{} rwa {name}", c.name),
            );
            close(
                100.0 * w.share,
                c.rwa_rescaled[j],
                &format!("{} rwa rescaled {name}", c.name),
            );
            assert_eq!(f64::from(l.sign), c.cor_sign[j], "{} sign {name}", c.name);
        }
    }
    eprintln!(
        "max |lmg - relaimpo| = {dl:.2e}, max |johnson - rwa| = {dj:.2e}, max |lmg - lm()| = {db:.2e}"
    );
}

#[test]
fn matrix_entry_points_match_the_data_path() {
    // relaimpo also takes the covariance matrix: the same numbers from cov(swiss).
    let c = &cases()[0];
    let mut cols = vec![c.data[&c.outcome].clone()];
    cols.extend(c.drivers.iter().map(|d| c.data[d].clone()));
    let (dim, n) = (cols.len(), cols[0].len());
    let means: Vec<f64> = cols
        .iter()
        .map(|v| v.iter().sum::<f64>() / n as f64)
        .collect();
    let mut cov = vec![0.0; dim * dim];
    for a in 0..dim {
        for b in 0..dim {
            cov[a * dim + b] = (0..n)
                .map(|i| (cols[a][i] - means[a]) * (cols[b][i] - means[b]))
                .sum::<f64>()
                / (n as f64 - 1.0);
        }
    }
    let cov = ArrayView2::from_shape((dim, dim), &cov).unwrap();
    let l = lmg_from_matrix(cov).unwrap();
    let g = relative_weights_from_matrix(cov).unwrap();
    close(l.r2, c.r2, "R²");
    for j in 0..dim - 1 {
        close(l.importance[j], c.lmg[j], "lmg");
        close(g.importance[j], c.genizi[j], "genizi");
    }
}

#[test]
fn genizi_is_johnson() {
    // relaimpo's "genizi" and rwa's raw weights are the same numbers (the same formula).
    for c in cases() {
        for (g, r) in c.genizi.iter().zip(&c.rwa_raw) {
            assert!((g - r).abs() < 1e-12, "{}", c.name);
        }
    }
}

#[test]
fn bad_input_is_an_error_naming_the_value() {
    let y = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
    let a = [1.0, 3.0, 2.0, 5.0, 4.0, 6.0];
    let b = [2.0, 1.0, 4.0, 3.0, 6.0, f64::NAN];
    let opts = KeyDriverOptions::default();
    // NaN in driver 1 (b), row 5: index = row × p + column
    let e = fit_cols(&y, &[("a", &a), ("b", &b)], None, &opts).unwrap_err();
    assert_eq!(
        e,
        Error::Missing {
            arg: "drivers",
            index: 11
        }
    );
    let inf = [2.0, 1.0, f64::INFINITY, 3.0, 6.0, 5.0];
    let e = fit_cols(&y, &[("a", &a), ("b", &inf)], None, &opts).unwrap_err();
    assert!(matches!(
        e,
        Error::NonFinite {
            arg: "drivers",
            index: 5,
            ..
        }
    ));
    // skipping the NaN row works and counts it
    let skip = KeyDriverOptions::default().missing(MissingPolicy::Skip);
    let kd = fit_cols(&y, &[("a", &a), ("b", &b)], None, &skip).unwrap();
    assert_eq!((kd.n, kd.missing), (5, 1));
    // constant driver, collinear drivers, duplicate names
    let k = [3.0; 6];
    let e = fit_cols(&y, &[("a", &a), ("k", &k)], None, &opts).unwrap_err();
    assert!(
        e.to_string().contains("k") && e.to_string().contains("constant"),
        "{e}"
    );
    let twice: Vec<f64> = a.iter().map(|v| 2.0 * v + 1.0).collect();
    let e = fit_cols(&y, &[("a", &a), ("a2", &twice)], None, &opts).unwrap_err();
    assert!(
        e.to_string().contains("a2") && e.to_string().contains("collinear"),
        "{e}"
    );
    let e = fit_cols(&y, &[("a", &a), ("a", &b)], None, &opts).unwrap_err();
    assert!(e.to_string().contains("twice"), "{e}");
    // too few rows: p + 2 needed
    let e = fit_cols(&y[..3], &[("a", &a[..3]), ("b", &b[..3])], None, &opts).unwrap_err();
    assert!(matches!(e, Error::InsufficientData(_)), "{e}");
    // too many drivers for LMG (Johnson takes them)
    let many: Vec<Vec<f64>> = (0..21)
        .map(|j| {
            (0..30)
                .map(|i| ((i * (j + 3)) % 7) as f64 + i as f64 * 0.01 * j as f64)
                .collect()
        })
        .collect();
    let y30: Vec<f64> = (0..30).map(|i| (i % 5) as f64).collect();
    let names: Vec<String> = (0..21).map(|j| format!("d{j}")).collect();
    let cols: Vec<(&str, &[f64])> = names
        .iter()
        .zip(&many)
        .map(|(n, c)| (n.as_str(), c.as_slice()))
        .collect();
    let e = fit_cols(&y30, &cols, None, &opts).unwrap_err();
    assert!(e.to_string().contains("at most 20"), "{e}");
    // weights: negative, length
    let e = fit_cols(
        &y,
        &[("a", &a)],
        Some(&[1.0, -1.0, 1.0, 1.0, 1.0, 1.0]),
        &opts,
    )
    .unwrap_err();
    assert!(matches!(
        e,
        Error::InvalidValue {
            arg: "weights",
            index: 1,
            ..
        }
    ));
    let e = fit_cols(&y, &[("a", &a)], Some(&[1.0]), &opts).unwrap_err();
    assert!(matches!(e, Error::LengthMismatch { .. }));
    assert!(matches!(
        fit_cols(&y, &[], None, &opts).unwrap_err(),
        Error::Empty { arg: "drivers", .. }
    ));
}

#[test]
fn bootstrap_is_seeded_and_covers_the_estimate() {
    let c = &cases()[4]; // survey_12, 400 rows
    let y = &c.data[&c.outcome];
    let cols = columns(c);
    let opts = KeyDriverOptions::default()
        .method(DriverMethod::Both)
        .resamples(200)
        .seed(42);
    let a = fit_cols(y, &cols, None, &opts).unwrap();
    let b = fit_cols(y, &cols, None, &opts).unwrap();
    assert_eq!(a, b);
    let other = fit_cols(y, &cols, None, &opts.clone().seed(43)).unwrap();
    assert_ne!(a.r2_ci, other.r2_ci);
    let r2 = a.r2_ci.unwrap();
    assert!(r2.low < a.r2 && a.r2 < r2.high && r2.level == 0.95);
    for d in &a.lmg.as_ref().unwrap().drivers {
        let ci = d.ci.unwrap();
        assert!(ci.low <= ci.high && ci.low >= 0.0);
        let s = d.share_ci.unwrap();
        assert!(s.low >= 0.0 && s.high <= 1.0);
    }
    assert_eq!(a.skipped, 0);
}

#[cfg(feature = "parallel")]
#[test]
fn bit_identical_on_any_thread_count() {
    let c = &cases()[5]; // survey_15: LMG runs as 32 tasks
    let y = &c.data[&c.outcome];
    let cols = columns(c);
    let opts = KeyDriverOptions::default()
        .method(DriverMethod::Both)
        .resamples(100)
        .seed(3);
    let run = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| fit_cols(y, &cols, None, &opts).unwrap())
    };
    let one = run(1);
    let four = run(4);
    assert_eq!(one, four);
    let lmg = one.lmg.as_ref().unwrap();
    for (j, d) in lmg.drivers.iter().enumerate() {
        close(d.importance, c.lmg[j], "survey_15 lmg");
    }
}

#[test]
fn quadrants_place_drivers() {
    let c = &cases()[4];
    let y = &c.data[&c.outcome];
    let cols = columns(c);
    let kd = fit_cols(y, &cols, None, &KeyDriverOptions::default()).unwrap();
    let imp = kd.lmg.as_ref().unwrap();
    let q = quadrants(imp, y.len(), &cols, &QuadrantOptions::default()).unwrap();
    assert_eq!(q.drivers.len(), 12);
    // the median split puts half of the drivers (6 of 12) on each side of each line
    let high_imp = q
        .drivers
        .iter()
        .filter(|d| d.importance >= q.importance_split)
        .count();
    let high_perf = q
        .drivers
        .iter()
        .filter(|d| d.performance >= q.performance_split)
        .count();
    assert_eq!((high_imp, high_perf), (6, 6));
    for d in &q.drivers {
        let want = Quadrant::of(
            d.importance,
            d.performance,
            q.importance_split,
            q.performance_split,
        );
        assert_eq!(d.quadrant, want);
        let mean = c.data[&d.driver].iter().sum::<f64>() / y.len() as f64;
        assert!((d.performance - mean).abs() < 1e-12);
    }
    let top_box = QuadrantOptions::default()
        .performance(Performance::TopBox)
        .top_box(4.0)
        .split(Split::Mean);
    let tb = quadrants(imp, y.len(), &cols, &top_box).unwrap();
    for d in &tb.drivers {
        let share = c.data[&d.driver].iter().filter(|v| **v >= 4.0).count() as f64 / y.len() as f64;
        assert!((d.performance - share).abs() < 1e-12);
    }
    let mean_share = imp.drivers.iter().map(|d| d.share).sum::<f64>() / 12.0;
    assert!((tb.importance_split - mean_share).abs() < 1e-15);
}

// ---------------------------------------------------------------------------------------------
// Memory layouts

/// The same values as a row-major matrix, a column-major one, and a strided view (every other row of
/// a matrix twice as tall, whose other rows hold junk).
fn layouts(x: &Array2<f64>) -> (Array2<f64>, Array2<f64>, Array2<f64>) {
    let c = x.as_standard_layout().into_owned();
    let f = x.t().as_standard_layout().t().to_owned();
    assert!(c.is_standard_layout() && f.t().is_standard_layout());
    let (n, p) = x.dim();
    let mut big = Array2::from_elem((2 * n, p), 1e300);
    big.slice_mut(s![..;2, ..]).assign(x);
    (c, f, big)
}

#[test]
fn key_drivers_read_every_layout_alike() {
    for case in [3, 4] {
        // 3: weighted; 4: survey_12 with a bootstrap
        let c = &cases()[case];
        let y = &c.data[&c.outcome];
        let (x, names) = matrix(y.len(), &columns(c));
        let (rows, cols, big) = layouts(&x);
        let strided = big.slice(s![..;2, ..]);
        assert!(!strided.is_standard_layout() && strided.as_slice_memory_order().is_none());
        let opts = KeyDriverOptions::default()
            .method(DriverMethod::Both)
            .resamples(100)
            .seed(9);
        let w = c.weights.as_deref();
        let want = key_drivers(y, rows.view(), &names, w, &opts).unwrap();
        assert_eq!(key_drivers(y, cols.view(), &names, w, &opts).unwrap(), want);
        assert_eq!(key_drivers(y, strided, &names, w, &opts).unwrap(), want);
        // and the numbers are the reference's
        for (j, d) in want.lmg.as_ref().unwrap().drivers.iter().enumerate() {
            close(d.importance, c.lmg[j], "layout lmg");
        }
        let imp = want.johnson.as_ref().unwrap();
        let q = QuadrantOptions::default()
            .performance(Performance::TopBox)
            .top_box(4.0);
        let chart = driver_quadrants(imp, rows.view(), &names, w, &q).unwrap();
        assert_eq!(
            driver_quadrants(imp, cols.view(), &names, w, &q).unwrap(),
            chart
        );
        assert_eq!(
            driver_quadrants(imp, strided, &names, w, &q).unwrap(),
            chart
        );
    }
}

#[test]
fn missing_rows_are_dropped_alike_in_every_layout() {
    let c = &cases()[4];
    let y = &c.data[&c.outcome];
    let (mut x, names) = matrix(y.len(), &columns(c));
    x[[7, 3]] = f64::NAN;
    x[[100, 0]] = f64::NAN;
    let (rows, cols, big) = layouts(&x);
    let opts = KeyDriverOptions::default().missing(MissingPolicy::Skip);
    let want = key_drivers(y, rows.view(), &names, None, &opts).unwrap();
    assert_eq!((want.n, want.missing), (y.len() - 2, 2));
    assert_eq!(
        key_drivers(y, cols.view(), &names, None, &opts).unwrap(),
        want
    );
    let strided = big.slice(s![..;2, ..]);
    assert_eq!(key_drivers(y, strided, &names, None, &opts).unwrap(), want);
    // the error names the same position (row × p + column) whatever the layout
    let strict = KeyDriverOptions::default();
    let p = names.len();
    for view in [rows.view(), cols.view(), strided] {
        let e = key_drivers(y, view, &names, None, &strict).unwrap_err();
        assert_eq!(
            e,
            Error::Missing {
                arg: "drivers",
                index: 7 * p + 3
            }
        );
    }
}

#[test]
fn matrix_entry_points_read_every_layout_alike() {
    let c = &cases()[5]; // survey_15
    let mut cols = vec![c.data[&c.outcome].clone()];
    cols.extend(c.drivers.iter().map(|d| c.data[d].clone()));
    let (dim, n) = (cols.len(), cols[0].len());
    let means: Vec<f64> = cols
        .iter()
        .map(|v| v.iter().sum::<f64>() / n as f64)
        .collect();
    let cov = Array2::from_shape_fn((dim, dim), |(a, b)| {
        (0..n)
            .map(|i| (cols[a][i] - means[a]) * (cols[b][i] - means[b]))
            .sum::<f64>()
            / (n as f64 - 1.0)
    });
    let (rows, colmajor, big) = layouts(&cov);
    let strided = big.slice(s![..;2, ..]);
    let want = lmg_from_matrix(rows.view()).unwrap();
    assert_eq!(lmg_from_matrix(colmajor.view()).unwrap(), want);
    assert_eq!(lmg_from_matrix(strided).unwrap(), want);
    let want = relative_weights_from_matrix(rows.view()).unwrap();
    assert_eq!(relative_weights_from_matrix(colmajor.view()).unwrap(), want);
    assert_eq!(relative_weights_from_matrix(strided).unwrap(), want);
    let want = subset_r2(rows.view()).unwrap();
    assert_eq!(subset_r2(colmajor.view()).unwrap(), want);
    assert_eq!(subset_r2(strided).unwrap(), want);
    assert_eq!(want.len(), 1 << 15);
}

// ---------------------------------------------------------------------------------------------
// Properties

/// n rows of an outcome and p drivers with a shared factor (so drivers correlate), rounded to a 1–5
/// scale half of the time.
fn dataset(p: usize) -> impl Strategy<Value = (Vec<f64>, Vec<Vec<f64>>)> {
    (30_usize..80, any::<u64>(), any::<bool>()).prop_map(move |(n, seed, round)| {
        let mut s = seed | 1;
        let mut next = move || {
            // xorshift64*: a plain, reproducible stream for the property inputs
            s ^= s >> 12;
            s ^= s << 25;
            s ^= s >> 27;
            (s.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64 - 0.5
        };
        let f: Vec<f64> = (0..n).map(|_| next()).collect();
        let mut xs = Vec::new();
        for j in 0..p {
            let col: Vec<f64> = (0..n)
                .map(|i| {
                    let v = f[i] * ((j % 3) as f64) + next();
                    if round {
                        (3.0 + 3.0 * v).round().clamp(1.0, 5.0)
                    } else {
                        v
                    }
                })
                .collect();
            xs.push(col);
        }
        let y: Vec<f64> = (0..n)
            .map(|i| {
                xs.iter()
                    .enumerate()
                    .map(|(j, x)| x[i] * (j as f64 - 1.0) / 3.0)
                    .sum::<f64>()
                    + next()
            })
            .collect();
        (y, xs)
    })
}

fn run(
    y: &[f64],
    xs: &[Vec<f64>],
    method: DriverMethod,
) -> Option<voc_core::impact::drivers::KeyDrivers> {
    let names: Vec<String> = (0..xs.len()).map(|j| format!("x{j}")).collect();
    let cols: Vec<(&str, &[f64])> = names
        .iter()
        .zip(xs)
        .map(|(n, c)| (n.as_str(), c.as_slice()))
        .collect();
    fit_cols(y, &cols, None, &KeyDriverOptions::default().method(method)).ok()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// LMG and Johnson's weights are non-negative and sum to the full-model R²; shares sum to 1.
    #[test]
    fn shares_sum_to_r2((y, xs) in (1_usize..9).prop_flat_map(dataset)) {
        // rounded data can be constant or collinear: those are errors, tested elsewhere
        let Some(kd) = run(&y, &xs, DriverMethod::Both) else { return Ok(()) };
        for m in [kd.lmg.as_ref().unwrap(), kd.johnson.as_ref().unwrap()] {
            let sum: f64 = m.drivers.iter().map(|d| d.importance).sum();
            prop_assert!((sum - kd.r2).abs() <= 1e-12 * kd.r2.max(1.0));
            let shares: f64 = m.drivers.iter().map(|d| d.share).sum();
            prop_assert!((shares - 1.0).abs() <= 1e-9);
            prop_assert!(m.drivers.iter().all(|d| d.importance >= -1e-15));
        }
        prop_assert!((0.0..=1.0).contains(&kd.r2));
    }

    /// Reordering the drivers reorders the results and changes nothing else.
    #[test]
    fn permuting_drivers_permutes_results((y, xs) in (2_usize..8).prop_flat_map(dataset), rot in 1_usize..7) {
        let Some(a) = run(&y, &xs, DriverMethod::Both) else { return Ok(()) };
        let p = xs.len();
        let k = rot % p;
        let perm: Vec<usize> = (0..p).map(|j| (j + k) % p).collect();
        let xp: Vec<Vec<f64>> = perm.iter().map(|&j| xs[j].clone()).collect();
        let b = run(&y, &xp, DriverMethod::Both).unwrap();
        prop_assert!((a.r2 - b.r2).abs() <= 1e-12);
        for (m_a, m_b) in [(&a.lmg, &b.lmg), (&a.johnson, &b.johnson)] {
            let (m_a, m_b) = (m_a.as_ref().unwrap(), m_b.as_ref().unwrap());
            for (pos, &j) in perm.iter().enumerate() {
                prop_assert!((m_b.drivers[pos].importance - m_a.drivers[j].importance).abs() <= 1e-12);
            }
        }
    }

    /// Importances do not depend on the drivers' units (or direction) nor on the outcome's.
    #[test]
    fn invariant_to_scaling((y, xs) in (1_usize..7).prop_flat_map(dataset), scale in prop::sample::select(vec![-3.0, 0.01, 7.5, 1000.0])) {
        let Some(a) = run(&y, &xs, DriverMethod::Both) else { return Ok(()) };
        let xs2: Vec<Vec<f64>> = xs.iter().map(|c| c.iter().map(|v| v * scale + 2.0).collect()).collect();
        let y2: Vec<f64> = y.iter().map(|v| v * 4.0 - 1.0).collect();
        let b = run(&y2, &xs2, DriverMethod::Both).unwrap();
        prop_assert!((a.r2 - b.r2).abs() <= 1e-10);
        for (m_a, m_b) in [(&a.lmg, &b.lmg), (&a.johnson, &b.johnson)] {
            for (da, db) in m_a.as_ref().unwrap().drivers.iter().zip(&m_b.as_ref().unwrap().drivers) {
                prop_assert!((da.importance - db.importance).abs() <= 1e-10);
                // a negative scale flips the sign, nothing else
                prop_assert_eq!(da.sign * if scale < 0.0 { -1 } else { 1 }, db.sign);
            }
        }
    }

    /// One driver: LMG = Johnson = R² = r².
    #[test]
    fn one_driver_gives_r_squared((y, xs) in dataset(1)) {
        let Some(kd) = run(&y, &xs, DriverMethod::Both) else { return Ok(()) };
        let n = y.len() as f64;
        let (mx, my) = (xs[0].iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
        let sxy: f64 = xs[0].iter().zip(&y).map(|(x, y)| (x - mx) * (y - my)).sum();
        let sxx: f64 = xs[0].iter().map(|x| (x - mx).powi(2)).sum();
        let syy: f64 = y.iter().map(|y| (y - my).powi(2)).sum();
        let r2 = sxy * sxy / (sxx * syy);
        prop_assert!((kd.r2 - r2).abs() <= 1e-12);
        prop_assert!((kd.lmg.as_ref().unwrap().drivers[0].importance - r2).abs() <= 1e-12);
        prop_assert!((kd.johnson.as_ref().unwrap().drivers[0].importance - r2).abs() <= 1e-12);
    }

    /// Integer weights are the same as repeating rows.
    #[test]
    fn weights_equal_repeated_rows((y, xs) in (1_usize..5).prop_flat_map(dataset), reps in prop::collection::vec(1_u32..4, 80)) {
        let n = y.len();
        let w: Vec<f64> = reps[..n].iter().map(|&r| f64::from(r)).collect();
        let names: Vec<String> = (0..xs.len()).map(|j| format!("x{j}")).collect();
        let cols: Vec<(&str, &[f64])> = names.iter().zip(&xs).map(|(n, c)| (n.as_str(), c.as_slice())).collect();
        let opts = KeyDriverOptions::default().method(DriverMethod::Both);
        let Ok(a) = fit_cols(&y, &cols, Some(&w), &opts) else { return Ok(()) };
        let expand = |v: &[f64]| -> Vec<f64> {
            v.iter().zip(&reps).flat_map(|(x, &r)| std::iter::repeat_n(*x, r as usize)).collect()
        };
        let ye = expand(&y);
        let xe: Vec<Vec<f64>> = xs.iter().map(|c| expand(c)).collect();
        let b = run(&ye, &xe, DriverMethod::Both).unwrap();
        prop_assert!((a.r2 - b.r2).abs() <= 1e-10);
        for (da, db) in a.lmg.as_ref().unwrap().drivers.iter().zip(&b.lmg.as_ref().unwrap().drivers) {
            prop_assert!((da.importance - db.importance).abs() <= 1e-10);
        }
    }
}
