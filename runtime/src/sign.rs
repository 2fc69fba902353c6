//! SigV4 request signing with `aws-sigv4`, configured the way AWS's SDKs sign restJson1 calls:
//! the path is percent-encoded twice in the canonical request, normalised, and the payload
//! hash is not sent as a header.

use std::time::SystemTime;

use aws_sigv4::http_request::{
    PayloadChecksumKind, PercentEncodingMode, SessionTokenMode, SignableBody, SignableRequest,
    SignatureLocation, SigningSettings, UriPathNormalizationMode, sign,
};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;

use crate::identity::Credentials;

/// What to sign for.
#[derive(Clone, Copy, Debug)]
pub struct SigningScope<'a> {
    /// The region, e.g. `us-east-1`.
    pub region: &'a str,
    /// The service's signing name, e.g. `lambda`.
    pub service: &'a str,
    /// The signing time.
    pub time: SystemTime,
}

/// The headers signing adds: `x-amz-date`, `authorization` and, with a session token,
/// `x-amz-security-token`.
pub type SignatureHeaders = Vec<(&'static str, String)>;

/// Signs a request given as its parts. `headers` are the headers to sign (at least `host`);
/// the result lists the headers to add.
///
/// # Errors
/// When aws-sigv4 rejects the input (for example an unparsable URI), with its reason.
pub fn sign_request<'h>(
    method: &'h str,
    uri: &'h str,
    headers: impl Iterator<Item = (&'h str, &'h str)>,
    body: &'h [u8],
    credentials: &Credentials,
    scope: SigningScope<'_>,
) -> Result<SignatureHeaders, String> {
    let identity: Identity = aws_credential_types::Credentials::new(
        credentials.access_key_id(),
        credentials.secret_access_key(),
        credentials.session_token().map(String::from),
        credentials.expiry(),
        "lambda-sdk",
    )
    .into();
    let mut settings = SigningSettings::default();
    settings.percent_encoding_mode = PercentEncodingMode::Double;
    settings.uri_path_normalization_mode = UriPathNormalizationMode::Enabled;
    settings.payload_checksum_kind = PayloadChecksumKind::NoHeader;
    settings.session_token_mode = SessionTokenMode::Include;
    settings.signature_location = SignatureLocation::Headers;
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(scope.region)
        .name(scope.service)
        .time(scope.time)
        .settings(settings)
        .build()
        .map_err(|e| format!("cannot sign: {e}"))?
        .into();
    let signable = SignableRequest::new(method, uri, headers, SignableBody::Bytes(body))
        .map_err(|e| format!("cannot sign this request: {e}"))?;
    // aws-sigv4 logs the canonical request, session token included, at TRACE: sign with
    // tracing muted so no secret can reach a subscriber.
    let signed =
        tracing::dispatcher::with_default(&tracing::Dispatch::none(), || sign(signable, &params));
    let (instructions, _signature) = signed
        .map_err(|e| format!("cannot sign this request: {e}"))?
        .into_parts();
    let (headers, _params) = instructions.into_parts();
    Ok(headers
        .into_iter()
        .map(|h| (h.name(), h.value().to_string()))
        .collect())
}
