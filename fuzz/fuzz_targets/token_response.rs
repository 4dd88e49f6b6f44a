#![no_main]
//! Fuzz target: see authtoken::fuzzing::token_response.
libfuzzer_sys::fuzz_target!(|data: &[u8]| authtoken::fuzzing::token_response(data));
