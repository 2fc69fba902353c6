//! The conformance handlers of lambda-sdk-durable: one binary for every requirement of AWS's
//! durable-execution conformance suite. The SAM templates in `durable/conformance/` give each
//! function a `CASE` (a requirement id such as `1-3`, or a chained-invoke target such as
//! `target-echo`); `cargo xtask conformance` builds this binary as their `bootstrap` and runs the
//! suite's own requirements against it locally.
#![forbid(unsafe_code)]

mod callback;
mod child;
mod condition;
mod invoke;
mod map;
mod parallel;
mod plugin;
mod serdes;
mod step;
mod wait;
mod wait_for_callback;

use lambda_sdk_durable::{BoxError, RunOptions, run, run_with_options};
use serde_json::Value;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    let case = std::env::var("CASE").unwrap_or_default();
    let replay_logging = RunOptions::new().replay_logging(true);
    match case.as_str() {
        "1-1" => run(step::basic).await,
        "1-2" => run(step::named).await,
        "1-3" => run(step::sequential).await,
        "1-4" => run(step::complex).await,
        "1-5" => run(step::null).await,
        "1-6" => run(step::custom_serdes).await,
        "1-7" => run(step::logger).await,
        "1-8" => run(step::then_wait).await,
        "1-9" => run(step::replay_skips).await,
        "1-10" => run(step::replay_rethrows).await,
        "1-11" => run(step::retry_once).await,
        "1-12" => run(step::retries_exhausted).await,
        "1-13" => run(step::default_retry).await,
        "1-14" => run(step::custom_retry).await,
        "1-15" => run(step::retry_transient).await,
        "1-16" => run(step::no_retry_transient).await,
        "1-17" => run(step::at_most_once_no_retry).await,
        "1-18" => run(step::at_most_once_retry).await,
        "1-19" => run(step::fails).await,
        "1-20" => run(step::caught).await,
        "2-1" | "2-2" | "2-3" | "2-4" | "2-5" => {
            let case = case.clone();
            run(move |_: Value, ctx| wait::case(case.clone(), ctx)).await
        }
        "3-1" => run(child::basic).await,
        "3-2" => run(child::named).await,
        "3-3" => run(child::sequential).await,
        "3-4" => run(child::fails).await,
        "3-5" => run(child::caught).await,
        "3-6" => run(child::nested).await,
        "3-7" => run(child::step_retry).await,
        "3-8" => run(child::step_retries_exhausted).await,
        "3-9" => run(child::replay_cached).await,
        "3-10" => run(child::step_and_wait).await,
        "3-11" => run_with_options(child::large_result, replay_logging).await,
        "3-12" => run(child::interrupted).await,
        "3-13" => run(child::wait_inside).await,
        "3-14" => run(child::custom_serdes).await,
        "3-15" => run(child::error_in_body).await,
        "3-16" => run(child::null).await,
        "3-17" => run_with_options(child::logger_only, replay_logging).await,
        "3-18" => run(child::inside_and_after).await,
        case if case.starts_with("4-") => {
            let case = case.to_string();
            run(move |input: Value, ctx| callback::case(case.clone(), input, ctx)).await
        }
        case if case.starts_with("5-") => {
            let case = case.to_string();
            run(move |input: Value, ctx| invoke::case(case.clone(), input, ctx)).await
        }
        case if case.starts_with("6-") => {
            let case = case.to_string();
            run(move |input: Value, ctx| condition::case(case.clone(), input, ctx)).await
        }
        case if case.starts_with("7-") => {
            let case = case.to_string();
            run(move |input: Value, ctx| wait_for_callback::case(case.clone(), input, ctx)).await
        }
        case if case.starts_with("8-") => {
            let case = case.to_string();
            run(move |_: Value, ctx| parallel::case(case.clone(), ctx)).await
        }
        case if case.starts_with("9-") => {
            let case = case.to_string();
            run(move |input: Value, ctx| map::case(case.clone(), input, ctx)).await
        }
        case if case.starts_with("10-") => {
            let options = plugin::options(case);
            let case = case.to_string();
            run_with_options(
                move |input: Value, ctx| plugin::case(case.clone(), input, ctx),
                options,
            )
            .await
        }
        // The chained-invoke targets are durable functions too: the service runs them as
        // executions of their own.
        "target-echo" | "target-echo-tenant" => {
            run(|input: Value, _ctx| async move { Ok::<_, BoxError>(input) }).await
        }
        "target-error" => {
            run(|_: Value, _ctx| async move {
                Err::<Value, BoxError>("the target function failed on purpose".into())
            })
            .await
        }
        other => Err(format!("unknown CASE {other:?}").into()),
    }
}
