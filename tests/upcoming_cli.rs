//! `upcoming` through the real binary, offline: snapshots of the three formats over
//! `fixtures/upcoming` from a pinned instant (across the autumn DST changes of Berlin and New
//! York), the exit codes, and the cap on fires per definition.

mod common;

use common::run;

const NOW: &str = "2026-10-24T12:00:00Z";

fn upcoming(format: &str) -> (i32, String, String) {
    run(&[
        "upcoming",
        "--source",
        "fixtures/upcoming",
        "--within",
        "8d",
        "--now",
        NOW,
        "--format",
        format,
    ])
}

#[test]
fn snapshots_of_the_three_formats() {
    for (format, ext) in [("text", "txt"), ("json", "json"), ("markdown", "md")] {
        let (code, stdout, stderr) = upcoming(format);
        assert_eq!(code, 0, "{stdout}\n{stderr}");
        insta::assert_snapshot!(format!("upcoming.{ext}"), stdout);
    }
}

#[test]
fn json_is_the_contract_of_spec_9() {
    let (_, stdout, _) = upcoming("json");
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["from"], "2026-10-24T12:00:00Z");
    assert_eq!(report["to"], "2026-11-01T12:00:00Z");
    let fires = report["fires"].as_array().unwrap();
    // In time order.
    let times: Vec<&str> = fires.iter().map(|f| f["utc"].as_str().unwrap()).collect();
    let mut sorted = times.clone();
    sorted.sort();
    assert_eq!(times, sorted);
    // Disabled, past and invalid definitions are not listed.
    for key in [
        "upcoming.disabled-poll",
        "upcoming.launch-past",
        "upcoming.broken-cron",
    ] {
        assert!(fires.iter().all(|f| f["key"] != key), "{key} listed");
    }
    // New York's repeated 01:30 fires twice; Berlin's repeated 02:30 once, the second.
    let at = |key: &str, local_day: &str| -> Vec<String> {
        fires
            .iter()
            .filter(|f| f["key"] == key && f["local"].as_str().unwrap().starts_with(local_day))
            .map(|f| f["utc"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        at("upcoming.new-york-night", "2026-11-01"),
        ["2026-11-01T05:30:00Z", "2026-11-01T06:30:00Z"]
    );
    assert_eq!(
        at("upcoming.berlin-nightly", "2026-10-25"),
        ["2026-10-25T01:30:00Z"]
    );
    let first = fires
        .iter()
        .find(|f| f["key"] == "upcoming.berlin-nightly")
        .unwrap();
    assert_eq!(
        first["schedule_id"],
        format!("activity-schedule-{}", first["id"].as_str().unwrap())
    );
    assert_eq!(first["misfire_policy"], "skip");
    assert!(first.get("jitter_until").is_none());
    // A jittered fire carries its window, never past the following fire.
    let sydney = fires
        .iter()
        .find(|f| f["key"] == "upcoming.sydney-weekdays")
        .unwrap();
    assert_eq!(sydney["utc"], "2026-10-25T22:00:00Z");
    assert_eq!(sydney["jitter_until"], "2026-10-25T22:10:00Z");
    // The invalid file is reported like `validate` reports it.
    let errors = report["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0]["source_path"], "fixtures/upcoming/broken-cron.md");
    assert_eq!(errors[0]["line"], 6);
}

#[test]
fn invalid_files_exit_4_only_with_strict_and_a_failed_source_exits_1() {
    let (code, stdout, _) = run(&[
        "upcoming",
        "--source",
        "fixtures/upcoming",
        "--now",
        NOW,
        "--strict",
    ]);
    assert_eq!(code, 4, "{stdout}");
    assert!(
        stdout.starts_with(
            "fixtures/upcoming/broken-cron.md:6:9: cron expression `0 9 * *` has 4 fields"
        ),
        "{stdout}"
    );
    let (code, _, _) = run(&[
        "upcoming",
        "--source",
        "fixtures/valid",
        "--now",
        NOW,
        "--strict",
    ]);
    assert_eq!(code, 0);
    let (code, stdout, _) = run(&["upcoming", "--source", "fixtures/no-such-dir"]);
    assert_eq!(code, 1, "{stdout}");
}

#[test]
fn the_window_is_at_most_a_year() {
    let (code, _, stderr) = run(&[
        "upcoming",
        "--source",
        "fixtures/upcoming",
        "--within",
        "367d",
    ]);
    assert_eq!(code, 1);
    assert!(stderr.contains("`--within` is at most 366d"), "{stderr}");
    let (code, _, _) = run(&[
        "upcoming",
        "--source",
        "fixtures/upcoming",
        "--within",
        "366d",
    ]);
    assert_eq!(code, 0);
}

#[test]
fn the_pinned_now_is_not_in_help() {
    let (_, stdout, _) = run(&["upcoming", "--help"]);
    assert!(stdout.contains("--within"), "{stdout}");
    assert!(!stdout.contains("--now"), "{stdout}");
}

#[test]
fn an_every_minute_cron_is_capped_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("every-minute.md"),
        "---\nkey: cap.every-minute\nname: Every minute\ntrigger:\n  type: cron\n  cron: \"* * * * *\"\n---\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("daily.md"),
        "---\nkey: cap.daily\nname: Daily\ntrigger:\n  type: cron\n  cron: \"0 6 * * *\"\n---\n",
    )
    .unwrap();
    let source = dir.path().display().to_string();
    let args = [
        "upcoming", "--source", &source, "--within", "30d", "--now", NOW,
    ];
    let (code, stdout, _) = run(&[&args[..], &["--format", "json"]].concat());
    assert_eq!(code, 0);
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let fires = report["fires"].as_array().unwrap();
    let count = |key: &str| fires.iter().filter(|f| f["key"] == key).count();
    assert_eq!(count("cap.every-minute"), 1000);
    // The cap of one definition hides nothing of another.
    assert_eq!(count("cap.daily"), 30);
    assert_eq!(report["limit_per_definition"], 1000);
    let truncated = report["truncated"].as_array().unwrap();
    assert_eq!(truncated.len(), 1);
    assert_eq!(truncated[0]["key"], "cap.every-minute");
    assert_eq!(truncated[0]["last"], "2026-10-25T04:40:00Z");
    let (_, text, _) = run(&args);
    assert!(
        text.contains("note: cap.every-minute fires more than 1000 times in the window: only its first 1000 are listed (to 2026-10-25 04:40 UTC)"),
        "{text}"
    );
}
