#![no_main]
//! Fuzz target: see authtoken::fuzzing::listener_request.
libfuzzer_sys::fuzz_target!(|data: &[u8]| authtoken::fuzzing::listener_request(data));
