//! Apply: walks a plan and writes it. Never re-plans.

use chrono::{DateTime, Utc};

use crate::plan::Plan;
use crate::store::{Session, StoreError};

/// Writes every change of the plan in the session's single transaction: event types first
/// (definitions may name them), then definitions. Unchanged rows get no statement.
pub async fn apply(
    session: &mut Session,
    plan: &Plan,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    for change in plan.event_types.values() {
        session.write_event_type(change, now).await?;
    }
    for change in plan.definitions.values() {
        session.write_definition(change, now).await?;
    }
    Ok(())
}
