#![no_main]
//! cargo-fuzz target `gamma_gamma_model` (body in `fuzz/src/targets.rs`, corpus in `fuzz/corpus/gamma_gamma_model/`).

#[path = "../src/targets.rs"]
mod targets;

libfuzzer_sys::fuzz_target!(|data: &[u8]| targets::gamma_gamma_model(data));
