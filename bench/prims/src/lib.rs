//! The runtime's hand-written primitives against the crates the minimal program already
//! compiles in: our `DateTime` against `aws-smithy-types`' `DateTime`, our base64 against
//! `base64-simd` (what `aws_smithy_types::base64` wraps), and our two random helpers
//! (the retry jitter the runtime had, `config::idempotency_token`) against plain `getrandom`.
//!
//! The binaries: `prims speed`, `prims exact` and `prims sizes` (see README.md); the `probe-*`
//! and `min-*` binaries each do one job (`jobs`) so that their stripped sizes can be compared.

#![forbid(unsafe_code)]

pub mod exact;
pub mod jobs;
pub mod minimal;
pub mod random;
pub mod speed;
