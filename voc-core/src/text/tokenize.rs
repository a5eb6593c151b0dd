//! Tokenisation for topic discovery: jieba (jieba-rs, dictionary + HMM) for Chinese, Unicode word runs
//! for other text; lower case, stop words and one-character Latin tokens removed. Without the `zh` feature,
//! Chinese runs are cut into overlapping character bigrams (the CJK fallback of search engines).

use std::collections::HashSet;
use std::sync::OnceLock;

#[cfg(feature = "zh")]
use jieba_rs::Jieba;

use super::normalize::Normalizer;
use super::sentiment::{SentimentLang, has_cjk};

const EN_STOP: &str = include_str!("data/stopwords_en.txt");
const ZH_STOP: &str = include_str!("data/stopwords_zh.txt");

#[cfg(feature = "zh")]
fn jieba() -> &'static Jieba {
    static J: OnceLock<Jieba> = OnceLock::new();
    J.get_or_init(Jieba::new)
}

fn stop_words() -> &'static HashSet<&'static str> {
    static S: OnceLock<HashSet<&'static str>> = OnceLock::new();
    S.get_or_init(|| {
        EN_STOP
            .lines()
            .chain(ZH_STOP.lines())
            .map(str::trim)
            .filter(|w| !w.is_empty() && !w.starts_with('#'))
            .collect()
    })
}

/// Whether `w` is one of voc's English or Chinese stop words.
///
/// ```
/// assert!(voc_core::text::is_stop_word("the") && voc_core::text::is_stop_word("的"));
/// assert!(!voc_core::text::is_stop_word("refund"));
/// ```
pub fn is_stop_word(w: &str) -> bool {
    stop_words().contains(w)
}

fn keep(tok: &str) -> bool {
    let mut chars = tok.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    if !tok.chars().any(char::is_alphanumeric) || tok.chars().all(|c| c.is_ascii_digit()) {
        return false;
    }
    // One Latin letter carries no topic; one Chinese character may ("货" is rare as a token anyway).
    if chars.next().is_none() && first.is_ascii() {
        return false;
    }
    !is_stop_word(tok)
}

/// Tokens of one text, appended to `out` (cleared first).
///
/// ```
/// use voc_core::text::{tokenize, SentimentLang};
/// let mut t = Vec::new();
/// tokenize("The REFUND is slow", SentimentLang::Auto, &mut t);
/// assert_eq!(t, vec!["refund", "slow"]);
/// tokenize("退款太慢了", SentimentLang::Auto, &mut t);
/// assert!(t.contains(&"退款".to_string()));
/// ```
pub fn tokenize(text: &str, lang: SentimentLang, out: &mut Vec<String>) {
    out.clear();
    let norm = Normalizer::default().normalize(text);
    let zh = match lang {
        SentimentLang::Auto => has_cjk(&norm),
        SentimentLang::Zh => true,
        SentimentLang::En => false,
    };
    if zh {
        chinese_words(&norm, out);
    } else {
        for w in norm.split(|c: char| !(c.is_alphanumeric() || c == '\'')) {
            let w = w.trim_matches('\'');
            let w = w.strip_suffix("'s").unwrap_or(w);
            if keep(w) {
                out.push(w.to_owned());
            }
        }
    }
}

/// Chinese words by jieba (dictionary + HMM).
#[cfg(feature = "zh")]
fn chinese_words(norm: &str, out: &mut Vec<String>) {
    for w in jieba().cut(norm, true) {
        let w = w.word.trim();
        if keep(w) {
            out.push(w.to_owned());
        }
    }
}

/// Without a segmenter: overlapping bigrams inside runs of Han characters, other runs as words.
#[cfg(not(feature = "zh"))]
fn chinese_words(norm: &str, out: &mut Vec<String>) {
    let (mut han, mut word) = (Vec::<char>::new(), String::new());
    let mut flush = |han: &mut Vec<char>, word: &mut String| {
        if han.len() == 1 {
            word.push(han[0]);
        }
        for pair in han.windows(2) {
            let w: String = pair.iter().collect();
            if keep(&w) {
                out.push(w);
            }
        }
        if keep(word) {
            out.push(std::mem::take(word));
        }
        han.clear();
        word.clear();
    };
    for c in norm.chars() {
        if super::sentiment::is_cjk(c) {
            if !word.is_empty() {
                flush(&mut Vec::new(), &mut word);
            }
            han.push(c);
        } else {
            if !han.is_empty() {
                flush(&mut han, &mut String::new());
            }
            if c.is_alphanumeric() {
                word.push(c);
            } else {
                flush(&mut han, &mut word);
            }
        }
    }
    flush(&mut han, &mut word);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_and_chinese() {
        let mut t = Vec::new();
        tokenize(
            "It's the customer's 2nd order: 2024!",
            SentimentLang::En,
            &mut t,
        );
        assert_eq!(t, vec!["customer", "2nd", "order"]);
        tokenize("客服不理人，退货找不到入口", SentimentLang::Zh, &mut t);
        assert!(
            t.contains(&"客服".to_string()) && t.contains(&"入口".to_string()),
            "{t:?}"
        );
        assert!(!t.iter().any(|w| w == "，"));
        tokenize("", SentimentLang::Auto, &mut t);
        assert!(t.is_empty());
    }
}
