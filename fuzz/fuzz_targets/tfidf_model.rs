#![no_main]
//! cargo-fuzz target `tfidf_model` (body in `fuzz/src/targets.rs`, corpus in `fuzz/corpus/tfidf_model/`).

#[path = "../src/targets.rs"]
mod targets;

libfuzzer_sys::fuzz_target!(|data: &[u8]| targets::tfidf_model(data));
