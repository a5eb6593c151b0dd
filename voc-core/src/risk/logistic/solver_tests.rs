//! Tests of the solver's pass and Newton iterations.

use super::*;

/// Rows of `q` values in [-2, 2], labels and uneven weights (some exactly 1, some not).
fn rows(n: usize, q: usize) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let z: Vec<f64> = (0..n * q)
        .map(|k| (((k * 7919) % 1009) as f64 / 252.25) - 2.0)
        .collect();
    let y = (0..n)
        .map(|i| f64::from(u8::from((i * 31) % 7 < 3)))
        .collect();
    let s = (0..n)
        .map(|i| {
            if i % 5 == 0 {
                0.5 + (i % 3) as f64
            } else {
                1.0
            }
        })
        .collect();
    (z, y, s)
}

#[test]
fn the_avx2_build_of_the_pass_gives_the_same_bits() {
    for q in [1, 3, 4, 7, 20] {
        let (z, y, s) = rows(1_000, q);
        let beta: Vec<f64> = (0..=q).map(|j| 0.3 - 0.1 * j as f64).collect();
        for hessian in [false, true] {
            let plain = pass_rows(Rows::Dense(&z), q, &y, &s, &beta, hessian, 3..997);
            let best = pass_rows_best(Rows::Dense(&z), q, &y, &s, &beta, hessian, 3..997);
            assert_eq!(plain.0.to_bits(), best.0.to_bits());
            assert_eq!(plain.1, best.1);
            assert_eq!(plain.2, best.2);
            assert_eq!(plain.3, best.3);
        }
    }
}

#[test]
fn the_hessian_is_the_weighted_sum_of_the_rows_outer_products() {
    // Every width of the tiles (one to six groups of four, and more than one tile per row of
    // the Hessian), odd and even sizes, uneven weights, blocks cut short at the end.
    for q in [1, 2, 3, 4, 5, 7, 8, 20, 23, 30] {
        let (z, y, s) = rows(1_000, q);
        let beta: Vec<f64> = (0..=q).map(|j| 0.2 - 0.05 * j as f64).collect();
        let (_, g, h, _) = pass_rows_best(Rows::Dense(&z), q, &y, &s, &beta, true, 5..990);
        let d = q + 1;
        let mut want = vec![0.0; d * d];
        let mut want_g = vec![0.0; d];
        for i in 5..990 {
            let row: Vec<f64> = std::iter::once(1.0)
                .chain(z[i * q..(i + 1) * q].iter().copied())
                .collect();
            let p = 1.0 / (1.0 + (-eta_of(&beta, &row[1..])).exp());
            let w = s[i] * p * (1.0 - p);
            for a in 0..d {
                want_g[a] += s[i] * (p - y[i]) * row[a];
                for b in 0..d {
                    want[a * d + b] += w * row[a] * row[b];
                }
            }
        }
        for a in 0..d {
            assert!((g[a] - want_g[a]).abs() <= 1e-10 * (1.0 + want_g[a].abs()));
            // The upper triangle (the pass mirrors it after the chunks are added).
            for b in a..d {
                let (got, exp) = (h[a * d + b], want[a * d + b]);
                assert!(
                    (got - exp).abs() <= 1e-12 * (1.0 + exp.abs()),
                    "q {q}, h[{a}][{b}] = {got} vs {exp}"
                );
            }
        }
    }
}

#[test]
fn the_pass_loss_is_the_sum_of_the_row_losses() {
    let q = 5;
    let (z, y, s) = rows(2_000, q);
    let beta = vec![0.2, 1.5, -3.0, 0.7, 12.0, -0.4];
    let (f, ..) = pass_rows(Rows::Dense(&z), q, &y, &s, &beta, false, 0..2_000);
    let want = data_loss(&z, q, &y, &s, &beta);
    assert!((f - want).abs() <= 1e-13 * want.abs(), "{f} vs {want}");
}

#[test]
fn a_start_hessian_reaches_the_same_optimum_and_hessian() {
    let q = 4;
    let (z, y, s) = rows(6_000, q);
    let d = Data {
        z: Rows::Dense(&z),
        q,
        y: &y,
        s: &s,
    };
    let fit = |steps: usize, start: Option<Vec<f64>>| {
        solve(
            &d,
            vec![0.0; q + 1],
            0.0,
            0.0,
            100,
            1e-10,
            steps,
            true,
            start,
        )
        .unwrap_or_else(|_| panic!("fit"))
    };
    let cold = fit(2, None);
    // A rough stand-in Hessian: the exact one at the start, scaled by 1.3.
    let h0 = derivatives(Rows::Dense(&z), q, &y, &s, &[0.0; 5], true)
        .unwrap()
        .2;
    let warm = fit(1, Some(h0.iter().map(|v| v * 1.3).collect()));
    assert!(cold.conv.converged && warm.conv.converged);
    for (a, b) in cold.beta.iter().zip(&warm.beta) {
        assert!((a - b).abs() < 1e-10, "{a} vs {b}");
    }
    // Both stop with the Hessian, loss and gradient at the coefficients they return.
    for r in [&cold, &warm] {
        let (f, g, h) = derivatives(Rows::Dense(&z), q, &y, &s, &r.beta, true).unwrap();
        assert_eq!(r.h_data.as_deref(), Some(&h[..]));
        assert_eq!((r.f_data.to_bits(), &r.g_data), (f.to_bits(), &g));
        assert!(max_abs(&g) < 1e-8, "gradient {g:?}");
    }
    // A stand-in that does not factor is replaced by the Hessian at the start.
    let bad = fit(1, Some(vec![0.0; 25]));
    for (a, b) in cold.beta.iter().zip(&bad.beta) {
        assert!((a - b).abs() < 1e-10, "{a} vs {b}");
    }
}
