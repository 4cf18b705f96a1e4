//! What Temporal has: one entry per schedule of the namespace that matters to a run.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::calendar::Calendar;
use super::desired::{DesiredSchedule, Shape};

/// The pseudo-scope of `--schedules-from database --scope '*'`: the rows no scope owns (the
/// runtime's own), and the schedules that run makes for them.
pub const ANY_SCOPE: &str = "*";

/// A schedule as ListSchedules (and, where needed, DescribeSchedule) showed it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActualSchedule {
    pub schedule_id: String,
    /// Memo `activity-sync/scope`, written at create.
    pub memo_scope: Option<String>,
    /// Memo `activity-sync/definition-id`, written at create.
    pub memo_definition: Option<Uuid>,
    /// Search attribute `ActivitySyncScope` (also on adopted schedules).
    pub attribute_scope: Option<String>,
    /// Search attribute `ActivitySyncSpecHash`: the shape hash we last wrote.
    pub spec_hash: Option<String>,
    pub paused: bool,
    /// The schedule's notes (the pause reason of a paused schedule): who paused it.
    #[serde(default)]
    pub notes: String,
    /// Calendars, time zone and jitter as the list shows them.
    pub listed: Option<ListedSpec>,
    /// Set when the schedule was described: its whole comparable shape (`None` inside when
    /// it is not a shape we could have written).
    pub described: Option<Described>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListedSpec {
    pub calendars: Vec<Calendar>,
    pub timezone: String,
    pub jitter_seconds: u64,
    /// The workflow type its action starts (`None`: not a workflow action).
    #[serde(default)]
    pub workflow_type: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Described {
    pub shape: Option<Shape>,
    /// The token an update must carry (SPEC §5: never describe-modify-update blindly).
    pub conflict_token: Vec<u8>,
    pub action_count: i64,
    pub limited_actions: bool,
    pub remaining_actions: i64,
}

impl ActualSchedule {
    /// The schedule as a describe shows it right after activity-sync wrote `want` for
    /// `scope` with `notes` (a one-shot one not yet fired): what a model of the executor
    /// (`diff`'s baseline, the planner's properties, the in-memory backend) holds.
    pub fn as_written(
        scope: &str,
        want: &DesiredSchedule,
        notes: &str,
        conflict_token: Vec<u8>,
    ) -> ActualSchedule {
        ActualSchedule {
            schedule_id: want.schedule_id.clone(),
            memo_scope: Some(scope.to_string()),
            memo_definition: Some(want.definition_id),
            attribute_scope: Some(scope.to_string()),
            spec_hash: Some(want.spec_hash.clone()),
            paused: want.paused,
            notes: notes.to_string(),
            listed: None,
            described: Some(Described {
                shape: Some(want.shape.clone()),
                conflict_token,
                action_count: 0,
                limited_actions: want.shape.limited_actions,
                remaining_actions: i64::from(want.shape.limited_actions),
            }),
        }
    }

    /// The scope that owns it, by memo (set at create) or search attribute (adopted). A
    /// schedule created for a row with no scope (`--schedules-from database --scope '*'`)
    /// carries [`ANY_SCOPE`] in its memo, which cannot change: once a real scope took it over
    /// (`--adopt`), the search attribute names the owner.
    pub fn owner(&self) -> Option<&str> {
        match self.memo_scope.as_deref() {
            Some(ANY_SCOPE) => self.attribute_scope.as_deref().or(Some(ANY_SCOPE)),
            Some(memo) => Some(memo),
            None => self.attribute_scope.as_deref(),
        }
    }

    /// Whether `--adopt` lets `scope` take it over: it carries no marker (an older sync wrote
    /// it), or it was made for a row with no scope by the database mode ([`ANY_SCOPE`]) and
    /// `scope` is a real one (the row is being adopted by it).
    pub fn adoptable_by(&self, scope: &str) -> bool {
        match self.owner() {
            None => true,
            Some(owner) => owner == ANY_SCOPE && scope != ANY_SCOPE,
        }
    }

    /// The hash of the shape activity-sync last wrote on it: the search attribute, or else
    /// the one its notes end with ([`spec_of`](super::spec_note::spec_of)).
    pub fn written_hash(&self) -> Option<&str> {
        self.spec_hash
            .as_deref()
            .or_else(|| super::spec_note::spec_of(&self.notes))
    }

    /// A one-shot schedule that has used its action (or was spent and dropped by Temporal).
    pub fn fired(&self) -> bool {
        self.described
            .as_ref()
            .is_some_and(|d| d.action_count > 0 || (d.limited_actions && d.remaining_actions == 0))
    }
}
