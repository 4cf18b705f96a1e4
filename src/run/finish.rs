//! The end of every run: recorded once in `sync_runs`, delivered to `--report-url`, counted
//! in the metrics, printed once.

use chrono::{DateTime, Utc};

use super::config::RunConfig;
use crate::error::Exit;
use crate::metrics::{RunFigures, textfile};
use crate::output::emit;
use crate::plan::{ErrorKinds, RunError};
use crate::render;
use crate::report::{Mode, Outcome, Published, Report};
use crate::store::{RECORD_TIMEOUT, RunRecord, Store, bounded};

/// Records the run (when the database was reached; `plan` only where the tables exist, so
/// read-only credentials can still plan), delivers its report and exports its metrics when
/// asked (after the record: the outbox and the last success live in the database), then
/// prints the report. A run that cannot be recorded says so in its report; a report or
/// metrics that cannot be delivered say so too, and change neither the outcome nor the exit
/// code. Delivery has its own time budget (`--report-timeout`), outside `--deadline`.
pub async fn finish(config: &RunConfig, report: &mut Report, store: Option<&Store>) {
    let run_id = uuid::Uuid::new_v4().to_string();
    let finished_at = Utc::now();
    if let Some(store) = store
        && let Err(message) = record(store, report, &run_id, finished_at).await
    {
        tracing::warn!(error = %message, "could not record the run in sync_runs");
        report.run_errors.push(RunError::new(
            "database",
            format!("not recorded in `sync_runs`: {message}"),
        ));
    }
    let mut published = Published {
        run_id: Some(run_id.clone()),
        ..Published::default()
    };
    if let Some(sink) = &config.report {
        // The report as `--format json` prints it, before its own delivery is known.
        let body = render::plan_json::render_with(report, &published);
        let delivery = sink
            .deliver(store, &report.plan.scope, &run_id, &body)
            .await;
        published.report = Some(delivery);
    }
    if !config.metrics.is_empty() {
        let figures = figures(config, report, &published, store, finished_at).await;
        let exported = config
            .metrics
            .export(&report.plan.scope, |set| figures.add_to(set))
            .await;
        published.metrics = Some(exported);
    }
    if let Err(e) = emit(&render::report_with(report, config.format, &published)) {
        eprintln!("error: cannot write the report: {e}");
    }
}

async fn record(
    store: &Store,
    report: &Report,
    id: &str,
    finished_at: DateTime<Utc>,
) -> Result<(), String> {
    let run = RunRecord {
        id: id.to_string(),
        mode: report.mode.as_str().to_string(),
        scope: report.plan.scope.clone(),
        started_at: report.started_at,
        finished_at,
        sources: report.plan.sources.clone(),
        counts: report.counts(),
        errors: report.bounded_errors(),
        outcome: report.outcome.as_str().to_string(),
    };
    let write = async {
        if report.mode == Mode::Plan && !store.has_schema().await? {
            return Ok(());
        }
        if report.mode == Mode::Apply && !store.has_schema().await? {
            // The tables could not be created (migrate failed): nowhere to record.
            return Ok(());
        }
        store.record_run(&run).await
    };
    bounded("recording the run", RECORD_TIMEOUT, write)
        .await
        .map_err(|e| e.to_string())
}

/// The run's figures. The last success is this run's when it succeeded, else the one
/// `sync_runs` holds, else the one an earlier `--metrics-file` holds: a failed run never
/// resets it.
async fn figures(
    config: &RunConfig,
    report: &Report,
    published: &Published,
    store: Option<&Store>,
    finished_at: DateTime<Utc>,
) -> RunFigures {
    let succeeded = report.mode == Mode::Apply && report.outcome == Outcome::Success;
    let mut last_success = succeeded.then_some(finished_at);
    if last_success.is_none()
        && let Some(store) = store
    {
        let scope = &report.plan.scope;
        if let Ok(Ok(at)) = tokio::time::timeout(RECORD_TIMEOUT, store.last_success(scope)).await {
            last_success = at;
        }
    }
    if last_success.is_none()
        && let Some(path) = &config.metrics.file
    {
        last_success = textfile::previous_last_success(path);
    }
    let counts = report.counts();
    let kinds = ErrorKinds::of(report.errors());
    let duration = (finished_at - report.started_at).num_milliseconds().max(0) as f64 / 1000.0;
    RunFigures {
        outcome: report.outcome,
        exit_code: Exit::from(report).code(),
        finished_at,
        duration_seconds: duration,
        last_success,
        definitions: counts.definitions,
        event_types: counts.event_types,
        schedules: counts.schedules,
        automation_errors: kinds.automation,
        definition_errors: kinds.definition,
        lock_skipped: report.outcome == Outcome::LockSkipped,
        report_delivered: published.report.as_ref().map(|d| d.delivered),
        outbox_pending: published.report.as_ref().and_then(|d| d.outbox_pending),
    }
}
