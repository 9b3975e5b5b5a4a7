#![no_main]
//! See shnor::fuzzing::table.
libfuzzer_sys::fuzz_target!(|data: &[u8]| shnor::fuzzing::table(data));
