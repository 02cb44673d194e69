//! Turning errors into miette diagnostics: the one place the CLI depends on miette.
//!
//! An error that knows its place ([`Located`]) is shown with the file's name, line and column
//! and a snippet of the file; any other error with its whole cause chain on one line.

use std::error::Error as StdError;
use std::path::Path;

use miette::{Diagnostic, LabeledSpan, NamedSource, Report, SourceSpan};

use crate::document::DocumentError;
use crate::evidence::EvidenceError;
use crate::limits::LimitError;
use crate::policy::error::{Located, PolicyError};

/// A diagnostic about a place in a file.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
struct FileDiagnostic {
    message: String,
    location: String,
    help: Option<String>,
    source_code: Option<NamedSource<String>>,
    span: Option<SourceSpan>,
    label: String,
}

impl Diagnostic for FileDiagnostic {
    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        let location = &self.location;
        Some(Box::new(match &self.help {
            Some(help) => format!("at {location}\n{help}"),
            None => format!("at {location}"),
        }))
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source_code
            .as_ref()
            .map(|s| s as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let span = self.span?;
        Some(Box::new(std::iter::once(LabeledSpan::new_with_span(
            Some(self.label.clone()),
            span,
        ))))
    }
}

/// A diagnostic for `message` at `path:line:column`, with a snippet when the file is readable.
pub fn file_report(
    title: &str,
    path: &Path,
    line: usize,
    column: usize,
    message: &str,
    help: Option<&str>,
) -> Report {
    let location = if line > 0 {
        format!("{}:{line}:{column}", path.display())
    } else {
        path.display().to_string()
    };
    let text = if line > 0 {
        // Only a regular file is read again for the snippet: a FIFO would block.
        crate::limits::open_regular(path)
            .ok()
            .and_then(|mut file| {
                let mut bytes = Vec::new();
                std::io::Read::read_to_end(&mut file, &mut bytes).ok()?;
                Some(bytes)
            })
            .filter(|bytes| bytes.len() <= 4 * 1024 * 1024)
            .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
    } else {
        None
    };
    let span = text.as_deref().map(|text| {
        let offset = offset_of(text, line, column);
        let len = text[offset..]
            .chars()
            .take_while(|c| !c.is_whitespace())
            .map(char::len_utf8)
            .sum::<usize>()
            .max(1)
            .min(text.len().saturating_sub(offset).max(1));
        SourceSpan::from((offset, if offset >= text.len() { 0 } else { len }))
    });
    Report::new(FileDiagnostic {
        message: format!("{title}: {location}: {message}"),
        location,
        help: help.map(str::to_owned),
        source_code: text.map(|t| NamedSource::new(path.display().to_string(), t)),
        span,
        label: message.to_owned(),
    })
}

/// Byte offset of a 1-based line and column (columns count characters).
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let mut offset = 0;
    for (index, content) in text.split_inclusive('\n').enumerate() {
        if index + 1 == line {
            let within: usize = content
                .chars()
                .take(column.saturating_sub(1))
                .map(char::len_utf8)
                .sum();
            return offset + within.min(content.trim_end_matches('\n').len());
        }
        offset += content.len();
    }
    text.len()
}

/// The report for a [`Located`] message.
pub fn located_report(title: &str, located: &Located) -> Report {
    file_report(
        title,
        &located.path,
        located.line as usize,
        located.column as usize,
        &located.message,
        located.help.as_deref(),
    )
}

/// The report for a policy error.
pub fn policy_report(err: &PolicyError) -> Report {
    match err {
        PolicyError::Config(l) => located_report("invalid configuration", l),
        PolicyError::Data(l) => located_report("invalid data file", l),
        PolicyError::Rego(l) => located_report("invalid Rego policy", l),
        PolicyError::Metadata(l) => located_report("invalid METADATA annotation", l),
        PolicyError::Cel(l) => located_report("invalid CEL policy", l),
        PolicyError::Document(l) => located_report("invalid input document", l),
        PolicyError::Evaluation { rule, error } => {
            located_report(&format!("policy evaluation failed in rule `{rule}`"), error)
        }
        PolicyError::Input(limit) => limit_report(limit),
        PolicyError::Timeout { .. } | PolicyError::LoadTimeout { .. } => chain_report(err),
    }
}

/// The report for a refused input file.
pub fn limit_report(err: &LimitError) -> Report {
    match err {
        LimitError::TooDeep {
            path, line, column, ..
        } => file_report(
            "input refused",
            path,
            *line,
            *column,
            &err.to_string(),
            Some("raise the limit with `--max-depth` if the document is legitimate"),
        ),
        LimitError::TooLarge { .. } => chain_report(err)
            .wrap_err("hint: raise the limit with `--max-input-bytes` if the file is legitimate"),
        LimitError::Io { .. } | LimitError::NotRegular { .. } => chain_report(err),
    }
}

/// The report for an unreadable document.
pub fn document_report(err: &DocumentError) -> Report {
    match err {
        DocumentError::Limit(limit) => limit_report(limit),
        DocumentError::Syntax {
            path,
            format,
            line,
            column,
            message,
        } => file_report(
            &format!("invalid {format}"),
            path,
            *line,
            *column,
            message,
            None,
        ),
    }
}

/// The report for evidence that could not be collected.
pub fn evidence_report(err: &EvidenceError) -> Report {
    match (err, err.location()) {
        (EvidenceError::Limit(limit), _) => limit_report(limit),
        (_, Some(at)) => {
            let message = chain_text(err);
            file_report(
                "invalid evidence",
                at.path,
                at.line,
                at.column,
                &message,
                None,
            )
        }
        _ => chain_report(err),
    }
}

fn chain_text(err: &(dyn StdError + 'static)) -> String {
    let mut text = err.to_string();
    let mut cause = err.source();
    while let Some(inner) = cause {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        cause = inner.source();
    }
    text
}

/// Any error with its cause chain on one line.
pub fn chain_report(err: &(dyn StdError + 'static)) -> Report {
    miette::miette!("{}", chain_text(err))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_count_lines_and_columns_from_one() {
        let text = "ab\ncdé\nf";
        assert_eq!(offset_of(text, 1, 1), 0);
        assert_eq!(offset_of(text, 2, 3), 5);
        assert_eq!(offset_of(text, 3, 1), 8);
        assert_eq!(offset_of(text, 9, 1), text.len());
    }
}
