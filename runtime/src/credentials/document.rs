//! The JSON credentials documents of containers, IMDS and `credential_process`. They hold
//! secrets, so parse errors never quote them.

use serde::Deserialize;

use super::{Credentials, CredentialsError, parse_expiry};

/// The members of the credentials documents of containers, IMDS and `credential_process`.
#[derive(Deserialize)]
struct Document {
    #[cfg(feature = "credential-process")]
    #[serde(rename = "Version")]
    version: Option<serde_json::Value>,
    #[serde(rename = "Code")]
    code: Option<String>,
    #[serde(rename = "Message")]
    message: Option<String>,
    #[serde(rename = "AccessKeyId")]
    access_key_id: Option<String>,
    #[serde(rename = "SecretAccessKey")]
    secret_access_key: Option<String>,
    #[serde(rename = "Token", alias = "SessionToken")]
    token: Option<String>,
    #[serde(rename = "Expiration")]
    expiration: Option<String>,
}

/// Which document format to expect.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Format {
    /// `{"AccessKeyId", "SecretAccessKey", "Token", "Expiration"}`, with an optional `Code`
    /// that must be `Success` (IMDS, containers).
    #[cfg(any(feature = "container-credentials", feature = "imds"))]
    Endpoint,
    /// `{"Version": 1, "AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"}`.
    #[cfg(feature = "credential-process")]
    Process,
}

/// Reads credentials from a JSON document. `what` names the document in messages ("the
/// response of …"); messages never quote the document.
pub(super) fn parse_credentials(
    body: &[u8],
    format: Format,
    what: &str,
) -> Result<Credentials, CredentialsError> {
    let doc: Document = serde_json::from_slice(body).map_err(|e| {
        let problem = match e.classify() {
            serde_json::error::Category::Syntax => "is not valid JSON",
            serde_json::error::Category::Eof => "is truncated JSON",
            serde_json::error::Category::Data => "does not have the expected JSON members",
            serde_json::error::Category::Io => "could not be read",
        };
        CredentialsError::provider_failed(format!(
            "{what} {problem} (line {}, column {})",
            e.line(),
            e.column()
        ))
    })?;
    // Only `credential_process` output has a version.
    #[cfg(not(feature = "credential-process"))]
    let _ = format;
    #[cfg(feature = "credential-process")]
    if format == Format::Process {
        match &doc.version {
            Some(v) if v.as_u64() == Some(1) => {}
            Some(_) => {
                return Err(CredentialsError::provider_failed(format!(
                    "{what} has an unsupported `Version` (only 1 is supported)"
                )));
            }
            None => {
                return Err(CredentialsError::provider_failed(format!(
                    "{what} has no `Version` (expected 1)"
                )));
            }
        }
    }
    if let Some(code) = &doc.code
        && code != "Success"
    {
        let detail = doc.message.as_deref().unwrap_or("no message");
        return Err(CredentialsError::provider_failed(format!(
            "{what} reports `{code}`: {detail}"
        )));
    }
    let missing =
        |member: &str| CredentialsError::provider_failed(format!("{what} has no `{member}`"));
    let key = doc
        .access_key_id
        .filter(|s| !s.is_empty())
        .ok_or_else(|| missing("AccessKeyId"))?;
    let secret = doc
        .secret_access_key
        .filter(|s| !s.is_empty())
        .ok_or_else(|| missing("SecretAccessKey"))?;
    let mut credentials = Credentials::new(key, secret, doc.token.filter(|s| !s.is_empty()));
    if let Some(expiration) = doc.expiration.filter(|s| !s.is_empty()) {
        credentials = credentials.with_expiry(parse_expiry(&expiration, what)?);
    }
    Ok(credentials)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::test_util::SECRET;

    #[cfg(any(feature = "container-credentials", feature = "imds"))]
    #[test]
    fn endpoint_document() {
        use crate::credentials::test_util::TOKEN;
        use std::time::{Duration, UNIX_EPOCH};
        let body = crate::credentials::test_util::credentials_json("AKID", "2020-01-01T00:00:00Z");
        let c = parse_credentials(body.as_bytes(), Format::Endpoint, "the response").unwrap();
        assert_eq!(c.access_key_id(), "AKID");
        assert_eq!(c.secret_access_key(), SECRET);
        assert_eq!(c.session_token(), Some(TOKEN));
        assert_eq!(
            c.expiry(),
            Some(UNIX_EPOCH + Duration::from_secs(1_577_836_800))
        );
    }

    #[cfg(feature = "credential-process")]
    #[test]
    fn process_document_needs_version_1() {
        let ok = format!(r#"{{"Version":1,"AccessKeyId":"A","SecretAccessKey":"{SECRET}"}}"#);
        let c = parse_credentials(ok.as_bytes(), Format::Process, "output").unwrap();
        assert_eq!(c.session_token(), None);
        assert_eq!(c.expiry(), None);
        let v2 = format!(r#"{{"Version":2,"AccessKeyId":"A","SecretAccessKey":"{SECRET}"}}"#);
        let err = parse_credentials(v2.as_bytes(), Format::Process, "output").unwrap_err();
        assert!(err.to_string().contains("unsupported `Version`"), "{err}");
        let none = format!(r#"{{"AccessKeyId":"A","SecretAccessKey":"{SECRET}"}}"#);
        let err = parse_credentials(none.as_bytes(), Format::Process, "output").unwrap_err();
        assert!(err.to_string().contains("no `Version`"), "{err}");
    }

    #[cfg(any(feature = "container-credentials", feature = "imds"))]
    #[test]
    fn errors_never_quote_the_document() {
        use crate::credentials::test_util::TOKEN;
        let cases = [
            format!(r#"{{"AccessKeyId": 5, "SecretAccessKey": "{SECRET}"}}"#),
            format!(r#"{{"AccessKeyId": "A", "SecretAccessKey": ["{SECRET}"]}}"#),
            format!(r#"{{"AccessKeyId": "A", "SecretAccessKey": "{SECRET}""#),
            SECRET.to_owned(),
            format!(r#"{{"AccessKeyId": "A", "Token": "{TOKEN}"}}"#),
            format!(r#"{{"Code": "Failure", "Token": "{TOKEN}", "SecretAccessKey": "{SECRET}"}}"#),
        ];
        for body in cases {
            let err =
                parse_credentials(body.as_bytes(), Format::Endpoint, "the response").unwrap_err();
            let text = format!("{err} {err:?}");
            assert!(!text.contains(SECRET) && !text.contains(TOKEN), "{text}");
        }
    }
}
