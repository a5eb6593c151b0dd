//! Every 2-D entry point of the churn-risk module gives identical results on the same data held
//! C-ordered, Fortran-ordered and strided (every other row of a doubled matrix).

// Tests report failure by panicking.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use ndarray::{Array2, ArrayView2, ShapeBuilder, s};
use voc_core::risk::{AlertOptions, LogisticOptions, RiskData, alerts, cross_validate};
use voc_core::{Fit, Predict};

fn data(n: usize) -> (Array2<f64>, Vec<f64>) {
    let x = Array2::from_shape_fn((n, 3), |(i, j)| match j {
        0 => (i as f64 * 0.618).sin() * 2.0 + 3.0,
        1 => ((i * 7919) % 1000) as f64 / 250.0,
        _ => (i as f64 * 0.0137).cos().abs() * 10.0,
    });
    let y = (0..n)
        .map(|i| {
            let u = ((i * 104_729) % 10_007) as f64 / 10_007.0;
            let eta = -1.0 + 0.8 * (x[[i, 0]] - 3.0) - 0.3 * x[[i, 1]] + 0.2 * x[[i, 2]];
            f64::from(u8::from(u < 1.0 / (1.0 + (-eta).exp())))
        })
        .collect();
    (x, y)
}

/// Runs `f` on the C-ordered, Fortran-ordered and strided copies of `x` and checks the results agree.
fn same_on_every_layout<T: PartialEq + std::fmt::Debug>(
    x: &Array2<f64>,
    f: impl Fn(ArrayView2<'_, f64>) -> T,
) -> T {
    let (n, p) = x.dim();
    let c = x.as_standard_layout().into_owned();
    let fo = Array2::from_shape_vec((n, p).f(), x.t().iter().copied().collect()).unwrap();
    let mut big = Array2::from_elem((2 * n, p), f64::NAN);
    big.slice_mut(s![..;2, ..]).assign(x);
    let strided = big.slice(s![..;2, ..]);
    assert!(c.is_standard_layout() && fo.t().is_standard_layout());
    assert!(!strided.is_standard_layout() && !strided.t().is_standard_layout());
    let want = f(c.view());
    assert_eq!(f(fo.view()), want, "Fortran-ordered");
    assert_eq!(f(strided), want, "strided");
    want
}

#[test]
fn fit_and_predict_agree_on_every_layout() {
    let (x, y) = data(1_000);
    let names = ["a".to_string(), "b".to_string(), "c".to_string()];
    let opts = LogisticOptions::default().c(0.5);
    let m = same_on_every_layout(&x, |v| {
        opts.fit(RiskData::new(v, &y).names(&names)).unwrap()
    });
    let p = same_on_every_layout(&x, |v| m.predict(v).unwrap());
    assert_eq!(p.len(), 1_000);
    same_on_every_layout(&x, |v| m.decision_function(v).unwrap());
    same_on_every_layout(&x, |v| m.contributions(v).unwrap());
}

#[test]
fn cross_validation_and_alerts_agree_on_every_layout() {
    let (x, y) = data(600);
    let names = [
        "refund_delay_max_days".to_string(),
        "tickets_90d".to_string(),
        "c".to_string(),
    ];
    let opts = LogisticOptions::default();
    let cv = same_on_every_layout(&x, |v| {
        cross_validate(RiskData::new(v, &y).names(&names), &opts, 4, 9).unwrap()
    });
    assert_eq!(cv.fold_auc.len(), 4);
    let m = opts.fit(RiskData::new(x.view(), &y).names(&names)).unwrap();
    let value = vec![250.0; 600];
    let list = same_on_every_layout(&x, |v| {
        alerts(&m, v, &value, &AlertOptions::default().capacity(25)).unwrap()
    });
    assert_eq!(list.len(), 25);
}
