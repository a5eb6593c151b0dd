//! Theme taxonomies: themes (optionally hierarchical, by dotted ids) defined by keyword patterns with
//! exclusions, and the default retail taxonomy.
//!
//! Keyword syntax: a phrase in any script. Where a phrase starts or ends with an ASCII letter or digit it
//! only matches at a word boundary there ("app" does not match "happy"); a trailing `*` lifts the right
//! boundary ("refund*" matches "refunds", "refunded") and a leading `*` the left one. Chinese phrases
//! match anywhere. An exclusion phrase of a theme removes that theme's keyword matches that overlap it
//! ("退款" in "无需退款" when "无需退款" is an exclusion).

use crate::error::{Error, Result};

/// One theme.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Theme {
    /// Identifier; dots make a hierarchy ("refund.slow" is a child of "refund").
    pub id: String,
    /// Human label.
    pub label: String,
    /// Index of the parent theme, if any.
    pub parent: Option<usize>,
    /// Keyword patterns (see the module docs for the syntax).
    pub keywords: Vec<String>,
    /// Exclusion patterns.
    pub exclude: Vec<String>,
}

/// An ordered set of themes; parents come before their children.
///
/// ```
/// use voc_core::text::Taxonomy;
/// let mut t = Taxonomy::new();
/// t.add("refund", "Refund", &["退款", "refund*"], &[])?;
/// t.add("refund.slow", "Slow refund", &["退款慢", "slow refund"], &[])?;
/// assert_eq!(t.themes()[1].parent, Some(0));
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Taxonomy {
    themes: Vec<Theme>,
}

/// The default retail taxonomy, in the format [`Taxonomy::parse`] reads.
pub const DEFAULT_RETAIL: &str = include_str!("data/retail_taxonomy.txt");

fn split_patterns(s: &str) -> Vec<String> {
    s.split([',', '，', '、'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect()
}

impl Taxonomy {
    /// An empty taxonomy.
    pub fn new() -> Self {
        Taxonomy::default()
    }

    /// The default retail taxonomy ([`DEFAULT_RETAIL`]): refund, returns, delivery, price, quality,
    /// size/fit, app (login, findability, crashes), service responsiveness, payment, stock, packaging,
    /// account/privacy, each with sub-themes in Chinese and English.
    ///
    /// ```
    /// let t = voc_core::text::Taxonomy::default_retail();
    /// assert!(t.index("refund.slow").is_some());
    /// ```
    pub fn default_retail() -> Self {
        // invariant: the bundled file is checked by a unit test.
        Taxonomy::parse(DEFAULT_RETAIL).unwrap_or_default()
    }

    /// Adds a theme; a dotted id needs its parent added first. Returns its index.
    ///
    /// ```
    /// let mut t = voc_core::text::Taxonomy::new();
    /// assert!(t.add("a.b", "orphan", &["x"], &[]).is_err());
    /// ```
    pub fn add(
        &mut self,
        id: &str,
        label: &str,
        keywords: &[&str],
        exclude: &[&str],
    ) -> Result<usize> {
        let keywords: Vec<String> = keywords.iter().map(|s| s.to_string()).collect();
        let exclude: Vec<String> = exclude.iter().map(|s| s.to_string()).collect();
        self.push(id.to_owned(), label.to_owned(), keywords, exclude)
    }

    fn push(
        &mut self,
        id: String,
        label: String,
        keywords: Vec<String>,
        exclude: Vec<String>,
    ) -> Result<usize> {
        if id.is_empty() || id.starts_with('.') || id.ends_with('.') || id.contains("..") {
            return Err(Error::option(
                "theme",
                format!("{id:?}"),
                "theme ids are non-empty, dot-separated names",
            ));
        }
        if self.index(&id).is_some() {
            return Err(Error::option("theme", &id, "defined twice"));
        }
        let parent = match id.rfind('.') {
            Some(dot) => {
                let pid = &id[..dot];
                Some(self.index(pid).ok_or_else(|| {
                    Error::option(
                        "theme",
                        &id,
                        format!("its parent {pid:?} must be defined before it"),
                    )
                })?)
            }
            None => None,
        };
        for k in keywords.iter().chain(&exclude) {
            if k.trim_matches('*').trim().is_empty() {
                return Err(Error::option(
                    "theme",
                    &id,
                    format!("pattern {k:?} is empty"),
                ));
            }
        }
        if keywords.is_empty() {
            return Err(Error::option("theme", &id, "needs at least one keyword"));
        }
        let label = if label.is_empty() { id.clone() } else { label };
        self.themes.push(Theme {
            id,
            label,
            parent,
            keywords,
            exclude,
        });
        Ok(self.themes.len() - 1)
    }

    /// Parses the taxonomy format: `[theme.id]` opens a theme, followed by `label = ...`,
    /// `keywords = a, b, c` and `exclude = ...` lines (commas, `，` or `、` separate patterns; keys may
    /// repeat to continue a list); `#` starts a comment line.
    ///
    /// ```
    /// let t = voc_core::text::Taxonomy::parse("[price]\nlabel = Price\nkeywords = 价格, 太贵, price*, expensive\n")?;
    /// assert_eq!(t.themes()[0].keywords.len(), 4);
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn parse(text: &str) -> Result<Self> {
        struct Pending {
            id: String,
            label: String,
            keywords: Vec<String>,
            exclude: Vec<String>,
        }
        let mut t = Taxonomy::new();
        let mut cur: Option<Pending> = None;
        for (n, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if let Some(rest) = line.strip_prefix('[') {
                let Some(id) = rest.strip_suffix(']') else {
                    return Err(Error::option(
                        "taxonomy",
                        format!("line {}: {line:?}", n + 1),
                        "a section header is [theme.id]",
                    ));
                };
                if let Some(p) = cur.take() {
                    t.push(p.id, p.label, p.keywords, p.exclude)?;
                }
                cur = Some(Pending {
                    id: id.trim().to_owned(),
                    label: String::new(),
                    keywords: Vec::new(),
                    exclude: Vec::new(),
                });
                continue;
            }
            let (Some(p), Some((key, value))) = (cur.as_mut(), line.split_once('=')) else {
                return Err(Error::option(
                    "taxonomy",
                    format!("line {}: {line:?}", n + 1),
                    "expected [theme.id] or key = value inside a theme",
                ));
            };
            match key.trim() {
                "label" => p.label = value.trim().to_owned(),
                "keywords" => p.keywords.extend(split_patterns(value)),
                "exclude" => p.exclude.extend(split_patterns(value)),
                other => {
                    return Err(Error::option(
                        "taxonomy",
                        format!("line {}: {other:?}", n + 1),
                        "keys are label, keywords and exclude",
                    ));
                }
            }
        }
        if let Some(p) = cur.take() {
            t.push(p.id, p.label, p.keywords, p.exclude)?;
        }
        if t.themes.is_empty() {
            return Err(Error::Empty {
                arg: "taxonomy",
                what: "no themes defined",
            });
        }
        Ok(t)
    }

    /// The themes, parents before children.
    pub fn themes(&self) -> &[Theme] {
        &self.themes
    }

    /// Number of themes.
    pub fn len(&self) -> usize {
        self.themes.len()
    }

    /// Whether there are no themes.
    pub fn is_empty(&self) -> bool {
        self.themes.is_empty()
    }

    /// Index of the theme with this id.
    ///
    /// ```
    /// let t = voc_core::text::Taxonomy::default_retail();
    /// assert_eq!(t.index("no-such-theme"), None);
    /// ```
    pub fn index(&self, id: &str) -> Option<usize> {
        self.themes.iter().position(|t| t.id == id)
    }

    /// Depth of a theme (0 for top-level themes).
    pub fn depth(&self, theme: usize) -> usize {
        let mut d = 0;
        let mut cur = self.themes.get(theme).and_then(|t| t.parent);
        while let Some(p) = cur {
            d += 1;
            cur = self.themes.get(p).and_then(|t| t.parent);
        }
        d
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_taxonomy_parses() -> Result<()> {
        let t = Taxonomy::parse(DEFAULT_RETAIL)?;
        for id in [
            "refund",
            "refund.slow",
            "returns",
            "delivery",
            "price",
            "quality",
            "size_fit",
            "app.findability",
            "app.login",
            "service.unresponsive",
        ] {
            assert!(t.index(id).is_some(), "{id}");
        }
        assert_eq!(t.depth(t.index("refund.slow").unwrap_or(0)), 1);
        assert_eq!(Taxonomy::default_retail(), t);
        Ok(())
    }

    #[test]
    fn parse_errors_name_the_line() {
        let e = Taxonomy::parse("[a]\nkeywords = x\nfoo = y\n").unwrap_err();
        assert!(e.to_string().contains("line 3"), "{e}");
        assert!(Taxonomy::parse("keywords = x").is_err());
        assert!(Taxonomy::parse("[a]\nlabel = no keywords\n").is_err());
        assert!(Taxonomy::parse("[a]\nkeywords = x\n[a]\nkeywords = y").is_err());
        assert!(Taxonomy::parse("# nothing\n").is_err());
        assert!(Taxonomy::parse("[a]\nkeywords = *\n").is_err());
    }
}
