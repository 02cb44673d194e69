//! A bound on the Rego nesting that regorus's parser takes exponential time on.
//!
//! regorus (0.14) parses an array or object whose *first* element is itself an array or object
//! twice at every level: `[[[[…]]]]` or `{"a": {"a": …}}` nested 26 deep took ~40 s, and
//! `--timeout` did not cover parsing (issue #12). Nesting elsewhere (a later element, a call,
//! parentheses, a comprehension body) parses in linear time. Before a module reaches the
//! parser, [`check_nesting`] scans its text once (skipping strings, raw strings and comments)
//! and measures, for every `[` or `{`, its *chain*: 1, or its parent's chain plus one when it
//! opens the parent's first element. A module is refused, at the place, when a chain exceeds
//! [`MAX_CHAIN`] or when the sum of `2^chain` over the module (the parser's work, to a
//! constant) exceeds [`MAX_COST`]. Both bounds keep any accepted module's parse well under a
//! second (a chain of 15: ~0.3 s unoptimised), while real libraries load unmodified: the
//! deepest chain in Conforma's policy library is 12 (cost 8,572), in gatekeeper-library 7,
//! in conftest's examples 6, in the starter library 7.
//!
//! Loading as a whole also runs under the evaluation deadline
//! ([`crate::policy::PolicySet::load_stage_within`]).

#![allow(
    clippy::arithmetic_side_effects,
    clippy::indexing_slicing,
    reason = "offsets advanced within the length of the slice scanned; reads go through `get`"
)]

use std::path::Path;

use crate::policy::error::{Located, PolicyError};

/// The longest chain of first-element `[`/`{` nesting accepted.
pub const MAX_CHAIN: u32 = 15;

/// The largest sum of `2^chain` over a module's brackets accepted.
pub const MAX_COST: u64 = 1 << 16;

/// One open bracket while scanning.
struct Frame {
    /// `(`, `[` or `{`.
    open: u8,
    /// Its chain (0 for parentheses, which do not count).
    chain: u32,
    /// Whether a `,` at its level was seen: its first element is over.
    past_first: bool,
    /// Whether a bracket opened inside it already.
    has_child: bool,
}

/// Refuses Rego text whose first-element nesting would make the parser take exponential time.
pub fn check_nesting(path: &Path, text: &str) -> Result<(), PolicyError> {
    let bytes = text.as_bytes();
    let mut stack: Vec<Frame> = Vec::new();
    let mut cost: u64 = 0;
    let mut at = 0usize;
    let refuse = |offset: usize, message: String| {
        Err(PolicyError::Rego(
            Located::at_offset(path, bytes, offset, message).with_help(
                "name the inner values (`inner := […]`) instead of nesting them as first elements",
            ),
        ))
    };
    while let Some(&byte) = bytes.get(at) {
        match byte {
            b'"' => {
                at += 1;
                while let Some(&b) = bytes.get(at) {
                    match b {
                        b'\\' => at += 2,
                        b'"' => break,
                        _ => at += 1,
                    }
                }
            }
            b'`' => {
                at += 1;
                while bytes.get(at).is_some_and(|&b| b != b'`') {
                    at += 1;
                }
            }
            b'#' => {
                while bytes.get(at).is_some_and(|&b| b != b'\n') {
                    at += 1;
                }
            }
            b'(' | b'[' | b'{' => {
                let chain = if byte == b'(' {
                    0
                } else {
                    match stack.last() {
                        Some(parent)
                            if parent.open != b'(' && !parent.past_first && !parent.has_child =>
                        {
                            parent.chain.saturating_add(1)
                        }
                        _ => 1,
                    }
                };
                if let Some(parent) = stack.last_mut() {
                    parent.has_child = true;
                }
                if chain > MAX_CHAIN {
                    return refuse(
                        at,
                        format!(
                            "arrays or objects nested as first elements more than {MAX_CHAIN} levels deep; regorus's parser takes exponential time on them"
                        ),
                    );
                }
                if chain > 0 {
                    cost = cost.saturating_add(1u64 << chain);
                    if cost > MAX_COST {
                        return refuse(
                            at,
                            format!(
                                "too much nesting of arrays or objects as first elements in one module (parse cost over {MAX_COST}); regorus's parser takes exponential time on it"
                            ),
                        );
                    }
                }
                stack.push(Frame {
                    open: byte,
                    chain,
                    past_first: false,
                    has_child: false,
                });
            }
            b')' | b']' | b'}' => {
                stack.pop();
                if let Some(parent) = stack.last_mut() {
                    parent.has_child = true;
                }
            }
            b',' => {
                if let Some(frame) = stack.last_mut() {
                    frame.past_first = true;
                }
            }
            _ => {}
        }
        at += 1;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str) -> Result<(), PolicyError> {
        check_nesting(Path::new("p.rego"), text)
    }

    /// Regression for issue #12 point 8: 26 nested `[` took ~40 s to parse.
    #[test]
    fn first_element_chains_are_bounded() {
        let deep = format!("package p\n\nx := {}1{}\n", "[".repeat(26), "]".repeat(26));
        match check(&deep) {
            Err(PolicyError::Rego(located)) => {
                assert_eq!(located.line, 3);
                assert_eq!(located.column, 6 + MAX_CHAIN);
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
        let objects = format!(
            "package p\n\nx := {}1{}\n",
            "{\"a\": ".repeat(20),
            "}".repeat(20)
        );
        assert!(check(&objects).is_err());
        let ok = format!("package p\n\nx := {}1{}\n", "[".repeat(15), "]".repeat(15));
        assert!(check(&ok).is_ok());
        // Nesting in later elements, calls and parentheses is linear for the parser.
        let later = format!(
            "package p\n\nx := {}1{}\n",
            "[0, ".repeat(40),
            "]".repeat(40)
        );
        assert!(check(&later).is_ok());
        let calls = format!(
            "package p\n\nx := {}1{}\n",
            "f((".repeat(40),
            "))".repeat(40)
        );
        assert!(check(&calls).is_ok());
        // Brackets in strings, raw strings and comments do not count.
        let quoted = format!(
            "package p\n\n# {}\nx := \"{}\\\"\"\ny := `{}`\n",
            "[".repeat(40),
            "[".repeat(40),
            "{".repeat(40)
        );
        assert!(check(&quoted).is_ok());
        // Many chains of 15 add up.
        let many = format!(
            "package p\n\nx := {}\n",
            format!("[{}1{}]", "[".repeat(13), "]".repeat(13)).repeat(3)
        );
        assert!(check(&many).is_err());
    }
}
