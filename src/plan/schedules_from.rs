//! Where a run's desired schedules come from (`--schedules-from`).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SchedulesFrom {
    /// Definition files (`--source`): rows and schedules follow them.
    #[default]
    Sources,
    /// The rows the database holds (written by the runtime's API, or by an earlier run):
    /// Temporal follows them and no row is written.
    Database,
}
