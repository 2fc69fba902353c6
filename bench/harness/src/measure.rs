//! Timing: sequential calls and 64 concurrent callers, with latency percentiles and throughput.

use std::future::Future;
use std::time::{Duration, Instant};

/// Latencies of individual calls, and the wall time they took together.
#[derive(Debug, Default, Clone)]
pub struct Samples {
    /// Per-call latencies, in nanoseconds.
    pub nanos: Vec<u64>,
    /// Wall time of the timed part (all calls, all callers).
    pub wall: Duration,
}

impl Samples {
    /// Adds another run's samples.
    pub fn merge(&mut self, other: Samples) {
        self.nanos.extend(other.nanos);
        self.wall += other.wall;
    }

    fn sorted(&self) -> Vec<u64> {
        let mut v = self.nanos.clone();
        v.sort_unstable();
        v
    }

    /// The median latency.
    pub fn median(&self) -> Duration {
        percentile(&self.sorted(), 0.5)
    }

    /// The 99th-percentile latency.
    pub fn p99(&self) -> Duration {
        percentile(&self.sorted(), 0.99)
    }

    /// Calls completed per second of wall time.
    pub fn per_second(&self) -> f64 {
        if self.wall.is_zero() {
            return 0.0;
        }
        self.nanos.len() as f64 / self.wall.as_secs_f64()
    }

    /// The number of calls.
    pub fn calls(&self) -> usize {
        self.nanos.len()
    }
}

/// The `q` quantile of sorted values (nearest rank).
pub fn percentile(sorted: &[u64], q: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    Duration::from_nanos(sorted[rank - 1])
}

/// The median of durations.
pub fn median(values: &[Duration]) -> Duration {
    let mut nanos: Vec<u64> = values.iter().map(|d| d.as_nanos() as u64).collect();
    nanos.sort_unstable();
    percentile(&nanos, 0.5)
}

/// `warmup` untimed calls, then timed calls one after another until at least `min_calls`
/// have run and `min_time` has passed (at most `max_calls`).
pub async fn sequential<F, Fut>(
    call: F,
    warmup: usize,
    min_calls: usize,
    min_time: Duration,
    max_calls: usize,
) -> Result<Samples, String>
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<(), String>>,
{
    for _ in 0..warmup {
        call().await?;
    }
    let mut nanos = Vec::with_capacity(min_calls.max(1024));
    let started = Instant::now();
    while nanos.len() < max_calls && (nanos.len() < min_calls || started.elapsed() < min_time) {
        let t = Instant::now();
        call().await?;
        nanos.push(t.elapsed().as_nanos() as u64);
    }
    Ok(Samples {
        nanos,
        wall: started.elapsed(),
    })
}

/// `callers` tasks on the current runtime, each calling in a loop; first `warmup` calls per
/// caller untimed, then each keeps calling until `time` has passed.
pub async fn concurrent<F, Fut>(
    call: F,
    callers: usize,
    warmup: usize,
    time: Duration,
) -> Result<Samples, String>
where
    F: Fn() -> Fut + Clone + Send + 'static,
    Fut: Future<Output = Result<(), String>> + Send + 'static,
{
    // Warm-up: every caller at once, so each client's pool holds `callers` connections.
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..callers {
        let call = call.clone();
        set.spawn(async move {
            for _ in 0..warmup {
                call().await?;
            }
            Ok::<(), String>(())
        });
    }
    while let Some(done) = set.join_next().await {
        done.map_err(|e| format!("a caller panicked: {e}"))??;
    }
    let started = Instant::now();
    let deadline = started + time;
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..callers {
        let call = call.clone();
        set.spawn(async move {
            let mut nanos = Vec::with_capacity(1024);
            while Instant::now() < deadline {
                let t = Instant::now();
                call().await?;
                nanos.push(t.elapsed().as_nanos() as u64);
            }
            Ok::<Vec<u64>, String>(nanos)
        });
    }
    let mut all = Vec::new();
    while let Some(done) = set.join_next().await {
        all.extend(done.map_err(|e| format!("a caller panicked: {e}"))??);
    }
    Ok(Samples {
        nanos: all,
        wall: started.elapsed(),
    })
}

/// Human-readable duration: µs below 10 ms, ms above.
pub fn fmt_duration(d: Duration) -> String {
    let micros = d.as_secs_f64() * 1e6;
    if micros < 10_000.0 {
        format!("{micros:.1} µs")
    } else if micros < 10_000_000.0 {
        format!("{:.2} ms", micros / 1000.0)
    } else {
        format!("{:.2} s", micros / 1e6)
    }
}
