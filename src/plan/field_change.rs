//! A changed field of a row: old and new text, and a unified diff of the two.

use serde::{Deserialize, Serialize};
use similar::TextDiff;

use super::resource::Resource;
use crate::definition::source_location as location;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    pub field: String,
    pub before: String,
    pub after: String,
    pub diff: String,
}

/// Fields that differ between two rows, plus the source location when it moved.
pub(super) fn field_changes<R: Resource>(before: &R, after: &R) -> Vec<FieldChange> {
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

/// The fields the runtime wrote that an adoption changes: only what the row held before
/// activity-sync took it over (its bookkeeping columns were empty), so that adopting rows
/// written by `import` shows no change at all.
pub(super) fn adopted_field_changes<R: Resource>(before: &R, after: &R) -> Vec<FieldChange> {
    before
        .runtime_fields()
        .into_iter()
        .zip(after.runtime_fields())
        .filter(|((_, b), (_, a))| b != a)
        .map(|((field, b), (_, a))| field_change(field, b, a))
        .collect()
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
