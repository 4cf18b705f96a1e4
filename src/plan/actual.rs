//! The actual state a plan is made against: rows of every scope and the schedules of the
//! namespace that matter to the run, read once.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::resource::{DefinitionRow, EventTypeRow, Resource};
use super::stages::Stages;
use crate::definition::hash_json;
use crate::schedule::actual::ActualSchedule;
use crate::schedule::desired::SCHEDULE_ID_PREFIX;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Actual {
    pub definitions: BTreeMap<Uuid, DefinitionRow>,
    pub event_types: BTreeMap<String, EventTypeRow>,
    /// The namespace's schedules that matter to the run (listed; described where needed).
    #[serde(default)]
    pub schedules: BTreeMap<String, ActualSchedule>,
    /// Who polls the task queue the schedules start workflows on (one DescribeTaskQueue with
    /// the schedules stage); `None` when not asked.
    #[serde(skip)]
    pub workers: Option<Workers>,
}

/// What Temporal said of the workers of the schedules' task queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Workers {
    /// This many pollers seen recently.
    Polling(usize),
    /// Temporal could not say (the call failed): why.
    Unknown(String),
}

/// Hashes of the parts of the actual state a plan of one scope depends on. A saved plan is
/// applied only while the parts of the stages it applies are unchanged.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fingerprints {
    /// The scope's definition rows, by content (schedules follow them, so this part counts
    /// whenever definitions or schedules are applied).
    pub definitions: String,
    pub event_types: String,
    /// The scope's schedules and the unmarked ones a plan could adopt, by what a list shows.
    pub schedules: String,
}

impl Fingerprints {
    /// One hash over the parts `stages` depend on.
    pub fn combined(&self, scope: &str, stages: Stages) -> String {
        let part = |on: bool, hash: &str| if on { hash.to_string() } else { String::new() };
        hash_json(&serde_json::json!({
            "scope": scope,
            "definitions": part(stages.definitions || stages.schedules, &self.definitions),
            "event_types": part(stages.event_types, &self.event_types),
            "schedules": part(stages.schedules, &self.schedules),
        }))
    }
}

impl Actual {
    pub fn fingerprints(&self, scope: &str) -> Fingerprints {
        fn rows<'a, R: Resource + 'a>(rows: impl Iterator<Item = &'a R>, scope: &str) -> String {
            let rows: Vec<serde_json::Value> = rows
                // Unmanaged rows too: a plan may adopt them, or hold a schedule back for them.
                .filter(|r| r.scope() == scope || r.unmanaged())
                .map(|r| {
                    serde_json::json!([
                        r.id().to_string(),
                        r.content_hash(),
                        r.retired(),
                        r.source_path()
                    ])
                })
                .collect();
            hash_json(&serde_json::Value::Array(rows))
        }
        // Schedules by what a list shows (describes carry tokens that change on their own).
        let schedules: Vec<serde_json::Value> = self
            .schedules
            .values()
            .filter(|s| match s.owner() {
                // And those the database mode made for rows with no scope, which `--adopt`
                // may take over.
                Some(owner) => owner == scope || s.adoptable_by(scope),
                None => s.schedule_id.starts_with(SCHEDULE_ID_PREFIX),
            })
            .map(|s| serde_json::json!([s.schedule_id, s.owner(), s.paused, s.spec_hash, s.listed]))
            .collect();
        Fingerprints {
            definitions: rows(self.definitions.values(), scope),
            event_types: rows(self.event_types.values(), scope),
            schedules: hash_json(&serde_json::Value::Array(schedules)),
        }
    }

    /// [`Fingerprints::combined`] of this state.
    pub fn fingerprint(&self, scope: &str, stages: Stages) -> String {
        self.fingerprints(scope).combined(scope, stages)
    }
}
