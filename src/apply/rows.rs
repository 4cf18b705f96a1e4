//! Rows first: one transaction for every event type and definition change of the plan.

use chrono::{DateTime, Utc};

use crate::plan::{Change, DefinitionRow, Plan, RowStep};
use crate::store::{CALL_TIMEOUT, Session, StoreError, WRITE_BATCH, bounded};

/// Writes every row change of the plan in the session's transaction: event types first
/// (definitions may name them), then definitions. Unchanged rows get no statement. Keys that
/// move between definitions of the scope are released first, so that a swap never trips the
/// unique key half way through the transaction. Each statement is bounded
/// ([`CALL_TIMEOUT`]): a database that stops answering ends the write, not the deadline.
pub async fn apply_rows(
    session: &mut Session,
    plan: &Plan,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    for change in plan.event_types.values() {
        bounded(
            "writing an event type",
            CALL_TIMEOUT,
            session.write_event_type(change, now),
        )
        .await?;
    }
    for change in plan.definitions.values() {
        if let RowStep::Update { want, have } | RowStep::Unretire { want, have } = &change.step
            && want.key != have.key
            && !have.key.is_empty()
        {
            bounded(
                "moving a key",
                CALL_TIMEOUT,
                session.release_key(have.id, &have.scope),
            )
            .await?;
        }
    }
    let changes: Vec<&Change<DefinitionRow>> = plan
        .definitions
        .values()
        .filter(|c| c.action().writes())
        .collect();
    for batch in changes.chunks(WRITE_BATCH) {
        bounded(
            "writing the definitions",
            CALL_TIMEOUT,
            session.write_definitions(batch, now),
        )
        .await?;
    }
    Ok(())
}
