//! Topic discovery: non-negative matrix factorisation of the TF-IDF matrix, X ≈ W·H (W documents ×
//! topics, H topics × terms), by Lee & Seung (2001) multiplicative updates on the Frobenius loss, from
//! a seeded random start scaled as scikit-learn's `init="random"`. Top terms per topic come from H, a
//! document's topic from the largest entry of its row of W.

use crate::stats::rng::Rng;
use ndarray::Array2;

use super::tfidf::{Tfidf, TfidfOptions, tokenize_all};
use crate::error::{Error, Result};
use crate::{Fit, Predict};

/// Parameters of a [`TopicModel`], fitted by [`Fit::fit`] on texts (TF-IDF, then NMF) or on a
/// [`Tfidf`] model (NMF of its matrix).
///
/// ```
/// let o = voc_core::text::TopicOptions::default().n_topics(4);
/// assert_eq!((o.n_topics, o.max_iter, o.seed), (4, 200, 0));
/// assert!(o.n_topics(0).validate().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct TopicOptions {
    /// Number of topics.
    pub n_topics: usize,
    /// Most iterations (of the fit, and of [`predict`](Predict::predict) for new texts).
    pub max_iter: usize,
    /// Stop when the relative decrease of the loss over 10 iterations falls below this.
    pub tol: f64,
    /// Seed of the random start.
    pub seed: u64,
    /// Vocabulary and weighting.
    pub tfidf: TfidfOptions,
}

impl Default for TopicOptions {
    fn default() -> Self {
        TopicOptions {
            n_topics: 10,
            max_iter: 200,
            tol: 1e-4,
            seed: 0,
            tfidf: TfidfOptions::default(),
        }
    }
}

/// Most topics [`TopicOptions::n_topics`] may ask for; more are an [`Error::TooLarge`] naming
/// `n_topics`.
pub const MAX_TOPICS: usize = 1_000;

/// Most NMF iterations [`TopicOptions::max_iter`] may ask for; more are an [`Error::TooLarge`] naming
/// `max_iter`.
pub const MAX_TOPIC_ITER: usize = 100_000;

impl TopicOptions {
    /// Checks the options (done once by [`fit`](Fit::fit)).
    pub fn validate(&self) -> Result<()> {
        if self.n_topics == 0 {
            return Err(Error::option("n_topics", 0, "must be at least 1"));
        }
        if self.max_iter == 0 {
            return Err(Error::option("max_iter", 0, "must be at least 1"));
        }
        if self.n_topics > MAX_TOPICS {
            return Err(Error::too_large(
                "n_topics",
                self.n_topics,
                MAX_TOPICS,
                "topics (the factors hold n_topics × (documents + terms) numbers)",
            ));
        }
        if self.max_iter > MAX_TOPIC_ITER {
            return Err(Error::too_large(
                "max_iter",
                self.max_iter,
                MAX_TOPIC_ITER,
                "NMF iterations (the default is 200)",
            ));
        }
        if !(self.tol >= 0.0 && self.tol.is_finite()) {
            return Err(Error::option(
                "tol",
                self.tol,
                "must be finite and non-negative",
            ));
        }
        self.tfidf.validate()
    }
}

crate::setters!(TopicOptions {
    n_topics: usize,
    max_iter: usize,
    tol: f64,
    seed: u64,
    tfidf: TfidfOptions
});

/// A fitted topic model: X ≈ W·H of the TF-IDF matrix X.
///
/// [`Predict`] gives the document-topic weights of new texts (W for fixed H, from a flat start as
/// scikit-learn's `NMF.transform`).
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct TopicModel {
    /// Terms (columns of H).
    pub vocabulary: Vec<String>,
    /// Inverse document frequency per term (weighs new texts).
    pub idf: Vec<f64>,
    /// Number of topics.
    pub n_topics: usize,
    /// Topic-term weights H, `n_topics × vocabulary.len()`.
    pub h: Array2<f64>,
    /// Document-topic weights W of the fitted documents, `n_docs × n_topics`.
    pub w: Array2<f64>,
    /// Iterations run.
    pub iterations: usize,
    /// Whether the tolerance was met before `max_iter`.
    pub converged: bool,
    /// Frobenius norm of X − W·H at the end.
    pub reconstruction_err: f64,
    /// The options the model was fitted with.
    pub options: TopicOptions,
}

impl TopicModel {
    /// Number of documents.
    pub fn n_docs(&self) -> usize {
        self.w.nrows()
    }

    /// The `n` heaviest terms of topic `t` with their weights.
    pub fn top_terms(&self, t: usize, n: usize) -> Vec<(&str, f64)> {
        if t >= self.h.nrows() {
            return Vec::new();
        }
        let row = self.h.row(t);
        let mut idx: Vec<usize> = (0..row.len()).collect();
        idx.sort_by(|&a, &b| row[b].total_cmp(&row[a]).then(a.cmp(&b)));
        idx.into_iter()
            .take(n)
            .filter_map(|j| Some((self.vocabulary.get(j)?.as_str(), row[j])))
            .collect()
    }

    /// Topic of each fitted document (largest weight); `None` for a document with no weight at all.
    pub fn labels(&self) -> Vec<Option<usize>> {
        labels_of(&self.w)
    }

    /// One row per topic: its label (its [`LABEL_TERMS`] heaviest terms joined by `" / "`), its
    /// `n_terms` heaviest terms, the fitted documents whose heaviest topic it is, and their share of
    /// all fitted documents (documents without any known term count in the denominator).
    ///
    /// ```
    /// use voc_core::Fit;
    /// use voc_core::text::{TfidfOptions, TopicOptions};
    /// let docs = ["refund slow money", "refund money late", "slow refund money",
    ///             "login password fails", "password login error", "login error password"];
    /// let m = TopicOptions::default().n_topics(2).tfidf(TfidfOptions::default().min_df(2)).fit(&docs[..])?;
    /// let s = m.summary(3);
    /// assert_eq!(s.len(), 2);
    /// assert_eq!(s.iter().map(|t| t.documents).sum::<usize>(), 6);
    /// assert!((s[0].share + s[1].share - 1.0).abs() < 1e-12);
    /// assert_eq!(s[0].terms.len(), 3);
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn summary(&self, n_terms: usize) -> Vec<TopicSummary> {
        let mut counts = vec![0usize; self.n_topics];
        for t in self.labels().into_iter().flatten() {
            if let Some(c) = counts.get_mut(t) {
                *c += 1;
            }
        }
        let n = self.n_docs();
        (0..self.n_topics)
            .map(|t| {
                let label = self
                    .top_terms(t, LABEL_TERMS)
                    .into_iter()
                    .map(|x| x.0)
                    .collect::<Vec<_>>()
                    .join(" / ");
                let terms = self
                    .top_terms(t, n_terms)
                    .into_iter()
                    .map(|x| x.0.to_owned())
                    .collect();
                TopicSummary {
                    topic: t,
                    label,
                    terms,
                    documents: counts[t],
                    share: if n == 0 {
                        f64::NAN
                    } else {
                        counts[t] as f64 / n as f64
                    },
                }
            })
            .collect()
    }
}

/// Terms in a topic's label (see [`TopicModel::summary`]).
pub const LABEL_TERMS: usize = 3;

/// One topic of [`TopicModel::summary`].
#[derive(Debug, Clone, PartialEq)]
pub struct TopicSummary {
    /// Topic index.
    pub topic: usize,
    /// Its heaviest terms joined by `" / "`.
    pub label: String,
    /// Its heaviest terms, heaviest first.
    pub terms: Vec<String>,
    /// Fitted documents whose heaviest topic it is.
    pub documents: usize,
    /// `documents` over all fitted documents (NaN when there are none).
    pub share: f64,
}

/// Topic of each row of a document-topic matrix (largest weight; `None` when the row is all zero).
///
/// ```
/// use ndarray::array;
/// let w = array![[0.1, 0.7], [0.0, 0.0]];
/// assert_eq!(voc_core::text::topic_labels(&w), vec![Some(1), None]);
/// ```
pub fn topic_labels(w: &Array2<f64>) -> Vec<Option<usize>> {
    labels_of(w)
}

fn labels_of(w: &Array2<f64>) -> Vec<Option<usize>> {
    w.rows()
        .into_iter()
        .map(|r| {
            let (best, &v) = r
                .iter()
                .enumerate()
                .max_by(|a, b| a.1.total_cmp(b.1).then(b.0.cmp(&a.0)))?;
            (v > 0.0).then_some(best)
        })
        .collect()
}

const EPS: f64 = 1e-12;

impl<S: AsRef<str> + Sync> Fit<&[S]> for TopicOptions {
    type Model = TopicModel;

    /// Fits topics to texts: TF-IDF, then NMF.
    ///
    /// ```
    /// use voc_core::{Fit, Predict};
    /// use voc_core::text::{TfidfOptions, TopicOptions};
    /// let docs = ["refund slow money", "refund money late", "slow refund money",
    ///             "login password fails", "password login error", "login error password"];
    /// let o = TopicOptions::default().n_topics(2).tfidf(TfidfOptions::default().min_df(2));
    /// let m = o.fit(&docs[..])?;
    /// let l = m.labels();
    /// assert_eq!(l[0], l[1]);
    /// assert_ne!(l[0], l[3]);
    /// let w = m.predict(&["money refund", "password error"][..])?;
    /// assert_eq!(w.dim(), (2, 2));
    /// assert_eq!(voc_core::text::topic_labels(&w), vec![l[0], l[3]]);
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    fn fit(&self, texts: &[S]) -> Result<TopicModel> {
        self.validate()?;
        let x = self.tfidf.fit(texts)?;
        nmf(&x, self)
    }
}

impl Fit<&Tfidf> for TopicOptions {
    type Model = TopicModel;

    /// NMF of a TF-IDF matrix (see the module docs); [`tfidf`](TopicOptions::tfidf) is not used.
    fn fit(&self, x: &Tfidf) -> Result<TopicModel> {
        self.validate()?;
        nmf(x, self)
    }
}

impl<S: AsRef<str> + Sync> Predict<&[S]> for TopicModel {
    /// Document-topic weights, `texts.len() × n_topics`.
    type Output = Array2<f64>;

    fn predict(&self, texts: &[S]) -> Result<Array2<f64>> {
        let tokens = tokenize_all(texts, self.options.tfidf.lang);
        let x = Tfidf {
            vocabulary: self.vocabulary.clone(),
            idf: self.idf.clone(),
            lang: self.options.tfidf.lang,
            indptr: Vec::new(),
            indices: Vec::new(),
            data: Vec::new(),
        }
        .with_rows(&tokens);
        self.transform(&x)
    }
}

impl TopicModel {
    /// W for fixed H by multiplicative updates from a flat start `sqrt(mean(X) / k)`.
    fn transform(&self, x: &Tfidf) -> Result<Array2<f64>> {
        let (n, m, k) = (x.n_docs(), self.vocabulary.len(), self.n_topics);
        let h = self.h.as_standard_layout();
        let h = h.as_slice().unwrap_or(&[]);
        if n == 0 || m == 0 || k == 0 || h.len() != k * m {
            return Ok(Array2::zeros((n, k)));
        }
        let mean = x.data.iter().sum::<f64>() / (n as f64 * m as f64);
        let mut w = vec![(mean / k as f64).sqrt(); n * k];
        let mut hht = vec![0.0; k * k];
        gram_of_rows(h, k, m, &mut hht);
        let x_norm2: f64 = x.data.iter().map(|v| v * v).sum();
        let mut xht = vec![0.0; n * k];
        for i in 0..n {
            for (j, v) in x.row(i) {
                for t in 0..k {
                    xht[i * k + t] += v * h[t * m + j];
                }
            }
        }
        let mut prev_loss = f64::INFINITY;
        let mut ticker = crate::interrupt::Ticker::new();
        for it in 1..=self.options.max_iter {
            ticker.tick()?;
            for i in 0..n {
                for t in 0..k {
                    let mut den = 0.0;
                    for s in 0..k {
                        den += w[i * k + s] * hht[s * k + t];
                    }
                    w[i * k + t] *= xht[i * k + t] / (den + EPS);
                }
            }
            if it % 10 == 0 {
                let mut cross = 0.0;
                for a in 0..n * k {
                    cross += w[a] * xht[a];
                }
                let mut wtw = vec![0.0; k * k];
                gram_of(&w, n, k, &mut wtw);
                let quad: f64 = wtw.iter().zip(&hht).map(|(a, b)| a * b).sum();
                let loss = (x_norm2 - 2.0 * cross + quad).max(0.0);
                if !loss.is_finite()
                    || (prev_loss.is_finite()
                        && (prev_loss - loss) / prev_loss.max(EPS) < self.options.tol)
                {
                    break;
                }
                prev_loss = loss;
            }
        }
        Ok(Array2::from_shape_vec((n, k), w).unwrap_or_else(|_| Array2::zeros((n, k))))
    }
}

/// NMF of a TF-IDF matrix (see the module docs).
fn nmf(x: &Tfidf, opts: &TopicOptions) -> Result<TopicModel> {
    let (n, m, k) = (x.n_docs(), x.n_terms(), opts.n_topics);
    if k > n.min(m) {
        return Err(Error::option(
            "n_topics",
            k,
            format!("must not exceed the number of documents ({n}) or terms ({m})"),
        ));
    }
    let mean = x.data.iter().sum::<f64>() / (n as f64 * m as f64);
    let scale = (mean / k as f64).sqrt();
    let mut rng = Rng::seeded(opts.seed, "seed")?;
    let mut draw = |len: usize| -> Vec<f64> {
        (0..len)
            .map(|_| (scale * rng.standard_normal()).abs().max(EPS))
            .collect()
    };
    let mut h = draw(k * m);
    let mut w = draw(n * k);
    let x_norm2: f64 = x.data.iter().map(|v| v * v).sum();
    let mut xht = vec![0.0; n * k];
    let mut wtx = vec![0.0; k * m];
    let mut gram = vec![0.0; k * k];
    let mut prev_loss = f64::INFINITY;
    let mut loss = f64::INFINITY;
    let mut converged = false;
    let mut iterations = 0;
    let mut ticker = crate::interrupt::Ticker::new();
    for it in 1..=opts.max_iter {
        ticker.tick()?;
        iterations = it;
        // H ← H ∘ (WᵀX) / (WᵀW·H)
        wtx.iter_mut().for_each(|v| *v = 0.0);
        for i in 0..n {
            let wi = &w[i * k..(i + 1) * k];
            for (j, v) in x.row(i) {
                for t in 0..k {
                    wtx[t * m + j] += wi[t] * v;
                }
            }
        }
        gram_of(&w, n, k, &mut gram);
        for j in 0..m {
            for t in 0..k {
                let mut den = 0.0;
                for s in 0..k {
                    den += gram[t * k + s] * h[s * m + j];
                }
                h[t * m + j] *= wtx[t * m + j] / (den + EPS);
            }
        }
        // W ← W ∘ (XHᵀ) / (W·HHᵀ)
        xht.iter_mut().for_each(|v| *v = 0.0);
        for i in 0..n {
            for (j, v) in x.row(i) {
                for t in 0..k {
                    xht[i * k + t] += v * h[t * m + j];
                }
            }
        }
        gram_of_rows(&h, k, m, &mut gram);
        for i in 0..n {
            for t in 0..k {
                let mut den = 0.0;
                for s in 0..k {
                    den += w[i * k + s] * gram[s * k + t];
                }
                w[i * k + t] *= xht[i * k + t] / (den + EPS);
            }
        }
        if it % 10 == 0 || it == opts.max_iter {
            // ‖X − WH‖² = ‖X‖² − 2·tr(Wᵀ X Hᵀ) + tr(WᵀW · HHᵀ); XHᵀ is recomputed for the new W.
            let mut cross = 0.0;
            for i in 0..n {
                let mut xh = vec![0.0; k];
                for (j, v) in x.row(i) {
                    for (t, slot) in xh.iter_mut().enumerate() {
                        *slot += v * h[t * m + j];
                    }
                }
                for t in 0..k {
                    cross += w[i * k + t] * xh[t];
                }
            }
            let mut wtw = vec![0.0; k * k];
            gram_of(&w, n, k, &mut wtw);
            let mut quad = 0.0;
            for a in 0..k * k {
                quad += wtw[a] * gram[a];
            }
            loss = (x_norm2 - 2.0 * cross + quad).max(0.0);
            if !loss.is_finite() {
                return Err(Error::NotConverged {
                    iterations: it,
                    last_change: f64::NAN,
                });
            }
            if prev_loss.is_finite() && (prev_loss - loss) / prev_loss.max(EPS) < opts.tol {
                converged = true;
                break;
            }
            prev_loss = loss;
        }
    }
    let shape = |r: usize, c: usize, v: Vec<f64>| {
        Array2::from_shape_vec((r, c), v).map_err(|e| Error::Incompatible(e.to_string()))
    };
    Ok(TopicModel {
        vocabulary: x.vocabulary.clone(),
        idf: x.idf.clone(),
        n_topics: k,
        h: shape(k, m, h)?,
        w: shape(n, k, w)?,
        iterations,
        converged,
        reconstruction_err: loss.sqrt(),
        // The language the matrix was tokenised in (a `Tfidf` fitted separately may differ).
        options: TopicOptions {
            tfidf: opts.tfidf.lang(x.lang),
            ..*opts
        },
    })
}

/// WᵀW of a row-major n × k matrix.
fn gram_of(w: &[f64], n: usize, k: usize, out: &mut [f64]) {
    out.iter_mut().for_each(|v| *v = 0.0);
    for i in 0..n {
        let r = &w[i * k..(i + 1) * k];
        for a in 0..k {
            for b in 0..k {
                out[a * k + b] += r[a] * r[b];
            }
        }
    }
}

/// HHᵀ of a row-major k × m matrix.
fn gram_of_rows(h: &[f64], k: usize, m: usize, out: &mut [f64]) {
    for a in 0..k {
        for b in 0..k {
            let (ra, rb) = (&h[a * m..(a + 1) * m], &h[b * m..(b + 1) * m]);
            out[a * k + b] = ra.iter().zip(rb).map(|(x, y)| x * y).sum();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_and_separates_clear_topics() -> Result<()> {
        let mut docs = Vec::new();
        for i in 0..30 {
            docs.push(format!(
                "refund slow money back {}",
                ["late", "waiting", "bank"][i % 3]
            ));
            docs.push(format!(
                "login password error app {}",
                ["crash", "code", "reset"][i % 3]
            ));
            docs.push(format!(
                "delivery courier parcel late {}",
                ["box", "damaged", "tracking"][i % 3]
            ));
        }
        let o = TopicOptions::default().n_topics(3).seed(7);
        let a = o.fit(&docs[..])?;
        let b = o.fit(&docs[..])?;
        assert_eq!(a, b);
        let s = a.summary(4);
        assert_eq!(
            s.iter().map(|t| t.documents).collect::<Vec<_>>(),
            vec![30, 30, 30]
        );
        assert!(s.iter().all(|t| (t.share - 1.0 / 3.0).abs() < 1e-12));
        assert!(
            s.iter()
                .all(|t| t.terms.len() == 4 && t.label.split(" / ").count() == LABEL_TERMS)
        );
        let l = a.labels();
        for i in 0..30 {
            assert_eq!(l[3 * i], l[0]);
            assert_eq!(l[3 * i + 1], l[1]);
            assert_eq!(l[3 * i + 2], l[2]);
        }
        assert!(l[0] != l[1] && l[1] != l[2] && l[0] != l[2]);
        let top = a.top_terms(l[0].unwrap_or(0), 3);
        assert!(
            top.iter().any(|t| t.0 == "refund" || t.0 == "money"),
            "{top:?}"
        );
        assert!(a.reconstruction_err.is_finite());
        // Fitting the TF-IDF model first gives the same topics.
        let x = o.tfidf.fit(&docs[..])?;
        assert_eq!(o.fit(&x)?, a);
        // New texts get the topic of the fitted texts they resemble.
        let w = a.predict(&docs[..6])?;
        assert_eq!(w.dim(), (6, 3));
        assert_eq!(topic_labels(&w), l[..6].to_vec());
        Ok(())
    }

    #[test]
    fn bad_options() {
        let docs = ["a b", "b c"];
        let o = TopicOptions::default().n_topics(0);
        assert!(o.fit(&docs[..]).is_err());
        let o = TopicOptions::default()
            .n_topics(50)
            .tfidf(TfidfOptions::default().min_df(1));
        assert!(o.fit(&["refund slow", "login error"][..]).is_err());
    }
}
