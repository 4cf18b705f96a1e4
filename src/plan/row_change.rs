//! One planned change to one row, with the field diffs a reviewer reads.

use serde::{Deserialize, Serialize};

use super::field_change::{FieldChange, adopted_field_changes, field_changes};
use super::resource::Resource;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Create,
    Update,
    /// Set `retired_at`, `enabled = false`: the file is gone. Never a hard delete.
    Retire,
    /// The file is back: clear `retired_at` and write the desired row.
    Unretire,
    /// A row without a scope (written before activity-sync took over the table) taken over
    /// with `--adopt`: its scope is set and the desired row written.
    Adopt,
    Unchanged,
    /// A row without a scope: listed, never touched.
    Unmanaged,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Retire => "retire",
            Action::Unretire => "unretire",
            Action::Adopt => "adopt",
            Action::Unchanged => "unchanged",
            Action::Unmanaged => "unmanaged",
        }
    }

    /// The sign of the text output (SPEC §6).
    pub fn sign(self) -> &'static str {
        match self {
            Action::Create => "+",
            Action::Update | Action::Unretire | Action::Adopt => "~",
            Action::Retire => "-",
            Action::Unchanged => " ",
            Action::Unmanaged => "?",
        }
    }

    pub fn writes(self) -> bool {
        !matches!(self, Action::Unchanged | Action::Unmanaged)
    }
}

/// What happens to the row, with the rows each step needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case", bound = "R: Resource")]
pub enum RowStep<R: Resource> {
    Create {
        want: R,
    },
    Update {
        want: R,
        have: R,
    },
    Unretire {
        want: R,
        have: R,
    },
    Retire {
        have: R,
    },
    /// An unmanaged row taken over (`--adopt`).
    Adopt {
        want: R,
        have: R,
    },
    /// No scope: not ours, left exactly as it is.
    Unmanaged {
        have: R,
    },
    /// Left exactly as it is (equal to the file, or kept: see the note).
    Unchanged {
        have: R,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(bound = "R: Resource")]
pub struct Change<R: Resource> {
    #[serde(flatten)]
    pub step: RowStep<R>,
    pub fields: Vec<FieldChange>,
    /// Why, for people: "file removed", "kept: its file failed to parse", ….
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// `source_path:line` of the first changed field, where the file says it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
}

impl<R: Resource> Change<R> {
    pub fn new(step: RowStep<R>) -> Change<R> {
        let fields = match &step {
            RowStep::Update { want, have } | RowStep::Unretire { want, have } => {
                field_changes(have, want)
            }
            RowStep::Adopt { want, have } => adopted_field_changes(have, want),
            _ => Vec::new(),
        };
        Change {
            step,
            fields,
            note: None,
            at: None,
        }
    }

    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.note = Some(note.into());
        self
    }

    pub fn action(&self) -> Action {
        match self.step {
            RowStep::Create { .. } => Action::Create,
            RowStep::Update { .. } => Action::Update,
            RowStep::Unretire { .. } => Action::Unretire,
            RowStep::Retire { .. } => Action::Retire,
            RowStep::Unchanged { .. } => Action::Unchanged,
            RowStep::Adopt { .. } => Action::Adopt,
            RowStep::Unmanaged { .. } => Action::Unmanaged,
        }
    }

    /// The row this change is about: the one to write, or the one as it stands.
    pub fn row(&self) -> &R {
        match &self.step {
            RowStep::Create { want }
            | RowStep::Update { want, .. }
            | RowStep::Unretire { want, .. }
            | RowStep::Adopt { want, .. } => want,
            RowStep::Retire { have }
            | RowStep::Unchanged { have }
            | RowStep::Unmanaged { have } => have,
        }
    }

    /// The row as the snapshot saw it.
    pub fn actual(&self) -> Option<&R> {
        match &self.step {
            RowStep::Create { .. } => None,
            RowStep::Update { have, .. }
            | RowStep::Unretire { have, .. }
            | RowStep::Retire { have }
            | RowStep::Adopt { have, .. }
            | RowStep::Unmanaged { have }
            | RowStep::Unchanged { have } => Some(have),
        }
    }

    /// All field diffs in one text.
    pub fn diff(&self) -> String {
        self.fields.iter().map(|f| f.diff.as_str()).collect()
    }
}
