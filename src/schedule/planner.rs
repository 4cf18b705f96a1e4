//! The schedule part of the plan: pure, from the desired definitions and what Temporal has.

use std::collections::BTreeMap;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::actual::ActualSchedule;
use super::desired::{
    DesiredSchedule, SCHEDULE_ID_PREFIX, WorkflowTarget, definition_of, desired_schedule,
};
use super::fires::{DstWarning, Fire, dst_warnings, next_fires};
use crate::definition::{Catalog, CronExpr, Trigger};
use crate::plan::{RunError, unified_diff};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScheduleOp {
    Create,
    /// Send the whole desired schedule with the conflict token of its describe.
    Update,
    Pause,
    Unpause,
    Delete,
    Unchanged,
    /// Not ours (no marker): listed, never touched.
    Unmanaged,
    /// Wanted but not created (a `once` in the past).
    Skip,
}

impl ScheduleOp {
    pub fn as_str(self) -> &'static str {
        match self {
            ScheduleOp::Create => "create",
            ScheduleOp::Update => "update",
            ScheduleOp::Pause => "pause",
            ScheduleOp::Unpause => "unpause",
            ScheduleOp::Delete => "delete",
            ScheduleOp::Unchanged => "unchanged",
            ScheduleOp::Unmanaged => "unmanaged",
            ScheduleOp::Skip => "skip",
        }
    }

    pub fn sign(self) -> &'static str {
        match self {
            ScheduleOp::Create => "+",
            ScheduleOp::Update => "~",
            ScheduleOp::Pause => "⏸",
            ScheduleOp::Unpause => "▶",
            ScheduleOp::Delete => "-",
            ScheduleOp::Unchanged => "=",
            ScheduleOp::Unmanaged => "?",
            ScheduleOp::Skip => "!",
        }
    }

    pub fn mutates(self) -> bool {
        matches!(
            self,
            ScheduleOp::Create
                | ScheduleOp::Update
                | ScheduleOp::Pause
                | ScheduleOp::Unpause
                | ScheduleOp::Delete
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduleChange {
    pub schedule_id: String,
    pub op: ScheduleOp,
    /// The definition's key, when there is a definition.
    pub key: Option<String>,
    pub desired: Option<DesiredSchedule>,
    pub actual: Option<ActualSchedule>,
    pub note: Option<String>,
    /// Unified diff of the schedule as Temporal has it → as wanted (updates).
    pub diff: String,
    /// Next fires of a created or changed cron schedule.
    pub fires: Vec<Fire>,
    pub warnings: Vec<DstWarning>,
    /// An unmarked schedule taken over with `--adopt`.
    pub adopt: bool,
}

/// What the operator asked of the schedules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleOptions {
    pub scope: String,
    pub adopt: bool,
    pub target: WorkflowTarget,
    /// The planner's only idea of time, handed in: `once` in the past, next fires.
    pub now: DateTime<Utc>,
}

/// Whether a listed or described schedule has the wanted shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Same,
    Differs,
    /// Listed only, and the list cannot tell: describe before deciding.
    Unknown,
}

fn verdict(want: &DesiredSchedule, have: &ActualSchedule) -> Verdict {
    if let Some(described) = &have.described {
        return match &described.shape {
            Some(shape) if *shape == want.shape => Verdict::Same,
            _ => Verdict::Differs,
        };
    }
    if let Some(listed) = &have.listed
        && (listed.calendars != want.shape.calendars
            || listed.timezone != want.shape.timezone
            || listed.jitter_seconds != want.shape.jitter_seconds)
    {
        return Verdict::Differs;
    }
    match &have.spec_hash {
        Some(hash) if *hash == want.spec_hash => Verdict::Same,
        Some(_) => Verdict::Differs,
        None => Verdict::Unknown,
    }
}

/// Plans every schedule the run cares about. `held`: why deletions are suspended.
pub fn plan_schedules(
    catalog: &Catalog,
    actual: &BTreeMap<String, ActualSchedule>,
    options: &ScheduleOptions,
    held: Option<&str>,
) -> (BTreeMap<String, ScheduleChange>, Vec<RunError>) {
    let scope = options.scope.as_str();
    let mut changes = BTreeMap::new();
    let mut errors = Vec::new();
    let change = |id: &str, op, key: Option<String>, desired, actual: Option<&ActualSchedule>| {
        ScheduleChange {
            schedule_id: id.to_string(),
            op,
            key,
            desired,
            actual: actual.cloned(),
            note: None,
            diff: String::new(),
            fires: Vec::new(),
            warnings: Vec::new(),
            adopt: false,
        }
    };
    for definition in catalog.activities.values() {
        let Some(want) = desired_schedule(definition, &options.target) else {
            continue;
        };
        let id = want.schedule_id.clone();
        let key = Some(definition.key.clone());
        let have = actual.get(&id);
        let mut c = match have {
            None => match want.once_at {
                Some(at) if at <= options.now => {
                    let mut c = change(&id, ScheduleOp::Skip, key, Some(want.clone()), None);
                    c.note = Some(format!(
                        "once at {} is in the past; not created",
                        at.to_rfc3339()
                    ));
                    c
                }
                _ => change(&id, ScheduleOp::Create, key, Some(want.clone()), None),
            },
            Some(have) => match have.owner() {
                Some(owner) if owner != scope => {
                    errors.push(
                        RunError::new(
                            "schedules",
                            format!("schedule `{id}` is owned by scope `{owner}`; scope `{scope}` leaves it alone"),
                        )
                        .id(&id),
                    );
                    continue;
                }
                None if !options.adopt => {
                    let mut c = change(
                        &id,
                        ScheduleOp::Unmanaged,
                        key,
                        Some(want.clone()),
                        Some(have),
                    );
                    c.note = Some(
                        "unmanaged (no activity-sync marker), left alone; --adopt takes it over"
                            .into(),
                    );
                    c
                }
                owner => {
                    let adopt = owner.is_none();
                    let mut c = if want.once_at.is_some() && have.fired() {
                        let mut c = change(
                            &id,
                            ScheduleOp::Unchanged,
                            key,
                            Some(want.clone()),
                            Some(have),
                        );
                        c.note = Some("fired; not re-armed".into());
                        c
                    } else {
                        match (adopt, verdict(&want, have)) {
                            (false, Verdict::Same) if have.paused == want.paused => change(
                                &id,
                                ScheduleOp::Unchanged,
                                key,
                                Some(want.clone()),
                                Some(have),
                            ),
                            (false, Verdict::Same) => {
                                let op = if want.paused {
                                    ScheduleOp::Pause
                                } else {
                                    ScheduleOp::Unpause
                                };
                                change(&id, op, key, Some(want.clone()), Some(have))
                            }
                            _ => {
                                let mut c = change(
                                    &id,
                                    ScheduleOp::Update,
                                    key,
                                    Some(want.clone()),
                                    Some(have),
                                );
                                if let Some(shape) =
                                    have.described.as_ref().and_then(|d| d.shape.as_ref())
                                {
                                    c.diff = unified_diff(
                                        "schedule",
                                        &pretty(shape),
                                        &pretty(&want.shape),
                                    );
                                    if have.spec_hash.as_deref() == Some(want.spec_hash.as_str()) {
                                        c.note =
                                            Some("changed outside activity-sync; reverting".into());
                                    }
                                }
                                c
                            }
                        }
                    };
                    c.adopt = adopt;
                    if adopt {
                        c.note = Some("adopted: unmarked schedule with the conventional id".into());
                    }
                    c
                }
            },
        };
        if matches!(c.op, ScheduleOp::Pause) {
            c.note = Some(format!("disabled in {}", definition.origin.at("enabled")));
        } else if matches!(c.op, ScheduleOp::Unpause) {
            c.note = Some(format!("enabled in {}", definition.origin.source_path));
        }
        if matches!(c.op, ScheduleOp::Create | ScheduleOp::Update)
            && let Trigger::Cron(cron) = &definition.trigger
            && let (Ok(expr), Ok(tz)) = (
                CronExpr::parse(&cron.cron),
                chrono_tz::Tz::from_str(&cron.timezone),
            )
        {
            c.fires = next_fires(&expr, tz, options.now, 3);
            c.warnings = dst_warnings(&expr, tz, options.now);
        }
        changes.insert(id, c);
    }
    // Schedules of this scope that no live definition wants.
    for (id, have) in actual {
        if changes.contains_key(id) {
            continue;
        }
        if have.owner() != Some(scope) {
            if have.owner().is_none() && id.starts_with(SCHEDULE_ID_PREFIX) {
                let mut c = change(id, ScheduleOp::Unmanaged, None, None, Some(have));
                c.note = Some("unmanaged (no activity-sync marker), left alone".into());
                changes.insert(id.clone(), c);
            }
            continue;
        }
        let definition_id = have.memo_definition.or_else(|| definition_of(id));
        let definition = definition_id.and_then(|d| catalog.activities.get(&d));
        let protected = definition_id.is_some_and(|d| catalog.protected.ids.contains(&d));
        let key = definition.map(|d| d.key.clone());
        let mut c = if let Some(d) = definition.filter(|d| matches!(d.trigger, Trigger::Event(_))) {
            let mut c = change(
                id,
                ScheduleOp::Delete,
                Some(d.key.clone()),
                None,
                Some(have),
            );
            c.note = Some("event trigger: no schedule".into());
            c
        } else if protected {
            let mut c = change(id, ScheduleOp::Unchanged, key, None, Some(have));
            c.note = Some("kept: its definition file failed to read or validate".into());
            c
        } else if let Some(why) = held {
            let mut c = change(id, ScheduleOp::Unchanged, key, None, Some(have));
            c.note = Some(why.to_string());
            c
        } else {
            let mut c = change(id, ScheduleOp::Delete, key, None, Some(have));
            c.note = Some("orphan: no live definition".into());
            c
        };
        c.schedule_id = id.clone();
        changes.insert(id.clone(), c);
    }
    (changes, errors)
}

/// Schedules a run must describe before it can plan them: every one the list alone would
/// mutate (and, with `--refresh full`, every one it owns).
pub fn to_describe(
    catalog: &Catalog,
    listed: &BTreeMap<String, ActualSchedule>,
    options: &ScheduleOptions,
    full: bool,
) -> Vec<String> {
    let (changes, _) = plan_schedules(catalog, listed, options, None);
    changes
        .values()
        .filter(|c| {
            let ours = c
                .actual
                .as_ref()
                .is_some_and(|a| a.owner() == Some(options.scope.as_str()));
            c.actual.is_some()
                && (c.op.mutates()
                    || (full && ours)
                    || (ours && c.desired.as_ref().is_some_and(|d| d.once_at.is_some())))
        })
        .map(|c| c.schedule_id.clone())
        .collect()
}

fn pretty<T: Serialize>(value: &T) -> String {
    let mut text = serde_json::to_string_pretty(value).expect("shapes serialize");
    text.push('\n');
    text
}
