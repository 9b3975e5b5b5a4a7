#![no_main]
//! See shnor::fuzzing::scales.
libfuzzer_sys::fuzz_target!(|data: &[u8]| shnor::fuzzing::scales(data));
