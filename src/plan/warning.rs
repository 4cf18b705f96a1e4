//! A warning of the plan: something a reviewer should know that is not an error and never
//! fails the run, `--strict` included (SPEC §9). Per-change warnings (DST) stay on their
//! change; these are the plan's own list.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WarningKind {
    /// A managed schedule paused by someone else while its definition is enabled: held.
    ManualPause,
    /// No worker polls the task queue the scope's running schedules start workflows on.
    NoWorker,
    /// A schedule's fires per day change by a factor of ten or more, either way.
    Cadence,
    /// Many fires of the scope's schedules start in the same second.
    Herd,
    /// A new definition named like an unmanaged row of another id: applying it would run a
    /// second schedule next to that row's (a file written without the row's id).
    Duplicate,
}

impl WarningKind {
    /// As in the JSON `warnings[].kind`.
    pub fn as_str(self) -> &'static str {
        match self {
            WarningKind::ManualPause => "manual_pause",
            WarningKind::NoWorker => "no_worker",
            WarningKind::Cadence => "cadence",
            WarningKind::Herd => "herd",
            WarningKind::Duplicate => "duplicate",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Warning {
    pub kind: WarningKind,
    /// The schedule it is about, if one.
    pub id: Option<String>,
    pub message: String,
}
