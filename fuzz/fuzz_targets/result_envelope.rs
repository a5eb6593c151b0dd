#![no_main]
//! cargo-fuzz target `result_envelope` (body in `fuzz/src/targets.rs`, corpus in `fuzz/corpus/result_envelope/`).

#[path = "../src/targets.rs"]
mod targets;

libfuzzer_sys::fuzz_target!(|data: &[u8]| targets::result_envelope(data));
