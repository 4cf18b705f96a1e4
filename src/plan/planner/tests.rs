//! The planner's invariants as properties over any catalog (valid, invalid and missing files,
//! changed ids, swapped keys, other scopes) and any actual state, plus the drift verdicts.

use std::collections::BTreeMap;

use proptest::prelude::*;

use super::*;
use crate::definition::{
    ActivityDefinition, CronTrigger, EventTrigger, MisfirePolicy, Origin, Trigger, id_from_key,
};
use crate::schedule::actual::{ActualSchedule, Described};

/// The planner under its own name, where a test's variable is called `plan`.
use super::plan as plan_fn;

const SCOPE: &str = "a";

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-03-20T12:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn options(stages: Stages) -> PlanOptions {
    PlanOptions {
        scope: SCOPE.into(),
        stages,
        allow_empty: true,
        max_delete: Some(usize::MAX),
        adopt: false,
        unpause_manual: false,
        target: WorkflowTarget::default(),
        foresight: Default::default(),
        schedules_from: Default::default(),
        now: now(),
    }
}

fn all_stages() -> Stages {
    Stages {
        definitions: true,
        event_types: true,
        schedules: true,
    }
}

/// A definition of key `k{key}`; `id` picks the derived id (0) or one of two explicit ones.
fn definition(key: u8, id: u8, minute: u8, enabled: bool, event: bool) -> ActivityDefinition {
    let key = format!("k{key}");
    let cron = format!("{minute} * * * *");
    let trigger = if event {
        Trigger::Event(EventTrigger {
            event_type: "repo.pushed".into(),
            filters: Default::default(),
        })
    } else {
        Trigger::Cron(CronTrigger {
            cron: std::sync::Arc::new(crate::definition::CronExpr::parse(&cron).unwrap()),
            timezone: "UTC".into(),
            misfire_policy: MisfirePolicy::Skip,
            catchup_window_seconds: None,
            jitter_seconds: None,
        })
    };
    ActivityDefinition {
        id: match id {
            0 => id_from_key(&key),
            n => id_from_key(&format!("explicit-{n}-{key}")),
        },
        key: key.clone(),
        name: format!("Name of {key}"),
        enabled,
        trigger,
        spec: serde_json::json!({"key": key, "enabled": enabled, "cron": cron, "event": event})
            .into(),
        body: String::new(),
        origin: Origin {
            source_path: format!("defs/{key}.md"),
            rel_path: format!("{key}.md"),
            lines: BTreeMap::new(),
        },
    }
}

/// (key, id choice, minute, enabled, event)
fn arb_definition() -> impl Strategy<Value = (u8, u8, u8, bool, bool)> {
    (
        0u8..10,
        prop_oneof![6 => Just(0u8), 1 => Just(1u8), 1 => Just(2u8)],
        0u8..3,
        any::<bool>(),
        prop::bool::weighted(0.2),
    )
}

/// How a row in the database came to be.
#[derive(Debug, Clone)]
struct RowSeed {
    def: (u8, u8, u8, bool, bool),
    /// 0: this scope, 1: scope `b`, 2: no scope (written by the runtime: unmanaged).
    owner: u8,
    retired: bool,
    /// A hand edit of a column.
    edited: bool,
}

/// What Temporal holds for a row (or for nothing).
#[derive(Debug, Clone)]
struct ScheduleSeed {
    def: (u8, u8, u8, bool, bool),
    owner: Option<bool>,
    paused: bool,
    /// Paused by someone else (its note is not activity-sync's).
    by_hand: bool,
    drifted: bool,
}

const HAND_NOTE: &str = "incident 42: paused by on-call";

fn actual_schedule(d: &ActivityDefinition, owner: Option<&str>, paused: bool) -> ActualSchedule {
    let want = desired_schedule(d, &WorkflowTarget::default()).expect("a cron definition");
    ActualSchedule {
        schedule_id: want.schedule_id.clone(),
        memo_scope: owner.map(str::to_string),
        memo_definition: owner.map(|_| d.id),
        attribute_scope: owner.map(str::to_string),
        spec_hash: owner.map(|_| want.spec_hash.clone()),
        paused,
        notes: if paused {
            "paused by activity-sync: disabled in defs".into()
        } else {
            "managed by activity-sync".into()
        },
        listed: None,
        described: Some(Described {
            shape: Some(want.shape.clone()),
            conflict_token: vec![1],
            action_count: 0,
            limited_actions: false,
            remaining_actions: 0,
        }),
    }
}

/// A desired set (some files invalid) and an actual state with rows and schedules of scopes
/// `a` and `b`.
fn arb_world() -> impl Strategy<Value = (Desired, Actual)> {
    let desired = prop::collection::vec((arb_definition(), prop::bool::weighted(0.15)), 0..10);
    let rows = prop::collection::vec(
        (
            arb_definition(),
            prop_oneof![3 => Just(0u8), 2 => Just(1u8), 2 => Just(2u8)],
            prop::bool::weighted(0.2),
            prop::bool::weighted(0.15),
        )
            .prop_map(|(def, owner, retired, edited)| RowSeed {
                def,
                owner,
                retired,
                edited,
            }),
        0..10,
    );
    let schedules = prop::collection::vec(
        (
            arb_definition(),
            prop_oneof![6 => Just(Some(false)), 1 => Just(Some(true)), 1 => Just(None)],
            prop::bool::weighted(0.3),
            any::<bool>(),
            prop::bool::weighted(0.2),
        )
            .prop_map(|(def, owner, paused, by_hand, drifted)| ScheduleSeed {
                def,
                owner,
                paused,
                by_hand,
                drifted,
            }),
        0..10,
    );
    (desired, rows, schedules).prop_map(|(desired, rows, schedules)| {
        let mut catalog = Catalog::default();
        let mut keys = BTreeSet::new();
        for ((k, id, minute, enabled, event), invalid) in desired {
            let d = definition(k, id, minute, enabled, event);
            if !keys.insert(d.key.clone()) || catalog.activities.contains_key(&d.id) {
                continue;
            }
            if invalid {
                // A broken file: the row and schedule it may describe are known by its
                // location (and, when the id could be read, by its id).
                catalog
                    .protected
                    .locations
                    .insert(d.origin.source_path.clone());
                if id == 0 {
                    catalog.protected.ids.insert(d.id);
                }
                catalog.errors.push(crate::definition::Diagnostic::file(
                    &d.origin.source_path,
                    "broken",
                ));
            } else {
                catalog.activities.insert(d.id, d);
            }
        }
        let mut actual = Actual::default();
        let mut row_keys = BTreeSet::new();
        for seed in rows {
            let (k, id, minute, enabled, event) = seed.def;
            let d = definition(k, id, minute, enabled, event);
            if !row_keys.insert(d.key.clone()) || actual.definitions.contains_key(&d.id) {
                continue;
            }
            let mut row = DefinitionRow::desired(&d, ["a", "b", ""][seed.owner as usize]);
            if seed.owner == 2 {
                // What the runtime's table holds before activity-sync: no bookkeeping.
                row = unmanaged_row(row);
            } else if seed.retired {
                row.retired = true;
                row.enabled = false;
            }
            if seed.edited {
                row.body = "edited by hand".into();
            }
            actual.definitions.insert(row.id, row);
        }
        for seed in schedules {
            let (k, id, minute, enabled, _) = seed.def;
            let d = definition(k, id, minute, enabled, false);
            let owner = seed.owner.map(|other| if other { "b" } else { SCOPE });
            let mut s = actual_schedule(&d, owner, seed.paused);
            if seed.paused && seed.by_hand {
                s.notes = HAND_NOTE.into();
            }
            if seed.drifted
                && let Some(shape) = s.described.as_mut().and_then(|x| x.shape.as_mut())
            {
                shape.jitter_seconds = 7;
            }
            actual.schedules.entry(s.schedule_id.clone()).or_insert(s);
        }
        (
            Desired {
                catalog,
                sources: Vec::new(),
                failed: Vec::new(),
                files: Vec::new(),
            },
            actual,
        )
    })
}

/// What the executor does, as a pure function: the state after the plan is applied.
fn apply_to(actual: &Actual, plan: &Plan) -> Actual {
    let mut next = actual.clone();
    for (id, change) in &plan.definitions {
        match &change.step {
            RowStep::Create { want }
            | RowStep::Update { want, .. }
            | RowStep::Unretire { want, .. }
            | RowStep::Adopt { want, .. } => {
                next.definitions.insert(*id, want.clone());
            }
            RowStep::Unmanaged { .. } => {}
            RowStep::Retire { .. } => {
                let row = next.definitions.get_mut(id).unwrap();
                row.retired = true;
                row.enabled = false;
            }
            RowStep::Unchanged { .. } => {}
        }
    }
    for (id, change) in &plan.schedules {
        match &change.step {
            ScheduleStep::Create {
                want,
                temporal_note,
            }
            | ScheduleStep::Update {
                want,
                temporal_note,
                ..
            } => {
                let s = ActualSchedule::as_written(&plan.scope, want, temporal_note, vec![2]);
                next.schedules.insert(id.clone(), s);
            }
            ScheduleStep::Pause { temporal_note, .. }
            | ScheduleStep::Unpause { temporal_note, .. } => {
                let s = next.schedules.get_mut(id).unwrap();
                s.paused = change.op() == ScheduleOp::Pause;
                s.notes = temporal_note.clone();
            }
            ScheduleStep::Delete { .. } => {
                next.schedules.remove(id);
            }
            _ => {}
        }
    }
    next
}

/// A row as the runtime writes it: its own columns, none of activity-sync's.
fn unmanaged_row(mut row: DefinitionRow) -> DefinitionRow {
    row.scope = String::new();
    row.key = String::new();
    row.spec = serde_json::Value::Null.into();
    row.body = String::new();
    row.source_path = String::new();
    row.retired = false;
    row
}

/// Every combination of the three stage flags.
fn every_stages() -> impl Strategy<Value = Stages> {
    (any::<bool>(), any::<bool>(), any::<bool>()).prop_map(
        |(definitions, event_types, schedules)| Stages {
            definitions,
            event_types,
            schedules,
        },
    )
}

fn protected(desired: &Desired, row: &DefinitionRow) -> bool {
    let p = &desired.catalog.protected;
    p.ids.contains(&row.id) || p.covers_location(&row.source_path)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// A pause someone else made is never lifted without `--unpause-manual` (SPEC §5), and
    /// with it every one whose definition is live and enabled is.
    #[test]
    fn hand_pauses_are_lifted_only_when_asked((desired, actual) in arb_world()) {
        let mut options = options(all_stages());
        let after = apply_to(&actual, &plan(&desired, &actual, &options));
        for (id, before) in &actual.schedules {
            if before.paused && before.notes == HAND_NOTE && before.owner() == Some(SCOPE) {
                let kept = after.schedules.get(id).is_none_or(|s| s.paused && s.notes == HAND_NOTE);
                prop_assert!(kept, "{id}: {:?}", after.schedules.get(id));
            }
        }
        options.unpause_manual = true;
        let plan = plan(&desired, &actual, &options);
        prop_assert!(
            plan.warnings.iter().all(|w| w.kind != WarningKind::ManualPause),
            "{:?}",
            plan.warnings
        );
        prop_assert!(!plan.schedules.values().any(|c| c.op() == ScheduleOp::Held));
    }

    #[test]
    fn planning_again_after_applying_changes_nothing(
        (desired, actual) in arb_world(),
        adopt in any::<bool>(),
    ) {
        let options = PlanOptions { adopt, ..options(all_stages()) };
        let first = plan(&desired, &actual, &options);
        let after = apply_to(&actual, &first);
        let second = plan(&desired, &after, &options);
        prop_assert!(!second.has_changes(), "second plan: {:#?}\nfirst: {:#?}", second, first);
    }

    #[test]
    fn no_schedule_is_created_or_unpaused_without_an_enabled_row(
        (desired, actual) in arb_world(),
        stages in every_stages(),
        adopt in any::<bool>(),
        mode in 0u8..3,
        made_by_any in prop::collection::vec(any::<bool>(), 10),
    ) {
        // In every combination of stage flags, adopting or not (issue 11): the rows the
        // schedules follow are the rows after the database stage has committed. Also with
        // `--schedules-from database` (its stages fixed: schedules only), of scope `a` or of
        // the rows no scope owns (`*`), where some of `b`'s schedules are ones `*` made.
        let (desired, actual, stages, options) = match mode {
            0 => {
                let options = PlanOptions { adopt, ..options(stages) };
                (desired, actual, stages, options)
            }
            _ => {
                let scope = if mode == 1 { SCOPE } else { ANY_SCOPE };
                let mut actual = actual;
                for (s, made) in actual.schedules.values_mut().zip(made_by_any) {
                    if made && s.owner() == Some("b") {
                        s.memo_scope = Some(ANY_SCOPE.into());
                        s.attribute_scope = Some(ANY_SCOPE.into());
                    }
                }
                let desired = crate::run::desired_from_rows(&actual, scope);
                let stages = Stages { definitions: false, event_types: false, schedules: true };
                let options = PlanOptions {
                    scope: scope.into(),
                    adopt,
                    schedules_from: SchedulesFrom::Database,
                    ..options(stages)
                };
                (desired, actual, stages, options)
            }
        };
        let scope = options.scope.as_str();
        let plan = plan(&desired, &actual, &options);
        let after = apply_to(&actual, &plan);
        if !stages.schedules {
            prop_assert!(plan.schedules.is_empty(), "{:#?}", plan.schedules);
        }
        if options.schedules_from == SchedulesFrom::Database {
            prop_assert!(plan.definitions.is_empty(), "rows written: {:#?}", plan.definitions);
            // Another scope's schedule is never touched (those `*` made only with --adopt,
            // by a real scope).
            for (id, s) in &actual.schedules {
                if s.owner() != Some(scope) && !(adopt && s.adoptable_by(scope)) {
                    prop_assert_eq!(after.schedules.get(id), Some(s), "{:#?}", plan.schedules.get(id));
                }
            }
            // What `*` made, a real scope takes over with its row, never deletes.
            for (id, s) in &actual.schedules {
                if s.owner() == Some(ANY_SCOPE) && scope != ANY_SCOPE {
                    prop_assert!(after.schedules.contains_key(id), "{:#?}", plan.schedules.get(id));
                }
            }
            // And it converges.
            let second = plan_fn(&desired, &after, &options);
            prop_assert!(!second.has_changes(), "second plan: {:#?}\nfirst: {:#?}", second, plan);
        }
        // A schedule that is not created says why.
        for change in plan.schedules.values() {
            if change.op() == ScheduleOp::Skip {
                prop_assert!(change.note.is_some(), "{change:#?}");
            }
        }
        for change in plan.schedules.values() {
            let live = |definition: Uuid| after.definitions.get(&definition).is_some_and(|r| {
                of_scope(r, scope) && !r.retired && r.enabled
            });
            match &change.step {
                ScheduleStep::Create { want, .. } | ScheduleStep::Update { want, .. } if !want.paused => {
                    prop_assert!(live(want.definition_id), "{change:#?}");
                }
                ScheduleStep::Unpause { have, .. } => {
                    prop_assert!(live(have.memo_definition.unwrap()), "{change:#?}");
                }
                _ => {}
            }
        }
        // And no schedule of the scope is left for a row that is gone, unless an invalid
        // file may describe it (with the schedules stage: without it, nothing is planned).
        for (id, s) in &after.schedules {
            if s.owner() != Some(scope) || !stages.schedules {
                continue;
            }
            let definition = s.memo_definition.unwrap();
            let row = after.definitions.get(&definition).filter(|r| of_scope(r, scope));
            let kept = desired.catalog.protected.ids.contains(&definition)
                || row.is_some_and(|r| protected(&desired, r))
                || plan.schedules.get(id).is_some_and(|c| c.op() == ScheduleOp::Unchanged && c.note.is_some());
            prop_assert!(
                kept || row.is_some_and(|r| !r.retired),
                "schedule {id} left without a row: {:#?}", plan.schedules.get(id)
            );
        }
    }

    #[test]
    fn nothing_an_invalid_file_describes_is_touched((desired, actual) in arb_world()) {
        let plan = plan(&desired, &actual, &options(all_stages()));
        for (id, row) in actual.definitions.iter().filter(|(_, r)| r.scope == SCOPE) {
            if !protected(&desired, row) {
                continue;
            }
            if let Some(change) = plan.definitions.get(id) {
                prop_assert_eq!(change.action(), crate::plan::Action::Unchanged, "{:#?}", change);
            }
            if let Some(change) = plan.schedules.get(&schedule_id(*id)) {
                prop_assert!(!change.op().mutates(), "{:#?}", change);
            }
        }
        for id in &desired.catalog.protected.ids {
            if let Some(change) = plan.schedules.get(&schedule_id(*id)) {
                prop_assert!(!change.op().mutates(), "{:#?}", change);
            }
        }
    }

    #[test]
    fn other_scopes_never_change((desired, actual) in arb_world(), adopt in any::<bool>()) {
        let plan = plan(&desired, &actual, &PlanOptions { adopt, ..options(all_stages()) });
        let after = apply_to(&actual, &plan);
        for (id, row) in actual.definitions.iter().filter(|(_, r)| r.scope == "b") {
            prop_assert_eq!(after.definitions.get(id), Some(row));
        }
        // Unmanaged rows: never without --adopt, and with it only the ones a file names.
        for (id, row) in actual.definitions.iter().filter(|(_, r)| r.unmanaged()) {
            if !adopt || !desired.catalog.activities.contains_key(id) {
                prop_assert_eq!(after.definitions.get(id), Some(row));
            }
        }
        for (id, s) in actual.schedules.iter().filter(|(_, s)| s.owner() != Some(SCOPE)) {
            if !adopt || s.owner().is_some() {
                prop_assert_eq!(after.schedules.get(id), Some(s));
            }
        }
        for change in plan.definitions.values() {
            if change.action() != crate::plan::Action::Unmanaged {
                prop_assert_eq!(change.row().scope.as_str(), SCOPE);
            }
        }
    }

    /// SPEC §9: a paused or deleted schedule fires 0 times a day after the plan, whatever it
    /// fired before; every mutated cron schedule carries its rate; the scope's totals add up.
    #[test]
    fn paused_and_deleted_schedules_fire_no_more((desired, actual) in arb_world()) {
        let plan = plan(&desired, &actual, &options(all_stages()));
        let mut after_total = 0.0;
        for change in plan.schedules.values() {
            let rate = change.fires_per_day;
            match &change.step {
                ScheduleStep::Pause { .. } | ScheduleStep::Delete { .. } => {
                    prop_assert!(rate.is_none_or(|r| r.after == 0.0), "{change:#?}");
                }
                ScheduleStep::Create { want, .. } | ScheduleStep::Update { want, .. } => {
                    let rate = rate.expect("a mutated cron schedule has a rate");
                    prop_assert_eq!(rate.after == 0.0, want.paused, "{:#?}", change);
                }
                ScheduleStep::Unpause { .. } => {
                    prop_assert!(rate.is_some_and(|r| r.after > 0.0 && r.before == 0.0), "{change:#?}");
                }
                _ => prop_assert!(rate.is_none(), "{change:#?}"),
            }
            if let Some(r) = rate {
                after_total += r.after;
            }
        }
        let totals = plan.fires_per_day.expect("totals with the schedules stage");
        // Every definition here is hourly: whatever is not mutated and still fires adds 24.
        prop_assert!(totals.after >= after_total, "{totals:?} < {after_total}");
        prop_assert_eq!(totals.after % 24.0, 0.0);
    }

    /// `--adopt` deletes an unmarked schedule with the conventional id only when no live
    /// row of any scope (unmanaged included) and no file wants its definition, and never
    /// without `--adopt`.
    #[test]
    fn unmarked_orphans_go_only_with_adopt_and_without_a_live_row(
        (desired, actual) in arb_world(),
        stages in every_stages(),
        adopt in any::<bool>(),
    ) {
        let plan = plan(&desired, &actual, &PlanOptions { adopt, ..options(stages) });
        for change in plan.schedules.values() {
            let ScheduleStep::Delete { have, adopt: orphan } = &change.step else { continue };
            prop_assert_eq!(*orphan, have.owner().is_none(), "{:#?}", change);
            if have.owner().is_some() {
                continue;
            }
            prop_assert!(adopt, "{change:#?}");
            let definition = definition_of(&change.schedule_id).unwrap();
            prop_assert!(!desired.catalog.activities.contains_key(&definition), "{change:#?}");
            prop_assert!(!desired.catalog.protected.ids.contains(&definition), "{change:#?}");
            let after = apply_to(&actual, &plan);
            let row = after.definitions.get(&definition);
            prop_assert!(row.is_none_or(|r| r.retired), "{change:#?}\n{row:#?}");
            prop_assert!(row.is_none_or(|r| !protected(&desired, r)), "{change:#?}");
        }
    }

    #[test]
    fn plans_are_deterministic((desired, actual) in arb_world()) {
        let options = options(all_stages());
        let a = plan(&desired, &actual, &options);
        let b = plan(&desired.clone(), &actual.clone(), &options);
        prop_assert_eq!(serde_json::to_string(&a).unwrap(), serde_json::to_string(&b).unwrap());
    }

    #[test]
    fn saved_plans_round_trip((desired, actual) in arb_world()) {
        let plan = plan(&desired, &actual, &options(all_stages()));
        let text = serde_json::to_string(&plan).unwrap();
        let back: Plan = serde_json::from_str(&text).unwrap();
        prop_assert_eq!(back, plan);
    }
}

fn world(definitions: &[ActivityDefinition], rows: &[DefinitionRow]) -> (Desired, Actual) {
    let mut catalog = Catalog::default();
    for d in definitions {
        catalog.activities.insert(d.id, d.clone());
    }
    let mut actual = Actual::default();
    for r in rows {
        actual.definitions.insert(r.id, r.clone());
    }
    let desired = Desired {
        catalog,
        sources: Vec::new(),
        failed: Vec::new(),
        files: Vec::new(),
    };
    (desired, actual)
}

/// A schedule paused by hand while its definition is enabled is held: no change counted, a
/// `manual_pause` warning, drift still reverted with the pause and its note carried over;
/// `--unpause-manual` lifts it; a hand unpause of a disabled definition is paused again.
#[test]
fn hand_pauses_are_held_and_their_notes_carried_over() {
    let d = definition(1, 0, 5, true, false);
    let (desired, mut actual) = world(
        std::slice::from_ref(&d),
        &[DefinitionRow::desired(&d, SCOPE)],
    );
    let mut s = actual_schedule(&d, Some(SCOPE), true);
    s.notes = HAND_NOTE.into();
    let id = s.schedule_id.clone();
    actual.schedules.insert(id.clone(), s.clone());
    let mut options = options(all_stages());

    let held = plan(&desired, &actual, &options);
    assert_eq!(held.schedules[&id].op(), ScheduleOp::Held);
    assert!(!held.has_changes());
    assert_eq!(held.warnings.len(), 1);
    assert_eq!(held.warnings[0].kind, WarningKind::ManualPause);
    assert_eq!(held.warnings[0].id.as_deref(), Some(id.as_str()));
    assert!(
        held.warnings[0].message.contains(HAND_NOTE),
        "{:?}",
        held.warnings
    );
    assert!(
        held.schedules[&id]
            .note
            .as_ref()
            .unwrap()
            .contains("left paused")
    );

    // Drift is reverted; the update keeps the pause and the note.
    let mut drifted = s.clone();
    if let Some(shape) = drifted.described.as_mut().and_then(|x| x.shape.as_mut()) {
        shape.jitter_seconds = 7;
    }
    actual.schedules.insert(id.clone(), drifted);
    let update = plan(&desired, &actual, &options);
    match &update.schedules[&id].step {
        ScheduleStep::Update {
            want,
            temporal_note,
            ..
        } => {
            assert!(want.paused);
            assert_eq!(temporal_note, HAND_NOTE);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(update.warnings.len(), 1);

    // --unpause-manual lifts it.
    actual.schedules.insert(id.clone(), s.clone());
    options.unpause_manual = true;
    let lifted = plan(&desired, &actual, &options);
    assert_eq!(lifted.schedules[&id].op(), ScheduleOp::Unpause);
    assert!(lifted.warnings.is_empty());
    options.unpause_manual = false;

    // Our own pause (the definition was disabled, now enabled) is lifted without asking.
    let mut ours = s.clone();
    ours.notes = "activity-sync: disabled in defs/k1.md:4".into();
    actual.schedules.insert(id.clone(), ours);
    assert_eq!(
        plan(&desired, &actual, &options).schedules[&id].op(),
        ScheduleOp::Unpause
    );

    // A disabled definition's schedule unpaused by hand is paused again.
    let off = definition(1, 0, 5, false, false);
    let (desired, mut actual) = world(
        std::slice::from_ref(&off),
        &[DefinitionRow::desired(&off, SCOPE)],
    );
    let mut unpaused = actual_schedule(&off, Some(SCOPE), false);
    unpaused.notes = "unpaused by on-call".into();
    actual.schedules.insert(id.clone(), unpaused);
    assert_eq!(
        plan(&desired, &actual, &options).schedules[&id].op(),
        ScheduleOp::Pause
    );
}

/// No worker on the task queue of running schedules: a `no_worker` warning; none with a
/// poller, none when nothing would run, and Temporal's failure to say is a warning too.
#[test]
fn no_worker_is_a_warning_about_running_schedules_only() {
    let on = definition(1, 0, 5, true, false);
    let (desired, mut actual) = world(
        std::slice::from_ref(&on),
        &[DefinitionRow::desired(&on, SCOPE)],
    );
    let options = options(all_stages());
    let kinds = |actual: &Actual, desired: &Desired| -> Vec<WarningKind> {
        plan(desired, actual, &options)
            .warnings
            .iter()
            .map(|w| w.kind)
            .collect()
    };
    actual.workers = Some(Workers::Polling(0));
    assert_eq!(kinds(&actual, &desired), [WarningKind::NoWorker]);
    actual.workers = Some(Workers::Unknown("timed out".into()));
    assert_eq!(kinds(&actual, &desired), [WarningKind::NoWorker]);
    actual.workers = Some(Workers::Polling(2));
    assert!(kinds(&actual, &desired).is_empty());
    actual.workers = None;
    assert!(kinds(&actual, &desired).is_empty());
    // Nothing would run: no warning.
    let off = definition(1, 0, 5, false, false);
    let (desired, mut actual) = world(
        std::slice::from_ref(&off),
        &[DefinitionRow::desired(&off, SCOPE)],
    );
    actual.workers = Some(Workers::Polling(0));
    assert!(kinds(&actual, &desired).is_empty());
}

/// Issue 11: a file written without the runtime row's id derives a new one; the plan warns
/// that a second schedule would run next to the old one, and says how to take it over.
#[test]
fn a_new_definition_named_like_an_unmanaged_row_is_a_duplicate_warning() {
    let new = definition(1, 0, 0, true, false);
    let mut old = new.clone();
    old.id = id_from_key("the-old-sync-row");
    let (desired, actual) = world(
        std::slice::from_ref(&new),
        &[unmanaged_row(DefinitionRow::desired(&old, ""))],
    );
    let planned = super::plan(&desired, &actual, &options(all_stages()));
    let duplicates: Vec<_> = planned
        .warnings
        .iter()
        .filter(|w| w.kind == WarningKind::Duplicate)
        .collect();
    assert_eq!(duplicates.len(), 1, "{:#?}", planned.warnings);
    let message = &duplicates[0].message;
    assert!(
        message.contains(&format!(
            "a second schedule next to `{}`",
            schedule_id(old.id)
        )) && message.contains(&format!("write `id: {}`", old.id)),
        "{message}"
    );
    // The row named in the file by its id: adopted, no warning.
    let mut adopted = new.clone();
    adopted.id = old.id;
    let (desired, _) = world(&[adopted], &[]);
    let planned = super::plan(
        &desired,
        &actual,
        &PlanOptions {
            adopt: true,
            ..options(all_stages())
        },
    );
    assert!(
        planned
            .warnings
            .iter()
            .all(|w| w.kind != WarningKind::Duplicate),
        "{:#?}",
        planned.warnings
    );
    assert_eq!(
        planned.definitions[&old.id].action(),
        crate::plan::Action::Adopt
    );
}

#[test]
fn an_id_change_is_a_conflict_that_keeps_the_old_row_and_its_schedule() {
    let old = definition(1, 0, 0, true, false);
    let mut renamed = old.clone();
    renamed.id = id_from_key("explicit");
    let (desired, mut actual) = world(&[renamed.clone()], &[DefinitionRow::desired(&old, SCOPE)]);
    let s = actual_schedule(&old, Some(SCOPE), false);
    actual.schedules.insert(s.schedule_id.clone(), s);
    let plan = plan(&desired, &actual, &options(all_stages()));
    assert_eq!(plan.conflicts, 1);
    assert!(
        plan.errors[0].message.contains("id cannot change"),
        "{:?}",
        plan.errors
    );
    assert_eq!(
        plan.definitions[&old.id].action(),
        crate::plan::Action::Unchanged
    );
    assert!(!plan.definitions.contains_key(&renamed.id));
    assert_eq!(
        plan.schedules[&schedule_id(old.id)].op(),
        ScheduleOp::Unchanged
    );
    assert_eq!(
        plan.schedules[&schedule_id(renamed.id)].op(),
        ScheduleOp::Skip
    );
    assert!(!plan.has_changes());
}

#[test]
fn swapped_keys_move_between_rows_of_the_scope() {
    let a = definition(1, 1, 0, true, false);
    let b = definition(2, 1, 0, true, false);
    let (mut a2, mut b2) = (a.clone(), b.clone());
    std::mem::swap(&mut a2.key, &mut b2.key);
    let (desired, actual) = world(
        &[a2, b2],
        &[
            DefinitionRow::desired(&a, SCOPE),
            DefinitionRow::desired(&b, SCOPE),
        ],
    );
    let plan = plan(&desired, &actual, &options(all_stages()));
    assert_eq!(plan.conflicts, 0, "{:?}", plan.errors);
    assert_eq!(
        plan.definitions[&a.id].action(),
        crate::plan::Action::Update
    );
    assert_eq!(
        plan.definitions[&b.id].action(),
        crate::plan::Action::Update
    );
}

#[test]
fn a_hand_edit_of_a_row_is_drift() {
    let d = definition(1, 0, 0, true, false);
    let mut row = DefinitionRow::desired(&d, SCOPE);
    row.enabled = false;
    let (desired, actual) = world(std::slice::from_ref(&d), &[row]);
    let plan = plan(&desired, &actual, &options(all_stages()));
    let change = &plan.definitions[&d.id];
    assert_eq!(change.action(), crate::plan::Action::Update);
    assert_eq!(change.fields[0].field, "enabled");
}

#[test]
fn drift_verdicts() {
    let d = definition(1, 0, 0, true, false);
    let (desired, mut actual) = world(
        std::slice::from_ref(&d),
        &[DefinitionRow::desired(&d, SCOPE)],
    );
    let same = actual_schedule(&d, Some(SCOPE), false);
    actual
        .schedules
        .insert(same.schedule_id.clone(), same.clone());
    let plan_of = |actual: &Actual| plan(&desired, actual, &options(all_stages()));
    assert_eq!(
        plan_of(&actual).schedules[&same.schedule_id].op(),
        ScheduleOp::Unchanged
    );
    // Edited by hand: the described shape differs although the hash we wrote is the same.
    let mut edited = same.clone();
    edited
        .described
        .as_mut()
        .unwrap()
        .shape
        .as_mut()
        .unwrap()
        .minute_changed();
    actual.schedules.insert(same.schedule_id.clone(), edited);
    let change = &plan_of(&actual).schedules[&same.schedule_id];
    assert_eq!(change.op(), ScheduleOp::Update);
    assert_eq!(
        change.note.as_deref(),
        Some("changed outside activity-sync; reverting")
    );
    assert!(change.diff.contains("-"), "{}", change.diff);
    // Listed only, with our hash: the list settles it; with another hash it differs.
    let mut listed = same.clone();
    listed.described = None;
    actual
        .schedules
        .insert(same.schedule_id.clone(), listed.clone());
    assert_eq!(
        plan_of(&actual).schedules[&same.schedule_id].op(),
        ScheduleOp::Unchanged
    );
    listed.spec_hash = Some("other".into());
    actual.schedules.insert(same.schedule_id.clone(), listed);
    assert_eq!(
        plan_of(&actual).schedules[&same.schedule_id].op(),
        ScheduleOp::Update
    );
    // Paused by hand while enabled: held (SPEC §5: on-call's pause stays).
    let mut paused = same.clone();
    paused.paused = true;
    paused.notes = "incident".into();
    actual
        .schedules
        .insert(same.schedule_id.clone(), paused.clone());
    assert_eq!(
        plan_of(&actual).schedules[&same.schedule_id].op(),
        ScheduleOp::Held
    );
    // Paused by activity-sync (its note) while enabled: unpaused (no spec change needed).
    paused.notes = "activity-sync: disabled in defs/k1.md:4".into();
    actual.schedules.insert(same.schedule_id.clone(), paused);
    assert_eq!(
        plan_of(&actual).schedules[&same.schedule_id].op(),
        ScheduleOp::Unpause
    );
}

#[test]
fn creates_are_described_first() {
    let d = definition(1, 0, 0, true, false);
    let (desired, actual) = world(
        std::slice::from_ref(&d),
        &[DefinitionRow::desired(&d, SCOPE)],
    );
    let ids = needs_describe(&desired, &actual, &options(all_stages()), false);
    assert_eq!(ids, [schedule_id(d.id)]);
}

/// A row retired (or turned into an event trigger) by this plan whose schedule the lagging
/// list does not show yet: described, so the schedule goes with its row in the same run.
#[test]
fn schedules_of_rows_that_go_are_described_when_the_list_misses_them() {
    let gone = definition(1, 0, 0, true, false);
    let stays = definition(2, 0, 0, true, false);
    let to_event = definition(3, 0, 0, true, false);
    let now_event = definition(3, 0, 0, true, true);
    let rows = [
        DefinitionRow::desired(&gone, SCOPE),
        DefinitionRow::desired(&stays, SCOPE),
        DefinitionRow::desired(&to_event, SCOPE),
    ];
    let (desired, mut actual) = world(&[stays.clone(), now_event], &rows);
    let listed = actual_schedule(&stays, Some(SCOPE), false);
    actual.schedules.insert(listed.schedule_id.clone(), listed);
    let mut ids = needs_describe(&desired, &actual, &options(all_stages()), false);
    ids.sort();
    let mut want = vec![schedule_id(gone.id), schedule_id(to_event.id)];
    want.sort();
    assert_eq!(ids, want);
    // Without the schedules stage there is nothing to describe.
    let no_schedules = options(Stages {
        definitions: true,
        event_types: false,
        schedules: false,
    });
    assert!(needs_describe(&desired, &actual, &no_schedules, false).is_empty());
}

#[test]
fn an_empty_source_refuses_whatever_stages_are_on() {
    let d = definition(1, 0, 0, true, false);
    let (mut desired, mut actual) = world(&[], &[DefinitionRow::desired(&d, SCOPE)]);
    let s = actual_schedule(&d, Some(SCOPE), false);
    actual.schedules.insert(s.schedule_id.clone(), s);
    let mut options = options(Stages {
        definitions: false,
        event_types: false,
        schedules: true,
    });
    options.allow_empty = false;
    let plan_empty = plan(&desired, &actual, &options);
    assert!(plan_empty.refusal.is_some());
    assert_eq!(
        plan_empty.schedules[&schedule_id(d.id)].op(),
        ScheduleOp::Unchanged
    );
    // Every file invalid is no better than no file.
    desired
        .catalog
        .errors
        .push(crate::definition::Diagnostic::file("defs/x.md", "broken"));
    options.stages.definitions = true;
    let plan_invalid = plan(&desired, &actual, &options);
    assert!(plan_invalid.refusal.is_some());
    assert!(
        !plan_invalid
            .definitions
            .values()
            .any(|c| c.action().writes())
    );
}

#[test]
fn a_definition_and_its_schedule_count_once_against_the_limit() {
    let defs: Vec<ActivityDefinition> = (0..8).map(|k| definition(k, 0, 0, true, false)).collect();
    let rows: Vec<DefinitionRow> = defs
        .iter()
        .map(|d| DefinitionRow::desired(d, SCOPE))
        .collect();
    let (desired, mut actual) = world(&defs[..1], &rows);
    for d in &defs {
        let s = actual_schedule(d, Some(SCOPE), false);
        actual.schedules.insert(s.schedule_id.clone(), s);
    }
    let mut options = options(all_stages());
    options.max_delete = None;
    // 7 definitions go (7 rows + 7 schedules): under the default of 10.
    let plan = plan(&desired, &actual, &options);
    assert_eq!(plan.refusal, None);
    assert_eq!(plan.definition_counts().retired, 7);
}

#[test]
fn default_limit_is_ten_or_a_quarter() {
    assert_eq!(default_max_delete(0), 10);
    assert_eq!(default_max_delete(40), 10);
    assert_eq!(default_max_delete(41), 11);
    assert_eq!(default_max_delete(100), 25);
}

trait MinuteChanged {
    fn minute_changed(&mut self);
}

impl MinuteChanged for crate::schedule::desired::Shape {
    fn minute_changed(&mut self) {
        self.calendars[0].minute[0].start += 1;
        self.calendars[0].minute[0].end += 1;
    }
}
