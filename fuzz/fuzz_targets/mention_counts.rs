#![no_main]
//! cargo-fuzz target `mention_counts` (body in `fuzz/src/targets.rs`, corpus in `fuzz/corpus/mention_counts/`).

#[path = "../src/targets.rs"]
mod targets;

libfuzzer_sys::fuzz_target!(|data: &[u8]| targets::mention_counts(data));
