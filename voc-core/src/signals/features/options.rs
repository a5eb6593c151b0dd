//! Options of the feature matrix: cutoff, windows and thresholds.

use crate::error::{Error, Result};
use crate::time::NAT;

/// Options of [`EventLog::features`](crate::signals::EventLog::features).
///
/// ```
/// use voc_core::signals::{FeatureOptions, DAY};
/// let opts = FeatureOptions::new(365 * DAY).windows(&[30, 90]).silence_days(60);
/// assert!(opts.validate().is_ok());
/// assert!(FeatureOptions::new(0).windows(&[]).validate().is_err());
/// // The default has no cutoff yet: one must be set.
/// assert!(FeatureOptions::default().validate().is_err());
/// assert_eq!(FeatureOptions::default().cutoff(DAY), FeatureOptions::new(DAY));
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct FeatureOptions {
    /// Cutoff time (seconds since 1970-01-01 UTC): only events strictly before it count.
    pub cutoff: i64,
    /// Window lengths in days for counts such as `tickets_30d` (default 30, 90, 180). The longest
    /// window `W` also defines the trends: last `W` days minus the `W` days before.
    pub windows: Vec<u32>,
    /// Days without an order or any feedback after which an active customer counts as silent (default 90).
    pub silence_days: u32,
    /// One column per ticket theme counting the customer's tickets on it (default true).
    pub theme_counts: bool,
}

impl Default for FeatureOptions {
    /// The default windows and thresholds, without a cutoff ([`NAT`]: set one with
    /// [`cutoff`](FeatureOptions::cutoff) before use).
    fn default() -> Self {
        FeatureOptions {
            cutoff: NAT,
            windows: vec![30, 90, 180],
            silence_days: 90,
            theme_counts: true,
        }
    }
}

impl FeatureOptions {
    /// Default options at a cutoff.
    pub fn new(cutoff: i64) -> Self {
        FeatureOptions::default().cutoff(cutoff)
    }

    /// Sets the windows (days).
    pub fn windows(mut self, days: &[u32]) -> Self {
        self.windows = days.to_vec();
        self
    }

    /// Sets the silence threshold (days).
    pub fn silence_days(mut self, days: u32) -> Self {
        self.silence_days = days;
        self
    }

    /// Whether to add one count column per ticket theme.
    pub fn theme_counts(mut self, on: bool) -> Self {
        self.theme_counts = on;
        self
    }

    /// Checks the options: a cutoff that is a time, 1–10 windows of 1–36500 days without repeats, and a
    /// silence threshold of 1–36500 days.
    pub fn validate(&self) -> Result<()> {
        if self.cutoff == NAT {
            return Err(Error::option("cutoff", "NaT", "a cutoff time is required"));
        }
        if self
            .cutoff
            .checked_abs()
            .is_none_or(|a| a > crate::signals::MAX_ABS_TIME)
        {
            return Err(Error::option(
                "cutoff",
                self.cutoff.to_string(),
                "the cutoff must lie within ±2^53 seconds of 1970 (MAX_ABS_TIME)",
            ));
        }
        let show = format!("{:?}", self.windows);
        if self.windows.is_empty() || self.windows.len() > 10 {
            return Err(Error::option(
                "windows",
                show,
                "give 1 to 10 window lengths",
            ));
        }
        if self.windows.iter().any(|&w| w == 0 || w > 36_500) {
            return Err(Error::option(
                "windows",
                show,
                "each window is 1 to 36500 days",
            ));
        }
        let mut sorted = self.windows.clone();
        sorted.sort_unstable();
        sorted.dedup();
        if sorted.len() != self.windows.len() {
            return Err(Error::option("windows", show, "windows must not repeat"));
        }
        if self.silence_days == 0 || self.silence_days > 36_500 {
            return Err(Error::option(
                "silence_days",
                self.silence_days,
                "must be 1 to 36500 days",
            ));
        }
        Ok(())
    }
}

crate::setters!(FeatureOptions { cutoff: i64 });
