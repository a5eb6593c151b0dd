//! Per-customer churn signals as of a cutoff: only events strictly before the cutoff count, and times
//! that have not happened by the cutoff (a refund paid later, a ticket resolved later) count as not
//! happened. Labels look at the horizon after the cutoff, so a model can be trained on a past cutoff
//! and applied at a later one.

mod matrix;
mod options;

use ndarray::{Array2, ShapeBuilder};

use crate::error::{Error, Result};
use crate::signals::events::{DAY, EventLog, SurveyKind};
use crate::signals::ids::NO_ROW;
use crate::time::NAT;

pub use matrix::Features;
pub use options::FeatureOptions;

/// Rows computed together before being scattered into the columns.
const BLOCK: usize = 512;

/// Cutoff and windows in seconds.
struct Ctx {
    t: i64,
    windows: Vec<i64>,
    longest: i64,
    silence: i64,
    themes: usize,
}

fn days(seconds: i64) -> f64 {
    seconds as f64 / DAY as f64
}

/// Number of times in the sorted slice at or after `from`.
fn count_since(times: &[i64], from: i64) -> usize {
    times.len() - times.partition_point(|&t| t < from)
}

/// Writes values in column order.
struct Row<'a> {
    out: &'a mut [f64],
    at: usize,
}

impl Row<'_> {
    #[inline]
    fn put(&mut self, v: f64) {
        if let Some(slot) = self.out.get_mut(self.at) {
            *slot = v;
        }
        self.at += 1;
    }
}

/// Sum starting from +0.0 (`Iterator::sum` of nothing is -0.0).
fn sum(v: &[f64]) -> f64 {
    v.iter().fold(0.0, |a, b| a + b)
}

fn mean(sum: f64, n: usize) -> f64 {
    if n == 0 { f64::NAN } else { sum / n as f64 }
}

fn median(v: &mut [f64]) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_unstable_by(f64::total_cmp);
    let m = v.len() / 2;
    if v.len() % 2 == 1 {
        v[m]
    } else {
        (v[m - 1] + v[m]) / 2.0
    }
}

/// Position of a survey kind in the per-kind sums of a row: NPS, CSAT, CES.
#[inline]
fn kind_slot(k: SurveyKind) -> usize {
    match k {
        SurveyKind::Nps => 0,
        SurveyKind::Csat => 1,
        SurveyKind::Ces => 2,
    }
}

/// Largest count of one theme among `themes` (NO_ROW themes ignored).
fn max_repeat(themes: &[u32], scratch: &mut Vec<u32>) -> usize {
    scratch.clear();
    scratch.extend(themes.iter().copied().filter(|&t| t != NO_ROW));
    scratch.sort_unstable();
    let mut best = 0;
    let mut run = 0;
    let mut prev = NO_ROW;
    for &t in scratch.iter() {
        run = if t == prev { run + 1 } else { 1 };
        prev = t;
        best = best.max(run);
    }
    best
}

/// Reusable buffers of one worker.
#[derive(Default)]
struct Scratch {
    codes: Vec<u32>,
    durations: Vec<f64>,
    rows: Vec<f64>,
}

impl EventLog {
    /// Feature names for `opts`, in column order.
    pub fn feature_names(&self, opts: &FeatureOptions) -> Vec<String> {
        let ws = &opts.windows;
        let longest = ws.iter().copied().max().unwrap_or(0);
        let mut n: Vec<String> = vec!["tenure_days".into()];
        n.extend(
            ["recency_days", "frequency", "monetary", "aov"]
                .iter()
                .map(|s| s.to_string()),
        );
        n.extend(ws.iter().map(|w| format!("orders_{w}d")));
        n.push(format!("orders_change_{longest}d"));
        n.push(format!("spend_change_{longest}d"));
        n.extend(
            [
                "days_since_activity",
                "silent",
                "returns",
                "refund_delay_mean_days",
                "refund_delay_max_days",
                "refunds_pending",
                "refunded_amount",
                "tickets",
            ]
            .iter()
            .map(|s| s.to_string()),
        );
        n.extend(ws.iter().map(|w| format!("tickets_{w}d")));
        n.extend(ws.iter().map(|w| format!("repeat_theme_max_{w}d")));
        n.extend(
            [
                "tickets_unresolved",
                "resolution_days_median",
                "ticket_csat_mean",
                "days_since_ticket",
                "nps_last",
                "nps_mean",
                "nps_drop",
                "nps_flip",
                "nps_count",
                "csat_mean",
                "ces_mean",
                "surveys",
                "days_since_survey",
                "mentions",
                "sentiment_mean",
            ]
            .iter()
            .map(|s| s.to_string()),
        );
        n.push(format!("sentiment_change_{longest}d"));
        n.push("churn_event".into());
        if opts.theme_counts {
            n.extend(self.themes.iter().map(|t| format!("theme_{t}")));
        }
        n
    }

    /// Customer rows that had signed up before `cutoff`, in customer order.
    fn rows_at(&self, cutoff: i64) -> Vec<u32> {
        (0..self.customers() as u32)
            .filter(|&c| self.signup[c as usize] < cutoff)
            .collect()
    }

    /// Churn signals of every customer who signed up before the cutoff.
    ///
    /// See `docs/signals.md` for each column's definition. Ties in time keep the input row order.
    ///
    /// ```
    /// use voc_core::signals::*;
    /// let customers = Customers { id: Ids::Int(&[1, 2]), signup: &[0, 0] };
    /// let surveys = Surveys {
    ///     customer: Ids::Int(&[1, 1, 2]),
    ///     time: &[DAY, 50 * DAY, 3 * DAY],
    ///     kind: &[SurveyKind::Nps, SurveyKind::Nps, SurveyKind::Nps],
    ///     score: &[10.0, 3.0, 8.0],
    /// };
    /// let log = EventLog::builder(customers)?.surveys(surveys)?.build();
    /// let f = log.features(&FeatureOptions::new(60 * DAY))?;
    /// let drop = f.column("nps_drop").unwrap_or_default();
    /// assert_eq!(drop[0], 7.0);
    /// assert!(drop[1].is_nan()); // one answer: no drop to measure
    /// assert_eq!(f.column("nps_flip"), Some(&[1.0, 0.0][..]));
    /// // Answers on or after the cutoff do not count.
    /// let early = log.features(&FeatureOptions::new(50 * DAY))?;
    /// assert_eq!(early.column("nps_last"), Some(&[10.0, 8.0][..]));
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn features(&self, opts: &FeatureOptions) -> Result<Features> {
        opts.validate()?;
        let names = self.feature_names(opts);
        let p = names.len();
        let windows: Vec<i64> = opts.windows.iter().map(|&w| i64::from(w) * DAY).collect();
        let ctx = Ctx {
            t: opts.cutoff,
            longest: windows.iter().copied().max().unwrap_or(0),
            windows,
            silence: i64::from(opts.silence_days) * DAY,
            themes: if opts.theme_counts {
                self.themes.len()
            } else {
                0
            },
        };
        let customers = self.rows_at(opts.cutoff);
        let n = customers.len();
        // Column-major: each column is one contiguous run of `n` values, filled in place.
        let mut values = Array2::zeros((n, p).f());
        if let (true, true, Some(memory)) = (n > 0, p > 0, values.as_slice_memory_order_mut()) {
            let mut columns: Vec<&mut [f64]> = memory.chunks_exact_mut(n).collect();
            self.fill(&customers, &ctx, p, &mut columns);
        }
        Ok(Features::from_fortran(
            names,
            customers,
            values,
            opts.cutoff,
        ))
    }

    /// Computes rows block by block (in parallel for large bases) and writes them into the columns.
    fn fill(&self, customers: &[u32], ctx: &Ctx, p: usize, columns: &mut [&mut [f64]]) {
        // One set of column slices per block of rows, so blocks can be filled independently.
        let mut blocks: Vec<Vec<&mut [f64]>> = Vec::new();
        let mut splits: Vec<_> = columns.iter_mut().map(|c| c.chunks_mut(BLOCK)).collect();
        for _ in customers.chunks(BLOCK) {
            blocks.push(splits.iter_mut().filter_map(Iterator::next).collect());
        }
        let work = |s: &mut Scratch, (cols, rows): (&mut Vec<&mut [f64]>, &[u32])| {
            s.rows.resize(rows.len() * p, 0.0);
            let mut buf = std::mem::take(&mut s.rows);
            for (out, &c) in buf.chunks_exact_mut(p).zip(rows) {
                self.row(c as usize, ctx, out, s);
            }
            for (j, col) in cols.iter_mut().enumerate() {
                for (i, v) in col.iter_mut().enumerate() {
                    *v = buf[i * p + j];
                }
            }
            s.rows = buf;
        };
        #[cfg(feature = "parallel")]
        if customers.len() >= 20_000 {
            use rayon::prelude::*;
            blocks
                .par_iter_mut()
                .zip(customers.par_chunks(BLOCK))
                .for_each_init(Scratch::default, work);
            return;
        }
        let mut s = Scratch::default();
        for item in blocks.iter_mut().zip(customers.chunks(BLOCK)) {
            work(&mut s, item);
        }
    }

    // One function so the column order is visible in one place; it mirrors `feature_names`.
    #[allow(clippy::too_many_lines)]
    fn row(&self, c: usize, ctx: &Ctx, out: &mut [f64], s: &mut Scratch) {
        let t = ctx.t;
        let w_long = ctx.longest;
        let mut r = Row { out, at: 0 };
        r.put(days(t - self.signup[c]));

        // Orders.
        let o = &self.orders;
        let range = o.index.range(c);
        let all = &o.time[range.clone()];
        let k = all.partition_point(|&x| x < t);
        let times = &all[..k];
        let amounts = &o.amount[range.start..range.start + k];
        let last_order = times.last().copied();
        let monetary = sum(amounts);
        r.put(last_order.map_or(f64::NAN, |x| days(t - x)));
        r.put(k as f64);
        r.put(monetary);
        r.put(mean(monetary, k));
        for &w in &ctx.windows {
            r.put(count_since(times, t - w) as f64);
        }
        let recent = times.partition_point(|&x| x < t - w_long);
        let before = times.partition_point(|&x| x < t - 2 * w_long);
        r.put((k - recent) as f64 - (recent - before) as f64);
        let spend_recent = sum(&amounts[recent..]);
        let spend_before = sum(&amounts[before..recent]);
        r.put(spend_recent - spend_before);

        // Feedback times, for activity.
        let tk = &self.tickets;
        let trange = tk.index.range(c);
        let tk_all = &tk.time[trange.clone()];
        let nt = tk_all.partition_point(|&x| x < t);
        let sv = &self.surveys;
        let srange = sv.index.range(c);
        let ns = sv.time[srange.clone()].partition_point(|&x| x < t);
        let mn = &self.mentions;
        let mrange = mn.index.range(c);
        let nm = mn.time[mrange.clone()].partition_point(|&x| x < t);
        let last_ticket = tk_all[..nt].last().copied();
        let last_survey = sv.time[srange.start..srange.start + ns].last().copied();
        let last_mention = mn.time[mrange.start..mrange.start + nm].last().copied();
        let last_activity = [last_order, last_ticket, last_survey, last_mention]
            .into_iter()
            .flatten()
            .max();
        r.put(last_activity.map_or(f64::NAN, |x| days(t - x)));
        r.put(match last_activity {
            Some(x) if x < t - ctx.silence => 1.0,
            _ => 0.0,
        });

        // Returns and refunds.
        let rt = &self.returns;
        let rrange = rt.index.range(c);
        let nr = rt.requested[rrange.clone()].partition_point(|&x| x < t);
        let (mut delay_sum, mut delays, mut delay_max) = (0.0, 0usize, f64::NAN);
        let (mut pending, mut refunded_amount) = (0usize, 0.0);
        for i in rrange.start..rrange.start + nr {
            let (rec, paid) = (rt.received[i], rt.refunded[i]);
            if paid != NAT && paid < t {
                refunded_amount += rt.amount[i];
                if rec != NAT {
                    let d = days(paid - rec);
                    delay_sum += d;
                    delays += 1;
                    delay_max = f64::max(delay_max, d);
                }
            } else if rec != NAT && rec < t {
                pending += 1;
                delay_max = f64::max(delay_max, days(t - rec));
            }
        }
        r.put(nr as f64);
        r.put(mean(delay_sum, delays));
        r.put(delay_max);
        r.put(pending as f64);
        r.put(refunded_amount);

        // Tickets.
        let t_times = &tk_all[..nt];
        let t_themes = &tk.theme[trange.start..trange.start + nt];
        r.put(nt as f64);
        for &w in &ctx.windows {
            r.put(count_since(t_times, t - w) as f64);
        }
        for &w in &ctx.windows {
            let from = t_times.partition_point(|&x| x < t - w);
            r.put(max_repeat(&t_themes[from..], &mut s.codes) as f64);
        }
        let (mut unresolved, mut csat_sum, mut csat_n) = (0usize, 0.0, 0usize);
        let (mut sent_sum, mut sent_n) = (0.0, 0usize);
        let mut sent_windows = [(0.0, 0usize); 2];
        let mut add_sentiment = |time: i64, v: f64| {
            if v.is_nan() {
                return;
            }
            sent_sum += v;
            sent_n += 1;
            if time >= t - w_long {
                sent_windows[0].0 += v;
                sent_windows[0].1 += 1;
            } else if time >= t - 2 * w_long {
                sent_windows[1].0 += v;
                sent_windows[1].1 += 1;
            }
        };
        s.durations.clear();
        for i in trange.start..trange.start + nt {
            let done = tk.resolved[i];
            if done == NAT || done >= t {
                unresolved += 1;
            } else {
                s.durations.push(days(done - tk.time[i]));
                if !tk.csat[i].is_nan() {
                    csat_sum += tk.csat[i];
                    csat_n += 1;
                }
            }
            add_sentiment(tk.time[i], tk.sentiment[i]);
        }
        r.put(unresolved as f64);
        r.put(median(&mut s.durations));
        r.put(mean(csat_sum, csat_n));
        r.put(last_ticket.map_or(f64::NAN, |x| days(t - x)));

        // Survey answers. Kinds come mixed, so sums and counts are indexed by kind and the last two NPS
        // answers kept by selects: no branch on the kind to mispredict (same additions, same order).
        let (mut nps_last, mut nps_prev) = (f64::NAN, f64::NAN);
        let mut sums = [0.0; 3];
        let mut counts = [0usize; 3];
        let scores = &sv.score[srange.start..srange.start + ns];
        for (&v, &k) in scores.iter().zip(&sv.kind[srange.start..srange.start + ns]) {
            let is_nps = k == SurveyKind::Nps;
            nps_prev = if is_nps { nps_last } else { nps_prev };
            nps_last = if is_nps { v } else { nps_last };
            sums[kind_slot(k)] += v;
            counts[kind_slot(k)] += 1;
        }
        let [nps, csat, ces] = [0, 1, 2].map(|j| mean(sums[j], counts[j]));
        r.put(nps_last);
        r.put(nps);
        r.put(nps_prev - nps_last);
        r.put(if nps_prev >= 9.0 && nps_last <= 6.0 {
            1.0
        } else {
            0.0
        });
        r.put(counts[0] as f64);
        r.put(csat);
        r.put(ces);
        r.put(ns as f64);
        r.put(last_survey.map_or(f64::NAN, |x| days(t - x)));

        // Mentions and sentiment (mentions and tickets).
        for i in mrange.start..mrange.start + nm {
            add_sentiment(mn.time[i], mn.value[i]);
        }
        r.put(nm as f64);
        r.put(mean(sent_sum, sent_n));
        let [(a, na), (b, nb)] = sent_windows;
        r.put(mean(a, na) - mean(b, nb));

        // Explicit churn before the cutoff.
        let ch = &self.churn;
        let crange = ch.index.range(c);
        r.put(if ch.time[crange].first().is_some_and(|&x| x < t) {
            1.0
        } else {
            0.0
        });

        // Tickets per theme.
        if ctx.themes > 0 {
            let base = r.at;
            for th in r.out.iter_mut().skip(base).take(ctx.themes) {
                *th = 0.0;
            }
            for &th in t_themes {
                if let Some(slot) = r.out.get_mut(base + th as usize).filter(|_| th != NO_ROW) {
                    *slot += 1.0;
                }
            }
        }
    }

    /// Churn labels for the rows of [`features`](Self::features) at the same cutoff: churned when the
    /// customer placed no order in `[cutoff, cutoff + horizon_days)` or had an explicit churn event in it.
    ///
    /// The data must reach the end of the horizon: a horizon past the last event in the log (plus one day)
    /// is an error, as its labels would call every customer a churner.
    ///
    /// ```
    /// use voc_core::signals::{Customers, EventLog, Ids, Orders, DAY};
    /// let customers = Customers { id: Ids::Int(&[1, 2]), signup: &[0, 0] };
    /// let orders = Orders { id: None, customer: Ids::Int(&[1, 2, 1]), time: &[DAY, 2 * DAY, 100 * DAY], amount: &[5.0, 5.0, 5.0] };
    /// let log = EventLog::builder(customers)?.orders(orders)?.build();
    /// assert_eq!(log.labels(50 * DAY, 51)?.churned, vec![false, true]);
    /// assert!(log.labels(50 * DAY, 90).is_err());
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn labels(&self, cutoff: i64, horizon_days: u32) -> Result<ChurnLabels> {
        if cutoff == NAT {
            return Err(Error::option("cutoff", "NaT", "a cutoff time is required"));
        }
        if horizon_days == 0 || horizon_days > 36_500 {
            return Err(Error::option(
                "horizon_days",
                horizon_days,
                "must be 1 to 36500 days",
            ));
        }
        let end = cutoff.saturating_add(i64::from(horizon_days) * DAY);
        if self.last_time == NAT || end > self.last_time.saturating_add(DAY) {
            return Err(Error::option(
                "horizon_days",
                horizon_days,
                format!(
                    "the horizon ends on {} but the data end on {}; labels would be unknown",
                    crate::time::date_string(end.div_euclid(DAY)),
                    if self.last_time == NAT {
                        "(no events)".to_string()
                    } else {
                        crate::time::date_string(self.last_time.div_euclid(DAY))
                    }
                ),
            ));
        }
        let in_horizon = |times: &[i64]| {
            let from = times.partition_point(|&x| x < cutoff);
            times.get(from).is_some_and(|&x| x < end)
        };
        let customers = self.rows_at(cutoff);
        let churned = customers
            .iter()
            .map(|&c| {
                let c = c as usize;
                let ordered = in_horizon(&self.orders.time[self.orders.index.range(c)]);
                let left = in_horizon(&self.churn.time[self.churn.index.range(c)]);
                !ordered || left
            })
            .collect();
        Ok(ChurnLabels { customers, churned })
    }
}

/// Churn labels: one per customer who had signed up before the cutoff (the rows of the features).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ChurnLabels {
    /// Customer row of each label, as in [`Features::customers`].
    pub customers: Vec<u32>,
    /// Whether the customer churned within the horizon.
    pub churned: Vec<bool>,
}

#[cfg(test)]
mod tests;
