//! English sentiment: the VADER rules (Hutto & Gilbert 2014) as in vaderSentiment 3.3.2, with its
//! lexicon (MIT; see `data/VADER_LICENSE.txt`).
//!
//! Scores match `SentimentIntensityAnalyzer().polarity_scores` before its rounding (compound to 4
//! decimals, the proportions to 3), including its quirks (the "but" rule rescales the first equal
//! value it finds).

use std::collections::HashMap;
use std::sync::OnceLock;

const LEXICON: &str = include_str!("data/vader_lexicon.tsv");
const EMOJI: &str = include_str!("data/vader_emoji.tsv");

const B_INCR: f64 = 0.293;
const B_DECR: f64 = -0.293;
const C_INCR: f64 = 0.733;
const N_SCALAR: f64 = -0.74;

const NEGATE: &[&str] = &[
    "aint",
    "arent",
    "cannot",
    "cant",
    "couldnt",
    "darent",
    "didnt",
    "doesnt",
    "ain't",
    "aren't",
    "can't",
    "couldn't",
    "daren't",
    "didn't",
    "doesn't",
    "dont",
    "hadnt",
    "hasnt",
    "havent",
    "isnt",
    "mightnt",
    "mustnt",
    "neither",
    "don't",
    "hadn't",
    "hasn't",
    "haven't",
    "isn't",
    "mightn't",
    "mustn't",
    "neednt",
    "needn't",
    "never",
    "none",
    "nope",
    "nor",
    "not",
    "nothing",
    "nowhere",
    "oughtnt",
    "shant",
    "shouldnt",
    "uhuh",
    "wasnt",
    "werent",
    "oughtn't",
    "shan't",
    "shouldn't",
    "uh-uh",
    "wasn't",
    "weren't",
    "without",
    "wont",
    "wouldnt",
    "won't",
    "wouldn't",
    "rarely",
    "seldom",
    "despite",
];

const BOOST_UP: &[&str] = &[
    "absolutely",
    "amazingly",
    "awfully",
    "completely",
    "considerable",
    "considerably",
    "decidedly",
    "deeply",
    "effing",
    "enormous",
    "enormously",
    "entirely",
    "especially",
    "exceptional",
    "exceptionally",
    "extreme",
    "extremely",
    "fabulously",
    "flipping",
    "flippin",
    "frackin",
    "fracking",
    "fricking",
    "frickin",
    "frigging",
    "friggin",
    "fully",
    "fuckin",
    "fucking",
    "fuggin",
    "fugging",
    "greatly",
    "hella",
    "highly",
    "hugely",
    "incredible",
    "incredibly",
    "intensely",
    "major",
    "majorly",
    "more",
    "most",
    "particularly",
    "purely",
    "quite",
    "really",
    "remarkably",
    "so",
    "substantially",
    "thoroughly",
    "total",
    "totally",
    "tremendous",
    "tremendously",
    "uber",
    "unbelievably",
    "unusually",
    "utter",
    "utterly",
    "very",
];

const BOOST_DOWN: &[&str] = &[
    "almost",
    "barely",
    "hardly",
    "just enough",
    "kind of",
    "kinda",
    "kindof",
    "kind-of",
    "less",
    "little",
    "marginal",
    "marginally",
    "occasional",
    "occasionally",
    "partly",
    "scarce",
    "scarcely",
    "slight",
    "slightly",
    "somewhat",
    "sort of",
    "sorta",
    "sortof",
    "sort-of",
];

const SPECIAL_CASES: &[(&str, f64)] = &[
    ("the shit", 3.0),
    ("the bomb", 3.0),
    ("bad ass", 1.5),
    ("badass", 1.5),
    ("bus stop", 0.0),
    ("yeah right", -2.0),
    ("kiss of death", -1.5),
    ("to die for", 3.0),
    ("beating heart", 3.5),
];

/// VADER scores of a text.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Polarity {
    /// Share of negative valence.
    pub neg: f64,
    /// Share of neutral tokens.
    pub neu: f64,
    /// Share of positive valence.
    pub pos: f64,
    /// Normalised sum of valences, in −1..=1.
    pub compound: f64,
}

/// The VADER analyser (lexicon, emoji descriptions, booster words).
///
/// ```
/// let v = voc_core::text::Vader::shared();
/// // vaderSentiment 3.3.2: {'neg': 0.0, 'neu': 0.254, 'pos': 0.746, 'compound': 0.8316}
/// let p = v.polarity_scores("VADER is smart, handsome, and funny.");
/// assert!((p.compound - 0.8316).abs() < 5e-5);
/// assert!((p.pos - 0.746).abs() < 5e-4);
/// ```
#[derive(Debug, Clone)]
pub struct Vader {
    lexicon: HashMap<String, f64>,
    emojis: HashMap<char, String>,
    boosters: HashMap<&'static str, f64>,
}

fn py_is_upper(s: &str) -> bool {
    let mut cased = false;
    for c in s.chars() {
        if c.is_lowercase() {
            return false;
        }
        if c.is_uppercase() {
            cased = true;
        }
    }
    cased
}

/// Python `str.isspace` for a character (Unicode White_Space plus the ASCII separators 0x1C–0x1F).
fn py_is_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

fn strip_punc_if_word(token: &str) -> &str {
    let stripped = token.trim_matches(|c: char| c.is_ascii_punctuation());
    if stripped.chars().count() <= 2 {
        token
    } else {
        stripped
    }
}

fn negated(word: &str) -> bool {
    NEGATE.contains(&word) || word.contains("n't")
}

fn normalize(score: f64) -> f64 {
    let n = score / (score * score + 15.0).sqrt();
    n.clamp(-1.0, 1.0)
}

impl Default for Vader {
    fn default() -> Self {
        Vader::new()
    }
}

impl Vader {
    /// Builds the analyser from the bundled lexicons.
    pub fn new() -> Self {
        let mut lexicon = HashMap::with_capacity(7600);
        for line in LEXICON.lines() {
            let mut f = line.trim().split('\t');
            if let (Some(w), Some(m)) = (f.next(), f.next())
                && let Ok(v) = m.parse::<f64>()
            {
                lexicon.insert(w.to_owned(), v);
            }
        }
        let mut emojis = HashMap::with_capacity(1300);
        for line in EMOJI.lines() {
            if let Some((e, d)) = line.split_once('\t') {
                let mut cs = e.chars();
                if let (Some(c), None) = (cs.next(), cs.next()) {
                    emojis.insert(c, d.to_owned());
                }
            }
        }
        let boosters = BOOST_UP
            .iter()
            .map(|&w| (w, B_INCR))
            .chain(BOOST_DOWN.iter().map(|&w| (w, B_DECR)))
            .collect();
        Vader {
            lexicon,
            emojis,
            boosters,
        }
    }

    /// One analyser shared by the process (built on first use).
    pub fn shared() -> &'static Vader {
        static V: OnceLock<Vader> = OnceLock::new();
        V.get_or_init(Vader::new)
    }

    /// Valence of a lexicon word (lower case), if it is in the lexicon.
    ///
    /// ```
    /// assert_eq!(voc_core::text::Vader::shared().valence("good"), Some(1.9));
    /// ```
    pub fn valence(&self, word: &str) -> Option<f64> {
        self.lexicon.get(word).copied()
    }

    fn in_lex(&self, w: &str) -> bool {
        self.lexicon.contains_key(w)
    }

    /// Emoji replaced by their descriptions, then trimmed (as vaderSentiment does first).
    fn demojize(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut prev_space = true;
        for c in text.chars() {
            if let Some(d) = self.emojis.get(&c) {
                if !prev_space {
                    out.push(' ');
                }
                out.push_str(d);
                prev_space = false;
            } else {
                out.push(c);
                prev_space = c == ' ';
            }
        }
        out.trim_matches(py_is_space).to_owned()
    }

    fn scalar_inc_dec(&self, word: &str, lower: &str, valence: f64, cap_diff: bool) -> f64 {
        let Some(&b) = self.boosters.get(lower) else {
            return 0.0;
        };
        let mut scalar = if valence < 0.0 { -b } else { b };
        if py_is_upper(word) && cap_diff {
            if valence > 0.0 {
                scalar += C_INCR;
            } else {
                scalar -= C_INCR;
            }
        }
        scalar
    }

    /// Token valences (one per whitespace token) before the "but" rule, and the tokens in lower case.
    fn valences(&self, tokens: &[&str], lower: &[String]) -> Vec<f64> {
        let n = tokens.len();
        let upper = tokens.iter().filter(|t| py_is_upper(t)).count();
        let cap_diff = n > upper && upper > 0;
        let mut out = Vec::with_capacity(n);
        for i in 0..n {
            let li = lower[i].as_str();
            if self.boosters.contains_key(li) || (i + 1 < n && li == "kind" && lower[i + 1] == "of")
            {
                out.push(0.0);
                continue;
            }
            out.push(self.valence_at(tokens, lower, i, cap_diff));
        }
        out
    }

    fn valence_at(&self, tokens: &[&str], lower: &[String], i: usize, cap_diff: bool) -> f64 {
        let n = tokens.len();
        let item = lower[i].as_str();
        let Some(lex) = self.valence(item) else {
            return 0.0;
        };
        let mut valence = lex;
        if item == "no" && i + 1 != n && self.in_lex(&lower[i + 1]) {
            valence = 0.0;
        }
        if (i > 0 && lower[i - 1] == "no")
            || (i > 1 && lower[i - 2] == "no")
            || (i > 2 && lower[i - 3] == "no" && (lower[i - 1] == "or" || lower[i - 1] == "nor"))
        {
            valence = lex * N_SCALAR;
        }
        if py_is_upper(tokens[i]) && cap_diff {
            if valence > 0.0 {
                valence += C_INCR;
            } else {
                valence -= C_INCR;
            }
        }
        for start_i in 0..3 {
            if i > start_i && !self.in_lex(&lower[i - (start_i + 1)]) {
                let j = i - (start_i + 1);
                let mut s = self.scalar_inc_dec(tokens[j], &lower[j], valence, cap_diff);
                if start_i == 1 && s != 0.0 {
                    s *= 0.95;
                }
                if start_i == 2 && s != 0.0 {
                    s *= 0.9;
                }
                valence += s;
                valence = negation_check(valence, lower, start_i, i);
                if start_i == 2 {
                    valence = self.special_idioms_check(valence, lower, i);
                }
            }
        }
        // "least" as a negation (not "at least", "very least")
        if i > 1 && !self.in_lex(&lower[i - 1]) && lower[i - 1] == "least" {
            if lower[i - 2] != "at" && lower[i - 2] != "very" {
                valence *= N_SCALAR;
            }
        } else if i > 0 && !self.in_lex(&lower[i - 1]) && lower[i - 1] == "least" {
            valence *= N_SCALAR;
        }
        valence
    }

    fn special_idioms_check(&self, valence: f64, w: &[String], i: usize) -> f64 {
        let mut valence = valence;
        let onezero = format!("{} {}", w[i - 1], w[i]);
        let twoonezero = format!("{} {} {}", w[i - 2], w[i - 1], w[i]);
        let twoone = format!("{} {}", w[i - 2], w[i - 1]);
        let threetwoone = format!("{} {} {}", w[i - 3], w[i - 2], w[i - 1]);
        let threetwo = format!("{} {}", w[i - 3], w[i - 2]);
        let special = |s: &str| SPECIAL_CASES.iter().find(|(k, _)| *k == s).map(|&(_, v)| v);
        for seq in [&onezero, &twoonezero, &twoone, &threetwoone, &threetwo] {
            if let Some(v) = special(seq) {
                valence = v;
                break;
            }
        }
        if w.len() - 1 > i
            && let Some(v) = special(&format!("{} {}", w[i], w[i + 1]))
        {
            valence = v;
        }
        if w.len() - 1 > i + 1
            && let Some(v) = special(&format!("{} {} {}", w[i], w[i + 1], w[i + 2]))
        {
            valence = v;
        }
        for ngram in [&threetwoone, &threetwo, &twoone] {
            if let Some(b) = self.boosters.get(ngram.as_str()) {
                valence += b;
            }
        }
        valence
    }

    /// Polarity scores of a text (vaderSentiment `polarity_scores`, unrounded).
    ///
    /// ```
    /// let v = voc_core::text::Vader::shared();
    /// assert!(v.polarity_scores("The refund was not good").compound < 0.0);
    /// assert_eq!(v.polarity_scores("").compound, 0.0);
    /// ```
    pub fn polarity_scores(&self, text: &str) -> Polarity {
        let text = self.demojize(text);
        let tokens: Vec<&str> = text
            .split(py_is_space)
            .filter(|t| !t.is_empty())
            .map(strip_punc_if_word)
            .collect();
        let lower: Vec<String> = tokens.iter().map(|t| t.to_lowercase()).collect();
        let mut s = self.valences(&tokens, &lower);
        but_check(&lower, &mut s);
        score_valence(&s, &text)
    }
}

fn negation_check(valence: f64, w: &[String], start_i: usize, i: usize) -> f64 {
    let mut valence = valence;
    match start_i {
        0 => {
            if negated(&w[i - 1]) {
                valence *= N_SCALAR;
            }
        }
        1 => {
            if w[i - 2] == "never" && (w[i - 1] == "so" || w[i - 1] == "this") {
                valence *= 1.25;
            } else if w[i - 2] == "without" && w[i - 1] == "doubt" {
            } else if negated(&w[i - 2]) {
                valence *= N_SCALAR;
            }
        }
        _ => {
            if (w[i - 3] == "never" && (w[i - 2] == "so" || w[i - 2] == "this"))
                || (w[i - 1] == "so" || w[i - 1] == "this")
            {
                valence *= 1.25;
            } else if w[i - 3] == "without" && (w[i - 2] == "doubt" || w[i - 1] == "doubt") {
            } else if negated(&w[i - 3]) {
                valence *= N_SCALAR;
            }
        }
    }
    valence
}

/// The "but" rule exactly as vaderSentiment applies it (values before the first "but" halved, after it
/// raised by half, each located by its first equal value in the list).
fn but_check(lower: &[String], s: &mut [f64]) {
    let Some(bi) = lower.iter().position(|w| w == "but") else {
        return;
    };
    for j in 0..s.len() {
        let v = s[j];
        let si = s.iter().position(|&x| x == v).unwrap_or(j);
        if si < bi {
            s[si] = v * 0.5;
        } else if si > bi {
            s[si] = v * 1.5;
        }
    }
}

fn punctuation_emphasis(text: &str) -> f64 {
    let ep = text.matches('!').count().min(4) as f64 * 0.292;
    let qm_count = text.matches('?').count();
    let qm = if qm_count > 1 {
        if qm_count <= 3 {
            qm_count as f64 * 0.18
        } else {
            0.96
        }
    } else {
        0.0
    };
    ep + qm
}

pub(crate) fn score_valence(s: &[f64], text: &str) -> Polarity {
    if s.is_empty() {
        return Polarity {
            neg: 0.0,
            neu: 0.0,
            pos: 0.0,
            compound: 0.0,
        };
    }
    let mut sum: f64 = 0.0;
    for &x in s {
        sum += x;
    }
    let amp = punctuation_emphasis(text);
    if sum > 0.0 {
        sum += amp;
    } else if sum < 0.0 {
        sum -= amp;
    }
    let compound = normalize(sum);
    let (mut pos, mut neg, mut neu) = (0.0_f64, 0.0_f64, 0.0_f64);
    for &x in s {
        if x > 0.0 {
            pos += x + 1.0;
        }
        if x < 0.0 {
            neg += x - 1.0;
        }
        if x == 0.0 {
            neu += 1.0;
        }
    }
    if pos > neg.abs() {
        pos += amp;
    } else if pos < neg.abs() {
        neg -= amp;
    }
    let total = pos + neg.abs() + neu;
    Polarity {
        neg: (neg / total).abs(),
        neu: (neu / total).abs(),
        pos: (pos / total).abs(),
        compound,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Reference values: vaderSentiment 3.3.2 `polarity_scores` (rounded by it to 4 / 3 decimals).
    const CASES: &[(&str, f64, f64, f64, f64)] = &[
        (
            "VADER is smart, handsome, and funny.",
            0.0,
            0.254,
            0.746,
            0.8316,
        ),
        (
            "VADER is smart, handsome, and funny!",
            0.0,
            0.248,
            0.752,
            0.8439,
        ),
        (
            "VADER is very smart, handsome, and funny.",
            0.0,
            0.299,
            0.701,
            0.8545,
        ),
        (
            "VADER is VERY SMART, handsome, and FUNNY.",
            0.0,
            0.246,
            0.754,
            0.9227,
        ),
        (
            "VADER is VERY SMART, handsome, and FUNNY!!!",
            0.0,
            0.233,
            0.767,
            0.9342,
        ),
        (
            "VADER is VERY SMART, uber handsome, and FRIGGIN FUNNY!!!",
            0.0,
            0.294,
            0.706,
            0.9469,
        ),
        (
            "VADER is not smart, handsome, nor funny.",
            0.646,
            0.354,
            0.0,
            -0.7424,
        ),
        ("The book was good.", 0.0, 0.508, 0.492, 0.4404),
        (
            "At least it isn't a horrible book.",
            0.0,
            0.678,
            0.322,
            0.431,
        ),
        ("The book was only kind of good.", 0.0, 0.697, 0.303, 0.3832),
        (
            "The plot was good, but the characters are uncompelling and the dialog is not great.",
            0.327,
            0.579,
            0.094,
            -0.7042,
        ),
        ("Today SUX!", 0.779, 0.221, 0.0, -0.5461),
        (
            "Today only kinda sux! But I'll get by, lol",
            0.127,
            0.556,
            0.317,
            0.5249,
        ),
        ("Make sure you :) or :D today!", 0.0, 0.294, 0.706, 0.8633),
        (
            "Catch utf-8 emoji such as 💘 and 💋 and 😁",
            0.0,
            0.583,
            0.417,
            0.875,
        ),
        ("Not bad at all", 0.0, 0.513, 0.487, 0.431),
    ];

    #[test]
    fn matches_vader_examples() {
        let v = Vader::shared();
        for &(text, neg, neu, pos, compound) in CASES {
            let p = v.polarity_scores(text);
            assert!(
                (p.compound - compound).abs() <= 5e-5 + 1e-12,
                "{text}: {p:?}"
            );
            assert!((p.neg - neg).abs() <= 5e-4 + 1e-12, "{text}: {p:?}");
            assert!((p.neu - neu).abs() <= 5e-4 + 1e-12, "{text}: {p:?}");
            assert!((p.pos - pos).abs() <= 5e-4 + 1e-12, "{text}: {p:?}");
        }
    }

    #[test]
    fn odd_inputs_do_not_panic() {
        let v = Vader::shared();
        for t in [
            "",
            " ",
            "!!!",
            "no",
            "but",
            "least",
            "kind of",
            "\u{1c}x",
            "😁",
            "no no no good",
        ] {
            let p = v.polarity_scores(t);
            assert!(
                p.compound.is_finite() && (-1.0..=1.0).contains(&p.compound),
                "{t}"
            );
        }
    }
}
