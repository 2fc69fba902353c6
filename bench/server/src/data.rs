//! The canned bodies, generated deterministically (same bytes on every run).
//!
//! - the empty state page: `{"Operations":[]}`;
//! - the 1,000-operation state page (about 1 MB): one `EXECUTION`, child `CONTEXT`s, and `STEP`,
//!   `WAIT` and `CALLBACK` operations with JSON results as payload strings, some failed steps
//!   with error objects, the newest operations still running;
//! - the checkpoint response: a new token and the 100 updated operations as they now stand;
//! - the 100 checkpoint updates a client sends ([`checkpoint_updates`]).

use serde_json::{Map, Value, json};

/// The execution whose state page is empty.
pub const ARN_EMPTY: &str = "arn:aws:lambda:us-east-1:123456789012:function:bench-fn:$LATEST/durable-execution/empty/6f1d2c3b-4a59-4e8f-9d7a-0b1c2d3e4f50";
/// The execution whose state page has 1,000 operations.
pub const ARN_BIG: &str = "arn:aws:lambda:us-east-1:123456789012:function:bench-fn:$LATEST/durable-execution/big/0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d";
/// The checkpoint token every request carries (base64, with `+`, `/` and `=` to encode).
pub const CHECKPOINT_TOKEN: &str =
    "eyJ2IjoxLCJzZXEiOjQyLCJleGVjIjoiYmVuY2gifQ+/AbCdEf0123456789+/xyz==";
/// The token the checkpoint response returns.
pub const NEXT_CHECKPOINT_TOKEN: &str =
    "eyJ2IjoxLCJzZXEiOjQzLCJleGVjIjoiYmVuY2gifQ+/AbCdEf0123456789+/xyz==";
/// The `x-amzn-RequestId` of every response.
pub const REQUEST_ID: &str = "5d6f1c2e-8a3b-4c7d-9e0f-a1b2c3d4e5f6";

/// A small deterministic generator (SplitMix64).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator with this seed.
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    fn hex(&mut self, len: usize) -> String {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        (0..len)
            .map(|_| HEX[self.below(16) as usize] as char)
            .collect()
    }

    fn base64(&mut self, len: usize) -> String {
        const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut s: String = (0..len)
            .map(|_| B64[self.below(64) as usize] as char)
            .collect();
        s.push('=');
        s
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

const WORDS: &[&str] = &[
    "order",
    "invoice",
    "shipment",
    "payment",
    "refund",
    "customer",
    "warehouse",
    "parcel",
    "priority",
    "express",
    "standard",
    "pending",
    "approved",
    "reserved",
    "allocated",
    "billing",
    "address",
    "coupon",
    "discount",
    "loyalty",
    "tier",
    "gold",
    "silver",
    "bronze",
    "review",
    "fraud",
    "score",
    "carrier",
    "tracking",
    "label",
    "region",
    "eu-west",
    "us-east",
    "ap-south",
];

/// A JSON document as a durable SDK stores a step's result: serialized to a string. Its
/// length is roughly `target` bytes.
fn result_payload(rng: &mut Rng, target: usize) -> String {
    let mut items = Vec::new();
    let mut doc = json!({
        "orderId": format!("ord-{:08}", rng.below(100_000_000)),
        "customer": {
            "id": format!("cus-{}", rng.hex(12)),
            "email": format!("{}.{}@example.com", rng.pick(WORDS), rng.pick(WORDS)),
            "tier": rng.pick(&["gold", "silver", "bronze"]),
        },
        "currency": rng.pick(&["EUR", "USD", "GBP", "JPY"]),
        "approved": rng.below(2) == 0,
    });
    let mut total = 0.0_f64;
    loop {
        let len = serde_json::to_string(&doc).map_or(0, |s| s.len());
        if len >= target {
            break;
        }
        let qty = 1 + rng.below(5);
        let price = (rng.below(100_000) as f64) / 100.0;
        total += qty as f64 * price;
        items.push(json!({
            "sku": format!("SKU-{}", rng.hex(8).to_uppercase()),
            "qty": qty,
            "price": price,
            "note": format!("{} {} {}", rng.pick(WORDS), rng.pick(WORDS), rng.pick(WORDS)),
        }));
        doc["items"] = Value::Array(items.clone());
        doc["total"] = json!((total * 100.0).round() / 100.0);
    }
    doc.to_string()
}

fn error_object(rng: &mut Rng) -> Value {
    let frames: Vec<Value> = (0..(3 + rng.below(5)))
        .map(|i| {
            Value::String(format!(
                "at {}{} (/var/task/src/handlers/{}.js:{}:{})",
                rng.pick(WORDS),
                i,
                rng.pick(WORDS),
                1 + rng.below(400),
                1 + rng.below(80)
            ))
        })
        .collect();
    json!({
        "ErrorType": rng.pick(&["PaymentDeclined", "TimeoutError", "ValidationError", "ServiceUnavailable"]),
        "ErrorMessage": format!("{} failed for {} {}: upstream returned 503", rng.pick(WORDS), rng.pick(WORDS), rng.hex(10)),
        "ErrorData": json!({"retryable": true, "code": rng.below(1000)}).to_string(),
        "StackTrace": frames,
    })
}

fn timestamp(base: f64, offset_ms: u64) -> Value {
    json!(base + (offset_ms as f64) / 1000.0)
}

/// `count` realistic operations; `seed` makes different sets. The first is the `EXECUTION`.
pub fn operations(count: usize, seed: u64, payload_bytes: usize) -> Vec<Value> {
    let mut rng = Rng::new(seed);
    let base = 1_764_000_000.0_f64;
    let exec_id = rng.hex(32);
    let mut ops = Vec::with_capacity(count);
    let mut clock: u64 = 0;
    let mut context: Option<String> = None;
    for i in 0..count {
        let mut op = Map::new();
        clock += 50 + rng.below(900);
        let start = timestamp(base, clock);
        let end = timestamp(base, clock + 5 + rng.below(400));
        let running = i + 5 >= count;
        if i == 0 {
            op.insert("Id".into(), json!(exec_id));
            op.insert("Type".into(), json!("EXECUTION"));
            op.insert("Name".into(), json!("bench-execution"));
            op.insert("Status".into(), json!("STARTED"));
            op.insert("StartTimestamp".into(), start);
            op.insert(
                "ExecutionDetails".into(),
                json!({"InputPayload": result_payload(&mut rng, payload_bytes * 2)}),
            );
            ops.push(Value::Object(op));
            continue;
        }
        let id = rng.hex(32);
        if i % 25 == 1 {
            // A child context; the following operations run inside it.
            op.insert("Id".into(), json!(id));
            op.insert("ParentId".into(), json!(exec_id));
            op.insert("Type".into(), json!("CONTEXT"));
            op.insert(
                "SubType".into(),
                json!(rng.pick(&["RunInChildContext", "Map", "Parallel", "MapIteration"])),
            );
            op.insert(
                "Name".into(),
                json!(format!("{}-{}", rng.pick(WORDS), i / 25)),
            );
            op.insert("StartTimestamp".into(), start);
            if running {
                op.insert("Status".into(), json!("STARTED"));
            } else {
                op.insert("Status".into(), json!("SUCCEEDED"));
                op.insert("EndTimestamp".into(), end);
                op.insert(
                    "ContextDetails".into(),
                    json!({"ReplayChildren": false, "Result": result_payload(&mut rng, payload_bytes / 2)}),
                );
            }
            context = Some(id);
            ops.push(Value::Object(op));
            continue;
        }
        op.insert("Id".into(), json!(id));
        op.insert(
            "ParentId".into(),
            json!(context.clone().unwrap_or_else(|| exec_id.clone())),
        );
        op.insert("StartTimestamp".into(), start.clone());
        match i % 10 {
            7 => {
                op.insert("Type".into(), json!("WAIT"));
                op.insert("SubType".into(), json!("Wait"));
                op.insert("Name".into(), json!(format!("wait-{}", rng.pick(WORDS))));
                op.insert(
                    "Status".into(),
                    json!(if running { "STARTED" } else { "SUCCEEDED" }),
                );
                if !running {
                    op.insert("EndTimestamp".into(), end);
                }
                op.insert(
                    "WaitDetails".into(),
                    json!({"ScheduledEndTimestamp": timestamp(base, clock + 60_000)}),
                );
            }
            8 => {
                op.insert("Type".into(), json!("CALLBACK"));
                op.insert("SubType".into(), json!("WaitForCallback"));
                op.insert(
                    "Name".into(),
                    json!(format!("approval-{}", rng.pick(WORDS))),
                );
                let mut details = Map::new();
                details.insert("CallbackId".into(), json!(rng.base64(86)));
                if running {
                    op.insert("Status".into(), json!("STARTED"));
                } else {
                    op.insert("Status".into(), json!("SUCCEEDED"));
                    op.insert("EndTimestamp".into(), end);
                    details.insert(
                        "Result".into(),
                        json!(result_payload(&mut rng, payload_bytes / 2)),
                    );
                }
                op.insert("CallbackDetails".into(), Value::Object(details));
            }
            _ => {
                op.insert("Type".into(), json!("STEP"));
                op.insert("SubType".into(), json!("Step"));
                op.insert(
                    "Name".into(),
                    json!(format!("{}-{}-{}", rng.pick(WORDS), rng.pick(WORDS), i)),
                );
                let mut details = Map::new();
                if running {
                    op.insert("Status".into(), json!("PENDING"));
                    details.insert("Attempt".into(), json!(2));
                    details.insert(
                        "NextAttemptTimestamp".into(),
                        timestamp(base, clock + 2_000),
                    );
                } else if i % 37 == 3 {
                    op.insert("Status".into(), json!("FAILED"));
                    op.insert("EndTimestamp".into(), end);
                    details.insert("Attempt".into(), json!(3));
                    details.insert("Error".into(), error_object(&mut rng));
                } else {
                    op.insert("Status".into(), json!("SUCCEEDED"));
                    op.insert("EndTimestamp".into(), end);
                    details.insert("Attempt".into(), json!(1 + rng.below(2)));
                    let size = payload_bytes / 2 + rng.below(payload_bytes as u64) as usize;
                    details.insert("Result".into(), json!(result_payload(&mut rng, size)));
                }
                op.insert("StepDetails".into(), Value::Object(details));
            }
        }
        ops.push(Value::Object(op));
    }
    ops
}

/// The average payload size that makes the 1,000-operation page about 1 MB.
const PAGE_PAYLOAD_BYTES: usize = 780;

/// `{"Operations":[]}`.
pub fn empty_page() -> Vec<u8> {
    br#"{"Operations":[]}"#.to_vec()
}

/// The 1,000-operation page (about 1 MB).
pub fn big_page() -> Vec<u8> {
    let page = json!({ "Operations": operations(1000, 7, PAGE_PAYLOAD_BYTES) });
    page.to_string().into_bytes()
}

/// The checkpoint response: the next token and the 100 updated operations.
pub fn checkpoint_response() -> Vec<u8> {
    let body = json!({
        "CheckpointToken": NEXT_CHECKPOINT_TOKEN,
        "NewExecutionState": { "Operations": operations(100, 11, PAGE_PAYLOAD_BYTES) },
    });
    body.to_string().into_bytes()
}

/// One checkpoint update, independent of any SDK's types.
#[derive(Debug, Clone, Default)]
pub struct UpdateSpec {
    /// `Id`.
    pub id: String,
    /// `ParentId`.
    pub parent_id: Option<String>,
    /// `Name`.
    pub name: Option<String>,
    /// `Type`.
    pub r#type: &'static str,
    /// `SubType`.
    pub sub_type: Option<&'static str>,
    /// `Action`.
    pub action: &'static str,
    /// `Payload`.
    pub payload: Option<String>,
    /// `Error`.
    pub error: Option<ErrorSpec>,
    /// `ContextOptions.ReplayChildren`.
    pub replay_children: Option<bool>,
    /// `StepOptions.NextAttemptDelaySeconds`.
    pub next_attempt_delay_seconds: Option<i32>,
    /// `WaitOptions.WaitSeconds`.
    pub wait_seconds: Option<i32>,
    /// `CallbackOptions.TimeoutSeconds` and `HeartbeatTimeoutSeconds`.
    pub callback_timeouts: Option<(i32, i32)>,
}

/// An `ErrorObject`.
#[derive(Debug, Clone, Default)]
pub struct ErrorSpec {
    /// `ErrorType`.
    pub error_type: String,
    /// `ErrorMessage`.
    pub error_message: String,
    /// `ErrorData`.
    pub error_data: String,
    /// `StackTrace`.
    pub stack_trace: Vec<String>,
}

/// The 100 updates of the checkpoint benchmark: mostly finished steps with results, plus
/// started steps, retries, failures, waits, callbacks and contexts.
pub fn checkpoint_updates() -> Vec<UpdateSpec> {
    let mut rng = Rng::new(23);
    let parent = rng.hex(32);
    (0..100)
        .map(|i| {
            let mut u = UpdateSpec {
                id: rng.hex(32),
                parent_id: Some(parent.clone()),
                name: Some(format!("{}-{}-{}", rng.pick(WORDS), rng.pick(WORDS), i)),
                ..UpdateSpec::default()
            };
            match i % 10 {
                0 => {
                    u.r#type = "CONTEXT";
                    u.sub_type = Some("RunInChildContext");
                    u.action = if i % 20 == 0 { "START" } else { "SUCCEED" };
                    if u.action == "SUCCEED" {
                        u.payload = Some(result_payload(&mut rng, 400));
                    }
                    u.replay_children = Some(false);
                }
                1 => {
                    u.r#type = "WAIT";
                    u.sub_type = Some("Wait");
                    u.action = "START";
                    u.wait_seconds = Some(30 + rng.below(3600) as i32);
                }
                2 => {
                    u.r#type = "CALLBACK";
                    u.sub_type = Some("WaitForCallback");
                    u.action = "START";
                    u.callback_timeouts = Some((3600, 300));
                }
                3 => {
                    u.r#type = "STEP";
                    u.sub_type = Some("Step");
                    u.action = "RETRY";
                    u.next_attempt_delay_seconds = Some(1 + rng.below(60) as i32);
                    u.error = error_spec(&mut rng);
                }
                4 => {
                    u.r#type = "STEP";
                    u.sub_type = Some("Step");
                    u.action = "START";
                }
                5 => {
                    u.r#type = "STEP";
                    u.sub_type = Some("Step");
                    u.action = "FAIL";
                    u.error = error_spec(&mut rng);
                }
                _ => {
                    u.r#type = "STEP";
                    u.sub_type = Some("Step");
                    u.action = "SUCCEED";
                    let size = 400 + rng.below(1200) as usize;
                    u.payload = Some(result_payload(&mut rng, size));
                }
            }
            u
        })
        .collect()
}

fn error_spec(rng: &mut Rng) -> Option<ErrorSpec> {
    let Value::Object(e) = error_object(rng) else {
        return None;
    };
    let text = |k: &str| {
        e.get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    Some(ErrorSpec {
        error_type: text("ErrorType"),
        error_message: text("ErrorMessage"),
        error_data: text("ErrorData"),
        stack_trace: e
            .get("StackTrace")
            .and_then(Value::as_array)
            .map(|frames| {
                frames
                    .iter()
                    .filter_map(|f| f.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default(),
    })
}

/// The updates as the JSON `Updates` member (for the floor, which has no types).
pub fn updates_json(updates: &[UpdateSpec]) -> Value {
    Value::Array(
        updates
            .iter()
            .map(|u| {
                let mut m = Map::new();
                m.insert("Id".into(), json!(u.id));
                if let Some(p) = &u.parent_id {
                    m.insert("ParentId".into(), json!(p));
                }
                if let Some(n) = &u.name {
                    m.insert("Name".into(), json!(n));
                }
                m.insert("Type".into(), json!(u.r#type));
                if let Some(s) = u.sub_type {
                    m.insert("SubType".into(), json!(s));
                }
                m.insert("Action".into(), json!(u.action));
                if let Some(p) = &u.payload {
                    m.insert("Payload".into(), json!(p));
                }
                if let Some(e) = &u.error {
                    m.insert(
                        "Error".into(),
                        json!({
                            "ErrorType": e.error_type,
                            "ErrorMessage": e.error_message,
                            "ErrorData": e.error_data,
                            "StackTrace": e.stack_trace,
                        }),
                    );
                }
                if let Some(r) = u.replay_children {
                    m.insert("ContextOptions".into(), json!({"ReplayChildren": r}));
                }
                if let Some(d) = u.next_attempt_delay_seconds {
                    m.insert("StepOptions".into(), json!({"NextAttemptDelaySeconds": d}));
                }
                if let Some(w) = u.wait_seconds {
                    m.insert("WaitOptions".into(), json!({"WaitSeconds": w}));
                }
                if let Some((t, h)) = u.callback_timeouts {
                    m.insert(
                        "CallbackOptions".into(),
                        json!({"TimeoutSeconds": t, "HeartbeatTimeoutSeconds": h}),
                    );
                }
                Value::Object(m)
            })
            .collect(),
    )
}
