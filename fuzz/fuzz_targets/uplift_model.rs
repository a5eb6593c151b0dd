#![no_main]
//! cargo-fuzz target `uplift_model` (body in `fuzz/src/targets.rs`, corpus in `fuzz/corpus/uplift_model/`).

#[path = "../src/targets.rs"]
mod targets;

libfuzzer_sys::fuzz_target!(|data: &[u8]| targets::uplift_model(data));
