//! Every long loop stops with `Error::Interrupted` soon after its interrupt hook says so, and the same
//! call runs to the end once the interrupt is reset.
//!
//! The hook and the pending flag are process-wide, so these tests live in their own test binary and
//! take one lock each. Two hooks:
//! - `always`: says "stop" at once (each loop's own check is what stops it);
//! - `main_later`: says "stop" only on the test's own thread and only after 50 ms, as Python does (it
//!   delivers Ctrl-C on its main thread only): work spread over rayon's threads must still stop, which
//!   is what `interrupt::watch` is for. The calls given it would run for many seconds.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Mutex, MutexGuard};
use std::thread::ThreadId;
use std::time::{Duration, Instant};

use ndarray::Array2;
use voc_core::interrupt;
use voc_core::{Error, Fit, Result};

static LOCK: Mutex<()> = Mutex::new(());
static MAIN: Mutex<Option<(ThreadId, Instant)>> = Mutex::new(None);

fn always() -> bool {
    true
}

fn main_later() -> bool {
    let main = *MAIN.lock().unwrap_or_else(|e| e.into_inner());
    main.is_some_and(|(id, t0)| {
        std::thread::current().id() == id && t0.elapsed() > Duration::from_millis(50)
    })
}

/// Holds the lock for a whole test (its checks after an interrupt must not see another test's).
fn exclusive() -> MutexGuard<'static, ()> {
    let guard = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    interrupt::set_hook(None);
    interrupt::reset();
    guard
}

/// Installs `hook` until dropped (then removes it and clears any pending interrupt).
struct Hooked;

impl Drop for Hooked {
    fn drop(&mut self) {
        interrupt::set_hook(None);
        interrupt::reset();
    }
}

fn hooked(hook: interrupt::Hook) -> Hooked {
    // A thread calls the hook at most once per POLL_INTERVAL: let the last call (if any) age.
    std::thread::sleep(interrupt::POLL_INTERVAL);
    interrupt::reset();
    *MAIN.lock().unwrap_or_else(|e| e.into_inner()) =
        Some((std::thread::current().id(), Instant::now()));
    interrupt::set_hook(Some(hook));
    Hooked
}

/// Runs `f` under `hook` (the test holds [`exclusive`]): it must fail with `Interrupted` within a
/// second.
fn stops<T: std::fmt::Debug>(hook: interrupt::Hook, f: impl FnOnce() -> Result<T>) {
    let _h = hooked(hook);
    let t0 = Instant::now();
    let r = f();
    let took = t0.elapsed();
    assert!(matches!(r, Err(Error::Interrupted)), "{r:?}");
    assert!(took < Duration::from_secs(1), "stopped after {took:?}");
}

fn points(n: usize, d: usize) -> Array2<f64> {
    Array2::from_shape_fn((n, d), |(i, j)| {
        ((i * 7919 + j * 104_729) % 1000) as f64 / 100.0 + (i % 5) as f64 * 3.0
    })
}

#[test]
fn kmeans_starts_stop() {
    let _x = exclusive();
    use voc_core::segment::{KMeansOptions, kmeans};
    // At most MAX_N_INIT restarts, on enough rows to run for seconds uninterrupted.
    let x = points(20_000, 4);
    let opts = KMeansOptions::default()
        .k(8)
        .n_init(voc_core::segment::MAX_N_INIT);
    stops(main_later, || kmeans(x.view(), &opts));
    // The same data fit once the interrupt is reset.
    kmeans(x.view(), &KMeansOptions::default().k(8)).unwrap();
}

#[test]
fn kmeans_iterations_and_seeding_stop() {
    let _x = exclusive();
    use voc_core::segment::{KMeansOptions, kmeans_from, kmeans_plusplus};
    let x = points(500, 3);
    let init = points(4, 3);
    stops(always, || {
        kmeans_from(x.view(), init.view(), &KMeansOptions::default().k(4))
    });
    stops(always, || kmeans_plusplus(x.view(), 50, 1));
}

/// A survey with `p` correlated drivers.
fn survey(n: usize, p: usize) -> (Vec<f64>, Array2<f64>, Vec<String>) {
    let x = Array2::from_shape_fn((n, p), |(i, j)| {
        let u = ((i * 2_654_435_761 + j * 40_503) % 10_007) as f64 / 10_007.0;
        let common = ((i * 97) % 101) as f64 / 101.0;
        u + 0.3 * common
    });
    let y = (0..n)
        .map(|i| {
            x.row(i)
                .iter()
                .enumerate()
                .map(|(j, v)| v * (j % 3) as f64)
                .sum::<f64>()
        })
        .map(|v| v + 0.1)
        .collect();
    let names = (0..p).map(|j| format!("d{j}")).collect();
    (y, x, names)
}

#[test]
fn key_driver_bootstrap_stops_on_a_main_thread_hook() {
    let _x = exclusive();
    use voc_core::impact::drivers::{DriverMethod, KeyDriverOptions, key_drivers};
    let (y, x, names) = survey(400, 20);
    let opts = KeyDriverOptions::default()
        .method(DriverMethod::Both)
        .resamples(100_000);
    stops(main_later, || {
        key_drivers(&y, x.view(), &names, None, &opts)
    });
    let johnson = KeyDriverOptions::default()
        .method(DriverMethod::Johnson)
        .resamples(100_000);
    stops(main_later, || {
        key_drivers(&y, x.view(), &names, None, &johnson)
    });
}

#[test]
fn lmg_subsets_stop() {
    let _x = exclusive();
    use voc_core::impact::drivers::{DriverMethod, KeyDriverOptions, key_drivers, lmg_from_matrix};
    let (y, x, names) = survey(400, 20);
    let opts = KeyDriverOptions::default().method(DriverMethod::Lmg);
    stops(always, || key_drivers(&y, x.view(), &names, None, &opts));
    let mut c = Array2::<f64>::eye(21);
    for j in 1..21 {
        c[[0, j]] = 0.1;
        c[[j, 0]] = 0.1;
    }
    stops(always, || lmg_from_matrix(c.view()));
    lmg_from_matrix(c.view()).unwrap();
}

#[test]
fn nps_bootstrap_interval_stops() {
    let _x = exclusive();
    use voc_core::metrics::{NpsInterval, NpsOptions, NpsState};
    let mut s = NpsState::new();
    s.update(&[10_u8, 9, 3, 7, 8, 10, 6, 0]).unwrap();
    let opts = NpsOptions::default()
        .interval(NpsInterval::Bootstrap)
        .resamples(1_000_000);
    stops(always, || s.finish(&opts));
}

/// Repeat-purchase data: the 40 customers of the BG/NBD docs (simulated from BG/NBD(0.5, 4, 0.8, 2.5)),
/// `times` times over, with spend for the repeat buyers.
fn rfm(times: usize) -> (Vec<f64>, Vec<f64>, Vec<f64>, Vec<f64>) {
    let x = [
        0., 0., 0., 1., 0., 1., 0., 2., 0., 1., 0., 7., 0., 0., 0., 0., 0., 11., 0., 1., 1., 5.,
        6., 4., 4., 0., 3., 0., 0., 1., 2., 1., 0., 0., 1., 1., 0., 10., 0., 0.,
    ];
    let tx = [
        0.0, 0.0, 0.0, 0.5, 0.0, 10.9, 0.0, 7.4, 0.0, 10.8, 0.0, 11.2, 0.0, 0.0, 0.0, 0.0, 0.0,
        18.8, 0.0, 1.6, 8.7, 18.6, 14.4, 12.3, 10.8, 0.0, 8.2, 0.0, 0.0, 2.3, 18.6, 0.2, 0.0, 0.0,
        7.4, 14.6, 0.0, 19.4, 0.0, 0.0,
    ];
    let n = x.len() * times;
    let m: Vec<f64> = (0..n)
        .map(|i| {
            if x[i % 40] > 0.0 {
                10.0 + (i % 29) as f64
            } else {
                0.0
            }
        })
        .collect();
    let rep = |v: &[f64]| v.iter().copied().cycle().take(n).collect::<Vec<f64>>();
    (rep(&x), rep(&tx), vec![20.0; n], m)
}

#[test]
fn retention_optimisers_stop() {
    let _x = exclusive();
    use voc_core::retention::{BgNbd, BgNbdOptions, GammaGamma, GammaGammaOptions};
    let (x, tx, t, m) = rfm(500);
    stops(always, || BgNbd::fit(&x, &tx, &t, &BgNbdOptions::default()));
    let (xs, ms): (Vec<f64>, Vec<f64>) = x
        .iter()
        .zip(&m)
        .filter(|(f, _)| **f > 0.0)
        .map(|(a, b)| (*a, *b))
        .unzip();
    stops(always, || {
        GammaGamma::fit(&xs, &ms, &GammaGammaOptions::default())
    });
    BgNbd::fit(&x, &tx, &t, &BgNbdOptions::default()).unwrap();
}

#[test]
fn clv_periods_stop() {
    let _x = exclusive();
    use voc_core::retention::{BgNbd, ClvOptions, GammaGamma, RfmData, clv};
    let bg = BgNbd::new(0.243, 4.414, 0.793, 2.426).unwrap();
    let gg = GammaGamma::new(6.25, 3.74, 15.44).unwrap();
    // MAX_CLV_PERIODS periods for enough customers to run for seconds uninterrupted.
    let n = 5_000;
    let (x, tx, t) = (vec![2.0; n], vec![30.43; n], vec![38.86; n]);
    let opts = ClvOptions::default().periods(voc_core::retention::MAX_CLV_PERIODS);
    stops(main_later, || {
        clv(&bg, &gg, RfmData::new(&x, &tx, &t), &vec![22.35; n], &opts)
    });
}

#[test]
fn cox_and_logistic_and_cross_validation_stop() {
    let _x = exclusive();
    use voc_core::retention::{CoxData, CoxOptions};
    use voc_core::risk::{LogisticOptions, RiskData, cross_validate};
    let n = 2_000;
    let x = points(n, 3);
    let durations: Vec<f64> = (0..n).map(|i| 1.0 + (i * 31 % 97) as f64).collect();
    let events: Vec<f64> = (0..n).map(|i| f64::from(i % 3 != 0)).collect();
    stops(always, || {
        CoxOptions::default().fit(CoxData::new(x.view(), &durations, &events))
    });
    let y: Vec<f64> = (0..n).map(|i| f64::from(i * 7 % 10 < 4)).collect();
    stops(always, || {
        LogisticOptions::default().fit(RiskData::new(x.view(), &y))
    });
    stops(always, || {
        cross_validate(
            RiskData::new(x.view(), &y),
            &LogisticOptions::default(),
            5,
            1,
        )
    });
    LogisticOptions::default()
        .fit(RiskData::new(x.view(), &y))
        .unwrap();
}

#[test]
fn simulators_stop() {
    let _x = exclusive();
    use voc_core::sample::{RetailerOptions, SurveyOptions, retailer, surveys};
    stops(main_later, || {
        retailer(&RetailerOptions::default().customers(10_000_000))
    });
    stops(always, || {
        surveys(&SurveyOptions::default().responses(10_000_000))
    });
}

#[test]
fn topic_fitting_stops() {
    let _x = exclusive();
    use voc_core::text::{TfidfOptions, TopicOptions};
    let docs = [
        "refund slow money",
        "refund money late",
        "slow refund money",
        "login password fails",
        "password login error",
        "login error password",
    ];
    let o = TopicOptions::default()
        .n_topics(2)
        .tfidf(TfidfOptions::default().min_df(2));
    stops(always, || o.fit(&docs[..]));
    let model = o.fit(&docs[..]).unwrap();
    // Topic shares of new texts iterate too (NMF with H fixed).
    use voc_core::Predict;
    stops(always, || model.predict(&docs[..]));
    model.predict(&docs[..]).unwrap();
}

#[test]
fn sentiment_batches_stop_on_a_main_thread_hook() {
    let _x = exclusive();
    use voc_core::text::{SentimentLang, polarity_batch};
    let base = [
        "the refund took three weeks and nobody answered, terrible",
        "退款太慢了，客服也不理人",
        "great price and fast delivery",
    ];
    let texts: Vec<&str> = (0..3_000_000).map(|i| base[i % 3]).collect();
    stops(main_later, || polarity_batch(&texts, SentimentLang::Auto));
    stops(always, || polarity_batch(&texts[..10], SentimentLang::En));
    assert_eq!(
        polarity_batch(&texts[..10], SentimentLang::Auto)
            .unwrap()
            .len(),
        10
    );
}

#[test]
fn text_tagging_batches_stop_on_a_main_thread_hook() {
    let _x = exclusive();
    use voc_core::text::{Taxonomy, ThemeMatcher};
    let m = ThemeMatcher::new(Taxonomy::default_retail()).unwrap();
    let base = [
        "退款太慢了, and the APP crashed again while I waited for the refund",
        "great price, fast delivery, but the courier was rude",
        "客服不理人, 快递 late",
    ];
    let texts: Vec<&str> = (0..3_000_000).map(|i| base[i % 3]).collect();
    stops(main_later, || m.themes_batch(&texts, true));
    stops(main_later, || m.find_batch(&texts));
    stops(always, || m.keywords_batch(&texts[..10]));
}

#[test]
fn request_stops_without_a_hook_and_reset_clears_it() {
    let _x = exclusive();
    use voc_core::segment::{KMeansOptions, kmeans};
    let x = points(300, 2);
    interrupt::request();
    assert_eq!(
        kmeans(x.view(), &KMeansOptions::default().k(3)).unwrap_err(),
        Error::Interrupted
    );
    assert!(interrupt::is_pending());
    assert!(interrupt::reset());
    kmeans(x.view(), &KMeansOptions::default().k(3)).unwrap();
}

#[test]
fn hook_is_called_at_most_every_poll_interval() {
    let _x = exclusive();
    use std::sync::atomic::{AtomicUsize, Ordering};
    static CALLS: AtomicUsize = AtomicUsize::new(0);
    fn counting() -> bool {
        CALLS.fetch_add(1, Ordering::Relaxed);
        false
    }
    let _h = hooked(counting);
    CALLS.store(0, Ordering::Relaxed);
    let t0 = Instant::now();
    let mut n = 0u64;
    while t0.elapsed() < Duration::from_millis(200) {
        interrupt::check().unwrap();
        n += 1;
    }
    let calls = CALLS.load(Ordering::Relaxed);
    // 200 ms at one call per 20 ms at most (plus the first), however many checks ran.
    assert!((1..=12).contains(&calls), "{calls} calls in {n} checks");
}

#[cfg(feature = "parallel")]
#[test]
fn watch_stops_rayon_workers_for_a_main_thread_hook() {
    let _x = exclusive();
    use rayon::prelude::*;
    let _h = hooked(main_later);
    let t0 = Instant::now();
    let r: Result<Vec<u64>> = interrupt::watch(|| {
        (0..64u64)
            .into_par_iter()
            .map(|i| {
                // each item would run for 10 s
                let mut ticker = interrupt::Ticker::new();
                let end = Instant::now() + Duration::from_secs(10);
                while Instant::now() < end {
                    ticker.tick()?;
                }
                Ok(i)
            })
            .collect()
    });
    assert_eq!(r, Err(Error::Interrupted));
    assert!(t0.elapsed() < Duration::from_secs(1), "{:?}", t0.elapsed());
}
