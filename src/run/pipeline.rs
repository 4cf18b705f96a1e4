//! `plan` and `apply` as one pipeline: every path, failed, refused and lock-skipped ones
//! included, ends in one [`Report`] that [`finish`](super::finish) records and prints.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::time::Instant;

use super::config::InputSpec;
use super::config::RunConfig;
use super::finish::finish;
use super::input::{Input, save};
use super::progress_line::ProgressLine;
use super::read::{Describe, describe_listed};
use super::rollback::backwards;
use crate::apply::{Applied, ApplyLimits, Progress, apply_rows, apply_schedules, tables_created};
use crate::error::Exit;
use crate::gather::{Desired, SourceInfo};
use crate::plan::{Actual, Plan, PlanOptions, RunError, Stages, Workers, plan as make_plan};
use crate::render::Format;
use crate::report::{Mode, Outcome, Report};
use crate::schedule::actual::ActualSchedule;
use crate::schedule::backend::{BackendError, ScheduleBackend};
use crate::store::{CALL_TIMEOUT, LockOutcome, Session, Store, StoreError, bounded, redact};
use crate::temporal::{Temporal, TemporalError};
use tokio::task::JoinHandle;

/// Runs `plan` or `apply` to its report, records and prints it, and says how to exit.
pub fn run(config: &RunConfig) -> Exit {
    let started = Utc::now();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return Exit::Failure;
        }
    };
    runtime.block_on(async {
        let progress = Arc::new(Progress::default());
        let line = ProgressLine::start(progress.clone(), config.format != Format::Json);
        let mut run = Run {
            config,
            started,
            deadline: Instant::now() + config.deadline,
            store: None,
            errors: Vec::new(),
            progress,
            prefetched: prefetch(config),
        };
        let mut report = match Input::load(config) {
            Err(e) => {
                let stages = config.stages.resolve();
                run.errors.push(RunError::new("plan", e.to_string()));
                run.report(
                    config.mode,
                    Plan::empty(&config.scope, stages, Vec::new()),
                    None,
                )
            }
            Ok(input) => match config.mode {
                // `diff` never comes here (it runs offline, `run::diff`); it would only plan.
                Mode::Plan | Mode::Diff => run.plan(input).await,
                Mode::Apply => run.apply(input).await,
            },
        };
        line.stop().await;
        finish(config, &mut report, run.store.as_ref()).await;
        Exit::from(&report)
    })
}

/// Temporal and the schedules read from it.
struct Schedules {
    temporal: Temporal,
    actual: BTreeMap<String, ActualSchedule>,
    /// Who polls the task queue, when it was asked with the list ([`prefetch`]).
    workers: Option<Workers>,
}

struct Run<'a> {
    config: &'a RunConfig,
    started: DateTime<Utc>,
    deadline: Instant,
    store: Option<Store>,
    errors: Vec<RunError>,
    /// How far the Temporal calls have got, for the terminal's progress line.
    progress: Arc<Progress>,
    /// `plan`: the list of the scope's schedules, started with the run ([`prefetch`]).
    prefetched: Option<JoinHandle<Result<Listed, Prefetch>>>,
}

/// Temporal, connected, what its list showed, and who polls the task queue.
type Listed = (Temporal, BTreeMap<String, ActualSchedule>, Workers);

/// Why the list started with the run failed.
#[derive(Debug, thiserror::Error)]
enum Prefetch {
    #[error(transparent)]
    Connect(TemporalError),
    #[error(transparent)]
    List(BackendError),
}

/// `plan` lists the scope's schedules while the sources are read and the rows fetched: the
/// list is most of a no-op run's time, and nothing it does depends on them. (`apply` lists
/// under the scope lock, after the rows: a list read before the lock could miss a
/// concurrent run's writes.)
fn prefetch(config: &RunConfig) -> Option<JoinHandle<Result<Listed, Prefetch>>> {
    let wanted = matches!(config.mode, Mode::Plan | Mode::Diff)
        && config.stages.resolve().schedules
        && !matches!(config.input, InputSpec::SavedPlan(_));
    if !wanted {
        return None;
    }
    let (settings, scope) = (config.temporal.clone(), config.scope.clone());
    let queue = config.target.task_queue.clone();
    Some(tokio::spawn(async move {
        let temporal = Temporal::connect(&settings)
            .await
            .map_err(Prefetch::Connect)?;
        // The worker check (SPEC §9) beside the list, not after it.
        let (listed, pollers) = tokio::join!(
            ScheduleBackend::list(&temporal, Some(&scope)),
            temporal.pollers(&queue)
        );
        let workers = match pollers {
            Ok(pollers) => Workers::Polling(pollers),
            Err(e) => Workers::Unknown(e.to_string()),
        };
        Ok((temporal, listed.map_err(Prefetch::List)?, workers))
    }))
}

impl Run<'_> {
    fn options(&self, scope: &str, stages: Stages) -> PlanOptions {
        PlanOptions {
            scope: scope.to_string(),
            stages,
            allow_empty: self.config.allow_empty,
            max_delete: self.config.max_delete,
            adopt: self.config.adopt,
            unpause_manual: self.config.unpause_manual,
            target: self.config.target.clone(),
            now: self.started,
            foresight: self.config.foresight,
            schedules_from: self.config.schedules_from,
        }
    }

    fn report(&self, mode: Mode, plan: Plan, applied: Option<Applied>) -> Report {
        let mut outcome = Report::decide(&plan, &self.errors, self.config.strict);
        let apply_failed = applied.as_ref().is_some_and(|a| !a.errors.is_empty());
        if apply_failed && matches!(outcome, Outcome::Success | Outcome::Conflict) {
            outcome = Outcome::Failed;
        }
        Report {
            mode,
            plan,
            outcome,
            database: redact(&self.config.database_url),
            run_errors: self.errors.clone(),
            applied,
            calls: None,
            started_at: self.started,
            detailed_exitcode: self.config.detailed_exitcode,
            fail_on_lock: self.config.fail_on_lock,
            base: None,
        }
    }

    /// Runs one stage under the run's `--deadline`; an error or the deadline becomes an
    /// error of the run, named by its stage.
    async fn within<T, E: std::fmt::Display>(
        &mut self,
        stage: &str,
        doing: &str,
        work: impl Future<Output = Result<T, E>>,
    ) -> Option<T> {
        match tokio::time::timeout_at(self.deadline, work).await {
            Ok(Ok(value)) => Some(value),
            Ok(Err(e)) => {
                self.errors.push(RunError::new(stage, e.to_string()));
                None
            }
            Err(_) => {
                self.errors.push(RunError::new(
                    stage,
                    format!(
                        "the run's deadline of {:?} passed while {doing}",
                        self.config.deadline
                    ),
                ));
                None
            }
        }
    }

    async fn connect(&mut self) -> Option<Store> {
        let url = self.config.database_url.clone();
        let store = self
            .within(
                "database",
                "connecting to the database",
                bounded("connecting", CALL_TIMEOUT, Store::connect(&url)),
            )
            .await?;
        self.store = Some(store.clone());
        Some(store)
    }

    /// Connects to Temporal and reads what the scope can own or adopt (the list is filtered
    /// by scope: [`Temporal::list`]); a failure is an error of the run.
    async fn schedules(&mut self, rows: &mut Actual, describe: Describe<'_>) -> Option<Schedules> {
        let settings = self.config.temporal.clone();
        let concurrency = self.config.concurrency;
        let progress = self.progress.clone();
        // A plan's list was started with the run ([`prefetch`]); an apply lists now.
        let (temporal, listed, workers) = match self.prefetched.take() {
            Some(listing) => {
                let waited = self
                    .within("schedules", "listing the schedules", async {
                        Ok::<_, std::convert::Infallible>(listing.await)
                    })
                    .await?;
                match waited {
                    Ok(Ok((temporal, listed, workers))) => (temporal, listed, Some(workers)),
                    Ok(Err(Prefetch::Connect(e))) => {
                        self.errors.push(RunError::new("schedules", e.to_string()));
                        return None;
                    }
                    Ok(Err(Prefetch::List(e))) => {
                        self.errors
                            .push(RunError::new("schedules", e.to_string()).id(&settings.address));
                        return None;
                    }
                    Err(e) => {
                        self.errors.push(RunError::new(
                            "schedules",
                            format!("listing the schedules failed: {e}"),
                        ));
                        return None;
                    }
                }
            }
            None => {
                let temporal = self
                    .within(
                        "schedules",
                        "connecting to Temporal",
                        Temporal::connect(&settings),
                    )
                    .await?;
                let scope = self.config.scope.clone();
                let list = ScheduleBackend::list(&temporal, Some(&scope));
                let Some(listed) = self
                    .within("schedules", "reading the schedules", list)
                    .await
                else {
                    self.attach_address(&settings.address);
                    return None;
                };
                (temporal, listed, None)
            }
        };
        let read = describe_listed(
            &temporal,
            rows,
            listed,
            describe,
            concurrency,
            Some(&progress),
        );
        let actual = self
            .within("schedules", "reading the schedules", read)
            .await;
        if actual.is_none() {
            self.attach_address(&settings.address);
        }
        Some(Schedules {
            actual: actual?,
            temporal,
            workers,
        })
    }

    /// Names the Temporal address on the last error (a failed read of the schedules).
    fn attach_address(&mut self, address: &str) {
        if let Some(last) = self.errors.last_mut() {
            last.id.get_or_insert_with(|| address.to_string());
        }
    }

    async fn plan(&mut self, input: Input) -> Report {
        let stages = self.config.stages.resolve();
        let scope = self.config.scope.clone();
        if let Input::Saved(_) = input {
            self.errors.push(RunError::new(
                "plan",
                "`plan` reads sources, not a saved plan",
            ));
            return self.report(Mode::Plan, Plan::empty(&scope, stages, Vec::new()), None);
        }
        let empty = |sources: &[SourceInfo]| Plan::empty(&scope, stages, sources.to_vec());
        let Some(store) = self.connect().await else {
            return self.report(Mode::Plan, empty(&input.sources()), None);
        };
        let shared = input.shared_specs();
        let read = store.snapshot_sharing(&shared);
        let Some(mut actual) = self
            .within(
                "database",
                "reading the database",
                bounded("reading the rows", CALL_TIMEOUT, read),
            )
            .await
        else {
            return self.report(Mode::Plan, empty(&input.sources()), None);
        };
        drop(shared);
        let Input::Sources(desired) = input.with_rows(&actual, &scope) else {
            unreachable!("a saved plan is refused above; the rows are read");
        };
        if let Some(refused) = self.backwards(&store, &scope, &desired.sources).await {
            return self.report(Mode::Plan, refused, None);
        }
        let mut planned = stages;
        let mut calls = None;
        if stages.schedules {
            let options = self.options(&scope, stages);
            match self
                .schedules(&mut actual, unsettled(&desired, &options, self.config))
                .await
            {
                Some(read) => {
                    actual.schedules = read.actual;
                    actual.workers = Some(match read.workers {
                        Some(workers) => workers,
                        None => self.workers(&read.temporal).await,
                    });
                    calls = Some(read.temporal.calls());
                }
                // Left out of the plan, never guessed.
                None => planned.schedules = false,
            }
        }
        let plan = make_plan(&desired, &actual, &self.options(&scope, planned));
        self.required_columns(&store, &plan).await;
        if let Some(out) = &self.config.out
            && let Err(e) = save(&plan, out)
        {
            self.errors.push(RunError::new("plan", e.to_string()));
        }
        let mut report = self.report(Mode::Plan, plan, None);
        report.calls = calls;
        report
    }

    async fn apply(&mut self, input: Input) -> Report {
        let (scope, stages) = match &input {
            Input::Sources(_) | Input::Database => {
                (self.config.scope.clone(), self.config.stages.resolve())
            }
            Input::Saved(plan) => match self.config.stages.narrow(plan.stages) {
                Ok(stages) => (plan.scope.clone(), stages),
                Err(message) => {
                    self.errors.push(RunError::new("plan", message));
                    let empty = Plan::empty(&plan.scope, plan.stages, plan.sources.clone());
                    return self.report(Mode::Apply, empty, None);
                }
            },
        };
        let empty = Plan::empty(&scope, stages, input.sources());
        let Some(store) = self.connect().await else {
            return self.report(Mode::Apply, empty, None);
        };
        let lock = bounded(
            "taking the scope lock",
            self.config.lock_timeout + CALL_TIMEOUT,
            store.lock(&scope, self.config.lock_timeout),
        );
        let mut session = match self
            .within("lock", "waiting for the scope lock", lock)
            .await
        {
            Some(LockOutcome::Locked(session)) => session,
            Some(LockOutcome::Held) => return self.lock_skipped(&scope, empty),
            None => return self.report(Mode::Apply, empty, None),
        };
        // Under the lock: two first runs on a fresh database must not race the migrations.
        let migrated = bounded("migrating", 4 * CALL_TIMEOUT, session.migrate(&store));
        if self
            .within("database", "migrating the database", migrated)
            .await
            .is_none()
        {
            rollback(session).await;
            return self.report(Mode::Apply, empty, None);
        }
        self.apply_locked(session, input, &scope, stages, empty)
            .await
    }

    fn lock_skipped(&mut self, scope: &str, empty: Plan) -> Report {
        self.errors.push(RunError::new(
            "lock",
            format!(
                "another run holds scope `{scope}`; waited {:?}",
                self.config.lock_timeout
            ),
        ));
        let mut report = self.report(Mode::Apply, empty, None);
        report.outcome = Outcome::LockSkipped;
        report
    }

    async fn apply_locked(
        &mut self,
        mut session: Session,
        input: Input,
        scope: &str,
        stages: Stages,
        empty: Plan,
    ) -> Report {
        let shared = input.shared_specs();
        let read = session.snapshot(&shared);
        let Some(mut actual) = self
            .within(
                "database",
                "reading the database",
                bounded("reading the rows", CALL_TIMEOUT, read),
            )
            .await
        else {
            rollback(session).await;
            return self.report(Mode::Apply, empty, None);
        };
        drop(shared);
        // The database mode's desired state: the rows just read, under the lock.
        let input = input.with_rows(&actual, scope);
        if let (Input::Sources(desired), Some(store)) = (&input, self.store.clone())
            && let Some(refused) = self.backwards(&store, scope, &desired.sources).await
        {
            rollback(session).await;
            return self.report(Mode::Apply, refused, None);
        }
        let mut temporal = None;
        if stages.schedules {
            let options = self.options(scope, stages);
            let describe = match &input {
                Input::Sources(desired) => unsettled(desired, &options, self.config),
                Input::Database => unreachable!("the rows were read above"),
                Input::Saved(plan) => Describe::These(
                    plan.schedules
                        .values()
                        .filter(|c| c.op().mutates())
                        .map(|c| c.schedule_id.clone())
                        .collect(),
                ),
            };
            let Some(read) = self.schedules(&mut actual, describe).await else {
                // Nothing is written when the schedules cannot be read: rows and schedules
                // are planned together or not at all.
                rollback(session).await;
                return self.report(Mode::Apply, empty, None);
            };
            actual.schedules = read.actual;
            if matches!(input, Input::Sources(_)) {
                actual.workers = Some(self.workers(&read.temporal).await);
            }
            temporal = Some(read.temporal);
        }
        let plan = match input {
            Input::Sources(desired) => make_plan(&desired, &actual, &self.options(scope, stages)),
            Input::Database => unreachable!("the rows were read above"),
            Input::Saved(plan) => self.check_saved(plan, &actual, stages),
        };
        let mut report = self.execute(session, plan, temporal.as_ref()).await;
        report.calls = temporal.as_ref().map(|t| t.calls());
        report
    }

    /// A table the plan creates rows in that has a `NOT NULL` column activity-sync cannot
    /// fill: the apply would refuse, so the plan says so now (an error of the run).
    async fn required_columns(&mut self, store: &Store, plan: &Plan) {
        for table in tables_created(plan) {
            let read = bounded(
                "reading the table's columns",
                CALL_TIMEOUT,
                store.required_unknown(table),
            );
            if let Some(columns) = self
                .within("database", "reading the table's columns", read)
                .await
                && !columns.is_empty()
            {
                let error = StoreError::RequiredColumns { table, columns };
                self.errors
                    .push(RunError::new("database", error.to_string()));
            }
        }
    }

    /// Who polls the task queue the schedules start workflows on: one DescribeTaskQueue,
    /// whose failure is only a warning of the plan (SPEC §9).
    async fn workers(&self, temporal: &Temporal) -> Workers {
        let queue = &self.config.target.task_queue;
        match tokio::time::timeout_at(self.deadline, temporal.pollers(queue)).await {
            Ok(Ok(pollers)) => Workers::Polling(pollers),
            Ok(Err(e)) => Workers::Unknown(e.to_string()),
            Err(_) => Workers::Unknown("the run's deadline passed".into()),
        }
    }

    /// Never backwards (SPEC §7): a plan that refuses the run when a source is at an older
    /// commit than the scope last applied from it (unless `--allow-rollback`); `None` when
    /// the run may go on.
    async fn backwards(
        &mut self,
        store: &Store,
        scope: &str,
        sources: &[SourceInfo],
    ) -> Option<Plan> {
        if !sources.iter().any(|s| s.revision.is_some()) {
            return None;
        }
        let applied = self
            .within(
                "database",
                "reading the applied revisions",
                bounded(
                    "reading the runs",
                    CALL_TIMEOUT,
                    store.applied_revisions(scope),
                ),
            )
            .await?;
        let older = backwards(sources, &applied, scope);
        if older.is_empty() {
            return None;
        }
        if self.config.allow_rollback {
            for (source, message) in older {
                tracing::warn!(source = %source, "--allow-rollback: {message}");
            }
            return None;
        }
        let stages = self.config.stages.resolve();
        let mut refused = Plan::empty(scope, stages, sources.to_vec());
        for (source, message) in older {
            self.errors
                .push(RunError::new("sources", message).id(source));
        }
        refused.refusal = Some("a source is older than what this scope last applied".into());
        Some(refused)
    }

    /// A saved plan is applied only while the state it was made against is unchanged.
    fn check_saved(&mut self, plan: Plan, actual: &Actual, stages: Stages) -> Plan {
        let mut plan = plan.narrowed(stages);
        let now = actual
            .fingerprints(&plan.scope)
            .combined(&plan.scope, plan.stages);
        if now != plan.fingerprint {
            self.errors.push(RunError::new(
                "plan",
                "the saved plan is stale: the database or the schedules changed since it was made; plan again",
            ));
            plan.refusal = Some("stale saved plan".into());
        }
        plan
    }

    /// Writes the plan: rows in one committed transaction, then the schedules.
    async fn execute(
        &mut self,
        mut session: Session,
        plan: Plan,
        temporal: Option<&Temporal>,
    ) -> Report {
        let outcome = Report::decide(&plan, &self.errors, self.config.strict);
        if !outcome.writes() {
            rollback(session).await;
            return self.report(Mode::Apply, plan, None);
        }
        // Rows first, committed: a schedule may fire as soon as it exists, and the runtime
        // loads its row by id at run time.
        let rows = async {
            apply_rows(&mut session, &plan, Utc::now()).await?;
            bounded("committing the rows", CALL_TIMEOUT, session.checkpoint()).await
        };
        if self
            .within("database", "writing the rows", rows)
            .await
            .is_none()
        {
            rollback(session).await;
            return self.report(Mode::Apply, plan, None);
        }
        let mut applied = Applied {
            rows_committed: true,
            ..Applied::default()
        };
        if let Some(temporal) = temporal {
            let limits = ApplyLimits {
                concurrency: self.config.concurrency,
                deadline: Some(self.deadline),
                halt_after: self.config.halt_after,
                progress: Some(&self.progress),
            };
            let (results, errors) = apply_schedules(temporal, &plan, limits).await;
            applied.schedules = results;
            applied.errors = errors;
        }
        if let Err(e) = bounded("committing", CALL_TIMEOUT, session.commit()).await {
            self.errors.push(RunError::new("database", e.to_string()));
        }
        self.report(Mode::Apply, plan, Some(applied))
    }
}

/// Ends the session's transaction without its writes. A database that does not answer
/// (it may be why the run is rolling back) gets a short wait: the transaction and the lock
/// end with the connection anyway.
async fn rollback(session: Session) {
    bounded("rolling back", Duration::from_secs(10), session.rollback())
        .await
        .ok();
}

fn unsettled<'a>(
    desired: &'a Desired,
    options: &'a PlanOptions,
    config: &RunConfig,
) -> Describe<'a> {
    Describe::Unsettled {
        desired,
        options,
        full: config.refresh_full,
    }
}
