//! One run of the real binary as a child process, measured: wall time (start-up included),
//! peak RSS (the child's `VmHWM`, polled from `/proc`), the Temporal calls of its JSON
//! report (`temporal_calls`) and the SQL statements sqlx logged on its stderr.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// How often the child's `/proc/PID/status` is read. `VmHWM` is a high-water mark, so
/// polling misses only what the child grows in its last interval.
const RSS_POLL: Duration = Duration::from_millis(5);

/// The binary under test: `ACTIVITY_SYNC_BIN`, else the one cargo built with this bench
/// (debug under `cargo test`, release under `cargo bench`).
pub fn binary() -> PathBuf {
    std::env::var_os("ACTIVITY_SYNC_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_activity-sync")))
}

/// Where a run goes: its working directory, database and Temporal server.
pub struct Target<'a> {
    pub dir: &'a Path,
    pub database_url: &'a str,
    pub temporal_address: &'a str,
}

#[derive(Debug, Clone)]
pub struct Measured {
    pub code: i32,
    pub wall: Duration,
    pub peak_rss_kib: u64,
    /// The JSON report (`Value::Null` when stdout was not JSON).
    pub report: Value,
    /// Statements sqlx logged (target `sqlx::query`).
    pub sql: usize,
    pub stderr_tail: String,
}

/// The Temporal calls of a report, by JSON key (`temporal_calls`), in the report's order.
pub fn calls(report: &Value) -> Vec<(String, u64)> {
    report["temporal_calls"]
        .as_object()
        .map(|o| {
            o.iter()
                .map(|(k, v)| (k.clone(), v.as_u64().unwrap_or(0)))
                .collect()
        })
        .unwrap_or_default()
}

/// Create, update, patch and delete calls.
pub fn mutating(report: &Value) -> u64 {
    let calls = &report["temporal_calls"];
    ["create", "update", "patch", "delete"]
        .iter()
        .map(|k| calls[k].as_u64().unwrap_or(0))
        .sum()
}

impl Measured {
    pub fn calls_text(&self) -> String {
        let calls = calls(&self.report);
        if calls.is_empty() {
            return "none".into();
        }
        calls
            .iter()
            .filter(|(_, n)| *n > 0)
            .map(|(k, n)| format!("{k} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    }

    pub fn summary(&self) -> String {
        format!(
            "{} · exit {} · peak RSS {:.1} MB · RPCs: {} · SQL statements: {}",
            secs(self.wall),
            self.code,
            self.peak_rss_kib as f64 * 1024.0 / 1e6,
            self.calls_text(),
            self.sql
        )
    }
}

pub fn secs(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

/// Runs the binary with `args` against `target`, stdout and stderr to files (no pipe to
/// drain while the child runs), and measures it.
pub fn run(target: &Target<'_>, args: &[&str]) -> Measured {
    let out_path = target.dir.join("stdout.json");
    let err_path = target.dir.join("stderr.log");
    let stdout = std::fs::File::create(&out_path).unwrap();
    let stderr = std::fs::File::create(&err_path).unwrap();
    let start = Instant::now();
    let mut child = Command::new(binary())
        .args(args)
        .current_dir(target.dir)
        .env("DATABASE_URL", target.database_url)
        .env("TEMPORAL_ADDRESS", target.temporal_address)
        .env("RUST_LOG", "warn,sqlx::query=debug")
        .env("NO_COLOR", "1")
        .env_remove("TEMPORAL_NAMESPACE")
        .env_remove("ACTIVITY_SYNC_SCOPE")
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(stderr)
        .spawn()
        .expect("the activity-sync binary starts");
    let status_path = format!("/proc/{}/status", child.id());
    let mut peak = 0;
    let status = loop {
        // Read before reaping: once waited for, the process and its /proc entry are gone.
        if let Some(hwm) = std::fs::read_to_string(&status_path)
            .ok()
            .as_deref()
            .and_then(vm_hwm)
        {
            peak = peak.max(hwm);
        }
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        std::thread::sleep(RSS_POLL);
    };
    let wall = start.elapsed();
    let stdout = std::fs::read_to_string(&out_path).unwrap_or_default();
    let stderr = std::fs::read_to_string(&err_path).unwrap_or_default();
    let tail: Vec<&str> = stderr
        .lines()
        .filter(|l| !l.contains("sqlx::query"))
        .collect();
    Measured {
        code: status.code().unwrap_or(-1),
        wall,
        peak_rss_kib: peak,
        report: serde_json::from_str(&stdout).unwrap_or(Value::Null),
        sql: stderr.matches("sqlx::query").count(),
        stderr_tail: tail[tail.len().saturating_sub(5)..].join("\n"),
    }
}

fn vm_hwm(status: &str) -> Option<u64> {
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}
