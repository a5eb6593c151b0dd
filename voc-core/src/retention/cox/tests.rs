use ndarray::{Array2, ShapeBuilder, s};

use super::*;
use crate::Fit;
use crate::error::{Error, Result};

/// A row-major `n × p` matrix from its values.
fn m(p: usize, v: &[f64]) -> Array2<f64> {
    Array2::from_shape_vec((v.len() / p, p), v.to_vec()).expect("shape")
}

fn brute_concordance(t: &[f64], s: &[f64], e: &[f64]) -> f64 {
    let (mut pairs, mut num) = (0.0, 0.0);
    for i in 0..t.len() {
        for j in 0..t.len() {
            if e[i] == 1.0 && (t[i] < t[j] || (t[i] == t[j] && e[j] == 0.0)) {
                pairs += 1.0;
                if s[i] > s[j] {
                    num += 1.0;
                } else if s[i] == s[j] {
                    num += 0.5;
                }
            }
        }
    }
    num / pairs
}

#[test]
fn concordance_matches_brute_force() -> Result<()> {
    let t: Vec<f64> = (0..60).map(|i| ((i * 37) % 11) as f64).collect();
    let s: Vec<f64> = (0..60).map(|i| ((i * 13) % 7) as f64).collect();
    let e: Vec<f64> = (0..60).map(|i| ((i * 5) % 3 != 0) as u8 as f64).collect();
    let c = concordance_index(&t, &s, &e)?;
    assert!((c - brute_concordance(&t, &s, &e)).abs() < 1e-15);
    Ok(())
}

#[test]
fn bad_input() {
    let o = &CoxOptions::default();
    let t = [1.0, 2.0, 3.0, 4.0];
    let e = [1.0, 0.0, 1.0, 1.0];
    // collinear second column
    let x = [1.0, 2.0, 2.0, 4.0, 3.0, 6.0, 5.0, 10.0];
    match cox_ph(m(2, &x).view(), &t, &e, o) {
        Err(Error::InvalidValue { index: 1, .. }) => {}
        other => unreachable!("{other:?}"),
    }
    // constant column
    let x = [1.0, 1.0, 1.0, 1.0];
    assert!(matches!(
        cox_ph(m(1, &x).view(), &t, &e, o),
        Err(Error::InvalidValue { index: 0, .. })
    ));
    let x = [1.0, f64::NAN, 3.0, 4.0];
    assert_eq!(
        cox_ph(m(1, &x).view(), &t, &e, o).unwrap_err(),
        Error::Missing {
            arg: "covariates['x0']",
            index: 1
        }
    );
    let x = [1.0, 2.0, f64::INFINITY, 4.0];
    assert!(matches!(
        cox_ph(m(1, &x).view(), &t, &e, o),
        Err(Error::NonFinite {
            arg: "covariates['x0']",
            index: 2,
            ..
        })
    ));
    assert_eq!(
        cox_ph(
            m(1, &[1.0, 2.0, 3.0, 4.0]).view(),
            &[1.0, f64::NAN, 3.0, 4.0],
            &e,
            o
        )
        .unwrap_err(),
        Error::Missing {
            arg: "durations",
            index: 1
        }
    );
    let x = [1.0, 2.0, 3.0, 4.0];
    assert!(matches!(
        cox_ph(m(1, &x).view(), &t, &[0.0; 4], o),
        Err(Error::InsufficientData(_))
    ));
    // perfect separation: coefficient diverges
    let x = [4.0, 3.0, 2.0, 1.0];
    assert!(matches!(
        cox_ph(m(1, &x).view(), &t, &[1.0; 4], o),
        Err(Error::NotConverged { .. })
    ));
    assert!(cox_ph(m(1, &x).view(), &t, &[1.0, 2.0, 0.0, 1.0], o).is_err());
    assert!(cox_ph(m(1, &x).view(), &[-1.0, 2.0, 3.0, 4.0], &e, o).is_err());
}

#[test]
fn layouts_give_identical_fits_and_predictions() -> Result<()> {
    let n = 40;
    let t: Vec<f64> = (0..n).map(|i| f64::from((i * 7) % 13 + 1)).collect();
    let e: Vec<f64> = (0..n).map(|i| f64::from(u8::from(i % 4 != 0))).collect();
    let v: Vec<f64> = (0..n * 3)
        .map(|k| ((k * 37 % 23) as f64 - 11.0) / 7.0 + (k % 3) as f64)
        .collect();
    let c = m(3, &v);
    let f = Array2::from_shape_vec((n as usize, 3).f(), c.t().iter().copied().collect())
        .expect("shape");
    assert_eq!(f, c);
    assert!(!f.is_standard_layout());
    let mut big = Array2::<f64>::zeros((2 * n as usize, 3));
    big.slice_mut(s![..;2, ..]).assign(&c);
    let strided = big.slice(s![..;2, ..]);
    let o = &CoxOptions::default();
    let a = cox_ph(c.view(), &t, &e, o)?;
    for x in [f.view(), strided, c.t().as_standard_layout().t()] {
        let b = cox_ph(x, &t, &e, o)?;
        assert_eq!(a, b);
        assert_eq!(a.linear_predictor(c.view())?, b.linear_predictor(x)?);
        assert_eq!(a.log_partial_hazard(c.view())?, a.log_partial_hazard(x)?);
        assert_eq!(a.partial_hazard(c.view())?, a.partial_hazard(x)?);
    }
    // a bad value is reported at its row and column whatever the layout (the first in row order)
    let mut bad = f.clone();
    bad[[2, 1]] = f64::NAN;
    bad[[3, 0]] = f64::INFINITY;
    let at_2_1 = Error::Missing {
        arg: "covariates['x1']",
        index: 2,
    };
    assert_eq!(cox_ph(bad.view(), &t, &e, o).unwrap_err(), at_2_1);
    assert_eq!(a.linear_predictor(bad.view()).unwrap_err(), at_2_1);
    assert_eq!(a.log_partial_hazard(bad.view()).unwrap_err(), at_2_1);
    let mut c_bad = c.clone();
    c_bad[[2, 1]] = f64::NAN;
    assert_eq!(a.log_partial_hazard(c_bad.view()).unwrap_err(), at_2_1);
    assert!(matches!(
        a.linear_predictor(m(2, &[1.0, 2.0]).view()),
        Err(Error::LengthMismatch {
            len: 2,
            other_len: 3,
            ..
        })
    ));
    assert!(matches!(
        cox_ph(Array2::<f64>::zeros((n as usize, 0)).view(), &t, &e, o),
        Err(Error::Empty { .. })
    ));
    Ok(())
}

#[test]
fn inconsistent_bytes_with_a_valid_checksum_are_decode_errors() -> Result<()> {
    let x = m(1, &[2.0, 0.5, 1.0, 1.5, -0.3, 0.0, 0.7, -1.0]);
    let t = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0];
    let fit = cox_ph(
        x.view(),
        &t,
        &[1.0, 1.0, 1.0, 0.0, 1.0, 1.0, 0.0, 1.0],
        &CoxOptions::default(),
    )?;
    let good = fit.to_bytes();
    assert_eq!(CoxPh::from_bytes(&good)?, fit);
    // Re-seal the body with one field changed: the checksum passes, the content check must not.
    let reseal = |edit: &dyn Fn(&mut Vec<u8>)| {
        let mut body = good[..good.len() - 8].to_vec();
        edit(&mut body);
        crate::codec::Writer(body).seal()
    };
    // p = 2 while every vector holds one value
    let two = reseal(&|b| b[6..14].copy_from_slice(&2u64.to_le_bytes()));
    assert!(matches!(CoxPh::from_bytes(&two), Err(Error::Decode { .. })));
    // unknown ties code (after magic, version and five counts)
    let ties = reseal(&|b| b[46] = 7);
    assert!(matches!(
        CoxPh::from_bytes(&ties),
        Err(Error::Decode { .. })
    ));
    // a huge count must not allocate
    let huge = reseal(&|b| b[6..14].copy_from_slice(&u64::MAX.to_le_bytes()));
    assert!(matches!(
        CoxPh::from_bytes(&huge),
        Err(Error::Decode { .. })
    ));
    // another version
    let v3 = reseal(&|b| b[4] = 3);
    assert!(matches!(CoxPh::from_bytes(&v3), Err(Error::Decode { .. })));
    // names that do not match the covariates
    let names_at = good.len() - 8 - 8 - (8 + 8 + 2); // count, "x0", n_missing
    let bad_names = reseal(&|b| b[names_at..names_at + 8].copy_from_slice(&2u64.to_le_bytes()));
    assert!(matches!(
        CoxPh::from_bytes(&bad_names),
        Err(Error::Decode { .. })
    ));
    let mut w = crate::codec::Writer::with_header(b"VCOX", 1);
    w.len(0);
    assert!(matches!(
        CoxPh::from_bytes(&w.seal()),
        Err(Error::Decode { .. })
    ));
    Ok(())
}

#[test]
fn names_missing_rows_and_version_1_bytes() -> Result<()> {
    let x = m(
        2,
        &[
            2.0, 1.0, 0.5, 0.0, 1.0, 1.0, 1.5, 0.0, -0.3, 1.0, 0.0, 0.0, 0.7, 1.0, -1.0, 0.0, 0.2,
            1.0,
        ],
    );
    let t = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0];
    let e = [1.0, 1.0, 1.0, 0.0, 1.0, 1.0, 0.0, 1.0, 1.0];
    let names = ["age".to_string(), "vip".to_string()];
    let o = CoxOptions::default();
    let fit = o.fit(CoxData::new(x.view(), &t, &e).names(&names))?;
    assert_eq!(fit.names, names);
    assert_eq!(fit.n_missing, 0);
    assert_eq!(fit.summary()[1].name, "vip");
    // a NaN names its row and column; skipping it equals fitting without the row
    let mut holey = x.clone();
    holey[[4, 1]] = f64::NAN;
    let err = o
        .fit(CoxData::new(holey.view(), &t, &e).names(&names))
        .unwrap_err();
    assert_eq!(
        err,
        Error::Missing {
            arg: "covariates['vip']",
            index: 4
        }
    );
    assert!(
        err.to_string()
            .starts_with("covariates['vip'][4] is missing")
    );
    let skip = o.missing(crate::MissingPolicy::Skip);
    let mut te = e;
    te[6] = f64::NAN;
    let skipped = skip.fit(CoxData::new(holey.view(), &t, &te).names(&names))?;
    let rows = [0, 1, 2, 3, 5, 7, 8];
    let xs = x.select(ndarray::Axis(0), &rows);
    let ts: Vec<f64> = rows.iter().map(|&i| t[i]).collect();
    let es: Vec<f64> = rows.iter().map(|&i| e[i]).collect();
    let want = o.fit(CoxData::new(xs.view(), &ts, &es).names(&names))?;
    assert_eq!(skipped.n_missing, 2);
    assert_eq!(skipped.coef, want.coef);
    assert_eq!(skipped.log_likelihood, want.log_likelihood);
    // names of the wrong length
    assert!(matches!(
        o.fit(CoxData::new(x.view(), &t, &e).names(&names[..1])),
        Err(Error::LengthMismatch { .. })
    ));
    // the bytes keep names and n_missing; version 1 bytes (without them) still read
    assert_eq!(CoxPh::from_bytes(&skipped.to_bytes())?, skipped);
    let v2 = fit.to_bytes();
    let body = &v2[..v2.len() - 8];
    let tail = 8 + (8 + 3) + (8 + 3) + 8; // count, "age", "vip", n_missing
    let mut v1 = body[..body.len() - tail].to_vec();
    v1[4..6].copy_from_slice(&1u16.to_le_bytes());
    let old = CoxPh::from_bytes(&crate::codec::Writer(v1).seal())?;
    assert_eq!(old.names, ["x0", "x1"]);
    assert_eq!(old.coef, fit.coef);
    assert_eq!(
        old.log_partial_hazard(x.view())?,
        fit.log_partial_hazard(x.view())?
    );
    Ok(())
}

#[test]
fn summary_has_hazard_ratio_intervals() -> Result<()> {
    let x = m(1, &[2.0, 0.5, 1.0, 1.5, -0.3, 0.0, 0.7, -1.0]);
    let t = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0];
    let fit = cox_ph(
        x.view(),
        &t,
        &[1.0, 1.0, 1.0, 0.0, 1.0, 1.0, 0.0, 1.0],
        &CoxOptions::default().confidence(0.9),
    )?;
    let row = &fit.summary()[0];
    assert_eq!((row.ci_low, row.ci_high), (fit.ci_low[0], fit.ci_high[0]));
    assert_eq!(row.hazard_ratio, fit.hazard_ratio[0]);
    assert_eq!(row.hazard_ratio_ci_low, fit.ci_low[0].exp());
    assert_eq!(row.hazard_ratio_ci_high, fit.ci_high[0].exp());
    assert_eq!(
        (row.z, row.p_value, row.se),
        (fit.z[0], fit.p_value[0], fit.se[0])
    );
    Ok(())
}
