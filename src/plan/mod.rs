//! Plan: the difference between desired and actual state, as plain ordered data.

mod change;
mod model;
mod planner;
mod resource;

pub use change::{Action, Change, FieldChange, unified_diff};
pub use model::{Actual, Counts, PLAN_FORMAT, Plan, RunError, ScheduleCounts, Stages};
pub use planner::{PlanOptions, default_max_delete, plan};
pub use resource::{DefinitionRow, EventTypeRow, Resource};
