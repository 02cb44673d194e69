//! Turning errors into miette diagnostics: the one place the CLI depends on miette.
//!
//! An error that knows its place ([`Located`]) is shown with the file's name, line and column
//! and a snippet of the file; any other error with its whole cause chain on one line.

use std::error::Error as StdError;
use std::path::Path;

use miette::{Diagnostic, LabeledSpan, NamedSource, Report, SourceSpan};

use crate::config::ConfigError;
use crate::document::DocumentError;
use crate::evidence::EvidenceError;
use crate::gate::GateError;
use crate::limits::LimitError;
use crate::policy::error::{Located, PolicyError};

/// A diagnostic about a place in a file.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
struct FileDiagnostic {
    message: String,
    location: String,
    help: Option<String>,
    source_code: Option<Snippet>,
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
        self.source_code.as_ref().map(|s| match s {
            Snippet::Whole(source) => source as &dyn miette::SourceCode,
            Snippet::Window(window) => window as &dyn miette::SourceCode,
        })
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
    let bytes = if line > 0 {
        // Only a regular file is read again for the snippet: a FIFO would block.
        crate::limits::open_regular(path)
            .ok()
            .and_then(|mut file| {
                let mut bytes = Vec::new();
                std::io::Read::read_to_end(&mut file, &mut bytes).ok()?;
                Some(bytes)
            })
            .filter(|bytes| bytes.len() <= 4 * 1024 * 1024)
    } else {
        None
    };
    let help = match (help, bytes.as_deref().and_then(encoding_hint)) {
        (Some(help), Some(hint)) => Some(format!("{help}\n{hint}")),
        (help, hint) => help.map(str::to_owned).or(hint.map(str::to_owned)),
    };
    let text = bytes.map(|bytes| String::from_utf8_lossy(&bytes).into_owned());
    let name = path.display().to_string();
    let (source_code, span) = match text {
        Some(text) => {
            let offset = offset_of(&text, line, column);
            snippet(name, text, line, offset)
        }
        None => (None, None),
    };
    let message = crate::document::clarify_json_message(message);
    Report::new(FileDiagnostic {
        message: format!("{title}: {location}: {message}"),
        location,
        help,
        source_code,
        span,
        label: message,
    })
}

/// A hint for a file in another encoding than UTF-8: the parsers then report a confusing
/// error at line 1 (issue #12).
fn encoding_hint(bytes: &[u8]) -> Option<&'static str> {
    match bytes {
        [0xFF, 0xFE, ..] | [0xFE, 0xFF, ..] => {
            Some("the file is UTF-16 (it starts with a UTF-16 byte order mark); save it as UTF-8")
        }
        [0xEF, 0xBB, 0xBF, ..] => {
            Some("the file starts with a UTF-8 byte order mark; save it without one")
        }
        [0, first, ..] | [first, 0, ..] if *first != 0 => {
            Some("the file looks like UTF-16 (every other byte is zero); save it as UTF-8")
        }
        _ => None,
    }
}

/// The longest line shown whole in a snippet; a longer one (minified JSON) is cut around the
/// column, so a 92 KB line does not fill the terminal (issue #12).
const MAX_SNIPPET_LINE: usize = 240;

/// How much of a long line is shown on each side of the column.
const WINDOW: usize = 80;

/// The source shown under an error and the span in it.
fn snippet(
    name: String,
    text: String,
    line: usize,
    offset: usize,
) -> (Option<Snippet>, Option<SourceSpan>) {
    let span_len = |text: &str, offset: usize| {
        let len = text
            .get(offset..)
            .unwrap_or_default()
            .chars()
            .take_while(|c| !c.is_whitespace())
            .take(WINDOW)
            .map(char::len_utf8)
            .sum::<usize>()
            .max(1)
            .min(text.len().saturating_sub(offset).max(1));
        SourceSpan::from((offset, if offset >= text.len() { 0 } else { len }))
    };
    let offset = offset.min(text.len());
    let line_start = text
        .get(..offset)
        .and_then(|t| t.rfind('\n'))
        .map_or(0, |i| i + 1);
    let line_end = text
        .get(offset..)
        .and_then(|t| t.find('\n'))
        .map_or(text.len(), |i| offset + i);
    if line_end.saturating_sub(line_start) <= MAX_SNIPPET_LINE {
        let span = span_len(&text, offset);
        return (
            Some(Snippet::Whole(NamedSource::new(name, text))),
            Some(span),
        );
    }
    let mut start = offset.saturating_sub(WINDOW * 2).max(line_start);
    while !text.is_char_boundary(start) {
        start += 1;
    }
    let start = text.get(start..offset).map_or(start, |part| {
        let skip = part.chars().count().saturating_sub(WINDOW);
        start + part.chars().take(skip).map(char::len_utf8).sum::<usize>()
    });
    let end = text.get(offset..line_end).map_or(line_end, |part| {
        offset + part.chars().take(WINDOW).map(char::len_utf8).sum::<usize>()
    });
    let prefix = if start > line_start { "..." } else { "" };
    let suffix = if end < line_end { "..." } else { "" };
    let window = format!(
        "{prefix}{}{suffix}",
        text.get(start..end).unwrap_or_default()
    );
    let column = text
        .get(line_start..start)
        .map_or(0, |before| before.chars().count())
        .saturating_sub(prefix.len());
    let span = span_len(&window, offset - start + prefix.len());
    (
        Some(Snippet::Window(Window {
            name,
            text: window,
            line: line.saturating_sub(1),
            column,
        })),
        Some(span),
    )
}

/// What a diagnostic shows of its file.
#[derive(Debug)]
enum Snippet {
    /// The whole file.
    Whole(NamedSource<String>),
    /// A window of one long line.
    Window(Window),
}

/// A window of one long line, shown with the line and column it has in the file.
#[derive(Debug)]
struct Window {
    name: String,
    text: String,
    /// 0-based line of the window in the file.
    line: usize,
    /// 0-based column (characters) where the window starts, less its `...` prefix.
    column: usize,
}

impl miette::SourceCode for Window {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        let inner = self.text.read_span(span, before, after)?;
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            inner.line() + self.line,
            inner.column() + self.column,
            inner.line_count(),
        )))
    }
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
        _ => chain_report(err),
    }
}

/// The report for a configuration error.
pub fn config_report(err: &ConfigError) -> Report {
    match err {
        ConfigError::Invalid(l) => located_report("invalid configuration", l),
        ConfigError::Input(limit) => limit_report(limit),
        _ => chain_report(err),
    }
}

/// The report for an error of the gate's pipeline: each cause rendered as its own report
/// would be, the fail-closed refusal with what to do about it.
pub fn gate_report(err: &GateError) -> Report {
    match err {
        GateError::Config(e) => config_report(e),
        GateError::Policy(e) => policy_report(e),
        GateError::Evidence(e) => evidence_report(e),
        GateError::Input(e) => limit_report(e),
        GateError::Document(e) => document_report(e),
        GateError::InvalidEvidence(l) => located_report("invalid evidence", l),
        GateError::NothingEvaluated { .. } => miette::miette!(
            help = "list policies or `require_evidence` for the stage in `stagegate.yaml`",
            "{err}"
        ),
        _ => chain_report(err),
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
        _ => chain_report(err),
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
        _ => chain_report(err),
    }
}

/// The report for evidence that could not be collected.
pub fn evidence_report(err: &EvidenceError) -> Report {
    match (err, err.location()) {
        (EvidenceError::Limit(limit), _) => limit_report(limit),
        (_, Some(at)) => {
            let message = crate::errors::error_chain(err);
            file_report(
                "invalid evidence",
                at.path,
                at.line,
                at.column,
                &message,
                None,
            )
        }
        _ => {
            // A file in another encoding is often refused before any position is known (its
            // format is not recognised): say so.
            let hint = err.path().and_then(|path| {
                let mut head = [0u8; 4];
                let mut file = crate::limits::open_regular(path).ok()?;
                let read = std::io::Read::read(&mut file, &mut head).ok()?;
                encoding_hint(head.get(..read)?)
            });
            match hint {
                Some(hint) => chain_report(err).wrap_err(format!("hint: {hint}")),
                None => chain_report(err),
            }
        }
    }
}

/// Any error with its cause chain on one line.
pub fn chain_report(err: &(dyn StdError + 'static)) -> Report {
    miette::miette!("{}", crate::errors::error_chain(err))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Regression for issue #12 point 14: a minified JSON document printed a 92 KB snippet.
    #[test]
    fn long_lines_are_cut_around_the_column_with_the_true_position() {
        let line: String = (0..20_000)
            .map(|i| if i % 7 == 0 { ',' } else { 'x' })
            .collect();
        let text = format!("first\n{line}\nlast\n");
        let column = 12_345;
        let offset = offset_of(&text, 2, column);
        let (source, span) = snippet("f.json".to_owned(), text, 2, offset);
        let Some(Snippet::Window(window)) = source else {
            panic!("expected a window")
        };
        assert!(
            window.text.chars().count() <= 2 * WINDOW + 6,
            "{}",
            window.text.len()
        );
        assert!(window.text.starts_with("...") && window.text.ends_with("..."));
        let span = span.unwrap_or_else(|| SourceSpan::from((0, 0)));
        let contents = miette::SourceCode::read_span(&window, &span, 0, 0);
        let Ok(contents) = contents else {
            panic!("read_span failed")
        };
        assert_eq!((contents.line() + 1, contents.column() + 1), (2, column));
        // Short lines keep the whole file.
        let (source, _) = snippet("f.json".to_owned(), "{\n  \"a\": x\n}\n".to_owned(), 2, 9);
        assert!(matches!(source, Some(Snippet::Whole(_))));
    }

    /// Regression for issue #12 point 14: UTF-16 input gave no hint.
    #[test]
    fn other_encodings_get_a_hint() {
        assert!(encoding_hint(&[0xFF, 0xFE, b'{', 0]).is_some_and(|h| h.contains("UTF-16")));
        assert!(encoding_hint(&[b'{', 0, b'}', 0]).is_some_and(|h| h.contains("UTF-16")));
        assert!(encoding_hint(&[0xEF, 0xBB, 0xBF, b'{']).is_some_and(|h| h.contains("mark")));
        assert_eq!(encoding_hint(b"{}"), None);
    }

    #[test]
    fn offsets_count_lines_and_columns_from_one() {
        let text = "ab\ncdé\nf";
        assert_eq!(offset_of(text, 1, 1), 0);
        assert_eq!(offset_of(text, 2, 3), 5);
        assert_eq!(offset_of(text, 3, 1), 8);
        assert_eq!(offset_of(text, 9, 1), text.len());
    }
}
