//! Command-line interface (SPEC §6). Names of commands, flags and variables are a contract.

use std::path::PathBuf;
use std::time::Duration;

use clap::{ArgAction, Args, Parser, Subcommand, ValueEnum};

use crate::source::SourceSpec;
use crate::store::DEFAULT_DATABASE_URL;

#[derive(Debug, Parser)]
#[command(
    name = "activity-sync",
    version,
    about = "GitOps reconciler for ActivityDefinitions: markdown files → database rows and Temporal Schedules"
)]
pub struct Cli {
    /// More logs on stderr (`-v` debug, `-vv` trace); `RUST_LOG` overrides.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Offline check of definition files: parse, schema and cross-file references.
    Validate(ValidateArgs),
    /// Plan the changes to the database without making them.
    Plan(PlanArgs),
    /// Apply the changes: from the sources, or from a plan saved with `plan --out`.
    Apply(ApplyArgs),
    /// Recent runs and the last successful sync.
    Status(StatusArgs),
    /// Create or upgrade the database tables, and register the Temporal search attributes.
    Migrate(MigrateArgs),
    /// Render manifests from definition files.
    #[command(subcommand)]
    Export(ExportCommand),
    /// Offline: every fire of the enabled cron and `once` definitions in a window, as Temporal
    /// will make them (daylight-saving time included).
    Upcoming(UpcomingArgs),
    /// Offline: the plan between two sets of sources (a pull request's base and head), with
    /// no database and no Temporal: the row changes `apply` would make, and the schedules.
    Diff(DiffArgs),
    /// The fires each enabled cron and `once` definition of the scope was due to make in a
    /// window, matched against what Temporal did: ok, running, failed, skipped or missed
    /// (exit 5 when a fire was missed or failed).
    Audit(AuditArgs),
    /// Write one definition file per unmanaged row (no scope: written by the runtime or an
    /// older sync) and per unmanaged event type, keeping each row's id; then `plan --adopt`.
    Import(ImportArgs),
}

#[derive(Debug, Clone, Args)]
pub struct ImportArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// The directory to write the files to (created; existing files are never overwritten).
    #[arg(long)]
    pub out: std::path::PathBuf,
}

#[derive(Debug, Clone, Args)]
pub struct DatabaseArgs {
    /// `postgres://…` or `sqlite://…`.
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL, hide_env_values = true)]
    pub database_url: String,
}

#[derive(Debug, Args)]
pub struct MigrateArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// Register the search attributes `ActivitySyncScope` and `ActivitySyncSpecHash` in the
    /// Temporal namespace (`--schedules=false` to skip). Failing to is a warning, not an error.
    #[arg(long, num_args = 0..=1, default_value_t = true, default_missing_value = "true", action = ArgAction::Set)]
    pub schedules: bool,
    #[command(flatten)]
    pub temporal: TemporalArgs,
}

/// What plan and apply share.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Where to read definitions: a directory, a manifest `.yaml`, `git::URL//SUBDIR?ref=REF`
    /// or `configmap:NS/NAME` (repeatable).
    #[arg(long = "source", value_name = "S", value_parser = parse_source)]
    pub sources: Vec<SourceSpec>,
    /// The ownership scope: a run only changes rows it wrote under this scope. With
    /// `--schedules-from database`, `'*'` takes the rows no scope owns (the runtime's own).
    #[arg(long, env = "ACTIVITY_SYNC_SCOPE", default_value = "default", value_parser = parse_run_scope)]
    pub scope: String,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Where the desired schedules come from: `sources` (the definition files of `--source`)
    /// or `database` (the rows of `activity_definitions`: every live row of `--scope`, or
    /// with `--scope '*'` every row no scope owns, as the old `sync_schedules` did). With
    /// `database` no row is written and `--source` is refused.
    #[arg(long, value_enum, value_name = "FROM", default_value_t = SchedulesFrom::Sources)]
    pub schedules_from: SchedulesFrom,
    /// Reconcile activity definitions (default; `--definitions=false` to skip). With a saved
    /// PLAN, `=false` leaves that part of the plan out.
    #[arg(long, num_args = 0..=1, default_missing_value = "true", action = ArgAction::Set)]
    pub definitions: Option<bool>,
    /// Reconcile event types too (opt in).
    #[arg(long = "event-types", num_args = 0..=1, default_missing_value = "true", action = ArgAction::Set)]
    pub event_types: Option<bool>,
    /// Reconcile Temporal schedules (default; `--schedules=false` to skip). With a saved PLAN,
    /// `=false` applies its rows and leaves Temporal alone.
    #[arg(long, num_args = 0..=1, default_missing_value = "true", action = ArgAction::Set)]
    pub schedules: Option<bool>,
    /// Take over unmarked schedules whose id follows the convention (`activity-schedule-{id}`),
    /// and the rows without a scope that a definition file names; in a real scope also the
    /// schedules `--scope '*'` made for such rows.
    #[arg(long)]
    pub adopt: bool,
    /// Unpause the managed schedules that someone else paused (on-call, in the Temporal UI or
    /// with `temporal schedule toggle --pause`) while their definitions are enabled; without
    /// it they stay paused and are listed with their notes.
    #[arg(long)]
    pub unpause_manual: bool,
    /// Warn of a herd when this many fires of the scope's enabled schedules start in the same
    /// second within the next 7 days (a jittered fire counts spread over its window).
    #[arg(long, value_name = "N", default_value_t = 50)]
    pub herd_threshold: u32,
    /// Scheduled workflow starts a second the Temporal server makes for the namespace (about
    /// 30 on a self-hosted server by default): estimates how late a herd starts.
    #[arg(long, value_name = "N", default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..))]
    pub start_rate: u32,
    /// `list`: one paginated list, describe only what will change; `full`: describe every
    /// managed schedule for a thorough drift check.
    #[arg(long, value_enum, default_value_t = Refresh::List)]
    pub refresh: Refresh,
    /// Temporal calls in flight at once (64: a first apply of 1,000 schedules at the dev
    /// server's pace, where 32 reached 76-87 % of it; docs/performance.md). A server that
    /// pushes back (`ResourceExhausted`) is retried with backoff.
    #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u16).range(1..=128))]
    pub concurrency: u16,
    /// The workflow a schedule starts.
    #[arg(
        long,
        env = "ACTIVITY_SYNC_WORKFLOW_TYPE",
        default_value = "RunActivityWorkflow"
    )]
    pub workflow_type: String,
    /// The task queue it starts on.
    #[arg(
        long,
        env = "ACTIVITY_SYNC_TASK_QUEUE",
        default_value = "orchestrator-tq"
    )]
    pub task_queue: String,
    #[command(flatten)]
    pub temporal: TemporalArgs,
    /// Retire everything the scope owns when the sources yield no definitions at all.
    #[arg(long)]
    pub allow_empty: bool,
    /// Apply a git source at a commit older than the one this scope last applied from it
    /// (refused otherwise, exit 3; to undo a change, commit a revert instead).
    #[arg(long)]
    pub allow_rollback: bool,
    /// Most retirements one run may make (default: 10 or 25 % of the scope, whichever is larger).
    #[arg(long, value_name = "N")]
    pub max_delete: Option<usize>,
    /// Treat invalid definitions as fatal: write nothing and exit 4.
    #[arg(long)]
    pub strict: bool,
    /// Give up (exit 1, nothing committed) when the run takes longer than this.
    #[arg(long, default_value = "10m", value_parser = parse_duration)]
    pub deadline: Duration,
    #[command(flatten)]
    pub database: DatabaseArgs,
}

/// Connection to Temporal, named as Temporal's own clients name it.
#[derive(Debug, Clone, Args)]
pub struct TemporalArgs {
    /// `host:port` of the Temporal frontend.
    #[arg(long, env = "TEMPORAL_ADDRESS", default_value = "127.0.0.1:7233")]
    pub temporal_address: String,
    #[arg(long, env = "TEMPORAL_NAMESPACE", default_value = "default")]
    pub temporal_namespace: String,
    /// API key (implies TLS).
    #[arg(long, env = "TEMPORAL_API_KEY", hide_env_values = true)]
    pub temporal_api_key: Option<String>,
    /// Send the API key even over a plaintext `http://` address (a trusted local network).
    #[arg(long, env = "TEMPORAL_ALLOW_INSECURE_API_KEY")]
    pub temporal_allow_insecure_api_key: bool,
    /// Connect with TLS.
    #[arg(long, env = "TEMPORAL_TLS")]
    pub temporal_tls: bool,
    /// CA certificate of the server (PEM).
    #[arg(long, env = "TEMPORAL_TLS_CA_PATH")]
    pub temporal_tls_ca_path: Option<PathBuf>,
    /// Client certificate for mTLS (PEM).
    #[arg(long, env = "TEMPORAL_TLS_CERT_PATH")]
    pub temporal_tls_cert_path: Option<PathBuf>,
    /// Client key for mTLS (PEM).
    #[arg(long, env = "TEMPORAL_TLS_KEY_PATH")]
    pub temporal_tls_key_path: Option<PathBuf>,
    /// Server name to verify the certificate against.
    #[arg(long, env = "TEMPORAL_TLS_SERVER_NAME")]
    pub temporal_tls_server_name: Option<String>,
}

impl TemporalArgs {
    pub fn settings(&self) -> crate::temporal::TemporalSettings {
        crate::temporal::TemporalSettings {
            address: self.temporal_address.clone(),
            namespace: self.temporal_namespace.clone(),
            api_key: self.temporal_api_key.clone(),
            tls: self.temporal_tls,
            tls_ca_cert: self.temporal_tls_ca_path.clone(),
            tls_client_cert: self.temporal_tls_cert_path.clone(),
            tls_client_key: self.temporal_tls_key_path.clone(),
            tls_server_name: self.temporal_tls_server_name.clone(),
            allow_insecure_api_key: self.temporal_allow_insecure_api_key,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Refresh {
    List,
    Full,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub run: RunArgs,
    /// Save the plan for `apply PLAN`; it records a fingerprint of the state it was made against.
    #[arg(long, value_name = "PLAN")]
    pub out: Option<PathBuf>,
    /// Exit 2 when changes are pending, 0 when there are none.
    #[arg(long)]
    pub detailed_exitcode: bool,
}

#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// A plan saved by `plan --out`; refused when the database changed since.
    #[arg(value_name = "PLAN")]
    pub plan: Option<PathBuf>,
    #[command(flatten)]
    pub run: RunArgs,
    /// How long to wait for another run of the same scope (e.g. `30s`, `2m`).
    #[arg(long, default_value = "0s", value_parser = parse_duration)]
    pub lock_timeout: Duration,
    /// Exit 3 instead of 0 when another run holds the scope.
    #[arg(long)]
    pub fail_on_lock: bool,
    #[command(flatten)]
    pub sinks: SinkArgs,
}

/// Where results go besides stdout (SPEC §8): a report webhook and Prometheus metrics. None
/// of them can fail the run or change its exit code.
#[derive(Debug, Clone, Args)]
pub struct SinkArgs {
    /// POST the JSON report to this URL (with an `Idempotency-Key` header, retried; kept in
    /// the database's outbox when the endpoint is down, and delivered by a later run).
    #[arg(long, env = "ACTIVITY_SYNC_REPORT_URL", hide_env_values = true, value_name = "URL", value_parser = parse_http_url)]
    pub report_url: Option<String>,
    /// The whole `Authorization` header value the report is sent with (e.g. `Bearer …`);
    /// never printed or stored. Prefer the variable: a flag shows in the process list.
    #[arg(long, env = crate::sink::AUTHORIZATION_ENV, hide_env_values = true, value_name = "VALUE", value_parser = parse_secret)]
    pub report_authorization: Option<crate::sink::Secret>,
    /// Time for delivering the report, the outbox's included: tries and pauses.
    #[arg(long, default_value = "30s", value_name = "DURATION", value_parser = parse_duration)]
    pub report_timeout: Duration,
    /// Write the run's metrics here in the Prometheus text format, atomically (for
    /// node-exporter's textfile collector: a `.prom` file in its directory).
    #[arg(long, env = "ACTIVITY_SYNC_METRICS_FILE", value_name = "PATH")]
    pub metrics_file: Option<PathBuf>,
    /// Push the run's metrics to this Prometheus Pushgateway, grouped by job
    /// (`activity_sync`) and scope.
    #[arg(long, env = "ACTIVITY_SYNC_METRICS_PUSH", hide_env_values = true, value_name = "URL", value_parser = parse_http_url)]
    pub metrics_push: Option<String>,
}

impl SinkArgs {
    /// The report sink.
    pub fn report_sink(&self) -> Option<crate::sink::ReportSink> {
        Some(crate::sink::ReportSink {
            url: self.report_url.clone()?,
            authorization: self.report_authorization.clone(),
            budget: self.report_timeout,
        })
    }

    pub fn metrics_sink(&self) -> crate::metrics::MetricsSink {
        crate::metrics::MetricsSink {
            file: self.metrics_file.clone(),
            push: self.metrics_push.clone(),
        }
    }
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Only this scope (`'*'`: the runs of `--schedules-from database --scope '*'`).
    #[arg(long, value_parser = parse_run_scope)]
    pub scope: Option<String>,
    /// How many runs to list.
    #[arg(long, default_value_t = 20)]
    pub limit: u32,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// List the managed schedules held paused by hand, from Temporal (`--schedules=false` to
    /// skip: the database alone).
    #[arg(long, num_args = 0..=1, default_value_t = true, default_missing_value = "true", action = ArgAction::Set)]
    pub schedules: bool,
    #[command(flatten)]
    pub temporal: TemporalArgs,
}

#[derive(Debug, Args)]
pub struct SourceArgs {
    /// Where to read definitions: a directory, a manifest `.yaml`, `git::URL//SUBDIR?ref=REF`
    /// or `configmap:NS/NAME` (repeatable).
    #[arg(long = "source", value_name = "S", required = true, value_parser = parse_source)]
    pub sources: Vec<SourceSpec>,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    #[command(flatten)]
    pub sources: SourceArgs,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct UpcomingArgs {
    #[command(flatten)]
    pub sources: SourceArgs,
    /// How far ahead to look from now (e.g. `90m`, `24h`, `7d`).
    #[arg(long, default_value = "24h", value_parser = parse_duration)]
    pub within: Duration,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Exit 4 when a definition file is invalid (the valid ones are listed either way).
    #[arg(long)]
    pub strict: bool,
    /// The instant the window starts at, instead of now (RFC 3339; for tests).
    #[arg(long, hide = true, value_parser = parse_instant)]
    pub now: Option<chrono::DateTime<chrono::Utc>>,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The sources as they are (the pull request's base), e.g. `git::.?ref=origin/main`
    /// (repeatable, like `--source`).
    #[arg(long = "base", value_name = "S", required = true, value_parser = parse_source)]
    pub base: Vec<SourceSpec>,
    /// The sources as they would be (the pull request's head), e.g. `.` (repeatable).
    #[arg(long = "head", value_name = "S", required = true, value_parser = parse_source)]
    pub head: Vec<SourceSpec>,
    /// The ownership scope the plan is made for.
    #[arg(long, env = "ACTIVITY_SYNC_SCOPE", default_value = "default", value_parser = parse_scope)]
    pub scope: String,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Exit 2 when changes are pending, 0 when there are none.
    #[arg(long)]
    pub detailed_exitcode: bool,
    /// Exit 4 when a definition file of the head is invalid.
    #[arg(long)]
    pub strict: bool,
    /// Compare event types too (opt in, as for `plan`).
    #[arg(long = "event-types", num_args = 0..=1, default_value_t = false, default_missing_value = "true", action = ArgAction::Set)]
    pub event_types: bool,
    /// As for `plan`: the head may retire everything the base has.
    #[arg(long)]
    pub allow_empty: bool,
    /// As for `plan`: most retirements the change may make.
    #[arg(long, value_name = "N")]
    pub max_delete: Option<usize>,
    /// The instant next fires are counted from, instead of now (RFC 3339; for tests).
    #[arg(long, hide = true, value_parser = parse_instant)]
    pub now: Option<chrono::DateTime<chrono::Utc>>,
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// How far back to look (e.g. `6h`, `24h`, `7d`; at most `7d`). Fires before the
    /// schedule's creation or last update are not judged.
    #[arg(long, default_value = "24h", value_parser = parse_duration)]
    pub since: Duration,
    /// Fires of the last DURATION are not judged yet: they may still be starting.
    #[arg(long, default_value = "5m", value_parser = parse_duration)]
    pub tolerance: Duration,
    /// The ownership scope whose definitions (as applied: the database rows) are audited.
    #[arg(long, env = "ACTIVITY_SYNC_SCOPE", default_value = "default", value_parser = parse_scope)]
    pub scope: String,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Temporal calls in flight at once.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub concurrency: u16,
    #[command(flatten)]
    pub database: DatabaseArgs,
    #[command(flatten)]
    pub temporal: TemporalArgs,
    /// `--report-url` (the audit's JSON, posted; queued in the outbox when the endpoint is
    /// down), `--metrics-file`, `--metrics-push` (the `activity_sync_audit_*` gauges).
    #[command(flatten)]
    pub sinks: SinkArgs,
}

#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// Print a ConfigMap manifest holding every definition file of the sources.
    Configmap(ExportConfigMapArgs),
}

#[derive(Debug, Args)]
pub struct ExportConfigMapArgs {
    /// `metadata.name` of the ConfigMap.
    #[arg(long)]
    pub name: String,
    /// `metadata.namespace` of the ConfigMap (left out when not given).
    #[arg(long)]
    pub namespace: Option<String>,
    #[command(flatten)]
    pub sources: SourceArgs,
}

pub use crate::render::Format;

impl ValueEnum for Format {
    fn value_variants<'a>() -> &'a [Self] {
        &Format::ALL
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.as_str()))
    }
}

pub use crate::plan::SchedulesFrom;

impl ValueEnum for SchedulesFrom {
    fn value_variants<'a>() -> &'a [Self] {
        &[SchedulesFrom::Sources, SchedulesFrom::Database]
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(match self {
            SchedulesFrom::Sources => "sources",
            SchedulesFrom::Database => "database",
        }))
    }
}

/// A scope, or `*` (the rows no scope owns; only with `--schedules-from database`, which
/// the run's settings check).
fn parse_run_scope(s: &str) -> Result<String, String> {
    if s == crate::schedule::actual::ANY_SCOPE {
        return Ok(s.to_string());
    }
    parse_scope(s)
}

fn parse_scope(s: &str) -> Result<String, String> {
    if crate::definition::is_valid_name(s) && s.len() <= 63 {
        Ok(s.to_string())
    } else {
        Err("a scope is 1 to 63 letters, digits, `.`, `_` or `-`".into())
    }
}

/// `500ms`, `30s`, `5m`, `1h`, `7d`; a bare number is seconds.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (number, unit) = s.split_at(split);
    let n: u64 = number
        .parse()
        .map_err(|_| format!("`{s}` is not a duration such as `30s` or `2m`"))?;
    let seconds = match unit {
        "ms" => return Ok(Duration::from_millis(n)),
        "" | "s" => n,
        "m" => n * 60,
        "h" => n * 3600,
        "d" => n * 86_400,
        _ => {
            return Err(format!(
                "unknown unit `{unit}` in `{s}` (use ms, s, m, h or d)"
            ));
        }
    };
    Ok(Duration::from_secs(seconds))
}

fn parse_instant(s: &str) -> Result<chrono::DateTime<chrono::Utc>, String> {
    chrono::DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&chrono::Utc))
        .map_err(|e| format!("`{s}` is not an RFC 3339 instant: {e}"))
}

/// An `http://` or `https://` URL with a host.
fn parse_http_url(s: &str) -> Result<String, String> {
    match url::Url::parse(s) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => Ok(s.to_string()),
        Ok(_) => Err("expected an `http://` or `https://` URL".into()),
        Err(e) => Err(format!("not a URL: {e}")),
    }
}

/// A secret value: `Debug` never shows it (clap keeps the parsed arguments).
fn parse_secret(s: &str) -> Result<crate::sink::Secret, String> {
    Ok(crate::sink::Secret::new(s))
}

fn parse_source(s: &str) -> Result<SourceSpec, String> {
    s.parse()
        .map_err(|e: crate::source::SourceError| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("0s"), Ok(Duration::ZERO));
        assert_eq!(parse_duration("30"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("7d"), Ok(Duration::from_secs(7 * 86_400)));
        assert!(parse_duration("1w").is_err());
        assert!(parse_duration("s").is_err());
    }

    #[test]
    fn the_report_authorization_never_shows_in_debug() {
        let cli = Cli::try_parse_from([
            "activity-sync",
            "apply",
            "--source",
            "d",
            "--report-url",
            "https://hooks.example/x",
            "--report-authorization",
            "Bearer s3cr3t",
        ])
        .unwrap();
        assert!(!format!("{cli:?}").contains("s3cr3t"));
        let Command::Apply(args) = cli.command else {
            panic!()
        };
        let sink = args.sinks.report_sink().unwrap();
        assert_eq!(sink.authorization.unwrap().expose(), "Bearer s3cr3t");
        assert!(
            Cli::try_parse_from(["activity-sync", "apply", "--report-url", "ftp://x/"]).is_err()
        );
    }

    #[test]
    fn stage_flags() {
        let cli = Cli::try_parse_from(["activity-sync", "plan", "--source", "d", "--event-types"])
            .unwrap();
        let Command::Plan(args) = cli.command else {
            panic!()
        };
        assert_eq!(
            (
                args.run.definitions,
                args.run.event_types,
                args.run.schedules
            ),
            (None, Some(true), None)
        );
        let cli = Cli::try_parse_from([
            "activity-sync",
            "plan",
            "--source",
            "d",
            "--definitions=false",
        ])
        .unwrap();
        let Command::Plan(args) = cli.command else {
            panic!()
        };
        assert_eq!(args.run.definitions, Some(false));
        assert_eq!(args.run.event_types, None);
    }
}
