//! Waivers: time-boxed, justified exceptions that set a policy's finding aside.
//!
//! A [`Waiver`] is written under `waivers:` in `stagegate.yaml` (inline, or in a YAML file the
//! list points to, or in a DSSE-signed waiver set the CLI verifies first). Its scope is a rule
//! id and optionally a finding id (a CVE), a component purl, a subject (digest or image-name
//! glob) and stages; `expires`, `reason`, `ticket` and `approved_by` are mandatory.
//! [`apply_waivers`] takes a stage's evaluated rules and findings and moves every finding a
//! waiver matches into [`WaivedFinding`]s, which [`crate::decision::Decision::with_waived`]
//! keeps but never fails on. It also reports [`WaiverNotice`]s (expired, expiring, stale,
//! unsigned) and refuses a waiver naming a rule the stage does not define: a typo in a rule id
//! must never pass silently.
//!
//! How a finding is matched (every field given must match):
//!
//! - `rule`: the finding's rule id, exactly.
//! - `finding`: one of the finding's `details` fields `id`, `cve`, `vulnerability`,
//!   `vulnerabilityId` or an entry of `aliases`, compared case-insensitively.
//! - `component`: the finding's `details.purl`, `details.component` or `details.package`
//!   (a string, or an object with `purl`). A purl without `@version` matches every version.
//! - `subject`: `sha256:<hex>` is the subject's digest; anything else is a glob (`*`, `?`)
//!   over the subject name (`registry.example.com/shop/*`).
//! - `stages`: the stage gated; none means every stage.
//!
//! This module knows nothing of signing: the CLI verifies signed waiver sets with
//! `verify` and hands their predicate to [`waivers_from_predicate`].

use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Map, Value};
use serde_saphyr::Spanned;

use crate::decision::{AppliedWaiver, Finding, RuleInfo, SourceLocation, WaivedFinding, rfc3339};
use crate::evidence::Subject;
use crate::policy::error::{Located, PolicyError};

/// `predicateType` of a signed waiver set: an in-toto Statement whose predicate is
/// `{"waivers": [...]}`, each waiver shaped as in `stagegate.yaml`.
pub const WAIVER_PREDICATE_TYPE: &str = "https://stagegate.dev/waiver/v1";

/// How long before expiry a waiver is warned about when `waiver_warning_window` is not set.
pub const DEFAULT_WARNING_WINDOW: Duration = Duration::from_secs(14 * 86_400);

/// The `details` fields a waiver's `finding` is compared with.
pub const FINDING_ID_FIELDS: &[&str] = &["id", "cve", "vulnerability", "vulnerabilityId"];

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
    fn located(&self, message: impl Into<String>) -> Located {
        Located::new(&self.path, self.line, self.column, message)
    }

    fn applies_to_stage(&self, stage: &str) -> bool {
        self.stages.is_empty() || self.stages.iter().any(|s| s == stage)
    }

    fn matches(&self, finding: &Finding, subject: &Subject) -> bool {
        if finding.rule != self.rule {
            return false;
        }
        match &self.subject {
            Some(SubjectScope::Digest(hex)) if !subject.digest.sha256.eq_ignore_ascii_case(hex) => {
                return false;
            }
            Some(SubjectScope::Name(glob)) if !glob_match(glob, &subject.name) => return false,
            _ => {}
        }
        if let Some(id) = &self.finding {
            if !finding_ids(&finding.details).any(|found| found.eq_ignore_ascii_case(id)) {
                return false;
            }
        }
        if let Some(purl) = &self.component {
            if !finding_purls(&finding.details).any(|found| purl_matches(purl, found)) {
                return false;
            }
        }
        true
    }

    fn applied(&self) -> AppliedWaiver {
        AppliedWaiver {
            id: self.id.clone(),
            reason: self.reason.clone(),
            ticket: self.ticket.clone(),
            approved_by: self.approved_by.clone(),
            expires: rfc3339(self.expires),
            source: SourceLocation {
                file: self.file.clone(),
                line: self.line,
            },
            signed_by: self.signed_by.clone(),
        }
    }
}

/// The ids a finding carries in its details.
fn finding_ids(details: &Map<String, Value>) -> impl Iterator<Item = &str> {
    let direct = FINDING_ID_FIELDS
        .iter()
        .filter_map(|key| details.get(*key).and_then(Value::as_str));
    let aliases = details
        .get("aliases")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str);
    direct.chain(aliases)
}

/// The purls a finding carries in its details.
fn finding_purls(details: &Map<String, Value>) -> impl Iterator<Item = &str> {
    ["purl", "component", "package"]
        .into_iter()
        .filter_map(|key| match details.get(key) {
            Some(Value::String(text)) => Some(text.as_str()),
            Some(Value::Object(object)) => object.get("purl").and_then(Value::as_str),
            _ => None,
        })
}

/// `pkg:npm/lodash` matches every version of lodash; `pkg:npm/lodash@4.17.20` that one
/// (qualifiers and subpath of the finding's purl are ignored).
fn purl_matches(waiver: &str, found: &str) -> bool {
    let base = |purl: &str| purl.split(['?', '#']).next().unwrap_or_default().to_owned();
    let found = base(found);
    if waiver.contains('@') {
        base(waiver).eq_ignore_ascii_case(&found)
    } else {
        let name = found.split('@').next().unwrap_or_default();
        waiver.eq_ignore_ascii_case(name)
    }
}

/// A glob with `*` (any run of characters, `/` included) and `?` (one character).
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let pattern: Vec<char> = pattern.chars().collect();
    let text: Vec<char> = text.chars().collect();
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some('*') => {
                star = Some((p, t));
                p += 1;
            }
            Some(&c) if c == '?' || Some(&c) == text.get(t) => {
                p += 1;
                t += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    p = sp + 1;
                    t = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    pattern
        .get(p..)
        .is_some_and(|rest| rest.iter().all(|&c| c == '*'))
}

/// Something worth telling the user about a waiver; none of these fails the gate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WaiverNotice {
    /// Its `expires` has passed: it no longer applies.
    Expired {
        /// The waiver.
        id: String,
        /// When it expired.
        expires: String,
        /// Where it is written (`file:line:col`).
        at: String,
    },
    /// It expires within the warning window.
    Expiring {
        /// The waiver.
        id: String,
        /// When it expires.
        expires: String,
        /// Where it is written.
        at: String,
    },
    /// It applies to this stage but matched no finding.
    Stale {
        /// The waiver.
        id: String,
        /// Where it is written.
        at: String,
    },
    /// The stage accepts only signed waivers and this one is not signed by a trusted approver.
    Unsigned {
        /// The waiver.
        id: String,
        /// The stage.
        stage: String,
        /// Where it is written.
        at: String,
    },
}

impl fmt::Display for WaiverNotice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WaiverNotice::Expired { id, expires, at } => write!(
                f,
                "{at}: waiver `{id}` expired at {expires} and no longer applies"
            ),
            WaiverNotice::Expiring { id, expires, at } => {
                write!(f, "{at}: waiver `{id}` expires at {expires}")
            }
            WaiverNotice::Stale { id, at } => write!(
                f,
                "{at}: waiver `{id}` matches no finding (stale): remove it"
            ),
            WaiverNotice::Unsigned { id, stage, at } => write!(
                f,
                "{at}: waiver `{id}` is not signed by a trusted approver allowed to waive; stage `{stage}` accepts only signed waivers, so it does not apply"
            ),
        }
    }
}

/// What waivers are checked against: the stage, the subject, the effective time.
#[derive(Debug, Clone)]
pub struct WaiverScope<'a> {
    /// The stage gated.
    pub stage: &'a str,
    /// The artifact.
    pub subject: &'a Subject,
    /// The effective time (`--effective-time`, else now): expiry is judged against it.
    pub now: DateTime<Utc>,
    /// Waivers expiring sooner than this are warned about.
    pub warning_window: Duration,
    /// Whether only signed waivers apply (`require_signed_waivers`).
    pub require_signed: bool,
}

/// The findings after waivers: what still counts, what was waived, and the notices.
#[derive(Debug, Clone, Default)]
pub struct WaiverResult {
    /// Violations no waiver matched.
    pub violations: Vec<Finding>,
    /// Warnings no waiver matched.
    pub warnings: Vec<Finding>,
    /// The findings waived, each with its waiver.
    pub waived: Vec<WaivedFinding>,
    /// Expired, expiring, stale and unsigned waivers.
    pub notices: Vec<WaiverNotice>,
}

/// Applies `waivers` to a stage's findings.
///
/// Errors when a waiver that applies to this stage names a rule none of `rules` defines.
#[deny(clippy::arithmetic_side_effects)]
pub fn apply_waivers(
    waivers: &[Waiver],
    scope: &WaiverScope<'_>,
    rules: &[RuleInfo],
    violations: Vec<Finding>,
    warnings: Vec<Finding>,
) -> Result<WaiverResult, PolicyError> {
    let defined: BTreeSet<&str> = rules.iter().map(|r| r.id.as_str()).collect();
    let mut result = WaiverResult::default();
    let mut usable = Vec::new();
    for waiver in waivers.iter().filter(|w| w.applies_to_stage(scope.stage)) {
        if !defined.contains(waiver.rule.as_str()) {
            let mut close: Vec<&str> = defined
                .iter()
                .copied()
                .filter(|id| similar(id, &waiver.rule))
                .collect();
            close.truncate(3);
            let mut located = waiver.located(format!(
                "waiver `{}` names the rule `{}`, which no policy of stage `{}` defines",
                waiver.id, waiver.rule, scope.stage
            ));
            located = if close.is_empty() {
                located.with_help(
                    "scope the waiver with `stages:` to the stages whose policies define the rule",
                )
            } else {
                located.with_help(format!("did you mean `{}`?", close.join("`, `")))
            };
            return Err(PolicyError::Config(located));
        }
        let at = format!(
            "{}:{}:{}",
            waiver.path.display(),
            waiver.line,
            waiver.column
        );
        if scope.require_signed && waiver.signed_by.is_none() {
            result.notices.push(WaiverNotice::Unsigned {
                id: waiver.id.clone(),
                stage: scope.stage.to_owned(),
                at,
            });
            continue;
        }
        if waiver.expires <= scope.now {
            result.notices.push(WaiverNotice::Expired {
                id: waiver.id.clone(),
                expires: rfc3339(waiver.expires),
                at,
            });
            continue;
        }
        usable.push((waiver, at, false));
    }
    let mut sort = |findings: Vec<Finding>, warning: bool, kept: &mut Vec<Finding>| {
        for finding in findings {
            match usable
                .iter_mut()
                .find(|(w, _, _)| w.matches(&finding, scope.subject))
            {
                Some((waiver, _, used)) => {
                    *used = true;
                    result.waived.push(WaivedFinding {
                        finding,
                        warning,
                        waiver: waiver.applied(),
                    });
                }
                None => kept.push(finding),
            }
        }
    };
    let (mut kept_violations, mut kept_warnings) = (Vec::new(), Vec::new());
    sort(violations, false, &mut kept_violations);
    sort(warnings, true, &mut kept_warnings);
    result.violations = kept_violations;
    result.warnings = kept_warnings;
    // `expires - now <= window`, without arithmetic that could overflow on extreme times.
    let warn_until = chrono::TimeDelta::from_std(scope.warning_window)
        .ok()
        .and_then(|window| scope.now.checked_add_signed(window));
    for (waiver, at, used) in usable {
        if !used {
            result.notices.push(WaiverNotice::Stale {
                id: waiver.id.clone(),
                at: at.clone(),
            });
        }
        if warn_until.is_none_or(|until| waiver.expires <= until) {
            result.notices.push(WaiverNotice::Expiring {
                id: waiver.id.clone(),
                expires: rfc3339(waiver.expires),
                at,
            });
        }
    }
    Ok(result)
}

/// Two rule ids that differ by a small edit, or where one contains the other.
fn similar(a: &str, b: &str) -> bool {
    if a.contains(b) || b.contains(a) {
        return true;
    }
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            let best = (previous.get(j).copied().unwrap_or(usize::MAX) + cost)
                .min(previous.get(j + 1).copied().unwrap_or(usize::MAX) + 1)
                .min(current.get(j).copied().unwrap_or(usize::MAX) + 1);
            current.push(best);
        }
        previous = current;
    }
    previous.last().copied().unwrap_or(usize::MAX) <= 3
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
) -> Result<Waiver, PolicyError> {
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
        PolicyError::Config(Located::new(origin.path, line, column, message))
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
        return Err(PolicyError::Config(
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
    if let Ok(time) = DateTime::parse_from_rfc3339(text) {
        return Some(time.with_timezone(&Utc));
    }
    let date = NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?;
    date.succ_opt()?.and_hms_opt(0, 0, 0).map(|t| t.and_utc())
}

/// Reads a YAML waiver file (`waivers:` and a list).
pub(crate) fn read_waiver_file(
    text: &str,
    origin: &WaiverOrigin<'_>,
    stages: &[&str],
) -> Result<Vec<Waiver>, PolicyError> {
    let raw: RawWaiverFile = serde_saphyr::from_str(text).map_err(|err| {
        let (line, column) = err
            .location()
            .map_or((0, 0), |loc| (loc.line() as u32, loc.column() as u32));
        PolicyError::Config(Located::new(
            origin.path,
            line,
            column,
            crate::policy::config::syntax_message(&err),
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
) -> Result<Vec<Waiver>, PolicyError> {
    let text = serde_json::to_string_pretty(predicate)
        .map_err(|err| PolicyError::Config(Located::new(origin.path, 0, 0, err.to_string())))?;
    read_waiver_file(&text, origin, stages)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decision::{Engine, Severity};
    use crate::evidence::Digest;

    fn subject() -> Subject {
        Subject {
            name: "registry.example.com/shop/api".to_owned(),
            digest: Digest {
                sha256: "ab".repeat(32),
                other: Default::default(),
            },
        }
    }

    fn rule(id: &str) -> RuleInfo {
        RuleInfo {
            id: id.to_owned(),
            engine: Engine::Rego,
            source: None,
            title: None,
            description: None,
            severity: Severity::High,
            warning: false,
            metadata: Map::new(),
        }
    }

    fn finding(rule: &str, details: Value) -> Finding {
        Finding {
            rule: rule.to_owned(),
            message: "m".to_owned(),
            severity: Severity::High,
            source: None,
            title: None,
            details: match details {
                Value::Object(map) => map,
                _ => Map::new(),
            },
        }
    }

    fn waivers(yaml: &str) -> Vec<Waiver> {
        let origin = WaiverOrigin {
            path: Path::new("w.yaml"),
            file: "w.yaml",
            signed_by: None,
        };
        read_waiver_file(yaml, &origin, &["staging", "prod"]).unwrap()
    }

    fn scope(subject: &Subject) -> WaiverScope<'_> {
        WaiverScope {
            stage: "prod",
            subject,
            now: "2026-11-27T12:00:00Z".parse().unwrap(),
            warning_window: DEFAULT_WARNING_WINDOW,
            require_signed: false,
        }
    }

    const BASE: &str =
        "expires: 2027-06-30\n    reason: r\n    ticket: T-1\n    approved_by: alice\n";

    fn one(scope_lines: &str) -> Vec<Waiver> {
        waivers(&format!("waivers:\n  - {scope_lines}\n    {BASE}"))
    }

    #[test]
    fn pass() {
        let s = subject();
        let cve = json_finding("vulns.fixable", "CVE-2026-1", "pkg:npm/lodash@4.17.20");
        for scope_lines in [
            "rule: vulns.fixable",
            "rule: vulns.fixable\n    finding: cve-2026-1",
            "rule: vulns.fixable\n    component: pkg:npm/lodash",
            "rule: vulns.fixable\n    component: pkg:npm/lodash@4.17.20",
            "rule: vulns.fixable\n    subject: registry.example.com/shop/*",
            "rule: vulns.fixable\n    stages: [prod]",
            &format!(
                "rule: vulns.fixable\n    subject: sha256:{}",
                "ab".repeat(32)
            ),
        ] {
            let result = apply_waivers(
                &one(scope_lines),
                &scope(&s),
                &[rule("vulns.fixable")],
                vec![cve.clone()],
                vec![],
            )
            .unwrap();
            assert_eq!(result.waived.len(), 1, "{scope_lines}");
            assert!(result.violations.is_empty());
            assert!(result.notices.is_empty(), "{:?}", result.notices);
        }
    }

    fn json_finding(rule: &str, id: &str, purl: &str) -> Finding {
        finding(rule, serde_json::json!({"vulnerability": id, "purl": purl}))
    }

    #[test]
    fn fail() {
        let s = subject();
        let cve = json_finding("vulns.fixable", "CVE-2026-1", "pkg:npm/lodash@4.17.20");
        for scope_lines in [
            "rule: vulns.fixable\n    finding: CVE-2026-2",
            "rule: vulns.fixable\n    component: pkg:npm/lodash@4.17.21",
            "rule: vulns.fixable\n    component: pkg:npm/lodash-es",
            "rule: vulns.fixable\n    subject: registry.example.com/other/*",
            "rule: vulns.fixable\n    stages: [staging]",
            &format!(
                "rule: vulns.fixable\n    subject: sha256:{}",
                "cd".repeat(32)
            ),
        ] {
            let result = apply_waivers(
                &one(scope_lines),
                &scope(&s),
                &[rule("vulns.fixable")],
                vec![cve.clone()],
                vec![],
            )
            .unwrap();
            assert!(result.waived.is_empty(), "{scope_lines}");
            assert_eq!(result.violations.len(), 1);
        }
    }

    #[test]
    fn expired_expiring_stale_unsigned() {
        let s = subject();
        let cve = json_finding("vulns.fixable", "CVE-2026-1", "pkg:npm/lodash@4.17.20");
        let expired = waivers(
            "waivers:\n  - rule: vulns.fixable\n    expires: 2026-11-26\n    reason: r\n    ticket: T\n    approved_by: a\n",
        );
        let result = apply_waivers(
            &expired,
            &scope(&s),
            &[rule("vulns.fixable")],
            vec![cve.clone()],
            vec![],
        )
        .unwrap();
        assert_eq!(result.violations.len(), 1);
        assert!(matches!(
            result.notices.as_slice(),
            [WaiverNotice::Expired { .. }]
        ));

        let soon = waivers(
            "waivers:\n  - rule: vulns.fixable\n    expires: 2026-12-01T00:00:00Z\n    reason: r\n    ticket: T\n    approved_by: a\n",
        );
        let result = apply_waivers(
            &soon,
            &scope(&s),
            &[rule("vulns.fixable")],
            vec![cve.clone()],
            vec![],
        )
        .unwrap();
        assert_eq!(result.waived.len(), 1);
        assert!(matches!(
            result.notices.as_slice(),
            [WaiverNotice::Expiring { .. }]
        ));

        let result = apply_waivers(
            &one("rule: vulns.fixable"),
            &scope(&s),
            &[rule("vulns.fixable")],
            vec![],
            vec![],
        )
        .unwrap();
        assert!(matches!(
            result.notices.as_slice(),
            [WaiverNotice::Stale { .. }]
        ));

        let mut signed_only = scope(&s);
        signed_only.require_signed = true;
        let result = apply_waivers(
            &one("rule: vulns.fixable"),
            &signed_only,
            &[rule("vulns.fixable")],
            vec![cve],
            vec![],
        )
        .unwrap();
        assert_eq!(result.violations.len(), 1);
        assert!(matches!(
            result.notices.as_slice(),
            [WaiverNotice::Unsigned { .. }]
        ));
    }

    #[test]
    fn unknown_rule_is_an_error_at_the_waiver() {
        let s = subject();
        let err = apply_waivers(
            &one("rule: vulns.fixabel"),
            &scope(&s),
            &[rule("vulns.fixable")],
            vec![],
            vec![],
        )
        .unwrap_err();
        let located = err.located().unwrap();
        assert_eq!((located.line, located.column), (2, 11));
        assert!(located.help.as_deref().unwrap().contains("vulns.fixable"));
    }

    #[test]
    fn mandatory_fields() {
        let origin = WaiverOrigin {
            path: Path::new("w.yaml"),
            file: "w.yaml",
            signed_by: None,
        };
        let missing =
            "waivers:\n  - rule: r\n    expires: 2027-01-01\n    reason: r\n    approved_by: a\n";
        assert!(read_waiver_file(missing, &origin, &[]).is_err());
        let bad_date = "waivers:\n  - rule: r\n    expires: soon\n    reason: r\n    ticket: t\n    approved_by: a\n";
        assert!(read_waiver_file(bad_date, &origin, &[]).is_err());
    }

    #[test]
    fn globs() {
        assert!(glob_match(
            "registry.example.com/*",
            "registry.example.com/shop/api"
        ));
        assert!(glob_match("*/api", "registry.example.com/shop/api"));
        assert!(glob_match("a?c", "abc"));
        assert!(!glob_match("a?c", "abbc"));
        assert!(!glob_match("shop", "shop/api"));
    }
}
