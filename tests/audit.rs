//! `audit` (SPEC §8) against a Temporal dev server with a real worker (Temporal's Python SDK,
//! tests/support/worker.py): a schedule whose fires ran, one whose workflow fails, one paused by
//! hand across a fire time and one deleted by hand → ok / failed / missed / missed, exit 5; a
//! disabled definition is not audited, a `once` is; fires before a schedule existed are not
//! expected; a scope where everything ran exits 0.

mod common;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use chrono::{DateTime, Timelike, Utc};
use common::job::Job;
use common::{poll_until, repo_root};
use serde_json::Value;

const OK: &str = "a0000000-0000-4000-8000-000000000001";
const FAILS: &str = "a0000000-0000-4000-8000-000000000002";
const PAUSED: &str = "a0000000-0000-4000-8000-000000000003";
const DISABLED: &str = "a0000000-0000-4000-8000-000000000004";
const ONCE: &str = "a0000000-0000-4000-8000-000000000005";
const DELETED: &str = "a0000000-0000-4000-8000-000000000006";
const HEALTHY: &str = "b0000000-0000-4000-8000-000000000001";

struct Worker(Child);

impl Worker {
    /// A worker on `orchestrator-tq` whose workflows fail for the `fail` definition ids.
    fn start(address: &str, fail: &[&str]) -> Worker {
        let python = repo_root().join(".venv/bin/python");
        assert!(
            python.exists(),
            "Temporal's Python SDK is required: run scripts/ensure-test-worker.sh (scripts/test.sh does)"
        );
        Worker(
            Command::new(python)
                .arg(repo_root().join("tests/support/worker.py"))
                .args([address, "orchestrator-tq"])
                .args(fail)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap(),
        )
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn write(dir: &Path, id: &str, key: &str, enabled: bool, trigger: &str) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(
        dir.join(format!("{key}.md")),
        format!("---\nid: {id}\nkey: {key}\nname: {key}\nenabled: {enabled}\ntrigger: {trigger}\n---\nBody.\n"),
    )
    .unwrap();
}

fn every_minute() -> &'static str {
    "{type: cron, cron: '* * * * *', misfire_policy: skip}"
}

/// Waits until the clock is between seconds 5 and 45 of a minute: far from the fires of an
/// every-minute cron, so that a pause lands between two fires and a fire due has had seconds
/// to start.
fn clear_of_fires() {
    poll_until("a quiet second of the minute", 70, || {
        (5..45).contains(&Utc::now().second())
    });
}

fn schedule<'a>(report: &'a Value, id: &str) -> Option<&'a Value> {
    report["schedules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == id)
}

fn statuses(report: &Value, id: &str) -> Vec<String> {
    schedule(report, id).map_or_else(Vec::new, |s| {
        s["fires"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["status"].as_str().unwrap().to_string())
            .collect()
    })
}

fn time(v: &Value) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(v.as_str().unwrap())
        .unwrap()
        .with_timezone(&Utc)
}

#[test]
fn audit_reports_ok_failed_and_missed_fires() {
    let job = Job::new(true);
    let _worker = Worker::start(&job.server.address, &[FAILS]);
    let defs = job.path("audit-defs");
    write(&defs, OK, "audit.ok", true, every_minute());
    write(&defs, FAILS, "audit.fails", true, every_minute());
    write(&defs, PAUSED, "audit.paused", true, every_minute());
    write(&defs, DISABLED, "audit.disabled", false, every_minute());
    write(&defs, DELETED, "audit.deleted", true, every_minute());
    let healthy = job.path("healthy-defs");
    write(&healthy, HEALTHY, "healthy.job", true, every_minute());

    clear_of_fires();
    // A one-shot at the second minute boundary from now.
    let now = Utc::now();
    let at = (now + chrono::Duration::seconds(120 - i64::from(now.second())))
        .with_nanosecond(0)
        .unwrap();
    write(
        &defs,
        ONCE,
        "audit.once",
        true,
        &format!("{{type: once, at: '{}'}}", at.to_rfc3339()),
    );
    let (code, applied) = job.json(&["apply", "--source", "audit-defs", "--scope", "audit"]);
    assert_eq!(code, 0, "{applied}");
    let (code, applied) = job.json(&["apply", "--source", "healthy-defs", "--scope", "healthy"]);
    assert_eq!(code, 0, "{applied}");
    // On-call pauses one; someone deletes another.
    let paused = format!("activity-schedule-{PAUSED}");
    let out = job.server.cli(&[
        "schedule",
        "toggle",
        "--schedule-id",
        &paused,
        "--pause",
        "--reason",
        "on-call",
    ]);
    assert!(out.status.success(), "{out:?}");
    let deleted = format!("activity-schedule-{DELETED}");
    let out = job
        .server
        .cli(&["schedule", "delete", "--schedule-id", &deleted]);
    assert!(out.status.success(), "{out:?}");

    // Poll until each has a judged fire (the once included), then audit clear of a fire time.
    let audit = |scope: &str| {
        job.json(&[
            "audit",
            "--scope",
            scope,
            "--since",
            "10m",
            "--tolerance",
            "0s",
        ])
    };
    poll_until("a fire of every schedule was judged", 180, || {
        let (_, report) = audit("audit");
        let (_, healthy) = audit("healthy");
        statuses(&report, OK).contains(&"ok".to_string())
            && statuses(&report, FAILS).contains(&"failed".to_string())
            && statuses(&report, PAUSED).contains(&"missed".to_string())
            && statuses(&report, ONCE) == ["ok"]
            && statuses(&healthy, HEALTHY).contains(&"ok".to_string())
    });
    clear_of_fires();
    let (code, report) = audit("audit");
    assert_eq!(code, 5, "a missed or failed fire exits 5: {report}");
    assert_eq!(report["mode"], "audit");
    assert_eq!(report["scope"], "audit");
    assert_eq!(report["errors"], Value::Array(vec![]), "{report}");

    // Ran: every fire completed (a fire seconds old may still be running).
    let ok = statuses(&report, OK);
    assert!(
        !ok.is_empty() && ok.iter().all(|s| s == "ok" || s == "running"),
        "{ok:?}"
    );
    // Failed: every fire's workflow failed.
    let fails = schedule(&report, FAILS).unwrap();
    let fires = fails["fires"].as_array().unwrap();
    assert!(!fires.is_empty());
    for fire in fires {
        assert_eq!(fire["status"], "failed", "{fire}");
        assert_eq!(fire["workflow_status"], "failed", "{fire}");
        assert!(
            fire["workflow_id"]
                .as_str()
                .unwrap()
                .starts_with(&format!("activity-{FAILS}-")),
            "{fire}"
        );
    }
    // Paused across fire times: missed, and the schedule says it is paused, with the note.
    let p = schedule(&report, PAUSED).unwrap();
    assert_eq!(p["paused"], true);
    assert_eq!(p["notes"], "on-call");
    assert_eq!(p["next_fire"], Value::Null);
    let fires = p["fires"].as_array().unwrap();
    assert!(!fires.is_empty());
    for fire in fires {
        assert_eq!(fire["status"], "missed", "{fire}");
        assert!(
            fire["reason"]
                .as_str()
                .unwrap()
                .contains("paused (on-call)"),
            "{fire}"
        );
    }
    // Deleted by hand: every fire missed, and it says the schedule is missing.
    let d = schedule(&report, DELETED).unwrap();
    assert_eq!(d["exists"], false);
    let fires = d["fires"].as_array().unwrap();
    assert!(fires.len() >= 2, "{d}");
    assert!(fires.iter().all(
        |f| f["status"] == "missed" && f["reason"].as_str().unwrap().contains("does not exist")
    ));
    // Not audited: the disabled definition.
    assert!(schedule(&report, DISABLED).is_none(), "{report}");
    // The once fired once, at its instant.
    let once = schedule(&report, ONCE).unwrap();
    assert_eq!(time(&once["fires"][0]["expected"]), at);

    // Created mid-window: judged from the schedule's creation, and no fire before it.
    let window_from = time(&report["window"]["from"]);
    for id in [OK, FAILS, PAUSED] {
        let s = schedule(&report, id).unwrap();
        let from = time(&s["judged_from"]);
        assert!(from > window_from, "{s}");
        for fire in s["fires"].as_array().unwrap() {
            assert!(time(&fire["expected"]) > from, "{fire}");
        }
        // Every minute boundary since creation is judged: none left out.
        let to = time(&report["window"]["to"]);
        let boundaries = (to.timestamp() / 60 - from.timestamp() / 60) as usize;
        assert_eq!(s["fires"].as_array().unwrap().len(), boundaries, "{s}");
    }
    let c = &report["counts"];
    assert!(c["ok"].as_u64().unwrap() >= 2, "{c}");
    assert!(c["failed"].as_u64().unwrap() >= 1, "{c}");
    assert!(c["missed"].as_u64().unwrap() >= 3, "{c}");

    // A scope where everything ran: exit 0.
    let (code, healthy_report) = audit("healthy");
    assert_eq!(code, 0, "{healthy_report}");
    let c = &healthy_report["counts"];
    assert!(c["ok"].as_u64().unwrap() >= 1, "{c}");
    assert_eq!(
        (c["failed"].as_u64(), c["missed"].as_u64()),
        (Some(0), Some(0)),
        "{c}"
    );

    // Text and Markdown say the same, with the same exit code.
    let text = job
        .command(&[
            "audit",
            "--scope",
            "audit",
            "--since",
            "10m",
            "--tolerance",
            "0s",
        ])
        .output()
        .unwrap();
    assert_eq!(text.status.code(), Some(5));
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.contains("paused (on-call)"), "{text}");
    assert!(text.contains("schedule missing"), "{text}");
    assert!(text.contains("failed"), "{text}");
    assert!(!text.contains("audit.disabled"), "{text}");
    let md = job
        .command(&[
            "audit",
            "--scope",
            "audit",
            "--since",
            "10m",
            "--tolerance",
            "0s",
            "--format",
            "markdown",
        ])
        .output()
        .unwrap();
    assert_eq!(md.status.code(), Some(5));
    let md = String::from_utf8(md.stdout).unwrap();
    assert!(md.contains("fires missed or failed"), "{md}");
    assert!(md.contains("`audit.paused`"), "{md}");

    assert_eq!(report["warnings"], Value::Array(vec![]), "{report}");
    // A window longer than the namespace keeps closed workflows is cut to it, and says so.
    let out = job.server.cli(&[
        "operator",
        "namespace",
        "describe",
        "--namespace",
        "default",
        "-o",
        "json",
    ]);
    let namespace: Value = serde_json::from_slice(&out.stdout).unwrap();
    let retention = namespace["config"]["workflowExecutionRetentionTtl"]
        .as_str()
        .and_then(|s| s.strip_suffix('s'))
        .and_then(|s| s.parse::<i64>().ok())
        .expect("the dev server names its retention");
    let (code, long) = job.json(&["audit", "--scope", "healthy", "--since", "7d"]);
    assert_eq!(code, 0, "{long}");
    let from = time(&long["window"]["from"]);
    if retention < 7 * 86_400 {
        assert!(
            long["warnings"][0]
                .as_str()
                .unwrap()
                .contains("keeps closed workflows for"),
            "{long}"
        );
        // At the retention's edge when the audit ran (a few seconds ago).
        let edge = Utc::now() - chrono::Duration::seconds(retention);
        assert!(
            from <= edge && from > edge - chrono::Duration::seconds(60),
            "{long}"
        );
    } else {
        assert_eq!(long["warnings"], Value::Array(vec![]), "{long}");
    }

    // Each audit is recorded in `sync_runs`, and `status` reads the rows back.
    let runs = job.sync_runs();
    assert!(
        runs.contains(&("audit".into(), "missed".into())),
        "{runs:?}"
    );
    assert!(
        runs.contains(&("audit".into(), "success".into())),
        "{runs:?}"
    );
    let status = job
        .command(&["status", "--scope", "audit", "--schedules=false"])
        .output()
        .unwrap();
    assert_eq!(status.status.code(), Some(0));
    let status = String::from_utf8(status.stdout).unwrap();
    assert!(status.contains("audit  audit         missed"), "{status}");
    assert!(status.contains("last successful apply"), "{status}");
    let (code, status) = job.json(&["status", "--scope", "audit", "--schedules=false"]);
    assert_eq!(code, 0);
    let audits: Vec<&Value> = status["runs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["mode"] == "audit")
        .collect();
    assert!(!audits.is_empty(), "{status}");
    assert!(
        audits[0]["counts"]["audit"]["missed"].as_u64().unwrap() >= 3,
        "{status}"
    );

    // Temporal gone: an automation error, exit 1, nothing judged.
    drop(_worker);
    let mut job = job;
    job.server.kill();
    std::thread::sleep(Duration::from_millis(200));
    let (code, down) = job.json(&["audit", "--scope", "healthy", "--since", "10m"]);
    assert_eq!(code, 1, "{down}");
    assert_eq!(down["errors"][0]["stage"], "temporal", "{down}");
    assert_eq!(down["counts"]["ok"], 0, "{down}");
}
