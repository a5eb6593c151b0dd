//! Multi-channel events → per-customer churn signals as of a cutoff.
//!
//! Build an [`EventLog`] once from the customer table and any of the event tables (orders, returns and
//! refunds, tickets, survey answers, social mentions, churn events). Every row is validated: an unknown
//! customer id, a refund paid before the return arrived or a negative amount is an error naming the
//! column, position and value, or — under [`RowPolicy::Skip`] — a row left out and counted in
//! [`EventLog::skipped`]. Then compute [`features`](EventLog::features) and
//! [`labels`](EventLog::labels) at any cutoff: features use only events strictly before the cutoff, labels
//! only the horizon after it, so a model trained on a past cutoff can score customers today.
//!
//! ```
//! use voc_core::signals::*;
//! let customers = Customers { id: Ids::Int(&[1, 2]), signup: &[0, 0] };
//! let returns = Returns {
//!     order: None,
//!     customer: Ids::Int(&[1]),
//!     requested: &[10 * DAY],
//!     received: &[15 * DAY],
//!     refunded: &[40 * DAY], // 25 days after the warehouse had the parcel
//!     amount: &[59.0],
//! };
//! let log = EventLog::builder(customers)?.returns(returns)?.build();
//! let f = log.features(&FeatureOptions::new(60 * DAY))?;
//! let delay = f.column("refund_delay_max_days").unwrap_or_default();
//! assert_eq!(delay[0], 25.0);
//! assert!(delay[1].is_nan()); // no returns: undefined, not zero
//! # Ok::<(), voc_core::Error>(())
//! ```

pub(crate) mod events;
mod features;
mod ids;

pub use events::{
    ChurnEvents, Customers, DAY, EventLog, EventLogBuilder, MAX_ABS_TIME, Mentions, Orders,
    Returns, RowPolicy, Skipped, SurveyKind, Surveys, Tables, Tickets,
};
pub use features::{ChurnLabels, FeatureOptions, Features};
pub use ids::{IdIndex, IdLabels, Ids};
