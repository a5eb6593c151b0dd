//! Lexicon sentiment for English (VADER rules and lexicon) and Chinese (voc's seed lexicon), per text and
//! per theme at clause level.

mod en;
mod zh;

pub use en::{Polarity, Vader};
pub use zh::ZhSentiment;

use super::matcher::{Scratch, ThemeMatch, ThemeMatcher};

/// Which scorer (and tokeniser) to use; spelled "auto", "en" or "zh" ("english", "chinese",
/// "zh-cn" and "zh_cn" parse too).
///
/// ```
/// use voc_core::text::SentimentLang;
/// assert_eq!("zh".parse::<SentimentLang>()?, SentimentLang::Zh);
/// assert!("fr".parse::<SentimentLang>().is_err());
/// assert_eq!(SentimentLang::En.to_string(), "en");
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum SentimentLang {
    /// Chinese when the text holds a CJK ideograph, else English.
    #[default]
    Auto,
    /// English (VADER).
    En,
    /// Chinese (seed lexicon).
    Zh,
}

crate::named_enum!(SentimentLang, "lang", {
    Auto => "auto",
    En => "en" | "english",
    Zh => "zh" | "chinese" | "zh-cn" | "zh_cn",
});

pub(crate) fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x4E00..=0x9FFF | 0x3400..=0x4DBF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
}

/// Whether a text holds a CJK ideograph.
///
/// ```
/// assert!(voc_core::text::has_cjk("app 退款"));
/// assert!(!voc_core::text::has_cjk("refund"));
/// ```
pub fn has_cjk(text: &str) -> bool {
    // CJK ideographs are three- or four-byte characters: skip ASCII quickly.
    text.bytes().any(|b| b >= 0xE3) && text.chars().any(is_cjk)
}

/// Polarity of one text.
///
/// ```
/// use voc_core::text::{polarity, SentimentLang};
/// assert!(polarity("The refund was fast, thanks!", SentimentLang::Auto).compound > 0.0);
/// assert!(polarity("退款太慢了", SentimentLang::Auto).compound < 0.0);
/// ```
pub fn polarity(text: &str, lang: SentimentLang) -> Polarity {
    let zh = match lang {
        SentimentLang::Auto => has_cjk(text),
        SentimentLang::En => false,
        SentimentLang::Zh => true,
    };
    if zh {
        ZhSentiment::shared().polarity_scores(text)
    } else {
        Vader::shared().polarity_scores(text)
    }
}

/// Polarity of many texts (parallel above 4,096 texts with the `parallel` feature).
///
/// Stops with [`Error::Interrupted`](crate::Error::Interrupted) when an interrupt is pending
/// (see [`crate::interrupt`]): a million texts take seconds.
///
/// ```
/// use voc_core::text::{polarity_batch, SentimentLang};
/// let p = polarity_batch(&["great service", "terrible service"], SentimentLang::En)?;
/// assert!(p[0].compound > 0.0 && p[1].compound < 0.0);
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn polarity_batch<S: AsRef<str> + Sync>(
    texts: &[S],
    lang: SentimentLang,
) -> crate::Result<Vec<Polarity>> {
    #[cfg(feature = "parallel")]
    if texts.len() >= super::PARALLEL_MIN_TEXTS {
        use rayon::prelude::*;
        return crate::interrupt::watch(|| {
            texts
                .par_iter()
                .with_min_len(256)
                .map(|t| {
                    crate::interrupt::check()?;
                    Ok(polarity(t.as_ref(), lang))
                })
                .collect()
        });
    }
    let mut ticker = crate::interrupt::Ticker::new();
    texts
        .iter()
        .map(|t| {
            ticker.tick()?;
            Ok(polarity(t.as_ref(), lang))
        })
        .collect()
}

/// Sentiment of one theme in one text: the mean compound of the clauses where it is mentioned.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ThemeSentiment {
    /// Theme index.
    pub theme: u32,
    /// Mean compound score of the clauses that mention the theme.
    pub compound: f64,
    /// Number of such clauses.
    pub clauses: u32,
}

const CONTRAST_WORDS: &[&str] = &[
    " but ",
    " however ",
    " although ",
    " though ",
    "但是",
    "可是",
    "不过",
    "然而",
    "只是",
];

/// Clause spans (character offsets) of `text`: split at punctuation and before contrast words.
///
/// ```
/// let c = voc_core::text::clauses("物流很快，但是退款太慢");
/// assert_eq!(c, vec![(0, 4), (5, 11)]);
/// ```
pub fn clauses(text: &str) -> Vec<(usize, usize)> {
    let chars: Vec<char> = text.chars().collect();
    let lower: String = text.to_lowercase();
    // Contrast words start a new clause (character positions; lower-casing may change lengths, so
    // only use it when it keeps the character count).
    let mut cuts: Vec<usize> = Vec::new();
    if lower.chars().count() == chars.len() {
        // Byte offsets of the matches, turned into character positions in one pass over the text
        // (counting from the start for each match would be quadratic in the text's length).
        let mut hits: Vec<(usize, bool)> = Vec::new();
        for w in CONTRAST_WORDS {
            hits.extend(lower.match_indices(w).map(|(b, _)| (b, w.starts_with(' '))));
        }
        hits.sort_unstable();
        let (mut byte, mut before) = (0usize, 0usize);
        for (b, space) in hits {
            before += lower.get(byte..b).map_or(0, |s| s.chars().count());
            byte = b;
            cuts.push(before + usize::from(space));
        }
    }
    cuts.sort_unstable();
    let mut out = Vec::new();
    let mut start = 0usize;
    let mut cut_iter = cuts.into_iter().peekable();
    for (i, &c) in chars.iter().enumerate() {
        while cut_iter.peek().is_some_and(|&k| k <= i) {
            if let Some(k) = cut_iter.next()
                && k == i
                && i > start
            {
                out.push((start, i));
                start = i;
            }
        }
        if zh::is_clause_break(c) {
            if i > start {
                out.push((start, i));
            }
            start = i + 1;
        }
    }
    if chars.len() > start {
        out.push((start, chars.len()));
    }
    // Trim white space at both ends; drop empty clauses.
    out.into_iter()
        .filter_map(|(mut a, mut b)| {
            while a < b && chars[a].is_whitespace() {
                a += 1;
            }
            while b > a && chars[b - 1].is_whitespace() {
                b -= 1;
            }
            (a < b).then_some((a, b))
        })
        .collect()
}

/// Clause-level sentiment of each theme mentioned in `text`.
///
/// ```
/// use voc_core::text::{theme_sentiment, SentimentLang, Taxonomy, ThemeMatcher};
/// let m = ThemeMatcher::new(Taxonomy::default_retail())?;
/// let s = theme_sentiment(&m, "物流很快，但是退款太慢了", SentimentLang::Auto);
/// let of = |id: &str| s.iter().find(|x| m.theme_id(x.theme as usize) == id).map(|x| x.compound);
/// assert!(of("delivery").unwrap_or(0.0) > 0.0);
/// assert!(of("refund.slow").unwrap_or(0.0) < 0.0);
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn theme_sentiment(
    matcher: &ThemeMatcher,
    text: &str,
    lang: SentimentLang,
) -> Vec<ThemeSentiment> {
    let mut scratch = Scratch::default();
    let mut found = Vec::new();
    matcher.find_with(text, &mut scratch, &mut found);
    theme_sentiment_of(text, &found, lang)
}

/// [`theme_sentiment`] from matches already found.
pub fn theme_sentiment_of(
    text: &str,
    found: &[ThemeMatch],
    lang: SentimentLang,
) -> Vec<ThemeSentiment> {
    if found.is_empty() {
        return Vec::new();
    }
    let lang = match lang {
        SentimentLang::Auto if has_cjk(text) => SentimentLang::Zh,
        SentimentLang::Auto => SentimentLang::En,
        l => l,
    };
    let spans = clauses(text);
    let chars: Vec<char> = text.chars().collect();
    let mut scores: Vec<Option<f64>> = vec![None; spans.len()];
    // (theme, clause) pairs, distinct
    let mut pairs: Vec<(u32, usize)> = found
        .iter()
        .filter_map(|m| {
            // Clauses are disjoint and in order: a binary search, not a scan (O(m log c), not O(m·c)).
            let c = spans
                .partition_point(|&(a, _)| a <= m.start)
                .checked_sub(1)?;
            let &(a, b) = spans.get(c)?;
            (a <= m.start && m.start < b).then_some((m.theme, c))
        })
        .collect();
    pairs.sort_unstable();
    pairs.dedup();
    let mut out: Vec<ThemeSentiment> = Vec::new();
    for (theme, c) in pairs {
        let score = match scores.get(c).copied().flatten() {
            Some(s) => s,
            None => {
                let (a, b) = spans[c];
                let clause: String = chars[a..b].iter().collect();
                let s = polarity(&clause, lang).compound;
                scores[c] = Some(s);
                s
            }
        };
        match out.last_mut() {
            Some(last) if last.theme == theme => {
                last.compound += score;
                last.clauses += 1;
            }
            _ => out.push(ThemeSentiment {
                theme,
                compound: score,
                clauses: 1,
            }),
        }
    }
    for t in &mut out {
        t.compound /= f64::from(t.clauses);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Result;

    #[test]
    fn clause_splitting() {
        assert_eq!(clauses("good, but slow"), vec![(0, 4), (6, 14)]);
        assert_eq!(clauses(" a ; b "), vec![(1, 2), (5, 6)]);
        assert_eq!(clauses("good but slow"), vec![(0, 4), (5, 13)]);
        assert_eq!(clauses(""), vec![]);
        assert_eq!(clauses("。。"), vec![]);
    }

    #[test]
    fn auto_language() {
        let en = polarity("great", SentimentLang::Auto);
        assert_eq!(en, Vader::shared().polarity_scores("great"));
        let zh = polarity("很好", SentimentLang::Auto);
        assert_eq!(zh, ZhSentiment::shared().polarity_scores("很好"));
        let b = polarity_batch(&["great", "很好"], SentimentLang::Auto).unwrap();
        assert_eq!(b, vec![en, zh]);
    }

    #[test]
    fn theme_sentiment_english_contrast() -> Result<()> {
        let m = ThemeMatcher::new(crate::text::Taxonomy::default_retail())?;
        let s = theme_sentiment(
            &m,
            "Delivery was fast and great, but the refund is terribly slow",
            SentimentLang::En,
        );
        let of = |id: &str| {
            s.iter()
                .find(|x| m.theme_id(x.theme as usize) == id)
                .map(|x| x.compound)
        };
        assert!(of("delivery").unwrap_or(-1.0) > 0.0);
        assert!(of("refund").unwrap_or(1.0) < 0.0);
        Ok(())
    }
}
