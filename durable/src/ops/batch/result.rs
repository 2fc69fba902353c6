//! What a map or parallel returns: every counted item's outcome in input order, and why the
//! batch completed. Its JSON form is `{"all": [{"index", "status", "result", "error"}, …],
//! "completionReason"}`, the shape AWS's SDKs record.

use std::fmt;

use serde::de::{DeserializeOwned, Deserializer, Error as _};
use serde::ser::Serializer;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{DurableError, ErrorKind, ErrorObject, OperationRef};

/// Why a batch stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CompletionReason {
    /// Every item ran.
    AllCompleted,
    /// The minimum number of successes was reached; the remaining items did not run.
    MinSuccessfulReached,
    /// More items failed than the completion config tolerates; the remaining items did not run.
    FailureToleranceExceeded,
}

impl CompletionReason {
    /// `ALL_COMPLETED`, `MIN_SUCCESSFUL_REACHED` or `FAILURE_TOLERANCE_EXCEEDED`.
    pub fn as_str(self) -> &'static str {
        match self {
            CompletionReason::AllCompleted => "ALL_COMPLETED",
            CompletionReason::MinSuccessfulReached => "MIN_SUCCESSFUL_REACHED",
            CompletionReason::FailureToleranceExceeded => "FAILURE_TOLERANCE_EXCEEDED",
        }
    }

    fn parse(s: &str) -> Option<CompletionReason> {
        [
            CompletionReason::AllCompleted,
            CompletionReason::MinSuccessfulReached,
            CompletionReason::FailureToleranceExceeded,
        ]
        .into_iter()
        .find(|r| r.as_str() == s)
    }
}

impl fmt::Display for CompletionReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A batch's overall status: `Failed` as soon as one counted item failed, whatever the
/// completion reason.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BatchStatus {
    /// No counted item failed.
    Succeeded,
    /// At least one counted item failed.
    Failed,
}

impl BatchStatus {
    /// `SUCCEEDED` or `FAILED`.
    pub fn as_str(self) -> &'static str {
        match self {
            BatchStatus::Succeeded => "SUCCEEDED",
            BatchStatus::Failed => "FAILED",
        }
    }
}

impl fmt::Display for BatchStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One item's (or branch's) outcome.
#[derive(Clone, Debug, PartialEq)]
pub struct BatchItem<T> {
    /// The item's position in the input, from 0.
    pub index: usize,
    /// Its value, or its failure as recorded.
    pub outcome: Result<T, ErrorObject>,
}

impl<T> BatchItem<T> {
    /// A successful item.
    pub fn succeeded(index: usize, value: T) -> Self {
        BatchItem {
            index,
            outcome: Ok(value),
        }
    }

    /// A failed item.
    pub fn failed(index: usize, error: ErrorObject) -> Self {
        BatchItem {
            index,
            outcome: Err(error),
        }
    }

    /// Whether it succeeded.
    pub fn is_success(&self) -> bool {
        self.outcome.is_ok()
    }
}

/// The outcome of a [`map`](crate::DurableContext::map) or
/// [`parallel`](crate::DurableContext::parallel): the items that counted, in input order, and why
/// the batch completed.
///
/// Items count in input order: an early completion (enough successes, too many failures) is
/// decided at the first item in input order that reaches it, so the same outcomes always give the
/// same result, whichever branch finished first. Items after that one are not in the result, even
/// if they ran.
///
/// A failed item does not make the operation fail: the result says so ([`BatchResult::status`],
/// [`BatchResult::errors`]), and [`BatchResult::throw_if_error`] turns it into an error.
#[derive(Clone, Debug, PartialEq)]
pub struct BatchResult<T> {
    items: Vec<BatchItem<T>>,
    completion_reason: CompletionReason,
    /// The batch operation, for the errors of [`BatchResult::throw_if_error`].
    operation: Option<OperationRef>,
}

impl<T> BatchResult<T> {
    /// A result of these items (sorted by index), for a custom operation-level serdes that
    /// rebuilds one from its payload.
    pub fn new(mut items: Vec<BatchItem<T>>, completion_reason: CompletionReason) -> Self {
        items.sort_by_key(|item| item.index);
        BatchResult {
            items,
            completion_reason,
            operation: None,
        }
    }

    pub(crate) fn with_operation(mut self, operation: OperationRef) -> Self {
        self.operation = Some(operation);
        self
    }

    /// Every counted item, in input order.
    pub fn items(&self) -> &[BatchItem<T>] {
        &self.items
    }

    /// Every counted item, in input order.
    pub fn into_items(self) -> Vec<BatchItem<T>> {
        self.items
    }

    /// Why the batch completed.
    pub fn completion_reason(&self) -> CompletionReason {
        self.completion_reason
    }

    /// `Failed` if any counted item failed.
    pub fn status(&self) -> BatchStatus {
        if self.has_failure() {
            BatchStatus::Failed
        } else {
            BatchStatus::Succeeded
        }
    }

    /// Whether any counted item failed.
    pub fn has_failure(&self) -> bool {
        self.items.iter().any(|item| item.outcome.is_err())
    }

    /// The successful items, in input order.
    pub fn succeeded(&self) -> impl Iterator<Item = &BatchItem<T>> {
        self.items.iter().filter(|item| item.outcome.is_ok())
    }

    /// The failed items, in input order.
    pub fn failed(&self) -> impl Iterator<Item = &BatchItem<T>> {
        self.items.iter().filter(|item| item.outcome.is_err())
    }

    /// The successful values, in input order.
    pub fn results(&self) -> Vec<&T> {
        self.items
            .iter()
            .filter_map(|item| item.outcome.as_ref().ok())
            .collect()
    }

    /// The successful values, in input order.
    pub fn into_results(self) -> Vec<T> {
        self.items
            .into_iter()
            .filter_map(|item| item.outcome.ok())
            .collect()
    }

    /// The failures, in input order.
    pub fn errors(&self) -> Vec<&ErrorObject> {
        self.items
            .iter()
            .filter_map(|item| item.outcome.as_ref().err())
            .collect()
    }

    /// How many counted items succeeded.
    pub fn success_count(&self) -> usize {
        self.succeeded().count()
    }

    /// How many counted items failed.
    pub fn failure_count(&self) -> usize {
        self.failed().count()
    }

    /// How many items counted (those that ran up to the completion decision).
    pub fn total_count(&self) -> usize {
        self.items.len()
    }

    /// The first failure (in input order) as an error, if any: `batch.throw_if_error()?`
    /// fails the caller with the item's original error type and message.
    ///
    /// # Errors
    /// A [`DurableError`] of kind [`ErrorKind::BatchItemFailed`] when an item failed.
    pub fn throw_if_error(&self) -> Result<(), DurableError> {
        match self
            .items
            .iter()
            .find_map(|item| item.outcome.as_ref().err().map(|e| (item.index, e)))
        {
            None => Ok(()),
            Some((index, error)) => Err(DurableError::new(
                ErrorKind::BatchItemFailed { index },
                self.operation.clone(),
                error.clone(),
                None,
            )),
        }
    }

    /// The successful values in input order, or the first failure as an error.
    ///
    /// # Errors
    /// As [`BatchResult::throw_if_error`].
    pub fn try_into_results(self) -> Result<Vec<T>, DurableError> {
        self.throw_if_error()?;
        Ok(self.into_results())
    }
}

#[derive(Serialize)]
struct ItemOut<'a, T> {
    index: usize,
    status: &'static str,
    result: Option<&'a T>,
    error: Option<Value>,
}

#[derive(Serialize)]
struct BatchOut<'a, T> {
    all: Vec<ItemOut<'a, T>>,
    #[serde(rename = "completionReason")]
    completion_reason: &'static str,
}

impl<T: Serialize> Serialize for BatchResult<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        BatchOut {
            all: self
                .items
                .iter()
                .map(|item| match &item.outcome {
                    Ok(value) => ItemOut {
                        index: item.index,
                        status: "SUCCEEDED",
                        result: Some(value),
                        error: None,
                    },
                    Err(error) => ItemOut {
                        index: item.index,
                        status: "FAILED",
                        result: None,
                        error: Some(error.to_json()),
                    },
                })
                .collect(),
            completion_reason: self.completion_reason.as_str(),
        }
        .serialize(serializer)
    }
}

#[derive(Deserialize)]
struct ItemIn {
    index: usize,
    status: String,
    #[serde(default)]
    result: Value,
    #[serde(default)]
    error: Option<ErrorIn>,
}

#[derive(Deserialize, Default)]
struct ErrorIn {
    #[serde(rename = "ErrorType", default)]
    error_type: Option<String>,
    #[serde(rename = "ErrorMessage", default)]
    message: Option<String>,
    #[serde(rename = "ErrorData", default)]
    data: Option<String>,
    #[serde(rename = "StackTrace", default)]
    stack_trace: Option<Vec<String>>,
}

#[derive(Deserialize)]
struct BatchIn {
    all: Vec<ItemIn>,
    #[serde(rename = "completionReason")]
    completion_reason: String,
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for BatchResult<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let batch = BatchIn::deserialize(deserializer)?;
        let completion_reason =
            CompletionReason::parse(&batch.completion_reason).ok_or_else(|| {
                D::Error::custom(format!(
                    "unknown completionReason {:?}",
                    batch.completion_reason
                ))
            })?;
        let mut items = Vec::with_capacity(batch.all.len());
        for item in batch.all {
            let outcome = match item.status.as_str() {
                "SUCCEEDED" => Ok(serde_json::from_value(item.result).map_err(|e| {
                    D::Error::custom(format!("the result of item {}: {e}", item.index))
                })?),
                "FAILED" => {
                    let e = item.error.unwrap_or_default();
                    Err(ErrorObject {
                        error_type: e.error_type.unwrap_or_default(),
                        message: e.message.unwrap_or_default(),
                        data: e.data,
                        stack_trace: e.stack_trace.unwrap_or_default(),
                    })
                }
                other => {
                    return Err(D::Error::custom(format!(
                        "item {} has the status {other:?}; a recorded batch item is SUCCEEDED or \
                         FAILED",
                        item.index
                    )));
                }
            };
            items.push(BatchItem {
                index: item.index,
                outcome,
            });
        }
        Ok(BatchResult::new(items, completion_reason))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> BatchResult<String> {
        BatchResult::new(
            vec![
                BatchItem::failed(1, ErrorObject::new("Boom", "it broke")),
                BatchItem::succeeded(0, "a".to_string()),
                BatchItem::succeeded(2, "c".to_string()),
            ],
            CompletionReason::AllCompleted,
        )
    }

    #[test]
    fn accessors_count_in_input_order() {
        let batch = sample();
        assert_eq!(batch.results(), [&"a".to_string(), &"c".to_string()]);
        assert_eq!(
            (
                batch.success_count(),
                batch.failure_count(),
                batch.total_count()
            ),
            (2, 1, 3)
        );
        assert!(batch.has_failure());
        assert_eq!(batch.status(), BatchStatus::Failed);
        assert_eq!(batch.errors()[0].error_type, "Boom");
        let error = batch.throw_if_error().unwrap_err();
        assert_eq!(error.kind(), ErrorKind::BatchItemFailed { index: 1 });
        assert_eq!(ErrorObject::from_error(&error).message, "it broke");
        assert_eq!(error.to_string(), "item 1 failed: Boom: it broke");
        let empty: BatchResult<u8> = BatchResult::new(vec![], CompletionReason::AllCompleted);
        assert_eq!(empty.status(), BatchStatus::Succeeded);
        assert_eq!(empty.try_into_results().unwrap(), Vec::<u8>::new());
    }

    #[test]
    fn json_round_trip_in_the_recorded_shape() {
        let json = serde_json::to_value(sample()).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "all": [
                    {"index": 0, "status": "SUCCEEDED", "result": "a", "error": null},
                    {"index": 1, "status": "FAILED", "result": null,
                     "error": {"ErrorType": "Boom", "ErrorMessage": "it broke"}},
                    {"index": 2, "status": "SUCCEEDED", "result": "c", "error": null},
                ],
                "completionReason": "ALL_COMPLETED",
            })
        );
        let back: BatchResult<String> = serde_json::from_value(json).unwrap();
        assert_eq!(back, sample());
        // A unit result is recorded as null and reads back.
        let unit = BatchResult::new(
            vec![BatchItem::succeeded(0, ())],
            CompletionReason::MinSuccessfulReached,
        );
        let back: BatchResult<()> =
            serde_json::from_str(&serde_json::to_string(&unit).unwrap()).unwrap();
        assert_eq!(back, unit);
    }

    #[test]
    fn malformed_payloads_are_errors_that_say_what_is_wrong() {
        let bad_reason = serde_json::from_str::<BatchResult<u8>>(
            r#"{"all": [], "completionReason": "WHENEVER"}"#,
        )
        .unwrap_err();
        assert!(bad_reason.to_string().contains("WHENEVER"), "{bad_reason}");
        let bad_status = serde_json::from_str::<BatchResult<u8>>(
            r#"{"all": [{"index": 3, "status": "STARTED"}], "completionReason": "ALL_COMPLETED"}"#,
        )
        .unwrap_err();
        assert!(bad_status.to_string().contains("item 3"), "{bad_status}");
        let bad_value = serde_json::from_str::<BatchResult<u8>>(
            r#"{"all": [{"index": 0, "status": "SUCCEEDED", "result": "x"}], "completionReason": "ALL_COMPLETED"}"#,
        )
        .unwrap_err();
        assert!(bad_value.to_string().contains("item 0"), "{bad_value}");
    }
}
