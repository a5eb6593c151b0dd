//! Customer segmentation: value × voice, RFM, k-means and lifecycle stages, with a profile per segment.
//!
//! Every function takes plain columns (monetary value, recency, frequency, latest NPS, ticket and theme
//! counts, …), so it works on the output of [`crate::signals`] or on any table; the columns the defaults
//! read are named in each module. Segment codes are dense `u32` indices into a list of names, which
//! [`profile`] turns into one row per segment (size, churn with a Wilson interval, NPS with its interval,
//! value, revenue at risk, top complaint themes).
//!
//! ```
//! use voc_core::segment::*;
//! let value = [900.0, 50.0, 400.0, 30.0];
//! let tickets = [3.0, 0.0, 0.0, 0.0];
//! let price = [0.0, 1.0, 0.0, 0.0];
//! let nps = [f64::NAN, 3.0, f64::NAN, 10.0];
//! let cols = [("tickets_90d", &tickets[..]), ("theme_price", &price[..]), ("nps_last", &nps[..])];
//! let vv = value_voice(&value, &cols, &ValueVoiceOptions::default())?;
//! let churn = [1.0, 0.0, 0.0, 0.0];
//! let input = ProfileInput { churn: Some(&churn), value: Some(&value), nps: Some(&nps),
//!                            ..ProfileInput::new(&vv.segment, &vv.segment_names) };
//! let rows = profile(&input, &ProfileOptions::default())?;
//! let hi = rows.iter().find(|r| r.name == "high-value active complainer");
//! assert_eq!(hi.map(|r| r.revenue_at_risk), Some(900.0));
//! # Ok::<(), voc_core::Error>(())
//! ```

mod kmeans;
mod lifecycle;
mod profile;
mod qcut;
mod rfm;
mod value_voice;

pub use kmeans::{
    AUTO_LLOYD_MAX, Algorithm, KMeans, KMeansOptions, MAX_ITER, MAX_N_INIT, PARALLEL_ROWS, Scaling,
    kmeans, kmeans_from, kmeans_plusplus, silhouette_score, standardize,
};
pub use lifecycle::{LifecycleOptions, Stage, lifecycle};
pub use profile::{ProfileInput, ProfileOptions, SegmentProfile, profile};
pub use rfm::{Rfm, RfmOptions, RfmRule, quantile_scores, rfm};
pub use value_voice::{
    Condition, Op, Play, Tiers, ValueVoice, ValueVoiceOptions, VoiceRule, value_voice,
};
