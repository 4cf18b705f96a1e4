//! `diff` as a run: two sets of sources in, one [`Report`] out, offline. The base is read
//! and turned into the state its apply would leave ([`baseline`]); the head is planned
//! against it by the same pure planner `plan` uses, so the report shows exactly the row
//! changes `apply` would make, and the schedule view of what they change.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};

use crate::cli::DiffArgs;
use crate::error::Exit;
use crate::gather::Desired;
use crate::output::emit;
use crate::plan::{ForesightOptions, PlanOptions, RunError, Stages, baseline, plan};
use crate::render::{self, Format};
use crate::report::{Mode, Report};
use crate::schedule::desired::WorkflowTarget;
use crate::source::SourceSpec;

/// The decided settings of one `diff`.
#[derive(Debug, Clone)]
pub struct DiffConfig {
    pub base: Vec<SourceSpec>,
    pub head: Vec<SourceSpec>,
    pub scope: String,
    pub event_types: bool,
    pub format: Format,
    pub strict: bool,
    pub detailed_exitcode: bool,
    pub allow_empty: bool,
    pub max_delete: Option<usize>,
    /// Where next fires are counted from.
    pub now: DateTime<Utc>,
}

impl DiffConfig {
    pub fn new(args: &DiffArgs) -> DiffConfig {
        DiffConfig {
            // As typed: nothing is stored, and paths relative to the checkout read best in
            // a pull-request comment.
            base: args.base.clone(),
            head: args.head.clone(),
            scope: args.scope.clone(),
            event_types: args.event_types,
            format: args.format,
            strict: args.strict,
            detailed_exitcode: args.detailed_exitcode,
            allow_empty: args.allow_empty,
            max_delete: args.max_delete,
            now: args.now.unwrap_or_else(Utc::now),
        }
    }

    fn options(&self) -> PlanOptions {
        PlanOptions {
            scope: self.scope.clone(),
            stages: Stages {
                definitions: true,
                event_types: self.event_types,
                schedules: true,
            },
            allow_empty: self.allow_empty,
            max_delete: self.max_delete,
            adopt: false,
            unpause_manual: false,
            // The workflow and task queue are the same on both sides: they never differ.
            target: WorkflowTarget::default(),
            now: self.now,
            // Fire rates and herds are computed offline: the defaults of `plan`.
            foresight: ForesightOptions::default(),
            schedules_from: Default::default(),
        }
    }
}

/// Reads both sides, plans, prints the report and says how to exit (as `plan`: 0, 2 with
/// `--detailed-exitcode` and changes, 1 when a source failed, 3 when `apply` would refuse,
/// 4 for an invalid head file with `--strict`).
pub fn run(config: &DiffConfig) -> Exit {
    let report = diff(
        &Desired::gather(&config.base),
        &Desired::gather(&config.head),
        config,
    );
    if let Err(e) = emit(&render::report(&report, config.format)) {
        eprintln!("error: cannot write the report: {e}");
    }
    Exit::from(&report)
}

/// The report of a diff between two desired states.
pub fn diff(base: &Desired, head: &Desired, config: &DiffConfig) -> Report {
    let options = config.options();
    let mut plan = plan(head, &baseline(base, head, &options), &options);
    // The state planned against is made up: there is no fingerprint to apply it by.
    plan.fingerprint = String::new();
    // The base's invalid files are listed (they are not the change's doing, and so never
    // fail it), except where the head has the same error in the same file; a base source
    // that fails leaves no state to compare with.
    let in_head: BTreeSet<(&str, usize, usize, &str)> = head
        .catalog
        .errors
        .iter()
        .map(|d| {
            (
                rel_path(head, &d.source_path),
                d.line,
                d.col,
                d.message.as_str(),
            )
        })
        .collect();
    plan.errors.extend(
        base.catalog
            .errors
            .iter()
            .filter(|d| {
                !in_head.contains(&(
                    rel_path(base, &d.source_path),
                    d.line,
                    d.col,
                    d.message.as_str(),
                ))
            })
            .map(|d| RunError {
                stage: "base".into(),
                ..RunError::from(d)
            }),
    );
    let run_errors: Vec<RunError> = base
        .failed
        .iter()
        .map(|f| RunError::new("base", &f.message).id(&f.source))
        .collect();
    Report {
        mode: Mode::Diff,
        outcome: Report::decide(&plan, &run_errors, config.strict),
        plan,
        database: String::new(),
        run_errors,
        applied: None,
        calls: None,
        started_at: config.now,
        detailed_exitcode: config.detailed_exitcode,
        fail_on_lock: false,
        base: Some(base.sources.clone()),
    }
}

/// The path of a file read from `desired` relative to its source root (its `source_path`
/// when it is not one of the files read).
fn rel_path<'a>(desired: &'a Desired, source_path: &'a str) -> &'a str {
    desired
        .files
        .iter()
        .find(|f| f.source_path == source_path)
        .map_or(source_path, |f| f.rel_path.as_str())
}
