//! Loop metrics straight from one batch of case columns, as [`loop_metrics`](super::loop_metrics)
//! computes them: each case's two clocks are packed as whole seconds (`seconds << 1 | done`) into one
//! buffer per clock, group after group, and each group's curves are built from its slices (a radix sort
//! of the seconds) — what a [`LoopState`] holding the same cases finishes into, bit for bit, without
//! storing the clocks as hours first.

use super::HOUR;
use super::state::{CaseBatch, GroupLoop, LoopMetrics, LoopOptions, LoopState, Percentile};
use crate::error::Result;
use crate::retention::{KmCurve, curve_from_whole_keys};
use crate::stats::dist::normal_quantile;
use crate::stats::{IntervalOptions, Share, share};
use crate::time::NAT;
use std::ops::Range;

/// The counts of one group that its metrics are read from (besides the curves).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(super) struct Tallies {
    pub(super) cases: u64,
    pub(super) contacted: u64,
    pub(super) closed: u64,
    /// (met, due, pending) of time to contact against the SLA.
    pub(super) sla: (u64, u64, u64),
    pub(super) triggers: u64,
    pub(super) with_case: u64,
    /// (met, due, pending) of the triggers against the SLA.
    pub(super) trigger_sla: (u64, u64, u64),
}

impl Tallies {
    fn add(&mut self, o: &Tallies) {
        self.cases += o.cases;
        self.contacted += o.contacted;
        self.closed += o.closed;
        self.sla.0 += o.sla.0;
        self.sla.1 += o.sla.1;
        self.sla.2 += o.sla.2;
        self.triggers += o.triggers;
        self.with_case += o.with_case;
        self.trigger_sla.0 += o.trigger_sla.0;
        self.trigger_sla.1 += o.trigger_sla.1;
        self.trigger_sla.2 += o.trigger_sla.2;
    }
}

/// The metrics of the cases of `b` alone: equal to adding `b` to `empty` (a new [`LoopState`]) and
/// finishing it, with the same errors. The case times must have passed
/// [`check_case_times`](super::cases::check_case_times) and the options [`LoopOptions::validate`].
pub(super) fn metrics_of_cases(
    empty: &LoopState,
    b: CaseBatch<'_>,
    options: &LoopOptions,
) -> Result<LoopMetrics> {
    empty.check_timed_cases(&b)?;
    let k = empty.names().len();
    let n = b.codes.len();
    let chunks = row_chunks(n);
    // Rows per group in each chunk of rows: where each chunk writes its keys.
    let counts: Vec<Vec<usize>> = map_chunks(&chunks, |r| {
        let mut c = vec![0usize; k];
        for &g in b.codes.get(r).unwrap_or_default() {
            if let Some(x) = c.get_mut(g as usize) {
                *x += 1;
            }
        }
        c
    });
    let sizes: Vec<usize> = (0..k)
        .map(|g| counts.iter().map(|c| c.get(g).copied().unwrap_or(0)).sum())
        .collect();
    let (mut contact, mut close) = (vec![0u64; n], vec![0u64; n]);
    let parts: Vec<ChunkParts<'_>> = chunks
        .iter()
        .cloned()
        .zip(split_by_chunk(&mut contact, &counts, k))
        .zip(split_by_chunk(&mut close, &counts, k))
        .map(|((r, a), z)| (r, a, z))
        .collect();
    let sla_hours = options.sla_hours;
    let per_chunk: Vec<Vec<Tallies>> = {
        let fill = |(r, a, z): ChunkParts<'_>| pack(&b, r, a, z, k, sla_hours);
        #[cfg(feature = "parallel")]
        {
            use rayon::prelude::*;
            parts.into_par_iter().map(fill).collect()
        }
        #[cfg(not(feature = "parallel"))]
        {
            parts.into_iter().map(fill).collect()
        }
    };
    let mut tallies = vec![Tallies::default(); k];
    for chunk in &per_chunk {
        for (t, c) in tallies.iter_mut().zip(chunk) {
            t.add(c);
        }
    }
    // One task per group and clock (each group's contact keys, then its close keys).
    let mut tasks: Vec<&mut [u64]> = Vec::with_capacity(2 * k);
    let (mut a, mut z) = (contact.as_mut_slice(), close.as_mut_slice());
    for &m in &sizes {
        for buf in [&mut a, &mut z] {
            let rest = std::mem::take(buf);
            let (head, tail) = rest.split_at_mut(m.min(rest.len()));
            tasks.push(head);
            *buf = tail;
        }
    }
    let zq = normal_quantile(0.5 + 0.5 * options.confidence);
    let curve = |scratch: &mut Vec<u64>, keys: &mut &mut [u64]| {
        Ok(curve_from_whole_keys(keys, scratch, HOUR, zq))
    };
    #[cfg(feature = "parallel")]
    let fitted: Vec<Result<Option<KmCurve>>> = {
        use rayon::prelude::*;
        tasks.par_iter_mut().map_init(Vec::new, curve).collect()
    };
    #[cfg(not(feature = "parallel"))]
    let fitted: Vec<Result<Option<KmCurve>>> = {
        let mut scratch = Vec::new();
        tasks.iter_mut().map(|t| curve(&mut scratch, t)).collect()
    };
    assemble(empty.names(), &tallies, fitted, options)
}

/// A chunk of rows and, per group, where it writes its contact and its close keys.
type ChunkParts<'a> = (Range<usize>, Vec<&'a mut [u64]>, Vec<&'a mut [u64]>);

/// Row ranges packed side by side: one per thread for large inputs, else one.
fn row_chunks(n: usize) -> Vec<Range<usize>> {
    #[cfg(feature = "parallel")]
    let parts = if n >= 1 << 16 {
        rayon::current_num_threads().max(1)
    } else {
        1
    };
    #[cfg(not(feature = "parallel"))]
    let parts = 1;
    let step = n.div_ceil(parts).max(1);
    (0..n).step_by(step).map(|s| s..(s + step).min(n)).collect()
}

fn map_chunks<T: Send>(chunks: &[Range<usize>], f: impl Fn(Range<usize>) -> T + Sync) -> Vec<T> {
    #[cfg(feature = "parallel")]
    {
        use rayon::prelude::*;
        chunks.par_iter().map(|r| f(r.clone())).collect()
    }
    #[cfg(not(feature = "parallel"))]
    {
        chunks.iter().map(|r| f(r.clone())).collect()
    }
}

/// `buf` laid out group after group, each group's part chunk after chunk (`counts[chunk][group]`
/// rows): the slice of every (chunk, group), by chunk.
fn split_by_chunk<'a>(
    mut buf: &'a mut [u64],
    counts: &[Vec<usize>],
    k: usize,
) -> Vec<Vec<&'a mut [u64]>> {
    let mut parts: Vec<Vec<&mut [u64]>> = counts.iter().map(|_| Vec::with_capacity(k)).collect();
    for g in 0..k {
        for (c, part) in counts.iter().zip(parts.iter_mut()) {
            let m = c.get(g).copied().unwrap_or(0);
            let rest = std::mem::take(&mut buf);
            let (head, tail) = rest.split_at_mut(m.min(rest.len()));
            part.push(head);
            buf = tail;
        }
    }
    parts
}

/// Packs the keys of rows `r` into their groups' slices and counts them: time to contact ends at the
/// contact (done), the closing without one (never: censored, a miss for the SLA) or `as_of` (open:
/// censored); time to close at the closing (done) or `as_of`. The hours compared with the SLA are the
/// state's, `seconds as f64 / HOUR`.
fn pack(
    b: &CaseBatch<'_>,
    r: Range<usize>,
    mut contact: Vec<&mut [u64]>,
    mut close: Vec<&mut [u64]>,
    k: usize,
    sla: f64,
) -> Vec<Tallies> {
    let mut at = vec![0usize; k];
    let mut t = vec![Tallies::default(); k];
    let rows = b
        .codes
        .get(r.clone())
        .unwrap_or_default()
        .iter()
        .zip(b.opened.get(r.clone()).unwrap_or_default())
        .zip(b.contacted.get(r.clone()).unwrap_or_default())
        .zip(b.closed.get(r).unwrap_or_default());
    for (((&g, &o), &c), &z) in rows {
        let g = g as usize;
        let (Some(pos), Some(tally), Some(a), Some(zk)) = (
            at.get_mut(g),
            t.get_mut(g),
            contact.get_mut(g),
            close.get_mut(g),
        ) else {
            continue;
        };
        // Checked before: every time lies in [o, as_of], so the differences are ≥ 0 and below 2^54.
        let done_c = c != NAT;
        let to_contact = if done_c {
            c - o
        } else if z != NAT {
            z - o
        } else {
            b.as_of - o
        };
        let done_z = z != NAT;
        let to_close = if done_z { z - o } else { b.as_of - o };
        if let Some(slot) = a.get_mut(*pos) {
            *slot = (to_contact as u64) << 1 | u64::from(done_c);
        }
        if let Some(slot) = zk.get_mut(*pos) {
            *slot = (to_close as u64) << 1 | u64::from(done_z);
        }
        *pos += 1;
        tally.cases += 1;
        tally.contacted += u64::from(done_c);
        tally.closed += u64::from(done_z);
        let within = to_contact as f64 / HOUR <= sla;
        if done_c {
            tally.sla.0 += u64::from(within);
            tally.sla.1 += 1;
        } else if !done_z && within {
            tally.sla.2 += 1;
        } else {
            tally.sla.1 += 1;
        }
    }
    t
}

/// The metrics of every group from its tallies and its two curves (`fitted`: each group's time to
/// contact, then its time to close, in the order of `names`).
pub(super) fn assemble(
    names: &[String],
    tallies: &[Tallies],
    fitted: Vec<Result<Option<KmCurve>>>,
    options: &LoopOptions,
) -> Result<LoopMetrics> {
    let share_opts = IntervalOptions::default().confidence(options.confidence);
    let maybe_share = |k: u64, n: u64| -> Result<Option<Share>> {
        if n == 0 {
            Ok(None)
        } else {
            share(k as f64, n as f64, &share_opts).map(Some)
        }
    };
    let mut fitted = fitted.into_iter();
    let mut groups = Vec::with_capacity(names.len());
    for (name, t) in names.iter().zip(tallies) {
        let contact = fitted.next().transpose()?.flatten();
        let close = fitted.next().transpose()?.flatten();
        let (met, due, pending) = t.sla;
        let (t_met, t_due, t_pending) = t.trigger_sla;
        groups.push(GroupLoop {
            name: name.clone(),
            cases: t.cases,
            contacted: t.contacted,
            closed: t.closed,
            contact_percentiles: percentiles(contact.as_ref(), &options.percentiles)?,
            close_percentiles: percentiles(close.as_ref(), &options.percentiles)?,
            time_to_contact: contact,
            time_to_close: close,
            sla: maybe_share(met, due)?,
            sla_pending: pending,
            triggers: t.triggers,
            coverage: maybe_share(t.with_case, t.triggers)?,
            coverage_in_sla: maybe_share(t_met, t_due)?,
            coverage_pending: t_pending,
        });
    }
    Ok(LoopMetrics {
        groups,
        sla_hours: options.sla_hours,
        confidence: options.confidence,
    })
}

fn percentiles(curve: Option<&KmCurve>, ps: &[f64]) -> Result<Vec<Percentile>> {
    let Some(c) = curve else {
        return Ok(Vec::new());
    };
    ps.iter()
        .map(|&p| {
            let (low, high) = c.percentile_interval(1.0 - p)?;
            Ok(Percentile {
                p,
                hours: c.percentile(1.0 - p)?,
                low,
                high,
            })
        })
        .collect()
}
