//! The report outbox (SPEC §8): reports `--report-url` could not deliver, kept until a later
//! run of the same scope delivers them, oldest first, under the idempotency key they were
//! first sent with. The authorization header is never stored here; the URL is stored
//! redacted, for people (a later run delivers to its own `--report-url`).

use chrono::{DateTime, Utc};
use sqlx::Row;

use super::{Store, StoreError};

/// One undelivered report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxEntry {
    pub id: String,
    pub scope: String,
    pub idempotency_key: String,
    /// Redacted.
    pub url: String,
    /// The JSON report, exactly as it was first sent.
    pub body: String,
    pub created_at: DateTime<Utc>,
    pub attempts: i64,
    pub last_error: Option<String>,
}

const INSERT: &str = "INSERT INTO report_outbox \
     (id, scope, idempotency_key, url, body, created_at, attempts, last_error, sent_at) \
     VALUES ($1::uuid, $2, $3, $4, $5, $6, $7, $8, NULL)";

const PENDING: &str = "SELECT id::text AS id, scope, idempotency_key, url, body, created_at, \
     attempts, last_error FROM report_outbox WHERE scope = $1 AND sent_at IS NULL \
     ORDER BY created_at, id LIMIT $2";

const COUNT_PENDING: &str =
    "SELECT count(*) AS n FROM report_outbox WHERE scope = $1 AND sent_at IS NULL";

const MARK_SENT: &str = "UPDATE report_outbox SET sent_at = $2, attempts = attempts + $3 \
     WHERE id = $1::uuid AND sent_at IS NULL";

const MARK_FAILED: &str = "UPDATE report_outbox SET attempts = attempts + $2, last_error = $3 \
     WHERE id = $1::uuid";

impl Store {
    /// Whether the outbox table exists (it comes with the migrations `apply` runs).
    pub async fn has_outbox(&self) -> Result<bool, StoreError> {
        Ok(match self {
            Store::Postgres(pool) => {
                sqlx::query_scalar::<_, bool>("SELECT to_regclass('report_outbox') IS NOT NULL")
                    .fetch_one(pool)
                    .await?
            }
            Store::Sqlite(pool) => {
                sqlx::query_scalar::<_, i64>(
                    "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'report_outbox'",
                )
                .fetch_one(pool)
                .await?
                    > 0
            }
        })
    }

    /// Queues a report that could not be delivered.
    pub async fn enqueue_report(&self, entry: &OutboxEntry) -> Result<(), StoreError> {
        on_backend!(self, |pool, sql| {
            sqlx::query(&sql(INSERT))
                .bind(&entry.id)
                .bind(&entry.scope)
                .bind(&entry.idempotency_key)
                .bind(&entry.url)
                .bind(&entry.body)
                .bind(entry.created_at)
                .bind(entry.attempts)
                .bind(&entry.last_error)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// The scope's undelivered reports, oldest first, at most `limit`.
    pub async fn pending_reports(
        &self,
        scope: &str,
        limit: i64,
    ) -> Result<Vec<OutboxEntry>, StoreError> {
        on_backend!(self, |pool, sql| {
            sqlx::query(&sql(PENDING))
                .bind(scope)
                .bind(limit)
                .fetch_all(pool)
                .await?
                .iter()
                .map(|row| {
                    Ok(OutboxEntry {
                        id: row.try_get("id")?,
                        scope: row.try_get("scope")?,
                        idempotency_key: row.try_get("idempotency_key")?,
                        url: row.try_get("url")?,
                        body: row.try_get("body")?,
                        created_at: row.try_get("created_at")?,
                        attempts: row.try_get::<i64, _>("attempts")?,
                        last_error: row.try_get("last_error")?,
                    })
                })
                .collect()
        })
    }

    /// How many reports of the scope wait in the outbox.
    pub async fn pending_report_count(&self, scope: &str) -> Result<i64, StoreError> {
        on_backend!(self, |pool, sql| {
            let row = sqlx::query(&sql(COUNT_PENDING))
                .bind(scope)
                .fetch_one(pool)
                .await?;
            Ok(row.try_get::<i64, _>("n")?)
        })
    }

    /// A queued report reached the receiver (a 2xx answer) after `attempts` more tries.
    pub async fn mark_report_sent(
        &self,
        id: &str,
        attempts: i64,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        on_backend!(self, |pool, sql| {
            sqlx::query(&sql(MARK_SENT))
                .bind(id)
                .bind(at)
                .bind(attempts)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// A queued report failed again, after `attempts` more tries.
    pub async fn mark_report_failed(
        &self,
        id: &str,
        attempts: i64,
        error: &str,
    ) -> Result<(), StoreError> {
        on_backend!(self, |pool, sql| {
            sqlx::query(&sql(MARK_FAILED))
                .bind(id)
                .bind(attempts)
                .bind(error)
                .execute(pool)
                .await?;
        });
        Ok(())
    }
}
