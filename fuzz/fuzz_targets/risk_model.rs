#![no_main]
//! cargo-fuzz target `risk_model` (body in `fuzz/src/targets.rs`, corpus in `fuzz/corpus/risk_model/`).

#[path = "../src/targets.rs"]
mod targets;

libfuzzer_sys::fuzz_target!(|data: &[u8]| targets::risk_model(data));
