//! Error text for one line: an error followed by each of its causes.
//!
//! Where a message must fit on one line (a rejected candidate's reason, a log field, an
//! admission response), the error and its whole `source()` chain are joined with `: `, so no
//! cause is lost. The CLI's miette reports use the same text.

/// An error with its causes, on one line: `outer: cause: root cause`.
pub fn error_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("outer")]
    struct Outer(#[source] std::io::Error);

    #[test]
    fn joins_every_cause() {
        let err = Outer(std::io::Error::other("root"));
        assert_eq!(error_chain(&err), "outer: root");
    }
}
