//! Helpers shared by the runtime's integration tests. Each test file uses only some of them.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::SystemTime;

use lambda_sdk_runtime::client::ServiceSpec;

/// A Lambda-like service without endpoint rules: the tests set the endpoint.
pub static SPEC: ServiceSpec = ServiceSpec {
    sdk_id: "Lambda",
    signing_name: "lambda",
    endpoint_prefix: "lambda",
    sdk_user_agent: "lambda-sdk-tests/0.0.0",
    endpoint_resolver: None,
};

/// A unique scratch directory, removed on drop.
pub struct TempDir(PathBuf);

impl TempDir {
    /// A new empty directory whose name starts with `name`.
    pub fn new(name: &str) -> TempDir {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let nanos = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        let dir = std::env::temp_dir().join(format!(
            "lambda-sdk-rt-{name}-{}-{nanos}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    /// Writes `text` to `name` in the directory; returns the file's path.
    pub fn write(&self, name: &str, text: &str) -> String {
        let path = self.0.join(name);
        std::fs::write(&path, text).unwrap();
        path.to_str().unwrap().to_owned()
    }

    /// The directory as text, for `HOME`.
    pub fn home(&self) -> String {
        self.0.to_str().unwrap().to_owned()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Reads `../../shared/models/<name>` (relative to the runtime crate). `None`, after saying
/// why, when it is absent; a panic instead under `CI=true`.
pub fn shared_json(name: &str) -> Option<serde_json::Value> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/models")
        .join(name);
    match std::fs::read_to_string(&path) {
        Ok(text) => Some(
            serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("{} is not valid JSON: {e}", path.display())),
        ),
        Err(e) => {
            let why = format!("cannot read {}: {e}", path.display());
            if std::env::var("CI").as_deref() == Ok("true") {
                panic!("{why} (required when CI=true)");
            }
            eprintln!("skipping: {why}");
            None
        }
    }
}
