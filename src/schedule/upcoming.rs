//! `upcoming`, pure: every fire of a catalog's enabled cron and `once` definitions in a window,
//! in time order, computed from the schedules apply would write ([`desired_schedule`]) the way
//! the Temporal server computes their next action times ([`fires_between`]).

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use uuid::Uuid;

use super::desired::{DesiredSchedule, WorkflowTarget, desired_schedule};
use super::fires::{dst_warnings_between, fires_between};
use crate::definition::{Catalog, Trigger};

/// The most fires listed per definition: a `* * * * *` over 30 days is 43,200 fires; past the
/// limit a definition is listed up to its limit and named in [`Upcoming::truncated`].
pub const FIRES_PER_DEFINITION: usize = 1000;

/// One fire (SPEC §9: `utc`, `local`, `key`, `id`, `schedule_id`, `misfire_policy`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UpcomingFire {
    /// The nominal instant (before jitter).
    pub utc: DateTime<Utc>,
    /// The same instant in the schedule's zone, with its offset.
    pub local: String,
    pub key: String,
    pub id: Uuid,
    pub schedule_id: String,
    pub misfire_policy: String,
    /// With `jitter_seconds`: the fire starts somewhere before this instant (Temporal picks
    /// the point from a hash of the schedule; the window is shown, not a guess).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jitter_until: Option<DateTime<Utc>>,
    /// How daylight-saving time moved this fire: the first or second of a repeated wall
    /// time, or moved because its wall time does not exist.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dst: Option<String>,
}

/// A definition with more fires in the window than [`FIRES_PER_DEFINITION`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Truncated {
    pub key: String,
    pub id: Uuid,
    /// How many are listed.
    pub listed: usize,
    /// The last one listed.
    pub last: DateTime<Utc>,
}

/// A daylight-saving change in the window that makes a schedule fire otherwise than its
/// wall clock says (the plan's DST warnings, for the window).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UpcomingWarning {
    /// The first local wall time affected (orders the list).
    #[serde(skip)]
    pub wall_time: chrono::NaiveDateTime,
    /// `gap` or `overlap`.
    pub kind: String,
    pub key: String,
    pub schedule_id: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upcoming {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub fires: Vec<UpcomingFire>,
    pub warnings: Vec<UpcomingWarning>,
    pub truncated: Vec<Truncated>,
    /// Enabled cron and `once` definitions looked at.
    pub definitions: usize,
}

impl Upcoming {
    /// The fires in `(from, to]` of every enabled cron and `once` definition of `catalog`.
    pub fn compute(catalog: &Catalog, from: DateTime<Utc>, to: DateTime<Utc>) -> Upcoming {
        let mut upcoming = Upcoming {
            from,
            to,
            fires: Vec::new(),
            warnings: Vec::new(),
            truncated: Vec::new(),
            definitions: 0,
        };
        // The action does not change when a schedule fires.
        let action = WorkflowTarget::default();
        for definition in catalog.activities.values() {
            if !definition.enabled {
                continue;
            }
            let policy = match &definition.trigger {
                Trigger::Cron(c) => c.misfire_policy.as_str(),
                // A one-shot is written with `skip` and a day to catch up (SPEC §5).
                Trigger::Once(_) => "skip",
                Trigger::Event(_) => continue,
            };
            let Some(schedule) = desired_schedule(definition, &action) else {
                continue;
            };
            let Ok(tz) = schedule.shape.timezone.parse::<Tz>() else {
                continue;
            };
            upcoming.definitions += 1;
            upcoming.add(&schedule, tz, policy);
        }
        upcoming
            .fires
            .sort_by(|a, b| (a.utc, &a.key).cmp(&(b.utc, &b.key)));
        upcoming
            .warnings
            .sort_by(|a, b| (a.wall_time, &a.key).cmp(&(b.wall_time, &b.key)));
        upcoming
    }

    fn add(&mut self, schedule: &DesiredSchedule, tz: Tz, policy: &str) {
        let shape = &schedule.shape;
        for calendar in &shape.calendars {
            let window = fires_between(
                calendar,
                tz,
                self.from,
                self.to,
                shape.jitter_seconds,
                FIRES_PER_DEFINITION,
            );
            if window.truncated
                && let Some(last) = window.fires.last()
            {
                self.truncated.push(Truncated {
                    key: schedule.key.clone(),
                    id: schedule.definition_id,
                    listed: window.fires.len(),
                    last: last.utc,
                });
            }
            self.fires
                .extend(window.fires.into_iter().map(|f| UpcomingFire {
                    utc: f.utc,
                    local: f.local,
                    key: schedule.key.clone(),
                    id: schedule.definition_id,
                    schedule_id: schedule.schedule_id.clone(),
                    misfire_policy: policy.to_string(),
                    jitter_until: f.jitter_until,
                    dst: f.dst.map(|d| d.to_string()),
                }));
            if schedule.once_at.is_none() {
                self.warnings.extend(
                    dst_warnings_between(calendar, tz, self.from, self.to)
                        .into_iter()
                        .map(|w| UpcomingWarning {
                            wall_time: w.wall_time,
                            kind: w.kind,
                            key: schedule.key.clone(),
                            schedule_id: schedule.schedule_id.clone(),
                            message: w.message,
                        }),
                );
            }
        }
    }
}
