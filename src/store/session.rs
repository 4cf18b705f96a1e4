//! One writer per scope: a locked session in which a run snapshots and writes.
//!
//! Postgres: a session-level `pg_try_advisory_lock(hash(scope))` on the session's own
//! connection, polled until `--lock-timeout`; writes run in transactions on that connection.
//! SQLite: a `BEGIN IMMEDIATE` transaction (SQLite has one writer per file), waiting
//! `--lock-timeout` through `busy_timeout`. The migrations run first inside the lock
//! ([`Session::migrate`]). The lock is held from the snapshot until the
//! run is recorded — across the Temporal calls, after the rows were committed
//! ([`Session::checkpoint`]) — and ends with the process if it dies.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use sqlx::pool::PoolConnection;
use sqlx::{Postgres, Sqlite};

use super::required_columns::unknown_required;
use super::{
    DefinitionRecord, EventTypeRecord, INSERT_RUN, RunRecord, SELECT_DEFINITIONS,
    SELECT_EVENT_TYPES, SharedSpecs, Store, StoreError,
};
use crate::plan::{Action, Actual, Change, DefinitionRow, EventTypeRow, Resource};

pub(super) enum Conn {
    Postgres(PoolConnection<Postgres>),
    Sqlite(PoolConnection<Sqlite>),
}

/// A locked transaction. Dropped without [`Session::commit`], it writes nothing.
pub struct Session {
    conn: Conn,
    /// Postgres: the advisory lock key to release.
    pg_key: Option<i64>,
    /// SQLite: migrations ran in the open transaction, before the savepoint `migrated`; a
    /// rollback keeps them (the tables exist from then on, so the run can be recorded).
    migrated: bool,
    open: bool,
}

pub enum LockOutcome {
    Locked(Session),
    /// Another writer holds the scope; waited `--lock-timeout` for it.
    Held,
}

/// Definition changes per batched write ([`Session::write_definitions`]): 500 rows of 12
/// values stay far under the bind limits of Postgres (65,535) and SQLite (32,766), and one
/// statement stays well inside [`super::CALL_TIMEOUT`].
pub const WRITE_BATCH: usize = 500;

/// The values [`Session::write_rows`] binds for each definition row, in order (`updated_at`
/// is the run's time; an upsert also writes it as `created_at`).
const WRITTEN_COLUMNS: [&str; 12] = [
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
    "updated_at",
];

/// The upsert of `rows` definitions in one statement.
fn upsert_definitions(rows: usize) -> String {
    let values: Vec<String> = (0..rows)
        .map(|r| {
            let p = |i: usize| format!("${}", r * 12 + i);
            format!(
                "({}::uuid, {}, {}, {}, {}, {}::jsonb, {}::jsonb, {}, {}, {}, {}, {}, {}, NULL)",
                p(1),
                p(2),
                p(3),
                p(4),
                p(5),
                p(6),
                p(7),
                p(8),
                p(9),
                p(10),
                p(11),
                p(12),
                p(12)
            )
        })
        .collect();
    format!(
        "INSERT INTO activity_definitions (id, key, name, enabled, trigger_type, \
         trigger_config, spec, body, scope, source_path, content_hash, created_at, updated_at, \
         retired_at) VALUES {} \
         ON CONFLICT (id) DO UPDATE SET key = excluded.key, name = excluded.name, \
         enabled = excluded.enabled, trigger_type = excluded.trigger_type, \
         trigger_config = excluded.trigger_config, spec = excluded.spec, \
         body = excluded.body, source_path = excluded.source_path, \
         content_hash = excluded.content_hash, updated_at = excluded.updated_at, \
         retired_at = NULL WHERE activity_definitions.scope = excluded.scope",
        values.join(", ")
    )
}

/// The update of `rows` existing definitions in one statement (their ids and scopes in
/// the guard): `UPDATE … FROM (VALUES …)`, whose columns SQLite names `column1`… where
/// Postgres takes a column list.
fn update_definitions(rows: usize, sqlite: bool) -> String {
    let values: Vec<String> = (0..rows)
        .map(|r| {
            let p: Vec<String> = (1..=12).map(|i| format!("${}", r * 12 + i)).collect();
            format!("({})", p.join(", "))
        })
        .collect();
    let v = |name: &str| {
        let i = WRITTEN_COLUMNS
            .iter()
            .position(|c| *c == name)
            .expect("a column");
        if sqlite {
            format!("v.column{}", i + 1)
        } else {
            format!("v.{name}")
        }
    };
    let (json, uuid, alias) = if sqlite {
        ("", "", "v".to_string())
    } else {
        (
            "::jsonb",
            "::uuid",
            format!("v({})", WRITTEN_COLUMNS.join(", ")),
        )
    };
    format!(
        "UPDATE activity_definitions SET key = {}, name = {}, enabled = {}, trigger_type = {}, \
         trigger_config = {}{json}, spec = {}{json}, body = {}, source_path = {}, \
         content_hash = {}, updated_at = {}, retired_at = NULL FROM (VALUES {}) AS {alias} \
         WHERE activity_definitions.id = {}{uuid} AND activity_definitions.scope = {}",
        v("key"),
        v("name"),
        v("enabled"),
        v("trigger_type"),
        v("trigger_config"),
        v("spec"),
        v("body"),
        v("source_path"),
        v("content_hash"),
        v("updated_at"),
        values.join(", "),
        v("id"),
        v("scope"),
    )
}

/// The advisory lock key of a scope: stable across processes and versions.
pub fn lock_key(scope: &str) -> i64 {
    let digest = Sha256::digest(format!("activity-sync/scope/{scope}").as_bytes());
    i64::from_be_bytes(digest[..8].try_into().expect("8 bytes"))
}

/// Runs the same code on the session's connection, whichever backend; `$sql` maps
/// Postgres SQL to the backend's.
macro_rules! on_conn {
    ($conn:expr, |$c:ident, $sql:ident| $body:expr) => {
        match $conn {
            Conn::Postgres($c) => {
                let $sql = |s: &str| -> String { s.to_string() };
                let $c = &mut **$c;
                $body
            }
            Conn::Sqlite($c) => {
                let $sql = super::sqlite_sql;
                let $c = &mut **$c;
                $body
            }
        }
    };
}

impl Store {
    /// Takes the scope's write lock, waiting up to `timeout`.
    pub async fn lock(&self, scope: &str, timeout: Duration) -> Result<LockOutcome, StoreError> {
        match self {
            Store::Postgres(pool) => {
                let mut conn = pool.acquire().await?;
                let deadline = Instant::now() + timeout;
                let key = lock_key(scope);
                loop {
                    let got: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
                        .bind(key)
                        .fetch_one(&mut *conn)
                        .await?;
                    if got {
                        sqlx::query("BEGIN").execute(&mut *conn).await?;
                        return Ok(LockOutcome::Locked(Session {
                            conn: Conn::Postgres(conn),
                            pg_key: Some(key),
                            migrated: false,
                            open: true,
                        }));
                    }
                    if Instant::now() >= deadline {
                        return Ok(LockOutcome::Held);
                    }
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
            Store::Sqlite(pool) => {
                let mut conn = pool.acquire().await?;
                sqlx::query(&format!("PRAGMA busy_timeout = {}", timeout.as_millis()))
                    .execute(&mut *conn)
                    .await?;
                let begun = sqlx::query("BEGIN IMMEDIATE").execute(&mut *conn).await;
                // Back to the pool's default for whatever else this connection does.
                sqlx::query("PRAGMA busy_timeout = 5000")
                    .execute(&mut *conn)
                    .await?;
                match begun {
                    Ok(_) => Ok(LockOutcome::Locked(Session {
                        conn: Conn::Sqlite(conn),
                        pg_key: None,
                        migrated: false,
                        open: true,
                    })),
                    Err(sqlx::Error::Database(e))
                        if e.code().as_deref() == Some("5") || e.message().contains("locked") =>
                    {
                        Ok(LockOutcome::Held)
                    }
                    Err(e) => Err(e.into()),
                }
            }
        }
    }
}

impl Session {
    /// Brings the tables up to date inside the lock, so that concurrent first runs behave
    /// like later ones: one migrates and writes, the others find the lock held. SQLite:
    /// in the session's own `BEGIN IMMEDIATE` transaction (committed with the run's rows);
    /// Postgres: by sqlx's migrator, which serialises itself with an advisory lock of its own
    /// (runs of other scopes hold other scope locks).
    pub async fn migrate(&mut self, store: &Store) -> Result<(), StoreError> {
        match &mut self.conn {
            Conn::Sqlite(c) => {
                super::migrate::sqlite_in_transaction(c).await?;
                sqlx::query("SAVEPOINT migrated").execute(&mut **c).await?;
                self.migrated = true;
            }
            Conn::Postgres(_) => store.migrate().await?,
        }
        Ok(())
    }

    /// Every row, read inside the lock, each `spec` shared with the desired definition's
    /// where they are equal ([`SharedSpecs`]).
    pub async fn snapshot(&mut self, shared: &SharedSpecs) -> Result<Actual, StoreError> {
        read_actual(&mut self.conn, shared).await
    }

    /// The `NOT NULL` columns of `table` without a default that activity-sync does not
    /// write ([`unknown_required`]).
    pub async fn required_unknown(
        &mut self,
        table: &'static str,
    ) -> Result<Vec<String>, StoreError> {
        unknown_required(&mut self.conn, table).await
    }

    /// Writes a batch of definition changes (at most [`WRITE_BATCH`]): each adoption's
    /// takeover; each existing row updated (never upserted: an insert would need every
    /// `NOT NULL` column the runtime added, which an existing row already has); one upsert of
    /// every created row; one retirement of the retired ones. Unchanged rows get no
    /// statement at all.
    pub async fn write_definitions(
        &mut self,
        changes: &[&Change<DefinitionRow>],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        for change in changes.iter().filter(|c| c.action() == Action::Adopt) {
            // Only a row with no scope at all is taken over; the update below then passes
            // its scope guard.
            let row = change.row();
            on_conn!(&mut self.conn, |c, sql| {
                sqlx::query(&sql(
                    "UPDATE activity_definitions SET scope = $2 WHERE id = $1::uuid AND scope IS NULL",
                ))
                .bind(row.id.to_string())
                .bind(&row.scope)
                .execute(&mut *c)
                .await?;
            });
        }
        // The rows that exist are updated, in one statement; the scope guard keeps another
        // scope's row out of reach, and a row that is not there any more (deleted under the
        // run) ends the write.
        let updates: Vec<&DefinitionRow> = changes
            .iter()
            .filter(|c| {
                matches!(
                    c.action(),
                    Action::Update | Action::Unretire | Action::Adopt
                )
            })
            .map(|c| c.row())
            .collect();
        if !updates.is_empty() {
            let statement = update_definitions(updates.len(), matches!(self.conn, Conn::Sqlite(_)));
            let updated = self.write_rows(&statement, &updates, now).await?;
            if updated < updates.len() as u64 {
                return Err(self.vanished(&updates).await);
            }
        }
        // Creates in one upsert, with the same scope guard: a row that appeared under the
        // run is updated only if it is the scope's.
        let creates: Vec<&DefinitionRow> = changes
            .iter()
            .filter(|c| c.action() == Action::Create)
            .map(|c| c.row())
            .collect();
        if !creates.is_empty() {
            let statement = upsert_definitions(creates.len());
            self.write_rows(&statement, &creates, now).await?;
        }
        let mut retired: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        for change in changes.iter().filter(|c| c.action() == Action::Retire) {
            let row = change.row();
            retired
                .entry(row.scope.as_str())
                .or_default()
                .push(row.id.to_string());
        }
        for (scope, ids) in retired {
            let list: Vec<String> = (0..ids.len())
                .map(|i| format!("${}::uuid", i + 4))
                .collect();
            let statement = format!(
                "UPDATE activity_definitions SET enabled = $1, retired_at = $2, updated_at = $2 \
                 WHERE scope = $3 AND id IN ({})",
                list.join(", ")
            );
            on_conn!(&mut self.conn, |c, sql| {
                let statement = sql(&statement);
                let mut query = sqlx::query(&statement).bind(false).bind(now).bind(scope);
                for id in &ids {
                    query = query.bind(id);
                }
                query.execute(&mut *c).await?;
            });
        }
        Ok(())
    }

    /// Runs `statement` with the values of `rows` bound in [`WRITTEN_COLUMNS`] order, 12 a
    /// row; returns the rows it changed.
    async fn write_rows(
        &mut self,
        statement: &str,
        rows: &[&DefinitionRow],
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        Ok(on_conn!(&mut self.conn, |c, sql| {
            let statement = sql(statement);
            let mut query = sqlx::query(&statement);
            for row in rows {
                query = query
                    .bind(row.id.to_string())
                    .bind(&row.key)
                    .bind(&row.name)
                    .bind(row.enabled)
                    .bind(&row.trigger_type)
                    .bind(row.trigger_config.to_string())
                    .bind(row.spec.to_string())
                    .bind(&row.body)
                    .bind(&row.scope)
                    .bind(&row.source_path)
                    .bind(row.content_hash())
                    .bind(now);
            }
            query.execute(&mut *c).await?.rows_affected()
        }))
    }

    /// The error of an update that found fewer rows than it was given: names the first row
    /// of the batch that is not there for its scope any more.
    async fn vanished(&mut self, rows: &[&DefinitionRow]) -> StoreError {
        let mut missing = None;
        for row in rows {
            let id = row.id.to_string();
            let found = on_conn!(&mut self.conn, |c, sql| {
                sqlx::query(&sql(
                    "SELECT 1 FROM activity_definitions WHERE id = $1::uuid AND scope = $2",
                ))
                .bind(&id)
                .bind(&row.scope)
                .fetch_optional(&mut *c)
                .await
                .map(|found| found.is_some())
            });
            match found {
                Ok(true) => {}
                Ok(false) => {
                    missing = Some(*row);
                    break;
                }
                Err(e) => return e.into(),
            }
        }
        let row = missing.unwrap_or(rows[0]);
        StoreError::Vanished {
            table: "activity_definitions",
            id: row.id.to_string(),
            scope: row.scope.clone(),
        }
    }

    /// Writes one event type change; unchanged rows get no statement at all.
    pub async fn write_event_type(
        &mut self,
        change: &Change<EventTypeRow>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let row = change.row();
        let schema = row.schema.as_ref().map(|s| s.to_string());
        let hash = row.content_hash();
        on_conn!(&mut self.conn, |c, sql| {
            if change.action() == Action::Adopt {
                sqlx::query(&sql(
                    "UPDATE event_types SET scope = $2 WHERE name = $1 AND scope IS NULL",
                ))
                .bind(&row.name)
                .bind(&row.scope)
                .execute(&mut *c)
                .await?;
            }
            match change.action() {
                Action::Unchanged | Action::Unmanaged => {}
                // As for definitions: an existing row is updated, a new one upserted.
                Action::Update | Action::Unretire | Action::Adopt => {
                    let updated = sqlx::query(&sql(
                        "UPDATE event_types SET description = $2, schema = $3::jsonb, \
                         spec = $4::jsonb, body = $5, source_path = $7, content_hash = $8, \
                         updated_at = $9, retired_at = NULL WHERE name = $1 AND scope = $6",
                    ))
                    .bind(&row.name)
                    .bind(&row.description)
                    .bind(&schema)
                    .bind(row.spec.to_string())
                    .bind(&row.body)
                    .bind(&row.scope)
                    .bind(&row.source_path)
                    .bind(&hash)
                    .bind(now)
                    .execute(&mut *c)
                    .await?;
                    if updated.rows_affected() == 0 {
                        return Err(StoreError::Vanished {
                            table: "event_types",
                            id: row.name.clone(),
                            scope: row.scope.clone(),
                        });
                    }
                }
                Action::Create => {
                    sqlx::query(&sql(
                        "INSERT INTO event_types (name, description, schema, spec, body, scope, \
                         source_path, content_hash, created_at, updated_at, retired_at) VALUES \
                         ($1, $2, $3::jsonb, $4::jsonb, $5, $6, $7, $8, $9, $9, NULL) \
                         ON CONFLICT (name) DO UPDATE SET description = excluded.description, \
                         schema = excluded.schema, spec = excluded.spec, body = excluded.body, \
                         source_path = excluded.source_path, content_hash = excluded.content_hash, \
                         updated_at = excluded.updated_at, retired_at = NULL \
                         WHERE event_types.scope = excluded.scope",
                    ))
                    .bind(&row.name)
                    .bind(&row.description)
                    .bind(&schema)
                    .bind(row.spec.to_string())
                    .bind(&row.body)
                    .bind(&row.scope)
                    .bind(&row.source_path)
                    .bind(&hash)
                    .bind(now)
                    .execute(&mut *c)
                    .await?;
                }
                Action::Retire => {
                    sqlx::query(&sql(
                        "UPDATE event_types SET retired_at = $3, updated_at = $3 \
                         WHERE name = $1 AND scope = $2",
                    ))
                    .bind(&row.name)
                    .bind(&row.scope)
                    .bind(now)
                    .execute(&mut *c)
                    .await?;
                }
            }
        });
        Ok(())
    }

    /// Moves a row of `scope` off its key for the rest of the transaction, so another row
    /// of the scope can take it (keys swapped between definitions).
    pub async fn release_key(&mut self, id: uuid::Uuid, scope: &str) -> Result<(), StoreError> {
        let id = id.to_string();
        let parked = format!("activity-sync/moving/{id}");
        on_conn!(&mut self.conn, |c, sql| {
            sqlx::query(&sql(
                "UPDATE activity_definitions SET key = $3 WHERE id = $1::uuid AND scope = $2",
            ))
            .bind(&id)
            .bind(scope)
            .bind(&parked)
            .execute(&mut *c)
            .await?;
        });
        Ok(())
    }

    /// Records the run inside the same transaction as its writes.
    pub async fn record_run(&mut self, run: &RunRecord) -> Result<(), StoreError> {
        insert_run(&mut self.conn, run).await
    }

    /// Makes the writes so far visible, and keeps the lock for what the run does next.
    pub async fn checkpoint(&mut self) -> Result<(), StoreError> {
        on_conn!(&mut self.conn, |c, _sql| {
            sqlx::query("COMMIT").execute(&mut *c).await?;
        });
        self.migrated = false;
        match &mut self.conn {
            Conn::Postgres(c) => {
                sqlx::query("BEGIN").execute(&mut **c).await?;
            }
            Conn::Sqlite(c) => {
                sqlx::query("BEGIN IMMEDIATE").execute(&mut **c).await?;
            }
        }
        Ok(())
    }

    /// Makes the writes visible and releases the lock.
    pub async fn commit(mut self) -> Result<(), StoreError> {
        self.end("COMMIT").await
    }

    /// Drops the writes since the last checkpoint and releases the lock.
    pub async fn rollback(mut self) -> Result<(), StoreError> {
        self.end("ROLLBACK").await
    }

    async fn end(&mut self, statement: &str) -> Result<(), StoreError> {
        self.open = false;
        on_conn!(&mut self.conn, |c, _sql| {
            if statement == "ROLLBACK" && self.migrated {
                // Drop what came after the migrations, keep the tables.
                sqlx::query("ROLLBACK TO SAVEPOINT migrated")
                    .execute(&mut *c)
                    .await?;
                sqlx::query("COMMIT").execute(&mut *c).await?;
            } else {
                sqlx::query(statement).execute(&mut *c).await?;
            }
        });
        if let (Conn::Postgres(c), Some(key)) = (&mut self.conn, self.pg_key) {
            sqlx::query("SELECT pg_advisory_unlock($1)")
                .bind(key)
                .execute(&mut **c)
                .await?;
        }
        Ok(())
    }
}

/// Every row of both tables, all scopes.
pub(super) async fn read_actual(
    conn: &mut Conn,
    shared: &SharedSpecs,
) -> Result<Actual, StoreError> {
    // The definitions row by row into their final form: a table of 10,000 rows is never
    // held three times (driver rows, records, rows) at once.
    let (definitions, event_types) = on_conn!(conn, |c, sql| {
        let mut definitions = Vec::new();
        {
            let statement = sql(SELECT_DEFINITIONS);
            let mut rows = sqlx::query_as::<_, DefinitionRecord>(&statement).fetch(&mut *c);
            while let Some(record) = futures_util::TryStreamExt::try_next(&mut rows).await? {
                definitions.push(record.into_row(shared)?);
            }
        }
        let event_types: Vec<EventTypeRecord> = sqlx::query_as(&sql(SELECT_EVENT_TYPES))
            .fetch_all(&mut *c)
            .await?;
        (definitions, event_types)
    });
    let event_types = event_types
        .into_iter()
        .map(EventTypeRecord::into_row)
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok(Actual {
        schedules: Default::default(),
        workers: None,
        definitions: definitions.into_iter().map(|r| (r.id, r)).collect(),
        event_types: event_types
            .into_iter()
            .map(|r| (r.name.clone(), r))
            .collect(),
    })
}

pub(super) async fn insert_run(conn: &mut Conn, run: &RunRecord) -> Result<(), StoreError> {
    on_conn!(conn, |c, sql| {
        sqlx::query(&sql(INSERT_RUN))
            .bind(&run.id)
            .bind(&run.mode)
            .bind(&run.scope)
            .bind(run.started_at)
            .bind(run.finished_at)
            .bind(serde_json::to_string(&run.sources).expect("sources serialize"))
            .bind(serde_json::to_string(&run.counts).expect("counts serialize"))
            .bind(serde_json::to_string(&run.errors).expect("errors serialize"))
            .bind(&run.outcome)
            .execute(&mut *c)
            .await?;
    });
    Ok(())
}

impl Drop for Session {
    fn drop(&mut self) {
        if self.open {
            // An open transaction must not go back to the pool: close the connection.
            match &mut self.conn {
                Conn::Postgres(c) => c.close_on_drop(),
                Conn::Sqlite(c) => c.close_on_drop(),
            }
        }
    }
}
