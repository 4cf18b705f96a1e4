//! The cron corpus (`fixtures/cron-corpus.tsv`) against a real Temporal dev server: for every
//! expression, the calendar activity-sync writes (through its own `apply`), the next fires the
//! plan prints and the `future_action_times` Temporal computes for the schedule all agree; the
//! calendar Temporal returns on describe is the one we wrote; and a second run sees no drift.

mod common;

use std::collections::BTreeMap;

use activity_sync::definition::{CronExpr, id_from_key};
use activity_sync::schedule::calendar::{Range, from_cron};
use chrono::{DateTime, Utc};
use common::temporal::DevServer;
use serde_json::Value;

/// Corpus expressions, and a few in zones (without DST transitions near their fires, so the
/// comparison does not depend on the date the test runs).
fn corpus() -> Vec<(String, &'static str)> {
    let text = std::fs::read_to_string(common::fixtures("cron-corpus.tsv")).unwrap();
    let mut all: Vec<(String, &str)> = text
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| (l.split_once('\t').unwrap().0.to_string(), "UTC"))
        .collect();
    all.extend([
        ("20 7 * * 1-5".to_string(), "Asia/Kolkata"),
        ("0 9 * * FRI-SUN".to_string(), "America/Sao_Paulo"),
        ("45 23 * * 7".to_string(), "Asia/Tokyo"),
    ]);
    all
}

fn key(i: usize) -> String {
    format!("corpus.c{i:02}")
}

/// A described range with proto3's left-out zeros read back.
fn range(v: &Value) -> Range {
    let int = |k: &str| v[k].as_i64().unwrap_or(0) as i32;
    let start = int("start");
    Range::new(start, int("end").max(start), int("step").max(1))
}

fn ranges(calendar: &Value, field: &str) -> Vec<Range> {
    calendar[field]
        .as_array()
        .map(|a| a.iter().map(range).collect())
        .unwrap_or_default()
}

fn times(values: &Value) -> Vec<DateTime<Utc>> {
    values
        .as_array()
        .unwrap_or(&Vec::new())
        .iter()
        .map(|t| {
            DateTime::parse_from_rfc3339(t.as_str().unwrap())
                .unwrap()
                .with_timezone(&Utc)
        })
        .collect()
}

/// `theirs` is `ours` from its start, or from its second fire (one fire passed between the
/// moment `ours` was computed and the moment Temporal answered).
fn aligned(ours: &[DateTime<Utc>], theirs: &[DateTime<Utc>]) -> bool {
    !theirs.is_empty()
        && (0..=1).any(|skip| {
            ours.len() >= theirs.len() + skip && ours[skip..skip + theirs.len()] == *theirs
        })
}

#[test]
fn calendars_fires_and_temporal_agree_on_the_corpus() {
    let server = DevServer::start(true);
    let dir = tempfile::tempdir().unwrap();
    let defs = dir.path().join("defs");
    std::fs::create_dir_all(&defs).unwrap();
    let corpus = corpus();
    for (i, (cron, zone)) in corpus.iter().enumerate() {
        std::fs::write(
            defs.join(format!("c{i:02}.md")),
            format!(
                "---\nkey: {}\nname: Corpus {i}\ntrigger:\n  type: cron\n  cron: \"{cron}\"\n  timezone: {zone}\n---\n",
                key(i)
            ),
        )
        .unwrap();
    }
    let run = |args: &[&str]| -> (i32, Value) {
        let out = common::bin()
            .args(args)
            .args(["--source", "defs", "--format", "json"])
            .current_dir(dir.path())
            .env(
                "DATABASE_URL",
                format!("sqlite://{}", dir.path().join("a.db").display()),
            )
            .env("TEMPORAL_ADDRESS", &server.address)
            .env_remove("TEMPORAL_NAMESPACE")
            .env_remove("ACTIVITY_SYNC_SCOPE")
            .output()
            .unwrap();
        common::job::parse(out)
    };

    let before = Utc::now();
    let (code, applied) = run(&["apply"]);
    assert_eq!(code, 0, "{applied}");
    assert_eq!(applied["schedules"]["created"], corpus.len(), "{applied}");
    let printed: BTreeMap<String, Vec<DateTime<Utc>>> = applied["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["resource"] == "schedule")
        .map(|c| {
            let utc: Vec<Value> = c["next_fires"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f["utc"].clone())
                .collect();
            (
                c["name"].as_str().unwrap().to_string(),
                times(&Value::Array(utc)),
            )
        })
        .collect();

    let mut failures = Vec::new();
    for (i, (cron, zone)) in corpus.iter().enumerate() {
        let id = format!("activity-schedule-{}", id_from_key(&key(i)));
        let described = server
            .describe(&id)
            .unwrap_or_else(|| panic!("{cron}: no schedule"));
        let expr = CronExpr::parse(cron).unwrap();
        let tz: chrono_tz::Tz = zone.parse().unwrap();

        // What Temporal keeps is what we wrote.
        let want = from_cron(&expr);
        let calendar = &described["schedule"]["spec"]["structuredCalendar"][0];
        let have = [
            ranges(calendar, "minute"),
            ranges(calendar, "hour"),
            ranges(calendar, "dayOfMonth"),
            ranges(calendar, "month"),
            ranges(calendar, "dayOfWeek"),
        ];
        let wrote = [
            want.minute.clone(),
            want.hour.clone(),
            want.day_of_month.clone(),
            want.month.clone(),
            want.day_of_week.clone(),
        ];
        if have != wrote {
            failures.push(format!("{cron}: wrote {wrote:?}, Temporal kept {have:?}"));
        }

        // Temporal's next action times are croner's fires, and start with the plan's three.
        let temporal = times(&described["info"]["futureActionTimes"]);
        let ours: Vec<DateTime<Utc>> = expr
            .next_fires(&tz, before, temporal.len() + 2)
            .iter()
            .map(|t| t.with_timezone(&Utc))
            .collect();
        if !aligned(&ours, &temporal) {
            failures.push(format!(
                "{cron} ({zone}): croner {:?}, Temporal {:?}",
                &ours[..ours.len().min(6)],
                &temporal[..temporal.len().min(6)]
            ));
        }
        let plan = &printed[&key(i)];
        if plan.len() != 3 || temporal.len() < 2 || !aligned(plan, &temporal[..2]) {
            failures.push(format!(
                "{cron} ({zone}): the plan printed {plan:?}, Temporal {:?}",
                &temporal[..temporal.len().min(3)]
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));

    // Nothing drifts: the second run changes nothing.
    let (code, again) = run(&["plan", "--detailed-exitcode", "--refresh", "full"]);
    assert_eq!(code, 0, "{again}");
    assert_eq!(again["schedules"]["unchanged"], corpus.len(), "{again}");
}
