//! The class transformation (Jaskowski & Jaroszewicz 2012): one model of `z = y·t + (1 − y)(1 − t)`,
//! the arms weighted to equal totals.

use super::UpliftData;
use super::check::Arms;
use super::model::Learner;
use crate::Fit;
use crate::error::{Error, Result};
use crate::risk::{LogisticOptions, RiskData};

/// The class transformation's model of the transformed class on all rows of `data`, with the counts
/// of its arms `a`.
pub(super) fn fit(
    opts: &LogisticOptions,
    data: &UpliftData<'_>,
    a: &Arms,
    names: &[String],
) -> Result<Learner> {
    let n = data.outcome.len();
    let z: Vec<f64> = data
        .outcome
        .iter()
        .zip(data.treatment)
        .map(|(&y, &t)| y * t + (1.0 - y) * (1.0 - t))
        .collect();
    let positives = z.iter().filter(|&&v| v == 1.0).count();
    if positives == 0 || positives == n {
        return Err(Error::InsufficientData(format!(
            "the transformed class z = y·t + (1 − y)(1 − t) is {} on all {n} rows; the \
             class transformation needs both values",
            u8::from(positives == n)
        )));
    }
    let nf = n as f64;
    let w: Option<Vec<f64>> = (a.n_treated != a.n_control).then(|| {
        let (wt, wc) = (
            nf / (2.0 * a.n_treated as f64),
            nf / (2.0 * a.n_control as f64),
        );
        data.treatment
            .iter()
            .map(|&t| if t == 1.0 { wt } else { wc })
            .collect()
    });
    let mut d = RiskData::new(data.x, &z).names(names);
    d.sample_weight = w.as_deref();
    Ok(Learner::ClassTransformation {
        model: opts.fit(d)?,
    })
}
