//! The AWS shared configuration files: `~/.aws/config` and `~/.aws/credentials`.
//!
//! [`ProfileSet::load`] reads both files (synchronously), merges them and selects the profile
//! named by `AWS_PROFILE` (default `default`).
//!
//! # File format
//!
//! The format is the one the AWS CLI and SDKs read:
//!
//! ```text
//! # ~/.aws/config
//! [default]
//! region = eu-west-1          ; an inline comment needs whitespace before it
//!
//! [profile dev]               # in the config file, named profiles have the `profile ` prefix
//! region = us-east-1
//! s3 =
//!     max_concurrent_requests = 20
//!
//! # ~/.aws/credentials
//! [dev]                       # ... and in the credentials file they do not
//! aws_access_key_id = AKIDEXAMPLE
//! aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
//! ```
//!
//! - Section headers are `[default]` and `[profile NAME]` in the config file, `[NAME]` in the
//!   credentials file. The config file's `[sso-session NAME]` and `[services NAME]` sections
//!   are kept apart ([`ProfileSet::sso_session`], [`ProfileSet::services`]). Other sections (a
//!   `[NAME]` without the prefix in the config file, a name with characters outside
//!   `A-Za-z0-9_-/.%@:+`) are ignored, with a `tracing` warning. When the config file has both
//!   `[default]` and `[profile default]`, the latter wins and the former is ignored.
//! - Lines whose first non-blank character is `#` or `;` are comments. After a section header
//!   anything starting with `#` or `;` is a comment; in a property value, `#` and `;` start a
//!   comment only when preceded by whitespace (`key = a#b` keeps `a#b`).
//! - Properties are `key = value`, split at the first `=`; key and value are trimmed. As in the
//!   AWS CLI, keys are case-insensitive (stored lowercase); profile names are case-sensitive.
//! - An indented line following a property continues it. Under a property with an empty value
//!   (such as `s3 =`), indented `key = value` lines are sub-properties, read with
//!   [`Profile::sub_property`].
//! - The same profile may appear several times (in one file or in both); its properties are
//!   merged, a later value replacing an earlier one and the credentials file winning over the
//!   config file.
//! - A missing file counts as empty. A file that cannot be read, is not UTF-8, or has a line
//!   that is none of the above is an error naming the file and the line.

use std::collections::BTreeMap;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use crate::env::Env;

/// The profiles of the shared config and credentials files, and which one is selected.
///
/// ```
/// use lambda_sdk_runtime::profile::ProfileSet;
///
/// let config = "[default]\nregion = eu-west-1\n\n[profile dev]\nregion = us-east-1\n";
/// let credentials = "[dev]\nAWS_ACCESS_KEY_ID = AKIDEXAMPLE ; a comment\n";
/// let profiles = ProfileSet::parse(config, credentials, "dev")?;
///
/// assert_eq!(profiles.profile_name(), "dev");
/// let dev = profiles.selected().expect("profile dev exists");
/// assert_eq!(dev.get("region"), Some("us-east-1"));
/// assert_eq!(dev.get("aws_access_key_id"), Some("AKIDEXAMPLE"));
/// assert_eq!(profiles.get("default").and_then(|p| p.get("region")), Some("eu-west-1"));
/// # Ok::<(), lambda_sdk_runtime::profile::ProfileError>(())
/// ```
///
/// In a program, use [`ProfileSet::load`], which finds the files and the profile name from the
/// environment:
///
/// ```no_run
/// use lambda_sdk_runtime::env::Env;
/// use lambda_sdk_runtime::profile::ProfileSet;
///
/// let profiles = ProfileSet::load(&Env::real())?;
/// let region = profiles.selected().and_then(|p| p.get("region"));
/// # Ok::<(), lambda_sdk_runtime::profile::ProfileError>(())
/// ```
#[derive(Clone, Debug)]
pub struct ProfileSet {
    profiles: BTreeMap<String, Profile>,
    /// `[sso-session NAME]` sections of the config file.
    sso_sessions: BTreeMap<String, Profile>,
    /// `[services NAME]` sections of the config file.
    services: BTreeMap<String, Profile>,
    profile_name: String,
    profile_name_from_env: bool,
    config: FileStatus,
    credentials: FileStatus,
}

/// Where a file was looked for and whether it was there.
#[derive(Clone, Debug)]
struct FileStatus {
    path: Option<PathBuf>,
    found: bool,
}

impl FileStatus {
    fn describe(&self, default: &str) -> String {
        match &self.path {
            Some(path) => path.display().to_string(),
            None => format!("{default} (home directory unknown)"),
        }
    }
}

impl ProfileSet {
    /// Reads the shared config and credentials files named by the environment.
    ///
    /// - Config file: `AWS_CONFIG_FILE`, default `~/.aws/config`.
    /// - Credentials file: `AWS_SHARED_CREDENTIALS_FILE`, default `~/.aws/credentials`.
    /// - Selected profile: `AWS_PROFILE`, default `default`.
    ///
    /// A leading `~` in the variables is the home directory ([`Env::home_dir`]). When a file
    /// does not exist (or the home directory is unknown), it counts as empty.
    ///
    /// # Errors
    /// When a file exists but cannot be read, is not UTF-8, or is malformed. The error names
    /// the file and, for format errors, the line.
    pub fn load(env: &Env) -> Result<ProfileSet, ProfileError> {
        let locate = |var: &str, default: &str| match env.get(var) {
            Some(path) => Some(env.expand_home(&path)),
            None => env.home_dir().map(|home| home.join(".aws").join(default)),
        };
        let config_path = locate("AWS_CONFIG_FILE", "config");
        let credentials_path = locate("AWS_SHARED_CREDENTIALS_FILE", "credentials");
        let config_text = match &config_path {
            Some(path) => read_file(path)?,
            None => None,
        };
        let credentials_text = match &credentials_path {
            Some(path) => read_file(path)?,
            None => None,
        };
        let (profile_name, profile_name_from_env) = match env.get("AWS_PROFILE") {
            Some(name) => (name, true),
            None => ("default".to_owned(), false),
        };
        let config_sections = match (&config_text, &config_path) {
            (Some(text), Some(path)) => parse_file(text, path, FileKind::Config)?,
            _ => Vec::new(),
        };
        let credentials_sections = match (&credentials_text, &credentials_path) {
            (Some(text), Some(path)) => parse_file(text, path, FileKind::Credentials)?,
            _ => Vec::new(),
        };
        let merged = merge(config_sections, credentials_sections);
        Ok(ProfileSet {
            profiles: merged.profiles,
            sso_sessions: merged.sso_sessions,
            services: merged.services,
            profile_name,
            profile_name_from_env,
            config: FileStatus {
                path: config_path,
                found: config_text.is_some(),
            },
            credentials: FileStatus {
                path: credentials_path,
                found: credentials_text.is_some(),
            },
        })
    }

    /// Parses the contents of a config file and a credentials file (either may be empty) and
    /// selects `profile_name`. Errors name the files `<config>` and `<credentials>`.
    ///
    /// # Errors
    /// When a line of either text is malformed.
    pub fn parse(
        config: &str,
        credentials: &str,
        profile_name: &str,
    ) -> Result<ProfileSet, ProfileError> {
        let config_path = PathBuf::from("<config>");
        let credentials_path = PathBuf::from("<credentials>");
        let config_sections = parse_file(config, &config_path, FileKind::Config)?;
        let credentials_sections =
            parse_file(credentials, &credentials_path, FileKind::Credentials)?;
        let merged = merge(config_sections, credentials_sections);
        Ok(ProfileSet {
            profiles: merged.profiles,
            sso_sessions: merged.sso_sessions,
            services: merged.services,
            profile_name: profile_name.to_owned(),
            profile_name_from_env: true,
            config: FileStatus {
                path: Some(config_path),
                found: true,
            },
            credentials: FileStatus {
                path: Some(credentials_path),
                found: true,
            },
        })
    }

    /// The name of the selected profile: `AWS_PROFILE`, or `default`.
    pub fn profile_name(&self) -> &str {
        &self.profile_name
    }

    /// The selected profile, if either file defines it.
    pub fn selected(&self) -> Option<&Profile> {
        self.profiles.get(&self.profile_name)
    }

    /// The profile called `name`, if either file defines it.
    pub fn get(&self, name: &str) -> Option<&Profile> {
        self.profiles.get(name)
    }

    /// The `[sso-session name]` section of the config file, if there is one (read like a
    /// profile).
    pub fn sso_session(&self, name: &str) -> Option<&Profile> {
        self.sso_sessions.get(name)
    }

    /// The `[services name]` section of the config file, if there is one (read like a
    /// profile; its per-service settings are sub-properties).
    pub fn services(&self, name: &str) -> Option<&Profile> {
        self.services.get(name)
    }

    /// The names of all profiles, sorted.
    pub fn profile_names(&self) -> impl Iterator<Item = &str> {
        self.profiles.keys().map(String::as_str)
    }

    /// The path of the config file that was looked for (`None` when the home directory is
    /// unknown and `AWS_CONFIG_FILE` is unset), whether or not it exists.
    pub fn config_file(&self) -> Option<&Path> {
        self.config.path.as_deref()
    }

    /// The path of the credentials file that was looked for (`None` when the home directory
    /// is unknown and `AWS_SHARED_CREDENTIALS_FILE` is unset), whether or not it exists.
    pub fn credentials_file(&self) -> Option<&Path> {
        self.credentials.path.as_deref()
    }

    /// Whether the profile name was chosen explicitly (`AWS_PROFILE`, or [`ProfileSet::parse`])
    /// rather than being the implicit `default`.
    pub(crate) fn profile_name_is_explicit(&self) -> bool {
        self.profile_name_from_env
    }

    /// Whether either file exists.
    pub(crate) fn any_file_found(&self) -> bool {
        self.config.found || self.credentials.found
    }

    /// "`<credentials path>` and `<config path>`", for messages.
    pub(crate) fn describe_files(&self) -> String {
        format!(
            "{} and {}",
            self.credentials.describe("~/.aws/credentials"),
            self.config.describe("~/.aws/config")
        )
    }
}

/// One profile: its properties, merged from both files.
///
/// `Debug` lists the property names but never their values (they may be secrets).
///
/// ```
/// use lambda_sdk_runtime::profile::ProfileSet;
///
/// let config = "[default]\nregion = eu-west-1\ns3 =\n  max_concurrent_requests = 20\n";
/// let profiles = ProfileSet::parse(config, "", "default")?;
/// let profile = profiles.selected().expect("default exists");
/// assert_eq!(profile.name(), "default");
/// assert_eq!(profile.get("Region"), Some("eu-west-1")); // keys are case-insensitive
/// assert_eq!(profile.sub_property("s3", "max_concurrent_requests"), Some("20"));
/// assert_eq!(format!("{profile:?}"), r#"Profile { name: "default", keys: ["region", "s3"] }"#);
/// # Ok::<(), lambda_sdk_runtime::profile::ProfileError>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Profile {
    name: String,
    properties: BTreeMap<String, Property>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Property {
    /// The value, continuation lines joined with `\n`.
    value: String,
    /// `key = value` lines indented under a property whose own value is empty.
    sub_properties: BTreeMap<String, String>,
}

impl Profile {
    /// The profile's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The value of property `key` (case-insensitive), or `None` when it is absent or empty.
    /// A value with continuation lines has them joined with `\n`.
    pub fn get(&self, key: &str) -> Option<&str> {
        let value = self
            .properties
            .get(&key.to_ascii_lowercase())?
            .value
            .as_str();
        (!value.is_empty()).then_some(value)
    }

    /// The sub-property `sub_key` (case-sensitive, as in the AWS CLI) of property `key`
    /// (case-insensitive), such as `max_concurrent_requests` under `s3 =`.
    pub fn sub_property(&self, key: &str, sub_key: &str) -> Option<&str> {
        self.properties
            .get(&key.to_ascii_lowercase())?
            .sub_properties
            .get(sub_key)
            .map(String::as_str)
    }

    /// The names of the properties this profile defines (lowercase, sorted).
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.properties.keys().map(String::as_str)
    }
}

impl fmt::Debug for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Profile")
            .field("name", &self.name)
            .field("keys", &self.properties.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// A shared config or credentials file could not be read or is malformed.
///
/// ```
/// use lambda_sdk_runtime::profile::ProfileSet;
///
/// let err = ProfileSet::parse("[default]\nregion eu-west-1\n", "", "default").unwrap_err();
/// assert_eq!(err.line(), Some(2));
/// assert_eq!(
///     err.to_string(),
///     "<config> line 2: expected `key = value`, a `[section]` header, a comment, \
///      or an indented continuation line"
/// );
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProfileError {
    path: PathBuf,
    line: Option<usize>,
    message: String,
}

impl ProfileError {
    fn syntax(path: &Path, line: usize, message: impl Into<String>) -> Self {
        ProfileError {
            path: path.to_owned(),
            line: Some(line),
            message: message.into(),
        }
    }

    /// The file at fault.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The 1-based line at fault, for format errors.
    pub fn line(&self) -> Option<usize> {
        self.line
    }
}

impl fmt::Display for ProfileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{} line {line}: {}", self.path.display(), self.message),
            None => write!(f, "{}: {}", self.path.display(), self.message),
        }
    }
}

impl std::error::Error for ProfileError {}

/// The file's text, `None` when it does not exist.
fn read_file(path: &Path) -> Result<Option<String>, ProfileError> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e)
            if matches!(
                e.kind(),
                io::ErrorKind::NotFound | io::ErrorKind::NotADirectory
            ) =>
        {
            return Ok(None);
        }
        Err(e) => {
            return Err(ProfileError {
                path: path.to_owned(),
                line: None,
                message: format!("cannot read the file: {e}"),
            });
        }
    };
    match String::from_utf8(bytes) {
        Ok(text) => Ok(Some(text)),
        Err(e) => {
            let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
            let line = 1 + valid.iter().filter(|&&b| b == b'\n').count();
            Err(ProfileError::syntax(
                path,
                line,
                "the file is not valid UTF-8",
            ))
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum FileKind {
    Config,
    Credentials,
}

/// What a section header designates.
#[derive(Clone, Copy, PartialEq, Eq)]
enum SectionKind {
    /// A profile; `prefixed` when written `[profile NAME]`.
    Profile { prefixed: bool },
    /// `[sso-session NAME]` (config file only).
    SsoSession,
    /// `[services NAME]` (config file only).
    Services,
    /// Anything else: parsed for syntax, then dropped.
    Ignored,
}

struct Section {
    name: String,
    kind: SectionKind,
    properties: Vec<(String, Property)>,
}

fn is_valid_profile_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-/.%@:+".contains(c))
}

/// `value` without a trailing comment: `#` or `;` preceded by whitespace.
fn strip_inline_comment(value: &str) -> &str {
    let mut prev_whitespace = false;
    for (i, c) in value.char_indices() {
        if (c == '#' || c == ';') && prev_whitespace {
            return value[..i].trim_end();
        }
        prev_whitespace = c.is_whitespace();
    }
    value
}

/// Classifies the inside of a `[...]` header.
fn classify_section(
    inner: &str,
    file: FileKind,
    path: &Path,
    line: usize,
) -> (String, SectionKind) {
    let prefixed_name = inner
        .strip_prefix("profile")
        .filter(|rest| rest.starts_with([' ', '\t']))
        .map(str::trim);
    let (name, kind) = match (file, prefixed_name) {
        (FileKind::Config, Some(name)) => (name, SectionKind::Profile { prefixed: true }),
        (FileKind::Config, None) if inner == "default" => {
            (inner, SectionKind::Profile { prefixed: false })
        }
        (FileKind::Config, None) => {
            let named = |kind: &str| {
                inner
                    .strip_prefix(kind)
                    .filter(|rest| rest.starts_with([' ', '\t']))
                    .map(str::trim)
                    .filter(|name| !name.is_empty())
            };
            if let Some(name) = named("sso-session") {
                return (name.to_owned(), SectionKind::SsoSession);
            }
            if let Some(name) = named("services") {
                return (name.to_owned(), SectionKind::Services);
            }
            tracing::warn!(
                "{} line {line}: section `[{inner}]` ignored: in the config file, profiles \
                 other than `default` are written `[profile {inner}]`",
                path.display()
            );
            return (inner.to_owned(), SectionKind::Ignored);
        }
        (FileKind::Credentials, Some(name)) => {
            tracing::warn!(
                "{} line {line}: section `[{inner}]` ignored: in the credentials file, profiles \
                 are written `[{name}]`, without the `profile` prefix",
                path.display()
            );
            return (inner.to_owned(), SectionKind::Ignored);
        }
        (FileKind::Credentials, None) => (inner, SectionKind::Profile { prefixed: false }),
    };
    if is_valid_profile_name(name) {
        (name.to_owned(), kind)
    } else {
        tracing::warn!(
            "{} line {line}: profile `{name}` ignored: profile names may only contain letters, \
             digits and `_-/.%@:+`",
            path.display()
        );
        (name.to_owned(), SectionKind::Ignored)
    }
}

fn parse_file(text: &str, path: &Path, file: FileKind) -> Result<Vec<Section>, ProfileError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut sections: Vec<Section> = Vec::new();
    // Whether the last thing read was a property, which indented lines then continue.
    let mut in_property = false;
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.starts_with(['#', ';']) {
            continue;
        }
        let indented = raw.starts_with([' ', '\t']);
        if indented
            && in_property
            && let Some((_, property)) = sections.last_mut().and_then(|s| s.properties.last_mut())
        {
            continue_property(property, trimmed);
            continue;
        }
        if let Some(header) = trimmed.strip_prefix('[') {
            let Some(end) = header.find(']') else {
                return Err(ProfileError::syntax(
                    path,
                    line,
                    "a section header must end with `]`",
                ));
            };
            let after = header[end + 1..].trim_start();
            if !after.is_empty() && !after.starts_with(['#', ';']) {
                return Err(ProfileError::syntax(
                    path,
                    line,
                    "unexpected text after the `]` of a section header",
                ));
            }
            let inner = header[..end].trim();
            if inner.is_empty() {
                return Err(ProfileError::syntax(path, line, "empty section name `[]`"));
            }
            let (name, kind) = classify_section(inner, file, path, line);
            sections.push(Section {
                name,
                kind,
                properties: Vec::new(),
            });
            in_property = false;
            continue;
        }
        let Some((key, value)) = trimmed.split_once('=') else {
            return Err(ProfileError::syntax(
                path,
                line,
                "expected `key = value`, a `[section]` header, a comment, \
                 or an indented continuation line",
            ));
        };
        let key = key.trim();
        if key.is_empty() {
            return Err(ProfileError::syntax(
                path,
                line,
                "a property needs a name before `=`",
            ));
        }
        let Some(section) = sections.last_mut() else {
            return Err(ProfileError::syntax(
                path,
                line,
                "a property before any section header (add `[default]` above it)",
            ));
        };
        let property = Property {
            value: strip_inline_comment(value.trim()).to_owned(),
            sub_properties: BTreeMap::new(),
        };
        section
            .properties
            .push((key.to_ascii_lowercase(), property));
        in_property = true;
    }
    Ok(sections)
}

/// Adds an indented line to the property it continues.
fn continue_property(property: &mut Property, trimmed: &str) {
    let text = strip_inline_comment(trimmed);
    if (property.value.is_empty() || !property.sub_properties.is_empty())
        && let Some((key, value)) = text.split_once('=')
    {
        let key = key.trim();
        if !key.is_empty() {
            property
                .sub_properties
                .insert(key.to_owned(), value.trim().to_owned());
        }
    }
    if !property.value.is_empty() {
        property.value.push('\n');
    }
    property.value.push_str(text);
}

/// The sections of both files, merged by kind and name.
struct Merged {
    profiles: BTreeMap<String, Profile>,
    sso_sessions: BTreeMap<String, Profile>,
    services: BTreeMap<String, Profile>,
}

fn merge(config: Vec<Section>, credentials: Vec<Section>) -> Merged {
    let has_prefixed_default = config
        .iter()
        .any(|s| s.name == "default" && s.kind == SectionKind::Profile { prefixed: true });
    if has_prefixed_default
        && config
            .iter()
            .any(|s| s.name == "default" && s.kind == SectionKind::Profile { prefixed: false })
    {
        tracing::warn!(
            "the config file has both `[default]` and `[profile default]`; `[default]` is ignored"
        );
    }
    let mut profiles: BTreeMap<String, Profile> = BTreeMap::new();
    let mut sso_sessions: BTreeMap<String, Profile> = BTreeMap::new();
    let mut services: BTreeMap<String, Profile> = BTreeMap::new();
    let mut others = Vec::new();
    let config = config.into_iter().filter_map(|s| match s.kind {
        SectionKind::Profile { prefixed } => (prefixed || !has_prefixed_default).then_some(s),
        SectionKind::SsoSession | SectionKind::Services => {
            others.push(s);
            None
        }
        SectionKind::Ignored => None,
    });
    let credentials = credentials
        .into_iter()
        .filter(|s| s.kind != SectionKind::Ignored);
    for section in config.chain(credentials) {
        let profile = profiles
            .entry(section.name.clone())
            .or_insert_with(|| Profile {
                name: section.name,
                properties: BTreeMap::new(),
            });
        profile.properties.extend(section.properties);
    }
    for section in others {
        let map = if section.kind == SectionKind::SsoSession {
            &mut sso_sessions
        } else {
            &mut services
        };
        map.entry(section.name.clone())
            .or_insert_with(|| Profile {
                name: section.name,
                properties: BTreeMap::new(),
            })
            .properties
            .extend(section.properties);
    }
    Merged {
        profiles,
        sso_sessions,
        services,
    }
}

#[cfg(test)]
mod tests;
