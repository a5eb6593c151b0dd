//! Hash factorisation of many rows: small open-addressing tables per chunk of rows (in cache for the
//! usual few thousand labels), the chunks on several threads, then one merge of the chunks' distinct
//! labels and one renumbering pass. Codes come out in first-seen order of the whole column, whatever
//! the chunking, so the result never depends on the number of threads.

use crate::error::Result;

/// A label that can be hashed by the factoriser: a cheap, well-mixed 64-bit hash (not
/// DoS-resistant; the table's probing stays correct whatever the hash).
pub(crate) trait HashKey: Copy + Eq + Default + Send + Sync {
    fn hash64(&self) -> u64;
}

const MUL: u64 = 0x9E37_79B9_7F4A_7C15;

#[inline(always)]
fn mix(x: u64) -> u64 {
    let h = x.wrapping_mul(MUL);
    (h ^ (h >> 31)).wrapping_mul(0xBF58_476D_1CE4_E5B9)
}

impl HashKey for i64 {
    #[inline(always)]
    fn hash64(&self) -> u64 {
        mix(*self as u64)
    }
}

impl HashKey for u64 {
    #[inline(always)]
    fn hash64(&self) -> u64 {
        mix(*self)
    }
}

impl HashKey for u32 {
    /// Fibonacci hashing: the table takes the top bits, which one multiplication mixes well (32-bit
    /// keys are offsets of object addresses, which are evenly spaced more often than not).
    #[inline(always)]
    fn hash64(&self) -> u64 {
        u64::from(*self).wrapping_mul(MUL)
    }
}

impl HashKey for usize {
    #[inline(always)]
    fn hash64(&self) -> u64 {
        mix(*self as u64)
    }
}

impl HashKey for &str {
    #[inline(always)]
    fn hash64(&self) -> u64 {
        let bytes = self.as_bytes();
        let mut h = bytes.len() as u64;
        let mut words = bytes.chunks_exact(8);
        for w in &mut words {
            let mut b = [0u8; 8];
            b.copy_from_slice(w);
            h = (h.rotate_left(23) ^ u64::from_le_bytes(b)).wrapping_mul(MUL);
        }
        let rest = words.remainder();
        if !rest.is_empty() {
            let mut b = [0u8; 8];
            b[..rest.len()].copy_from_slice(rest);
            h = (h.rotate_left(23) ^ u64::from_le_bytes(b)).wrapping_mul(MUL);
        }
        mix(h)
    }
}

/// Open addressing with linear probing; slot code `EMPTY` is free. Kept at most half full
/// ([`load_divisor`]), or at most an eighth full when built [`sparse`](Table::sparse).
pub(crate) struct Table<L> {
    slots: Vec<(L, u32)>,
    shift: u32,
    len: usize,
    sparse: bool,
}

const EMPTY: u32 = u32::MAX;

/// A table is kept at most a quarter full while small (up to 2¹⁶ slots, in cache: most probes then hit
/// their home slot, so the probe branch is predictable), and at most half full when larger.
#[inline(always)]
fn load_divisor(slots: usize) -> usize {
    if slots <= 1 << 16 { 4 } else { 2 }
}

impl<L: HashKey> Table<L> {
    pub(crate) fn new(bits: u32) -> Self {
        Table {
            slots: vec![(L::default(), EMPTY); 1 << bits],
            shift: 64 - bits,
            len: 0,
            sparse: false,
        }
    }

    /// A table kept at most an eighth full, whatever its size: the same codes as [`Table::new`], with
    /// fewer keys away from their home slot, for a scan that looks up every row in the table (a
    /// displaced key costs a mispredicted branch on each of its rows, which flushes the overlapping
    /// work of the following rows). Slots are twice as many as [`Table::new`] keeps while small.
    pub(crate) fn sparse(bits: u32) -> Self {
        Table {
            sparse: true,
            ..Table::new(bits)
        }
    }

    /// The code of `key`, inserting it with code `next` when new.
    #[inline(always)]
    pub(crate) fn code_or_insert(&mut self, key: L, next: u32) -> u32 {
        let mask = self.slots.len() - 1;
        let mut i = (key.hash64() >> self.shift) as usize;
        loop {
            // invariant: i ≤ mask < slots.len().
            let slot = &mut self.slots[i];
            if slot.1 == EMPTY {
                *slot = (key, next);
                self.len += 1;
                let divisor = if self.sparse {
                    8
                } else {
                    load_divisor(self.slots.len())
                };
                if self.len * divisor > self.slots.len() {
                    self.grow();
                }
                return next;
            }
            if slot.0 == key {
                return slot.1;
            }
            i = (i + 1) & mask;
        }
    }

    /// The codes of keys already in the table, `get(j)` written to `out[j]` in order, up to the first
    /// key that is not in it (or that `get` does not give): returns how many were written. Read-only,
    /// so a loop over rows of known keys keeps the table in registers; the caller inserts the key it
    /// stopped at ([`Table::code_or_insert`]) and goes on.
    #[inline(always)]
    pub(crate) fn known_codes(&self, out: &mut [u32], get: impl Fn(usize) -> Option<L>) -> usize {
        let slots = &self.slots[..];
        let mask = slots.len() - 1;
        for (j, o) in out.iter_mut().enumerate() {
            let Some(key) = get(j) else {
                return j;
            };
            let mut i = (key.hash64() >> self.shift) as usize & mask;
            loop {
                let (k, code) = slots[i];
                if code == EMPTY {
                    return j;
                }
                if k == key {
                    *o = code;
                    break;
                }
                i = (i + 1) & mask;
            }
        }
        out.len()
    }

    fn grow(&mut self) {
        let bits = 65 - self.shift;
        let old = std::mem::replace(&mut self.slots, vec![(L::default(), EMPTY); 1 << bits]);
        self.shift = 64 - bits;
        let mask = self.slots.len() - 1;
        for (key, code) in old.into_iter().filter(|s| s.1 != EMPTY) {
            let mut i = (key.hash64() >> self.shift) as usize;
            while self.slots[i].1 != EMPTY {
                i = (i + 1) & mask;
            }
            self.slots[i] = (key, code);
        }
    }
}

/// Rows per chunk: a few chunks per thread for large inputs, one chunk below 2¹⁸ rows.
fn chunk_rows(n: usize) -> usize {
    #[cfg(feature = "parallel")]
    {
        (n.div_ceil(rayon::current_num_threads() * 2)).max(1 << 18)
    }
    #[cfg(not(feature = "parallel"))]
    {
        n.max(1)
    }
}

/// Codes of one chunk (first-seen order within the chunk) written to `out`; returns the chunk's
/// distinct labels in that order and the row of each one's first occurrence.
fn local<L: HashKey>(
    start: usize,
    out: &mut [u32],
    get: &(impl Fn(usize) -> L + Sync),
) -> (Vec<L>, Vec<usize>) {
    let mut table = Table::new(10);
    let mut distinct = Vec::new();
    let mut first = Vec::new();
    for (j, o) in out.iter_mut().enumerate() {
        let key = get(start + j);
        let next = distinct.len() as u32;
        let c = table.code_or_insert(key, next);
        if c == next {
            distinct.push(key);
            first.push(start + j);
        }
        *o = c;
    }
    (distinct, first)
}

/// Factorises rows `0..n` (label of row `i` is `get(i)`): `finish` receives the distinct labels in
/// first-seen order with the row of each one's first occurrence, and returns the final code of each;
/// the result is every row's final code.
///
/// `finish` runs once, after every row has been hashed, so it may fail (too many labels, a label that
/// cannot be read) before the final pass.
pub(crate) fn factorize_rows<L: HashKey>(
    n: usize,
    get: impl Fn(usize) -> L + Sync,
    finish: impl FnOnce(&[L], &[usize]) -> Result<Vec<u32>>,
) -> Result<Vec<u32>> {
    let mut codes = vec![0u32; n];
    let rows = chunk_rows(n);
    let locals: Vec<(Vec<L>, Vec<usize>)> = {
        #[cfg(feature = "parallel")]
        {
            use rayon::prelude::*;
            codes
                .par_chunks_mut(rows)
                .enumerate()
                .map(|(c, out)| local(c * rows, out, &get))
                .collect()
        }
        #[cfg(not(feature = "parallel"))]
        {
            codes
                .chunks_mut(rows)
                .enumerate()
                .map(|(c, out)| local(c * rows, out, &get))
                .collect()
        }
    };
    // Merge in chunk order: global first-seen order.
    let mut global = Table::new(10);
    let mut distinct: Vec<L> = Vec::new();
    let mut first: Vec<usize> = Vec::new();
    let to_global: Vec<Vec<u32>> = locals
        .iter()
        .map(|(keys, rows)| {
            keys.iter()
                .zip(rows)
                .map(|(&k, &r)| {
                    let next = distinct.len() as u32;
                    let c = global.code_or_insert(k, next);
                    if c == next {
                        distinct.push(k);
                        first.push(r);
                    }
                    c
                })
                .collect()
        })
        .collect();
    drop(locals);
    let final_codes = finish(&distinct, &first)?;
    let remaps: Vec<Vec<u32>> = to_global
        .into_iter()
        .map(|m| {
            m.into_iter()
                .map(|g| final_codes.get(g as usize).copied().unwrap_or(0))
                .collect()
        })
        .collect();
    let renumber = |(out, remap): (&mut [u32], &Vec<u32>)| {
        for c in out.iter_mut() {
            *c = remap.get(*c as usize).copied().unwrap_or(0);
        }
    };
    #[cfg(feature = "parallel")]
    {
        use rayon::prelude::*;
        codes
            .par_chunks_mut(rows)
            .zip(remaps.par_iter())
            .for_each(renumber);
    }
    #[cfg(not(feature = "parallel"))]
    codes.chunks_mut(rows).zip(remaps.iter()).for_each(renumber);
    Ok(codes)
}

/// The rank of each label in ascending order (distinct labels, so ranks are a permutation).
pub(crate) fn ranks<L: Ord>(labels: &[L]) -> (Vec<u32>, Vec<u32>) {
    let mut order: Vec<u32> = (0..labels.len() as u32).collect();
    order.sort_unstable_by(|&a, &b| labels[a as usize].cmp(&labels[b as usize]));
    let mut rank = vec![0u32; labels.len()];
    for (r, &old) in order.iter().enumerate() {
        rank[old as usize] = r as u32;
    }
    (order, rank)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_first_seen_whatever_the_chunking() {
        let keys: Vec<i64> = (0..600_000).map(|i| (i * 7919) % 1013 - 500).collect();
        let codes = factorize_rows(
            keys.len(),
            |i| keys[i],
            |d, first| {
                assert_eq!(d.len(), 1013);
                // First occurrences are increasing rows.
                assert!(first.windows(2).all(|w| w[0] < w[1]));
                for (&k, &r) in d.iter().zip(first) {
                    assert_eq!(keys[r], k);
                }
                Ok((0..d.len() as u32).collect())
            },
        )
        .unwrap();
        let mut seen = std::collections::HashMap::new();
        for (i, &k) in keys.iter().enumerate() {
            let next = seen.len() as u32;
            let c = *seen.entry(k).or_insert(next);
            assert_eq!(codes[i], c, "row {i}");
        }
    }

    proptest::proptest! {
        /// A sparse table codes any sequence of keys as a default one (first-seen codes), through its
        /// growths, and stays at most an eighth full.
        #[test]
        fn sparse_tables_code_as_default_ones(
            picks in proptest::collection::vec(0_usize..3_000, 0..4_000),
            stride in proptest::prop_oneof![proptest::strategy::Just(1_u32), proptest::strategy::Just(8), 1_u32..100],
        ) {
            let mut dense: Table<u32> = Table::new(2);
            let mut sparse: Table<u32> = Table::sparse(2);
            let mut wide: Table<u64> = Table::sparse(2);
            let mut next = 0;
            for &p in &picks {
                // Evenly spaced keys (object addresses) put several keys in one probe run.
                let key = (p as u32).wrapping_mul(stride);
                let code = dense.code_or_insert(key, next);
                proptest::prop_assert_eq!(sparse.code_or_insert(key, next), code);
                proptest::prop_assert_eq!(wide.code_or_insert(u64::from(key) << 20, next), code);
                proptest::prop_assert!(sparse.len * 8 <= sparse.slots.len());
                if code == next {
                    next += 1;
                }
            }
            proptest::prop_assert_eq!(sparse.len, next as usize);
        }

        /// Runs of known keys coded by `known_codes`, each key it stops at inserted: the codes of
        /// `code_or_insert` alone, and it stops exactly at the first new key or the first one `get`
        /// does not give.
        #[test]
        fn known_codes_then_inserts_code_as_code_or_insert(
            picks in proptest::collection::vec((0_usize..400, proptest::bool::weighted(0.02)), 0..2_000),
            stride in proptest::prop_oneof![proptest::strategy::Just(1_u32), proptest::strategy::Just(8), 1_u32..100],
            sparse in proptest::bool::ANY,
            block in 1_usize..70,
        ) {
            let keys: Vec<Option<u32>> = picks
                .iter()
                .map(|&(p, gone)| (!gone).then_some((p as u32).wrapping_mul(stride)))
                .collect();
            let mut plain: Table<u32> = Table::new(2);
            let mut next = 0;
            let want: Vec<Option<u32>> = keys
                .iter()
                .map(|k| {
                    k.map(|k| {
                        let c = plain.code_or_insert(k, next);
                        next += u32::from(c == next);
                        c
                    })
                })
                .collect();
            let mut table: Table<u32> = if sparse { Table::sparse(2) } else { Table::new(2) };
            let mut got: Vec<Option<u32>> = Vec::new();
            let mut next = 0;
            for rows in keys.chunks(block) {
                let mut codes = vec![u32::MAX; rows.len()];
                let mut out = vec![None; rows.len()];
                let mut j = 0;
                while j < rows.len() {
                    let known = table.known_codes(&mut codes[j..], |r| rows[j + r]);
                    // Every key before the stop was in the table, the one at the stop is not.
                    for r in j..j + known {
                        proptest::prop_assert!(rows[r].is_some());
                        out[r] = Some(codes[r]);
                    }
                    j += known;
                    let Some(&key) = rows.get(j) else { break };
                    out[j] = key.map(|key| table.code_or_insert(key, next));
                    if key.is_some() {
                        proptest::prop_assert_eq!(out[j], Some(next), "stopped at a known key");
                        next += 1;
                    }
                    j += 1;
                }
                got.extend(out);
            }
            proptest::prop_assert_eq!(got, want);
        }
    }

    #[test]
    fn tables_grow_past_their_first_size() {
        let mut t: Table<&str> = Table::new(2);
        let words: Vec<String> = (0..1000).map(|i| format!("w{i}")).collect();
        for (i, w) in words.iter().enumerate() {
            assert_eq!(t.code_or_insert(w, i as u32), i as u32);
        }
        for (i, w) in words.iter().enumerate() {
            assert_eq!(t.code_or_insert(w, 9999), i as u32);
        }
    }
}
