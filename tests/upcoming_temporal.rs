//! `upcoming` against a real Temporal dev server: the fixtures (plus a `once` two hours from
//! now) are applied, and for every schedule the apply created and left running, the fires
//! `upcoming` lists are, fire for fire, the `futureActionTimes` Temporal computes (a jittered
//! fire: Temporal's time lies in the window `upcoming` shows).

mod common;

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, SubsecRound, Utc};
use common::temporal::DevServer;
use serde_json::Value;

/// A fire as `upcoming` lists it: the nominal instant, and the end of its jitter window.
type Listed = (DateTime<Utc>, Option<DateTime<Utc>>);

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

#[test]
fn upcoming_agrees_with_temporal_future_action_times() {
    let server = DevServer::start(true);
    let dir = tempfile::tempdir().unwrap();
    let defs = dir.path().join("defs");
    std::fs::create_dir_all(&defs).unwrap();
    common::copy_tree(&common::fixtures("upcoming"), &defs);
    let soon = (Utc::now() + Duration::hours(2)).trunc_subsecs(0);
    std::fs::write(
        defs.join("soon-once.md"),
        format!(
            "---\nkey: upcoming.soon-once\nname: Soon\ntrigger:\n  type: once\n  at: \"{}\"\n---\n",
            soon.to_rfc3339()
        ),
    )
    .unwrap();
    std::fs::write(
        defs.join("kolkata-ten-minutes.md"),
        "---\nkey: upcoming.kolkata\nname: Kolkata\ntrigger:\n  type: cron\n  cron: \"*/10 9-17 * * *\"\n  timezone: Asia/Kolkata\n---\n",
    )
    .unwrap();
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

    let (code, applied) = run(&["apply"]);
    assert_eq!(code, 0, "{applied}");
    let (code, upcoming) = run(&["upcoming", "--within", "30d"]);
    assert_eq!(code, 0, "{upcoming}");

    // Ours, per schedule: (nominal, end of the jitter window).
    let mut ours: BTreeMap<String, Vec<Listed>> = BTreeMap::new();
    for fire in upcoming["fires"].as_array().unwrap() {
        ours.entry(fire["schedule_id"].as_str().unwrap().to_string())
            .or_default()
            .push((
                at(fire["utc"].as_str().unwrap()),
                fire["jitter_until"].as_str().map(at),
            ));
    }

    let created: Vec<String> = applied["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["resource"] == "schedule" && c["action"] == "create")
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect();
    let mut compared = 0;
    let mut failures = Vec::new();
    for id in &created {
        let described = server.describe(id).expect("created schedules exist");
        if described["schedule"]["state"]["paused"] == true {
            assert!(!ours.contains_key(id), "{id} is paused but listed");
            continue;
        }
        let theirs: Vec<DateTime<Utc>> = described["info"]["futureActionTimes"]
            .as_array()
            .map(|a| a.iter().map(|t| at(t.as_str().unwrap())).collect())
            .unwrap_or_default();
        let mine = ours.get(id).cloned().unwrap_or_default();
        assert!(!theirs.is_empty(), "{id}: Temporal has no future action");
        // One of ours may have fired between `upcoming` and the describe.
        let agrees = (0..=1).any(|skip| {
            mine.len() >= theirs.len() + skip
                && mine[skip..skip + theirs.len()].iter().zip(&theirs).all(
                    |((nominal, until), t)| match until {
                        None => t == nominal,
                        Some(until) => nominal <= t && t < until,
                    },
                )
        });
        if !agrees {
            failures.push(format!(
                "{id}: upcoming {:?}\n  Temporal {theirs:?}",
                &mine[..mine.len().min(theirs.len() + 1)]
            ));
        }
        compared += 1;
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // Five crons and the soon `once` (the disabled one is paused, the past `once` not created).
    assert_eq!(compared, 6, "{created:?}");
    for id in ours.keys() {
        assert!(created.contains(id), "{id} listed but not applied");
    }
}
