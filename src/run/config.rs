//! The decided settings of one run, built from the flags (ripgrep's `LowArgs` → `HiArgs`):
//! nothing below this module sees a clap type.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::bail;

use crate::cli::{ApplyArgs, PlanArgs, Refresh, RunArgs};
use crate::metrics::MetricsSink;
use crate::plan::{ForesightOptions, SchedulesFrom, Stages};
use crate::render::Format;
use crate::report::Mode;
use crate::schedule::actual::ANY_SCOPE;
use crate::schedule::desired::WorkflowTarget;
use crate::sink::ReportSink;
use crate::source::SourceSpec;
use crate::temporal::TemporalSettings;

/// Stage flags as given: `None` where the operator said nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StageFlags {
    pub definitions: Option<bool>,
    pub event_types: Option<bool>,
    pub schedules: Option<bool>,
}

impl StageFlags {
    /// The stages of a run from sources: definitions and schedules on, event types off,
    /// unless said otherwise.
    pub fn resolve(self) -> Stages {
        Stages {
            definitions: self.definitions.unwrap_or(true),
            event_types: self.event_types.unwrap_or(false),
            schedules: self.schedules.unwrap_or(true),
        }
    }

    /// The stages of a saved plan that this run applies: flags may leave stages out, never
    /// add one the plan does not have.
    pub fn narrow(self, saved: Stages) -> Result<Stages, String> {
        let pick = |flag: Option<bool>, planned: bool, name: &str| match flag {
            Some(true) if !planned => Err(format!(
                "the saved plan was made without the {name} stage; plan again with `--{name}`"
            )),
            Some(on) => Ok(on && planned),
            None => Ok(planned),
        };
        Ok(Stages {
            definitions: pick(self.definitions, saved.definitions, "definitions")?,
            event_types: pick(self.event_types, saved.event_types, "event-types")?,
            schedules: pick(self.schedules, saved.schedules, "schedules")?,
        })
    }
}

/// Where the desired state comes from.
#[derive(Debug, Clone)]
pub enum InputSpec {
    Sources(Vec<SourceSpec>),
    /// `--schedules-from database`: the rows of the scope, read with the actual state.
    Database,
    SavedPlan(PathBuf),
}

#[derive(Debug, Clone)]
pub struct RunConfig {
    pub mode: Mode,
    pub input: InputSpec,
    pub scope: String,
    /// `--schedules-from`.
    pub schedules_from: SchedulesFrom,
    pub stages: StageFlags,
    pub format: Format,
    pub allow_empty: bool,
    /// `--allow-rollback`: an older commit of a source may be applied.
    pub allow_rollback: bool,
    pub max_delete: Option<usize>,
    pub strict: bool,
    pub adopt: bool,
    /// `--unpause-manual`: lift pauses made by hand.
    pub unpause_manual: bool,
    /// `--refresh full`: describe every managed schedule.
    pub refresh_full: bool,
    /// `--herd-threshold`, `--start-rate`.
    pub foresight: ForesightOptions,
    pub concurrency: usize,
    pub target: WorkflowTarget,
    pub temporal: TemporalSettings,
    pub database_url: String,
    pub deadline: Duration,
    pub lock_timeout: Duration,
    pub fail_on_lock: bool,
    pub detailed_exitcode: bool,
    /// `plan --out`.
    pub out: Option<PathBuf>,
    /// Test-only failpoint (debug builds): halt after this many schedule mutations and wait
    /// to be killed, so that a test can SIGKILL the job at a chosen moment of an apply.
    pub halt_after: Option<usize>,
    /// `apply --report-url`.
    pub report: Option<ReportSink>,
    /// `apply --metrics-file`, `--metrics-push`.
    pub metrics: MetricsSink,
}

impl RunConfig {
    pub fn plan(args: &PlanArgs) -> anyhow::Result<RunConfig> {
        let mut config = RunConfig::common(Mode::Plan, &args.run)?;
        config.input = match args.run.schedules_from {
            SchedulesFrom::Database => InputSpec::Database,
            SchedulesFrom::Sources if args.run.sources.is_empty() => {
                bail!("`plan` needs at least one `--source` (or `--schedules-from database`)")
            }
            SchedulesFrom::Sources => InputSpec::Sources(resolve_sources(&args.run.sources)),
        };
        config.out = args.out.clone();
        config.detailed_exitcode = args.detailed_exitcode;
        Ok(config)
    }

    pub fn apply(args: &ApplyArgs) -> anyhow::Result<RunConfig> {
        let mut config = RunConfig::common(Mode::Apply, &args.run)?;
        let database = args.run.schedules_from == SchedulesFrom::Database;
        let input = match (&args.plan, args.run.sources.is_empty()) {
            (Some(_), _) if database => bail!(
                "give either a saved PLAN or `--schedules-from database`, not both (a saved plan knows where it came from)"
            ),
            (Some(_), false) => bail!("give either a saved PLAN or `--source`, not both"),
            (None, true) if database => InputSpec::Database,
            (None, true) => {
                bail!(
                    "`apply` needs at least one `--source`, a PLAN saved by `plan --out`, or `--schedules-from database`"
                )
            }
            (Some(path), true) => InputSpec::SavedPlan(path.clone()),
            (None, false) => InputSpec::Sources(resolve_sources(&args.run.sources)),
        };
        config.input = input;
        config.lock_timeout = args.lock_timeout;
        config.fail_on_lock = args.fail_on_lock;
        config.report = args.sinks.report_sink();
        config.metrics = args.sinks.metrics_sink();
        Ok(config)
    }

    fn common(mode: Mode, run: &RunArgs) -> anyhow::Result<RunConfig> {
        let mut stages = StageFlags {
            definitions: run.definitions,
            event_types: run.event_types,
            schedules: run.schedules,
        };
        match run.schedules_from {
            SchedulesFrom::Sources if run.scope == ANY_SCOPE => bail!(
                "`--scope '*'` (the rows no scope owns) needs `--schedules-from database`; a run from sources reconciles one scope"
            ),
            SchedulesFrom::Sources => {}
            SchedulesFrom::Database => {
                if !run.sources.is_empty() {
                    bail!(
                        "`--schedules-from database` reconciles Temporal to the rows of the database; give no `--source` (or leave out `--schedules-from database` to read the files)"
                    );
                }
                for (flag, given) in [
                    ("--definitions", run.definitions),
                    ("--event-types", run.event_types),
                ] {
                    if given == Some(true) {
                        bail!(
                            "`--schedules-from database` writes no row (the rows are the desired state); leave out `{flag}`"
                        );
                    }
                }
                if run.schedules == Some(false) {
                    bail!(
                        "`--schedules-from database` reconciles the schedules only; `--schedules=false` leaves it nothing to do"
                    );
                }
                stages = StageFlags {
                    definitions: Some(false),
                    event_types: Some(false),
                    schedules: Some(true),
                };
            }
        }
        Ok(RunConfig {
            mode,
            input: InputSpec::Sources(Vec::new()),
            scope: run.scope.clone(),
            schedules_from: run.schedules_from,
            stages,
            format: run.format,
            allow_empty: run.allow_empty,
            allow_rollback: run.allow_rollback,
            max_delete: run.max_delete,
            strict: run.strict,
            adopt: run.adopt,
            unpause_manual: run.unpause_manual,
            refresh_full: run.refresh == Refresh::Full,
            foresight: ForesightOptions {
                herd_threshold: run.herd_threshold,
                start_rate: run.start_rate,
            },
            concurrency: usize::from(run.concurrency),
            target: WorkflowTarget {
                workflow_type: run.workflow_type.clone(),
                task_queue: run.task_queue.clone(),
            },
            temporal: run.temporal.settings(),
            database_url: run.database.database_url.clone(),
            deadline: run.deadline,
            lock_timeout: Duration::ZERO,
            fail_on_lock: false,
            detailed_exitcode: false,
            out: None,
            halt_after: halt_after(),
            report: None,
            metrics: MetricsSink::default(),
        })
    }
}

/// `ACTIVITY_SYNC_TEST_HALT_AFTER=K` (debug builds only; a release build never reads it).
fn halt_after() -> Option<usize> {
    if cfg!(debug_assertions) {
        std::env::var("ACTIVITY_SYNC_TEST_HALT_AFTER")
            .ok()
            .and_then(|k| k.parse().ok())
    } else {
        None
    }
}

/// Sources on this machine by their absolute path, so that a definition's `source_path` is
/// the same whatever directory the job runs in (a relative path would rewrite every row when
/// the working directory changes). A path that does not resolve is left as given: reading
/// it fails, with the name the operator typed.
fn resolve_sources(sources: &[SourceSpec]) -> Vec<SourceSpec> {
    let absolute = |path: &PathBuf| std::fs::canonicalize(path).unwrap_or_else(|_| path.clone());
    sources
        .iter()
        .map(|spec| match spec {
            SourceSpec::Path(path) => SourceSpec::Path(absolute(path)),
            SourceSpec::Manifest(path) => SourceSpec::Manifest(absolute(path)),
            // A repository on this machine, named by its path.
            SourceSpec::Git {
                url,
                subdir,
                reference,
            } if !url.contains("://") && std::path::Path::new(url).exists() => SourceSpec::Git {
                url: absolute(&PathBuf::from(url)).display().to_string(),
                subdir: subdir.clone(),
                reference: reference.clone(),
            },
            other => other.clone(),
        })
        .collect()
}
