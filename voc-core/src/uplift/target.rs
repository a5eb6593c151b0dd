//! Targeting: who to call when the call's effect on each customer (the uplift) is known, ranked by the
//! expected value of the play, `value × uplift − contact_cost`, with a budget or the break-even rule,
//! and what the list is expected to deliver (saves and net value) with a bootstrap interval.

#[cfg(feature = "parallel")]
use rayon::prelude::*;

use ndarray::{ArrayView2, Axis};

use super::curves::TopK;
use super::{UpliftData, UpliftModel, UpliftReason};
use crate::Fit;
use crate::error::{Error, Result, check_len};
use crate::stats::rng::Rng;
use crate::stats::{Interval, Method, check_confidence, quantile_sorted};

/// The fewest bootstrap resamples [`target_model`] accepts for its interval: 100.
pub const MIN_TARGET_RESAMPLES: usize = 100;
/// The most bootstrap resamples [`target_model`] accepts: 10,000 (each refits the model).
pub const MAX_TARGET_RESAMPLES: usize = 10_000;

/// Options of [`target`] and [`target_model`].
///
/// ```
/// use voc_core::uplift::{TargetOptions, TopK};
/// let o = TargetOptions::default();
/// assert_eq!((o.contact_cost, o.budget, o.break_even, o.reasons), (5.0, None, true, 3));
/// assert!(TargetOptions::default().budget(Some(TopK::Share(1.5))).validate().is_err());
/// assert!(TargetOptions::default().resamples(Some(10)).validate().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct TargetOptions {
    /// Cost of one contact, in the unit of the customer values (default 5, as the alerts').
    pub contact_cost: f64,
    /// At most this many customers: a count (1 to the number scored; more is
    /// [`Error::TooLarge`]) or a share in (0, 1] of the customers scored (`⌊share · n⌋`). None (the
    /// default): no limit.
    pub budget: Option<TopK>,
    /// Only customers whose expected net value is positive (the break-even rule; default true).
    pub break_even: bool,
    /// Reasons listed per customer (0 to 20, default 3), from the model's contributions.
    pub reasons: usize,
    /// Bootstrap resamples of the interval of the list's totals ([`MIN_TARGET_RESAMPLES`] to
    /// [`MAX_TARGET_RESAMPLES`]); None (the default): no interval.
    pub resamples: Option<usize>,
    /// Level of the interval (default 0.95).
    pub confidence: f64,
    /// Seed of the resamples (default 0).
    pub seed: u64,
}

impl Default for TargetOptions {
    fn default() -> Self {
        TargetOptions {
            contact_cost: 5.0,
            budget: None,
            break_even: true,
            reasons: 3,
            resamples: None,
            confidence: 0.95,
            seed: 0,
        }
    }
}

crate::setters!(TargetOptions {
    contact_cost: f64,
    budget: Option<TopK>,
    break_even: bool,
    reasons: usize,
    resamples: Option<usize>,
    confidence: f64,
    seed: u64
});

impl TargetOptions {
    /// Checks the options.
    pub fn validate(&self) -> Result<()> {
        if !(self.contact_cost >= 0.0 && self.contact_cost.is_finite()) {
            return Err(Error::option(
                "contact_cost",
                self.contact_cost,
                "must be finite and not negative",
            ));
        }
        match self.budget {
            Some(TopK::Count(0)) => {
                return Err(Error::option("budget", 0, "a count must be at least 1"));
            }
            Some(TopK::Share(s)) if !(s > 0.0 && s <= 1.0) => {
                return Err(Error::option("budget", s, "a share must lie in (0, 1]"));
            }
            _ => {}
        }
        if self.reasons > 20 {
            return Err(Error::option("reasons", self.reasons, "at most 20"));
        }
        if let Some(r) = self.resamples {
            if r < MIN_TARGET_RESAMPLES {
                return Err(Error::option(
                    "resamples",
                    r,
                    format!("must be at least {MIN_TARGET_RESAMPLES}"),
                ));
            }
            if r > MAX_TARGET_RESAMPLES {
                return Err(Error::too_large(
                    "resamples",
                    r,
                    MAX_TARGET_RESAMPLES,
                    "each resample refits the uplift model",
                ));
            }
        }
        check_confidence(self.confidence).map(|_| ())
    }

    /// The number of customers the budget allows out of `n` scored (n without a budget).
    fn limit(&self, n: usize) -> Result<usize> {
        match self.budget {
            None => Ok(n),
            Some(TopK::Count(k)) if k > n => Err(Error::too_large(
                "budget",
                k,
                n,
                "the budget cannot hold more customers than were scored",
            )),
            Some(TopK::Count(k)) => Ok(k),
            Some(TopK::Share(s)) => Ok((s * n as f64) as usize),
        }
    }
}

/// One customer on the call list.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Target {
    /// Row in the scored data.
    pub row: usize,
    /// Place on the list, 1 first.
    pub rank: usize,
    /// The effect of the call on the probability of the outcome (1 = stayed).
    pub uplift: f64,
    /// `P(outcome = 1)` if contacted (None for the class transformation or a given uplift column).
    pub p_treated: Option<f64>,
    /// `P(outcome = 1)` if not contacted.
    pub p_control: Option<f64>,
    /// Customer value (e.g. CLV or annual spend).
    pub value: f64,
    /// Expected net value of the call, `value × uplift − contact_cost`.
    pub net_value: f64,
    /// The signals that raise this customer's uplift the most (empty for a given uplift column).
    pub reasons: Vec<UpliftReason>,
}

/// The bootstrap interval of a list's totals.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct TargetInterval {
    /// Percentile interval of the expected saves.
    pub saves: Interval,
    /// Standard deviation of the resampled saves.
    pub saves_se: f64,
    /// Percentile interval of the expected net value.
    pub net_value: Interval,
    /// Standard deviation of the resampled net values.
    pub net_value_se: f64,
    /// Resamples whose refit succeeded (and so enter the interval).
    pub resamples: usize,
    /// Resamples whose refit failed (e.g. an arm with one outcome only); left out.
    pub n_failed: usize,
    /// The seed of the resamples.
    pub seed: u64,
}

/// A call list: the customers in order and what the list is expected to deliver.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct TargetList {
    /// The customers to call, best first.
    pub targets: Vec<Target>,
    /// Customers scored.
    pub n: usize,
    /// Customers with a positive expected net value among them (whatever the budget).
    pub n_positive: usize,
    /// Expected saves of the list: the sum of its uplifts (customers kept by the calls, in
    /// expectation).
    pub expected_saves: f64,
    /// Expected net value of the list: the sum of its net values.
    pub expected_net_value: f64,
    /// The cost of one contact used.
    pub contact_cost: f64,
    /// The bootstrap interval of the two totals (None when none was asked for, or the list is empty).
    pub interval: Option<TargetInterval>,
}

/// The expected net value of calling each customer: `value × uplift − contact_cost`, the score
/// [`target`] ranks by (and one to pass to [`threshold_top_k`](crate::risk::threshold_top_k)).
///
/// ```
/// let v = voc_core::uplift::net_value(&[0.2, -0.05, 0.01], &[100.0, 400.0, 100.0], 5.0)?;
/// assert_eq!(v, vec![15.0, -25.0, -4.0]);
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn net_value(uplift: &[f64], value: &[f64], contact_cost: f64) -> Result<Vec<f64>> {
    check_len("uplift", uplift.len(), "value", value.len())?;
    if !(contact_cost >= 0.0 && contact_cost.is_finite()) {
        return Err(Error::option(
            "contact_cost",
            contact_cost,
            "must be finite and not negative",
        ));
    }
    for (arg, col) in [("uplift", uplift), ("value", value)] {
        for (index, &v) in col.iter().enumerate() {
            if v.is_nan() {
                return Err(Error::Missing { arg, index });
            }
            if !v.is_finite() {
                return Err(Error::NonFinite {
                    arg,
                    index,
                    value: v,
                });
            }
        }
    }
    if let Some(index) = uplift.iter().position(|u| !(-1.0..=1.0).contains(u)) {
        return Err(Error::InvalidValue {
            arg: "uplift",
            index,
            value: uplift[index],
            reason: "an uplift is an effect on a probability, in [-1, 1]",
        });
    }
    let out: Vec<f64> = uplift
        .iter()
        .zip(value)
        .map(|(u, v)| v * u - contact_cost)
        .collect();
    if let Some(index) = out.iter().position(|v| !v.is_finite()) {
        return Err(Error::NonFinite {
            arg: "value",
            index,
            value: value[index],
        });
    }
    Ok(out)
}

/// The rows of the list, best first: positive net value under the break-even rule, ranked by net
/// value (ties by row), cut at the budget.
fn select(net: &[f64], opts: &TargetOptions) -> Result<(Vec<usize>, usize)> {
    let limit = opts.limit(net.len())?;
    let n_positive = net.iter().filter(|&&v| v > 0.0).count();
    let mut rows: Vec<usize> = (0..net.len())
        .filter(|&i| !opts.break_even || net[i] > 0.0)
        .collect();
    rows.sort_by(|&a, &b| net[b].total_cmp(&net[a]).then(a.cmp(&b)));
    rows.truncate(limit);
    Ok((rows, n_positive))
}

fn list(
    rows: Vec<usize>,
    n_positive: usize,
    uplift: &[f64],
    value: &[f64],
    net: &[f64],
    opts: &TargetOptions,
    mut extra: impl FnMut(usize) -> (Option<f64>, Option<f64>, Vec<UpliftReason>),
) -> TargetList {
    let targets: Vec<Target> = rows
        .iter()
        .enumerate()
        .map(|(k, &i)| {
            let (p_treated, p_control, reasons) = extra(k);
            Target {
                row: i,
                rank: k + 1,
                uplift: uplift[i],
                p_treated,
                p_control,
                value: value[i],
                net_value: net[i],
                reasons,
            }
        })
        .collect();
    TargetList {
        expected_saves: targets.iter().map(|t| t.uplift).sum(),
        expected_net_value: targets.iter().map(|t| t.net_value).sum(),
        targets,
        n: uplift.len(),
        n_positive,
        contact_cost: opts.contact_cost,
        interval: None,
    }
}

/// The call list from a given uplift column (e.g. another model's scores): customers ranked by
/// `value × uplift − contact_cost`, with the break-even rule and the budget of `opts`. Without a
/// model there are no arm probabilities, reasons or interval (`opts.resamples` must be None).
///
/// ```
/// use voc_core::uplift::{target, TargetOptions, TopK};
/// let uplift = [0.10, 0.30, -0.05, 0.02, 0.20];
/// let value = [100.0, 50.0, 500.0, 100.0, 40.0];
/// let l = target(&uplift, &value, &TargetOptions::default())?;
/// let rows: Vec<usize> = l.targets.iter().map(|t| t.row).collect();
/// assert_eq!(rows, [1, 0, 4]); // net 10, 5, 3; the others lose money
/// assert!((l.expected_saves - 0.6).abs() < 1e-12 && l.expected_net_value == 18.0);
/// let top = target(&uplift, &value, &TargetOptions::default().budget(Some(TopK::Count(1))))?;
/// assert_eq!(top.targets[0].row, 1);
/// assert!(target(&uplift, &value, &TargetOptions::default().budget(Some(TopK::Count(6)))).is_err());
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn target(uplift: &[f64], value: &[f64], opts: &TargetOptions) -> Result<TargetList> {
    opts.validate()?;
    if let Some(r) = opts.resamples {
        return Err(Error::option(
            "resamples",
            r,
            "the interval refits an uplift model: pass the model and its training data",
        ));
    }
    let net = net_value(uplift, value, opts.contact_cost)?;
    let (rows, n_positive) = select(&net, opts)?;
    Ok(list(rows, n_positive, uplift, value, &net, opts, |_| {
        (None, None, Vec::new())
    }))
}

/// The call list from an uplift model: each customer of `x` (rows × the model's features) scored by
/// the model, ranked by `value × uplift − contact_cost` with the break-even rule and the budget of
/// `opts`, each with both arms' probabilities and the signals behind the uplift
/// ([`UpliftModel::reasons`]).
///
/// **Interval.** With `opts.resamples` and the model's `training` data, the list's expected saves and
/// net value get a seeded percentile-bootstrap interval: each resample draws the training rows with
/// replacement within each arm (the arms keep their sizes, as in the randomised test), refits the model
/// with its own options ([`UpliftModel::options`]), and re-scores the customers on the list. The list
/// itself is held fixed (the question is what this list delivers), so the interval covers the model's
/// estimation error, not the randomness of the outcomes. Resample `b` uses ChaCha8 stream `b` of the
/// seed: the interval does not depend on the threads. A resample whose refit fails (an arm with one
/// outcome) is left out and counted; the loop stops on an interrupt.
///
/// ```
/// use ndarray::Array2;
/// use voc_core::Fit;
/// use voc_core::uplift::{target_model, TargetOptions, UpliftData, UpliftOptions};
/// // The call keeps customers with a long refund wait (feature 0) and does nothing for the others.
/// let n = 400;
/// let x = Array2::from_shape_fn((n, 1), |(i, _)| (i % 20) as f64);
/// let t: Vec<f64> = (0..n).map(|i| (i % 2) as f64).collect();
/// let y: Vec<f64> = (0..n)
///     .map(|i| f64::from(u8::from((i * 7) % 5 < 2 || (t[i] == 1.0 && x[[i, 0]] > 12.0 && i % 3 > 0))))
///     .collect();
/// let names = ["refund_delay_max_days".to_string()];
/// let train = UpliftData::new(x.view(), &y, &t).names(&names);
/// let model = UpliftOptions::default().fit(train)?;
/// let today = Array2::from_shape_vec((3, 1), vec![2.0, 19.0, 15.0])?;
/// let opts = TargetOptions::default().resamples(Some(100));
/// let l = target_model(&model, today.view(), &[300.0; 3], Some(train), &opts)?;
/// assert_eq!(l.targets[0].row, 1);
/// assert_eq!(l.targets[0].reasons[0].text, "waited 19 days for a refund");
/// let i = l.interval.expect("asked for");
/// assert!(i.saves.low <= l.expected_saves && l.expected_saves <= i.saves.high);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn target_model(
    model: &UpliftModel,
    x: ArrayView2<'_, f64>,
    value: &[f64],
    training: Option<UpliftData<'_>>,
    opts: &TargetOptions,
) -> Result<TargetList> {
    use crate::Predict;
    opts.validate()?;
    check_len("X rows", x.nrows(), "value", value.len())?;
    if opts.resamples.is_some() && training.is_none() {
        return Err(Error::option(
            "resamples",
            opts.resamples.unwrap_or(0),
            "the interval refits the model: pass its training data",
        ));
    }
    let p = model.predict(x)?;
    let net = net_value(&p.uplift, value, opts.contact_cost)?;
    let (rows, n_positive) = select(&net, opts)?;
    let chosen = x.select(Axis(0), &rows);
    let reasons = model.reasons(chosen.view(), opts.reasons)?;
    let mut reasons = reasons.into_iter();
    let mut out = list(
        rows.clone(),
        n_positive,
        &p.uplift,
        value,
        &net,
        opts,
        |k| {
            let i = rows[k];
            (
                p.treated.as_ref().map(|v| v[i]),
                p.control.as_ref().map(|v| v[i]),
                reasons.next().unwrap_or_default(),
            )
        },
    );
    if let (Some(resamples), Some(training)) = (opts.resamples, training)
        && !rows.is_empty()
    {
        let values: Vec<f64> = rows.iter().map(|&i| value[i]).collect();
        out.interval = Some(bootstrap(
            model,
            chosen.view(),
            &values,
            training,
            resamples,
            opts,
        )?);
    }
    Ok(out)
}

/// The percentile bootstrap of [`target_model`]'s totals.
fn bootstrap(
    model: &UpliftModel,
    chosen: ArrayView2<'_, f64>,
    value: &[f64],
    training: UpliftData<'_>,
    resamples: usize,
    opts: &TargetOptions,
) -> Result<TargetInterval> {
    let n = training.outcome.len();
    check_len("outcome", n, "treatment", training.treatment.len())?;
    check_len("outcome", n, "training X rows", training.x.nrows())?;
    check_len(
        "training X columns",
        training.x.ncols(),
        "model features",
        model.names.len(),
    )?;
    Rng::seeded(opts.seed, "seed")?;
    let options = model.options();
    let mut groups: [Vec<usize>; 3] = Default::default();
    for (i, &t) in training.treatment.iter().enumerate() {
        let g = if t == 1.0 {
            0
        } else if t == 0.0 {
            1
        } else {
            2
        };
        groups[g].push(i);
    }
    let cost = opts.contact_cost;
    let one = |b: usize| -> Result<Option<(f64, f64)>> {
        crate::interrupt::check()?;
        let mut rng = Rng::seeded(opts.seed, "seed")?;
        rng.set_stream(b as u64);
        let mut idx = Vec::with_capacity(n);
        for g in &groups {
            for _ in 0..g.len() {
                if let Some(&i) = g.get(rng.below(g.len())) {
                    idx.push(i);
                }
            }
        }
        let x = training.x.select(Axis(0), &idx);
        let y: Vec<f64> = idx.iter().map(|&i| training.outcome[i]).collect();
        let t: Vec<f64> = idx.iter().map(|&i| training.treatment[i]).collect();
        let mut d = UpliftData::new(x.view(), &y, &t);
        d.names = Some(&model.names);
        let refit = match options.fit(d) {
            Ok(m) => m,
            Err(Error::Interrupted) => return Err(Error::Interrupted),
            Err(_) => return Ok(None),
        };
        let u = refit.predict_uplift(chosen)?;
        let saves: f64 = u.iter().sum();
        let net: f64 = u.iter().zip(value).map(|(u, v)| v * u - cost).sum();
        Ok(Some((saves, net)))
    };
    #[cfg(feature = "parallel")]
    let reps: Vec<Result<Option<(f64, f64)>>> =
        crate::interrupt::watch(|| Ok((0..resamples).into_par_iter().map(one).collect()))?;
    #[cfg(not(feature = "parallel"))]
    let reps: Vec<Result<Option<(f64, f64)>>> = (0..resamples).map(one).collect();
    let (mut saves, mut nets) = (Vec::with_capacity(resamples), Vec::with_capacity(resamples));
    for r in reps {
        if let Some((s, v)) = r? {
            saves.push(s);
            nets.push(v);
        }
    }
    let n_failed = resamples - saves.len();
    if saves.len() * 2 < resamples {
        return Err(Error::InsufficientData(format!(
            "the model could not be refitted on {n_failed} of {resamples} resamples of its \
             training data (an arm with one outcome): too few rows for an interval"
        )));
    }
    let alpha = 1.0 - opts.confidence;
    let summarise = |v: &mut Vec<f64>| -> (Interval, f64) {
        let mean = v.iter().sum::<f64>() / v.len() as f64;
        let se = (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (v.len() - 1) as f64).sqrt();
        v.sort_unstable_by(f64::total_cmp);
        (
            Interval {
                low: quantile_sorted(v, alpha / 2.0),
                high: quantile_sorted(v, 1.0 - alpha / 2.0),
                level: opts.confidence,
                method: Method::Bootstrap,
            },
            se,
        )
    };
    let (saves_ci, saves_se) = summarise(&mut saves);
    let (net_ci, net_se) = summarise(&mut nets);
    Ok(TargetInterval {
        saves: saves_ci,
        saves_se,
        net_value: net_ci,
        net_value_se: net_se,
        resamples: resamples - n_failed,
        n_failed,
        seed: opts.seed,
    })
}
