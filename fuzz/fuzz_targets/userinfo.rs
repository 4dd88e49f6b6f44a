#![no_main]
//! Fuzz target: see authtoken::fuzzing::userinfo.
libfuzzer_sys::fuzz_target!(|data: &[u8]| authtoken::fuzzing::userinfo(data));
