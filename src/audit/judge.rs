//! The matching: which fires a definition should have made in the window, and what Temporal
//! did with each.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, Utc};

use super::audited::{Audited, Cadence};
use super::history::{Execution, RunStatus, ScheduleHistory};
use super::report::{
    AuditCounts, ExtraFire, FireAudit, FireStatus, ScheduleAudit, TemporalCounters, Window, count,
};
use crate::schedule::fires::fires_between;

/// The most fires judged per schedule: seven days of a cron that fires every minute (the
/// longest `--since`).
pub const FIRES_PER_SCHEDULE: usize = 7 * 24 * 60;

/// What Temporal said about one schedule.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    /// `None`: Temporal has no schedule of that id.
    pub schedule: Option<ScheduleHistory>,
    /// The workflows it started with a nominal time in the judged window.
    pub executions: Vec<Execution>,
}

/// A fire due at `at`, and the instant by which it must have started (its jitter window).
struct Due {
    at: DateTime<Utc>,
    start_by: DateTime<Utc>,
}

/// Where a schedule's judged window begins: the audit window's start, or the schedule's
/// creation or last full update when later. A schedule fires only strictly after it was
/// created; after an update the fires before it followed another spec.
pub fn judged_from(window: &Window, schedule: Option<&ScheduleHistory>) -> DateTime<Utc> {
    let history = schedule
        .into_iter()
        .flat_map(|s| [s.create_time, s.update_time])
        .flatten();
    history.fold(window.from, DateTime::max)
}

/// The fires `audited` was due to make in `[from, to]`, strictly after `after`.
fn due(
    audited: &Audited,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    after: Option<DateTime<Utc>>,
) -> Vec<Due> {
    let keep = |t: DateTime<Utc>| t >= from && t <= to && after.is_none_or(|a| t > a);
    match &audited.cadence {
        Cadence::Once { at } => keep(*at)
            .then_some(Due {
                at: *at,
                start_by: *at,
            })
            .into_iter()
            .collect(),
        Cadence::Cron {
            calendar,
            tz,
            jitter_seconds,
            ..
        } => fires_between(
            calendar,
            *tz,
            from - Duration::seconds(1),
            to,
            *jitter_seconds,
            FIRES_PER_SCHEDULE,
        )
        .fires
        .into_iter()
        .filter(|f| keep(f.utc))
        .map(|f| Due {
            at: f.utc,
            start_by: f.jitter_until.unwrap_or(f.utc),
        })
        .collect(),
    }
}

/// A fire's verdict from its workflow's status.
fn verdict(status: RunStatus) -> FireStatus {
    match status {
        RunStatus::Completed => FireStatus::Ok,
        // Its continuation runs on; not yet reported counts as started.
        RunStatus::Running | RunStatus::ContinuedAsNew | RunStatus::Unknown => FireStatus::Running,
        RunStatus::Failed | RunStatus::Canceled | RunStatus::Terminated | RunStatus::TimedOut => {
            FireStatus::Failed
        }
    }
}

/// The suffix Temporal appends to the workflow id of a scheduled start: its nominal time.
fn nominal_suffix(t: DateTime<Utc>) -> String {
    format!("-{}", t.format("%Y-%m-%dT%H:%M:%SZ"))
}

/// Judges one schedule's fires in `window`.
pub fn judge(audited: &Audited, facts: &Facts, window: &Window) -> ScheduleAudit {
    let schedule = facts.schedule.as_ref();
    let from = judged_from(window, schedule);
    let after = schedule.and_then(|s| s.create_time.max(s.update_time));

    // The workflows by nominal time; of several runs for one fire (continue-as-new), the
    // latest tells.
    let mut by_time: BTreeMap<DateTime<Utc>, &Execution> = BTreeMap::new();
    for e in &facts.executions {
        let slot = by_time.entry(e.scheduled_for).or_insert(e);
        if e.start_time > slot.start_time {
            *slot = e;
        }
    }
    let recent = schedule.map_or(&[][..], |s| s.recent_actions.as_slice());

    let mut counts = AuditCounts::default();
    let mut fires = Vec::new();
    let mut matched: BTreeSet<String> = BTreeSet::new();
    for due in due(audited, from, window.to, after) {
        let found = by_time
            .get(&due.at)
            .map(|e| (e.workflow_id.clone(), e.run_id.clone(), e.status))
            .or_else(|| {
                // Started, but not yet visible in the workflow list.
                let suffix = nominal_suffix(due.at);
                recent
                    .iter()
                    .find(|a| a.workflow_id.ends_with(&suffix))
                    .map(|a| (a.workflow_id.clone(), a.run_id.clone(), a.status))
            });
        let fire = match found {
            Some((workflow_id, run_id, status)) => {
                matched.insert(workflow_id.clone());
                FireAudit {
                    expected: due.at,
                    status: verdict(status),
                    workflow_id: Some(workflow_id),
                    run_id: Some(run_id),
                    workflow_status: Some(status),
                    reason: None,
                }
            }
            // Its jitter window is still open: not judged yet.
            None if due.start_by > window.to => continue,
            None => not_started(due.at, schedule, &facts.executions),
        };
        count(&mut counts, fire.status);
        fires.push(fire);
    }

    let mut extra: Vec<ExtraFire> = facts
        .executions
        .iter()
        .filter(|e| !matched.contains(&e.workflow_id))
        .filter(|e| e.scheduled_for >= from && e.scheduled_for <= window.to)
        .map(|e| ExtraFire {
            scheduled_for: e.scheduled_for,
            workflow_id: e.workflow_id.clone(),
            run_id: e.run_id.clone(),
            workflow_status: e.status,
        })
        .collect();
    extra.extend(
        recent
            .iter()
            .filter(|a| !matched.contains(&a.workflow_id))
            .filter(|a| {
                !facts
                    .executions
                    .iter()
                    .any(|e| e.workflow_id == a.workflow_id)
            })
            .filter(|a| a.schedule_time >= from && a.schedule_time <= window.to)
            .map(|a| ExtraFire {
                scheduled_for: a.schedule_time,
                workflow_id: a.workflow_id.clone(),
                run_id: a.run_id.clone(),
                workflow_status: a.status,
            }),
    );
    extra.sort_by(|a, b| (a.scheduled_for, &a.workflow_id).cmp(&(b.scheduled_for, &b.workflow_id)));
    extra.dedup_by(|a, b| a.workflow_id == b.workflow_id && a.run_id == b.run_id);
    counts.extra = extra.len();

    let last_fire = recent
        .iter()
        .map(|a| a.schedule_time)
        .chain(facts.executions.iter().map(|e| e.scheduled_for))
        .max();
    ScheduleAudit {
        id: audited.id,
        key: audited.key.clone(),
        schedule_id: audited.schedule_id.clone(),
        source_path: audited.source_path.clone(),
        trigger: audited.trigger(),
        exists: schedule.is_some(),
        paused: schedule.is_some_and(|s| s.paused),
        notes: schedule.map(|s| s.notes.clone()).filter(|n| !n.is_empty()),
        judged_from: from,
        last_fire,
        next_fire: schedule
            .filter(|s| !s.paused)
            .and_then(|s| s.future_action_times.first().copied()),
        counts,
        temporal: schedule.map(|s| TemporalCounters {
            action_count: s.action_count,
            missed_catchup_window: s.missed_catchup_window,
            overlap_skipped: s.overlap_skipped,
            buffer_dropped: s.buffer_dropped,
        }),
        fires,
        extra,
        error: None,
    }
}

/// A fire no workflow answers: skipped when a run of the schedule was still going at its
/// time (the overlap policy held it back), else missed, with what Temporal says about why.
fn not_started(
    at: DateTime<Utc>,
    schedule: Option<&ScheduleHistory>,
    executions: &[Execution],
) -> FireAudit {
    let overlapping = executions.iter().find(|e| {
        e.scheduled_for < at
            && e.start_time.is_none_or(|s| s <= at)
            && match e.close_time {
                Some(closed) => closed > at,
                None => e.status == RunStatus::Running,
            }
    });
    let (status, reason) = match (overlapping, schedule) {
        (Some(e), _) => (
            FireStatus::Skipped,
            format!(
                "the run of {} (`{}`) was still running",
                e.scheduled_for.format("%Y-%m-%d %H:%M:%S UTC"),
                e.workflow_id
            ),
        ),
        (None, None) => (
            FireStatus::Missed,
            "the schedule does not exist in Temporal".to_string(),
        ),
        (None, Some(s)) if s.paused => (
            FireStatus::Missed,
            if s.notes.is_empty() {
                "the schedule is paused".to_string()
            } else {
                format!("the schedule is paused ({})", s.notes)
            },
        ),
        (None, Some(s)) if s.missed_catchup_window > 0 => (
            FireStatus::Missed,
            format!(
                "no workflow started; Temporal counts {} fires that missed the catch-up window",
                s.missed_catchup_window
            ),
        ),
        (None, Some(s)) if s.buffer_dropped > 0 => (
            FireStatus::Missed,
            format!(
                "no workflow started; Temporal dropped {} buffered fires",
                s.buffer_dropped
            ),
        ),
        (None, Some(_)) => (FireStatus::Missed, "no workflow started".to_string()),
    };
    FireAudit {
        expected: at,
        status,
        workflow_id: None,
        run_id: None,
        workflow_status: None,
        reason: Some(reason),
    }
}

/// A schedule Temporal could not be asked about: listed with the error, nothing judged.
pub fn unread(audited: &Audited, window: &Window, error: String) -> ScheduleAudit {
    ScheduleAudit {
        id: audited.id,
        key: audited.key.clone(),
        schedule_id: audited.schedule_id.clone(),
        source_path: audited.source_path.clone(),
        trigger: audited.trigger(),
        exists: false,
        paused: false,
        notes: None,
        judged_from: window.from,
        last_fire: None,
        next_fire: None,
        counts: AuditCounts::default(),
        temporal: None,
        fires: Vec::new(),
        extra: Vec::new(),
        error: Some(error),
    }
}
