//! The plan: plain, ordered data that renderers and the applier both read.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::change::{Action, Change};
use super::resource::{DefinitionRow, EventTypeRow, Resource};
use crate::definition::hash_json;
use crate::gather::SourceInfo;
use crate::schedule::actual::ActualSchedule;
use crate::schedule::desired::SCHEDULE_ID_PREFIX;
use crate::schedule::planner::{ScheduleChange, ScheduleOp};

/// Version of the saved-plan format (`plan --out`).
pub const PLAN_FORMAT: u32 = 2;

/// Which parts of the state a run reconciles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stages {
    pub definitions: bool,
    pub event_types: bool,
    #[serde(default)]
    pub schedules: bool,
}

/// The rows the database holds, every scope.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Actual {
    pub definitions: BTreeMap<Uuid, DefinitionRow>,
    pub event_types: BTreeMap<String, EventTypeRow>,
    /// The namespace's schedules that matter to the run (listed; described where needed).
    #[serde(default)]
    pub schedules: BTreeMap<String, ActualSchedule>,
}

impl Actual {
    /// Hash of the rows a plan for `scope` was made against: a saved plan is applied only
    /// while this is unchanged.
    pub fn fingerprint(&self, scope: &str, stages: Stages) -> String {
        fn rows<R: Resource>(rows: impl Iterator<Item = R>, scope: &str) -> Vec<serde_json::Value> {
            rows.filter(|r| r.scope() == scope)
                .map(|r| {
                    serde_json::json!([
                        r.id().to_string(),
                        r.content_hash(),
                        r.retired(),
                        r.source_path()
                    ])
                })
                .collect()
        }
        let definitions = if stages.definitions {
            rows(self.definitions.values().cloned(), scope)
        } else {
            Vec::new()
        };
        let event_types = if stages.event_types {
            rows(self.event_types.values().cloned(), scope)
        } else {
            Vec::new()
        };
        // Schedules by what a list shows (describes carry tokens that change on their own).
        let schedules: Vec<serde_json::Value> = if stages.schedules {
            self.schedules
                .values()
                .filter(|s| match s.owner() {
                    Some(owner) => owner == scope,
                    // Unmarked: only those a plan can touch (`--adopt`) or lists.
                    None => s.schedule_id.starts_with(SCHEDULE_ID_PREFIX),
                })
                .map(|s| {
                    serde_json::json!([s.schedule_id, s.owner(), s.paused, s.spec_hash, s.listed])
                })
                .collect()
        } else {
            Vec::new()
        };
        hash_json(&serde_json::json!({
            "scope": scope,
            "definitions": definitions,
            "event_types": event_types,
            "schedules": schedules,
        }))
    }
}

/// Something that went wrong, for `errors[]` (SPEC §6).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunError {
    /// `sources`, `definitions`, `event_types`, `database`, `lock`, ….
    pub stage: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_path: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub col: Option<usize>,
    pub message: String,
}

impl RunError {
    pub fn new(stage: &str, message: impl Into<String>) -> RunError {
        RunError {
            stage: stage.to_string(),
            id: None,
            source_path: None,
            line: None,
            col: None,
            message: message.into(),
        }
    }

    pub fn id(mut self, id: impl Into<String>) -> RunError {
        self.id = Some(id.into());
        self
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub format: u32,
    pub scope: String,
    pub stages: Stages,
    pub sources: Vec<SourceInfo>,
    pub definitions: BTreeMap<Uuid, Change<DefinitionRow>>,
    pub event_types: BTreeMap<String, Change<EventTypeRow>>,
    /// Definition files that failed to parse or validate.
    pub invalid: usize,
    pub errors: Vec<RunError>,
    /// Why this plan must not be applied (exit 3), if it must not.
    pub refusal: Option<String>,
    /// A source failed: nothing was planned for retirement (exit 1).
    pub source_failed: bool,
    /// [`Actual::fingerprint`] of the state planned against.
    pub fingerprint: String,
    #[serde(default)]
    pub schedules: BTreeMap<String, ScheduleChange>,
}

/// What the schedule changes do, by kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduleCounts {
    pub created: usize,
    pub updated: usize,
    pub paused: usize,
    pub unpaused: usize,
    pub deleted: usize,
    pub unchanged: usize,
    pub unmanaged: usize,
}

impl ScheduleCounts {
    /// Counts of the changes whose id `done` accepts (all of them for a plan).
    pub fn of<'a>(
        changes: impl Iterator<Item = &'a ScheduleChange>,
        done: impl Fn(&str) -> bool,
    ) -> ScheduleCounts {
        let mut counts = ScheduleCounts::default();
        for change in changes {
            let landed = !change.op.mutates() || done(&change.schedule_id);
            match change.op {
                _ if !landed => {}
                ScheduleOp::Create => counts.created += 1,
                ScheduleOp::Update => counts.updated += 1,
                ScheduleOp::Pause => counts.paused += 1,
                ScheduleOp::Unpause => counts.unpaused += 1,
                ScheduleOp::Delete => counts.deleted += 1,
                ScheduleOp::Unchanged | ScheduleOp::Skip => counts.unchanged += 1,
                ScheduleOp::Unmanaged => counts.unmanaged += 1,
            }
        }
        counts
    }
}

/// How many rows of one table each action touches.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub created: usize,
    pub updated: usize,
    pub retired: usize,
    pub unchanged: usize,
}

impl Counts {
    pub fn of<'a, R: Resource + 'a>(changes: impl Iterator<Item = &'a Change<R>>) -> Counts {
        let mut counts = Counts::default();
        for change in changes {
            match change.action {
                Action::Create => counts.created += 1,
                // Un-retiring writes the row again: an upsert like an update.
                Action::Update | Action::Unretire => counts.updated += 1,
                Action::Retire => counts.retired += 1,
                Action::Unchanged => counts.unchanged += 1,
            }
        }
        counts
    }

    pub fn changes(&self) -> usize {
        self.created + self.updated + self.retired
    }
}

impl Plan {
    pub fn definition_counts(&self) -> Counts {
        Counts::of(self.definitions.values())
    }

    pub fn event_type_counts(&self) -> Counts {
        Counts::of(self.event_types.values())
    }

    /// Whether applying would write anything.
    pub fn has_changes(&self) -> bool {
        self.definitions.values().any(|c| c.action.writes())
            || self.event_types.values().any(|c| c.action.writes())
            || self.schedules.values().any(|c| c.op.mutates())
    }
}
