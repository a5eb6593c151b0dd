//! Theme mention rates per channel × period: the options, the counting into a core mention state shared
//! by `mention_rates` and `mention_state`, and the finished table.

use super::*;
use voc_core::text::LabelOrder;

/// Options of the mention table, checked once.
pub(super) fn mention_options(
    py: Python<'_>,
    confidence: f64,
    interval: &str,
    alert_alpha: f64,
    adjust: Option<&str>,
    min_mentions: u64,
) -> PyResult<MentionOptions> {
    let opts = MentionOptions::default()
        .confidence(confidence)
        .interval(interval.parse::<ShareInterval>().py_err(py)?)
        .alert_alpha(alert_alpha)
        .adjust(
            adjust
                .map(str::parse::<Adjustment>)
                .transpose()
                .py_err(py)?,
        )
        .min_mentions(min_mentions);
    opts.validate().py_err(py)?;
    Ok(opts)
}

trait IntervalName {
    fn interval_name(&self) -> &'static str;
}
impl IntervalName for MentionOptions {
    fn interval_name(&self) -> &'static str {
        match self.interval {
            ShareInterval::Wilson => "wilson",
            ShareInterval::WilsonCc => "wilson_cc",
            ShareInterval::ClopperPearson => "clopper_pearson",
            ShareInterval::Wald => "wald",
        }
    }
}

impl ThemeMatcher {
    /// Theme sets of `texts` counted per group (`by`) × period (the shared first half of `mention_rates`).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn count_mentions(
        &self,
        py: Python<'_>,
        data: Option<&Bound<'_, PyAny>>,
        texts: Option<&Bound<'_, PyAny>>,
        by: Option<&Bound<'_, PyAny>>,
        time: Option<&Bound<'_, PyAny>>,
        period: Option<&str>,
        rollup: bool,
        missing: &str,
    ) -> PyResult<core::MentionState> {
        let (table, texts) = convert::single_column(py, data, texts, "texts")?;
        let by = convert::role(table.as_ref(), by, "by")?;
        let time = convert::role(table.as_ref(), time, "time")?;
        let policy = convert::missing_policy(missing).py_err(py)?;
        let period = match (period, time.is_some()) {
            (Some(p), true) => Some(p.parse::<Period>().py_err(py)?),
            (None, true) => Some(Period::Month),
            (Some(_), false) => {
                return Err(Error::InvalidOption {
                    name: "time",
                    value: "None".into(),
                    reason: "period= needs time= (one timestamp per text)".into(),
                })
                .py_err(py);
            }
            (None, false) => None,
        };
        let t = self::texts(&texts, "texts")?;
        let n = t.len();
        let ch = by
            .as_ref()
            .map(|c| convert::groups_in_order(c, "by"))
            .transpose()?;
        let order = match ch.as_ref().map(|(_, given)| *given) {
            Some(true) => LabelOrder::Given,
            _ => LabelOrder::Value,
        };
        let ch = ch.map(|(c, _)| c);
        let tm = time
            .as_ref()
            .map(|x| convert::times(x, "time"))
            .transpose()?;
        let mut time_nulls: Vec<usize> = Vec::new();
        let periods: Option<Vec<i64>> = match (&tm, period) {
            (Some(x), Some(p)) => {
                let v = x.data.values.as_slice();
                voc_core_check_len(py, n, "time", v.len())?;
                time_nulls = x.nulls.clone();
                time_nulls.extend(
                    v.iter()
                        .enumerate()
                        .filter(|&(_, &t)| t == i64::MIN)
                        .map(|(i, _)| i),
                );
                time_nulls.sort_unstable();
                time_nulls.dedup();
                Some(
                    v.iter()
                        .map(|&s| {
                            if s == i64::MIN {
                                0
                            } else {
                                p.index(x.data.unit.day(s))
                            }
                        })
                        .collect(),
                )
            }
            _ => None,
        };
        let ch_nulls: Vec<usize> = ch.as_ref().map(|c| c.nulls.clone()).unwrap_or_default();
        convert::check_nulls(
            policy,
            &[
                ("texts", &t.nulls),
                ("by", &ch_nulls),
                ("time", &time_nulls),
            ],
        )
        .py_err(py)?;
        // Labels in value order keep only those rows use (a compact integer range codes every value
        // in it); categories are kept whole, so that the states of every partition agree.
        let (labels, codes): (Option<Labels>, Option<Vec<u32>>) = match ch {
            Some(c) => {
                let mut codes = c.data.codes.into_dense();
                let labels = match order {
                    LabelOrder::Value => c.data.labels.only_used(&mut codes, &c.nulls),
                    LabelOrder::Given => c.data.labels,
                };
                (Some(labels), Some(codes))
            }
            None => (None, None),
        };
        if let Some(c) = &codes {
            voc_core_check_len(py, n, "by", c.len())?;
        }
        let mut keep = vec![true; n];
        for &i in t.nulls.iter().chain(&ch_nulls).chain(&time_nulls) {
            if let Some(k) = keep.get_mut(i) {
                *k = false;
            }
        }
        let dropped = keep.iter().filter(|&&k| !k).count();
        let strs = t.strs(py);
        let settings = MentionSettings::default()
            .rollup(rollup)
            .period(period)
            .channels(labels.is_some());
        // The labels in the input's dtype (docs/conventions.md §4).
        let labels = labels.map(|l| match l {
            Labels::Int(v) => ChannelLabels::Int(v),
            Labels::Float(v) => ChannelLabels::Float(v),
            Labels::Bool(v) => ChannelLabels::Bool(v),
            Labels::Str(v) => ChannelLabels::Str(v),
        });
        let taxonomy = self.inner.taxonomy();
        let state = crate::guard::detach(py, "voc.text.MentionState.update", || {
            let (strs, codes, periods) = if dropped > 0 {
                (
                    convert::compact_slice(&strs, &keep),
                    codes.as_deref().map(|c| convert::compact_slice(c, &keep)),
                    periods.as_deref().map(|p| convert::compact_slice(p, &keep)),
                )
            } else {
                (strs, codes, periods)
            };
            let sets = self.inner.themes_batch(&strs, rollup)?;
            let mut batch = MentionStateBatch::new(&sets).dropped(dropped as u64);
            if let (Some(c), Some(l)) = (&codes, &labels) {
                batch = match order {
                    LabelOrder::Value => batch.channels(c, l),
                    LabelOrder::Given => batch.channels_in_order(c, l),
                };
            }
            if let Some(p) = &periods {
                batch = batch.periods(p);
            }
            let mut state = core::MentionState::new(taxonomy, settings);
            state.update(batch)?;
            Ok::<_, Error>(state)
        })
        .py_err(py)?;
        Ok(state)
    }
}

pub(crate) fn channel_value(labels: &ChannelLabels, code: u32) -> Value {
    let i = code as usize;
    match labels {
        ChannelLabels::Int(v) => Value::I64(v.get(i).copied().unwrap_or_default()),
        ChannelLabels::Float(v) => Value::F64(v.get(i).copied().unwrap_or(f64::NAN)),
        ChannelLabels::Bool(v) => Value::Bool(v.get(i).copied().unwrap_or_default()),
        ChannelLabels::Str(v) => Value::Str(v.get(i).cloned()),
    }
}

/// The mention rates of a state: the table (channel and period labels, theme ids and labels) and the
/// counts and options as typed fields.
pub(super) fn mention_table(
    py: Python<'_>,
    state: &core::MentionState,
    opts: &MentionOptions,
    adjust: Option<&str>,
) -> PyResult<MentionRatesResult> {
    let period = state.settings().period;
    let out =
        crate::guard::detach(py, "voc.text.mention_table", || state.finish(opts)).py_err(py)?;
    let themes = state.themes();
    let mut cols = Columns::default();
    for r in out.rows {
        let mut row: Vec<(&'static str, Value)> = Vec::with_capacity(18);
        if let Some(l) = &out.channels {
            row.push(("group", channel_value(l, r.channel)));
        }
        if let (Some(p), Some(ix)) = (period, r.period) {
            row.push(("period", Value::from(p.label(ix))));
            row.push(("period_start", Value::Day(p.start_day(ix))));
        }
        let th = themes.get(r.theme as usize);
        row.push(("theme", Value::from(th.map_or("", |x| x.id.as_str()))));
        row.push(("label", Value::from(th.map_or("", |x| x.label.as_str()))));
        row.push(("texts", Value::U64(r.texts)));
        row.push(("mentions", Value::U64(r.mentions)));
        row.push(("rate", Value::F64(r.rate)));
        row.push(("ci_low", Value::F64(r.ci.low)));
        row.push(("ci_high", Value::F64(r.ci.high)));
        row.push(("share_of_voice", Value::F64(r.share_of_voice)));
        if period.is_some() {
            row.push(("previous_rate", Value::F64(r.previous_rate)));
            row.push(("change", Value::F64(r.change)));
            row.push(("p_value", Value::F64(r.p_value)));
            row.push(("p_adjusted", Value::F64(r.p_adjusted)));
            row.push(("alert", Value::Bool(r.alert)));
        }
        cols.push(row);
    }
    let table = cols.into_table(py, "theme mention rates".into(), None)?;
    MentionRatesResult::new(
        py,
        table,
        state.texts(),
        state.dropped(),
        opts.confidence,
        opts.interval_name().to_owned(),
        opts.alert_alpha,
        adjust.map(str::to_owned),
        opts.min_mentions,
    )
}

crate::table_result_class!(
    /// Theme mention rates (`ThemeMatcher.mention_rates`, `MentionState.finish`): the `table` (one row
    /// per theme × group × period) and the counts and options of the call.
    MentionRatesResult {
        /// Texts counted.
        n: u64,
        /// Texts left out as missing (`missing="skip"`).
        n_missing: u64,
        /// Level of the rate intervals.
        confidence: f64,
        /// Interval method of the rates ("wilson", ...).
        method: String,
        /// Adjusted p-value below which a rise is an alert.
        alert_alpha: f64,
        /// The p-value adjustment over the table ("holm", "bh") or None.
        adjust: Option<String>,
        /// Fewest mentions for an alert.
        min_mentions: u64,
    }
);
