//! Text analytics on synthetic support tickets in Chinese and English: complaint themes from the
//! built-in retail taxonomy, mention rates per language through the mergeable
//! [`MentionState`](voc_core::text::MentionState) (one batch per language, each with its channel
//! label, merged, finished),
//! lexicon sentiment per text and per theme, and TF-IDF with NMF topics ([`Fit`] / [`Predict`]) with
//! the top words of each topic.
//!
//! `cargo run --release -p voc-core --example text`

use std::time::Instant;

use voc_core::text::{
    ChannelLabels, Lang, MentionOptions, MentionSettings, MentionState, MentionStateBatch,
    SentimentLang, Taxonomy, TfidfOptions, ThemeMatcher, TopicOptions, polarity, sample_tickets,
    theme_sentiment, topic_labels,
};
use voc_core::{Fit, Predict, State};

const TICKETS: usize = 5_000;
const LANGS: [(&str, Lang); 2] = [("zh", Lang::Zh), ("en", Lang::En)];

fn main() -> voc_core::Result<()> {
    let started = Instant::now();
    let matcher = ThemeMatcher::new(Taxonomy::default_retail())?;
    let zh = sample_tickets(TICKETS, 7, Lang::Zh)?;
    let en = sample_tickets(TICKETS, 7, Lang::En)?;

    // Themes of one ticket in each language, with the phrases that matched.
    for text in [&zh, &en].into_iter().filter_map(|t| t.first()) {
        let chars: Vec<char> = text.chars().collect();
        let mut themes: Vec<(u32, Vec<String>)> = Vec::new();
        for m in matcher.find(text) {
            let phrase: String = chars
                .get(m.start..m.end)
                .unwrap_or_default()
                .iter()
                .collect();
            match themes.iter_mut().find(|(t, _)| *t == m.theme) {
                Some((_, phrases)) => phrases.push(phrase),
                None => themes.push((m.theme, vec![phrase])),
            }
        }
        let found: Vec<String> = themes
            .iter()
            .map(|(t, p)| format!("{} ({})", matcher.theme_id(*t as usize), p.join(", ")))
            .collect();
        println!("{text}\n  themes: {}", found.join("; "));
    }

    // Mention rates: one state per batch (each with its own channel label), shipped as bytes,
    // merged, then finished once.
    let mut counts = MentionState::new(
        matcher.taxonomy(),
        MentionSettings::default().channels(true),
    );
    let mut other = counts.empty_like();
    let zh_sets = matcher.themes_batch(&zh, true)?;
    let en_sets = matcher.themes_batch(&en, true)?;
    let (zh_label, en_label) = (
        ChannelLabels::Str(vec!["zh".into()]),
        ChannelLabels::Str(vec!["en".into()]),
    );
    counts.update(MentionStateBatch::new(&zh_sets).channels(&vec![0; zh_sets.len()], &zh_label))?;
    other.update(MentionStateBatch::new(&en_sets).channels(&vec![0; en_sets.len()], &en_label))?;
    counts.merge(&MentionState::from_bytes(&other.to_bytes())?)?;
    let table = counts.finish(&MentionOptions::default())?;
    // The table numbers channels in label order: en, zh.
    let rows = &table.rows;
    println!(
        "\nMention rates of the top-level themes in {} tickets per language (Wilson 95%):",
        TICKETS
    );
    for (channel, name) in ["en", "zh"].into_iter().enumerate() {
        let mut top: Vec<_> = rows
            .iter()
            .filter(|r| r.channel as usize == channel && r.mentions > 0)
            .filter(|r| !matcher.theme_id(r.theme as usize).contains('.'))
            .collect();
        top.sort_by(|a, b| b.rate.total_cmp(&a.rate));
        let shown: Vec<String> = top
            .iter()
            .take(5)
            .map(|r| {
                format!(
                    "{} {:.1}% [{:.1}, {:.1}]",
                    matcher.theme_id(r.theme as usize),
                    100.0 * r.rate,
                    100.0 * r.ci.low,
                    100.0 * r.ci.high
                )
            })
            .collect();
        println!("  {name}: {}", shown.join(", "));
    }

    // Sentiment of a whole text, then per theme at clause level.
    println!("\nSentiment (compound, -1 to 1):");
    for text in [
        "The refund was fast and the staff were lovely, thanks!",
        "terrible quality, the jacket fell apart and nobody answered",
        "质量很好，物流也快，非常满意",
        "退款太慢了，客服也不理人",
    ] {
        let p = polarity(text, SentimentLang::Auto);
        println!("  {:+.3}  {text}", p.compound);
    }
    for text in [
        "物流很快，但是退款太慢了",
        "Delivery was great, but the refund process was awful.",
    ] {
        let per_theme: Vec<String> = theme_sentiment(&matcher, text, SentimentLang::Auto)
            .iter()
            .map(|s| format!("{} {:+.2}", matcher.theme_id(s.theme as usize), s.compound))
            .collect();
        println!("  by theme: {}  ({text})", per_theme.join(", "));
    }

    // TF-IDF, then topics (NMF of its matrix); top words per topic, and the topics of new texts.
    let new_texts = [
        ["退款什么时候到账，等了很久", "APP登录不上，一直闪退"],
        [
            "still waiting for my refund, it is so slow",
            "the dress runs small, far too tight",
        ],
    ];
    for ((name, _), (texts, new)) in LANGS.iter().zip([(&zh, new_texts[0]), (&en, new_texts[1])]) {
        let tfidf = TfidfOptions::default().fit(&texts[..])?;
        let topics = TopicOptions::default().n_topics(10).seed(1).fit(&tfidf)?;
        println!(
            "\nTopics of the {name} tickets ({} documents x {} terms, {} iterations):",
            tfidf.n_docs(),
            tfidf.n_terms(),
            topics.iterations
        );
        for t in 0..topics.n_topics {
            let words: Vec<&str> = topics.top_terms(t, 5).into_iter().map(|(w, _)| w).collect();
            println!("  topic {t}: {}", words.join(" "));
        }
        let labels = topic_labels(&topics.predict(&new[..])?);
        for (text, label) in new.iter().zip(labels) {
            let topic = label.map_or("none".to_string(), |t| t.to_string());
            println!("  \"{text}\" -> topic {topic}");
        }
    }
    println!("\n(done in {:.2?})", started.elapsed());
    Ok(())
}
