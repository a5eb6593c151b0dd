//! Stratified, seeded k-fold cross-validation of the churn model.

use crate::stats::rng::Rng;
use ndarray::Axis;

use crate::Fit;
use crate::error::{Error, Result, check_len};
use crate::risk::logistic::complete_rows;
use crate::risk::{LogisticOptions, Missing, RiskData, roc_auc};

/// Out-of-fold results of [`cross_validate`].
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct CrossValidation {
    /// Fold of each row (0-based); `None` for a row left out as missing under
    /// [`Missing::Skip`](crate::risk::Missing::Skip).
    pub fold: Vec<Option<u32>>,
    /// Out-of-fold churn probability of each row (from the model fitted without its fold); NaN for a row
    /// left out as missing.
    pub probability: Vec<f64>,
    /// ROC AUC within each fold.
    pub fold_auc: Vec<f64>,
    /// ROC AUC of all out-of-fold probabilities pooled.
    pub pooled_auc: f64,
    /// Rows left out because a feature, the label or the weight was missing (under
    /// [`Missing::Skip`](crate::risk::Missing::Skip); 0 otherwise).
    pub n_missing: usize,
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
    let mut rng = Rng::seeded(seed, "seed")?;
    let mut fold = vec![0u32; y.len()];
    let mut next = 0usize;
    for class in [0.0, 1.0] {
        let mut rows: Vec<usize> = (0..y.len()).filter(|&i| y[i] == class).collect();
        rng.shuffle(&mut rows);
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
/// use ndarray::Array2;
/// use voc_core::risk::{cross_validate, LogisticOptions, RiskData};
/// let x = Array2::from_shape_fn((60, 1), |(i, _)| (i % 10) as f64);
/// let y: Vec<f64> = (0..60).map(|i| f64::from(u8::from((i * 7) % 10 < (i % 10)))).collect();
/// let cv = cross_validate(RiskData::new(x.view(), &y), &LogisticOptions::default(), 3, 1)?;
/// assert_eq!(cv.fold_auc.len(), 3);
/// assert!(cv.pooled_auc > 0.5);
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn cross_validate(
    data: RiskData<'_>,
    opts: &LogisticOptions,
    k: usize,
    seed: u64,
) -> Result<CrossValidation> {
    if opts.missing == Missing::Skip
        && let Some(complete) = complete_rows(&data)
    {
        // Cross-validate the complete rows, then spread the results back over every row.
        let x = data.x.select(Axis(0), &complete.rows);
        let mut part = RiskData::new(x.view(), &complete.y);
        part.names = data.names;
        part.sample_weight = complete.w.as_deref();
        let cv = cross_validate(part, opts, k, seed)?;
        let n = data.y.len();
        let (mut fold, mut probability) = (vec![None; n], vec![f64::NAN; n]);
        for (j, &i) in complete.rows.iter().enumerate() {
            fold[i] = cv.fold[j];
            probability[i] = cv.probability[j];
        }
        return Ok(CrossValidation {
            fold,
            probability,
            n_missing: complete.dropped,
            ..cv
        });
    }
    let RiskData {
        x,
        y,
        names,
        sample_weight,
    } = data;
    check_len("y", y.len(), "X rows", x.nrows())?;
    if let Some(w) = sample_weight {
        check_len("y", y.len(), "sample_weight", w.len())?;
    }
    let fold = stratified_folds(y, k, seed)?;
    let mut probability = vec![f64::NAN; y.len()];
    let mut fold_auc = Vec::with_capacity(k);
    for f in 0..k as u32 {
        crate::interrupt::check()?;
        let train: Vec<usize> = (0..y.len()).filter(|&i| fold[i] != f).collect();
        let test: Vec<usize> = (0..y.len()).filter(|&i| fold[i] == f).collect();
        let pick = |v: &[f64], rows: &[usize]| rows.iter().map(|&i| v[i]).collect::<Vec<f64>>();
        let xt = x.select(Axis(0), &train);
        let xs = x.select(Axis(0), &test);
        let (yt, wt) = (pick(y, &train), sample_weight.map(|w| pick(w, &train)));
        let mut part = RiskData::new(xt.view(), &yt);
        part.names = names;
        part.sample_weight = wt.as_deref();
        let model = opts.fit(part)?;
        let p = model.predict_proba(xs.view())?;
        fold_auc.push(roc_auc(&pick(y, &test), &p)?);
        for (&i, &v) in test.iter().zip(&p) {
            probability[i] = v;
        }
    }
    let pooled_auc = roc_auc(y, &probability)?;
    Ok(CrossValidation {
        fold: fold.into_iter().map(Some).collect(),
        probability,
        fold_auc,
        pooled_auc,
        n_missing: 0,
    })
}
