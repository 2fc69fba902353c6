//! What the service recorded about one operation, in the form replay needs: read from the
//! invocation envelope, from state pages and from checkpoint responses alike.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;

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

/// The recorded operations by id. Records are shared (`Arc`): an operation reads its record
/// without copying it, and growing the map moves pointers, not records.
pub(crate) type Records = HashMap<String, Arc<Record>, BuildHasherDefault<IdHasher>>;

/// A new, empty [`Records`] with room for `capacity`.
pub(crate) fn records(capacity: usize) -> Records {
    Records::with_capacity_and_hasher(capacity, BuildHasherDefault::default())
}

/// A fast hasher for operation ids (a multiply-rotate over 8-byte words). The ids come from the
/// service, not from an adversary, and most are already hashes.
#[derive(Default)]
pub(crate) struct IdHasher(u64);

impl Hasher for IdHasher {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x517c_c1b7_2722_0a95;
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(K);
        }
        for &byte in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(byte)).wrapping_mul(K);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::BuildHasher;

    #[test]
    fn ids_that_differ_hash_differently_and_equal_ids_alike() {
        let build = BuildHasherDefault::<IdHasher>::default();
        let a = build.hash_one("6b86b273ff34fce19d6b804eff5a3f5747ada4eaa22f1d49c01e52ddb7875b4b");
        let b = build.hash_one("d4735e3a265e16eee03f59718b9b5d03019c07d8b6c51f90da3a666eec13ab35");
        assert_ne!(a, b);
        assert_eq!(
            a,
            build.hash_one("6b86b273ff34fce19d6b804eff5a3f5747ada4eaa22f1d49c01e52ddb7875b4b")
        );
        assert_ne!(build.hash_one("ab"), build.hash_one("ba"));
    }
}
