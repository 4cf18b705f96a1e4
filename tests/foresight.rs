//! Foresight in the rendered plan (SPEC §9): fires per day before and after on each changed
//! cron schedule and for the scope, the `cadence` warning, and the `herd` warning over the
//! scope's enabled schedules. Plans are built from plain data with a fixed clock.
//! Review snapshot changes with `cargo insta review`.

use activity_sync::definition::{
    ActivityDefinition, Definition, FileOutcome, SourceFile, parse_file,
};
use activity_sync::gather::Desired;
use activity_sync::plan::{Actual, DefinitionRow, Plan, PlanOptions, Stages, WarningKind, plan};
use activity_sync::render::{self, Format};
use activity_sync::report::{Mode, Report};
use activity_sync::schedule::actual::{ActualSchedule, ListedSpec};
use activity_sync::schedule::calendar::from_cron;
use activity_sync::schedule::desired::{WorkflowTarget, desired_schedule};

fn now() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339("2026-03-20T12:00:00Z")
        .unwrap()
        .with_timezone(&chrono::Utc)
}

fn options() -> PlanOptions {
    PlanOptions {
        scope: "custodian".into(),
        stages: Stages {
            definitions: true,
            event_types: false,
            schedules: true,
        },
        allow_empty: false,
        max_delete: Some(1000),
        adopt: false,
        unpause_manual: false,
        target: WorkflowTarget::default(),
        foresight: Default::default(),
        schedules_from: Default::default(),
        now: now(),
    }
}

/// A definition of `key` with the trigger in YAML flow form.
fn definition(key: &str, trigger: &str, enabled: bool) -> ActivityDefinition {
    let text =
        format!("---\nkey: {key}\nname: {key}\nenabled: {enabled}\ntrigger: {trigger}\n---\n");
    let FileOutcome::Parsed(parsed) = parse_file(&SourceFile {
        source_path: format!("defs/{key}.md"),
        rel_path: format!("{key}.md"),
        text,
    }) else {
        panic!("{key} does not parse")
    };
    let Definition::ActivityDefinition(d) = *parsed else {
        panic!()
    };
    d
}

fn desired(definitions: &[ActivityDefinition]) -> Desired {
    let mut desired = Desired::gather(&[]);
    for d in definitions {
        desired.catalog.activities.insert(d.id, d.clone());
    }
    desired
}

/// The schedule of `d` as Temporal lists it today, firing `cron` in `timezone`.
fn listed(d: &ActivityDefinition, cron: &str, timezone: &str, paused: bool) -> ActualSchedule {
    let want = desired_schedule(d, &WorkflowTarget::default()).unwrap();
    let expr = activity_sync::definition::CronExpr::parse(cron).unwrap();
    ActualSchedule {
        schedule_id: want.schedule_id.clone(),
        memo_scope: Some("custodian".into()),
        memo_definition: Some(d.id),
        attribute_scope: Some("custodian".into()),
        // What activity-sync wrote: the desired hash when Temporal fires what is wanted.
        spec_hash: Some(
            if want.shape.calendars == [from_cron(&expr)] && want.shape.timezone == timezone {
                want.spec_hash
            } else {
                "an older spec".into()
            },
        ),
        paused,
        notes: if paused {
            "activity-sync: disabled".into()
        } else {
            String::new()
        },
        listed: Some(ListedSpec {
            calendars: vec![from_cron(&expr)],
            timezone: timezone.into(),
            jitter_seconds: 0,
            workflow_type: None,
        }),
        described: None,
    }
}

fn report(plan: &Plan) -> Report {
    Report {
        mode: Mode::Plan,
        outcome: Report::decide(plan, &[], false),
        plan: plan.clone(),
        database: "sqlite://activity-sync.db".into(),
        run_errors: Vec::new(),
        applied: None,
        calls: None,
        started_at: now(),
        detailed_exitcode: false,
        fail_on_lock: false,
        base: None,
    }
}

fn rate(plan: &Plan, d: &ActivityDefinition) -> (f64, f64) {
    let change = &plan.schedules[&format!("activity-schedule-{}", d.id)];
    let r = change
        .fires_per_day
        .unwrap_or_else(|| panic!("no rate on {change:#?}"));
    (r.before, r.after)
}

/// Hourly → daily (24 → 1, `cadence`), a weekday cron (5/7), a cron in a DST zone across
/// its changes of offset, a pause (→ 0), a monthly cron (12/364), an orphan deleted, an
/// unchanged schedule that counts in the totals only.
#[test]
fn fire_rates_and_totals_render_in_every_format() {
    let hourly_to_daily = definition(
        "team.report",
        "{type: cron, cron: '0 6 * * *', timezone: UTC}",
        true,
    );
    let weekdays = definition(
        "team.standup",
        "{type: cron, cron: '0 9 * * 1-5', timezone: Europe/Berlin}",
        true,
    );
    let dst = definition(
        "team.backup",
        "{type: cron, cron: '30 2 * * *', timezone: Europe/Berlin}",
        true,
    );
    let paused = definition(
        "team.sweep",
        "{type: cron, cron: '0 */2 * * *', timezone: UTC}",
        false,
    );
    let monthly = definition(
        "team.invoice",
        "{type: cron, cron: '0 0 1 * *', timezone: America/New_York}",
        true,
    );
    let steady = definition(
        "team.poll",
        "{type: cron, cron: '*/30 * * * *', timezone: UTC}",
        true,
    );
    let gone = definition(
        "team.gone",
        "{type: cron, cron: '15 * * * *', timezone: UTC}",
        true,
    );
    let all = [
        hourly_to_daily.clone(),
        weekdays.clone(),
        dst.clone(),
        paused.clone(),
        monthly.clone(),
        steady.clone(),
    ];
    let desired = desired(&all);
    let mut actual = Actual::default();
    for d in all.iter().chain([&gone]) {
        actual
            .definitions
            .insert(d.id, DefinitionRow::desired(d, "custodian"));
    }
    for s in [
        listed(&hourly_to_daily, "0 * * * *", "UTC", false),
        listed(&paused, "0 */2 * * *", "UTC", false),
        listed(&steady, "*/30 * * * *", "UTC", false),
        listed(&gone, "15 * * * *", "UTC", false),
    ] {
        actual.schedules.insert(s.schedule_id.clone(), s);
    }
    let steady_id = format!("activity-schedule-{}", steady.id);
    // The gone definition's row is retired already: its schedule is an orphan.
    actual.definitions.get_mut(&gone.id).unwrap().retired = true;

    let plan = plan(&desired, &actual, &options());
    assert_eq!(rate(&plan, &hourly_to_daily), (24.0, 1.0));
    assert_eq!(rate(&plan, &weekdays), (0.0, 5.0 / 7.0));
    assert_eq!(rate(&plan, &dst), (0.0, 363.0 / 364.0));
    assert_eq!(rate(&plan, &paused), (12.0, 0.0));
    assert_eq!(rate(&plan, &monthly), (0.0, 12.0 / 364.0));
    assert_eq!(rate(&plan, &gone), (24.0, 0.0));
    assert!(plan.schedules[&steady_id].fires_per_day.is_none());
    let totals = plan.fires_per_day.unwrap();
    assert_eq!(totals.before, 24.0 + 12.0 + 48.0 + 24.0);
    let after = 1.0 + 5.0 / 7.0 + 363.0 / 364.0 + 12.0 / 364.0 + 48.0;
    assert!((totals.after - after).abs() < 1e-9, "{totals:?}");
    let cadence: Vec<_> = plan
        .warnings
        .iter()
        .filter(|w| w.kind == WarningKind::Cadence)
        .collect();
    assert_eq!(cadence.len(), 1, "{:?}", plan.warnings);
    assert_eq!(
        cadence[0].id.as_deref(),
        Some(format!("activity-schedule-{}", hourly_to_daily.id).as_str())
    );

    let report = report(&plan);
    for (format, ext) in [
        (Format::Text, "txt"),
        (Format::Json, "json"),
        (Format::Markdown, "md"),
    ] {
        insta::assert_snapshot!(format!("fire_rates.{ext}"), render::report(&report, format));
    }
}

/// `count` definitions with the same trigger (parsed once: the parser checks a jitter
/// against a year of the cron's fires).
fn many(count: usize, trigger: &str) -> Desired {
    let first = definition("team.hourly-000", trigger, true);
    let all: Vec<_> = (0..count)
        .map(|i| {
            let mut d = first.clone();
            d.key = format!("team.hourly-{i:03}");
            d.id = activity_sync::definition::id_from_key(&d.key);
            d.origin.source_path = format!("defs/{}.md", d.key);
            d
        })
        .collect();
    desired(&all)
}

/// 200 definitions at `0 * * * *` start together every hour: a `herd` warning with the
/// time, the count, the cron, the start delay, the dropped fires of `skip`, and a jitter.
#[test]
fn two_hundred_hourly_definitions_are_a_herd() {
    let desired = many(200, "{type: cron, cron: '0 * * * *', misfire_policy: skip}");
    let plan = plan(&desired, &Actual::default(), &options());
    let herds: Vec<_> = plan
        .warnings
        .iter()
        .filter(|w| w.kind == WarningKind::Herd)
        .collect();
    assert_eq!(herds.len(), 1, "{:?}", plan.warnings);
    assert_eq!(herds[0].id, None);
    insta::assert_snapshot!("herd_message", &herds[0].message);
    // At 10 starts a second the last start is 20 s late: past the 10 s window of `skip`.
    let mut slow = options();
    slow.foresight.start_rate = 10;
    let dropped = activity_sync::plan::plan(&desired, &Actual::default(), &slow);
    let message = &dropped
        .warnings
        .iter()
        .find(|w| w.kind == WarningKind::Herd)
        .expect("a herd warning")
        .message;
    insta::assert_snapshot!("herd_message_dropped", message);
    let text = render::report(&report(&plan), Format::Text);
    assert!(
        text.contains("[herd] 200 fires start in the same second"),
        "{text}"
    );
    // Under the threshold, no warning.
    let mut raised = options();
    raised.foresight.herd_threshold = 201;
    let quiet = activity_sync::plan::plan(&desired, &Actual::default(), &raised);
    assert!(quiet.warnings.iter().all(|w| w.kind != WarningKind::Herd));
}

/// The same 200 with `jitter_seconds: 600` spread over ten minutes: one start in three
/// seconds, no herd.
#[test]
fn the_same_with_jitter_are_not_a_herd() {
    let desired = many(
        200,
        "{type: cron, cron: '0 * * * *', misfire_policy: skip, jitter_seconds: 600}",
    );
    let plan = plan(&desired, &Actual::default(), &options());
    assert!(
        plan.warnings.iter().all(|w| w.kind != WarningKind::Herd),
        "{:?}",
        plan.warnings
    );
    // A jitter window too short to spread them is still a herd: 200 over 3 s is 67 a second.
    let short = many(
        200,
        "{type: cron, cron: '0 * * * *', misfire_policy: skip, jitter_seconds: 3}",
    );
    let herd = activity_sync::plan::plan(&short, &Actual::default(), &options());
    let message = &herd
        .warnings
        .iter()
        .find(|w| w.kind == WarningKind::Herd)
        .expect("a herd warning")
        .message;
    assert!(
        message.starts_with("66.7 fires start in the same second"),
        "{message}"
    );
}
