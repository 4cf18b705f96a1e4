//! Faults proven, not assumed (SPEC §7): a Temporal that is killed in the middle of an apply
//! and comes back with its state (a dev server persisted to a file), a Postgres that refuses
//! connections, and one that stops answering mid-run (a stalling TCP proxy on loopback).
//! Each costs a bounded time and a clean exit code, deletes nothing, creates no schedule
//! without its committed row, and the next run converges.

mod common;

use std::process::Stdio;
use std::time::{Duration, Instant};

use activity_sync::definition::id_from_key;
use common::db::{Backend, TestDb};
use common::job::{Job, parse};
use common::poll_until;
use common::proxy::{Mode, Proxy};
use common::temporal::DevServer;
use serde_json::Value;

const NEW: usize = 150;

fn schedule_id(key: &str) -> String {
    format!("activity-schedule-{}", id_from_key(key))
}

fn add_definitions(job: &Job) {
    for i in 0..NEW {
        std::fs::write(
            job.path(&format!("defs/gen-{i}.md")),
            format!(
                "---\nkey: gen.d{i}\nname: D{i}\ntrigger: {{type: cron, cron: '{} {} * * *'}}\n---\n",
                i % 60,
                i % 24
            ),
        )
        .unwrap();
    }
}

fn count(report: &Value, section: &str, key: &str) -> u64 {
    report[section][key]
        .as_u64()
        .unwrap_or_else(|| panic!("{section}.{key}: {report}"))
}

/// Temporal dies after some of the creates of an apply (rows committed) and comes back with
/// its state: the apply fails in bounded time, holds its delete back, and the next run
/// creates exactly what is missing, deletes the orphan, and leaves nothing pending.
#[test]
fn temporal_restarting_mid_apply_holds_deletes_and_converges() {
    let state = tempfile::tempdir().unwrap();
    let mut job = Job::on(DevServer::start_persistent(
        true,
        &state.path().join("temporal.db"),
    ));
    let (code, report) = job.json(&["apply", "--source", "defs"]);
    assert_eq!(code, 0, "{report}");
    let daily = schedule_id("the-custodian.report-daily");
    assert!(job.server.describe(&daily).is_some());

    add_definitions(&job);
    std::fs::remove_file(job.path("defs/report-daily.md")).unwrap();
    let child = job
        .command(&[
            "apply",
            "--source",
            "defs",
            "--format",
            "json",
            "--concurrency",
            "2",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    poll_until("the creates have begun", 120, || {
        job.schedule_ids().len() >= 30
    });
    let killed = Instant::now();
    job.server.kill();
    let (code, report) = parse(child.wait_with_output().unwrap());
    let after_kill = killed.elapsed();
    assert_eq!(code, 1, "{report}");
    assert!(
        after_kill < Duration::from_secs(45),
        "{after_kill:?} after the kill"
    );
    assert_eq!(report["outcome"], "failed", "{report}");
    assert_eq!(
        count(&report, "definitions", "created"),
        NEW as u64,
        "{report}"
    );
    assert_eq!(count(&report, "schedules", "deleted"), 0, "{report}");
    let created_before = count(&report, "schedules", "created");
    assert!(created_before < NEW as u64, "{report}");
    let errors = report["errors"].to_string();
    assert!(errors.contains("held back"), "the delete waits: {errors}");

    job.server.restart();
    poll_until("the restarted server lists schedules", 60, || {
        job.server.cli(&["schedule", "list"]).status.success()
    });
    // Nothing was deleted while Temporal was failing: the orphan's schedule is still there.
    assert!(
        job.server.describe(&daily).is_some(),
        "deleted while failing"
    );

    let (code, rerun) = job.json(&["apply", "--source", "defs"]);
    assert_eq!(code, 0, "after the restart: {rerun}");
    let created_after = count(&rerun, "schedules", "created");
    assert_eq!(count(&rerun, "definitions", "created"), 0, "{rerun}");
    assert_eq!(count(&rerun, "schedules", "deleted"), 1, "{rerun}");
    // Every create the killed run confirmed, and the ones in flight that landed, are not
    // made twice; together they are all the new definitions.
    assert!(created_after <= NEW as u64 - created_before, "{rerun}");
    assert!(
        job.server.describe(&daily).is_none(),
        "the orphan is deleted"
    );
    for i in [0, NEW / 2, NEW - 1] {
        assert!(
            job.server
                .describe(&schedule_id(&format!("gen.d{i}")))
                .is_some(),
            "gen.d{i}"
        );
    }
    let out = job
        .command(&["plan", "--source", "defs", "--detailed-exitcode"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

/// A Postgres that refuses connections (nothing listens; a listener that hangs up at once):
/// exit 1 in bounded time with the JSON report, no schedule written to a live Temporal
/// (no row committed), and the next run against the real database converges.
#[test]
fn a_refusing_postgres_writes_no_schedule_and_the_next_run_converges() {
    let job = Job::new(true);
    let hang_up = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let hang_up_port = hang_up.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for conn in hang_up.incoming() {
            drop(conn);
        }
    });
    let closed = common::free_port();
    for url in [
        format!("postgres://activity:s3cr3t-pw@127.0.0.1:{closed}/activities"),
        format!("postgres://activity:s3cr3t-pw@127.0.0.1:{hang_up_port}/activities"),
    ] {
        let started = Instant::now();
        let out = job
            .command(&["apply", "--source", "defs", "--format", "json", "-vv"])
            .env("DATABASE_URL", &url)
            .output()
            .unwrap();
        let took = started.elapsed();
        let stderr = String::from_utf8_lossy(&out.stderr).to_string();
        let (code, report) = parse(out);
        assert_eq!(code, 1, "{report}");
        assert!(took < Duration::from_secs(60), "{took:?}");
        assert_eq!(report["outcome"], "failed", "{report}");
        assert_eq!(report["errors"][0]["stage"], "database", "{report}");
        assert_eq!(count(&report, "schedules", "created"), 0, "{report}");
        assert!(job.schedule_ids().is_empty(), "a schedule without its row");
        for text in [report.to_string(), stderr] {
            assert!(!text.contains("s3cr3t-pw"), "the password leaked: {text}");
        }
    }

    let db = TestDb::new(Backend::Postgres, job.dir.path());
    let out = job
        .command(&["apply", "--source", "defs", "--format", "json"])
        .env("DATABASE_URL", &db.url)
        .output()
        .unwrap();
    let (code, report) = parse(out);
    assert_eq!(code, 0, "{report}");
    assert!(count(&report, "schedules", "created") > 0, "{report}");
}

/// A Postgres that stops answering in the middle of a run (the proxy stalls once part of
/// the conversation has passed) costs a bounded time — the database's own timeouts, not
/// the run's ten-minute deadline — writes nothing to Temporal, and the next run converges.
#[test]
fn a_postgres_that_stalls_mid_run_costs_bounded_time_and_writes_no_schedule() {
    let job = Job::new(true);
    let db = TestDb::new(Backend::Postgres, job.dir.path());
    let upstream = common::db::pg_admin_url();
    let upstream = upstream
        .split('@')
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap()
        .to_string();
    let database = db.url.rsplit('/').next().unwrap().to_string();

    // How many bytes a whole first apply exchanges with Postgres (schedules off).
    let probe = Proxy::start(&upstream, Mode::Pass);
    let through = |proxy: &Proxy| format!("postgres://postgres@{}/{database}", proxy.address);
    let out = job
        .command(&["plan", "--source", "defs", "--schedules=false"])
        .env("DATABASE_URL", through(&probe))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let whole = probe.forwarded();
    assert!(whole > 1000, "{whole} bytes");

    // Stall after part of it: connected, mid-conversation.
    let proxy = Proxy::start(&upstream, Mode::StallAfter(whole / 2));
    let started = Instant::now();
    let out = job
        .command(&["apply", "--source", "defs", "--format", "json"])
        .env("DATABASE_URL", through(&proxy))
        .output()
        .unwrap();
    let took = started.elapsed();
    let (code, report) = parse(out);
    println!(
        "stalled after {} of {whole} bytes: exit {code} in {took:?}: {}",
        whole / 2,
        report["errors"]
    );
    assert_eq!(code, 1, "{report}");
    assert!(
        took < Duration::from_secs(120),
        "{took:?}: bounded by the call timeouts"
    );
    assert_eq!(report["outcome"], "failed", "{report}");
    assert!(job.schedule_ids().is_empty(), "a schedule without its row");
    proxy.set(Mode::Pass);

    let out = job
        .command(&["apply", "--source", "defs", "--format", "json"])
        .env("DATABASE_URL", &db.url)
        .output()
        .unwrap();
    let (code, report) = parse(out);
    assert_eq!(code, 0, "{report}");
    let out = job
        .command(&["plan", "--source", "defs", "--detailed-exitcode"])
        .env("DATABASE_URL", &db.url)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
}
