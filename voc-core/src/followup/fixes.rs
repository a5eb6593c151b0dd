//! Root cause → fix → effect: a register of fixes (id, themes addressed, rollout time, an optional
//! holdout or rollout group of customers, cost) and what each fix did, from the existing impact
//! functions: the themes' mention rate before and after ([`before_after`], counted by
//! [`MentionCounts`]), the contact volume avoided ([`rate_ratio`]), the churn effect ([`holdout`],
//! [`diff_in_diff`] or, without a control group, [`before_after`]) and the ROI ([`roi`](fn@roi)).

use crate::error::{Error, Result};
use crate::impact::effect::{
    BeforeAfter, DidOptions, DidSe, EffectOptions, Holdout, RateRatio, before_after, diff_in_diff,
    holdout, proportion_cell, rate_ratio,
};
use crate::impact::roi::{Roi, RoiInputs, roi};
use crate::signals::DAY;
use crate::stats::{MeanSummary, TestResult};
use crate::text::{MentionCounts, MentionOptions, Sets};
use crate::time::NAT;

/// How a fix was rolled out to customers, for its churn effect.
///
/// ```
/// use voc_core::followup::FixDesign;
/// assert_eq!("did".parse::<FixDesign>()?, FixDesign::Rollout);
/// assert_eq!(FixDesign::Holdout.to_string(), "holdout");
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum FixDesign {
    /// A random holdout: the flagged customers did not get the fix. Churn after the rollout of the
    /// customers who got it against the held-out ones ([`holdout`]).
    Holdout,
    /// Rollout groups: the flagged customers got the fix at the rollout, the others later (or never).
    /// Difference-in-differences of churn before and after the rollout ([`diff_in_diff`]).
    Rollout,
}

crate::named_enum!(FixDesign, "design", {
    Holdout => "holdout",
    Rollout => "rollout" | "did" | "rollout_group",
});

/// One fix of the register.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Fix {
    /// The fix's id.
    pub id: String,
    /// Theme codes the fix addresses (a text counts once when it mentions any of them).
    pub themes: Vec<u32>,
    /// Rollout time (seconds since 1970).
    pub rollout: i64,
    /// Programme cost of the fix (≥ 0).
    pub cost: f64,
    /// The design and its flag column: an index into [`FixCustomers::groups`] (`None`: everyone got
    /// the fix at the rollout; the churn effect is then a before/after comparison, observational).
    pub groups: Option<(FixDesign, usize)>,
}

/// The texts whose theme mentions measure a fix: tickets, chats, survey comments, posts.
#[derive(Debug, Clone, Copy)]
pub struct FixTexts<'a> {
    /// Theme codes mentioned by each text.
    pub themes: &'a Sets,
    /// Time of each text (seconds since 1970; required).
    pub time: &'a [i64],
    /// Whether each text is a support contact (a ticket, a call) whose volume costs money (`None`:
    /// all are).
    pub contact: Option<&'a [bool]>,
}

/// The customers whose churn measures a fix.
#[derive(Debug, Clone, Copy)]
pub struct FixCustomers<'a> {
    /// Sign-up time of each customer (required).
    pub signup: &'a [i64],
    /// Churn time ([`NAT`]: has not churned by `as_of`).
    pub churn: &'a [i64],
    /// The end of the data: every window after a rollout must end by it.
    pub as_of: i64,
    /// Flag columns the fixes' designs name (one flag per customer each): held out of a fix, or in
    /// its rollout group. Several fixes may share one.
    pub groups: &'a [&'a [bool]],
}

/// Options of [`fix_effects`].
///
/// ```
/// use voc_core::followup::FixOptions;
/// let o = FixOptions::default();
/// assert_eq!((o.window_days, o.horizon_months, o.confidence), (90, 12.0, 0.95));
/// assert!(FixOptions::default().clv(-1.0).validate().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct FixOptions {
    /// Days before and after each rollout compared (default 90, 1 to 3,650).
    pub window_days: u32,
    /// Value of a retained customer for the ROI (default 0).
    pub clv: f64,
    /// Cost of one support contact for the ROI (default 0).
    pub cost_per_contact: f64,
    /// Months over which the ROI's benefits accrue (default 12); the contacts avoided per day of the
    /// window are carried over this horizon.
    pub horizon_months: f64,
    /// Standard error of the difference-in-differences (default HC1).
    pub se: DidSe,
    /// Confidence level of every interval (default 0.95).
    pub confidence: f64,
}

impl Default for FixOptions {
    fn default() -> Self {
        FixOptions {
            window_days: 90,
            clv: 0.0,
            cost_per_contact: 0.0,
            horizon_months: 12.0,
            se: DidSe::Hc1,
            confidence: 0.95,
        }
    }
}

crate::setters!(FixOptions {
    window_days: u32,
    clv: f64,
    cost_per_contact: f64,
    horizon_months: f64,
    se: DidSe,
    confidence: f64
});

impl FixOptions {
    /// Checks every option: `window_days` in 1..=3650, `confidence` in (0, 1), and the ROI's amounts
    /// as [`RoiInputs::validate`] checks them.
    pub fn validate(&self) -> Result<()> {
        if !(1..=3650).contains(&self.window_days) {
            return Err(Error::option(
                "window_days",
                self.window_days,
                "must be 1 to 3650 days",
            ));
        }
        crate::stats::check_confidence(self.confidence)?;
        RoiInputs::default()
            .clv(self.clv)
            .cost_per_contact(self.cost_per_contact)
            .horizon_months(self.horizon_months)
            .validate()
    }
}

/// The churn effect of a fix, by design.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum FixChurn {
    /// Churn in the window after the rollout: customers who got the fix (treated) against the
    /// held-out ones (control).
    Holdout(Holdout),
    /// Churn in the windows before and after the rollout, rollout group against the others: the four
    /// cells `[treated_before, treated_after, control_before, control_after]` and the test.
    DiffInDiff {
        /// The cells, as [`proportion_cell`] makes them.
        cells: [MeanSummary; 4],
        /// The difference-in-differences.
        test: TestResult,
    },
    /// Churn in the window after the rollout against the window before it (everyone got the fix;
    /// observational).
    BeforeAfter(BeforeAfter),
}

impl FixChurn {
    /// The method's name: `holdout`, `did` or `before_after`.
    pub fn method(&self) -> &'static str {
        match self {
            FixChurn::Holdout(_) => "holdout",
            FixChurn::DiffInDiff { .. } => "did",
            FixChurn::BeforeAfter(_) => "before_after",
        }
    }

    /// The change in the churn rate the fix made (negative: less churn): treated − control, the
    /// difference-in-differences, or after − before; with its interval and p-value.
    pub fn estimate(&self) -> (f64, f64, f64, f64) {
        match self {
            FixChurn::Holdout(h) => (h.difference, h.ci.low, h.ci.high, h.p_value),
            FixChurn::DiffInDiff { test, .. }
            | FixChurn::BeforeAfter(BeforeAfter { change: test, .. }) => {
                (test.difference, test.ci.low, test.ci.high, test.p_value)
            }
        }
    }
}

/// What one fix did.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct FixEffect {
    /// The fix's id.
    pub id: String,
    /// Its rollout time.
    pub rollout: i64,
    /// Share of texts mentioning the fix's themes in the window before and in the window after the
    /// rollout: rates, change and rate ratio with intervals.
    pub mentions: BeforeAfter,
    /// Support contacts mentioning the themes in the window before the rollout.
    pub contacts_before: u64,
    /// And in the window after.
    pub contacts_after: u64,
    /// Contacts per day after ÷ before, with intervals (`None` when either count is zero).
    pub contacts: Option<RateRatio>,
    /// Contacts avoided in the window after the rollout, `contacts_before − contacts_after` (negative
    /// when contacts rose).
    pub contacts_avoided: f64,
    /// The churn effect.
    pub churn: FixChurn,
    /// Customers the fix reached (the treated customers of the window after the rollout).
    pub customers: f64,
    /// Value, net benefit, ROI and payback: [`roi`](fn@roi) of the fall in churn (with its interval)
    /// over `customers` at the CLV, the contacts avoided per day carried over the horizon (none when
    /// contacts rose), and the fix's cost.
    pub roi: Roi,
}

impl FixEffect {
    /// Why some numbers of the effect are undefined (`None` when all are defined): no contacts on the
    /// themes in a window (no contact ratio), a fix that costs nothing (no ROI), a benefit that is not
    /// positive (no payback).
    ///
    /// ```
    /// use voc_core::followup::{fix_effects, Fix, FixCustomers, FixOptions, FixTexts};
    /// use voc_core::{signals::DAY, text::Sets};
    /// let sets = Sets::from_rows(&[vec![0], vec![], vec![0], vec![]])?;
    /// let time = [10 * DAY, 20 * DAY, 110 * DAY, 120 * DAY];
    /// let texts = FixTexts { themes: &sets, time: &time, contact: None };
    /// let customers = FixCustomers { signup: &[0, 0], churn: &[150 * DAY, 300 * DAY], as_of: 400 * DAY, groups: &[] };
    /// let fix = Fix { id: "f".into(), themes: vec![0], rollout: 100 * DAY, cost: 0.0, groups: None };
    /// let e = &fix_effects(&[fix], texts, customers, 1, &FixOptions::default())?[0];
    /// assert_eq!(e.roi.roi, None);
    /// assert_eq!(e.undefined_reason().as_deref(), Some("roi: the fix costs nothing; payback_months: the benefit is not positive"));
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn undefined_reason(&self) -> Option<String> {
        let mut why = Vec::new();
        if self.contacts.is_none() {
            why.push("contact_ratio: no contacts on the themes in a window");
        }
        if self.roi.roi.is_none() {
            why.push("roi: the fix costs nothing");
        }
        if self.roi.payback_months.is_none() {
            why.push("payback_months: the benefit is not positive");
        }
        (!why.is_empty()).then(|| why.join("; "))
    }
}

/// Checks the texts, customers and register once.
fn check(
    fixes: &[Fix],
    texts: &FixTexts<'_>,
    customers: &FixCustomers<'_>,
    n_themes: usize,
) -> Result<()> {
    let n = texts.time.len();
    crate::error::check_len("texts.time", n, "texts.themes", texts.themes.len())?;
    if let Some(c) = texts.contact {
        crate::error::check_len("texts.time", n, "texts.contact", c.len())?;
    }
    texts.themes.validate("texts.themes", n_themes)?;
    if let Some(index) = texts.time.iter().position(|&t| t == NAT) {
        return Err(Error::Missing {
            arg: "texts.time",
            index,
        });
    }
    let m = customers.signup.len();
    crate::error::check_len(
        "customers.signup",
        m,
        "customers.churn",
        customers.churn.len(),
    )?;
    if let Some(index) = customers.signup.iter().position(|&t| t == NAT) {
        return Err(Error::Missing {
            arg: "customers.signup",
            index,
        });
    }
    if customers.as_of == NAT {
        return Err(Error::option(
            "as_of",
            "NaT",
            "the end of the data is required",
        ));
    }
    for flags in customers.groups {
        crate::error::check_len("customers.signup", m, "customers.groups", flags.len())?;
    }
    for (index, f) in fixes.iter().enumerate() {
        if f.themes.is_empty() {
            return Err(Error::option(
                "fixes.themes",
                format!("[] (fix {:?})", f.id),
                "a fix addresses at least one theme",
            ));
        }
        if let Some(&t) = f.themes.iter().find(|&&t| t as usize >= n_themes) {
            return Err(Error::InvalidValue {
                arg: "fixes.themes",
                index,
                value: f64::from(t),
                reason: "a theme code beyond the number of themes",
            });
        }
        if f.rollout == NAT {
            return Err(Error::Missing {
                arg: "fixes.rollout",
                index,
            });
        }
        if !(f.cost.is_finite() && f.cost >= 0.0) {
            return Err(Error::InvalidValue {
                arg: "fixes.cost",
                index,
                value: f.cost,
                reason: "a cost must be finite and not negative",
            });
        }
        if let Some((_, g)) = f.groups
            && g >= customers.groups.len()
        {
            return Err(Error::InvalidValue {
                arg: "fixes.groups",
                index,
                value: g as f64,
                reason: "a flag column beyond the customers' group columns",
            });
        }
    }
    Ok(())
}

/// Churned / at risk in the window `[from, from + w)`: customers signed up before `from` and not
/// churned before it; those who churned within the window.
fn window_churn(c: &FixCustomers<'_>, i: usize, from: i64, w: i64) -> Option<bool> {
    let (s, ch) = (c.signup[i], c.churn[i]);
    if s >= from || (ch != NAT && ch < from) {
        return None;
    }
    Some(ch != NAT && ch < from + w)
}

/// (churned, customers) per flag value (`[false, true]`) in one window.
fn counts(c: &FixCustomers<'_>, flags: Option<&[bool]>, from: i64, w: i64) -> [(f64, f64); 2] {
    let mut k = [(0.0, 0.0); 2];
    for i in 0..c.signup.len() {
        if let Some(churned) = window_churn(c, i, from, w) {
            let g = usize::from(flags.is_some_and(|f| f[i]));
            k[g].0 += f64::from(u8::from(churned));
            k[g].1 += 1.0;
        }
    }
    k
}

/// What each fix of the register did (one [`FixEffect`] per fix, in register order).
///
/// For a fix rolled out at `r`, with `w = window_days`:
/// - **mentions**: texts in `[r − w, r)` and `[r, r + w)` are counted by [`MentionCounts`] (a text
///   mentions the fix when it mentions any of its themes); [`before_after`] gives both rates (Wilson),
///   the change (two-proportion z test) and the rate ratio after ÷ before (Katz interval);
/// - **contacts**: the texts flagged as contacts that mention the fix, in the same windows;
///   [`rate_ratio`] of contacts per day after ÷ before, and `contacts_avoided = before − after`;
/// - **churn**: customers at risk at the start of a window (signed up before it, not churned before
///   it) who churned within it. With a holdout ([`FixDesign::Holdout`], flagged = held out):
///   [`holdout`] of the window after the rollout, fix against held out. With rollout groups
///   ([`FixDesign::Rollout`], flagged = got the fix): [`diff_in_diff`] of the four
///   [`proportion_cell`]s. Without groups: [`before_after`] of the two windows (observational);
/// - **ROI**: [`roi`](fn@roi) with the fall in churn and its interval, the customers the fix reached,
///   `clv`, the contacts avoided per day over `horizon_months` (0 when contacts rose) at
///   `cost_per_contact`, and the fix's cost.
///
/// Every window must lie within the data: `r − w` after the first text and `r + w` by `as_of`; a
/// window without texts or customers is an error naming the fix.
///
/// ```
/// use voc_core::followup::{fix_effects, Fix, FixCustomers, FixDesign, FixOptions, FixTexts};
/// use voc_core::text::Sets;
/// use voc_core::signals::DAY;
/// // Theme 0 ("refund") in 4 of 8 texts before day 100, in 1 of 8 after; all are contacts.
/// let rows: Vec<Vec<u32>> = (0..16).map(|i| if (i < 8 && i % 2 == 0) || i == 9 { vec![0] } else { vec![] }).collect();
/// let time: Vec<i64> = (0..16).map(|i| (if i < 8 { 10 + 10 * i } else { 150 + i }) * DAY).collect();
/// let sets = Sets::from_rows(&rows)?;
/// let texts = FixTexts { themes: &sets, time: &time, contact: None };
/// let signup = [0; 8];
/// let nat = voc_core::time::NAT;
/// let churn = [150 * DAY, nat, nat, nat, 120 * DAY, 170 * DAY, 130 * DAY, nat];
/// // Customers 4 to 7 were held out of the fix at random.
/// let held: Vec<bool> = (0..8).map(|i| i >= 4).collect();
/// let customers = FixCustomers { signup: &signup, churn: &churn, as_of: 400 * DAY, groups: &[&held] };
/// let fix = Fix { id: "refund_sync".into(), themes: vec![0], rollout: 100 * DAY, cost: 400.0,
///                 groups: Some((FixDesign::Holdout, 0)) };
/// let opts = FixOptions::default().clv(500.0);
/// let e = &fix_effects(&[fix], texts, customers, 1, &opts)?[0];
/// assert_eq!((e.mentions.before.estimate, e.mentions.after.estimate), (0.5, 0.125));
/// assert_eq!((e.contacts_before, e.contacts_after, e.contacts_avoided), (4, 1, 3.0));
/// // 1 of 4 with the fix churned in the 90 days after the rollout, 3 of 4 held out.
/// assert_eq!((e.churn.method(), e.churn.estimate().0), ("holdout", -0.5));
/// assert_eq!((e.roi.churn_value, e.roi.net_benefit), (1_000.0, 600.0));
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn fix_effects(
    fixes: &[Fix],
    texts: FixTexts<'_>,
    customers: FixCustomers<'_>,
    n_themes: usize,
    opts: &FixOptions,
) -> Result<Vec<FixEffect>> {
    opts.validate()?;
    check(fixes, &texts, &customers, n_themes)?;
    let w = i64::from(opts.window_days) * DAY;
    let first_text = texts.time.iter().copied().min();
    let effect_opts = EffectOptions::default().confidence(opts.confidence);
    let mut out = Vec::with_capacity(fixes.len());
    let mut ticker = crate::interrupt::Ticker::new();
    for f in fixes {
        ticker.tick()?;
        let named = |what: &str| Error::InsufficientData(format!("fix {:?}: {what}", f.id));
        let (from, to) = (f.rollout.saturating_sub(w), f.rollout.saturating_add(w));
        if to > customers.as_of {
            return Err(Error::option(
                "window_days",
                opts.window_days,
                format!(
                    "the window after the rollout of fix {:?} ends after the end of the data (as_of)",
                    f.id
                ),
            ));
        }
        if first_text.is_none_or(|t| t > from) {
            return Err(named(
                "the window before the rollout starts before the first text",
            ));
        }
        // The texts of both windows, each as one set: {0} when it mentions any of the fix's themes.
        let mut rows: Vec<Vec<u32>> = Vec::new();
        let mut periods: Vec<i64> = Vec::new();
        let mut contacts = [0u64; 2];
        for (i, &t) in texts.time.iter().enumerate() {
            if t < from || t >= to {
                continue;
            }
            let after = usize::from(t >= f.rollout);
            let hit = texts.themes.row(i).iter().any(|x| f.themes.contains(x));
            rows.push(if hit { vec![0] } else { Vec::new() });
            periods.push(after as i64);
            if hit && texts.contact.is_none_or(|c| c[i]) {
                contacts[after] += 1;
            }
        }
        let mut counts_state = MentionCounts::new(1);
        counts_state.update(&Sets::from_rows(&rows)?, None, Some(&periods))?;
        let table = counts_state
            .finish(
                &[None],
                &MentionOptions::default().confidence(opts.confidence),
            )
            .map_err(|_| named("no texts in the windows around the rollout"))?;
        let cell = |p: i64| {
            table
                .iter()
                .find(|r| r.period == Some(p))
                .map(|r| (r.mentions as f64, r.texts as f64))
                .ok_or_else(|| {
                    named(if p == 0 {
                        "no texts in the window before the rollout"
                    } else {
                        "no texts in the window after the rollout"
                    })
                })
        };
        let mentions = before_after(cell(0)?, cell(1)?, &effect_opts)?;
        let days = f64::from(opts.window_days);
        let (cb, ca) = (contacts[0] as f64, contacts[1] as f64);
        let contact_ratio = if cb > 0.0 && ca > 0.0 {
            Some(rate_ratio(ca, days, cb, days, &effect_opts)?)
        } else {
            None
        };
        let flags = f.groups.map(|(d, g)| (d, customers.groups[g]));
        let empty = |what: &str| named(&format!("no customers at risk {what}"));
        let (churn, reached) = match flags {
            Some((FixDesign::Holdout, held)) => {
                let [got, kept_out] = counts(&customers, Some(held), f.rollout, w);
                if got.1 == 0.0 || kept_out.1 == 0.0 {
                    return Err(empty("in both arms after the rollout"));
                }
                (
                    FixChurn::Holdout(holdout(got, kept_out, &effect_opts)?),
                    got.1,
                )
            }
            Some((FixDesign::Rollout, group)) => {
                let [cb, tb] = counts(&customers, Some(group), from, w);
                let [ca, ta] = counts(&customers, Some(group), f.rollout, w);
                if [tb, ta, cb, ca].iter().any(|c| c.1 == 0.0) {
                    return Err(empty("in every group and window"));
                }
                let cells = [
                    proportion_cell(tb.0, tb.1)?,
                    proportion_cell(ta.0, ta.1)?,
                    proportion_cell(cb.0, cb.1)?,
                    proportion_cell(ca.0, ca.1)?,
                ];
                let did_opts = DidOptions::default()
                    .confidence(opts.confidence)
                    .se(opts.se);
                let test = diff_in_diff(&cells, &did_opts)?;
                (FixChurn::DiffInDiff { cells, test }, ta.1)
            }
            None => {
                let [before, _] = counts(&customers, None, from, w);
                let [after, _] = counts(&customers, None, f.rollout, w);
                if before.1 == 0.0 || after.1 == 0.0 {
                    return Err(empty("in both windows"));
                }
                (
                    FixChurn::BeforeAfter(before_after(before, after, &effect_opts)?),
                    after.1,
                )
            }
        };
        let (d, lo, hi, _) = churn.estimate();
        let avoided = cb - ca;
        let horizon_days = opts.horizon_months * 365.25 / 12.0;
        let inputs = RoiInputs::default()
            .churn_reduction(-d)
            .churn_reduction_ci(Some((-hi, -lo)))
            .customers(reached)
            .clv(opts.clv)
            .contacts_avoided((avoided / days * horizon_days).max(0.0))
            .cost_per_contact(opts.cost_per_contact)
            .program_cost(f.cost)
            .horizon_months(opts.horizon_months);
        out.push(FixEffect {
            id: f.id.clone(),
            rollout: f.rollout,
            mentions,
            contacts_before: contacts[0],
            contacts_after: contacts[1],
            contacts: contact_ratio,
            contacts_avoided: avoided,
            churn,
            customers: reached,
            roi: roi(&inputs)?,
        });
    }
    Ok(out)
}

#[cfg(test)]
#[path = "fixes_tests.rs"]
mod tests;
