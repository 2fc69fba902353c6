//! Hand-written runtime for the generated Lambda SDK.
//!
//! The generated crate is produced from a Smithy model (restJson1 protocol)
//! and depends on this crate alone. This crate knows nothing about Lambda:
//! it holds the protocol-level building blocks any restJson1 client needs.
//!
//! - [`primitives`]: [`DateTime`] (Smithy `timestamp`, with the
//!   `date-time`, `http-date` and `epoch-seconds` formats of
//!   [`DateTimeFormat`]) and [`Blob`] (Smithy `blob`, base64 in JSON).
//! - `__private` (hidden): re-exports of `serde` / `serde_json` and the
//!   `#[serde(with = "…")]` helpers used by generated code. Not a stable API.
//!
//! ```
//! use lambda_sdk_runtime::{Blob, DateTime, DateTimeFormat};
//!
//! let modified = DateTime::from_str("2019-12-16T23:48:18Z", DateTimeFormat::DateTime)?;
//! assert_eq!(modified.secs(), 1_576_540_098);
//! assert_eq!(modified.fmt(DateTimeFormat::HttpDate), "Mon, 16 Dec 2019 23:48:18 GMT");
//!
//! let zip = Blob::new(vec![0x50, 0x4b, 0x03, 0x04]);
//! assert_eq!(zip.len(), 4);
//! # Ok::<(), lambda_sdk_runtime::DateTimeParseError>(())
//! ```
//!
//! # Cargo features
//!
//! Everything but `http2`, `stream` and `testing` is on by default. The generated SDK crate (`lambda-sdk`) has the same
//! features and passes them through, so a program turns them off on `lambda-sdk` with
//! `default-features = false`. A function that runs on AWS Lambda reads its credentials from
//! the environment variables Lambda sets (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
//! `AWS_SESSION_TOKEN`) and needs none of the optional sources.
//!
//! | feature | what it compiles in | without it |
//! |---|---|---|
//! | `profile` | the shared config and credentials files (the `profile` module, `credentials::ProfileProvider`): static keys from a profile, and the `region` of the profile in `Config::from_env` | a set `AWS_PROFILE`, `AWS_CONFIG_FILE` or `AWS_SHARED_CREDENTIALS_FILE`, or an existing `~/.aws/credentials`, is an error of the credentials chain (when the environment has no keys); the "no region" error says the files were not read |
//! | `credential-process` (implies `profile`) | `credential_process` in a profile: a command that prints credentials | a profile that sets `credential_process` is an error naming the feature |
//! | `container-credentials` | `credentials::ContainerProvider`: ECS tasks and EKS Pod Identity | a set `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` or `_FULL_URI` is an error of the credentials chain (when no earlier source has credentials) |
//! | `imds` | `credentials::ImdsProvider`: the EC2 instance profile (IMDSv2) | the "no credentials found" error says instance metadata was not compiled in |
//! | `sso` (implies `profile`) | IAM Identity Center (SSO) profiles (`sso_session`, legacy `sso_start_url`): the token `aws sso login` caches, refreshed through SSO OIDC, exchanged by `GetRoleCredentials` | a profile with `sso_session` or `sso_start_url` is an error naming the feature |
//! | `sts` | roles through AWS STS: `credentials::WebIdentityProvider` (`AWS_WEB_IDENTITY_TOKEN_FILE` + `AWS_ROLE_ARN`, as on EKS with IRSA) and profiles that assume a role (`role_arn` with `source_profile`, `credential_source` or `web_identity_token_file`) | a set `AWS_WEB_IDENTITY_TOKEN_FILE` or `AWS_ROLE_ARN`, or a profile with `role_arn`, is an error naming the feature |
//! | `proxy` | `HTTPS_PROXY` / `HTTP_PROXY` / `ALL_PROXY` / `NO_PROXY` and `ConfigBuilder::proxy` (CONNECT tunnels; hyper-util's `client-proxy`) | a set proxy variable is an error of `Config::from_env` (unless `NO_PROXY` is `*`): requests would otherwise bypass a proxy the network may require |
//! | `http2` (off by default) | HTTP/2, negotiated by ALPN over TLS | HTTP/1.1 only |
//! | `stream` (off by default) | paginators ([`paginate::Paginator`], [`paginate::ItemPaginator`]) also implement `futures_core::Stream` | `next().await` and `try_collect()` only |
//! | `testing` (off by default) | `testing::Mock`: typed canned answers for a client's operations, and the record of its requests, for users' tests | no mock |
//!
//! Whatever is compiled out, the "no AWS credentials found" error of
//! [`credentials::DefaultChain`] lists it with the feature that enables it, for example
//! `profile files: not compiled in (enable lambda-sdk's `profile` feature)`.

#![forbid(unsafe_code)]

mod base64;
mod build_error;
pub mod client;
pub mod config;
pub mod credentials;
pub mod endpoint;
pub mod endpoint_rules;
pub mod env;
pub mod error;
pub mod event_stream;
pub mod http;
mod json_path;
mod md5;
pub mod paginate;
pub mod partitions;
mod percent;
pub mod primitives;
#[cfg(feature = "profile")]
pub mod profile;
mod region;
mod request_info;
pub mod rest_json;
pub mod retry;
pub mod sign;
pub mod stream;
#[cfg(feature = "testing")]
pub mod testing;

pub use build_error::BuildError;
pub use primitives::{Blob, DateTime, DateTimeFormat, DateTimeParseError};

/// A Smithy `document`: any JSON value.
pub type Document = serde_json::Value;

#[doc(hidden)]
pub mod __private;
