//! Unit tests of the feature kernel.

use super::*;
use crate::signals::*;
use crate::time::NAT;

#[test]
fn names_match_row_width() {
    let customers = Customers {
        id: Ids::Int(&[1]),
        signup: &[0],
    };
    let themes = vec!["refund".to_string(), "price".to_string()];
    let log = EventLog::builder(customers)
        .unwrap()
        .tickets(
            Tickets {
                customer: Ids::Int(&[1, 1, 1]),
                time: &[DAY, 2 * DAY, 3 * DAY],
                theme: &[Some(0), Some(0), None],
                resolved: &[5 * DAY, NAT, 4 * DAY],
                csat: Some(&[4.0, 5.0, 2.0]),
                sentiment: None,
            },
            &themes,
        )
        .unwrap()
        .build();
    for opts in [
        FeatureOptions::new(10 * DAY),
        FeatureOptions::new(10 * DAY)
            .windows(&[7])
            .theme_counts(false),
    ] {
        let f = log.features(&opts).unwrap();
        assert_eq!(f.cols(), f.names.len());
        let mut row = vec![f64::NAN; f.names.len() + 1];
        let mut s = Scratch::default();
        let ctx = Ctx {
            t: opts.cutoff,
            windows: opts.windows.iter().map(|&w| i64::from(w) * DAY).collect(),
            longest: i64::from(*opts.windows.iter().max().unwrap()) * DAY,
            silence: 90 * DAY,
            themes: if opts.theme_counts { 2 } else { 0 },
        };
        log.row(0, &ctx, &mut row, &mut s);
        // The row writes exactly the named columns: nothing past them.
        assert!(row[f.names.len()].is_nan());
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(
            bits(&row[..f.names.len()]),
            bits(&f.row(0).unwrap().to_vec())
        );
    }
    let f = log.features(&FeatureOptions::new(10 * DAY)).unwrap();
    assert_eq!(f.column("theme_refund"), Some(&[2.0][..]));
    assert_eq!(f.column("theme_price"), Some(&[0.0][..]));
    assert_eq!(f.column("repeat_theme_max_30d"), Some(&[2.0][..]));
    assert_eq!(f.column("tickets_unresolved"), Some(&[1.0][..]));
    assert_eq!(f.column("resolution_days_median"), Some(&[2.5][..]));
    assert_eq!(f.column("ticket_csat_mean"), Some(&[3.0][..]));
    // At a cutoff before the first resolution, every ticket is unresolved and no CSAT counts.
    let early = log.features(&FeatureOptions::new(4 * DAY)).unwrap();
    assert_eq!(early.column("tickets_unresolved"), Some(&[3.0][..]));
    assert!(early.column("ticket_csat_mean").unwrap()[0].is_nan());
}

#[test]
fn refund_delays_count_pending_waits() {
    let customers = Customers {
        id: Ids::Int(&[1]),
        signup: &[0],
    };
    let log = EventLog::builder(customers)
        .unwrap()
        .returns(Returns {
            order: None,
            customer: Ids::Int(&[1, 1, 1]),
            requested: &[DAY, 2 * DAY, 3 * DAY],
            received: &[3 * DAY, 4 * DAY, NAT],
            refunded: &[5 * DAY, NAT, NAT],
            amount: &[10.0, 20.0, 30.0],
        })
        .unwrap()
        .build();
    let f = log.features(&FeatureOptions::new(30 * DAY)).unwrap();
    assert_eq!(f.column("returns"), Some(&[3.0][..]));
    assert_eq!(f.column("refund_delay_mean_days"), Some(&[2.0][..]));
    assert_eq!(f.column("refund_delay_max_days"), Some(&[26.0][..]));
    assert_eq!(f.column("refunds_pending"), Some(&[1.0][..]));
    assert_eq!(f.column("refunded_amount"), Some(&[10.0][..]));
}

#[test]
fn bad_options_are_errors() {
    let customers = Customers {
        id: Ids::Int(&[1]),
        signup: &[0],
    };
    let log = EventLog::builder(customers).unwrap().build();
    assert!(
        log.features(&FeatureOptions::new(DAY).windows(&[30, 30]))
            .is_err()
    );
    assert!(
        log.features(&FeatureOptions::new(DAY).silence_days(0))
            .is_err()
    );
    assert!(log.features(&FeatureOptions::new(NAT)).is_err());
    assert!(log.labels(DAY, 30).is_err());
}

/// The values are column-major and hold, bit for bit, what the row kernel computes for each customer:
/// every column is one contiguous slice, and the rows, columns and matrix accessors agree. On the
/// simulated retailer, past the size where blocks are filled in parallel.
#[cfg(feature = "sample")]
#[test]
fn values_are_column_major_rows_of_the_kernel() {
    use crate::sample::{RetailerOptions, retailer};
    let r = retailer(&RetailerOptions::default().customers(33_000)).unwrap();
    let log = r.event_log().unwrap();
    let opts = FeatureOptions::new(r.start + 366 * DAY);
    let f = log.features(&opts).unwrap();
    let (n, p) = (f.rows(), f.cols());
    assert!(n >= 20_000 && n % BLOCK != 0, "{n} rows");
    assert_eq!((n, p), (f.customers.len(), f.names.len()));
    let values = f.values();
    // Fortran order: the transpose is C-ordered, columns have unit stride.
    assert!(values.t().is_standard_layout());
    assert_eq!(values.strides(), &[1, n as isize]);
    let memory = values.t().to_slice().unwrap();
    let ctx = Ctx {
        t: opts.cutoff,
        windows: opts.windows.iter().map(|&w| i64::from(w) * DAY).collect(),
        longest: i64::from(*opts.windows.iter().max().unwrap()) * DAY,
        silence: i64::from(opts.silence_days) * DAY,
        themes: log.themes.len(),
    };
    let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    // The kernel's rows, scattered into columns the way the old per-column vectors were.
    let mut columns = vec![vec![0.0; n]; p];
    let mut row = vec![0.0; p];
    let mut s = Scratch::default();
    for (i, &c) in f.customers.iter().enumerate() {
        log.row(c as usize, &ctx, &mut row, &mut s);
        assert_eq!(bits(&f.row(i).unwrap().to_vec()), bits(&row), "row {i}");
        for (col, &v) in columns.iter_mut().zip(&row) {
            col[i] = v;
        }
    }
    for (j, (name, want)) in f.names.iter().zip(&columns).enumerate() {
        let got = f.column_at(j).unwrap();
        assert_eq!(bits(got), bits(want), "{name}");
        assert_eq!(bits(f.column(name).unwrap()), bits(want), "{name}");
        assert_eq!(bits(&memory[j * n..(j + 1) * n]), bits(want), "{name}");
        assert_eq!(bits(&values.column(j).to_vec()), bits(want), "{name}");
    }
    assert!(f.row(n).is_none() && f.column_at(p).is_none());
}

/// A matrix given in C order (or strided) is stored column-major; shapes that disagree with the names
/// or customers are errors.
#[test]
fn new_stores_any_layout_column_major() {
    use ndarray::{Array2, s};
    let c = Array2::from_shape_fn((5, 3), |(i, j)| (10 * i + j) as f64);
    let names: Vec<String> = ["a", "b", "c"].iter().map(|s| s.to_string()).collect();
    let big = Array2::from_shape_fn((10, 3), |(i, j)| (10 * (i / 2) + j) as f64);
    let strided = big.slice(s![..;2, ..]).to_owned();
    for x in [
        c.clone(),
        c.t().as_standard_layout().t().to_owned(),
        strided,
    ] {
        let f = Features::new(names.clone(), vec![0, 1, 2, 3, 4], x, 7).unwrap();
        assert!(f.values().t().is_standard_layout());
        assert_eq!(f.values(), c);
        assert_eq!(f.column("b"), Some(&[1.0, 11.0, 21.0, 31.0, 41.0][..]));
        assert_eq!(f.row(2).unwrap().to_vec(), vec![20.0, 21.0, 22.0]);
    }
    assert!(Features::new(names.clone(), vec![0, 1], c.clone(), 0).is_err());
    assert!(Features::new(names[..2].to_vec(), vec![0, 1, 2, 3, 4], c, 0).is_err());
}

/// Serialized features come back column-major and equal; a shape that disagrees is refused.
#[cfg(feature = "serde")]
#[test]
fn serde_keeps_column_major_values() {
    let names: Vec<String> = ["a", "b"].iter().map(|s| s.to_string()).collect();
    let x = ndarray::Array2::from_shape_fn((3, 2), |(i, j)| (i + 10 * j) as f64);
    let f = Features::new(names, vec![0, 1, 2], x, 5).unwrap();
    let json = serde_json::to_string(&f).unwrap();
    let back: Features = serde_json::from_str(&json).unwrap();
    assert_eq!(back, f);
    assert!(back.values().t().is_standard_layout());
    assert_eq!(back.column("b"), Some(&[10.0, 11.0, 12.0][..]));
    let bad = json.replace("\"customers\":[0,1,2]", "\"customers\":[0,1]");
    assert_ne!(bad, json);
    assert!(serde_json::from_str::<Features>(&bad).is_err());
}
