//! What a definition asks of its Temporal schedule (SPEC §2 misfire policies, §5 naming).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::calendar::{self, Calendar};
use crate::definition::{ActivityDefinition, CronExpr, MisfirePolicy, Trigger, hash_json};

/// Schedule ids: `activity-schedule-{definition id}`.
pub const SCHEDULE_ID_PREFIX: &str = "activity-schedule-";
/// Workflow ids: `activity-{definition id}`.
pub const WORKFLOW_ID_PREFIX: &str = "activity-";
/// Temporal's smallest catchup window; anything smaller is clamped to it.
pub const MIN_CATCHUP_WINDOW_SECONDS: u64 = 10;
/// The window of `catchup_all`: a year.
pub const CATCHUP_ALL_WINDOW_SECONDS: u64 = 365 * 24 * 3600;

/// What a fired schedule starts (SPEC §5; both names configurable).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkflowTarget {
    pub workflow_type: String,
    pub task_queue: String,
}

impl Default for WorkflowTarget {
    fn default() -> Self {
        WorkflowTarget {
            workflow_type: "RunActivityWorkflow".into(),
            task_queue: "orchestrator-tq".into(),
        }
    }
}

/// Temporal's overlap policy, as far as the misfire policies use it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Overlap {
    Skip,
    BufferOne,
    BufferAll,
}

/// Everything that makes a schedule this schedule, in the form Temporal returns it, so the
/// desired and the described schedule compare field for field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shape {
    pub calendars: Vec<Calendar>,
    pub timezone: String,
    pub jitter_seconds: u64,
    pub overlap: Overlap,
    pub catchup_window_seconds: u64,
    pub workflow_type: String,
    pub task_queue: String,
    pub workflow_id: String,
    /// The workflow's single argument, as JSON text (the definition id).
    pub argument: String,
    /// One action only (`once`).
    pub limited_actions: bool,
}

impl Shape {
    /// Short hash, stored in the `ActivitySyncSpecHash` search attribute.
    pub fn hash(&self) -> String {
        hash_json(&serde_json::to_value(self).expect("shapes serialize"))[..16].to_string()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DesiredSchedule {
    pub schedule_id: String,
    pub definition_id: Uuid,
    pub key: String,
    pub source_path: String,
    pub shape: Shape,
    /// Disabled definitions keep their schedule, paused.
    pub paused: bool,
    /// For `once`: the instant it fires.
    pub once_at: Option<DateTime<Utc>>,
    /// For people: `0 6 * * * Europe/Berlin · catchup_latest`.
    pub summary: String,
    /// [`Shape::hash`].
    pub spec_hash: String,
}

pub fn schedule_id(definition: Uuid) -> String {
    format!("{SCHEDULE_ID_PREFIX}{definition}")
}

/// The definition id a conventional schedule id names, if it is one.
pub fn definition_of(schedule_id: &str) -> Option<Uuid> {
    schedule_id
        .strip_prefix(SCHEDULE_ID_PREFIX)
        .and_then(|id| Uuid::parse_str(id).ok())
}

/// The overlap policy and catchup window of a misfire policy (SPEC §2).
pub fn misfire(
    policy: MisfirePolicy,
    cron: Option<&CronExpr>,
    window_override: Option<u64>,
) -> (Overlap, u64) {
    let (overlap, window) = match policy {
        MisfirePolicy::Skip => (Overlap::Skip, MIN_CATCHUP_WINDOW_SECONDS),
        MisfirePolicy::CatchupAll => (Overlap::BufferAll, CATCHUP_ALL_WINDOW_SECONDS),
        MisfirePolicy::CatchupLatest => {
            let interval = cron.map_or(0, CronExpr::longest_interval_seconds);
            (
                Overlap::BufferOne,
                u64::try_from(interval)
                    .unwrap_or(0)
                    .max(MIN_CATCHUP_WINDOW_SECONDS),
            )
        }
    };
    (
        overlap,
        window_override
            .unwrap_or(window)
            .max(MIN_CATCHUP_WINDOW_SECONDS),
    )
}

/// The schedule a definition wants; `None` for event-triggered definitions (no schedule).
pub fn desired_schedule(
    d: &ActivityDefinition,
    action: &WorkflowTarget,
) -> Option<DesiredSchedule> {
    let (calendar, timezone, jitter, overlap, window, once_at, summary) = match &d.trigger {
        Trigger::Event(_) => return None,
        Trigger::Cron(c) => {
            let expr = &*c.cron;
            let (overlap, window) = misfire(c.misfire_policy, Some(expr), c.catchup_window_seconds);
            (
                calendar::from_cron(expr),
                c.timezone.clone(),
                c.jitter_seconds.unwrap_or(0),
                overlap,
                window,
                None,
                format!("{} {} · {}", expr.as_str(), c.timezone, c.misfire_policy),
            )
        }
        Trigger::Once(o) => {
            let at = o.at.with_timezone(&Utc);
            // A one-shot fire that is late should still run: a day to catch up.
            let (overlap, window) = misfire(MisfirePolicy::Skip, None, Some(24 * 3600));
            (
                calendar::at_instant(at),
                "UTC".to_string(),
                0,
                overlap,
                window,
                Some(at),
                format!("once at {}", o.at.to_rfc3339()),
            )
        }
    };
    let shape = Shape {
        calendars: vec![calendar],
        timezone,
        jitter_seconds: jitter,
        overlap,
        catchup_window_seconds: window,
        workflow_type: action.workflow_type.clone(),
        task_queue: action.task_queue.clone(),
        workflow_id: format!("{WORKFLOW_ID_PREFIX}{}", d.id),
        argument: serde_json::Value::String(d.id.to_string()).to_string(),
        limited_actions: once_at.is_some(),
    };
    Some(DesiredSchedule {
        schedule_id: schedule_id(d.id),
        definition_id: d.id,
        key: d.key.clone(),
        source_path: d.origin.source_path.clone(),
        spec_hash: shape.hash(),
        shape,
        paused: !d.enabled,
        once_at,
        summary,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::definition::{FileOutcome, SourceFile, parse_file};

    fn definition(trigger: &str, enabled: bool) -> ActivityDefinition {
        let text = format!("---\nkey: k\nname: n\nenabled: {enabled}\ntrigger: {trigger}\n---\n");
        match parse_file(&SourceFile {
            source_path: "k.md".into(),
            rel_path: "k.md".into(),
            text,
        }) {
            FileOutcome::Parsed(d) => match *d {
                crate::definition::Definition::ActivityDefinition(a) => a,
                other => panic!("{other:?}"),
            },
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn misfire_policies_map_as_specified() {
        let cases = [
            (
                "{type: cron, cron: '*/15 * * * *', misfire_policy: skip}",
                Overlap::Skip,
                10,
            ),
            (
                "{type: cron, cron: '*/15 * * * *', misfire_policy: catchup_all}",
                Overlap::BufferAll,
                31_536_000,
            ),
            (
                "{type: cron, cron: '*/15 * * * *', misfire_policy: catchup_latest}",
                Overlap::BufferOne,
                900,
            ),
            (
                "{type: cron, cron: '20 7 * * *', misfire_policy: compress}",
                Overlap::BufferOne,
                86_400,
            ),
            (
                "{type: cron, cron: '20 7 * * *', misfire_policy: catchup}",
                Overlap::BufferAll,
                31_536_000,
            ),
            (
                "{type: cron, cron: '20 7 * * *', misfire_policy: skip, catchup_window_seconds: 300}",
                Overlap::Skip,
                300,
            ),
            (
                "{type: cron, cron: '20 7 * * *', misfire_policy: catchup_all, catchup_window_seconds: 600}",
                Overlap::BufferAll,
                600,
            ),
        ];
        for (trigger, overlap, window) in cases {
            let s =
                desired_schedule(&definition(trigger, true), &WorkflowTarget::default()).unwrap();
            assert_eq!(
                (s.shape.overlap, s.shape.catchup_window_seconds),
                (overlap, window),
                "{trigger}"
            );
        }
    }

    #[test]
    fn ids_and_action() {
        let d = definition("{type: cron, cron: '0 * * * *'}", false);
        let s = desired_schedule(&d, &WorkflowTarget::default()).unwrap();
        assert_eq!(s.schedule_id, format!("activity-schedule-{}", d.id));
        assert_eq!(s.shape.workflow_id, format!("activity-{}", d.id));
        assert_eq!(s.shape.workflow_type, "RunActivityWorkflow");
        assert_eq!(s.shape.task_queue, "orchestrator-tq");
        assert_eq!(s.shape.argument, format!("\"{}\"", d.id));
        assert!(s.paused, "disabled → paused");
        assert_eq!(definition_of(&s.schedule_id), Some(d.id));
        assert_eq!(definition_of("activity-schedule-nope"), None);
    }

    #[test]
    fn events_get_no_schedule_and_pausing_keeps_the_hash() {
        let event = definition("{type: event, event_type: repo.pushed}", true);
        assert!(desired_schedule(&event, &WorkflowTarget::default()).is_none());
        let on = desired_schedule(
            &definition("{type: cron, cron: '0 * * * *'}", true),
            &WorkflowTarget::default(),
        )
        .unwrap();
        let off = desired_schedule(
            &definition("{type: cron, cron: '0 * * * *'}", false),
            &WorkflowTarget::default(),
        )
        .unwrap();
        assert_eq!(on.spec_hash, off.spec_hash);
        let other = desired_schedule(
            &definition("{type: cron, cron: '5 * * * *'}", true),
            &WorkflowTarget::default(),
        )
        .unwrap();
        assert_ne!(on.spec_hash, other.spec_hash);
    }

    #[test]
    fn once_is_one_instant_in_utc() {
        let d = definition("{type: once, at: '2026-12-18T17:00:00+01:00'}", true);
        let s = desired_schedule(&d, &WorkflowTarget::default()).unwrap();
        let at = DateTime::parse_from_rfc3339("2026-12-18T16:00:00Z").unwrap();
        assert_eq!(s.once_at, Some(at.with_timezone(&Utc)));
        assert!(s.shape.limited_actions);
        assert_eq!(s.shape.calendars[0].year[0].start, 2026);
    }
}
