#![no_main]
//! Fuzz target: see authtoken_core::fuzzing::token_response.
libfuzzer_sys::fuzz_target!(|data: &[u8]| authtoken_core::fuzzing::token_response(data));
