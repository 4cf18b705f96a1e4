//! Rows first: one transaction for every event type and definition change of the plan.

use chrono::{DateTime, Utc};

use crate::plan::{Action, Plan, RowStep};
use crate::store::{CALL_TIMEOUT, Session, StoreError, bounded};

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
    for change in plan.definitions.values() {
        bounded(
            "writing a definition",
            CALL_TIMEOUT,
            session.write_definition(change, now),
        )
        .await?;
    }
    Ok(())
}

/// The columns activity-sync writes, per table: any other `NOT NULL` column without a
/// default belongs to the runtime, and a row cannot be written without it.
const DEFINITION_COLUMNS: &[&str] = &[
    "id",
    "key",
    "name",
    "enabled",
    "trigger_type",
    "trigger_config",
    "spec",
    "body",
    "scope",
    "source_path",
    "content_hash",
    "created_at",
    "updated_at",
    "retired_at",
];
const EVENT_TYPE_COLUMNS: &[&str] = &[
    "name",
    "description",
    "schema",
    "spec",
    "body",
    "scope",
    "source_path",
    "content_hash",
    "created_at",
    "updated_at",
    "retired_at",
];

/// Refuses the write, before any statement, when a table the plan creates rows in has a
/// `NOT NULL` column without a default that activity-sync does not know (the runtime's own):
/// an insert cannot fill it. Updates, adoptions and un-retirements are plain updates of rows
/// that have their values, and go through.
async fn required_columns(session: &mut Session, plan: &Plan) -> Result<(), StoreError> {
    let tables = [
        (
            "event_types",
            EVENT_TYPE_COLUMNS,
            plan.event_types
                .values()
                .any(|c| c.action() == Action::Create),
        ),
        (
            "activity_definitions",
            DEFINITION_COLUMNS,
            plan.definitions
                .values()
                .any(|c| c.action() == Action::Create),
        ),
    ];
    for (table, known, writes) in tables {
        if !writes {
            continue;
        }
        let columns = bounded(
            "reading the table's columns",
            CALL_TIMEOUT,
            session.required_unknown(table, known),
        )
        .await?;
        if !columns.is_empty() {
            return Err(StoreError::RequiredColumns { table, columns });
        }
    }
    Ok(())
}
