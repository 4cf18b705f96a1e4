//! Apply: the executor. It walks a plan and transcribes it — rows in one transaction, then
//! schedules in the safe order — and returns what it did as [`Applied`]. It never re-plans,
//! except the one schedule whose conflict token went stale between describe and update
//! (SPEC §5), and it never decides what to write: notes, markers and hashes are in the plan.

mod applied;
#[cfg(test)]
mod memory;
mod progress;
mod rows;
mod schedules;

pub use applied::{Applied, ScheduleResult};
pub use progress::Progress;
pub use rows::{apply_rows, tables_created};
pub use schedules::{ApplyLimits, apply_schedules};
