#![no_main]
//! Fuzz target: see authtoken::fuzzing::jwks.
libfuzzer_sys::fuzz_target!(|data: &[u8]| authtoken::fuzzing::jwks(data));
