//! Topics over time and topics the taxonomy misses: the share of texts whose heaviest topic is each
//! topic per group × period with intervals (BERTopic's `topics_over_time` idea on voc's NMF topics), and
//! topic discovery on the texts that no theme of a taxonomy tags, with example texts per topic.

use std::collections::BTreeMap;

use super::{ThemeMatcher, TopicModel, TopicOptions, TopicSummary};
use crate::Fit;
use crate::error::{Error, Result, check_len};
use crate::stats::{Interval, IntervalOptions, share};

/// One topic in one group × period of [`topic_shares`].
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct TopicShareRow {
    /// Group code (0 without groups).
    pub group: u32,
    /// Period index; `None` without periods.
    pub period: Option<i64>,
    /// Topic index.
    pub topic: usize,
    /// Texts in the cell (texts with no known term included).
    pub texts: u64,
    /// Texts of the cell whose heaviest topic is this one.
    pub documents: u64,
    /// `documents / texts`.
    pub share: f64,
    /// Interval of the share.
    pub ci: Interval,
}

/// Topic shares per group × period: `labels[i]` is the heaviest topic of text `i` (`None` when it has
/// no known term; it still counts in the cell's texts), `periods[i]` and `groups[i]` its period index
/// and group code. One row per cell × topic, ordered by group, period, topic, with the interval of
/// `opts` (Wilson by default).
///
/// ```
/// use voc_core::stats::IntervalOptions;
/// use voc_core::text::topic_shares;
/// let labels = [Some(0), Some(1), Some(0), None, Some(1), Some(1)];
/// let periods = [10, 10, 10, 11, 11, 11];
/// let rows = topic_shares(&labels, 2, Some(&periods), None, &IntervalOptions::default())?;
/// assert_eq!(rows.len(), 4);
/// assert_eq!((rows[0].period, rows[0].topic, rows[0].documents, rows[0].texts), (Some(10), 0, 2, 3));
/// assert!((rows[3].share - 2.0 / 3.0).abs() < 1e-12); // topic 1 in period 11
/// assert!(rows[3].ci.low < rows[3].share && rows[3].share < rows[3].ci.high);
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn topic_shares(
    labels: &[Option<usize>],
    n_topics: usize,
    periods: Option<&[i64]>,
    groups: Option<&[u32]>,
    opts: &IntervalOptions,
) -> Result<Vec<TopicShareRow>> {
    crate::stats::check_confidence(opts.confidence)?;
    let n = labels.len();
    if let Some(p) = periods {
        check_len("texts", n, "time", p.len())?;
    }
    if let Some(g) = groups {
        check_len("texts", n, "by", g.len())?;
    }
    if n == 0 {
        return Err(Error::Empty {
            arg: "texts",
            what: "no texts to compute topic shares from",
        });
    }
    if n_topics == 0 || n_topics > super::MAX_TOPICS {
        return Err(Error::option(
            "n_topics",
            n_topics,
            format!("give 1 to {} topics", super::MAX_TOPICS),
        ));
    }
    if let Some(i) = labels.iter().position(|l| l.is_some_and(|t| t >= n_topics)) {
        return Err(Error::InvalidValue {
            arg: "labels",
            index: i,
            value: labels[i].map_or(f64::NAN, |t| t as f64),
            reason: "a topic label beyond n_topics",
        });
    }
    let mut cells: BTreeMap<(u32, Option<i64>), (u64, Vec<u64>)> = BTreeMap::new();
    for (i, l) in labels.iter().enumerate() {
        let key = (groups.map_or(0, |g| g[i]), periods.map(|p| p[i]));
        let cell = cells.entry(key).or_insert_with(|| (0, vec![0; n_topics]));
        cell.0 += 1;
        if let Some(t) = *l {
            cell.1[t] += 1;
        }
    }
    let mut rows = Vec::with_capacity(cells.len() * n_topics);
    for ((group, period), (texts, docs)) in cells {
        for (topic, &k) in docs.iter().enumerate() {
            let s = share(k as f64, texts as f64, opts)?;
            rows.push(TopicShareRow {
                group,
                period,
                topic,
                texts,
                documents: k,
                share: s.estimate,
                ci: s.ci,
            });
        }
    }
    Ok(rows)
}

/// One topic of [`untagged_topics`]: its summary and example texts.
#[derive(Debug, Clone, PartialEq)]
pub struct TopicExamples {
    /// The topic's label, top terms, documents and share (of the untagged texts).
    pub summary: TopicSummary,
    /// Indices (into the texts given) of the texts most typical of the topic: those whose heaviest
    /// topic it is, by decreasing weight.
    pub examples: Vec<usize>,
}

/// Topics of the texts that no theme tags ("what are we missing?").
#[derive(Debug, Clone, PartialEq)]
pub struct UntaggedTopics {
    /// The topic model fitted on the untagged texts (its documents are those texts, in order).
    pub model: TopicModel,
    /// Indices (into the texts given) of the untagged texts.
    pub untagged: Vec<usize>,
    /// One entry per topic.
    pub topics: Vec<TopicExamples>,
}

/// Fits topics ([`TopicOptions`]: TF-IDF and NMF; Chinese by jieba, English by words) on the texts
/// that `matcher` tags with no theme, and gives each topic its `n_terms` heaviest terms and up to
/// `n_examples` example texts. Fewer untagged texts than topics is [`Error::InsufficientData`].
///
/// ```
/// use voc_core::text::{Taxonomy, TfidfOptions, ThemeMatcher, TopicOptions, untagged_topics};
/// let mut tax = Taxonomy::new();
/// tax.add("refund", "Refund", &["refund", "退款"], &[])?;
/// let m = ThemeMatcher::new(tax)?;
/// let texts = ["refund please", "app crashes on login", "login crash again", "退款太慢",
///              "parcel box damaged", "box arrived damaged", "app login crash", "damaged parcel box"];
/// let o = TopicOptions::default().n_topics(2).tfidf(TfidfOptions::default().min_df(2));
/// let u = untagged_topics(&m, &texts, &o, 3, 2)?;
/// assert_eq!(u.untagged, [1, 2, 4, 5, 6, 7]); // the refund texts are tagged
/// let crash = u.topics.iter().find(|t| t.summary.terms.contains(&"crash".to_string())).unwrap();
/// assert!(crash.examples.iter().all(|&i| texts[i].contains("crash")));
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn untagged_topics<S: AsRef<str> + Sync>(
    matcher: &ThemeMatcher,
    texts: &[S],
    opts: &TopicOptions,
    n_terms: usize,
    n_examples: usize,
) -> Result<UntaggedTopics> {
    opts.validate()?;
    let strs: Vec<&str> = texts.iter().map(AsRef::as_ref).collect();
    let sets = matcher.themes_batch(&strs, false)?;
    let untagged: Vec<usize> = (0..sets.len())
        .filter(|&i| sets.row(i).is_empty())
        .collect();
    if untagged.len() < opts.n_topics.max(2) {
        return Err(Error::InsufficientData(format!(
            "{} of {} texts are untagged: topics need at least n_topics = {} of them",
            untagged.len(),
            strs.len(),
            opts.n_topics
        )));
    }
    let docs: Vec<&str> = untagged.iter().map(|&i| strs[i]).collect();
    let model = opts.fit(&docs[..])?;
    let labels = model.labels();
    let summary = model.summary(n_terms);
    let topics = summary
        .into_iter()
        .map(|s| {
            let mut own: Vec<(usize, f64)> = labels
                .iter()
                .enumerate()
                .filter(|(_, l)| **l == Some(s.topic))
                .map(|(d, _)| (d, model.w[[d, s.topic]]))
                .collect();
            own.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            let examples = own
                .into_iter()
                .take(n_examples)
                .map(|(d, _)| untagged[d])
                .collect();
            TopicExamples {
                summary: s,
                examples,
            }
        })
        .collect();
    Ok(UntaggedTopics {
        model,
        untagged,
        topics,
    })
}
