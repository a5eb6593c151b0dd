#![no_main]
//! cargo-fuzz target `kmeans_model` (body in `fuzz/src/targets.rs`, corpus in `fuzz/corpus/kmeans_model/`).

#[path = "../src/targets.rs"]
mod targets;

libfuzzer_sys::fuzz_target!(|data: &[u8]| targets::kmeans_model(data));
