#![no_main]
//! Fuzz target: see authtoken::fuzzing::device_authorization.
libfuzzer_sys::fuzz_target!(|data: &[u8]| authtoken::fuzzing::device_authorization(data));
