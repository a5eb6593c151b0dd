//! Survey metrics: NPS, CSAT and CES as mergeable states with intervals and tests, grouped and by period.
//!
//! Every metric is a [`SurveyState`] over a [`Tally`] (a histogram of scale points per group), read by its
//! [`Metric`] implementation. The states update from columnar batches, merge, serialise, and finish into
//! plain result structs.
mod ces;
mod csat;
mod kernel;
mod nps;
mod score;
mod state;
mod tally;
mod trend;

pub use ces::{Ces, CesOptions, CesResult, CesState};
pub use csat::{Csat, CsatOptions, CsatResult, CsatState};
pub use nps::{Nps, NpsInterval, NpsOptions, NpsResult, NpsState, nps_test};
pub use score::{Located, Score};
pub use state::{Metric, Responses, SurveyState};
pub use tally::{
    Batch, Cell, FREE_GROUPS, Identities, MAX_GROUPS, MAX_IDENTITIES, MAX_POINTS, MAX_ROWS,
    MetricKind, Scale, Tally,
};
pub use trend::{TrendRow, trend};
