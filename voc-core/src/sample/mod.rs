//! Deterministic simulated data for demos, tests and benchmarks.
//!
//! Everything here is seeded (ChaCha8): the same seed gives byte-identical data on every platform.

mod retailer;
mod surveys;

pub use retailer::{
    ACQUISITION, CAMPAIGN_GROUPS, CATEGORIES, CHURN_REASONS, CampaignTable, CampaignTruth,
    CaseTable, CaseTruth, ChurnTable, CustomerTable, FOLLOWUP_ACTIONS, FOLLOWUP_OUTCOMES, FixTable,
    FollowupSurveys, MAX_CUSTOMERS, MAX_DAYS, MentionTable, OrderTable, PLATFORMS, Planted,
    PlantedCampaign, PlantedFollowup, REGIONS, Retailer, RetailerOptions, ReturnTable, SurveyTable,
    TEAMS, THEMES, TICKET_CHANNELS, TIERS, TicketTable, Truth, retailer,
};
pub use surveys::{
    CHANNELS, MAX_RESPONSES, PlantedChange, SEGMENTS, SurveyOptions, SurveySample, surveys,
};
