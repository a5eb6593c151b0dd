//! Document-term matrices: vocabulary with document-frequency limits, TF-IDF weights as scikit-learn's
//! `TfidfVectorizer` defaults (raw counts, smooth idf = ln((1 + n) / (1 + df)) + 1, rows L2-normalised).

use std::collections::HashMap;

use ndarray::Array2;

use super::sentiment::SentimentLang;
use super::tokenize::tokenize;
use crate::error::{Error, Result};
use crate::{Fit, Predict};

/// Vocabulary and weighting options: the parameters of a [`Tfidf`] model, fitted by
/// [`Fit::fit`](crate::Fit::fit) on texts.
///
/// ```
/// use voc_core::Fit;
/// use voc_core::text::TfidfOptions;
/// let o = TfidfOptions::default();
/// assert_eq!((o.min_df, o.max_df), (2, 0.95));
/// let m = TfidfOptions::default().min_df(1).fit(&["refund slow", "login fails"][..])?;
/// assert_eq!(m.n_terms(), 4);
/// assert!(TfidfOptions::default().max_df(0.0).validate().is_err());
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
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

impl TfidfOptions {
    /// Checks the options (done once by [`fit`](crate::Fit::fit)).
    pub fn validate(&self) -> Result<()> {
        if !(self.max_df > 0.0 && self.max_df <= 1.0) {
            return Err(Error::option("max_df", self.max_df, "must lie in (0, 1]"));
        }
        Ok(())
    }
}

crate::setters!(TfidfOptions {
    min_df: usize,
    max_df: f64,
    max_features: usize,
    lang: SentimentLang
});

/// A fitted TF-IDF model: the vocabulary and inverse document frequencies, with the sparse TF-IDF
/// matrix (compressed rows) of the documents it was fitted on. [`Predict`] weighs new texts with the
/// same vocabulary and idf.
///
/// ```
/// use voc_core::{Fit, Predict};
/// use voc_core::text::TfidfOptions;
/// let docs = ["refund slow", "refund slow again", "login fails", "login error"];
/// let m = TfidfOptions::default().min_df(1).fit(&docs[..])?;
/// assert!(m.vocabulary.contains(&"refund".to_string()));
/// assert_eq!(m.n_docs(), 4);
/// let new = m.predict(&["refund fails", "nothing known"][..])?;
/// assert_eq!(new.n_docs(), 2);
/// assert_eq!(new.row(1).count(), 0); // no known term
/// assert_eq!(new.dense().dim(), (2, m.n_terms()));
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Tfidf {
    /// Terms, sorted (column order).
    pub vocabulary: Vec<String>,
    /// Inverse document frequency per term.
    pub idf: Vec<f64>,
    /// Tokeniser language (what [`predict`](Predict::predict) tokenises new texts with).
    pub lang: SentimentLang,
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

    /// Stored (term, value) pairs of document `i`.
    pub fn row(&self, i: usize) -> impl Iterator<Item = (usize, f64)> + '_ {
        let (a, b) = match (self.indptr.get(i), self.indptr.get(i + 1)) {
            (Some(&a), Some(&b)) => (a, b),
            _ => (0, 0),
        };
        let (a, b) = (a.min(b), b.min(self.indices.len()).min(self.data.len()));
        self.indices[a.min(b)..b]
            .iter()
            .zip(&self.data[a.min(b)..b])
            .map(|(&j, &v)| (j as usize, v))
    }

    /// The matrix as a dense documents × terms array.
    pub fn dense(&self) -> Array2<f64> {
        let mut out = Array2::zeros((self.n_docs(), self.n_terms()));
        for i in 0..self.n_docs() {
            for (j, v) in self.row(i) {
                if let Some(slot) = out.get_mut((i, j)) {
                    *slot = v;
                }
            }
        }
        out
    }

    /// The same model weighing other documents.
    pub(super) fn with_rows(&self, tokens: &[Vec<String>]) -> Tfidf {
        let index: HashMap<&str, u32> = self
            .vocabulary
            .iter()
            .enumerate()
            .map(|(i, t)| (t.as_str(), i as u32))
            .collect();
        let (indptr, indices, data) = weigh(tokens, &index, &self.idf);
        Tfidf {
            vocabulary: self.vocabulary.clone(),
            idf: self.idf.clone(),
            lang: self.lang,
            indptr,
            indices,
            data,
        }
    }
}

impl<S: AsRef<str> + Sync> Fit<&[S]> for TfidfOptions {
    type Model = Tfidf;

    /// Builds the vocabulary and the matrix from texts.
    fn fit(&self, texts: &[S]) -> Result<Tfidf> {
        self.validate()?;
        if texts.is_empty() {
            return Err(Error::Empty {
                arg: "texts",
                what: "no documents",
            });
        }
        let tokens = tokenize_all(texts, self.lang);
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
        let max_docs = self.max_df * n as f64;
        let mut terms: Vec<(&str, usize, usize)> = df
            .into_iter()
            .filter(|&(_, (d, _))| d >= self.min_df && d as f64 <= max_docs)
            .map(|(t, (d, c))| (t, d, c))
            .collect();
        if self.max_features > 0 && terms.len() > self.max_features {
            terms.sort_unstable_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(b.0)));
            terms.truncate(self.max_features);
        }
        terms.sort_unstable_by(|a, b| a.0.cmp(b.0));
        if terms.is_empty() {
            return Err(Error::InsufficientData(format!(
                "no term is in at least {} of {n} documents and at most {:.0}% of them",
                self.min_df,
                self.max_df * 100.0
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
        let (indptr, indices, data) = weigh(&tokens, &index, &idf);
        Ok(Tfidf {
            vocabulary: terms.iter().map(|t| t.0.to_owned()).collect(),
            idf,
            lang: self.lang,
            indptr,
            indices,
            data,
        })
    }
}

impl<S: AsRef<str> + Sync> Predict<&[S]> for Tfidf {
    /// The documents' TF-IDF weights under this model's vocabulary and idf (terms it does not know
    /// are left out; rows L2-normalised).
    type Output = Tfidf;

    fn predict(&self, texts: &[S]) -> Result<Tfidf> {
        Ok(self.with_rows(&tokenize_all(texts, self.lang)))
    }
}

/// Compressed rows of raw counts × idf, each row L2-normalised.
fn weigh(
    tokens: &[Vec<String>],
    index: &HashMap<&str, u32>,
    idf: &[f64],
) -> (Vec<usize>, Vec<u32>, Vec<f64>) {
    let mut indptr = Vec::with_capacity(tokens.len() + 1);
    indptr.push(0);
    let mut indices = Vec::new();
    let mut data = Vec::new();
    let mut row: Vec<(u32, f64)> = Vec::new();
    for doc in tokens {
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
            x.1 *= idf.get(x.0 as usize).copied().unwrap_or(0.0);
            norm += x.1 * x.1;
        }
        let norm = norm.sqrt();
        for (j, v) in merged {
            indices.push(j);
            data.push(if norm > 0.0 { v / norm } else { v });
        }
        indptr.push(indices.len());
    }
    (indptr, indices, data)
}

pub(super) fn tokenize_all<S: AsRef<str> + Sync>(
    texts: &[S],
    lang: SentimentLang,
) -> Vec<Vec<String>> {
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
        let o = TfidfOptions::default().min_df(1).max_df(1.0);
        let m = o.fit(&docs[..])?;
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
        assert!(o.min_df(5).fit(&docs[..]).is_err());
        assert!(TfidfOptions::default().fit(&[] as &[&str]).is_err());
        // Predicting the training texts gives the training matrix.
        assert_eq!(m.predict(&docs[..])?, m);
        let dense = m.dense();
        assert_eq!(dense.dim(), (3, 5));
        assert_eq!(dense[[1, 4]], m.row(1).last().map_or(0.0, |x| x.1));
        Ok(())
    }
}
