//! Uplift and Qini curves, the areas under them and their normalised scores, and uplift at the top k.
//!
//! The definitions are scikit-uplift 0.5.1's (`sklift.metrics`), to the floating-point operation:
//! rows are ranked by predicted uplift (highest first), and each curve has one point per distinct
//! score (ties are one step), after the point (0, 0):
//!
//! - **uplift curve** at the first `k` ranked rows: `(r_t(k) − r_c(k)) · k`, where `r_t`, `r_c` are the
//!   response rates of the treated and control rows among them (a rate is 0 while its arm is empty);
//! - **Qini curve** (Radcliffe 2007): `Y_t(k) − Y_c(k) · N_t(k) / N_c(k)`, the extra responders among
//!   the treated of the first `k` rows, with `Y` responders and `N` rows per arm (the ratio is 0 while
//!   `N_c(k) = 0`).
//!
//! Areas are trapezoids (as `sklearn.metrics.auc`, summed in numpy's pairwise order, so they agree bit
//! for bit). A normalised score is `(area − random) / (perfect − random)`: the random line joins
//! (0, 0) to the curve's last point, the perfect curve is that of the best possible ranking.

use super::check::{Arms, arms, descending, descending_labelled, scores};
use crate::error::{Error, Result};

/// Points of a curve: `targeted[i]` rows ranked first give `value[i]`.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Curve {
    /// Number of rows targeted (0 first, then one point per distinct score; the perfect Qini curve
    /// without negative effects has a fractional middle point).
    pub targeted: Vec<f64>,
    /// The curve's value there (extra responders for Qini, uplift × rows for the uplift curve).
    pub value: Vec<f64>,
}

/// Which curve.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Qini,
    Uplift,
}

/// The points of a `kind` curve of the rows in `order` (ranked, highest score first), one per tie
/// group of `score`, each row counted `weight` times (1 without weights; 0 leaves the row out).
pub(crate) fn points(
    kind: Kind,
    order: &[usize],
    score: &[f64],
    y: &[f64],
    t: &[f64],
    weight: Option<&[u32]>,
) -> Curve {
    let mut targeted = Vec::with_capacity(order.len() + 1);
    let mut value = Vec::with_capacity(order.len() + 1);
    targeted.push(0.0);
    value.push(0.0);
    // Running sums (exact integers held as floats, as sklearn's stable_cumsum).
    let (mut all, mut nt, mut yt, mut yc) = (0.0_f64, 0.0_f64, 0.0_f64, 0.0_f64);
    let mut last_all = 0.0;
    for (k, &i) in order.iter().enumerate() {
        let m = weight.map_or(1.0, |w| f64::from(w[i]));
        all += m;
        if t[i] == 1.0 {
            nt += m;
            yt += m * y[i];
        } else {
            yc += m * y[i];
        }
        let end = order.get(k + 1).is_none_or(|&j| score[j] != score[i]);
        if !end || all == last_all {
            continue;
        }
        last_all = all;
        let nc = all - nt;
        let v = match kind {
            Kind::Uplift => {
                let rt = if nt != 0.0 { yt / nt } else { 0.0 };
                let rc = if nc != 0.0 { yc / nc } else { 0.0 };
                (rt - rc) * all
            }
            Kind::Qini => yt - yc * if nc != 0.0 { nt / nc } else { 0.0 },
        };
        targeted.push(all);
        value.push(v);
    }
    Curve { targeted, value }
}

/// [`points`] of the Qini curve of rows ranked by [`descending_labelled`] (unweighted): the same sums
/// at the end of each tie group, read from the sorted keys and labels (outcome · 2 + treatment)
/// instead of through the positions. Within a group the rows come in another order than
/// [`points`] takes them, but every sum is a whole number held exactly, so each point has the same bits.
pub(crate) fn qini_points_labelled(keys: &[u64], labels: &[u32]) -> Curve {
    let mut targeted = Vec::with_capacity(keys.len() + 1);
    let mut value = Vec::with_capacity(keys.len() + 1);
    targeted.push(0.0);
    value.push(0.0);
    let (mut all, mut nt, mut yt, mut yc) = (0.0_f64, 0.0_f64, 0.0_f64, 0.0_f64);
    for (k, (&key, &l)) in keys.iter().zip(labels).enumerate() {
        // No branch on the arm (the arms alternate at random): the counts move by 0 or 1.
        let (t, y) = (f64::from(l & 1), f64::from((l >> 1) & 1));
        all += 1.0;
        nt += t;
        yt += t * y;
        yc += (1.0 - t) * y;
        if keys.get(k + 1).is_some_and(|&next| next == key) {
            continue;
        }
        let nc = all - nt;
        targeted.push(all);
        value.push(yt - yc * if nc != 0.0 { nt / nc } else { 0.0 });
    }
    Curve { targeted, value }
}

/// numpy's pairwise summation (`np.add.reduce` of a contiguous float64 array): the same bits.
pub(crate) fn pairwise_sum(a: &[f64]) -> f64 {
    fn pw(a: &[f64]) -> f64 {
        let n = a.len();
        if n < 8 {
            a.iter().fold(-0.0, |r, &v| r + v)
        } else if n <= 128 {
            let mut r = [0.0; 8];
            r.copy_from_slice(&a[..8]);
            let full = n - n % 8;
            for block in a[8..full].chunks_exact(8) {
                for (acc, &v) in r.iter_mut().zip(block) {
                    *acc += v;
                }
            }
            let mut res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
            for &v in &a[full..] {
                res += v;
            }
            res
        } else {
            let mut n2 = n / 2;
            n2 -= n2 % 8;
            pw(&a[..n2]) + pw(&a[n2..])
        }
    }
    0.0 + pw(a)
}

/// Area under a curve by the trapezoid rule (`sklearn.metrics.auc` on increasing `x`).
pub(crate) fn trapezoid(x: &[f64], y: &[f64]) -> f64 {
    let terms: Vec<f64> = x
        .windows(2)
        .zip(y.windows(2))
        .map(|(x, y)| (x[1] - x[0]) * (y[1] + y[0]) / 2.0)
        .collect();
    pairwise_sum(&terms)
}

/// Areas under a curve, under its random line and under the perfect curve, and the normalised score.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct AucScore {
    /// The normalised score `(area − random_area) / (perfect_area − random_area)`: 0 for a random
    /// ranking, 1 for the perfect one (scikit-uplift's `qini_auc_score` / `uplift_auc_score`).
    pub estimate: f64,
    /// Area under the model's curve.
    pub area: f64,
    /// Area under the random line from (0, 0) to the curve's end (n, overall effect).
    pub random_area: f64,
    /// Area under the perfect curve.
    pub perfect_area: f64,
    /// The counts of the test.
    pub arms: Arms,
}

fn score(actual: &Curve, perfect: &Curve, arms: Arms, what: &str) -> Result<AucScore> {
    let (Some(&x_end), Some(&y_end)) = (perfect.targeted.last(), perfect.value.last()) else {
        return Err(Error::InsufficientData(format!(
            "the perfect {what} curve has no points"
        )));
    };
    let random_area = trapezoid(&[0.0, x_end], &[0.0, y_end]);
    let area = trapezoid(&actual.targeted, &actual.value);
    let perfect_area = trapezoid(&perfect.targeted, &perfect.value);
    let best = perfect_area - random_area;
    if best == 0.0 {
        return Err(Error::InsufficientData(format!(
            "the perfect {what} curve is the random line ({} of {} treated and {} of {} controls \
             responded): no ranking can beat chance, so the normalised score is undefined",
            arms.responders_treated, arms.n_treated, arms.responders_control, arms.n_control
        )));
    }
    Ok(AucScore {
        estimate: (area - random_area) / best,
        area,
        random_area,
        perfect_area,
        arms,
    })
}

fn checked(outcome: &[f64], treatment: &[f64], uplift: &[f64]) -> Result<Arms> {
    let a = arms(outcome, treatment)?;
    scores("uplift", uplift, outcome.len())?;
    Ok(a)
}

/// The Qini curve of the ranking by `uplift` (`sklift.metrics.qini_curve`).
///
/// `outcome` is 0/1 (1: the response the play aims for, e.g. stayed), `treatment` 0/1 (1: contacted),
/// `uplift` the predicted effect per row (any finite score; only its order matters).
///
/// ```
/// use voc_core::uplift::qini_curve;
/// let c = qini_curve(&[1.0, 0.0, 1.0, 0.0], &[1.0, 0.0, 0.0, 1.0], &[0.9, 0.5, 0.4, 0.1])?;
/// assert_eq!(c.targeted, [0.0, 1.0, 2.0, 3.0, 4.0]);
/// assert_eq!(c.value, [0.0, 1.0, 1.0, 0.5, 0.0]);
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn qini_curve(outcome: &[f64], treatment: &[f64], uplift: &[f64]) -> Result<Curve> {
    checked(outcome, treatment, uplift)?;
    let order = descending(uplift);
    Ok(points(Kind::Qini, &order, uplift, outcome, treatment, None))
}

/// The uplift curve of the ranking by `uplift` (`sklift.metrics.uplift_curve`); its last point is
/// the overall difference in response rates × n.
///
/// ```
/// use voc_core::uplift::uplift_curve;
/// let c = uplift_curve(&[1.0, 0.0, 1.0, 0.0], &[1.0, 0.0, 0.0, 1.0], &[0.9, 0.5, 0.4, 0.1])?;
/// assert_eq!(c.value, [0.0, 1.0, 2.0, 1.5, 0.0]);
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn uplift_curve(outcome: &[f64], treatment: &[f64], uplift: &[f64]) -> Result<Curve> {
    checked(outcome, treatment, uplift)?;
    let order = descending(uplift);
    Ok(points(
        Kind::Uplift,
        &order,
        uplift,
        outcome,
        treatment,
        None,
    ))
}

/// The scores of the perfect ranking for a Qini curve with negative effects: treated responders
/// first, control responders last.
pub(crate) fn perfect_qini_scores(outcome: &[f64], treatment: &[f64]) -> Vec<f64> {
    outcome
        .iter()
        .zip(treatment)
        .map(|(&y, &t)| y * t - y * (1.0 - t))
        .collect()
}

/// The perfect Qini curve (`sklift.metrics.perfect_qini_curve`). With `negative_effect` it ranks
/// treated responders first and control responders last; without, it is the three points (0, 0),
/// (r, r), (n, r) with r the overall extra responders, and undefined (an error) when r < 0.
///
/// ```
/// use voc_core::uplift::perfect_qini_curve;
/// let c = perfect_qini_curve(&[1.0, 0.0, 1.0, 0.0], &[1.0, 0.0, 0.0, 1.0], true)?;
/// assert_eq!(c.targeted, [0.0, 1.0, 3.0, 4.0]);
/// assert_eq!(c.value, [0.0, 1.0, 1.0, 0.0]);
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn perfect_qini_curve(
    outcome: &[f64],
    treatment: &[f64],
    negative_effect: bool,
) -> Result<Curve> {
    let a = arms(outcome, treatment)?;
    perfect_qini(a, negative_effect)
}

fn perfect_qini(a: Arms, negative_effect: bool) -> Result<Curve> {
    if negative_effect {
        return Ok(perfect_qini_negative(a));
    }
    let r = a.responders_treated as f64
        - a.n_treated as f64 * a.responders_control as f64 / a.n_control as f64;
    if r < 0.0 {
        return Err(Error::InsufficientData(format!(
            "the treated respond less than the controls overall ({} of {} vs {} of {}): the \
             perfect Qini curve without negative effects is undefined; use negative_effect=true",
            a.responders_treated, a.n_treated, a.responders_control, a.n_control
        )));
    }
    Ok(Curve {
        targeted: vec![0.0, r, a.n() as f64],
        value: vec![0.0, r, r],
    })
}

/// The perfect Qini curve with negative effects from the counts alone. Its ranking has three tie
/// groups (treated responders, then the rows without a response, then control responders), so
/// [`points`] on it emits at most three points after (0, 0), each from running sums that are exact
/// integers: computed here from the counts with the same operations, it is the same curve bit for
/// bit, without sorting n rows.
fn perfect_qini_negative(a: Arms) -> Curve {
    let f = |v: usize| v as f64;
    let (rt, rc) = (f(a.responders_treated), f(a.responders_control));
    let (n_t, n_c) = (f(a.n_treated), f(a.n_control));
    let qini = |yt: f64, yc: f64, nt: f64, nc: f64| yt - yc * if nc != 0.0 { nt / nc } else { 0.0 };
    let mut targeted = vec![0.0];
    let mut value = vec![0.0];
    // Rows ranked after each group: (all, treated, treated responders, control responders).
    let groups = [
        (rt, rt, rt, 0.0),
        (n_t + n_c - rc, n_t, rt, 0.0),
        (n_t + n_c, n_t, rt, rc),
    ];
    let mut last_all = 0.0;
    for (all, nt, yt, yc) in groups {
        if all == last_all {
            continue;
        }
        last_all = all;
        targeted.push(all);
        value.push(qini(yt, yc, nt, all - nt));
    }
    Curve { targeted, value }
}

/// The scores of the perfect ranking for an uplift curve (scikit-uplift's: `2·[y = t] + y` when more
/// controls respond than treated rows fail to, else `2·[y = t] + t`).
pub(crate) fn perfect_uplift_scores(outcome: &[f64], treatment: &[f64], a: Arms) -> Vec<f64> {
    let by_outcome = a.responders_control > a.n_treated - a.responders_treated;
    outcome
        .iter()
        .zip(treatment)
        .map(|(&y, &t)| 2.0 * f64::from(u8::from(y == t)) + if by_outcome { y } else { t })
        .collect()
}

/// The perfect uplift curve (`sklift.metrics.perfect_uplift_curve`).
///
/// ```
/// use voc_core::uplift::perfect_uplift_curve;
/// let c = perfect_uplift_curve(&[1.0, 0.0, 1.0, 0.0], &[1.0, 0.0, 0.0, 1.0])?;
/// assert_eq!(c.targeted.len(), 5); // four distinct perfect scores, after (0, 0)
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn perfect_uplift_curve(outcome: &[f64], treatment: &[f64]) -> Result<Curve> {
    let a = arms(outcome, treatment)?;
    let s = perfect_uplift_scores(outcome, treatment, a);
    let order = descending(&s);
    Ok(points(Kind::Uplift, &order, &s, outcome, treatment, None))
}

/// The Qini coefficient: the normalised area under the Qini curve (`sklift.metrics.qini_auc_score`),
/// with the perfect curve with or without negative effects.
///
/// ```
/// use voc_core::uplift::qini_auc;
/// let y = [1.0, 0.0, 1.0, 0.0, 1.0, 0.0];
/// let t = [1.0, 0.0, 0.0, 1.0, 1.0, 0.0];
/// let q = qini_auc(&y, &t, &[0.9, 0.1, 0.2, 0.5, 0.8, 0.3], true)?;
/// assert!(q.estimate > 0.0 && q.estimate <= 1.0);
/// // Ranking treated responders first and control responders last is perfect.
/// let best = qini_auc(&y, &t, &[1.0, 0.0, -1.0, 0.0, 1.0, 0.0], true)?;
/// assert_eq!(best.estimate, 1.0);
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn qini_auc(
    outcome: &[f64],
    treatment: &[f64],
    uplift: &[f64],
    negative_effect: bool,
) -> Result<AucScore> {
    let a = checked(outcome, treatment, uplift)?;
    let (keys, labels) = descending_labelled(uplift, outcome, treatment);
    let actual = qini_points_labelled(&keys, &labels);
    let perfect = perfect_qini(a, negative_effect)?;
    score(&actual, &perfect, a, "Qini")
}

/// AUUC: the normalised area under the uplift curve (`sklift.metrics.uplift_auc_score`).
///
/// ```
/// use voc_core::uplift::uplift_auc;
/// let y = [1.0, 0.0, 1.0, 0.0, 1.0, 0.0];
/// let t = [1.0, 0.0, 0.0, 1.0, 1.0, 0.0];
/// let u = uplift_auc(&y, &t, &[0.9, 0.1, 0.2, 0.5, 0.8, 0.3])?;
/// assert!(u.estimate > 0.0);
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn uplift_auc(outcome: &[f64], treatment: &[f64], uplift: &[f64]) -> Result<AucScore> {
    let a = checked(outcome, treatment, uplift)?;
    let order = descending(uplift);
    let actual = points(Kind::Uplift, &order, uplift, outcome, treatment, None);
    let s = perfect_uplift_scores(outcome, treatment, a);
    let perfect = points(Kind::Uplift, &descending(&s), &s, outcome, treatment, None);
    score(&actual, &perfect, a, "uplift")
}

/// How many rows "the top k" are: a count, or a share of the rows.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum TopK {
    /// The first `k` rows (1 ≤ k ≤ n; per arm with [`AtKStrategy::ByGroup`]).
    Count(usize),
    /// The first `⌊share · n⌋` rows, share in (0, 1] (per arm with [`AtKStrategy::ByGroup`]).
    Share(f64),
}

/// How uplift at k takes the top rows. Spelled `overall`, `by_group`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum AtKStrategy {
    /// The first k rows of all rows ranked together, then the response rate of each arm among them.
    #[default]
    Overall,
    /// The first k rows of each arm ranked separately (k of each, or the share of each arm).
    ByGroup,
}

crate::named_enum!(AtKStrategy, "strategy", {
    Overall => "overall",
    ByGroup => "by_group",
});

/// Uplift among the top-ranked rows.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct UpliftAtK {
    /// Response rate of the treated minus that of the controls among the top rows.
    pub estimate: f64,
    /// Response rate of the treated among them.
    pub rate_treated: f64,
    /// Response rate of the controls among them.
    pub rate_control: f64,
    /// Treated rows among them.
    pub n_treated: usize,
    /// Control rows among them.
    pub n_control: usize,
    /// The strategy used.
    pub strategy: AtKStrategy,
}

/// Uplift at the top k (`sklift.metrics.uplift_at_k`): the difference in response rates among the
/// `k` highest-ranked rows (ties broken as scikit-uplift does: the later row first).
///
/// scikit-uplift accepts counts below n and shares below 1; here `k = n` and a share of 1 are allowed
/// too (both give the overall difference). A count above n (or above an arm's size with
/// [`AtKStrategy::ByGroup`]) is [`Error::TooLarge`]; top rows with no treated or no control row are
/// [`Error::InsufficientData`] (scikit-uplift returns NaN).
///
/// ```
/// use voc_core::uplift::{AtKStrategy, TopK, uplift_at_k};
/// let y = [1.0, 0.0, 1.0, 0.0, 1.0, 0.0];
/// let t = [1.0, 0.0, 0.0, 1.0, 1.0, 0.0];
/// let u = [0.9, 0.1, 0.2, 0.5, 0.8, 0.3];
/// let top = uplift_at_k(&y, &t, &u, TopK::Count(4), AtKStrategy::Overall)?;
/// assert_eq!((top.n_treated, top.n_control, top.estimate), (3, 1, 2.0 / 3.0));
/// // The top 3 are all treated: no control rate to compare with.
/// assert!(uplift_at_k(&y, &t, &u, TopK::Share(0.5), AtKStrategy::Overall).is_err());
/// let all = uplift_at_k(&y, &t, &u, TopK::Share(1.0), AtKStrategy::Overall)?;
/// assert!((all.estimate - (2.0 / 3.0 - 1.0 / 3.0)).abs() < 1e-15);
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn uplift_at_k(
    outcome: &[f64],
    treatment: &[f64],
    uplift: &[f64],
    k: TopK,
    strategy: AtKStrategy,
) -> Result<UpliftAtK> {
    let a = checked(outcome, treatment, uplift)?;
    let n = a.n();
    let take = |size: usize| -> Result<usize> {
        match k {
            TopK::Count(c) => {
                if c == 0 {
                    return Err(Error::option("k", c, "must be at least 1"));
                }
                if c > size {
                    return Err(Error::too_large(
                        "k",
                        c,
                        size,
                        "the top k cannot hold more rows than there are",
                    ));
                }
                Ok(c)
            }
            TopK::Share(s) => {
                if !(s > 0.0 && s <= 1.0) {
                    return Err(Error::option("k", s, "a share must lie in (0, 1]"));
                }
                Ok((size as f64 * s) as usize)
            }
        }
    };
    let order = descending(uplift);
    let (mut nt, mut yt, mut nc, mut yc) = (0usize, 0usize, 0usize, 0usize);
    match strategy {
        AtKStrategy::Overall => {
            let size = take(n)?;
            for &i in &order[..size] {
                let y = usize::from(outcome[i] == 1.0);
                if treatment[i] == 1.0 {
                    nt += 1;
                    yt += y;
                } else {
                    nc += 1;
                    yc += y;
                }
            }
        }
        AtKStrategy::ByGroup => {
            let (kt, kc) = (take(a.n_treated)?, take(a.n_control)?);
            for &i in &order {
                let y = usize::from(outcome[i] == 1.0);
                if treatment[i] == 1.0 {
                    if nt < kt {
                        nt += 1;
                        yt += y;
                    }
                } else if nc < kc {
                    nc += 1;
                    yc += y;
                }
            }
        }
    }
    if nt == 0 || nc == 0 {
        return Err(Error::InsufficientData(format!(
            "the top rows hold {nt} treated and {nc} control rows; uplift at k needs both arms \
             (take more rows, or strategy by_group)"
        )));
    }
    let (rate_treated, rate_control) = (yt as f64 / nt as f64, yc as f64 / nc as f64);
    Ok(UpliftAtK {
        estimate: rate_treated - rate_control,
        rate_treated,
        rate_control,
        n_treated: nt,
        n_control: nc,
        strategy,
    })
}
