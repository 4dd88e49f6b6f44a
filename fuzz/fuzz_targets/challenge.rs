#![no_main]
//! Fuzz target: see authtoken_core::fuzzing::challenge.
libfuzzer_sys::fuzz_target!(|data: &[u8]| authtoken_core::fuzzing::challenge(data));
