#![no_main]
//! Fuzz target: see authtoken_core::fuzzing::token_file.
libfuzzer_sys::fuzz_target!(|data: &[u8]| authtoken_core::fuzzing::token_file(data));
