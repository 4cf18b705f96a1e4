//! Foresight (SPEC §9), pure: what the plan means for the fires to come. Each created,
//! updated, paused, unpaused or deleted cron schedule gets its fires per day before and after
//! ([`fires_per_day`](crate::schedule::fire_rate::fires_per_day), in its own zone), the
//! scope gets its totals, a change of pace by a factor of ten is a `cadence` warning, and
//! the most fires of the scope's enabled schedules that land in one second over the next
//! seven days, at or above `--herd-threshold`, is a `herd` warning.
//!
//! "Before" is the schedule as Temporal has it: the calendars and zone the list (or the
//! describe) returned, which is what fires today whatever the rows say; the row's old
//! trigger is the fallback when Temporal's spec was not read. "After" is the desired
//! schedule; a schedule the plan leaves as it is keeps its rate.

use std::collections::HashMap;
use std::fmt::Write;
use std::str::FromStr;

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;

use super::actual::Actual;
use super::fires_per_day::{FiresPerDay, format_rate};
use super::schedule_change::{ScheduleChange, ScheduleOp, ScheduleStep};
use super::warning::{Warning, WarningKind};
use crate::definition::{Catalog, CronExpr};
use crate::schedule::actual::ActualSchedule;
use crate::schedule::calendar::{Calendar, from_cron};
use crate::schedule::desired::{DesiredSchedule, Overlap, WorkflowTarget, desired_schedule};
use crate::schedule::fire_rate::{CalendarSet, fire_windows, fires_per_day};

/// `--herd-threshold` and `--start-rate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ForesightOptions {
    /// Fires in one second at or above which the plan warns of a herd.
    pub herd_threshold: u32,
    /// Scheduled workflow starts a second the server makes for a namespace (a self-hosted
    /// server's default is about 30).
    pub start_rate: u32,
}

impl Default for ForesightOptions {
    fn default() -> Self {
        ForesightOptions {
            herd_threshold: 50,
            start_rate: 30,
        }
    }
}

/// How far ahead herds are looked for.
pub const HERD_WINDOW_DAYS: i64 = 7;
/// Fires enumerated per distinct schedule for the herd: a `* * * * *` week (10,080) and the
/// repeated hour of a fall-back change fit.
const HERD_FIRES: usize = 10_200;

/// A schedule as it fires: its calendars, zone and jitter, and for the herd what catches up.
#[derive(Debug, Clone)]
struct Firing {
    calendars: Vec<Calendar>,
    timezone: String,
    jitter_seconds: u64,
    /// With its catch-up window, when known: `(overlap, seconds)`.
    catchup: Option<(Overlap, u64)>,
    /// Each calendar's cron text (Temporal keeps it as the calendar's comment).
    cron: String,
}

impl Firing {
    fn of_desired(want: &DesiredSchedule) -> Firing {
        Firing {
            calendars: want.shape.calendars.clone(),
            timezone: want.shape.timezone.clone(),
            jitter_seconds: want.shape.jitter_seconds,
            catchup: Some((want.shape.overlap, want.shape.catchup_window_seconds)),
            cron: crons(&want.shape.calendars),
        }
    }

    /// As Temporal has it: described, listed, or else the row's old trigger.
    fn of_actual(have: &ActualSchedule, actual: &Actual) -> Option<Firing> {
        let catchup = have
            .described
            .as_ref()
            .and_then(|d| d.shape.as_ref())
            .map(|s| (s.overlap, s.catchup_window_seconds));
        if let Some(shape) = have.described.as_ref().and_then(|d| d.shape.as_ref()) {
            return Some(Firing {
                calendars: shape.calendars.clone(),
                timezone: shape.timezone.clone(),
                jitter_seconds: shape.jitter_seconds,
                catchup,
                cron: crons(&shape.calendars),
            });
        }
        if let Some(listed) = &have.listed {
            return Some(Firing {
                calendars: listed.calendars.clone(),
                timezone: listed.timezone.clone(),
                jitter_seconds: listed.jitter_seconds,
                catchup,
                cron: crons(&listed.calendars),
            });
        }
        let row = actual.definitions.get(
            &have
                .memo_definition
                .or_else(|| crate::schedule::desired::definition_of(&have.schedule_id))?,
        )?;
        if row.trigger_type != "cron" {
            return None;
        }
        let config = &row.trigger_config;
        let expr = CronExpr::parse(config.get("cron")?.as_str()?).ok()?;
        Some(Firing {
            calendars: vec![from_cron(&expr)],
            timezone: config
                .get("timezone")
                .and_then(|v| v.as_str())
                .unwrap_or("UTC")
                .to_string(),
            jitter_seconds: config
                .get("jitter_seconds")
                .and_then(serde_json::Value::as_u64)
                .unwrap_or(0),
            catchup,
            cron: expr.as_str().to_string(),
        })
    }

    /// A cron schedule, not a one-shot (whose calendar names its year).
    fn is_cron(&self) -> bool {
        self.calendars.iter().all(|c| c.year.is_empty())
    }

    fn tz(&self) -> Option<Tz> {
        Tz::from_str(&self.timezone).ok()
    }

    fn key(&self) -> String {
        format!(
            "{}\u{0}{}",
            serde_json::to_string(&self.calendars).unwrap_or_default(),
            self.timezone
        )
    }

    fn label(&self) -> String {
        format!("`{}` {}", self.cron, self.timezone)
    }
}

fn crons(calendars: &[Calendar]) -> String {
    calendars
        .iter()
        .map(|c| c.comment.as_str())
        .collect::<Vec<_>>()
        .join(" | ")
}

/// Rates by calendars and zone: a scope of thousands has a few dozen distinct crons.
struct Rates {
    now: DateTime<Utc>,
    memo: HashMap<String, f64>,
}

impl Rates {
    fn of(&mut self, firing: &Firing) -> f64 {
        let Some(tz) = firing.tz() else { return 0.0 };
        let now = self.now;
        *self
            .memo
            .entry(firing.key())
            .or_insert_with(|| fires_per_day(&firing.calendars, tz, now))
    }
}

/// What foresight adds to a plan.
pub struct Foresight {
    /// The scope's managed cron schedules, before and after.
    pub totals: FiresPerDay,
    pub warnings: Vec<Warning>,
}

/// The schedule before the plan, firing (`None` when absent or paused, or not a cron).
fn before(change: &ScheduleChange, actual: &Actual) -> Option<Firing> {
    let have = change.have().filter(|h| !h.paused)?;
    Firing::of_actual(have, actual).filter(Firing::is_cron)
}

/// The schedule after the plan, firing.
fn after(
    change: &ScheduleChange,
    actual: &Actual,
    catalog: &Catalog,
    target: &WorkflowTarget,
) -> Option<Firing> {
    let desired = || {
        change
            .have()
            .and_then(|h| h.memo_definition)
            .or_else(|| crate::schedule::desired::definition_of(&change.schedule_id))
            .and_then(|id| catalog.activities.get(&id))
            .and_then(|d| desired_schedule(d, target))
            .map(|want| Firing::of_desired(&want))
    };
    match &change.step {
        ScheduleStep::Create { want, .. } | ScheduleStep::Update { want, .. } => {
            (!want.paused).then(|| Firing::of_desired(want))
        }
        // The same shape as wanted (or the plan would update it).
        ScheduleStep::Unpause { have, .. } => Firing::of_actual(have, actual).or_else(desired),
        ScheduleStep::Unchanged { have } | ScheduleStep::Held { have } => {
            if have.paused {
                None
            } else {
                Firing::of_actual(have, actual).or_else(desired)
            }
        }
        ScheduleStep::Pause { .. }
        | ScheduleStep::Delete { .. }
        | ScheduleStep::Unmanaged { .. }
        | ScheduleStep::Skip { .. } => None,
    }
}

/// Fire rates on the changes, the scope's totals, and the `cadence` and `herd` warnings.
pub fn foresee(
    schedules: &mut std::collections::BTreeMap<String, ScheduleChange>,
    actual: &Actual,
    catalog: &Catalog,
    target: &WorkflowTarget,
    now: DateTime<Utc>,
    options: ForesightOptions,
) -> Foresight {
    let mut rates = Rates {
        now,
        memo: HashMap::new(),
    };
    let mut totals = FiresPerDay::default();
    let mut warnings = Vec::new();
    let mut firing_after: Vec<(String, Firing)> = Vec::new();
    for change in schedules.values_mut() {
        if change.op() == ScheduleOp::Unmanaged {
            continue;
        }
        let (was, will) = (
            before(change, actual),
            after(change, actual, catalog, target),
        );
        let rate = FiresPerDay {
            before: was
                .as_ref()
                .filter(|f| f.is_cron())
                .map_or(0.0, |f| rates.of(f)),
            after: will
                .as_ref()
                .filter(|f| f.is_cron())
                .map_or(0.0, |f| rates.of(f)),
        };
        totals.before += rate.before;
        totals.after += rate.after;
        let cron = was.as_ref().is_some_and(Firing::is_cron)
            || will.as_ref().is_some_and(Firing::is_cron)
            || change.want().is_some_and(|w| w.once_at.is_none())
            || change
                .have()
                .is_some_and(|h| Firing::of_actual(h, actual).is_some_and(|f| f.is_cron()));
        if change.op().mutates() && cron {
            change.fires_per_day = Some(rate);
            if rate.cadence_changed() {
                let id = &change.schedule_id;
                let key = change
                    .key
                    .as_deref()
                    .map(|k| format!(" (`{k}`)"))
                    .unwrap_or_default();
                let (from, to) = (
                    was.as_ref().map(Firing::label).unwrap_or_default(),
                    will.as_ref().map(Firing::label).unwrap_or_default(),
                );
                let (factor, way) = if rate.after > rate.before {
                    (rate.after / rate.before, "more")
                } else {
                    (rate.before / rate.after, "fewer")
                };
                warnings.push(Warning {
                    kind: WarningKind::Cadence,
                    id: Some(id.clone()),
                    message: format!(
                        "`{id}`{key} fires {}/day instead of {}/day ({}× {way}): {from} → {to}",
                        format_rate(rate.after),
                        format_rate(rate.before),
                        format_rate((factor * 10.0).round() / 10.0),
                    ),
                });
            }
        }
        if let Some(will) = will {
            firing_after.push((change.schedule_id.clone(), will));
        }
    }
    if let Some(herd) = herd(&firing_after, now, options) {
        warnings.push(herd);
    }
    Foresight { totals, warnings }
}

/// Schedules that fire at the same instants: same calendars, zone and jitter.
struct Group<'a> {
    firing: &'a Firing,
    ids: Vec<&'a str>,
    windows: Vec<(i64, i64)>,
}

/// The second with the most fires of `firing` over the next week, and the warning when it
/// reaches the threshold. A jittered fire counts as spread evenly over its window.
fn herd(
    firing: &[(String, Firing)],
    now: DateTime<Utc>,
    options: ForesightOptions,
) -> Option<Warning> {
    let mut by_key: HashMap<(String, u64), usize> = HashMap::new();
    let mut groups: Vec<Group<'_>> = Vec::new();
    for (id, f) in firing {
        let at = *by_key
            .entry((f.key(), f.jitter_seconds))
            .or_insert_with(|| {
                groups.push(Group {
                    firing: f,
                    ids: Vec::new(),
                    windows: Vec::new(),
                });
                groups.len() - 1
            });
        groups[at].ids.push(id);
    }
    // A herd of fewer schedules than the threshold cannot reach it.
    if firing.len() < options.herd_threshold as usize {
        return None;
    }
    let to = now + Duration::days(HERD_WINDOW_DAYS);
    // Fires at one second (weight), and jitter spreads as density over [start, end).
    let mut points: HashMap<i64, f64> = HashMap::new();
    let mut deltas: Vec<(i64, f64)> = Vec::new();
    for group in &mut groups {
        let Some(tz) = group.firing.tz() else {
            continue;
        };
        let set = CalendarSet::new(&group.firing.calendars, tz);
        let n = group.ids.len() as f64;
        for (start, end) in fire_windows(&set, now, to, group.firing.jitter_seconds, HERD_FIRES) {
            let (s, e) = (start.timestamp(), end.timestamp());
            if e > s {
                let density = n / (e - s) as f64;
                deltas.push((s, density));
                deltas.push((e, -density));
            } else {
                *points.entry(s).or_default() += n;
            }
            group.windows.push((s, e));
        }
    }
    deltas.sort_by_key(|d| d.0);
    let mut candidates: Vec<i64> = points.keys().copied().collect();
    candidates.extend(deltas.iter().filter(|d| d.1 > 0.0).map(|d| d.0));
    candidates.sort_unstable();
    candidates.dedup();
    let (mut running, mut next) = (0.0, 0);
    let mut peak: Option<(f64, i64)> = None;
    for second in candidates {
        while next < deltas.len() && deltas[next].0 <= second {
            running += deltas[next].1;
            next += 1;
        }
        let here = running + points.get(&second).copied().unwrap_or(0.0);
        if peak.is_none_or(|(most, _)| here > most + 1e-9) {
            peak = Some((here, second));
        }
    }
    let (count, second) = peak?;
    if count + 1e-9 < f64::from(options.herd_threshold) {
        return None;
    }
    let members: Vec<&Group<'_>> = groups
        .iter()
        .filter(|g| {
            g.windows
                .iter()
                .any(|&(s, e)| s == second || (s <= second && second < e))
        })
        .collect();
    Some(herd_warning(count, second, &members, options))
}

fn herd_warning(
    count: f64,
    second: i64,
    members: &[&Group<'_>],
    options: ForesightOptions,
) -> Warning {
    let at = DateTime::<Utc>::from_timestamp(second, 0).unwrap_or_default();
    let shown = |x: f64| {
        if (x - x.round()).abs() < 1e-9 {
            format!("{x:.0}")
        } else {
            format!("{x:.1}")
        }
    };
    let mut message = format!(
        "{} fires start in the same second, {} UTC: ",
        shown(count),
        at.format("%Y-%m-%d %H:%M:%S")
    );
    let crons: Vec<String> = members
        .iter()
        .map(|g| {
            let jitter = if g.firing.jitter_seconds > 0 {
                format!(" with jitter {} s", g.firing.jitter_seconds)
            } else {
                String::new()
            };
            format!("{} × {}{jitter}", g.ids.len(), g.firing.label())
        })
        .collect();
    message.push_str(&crons.join(", "));
    let rate = f64::from(options.start_rate.max(1));
    let delay = count / rate;
    let _ = write!(
        message,
        "; at {} scheduled starts a second (--start-rate) the last starts about {} s late",
        options.start_rate,
        shown(delay.ceil())
    );
    // Catch-up windows shorter than the delay: the late fires are dropped, not delayed.
    let mut short: Vec<(u64, usize, bool)> = Vec::new();
    for g in members {
        if let Some((overlap, window)) = g.firing.catchup
            && (window as f64) < delay
        {
            match short.iter_mut().find(|s| s.0 == window) {
                Some(s) => s.1 += g.ids.len(),
                None => short.push((window, g.ids.len(), overlap == Overlap::Skip)),
            }
        }
    }
    short.sort_unstable();
    for (window, schedules, skip) in short {
        let dropped = (count - rate * window as f64).max(0.0).ceil();
        let _ = write!(
            message,
            "; that is past the {window} s catch-up window of {schedules} of them{}: about {} of the fires are dropped, not delayed",
            if skip { " (`skip`)" } else { "" },
            shown(dropped)
        );
    }
    // Spread them so that no second holds more than the server starts, nor the threshold.
    let per_second = rate.min(f64::from(options.herd_threshold.max(1)));
    let needed = (count / per_second).ceil() as u64;
    let suggest = needed.div_ceil(60).max(1) * 60;
    let _ = write!(
        message,
        "; add `jitter_seconds: {suggest}` (or more) to these definitions to spread their starts"
    );
    Warning {
        kind: WarningKind::Herd,
        id: None,
        message,
    }
}
