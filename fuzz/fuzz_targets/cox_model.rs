#![no_main]
//! cargo-fuzz target `cox_model` (body in `fuzz/src/targets.rs`, corpus in `fuzz/corpus/cox_model/`).

#[path = "../src/targets.rs"]
mod targets;

libfuzzer_sys::fuzz_target!(|data: &[u8]| targets::cox_model(data));
