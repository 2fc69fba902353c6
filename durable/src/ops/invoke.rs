//! `ctx.invoke(function, input)`: runs another Lambda function and waits for its result
//! (CHAINED_INVOKE / `ChainedInvoke`). The service invokes the function; this invocation
//! suspends until it has finished.

use std::future::IntoFuture;
use std::sync::Arc;

use lambda_sdk::types::{ChainedInvokeOptions, OperationAction, OperationStatus, OperationType};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::record;
use crate::backend::BoxFuture;
use crate::context::{DurableContext, Minted};
use crate::error::{DurableError, ErrorKind};
use crate::serdes::{OwnSerdes, Serdes, choose};

/// A chained invoke, from [`DurableContext::invoke`]. Await it to run it.
pub struct InvokeBuilder<T, I> {
    ctx: DurableContext,
    minted: Minted,
    function: String,
    input: I,
    name: Option<String>,
    tenant_id: Option<String>,
    result_serdes: OwnSerdes<T>,
    payload_serdes: OwnSerdes<I>,
}

impl<T, I> std::fmt::Debug for InvokeBuilder<T, I> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InvokeBuilder")
            .field("function", &self.function)
            .field("name", &self.name)
            .field("tenant_id", &self.tenant_id)
            .finish_non_exhaustive()
    }
}

impl DurableContext {
    /// Invokes the Lambda function `function` (name, ARN or partial ARN, with a qualifier) with
    /// `input`, and returns its result, deserialized as `T`. The invocation suspends while the
    /// function runs.
    ///
    /// ```no_run
    /// # async fn f(ctx: lambda_sdk_durable::DurableContext) -> Result<(), lambda_sdk_durable::BoxError> {
    /// let receipt: serde_json::Value = ctx
    ///     .invoke("billing:live", serde_json::json!({"order": 42}))
    ///     .name("bill")
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn invoke<T, I>(&self, function: impl Into<String>, input: I) -> InvokeBuilder<T, I>
    where
        T: Serialize + DeserializeOwned + Send + 'static,
        I: Serialize + Send + 'static,
    {
        InvokeBuilder {
            ctx: self.clone(),
            minted: self.mint(),
            function: function.into(),
            input,
            name: None,
            tenant_id: None,
            result_serdes: None,
            payload_serdes: None,
        }
    }
}

impl<T, I> InvokeBuilder<T, I>
where
    T: Serialize + DeserializeOwned + Send + 'static,
    I: Serialize + Send + 'static,
{
    /// Names the operation (shown in the execution's history).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Invokes the function for this tenant (tenant-isolated functions).
    pub fn tenant_id(mut self, tenant_id: impl Into<String>) -> Self {
        self.tenant_id = Some(tenant_id.into());
        self
    }

    /// How the function's result is read (JSON, or the execution's default, unless set).
    pub fn serdes(mut self, serdes: impl Serdes<T> + 'static) -> Self {
        self.result_serdes = Some(Arc::new(serdes));
        self
    }

    /// How the input is sent (JSON, or the execution's default, unless set).
    pub fn payload_serdes(mut self, serdes: impl Serdes<I> + 'static) -> Self {
        self.payload_serdes = Some(Arc::new(serdes));
        self
    }

    async fn run(self) -> Result<T, DurableError> {
        let exec = Arc::clone(self.ctx.exec());
        let begun = match self
            .ctx
            .begin(
                self.minted,
                OperationType::ChainedInvoke,
                "ChainedInvoke",
                self.name.as_deref(),
                "invoke",
            )
            .await
        {
            Ok(begun) => begun,
            Err(fatal) => return exec.halt(fatal).await,
        };
        if begun.record.is_none() {
            let payload_serdes =
                choose(&self.payload_serdes, exec.settings.default_serdes.as_ref());
            let payload = begun.write(&payload_serdes, &self.input, &exec)?;
            let mut start = begun.update(OperationAction::Start);
            start.payload = payload;
            start.chained_invoke_options = Some(ChainedInvokeOptions {
                function_name: self.function.clone(),
                tenant_id: self.tenant_id.clone(),
                ..Default::default()
            });
            let _running = exec.running();
            record(&exec, start).await;
        }
        let Some(record) = exec.record(begun.id()) else {
            return exec.park().await;
        };
        let result_serdes = choose(&self.result_serdes, exec.settings.default_serdes.as_ref());
        match record.status {
            OperationStatus::Succeeded => {
                begun.read(&result_serdes, record.result.as_deref(), &exec)
            }
            OperationStatus::TimedOut => Err(begun.replayed(ErrorKind::InvokeTimedOut, &record)),
            OperationStatus::Stopped => Err(begun.replayed(ErrorKind::InvokeStopped, &record)),
            OperationStatus::Failed | OperationStatus::Cancelled => {
                Err(begun.replayed(ErrorKind::InvokeFailed, &record))
            }
            _ => exec.park().await,
        }
    }
}

impl<T, I> IntoFuture for InvokeBuilder<T, I>
where
    T: Serialize + DeserializeOwned + Send + 'static,
    I: Serialize + Send + 'static,
{
    type Output = Result<T, DurableError>;
    type IntoFuture = BoxFuture<'static, Result<T, DurableError>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.run())
    }
}
