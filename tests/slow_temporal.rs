//! A slow Temporal: a real dev server behind a TCP proxy on loopback (tests/common/proxy.rs)
//! that delays every chunk, or stalls once a number of bytes has passed. A stalled server
//! costs per-call timeouts and bounded retries, not the deadline; a slow one still works; the
//! next run straight to the server converges.

mod common;

use std::process::Stdio;
use std::time::{Duration, Instant};

use activity_sync::definition::id_from_key;
use activity_sync::temporal::CALL_TIMEOUT;
use common::job::{Job, parse};
use common::proxy::{Mode, Proxy};
use serde_json::Value;

const HOURLY: &str = "the-custodian.report-hourly";
const NEW: usize = 12;

fn hourly_schedule() -> String {
    format!("activity-schedule-{}", id_from_key(HOURLY))
}

/// Runs `args` through the proxy; returns the exit code, the report and how long it took.
fn through(job: &Job, proxy: &Proxy, args: &[&str]) -> (i32, Value, Duration) {
    let started = Instant::now();
    let child = job
        .command(args)
        .args(["--format", "json"])
        .env("TEMPORAL_ADDRESS", &proxy.address)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (code, report) = parse(child.wait_with_output().unwrap());
    (code, report, started.elapsed())
}

#[test]
fn a_stalled_temporal_fails_in_bounded_time_and_a_slow_one_still_converges() {
    let job = Job::new(true);
    let (code, first) = job.json(&["apply", "--source", "defs"]);
    assert_eq!(code, 0, "{first}");
    assert!(job.server.describe(&hourly_schedule()).is_some());

    // The next change: new definitions to create, and the hourly report's file removed
    // (its row retired, its schedule an orphan to delete — last, and only if all went well).
    for i in 0..NEW {
        std::fs::write(
            job.path(&format!("defs/slow-{i}.md")),
            format!("---\nkey: slow.d{i}\nname: Slow {i}\ntrigger: {{type: cron, cron: '{i} 5 * * *'}}\n---\n"),
        )
        .unwrap();
    }
    std::fs::remove_file(job.path("defs/report-hourly.md")).unwrap();

    // How many bytes reading the state takes: a plan through the proxy, passing everything.
    let proxy = Proxy::start(&job.server.address, Mode::Pass);
    let (code, planned, _) = through(&job, &proxy, &["plan", "--source", "defs"]);
    assert_eq!(code, 0, "{planned}");
    assert_eq!(planned["schedules"]["created"], NEW as u64, "{planned}");
    assert_eq!(planned["schedules"]["deleted"], 1, "{planned}");
    let read_bytes = proxy.forwarded();

    // Stalled once the reads are through: the connection stays open and nothing answers.
    proxy.set(Mode::StallAfter(proxy.forwarded() + read_bytes));
    // A deadline of its own, so that a run not bounded by its per-call timeouts fails this
    // test in a minute rather than hanging for the default ten.
    let (code, stalled, took) = through(
        &job,
        &proxy,
        &["apply", "--source", "defs", "--deadline", "60s"],
    );
    println!(
        "stalled after {read_bytes} bytes: exit {code} in {took:?}, calls {}",
        stalled["temporal_calls"]
    );
    assert_eq!(code, 1, "{stalled}");
    assert_eq!(stalled["outcome"], "failed", "{stalled}");
    // Each call waits CALL_TIMEOUT at most and a timed-out call is not repeated; after a few
    // unavailable answers in a row the rest are not sent: a bounded time, below the
    // run's deadline.
    assert!(
        took < CALL_TIMEOUT * 3,
        "the stalled run took {took:?} (call timeout {CALL_TIMEOUT:?})"
    );
    let errors = stalled["errors"].to_string();
    assert!(
        errors.contains(&format!("timed out after {} s", CALL_TIMEOUT.as_secs())),
        "{stalled}"
    );
    // Nothing deleted: the orphan's delete comes last and only after everything succeeded.
    assert_eq!(stalled["schedules"]["deleted"], 0, "{stalled}");
    assert!(
        job.server.describe(&hourly_schedule()).is_some(),
        "the orphan schedule was deleted by a failed run"
    );
    if let Some(calls) = stalled["temporal_calls"].as_object() {
        assert_eq!(calls["delete"], 0, "{stalled}");
        let sent: u64 = calls.values().filter_map(Value::as_u64).sum();
        assert!(
            sent <= planned_calls(&planned) + NEW as u64 + 8,
            "retries are bounded: {sent} calls: {stalled}"
        );
    }
    assert_eq!(
        job.sync_runs().last().unwrap(),
        &("apply".to_string(), "failed".to_string())
    );

    // A slow but working Temporal: every chunk waits 200 ms, and the run still succeeds.
    proxy.set(Mode::Delay(Duration::from_millis(200)));
    let (code, slow, took) = through(&job, &proxy, &["apply", "--source", "defs"]);
    println!("200 ms per chunk: exit {code} in {took:?}");
    assert_eq!(code, 0, "{slow}");
    assert_eq!(slow["schedules"]["deleted"], 1, "{slow}");
    assert!(job.server.describe(&hourly_schedule()).is_none());

    // Straight to the server: nothing left to do.
    let (code, again) = job.json(&["plan", "--source", "defs", "--detailed-exitcode"]);
    assert_eq!(code, 0, "{again}");
}

/// The calls a plan made (its reads).
fn planned_calls(plan: &Value) -> u64 {
    plan["temporal_calls"]
        .as_object()
        .map(|c| c.values().filter_map(Value::as_u64).sum())
        .unwrap_or(0)
}
