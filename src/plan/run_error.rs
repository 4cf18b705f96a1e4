//! Something that went wrong, for `errors[]` (SPEC §6).

use serde::{Deserialize, Serialize};

use crate::definition::Diagnostic;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunError {
    /// `sources`, `definitions`, `event_types`, `schedules`, `database`, `lock`, `plan`, ….
    pub stage: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_path: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub col: Option<usize>,
    pub message: String,
    /// Whose fault: the automation (a source, the database or Temporal failed) or the
    /// definitions (an invalid file, a conflicting claim). Runs recorded before the kind
    /// existed read back as automation errors.
    #[serde(default)]
    pub kind: ErrorKind,
}

/// Whether an error is the automation's or the definitions' (SPEC §8: a report separates
/// them; an operator pages on the first and files a pull request for the second).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// A source, the database or Temporal failed, or the run was refused or cut short.
    #[default]
    Automation,
    /// A definition file is invalid, or claims what another scope or definition holds.
    Definition,
}

/// How many errors of each kind a run had: `"error_kinds"` in the JSON output.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorKinds {
    pub automation: usize,
    pub definition: usize,
}

impl ErrorKinds {
    pub fn of<'a>(errors: impl Iterator<Item = &'a RunError>) -> ErrorKinds {
        let mut kinds = ErrorKinds::default();
        for e in errors {
            match e.kind {
                ErrorKind::Automation => kinds.automation += 1,
                ErrorKind::Definition => kinds.definition += 1,
            }
        }
        kinds
    }
}

impl RunError {
    pub fn new(stage: &str, message: impl Into<String>) -> RunError {
        RunError {
            stage: stage.to_string(),
            id: None,
            source_path: None,
            line: None,
            col: None,
            message: message.into(),
            kind: ErrorKind::Automation,
        }
    }

    /// An error of the definitions, not of the automation.
    pub fn definition(mut self) -> RunError {
        self.kind = ErrorKind::Definition;
        self
    }

    pub fn id(mut self, id: impl Into<String>) -> RunError {
        self.id = Some(id.into());
        self
    }

    pub fn source_path(mut self, path: impl Into<String>) -> RunError {
        self.source_path = Some(path.into());
        self
    }
}

/// An invalid definition file, as one error of the run: `path:line:col: message`.
impl From<&Diagnostic> for RunError {
    fn from(d: &Diagnostic) -> RunError {
        RunError {
            stage: "definitions".into(),
            id: None,
            source_path: Some(d.source_path.clone()),
            line: Some(d.line),
            col: Some(d.col),
            message: d.message.clone(),
            kind: ErrorKind::Definition,
        }
    }
}
