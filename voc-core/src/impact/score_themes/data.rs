//! Answers → theme patterns: each answer's themes as a bit mask, its per-answer value (points), and
//! the aggregates every part of the module works from (per pattern: answers and the sum of values;
//! per (pattern, value) cell: answers, for the bootstrap).

use std::collections::HashMap;

use ndarray::ArrayView2;

use super::{MAX_THEMES, ScoreMetric};
use crate::MissingPolicy;
use crate::error::{Error, Result, check_len};

/// A group code that marks a missing group label.
pub const NO_GROUP: u32 = u32::MAX;

/// The answers kept: theme mask, value shifted by `shift` (the mean of all kept values, so sums of
/// squares keep their precision), group code.
pub(super) struct Answers {
    pub k: usize,
    pub masks: Vec<u64>,
    pub values: Vec<f64>,
    pub groups: Vec<u32>,
    pub shift: f64,
    pub missing: usize,
}

/// Reads and checks the answers. `groups` (one code per answer, [`NO_GROUP`] for a missing label) is
/// read when given. Under [`MissingPolicy::Error`] the lowest row with a missing score, theme
/// indicator or group is the error; under `Skip` those rows are left out and counted.
pub(super) fn collect(
    scores: &[f64],
    flags: ArrayView2<'_, f64>,
    groups: Option<&[u32]>,
    metric: ScoreMetric,
    satisfied_from: f64,
    missing: MissingPolicy,
) -> Result<Answers> {
    let (n, k) = flags.dim();
    check_len("scores", scores.len(), "themes", n)?;
    if let Some(g) = groups {
        check_len("scores", scores.len(), "by", g.len())?;
    }
    if k == 0 {
        return Err(Error::Empty {
            arg: "themes",
            what: "give at least one theme column",
        });
    }
    if k > MAX_THEMES {
        return Err(Error::TooLarge {
            arg: "themes",
            value: k.to_string(),
            limit: MAX_THEMES.to_string(),
            reason: "a theme pattern is a 64-bit mask".into(),
        });
    }
    if !satisfied_from.is_finite() {
        return Err(Error::option(
            "satisfied_from",
            satisfied_from,
            "must be a finite score",
        ));
    }
    let mut masks = vec![0_u64; n];
    let mut skip = vec![false; n];
    let mut first_missing: Option<(usize, &'static str)> = None;
    let mut note = |row: usize, arg: &'static str, skip: &mut Vec<bool>| {
        if let Some(s) = skip.get_mut(row) {
            *s = true;
        }
        if first_missing.is_none_or(|(r, _)| row < r) {
            first_missing = Some((row, arg));
        }
    };
    for (i, &s) in scores.iter().enumerate() {
        if s.is_nan() {
            note(i, "scores", &mut skip);
        }
    }
    for (j, col) in flags.columns().into_iter().enumerate() {
        crate::interrupt::check()?;
        let bit = 1_u64 << j;
        let mut one = |i: usize, f: f64, masks: &mut [u64], skip: &mut Vec<bool>| -> Result<()> {
            if f > 0.0 {
                if f.is_infinite() {
                    return Err(Error::NonFinite {
                        arg: "themes",
                        index: i,
                        value: f,
                    });
                }
                if let Some(m) = masks.get_mut(i) {
                    *m |= bit;
                }
            } else if f.is_nan() {
                note(i, "themes", skip);
            } else if f < 0.0 {
                return Err(Error::InvalidValue {
                    arg: "themes",
                    index: i,
                    value: f,
                    reason: "theme indicators and counts cannot be negative",
                });
            }
            Ok(())
        };
        match col.as_slice() {
            Some(c) => {
                for (i, &f) in c.iter().enumerate() {
                    one(i, f, &mut masks, &mut skip)?;
                }
            }
            None => {
                for (i, &f) in col.iter().enumerate() {
                    one(i, f, &mut masks, &mut skip)?;
                }
            }
        }
    }
    if let Some(g) = groups {
        for (i, &c) in g.iter().enumerate() {
            if c == NO_GROUP {
                note(i, "by", &mut skip);
            }
        }
    }
    if missing == MissingPolicy::Error
        && let Some((index, arg)) = first_missing
    {
        return Err(Error::Missing { arg, index });
    }
    let kept = skip.iter().filter(|s| !**s).count();
    let mut out_masks = Vec::with_capacity(kept);
    let mut values = Vec::with_capacity(kept);
    let mut out_groups = Vec::with_capacity(if groups.is_some() { kept } else { 0 });
    for (i, (&s, &m)) in scores.iter().zip(&masks).enumerate() {
        if skip.get(i).copied().unwrap_or(true) {
            continue;
        }
        values.push(metric.value("scores", i, s, satisfied_from)?);
        out_masks.push(m);
        if let Some(g) = groups.and_then(|g| g.get(i)) {
            out_groups.push(*g);
        }
    }
    if values.is_empty() {
        return Err(Error::Empty {
            arg: "scores",
            what: "no answers (after leaving out missing values)",
        });
    }
    let shift = values.iter().sum::<f64>() / values.len() as f64;
    for v in &mut values {
        *v -= shift;
    }
    Ok(Answers {
        k,
        masks: out_masks,
        values,
        groups: out_groups,
        shift,
        missing: n - kept,
    })
}

/// Answers per theme pattern: mask, answers, Σ shifted value and Σ its square.
#[derive(Debug, Clone, Default)]
pub(super) struct Patterns {
    pub masks: Vec<u64>,
    pub count: Vec<f64>,
    pub sum: Vec<f64>,
    pub sumsq: Vec<f64>,
}

impl Patterns {
    /// Aggregates the answers at `rows` (all when `None`) by pattern, in first-seen order.
    pub(super) fn of(a: &Answers, rows: Option<&[usize]>) -> Patterns {
        let mut index: HashMap<u64, usize> = HashMap::new();
        let mut p = Patterns::default();
        let mut add = |m: u64, x: f64| {
            let at = *index.entry(m).or_insert_with(|| {
                p.masks.push(m);
                p.count.push(0.0);
                p.sum.push(0.0);
                p.sumsq.push(0.0);
                p.masks.len() - 1
            });
            if let (Some(c), Some(s), Some(q)) =
                (p.count.get_mut(at), p.sum.get_mut(at), p.sumsq.get_mut(at))
            {
                *c += 1.0;
                *s += x;
                *q += x * x;
            }
        };
        match rows {
            None => {
                for (&m, &x) in a.masks.iter().zip(&a.values) {
                    add(m, x);
                }
            }
            Some(rows) => {
                for &i in rows {
                    if let (Some(&m), Some(&x)) = (a.masks.get(i), a.values.get(i)) {
                        add(m, x);
                    }
                }
            }
        }
        p
    }

    /// Total answers and Σ shifted value.
    pub(super) fn totals(&self) -> (f64, f64) {
        (self.count.iter().sum(), self.sum.iter().sum())
    }
}

/// Distinct (pattern, value) cells with their answers: the bootstrap resamples these (a multinomial
/// draw over the cells is a draw of the answers with replacement).
#[derive(Debug, Clone, Default)]
pub(super) struct Cells {
    pub masks: Vec<u64>,
    pub values: Vec<f64>,
    pub count: Vec<u64>,
}

impl Cells {
    /// The cells of the answers at `rows` (all when `None`).
    pub(super) fn of(a: &Answers, rows: Option<&[usize]>) -> Cells {
        let mut index: HashMap<(u64, u64), usize> = HashMap::new();
        let mut c = Cells::default();
        let mut add = |m: u64, x: f64| {
            let at = *index.entry((m, x.to_bits())).or_insert_with(|| {
                c.masks.push(m);
                c.values.push(x);
                c.count.push(0);
                c.masks.len() - 1
            });
            if let Some(n) = c.count.get_mut(at) {
                *n += 1;
            }
        };
        match rows {
            None => {
                for (&m, &x) in a.masks.iter().zip(&a.values) {
                    add(m, x);
                }
            }
            Some(rows) => {
                for &i in rows {
                    if let (Some(&m), Some(&x)) = (a.masks.get(i), a.values.get(i)) {
                        add(m, x);
                    }
                }
            }
        }
        c
    }

    /// One multinomial resample of the cells' answers (sequential conditional binomials), as
    /// patterns (first-seen order of the cells).
    pub(super) fn resample(&self, rng: &mut crate::stats::rng::Rng) -> Result<Patterns> {
        let total: u64 = self.count.iter().sum();
        let (mut left, mut rest) = (total, total);
        let mut index: HashMap<u64, usize> = HashMap::new();
        let mut p = Patterns::default();
        for ((&m, &x), &c) in self.masks.iter().zip(&self.values).zip(&self.count) {
            if left == 0 {
                break;
            }
            let draw = if c >= rest {
                left
            } else {
                rng.binomial(left, c as f64 / rest as f64, "resamples")?
            };
            left -= draw;
            rest = rest.saturating_sub(c);
            if draw == 0 {
                continue;
            }
            let at = *index.entry(m).or_insert_with(|| {
                p.masks.push(m);
                p.count.push(0.0);
                p.sum.push(0.0);
                p.sumsq.push(0.0);
                p.masks.len() - 1
            });
            let d = draw as f64;
            if let (Some(n), Some(s), Some(q)) =
                (p.count.get_mut(at), p.sum.get_mut(at), p.sumsq.get_mut(at))
            {
                *n += d;
                *s += d * x;
                *q += d * x * x;
            }
        }
        Ok(p)
    }
}

/// Percentile interval of the finite replicates (`None` when fewer than half are finite or there
/// are fewer than two).
pub(super) fn percentile(
    mut reps: Vec<f64>,
    total: usize,
    level: f64,
) -> Option<crate::stats::Interval> {
    reps.retain(|x| x.is_finite());
    if reps.len() < 2 || reps.len() * 2 < total {
        return None;
    }
    reps.sort_unstable_by(f64::total_cmp);
    let a = (1.0 - level) / 2.0;
    Some(crate::stats::Interval {
        low: crate::stats::quantile_sorted(&reps, a),
        high: crate::stats::quantile_sorted(&reps, 1.0 - a),
        level,
        method: crate::stats::Method::Bootstrap,
    })
}
