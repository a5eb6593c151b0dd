//! Cox PH reads its covariates through an `ndarray` view of any layout: the rossi data as a C-ordered
//! array, a Fortran-ordered array and a strided view (every other row of a doubled array) give
//! bit-identical fits and predictions, through `cox_ph` and through the `Fit` / `Predict` traits.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use ndarray::{Array2, ArrayView2, ShapeBuilder, s};
use voc_core::retention::{CoxData, CoxOptions, Ties, cox_ph};
use voc_core::{Fit, Predict};

fn rossi() -> (Array2<f64>, Vec<f64>, Vec<f64>) {
    let text = include_str!("data/rossi.csv");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let rows: Vec<Vec<f64>> = lines
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split(',').map(|v| v.trim().parse().unwrap()).collect())
        .collect();
    let col = |name: &str| {
        let j = header.iter().position(|h| *h == name).unwrap();
        rows.iter().map(|r| r[j]).collect::<Vec<f64>>()
    };
    let names = ["fin", "age", "race", "wexp", "mar", "paro", "prio"];
    let cols: Vec<Vec<f64>> = names.iter().map(|n| col(n)).collect();
    let x = Array2::from_shape_fn((rows.len(), names.len()), |(i, j)| cols[j][i]);
    (x, col("week"), col("arrest"))
}

/// The same matrix in three layouts (C, Fortran, strided), checked equal and of the layout claimed.
fn layouts(c: &Array2<f64>) -> (Array2<f64>, Array2<f64>) {
    let (n, p) = c.dim();
    let f = Array2::from_shape_vec((n, p).f(), c.t().iter().copied().collect()).unwrap();
    assert_eq!(&f, c);
    assert!(c.is_standard_layout() && !f.is_standard_layout() && f.t().is_standard_layout());
    let mut big = Array2::zeros((2 * n, p));
    big.slice_mut(s![..;2, ..]).assign(c);
    big.slice_mut(s![1..;2, ..]).fill(f64::NAN); // the skipped rows must never be read
    (f, big)
}

#[test]
fn cox_fit_and_predictions_do_not_depend_on_layout() {
    let (c, t, e) = rossi();
    let (f, big) = layouts(&c);
    let strided = big.slice(s![..;2, ..]);
    assert!(strided.as_slice().is_none() && strided.t().as_slice().is_none());
    let transposed = c.t().as_standard_layout().into_owned(); // p × n, C order
    let fortran_view = transposed.t(); // n × p over column-major memory
    for options in [
        CoxOptions::default(),
        CoxOptions::default().ties(Ties::Breslow),
        CoxOptions::default().penalizer(0.1),
    ] {
        let base = cox_ph(c.view(), &t, &e, &options).unwrap();
        let lp = base.linear_predictor(c.view()).unwrap();
        let lph = base.predict(c.view()).unwrap();
        let views: [ArrayView2<'_, f64>; 3] = [f.view(), strided, fortran_view];
        for x in views {
            let fit = cox_ph(x, &t, &e, &options).unwrap();
            assert_eq!(fit.to_bytes(), base.to_bytes(), "{options:?}");
            let via_trait = options.fit(CoxData::new(x, &t, &e)).unwrap();
            assert_eq!(via_trait, fit);
            assert_eq!(fit.linear_predictor(x).unwrap(), lp);
            assert_eq!(base.linear_predictor(x).unwrap(), lp);
            assert_eq!(base.predict(x).unwrap(), lph);
            assert_eq!(
                base.partial_hazard(x).unwrap(),
                base.partial_hazard(c.view()).unwrap()
            );
        }
    }
}
