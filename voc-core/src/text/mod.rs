//! Text: complaint themes with keyword patterns (Chinese and English), mention rates with intervals and
//! alerts, lexicon sentiment, and topic discovery.
//!
//! * [`Taxonomy`] / [`ThemeMatcher`]: themes defined by keyword patterns with exclusions, compiled into
//!   one Aho–Corasick automaton; matches carry character offsets into the original text.
//! * [`mention_rates`] / [`MentionCounts`]: rates per channel × period with Wilson intervals, share of
//!   voice, period-over-period tests and alerts; [`MentionState`], the mergeable form that carries its
//!   themes, settings and channel labels; [`top_keywords`] among negative texts; [`reason_shares`].
//! * [`polarity`] / [`theme_sentiment`]: lexicon sentiment with negators, intensifiers and contrast —
//!   English by the VADER rules and lexicon (MIT, vaderSentiment 3.3.2), Chinese by voc's seed lexicon;
//!   per text and per theme at clause level.
//! * [`TopicOptions`] → [`TopicModel`] (by [`Fit`](crate::Fit)): tokenisation (jieba-rs for Chinese, Unicode words and stop words otherwise), TF-IDF as
//!   scikit-learn's defaults, seeded NMF, top terms per topic.
//! * [`topic_shares`]: topic shares per group × period with intervals (topics over time);
//!   [`untagged_topics`]: topics of the texts no theme tags, with example texts.
//! * [`Normalizer`]: case and full-width folding that keeps character positions.

mod bytes;
mod matcher;
mod normalize;
mod rates;
#[cfg(feature = "sample")]
mod sample;
mod sentiment;
mod taxonomy;
mod tfidf;
mod tokenize;
mod topic_time;
mod topics;

#[cfg(feature = "parallel")]
pub(crate) use matcher::PARALLEL_MIN_TEXTS;
pub use matcher::{Keyword, Scratch, Sets, ThemeMatch, ThemeMatcher};
pub use normalize::{Normalizer, char_offset};
pub use rates::{
    ChannelLabels, KeywordRow, LabelOrder, MentionBatch, MentionCounts, MentionFinish,
    MentionOptions, MentionRow, MentionSettings, MentionState, MentionStateBatch, MentionTable,
    MentionTheme, mention_rates, period_indices, reason_shares, top_keywords,
};
#[cfg(feature = "sample")]
pub use sample::{Lang, MAX_TICKETS, sample_tickets};
pub use sentiment::{
    Polarity, SentimentLang, ThemeSentiment, Vader, ZhSentiment, clauses, has_cjk, polarity,
    polarity_batch, theme_sentiment, theme_sentiment_of,
};
pub use taxonomy::{DEFAULT_RETAIL, Taxonomy, Theme};
pub use tfidf::{Tfidf, TfidfOptions};
pub use tokenize::{is_stop_word, tokenize};
pub use topic_time::{TopicExamples, TopicShareRow, UntaggedTopics, topic_shares, untagged_topics};
pub use topics::{
    LABEL_TERMS, MAX_TOPIC_ITER, MAX_TOPICS, TopicModel, TopicOptions, TopicSummary, topic_labels,
};
