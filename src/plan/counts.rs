//! Counts of what a plan would do or an apply did: the numbers of the JSON contract (§6) and
//! of `sync_runs.counts`, which `status` reads back.

use serde::{Deserialize, Serialize};

use super::resource::Resource;
use super::row_change::{Action, Change};
use super::schedule_change::{ScheduleChange, ScheduleOp, ScheduleStep};

/// How many rows of one table each action touches.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub created: usize,
    pub updated: usize,
    pub retired: usize,
    pub unchanged: usize,
    /// Rows without a scope (written before activity-sync took over the table): left alone.
    #[serde(default)]
    pub unmanaged: usize,
}

impl Counts {
    pub fn of<'a, R: Resource + 'a>(changes: impl Iterator<Item = &'a Change<R>>) -> Counts {
        let mut counts = Counts::default();
        for change in changes {
            match change.action() {
                Action::Create => counts.created += 1,
                // Un-retiring writes the row again: an upsert like an update.
                // So does an adoption.
                Action::Update | Action::Unretire | Action::Adopt => counts.updated += 1,
                Action::Retire => counts.retired += 1,
                Action::Unchanged => counts.unchanged += 1,
                Action::Unmanaged => counts.unmanaged += 1,
            }
        }
        counts
    }

    /// The changes of a plan whose rows were not committed: nothing but the unchanged.
    pub fn not_committed(self) -> Counts {
        Counts {
            unchanged: self.unchanged,
            unmanaged: self.unmanaged,
            ..Counts::default()
        }
    }

    pub fn changes(&self) -> usize {
        self.created + self.updated + self.retired
    }
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
    /// `created + updated` (what the old sync's smoke checks read).
    #[serde(default)]
    pub upserted: usize,
    /// The state after the run (after the plan, for `plan`): the scope's managed schedules
    /// that run, and those that are paused (`paused` above counts the pauses this run made).
    #[serde(default)]
    pub active: usize,
    #[serde(default)]
    pub paused_total: usize,
}

/// Whether a planned schedule change took effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Landed {
    /// Written (or, for a plan, would be).
    Yes,
    /// Nothing needed writing after all (it was already as wanted): counted unchanged.
    InPlace,
    /// Failed or not attempted.
    No,
}

impl ScheduleCounts {
    /// Counts of the changes as `landed` says each went (`Landed::Yes` for a plan).
    pub fn of<'a>(
        changes: impl Iterator<Item = &'a ScheduleChange>,
        landed: impl Fn(&str) -> Landed,
    ) -> ScheduleCounts {
        let mut counts = ScheduleCounts::default();
        for change in changes {
            let mut op = change.op();
            let went = if op.mutates() {
                landed(&change.schedule_id)
            } else {
                Landed::Yes
            };
            match after(change, went) {
                Some(true) => counts.paused_total += 1,
                Some(false) => counts.active += 1,
                None => {}
            }
            if op.mutates() {
                match went {
                    Landed::Yes => {}
                    Landed::InPlace => op = ScheduleOp::Unchanged,
                    Landed::No => continue,
                }
            }
            match op {
                ScheduleOp::Create => counts.created += 1,
                ScheduleOp::Update => counts.updated += 1,
                ScheduleOp::Pause => counts.paused += 1,
                ScheduleOp::Unpause => counts.unpaused += 1,
                ScheduleOp::Delete => counts.deleted += 1,
                ScheduleOp::Unchanged | ScheduleOp::Skip | ScheduleOp::Held => {
                    counts.unchanged += 1
                }
                ScheduleOp::Unmanaged => counts.unmanaged += 1,
            }
        }
        counts.upserted = counts.created + counts.updated;
        counts
    }
}

/// Whether the scope's schedule is paused after the change (`None`: the scope has none).
fn after(change: &ScheduleChange, went: Landed) -> Option<bool> {
    let before = change
        .have()
        .filter(|h| h.owner().is_some())
        .map(|h| h.paused);
    if went == Landed::No {
        return before;
    }
    match &change.step {
        ScheduleStep::Create { want, .. } | ScheduleStep::Update { want, .. } => Some(want.paused),
        ScheduleStep::Pause { .. } => Some(true),
        ScheduleStep::Unpause { .. } => Some(false),
        ScheduleStep::Unchanged { have } | ScheduleStep::Held { have } => {
            have.owner().map(|_| have.paused)
        }
        ScheduleStep::Delete { .. }
        | ScheduleStep::Unmanaged { .. }
        | ScheduleStep::Skip { .. } => None,
    }
}

/// One table's counts as the JSON contract shows them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableCounts {
    #[serde(default)]
    pub created: usize,
    #[serde(default)]
    pub updated: usize,
    #[serde(default)]
    pub retired: usize,
    #[serde(default)]
    pub unchanged: usize,
    /// `created + updated`.
    #[serde(default)]
    pub upserted: usize,
    /// Rows without a scope, left alone (`--adopt` takes over those a file names).
    #[serde(default)]
    pub unmanaged: usize,
    /// Definition files that failed to parse or validate (definitions only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invalid: Option<usize>,
}

impl TableCounts {
    pub fn new(c: Counts, invalid: Option<usize>) -> TableCounts {
        TableCounts {
            created: c.created,
            updated: c.updated,
            retired: c.retired,
            unchanged: c.unchanged,
            upserted: c.created + c.updated,
            unmanaged: c.unmanaged,
            invalid,
        }
    }
}

/// The counts of one run: `definitions`, `event_types`, `schedules` of the JSON contract, and
/// the `counts` column of `sync_runs`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunCounts {
    #[serde(default)]
    pub definitions: TableCounts,
    #[serde(default)]
    pub event_types: TableCounts,
    #[serde(default)]
    pub schedules: ScheduleCounts,
    /// An `audit` run: what became of the fires due (absent for plan and apply).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audit: Option<AuditCounts>,
}

/// What became of the fires an `audit` judged (SPEC §8): its JSON `counts` and, for an audit
/// run, `sync_runs.counts.audit`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AuditCounts {
    pub ok: usize,
    pub running: usize,
    pub failed: usize,
    pub skipped: usize,
    pub missed: usize,
    /// Fires Temporal made that no cron asked for (a manual trigger, a backfill): information.
    pub extra: usize,
}

impl AuditCounts {
    pub fn merge(&mut self, other: &AuditCounts) {
        self.ok += other.ok;
        self.running += other.running;
        self.failed += other.failed;
        self.skipped += other.skipped;
        self.missed += other.missed;
        self.extra += other.extra;
    }

    /// Expected fires judged.
    pub fn expected(&self) -> usize {
        self.ok + self.running + self.failed + self.skipped + self.missed
    }
}
