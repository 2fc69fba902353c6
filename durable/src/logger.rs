//! A replay-aware logger: code outside operations runs again on every invocation, so by default
//! nothing is logged while the execution replays what earlier invocations did. Records go to a
//! [`LogSink`]; the default writes one line per record to stdout, where Lambda collects it: with
//! `AWS_LAMBDA_LOG_FORMAT=JSON` a JSON object with top-level `message`, `level`, `timestamp`,
//! `requestId` and `durableExecutionArn` (and `operationId` inside a step), else a text line.
//! `AWS_LAMBDA_LOG_LEVEL` sets the least level written (default `INFO`).

use std::fmt;
use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::SystemTime;

use lambda_sdk::primitives::{DateTime, DateTimeFormat};

/// A record's severity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// `DEBUG`.
    Debug,
    /// `INFO`.
    Info,
    /// `WARN`.
    Warn,
    /// `ERROR`.
    Error,
}

impl Level {
    /// `DEBUG`, `INFO`, `WARN` or `ERROR`.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Debug => "DEBUG",
            Level::Info => "INFO",
            Level::Warn => "WARN",
            Level::Error => "ERROR",
        }
    }

    /// Reads `AWS_LAMBDA_LOG_LEVEL`'s values (`TRACE` counts as `DEBUG`, `FATAL` as `ERROR`).
    fn parse(value: &str) -> Option<Level> {
        match value.trim().to_ascii_uppercase().as_str() {
            "TRACE" | "DEBUG" => Some(Level::Debug),
            "INFO" => Some(Level::Info),
            "WARN" | "WARNING" => Some(Level::Warn),
            "ERROR" | "FATAL" => Some(Level::Error),
            _ => None,
        }
    }
}

/// One log record.
#[derive(Clone, Copy, Debug)]
pub struct LogRecord<'a> {
    /// Its severity.
    pub level: Level,
    /// The message.
    pub message: &'a str,
    /// When it was logged.
    pub timestamp: SystemTime,
    /// The execution's ARN.
    pub durable_execution_arn: &'a str,
    /// The Lambda request id of the invocation.
    pub request_id: &'a str,
    /// The step or context that logged it, if any.
    pub operation_id: Option<&'a str>,
    /// The step attempt that logged it (from 1), if any.
    pub attempt: Option<u32>,
}

/// Where log records go.
pub trait LogSink: Send + Sync {
    /// Writes one record.
    fn log(&self, record: &LogRecord<'_>);
}

/// The default sink: one line per record on stdout, JSON when `AWS_LAMBDA_LOG_FORMAT=JSON`.
#[derive(Clone, Copy, Debug)]
pub struct StdoutSink {
    json: bool,
    min_level: Level,
}

impl StdoutSink {
    /// Configured from `AWS_LAMBDA_LOG_FORMAT` and `AWS_LAMBDA_LOG_LEVEL`.
    pub fn from_env() -> StdoutSink {
        let json = std::env::var("AWS_LAMBDA_LOG_FORMAT")
            .is_ok_and(|v| v.trim().eq_ignore_ascii_case("json"));
        let min_level = std::env::var("AWS_LAMBDA_LOG_LEVEL")
            .ok()
            .and_then(|v| Level::parse(&v))
            .unwrap_or(Level::Info);
        StdoutSink { json, min_level }
    }

    /// The line a record becomes (without the newline).
    pub fn format(&self, record: &LogRecord<'_>) -> String {
        let timestamp = DateTime::from(record.timestamp).fmt(DateTimeFormat::DateTime);
        if self.json {
            let mut object = serde_json::Map::new();
            object.insert("timestamp".into(), timestamp.into());
            object.insert("level".into(), record.level.as_str().into());
            object.insert("message".into(), record.message.into());
            object.insert("requestId".into(), record.request_id.into());
            object.insert(
                "durableExecutionArn".into(),
                record.durable_execution_arn.into(),
            );
            if let Some(id) = record.operation_id {
                object.insert("operationId".into(), id.into());
            }
            if let Some(attempt) = record.attempt {
                object.insert("attempt".into(), attempt.into());
            }
            serde_json::Value::Object(object).to_string()
        } else {
            format!(
                "[{}]\t{timestamp}\t{}\t{}",
                record.level.as_str(),
                record.request_id,
                record.message
            )
        }
    }
}

impl LogSink for StdoutSink {
    fn log(&self, record: &LogRecord<'_>) {
        if record.level < self.min_level {
            return;
        }
        let mut line = self.format(record);
        line.push('\n');
        // A closed stdout is not worth failing the execution for.
        let _ = std::io::stdout().lock().write_all(line.as_bytes());
    }
}

/// What every logger of one invocation shares.
pub(crate) struct LogShared {
    pub sink: Arc<dyn LogSink>,
    pub arn: String,
    pub request_id: String,
    /// Whether the execution is still replaying what earlier invocations did.
    pub replaying: Arc<AtomicBool>,
    /// Log during replay too (`RunOptions::replay_logging`).
    pub during_replay: bool,
}

/// The logger of a context or a step (`ctx.logger()`): quiet while the execution replays,
/// unless [`during_replay`](Logger::during_replay) says otherwise.
#[derive(Clone)]
pub struct Logger {
    shared: Arc<LogShared>,
    operation_id: Option<Arc<str>>,
    attempt: Option<u32>,
    during_replay: bool,
}

impl fmt::Debug for Logger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Logger")
            .field("operation_id", &self.operation_id)
            .field("attempt", &self.attempt)
            .field("during_replay", &self.during_replay)
            .finish_non_exhaustive()
    }
}

impl Logger {
    pub(crate) fn new(
        shared: Arc<LogShared>,
        operation_id: Option<Arc<str>>,
        attempt: Option<u32>,
    ) -> Logger {
        let during_replay = shared.during_replay;
        Logger {
            shared,
            operation_id,
            attempt,
            during_replay,
        }
    }

    /// This logger, writing records during replay too (`true`) or not (`false`, the default
    /// unless [`RunOptions::replay_logging`](crate::RunOptions::replay_logging) is set).
    pub fn during_replay(mut self, log: bool) -> Logger {
        self.during_replay = log;
        self
    }

    /// Whether the execution is replaying what earlier invocations did.
    pub fn is_replaying(&self) -> bool {
        self.shared.replaying.load(Ordering::Relaxed)
    }

    /// Logs at `DEBUG`.
    pub fn debug(&self, message: impl fmt::Display) {
        self.log(Level::Debug, message);
    }

    /// Logs at `INFO`.
    pub fn info(&self, message: impl fmt::Display) {
        self.log(Level::Info, message);
    }

    /// Logs at `WARN`.
    pub fn warn(&self, message: impl fmt::Display) {
        self.log(Level::Warn, message);
    }

    /// Logs at `ERROR`.
    pub fn error(&self, message: impl fmt::Display) {
        self.log(Level::Error, message);
    }

    /// Logs at `level`.
    pub fn log(&self, level: Level, message: impl fmt::Display) {
        if self.is_replaying() && !self.during_replay {
            return;
        }
        let message = message.to_string();
        self.shared.sink.log(&LogRecord {
            level,
            message: &message,
            timestamp: SystemTime::now(),
            durable_execution_arn: &self.shared.arn,
            request_id: &self.shared.request_id,
            operation_id: self.operation_id.as_deref(),
            attempt: self.attempt,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[derive(Default)]
    struct Capture(Mutex<Vec<String>>);
    impl LogSink for Capture {
        fn log(&self, record: &LogRecord<'_>) {
            let sink = StdoutSink {
                json: true,
                min_level: Level::Debug,
            };
            self.0.lock().unwrap().push(sink.format(record));
        }
    }

    #[test]
    fn quiet_during_replay_unless_asked_and_json_has_top_level_fields() {
        let capture = Arc::new(Capture::default());
        let replaying = Arc::new(AtomicBool::new(true));
        let shared = Arc::new(LogShared {
            sink: capture.clone(),
            arn: "arn:exec".into(),
            request_id: "req-1".into(),
            replaying: replaying.clone(),
            during_replay: false,
        });
        let logger = Logger::new(shared, Some(Arc::from("op-1")), Some(2));
        logger.info("hidden while replaying");
        logger
            .clone()
            .during_replay(true)
            .warn("shown while replaying");
        replaying.store(false, Ordering::Relaxed);
        logger.info("live");
        let lines = capture.0.lock().unwrap().clone();
        assert_eq!(lines.len(), 2, "{lines:?}");
        let first: serde_json::Value = serde_json::from_str(&lines[0]).unwrap();
        assert_eq!(first["message"], "shown while replaying");
        assert_eq!(first["level"], "WARN");
        assert_eq!(first["durableExecutionArn"], "arn:exec");
        assert_eq!(first["operationId"], "op-1");
        assert_eq!(first["attempt"], 2);
        let second: serde_json::Value = serde_json::from_str(&lines[1]).unwrap();
        assert_eq!(second["message"], "live");
    }

    #[test]
    fn text_lines_and_levels() {
        let sink = StdoutSink {
            json: false,
            min_level: Level::Info,
        };
        let line = sink.format(&LogRecord {
            level: Level::Error,
            message: "boom",
            timestamp: SystemTime::UNIX_EPOCH,
            durable_execution_arn: "arn",
            request_id: "req",
            operation_id: None,
            attempt: None,
        });
        assert_eq!(line, "[ERROR]\t1970-01-01T00:00:00Z\treq\tboom");
        assert_eq!(Level::parse("warning"), Some(Level::Warn));
        assert_eq!(Level::parse("trace"), Some(Level::Debug));
        assert_eq!(Level::parse("loud"), None);
    }
}
