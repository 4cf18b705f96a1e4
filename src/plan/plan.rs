//! The plan: plain, ordered data that renderers and the executor both read, and that
//! `plan --out` saves for `apply PLAN`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::actual::Fingerprints;
use super::counts::Counts;
use super::fires_per_day::FiresPerDay;
use super::resource::{DefinitionRow, EventTypeRow};
use super::row_change::Change;
use super::run_error::RunError;
use super::schedule_change::ScheduleChange;
use super::stages::Stages;
use super::warning::Warning;
use crate::gather::SourceInfo;

/// Version of the saved-plan format (`plan --out`).
pub const PLAN_FORMAT: u32 = 3;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub format: u32,
    pub scope: String,
    pub stages: Stages,
    pub sources: Vec<SourceInfo>,
    pub definitions: BTreeMap<Uuid, Change<DefinitionRow>>,
    pub event_types: BTreeMap<String, Change<EventTypeRow>>,
    pub schedules: BTreeMap<String, ScheduleChange>,
    /// Definition files that failed to parse or validate.
    pub invalid: usize,
    /// Definitions, event types or schedules refused because another scope or another
    /// definition holds what they claim (an id, a key, a schedule): listed in `errors`.
    pub conflicts: usize,
    pub errors: Vec<RunError>,
    /// What a reviewer should know that is not an error (held hand pauses, …).
    #[serde(default)]
    pub warnings: Vec<Warning>,
    /// Fires per day of the scope's managed cron schedules, before and after (with the
    /// schedules stage).
    #[serde(default)]
    pub fires_per_day: Option<FiresPerDay>,
    /// Why this plan must not be applied (exit 3), if it must not.
    pub refusal: Option<String>,
    /// A source failed: nothing was planned for retirement or deletion (exit 1).
    pub source_failed: bool,
    /// [`Fingerprints::combined`] of the state planned against, for the plan's stages.
    pub fingerprint: String,
    pub fingerprints: Fingerprints,
}

impl Plan {
    /// A plan that does nothing: what a run reports when it stopped before planning.
    pub fn empty(scope: &str, stages: Stages, sources: Vec<SourceInfo>) -> Plan {
        Plan {
            format: PLAN_FORMAT,
            scope: scope.to_string(),
            stages,
            sources,
            definitions: BTreeMap::new(),
            event_types: BTreeMap::new(),
            schedules: BTreeMap::new(),
            invalid: 0,
            conflicts: 0,
            errors: Vec::new(),
            warnings: Vec::new(),
            fires_per_day: None,
            refusal: None,
            source_failed: false,
            fingerprint: String::new(),
            fingerprints: Fingerprints::default(),
        }
    }

    pub fn definition_counts(&self) -> Counts {
        Counts::of(self.definitions.values())
    }

    pub fn event_type_counts(&self) -> Counts {
        Counts::of(self.event_types.values())
    }

    /// Whether applying would write anything.
    pub fn has_changes(&self) -> bool {
        self.definitions.values().any(|c| c.action().writes())
            || self.event_types.values().any(|c| c.action().writes())
            || self.schedules.values().any(|c| c.op().mutates())
    }

    /// The plan with only the stages of `stages` that it has (`apply PLAN --schedules=false`
    /// applies the saved rows and leaves Temporal alone).
    pub fn narrowed(mut self, stages: Stages) -> Plan {
        if !stages.definitions {
            self.definitions.clear();
        }
        if !stages.event_types {
            self.event_types.clear();
        }
        if !stages.schedules {
            self.schedules.clear();
            self.warnings.clear();
            self.fires_per_day = None;
        }
        self.stages = Stages {
            definitions: self.stages.definitions && stages.definitions,
            event_types: self.stages.event_types && stages.event_types,
            schedules: self.stages.schedules && stages.schedules,
        };
        self.fingerprint = self.fingerprints.combined(&self.scope, self.stages);
        self
    }
}
