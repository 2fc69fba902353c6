//! The generated crate's `README.md` (Markdown, not Rust): what it is, how to depend on it, a
//! quick start, its operations and features, and how to test code that calls it.

use crate::ir::{self, Type};
use crate::{Options, RuntimeDependency};

/// Renders `README.md`.
pub fn readme(krate: &ir::Crate, options: &Options) -> String {
    let service = &krate.service;
    let name = &options.crate_name;
    let lib = name.replace('-', "_");
    let mut out = Vec::<String>::new();
    let mut line = |s: String| out.push(s);
    line(format!(
        "<!-- {} from {}. Do not edit: changes are overwritten. -->",
        crate::render::MARKER,
        options.source_name
    ));
    line(format!("# {name}"));
    line(String::new());
    line(format!(
        "Rust SDK for {} (API version {}), generated from its Smithy model by lambda-sdk-codegen. \
         It runs on tokio, with hyper and rustls.",
        service.sdk_id, service.version
    ));
    line(String::new());
    for l in service.docs.lines() {
        line(l.to_string());
    }
    line(String::new());

    line("## Depending on it".into());
    line(String::new());
    line("```toml".into());
    line("[dependencies]".into());
    match &options.runtime {
        RuntimeDependency::Workspace => line(format!("{name} = \"{}\"", options.crate_version)),
        RuntimeDependency::Version(_) | RuntimeDependency::Path { .. } => {
            line(format!("{name} = {{ path = \"path/to/this/folder\" }}"))
        }
    }
    line("tokio = { version = \"1\", features = [\"macros\", \"rt-multi-thread\"] }".into());
    line("```".into());
    line(String::new());
    if let Some(op) = krate.operations.first() {
        line(format!(
            "Every operation is a cargo feature, all on by default. To compile only some, turn the \
             defaults off and list them (and the runtime's optional parts you need, below): \
             `{name} = {{ version = \"{}\", default-features = false, features = [\"{}\"] }}`.",
            options.crate_version, op.feature
        ));
        line(String::new());
    }

    let example = example_operation(krate);
    if let Some((op, request)) = &example {
        line("## Quick start".into());
        line(String::new());
        line("```rust,no_run".into());
        line(format!("use {lib}::Client;"));
        line(format!("use {lib}::types::{};", op.input.rust_name));
        line(String::new());
        line("#[tokio::main]".into());
        line("async fn main() -> Result<(), Box<dyn std::error::Error>> {".into());
        line(
            "    // Region, credentials and endpoint from the environment, as AWS's SDKs read them."
                .into(),
        );
        line("    let client = Client::from_env()?;".into());
        line(format!("    let request = {request};"));
        line(format!(
            "    let response = client.{}(request).await?;",
            op.method
        ));
        line("    println!(\"{response:?}\");".into());
        line("    Ok(())".into());
        line("}".into());
        line("```".into());
        line(String::new());
        line(
            "`Config::builder()` sets region, credentials, endpoint, retries and timeouts \
             explicitly; `Client::new(config)` takes it. Every operation returns \
             `Result<{Op}Response, Error<{Op}Error>>`, where `Error` keeps construction, transport, \
             timeout, response and service errors apart and `{Op}Error` lists the operation's \
             modeled errors."
                .into(),
        );
        line(String::new());
    }

    line("## Operations".into());
    line(String::new());
    line("| operation | client method | cargo feature |".into());
    line("|---|---|---|".into());
    for op in &krate.operations {
        let pages = op
            .paginated
            .as_ref()
            .map(|p| format!(", `{}` (pages)", p.method))
            .unwrap_or_default();
        line(format!(
            "| `{}` | `{}`{pages} | `{}` |",
            op.name, op.method, op.feature
        ));
    }
    line(String::new());

    if let Some((op, p)) = krate
        .operations
        .iter()
        .find_map(|op| op.paginated.as_ref().map(|p| (op, p)))
    {
        line("## Pagination".into());
        line(String::new());
        line(format!(
            "Operations that answer in pages have a `…_pages` method (`client.{}(request)`) that \
             returns a paginator: `next().await` fetches one page at a time{}, and \
             `try_collect()` all of them. It stops after the last page, after an error, and when \
             the service repeats a token. With the `stream` feature, paginators are also \
             `futures_core::Stream`s.",
            p.method,
            if op.paginated.iter().any(|p| p.item_type.is_some()) {
                ", `items()` goes through the items of every page"
            } else {
                ""
            }
        ));
        line(String::new());
    }

    line("## Cargo features".into());
    line(String::new());
    line("- one per operation (above), all on by default;".into());
    for f in crate::features::RUNTIME_FEATURES {
        line(format!("- `{}` (on by default): {}", f.name, f.about));
    }
    for f in crate::features::OFF_BY_DEFAULT {
        line(format!("- `{}`: {}", f.name, f.comment));
    }
    line(String::new());
    line(
        "A program that reads its credentials from `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` / \
         `AWS_SESSION_TOKEN` (as on AWS Lambda) needs none of the runtime's optional parts."
            .into(),
    );
    line(String::new());

    if let Some((op, request)) = &example {
        line("## Testing code that calls it".into());
        line(String::new());
        line(
            "With the `testing` feature (in `[dev-dependencies]`), a `Mock` states each \
             operation's answers as typed values, `Client::from_mock` makes a client that asks it \
             instead of sending, and the mock keeps the requests made:"
                .into(),
        );
        line(String::new());
        line("```rust".into());
        line(format!("use {lib}::Client;"));
        line(format!("use {lib}::testing::{{Mock, {}}};", op.mock_name));
        line(format!(
            "use {lib}::types::{{{}, {}}};",
            op.input.rust_name, op.output.rust_name
        ));
        line(String::new());
        line("# #[tokio::main(flavor = \"current_thread\")]".into());
        line("# async fn main() {".into());
        line("let mock = Mock::new();".into());
        line(format!(
            "mock.on::<{}>().then_output(|_request| {}::default());",
            op.mock_name, op.output.rust_name
        ));
        line("let client = Client::from_mock(&mock);".into());
        line(String::new());
        line("// The code under test:".into());
        line(format!("let request = {request};"));
        line(format!(
            "let response = client.{}(request).await;",
            op.method
        ));
        line(String::new());
        line("assert!(response.is_ok());".into());
        line(format!(
            "assert_eq!(mock.requests::<{}>().len(), 1);",
            op.mock_name
        ));
        line("assert!(mock.verify().is_ok());".into());
        line("# }".into());
        line("```".into());
        line(String::new());
        line(
            "Rules answer in the order they were added, each answer once (or every time after \
             `repeatedly()`); `match_requests` picks the requests a rule answers, `then_error` \
             answers with a modeled error."
                .into(),
        );
    }
    let mut text = out.join("\n");
    text.push('\n');
    text
}

/// The operation the examples call, and a request expression for it: the first read-only
/// operation whose required request members are all strings (filled with placeholder text),
/// else the first operation whose request has no required member, else none.
fn example_operation(krate: &ir::Crate) -> Option<(&ir::Operation, String)> {
    let strings_only = |op: &&ir::Operation| {
        op.input
            .members
            .iter()
            .filter(|m| m.required)
            .all(|m| m.ty == Type::String)
    };
    let op = krate
        .operations
        .iter()
        .filter(strings_only)
        .find(|op| op.readonly)
        .or_else(|| krate.operations.iter().find(strings_only))?;
    let required: Vec<String> = op
        .input
        .members
        .iter()
        .filter(|m| m.required)
        .map(|m| {
            let words = m.field.trim_start_matches("r#").replace('_', "-");
            format!("{}: \"your-{words}\".into()", m.field)
        })
        .collect();
    let request = if required.is_empty() {
        format!("{}::default()", op.input.rust_name)
    } else {
        format!(
            "{} {{ {}, ..Default::default() }}",
            op.input.rust_name,
            required.join(", ")
        )
    };
    Some((op, request))
}
