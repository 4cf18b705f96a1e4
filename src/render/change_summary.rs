//! What a row change says in one line, and where it points: shared by text and Markdown.

use serde_json::Value as Json;

use crate::plan::{Action, Change, FieldChange, Resource};

/// One line's worth of what a change does, for text and Markdown.
pub fn summary<R: Resource>(change: &Change<R>) -> String {
    match change.action() {
        Action::Create => "create".to_string(),
        Action::Retire => format!(
            "retire ({})",
            change.note.as_deref().unwrap_or("file removed")
        ),
        Action::Unchanged => change.note.clone().unwrap_or_else(|| "unchanged".into()),
        Action::Unmanaged => change
            .note
            .clone()
            .unwrap_or_else(|| "unmanaged (no scope), left alone".into()),
        Action::Update | Action::Unretire | Action::Adopt => {
            let fields = change
                .fields
                .iter()
                .map(field_summary)
                .collect::<Vec<_>>()
                .join("; ");
            if change.action() == Action::Adopt {
                let note = change.note.as_deref().unwrap_or("adopted");
                if fields.is_empty() {
                    note.to_string()
                } else {
                    format!("{note}; {fields}")
                }
            } else if change.action() == Action::Unretire {
                if fields.is_empty() {
                    "un-retire (file is back)".to_string()
                } else {
                    format!("un-retire (file is back); {fields}")
                }
            } else {
                fields
            }
        }
    }
}

/// `enabled: true → false`, `trigger.cron: */10 * * * * → */15 * * * *`, or
/// `body changed` when the values do not fit on a line.
fn field_summary(f: &FieldChange) -> String {
    let short = |before: &str, after: &str| {
        !before.contains('\n') && !after.contains('\n') && before.len() + after.len() <= 60
    };
    if short(&f.before, &f.after) {
        return format!("{}: {} → {}", f.field, f.before, f.after);
    }
    // JSON fields: name the changed keys, with their values when short.
    if let (Ok(Json::Object(before)), Ok(Json::Object(after))) = (
        serde_json::from_str::<Json>(&f.before),
        serde_json::from_str::<Json>(&f.after),
    ) {
        let keys: std::collections::BTreeSet<&String> = before.keys().chain(after.keys()).collect();
        let parts: Vec<String> = keys
            .into_iter()
            .filter(|k| before.get(*k) != after.get(*k))
            .map(|k| {
                let show = |v: Option<&Json>| match v {
                    None => "(unset)".to_string(),
                    Some(Json::String(s)) => s.clone(),
                    Some(other) => other.to_string(),
                };
                let (b, a) = (show(before.get(k)), show(after.get(k)));
                if short(&b, &a) {
                    format!("{}.{k}: {b} → {a}", f.field)
                } else {
                    format!("{}.{k} changed", f.field)
                }
            })
            .collect();
        if !parts.is_empty() {
            return parts.join("; ");
        }
    }
    format!("{} changed", f.field)
}

/// Where to point a reader: the changed field's line, or the file.
pub fn location<R: Resource>(change: &Change<R>) -> String {
    change
        .at
        .clone()
        .unwrap_or_else(|| change.row().source_path().to_string())
}

/// Changes worth listing (everything but the silently unchanged), by name: the order a
/// reader scans in. The plan itself stays ordered by id.
pub fn listed<'a, R: Resource + 'a>(
    changes: impl Iterator<Item = &'a Change<R>>,
) -> Vec<&'a Change<R>> {
    let mut listed: Vec<_> = changes
        .filter(|c| c.action() != Action::Unchanged || c.note.is_some())
        .collect();
    listed.sort_by(|a, b| a.row().label().cmp(b.row().label()));
    listed
}
