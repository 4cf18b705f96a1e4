//! Everything a renderer, `sync_runs` and the exit code need of one run.

use chrono::{DateTime, Utc};

use super::outcome::{Mode, Outcome};
use crate::apply::Applied;
use crate::error::Exit;
use crate::gather::SourceInfo;
use crate::plan::{Counts, Landed, Plan, RunCounts, RunError, ScheduleCounts, TableCounts};
use crate::schedule::backend::CallCountsSnapshot;

/// Errors listed per run in output and in `sync_runs`.
pub const MAX_ERRORS: usize = 100;

#[derive(Debug, Clone)]
pub struct Report {
    pub mode: Mode,
    pub plan: Plan,
    pub outcome: Outcome,
    /// Where the rows live, secrets redacted.
    pub database: String,
    /// Errors of the run itself (database, lock, stale plan, Temporal), after the plan's own.
    pub run_errors: Vec<RunError>,
    /// Apply: what the executor did; `None` when nothing was written (plan, refusals,
    /// failures before the write).
    pub applied: Option<Applied>,
    /// Temporal calls made, when Temporal was reached.
    pub calls: Option<CallCountsSnapshot>,
    pub started_at: DateTime<Utc>,
    /// `plan --detailed-exitcode`: exit 2 when changes are pending.
    pub detailed_exitcode: bool,
    /// `apply --fail-on-lock`: exit 3 when the lock was held.
    pub fail_on_lock: bool,
    /// `diff`: the sources the plan was made against (its base); `None` for plan and apply.
    pub base: Option<Vec<SourceInfo>>,
}

impl Report {
    /// The outcome a plan and the run's errors call for, before and after an apply.
    pub fn decide(plan: &Plan, run_errors: &[RunError], strict: bool) -> Outcome {
        if plan.refusal.is_some() {
            Outcome::Refused
        } else if strict && plan.invalid > 0 {
            Outcome::Invalid
        } else if plan.source_failed || !run_errors.is_empty() {
            Outcome::Failed
        } else if plan.conflicts > 0 {
            Outcome::Conflict
        } else {
            Outcome::Success
        }
    }

    /// Whether the rows of the plan were committed (apply), or would be (plan, diff).
    fn rows_landed(&self) -> bool {
        match self.mode {
            Mode::Plan | Mode::Diff => true,
            Mode::Apply => self.applied.as_ref().is_some_and(|a| a.rows_committed),
        }
    }

    /// Row counts: "would be" for plan, what was committed for apply.
    pub fn row_counts(&self) -> (Counts, Counts) {
        let (d, e) = (self.plan.definition_counts(), self.plan.event_type_counts());
        if self.rows_landed() {
            (d, e)
        } else {
            (d.not_committed(), e.not_committed())
        }
    }

    /// Schedule counts: planned (plan), or what took effect (apply).
    pub fn schedule_counts(&self) -> ScheduleCounts {
        let changes = self.plan.schedules.values();
        match (self.mode, &self.applied) {
            (Mode::Plan | Mode::Diff, _) => ScheduleCounts::of(changes, |_| Landed::Yes),
            (Mode::Apply, Some(applied)) => ScheduleCounts::of(changes, |id| applied.landed(id)),
            (Mode::Apply, None) => ScheduleCounts::of(changes, |_| Landed::No),
        }
    }

    /// The counts of the JSON contract and of `sync_runs.counts`.
    pub fn counts(&self) -> RunCounts {
        let (definitions, event_types) = self.row_counts();
        RunCounts {
            definitions: TableCounts::new(definitions, Some(self.plan.invalid)),
            event_types: TableCounts::new(event_types, None),
            schedules: self.schedule_counts(),
            audit: None,
        }
    }

    pub fn errors(&self) -> impl Iterator<Item = &RunError> {
        self.plan
            .errors
            .iter()
            .chain(&self.run_errors)
            .chain(self.applied.iter().flat_map(|a| &a.errors))
    }

    /// At most [`MAX_ERRORS`] errors, and a last one saying how many were left out.
    pub fn bounded_errors(&self) -> Vec<RunError> {
        let mut errors: Vec<RunError> = self.errors().take(MAX_ERRORS).cloned().collect();
        let total = self.errors().count();
        if total > MAX_ERRORS {
            errors.push(RunError::new(
                "report",
                format!("{} more errors not shown", total - MAX_ERRORS),
            ));
        }
        errors
    }
}

/// The one place outcomes become exit codes (SPEC §6).
impl From<&Report> for Exit {
    fn from(report: &Report) -> Exit {
        match report.outcome {
            Outcome::Failed | Outcome::Conflict => Exit::Failure,
            Outcome::Refused => Exit::Refused,
            Outcome::Invalid => Exit::Invalid,
            Outcome::LockSkipped if report.fail_on_lock => Exit::Refused,
            Outcome::LockSkipped => Exit::Success,
            Outcome::Success if report.detailed_exitcode && report.plan.has_changes() => {
                Exit::ChangesPending
            }
            Outcome::Success => Exit::Success,
        }
    }
}
