//! The stable machine contract of SPEC §6: counts, changes and errors as JSON.

use serde_json::{Value, json};

use super::report::{Report, listed, location};
use crate::plan::{Change, Resource};
use crate::schedule::planner::ScheduleOp;

pub fn render(report: &Report<'_>) -> String {
    let plan = report.plan;
    let counts = report.counts_json();
    let mut changes: Vec<Value> = Vec::new();
    changes.extend(listed(plan.definitions.values()).into_iter().map(change));
    changes.extend(listed(plan.event_types.values()).into_iter().map(change));
    changes.extend(
        plan.schedules
            .values()
            .filter(|c| c.op != ScheduleOp::Unchanged || c.note.is_some())
            .map(|c| {
                json!({
                    "resource": "schedule",
                    "id": c.schedule_id,
                    "name": c.key,
                    "action": c.op.as_str(),
                    "note": c.note,
                    "diff": c.diff,
                    "next_fires": c.fires,
                    "warnings": c.warnings.iter().map(|w| &w.message).collect::<Vec<_>>(),
                })
            }),
    );
    let value = json!({
        "mode": report.mode.as_str(),
        "scope": plan.scope,
        "outcome": report.outcome,
        "lock_skipped": report.outcome == super::report::Outcome::LockSkipped,
        "refusal": plan.refusal,
        "sources": plan.sources,
        "fingerprint": plan.fingerprint,
        "definitions": counts["definitions"],
        "event_types": counts["event_types"],
        "schedules": counts["schedules"],
        "temporal_calls": report.calls,
        "changes": changes,
        "errors": report.bounded_errors(),
    });
    let mut text = serde_json::to_string_pretty(&value).expect("JSON values serialize");
    text.push('\n');
    text
}

fn change<R: Resource>(c: &Change<R>) -> Value {
    let mut v = json!({
        "resource": R::KIND,
        "id": c.row().id().to_string(),
        "name": c.row().label(),
        "action": c.action.as_str(),
        "source_path": location(c),
        "diff": c.diff(),
    });
    if let Some(note) = &c.note {
        v["note"] = json!(note);
    }
    v
}
