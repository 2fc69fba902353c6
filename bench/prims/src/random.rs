//! The random helpers. `ours_jitter` is the runtime's former `retry::jitter` (SipHash of the
//! clock), kept as the measured alternative: these measurements moved the runtime's jitter
//! (now the crate-private `random::jitter`) to getrandom, which `getrandom_jitter` is. The
//! runtime's idempotency token is public (`lambda_sdk_runtime::config::idempotency_token`) and
//! used as is.

/// The runtime's former `retry::jitter`: std's `RandomState` (SipHash-1-3 keyed from the OS
/// once per thread) over the clock's nanoseconds.
#[inline(never)]
pub fn ours_jitter() -> f64 {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default(),
    );
    (hasher.finish() >> 11) as f64 / (1u64 << 53) as f64
}

/// The alternative: 8 bytes from the operating system (`getrandom` 0.2, one `getrandom(2)`
/// system call on Linux). Should that fail, 0.5 (mid-range jitter).
#[inline(never)]
pub fn getrandom_jitter() -> f64 {
    let mut bytes = [0u8; 8];
    match getrandom::getrandom(&mut bytes) {
        Ok(()) => (u64::from_le_bytes(bytes) >> 11) as f64 / (1u64 << 53) as f64,
        Err(_) => 0.5,
    }
}

/// The alternative idempotency token: the runtime's `idempotency_token` without its
/// clock/pid/counter fallback (an operating-system failure becomes a panic).
#[inline(never)]
pub fn getrandom_token() -> String {
    let mut bytes = [0u8; 16];
    if getrandom::getrandom(&mut bytes).is_err() {
        panic!("the operating system's random source failed");
    }
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut token = String::with_capacity(36);
    for (i, byte) in bytes.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            token.push('-');
        }
        token.push(char::from(HEX[usize::from(byte >> 4)]));
        token.push(char::from(HEX[usize::from(byte & 0x0f)]));
    }
    token
}

/// 16 random bytes from `getrandom` alone: the floor of both tokens.
pub fn getrandom_16() -> [u8; 16] {
    let mut bytes = [0u8; 16];
    let _ = getrandom::getrandom(&mut bytes);
    bytes
}
