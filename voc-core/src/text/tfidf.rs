//! Document-term matrices: vocabulary with document-frequency limits, TF-IDF weights as scikit-learn's
//! `TfidfVectorizer` defaults (raw counts, smooth idf = ln((1 + n) / (1 + df)) + 1, rows L2-normalised).

use std::collections::HashMap;

use super::sentiment::SentimentLang;
use super::tokenize::tokenize;
use crate::error::{Error, Result};

/// Vocabulary and weighting options.
///
/// ```
/// let o = voc_core::text::TfidfOptions::default();
/// assert_eq!((o.min_df, o.max_df), (2, 0.95));
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct TfidfOptions {
    /// Keep terms in at least this many documents.
    pub min_df: usize,
    /// Keep terms in at most this share of documents.
    pub max_df: f64,
    /// Keep at most this many terms (the most frequent over the corpus); 0 keeps all.
    pub max_features: usize,
    /// Tokeniser language.
    pub lang: SentimentLang,
}

impl Default for TfidfOptions {
    fn default() -> Self {
        TfidfOptions {
            min_df: 2,
            max_df: 0.95,
            max_features: 10_000,
            lang: SentimentLang::Auto,
        }
    }
}

/// A sparse TF-IDF matrix (compressed rows) with its vocabulary.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Tfidf {
    /// Terms, sorted (column order).
    pub vocabulary: Vec<String>,
    /// Inverse document frequency per term.
    pub idf: Vec<f64>,
    /// Row boundaries (documents + 1).
    pub indptr: Vec<usize>,
    /// Column (term) of each stored value.
    pub indices: Vec<u32>,
    /// Stored values.
    pub data: Vec<f64>,
}

impl Tfidf {
    /// Number of documents.
    pub fn n_docs(&self) -> usize {
        self.indptr.len().saturating_sub(1)
    }

    /// Number of terms.
    pub fn n_terms(&self) -> usize {
        self.vocabulary.len()
    }

    /// Builds the matrix from texts.
    ///
    /// ```
    /// use voc_core::text::{Tfidf, TfidfOptions};
    /// let docs = ["refund slow", "refund slow again", "login fails", "login error"];
    /// let m = Tfidf::fit(&docs, &TfidfOptions { min_df: 1, ..Default::default() })?;
    /// assert!(m.vocabulary.contains(&"refund".to_string()));
    /// assert_eq!(m.n_docs(), 4);
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn fit<S: AsRef<str> + Sync>(texts: &[S], opts: &TfidfOptions) -> Result<Tfidf> {
        if !(opts.max_df > 0.0 && opts.max_df <= 1.0) {
            return Err(Error::option("max_df", opts.max_df, "must lie in (0, 1]"));
        }
        if texts.is_empty() {
            return Err(Error::Empty {
                arg: "texts",
                what: "no documents",
            });
        }
        let tokens = tokenize_all(texts, opts.lang);
        let n = tokens.len();
        let mut df: HashMap<&str, (usize, usize)> = HashMap::new();
        for doc in &tokens {
            let mut seen: Vec<&str> = doc.iter().map(String::as_str).collect();
            for t in &seen {
                df.entry(t).or_default().1 += 1;
            }
            seen.sort_unstable();
            seen.dedup();
            for t in seen {
                df.entry(t).or_default().0 += 1;
            }
        }
        let max_docs = opts.max_df * n as f64;
        let mut terms: Vec<(&str, usize, usize)> = df
            .into_iter()
            .filter(|&(_, (d, _))| d >= opts.min_df && d as f64 <= max_docs)
            .map(|(t, (d, c))| (t, d, c))
            .collect();
        if opts.max_features > 0 && terms.len() > opts.max_features {
            terms.sort_unstable_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(b.0)));
            terms.truncate(opts.max_features);
        }
        terms.sort_unstable_by(|a, b| a.0.cmp(b.0));
        if terms.is_empty() {
            return Err(Error::InsufficientData(format!(
                "no term is in at least {} of {n} documents and at most {:.0}% of them",
                opts.min_df,
                opts.max_df * 100.0
            )));
        }
        let index: HashMap<&str, u32> = terms
            .iter()
            .enumerate()
            .map(|(i, t)| (t.0, i as u32))
            .collect();
        let idf: Vec<f64> = terms
            .iter()
            .map(|&(_, d, _)| ((1.0 + n as f64) / (1.0 + d as f64)).ln() + 1.0)
            .collect();
        let mut indptr = Vec::with_capacity(n + 1);
        indptr.push(0);
        let mut indices = Vec::new();
        let mut data = Vec::new();
        let mut row: Vec<(u32, f64)> = Vec::new();
        for doc in &tokens {
            row.clear();
            row.extend(
                doc.iter()
                    .filter_map(|t| index.get(t.as_str()).map(|&j| (j, 1.0))),
            );
            row.sort_unstable_by_key(|x| x.0);
            let mut merged: Vec<(u32, f64)> = Vec::with_capacity(row.len());
            for &(j, c) in &row {
                match merged.last_mut() {
                    Some(last) if last.0 == j => last.1 += c,
                    _ => merged.push((j, c)),
                }
            }
            let mut norm = 0.0;
            for x in &mut merged {
                x.1 *= idf[x.0 as usize];
                norm += x.1 * x.1;
            }
            let norm = norm.sqrt();
            for (j, v) in merged {
                indices.push(j);
                data.push(if norm > 0.0 { v / norm } else { v });
            }
            indptr.push(indices.len());
        }
        Ok(Tfidf {
            vocabulary: terms.iter().map(|t| t.0.to_owned()).collect(),
            idf,
            indptr,
            indices,
            data,
        })
    }

    /// Stored (term, value) pairs of document `i`.
    pub fn row(&self, i: usize) -> impl Iterator<Item = (usize, f64)> + '_ {
        let (a, b) = match (self.indptr.get(i), self.indptr.get(i + 1)) {
            (Some(&a), Some(&b)) => (a, b),
            _ => (0, 0),
        };
        self.indices[a..b]
            .iter()
            .zip(&self.data[a..b])
            .map(|(&j, &v)| (j as usize, v))
    }
}

fn tokenize_all<S: AsRef<str> + Sync>(texts: &[S], lang: SentimentLang) -> Vec<Vec<String>> {
    let run = |t: &S| {
        let mut v = Vec::new();
        tokenize(t.as_ref(), lang, &mut v);
        v
    };
    #[cfg(feature = "parallel")]
    if texts.len() >= super::PARALLEL_MIN_TEXTS {
        use rayon::prelude::*;
        return texts.par_iter().with_min_len(256).map(run).collect();
    }
    texts.iter().map(run).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_sklearn_tfidf_defaults() -> Result<()> {
        // sklearn 1.x: TfidfVectorizer().fit_transform(["refund slow", "refund slow twice", "login fails"])
        let docs = ["refund slow", "refund slow twice", "login fails"];
        let o = TfidfOptions {
            min_df: 1,
            max_df: 1.0,
            ..Default::default()
        };
        let m = Tfidf::fit(&docs, &o)?;
        assert_eq!(
            m.vocabulary,
            vec!["fails", "login", "refund", "slow", "twice"]
        );
        let idf = [
            1.6931471805599454,
            1.6931471805599454,
            1.2876820724517808,
            1.2876820724517808,
            1.6931471805599454,
        ];
        for (a, b) in m.idf.iter().zip(idf) {
            assert!((a - b).abs() < 1e-15);
        }
        let r1: Vec<(usize, f64)> = m.row(1).collect();
        let want = [
            (2, 0.5178561161676974),
            (3, 0.5178561161676974),
            (4, 0.680918560398684),
        ];
        for ((j, v), (wj, wv)) in r1.iter().zip(want) {
            assert_eq!(*j, wj);
            assert!((v - wv).abs() < 1e-15);
        }
        let o5 = TfidfOptions { min_df: 5, ..o };
        assert!(Tfidf::fit(&docs, &o5).is_err());
        assert!(Tfidf::fit::<&str>(&[], &TfidfOptions::default()).is_err());
        Ok(())
    }
}
