//! Return on investment of a VoC program: churn value, cost-to-serve savings, payback, what-if.
//!
//! Closed forms (no reference library; each is checked against the formula in the tests):
//! - churn value = Δchurn × customers × CLV, with the interval carried from Δchurn's interval (the
//!   value is linear in Δchurn, so the interval maps end to end);
//! - cost-to-serve savings = contacts avoided × cost per contact;
//! - net benefit = churn value + savings − programme cost; ROI = net ÷ cost;
//! - payback (months) = cost ÷ monthly benefit, monthly benefit = (churn value + savings) ÷ horizon;
//! - what-if: move a share of one NPS class to another; NPS and expected retained revenue
//!   Σ n_c · ARPU_c · (1 − churn_c) before and after.

use super::effect::Holdout;
use crate::error::{Error, Result};

/// Inputs of [`roi`], echoed in the result.
///
/// ```
/// let i = voc_core::impact::roi::RoiInputs::default().churn_reduction(0.01);
/// assert_eq!(i.horizon_months, 12.0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct RoiInputs {
    /// Fall in the churn rate due to the programme (e.g. 0.04 = 4 points fewer churners).
    pub churn_reduction: f64,
    /// Its interval (low, high), e.g. from a holdout; `None`: no interval.
    pub churn_reduction_ci: Option<(f64, f64)>,
    /// Customers the programme reaches.
    pub customers: f64,
    /// Value of a retained customer (CLV, or margin over the horizon).
    pub clv: f64,
    /// Support contacts avoided over the horizon.
    pub contacts_avoided: f64,
    /// Cost of one contact.
    pub cost_per_contact: f64,
    /// Programme cost over the horizon.
    pub program_cost: f64,
    /// Horizon in months over which benefits accrue (default 12).
    pub horizon_months: f64,
}

impl Default for RoiInputs {
    fn default() -> Self {
        RoiInputs {
            churn_reduction: 0.0,
            churn_reduction_ci: None,
            customers: 0.0,
            clv: 0.0,
            contacts_avoided: 0.0,
            cost_per_contact: 0.0,
            program_cost: 0.0,
            horizon_months: 12.0,
        }
    }
}

impl RoiInputs {
    /// Sets the interval of the fall in the churn rate.
    ///
    /// ```
    /// assert!(voc_core::impact::roi::RoiInputs::default().churn_reduction_ci(Some((0.01, 0.03))).churn_reduction_ci.is_some());
    /// ```
    pub fn churn_reduction_ci(mut self, churn_reduction_ci: Option<(f64, f64)>) -> Self {
        self.churn_reduction_ci = churn_reduction_ci;
        self
    }

    /// Churn reduction and its interval from a holdout (control − treated).
    ///
    /// ```
    /// use voc_core::impact::{effect::{holdout, EffectOptions}, roi::RoiInputs};
    /// let h = holdout((80.0, 1000.0), (120.0, 1000.0), &EffectOptions::default())?;
    /// let i = RoiInputs::default().with_holdout(&h);
    /// assert!((i.churn_reduction - 0.04).abs() < 1e-12);
    /// assert!(i.churn_reduction_ci.is_some_and(|(lo, hi)| lo > 0.0 && hi > 0.04));
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn with_holdout(mut self, h: &Holdout) -> Self {
        self.churn_reduction = -h.difference;
        self.churn_reduction_ci = Some((-h.ci.high, -h.ci.low));
        self
    }

    /// Checks the inputs (finite, non-negative amounts, a change in a rate within -1..=1, a positive
    /// horizon); [`roi`] calls it.
    ///
    /// ```
    /// use voc_core::impact::roi::RoiInputs;
    /// assert!(RoiInputs::default().customers(-1.0).validate().is_err());
    /// assert!(RoiInputs::default().validate().is_ok());
    /// ```
    pub fn validate(&self) -> Result<()> {
        let named = [
            ("churn_reduction", self.churn_reduction),
            ("customers", self.customers),
            ("clv", self.clv),
            ("contacts_avoided", self.contacts_avoided),
            ("cost_per_contact", self.cost_per_contact),
            ("program_cost", self.program_cost),
            ("horizon_months", self.horizon_months),
        ];
        for (name, v) in named {
            if !v.is_finite() {
                return Err(Error::option(name, v, "must be finite"));
            }
        }
        for (name, v) in &named[1..] {
            if *v < 0.0 {
                return Err(Error::option(name, v, "cannot be negative"));
            }
        }
        if !(self.churn_reduction.abs() <= 1.0) {
            return Err(Error::option(
                "churn_reduction",
                self.churn_reduction,
                "a change in a rate lies in -1..=1",
            ));
        }
        if let Some((lo, hi)) = self.churn_reduction_ci
            && !(lo.is_finite() && hi.is_finite() && lo <= hi)
        {
            return Err(Error::option(
                "churn_reduction_ci",
                format!("({lo}, {hi})"),
                "must be finite with low <= high",
            ));
        }
        if !(self.horizon_months > 0.0) {
            return Err(Error::option(
                "horizon_months",
                self.horizon_months,
                "must be positive",
            ));
        }
        Ok(())
    }
}

crate::setters!(RoiInputs {
    churn_reduction: f64,
    customers: f64,
    clv: f64,
    contacts_avoided: f64,
    cost_per_contact: f64,
    program_cost: f64,
    horizon_months: f64
});

/// The value of a programme.
///
/// ```
/// use voc_core::impact::roi::{roi, RoiInputs};
/// let r = roi(&RoiInputs::default().churn_reduction(0.01).customers(1e4).clv(100.0))?;
/// assert_eq!((r.churn_value, r.roi), (10_000.0, None)); // no cost, no ROI
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Roi {
    /// The inputs.
    pub inputs: RoiInputs,
    /// Customers retained, churn_reduction × customers.
    pub customers_retained: f64,
    /// Value of churn reduction, churn_reduction × customers × CLV.
    pub churn_value: f64,
    /// Its interval from the churn-reduction interval.
    pub churn_value_ci: Option<(f64, f64)>,
    /// contacts_avoided × cost_per_contact.
    pub cost_savings: f64,
    /// churn_value + cost_savings.
    pub benefit: f64,
    /// benefit − program_cost.
    pub net_benefit: f64,
    /// Its interval.
    pub net_benefit_ci: Option<(f64, f64)>,
    /// net_benefit ÷ program_cost (`None` when the programme costs nothing).
    pub roi: Option<f64>,
    /// Its interval.
    pub roi_ci: Option<(f64, f64)>,
    /// program_cost ÷ (benefit ÷ horizon_months); `None` when the benefit is not positive.
    pub payback_months: Option<f64>,
}

/// Value, net benefit, ROI and payback of a programme.
///
/// Every number of the result is finite: inputs whose value, savings, benefit, ROI or payback would
/// overflow a double are an error naming the input that drives it ([`Error::TooLarge`] for the largest
/// amount; [`Error::InvalidOption`] on `program_cost` when the ROI or the payback overflows).
///
/// ```
/// use voc_core::impact::roi::{roi, RoiInputs};
/// let huge = RoiInputs::default().churn_reduction(0.5).customers(1e308).clv(10.0);
/// assert!(matches!(roi(&huge), Err(voc_core::Error::TooLarge { arg: "customers", .. })));
/// ```
///
/// ```
/// use voc_core::impact::roi::{roi, RoiInputs};
/// let inputs = RoiInputs::default()
///     .churn_reduction(0.02).customers(50_000.0).clv(300.0)
///     .contacts_avoided(10_000.0).cost_per_contact(4.0).program_cost(150_000.0);
/// let r = roi(&inputs)?;
/// assert_eq!(r.churn_value, 300_000.0);
/// assert_eq!(r.net_benefit, 190_000.0);
/// assert!((r.payback_months.unwrap_or(f64::NAN) - 150_000.0 / (340_000.0 / 12.0)).abs() < 1e-9);
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn roi(inputs: &RoiInputs) -> Result<Roi> {
    inputs.validate()?;
    let i = inputs;
    let per_point = i.customers * i.clv;
    let churn_value = i.churn_reduction * per_point;
    let cost_savings = i.contacts_avoided * i.cost_per_contact;
    let benefit = churn_value + cost_savings;
    let net = benefit - i.program_cost;
    let churn_value_ci = i
        .churn_reduction_ci
        .map(|(lo, hi)| (lo * per_point, hi * per_point));
    let net_ci = churn_value_ci.map(|(lo, hi)| {
        (
            lo + cost_savings - i.program_cost,
            hi + cost_savings - i.program_cost,
        )
    });
    let cost = i.program_cost;
    let ratio = |x: f64| if cost > 0.0 { Some(x / cost) } else { None };
    let out = Roi {
        inputs: *inputs,
        customers_retained: i.churn_reduction * i.customers,
        churn_value,
        churn_value_ci,
        cost_savings,
        benefit,
        net_benefit: net,
        net_benefit_ci: net_ci,
        roi: ratio(net),
        roi_ci: net_ci.and_then(|(lo, hi)| Some((ratio(lo)?, ratio(hi)?))),
        payback_months: if benefit > 0.0 {
            Some(cost / (benefit / i.horizon_months))
        } else {
            None
        },
    };
    check_finite(&out)?;
    Ok(out)
}

/// Every number of a [`Roi`] is finite, or the input that overflows it is named (an
/// [`Error::TooLarge`]; a programme cost so small that the ROI overflows, an [`Error::InvalidOption`]).
fn check_finite(r: &Roi) -> Result<()> {
    let i = &r.inputs;
    let finite = |v: f64| v.is_finite();
    let pair = |p: Option<(f64, f64)>| p.is_none_or(|(lo, hi)| lo.is_finite() && hi.is_finite());
    let largest = |what: &str, args: &[(&'static str, f64)]| {
        let (arg, v) = args
            .iter()
            .copied()
            .max_by(|a, b| a.1.abs().total_cmp(&b.1.abs()))
            .unwrap_or(("customers", i.customers));
        Error::too_large(
            arg,
            format!("{v:e}"),
            format!("{:e}", f64::MAX),
            format!("{what} overflows a double; give the amounts in larger units (e.g. thousands)"),
        )
    };
    let value_args = [("customers", i.customers), ("clv", i.clv)];
    let saving_args = [
        ("contacts_avoided", i.contacts_avoided),
        ("cost_per_contact", i.cost_per_contact),
    ];
    let all = [
        value_args[0],
        value_args[1],
        saving_args[0],
        saving_args[1],
        ("program_cost", i.program_cost),
    ];
    if !(finite(r.churn_value) && pair(r.churn_value_ci)) {
        return Err(largest(
            "the churn value (churn_reduction × customers × clv)",
            &value_args,
        ));
    }
    if !finite(r.cost_savings) {
        return Err(largest(
            "the cost savings (contacts_avoided × cost_per_contact)",
            &saving_args,
        ));
    }
    if !(finite(r.benefit) && finite(r.net_benefit) && pair(r.net_benefit_ci)) {
        return Err(largest("the benefit or the net benefit", &all));
    }
    if !(r.roi.is_none_or(finite) && pair(r.roi_ci)) {
        return Err(Error::option(
            "program_cost",
            format!("{:e}", i.program_cost),
            "is so small beside the net benefit that the ROI (net benefit ÷ programme cost) \
             overflows a double",
        ));
    }
    if !r.payback_months.is_none_or(finite) {
        return Err(Error::option(
            "program_cost",
            format!("{:e}", i.program_cost),
            "is so large beside the benefit that the payback (months) overflows a double",
        ));
    }
    Ok(())
}

/// Size, revenue and churn of one NPS class.
///
/// ```
/// let c = voc_core::impact::roi::ClassValue { n: 100.0, arpu: 50.0, churn: 0.2 };
/// assert_eq!(c.n * c.arpu * (1.0 - c.churn), 4000.0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ClassValue {
    /// Customers.
    pub n: f64,
    /// Revenue per customer (ARPU).
    pub arpu: f64,
    /// Churn rate.
    pub churn: f64,
}

/// A move between NPS classes.
///
/// ```
/// use voc_core::impact::roi::Shift;
/// assert_eq!("passives_to_promoters".parse::<Shift>()?, Shift::PassivesToPromoters);
/// assert_eq!(Shift::DetractorsToPassives.name(), "detractors_to_passives");
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Shift {
    /// Detractors become passives.
    DetractorsToPassives,
    /// Passives become promoters.
    PassivesToPromoters,
    /// Detractors become promoters.
    DetractorsToPromoters,
}

crate::named_enum!(Shift, "shift", {
    DetractorsToPassives => "detractors_to_passives",
    PassivesToPromoters => "passives_to_promoters",
    DetractorsToPromoters => "detractors_to_promoters",
});

impl Shift {
    fn classes(self) -> (usize, usize) {
        match self {
            Shift::DetractorsToPassives => (0, 1),
            Shift::PassivesToPromoters => (1, 2),
            Shift::DetractorsToPromoters => (0, 2),
        }
    }
}

/// The three classes of [`what_if`] (in the order of [`crate::impact::outcome::NPS_CLASSES`]) picked by label from rows of (label, n, ARPU, churn) — e.g. the
/// rows of [`crate::impact::outcome::outcome_by_class`] by NPS class. Other labels are ignored; a
/// missing class is an [`Error::InvalidOption`] naming `data`, a label given twice an
/// [`Error::InvalidValue`].
///
/// ```
/// use voc_core::impact::roi::classes_by_label;
/// let c = classes_by_label(&["promoter", "passive", "detractor"], &[400.0, 300.0, 300.0],
///                          &[130.0, 100.0, 80.0], &[0.08, 0.15, 0.3])?;
/// assert_eq!((c[0].n, c[0].arpu, c[2].churn), (300.0, 80.0, 0.08));
/// assert!(classes_by_label(&["promoter"], &[1.0], &[1.0], &[0.1]).is_err());
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn classes_by_label<S: AsRef<str>>(
    labels: &[S],
    n: &[f64],
    arpu: &[f64],
    churn: &[f64],
) -> Result<[ClassValue; 3]> {
    for (arg, len) in [("n", n.len()), ("arpu", arpu.len()), ("churn", churn.len())] {
        if len != labels.len() {
            return Err(Error::LengthMismatch {
                arg,
                len,
                other: "labels",
                other_len: labels.len(),
            });
        }
    }
    let mut out = [ClassValue {
        n: 0.0,
        arpu: 0.0,
        churn: 0.0,
    }; 3];
    for (k, name) in crate::impact::outcome::NPS_CLASSES.iter().enumerate() {
        let mut rows = labels
            .iter()
            .enumerate()
            .filter(|(_, l)| l.as_ref() == *name);
        let Some((i, _)) = rows.next() else {
            return Err(Error::option(
                "data",
                *name,
                "needs one row per NPS class: detractor, passive and promoter",
            ));
        };
        if let Some((j, _)) = rows.next() {
            return Err(Error::InvalidValue {
                arg: "data",
                index: j,
                value: n[j],
                reason: "an NPS class is given twice",
            });
        }
        out[k] = ClassValue {
            n: n[i],
            arpu: arpu[i],
            churn: churn[i],
        };
    }
    Ok(out)
}

/// The result of a what-if.
///
/// ```
/// use voc_core::impact::roi::{what_if, ClassValue, Shift};
/// let c = ClassValue { n: 10.0, arpu: 1.0, churn: 0.0 };
/// let w = what_if(&[c, c, c], Shift::DetractorsToPromoters, 0.5)?;
/// assert_eq!((w.moved, w.nps_after), (5.0, 100.0 * 10.0 / 30.0));
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct WhatIf {
    /// Classes before (detractor, passive, promoter).
    pub before: [ClassValue; 3],
    /// The move.
    pub shift: Shift,
    /// Share of the source class moved (0..=1).
    pub share: f64,
    /// Customers moved.
    pub moved: f64,
    /// Class sizes after.
    pub after_n: [f64; 3],
    /// NPS before, in points (−100..=100).
    pub nps_before: f64,
    /// NPS after.
    pub nps_after: f64,
    /// nps_after − nps_before, in points.
    pub nps_change: f64,
    /// Expected retained revenue before, Σ n·ARPU·(1 − churn).
    pub revenue_before: f64,
    /// After (moved customers take the ARPU and churn of their new class).
    pub revenue_after: f64,
    /// revenue_after − revenue_before.
    pub revenue_change: f64,
}

/// Moves `share` of one class to another and reports the change in NPS and in expected retained
/// revenue, using each class's ARPU and churn (e.g. from [`crate::impact::outcome::outcome_by_class`]).
///
/// ```
/// use voc_core::impact::roi::{what_if, ClassValue, Shift};
/// let classes = [
///     ClassValue { n: 300.0, arpu: 80.0, churn: 0.30 },
///     ClassValue { n: 300.0, arpu: 100.0, churn: 0.15 },
///     ClassValue { n: 400.0, arpu: 130.0, churn: 0.08 },
/// ];
/// let w = what_if(&classes, Shift::DetractorsToPassives, 0.1)?;
/// assert!((w.nps_change - 3.0).abs() < 1e-9 && w.nps_change == w.nps_after - w.nps_before);
/// assert!((w.revenue_change - 30.0 * (100.0 * 0.85 - 80.0 * 0.70)).abs() < 1e-9);
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn what_if(classes: &[ClassValue; 3], shift: Shift, share: f64) -> Result<WhatIf> {
    if !(0.0..=1.0).contains(&share) {
        return Err(Error::option("share", share, "must lie in 0..=1"));
    }
    for (index, c) in classes.iter().enumerate() {
        for value in [c.n, c.arpu, c.churn] {
            if !value.is_finite() {
                return Err(Error::NonFinite {
                    arg: "classes",
                    index,
                    value,
                });
            }
        }
        if c.n < 0.0 || c.arpu < 0.0 || !(0.0..=1.0).contains(&c.churn) {
            return Err(Error::InvalidValue {
                arg: "classes",
                index,
                value: c.n,
                reason: "needs n >= 0, arpu >= 0 and churn in 0..=1",
            });
        }
    }
    let total: f64 = classes.iter().map(|c| c.n).sum();
    if !(total > 0.0) {
        return Err(Error::Empty {
            arg: "classes",
            what: "no customers in any class",
        });
    }
    let (from, to) = shift.classes();
    let moved = classes[from].n * share;
    let mut after_n = [classes[0].n, classes[1].n, classes[2].n];
    after_n[from] -= moved;
    after_n[to] += moved;
    let nps = |n: &[f64; 3]| 100.0 * (n[2] - n[0]) / total;
    let kept = |c: &ClassValue| c.arpu * (1.0 - c.churn);
    let revenue_before: f64 = classes.iter().map(|c| c.n * kept(c)).sum();
    let revenue_after: f64 = classes.iter().zip(after_n).map(|(c, n)| n * kept(c)).sum();
    let (nps_before, nps_after) = (
        nps(&[classes[0].n, classes[1].n, classes[2].n]),
        nps(&after_n),
    );
    Ok(WhatIf {
        before: *classes,
        shift,
        share,
        moved,
        after_n,
        nps_before,
        nps_after,
        nps_change: nps_after - nps_before,
        revenue_before,
        revenue_after,
        revenue_change: revenue_after - revenue_before,
    })
}
