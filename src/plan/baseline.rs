//! The actual state `diff` plans against: what a database and a namespace would hold after
//! the base sources had been applied, with no database or Temporal to ask (pull requests,
//! forks included, have neither).
//!
//! The base is planned by the same planner against an empty state, and that plan is applied
//! as a pure function: rows exactly as `DefinitionRow::desired` writes them, schedules
//! exactly as the executor creates them (marker, spec hash, pause and note). Planning the
//! head against that state then yields the row changes `apply` would make, and — because the
//! base's schedules are there, described — only the schedules the change touches, with the
//! next fires and DST warnings the planner computes for every created or updated one.

use std::collections::BTreeMap;

use super::actual::Actual;
use super::plan::Plan;
use super::planner::{PlanOptions, plan};
use super::row_change::RowStep;
use super::schedule_change::ScheduleStep;
use super::stages::Stages;
use crate::gather::Desired;
use crate::schedule::actual::ActualSchedule;

/// The state the base leaves once applied from scratch, each row's location moved onto the
/// head's file of the same relative path (see [`rebase`]).
pub fn baseline(base: &Desired, head: &Desired, options: &PlanOptions) -> Actual {
    let first = PlanOptions {
        stages: Stages {
            definitions: true,
            event_types: options.stages.event_types,
            schedules: true,
        },
        // Nothing exists yet: nothing to retire, nothing to refuse.
        allow_empty: true,
        max_delete: None,
        adopt: false,
        unpause_manual: false,
        ..options.clone()
    };
    let mut actual = applied(&plan(base, &Actual::default(), &first));
    rebase(&mut actual, base, head);
    actual
}

/// The state after `plan` is applied to an empty database and namespace: rows created,
/// schedules created as the executor writes them (`once` ones not yet fired).
fn applied(plan: &Plan) -> Actual {
    let mut actual = Actual::default();
    for (id, change) in &plan.definitions {
        if let RowStep::Create { want } = &change.step {
            actual.definitions.insert(*id, want.clone());
        }
    }
    for (name, change) in &plan.event_types {
        if let RowStep::Create { want } = &change.step {
            actual.event_types.insert(name.clone(), want.clone());
        }
    }
    for (id, change) in &plan.schedules {
        if let ScheduleStep::Create {
            want,
            temporal_note,
        } = &change.step
        {
            actual.schedules.insert(
                id.clone(),
                ActualSchedule::as_written(&plan.scope, want, temporal_note, Vec::new()),
            );
        }
    }
    actual
}

/// Moves each base row's `source_path` onto the head file with the same path relative to
/// its source root, when exactly one head file has it.
///
/// A pull request is usually diffed as `--base 'git::.?ref=origin/main' --head .`: the
/// same files read through two kinds of source, whose `source_path`s differ
/// (`git::…@<sha>:defs/a.md` against `defs/a.md`). Compared as they are, every definition
/// would show as moved, and a file that the head breaks would not be recognised as the
/// base row's file — its row would look retired. Compared by relative path, only what the
/// change does to the files shows, and a broken file protects its row as in `plan`.
fn rebase(actual: &mut Actual, base: &Desired, head: &Desired) {
    let mut heads: BTreeMap<&str, Option<&str>> = BTreeMap::new();
    for file in &head.files {
        heads
            .entry(file.rel_path.as_str())
            .and_modify(|found| *found = None)
            .or_insert(Some(file.source_path.as_str()));
    }
    let rel_paths: BTreeMap<&str, &str> = base
        .files
        .iter()
        .map(|f| (f.source_path.as_str(), f.rel_path.as_str()))
        .collect();
    let moved = |source_path: &mut String| {
        if let Some(Some(head_path)) = rel_paths
            .get(source_path.as_str())
            .and_then(|rel| heads.get(rel))
        {
            *source_path = (*head_path).to_string();
        }
    };
    for row in actual.definitions.values_mut() {
        moved(&mut row.source_path);
    }
    for row in actual.event_types.values_mut() {
        moved(&mut row.source_path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::definition::{Catalog, SourceFile};
    use crate::plan::{Action, ScheduleOp};
    use crate::schedule::desired::WorkflowTarget;

    fn now() -> chrono::DateTime<chrono::Utc> {
        chrono::DateTime::parse_from_rfc3339("2026-03-20T12:00:00Z")
            .unwrap()
            .with_timezone(&chrono::Utc)
    }

    fn options() -> PlanOptions {
        PlanOptions {
            scope: "s".into(),
            stages: Stages {
                definitions: true,
                event_types: false,
                schedules: true,
            },
            allow_empty: false,
            max_delete: None,
            adopt: false,
            unpause_manual: false,
            target: WorkflowTarget::default(),
            now: now(),
            foresight: Default::default(),
            schedules_from: Default::default(),
        }
    }

    fn def(key: &str, cron: &str, enabled: bool) -> String {
        format!(
            "---\nkey: {key}\nname: {key}\nenabled: {enabled}\ntrigger:\n  type: cron\n  cron: \"{cron}\"\n---\nBody of {key}.\n"
        )
    }

    /// Files read through a source whose `source_path`s start with `prefix`.
    fn desired(prefix: &str, files: &[(&str, String)]) -> Desired {
        let files: Vec<SourceFile> = files
            .iter()
            .map(|(rel, text)| SourceFile {
                source_path: format!("{prefix}{rel}"),
                rel_path: rel.to_string(),
                text: text.clone(),
            })
            .collect();
        Desired {
            catalog: Catalog::build(&files, Vec::new()),
            sources: Vec::new(),
            failed: Vec::new(),
            files,
        }
    }

    fn diff(base: &Desired, head: &Desired) -> Plan {
        plan(head, &baseline(base, head, &options()), &options())
    }

    #[test]
    fn the_same_files_through_another_kind_of_source_are_no_change() {
        let files = [
            ("a.md", def("a", "0 * * * *", true)),
            ("b.md", def("b", "0 6 * * *", false)),
        ];
        // `source_location` strips the commit, not the directory the head is read from.
        let base = desired("git::/r@0123abcd:", &files);
        let head = desired("/home/runner/work/defs/", &files);
        let plan = diff(&base, &head);
        assert!(!plan.has_changes(), "{plan:#?}");
        assert!(plan.schedules.values().all(|c| !c.listed()), "{plan:#?}");
    }

    #[test]
    fn only_what_changed_is_planned_with_its_next_fires() {
        let base = desired(
            "git::/r@0123abcd:",
            &[
                ("a.md", def("a", "0 * * * *", true)),
                ("b.md", def("b", "0 6 * * *", true)),
                ("c.md", def("c", "0 7 * * *", true)),
                ("d.md", def("d", "0 8 * * *", true)),
            ],
        );
        let head = desired(
            "",
            &[
                ("a.md", def("a", "*/5 * * * *", true)),
                ("b.md", def("b", "0 6 * * *", false)),
                ("c.md", def("c", "0 7 * * *", true)),
                ("e.md", def("e", "0 9 * * *", true)),
            ],
        );
        let plan = diff(&base, &head);
        let rows: BTreeMap<&str, Action> = plan
            .definitions
            .values()
            .map(|c| (c.row().key.as_str(), c.action()))
            .collect();
        assert_eq!(
            rows,
            BTreeMap::from([
                ("a", Action::Update),
                ("b", Action::Update),
                ("c", Action::Unchanged),
                ("d", Action::Retire),
                ("e", Action::Create),
            ])
        );
        let schedules: BTreeMap<&str, (ScheduleOp, usize)> = plan
            .schedules
            .values()
            .map(|c| (c.key.as_deref().unwrap(), (c.op(), c.fires.len())))
            .collect();
        assert_eq!(
            schedules,
            BTreeMap::from([
                ("a", (ScheduleOp::Update, 3)),
                ("b", (ScheduleOp::Pause, 0)),
                ("c", (ScheduleOp::Unchanged, 0)),
                ("d", (ScheduleOp::Delete, 0)),
                ("e", (ScheduleOp::Create, 3)),
            ])
        );
    }

    #[test]
    fn a_file_the_head_breaks_keeps_its_row_and_schedule() {
        let base = desired(
            "git::/r@0123abcd:",
            &[
                ("a.md", def("a", "0 * * * *", true)),
                ("b.md", def("b", "0 6 * * *", true)),
            ],
        );
        let head = desired(
            "/home/runner/work/defs/",
            &[
                ("a.md", "---\nkey: a\ntrigger: [\n---\n".to_string()),
                ("b.md", def("b", "0 6 * * *", true)),
            ],
        );
        let plan = diff(&base, &head);
        assert_eq!(plan.invalid, 1);
        assert_eq!(plan.definition_counts().retired, 0, "{plan:#?}");
        assert!(!plan.has_changes(), "{plan:#?}");
        let kept = plan
            .definitions
            .values()
            .find(|c| c.row().key == "a")
            .unwrap();
        assert_eq!(kept.action(), Action::Unchanged);
        assert!(kept.note.as_deref().unwrap().contains("failed"), "{kept:?}");
    }

    #[test]
    fn a_head_that_removes_everything_is_refused_as_its_apply_would_be() {
        let base = desired(
            "git::/r@0123abcd:",
            &[
                ("a.md", def("a", "0 * * * *", true)),
                ("b.md", def("b", "0 6 * * *", true)),
            ],
        );
        let head = desired("/home/runner/work/defs/", &[]);
        let plan = diff(&base, &head);
        let refusal = plan.refusal.as_deref().expect("refused");
        assert!(refusal.contains("no valid definitions"), "{refusal}");
        assert_eq!(plan.definition_counts().retired, 0, "{plan:#?}");
    }
}
