//! Daylight-saving transitions against a real Temporal dev server: for each case (a cron, a
//! zone, and a start time just before one of its offset changes), a schedule is created with
//! that start time and the `futureActionTimes` Temporal computes for it must be, fire for fire,
//! the next fires the plan prints (`schedule::fires::next_fires`). Both hemispheres, gaps and
//! repeated hours, whole-hour, 30-minute (Lord Howe) and 45-minute (Chatham) offsets, and
//! changes at midnight (Santiago, Cairo).

mod common;

use activity_sync::definition::CronExpr;
use activity_sync::schedule::fires::next_fires;
use chrono::{DateTime, Duration, Utc};
use common::temporal::DevServer;

/// (zone, cron, start): what the start is next to is in the comment.
const CASES: &[(&str, &str, &str)] = &[
    // Europe/Berlin: 2027-03-28 02:00 → 03:00, 2027-10-31 03:00 → 02:00.
    ("Europe/Berlin", "30 2 28 3 *", "2027-03-01T00:00:00Z"),
    ("Europe/Berlin", "30 2 31 10 *", "2027-10-01T00:00:00Z"),
    ("Europe/Berlin", "30 2 * * *", "2027-03-26T00:00:00Z"),
    ("Europe/Berlin", "30 2 * * *", "2027-10-29T00:00:00Z"),
    ("Europe/Berlin", "30 * * * *", "2027-10-30T21:00:00Z"),
    ("Europe/Berlin", "0,30 * * * *", "2027-03-27T23:00:00Z"),
    // Europe/London: 2027-10-31 02:00 → 01:00 (offset 0 in winter).
    ("Europe/London", "30 1 * * *", "2027-10-29T00:00:00Z"),
    // America/New_York: 2027-03-14 02:00 → 03:00, 2027-11-07 02:00 → 01:00.
    ("America/New_York", "30 1 7 11 *", "2027-11-01T00:00:00Z"),
    ("America/New_York", "30 2 * * *", "2027-03-12T00:00:00Z"),
    ("America/New_York", "*/30 * * * *", "2027-11-07T03:00:00Z"),
    ("America/New_York", "0 2 * * 0", "2027-03-01T00:00:00Z"),
    // Australia/Sydney (south): 2027-04-04 03:00 → 02:00, 2027-10-03 02:00 → 03:00.
    ("Australia/Sydney", "30 2 * * *", "2027-04-02T00:00:00Z"),
    ("Australia/Sydney", "30 2 * * *", "2027-10-01T00:00:00Z"),
    ("Australia/Sydney", "30 * * * *", "2027-04-03T13:00:00Z"),
    // America/Santiago (south, at midnight): 2027-04-04 00:00 → 2027-04-03 23:00,
    // 2027-09-05 00:00 → 01:00 (a Sunday whose midnight does not exist).
    ("America/Santiago", "0 12 * * 0", "2027-09-03T00:00:00Z"),
    ("America/Santiago", "0 0 * * *", "2027-09-03T00:00:00Z"),
    ("America/Santiago", "30 23 * * *", "2027-04-01T00:00:00Z"),
    // Africa/Cairo (at midnight): 2027-04-30 00:00 → 01:00, 2027-10-28 24:00 → 23:00.
    ("Africa/Cairo", "0 0 * * *", "2027-04-27T00:00:00Z"),
    ("Africa/Cairo", "30 23 * * *", "2027-10-26T00:00:00Z"),
    // Pacific/Chatham (+12:45/+13:45): 2027-04-04 03:45 → 02:45, 2027-09-26 02:45 → 03:45.
    ("Pacific/Chatham", "0 3 * * *", "2027-04-01T00:00:00Z"),
    ("Pacific/Chatham", "0 3 * * *", "2027-09-23T00:00:00Z"),
    ("Pacific/Chatham", "*/15 * * * *", "2027-04-03T13:00:00Z"),
    // Australia/Lord_Howe (30-minute DST): 2027-04-04 02:00 → 01:30, 2027-10-03 02:00 → 02:30.
    ("Australia/Lord_Howe", "15 2 * * *", "2027-10-01T00:00:00Z"),
    ("Australia/Lord_Howe", "45 1 * * *", "2027-04-01T00:00:00Z"),
    (
        "Australia/Lord_Howe",
        "*/15 * * * *",
        "2027-04-03T14:00:00Z",
    ),
    (
        "Australia/Lord_Howe",
        "*/15 * * * *",
        "2027-10-02T15:00:00Z",
    ),
    // Asia/Tehran (+03:30, no DST since 2022): a control.
    ("Asia/Tehran", "30 2 21 3 *", "2027-03-01T00:00:00Z"),
];

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

#[test]
fn next_fires_are_temporals_future_action_times_across_dst_transitions() {
    let server = DevServer::start(false);
    let mut failures = Vec::new();
    for (i, (zone, cron, start)) in CASES.iter().enumerate() {
        let id = format!("dst-{i:02}");
        let out = server.cli(&[
            "schedule",
            "create",
            "--schedule-id",
            &id,
            "--cron",
            cron,
            "--time-zone",
            zone,
            "--start-time",
            start,
            "--type",
            "RunActivityWorkflow",
            "--task-queue",
            "dst-corpus",
        ]);
        assert!(
            out.status.success(),
            "{cron} {zone}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let described = server.describe(&id).expect("the schedule exists");
        let temporal: Vec<DateTime<Utc>> = described["info"]["futureActionTimes"]
            .as_array()
            .unwrap_or_else(|| panic!("{cron} {zone}: no future action times: {described}"))
            .iter()
            .map(|t| at(t.as_str().unwrap()))
            // Beyond a year from the start the two zone databases may differ; not the point.
            .filter(|t| *t < at(start) + Duration::days(400))
            .collect();
        assert!(!temporal.is_empty(), "{cron} {zone}: nothing within a year");
        let expr = CronExpr::parse(cron).unwrap();
        let ours: Vec<DateTime<Utc>> = next_fires(
            &expr,
            zone.parse().unwrap(),
            at(start) - Duration::seconds(1),
            temporal.len(),
        )
        .iter()
        .map(|f| f.utc)
        .collect();
        if ours != temporal {
            failures.push(format!(
                "{cron} in {zone} from {start}:\n  ours     {ours:?}\n  Temporal {temporal:?}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
