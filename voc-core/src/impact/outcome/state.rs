//! Outcomes by class as a mergeable state: per-class accumulators, updates, merges and the byte form.

use super::{ClassOutcome, MeanCi, NO_CLASS, OutcomeByClass, OutcomeOptions, Outcomes};
use crate::MissingPolicy;
use crate::codec::{Reader, Writer};
use crate::error::{Error, Result, check_len};
use crate::impact::contingency::chi_square;
use crate::stats::check::label;
use crate::stats::{
    IntervalOptions, MeanSummary, NeumaierSum, Share, ShareInterval, TestOptions, mean_interval,
    share,
};

mod bytes;

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
    keep: Option<&[bool]>,
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
        if keep.is_some_and(|k| !k.get(index).copied().unwrap_or(false)) {
            continue;
        }
        if value.is_nan() {
            return Err(Error::Missing { arg, index });
        }
        if !value.is_finite() {
            return Err(Error::NonFinite { arg, index, value });
        }
        if binary {
            label(arg, index, value)?;
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
        Some(mean_interval(&summary, &TestOptions { confidence: level })?)
    } else {
        None
    };
    Ok(Some(MeanCi { summary, ci }))
}

fn rate(a: &Acc, level: f64) -> Result<Option<Share>> {
    if a.n == 0 {
        return Ok(None);
    }
    let opts = IntervalOptions {
        confidence: level,
        method: ShareInterval::Wilson,
    };
    share(a.sum.value(), a.n as f64, &opts).map(Some)
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

/// The outcomes that a state accumulates, in [`Outcomes`] order: churned, spend, CLV, repurchased.
const OUTCOMES: [&str; 4] = ["churned", "spend", "clv", "repurchased"];

/// Outcomes by class as a mergeable state: update it with chunks of customers (each a partition of a
/// Dask or Spark frame), merge the parts, turn it into bytes to ship it, and finish once. Finishing the
/// merged state equals [`outcome_by_class`](super::outcome_by_class) on all rows (to rounding of the sums).
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
    /// What the class names stand for (text, or the decimal form of integer, float or bool labels).
    kind: LabelKind,
    counts: Vec<u64>,
    /// Per class, customers left out under [`MissingPolicy::Skip`] (a missing outcome).
    missing: Vec<u64>,
    /// Customers without a class ([`NO_CLASS`]: no NPS answer, no label).
    missing_class: u64,
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
            kind: LabelKind::Text,
            counts: vec![0; names.len()],
            missing: vec![0; names.len()],
            missing_class: 0,
            acc: [None, None, None, None],
            fixed: false,
        })
    }

    /// An empty state for integer class labels (codes index them); [`integer_labels`](Self::integer_labels)
    /// gives them back as integers, and the names are their decimal form.
    ///
    /// ```
    /// let s = voc_core::impact::outcome::OutcomeState::with_integer_labels(&[2, 9, 10])?;
    /// assert_eq!(s.names(), ["2", "9", "10"]);
    /// assert_eq!(s.integer_labels(), Some(vec![2, 9, 10]));
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn with_integer_labels(labels: &[i64]) -> Result<Self> {
        let names: Vec<String> = labels.iter().map(i64::to_string).collect();
        let mut s = OutcomeState::new(&names)?;
        s.kind = LabelKind::Integer;
        Ok(s)
    }

    /// An empty state for float class labels (codes index them); [`float_labels`](Self::float_labels)
    /// gives them back as floats (integral ones too: `1.0` stays `1.0`), and the names are their
    /// shortest round-trip decimal form.
    ///
    /// ```
    /// let s = voc_core::impact::outcome::OutcomeState::with_float_labels(&[1.0, 2.5])?;
    /// assert_eq!(s.names(), ["1.0", "2.5"]);
    /// assert_eq!(s.float_labels(), Some(vec![1.0, 2.5]));
    /// assert_eq!(s.integer_labels(), None);
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn with_float_labels(labels: &[f64]) -> Result<Self> {
        let names: Vec<String> = labels.iter().map(|x| format!("{x:?}")).collect();
        let mut s = OutcomeState::new(&names)?;
        s.kind = LabelKind::Float;
        Ok(s)
    }

    /// An empty state for boolean class labels (codes index them); [`bool_labels`](Self::bool_labels)
    /// gives them back as booleans, and the names are `"false"` / `"true"`.
    ///
    /// ```
    /// let s = voc_core::impact::outcome::OutcomeState::with_bool_labels(&[false, true])?;
    /// assert_eq!(s.names(), ["false", "true"]);
    /// assert_eq!(s.bool_labels(), Some(vec![false, true]));
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn with_bool_labels(labels: &[bool]) -> Result<Self> {
        let names: Vec<String> = labels.iter().map(bool::to_string).collect();
        let mut s = OutcomeState::new(&names)?;
        s.kind = LabelKind::Bool;
        Ok(s)
    }

    /// What the class names stand for.
    ///
    /// ```
    /// use voc_core::impact::outcome::{LabelKind, OutcomeState};
    /// assert_eq!(OutcomeState::with_integer_labels(&[3])?.label_kind(), LabelKind::Integer);
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn label_kind(&self) -> LabelKind {
        self.kind
    }

    /// The class labels as integers, when the state was made by
    /// [`with_integer_labels`](Self::with_integer_labels).
    ///
    /// ```
    /// let s = voc_core::impact::outcome::OutcomeState::new(&["a".to_string()])?;
    /// assert_eq!(s.integer_labels(), None);
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn integer_labels(&self) -> Option<Vec<i64>> {
        if self.kind != LabelKind::Integer {
            return None;
        }
        self.names.iter().map(|n| n.parse().ok()).collect()
    }

    /// The class labels as floats, when the state was made by
    /// [`with_float_labels`](Self::with_float_labels).
    ///
    /// ```
    /// let s = voc_core::impact::outcome::OutcomeState::with_integer_labels(&[1])?;
    /// assert_eq!(s.float_labels(), None);
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn float_labels(&self) -> Option<Vec<f64>> {
        if self.kind != LabelKind::Float {
            return None;
        }
        self.names.iter().map(|n| n.parse().ok()).collect()
    }

    /// The class labels as booleans, when the state was made by
    /// [`with_bool_labels`](Self::with_bool_labels).
    ///
    /// ```
    /// let s = voc_core::impact::outcome::OutcomeState::new(&["true".to_string()])?;
    /// assert_eq!(s.bool_labels(), None);
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn bool_labels(&self) -> Option<Vec<bool>> {
        if self.kind != LabelKind::Bool {
            return None;
        }
        self.names.iter().map(|n| n.parse().ok()).collect()
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

    /// Customers left out so far: without a class ([`NO_CLASS`]) or, under [`MissingPolicy::Skip`],
    /// with a missing outcome.
    ///
    /// ```
    /// use voc_core::impact::outcome::{OutcomeState, Outcomes, NO_CLASS};
    /// use voc_core::MissingPolicy;
    /// let mut s = OutcomeState::new(&["a".to_string()])?;
    /// s.update(&[0, NO_CLASS, 0], Outcomes { spend: Some(&[2.0, 3.0, f64::NAN]), ..Default::default() }, MissingPolicy::Skip)?;
    /// assert_eq!((s.customers(), s.missing()), (1, 2));
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn missing(&self) -> u64 {
        self.missing.iter().sum::<u64>() + self.missing_class
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
        // Under Skip a customer with any missing outcome is left out of every outcome (listwise).
        let keep: Option<Vec<bool>> = (missing == MissingPolicy::Skip).then(|| {
            (0..codes.len())
                .map(|i| {
                    cols.iter()
                        .flatten()
                        .all(|v| v.get(i).is_none_or(|x| !x.is_nan()))
                })
                .collect()
        });
        // Everything is checked and counted before the state changes.
        let mut parts: [Option<Vec<Acc>>; 4] = [None, None, None, None];
        for (i, col) in cols.iter().enumerate() {
            let binary = i == 0 || i == 3;
            parts[i] = col
                .map(|v| accumulate(OUTCOMES[i], codes, v, k, keep.as_deref(), binary))
                .transpose()?;
        }
        for (i, &c) in codes.iter().enumerate() {
            let kept = keep
                .as_ref()
                .is_none_or(|k| k.get(i).copied().unwrap_or(false));
            let slot = if kept {
                self.counts.get_mut(c as usize)
            } else {
                self.missing.get_mut(c as usize)
            };
            match slot {
                Some(n) => *n += 1,
                None => self.missing_class += 1,
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
        self.check_mergeable(other)?;
        if !other.fixed {
            return Ok(());
        }
        let both = total(&self.counts, &self.missing, self.missing_class).and_then(|a| {
            let b = total(&other.counts, &other.missing, other.missing_class)?;
            a.checked_add(b).filter(|&n| n <= MAX_CUSTOMERS)
        });
        if both.is_none() {
            return Err(Error::Incompatible(format!(
                "the merged state would count more than {MAX_CUSTOMERS} customers"
            )));
        }
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a += b;
        }
        for (a, b) in self.missing.iter_mut().zip(&other.missing) {
            *a += b;
        }
        self.missing_class += other.missing_class;
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

    /// Whether `other` can be merged into this state: the same class names, the same kind of class
    /// labels ([`LabelKind`]: the integer class `1` is not the text class `"1"`), and, once both hold
    /// customers, the same outcomes. The error ([`Error::Incompatible`]) names the setting that
    /// differs; [`merge`](Self::merge) checks it before changing anything.
    ///
    /// ```
    /// use voc_core::impact::outcome::OutcomeState;
    /// let ints = OutcomeState::with_integer_labels(&[1, 2])?;
    /// let texts = OutcomeState::new(&["1".to_string(), "2".to_string()])?;
    /// let e = ints.check_mergeable(&texts).unwrap_err();
    /// assert!(e.to_string().contains("label kind"), "{e}");
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn check_mergeable(&self, other: &OutcomeState) -> Result<()> {
        if self.kind != other.kind {
            return Err(Error::Incompatible(format!(
                "the class label kind differs: {} labels cannot be merged with {} labels",
                self.kind.name(),
                other.kind.name()
            )));
        }
        if self.names != other.names {
            return Err(Error::Incompatible(format!(
                "the class names differ: {:?} vs {:?}",
                self.names, other.names
            )));
        }
        if self.fixed && other.fixed {
            for (i, (a, b)) in self.acc.iter().zip(&other.acc).enumerate() {
                if a.is_some() != b.is_some() {
                    return Err(Error::Incompatible(format!(
                        "the outcomes differ: one state holds {} and the other does not",
                        OUTCOMES[i]
                    )));
                }
            }
        }
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
        opts.validate()?;
        let level = opts.confidence;
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
                n_missing: self.missing.get(j).copied().unwrap_or(0),
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
                    // Rows: classes with customers; columns: churned, stayed.
                    let cells = ndarray::Array2::from_shape_fn((used.len(), 2), |(r, c)| {
                        used.get(r).map_or(0.0, |a| {
                            if c == 0 {
                                a.sum.value()
                            } else {
                                a.n as f64 - a.sum.value()
                            }
                        })
                    });
                    Some(chi_square(cells.view(), true)?)
                } else {
                    None
                }
            }
            None => None,
        };
        Ok(OutcomeByClass {
            classes,
            n_missing: self.missing(),
            churn_test,
            options: opts.clone(),
        })
    }
}

/// What the class names of an [`OutcomeState`] stand for: text, or the decimal form of integer,
/// float or boolean labels (so that results give the labels back in their type).
///
/// ```
/// use voc_core::impact::outcome::{LabelKind, OutcomeState};
/// assert_eq!(OutcomeState::new(&["a".to_string()])?.label_kind(), LabelKind::Text);
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
#[repr(u8)]
pub enum LabelKind {
    /// Names are the labels.
    #[default]
    Text = 0,
    /// Names are integers in decimal.
    Integer = 1,
    /// Names are floats in shortest round-trip decimal.
    Float = 2,
    /// Names are `"false"` / `"true"`.
    Bool = 3,
}

impl LabelKind {
    /// The kind's name: `"text"`, `"integer"`, `"float"` or `"bool"`.
    ///
    /// ```
    /// assert_eq!(voc_core::impact::outcome::LabelKind::Float.name(), "float");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            LabelKind::Text => "text",
            LabelKind::Integer => "integer",
            LabelKind::Float => "float",
            LabelKind::Bool => "bool",
        }
    }
}

/// Most customers a state counts (2^53, where f64 stops counting exactly): decoded states and merges
/// beyond it are errors, so that no count can overflow.
pub(crate) const MAX_CUSTOMERS: u64 = 1 << 53;

/// Customers counted, left out and unclassified together, if at most [`MAX_CUSTOMERS`].
fn total(counts: &[u64], missing: &[u64], missing_class: u64) -> Option<u64> {
    counts
        .iter()
        .chain(missing)
        .try_fold(missing_class, |acc, &n| acc.checked_add(n))
        .filter(|&n| n <= MAX_CUSTOMERS)
}

/// One batch of customers for [`State::update`](crate::State::update) of an [`OutcomeState`]: class
/// codes (index the state's names; [`NO_CLASS`] rows are left out), the outcome columns aligned with
/// them, and what to do with NaN outcomes. It only borrows the columns.
///
/// ```
/// use voc_core::State;
/// use voc_core::impact::outcome::{OutcomeBatch, OutcomeOptions, OutcomeState, Outcomes};
/// use voc_core::MissingPolicy;
/// let mut s = OutcomeState::new(&["a".to_string(), "b".to_string()])?;
/// let spend = [1.0, f64::NAN, 4.0];
/// let batch = OutcomeBatch::new(&[0, 1, 1], Outcomes::default().spend(&spend)).missing(MissingPolicy::Skip);
/// State::update(&mut s, batch)?;
/// let out = State::finish(&s, &OutcomeOptions::default())?;
/// assert_eq!(out.classes[1].spend.map(|m| m.summary.mean), Some(4.0));
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct OutcomeBatch<'a> {
    /// Class code per customer.
    pub codes: &'a [u32],
    /// Outcome columns, each aligned with `codes`.
    pub outcomes: Outcomes<'a>,
    /// NaN outcomes: an error (default) or the customer left out of every outcome and counted.
    pub missing: MissingPolicy,
}

impl<'a> OutcomeBatch<'a> {
    /// A batch whose NaN outcomes are an error.
    ///
    /// ```
    /// use voc_core::impact::outcome::{OutcomeBatch, Outcomes};
    /// let b = OutcomeBatch::new(&[0], Outcomes::default().churned(&[1.0]));
    /// assert_eq!(b.missing, voc_core::MissingPolicy::Error);
    /// ```
    pub fn new(codes: &'a [u32], outcomes: Outcomes<'a>) -> Self {
        OutcomeBatch {
            codes,
            outcomes,
            missing: MissingPolicy::Error,
        }
    }

    /// Sets the missing-value policy.
    ///
    /// ```
    /// use voc_core::impact::outcome::{OutcomeBatch, Outcomes};
    /// use voc_core::MissingPolicy;
    /// let b = OutcomeBatch::new(&[0], Outcomes::default()).missing(MissingPolicy::Skip);
    /// assert_eq!(b.missing, MissingPolicy::Skip);
    /// ```
    pub fn missing(mut self, missing: MissingPolicy) -> Self {
        self.missing = missing;
        self
    }
}

impl crate::State for OutcomeState {
    type Batch<'a> = OutcomeBatch<'a>;
    type Options = OutcomeOptions;
    type Output = OutcomeByClass;

    /// The same class names, no customers and no outcomes yet.
    fn empty_like(&self) -> Self {
        OutcomeState {
            names: self.names.clone(),
            kind: self.kind,
            counts: vec![0; self.names.len()],
            missing: vec![0; self.names.len()],
            missing_class: 0,
            acc: [None, None, None, None],
            fixed: false,
        }
    }
    fn update(&mut self, batch: OutcomeBatch<'_>) -> Result<()> {
        OutcomeState::update(self, batch.codes, batch.outcomes, batch.missing)
    }
    fn merge(&mut self, other: &Self) -> Result<()> {
        OutcomeState::merge(self, other)
    }
    fn finish(&self, options: &OutcomeOptions) -> Result<OutcomeByClass> {
        OutcomeState::finish(self, options)
    }
    fn to_bytes(&self) -> Vec<u8> {
        OutcomeState::to_bytes(self)
    }
    fn from_bytes(bytes: &[u8]) -> Result<Self> {
        OutcomeState::from_bytes(bytes)
    }
}
