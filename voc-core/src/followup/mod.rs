//! Closing the loop: follow-up cases opened for detractors, churn alerts, complaint tickets and social
//! posts — how fast they are contacted and closed, how many meet the service level, and how many
//! triggers get a case at all.
//!
//! - [`CaseLog`] validates the case table once against an [`EventLog`](crate::signals::EventLog)'s
//!   customers (unknown customer, contact before opening, closing before the first contact, …: an
//!   error naming column and row, or a skipped row counted by reason under
//!   [`RowPolicy::Skip`](crate::signals::RowPolicy::Skip)).
//! - [`LoopState`] is the mergeable aggregate (per team, channel, trigger or any grouping): time to first
//!   contact and time to close as Kaplan–Meier curves with open cases censored at the observation time
//!   (equal to lifelines `KaplanMeierFitter`), SLA attainment and trigger coverage as shares with Wilson
//!   intervals (equal to `scipy.stats.binomtest(...).proportion_ci("wilson")`).
//!
//! Durations are in hours. A case never contacted but closed (the customer could not be reached) is
//! censored for time to contact at its closing; an open case is censored at the batch's `as_of` time.

mod cases;
mod direct;
#[cfg(feature = "text")]
mod fixes;
mod outcomes;
mod recovery;
mod run;
mod state;
#[cfg(test)]
mod tests;

pub use cases::{CaseLog, Cases, Trigger};
#[cfg(feature = "text")]
pub use fixes::{
    Fix, FixChurn, FixCustomers, FixDesign, FixEffect, FixOptions, FixTexts, fix_effects,
};
pub use outcomes::{
    Balance, ClassOutcome, HoldoutEstimate, IpwComparison, OutcomeInput, OutcomeOptions, SlaClass,
    SlaOutcomes, sla_outcomes,
};
pub use recovery::{PairedChange, Recovery, RecoveryGroup, RecoveryOptions, recovery};
pub use run::{
    CoverageReport, GroupCoverage, LeftOut, LoopInput, LoopReport, MISSING_GROUP, SlaTrendRow,
    TriggerInput, coverage, loop_metrics,
};
pub use state::{
    CaseBatch, GroupLoop, LoopBatch, LoopMetrics, LoopOptions, LoopState, MAX_LOOP_CASES,
    Percentile, TriggerBatch,
};

/// Seconds in an hour: durations are reported in hours.
pub const HOUR: f64 = 3600.0;
