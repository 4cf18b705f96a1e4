//! Every safety promise of SPEC §5–§7, tried as an operator would — broken files, empty
//! mounts, renamed ids, conflicts, hand edits, a lagging list, a Temporal that dies mid-run,
//! saved plans, another working directory — against a real Temporal dev server and real
//! SQLite / Postgres, through the binary.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use activity_sync::definition::id_from_key;
use common::db::{BACKENDS, TestDb};
use common::job::{Job, parse};
use common::temporal::DevServer;
use common::{copy_tree, fixtures, poll_until};
use serde_json::Value;

fn schedule_exists(job: &Job, id: &str) -> bool {
    job.server.describe(id).is_some()
}

fn schedule_id(key: &str) -> String {
    if key == SWEEP {
        return format!("activity-schedule-{SWEEP_ID}");
    }
    format!("activity-schedule-{}", id_from_key(key))
}

const SWEEP: &str = "the-custodian.state-hub-consistency-sweep";
const SWEEP_ID: &str = "7c4e9a12-8f3b-4d5e-9c6a-1b2d3e4f5a6b";
const DAILY: &str = "the-custodian.report-daily";

fn write(path: &Path, bytes: &[u8]) {
    std::fs::write(path, bytes).unwrap();
}

/// Case 1 and 2: a file that cannot be parsed keeps its row and its schedule; a source whose
/// files are all invalid is refused like an empty one.
#[test]
fn broken_files_keep_their_rows_and_schedules() {
    let job = Job::new(true);
    let (code, first) = job.json(&["apply", "--source", "defs"]);
    assert_eq!(code, 0, "{first}");
    let daily = job.path("defs/report-daily.md");
    let good = std::fs::read(&daily).unwrap();
    let mut oversize = good.clone();
    oversize.extend(std::iter::repeat_n(b'x', 300 * 1024));
    let broken: [(&str, Vec<u8>); 6] = [
        ("yaml error", b"---\nkey: [unclosed\n---\n".to_vec()),
        (
            "unclosed frontmatter",
            b"---\nkey: the-custodian.report-daily\n".to_vec(),
        ),
        ("NUL byte", [&good[..20], b"\0", &good[20..]].concat()),
        (
            "invalid UTF-8",
            [&good[..20], &[0xff, 0xfe], &good[20..]].concat(),
        ),
        ("empty frontmatter", b"---\n---\nbody\n".to_vec()),
        ("over the size limit", oversize),
    ];
    for (what, bytes) in broken {
        write(&daily, &bytes);
        let (code, report) = job.json(&["apply", "--source", "defs"]);
        assert_eq!(code, 0, "{what}: {report}");
        assert_eq!(report["definitions"]["invalid"], 1, "{what}: {report}");
        assert_eq!(report["definitions"]["retired"], 0, "{what}: {report}");
        assert_eq!(report["schedules"]["deleted"], 0, "{what}: {report}");
        assert!(
            schedule_exists(&job, &schedule_id(DAILY)),
            "{what}: schedule deleted"
        );
    }
    // Every file broken: no better than an empty mount.
    for entry in walkdir::WalkDir::new(job.path("defs")) {
        let entry = entry.unwrap();
        if entry.path().extension().is_some_and(|e| e == "md")
            && !entry.path().ends_with("README.md")
        {
            write(entry.path(), b"---\nkey: [\n---\n");
        }
    }
    let (code, report) = job.json(&["apply", "--source", "defs"]);
    assert_eq!(code, 3, "{report}");
    assert_eq!(report["outcome"], "refused");
    assert!(schedule_exists(&job, &schedule_id(DAILY)));
    assert!(schedule_exists(&job, &schedule_id(SWEEP)));
}

/// Case 3: `--definitions=false` with an empty, unmounted or mistyped source deletes nothing.
#[test]
fn schedules_only_runs_with_an_empty_source_delete_nothing() {
    let job = Job::new(true);
    assert_eq!(job.json(&["apply", "--source", "defs"]).0, 0);
    std::fs::create_dir(job.path("empty")).unwrap();
    let (code, report) = job.json(&["apply", "--source", "empty", "--definitions=false"]);
    assert_eq!(code, 3, "{report}");
    assert_eq!(report["schedules"]["deleted"], 0);
    let (code, report) = job.json(&["apply", "--source", "no-such-dir", "--definitions=false"]);
    assert_eq!(code, 1, "{report}");
    assert_eq!(report["schedules"]["deleted"], 0);
    assert_eq!(job.schedule_ids().len(), 6, "every schedule is still there");
}

/// Case 4: an id change is refused and keeps the old row and schedule; swapped keys move.
/// Never a schedule for a row the runtime cannot load.
#[test]
fn renamed_ids_and_swapped_keys_never_leave_a_schedule_without_its_row() {
    let job = Job::new(true);
    assert_eq!(job.json(&["apply", "--source", "defs"]).0, 0);
    let daily = job.path("defs/report-daily.md");
    let text = std::fs::read_to_string(&daily).unwrap();
    let new_id = "11111111-2222-4333-8444-555555555555";
    write(
        &daily,
        text.replacen("---\n", &format!("---\nid: {new_id}\n"), 1)
            .as_bytes(),
    );
    for _ in 0..2 {
        let (code, report) = job.json(&["apply", "--source", "defs"]);
        assert_eq!(code, 1, "{report}");
        assert_eq!(report["outcome"], "conflict");
        assert!(
            report["errors"].to_string().contains("id cannot change"),
            "{report}"
        );
        assert_eq!(report["definitions"]["retired"], 0, "{report}");
        assert!(
            schedule_exists(&job, &schedule_id(DAILY)),
            "the old schedule keeps firing"
        );
        assert!(
            !schedule_exists(&job, &format!("activity-schedule-{new_id}")),
            "no schedule without a row"
        );
    }
    write(&daily, text.as_bytes());
    // Two definitions with explicit ids swap their keys.
    let (a, b) = (
        "aaaaaaaa-0000-4000-8000-000000000001",
        "aaaaaaaa-0000-4000-8000-000000000002",
    );
    let file = |id: &str, key: &str, minute: u8| {
        format!(
            "---\nid: {id}\nkey: {key}\nname: {key}\ntrigger: {{type: cron, cron: '{minute} 3 * * *'}}\n---\n"
        )
    };
    let (daily_text, hourly_text) = (file(a, "swap.one", 1), file(b, "swap.two", 2));
    write(&job.path("defs/a.md"), daily_text.as_bytes());
    write(&job.path("defs/b.md"), hourly_text.as_bytes());
    let (code, report) = job.json(&["apply", "--source", "defs"]);
    assert_eq!(code, 0, "{report}");
    let swap = |t: &str| {
        t.replace("swap.one", "@@")
            .replace("swap.two", "swap.one")
            .replace("@@", "swap.two")
    };
    write(&job.path("defs/a.md"), swap(&daily_text).as_bytes());
    write(&job.path("defs/b.md"), swap(&hourly_text).as_bytes());
    let (code, report) = job.json(&["apply", "--source", "defs"]);
    assert_eq!(code, 0, "{report}");
    assert_eq!(report["definitions"]["updated"], 2, "{report}");
    assert_eq!(report["definitions"]["retired"], 0, "{report}");
    assert!(schedule_exists(&job, &format!("activity-schedule-{a}")));
    assert!(schedule_exists(&job, &format!("activity-schedule-{b}")));
    let (code, again) = job.json(&["plan", "--source", "defs", "--detailed-exitcode"]);
    assert_eq!(code, 0, "{again}");
}

/// Case 5: what belongs to another scope is a conflict, not a success.
#[test]
fn conflicts_with_another_scope_are_not_success() {
    let job = Job::new(true);
    assert_eq!(
        job.json(&["apply", "--source", "defs", "--scope", "team-a"])
            .0,
        0
    );
    std::fs::create_dir(job.path("b")).unwrap();
    std::fs::copy(job.path("defs/report-daily.md"), job.path("b/daily.md")).unwrap();
    let (code, report) = job.json(&["plan", "--source", "b", "--scope", "team-b"]);
    assert_eq!(code, 1, "{report}");
    assert_eq!(report["outcome"], "conflict");
    let (code, report) = job.json(&["apply", "--source", "b", "--scope", "team-b"]);
    assert_eq!(code, 1, "{report}");
    assert_eq!(report["outcome"], "conflict");
    assert!(
        report["errors"]
            .to_string()
            .contains("owned by scope `team-a`"),
        "{report}"
    );
    assert_eq!(job.sync_runs().last().unwrap().1, "conflict");
}

/// Case 7: right after an apply, the next plan sees no phantom creates, however the list lags.
/// The server's list lags its writes by seconds (as a loaded cluster's visibility store
/// does); after each plan the CLI's list is read, and a round counts as lagged when even that
/// later list lacks the schedule just created — so the plan before it certainly ran against
/// a list that did not show it. At least one round must have lagged, or the test proved
/// nothing.
#[test]
fn a_plan_right_after_an_apply_has_nothing_pending() {
    for with_attributes in [true, false] {
        let job = Job::on(DevServer::start_lagging(with_attributes));
        let mut lagged = 0;
        for round in 0..3 {
            let key = format!("platform.new-{round}");
            std::fs::write(
                job.path(&format!("defs/new-{round}.md")),
                format!("---\nkey: {key}\nname: New\ntrigger: {{type: cron, cron: '{round} 4 * * *'}}\n---\n"),
            )
            .unwrap();
            let (code, applied) = job.json(&["apply", "--source", "defs"]);
            assert_eq!(code, 0, "{applied}");
            assert!(
                applied["schedules"]["created"].as_u64().unwrap() >= 1,
                "{applied}"
            );
            let (code, again) = job.json(&["plan", "--source", "defs", "--detailed-exitcode"]);
            if !job.schedule_ids().contains(&schedule_id(&key)) {
                lagged += 1;
            }
            assert_eq!(code, 0, "round {round}: {again}");
            assert_eq!(again["schedules"]["created"], 0, "{again}");
            let (code, again) = job.json(&["apply", "--source", "defs"]);
            assert_eq!(code, 0, "{again}");
            assert_eq!(again["schedules"]["created"], 0, "{again}");
            assert_eq!(again["temporal_calls"]["create"], 0, "{again}");
        }
        assert!(
            lagged > 0,
            "the list never lagged behind the apply (attributes: {with_attributes}): the test proved nothing"
        );
    }
}

/// Case 7, the other way: a definition removed right after its schedule was created goes with
/// its row in the same run, though the lagging list does not show the schedule yet (no
/// managed schedule is left for a retired row).
#[test]
fn a_schedule_the_lagging_list_misses_still_goes_with_its_row() {
    let job = Job::on(DevServer::start_lagging(true));
    assert_eq!(job.json(&["apply", "--source", "defs"]).0, 0);
    let keys: Vec<String> = (0..5).map(|i| format!("platform.brief-{i}")).collect();
    for (i, key) in keys.iter().enumerate() {
        std::fs::write(
            job.path(&format!("defs/brief-{i}.md")),
            format!(
                "---\nkey: {key}\nname: Brief\ntrigger: {{type: cron, cron: '{i} 5 * * *'}}\n---\n"
            ),
        )
        .unwrap();
    }
    let (code, applied) = job.json(&["apply", "--source", "defs"]);
    assert_eq!(code, 0, "{applied}");
    assert_eq!(applied["schedules"]["created"], 5, "{applied}");
    for i in 0..5 {
        std::fs::remove_file(job.path(&format!("defs/brief-{i}.md"))).unwrap();
    }
    let (code, removed) = job.json(&["apply", "--source", "defs"]);
    assert_eq!(code, 0, "{removed}");
    assert_eq!(removed["definitions"]["retired"], 5, "{removed}");
    assert_eq!(removed["schedules"]["deleted"], 5, "{removed}");
    for key in &keys {
        assert!(
            !schedule_exists(&job, &schedule_id(key)),
            "{key} kept its schedule"
        );
    }
    let (code, again) = job.json(&["plan", "--source", "defs", "--detailed-exitcode"]);
    assert_eq!(code, 0, "{again}");
}

/// Case 8: Temporal dies mid-apply: a bounded failure, the report on stdout, the run
/// recorded, the lock released, and the text says what was committed.
#[test]
fn temporal_dying_mid_apply_costs_a_bounded_time_and_is_reported() {
    let mut job = Job::new(true);
    for i in 0..300 {
        std::fs::write(
            job.path(&format!("defs/gen-{i}.md")),
            format!("---\nkey: gen.d{i}\nname: D{i}\ntrigger: {{type: cron, cron: '{} {} * * *'}}\n---\n", i % 60, i % 24),
        )
        .unwrap();
    }
    let started = Instant::now();
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
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Kill it once the creates have begun: mid-apply, rows committed.
    poll_until("the creates have begun", 60, || {
        job.schedule_ids().len() >= 20
    });
    let killed = Instant::now();
    job.server.kill();
    let (code, report) = parse(child.wait_with_output().unwrap());
    let (took, after_kill) = (started.elapsed(), killed.elapsed());
    assert_eq!(code, 1, "{report}");
    assert!(
        after_kill < Duration::from_secs(30),
        "{after_kill:?} after the kill ({took:?} in all)"
    );
    assert_eq!(report["outcome"], "failed", "{report}");
    assert!(
        report["errors"].as_array().unwrap().len() <= 101,
        "bounded errors"
    );
    let runs = job.sync_runs();
    assert_eq!(
        runs.last().unwrap(),
        &("apply".to_string(), "failed".to_string())
    );
    if report["definitions"]["created"].as_u64() == Some(0) {
        // Killed before the schedules were read: nothing was written.
        assert!(
            report["errors"].to_string().contains("schedules"),
            "{report}"
        );
    } else {
        assert_eq!(
            report["definitions"]["created"], 307,
            "rows committed: {report}"
        );
        assert!(
            report["errors"].to_string().contains("not attempted")
                || report["errors"].to_string().contains("unavailable"),
            "{report}"
        );
    }
    // The lock was released, and the rows were committed: a database-only run has nothing
    // left to write, and says so in text.
    let out = job
        .command(&["apply", "--source", "defs", "--schedules=false"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("Applied: No changes"), "{text}");
}

/// Case 8: a database that cannot be reached still gets the JSON report.
#[test]
fn an_unreachable_database_still_prints_the_json_report() {
    let out = common::bin()
        .args([
            "apply",
            "--source",
            "fixtures/valid",
            "--format",
            "json",
            "--schedules=false",
        ])
        .current_dir(common::repo_root())
        .env(
            "DATABASE_URL",
            "postgres://nobody:secret@127.0.0.1:1/nothing",
        )
        .output()
        .unwrap();
    let (code, report) = parse(out);
    assert_eq!(code, 1);
    assert_eq!(report["outcome"], "failed");
    assert_eq!(report["errors"][0]["stage"], "database");
    assert!(!report.to_string().contains("secret"), "{report}");
}

/// Case 9: a saved plan applied with `--schedules=false` writes its rows and leaves
/// Temporal alone (here: gone).
#[test]
fn a_saved_plan_applies_its_rows_without_temporal() {
    let mut job = Job::new(true);
    let (code, _) = job.json(&["plan", "--source", "defs", "--out", "plan.json"]);
    assert_eq!(code, 0);
    job.server.kill();
    let (code, report) = job.json(&["apply", "plan.json", "--schedules=false"]);
    assert_eq!(code, 0, "{report}");
    assert_eq!(report["definitions"]["created"], 7, "{report}");
    assert_eq!(report["temporal_calls"], Value::Null);
    let (code, report) = job.json(&["apply", "plan.json", "--event-types"]);
    assert_eq!(code, 1, "a stage the plan does not have: {report}");
}

/// Case 10: the deletion limit counts a definition that goes once, not its row and its
/// schedule twice.
#[test]
fn the_deletion_limit_counts_each_definition_once() {
    let job = Job::new(true);
    for i in 0..34 {
        std::fs::write(
            job.path(&format!("defs/gen-{i}.md")),
            format!("---\nkey: gen.d{i}\nname: D{i}\ntrigger: {{type: cron, cron: '{i} 1 * * *'}}\n---\n"),
        )
        .unwrap();
    }
    assert_eq!(job.json(&["apply", "--source", "defs"]).0, 0);
    // 10 of 41 go (10 rows, 10 schedules): within 25 % of 41.
    for i in 0..10 {
        std::fs::remove_file(job.path(&format!("defs/gen-{i}.md"))).unwrap();
    }
    let (code, report) = job.json(&["apply", "--source", "defs"]);
    assert_eq!(code, 0, "{report}");
    assert_eq!(report["definitions"]["retired"], 10);
    assert_eq!(report["schedules"]["deleted"], 10);
}

/// Case 6 and 10, on both databases: hand edits of rows are drift (shown, reverted, and they
/// stale a saved plan); running from another working directory rewrites nothing.
#[test]
fn hand_edits_are_drift_and_the_working_directory_does_not_matter() {
    for backend in BACKENDS {
        let dir = tempfile::tempdir().unwrap();
        copy_tree(&fixtures("valid"), &dir.path().join("defs"));
        std::fs::create_dir(dir.path().join("elsewhere")).unwrap();
        let db = TestDb::new(backend, dir.path());
        let run = |cwd: &Path, args: &[&str]| {
            let mut all = args.to_vec();
            all.extend(["--format", "json", "--schedules=false"]);
            parse(
                common::bin()
                    .args(&all)
                    .current_dir(cwd)
                    .env("DATABASE_URL", &db.url)
                    .env_remove("ACTIVITY_SYNC_SCOPE")
                    .output()
                    .unwrap(),
            )
        };
        assert_eq!(run(dir.path(), &["apply", "--source", "defs"]).0, 0);
        let (code, plan) = run(
            &dir.path().join("elsewhere"),
            &["plan", "--source", "../defs", "--detailed-exitcode"],
        );
        assert_eq!(code, 0, "another working directory changes nothing: {plan}");
        let (_, saved) = run(
            dir.path(),
            &["plan", "--source", "defs", "--out", "plan.json"],
        );
        assert_eq!(saved["outcome"], "success");
        for edit in [
            "enabled = false",
            "body = 'edited by hand'",
            "trigger_config = '{\"cron\": \"* * * * *\"}'",
            // The stored frontmatter: a row whose JSON differs from its file's keeps its
            // own, so the difference shows (rows share the file's only where equal).
            "spec = '{\"key\": \"edited-by-hand\"}'",
        ] {
            db.execute(&format!(
                "UPDATE activity_definitions SET {edit} WHERE key = '{DAILY}'"
            ));
            let (code, plan) = run(
                dir.path(),
                &["plan", "--source", "defs", "--detailed-exitcode"],
            );
            assert_eq!(code, 2, "{edit}: {plan}");
            assert_eq!(plan["definitions"]["updated"], 1, "{edit}: {plan}");
            let (code, stale) = run(dir.path(), &["apply", "plan.json"]);
            assert_eq!(code, 3, "{edit}: the saved plan is stale: {stale}");
            let (code, applied) = run(dir.path(), &["apply", "--source", "defs"]);
            assert_eq!(code, 0);
            assert_eq!(applied["definitions"]["updated"], 1, "{edit}: reverted");
            let (code, _) = run(
                dir.path(),
                &["plan", "--source", "defs", "--detailed-exitcode"],
            );
            assert_eq!(code, 0, "{edit}: converged");
        }
    }
}

/// Lock-skipped and failed runs leave a `sync_runs` row too.
#[test]
fn refused_and_failed_runs_are_recorded() {
    let job = Job::new(true);
    assert_eq!(job.json(&["apply", "--source", "defs"]).0, 0);
    std::fs::create_dir(job.path("empty")).unwrap();
    assert_eq!(job.json(&["apply", "--source", "empty"]).0, 3);
    let (code, _) = job.json(&[
        "apply",
        "--source",
        "defs",
        "--temporal-address",
        "127.0.0.1:1",
    ]);
    assert_eq!(code, 1);
    let outcomes: Vec<String> = job.sync_runs().into_iter().map(|r| r.1).collect();
    assert_eq!(outcomes, ["success", "refused", "failed"]);
}
