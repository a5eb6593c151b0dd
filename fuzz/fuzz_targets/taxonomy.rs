#![no_main]
//! cargo-fuzz target `taxonomy` (body in `fuzz/src/targets.rs`, corpus in `fuzz/corpus/taxonomy/`).

#[path = "../src/targets.rs"]
mod targets;

libfuzzer_sys::fuzz_target!(|data: &[u8]| targets::taxonomy(data));
