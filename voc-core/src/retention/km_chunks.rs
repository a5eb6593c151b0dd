//! The Kaplan–Meier curve of sorted keys built in parallel chunks of about [`CURVE_CHUNK`] keys, with
//! the same bits as one sweep ([`finish`](super::km::finish)).

use super::km::{KmCurve, first_at_or_below, loglog_interval};

/// Sorted keys per task of the passes of [`curve_from_sorted`] (a chunk is extended to the end of the
/// distinct time it stops in).
pub(super) const CURVE_CHUNK: usize = 1 << 15;

/// The output rows of one chunk of sorted keys.
struct ChunkRows<'a> {
    time: &'a mut [f64],
    at_risk: &'a mut [u64],
    events: &'a mut [u64],
    censored: &'a mut [u64],
    survival: &'a mut [f64],
    variance: &'a mut [f64],
    low: &'a mut [f64],
    high: &'a mut [f64],
}

/// Splits `v` into consecutive pieces of the given lengths.
fn split_lens<'a, T>(mut v: &'a mut [T], lens: &[usize]) -> Vec<&'a mut [T]> {
    let mut out = Vec::with_capacity(lens.len());
    for &len in lens {
        let (head, tail) = std::mem::take(&mut v).split_at_mut(len);
        out.push(head);
        v = tail;
    }
    out
}

/// `f` over `items`, on several threads with the `parallel` feature, results in order.
fn map_chunks<T: Send, R: Send>(items: Vec<T>, f: impl Fn(T) -> R + Sync + Send) -> Vec<R> {
    #[cfg(feature = "parallel")]
    if items.len() > 1 {
        use rayon::prelude::*;
        return items.into_par_iter().map(f).collect();
    }
    items.into_iter().map(f).collect()
}

/// The curve of sorted keys, in chunks of about `chunk` keys that each end where a distinct time ends:
/// the distinct times per chunk (in parallel), then the rows of every chunk (in parallel: at risk is
/// `n` minus the keys before; each row's survival factor `1 − d/n` and Greenwood term `d/(n(n−d))`),
/// then the products and sums in row order up to each chunk's start (the only sequential pass, which
/// writes nothing), then per chunk the same products and sums from that start, the variance and the
/// interval (in parallel). Every value is computed by the operations of [`finish`](super::km::finish) in its order, so
/// the curve does not depend on the chunks.
pub(super) fn curve_from_sorted(keys: &[u64], z: f64, chunk: usize) -> KmCurve {
    let n = keys.len();
    let same = |a: u64, b: u64| a >> 1 == b >> 1;
    let mut spans = Vec::new();
    let mut a = 0;
    while a < n {
        let mut b = (a + chunk.max(1)).min(n);
        while b < n && same(keys[b], keys[b - 1]) {
            b += 1;
        }
        spans.push((a, b));
        a = b;
    }
    let counts = map_chunks(spans.clone(), |(a, b)| {
        let k = &keys[a..b];
        let distinct = 1 + k.windows(2).filter(|w| !same(w[0], w[1])).count();
        (distinct, k.iter().map(|&x| x & 1).sum::<u64>())
    });
    let lens: Vec<usize> = counts.iter().map(|c| c.0).collect();
    let m: usize = lens.iter().sum();
    let mut c = KmCurve {
        n: n as u64,
        n_events: counts.iter().map(|c| c.1).sum(),
        time: vec![0.0; m],
        at_risk: vec![0; m],
        events: vec![0; m],
        censored: vec![0; m],
        survival: vec![0.0; m],
        variance: vec![0.0; m],
        ci_low: vec![0.0; m],
        ci_high: vec![0.0; m],
        ..KmCurve::default()
    };
    let rows: Vec<ChunkRows<'_>> = {
        let mut time = split_lens(&mut c.time, &lens).into_iter();
        let mut at_risk = split_lens(&mut c.at_risk, &lens).into_iter();
        let mut events = split_lens(&mut c.events, &lens).into_iter();
        let mut censored = split_lens(&mut c.censored, &lens).into_iter();
        let mut survival = split_lens(&mut c.survival, &lens).into_iter();
        let mut variance = split_lens(&mut c.variance, &lens).into_iter();
        let mut low = split_lens(&mut c.ci_low, &lens).into_iter();
        let mut high = split_lens(&mut c.ci_high, &lens).into_iter();
        std::iter::from_fn(|| {
            Some(ChunkRows {
                time: time.next()?,
                at_risk: at_risk.next()?,
                events: events.next()?,
                censored: censored.next()?,
                survival: survival.next()?,
                variance: variance.next()?,
                low: low.next()?,
                high: high.next()?,
            })
        })
        .collect()
    };
    // The rows; `survival` holds the factors and `high` the Greenwood terms until the last pass.
    let rows = map_chunks(rows.into_iter().zip(spans).collect(), |(r, (a, b))| {
        let mut at_risk = (n - a) as u64;
        let (mut i, mut j) = (a, 0);
        while i < b {
            let start = i;
            let mut d = 0;
            while i < b && same(keys[i], keys[start]) {
                d += keys[i] & 1;
                i += 1;
            }
            let cens = (i - start) as u64 - d;
            r.time[j] = f64::from_bits(keys[start] >> 1);
            r.at_risk[j] = at_risk;
            r.events[j] = d;
            r.censored[j] = cens;
            // A factor of 1 and a term of 0 leave S and the sum exactly as they are.
            r.survival[j] = if d > 0 {
                1.0 - d as f64 / at_risk as f64
            } else {
                1.0
            };
            r.high[j] = if d > 0 && at_risk > d {
                d as f64 / (at_risk as f64 * (at_risk - d) as f64)
            } else {
                0.0
            };
            at_risk -= d + cens;
            j += 1;
        }
        r
    });
    let mut starts = Vec::with_capacity(rows.len());
    let (mut s, mut g) = (1.0_f64, 0.0_f64);
    for r in &rows {
        starts.push((s, g));
        for (&f, &t) in r.survival.iter().zip(r.high.iter()) {
            s *= f;
            g += t;
        }
    }
    map_chunks(
        rows.into_iter().zip(starts).collect(),
        |(r, (mut s, mut g))| {
            let mut prev = (1.0, 1.0);
            let cells = (r.survival.iter_mut().zip(r.high.iter_mut()))
                .zip(r.variance.iter_mut().zip(r.low.iter_mut()))
                .zip(r.events.iter());
            for (i, (((sv, high), (variance, low)), &d)) in cells.enumerate() {
                s *= *sv;
                g += *high;
                *sv = s;
                *variance = s * s * g;
                if d > 0 || i == 0 {
                    prev = loglog_interval(s, g, z);
                }
                (*low, *high) = prev;
            }
        },
    );
    c.median = first_at_or_below(&c.time, &c.survival, 0.5);
    c.median_low = first_at_or_below(&c.time, &c.ci_low, 0.5);
    c.median_high = first_at_or_below(&c.time, &c.ci_high, 0.5);
    c
}
