//! One period of the Farrington flexible method (Noufaily et al. 2013), as R's
//! `surveillance::farringtonFlexible` computes it with `thresholdMethod = "nbPlugin"`: reference
//! windows in earlier years, a seasonal factor over the rest of each year, a trend when it is
//! significant and does not extrapolate, down-weighting of past outbreaks by Anscombe residuals, and a
//! negative-binomial upper quantile.

use super::glm::{self, Glm};
use super::quantile::{upper_quantile, upper_tail};
use super::{AlertMethod, AlertOptions, AlertRow};
use crate::time::{Period, civil_from_days, days_from_civil};

/// Periods per year (None: a yearly series has no season).
pub(super) fn season_length(period: Period) -> Option<f64> {
    match period {
        Period::Day => Some(365.2425),
        Period::Week => Some(365.2425 / 7.0),
        Period::Month => Some(12.0),
        Period::Quarter => Some(4.0),
        Period::Year => None,
    }
}

/// The period index of the same date `years` years before period `k` (for weeks: the week whose
/// start is closest to that date, as `surveillance` picks the closest same weekday).
pub(super) fn years_back(period: Period, k: i64, years: i64) -> i64 {
    match period {
        Period::Month => k - 12 * years,
        Period::Quarter => k - 4 * years,
        Period::Year => k - years,
        Period::Day | Period::Week => {
            let start = period.start_day(k);
            let (y, m, d) = civil_from_days(start);
            let d = if m == 2 && d == 29 { 28 } else { d };
            let target = days_from_civil(y - years, m, d);
            match period {
                Period::Day => target,
                // Week k starts on day 7k + 4 (a Monday): the closest start to `target`.
                _ => (target - 4 + 3).div_euclid(7),
            }
        }
    }
}

/// The data of one fit: positions, counts, seasonal labels (0 = reference windows) and offsets.
pub(super) struct Design {
    pub pos: Vec<usize>,
    pub label: Vec<usize>,
    pub y: Vec<f64>,
    pub offset: Vec<f64>,
    pub n_labels: usize,
    pub years: usize,
}

/// Labels every position of the `years` years of baseline before position `i`.
pub(super) fn design(
    counts: &[f64],
    population: Option<&[f64]>,
    start: i64,
    period: Period,
    i: usize,
    opts: &Resolved,
) -> Option<Design> {
    let k = start + i as i64;
    let w = opts.half_window as i64;
    // Reference points, one per year back, while their window lies inside the series.
    let mut refs: Vec<i64> = Vec::new();
    for y in 1..=opts.years as i64 {
        let r = years_back(period, k, y) - start;
        if r - w < 0 {
            break;
        }
        refs.push(r);
    }
    if refs.is_empty() {
        return None;
    }
    let first = (refs.last()? - w) as usize;
    let mut labels: Vec<Option<usize>> = vec![None; i + 1 - first];
    let g = opts.groups;
    for (n, &r) in refs.iter().enumerate() {
        // The stretch between this window and the next one (the current window for the last year).
        let next = if n == 0 {
            k - start - w
        } else {
            refs[n - 1] - w
        };
        let from = r + w + 1;
        let len = next - from;
        if g > 1 && len > 0 {
            let blocks = (g - 1) as i64;
            let (size, rest) = (len / blocks, len % blocks);
            let mut at = from;
            for b in 0..blocks {
                let l = size + i64::from(b < rest);
                for j in at..at + l {
                    if let Some(slot) = labels.get_mut((j - first as i64) as usize) {
                        *slot = Some(b as usize + 1);
                    }
                }
                at += l;
            }
        }
    }
    for &r in &refs {
        for j in r - w..=r + w {
            if let Some(slot) = labels.get_mut((j - first as i64) as usize) {
                *slot = Some(0);
            }
        }
    }
    let last = i.checked_sub(opts.exclude_recent + 1)?;
    let mut d = Design {
        pos: Vec::new(),
        label: Vec::new(),
        y: Vec::new(),
        offset: Vec::new(),
        n_labels: g,
        years: refs.len(),
    };
    for j in first..=last {
        if let Some(l) = labels.get(j - first).copied().flatten() {
            d.pos.push(j);
            d.label.push(l);
            d.y.push(counts[j]);
            d.offset.push(population.map_or(0.0, |p| p[j].ln()));
        }
    }
    Some(d)
}

/// The design matrix: one indicator per seasonal label present (label 0 first), then the trend.
pub(super) struct Model {
    pub x: Vec<f64>,
    pub p: usize,
    /// Column of each label (None: absent).
    pub col: Vec<Option<usize>>,
    pub trend: bool,
    pub t0: usize,
    pub season: f64,
}

pub(super) fn model(d: &Design, trend: bool, season: f64) -> Option<Model> {
    let mut col = vec![None; d.n_labels.max(1)];
    let mut p = 0;
    for (l, c) in col.iter_mut().enumerate() {
        if d.label.contains(&l) {
            *c = Some(p);
            p += 1;
        }
    }
    col[0]?;
    let tcol = p;
    if trend {
        p += 1;
    }
    let t0 = *d.pos.first()?;
    let mut x = vec![0.0; d.pos.len() * p];
    for (r, (&l, &j)) in d.label.iter().zip(&d.pos).enumerate() {
        if let Some(c) = col.get(l).copied().flatten() {
            x[r * p + c] = 1.0;
        }
        if trend {
            x[r * p + tcol] = (j - t0) as f64 / season;
        }
    }
    Some(Model {
        x,
        p,
        col,
        trend,
        t0,
        season,
    })
}

/// Anscombe residuals of a Poisson fit scaled by √(φ (1 − h)) (`surveillance::anscombe.residuals`).
fn anscombe(m: &Model, d: &Design, g: &Glm, w: &[f64], phi: f64) -> Vec<f64> {
    (0..d.y.len())
        .map(|r| {
            let mu = g.mu[r];
            let h = g.hat(&m.x[r * m.p..(r + 1) * m.p], w[r], mu);
            let raw = 1.5 * (d.y[r].powf(2.0 / 3.0) * mu.powf(-1.0 / 6.0) - mu.sqrt());
            let den = (phi * (1.0 - h)).sqrt();
            if den > 1e-10 { raw / den } else { 0.0 }
        })
        .collect()
}

/// Weights γ s⁻² above the threshold and γ below, γ making them sum to n
/// (`surveillance::algo.farrington.assign.weights`).
fn weights(s: &[f64], threshold: f64) -> Vec<f64> {
    let total: f64 = s
        .iter()
        .map(|&v| if v > threshold { v.powi(-2) } else { 1.0 })
        .sum();
    let gamma = s.len() as f64 / total;
    s.iter()
        .map(|&v| {
            if v > threshold {
                gamma * v.powi(-2)
            } else {
                gamma
            }
        })
        .collect()
}

/// A fit, reweighted when asked: the model, the final fit and φ = max(dispersion, 1).
fn fit_reweighted(d: &Design, trend: bool, opts: &Resolved) -> Option<(Model, Glm, f64)> {
    let m = model(d, trend, opts.season)?;
    let ones = vec![1.0; d.y.len()];
    let g = glm::fit(&m.x, m.p, &d.y, &d.offset, &ones)?;
    let phi = g.dispersion.max(1.0);
    let Some(threshold) = opts.reweight else {
        return Some((m, g, phi));
    };
    let s = anscombe(&m, d, &g, &ones, phi);
    let w = weights(&s, threshold);
    let g = glm::fit(&m.x, m.p, &d.y, &d.offset, &w)?;
    let phi = g.dispersion.max(1.0);
    Some((m, g, phi))
}

/// Linear predictor at position `i` in the reference-window level.
fn eta_at(m: &Model, g: &Glm, i: usize, offset: f64) -> Option<f64> {
    let c = m.col.first().copied().flatten()?;
    let mut eta = g.beta.get(c)? + offset;
    if m.trend {
        eta += g.beta.get(m.p - 1)? * (i as f64 - m.t0 as f64) / m.season;
    }
    Some(eta)
}

/// Options with the per-period defaults filled in.
pub(super) struct Resolved {
    pub alpha: f64,
    pub years: usize,
    pub half_window: usize,
    pub groups: usize,
    pub exclude_recent: usize,
    pub reweight: Option<f64>,
    pub trend: bool,
    pub trend_p_value: f64,
    pub season: f64,
}

impl Resolved {
    pub(super) fn new(opts: &AlertOptions, season: f64) -> Resolved {
        Resolved {
            alpha: opts.alpha,
            years: opts.years,
            half_window: opts
                .half_window
                .unwrap_or_else(|| 3.min(((season - 2.0) / 2.0).floor().max(0.0) as usize)),
            groups: opts.seasonal_groups.max(1),
            exclude_recent: opts
                .exclude_recent
                .unwrap_or_else(|| (season / 2.0).round() as usize),
            reweight: opts.reweight_threshold,
            trend: opts.trend,
            trend_p_value: opts.trend_p_value,
            season,
        }
    }
}

/// The Farrington flexible row of position `i`, or `None` when the history is too short or the model
/// cannot be fitted (the caller falls back to the trailing baseline).
pub(super) fn evaluate(
    counts: &[f64],
    population: Option<&[f64]>,
    start: i64,
    period: Period,
    i: usize,
    opts: &Resolved,
) -> Option<AlertRow> {
    let d = design(counts, population, start, period, i, opts)?;
    let offset_now = population.map_or(0.0, |p| p[i].ln());
    let mut fitted = None;
    // With at least three years of baseline: keep the trend when it is significant and the prediction
    // does not exceed every baseline count (Farrington et al. 1996; surveillance's rules).
    if opts.trend
        && d.years >= 3
        && let Some((m, g, phi)) = fit_reweighted(&d, true, opts)
    {
        let eta = eta_at(&m, &g, i, offset_now)?;
        let se = (g.dispersion * g.inv[(m.p - 1) * m.p + (m.p - 1)]).sqrt();
        let beta = g.beta[m.p - 1];
        let p = if se > 0.0 {
            crate::stats::dist::t_two_sided_p(beta / se, g.df).unwrap_or(1.0)
        } else {
            1.0
        };
        let max_y = d.y.iter().copied().fold(0.0, f64::max);
        if p < opts.trend_p_value && eta.exp() <= max_y {
            fitted = Some((m, g, phi, true));
        }
    }
    if fitted.is_none() {
        let (m, g, phi) = fit_reweighted(&d, false, opts)?;
        fitted = Some((m, g, phi, false));
    }
    let (m, g, phi, trend) = fitted?;
    let eta = eta_at(&m, &g, i, offset_now)?;
    let expected = eta.exp();
    if !expected.is_finite() {
        return None;
    }
    let observed = counts[i];
    let upper = upper_quantile(1.0 - opts.alpha, expected, phi);
    Some(AlertRow {
        index: i,
        observed,
        expected,
        upper,
        ratio: (expected > 0.0).then(|| observed / expected),
        p_value: upper_tail(observed, expected, phi),
        alert: false,
        method: AlertMethod::FarringtonFlexible,
        dispersion: phi,
        trend,
        years: d.years,
    })
}
