//! The byte forms of the fitted text models: versioned, little-endian, closed by a checksum (as the
//! states' and the risk model's).
//!
//! Version 1 of [`Tfidf`]: magic `VOCI`, version (u16), the tokeniser language (u8), the vocabulary
//! (count, then each term as length + UTF-8), the idf (count + f64 each), and the compressed rows of
//! the fitted matrix: `indptr` (count + u64 each), `indices` (count + u32 each), `data` (count + f64
//! each); then the FNV-1a checksum of everything before it.
//!
//! Version 1 of [`TopicModel`]: magic `VOCN`, version (u16), the vocabulary and idf as above,
//! `n_topics` (u64), H and W (each rows, columns, row-major f64 values), iterations (u64), converged
//! (u8), the reconstruction error (f64), the options (n_topics, max_iter: u64; tol: f64; seed: u64;
//! then the TF-IDF options min_df: u64, max_df: f64, max_features: u64, lang: u8), and the checksum.
//!
//! Every count is checked against the bytes that remain before anything is allocated, and decoded
//! models are checked for consistency (shapes, sorted unique vocabulary, finite values, valid
//! options): anything else is an [`Error::Decode`](crate::Error::Decode), never a panic.

use ndarray::Array2;

use super::sentiment::SentimentLang;
use super::tfidf::{Tfidf, TfidfOptions};
use super::topics::{TopicModel, TopicOptions};
use crate::codec::{Reader, Writer};
use crate::error::Result;

const TFIDF_MAGIC: &[u8; 4] = b"VOCI";
const TFIDF_VERSION: u16 = 1;
const TFIDF_WHAT: &str = "TF-IDF model";
const TOPICS_MAGIC: &[u8; 4] = b"VOCN";
const TOPICS_VERSION: u16 = 1;
const TOPICS_WHAT: &str = "topic model";

fn lang_tag(lang: SentimentLang) -> u8 {
    match lang {
        SentimentLang::Auto => 0,
        SentimentLang::En => 1,
        SentimentLang::Zh => 2,
    }
}

fn lang(r: &mut Reader<'_>) -> Result<SentimentLang> {
    match r.u8()? {
        0 => Ok(SentimentLang::Auto),
        1 => Ok(SentimentLang::En),
        2 => Ok(SentimentLang::Zh),
        other => Err(r.fail(format!("unknown language tag {other}"))),
    }
}

/// The vocabulary: sorted, without repeats (the column order of the models).
fn terms(r: &mut Reader<'_>) -> Result<Vec<String>> {
    let n = r.len()?;
    // Each term takes at least its 8-byte length.
    r.expect_items(n, 8)?;
    let mut out: Vec<String> = Vec::with_capacity(n);
    for _ in 0..n {
        let term = r.str("a term")?;
        if out.last().is_some_and(|prev| *prev >= term) {
            return Err(r.fail("the vocabulary is not sorted without repeats"));
        }
        out.push(term);
    }
    Ok(out)
}

/// The idf of each term: one finite value per term.
fn idf(r: &mut Reader<'_>, n_terms: usize) -> Result<Vec<f64>> {
    let n = r.len()?;
    if n != n_terms {
        return Err(r.fail(format!("idf has {n} values for {n_terms} terms")));
    }
    let v = r.f64s(n)?;
    if v.iter().any(|x| !x.is_finite()) {
        return Err(r.fail("idf values must be finite"));
    }
    Ok(v)
}

/// A rows × columns matrix of finite, non-negative values (row-major).
fn matrix(r: &mut Reader<'_>, name: &str) -> Result<Array2<f64>> {
    let a = r.matrix(name)?;
    if a.iter().any(|x| !(x.is_finite() && *x >= 0.0)) {
        return Err(r.fail(format!("{name} values must be finite and non-negative")));
    }
    Ok(a)
}

impl Tfidf {
    /// The model as bytes (version 1, little-endian, every float bit-exact, closed by a checksum):
    /// vocabulary, idf, language and the fitted matrix. [`from_bytes`](Self::from_bytes) reads them
    /// back.
    ///
    /// ```
    /// use voc_core::{Fit, Predict};
    /// use voc_core::text::{Tfidf, TfidfOptions};
    /// let m = TfidfOptions::default().min_df(1).fit(&["refund slow", "login fails"][..])?;
    /// let bytes = m.to_bytes();
    /// let back = Tfidf::from_bytes(&bytes)?;
    /// assert_eq!(back, m);
    /// assert_eq!(back.predict(&["slow login"][..])?, m.predict(&["slow login"][..])?);
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::with_header(TFIDF_MAGIC, TFIDF_VERSION);
        w.u8(lang_tag(self.lang));
        w.strs(&self.vocabulary);
        w.f64_vec(&self.idf);
        w.u64(self.indptr.len() as u64);
        self.indptr.iter().for_each(|&p| w.u64(p as u64));
        w.u64(self.indices.len() as u64);
        self.indices.iter().for_each(|&j| w.bytes(&j.to_le_bytes()));
        w.f64_vec(&self.data);
        w.seal()
    }

    /// Reads [`to_bytes`](Self::to_bytes) output. Truncated, corrupted or foreign bytes, another
    /// version, and models whose parts disagree (an unsorted vocabulary, lengths, row bounds, a term
    /// index out of range, non-finite values) are an [`Error::Decode`](crate::Error::Decode), never a
    /// panic.
    ///
    /// ```
    /// use voc_core::text::Tfidf;
    /// assert!(matches!(Tfidf::from_bytes(b"VOCI\x01\x00"), Err(voc_core::Error::Decode { .. })));
    /// ```
    pub fn from_bytes(bytes: &[u8]) -> Result<Tfidf> {
        let mut r = Reader::open(bytes, TFIDF_WHAT, TFIDF_MAGIC, TFIDF_VERSION)?;
        let lang = lang(&mut r)?;
        let vocabulary = terms(&mut r)?;
        let m = vocabulary.len();
        let idf = idf(&mut r, m)?;
        let n = r.len()?;
        r.expect_items(n, 8)?;
        let indptr = (0..n).map(|_| r.len()).collect::<Result<Vec<_>>>()?;
        let nnz = r.len()?;
        r.expect_items(nnz, 4)?;
        let indices = (0..nnz)
            .map(|_| Ok(u32::from_le_bytes(r.take()?)))
            .collect::<Result<Vec<_>>>()?;
        let len = r.len()?;
        if len != nnz {
            return Err(r.fail(format!("data has {len} values for {nnz} indices")));
        }
        let data = r.f64s(len)?;
        if indptr.first() != Some(&0) || indptr.last() != Some(&nnz) {
            return Err(r.fail(format!(
                "row bounds must run from 0 to the {nnz} stored values"
            )));
        }
        for bounds in indptr.windows(2) {
            let row = match (bounds.first(), bounds.get(1)) {
                (Some(&a), Some(&b)) if a <= b => indices.get(a..b),
                _ => None,
            };
            let ok = row.is_some_and(|row| {
                row.iter().all(|&j| (j as usize) < m) && row.windows(2).all(|p| p[0] < p[1])
            });
            if !ok {
                return Err(
                    r.fail("each row must hold increasing term indices within the vocabulary")
                );
            }
        }
        if data.iter().any(|v| !v.is_finite()) {
            return Err(r.fail("matrix values must be finite"));
        }
        r.finish()?;
        Ok(Tfidf {
            vocabulary,
            idf,
            lang,
            indptr,
            indices,
            data,
        })
    }
}

impl TopicModel {
    /// The model as bytes (version 1, little-endian, every float bit-exact, closed by a checksum):
    /// vocabulary, idf, H, W, the fit report and the options. [`from_bytes`](Self::from_bytes) reads
    /// them back.
    ///
    /// ```
    /// use voc_core::{Fit, Predict};
    /// use voc_core::text::{TfidfOptions, TopicModel, TopicOptions};
    /// let docs = ["refund slow money", "refund money late", "login password fails", "password login"];
    /// let m = TopicOptions::default().n_topics(2).tfidf(TfidfOptions::default().min_df(2)).fit(&docs[..])?;
    /// let back = TopicModel::from_bytes(&m.to_bytes())?;
    /// assert_eq!(back, m);
    /// assert_eq!(back.predict(&["money refund"][..])?, m.predict(&["money refund"][..])?);
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::with_header(TOPICS_MAGIC, TOPICS_VERSION);
        w.strs(&self.vocabulary);
        w.f64_vec(&self.idf);
        w.u64(self.n_topics as u64);
        w.matrix(self.h.view());
        w.matrix(self.w.view());
        w.u64(self.iterations as u64);
        w.flag(self.converged);
        w.f64(self.reconstruction_err);
        let o = &self.options;
        w.u64(o.n_topics as u64);
        w.u64(o.max_iter as u64);
        w.f64(o.tol);
        w.u64(o.seed);
        w.u64(o.tfidf.min_df as u64);
        w.f64(o.tfidf.max_df);
        w.u64(o.tfidf.max_features as u64);
        w.u8(lang_tag(o.tfidf.lang));
        w.seal()
    }

    /// Reads [`to_bytes`](Self::to_bytes) output. Truncated, corrupted or foreign bytes, another
    /// version, and models whose parts disagree (shapes of H and W, the vocabulary, negative or
    /// non-finite weights, invalid options) are an [`Error::Decode`](crate::Error::Decode), never a
    /// panic.
    ///
    /// ```
    /// use voc_core::text::TopicModel;
    /// assert!(matches!(TopicModel::from_bytes(b"VOCN"), Err(voc_core::Error::Decode { .. })));
    /// ```
    pub fn from_bytes(bytes: &[u8]) -> Result<TopicModel> {
        let mut r = Reader::open(bytes, TOPICS_WHAT, TOPICS_MAGIC, TOPICS_VERSION)?;
        let vocabulary = terms(&mut r)?;
        let m = vocabulary.len();
        let idf = idf(&mut r, m)?;
        let n_topics = r.len()?;
        let h = matrix(&mut r, "H")?;
        let w = matrix(&mut r, "W")?;
        if h.dim() != (n_topics, m) || w.ncols() != n_topics {
            return Err(r.fail(format!(
                "H is {:?} and W is {:?} for {n_topics} topics and {m} terms",
                h.dim(),
                w.dim()
            )));
        }
        let iterations = r.len()?;
        let converged = r.flag()?;
        let reconstruction_err = r.f64()?;
        if !(reconstruction_err.is_finite() && reconstruction_err >= 0.0) {
            return Err(r.fail("the reconstruction error must be finite and non-negative"));
        }
        let (o_topics, max_iter, tol, seed) = (r.len()?, r.len()?, r.f64()?, r.u64()?);
        let (min_df, max_df, max_features) = (r.len()?, r.f64()?, r.len()?);
        let tfidf = TfidfOptions::default()
            .min_df(min_df)
            .max_df(max_df)
            .max_features(max_features)
            .lang(lang(&mut r)?);
        let options = TopicOptions::default()
            .n_topics(o_topics)
            .max_iter(max_iter)
            .tol(tol)
            .seed(seed)
            .tfidf(tfidf);
        options
            .validate()
            .map_err(|e| r.fail(format!("invalid options: {e}")))?;
        if o_topics != n_topics || iterations > max_iter {
            return Err(r.fail(format!(
                "{n_topics} topics and {iterations} iterations under options for {o_topics} topics \
                 and at most {max_iter} iterations"
            )));
        }
        r.finish()?;
        Ok(TopicModel {
            vocabulary,
            idf,
            n_topics,
            h,
            w,
            iterations,
            converged,
            reconstruction_err,
            options,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Fit;
    use crate::codec::test_util::{is_decode, sealed};

    const DOCS: [&str; 6] = [
        "refund slow money",
        "refund money late",
        "slow refund money",
        "login password fails",
        "password login error",
        "login error password",
    ];

    #[test]
    fn tfidf_round_trip_and_bad_content() -> Result<()> {
        let m = TfidfOptions::default()
            .min_df(1)
            .lang(SentimentLang::En)
            .fit(&DOCS[..])?;
        let bytes = m.to_bytes();
        assert_eq!(Tfidf::from_bytes(&bytes)?, m);
        let body = &bytes[..bytes.len() - 8];
        let decode = |b: Vec<u8>| Tfidf::from_bytes(&sealed(&b));
        let mut v = body.to_vec();
        v[4] = 2;
        assert!(is_decode(decode(v), "version 2"));
        let mut v = body.to_vec();
        v[0] = b'X';
        assert!(is_decode(decode(v), "magic"));
        let mut v = body.to_vec();
        v[6] = 9;
        assert!(is_decode(decode(v), "language"));
        // A huge vocabulary count allocates nothing.
        let mut v = body.to_vec();
        v[7..15].copy_from_slice(&u64::MAX.to_le_bytes());
        assert!(is_decode(decode(v), "remain"));
        let mut v = body.to_vec();
        v.push(0);
        assert!(is_decode(decode(v), "trailing"));
        // Parts that disagree.
        let mut bad = m.clone();
        bad.vocabulary.swap(0, 1);
        assert!(is_decode(Tfidf::from_bytes(&bad.to_bytes()), "sorted"));
        let mut bad = m.clone();
        bad.idf.pop();
        assert!(is_decode(Tfidf::from_bytes(&bad.to_bytes()), "idf"));
        let mut bad = m.clone();
        bad.idf[0] = f64::NAN;
        assert!(is_decode(Tfidf::from_bytes(&bad.to_bytes()), "finite"));
        let mut bad = m.clone();
        bad.indices[0] = 1000;
        assert!(is_decode(Tfidf::from_bytes(&bad.to_bytes()), "indices"));
        let mut bad = m.clone();
        bad.indptr[1] = bad.indices.len() + 1;
        assert!(Tfidf::from_bytes(&bad.to_bytes()).is_err());
        let mut bad = m.clone();
        bad.data.pop();
        assert!(is_decode(Tfidf::from_bytes(&bad.to_bytes()), "data"));
        let mut bad = m.clone();
        bad.data[0] = f64::INFINITY;
        assert!(is_decode(Tfidf::from_bytes(&bad.to_bytes()), "finite"));
        let mut bad = m;
        bad.indptr.clear();
        assert!(is_decode(Tfidf::from_bytes(&bad.to_bytes()), "row bounds"));
        Ok(())
    }

    #[test]
    fn topics_round_trip_and_bad_content() -> Result<()> {
        let m = TopicOptions::default()
            .n_topics(2)
            .seed(3)
            .tfidf(TfidfOptions::default().min_df(2).lang(SentimentLang::Zh))
            .fit(&DOCS[..])?;
        let bytes = m.to_bytes();
        assert_eq!(TopicModel::from_bytes(&bytes)?, m);
        // A Fortran-ordered H writes the same bytes.
        let mut f = m.clone();
        f.h = f.h.t().as_standard_layout().t().to_owned();
        assert!(!f.h.is_standard_layout());
        assert_eq!(f.to_bytes(), bytes);
        let body = &bytes[..bytes.len() - 8];
        let decode = |b: Vec<u8>| TopicModel::from_bytes(&sealed(&b));
        let mut v = body.to_vec();
        v[4] = 7;
        assert!(is_decode(decode(v), "version 7"));
        let mut v = body.to_vec();
        v[6..14].copy_from_slice(&u64::MAX.to_le_bytes());
        assert!(is_decode(decode(v), "remain"));
        let mut v = body.to_vec();
        v.push(1);
        assert!(is_decode(decode(v), "trailing"));
        let mut bad = m.clone();
        bad.h[[0, 0]] = -1.0;
        assert!(is_decode(
            TopicModel::from_bytes(&bad.to_bytes()),
            "H values"
        ));
        let mut bad = m.clone();
        bad.w[[0, 0]] = f64::NAN;
        assert!(is_decode(
            TopicModel::from_bytes(&bad.to_bytes()),
            "W values"
        ));
        let mut bad = m.clone();
        bad.n_topics = 3;
        assert!(is_decode(TopicModel::from_bytes(&bad.to_bytes()), "topics"));
        let mut bad = m.clone();
        bad.w = Array2::zeros((6, 3));
        assert!(is_decode(TopicModel::from_bytes(&bad.to_bytes()), "W is"));
        let mut bad = m.clone();
        bad.options.tol = -1.0;
        assert!(is_decode(
            TopicModel::from_bytes(&bad.to_bytes()),
            "options"
        ));
        let mut bad = m.clone();
        bad.iterations = bad.options.max_iter + 1;
        assert!(is_decode(
            TopicModel::from_bytes(&bad.to_bytes()),
            "iterations"
        ));
        let mut bad = m.clone();
        bad.reconstruction_err = f64::INFINITY;
        assert!(is_decode(
            TopicModel::from_bytes(&bad.to_bytes()),
            "reconstruction"
        ));
        let mut bad = m;
        bad.vocabulary.push("a".into());
        assert!(is_decode(TopicModel::from_bytes(&bad.to_bytes()), "sorted"));
        Ok(())
    }
}
