//! XML escaping shared by the XML renderers (today only [`super::junit`]).
//!
//! Policy messages are arbitrary text, so every string that goes into an XML document passes
//! through [`escape_text`] (element content) or [`escape_attribute`] (attribute values).
//! Both escape the five markup characters and make sure no character that XML 1.0 forbids
//! reaches the output.
//!
//! What we enforce:
//! - `&`, `<`, `>`, `"` and `'` become entity references, so any string is safe in either
//!   position.
//! - In attributes, tab, line feed and carriage return become character references: a parser
//!   would otherwise normalise them to spaces ([XML 1.0 §3.3.3]).
//! - In element content, a carriage return becomes `&#13;` so that it survives end-of-line
//!   handling ([XML 1.0 §2.11]); tab and line feed stay as they are, to keep the text readable.
//! - Characters outside XML 1.0's `Char` production ([XML 1.0 §2.2]: C0 controls other than
//!   tab, LF and CR, and U+FFFE / U+FFFF) cannot be written at all, not even as character
//!   references. They are replaced by a visible `\u{..}` spelling so the reader still sees that
//!   something was there.
//!
//! What we ignore (and why): XML 1.1, CDATA sections and namespaces; we write none of them.
//!
//! [XML 1.0 §2.2]: https://www.w3.org/TR/xml/#charsets
//! [XML 1.0 §2.11]: https://www.w3.org/TR/xml/#sec-line-ends
//! [XML 1.0 §3.3.3]: https://www.w3.org/TR/xml/#AVNormalize

#![allow(
    clippy::arithmetic_side_effects,
    clippy::indexing_slicing,
    reason = "capacity and width sums of lengths already in memory"
)]

use std::borrow::Cow;
use std::fmt::Write as _;

/// Escapes `text` for use as element content.
pub(crate) fn escape_text(text: &str) -> Cow<'_, str> {
    escape(text, false)
}

/// Escapes `text` for use inside a double- or single-quoted attribute value.
pub(crate) fn escape_attribute(text: &str) -> Cow<'_, str> {
    escape(text, true)
}

fn escape(text: &str, attribute: bool) -> Cow<'_, str> {
    if !text.chars().any(|c| needs_escape(c, attribute)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\r' => out.push_str("&#13;"),
            '\n' if attribute => out.push_str("&#10;"),
            '\t' if attribute => out.push_str("&#9;"),
            '\n' | '\t' => out.push(c),
            c if !is_xml_char(c) => {
                // Writing into a String cannot fail.
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

fn needs_escape(c: char, attribute: bool) -> bool {
    matches!(c, '&' | '<' | '>' | '"' | '\'' | '\r')
        || (attribute && matches!(c, '\n' | '\t'))
        || !is_xml_char(c)
}

/// XML 1.0 `Char`: `#x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]`.
/// Rust `char`s are never surrogates, so only the C0 controls and U+FFFE/U+FFFF fall outside.
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{FFFE}' && c != '\u{FFFF}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_borrowed() {
        assert!(matches!(escape_text("all good"), Cow::Borrowed(_)));
        assert!(matches!(escape_attribute("line 1"), Cow::Borrowed(_)));
    }

    #[test]
    fn markup_characters_are_escaped() {
        assert_eq!(
            escape_text(r#"<a href="x">&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt;"
        );
    }

    #[test]
    fn whitespace_survives_attribute_normalisation() {
        assert_eq!(escape_attribute("a\tb\nc\r\nd"), "a&#9;b&#10;c&#13;&#10;d");
        assert_eq!(escape_text("a\tb\nc\r\nd"), "a\tb\nc&#13;\nd");
    }

    #[test]
    fn forbidden_characters_are_replaced_visibly() {
        assert_eq!(
            escape_text("esc\u{1b}[31m nul\u{0}"),
            "esc\\u{1b}[31m nul\\u{0}"
        );
        assert_eq!(escape_attribute("\u{FFFF}"), "\\u{ffff}");
        // Characters XML allows pass through, including astral ones.
        assert_eq!(escape_text("ünïcödé 🚀 \u{7f}"), "ünïcödé 🚀 \u{7f}");
    }
}
