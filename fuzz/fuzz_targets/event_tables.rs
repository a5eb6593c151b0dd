#![no_main]
//! cargo-fuzz target `event_tables` (body in `fuzz/src/targets.rs`, corpus in `fuzz/corpus/event_tables/`).

#[path = "../src/targets.rs"]
mod targets;

libfuzzer_sys::fuzz_target!(|data: &[u8]| targets::event_tables(data));
