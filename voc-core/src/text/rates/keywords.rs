//! Top keywords among negative texts and survey-reason shares.

use crate::error::{Error, Result, check_len};
use crate::stats::{IntervalOptions, Share, share};
use crate::text::Sets;

/// A keyword's weight among negative texts.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct KeywordRow {
    /// Keyword index.
    pub keyword: u32,
    /// Negative texts containing the keyword.
    pub negative_mentions: u64,
    /// All texts containing the keyword.
    pub mentions: u64,
    /// Share of negative texts that contain the keyword, with its interval.
    pub share_of_negative: Share,
    /// Share of the keyword's texts that are negative (NaN when it is never mentioned).
    pub negative_rate: f64,
}

/// Top keywords among negative texts, by number of negative texts mentioning them (ties: keyword index).
/// `opts` sets the confidence level and method of each keyword's share interval.
///
/// ```
/// use voc_core::stats::{IntervalOptions, ShareInterval};
/// use voc_core::text::{top_keywords, Sets};
/// let kw = Sets::from_rows(&[vec![0], vec![0, 1], vec![1], vec![]])?;
/// let opts = IntervalOptions::default().method(ShareInterval::ClopperPearson);
/// let rows = top_keywords(&kw, 2, &[true, true, false, true], 10, &opts)?;
/// assert_eq!((rows[0].keyword, rows[0].negative_mentions), (0, 2));
/// assert!((rows[0].share_of_negative.estimate - 2.0 / 3.0).abs() < 1e-12);
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn top_keywords(
    keywords: &Sets,
    n_keywords: usize,
    negative: &[bool],
    top: usize,
    opts: &IntervalOptions,
) -> Result<Vec<KeywordRow>> {
    opts.validate()?;
    keywords.validate("keywords", n_keywords)?;
    check_len("keywords", keywords.len(), "negative", negative.len())?;
    let n_neg = negative.iter().filter(|&&b| b).count() as u64;
    if n_neg == 0 {
        return Err(Error::Empty {
            arg: "negative",
            what: "no negative texts to rank keywords in",
        });
    }
    let mut all = vec![0u64; n_keywords];
    let mut neg = vec![0u64; n_keywords];
    for (i, &is_neg) in negative.iter().enumerate() {
        for &k in keywords.row(i) {
            let k = k as usize;
            if let Some(a) = all.get_mut(k) {
                *a += 1;
            }
            if is_neg && let Some(b) = neg.get_mut(k) {
                *b += 1;
            }
        }
    }
    let mut order: Vec<usize> = (0..n_keywords).filter(|&k| neg[k] > 0).collect();
    order.sort_by(|&a, &b| neg[b].cmp(&neg[a]).then(a.cmp(&b)));
    order.truncate(top);
    order
        .into_iter()
        .map(|k| {
            Ok(KeywordRow {
                keyword: k as u32,
                negative_mentions: neg[k],
                mentions: all[k],
                share_of_negative: share(neg[k] as f64, n_neg as f64, opts)?,
                negative_rate: neg[k] as f64 / all[k] as f64,
            })
        })
        .collect()
}

/// Share of respondents giving each reason (multi-select allowed: shares may sum above 1), with
/// intervals (confidence level and method from `opts`). `n` counts every respondent, including those
/// with no reason.
///
/// ```
/// use voc_core::stats::IntervalOptions;
/// use voc_core::text::{reason_shares, Sets};
/// let r = Sets::from_rows(&[vec![0], vec![0], vec![1], vec![2]])?;
/// let s = reason_shares(&r, 3, &IntervalOptions::default().confidence(0.9))?;
/// assert_eq!(s[0].ci.level, 0.9);
/// assert_eq!(s[0].estimate, 0.5);
/// assert_eq!(s[0].n, 4.0);
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn reason_shares(
    reasons: &Sets,
    n_reasons: usize,
    opts: &IntervalOptions,
) -> Result<Vec<Share>> {
    opts.validate()?;
    reasons.validate("reasons", n_reasons)?;
    let n = reasons.len();
    if n == 0 {
        return Err(Error::Empty {
            arg: "reasons",
            what: "no respondents",
        });
    }
    let mut counts = vec![0u64; n_reasons];
    for &r in &reasons.items {
        if let Some(c) = counts.get_mut(r as usize) {
            *c += 1;
        }
    }
    counts
        .into_iter()
        .map(|k| share(k as f64, n as f64, opts))
        .collect()
}
