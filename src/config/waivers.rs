//! Waivers as configured: time-boxed, justified exceptions that set a policy's finding aside.
//!
//! A [`Waiver`] is written under `waivers:` in `stagegate.yaml` (inline, or in a YAML file the
//! list points to, or in a DSSE-signed waiver set the gate verifies first). Its scope is a rule
//! id and optionally a finding id (a CVE), a component purl, a subject (digest or image-name
//! glob) and stages; `expires`, `reason`, `ticket` and `approved_by` are mandatory. This module
//! reads and checks them, each error pointing at the waiver; applying them to a stage's
//! findings is the gate's (`crate::gate`), after evaluation. It knows nothing of signing: the
//! gate verifies signed waiver sets and hands their predicate to [`waivers_from_predicate`].

use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, Utc};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::Value;
use serde_saphyr::Spanned;
use std::fmt;

use crate::config::ConfigError;
use crate::location::Located;

/// `predicateType` of a signed waiver set: an in-toto Statement whose predicate is
/// `{"waivers": [...]}`, each waiver shaped as in `stagegate.yaml`.
pub const WAIVER_PREDICATE_TYPE: &str = "https://stagegate.dev/waiver/v1";

/// One waiver as written.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub(crate) struct RawWaiver {
    /// A name for the waiver (default: `<file>:<line>`).
    #[serde(default)]
    id: Option<String>,
    /// The rule id whose findings it waives; a policy of every stage it applies to must define it.
    // Required fields are `Option`s, so that every missing one is reported at once, pointing
    // at the waiver (serde would stop at the first, pointing past the mapping).
    #[schemars(with = "String")]
    rule: Option<Spanned<String>>,
    /// A finding id (e.g. a CVE), compared with the finding's `details` `id`, `cve`,
    /// `vulnerability`, `vulnerabilityId` and `aliases`.
    #[serde(default)]
    finding: Option<String>,
    /// A component purl (`pkg:npm/lodash@4.17.20`; without `@version`: every version).
    #[serde(default)]
    component: Option<String>,
    /// The subject: `sha256:<hex>`, or a glob over the subject name (`registry.example.com/shop/*`).
    #[serde(default)]
    subject: Option<String>,
    /// The stages it applies to; every stage when empty.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    stages: Vec<Spanned<String>>,
    /// When it stops applying: an RFC 3339 time, or a date (the waiver holds through that day, UTC).
    #[schemars(with = "String")]
    expires: Option<Spanned<String>>,
    /// Why the finding is accepted.
    #[schemars(with = "String")]
    reason: Option<String>,
    /// The ticket that tracks the fix.
    #[schemars(with = "String")]
    ticket: Option<String>,
    /// Who approved the waiver.
    #[serde(alias = "approvedBy")]
    #[schemars(with = "String")]
    approved_by: Option<String>,
}

/// The fields every waiver must give, in the order they are reported.
pub const REQUIRED_WAIVER_FIELDS: [&str; 5] =
    ["rule", "expires", "reason", "ticket", "approved_by"];

/// One entry of `waivers:`: a waiver, or the path of a file holding more.
#[derive(Debug)]
pub(crate) enum RawWaiverEntry {
    /// A path (relative to `stagegate.yaml`): a YAML file with `waivers:`, or a signed waiver
    /// set (a Sigstore bundle or DSSE envelope, JSON).
    File(String),
    /// A waiver written in place.
    Inline(Box<RawWaiver>),
}

/// The schema of a `waivers:` entry.
#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
pub(crate) enum RawWaiverEntrySchema {
    /// A waiver file: YAML with `waivers:`, or a signed waiver set (JSON bundle or envelope).
    File(String),
    /// A waiver.
    Inline(Box<RawWaiver>),
}

impl<'de> Deserialize<'de> for RawWaiverEntry {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct EntryVisitor;
        impl<'de> serde::de::Visitor<'de> for EntryVisitor {
            type Value = RawWaiverEntry;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a waiver (a map) or the path of a waiver file")
            }
            fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<Self::Value, E> {
                Ok(RawWaiverEntry::File(value.to_owned()))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<Self::Value, A::Error> {
                RawWaiver::deserialize(serde::de::value::MapAccessDeserializer::new(map))
                    .map(|w| RawWaiverEntry::Inline(Box::new(w)))
            }
        }
        deserializer.deserialize_any(EntryVisitor)
    }
}

/// A waiver file as written: `waivers:` and nothing else.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWaiverFile {
    waivers: Vec<Spanned<RawWaiver>>,
}

/// Which subject a waiver is scoped to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubjectScope {
    /// A sha256 digest (hex, lowercase).
    Digest(String),
    /// A glob over the subject name.
    Name(String),
}

/// A waiver, checked: its expiry parsed, its fields non-empty, its stages known.
#[derive(Debug, Clone)]
pub struct Waiver {
    /// `id:`, else `<file>:<line>`.
    pub id: String,
    /// The rule id it waives.
    pub rule: String,
    /// A finding id (a CVE).
    pub finding: Option<String>,
    /// A component purl.
    pub component: Option<String>,
    /// The subject.
    pub subject: Option<SubjectScope>,
    /// The stages it applies to; every stage when empty.
    pub stages: Vec<String>,
    /// When it stops applying.
    pub expires: DateTime<Utc>,
    /// Why.
    pub reason: String,
    /// The ticket.
    pub ticket: String,
    /// Who approved it.
    pub approved_by: String,
    /// The file it is written in.
    pub path: PathBuf,
    /// That file as shown in findings (relative to `stagegate.yaml` when it was relative).
    pub file: String,
    /// Line of the waiver's `rule`.
    pub line: u32,
    /// Column of the waiver's `rule`.
    pub column: u32,
    /// The trusted approver whose signature covers it, when signed.
    pub signed_by: Option<String>,
}

impl Waiver {
    /// A message at the waiver's `rule`.
    pub(crate) fn located(&self, message: impl Into<String>) -> Located {
        Located::new(&self.path, self.line, self.column, message)
    }
}

/// Where waivers are read from: the file, how it is shown, and who signed it.
#[derive(Debug, Clone)]
pub struct WaiverOrigin<'a> {
    /// The file.
    pub path: &'a Path,
    /// How it is shown in findings.
    pub file: &'a str,
    /// The trusted approver who signed it.
    pub signed_by: Option<&'a str>,
}

/// Checks one raw waiver, written at `(line, column)`: every required field given and not
/// empty (all the missing ones named in one error, pointing at the waiver), `expires` parsed,
/// stages known.
pub(crate) fn check_waiver(
    raw: RawWaiver,
    origin: &WaiverOrigin<'_>,
    stages: &[&str],
    (waiver_line, waiver_column): (u32, u32),
) -> Result<Waiver, ConfigError> {
    let (line, column) = raw
        .rule
        .as_ref()
        .map_or((waiver_line, waiver_column), |rule| {
            (
                rule.referenced.line() as u32,
                rule.referenced.column() as u32,
            )
        });
    let at = |line: u32, column: u32, message: String| {
        ConfigError::Invalid(Located::new(origin.path, line, column, message))
    };
    let id = raw
        .id
        .clone()
        .filter(|id| !id.trim().is_empty())
        .unwrap_or_else(|| format!("{}:{line}", origin.file));
    let given = [
        raw.rule.as_ref().map(|r| r.value.as_str()),
        raw.expires.as_ref().map(|e| e.value.as_str()),
        raw.reason.as_deref(),
        raw.ticket.as_deref(),
        raw.approved_by.as_deref(),
    ];
    let mut missing = Vec::new();
    let mut empty = Vec::new();
    for (field, value) in REQUIRED_WAIVER_FIELDS.iter().zip(given) {
        match value {
            None => missing.push(format!("`{field}`")),
            Some(value) if value.trim().is_empty() => empty.push(format!("`{field}`")),
            Some(_) => {}
        }
    }
    if !missing.is_empty() || !empty.is_empty() {
        let mut problems = Vec::new();
        if !missing.is_empty() {
            problems.push(format!("missing {}", missing.join(", ")));
        }
        if !empty.is_empty() {
            problems.push(format!("empty {}", empty.join(", ")));
        }
        return Err(ConfigError::Invalid(
            Located::new(
                origin.path,
                waiver_line,
                waiver_column,
                format!("waiver `{id}`: {}", problems.join("; ")),
            )
            .with_help(format!(
                "every waiver needs {}",
                REQUIRED_WAIVER_FIELDS.map(|f| format!("`{f}`")).join(", ")
            )),
        ));
    }
    let (Some(rule), Some(expires_at), Some(reason), Some(ticket), Some(approved_by)) = (
        raw.rule,
        raw.expires,
        raw.reason,
        raw.ticket,
        raw.approved_by,
    ) else {
        // Every field was checked to be present just above.
        return Err(at(line, column, format!("waiver `{id}` is incomplete")));
    };
    let expires = parse_expiry(&expires_at.value).ok_or_else(|| {
        at(
            expires_at.referenced.line() as u32,
            expires_at.referenced.column() as u32,
            format!(
                "waiver `{id}`: `expires: {}` is neither an RFC 3339 time nor a date (YYYY-MM-DD)",
                expires_at.value
            ),
        )
    })?;
    for stage in &raw.stages {
        if !stages.contains(&stage.value.as_str()) {
            return Err(at(
                stage.referenced.line() as u32,
                stage.referenced.column() as u32,
                format!(
                    "waiver `{id}` names the unknown stage `{}`; stages are: {}",
                    stage.value,
                    stages.join(", ")
                ),
            ));
        }
    }
    let subject = raw.subject.map(|s| match s.strip_prefix("sha256:") {
        Some(hex) => SubjectScope::Digest(hex.to_ascii_lowercase()),
        None => SubjectScope::Name(s),
    });
    Ok(Waiver {
        id,
        rule: rule.value,
        finding: raw.finding.filter(|f| !f.is_empty()),
        component: raw.component.filter(|c| !c.is_empty()),
        subject,
        stages: raw.stages.into_iter().map(|s| s.value).collect(),
        expires,
        reason,
        ticket,
        approved_by,
        path: origin.path.to_owned(),
        file: origin.file.to_owned(),
        line,
        column,
        signed_by: origin.signed_by.map(str::to_owned),
    })
}

/// An RFC 3339 time, or a date meaning the end of that day (UTC).
fn parse_expiry(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(time) = crate::time::parse_rfc3339(text) {
        return Some(time);
    }
    let date = NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?;
    date.succ_opt()?.and_hms_opt(0, 0, 0).map(|t| t.and_utc())
}

/// Reads a YAML waiver file (`waivers:` and a list).
pub fn read_waiver_file(
    text: &str,
    origin: &WaiverOrigin<'_>,
    stages: &[&str],
) -> Result<Vec<Waiver>, ConfigError> {
    let raw: RawWaiverFile = serde_saphyr::from_str(text).map_err(|err| {
        let (line, column) = err
            .location()
            .map_or((0, 0), |loc| (loc.line() as u32, loc.column() as u32));
        ConfigError::Invalid(Located::new(
            origin.path,
            line,
            column,
            crate::document::syntax_message(&err),
        ))
    })?;
    raw.waivers
        .into_iter()
        .map(|w| {
            let at = (w.referenced.line() as u32, w.referenced.column() as u32);
            check_waiver(w.value, origin, stages, at)
        })
        .collect()
}

/// Reads the predicate of a verified waiver statement (`{"waivers": [...]}`, each waiver as in
/// `stagegate.yaml`). The predicate is re-read as YAML text so the same types check it;
/// positions then point into the predicate, so the waiver's location is the signed file itself.
pub fn waivers_from_predicate(
    predicate: &Value,
    origin: &WaiverOrigin<'_>,
    stages: &[&str],
) -> Result<Vec<Waiver>, ConfigError> {
    let text = serde_json::to_string_pretty(predicate)
        .map_err(|err| ConfigError::Invalid(Located::new(origin.path, 0, 0, err.to_string())))?;
    read_waiver_file(&text, origin, stages)
}
