//! The schedules a plan holds paused because someone else paused them while their
//! definitions are enabled (SPEC §5), as `status` lists them: from the rows and the
//! schedules as they are now, by the same rule the planner uses.

use serde::Serialize;

use super::actual::Actual;
use crate::schedule::pause::paused_by_us;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HeldPause {
    pub scope: String,
    pub schedule_id: String,
    pub key: String,
    /// The note of the pause, as they wrote it.
    pub note: String,
}

/// The managed schedules (of `scope`, or of every scope) paused by hand while their rows are
/// enabled, by schedule id.
pub fn held_pauses(actual: &Actual, scope: Option<&str>) -> Vec<HeldPause> {
    actual
        .schedules
        .values()
        .filter(|s| s.paused && !paused_by_us(&s.notes))
        .filter_map(|s| {
            let owner = s.owner()?;
            let row = actual.definitions.get(&s.memo_definition?)?;
            let held = row.scope == owner && row.enabled && !row.retired;
            (held && scope.is_none_or(|scope| scope == owner)).then(|| HeldPause {
                scope: owner.to_string(),
                schedule_id: s.schedule_id.clone(),
                key: row.key.clone(),
                note: s.notes.clone(),
            })
        })
        .collect()
}
