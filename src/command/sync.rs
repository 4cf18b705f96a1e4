//! `plan` and `apply`: gather → snapshot → plan → (lock, apply) → report.

use std::path::Path;

use anyhow::{Context, bail};
use chrono::{DateTime, Utc};

use std::collections::{BTreeMap, BTreeSet};

use futures_util::stream::{self, StreamExt};

use crate::apply::{apply_rows, apply_schedules};
use crate::cli::{ApplyArgs, PlanArgs, Refresh, RunArgs};
use crate::error::Exit;
use crate::gather::Desired;
use crate::output::emit;
use crate::plan::{PLAN_FORMAT, Plan, PlanOptions, RunError, Stages, plan as make_plan};
use crate::render::{self, report::Mode, report::Outcome, report::Report};
use crate::schedule::actual::ActualSchedule;
use crate::schedule::desired::WorkflowTarget;
use crate::schedule::planner::{ScheduleOptions, to_describe};
use crate::store::{LockOutcome, RunRecord, Store, redact};
use crate::temporal::{Temporal, TemporalError};

fn options(run: &RunArgs, schedules: bool, now: DateTime<Utc>) -> PlanOptions {
    PlanOptions {
        scope: run.scope.clone(),
        stages: Stages {
            definitions: run.definitions,
            event_types: run.event_types,
            schedules,
        },
        allow_empty: run.allow_empty,
        max_delete: run.max_delete,
        schedules: Some(ScheduleOptions {
            scope: run.scope.clone(),
            adopt: run.adopt,
            target: WorkflowTarget {
                workflow_type: run.workflow_type.clone(),
                task_queue: run.task_queue.clone(),
            },
            now,
        }),
    }
}

/// Temporal, and the schedules the run needs: one paginated list, then a describe of each
/// schedule the list alone would change (every managed one with `--refresh full`).
struct Schedules {
    temporal: Temporal,
    actual: BTreeMap<String, ActualSchedule>,
}

async fn read_schedules(
    run: &RunArgs,
    desired: Option<&Desired>,
    describe_ids: Vec<String>,
    now: DateTime<Utc>,
) -> Result<Schedules, TemporalError> {
    let temporal = Temporal::connect(&run.temporal.settings()).await?;
    let mut actual = temporal.list().await?;
    let mut ids = describe_ids;
    if let Some(desired) = desired {
        let probe = options(run, true, now);
        let schedule_options = probe.schedules.expect("options carry schedule options");
        ids.extend(to_describe(
            &desired.catalog,
            &actual,
            &schedule_options,
            run.refresh == Refresh::Full,
        ));
    }
    ids.sort();
    ids.dedup();
    let described: Vec<(String, Result<Option<ActualSchedule>, TemporalError>)> = stream::iter(ids)
        .map(|id| {
            let temporal = temporal.clone();
            async move {
                let result = temporal.describe(&id).await;
                (id, result)
            }
        })
        .buffer_unordered(usize::from(run.concurrency))
        .collect()
        .await;
    for (id, result) in described {
        match result? {
            Some(schedule) => {
                actual.insert(id, schedule);
            }
            None => {
                actual.remove(&id);
            }
        }
    }
    Ok(Schedules { temporal, actual })
}

/// The outcome a plan would have before anything is written.
fn planned_outcome(plan: &Plan, strict: bool) -> Outcome {
    if plan.refusal.is_some() {
        Outcome::Refused
    } else if strict && plan.invalid > 0 {
        Outcome::Invalid
    } else if plan.source_failed {
        Outcome::Failed
    } else {
        Outcome::Success
    }
}

/// The one place outcomes become exit codes.
fn exit_for(outcome: Outcome, plan: &Plan, detailed: bool, fail_on_lock: bool) -> Exit {
    match outcome {
        Outcome::Failed => Exit::Failure,
        Outcome::Refused => Exit::Refused,
        Outcome::Invalid => Exit::Invalid,
        Outcome::LockSkipped if fail_on_lock => Exit::Refused,
        Outcome::LockSkipped => Exit::Success,
        Outcome::Success if detailed && plan.has_changes() => Exit::ChangesPending,
        Outcome::Success => Exit::Success,
    }
}

fn record(report: &Report<'_>, started: DateTime<Utc>) -> RunRecord {
    RunRecord {
        id: uuid::Uuid::new_v4().to_string(),
        mode: report.mode.as_str().to_string(),
        scope: report.plan.scope.clone(),
        started_at: started,
        finished_at: Utc::now(),
        sources: serde_json::to_value(&report.plan.sources).expect("sources serialize"),
        counts: report.counts_json(),
        errors: serde_json::to_value(report.bounded_errors()).expect("errors serialize"),
        outcome: report.outcome.as_str().to_string(),
    }
}

/// Runs the async part of a command under the run's `--deadline`. When it expires, the
/// open transaction is dropped (rolled back) and the run fails.
fn within<F>(deadline: std::time::Duration, run: F) -> anyhow::Result<Exit>
where
    F: std::future::Future<Output = anyhow::Result<Exit>>,
{
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async {
        match tokio::time::timeout(deadline, run).await {
            Ok(result) => result,
            Err(_) => {
                bail!("deadline of {deadline:?} exceeded; nothing from this run was committed")
            }
        }
    })
}

/// Reads the schedules when the stage is on; a Temporal failure becomes an error of the
/// run (exit 1) and the stage is left out of the plan, never guessed.
async fn schedules_for(
    run: &RunArgs,
    desired: Option<&Desired>,
    describe: Vec<String>,
    now: DateTime<Utc>,
    errors: &mut Vec<RunError>,
) -> Option<Schedules> {
    if !run.schedules {
        return None;
    }
    match read_schedules(run, desired, describe, now).await {
        Ok(schedules) => Some(schedules),
        Err(e) => {
            errors
                .push(RunError::new("schedules", e.to_string()).id(&run.temporal.temporal_address));
            None
        }
    }
}

pub fn plan(args: &PlanArgs) -> anyhow::Result<Exit> {
    if args.run.sources.is_empty() {
        bail!("`plan` needs at least one `--source`");
    }
    let started = Utc::now();
    let desired = Desired::gather(&args.run.sources);
    within(args.run.deadline, async {
        let store = Store::connect(&args.run.database.database_url).await?;
        let mut actual = store.snapshot().await?;
        let mut run_errors = Vec::new();
        let schedules = schedules_for(
            &args.run,
            Some(&desired),
            Vec::new(),
            started,
            &mut run_errors,
        )
        .await;
        let schedules_ok = schedules.is_some();
        if let Some(s) = &schedules {
            actual.schedules = s.actual.clone();
        }
        let plan = make_plan(
            &desired,
            &actual,
            &options(&args.run, schedules_ok, started),
        );
        if let Some(out) = &args.out {
            save(&plan, out)?;
        }
        let mut outcome = planned_outcome(&plan, args.run.strict);
        if !run_errors.is_empty() && outcome == Outcome::Success {
            outcome = Outcome::Failed;
        }
        let report = Report {
            mode: Mode::Plan,
            plan: &plan,
            outcome,
            database: redact(&args.run.database.database_url),
            applied: false,
            run_errors,
            schedules_done: None,
            calls: schedules.as_ref().map(|s| s.temporal.calls.snapshot()),
        };
        emit(&render::report(&report, args.run.format))?;
        // The audit trail is best effort for plan: read-only credentials must still plan.
        if store.has_schema().await.unwrap_or(false)
            && let Err(e) = store.record_run(&record(&report, started)).await
        {
            tracing::warn!(error = %e, "could not record the plan in sync_runs");
        }
        Ok(exit_for(
            report.outcome,
            &plan,
            args.detailed_exitcode,
            false,
        ))
    })
}

pub fn apply(args: &ApplyArgs) -> anyhow::Result<Exit> {
    let started = Utc::now();
    let saved = match (&args.plan, args.run.sources.is_empty()) {
        (Some(_), false) => bail!("give either a saved PLAN or `--source`, not both"),
        (None, true) => {
            bail!("`apply` needs at least one `--source`, or a PLAN saved by `plan --out`")
        }
        (Some(path), true) => Some(load(path)?),
        (None, false) => None,
    };
    let desired = match saved {
        None => Some(Desired::gather(&args.run.sources)),
        Some(_) => None,
    };
    let url = &args.run.database.database_url;
    within(args.run.deadline, async {
        let store = Store::connect(url).await?;
        store.migrate().await?;
        let scope = saved
            .as_ref()
            .map_or(args.run.scope.as_str(), |p| p.scope.as_str());
        let mut session = match store.lock(scope, args.lock_timeout).await? {
            LockOutcome::Locked(session) => session,
            LockOutcome::Held => {
                let nothing = Plan {
                    definitions: Default::default(),
                    event_types: Default::default(),
                    schedules: Default::default(),
                    ..saved.clone().unwrap_or_else(|| {
                        make_plan(
                            desired.as_ref().expect("sources were read"),
                            &Default::default(),
                            &options(&args.run, false, started),
                        )
                    })
                };
                let report = Report {
                    mode: Mode::Apply,
                    plan: &nothing,
                    outcome: Outcome::LockSkipped,
                    database: redact(url),
                    applied: false,
                    run_errors: vec![RunError::new(
                        "lock",
                        format!(
                            "another run holds scope `{scope}`; waited {:?}",
                            args.lock_timeout
                        ),
                    )],
                    schedules_done: None,
                    calls: None,
                };
                emit(&render::report(&report, args.run.format))?;
                return Ok(exit_for(
                    Outcome::LockSkipped,
                    &nothing,
                    false,
                    args.fail_on_lock,
                ));
            }
        };
        let mut actual = session.snapshot().await?;
        let mut run_errors = Vec::new();
        let schedule_stage = saved
            .as_ref()
            .map_or(args.run.schedules, |p| p.stages.schedules);
        let schedules = if schedule_stage {
            let describe = saved
                .as_ref()
                .map(|p| {
                    p.schedules
                        .values()
                        .filter(|c| c.op.mutates())
                        .map(|c| c.schedule_id.clone())
                        .collect()
                })
                .unwrap_or_default();
            schedules_for(
                &args.run,
                desired.as_ref(),
                describe,
                started,
                &mut run_errors,
            )
            .await
        } else {
            None
        };
        if let Some(s) = &schedules {
            actual.schedules = s.actual.clone();
        }
        let plan = match saved {
            Some(plan) => {
                let now = actual.fingerprint(&plan.scope, plan.stages);
                if schedules.is_none() && plan.stages.schedules {
                    Plan {
                        refusal: Some(
                            "Temporal is unreachable: the saved plan cannot be checked".into(),
                        ),
                        ..plan
                    }
                } else if now != plan.fingerprint {
                    run_errors.push(RunError::new(
                        "plan",
                        "the saved plan is stale: the database or the schedules changed since it was made; plan again",
                    ));
                    Plan {
                        refusal: Some("stale saved plan".into()),
                        ..plan
                    }
                } else {
                    plan
                }
            }
            None => make_plan(
                desired.as_ref().expect("sources were read"),
                &actual,
                &options(&args.run, schedules.is_some(), started),
            ),
        };
        let mut outcome = planned_outcome(&plan, args.run.strict);
        let mut report = Report {
            mode: Mode::Apply,
            plan: &plan,
            outcome,
            database: redact(url),
            applied: false,
            run_errors,
            schedules_done: Some(BTreeSet::new()),
            calls: None,
        };
        let writable = matches!(outcome, Outcome::Success | Outcome::Failed);
        if !writable {
            session.rollback().await?;
            report.calls = schedules.as_ref().map(|s| s.temporal.calls.snapshot());
            emit(&render::report(&report, args.run.format))?;
            if let Err(e) = store.record_run(&record(&report, started)).await {
                tracing::warn!(error = %e, "could not record the run in sync_runs");
            }
            return Ok(exit_for(outcome, &plan, false, false));
        }
        // Rows first, committed: a schedule may fire as soon as it exists, and the runtime
        // loads its row by id at run time.
        if let Err(e) = async {
            apply_rows(&mut session, &plan, Utc::now()).await?;
            session.checkpoint().await
        }
        .await
        {
            session.rollback().await.ok();
            report.outcome = Outcome::Failed;
            report
                .run_errors
                .push(RunError::new("database", e.to_string()));
            emit(&render::report(&report, args.run.format))?;
            if let Err(e) = store.record_run(&record(&report, started)).await {
                tracing::warn!(error = %e, "could not record the run in sync_runs");
            }
            return Ok(Exit::Failure);
        }
        report.applied = true;
        if let Some(s) = &schedules {
            let result =
                apply_schedules(&s.temporal, &plan, usize::from(args.run.concurrency)).await;
            report.schedules_done = Some(result.done);
            report.run_errors.extend(result.errors);
            report.calls = Some(s.temporal.calls.snapshot());
        }
        if !report.run_errors.is_empty() {
            outcome = Outcome::Failed;
            report.outcome = outcome;
        }
        session.record_run(&record(&report, started)).await?;
        session.commit().await?;
        emit(&render::report(&report, args.run.format))?;
        Ok(exit_for(outcome, &plan, false, false))
    })
}

fn save(plan: &Plan, path: &Path) -> anyhow::Result<()> {
    let text = serde_json::to_string_pretty(plan).expect("plans serialize");
    std::fs::write(path, text)
        .with_context(|| format!("cannot write the plan to `{}`", path.display()))
}

fn load(path: &Path) -> anyhow::Result<Plan> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the plan `{}`", path.display()))?;
    let plan: Plan = serde_json::from_str(&text).with_context(|| {
        format!(
            "`{}` is not a plan saved by `activity-sync plan --out`",
            path.display()
        )
    })?;
    if plan.format != PLAN_FORMAT {
        bail!(
            "`{}` has plan format {}, this activity-sync reads format {PLAN_FORMAT}; plan again",
            path.display(),
            plan.format
        );
    }
    Ok(plan)
}
