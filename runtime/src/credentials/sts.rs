//! The two calls of AWS STS that credential sources make: `AssumeRoleWithWebIdentity`
//! (unsigned; the web identity token is the proof) and `AssumeRole` (signed with the source
//! credentials). STS speaks the AWS Query protocol: a form-encoded POST, an XML answer.
//!
//! The endpoint is `AWS_ENDPOINT_URL_STS`, else `AWS_ENDPOINT_URL`, else the profile's
//! `services` section (`sts`) or `endpoint_url` (none of these when configured endpoints are
//! ignored), else the regional one, `https://sts.{region}.{dns suffix of the region's
//! partition}` (`sts-fips` under FIPS, the dual-stack suffix under dual-stack).

use std::time::{Duration, SystemTime};

use bytes::Bytes;

use super::{Credentials, CredentialsError, parse_expiry};
use crate::endpoint::ForCredentials;
use crate::env::Env;
use crate::http::HttpClient;
use crate::http::fetch::{self, describe_failure, excerpt};

/// How long one STS request may take.
const TIMEOUT: Duration = Duration::from_secs(10);

/// An STS client for one region.
#[derive(Clone, Debug)]
pub(crate) struct Sts {
    http: HttpClient,
    /// The endpoint, without a trailing `/`.
    endpoint: String,
    region: String,
}

/// What `AssumeRole` is asked for, besides the role.
#[cfg(feature = "profile")]
#[derive(Clone, Debug, Default)]
pub(crate) struct RoleOptions {
    pub(crate) session_name: String,
    pub(crate) external_id: Option<String>,
    pub(crate) duration_seconds: Option<u32>,
}

impl Sts {
    /// STS in `region`, at the endpoint `env` sets or the regional one.
    pub(crate) fn new(
        env: &Env,
        endpoints: Option<&ForCredentials>,
        http: HttpClient,
        region: &str,
    ) -> Result<Self, CredentialsError> {
        let endpoint = crate::endpoint::for_credentials(
            env,
            endpoints,
            "STS",
            ("sts", Some("sts-fips"), true),
            region,
        )
        .map_err(|e| CredentialsError::invalid_configuration(format!("STS endpoint: {e}")))?;
        Ok(Sts {
            http,
            endpoint,
            region: region.to_string(),
        })
    }

    /// `AssumeRoleWithWebIdentity`.
    pub(crate) async fn assume_role_with_web_identity(
        &self,
        role_arn: &str,
        session_name: &str,
        token: &str,
    ) -> Result<Credentials, CredentialsError> {
        let params = [
            ("Action", "AssumeRoleWithWebIdentity"),
            ("Version", "2011-06-15"),
            ("RoleArn", role_arn),
            ("RoleSessionName", session_name),
            ("WebIdentityToken", token),
        ];
        self.call("AssumeRoleWithWebIdentity", role_arn, &params, None)
            .await
            // An answer that quotes the token (a proxy echoing the request) must not print it.
            .map_err(|e| e.redacted(token))
    }

    /// `AssumeRole`, signed with `source` (for role profiles).
    #[cfg(feature = "profile")]
    pub(crate) async fn assume_role(
        &self,
        source: &Credentials,
        role_arn: &str,
        options: &RoleOptions,
    ) -> Result<Credentials, CredentialsError> {
        let duration = options.duration_seconds.map(|d| d.to_string());
        let mut params = vec![
            ("Action", "AssumeRole"),
            ("Version", "2011-06-15"),
            ("RoleArn", role_arn),
            ("RoleSessionName", options.session_name.as_str()),
        ];
        if let Some(id) = &options.external_id {
            params.push(("ExternalId", id));
        }
        if let Some(duration) = &duration {
            params.push(("DurationSeconds", duration));
        }
        self.call("AssumeRole", role_arn, &params, Some(source))
            .await
    }

    async fn call(
        &self,
        action: &str,
        role_arn: &str,
        params: &[(&str, &str)],
        sign_with: Option<&Credentials>,
    ) -> Result<Credentials, CredentialsError> {
        let what = format!("STS {action} for {role_arn} at {}", self.endpoint);
        let body = form(params);
        let url = format!("{}/", self.endpoint);
        let authority = url
            .split_once("://")
            .map_or("", |(_, rest)| rest.split('/').next().unwrap_or(""))
            .to_string();
        let mut headers = vec![
            ("host".to_string(), authority),
            (
                "content-type".to_string(),
                "application/x-www-form-urlencoded".to_string(),
            ),
            ("content-length".to_string(), body.len().to_string()),
        ];
        // Signed once: the retries of a failed answer follow within seconds, well inside the
        // signature's 15 minutes.
        if let Some(source) = sign_with {
            let signed = crate::sign::sign_request(
                "POST",
                &url,
                headers.iter().map(|(n, v)| (n.as_str(), v.as_str())),
                body.as_bytes(),
                source,
                crate::sign::SigningScope {
                    region: &self.region,
                    service: "sts",
                    time: SystemTime::now(),
                },
            )
            .map_err(|e| CredentialsError::provider_failed(format!("{what}: {e}")))?;
            headers.extend(signed.into_iter().map(|(n, v)| (n.to_string(), v)));
        }
        let build = || -> Result<http::Request<Bytes>, http::Error> {
            let mut request = http::Request::builder().method("POST").uri(&url);
            for (name, value) in &headers {
                request = request.header(name, value);
            }
            request.body(Bytes::from(body.clone()))
        };
        let mut backoff = FIRST_BACKOFF;
        for attempt in 1..=ATTEMPTS {
            // `send` tries 5xx and 429 answers again itself.
            let response = fetch::send(&self.http, TIMEOUT, build).await.map_err(|e| {
                CredentialsError::provider_failed(format!("{what} failed: {}", e.into_message()))
            })?;
            if response.status().is_success() {
                return parse_credentials(response.body(), &what);
            }
            let text = String::from_utf8_lossy(response.body());
            let code = element(&text, "Code");
            if attempt < ATTEMPTS && code.as_deref().is_some_and(|c| RETRIED.contains(&c)) {
                tracing::debug!(code, attempt, "STS asked to try again");
                tokio::time::sleep(backoff).await;
                backoff *= 2;
                continue;
            }
            let detail = match (code, element(&text, "Message")) {
                (Some(code), Some(message)) => excerpt(&format!("{code}: {message}")),
                (Some(code), None) => excerpt(&code),
                _ => describe_failure(&response),
            };
            return Err(CredentialsError::provider_failed(format!(
                "{what} was refused (HTTP {}): {detail}",
                response.status().as_u16()
            )));
        }
        Err(CredentialsError::provider_failed(format!(
            "{what} was refused {ATTEMPTS} times"
        )))
    }
}

/// STS error codes that AWS's SDKs try again (STS sends them with HTTP 400).
const RETRIED: [&str; 4] = [
    "Throttling",
    "ThrottlingException",
    "RequestLimitExceeded",
    "IDPCommunicationError",
];
/// How many times STS is asked in all when it answers with one of [`RETRIED`].
const ATTEMPTS: u32 = 3;
const FIRST_BACKOFF: Duration = Duration::from_millis(200);

/// The query parameters as a form body: `name=value` pairs joined with `&`, each
/// percent-encoded but for RFC 3986's unreserved characters.
fn form(params: &[(&str, &str)]) -> String {
    let mut body = String::new();
    for (i, (name, value)) in params.iter().enumerate() {
        if i > 0 {
            body.push('&');
        }
        body.push_str(&crate::percent::encode(name, crate::percent::unreserved));
        body.push('=');
        body.push_str(&crate::percent::encode(value, crate::percent::unreserved));
    }
    body
}

/// The credentials in a successful answer's `<Credentials>` element. Messages name what is
/// missing, never the document.
fn parse_credentials(body: &[u8], what: &str) -> Result<Credentials, CredentialsError> {
    let text = std::str::from_utf8(body).map_err(|_| {
        CredentialsError::provider_failed(format!("{what} answered with a body that is not UTF-8"))
    })?;
    let Some(block) = element_raw(text, "Credentials") else {
        return Err(CredentialsError::provider_failed(format!(
            "{what} answered without a <Credentials> element"
        )));
    };
    let field = |name: &str| {
        element(block, name)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| {
                CredentialsError::provider_failed(format!("{what} answered without <{name}>"))
            })
    };
    let credentials = Credentials::new(
        field("AccessKeyId")?,
        field("SecretAccessKey")?,
        Some(field("SessionToken")?),
    );
    let expiration = field("Expiration")?;
    Ok(credentials.with_expiry(parse_expiry(&expiration, what)?))
}

/// The text of the first element named `name`, its entities decoded.
fn element(text: &str, name: &str) -> Option<String> {
    element_raw(text, name).map(decode_entities)
}

/// The raw content of the first element named `name` (`<name>` or `<name attr=..>`), up to
/// its closing tag.
fn element_raw<'t>(text: &'t str, name: &str) -> Option<&'t str> {
    let open = format!("<{name}");
    let mut from = 0;
    loop {
        let at = from + text.get(from..)?.find(&open)?;
        let after = at + open.len();
        let rest = text.get(after..)?;
        match rest.chars().next()? {
            '>' => {
                let start = after + 1;
                let end = start + text.get(start..)?.find(&format!("</{name}>"))?;
                return text.get(start..end);
            }
            c if c.is_whitespace() => {
                let start = after + rest.find('>')? + 1;
                if text.get(..start)?.ends_with("/>") {
                    return Some("");
                }
                let end = start + text.get(start..)?.find(&format!("</{name}>"))?;
                return text.get(start..end);
            }
            '/' => return Some(""),
            // A longer name with this prefix (`<CredentialsX>`): look further.
            _ => from = after,
        }
    }
}

/// Decodes XML's five named entities and numeric character references; anything else is
/// kept as it is.
fn decode_entities(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let Some(semi) = rest.find(';').filter(|&s| s <= 12) else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let entity = &rest[1..semi];
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => entity
                .strip_prefix("#x")
                .or_else(|| entity.strip_prefix("#X"))
                .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Where the region of a provider's STS calls comes from.
#[derive(Clone, Debug)]
pub(crate) enum StsRegion {
    /// A region given to the provider.
    Given(crate::region::Region),
    /// The region of the configuration the provider belongs to, known once the configuration
    /// is built, so that `ConfigBuilder::region` applies to STS calls too.
    OfConfig(std::sync::Arc<std::sync::OnceLock<crate::region::Region>>),
}

/// The region of STS calls for `what` (a role, or the profile that assumes it): the
/// configuration's (fetched from EC2 instance metadata when that is where it comes from), else
/// `AWS_REGION`, `AWS_DEFAULT_REGION`, then `fallback` (the profile's `region`). `None` when
/// nothing sets one.
pub(crate) async fn sts_region(
    configured: Option<&StsRegion>,
    env: &Env,
    fallback: Option<&str>,
    what: &str,
) -> Result<Option<String>, CredentialsError> {
    let configured = match configured {
        Some(StsRegion::Given(region)) => Some(region),
        Some(StsRegion::OfConfig(slot)) => slot.get(),
        None => None,
    };
    if let Some(region) = configured {
        return match region.resolve().await {
            Ok(region) => Ok(Some(region.to_owned())),
            // Instance metadata did not answer: a failure of this source, tried again later.
            Err(e) => Err(CredentialsError::provider_failed(format!(
                "{what} calls AWS STS, which needs a region: {e}"
            ))),
        };
    }
    Ok(env
        .get("AWS_REGION")
        .or_else(|| env.get("AWS_DEFAULT_REGION"))
        .or_else(|| fallback.map(str::to_owned)))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ANSWER: &str = r#"<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleWithWebIdentityResult>
    <SubjectFromWebIdentityToken>system:serviceaccount:ns:sa</SubjectFromWebIdentityToken>
    <Credentials>
      <SessionToken>token&amp;more</SessionToken>
      <SecretAccessKey>secret&#x2F;key</SecretAccessKey>
      <Expiration>2026-12-03T18:00:00Z</Expiration>
      <AccessKeyId>ASIAEXAMPLE</AccessKeyId>
    </Credentials>
  </AssumeRoleWithWebIdentityResult>
</AssumeRoleWithWebIdentityResponse>"#;

    #[test]
    fn credentials_are_read_from_the_answer() {
        let c = parse_credentials(ANSWER.as_bytes(), "STS").unwrap();
        assert_eq!(c.access_key_id(), "ASIAEXAMPLE");
        assert_eq!(c.secret_access_key(), "secret/key");
        assert_eq!(c.session_token(), Some("token&more"));
        assert_eq!(
            c.expiry(),
            Some(std::time::UNIX_EPOCH + Duration::from_secs(1_796_320_800))
        );
    }

    #[test]
    fn a_missing_or_broken_part_is_named_and_the_document_never_quoted() {
        for (body, missing) in [
            (
                ANSWER.replace("<AccessKeyId>ASIAEXAMPLE</AccessKeyId>", ""),
                "<AccessKeyId>",
            ),
            (ANSWER.replace("Credentials>", "Creds>"), "<Credentials>"),
            (
                ANSWER.replace("<Expiration>2026-12-03T18:00:00Z</Expiration>", ""),
                "<Expiration>",
            ),
            (ANSWER.replace("</SessionToken>", ""), "<SessionToken>"),
            ("not xml at all".to_string(), "<Credentials>"),
            (String::new(), "<Credentials>"),
        ] {
            let err = parse_credentials(body.as_bytes(), "STS")
                .unwrap_err()
                .to_string();
            assert!(err.contains(missing), "{err}");
            assert!(!err.contains("secret") && !err.contains("token&"), "{err}");
        }
        let bad_date = ANSWER.replace("2026-12-03T18:00:00Z", "tomorrow");
        assert!(parse_credentials(bad_date.as_bytes(), "STS").is_err());
        assert!(parse_credentials(b"\xff\xfe", "STS").is_err());
    }

    #[test]
    fn elements_and_entities() {
        assert_eq!(
            element("<a><b x=\"1\">v</b></a>", "b").as_deref(),
            Some("v")
        );
        assert_eq!(
            element("<bb>no</bb><b>yes</b>", "b").as_deref(),
            Some("yes")
        );
        assert_eq!(element("<b/>", "b").as_deref(), Some(""));
        assert_eq!(element("<b>unterminated", "b"), None);
        assert_eq!(element("<b", "b"), None);
        assert_eq!(
            decode_entities("&lt;&gt;&quot;&apos;&amp;&#65;&#x42;&bogus;&#xZZ;& x"),
            "<>\"'&AB&bogus;&#xZZ;& x"
        );
    }

    #[test]
    fn the_form_is_percent_encoded() {
        assert_eq!(
            form(&[("Action", "AssumeRole"), ("RoleSessionName", "a b/c+d=")]),
            "Action=AssumeRole&RoleSessionName=a%20b%2Fc%2Bd%3D"
        );
    }

    #[test]
    fn the_endpoint_is_regional_unless_set() {
        let http = crate::credentials::test_util::http_client();
        let none = Env::from_vars::<&str, &str>([]);
        let endpoint = |env: &Env, settings: Option<&ForCredentials>, region: &str| {
            Sts::new(env, settings, http.clone(), region)
                .unwrap()
                .endpoint
        };
        let at =
            |env: &Env, settings: Option<&ForCredentials>| endpoint(env, settings, "us-east-1");
        assert_eq!(
            endpoint(&none, None, "eu-west-1"),
            "https://sts.eu-west-1.amazonaws.com"
        );
        assert_eq!(
            endpoint(&none, None, "cn-north-1"),
            "https://sts.cn-north-1.amazonaws.com.cn"
        );
        let env = Env::from_vars([
            ("AWS_ENDPOINT_URL", "http://127.0.0.1:1"),
            ("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:2/"),
        ]);
        assert_eq!(at(&env, None), "http://127.0.0.1:2");
        let env = Env::from_vars([("AWS_ENDPOINT_URL", "http://127.0.0.1:1")]);
        assert_eq!(at(&env, None), "http://127.0.0.1:1");
        let env = Env::from_vars([("AWS_ENDPOINT_URL_STS", "not a url")]);
        let err = Sts::new(&env, None, http.clone(), "us-east-1").unwrap_err();
        assert!(err.to_string().contains("AWS_ENDPOINT_URL_STS"), "{err}");

        // FIPS and dual-stack; ignored configured endpoints, from the settings or alone.
        let settings = |use_fips, use_dual_stack| ForCredentials {
            use_fips,
            use_dual_stack,
            ..ForCredentials::default()
        };
        assert_eq!(
            at(&none, Some(&settings(true, false))),
            "https://sts-fips.us-east-1.amazonaws.com"
        );
        assert_eq!(
            at(&none, Some(&settings(false, true))),
            "https://sts.us-east-1.api.aws"
        );
        assert_eq!(
            at(&none, Some(&settings(true, true))),
            "https://sts-fips.us-east-1.api.aws"
        );
        let mut ignoring = ForCredentials::default();
        ignoring.configured.ignore = true;
        let env = Env::from_vars([("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:2")]);
        assert_eq!(
            at(&env, Some(&ignoring)),
            "https://sts.us-east-1.amazonaws.com"
        );
        let env = Env::from_vars([
            ("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:2"),
            ("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true"),
        ]);
        assert_eq!(at(&env, None), "https://sts.us-east-1.amazonaws.com");
    }
}
