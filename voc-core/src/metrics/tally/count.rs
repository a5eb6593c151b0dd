//! Counting kernels: byte histograms (split across threads for large inputs), group codes and weight checks.

use super::*;

/// [`Score::byte_histogram`], split across threads for large inputs.
pub(super) fn byte_histogram_parallel<S: Score>(
    scores: &[S],
    min: i32,
    k: usize,
) -> Option<Vec<u64>> {
    #[cfg(feature = "parallel")]
    if scores.len() >= PARALLEL_MIN_ROWS {
        use rayon::prelude::*;
        return scores
            .par_chunks(chunk_len(scores.len()))
            .map(|c| S::byte_histogram(c, min, k).map(|h| h[..k].to_vec()))
            .try_reduce(
                || vec![0; k],
                |mut a, b| {
                    a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
                    Some(a)
                },
            );
    }
    S::byte_histogram(scores, min, k).map(|h| h[..k].to_vec())
}

/// Generic counting: (histogram, missing count). Invalid values are simply not counted.
pub(super) fn histogram_generic<S: Score>(
    scores: &[S],
    min: i32,
    max: i32,
    k: usize,
) -> (Vec<u64>, u64) {
    let count = |chunk: &[S]| {
        let mut h = vec![0u64; k];
        let mut skipped = 0u64;
        for &s in chunk {
            match s.locate(min, max) {
                Located::Point(i) => h[i] += 1,
                Located::Missing => skipped += 1,
                Located::Invalid => {}
            }
        }
        (h, skipped)
    };
    #[cfg(feature = "parallel")]
    if scores.len() >= PARALLEL_MIN_ROWS {
        use rayon::prelude::*;
        return scores
            .par_chunks(chunk_len(scores.len()))
            .map(count)
            .reduce(
                || (vec![0; k], 0),
                |(mut a, sa), (b, sb)| {
                    a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
                    (a, sa + sb)
                },
            );
    }
    count(scores)
}

/// Group id `key − base`, if it is one (in `0..MAX_GROUPS`).
#[inline(always)]
pub(super) fn group_of<K: GroupKey>(key: K, base: i64) -> Option<usize> {
    group_of_i64(key.key()?, base)
}

/// Group id of an `i64` key: `key − base` if it lies in `0..MAX_GROUPS`.
pub(super) fn group_of_i64(key: i64, base: i64) -> Option<usize> {
    let g = key.checked_sub(base)?;
    usize::try_from(g).ok().filter(|&g| g < MAX_GROUPS)
}

/// Thread-local counts of one chunk of a grouped batch.
#[derive(Default)]
pub(super) struct LocalCounts {
    pub(super) counts: Vec<u32>,
    pub(super) missing: Vec<u64>,
    /// Groups seen: one more than the largest id.
    pub(super) used: usize,
}

impl LocalCounts {
    /// Makes room for `groups` groups, doubling to keep growth amortised.
    pub(super) fn grow(&mut self, groups: usize, k: usize) {
        self.used = groups;
        if groups * k > self.counts.len() {
            let target = groups.max(self.missing.len() * 2).min(MAX_GROUPS);
            self.counts.resize(target * k, 0);
            self.missing.resize(target, 0);
        }
    }
}

/// Rows per chunk for splitting work across threads (the whole input below the parallel threshold).
pub(super) fn chunk_len(rows: usize) -> usize {
    #[cfg(feature = "parallel")]
    if rows >= PARALLEL_MIN_ROWS {
        return (rows / (rayon::current_num_threads() * 2)).max(1 << 18);
    }
    rows.max(1)
}

/// Runs `scan(offset, scores, keys)` over matching chunks of the two columns (on several threads with
/// the `parallel` feature), in chunk order, and returns the chunks' results or the first bad row. A chunk
/// never holds more than 2³¹ rows, so its counters may be `u32`.
pub(super) fn scan_chunks<S: Sync, K: Sync, L: Send>(
    scores: &[S],
    keys: &[K],
    scan: impl Fn(usize, &[S], &[K]) -> std::result::Result<L, usize> + Sync,
) -> std::result::Result<Vec<L>, usize> {
    let chunk = chunk_len(scores.len()).min(1 << 31);
    #[cfg(feature = "parallel")]
    let locals: Vec<std::result::Result<L, usize>> = {
        use rayon::prelude::*;
        scores
            .par_chunks(chunk)
            .zip(keys.par_chunks(chunk))
            .enumerate()
            .map(|(c, (s, g))| scan(c * chunk, s, g))
            .collect()
    };
    #[cfg(not(feature = "parallel"))]
    let locals: Vec<std::result::Result<L, usize>> = scores
        .chunks(chunk)
        .zip(keys.chunks(chunk))
        .enumerate()
        .map(|(c, (s, g))| scan(c * chunk, s, g))
        .collect();
    match locals
        .iter()
        .filter_map(|l| l.as_ref().err().copied())
        .min()
    {
        Some(bad) => Err(bad),
        None => Ok(locals.into_iter().flatten().collect()),
    }
}

/// Largest group id, checked against [`MAX_GROUPS`].
pub(super) fn max_group(groups: &[u32]) -> Result<usize> {
    let max = groups.iter().copied().max().unwrap_or(0) as usize;
    if max >= MAX_GROUPS {
        let index = groups
            .iter()
            .position(|&g| g as usize >= MAX_GROUPS)
            .unwrap_or(0);
        return Err(Error::InvalidValue {
            arg: "groups",
            index,
            value: groups.get(index).copied().unwrap_or(0) as f64,
            reason: "group ids must be dense codes below 16,777,216 (factorize labels first)",
        });
    }
    Ok(max)
}

/// Weights must be finite and non-negative, and their squares must sum to a finite number; NaN is a
/// missing weight.
pub(super) fn validate_weights(weights: &[f64], missing: MissingPolicy) -> Result<()> {
    let mut squares = 0.0_f64;
    for (index, &value) in weights.iter().enumerate() {
        if value.is_finite() {
            squares += value * value;
            if !squares.is_finite() {
                return Err(Error::InvalidValue {
                    arg: "weights",
                    index,
                    value,
                    reason: "weights are too large: their squares do not sum to a finite number (rescale them)",
                });
            }
        }
        if value.is_nan() {
            if missing == MissingPolicy::Error {
                return Err(Error::Missing {
                    arg: "weights",
                    index,
                });
            }
        } else if !value.is_finite() {
            return Err(Error::NonFinite {
                arg: "weights",
                index,
                value,
            });
        } else if value < 0.0 {
            return Err(Error::InvalidValue {
                arg: "weights",
                index,
                value,
                reason: "weights must be non-negative",
            });
        }
    }
    Ok(())
}
