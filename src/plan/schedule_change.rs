//! One planned change to one Temporal schedule. Every variant carries what its step needs,
//! including the note written to Temporal, so the executor transcribes and never decides.

use serde::{Deserialize, Serialize};

use super::fires_per_day::FiresPerDay;
use crate::schedule::actual::ActualSchedule;
use crate::schedule::desired::DesiredSchedule;
use crate::schedule::fires::{DstWarning, Fire};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScheduleOp {
    Create,
    /// Send the whole desired schedule with the conflict token of its describe.
    Update,
    Pause,
    Unpause,
    Delete,
    Unchanged,
    /// Not ours (no marker): listed, never touched.
    Unmanaged,
    /// Paused by someone else while its definition is enabled: left paused (SPEC §5).
    Held,
    /// Wanted but not created (a `once` in the past, no row to load).
    Skip,
}

impl ScheduleOp {
    pub fn as_str(self) -> &'static str {
        match self {
            ScheduleOp::Create => "create",
            ScheduleOp::Update => "update",
            ScheduleOp::Pause => "pause",
            ScheduleOp::Unpause => "unpause",
            ScheduleOp::Delete => "delete",
            ScheduleOp::Unchanged => "unchanged",
            ScheduleOp::Unmanaged => "unmanaged",
            ScheduleOp::Held => "held",
            ScheduleOp::Skip => "skip",
        }
    }

    pub fn sign(self) -> &'static str {
        match self {
            ScheduleOp::Create => "+",
            ScheduleOp::Update => "~",
            ScheduleOp::Pause => "⏸",
            ScheduleOp::Unpause => "▶",
            ScheduleOp::Delete => "-",
            ScheduleOp::Unchanged => "=",
            ScheduleOp::Unmanaged => "?",
            ScheduleOp::Held => "⏸",
            ScheduleOp::Skip => "!",
        }
    }

    pub fn mutates(self) -> bool {
        matches!(
            self,
            ScheduleOp::Create
                | ScheduleOp::Update
                | ScheduleOp::Pause
                | ScheduleOp::Unpause
                | ScheduleOp::Delete
        )
    }
}

/// What happens to the schedule. `temporal_note` is the schedule note (or pause reason)
/// written to Temporal.
// An update carries both schedules; boxing would buy nothing for a few thousand plain
// values read once.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum ScheduleStep {
    Create {
        want: DesiredSchedule,
        temporal_note: String,
    },
    Update {
        want: DesiredSchedule,
        have: ActualSchedule,
        /// The conflict token of the describe this update was planned from.
        token: Vec<u8>,
        /// An unmarked schedule taken over with `--adopt`.
        adopt: bool,
        temporal_note: String,
    },
    Pause {
        have: ActualSchedule,
        temporal_note: String,
    },
    Unpause {
        have: ActualSchedule,
        temporal_note: String,
    },
    Delete {
        have: ActualSchedule,
        /// An unmarked orphan with the conventional id, deleted with `--adopt`: the executor
        /// deletes it only while it is still unmarked.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        adopt: bool,
    },
    Unchanged {
        have: ActualSchedule,
    },
    Unmanaged {
        have: ActualSchedule,
    },
    /// A pause someone else made, kept as it is.
    Held {
        have: ActualSchedule,
    },
    Skip {
        want: DesiredSchedule,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScheduleChange {
    pub schedule_id: String,
    /// The definition's key, when there is a definition.
    pub key: Option<String>,
    #[serde(flatten)]
    pub step: ScheduleStep,
    /// Why, for people.
    pub note: Option<String>,
    /// Unified diff of the schedule as Temporal has it → as wanted (updates).
    pub diff: String,
    /// Next fires of a created or changed cron schedule.
    pub fires: Vec<Fire>,
    pub warnings: Vec<DstWarning>,
    /// Fires per day before and after, for a created, updated, paused, unpaused or deleted
    /// cron schedule (SPEC §9).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fires_per_day: Option<FiresPerDay>,
}

impl ScheduleChange {
    pub fn new(schedule_id: &str, key: Option<String>, step: ScheduleStep) -> ScheduleChange {
        ScheduleChange {
            schedule_id: schedule_id.to_string(),
            key,
            step,
            note: None,
            diff: String::new(),
            fires: Vec::new(),
            warnings: Vec::new(),
            fires_per_day: None,
        }
    }

    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.note = Some(note.into());
        self
    }

    pub fn op(&self) -> ScheduleOp {
        match self.step {
            ScheduleStep::Create { .. } => ScheduleOp::Create,
            ScheduleStep::Update { .. } => ScheduleOp::Update,
            ScheduleStep::Pause { .. } => ScheduleOp::Pause,
            ScheduleStep::Unpause { .. } => ScheduleOp::Unpause,
            ScheduleStep::Delete { .. } => ScheduleOp::Delete,
            ScheduleStep::Unchanged { .. } => ScheduleOp::Unchanged,
            ScheduleStep::Unmanaged { .. } => ScheduleOp::Unmanaged,
            ScheduleStep::Held { .. } => ScheduleOp::Held,
            ScheduleStep::Skip { .. } => ScheduleOp::Skip,
        }
    }

    /// The schedule wanted, for a create, an update or a skip.
    pub fn want(&self) -> Option<&DesiredSchedule> {
        match &self.step {
            ScheduleStep::Create { want, .. }
            | ScheduleStep::Update { want, .. }
            | ScheduleStep::Skip { want } => Some(want),
            _ => None,
        }
    }

    /// The schedule as Temporal has it, when it exists.
    pub fn have(&self) -> Option<&ActualSchedule> {
        match &self.step {
            ScheduleStep::Create { .. } | ScheduleStep::Skip { .. } => None,
            ScheduleStep::Update { have, .. }
            | ScheduleStep::Pause { have, .. }
            | ScheduleStep::Unpause { have, .. }
            | ScheduleStep::Delete { have, .. }
            | ScheduleStep::Unchanged { have }
            | ScheduleStep::Unmanaged { have }
            | ScheduleStep::Held { have } => Some(have),
        }
    }

    /// Whether it is listed for people (everything but the silently unchanged).
    pub fn listed(&self) -> bool {
        self.op() != ScheduleOp::Unchanged || self.note.is_some()
    }
}
