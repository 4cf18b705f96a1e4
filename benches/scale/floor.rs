//! The floor a no-op run is measured against: reading the same state once with the
//! plainest tools, in the same run — `temporal schedule list` of the scope's schedules (the
//! CLI, JSON output, so it reads every page; filtered by `ActivitySyncScope` where the
//! namespace has the attribute, unfiltered otherwise) plus one `SELECT` of the scope's rows.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use sqlx::Connection;

pub struct Floor {
    pub list: Duration,
    /// Schedules the CLI listed.
    pub listed: usize,
    pub select: Duration,
    /// Rows the `SELECT` read.
    pub rows: usize,
}

impl Floor {
    pub fn total(&self) -> Duration {
        self.list + self.select
    }
}

/// `temporal schedule list -o json` (with `--query` when `scope` is given); the CLI's
/// start-up is part of the figure, as the binary's is part of its own.
pub fn list(temporal: &Path, address: &str, scope: Option<&str>) -> (Duration, usize) {
    let mut command = Command::new(temporal);
    command.args(["schedule", "list", "-o", "json", "--address", address]);
    let query;
    if let Some(scope) = scope {
        query = format!("ActivitySyncScope = '{scope}'");
        command.args(["--query", &query]);
    }
    let start = Instant::now();
    let out = command.output().expect("the temporal CLI runs");
    let elapsed = start.elapsed();
    assert!(
        out.status.success(),
        "temporal schedule list: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let listed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "temporal schedule list -o json: {e}: {}",
            String::from_utf8_lossy(&out.stdout[..out.stdout.len().min(400)])
        )
    });
    (elapsed, listed.as_array().map_or(0, Vec::len))
}

/// One connection and one `SELECT` of the scope's rows (every column, as a read of the
/// state would), timed together.
pub async fn select(database_url: &str, scope: &str) -> (Duration, usize) {
    let start = Instant::now();
    let mut conn = sqlx::PgConnection::connect(database_url)
        .await
        .expect("the bench connects to Postgres");
    let rows = sqlx::query("SELECT * FROM activity_definitions WHERE scope = $1")
        .bind(scope)
        .fetch_all(&mut conn)
        .await
        .expect("SELECT of the scope's rows");
    let elapsed = start.elapsed();
    let _ = conn.close().await;
    (elapsed, rows.len())
}
