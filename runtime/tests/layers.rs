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

/// A line without its `//` comment (one that starts outside a string literal).
fn strip_comment(line: &str) -> &str {
    let mut in_string = false;
    let mut previous = ' ';
    for (i, c) in line.char_indices() {
        match c {
            '"' if previous != '\\' => in_string = !in_string,
            '/' if !in_string && line[i..].starts_with("//") => return &line[..i],
            _ => {}
        }
        previous = c;
    }
    line
}

/// The code of a file, without comments and without the bodies of `#[cfg(test)] mod … { … }`
/// (counted by braces, whatever closes them), as `(line number, text)`.
fn code_lines(text: &str) -> Vec<(usize, &str)> {
    let mut lines = Vec::new();
    // Inside a test module: its brace depth.
    let mut skipping: Option<i64> = None;
    // A `#[cfg(test)]` attribute was seen, with only attributes after it.
    let mut test_attribute = false;
    for (index, line) in text.lines().enumerate() {
        let code = strip_comment(line);
        let braces = code.matches('{').count() as i64 - code.matches('}').count() as i64;
        if let Some(depth) = skipping.as_mut() {
            *depth += braces;
            if *depth <= 0 {
                skipping = None;
            }
            continue;
        }
        let trimmed = code.trim();
        if trimmed.starts_with("#[") {
            test_attribute |=
                trimmed.starts_with("#[cfg(test)]") || trimmed.starts_with("#[cfg(all(test");
            continue;
        }
        let is_module = trimmed.starts_with("mod ") || trimmed.contains(" mod ");
        if test_attribute && is_module && trimmed.ends_with('{') {
            skipping = (braces > 0).then_some(braces);
            test_attribute = false;
            continue;
        }
        if trimmed.is_empty() {
            continue;
        }
        test_attribute = false;
        lines.push((index + 1, code));
    }
    lines
}

/// The identifier at the start of `text`.
fn leading_ident(text: &str) -> &str {
    let end = text
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(text.len());
    &text[..end]
}

/// The first segment of each item of a `{ … }` group that starts `text` (nested groups
/// included), and the length of the group.
fn group_items(text: &str) -> (Vec<String>, usize) {
    let mut items = Vec::new();
    let mut depth = 0;
    let mut item_start = true;
    for (i, c) in text.char_indices() {
        match c {
            '{' => {
                depth += 1;
                item_start = depth == 1;
            }
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return (items, i + 1);
                }
            }
            ',' if depth == 1 => item_start = true,
            c if item_start && depth == 1 && !c.is_whitespace() => {
                let name = leading_ident(&text[i..]);
                if !name.is_empty() && name != "self" {
                    items.push(name.to_string());
                }
                item_start = false;
            }
            _ => {}
        }
    }
    (items, text.len())
}

/// The first segment of every path into the crate root in `code`, seen from a file whose
/// module path has `depth` segments, with the byte offset where each path starts.
fn root_paths(code: &str, depth: usize) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    let bytes = code.as_bytes();
    let mut start = 0;
    while start < code.len() {
        let rest = &code[start..];
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
        let mut consumed = code.len() - after.len();
        if is_root {
            if after.starts_with('{') {
                let (items, length) = group_items(after);
                found.extend(items.into_iter().map(|item| (start, item)));
                consumed += length;
            } else {
                let name = leading_ident(after);
                if !name.is_empty() {
                    found.push((start, name.to_string()));
                }
            }
        }
        start = consumed;
    }
    found
}

/// The first segment of every path into the crate root on one line (for the tests below).
#[cfg(test)]
fn root_segments(line: &str, depth: usize) -> Vec<String> {
    root_paths(line, depth)
        .into_iter()
        .map(|(_, name)| name)
        .collect()
}

/// The names `lib.rs` re-exports, and the module each comes from (`DateTime` → `primitives`).
fn root_reexports(lib: &str) -> BTreeMap<String, String> {
    let code: String = lib
        .lines()
        .map(strip_comment)
        .collect::<Vec<_>>()
        .join("\n");
    let mut names = BTreeMap::new();
    for statement in code.split(';') {
        let Some(rest) = statement.trim().strip_prefix("pub use ") else {
            continue;
        };
        let Some((module, items)) = rest.split_once("::") else {
            continue;
        };
        let items = items.trim().trim_start_matches('{').trim_end_matches('}');
        for item in items.split(',') {
            let name = item.trim().rsplit("::").next().unwrap_or("").trim();
            if !name.is_empty() {
                names.insert(name.to_string(), module.trim().to_string());
            }
        }
    }
    names
}

/// Whether the file declaring test file `relative` (`a/tests.rs` in `a.rs` or `a/mod.rs`)
/// declares it under `#[cfg(test)]`.
fn declared_for_tests(src: &Path, relative: &Path) -> bool {
    let stem = relative
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_default();
    let Some(dir) = relative.parent() else {
        return false;
    };
    let parents = [
        src.join(dir).with_extension("rs"),
        src.join(dir).join("mod.rs"),
    ];
    parents.iter().any(|parent| {
        let Ok(text) = fs::read_to_string(parent) else {
            return false;
        };
        let mut offset = 0;
        text.lines().any(|line| {
            let start = offset;
            offset += line.len() + 1;
            let trimmed = line.trim();
            let declares = (trimmed.starts_with("mod ") || trimmed.contains(" mod "))
                && trimmed.ends_with(&format!("{stem};"));
            // The attributes between the previous item and this declaration.
            let before = &text[..start];
            let attributes = &before[before.rfind([';', '}']).map_or(0, |i| i + 1)..];
            declares
                && (attributes.contains("#[cfg(test)]") || attributes.contains("#[cfg(all(test"))
        })
    })
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
        if relative == Path::new("lib.rs") {
            continue;
        }
        if name.is_some_and(|n| TEST_FILES.contains(&n.as_str())) {
            assert!(
                declared_for_tests(&src, &relative),
                "src/{} is skipped as test code, but no `#[cfg(test)] mod` declares it",
                relative.display()
            );
            continue;
        }
        let path = module_path(&relative);
        let module = path[0].clone();
        let text = fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        // The code joined into one text, so that a `use crate::{…}` group may span lines.
        let lines = code_lines(&text);
        let mut code = String::new();
        let mut line_at = Vec::new();
        for (line_number, line) in &lines {
            line_at.push((code.len(), *line_number));
            code.push_str(line);
            code.push('\n');
        }
        for (offset, segment) in root_paths(&code, path.len()) {
            let line_number = line_at
                .iter()
                .take_while(|(start, _)| *start <= offset)
                .last()
                .map_or(0, |(_, n)| *n);
            let used = reexports.get(&segment).cloned().unwrap_or(segment);
            if used != module {
                let place = format!("src/{}:{line_number}", relative.display());
                uses.push((module.clone(), place, used));
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
    // Nested groups, and groups over several lines.
    assert_eq!(
        root_segments("use crate::{identity::{A, B}, client::Handle};", 1),
        ["identity", "client"]
    );
    assert_eq!(
        root_segments(
            "use crate::{\n    config::Config,\n    http::{self, X},\n};",
            1
        ),
        ["config", "http"]
    );
    // `super::` reaches the root from a top-level file, not from one nested deeper.
    assert_eq!(root_segments("use super::config::Config;", 1), ["config"]);
    assert!(root_segments("use super::document::Format;", 2).is_empty());
    assert_eq!(root_segments("super::super::client::Handle", 2), ["client"]);
    assert!(root_segments("my_crate::http::X", 1).is_empty());
    // Comments go; test modules go to their closing brace, whatever follows it.
    let text = "use crate::a::X; // crate::z\n// crate::b::Y\n#[cfg(test)]\n#[allow(unused)]\nmod tests {\n    fn f() {\n    }\n} // end\nfn g() { crate::d::f() }\nconst U: &str = \"http://x\"; use crate::e;\n";
    let kept: Vec<(usize, &str)> = code_lines(text);
    let numbers: Vec<usize> = kept.iter().map(|(n, _)| *n).collect();
    assert_eq!(numbers, [1, 9, 10]);
    assert!(!kept[0].1.contains('z'));
    assert!(kept[2].1.contains("crate::e"));
    let reexports = root_reexports(
        "pub use build_error::BuildError;\npub use primitives::{\n    Blob,\n    DateTime,\n};",
    );
    assert_eq!(reexports["DateTime"], "primitives");
    assert_eq!(reexports["Blob"], "primitives");
    assert_eq!(reexports["BuildError"], "build_error");
}
