//! Worker presence (SPEC §9): with the schedules stage on, one DescribeTaskQueue of the task
//! queue the schedules start workflows on; no worker polling it is a `no_worker` warning —
//! never an error, `--strict` included — and a real worker (Temporal's Python SDK, started
//! here) polling it makes the warning go.

mod common;

use std::process::{Child, Command, Stdio};

use common::job::Job;
use common::{poll_until, repo_root};
use serde_json::Value;

fn warnings(report: &Value, kind: &str) -> Vec<String> {
    report["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w["kind"] == kind)
        .map(|w| w["message"].as_str().unwrap().to_string())
        .collect()
}

struct Worker(Child);

impl Worker {
    fn start(address: &str, task_queue: &str) -> Worker {
        let python = repo_root().join(".venv/bin/python");
        assert!(
            python.exists(),
            "Temporal's Python SDK is required: run scripts/ensure-test-worker.sh (scripts/test.sh does)"
        );
        Worker(
            Command::new(python)
                .arg(repo_root().join("tests/support/worker.py"))
                .args([address, task_queue])
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

#[test]
fn no_worker_is_a_warning_and_a_polling_worker_clears_it() {
    let job = Job::new(true);
    let (code, plan) = job.json(&["plan", "--source", "defs", "--strict"]);
    assert_eq!(code, 0, "a warning, never an error: {plan}");
    let missing = warnings(&plan, "no_worker");
    assert_eq!(missing.len(), 1, "{plan}");
    assert!(missing[0].contains("`orchestrator-tq`"), "{missing:?}");
    assert_eq!(plan["temporal_calls"]["describe_task_queue"], 1, "{plan}");
    let (code, applied) = job.json(&["apply", "--source", "defs"]);
    assert_eq!(code, 0, "{applied}");
    assert_eq!(warnings(&applied, "no_worker").len(), 1, "{applied}");
    let text = job.command(&["plan", "--source", "defs"]).output().unwrap();
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(
        text.contains("[no_worker] no worker polls task queue"),
        "{text}"
    );

    let _worker = Worker::start(&job.server.address, "orchestrator-tq");
    poll_until("the worker is seen polling", 90, || {
        warnings(&job.json(&["plan", "--source", "defs"]).1, "no_worker").is_empty()
    });
    // Another task queue has nobody: the warning names it.
    let (_, other) = job.json(&["plan", "--source", "defs", "--task-queue", "nobody-tq"]);
    let missing = warnings(&other, "no_worker");
    assert!(
        missing.len() == 1 && missing[0].contains("`nobody-tq`"),
        "{other}"
    );
    // Without the schedules stage, Temporal is not asked.
    let (_, rows_only) = job.json(&["plan", "--source", "defs", "--schedules=false"]);
    assert!(warnings(&rows_only, "no_worker").is_empty(), "{rows_only}");
}
