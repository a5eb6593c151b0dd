//! Uplift by percentile (decile by default): response rates per arm in bins of the ranking, with
//! intervals (`sklift.metrics.uplift_by_percentile`).

use super::check::{Arms, arms, descending, scores};
use super::curves::AtKStrategy;
use crate::error::{Error, Result};
use crate::stats::dist::normal_quantile;
use crate::stats::{
    Interval, IntervalOptions, Method, ShareInterval, check_confidence, proportion_interval,
};

/// Options of [`uplift_by_percentile`].
///
/// ```
/// use voc_core::uplift::PercentileOptions;
/// let o = PercentileOptions::default();
/// assert_eq!((o.bins, o.confidence), (10, 0.95));
/// assert!(PercentileOptions::default().bins(0).validate().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct PercentileOptions {
    /// Number of bins (default 10: deciles); at least 1 and fewer than the rows.
    pub bins: usize,
    /// Bins of all rows ranked together ([`AtKStrategy::Overall`], the default) or of each arm ranked
    /// separately ([`AtKStrategy::ByGroup`]).
    pub strategy: AtKStrategy,
    /// Confidence level of the intervals (default 0.95).
    pub confidence: f64,
    /// Interval of each arm's rate: [`ShareInterval::Wilson`] (default; the uplift then gets Newcombe's
    /// hybrid score interval) or [`ShareInterval::Wald`] (the uplift ± z · its standard error).
    pub interval: ShareInterval,
}

impl Default for PercentileOptions {
    fn default() -> Self {
        PercentileOptions {
            bins: 10,
            strategy: AtKStrategy::Overall,
            confidence: 0.95,
            interval: ShareInterval::Wilson,
        }
    }
}

crate::setters!(PercentileOptions {
    bins: usize,
    strategy: AtKStrategy,
    confidence: f64,
    interval: ShareInterval
});

impl PercentileOptions {
    /// Checks the options (the bins against the rows are checked by the function).
    pub fn validate(&self) -> Result<()> {
        if self.bins == 0 {
            return Err(Error::option("bins", self.bins, "must be at least 1"));
        }
        if !matches!(self.interval, ShareInterval::Wilson | ShareInterval::Wald) {
            return Err(Error::option(
                "interval",
                self.interval,
                "expected wilson or wald",
            ));
        }
        check_confidence(self.confidence).map(|_| ())
    }
}

/// One bin of the ranking (or the total).
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct UpliftBin {
    /// The bin's percentile range, as scikit-uplift writes it (`"0-10"`, `"10-20"`, ...; `"total"`).
    pub label: String,
    /// Treated rows in the bin.
    pub n_treated: usize,
    /// Control rows in the bin.
    pub n_control: usize,
    /// Responders among them.
    pub responders_treated: usize,
    /// Responders among them.
    pub responders_control: usize,
    /// Response rate of the treated (NaN exactly when `n_treated` is 0).
    pub rate_treated: f64,
    /// Response rate of the controls (NaN exactly when `n_control` is 0).
    pub rate_control: f64,
    /// `rate_treated − rate_control` (NaN when an arm has no row in the bin).
    pub uplift: f64,
    /// Standard error of `rate_treated`, √(r(1 − r)/n) (scikit-uplift's `std_treatment`).
    pub se_treated: f64,
    /// Standard error of `rate_control`.
    pub se_control: f64,
    /// Standard error of the uplift, √(se_t² + se_c²) (scikit-uplift's `std_uplift`).
    pub se_uplift: f64,
    /// Interval of `rate_treated` (None when the arm has no row in the bin).
    pub ci_treated: Option<Interval>,
    /// Interval of `rate_control`.
    pub ci_control: Option<Interval>,
    /// Interval of the uplift (None when an arm has no row in the bin).
    pub ci_uplift: Option<Interval>,
}

/// Uplift by percentile: one row per bin of the ranking, and the total.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct UpliftByPercentile {
    /// The bins, highest predicted uplift first.
    pub bins: Vec<UpliftBin>,
    /// All rows (scikit-uplift's `total=True` row; its standard errors are those of the whole arms).
    pub total: UpliftBin,
    /// The options used.
    pub options: PercentileOptions,
}

/// Sizes of `bins` nearly equal parts of `n` rows: the first `n % bins` one larger
/// (`numpy.array_split`).
fn split(n: usize, bins: usize) -> impl Iterator<Item = usize> {
    let (each, extra) = (n / bins, n % bins);
    (0..bins).map(move |b| each + usize::from(b < extra))
}

fn bin(
    label: String,
    counts: (usize, usize, usize, usize),
    opts: &PercentileOptions,
) -> Result<UpliftBin> {
    let (nt, yt, nc, yc) = counts;
    let rate = |y: usize, n: usize| y as f64 / n as f64; // NaN for an empty arm, as numpy's mean
    let (rt, rc) = (rate(yt, nt), rate(yc, nc));
    let var = |r: f64, n: usize| r * ((1.0 - r) / n as f64);
    let (vt, vc) = (var(rt, nt), var(rc, nc));
    let level = opts.confidence;
    let iopts = IntervalOptions {
        confidence: level,
        method: opts.interval,
    };
    let ci = |y: usize, n: usize| -> Result<Option<Interval>> {
        if n == 0 {
            return Ok(None);
        }
        proportion_interval(y as f64, n as f64, &iopts).map(Some)
    };
    let (ci_treated, ci_control) = (ci(yt, nt)?, ci(yc, nc)?);
    let uplift = rt - rc;
    let se_uplift = (vt + vc).sqrt();
    let ci_uplift = match (ci_treated, ci_control) {
        (Some(t), Some(c)) => Some(match opts.interval {
            ShareInterval::Wald => {
                let z = normal_quantile(0.5 + level / 2.0);
                Interval {
                    low: uplift - z * se_uplift,
                    high: uplift + z * se_uplift,
                    level,
                    method: Method::Wald,
                }
            }
            _ => Interval {
                low: uplift - ((rt - t.low).powi(2) + (c.high - rc).powi(2)).sqrt(),
                high: uplift + ((t.high - rt).powi(2) + (rc - c.low).powi(2)).sqrt(),
                level,
                method: Method::Newcombe,
            },
        }),
        _ => None,
    };
    Ok(UpliftBin {
        label,
        n_treated: nt,
        n_control: nc,
        responders_treated: yt,
        responders_control: yc,
        rate_treated: rt,
        rate_control: rc,
        uplift,
        se_treated: vt.sqrt(),
        se_control: vc.sqrt(),
        se_uplift,
        ci_treated,
        ci_control,
        ci_uplift,
    })
}

/// The percentile labels scikit-uplift gives `bins` bins: `"0-10"`, `"10-20"`, ... (Python's
/// `round`, half to even, of `p · 100 / bins`).
fn labels(bins: usize) -> Vec<String> {
    let edge = |p: usize| ((p * 100) as f64 / bins as f64).round_ties_even() as i64;
    (1..=bins)
        .map(|p| format!("{}-{}", if p == 1 { 0 } else { edge(p - 1) }, edge(p)))
        .collect()
}

/// Response rates per arm and their difference in bins of the ranking by `uplift`
/// (`sklift.metrics.uplift_by_percentile` with `std=True, total=True`), with an interval for each.
///
/// With [`AtKStrategy::Overall`] the ranked rows are split into `bins` nearly equal parts (the first
/// ones one row larger, as `numpy.array_split`), and each arm's rate is taken within each part; with
/// [`AtKStrategy::ByGroup`] each arm's ranked rows are split separately. Ties are ranked as
/// scikit-uplift ranks them (the later row first). An arm with no row in a bin has a NaN rate there
/// (its count says so) and no interval.
///
/// ```
/// use voc_core::uplift::{PercentileOptions, uplift_by_percentile};
/// let y = [1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 1.0];
/// let t = [1.0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 1.0];
/// let u = [0.9, 0.1, 0.2, 0.5, 0.8, 0.3, 0.4, 0.7];
/// let r = uplift_by_percentile(&y, &t, &u, &PercentileOptions::default().bins(2))?;
/// assert_eq!(r.bins[0].label, "0-50");
/// assert_eq!((r.bins[0].n_treated, r.bins[0].rate_treated), (4, 0.75));
/// assert!(r.bins[0].rate_control.is_nan()); // no control row in the top half: its count says so
/// assert_eq!(r.total.n_treated + r.total.n_control, 8);
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn uplift_by_percentile(
    outcome: &[f64],
    treatment: &[f64],
    uplift: &[f64],
    opts: &PercentileOptions,
) -> Result<UpliftByPercentile> {
    opts.validate()?;
    let a: Arms = arms(outcome, treatment)?;
    scores("uplift", uplift, outcome.len())?;
    let n = a.n();
    if opts.bins >= n {
        return Err(Error::too_large(
            "bins",
            opts.bins,
            n - 1,
            "there must be fewer bins than rows",
        ));
    }
    let order = descending(uplift);
    let tally = |rows: &[usize]| {
        let (mut nt, mut yt, mut nc, mut yc) = (0, 0, 0, 0);
        for &i in rows {
            let y = usize::from(outcome[i] == 1.0);
            if treatment[i] == 1.0 {
                nt += 1;
                yt += y;
            } else {
                nc += 1;
                yc += y;
            }
        }
        (nt, yt, nc, yc)
    };
    let mut counts = Vec::with_capacity(opts.bins);
    match opts.strategy {
        AtKStrategy::Overall => {
            let mut start = 0;
            for size in split(n, opts.bins) {
                counts.push(tally(&order[start..start + size]));
                start += size;
            }
        }
        AtKStrategy::ByGroup => {
            let (treated, control): (Vec<usize>, Vec<usize>) =
                order.iter().partition(|&&i| treatment[i] == 1.0);
            let (mut st, mut sc) = (0, 0);
            for (mt, mc) in split(treated.len(), opts.bins).zip(split(control.len(), opts.bins)) {
                let (nt, yt, _, _) = tally(&treated[st..st + mt]);
                let (_, _, nc, yc) = tally(&control[sc..sc + mc]);
                counts.push((nt, yt, nc, yc));
                st += mt;
                sc += mc;
            }
        }
    }
    let bins = labels(opts.bins)
        .into_iter()
        .zip(counts)
        .map(|(label, c)| bin(label, c, opts))
        .collect::<Result<Vec<_>>>()?;
    let total = bin(
        "total".into(),
        (
            a.n_treated,
            a.responders_treated,
            a.n_control,
            a.responders_control,
        ),
        opts,
    )?;
    Ok(UpliftByPercentile {
        bins,
        total,
        options: *opts,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_round_half_to_even_as_python() {
        assert_eq!(labels(10)[0], "0-10");
        assert_eq!(labels(10)[9], "90-100");
        // 100/8 = 12.5 → 12, 300/8 = 37.5 → 38, 500/8 = 62.5 → 62.
        assert_eq!(
            labels(8),
            [
                "0-12", "12-25", "25-38", "38-50", "50-62", "62-75", "75-88", "88-100"
            ]
        );
    }

    #[test]
    fn split_is_numpy_array_split() {
        assert_eq!(split(10, 3).collect::<Vec<_>>(), [4, 3, 3]);
        assert_eq!(split(2, 3).collect::<Vec<_>>(), [1, 1, 0]);
    }
}
