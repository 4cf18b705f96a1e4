//! The embedded migrations, run where concurrent first runs cannot race them.
//!
//! Postgres: sqlx's migrator holds its own advisory lock while it reads and applies, so two
//! first runs migrate one after the other. SQLite: sqlx's migrator takes no lock (it reads the
//! applied versions, then applies each in a deferred transaction), so two processes on a fresh
//! file both try `CREATE TABLE` and one fails ("table … already exists", "database is
//! locked"). There the migrations run inside the caller's `BEGIN IMMEDIATE` transaction, the
//! file's one write lock: the scope lock of a run, or the lock `migrate` takes. The
//! bookkeeping is sqlx's own `_sqlx_migrations` table, so either path reads the other's.
//!
//! Existing tables (SPEC §4): the platform's runtime may have created `activity_definitions`
//! (and `event_types`) with its own migrations before activity-sync ever ran, with rows and
//! foreign keys pointing at them. `0001_init` would fail there (`relation … already exists`),
//! so on such a database it is replaced by [`baseline`]: every table of `0001_init` that is
//! missing is created as written there, every column it lacks is added (nullable, no default:
//! the runtime's rows keep their values and carry no scope, so they are unmanaged), and its
//! indexes are created where missing; then `0001_init` is recorded as applied. Nothing the
//! runtime owns is dropped, renamed, rewritten or rebuilt (a SQLite table rebuild would break
//! the foreign keys that point at it). Later migrations are additive and run as usual.

use std::collections::{BTreeSet, HashMap};

use sqlx::migrate::{Migrate, MigrateError, Migration, Migrator};
use sqlx::{Executor, PgConnection, SqliteConnection};

pub(super) static POSTGRES: Migrator = sqlx::migrate!("migrations/postgres");
pub(super) static SQLITE: Migrator = sqlx::migrate!("migrations/sqlite");

/// Applies the missing SQLite migrations on `conn`, which must already hold the write lock
/// (`BEGIN IMMEDIATE`); nothing is committed here.
pub(super) async fn sqlite_in_transaction(conn: &mut SqliteConnection) -> Result<(), MigrateError> {
    conn.ensure_migrations_table().await?;
    if let Some(version) = conn.dirty_version().await? {
        return Err(MigrateError::Dirty(version));
    }
    baseline(&mut Db::Sqlite(conn), &SQLITE).await?;
    let applied: HashMap<i64, _> = conn
        .list_applied_migrations()
        .await?
        .into_iter()
        .map(|m| (m.version, m.checksum))
        .collect();
    for migration in SQLITE.iter() {
        if migration.migration_type.is_down_migration() {
            continue;
        }
        match applied.get(&migration.version) {
            Some(checksum) if *checksum != migration.checksum => {
                return Err(MigrateError::VersionMismatch(migration.version));
            }
            Some(_) => {}
            None => {
                let started = std::time::Instant::now();
                conn.execute(&*migration.sql)
                    .await
                    .map_err(|e| MigrateError::ExecuteMigration(e, migration.version))?;
                sqlx::query(
                    "INSERT INTO _sqlx_migrations \
                     (version, description, success, checksum, execution_time) \
                     VALUES (?1, ?2, TRUE, ?3, ?4)",
                )
                .bind(migration.version)
                .bind(&*migration.description)
                .bind(&*migration.checksum)
                .bind(i64::try_from(started.elapsed().as_nanos()).unwrap_or(i64::MAX))
                .execute(&mut *conn)
                .await?;
            }
        }
    }
    Ok(())
}

/// Postgres: the migrations under sqlx's own migration lock (the one its migrator takes, held
/// across the [`baseline`] too, so that concurrent first runs on an existing database
/// serialise).
pub(super) async fn postgres(conn: &mut PgConnection) -> Result<(), MigrateError> {
    conn.lock().await?;
    let result = async {
        if table_exists(&mut Db::Postgres(conn), "_sqlx_migrations").await?
            && let Some(version) = conn.dirty_version().await?
        {
            return Err(MigrateError::Dirty(version));
        }
        // Postgres DDL is transactional: a baseline that fails halfway leaves nothing.
        conn.execute("BEGIN").await?;
        match baseline(&mut Db::Postgres(conn), &POSTGRES).await {
            Ok(()) => conn.execute("COMMIT").await.map(|_| ())?,
            Err(e) => {
                conn.execute("ROLLBACK").await.ok();
                return Err(e);
            }
        }
        // Takes the same (session, reentrant) lock again and releases it once.
        POSTGRES.run_direct(&mut *conn).await
    }
    .await;
    let unlocked = conn.unlock().await;
    result?;
    unlocked
}

/// A connection of either backend, for the few statements [`baseline`] needs.
enum Db<'a> {
    Postgres(&'a mut PgConnection),
    Sqlite(&'a mut SqliteConnection),
}

impl Db<'_> {
    async fn execute(&mut self, sql: &str) -> Result<(), sqlx::Error> {
        match self {
            Db::Postgres(c) => c.execute(sql).await.map(|_| ()),
            Db::Sqlite(c) => c.execute(sql).await.map(|_| ()),
        }
    }

    async fn columns(&mut self, table: &str) -> Result<BTreeSet<String>, sqlx::Error> {
        let names: Vec<String> = match self {
            Db::Postgres(c) => {
                sqlx::query_scalar(
                    "SELECT column_name::text FROM information_schema.columns \
                     WHERE table_schema = current_schema() AND table_name = $1",
                )
                .bind(table)
                .fetch_all(&mut **c)
                .await?
            }
            Db::Sqlite(c) => {
                sqlx::query_scalar("SELECT name FROM pragma_table_info(?1)")
                    .bind(table)
                    .fetch_all(&mut **c)
                    .await?
            }
        };
        Ok(names.into_iter().map(|n| n.to_lowercase()).collect())
    }

    /// Whether a unique index (or constraint) covers exactly `column` of `table`.
    async fn unique(&mut self, table: &str, column: &str) -> Result<bool, sqlx::Error> {
        match self {
            Db::Postgres(c) => {
                sqlx::query_scalar(
                    "SELECT EXISTS (SELECT 1 FROM pg_index i JOIN pg_attribute a \
                     ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0] \
                     WHERE i.indrelid = to_regclass($1) AND i.indisunique AND i.indnatts = 1 \
                     AND a.attname = $2)",
                )
                .bind(table)
                .bind(column)
                .fetch_one(&mut **c)
                .await
            }
            Db::Sqlite(c) => {
                let n: i64 = sqlx::query_scalar(
                    "SELECT count(*) FROM pragma_index_list(?1) AS l, pragma_index_info(l.name) AS i \
                     WHERE l.\"unique\" = 1 AND i.name = ?2 \
                     AND (SELECT count(*) FROM pragma_index_info(l.name)) = 1",
                )
                .bind(table)
                .bind(column)
                .fetch_one(&mut **c)
                .await?;
                Ok(n > 0)
            }
        }
    }

    async fn version_applied(&mut self, version: i64) -> Result<bool, sqlx::Error> {
        let query = "SELECT count(*) FROM _sqlx_migrations WHERE version = $1";
        let n: i64 = match self {
            Db::Postgres(c) => {
                sqlx::query_scalar(query)
                    .bind(version)
                    .fetch_one(&mut **c)
                    .await?
            }
            Db::Sqlite(c) => {
                sqlx::query_scalar(query)
                    .bind(version)
                    .fetch_one(&mut **c)
                    .await?
            }
        };
        Ok(n > 0)
    }

    async fn record(&mut self, migration: &Migration) -> Result<(), MigrateError> {
        match self {
            Db::Postgres(c) => c.ensure_migrations_table().await?,
            Db::Sqlite(c) => c.ensure_migrations_table().await?,
        }
        let insert = "INSERT INTO _sqlx_migrations \
             (version, description, success, checksum, execution_time) \
             VALUES ($1, $2, TRUE, $3, 0)";
        match self {
            Db::Postgres(c) => {
                sqlx::query(insert)
                    .bind(migration.version)
                    .bind(&*migration.description)
                    .bind(&*migration.checksum)
                    .execute(&mut **c)
                    .await?;
            }
            Db::Sqlite(c) => {
                sqlx::query(insert)
                    .bind(migration.version)
                    .bind(&*migration.description)
                    .bind(&*migration.checksum)
                    .execute(&mut **c)
                    .await?;
            }
        }
        Ok(())
    }
}

async fn table_exists(db: &mut Db<'_>, table: &str) -> Result<bool, sqlx::Error> {
    Ok(!db.columns(table).await?.is_empty())
}

/// A table as `0001_init` creates it.
#[derive(Debug, PartialEq)]
struct TableDdl {
    name: String,
    create: String,
    /// `(name, type, unique)`: unique for a primary key or a `UNIQUE` column.
    columns: Vec<(String, String, bool)>,
    /// Its `CREATE INDEX` statements, as `CREATE INDEX IF NOT EXISTS`.
    indexes: Vec<String>,
}

/// The tables of a migration script written as ours are: one `CREATE TABLE name (` statement
/// per table with one column per line, then `CREATE INDEX name ON table (…)`.
fn tables_of(sql: &str) -> Vec<TableDdl> {
    let mut tables: Vec<TableDdl> = Vec::new();
    for statement in sql.split(';').map(str::trim).filter(|s| !s.is_empty()) {
        let words: Vec<&str> = statement.split_whitespace().collect();
        match words.as_slice() {
            ["CREATE", "TABLE", name, ..] => {
                let name = name.trim_end_matches('(').to_string();
                let columns = statement
                    .lines()
                    .skip(1)
                    .filter_map(|line| {
                        let line = line.trim().trim_end_matches(',');
                        let mut tokens = line.split_whitespace();
                        let column = tokens.next()?;
                        let ty = tokens.next()?;
                        if column.starts_with(')') {
                            return None;
                        }
                        let upper = line.to_uppercase();
                        let unique = upper.contains("PRIMARY KEY") || upper.contains("UNIQUE");
                        Some((column.to_lowercase(), ty.to_string(), unique))
                    })
                    .collect();
                tables.push(TableDdl {
                    name,
                    create: statement.to_string(),
                    columns,
                    indexes: Vec::new(),
                });
            }
            ["CREATE", "INDEX", _, "ON", table, ..] => {
                if let Some(t) = tables.iter_mut().find(|t| t.name == *table) {
                    t.indexes.push(statement.replacen(
                        "CREATE INDEX ",
                        "CREATE INDEX IF NOT EXISTS ",
                        1,
                    ));
                }
            }
            _ => {}
        }
    }
    tables
}

/// On a database where some table of `0001_init` already exists (created by the runtime's own
/// migrations) and `0001_init` was never applied: the additive equivalent of `0001_init`,
/// recorded as it. Does nothing on a fresh database or one activity-sync created.
async fn baseline(db: &mut Db<'_>, migrator: &Migrator) -> Result<(), MigrateError> {
    let Some(init) = migrator.iter().find(|m| m.version == 1) else {
        return Ok(());
    };
    if table_exists(db, "_sqlx_migrations").await? && db.version_applied(1).await? {
        return Ok(());
    }
    let tables = tables_of(&init.sql);
    let mut existing = Vec::new();
    for table in &tables {
        existing.push(db.columns(&table.name).await?);
    }
    if existing.iter().all(BTreeSet::is_empty) {
        return Ok(());
    }
    let failed = |e| MigrateError::ExecuteMigration(e, init.version);
    let postgres = matches!(db, Db::Postgres(_));
    for (table, have) in tables.iter().zip(&existing) {
        if have.is_empty() {
            db.execute(&table.create).await.map_err(failed)?;
        } else {
            for (column, ty, unique) in &table.columns {
                if !have.contains(column) {
                    // Nullable, no default: SQLite adds no other kind of column without a
                    // rebuild, and the runtime's rows have no value for it (no scope =
                    // unmanaged).
                    let add = if postgres {
                        format!(
                            "ALTER TABLE {} ADD COLUMN IF NOT EXISTS {column} {ty}",
                            table.name
                        )
                    } else {
                        format!("ALTER TABLE {} ADD COLUMN {column} {ty}", table.name)
                    };
                    db.execute(&add).await.map_err(failed)?;
                }
                // Upserts name their conflict column: it must be unique. NULLs (rows without
                // a key) never collide.
                if *unique && !db.unique(&table.name, column).await.map_err(failed)? {
                    db.execute(&format!(
                        "CREATE UNIQUE INDEX IF NOT EXISTS {table}_{column}_key ON {table} ({column})",
                        table = table.name
                    ))
                    .await
                    .map_err(failed)?;
                }
            }
        }
        for index in &table.indexes {
            db.execute(index).await.map_err(failed)?;
        }
    }
    tracing::info!(
        tables = ?tables.iter().zip(&existing).filter(|(_, c)| !c.is_empty()).map(|(t, _)| &t.name).collect::<Vec<_>>(),
        "existing tables: added the missing columns and indexes of 0001_init"
    );
    db.record(init).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_init_migrations_parse_into_their_tables() {
        for migrator in [&POSTGRES, &SQLITE] {
            let init = migrator.iter().find(|m| m.version == 1).unwrap();
            let tables = tables_of(&init.sql);
            let names: Vec<&str> = tables.iter().map(|t| t.name.as_str()).collect();
            assert_eq!(names, ["activity_definitions", "event_types", "sync_runs"]);
            let definitions = &tables[0];
            let columns: Vec<&str> = definitions.columns.iter().map(|c| c.0.as_str()).collect();
            assert_eq!(
                columns,
                [
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
                    "retired_at"
                ]
            );
            let unique: Vec<&str> = definitions
                .columns
                .iter()
                .filter(|c| c.2)
                .map(|c| c.0.as_str())
                .collect();
            assert_eq!(unique, ["id", "key"]);
            assert_eq!(tables[1].columns.len(), 11);
            assert_eq!(tables[2].columns.len(), 9);
            for table in &tables {
                assert_eq!(table.indexes.len(), 1, "{table:?}");
                assert!(table.indexes[0].starts_with("CREATE INDEX IF NOT EXISTS "));
            }
        }
    }
}
