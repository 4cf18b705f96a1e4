//! The stable machine contract of SPEC §6: counts, changes and errors as JSON, written as
//! serde structs so a key cannot drift by accident.

use serde::Serialize;

use super::change_summary::{listed, location};
use crate::gather::SourceInfo;
use crate::metrics::Exported;
use crate::plan::{
    Change, ErrorKinds, FiresPerDay, Resource, RunError, ScheduleChange, ScheduleCounts,
    TableCounts, Warning,
};
use crate::report::{Outcome, Published, Report};
use crate::schedule::backend::CallCountsSnapshot;
use crate::schedule::fires::Fire;
use crate::sink::Delivery;

#[derive(Serialize)]
struct PlanJson<'a> {
    /// The run's `sync_runs` id, also the `Idempotency-Key` of its report (plan, apply).
    #[serde(skip_serializing_if = "Option::is_none")]
    run_id: Option<&'a str>,
    mode: &'static str,
    scope: &'a str,
    outcome: Outcome,
    lock_skipped: bool,
    refusal: Option<&'a str>,
    sources: &'a [SourceInfo],
    /// `diff`: the sources the plan was made against (`sources` are the head's).
    #[serde(skip_serializing_if = "Option::is_none")]
    base: Option<&'a [SourceInfo]>,
    fingerprint: &'a str,
    definitions: TableCounts,
    event_types: TableCounts,
    schedules: ScheduleCounts,
    temporal_calls: Option<CallCountsSnapshot>,
    changes: Vec<ChangeJson<'a>>,
    errors: Vec<RunError>,
    /// All the run's errors (not only the listed ones) by kind.
    error_kinds: ErrorKinds,
    /// Never errors, `--strict` included (SPEC §9).
    warnings: &'a [Warning],
    /// The scope's managed cron schedules, before and after (with the schedules stage).
    #[serde(skip_serializing_if = "Option::is_none")]
    fires_per_day: Option<FiresPerDay>,
    /// `--report-url`: what became of this report (absent from the copy that is sent).
    #[serde(skip_serializing_if = "Option::is_none")]
    report: Option<&'a Delivery>,
    /// `--metrics-file`, `--metrics-push`.
    #[serde(skip_serializing_if = "Option::is_none")]
    metrics: Option<&'a Exported>,
}

#[derive(Serialize)]
#[serde(untagged)]
enum ChangeJson<'a> {
    Row {
        resource: &'static str,
        id: String,
        name: &'a str,
        action: &'static str,
        source_path: String,
        diff: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        note: Option<&'a str>,
    },
    Schedule {
        resource: &'static str,
        id: &'a str,
        name: Option<&'a str>,
        action: &'static str,
        note: Option<&'a str>,
        diff: &'a str,
        next_fires: &'a [Fire],
        warnings: Vec<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        fires_per_day: Option<FiresPerDay>,
    },
}

fn row<R: Resource>(c: &Change<R>) -> ChangeJson<'_> {
    ChangeJson::Row {
        resource: R::KIND,
        id: c.row().id().to_string(),
        name: c.row().label(),
        action: c.action().as_str(),
        source_path: location(c),
        diff: c.diff(),
        note: c.note.as_deref(),
    }
}

fn schedule(c: &ScheduleChange) -> ChangeJson<'_> {
    ChangeJson::Schedule {
        resource: "schedule",
        id: &c.schedule_id,
        name: c.key.as_deref(),
        action: c.op().as_str(),
        note: c.note.as_deref(),
        diff: &c.diff,
        next_fires: &c.fires,
        warnings: c.warnings.iter().map(|w| w.message.as_str()).collect(),
        fires_per_day: c.fires_per_day,
    }
}

pub fn render(report: &Report) -> String {
    render_with(report, &Published::default())
}

/// The report with what became of it: the run id, its delivery and the metrics.
pub fn render_with(report: &Report, published: &Published) -> String {
    let plan = &report.plan;
    let counts = report.counts();
    let mut changes: Vec<ChangeJson<'_>> = Vec::new();
    changes.extend(listed(plan.definitions.values()).into_iter().map(row));
    changes.extend(listed(plan.event_types.values()).into_iter().map(row));
    changes.extend(plan.schedules.values().filter(|c| c.listed()).map(schedule));
    let value = PlanJson {
        run_id: published.run_id.as_deref(),
        mode: report.mode.as_str(),
        scope: &plan.scope,
        outcome: report.outcome,
        lock_skipped: report.outcome == Outcome::LockSkipped,
        refusal: plan.refusal.as_deref(),
        sources: &plan.sources,
        base: report.base.as_deref(),
        fingerprint: &plan.fingerprint,
        definitions: counts.definitions,
        event_types: counts.event_types,
        schedules: counts.schedules,
        temporal_calls: report.calls,
        changes,
        errors: report.bounded_errors(),
        error_kinds: ErrorKinds::of(report.errors()),
        warnings: &plan.warnings,
        fires_per_day: plan.fires_per_day,
        report: published.report.as_ref(),
        metrics: published.metrics.as_ref(),
    };
    super::json_document(&value)
}
