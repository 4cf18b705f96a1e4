//! Apply: walks a plan and writes it. Never re-plans, except the one schedule whose conflict
//! token went stale between describe and update (SPEC §5).

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use futures_util::stream::{self, StreamExt};

use crate::plan::{Plan, RunError};
use crate::schedule::desired::DesiredSchedule;
use crate::schedule::planner::{ScheduleChange, ScheduleOp};
use crate::store::{Session, StoreError};
use crate::temporal::{Temporal, TemporalError};
use temporalio_client::tonic::Code;

/// Writes every row change of the plan in the session's transaction: event types first
/// (definitions may name them), then definitions. Unchanged rows get no statement.
pub async fn apply_rows(
    session: &mut Session,
    plan: &Plan,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    for change in plan.event_types.values() {
        session.write_event_type(change, now).await?;
    }
    for change in plan.definitions.values() {
        session.write_definition(change, now).await?;
    }
    Ok(())
}

/// What happened to the schedules.
#[derive(Debug, Default)]
pub struct ScheduleOutcome {
    /// Schedules whose change took effect.
    pub done: BTreeSet<String>,
    pub errors: Vec<RunError>,
    /// Deletions not attempted because something before them failed.
    pub deletes_held: usize,
}

/// Creates, updates and unpauses, then pauses, then deletes — deletes only if everything
/// before them succeeded. At most `concurrency` calls in flight.
pub async fn apply_schedules(
    temporal: &Temporal,
    plan: &Plan,
    concurrency: usize,
) -> ScheduleOutcome {
    let scope = plan.scope.as_str();
    let mut outcome = ScheduleOutcome::default();
    let phases: [&[ScheduleOp]; 3] = [
        &[ScheduleOp::Create, ScheduleOp::Update, ScheduleOp::Unpause],
        &[ScheduleOp::Pause],
        &[ScheduleOp::Delete],
    ];
    for (index, ops) in phases.iter().enumerate() {
        let changes: Vec<&ScheduleChange> = plan
            .schedules
            .values()
            .filter(|c| ops.contains(&c.op))
            .collect();
        if index == 2 && !outcome.errors.is_empty() {
            outcome.deletes_held = changes.len();
            if !changes.is_empty() {
                outcome.errors.push(RunError::new(
                    "schedules",
                    format!(
                        "{} deletions held back: an earlier change failed",
                        changes.len()
                    ),
                ));
            }
            break;
        }
        let results: Vec<(String, Result<(), TemporalError>)> = stream::iter(changes)
            .map(|change| async move {
                (
                    change.schedule_id.clone(),
                    execute(temporal, scope, change).await,
                )
            })
            .buffer_unordered(concurrency.max(1))
            .collect()
            .await;
        for (id, result) in results {
            match result {
                Ok(()) => {
                    outcome.done.insert(id);
                }
                Err(e) => outcome
                    .errors
                    .push(RunError::new("schedules", e.to_string()).id(id)),
            }
        }
    }
    outcome
}

fn note(scope: &str, change: &ScheduleChange, s: &DesiredSchedule) -> String {
    match (&change.note, s.paused) {
        (Some(note), true) => format!("paused by activity-sync: {note}"),
        _ if s.paused => format!("paused by activity-sync: disabled in {}", s.source_path),
        _ => format!(
            "managed by activity-sync (scope {scope}) from {}",
            s.source_path
        ),
    }
}

async fn execute(
    temporal: &Temporal,
    scope: &str,
    change: &ScheduleChange,
) -> Result<(), TemporalError> {
    let id = change.schedule_id.as_str();
    match change.op {
        ScheduleOp::Create => {
            let want = change
                .desired
                .as_ref()
                .expect("a create has a desired schedule");
            match temporal
                .create(scope, want, &note(scope, change, want))
                .await
            {
                Err(e) if e.code() == Some(Code::AlreadyExists) => {
                    // Someone (a killed earlier run?) created it since the list: take it from
                    // a fresh describe, as an update.
                    converge(temporal, scope, change, want).await
                }
                other => other,
            }
        }
        ScheduleOp::Update => {
            let want = change
                .desired
                .as_ref()
                .expect("an update has a desired schedule");
            converge(temporal, scope, change, want).await
        }
        ScheduleOp::Pause | ScheduleOp::Unpause => {
            let paused = change.op == ScheduleOp::Pause;
            let why = change.note.clone().unwrap_or_default();
            temporal
                .set_paused(id, paused, &format!("activity-sync: {why}"))
                .await
        }
        ScheduleOp::Delete => {
            // Nothing is deleted on the word of a list alone.
            match temporal.describe(id).await? {
                None => Ok(()),
                Some(now) if now.owner() != Some(scope) => Err(TemporalError::Call {
                    call: "DeleteSchedule",
                    schedule: id.to_string(),
                    code: Code::FailedPrecondition,
                    message: format!("no longer marked for scope `{scope}`; not deleted"),
                }),
                Some(_) => temporal.delete(id).await,
            }
        }
        ScheduleOp::Unchanged | ScheduleOp::Unmanaged | ScheduleOp::Skip => Ok(()),
    }
}

/// Update with the planned conflict token, then confirm it took effect: Temporal drops an
/// update with a stale token silently. On a stale token, describe again and retry once.
async fn converge(
    temporal: &Temporal,
    scope: &str,
    change: &ScheduleChange,
    want: &DesiredSchedule,
) -> Result<(), TemporalError> {
    let id = change.schedule_id.as_str();
    let mut token = change
        .actual
        .as_ref()
        .and_then(|a| a.described.as_ref())
        .map(|d| d.conflict_token.clone());
    for attempt in 0..2 {
        let current = match token.take() {
            Some(t) if attempt == 0 => t,
            _ => match temporal.describe(id).await? {
                Some(now) => {
                    if now.owner().is_some_and(|o| o != scope) {
                        return Err(stale(
                            id,
                            format!("now owned by scope `{}`", now.owner().unwrap_or_default()),
                        ));
                    }
                    let described = now.described.expect("describe sets it");
                    if described.shape.as_ref() == Some(&want.shape)
                        && now.paused == want.paused
                        && now.spec_hash.as_deref() == Some(want.spec_hash.as_str())
                    {
                        return Ok(());
                    }
                    described.conflict_token
                }
                None => {
                    return temporal
                        .create(scope, want, &note(scope, change, want))
                        .await;
                }
            },
        };
        match temporal
            .update(scope, want, &note(scope, change, want), &current)
            .await
        {
            Ok(()) => {}
            Err(e) if e.code() == Some(Code::FailedPrecondition) => continue,
            Err(e) => return Err(e),
        }
        if let Some(after) = temporal.describe(id).await?
            && let Some(described) = &after.described
            && described.conflict_token != current
            && described.shape.as_ref() == Some(&want.shape)
        {
            return Ok(());
        }
    }
    Err(stale(
        id,
        "the update did not take effect after a fresh describe (conflict token stale twice)".into(),
    ))
}

fn stale(id: &str, message: String) -> TemporalError {
    TemporalError::Call {
        call: "UpdateSchedule",
        schedule: id.to_string(),
        code: Code::FailedPrecondition,
        message,
    }
}
