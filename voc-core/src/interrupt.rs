//! Stopping a long computation from outside: an embedder's interrupt hook and the checks the long loops
//! make.
//!
//! Every loop of `voc-core` whose length depends on a user value — k-means starts and iterations, bootstrap
//! replicates, LMG subsets, the optimisers (logistic, Cox, BG/NBD, Gamma-Gamma), cross-validation folds,
//! the simulators, topic fitting, batches of texts, the CLV sum — calls [`check`] (or a [`Ticker`] in
//! tight loops). A check fails with [`Error::Interrupted`] once an interrupt is pending, and the error
//! travels up through `?` like any other: a function that is interrupted returns the error and changes
//! nothing it was given (fits build new values; nothing is written to an argument before the loop ends).
//!
//! An interrupt becomes pending in two ways:
//!
//! - [`request`], from any thread (for a Rust program: a Ctrl-C handler, a timeout, a cancel button);
//! - the hook installed with [`set_hook`], which the checks call at most every [`POLL_INTERVAL`] on each
//!   thread and which answers whether to stop (a language binding asks its interpreter whether the user
//!   pressed Ctrl-C).
//!
//! Without a hook a check costs one relaxed atomic load. With one, it also reads the clock
//! ([`std::time::Instant`], ~25 ns), and a [`Ticker`] reads the clock only about once per 100 µs of
//! work, so the checks cost well under 1% of any loop.
//!
//! Work that runs on rayon's threads cannot be watched from the thread that waits for it, since that
//! thread is asleep in rayon; [`watch`] runs such work while the calling thread keeps polling the hook,
//! so a hook that only answers on one thread (Python delivers signals on its main thread only) still
//! stops the workers: they see the pending interrupt at their next check.
//!
//! Once pending, an interrupt stays pending — every check on every thread fails — until [`reset`]
//! clears it: the embedder calls it when it has reported the interrupt to its user (a binding does so
//! when it turns [`Error::Interrupted`] into its own exception).
//!
//! ```
//! use voc_core::interrupt;
//! use voc_core::segment::{KMeansOptions, kmeans};
//! use voc_core::Error;
//!
//! let x = ndarray::Array2::from_shape_fn((200, 2), |(i, j)| ((i * 7 + j * 3) % 11) as f64);
//! interrupt::request(); // e.g. from a Ctrl-C handler on another thread
//! let err = kmeans(x.view(), &KMeansOptions::default().k(3).n_init(1_000)).unwrap_err();
//! assert_eq!(err, Error::Interrupted);
//! assert!(interrupt::reset()); // reported: the next call runs
//! assert!(kmeans(x.view(), &KMeansOptions::default().k(3)).is_ok());
//! ```
//!
//! A hook (a plain function: it is called from any thread that runs a check):
//!
//! ```
//! use std::sync::atomic::{AtomicBool, Ordering};
//! use voc_core::interrupt;
//!
//! static CTRL_C: AtomicBool = AtomicBool::new(false);
//! fn pressed() -> bool {
//!     CTRL_C.swap(false, Ordering::Relaxed)
//! }
//! interrupt::set_hook(Some(pressed));
//! assert!(interrupt::check().is_ok());
//! CTRL_C.store(true, Ordering::Relaxed);
//! # std::thread::sleep(interrupt::POLL_INTERVAL);
//! assert_eq!(interrupt::check(), Err(voc_core::Error::Interrupted));
//! assert!(interrupt::check().is_err()); // pending until reset
//! interrupt::reset();
//! interrupt::set_hook(None);
//! assert!(interrupt::check().is_ok());
//! ```

use std::cell::Cell;
use std::sync::RwLock;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::error::{Error, Result};

/// The longest time a thread that runs checks goes without calling the hook (when one is installed):
/// 20 ms, so that with loop bodies of up to a few tens of milliseconds an interrupt stops a call within
/// about 0.1 s.
pub const POLL_INTERVAL: Duration = Duration::from_millis(20);

/// About how much work a [`Ticker`] does between two reads of the clock.
const TICK_TARGET: Duration = Duration::from_micros(100);

/// The largest number of ticks between two reads of the clock.
const MAX_STRIDE: u32 = 1 << 20;

/// A hook: answers whether the computation in progress should stop. Called from any thread that runs a
/// check, at most every [`POLL_INTERVAL`] per thread; it should be cheap and must not call back into a
/// check.
pub type Hook = fn() -> bool;

static HOOK: RwLock<Option<Hook>> = RwLock::new(None);
static HOOKED: AtomicBool = AtomicBool::new(false);
static PENDING: AtomicBool = AtomicBool::new(false);

thread_local! {
    /// When this thread last called the hook.
    static LAST_POLL: Cell<Option<Instant>> = const { Cell::new(None) };
}

/// Installs the process-wide interrupt hook (`None` removes it). The previous hook is returned.
///
/// ```
/// fn never() -> bool { false }
/// let before = voc_core::interrupt::set_hook(Some(never));
/// assert!(voc_core::interrupt::check().is_ok());
/// voc_core::interrupt::set_hook(before);
/// ```
pub fn set_hook(hook: Option<Hook>) -> Option<Hook> {
    let mut slot = HOOK.write().unwrap_or_else(|e| e.into_inner());
    let old = std::mem::replace(&mut *slot, hook);
    HOOKED.store(hook.is_some(), Ordering::Release);
    old
}

/// Makes an interrupt pending: every check, on every thread, fails with [`Error::Interrupted`] until
/// [`reset`].
///
/// ```
/// voc_core::interrupt::request();
/// assert!(voc_core::interrupt::is_pending());
/// assert!(voc_core::interrupt::reset());
/// ```
pub fn request() {
    PENDING.store(true, Ordering::Release);
}

/// Whether an interrupt is pending.
///
/// ```
/// assert!(!voc_core::interrupt::is_pending());
/// ```
pub fn is_pending() -> bool {
    PENDING.load(Ordering::Acquire)
}

/// Clears a pending interrupt; returns whether one was pending. Call it once the interrupt has been
/// reported (a binding: when it raises its own exception for [`Error::Interrupted`]).
///
/// ```
/// assert!(!voc_core::interrupt::reset());
/// ```
pub fn reset() -> bool {
    PENDING.swap(false, Ordering::AcqRel)
}

/// Asks the hook now (whatever the time since the last call); a `true` answer makes the interrupt
/// pending.
fn poll() -> bool {
    let hook = *HOOK.read().unwrap_or_else(|e| e.into_inner());
    if hook.is_some_and(|h| h()) {
        request();
        true
    } else {
        false
    }
}

/// The check a long loop makes once per step: `Err(`[`Error::Interrupted`]`)` when an interrupt is
/// pending, after calling the hook if [`POLL_INTERVAL`] has passed since this thread last did.
///
/// Costs one atomic load without a hook, and one clock read besides with one: call it where a step
/// takes a microsecond or more, and use a [`Ticker`] in tighter loops.
///
/// ```
/// use voc_core::interrupt;
/// let mut total = 0u64;
/// for i in 0..1_000u64 {
///     interrupt::check()?;
///     total += i;
/// }
/// assert_eq!(total, 499_500);
/// # Ok::<(), voc_core::Error>(())
/// ```
#[inline]
pub fn check() -> Result<()> {
    if PENDING.load(Ordering::Relaxed) {
        return Err(Error::Interrupted);
    }
    if HOOKED.load(Ordering::Relaxed) {
        return check_hook();
    }
    Ok(())
}

#[cold]
#[inline(never)]
fn check_hook() -> Result<()> {
    let now = Instant::now();
    let due = LAST_POLL.with(|last| match last.get() {
        Some(t) if now.duration_since(t) < POLL_INTERVAL => false,
        _ => {
            last.set(Some(now));
            true
        }
    });
    if due && poll() {
        return Err(Error::Interrupted);
    }
    Ok(())
}

/// A check for tight loops: [`Ticker::tick`] counts down and makes a full [`check`] only about once
/// per 100 µs of work, adapting the count to the time the loop's steps take.
///
/// ```
/// use voc_core::interrupt::Ticker;
/// let mut ticker = Ticker::new();
/// let mut sum = 0.0;
/// for i in 0..100_000 {
///     ticker.tick()?;
///     sum += f64::from(i);
/// }
/// assert_eq!(sum, 4_999_950_000.0);
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Ticker {
    left: u32,
    stride: u32,
    last: Instant,
}

impl Default for Ticker {
    fn default() -> Self {
        Self::new()
    }
}

impl Ticker {
    /// A ticker whose first tick checks.
    pub fn new() -> Self {
        Ticker {
            left: 1,
            stride: 1,
            last: Instant::now(),
        }
    }

    /// Counts one step; checks (see [`check`]) when the count runs out.
    #[inline]
    pub fn tick(&mut self) -> Result<()> {
        self.left -= 1;
        if self.left == 0 {
            return self.slow();
        }
        Ok(())
    }

    #[cold]
    #[inline(never)]
    fn slow(&mut self) -> Result<()> {
        let now = Instant::now();
        let spent = now.duration_since(self.last).as_nanos().max(1);
        self.last = now;
        // Aim at one clock read per TICK_TARGET: grow at most twofold, shrink at once.
        let target = TICK_TARGET.as_nanos();
        let scaled = u128::from(self.stride) * target / spent;
        let next = scaled
            .min(u128::from(self.stride) * 2)
            .clamp(1, u128::from(MAX_STRIDE));
        self.stride = u32::try_from(next).unwrap_or(MAX_STRIDE);
        self.left = self.stride;
        check()
    }
}

/// Runs `work` (which spreads over rayon's threads) while the calling thread keeps calling the hook
/// every [`POLL_INTERVAL`], and returns what `work` returns.
///
/// The thread that starts parallel work sleeps until the work is done, so a hook that can answer
/// only there (an interpreter that delivers signals on its main thread) would never be asked; with
/// `watch` it is, and the workers stop at their next check once it says so. Without a hook, inside a
/// rayon worker (nested work), or without the `parallel` feature, `work` simply runs.
///
/// ```
/// use voc_core::interrupt;
/// let total: u64 = interrupt::watch(|| {
///     let mut t = 0u64;
///     for i in 0..1_000u64 {
///         interrupt::check()?;
///         t += i;
///     }
///     Ok(t)
/// })?;
/// assert_eq!(total, 499_500);
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn watch<T: Send>(work: impl FnOnce() -> Result<T> + Send) -> Result<T> {
    #[cfg(feature = "parallel")]
    if HOOKED.load(Ordering::Relaxed) && rayon::current_thread_index().is_none() {
        return watch_parallel(work);
    }
    work()
}

#[cfg(feature = "parallel")]
fn watch_parallel<T: Send>(work: impl FnOnce() -> Result<T> + Send) -> Result<T> {
    use std::sync::{Condvar, Mutex};

    /// Marks the work done even if it panics, so that the watcher never waits forever.
    struct Done<'a>(&'a (Mutex<bool>, Condvar));
    impl Drop for Done<'_> {
        fn drop(&mut self) {
            let (lock, cvar) = self.0;
            *lock.lock().unwrap_or_else(|e| e.into_inner()) = true;
            cvar.notify_all();
        }
    }

    let done = (Mutex::new(false), Condvar::new());
    let mut out: Option<Result<T>> = None;
    let mut stopped = false;
    rayon::in_place_scope(|scope| {
        let (done, out) = (&done, &mut out);
        scope.spawn(move |_| {
            let _done = Done(done);
            *out = Some(work());
        });
        let (lock, cvar) = done;
        let mut finished = lock.lock().unwrap_or_else(|e| e.into_inner());
        while !*finished {
            finished = match cvar.wait_timeout(finished, POLL_INTERVAL) {
                Ok((guard, _)) => guard,
                Err(e) => e.into_inner().0,
            };
            if !*finished && !is_pending() {
                drop(finished);
                stopped |= poll();
                finished = lock.lock().unwrap_or_else(|e| e.into_inner());
            }
        }
    });
    // An interrupt the hook reported is never dropped, even if the work finished meanwhile: the
    // embedder has taken it (e.g. Python ran its Ctrl-C handler) and expects the error.
    if stopped {
        return Err(Error::Interrupted);
    }
    // The spawned work has always run when the scope ends (a panic in it resumes here instead).
    out.unwrap_or(Err(Error::Interrupted))
}

#[cfg(test)]
mod tests {
    //! Only what leaves the process-wide state alone: the tests that install hooks or make interrupts
    //! pending live in `tests/interrupts.rs` (their own process), so that they cannot stop other tests.
    use super::*;

    #[test]
    fn ticker_grows_its_stride_on_fast_steps() {
        let mut t = Ticker::new();
        for _ in 0..1_000_000 {
            assert!(t.tick().is_ok());
        }
        assert!(t.stride > 1, "{}", t.stride);
        assert!(t.stride <= MAX_STRIDE);
    }

    #[test]
    fn ticker_shrinks_its_stride_on_slow_steps() {
        let mut t = Ticker {
            left: 1,
            stride: 1 << 16,
            last: Instant::now(),
        };
        std::thread::sleep(Duration::from_millis(2));
        assert!(t.tick().is_ok());
        assert!(t.stride < 1 << 12, "{}", t.stride);
    }

    #[test]
    fn watch_without_hook_runs_the_work() {
        assert_eq!(watch(|| Ok(3)), Ok(3));
    }
}
