//! Rows first: one transaction for every event type and definition change of the plan.

use chrono::{DateTime, Utc};

use crate::plan::{Action, Change, DefinitionRow, Plan, RowStep};
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
    required_columns(session, plan).await?;
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

/// The tables in which the plan creates rows (event types first, as they are written).
pub fn tables_created(plan: &Plan) -> Vec<&'static str> {
    let mut tables = Vec::new();
    if plan
        .event_types
        .values()
        .any(|c| c.action() == Action::Create)
    {
        tables.push("event_types");
    }
    if plan
        .definitions
        .values()
        .any(|c| c.action() == Action::Create)
    {
        tables.push("activity_definitions");
    }
    tables
}

/// Refuses the write, before any statement, when a table the plan creates rows in has a
/// `NOT NULL` column without a default that activity-sync does not know (the runtime's own):
/// an insert cannot fill it. Updates, adoptions and un-retirements are plain updates of rows
/// that have their values, and go through.
async fn required_columns(session: &mut Session, plan: &Plan) -> Result<(), StoreError> {
    for table in tables_created(plan) {
        let columns = bounded(
            "reading the table's columns",
            CALL_TIMEOUT,
            session.required_unknown(table),
        )
        .await?;
        if !columns.is_empty() {
            return Err(StoreError::RequiredColumns { table, columns });
        }
    }
    Ok(())
}
