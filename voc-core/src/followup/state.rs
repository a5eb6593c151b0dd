//! The mergeable loop metrics: time to first contact and to close (Kaplan–Meier, open cases censored),
//! SLA attainment and trigger coverage (Wilson shares), per group.

use super::HOUR;
use super::cases::check_case_times;
use super::direct::{Tallies, assemble};
use crate::codec::{Reader, Writer};
use crate::error::{Error, Result};
use crate::retention::KmCurve;
use crate::retention::curve_from_keys;
use crate::signals::RowPolicy;
use crate::signals::events::validate::{
    Checker, check_required_times, check_time_range, time_error,
};
use crate::stats::dist::normal_quantile;
use crate::stats::{Share, check_confidence};
use crate::time::NAT;

const MAGIC: &[u8; 4] = b"VLOP";
const VERSION: u16 = 1;

/// Most cases (or triggers) a state holds: merges and decoded states beyond it are errors.
pub const MAX_LOOP_CASES: u64 = 1 << 40;

/// How a clock ended for one case (or trigger).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
enum Status {
    /// Still running at the batch's `as_of` time (censored).
    Open = 0,
    /// The event happened (contacted, closed).
    Done = 1,
    /// It will not happen: the case was closed without a contact (censored for the curve, a miss for
    /// the SLA).
    Never = 2,
}

impl Status {
    fn from_u8(v: u8) -> Option<Status> {
        match v {
            0 => Some(Status::Open),
            1 => Some(Status::Done),
            2 => Some(Status::Never),
            _ => None,
        }
    }
}

/// Durations (hours) and how each ended.
#[derive(Debug, Clone, PartialEq, Default)]
struct Clock {
    hours: Vec<f64>,
    status: Vec<Status>,
}

impl Clock {
    fn push(&mut self, hours: f64, status: Status) {
        self.hours.push(hours);
        self.status.push(status);
    }

    fn extend(&mut self, other: &Clock) {
        self.hours.extend_from_slice(&other.hours);
        self.status.extend_from_slice(&other.status);
    }

    fn len(&self) -> usize {
        self.hours.len()
    }

    fn done(&self) -> u64 {
        self.status.iter().filter(|&&s| s == Status::Done).count() as u64
    }

    /// The Kaplan–Meier curve (event = done), `None` when there is no row. The hours are checked
    /// (finite, ≥ 0) where they enter the state, so the curve is built from them directly.
    fn curve(&self, confidence: f64) -> Result<Option<KmCurve>> {
        if self.hours.is_empty() {
            return Ok(None);
        }
        check_confidence(confidence)?;
        let keys: Vec<u64> = self
            .hours
            .iter()
            .zip(&self.status)
            .map(|(&h, &s)| ((h + 0.0).to_bits() << 1) | u64::from(s == Status::Done))
            .collect();
        debug_assert!(self.hours.iter().all(|h| h.is_finite() && *h >= 0.0));
        let z = normal_quantile(0.5 + 0.5 * confidence);
        Ok(Some(curve_from_keys(keys, z)))
    }

    /// (met, due, pending) against `sla` hours: met = done within it; due = met + done later + still
    /// open past it + never; pending = open and not yet past it.
    fn sla(&self, sla: f64) -> (u64, u64, u64) {
        let (mut met, mut due, mut pending) = (0, 0, 0);
        for (&h, &s) in self.hours.iter().zip(&self.status) {
            match s {
                Status::Done if h <= sla => {
                    met += 1;
                    due += 1;
                }
                Status::Open if h <= sla => pending += 1,
                _ => due += 1,
            }
        }
        (met, due, pending)
    }

    fn write(&self, w: &mut Writer) {
        w.f64_vec(&self.hours);
        w.bytes(&self.status.iter().map(|&s| s as u8).collect::<Vec<_>>());
    }

    fn read(r: &mut Reader<'_>) -> Result<Clock> {
        let n = r.len()?;
        if n as u64 > MAX_LOOP_CASES {
            return Err(r.fail(format!("claims {n} rows, more than {MAX_LOOP_CASES}")));
        }
        r.expect_items(n, 9)?;
        let hours = r.f64s(n)?;
        if let Some(h) = hours.iter().find(|h| !(h.is_finite() && **h >= 0.0)) {
            return Err(r.fail(format!("a duration of {h} hours")));
        }
        let status = (0..n)
            .map(|_| {
                let v = r.u8()?;
                Status::from_u8(v).ok_or_else(|| r.fail(format!("status byte {v}")))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Clock { hours, status })
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
struct GroupAcc {
    contact: Clock,
    close: Clock,
    triggers: Clock,
    with_case: u64,
}

/// Cases for [`LoopState`]: a group code per case (indexing the state's names) and the case times
/// (seconds since 1970, [`NAT`]: not yet). Open clocks are censored at `as_of`, the time the data
/// was extracted, which must not precede any time of the batch.
///
/// ```
/// use voc_core::followup::CaseBatch;
/// use voc_core::time::NAT;
/// let b = CaseBatch::new(&[0], &[0], &[3600], &[NAT], 7200);
/// assert_eq!(b.as_of, 7200);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct CaseBatch<'a> {
    /// Group code per case.
    pub codes: &'a [u32],
    /// Opening times (required).
    pub opened: &'a [i64],
    /// First-contact times ([`NAT`]: none yet, or never if the case is closed).
    pub contacted: &'a [i64],
    /// Closing times ([`NAT`]: open).
    pub closed: &'a [i64],
    /// Observation time: open clocks are censored here.
    pub as_of: i64,
}

impl<'a> CaseBatch<'a> {
    /// A batch of cases.
    pub fn new(
        codes: &'a [u32],
        opened: &'a [i64],
        contacted: &'a [i64],
        closed: &'a [i64],
        as_of: i64,
    ) -> Self {
        CaseBatch {
            codes,
            opened,
            contacted,
            closed,
            as_of,
        }
    }
}

/// Triggers for [`LoopState`] coverage: a group code per trigger, its time, whether it got a case,
/// and the first contact of that case ([`NAT`]: none).
///
/// ```
/// use voc_core::followup::TriggerBatch;
/// let b = TriggerBatch::new(&[0, 0], &[0, 0], &[true, false], &[1800, voc_core::time::NAT], 3600);
/// assert_eq!(b.has_case, &[true, false]);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct TriggerBatch<'a> {
    /// Group code per trigger.
    pub codes: &'a [u32],
    /// Trigger times (the detractor's answer, the alert, …).
    pub time: &'a [i64],
    /// Whether a case was opened for the trigger.
    pub has_case: &'a [bool],
    /// First contact of the trigger's case ([`NAT`]: none).
    pub contacted: &'a [i64],
    /// Observation time.
    pub as_of: i64,
}

impl<'a> TriggerBatch<'a> {
    /// A batch of triggers.
    pub fn new(
        codes: &'a [u32],
        time: &'a [i64],
        has_case: &'a [bool],
        contacted: &'a [i64],
        as_of: i64,
    ) -> Self {
        TriggerBatch {
            codes,
            time,
            has_case,
            contacted,
            as_of,
        }
    }
}

/// One batch for [`State::update`](crate::State::update) of a [`LoopState`]: cases or triggers.
#[derive(Debug, Clone, Copy)]
pub enum LoopBatch<'a> {
    /// Follow-up cases.
    Cases(CaseBatch<'a>),
    /// Triggers (for coverage).
    Triggers(TriggerBatch<'a>),
}

/// Options of [`LoopState::finish`].
///
/// ```
/// use voc_core::followup::LoopOptions;
/// let o = LoopOptions::default();
/// assert_eq!((o.sla_hours, o.confidence), (48.0, 0.95));
/// assert_eq!(o.percentiles, vec![0.5, 0.9]);
/// assert!(LoopOptions::default().sla_hours(-1.0).validate().is_err());
/// ```
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct LoopOptions {
    /// Service level: first contact within this many hours (default 48).
    pub sla_hours: f64,
    /// Confidence level of every interval (default 0.95).
    pub confidence: f64,
    /// Shares of cases done by which the time is reported, in (0, 1) (default 0.5 and 0.9: the median
    /// and the 90th percentile).
    pub percentiles: Vec<f64>,
}

impl Default for LoopOptions {
    fn default() -> Self {
        LoopOptions {
            sla_hours: 48.0,
            confidence: 0.95,
            percentiles: vec![0.5, 0.9],
        }
    }
}

crate::setters!(LoopOptions {
    sla_hours: f64,
    confidence: f64,
    percentiles: Vec<f64>
});

impl LoopOptions {
    /// Checks every option: `sla_hours` finite and > 0, `confidence` in (0, 1), each percentile in
    /// (0, 1).
    pub fn validate(&self) -> Result<()> {
        if !(self.sla_hours.is_finite() && self.sla_hours > 0.0) {
            return Err(Error::option(
                "sla_hours",
                self.sla_hours,
                "must be a positive, finite number of hours",
            ));
        }
        check_confidence(self.confidence)?;
        if let Some(&p) = self.percentiles.iter().find(|p| !(**p > 0.0 && **p < 1.0)) {
            return Err(Error::option(
                "percentiles",
                p,
                "each must be a share of cases in (0, 1), e.g. 0.9",
            ));
        }
        Ok(())
    }
}

/// The time by which a share `p` of the cases was done, from the Kaplan–Meier curve: the first time
/// with S(t) ≤ 1 − p (lifelines `qth_survival_time(1 − p)`), with the interval read the same way off the
/// pointwise log(−log) bounds (`inf` when a curve never falls that far).
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Percentile {
    /// Share of cases done, e.g. 0.9.
    pub p: f64,
    /// Hours.
    pub hours: f64,
    /// Lower bound of the interval.
    pub low: f64,
    /// Upper bound of the interval.
    pub high: f64,
}

/// The loop metrics of one group.
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[derive(Debug, Clone, PartialEq)]
pub struct GroupLoop {
    /// Group name.
    pub name: String,
    /// Cases.
    pub cases: u64,
    /// Cases contacted.
    pub contacted: u64,
    /// Cases closed.
    pub closed: u64,
    /// Time to first contact (hours), open cases censored at `as_of`, cases closed without contact at
    /// their closing; `None` without cases.
    pub time_to_contact: Option<KmCurve>,
    /// Time to close (hours), open cases censored at `as_of`; `None` without cases.
    pub time_to_close: Option<KmCurve>,
    /// Percentiles of time to contact.
    pub contact_percentiles: Vec<Percentile>,
    /// Percentiles of time to close.
    pub close_percentiles: Vec<Percentile>,
    /// Share of due cases contacted within the SLA (Wilson interval); `None` when none is due yet.
    pub sla: Option<Share>,
    /// Cases not yet contacted and not yet past the SLA (left out of [`sla`](GroupLoop::sla)).
    pub sla_pending: u64,
    /// Triggers seen.
    pub triggers: u64,
    /// Share of triggers that got a case (Wilson); `None` without triggers.
    pub coverage: Option<Share>,
    /// Share of due triggers whose case was contacted within the SLA of the trigger (Wilson); `None`
    /// when none is due.
    pub coverage_in_sla: Option<Share>,
    /// Triggers not contacted and not yet past the SLA (left out of
    /// [`coverage_in_sla`](GroupLoop::coverage_in_sla)).
    pub coverage_pending: u64,
}

/// The loop metrics of every group.
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[derive(Debug, Clone, PartialEq)]
pub struct LoopMetrics {
    /// One entry per group name, in the state's order.
    pub groups: Vec<GroupLoop>,
    /// The SLA used, hours.
    pub sla_hours: f64,
    /// Confidence level of the intervals.
    pub confidence: f64,
}

/// Mergeable follow-up metrics by group (team, channel, trigger, period, …): update with case and
/// trigger batches, merge partial states (any split gives the same result as the whole), finish into
/// [`LoopMetrics`].
///
/// ```
/// use voc_core::State;
/// use voc_core::followup::{CaseBatch, LoopBatch, LoopOptions, LoopState};
/// use voc_core::time::NAT;
/// const H: i64 = 3600;
/// let mut s = LoopState::new(&["team_a".to_string(), "team_b".to_string()])?;
/// let (contacted, closed) = ([2 * H, 60 * H, NAT], [5 * H, NAT, NAT]);
/// let batch = CaseBatch::new(&[0, 0, 1], &[0, 0, 0], &contacted, &closed, 100 * H);
/// s.update(LoopBatch::Cases(batch))?;
/// let m = s.finish(&LoopOptions::default())?;
/// let a = &m.groups[0];
/// assert_eq!((a.cases, a.contacted, a.closed), (2, 2, 1));
/// assert_eq!(a.sla.map(|s| (s.successes, s.n)), Some((1.0, 2.0))); // one contacted in 2 h, one in 60 h
/// assert_eq!(a.contact_percentiles[0].hours, 2.0); // median time to contact
/// // team_b's case is open after 100 h: past the SLA, a miss; its curve is censored.
/// assert_eq!(m.groups[1].sla.map(|s| s.successes), Some(0.0));
/// let back = LoopState::from_bytes(&s.to_bytes())?;
/// assert_eq!(back.finish(&LoopOptions::default())?, m);
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct LoopState {
    names: Vec<String>,
    groups: Vec<GroupAcc>,
}

fn hours(from: i64, to: i64) -> f64 {
    // Both lie within ±2^53 s, so the difference is exact in i64 and in f64.
    (to - from) as f64 / HOUR
}

fn check_codes(codes: &[u32], groups: usize) -> Result<()> {
    match codes.iter().position(|&c| c as usize >= groups) {
        Some(i) => Err(Error::InvalidValue {
            arg: "codes",
            index: i,
            value: f64::from(codes[i]),
            reason: "a group code without a group name",
        }),
        None => Ok(()),
    }
}

/// `as_of` must not precede any time of the batch.
fn check_as_of(as_of: i64, cols: &[(&'static str, &[i64])]) -> Result<()> {
    if as_of == NAT || !crate::signals::events::validate::in_time_range(as_of) {
        return Err(time_error(
            "as_of",
            0,
            as_of,
            crate::signals::events::validate::TIME_RANGE,
        ));
    }
    for &(arg, col) in cols {
        if let Some(i) = col.iter().position(|&t| t != NAT && t > as_of) {
            return Err(time_error(
                arg,
                i,
                col[i],
                "is after as_of, the observation time",
            ));
        }
    }
    Ok(())
}

impl LoopState {
    /// An empty state with these group names (unique, at least one).
    pub fn new(names: &[String]) -> Result<LoopState> {
        if names.is_empty() {
            return Err(Error::Empty {
                arg: "names",
                what: "no group to report",
            });
        }
        for (i, name) in names.iter().enumerate() {
            if names[..i].contains(name) {
                return Err(Error::DuplicateId {
                    arg: "names",
                    index: i,
                    id: name.clone(),
                });
            }
        }
        Ok(LoopState {
            names: names.to_vec(),
            groups: vec![GroupAcc::default(); names.len()],
        })
    }

    /// Group names, by code.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    fn add_cases(&mut self, b: CaseBatch<'_>) -> Result<()> {
        let n = b.codes.len();
        for (arg, len) in [
            ("opened", b.opened.len()),
            ("contacted", b.contacted.len()),
            ("closed", b.closed.len()),
        ] {
            crate::error::check_len("codes", n, arg, len)?;
        }
        let mut ck = Checker::new("cases", RowPolicy::Error, n);
        check_case_times(
            &mut ck,
            &["opened", "contacted", "closed"],
            b.opened,
            b.contacted,
            b.closed,
        )?;
        self.add_timed_cases(b)
    }

    /// Adds cases whose lengths and time order ([`check_case_times`]) the caller has checked; the group
    /// codes, `as_of` and the state's room are checked here. Nothing changes on error.
    pub(crate) fn add_timed_cases(&mut self, b: CaseBatch<'_>) -> Result<()> {
        let n = b.codes.len();
        self.check_timed_cases(&b)?;
        // One pass to size every group's clocks: no reallocation while pushing.
        let mut sizes = vec![0usize; self.groups.len()];
        for &c in b.codes {
            sizes[c as usize] += 1;
        }
        for (g, &k) in self.groups.iter_mut().zip(&sizes) {
            for clock in [&mut g.contact, &mut g.close] {
                clock.hours.reserve(k);
                clock.status.reserve(k);
            }
        }
        for i in 0..n {
            let g = &mut self.groups[b.codes[i] as usize];
            let (o, c, z) = (b.opened[i], b.contacted[i], b.closed[i]);
            match (c != NAT, z != NAT) {
                (true, _) => g.contact.push(hours(o, c), Status::Done),
                (false, true) => g.contact.push(hours(o, z), Status::Never),
                (false, false) => g.contact.push(hours(o, b.as_of), Status::Open),
            }
            if z != NAT {
                g.close.push(hours(o, z), Status::Done);
            } else {
                g.close.push(hours(o, b.as_of), Status::Open);
            }
        }
        Ok(())
    }

    /// The checks of [`add_timed_cases`](LoopState::add_timed_cases): group codes, `as_of`, room.
    pub(super) fn check_timed_cases(&self, b: &CaseBatch<'_>) -> Result<()> {
        check_codes(b.codes, self.names.len())?;
        check_as_of(
            b.as_of,
            &[
                ("opened", b.opened),
                ("contacted", b.contacted),
                ("closed", b.closed),
            ],
        )?;
        self.check_room(b.codes.len(), |g| g.contact.len())
    }

    fn add_triggers(&mut self, b: TriggerBatch<'_>) -> Result<()> {
        let n = b.codes.len();
        for (arg, len) in [
            ("time", b.time.len()),
            ("has_case", b.has_case.len()),
            ("contacted", b.contacted.len()),
        ] {
            crate::error::check_len("codes", n, arg, len)?;
        }
        check_codes(b.codes, self.names.len())?;
        let mut ck = Checker::new("triggers", RowPolicy::Error, n);
        check_required_times(&mut ck, "time", b.time)?;
        check_time_range(&mut ck, "contacted", b.contacted)?;
        for i in 0..n {
            let (t, c) = (b.time[i], b.contacted[i]);
            if c != NAT && !b.has_case[i] {
                return Err(time_error(
                    "contacted",
                    i,
                    c,
                    "a trigger without a case has no contact",
                ));
            }
            if c != NAT && c < t {
                return Err(time_error(
                    "contacted",
                    i,
                    c,
                    "the contact is before its trigger",
                ));
            }
        }
        check_as_of(b.as_of, &[("time", b.time), ("contacted", b.contacted)])?;
        self.check_room(n, |g| g.triggers.len())?;
        for i in 0..n {
            let g = &mut self.groups[b.codes[i] as usize];
            let (t, c) = (b.time[i], b.contacted[i]);
            g.with_case += u64::from(b.has_case[i]);
            if c != NAT {
                g.triggers.push(hours(t, c), Status::Done);
            } else {
                g.triggers.push(hours(t, b.as_of), Status::Open);
            }
        }
        Ok(())
    }

    /// Errors (before anything changes) when adding `n` rows would pass [`MAX_LOOP_CASES`].
    fn check_room(&self, n: usize, len: impl Fn(&GroupAcc) -> usize) -> Result<()> {
        let held: u64 = self.groups.iter().map(|g| len(g) as u64).sum();
        if held.saturating_add(n as u64) > MAX_LOOP_CASES {
            return Err(Error::too_large(
                "cases",
                held.saturating_add(n as u64),
                MAX_LOOP_CASES,
                "a loop state holds at most 2^40 cases or triggers",
            ));
        }
        Ok(())
    }

    /// Adds one batch of cases or triggers; on error the state is unchanged (everything is checked
    /// before anything is added).
    pub fn update(&mut self, batch: LoopBatch<'_>) -> Result<()> {
        match batch {
            LoopBatch::Cases(b) => self.add_cases(b),
            LoopBatch::Triggers(b) => self.add_triggers(b),
        }
    }

    /// Adds another state with the same group names.
    pub fn merge(&mut self, other: &LoopState) -> Result<()> {
        if other.names != self.names {
            return Err(Error::Incompatible(format!(
                "loop states with different groups ({:?} and {:?}) cannot be merged",
                self.names, other.names
            )));
        }
        for len in [
            |g: &GroupAcc| g.contact.len(),
            |g: &GroupAcc| g.triggers.len(),
        ] {
            let n: u64 = other.groups.iter().map(|g| len(g) as u64).sum();
            self.check_room(n as usize, len)?;
        }
        for (a, b) in self.groups.iter_mut().zip(&other.groups) {
            a.contact.extend(&b.contact);
            a.close.extend(&b.close);
            a.triggers.extend(&b.triggers);
            a.with_case += b.with_case;
        }
        Ok(())
    }

    /// The metrics of everything seen so far.
    pub fn finish(&self, options: &LoopOptions) -> Result<LoopMetrics> {
        options.validate()?;
        let confidence = options.confidence;
        // The curves (a sort each) are the work: one task per group and clock, in parallel when the
        // feature is on.
        let clocks: Vec<&Clock> = self
            .groups
            .iter()
            .flat_map(|g| [&g.contact, &g.close])
            .collect();
        #[cfg(feature = "parallel")]
        let fitted: Vec<Result<Option<KmCurve>>> = {
            use rayon::prelude::*;
            clocks.par_iter().map(|c| c.curve(confidence)).collect()
        };
        #[cfg(not(feature = "parallel"))]
        let fitted: Vec<Result<Option<KmCurve>>> =
            clocks.iter().map(|c| c.curve(confidence)).collect();
        let tallies: Vec<Tallies> = self
            .groups
            .iter()
            .map(|g| Tallies {
                cases: g.contact.len() as u64,
                contacted: g.contact.done(),
                closed: g.close.done(),
                sla: g.contact.sla(options.sla_hours),
                triggers: g.triggers.len() as u64,
                with_case: g.with_case,
                trigger_sla: g.triggers.sla(options.sla_hours),
            })
            .collect();
        assemble(&self.names, &tallies, fitted, options)
    }

    /// The versioned, checksummed byte form (`VLOP` v1).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::with_header(MAGIC, VERSION);
        w.strs(&self.names);
        for g in &self.groups {
            g.contact.write(&mut w);
            g.close.write(&mut w);
            g.triggers.write(&mut w);
            w.u64(g.with_case);
        }
        w.seal()
    }

    /// Reads [`to_bytes`](LoopState::to_bytes) output; anything else is an
    /// [`Error::Decode`](crate::Error::Decode).
    pub fn from_bytes(bytes: &[u8]) -> Result<LoopState> {
        let mut r = Reader::open(bytes, "loop state", MAGIC, VERSION)?;
        let n = r.len()?;
        r.expect_items(n, 8)?;
        let names = (0..n)
            .map(|_| r.str("group name"))
            .collect::<Result<Vec<_>>>()?;
        let mut groups = Vec::with_capacity(n);
        for _ in 0..n {
            let contact = Clock::read(&mut r)?;
            let close = Clock::read(&mut r)?;
            let triggers = Clock::read(&mut r)?;
            let with_case = r.u64()?;
            if close.len() != contact.len() {
                return Err(r.fail("the close clock and the contact clock differ in length"));
            }
            if with_case > triggers.len() as u64 {
                return Err(r.fail("more triggers with a case than triggers"));
            }
            if close.status.contains(&Status::Never) {
                return Err(r.fail("a close clock that will never stop"));
            }
            groups.push(GroupAcc {
                contact,
                close,
                triggers,
                with_case,
            });
        }
        r.finish()?;
        let state = LoopState::new(&names).map_err(|e| Error::Decode {
            what: "loop state",
            reason: e.to_string(),
        })?;
        let total: u64 = groups.iter().map(|g| g.contact.len() as u64).sum();
        let total_t: u64 = groups.iter().map(|g| g.triggers.len() as u64).sum();
        if total > MAX_LOOP_CASES || total_t > MAX_LOOP_CASES {
            return Err(Error::Decode {
                what: "loop state",
                reason: "more than 2^40 rows".into(),
            });
        }
        Ok(LoopState { groups, ..state })
    }
}

impl crate::State for LoopState {
    type Batch<'a> = LoopBatch<'a>;
    type Options = LoopOptions;
    type Output = LoopMetrics;

    /// The same group names, nothing counted.
    fn empty_like(&self) -> Self {
        LoopState {
            names: self.names.clone(),
            groups: vec![GroupAcc::default(); self.names.len()],
        }
    }
    fn update(&mut self, batch: LoopBatch<'_>) -> Result<()> {
        LoopState::update(self, batch)
    }
    fn merge(&mut self, other: &Self) -> Result<()> {
        LoopState::merge(self, other)
    }
    fn finish(&self, options: &LoopOptions) -> Result<LoopMetrics> {
        LoopState::finish(self, options)
    }
    fn to_bytes(&self) -> Vec<u8> {
        LoopState::to_bytes(self)
    }
    fn from_bytes(bytes: &[u8]) -> Result<Self> {
        LoopState::from_bytes(bytes)
    }
}
