//! The plan: plain, ordered data that renderers and the applier both read.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::change::{Action, Change};
use super::resource::{DefinitionRow, EventTypeRow, Resource};
use crate::definition::hash_json;
use crate::gather::SourceInfo;

/// Version of the saved-plan format (`plan --out`).
pub const PLAN_FORMAT: u32 = 1;

/// Which parts of the state a run reconciles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stages {
    pub definitions: bool,
    pub event_types: bool,
}

/// The rows the database holds, every scope.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Actual {
    pub definitions: BTreeMap<Uuid, DefinitionRow>,
    pub event_types: BTreeMap<String, EventTypeRow>,
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
        hash_json(&serde_json::json!({
            "scope": scope,
            "definitions": definitions,
            "event_types": event_types,
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
    }
}
