//! One planned change to one row, with the field diffs a reviewer reads.

use serde::{Deserialize, Serialize};
use similar::TextDiff;

use super::resource::Resource;
use crate::definition::source_location as location;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Create,
    Update,
    /// Set `retired_at`, `enabled = false`: the file is gone. Never a hard delete.
    Retire,
    /// The file is back: clear `retired_at` and write the desired row.
    Unretire,
    Unchanged,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Retire => "retire",
            Action::Unretire => "unretire",
            Action::Unchanged => "unchanged",
        }
    }

    /// The sign of the text output (SPEC §6).
    pub fn sign(self) -> &'static str {
        match self {
            Action::Create => "+",
            Action::Update | Action::Unretire => "~",
            Action::Retire => "-",
            Action::Unchanged => " ",
        }
    }

    pub fn writes(self) -> bool {
        self != Action::Unchanged
    }
}

/// A changed field: old and new text, and a unified diff of the two.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    pub field: String,
    pub before: String,
    pub after: String,
    pub diff: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(bound = "R: Resource")]
pub struct Change<R: Resource> {
    pub action: Action,
    /// The row to write (create, update, unretire) or the row as it stands (unchanged).
    pub desired: Option<R>,
    /// The row as the snapshot saw it.
    pub actual: Option<R>,
    pub fields: Vec<FieldChange>,
    /// Why, for people: "file removed", "kept: its file failed to parse", ….
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// `source_path:line` of the first changed field, where the file says it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
}

impl<R: Resource> Change<R> {
    pub fn new(action: Action, desired: Option<R>, actual: Option<R>) -> Change<R> {
        let fields = match (&desired, &actual) {
            (Some(d), Some(a)) => field_changes(a, d),
            _ => Vec::new(),
        };
        Change {
            action,
            desired,
            actual,
            fields,
            note: None,
            at: None,
        }
    }

    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.note = Some(note.into());
        self
    }

    /// The row this change is about (desired when there is one).
    pub fn row(&self) -> &R {
        self.desired
            .as_ref()
            .or(self.actual.as_ref())
            .expect("a change has a desired or an actual row")
    }

    /// All field diffs in one text.
    pub fn diff(&self) -> String {
        self.fields.iter().map(|f| f.diff.as_str()).collect()
    }
}

/// Fields that differ between two rows, plus the source location when it moved.
fn field_changes<R: Resource>(before: &R, after: &R) -> Vec<FieldChange> {
    let mut changes: Vec<FieldChange> = before
        .fields()
        .into_iter()
        .zip(after.fields())
        .filter(|((_, b), (_, a))| b != a)
        .map(|((field, b), (_, a))| field_change(field, b, a))
        .collect();
    if location(before.source_path()) != location(after.source_path()) {
        changes.push(field_change(
            "source_path",
            before.source_path().to_string(),
            after.source_path().to_string(),
        ));
    }
    changes
}

fn field_change(field: &str, before: String, after: String) -> FieldChange {
    let diff = unified_diff(field, &before, &after);
    FieldChange {
        field: field.to_string(),
        before,
        after,
        diff,
    }
}

/// A unified diff of two texts with `a/NAME` and `b/NAME` headers.
pub fn unified_diff(name: &str, before: &str, after: &str) -> String {
    let with_newline = |s: &str| {
        if s.ends_with('\n') || s.is_empty() {
            s.to_string()
        } else {
            format!("{s}\n")
        }
    };
    let (b, a) = (with_newline(before), with_newline(after));
    TextDiff::from_lines(&b, &a)
        .unified_diff()
        .context_radius(2)
        .header(&format!("a/{name}"), &format!("b/{name}"))
        .to_string()
}
