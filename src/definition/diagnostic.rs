//! `source_path:line:col: message`, the one shape of every definition problem.

use std::fmt;

use serde::Serialize;

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
        Diagnostic {
            source_path: source_path.to_string(),
            line,
            col,
            message: message.into(),
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
