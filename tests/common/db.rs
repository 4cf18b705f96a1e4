//! Real databases for integration tests: a SQLite file in a temp dir, or a Postgres
//! database created per test and dropped afterwards. A missing Postgres is a failure.

use std::path::Path;

use sqlx::Connection;

pub const PG_ADMIN_DEFAULT: &str = "postgres://postgres@127.0.0.1:5432/postgres";

pub fn pg_admin_url() -> String {
    std::env::var("ACTIVITY_SYNC_TEST_POSTGRES").unwrap_or_else(|_| PG_ADMIN_DEFAULT.to_string())
}

pub fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub const BACKENDS: [Backend; 2] = [Backend::Sqlite, Backend::Postgres];

pub struct TestDb {
    pub backend: Backend,
    pub url: String,
    pg_name: Option<String>,
}

impl TestDb {
    pub fn new(backend: Backend, dir: &Path) -> TestDb {
        match backend {
            Backend::Sqlite => TestDb {
                backend,
                url: format!("sqlite://{}", dir.join("activity-sync.db").display()),
                pg_name: None,
            },
            Backend::Postgres => {
                let name = format!("as_test_{}", uuid::Uuid::new_v4().simple());
                let admin = pg_admin_url();
                block_on(async {
                    let mut conn = sqlx::PgConnection::connect(&admin).await.unwrap_or_else(|e| {
                        panic!("Postgres is required for the integration tests ({admin}): {e}; scripts/test.sh starts it")
                    });
                    sqlx::query(&format!("CREATE DATABASE {name}"))
                        .execute(&mut conn)
                        .await
                        .unwrap();
                });
                let base = admin.rsplit_once('/').unwrap().0;
                TestDb {
                    backend,
                    url: format!("{base}/{name}"),
                    pg_name: Some(name),
                }
            }
        }
    }

    /// Rows of `activity_definitions` as `(key, enabled, retired, scope, updated_at text, version)`
    /// where version is Postgres' `xmin` (changes on every write) or SQLite's `updated_at`.
    pub fn definitions(&self) -> Vec<(String, bool, bool, String, String)> {
        block_on(async {
            let sql = match self.backend {
                Backend::Postgres => {
                    "SELECT key, enabled, retired_at IS NOT NULL, scope, xmin::text || '/' || updated_at::text FROM activity_definitions ORDER BY key"
                }
                Backend::Sqlite => {
                    "SELECT key, enabled, retired_at IS NOT NULL, scope, updated_at FROM activity_definitions ORDER BY key"
                }
            };
            match self.backend {
                Backend::Postgres => {
                    let mut c = sqlx::PgConnection::connect(&self.url).await.unwrap();
                    sqlx::query_as(sql).fetch_all(&mut c).await.unwrap()
                }
                Backend::Sqlite => {
                    let mut c = sqlx::SqliteConnection::connect(&self.url).await.unwrap();
                    sqlx::query_as(sql).fetch_all(&mut c).await.unwrap()
                }
            }
        })
    }

    /// `sync_runs.outcome` of every recorded run, oldest first.
    pub fn outcomes(&self) -> Vec<String> {
        let sql = "SELECT outcome FROM sync_runs ORDER BY started_at";
        block_on(async {
            match self.backend {
                Backend::Postgres => {
                    let mut c = sqlx::PgConnection::connect(&self.url).await.unwrap();
                    sqlx::query_scalar(sql).fetch_all(&mut c).await.unwrap()
                }
                Backend::Sqlite => {
                    let mut c = sqlx::SqliteConnection::connect(&self.url).await.unwrap();
                    sqlx::query_scalar(sql).fetch_all(&mut c).await.unwrap()
                }
            }
        })
    }

    /// Runs one statement (test set-up: simulate someone else's change).
    pub fn execute(&self, sql: &str) {
        block_on(async {
            match self.backend {
                Backend::Postgres => {
                    let mut c = sqlx::PgConnection::connect(&self.url).await.unwrap();
                    sqlx::query(sql).execute(&mut c).await.unwrap();
                }
                Backend::Sqlite => {
                    let mut c = sqlx::SqliteConnection::connect(&self.url).await.unwrap();
                    sqlx::query(sql).execute(&mut c).await.unwrap();
                }
            }
        })
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(name) = &self.pg_name {
            let admin = pg_admin_url();
            block_on(async {
                if let Ok(mut conn) = sqlx::PgConnection::connect(&admin).await {
                    let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .execute(&mut conn)
                        .await;
                }
            });
        }
    }
}
