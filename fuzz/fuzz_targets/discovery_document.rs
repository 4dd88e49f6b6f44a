#![no_main]
//! Fuzz target: see authtoken::fuzzing::discovery_document.
libfuzzer_sys::fuzz_target!(|data: &[u8]| authtoken::fuzzing::discovery_document(data));
