//! Schedules after the rows: creates, updates and unpauses, then pauses, then deletes — the
//! deletes only if everything before them landed. The executor stops starting calls as soon
//! as the backend is unavailable or the run's deadline has passed, and says what it left.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use futures_util::stream::{self, StreamExt};
use tokio::time::Instant;

use super::applied::ScheduleResult;
use super::progress::Progress;
use crate::plan::{Plan, RunError, ScheduleChange, ScheduleOp, ScheduleStep};
use crate::schedule::actual::ActualSchedule;
use crate::schedule::backend::{BackendError, ErrorKind, ScheduleBackend};
use crate::schedule::desired::DesiredSchedule;
use crate::schedule::pause::pause_made_since;

/// How the executor may spend its calls.
#[derive(Debug, Clone, Copy)]
pub struct ApplyLimits<'a> {
    /// Calls in flight at once.
    pub concurrency: usize,
    /// No call starts after this, and one in flight is abandoned at it.
    pub deadline: Option<Instant>,
    /// Test-only failpoint: after this many schedule mutations took effect, start no other
    /// call and wait forever (to be killed). `None` in every real run.
    pub halt_after: Option<usize>,
    /// Advanced once per mutating change finished.
    pub progress: Option<&'a Progress>,
}

const PHASES: [&[ScheduleOp]; 3] = [
    &[ScheduleOp::Create, ScheduleOp::Update, ScheduleOp::Unpause],
    &[ScheduleOp::Pause],
    &[ScheduleOp::Delete],
];

/// Walks the schedule changes of `plan`; returns how each mutating one went and the errors.
pub async fn apply_schedules<B: ScheduleBackend>(
    backend: &B,
    plan: &Plan,
    limits: ApplyLimits<'_>,
) -> (BTreeMap<String, ScheduleResult>, Vec<RunError>) {
    let scope = plan.scope.as_str();
    if let Some(progress) = limits.progress {
        let mutating = plan.schedules.values().filter(|c| c.op().mutates());
        progress.begin("applying schedule changes", mutating.count());
    }
    let stop: Mutex<Option<String>> = Mutex::new(None);
    let mut results = BTreeMap::new();
    let mut errors = Vec::new();
    let mutations = AtomicUsize::new(0);
    halt_at(limits.halt_after, 0, &stop).await;
    for (index, ops) in PHASES.iter().enumerate() {
        let changes: Vec<&ScheduleChange> = plan
            .schedules
            .values()
            .filter(|c| ops.contains(&c.op()))
            .collect();
        let is_deletes = index == PHASES.len() - 1;
        if is_deletes
            && results
                .values()
                .any(|r| r != &ScheduleResult::Done && r != &ScheduleResult::InPlace)
            && !changes.is_empty()
        {
            for change in &changes {
                results.insert(
                    change.schedule_id.clone(),
                    ScheduleResult::NotAttempted("held back: an earlier change failed".into()),
                );
            }
            errors.push(RunError::new(
                "schedules",
                format!(
                    "{} deletions held back: an earlier change failed",
                    changes.len()
                ),
            ));
            break;
        }
        let outcomes: Vec<(String, ScheduleResult)> = stream::iter(changes)
            .map(|change| {
                let (stop, mutations) = (&stop, &mutations);
                async move {
                    let id = change.schedule_id.clone();
                    if let Some(why) = stop.lock().expect("not poisoned").clone() {
                        return (id, ScheduleResult::NotAttempted(why));
                    }
                    let result = match limits.deadline {
                        Some(at) if Instant::now() >= at => {
                            Err(deadline_error(change, "the run's deadline passed"))
                        }
                        Some(at) => tokio::time::timeout_at(at, execute(backend, scope, change))
                            .await
                            .unwrap_or_else(|_| {
                                Err(deadline_error(change, "the run's deadline passed mid-call"))
                            }),
                        None => execute(backend, scope, change).await,
                    };
                    if let Some(progress) = limits.progress {
                        progress.advance();
                    }
                    match result {
                        Ok(result) => {
                            if result == ScheduleResult::Done {
                                let done = mutations.fetch_add(1, Ordering::SeqCst) + 1;
                                halt_at(limits.halt_after, done, stop).await;
                            }
                            (id, result)
                        }
                        Err(e) => {
                            if e.kind == ErrorKind::Unavailable {
                                stop.lock().expect("not poisoned").get_or_insert_with(|| {
                                    format!(
                                        "not attempted: Temporal is unavailable ({})",
                                        e.message
                                    )
                                });
                            }
                            (id, ScheduleResult::Failed(e.to_string()))
                        }
                    }
                }
            })
            .buffer_unordered(limits.concurrency.max(1))
            .collect()
            .await;
        for (id, result) in outcomes {
            if let ScheduleResult::Failed(message) = &result {
                errors.push(RunError::new("schedules", message.clone()).id(&id));
            }
            results.insert(id, result);
        }
    }
    let not_attempted: Vec<&String> = results
        .values()
        .filter_map(|r| match r {
            ScheduleResult::NotAttempted(why) if !why.starts_with("held back") => Some(why),
            _ => None,
        })
        .collect();
    if let Some(why) = not_attempted.first() {
        errors.push(RunError::new(
            "schedules",
            format!("{} schedule changes {why}", not_attempted.len()),
        ));
    }
    (results, errors)
}

/// The failpoint of [`ApplyLimits::halt_after`]: at `done` mutations, never return.
async fn halt_at(halt_after: Option<usize>, done: usize, stop: &Mutex<Option<String>>) {
    if halt_after == Some(done) {
        stop.lock()
            .expect("not poisoned")
            .get_or_insert_with(|| "not attempted: halted by the failpoint".into());
        eprintln!("failpoint: halted after {done} schedule mutations");
        std::future::pending::<()>().await;
    }
}

fn deadline_error(change: &ScheduleChange, message: &str) -> BackendError {
    BackendError::new(
        "apply",
        &change.schedule_id,
        ErrorKind::Unavailable,
        message,
    )
}

async fn execute<B: ScheduleBackend>(
    backend: &B,
    scope: &str,
    change: &ScheduleChange,
) -> Result<ScheduleResult, BackendError> {
    let id = change.schedule_id.as_str();
    match &change.step {
        ScheduleStep::Create {
            want,
            temporal_note,
        } => match backend.create(scope, want, temporal_note).await {
            // Created since the describe (a concurrent or killed earlier run): converge on
            // what is there from a fresh describe.
            Err(e) if e.kind == ErrorKind::AlreadyExists => {
                converge(backend, scope, want, temporal_note, &[], None).await
            }
            other => other.map(|()| ScheduleResult::Done),
        },
        ScheduleStep::Update {
            want,
            have,
            token,
            temporal_note,
            ..
        } => converge(backend, scope, want, temporal_note, token, Some(have)).await,
        ScheduleStep::Pause { temporal_note, .. } => backend
            .set_paused(id, true, temporal_note)
            .await
            .map(|()| ScheduleResult::Done),
        ScheduleStep::Unpause { temporal_note, .. } => backend
            .set_paused(id, false, temporal_note)
            .await
            .map(|()| ScheduleResult::Done),
        // Nothing is deleted on the word of a list alone, nor if it changed hands.
        ScheduleStep::Delete { adopt, .. } => match backend.describe(id).await? {
            None => Ok(ScheduleResult::InPlace),
            Some(now) if now.owner() != Some(scope) && !(*adopt && now.adoptable_by(scope)) => {
                Err(BackendError::new(
                    "DeleteSchedule",
                    id,
                    ErrorKind::FailedPrecondition,
                    format!("no longer marked for scope `{scope}`; not deleted"),
                ))
            }
            Some(_) => backend.delete(id).await.map(|()| ScheduleResult::Done),
        },
        ScheduleStep::Unchanged { .. }
        | ScheduleStep::Unmanaged { .. }
        | ScheduleStep::Held { .. }
        | ScheduleStep::Skip { .. } => Ok(ScheduleResult::InPlace),
    }
}

/// Update with the planned conflict token (an empty one: describe first), then confirm it
/// took effect — Temporal drops an update with a stale token silently. On a stale token,
/// describe again and retry once; a pause made by hand since the plan (`have`, as the plan
/// saw the schedule) is carried over, as the planner would have held it.
async fn converge<B: ScheduleBackend>(
    backend: &B,
    scope: &str,
    want: &DesiredSchedule,
    note: &str,
    token: &[u8],
    have: Option<&ActualSchedule>,
) -> Result<ScheduleResult, BackendError> {
    let id = want.schedule_id.as_str();
    let mut planned = (!token.is_empty()).then(|| token.to_vec());
    let mut want = Cow::Borrowed(want);
    let mut note = Cow::Borrowed(note);
    for _ in 0..2 {
        let current = match planned.take() {
            Some(token) => token,
            None => match backend.describe(id).await? {
                None => {
                    backend.create(scope, &want, &note).await?;
                    return Ok(ScheduleResult::Done);
                }
                Some(now) => {
                    match now.owner() {
                        Some(owner) if owner != scope && !now.adoptable_by(scope) => {
                            return Err(stale(id, format!("now owned by scope `{owner}`")));
                        }
                        // The create found a schedule no run of ours wrote (the plan, from
                        // a list of the scope's schedules, could not see it): taking it over
                        // is `--adopt`'s to decide.
                        None if have.is_none() => {
                            return Err(BackendError::new(
                                "CreateSchedule",
                                id,
                                ErrorKind::AlreadyExists,
                                "an unmarked schedule with this id exists (not written by activity-sync); left alone: `plan --adopt` shows the takeover",
                            ));
                        }
                        _ => {}
                    }
                    if let Some(theirs) = pause_made_since(have, &now)
                        && !want.paused
                    {
                        want.to_mut().paused = true;
                        note = Cow::Owned(theirs.to_string());
                    }
                    let Some(described) = now.described.as_ref() else {
                        return Err(stale(id, "describe returned no schedule".into()));
                    };
                    if described.shape.as_ref() == Some(&want.shape)
                        && now.paused == want.paused
                        && now.owner() == Some(scope)
                        && now.spec_hash.as_deref().is_none_or(|h| h == want.spec_hash)
                    {
                        return Ok(ScheduleResult::InPlace);
                    }
                    described.conflict_token.clone()
                }
            },
        };
        match backend.update(scope, &want, &note, &current).await {
            Ok(()) => {}
            Err(e) if e.kind == ErrorKind::FailedPrecondition => continue,
            Err(e) => return Err(e),
        }
        if let Some(after) = backend.describe(id).await?
            && let Some(described) = &after.described
            && described.conflict_token != current
            && described.shape.as_ref() == Some(&want.shape)
        {
            return Ok(ScheduleResult::Done);
        }
    }
    Err(stale(
        id,
        "the update did not take effect after a fresh describe (conflict token stale twice)".into(),
    ))
}

fn stale(id: &str, message: String) -> BackendError {
    BackendError::new("UpdateSchedule", id, ErrorKind::FailedPrecondition, message)
}

#[cfg(test)]
#[path = "schedules_tests.rs"]
mod tests;
