//! The `json` format: the [`Decision`] itself, pretty-printed.
//!
//! [`JsonOutputFormatter`] writes the decision's serde form, which is the published
//! `decision.v1` contract (`schemas/decision.v1.schema.json`), so a consumer of `--format json`
//! and a consumer of the signed decision predicate read the same document.

use super::{OutputFormat, OutputFormatter, ReportError};
use crate::decision::Decision;

/// Renders the `json` format.
#[derive(Debug, Clone, Copy)]
pub(super) struct JsonOutputFormatter;

impl OutputFormatter for JsonOutputFormatter {
    fn render(&self, decision: &Decision) -> Result<String, ReportError> {
        let mut out =
            serde_json::to_string_pretty(decision).map_err(|source| ReportError::Serialize {
                format: OutputFormat::Json,
                source,
            })?;
        out.push('\n');
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{failing, passing};
    use super::*;

    #[test]
    fn round_trips_to_the_same_decision() {
        for decision in [passing(), failing()] {
            let out = JsonOutputFormatter.render(&decision).unwrap_or_default();
            assert!(out.ends_with("}\n"));
            let back: Decision = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(back, decision);
        }
    }

    #[test]
    fn uses_the_contract_field_names() {
        let out = JsonOutputFormatter.render(&failing()).unwrap_or_default();
        let value: serde_json::Value = serde_json::from_str(&out).unwrap_or_default();
        assert_eq!(value["apiVersion"], "stagegate.dev/decision/v1");
        assert_eq!(value["result"], "fail");
        assert_eq!(value["violations"][0]["rule"], "builtin.required_evidence");
    }
}
