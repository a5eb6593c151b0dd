//! One Aho–Corasick automaton over every keyword and exclusion of a taxonomy: theme matches with
//! character offsets, theme sets per text, keyword sets per text.

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};

use super::normalize::Normalizer;
use super::taxonomy::Taxonomy;
use crate::error::{Error, Result};

/// A theme found in a text.
///
/// Offsets count characters (Unicode scalar values, as Python `str` indexing) in the original text:
/// `text[start:end]` in Python is the matched phrase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ThemeMatch {
    /// Theme index in the taxonomy.
    pub theme: u32,
    /// Keyword index (see [`ThemeMatcher::keyword`]).
    pub keyword: u32,
    /// First character.
    pub start: usize,
    /// One past the last character.
    pub end: usize,
}

/// Sets of small integers per text (compressed rows): the items of text `i` are
/// `items[indptr[i]..indptr[i + 1]]`, sorted and distinct.
///
/// ```
/// use voc_core::text::Sets;
/// let s = Sets::from_rows(&[vec![2, 0], vec![], vec![1]])?;
/// assert_eq!(s.row(0), &[0, 2]);
/// assert_eq!(s.len(), 3);
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Sets {
    /// Row boundaries (`len() + 1` entries, starting at 0).
    pub indptr: Vec<usize>,
    /// Items, row after row.
    pub items: Vec<u32>,
}

impl Sets {
    /// Builds sets from rows (each sorted and de-duplicated here).
    pub fn from_rows(rows: &[Vec<u32>]) -> Result<Sets> {
        let mut s = Sets {
            indptr: vec![0],
            items: Vec::new(),
        };
        for r in rows {
            let mut r = r.clone();
            r.sort_unstable();
            r.dedup();
            s.items.extend_from_slice(&r);
            s.indptr.push(s.items.len());
        }
        Ok(s)
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.indptr.len().saturating_sub(1)
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Items of row `i` (empty when out of range).
    pub fn row(&self, i: usize) -> &[u32] {
        match (self.indptr.get(i), self.indptr.get(i + 1)) {
            (Some(&a), Some(&b)) if a <= b && b <= self.items.len() => &self.items[a..b],
            _ => &[],
        }
    }

    /// Checks the structure and that every item is below `bound`.
    pub fn validate(&self, arg: &'static str, bound: usize) -> Result<()> {
        let ok_ptr = self.indptr.first() == Some(&0)
            && self.indptr.windows(2).all(|w| w[0] <= w[1])
            && self.indptr.last() == Some(&self.items.len());
        if !ok_ptr {
            return Err(Error::option(
                arg,
                "indptr",
                "row boundaries must start at 0, not decrease and end at the number of items",
            ));
        }
        if let Some(index) = self.items.iter().position(|&x| x as usize >= bound) {
            return Err(Error::InvalidValue {
                arg,
                index,
                value: self.items[index] as f64,
                reason: "item code beyond the number of labels",
            });
        }
        Ok(())
    }

    fn push_row(&mut self, row: &mut Vec<u32>) {
        row.sort_unstable();
        row.dedup();
        self.items.extend_from_slice(row);
        self.indptr.push(self.items.len());
    }

    #[cfg(feature = "parallel")]
    fn append(&mut self, other: Sets) {
        let base = self.items.len();
        self.items.extend(other.items);
        self.indptr
            .extend(other.indptr.into_iter().skip(1).map(|p| p + base));
    }
}

/// One use of an automaton pattern by a theme.
#[derive(Debug, Clone)]
struct Use {
    theme: u32,
    /// Keyword index, or `u32::MAX` for an exclusion.
    keyword: u32,
    left: bool,
    right: bool,
    /// A `*` edge on a word character: the reported span grows to the whole word.
    grow_left: bool,
    grow_right: bool,
}

/// A keyword of the taxonomy.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Keyword {
    /// Theme index.
    pub theme: u32,
    /// The pattern as written (with any `*`).
    pub pattern: String,
}

/// Reusable buffers for matching one text at a time without allocating (for the binding's and the
/// benches' per-text loops; the batch methods manage their own).
#[doc(hidden)]
#[derive(Debug, Default)]
pub struct Scratch {
    norm: String,
    raw: Vec<(u32, u32, usize, usize)>,
    excl: Vec<(u32, usize, usize)>,
    row: Vec<u32>,
}

/// Texts at or above this count are matched in parallel (with the `parallel` feature).
#[cfg(feature = "parallel")]
pub(crate) const PARALLEL_MIN_TEXTS: usize = 4096;

/// Texts per parallel task: about four tasks a thread, at least 1,024 texts each.
#[cfg(feature = "parallel")]
fn parallel_chunk(n_texts: usize) -> usize {
    n_texts.div_ceil(rayon::current_num_threads() * 4).max(1024)
}

/// A compiled taxonomy: one automaton (Aho–Corasick, DFA) over every keyword and exclusion.
///
/// ```
/// use voc_core::text::{Taxonomy, ThemeMatcher};
/// let m = ThemeMatcher::new(Taxonomy::default_retail())?;
/// let found = m.find("退款太慢了, and the APP crashed");
/// let ids: Vec<&str> = found.iter().map(|x| m.theme_id(x.theme as usize)).collect();
/// assert!(ids.contains(&"refund.slow") && ids.contains(&"app.crash"));
/// let slow = found.iter().find(|x| m.theme_id(x.theme as usize) == "refund.slow").ok_or(voc_core::Error::Empty { arg: "found", what: "" })?;
/// assert_eq!((slow.start, slow.end), (0, 4));
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct ThemeMatcher {
    taxonomy: Taxonomy,
    normalizer: Normalizer,
    ac: AhoCorasick,
    uses: Vec<Vec<Use>>,
    keywords: Vec<Keyword>,
    /// Each theme followed by its ancestors.
    lineage: Vec<Vec<u32>>,
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

impl ThemeMatcher {
    /// Compiles a taxonomy with the default normaliser (lower case, full-width folding).
    pub fn new(taxonomy: Taxonomy) -> Result<Self> {
        Self::with_normalizer(taxonomy, Normalizer::default())
    }

    /// Compiles a taxonomy; patterns are normalised like the texts.
    pub fn with_normalizer(taxonomy: Taxonomy, normalizer: Normalizer) -> Result<Self> {
        if taxonomy.is_empty() {
            return Err(Error::Empty {
                arg: "taxonomy",
                what: "no themes to match",
            });
        }
        if taxonomy.len() >= u32::MAX as usize {
            return Err(Error::option("taxonomy", taxonomy.len(), "too many themes"));
        }
        let mut patterns: Vec<String> = Vec::new();
        let mut index: std::collections::HashMap<String, usize> = Default::default();
        let mut uses: Vec<Vec<Use>> = Vec::new();
        let mut keywords = Vec::new();
        for (ti, theme) in taxonomy.themes().iter().enumerate() {
            let entries = theme
                .keywords
                .iter()
                .map(|k| (k, true))
                .chain(theme.exclude.iter().map(|k| (k, false)));
            for (raw, is_kw) in entries {
                let wild_left = raw.starts_with('*');
                let wild_right = raw.ends_with('*');
                let body = normalizer.normalize(raw.trim_matches('*').trim());
                let Some(first) = body.bytes().next() else {
                    continue;
                };
                let last = body.bytes().last().unwrap_or(first);
                let u = Use {
                    theme: ti as u32,
                    keyword: if is_kw {
                        keywords.push(Keyword {
                            theme: ti as u32,
                            pattern: raw.clone(),
                        });
                        (keywords.len() - 1) as u32
                    } else {
                        u32::MAX
                    },
                    left: !wild_left && is_word_byte(first),
                    right: !wild_right && is_word_byte(last),
                    grow_left: wild_left && is_word_byte(first),
                    grow_right: wild_right && is_word_byte(last),
                };
                let pid = *index.entry(body.clone()).or_insert_with(|| {
                    patterns.push(body);
                    uses.push(Vec::new());
                    patterns.len() - 1
                });
                uses[pid].push(u);
            }
        }
        let ac = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .kind(Some(AhoCorasickKind::DFA))
            .build(&patterns)
            .or_else(|_| {
                AhoCorasick::builder()
                    .match_kind(MatchKind::Standard)
                    .build(&patterns)
            })
            .map_err(|e| Error::option("taxonomy", "patterns", e.to_string()))?;
        let lineage = (0..taxonomy.len())
            .map(|t| {
                let mut l = vec![t as u32];
                let mut cur = taxonomy.themes()[t].parent;
                while let Some(p) = cur {
                    l.push(p as u32);
                    cur = taxonomy.themes().get(p).and_then(|x| x.parent);
                }
                l
            })
            .collect();
        Ok(ThemeMatcher {
            taxonomy,
            normalizer,
            ac,
            uses,
            keywords,
            lineage,
        })
    }

    /// The taxonomy.
    pub fn taxonomy(&self) -> &Taxonomy {
        &self.taxonomy
    }

    /// The normaliser applied to texts and patterns.
    pub fn normalizer(&self) -> Normalizer {
        self.normalizer
    }

    /// Id of theme `i` ("" when out of range).
    pub fn theme_id(&self, i: usize) -> &str {
        self.taxonomy.themes().get(i).map_or("", |t| t.id.as_str())
    }

    /// Number of themes.
    pub fn n_themes(&self) -> usize {
        self.taxonomy.len()
    }

    /// All keywords (index = [`ThemeMatch::keyword`]).
    pub fn keywords(&self) -> &[Keyword] {
        &self.keywords
    }

    /// Keyword `i`, if it exists.
    pub fn keyword(&self, i: usize) -> Option<&Keyword> {
        self.keywords.get(i)
    }

    /// Theme `t` and its ancestors (empty when out of range).
    pub fn lineage(&self, t: usize) -> &[u32] {
        self.lineage.get(t).map_or(&[], Vec::as_slice)
    }

    /// Fills `scratch.raw` with (theme, keyword, byte start, byte end) of the accepted keyword matches in
    /// the normalised text `scratch.norm`, in order of start.
    fn scan(&self, text: &str, scratch: &mut Scratch) {
        self.normalizer.normalize_into(text, &mut scratch.norm);
        scratch.raw.clear();
        scratch.excl.clear();
        let hay = scratch.norm.as_bytes();
        for m in self.ac.find_overlapping_iter(scratch.norm.as_str()) {
            let (s, e) = (m.start(), m.end());
            let Some(uses) = self.uses.get(m.pattern().as_usize()) else {
                continue;
            };
            for u in uses {
                if u.left && s > 0 && hay.get(s - 1).is_some_and(|&b| is_word_byte(b)) {
                    continue;
                }
                if u.right && hay.get(e).is_some_and(|&b| is_word_byte(b)) {
                    continue;
                }
                let (mut s, mut e) = (s, e);
                if u.grow_left {
                    while s > 0 && hay.get(s - 1).is_some_and(|&b| is_word_byte(b)) {
                        s -= 1;
                    }
                }
                if u.grow_right {
                    while hay.get(e).is_some_and(|&b| is_word_byte(b)) {
                        e += 1;
                    }
                }
                if u.keyword == u32::MAX {
                    scratch.excl.push((u.theme, s, e));
                } else {
                    scratch.raw.push((u.theme, u.keyword, s, e));
                }
            }
        }
        if !scratch.excl.is_empty() {
            let excl = &scratch.excl;
            scratch.raw.retain(|&(t, _, s, e)| {
                !excl.iter().any(|&(xt, xs, xe)| xt == t && xs < e && s < xe)
            });
        }
        scratch
            .raw
            .sort_unstable_by_key(|&(t, k, s, e)| (s, e, t, k));
    }

    /// Theme matches in `text` with character offsets, in order of start (then end, theme).
    pub fn find(&self, text: &str) -> Vec<ThemeMatch> {
        let mut scratch = Scratch::default();
        let mut out = Vec::new();
        self.find_with(text, &mut scratch, &mut out);
        out
    }

    /// [`find`](Self::find) into `out` (cleared first), reusing `scratch`.
    #[doc(hidden)]
    pub fn find_with(&self, text: &str, scratch: &mut Scratch, out: &mut Vec<ThemeMatch>) {
        out.clear();
        self.scan(text, scratch);
        let hay = scratch.norm.as_bytes();
        let (mut cb, mut cc) = (0usize, 0usize);
        for &(theme, keyword, s, e) in &scratch.raw {
            // Starts are non-decreasing: count characters forward from the previous start.
            cc += count_chars(&hay[cb.min(s)..s]);
            cb = s;
            let len = count_chars(&hay[s..e]);
            out.push(ThemeMatch {
                theme,
                keyword,
                start: cc,
                end: cc + len,
            });
        }
    }

    /// Distinct themes of `text` (sorted); with `rollup`, every matched theme's ancestors too.
    #[doc(hidden)]
    pub fn themes_with(&self, text: &str, rollup: bool, scratch: &mut Scratch, out: &mut Vec<u32>) {
        out.clear();
        self.scan(text, scratch);
        for &(t, ..) in &scratch.raw {
            if rollup {
                out.extend_from_slice(self.lineage(t as usize));
            } else {
                out.push(t);
            }
        }
        out.sort_unstable();
        out.dedup();
    }

    /// Distinct keywords of `text` (sorted).
    #[doc(hidden)]
    pub fn keywords_with(&self, text: &str, scratch: &mut Scratch, out: &mut Vec<u32>) {
        out.clear();
        self.scan(text, scratch);
        out.extend(scratch.raw.iter().map(|&(_, k, ..)| k));
        out.sort_unstable();
        out.dedup();
    }

    fn batch<S: AsRef<str> + Sync>(
        &self,
        texts: &[S],
        f: impl Fn(&Self, &str, &mut Scratch, &mut Vec<u32>) + Sync,
    ) -> Result<Sets> {
        let run = |chunk: &[S]| -> Result<Sets> {
            let mut scratch = Scratch::default();
            let mut row = std::mem::take(&mut scratch.row);
            let mut sets = Sets {
                indptr: Vec::with_capacity(chunk.len() + 1),
                items: Vec::new(),
            };
            sets.indptr.push(0);
            let mut ticker = crate::interrupt::Ticker::new();
            for t in chunk {
                ticker.tick()?;
                f(self, t.as_ref(), &mut scratch, &mut row);
                sets.push_row(&mut row);
            }
            Ok(sets)
        };
        #[cfg(feature = "parallel")]
        if texts.len() >= PARALLEL_MIN_TEXTS {
            use rayon::prelude::*;
            let chunk = parallel_chunk(texts.len());
            let parts: Vec<Sets> =
                crate::interrupt::watch(|| texts.par_chunks(chunk).map(run).collect())?;
            let mut all = Sets {
                indptr: vec![0],
                items: Vec::new(),
            };
            for p in parts {
                all.append(p);
            }
            return Ok(all);
        }
        run(texts)
    }

    /// Theme sets of many texts (in parallel above 4,096 texts with the `parallel` feature).
    /// [`Error::Interrupted`](crate::Error::Interrupted) if an interrupt stops it (see
    /// [`crate::interrupt`]); nothing else fails.
    ///
    /// ```
    /// use voc_core::text::{Taxonomy, ThemeMatcher};
    /// let m = ThemeMatcher::new(Taxonomy::default_retail())?;
    /// let sets = m.themes_batch(&["客服不理人", "great price"], true)?;
    /// let svc = m.taxonomy().index("service").unwrap_or(0) as u32;
    /// assert!(sets.row(0).contains(&svc));
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn themes_batch<S: AsRef<str> + Sync>(&self, texts: &[S], rollup: bool) -> Result<Sets> {
        self.batch(texts, |m, t, s, r| m.themes_with(t, rollup, s, r))
    }

    /// Keyword sets of many texts ([`Error::Interrupted`](crate::Error::Interrupted) if interrupted).
    pub fn keywords_batch<S: AsRef<str> + Sync>(&self, texts: &[S]) -> Result<Sets> {
        self.batch(texts, |m, t, s, r| m.keywords_with(t, s, r))
    }

    /// All matches of many texts: (text index, match) in text order
    /// ([`Error::Interrupted`](crate::Error::Interrupted) if interrupted).
    pub fn find_batch<S: AsRef<str> + Sync>(
        &self,
        texts: &[S],
    ) -> Result<Vec<(usize, ThemeMatch)>> {
        let run = |base: usize, chunk: &[S]| -> Result<Vec<(usize, ThemeMatch)>> {
            let mut scratch = Scratch::default();
            let mut found = Vec::new();
            let mut out = Vec::new();
            let mut ticker = crate::interrupt::Ticker::new();
            for (i, t) in chunk.iter().enumerate() {
                ticker.tick()?;
                self.find_with(t.as_ref(), &mut scratch, &mut found);
                out.extend(found.iter().map(|&m| (base + i, m)));
            }
            Ok(out)
        };
        #[cfg(feature = "parallel")]
        if texts.len() >= PARALLEL_MIN_TEXTS {
            use rayon::prelude::*;
            let chunk = parallel_chunk(texts.len());
            let parts: Vec<Vec<(usize, ThemeMatch)>> = crate::interrupt::watch(|| {
                texts
                    .par_chunks(chunk)
                    .enumerate()
                    .map(|(ci, c)| run(ci * chunk, c))
                    .collect()
            })?;
            return Ok(parts.into_iter().flatten().collect());
        }
        run(0, texts)
    }
}

#[inline]
fn count_chars(b: &[u8]) -> usize {
    b.iter().filter(|&&x| (x & 0xC0) != 0x80).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matcher() -> ThemeMatcher {
        let mut t = Taxonomy::new();
        let ok = t
            .add("refund", "Refund", &["退款", "refund*"], &["无需退款"])
            .is_ok()
            && t.add("refund.slow", "Slow", &["退款慢", "slow refund"], &[])
                .is_ok()
            && t.add("app", "App", &["app", "找不到入口"], &[]).is_ok()
            && t.add("price", "Price", &["价格", "price"], &["price match*"])
                .is_ok();
        assert!(ok);
        match ThemeMatcher::new(t) {
            Ok(m) => m,
            Err(e) => panic!("{e}"),
        }
    }

    fn spans(m: &ThemeMatcher, text: &str) -> Vec<(String, String)> {
        let chars: Vec<char> = text.chars().collect();
        m.find(text)
            .iter()
            .map(|x| {
                (
                    m.theme_id(x.theme as usize).to_owned(),
                    chars[x.start..x.end].iter().collect(),
                )
            })
            .collect()
    }

    #[test]
    fn mixed_text_offsets_are_characters_of_the_original() {
        let m = matcher();
        let text = "ＡＰＰ里找不到入口😡, REFUNDS 退款慢 again";
        let got = spans(&m, text);
        assert_eq!(
            got,
            vec![
                ("app".into(), "ＡＰＰ".into()),
                ("app".into(), "找不到入口".into()),
                ("refund".into(), "REFUNDS".into()),
                ("refund".into(), "退款".into()),
                ("refund.slow".into(), "退款慢".into()),
            ]
        );
        let f = m.find(text);
        assert_eq!((f[0].start, f[0].end), (0, 3));
        assert_eq!((f[1].start, f[1].end), (4, 9));
        assert_eq!((f[2].start, f[2].end), (12, 19));
    }

    #[test]
    fn word_boundaries_for_ascii_edges() {
        let m = matcher();
        assert!(m.find("so happy with it").is_empty());
        assert!(m.find("priceless").is_empty());
        assert_eq!(spans(&m, "the app_x").len(), 0);
        assert_eq!(spans(&m, "app!").len(), 1);
        // prefix wildcard
        assert_eq!(spans(&m, "refunded twice")[0].1, "refunded");
        // Chinese matches anywhere
        assert_eq!(spans(&m, "申请退款")[0].1, "退款");
    }

    #[test]
    fn exclusions_remove_overlapping_matches_of_their_theme() {
        let m = matcher();
        assert!(m.find("本单无需退款").is_empty());
        assert!(m.find("they offer price matching").is_empty());
        assert_eq!(spans(&m, "无需退款, 但是退款慢").len(), 2);
        assert_eq!(spans(&m, "price match aside, the price is high").len(), 1);
    }

    #[test]
    fn theme_sets_roll_up_to_parents() {
        let m = matcher();
        let mut s = Scratch::default();
        let mut out = Vec::new();
        m.themes_with("退款慢", true, &mut s, &mut out);
        assert_eq!(out, vec![0, 1]);
        m.themes_with("slow refund", false, &mut s, &mut out);
        assert_eq!(out, vec![0, 1]); // "refund*" matches inside "slow refund" too
        m.themes_with("退款慢", false, &mut s, &mut out);
        assert_eq!(out, vec![0, 1]);
        m.themes_with("the slow refund", false, &mut s, &mut out);
        assert_eq!(out, vec![0, 1]);
        m.themes_with("price, not refund", false, &mut s, &mut out);
        assert_eq!(out, vec![0, 3]);
        let texts: Vec<String> = (0..10_000)
            .map(|i| {
                if i % 3 == 0 {
                    "退款慢".into()
                } else {
                    "价格".into()
                }
            })
            .collect();
        let sets = m.themes_batch(&texts, true).unwrap();
        assert_eq!(sets.len(), 10_000);
        assert_eq!(sets.row(3), &[0, 1]);
        assert_eq!(sets.row(4), &[3]);
        let kw = m.keywords_batch(&texts).unwrap();
        assert_eq!(kw.row(0).len(), 2);
        let all = m.find_batch(&texts).unwrap();
        assert_eq!(all.iter().filter(|(i, _)| *i == 9_999).count(), 2);
        assert!(sets.validate("sets", 4).is_ok());
        assert!(sets.validate("sets", 2).is_err());
    }

    proptest::proptest! {
        #[test]
        fn offsets_point_at_the_keyword(parts in proptest::collection::vec(proptest::sample::select(vec![
            "退款", "退款慢", "ＡＰＰ", "app", "happy", "Refunds", "价格", "price match", "😡", "，", " ", "x",
            "无需退款", "找不到入口", "İ", "ß",
        ]), 0..12)) {
            let m = matcher();
            let text: String = parts.concat();
            let chars: Vec<char> = text.chars().collect();
            let n = Normalizer::default();
            let sets = m.themes_batch(&[text.as_str()], false).unwrap();
            let found = m.find(&text);
            for f in &found {
                proptest::prop_assert!(f.start < f.end && f.end <= chars.len());
                let piece: String = chars[f.start..f.end].iter().collect();
                let kw = m.keyword(f.keyword as usize).map(|k| k.pattern.trim_matches('*').to_string()).unwrap_or_default();
                proptest::prop_assert!(n.normalize(&piece).starts_with(&n.normalize(&kw)), "{piece} / {kw}");
                proptest::prop_assert!(sets.row(0).contains(&f.theme));
            }
            proptest::prop_assert_eq!(sets.row(0).len(), {
                let mut t: Vec<u32> = found.iter().map(|f| f.theme).collect();
                t.sort_unstable();
                t.dedup();
                t.len()
            });
        }
    }

    #[test]
    fn empty_and_odd_inputs() {
        let m = matcher();
        assert!(m.find("").is_empty());
        assert!(m.find("\u{0}\u{FFFF}").is_empty());
        assert!(ThemeMatcher::new(Taxonomy::new()).is_err());
    }
}
