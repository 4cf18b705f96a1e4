//! The embedded migrations, run where concurrent first runs cannot race them.
//!
//! Postgres: sqlx's migrator holds its own advisory lock while it reads and applies, so two
//! first runs migrate one after the other. SQLite: sqlx's migrator takes no lock (it reads the
//! applied versions, then applies each in a deferred transaction), so two processes on a fresh
//! file both try `CREATE TABLE` and one fails ("table … already exists", "database is
//! locked"). There the migrations run inside the caller's `BEGIN IMMEDIATE` transaction, the
//! file's one write lock: the scope lock of a run, or the lock `migrate` takes. The
//! bookkeeping is sqlx's own `_sqlx_migrations` table, so either path reads the other's.

use std::collections::HashMap;

use sqlx::migrate::{Migrate, MigrateError, Migrator};
use sqlx::{Executor, SqliteConnection};

pub(super) static POSTGRES: Migrator = sqlx::migrate!("migrations/postgres");
pub(super) static SQLITE: Migrator = sqlx::migrate!("migrations/sqlite");

/// Applies the missing SQLite migrations on `conn`, which must already hold the write lock
/// (`BEGIN IMMEDIATE`); nothing is committed here.
pub(super) async fn sqlite_in_transaction(conn: &mut SqliteConnection) -> Result<(), MigrateError> {
    conn.ensure_migrations_table().await?;
    if let Some(version) = conn.dirty_version().await? {
        return Err(MigrateError::Dirty(version));
    }
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
