//! Value × voice segmentation: value tiers crossed with what the customer says (or does not say).
//!
//! **Value tiers** come from one value column (monetary value or CLV): either quantile cut points
//! (default 0.5 and 0.8: the bottom half is "low", the next 30 % "mid", the top 20 % "high") or fixed
//! thresholds. Quantiles are numpy's default (linear interpolation, Hyndman–Fan type 7) over all rows; a
//! row is in tier `t` when its value is ≥ cut `t` and < cut `t + 1`, so equal values always share a tier.
//!
//! **Voice** comes from ordered rules on named columns; the first rule whose conditions all hold names
//! the voice, and a row no rule matches gets the fallback voice ("silent": no score and no active
//! complaint). A condition on NaN is false, except `is missing`. The defaults
//! ([`VoiceRule::defaults`]) read the signals columns `tickets_90d`, `theme_price` and `nps_last`:
//!
//! | voice | rule |
//! |---|---|
//! | active complainer | `tickets_90d >= 2` |
//! | price-sensitive | `theme_price >= 1` |
//! | detractor | `nps_last <= 6` |
//! | passive | `nps_last <= 8` |
//! | promoter | `nps_last >= 9` |
//! | silent | (fallback) |
//!
//! With discount data add e.g. `("price-sensitive", "discount_share >= 0.5")`.
//!
//! **Segments** are all tier × voice cells, named `"{tier}-value {voice}"` (e.g. "high-value active
//! complainer"), including empty ones, with a recommended retention play per segment from ordered play
//! rules ([`Play::defaults`]; `*` matches any tier or voice).

use crate::error::{Error, Result, check_len};
use crate::stats::quantile_sorted;

/// A comparison in a voice condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Op {
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `is missing` (NaN)
    Missing,
    /// `is present` (not NaN)
    Present,
}

/// One condition `column op value`.
///
/// ```
/// use voc_core::segment::Condition;
/// let c = Condition::parse("nps_last <= 6")?;
/// assert!(c.holds(3.0) && !c.holds(7.0) && !c.holds(f64::NAN));
/// assert!(Condition::parse("nps_last is missing")?.holds(f64::NAN));
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Condition {
    /// Column name.
    pub column: String,
    /// Comparison.
    pub op: Op,
    /// Right-hand side (unused by `Missing` / `Present`).
    pub value: f64,
}

impl Condition {
    /// Parses `"column op number"` (op one of `< <= > >= == !=`) or `"column is missing"` /
    /// `"column is present"`.
    ///
    /// ```
    /// assert!(voc_core::segment::Condition::parse("tickets_90d >> 2").is_err());
    /// ```
    pub fn parse(text: &str) -> Result<Self> {
        let parts: Vec<&str> = text.split_whitespace().collect();
        let bad = |why: &str| Error::option("voice rule", text, why.to_owned());
        match parts.as_slice() {
            [col, "is", "missing"] => Ok(Condition {
                column: (*col).to_owned(),
                op: Op::Missing,
                value: f64::NAN,
            }),
            [col, "is", "present"] => Ok(Condition {
                column: (*col).to_owned(),
                op: Op::Present,
                value: f64::NAN,
            }),
            [col, op, v] => {
                let op = match *op {
                    "<" => Op::Lt,
                    "<=" => Op::Le,
                    ">" => Op::Gt,
                    ">=" => Op::Ge,
                    "==" => Op::Eq,
                    "!=" => Op::Ne,
                    _ => return Err(bad("the operator must be one of < <= > >= == !=")),
                };
                let value: f64 = v
                    .parse()
                    .map_err(|_| bad("the right-hand side must be a number"))?;
                if !value.is_finite() {
                    return Err(bad("the right-hand side must be finite"));
                }
                Ok(Condition {
                    column: (*col).to_owned(),
                    op,
                    value,
                })
            }
            _ => Err(bad(
                "expected \"column op number\" or \"column is missing|present\"",
            )),
        }
    }

    /// Whether the condition holds for value `x` (NaN fails every comparison).
    ///
    /// ```
    /// let c = voc_core::segment::Condition::parse("x != 1")?;
    /// assert!(c.holds(2.0) && !c.holds(f64::NAN));
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn holds(&self, x: f64) -> bool {
        match self.op {
            Op::Lt => x < self.value,
            Op::Le => x <= self.value,
            Op::Gt => x > self.value,
            Op::Ge => x >= self.value,
            Op::Eq => x == self.value,
            Op::Ne => !x.is_nan() && x != self.value,
            Op::Missing => x.is_nan(),
            Op::Present => !x.is_nan(),
        }
    }
}

impl std::fmt::Display for Condition {
    /// The text [`Condition::parse`] reads back.
    ///
    /// ```
    /// use voc_core::segment::Condition;
    /// for text in ["nps_last <= 6", "tickets_90d >= 2.5", "nps_last is missing"] {
    ///     assert_eq!(Condition::parse(text)?.to_string(), text);
    /// }
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let op = match self.op {
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::Eq => "==",
            Op::Ne => "!=",
            Op::Missing => return write!(f, "{} is missing", self.column),
            Op::Present => return write!(f, "{} is present", self.column),
        };
        write!(f, "{} {op} {}", self.column, self.value)
    }
}

/// A voice rule: the voice a row gets when all conditions hold.
///
/// ```
/// use voc_core::segment::VoiceRule;
/// let r = VoiceRule::parse("detractor", "nps_last <= 6 & tickets >= 1")?;
/// assert_eq!(r.when.len(), 2);
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct VoiceRule {
    /// Voice name.
    pub voice: String,
    /// Conditions, all of which must hold.
    pub when: Vec<Condition>,
}

impl VoiceRule {
    /// A rule from a voice and conditions joined by `&` (or `and`).
    ///
    /// ```
    /// assert!(voc_core::segment::VoiceRule::parse("x", "").is_err());
    /// ```
    pub fn parse(voice: &str, when: &str) -> Result<Self> {
        let when: Vec<Condition> = when
            .replace(" and ", " & ")
            .split('&')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(Condition::parse)
            .collect::<Result<_>>()?;
        if when.is_empty() {
            return Err(Error::option(
                "voice rule",
                voice,
                "needs at least one condition",
            ));
        }
        Ok(VoiceRule {
            voice: voice.to_owned(),
            when,
        })
    }

    /// The default rules (see the module docs).
    ///
    /// ```
    /// assert_eq!(voc_core::segment::VoiceRule::defaults()[0].voice, "active complainer");
    /// ```
    pub fn defaults() -> Vec<VoiceRule> {
        let rule = |voice: &str, column: &str, op: Op, value: f64| VoiceRule {
            voice: voice.to_owned(),
            when: vec![Condition {
                column: column.to_owned(),
                op,
                value,
            }],
        };
        vec![
            rule("active complainer", "tickets_90d", Op::Ge, 2.0),
            rule("price-sensitive", "theme_price", Op::Ge, 1.0),
            rule("detractor", "nps_last", Op::Le, 6.0),
            rule("passive", "nps_last", Op::Le, 8.0),
            rule("promoter", "nps_last", Op::Ge, 9.0),
        ]
    }
}

impl VoiceRule {
    /// The conditions as the text [`VoiceRule::parse`] reads back (joined by `" & "`).
    ///
    /// ```
    /// use voc_core::segment::VoiceRule;
    /// let r = VoiceRule::parse("detractor", "nps_last <= 6 and tickets >= 1")?;
    /// assert_eq!(r.when_text(), "nps_last <= 6 & tickets >= 1");
    /// assert_eq!(VoiceRule::parse("detractor", &r.when_text())?, r);
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn when_text(&self) -> String {
        self.when
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(" & ")
    }

    /// The columns the rule reads, in order of first use, without repeats.
    ///
    /// ```
    /// use voc_core::segment::VoiceRule;
    /// let r = VoiceRule::parse("x", "a >= 1 & b < 2 & a <= 5")?;
    /// assert_eq!(r.columns(), vec!["a", "b"]);
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn columns(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for c in &self.when {
            if !out.contains(&c.column.as_str()) {
                out.push(c.column.as_str());
            }
        }
        out
    }
}

/// A recommended retention play for the segments matching `tier` and `voice` (`"*"` = any).
///
/// ```
/// use voc_core::segment::Play;
/// let p = Play::new("high", "*", "senior agent call");
/// assert!(p.matches("high", "detractor") && !p.matches("low", "detractor"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Play {
    /// Tier name or `*`.
    pub tier: String,
    /// Voice name or `*`.
    pub voice: String,
    /// The play.
    pub play: String,
}

impl Play {
    /// A play rule.
    ///
    /// ```
    /// assert_eq!(voc_core::segment::Play::new("*", "*", "monitor").play, "monitor");
    /// ```
    pub fn new(tier: &str, voice: &str, play: &str) -> Self {
        Play {
            tier: tier.to_owned(),
            voice: voice.to_owned(),
            play: play.to_owned(),
        }
    }

    /// Whether the rule covers `(tier, voice)`.
    ///
    /// ```
    /// assert!(voc_core::segment::Play::new("*", "silent", "check in").matches("mid", "silent"));
    /// ```
    pub fn matches(&self, tier: &str, voice: &str) -> bool {
        (self.tier == "*" || self.tier == tier) && (self.voice == "*" || self.voice == voice)
    }

    /// The default plays (first match wins).
    ///
    /// ```
    /// use voc_core::segment::Play;
    /// let plays = Play::defaults();
    /// let first = plays.iter().find(|p| p.matches("high", "silent")).map(|p| p.play.as_str());
    /// assert_eq!(first, Some("proactive check-in by the account owner"));
    /// ```
    pub fn defaults() -> Vec<Play> {
        vec![
            Play::new(
                "high",
                "active complainer",
                "senior agent call within 24 h; fix the open issue",
            ),
            Play::new(
                "high",
                "detractor",
                "senior agent call; close the loop on the score",
            ),
            Play::new("high", "silent", "proactive check-in by the account owner"),
            Play::new(
                "high",
                "price-sensitive",
                "loyalty benefit (free shipping, early access), not a blanket discount",
            ),
            Play::new("high", "passive", "personal offer to lift the experience"),
            Play::new("high", "promoter", "referral and advocacy programme"),
            Play::new("*", "active complainer", "priority resolution and apology"),
            Play::new("*", "detractor", "follow-up survey and service recovery"),
            Play::new("*", "price-sensitive", "targeted coupon"),
            Play::new("mid", "silent", "re-engagement campaign"),
            Play::new("*", "silent", "automated win-back email"),
            Play::new("*", "promoter", "ask for a review or referral"),
            Play::new("*", "*", "monitor"),
        ]
    }
}

/// How value tiers are cut.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Tiers {
    /// Cut points as quantiles of the value column (strictly increasing, in (0, 1)).
    Quantiles(Vec<f64>),
    /// Cut points as values (strictly increasing, finite).
    Thresholds(Vec<f64>),
}

/// Value × voice options.
///
/// ```
/// use voc_core::segment::{Tiers, ValueVoiceOptions};
/// assert!(ValueVoiceOptions::default().validate().is_ok());
/// let bad = ValueVoiceOptions::default().tiers(Tiers::Quantiles(vec![0.8, 0.5]));
/// assert!(bad.validate().is_err());
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct ValueVoiceOptions {
    /// Tier cut points (default quantiles 0.5 and 0.8).
    pub tiers: Tiers,
    /// Tier names from lowest to highest (one more than the cut points; default low, mid, high).
    pub tier_names: Vec<String>,
    /// Voice rules, first match wins.
    pub voice_rules: Vec<VoiceRule>,
    /// Voice of rows no rule matches (default "silent").
    pub fallback_voice: String,
    /// Play rules, first match wins (a segment no rule covers gets "").
    pub plays: Vec<Play>,
}

impl Default for ValueVoiceOptions {
    fn default() -> Self {
        ValueVoiceOptions {
            tiers: Tiers::Quantiles(vec![0.5, 0.8]),
            tier_names: vec!["low".into(), "mid".into(), "high".into()],
            voice_rules: VoiceRule::defaults(),
            fallback_voice: "silent".into(),
            plays: Play::defaults(),
        }
    }
}

impl ValueVoiceOptions {
    /// Checks the options: increasing cut points, one tier name per tier.
    ///
    /// ```
    /// use voc_core::segment::ValueVoiceOptions;
    /// let bad = ValueVoiceOptions::default().tier_names(vec!["all".into()]);
    /// assert!(bad.validate().is_err());
    /// ```
    pub fn validate(&self) -> Result<()> {
        let (cuts, quantiles) = match &self.tiers {
            Tiers::Quantiles(q) => (q, true),
            Tiers::Thresholds(t) => (t, false),
        };
        for (i, &c) in cuts.iter().enumerate() {
            let ok = if quantiles {
                c > 0.0 && c < 1.0
            } else {
                c.is_finite()
            };
            if !ok || (i > 0 && !(c > cuts[i - 1])) {
                return Err(Error::option(
                    "tiers",
                    format!("{cuts:?}"),
                    if quantiles {
                        "quantile cut points must be strictly increasing in (0, 1)"
                    } else {
                        "thresholds must be finite and strictly increasing"
                    },
                ));
            }
        }
        if self.tier_names.len() != cuts.len() + 1 {
            return Err(Error::option(
                "tier_names",
                format!("{:?}", self.tier_names),
                format!(
                    "need {} names for {} cut points",
                    cuts.len() + 1,
                    cuts.len()
                ),
            ));
        }
        Ok(())
    }
}

crate::setters!(ValueVoiceOptions { tiers: Tiers, tier_names: Vec<String>, voice_rules: Vec<VoiceRule>, fallback_voice: String, plays: Vec<Play> });

/// Tier, voice and segment of each row, the segment names and plays.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ValueVoice {
    /// Tier of each row (index into `tier_names`).
    pub tier: Vec<u32>,
    /// Voice of each row (index into `voice_names`).
    pub voice: Vec<u32>,
    /// Segment of each row: `tier × voices + voice` (index into `segment_names`).
    pub segment: Vec<u32>,
    /// The value cut points used (for quantiles: the computed values).
    pub cuts: Vec<f64>,
    /// Tier names, lowest first.
    pub tier_names: Vec<String>,
    /// Voice names: the rules' voices in first-appearance order, then the fallback.
    pub voice_names: Vec<String>,
    /// Segment names, `"{tier}-value {voice}"`, tier-major.
    pub segment_names: Vec<String>,
    /// The play of each segment.
    pub plays: Vec<String>,
}

/// Value × voice segments (see the module docs). `value` must be finite (a NaN is [`Error::Missing`]);
/// `columns` are the named columns the voice rules read (each the length of `value`; NaN = no value).
///
/// ```
/// use voc_core::segment::{value_voice, ValueVoiceOptions};
/// let value = [900.0, 50.0, 400.0, 30.0, 20.0];
/// let tickets = [3.0, 0.0, 0.0, 0.0, 0.0];
/// let price = [0.0, 1.0, 0.0, 0.0, 0.0];
/// let nps = [f64::NAN, 3.0, f64::NAN, 10.0, f64::NAN];
/// let cols = [("tickets_90d", &tickets[..]), ("theme_price", &price[..]), ("nps_last", &nps[..])];
/// let vv = value_voice(&value, &cols, &ValueVoiceOptions::default())?;
/// let name = |i: usize| vv.segment_names[vv.segment[i] as usize].as_str();
/// assert_eq!(name(0), "high-value active complainer");
/// assert_eq!(name(1), "mid-value price-sensitive");
/// assert_eq!(name(2), "mid-value silent");
/// assert_eq!(name(3), "low-value promoter");
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn value_voice(
    value: &[f64],
    columns: &[(&str, &[f64])],
    opts: &ValueVoiceOptions,
) -> Result<ValueVoice> {
    opts.validate()?;
    for (i, &v) in value.iter().enumerate() {
        if v.is_nan() {
            return Err(Error::Missing {
                arg: "value",
                index: i,
            });
        }
        if !v.is_finite() {
            return Err(Error::NonFinite {
                arg: "value",
                index: i,
                value: v,
            });
        }
    }
    for (_, col) in columns {
        check_len("value", value.len(), "voice column", col.len())?;
    }
    // Resolve each condition's column once.
    type Resolved<'c> = (usize, Vec<(&'c Condition, &'c [f64])>);
    let mut rules: Vec<Resolved<'_>> = Vec::new();
    let mut voice_names: Vec<String> = Vec::new();
    for rule in &opts.voice_rules {
        let id = match voice_names.iter().position(|v| *v == rule.voice) {
            Some(i) => i,
            None => {
                voice_names.push(rule.voice.clone());
                voice_names.len() - 1
            }
        };
        let conds = rule
            .when
            .iter()
            .map(|c| {
                columns
                    .iter()
                    .find(|(n, _)| *n == c.column)
                    .map(|(_, col)| (c, *col))
                    .ok_or_else(|| {
                        Error::option(
                            "voice_rules",
                            &c.column,
                            format!("rule {:?} reads a column that was not given", rule.voice),
                        )
                    })
            })
            .collect::<Result<Vec<_>>>()?;
        rules.push((id, conds));
    }
    let fallback = match voice_names.iter().position(|v| *v == opts.fallback_voice) {
        Some(i) => i,
        None => {
            voice_names.push(opts.fallback_voice.clone());
            voice_names.len() - 1
        }
    };
    let cuts: Vec<f64> = match &opts.tiers {
        Tiers::Thresholds(t) => t.clone(),
        Tiers::Quantiles(q) => {
            if value.is_empty() {
                vec![f64::NAN; q.len()]
            } else {
                let mut sorted = value.to_vec();
                sorted.sort_unstable_by(f64::total_cmp);
                q.iter().map(|&p| quantile_sorted(&sorted, p)).collect()
            }
        }
    };
    let n_voices = voice_names.len() as u32;
    let mut tier = Vec::with_capacity(value.len());
    let mut voice = Vec::with_capacity(value.len());
    let mut segment = Vec::with_capacity(value.len());
    for (i, &v) in value.iter().enumerate() {
        let t = cuts.iter().take_while(|&&c| v >= c).count() as u32;
        let vo = rules
            .iter()
            .find(|(_, conds)| {
                conds
                    .iter()
                    .all(|(c, col)| col.get(i).is_some_and(|&x| c.holds(x)))
            })
            .map_or(fallback, |(id, _)| *id) as u32;
        tier.push(t);
        voice.push(vo);
        segment.push(t * n_voices + vo);
    }
    let mut segment_names = Vec::new();
    let mut plays = Vec::new();
    for t in &opts.tier_names {
        for v in &voice_names {
            segment_names.push(format!("{t}-value {v}"));
            plays.push(
                opts.plays
                    .iter()
                    .find(|p| p.matches(t, v))
                    .map_or_else(String::new, |p| p.play.clone()),
            );
        }
    }
    Ok(ValueVoice {
        tier,
        voice,
        segment,
        cuts,
        tier_names: opts.tier_names.clone(),
        voice_names,
        segment_names,
        plays,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_rules_round_trip_through_their_text() -> Result<()> {
        for rule in VoiceRule::defaults() {
            assert_eq!(VoiceRule::parse(&rule.voice, &rule.when_text())?, rule);
        }
        Ok(())
    }

    #[test]
    fn equal_values_share_a_tier() -> Result<()> {
        // 60 % zeros: the 0.5 quantile is 0, so every zero is in the middle tier, none split.
        let value = [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 2.0, 3.0, 4.0];
        let vv = value_voice(
            &value,
            &[
                ("tickets_90d", &[0.0; 10]),
                ("theme_price", &[0.0; 10]),
                ("nps_last", &[f64::NAN; 10]),
            ],
            &ValueVoiceOptions::default(),
        )?;
        assert_eq!(vv.cuts[0], 0.0);
        assert!(vv.tier[..6].iter().all(|&t| t == 1));
        assert_eq!(vv.tier[9], 2);
        Ok(())
    }

    #[test]
    fn first_rule_wins_and_missing_column_is_an_error() -> Result<()> {
        let opts = ValueVoiceOptions {
            tiers: Tiers::Thresholds(vec![100.0]),
            tier_names: vec!["low".into(), "high".into()],
            voice_rules: vec![
                VoiceRule::parse("complainer", "tickets >= 1")?,
                VoiceRule::parse("unhappy", "nps <= 6")?,
            ],
            fallback_voice: "quiet".into(),
            plays: vec![Play::new("high", "*", "call")],
        };
        let t = [1.0, 0.0, 0.0];
        let n = [3.0, 3.0, f64::NAN];
        let vv = value_voice(
            &[500.0, 50.0, 100.0],
            &[("tickets", &t), ("nps", &n)],
            &opts,
        )?;
        assert_eq!(vv.voice, vec![0, 1, 2]);
        assert_eq!(vv.tier, vec![1, 0, 1]); // 100 is ≥ the threshold
        assert_eq!(vv.segment_names.len(), 6);
        assert_eq!(vv.plays[3], "call");
        assert_eq!(vv.plays[0], "");
        assert!(value_voice(&[1.0], &[("tickets", &[0.0])], &opts).is_err());
        Ok(())
    }

    #[test]
    fn bad_value_is_named() {
        let e = value_voice(
            &[1.0, f64::NAN],
            &[],
            &ValueVoiceOptions {
                voice_rules: vec![],
                ..Default::default()
            },
        );
        assert!(matches!(
            e,
            Err(Error::Missing {
                arg: "value",
                index: 1
            })
        ));
    }
}
