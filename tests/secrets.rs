//! No credential in a source URL, or the Temporal API key, ever leaves the process: a token
//! in a git URL (a repository served by `git daemon`, and an https URL whose connection is
//! refused) is absent from every output (text, JSON, Markdown, logs at debug level), from the
//! database file (`sync_runs`, `activity_definitions.source_path`) and from every schedule
//! written to a real Temporal dev server; the API key is refused over plaintext.

mod common;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::temporal::DevServer;
use common::{copy_tree, fixtures, free_port};

const TOKEN: &str = "ghp_T0KEN5ecretXyZ";

/// `git daemon` serving the repositories under `base`, stopped when dropped.
struct GitDaemon {
    child: Child,
    port: u16,
}

impl GitDaemon {
    fn start(base: &Path) -> GitDaemon {
        let port = free_port();
        let child = Command::new("git")
            .args([
                "daemon",
                "--reuseaddr",
                "--export-all",
                "--listen=127.0.0.1",
                &format!("--port={port}"),
                &format!("--base-path={}", base.display()),
            ])
            .arg(base)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("git daemon starts");
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "git daemon did not come up");
            std::thread::sleep(Duration::from_millis(100));
        }
        GitDaemon { child, port }
    }
}

impl Drop for GitDaemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

struct Run {
    code: i32,
    all: String,
}

fn run(dir: &Path, server: &DevServer, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = common::bin();
    cmd.args(args)
        .current_dir(dir)
        .env(
            "DATABASE_URL",
            format!("sqlite://{}", dir.join("a.db").display()),
        )
        .env("TEMPORAL_ADDRESS", &server.address)
        .env("RUST_LOG", "trace")
        .env_remove("TEMPORAL_NAMESPACE")
        .env_remove("TEMPORAL_API_KEY")
        .env_remove("ACTIVITY_SYNC_SCOPE");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        all: format!(
            "{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    }
}

/// Every byte of the SQLite database (and its journal files).
fn database_bytes(dir: &Path) -> String {
    ["a.db", "a.db-wal", "a.db-shm"]
        .iter()
        .filter_map(|f| std::fs::read(dir.join(f)).ok())
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .collect()
}

#[test]
fn a_token_in_a_git_url_is_in_no_output_row_run_or_schedule() {
    let server = DevServer::start(true);
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("srv");
    let repo = base.join("defs-repo");
    std::fs::create_dir_all(&repo).unwrap();
    git(&repo, &["init", "-q", "-b", "main"]);
    copy_tree(&fixtures("valid"), &repo.join("activity-definitions"));
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-qm", "definitions"]);
    let daemon = GitDaemon::start(&base);
    let served = format!(
        "git::git://deploy:{TOKEN}@127.0.0.1:{}/defs-repo//activity-definitions?ref=main",
        daemon.port
    );
    let refused = format!(
        "git::https://deploy:{TOKEN}@127.0.0.1:{}/org/repo.git?access_token={TOKEN}//defs?ref=main",
        free_port()
    );

    let mut outputs = Vec::new();
    let mut check = |args: &[&str], expect: Option<i32>| {
        let r = run(dir.path(), &server, args, &[]);
        if let Some(code) = expect {
            assert_eq!(r.code, code, "{args:?}: {}", r.all);
        }
        assert!(
            !r.all.contains(TOKEN),
            "{args:?} leaked the token:\n{}",
            r.all
        );
        outputs.push(r.all);
    };
    check(&["validate", "--source", &served], Some(0));
    check(
        &["validate", "--source", &served, "--format", "json"],
        Some(0),
    );
    check(&["plan", "--source", &served], Some(0));
    check(
        &["plan", "--source", &served, "--format", "markdown"],
        Some(0),
    );
    check(&["apply", "--source", &served, "--format", "json"], Some(0));
    check(&["apply", "--source", &served], Some(0));
    // Disable one definition: its paused schedule's note names the file.
    git(
        &repo,
        &[
            "mv",
            "activity-definitions/report-daily.md",
            "activity-definitions/report-daily-moved.md",
        ],
    );
    git(&repo, &["commit", "-qm", "move"]);
    check(&["apply", "--source", &served, "--format", "json"], Some(0));
    // The https source fails (connection refused): reported, recorded, never leaked.
    check(&["validate", "--source", &refused], Some(1));
    check(&["plan", "--source", &served, "--source", &refused], None);
    check(
        &[
            "apply", "--source", &served, "--source", &refused, "--format", "json",
        ],
        None,
    );
    check(&["status"], Some(0));
    check(&["status", "--format", "json"], None);
    // A usage error quotes the argument: redacted too.
    check(
        &[
            "plan",
            "--source",
            &format!("git::https://deploy:{TOKEN}@h/r.git?ref="),
        ],
        None,
    );
    let joined = outputs.join("\n");
    assert!(
        joined.contains("deploy:***@127.0.0.1"),
        "the redacted source is shown: {joined}"
    );
    assert!(joined.contains("access_token=***"), "{joined}");

    // The database: rows' source_path and every sync_runs row.
    let db = database_bytes(dir.path());
    assert!(!db.contains(TOKEN), "the database holds the token");
    assert!(
        db.contains("deploy:***@127.0.0.1"),
        "source_path is stored, redacted"
    );

    // Temporal: every schedule, whole (notes, memo, search attributes, action).
    let out = server.cli(&["schedule", "list", "-o", "json"]);
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let ids: Vec<String> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["scheduleId"].as_str().unwrap().to_string())
        .collect();
    assert!(ids.len() >= 4, "{list}");
    for id in ids {
        let described = server.describe(&id).unwrap().to_string();
        assert!(!described.contains(TOKEN), "{id}: {described}");
    }
}

#[test]
fn the_api_key_is_refused_over_plaintext_unless_allowed() {
    let server = DevServer::start(true);
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&fixtures("valid"), &dir.path().join("defs"));
    let key = "tmprl_ApiKeyS3cret";
    let plaintext = format!("http://{}", server.address);
    let refused = run(
        dir.path(),
        &server,
        &["plan", "--source", "defs"],
        &[("TEMPORAL_API_KEY", key), ("TEMPORAL_ADDRESS", &plaintext)],
    );
    assert_eq!(refused.code, 1, "{}", refused.all);
    assert!(
        refused
            .all
            .contains("refusing to send the Temporal API key over plaintext"),
        "{}",
        refused.all
    );
    assert!(!refused.all.contains(key), "{}", refused.all);
    // Allowed explicitly (a trusted local network): the dev server takes it.
    let allowed = run(
        dir.path(),
        &server,
        &["plan", "--source", "defs"],
        &[
            ("TEMPORAL_API_KEY", key),
            ("TEMPORAL_ADDRESS", &plaintext),
            ("TEMPORAL_ALLOW_INSECURE_API_KEY", "true"),
        ],
    );
    assert_eq!(allowed.code, 0, "{}", allowed.all);
    assert!(!allowed.all.contains(key), "{}", allowed.all);
}

/// Three secrets at once — a password in `DATABASE_URL`, the Temporal API key and the
/// report's `Authorization` header — through runs that work and runs whose connections and
/// authentication fail (Temporal unreachable, a Postgres role that does not exist, a closed
/// database port, a report endpoint answering 503 and then 401), `apply`, `audit` and
/// `status`, all with trace logs: none of them appears in stdout or stderr, in a report the
/// endpoint received, in the outbox, `sync_runs` or the rows, in a metrics file, or in the
/// schedules written to Temporal.
#[test]
fn no_secret_reaches_any_output_table_sink_or_schedule() {
    use common::db::{Backend, TestDb, block_on};
    use common::http::{Receiver, Reply};
    use sqlx::Connection;

    const PASSWORD: &str = "pg-Pa55w0rd-X9q";
    const API_KEY: &str = "tmprl-K3y-Secr3t-Z7";
    const AUTH: &str = "Bearer hdr-T0ken-S3cret-W2";
    let secrets = [PASSWORD, API_KEY, AUTH, "hdr-T0ken-S3cret-W2"];

    let server = DevServer::start(true);
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&fixtures("valid"), &dir.path().join("defs"));
    let db = TestDb::new(Backend::Postgres, dir.path());
    // The test Postgres trusts loopback: the password is sent and ignored.
    let with_password = db
        .url
        .replacen("postgres@", &format!("postgres:{PASSWORD}@"), 1);
    assert_ne!(with_password, db.url);
    let name = db.url.rsplit('/').next().unwrap().to_string();
    let receiver = Receiver::start(&[Reply::Status(503); 6], Reply::Status(401));
    let hook = receiver.url("/hooks/activity-sync");
    let temporal = format!("http://{}", server.address);
    let closed = format!("127.0.0.1:{}", common::free_port());
    let metrics = dir.path().join("apply.prom");
    let audit_metrics = dir.path().join("audit.prom");
    let base = [
        ("DATABASE_URL", with_password.as_str()),
        ("TEMPORAL_ADDRESS", temporal.as_str()),
        ("TEMPORAL_API_KEY", API_KEY),
        ("TEMPORAL_ALLOW_INSECURE_API_KEY", "true"),
        ("ACTIVITY_SYNC_REPORT_AUTHORIZATION", AUTH),
    ];
    let apply = [
        "apply",
        "--source",
        "defs",
        "-vv",
        "--format",
        "json",
        "--report-url",
        &hook,
        "--report-timeout",
        "2s",
        "--metrics-file",
        metrics.to_str().unwrap(),
    ];
    let mut seen = String::new();
    let mut go = |args: &[&str], overrides: &[(&str, &str)], expect: i32| {
        let mut env: Vec<(&str, &str)> = base.to_vec();
        env.extend_from_slice(overrides);
        let out = run(dir.path(), &server, args, &env);
        assert_eq!(out.code, expect, "{args:?} {overrides:?}: {}", out.all);
        seen.push_str(&out.all);
    };
    // Works; the endpoint answers 503: the report goes to the outbox.
    go(&apply, &[], 0);
    // Temporal unreachable, with its API key.
    go(
        &apply,
        &[("TEMPORAL_ADDRESS", &format!("http://{closed}"))],
        1,
    );
    // A role that does not exist, with the password; then a closed database port.
    let no_role = format!("postgres://nobody:{PASSWORD}@127.0.0.1:5432/{name}");
    go(&apply, &[("DATABASE_URL", &no_role)], 1);
    let no_port = format!("postgres://postgres:{PASSWORD}@{closed}/{name}");
    go(&apply, &[("DATABASE_URL", &no_port)], 1);
    // The audit with all three, then the endpoint refusing the header (401).
    let audit = [
        "audit",
        "-vv",
        "--format",
        "json",
        "--report-url",
        &hook,
        "--report-timeout",
        "2s",
        "--metrics-file",
        audit_metrics.to_str().unwrap(),
    ];
    go(&audit, &[], 0);
    go(&apply, &[], 0);
    go(&["status", "-vv", "--format", "json"], &[], 0);
    go(&["status", "-vv"], &[], 0);

    let received = receiver.received();
    assert!(received.len() >= 6, "{} requests", received.len());
    assert!(
        received
            .iter()
            .all(|r| r.header("authorization") == Some(AUTH))
    );
    let mut stored = String::new();
    block_on(async {
        let mut conn = sqlx::PgConnection::connect(&db.url).await.unwrap();
        for table in [
            "sync_runs",
            "report_outbox",
            "activity_definitions",
            "event_types",
        ] {
            let rows: Option<String> = sqlx::query_scalar(&format!(
                "SELECT string_agg(row_to_json(t)::text, E'\\n') FROM {table} t"
            ))
            .fetch_one(&mut conn)
            .await
            .unwrap();
            stored.push_str(&rows.unwrap_or_default());
        }
    });
    // Undelivered reports were queued (with the endpoint's URL, redacted, and their body).
    assert!(stored.contains("hooks/activity-sync"), "{stored}");
    let files: String = [&metrics, &audit_metrics]
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    assert!(files.contains("activity_sync_audit_fires"), "{files}");
    let schedules = String::from_utf8_lossy(
        &server
            .cli(&["schedule", "list", "-o", "json", "--long"])
            .stdout,
    )
    .into_owned();
    assert!(schedules.contains("activity-schedule-"), "{schedules}");
    let bodies: String = received
        .iter()
        .map(|r| format!("{} {} {}\n", r.method, r.path, r.body))
        .collect();
    for (what, text) in [
        ("stdout and stderr", &seen),
        ("the reports received", &bodies),
        ("the database", &stored),
        ("the metrics files", &files),
        ("the schedules", &schedules),
    ] {
        for secret in secrets {
            assert!(!text.contains(secret), "{secret} is in {what}: {text}");
        }
    }
}
