//! Who to call and why: thresholds (by capacity, by target precision, by expected value) and a ranked
//! alert list whose reasons are the signals that push each customer's risk up, in plain words.

use ndarray::ArrayView2;

use crate::error::{Error, Result, check_len};
use crate::risk::LogisticModel;

/// Options of [`alerts`].
///
/// ```
/// use voc_core::risk::AlertOptions;
/// assert!(AlertOptions::default().validate().is_ok());
/// assert!(AlertOptions::default().save_rate(1.5).validate().is_err());
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct AlertOptions {
    /// Share of contacted would-be churners who stay thanks to the contact (default 0.3).
    pub save_rate: f64,
    /// Cost of one contact, in the unit of the customer values (default 5).
    pub contact_cost: f64,
    /// At most this many alerts (the team's capacity), if set.
    pub capacity: Option<usize>,
    /// Only customers with at least this churn probability, if set.
    pub min_probability: Option<f64>,
    /// Reasons listed per customer (default 3).
    pub reasons: usize,
}

impl Default for AlertOptions {
    fn default() -> Self {
        AlertOptions {
            save_rate: 0.3,
            contact_cost: 5.0,
            capacity: None,
            min_probability: None,
            reasons: 3,
        }
    }
}

impl AlertOptions {
    /// Sets [`capacity`](Self::capacity).
    pub fn capacity(mut self, capacity: usize) -> Self {
        self.capacity = Some(capacity);
        self
    }

    /// Sets [`min_probability`](Self::min_probability).
    pub fn min_probability(mut self, min_probability: f64) -> Self {
        self.min_probability = Some(min_probability);
        self
    }

    /// Checks the options.
    pub fn validate(&self) -> Result<()> {
        if !(0.0..=1.0).contains(&self.save_rate) {
            return Err(Error::option(
                "save_rate",
                self.save_rate,
                "must lie in [0, 1]",
            ));
        }
        if !(self.contact_cost >= 0.0 && self.contact_cost.is_finite()) {
            return Err(Error::option(
                "contact_cost",
                self.contact_cost,
                "must be finite and not negative",
            ));
        }
        if let Some(p) = self.min_probability
            && !(0.0..=1.0).contains(&p)
        {
            return Err(Error::option("min_probability", p, "must lie in [0, 1]"));
        }
        if self.reasons > 20 {
            return Err(Error::option("reasons", self.reasons, "at most 20"));
        }
        Ok(())
    }
}

crate::setters!(AlertOptions {
    save_rate: f64,
    contact_cost: f64,
    reasons: usize
});

/// One reason behind a customer's risk.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Reason {
    /// Feature name.
    pub feature: String,
    /// The customer's value.
    pub value: f64,
    /// Contribution to the log-odds relative to an average customer.
    pub contribution: f64,
    /// The reason in words, e.g. "waited 24 days for a refund".
    pub text: String,
}

/// One customer worth a call.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Alert {
    /// Row in the scored data.
    pub row: usize,
    /// Churn probability.
    pub probability: f64,
    /// Customer value (e.g. CLV or annual spend).
    pub value: f64,
    /// `value × probability × save_rate − contact_cost`.
    pub expected_value: f64,
    /// Top reasons, largest contribution first: signals that raise the risk and are present (non-zero,
    /// not missing).
    pub reasons: Vec<Reason>,
}

/// Expected value of contacting each customer: `value × p × save_rate − contact_cost`.
///
/// ```
/// let ev = voc_core::risk::expected_value(&[0.5, 0.1], &[200.0, 200.0], 0.3, 5.0)?;
/// assert_eq!(ev, vec![25.0, 1.0]);
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn expected_value(
    p: &[f64],
    value: &[f64],
    save_rate: f64,
    contact_cost: f64,
) -> Result<Vec<f64>> {
    check_len("probabilities", p.len(), "value", value.len())?;
    for (i, &v) in value.iter().enumerate() {
        if !v.is_finite() {
            return Err(Error::NonFinite {
                arg: "value",
                index: i,
                value: v,
            });
        }
    }
    Ok(p.iter()
        .zip(value)
        .map(|(&p, &v)| v * p * save_rate - contact_cost)
        .collect())
}

/// The threshold that flags the `k` highest scores (the k-th highest score; ties at it are flagged too).
///
/// ```
/// assert_eq!(voc_core::risk::threshold_top_k(&[0.2, 0.9, 0.5, 0.7], 2)?, 0.7);
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn threshold_top_k(score: &[f64], k: usize) -> Result<f64> {
    if k == 0 || k > score.len() {
        return Err(Error::option(
            "k",
            k,
            format!("must lie in 1..={}", score.len()),
        ));
    }
    let mut s: Vec<f64> = score.to_vec();
    if let Some(i) = s.iter().position(|v| v.is_nan()) {
        return Err(Error::Missing {
            arg: "scores",
            index: i,
        });
    }
    if let Some(i) = s.iter().position(|v| v.is_infinite()) {
        return Err(Error::NonFinite {
            arg: "scores",
            index: i,
            value: s[i],
        });
    }
    let (_, kth, _) = s.select_nth_unstable_by(k - 1, |a, b| b.total_cmp(a));
    Ok(*kth)
}

/// The result of [`threshold_for_precision`]: the target, and the threshold that reaches it if one does.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct PrecisionThreshold {
    /// The precision asked for.
    pub target: f64,
    /// The lowest threshold whose precision reaches the target, with its precision and recall; `None`
    /// when no threshold reaches it.
    pub found: Option<ThresholdPoint>,
}

/// A threshold with the precision and recall it gives on labelled data.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ThresholdPoint {
    /// Scores at or above it flag a churner.
    pub threshold: f64,
    /// Share of flagged customers who churn.
    pub precision: f64,
    /// Share of churners flagged.
    pub recall: f64,
}

/// The lowest threshold whose precision (share of flagged customers who churn) reaches `target` on
/// labelled data, with its precision and recall; [`PrecisionThreshold::found`] is `None` when no
/// threshold reaches it. `y` without a churner is an [`Error::InsufficientData`] (every precision is 0
/// and the recall 0/0).
///
/// ```
/// use voc_core::risk::{threshold_for_precision, ThresholdPoint};
/// let t = threshold_for_precision(&[1.0, 1.0, 0.0, 1.0, 0.0], &[0.9, 0.8, 0.7, 0.6, 0.1], 0.75)?;
/// assert_eq!(t.found, Some(ThresholdPoint { threshold: 0.6, precision: 0.75, recall: 1.0 }));
/// let none = threshold_for_precision(&[0.0, 0.0, 1.0], &[0.9, 0.8, 0.1], 0.9)?;
/// assert_eq!(none.found, None);
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn threshold_for_precision(
    y: &[f64],
    score: &[f64],
    target: f64,
) -> Result<PrecisionThreshold> {
    if !(0.0..=1.0).contains(&target) {
        return Err(Error::option("target", target, "must lie in [0, 1]"));
    }
    // Validates y and the scores; every threshold gives the same number of churners.
    let c = crate::risk::confusion(y, score, f64::MAX)?;
    let pos = c.true_positives + c.false_negatives;
    if pos == 0 {
        return Err(Error::InsufficientData(
            "y has no churner: every threshold's precision is 0 and its recall is 0/0".into(),
        ));
    }
    let mut order: Vec<usize> = (0..y.len()).collect();
    order.sort_unstable_by(|&a, &b| score[b].total_cmp(&score[a]));
    let (mut tp, mut fp, mut best) = (0usize, 0usize, None);
    let mut i = 0;
    while i < order.len() {
        let v = score[order[i]];
        while i < order.len() && score[order[i]] == v {
            if y[order[i]] == 1.0 {
                tp += 1
            } else {
                fp += 1
            }
            i += 1;
        }
        let precision = tp as f64 / (tp + fp) as f64;
        if precision >= target {
            best = Some(ThresholdPoint {
                threshold: v,
                precision,
                recall: tp as f64 / pos as f64,
            });
        }
    }
    Ok(PrecisionThreshold {
        target,
        found: best,
    })
}

/// The alert list: customers with positive expected value (and at least `min_probability`), ranked by
/// expected value, cut at `capacity`, each with the signals that raise their risk most.
///
/// ```
/// use ndarray::Array2;
/// use voc_core::Fit;
/// use voc_core::risk::{alerts, AlertOptions, LogisticOptions, RiskData};
/// let delay = Array2::from_shape_vec((8, 1), vec![1.0, 2.0, 30.0, 25.0, 3.0, 28.0, 2.0, 1.0])?;
/// let y = [0.0, 0.0, 1.0, 1.0, 0.0, 1.0, 1.0, 0.0];
/// let names = vec!["refund_delay_max_days".to_string()];
/// let m = LogisticOptions::default().fit(RiskData::new(delay.view(), &y).names(&names))?;
/// let list = alerts(&m, delay.view(), &[300.0; 8], &AlertOptions::default().capacity(2))?;
/// assert_eq!(list.len(), 2);
/// assert_eq!(list[0].reasons[0].text, "waited 30 days for a refund");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn alerts(
    model: &LogisticModel,
    x: ArrayView2<'_, f64>,
    value: &[f64],
    opts: &AlertOptions,
) -> Result<Vec<Alert>> {
    opts.validate()?;
    let p = model.predict_proba(x)?;
    let ev = expected_value(&p, value, opts.save_rate, opts.contact_cost)?;
    let mut rows: Vec<usize> = (0..p.len())
        .filter(|&i| ev[i] > 0.0 && opts.min_probability.is_none_or(|m| p[i] >= m))
        .collect();
    rows.sort_by(|&a, &b| ev[b].total_cmp(&ev[a]).then(a.cmp(&b)));
    if let Some(cap) = opts.capacity {
        rows.truncate(cap);
    }
    Ok(rows
        .into_iter()
        .map(|i| {
            // `predict_proba` checked the shape: row `i` exists and has one value per feature.
            let mut reasons: Vec<Reason> = x
                .row(i)
                .iter()
                .zip(&model.names)
                .zip(model.coef.iter().zip(&model.means))
                .filter_map(|((&raw, name), (&coef, &mean))| {
                    let v = if raw.is_nan() { mean } else { raw };
                    let c = coef * (v - mean);
                    // An absent signal (0 tickets, no drop) is never a reason to call.
                    (c > 0.0 && !raw.is_nan() && raw != 0.0).then(|| Reason {
                        feature: name.clone(),
                        value: v,
                        contribution: c,
                        text: describe(name, v),
                    })
                })
                .collect();
            reasons.sort_by(|a, b| b.contribution.total_cmp(&a.contribution));
            reasons.truncate(opts.reasons);
            Alert {
                row: i,
                probability: p[i],
                value: value[i],
                expected_value: ev[i],
                reasons,
            }
        })
        .collect())
}

fn plural(n: f64, one: &str, many: &str) -> String {
    format!("{n:.0} {}", if (n - 1.0).abs() < 0.5 { one } else { many })
}

/// A signal and its value in words a CX manager reads (names from `voc_core::signals`; others are shown
/// as `name = value`).
///
/// ```
/// use voc_core::risk::describe;
/// assert_eq!(describe("repeat_theme_max_90d", 3.0), "3 tickets on the same problem in 90 days");
/// assert_eq!(describe("nps_drop", 6.0), "NPS answer dropped by 6 points");
/// assert_eq!(describe("orders_30d", 1.0), "1 order in the last 30 days");
/// assert_eq!(describe("custom_score", 0.25), "custom_score = 0.25");
/// ```
pub fn describe(feature: &str, v: f64) -> String {
    if let Some(w) = feature
        .strip_prefix("repeat_theme_max_")
        .and_then(|s| s.strip_suffix('d'))
    {
        return format!(
            "{} on the same problem in {w} days",
            plural(v, "ticket", "tickets")
        );
    }
    if let Some(w) = feature
        .strip_prefix("tickets_")
        .and_then(|s| s.strip_suffix('d'))
    {
        return format!("{} in the last {w} days", plural(v, "ticket", "tickets"));
    }
    if let Some(w) = feature
        .strip_prefix("orders_change_")
        .and_then(|s| s.strip_suffix('d'))
    {
        return if v < 0.0 {
            format!(
                "{} fewer orders in the last {w} days than the {w} before",
                -v
            )
        } else {
            format!("{v:+.0} orders in the last {w} days vs the {w} before")
        };
    }
    if let Some(w) = feature
        .strip_prefix("orders_")
        .and_then(|s| s.strip_suffix('d'))
        .filter(|w| w.bytes().all(|b| b.is_ascii_digit()))
    {
        return format!("{} in the last {w} days", plural(v, "order", "orders"));
    }
    if let Some(w) = feature
        .strip_prefix("spend_change_")
        .and_then(|s| s.strip_suffix('d'))
    {
        return format!("spend changed by {v:+.0} over the last {w} days");
    }
    if let Some(w) = feature
        .strip_prefix("sentiment_change_")
        .and_then(|s| s.strip_suffix('d'))
    {
        return format!("sentiment changed by {v:+.2} over the last {w} days");
    }
    if let Some(theme) = feature.strip_prefix("theme_") {
        return format!(
            "{} about {}",
            plural(v, "ticket", "tickets"),
            theme.replace('_', " ")
        );
    }
    match feature {
        "refund_delay_max_days" => format!("waited {v:.0} days for a refund"),
        "refund_delay_mean_days" => format!("refunds took {v:.0} days on average"),
        "refunds_pending" => format!("{} still pending", plural(v, "refund", "refunds")),
        "returns" => plural(v, "return", "returns"),
        "tickets_unresolved" => format!("{} unresolved", plural(v, "ticket", "tickets")),
        "tickets" => plural(v, "support ticket", "support tickets"),
        "resolution_days_median" => format!("tickets took {v:.1} days to resolve"),
        "ticket_csat_mean" => format!("rated support {v:.1}/5"),
        "nps_last" => format!("last NPS answer {v:.0}"),
        "nps_mean" => format!("average NPS answer {v:.1}"),
        "nps_drop" if v < 0.0 => format!("NPS answer rose by {:.0} points", -v),
        "nps_drop" => format!("NPS answer dropped by {v:.0} points"),
        "nps_flip" => "went from promoter to detractor".into(),
        "csat_mean" => format!("average CSAT {v:.1}/5"),
        "ces_mean" => format!("average effort score {v:.1}/7"),
        "silent" => "no orders or feedback for a while".into(),
        "recency_days" => format!("no order for {v:.0} days"),
        "days_since_activity" => format!("no contact of any kind for {v:.0} days"),
        "frequency" => plural(v, "order", "orders"),
        "monetary" => format!("spent {v:.0} in total"),
        "aov" => format!("average order {v:.0}"),
        "sentiment_mean" => format!("average sentiment {v:.2}"),
        "mentions" => plural(v, "social mention", "social mentions"),
        "churn_event" => "answered a churn survey".into(),
        "tenure_days" => format!("customer for {v:.0} days"),
        _ => format!("{feature} = {v}"),
    }
}
