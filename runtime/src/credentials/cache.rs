//! [`CachingProvider`]: caches credentials and refreshes them before they expire.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use super::{BoxFuture, Credentials, CredentialsError, ProvideCredentials};

/// The clock a [`CachingProvider`] reads.
type Clock = Arc<dyn Fn() -> SystemTime + Send + Sync>;

const DEFAULT_REFRESH_WINDOW: Duration = Duration::from_secs(5 * 60);

/// Caches the credentials of another source.
///
/// - Credentials without an expiry are fetched once and kept forever.
/// - Credentials with an expiry are fetched again once they expire within the refresh window
///   (5 minutes by default, [`with_refresh_window`](Self::with_refresh_window)). When they
///   live shorter than the window, they are fetched again halfway through their life.
/// - Fetching is single-flight: concurrent callers wait for one fetch and share its result,
///   success or error. While credentials that have not expired yet are being refreshed, other
///   callers get them at once instead of waiting.
/// - When a refresh fails while the cached credentials have not expired yet, they are still
///   returned (and the next call tries again).
/// - Errors are not cached: the call after a failed fetch fetches again.
///
/// ```
/// use std::sync::Arc;
/// use std::time::Duration;
/// use lambda_sdk_runtime::credentials::{CachingProvider, Credentials, ProvideCredentials};
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let source = Arc::new(Credentials::new("AKIDEXAMPLE", "secret", None));
/// let cached = CachingProvider::new(source).with_refresh_window(Duration::from_secs(60));
/// assert_eq!(cached.provide_credentials().await?.access_key_id(), "AKIDEXAMPLE");
/// # Ok::<(), lambda_sdk_runtime::credentials::CredentialsError>(())
/// # }).unwrap();
/// ```
pub struct CachingProvider {
    inner: Arc<dyn ProvideCredentials>,
    refresh_window: Duration,
    clock: Clock,
    /// How many fetches have completed; read before waiting for the lock, to tell whether
    /// another caller fetched meanwhile.
    fetches: AtomicU64,
    /// The cached credentials; held only briefly, never across an await.
    state: std::sync::Mutex<State>,
    /// Held by the one caller fetching (single flight).
    refresh: tokio::sync::Mutex<()>,
}

#[derive(Default)]
struct State {
    cached: Option<Cached>,
    /// The error of the last fetch, if it failed.
    last_error: Option<CredentialsError>,
}

struct Cached {
    credentials: Credentials,
    /// When to fetch again; `None`: never.
    refresh_at: Option<SystemTime>,
}

impl Cached {
    fn new(credentials: Credentials, now: SystemTime, window: Duration) -> Self {
        let refresh_at = credentials.expiry().map(|expiry| {
            match expiry.checked_sub(window) {
                Some(at) if at > now => at,
                // Shorter-lived than the window: refresh halfway through the remaining life.
                _ => match expiry.duration_since(now) {
                    Ok(left) => now + left / 2,
                    Err(_) => now,
                },
            }
        });
        Cached {
            credentials,
            refresh_at,
        }
    }

    fn is_fresh(&self, now: SystemTime) -> bool {
        self.refresh_at.is_none_or(|at| now < at)
    }

    fn is_expired(&self, now: SystemTime) -> bool {
        self.credentials
            .expiry()
            .is_some_and(|expiry| now >= expiry)
    }
}

impl CachingProvider {
    /// Caches what `inner` returns.
    pub fn new(inner: Arc<dyn ProvideCredentials>) -> Self {
        CachingProvider {
            inner,
            refresh_window: DEFAULT_REFRESH_WINDOW,
            clock: Arc::new(SystemTime::now),
            fetches: AtomicU64::new(0),
            state: std::sync::Mutex::new(State::default()),
            refresh: tokio::sync::Mutex::new(()),
        }
    }

    /// Fetch again when the credentials expire within `window` (default 5 minutes).
    pub fn with_refresh_window(mut self, window: Duration) -> Self {
        self.refresh_window = window;
        self
    }

    /// Reads the time from `clock` instead of [`SystemTime::now`] (for tests).
    pub fn with_clock(mut self, clock: Arc<dyn Fn() -> SystemTime + Send + Sync>) -> Self {
        self.clock = clock;
        self
    }

    /// Drops the cached credentials, so the next call fetches (for instance after AWS
    /// answered `ExpiredToken`).
    pub async fn invalidate(&self) {
        let mut state = self.state();
        state.cached = None;
        state.last_error = None;
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        // The lock is never held across an await or a call out, so a poisoned lock can only
        // come from a panic in this file's own bookkeeping; the state is still consistent.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    async fn load(&self) -> Result<Credentials, CredentialsError> {
        let seen = self.fetches.load(Ordering::Acquire);
        let now = (self.clock)();
        let valid = {
            let state = self.state();
            match &state.cached {
                Some(cached) if cached.is_fresh(now) => return Ok(cached.credentials.clone()),
                Some(cached) if !cached.is_expired(now) => Some(cached.credentials.clone()),
                _ => None,
            }
        };
        let _refreshing = match self.refresh.try_lock() {
            Ok(guard) => guard,
            Err(_) => match valid {
                // Another caller is refreshing: still-valid credentials serve meanwhile.
                Some(credentials) => return Ok(credentials),
                None => self.refresh.lock().await,
            },
        };
        let now = (self.clock)();
        {
            let state = self.state();
            if let Some(cached) = &state.cached
                && cached.is_fresh(now)
            {
                return Ok(cached.credentials.clone());
            }
            if self.fetches.load(Ordering::Acquire) != seen {
                // Another caller fetched while this one waited: share its result.
                if let Some(cached) = &state.cached
                    && !cached.is_expired(now)
                {
                    return Ok(cached.credentials.clone());
                }
                if let Some(error) = &state.last_error {
                    return Err(error.clone());
                }
            }
        }
        let result = self.inner.provide_credentials().await;
        self.fetches.fetch_add(1, Ordering::Release);
        let now = (self.clock)();
        let mut state = self.state();
        match result {
            Ok(credentials) => {
                state.cached = Some(Cached::new(credentials.clone(), now, self.refresh_window));
                state.last_error = None;
                Ok(credentials)
            }
            Err(error) => {
                state.last_error = Some(error.clone());
                match &state.cached {
                    Some(cached) if !cached.is_expired(now) => {
                        tracing::warn!(
                            %error,
                            "refreshing credentials failed; using the cached ones until they expire"
                        );
                        Ok(cached.credentials.clone())
                    }
                    _ => Err(error),
                }
            }
        }
    }
}

impl fmt::Debug for CachingProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CachingProvider")
            .field("inner", &self.inner)
            .field("refresh_window", &self.refresh_window)
            .finish_non_exhaustive()
    }
}

impl ProvideCredentials for CachingProvider {
    fn provide_credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        Box::pin(self.load())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::test_util::{SECRET, TOKEN};
    use std::sync::Mutex;
    use std::sync::atomic::AtomicUsize;
    use std::time::UNIX_EPOCH;

    /// A source counting its fetches; each returns credentials `KEY<n>` expiring `life` after
    /// the test clock, after a short pause (so concurrent callers overlap).
    #[derive(Debug)]
    struct Counting {
        calls: AtomicUsize,
        life: Option<Duration>,
        now: Arc<Mutex<SystemTime>>,
        fail: std::sync::atomic::AtomicBool,
    }

    impl Counting {
        fn new(life: Option<Duration>, now: Arc<Mutex<SystemTime>>) -> Arc<Self> {
            Arc::new(Counting {
                calls: AtomicUsize::new(0),
                life,
                now,
                fail: false.into(),
            })
        }

        fn calls(&self) -> usize {
            self.calls.load(Ordering::SeqCst)
        }
    }

    impl ProvideCredentials for Counting {
        fn provide_credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
            Box::pin(async move {
                let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
                tokio::time::sleep(Duration::from_millis(50)).await;
                if self.fail.load(Ordering::SeqCst) {
                    return Err(CredentialsError::provider_failed(format!(
                        "fetch {n} failed"
                    )));
                }
                let c = Credentials::new(format!("KEY{n}"), SECRET, Some(TOKEN.into()));
                Ok(match self.life {
                    Some(life) => c.with_expiry(*self.now.lock().unwrap() + life),
                    None => c,
                })
            })
        }
    }

    fn clock(now: &Arc<Mutex<SystemTime>>) -> Clock {
        let now = now.clone();
        Arc::new(move || *now.lock().unwrap())
    }

    fn start() -> Arc<Mutex<SystemTime>> {
        Arc::new(Mutex::new(UNIX_EPOCH + Duration::from_secs(1_700_000_000)))
    }

    fn advance(now: &Arc<Mutex<SystemTime>>, by: Duration) {
        *now.lock().unwrap() += by;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn one_fetch_for_many_concurrent_callers() {
        let now = start();
        let source = Counting::new(Some(Duration::from_secs(3600)), now.clone());
        let cache = Arc::new(CachingProvider::new(source.clone()).with_clock(clock(&now)));
        let tasks: Vec<_> = (0..20)
            .map(|_| {
                let cache = cache.clone();
                tokio::spawn(async move { cache.provide_credentials().await })
            })
            .collect();
        for task in tasks {
            assert_eq!(task.await.unwrap().unwrap().access_key_id(), "KEY1");
        }
        assert_eq!(source.calls(), 1);
    }

    #[tokio::test]
    async fn refreshes_within_the_window_before_expiry() {
        let now = start();
        let source = Counting::new(Some(Duration::from_secs(3600)), now.clone());
        let cache = CachingProvider::new(source.clone()).with_clock(clock(&now));
        assert_eq!(
            cache.provide_credentials().await.unwrap().access_key_id(),
            "KEY1"
        );
        // 54 minutes later: 6 minutes left, outside the 5-minute window.
        advance(&now, Duration::from_secs(54 * 60));
        assert_eq!(
            cache.provide_credentials().await.unwrap().access_key_id(),
            "KEY1"
        );
        assert_eq!(source.calls(), 1);
        // 56 minutes: 4 minutes left, inside the window, not yet expired.
        advance(&now, Duration::from_secs(2 * 60));
        assert_eq!(
            cache.provide_credentials().await.unwrap().access_key_id(),
            "KEY2"
        );
        assert_eq!(source.calls(), 2);
        assert_eq!(
            cache.provide_credentials().await.unwrap().access_key_id(),
            "KEY2"
        );
        assert_eq!(source.calls(), 2);
    }

    #[tokio::test]
    async fn valid_credentials_serve_other_callers_while_one_refreshes() {
        let now = start();
        let source = Counting::new(Some(Duration::from_secs(3600)), now.clone());
        let cache = Arc::new(CachingProvider::new(source.clone()).with_clock(clock(&now)));
        cache.provide_credentials().await.unwrap();
        advance(&now, Duration::from_secs(56 * 60));
        let refreshing = tokio::spawn({
            let cache = cache.clone();
            async move { cache.provide_credentials().await }
        });
        // Let the refresh start; it takes 50 ms.
        tokio::time::sleep(Duration::from_millis(10)).await;
        assert_eq!(source.calls(), 2);
        // Had it waited for the refresh, it would share its result, KEY2.
        let meanwhile = cache.provide_credentials().await.unwrap();
        assert_eq!(meanwhile.access_key_id(), "KEY1");
        assert!(!refreshing.is_finished());
        let refreshed = refreshing.await.unwrap().unwrap();
        assert_eq!(refreshed.access_key_id(), "KEY2");
        assert_eq!(
            cache.provide_credentials().await.unwrap().access_key_id(),
            "KEY2"
        );
        assert_eq!(source.calls(), 2);
    }

    #[tokio::test]
    async fn custom_window_and_short_lived_credentials() {
        let now = start();
        // Lives 2 minutes, shorter than the 5-minute window: refreshed after 1 minute.
        let source = Counting::new(Some(Duration::from_secs(120)), now.clone());
        let cache = CachingProvider::new(source.clone()).with_clock(clock(&now));
        cache.provide_credentials().await.unwrap();
        advance(&now, Duration::from_secs(59));
        cache.provide_credentials().await.unwrap();
        assert_eq!(source.calls(), 1);
        advance(&now, Duration::from_secs(2));
        cache.provide_credentials().await.unwrap();
        assert_eq!(source.calls(), 2);

        let now = start();
        let source = Counting::new(Some(Duration::from_secs(3600)), now.clone());
        let cache = CachingProvider::new(source.clone())
            .with_clock(clock(&now))
            .with_refresh_window(Duration::from_secs(60));
        cache.provide_credentials().await.unwrap();
        advance(&now, Duration::from_secs(58 * 60));
        cache.provide_credentials().await.unwrap();
        assert_eq!(source.calls(), 1);
        advance(&now, Duration::from_secs(61));
        cache.provide_credentials().await.unwrap();
        assert_eq!(source.calls(), 2);
    }

    #[tokio::test]
    async fn credentials_without_expiry_are_cached_forever() {
        let now = start();
        let source = Counting::new(None, now.clone());
        let cache = CachingProvider::new(source.clone()).with_clock(clock(&now));
        for _ in 0..3 {
            assert_eq!(
                cache.provide_credentials().await.unwrap().access_key_id(),
                "KEY1"
            );
            advance(&now, Duration::from_secs(365 * 24 * 3600));
        }
        assert_eq!(source.calls(), 1);
        cache.invalidate().await;
        assert_eq!(
            cache.provide_credentials().await.unwrap().access_key_id(),
            "KEY2"
        );
    }

    #[tokio::test]
    async fn failed_refresh_keeps_unexpired_credentials_and_errors_are_not_cached() {
        let now = start();
        let source = Counting::new(Some(Duration::from_secs(3600)), now.clone());
        let cache = CachingProvider::new(source.clone()).with_clock(clock(&now));
        assert_eq!(
            cache.provide_credentials().await.unwrap().access_key_id(),
            "KEY1"
        );
        source.fail.store(true, Ordering::SeqCst);
        advance(&now, Duration::from_secs(57 * 60));
        assert_eq!(
            cache.provide_credentials().await.unwrap().access_key_id(),
            "KEY1"
        );
        assert_eq!(source.calls(), 2);
        // Expired: the error comes through.
        advance(&now, Duration::from_secs(4 * 60));
        let err = cache.provide_credentials().await.unwrap_err();
        assert_eq!(err.to_string(), "fetch 3 failed");
        // And is not cached.
        source.fail.store(false, Ordering::SeqCst);
        assert_eq!(
            cache.provide_credentials().await.unwrap().access_key_id(),
            "KEY4"
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_callers_share_a_failure() {
        let now = start();
        let source = Counting::new(None, now.clone());
        source.fail.store(true, Ordering::SeqCst);
        let cache = Arc::new(CachingProvider::new(source.clone()).with_clock(clock(&now)));
        let tasks: Vec<_> = (0..10)
            .map(|_| {
                let cache = cache.clone();
                tokio::spawn(async move { cache.provide_credentials().await })
            })
            .collect();
        for task in tasks {
            assert!(task.await.unwrap().is_err());
        }
        // Callers that arrive while a fetch runs share it; only callers arriving after it
        // completed start another one.
        assert!(source.calls() < 10, "{}", source.calls());
    }

    #[tokio::test]
    async fn debug_has_no_secrets() {
        let cache = CachingProvider::new(Arc::new(Credentials::new(
            "AKID",
            SECRET,
            Some(TOKEN.into()),
        )));
        cache.provide_credentials().await.unwrap();
        let text = format!("{cache:?}");
        assert!(!text.contains(SECRET) && !text.contains(TOKEN), "{text}");
        assert!(text.contains("AKID"), "{text}");
    }
}
