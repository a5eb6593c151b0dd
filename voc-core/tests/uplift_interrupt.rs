//! The Qini bootstrap stops on an interrupt (its own process: an interrupt is process-wide).

#![allow(clippy::unwrap_used)]

use voc_core::uplift::{QiniBootstrapOptions, qini_bootstrap};
use voc_core::{Error, interrupt};

#[test]
fn qini_bootstrap_stops_and_changes_nothing() {
    let n = 2_000;
    let t: Vec<f64> = (0..n).map(|i| f64::from(i % 2)).collect();
    let y: Vec<f64> = (0..n).map(|i| f64::from(u8::from(i % 3 == 0))).collect();
    let s: Vec<f64> = (0..n).map(|i| f64::from((i * 17) % 101)).collect();
    let o = QiniBootstrapOptions::default().resamples(100_000);
    interrupt::request();
    assert_eq!(
        qini_bootstrap(&y, &t, &s, &o).unwrap_err(),
        Error::Interrupted
    );
    assert!(interrupt::reset());
    let o = o.resamples(100);
    assert!(qini_bootstrap(&y, &t, &s, &o).is_ok());
}
