//! The `markdown` format: GitHub-flavoured Markdown for `$GITHUB_STEP_SUMMARY` or a comment.
//!
//! [`MarkdownOutputFormatter`] writes a heading with the verdict (✅ / ❌) and the stage, a
//! table of what was gated (subject, digests, promotion id), the violations and the warnings
//! as tables, and every rule evaluated inside a collapsed `<details>`.
//!
//! Policy text goes into table cells, so [`cell`] neutralises what would change the layout:
//! `|` (ends the cell), newlines (end the row), HTML (`<`, `>`, `&` become entities, so a
//! message cannot open a tag) and Markdown emphasis and link punctuation.

#![allow(
    clippy::arithmetic_side_effects,
    clippy::indexing_slicing,
    reason = "counters and sums of items held in memory, bounded by a collection's length"
)]

use std::fmt::Write as _;

use super::{OutputFormatter, ReportError, location, summary};
use crate::decision::{Decision, Engine, Finding, RuleInfo};

/// Renders the `markdown` format.
#[derive(Debug, Clone, Copy)]
pub(super) struct MarkdownOutputFormatter;

impl OutputFormatter for MarkdownOutputFormatter {
    fn render(&self, decision: &Decision) -> Result<String, ReportError> {
        let mut out = String::new();
        let (icon, verdict) = if decision.passed() {
            ("✅", "passed")
        } else {
            ("❌", "failed")
        };
        let _ = writeln!(
            out,
            "## {icon} stagegate: stage {} {verdict}\n",
            code(&decision.stage)
        );
        let _ = writeln!(out, "{}\n", cell(&summary(decision)));

        out.push_str("| | |\n| --- | --- |\n");
        let subject = &decision.subject;
        let facts = [
            ("Subject", code(&subject.name)),
            ("Digest", code(&format!("sha256:{}", subject.digest.sha256))),
            ("Result", format!("**{}**", decision.result)),
            ("Promotion id", code(&decision.promotion_id)),
            ("Policy digest", code(&decision.policy_digest)),
            ("Evidence digest", code(&decision.evidence_digest)),
            ("Evaluated at", cell(&decision.evaluated_at)),
        ];
        for (name, value) in facts {
            let _ = writeln!(out, "| {name} | {value} |");
        }

        findings_table(&mut out, "Violations", &decision.violations);
        findings_table(&mut out, "Warnings", &decision.warnings);
        if !decision.waived.is_empty() {
            let _ = writeln!(out, "\n### Waived ({})\n", decision.waived.len());
            out.push_str("| Severity | Rule | Message | Source | Waiver | Expires | Ticket | Approved by | Reason |\n");
            out.push_str("| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
            for waived in &decision.waived {
                let (finding, waiver) = (&waived.finding, &waived.waiver);
                let approved = match &waiver.signed_by {
                    Some(signer) => {
                        format!("{} (signed by {})", cell(&waiver.approved_by), cell(signer))
                    }
                    None => cell(&waiver.approved_by),
                };
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} | {} | {} | {} | {approved} | {} |",
                    finding.severity,
                    code(&finding.rule),
                    cell(&finding.message),
                    source_cell(location(finding.source.as_ref())),
                    code(&waiver.id),
                    cell(&waiver.expires),
                    cell(&waiver.ticket),
                    cell(&waiver.reason),
                );
            }
        }

        let _ = writeln!(
            out,
            "\n<details>\n<summary>{} evaluated</summary>\n",
            super::counted(decision.rules.len(), "rule")
        );
        out.push_str("| Rule | Engine | Kind | Severity | Source | Title |\n");
        out.push_str("| --- | --- | --- | --- | --- | --- |\n");
        for rule in &decision.rules {
            rule_row(&mut out, rule);
        }
        out.push_str("\n</details>\n");
        Ok(out)
    }
}

fn findings_table(out: &mut String, heading: &str, findings: &[Finding]) {
    if findings.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n### {heading} ({})\n", findings.len());
    out.push_str("| Severity | Rule | Message | Source |\n| --- | --- | --- | --- |\n");
    for finding in findings {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            finding.severity,
            code(&finding.rule),
            cell(&finding.message),
            source_cell(location(finding.source.as_ref())),
        );
    }
}

fn rule_row(out: &mut String, rule: &RuleInfo) {
    let engine = match rule.engine {
        Engine::Rego => "Rego",
        Engine::Cel => "CEL",
        Engine::Builtin => "built-in",
    };
    let kind = if rule.warning { "warning" } else { "violation" };
    let _ = writeln!(
        out,
        "| {} | {engine} | {kind} | {} | {} | {} |",
        code(&rule.id),
        rule.severity,
        source_cell(location(rule.source.as_ref())),
        rule.title.as_deref().map(cell).unwrap_or_default(),
    );
}

fn source_cell(place: Option<String>) -> String {
    place.map_or_else(|| "built-in".to_owned(), |place| code(&place))
}

/// `text` made safe for a GFM table cell, keeping its meaning (see the module docs).
fn cell(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '|' => out.push_str("\\|"),
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' | '\r' => out.push_str("<br>"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '~' | '#' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// `text` as an inline code span inside a table cell. Backslash escapes do not work inside a
/// code span, so the fence grows past any backtick run in the text (CommonMark §6.1) and
/// only `|` is escaped, which GFM tables strip before the span is parsed.
fn code(text: &str) -> String {
    let text: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{}{pad}{fence}", text.replace('|', "\\|"))
}

#[cfg(test)]
mod tests {
    use super::super::tests::{failing, passing};
    use super::*;

    fn markdown(decision: &Decision) -> String {
        MarkdownOutputFormatter.render(decision).unwrap_or_default()
    }

    #[test]
    fn heading_shows_the_verdict() {
        assert!(markdown(&passing()).starts_with("## ✅ stagegate: stage `staging` passed\n"));
        assert!(markdown(&failing()).starts_with("## ❌ stagegate: stage `prod` failed\n"));
    }

    #[test]
    fn tables_have_one_row_per_finding() {
        let out = markdown(&failing());
        assert!(out.contains("### Violations (4)"));
        assert!(out.contains("### Warnings (2)"));
        assert!(!markdown(&passing()).contains("### Violations"));
        // Every table row has the same number of unescaped pipes as its header.
        for line in out.lines().filter(|line| line.starts_with("| ")) {
            let pipes = line.matches('|').count() - line.matches("\\|").count();
            assert!([3, 5, 7].contains(&pipes), "{line}");
        }
    }

    #[test]
    fn cells_cannot_break_the_table() {
        assert_eq!(
            cell("license <GPL-3.0> & \"AGPL\" isn't allowed\nsee: a,b 100% | done"),
            "license &lt;GPL-3.0&gt; &amp; \"AGPL\" isn't allowed<br>see: a,b 100% \\| done"
        );
        assert_eq!(cell("a\r\nb\rc"), "a<br>b<br>c");
        assert_eq!(
            cell("no_critical *x* [y](z)"),
            "no\\_critical \\*x\\* \\[y\\](z)"
        );
    }

    #[test]
    fn code_spans_survive_backticks_and_pipes() {
        assert_eq!(code("supply.vulns"), "`supply.vulns`");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`x`"), "`` `x` ``");
        assert_eq!(code("a|b"), "`a\\|b`");
    }

    #[test]
    fn rules_are_listed_collapsed() {
        let out = markdown(&failing());
        assert!(out.contains("<details>\n<summary>5 rules evaluated</summary>"));
        assert!(out.trim_end().ends_with("</details>"));
        assert!(out.contains("| `approvals_recorded` | CEL | warning | info |"));
    }
}
