//! The simulator's options and the effects it plants.

use crate::error::{Error, Result};
use crate::time::days_from_civil;

/// Most customers [`retailer`](super::retailer) simulates in one call (10 million): more is an
/// [`Error::TooLarge`] naming `customers`, before anything is allocated.
///
/// ```
/// use voc_core::sample::{retailer, RetailerOptions, MAX_CUSTOMERS};
/// let e = retailer(&RetailerOptions::default().customers(MAX_CUSTOMERS + 1)).unwrap_err();
/// assert!(matches!(e, voc_core::Error::TooLarge { arg: "customers", .. }), "{e}");
/// ```
pub const MAX_CUSTOMERS: usize = 10_000_000;

/// Most simulated days of [`retailer`](super::retailer) (3,650, ten years; at least 60): more is an
/// [`Error::TooLarge`] naming `days`.
///
/// ```
/// use voc_core::sample::{retailer, RetailerOptions, MAX_DAYS};
/// let e = retailer(&RetailerOptions::default().days(MAX_DAYS + 1)).unwrap_err();
/// assert!(matches!(e, voc_core::Error::TooLarge { arg: "days", .. }), "{e}");
/// ```
pub const MAX_DAYS: u32 = 3650;

/// Options of [`retailer`](super::retailer).
///
/// ```
/// use voc_core::sample::{retailer, RetailerOptions};
/// assert!(retailer(&RetailerOptions::default().customers(0)).is_err());
/// let o = RetailerOptions::default().customers(500).seed(3).fix_day(None);
/// assert!(o.validate().is_ok());
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct RetailerOptions {
    /// Number of customers (default 20,000; up to [`MAX_CUSTOMERS`]).
    pub customers: usize,
    /// Seed (default 7).
    pub seed: u64,
    /// First simulated day, days since 1970-01-01 (default 2024-01-01).
    pub start_day: i64,
    /// Simulated days (default 730, from 60 up to [`MAX_DAYS`]; customers sign up over the first three
    /// quarters).
    pub days: u32,
    /// Day (since `start_day`) from which refunds are fixed (default 540, 2025-06-24); `None`: never.
    pub fix_day: Option<u32>,
    /// Share of refunds that are slow before the fix (default 0.30).
    pub slow_refund_rate: f64,
    /// Share of refunds that are slow after the fix (default 0.05).
    pub slow_refund_rate_fixed: f64,
    /// Odds ratio of churning after an order with a slow refund, or within 120 days of one (default 4).
    pub churn_odds_ratio: f64,
    /// Share of customers held out of the fix (a randomised control group: their refunds stay slow at
    /// the pre-fix rate; default 0). Drawn from a stream of its own, so the rest of the data do not
    /// depend on it.
    pub holdout: f64,
    /// Day (since `start_day`) of the randomised retention campaign (default 240, 2024-08-28: 126 days
    /// before 2025-01-01); `None`: no campaign. See [`CampaignTable`](super::CampaignTable). The campaign and its
    /// window must end within the simulated days.
    pub campaign_day: Option<u32>,
    /// Days after the campaign in which churn is counted (default 90, 1 to 365).
    pub campaign_window: u32,
    /// Share of the customers active on the campaign day who take part (default 1.0); each is called
    /// or held out with probability ½. Drawn from streams of their own: every other table and truth
    /// value is the same with or without the campaign.
    pub campaign_share: f64,
    /// First day (since `start_day`) on which detractor answers, complaint tickets and churn alerts
    /// open follow-up cases (default 365, 2024-12-31); `None`: no closed loop. See
    /// [`CaseTable`](super::CaseTable). Triggers run until `followup_window` days before the end.
    pub followup_day: Option<u32>,
    /// Share of triggers held out at random: they get no case (default 0.2).
    pub followup_holdout: f64,
    /// Service level of the follow-up: hours from opening to first contact (default 48; up to 720).
    pub followup_sla_hours: f64,
    /// Days after a trigger in which churn is counted (default 90, 1 to 365).
    pub followup_window: u32,
}

impl Default for RetailerOptions {
    fn default() -> Self {
        RetailerOptions {
            customers: 20_000,
            seed: 7,
            start_day: days_from_civil(2024, 1, 1),
            days: 730,
            fix_day: Some(540),
            slow_refund_rate: 0.30,
            slow_refund_rate_fixed: 0.05,
            churn_odds_ratio: 4.0,
            holdout: 0.0,
            campaign_day: Some(240),
            campaign_window: 90,
            campaign_share: 1.0,
            followup_day: Some(365),
            followup_holdout: 0.2,
            followup_sla_hours: 48.0,
            followup_window: 90,
        }
    }
}

impl RetailerOptions {
    /// Checks the options (done once by [`retailer`](super::retailer)).
    pub fn validate(&self) -> Result<()> {
        if self.customers == 0 {
            return Err(Error::option(
                "customers",
                self.customers,
                "must be at least 1",
            ));
        }
        if self.customers > MAX_CUSTOMERS {
            return Err(Error::too_large(
                "customers",
                self.customers,
                MAX_CUSTOMERS,
                "simulated customers in one call",
            ));
        }
        if self.days < 60 {
            return Err(Error::option("days", self.days, "must be at least 60"));
        }
        if self.days > MAX_DAYS {
            return Err(Error::too_large(
                "days",
                self.days,
                MAX_DAYS,
                "simulated days (ten years)",
            ));
        }
        if !(-700_000..=700_000).contains(&self.start_day) {
            return Err(Error::option(
                "start_day",
                self.start_day,
                "must be a day between years 0 and 3800",
            ));
        }
        for (name, p) in [
            ("slow_refund_rate", self.slow_refund_rate),
            ("slow_refund_rate_fixed", self.slow_refund_rate_fixed),
            ("holdout", self.holdout),
            ("campaign_share", self.campaign_share),
            ("followup_holdout", self.followup_holdout),
        ] {
            if !(0.0..=1.0).contains(&p) {
                return Err(Error::option(name, p, "must lie in [0, 1]"));
            }
        }
        if !(self.churn_odds_ratio > 0.0 && self.churn_odds_ratio.is_finite()) {
            return Err(Error::option(
                "churn_odds_ratio",
                self.churn_odds_ratio,
                "must be positive and finite",
            ));
        }
        if !(1..=365).contains(&self.campaign_window) {
            return Err(Error::option(
                "campaign_window",
                self.campaign_window,
                "must be 1 to 365 days",
            ));
        }
        if let Some(day) = self.campaign_day
            && (day < 30 || u64::from(day) + u64::from(self.campaign_window) > u64::from(self.days))
        {
            return Err(Error::option(
                "campaign_day",
                day,
                format!(
                    "the campaign needs 30 days of history before it and its {}-day window must end \
                         by day {} (the simulated days); pick a day in 30..={}, or None for no campaign",
                    self.campaign_window,
                    self.days,
                    i64::from(self.days) - i64::from(self.campaign_window)
                ),
            ));
        }
        if !(self.followup_sla_hours > 0.0 && self.followup_sla_hours <= 720.0) {
            return Err(Error::option(
                "followup_sla_hours",
                self.followup_sla_hours,
                "must be more than 0 and at most 720 hours (30 days)",
            ));
        }
        if !(1..=365).contains(&self.followup_window) {
            return Err(Error::option(
                "followup_window",
                self.followup_window,
                "must be 1 to 365 days",
            ));
        }
        if let Some(day) = self.followup_day
            && u64::from(day) + u64::from(self.followup_window) >= u64::from(self.days)
        {
            return Err(Error::option(
                "followup_day",
                day,
                format!(
                    "triggers run from this day until {} days (the followup_window) before the end \
                     of the {} simulated days; pick a day in 0..{}, or None for no closed loop",
                    self.followup_window,
                    self.days,
                    i64::from(self.days) - i64::from(self.followup_window)
                ),
            ));
        }
        Ok(())
    }
}

crate::setters!(RetailerOptions { customers: usize, seed: u64, start_day: i64, days: u32, fix_day: Option<u32>, slow_refund_rate: f64, slow_refund_rate_fixed: f64, churn_odds_ratio: f64, holdout: f64, campaign_day: Option<u32>, campaign_window: u32, campaign_share: f64, followup_day: Option<u32>, followup_holdout: f64, followup_sla_hours: f64, followup_window: u32 });

/// The planted effects, as simulated.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Planted {
    /// What was planted, in words.
    pub description: String,
    /// First day of the fix (days since 1970-01-01), if any.
    pub fix_day: Option<i64>,
    /// Share of refunds that are slow before the fix.
    pub slow_refund_rate: f64,
    /// Share after the fix.
    pub slow_refund_rate_fixed: f64,
    /// Odds ratio of churning after a slow refund.
    pub churn_odds_ratio: f64,
    /// Share of customers held out of the fix.
    pub holdout: f64,
    /// NPS points lost in answers within 90 days of a slow refund.
    pub nps_penalty: f64,
    /// A refund slower than this many days after receipt is "slow" in the simulation.
    pub slow_after_days: f64,
    /// The randomised retention campaign and its planted effects (`None`: no campaign).
    pub campaign: Option<super::PlantedCampaign>,
    /// The closed loop of follow-up cases and its planted effects (`None`: no loop).
    pub followup: Option<super::PlantedFollowup>,
}
