//! `plan(desired, actual, options) -> Plan`: pure, synchronous, deterministic. No I/O, clock
//! or environment: `now` is handed in.
//!
//! Rows and schedules are decided together, in named steps (omicron's `do_plan_*`), because
//! the invariants span both (SPEC §5): a schedule follows its row — created or unpaused only
//! for a row that is committed and enabled; a row kept as it is (its file failed, a source
//! failed, a conflict) keeps its schedule as it is; no row, no schedule.
//!
//! With `--schedules-from database` the desired definitions are built from the rows
//! themselves (`run::desired_from_rows`) and the definitions stage is off: the same steps
//! then make Temporal follow the rows of the scope, or with [`ANY_SCOPE`] the rows no scope
//! owns — never a schedule another scope owns.

use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::actual::{Actual, Workers};
use super::field_change::unified_diff;
use super::fires_per_day::FiresPerDay;
use super::foresight::{ForesightOptions, foresee};
use super::plan::{PLAN_FORMAT, Plan};
use super::resource::{DefinitionRow, EventTypeRow, Resource};
use super::row_change::{Change, RowStep};
use super::run_error::RunError;
use super::schedule_change::{ScheduleChange, ScheduleOp, ScheduleStep};
use super::schedules_from::SchedulesFrom;
use super::stages::Stages;
use super::warning::{Warning, WarningKind};
use crate::definition::{ActivityDefinition, Catalog, Trigger, source_location};
use crate::gather::Desired;
use crate::schedule::actual::{ANY_SCOPE, ActualSchedule};
use crate::schedule::desired::{
    DesiredSchedule, SCHEDULE_ID_PREFIX, WorkflowTarget, definition_of, desired_schedule,
    schedule_id,
};
use crate::schedule::fires::{dst_warnings, next_fires};
use crate::schedule::pause::{paused_by_us, quoted_note};
use crate::schedule::spec_note::with_spec;

/// What the operator asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanOptions {
    pub scope: String,
    pub stages: Stages,
    /// Retire everything when the sources yield no definitions at all.
    pub allow_empty: bool,
    /// Most retirements and deletions one run may make; `None`: 10 or 25 % of the scope,
    /// whichever is larger.
    pub max_delete: Option<usize>,
    /// Take over unmarked schedules with the conventional id.
    pub adopt: bool,
    /// Lift pauses someone else made on schedules whose definitions are enabled
    /// (`--unpause-manual`); without it they are held.
    pub unpause_manual: bool,
    /// What a schedule starts.
    pub target: WorkflowTarget,
    /// The planner's only idea of time: `once` in the past, next fires.
    pub now: DateTime<Utc>,
    /// `--herd-threshold`, `--start-rate`.
    pub foresight: ForesightOptions,
    /// `--schedules-from`: with `Database`, the desired definitions are the scope's rows
    /// (built from them), the definitions stage is off, and scope [`ANY_SCOPE`] stands for
    /// the rows no scope owns.
    pub schedules_from: SchedulesFrom,
}

/// Default retirement limit: 10 objects or 25 % of what the scope owns, whichever is larger.
pub fn default_max_delete(owned: usize) -> usize {
    10.max(owned.div_ceil(4))
}

pub fn plan(desired: &Desired, actual: &Actual, options: &PlanOptions) -> Plan {
    plan_with(desired, actual, options, true)
}

/// [`plan`], with or without the foresight step (fire rates and herds, which only what is
/// shown needs: [`needs_describe`] leaves it out).
fn plan_with(desired: &Desired, actual: &Actual, options: &PlanOptions, foresight: bool) -> Plan {
    let mut planner = Planner::new(desired, actual, options);
    planner.do_plan_file_errors();
    planner.do_plan_empty_guard();
    if options.stages.definitions {
        planner.do_plan_definition_conflicts();
        planner.do_plan_definitions();
    }
    if options.stages.event_types {
        planner.do_plan_event_types();
    }
    planner.do_plan_duplicates();
    if options.stages.schedules {
        planner.do_plan_schedules();
        planner.do_plan_workers();
        if foresight {
            planner.do_plan_foresight();
        }
    }
    planner.do_plan_deletion_limit();
    planner.finish()
}

/// The schedules a run must describe before it can plan them, because the list cannot
/// settle them: every create (the list lags behind recent writes, so a schedule it does not
/// show may exist), every mutation planned from a list entry alone (nothing is changed on
/// the word of a list), every owned `once` (has it fired?), the schedule of every row this
/// plan retires or turns into an event trigger that the list does not show (it may have
/// been created a moment ago; it must go with its row), and with `full` every schedule the
/// scope owns.
pub fn needs_describe(
    desired: &Desired,
    actual: &Actual,
    options: &PlanOptions,
    full: bool,
) -> Vec<String> {
    let plan = plan_with(desired, actual, options, false);
    let mut ids: Vec<String> = plan
        .schedules
        .values()
        .filter(|c| {
            let Some(have) = c.have() else {
                // Only a run that committed the row can have created the schedule since (a
                // killed run, the list lagging behind it); a definition with no row yet
                // has none of ours.
                return match &c.step {
                    ScheduleStep::Create { want, .. } => {
                        actual.definitions.contains_key(&want.definition_id)
                    }
                    _ => false,
                };
            };
            let owned = have.owner() == Some(options.scope.as_str());
            let once = c.want().is_some_and(|w| w.once_at.is_some());
            have.described.is_none() && (c.op().mutates() || (owned && (full || once)))
        })
        .map(|c| c.schedule_id.clone())
        .collect();
    if options.stages.schedules {
        // Rows keep the trigger type as text (`DefinitionRow::desired`).
        let event = |row: &DefinitionRow| row.trigger_type == "event";
        for (definition, change) in &plan.definitions {
            let had_schedule = match &change.step {
                RowStep::Retire { have } => !event(have),
                RowStep::Update { want, have } => event(want) && !event(have),
                _ => false,
            };
            let id = schedule_id(*definition);
            if had_schedule && !actual.schedules.contains_key(&id) {
                ids.push(id);
            }
        }
    }
    ids
}

/// What the row of a definition id is after the plan, as its schedule must follow it.
enum Fate<'a> {
    /// A row of this scope that the runtime can load: the schedule follows the definition,
    /// paused unless the row is enabled.
    Live {
        definition: &'a ActivityDefinition,
        enabled: bool,
        /// Why it is paused, when it is.
        disabled: String,
    },
    /// The row stays exactly as it is, and so does its schedule.
    Kept(String),
    /// Wanted, but there will be no row to load: no schedule.
    NoRow(&'a ActivityDefinition, String),
    /// No row, or a retired one: no schedule.
    Gone(String),
    /// Its row has no scope (the runtime wrote it): not ours to follow, nor an orphan; the
    /// schedule stays as it is and none is created. The definition, if a file wants it.
    Unmanaged(Option<&'a ActivityDefinition>, String),
}

struct Planner<'a> {
    desired: &'a Desired,
    catalog: &'a Catalog,
    actual: &'a Actual,
    options: &'a PlanOptions,
    scope: &'a str,
    errors: Vec<RunError>,
    warnings: Vec<Warning>,
    /// The scope's fires per day, with the schedules stage.
    fires_per_day: Option<FiresPerDay>,
    conflicts: usize,
    /// Desired definitions refused for a conflict: nothing of theirs is written.
    refused: BTreeSet<Uuid>,
    /// Rows of this scope kept as they are because a refused definition is about them.
    claimed: BTreeMap<Uuid, String>,
    /// Everything the scope owns and could lose, one entry per definition ([`owned`]).
    owned: BTreeSet<String>,
    /// Why retirements and deletions are suspended, if they are.
    held: Option<&'static str>,
    refusal: Option<String>,
    definitions: BTreeMap<Uuid, Change<DefinitionRow>>,
    event_types: BTreeMap<String, Change<EventTypeRow>>,
    schedules: BTreeMap<String, ScheduleChange>,
}

impl<'a> Planner<'a> {
    fn new(desired: &'a Desired, actual: &'a Actual, options: &'a PlanOptions) -> Self {
        Planner {
            owned: owned(actual, &options.scope),
            desired,
            catalog: &desired.catalog,
            actual,
            options,
            scope: &options.scope,
            errors: Vec::new(),
            warnings: Vec::new(),
            fires_per_day: None,
            conflicts: 0,
            refused: BTreeSet::new(),
            claimed: BTreeMap::new(),
            held: None,
            refusal: None,
            definitions: BTreeMap::new(),
            event_types: BTreeMap::new(),
            schedules: BTreeMap::new(),
        }
    }

    /// Failed sources and invalid files become errors; neither stops the run.
    fn do_plan_file_errors(&mut self) {
        for failure in &self.desired.failed {
            self.errors
                .push(RunError::new("sources", &failure.message).id(&failure.source));
        }
        self.errors
            .extend(self.catalog.errors.iter().map(RunError::from));
    }

    /// A failed source, or sources that yield no valid definition while the scope owns
    /// something, hold every retirement and deletion; the empty case refuses the run.
    fn do_plan_empty_guard(&mut self) {
        if !self.desired.failed.is_empty() {
            self.held = Some("kept: a source failed to read");
            return;
        }
        let owned = self.owned.len();
        if self.catalog.is_empty() && owned > 0 && !self.options.allow_empty {
            if self.options.schedules_from == SchedulesFrom::Database {
                let invalid = if self.catalog.errors.is_empty() {
                    String::new()
                } else {
                    " (every row of it is unreadable)".to_string()
                };
                self.refusal = Some(format!(
                    "the table `activity_definitions` holds no live row {}{invalid} while the scope owns {owned}; nothing deleted (pass --allow-empty to delete its schedules)",
                    scope_rows(self.scope)
                ));
                self.held = Some("kept: the table holds no live row of the scope");
                return;
            }
            let invalid = if self.catalog.errors.is_empty() {
                String::new()
            } else {
                " (every definition file is invalid)".to_string()
            };
            self.refusal = Some(format!(
                "the sources yielded no valid definitions{invalid} while scope `{}` owns {owned}; nothing retired or deleted (pass --allow-empty to retire them all)",
                self.scope
            ));
            self.held = Some("kept: the sources yield no valid definitions");
        }
    }

    fn conflict(&mut self, stage: &str, id: String, source_path: &str, message: String) {
        self.conflicts += 1;
        self.errors.push(
            RunError::new(stage, message)
                .id(id)
                .source_path(source_path)
                .definition(),
        );
    }

    /// Definitions whose id or key is held by another scope, or whose key stays with another
    /// row of this scope, are refused; a row of this scope whose key a refused definition
    /// claims is kept, with its schedule (an id change must not cost the job its runs).
    /// Keys that move between definitions of this scope in the same plan are not conflicts.
    fn do_plan_definition_conflicts(&mut self) {
        let scope = self.scope;
        let holders: BTreeMap<&str, &DefinitionRow> = self
            .actual
            .definitions
            .values()
            .filter(|r| !r.key.is_empty())
            .map(|r| (r.key.as_str(), r))
            .collect();
        loop {
            let mut found = Vec::new();
            for d in self.catalog.activities.values() {
                if self.refused.contains(&d.id) {
                    continue;
                }
                if let Some(row) = self.actual.definitions.get(&d.id)
                    && row.scope != scope
                    && !row.unmanaged()
                {
                    found.push((
                        d,
                        format!(
                            "`{}` is owned by scope `{}`; scope `{scope}` leaves it alone",
                            d.key, row.scope
                        ),
                        None,
                    ));
                    continue;
                }
                let Some(holder) = holders.get(d.key.as_str()).filter(|h| h.id != d.id) else {
                    continue;
                };
                if holder.unmanaged() {
                    found.push((
                        d,
                        format!(
                            "key `{}` is already used by the unmanaged row `{}` (`{}`, no scope): to take that row over, write `id: {}` in this file and apply with --adopt (`activity-sync import` writes such files)",
                            d.key, holder.id, holder.name, holder.id
                        ),
                        None,
                    ));
                    continue;
                }
                if holder.scope != scope {
                    found.push((
                        d,
                        format!(
                            "key `{}` is already used by definition `{}` of scope `{}` (from `{}`); change the key or the id",
                            d.key, holder.id, holder.scope, holder.source_path
                        ),
                        None,
                    ));
                    continue;
                }
                let released = self
                    .catalog
                    .activities
                    .get(&holder.id)
                    .is_some_and(|h| h.key != d.key && !self.refused.contains(&h.id));
                if !released {
                    found.push((
                        d,
                        format!(
                            "key `{}` belongs to definition `{}` of this scope (from `{}`), and this file gives it the id `{}`: a definition's id cannot change. Keep the old id (write `id: {}`), or give the new definition a key of its own",
                            d.key, holder.id, holder.source_path, d.id, holder.id
                        ),
                        Some(holder.id),
                    ));
                }
            }
            if found.is_empty() {
                break;
            }
            for (d, message, holder) in found {
                self.refused.insert(d.id);
                let path = d.origin.source_path.clone();
                if let Some(holder) = holder {
                    self.claimed.insert(
                        holder,
                        format!("kept: its key is claimed by {path} under another id"),
                    );
                }
                self.claimed.insert(
                    d.id,
                    "kept: its definition is refused (conflict)".to_string(),
                );
                self.conflict("definitions", d.id.to_string(), &path, message);
            }
        }
    }

    /// Whether an invalid file may describe this row (by id, key or location).
    fn protected(&self, row: &DefinitionRow) -> bool {
        let protected = &self.catalog.protected;
        protected.ids.contains(&row.id)
            || protected.keys.contains(&row.key)
            || protected.covers_location(&row.source_path)
    }

    /// Why a row that no valid definition wants stays as it is, if it does.
    fn definition_kept(&self, row: &DefinitionRow) -> Option<String> {
        if self.protected(row) {
            return Some("kept: its file failed to read or validate".into());
        }
        if let Some(why) = self.claimed.get(&row.id) {
            return Some(why.clone());
        }
        self.held.map(str::to_string)
    }

    fn do_plan_definitions(&mut self) {
        let wanted: BTreeMap<Uuid, DefinitionRow> = self
            .catalog
            .activities
            .values()
            .filter(|d| !self.refused.contains(&d.id))
            .map(|d| (d.id, DefinitionRow::desired(d, self.scope)))
            .collect();
        let mut changes = plan_rows(
            wanted,
            &self.actual.definitions,
            self.scope,
            self.options.adopt,
            |row| self.definition_kept(row),
        );
        for (id, change) in changes.iter_mut() {
            if let (Some(definition), Some(field)) =
                (self.catalog.activities.get(id), change.fields.first())
            {
                change.at = Some(definition.origin.at(&field.field));
            }
        }
        self.definitions = changes;
    }

    fn do_plan_event_types(&mut self) {
        let scope = self.scope;
        let mut wanted = BTreeMap::new();
        let mut refused = Vec::new();
        for e in self.catalog.event_types.values() {
            match self.actual.event_types.get(&e.name) {
                Some(row) if row.scope != scope && !row.unmanaged() => refused.push((
                    e,
                    format!(
                        "event type `{}` is owned by scope `{}`; scope `{scope}` leaves it alone",
                        e.name, row.scope
                    ),
                )),
                _ => {
                    wanted.insert(e.name.clone(), EventTypeRow::desired(e, scope));
                }
            }
        }
        for (e, message) in refused {
            self.conflict(
                "event_types",
                e.name.clone(),
                &e.origin.source_path,
                message,
            );
        }
        let protected = &self.catalog.protected;
        let held = self.held;
        let adopt = self.options.adopt;
        self.event_types = plan_rows(wanted, &self.actual.event_types, scope, adopt, |row| {
            if protected.event_types.contains(&row.name)
                || protected.covers_location(&row.source_path)
            {
                Some("kept: its file failed to read or validate".into())
            } else {
                held.map(str::to_string)
            }
        });
    }

    /// A definition with no row yet whose name (or key) an unmanaged row of another id has:
    /// most likely the old sync's definition, written without its id (a new id is derived
    /// from the key), so applying it would run a second schedule next to the old one.
    fn do_plan_duplicates(&mut self) {
        // The live unmanaged rows by name and by key, looked up once per definition (a
        // takeover has thousands of both).
        let mut by_name: BTreeMap<&str, Vec<&DefinitionRow>> = BTreeMap::new();
        for row in self.actual.definitions.values() {
            if row.unmanaged() && !row.retired {
                by_name.entry(row.name.as_str()).or_default().push(row);
                if row.key != row.name {
                    by_name.entry(row.key.as_str()).or_default().push(row);
                }
            }
        }
        for d in self.catalog.activities.values() {
            if self.actual.definitions.contains_key(&d.id) || self.refused.contains(&d.id) {
                continue;
            }
            let mut twins: Vec<&DefinitionRow> = [d.name.as_str(), d.key.as_str()]
                .iter()
                .flat_map(|name| by_name.get(name).into_iter().flatten().copied())
                .filter(|r| r.id != d.id && (r.name == d.name || r.key == d.key))
                .collect();
            twins.sort_by_key(|r| r.id);
            twins.dedup_by_key(|r| r.id);
            for twin in twins {
                let schedule = schedule_id(twin.id);
                let second = if matches!(d.trigger, Trigger::Event(_)) {
                    format!(
                        "a second definition next to the unmanaged row `{}`",
                        twin.id
                    )
                } else {
                    format!("a second schedule next to `{schedule}`")
                };
                self.warnings.push(Warning {
                    kind: WarningKind::Duplicate,
                    id: Some(schedule_id(d.id)),
                    message: format!(
                        "`{}` ({}) would get the new id `{}` while the unmanaged row `{}` is also called `{}`: applying it would create {second}. To take that row over, write `id: {}` in the file and apply with --adopt (`activity-sync import` writes such files)",
                        d.key, d.origin.source_path, d.id, twin.id, twin.name, twin.id
                    ),
                });
            }
        }
    }

    /// What the row of definition `id` will be once the plan is applied.
    fn fate(&self, id: Uuid) -> Fate<'a> {
        let catalog: &'a Catalog = self.catalog;
        let definition = catalog
            .activities
            .get(&id)
            .filter(|_| !self.refused.contains(&id));
        let ours = self
            .actual
            .definitions
            .get(&id)
            .filter(|r| of_scope(r, self.scope));
        let from_rows = self.options.schedules_from == SchedulesFrom::Database;
        let live = |d: &'a ActivityDefinition, row_enabled: bool| Fate::Live {
            definition: d,
            enabled: d.enabled && row_enabled,
            disabled: if d.enabled || from_rows {
                "disabled in the database row".to_string()
            } else {
                format!("disabled in {}", d.origin.at("enabled"))
            },
        };
        if self.options.stages.definitions {
            if let Some(change) = self.definitions.get(&id) {
                return match (&change.step, definition) {
                    (RowStep::Unmanaged { .. }, Some(d)) => Fate::Unmanaged(
                        Some(d),
                        "held back: its row is unmanaged (no scope); --adopt takes it over".into(),
                    ),
                    (RowStep::Unmanaged { have }, None) => Fate::Unmanaged(
                        None,
                        format!(
                            "not an orphan: its row `{}` is unmanaged (no scope)",
                            have.id
                        ),
                    ),
                    (RowStep::Retire { .. }, _) => {
                        Fate::Gone("orphan: its definition is retired (file removed)".into())
                    }
                    (RowStep::Unchanged { have }, Some(d)) => live(d, have.enabled),
                    (RowStep::Unchanged { .. }, None) => {
                        Fate::Kept(change.note.clone().unwrap_or_else(|| "kept".into()))
                    }
                    (_, Some(d)) => live(d, true),
                    (_, None) => Fate::Gone("orphan: no live definition".into()),
                };
            }
            if let Some(d) = catalog.activities.get(&id) {
                return Fate::NoRow(
                    d,
                    "not created: its definition is refused (conflict, see errors)".into(),
                );
            }
        } else {
            if let Some(row) = self
                .actual
                .definitions
                .get(&id)
                .filter(|r| r.unmanaged() && !r.retired && self.scope != ANY_SCOPE)
            {
                return Fate::Unmanaged(
                    definition,
                    match definition {
                        Some(_) => "held back: its row is unmanaged (no scope); apply the definitions stage with --adopt first".into(),
                        None => format!("not an orphan: its row `{}` is unmanaged (no scope)", row.id),
                    },
                );
            }
            match (definition, ours) {
                (Some(d), Some(row)) if !row.retired => return live(d, row.enabled),
                (Some(d), _) => {
                    return Fate::NoRow(
                        d,
                        format!(
                            "no row of scope `{}` in the database to load (definitions stage is off); not created",
                            self.scope
                        ),
                    );
                }
                (None, Some(row)) if !row.retired => {
                    if let Some(why) = self.definition_kept(row) {
                        return Fate::Kept(why);
                    }
                }
                _ => {}
            }
            // `--scope '*'`: a row another scope took over (adopted) is that scope's now; its
            // schedule waits for that scope's `--adopt`, never deleted from here.
            if self.scope == ANY_SCOPE
                && let Some(row) = self
                    .actual
                    .definitions
                    .get(&id)
                    .filter(|r| !r.retired && !of_scope(r, ANY_SCOPE))
            {
                return Fate::Kept(format!(
                    "not an orphan: its row now belongs to scope `{}`, whose run with --adopt takes the schedule over",
                    row.scope
                ));
            }
        }
        // Even a retired row: the invalid file may be the definition coming back.
        if catalog.protected.ids.contains(&id) || ours.is_some_and(|r| self.protected(r)) {
            return Fate::Kept("kept: its definition file failed to read or validate".into());
        }
        match ours {
            Some(row) if row.retired => Fate::Gone("orphan: its definition is retired".into()),
            _ if from_rows && !self.actual.definitions.contains_key(&id) => {
                Fate::Gone("orphan: its row is gone from the database".into())
            }
            _ if from_rows => Fate::Gone(format!(
                "orphan: its row is not a live row {}",
                scope_rows(self.scope)
            )),
            _ => Fate::Gone("orphan: no live definition".into()),
        }
    }

    fn do_plan_schedules(&mut self) {
        let mut ids: BTreeSet<String> = self.actual.schedules.keys().cloned().collect();
        for d in self.catalog.activities.values() {
            if !matches!(d.trigger, Trigger::Event(_)) {
                ids.insert(schedule_id(d.id));
            }
        }
        for id in ids {
            let have = self.actual.schedules.get(&id);
            let definition = have
                .and_then(|h| h.memo_definition)
                .or_else(|| definition_of(&id));
            match (definition, have) {
                (Some(definition), _) => self.plan_schedule(&id, definition, have),
                // Ours, but naming no definition: nothing can want it.
                (None, Some(have)) if have.owner() == Some(self.scope) => {
                    self.remove_schedule(&id, have, None, "orphan: no definition".into());
                }
                _ => {}
            }
        }
    }

    fn key_of(&self, definition: Uuid) -> Option<String> {
        self.catalog
            .activities
            .get(&definition)
            .map(|d| d.key.clone())
            .or_else(|| {
                self.actual
                    .definitions
                    .get(&definition)
                    .map(|r| r.key.clone())
            })
    }

    fn plan_schedule(&mut self, id: &str, definition: Uuid, have: Option<&ActualSchedule>) {
        let scope = self.scope;
        let key = self.key_of(definition);
        let fate = self.fate(definition);
        let owner = have.and_then(ActualSchedule::owner);
        if let (Some(have), Some(owner)) = (have, owner)
            && owner != scope
            && !have.adoptable_by(scope)
        {
            if scope == ANY_SCOPE {
                // Every row, but never another scope's schedule: listed, with why.
                if self
                    .actual
                    .definitions
                    .get(&definition)
                    .is_some_and(|r| !r.retired)
                {
                    let change =
                        ScheduleChange::new(id, key, ScheduleStep::Unmanaged { have: have.clone() })
                            .with_note(format!(
                                "owned by scope `{owner}`, left alone: `--scope '*'` never changes another scope's schedule"
                            ));
                    self.schedules.insert(id.to_string(), change);
                }
                return;
            }
            if self.catalog.activities.contains_key(&definition) {
                let path = self.catalog.activities[&definition]
                    .origin
                    .source_path
                    .clone();
                self.conflict(
                    "schedules",
                    id.to_string(),
                    &path,
                    format!(
                        "schedule `{id}` is owned by scope `{owner}`; scope `{scope}` leaves it alone"
                    ),
                );
            }
            return;
        }
        let adopt = have.is_some_and(|h| h.adoptable_by(scope));
        // What its marker says, in the notes of a schedule this run could adopt.
        let unmarked = match owner {
            Some(owner) => format!(
                "made by `--schedules-from database --scope '{owner}'` for a row with no scope"
            ),
            None => "no activity-sync marker".to_string(),
        };
        if let Some(have) = have
            && adopt
            && !(self.options.adopt && matches!(fate, Fate::Live { .. }))
        {
            if id.starts_with(SCHEDULE_ID_PREFIX) {
                // With --adopt, an unmarked schedule with the conventional id whose
                // definition has no live row anywhere is an orphan of this scope (left by an
                // older sync that wrote no marker): deleted last, inside --max-delete. (One
                // that `--scope '*'` made is taken over only with its row; its orphans are
                // `*`'s to delete.) A row
                // of any scope (this one's included, while this plan does not retire it), or one
                // without a scope, still wants it.
                let retiring = self
                    .definitions
                    .get(&definition)
                    .is_some_and(|c| c.action() == super::Action::Retire);
                let elsewhere = self
                    .actual
                    .definitions
                    .get(&definition)
                    .filter(|r| !r.retired && !retiring);
                // Nor one whose row, of any scope and even retired, an invalid file may
                // describe (the definition may be coming back).
                let protected = self
                    .actual
                    .definitions
                    .get(&definition)
                    .is_some_and(|r| self.protected(r));
                if self.options.adopt
                    && owner.is_none()
                    && let Fate::Gone(why) = &fate
                {
                    if protected {
                        let change = ScheduleChange::new(
                            id,
                            key,
                            ScheduleStep::Unmanaged { have: have.clone() },
                        )
                        .with_note(format!(
                            "unmanaged ({unmarked}), left alone: not deleted, an invalid definition file may describe its row"
                        ));
                        self.schedules.insert(id.to_string(), change);
                        return;
                    }
                    match elsewhere {
                        None => {
                            self.remove_orphan(id, have, key, why);
                            return;
                        }
                        Some(row) => {
                            let change = ScheduleChange::new(
                                id,
                                key,
                                ScheduleStep::Unmanaged { have: have.clone() },
                            )
                            .with_note(if row.scope == scope {
                                format!("unmanaged ({unmarked}), left alone: not an orphan, its row is still live")
                            } else {
                                format!(
                                    "unmanaged ({unmarked}), left alone: not an orphan, its row belongs to scope `{}`",
                                    row.scope
                                )
                            });
                            self.schedules.insert(id.to_string(), change);
                            return;
                        }
                    }
                }
                // Only a schedule whose definition is live here can be taken over.
                let note = match &fate {
                    Fate::Live { .. } if !self.options.adopt => {
                        format!("unmanaged ({unmarked}), left alone; --adopt takes it over")
                    }
                    Fate::Unmanaged(_, why) => {
                        format!("unmanaged ({unmarked}), left alone; {why}")
                    }
                    _ => format!("unmanaged ({unmarked}), left alone"),
                };
                let change =
                    ScheduleChange::new(id, key, ScheduleStep::Unmanaged { have: have.clone() })
                        .with_note(note);
                self.schedules.insert(id.to_string(), change);
            }
            return;
        }
        match fate {
            Fate::Live {
                definition,
                enabled,
                disabled,
            } => self.follow_definition(id, definition, enabled, &disabled, have, adopt),
            Fate::Kept(why) => {
                if let Some(have) = have {
                    let change = ScheduleChange::new(
                        id,
                        key,
                        ScheduleStep::Unchanged { have: have.clone() },
                    )
                    .with_note(why);
                    self.schedules.insert(id.to_string(), change);
                }
            }
            Fate::NoRow(d, why) => match have {
                Some(have) => self.remove_schedule(id, have, key, why),
                None => {
                    if let Some(want) = desired_schedule(d, &self.options.target) {
                        let change = ScheduleChange::new(id, key, ScheduleStep::Skip { want })
                            .with_note(why);
                        self.schedules.insert(id.to_string(), change);
                    }
                }
            },
            Fate::Gone(why) => {
                if let Some(have) = have {
                    self.remove_schedule(id, have, key, why);
                }
            }
            Fate::Unmanaged(d, why) => match (have, d) {
                (Some(have), _) => {
                    let change = ScheduleChange::new(
                        id,
                        key,
                        ScheduleStep::Unchanged { have: have.clone() },
                    )
                    .with_note(why);
                    self.schedules.insert(id.to_string(), change);
                }
                (None, Some(d)) => {
                    if let Some(want) = desired_schedule(d, &self.options.target) {
                        let change = ScheduleChange::new(id, key, ScheduleStep::Skip { want })
                            .with_note(why);
                        self.schedules.insert(id.to_string(), change);
                    }
                }
                (None, None) => {}
            },
        }
    }

    /// Deletes an unmarked orphan with the conventional id (`--adopt`), unless deletions are
    /// held.
    fn remove_orphan(&mut self, id: &str, have: &ActualSchedule, key: Option<String>, why: &str) {
        let change = match self.held {
            Some(held) => {
                ScheduleChange::new(id, key, ScheduleStep::Unmanaged { have: have.clone() })
                    .with_note(format!("unmanaged (no activity-sync marker), {held}"))
            }
            None => ScheduleChange::new(
                id,
                key,
                ScheduleStep::Delete {
                    have: have.clone(),
                    adopt: true,
                },
            )
            .with_note(format!("adopted orphan (no activity-sync marker); {why}")),
        };
        self.schedules.insert(id.to_string(), change);
    }

    /// Deletes a schedule of this scope, unless deletions are held.
    fn remove_schedule(
        &mut self,
        id: &str,
        have: &ActualSchedule,
        key: Option<String>,
        why: String,
    ) {
        let change = match self.held {
            Some(held) => {
                ScheduleChange::new(id, key, ScheduleStep::Unchanged { have: have.clone() })
                    .with_note(held)
            }
            None => ScheduleChange::new(
                id,
                key,
                ScheduleStep::Delete {
                    have: have.clone(),
                    adopt: false,
                },
            )
            .with_note(why),
        };
        self.schedules.insert(id.to_string(), change);
    }

    /// The schedule of a live row: as its definition wants it, paused unless enabled.
    fn follow_definition(
        &mut self,
        id: &str,
        definition: &ActivityDefinition,
        enabled: bool,
        disabled: &str,
        have: Option<&ActualSchedule>,
        adopt: bool,
    ) {
        let key = Some(definition.key.clone());
        let Some(mut want) = desired_schedule(definition, &self.options.target) else {
            // An event trigger has no schedule; one left from an earlier cron trigger goes
            // (only one of ours: an unmarked one is not deleted on adoption).
            if let Some(have) = have.filter(|_| !adopt) {
                let change = ScheduleChange::new(
                    id,
                    key,
                    ScheduleStep::Delete {
                        have: have.clone(),
                        adopt: false,
                    },
                )
                .with_note("event trigger: no schedule");
                self.schedules.insert(id.to_string(), change);
            }
            return;
        };
        want.paused = !enabled;
        let scope = self.scope;
        let mut temporal_note = with_spec(
            &if want.paused {
                format!("paused by activity-sync: {disabled}")
            } else {
                format!(
                    "managed by activity-sync (scope {scope}) from {}",
                    want.source_path
                )
            },
            &want.spec_hash,
        );
        let hand_paused = self.hand_pause(id, definition, have, &mut want, &mut temporal_note);
        let held = hand_paused
            .as_ref()
            .filter(|_| !self.options.unpause_manual);
        let mut change = match have {
            None => match want.once_at {
                Some(at) if at <= self.options.now => {
                    ScheduleChange::new(id, key, ScheduleStep::Skip { want }).with_note(format!(
                        "once at {} is in the past; not created",
                        at.to_rfc3339()
                    ))
                }
                _ => ScheduleChange::new(
                    id,
                    key,
                    ScheduleStep::Create {
                        want,
                        temporal_note,
                    },
                ),
            },
            Some(have) if want.once_at.is_some() && have.fired() => {
                ScheduleChange::new(id, key, ScheduleStep::Unchanged { have: have.clone() })
                    .with_note("fired; not re-armed")
            }
            Some(have) => match (adopt, verdict(&want, have)) {
                (false, Verdict::Same) if have.paused == want.paused => match held {
                    Some(note) => {
                        ScheduleChange::new(id, key, ScheduleStep::Held { have: have.clone() })
                            .with_note(format!("paused by hand: {note} — left paused"))
                    }
                    None => {
                        ScheduleChange::new(id, key, ScheduleStep::Unchanged { have: have.clone() })
                    }
                },
                (false, Verdict::Same) if want.paused => ScheduleChange::new(
                    id,
                    key,
                    ScheduleStep::Pause {
                        have: have.clone(),
                        temporal_note: with_spec(
                            &format!("activity-sync: {disabled}"),
                            &want.spec_hash,
                        ),
                    },
                )
                .with_note(disabled),
                (false, Verdict::Same) => ScheduleChange::new(
                    id,
                    key,
                    ScheduleStep::Unpause {
                        have: have.clone(),
                        temporal_note: with_spec(
                            &format!(
                                "activity-sync: enabled in {}",
                                definition.origin.source_path
                            ),
                            &want.spec_hash,
                        ),
                    },
                )
                .with_note(match &hand_paused {
                    Some(note) => format!("paused by hand: {note} — unpaused (--unpause-manual)"),
                    None => format!("enabled in {}", definition.origin.source_path),
                }),
                _ => {
                    let mut change = update(id, key, want, have, adopt, temporal_note);
                    if let Some(note) = held {
                        change.note = Some(format!(
                            "paused by hand: {note} — left paused; its schedule is updated"
                        ));
                    }
                    change
                }
            },
        };
        if matches!(
            change.op(),
            ScheduleOp::Create | ScheduleOp::Update | ScheduleOp::Unpause
        ) && let Trigger::Cron(cron) = &definition.trigger
            && let Ok(tz) = chrono_tz::Tz::from_str(&cron.timezone)
        {
            change.fires = next_fires(&cron.cron, tz, self.options.now, 3);
            change.warnings = dst_warnings(&cron.cron, tz, self.options.now);
        }
        self.schedules.insert(id.to_string(), change);
    }

    /// Schedules that run start workflows on the target's task queue: with no worker polling
    /// it, a `no_worker` warning (never an error: a worker may be deploying). Temporal's
    /// failure to say is itself only a warning.
    fn do_plan_workers(&mut self) {
        let running = self
            .schedules
            .values()
            .filter(|c| match &c.step {
                ScheduleStep::Create { want, .. } | ScheduleStep::Update { want, .. } => {
                    !want.paused
                }
                ScheduleStep::Unpause { .. } => true,
                ScheduleStep::Unchanged { have } => {
                    !have.paused && have.owner() == Some(self.scope)
                }
                _ => false,
            })
            .count();
        let queue = &self.options.target.task_queue;
        let message = match &self.actual.workers {
            Some(Workers::Polling(0)) if running > 0 => format!(
                "no worker polls task queue `{queue}` for workflow tasks: the scope's {running} running schedules would start workflows that nobody picks up"
            ),
            Some(Workers::Unknown(why)) if running > 0 => format!(
                "could not ask Temporal who polls task queue `{queue}` ({why}); the scope's {running} running schedules start workflows there"
            ),
            _ => return,
        };
        self.warnings.push(Warning {
            kind: WarningKind::NoWorker,
            id: None,
            message,
        });
    }

    /// Fire rates on the schedule changes, the scope's totals, `cadence` and `herd`
    /// warnings (SPEC §9; [`foresee`]).
    fn do_plan_foresight(&mut self) {
        let foresight = foresee(
            &mut self.schedules,
            self.actual,
            self.catalog,
            &self.options.target,
            self.options.now,
            self.options.foresight,
        );
        self.fires_per_day = Some(foresight.totals);
        self.warnings.extend(foresight.warnings);
    }

    /// Pausing is what on-call does in an incident (SPEC §5): a pause activity-sync did not
    /// write stays while the definition is enabled, unless `--unpause-manual` (a
    /// `manual_pause` warning says so), and an update carries it and its note over — also
    /// while the definition is disabled, so that the pause stays theirs when it is enabled
    /// again. Pausing is always safe. Returns the quoted note of a hand pause of an enabled
    /// definition's schedule (held, or lifted with `--unpause-manual`).
    fn hand_pause(
        &mut self,
        id: &str,
        definition: &ActivityDefinition,
        have: Option<&ActualSchedule>,
        want: &mut DesiredSchedule,
        temporal_note: &mut String,
    ) -> Option<String> {
        // A spent one-shot schedule is left alone whoever paused it.
        let their_pause = have.filter(|h| {
            h.paused && !paused_by_us(&h.notes) && !(want.once_at.is_some() && h.fired())
        })?;
        let hand_paused = (!want.paused).then(|| quoted_note(&their_pause.notes));
        let held = hand_paused.is_some() && !self.options.unpause_manual;
        if want.paused || held {
            want.paused = true;
            temporal_note.clone_from(&their_pause.notes);
        }
        if let Some(note) = hand_paused.as_ref().filter(|_| held) {
            self.warnings.push(Warning {
                kind: WarningKind::ManualPause,
                id: Some(id.to_string()),
                message: format!(
                    "`{id}` (`{}`) was paused by hand: {note}; it stays paused while its definition is enabled (`--unpause-manual` lifts it)",
                    definition.key
                ),
            });
        }
        hand_paused
    }

    /// Retirements and deletions above `--max-delete` refuse the plan. One definition that
    /// goes (its row retired and its schedule deleted) counts once.
    fn do_plan_deletion_limit(&mut self) {
        let mut removed = BTreeSet::new();
        for change in self.definitions.values() {
            if let RowStep::Retire { have } = &change.step {
                removed.insert(format!("definition {}", have.id));
            }
        }
        for change in self.event_types.values() {
            if let RowStep::Retire { have } = &change.step {
                removed.insert(format!("event type {}", have.name));
            }
        }
        for change in self.schedules.values() {
            if let ScheduleStep::Delete { have, .. } = &change.step {
                removed.insert(schedule_object(&change.schedule_id, have));
            }
        }
        let owned = self.owned.len();
        let limit = self
            .options
            .max_delete
            .unwrap_or_else(|| default_max_delete(owned));
        if self.refusal.is_none() && removed.len() > limit {
            self.refusal = Some(format!(
                "{} definitions to retire or delete exceed the limit of {limit} (--max-delete; default: 10 or 25 % of the {owned} objects scope `{}` owns); nothing applied",
                removed.len(),
                self.scope
            ));
        }
    }

    fn finish(self) -> Plan {
        let invalid = self
            .catalog
            .errors
            .iter()
            .map(|d| d.source_path.as_str())
            .collect::<BTreeSet<_>>()
            .len();
        let fingerprints = self.actual.fingerprints(self.scope);
        Plan {
            format: PLAN_FORMAT,
            scope: self.scope.to_string(),
            stages: self.options.stages,
            sources: self.desired.sources.clone(),
            fingerprint: fingerprints.combined(self.scope, self.options.stages),
            fingerprints,
            definitions: self.definitions,
            event_types: self.event_types,
            schedules: self.schedules,
            invalid,
            conflicts: self.conflicts,
            errors: self.errors,
            warnings: self.warnings,
            fires_per_day: self.fires_per_day,
            refusal: self.refusal,
            source_failed: !self.desired.failed.is_empty(),
        }
    }
}

/// Everything the scope owns and could lose: live rows of either table and managed
/// schedules, whatever stages are on (a stage that is off still must not be emptied by
/// an empty source), one entry per definition.
fn owned(actual: &Actual, scope: &str) -> BTreeSet<String> {
    let mut owned = BTreeSet::new();
    for row in actual.definitions.values() {
        if of_scope(row, scope) && !row.retired {
            owned.insert(format!("definition {}", row.id));
        }
    }
    for row in actual.event_types.values() {
        if row.scope == scope && !row.retired {
            owned.insert(format!("event type {}", row.name));
        }
    }
    for (id, have) in &actual.schedules {
        if have.owner() == Some(scope) {
            owned.insert(schedule_object(id, have));
        }
    }
    owned
}

/// Whether a definition row belongs to `scope`: its own rows, and for [`ANY_SCOPE`] the rows
/// no scope owns.
fn of_scope(row: &DefinitionRow, scope: &str) -> bool {
    row.scope == scope || (scope == ANY_SCOPE && row.unmanaged())
}

/// The rows a scope reconciles, for messages: "a live row {of scope `x`}".
fn scope_rows(scope: &str) -> String {
    if scope == ANY_SCOPE {
        "without a scope (`--scope '*'`)".to_string()
    } else {
        format!("of scope `{scope}`")
    }
}

/// The object a schedule stands for, in the same terms as [`owned`].
fn schedule_object(id: &str, have: &ActualSchedule) -> String {
    match have.memo_definition.or_else(|| definition_of(id)) {
        Some(definition) => format!("definition {definition}"),
        None => format!("schedule {id}"),
    }
}

/// Plans one table: the wanted rows against the scope's rows. `kept` says why a row no
/// wanted row names stays as it is (instead of being retired), if it does.
fn plan_rows<R: Resource>(
    wanted: BTreeMap<R::Id, R>,
    actual: &BTreeMap<R::Id, R>,
    scope: &str,
    adopt: bool,
    kept: impl Fn(&R) -> Option<String>,
) -> BTreeMap<R::Id, Change<R>> {
    let mut changes = BTreeMap::new();
    for (id, want) in wanted {
        let change = match actual.get(&id) {
            None => Change::new(RowStep::Create { want }),
            // A row the runtime wrote, before activity-sync took over the table: taken over
            // only when asked, like an unmarked schedule (SPEC §4).
            Some(have) if have.unmanaged() && adopt => Change::new(RowStep::Adopt {
                want,
                have: have.clone(),
            })
            .with_note(format!(
                "adopted: unmanaged row (no scope) taken over by scope `{scope}`"
            )),
            Some(have) if have.unmanaged() => {
                Change::new(RowStep::Unmanaged { have: have.clone() })
                    .with_note("unmanaged (no scope), left alone; --adopt takes it over")
            }
            Some(have) if have.retired() => Change::new(RowStep::Unretire {
                want,
                have: have.clone(),
            })
            .with_note("file is back"),
            // Judged on the row's content, so a hand edit of any column is drift.
            Some(have)
                if have.content_hash() == want.content_hash()
                    && source_location(have.source_path())
                        == source_location(want.source_path()) =>
            {
                Change::new(RowStep::Unchanged { have: have.clone() })
            }
            Some(have) => Change::new(RowStep::Update {
                want,
                have: have.clone(),
            }),
        };
        changes.insert(id, change);
    }
    for (id, have) in actual {
        if have.unmanaged() && !changes.contains_key(id) {
            let change = Change::new(RowStep::Unmanaged { have: have.clone() })
                .with_note("unmanaged (no scope), left alone");
            changes.insert(id.clone(), change);
            continue;
        }
        if have.scope() != scope || have.retired() || changes.contains_key(id) {
            continue;
        }
        let change = match kept(have) {
            Some(why) => Change::new(RowStep::Unchanged { have: have.clone() }).with_note(why),
            None => Change::new(RowStep::Retire { have: have.clone() }).with_note("file removed"),
        };
        changes.insert(id.clone(), change);
    }
    changes
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
            || listed.jitter_seconds != want.shape.jitter_seconds
            || listed
                .workflow_type
                .as_ref()
                .is_some_and(|t| *t != want.shape.workflow_type))
    {
        return Verdict::Differs;
    }
    // The hash of what activity-sync last wrote: the search attribute, else the notes.
    match have.written_hash() {
        Some(hash) if hash == want.spec_hash => Verdict::Same,
        Some(_) => Verdict::Differs,
        None => Verdict::Unknown,
    }
}

fn update(
    id: &str,
    key: Option<String>,
    want: DesiredSchedule,
    have: &ActualSchedule,
    adopt: bool,
    temporal_note: String,
) -> ScheduleChange {
    let described = have.described.as_ref();
    let diff = described
        .and_then(|d| d.shape.as_ref())
        .map(|shape| unified_diff("schedule", &pretty(shape), &pretty(&want.shape)))
        .unwrap_or_default();
    let note = if adopt {
        Some("adopted: unmarked schedule with the conventional id")
    } else if !diff.is_empty() && have.written_hash() == Some(want.spec_hash.as_str()) {
        Some("changed outside activity-sync; reverting")
    } else {
        None
    };
    let mut change = ScheduleChange::new(
        id,
        key,
        ScheduleStep::Update {
            token: described
                .map(|d| d.conflict_token.clone())
                .unwrap_or_default(),
            want,
            have: have.clone(),
            adopt,
            temporal_note,
        },
    );
    change.diff = diff;
    change.note = note.map(str::to_string);
    change
}

fn pretty<T: serde::Serialize>(value: &T) -> String {
    let mut text = serde_json::to_string_pretty(value).expect("shapes serialize");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests;
