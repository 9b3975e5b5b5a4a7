#![no_main]
//! See shnor::fuzzing::region_results.
libfuzzer_sys::fuzz_target!(|data: &[u8]| shnor::fuzzing::region_results(data));
