//! Snapshot tests of the rendered plan (text, JSON, Markdown) over the fixtures.
//! Review changes with `cargo insta review` (or INSTA_UPDATE=always, then read the diff).

use activity_sync::gather::Desired;
use activity_sync::plan::{Actual, DefinitionRow, EventTypeRow, PlanOptions, Stages, plan};
use activity_sync::render::{self, Format};
use activity_sync::report::{Mode, Outcome, Report};
use activity_sync::schedule::desired::WorkflowTarget;
use activity_sync::source::SourceSpec;

/// The fixtures as a source. They lie in this repository's work tree, so the source carries
/// the revision of whatever commit is checked out: left out, the snapshots are of plans.
fn desired() -> Desired {
    let spec: SourceSpec = "fixtures/valid".parse().unwrap();
    let mut desired = Desired::gather(&[spec]);
    for source in &mut desired.sources {
        source.revision = None;
    }
    desired
}

fn options() -> PlanOptions {
    PlanOptions {
        scope: "custodian".into(),
        stages: Stages {
            definitions: true,
            event_types: true,
            schedules: false,
        },
        allow_empty: false,
        max_delete: None,
        adopt: false,
        unpause_manual: false,
        target: WorkflowTarget::default(),
        foresight: Default::default(),
        schedules_from: Default::default(),
        now: chrono::DateTime::parse_from_rfc3339("2026-03-20T12:00:00Z")
            .unwrap()
            .with_timezone(&chrono::Utc),
    }
}

fn render_all(name: &str, desired: &Desired, actual: &Actual) {
    render_with(name, desired, actual, &options());
}

fn render_with(name: &str, desired: &Desired, actual: &Actual, options: &PlanOptions) {
    let plan = plan(desired, actual, options);
    for (format, ext) in [
        (Format::Text, "txt"),
        (Format::Json, "json"),
        (Format::Markdown, "md"),
    ] {
        let report = Report {
            mode: Mode::Plan,
            outcome: Report::decide(&plan, &[], false),
            plan: plan.clone(),
            database: "sqlite://activity-sync.db".into(),
            run_errors: Vec::new(),
            applied: None,
            calls: None,
            started_at: options.now,
            detailed_exitcode: false,
            fail_on_lock: false,
            base: None,
        };
        assert_eq!(report.outcome, Outcome::Success);
        insta::assert_snapshot!(format!("{name}.{ext}"), render::report(&report, format));
    }
}

/// The rows a clean apply of the fixtures leaves.
fn applied(desired: &Desired) -> Actual {
    let mut actual = Actual::default();
    for d in desired.catalog.activities.values() {
        actual
            .definitions
            .insert(d.id, DefinitionRow::desired(d, "custodian"));
    }
    for e in desired.catalog.event_types.values() {
        actual
            .event_types
            .insert(e.name.clone(), EventTypeRow::desired(e, "custodian"));
    }
    actual
}

#[test]
fn first_plan_against_an_empty_database() {
    let desired = desired();
    render_all("empty", &desired, &Actual::default());
}

#[test]
fn plan_with_updates_retirements_and_unretirements() {
    let desired = desired();
    let mut actual = applied(&desired);
    let by_key = |actual: &mut Actual, key: &str| -> uuid::Uuid {
        actual
            .definitions
            .values()
            .find(|r| r.key == key)
            .unwrap()
            .id
    };
    // The hourly report was still enabled in the database: now disabled in its file.
    let hourly = by_key(&mut actual, "the-custodian.report-hourly");
    let desired_hourly = desired.catalog.activities[&hourly].clone();
    let mut was = desired_hourly.clone();
    was.enabled = true;
    std::sync::Arc::make_mut(&mut was.spec)["enabled"] = serde_json::json!(true);
    actual
        .definitions
        .insert(hourly, DefinitionRow::desired(&was, "custodian"));
    // The sweep ran every 10 minutes before this change.
    let sweep = by_key(&mut actual, "the-custodian.state-hub-consistency-sweep");
    let mut old = desired.catalog.activities[&sweep].clone();
    std::sync::Arc::make_mut(&mut old.spec)["trigger"]["cron"] = serde_json::json!("*/10 * * * *");
    if let activity_sync::definition::Trigger::Cron(c) = &mut old.trigger {
        c.cron = std::sync::Arc::new(
            activity_sync::definition::CronExpr::parse("*/10 * * * *").unwrap(),
        );
    }
    actual
        .definitions
        .insert(sweep, DefinitionRow::desired(&old, "custodian"));
    // The freeze announcement had been retired; its file is back.
    let freeze = by_key(&mut actual, "platform.release-freeze-announcement");
    let row = actual.definitions.get_mut(&freeze).unwrap();
    row.retired = true;
    row.enabled = false;
    // A definition whose file is gone, and one of another scope that is not ours to touch.
    let mut gone = desired_hourly.clone();
    gone.key = "the-custodian.gone".into();
    gone.id = activity_sync::definition::id_from_key(&gone.key);
    gone.origin.source_path = "fixtures/valid/gone.md".into();
    actual
        .definitions
        .insert(gone.id, DefinitionRow::desired(&gone, "custodian"));
    let mut theirs = gone.clone();
    theirs.key = "team-b.nightly".into();
    theirs.id = activity_sync::definition::id_from_key(&theirs.key);
    actual
        .definitions
        .insert(theirs.id, DefinitionRow::desired(&theirs, "team-b"));
    render_all("changes", &desired, &actual);
}

#[test]
fn plan_without_changes() {
    let desired = desired();
    let actual = applied(&desired);
    render_all("nochange", &desired, &actual);
}

/// The schedule section: creates with next fires (one with a DST warning), a pause, an
/// unpause of a schedule activity-sync paused, a schedule paused by hand (held, with a
/// `manual_pause` warning), an orphan delete, an unmanaged schedule, an event
/// definition's leftover schedule. The clock is fixed; Temporal's state is plain data.
#[test]
fn plan_with_schedules() {
    use activity_sync::definition::{Definition, FileOutcome, SourceFile, id_from_key, parse_file};
    use activity_sync::schedule::actual::ActualSchedule;
    use activity_sync::schedule::desired::desired_schedule;

    let mut desired = desired();
    let FileOutcome::Parsed(nightly) = parse_file(&SourceFile {
        source_path: "fixtures/valid/nightly-backup.md".into(),
        rel_path: "nightly-backup.md".into(),
        text: "---\nkey: platform.nightly-backup\nname: Nightly backup\ntrigger: {type: cron, cron: '30 2 * * *', timezone: Europe/Berlin}\n---\n".into(),
    }) else {
        panic!()
    };
    let Definition::ActivityDefinition(nightly) = *nightly else {
        panic!()
    };
    desired.catalog.activities.insert(nightly.id, nightly);
    let target = WorkflowTarget::default();
    let mut actual = applied(&desired);
    let managed = |key: &str, paused: bool, notes: &str| {
        let d = desired
            .catalog
            .activities
            .values()
            .find(|d| d.key == key)
            .unwrap();
        let s = desired_schedule(d, &target).unwrap();
        ActualSchedule {
            schedule_id: s.schedule_id.clone(),
            memo_scope: Some("custodian".into()),
            memo_definition: Some(d.id),
            attribute_scope: Some("custodian".into()),
            spec_hash: Some(s.spec_hash.clone()),
            paused,
            notes: notes.into(),
            listed: None,
            described: None,
        }
    };
    let ours = "activity-sync: disabled in fixtures/valid/triage-daily.md:5";
    for (key, paused, notes) in [
        ("the-custodian.inbox-triage-daily", true, ours),
        ("the-custodian.report-hourly", false, ""),
        (
            "the-custodian.report-daily",
            true,
            "incident 42: the report sink is down",
        ),
    ] {
        let s = managed(key, paused, notes);
        actual.schedules.insert(s.schedule_id.clone(), s);
    }
    let mut orphan = managed("the-custodian.report-daily", false, "");
    orphan.schedule_id = format!("activity-schedule-{}", id_from_key("the-custodian.gone"));
    orphan.memo_definition = Some(id_from_key("the-custodian.gone"));
    actual.schedules.insert(orphan.schedule_id.clone(), orphan);
    let mut leftover = managed("the-custodian.report-daily", false, "");
    leftover.schedule_id = format!(
        "activity-schedule-{}",
        id_from_key("platform.api-lint-on-push")
    );
    leftover.memo_definition = Some(id_from_key("platform.api-lint-on-push"));
    actual
        .schedules
        .insert(leftover.schedule_id.clone(), leftover);
    let stranger = ActualSchedule {
        schedule_id: format!("activity-schedule-{}", id_from_key("someone.else")),
        ..Default::default()
    };
    actual
        .schedules
        .insert(stranger.schedule_id.clone(), stranger);

    let mut options = options();
    options.stages.schedules = true;
    render_with("schedules", &desired, &actual, &options);
}

/// A description, a body and a cron note holding `U+202E` (right-to-left override), ESC
/// sequences (clear screen, cursor up, colour) and a carriage return: the text and Markdown
/// plans show them escaped, so they cannot rewrite or reorder the lines around them; JSON
/// escapes control characters itself and keeps the text exact.
#[test]
fn control_and_bidi_characters_render_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let file = |description: &str, body: &str| {
        format!(
            "---\nkey: team.evil\nname: Evil report\ndescription: \"{description}\"\n\
             trigger:\n  type: cron\n  cron: \"0 6 * * *\"\n---\n{body}"
        )
    };
    let evil_description = r"Weekly \u202Etroper\u202C summary \u001b[2J\u001b[31mred";
    let evil_body = "Body \u{202E}reversed\u{202C}\nsecond \u{1b}[1A\u{1b}[2Kline\r overwritten\n";
    let write = |description: &str, body: &str| {
        std::fs::write(dir.path().join("evil.md"), file(description, body)).unwrap();
        let spec: SourceSpec = dir.path().display().to_string().parse().unwrap();
        Desired::gather(&[spec])
    };
    // What the database holds: the same definition with a plain description and body.
    let before = write("Weekly report summary", "Body\nsecond line\n");
    let desired = write(evil_description, evil_body);
    assert!(
        desired.catalog.errors.is_empty(),
        "{:?}",
        desired.catalog.errors
    );
    let actual = applied(&before);
    let plan = plan(&desired, &actual, &options());
    let report = Report {
        mode: Mode::Plan,
        outcome: Report::decide(&plan, &[], false),
        plan,
        database: "sqlite://activity-sync.db".into(),
        run_errors: Vec::new(),
        applied: None,
        calls: None,
        started_at: options().now,
        detailed_exitcode: false,
        fail_on_lock: false,
        base: None,
    };
    for format in [Format::Text, Format::Markdown] {
        let out = render::report(&report, format);
        for raw in ['\u{202E}', '\u{202C}', '\u{1b}', '\r'] {
            assert!(
                !out.contains(raw),
                "{format}: raw U+{:04X} in\n{out}",
                raw as u32
            );
        }
        // The changes are still there to read, escaped where they were.
        for shown in [
            r"\u{202e}troper\u{202c} summary",
            r"Body \u{202e}reversed\u{202c}",
            r"second \u{001b}[1A\u{001b}[2Kline\u{000d}",
        ] {
            assert!(out.contains(shown), "{format}: no {shown:?} in\n{out}");
        }
    }
    let json: serde_json::Value =
        serde_json::from_str(&render::report(&report, Format::Json)).unwrap();
    let diff = json["changes"][0]["diff"].as_str().unwrap();
    assert!(diff.contains("second \u{1b}[1A"), "{diff}");
}
