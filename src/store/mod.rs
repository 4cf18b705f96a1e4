//! The SQL backend (SPEC §4): Postgres in production, SQLite as the embedded default.
//!
//! Both speak the same SQL, written once for Postgres; for SQLite the casts (`::uuid`,
//! `::jsonb`, `::text`) are stripped. Each query is stamped out for both pool types by the
//! `on_backend!` macro, so a query and its row mapping exist once.

mod bounded;
mod migrate;
mod required_columns;
mod session;
mod shared_specs;
mod tls;
mod url;

use std::collections::BTreeMap;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value as Json;
use sqlx::Row;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions};
use uuid::Uuid;

pub use bounded::{CALL_TIMEOUT, RECORD_TIMEOUT, bounded};
pub use session::{LockOutcome, Session, WRITE_BATCH, lock_key};
pub use shared_specs::SharedSpecs;
pub use tls::{PgTls, RootCert, SslMode, TlsError};
pub use url::redact;

use crate::gather::SourceInfo;
use crate::plan::{Actual, DefinitionRow, EventTypeRow, RunCounts, RunError};
use crate::source::Revision;

/// Default `DATABASE_URL`: a file in the working directory, created on first use.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://activity-sync.db";

/// How long one database statement may take.
pub const STATEMENT_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Printed whole: the cause is in `message` once, not repeated as a source chain.
    #[error("database `{url}`: {message}")]
    Connect { url: String, message: String },
    #[error("database `{url}`: {error}")]
    Tls { url: String, error: TlsError },
    #[error("unsupported DATABASE_URL `{url}`: expected `postgres://…` or `sqlite://…`")]
    Scheme { url: String },
    #[error("migrations failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("database: {0}")]
    Sql(#[from] sqlx::Error),
    #[error("database holds a malformed row in `{table}` ({id}): {message}")]
    Malformed {
        table: &'static str,
        id: String,
        message: String,
    },
    /// The runtime's table has columns a new row needs and activity-sync cannot fill.
    #[error(
        "cannot create rows in `{table}`: {} without a default, which activity-sync does not know how to fill; apply writes nothing while it is so. Give {} a default (e.g. `ALTER TABLE {table} ALTER COLUMN {} SET DEFAULT …`) or make {} nullable, then run again",
        list_columns(columns),
        if columns.len() == 1 { "it" } else { "each" },
        columns[0],
        if columns.len() == 1 { "it" } else { "them" }
    )]
    RequiredColumns {
        table: &'static str,
        columns: Vec<String>,
    },
    /// A row the plan updates is no longer the scope's (deleted, or another scope's).
    #[error(
        "row `{id}` of `{table}` is no longer there for scope `{scope}` (deleted or taken over while this run held the lock); nothing was written, plan again"
    )]
    Vanished {
        table: &'static str,
        id: String,
        scope: String,
    },
    /// The database stopped answering (see [`bounded`]).
    #[error("database: no answer within {} s while {doing}", after.as_secs())]
    Timeout { doing: String, after: Duration },
}

/// `column `a` is NOT NULL` / `columns `a`, `b` are NOT NULL`.
fn list_columns(columns: &[String]) -> String {
    let names: Vec<String> = columns.iter().map(|c| format!("`{c}`")).collect();
    match names.len() {
        1 => format!("its column {} is NOT NULL", names[0]),
        _ => format!("its columns {} are NOT NULL", names.join(", ")),
    }
}

#[derive(Debug, Clone)]
pub enum Store {
    Postgres(PgPool),
    Sqlite(SqlitePool),
}

/// Runs the same code against whichever pool the store holds; `$sql` is Postgres SQL.
macro_rules! on_backend {
    ($store:expr, |$pool:ident, $sql:ident| $body:expr) => {
        match $store {
            $crate::store::Store::Postgres($pool) => {
                let $sql = |s: &str| -> String { s.to_string() };
                $body
            }
            $crate::store::Store::Sqlite($pool) => {
                let $sql = $crate::store::sqlite_sql;
                $body
            }
        }
    };
}

mod outbox;
pub use outbox::OutboxEntry;

/// Postgres SQL → SQLite SQL: the casts go, everything else is shared.
pub(crate) fn sqlite_sql(pg: &str) -> String {
    pg.replace("::uuid", "")
        .replace("::jsonb", "")
        .replace("::text", "")
}

const SELECT_DEFINITIONS: &str = "SELECT id::text AS id, key, name, enabled, trigger_type, \
     trigger_config::text AS trigger_config, spec::text AS spec, body, scope, source_path, \
     retired_at IS NOT NULL AS retired FROM activity_definitions";
/// The runtime's own columns of `activity_definitions`, before the migrations added ours.
const SELECT_RUNTIME_DEFINITIONS: &str = "SELECT id::text AS id, NULL::text AS key, name, \
     enabled, trigger_type, trigger_config::text AS trigger_config, NULL::text AS spec, \
     NULL::text AS body, NULL::text AS scope, NULL::text AS source_path, \
     FALSE AS retired FROM activity_definitions";
const SELECT_EVENT_TYPES: &str = "SELECT name, description, schema::text AS schema, \
     spec::text AS spec, body, scope, source_path, \
     retired_at IS NOT NULL AS retired FROM event_types";

/// An error and its causes, each sentence once (sqlx repeats its cause in its message).
fn error_once(error: &(dyn std::error::Error + 'static)) -> String {
    let mut message = error.to_string();
    let mut cause = error.source();
    while let Some(c) = cause {
        let text = c.to_string();
        if !message.contains(&text) {
            message = format!("{message}: {text}");
        }
        cause = c.source();
    }
    message
}

impl Store {
    async fn acquire(&self) -> Result<session::Conn, StoreError> {
        Ok(match self {
            Store::Postgres(pool) => session::Conn::Postgres(pool.acquire().await?),
            Store::Sqlite(pool) => session::Conn::Sqlite(pool.acquire().await?),
        })
    }

    /// The `NOT NULL` columns of `table` without a default that activity-sync does not write
    /// (`plan` names them before an apply would fail on them).
    pub async fn required_unknown(&self, table: &'static str) -> Result<Vec<String>, StoreError> {
        required_columns::unknown_required(&mut self.acquire().await?, table).await
    }

    /// Connects to `url` (`postgres://…` or `sqlite://…`); SQLite files are created.
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        let shown = redact(url);
        let connect = |source: sqlx::Error| StoreError::Connect {
            url: shown.clone(),
            message: error_once(&source),
        };
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let tls_error = |error| StoreError::Tls {
                url: shown.clone(),
                error,
            };
            let home = std::env::var_os("HOME").map(std::path::PathBuf::from);
            let tls = PgTls::resolve(url, |var| std::env::var(var).ok(), home.as_deref())
                .map_err(tls_error)?;
            let options = PgConnectOptions::from_str(url).map_err(connect)?.options([(
                "statement_timeout",
                STATEMENT_TIMEOUT.as_millis().to_string(),
            )]);
            let host = format!("{}:{}", options.get_host(), options.get_port());
            let options = tls.apply(options).map_err(tls_error)?;
            let pool = PgPoolOptions::new()
                .max_connections(4)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(options)
                .await
                .map_err(|e| match tls.explain(&host, &e) {
                    Some(error) => tls_error(error),
                    None => connect(e),
                })?;
            Ok(Store::Postgres(pool))
        } else if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)
                .map_err(connect)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .busy_timeout(Duration::from_secs(5));
            // Switching a file to WAL needs it alone for a moment, and SQLite answers
            // SQLITE_BUSY at once (no busy handler) when another process opens the same fresh
            // file at the same moment: two first runs started together. Retried briefly.
            let started = tokio::time::Instant::now();
            let mut pause = Duration::from_millis(20);
            let pool = loop {
                match SqlitePoolOptions::new()
                    .max_connections(4)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect_with(options.clone())
                    .await
                {
                    Err(sqlx::Error::Database(e))
                        if matches!(e.code().as_deref(), Some("5" | "6"))
                            && started.elapsed() < Duration::from_secs(5) =>
                    {
                        tokio::time::sleep(pause).await;
                        pause = (pause * 2).min(Duration::from_millis(250));
                    }
                    other => break other.map_err(connect)?,
                }
            };
            Ok(Store::Sqlite(pool))
        } else {
            Err(StoreError::Scheme { url: shown })
        }
    }

    /// Applies the embedded migrations (idempotent), under the database's write lock so that
    /// it never races another run's (see [`migrate`]); a run migrates inside its scope lock
    /// instead ([`Session::migrate`]).
    pub async fn migrate(&self) -> Result<(), StoreError> {
        match self {
            Store::Postgres(pool) => migrate::postgres(&mut *pool.acquire().await?).await?,
            Store::Sqlite(pool) => {
                let mut conn = pool.acquire().await?;
                sqlx::query("BEGIN IMMEDIATE").execute(&mut *conn).await?;
                match migrate::sqlite_in_transaction(&mut conn).await {
                    Ok(()) => {
                        sqlx::query("COMMIT").execute(&mut *conn).await?;
                    }
                    Err(e) => {
                        sqlx::query("ROLLBACK").execute(&mut *conn).await.ok();
                        return Err(e.into());
                    }
                }
            }
        }
        Ok(())
    }

    /// Whether activity-sync's tables exist yet (a fresh database has none until `apply` or
    /// `migrate`; one whose `activity_definitions` the runtime created has no `sync_runs`
    /// until then either).
    pub async fn has_schema(&self) -> Result<bool, StoreError> {
        self.has_table("sync_runs").await
    }

    /// The runtime's `description` column of `activity_definitions` (activity-sync keeps a
    /// definition's `description` in `spec`), by row id, where the table has that column:
    /// `import` carries it into the files.
    pub async fn runtime_descriptions(&self) -> Result<BTreeMap<Uuid, String>, StoreError> {
        let has_column = match self {
            Store::Postgres(pool) => {
                sqlx::query_scalar::<_, i64>(
                    "SELECT count(*) FROM information_schema.columns WHERE table_schema = \
                     current_schema() AND table_name = 'activity_definitions' \
                     AND column_name = 'description'",
                )
                .fetch_one(pool)
                .await?
            }
            Store::Sqlite(pool) => {
                sqlx::query_scalar::<_, i64>(
                    "SELECT count(*) FROM pragma_table_info('activity_definitions') \
                     WHERE name = 'description'",
                )
                .fetch_one(pool)
                .await?
            }
        } > 0;
        if !has_column {
            return Ok(BTreeMap::new());
        }
        let rows: Vec<(String, String)> = on_backend!(self, |pool, sql| {
            sqlx::query_as(&sql(
                "SELECT id::text, description::text FROM activity_definitions \
                 WHERE description IS NOT NULL",
            ))
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(|(id, description)| {
                let parsed = Uuid::parse_str(&id).map_err(|e| StoreError::Malformed {
                    table: "activity_definitions",
                    id: id.clone(),
                    message: e.to_string(),
                })?;
                Ok((parsed, description))
            })
            .collect()
    }

    async fn has_table(&self, table: &str) -> Result<bool, StoreError> {
        Ok(match self {
            Store::Postgres(pool) => {
                sqlx::query_scalar::<_, bool>("SELECT to_regclass($1) IS NOT NULL")
                    .bind(table)
                    .fetch_one(pool)
                    .await?
            }
            Store::Sqlite(pool) => {
                sqlx::query_scalar::<_, i64>(
                    "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1",
                )
                .bind(table)
                .fetch_one(pool)
                .await?
                    > 0
            }
        })
    }

    /// Reads every row of both tables, all scopes, without a lock (for `plan`). A database
    /// without tables is empty; one where only the runtime's own `activity_definitions`
    /// exists (not migrated yet) holds unmanaged rows, read from the runtime's columns.
    pub async fn snapshot(&self) -> Result<Actual, StoreError> {
        self.snapshot_sharing(&SharedSpecs::none()).await
    }

    /// [`Store::snapshot`], each row's `spec` shared with the desired definition's where
    /// they are equal ([`SharedSpecs`]).
    pub async fn snapshot_sharing(&self, shared: &SharedSpecs) -> Result<Actual, StoreError> {
        if !self.has_schema().await? {
            if !self.has_table("activity_definitions").await? {
                return Ok(Actual::default());
            }
            let definitions: Vec<DefinitionRecord> = on_backend!(self, |pool, sql| {
                sqlx::query_as(&sql(SELECT_RUNTIME_DEFINITIONS))
                    .fetch_all(pool)
                    .await?
            });
            let mut actual = Actual::default();
            for record in definitions {
                let row = record.into_row(shared)?;
                actual.definitions.insert(row.id, row);
            }
            return Ok(actual);
        }
        session::read_actual(&mut self.acquire().await?, shared).await
    }

    /// The most recent `sync_runs` of a scope (all scopes when `None`), newest first.
    pub async fn recent_runs(
        &self,
        scope: Option<&str>,
        limit: i64,
    ) -> Result<Vec<RunRecord>, StoreError> {
        if !self.has_schema().await? {
            return Ok(Vec::new());
        }
        let query = "SELECT id::text AS id, mode, scope, started_at, finished_at, \
             sources::text AS sources, counts::text AS counts, errors::text AS errors, outcome \
             FROM sync_runs WHERE ($1::text IS NULL OR scope = $1::text) \
             ORDER BY started_at DESC LIMIT $2";
        on_backend!(self, |pool, sql| {
            sqlx::query(&sql(query))
                .bind(scope)
                .bind(limit)
                .fetch_all(pool)
                .await?
                .iter()
                .map(|row| {
                    Ok(RunRecord {
                        id: row.try_get("id")?,
                        mode: row.try_get("mode")?,
                        scope: row.try_get("scope")?,
                        started_at: row.try_get("started_at")?,
                        finished_at: row.try_get("finished_at")?,
                        sources: json_column("sync_runs", "sources", row.try_get("sources")?)?,
                        counts: json_column("sync_runs", "counts", row.try_get("counts")?)?,
                        errors: json_column("sync_runs", "errors", row.try_get("errors")?)?,
                        outcome: row.try_get("outcome")?,
                    })
                })
                .collect()
        })
    }

    /// The revisions the scope's applies last read from each source identity, newest first,
    /// with when that apply finished: from the recent `sync_runs` whose rows were written
    /// (`success`, or `conflict`: the rest of that plan was applied).
    pub async fn applied_revisions(
        &self,
        scope: &str,
    ) -> Result<Vec<(Revision, chrono::DateTime<chrono::Utc>)>, StoreError> {
        if !self.has_schema().await? {
            return Ok(Vec::new());
        }
        let query = "SELECT id::text AS id, finished_at, sources::text AS sources FROM sync_runs \
             WHERE scope = $1 AND mode = 'apply' AND outcome IN ('success', 'conflict') \
             ORDER BY started_at DESC LIMIT 500";
        let runs: Vec<(String, chrono::DateTime<chrono::Utc>, String)> =
            on_backend!(self, |pool, sql| {
                sqlx::query(&sql(query))
                    .bind(scope)
                    .fetch_all(pool)
                    .await?
                    .iter()
                    .map(|row| {
                        Ok((
                            row.try_get("id")?,
                            row.try_get("finished_at")?,
                            row.try_get("sources")?,
                        ))
                    })
                    .collect::<Result<_, StoreError>>()
            })?;
        let mut seen = std::collections::BTreeSet::new();
        let mut out = Vec::new();
        for (id, at, sources) in runs {
            let sources: Vec<SourceInfo> = json_column("sync_runs", &id, sources)?;
            for revision in sources.into_iter().filter_map(|s| s.revision) {
                if seen.insert(revision.identity.clone()) {
                    out.push((revision, at));
                }
            }
        }
        Ok(out)
    }

    /// The last run of a scope that applied successfully.
    pub async fn last_success(
        &self,
        scope: &str,
    ) -> Result<Option<chrono::DateTime<chrono::Utc>>, StoreError> {
        if !self.has_schema().await? {
            return Ok(None);
        }
        let query = "SELECT max(finished_at) AS at FROM sync_runs \
             WHERE scope = $1 AND mode = 'apply' AND outcome = 'success'";
        on_backend!(self, |pool, sql| {
            let row = sqlx::query(&sql(query)).bind(scope).fetch_one(pool).await?;
            Ok(row.try_get("at")?)
        })
    }

    /// Records a run in `sync_runs` outside any lock (plan runs, refusals, failures).
    pub async fn record_run(&self, run: &RunRecord) -> Result<(), StoreError> {
        session::insert_run(&mut self.acquire().await?, run).await
    }
}

pub(crate) const INSERT_RUN: &str = "INSERT INTO sync_runs \
     (id, mode, scope, started_at, finished_at, sources, counts, errors, outcome) \
     VALUES ($1::uuid, $2, $3, $4, $5, $6::jsonb, $7::jsonb, $8::jsonb, $9)";

/// One row of `sync_runs`: what a run read, did and how it ended, as `status` reads it back.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RunRecord {
    pub id: String,
    pub mode: String,
    pub scope: String,
    pub started_at: chrono::DateTime<chrono::Utc>,
    pub finished_at: chrono::DateTime<chrono::Utc>,
    pub sources: Vec<SourceInfo>,
    pub counts: RunCounts,
    pub errors: Vec<RunError>,
    pub outcome: String,
}

fn json_column<T: serde::de::DeserializeOwned>(
    table: &'static str,
    id: &str,
    text: String,
) -> Result<T, StoreError> {
    serde_json::from_str(&text).map_err(|e| StoreError::Malformed {
        table,
        id: id.to_string(),
        message: format!("invalid JSON: {e}"),
    })
}

/// An `activity_definitions` row as the database returns it (JSON columns as text, the id
/// as text: the same query serves Postgres and SQLite). The bookkeeping columns are NULL in
/// rows the runtime wrote before activity-sync took over the table (no scope: unmanaged).
#[derive(sqlx::FromRow)]
pub(crate) struct DefinitionRecord {
    id: String,
    key: Option<String>,
    name: String,
    enabled: bool,
    trigger_type: String,
    trigger_config: Option<String>,
    spec: Option<String>,
    body: Option<String>,
    scope: Option<String>,
    source_path: Option<String>,
    retired: bool,
}

impl DefinitionRecord {
    /// The row, its `spec` shared with the desired definition's where they are equal.
    pub(crate) fn into_row(self, shared: &SharedSpecs) -> Result<DefinitionRow, StoreError> {
        const TABLE: &str = "activity_definitions";
        let id = Uuid::parse_str(&self.id).map_err(|e| StoreError::Malformed {
            table: TABLE,
            id: self.id.clone(),
            message: e.to_string(),
        })?;
        let json = |text: Option<String>| -> Result<Json, StoreError> {
            text.map(|t| json_column(TABLE, &self.id, t))
                .transpose()
                .map(Option::unwrap_or_default)
        };
        Ok(DefinitionRow {
            id,
            trigger_config: Arc::new(json(self.trigger_config)?),
            spec: shared.share(&id, json(self.spec)?),
            key: self.key.unwrap_or_default(),
            name: self.name,
            enabled: self.enabled,
            trigger_type: self.trigger_type,
            body: self.body.unwrap_or_default(),
            scope: self.scope.unwrap_or_default(),
            source_path: self.source_path.unwrap_or_default(),
            retired: self.retired,
        })
    }
}

/// An `event_types` row as the database returns it.
#[derive(sqlx::FromRow)]
pub(crate) struct EventTypeRecord {
    name: String,
    description: Option<String>,
    schema: Option<String>,
    spec: Option<String>,
    body: Option<String>,
    scope: Option<String>,
    source_path: Option<String>,
    retired: bool,
}

impl EventTypeRecord {
    pub(crate) fn into_row(self) -> Result<EventTypeRow, StoreError> {
        const TABLE: &str = "event_types";
        Ok(EventTypeRow {
            schema: self
                .schema
                .map(|s| json_column(TABLE, &self.name, s))
                .transpose()?,
            spec: self
                .spec
                .map(|s| json_column(TABLE, &self.name, s))
                .transpose()?
                .unwrap_or_default(),
            name: self.name,
            description: self.description,
            body: self.body.unwrap_or_default(),
            scope: self.scope.unwrap_or_default(),
            source_path: self.source_path.unwrap_or_default(),
            retired: self.retired,
        })
    }
}
