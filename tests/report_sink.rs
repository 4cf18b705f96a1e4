//! `--report-url`, the outbox and the metrics (SPEC §8) against a real HTTP server on
//! loopback (tests/common/http.rs), real SQLite files, one real Postgres database and one
//! real Temporal dev server: retried deliveries arrive once under one idempotency key, an
//! endpoint that is down costs the sync nothing and queues the report, a later run delivers
//! the queue oldest first and never twice, a lost answer brings the same key again, the
//! authorization header reaches the receiver and nothing else; the metrics file keeps the
//! last success across failed runs, and the Pushgateway gets the group of job and scope.

mod common;

use std::path::PathBuf;
use std::process::{Command, Output};

use common::db::{Backend, TestDb};
use common::http::{Receiver, Reply};
use common::{copy_tree, fixtures, free_port};
use serde_json::Value;

const AUTH: &str = "Bearer rEp0rt-s3cret-H3ader";

/// A working directory with a `defs/` copy of the valid fixtures and a database.
struct Workspace {
    dir: tempfile::TempDir,
    db: TestDb,
}

impl Workspace {
    fn new(backend: Backend) -> Workspace {
        let dir = tempfile::tempdir().unwrap();
        copy_tree(&fixtures("valid"), &dir.path().join("defs"));
        let db = TestDb::new(backend, dir.path());
        Workspace { dir, db }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// `apply` of the rows only (the schedules stage has its test below).
    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = common::bin();
        cmd.args(["apply", "--source", "defs", "--schedules=false"])
            .args(args)
            .current_dir(self.dir.path())
            .env("DATABASE_URL", &self.db.url)
            .env("ACTIVITY_SYNC_REPORT_AUTHORIZATION", AUTH)
            .env_remove("ACTIVITY_SYNC_SCOPE")
            .env_remove("ACTIVITY_SYNC_REPORT_URL");
        cmd
    }

    fn json(&self, args: &[&str]) -> Run {
        let mut all = args.to_vec();
        all.extend(["--format", "json"]);
        Run::of(self.command(&all).output().unwrap())
    }

    /// `(idempotency_key, attempts, sent)` of every outbox row, oldest first.
    fn outbox(&self) -> Vec<(String, i64, bool)> {
        let sql = "SELECT idempotency_key, attempts, sent_at IS NOT NULL FROM report_outbox \
                   ORDER BY created_at, id";
        common::db::block_on(async {
            use sqlx::Connection;
            match self.db.backend {
                Backend::Postgres => {
                    let mut c = sqlx::PgConnection::connect(&self.db.url).await.unwrap();
                    sqlx::query_as(sql).fetch_all(&mut c).await.unwrap()
                }
                Backend::Sqlite => {
                    let mut c = sqlx::SqliteConnection::connect(&self.db.url).await.unwrap();
                    sqlx::query_as(sql).fetch_all(&mut c).await.unwrap()
                }
            }
        })
    }

    /// Every byte the SQLite database holds (its write-ahead log included).
    fn sqlite_bytes(&self) -> Vec<u8> {
        let mut bytes = Vec::new();
        for name in ["activity-sync.db", "activity-sync.db-wal"] {
            if let Ok(b) = std::fs::read(self.path(name)) {
                bytes.extend(b);
            }
        }
        assert!(!bytes.is_empty());
        bytes
    }
}

struct Run {
    code: i32,
    report: Value,
    stdout: String,
    stderr: String,
}

impl Run {
    fn of(out: Output) -> Run {
        let stdout = String::from_utf8(out.stdout).unwrap();
        let stderr = String::from_utf8(out.stderr).unwrap();
        let report = serde_json::from_str(&stdout)
            .unwrap_or_else(|e| panic!("{e}: stdout:\n{stdout}\nstderr:\n{stderr}"));
        Run {
            code: out.status.code().unwrap(),
            report,
            stdout,
            stderr,
        }
    }

    fn run_id(&self) -> String {
        self.report["run_id"].as_str().unwrap().to_string()
    }

    /// The report as it is sent: stdout's JSON without what became of it.
    fn sent_form(&self) -> Value {
        let mut value = self.report.clone();
        let map = value.as_object_mut().unwrap();
        map.remove("report");
        map.remove("metrics");
        value
    }
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

#[test]
fn server_errors_then_success_deliver_once_under_one_key() {
    let ws = Workspace::new(Backend::Sqlite);
    let hook = Receiver::start(
        &[Reply::Status(500), Reply::Status(503)],
        Reply::Status(200),
    );
    let url = hook.url("/hooks/sync?token=urlT0ken5ecret");
    let run = ws.json(&["--report-url", &url, "-vv"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let got = hook.received();
    assert_eq!(got.len(), 3, "two 5xx answers and the success");
    let key = run.run_id();
    for r in &got {
        assert_eq!(r.method, "POST");
        assert_eq!(r.path, "/hooks/sync?token=urlT0ken5ecret");
        assert_eq!(r.header("idempotency-key"), Some(key.as_str()));
        assert_eq!(r.header("authorization"), Some(AUTH));
        assert_eq!(r.header("content-type"), Some("application/json"));
        let body: Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(body, run.sent_form(), "the body is the JSON report");
    }
    let report = &run.report["report"];
    assert_eq!(report["delivered"], true);
    assert_eq!(report["attempts"], 3);
    assert_eq!(report["queued"], false);
    assert_eq!(report["outbox_pending"], 0);
    assert!(report["url"].as_str().unwrap().contains("token=***"));
    assert!(ws.outbox().is_empty(), "a delivered report is not queued");
    // The authorization and the URL's token: nowhere but on the wire.
    for secret in [AUTH, "rEp0rt-s3cret", "urlT0ken5ecret"] {
        assert!(!run.stdout.contains(secret), "stdout leaks {secret}");
        assert!(!run.stderr.contains(secret), "stderr (-vv) leaks {secret}");
        assert!(
            !contains(&ws.sqlite_bytes(), secret),
            "the database leaks {secret}"
        );
    }
    // The run is recorded under the key the receiver saw.
    common::db::block_on(async {
        use sqlx::Connection;
        let mut c = sqlx::SqliteConnection::connect(&ws.db.url).await.unwrap();
        let ids: Vec<String> = sqlx::query_scalar("SELECT id FROM sync_runs")
            .fetch_all(&mut c)
            .await
            .unwrap();
        assert_eq!(ids, [key]);
    });
}

#[test]
fn a_client_error_is_not_retried() {
    let ws = Workspace::new(Backend::Sqlite);
    let hook = Receiver::start(&[], Reply::Status(422));
    let run = ws.json(&["--report-url", &hook.url("/"), "--report-timeout", "5s"]);
    assert_eq!(run.code, 0);
    assert_eq!(hook.received().len(), 1, "a 4xx answer is final");
    assert_eq!(run.report["report"]["delivered"], false);
    assert!(
        run.report["report"]["error"]
            .as_str()
            .unwrap()
            .contains("422"),
        "{}",
        run.report["report"]
    );
}

/// Down for a whole run: the sync is unaffected (same exit code and outcome as without
/// `--report-url`) and the report waits in the outbox; two such runs, then a run with the
/// endpoint up delivers both, oldest first, then its own; the run after delivers only its
/// own.
#[test]
fn a_down_endpoint_queues_and_a_later_run_delivers_oldest_first_once() {
    let twin = Workspace::new(Backend::Sqlite);
    let without = twin.json(&[]);
    let ws = Workspace::new(Backend::Sqlite);
    let closed = format!("http://127.0.0.1:{}/hook", free_port());
    let first = ws.json(&["--report-url", &closed, "--report-timeout", "2s"]);
    assert_eq!(first.code, without.code, "{}", first.stderr);
    assert_eq!(first.report["outcome"], without.report["outcome"]);
    assert_eq!(first.report["definitions"], without.report["definitions"]);
    let report = &first.report["report"];
    assert_eq!(report["delivered"], false);
    assert_eq!(report["queued"], true);
    assert_eq!(report["outbox_pending"], 1);
    assert!(
        report["attempts"].as_u64().unwrap() >= 2,
        "retried: {report}"
    );
    assert!(
        report["error"].as_str().unwrap().contains("connect"),
        "{report}"
    );
    let second = ws.json(&["--report-url", &closed, "--report-timeout", "1s"]);
    assert_eq!(second.code, 0);
    assert_eq!(second.report["report"]["outbox_pending"], 2);
    let queued = ws.outbox();
    assert_eq!(
        queued
            .iter()
            .map(|q| (q.0.clone(), q.2))
            .collect::<Vec<_>>(),
        [(first.run_id(), false), (second.run_id(), false)]
    );
    // Text says so too.
    let (_, text) = {
        let out = ws
            .command(&["--report-url", &closed, "--report-timeout", "1s"])
            .output()
            .unwrap();
        (out.status.code(), String::from_utf8(out.stdout).unwrap())
    };
    assert!(
        text.contains("Report: NOT delivered to http://127.0.0.1:")
            && text.contains("queued in the outbox for the next run")
            && text.contains("Waiting in the outbox: 3 reports."),
        "{text}"
    );
    let third_key = ws.outbox()[2].0.clone();
    // `status` counts what waits.
    let out = common::bin()
        .args(["status", "--schedules=false", "--format", "json"])
        .env("DATABASE_URL", &ws.db.url)
        .output()
        .unwrap();
    let status: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        status["last_success"][0]["report_outbox_pending"], 3,
        "{status}"
    );

    let hook = Receiver::start(&[], Reply::Status(200));
    let up = ws.json(&["--report-url", &hook.url("/hook")]);
    assert_eq!(up.code, 0);
    let keys: Vec<String> = hook
        .received()
        .iter()
        .map(|r| r.header("idempotency-key").unwrap().to_string())
        .collect();
    assert_eq!(
        keys,
        [first.run_id(), second.run_id(), third_key, up.run_id()],
        "the outbox oldest first, then this run's report"
    );
    let bodies: Vec<Value> = hook
        .received()
        .iter()
        .map(|r| serde_json::from_str(&r.body).unwrap())
        .collect();
    assert_eq!(
        bodies[0],
        first.sent_form(),
        "a queued report is sent as it was"
    );
    assert_eq!(bodies[1], second.sent_form());
    assert_eq!(bodies[3], up.sent_form());
    assert!(
        hook.received()
            .iter()
            .all(|r| r.header("authorization") == Some(AUTH))
    );
    let report = &up.report["report"];
    assert_eq!(report["delivered"], true);
    assert_eq!(report["outbox_delivered"], 3);
    assert_eq!(report["outbox_pending"], 0);
    assert!(
        ws.outbox().iter().all(|q| q.2),
        "every queued report marked sent"
    );
    assert!(
        ws.outbox()[0].1 >= 3,
        "attempts add up across runs: {:?}",
        ws.outbox()
    );

    let after = ws.json(&["--report-url", &hook.url("/hook")]);
    let keys: Vec<String> = hook.received()[4..]
        .iter()
        .map(|r| r.header("idempotency-key").unwrap().to_string())
        .collect();
    assert_eq!(keys, [after.run_id()], "nothing is delivered twice");
    assert_eq!(after.report["report"]["outbox_delivered"], 0);
    assert!(
        !contains(&ws.sqlite_bytes(), "rEp0rt-s3cret"),
        "the outbox holds no authorization"
    );
}

/// The receiver read the report but its answer was lost (the connection closed before any
/// response): every later try, in the same run and in the next, carries the same key.
#[test]
fn a_lost_answer_brings_the_same_key_again() {
    let ws = Workspace::new(Backend::Sqlite);
    let hook = Receiver::start(&[Reply::Drop], Reply::Status(200));
    let run = ws.json(&["--report-url", &hook.url("/")]);
    let got = hook.received();
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].body, got[1].body);
    assert_eq!(
        got[0].header("idempotency-key"),
        Some(run.run_id().as_str())
    );
    assert_eq!(
        got[1].header("idempotency-key"),
        Some(run.run_id().as_str())
    );
    assert_eq!(run.report["report"]["delivered"], true);
    assert_eq!(run.report["report"]["attempts"], 2);

    // Lost for the whole run: queued, and the next run sends the same key first.
    hook.script(&[Reply::Drop; 100]);
    let lost = ws.json(&["--report-url", &hook.url("/"), "--report-timeout", "2s"]);
    assert_eq!(lost.code, 0);
    assert_eq!(lost.report["report"]["queued"], true);
    let seen = hook.received().len();
    assert!(seen > 2, "the receiver saw the lost deliveries");
    hook.script(&[]);
    let next = ws.json(&["--report-url", &hook.url("/")]);
    let keys: Vec<String> = hook.received()[seen..]
        .iter()
        .map(|r| r.header("idempotency-key").unwrap().to_string())
        .collect();
    assert_eq!(keys, [lost.run_id(), next.run_id()]);
    assert!(ws.outbox().iter().all(|q| q.2));
}

/// With no database reached, the report is still sent; when it cannot be, it is said not
/// queued (there is nowhere to queue it), and the exit code is the failed run's.
#[test]
fn without_a_database_the_report_is_sent_or_said_lost() {
    let ws = Workspace::new(Backend::Sqlite);
    let hook = Receiver::start(&[], Reply::Status(200));
    let mut cmd = ws.command(&["--report-url", &hook.url("/"), "--format", "json"]);
    cmd.env("DATABASE_URL", "sqlite:///nonexistent/dir/activity-sync.db");
    let run = Run::of(cmd.output().unwrap());
    assert_eq!(run.code, 1, "the database failed");
    assert_eq!(run.report["report"]["delivered"], true);
    assert_eq!(run.report["report"]["outbox_pending"], Value::Null);
    assert_eq!(hook.received().len(), 1);
    assert_eq!(run.report["error_kinds"]["automation"], 1);

    let closed = format!("http://127.0.0.1:{}/", free_port());
    let mut cmd = ws.command(&[
        "--report-url",
        &closed,
        "--report-timeout",
        "1s",
        "--format",
        "json",
    ]);
    cmd.env("DATABASE_URL", "sqlite:///nonexistent/dir/activity-sync.db");
    let run = Run::of(cmd.output().unwrap());
    assert_eq!(run.code, 1);
    assert_eq!(run.report["report"]["queued"], false);
    assert!(
        run.report["report"]["error"]
            .as_str()
            .unwrap()
            .contains("not queued: no database reached"),
        "{}",
        run.report["report"]
    );
}

/// The outbox migration and queue on Postgres.
#[test]
fn postgres_outbox() {
    let ws = Workspace::new(Backend::Postgres);
    let closed = format!("http://127.0.0.1:{}/", free_port());
    let down = ws.json(&["--report-url", &closed, "--report-timeout", "1s"]);
    assert_eq!(down.code, 0, "{}", down.stderr);
    assert_eq!(
        ws.outbox(),
        [(
            down.run_id(),
            down.report["report"]["attempts"].as_i64().unwrap(),
            false
        )]
    );
    let hook = Receiver::start(&[], Reply::Status(204));
    let up = ws.json(&["--report-url", &hook.url("/")]);
    assert_eq!(up.report["report"]["outbox_delivered"], 1);
    let keys: Vec<String> = hook
        .received()
        .iter()
        .map(|r| r.header("idempotency-key").unwrap().to_string())
        .collect();
    assert_eq!(keys, [down.run_id(), up.run_id()]);
    assert!(ws.outbox().iter().all(|q| q.2));
}

/// Errors say whose they are: an invalid file is a definition error, a failed source an
/// automation error.
#[test]
fn errors_are_split_by_kind() {
    let ws = Workspace::new(Backend::Sqlite);
    std::fs::write(ws.path("defs/broken.md"), "---\nkey: [unclosed\n---\n").unwrap();
    let run = ws.json(&["--source", "missing-dir"]);
    assert_eq!(run.code, 1, "a source failed");
    let kinds = &run.report["error_kinds"];
    assert_eq!(kinds["definition"], 1, "{}", run.report["errors"]);
    assert_eq!(kinds["automation"], 1, "{}", run.report["errors"]);
    let errors = run.report["errors"].as_array().unwrap();
    let of = |stage: &str| {
        errors
            .iter()
            .find(|e| e["stage"] == stage)
            .unwrap_or_else(|| panic!("no {stage} error: {errors:?}"))["kind"]
            .clone()
    };
    assert_eq!(of("definitions"), "definition");
    assert_eq!(of("sources"), "automation");
}

fn gauge(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find(|l| l.starts_with(series) && l[series.len()..].starts_with(' '))
        .map(|l| l.rsplit(' ').next().unwrap().parse().unwrap())
}

/// The textfile after a success, then after failed runs: the last success is kept (from
/// `sync_runs`, or from the earlier file when the database is out of reach).
#[test]
fn metrics_file_keeps_the_last_success_across_failures() {
    let ws = Workspace::new(Backend::Sqlite);
    let file = ws.path("textfile/activity_sync.prom");
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    let file_arg = file.display().to_string();
    let ok = ws.json(&["--metrics-file", &file_arg]);
    assert_eq!(ok.code, 0);
    assert_eq!(ok.report["metrics"]["file_written"], true);
    let text = std::fs::read_to_string(&file).unwrap();
    let success = gauge(
        &text,
        "activity_sync_last_success_timestamp_seconds{scope=\"default\"}",
    )
    .unwrap_or_else(|| panic!("{text}"));
    let now = chrono::Utc::now().timestamp() as f64;
    assert!((now - success).abs() < 120.0, "{success} vs {now}");
    assert_eq!(
        gauge(
            &text,
            "activity_sync_outcome{scope=\"default\",outcome=\"success\"}"
        ),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        gauge(&text, "activity_sync_exit_code{scope=\"default\"}"),
        Some(0.0)
    );
    let created = ok.report["definitions"]["created"].as_f64().unwrap();
    assert!(created > 0.0);
    assert_eq!(
        gauge(
            &text,
            "activity_sync_definitions{scope=\"default\",action=\"created\"}"
        ),
        Some(created)
    );
    assert!(
        gauge(
            &text,
            "activity_sync_run_duration_seconds{scope=\"default\"}"
        )
        .is_some()
    );
    assert!(!text.contains(".tmp"));

    // Failed, the database reached: the last success comes from sync_runs (a fresh file).
    let fresh = ws.path("textfile/fresh.prom").display().to_string();
    let failed = ws.json(&["--metrics-file", &fresh, "--source", "missing-dir"]);
    assert_eq!(failed.code, 1);
    let text = std::fs::read_to_string(&fresh).unwrap();
    assert_eq!(
        gauge(
            &text,
            "activity_sync_last_success_timestamp_seconds{scope=\"default\"}"
        ),
        Some(success),
        "{text}"
    );
    assert_eq!(
        gauge(
            &text,
            "activity_sync_outcome{scope=\"default\",outcome=\"failed\"}"
        ),
        Some(1.0)
    );
    assert_eq!(
        gauge(
            &text,
            "activity_sync_outcome{scope=\"default\",outcome=\"success\"}"
        ),
        Some(0.0)
    );
    assert_eq!(
        gauge(&text, "activity_sync_exit_code{scope=\"default\"}"),
        Some(1.0)
    );
    assert_eq!(
        gauge(
            &text,
            "activity_sync_errors{scope=\"default\",kind=\"automation\"}"
        ),
        Some(1.0)
    );

    // Failed, no database: carried over from the earlier file.
    let mut cmd = ws.command(&["--metrics-file", &file_arg, "--format", "json"]);
    cmd.env("DATABASE_URL", "sqlite:///nonexistent/dir/activity-sync.db");
    let failed = Run::of(cmd.output().unwrap());
    assert_eq!(failed.code, 1);
    let text = std::fs::read_to_string(&file).unwrap();
    assert_eq!(
        gauge(
            &text,
            "activity_sync_last_success_timestamp_seconds{scope=\"default\"}"
        ),
        Some(success),
        "{text}"
    );
    assert_eq!(
        gauge(
            &text,
            "activity_sync_outcome{scope=\"default\",outcome=\"failed\"}"
        ),
        Some(1.0)
    );
}

#[test]
fn metrics_push_to_the_group_of_job_and_scope() {
    let ws = Workspace::new(Backend::Sqlite);
    let gateway = Receiver::start(&[Reply::Status(503)], Reply::Status(200));
    let run = ws.json(&[
        "--metrics-push",
        &gateway.url("/"),
        "--scope",
        "ops",
        "--report-url",
        &gateway.url("/hook"),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.report["metrics"]["pushed"], true);
    let pushes: Vec<_> = gateway
        .received()
        .into_iter()
        .filter(|r| r.path.starts_with("/metrics"))
        .collect();
    assert_eq!(
        pushes.len(),
        1,
        "the 503 went to the report, which was retried"
    );
    let push = &pushes[0];
    assert_eq!(push.method, "POST");
    assert_eq!(push.path, "/metrics/job/activity_sync/scope/ops");
    assert!(
        push.header("content-type")
            .unwrap()
            .starts_with("text/plain")
    );
    assert!(
        !push.body.contains("scope="),
        "the grouping key carries the scope:\n{}",
        push.body
    );
    assert_eq!(
        gauge(&push.body, "activity_sync_outcome{outcome=\"success\"}"),
        Some(1.0),
        "{}",
        push.body
    );
    assert_eq!(
        gauge(&push.body, "activity_sync_report_delivered"),
        Some(1.0),
        "{}",
        push.body
    );
    assert_eq!(
        gauge(&push.body, "activity_sync_report_outbox_pending"),
        Some(0.0)
    );
    assert!(gauge(&push.body, "activity_sync_last_success_timestamp_seconds").is_some());

    // A Pushgateway that is down costs the run nothing.
    let closed = format!("http://127.0.0.1:{}/", free_port());
    let run = ws.json(&["--metrics-push", &closed, "--scope", "ops"]);
    assert_eq!(run.code, 0);
    assert_eq!(run.report["metrics"]["pushed"], false);
    assert!(
        !run.report["metrics"]["errors"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}

/// One run with the schedules stage against a real Temporal dev server: the delivered
/// report carries the schedule changes.
#[test]
fn report_of_an_apply_with_schedules() {
    let job = common::job::Job::new(false);
    let hook = Receiver::start(&[], Reply::Status(200));
    let (code, report) = job.json(&["apply", "--source", "defs", "--report-url", &hook.url("/")]);
    assert_eq!(code, 0, "{report}");
    assert_eq!(report["report"]["delivered"], true);
    let got = hook.received();
    assert_eq!(got.len(), 1);
    let body: Value = serde_json::from_str(&got[0].body).unwrap();
    assert!(body["schedules"]["created"].as_u64().unwrap() > 0, "{body}");
    assert_eq!(body["schedules"], report["schedules"]);
    assert_eq!(got[0].header("idempotency-key"), report["run_id"].as_str());
}

/// A lock-skipped run reports and counts too: the report is delivered, the metrics say the
/// lock was held, and the exit code stays 0.
#[test]
fn a_lock_skipped_run_is_reported_and_counted() {
    let ws = Workspace::new(Backend::Sqlite);
    assert_eq!(ws.json(&[]).code, 0, "the tables exist");
    let hook = Receiver::start(&[], Reply::Status(200));
    let file = ws.path("m.prom").display().to_string();
    let run = common::db::block_on(async {
        use sqlx::Connection;
        // Another writer holds the file's write lock for the whole run.
        let mut holder = sqlx::SqliteConnection::connect(&ws.db.url).await.unwrap();
        sqlx::query("BEGIN IMMEDIATE")
            .execute(&mut holder)
            .await
            .unwrap();
        let run = Run::of(
            ws.command(&[
                "--report-url",
                &hook.url("/"),
                "--metrics-file",
                &file,
                "--format",
                "json",
            ])
            .output()
            .unwrap(),
        );
        sqlx::query("ROLLBACK").execute(&mut holder).await.unwrap();
        run
    });
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.report["lock_skipped"], true);
    assert_eq!(run.report["report"]["delivered"], true);
    let body: Value = serde_json::from_str(&hook.received()[0].body).unwrap();
    assert_eq!(body["outcome"], "lock_skipped");
    let text = std::fs::read_to_string(&file).unwrap();
    assert_eq!(
        gauge(&text, "activity_sync_lock_skipped{scope=\"default\"}"),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        gauge(
            &text,
            "activity_sync_outcome{scope=\"default\",outcome=\"lock_skipped\"}"
        ),
        Some(1.0)
    );
    assert!(
        gauge(
            &text,
            "activity_sync_last_success_timestamp_seconds{scope=\"default\"}"
        )
        .is_some(),
        "the first run's success is kept: {text}"
    );
}
