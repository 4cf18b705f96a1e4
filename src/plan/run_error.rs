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
        }
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
        }
    }
}
