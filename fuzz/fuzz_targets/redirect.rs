#![no_main]
//! Fuzz target: see authtoken::fuzzing::redirect.
libfuzzer_sys::fuzz_target!(|data: &[u8]| authtoken::fuzzing::redirect(data));
