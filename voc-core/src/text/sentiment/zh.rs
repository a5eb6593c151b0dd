//! Chinese sentiment from voc's own seed lexicon (`data/zh_lexicon.tsv`): sentiment words with VADER-scale
//! valences, negators (an odd number flips and damps the next sentiment word, ×−0.74 as VADER),
//! intensifiers (multipliers), contrast words (before ×0.5, after ×1.5, as VADER's "but"), and neutral
//! phrases that block shorter words inside them ("好几", "不好意思"). Words are found by one
//! leftmost-longest automaton; modifiers reach the next sentiment word of the same clause.

use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, MatchKind};

use super::en::{Polarity, score_valence};
use crate::text::normalize::Normalizer;

const LEXICON: &str = include_str!("data/zh_lexicon.tsv");
const N_SCALAR: f64 = -0.74;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Word(f64),
    Negator,
    Intensifier(f64),
    Contrast,
    Neutral,
}

/// The Chinese lexicon scorer.
///
/// ```
/// let zh = voc_core::text::ZhSentiment::shared();
/// assert!(zh.polarity_scores("质量很好，物流也快").compound > 0.5);
/// assert!(zh.polarity_scores("客服不理人，太失望了").compound < -0.5);
/// assert!(zh.polarity_scores("东西不好").compound < 0.0);
/// ```
#[derive(Debug, Clone)]
pub struct ZhSentiment {
    ac: Option<AhoCorasick>,
    kinds: Vec<Kind>,
    words: Vec<String>,
    normalizer: Normalizer,
}

/// Clause boundaries (after width folding).
pub(crate) fn is_clause_break(c: char) -> bool {
    matches!(
        c,
        ',' | '.'
            | ';'
            | '!'
            | '?'
            | ':'
            | '\n'
            | '\r'
            | '\t'
            | '，'
            | '。'
            | '；'
            | '！'
            | '？'
            | '：'
            | '、'
            | '…'
            | '~'
            | '～'
            | '('
            | ')'
            | '（'
            | '）'
            | '【'
            | '】'
    )
}

impl Default for ZhSentiment {
    fn default() -> Self {
        ZhSentiment::new()
    }
}

impl ZhSentiment {
    /// Builds the scorer from the bundled lexicon.
    pub fn new() -> Self {
        let mut words = Vec::new();
        let mut kinds = Vec::new();
        for line in LEXICON.lines() {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let mut f = line.split('\t');
            let (Some(k), Some(w), Some(v)) = (f.next(), f.next(), f.next()) else {
                continue;
            };
            let v: f64 = v.trim().parse().unwrap_or(0.0);
            let kind = match k {
                "s" => Kind::Word(v),
                "n" => Kind::Negator,
                "i" => Kind::Intensifier(v),
                "c" => Kind::Contrast,
                _ => Kind::Neutral,
            };
            words.push(w.to_owned());
            kinds.push(kind);
        }
        // A few hundred short patterns always build; if not, the scorer finds nothing rather than panic.
        let ac = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(&words)
            .ok();
        ZhSentiment {
            ac,
            kinds,
            words,
            normalizer: Normalizer::default(),
        }
    }

    /// One scorer shared by the process.
    pub fn shared() -> &'static ZhSentiment {
        static Z: OnceLock<ZhSentiment> = OnceLock::new();
        Z.get_or_init(ZhSentiment::new)
    }

    /// Number of entries in the lexicon (all kinds).
    pub fn len(&self) -> usize {
        self.words.len()
    }

    /// Whether the lexicon is empty.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// Valences of the sentiment words of `text` (after modifiers and contrast), in text order, with the
    /// number of clauses that carry no sentiment word.
    fn valences(&self, norm: &str) -> (Vec<f64>, usize) {
        let mut out: Vec<(usize, f64)> = Vec::new();
        let mut neg = 0u32;
        let mut intensity = 1.0;
        let mut contrast: Option<usize> = None;
        let mut last_end = 0usize;
        let mut clauses_with_words = 0usize;
        let mut clause_has_word = false;
        let total_clauses = 1 + norm.chars().filter(|&c| is_clause_break(c)).count();
        let Some(ac) = &self.ac else {
            return (Vec::new(), total_clauses);
        };
        for m in ac.find_iter(norm) {
            if norm
                .get(last_end..m.start())
                .is_some_and(|gap| gap.chars().any(is_clause_break))
            {
                neg = 0;
                intensity = 1.0;
                if clause_has_word {
                    clauses_with_words += 1;
                }
                clause_has_word = false;
            }
            last_end = m.end();
            match self.kinds.get(m.pattern().as_usize()) {
                Some(Kind::Word(v)) => {
                    let mut v = v * intensity;
                    if neg % 2 == 1 {
                        v *= N_SCALAR;
                    }
                    out.push((m.start(), v));
                    neg = 0;
                    intensity = 1.0;
                    clause_has_word = true;
                }
                Some(Kind::Negator) => neg += 1,
                Some(Kind::Intensifier(x)) => intensity *= x,
                Some(Kind::Contrast) => {
                    contrast.get_or_insert(m.start());
                    neg = 0;
                    intensity = 1.0;
                }
                Some(Kind::Neutral) | None => {}
            }
        }
        if clause_has_word {
            clauses_with_words += 1;
        }
        let vals = out
            .into_iter()
            .map(|(pos, v)| match contrast {
                Some(c) if pos < c => v * 0.5,
                Some(_) => v * 1.5,
                None => v,
            })
            .collect();
        (vals, total_clauses.saturating_sub(clauses_with_words))
    }

    /// Polarity of a Chinese text: `compound` as VADER's normalised sum (with its "!" emphasis); `pos`,
    /// `neg` and `neu` from the word valences and the clauses without sentiment words.
    pub fn polarity_scores(&self, text: &str) -> Polarity {
        let norm = self.normalizer.normalize(text);
        let (mut vals, neutral_clauses) = self.valences(&norm);
        if vals.is_empty() {
            return Polarity {
                neg: 0.0,
                neu: if norm.trim().is_empty() { 0.0 } else { 1.0 },
                pos: 0.0,
                compound: 0.0,
            };
        }
        // Neutral clauses count like VADER's neutral tokens.
        vals.extend(std::iter::repeat_n(0.0, neutral_clauses));
        score_valence(&vals, &norm)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(t: &str) -> f64 {
        ZhSentiment::shared().polarity_scores(t).compound
    }

    #[test]
    fn negation_intensity_and_contrast() {
        assert!(c("好") > 0.0);
        assert!(c("不满意") < 0.0);
        // negator flips and damps
        assert!(c("不喜欢") < 0.0 && c("不喜欢").abs() < c("喜欢"));
        assert!(c("没有问题") > 0.0);
        // double negation flips back
        assert!(c("不是不喜欢") > 0.0);
        // intensifiers raise, dampeners lower
        assert!(c("非常满意") > c("满意"));
        assert!(c("有点慢") > c("慢") && c("很慢") < c("慢"));
        // contrast: what follows dominates
        assert!(c("质量不错，但是退款太慢") < 0.0);
        assert!(c("退款有点慢，但是客服很热情") > 0.0);
        // neutral blockers
        assert_eq!(c("好几天"), 0.0);
        assert_eq!(c("不好意思"), 0.0);
        assert_eq!(c("快递到了，等了两个小时"), 0.0);
        assert!(c("快递很快") > 0.0);
        assert!(c("不会再买了") < 0.0);
        // modifiers do not cross clauses
        assert!(c("不，满意") > 0.0);
        // full-width exclamation marks add emphasis
        assert!(c("太差了！！") < c("太差了"));
    }

    #[test]
    fn odd_inputs() {
        let z = ZhSentiment::shared();
        assert_eq!(z.polarity_scores("").compound, 0.0);
        assert_eq!(z.polarity_scores("，，，").compound, 0.0);
        assert!(z.len() > 200);
    }
}
