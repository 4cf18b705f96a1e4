//! What a plan or apply run reports: the plan plus how the run went. Rendered as text,
//! JSON or Markdown by the sibling modules; all three read only this.

use serde::Serialize;

use serde_json::Value as Json;

use crate::plan::{Action, Change, Counts, FieldChange, Plan, Resource, RunError, ScheduleCounts};

/// How a run ended, as stored in `sync_runs.outcome` and printed in JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Planned (plan) or written (apply) without error.
    Success,
    /// Refused for safety: nothing written.
    Refused,
    /// `--strict` and invalid definitions: nothing written.
    Invalid,
    /// Another writer held the scope: nothing written.
    LockSkipped,
    /// A source, the database or the apply failed.
    Failed,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Success => "success",
            Outcome::Refused => "refused",
            Outcome::Invalid => "invalid",
            Outcome::LockSkipped => "lock_skipped",
            Outcome::Failed => "failed",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Plan,
    Apply,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Plan => "plan",
            Mode::Apply => "apply",
        }
    }
}

/// Everything a renderer needs.
#[derive(Debug, Clone)]
pub struct Report<'a> {
    pub mode: Mode,
    pub plan: &'a Plan,
    pub outcome: Outcome,
    /// Where the rows live, secrets redacted.
    pub database: String,
    /// Whether the plan's writes happened (apply) — counts are zero otherwise.
    pub applied: bool,
    /// Errors of the run itself (database, lock, stale plan, Temporal), after the plan's own.
    pub run_errors: Vec<RunError>,
    /// Apply: the schedules whose change took effect (`None` for plan).
    pub schedules_done: Option<std::collections::BTreeSet<String>>,
    /// Temporal calls made, when Temporal was reached.
    pub calls: Option<crate::temporal::CallCountsSnapshot>,
}

impl Report<'_> {
    /// Counts as the JSON contract reports them: "would be" for plan, "done" for apply.
    pub fn counts(&self) -> (Counts, Counts) {
        if self.mode == Mode::Apply && !self.applied {
            let unchanged = |c: Counts| Counts {
                unchanged: c.unchanged,
                ..Counts::default()
            };
            return (
                unchanged(self.plan.definition_counts()),
                unchanged(self.plan.event_type_counts()),
            );
        }
        (self.plan.definition_counts(), self.plan.event_type_counts())
    }

    pub fn errors(&self) -> impl Iterator<Item = &RunError> {
        self.plan.errors.iter().chain(&self.run_errors)
    }

    /// At most [`MAX_ERRORS`] errors, and a last one saying how many were left out.
    pub fn bounded_errors(&self) -> Vec<RunError> {
        let mut errors: Vec<RunError> = self.errors().take(MAX_ERRORS).cloned().collect();
        let total = self.errors().count();
        if total > MAX_ERRORS {
            errors.push(RunError::new(
                "report",
                format!("{} more errors not shown", total - MAX_ERRORS),
            ));
        }
        errors
    }

    /// Schedule counts: planned (plan), or what took effect (apply).
    pub fn schedule_counts(&self) -> ScheduleCounts {
        let changes = self.plan.schedules.values();
        match (&self.schedules_done, self.mode) {
            (Some(done), Mode::Apply) => ScheduleCounts::of(changes, |id| done.contains(id)),
            _ => ScheduleCounts::of(changes, |_| true),
        }
    }

    /// The counts object of the JSON contract (and of `sync_runs.counts`).
    pub fn counts_json(&self) -> serde_json::Value {
        let (definitions, event_types) = self.counts();
        let section = |c: Counts| {
            serde_json::json!({
                "created": c.created,
                "updated": c.updated,
                "retired": c.retired,
                "unchanged": c.unchanged,
                "upserted": c.created + c.updated,
            })
        };
        let mut definitions = section(definitions);
        definitions["invalid"] = serde_json::json!(self.plan.invalid);
        serde_json::json!({
            "definitions": definitions,
            "event_types": section(event_types),
            "schedules": self.schedule_counts(),
        })
    }
}

/// Errors listed per run in output and in `sync_runs`.
pub const MAX_ERRORS: usize = 100;

/// One line's worth of what a change does, for text and Markdown.
pub fn summary<R: Resource>(change: &Change<R>) -> String {
    match change.action {
        Action::Create => "create".to_string(),
        Action::Retire => format!(
            "retire ({})",
            change.note.as_deref().unwrap_or("file removed")
        ),
        Action::Unchanged => change.note.clone().unwrap_or_else(|| "unchanged".into()),
        Action::Update | Action::Unretire => {
            let fields = change
                .fields
                .iter()
                .map(field_summary)
                .collect::<Vec<_>>()
                .join("; ");
            if change.action == Action::Unretire {
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
        .filter(|c| c.action != Action::Unchanged || c.note.is_some())
        .collect();
    listed.sort_by(|a, b| a.row().label().cmp(b.row().label()));
    listed
}
