//! Answers → theme patterns: each answer's themes as a bit mask, its per-answer value (points), and
//! the aggregates every part of the module works from (per pattern: answers and the sum of values;
//! per (pattern, value) cell: answers, for the bootstrap).

use std::collections::HashMap;

use ndarray::{ArrayView1, ArrayView2};

use super::{MAX_THEMES, ScoreMetric};
use crate::MissingPolicy;
use crate::error::{Error, Result, check_len};
use crate::metrics::Score;

/// Up to this many themes, answers are aggregated by pattern in a dense array (2^k slots).
const DENSE_THEMES: usize = 16;

/// Rows per block when the theme columns are read into masks.
const BLOCK: usize = 8192;

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

/// One theme column of [`theme_score_impact_columns`](super::theme_score_impact_columns): a value > 0
/// means the answer mentions the theme. Bytes (booleans) and integers are read as they are, without a
/// float copy.
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub enum ThemeColumn<'a> {
    /// Floats (NaN is missing), any stride.
    F64(ArrayView1<'a, f64>),
    /// Bytes: 0 is not mentioned, anything else mentioned (booleans read in place).
    U8(&'a [u8]),
    /// Integers (counts): > 0 is mentioned; negative is an error.
    I64(&'a [i64]),
}

impl ThemeColumn<'_> {
    fn len(&self) -> usize {
        match self {
            ThemeColumn::F64(c) => c.len(),
            ThemeColumn::U8(c) => c.len(),
            ThemeColumn::I64(c) => c.len(),
        }
    }
}

/// The columns of a matrix (answers × themes), any layout.
pub(super) fn matrix_columns(flags: ArrayView2<'_, f64>) -> Vec<ThemeColumn<'_>> {
    (0..flags.ncols())
        .map(|j| ThemeColumn::F64(flags.index_axis_move(ndarray::Axis(1), j)))
        .collect()
}

/// Sets bit `bit` of `masks` where the float column mentions the theme; NaN rows go to `missing`.
fn float_bits(
    c: impl Iterator<Item = f64>,
    bit: u64,
    masks: &mut [u64],
    start: usize,
    missing: &mut Vec<usize>,
) -> Result<()> {
    for (i, (f, m)) in c.zip(masks.iter_mut()).enumerate() {
        let i = start + i;
        if f > 0.0 {
            if f.is_infinite() {
                return Err(Error::NonFinite {
                    arg: "themes",
                    index: i,
                    value: f,
                });
            }
            *m |= bit;
        } else if f.is_nan() {
            missing.push(i);
        } else if f < 0.0 {
            return Err(Error::InvalidValue {
                arg: "themes",
                index: i,
                value: f,
                reason: "theme indicators and counts cannot be negative",
            });
        }
    }
    Ok(())
}

/// The checks on the theme count and `satisfied_from` shared by [`collect`] and [`aggregate_clean`].
fn check_shape(k: usize, satisfied_from: f64) -> Result<()> {
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
    Ok(())
}

/// What each NPS answer 0–10 counts: −100 (0–6), 0 (7–8), +100 (9–10).
const NPS_VALUES: [f64; 11] = [
    -100.0, -100.0, -100.0, -100.0, -100.0, -100.0, -100.0, 0.0, 0.0, 100.0, 100.0,
];

/// What a valid answer counts ([`ScoreMetric::value`] without the error): `None` for a missing or
/// invalid answer. Inlined in the aggregation loop (no `fract`, which is a libm call).
#[inline]
fn quick_value(metric: ScoreMetric, x: f64, satisfied_from: f64) -> Option<f64> {
    match metric {
        ScoreMetric::Nps => {
            // NaN fails the range test; the integer round trip is exact in 0..=10. The value comes
            // from a table, without a branch on the answer (random answers mispredict branches).
            if !(0.0..=10.0).contains(&x) || f64::from(x as i32) != x {
                return None;
            }
            NPS_VALUES.get(x as usize).copied()
        }
        ScoreMetric::Csat => x
            .is_finite()
            .then_some(if x >= satisfied_from { 100.0 } else { 0.0 }),
        ScoreMetric::Ces | ScoreMetric::Mean => x.is_finite().then_some(x),
    }
}

/// The answers of [`theme_score_impact`](super::theme_score_impact) aggregated in one pass without
/// a per-answer copy: the patterns (as [`Patterns::of`] gives them from [`collect`]'s answers), the
/// bootstrap cells when asked (as [`Cells::of`]), the shift and the number of answers.
pub(super) struct Aggregate {
    pub patterns: Patterns,
    pub cells: Option<Cells>,
    pub shift: f64,
}

/// The fast path of [`collect`] + [`Patterns::of`] (+ [`Cells::of`]) for clean data with at most
/// [`DENSE_THEMES`] themes: the same numbers, bit for bit (the same shift, the same order of every
/// sum), without the three answer-length arrays. The theme columns are read by blocks of rows into
/// one reused block of 16-bit masks, and each block is added to the dense per-pattern sums while
/// it is in cache. The scores are floats or integers (read in place: an integer score column needs no
/// float copy). `Ok(None)` when the data are not clean (a missing or invalid score or
/// indicator), when there are no answers or more than [`DENSE_THEMES`] themes: the caller then takes
/// the general path, which reports the error or leaves the missing rows out.
pub(super) fn aggregate_clean<S: Score>(
    scores: &[S],
    cols: &[ThemeColumn<'_>],
    metric: ScoreMetric,
    satisfied_from: f64,
    with_cells: bool,
) -> Result<Option<Aggregate>> {
    let (n, k) = (scores.len(), cols.len());
    for c in cols {
        check_len("scores", n, "themes", c.len())?;
    }
    check_shape(k, satisfied_from)?;
    if k > DENSE_THEMES || n == 0 {
        return Ok(None);
    }
    // Pass 1: every score valid, and the shift (the mean value, summed in row order as `collect`).
    let mut sum = -0.0_f64; // as `Sum for f64` starts
    for (b, block) in scores.chunks(BLOCK).enumerate() {
        if b.is_multiple_of(64) {
            crate::interrupt::check()?;
        }
        for &x in block {
            match quick_value(metric, x.to_f64(), satisfied_from) {
                Some(v) => sum += v,
                None => return Ok(None),
            }
        }
    }
    let shift = sum / n as f64;
    // Pass 2: masks by block, then the block's answers into the dense sums.
    let size = 1_usize << k;
    let (mut c, mut s, mut q) = (
        vec![0.0_f64; size],
        vec![0.0_f64; size],
        vec![0.0_f64; size],
    );
    let mut cells = with_cells.then(|| (HashMap::<(u64, u64), usize>::new(), Cells::default()));
    let mut masks = vec![0_u16; BLOCK.min(n)];
    for (b, sc) in scores.chunks(BLOCK).enumerate() {
        if b.is_multiple_of(64) {
            crate::interrupt::check()?;
        }
        let start = b * BLOCK;
        let end = start + sc.len();
        let block = masks.get_mut(..sc.len()).unwrap_or_default();
        block.fill(0);
        for (j, col) in cols.iter().enumerate() {
            let bit = 1_u16 << j;
            match col {
                ThemeColumn::U8(x) => {
                    for (m, &x) in block.iter_mut().zip(x.get(start..end).unwrap_or(&[])) {
                        *m |= u16::from(x != 0) * bit;
                    }
                }
                ThemeColumn::I64(x) => {
                    let x = x.get(start..end).unwrap_or(&[]);
                    if x.iter().any(|&v| v < 0) {
                        return Ok(None);
                    }
                    for (m, &v) in block.iter_mut().zip(x) {
                        *m |= u16::from(v > 0) * bit;
                    }
                }
                ThemeColumn::F64(x) => {
                    let v = x.slice(ndarray::s![start..end]);
                    let mut clean = true;
                    let mut one = |m: &mut u16, f: f64| {
                        // Anything but a finite value ≥ 0 (NaN, inf, negative) is not clean.
                        clean &= (0.0..f64::INFINITY).contains(&f);
                        *m |= u16::from(f > 0.0) * bit;
                    };
                    match v.as_slice() {
                        Some(x) => block.iter_mut().zip(x).for_each(|(m, &f)| one(m, f)),
                        None => block.iter_mut().zip(v.iter()).for_each(|(m, &f)| one(m, f)),
                    }
                    if !clean {
                        return Ok(None);
                    }
                }
            }
        }
        for (&m, &x) in block.iter().zip(sc) {
            let x = quick_value(metric, x.to_f64(), satisfied_from).unwrap_or(f64::NAN) - shift;
            let m = usize::from(m);
            if let (Some(c), Some(s), Some(q)) = (c.get_mut(m), s.get_mut(m), q.get_mut(m)) {
                *c += 1.0;
                *s += x;
                *q += x * x;
            }
            if let Some((index, cells)) = cells.as_mut() {
                let at = *index.entry((m as u64, x.to_bits())).or_insert_with(|| {
                    cells.masks.push(m as u64);
                    cells.values.push(x);
                    cells.count.push(0);
                    cells.masks.len() - 1
                });
                if let Some(n) = cells.count.get_mut(at) {
                    *n += 1;
                }
            }
        }
    }
    let mut patterns = Patterns::default();
    for (m, ((&c, &s), &q)) in c.iter().zip(&s).zip(&q).enumerate() {
        if c > 0.0 {
            patterns.masks.push(m as u64);
            patterns.count.push(c);
            patterns.sum.push(s);
            patterns.sumsq.push(q);
        }
    }
    Ok(Some(Aggregate {
        patterns,
        cells: cells.map(|(_, c)| c),
        shift,
    }))
}

/// Reads and checks the answers. `groups` (one code per answer, [`NO_GROUP`] for a missing label) is
/// read when given. Under [`MissingPolicy::Error`] the lowest row with a missing score, theme
/// indicator or group is the error; under `Skip` those rows are left out and counted.
pub(super) fn collect(
    scores: &[f64],
    cols: &[ThemeColumn<'_>],
    groups: Option<&[u32]>,
    metric: ScoreMetric,
    satisfied_from: f64,
    missing: MissingPolicy,
) -> Result<Answers> {
    let (n, k) = (scores.len(), cols.len());
    for c in cols {
        check_len("scores", n, "themes", c.len())?;
    }
    if let Some(g) = groups {
        check_len("scores", n, "by", g.len())?;
    }
    check_shape(k, satisfied_from)?;
    let mut masks = vec![0_u64; n];
    // (row, argument) of every missing value.
    let mut gaps: Vec<(usize, &'static str)> = Vec::new();
    gaps.extend(
        scores
            .iter()
            .enumerate()
            .filter(|(_, s)| s.is_nan())
            .map(|(i, _)| (i, "scores")),
    );
    let mut nan_rows: Vec<usize> = Vec::new();
    // Row blocks, every column per block: the block's masks stay in cache.
    for (b, block) in masks.chunks_mut(BLOCK).enumerate() {
        if b.is_multiple_of(64) {
            crate::interrupt::check()?;
        }
        let start = b * BLOCK;
        let end = start + block.len();
        for (j, col) in cols.iter().enumerate() {
            let bit = 1_u64 << j;
            match col {
                ThemeColumn::U8(c) => {
                    for (m, &x) in block.iter_mut().zip(c.get(start..end).unwrap_or(&[])) {
                        *m |= u64::from(x != 0) * bit;
                    }
                }
                ThemeColumn::I64(c) => {
                    let c = c.get(start..end).unwrap_or(&[]);
                    for (i, (m, &v)) in block.iter_mut().zip(c).enumerate() {
                        if v < 0 {
                            return Err(Error::InvalidValue {
                                arg: "themes",
                                index: start + i,
                                value: v as f64,
                                reason: "theme indicators and counts cannot be negative",
                            });
                        }
                        *m |= u64::from(v > 0) * bit;
                    }
                }
                ThemeColumn::F64(c) => {
                    let v = c.slice(ndarray::s![start..end]);
                    match v.as_slice() {
                        Some(x) => float_bits(x.iter().copied(), bit, block, start, &mut nan_rows)?,
                        None => float_bits(v.iter().copied(), bit, block, start, &mut nan_rows)?,
                    }
                }
            }
        }
    }
    gaps.extend(nan_rows.into_iter().map(|i| (i, "themes")));
    if let Some(g) = groups {
        gaps.extend(
            g.iter()
                .enumerate()
                .filter(|(_, c)| **c == NO_GROUP)
                .map(|(i, _)| (i, "by")),
        );
    }
    let skip: Option<Vec<bool>> = if gaps.is_empty() {
        None
    } else {
        if missing == MissingPolicy::Error
            && let Some(&(index, arg)) = gaps.iter().min_by_key(|(i, _)| *i)
        {
            return Err(Error::Missing { arg, index });
        }
        let mut skip = vec![false; n];
        for (i, _) in &gaps {
            if let Some(s) = skip.get_mut(*i) {
                *s = true;
            }
        }
        Some(skip)
    };
    let kept = skip
        .as_ref()
        .map_or(n, |s| s.iter().filter(|x| !**x).count());
    if skip.is_none() {
        // Every row kept: the masks and groups as they are, the values in place of nothing.
        let mut values = Vec::with_capacity(n);
        for (i, &s) in scores.iter().enumerate() {
            values.push(metric.value("scores", i, s, satisfied_from)?);
        }
        return finish(
            k,
            masks,
            values,
            groups.map(<[u32]>::to_vec).unwrap_or_default(),
            0,
        );
    }
    let mut out_masks = Vec::with_capacity(kept);
    let mut values = Vec::with_capacity(kept);
    let mut out_groups = Vec::with_capacity(if groups.is_some() { kept } else { 0 });
    for (i, (&s, &m)) in scores.iter().zip(&masks).enumerate() {
        if let Some(skip) = &skip
            && skip.get(i).copied().unwrap_or(true)
        {
            continue;
        }
        values.push(metric.value("scores", i, s, satisfied_from)?);
        out_masks.push(m);
        if let Some(g) = groups.and_then(|g| g.get(i)) {
            out_groups.push(*g);
        }
    }
    finish(k, out_masks, values, out_groups, n - kept)
}

/// The kept answers, their values shifted by their mean.
fn finish(
    k: usize,
    masks: Vec<u64>,
    mut values: Vec<f64>,
    groups: Vec<u32>,
    missing: usize,
) -> Result<Answers> {
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
        masks,
        values,
        groups,
        shift,
        missing,
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
    /// Aggregates the answers at `rows` (all when `None`) by pattern: in mask order up to
    /// [`DENSE_THEMES`] themes (one array slot per mask), else in first-seen order.
    pub(super) fn of(a: &Answers, rows: Option<&[usize]>) -> Patterns {
        match rows {
            None => Self::of_pairs(a.k, a.masks.iter().copied().zip(a.values.iter().copied())),
            Some(rows) => Self::of_pairs(
                a.k,
                rows.iter()
                    .filter_map(|&i| Some((*a.masks.get(i)?, *a.values.get(i)?))),
            ),
        }
    }

    fn of_pairs(k: usize, pairs: impl Iterator<Item = (u64, f64)>) -> Patterns {
        if k <= DENSE_THEMES {
            let size = 1_usize << k;
            let (mut c, mut s, mut q) = (vec![0.0; size], vec![0.0; size], vec![0.0; size]);
            for (m, x) in pairs {
                let m = m as usize;
                if let (Some(c), Some(s), Some(q)) = (c.get_mut(m), s.get_mut(m), q.get_mut(m)) {
                    *c += 1.0;
                    *s += x;
                    *q += x * x;
                }
            }
            let mut p = Patterns::default();
            for (m, ((&c, &s), &q)) in c.iter().zip(&s).zip(&q).enumerate() {
                if c > 0.0 {
                    p.masks.push(m as u64);
                    p.count.push(c);
                    p.sum.push(s);
                    p.sumsq.push(q);
                }
            }
            return p;
        }
        let mut index: HashMap<u64, usize> = HashMap::new();
        let mut p = Patterns::default();
        for (m, x) in pairs {
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
