//! Stratified, seeded k-fold cross-validation of the churn model.

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use crate::error::{Error, Result};
use crate::risk::{LogisticOptions, fit, roc_auc};

/// Out-of-fold results of [`cross_validate`].
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct CrossValidation {
    /// Fold of each row (0-based).
    pub fold: Vec<u32>,
    /// Out-of-fold churn probability of each row (from the model fitted without its fold).
    pub probability: Vec<f64>,
    /// ROC AUC within each fold.
    pub fold_auc: Vec<f64>,
    /// ROC AUC of all out-of-fold probabilities pooled.
    pub pooled_auc: f64,
}

/// Stratified folds: each class is shuffled (ChaCha8 from `seed`) and dealt round-robin into `k` folds,
/// so every fold has the overall churn rate (±1 row).
///
/// ```
/// let f = voc_core::risk::stratified_folds(&[1.0, 0.0, 1.0, 0.0, 0.0, 0.0], 2, 7)?;
/// assert_eq!(f.iter().filter(|&&k| k == 0).count(), 3);
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn stratified_folds(y: &[f64], k: usize, seed: u64) -> Result<Vec<u32>> {
    if k < 2 || k > y.len() {
        return Err(Error::option(
            "k",
            k,
            format!("must lie in 2..={}", y.len()),
        ));
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut fold = vec![0u32; y.len()];
    let mut next = 0usize;
    for class in [0.0, 1.0] {
        let mut rows: Vec<usize> = (0..y.len()).filter(|&i| y[i] == class).collect();
        rows.shuffle(&mut rng);
        for r in rows {
            fold[r] = (next % k) as u32;
            next += 1;
        }
    }
    Ok(fold)
}

/// Fits the model `k` times, each time without one fold, and scores the held-out fold.
///
/// ```
/// use voc_core::risk::{cross_validate, LogisticOptions};
/// let x: Vec<f64> = (0..60).map(|i| (i % 10) as f64).collect();
/// let y: Vec<f64> = (0..60).map(|i| f64::from(u8::from((i * 7) % 10 < (i % 10)))).collect();
/// let cv = cross_validate(&[&x], &["x".into()], &y, None, &LogisticOptions::default(), 3, 1)?;
/// assert_eq!(cv.fold_auc.len(), 3);
/// assert!(cv.pooled_auc > 0.5);
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn cross_validate(
    x: &[&[f64]],
    names: &[String],
    y: &[f64],
    sample_weight: Option<&[f64]>,
    opts: &LogisticOptions,
    k: usize,
    seed: u64,
) -> Result<CrossValidation> {
    let fold = stratified_folds(y, k, seed)?;
    let mut probability = vec![f64::NAN; y.len()];
    let mut fold_auc = Vec::with_capacity(k);
    for f in 0..k as u32 {
        let train: Vec<usize> = (0..y.len()).filter(|&i| fold[i] != f).collect();
        let test: Vec<usize> = (0..y.len()).filter(|&i| fold[i] == f).collect();
        let pick = |v: &[f64], rows: &[usize]| rows.iter().map(|&i| v[i]).collect::<Vec<f64>>();
        let xt: Vec<Vec<f64>> = x.iter().map(|c| pick(c, &train)).collect();
        let xs: Vec<Vec<f64>> = x.iter().map(|c| pick(c, &test)).collect();
        let wt = sample_weight.map(|w| pick(w, &train));
        let xt_ref: Vec<&[f64]> = xt.iter().map(Vec::as_slice).collect();
        let xs_ref: Vec<&[f64]> = xs.iter().map(Vec::as_slice).collect();
        let model = fit(&xt_ref, names, &pick(y, &train), wt.as_deref(), opts)?;
        let p = model.predict_proba(&xs_ref)?;
        fold_auc.push(roc_auc(&pick(y, &test), &p)?);
        for (&i, &v) in test.iter().zip(&p) {
            probability[i] = v;
        }
    }
    let pooled_auc = roc_auc(y, &probability)?;
    Ok(CrossValidation {
        fold,
        probability,
        fold_auc,
        pooled_auc,
    })
}
