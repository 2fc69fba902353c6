//! The three contestants, each set up once and called the same way: a client against the
//! local server, and a replay client (no network) for the deserialization benchmark.

use std::sync::Arc;

use bench_server::data::UpdateSpec;
use bench_server::{ARN_BIG, ARN_EMPTY, CHECKPOINT_TOKEN};
use bytes::Bytes;

/// Who is measured.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Who {
    /// lambda-sdk.
    Ours,
    /// aws-sdk-lambda with aws-config.
    Official,
    /// bare hyper + aws-sigv4 + serde_json.
    Floor,
}

impl Who {
    pub const ALL: [Who; 3] = [Who::Ours, Who::Official, Who::Floor];

    pub fn name(self) -> &'static str {
        match self {
            Who::Ours => "lambda-sdk",
            Who::Official => "aws-sdk-lambda",
            Who::Floor => "floor",
        }
    }

    pub fn parse(s: &str) -> Option<Who> {
        match s {
            "ours" | "lambda-sdk" => Some(Who::Ours),
            "official" | "aws-sdk-lambda" => Some(Who::Official),
            "floor" => Some(Who::Floor),
            _ => None,
        }
    }
}

/// What one call does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scenario {
    /// GetDurableExecutionState answered with an empty page.
    EmptyPage,
    /// GetDurableExecutionState answered with the 1,000-operation page.
    BigPage,
    /// CheckpointDurableExecution with 100 updates.
    Checkpoint,
}

impl Scenario {
    pub const ALL: [Scenario; 3] = [Scenario::EmptyPage, Scenario::BigPage, Scenario::Checkpoint];

    pub fn name(self) -> &'static str {
        match self {
            Scenario::EmptyPage => "GetDurableExecutionState, empty page",
            Scenario::BigPage => "GetDurableExecutionState, 1,000-operation page",
            Scenario::Checkpoint => "CheckpointDurableExecution, 100 updates",
        }
    }

    pub fn parse(s: &str) -> Option<Scenario> {
        match s {
            "empty" => Some(Scenario::EmptyPage),
            "big" => Some(Scenario::BigPage),
            "checkpoint" => Some(Scenario::Checkpoint),
            _ => None,
        }
    }

    /// How many operations the answer must carry.
    fn expected(self) -> usize {
        match self {
            Scenario::EmptyPage => 0,
            Scenario::BigPage => 1000,
            Scenario::Checkpoint => 100,
        }
    }
}

pub const REGION: &str = "us-east-1";
pub const ACCESS_KEY_ID: &str = "AKIDBENCHMARK000000";
pub const SECRET_ACCESS_KEY: &str = "benchmark/secret/access/key/0000000000000";
pub const SESSION_TOKEN: &str =
    "IQoJb3JpZ2luX2VjEBenchmarkSessionToken0000000000000000000000000000000000";

/// A client of one contestant plus the prepared checkpoint request in its own types.
// The floor's client is held inline like the others (no extra indirection on its call path).
#[allow(clippy::large_enum_variant)]
#[derive(Clone)]
pub enum Client {
    Ours(
        lambda_sdk::Client,
        Arc<lambda_sdk::types::CheckpointDurableExecutionRequest>,
    ),
    Official(
        aws_sdk_lambda::Client,
        Arc<Vec<aws_sdk_lambda::types::OperationUpdate>>,
    ),
    Floor(floor::Floor, Arc<serde_json::Value>),
}

impl Client {
    /// A client of `who` sending to `endpoint`.
    pub async fn new(who: Who, endpoint: &str, updates: &[UpdateSpec]) -> Result<Client, String> {
        Ok(match who {
            Who::Ours => {
                let config = lambda_sdk::Config::builder()
                    .region(REGION)
                    .credentials(ours_credentials())
                    .endpoint_url(endpoint)
                    .build()
                    .map_err(|e| e.to_string())?;
                Client::Ours(
                    lambda_sdk::Client::new(config),
                    Arc::new(ours_checkpoint(updates)),
                )
            }
            Who::Official => {
                let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
                    .region(aws_config::Region::new(REGION))
                    .credentials_provider(official_credentials())
                    .endpoint_url(endpoint)
                    .load()
                    .await;
                Client::Official(
                    aws_sdk_lambda::Client::new(&config),
                    Arc::new(official_updates(updates)?),
                )
            }
            Who::Floor => Client::Floor(
                floor::Floor::new(floor::Settings {
                    endpoint: endpoint.to_string(),
                    region: REGION.into(),
                    access_key_id: ACCESS_KEY_ID.into(),
                    secret_access_key: SECRET_ACCESS_KEY.into(),
                    session_token: Some(SESSION_TOKEN.into()),
                })?,
                Arc::new(bench_server::data::updates_json(updates)),
            ),
        })
    }

    /// A replay client answering every request with `body` (no network), for GetDurableExecutionState.
    pub fn replay(who: Who, body: Bytes) -> Result<Client, String> {
        const ENDPOINT: &str = "https://replay.invalid";
        Ok(match who {
            Who::Ours => {
                let config = lambda_sdk::Config::builder()
                    .region(REGION)
                    .credentials(ours_credentials())
                    .endpoint_url(ENDPOINT)
                    .http_connector(crate::replay::OursReplay::new(body))
                    .build()
                    .map_err(|e| e.to_string())?;
                Client::Ours(
                    lambda_sdk::Client::new(config),
                    Arc::new(ours_checkpoint(&[])),
                )
            }
            Who::Official => {
                let config = aws_sdk_lambda::Config::builder()
                    .behavior_version(aws_sdk_lambda::config::BehaviorVersion::latest())
                    .region(aws_sdk_lambda::config::Region::new(REGION))
                    .credentials_provider(official_credentials())
                    .endpoint_url(ENDPOINT)
                    .http_client(crate::replay::OfficialReplay::new(body))
                    .build();
                Client::Official(
                    aws_sdk_lambda::Client::from_conf(config),
                    Arc::new(Vec::new()),
                )
            }
            Who::Floor => return Err("the floor has no client to replay through".into()),
        })
    }

    /// One call of `scenario`; checks the number of operations in the answer.
    pub async fn call(&self, scenario: Scenario) -> Result<(), String> {
        let got = match scenario {
            Scenario::EmptyPage => self.get_state(ARN_EMPTY).await?,
            Scenario::BigPage => self.get_state(ARN_BIG).await?,
            Scenario::Checkpoint => self.checkpoint().await?,
        };
        if got != scenario.expected() {
            return Err(format!(
                "{}: expected {} operations, got {got}",
                scenario.name(),
                scenario.expected()
            ));
        }
        Ok(())
    }

    /// GetDurableExecutionState; the number of operations in the page.
    pub async fn get_state(&self, arn: &str) -> Result<usize, String> {
        match self {
            Client::Ours(client, _) => {
                let page = client
                    .get_durable_execution_state(
                        lambda_sdk::types::GetDurableExecutionStateRequest {
                            durable_execution_arn: arn.to_string(),
                            checkpoint_token: CHECKPOINT_TOKEN.to_string(),
                            ..Default::default()
                        },
                    )
                    .await
                    .map_err(|e| format!("lambda-sdk: {e}"))?;
                Ok(page.operations.len())
            }
            Client::Official(client, _) => {
                let page = client
                    .get_durable_execution_state()
                    .durable_execution_arn(arn)
                    .checkpoint_token(CHECKPOINT_TOKEN)
                    .send()
                    .await
                    .map_err(official_error)?;
                Ok(page.operations().len())
            }
            Client::Floor(client, _) => {
                let page = client.get_state(arn, CHECKPOINT_TOKEN, None).await?;
                Ok(page["Operations"].as_array().map_or(0, Vec::len))
            }
        }
    }

    /// CheckpointDurableExecution with the 100 updates; the number of operations in the new state.
    pub async fn checkpoint(&self) -> Result<usize, String> {
        match self {
            Client::Ours(client, request) => {
                let out = client
                    .checkpoint_durable_execution(
                        lambda_sdk::types::CheckpointDurableExecutionRequest::clone(request),
                    )
                    .await
                    .map_err(|e| format!("lambda-sdk: {e}"))?;
                Ok(out.new_execution_state.operations.map_or(0, |o| o.len()))
            }
            Client::Official(client, updates) => {
                let out = client
                    .checkpoint_durable_execution()
                    .durable_execution_arn(ARN_BIG)
                    .checkpoint_token(CHECKPOINT_TOKEN)
                    .set_updates(Some(Vec::clone(updates)))
                    .send()
                    .await
                    .map_err(official_error)?;
                Ok(out
                    .new_execution_state()
                    .map_or(0, |s| s.operations().len()))
            }
            Client::Floor(client, updates) => {
                let out = client
                    .checkpoint(ARN_BIG, CHECKPOINT_TOKEN, updates)
                    .await?;
                Ok(out["NewExecutionState"]["Operations"]
                    .as_array()
                    .map_or(0, Vec::len))
            }
        }
    }
}

fn ours_credentials() -> lambda_sdk::Credentials {
    lambda_sdk::Credentials::new(
        ACCESS_KEY_ID,
        SECRET_ACCESS_KEY,
        Some(SESSION_TOKEN.to_string()),
    )
}

fn official_credentials() -> aws_sdk_lambda::config::Credentials {
    aws_sdk_lambda::config::Credentials::new(
        ACCESS_KEY_ID,
        SECRET_ACCESS_KEY,
        Some(SESSION_TOKEN.to_string()),
        None,
        "bench",
    )
}

/// The checkpoint request in lambda-sdk's types.
pub fn ours_checkpoint(
    updates: &[UpdateSpec],
) -> lambda_sdk::types::CheckpointDurableExecutionRequest {
    use lambda_sdk::types::*;
    CheckpointDurableExecutionRequest {
        durable_execution_arn: ARN_BIG.to_string(),
        checkpoint_token: CHECKPOINT_TOKEN.to_string(),
        updates: Some(
            updates
                .iter()
                .map(|u| OperationUpdate {
                    id: u.id.clone(),
                    parent_id: u.parent_id.clone(),
                    name: u.name.clone(),
                    r#type: OperationType::from(u.r#type),
                    sub_type: u.sub_type.map(String::from),
                    action: OperationAction::from(u.action),
                    payload: u.payload.clone(),
                    error: u.error.as_ref().map(|e| ErrorObject {
                        error_message: Some(e.error_message.clone()),
                        error_type: Some(e.error_type.clone()),
                        error_data: Some(e.error_data.clone()),
                        stack_trace: Some(e.stack_trace.clone()),
                    }),
                    context_options: u.replay_children.map(|r| ContextOptions {
                        replay_children: Some(r),
                    }),
                    step_options: u.next_attempt_delay_seconds.map(|d| StepOptions {
                        next_attempt_delay_seconds: Some(d),
                    }),
                    wait_options: u.wait_seconds.map(|w| WaitOptions {
                        wait_seconds: Some(w),
                    }),
                    callback_options: u.callback_timeouts.map(|(t, h)| CallbackOptions {
                        timeout_seconds: Some(t),
                        heartbeat_timeout_seconds: Some(h),
                    }),
                    chained_invoke_options: None,
                })
                .collect(),
        ),
        client_token: None,
    }
}

/// The checkpoint updates in aws-sdk-lambda's types.
pub fn official_updates(
    updates: &[UpdateSpec],
) -> Result<Vec<aws_sdk_lambda::types::OperationUpdate>, String> {
    use aws_sdk_lambda::types::*;
    updates
        .iter()
        .map(|u| {
            OperationUpdate::builder()
                .id(&u.id)
                .set_parent_id(u.parent_id.clone())
                .set_name(u.name.clone())
                .r#type(OperationType::from(u.r#type))
                .set_sub_type(u.sub_type.map(String::from))
                .action(OperationAction::from(u.action))
                .set_payload(u.payload.clone())
                .set_error(u.error.as_ref().map(|e| {
                    ErrorObject::builder()
                        .error_message(&e.error_message)
                        .error_type(&e.error_type)
                        .error_data(&e.error_data)
                        .set_stack_trace(Some(e.stack_trace.clone()))
                        .build()
                }))
                .set_context_options(
                    u.replay_children
                        .map(|r| ContextOptions::builder().replay_children(r).build()),
                )
                .set_step_options(
                    u.next_attempt_delay_seconds
                        .map(|d| StepOptions::builder().next_attempt_delay_seconds(d).build()),
                )
                .set_wait_options(
                    u.wait_seconds
                        .map(|w| WaitOptions::builder().wait_seconds(w).build()),
                )
                .set_callback_options(u.callback_timeouts.map(|(t, h)| {
                    CallbackOptions::builder()
                        .timeout_seconds(t)
                        .heartbeat_timeout_seconds(h)
                        .build()
                }))
                .build()
                .map_err(|e| format!("aws-sdk-lambda OperationUpdate: {e}"))
        })
        .collect()
}

/// An aws-sdk-lambda error with its whole source chain.
fn official_error<E: std::error::Error>(e: E) -> String {
    format!(
        "aws-sdk-lambda: {}",
        aws_sdk_lambda::error::DisplayErrorContext(e)
    )
}
