//! Outcomes by VoC class: churn, spend, CLV and repurchase per class, with ratios between classes.
//!
//! Per class: churn and repurchase rates with Wilson intervals ([`crate::stats::proportion_interval`]),
//! mean spend (ARPU) and mean CLV with Student-t intervals ([`crate::stats::mean_interval`]). Between two
//! classes: a ratio of means by the delta method on the log scale ([`class_ratio`]), and the risk ratio,
//! odds ratio and Fisher test of churn ([`crate::impact::contingency::two_by_two`]). Over all classes: the
//! chi-square test of churn × class with Cramér's V.

use super::contingency::{ChiSquare, TwoByTwo, ZeroCells, chi_square, two_by_two};
use crate::MissingPolicy;
use crate::codec::{Reader, Writer};
use crate::error::{Error, Result, check_len};
use crate::stats::dist::{normal_quantile, normal_two_sided_p};
use crate::stats::{
    Interval, MeanSummary, Method, NeumaierSum, Share, ShareInterval, check_confidence,
    mean_interval, share,
};

/// Names of the NPS classes, in code order (detractor 0–6, passive 7–8, promoter 9–10).
///
/// ```
/// assert_eq!(voc_core::impact::outcome::NPS_CLASSES[2], "promoter");
/// ```
pub const NPS_CLASSES: [&str; 3] = ["detractor", "passive", "promoter"];

/// The code of a row that belongs to no class (e.g. a customer without an NPS answer): left out of
/// every class by [`outcome_by_class`].
///
/// ```
/// assert_eq!(voc_core::impact::outcome::NO_CLASS, u32::MAX);
/// ```
pub const NO_CLASS: u32 = u32::MAX;

/// NPS class codes (0 detractor, 1 passive, 2 promoter) of 0–10 scores, named by [`NPS_CLASSES`].
///
/// ```
/// use voc_core::impact::outcome::nps_classes;
/// assert_eq!(nps_classes(&[0.0, 6.0, 7.0, 8.0, 9.0, 10.0])?, vec![0, 0, 1, 1, 2, 2]);
/// assert!(nps_classes(&[11.0]).is_err());
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn nps_classes(scores: &[f64]) -> Result<Vec<u32>> {
    nps_classes_with(scores, MissingPolicy::Error)
}

/// [`nps_classes`] with a missing-value policy: with [`MissingPolicy::Skip`] a NaN score (no answer)
/// gets [`NO_CLASS`]; with [`MissingPolicy::Error`] it is an error naming its position.
///
/// ```
/// use voc_core::impact::outcome::{nps_classes_with, NO_CLASS};
/// use voc_core::MissingPolicy;
/// assert_eq!(nps_classes_with(&[9.0, f64::NAN], MissingPolicy::Skip)?, vec![2, NO_CLASS]);
/// assert!(nps_classes_with(&[f64::NAN], MissingPolicy::Error).is_err());
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn nps_classes_with(scores: &[f64], missing: MissingPolicy) -> Result<Vec<u32>> {
    scores
        .iter()
        .enumerate()
        .map(|(index, &value)| {
            if value.is_nan() {
                match missing {
                    MissingPolicy::Skip => Ok(NO_CLASS),
                    MissingPolicy::Error => Err(Error::Missing {
                        arg: "scores",
                        index,
                    }),
                }
            } else if !value.is_finite() {
                Err(Error::NonFinite {
                    arg: "scores",
                    index,
                    value,
                })
            } else if !(0.0..=10.0).contains(&value) {
                Err(Error::OutOfRange {
                    arg: "scores",
                    index,
                    value,
                    scale: "NPS",
                    min: 0,
                    max: 10,
                })
            } else if value.fract() != 0.0 {
                Err(Error::NotWhole {
                    arg: "scores",
                    index,
                    value,
                })
            } else if value <= 6.0 {
                Ok(0)
            } else if value <= 8.0 {
                Ok(1)
            } else {
                Ok(2)
            }
        })
        .collect()
}

/// The outcome columns (each optional; all aligned with the class codes).
///
/// ```
/// let o = voc_core::impact::outcome::Outcomes { churned: Some(&[0.0, 1.0]), ..Default::default() };
/// assert!(o.spend.is_none());
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct Outcomes<'a> {
    /// Churned (1) or not (0).
    pub churned: Option<&'a [f64]>,
    /// Spend per customer in the period (ARPU when averaged).
    pub spend: Option<&'a [f64]>,
    /// Customer lifetime value.
    pub clv: Option<&'a [f64]>,
    /// Repurchased (1) or not (0).
    pub repurchased: Option<&'a [f64]>,
}

/// Options of [`outcome_by_class`].
///
/// ```
/// assert_eq!(voc_core::impact::outcome::OutcomeOptions::default().confidence, 0.95);
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct OutcomeOptions {
    /// Confidence level (default 0.95).
    pub confidence: f64,
    /// NaN outcomes: an error (default) or left out of that outcome.
    pub missing: MissingPolicy,
}

impl Default for OutcomeOptions {
    fn default() -> Self {
        OutcomeOptions {
            confidence: 0.95,
            missing: MissingPolicy::Error,
        }
    }
}

/// A mean with its Student-t interval (`ci` is `None` with fewer than two values).
///
/// ```
/// use voc_core::impact::outcome::{outcome_by_class, Outcomes, OutcomeOptions};
/// let names = vec!["a".to_string(), "b".to_string()];
/// let out = outcome_by_class(&[0, 0, 1], &names, Outcomes { clv: Some(&[1.0, 3.0, 5.0]), ..Default::default() }, &OutcomeOptions::default())?;
/// assert_eq!(out.classes[0].clv.map(|m| m.summary.mean), Some(2.0));
/// assert!(out.classes[1].clv.is_some_and(|m| m.ci.is_none())); // one value: no interval
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct MeanCi {
    /// Mean, sample variance (ddof = 1) and n.
    pub summary: MeanSummary,
    /// Student-t interval.
    pub ci: Option<Interval>,
}

/// Outcomes of one class.
///
/// ```
/// use voc_core::impact::outcome::{outcome_by_class, Outcomes, OutcomeOptions};
/// let names = vec!["a".to_string(), "b".to_string()];
/// let out = outcome_by_class(&[0, 0, 1], &names, Outcomes { clv: Some(&[1.0, 3.0, 5.0]), ..Default::default() }, &OutcomeOptions::default())?;
/// assert_eq!(out.classes[0].clv.map(|m| m.summary.mean), Some(2.0));
/// assert!(out.classes[1].clv.is_some_and(|m| m.ci.is_none())); // one value: no interval
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ClassOutcome {
    /// Class code.
    pub code: u32,
    /// Class name.
    pub name: String,
    /// Customers in the class.
    pub n: u64,
    /// Churn rate (Wilson).
    pub churn: Option<Share>,
    /// Mean spend (t interval).
    pub spend: Option<MeanCi>,
    /// Mean CLV (t interval).
    pub clv: Option<MeanCi>,
    /// Repurchase rate (Wilson).
    pub repurchase: Option<Share>,
}

/// Outcomes by class.
///
/// ```
/// use voc_core::impact::outcome::{outcome_by_class, Outcomes, OutcomeOptions};
/// let names = vec!["a".to_string(), "b".to_string()];
/// let out = outcome_by_class(&[0, 0, 1], &names, Outcomes { clv: Some(&[1.0, 3.0, 5.0]), ..Default::default() }, &OutcomeOptions::default())?;
/// assert_eq!(out.classes[0].clv.map(|m| m.summary.mean), Some(2.0));
/// assert!(out.classes[1].clv.is_some_and(|m| m.ci.is_none())); // one value: no interval
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct OutcomeByClass {
    /// One entry per class, in code order (classes without customers included, with n = 0).
    pub classes: Vec<ClassOutcome>,
    /// Chi-square test of churn × class (classes with customers only; `None` without churn or with
    /// fewer than two such classes).
    pub churn_test: Option<ChiSquare>,
    /// The options used.
    pub options: OutcomeOptions,
}

/// Count, sum and sum of squared deviations from the mean of one outcome in one class.
#[derive(Default, Clone, Copy, Debug, PartialEq)]
struct Acc {
    n: u64,
    sum: NeumaierSum,
    sq: NeumaierSum,
}

impl Acc {
    /// Adds another part's values (Chan, Golub and LeVeque's update of the squared deviations).
    fn merge(&mut self, other: &Acc) {
        if other.n == 0 {
            return;
        }
        if self.n > 0 {
            let (na, nb) = (self.n as f64, other.n as f64);
            let delta = other.sum.value() / nb - self.sum.value() / na;
            self.sq.add(delta * delta * na * nb / (na + nb));
        }
        self.n += other.n;
        self.sum.merge(&other.sum);
        self.sq.merge(&other.sq);
    }
}

/// One pass per outcome: per-class count, sum and sum of squared deviations from a shift (the
/// first value), which keeps the variance accurate for large spends.
fn accumulate(
    arg: &'static str,
    codes: &[u32],
    values: &[f64],
    k: usize,
    missing: MissingPolicy,
    binary: bool,
) -> Result<Vec<Acc>> {
    check_len("classes", codes.len(), arg, values.len())?;
    let shift = values
        .iter()
        .copied()
        .find(|v| v.is_finite())
        .unwrap_or(0.0);
    let mut acc = vec![Acc::default(); k];
    for (index, (&c, &value)) in codes.iter().zip(values).enumerate() {
        if value.is_nan() && missing == MissingPolicy::Skip {
            continue;
        }
        if value.is_nan() {
            return Err(Error::Missing { arg, index });
        }
        if !value.is_finite() {
            return Err(Error::NonFinite { arg, index, value });
        }
        if binary && value != 0.0 && value != 1.0 {
            return Err(Error::InvalidValue {
                arg,
                index,
                value,
                reason: "must be 0 or 1",
            });
        }
        let Some(a) = acc.get_mut(c as usize) else {
            continue;
        };
        a.n += 1;
        a.sum.add(value);
        a.sq.add((value - shift) * (value - shift));
    }
    // Turn the shifted sum of squares into the sum of squared deviations from the mean.
    for a in &mut acc {
        if a.n > 0 {
            let n = a.n as f64;
            let d = a.sum.value() / n - shift;
            let ss = (a.sq.value() - n * d * d).max(0.0);
            a.sq = NeumaierSum::default();
            a.sq.add(ss);
        }
    }
    Ok(acc)
}

fn mean_ci(a: &Acc, level: f64) -> Result<Option<MeanCi>> {
    if a.n == 0 {
        return Ok(None);
    }
    let n = a.n as f64;
    let summary = MeanSummary {
        mean: a.sum.value() / n,
        variance: if a.n > 1 {
            a.sq.value() / (n - 1.0)
        } else {
            f64::NAN
        },
        n,
    };
    let ci = if a.n > 1 {
        Some(mean_interval(&summary, level)?)
    } else {
        None
    };
    Ok(Some(MeanCi { summary, ci }))
}

fn rate(a: &Acc, level: f64) -> Result<Option<Share>> {
    if a.n == 0 {
        return Ok(None);
    }
    share(a.sum.value(), a.n as f64, level, ShareInterval::Wilson).map(Some)
}

fn check_codes(codes: &[u32], names: &[String]) -> Result<()> {
    if names.is_empty() {
        return Err(Error::Empty {
            arg: "names",
            what: "give at least one class name",
        });
    }
    if let Some(index) = codes
        .iter()
        .position(|&c| c != NO_CLASS && c as usize >= names.len())
    {
        return Err(Error::UnknownId {
            arg: "classes",
            index,
            id: codes[index].to_string(),
            what: "a class code with a name",
        });
    }
    Ok(())
}

/// Churn, spend, CLV and repurchase per class (`codes` index `names`; e.g. [`nps_classes`] with
/// [`NPS_CLASSES`]; rows coded [`NO_CLASS`] are left out). One pass per outcome; O(n + classes).
///
/// ```
/// use voc_core::impact::outcome::{nps_classes, outcome_by_class, Outcomes, OutcomeOptions, NPS_CLASSES};
/// let codes = nps_classes(&[2.0, 5.0, 8.0, 9.0, 10.0, 10.0])?;
/// let names: Vec<String> = NPS_CLASSES.iter().map(|s| s.to_string()).collect();
/// let churned = [1.0, 1.0, 0.0, 0.0, 0.0, 1.0];
/// let spend = [10.0, 20.0, 30.0, 50.0, 70.0, 60.0];
/// let out = outcome_by_class(&codes, &names, Outcomes { churned: Some(&churned), spend: Some(&spend), ..Default::default() }, &OutcomeOptions::default())?;
/// assert_eq!(out.classes[0].churn.map(|s| s.estimate), Some(1.0));
/// assert_eq!(out.classes[2].spend.map(|m| m.summary.mean), Some(60.0));
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn outcome_by_class(
    codes: &[u32],
    names: &[String],
    outcomes: Outcomes<'_>,
    opts: &OutcomeOptions,
) -> Result<OutcomeByClass> {
    check_confidence(opts.confidence)?;
    let mut state = OutcomeState::new(names)?;
    state.update(codes, outcomes, opts.missing)?;
    state.finish(opts)
}

/// The outcomes that a state accumulates, in [`Outcomes`] order: churned, spend, CLV, repurchased.
const OUTCOMES: [&str; 4] = ["churned", "spend", "clv", "repurchased"];

/// Outcomes by class as a mergeable state: update it with chunks of customers (each a partition of a
/// Dask or Spark frame), merge the parts, turn it into bytes to ship it, and finish once. Finishing the
/// merged state equals [`outcome_by_class`] on all rows (to rounding of the sums).
///
/// The first update fixes which outcomes the state holds; later updates and merged states must give the
/// same ones. An update that fails leaves the state as it was.
///
/// ```
/// use voc_core::impact::outcome::{outcome_by_class, OutcomeState, Outcomes, OutcomeOptions};
/// let names = vec!["detractor".to_string(), "promoter".to_string()];
/// let (codes, churned) = ([0, 1, 0, 1, 1], [1.0, 0.0, 1.0, 0.0, 1.0]);
/// let mut a = OutcomeState::new(&names)?;
/// a.update(&codes[..2], Outcomes { churned: Some(&churned[..2]), ..Default::default() }, Default::default())?;
/// let mut b = OutcomeState::from_bytes(&OutcomeState::new(&names)?.to_bytes())?;
/// b.update(&codes[2..], Outcomes { churned: Some(&churned[2..]), ..Default::default() }, Default::default())?;
/// a.merge(&b)?;
/// let all = outcome_by_class(&codes, &names, Outcomes { churned: Some(&churned), ..Default::default() }, &OutcomeOptions::default())?;
/// assert_eq!(a.finish(&OutcomeOptions::default())?, all);
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct OutcomeState {
    names: Vec<String>,
    counts: Vec<u64>,
    /// Per outcome (in [`OUTCOMES`] order), per class; `None` for an outcome the state does not hold.
    acc: [Option<Vec<Acc>>; 4],
    /// Whether an update has fixed the outcomes.
    fixed: bool,
}

impl OutcomeState {
    /// An empty state for the classes `names` (codes index them).
    ///
    /// ```
    /// assert!(voc_core::impact::outcome::OutcomeState::new(&[]).is_err());
    /// ```
    pub fn new(names: &[String]) -> Result<Self> {
        if names.is_empty() {
            return Err(Error::Empty {
                arg: "names",
                what: "give at least one class name",
            });
        }
        Ok(OutcomeState {
            names: names.to_vec(),
            counts: vec![0; names.len()],
            acc: [None, None, None, None],
            fixed: false,
        })
    }

    /// Class names, in code order.
    ///
    /// ```
    /// let s = voc_core::impact::outcome::OutcomeState::new(&["a".to_string()])?;
    /// assert_eq!(s.names(), ["a".to_string()]);
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Whether the state holds outcome `i` ([`Outcomes`] order: churned, spend, CLV, repurchased).
    ///
    /// ```
    /// use voc_core::impact::outcome::{OutcomeState, Outcomes};
    /// let mut s = OutcomeState::new(&["a".to_string()])?;
    /// s.update(&[0], Outcomes { spend: Some(&[2.0]), ..Default::default() }, Default::default())?;
    /// assert!(s.holds(1) && !s.holds(0));
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn holds(&self, i: usize) -> bool {
        self.acc.get(i).is_some_and(Option::is_some)
    }

    /// Customers added so far (in any class).
    ///
    /// ```
    /// use voc_core::impact::outcome::{OutcomeState, Outcomes, NO_CLASS};
    /// let mut s = OutcomeState::new(&["a".to_string()])?;
    /// s.update(&[0, NO_CLASS], Outcomes { spend: Some(&[2.0, 3.0]), ..Default::default() }, Default::default())?;
    /// assert_eq!(s.customers(), 1);
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn customers(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// Adds customers: class codes (rows coded [`NO_CLASS`] are left out) and their outcomes.
    ///
    /// ```
    /// use voc_core::impact::outcome::{OutcomeState, Outcomes};
    /// let mut s = OutcomeState::new(&["a".to_string()])?;
    /// s.update(&[0, 0], Outcomes { spend: Some(&[1.0, 3.0]), ..Default::default() }, Default::default())?;
    /// // A different set of outcomes is refused, and the state keeps what it had.
    /// assert!(s.update(&[0], Outcomes { clv: Some(&[2.0]), ..Default::default() }, Default::default()).is_err());
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn update(
        &mut self,
        codes: &[u32],
        outcomes: Outcomes<'_>,
        missing: MissingPolicy,
    ) -> Result<()> {
        check_codes(codes, &self.names)?;
        let cols = [
            outcomes.churned,
            outcomes.spend,
            outcomes.clv,
            outcomes.repurchased,
        ];
        if self.fixed {
            for (i, (col, acc)) in cols.iter().zip(&self.acc).enumerate() {
                if col.is_some() != acc.is_some() {
                    return Err(Error::Incompatible(format!(
                        "this state {} {}; every update must give the same outcomes",
                        if acc.is_some() {
                            "holds"
                        } else {
                            "does not hold"
                        },
                        OUTCOMES[i]
                    )));
                }
            }
        }
        let k = self.names.len();
        // Everything is checked and counted before the state changes.
        let mut parts: [Option<Vec<Acc>>; 4] = [None, None, None, None];
        for (i, col) in cols.iter().enumerate() {
            let binary = i == 0 || i == 3;
            parts[i] = col
                .map(|v| accumulate(OUTCOMES[i], codes, v, k, missing, binary))
                .transpose()?;
        }
        for &c in codes {
            if let Some(n) = self.counts.get_mut(c as usize) {
                *n += 1;
            }
        }
        for (mine, part) in self.acc.iter_mut().zip(parts) {
            match (mine.as_mut(), part) {
                (Some(m), Some(p)) => m.iter_mut().zip(&p).for_each(|(a, b)| a.merge(b)),
                (None, Some(p)) => *mine = Some(p),
                _ => {}
            }
        }
        self.fixed = true;
        Ok(())
    }

    /// Adds another state of the same classes and outcomes (e.g. another partition's).
    ///
    /// ```
    /// use voc_core::impact::outcome::OutcomeState;
    /// let mut a = OutcomeState::new(&["a".to_string()])?;
    /// assert!(a.merge(&OutcomeState::new(&["b".to_string()])?).is_err());
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn merge(&mut self, other: &OutcomeState) -> Result<()> {
        if self.names != other.names {
            return Err(Error::Incompatible(format!(
                "class names differ: {:?} vs {:?}",
                self.names, other.names
            )));
        }
        if !other.fixed {
            return Ok(());
        }
        if self.fixed {
            for (i, (a, b)) in self.acc.iter().zip(&other.acc).enumerate() {
                if a.is_some() != b.is_some() {
                    return Err(Error::Incompatible(format!(
                        "one state holds {} and the other does not",
                        OUTCOMES[i]
                    )));
                }
            }
        }
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a += b;
        }
        for (mine, theirs) in self.acc.iter_mut().zip(&other.acc) {
            match (mine.as_mut(), theirs) {
                (Some(m), Some(t)) => m.iter_mut().zip(t).for_each(|(a, b)| a.merge(b)),
                (None, Some(t)) => *mine = Some(t.clone()),
                _ => {}
            }
        }
        self.fixed = true;
        Ok(())
    }

    /// The outcomes by class of every customer added so far.
    ///
    /// ```
    /// use voc_core::impact::outcome::{OutcomeState, OutcomeOptions};
    /// let s = OutcomeState::new(&["a".to_string()])?;
    /// assert!(s.finish(&OutcomeOptions::default()).is_err()); // no customers yet
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn finish(&self, opts: &OutcomeOptions) -> Result<OutcomeByClass> {
        let level = check_confidence(opts.confidence)?;
        if !self.fixed || self.counts.iter().all(|&n| n == 0) {
            return Err(Error::Empty {
                arg: "classes",
                what: "no customers to compare",
            });
        }
        let [churn, spend, clv, rep] = &self.acc;
        let mut classes = Vec::with_capacity(self.names.len());
        for (j, name) in self.names.iter().enumerate() {
            let pick = |v: &Option<Vec<Acc>>| v.as_ref().and_then(|a| a.get(j).copied());
            classes.push(ClassOutcome {
                code: j as u32,
                name: name.clone(),
                n: self.counts[j],
                churn: pick(churn).map(|a| rate(&a, level)).transpose()?.flatten(),
                spend: pick(spend)
                    .map(|a| mean_ci(&a, level))
                    .transpose()?
                    .flatten(),
                clv: pick(clv).map(|a| mean_ci(&a, level)).transpose()?.flatten(),
                repurchase: pick(rep).map(|a| rate(&a, level)).transpose()?.flatten(),
            });
        }
        let churn_test = match churn {
            Some(acc) => {
                let used: Vec<&Acc> = acc.iter().filter(|a| a.n > 0).collect();
                let total: f64 = used.iter().map(|a| a.sum.value()).sum();
                let n: f64 = used.iter().map(|a| a.n as f64).sum();
                if used.len() >= 2 && total > 0.0 && total < n {
                    let cells: Vec<f64> = used
                        .iter()
                        .flat_map(|a| [a.sum.value(), a.n as f64 - a.sum.value()])
                        .collect();
                    Some(chi_square(&cells, 2, true)?)
                } else {
                    None
                }
            }
            None => None,
        };
        Ok(OutcomeByClass {
            classes,
            churn_test,
            options: opts.clone(),
        })
    }

    /// Versioned, checksummed byte form (little-endian), read back by [`from_bytes`](Self::from_bytes)
    /// on any platform: what Dask or Spark workers ship to be merged.
    ///
    /// ```
    /// use voc_core::impact::outcome::{OutcomeState, Outcomes};
    /// let mut s = OutcomeState::new(&["a".to_string(), "b".to_string()])?;
    /// s.update(&[0, 1, 1], Outcomes { spend: Some(&[1.0, 2.5, 4.0]), ..Default::default() }, Default::default())?;
    /// assert_eq!(OutcomeState::from_bytes(&s.to_bytes())?, s);
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::default();
        w.bytes(OUTCOME_MAGIC);
        w.u16(OUTCOME_VERSION);
        w.u64(self.names.len() as u64);
        for name in &self.names {
            w.u64(name.len() as u64);
            w.bytes(name.as_bytes());
        }
        self.counts.iter().for_each(|&n| w.u64(n));
        w.u8(u8::from(self.fixed));
        for acc in &self.acc {
            match acc {
                None => w.u8(0),
                Some(v) => {
                    w.u8(1);
                    for a in v {
                        let ((s, sc), (q, qc)) = (a.sum.parts(), a.sq.parts());
                        w.u64(a.n);
                        [s, sc, q, qc].into_iter().for_each(|x| w.f64(x));
                    }
                }
            }
        }
        w.seal()
    }

    /// Parses [`to_bytes`](Self::to_bytes) output; any corruption is an [`Error::Decode`].
    ///
    /// ```
    /// use voc_core::impact::outcome::OutcomeState;
    /// assert!(matches!(OutcomeState::from_bytes(b"VOCO"), Err(voc_core::Error::Decode { .. })));
    /// ```
    pub fn from_bytes(bytes: &[u8]) -> Result<OutcomeState> {
        let mut r = Reader::sealed(bytes, "outcome state")?;
        if &r.take::<4>()? != OUTCOME_MAGIC {
            return Err(r.fail("not a voc outcome state (bad magic)"));
        }
        let version = r.u16()?;
        if version != OUTCOME_VERSION {
            return Err(r.fail(format!(
                "unsupported version {version} (this build reads {OUTCOME_VERSION})"
            )));
        }
        let k = usize::try_from(r.u64()?).map_err(|_| r.fail("class count too large"))?;
        r.expect_items(k, 16)?;
        let mut names = Vec::with_capacity(k);
        for _ in 0..k {
            let len = usize::try_from(r.u64()?).map_err(|_| r.fail("name too long"))?;
            r.expect_items(len, 1)?;
            let mut raw = Vec::with_capacity(len);
            for _ in 0..len {
                raw.push(r.u8()?);
            }
            names.push(String::from_utf8(raw).map_err(|_| r.fail("a class name is not UTF-8"))?);
        }
        if names.is_empty() {
            return Err(r.fail("no class names"));
        }
        let mut counts = Vec::with_capacity(k);
        for _ in 0..k {
            counts.push(r.u64()?);
        }
        let fixed = match r.u8()? {
            0 => false,
            1 => true,
            f => return Err(r.fail(format!("bad flag {f}"))),
        };
        let mut acc: [Option<Vec<Acc>>; 4] = [None, None, None, None];
        for slot in &mut acc {
            match r.u8()? {
                0 => {}
                1 => {
                    r.expect_items(k, 40)?;
                    let mut v = Vec::with_capacity(k);
                    for &count in &counts {
                        let n = r.u64()?;
                        if n > count {
                            return Err(
                                r.fail(format!("{n} values in a class of {count} customers"))
                            );
                        }
                        let (s, sc, q, qc) = (r.f64()?, r.f64()?, r.f64()?, r.f64()?);
                        v.push(Acc {
                            n,
                            sum: NeumaierSum::from_parts(s, sc),
                            sq: NeumaierSum::from_parts(q, qc),
                        });
                    }
                    *slot = Some(v);
                }
                f => return Err(r.fail(format!("bad outcome flag {f}"))),
            }
        }
        r.finish()?;
        Ok(OutcomeState {
            names,
            counts,
            acc,
            fixed,
        })
    }
}

const OUTCOME_MAGIC: &[u8; 4] = b"VOCO";
const OUTCOME_VERSION: u16 = 1;

/// Which mean a class ratio compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Measure {
    /// Mean spend (ARPU).
    Spend,
    /// Mean CLV.
    Clv,
    /// Churn rate.
    Churn,
    /// Repurchase rate.
    Repurchase,
}

impl Measure {
    /// Parses "spend" (also "arpu"), "clv", "churn" or "repurchase".
    ///
    /// ```
    /// use voc_core::impact::outcome::Measure;
    /// assert_eq!(Measure::parse("arpu")?, Measure::Spend);
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn parse(name: &str) -> Result<Self> {
        match name {
            "spend" | "arpu" => Ok(Measure::Spend),
            "clv" => Ok(Measure::Clv),
            "churn" => Ok(Measure::Churn),
            "repurchase" => Ok(Measure::Repurchase),
            other => Err(Error::option(
                "measure",
                other,
                "expected spend, clv, churn or repurchase",
            )),
        }
    }
}

/// A ratio of one class's mean to another's.
///
/// ```
/// use voc_core::impact::outcome::{outcome_by_class, Outcomes, OutcomeOptions};
/// let names = vec!["a".to_string(), "b".to_string()];
/// let out = outcome_by_class(&[0, 0, 1], &names, Outcomes { clv: Some(&[1.0, 3.0, 5.0]), ..Default::default() }, &OutcomeOptions::default())?;
/// assert_eq!(out.classes[0].clv.map(|m| m.summary.mean), Some(2.0));
/// assert!(out.classes[1].clv.is_some_and(|m| m.ci.is_none())); // one value: no interval
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ClassRatio {
    /// What is compared.
    pub measure: Measure,
    /// Numerator class.
    pub numerator: String,
    /// Denominator class.
    pub denominator: String,
    /// Numerator mean, variance, n.
    pub numerator_summary: MeanSummary,
    /// Denominator mean, variance, n.
    pub denominator_summary: MeanSummary,
    /// mean₁ ÷ mean₂.
    pub ratio: f64,
    /// Delta-method SE of ln ratio, √(s₁²/(n₁m₁²) + s₂²/(n₂m₂²)).
    pub log_se: f64,
    /// exp(ln ratio ± z·log_se) (method [`Method::LogWald`]).
    pub ci: Interval,
    /// Two-sided Wald p of ln ratio = 0.
    pub p_value: f64,
    /// For rates (churn, repurchase): risk ratio, odds ratio, Fisher and chi-square of the 2×2 table.
    pub table: Option<TwoByTwo>,
}

/// Ratio of two classes' means, e.g. promoter ARPU ÷ detractor ARPU, by the delta method on the log
/// scale (both means must be positive). For rates the 2×2 table (Katz RR, Woolf OR, Fisher) is added;
/// there the log-scale ratio CI of means differs from Katz's only by the n/(n − 1) in the variance.
///
/// ```
/// use voc_core::impact::outcome::{class_ratio, nps_classes, outcome_by_class, Measure, Outcomes, OutcomeOptions, NPS_CLASSES};
/// let codes = nps_classes(&[2.0, 5.0, 3.0, 9.0, 10.0, 10.0])?;
/// let names: Vec<String> = NPS_CLASSES.iter().map(|s| s.to_string()).collect();
/// let spend = [10.0, 20.0, 30.0, 50.0, 70.0, 60.0];
/// let out = outcome_by_class(&codes, &names, Outcomes { spend: Some(&spend), ..Default::default() }, &OutcomeOptions::default())?;
/// let r = class_ratio(&out, Measure::Spend, "promoter", "detractor")?;
/// assert!((r.ratio - 3.0).abs() < 1e-12 && r.ci.contains(3.0));
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn class_ratio(
    out: &OutcomeByClass,
    measure: Measure,
    numerator: &str,
    denominator: &str,
) -> Result<ClassRatio> {
    let level = out.options.confidence;
    let find = |name: &str, arg: &'static str| -> Result<&ClassOutcome> {
        out.classes.iter().find(|c| c.name == name).ok_or_else(|| {
            Error::option(
                arg,
                name,
                format!(
                    "no such class (classes: {})",
                    out.classes
                        .iter()
                        .map(|c| c.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
        })
    };
    let (a, b) = (
        find(numerator, "numerator")?,
        find(denominator, "denominator")?,
    );
    let summary = |c: &ClassOutcome| -> Option<MeanSummary> {
        match measure {
            Measure::Spend => c.spend.map(|m| m.summary),
            Measure::Clv => c.clv.map(|m| m.summary),
            Measure::Churn => c.churn.map(rate_summary),
            Measure::Repurchase => c.repurchase.map(rate_summary),
        }
    };
    let (Some(sa), Some(sb)) = (summary(a), summary(b)) else {
        return Err(Error::InsufficientData(format!(
            "{measure:?} was not given or a class has no customers ({numerator}: {}, {denominator}: {})",
            a.n, b.n
        )));
    };
    if !(sa.mean > 0.0 && sb.mean > 0.0 && sa.n > 1.0 && sb.n > 1.0) {
        return Err(Error::InsufficientData(format!(
            "a ratio on the log scale needs positive means and two or more customers per class, got \
             {} (n = {}) and {} (n = {})",
            sa.mean, sa.n, sb.mean, sb.n
        )));
    }
    let ratio = sa.mean / sb.mean;
    let log_se = (sa.variance / (sa.n * sa.mean * sa.mean)
        + sb.variance / (sb.n * sb.mean * sb.mean))
        .sqrt();
    let z = normal_quantile(0.5 + 0.5 * level);
    let l = ratio.ln();
    let table = match measure {
        Measure::Churn | Measure::Repurchase => {
            let (ka, kb) = (sa.mean * sa.n, sb.mean * sb.n);
            let t = super::contingency::Table2x2::from_rates(ka.round(), sa.n, kb.round(), sb.n)?;
            Some(two_by_two(&t, level, true, ZeroCells::Haldane)?)
        }
        _ => None,
    };
    Ok(ClassRatio {
        measure,
        numerator: a.name.clone(),
        denominator: b.name.clone(),
        numerator_summary: sa,
        denominator_summary: sb,
        ratio,
        log_se,
        ci: Interval {
            low: (l - z * log_se).exp(),
            high: (l + z * log_se).exp(),
            level,
            method: Method::LogWald,
        },
        p_value: normal_two_sided_p(l / log_se),
        table,
    })
}

/// A rate as a mean of 0/1 values (ddof-1 variance).
fn rate_summary(s: Share) -> MeanSummary {
    let p = s.estimate;
    MeanSummary {
        mean: p,
        variance: if s.n > 1.0 {
            p * (1.0 - p) * s.n / (s.n - 1.0)
        } else {
            f64::NAN
        },
        n: s.n,
    }
}
