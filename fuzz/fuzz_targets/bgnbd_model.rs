#![no_main]
//! cargo-fuzz target `bgnbd_model` (body in `fuzz/src/targets.rs`, corpus in `fuzz/corpus/bgnbd_model/`).

#[path = "../src/targets.rs"]
mod targets;

libfuzzer_sys::fuzz_target!(|data: &[u8]| targets::bgnbd_model(data));
