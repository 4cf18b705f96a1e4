//! One builder for the integration tests that run the whole job (just's `tests/test.rs`):
//! a working directory with a copy of the valid fixtures, a SQLite database in it and a
//! Temporal dev server of its own.

use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::Value;

use super::temporal::DevServer;
use super::{copy_tree, fixtures};

pub struct Job {
    pub dir: tempfile::TempDir,
    pub server: DevServer,
}

impl Job {
    /// `with_attributes`: the namespace has activity-sync's search attributes registered.
    pub fn new(with_attributes: bool) -> Job {
        Job::on(DevServer::start(with_attributes))
    }

    /// A job against the given server.
    pub fn on(server: DevServer) -> Job {
        let dir = tempfile::tempdir().unwrap();
        copy_tree(&fixtures("valid"), &dir.path().join("defs"));
        Job { dir, server }
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub fn db_url(&self) -> String {
        format!("sqlite://{}", self.path("activity-sync.db").display())
    }

    /// The binary in the job's directory, pointed at its database and server.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = super::bin();
        cmd.args(args)
            .current_dir(self.dir.path())
            .env("DATABASE_URL", self.db_url())
            .env("TEMPORAL_ADDRESS", &self.server.address)
            .env_remove("TEMPORAL_NAMESPACE")
            .env_remove("ACTIVITY_SYNC_SCOPE");
        cmd
    }

    /// Runs with `--format json`; returns the exit code and the report.
    pub fn json(&self, args: &[&str]) -> (i32, Value) {
        let mut all = args.to_vec();
        all.extend(["--format", "json"]);
        parse(self.command(&all).output().unwrap())
    }

    pub fn edit(&self, rel: &str, from: &str, to: &str) {
        let path = self.path(rel);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{rel} lacks {from:?}");
        std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
    }

    /// Every schedule id of the namespace, as the CLI lists them.
    pub fn schedule_ids(&self) -> Vec<String> {
        let out = self.server.cli(&["schedule", "list", "-o", "json"]);
        let list: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
        list.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|s| s["scheduleId"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// `(mode, outcome)` of every recorded run, oldest first.
    pub fn sync_runs(&self) -> Vec<(String, String)> {
        super::db::block_on(async {
            use sqlx::Connection;
            let mut c = sqlx::SqliteConnection::connect(&self.db_url())
                .await
                .unwrap();
            sqlx::query_as("SELECT mode, outcome FROM sync_runs ORDER BY started_at")
                .fetch_all(&mut c)
                .await
                .unwrap()
        })
    }
}

/// The exit code and the JSON report of a finished run.
pub fn parse(out: Output) -> (i32, Value) {
    let stdout = String::from_utf8(out.stdout).unwrap();
    let report = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: stdout:\n{stdout}\nstderr:\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap(), report)
}
