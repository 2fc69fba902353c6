//! `ctx.wait(duration)`: a durable timer (WAIT / `Wait`). The invocation suspends and the
//! service invokes the function again when the time is up.

use std::future::IntoFuture;
use std::sync::Arc;
use std::time::Duration;

use lambda_sdk::types::{OperationAction, OperationStatus, OperationType, WaitOptions};

use super::record;
use crate::backend::BoxFuture;
use crate::context::{DurableContext, Minted};
use crate::error::{DurableError, ErrorKind};
use crate::execution::Fatal;
use crate::retry::delay_seconds;

/// A wait, from [`DurableContext::wait`]. Await it to run it.
#[derive(Debug)]
pub struct WaitBuilder {
    ctx: DurableContext,
    minted: Minted,
    duration: Duration,
    name: Option<String>,
}

impl DurableContext {
    /// Waits `duration` (whole seconds, rounded up, at least one) without running: the
    /// invocation suspends and the next one continues after the wait.
    ///
    /// ```no_run
    /// # async fn f(ctx: lambda_sdk_durable::DurableContext) -> Result<(), lambda_sdk_durable::BoxError> {
    /// ctx.wait(std::time::Duration::from_secs(30)).name("cool-off").await?;
    /// # Ok(()) }
    /// ```
    pub fn wait(&self, duration: Duration) -> WaitBuilder {
        WaitBuilder {
            ctx: self.clone(),
            minted: self.mint(),
            duration,
            name: None,
        }
    }
}

impl WaitBuilder {
    /// Names the wait (shown in the execution's history).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Whether an earlier invocation recorded this wait (once the state has been read).
    pub(crate) async fn is_recorded(&self) -> Result<bool, Fatal> {
        let exec = self.ctx.exec();
        if !exec.has_record(&self.minted.id) {
            exec.loaded().await?;
        }
        Ok(exec.has_record(&self.minted.id))
    }

    pub(crate) fn duration(mut self, duration: Duration) -> Self {
        self.duration = duration;
        self
    }

    async fn run(self) -> Result<(), DurableError> {
        let exec = Arc::clone(self.ctx.exec());
        let begun = match self
            .ctx
            .begin(
                self.minted,
                OperationType::Wait,
                "Wait",
                self.name.as_deref(),
                "wait",
            )
            .await
        {
            Ok(begun) => begun,
            Err(fatal) => return exec.halt(fatal).await,
        };
        let record_now = match begun.record {
            Some(ref record) => record.clone(),
            None => {
                let mut start = begun.update(OperationAction::Start);
                start.wait_options = Some(WaitOptions {
                    wait_seconds: Some(delay_seconds(self.duration)),
                });
                {
                    let _running = exec.running();
                    record(&exec, start).await;
                }
                match exec.record(begun.id()) {
                    Some(record) => record,
                    None => return exec.park().await,
                }
            }
        };
        match record_now.status {
            OperationStatus::Succeeded => Ok(()),
            OperationStatus::Cancelled | OperationStatus::Failed | OperationStatus::Stopped => {
                Err(begun.replayed(ErrorKind::WaitCancelled, &record_now))
            }
            _ => exec.park().await,
        }
    }
}

impl IntoFuture for WaitBuilder {
    type Output = Result<(), DurableError>;
    type IntoFuture = BoxFuture<'static, Result<(), DurableError>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.run())
    }
}
