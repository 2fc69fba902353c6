//! What the service recorded about one operation, in the form replay needs: read from the
//! invocation envelope, from state pages and from checkpoint responses alike.

use lambda_sdk::types::{Operation, OperationStatus, OperationType};

use crate::error::ErrorObject;

/// One recorded operation. Timestamps are not kept: replay decides by status alone.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Record {
    pub id: String,
    pub parent_id: Option<String>,
    pub name: Option<String>,
    pub op_type: OperationType,
    pub sub_type: Option<String>,
    pub status: OperationStatus,
    /// `StepDetails.Attempt`: the attempts that have ended (a retry, a success or a failure).
    pub attempt: u32,
    /// The result payload of a step, context, callback or chained invoke, or the state a
    /// `wait_for_condition` poll left.
    pub result: Option<String>,
    /// The recorded failure.
    pub error: Option<ErrorObject>,
    /// `CallbackDetails.CallbackId`.
    pub callback_id: Option<String>,
    /// `ContextDetails.ReplayChildren`.
    pub replay_children: bool,
    /// `ExecutionDetails.InputPayload` of the EXECUTION operation.
    pub input: Option<String>,
}

impl Record {
    /// Whether the operation has ended (any status but started, pending and ready).
    pub fn has_ended(&self) -> bool {
        !matches!(
            self.status,
            OperationStatus::Started | OperationStatus::Pending | OperationStatus::Ready
        )
    }

    /// From the API's `Operation` (state pages, checkpoint responses).
    pub fn from_operation(op: Operation) -> Record {
        let mut record = Record {
            id: op.id,
            parent_id: op.parent_id,
            name: op.name,
            op_type: op.r#type,
            sub_type: op.sub_type,
            status: op.status,
            attempt: 0,
            result: None,
            error: None,
            callback_id: None,
            replay_children: false,
            input: None,
        };
        if let Some(d) = op.execution_details {
            record.input = d.input_payload;
        }
        if let Some(d) = op.step_details {
            record.attempt = u32::try_from(d.attempt.unwrap_or(0)).unwrap_or(0);
            record.result = d.result;
            record.error = d.error.as_ref().map(ErrorObject::from_wire);
        }
        if let Some(d) = op.context_details {
            record.replay_children = d.replay_children.unwrap_or(false);
            record.result = d.result;
            record.error = d.error.as_ref().map(ErrorObject::from_wire);
        }
        if let Some(d) = op.callback_details {
            record.callback_id = d.callback_id;
            record.result = d.result;
            record.error = d.error.as_ref().map(ErrorObject::from_wire);
        }
        if let Some(d) = op.chained_invoke_details {
            record.result = d.result;
            record.error = d.error.as_ref().map(ErrorObject::from_wire);
        }
        record
    }
}
