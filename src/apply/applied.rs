//! What the executor did: returned by it, never assembled by mutating a report.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::plan::{Landed, RunError};

/// How one planned schedule change went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "result", content = "message", rename_all = "snake_case")]
pub enum ScheduleResult {
    /// Written and confirmed.
    Done,
    /// Already as wanted when the executor got to it: nothing written.
    InPlace,
    Failed(String),
    /// Not started: deletions held after a failure, Temporal unavailable, or the deadline.
    NotAttempted(String),
}

impl ScheduleResult {
    pub fn landed(&self) -> Landed {
        match self {
            ScheduleResult::Done => Landed::Yes,
            ScheduleResult::InPlace => Landed::InPlace,
            ScheduleResult::Failed(_) | ScheduleResult::NotAttempted(_) => Landed::No,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Applied {
    /// Whether the row changes (and event types) were committed.
    pub rows_committed: bool,
    /// Every mutating schedule change of the plan that the executor saw, by schedule id.
    pub schedules: BTreeMap<String, ScheduleResult>,
    /// Failures, each said once.
    pub errors: Vec<RunError>,
}

impl Applied {
    /// How a schedule change went; one the executor never saw did not land.
    pub fn landed(&self, schedule_id: &str) -> Landed {
        self.schedules
            .get(schedule_id)
            .map_or(Landed::No, ScheduleResult::landed)
    }

    /// Schedule changes that did not land.
    pub fn schedules_not_applied(&self) -> usize {
        self.schedules
            .values()
            .filter(|r| r.landed() == Landed::No)
            .count()
    }
}
