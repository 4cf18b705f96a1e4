//! The end of every run: recorded once in `sync_runs`, printed once.

use std::time::Duration;

use chrono::Utc;

use super::config::RunConfig;
use crate::output::emit;
use crate::plan::RunError;
use crate::render;
use crate::report::{Mode, Report};
use crate::store::{RunRecord, Store};

/// How long recording the run may take after the run itself (its deadline may have passed).
const RECORD_TIMEOUT: Duration = Duration::from_secs(10);

/// Records the run (when the database was reached; `plan` only where the tables exist, so
/// read-only credentials can still plan), then prints the report. A run that cannot be
/// recorded says so in its report.
pub async fn finish(config: &RunConfig, report: &mut Report, store: Option<&Store>) {
    if let Some(store) = store
        && let Err(message) = record(store, report).await
    {
        tracing::warn!(error = %message, "could not record the run in sync_runs");
        report.run_errors.push(RunError::new(
            "database",
            format!("not recorded in `sync_runs`: {message}"),
        ));
    }
    if let Err(e) = emit(&render::report(report, config.format)) {
        eprintln!("error: cannot write the report: {e}");
    }
}

async fn record(store: &Store, report: &Report) -> Result<(), String> {
    let run = RunRecord {
        id: uuid::Uuid::new_v4().to_string(),
        mode: report.mode.as_str().to_string(),
        scope: report.plan.scope.clone(),
        started_at: report.started_at,
        finished_at: Utc::now(),
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
    match tokio::time::timeout(RECORD_TIMEOUT, write).await {
        Ok(result) => result.map_err(|e| e.to_string()),
        Err(_) => Err(format!("no answer within {} s", RECORD_TIMEOUT.as_secs())),
    }
}
