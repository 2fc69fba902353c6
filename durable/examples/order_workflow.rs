//! A durable order workflow: reserve the stock, charge the card, let the order cool off for a
//! moment (the invocation ends; Lambda invokes the function again when the wait is over), then
//! ship. Each step runs once: on the second invocation the recorded results are replayed.
//!
//! Event: `{"order_id": "o-42", "items": 3, "cents": 1999}`.
//! Build it as the `bootstrap` of a `provided.al2023` function with a `DurableConfig` (see the
//! crate README); the end-to-end test of `tests/` runs it against the local emulator.

use std::time::Duration;

use lambda_sdk_durable::{BoxError, DurableContext, RetryStrategyConfig};
use serde::{Deserialize, Serialize};

#[derive(Debug, Deserialize)]
struct Order {
    order_id: String,
    items: u32,
    cents: u64,
}

#[derive(Debug, Serialize, Deserialize)]
struct Receipt {
    order_id: String,
    reservation: String,
    charge: String,
    shipment: String,
}

async fn workflow(order: Order, ctx: DurableContext) -> Result<Receipt, BoxError> {
    let Order {
        order_id,
        items,
        cents,
    } = order;
    ctx.logger().info(format!("order {order_id} received"));
    let id = order_id.clone();
    let reservation: String = ctx
        .step(|cx| async move {
            cx.logger().info(format!("reserving {items} items"));
            Ok(format!("res-{id}-{items}"))
        })
        .name("reserve")
        .await?;
    let id = order_id.clone();
    let charge: String = ctx
        .step(|_| async move {
            if cents == 0 {
                return Err("nothing to charge".into());
            }
            Ok(format!("ch-{id}-{cents}"))
        })
        .name("charge")
        .retry_strategy_config(RetryStrategyConfig::default().max_attempts(3))
        .await?;
    ctx.wait(Duration::from_secs(1)).name("cool-off").await?;
    let id = order_id.clone();
    let shipment: String = ctx
        .step(|_| async move { Ok(format!("ship-{id}")) })
        .name("ship")
        .await?;
    ctx.logger().info(format!("order {order_id} shipped"));
    Ok(Receipt {
        order_id,
        reservation,
        charge,
        shipment,
    })
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    lambda_sdk_durable::run(workflow).await
}

// The tests need the `testing` feature, which the crate's dev-dependency on itself turns on.
#[cfg(all(test, feature = "testing"))]
mod tests {
    use super::*;
    use lambda_sdk_durable::testing::{Status, TestRunner};

    #[tokio::test]
    async fn the_workflow_runs_in_two_invocations_and_each_step_once() {
        let result = TestRunner::new(workflow)
            .input(serde_json::json!({"order_id": "o-1", "items": 2, "cents": 500}))
            .run()
            .await;
        assert_eq!(result.status(), Status::Succeeded);
        let receipt: Receipt = result.output().unwrap();
        assert_eq!(receipt.charge, "ch-o-1-500");
        assert_eq!(result.invocations(), 2);
        // Three steps and a wait: one call each.
        assert_eq!(result.checkpoint_calls(), 4);
    }

    #[tokio::test]
    async fn a_charge_that_cannot_succeed_fails_the_order() {
        let result = TestRunner::new(workflow)
            .input(serde_json::json!({"order_id": "o-2", "items": 1, "cents": 0}))
            .run()
            .await;
        assert_eq!(result.status(), Status::Failed);
        assert_eq!(result.error().unwrap().message, "nothing to charge");
        assert_eq!(result.invocations(), 3);
    }
}
