#![no_main]
//! cargo-fuzz target `outcome_state` (body in `fuzz/src/targets.rs`, corpus in `fuzz/corpus/outcome_state/`).

#[path = "../src/targets.rs"]
mod targets;

libfuzzer_sys::fuzz_target!(|data: &[u8]| targets::outcome_state(data));
