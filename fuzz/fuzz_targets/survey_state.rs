#![no_main]
//! cargo-fuzz target `survey_state` (body in `fuzz/src/targets.rs`, corpus in `fuzz/corpus/survey_state/`).

#[path = "../src/targets.rs"]
mod targets;

libfuzzer_sys::fuzz_target!(|data: &[u8]| targets::survey_state(data));
