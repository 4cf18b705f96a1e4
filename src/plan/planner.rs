//! `plan(desired, actual) -> Plan`: pure, synchronous, deterministic. No I/O, clock or env.

use std::collections::BTreeMap;

use super::change::{Action, Change};
use super::model::{Actual, PLAN_FORMAT, Plan, RunError, Stages};
use super::resource::{DefinitionRow, EventTypeRow, Resource};
use crate::definition::source_location;
use crate::gather::Desired;
use crate::schedule::planner::{ScheduleOp, ScheduleOptions, plan_schedules};

/// What the operator asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanOptions {
    pub scope: String,
    pub stages: Stages,
    /// Retire everything when the sources yield nothing at all.
    pub allow_empty: bool,
    /// Most retirements and deletions one run may make; `None`: 10 or 25 % of the scope,
    /// whichever is larger.
    pub max_delete: Option<usize>,
    /// How to plan schedules, when `stages.schedules` is on.
    pub schedules: Option<ScheduleOptions>,
}

/// Default retirement limit: 10 objects or 25 % of what the scope owns, whichever is larger.
pub fn default_max_delete(owned: usize) -> usize {
    10.max(owned.div_ceil(4))
}

pub fn plan(desired: &Desired, actual: &Actual, options: &PlanOptions) -> Plan {
    let scope = options.scope.as_str();
    let catalog = &desired.catalog;
    let mut errors: Vec<RunError> = desired
        .failed
        .iter()
        .map(|f| RunError::new("sources", &f.message).id(&f.source))
        .collect();
    errors.extend(catalog.errors.iter().map(|d| RunError {
        stage: "definitions".into(),
        id: None,
        source_path: Some(d.source_path.clone()),
        line: Some(d.line),
        col: Some(d.col),
        message: d.message.clone(),
    }));
    let invalid = catalog
        .errors
        .iter()
        .map(|d| d.source_path.as_str())
        .collect::<std::collections::BTreeSet<_>>()
        .len();

    let owned = |stage: bool, count: usize| if stage { count } else { 0 };
    let live_owned = owned(
        options.stages.definitions,
        actual
            .definitions
            .values()
            .filter(|r| r.scope == scope && !r.retired)
            .count(),
    ) + owned(
        options.stages.event_types,
        actual
            .event_types
            .values()
            .filter(|r| r.scope == scope && !r.retired)
            .count(),
    );
    let source_failed = !desired.failed.is_empty();
    let nothing_read = catalog.is_empty() && catalog.errors.is_empty() && !source_failed;
    let mut refusal = None;
    let empty_refused = nothing_read && live_owned > 0 && !options.allow_empty;
    if empty_refused {
        refusal = Some(format!(
            "the sources yielded no definitions while scope `{scope}` owns {live_owned}; nothing retired (pass --allow-empty to retire them all)"
        ));
    }
    let held = if source_failed {
        Some("kept: a source failed to read")
    } else if empty_refused {
        Some("kept: the sources are empty")
    } else {
        None
    };

    let protected = &catalog.protected;
    let definitions = if options.stages.definitions {
        let wanted = catalog
            .activities
            .values()
            .map(|d| (d.id, DefinitionRow::desired(d, scope)))
            .collect();
        plan_table(
            wanted,
            &actual.definitions,
            scope,
            held,
            &|row: &DefinitionRow| {
                protected.ids.contains(&row.id)
                    || protected.keys.contains(&row.key)
                    || protected.covers_location(&row.source_path)
            },
            &mut errors,
        )
    } else {
        BTreeMap::new()
    };
    let mut definitions = definitions;
    for (id, change) in definitions.iter_mut() {
        if let (Some(definition), Some(field)) = (catalog.activities.get(id), change.fields.first())
        {
            change.at = Some(definition.origin.at(&field.field));
        }
    }
    let event_types = if options.stages.event_types {
        let wanted = catalog
            .event_types
            .values()
            .map(|e| (e.name.clone(), EventTypeRow::desired(e, scope)))
            .collect();
        plan_table(
            wanted,
            &actual.event_types,
            scope,
            held,
            &|row: &EventTypeRow| {
                protected.event_types.contains(&row.name)
                    || protected.covers_location(&row.source_path)
            },
            &mut errors,
        )
    } else {
        BTreeMap::new()
    };

    let schedules = match (&options.schedules, options.stages.schedules) {
        (Some(schedule_options), true) => {
            let (changes, schedule_errors) =
                plan_schedules(catalog, &actual.schedules, schedule_options, held);
            errors.extend(schedule_errors);
            changes
        }
        _ => BTreeMap::new(),
    };
    let retirements = definitions
        .values()
        .filter(|c| c.action == Action::Retire)
        .count()
        + event_types
            .values()
            .filter(|c| c.action == Action::Retire)
            .count()
        + schedules
            .values()
            .filter(|c| c.op == ScheduleOp::Delete)
            .count();
    let limit = options
        .max_delete
        .unwrap_or_else(|| default_max_delete(live_owned));
    if refusal.is_none() && retirements > limit {
        refusal = Some(format!(
            "{retirements} retirements and deletions exceed the limit of {limit} (--max-delete; default: 10 or 25 % of the {live_owned} objects scope `{scope}` owns); nothing applied"
        ));
    }

    Plan {
        format: PLAN_FORMAT,
        scope: scope.to_string(),
        stages: options.stages,
        sources: desired.sources.clone(),
        definitions,
        event_types,
        invalid,
        errors,
        refusal,
        source_failed,
        fingerprint: actual.fingerprint(scope, options.stages),
        schedules,
    }
}

/// Plans one table. `held`: why retirements are suspended, if they are.
fn plan_table<R: Resource>(
    desired: BTreeMap<R::Id, R>,
    actual: &BTreeMap<R::Id, R>,
    scope: &str,
    held: Option<&str>,
    protected: &dyn Fn(&R) -> bool,
    errors: &mut Vec<RunError>,
) -> BTreeMap<R::Id, Change<R>> {
    let stage = format!("{}s", R::KIND);
    // Who holds each unique key today, for conflicts.
    let key_holders: BTreeMap<&str, &R> = actual
        .values()
        .filter_map(|r| r.unique_key().map(|k| (k, r)))
        .collect();
    let mut changes = BTreeMap::new();
    for (id, want) in desired {
        let conflict = |errors: &mut Vec<RunError>, message: String| {
            errors.push(RunError {
                stage: stage.clone(),
                id: Some(id.to_string()),
                source_path: Some(want.source_path().to_string()),
                line: None,
                col: None,
                message,
            });
        };
        let have = actual.get(&id);
        if let Some(have) = have
            && have.scope() != scope
        {
            conflict(
                errors,
                format!(
                    "`{}` is owned by scope `{}`; scope `{scope}` leaves it alone",
                    want.label(),
                    have.scope()
                ),
            );
            continue;
        }
        if let Some(key) = want.unique_key()
            && let Some(holder) = key_holders.get(key)
            && holder.id() != id
        {
            conflict(
                errors,
                format!(
                    "key `{key}` is already used by {} `{}` of scope `{}` (from `{}`); change the key or the id",
                    R::KIND,
                    holder.id(),
                    holder.scope(),
                    holder.source_path()
                ),
            );
            continue;
        }
        let change = match have {
            None => Change::new(Action::Create, Some(want), None),
            Some(have) if have.retired() => {
                Change::new(Action::Unretire, Some(want), Some(have.clone()))
                    .with_note("file is back")
            }
            Some(have)
                if have.content_hash() == want.content_hash()
                    && source_location(have.source_path())
                        == source_location(want.source_path()) =>
            {
                Change::new(Action::Unchanged, None, Some(have.clone()))
            }
            Some(have) => Change::new(Action::Update, Some(want), Some(have.clone())),
        };
        changes.insert(id, change);
    }
    for (id, have) in actual {
        if have.scope() != scope || changes.contains_key(id) {
            continue;
        }
        let change = if have.retired() {
            continue;
        } else if protected(have) {
            Change::new(Action::Unchanged, None, Some(have.clone()))
                .with_note("kept: its file failed to read or validate")
        } else if let Some(why) = held {
            Change::new(Action::Unchanged, None, Some(have.clone())).with_note(why)
        } else {
            Change::new(Action::Retire, None, Some(have.clone())).with_note("file removed")
        };
        changes.insert(id.clone(), change);
    }
    changes
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use proptest::prelude::*;

    use super::*;
    use crate::definition::{
        ActivityDefinition, Catalog, CronTrigger, MisfirePolicy, Origin, Trigger, id_from_key,
    };
    use crate::plan::{Actual, DefinitionRow};

    fn definition(
        key: &str,
        alt_id: bool,
        minute: u8,
        enabled: bool,
        body: &str,
    ) -> ActivityDefinition {
        let cron = format!("{minute} * * * *");
        ActivityDefinition {
            id: if alt_id {
                id_from_key(&format!("{key}-alt"))
            } else {
                id_from_key(key)
            },
            key: key.to_string(),
            name: format!("Name of {key}"),
            enabled,
            trigger: Trigger::Cron(CronTrigger {
                cron: cron.clone(),
                timezone: "UTC".into(),
                misfire_policy: MisfirePolicy::Skip,
                catchup_window_seconds: None,
                jitter_seconds: None,
            }),
            spec: serde_json::json!({"key": key, "name": format!("Name of {key}"), "enabled": enabled,
                "trigger": {"type": "cron", "cron": cron}}),
            body: body.to_string(),
            origin: Origin {
                source_path: format!("defs/{key}.md"),
                rel_path: format!("{key}.md"),
                lines: BTreeMap::new(),
            },
        }
    }

    /// (key index, alternative id, minute, enabled, body)
    fn arb_definition() -> impl Strategy<Value = (u8, bool, u8, bool, String)> {
        (
            0u8..12,
            prop::bool::weighted(0.1),
            0u8..3,
            any::<bool>(),
            "[ab]{0,2}",
        )
    }

    /// A desired set and an actual state with rows of scopes `a` and `b`.
    fn arb_world() -> impl Strategy<Value = (Desired, Actual)> {
        let desired = prop::collection::vec(arb_definition(), 0..10);
        let actual = prop::collection::vec((arb_definition(), any::<bool>(), any::<bool>()), 0..12);
        (desired, actual).prop_map(|(desired, actual)| {
            let mut catalog = Catalog::default();
            let mut keys = std::collections::BTreeSet::new();
            for (k, alt, minute, enabled, body) in desired {
                let key = format!("k{k}");
                if keys.insert(key.clone()) {
                    let d = definition(&key, alt, minute, enabled, &body);
                    catalog.activities.insert(d.id, d);
                }
            }
            let mut rows = Actual::default();
            let mut row_keys = std::collections::BTreeSet::new();
            for ((k, _alt, minute, enabled, body), other_scope, retired) in actual {
                let key = format!("k{k}");
                if !row_keys.insert(key.clone()) {
                    continue;
                }
                let d = definition(&key, false, minute, enabled, &body);
                let mut row = DefinitionRow::desired(&d, if other_scope { "b" } else { "a" });
                if retired {
                    row.retired = true;
                    row.enabled = false;
                }
                rows.definitions.insert(row.id, row);
            }
            (
                Desired {
                    catalog,
                    sources: Vec::new(),
                    failed: Vec::new(),
                    files: Vec::new(),
                },
                rows,
            )
        })
    }

    fn options() -> PlanOptions {
        PlanOptions {
            scope: "a".into(),
            stages: Stages {
                definitions: true,
                event_types: true,
                schedules: false,
            },
            allow_empty: true,
            max_delete: Some(usize::MAX),
            schedules: None,
        }
    }

    /// What the applier does to the rows, as a pure function.
    fn apply_to(actual: &Actual, plan: &Plan) -> Actual {
        let mut next = actual.clone();
        for (id, change) in &plan.definitions {
            match change.action {
                Action::Create | Action::Update | Action::Unretire => {
                    next.definitions
                        .insert(*id, change.desired.clone().unwrap());
                }
                Action::Retire => {
                    let row = next.definitions.get_mut(id).unwrap();
                    row.retired = true;
                    row.enabled = false;
                }
                Action::Unchanged => {}
            }
        }
        next
    }

    proptest! {
        #[test]
        fn applying_the_plan_yields_the_desired_state((desired, actual) in arb_world()) {
            let plan = plan(&desired, &actual, &options());
            let after = apply_to(&actual, &plan);
            let conflicted: Vec<String> = plan.errors.iter().filter_map(|e| e.id.clone()).collect();
            for (id, d) in &desired.catalog.activities {
                if conflicted.contains(&id.to_string()) {
                    // Refused (owned by scope `b`, or its key is held by another row): untouched.
                    prop_assert_eq!(after.definitions.get(id), actual.definitions.get(id));
                    continue;
                }
                let row = after.definitions.get(id).expect("desired row exists");
                prop_assert_eq!(row, &DefinitionRow::desired(d, "a"));
            }
            for (id, row) in &after.definitions {
                if row.scope == "a" && !desired.catalog.activities.contains_key(id) {
                    prop_assert!(row.retired, "{} should be retired", row.key);
                }
            }
        }

        #[test]
        fn planning_again_changes_nothing((desired, actual) in arb_world()) {
            let first = plan(&desired, &actual, &options());
            let after = apply_to(&actual, &first);
            let second = plan(&desired, &after, &options());
            prop_assert!(!second.has_changes(), "second plan: {:?}", second.definitions);
        }

        #[test]
        fn other_scopes_never_change((desired, actual) in arb_world()) {
            let plan = plan(&desired, &actual, &options());
            let after = apply_to(&actual, &plan);
            for (id, row) in actual.definitions.iter().filter(|(_, r)| r.scope == "b") {
                prop_assert_eq!(after.definitions.get(id), Some(row));
            }
            for change in plan.definitions.values() {
                prop_assert_eq!(change.row().scope.as_str(), "a");
            }
        }

        #[test]
        fn plans_are_deterministic((desired, actual) in arb_world()) {
            let a = plan(&desired, &actual, &options());
            let b = plan(&desired.clone(), &actual.clone(), &options());
            prop_assert_eq!(serde_json::to_string(&a).unwrap(), serde_json::to_string(&b).unwrap());
        }
    }

    #[test]
    fn default_limit_is_ten_or_a_quarter() {
        assert_eq!(default_max_delete(0), 10);
        assert_eq!(default_max_delete(40), 10);
        assert_eq!(default_max_delete(41), 11);
        assert_eq!(default_max_delete(100), 25);
    }
}
