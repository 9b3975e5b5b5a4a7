#![no_main]
//! See shnor::fuzzing::names.
libfuzzer_sys::fuzz_target!(|data: &[u8]| shnor::fuzzing::names(data));
