//! The X-learner's second stage (Künzel et al. 2019): each arm's imputed effects from the other
//! arm's response model, a linear effect model per arm, mixed by the propensity.

use super::effect::EffectModel;
use super::model::Learner;
use super::t_learner::Split;
use crate::error::Result;
use crate::risk::LogisticModel;

/// The X-learner from the T-learner's response models `(mt, mc)` on the arms' rows `s`: `τ₁` fitted
/// to `y − μ₀(x)` on the treated rows, `τ₀` to `μ₁(x) − y` on the controls, and the propensity `g`.
pub(super) fn fit(
    s: &Split,
    mt: LogisticModel,
    mc: LogisticModel,
    names: &[String],
    propensity: f64,
) -> Result<Learner> {
    crate::interrupt::check()?;
    let d1: Vec<f64> = s
        .y_treated
        .iter()
        .zip(mc.predict_proba(s.x_treated.view())?)
        .map(|(y, m0)| y - m0)
        .collect();
    let d0: Vec<f64> = mt
        .predict_proba(s.x_control.view())?
        .iter()
        .zip(&s.y_control)
        .map(|(m1, y)| m1 - y)
        .collect();
    let effect_treated = EffectModel::fit(s.x_treated.view(), &d1, names, "treated")?;
    let effect_control = EffectModel::fit(s.x_control.view(), &d0, names, "control")?;
    Ok(Learner::XLearner {
        treated: mt,
        control: mc,
        effect_treated,
        effect_control,
        propensity,
    })
}
