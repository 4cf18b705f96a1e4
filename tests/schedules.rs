//! The whole job against a real Temporal dev server (started per test) and SQLite.

mod common;

use activity_sync::definition::id_from_key;
use common::job::Job;
use common::poll_until;
use serde_json::Value;

/// The described schedule of a fixture definition.
fn schedule(job: &Job, key: &str) -> Option<Value> {
    job.server.describe(&schedule_id(key))
}

/// The schedule id of a fixture definition (the sweep names its own id).
fn schedule_id(key: &str) -> String {
    if key == SWEEP {
        return "activity-schedule-7c4e9a12-8f3b-4d5e-9c6a-1b2d3e4f5a6b".into();
    }
    format!("activity-schedule-{}", id_from_key(key))
}

fn paused(s: &Value) -> bool {
    s["schedule"]["state"]["paused"].as_bool().unwrap_or(false)
}

fn minute(s: &Value) -> i64 {
    s["schedule"]["spec"]["structuredCalendar"][0]["minute"][0]["start"]
        .as_i64()
        .unwrap_or(0)
}

fn counts(report: &Value) -> Value {
    report["schedules"].clone()
}

fn mutating_calls(report: &Value) -> u64 {
    let calls = &report["temporal_calls"];
    ["create", "update", "patch", "delete"]
        .iter()
        .map(|k| calls[k].as_u64().unwrap())
        .sum()
}

const DAILY: &str = "the-custodian.report-daily";
const HOURLY: &str = "the-custodian.report-hourly";
const SWEEP: &str = "the-custodian.state-hub-consistency-sweep";
const FREEZE: &str = "platform.release-freeze-announcement";
const LINT: &str = "platform.api-lint-on-push";

#[test]
fn hourly_renamed_to_daily_and_the_safe_shape_of_a_run() {
    let job = Job::new(true);
    // An older definition of the scope whose file will be gone: its schedule is an orphan.
    std::fs::write(
        job.path("defs/old-sync.md"),
        "---\nkey: the-custodian.old-sync\nname: Old sync\ntrigger: {type: cron, cron: '5 * * * *'}\n---\n",
    )
    .unwrap();
    let (code, first) = job.json(&["apply", "--source", "defs"]);
    assert_eq!(code, 0, "{first}");
    assert_eq!(counts(&first)["created"], 7, "{first}");
    std::fs::remove_file(job.path("defs/old-sync.md")).unwrap();
    // An unmanaged schedule with a conventional-looking id, made by someone else.
    let stranger = format!("activity-schedule-{}", id_from_key("someone.else"));
    let out = job.server.cli(&[
        "schedule",
        "create",
        "--schedule-id",
        &stranger,
        "--cron",
        "0 1 * * *",
        "--workflow-id",
        "x",
        "--type",
        "RunActivityWorkflow",
        "--task-queue",
        "orchestrator-tq",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let (code, plan) = job.json(&["plan", "--source", "defs"]);
    assert_eq!(code, 0, "{plan}");
    assert_eq!(
        mutating_calls(&plan),
        0,
        "plan made a mutating call: {}",
        plan["temporal_calls"]
    );
    let (code, second) = job.json(&["apply", "--source", "defs"]);
    assert_eq!(code, 0, "{second}");
    assert_eq!(counts(&second)["deleted"], 1, "{second}");
    assert_eq!(counts(&second)["unmanaged"], 1, "{second}");

    // The daily report runs, the hourly one is kept paused, saying why.
    let daily = schedule(&job, DAILY).expect("daily schedule");
    assert!(!paused(&daily));
    let hourly = schedule(&job, HOURLY).expect("hourly schedule kept");
    assert!(paused(&hourly));
    assert!(
        hourly["schedule"]["state"]["notes"]
            .as_str()
            .unwrap()
            .contains("report-hourly.md"),
        "{hourly}"
    );
    // The orphan is gone; the stranger is untouched; the event definition has no schedule.
    assert!(schedule(&job, "the-custodian.old-sync").is_none());
    assert!(job.server.describe(&stranger).is_some());
    assert!(schedule(&job, LINT).is_none());
    // The once definition is there, one action only, and is not an orphan.
    let freeze = schedule(&job, FREEZE).expect("once schedule");
    assert_eq!(
        freeze["schedule"]["state"]["limitedActions"], true,
        "{freeze}"
    );
    assert_eq!(
        freeze["schedule"]["state"]["remainingActions"], "1",
        "{freeze}"
    );

    // Once it has fired it is left alone, never re-armed.
    let out = job
        .server
        .cli(&["schedule", "trigger", "--schedule-id", &schedule_id(FREEZE)]);
    assert!(out.status.success());
    poll_until("the once schedule has fired", 30, || {
        // int64 comes back as a JSON string.
        schedule(&job, FREEZE).is_some_and(|s| {
            let count = &s["info"]["actionCount"];
            count
                .as_str()
                .and_then(|c| c.parse().ok())
                .or(count.as_i64())
                >= Some(1)
        })
    });
    let (code, third) = job.json(&["apply", "--source", "defs"]);
    assert_eq!(code, 0, "{third}");
    assert_eq!(mutating_calls(&third), 0, "{third}");
    // And a `once` in the past that never existed is reported, not created.
    job.edit(
        "defs/release-freeze.md",
        "2026-12-18T17:00:00+01:00",
        "2020-01-01T00:00:00Z",
    );
    let out = job
        .server
        .cli(&["schedule", "delete", "--schedule-id", &schedule_id(FREEZE)]);
    assert!(out.status.success());
    let (code, fourth) = job.json(&["apply", "--source", "defs"]);
    assert_eq!(code, 0, "{fourth}");
    assert!(schedule(&job, FREEZE).is_none());
    assert!(
        fourth["changes"]
            .to_string()
            .contains("is in the past; not created"),
        "{fourth}"
    );
}

#[test]
fn no_restart_round_trip() {
    let job = Job::new(true);
    job.edit(
        "defs/consistency-sweep.md",
        "enabled: true",
        "enabled: false",
    );
    job.edit("defs/consistency-sweep.md", "*/15 * * * *", "15 * * * *");
    assert_eq!(job.json(&["apply", "--source", "defs"]).0, 0);
    let sweep = schedule(&job, SWEEP).unwrap();
    assert!(paused(&sweep));
    assert_eq!(minute(&sweep), 15);

    job.edit(
        "defs/consistency-sweep.md",
        "enabled: false",
        "enabled: true",
    );
    job.edit("defs/consistency-sweep.md", "15 * * * *", "25 * * * *");
    let (code, report) = job.json(&["apply", "--source", "defs"]);
    assert_eq!(code, 0, "{report}");
    assert_eq!(counts(&report)["updated"], 1, "{report}");
    let sweep = schedule(&job, SWEEP).unwrap();
    assert!(!paused(&sweep), "unpaused");
    assert_eq!(minute(&sweep), 25);

    let (code, again) = job.json(&["apply", "--source", "defs"]);
    assert_eq!(code, 0);
    assert_eq!(mutating_calls(&again), 0, "{}", again["temporal_calls"]);
    assert_eq!(again["temporal_calls"]["list"], 1);
    assert!(
        again["temporal_calls"]["describe"].as_u64().unwrap() <= 1,
        "a no-op run describes only the one-shot schedule: {}",
        again["temporal_calls"]
    );
    assert_eq!(counts(&again)["unchanged"], 6, "{again}");
    assert_eq!(again["definitions"]["unchanged"], 7);

    job.edit(
        "defs/consistency-sweep.md",
        "enabled: true",
        "enabled: false",
    );
    job.edit("defs/consistency-sweep.md", "25 * * * *", "15 * * * *");
    assert_eq!(job.json(&["apply", "--source", "defs"]).0, 0);
    let sweep = schedule(&job, SWEEP).unwrap();
    assert!(paused(&sweep));
    assert_eq!(minute(&sweep), 15);
}

#[test]
fn misfire_policies_read_back_as_specified() {
    let job = Job::new(true);
    assert_eq!(job.json(&["apply", "--source", "defs"]).0, 0);
    let policy = |key: &str| {
        let s = schedule(&job, key).unwrap();
        (
            s["schedule"]["policies"]["overlapPolicy"]
                .as_str()
                .unwrap_or("")
                .to_string(),
            s["schedule"]["policies"]["catchupWindow"]
                .as_str()
                .unwrap_or("")
                .to_string(),
        )
    };
    // skip with an explicit 300 s override
    assert_eq!(
        policy(SWEEP),
        ("SCHEDULE_OVERLAP_POLICY_SKIP".into(), "300s".into())
    );
    // catchup_latest on a daily cron: one interval
    assert_eq!(
        policy("the-custodian.inbox-triage-daily"),
        ("SCHEDULE_OVERLAP_POLICY_BUFFER_ONE".into(), "86400s".into())
    );
    // legacy `compress` is catchup_latest
    assert_eq!(
        policy(DAILY),
        ("SCHEDULE_OVERLAP_POLICY_BUFFER_ONE".into(), "86400s".into())
    );
    // catchup_all: a year
    assert_eq!(
        policy("platform.weekly-artifact-cleanup"),
        (
            "SCHEDULE_OVERLAP_POLICY_BUFFER_ALL".into(),
            "31536000s".into()
        )
    );
    // skip without override: the smallest window Temporal keeps
    assert_eq!(
        policy(HOURLY),
        ("SCHEDULE_OVERLAP_POLICY_SKIP".into(), "10s".into())
    );
    // jitter_seconds and the time zone travel with the spec
    let daily = schedule(&job, DAILY).unwrap();
    assert_eq!(daily["schedule"]["spec"]["jitter"], "120s", "{daily}");
    assert_eq!(daily["schedule"]["spec"]["timezoneName"], "Europe/Berlin");
}

fn notes(s: &Value) -> &str {
    s["schedule"]["state"]["notes"].as_str().unwrap_or("")
}

fn toggle(job: &Job, key: &str, pause: bool, reason: &str) {
    let out = job.server.cli(&[
        "schedule",
        "toggle",
        "--schedule-id",
        &schedule_id(key),
        if pause { "--pause" } else { "--unpause" },
        "--reason",
        reason,
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn manual_pauses(report: &Value) -> Vec<String> {
    report["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w["kind"] == "manual_pause")
        .map(|w| w["id"].as_str().unwrap().to_string())
        .collect()
}

/// Spec drift is shown and reverted; a pause made by hand is not (SPEC §5): on-call's pause
/// stays through plan, apply, a hand edit and a cron change, with its note, until
/// `--unpause-manual`; a disabled definition's schedule unpaused by hand is paused again.
#[test]
fn drift_is_shown_and_reverted() {
    let job = Job::new(true);
    assert_eq!(job.json(&["apply", "--source", "defs"]).0, 0);
    toggle(&job, DAILY, true, "incident 42: sink down");
    // Spec changed by hand.
    let out = job.server.cli(&[
        "schedule",
        "update",
        "--schedule-id",
        &schedule_id(SWEEP),
        "--cron",
        "7 * * * *",
        "--workflow-id",
        "x",
        "--type",
        "RunActivityWorkflow",
        "--task-queue",
        "orchestrator-tq",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    poll_until("the hand edits show in the list", 30, || {
        let plan = job.json(&["plan", "--source", "defs"]).1;
        plan["schedules"]["updated"] == 1 && manual_pauses(&plan) == [schedule_id(DAILY)]
    });
    let (code, plan) = job.json(&["plan", "--source", "defs", "--detailed-exitcode"]);
    assert_eq!(code, 2, "{plan}");
    assert_eq!(counts(&plan)["unpaused"], 0, "a hand pause is held: {plan}");
    assert_eq!(counts(&plan)["updated"], 1, "{plan}");
    let text = job.command(&["plan", "--source", "defs"]).output().unwrap();
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(
        text.contains("paused by hand: \"incident 42: sink down\" — left paused"),
        "{text}"
    );
    assert!(text.contains("[manual_pause]"), "{text}");
    // A saved plan is refused once a schedule changes under it.
    let (code, _) = job.json(&["plan", "--source", "defs", "--out", "plan.json"]);
    assert_eq!(code, 0);
    toggle(&job, SWEEP, true, "more hands");
    poll_until("the hand pause shows in the list", 30, || {
        manual_pauses(&job.json(&["plan", "--source", "defs"]).1).len() == 2
    });
    let (code, refused) = job.json(&["apply", "plan.json"]);
    assert_eq!(code, 3, "{refused}");
    // A fresh apply reverts the spec and keeps both pauses and their notes.
    let (code, report) = job.json(&["apply", "--source", "defs"]);
    assert_eq!(code, 0, "{report}");
    assert_eq!(counts(&report)["updated"], 1, "{report}");
    assert_eq!(counts(&report)["unpaused"], 0, "{report}");
    let daily = schedule(&job, DAILY).unwrap();
    assert!(paused(&daily));
    assert_eq!(notes(&daily), "incident 42: sink down");
    let sweep = schedule(&job, SWEEP).unwrap();
    assert!(paused(&sweep), "the update carried the pause over: {sweep}");
    assert_eq!(notes(&sweep), "more hands");
    assert_eq!(
        sweep["schedule"]["spec"]["structuredCalendar"][0]["minute"][0]["step"], 15,
        "{sweep}"
    );
    let (code, again) = job.json(&["plan", "--source", "defs", "--detailed-exitcode"]);
    assert_eq!(code, 0, "held pauses are not pending changes: {again}");
    assert_eq!(mutating_calls(&again), 0);
    assert_eq!(manual_pauses(&again).len(), 2, "{again}");
    // `status` lists them, with their notes.
    let out = job.command(&["status"]).output().unwrap();
    let status = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{status}");
    assert!(
        status.contains(&format!(
            "⏸ {}  scope default  {DAILY}  \"incident 42: sink down\"",
            schedule_id(DAILY)
        )),
        "{status}"
    );
    let (code, status) = job.json(&["status"]);
    assert_eq!(code, 0);
    assert_eq!(
        status["held_by_hand"].as_array().unwrap().len(),
        2,
        "{status}"
    );
    // A cron change of a held schedule is written; the pause and its note survive.
    job.edit("defs/report-daily.md", "0 6 * * *", "0 7 * * *");
    let (code, report) = job.json(&["apply", "--source", "defs"]);
    assert_eq!(code, 0, "{report}");
    assert_eq!(counts(&report)["updated"], 1, "{report}");
    let daily = schedule(&job, DAILY).unwrap();
    assert!(paused(&daily));
    assert_eq!(notes(&daily), "incident 42: sink down");
    assert_eq!(
        daily["schedule"]["spec"]["structuredCalendar"][0]["hour"][0]["start"], 7,
        "{daily}"
    );
    // A disabled definition's schedule unpaused by hand is paused again.
    toggle(&job, HOURLY, false, "let it run");
    poll_until("the hand unpause shows in the list", 30, || {
        job.json(&["plan", "--source", "defs"]).1["schedules"]["paused"] == 1
    });
    // `--unpause-manual` lifts the hand pauses, and says which.
    let (code, report) = job.json(&["apply", "--source", "defs", "--unpause-manual"]);
    assert_eq!(code, 0, "{report}");
    assert_eq!(counts(&report)["paused"], 1, "{report}");
    assert_eq!(counts(&report)["unpaused"], 2, "{report}");
    assert!(manual_pauses(&report).is_empty(), "{report}");
    assert!(
        report["changes"].to_string().contains("--unpause-manual"),
        "{report}"
    );
    assert!(paused(&schedule(&job, HOURLY).unwrap()));
    assert!(!paused(&schedule(&job, DAILY).unwrap()));
    assert!(!paused(&schedule(&job, SWEEP).unwrap()));
    let (code, again) = job.json(&["plan", "--source", "defs", "--detailed-exitcode"]);
    assert_eq!(code, 0, "{again}");
}

#[test]
fn temporal_unreachable_fails_clearly_and_the_next_run_converges() {
    let job = Job::new(true);
    let dead = "127.0.0.1:1";
    let out = job
        .command(&["apply", "--source", "defs", "--format", "json"])
        .env("TEMPORAL_ADDRESS", dead)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    // Rows and schedules are planned together or not at all: nothing is written when the
    // schedules cannot be read, and the report says so.
    assert_eq!(report["outcome"], "failed", "{report}");
    assert_eq!(report["definitions"]["created"], 0, "{report}");
    assert!(
        job.path("activity-sync.db").exists(),
        "the run is recorded in the database"
    );
    assert!(
        report["errors"].to_string().contains("127.0.0.1:1"),
        "{report}"
    );
    let (code, next) = job.json(&["apply", "--source", "defs"]);
    assert_eq!(code, 0, "{next}");
    assert_eq!(counts(&next)["created"], 6);
    assert_eq!(next["definitions"]["created"], 7);
}

#[test]
fn works_without_the_search_attributes_and_migrate_registers_them() {
    let job = Job::new(false);
    let (code, first) = job.json(&["apply", "--source", "defs"]);
    assert_eq!(code, 0, "{first}");
    assert_eq!(counts(&first)["created"], 6, "{first}");
    let (code, second) = job.json(&["apply", "--source", "defs"]);
    assert_eq!(code, 0, "{second}");
    assert_eq!(mutating_calls(&second), 0, "{second}");
    // The hash of what was written rides in the notes, which the list shows: no describe.
    assert_eq!(
        second["temporal_calls"]["describe"], 0,
        "judged from the list without attributes: {second}"
    );

    // A change the list cannot show (the misfire policy: overlap and catch-up window) is
    // still found, by the hash in the notes, and lands with one update.
    job.edit(
        "defs/report-daily.md",
        "misfire_policy: compress",
        "misfire_policy: catchup_all",
    );
    let (code, changed) = job.json(&["apply", "--source", "defs"]);
    assert_eq!(code, 0, "{changed}");
    assert_eq!(counts(&changed)["updated"], 1, "{changed}");
    assert_eq!(changed["temporal_calls"]["update"], 1, "{changed}");
    let window = |s: &Value| s["schedule"]["policies"]["catchupWindow"].clone();
    assert_eq!(
        window(&schedule(&job, DAILY).unwrap()),
        "31536000s",
        "catchup_all: a year"
    );
    // A hand edit that keeps the calendar but rewrites the schedule (the CLI writes no
    // notes) is found and reverted.
    let out = job.server.cli(&[
        "schedule",
        "update",
        "--schedule-id",
        &schedule_id(DAILY),
        "--cron",
        "CRON_TZ=Europe/Berlin 0 6 * * *",
        "--jitter",
        "2m",
        "--workflow-id",
        &format!("activity-{}", id_from_key(DAILY)),
        "--type",
        "RunActivityWorkflow",
        "--task-queue",
        "somebody-elses-tq",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (code, reverted) = job.json(&["apply", "--source", "defs"]);
    assert_eq!(code, 0, "{reverted}");
    assert_eq!(counts(&reverted)["updated"], 1, "{reverted}");
    assert_eq!(
        schedule(&job, DAILY).unwrap()["schedule"]["action"]["startWorkflow"]["taskQueue"]["name"],
        "orchestrator-tq"
    );
    let (code, settled) = job.json(&["plan", "--source", "defs", "--detailed-exitcode"]);
    assert_eq!(code, 0, "{settled}");
    assert_eq!(settled["temporal_calls"]["describe"], 0, "{settled}");

    let out = job.command(&["migrate"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(
        stdout.contains("registered search attributes ActivitySyncScope, ActivitySyncSpecHash"),
        "{stdout}"
    );
    let listed = job.server.cli(&["operator", "search-attribute", "list"]);
    assert!(String::from_utf8_lossy(&listed.stdout).contains("ActivitySyncSpecHash"));
    // Schedules written before the registration carry no hash: they stay compared by
    // describe (and unchanged) until their next update writes it. The namespace takes the
    // new attributes a moment after they are registered.
    poll_until("the namespace knows the attributes", 30, || {
        job.json(&["plan", "--source", "defs", "--refresh", "full"])
            .0
            == 0
    });
    let (code, third) = job.json(&["apply", "--source", "defs", "--refresh", "full"]);
    assert_eq!(code, 0, "{third}");
    assert_eq!(counts(&third)["updated"], 0, "{third}");
}

#[test]
fn adopt_takes_over_unmarked_schedules_and_refresh_full_describes_all() {
    let job = Job::new(true);
    // An older sync wrote the sweep's schedule without any marker.
    let out = job.server.cli(&[
        "schedule",
        "create",
        "--schedule-id",
        &schedule_id(SWEEP),
        "--cron",
        "0 3 * * *",
        "--workflow-id",
        "old",
        "--type",
        "RunActivityWorkflow",
        "--task-queue",
        "orchestrator-tq",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (code, first) = job.json(&["apply", "--source", "defs"]);
    assert_eq!(code, 0, "{first}");
    assert_eq!(counts(&first)["unmanaged"], 1, "{first}");
    assert_eq!(
        minute(&schedule(&job, SWEEP).unwrap()),
        0,
        "unmanaged: untouched"
    );

    let (code, adopted) = job.json(&["apply", "--source", "defs", "--adopt"]);
    assert_eq!(code, 0, "{adopted}");
    assert_eq!(counts(&adopted)["updated"], 1, "{adopted}");
    let sweep = schedule(&job, SWEEP).unwrap();
    assert_eq!(
        sweep["schedule"]["spec"]["structuredCalendar"][0]["minute"][0]["step"], 15,
        "{sweep}"
    );
    // Owned from now on (by the search attribute, which the list shows a moment later),
    // without --adopt.
    poll_until(
        "the list shows the adopted schedule's attribute",
        30,
        || job.json(&["plan", "--source", "defs"]).1["schedules"]["unmanaged"] == 0,
    );
    let (code, after) = job.json(&["apply", "--source", "defs"]);
    assert_eq!(code, 0, "{after}");
    assert_eq!(counts(&after)["unmanaged"], 0, "{after}");
    assert_eq!(mutating_calls(&after), 0, "{after}");

    let (code, full) = job.json(&["plan", "--source", "defs", "--refresh", "full"]);
    assert_eq!(code, 0, "{full}");
    assert_eq!(
        full["temporal_calls"]["describe"], 6,
        "every managed schedule described: {full}"
    );
    assert_eq!(counts(&full)["unchanged"], 6, "{full}");
}

/// A run lists what its scope can own or adopt, not the namespace: another scope's
/// schedules and schedules of other applications cost it nothing, while an unmarked
/// schedule with the conventional id is still seen (listed as unmanaged, adoptable).
#[test]
fn the_list_follows_the_scope_not_the_namespace() {
    for with_attributes in [true, false] {
        // Three schedules a page: the namespace below needs four pages unfiltered.
        let job = Job::on(common::temporal::DevServer::start_paged(with_attributes, 3));
        let (code, others) = job.json(&["apply", "--source", "defs", "--scope", "others"]);
        assert_eq!(code, 0, "{others}");
        assert_eq!(counts(&others)["created"], 6, "{others}");
        for i in 0..4 {
            let id = format!("nightly-backup-{i}");
            let out = job.server.cli(&[
                "schedule",
                "create",
                "--schedule-id",
                &id,
                "--cron",
                "0 1 * * *",
                "--workflow-id",
                &id,
                "--type",
                "Backup",
                "--task-queue",
                "backups",
            ]);
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let stranger = format!("activity-schedule-{}", id_from_key("someone.else"));
        let out = job.server.cli(&[
            "schedule",
            "create",
            "--schedule-id",
            &stranger,
            "--cron",
            "0 2 * * *",
            "--workflow-id",
            "x",
            "--type",
            "RunActivityWorkflow",
            "--task-queue",
            "orchestrator-tq",
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        std::fs::create_dir_all(job.path("mine")).unwrap();
        std::fs::write(
            job.path("mine/one.md"),
            "---\nkey: mine.one\nname: One\ntrigger: {type: cron, cron: '9 9 * * *'}\n---\n",
        )
        .unwrap();
        poll_until("the list shows the stranger", 30, || {
            let (_, plan) = job.json(&["plan", "--source", "mine", "--scope", "mine"]);
            counts(&plan)["unmanaged"] == 1
        });
        let (code, mine) = job.json(&["apply", "--source", "mine", "--scope", "mine"]);
        assert_eq!(code, 0, "{mine}");
        assert_eq!(counts(&mine)["created"], 1, "{mine}");
        assert_eq!(
            counts(&mine)["unmanaged"],
            1,
            "the stranger is seen: {mine}"
        );
        assert_eq!(counts(&mine)["deleted"], 0, "{mine}");
        let lists = mine["temporal_calls"]["list"].as_u64().unwrap();
        if with_attributes {
            // The scope's own (none yet) and the stranger: one page.
            assert_eq!(lists, 1, "one page for the scope: {mine}");
        } else {
            // The query by attribute is refused (one call); then the conventional ids: the
            // other scope's six and the stranger, three pages, not the four of the whole
            // namespace (nor the backups).
            assert_eq!(lists, 1 + 3, "{mine}");
        }
        let (code, settled) = job.json(&[
            "plan",
            "--source",
            "mine",
            "--scope",
            "mine",
            "--detailed-exitcode",
        ]);
        assert_eq!(code, 0, "{settled}");
        // The other scope's schedules and the backups were never touched.
        let (code, others_again) = job.json(&[
            "plan",
            "--source",
            "defs",
            "--scope",
            "others",
            "--detailed-exitcode",
        ]);
        assert_eq!(code, 0, "{others_again}");
        assert!(job.server.describe("nightly-backup-0").is_some());
    }
}
