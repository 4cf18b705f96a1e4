//! Plan: the difference between desired and actual state, as plain ordered data. One pure
//! planner decides rows and schedules together; every change type lives here.

mod actual;
mod baseline;
mod counts;
mod field_change;
mod fires_per_day;
mod foresight;
mod held_pause;
#[allow(clippy::module_inception)]
mod plan;
mod planner;
mod resource;
mod row_change;
mod run_error;
mod schedule_change;
mod schedules_from;
mod stages;
mod warning;

pub use actual::{Actual, Fingerprints, Workers};
pub use baseline::baseline;
pub use counts::{AuditCounts, Counts, Landed, RunCounts, ScheduleCounts, TableCounts};
pub use field_change::{FieldChange, unified_diff};
pub use fires_per_day::{CADENCE_FACTOR, FiresPerDay, format_change, format_rate};
pub use foresight::{ForesightOptions, HERD_WINDOW_DAYS};
pub use held_pause::{HeldPause, held_pauses};
pub use plan::{PLAN_FORMAT, Plan};
pub use planner::{PlanOptions, default_max_delete, needs_describe, plan};
pub use resource::{DefinitionRow, EventTypeRow, Resource};
pub use row_change::{Action, Change, RowStep};
pub use run_error::{ErrorKind, ErrorKinds, RunError};
pub use schedule_change::{ScheduleChange, ScheduleOp, ScheduleStep};
pub use schedules_from::SchedulesFrom;
pub use stages::Stages;
pub use warning::{Warning, WarningKind};
