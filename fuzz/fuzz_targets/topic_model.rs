#![no_main]
//! cargo-fuzz target `topic_model` (body in `fuzz/src/targets.rs`, corpus in `fuzz/corpus/topic_model/`).

#[path = "../src/targets.rs"]
mod targets;

libfuzzer_sys::fuzz_target!(|data: &[u8]| targets::topic_model(data));
