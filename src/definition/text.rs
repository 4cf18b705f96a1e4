//! Characters that must not reach a terminal, a plan or a pull-request comment unescaped.
//!
//! Control characters (C0, DEL, C1, line and paragraph separators) can rewrite what a
//! terminal shows, and the bidirectional overrides and isolates (`U+202A`–`U+202E`,
//! `U+2066`–`U+2069`, the marks `U+200E`, `U+200F`, `U+061C`) reorder it: a `name` holding
//! `U+202E` can make a plan line read as something it is not ("Trojan Source",
//! CVE-2021-42574). Names refuse them; messages that quote text escape them; every text and
//! Markdown renderer escapes them in its whole output ([`escape_rendered`]).

use std::borrow::Cow;

/// Whether `c` is a control or bidirectional-formatting character.
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}'
                | '\u{200E}'
                | '\u{200F}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2066}'..='\u{2069}'
        )
}

/// The first unsafe character of a text that must be one line, if any.
pub fn first_unsafe(text: &str) -> Option<char> {
    text.chars().find(|c| is_unsafe(*c))
}

/// The text with every unsafe character written as `\u{…}` (tabs and newlines too).
pub fn escape_unsafe(text: &str) -> Cow<'_, str> {
    if first_unsafe(text).is_none() {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| {
                if is_unsafe(c) {
                    format!("\\u{{{:04x}}}", c as u32)
                } else {
                    c.to_string()
                }
            })
            .collect(),
    )
}

/// A rendered text (plan, status, validation report; text or Markdown) as it may reach a
/// terminal or a pull-request comment: every unsafe character escaped as in
/// [`escape_unsafe`], except the line breaks and tabs that lay the text out. Every text and
/// Markdown renderer passes its whole output through this one function, so a description,
/// body, note or message from a definition file cannot spoof the lines around it. (JSON
/// escapes control characters itself, and is for machines.)
pub fn escape_rendered(text: &str) -> Cow<'_, str> {
    let unsafe_here = |c: char| c != '\n' && c != '\t' && is_unsafe(c);
    if !text.chars().any(unsafe_here) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if unsafe_here(c) {
            out.push_str(&format!("\\u{{{:04x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_controls_and_bidi_overrides() {
        assert_eq!(escape_unsafe("Report daily"), "Report daily");
        assert_eq!(
            escape_unsafe("Report \u{202E}yliad\u{202C}"),
            "Report \\u{202e}yliad\\u{202c}"
        );
        assert_eq!(escape_unsafe("a\tb\u{1b}[2J"), "a\\u{0009}b\\u{001b}[2J");
        assert_eq!(first_unsafe("x\u{2067}y"), Some('\u{2067}'));
        assert_eq!(first_unsafe("Zürich – 東京"), None);
    }

    #[test]
    fn rendered_text_keeps_its_lines_and_tabs() {
        assert_eq!(escape_rendered("a\tb\nc\n"), "a\tb\nc\n");
        assert_eq!(
            escape_rendered("x \u{202E}y\r\n\u{1b}[2Jz\n"),
            "x \\u{202e}y\\u{000d}\n\\u{001b}[2Jz\n"
        );
    }
}
