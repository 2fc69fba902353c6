//! Integration tests for lambda-sdk live in `tests/tests/`; this library only hosts shared helpers.
#![forbid(unsafe_code)]
// The README's Rust examples compile as this crate's doctests, so they cannot rot.
#![doc = include_str!("../../README.md")]

use std::path::PathBuf;

/// The examples of the generated crate's README (`generated/README.md`), compiled and run as
/// doctests here.
#[doc = include_str!("../../generated/README.md")]
pub mod generated_readme {}

pub mod durable;
pub mod emulator;
pub mod fault_server;
pub mod function_server;
pub mod wire_server;

/// Parses a captured request body as JSON, panicking with the body's text if it is not JSON.
pub fn body_json(body: &[u8]) -> serde_json::Value {
    serde_json::from_slice(body).unwrap_or_else(|e| {
        panic!(
            "request body is not JSON ({e}): {:?}",
            String::from_utf8_lossy(body)
        )
    })
}

/// The repository root (the parent of this crate's directory).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(".."))
}

/// Path to a file under `../shared` (beside the repository), if it exists.
///
/// When it is absent, the caller's test should skip with a printed reason; under `CI=true`
/// this function panics instead, since CI always has `../shared`.
pub fn shared_file(relative: &str) -> Option<PathBuf> {
    let path = repo_root().join("..").join("shared").join(relative);
    if path.exists() {
        return Some(path);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!(
            "CI=true but {} is missing: the reference material in ../shared must be present in CI",
            path.display()
        );
    }
    eprintln!(
        "skipping: {} is absent (it lives in ../shared beside the repository)",
        path.display()
    );
    None
}

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard, padded base64, written independently of the runtime's encoder so that tests can
/// check it.
pub fn base64(bytes: &[u8]) -> String {
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(BASE64[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}
