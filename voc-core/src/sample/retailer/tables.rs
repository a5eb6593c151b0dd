//! The simulated tables, the truth behind them, and the retailer as an event log.

use super::{
    CampaignTable, CampaignTruth, CaseTable, CaseTruth, FixTable, FollowupSurveys, Planted, THEMES,
};
use crate::error::Result;
use crate::signals::{
    ChurnEvents, Customers, EventLog, Ids, Mentions, Orders, Returns, SurveyKind, Surveys, Tickets,
};

/// Customers.
#[derive(Debug, Clone, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct CustomerTable {
    /// Customer id (1, 2, …).
    pub id: Vec<i64>,
    /// Sign-up time (seconds since 1970-01-01 UTC).
    pub signup: Vec<i64>,
    /// Value tier (index into [`TIERS`](super::TIERS)).
    pub tier: Vec<u8>,
    /// Region (index into [`REGIONS`](super::REGIONS)).
    pub region: Vec<u8>,
    /// Acquisition channel (index into [`ACQUISITION`](super::ACQUISITION)).
    pub channel: Vec<u8>,
    /// Held out of the refund fix (the control group of the fix).
    pub holdout: Vec<bool>,
}

/// Orders.
#[derive(Debug, Clone, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct OrderTable {
    /// Order id (1, 2, …).
    pub id: Vec<i64>,
    /// Customer id.
    pub customer: Vec<i64>,
    /// Order time.
    pub time: Vec<i64>,
    /// Order value.
    pub amount: Vec<f64>,
    /// Category (index into [`CATEGORIES`](super::CATEGORIES)).
    pub category: Vec<u8>,
    /// Whether the order can be returned.
    pub returnable: Vec<bool>,
}

/// Returns and refunds.
#[derive(Debug, Clone, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ReturnTable {
    /// Returned order id.
    pub order: Vec<i64>,
    /// Customer id.
    pub customer: Vec<i64>,
    /// Requested.
    pub requested: Vec<i64>,
    /// Received by the warehouse ([`NAT`](crate::time::NAT): not by the end of the data).
    pub received: Vec<i64>,
    /// Refund paid ([`NAT`](crate::time::NAT): not by the end of the data).
    pub refunded: Vec<i64>,
    /// Refund amount.
    pub amount: Vec<f64>,
}

/// Support tickets.
#[derive(Debug, Clone, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct TicketTable {
    /// Customer id.
    pub customer: Vec<i64>,
    /// Opened.
    pub time: Vec<i64>,
    /// Channel (index into [`TICKET_CHANNELS`](super::TICKET_CHANNELS)).
    pub channel: Vec<u8>,
    /// Theme (index into [`THEMES`]).
    pub theme: Vec<u32>,
    /// Text written by the customer (Chinese or English).
    pub text: Vec<String>,
    /// Resolved ([`NAT`](crate::time::NAT): unresolved).
    pub resolved: Vec<i64>,
    /// CSAT 1–5 given on the ticket (NaN: none).
    pub csat: Vec<f64>,
}

/// Survey answers.
#[derive(Debug, Clone, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct SurveyTable {
    /// Customer id.
    pub customer: Vec<i64>,
    /// Answered.
    pub time: Vec<i64>,
    /// Kind.
    pub kind: Vec<SurveyKind>,
    /// Score on the kind's scale.
    pub score: Vec<f64>,
    /// Free-text comment, if any.
    pub verbatim: Vec<Option<String>>,
}

/// Social mentions.
#[derive(Debug, Clone, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct MentionTable {
    /// Customer id (`None`: anonymous).
    pub customer: Vec<Option<i64>>,
    /// Posted.
    pub time: Vec<i64>,
    /// Platform (index into [`PLATFORMS`](super::PLATFORMS)).
    pub platform: Vec<u8>,
    /// Theme (index into [`THEMES`]; the truth, for checking text analysis).
    pub theme: Vec<u32>,
    /// Text.
    pub text: Vec<String>,
    /// Sentiment in [-1, 1] where the platform scores it (NaN: not given).
    pub sentiment: Vec<f64>,
}

/// Churn-survey answers (explicit churn events).
#[derive(Debug, Clone, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ChurnTable {
    /// Customer id.
    pub customer: Vec<i64>,
    /// Answered.
    pub time: Vec<i64>,
    /// Main reason (index into [`CHURN_REASONS`](super::CHURN_REASONS)).
    pub reason: Vec<u8>,
}

/// The truth behind the data, per customer (in customer order).
#[derive(Debug, Clone, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Truth {
    /// When the customer decided to leave ([`NAT`](crate::time::NAT): stayed to the end).
    pub churn_time: Vec<i64>,
    /// Slow refunds the customer experienced.
    pub slow_refunds: Vec<u32>,
    /// Probability of churning after an order without a slow refund.
    pub base_churn_prob: Vec<f64>,
    /// Latent satisfaction on the 0–10 scale.
    pub satisfaction: Vec<f64>,
    /// The truth behind the retention campaign, one row per campaign participant (empty without a
    /// campaign).
    pub campaign: CampaignTruth,
    /// The truth behind the closed loop, one row per row of [`Retailer::cases`] (empty without one).
    pub followup: CaseTruth,
}

/// A simulated retailer.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Retailer {
    /// Customers.
    pub customers: CustomerTable,
    /// Orders.
    pub orders: OrderTable,
    /// Returns and refunds.
    pub returns: ReturnTable,
    /// Tickets.
    pub tickets: TicketTable,
    /// Survey answers.
    pub surveys: SurveyTable,
    /// Social mentions.
    pub mentions: MentionTable,
    /// Churn-survey answers.
    pub churn: ChurnTable,
    /// The truth per customer.
    pub truth: Truth,
    /// The randomised retention campaign (empty without one; see [`PlantedCampaign`](super::PlantedCampaign)).
    pub campaign: CampaignTable,
    /// The closed loop: one row per trigger that opened a follow-up case or was held out (empty
    /// without one; see [`PlantedFollowup`](super::PlantedFollowup)).
    pub cases: CaseTable,
    /// Answers to the survey sent after each follow-up case (and after each held-out trigger): NPS
    /// answers to add to [`surveys`](Retailer::surveys) when measuring recovery.
    pub followup_surveys: FollowupSurveys,
    /// The register of root-cause fixes (the refund fix, when there is one).
    pub fixes: FixTable,
    /// The planted effects.
    pub planted: Planted,
    /// First simulated time (seconds).
    pub start: i64,
    /// End of the data (seconds, exclusive).
    pub end: i64,
}

impl Retailer {
    /// The data as a validated [`EventLog`] (mentions by anonymous posters left out; churn-survey
    /// answers as explicit churn events; ticket themes named by [`THEMES`]).
    ///
    /// ```
    /// use voc_core::sample::{retailer, RetailerOptions};
    /// use voc_core::signals::{FeatureOptions, DAY};
    /// let r = retailer(&RetailerOptions::default().customers(1_000))?;
    /// let log = r.event_log()?;
    /// let f = log.features(&FeatureOptions::new(r.start + 365 * DAY))?;
    /// assert!(f.rows() > 400 && f.column("theme_refund").is_some());
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn event_log(&self) -> Result<EventLog> {
        let known: Vec<usize> = (0..self.mentions.customer.len())
            .filter(|&i| self.mentions.customer[i].is_some())
            .collect();
        let m_customer: Vec<i64> = known
            .iter()
            .filter_map(|&i| self.mentions.customer[i])
            .collect();
        let m_time: Vec<i64> = known.iter().map(|&i| self.mentions.time[i]).collect();
        let m_sentiment: Vec<f64> = known.iter().map(|&i| self.mentions.sentiment[i]).collect();
        let themes: Vec<String> = THEMES.iter().map(|s| s.to_string()).collect();
        let ticket_theme: Vec<Option<u32>> = self.tickets.theme.iter().copied().map(Some).collect();
        Ok(EventLog::builder(Customers {
            id: Ids::Int(&self.customers.id),
            signup: &self.customers.signup,
        })?
        .orders(Orders {
            id: Some(Ids::Int(&self.orders.id)),
            customer: Ids::Int(&self.orders.customer),
            time: &self.orders.time,
            amount: &self.orders.amount,
        })?
        .returns(Returns {
            order: Some(Ids::Int(&self.returns.order)),
            customer: Ids::Int(&self.returns.customer),
            requested: &self.returns.requested,
            received: &self.returns.received,
            refunded: &self.returns.refunded,
            amount: &self.returns.amount,
        })?
        .tickets(
            Tickets {
                customer: Ids::Int(&self.tickets.customer),
                time: &self.tickets.time,
                theme: &ticket_theme,
                resolved: &self.tickets.resolved,
                csat: Some(&self.tickets.csat),
                sentiment: None,
            },
            &themes,
        )?
        .surveys(Surveys {
            customer: Ids::Int(&self.surveys.customer),
            time: &self.surveys.time,
            kind: &self.surveys.kind,
            score: &self.surveys.score,
        })?
        .mentions(Mentions {
            customer: Ids::Int(&m_customer),
            time: &m_time,
            sentiment: Some(&m_sentiment),
        })?
        .churn(ChurnEvents {
            customer: Ids::Int(&self.churn.customer),
            time: &self.churn.time,
        })?
        .build())
    }

    /// Number of events (orders, returns, tickets, survey answers, mentions, churn answers).
    pub fn events(&self) -> usize {
        self.orders.time.len()
            + self.returns.requested.len()
            + self.tickets.time.len()
            + self.surveys.time.len()
            + self.mentions.time.len()
            + self.churn.time.len()
    }
}
