//! libFuzzer glue for the `responses` target; the harness is `lambda_sdk_fuzz::responses`.
//!
//! This file cannot carry `#![forbid(unsafe_code)]`: `fuzz_target!` expands to an
//! `#[unsafe(no_mangle)]` entry point that libFuzzer calls. All logic is in the library,
//! which forbids unsafe code.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    lambda_sdk_fuzz::responses::run(data);
});
