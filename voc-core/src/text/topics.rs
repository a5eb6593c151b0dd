//! Topic discovery: non-negative matrix factorisation of the TF-IDF matrix, X ≈ W·H (W documents ×
//! topics, H topics × terms), by Lee & Seung (2001) multiplicative updates on the Frobenius loss, from
//! a seeded random start scaled as scikit-learn's `init="random"`. Top terms per topic come from H, a
//! document's topic from the largest entry of its row of W.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

use super::tfidf::{Tfidf, TfidfOptions};
use crate::error::{Error, Result};

/// Options of [`topics`].
///
/// ```
/// let o = voc_core::text::TopicOptions::default();
/// assert_eq!((o.n_topics, o.max_iter, o.seed), (10, 200, 0));
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct TopicOptions {
    /// Number of topics.
    pub n_topics: usize,
    /// Most iterations.
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

/// A fitted topic model.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct TopicModel {
    /// Terms (columns of H).
    pub vocabulary: Vec<String>,
    /// Number of topics.
    pub n_topics: usize,
    /// Topic-term weights, row-major `n_topics × vocabulary.len()`.
    pub h: Vec<f64>,
    /// Document-topic weights, row-major `n_docs × n_topics`.
    pub w: Vec<f64>,
    /// Iterations run.
    pub iterations: usize,
    /// Whether the tolerance was met before `max_iter`.
    pub converged: bool,
    /// Frobenius norm of X − W·H at the end.
    pub reconstruction_err: f64,
}

impl TopicModel {
    /// Number of documents.
    pub fn n_docs(&self) -> usize {
        self.w.len() / self.n_topics.max(1)
    }

    /// The `n` heaviest terms of topic `t` with their weights.
    pub fn top_terms(&self, t: usize, n: usize) -> Vec<(&str, f64)> {
        let m = self.vocabulary.len();
        let Some(row) = self.h.get(t * m..(t + 1) * m) else {
            return Vec::new();
        };
        let mut idx: Vec<usize> = (0..m).collect();
        idx.sort_by(|&a, &b| row[b].total_cmp(&row[a]).then(a.cmp(&b)));
        idx.into_iter()
            .take(n)
            .map(|j| (self.vocabulary[j].as_str(), row[j]))
            .collect()
    }

    /// Topic of each document (largest weight); `None` for a document with no weight at all.
    pub fn labels(&self) -> Vec<Option<usize>> {
        self.w
            .chunks(self.n_topics.max(1))
            .map(|r| {
                let (best, &v) = r
                    .iter()
                    .enumerate()
                    .max_by(|a, b| a.1.total_cmp(b.1).then(b.0.cmp(&a.0)))?;
                (v > 0.0).then_some(best)
            })
            .collect()
    }
}

const EPS: f64 = 1e-12;

/// Fits topics to texts: TF-IDF, then NMF.
///
/// ```
/// use voc_core::text::{topics, TopicOptions, TfidfOptions};
/// let docs = ["refund slow money", "refund money late", "slow refund money",
///             "login password fails", "password login error", "login error password"];
/// let o = TopicOptions { n_topics: 2, tfidf: TfidfOptions { min_df: 2, ..Default::default() }, ..Default::default() };
/// let m = topics(&docs, &o)?;
/// let l = m.labels();
/// assert_eq!(l[0], l[1]);
/// assert_ne!(l[0], l[3]);
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn topics<S: AsRef<str> + Sync>(texts: &[S], opts: &TopicOptions) -> Result<TopicModel> {
    if opts.n_topics == 0 {
        return Err(Error::option("n_topics", 0, "must be at least 1"));
    }
    if opts.max_iter == 0 {
        return Err(Error::option("max_iter", 0, "must be at least 1"));
    }
    if !(opts.tol >= 0.0 && opts.tol.is_finite()) {
        return Err(Error::option(
            "tol",
            opts.tol,
            "must be finite and non-negative",
        ));
    }
    let x = Tfidf::fit(texts, &opts.tfidf)?;
    nmf(&x, opts)
}

/// NMF of a TF-IDF matrix (see the module docs).
pub fn nmf(x: &Tfidf, opts: &TopicOptions) -> Result<TopicModel> {
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
    let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
    let mut draw = |len: usize| -> Vec<f64> {
        (0..len)
            .map(|_| {
                let z: f64 = StandardNormal.sample(&mut rng);
                (scale * z).abs().max(EPS)
            })
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
    for it in 1..=opts.max_iter {
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
    Ok(TopicModel {
        vocabulary: x.vocabulary.clone(),
        n_topics: k,
        h,
        w,
        iterations,
        converged,
        reconstruction_err: loss.sqrt(),
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
        let o = TopicOptions {
            n_topics: 3,
            seed: 7,
            ..Default::default()
        };
        let a = topics(&docs, &o)?;
        let b = topics(&docs, &o)?;
        assert_eq!(a, b);
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
        Ok(())
    }

    #[test]
    fn bad_options() {
        let docs = ["a b", "b c"];
        let o = TopicOptions {
            n_topics: 0,
            ..Default::default()
        };
        assert!(topics(&docs, &o).is_err());
        let o = TopicOptions {
            n_topics: 50,
            tfidf: TfidfOptions {
                min_df: 1,
                ..Default::default()
            },
            ..Default::default()
        };
        assert!(topics(&["refund slow", "login error"], &o).is_err());
    }
}
