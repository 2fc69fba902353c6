//! Random values from the operating system's random source (`getrandom`, which ring already
//! links for TLS): idempotency tokens and invocation ids (UUID v4), and the jitter of retry
//! backoff. The runtime README's "Primitives" section has the measurements behind them.

use std::time::SystemTime;

/// A fresh idempotency token: a random UUID (version 4), from the operating system's random
/// source (`getrandom`, which ring already uses for TLS). Should that fail, the bytes come from
/// the clock, the process id and a counter, mixed: still unique, if not unpredictable.
pub fn idempotency_token() -> String {
    let mut bytes = [0u8; 16];
    if getrandom::getrandom(&mut bytes).is_err() {
        use std::sync::atomic::{AtomicU64, Ordering};
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let nanos = clock_nanos();
        let mix = |mut z: u64| {
            // splitmix64's finalizer.
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        };
        let count = COUNTER.fetch_add(1, Ordering::Relaxed);
        let high = mix(nanos as u64 ^ (u64::from(std::process::id()) << 32));
        let low = mix((nanos >> 64) as u64 ^ count.rotate_left(17) ^ high);
        bytes[..8].copy_from_slice(&high.to_le_bytes());
        bytes[8..].copy_from_slice(&low.to_le_bytes());
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

/// Nanoseconds since the Unix epoch (0 for a clock before it): what the fallbacks of both
/// helpers draw on when the operating system's random source fails.
fn clock_nanos() -> u128 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default()
}

/// A random number in `[0, 1)` for the jitter of retry backoff, from the operating system's
/// random source (one `getrandom` call, about 0.2 µs, made once per retry just before it
/// sleeps). Should that fail, the sub-second part of the clock stands in: jitter only has to
/// spread retries out, not be unpredictable.
pub(crate) fn jitter() -> f64 {
    let mut bytes = [0u8; 8];
    if getrandom::getrandom(&mut bytes).is_err() {
        return (clock_nanos() % 1_000_000_000) as f64 / 1e9;
    }
    // The top 53 bits: every value is a multiple of 2^-53 below 1.
    (u64::from_le_bytes(bytes) >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idempotency_tokens_are_v4_uuids_and_unique() {
        let a = idempotency_token();
        let b = idempotency_token();
        assert_ne!(a, b);
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "4");
        assert!(matches!(&a[19..20], "8" | "9" | "a" | "b"), "{a}");
    }

    #[test]
    fn jitter_is_in_the_unit_interval_and_varies() {
        let draws: Vec<f64> = (0..1000).map(|_| jitter()).collect();
        assert!(draws.iter().all(|r| (0.0..1.0).contains(r)));
        let mean = draws.iter().sum::<f64>() / draws.len() as f64;
        assert!((0.4..0.6).contains(&mean), "mean {mean}");
        let distinct: std::collections::BTreeSet<u64> = draws.iter().map(|r| r.to_bits()).collect();
        assert!(distinct.len() > 990, "{} distinct of 1000", distinct.len());
    }
}
