//! The verification policy: the rules a verified statement must satisfy, all of them.
//!
//! Built with [`VerificationPolicyBuilder`]; a policy without rules cannot be built, so "no
//! rules" can never mean "allow". Each rule checks one thing and fails with its own
//! [`PolicyErrorKind`], so every rejection names its precise reason.
//!
//! How the rules read each predicate type:
//!
//! | rule | SLSA VSA v1 | stagegate decision | stagegate approval |
//! | --- | --- | --- | --- |
//! | stage | `verifiedLevels` has `STAGEGATE_STAGE_<stage>` | `stage` | `stage` |
//! | passed | `verificationResult` = `PASSED` | `result` = `pass` | (always) |
//! | max age | `timeVerified` | `evaluatedAt` | `approvedAt` |
//! | policy digest | `policy.digest.sha256` | `policyDigest` | (fails) |

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::attest::approval::APPROVAL_PREDICATE_TYPE;
use crate::attest::statement::Statement;
use crate::attest::vsa::{
    DECISION_PREDICATE_TYPE, PASSED, STAGE_LEVEL_PREFIX, VSA_PREDICATE_TYPE, VerificationSummary,
    stage_level,
};

/// How far in the future a statement's time may be (clock skew between CI runners).
const CLOCK_SKEW: chrono::TimeDelta = chrono::TimeDelta::minutes(5);

/// One rule of a [`VerificationPolicy`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rule {
    /// A subject has this digest (`algorithm` e.g. `sha256`, `value` hex).
    Subject {
        /// The digest algorithm.
        algorithm: String,
        /// The digest, hex.
        value: String,
    },
    /// The statement's `predicateType` is this URI.
    PredicateType(String),
    /// The result is for this stage.
    Stage(String),
    /// The result is a pass.
    Passed,
    /// The result is no older than `max` at `now`.
    MaxAge {
        /// The largest age accepted.
        max: Duration,
        /// The time to measure age at.
        now: DateTime<Utc>,
    },
    /// The policy-set digest is this `sha256:HEX`.
    PolicyDigest(String),
}

/// Why a statement does not satisfy a [`VerificationPolicy`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyErrorKind {
    /// No subject has the digest asked for.
    #[error("no subject has the digest {expected} (the statement is about {found})")]
    Subject {
        /// `alg:value` asked for.
        expected: String,
        /// The subjects' digests.
        found: String,
    },
    /// Another predicate type.
    #[error("the predicate type is `{found}`, not `{expected}`")]
    PredicateType {
        /// Asked for.
        expected: String,
        /// Found.
        found: String,
    },
    /// A result for another stage.
    #[error("the result is for stage {found}, not `{expected}`")]
    Stage {
        /// Asked for.
        expected: String,
        /// Found (formatted).
        found: String,
    },
    /// Not a pass.
    #[error("the result is `{found}`, not a pass")]
    NotPassed {
        /// The result found.
        found: String,
    },
    /// Older than allowed.
    #[error("the result is too old: made at {at}, more than {max} ago")]
    TooOld {
        /// When it was made.
        at: String,
        /// The allowed age, as given.
        max: String,
    },
    /// Dated in the future (beyond clock skew).
    #[error("the result is dated in the future ({at})")]
    InTheFuture {
        /// Its time.
        at: String,
    },
    /// Made with another policy set.
    #[error("the policy digest is {found}, not {expected}")]
    PolicyDigest {
        /// Asked for.
        expected: String,
        /// Found.
        found: String,
    },
    /// A field a rule needs is missing or malformed.
    #[error("the predicate has no valid `{field}`, which the `{rule}` check needs")]
    MissingField {
        /// The field.
        field: &'static str,
        /// The rule.
        rule: &'static str,
    },
    /// The bundle signs an artifact, not a statement, so this rule cannot hold.
    #[error(
        "the bundle signs an artifact digest, not a statement: the `{rule}` check cannot apply"
    )]
    NotAStatement {
        /// The rule.
        rule: &'static str,
    },
}

/// A set of rules, all of which must hold. Never empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerificationPolicy {
    rules: Vec<Rule>,
}

/// Builds a [`VerificationPolicy`].
#[derive(Debug, Default)]
pub struct VerificationPolicyBuilder {
    rules: Vec<Rule>,
}

/// Building a policy without rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "a verification policy needs at least one rule (a subject, a stage or a predicate type): no rules never means allow"
)]
pub struct EmptyPolicy;

impl VerificationPolicyBuilder {
    /// Adds a rule.
    pub fn rule(mut self, rule: Rule) -> Self {
        self.rules.push(rule);
        self
    }

    /// The frozen policy; an error when there are no rules.
    pub fn build(self) -> Result<VerificationPolicy, EmptyPolicy> {
        if self.rules.is_empty() {
            return Err(EmptyPolicy);
        }
        Ok(VerificationPolicy { rules: self.rules })
    }
}

impl VerificationPolicy {
    /// A builder.
    pub fn builder() -> VerificationPolicyBuilder {
        VerificationPolicyBuilder::default()
    }

    /// The policy for a stagegate VSA: this subject, the VSA type, this stage, passed, and
    /// optionally fresh and made with a pinned policy set.
    pub fn stage_result(
        subject_sha256: &str,
        stage: &str,
        max_age: Option<(Duration, DateTime<Utc>)>,
        policy_digest: Option<&str>,
    ) -> VerificationPolicy {
        let mut rules = vec![
            Rule::Subject {
                algorithm: "sha256".into(),
                value: subject_sha256.to_owned(),
            },
            Rule::PredicateType(VSA_PREDICATE_TYPE.into()),
            // Passed before the stage: a FAILED VSA names no level, and "FAILED" is the reason.
            Rule::Passed,
            Rule::Stage(stage.to_owned()),
        ];
        if let Some((max, now)) = max_age {
            rules.push(Rule::MaxAge { max, now });
        }
        if let Some(digest) = policy_digest {
            rules.push(Rule::PolicyDigest(digest.to_owned()));
        }
        VerificationPolicy { rules }
    }

    /// The rules.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// Checks every rule against a statement; the first that fails is the reason.
    pub fn check_statement(&self, statement: &Statement) -> Result<(), PolicyErrorKind> {
        for rule in &self.rules {
            check(rule, statement)?;
        }
        Ok(())
    }

    /// Checks every rule against an artifact signature (`algorithm` → `digest` hex): only
    /// [`Rule::Subject`] can hold.
    pub fn check_artifact(&self, algorithm: &str, digest: &str) -> Result<(), PolicyErrorKind> {
        for rule in &self.rules {
            match rule {
                Rule::Subject {
                    algorithm: want,
                    value,
                } => {
                    if !(want == algorithm && value.eq_ignore_ascii_case(digest)) {
                        return Err(PolicyErrorKind::Subject {
                            expected: format!("{want}:{value}"),
                            found: format!("{algorithm}:{digest}"),
                        });
                    }
                }
                Rule::PredicateType(_) => {
                    return Err(PolicyErrorKind::NotAStatement {
                        rule: "predicate type",
                    });
                }
                Rule::Stage(_) => return Err(PolicyErrorKind::NotAStatement { rule: "stage" }),
                Rule::Passed => return Err(PolicyErrorKind::NotAStatement { rule: "passed" }),
                Rule::MaxAge { .. } => {
                    return Err(PolicyErrorKind::NotAStatement { rule: "max age" });
                }
                Rule::PolicyDigest(_) => {
                    return Err(PolicyErrorKind::NotAStatement {
                        rule: "policy digest",
                    });
                }
            }
        }
        Ok(())
    }
}

fn check(rule: &Rule, statement: &Statement) -> Result<(), PolicyErrorKind> {
    let predicate = &statement.predicate;
    let kind = statement.predicate_type.as_str();
    match rule {
        Rule::Subject { algorithm, value } => {
            if statement.has_subject_digest(algorithm, value) {
                Ok(())
            } else {
                let found: Vec<String> = statement
                    .subject
                    .iter()
                    .flat_map(|s| s.digest.iter().map(|(a, v)| format!("{a}:{v}")))
                    .collect();
                Err(PolicyErrorKind::Subject {
                    expected: format!("{algorithm}:{value}"),
                    found: if found.is_empty() {
                        "no digest".into()
                    } else {
                        found.join(", ")
                    },
                })
            }
        }
        Rule::PredicateType(expected) => {
            if kind == expected {
                Ok(())
            } else {
                Err(PolicyErrorKind::PredicateType {
                    expected: expected.clone(),
                    found: kind.to_owned(),
                })
            }
        }
        Rule::Stage(stage) => {
            if kind == VSA_PREDICATE_TYPE {
                let vsa = vsa(predicate, "stage")?;
                if vsa.verified_levels.contains(&stage_level(stage)) {
                    return Ok(());
                }
                let named: Vec<String> = vsa
                    .verified_levels
                    .iter()
                    .filter_map(|l| l.strip_prefix(STAGE_LEVEL_PREFIX))
                    .map(|s| format!("`{s}`"))
                    .collect();
                Err(PolicyErrorKind::Stage {
                    expected: stage.clone(),
                    found: if named.is_empty() {
                        format!("levels {:?} (none names a stage)", vsa.verified_levels)
                    } else {
                        named.join(", ")
                    },
                })
            } else {
                let found = text(predicate, "stage", "stage")?;
                if found == stage {
                    Ok(())
                } else {
                    Err(PolicyErrorKind::Stage {
                        expected: stage.clone(),
                        found: format!("`{found}`"),
                    })
                }
            }
        }
        Rule::Passed => match kind {
            VSA_PREDICATE_TYPE => {
                let vsa = vsa(predicate, "passed")?;
                if vsa.verification_result == PASSED {
                    Ok(())
                } else {
                    Err(PolicyErrorKind::NotPassed {
                        found: vsa.verification_result,
                    })
                }
            }
            DECISION_PREDICATE_TYPE => {
                let result = text(predicate, "result", "passed")?;
                if result == "pass" {
                    Ok(())
                } else {
                    Err(PolicyErrorKind::NotPassed {
                        found: result.to_owned(),
                    })
                }
            }
            APPROVAL_PREDICATE_TYPE => Ok(()),
            _ => Err(PolicyErrorKind::MissingField {
                field: "verificationResult",
                rule: "passed",
            }),
        },
        Rule::MaxAge { max, now } => {
            let (field, at) = match kind {
                VSA_PREDICATE_TYPE => ("timeVerified", text(predicate, "timeVerified", "max age")?),
                DECISION_PREDICATE_TYPE => {
                    ("evaluatedAt", text(predicate, "evaluatedAt", "max age")?)
                }
                APPROVAL_PREDICATE_TYPE => {
                    ("approvedAt", text(predicate, "approvedAt", "max age")?)
                }
                _ => {
                    return Err(PolicyErrorKind::MissingField {
                        field: "timeVerified",
                        rule: "max age",
                    });
                }
            };
            let time =
                crate::time::parse_rfc3339(at).map_err(|_| PolicyErrorKind::MissingField {
                    field,
                    rule: "max age",
                })?;
            if now
                .checked_add_signed(CLOCK_SKEW)
                .is_some_and(|latest| time > latest)
            {
                return Err(PolicyErrorKind::InTheFuture { at: at.to_owned() });
            }
            let max_delta = chrono::TimeDelta::from_std(*max).unwrap_or(chrono::TimeDelta::MAX);
            if now.signed_duration_since(time) > max_delta {
                return Err(PolicyErrorKind::TooOld {
                    at: at.to_owned(),
                    max: humanize(*max),
                });
            }
            Ok(())
        }
        Rule::PolicyDigest(expected) => {
            let found = match kind {
                VSA_PREDICATE_TYPE => {
                    let vsa = vsa(predicate, "policy digest")?;
                    vsa.policy
                        .digest
                        .get("sha256")
                        .map(|hex| format!("sha256:{hex}"))
                        .ok_or(PolicyErrorKind::MissingField {
                            field: "policy.digest.sha256",
                            rule: "policy digest",
                        })?
                }
                DECISION_PREDICATE_TYPE => {
                    text(predicate, "policyDigest", "policy digest")?.to_owned()
                }
                _ => {
                    return Err(PolicyErrorKind::MissingField {
                        field: "policy.digest",
                        rule: "policy digest",
                    });
                }
            };
            if found.eq_ignore_ascii_case(expected) {
                Ok(())
            } else {
                Err(PolicyErrorKind::PolicyDigest {
                    expected: expected.clone(),
                    found,
                })
            }
        }
    }
}

/// The VSA predicate; when it does not read as one, the error names the first required field
/// that is missing or of the wrong type (a VSA without `timeVerified` was reported as a bad
/// `verificationResult`, issue #12).
fn vsa(predicate: &Value, rule: &'static str) -> Result<VerificationSummary, PolicyErrorKind> {
    VerificationSummary::deserialize_from(predicate).ok_or_else(|| {
        let field = [
            (
                "verifier",
                predicate.get("verifier").is_some_and(Value::is_object),
            ),
            (
                "timeVerified",
                predicate.get("timeVerified").is_some_and(Value::is_string),
            ),
            (
                "resourceUri",
                predicate.get("resourceUri").is_some_and(Value::is_string),
            ),
            (
                "policy",
                predicate.get("policy").is_some_and(Value::is_object),
            ),
            (
                "verificationResult",
                predicate
                    .get("verificationResult")
                    .is_some_and(Value::is_string),
            ),
        ]
        .into_iter()
        .find(|(_, valid)| !valid)
        .map_or("verificationResult", |(field, _)| field);
        PolicyErrorKind::MissingField { field, rule }
    })
}

fn text<'a>(
    predicate: &'a Value,
    field: &'static str,
    rule: &'static str,
) -> Result<&'a str, PolicyErrorKind> {
    predicate
        .get(field)
        .and_then(Value::as_str)
        .ok_or(PolicyErrorKind::MissingField { field, rule })
}

/// `86400s` → `24h`, for messages.
pub fn humanize(duration: Duration) -> String {
    if duration.subsec_nanos() != 0 {
        // `--max-age 1ms` said "more than 0s ago" (issue #12).
        let millis = duration.as_millis();
        return if u64::try_from(millis).is_ok_and(|m| Duration::from_millis(m) == duration) {
            format!("{millis}ms")
        } else {
            format!("{duration:?}")
        };
    }
    let secs = duration.as_secs();
    match secs {
        s if s > 0 && s % 86_400 == 0 => format!("{}d", s / 86_400),
        s if s > 0 && s % 3_600 == 0 => format!("{}h", s / 3_600),
        s if s > 0 && s % 60 == 0 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

impl VerificationSummary {
    fn deserialize_from(value: &Value) -> Option<VerificationSummary> {
        serde::Deserialize::deserialize(value).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Regression for issue #12 point 14: `--max-age 1ms` said "more than 0s ago".
    #[test]
    fn sub_second_ages_are_shown() {
        assert_eq!(humanize(Duration::from_millis(1)), "1ms");
        assert_eq!(humanize(Duration::from_millis(1500)), "1500ms");
        assert_eq!(humanize(Duration::from_secs(86_400)), "1d");
        assert_eq!(humanize(Duration::from_nanos(1)), "1ns");
    }

    /// Regression for issue #12 point 14: a VSA without `timeVerified` was reported as a bad
    /// `verificationResult`.
    #[test]
    fn a_missing_vsa_field_is_named() {
        let predicate = serde_json::json!({
            "verifier": {"id": "x"}, "resourceUri": "app",
            "policy": {"uri": "p", "digest": {"sha256": "ab"}},
            "verificationResult": "PASSED", "verifiedLevels": []
        });
        assert!(matches!(
            vsa(&predicate, "passed"),
            Err(PolicyErrorKind::MissingField {
                field: "timeVerified",
                ..
            })
        ));
    }
}
