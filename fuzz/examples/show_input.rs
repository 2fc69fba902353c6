//! Prints an input of the `responses` target as the operation and HTTP response it decodes to
//! (`src/response_input.rs`), e.g. a crash artifact:
//!
//! ```text
//! cargo run --example show-input -- artifacts/responses/crash-<sha1>
//! ```
#![forbid(unsafe_code)]

use lambda_sdk_fuzz::response_input::{OPERATIONS, decode};

fn main() -> Result<(), String> {
    let path = std::env::args()
        .nth(1)
        .ok_or("usage: show-input FILE (an input of the responses target)")?;
    let data = std::fs::read(&path).map_err(|e| format!("cannot read {path}: {e}"))?;
    let input = decode(&data);
    println!("operation: {}", OPERATIONS[input.operation]);
    println!("status: {}", input.status);
    for (name, value) in &input.headers {
        println!(
            "header: {} = {}",
            String::from_utf8_lossy(name).escape_debug(),
            value.escape_ascii()
        );
    }
    println!(
        "body ({} bytes): {}",
        input.body.len(),
        input.body.escape_ascii()
    );
    Ok(())
}
