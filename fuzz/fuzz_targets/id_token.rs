#![no_main]
//! Fuzz target: see authtoken::fuzzing::id_token.
libfuzzer_sys::fuzz_target!(|data: &[u8]| authtoken::fuzzing::id_token(data));
