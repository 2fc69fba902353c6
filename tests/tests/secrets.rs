//! Nothing the SDK prints holds a secret (issue #6, Secrets): not the secret access key, not the
//! session token, not a proxy or endpoint password, not a `@sensitive` value.
//!
//! Each secret is a distinctive marker string. The test formats everything a user or a log could
//! see — `{:?}`, `{:#?}` and `{}` where `Display` exists, every `source()` of every error — and
//! captures a TRACE-level `tracing` log while calls run against a loopback server, then searches
//! all of it for each marker in every form it could take: as is, JSON-escaped, `Debug`-escaped,
//! base64 (blobs, `Proxy-Authorization: Basic`), as a byte list, and the word `MARKER` alone (a
//! cut or partial leak).
//!
//! What is covered, driven by the model's IR so that a new operation, error or `@sensitive`
//! member cannot be left out:
//! - `Credentials`, `Config`, `ConfigBuilder` (static credentials with a token and an expiry, a
//!   proxy with a password, every other setting) and `Client`; the config errors of an endpoint
//!   with a password;
//! - for every operation: the request (every member filled, `@sensitive` ones with the marker),
//!   the response (the same for its members), and `Error<{Op}Error>` in each of its kinds —
//!   construction (an empty path label), transport (a refused connection, and a proxy with a
//!   password that refuses the tunnel), timeout, response (a body whose `@sensitive` members hold
//!   a marker of the wrong JSON type, one per member path) and service (each modeled error of the
//!   operation, and an unknown one, with request ids);
//! - the builders of every structure with `@sensitive` members, each such member set;
//! - credential-provider errors: a `credential_process` whose output holds the secret but is
//!   malformed in several ways, profile files holding the secret with a syntax error, half-set
//!   environment variables, and the default chain that reports all of them;
//! - the `tracing` log of all the calls above (including a retried attempt and failed ones),
//!   captured at TRACE from every target, which must be non-empty.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fmt::Debug;
use std::future::Future;
use std::io;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, SystemTime};

use lambda_sdk::config::{ProxySettings, RetryConfig, TimeoutConfig};
use lambda_sdk::error::OperationError;
use lambda_sdk::primitives::Blob;
use lambda_sdk::types::*;
use lambda_sdk::{Client, Config, Credentials, Error};
use lambda_sdk_codegen::ir::{self, Binding, EnumValue, NamedKind, Role, Structure, Type, TypeDef};
use lambda_sdk_runtime::credentials::{
    ContainerProvider, DefaultChain, EnvironmentProvider, ProfileProvider, ProvideCredentials,
};
use lambda_sdk_runtime::env::Env;
use lambda_sdk_runtime::http::{HttpClient, HttpSettings};
use lambda_sdk_tests::base64;
use lambda_sdk_tests::fault_server::{Fault, FaultServer, raw_response};
use lambda_sdk_tests::wire_server::{Reply, WireServer};
use serde_json::{Map, Value, json};

// ---------------------------------------------------------------------------------------------
// The secrets and where they must not appear
// ---------------------------------------------------------------------------------------------

const ACCESS_KEY: &str = "AKIDSECRETSTEST";
const SECRET_KEY: &str = "SECRETKEY-MARKER-4be1c07a";
const SESSION_TOKEN: &str = "SESSIONTOKEN-MARKER-9f20e3d1";
/// Every `@sensitive` string; the quote and backslash make its escaped forms differ.
const SENSITIVE: &str = "SENSITIVE-MARKER-\"q\\-6a1d";
/// A `@sensitive` value a buggy peer sends as a number.
const SENSITIVE_NUMBER: i64 = 86_753_091_234;
const PROXY_USER: &str = "alice";
const PROXY_PASSWORD: &str = "PROXYPASSWORD-MARKER-0c3b";
const ENDPOINT_PASSWORD: &str = "ENDPOINTPASSWORD-MARKER-77aa";
const CONTAINER_TOKEN: &str = "CONTAINERTOKEN-MARKER-e51f";
const WEB_IDENTITY_TOKEN: &str = "WEBIDENTITYTOKEN-MARKER-3d9b";
const SSO_ACCESS_TOKEN: &str = "SSOACCESSTOKEN-MARKER-51c7";
const SSO_REFRESH_TOKEN: &str = "SSOREFRESHTOKEN-MARKER-a08e";
const SSO_CLIENT_SECRET: &str = "SSOCLIENTSECRET-MARKER-77f2";

/// Every form a secret could take in printed output.
fn forbidden() -> &'static [String] {
    static FORMS: OnceLock<Vec<String>> = OnceLock::new();
    FORMS.get_or_init(|| {
        let mut forms = vec!["MARKER".to_string(), SENSITIVE_NUMBER.to_string()];
        for secret in [
            SECRET_KEY,
            SESSION_TOKEN,
            SENSITIVE,
            PROXY_PASSWORD,
            ENDPOINT_PASSWORD,
            CONTAINER_TOKEN,
            WEB_IDENTITY_TOKEN,
            SSO_ACCESS_TOKEN,
            SSO_REFRESH_TOKEN,
            SSO_CLIENT_SECRET,
        ] {
            forms.push(secret.to_string());
            let json = serde_json::to_string(secret).unwrap_or_default();
            forms.push(json.trim_matches('"').to_string());
            forms.push(format!("{secret:?}").trim_matches('"').to_string());
            let b64 = base64(secret.as_bytes());
            forms.push(b64.clone());
            // A prefix that stays the same whatever follows the secret in a longer blob.
            forms.push(b64[..b64.len() - 4].to_string());
            let bytes: Vec<String> = secret.bytes().take(8).map(|b| b.to_string()).collect();
            forms.push(bytes.join(", "));
        }
        // What a proxy's basic authentication would carry.
        forms.push(base64(format!("{PROXY_USER}:{PROXY_PASSWORD}").as_bytes()));
        forms
    })
}

/// What `text` leaks: for each form of a secret it holds, the lines holding it.
fn leaks(what: &str, text: &str) -> Vec<String> {
    forbidden()
        .iter()
        .filter(|form| text.contains(form.as_str()))
        .map(|form| {
            let lines: Vec<&str> = text
                .lines()
                .filter(|l| l.contains(form.as_str()))
                .take(3)
                .collect();
            format!("{what} leaks {form:?}:\n    {}", lines.join("\n    "))
        })
        .collect()
}

/// Fails if `text` holds any form of any secret.
fn assert_clean(what: &str, text: &str) {
    let found = leaks(what, text);
    assert!(found.is_empty(), "{}", found.join("\n"));
}

/// Fails if any of the texts holds any form of any secret, listing every leak.
fn assert_all_clean<'a>(texts: impl IntoIterator<Item = (&'a str, &'a str)>) {
    let found: Vec<String> = texts
        .into_iter()
        .flat_map(|(what, text)| leaks(what, text))
        .collect();
    assert!(
        found.is_empty(),
        "{} leaks:\n{}",
        found.len(),
        found.join("\n")
    );
}

/// `{}`, `{:?}` and `{:#?}` of an error, and of each error in its `source()` chain.
fn error_texts(err: &(dyn std::error::Error + 'static)) -> Vec<String> {
    let mut texts = Vec::new();
    let mut next = Some(err);
    while let Some(e) = next {
        texts.push(format!("{e}"));
        texts.push(format!("{e:?}"));
        texts.push(format!("{e:#?}"));
        next = e.source();
    }
    texts
}

/// The static credentials every client here uses.
fn credentials() -> Credentials {
    Credentials::new(ACCESS_KEY, SECRET_KEY, Some(SESSION_TOKEN.to_string()))
        .with_expiry(SystemTime::UNIX_EPOCH + Duration::from_secs(4_102_444_800))
}

// ---------------------------------------------------------------------------------------------
// Credentials, Config, ConfigBuilder, Client
// ---------------------------------------------------------------------------------------------

#[test]
fn credentials_config_and_client_never_print_a_secret() {
    let credentials = credentials();
    let proxy = ProxySettings {
        https: Some(format!("http://{PROXY_USER}:{PROXY_PASSWORD}@127.0.0.1:9/")),
        http: Some(format!("http://{PROXY_USER}:{PROXY_PASSWORD}@127.0.0.1:9")),
        no_proxy: Some("localhost,.internal".into()),
    };
    let builder = Config::builder()
        .region("eu-west-1")
        .credentials(credentials.clone())
        .endpoint_url("http://127.0.0.1:5055/base")
        .retry_config(RetryConfig::standard().with_max_attempts(4))
        .timeout_config(
            TimeoutConfig::default()
                .with_connect(Duration::from_millis(250))
                .with_attempt(Some(Duration::from_secs(2)))
                .with_operation(Some(Duration::from_secs(5))),
        )
        .max_response_bytes(1 << 20)
        .use_fips(false)
        .use_dual_stack(false)
        .idempotency_token_provider(|| SENSITIVE.to_string())
        .ca_bundle(lambda_sdk_tests::repo_root().join("runtime/tests/fixtures/tls/ca.pem"))
        .proxy(proxy.clone());
    let mut texts = vec![
        ("Credentials", format!("{credentials:?} {credentials:#?}")),
        ("ProxySettings", format!("{proxy:?} {proxy:#?}")),
        ("ConfigBuilder", format!("{builder:?} {builder:#?}")),
    ];
    let config = builder.build().expect("config");
    let client = Client::new(config.clone());
    texts.push(("Config", format!("{config:?} {config:#?}")));
    texts.push(("Client", format!("{client:?} {client:#?}")));
    texts.push((
        "the credentials provider",
        format!("{:?}", config.credentials_provider()),
    ));
    for (what, text) in &texts {
        assert_clean(what, text);
    }
    // The formatting shows something: the access key id and the masked proxy.
    assert!(texts[0].1.contains(ACCESS_KEY), "{}", texts[0].1);
    assert!(texts[1].1.contains("***@127.0.0.1"), "{}", texts[1].1);

    // Everything read from the environment: keys, token, a proxy with a password.
    let proxy_url = format!("http://{PROXY_USER}:{PROXY_PASSWORD}@127.0.0.1:9");
    let env = Env::from_vars([
        ("AWS_REGION", "eu-west-1".to_string()),
        ("AWS_ACCESS_KEY_ID", ACCESS_KEY.to_string()),
        ("AWS_SECRET_ACCESS_KEY", SECRET_KEY.to_string()),
        ("AWS_SESSION_TOKEN", SESSION_TOKEN.to_string()),
        (
            "AWS_CONTAINER_AUTHORIZATION_TOKEN",
            CONTAINER_TOKEN.to_string(),
        ),
        ("AWS_EC2_METADATA_DISABLED", "true".to_string()),
        ("HTTPS_PROXY", proxy_url.clone()),
        ("HTTP_PROXY", proxy_url),
    ]);
    let from_env = Config::builder_from_env_with(env.clone()).expect("builder from env");
    let config = Config::from_env_with(env.clone()).expect("config from env");
    let mut texts = vec![
        ("Env", format!("{env:?}")),
        (
            "ConfigBuilder from env",
            format!("{from_env:?} {from_env:#?}"),
        ),
        ("Config from env", format!("{config:?} {config:#?}")),
    ];
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let resolved = runtime
        .block_on(config.credentials_provider().provide_credentials())
        .expect("credentials from the environment");
    assert_eq!(resolved.secret_access_key(), SECRET_KEY);
    texts.push((
        "Credentials from env",
        format!("{resolved:?} {resolved:#?}"),
    ));
    texts.push((
        "Config from env, after resolving",
        format!("{config:?} {:?}", config.credentials_provider()),
    ));
    assert_all_clean(texts.iter().map(|(w, t)| (*w, t.as_str())));

    // An endpoint with a password is refused, without showing the password.
    for endpoint in [
        format!("http://user:{ENDPOINT_PASSWORD}@127.0.0.1:5055"),
        format!("ftp://user:{ENDPOINT_PASSWORD}@127.0.0.1:5055"),
        format!("http://user:{ENDPOINT_PASSWORD}@127.0.0.1:5055/?q=1"),
        format!("http://user:{ENDPOINT_PASSWORD}@[::1"),
    ] {
        let builder = Config::builder()
            .region("eu-west-1")
            .credentials(credentials.clone())
            .endpoint_url(&endpoint);
        assert_clean("ConfigBuilder", &format!("{builder:?}"));
        match builder.build() {
            Ok(config) => {
                // Refused when a request is made instead.
                assert_clean("Config", &format!("{config:?}"));
            }
            Err(err) => {
                for text in error_texts(&err) {
                    assert_clean("the ConfigError of an endpoint with a password", &text);
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The model: requests and responses filled from the IR
// ---------------------------------------------------------------------------------------------

fn model() -> &'static ir::Crate {
    static MODEL: OnceLock<ir::Crate> = OnceLock::new();
    MODEL.get_or_init(|| {
        let path = lambda_sdk_tests::repo_root().join("model/lambda.json");
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
        let model = lambda_sdk_codegen::Model::from_json(&text).expect("the model parses");
        lambda_sdk_codegen::lower::lower(&model, &lambda_sdk_codegen::Options::default())
            .expect("the model lowers")
    })
}

fn structures() -> impl Iterator<Item = &'static Structure> {
    let krate = model();
    krate
        .types
        .iter()
        .filter_map(|t| match t {
            TypeDef::Structure(s) => Some(s),
            _ => None,
        })
        .chain(
            krate
                .operations
                .iter()
                .flat_map(|op| [&op.input, &op.output]),
        )
}

fn structure(name: &str) -> &'static Structure {
    structures()
        .find(|s| s.rust_name == name)
        .unwrap_or_else(|| panic!("no structure `{name}`"))
}

fn operation(input: &str) -> &'static ir::Operation {
    model()
        .operations
        .iter()
        .find(|op| op.input.rust_name == input)
        .unwrap_or_else(|| panic!("no operation with input `{input}`"))
}

/// A JSON value of `ty` with everything filled in; `@sensitive` values are the marker.
fn filled(ty: &Type, sensitive: bool, depth: u32) -> Value {
    assert!(depth < 24, "the model nests without end");
    match ty {
        Type::String if sensitive => Value::from(SENSITIVE),
        Type::String => Value::from("value-1"),
        Type::Bool => Value::Bool(true),
        Type::Byte | Type::Short | Type::Integer | Type::Long => Value::from(7),
        Type::Float | Type::Double => Value::from(1.5),
        Type::Blob if sensitive => Value::from(base64(SENSITIVE.as_bytes())),
        Type::Blob => Value::from(base64(b"blob")),
        Type::Timestamp => Value::from(1_700_000_000),
        Type::Document if sensitive => json!({ "doc": SENSITIVE }),
        Type::Document => json!({ "doc": 1 }),
        Type::List { element, .. } => Value::Array(vec![filled(element, sensitive, depth + 1)]),
        Type::Map { value, .. } => json!({ "key": filled(value, sensitive, depth + 1) }),
        Type::Named { rust_name, kind } => match kind {
            NamedKind::Structure => filled_structure(structure(rust_name), sensitive, depth + 1),
            NamedKind::Enum | NamedKind::IntEnum | NamedKind::Union => {
                let def = model()
                    .types
                    .iter()
                    .find(|t| t.rust_name() == rust_name)
                    .unwrap_or_else(|| panic!("no type `{rust_name}`"));
                match def {
                    TypeDef::Enum(e) => match e.variants.first().map(|v| &v.value) {
                        Some(EnumValue::String(s)) => Value::from(s.clone()),
                        Some(EnumValue::Int(i)) => Value::from(*i),
                        None => Value::from("NONE"),
                    },
                    TypeDef::Union(u) => {
                        let v = u.variants.first().expect("a union has members");
                        let value = match &v.ty {
                            Some(ty) => filled(ty, sensitive || v.sensitive, depth + 1),
                            None => json!({}),
                        };
                        json!({ v.json_name.clone(): value })
                    }
                    TypeDef::Structure(_) => unreachable!("structures are handled above"),
                }
            }
        },
    }
}

/// A structure with every member set.
fn filled_structure(s: &Structure, sensitive: bool, depth: u32) -> Value {
    let mut out = Map::new();
    for m in s.members.iter().filter(|m| !m.event_stream) {
        let value = filled(&m.ty, sensitive || s.sensitive || m.sensitive, depth);
        out.insert(m.json_name.clone(), value);
    }
    Value::Object(out)
}

/// One step of a path into a JSON document.
#[derive(Clone, Debug)]
enum Step {
    Key(String),
    First,
}

/// Every path from `s` to a `@sensitive` member, with that member's type.
fn sensitive_paths(s: &Structure, prefix: &[Step], out: &mut Vec<(Vec<Step>, Type)>, depth: u32) {
    if depth > 12 {
        return;
    }
    for m in s.members.iter().filter(|m| !m.event_stream) {
        let mut path = prefix.to_vec();
        path.push(Step::Key(m.json_name.clone()));
        if m.sensitive || s.sensitive {
            out.push((path, m.ty.clone()));
            continue;
        }
        let mut ty = &m.ty;
        loop {
            match ty {
                Type::List { element, .. } => {
                    path.push(Step::First);
                    ty = element;
                }
                Type::Map { value, .. } => {
                    path.push(Step::Key("key".into()));
                    ty = value;
                }
                _ => break,
            }
        }
        if let Type::Named {
            rust_name,
            kind: NamedKind::Structure,
        } = ty
        {
            sensitive_paths(structure(rust_name), &path, out, depth + 1);
        }
    }
}

/// A document with `leaf` at `path`.
fn at_path(path: &[Step], leaf: Value) -> Value {
    match path.split_first() {
        None => leaf,
        Some((Step::Key(key), rest)) => json!({ key.clone(): at_path(rest, leaf) }),
        Some((Step::First, rest)) => Value::Array(vec![at_path(rest, leaf)]),
    }
}

/// The marker, in a JSON type other than the member's: the message of the parse error must not
/// quote it.
fn wrong_typed_marker(ty: &Type) -> Value {
    match ty {
        Type::String | Type::Blob => Value::from(SENSITIVE_NUMBER),
        Type::Named {
            kind: NamedKind::Enum,
            ..
        } => Value::from(SENSITIVE_NUMBER),
        _ => Value::from(SENSITIVE),
    }
}

// ---------------------------------------------------------------------------------------------
// Every operation, called through the client
// ---------------------------------------------------------------------------------------------

/// What one call left to look at.
struct Outcome {
    /// `Ok`, or the `Error` case.
    kind: &'static str,
    /// The service error's code, for service errors.
    code: Option<String>,
    /// Everything formatted: the request, the response or every view of the error.
    texts: Vec<String>,
}

type Call = fn(Client, Value) -> Pin<Box<dyn Future<Output = Outcome>>>;

/// One operation of the client: its request type's name and how to call it.
struct Op {
    input: &'static str,
    method: &'static str,
    call: Call,
}

fn outcome<T: Debug, E: OperationError + Debug>(
    request: String,
    result: Result<T, Error<E>>,
) -> Outcome {
    let mut texts = vec![request];
    match result {
        Ok(response) => {
            texts.push(format!("{response:?}"));
            texts.push(format!("{response:#?}"));
            Outcome {
                kind: "Ok",
                code: None,
                texts,
            }
        }
        Err(err) => {
            let kind = match &err {
                Error::Construction(_) => "Construction",
                Error::Transport(_) => "Transport",
                Error::Timeout(_) => "Timeout",
                Error::Response(_) => "Response",
                Error::Service(_) => "Service",
                Error::Credentials(_) => "Credentials",
                _ => "other",
            };
            texts.extend(error_texts(&err));
            texts.push(format!(
                "{:?} {:?} {:?}",
                err.code(),
                err.message(),
                err.request_id()
            ));
            if let Some(service) = err.as_service_error() {
                texts.push(format!("{service} {service:?} {service:#?}"));
                texts.push(format!("{:?} {:?}", service.code(), service.message()));
            }
            if let Error::Service(s) = &err {
                texts.push(format!("{:?}", s.meta()));
            }
            Outcome {
                kind,
                code: err.code().map(String::from),
                texts,
            }
        }
    }
}

/// Every operation of the client. `the_operation_list_is_every_operation` keeps it equal to the
/// IR's.
macro_rules! operations {
    ($($method:ident: $input:ident;)*) => {
        vec![$(Op {
            input: stringify!($input),
            method: stringify!($method),
            call: |client, input| Box::pin(async move {
                let request: $input = serde_json::from_value(input)
                    .unwrap_or_else(|e| panic!("{}: {e}", stringify!($input)));
                let shown = format!("{request:?} {request:#?}");
                outcome(shown, client.$method(request).await)
            }),
        },)*]
    };
}

fn ops() -> Vec<Op> {
    operations! {
        checkpoint_durable_execution: CheckpointDurableExecutionRequest;
        delete_durable_execution: DeleteDurableExecutionRequest;
        get_durable_execution: GetDurableExecutionRequest;
        get_durable_execution_history: GetDurableExecutionHistoryRequest;
        get_durable_execution_state: GetDurableExecutionStateRequest;
        list_durable_executions_by_function: ListDurableExecutionsByFunctionRequest;
        pause_durable_execution: PauseDurableExecutionRequest;
        resume_durable_execution: ResumeDurableExecutionRequest;
        send_durable_execution_callback_failure: SendDurableExecutionCallbackFailureRequest;
        send_durable_execution_callback_heartbeat: SendDurableExecutionCallbackHeartbeatRequest;
        send_durable_execution_callback_success: SendDurableExecutionCallbackSuccessRequest;
        stop_durable_execution: StopDurableExecutionRequest;
    }
}

#[test]
fn the_operation_list_is_every_operation() {
    let listed: BTreeSet<(String, String)> = ops()
        .iter()
        .map(|op| (op.input.to_string(), op.method.to_string()))
        .collect();
    let expected: BTreeSet<(String, String)> = model()
        .operations
        .iter()
        .map(|op| (op.input.rust_name.clone(), op.method.clone()))
        .collect();
    assert_eq!(listed, expected);
}

/// A server answering from a queue of replies (the last one repeats).
#[derive(Clone, Default)]
struct Script(Arc<Mutex<VecDeque<Reply>>>);

impl Script {
    fn set(&self, replies: Vec<Reply>) {
        *self.0.lock().expect("script") = replies.into();
    }

    fn next(&self) -> Reply {
        let mut queue = self.0.lock().expect("script");
        if queue.len() > 1 {
            queue.pop_front().unwrap_or_else(|| Reply::status(500))
        } else {
            queue.front().cloned().unwrap_or_else(|| Reply::status(500))
        }
    }
}

fn config(endpoint: &str) -> lambda_sdk::config::ConfigBuilder {
    Config::builder()
        .region("us-east-1")
        .credentials(credentials())
        .endpoint_url(endpoint)
        .retry_config(
            RetryConfig::standard()
                .with_max_attempts(2)
                .with_initial_backoff(Duration::from_millis(1))
                .with_max_backoff(Duration::from_millis(5)),
        )
}

/// The shared in-memory log.
#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<u8>>>);

impl io::Write for Log {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.0
            .lock()
            .map_err(|_| io::Error::other("poisoned"))?
            .extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Everything `tracing` emits, at every level, from now until the guard is dropped.
fn capture_logs() -> (Log, tracing::subscriber::DefaultGuard) {
    let log = Log::default();
    let writer = log.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .finish();
    (log, tracing::subscriber::set_default(subscriber))
}

impl Log {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().expect("log")).into_owned()
    }
}

/// Every operation, with every kind of error and a success, under a TRACE subscriber: no
/// formatted value and no log line holds a secret.
#[tokio::test]
async fn no_call_prints_or_logs_a_secret() {
    let (log, guard) = capture_logs();

    let script = Script::default();
    let replies = script.clone();
    let server = WireServer::start(move |_, _| replies.next()).await;
    let client = Client::new(config(&server.endpoint()).build().expect("config"));
    let quick = Client::new(
        config(&server.endpoint())
            .retry_config(RetryConfig::disabled())
            .timeout_config(TimeoutConfig::default().with_attempt(Some(Duration::from_millis(50))))
            .build()
            .expect("config"),
    );
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("addr").port()
    };
    let refused = Client::new(
        config(&format!("http://127.0.0.1:{closed}"))
            .retry_config(RetryConfig::disabled())
            .build()
            .expect("config"),
    );
    // A proxy that refuses every tunnel; the client must send it the password, and never print it.
    let proxy = FaultServer::always(Fault::Close(raw_response(
        "HTTP/1.1 407 Proxy Authentication Required",
        &[("Proxy-Authenticate", "Basic realm=\"test\"")],
        b"",
    )))
    .await;
    let proxy_url = proxy
        .endpoint()
        .replace("http://", &format!("http://{PROXY_USER}:{PROXY_PASSWORD}@"));
    let proxied = Client::new(
        config("https://lambda.us-east-1.amazonaws.com")
            .retry_config(RetryConfig::disabled())
            .proxy(ProxySettings {
                https: Some(proxy_url.clone()),
                http: Some(proxy_url),
                no_proxy: None,
            })
            .build()
            .expect("config"),
    );

    let mut outcomes: Vec<(String, Outcome)> = Vec::new();
    let mut kinds: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for op in ops() {
        let ir_op = operation(op.input);
        let input = filled_structure(&ir_op.input, false, 0);
        let output = filled_structure(&ir_op.output, false, 0);
        let mut record = |what: String, outcome: Outcome| {
            kinds.entry(op.input).or_default().insert(outcome.kind);
            outcomes.push((what, outcome));
        };

        // Success, with every @sensitive member of the response set.
        script.set(vec![
            Reply::json(ir_op.http.code, output.clone()).header("x-amzn-RequestId", "req-ok"),
        ]);
        let ok = (op.call)(client.clone(), input.clone()).await;
        assert_eq!(ok.kind, "Ok", "{}: {:?}", op.input, ok.texts.last());
        record(format!("{} success", op.input), ok);

        // Construction: an empty path label.
        let label = ir_op
            .input
            .members
            .iter()
            .find(|m| matches!(m.binding, Binding::Label(_)))
            .unwrap_or_else(|| panic!("{} has no path label", op.input));
        let mut empty = input.clone();
        empty[&label.json_name] = Value::from("");
        record(
            format!("{} construction", op.input),
            (op.call)(client.clone(), empty).await,
        );

        // Transport: a refused connection, and a proxy that refuses the tunnel.
        record(
            format!("{} refused", op.input),
            (op.call)(refused.clone(), input.clone()).await,
        );
        record(
            format!("{} proxy", op.input),
            (op.call)(proxied.clone(), input.clone()).await,
        );

        // Timeout.
        script.set(vec![
            Reply::json(ir_op.http.code, output.clone()).delay(Duration::from_millis(400)),
        ]);
        record(
            format!("{} timeout", op.input),
            (op.call)(quick.clone(), input.clone()).await,
        );

        // Response: each @sensitive member of the output, wrongly typed.
        let mut paths = Vec::new();
        sensitive_paths(&ir_op.output, &[], &mut paths, 0);
        for (path, ty) in &paths {
            let body = at_path(path, wrong_typed_marker(ty));
            script.set(vec![
                Reply::json(ir_op.http.code, body).header("x-amzn-RequestId", "req-bad-body"),
            ]);
            let outcome = (op.call)(client.clone(), input.clone()).await;
            assert_eq!(outcome.kind, "Response", "{}: {path:?}", op.input);
            record(format!("{} response {path:?}", op.input), outcome);
        }

        // Service: every modeled error, and one the model does not know.
        for error in &ir_op.errors {
            let Some(TypeDef::Structure(shape)) = model()
                .types
                .iter()
                .find(|t| t.rust_name() == error.rust_name)
            else {
                panic!("no error structure {}", error.rust_name);
            };
            let status = match &shape.role {
                Role::Error(info) => info.http_status.unwrap_or(400),
                _ => 400,
            };
            script.set(vec![Reply::json(
                status,
                json!({"message": "the service says no", "Message": "the service says no", "Type": "User"}),
            )
            .header("x-amzn-ErrorType", &error.code)
            .header("x-amzn-RequestId", &format!("req-{}", error.code))]);
            let outcome = (op.call)(client.clone(), input.clone()).await;
            assert_eq!(
                outcome.code.as_deref(),
                Some(error.code.as_str()),
                "{}",
                op.input
            );
            record(format!("{} {}", op.input, error.code), outcome);
        }
        script.set(vec![
            Reply::json(400, json!({"message": "new"}))
                .header("x-amzn-ErrorType", "SomethingNewException")
                .header("x-amzn-RequestId", "req-unknown"),
        ]);
        let outcome = (op.call)(client.clone(), input.clone()).await;
        assert_eq!(outcome.code.as_deref(), Some("SomethingNewException"));
        record(format!("{} unknown error", op.input), outcome);
    }

    // A retried attempt: 503, then the sensitive response.
    let get = ops()
        .into_iter()
        .find(|op| op.input == "GetDurableExecutionRequest")
        .expect("GetDurableExecution");
    let ir_get = operation(get.input);
    let before = server.requests().len();
    script.set(vec![
        Reply::json(503, json!({"message": "busy"}))
            .header("x-amzn-ErrorType", "ServiceUnavailableException")
            .header("x-amzn-RequestId", "req-busy"),
        Reply::json(200, filled_structure(&ir_get.output, false, 0)),
    ]);
    let retried = (get.call)(client.clone(), filled_structure(&ir_get.input, false, 0)).await;
    assert_eq!(retried.kind, "Ok");
    assert_eq!(server.requests().len() - before, 2, "one retry");
    outcomes.push(("retried".into(), retried));

    drop(guard);
    let log = log.text();

    // Every kind of error happened for every operation.
    for (input, seen) in &kinds {
        let expected: BTreeSet<&str> = [
            "Ok",
            "Construction",
            "Transport",
            "Timeout",
            "Response",
            "Service",
        ]
        .into();
        let ir_op = operation(input);
        let mut paths = Vec::new();
        sensitive_paths(&ir_op.output, &[], &mut paths, 0);
        let expected: BTreeSet<&str> = if paths.is_empty() {
            expected.into_iter().filter(|k| *k != "Response").collect()
        } else {
            expected
        };
        assert_eq!(seen, &expected, "{input}");
    }
    assert_eq!(kinds.len(), model().operations.len());
    // The requests carried the secrets (so the test could see a leak), and the proxy got the
    // password.
    let sent = server.requests();
    assert!(
        sent.iter()
            .any(|r| String::from_utf8_lossy(&r.body).contains(SENSITIVE)
                || r.body
                    .windows(SENSITIVE.len())
                    .any(|w| w == SENSITIVE.as_bytes())),
        "no request carried a @sensitive value"
    );
    assert!(
        sent.iter()
            .all(|r| r.header("x-amz-security-token") == Some(SESSION_TOKEN)),
        "every request carries the session token"
    );
    let basic = format!(
        "Basic {}",
        base64(format!("{PROXY_USER}:{PROXY_PASSWORD}").as_bytes())
    );
    assert!(
        proxy
            .requests()
            .iter()
            .any(|r| r.header("proxy-authorization") == Some(basic.as_str())),
        "the proxy was asked with the password: {:?}",
        proxy.requests()
    );

    assert_all_clean(
        outcomes
            .iter()
            .flat_map(|(what, o)| o.texts.iter().map(move |t| (what.as_str(), t.as_str())))
            .chain([("the TRACE log", log.as_str())]),
    );
    assert!(
        log.lines().filter(|l| l.contains("attempt")).count() > 50,
        "the TRACE log has the attempt events:\n{log}"
    );
    assert!(log.contains("TRACE"), "the log is at TRACE level");
    assert_clean("the TRACE log", &log);
}

// ---------------------------------------------------------------------------------------------
// Builders of structures with @sensitive members
// ---------------------------------------------------------------------------------------------

/// A value of a `@sensitive` member's type, holding the marker.
trait Marker {
    fn marker() -> Self;
}

impl Marker for String {
    fn marker() -> Self {
        SENSITIVE.to_string()
    }
}

impl Marker for Vec<String> {
    fn marker() -> Self {
        vec![SENSITIVE.to_string(), SENSITIVE.to_string()]
    }
}

impl Marker for Blob {
    fn marker() -> Self {
        Blob::from(SENSITIVE.as_bytes().to_vec())
    }
}

/// Each structure with `@sensitive` members, and the `set_…` method of each such member.
/// `the_sensitive_builder_list_is_the_models` keeps it equal to the IR's.
macro_rules! sensitive_builders {
    ($($ty:ident { $($setter:ident),* $(,)? })*) => {
        vec![$((
            stringify!($ty),
            vec![$(stringify!($setter)),*],
            {
                let builder = $ty::builder()$(.$setter(Some(Marker::marker())))*;
                format!("{builder:?} {builder:#?}")
            },
        ),)*]
    };
}

fn sensitive_builders() -> Vec<(&'static str, Vec<&'static str>, String)> {
    sensitive_builders! {
        CallbackDetails { set_result }
        ChainedInvokeDetails { set_result }
        ContextDetails { set_result }
        ErrorObject { set_error_message, set_error_type, set_error_data, set_stack_trace }
        EventInput { set_payload }
        EventPauseReason { set_payload }
        EventResult { set_payload }
        EventResumeReason { set_payload }
        ExecutionDetails { set_input_payload }
        GetDurableExecutionResponse { set_input_payload, set_result }
        OperationUpdate { set_payload }
        PauseDetails { set_reason }
        PauseDurableExecutionRequest { set_reason }
        ResumeDurableExecutionRequest { set_reason }
        SendDurableExecutionCallbackSuccessRequest { set_result }
        StepDetails { set_result }
    }
}

#[test]
fn the_sensitive_builder_list_is_the_models() {
    let listed: BTreeMap<String, Vec<String>> = sensitive_builders()
        .into_iter()
        .map(|(ty, setters, _)| {
            (
                ty.to_string(),
                setters.into_iter().map(String::from).collect(),
            )
        })
        .collect();
    let expected: BTreeMap<String, Vec<String>> = structures()
        .filter_map(|s| {
            let setters: Vec<String> = s
                .members
                .iter()
                .filter(|m| m.sensitive || s.sensitive)
                .map(|m| m.option_setter.clone())
                .collect();
            (!setters.is_empty()).then(|| (s.rust_name.clone(), setters))
        })
        .collect();
    assert_eq!(listed, expected);
}

#[test]
fn builders_never_print_a_sensitive_value() {
    for (ty, _, text) in sensitive_builders() {
        assert_clean(&format!("{ty}Builder"), &text);
        assert!(text.contains("*** Sensitive Data Redacted ***"), "{text}");
    }
}

// ---------------------------------------------------------------------------------------------
// Credential-provider errors
// ---------------------------------------------------------------------------------------------

/// A directory under the system's temporary directory, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let path = std::env::temp_dir().join(format!(
            "lambda-sdk-secrets-{name}-{}-{:?}",
            std::process::id(),
            SystemTime::now()
                .duration_since(SystemTime::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or_default()
        ));
        std::fs::create_dir_all(&path).expect("create the temporary directory");
        TempDir(path)
    }

    fn write(&self, name: &str, text: &str) -> String {
        let path = self.0.join(name);
        std::fs::write(&path, text).expect("write");
        path.to_string_lossy().into_owned()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Environment variables that keep every provider of the chain local (no instance metadata).
fn local_env(dir: &TempDir, extra: &[(&str, String)]) -> Env {
    let mut vars = vec![
        ("HOME".to_string(), dir.0.to_string_lossy().into_owned()),
        ("AWS_EC2_METADATA_DISABLED".to_string(), "true".to_string()),
    ];
    vars.extend(extra.iter().map(|(k, v)| (k.to_string(), v.clone())));
    Env::from_vars(vars)
}

#[tokio::test]
async fn credential_provider_errors_never_print_a_secret() {
    let dir = TempDir::new("providers");
    let mut texts: Vec<(String, String)> = Vec::new();
    fn check(
        texts: &mut Vec<(String, String)>,
        what: String,
        err: &(dyn std::error::Error + 'static),
    ) {
        for text in error_texts(err) {
            texts.push((what.clone(), text));
        }
    }

    // credential_process output that holds the secret but is not usable.
    let outputs = [
        (
            "truncated",
            format!(
                r#"{{"Version":1,"AccessKeyId":"{ACCESS_KEY}","SecretAccessKey":"{SECRET_KEY}","SessionToken":"{SESSION_TOKEN}"#
            ),
        ),
        (
            "not JSON",
            format!(
                "AccessKeyId={ACCESS_KEY}\nSecretAccessKey={SECRET_KEY}\nSessionToken={SESSION_TOKEN}\n"
            ),
        ),
        (
            "wrong version",
            format!(
                r#"{{"Version":2,"AccessKeyId":"{ACCESS_KEY}","SecretAccessKey":"{SECRET_KEY}","SessionToken":"{SESSION_TOKEN}"}}"#
            ),
        ),
        (
            "no key id",
            format!(
                r#"{{"Version":1,"SecretAccessKey":"{SECRET_KEY}","SessionToken":"{SESSION_TOKEN}"}}"#
            ),
        ),
        (
            "wrong types",
            format!(
                r#"{{"Version":1,"AccessKeyId":"{ACCESS_KEY}","SecretAccessKey":["{SECRET_KEY}"],"SessionToken":{{"t":"{SESSION_TOKEN}"}}}}"#
            ),
        ),
        (
            "secret where a number goes",
            format!(
                r#"{{"Version":"{SECRET_KEY}","AccessKeyId":"{ACCESS_KEY}","SecretAccessKey":"{SECRET_KEY}"}}"#
            ),
        ),
        (
            "bad expiration",
            format!(
                r#"{{"Version":1,"AccessKeyId":"{ACCESS_KEY}","SecretAccessKey":"{SECRET_KEY}","SessionToken":"{SESSION_TOKEN}","Expiration":"soon"}}"#
            ),
        ),
        (
            "an error code",
            format!(
                r#"{{"Version":1,"Code":"Failed","AccessKeyId":"{ACCESS_KEY}","SecretAccessKey":"{SECRET_KEY}"}}"#
            ),
        ),
    ];
    for (i, (what, output)) in outputs.iter().enumerate() {
        let file = dir.write(&format!("output-{i}"), output);
        let config = dir.write(
            &format!("config-{i}"),
            &format!("[default]\ncredential_process = cat '{file}'\n"),
        );
        let env = local_env(&dir, &[("AWS_CONFIG_FILE", config)]);
        let err = ProfileProvider::new(env)
            .provide_credentials()
            .await
            .expect_err(what);
        check(
            &mut texts,
            format!("credential_process output: {what}"),
            &err,
        );
    }
    // A process that prints good credentials but fails.
    let file = dir.write(
        "good-output",
        &format!(
            r#"{{"Version":1,"AccessKeyId":"{ACCESS_KEY}","SecretAccessKey":"{SECRET_KEY}"}}"#
        ),
    );
    let config = dir.write(
        "config-fails",
        &format!("[default]\ncredential_process = cat '{file}'; exit 3\n"),
    );
    let err = ProfileProvider::new(local_env(&dir, &[("AWS_CONFIG_FILE", config)]))
        .provide_credentials()
        .await
        .expect_err("exit 3");
    check(&mut texts, "credential_process exits 3".into(), &err);

    // Profile files that hold the secret and have a syntax error, or half the keys.
    let files = [
        format!(
            "[default]\naws_access_key_id = {ACCESS_KEY}\naws_secret_access_key = {SECRET_KEY}\n{SESSION_TOKEN}\n"
        ),
        format!("[default\naws_secret_access_key = {SECRET_KEY}\n"),
        format!("aws_secret_access_key = {SECRET_KEY}\n[default]\n"),
        format!("[default] {SECRET_KEY}\naws_secret_access_key = {SECRET_KEY}\n"),
        format!("[default]\n = {SECRET_KEY}\n"),
        format!(
            "[default]\naws_secret_access_key = {SECRET_KEY}\naws_session_token = {SESSION_TOKEN}\n"
        ),
        format!(
            "[default]\naws_access_key_id = {ACCESS_KEY}\naws_secret_access_key = {SECRET_KEY}\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = default\n"
        ),
    ];
    for (i, text) in files.iter().enumerate() {
        let credentials = dir.write(&format!("credentials-{i}"), text);
        let env = local_env(
            &dir,
            &[("AWS_SHARED_CREDENTIALS_FILE", credentials.clone())],
        );
        match ProfileProvider::new(env.clone())
            .provide_credentials()
            .await
        {
            Ok(c) => texts.push((format!("profile file {i}: credentials"), format!("{c:?}"))),
            Err(err) => check(&mut texts, format!("profile file {i}"), &err),
        }
        // The default chain reports every source it tried.
        let http = HttpClient::new(&HttpSettings::default()).expect("http client");
        if let Err(err) = DefaultChain::new(env.clone(), http)
            .provide_credentials()
            .await
        {
            check(&mut texts, format!("default chain, profile file {i}"), &err);
        }
        // And the client turns it into an error of the call.
        if let Ok(config) = Config::builder_from_env_with(env.clone()) {
            let config = config
                .region("us-east-1")
                .endpoint_url("http://127.0.0.1:9");
            texts.push((
                format!("config from profile file {i}"),
                format!("{config:?}"),
            ));
            let client = Client::new(config.build().expect("config"));
            let err = client
                .get_durable_execution(GetDurableExecutionRequest {
                    durable_execution_arn: "arn".into(),
                    ..Default::default()
                })
                .await
                .expect_err("no usable credentials");
            check(&mut texts, format!("call with profile file {i}"), &err);
        } else if let Err(err) = Config::from_env_with(env) {
            check(&mut texts, format!("config from profile file {i}"), &err);
        }
    }

    // Half-set environment variables.
    for vars in [
        vec![("AWS_SECRET_ACCESS_KEY", SECRET_KEY.to_string())],
        vec![
            ("AWS_SECRET_ACCESS_KEY", SECRET_KEY.to_string()),
            ("AWS_SESSION_TOKEN", SESSION_TOKEN.to_string()),
        ],
        vec![
            ("AWS_ACCESS_KEY_ID", String::new()),
            ("AWS_SECRET_ACCESS_KEY", SECRET_KEY.to_string()),
        ],
    ] {
        let env = local_env(&dir, &vars);
        let provider = EnvironmentProvider::new(env.clone());
        texts.push(("EnvironmentProvider".into(), format!("{provider:?}")));
        if let Err(err) = provider.provide_credentials().await {
            check(&mut texts, format!("environment {vars:?}"), &err);
        }
        let http = HttpClient::new(&HttpSettings::default()).expect("http client");
        let chain = DefaultChain::new(env, http);
        texts.push(("DefaultChain".into(), format!("{chain:?}")));
        if let Err(err) = chain.provide_credentials().await {
            check(&mut texts, "default chain, environment".into(), &err);
        }
    }

    // The container provider, with an authorization token, against an endpoint that refuses
    // the connection and one that fails.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("addr").port()
    };
    let failing =
        WireServer::always(Reply::json(500, json!({"Code": "Failed", "Message": "no"}))).await;
    let token_file = dir.write("token", CONTAINER_TOKEN);
    for (uri, token) in [
        (
            format!("http://127.0.0.1:{closed}/creds"),
            (
                "AWS_CONTAINER_AUTHORIZATION_TOKEN",
                CONTAINER_TOKEN.to_string(),
            ),
        ),
        (
            format!("{}/creds", failing.endpoint()),
            (
                "AWS_CONTAINER_AUTHORIZATION_TOKEN",
                CONTAINER_TOKEN.to_string(),
            ),
        ),
        (
            format!("{}/creds", failing.endpoint()),
            ("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", token_file.clone()),
        ),
        (
            format!("{}/creds", failing.endpoint()),
            (
                "AWS_CONTAINER_AUTHORIZATION_TOKEN",
                format!("{CONTAINER_TOKEN}\n"),
            ),
        ),
    ] {
        let env = local_env(&dir, &[("AWS_CONTAINER_CREDENTIALS_FULL_URI", uri), token]);
        let http = HttpClient::new(&HttpSettings::default()).expect("http client");
        let provider = ContainerProvider::new(env.clone(), http.clone());
        texts.push(("ContainerProvider".into(), format!("{provider:?}")));
        let err = provider
            .provide_credentials()
            .await
            .expect_err("no container credentials");
        check(&mut texts, "container provider".into(), &err);
        if let Err(err) = DefaultChain::new(env, http).provide_credentials().await {
            check(&mut texts, "default chain, container".into(), &err);
        }
    }
    assert!(
        failing
            .requests()
            .iter()
            .any(|r| r.header("authorization") == Some(CONTAINER_TOKEN)),
        "the endpoint got the token"
    );

    assert!(texts.len() > 40, "errors were formatted: {}", texts.len());
    assert_all_clean(texts.iter().map(|(w, t)| (w.as_str(), t.as_str())));
}

/// Web identity and assume-role: the web identity token and the role credentials STS hands
/// out never reach Debug, Display, error texts or the logs, whether STS answers with
/// credentials, refuses (quoting the token back, as an echoing proxy would), or answers with
/// a broken document that holds them.
#[tokio::test]
async fn role_credentials_and_web_identity_tokens_never_print() {
    let (log, _guard) = capture_logs();

    let credentials_xml = format!(
        "<Credentials><AccessKeyId>ASIAROLE</AccessKeyId><SecretAccessKey>{SECRET_KEY}\
         </SecretAccessKey><SessionToken>{SESSION_TOKEN}</SessionToken>\
         <Expiration>2099-01-01T00:00:00Z</Expiration></Credentials>"
    );
    // STS answers by the role's name; the service call gets an empty execution.
    let server = WireServer::start(move |req, _| {
        let body = String::from_utf8_lossy(&req.body).into_owned();
        if !body.contains("Action=") {
            return Reply::json(404, json!({"__type": "ResourceNotFoundException"}));
        }
        if body.contains("role%2Fdenied") {
            Reply::status(400).body(format!(
                "<ErrorResponse><Error><Code>InvalidIdentityToken</Code><Message>token \
                 {WEB_IDENTITY_TOKEN} is not valid</Message></Error></ErrorResponse>"
            ))
        } else if body.contains("role%2Fbroken") {
            Reply::status(200).body(format!(
                "<AssumeRoleResponse>{}</AssumeRoleResponse>",
                credentials_xml.replace("<Expiration>2099-01-01T00:00:00Z</Expiration>", "")
            ))
        } else {
            Reply::status(200).body(format!(
                "<AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult>\
                 {credentials_xml}</AssumeRoleWithWebIdentityResult>\
                 </AssumeRoleWithWebIdentityResponse>"
            ))
        }
    })
    .await;
    let dir = TempDir::new("sts");
    let token_file = dir.write("token", WEB_IDENTITY_TOKEN);
    let mut texts: Vec<(String, String)> = Vec::new();
    for role in ["ok", "denied", "broken"] {
        let env = local_env(
            &dir,
            &[
                ("AWS_REGION", "us-east-1".to_string()),
                ("AWS_ENDPOINT_URL", server.endpoint()),
                ("AWS_MAX_ATTEMPTS", "1".to_string()),
                ("AWS_WEB_IDENTITY_TOKEN_FILE", token_file.clone()),
                ("AWS_ROLE_ARN", format!("arn:aws:iam::1:role/{role}")),
            ],
        );
        let config = Config::from_env_with(env.clone()).expect("config");
        texts.push((format!("{role}: config"), format!("{config:?} {config:#?}")));
        let http = HttpClient::new(&HttpSettings::default()).expect("http client");
        let chain = DefaultChain::new(env, http);
        texts.push((format!("{role}: chain"), format!("{chain:?}")));
        match chain.provide_credentials().await {
            Ok(c) => texts.push((format!("{role}: credentials"), format!("{c:?} {c:#?}"))),
            Err(e) => {
                for text in error_texts(&e) {
                    texts.push((format!("{role}: chain error"), text));
                }
            }
        }
        let client = Client::new(config);
        let outcome = client
            .get_durable_execution(GetDurableExecutionRequest {
                durable_execution_arn: "arn".into(),
                ..Default::default()
            })
            .await;
        match outcome {
            Ok(response) => texts.push((format!("{role}: response"), format!("{response:?}"))),
            Err(err) => {
                if role != "ok" {
                    assert!(matches!(err, Error::Credentials(_)), "{role}: {err:?}");
                }
                for text in error_texts(&err) {
                    texts.push((format!("{role}: call error"), text));
                }
            }
        }
    }
    // The calls reached STS and the service: the texts are of real outcomes.
    let sent = server.requests();
    assert!(
        sent.iter().filter(|r| !r.body.is_empty()).count() >= 6,
        "{}",
        sent.len()
    );
    assert!(
        sent.iter().any(|r| r
            .header("authorization")
            .is_some_and(|a| a.contains("ASIAROLE"))),
        "the service call was signed with the role's credentials"
    );
    texts.push(("logs".to_string(), log.text()));
    assert_all_clean(texts.iter().map(|(w, t)| (w.as_str(), t.as_str())));
}

/// IAM Identity Center: the cached access token, the refresh token and the client secret never
/// reach Debug, Display, errors or the logs, whether the portal answers, refuses (quoting the
/// bearer token back), or OIDC refuses a refresh (quoting the refresh request back).
#[tokio::test]
async fn sso_tokens_never_print() {
    let (log, _guard) = capture_logs();

    // The portal echoes its bearer token in a refusal for role `Echo`; OIDC echoes the refresh
    // request; other portal calls get the role's credentials (their secrets are markers too).
    let server = WireServer::start(move |req, _| {
        let bearer = req
            .header("x-amz-sso_bearer_token")
            .unwrap_or("")
            .to_string();
        if req.path == "/token" {
            let body = String::from_utf8_lossy(&req.body).into_owned();
            return Reply::status(400).body(format!("invalid_grant for {body}"));
        }
        if req.path.starts_with("/federation/credentials") {
            if req.query.contains("role_name=Echo") {
                return Reply::status(403).body(format!("{{\"message\":\"{bearer} denied\"}}"));
            }
            return Reply::json(
                200,
                json!({"roleCredentials": {"accessKeyId": "ASIASSO", "secretAccessKey": SECRET_KEY,
                    "sessionToken": SESSION_TOKEN, "expiration": 4_102_444_800_000_i64}}),
            );
        }
        Reply::json(404, json!({"__type": "ResourceNotFoundException"}))
    })
    .await;
    let dir = TempDir::new("sso");
    std::fs::create_dir_all(dir.0.join(".aws/sso/cache")).expect("cache folder");
    dir.write(
        ".aws/config",
        "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = \
         eu-west-1\n[profile ok]\nsso_session = corp\nsso_account_id = 1\nsso_role_name = Dev\n\
         [profile echo]\nsso_session = corp\nsso_account_id = 1\nsso_role_name = Echo\n",
    );
    // sha1("corp")
    let cache = ".aws/sso/cache/ee0bfd2552fbd840c02cc48b6e823320543c450f.json";
    let mut texts: Vec<(String, String)> = Vec::new();
    for (profile, expires) in [
        ("ok", "2099-01-01T00:00:00Z"),
        ("echo", "2099-01-01T00:00:00Z"),
        ("ok", "2020-01-01T00:00:00Z"),
    ] {
        dir.write(
            cache,
            &json!({"accessToken": SSO_ACCESS_TOKEN, "expiresAt": expires,
                "refreshToken": SSO_REFRESH_TOKEN, "clientId": "client",
                "clientSecret": SSO_CLIENT_SECRET})
            .to_string(),
        );
        let env = local_env(
            &dir,
            &[
                ("AWS_PROFILE", profile.to_string()),
                ("AWS_REGION", "us-east-1".to_string()),
                ("AWS_ENDPOINT_URL", server.endpoint()),
                ("AWS_MAX_ATTEMPTS", "1".to_string()),
            ],
        );
        let what = format!("{profile} (expires {expires})");
        let config = Config::from_env_with(env.clone()).expect("config");
        texts.push((format!("{what}: config"), format!("{config:?} {config:#?}")));
        let http = HttpClient::new(&HttpSettings::default()).expect("http client");
        match DefaultChain::new(env, http).provide_credentials().await {
            Ok(c) => texts.push((format!("{what}: credentials"), format!("{c:?} {c:#?}"))),
            Err(e) => {
                for text in error_texts(&e) {
                    texts.push((format!("{what}: chain error"), text));
                }
            }
        }
        let outcome = Client::new(config)
            .get_durable_execution(GetDurableExecutionRequest {
                durable_execution_arn: "arn".into(),
                ..Default::default()
            })
            .await;
        if let Err(err) = outcome {
            for text in error_texts(&err) {
                texts.push((format!("{what}: call error"), text));
            }
        }
    }
    let sent = server.requests();
    assert!(
        sent.iter().any(|r| r.path == "/token"),
        "a refresh was tried"
    );
    assert!(
        sent.iter().any(|r| r
            .header("authorization")
            .is_some_and(|a| a.contains("ASIASSO"))),
        "the service call was signed with the role's credentials"
    );
    texts.push(("logs".to_string(), log.text()));
    assert_all_clean(texts.iter().map(|(w, t)| (w.as_str(), t.as_str())));
}
