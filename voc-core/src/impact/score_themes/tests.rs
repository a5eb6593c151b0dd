#![allow(clippy::unwrap_used)]

use super::*;
use ndarray::Array2;
use proptest::prelude::*;

/// A small deterministic generator (tests only).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// n NPS answers over k themes; theme j mentioned with probability ~ (j+1)/(3k); mentions lower the
/// score.
fn simulate(n: usize, k: usize, seed: u64) -> (Vec<f64>, Array2<f64>) {
    let mut g = Lcg(seed);
    let mut flags = Array2::<f64>::zeros((n, k));
    let mut scores = Vec::with_capacity(n);
    for i in 0..n {
        let mut hits = 0;
        for j in 0..k {
            if g.below(3 * k as u64) < (j + 1) as u64 {
                flags[[i, j]] = 1.0;
                hits += 1;
            }
        }
        let base = g.below(11) as i64 - 2 * hits;
        scores.push(base.clamp(0, 10) as f64);
    }
    (scores, flags)
}

fn value(x: f64) -> f64 {
    if x >= 9.0 {
        100.0
    } else if x <= 6.0 {
        -100.0
    } else {
        0.0
    }
}

/// Brute force: the score of the answers `keep` selects, straight from the rows.
fn score_where(scores: &[f64], keep: impl Fn(usize) -> bool) -> Option<f64> {
    let v: Vec<f64> = (0..scores.len())
        .filter(|&i| keep(i))
        .map(|i| value(scores[i]))
        .collect();
    (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
}

fn names(k: usize) -> Vec<String> {
    (0..k).map(|j| format!("t{j}")).collect()
}

#[test]
fn removal_and_theme_scores_equal_brute_force() {
    let (scores, flags) = simulate(3000, 5, 11);
    let nm = names(5);
    let nr: Vec<&str> = nm.iter().map(String::as_str).collect();
    let r = theme_score_impact(
        &scores,
        flags.view(),
        &nr,
        &ScoreThemeOptions::default().resamples(0),
    )
    .unwrap();
    let all = score_where(&scores, |_| true).unwrap();
    assert!((r.score - all).abs() < 1e-12);
    for (j, t) in r.themes.iter().enumerate() {
        let with = score_where(&scores, |i| flags[[i, j]] > 0.0).unwrap();
        let without = score_where(&scores, |i| flags[[i, j]] == 0.0).unwrap();
        assert!((t.score_mentioned.unwrap() - with).abs() < 1e-12);
        assert!((t.score_rest.unwrap() - without).abs() < 1e-12);
        assert!((t.removal_impact.unwrap() - (all - without)).abs() < 1e-12);
        let m = (0..3000).filter(|&i| flags[[i, j]] > 0.0).count() as u64;
        assert_eq!(t.mentions, m);
        assert!((t.share - m as f64 / 3000.0).abs() < 1e-15);
        assert!(t.p_value.is_some() && t.difference_ci.is_some());
    }
}

/// Brute-force Shapley values of v(S) = score of the answers whose themes lie in S.
fn brute_shapley(scores: &[f64], flags: &Array2<f64>) -> Vec<f64> {
    let k = flags.ncols();
    let mask = |i: usize| -> usize {
        (0..k)
            .filter(|&j| flags[[i, j]] > 0.0)
            .map(|j| 1 << j)
            .sum()
    };
    let masks: Vec<usize> = (0..scores.len()).map(mask).collect();
    let v = |s: usize| score_where(scores, |i| masks[i] & !s == 0).unwrap();
    let fact = |n: usize| (1..=n).map(|x| x as f64).product::<f64>();
    (0..k)
        .map(|j| {
            (0..1usize << k)
                .filter(|s| s & (1 << j) == 0)
                .map(|s| {
                    let z = s.count_ones() as usize;
                    fact(z) * fact(k - z - 1) / fact(k) * (v(s | 1 << j) - v(s))
                })
                .sum()
        })
        .collect()
}

#[test]
fn exact_shapley_equals_subset_enumeration_and_adds_up() {
    for (k, seed) in [(1, 1), (3, 2), (6, 3), (8, 4)] {
        let (scores, flags) = simulate(1500, k, seed);
        let nm = names(k);
        let nr: Vec<&str> = nm.iter().map(String::as_str).collect();
        let r = theme_score_impact(
            &scores,
            flags.view(),
            &nr,
            &ScoreThemeOptions::default().resamples(0),
        )
        .unwrap();
        assert_eq!(r.shapley_method, ShapleyMethod::Exact);
        let brute = brute_shapley(&scores, &flags);
        for (t, b) in r.themes.iter().zip(&brute) {
            assert!((t.shapley.unwrap() - b).abs() < 1e-10, "{k}: {t:?} vs {b}");
            assert_eq!(t.shapley_se, Some(0.0));
        }
        let sum: f64 = r.themes.iter().map(|t| t.shapley.unwrap()).sum();
        assert!(
            (sum - r.total.unwrap()).abs() < 1e-12,
            "{sum} {:?}",
            r.total
        );
        let none = score_where(&scores, |i| (0..k).all(|j| flags[[i, j]] == 0.0)).unwrap();
        assert!((r.score_no_theme.unwrap() - none).abs() < 1e-12);
    }
}

#[test]
fn sampled_shapley_adds_up_and_agrees_with_exact_within_its_error() {
    let (scores, flags) = simulate(4000, 7, 9);
    let nm = names(7);
    let nr: Vec<&str> = nm.iter().map(String::as_str).collect();
    let o = ScoreThemeOptions::default().resamples(0);
    let exact = theme_score_impact(&scores, flags.view(), &nr, &o).unwrap();
    let o = o
        .shapley(ShapleyMethod::Permutation)
        .permutations(4000)
        .seed(3);
    let mc = theme_score_impact(&scores, flags.view(), &nr, &o).unwrap();
    assert_eq!(
        (mc.shapley_method, mc.permutations),
        (ShapleyMethod::Permutation, 4000)
    );
    let sum: f64 = mc.themes.iter().map(|t| t.shapley.unwrap()).sum();
    assert!((sum - mc.total.unwrap()).abs() < 1e-10);
    for (e, m) in exact.themes.iter().zip(&mc.themes) {
        let se = m.shapley_se.unwrap();
        assert!(se > 0.0);
        assert!((e.shapley.unwrap() - m.shapley.unwrap()).abs() < 5.0 * se + 1e-9);
    }
    // Same seed, same values.
    assert_eq!(
        mc,
        theme_score_impact(&scores, flags.view(), &nr, &o).unwrap()
    );
}

#[test]
fn bootstrap_interval_covers_the_removal_impact_and_is_seeded() {
    let (scores, flags) = simulate(2000, 3, 5);
    let nr = ["a", "b", "c"];
    let o = ScoreThemeOptions::default().resamples(400).seed(1);
    let r = theme_score_impact(&scores, flags.view(), &nr, &o).unwrap();
    for t in &r.themes {
        let ci = t.removal_ci.unwrap();
        assert!(ci.low < t.removal_impact.unwrap() && t.removal_impact.unwrap() < ci.high);
        assert!(ci.high - ci.low > 0.1);
    }
    assert_eq!(
        r,
        theme_score_impact(&scores, flags.view(), &nr, &o).unwrap()
    );
    let other = theme_score_impact(&scores, flags.view(), &nr, &o.seed(2)).unwrap();
    assert_ne!(r.themes[0].removal_ci, other.themes[0].removal_ci);
}

#[test]
fn missing_values_are_errors_or_skipped_and_counted() {
    let scores = [9.0, f64::NAN, 3.0, 10.0];
    let flags = ndarray::array![[1.0], [0.0], [f64::NAN], [0.0]];
    let o = ScoreThemeOptions::default().resamples(0);
    let e = theme_score_impact(&scores, flags.view(), &["a"], &o).unwrap_err();
    assert_eq!(
        e,
        Error::Missing {
            arg: "scores",
            index: 1
        }
    );
    let r = theme_score_impact(
        &scores,
        flags.view(),
        &["a"],
        &o.missing(MissingPolicy::Skip),
    )
    .unwrap();
    assert_eq!((r.n, r.n_missing), (2, 2));
    assert_eq!(r.score, 100.0);
}

#[test]
fn bad_input_is_named() {
    let flags = ndarray::array![[1.0], [0.0]];
    let o = ScoreThemeOptions::default().resamples(0);
    assert!(matches!(
        theme_score_impact(&[9.0, 11.0], flags.view(), &["a"], &o),
        Err(Error::OutOfRange { index: 1, .. })
    ));
    assert!(matches!(
        theme_score_impact(&[9.0, 7.5], flags.view(), &["a"], &o),
        Err(Error::NotWhole { index: 1, .. })
    ));
    let neg = ndarray::array![[1.0], [-1.0]];
    assert!(matches!(
        theme_score_impact(&[9.0, 7.0], neg.view(), &["a"], &o),
        Err(Error::InvalidValue {
            arg: "themes",
            index: 1,
            ..
        })
    ));
    assert!(matches!(
        theme_score_impact(&[9.0], flags.view(), &["a"], &o),
        Err(Error::LengthMismatch { .. })
    ));
    assert!(theme_score_impact(&[9.0, 7.0], flags.view(), &["a"], &o.resamples(5)).is_err());
    assert!(theme_score_impact(&[9.0, 7.0], flags.view(), &["a"], &o.permutations(1)).is_err());
    let wide = Array2::<f64>::zeros((2, 21));
    let nm = names(21);
    let nr: Vec<&str> = nm.iter().map(String::as_str).collect();
    assert!(matches!(
        theme_score_impact(
            &[9.0, 7.0],
            wide.view(),
            &nr,
            &o.shapley(ShapleyMethod::Exact)
        ),
        Err(Error::TooLarge { .. })
    ));
}

#[test]
fn every_answer_mentioning_a_theme_leaves_shapley_and_removal_undefined() {
    let flags = ndarray::array![[1.0], [1.0], [1.0]];
    let r = theme_score_impact(
        &[9.0, 3.0, 10.0],
        flags.view(),
        &["a"],
        &ScoreThemeOptions::default(),
    )
    .unwrap();
    let t = &r.themes[0];
    assert_eq!((r.score_no_theme, r.total, t.shapley), (None, None, None));
    assert_eq!(
        (t.removal_impact, t.removal_ci, t.score_rest),
        (None, None, None)
    );
}

#[test]
fn csat_and_mean_scores() {
    let flags = ndarray::array![[1.0], [0.0], [0.0], [1.0]];
    let o = ScoreThemeOptions::default().resamples(0);
    let r = theme_score_impact(
        &[5.0, 4.0, 3.0, 2.0],
        flags.view(),
        &["a"],
        &o.metric(ScoreMetric::Csat),
    )
    .unwrap();
    assert_eq!(r.score, 50.0);
    assert_eq!(r.themes[0].removal_impact, Some(0.0));
    let r = theme_score_impact(
        &[5.0, 4.0, 3.0, 2.0],
        flags.view(),
        &["a"],
        &o.metric(ScoreMetric::Mean),
    )
    .unwrap();
    assert_eq!((r.score, r.themes[0].removal_impact), (3.5, Some(0.0)));
    assert_eq!(r.themes[0].score_mentioned, Some(3.5));
}

#[test]
fn change_parts_add_up_and_match_a_hand_computation() {
    // Before: 2 refund answers (−100 each), 2 with no theme (+100). After: 1 refund (−100), 3 none.
    let scores = [2.0, 3.0, 10.0, 9.0, 4.0, 10.0, 9.0, 10.0];
    let flags = ndarray::array![[1.0], [1.0], [0.0], [0.0], [1.0], [0.0], [0.0], [0.0]];
    let g = [0, 0, 0, 0, 1, 1, 1, 1];
    let r = score_change(
        &scores,
        flags.view(),
        &["refund"],
        &g,
        &ScoreThemeOptions::default().resamples(0),
    )
    .unwrap();
    let p = &r.pairs[0];
    assert_eq!((p.score_before, p.score_after, p.change), (0.0, 50.0, 50.0));
    let refund = &p.parts[0];
    // Shares 0.5 → 0.25 at a score of −100 against an average of 25: mix = −0.25 × (−125).
    assert!((refund.mix - 31.25).abs() < 1e-12 && refund.rate.abs() < 1e-12);
    assert_eq!(p.parts[1].theme, None);
    let sum: f64 = p.parts.iter().map(|x| x.total).sum();
    assert!((sum - p.change).abs() < 1e-12);
}

#[test]
fn change_over_several_periods_pairs_consecutive_groups_with_intervals() {
    let (scores, flags) = simulate(3000, 4, 21);
    let g: Vec<u32> = (0..3000).map(|i| (i % 3) as u32).collect();
    let nr = ["a", "b", "c", "d"];
    let o = ScoreThemeOptions::default().resamples(200).seed(4);
    let r = score_change(&scores, flags.view(), &nr, &g, &o).unwrap();
    assert_eq!(r.pairs.len(), 2);
    assert_eq!((r.pairs[1].before, r.pairs[1].after), (1, 2));
    for p in &r.pairs {
        let ci = p.change_ci.unwrap();
        assert!(ci.low <= p.change && p.change <= ci.high);
        assert!(p.parts.iter().all(|x| x.total_ci.is_some()));
    }
    assert_eq!(r, score_change(&scores, flags.view(), &nr, &g, &o).unwrap());
    let one = [0_u32; 3000];
    assert!(score_change(&scores, flags.view(), &nr, &one, &o).is_err());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn change_decomposition_adds_up_exactly(
        rows in proptest::collection::vec((0u8..=10, 0u8..8, 0u32..3), 2..200),
    ) {
        let k = 3;
        let n = rows.len();
        let scores: Vec<f64> = rows.iter().map(|r| f64::from(r.0)).collect();
        let mut flags = Array2::<f64>::zeros((n, k));
        for (i, r) in rows.iter().enumerate() {
            for j in 0..k {
                if r.1 & (1 << j) != 0 {
                    flags[[i, j]] = 1.0;
                }
            }
        }
        let g: Vec<u32> = rows.iter().map(|r| r.2).collect();
        let used = (0..3).filter(|c| g.contains(c)).count();
        let res = score_change(&scores, flags.view(), &["a", "b", "c"], &g,
                               &ScoreThemeOptions::default().resamples(0));
        if used < 2 {
            prop_assert!(res.is_err());
        } else {
            let res = res.unwrap();
            prop_assert_eq!(res.pairs.len(), used - 1);
            for p in &res.pairs {
                let sum: f64 = p.parts.iter().map(|x| x.mix + x.rate).sum();
                prop_assert!((sum - p.change).abs() < 1e-9, "{} vs {}", sum, p.change);
                prop_assert!((p.score_after - p.score_before - p.change).abs() < 1e-9);
                let shares: f64 = p.parts.iter().map(|x| x.share_before).sum();
                prop_assert!((shares - 1.0).abs() < 1e-12);
            }
        }
    }

    #[test]
    fn shapley_adds_up_to_the_total(
        rows in proptest::collection::vec((0u8..=10, 0u8..16), 1..150),
    ) {
        let k = 4;
        let n = rows.len();
        let scores: Vec<f64> = rows.iter().map(|r| f64::from(r.0)).collect();
        let mut flags = Array2::<f64>::zeros((n, k));
        for (i, r) in rows.iter().enumerate() {
            for j in 0..k {
                if r.1 & (1 << j) != 0 {
                    flags[[i, j]] = 1.0;
                }
            }
        }
        let r = theme_score_impact(&scores, flags.view(), &["a", "b", "c", "d"],
                                   &ScoreThemeOptions::default().resamples(0)).unwrap();
        match r.total {
            Some(total) => {
                let sum: f64 = r.themes.iter().map(|t| t.shapley.unwrap()).sum();
                prop_assert!((sum - total).abs() < 1e-12);
            }
            None => prop_assert!(r.themes.iter().all(|t| t.shapley.is_none())),
        }
    }
}

#[test]
fn byte_and_integer_columns_read_like_the_float_matrix() {
    let (scores, flags) = simulate(800, 5, 31);
    let bytes: Vec<Vec<u8>> = (0..5)
        .map(|j| flags.column(j).iter().map(|&f| u8::from(f > 0.0)).collect())
        .collect();
    let ints: Vec<Vec<i64>> = (0..5)
        .map(|j| flags.column(j).iter().map(|&f| 3 * f as i64).collect())
        .collect();
    let nr = ["a", "b", "c", "d", "e"];
    let o = ScoreThemeOptions::default().resamples(50);
    let m = theme_score_impact(&scores, flags.view(), &nr, &o).unwrap();
    let b: Vec<ThemeColumn<'_>> = bytes.iter().map(|c| ThemeColumn::U8(c)).collect();
    let i: Vec<ThemeColumn<'_>> = ints.iter().map(|c| ThemeColumn::I64(c)).collect();
    assert_eq!(theme_score_impact_columns(&scores, &b, &nr, &o).unwrap(), m);
    assert_eq!(theme_score_impact_columns(&scores, &i, &nr, &o).unwrap(), m);
    let neg = [ThemeColumn::I64(&[0, -2])];
    assert!(matches!(
        theme_score_impact_columns(&[9.0, 3.0], &neg, &["a"], &o),
        Err(Error::InvalidValue { index: 1, .. })
    ));
    // Fortran-ordered and strided matrices read the same.
    let f = flags.t().as_standard_layout().into_owned().reversed_axes();
    assert_eq!(theme_score_impact(&scores, f.view(), &nr, &o).unwrap(), m);
}

#[test]
fn many_themes_aggregate_without_the_dense_array_and_agree() {
    // 17 themes: patterns in a hash map; the exact values still equal subset enumeration on 10 themes.
    let (scores, flags) = simulate(600, 17, 41);
    let nm = names(17);
    let nr: Vec<&str> = nm.iter().map(String::as_str).collect();
    let o = ScoreThemeOptions::default()
        .resamples(0)
        .shapley(ShapleyMethod::Exact);
    let r = theme_score_impact(&scores, flags.view(), &nr, &o).unwrap();
    let sum: f64 = r.themes.iter().map(|t| t.shapley.unwrap()).sum();
    assert!((sum - r.total.unwrap()).abs() < 1e-12);
    for (j, t) in r.themes.iter().enumerate() {
        let without = score_where(&scores, |i| flags[[i, j]] == 0.0).unwrap();
        assert!((t.removal_impact.unwrap() - (r.score - without)).abs() < 1e-12);
    }
}

#[test]
fn positions_in_later_row_blocks_are_reported_exactly() {
    let n = 20_000;
    let scores = vec![9.0; n];
    let mut flags = Array2::<f64>::zeros((n, 2));
    flags[[17_000, 1]] = f64::NAN;
    let o = ScoreThemeOptions::default().resamples(0);
    assert_eq!(
        theme_score_impact(&scores, flags.view(), &["a", "b"], &o).unwrap_err(),
        Error::Missing {
            arg: "themes",
            index: 17_000
        }
    );
    let mut ints = vec![0_i64; n];
    ints[9_000] = -1;
    assert!(matches!(
        theme_score_impact_columns(&scores, &[ThemeColumn::I64(&ints)], &["a"], &o),
        Err(Error::InvalidValue { index: 9_000, .. })
    ));
    let r = theme_score_impact(
        &scores,
        flags.view(),
        &["a", "b"],
        &o.missing(MissingPolicy::Skip),
    )
    .unwrap();
    assert_eq!((r.n, r.n_missing), (19_999, 1));
}

#[test]
fn bootstrap_memory_of_a_change_is_bounded() {
    let flags = Array2::<f64>::zeros((6, 64));
    let nm = names(64);
    let nr: Vec<&str> = nm.iter().map(String::as_str).collect();
    let g = [0, 0, 1, 1, 2, 2];
    let o = ScoreThemeOptions::default().resamples(100_000);
    assert!(matches!(
        score_change(&[9.0, 3.0, 10.0, 8.0, 2.0, 9.0], flags.view(), &nr, &g, &o),
        Err(Error::TooLarge {
            arg: "resamples",
            ..
        })
    ));
}

/// The one-pass aggregation of clean data gives the general path's patterns, cells and shift bit for
/// bit, for every column kind and metric; data that are not clean go to the general path.
#[test]
fn the_clean_fast_path_equals_the_general_path_bit_for_bit() {
    use super::data::{Cells, Patterns, aggregate_clean, collect};
    let n = 20_000;
    let (scores, flags) = simulate(n, 6, 3);
    let bytes: Vec<u8> = (0..n).map(|i| u8::from(flags[[i, 0]] > 0.0)).collect();
    let counts: Vec<i64> = (0..n).map(|i| 3 * flags[[i, 1]] as i64).collect();
    // A strided float view (column 2 of a row-major matrix) and contiguous ones.
    let mut cols = vec![ThemeColumn::U8(&bytes), ThemeColumn::I64(&counts)];
    cols.extend((2..6).map(|j| ThemeColumn::F64(flags.column(j))));
    let wide: Vec<f64> = scores.iter().map(|s| s * 1.37 + 1e6).collect();
    for (metric, sc) in [
        (ScoreMetric::Nps, &scores),
        (ScoreMetric::Csat, &scores),
        (ScoreMetric::Mean, &wide),
    ] {
        let fast = aggregate_clean(sc, &cols, metric, 7.0, true)
            .unwrap()
            .unwrap();
        let a = collect(sc, &cols, None, metric, 7.0, crate::MissingPolicy::Error).unwrap();
        let (p, c) = (Patterns::of(&a, None), Cells::of(&a, None));
        let q = &fast.patterns;
        assert_eq!(fast.shift.to_bits(), a.shift.to_bits(), "{metric:?}");
        assert_eq!(q.masks, p.masks);
        for (x, y) in [(&q.count, &p.count), (&q.sum, &p.sum), (&q.sumsq, &p.sumsq)] {
            let bits = |v: &Vec<f64>| v.iter().map(|f| f.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(x), bits(y), "{metric:?}");
        }
        let fc = fast.cells.unwrap();
        assert_eq!((&fc.masks, &fc.count), (&c.masks, &c.count));
        assert_eq!(
            fc.values.iter().map(|f| f.to_bits()).collect::<Vec<_>>(),
            c.values.iter().map(|f| f.to_bits()).collect::<Vec<_>>()
        );
    }
    // Not clean: a NaN score, a NaN or negative indicator, more than 16 themes.
    let mut nan_score = scores.clone();
    nan_score[5] = f64::NAN;
    assert!(
        aggregate_clean(&nan_score, &cols, ScoreMetric::Nps, 4.0, false)
            .unwrap()
            .is_none()
    );
    let mut bad = flags.column(2).to_vec();
    bad[7] = f64::NAN;
    let nan_col = [ThemeColumn::F64(ndarray::ArrayView1::from(&bad))];
    assert!(
        aggregate_clean(&scores, &nan_col, ScoreMetric::Nps, 4.0, false)
            .unwrap()
            .is_none()
    );
    let neg = vec![-1_i64; n];
    assert!(
        aggregate_clean(
            &scores,
            &[ThemeColumn::I64(&neg)],
            ScoreMetric::Nps,
            4.0,
            false
        )
        .unwrap()
        .is_none()
    );
    let many = vec![ThemeColumn::U8(&bytes); 17];
    assert!(
        aggregate_clean(&scores, &many, ScoreMetric::Nps, 4.0, false)
            .unwrap()
            .is_none()
    );
    // ... and through the public function the general path answers as before.
    let o = ScoreThemeOptions::default()
        .resamples(0)
        .missing(crate::MissingPolicy::Skip);
    let r = theme_score_impact(
        &nan_score,
        flags.view(),
        &["a", "b", "c", "d", "e", "f"],
        &o,
    )
    .unwrap();
    assert_eq!((r.n, r.n_missing), (n as u64 - 1, 1));
}

/// Integer scores read in place give the float scores' result, and the same errors.
#[test]
fn integer_scores_equal_float_scores() {
    let (scores, flags) = simulate(5_000, 4, 9);
    let ints: Vec<i64> = scores.iter().map(|&s| s as i64).collect();
    let cols: Vec<ThemeColumn<'_>> = (0..4).map(|j| ThemeColumn::F64(flags.column(j))).collect();
    let nm = ["a", "b", "c", "d"];
    for metric in [ScoreMetric::Nps, ScoreMetric::Mean] {
        let o = ScoreThemeOptions::default().metric(metric).resamples(50);
        let a = theme_score_impact_int_columns(&ints, &cols, &nm, &o).unwrap();
        let b = theme_score_impact_columns(&scores, &cols, &nm, &o).unwrap();
        assert_eq!(a, b);
    }
    let mut bad = ints.clone();
    bad[3] = 11;
    let o = ScoreThemeOptions::default().resamples(0);
    let e = theme_score_impact_int_columns(&bad, &cols, &nm, &o).unwrap_err();
    let f: Vec<f64> = bad.iter().map(|&x| x as f64).collect();
    assert_eq!(
        e,
        theme_score_impact_columns(&f, &cols, &nm, &o).unwrap_err()
    );
    assert!(matches!(e, Error::OutOfRange { index: 3, .. }));
}
