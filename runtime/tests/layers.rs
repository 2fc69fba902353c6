//! The runtime's modules form layers: each uses only modules below it, so there is no import
//! cycle among them, and a change to one can only affect those above.
//!
//! [`ORDER`] lists every top-level module of `src/`, lowest first. The test reads each
//! module's source (test code and comments aside), finds every path into the crate
//! (`crate::x`, `crate::{x, y}`, `super::` up to the root, and the root's re-exports such as
//! `crate::DateTime`), and fails on a use of a module that comes later in the order, naming
//! the file and line. A new module must be placed in the order.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// Every top-level module, lowest layer first.
const ORDER: &[&str] = &[
    // Foundations: values, encodings, settings and the environment.
    "base64",
    "md5",
    "percent",
    "json_path",
    "build_error",
    "random",
    "future",
    "settings",
    "env",
    "profile",
    "primitives",
    "partition",
    "partitions",
    "endpoint_rules",
    "event_stream",
    // The transport, and what is fetched with it.
    "http",
    "stream",
    "imds",
    // Who calls, and where to.
    "identity",
    "sign",
    "endpoint",
    "region",
    "credentials",
    // Errors and the wire format.
    "error",
    "retry",
    "rest_json",
    "paginate",
    "testing",
    // The assembly: a configuration, then the client that sends with it.
    "config",
    "request_info",
    "client",
    // What generated code calls and users do not: the client's seam, the protocol, serde helpers.
    "__private",
];

/// Files that hold only test code (`#[cfg(test)] mod …;`).
const TEST_FILES: &[&str] = &["tests.rs", "test_util.rs"];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file under `dir`.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The module path of a file: `src/credentials/profile/sso.rs` is
/// `["credentials", "profile", "sso"]`, `src/http/mod.rs` or `src/http.rs` is `["http"]`.
fn module_path(relative: &Path) -> Vec<String> {
    let mut path: Vec<String> = relative
        .iter()
        .map(|part| part.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    if path.last().is_some_and(|last| last == "mod") {
        path.pop();
    }
    path
}

/// The source lines that are neither comments nor inside a `#[cfg(test)] mod … { … }`.
fn code_lines(text: &str) -> Vec<(usize, &str)> {
    let mut lines = Vec::new();
    let mut in_tests = false;
    let mut after_cfg_test = false;
    for (index, line) in text.lines().enumerate() {
        if in_tests {
            if line == "}" {
                in_tests = false;
            }
            continue;
        }
        let trimmed = line.trim_start();
        if after_cfg_test && trimmed.starts_with("mod ") && trimmed.ends_with('{') {
            in_tests = line.starts_with("mod ");
            after_cfg_test = false;
            continue;
        }
        after_cfg_test = trimmed == "#[cfg(test)]";
        if trimmed.starts_with("//") {
            continue;
        }
        lines.push((index + 1, line));
    }
    lines
}

/// The first segment of every path into the crate root on `line`, seen from a file whose
/// module path has `depth` segments.
fn root_segments(line: &str, depth: usize) -> Vec<String> {
    let mut found = Vec::new();
    let bytes = line.as_bytes();
    let mut start = 0;
    while start < line.len() {
        let rest = &line[start..];
        let at_word_start = start == 0 || {
            let before = bytes[start - 1];
            !(before.is_ascii_alphanumeric() || before == b'_')
        };
        let (after, is_root) = if at_word_start && rest.starts_with("crate::") {
            (&rest["crate::".len()..], true)
        } else if at_word_start && rest.starts_with("super::") {
            let mut after = rest;
            let mut ups = 0;
            while let Some(next) = after.strip_prefix("super::") {
                after = next;
                ups += 1;
            }
            (after, ups >= depth)
        } else {
            start += rest.chars().next().map_or(1, char::len_utf8);
            continue;
        };
        if is_root {
            match after.strip_prefix('{') {
                Some(group) => {
                    let group = group.split('}').next().unwrap_or("");
                    for item in group.split(',') {
                        let name: String = item
                            .trim()
                            .chars()
                            .take_while(|c| c.is_alphanumeric() || *c == '_')
                            .collect();
                        if !name.is_empty() {
                            found.push(name);
                        }
                    }
                }
                None => {
                    let name: String = after
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    if !name.is_empty() {
                        found.push(name);
                    }
                }
            }
        }
        start = line.len() - after.len();
    }
    found
}

/// The names `lib.rs` re-exports, and the module each comes from (`DateTime` → `primitives`).
fn root_reexports(lib: &str) -> BTreeMap<String, String> {
    let mut names = BTreeMap::new();
    for line in lib.lines() {
        let Some(rest) = line.trim().strip_prefix("pub use ") else {
            continue;
        };
        let rest = rest.trim_end_matches(';');
        let Some((module, items)) = rest.split_once("::") else {
            continue;
        };
        let items = items.trim_start_matches('{').trim_end_matches('}');
        for item in items.split(',') {
            let name = item.trim().rsplit("::").next().unwrap_or("").trim();
            if !name.is_empty() {
                names.insert(name.to_string(), module.to_string());
            }
        }
    }
    names
}

/// `(module, file:line, used module)` for every use of another top-level module.
fn uses() -> Vec<(String, String, String)> {
    let src = src();
    let lib = fs::read_to_string(src.join("lib.rs")).expect("src/lib.rs");
    let reexports = root_reexports(&lib);
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut uses = Vec::new();
    for file in files {
        let relative = file.strip_prefix(&src).expect("under src").to_path_buf();
        let name = relative
            .file_name()
            .map(|n| n.to_string_lossy().to_string());
        if relative == Path::new("lib.rs") || name.is_some_and(|n| TEST_FILES.contains(&n.as_str()))
        {
            continue;
        }
        let path = module_path(&relative);
        let module = path[0].clone();
        let text = fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        for (line_number, line) in code_lines(&text) {
            for segment in root_segments(line, path.len()) {
                let used = reexports.get(&segment).cloned().unwrap_or(segment);
                if used != module {
                    let place = format!("src/{}:{line_number}", relative.display());
                    uses.push((module.clone(), place, used));
                }
            }
        }
    }
    uses
}

#[test]
fn every_module_uses_only_modules_below_it() {
    let rank: BTreeMap<&str, usize> = ORDER.iter().enumerate().map(|(i, m)| (*m, i)).collect();
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let modules: BTreeSet<String> = files
        .iter()
        .filter_map(|f| f.strip_prefix(src()).ok())
        .map(module_path)
        .filter_map(|p| p.first().cloned())
        .filter(|m| m != "lib")
        .collect();
    let unplaced: Vec<&String> = modules
        .iter()
        .filter(|m| !rank.contains_key(m.as_str()))
        .collect();
    assert!(
        unplaced.is_empty(),
        "modules missing from ORDER (place each above what it uses): {unplaced:?}"
    );
    let mut upward = Vec::new();
    for (module, place, used) in uses() {
        let Some(&used_rank) = rank.get(used.as_str()) else {
            continue; // a root item that is not a module, such as `crate::Document`
        };
        if used_rank > rank[module.as_str()] {
            upward.push(format!(
                "{place}: `{module}` uses `{used}`, which is above it"
            ));
        }
    }
    assert!(upward.is_empty(), "{}", upward.join("\n"));
}

#[test]
fn the_reader_finds_every_kind_of_path() {
    assert_eq!(root_segments("use crate::http::HttpClient;", 1), ["http"]);
    assert_eq!(
        root_segments("use crate::{DateTime, env::Env};", 1),
        ["DateTime", "env"]
    );
    // `super::` reaches the root from a top-level file, not from one nested deeper.
    assert_eq!(root_segments("use super::config::Config;", 1), ["config"]);
    assert!(root_segments("use super::document::Format;", 2).is_empty());
    assert_eq!(root_segments("super::super::client::Handle", 2), ["client"]);
    assert!(root_segments("my_crate::http::X", 1).is_empty());
    let text = "use crate::a::X;\n// crate::b::Y\n#[cfg(test)]\nmod tests {\n    use crate::c::Z;\n}\nfn f() { crate::d::f() }\n";
    let kept: Vec<usize> = code_lines(text).into_iter().map(|(n, _)| n).collect();
    assert_eq!(kept, [1, 3, 7]);
    let reexports =
        root_reexports("pub use build_error::BuildError;\npub use primitives::{Blob, DateTime};");
    assert_eq!(reexports["DateTime"], "primitives");
    assert_eq!(reexports["BuildError"], "build_error");
}
