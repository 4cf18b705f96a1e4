//! The executor against the in-memory backend: what lands, what is held, what stops.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::*;
use crate::apply::memory::{MemoryBackend, Stored};
use crate::definition::{
    ActivityDefinition, Catalog, CronTrigger, MisfirePolicy, Origin, Trigger, id_from_key,
};
use crate::gather::Desired;
use crate::plan::{Actual, DefinitionRow, PlanOptions, Stages, plan};
use crate::schedule::desired::{WorkflowTarget, desired_schedule};

const SCOPE: &str = "a";

fn definition(key: &str, minute: u8) -> ActivityDefinition {
    let cron = format!("{minute} * * * *");
    ActivityDefinition {
        id: id_from_key(key),
        key: key.to_string(),
        name: key.to_string(),
        enabled: true,
        trigger: Trigger::Cron(CronTrigger {
            cron: std::sync::Arc::new(crate::definition::CronExpr::parse(&cron).unwrap()),
            timezone: "UTC".into(),
            misfire_policy: MisfirePolicy::Skip,
            catchup_window_seconds: None,
            jitter_seconds: None,
        }),
        spec: serde_json::json!({"key": key, "cron": cron}).into(),
        body: String::new(),
        origin: Origin {
            source_path: format!("defs/{key}.md"),
            rel_path: format!("{key}.md"),
            lines: BTreeMap::new(),
        },
    }
}

fn stored(d: &ActivityDefinition, scope: &str) -> Stored {
    Stored {
        want: desired_schedule(d, &WorkflowTarget::default()).unwrap(),
        scope: scope.to_string(),
        paused: false,
        note: String::new(),
        token: 1,
    }
}

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-03-20T12:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

/// The plan for `definitions` (rows in place) against what the backend holds, every
/// schedule described.
async fn plan_against(backend: &MemoryBackend, definitions: &[ActivityDefinition]) -> Plan {
    plan_adopting(backend, definitions, false).await
}

async fn plan_adopting(
    backend: &MemoryBackend,
    definitions: &[ActivityDefinition],
    adopt: bool,
) -> Plan {
    let mut catalog = Catalog::default();
    let mut actual = Actual::default();
    for d in definitions {
        catalog.activities.insert(d.id, d.clone());
        actual
            .definitions
            .insert(d.id, DefinitionRow::desired(d, SCOPE));
    }
    for id in backend.list(None).await.unwrap().keys() {
        let described = backend.describe(id).await.unwrap().unwrap();
        actual.schedules.insert(id.clone(), described);
    }
    let desired = Desired {
        catalog,
        sources: Vec::new(),
        failed: Vec::new(),
        files: Vec::new(),
    };
    let options = PlanOptions {
        scope: SCOPE.into(),
        stages: Stages {
            definitions: true,
            event_types: false,
            schedules: true,
        },
        allow_empty: true,
        max_delete: Some(usize::MAX),
        adopt,
        unpause_manual: false,
        target: WorkflowTarget::default(),
        now: now(),
        foresight: Default::default(),
        schedules_from: Default::default(),
    };
    plan(&desired, &actual, &options)
}

fn limits() -> ApplyLimits<'static> {
    ApplyLimits {
        concurrency: 4,
        deadline: None,
        halt_after: None,
        progress: None,
    }
}

fn defs(n: usize) -> Vec<ActivityDefinition> {
    (0..n)
        .map(|i| definition(&format!("k{i}"), (i % 60) as u8))
        .collect()
}

#[tokio::test]
async fn a_plan_lands_and_planning_again_is_empty() {
    let gone = definition("gone", 5);
    let mut drifted = stored(&definition("k1", 1), SCOPE);
    drifted.want = desired_schedule(&definition("k1", 30), &WorkflowTarget::default()).unwrap();
    let backend = MemoryBackend::with([stored(&gone, SCOPE), drifted]);
    let definitions = defs(3);
    let plan = plan_against(&backend, &definitions).await;
    let progress = crate::apply::Progress::default();
    let limits = ApplyLimits {
        progress: Some(&progress),
        ..limits()
    };
    let (results, errors) = apply_schedules(&backend, &plan, limits).await;
    assert_eq!(
        progress.now(),
        Some(("applying schedule changes", 4, 4)),
        "every planned change counted once"
    );
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(
        results.len(),
        4,
        "2 creates, 1 update, 1 delete: {results:?}"
    );
    assert!(
        results.values().all(|r| r == &ScheduleResult::Done),
        "{results:?}"
    );
    assert!(
        !backend
            .schedules
            .lock()
            .unwrap()
            .contains_key(&schedule_of(&gone))
    );
    let again = plan_against(&backend, &definitions).await;
    assert!(!again.has_changes(), "{:?}", again.schedules);
    // What was written is what the plan carried.
    let notes: Vec<String> = backend
        .schedules
        .lock()
        .unwrap()
        .values()
        .map(|s| s.note.clone())
        .collect();
    assert!(
        notes
            .iter()
            .all(|n| n.starts_with("managed by activity-sync (scope a) from defs/")),
        "{notes:?}"
    );
}

fn schedule_of(d: &ActivityDefinition) -> String {
    crate::schedule::desired::schedule_id(d.id)
}

#[tokio::test]
async fn a_stale_token_twice_fails_that_schedule_and_holds_the_deletes() {
    let gone = definition("gone", 5);
    let mut drifted = stored(&definition("k0", 0), SCOPE);
    drifted.want = desired_schedule(&definition("k0", 30), &WorkflowTarget::default()).unwrap();
    let backend = MemoryBackend::with([stored(&gone, SCOPE), drifted]);
    *backend.drop_updates.lock().unwrap() = 2;
    let plan = plan_against(&backend, &defs(1)).await;
    let (results, errors) = apply_schedules(&backend, &plan, limits()).await;
    let k0 = schedule_of(&definition("k0", 0));
    assert!(
        matches!(&results[&k0], ScheduleResult::Failed(m) if m.contains("stale twice")),
        "{results:?}"
    );
    assert!(matches!(
        &results[&schedule_of(&gone)],
        ScheduleResult::NotAttempted(_)
    ));
    assert!(
        backend
            .schedules
            .lock()
            .unwrap()
            .contains_key(&schedule_of(&gone)),
        "not deleted"
    );
    assert!(
        errors
            .iter()
            .any(|e| e.message.contains("1 deletions held back")),
        "{errors:?}"
    );
}

#[tokio::test]
async fn a_schedule_created_since_the_describe_converges_without_a_write() {
    let d = definition("k0", 0);
    let backend = MemoryBackend::default();
    let plan = plan_against(&backend, std::slice::from_ref(&d)).await;
    // Someone (a killed earlier run) creates it between the describe and the create.
    backend
        .schedules
        .lock()
        .unwrap()
        .insert(schedule_of(&d), stored(&d, SCOPE));
    let (results, errors) = apply_schedules(&backend, &plan, limits()).await;
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(
        results[&schedule_of(&d)],
        ScheduleResult::InPlace,
        "counted unchanged, not created"
    );
    assert_eq!(backend.calls.snapshot().update, 0);
}

/// On-call pauses a schedule while an update of it is in flight: the update meets a stale
/// token, the fresh describe shows the hand pause, and the retried update carries it over.
#[tokio::test]
async fn a_pause_made_by_hand_during_an_update_survives_it() {
    let mut drifted = stored(&definition("k0", 0), SCOPE);
    drifted.want = desired_schedule(&definition("k0", 30), &WorkflowTarget::default()).unwrap();
    let backend = MemoryBackend::with([drifted]);
    let plan = plan_against(&backend, &defs(1)).await;
    let id = schedule_of(&definition("k0", 0));
    assert_eq!(plan.schedules[&id].op(), ScheduleOp::Update);
    {
        let mut schedules = backend.schedules.lock().unwrap();
        let s = schedules.get_mut(&id).unwrap();
        s.paused = true;
        s.note = "incident 7".into();
        s.token += 1;
    }
    let (results, errors) = apply_schedules(&backend, &plan, limits()).await;
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(results[&id], ScheduleResult::Done);
    let schedules = backend.schedules.lock().unwrap();
    let s = &schedules[&id];
    assert!(s.paused, "the hand pause survives the update");
    assert_eq!(s.note, "incident 7");
    assert_eq!(
        s.want.shape,
        desired_schedule(&definition("k0", 0), &WorkflowTarget::default())
            .unwrap()
            .shape
    );
}

#[tokio::test]
async fn nothing_is_deleted_that_changed_hands() {
    let gone = definition("gone", 5);
    let backend = MemoryBackend::with([stored(&gone, SCOPE)]);
    let plan = plan_against(&backend, &[]).await;
    backend
        .schedules
        .lock()
        .unwrap()
        .get_mut(&schedule_of(&gone))
        .unwrap()
        .scope = "b".into();
    let (results, _) = apply_schedules(&backend, &plan, limits()).await;
    assert!(
        matches!(&results[&schedule_of(&gone)], ScheduleResult::Failed(m) if m.contains("no longer marked"))
    );
    assert!(
        backend
            .schedules
            .lock()
            .unwrap()
            .contains_key(&schedule_of(&gone))
    );
}

/// An unmarked orphan (`--adopt`) is deleted while it is still unmarked, and not once
/// someone has marked it since the plan.
#[tokio::test]
async fn an_adopted_orphan_is_deleted_only_while_unmarked() {
    let old = definition("old-sync", 5);
    let id = schedule_of(&old);
    let backend = MemoryBackend::with([stored(&old, "")]);
    assert_eq!(
        plan_against(&backend, &[]).await.schedules[&id].op(),
        crate::plan::ScheduleOp::Unmanaged
    );
    let plan = plan_adopting(&backend, &[], true).await;
    assert!(matches!(
        plan.schedules[&id].step,
        ScheduleStep::Delete { adopt: true, .. }
    ));
    backend
        .schedules
        .lock()
        .unwrap()
        .get_mut(&id)
        .unwrap()
        .scope = "b".into();
    let (results, _) = apply_schedules(&backend, &plan, limits()).await;
    assert!(
        matches!(&results[&id], ScheduleResult::Failed(m) if m.contains("no longer marked")),
        "{results:?}"
    );
    assert!(backend.schedules.lock().unwrap().contains_key(&id));
    backend
        .schedules
        .lock()
        .unwrap()
        .get_mut(&id)
        .unwrap()
        .scope = String::new();
    let (results, _) = apply_schedules(&backend, &plan, limits()).await;
    assert!(matches!(&results[&id], ScheduleResult::Done), "{results:?}");
    assert!(!backend.schedules.lock().unwrap().contains_key(&id));
}

#[tokio::test]
async fn a_backend_that_fails_half_way_stops_new_calls_and_says_what_was_left() {
    let backend = MemoryBackend::default();
    let definitions = defs(40);
    let plan = plan_against(&backend, &definitions).await;
    let backend = MemoryBackend {
        fail_after: Some(6),
        ..MemoryBackend::default()
    };
    let (results, errors) = apply_schedules(&backend, &plan, limits()).await;
    let calls = backend.calls.snapshot();
    let made = calls.create + calls.describe + calls.update;
    assert!(
        made <= 6 + 4 + 1,
        "calls kept coming after the failures: {calls:?}"
    );
    let done = results
        .values()
        .filter(|r| **r == ScheduleResult::Done)
        .count();
    let failed = results
        .values()
        .filter(|r| matches!(r, ScheduleResult::Failed(_)))
        .count();
    let left = results
        .values()
        .filter(|r| matches!(r, ScheduleResult::NotAttempted(_)))
        .count();
    assert_eq!(done + failed + left, 40);
    assert!(
        left >= 25,
        "{done} done, {failed} failed, {left} not attempted"
    );
    assert_eq!(backend.schedules.lock().unwrap().len(), done);
    // One error per failed call, one for the rest: bounded, not one per schedule.
    assert_eq!(errors.len(), failed + 1, "{errors:?}");
    assert!(
        errors
            .last()
            .unwrap()
            .message
            .contains(&format!("{left} schedule changes not attempted"))
    );
}

#[tokio::test]
async fn nothing_starts_after_the_deadline() {
    let backend = MemoryBackend::default();
    let plan = plan_against(&backend, &defs(3)).await;
    let limits = ApplyLimits {
        concurrency: 4,
        deadline: Some(tokio::time::Instant::now()),
        halt_after: None,
        progress: None,
    };
    let (results, errors) = apply_schedules(&backend, &plan, limits).await;
    assert!(
        results.values().all(|r| !matches!(r, ScheduleResult::Done)),
        "{results:?}"
    );
    assert_eq!(backend.calls.snapshot().create, 0);
    assert!(!errors.is_empty());
}
