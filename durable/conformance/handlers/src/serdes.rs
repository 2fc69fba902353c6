//! The custom serdes the requirements ask for.

use lambda_sdk::primitives::{DateTime, DateTimeFormat};
use lambda_sdk_durable::{
    BatchItem, BatchResult, BoxError, CompletionReason, Serdes, SerdesContext,
};
use serde_json::{Value, json};

/// 1-6: strings are stored upper-cased, as JSON.
pub struct UpperJson;

impl Serdes<String> for UpperJson {
    fn serialize(&self, value: &String, _: &SerdesContext) -> Result<Option<String>, BoxError> {
        Ok(Some(serde_json::to_string(&value.to_uppercase())?))
    }
    fn deserialize(&self, payload: Option<&str>, _: &SerdesContext) -> Result<String, BoxError> {
        Ok(serde_json::from_str(payload.unwrap_or("\"\""))?)
    }
}

/// 3-14: strings are stored upper-cased, as they are (no JSON quotes).
pub struct UpperRaw;

impl Serdes<String> for UpperRaw {
    fn serialize(&self, value: &String, _: &SerdesContext) -> Result<Option<String>, BoxError> {
        Ok(Some(value.to_uppercase()))
    }
    fn deserialize(&self, payload: Option<&str>, _: &SerdesContext) -> Result<String, BoxError> {
        Ok(payload.unwrap_or_default().to_string())
    }
}

/// 4-15: a JSON payload whose `timestamp` (ISO-8601) becomes epoch seconds.
pub struct WithEpochTimestamp;

impl Serdes<Value> for WithEpochTimestamp {
    fn serialize(&self, value: &Value, _: &SerdesContext) -> Result<Option<String>, BoxError> {
        Ok(Some(serde_json::to_string(value)?))
    }
    fn deserialize(&self, payload: Option<&str>, _: &SerdesContext) -> Result<Value, BoxError> {
        let mut value: Value = serde_json::from_str(payload.unwrap_or("null"))?;
        if let Some(text) = value.get("timestamp").and_then(Value::as_str) {
            let at = DateTime::from_str(text, DateTimeFormat::DateTime)?;
            value["timestamp"] = json!(at.secs());
        }
        Ok(value)
    }
}

/// 4-16: a payload read as a number, whether written as one or as a string.
pub struct Number;

impl Serdes<i64> for Number {
    fn serialize(&self, value: &i64, _: &SerdesContext) -> Result<Option<String>, BoxError> {
        Ok(Some(value.to_string()))
    }
    fn deserialize(&self, payload: Option<&str>, _: &SerdesContext) -> Result<i64, BoxError> {
        let text = payload.unwrap_or_default().trim().trim_matches('"');
        Ok(text.parse()?)
    }
}

/// 5-15: the payload is sent as upper-cased JSON.
pub struct UpperJsonValue;

impl Serdes<Value> for UpperJsonValue {
    fn serialize(&self, value: &Value, _: &SerdesContext) -> Result<Option<String>, BoxError> {
        Ok(Some(serde_json::to_string(value)?.to_uppercase()))
    }
    fn deserialize(&self, payload: Option<&str>, _: &SerdesContext) -> Result<Value, BoxError> {
        Ok(serde_json::from_str(payload.unwrap_or("null"))?)
    }
}

/// 5-16: the result is read as its raw text, upper-cased.
pub struct UpperText;

impl Serdes<String> for UpperText {
    fn serialize(&self, value: &String, _: &SerdesContext) -> Result<Option<String>, BoxError> {
        Ok(Some(value.clone()))
    }
    fn deserialize(&self, payload: Option<&str>, _: &SerdesContext) -> Result<String, BoxError> {
        Ok(payload.unwrap_or_default().to_uppercase())
    }
}

/// 6-11: the state is stored encoded (`state:` and the characters reversed).
pub struct Encoded;

impl Serdes<String> for Encoded {
    fn serialize(&self, value: &String, _: &SerdesContext) -> Result<Option<String>, BoxError> {
        Ok(Some(format!(
            "state:{}",
            value.chars().rev().collect::<String>()
        )))
    }
    fn deserialize(&self, payload: Option<&str>, _: &SerdesContext) -> Result<String, BoxError> {
        let payload = payload.unwrap_or("state:");
        let encoded = payload
            .strip_prefix("state:")
            .ok_or_else(|| format!("not an encoded state: {payload:?}"))?;
        Ok(encoded.chars().rev().collect())
    }
}

/// 8-15 and 9-14: each item's value stored as `{"wrapped": v}`.
pub struct Wrapped;

impl Serdes<Value> for Wrapped {
    fn serialize(&self, value: &Value, _: &SerdesContext) -> Result<Option<String>, BoxError> {
        Ok(Some(json!({ "wrapped": value }).to_string()))
    }
    fn deserialize(&self, payload: Option<&str>, _: &SerdesContext) -> Result<Value, BoxError> {
        let stored: Value = serde_json::from_str(payload.unwrap_or("null"))?;
        match stored.get("wrapped") {
            Some(value) => Ok(value.clone()),
            None => Err(format!("payload {stored} is not wrapped").into()),
        }
    }
}

/// 9-19 and 9-20: a whole map of strings stored as `OPSERDE:` and the values joined by commas.
pub struct OpSerde;

impl Serdes<BatchResult<String>> for OpSerde {
    fn serialize(
        &self,
        value: &BatchResult<String>,
        _: &SerdesContext,
    ) -> Result<Option<String>, BoxError> {
        let values: Vec<&str> = value.results().into_iter().map(String::as_str).collect();
        Ok(Some(format!("OPSERDE:{}", values.join(","))))
    }
    fn deserialize(
        &self,
        payload: Option<&str>,
        _: &SerdesContext,
    ) -> Result<BatchResult<String>, BoxError> {
        let joined = payload
            .and_then(|p| p.strip_prefix("OPSERDE:"))
            .ok_or_else(|| format!("payload {payload:?} does not start with OPSERDE:"))?;
        let items = joined
            .split(',')
            .filter(|v| !v.is_empty())
            .enumerate()
            .map(|(index, value)| BatchItem::succeeded(index, value.to_string()))
            .collect();
        Ok(BatchResult::new(items, CompletionReason::AllCompleted))
    }
}

/// 9-14: each item's string stored as `wrapped:` and the string.
pub struct PrefixWrapped;

impl Serdes<String> for PrefixWrapped {
    fn serialize(&self, value: &String, _: &SerdesContext) -> Result<Option<String>, BoxError> {
        Ok(Some(format!("wrapped:{value}")))
    }
    fn deserialize(&self, payload: Option<&str>, _: &SerdesContext) -> Result<String, BoxError> {
        payload
            .and_then(|p| p.strip_prefix("wrapped:"))
            .map(String::from)
            .ok_or_else(|| format!("payload {payload:?} does not start with wrapped:").into())
    }
}
