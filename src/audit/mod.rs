//! `audit`, pure (SPEC §8): the fires each enabled cron and `once` definition of a scope should
//! have made in a window, matched against what Temporal did — the schedule's own record
//! (DescribeSchedule `info`) and the workflows it started (visibility, by
//! `TemporalScheduledById` / `TemporalScheduledStartTime`). Each expected fire is ok, running,
//! failed, skipped (overlap) or missed.
//!
//! No I/O, no clock, no environment: the command reads the rows and asks Temporal, and hands
//! the answers and `now` in ([`judge`]).

mod audited;
mod history;
mod judge;
mod report;
#[cfg(test)]
mod tests;

pub use audited::{Audited, Cadence};
pub use history::{Execution, RecentAction, RunStatus, ScheduleHistory};
pub use judge::{FIRES_PER_SCHEDULE, Facts, judge, judged_from, unread};
pub use report::{
    AuditCounts, AuditReport, ExtraFire, FireAudit, FireStatus, ScheduleAudit, TemporalCounters,
    Window, count,
};
