//! The runtime's own required columns: a table the runtime's migrations created may have a
//! `NOT NULL` column without a default that activity-sync does not know (it has no value
//! for it). A new row cannot be inserted there — nor upserted: both backends check `NOT
//! NULL` before the conflict — so creates are refused by name before any statement; rows
//! that exist are written with plain updates and keep the runtime's value.

use super::StoreError;
use super::session::Conn;

/// The columns activity-sync writes in `activity_definitions`.
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
/// The columns activity-sync writes in `event_types`.
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

/// The columns of `table` that a new row cannot go without and activity-sync does not
/// write: `NOT NULL`, no default, not generated (an INTEGER PRIMARY KEY of SQLite is the
/// rowid). None for a table that does not exist yet.
pub(super) async fn unknown_required(
    conn: &mut Conn,
    table: &'static str,
) -> Result<Vec<String>, StoreError> {
    let known = match table {
        "event_types" => EVENT_TYPE_COLUMNS,
        _ => DEFINITION_COLUMNS,
    };
    let names: Vec<String> = match conn {
        Conn::Postgres(c) => {
            sqlx::query_scalar(
                "SELECT column_name::text FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND table_name = $1 \
                 AND is_nullable = 'NO' AND column_default IS NULL \
                 AND is_identity = 'NO' AND is_generated = 'NEVER' ORDER BY ordinal_position",
            )
            .bind(table)
            .fetch_all(&mut **c)
            .await?
        }
        Conn::Sqlite(c) => {
            // `hidden` marks generated columns.
            sqlx::query_scalar(
                "SELECT name FROM pragma_table_xinfo(?1) WHERE \"notnull\" = 1 \
                 AND dflt_value IS NULL AND hidden = 0 \
                 AND NOT (pk = 1 AND upper(type) = 'INTEGER') ORDER BY cid",
            )
            .bind(table)
            .fetch_all(&mut **c)
            .await?
        }
    };
    Ok(names
        .into_iter()
        .filter(|n| !known.contains(&n.to_lowercase().as_str()))
        .collect())
}
