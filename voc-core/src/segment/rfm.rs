//! RFM: recency, frequency and monetary scores by quantile, and the usual named RFM segments.
//!
//! **Scores.** Only customers with a purchase (finite recency) are scored; the others have no scores
//! (`None`) and no rule segment; [`Rfm::segment_name`] calls them "No Purchases". Among the `m` scored customers each value gets a rank `r` in `1..=m`:
//! ascending for frequency and monetary, descending for recency (the most recent buyer ranks last, so it
//! scores highest); **equal values are ranked in row order** (pandas `rank(method="first")`). The score
//! with `q` bins is the smallest `j ≥ 1` with `r ≤ 1 + (m − 1)·j/q`, i.e. `max(1, ⌈q(r − 1)/(m − 1)⌉)`,
//! computed in integers. This is pandas `qcut(rank(method="first"), q, labels=1..q)`, the common
//! practice, which `voc-py/tests/test_segment.py` checks (`-0.0` and `0.0` are one value, as in
//! pandas). The ranks come from a counting sort for whole numbers in a small range and a radix select
//! otherwise, never a comparison sort of the whole column. Every bin then holds ⌊m/q⌋ or ⌈m/q⌉
//! customers (ties never make bins uneven). With a single scored customer every score is 1 (pandas
//! cannot cut one value).
//!
//! **Segments.** Named by the recency and frequency scores with the widely used 5 × 5 R–F grid
//! ([`RfmRule::defaults`]): Champions, Loyal Customers, Potential Loyalists, New Customers, Promising,
//! Need Attention, About To Sleep, At Risk, Can't Lose Them, Hibernating. The rules are data: pass your
//! own list (first match wins; a scored customer no rule matches has no rule segment, `None`, which
//! [`Rfm::segment_name`] calls "Other").

use crate::error::{Error, Result, check_len};

/// Runs both closures, on two threads when the `parallel` feature is on.
fn join<A: Send, B: Send>(a: impl FnOnce() -> A + Send, b: impl FnOnce() -> B + Send) -> (A, B) {
    #[cfg(feature = "parallel")]
    return rayon::join(a, b);
    #[cfg(not(feature = "parallel"))]
    (a(), b())
}

/// Label of customers without a purchase (recency NaN).
const NO_PURCHASE: &str = "No Purchases";
/// Label of scored customers that no rule matches.
const UNMATCHED: &str = "Other";

/// One named cell range of the R–F grid (inclusive score ranges).
///
/// ```
/// use voc_core::segment::RfmRule;
/// let r = RfmRule::new("Champions", (5, 5), (4, 5));
/// assert!(r.matches(5, 4) && !r.matches(4, 5));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct RfmRule {
    /// Segment name.
    pub name: String,
    /// Recency score range (inclusive).
    pub r: (u8, u8),
    /// Frequency score range (inclusive).
    pub f: (u8, u8),
}

impl RfmRule {
    /// A rule.
    ///
    /// ```
    /// assert_eq!(voc_core::segment::RfmRule::new("At Risk", (1, 2), (3, 4)).r, (1, 2));
    /// ```
    pub fn new(name: &str, r: (u8, u8), f: (u8, u8)) -> Self {
        RfmRule {
            name: name.to_owned(),
            r,
            f,
        }
    }

    /// Whether scores `(r, f)` fall in the rule's ranges.
    ///
    /// ```
    /// assert!(voc_core::segment::RfmRule::new("New Customers", (5, 5), (1, 1)).matches(5, 1));
    /// ```
    pub fn matches(&self, r: u8, f: u8) -> bool {
        (self.r.0..=self.r.1).contains(&r) && (self.f.0..=self.f.1).contains(&f)
    }

    /// The usual R–F grid for 5 bins (it covers all 25 cells, without overlap).
    ///
    /// ```
    /// use voc_core::segment::RfmRule;
    /// let rules = RfmRule::defaults();
    /// for r in 1..=5 {
    ///     for f in 1..=5 {
    ///         assert_eq!(rules.iter().filter(|x| x.matches(r, f)).count(), 1);
    ///     }
    /// }
    /// ```
    pub fn defaults() -> Vec<RfmRule> {
        vec![
            RfmRule::new("Champions", (5, 5), (4, 5)),
            RfmRule::new("Loyal Customers", (3, 4), (4, 5)),
            RfmRule::new("Potential Loyalists", (4, 5), (2, 3)),
            RfmRule::new("New Customers", (5, 5), (1, 1)),
            RfmRule::new("Promising", (4, 4), (1, 1)),
            RfmRule::new("Need Attention", (3, 3), (3, 3)),
            RfmRule::new("About To Sleep", (3, 3), (1, 2)),
            RfmRule::new("Can't Lose Them", (1, 2), (5, 5)),
            RfmRule::new("At Risk", (1, 2), (3, 4)),
            RfmRule::new("Hibernating", (1, 2), (1, 2)),
        ]
    }
}

/// RFM options.
///
/// ```
/// use voc_core::segment::RfmOptions;
/// assert!(RfmOptions::default().validate().is_ok());
/// assert!(RfmOptions::default().bins(4).validate().is_err()); // default rules need 5
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct RfmOptions {
    /// Number of quantile bins `q` (2..=10; default 5).
    pub bins: u8,
    /// Segment rules on (R, F), first match wins (default [`RfmRule::defaults`]).
    pub rules: Vec<RfmRule>,
}

impl Default for RfmOptions {
    fn default() -> Self {
        RfmOptions {
            bins: 5,
            rules: RfmRule::defaults(),
        }
    }
}

impl RfmOptions {
    /// Checks the options: `bins` in 2..=10, rule ranges within 1..=bins and not reversed.
    ///
    /// ```
    /// use voc_core::segment::{RfmOptions, RfmRule};
    /// let opts = RfmOptions::default().bins(3).rules(vec![RfmRule::new("Best", (3, 3), (3, 3))]);
    /// assert!(opts.validate().is_ok());
    /// ```
    pub fn validate(&self) -> Result<()> {
        if !(2..=10).contains(&self.bins) {
            return Err(Error::option("bins", self.bins, "must lie in 2..=10"));
        }
        for rule in &self.rules {
            for (lo, hi) in [rule.r, rule.f] {
                if lo < 1 || hi > self.bins || lo > hi {
                    return Err(Error::option(
                        "rules",
                        &rule.name,
                        format!(
                            "score ranges must lie in 1..={} with low ≤ high, got ({lo}, {hi})",
                            self.bins
                        ),
                    ));
                }
            }
        }
        Ok(())
    }
}

crate::setters!(RfmOptions { bins: u8, rules: Vec<RfmRule> });

/// RFM scores and segments per customer.
///
/// ```
/// use voc_core::segment::{rfm, RfmOptions};
/// let recency = [5.0, 300.0, f64::NAN, 40.0, 10.0];
/// let frequency = [12.0, 1.0, 0.0, 3.0, 8.0];
/// let monetary = [900.0, 20.0, 0.0, 150.0, 400.0];
/// let out = rfm(&recency, &frequency, &monetary, &RfmOptions::default())?;
/// assert_eq!(out.r, vec![Some(5), Some(1), None, Some(2), Some(4)]);
/// assert_eq!(out.segment_name(0), Some("Champions"));
/// assert_eq!(out.segment[2], None);
/// assert_eq!(out.segment_name(2), Some("No Purchases"));
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Rfm {
    /// Recency score (1 = longest ago … q = most recent; `None` = no purchase).
    pub r: Vec<Option<u8>>,
    /// Frequency score (`None` = no purchase).
    pub f: Vec<Option<u8>>,
    /// Monetary score (`None` = no purchase).
    pub m: Vec<Option<u8>>,
    /// Rule segment of each customer (index into `names`); `None` when the customer has no purchase
    /// or no rule matches.
    pub segment: Vec<Option<u32>>,
    /// The rules' segment names, distinct, in rule order.
    pub names: Vec<String>,
}

impl Rfm {
    /// The segment label of customer `i`: its rule's name, "Other" when no rule matches, "No Purchases"
    /// without a purchase; `None` when `i` is out of range.
    ///
    /// ```
    /// use voc_core::segment::{rfm, RfmOptions};
    /// let out = rfm(&[1.0, 2.0], &[1.0, 1.0], &[5.0, 5.0], &RfmOptions::default().rules(vec![]))?;
    /// assert_eq!(out.segment_name(0), Some("Other"));
    /// assert_eq!(out.segment_name(9), None);
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn segment_name(&self, i: usize) -> Option<&str> {
        let seg = self.segment.get(i)?;
        Some(match seg {
            Some(s) => self
                .names
                .get(*s as usize)
                .map_or(UNMATCHED, String::as_str),
            None if self.r.get(i).is_some_and(Option::is_some) => UNMATCHED,
            None => NO_PURCHASE,
        })
    }

    /// The RFM score label of customer `i`: the recency, frequency and monetary scores written one after
    /// another (`"543"`), `"000"` for a customer without a purchase; `None` when `i` is out of range.
    ///
    /// ```
    /// use voc_core::segment::{rfm, RfmOptions};
    /// // Days since the last order, orders, spend; the third customer never ordered.
    /// let out = rfm(&[5.0, 300.0, f64::NAN], &[12.0, 1.0, 0.0], &[900.0, 20.0, 0.0], &RfmOptions::default())?;
    /// let best = out.score_label(0).unwrap();
    /// assert_eq!(best.len(), 3);
    /// assert!(best > out.score_label(1).unwrap()); // recent, frequent, big spender scores higher
    /// assert_eq!(out.score_label(2).as_deref(), Some("000"));
    /// assert_eq!(out.score_label(3), None);
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn score_label(&self, i: usize) -> Option<String> {
        let score = |v: &[Option<u8>]| v.get(i).map(|s| s.unwrap_or(0));
        Some(format!(
            "{}{}{}",
            score(&self.r)?,
            score(&self.f)?,
            score(&self.m)?
        ))
    }

    /// [`score_label`](Self::score_label) of every customer, in row order.
    ///
    /// ```
    /// use voc_core::segment::{rfm, RfmOptions};
    /// let out = rfm(&[5.0, 300.0, f64::NAN, 40.0, 10.0], &[12.0, 1.0, 0.0, 3.0, 8.0],
    ///               &[900.0, 20.0, 0.0, 150.0, 400.0], &RfmOptions::default())?;
    /// assert_eq!(out.score_labels(), vec!["555", "111", "000", "222", "444"]);
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn score_labels(&self) -> Vec<String> {
        (0..self.r.len())
            .filter_map(|i| self.score_label(i))
            .collect()
    }

    /// The RFM score labels as dense codes: `labels[codes[i]]` is
    /// [`score_label`](Self::score_label)`(i)`, and `labels` holds each label that occurs once, in
    /// ascending (R, F, M) order (`"000"`, a customer without a purchase, first). One string per
    /// distinct label rather than one per customer.
    ///
    /// ```
    /// use voc_core::segment::{rfm, RfmOptions};
    /// let out = rfm(&[5.0, 300.0, f64::NAN, 40.0, 10.0], &[12.0, 1.0, 0.0, 3.0, 8.0],
    ///               &[900.0, 20.0, 0.0, 150.0, 400.0], &RfmOptions::default())?;
    /// let (codes, labels) = out.score_codes();
    /// assert_eq!(labels, vec!["000", "111", "222", "444", "555"]);
    /// assert_eq!(codes, vec![4, 1, 0, 2, 3]);
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn score_codes(&self) -> (Vec<u32>, Vec<String>) {
        // Scores are at most 10 (`bins` ≤ 10): an (R, F, M) cell is r·11² + f·11 + m.
        const SIDE: usize = 11;
        let cell = |i: usize| {
            let s = |v: &[Option<u8>]| usize::from(v.get(i).copied().flatten().unwrap_or(0));
            (s(&self.r) * SIDE + s(&self.f)) * SIDE + s(&self.m)
        };
        let n = self.r.len();
        let mut dense = vec![u32::MAX; SIDE * SIDE * SIDE];
        for i in 0..n {
            if let Some(d) = dense.get_mut(cell(i)) {
                *d = 0;
            }
        }
        let mut labels = Vec::new();
        for (c, d) in dense.iter_mut().enumerate() {
            if *d == 0 {
                *d = labels.len() as u32;
                labels.push(format!(
                    "{}{}{}",
                    c / (SIDE * SIDE),
                    (c / SIDE) % SIDE,
                    c % SIDE
                ));
            }
        }
        let codes = (0..n)
            .map(|i| dense.get(cell(i)).copied().unwrap_or(0))
            .collect();
        (codes, labels)
    }

    /// Dense segment codes for [`profile`](crate::segment::profile) (every customer in a segment) and
    /// their names: the rules' names, then "Other" (no rule matches), then "No Purchases".
    ///
    /// ```
    /// use voc_core::segment::{rfm, RfmOptions};
    /// let out = rfm(&[1.0, f64::NAN], &[1.0, 0.0], &[5.0, 0.0], &RfmOptions::default().rules(vec![]))?;
    /// let (codes, names) = out.codes();
    /// assert_eq!(codes, vec![0, 1]);
    /// assert_eq!(names, vec!["Other", "No Purchases"]);
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn codes(&self) -> (Vec<u32>, Vec<String>) {
        let unmatched = self.names.len() as u32;
        let codes = self
            .segment
            .iter()
            .zip(&self.r)
            .map(|(seg, r)| match (seg, r) {
                (Some(s), _) => *s,
                (None, Some(_)) => unmatched,
                (None, None) => unmatched + 1,
            })
            .collect();
        let mut names = self.names.clone();
        names.push(UNMATCHED.to_owned());
        names.push(NO_PURCHASE.to_owned());
        (codes, names)
    }
}

/// Quantile scores `1..=bins` of one column: rank with ties in row order (ascending, or descending when
/// `descending`), then cut into `bins` equal-count bins as pandas `qcut(rank(method="first"), bins)`.
/// NaN rows get `None` and are not ranked; ±inf is an error.
///
/// ```
/// use voc_core::segment::quantile_scores;
/// // ties (the three 2.0) are ranked in row order
/// let s = quantile_scores(&[2.0, 2.0, 2.0, 1.0, 9.0], 5, false)?;
/// assert_eq!(s, vec![Some(2), Some(3), Some(4), Some(1), Some(5)]);
/// assert_eq!(quantile_scores(&[1.0, f64::NAN, 3.0], 2, false)?, vec![Some(1), None, Some(2)]);
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn quantile_scores(values: &[f64], bins: u8, descending: bool) -> Result<Vec<Option<u8>>> {
    if !(2..=10).contains(&bins) {
        return Err(Error::option("bins", bins, "must lie in 2..=10"));
    }
    if let Some(i) = values.iter().position(|v| v.is_infinite()) {
        return Err(Error::NonFinite {
            arg: "values",
            index: i,
            value: values[i],
        });
    }
    let scored: Vec<bool> = values.iter().map(|v| !v.is_nan()).collect();
    Ok(super::qcut::bins(values, &scored, bins, descending))
}

fn check_column(arg: &'static str, values: &[f64], scored: &[bool]) -> Result<()> {
    for (i, (&v, &s)) in values.iter().zip(scored).enumerate() {
        if !s {
            continue;
        }
        if v.is_nan() {
            return Err(Error::Missing { arg, index: i });
        }
        if !v.is_finite() {
            return Err(Error::NonFinite {
                arg,
                index: i,
                value: v,
            });
        }
        if v < 0.0 {
            return Err(Error::InvalidValue {
                arg,
                index: i,
                value: v,
                reason: "must be ≥ 0",
            });
        }
    }
    Ok(())
}

/// RFM scores and segments (see the module docs). `recency` is days since the last purchase (NaN: never
/// bought), `frequency` the number of purchases, `monetary` the amount spent — the signals columns
/// `recency_days`, `frequency` and `monetary`. Frequency and monetary must be finite and ≥ 0 for every
/// customer with a purchase; they are ignored for the others.
///
/// ```
/// use voc_core::segment::{rfm, RfmOptions};
/// assert!(rfm(&[1.0], &[1.0, 2.0], &[1.0], &RfmOptions::default()).is_err()); // lengths
/// assert!(rfm(&[-1.0], &[1.0], &[1.0], &RfmOptions::default()).is_err()); // negative recency
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn rfm(recency: &[f64], frequency: &[f64], monetary: &[f64], opts: &RfmOptions) -> Result<Rfm> {
    opts.validate()?;
    check_len("recency", recency.len(), "frequency", frequency.len())?;
    check_len("recency", recency.len(), "monetary", monetary.len())?;
    let scored: Vec<bool> = recency.iter().map(|v| !v.is_nan()).collect();
    check_column("recency", recency, &scored)?;
    check_column("frequency", frequency, &scored)?;
    check_column("monetary", monetary, &scored)?;
    let q = opts.bins;
    let ((r, f), m) = join(
        || {
            join(
                || super::qcut::bins(recency, &scored, q, true),
                || super::qcut::bins(frequency, &scored, q, false),
            )
        },
        || super::qcut::bins(monetary, &scored, q, false),
    );
    let mut names: Vec<String> = opts.rules.iter().map(|x| x.name.clone()).collect();
    // Rules may repeat a name (several ranges for one segment): one segment per distinct name.
    names.dedup();
    let mut distinct: Vec<String> = Vec::new();
    for n in names {
        if !distinct.contains(&n) {
            distinct.push(n);
        }
    }
    // The segment of every (R, F) cell: the first rule that matches it.
    let side = usize::from(q) + 1;
    let cells: Vec<Option<u32>> = (0..side * side)
        .map(|c| {
            let (ri, fi) = ((c / side) as u8, (c % side) as u8);
            let rule = opts.rules.iter().find(|rule| rule.matches(ri, fi))?;
            Some(distinct.iter().position(|n| *n == rule.name).unwrap_or(0) as u32)
        })
        .collect();
    let segment = r
        .iter()
        .zip(&f)
        .map(|(ri, fi)| {
            let (ri, fi) = ((*ri)?, (*fi)?);
            *cells.get(usize::from(ri) * side + usize::from(fi))?
        })
        .collect();
    Ok(Rfm {
        r,
        f,
        m,
        segment,
        names: distinct,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins_are_even_whatever_the_ties() -> Result<()> {
        let v: Vec<f64> = (0..103).map(|i| (i % 4) as f64).collect();
        let s = quantile_scores(&v, 5, false)?;
        for b in 1..=5 {
            let c = s.iter().filter(|&&x| x == Some(b)).count();
            assert!(c == 20 || c == 21, "bin {b} has {c}");
        }
        Ok(())
    }

    #[test]
    fn score_labels_join_the_three_scores() -> Result<()> {
        let out = rfm(
            &[1.0, 100.0, f64::NAN, 50.0],
            &[3.0, 1.0, 0.0, 2.0],
            &[10.0, 30.0, 0.0, 20.0],
            &RfmOptions::default().bins(3).rules(vec![]),
        )?;
        // Recency descending (1.0 is the most recent), frequency and monetary ascending; no purchase: 000.
        assert_eq!(out.score_labels(), vec!["331", "113", "000", "222"]);
        for i in 0..4 {
            let want = format!(
                "{}{}{}",
                out.r[i].unwrap_or(0),
                out.f[i].unwrap_or(0),
                out.m[i].unwrap_or(0)
            );
            assert_eq!(out.score_label(i), Some(want));
        }
        assert_eq!(out.score_label(4), None);
        Ok(())
    }

    #[test]
    fn recency_is_reversed() -> Result<()> {
        let out = rfm(
            &[1.0, 100.0, 50.0],
            &[1.0, 1.0, 1.0],
            &[1.0, 1.0, 1.0],
            &RfmOptions::default().bins(3).rules(vec![]),
        )?;
        assert_eq!(out.r, vec![Some(3), Some(1), Some(2)]);
        assert_eq!(out.f, vec![Some(1), Some(2), Some(3)]); // ties in row order
        assert_eq!(out.segment, vec![None, None, None]);
        assert_eq!(out.segment_name(0), Some(UNMATCHED));
        Ok(())
    }

    #[test]
    fn single_and_empty() -> Result<()> {
        let out = rfm(&[3.0], &[1.0], &[5.0], &RfmOptions::default())?;
        assert_eq!((out.r[0], out.f[0], out.m[0]), (Some(1), Some(1), Some(1)));
        let out = rfm(&[], &[], &[], &RfmOptions::default())?;
        assert!(out.segment.is_empty());
        let out = rfm(&[f64::NAN], &[f64::NAN], &[0.0], &RfmOptions::default())?;
        assert_eq!(out.segment_name(0), Some(NO_PURCHASE));
        assert_eq!(out.codes().0, vec![11]); // ten default segments, then Other, then No Purchases
        Ok(())
    }

    #[test]
    fn bad_values_name_their_position() {
        let e = rfm(
            &[1.0, 2.0],
            &[1.0, f64::NAN],
            &[1.0, 1.0],
            &RfmOptions::default(),
        );
        assert!(matches!(
            e,
            Err(Error::Missing {
                arg: "frequency",
                index: 1
            })
        ));
        let e = rfm(
            &[1.0, 2.0],
            &[1.0, 1.0],
            &[1.0, -3.0],
            &RfmOptions::default(),
        );
        assert!(matches!(
            e,
            Err(Error::InvalidValue {
                arg: "monetary",
                index: 1,
                ..
            })
        ));
    }
}
