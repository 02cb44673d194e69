//! OPA `# METADATA` annotations: the YAML in the comment block right above a rule.
//!
//! regorus does not keep comments, so the block is read from the source text: the contiguous
//! `#` lines directly above the rule head, starting with `# METADATA`. Enforced: the block is
//! YAML; `title`, `description` are strings; `custom.severity` is a known severity. What we
//! ignore (and why): `scope` (a block above a rule applies to that rule, which is what the
//! default scope means), `schemas` (stagegate validates evidence itself), `entrypoint`.

#![allow(
    clippy::arithmetic_side_effects,
    clippy::indexing_slicing,
    reason = "line and column arithmetic on positions a parser reported inside the text"
)]

use std::path::Path;

use serde_json::{Map, Value};

use crate::decision::Severity;
use crate::policy::error::{Located, PolicyError};

/// What a METADATA block says about a rule.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RuleMetadata {
    /// `title`.
    pub title: Option<String>,
    /// `description`.
    pub description: Option<String>,
    /// `custom.short_name`: the rule's stable id when given.
    pub short_name: Option<String>,
    /// `custom.severity`.
    pub severity: Option<Severity>,
    /// Everything else, kept for reports (`related_resources`, `custom.*`, ...).
    pub other: Map<String, Value>,
}

/// Reads the METADATA block directly above `line` (1-based) of `source`, if there is one.
pub fn metadata_above(
    path: &Path,
    source: &str,
    line: u32,
) -> Result<Option<RuleMetadata>, PolicyError> {
    let lines: Vec<&str> = source.lines().collect();
    let head = (line as usize).saturating_sub(1);
    let mut start = head;
    while start > 0
        && lines
            .get(start - 1)
            .is_some_and(|l| l.trim_start().starts_with('#'))
    {
        start -= 1;
    }
    let block = lines.get(start..head).unwrap_or_default();
    let Some(marker) = block
        .iter()
        .position(|l| strip_hash(l).trim() == "METADATA")
    else {
        return Ok(None);
    };
    let yaml_first_line = start + marker + 2;
    let yaml: String = block
        .iter()
        .skip(marker + 1)
        .map(|l| format!("{}\n", strip_hash(l)))
        .collect();
    let value: Value = serde_saphyr::from_str(&yaml).map_err(|err| {
        let at = err.location().map_or(0, |loc| loc.line() as usize);
        PolicyError::Metadata(Located::new(
            path,
            (yaml_first_line + at.saturating_sub(1)) as u32,
            1,
            crate::document::syntax_message(&err),
        ))
    })?;
    let Value::Object(mut fields) = value else {
        return Err(PolicyError::Metadata(Located::new(
            path,
            yaml_first_line as u32,
            1,
            "a METADATA block must be a YAML mapping",
        )));
    };
    let at = |message: String| {
        PolicyError::Metadata(Located::new(path, (start + marker + 1) as u32, 1, message))
    };
    let mut text = |key: &str| -> Result<Option<String>, PolicyError> {
        match fields.remove(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(at(format!("`{key}` must be a string"))),
        }
    };
    let title = text("title")?;
    let description = text("description")?;
    let mut metadata = RuleMetadata {
        title,
        description,
        ..RuleMetadata::default()
    };
    if let Some(Value::Object(custom)) = fields.get("custom") {
        match custom.get("short_name") {
            None => {}
            Some(Value::String(name)) if !name.trim().is_empty() => {
                metadata.short_name = Some(name.trim().to_owned());
            }
            Some(_) => return Err(at("`custom.short_name` must be a non-empty string".into())),
        }
        match custom.get("severity") {
            None => {}
            Some(Value::String(text)) => {
                metadata.severity = Some(Severity::parse(text).ok_or_else(|| {
                    at(format!(
                        "`custom.severity: {text}` is not a severity; use critical, high, medium, low or info"
                    ))
                })?);
            }
            Some(_) => return Err(at("`custom.severity` must be a string".into())),
        }
    }
    metadata.other = fields;
    Ok(Some(metadata))
}

fn strip_hash(line: &str) -> &str {
    let rest = line.trim_start().trim_start_matches('#');
    rest.strip_prefix(' ').unwrap_or(rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLICY: &str = "package p\n\n# METADATA\n# title: No criticals\n# description: >-\n#   Long text\n# custom:\n#   short_name: vulns.none\n#   severity: critical\n#   owner: sec\ndeny contains \"x\" if true\n\n# plain comment\ndeny_b contains \"y\" if true\n";

    #[test]
    fn reads_the_block_above_a_rule() {
        let meta = metadata_above(Path::new("p.rego"), POLICY, 11);
        let meta = meta.ok().flatten().unwrap_or_default();
        assert_eq!(meta.title.as_deref(), Some("No criticals"));
        assert_eq!(meta.description.as_deref(), Some("Long text"));
        assert_eq!(meta.short_name.as_deref(), Some("vulns.none"));
        assert_eq!(meta.severity, Some(Severity::Critical));
        assert_eq!(meta.other["custom"]["owner"], "sec");
    }

    #[test]
    fn plain_comments_are_not_metadata() {
        let meta = metadata_above(Path::new("p.rego"), POLICY, 14);
        assert!(matches!(meta, Ok(None)));
    }

    #[test]
    fn bad_severity_is_an_error_with_a_line() {
        let src =
            "package p\n# METADATA\n# custom:\n#   severity: purple\ndeny contains 1 if true\n";
        match metadata_above(Path::new("p.rego"), src, 5) {
            Err(PolicyError::Metadata(located)) => assert_eq!(located.line, 2),
            other => panic!("expected a metadata error, got {other:?}"),
        }
    }
}
