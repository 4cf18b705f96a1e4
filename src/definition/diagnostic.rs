//! `source_path:line:col: message`, the one shape of every definition problem.

use std::fmt;

use serde::Serialize;

use super::text::escape_unsafe;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Diagnostic {
    pub source_path: String,
    /// 1-based line in the original file.
    pub line: usize,
    /// 1-based column.
    pub col: usize,
    pub message: String,
}

impl Diagnostic {
    pub fn new(source_path: &str, line: usize, col: usize, message: impl Into<String>) -> Self {
        // Messages quote the file; nothing it holds may rewrite the terminal or reorder a line.
        let message = message.into();
        Diagnostic {
            source_path: escape_unsafe(source_path).into_owned(),
            line,
            col,
            message: escape_unsafe(&message).into_owned(),
        }
    }

    /// A problem with a whole file (unreadable, refused path).
    pub fn file(source_path: &str, message: impl Into<String>) -> Self {
        Diagnostic::new(source_path, 1, 1, message)
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.source_path, self.line, self.col, self.message
        )
    }
}
