#![no_main]
//! See shnor::fuzzing::config_toml.
libfuzzer_sys::fuzz_target!(|data: &[u8]| shnor::fuzzing::config_toml(data));
