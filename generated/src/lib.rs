//! placeholder until `cargo xtask codegen` runs
