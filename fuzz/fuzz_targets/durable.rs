//! libFuzzer glue for the `durable` target; the harness is `lambda_sdk_fuzz::durable`.
//!
//! `fuzz_target!` expands to the `#[no_mangle]` entry point libFuzzer calls; coming from
//! libfuzzer-sys's macro, it does not trip `forbid(unsafe_code)`, which this file keeps like
//! the library.
#![forbid(unsafe_code)]
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    lambda_sdk_fuzz::durable::run(data);
});
