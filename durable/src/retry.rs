//! Retry strategies of steps, and wait strategies of `wait_for_condition`.
//!
//! A delay is never slept in process: a step's retry is checkpointed as `RETRY` with the delay
//! and the invocation suspends; the service invokes the function again when the delay is over.
//! Delays are whole seconds, at least one.

use std::sync::Arc;
use std::time::Duration;

use crate::error::BoxError;

/// What a retry strategy decided about a failed attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RetryDecision {
    /// Try again after `delay` (rounded up to whole seconds, at least one).
    Retry {
        /// How long to wait before the next attempt.
        delay: Duration,
    },
    /// Give up: the step fails with the attempt's error.
    Stop,
}

impl RetryDecision {
    /// Retry after `delay`.
    pub fn retry(delay: Duration) -> RetryDecision {
        RetryDecision::Retry { delay }
    }
}

/// A step's retry strategy: the failed attempt's error and its number (from 1) in, a decision
/// out. An interrupted at-most-once attempt comes in as a
/// [`DurableError`](crate::DurableError) of kind
/// [`StepInterrupted`](crate::ErrorKind::StepInterrupted).
pub type RetryStrategy = Arc<dyn Fn(&BoxError, u32) -> RetryDecision + Send + Sync>;

/// How delays are randomized.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Jitter {
    /// The computed delay, exactly.
    None,
    /// Between half the computed delay and all of it.
    Half,
    /// Between zero and the computed delay (at least one second).
    #[default]
    Full,
}

/// Exponential backoff with jitter: the step retry strategy of AWS's SDKs. The default makes
/// 6 attempts, waiting 5 s, then ×2 each time up to 60 s, with full jitter.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RetryStrategyConfig {
    max_attempts: u32,
    initial_delay: Duration,
    max_delay: Duration,
    backoff_rate: f64,
    jitter: Jitter,
}

impl Default for RetryStrategyConfig {
    fn default() -> Self {
        RetryStrategyConfig {
            max_attempts: 6,
            initial_delay: Duration::from_secs(5),
            max_delay: Duration::from_secs(60),
            backoff_rate: 2.0,
            jitter: Jitter::Full,
        }
    }
}

impl RetryStrategyConfig {
    /// No retry: one attempt.
    pub fn none() -> Self {
        RetryStrategyConfig::default().max_attempts(1)
    }

    /// Attempts in all, the first included (at least 1).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The delay after the first failed attempt.
    pub fn initial_delay(mut self, delay: Duration) -> Self {
        self.initial_delay = delay;
        self
    }

    /// The longest delay.
    pub fn max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// Each delay is the previous one times this (at least 1).
    pub fn backoff_rate(mut self, rate: f64) -> Self {
        self.backoff_rate = if rate.is_finite() { rate.max(1.0) } else { 1.0 };
        self
    }

    /// How delays are randomized.
    pub fn jitter(mut self, jitter: Jitter) -> Self {
        self.jitter = jitter;
        self
    }

    /// The decision after failed attempt `attempt` (from 1).
    pub fn decide(&self, attempt: u32) -> RetryDecision {
        if attempt >= self.max_attempts {
            return RetryDecision::Stop;
        }
        RetryDecision::retry(backoff(
            self.initial_delay,
            self.max_delay,
            self.backoff_rate,
            self.jitter,
            attempt,
        ))
    }

    pub(crate) fn into_strategy(self) -> RetryStrategy {
        Arc::new(move |_: &BoxError, attempt| self.decide(attempt))
    }
}

/// The delay after attempt `attempt` (from 1): `initial × rate^(attempt-1)`, capped, jittered,
/// in whole seconds (at least one).
pub(crate) fn backoff(
    initial: Duration,
    max: Duration,
    rate: f64,
    jitter: Jitter,
    attempt: u32,
) -> Duration {
    let exponent = i32::try_from(attempt.saturating_sub(1)).unwrap_or(i32::MAX);
    let base = (initial.as_secs_f64() * rate.powi(exponent)).min(max.as_secs_f64());
    let secs = match jitter {
        Jitter::None => base.ceil(),
        Jitter::Half => (base / 2.0 + random_unit() * base / 2.0).ceil(),
        Jitter::Full => (random_unit() * base).round(),
    };
    Duration::from_secs(whole_seconds(secs))
}

/// A delay in whole seconds, at least one (the API's `NextAttemptDelaySeconds` is an integer).
pub(crate) fn whole_seconds(secs: f64) -> u64 {
    if secs.is_finite() && secs >= 1.0 {
        // Saturates above u64::MAX.
        secs as u64
    } else {
        1
    }
}

/// A delay as the API's seconds: rounded up, at least one, at most `i32::MAX`.
pub(crate) fn delay_seconds(delay: Duration) -> i32 {
    let secs = delay.as_secs() + u64::from(delay.subsec_nanos() > 0);
    i32::try_from(secs.max(1)).unwrap_or(i32::MAX)
}

/// A number in [0, 1) for jitter; not for anything that needs real randomness.
fn random_unit() -> f64 {
    use std::hash::{BuildHasher, Hasher};
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    hasher.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default(),
    );
    (hasher.finish() >> 11) as f64 / (1u64 << 53) as f64
}

/// What a wait strategy decided after a `wait_for_condition` check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum WaitDecision {
    /// The condition is not met: check again after `delay`.
    Continue {
        /// How long until the next check.
        delay: Duration,
    },
    /// The condition is met: the operation returns the state.
    Stop,
}

/// When `wait_for_condition` checks again. The default checks up to 60 times, first after 5 s,
/// then ×1.5 each time up to 5 minutes, with full jitter.
pub struct WaitStrategy<S> {
    done: Arc<dyn Fn(&S) -> bool + Send + Sync>,
    max_attempts: u32,
    initial_delay: Duration,
    max_delay: Duration,
    backoff_rate: f64,
    jitter: Jitter,
}

impl<S> Clone for WaitStrategy<S> {
    fn clone(&self) -> Self {
        WaitStrategy {
            done: Arc::clone(&self.done),
            max_attempts: self.max_attempts,
            initial_delay: self.initial_delay,
            max_delay: self.max_delay,
            backoff_rate: self.backoff_rate,
            jitter: self.jitter,
        }
    }
}

impl<S> std::fmt::Debug for WaitStrategy<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WaitStrategy")
            .field("max_attempts", &self.max_attempts)
            .field("initial_delay", &self.initial_delay)
            .field("max_delay", &self.max_delay)
            .field("backoff_rate", &self.backoff_rate)
            .field("jitter", &self.jitter)
            .finish_non_exhaustive()
    }
}

impl<S> WaitStrategy<S> {
    /// Checks until `done` says the state meets the condition.
    pub fn until(done: impl Fn(&S) -> bool + Send + Sync + 'static) -> Self {
        WaitStrategy {
            done: Arc::new(done),
            max_attempts: 60,
            initial_delay: Duration::from_secs(5),
            max_delay: Duration::from_secs(300),
            backoff_rate: 1.5,
            jitter: Jitter::Full,
        }
    }

    /// Checks in all before giving up (at least 1).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The delay after the first check.
    pub fn initial_delay(mut self, delay: Duration) -> Self {
        self.initial_delay = delay;
        self
    }

    /// The longest delay.
    pub fn max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// Each delay is the previous one times this (at least 1; 1 gives a fixed delay).
    pub fn backoff_rate(mut self, rate: f64) -> Self {
        self.backoff_rate = if rate.is_finite() { rate.max(1.0) } else { 1.0 };
        self
    }

    /// How delays are randomized.
    pub fn jitter(mut self, jitter: Jitter) -> Self {
        self.jitter = jitter;
        self
    }

    /// The checks allowed.
    pub fn attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The decision after check `attempt` (from 1) left `state`.
    pub fn decide(&self, state: &S, attempt: u32) -> WaitDecision {
        if (self.done)(state) {
            return WaitDecision::Stop;
        }
        WaitDecision::Continue {
            delay: backoff(
                self.initial_delay,
                self.max_delay,
                self.backoff_rate,
                self.jitter,
                attempt,
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_step_strategy() {
        let config = RetryStrategyConfig::default();
        for _ in 0..200 {
            let RetryDecision::Retry { delay } = config.decide(1) else {
                panic!("the first failure is retried")
            };
            assert!((1..=5).contains(&delay.as_secs()), "{delay:?}");
            let RetryDecision::Retry { delay } = config.decide(2) else {
                panic!()
            };
            assert!((1..=10).contains(&delay.as_secs()), "{delay:?}");
            let RetryDecision::Retry { delay } = config.decide(5) else {
                panic!()
            };
            assert!((1..=60).contains(&delay.as_secs()), "{delay:?}");
        }
        assert_eq!(config.decide(6), RetryDecision::Stop);
    }

    #[test]
    fn fixed_and_exponential_delays_without_jitter() {
        let config = RetryStrategyConfig::default()
            .max_attempts(5)
            .initial_delay(Duration::from_secs(2))
            .backoff_rate(3.0)
            .jitter(Jitter::None);
        let delays: Vec<u64> = (1..5)
            .map(|a| match config.decide(a) {
                RetryDecision::Retry { delay } => delay.as_secs(),
                RetryDecision::Stop => 0,
            })
            .collect();
        assert_eq!(delays, [2, 6, 18, 54]);
        assert_eq!(config.decide(5), RetryDecision::Stop);
        assert_eq!(RetryStrategyConfig::none().decide(1), RetryDecision::Stop);
    }

    #[test]
    fn delays_are_whole_seconds_at_least_one() {
        assert_eq!(delay_seconds(Duration::from_millis(1)), 1);
        assert_eq!(delay_seconds(Duration::from_millis(1500)), 2);
        assert_eq!(delay_seconds(Duration::from_secs(60)), 60);
        assert_eq!(delay_seconds(Duration::ZERO), 1);
        for _ in 0..100 {
            let d = backoff(
                Duration::from_secs(4),
                Duration::from_secs(60),
                2.0,
                Jitter::Half,
                1,
            );
            assert!((2..=4).contains(&d.as_secs()), "{d:?}");
        }
    }

    #[test]
    fn wait_strategies() {
        let strategy = WaitStrategy::until(|n: &u32| *n >= 3)
            .initial_delay(Duration::from_secs(2))
            .backoff_rate(1.0)
            .jitter(Jitter::None);
        assert_eq!(
            strategy.decide(&1, 1),
            WaitDecision::Continue {
                delay: Duration::from_secs(2)
            }
        );
        assert_eq!(
            strategy.decide(&2, 7),
            WaitDecision::Continue {
                delay: Duration::from_secs(2)
            }
        );
        assert_eq!(strategy.decide(&3, 2), WaitDecision::Stop);
        assert_eq!(strategy.attempts(), 60);
    }
}
