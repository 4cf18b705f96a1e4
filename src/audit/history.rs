//! What Temporal says a schedule did: its own record (DescribeSchedule `info` and state) and
//! the workflows it started (ListWorkflowExecutions), as plain data.

use chrono::{DateTime, Utc};
use serde::Serialize;

/// A workflow run's status, as visibility reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    Running,
    Completed,
    Failed,
    Canceled,
    Terminated,
    ContinuedAsNew,
    TimedOut,
    /// Not (yet) reported.
    Unknown,
}

impl RunStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Running => "running",
            RunStatus::Completed => "completed",
            RunStatus::Failed => "failed",
            RunStatus::Canceled => "canceled",
            RunStatus::Terminated => "terminated",
            RunStatus::ContinuedAsNew => "continued_as_new",
            RunStatus::TimedOut => "timed_out",
            RunStatus::Unknown => "unknown",
        }
    }
}

/// One of the schedule's most recent actions (Temporal keeps ten).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecentAction {
    /// When it was due, jitter included.
    pub schedule_time: DateTime<Utc>,
    pub workflow_id: String,
    pub run_id: String,
    /// An eventually consistent view of the started workflow's status.
    pub status: RunStatus,
}

/// The schedule as DescribeSchedule shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScheduleHistory {
    pub paused: bool,
    pub notes: String,
    pub create_time: Option<DateTime<Utc>>,
    /// The last full update (a pause or unpause does not move it).
    pub update_time: Option<DateTime<Utc>>,
    pub action_count: i64,
    pub missed_catchup_window: i64,
    pub overlap_skipped: i64,
    pub buffer_dropped: i64,
    pub recent_actions: Vec<RecentAction>,
    pub future_action_times: Vec<DateTime<Utc>>,
}

/// A workflow the schedule started, from visibility.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Execution {
    pub workflow_id: String,
    pub run_id: String,
    /// `TemporalScheduledStartTime`: the nominal fire time (before jitter; the instant of a
    /// manual trigger).
    pub scheduled_for: DateTime<Utc>,
    pub start_time: Option<DateTime<Utc>>,
    pub close_time: Option<DateTime<Utc>>,
    pub status: RunStatus,
}
