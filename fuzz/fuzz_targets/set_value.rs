#![no_main]
//! See shnor::fuzzing::set_value.
libfuzzer_sys::fuzz_target!(|data: &[u8]| shnor::fuzzing::set_value(data));
