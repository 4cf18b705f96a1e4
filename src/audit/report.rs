//! The audit result: one serde value that the renderers print and `--report-url` can post as
//! it is. Its JSON keys are a public contract (docs/operations.md).

use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use super::history::RunStatus;
use crate::error::Exit;
pub use crate::plan::AuditCounts;
use crate::plan::RunError;

/// What became of one expected fire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FireStatus {
    /// Its workflow completed.
    Ok,
    /// Its workflow is still running.
    Running,
    /// Its workflow failed, timed out, was terminated or canceled.
    Failed,
    /// Not started because a run of the same schedule was still going (overlap policy).
    Skipped,
    /// No workflow was started for it.
    Missed,
}

impl FireStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            FireStatus::Ok => "ok",
            FireStatus::Running => "running",
            FireStatus::Failed => "failed",
            FireStatus::Skipped => "skipped",
            FireStatus::Missed => "missed",
        }
    }

    /// Whether it calls for someone to look (missed or failed).
    pub fn is_bad(self) -> bool {
        matches!(self, FireStatus::Failed | FireStatus::Missed)
    }
}

/// The audited window: fires due in `[from, to]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Window {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

/// Counts one judged fire.
pub fn count(counts: &mut AuditCounts, status: FireStatus) {
    match status {
        FireStatus::Ok => counts.ok += 1,
        FireStatus::Running => counts.running += 1,
        FireStatus::Failed => counts.failed += 1,
        FireStatus::Skipped => counts.skipped += 1,
        FireStatus::Missed => counts.missed += 1,
    }
}

/// One expected fire and what became of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FireAudit {
    /// The nominal fire time (before jitter).
    pub expected: DateTime<Utc>,
    pub status: FireStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workflow_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub run_id: Option<String>,
    /// The workflow's own status, as Temporal reports it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workflow_status: Option<RunStatus>,
    /// Why it was skipped or missed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// A workflow the schedule started that no expected fire accounts for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExtraFire {
    /// `TemporalScheduledStartTime` (for a manual trigger: when it was triggered).
    pub scheduled_for: DateTime<Utc>,
    pub workflow_id: String,
    pub run_id: String,
    pub workflow_status: RunStatus,
}

/// The schedule's own counters (DescribeSchedule `info`), over its whole life.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct TemporalCounters {
    pub action_count: i64,
    pub missed_catchup_window: i64,
    pub overlap_skipped: i64,
    pub buffer_dropped: i64,
}

/// One audited definition and its schedule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScheduleAudit {
    /// The definition id.
    pub id: Uuid,
    pub key: String,
    pub schedule_id: String,
    pub source_path: String,
    /// `0 6 * * * Europe/Berlin`, `once at …`.
    pub trigger: String,
    /// Whether Temporal has the schedule.
    pub exists: bool,
    pub paused: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    /// Fires are judged from here: the window's start, or the schedule's creation or last
    /// update when later (its fires before then followed another spec, or none).
    pub judged_from: DateTime<Utc>,
    pub last_fire: Option<DateTime<Utc>>,
    pub next_fire: Option<DateTime<Utc>>,
    pub counts: AuditCounts,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub temporal: Option<TemporalCounters>,
    pub fires: Vec<FireAudit>,
    pub extra: Vec<ExtraFire>,
    /// Temporal could not be asked about this schedule: nothing is judged.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The whole audit of a scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditReport {
    /// Always `audit`.
    pub mode: &'static str,
    pub scope: String,
    pub namespace: String,
    pub window: Window,
    pub counts: AuditCounts,
    pub schedules: Vec<ScheduleAudit>,
    /// Automation errors (database rows that cannot be read, Temporal calls that failed).
    pub errors: Vec<RunError>,
    /// What limits the audit without failing it (the window shortened to the namespace's
    /// retention).
    pub warnings: Vec<String>,
}

impl AuditReport {
    pub fn new(
        scope: &str,
        namespace: &str,
        window: Window,
        schedules: Vec<ScheduleAudit>,
        errors: Vec<RunError>,
    ) -> AuditReport {
        let mut counts = AuditCounts::default();
        for s in &schedules {
            counts.merge(&s.counts);
        }
        AuditReport {
            mode: "audit",
            scope: scope.to_string(),
            namespace: namespace.to_string(),
            window,
            counts,
            schedules,
            errors,
            warnings: Vec::new(),
        }
    }

    /// 5 when a fire was missed or failed (found even if other schedules could not be read);
    /// else 1 when Temporal or the database failed; else 0.
    pub fn exit(&self) -> Exit {
        if self.counts.missed + self.counts.failed > 0 {
            Exit::FiresMissed
        } else if !self.errors.is_empty() {
            Exit::Failure
        } else {
            Exit::Success
        }
    }

    /// `success`, `missed` or `failure`: the `outcome` recorded in `sync_runs`.
    pub fn outcome(&self) -> &'static str {
        match self.exit() {
            Exit::FiresMissed => "missed",
            Exit::Success => "success",
            _ => "failure",
        }
    }
}
