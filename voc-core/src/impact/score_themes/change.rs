//! Why the score moved: the change between two groups (periods or segments) split per theme into a
//! mix part and a rate part that add up to the observed change.
//!
//! The themes of an answer overlap, so the score is first written over a partition: an answer that
//! mentions `m` themes counts `1/m` towards each of them, and an answer that mentions none counts
//! towards a "no theme" part. With `q_j` the share of answers in part `j` (the shares add up to 1)
//! and `r_j` the score of part `j` (its answers' values, each weighted by its `1/m`), the score is
//! exactly `Σ_j q_j r_j`. Between a group A and a group B (Kitagawa's symmetric decomposition):
//!
//! * `mix_j = (q_j^B − q_j^A) · (r̄_j − c)` with `r̄_j = (r_j^A + r_j^B) / 2` and
//!   `c = (score_A + score_B) / 2`: a theme whose share grows pulls the score down when its score is
//!   below the average, up when above;
//! * `rate_j = q̄_j · (r_j^B − r_j^A)` with `q̄_j = (q_j^A + q_j^B) / 2`;
//!
//! and `Σ_j (mix_j + rate_j) = score_B − score_A` exactly (the shares' changes add up to 0, so the
//! centring by `c` moves nothing between the sum and the parts). A part that no answer of one group
//! falls into takes the other group's score there (its rate part is 0).

#[cfg(feature = "parallel")]
use rayon::prelude::*;

use ndarray::ArrayView2;

use super::data::{Cells, NO_GROUP, Patterns, ThemeColumn, percentile};
use super::{ScoreMetric, ScoreThemeOptions};
use crate::error::{Error, Result};
use crate::stats::Interval;
use crate::stats::rng::Rng;

/// One part (a theme, or the answers that mention none) of a change.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ChangePart {
    /// Theme name; `None` for the answers that mention no theme.
    pub theme: Option<String>,
    /// Share of the answers in this part before (an answer with m themes counts 1/m to each).
    pub share_before: f64,
    /// Share after.
    pub share_after: f64,
    /// Score of the part before (`None` when no answer falls into it).
    pub score_before: Option<f64>,
    /// Score of the part after.
    pub score_after: Option<f64>,
    /// Mix part: the share changed.
    pub mix: f64,
    /// Rate part: the score within the part changed.
    pub rate: f64,
    /// mix + rate.
    pub total: f64,
    /// Bootstrap interval of `mix` (`None` without resamples).
    pub mix_ci: Option<Interval>,
    /// Bootstrap interval of `rate`.
    pub rate_ci: Option<Interval>,
    /// Bootstrap interval of `total`.
    pub total_ci: Option<Interval>,
}

/// The change between two consecutive groups.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ChangePair {
    /// Group code before.
    pub before: u32,
    /// Group code after.
    pub after: u32,
    /// Answers before.
    pub n_before: u64,
    /// Answers after.
    pub n_after: u64,
    /// Score before.
    pub score_before: f64,
    /// Score after.
    pub score_after: f64,
    /// score_after − score_before (= Σ of the parts' totals).
    pub change: f64,
    /// Its bootstrap interval (`None` without resamples).
    pub change_ci: Option<Interval>,
    /// The themes in the order given, then the no-theme part.
    pub parts: Vec<ChangePart>,
}

/// The result of [`score_change`].
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ScoreChange {
    /// The score.
    pub metric: ScoreMetric,
    /// Answers used.
    pub n: u64,
    /// Answers left out for a missing value.
    pub n_missing: u64,
    /// Bootstrap resamples (0: no intervals).
    pub resamples: usize,
    /// Seed.
    pub seed: u64,
    /// Confidence level.
    pub confidence: f64,
    /// One entry per pair of consecutive groups that have answers, in group order.
    pub pairs: Vec<ChangePair>,
}

/// A group's score over the partition: answers, shifted sum, and per part (themes, then no theme)
/// its fractional answers `q` and fractional shifted sum `a`.
struct Split {
    n: f64,
    d: f64,
    q: Vec<f64>,
    a: Vec<f64>,
}

impl Split {
    fn of(p: &Patterns, k: usize) -> Split {
        let mut s = Split {
            n: 0.0,
            d: 0.0,
            q: vec![0.0; k + 1],
            a: vec![0.0; k + 1],
        };
        for ((&m, &c), &x) in p.masks.iter().zip(&p.count).zip(&p.sum) {
            s.n += c;
            s.d += x;
            if m == 0 {
                if let (Some(q), Some(a)) = (s.q.get_mut(k), s.a.get_mut(k)) {
                    *q += c;
                    *a += x;
                }
                continue;
            }
            let share = 1.0 / f64::from(m.count_ones());
            let mut bits = m;
            while bits != 0 {
                let j = bits.trailing_zeros() as usize;
                if let (Some(q), Some(a)) = (s.q.get_mut(j), s.a.get_mut(j)) {
                    *q += c * share;
                    *a += x * share;
                }
                bits &= bits - 1;
            }
        }
        s
    }
}

/// Decomposition A → B: per part (share A, share B, score A, score B, mix, rate), all shifted
/// scores (the shift cancels in mix and rate), and the change.
fn decompose(a: &Split, b: &Split) -> (Vec<[f64; 6]>, f64) {
    let (sa, sb) = (a.d / a.n, b.d / b.n);
    let c = (sa + sb) / 2.0;
    let parts = (0..a.q.len())
        .map(|j| {
            let (qa, qb) = (a.q[j] / a.n, b.q[j] / b.n);
            let ra = (a.q[j] > 0.0).then(|| a.a[j] / a.q[j]);
            let rb = (b.q[j] > 0.0).then(|| b.a[j] / b.q[j]);
            let (xa, xb) = match (ra, rb) {
                (Some(x), Some(y)) => (x, y),
                (Some(x), None) => (x, x),
                (None, Some(y)) => (y, y),
                (None, None) => (c, c),
            };
            let mix = (qb - qa) * ((xa + xb) / 2.0 - c);
            let rate = (qa + qb) / 2.0 * (xb - xa);
            [
                qa,
                qb,
                ra.unwrap_or(f64::NAN),
                rb.unwrap_or(f64::NAN),
                mix,
                rate,
            ]
        })
        .collect();
    (parts, sb - sa)
}

/// Why the score moved: for each pair of consecutive groups (`groups` holds dense codes in the
/// groups' order, [`NO_GROUP`] for a missing label), the change of the score split per theme into
/// mix and rate parts that add up to the change (see the [module docs](self)), with seeded
/// percentile-bootstrap intervals (each group's answers resampled on their own). Groups without
/// answers are passed over.
///
/// ```
/// use ndarray::array;
/// use voc_core::impact::score_themes::{score_change, ScoreThemeOptions};
/// // Period 0 then period 1; one theme, "refund".
/// let scores = [2.0, 3.0, 10.0, 9.0, 10.0, 4.0, 9.0, 10.0];
/// let themes = array![[1.0], [1.0], [0.0], [0.0], [0.0], [1.0], [0.0], [0.0]];
/// let period = [0, 0, 0, 0, 1, 1, 1, 1];
/// let r = score_change(&scores, themes.view(), &["refund"], &period,
///                      &ScoreThemeOptions::default().resamples(0))?;
/// let p = &r.pairs[0];
/// assert_eq!((p.score_before, p.score_after, p.change), (0.0, 50.0, 50.0));
/// let sum: f64 = p.parts.iter().map(|x| x.total).sum();
/// assert!((sum - p.change).abs() < 1e-12);
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn score_change(
    scores: &[f64],
    themes: ArrayView2<'_, f64>,
    names: &[&str],
    groups: &[u32],
    opts: &ScoreThemeOptions,
) -> Result<ScoreChange> {
    score_change_columns(
        scores,
        &super::data::matrix_columns(themes),
        names,
        groups,
        opts,
    )
}

/// [`score_change`] on separate theme columns, read in place (see
/// [`theme_score_impact_columns`](super::theme_score_impact_columns)).
///
/// ```
/// use voc_core::impact::score_themes::{score_change_columns, ScoreThemeOptions, ThemeColumn};
/// let o = ScoreThemeOptions::default().resamples(0);
/// let r = score_change_columns(&[3.0, 9.0, 10.0, 9.0], &[ThemeColumn::U8(&[1, 0, 0, 0])],
///                              &["refund"], &[0, 0, 1, 1], &o)?;
/// assert_eq!(r.pairs[0].change, 100.0);
/// # Ok::<(), voc_core::Error>(())
/// ```
#[doc(hidden)]
pub fn score_change_columns(
    scores: &[f64],
    themes: &[ThemeColumn<'_>],
    names: &[&str],
    groups: &[u32],
    opts: &ScoreThemeOptions,
) -> Result<ScoreChange> {
    let level = opts.validate()?;
    crate::error::check_len("themes", themes.len(), "names", names.len())?;
    let a = super::data::collect(
        scores,
        themes,
        Some(groups),
        opts.metric,
        opts.satisfied_from,
        opts.missing,
    )?;
    let k = a.k;
    let n_groups = a
        .groups
        .iter()
        .filter(|&&g| g != NO_GROUP)
        .max()
        .map_or(0, |&g| g as usize + 1);
    crate::group::check_count(n_groups)?;
    let mut rows: Vec<Vec<usize>> = vec![Vec::new(); n_groups];
    for (i, &g) in a.groups.iter().enumerate() {
        if let Some(r) = rows.get_mut(g as usize) {
            r.push(i);
        }
    }
    let used: Vec<usize> = (0..n_groups)
        .filter(|&g| rows.get(g).is_some_and(|r| !r.is_empty()))
        .collect();
    if used.len() < 2 {
        return Err(Error::InsufficientData(format!(
            "a change needs answers in at least two groups of `by`, got {}",
            used.len()
        )));
    }
    let splits: Vec<Split> = used
        .iter()
        .map(|&g| Split::of(&Patterns::of(&a, rows.get(g).map(Vec::as_slice)), k))
        .collect();
    // Bootstrap: per replicate, every group resampled; per pair, [change, mix.., rate.., total..].
    let kept = (opts.resamples as u128) * (used.len() as u128 - 1) * (1 + 3 * (k as u128 + 1));
    if kept > super::MAX_BOOTSTRAP_VALUES as u128 {
        return Err(Error::TooLarge {
            arg: "resamples",
            value: opts.resamples.to_string(),
            limit: super::MAX_BOOTSTRAP_VALUES.to_string(),
            reason: format!(
                "resamples × pairs of groups × (1 + 3 × (themes + 1)) = {kept} replicate values to keep; \
                 use fewer resamples, groups or themes"
            ),
        });
    }
    let reps: Vec<Vec<Vec<f64>>> = if opts.resamples > 0 {
        let cells: Vec<Cells> = used
            .iter()
            .map(|&g| Cells::of(&a, rows.get(g).map(Vec::as_slice)))
            .collect();
        replicates(&cells, k, opts.resamples, opts.seed)?
    } else {
        Vec::new()
    };
    let shift = a.shift;
    let mut pairs = Vec::with_capacity(used.len() - 1);
    for (p, w) in used.windows(2).enumerate() {
        let (sa, sb) = (&splits[p], &splits[p + 1]);
        let (parts, change) = decompose(sa, sb);
        let ci = |col: usize| {
            if reps.is_empty() {
                return None;
            }
            let v: Vec<f64> = reps
                .iter()
                .map(|r| {
                    r.get(p)
                        .and_then(|x| x.get(col))
                        .copied()
                        .unwrap_or(f64::NAN)
                })
                .collect();
            percentile(v, opts.resamples, level)
        };
        let out_parts = parts
            .iter()
            .enumerate()
            .map(|(j, x)| ChangePart {
                theme: names.get(j).map(|s| (*s).to_string()),
                share_before: x[0],
                share_after: x[1],
                score_before: x[2].is_finite().then(|| x[2] + shift),
                score_after: x[3].is_finite().then(|| x[3] + shift),
                mix: x[4],
                rate: x[5],
                total: x[4] + x[5],
                mix_ci: ci(1 + j),
                rate_ci: ci(1 + (k + 1) + j),
                total_ci: ci(1 + 2 * (k + 1) + j),
            })
            .collect();
        pairs.push(ChangePair {
            before: w[0] as u32,
            after: w[1] as u32,
            n_before: sa.n as u64,
            n_after: sb.n as u64,
            score_before: sa.d / sa.n + shift,
            score_after: sb.d / sb.n + shift,
            change,
            change_ci: ci(0),
            parts: out_parts,
        });
    }
    Ok(ScoreChange {
        metric: opts.metric,
        n: a.values.len() as u64,
        n_missing: a.missing as u64,
        resamples: opts.resamples,
        seed: opts.seed,
        confidence: level,
        pairs,
    })
}

/// Bootstrap replicates: for replicate `b` (ChaCha stream 2^33 + b of `seed`), each group's answers
/// resampled, then each consecutive pair's [change, mix.., rate.., total..].
fn replicates(
    cells: &[Cells],
    k: usize,
    resamples: usize,
    seed: u64,
) -> Result<Vec<Vec<Vec<f64>>>> {
    Rng::seeded(seed, "resamples")?;
    let one = |b: usize| -> Result<Vec<Vec<f64>>> {
        crate::interrupt::check()?;
        let mut rng = Rng::seeded(seed, "resamples")?;
        rng.set_stream((1_u64 << 33) + b as u64);
        let splits = cells
            .iter()
            .map(|c| Ok(Split::of(&c.resample(&mut rng)?, k)))
            .collect::<Result<Vec<_>>>()?;
        Ok(splits
            .windows(2)
            .map(|w| {
                let (parts, change) = decompose(&w[0], &w[1]);
                let mut v = Vec::with_capacity(1 + 3 * parts.len());
                v.push(change);
                v.extend(parts.iter().map(|x| x[4]));
                v.extend(parts.iter().map(|x| x[5]));
                v.extend(parts.iter().map(|x| x[4] + x[5]));
                v
            })
            .collect())
    };
    #[cfg(feature = "parallel")]
    {
        crate::interrupt::watch(|| {
            (0..resamples)
                .into_par_iter()
                .map(one)
                .collect::<Result<Vec<_>>>()
        })
    }
    #[cfg(not(feature = "parallel"))]
    {
        (0..resamples).map(one).collect()
    }
}
