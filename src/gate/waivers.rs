//! Waivers applied: after a stage's policies are evaluated, every finding a waiver matches is
//! set aside as a [`WaivedFinding`], which [`crate::decision::Decision::with_waived`] keeps but
//! never fails on. Notices (expired, expiring, stale, unsigned) are reported, and a waiver naming
//! a rule the stage does not define is refused: a typo in a rule id must never pass silently.
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
//! Signed waiver sets (`waivers:` entries that are bundles or DSSE envelopes) count only when
//! they verify with a `trust.approvers` key ([`signed_waivers`]); their content is never used
//! otherwise.

#![allow(
    clippy::arithmetic_side_effects,
    clippy::indexing_slicing,
    reason = "offsets advanced within the length of the slice scanned; reads go through `get`"
)]

use std::collections::BTreeSet;
use std::fmt;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use crate::config::Config;
use crate::config::ConfigError;
use crate::config::waivers::{
    SubjectScope, WAIVER_PREDICATE_TYPE, Waiver, WaiverOrigin, waivers_from_predicate,
};
use crate::decision::{AppliedWaiver, Finding, RuleInfo, SourceLocation, WaivedFinding, rfc3339};
use crate::evidence::Subject;
use crate::gate::GateError;
use crate::limits::{Limits, read_limited};
use crate::verify::{CheckedBundle, Rule, VerificationPolicy, Verifier, VerifyError};

/// How long before expiry a waiver is warned about when `waiver_warning_window` is not set.
pub const DEFAULT_WARNING_WINDOW: Duration = Duration::from_secs(14 * 86_400);

/// The `details` fields a waiver's `finding` is compared with.
pub const FINDING_ID_FIELDS: &[&str] = &["id", "cve", "vulnerability", "vulnerabilityId"];

impl Waiver {
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
        if let Some(id) = &self.finding
            && !finding_ids(&finding.details).any(|found| found.eq_ignore_ascii_case(id))
        {
            return false;
        }
        if let Some(purl) = &self.component
            && !finding_purls(&finding.details).any(|found| purl_matches(purl, found))
        {
            return false;
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
) -> Result<WaiverResult, ConfigError> {
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
            return Err(ConfigError::Invalid(located));
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

/// The waivers of every signed waiver set `config` names whose signature verifies with a
/// trusted approver's key, and a warning for each set that does not (its content is then never
/// used) or whose signer's roles may not waive (its waivers then count as unsigned).
pub(crate) fn signed_waivers(
    config: &Config,
    verifier: &Verifier,
) -> Result<(Vec<Waiver>, Vec<String>), GateError> {
    let mut waivers = Vec::new();
    let mut warnings = Vec::new();
    if config.signed_waiver_files.is_empty() {
        return Ok((waivers, warnings));
    }
    let policy = VerificationPolicy::builder()
        .rule(Rule::PredicateType(WAIVER_PREDICATE_TYPE.to_owned()))
        .build()
        .map_err(|e| GateError::Waivers(e.to_string()))?;
    let stage_names: Vec<&str> = config.stages.iter().map(|s| s.name.as_str()).collect();
    for file in &config.signed_waiver_files {
        let bytes = read_limited(&file.resolved, &Limits::default())?;
        let checked = CheckedBundle::from_json(&bytes)
            .map_err(VerifyError::from)
            .and_then(|bundle| verifier.verify_by_approver(&bundle, &policy));
        let (verified, may_waive) = match checked {
            Ok(checked) => checked,
            Err(err) => {
                warnings.push(format!(
                    "{}:{}:{}: signed waiver set `{}` does not verify with any `trust.approvers` key, so none of its waivers apply: {}",
                    config.path.display(),
                    file.line,
                    file.column,
                    file.written,
                    crate::errors::error_chain(&err)
                ));
                continue;
            }
        };
        let signer = verified.signer().name.clone();
        let Some(statement) = verified.into_statement() else {
            continue;
        };
        if !may_waive {
            warnings.push(format!(
                "signed waiver set `{}` is signed by `{signer}`, whose roles are not in `trust.waiver_roles`: its waivers count as unsigned",
                file.written
            ));
        }
        let origin = WaiverOrigin {
            path: &file.resolved,
            file: &file.written,
            signed_by: may_waive.then_some(signer.as_str()),
        };
        waivers.extend(waivers_from_predicate(
            &statement.predicate,
            &origin,
            &stage_names,
        )?);
    }
    Ok((waivers, warnings))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::waivers::read_waiver_file;
    use crate::decision::{Engine, Severity};
    use crate::evidence::Digest;
    use std::path::Path;

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
