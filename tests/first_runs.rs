//! Two `apply`s started together on a fresh database (SQLite file, Postgres database): the
//! migrations run under the scope lock, so the first runs behave like later ones — one
//! migrates and writes, the other reports `lock_skipped` — every time.
//!
//! The two runs must overlap for that to be a test: the winner holds its lock until it has
//! talked to Temporal, and Temporal sits behind a proxy that forwards nothing until the
//! loser has exited. Without the gate, a loaded machine often runs them one after the other.

mod common;

use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use common::db::{BACKENDS, TestDb};
use common::proxy::{Mode, Proxy};
use common::temporal::DevServer;
use common::{copy_tree, fixtures};
use serde_json::Value;

const TRIALS: usize = 8;

fn spawn(dir: &std::path::Path, db: &TestDb, temporal: &str, extra: &[&str]) -> Child {
    common::bin()
        .args(["apply", "--source", "defs", "--format", "json"])
        .args(extra)
        .current_dir(dir)
        .env("DATABASE_URL", &db.url)
        .env("TEMPORAL_ADDRESS", temporal)
        .env_remove("TEMPORAL_NAMESPACE")
        .env_remove("ACTIVITY_SYNC_SCOPE")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn report(child: Child) -> (i32, Value, String) {
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    let value = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("{e}: stdout:\n{stdout}\nstderr:\n{stderr}"));
    (out.status.code().unwrap(), value, stderr)
}

/// Waits until one of the two has exited; returns (the one that exited, the other).
fn first_to_exit(mut a: Child, mut b: Child) -> (Child, Child) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if a.try_wait().unwrap().is_some() {
            return (a, b);
        }
        if b.try_wait().unwrap().is_some() {
            return (b, a);
        }
        assert!(
            Instant::now() < deadline,
            "neither run ended within 60 s while the other held the lock"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn concurrent_first_runs_one_writes_the_other_skips() {
    let server = DevServer::start(true);
    let gate = Proxy::start(&server.address, Mode::Pass);
    for backend in BACKENDS {
        for trial in 0..TRIALS {
            // Every other trial with `--fail-on-lock`: the skipping run exits 3 instead of 0.
            let fail_on_lock = trial % 2 == 1;
            let extra: &[&str] = if fail_on_lock {
                &["--fail-on-lock"]
            } else {
                &[]
            };
            let dir = tempfile::tempdir().unwrap();
            copy_tree(&fixtures("valid"), &dir.path().join("defs"));
            let db = TestDb::new(backend, dir.path());
            gate.set(Mode::StallAfter(0));
            let a = spawn(dir.path(), &db, &gate.address, extra);
            let b = spawn(dir.path(), &db, &gate.address, extra);
            let (loser, winner) = first_to_exit(a, b);
            let (code, skipped, stderr) = report(loser);
            let what = format!("{backend:?} trial {trial}: {skipped}\n{stderr}");
            assert_eq!(code, if fail_on_lock { 3 } else { 0 }, "{what}");
            assert_eq!(skipped["lock_skipped"], true, "{what}");
            assert_eq!(skipped["definitions"]["created"], 0, "{what}");
            gate.set(Mode::Pass);
            let (code, wrote, stderr) = report(winner);
            let what = format!("{backend:?} trial {trial}: {wrote}\n{stderr}");
            assert_eq!(code, 0, "{what}");
            assert_eq!(wrote["lock_skipped"], false, "{what}");
            assert_eq!(wrote["definitions"]["created"], 7, "{what}");
            assert_eq!(db.definitions().len(), 7, "{what}");
            let outcomes = db.outcomes();
            assert!(outcomes.contains(&"success".to_string()), "{outcomes:?}");
        }
    }
    assert!(gate.connections() > 0, "the runs went through the gate");
}
