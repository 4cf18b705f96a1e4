//! The matching, with a fixed `now` and synthetic histories.

use chrono::{DateTime, Duration, Utc};
use serde_json::json;
use uuid::Uuid;

use super::*;
use crate::error::Exit;
use crate::plan::{DefinitionRow, RunError};

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn row(trigger_type: &str, config: serde_json::Value, enabled: bool) -> DefinitionRow {
    DefinitionRow {
        id: Uuid::from_u128(7),
        key: "team.job".into(),
        name: "Job".into(),
        enabled,
        trigger_type: trigger_type.into(),
        trigger_config: config.into(),
        spec: json!({}).into(),
        body: String::new(),
        scope: "default".into(),
        source_path: "job.md".into(),
        retired: false,
    }
}

fn cron(expr: &str, tz: &str) -> Audited {
    Audited::from_row(&row(
        "cron",
        json!({"cron": expr, "timezone": tz, "misfire_policy": "skip"}),
        true,
    ))
    .unwrap()
    .unwrap()
}

fn window(from: &str, to: &str) -> Window {
    Window {
        from: t(from),
        to: t(to),
    }
}

fn schedule(created: &str) -> ScheduleHistory {
    ScheduleHistory {
        create_time: Some(t(created)),
        ..Default::default()
    }
}

fn run(workflow: &str, at: &str, status: RunStatus) -> Execution {
    Execution {
        workflow_id: format!("activity-{workflow}-{}", t(at).format("%Y-%m-%dT%H:%M:%SZ")),
        run_id: format!("run-{at}"),
        scheduled_for: t(at),
        start_time: Some(t(at) + Duration::milliseconds(30)),
        close_time: (status != RunStatus::Running).then(|| t(at) + Duration::seconds(2)),
        status,
    }
}

fn statuses(audit: &ScheduleAudit) -> Vec<(String, FireStatus)> {
    audit
        .fires
        .iter()
        .map(|f| (f.expected.format("%H:%M").to_string(), f.status))
        .collect()
}

fn s(hm: &str, status: FireStatus) -> (String, FireStatus) {
    (hm.to_string(), status)
}

#[test]
fn each_fire_gets_its_workflow_verdict() {
    let audited = cron("* * * * *", "UTC");
    let facts = Facts {
        schedule: Some(schedule("2026-12-07T09:00:30Z")),
        executions: vec![
            run("x", "2026-12-07T10:01:00Z", RunStatus::Completed),
            run("x", "2026-12-07T10:02:00Z", RunStatus::Failed),
            run("x", "2026-12-07T10:03:00Z", RunStatus::TimedOut),
            run("x", "2026-12-07T10:05:00Z", RunStatus::Running),
        ],
    };
    let audit = judge(
        &audited,
        &facts,
        &window("2026-12-07T10:01:00Z", "2026-12-07T10:05:00Z"),
    );
    use FireStatus::*;
    assert_eq!(
        statuses(&audit),
        [
            s("10:01", Ok),
            s("10:02", Failed),
            s("10:03", Failed),
            s("10:04", Missed),
            s("10:05", Running),
        ]
    );
    assert_eq!(
        audit.fires[3].reason.as_deref(),
        Some("no workflow started")
    );
    assert_eq!(
        audit.fires[0].workflow_id.as_deref(),
        Some("activity-x-2026-12-07T10:01:00Z")
    );
    assert_eq!(
        (
            audit.counts.ok,
            audit.counts.failed,
            audit.counts.missed,
            audit.counts.running
        ),
        (1, 2, 1, 1)
    );
    assert_eq!(audit.last_fire, Some(t("2026-12-07T10:05:00Z")));
}

#[test]
fn fires_before_the_schedule_existed_or_changed_are_not_expected() {
    let audited = cron("*/10 * * * *", "UTC");
    let w = window("2026-12-07T10:00:00Z", "2026-12-07T11:00:00Z");
    // Created at 10:20:00.4: the 10:20 fire was before it (a schedule fires strictly after).
    let mut history = schedule("2026-12-07T10:20:00.4Z");
    let audit = judge(
        &audited,
        &Facts {
            schedule: Some(history.clone()),
            executions: vec![],
        },
        &w,
    );
    assert_eq!(audit.judged_from, t("2026-12-07T10:20:00.4Z"));
    let times: Vec<_> = statuses(&audit).into_iter().map(|(hm, _)| hm).collect();
    assert_eq!(times, ["10:30", "10:40", "10:50", "11:00"]);
    // Updated at 10:45: judged from then.
    history.update_time = Some(t("2026-12-07T10:45:00Z"));
    let audit = judge(
        &audited,
        &Facts {
            schedule: Some(history),
            executions: vec![],
        },
        &w,
    );
    let times: Vec<_> = statuses(&audit).into_iter().map(|(hm, _)| hm).collect();
    assert_eq!(times, ["10:50", "11:00"]);
}

#[test]
fn a_paused_schedule_misses_and_says_why() {
    let audited = cron("0 * * * *", "UTC");
    let mut history = schedule("2026-12-01T00:00:00Z");
    history.paused = true;
    history.notes = "incident 42".into();
    history.future_action_times = vec![t("2026-12-07T12:00:00Z")];
    let audit = judge(
        &audited,
        &Facts {
            schedule: Some(history),
            executions: vec![run("x", "2026-12-07T09:00:00Z", RunStatus::Completed)],
        },
        &window("2026-12-07T09:00:00Z", "2026-12-07T11:30:00Z"),
    );
    use FireStatus::*;
    assert_eq!(
        statuses(&audit),
        [s("09:00", Ok), s("10:00", Missed), s("11:00", Missed)]
    );
    assert_eq!(
        audit.fires[1].reason.as_deref(),
        Some("the schedule is paused (incident 42)")
    );
    assert!(audit.paused);
    assert_eq!(audit.next_fire, None, "a paused schedule has no next fire");
    assert_eq!(audit.notes.as_deref(), Some("incident 42"));
}

#[test]
fn a_missing_schedule_misses_everything_unless_a_workflow_ran() {
    let audited = cron("0 * * * *", "UTC");
    let w = window("2026-12-07T09:00:00Z", "2026-12-07T10:30:00Z");
    let audit = judge(&audited, &Facts::default(), &w);
    assert!(!audit.exists);
    assert_eq!(audit.counts.missed, 2);
    assert_eq!(
        audit.fires[0].reason.as_deref(),
        Some("the schedule does not exist in Temporal")
    );
    // A spent `once` schedule the server dropped: its workflow still tells.
    let once = Audited::from_row(&row(
        "once",
        json!({"at": "2026-12-07T10:00:00+01:00"}),
        true,
    ))
    .unwrap()
    .unwrap();
    let audit = judge(
        &once,
        &Facts {
            schedule: None,
            executions: vec![run("x", "2026-12-07T09:00:00Z", RunStatus::Completed)],
        },
        &w,
    );
    assert_eq!(statuses(&audit), [s("09:00", FireStatus::Ok)]);
    assert_eq!(audit.trigger, "once at 2026-12-07T09:00:00+00:00");
    // A `once` outside the window is not expected.
    let audit = judge(
        &once,
        &Facts::default(),
        &window("2026-12-07T09:30:00Z", "2026-12-07T10:30:00Z"),
    );
    assert!(audit.fires.is_empty());
}

#[test]
fn a_start_not_yet_visible_is_found_in_the_recent_actions() {
    let audited = cron("* * * * *", "UTC");
    let mut history = schedule("2026-12-07T09:00:00Z");
    history.recent_actions = vec![RecentAction {
        // Jitter moves the start, not the nominal time in the workflow id.
        schedule_time: t("2026-12-07T10:01:07Z"),
        workflow_id: "activity-x-2026-12-07T10:01:00Z".into(),
        run_id: "r1".into(),
        status: RunStatus::Running,
    }];
    let audit = judge(
        &audited,
        &Facts {
            schedule: Some(history),
            executions: vec![],
        },
        &window("2026-12-07T10:01:00Z", "2026-12-07T10:01:30Z"),
    );
    assert_eq!(statuses(&audit), [s("10:01", FireStatus::Running)]);
    assert_eq!(audit.fires[0].run_id.as_deref(), Some("r1"));
    assert!(audit.extra.is_empty(), "{:?}", audit.extra);
}

#[test]
fn a_fire_held_back_by_a_running_one_is_skipped() {
    let audited = cron("*/5 * * * *", "UTC");
    let mut long = run("x", "2026-12-07T10:00:00Z", RunStatus::Completed);
    long.close_time = Some(t("2026-12-07T10:12:00Z"));
    let audit = judge(
        &audited,
        &Facts {
            schedule: Some(schedule("2026-12-07T09:00:00Z")),
            executions: vec![long, run("x", "2026-12-07T10:15:00Z", RunStatus::Completed)],
        },
        &window("2026-12-07T10:00:00Z", "2026-12-07T10:15:00Z"),
    );
    use FireStatus::*;
    assert_eq!(
        statuses(&audit),
        [
            s("10:00", Ok),
            s("10:05", Skipped),
            s("10:10", Skipped),
            s("10:15", Ok)
        ]
    );
    assert!(
        audit.fires[1]
            .reason
            .as_deref()
            .unwrap()
            .contains("still running")
    );
}

#[test]
fn manual_triggers_are_extra_not_errors() {
    let audited = cron("0 * * * *", "UTC");
    let mut history = schedule("2026-12-07T09:00:00Z");
    let manual = run("x", "2026-12-07T10:17:23Z", RunStatus::Completed);
    history.recent_actions = vec![RecentAction {
        schedule_time: t("2026-12-07T10:31:00Z"),
        workflow_id: "activity-x-2026-12-07T10:31:00Z".into(),
        run_id: "r2".into(),
        status: RunStatus::Running,
    }];
    let audit = judge(
        &audited,
        &Facts {
            schedule: Some(history),
            executions: vec![
                run("x", "2026-12-07T10:00:00Z", RunStatus::Completed),
                manual,
            ],
        },
        &window("2026-12-07T09:30:00Z", "2026-12-07T10:45:00Z"),
    );
    assert_eq!(statuses(&audit), [s("10:00", FireStatus::Ok)]);
    let extra: Vec<_> = audit.extra.iter().map(|e| e.scheduled_for).collect();
    assert_eq!(
        extra,
        [t("2026-12-07T10:17:23Z"), t("2026-12-07T10:31:00Z")]
    );
    assert_eq!(audit.counts.extra, 2);
    let report = AuditReport::new(
        "default",
        "default",
        window("2026-12-07T09:30:00Z", "2026-12-07T10:45:00Z"),
        vec![audit],
        vec![],
    );
    assert_eq!(report.exit(), Exit::Success);
}

#[test]
fn an_open_jitter_window_is_not_judged_yet() {
    let audited = Audited::from_row(&row(
        "cron",
        json!({"cron": "*/10 * * * *", "timezone": "UTC", "jitter_seconds": 300}),
        true,
    ))
    .unwrap()
    .unwrap();
    let facts = Facts {
        schedule: Some(schedule("2026-12-07T09:00:00Z")),
        executions: vec![],
    };
    // 10:10 may start as late as 10:15: at 10:12 it is not missed yet; 10:00 is.
    let audit = judge(
        &audited,
        &facts,
        &window("2026-12-07T10:00:00Z", "2026-12-07T10:12:00Z"),
    );
    assert_eq!(statuses(&audit), [s("10:00", FireStatus::Missed)]);
    // Once started, it is judged.
    let facts = Facts {
        executions: vec![run("x", "2026-12-07T10:10:00Z", RunStatus::Running)],
        ..facts
    };
    let audit = judge(
        &audited,
        &facts,
        &window("2026-12-07T10:00:00Z", "2026-12-07T10:12:00Z"),
    );
    assert_eq!(
        statuses(&audit),
        [
            s("10:00", FireStatus::Missed),
            s("10:10", FireStatus::Running)
        ]
    );
}

#[test]
fn daylight_saving_time_is_expected_as_temporal_fires() {
    // Berlin, 2027-03-28: 02:30 does not exist, so that day has no fire.
    let audited = cron("30 2 * * *", "Europe/Berlin");
    let audit = judge(
        &audited,
        &Facts::default(),
        &window("2027-03-26T00:00:00Z", "2027-03-30T00:00:00Z"),
    );
    let days: Vec<_> = audit
        .fires
        .iter()
        .map(|f| f.expected.format("%d %H:%M").to_string())
        .collect();
    assert_eq!(days, ["26 01:30", "27 01:30", "29 00:30"]);
}

#[test]
fn only_enabled_cron_and_once_rows_are_audited() {
    let config = json!({"cron": "0 * * * *", "timezone": "UTC"});
    assert!(
        Audited::from_row(&row("cron", config.clone(), false))
            .unwrap()
            .is_none()
    );
    let mut retired = row("cron", config.clone(), true);
    retired.retired = true;
    assert!(Audited::from_row(&retired).unwrap().is_none());
    assert!(
        Audited::from_row(&row("event", json!({"event_type": "x"}), true))
            .unwrap()
            .is_none()
    );
    let broken = Audited::from_row(&row("cron", json!({"cron": "61 * * * *"}), true));
    assert!(broken.unwrap_err().contains("`61 * * * *`"));
    let zone = Audited::from_row(&row(
        "cron",
        json!({"cron": "0 * * * *", "timezone": "Mars/Olympus"}),
        true,
    ));
    assert!(zone.unwrap_err().contains("Mars/Olympus"));
    let audited = Audited::from_row(&row("cron", config, true))
        .unwrap()
        .unwrap();
    assert_eq!(
        audited.schedule_id,
        format!("activity-schedule-{}", Uuid::from_u128(7))
    );
    assert_eq!(audited.trigger(), "0 * * * * UTC");
}

#[test]
fn exit_codes() {
    let w = window("2026-12-07T09:00:00Z", "2026-12-07T10:00:00Z");
    let audited = cron("0 * * * *", "UTC");
    let ok = judge(
        &audited,
        &Facts {
            schedule: Some(schedule("2026-12-01T00:00:00Z")),
            executions: vec![
                run("x", "2026-12-07T09:00:00Z", RunStatus::Completed),
                run("x", "2026-12-07T10:00:00Z", RunStatus::Running),
            ],
        },
        &w,
    );
    let report = AuditReport::new("s", "default", w, vec![ok.clone()], vec![]);
    assert_eq!(
        (report.exit(), report.outcome()),
        (Exit::Success, "success")
    );
    let error = RunError::new("temporal", "down");
    let report = AuditReport::new("s", "default", w, vec![ok.clone()], vec![error.clone()]);
    assert_eq!(
        (report.exit(), report.outcome()),
        (Exit::Failure, "failure")
    );
    let failed = judge(
        &audited,
        &Facts {
            schedule: Some(schedule("2026-12-01T00:00:00Z")),
            executions: vec![run("x", "2026-12-07T09:00:00Z", RunStatus::Terminated)],
        },
        &w,
    );
    let report = AuditReport::new("s", "default", w, vec![ok, failed], vec![error]);
    assert_eq!(report.exit(), Exit::FiresMissed);
    assert_eq!(report.exit().code(), 5);
    assert_eq!(
        (
            report.counts.ok,
            report.counts.running,
            report.counts.failed,
            report.counts.missed
        ),
        (1, 1, 1, 1)
    );
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["mode"], "audit");
    assert_eq!(json["schedules"][1]["fires"][0]["status"], "failed");
    assert_eq!(
        json["schedules"][1]["fires"][0]["workflow_status"],
        "terminated"
    );
    assert_eq!(json["schedules"][1]["fires"][1]["status"], "missed");
}
