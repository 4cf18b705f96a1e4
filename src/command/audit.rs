//! `activity-sync audit`: the fires each enabled cron and `once` definition of the scope was
//! due to make in the window, matched against what Temporal did (SPEC §8).
//!
//! The definitions are the scope's rows (what was applied), not `--source`: the audit is about
//! what runs, and a source may hold changes not applied yet.

use anyhow::bail;
use chrono::Utc;
use futures_util::StreamExt;

use crate::audit::{
    AuditReport, Audited, Facts, ScheduleAudit, Window, judge, judged_from, unread,
};
use crate::cli::{AuditArgs, Format};
use crate::error::Exit;
use crate::metrics::AuditFigures;
use crate::output::emit;
use crate::plan::{RunCounts, RunError};
use crate::redact::redact;
use crate::render::audit;
use crate::report::Published;
use crate::store::{CALL_TIMEOUT, RECORD_TIMEOUT, RunRecord, Store, bounded};
use crate::temporal::{Temporal, TemporalError};

/// The longest `--since`: a week (visibility keeps closed workflows for the namespace's
/// retention, often less).
const MAX_SINCE_DAYS: u64 = 7;
/// Errors kept in the `sync_runs` row (the report lists them all).
const MAX_RECORDED_ERRORS: usize = 100;

pub async fn run(args: &AuditArgs) -> anyhow::Result<Exit> {
    if args.since.as_secs() > MAX_SINCE_DAYS * 86_400 {
        bail!("`--since` is at most {MAX_SINCE_DAYS}d");
    }
    if args.tolerance >= args.since {
        bail!("`--tolerance` must be shorter than `--since`");
    }
    let now = Utc::now();
    let mut warnings = Vec::new();
    let mut window = Window {
        from: now - chrono::Duration::from_std(args.since)?,
        to: now - chrono::Duration::from_std(args.tolerance)?,
    };
    let url = &args.database.database_url;
    let store = bounded("connecting", CALL_TIMEOUT, Store::connect(url)).await?;
    let rows = bounded("reading the rows", CALL_TIMEOUT, store.snapshot()).await?;
    let mut errors = Vec::new();
    let mut audited = Vec::new();
    for row in rows.definitions.values().filter(|r| r.scope == args.scope) {
        match Audited::from_row(row) {
            Ok(Some(a)) => audited.push(a),
            Ok(None) => {}
            Err(message) => errors.push(RunError {
                id: Some(row.key.clone()),
                source_path: Some(row.source_path.clone()),
                ..RunError::new("definitions", message)
            }),
        }
    }
    audited.sort_by(|a, b| a.key.cmp(&b.key));

    let settings = args.temporal.settings();
    let connected;
    let schedules: Vec<ScheduleAudit> = match Temporal::connect(&settings).await {
        Ok(temporal) => {
            connected = true;
            match retention_limit(&temporal, now).await {
                Ok(Some(earliest)) if earliest > window.from => {
                    warnings.push(format!(
                        "the namespace keeps closed workflows for {}: fires before {} cannot be checked, the window starts there",
                        human(now - earliest),
                        earliest.format("%Y-%m-%d %H:%M:%S UTC")
                    ));
                    window.from = earliest;
                }
                Ok(_) => {}
                Err(e) => warnings.push(format!(
                    "cannot read the namespace's retention ({}): fires older than it show as missed",
                    redact(&e.to_string())
                )),
            }
            let window = &window;
            futures_util::stream::iter(audited.iter().map(|a| {
                let temporal = &temporal;
                async move {
                    match facts(temporal, a, window).await {
                        Ok(facts) => judge(a, &facts, window),
                        Err(e) => unread(a, window, redact(&e.to_string())),
                    }
                }
            }))
            .buffered(usize::from(args.concurrency))
            .collect()
            .await
        }
        Err(e) => {
            connected = false;
            let message = redact(&e.to_string());
            errors.push(RunError::new("temporal", message.clone()));
            audited
                .iter()
                .map(|a| unread(a, &window, message.clone()))
                .collect()
        }
    };
    // Each schedule Temporal failed on (once connected; a failed connection is one error).
    errors.extend(schedules.iter().filter(|_| connected).filter_map(|s| {
        s.error.as_ref().map(|message| RunError {
            id: Some(s.schedule_id.clone()),
            source_path: Some(s.source_path.clone()),
            ..RunError::new("temporal", message.clone())
        })
    }));
    let mut report = AuditReport::new(&args.scope, &settings.namespace, window, schedules, errors);
    report.warnings = warnings;
    let run_id = uuid::Uuid::new_v4().to_string();
    if let Err(message) = record(&store, &report, now, &run_id).await {
        tracing::warn!(error = %message, "could not record the audit in sync_runs");
        report.errors.push(RunError::new(
            "database",
            format!("not recorded in `sync_runs`: {message}"),
        ));
    }
    let exit = report.exit();
    let published = publish(args, &store, &report, run_id, exit).await;
    emit(&audit::render_with(&report, args.format, &published))?;
    Ok(exit)
}

/// Posts the audit to `--report-url` (with the outbox of the scope, as `apply` does) and
/// exports its metrics; neither can change the exit code.
async fn publish(
    args: &AuditArgs,
    store: &Store,
    report: &AuditReport,
    run_id: String,
    exit: Exit,
) -> Published {
    let mut published = Published {
        run_id: Some(run_id.clone()),
        ..Published::default()
    };
    if let Some(sink) = args.sinks.report_sink() {
        // The audit as `--format json` prints it, before its own delivery is known.
        let body = audit::render_with(report, Format::Json, &published);
        published.report = Some(
            sink.deliver(Some(store), &report.scope, &run_id, &body)
                .await,
        );
    }
    let metrics = args.sinks.metrics_sink();
    if !metrics.is_empty() {
        let figures = AuditFigures::of(report, exit.code(), Utc::now());
        published.metrics = Some(
            metrics
                .export(&report.scope, |set| figures.add_to(set))
                .await,
        );
    }
    published
}

/// The earliest fire visibility can still answer for: a workflow's record is kept for the
/// retention after it closed, and a fire's workflow closes after it was due (so the default
/// `--since 24h` on a namespace that keeps a day is not cut).
async fn retention_limit(
    temporal: &Temporal,
    now: chrono::DateTime<Utc>,
) -> Result<Option<chrono::DateTime<Utc>>, TemporalError> {
    Ok(temporal.retention().await?.and_then(|retention| {
        let retention = chrono::Duration::from_std(retention).ok()?;
        Some(now - retention)
    }))
}

/// `36h`, `3d`: a retention as people write it.
fn human(d: chrono::Duration) -> String {
    let minutes = d.num_minutes();
    match minutes {
        m if m % 1440 == 0 => format!("{}d", m / 1440),
        m if m % 60 == 0 => format!("{}h", m / 60),
        m => format!("{m}m"),
    }
}

/// Records the audit in `sync_runs` (mode `audit`, its counts under `counts.audit`, outcome
/// `success`, `missed` or `failure`) where the tables exist: `status` lists it beside the
/// applies, and a scope's audits can be followed over time.
async fn record(
    store: &Store,
    report: &AuditReport,
    started_at: chrono::DateTime<Utc>,
    id: &str,
) -> Result<(), String> {
    let run = RunRecord {
        id: id.to_string(),
        mode: "audit".to_string(),
        scope: report.scope.clone(),
        started_at,
        finished_at: Utc::now(),
        sources: Vec::new(),
        counts: RunCounts {
            audit: Some(report.counts),
            ..RunCounts::default()
        },
        errors: report
            .errors
            .iter()
            .take(MAX_RECORDED_ERRORS)
            .cloned()
            .collect(),
        outcome: report.outcome().to_string(),
    };
    let write = async {
        if store.has_schema().await? {
            store.record_run(&run).await?;
        }
        Ok::<(), crate::store::StoreError>(())
    };
    bounded("recording the audit", RECORD_TIMEOUT, write)
        .await
        .map_err(|e| e.to_string())
}

/// What Temporal says of one schedule: its record, then the workflows it started since the
/// fires it is judged from.
async fn facts(
    temporal: &Temporal,
    audited: &Audited,
    window: &Window,
) -> Result<Facts, TemporalError> {
    let schedule = temporal.schedule_history(&audited.schedule_id).await?;
    let from = judged_from(window, schedule.as_ref());
    let executions = temporal
        .scheduled_executions(&audited.schedule_id, from)
        .await?;
    Ok(Facts {
        schedule,
        executions,
    })
}
