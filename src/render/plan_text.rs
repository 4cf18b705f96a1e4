//! The plan for people: a header, one line per change with a sign, diffs, a summary line.

use std::fmt::Write;

use super::change_summary::{listed, location, summary};
use super::validation::plural;
use crate::definition::text::escape_rendered;
use crate::gather::SourceInfo;
use crate::plan::{Action, Change, ErrorKinds, Plan, Resource, ScheduleOp, format_change};
use crate::report::{Mode, Outcome, Report};

pub fn render(report: &Report) -> String {
    render_with(report, "")
}

/// With `extra` lines (what became of the report and the metrics) just above the closing
/// line, which stays last: the line an operator reads first in a pod's log.
pub fn render_with(report: &Report, extra: &str) -> String {
    escape_rendered(&compose(report, extra)).into_owned()
}

fn compose(report: &Report, extra: &str) -> String {
    let plan = &report.plan;
    let mut out = String::new();
    let sources = sources_label(&plan.sources);
    match &report.base {
        // `diff`: offline, the base against the head.
        Some(base) => {
            let _ = writeln!(
                out,
                "activity-sync {} · scope {} · base {} → head {}",
                report.mode.as_str(),
                plan.scope,
                sources_label(base),
                sources
            );
        }
        None => {
            let _ = writeln!(
                out,
                "activity-sync {} · scope {} · {} · {}",
                report.mode.as_str(),
                plan.scope,
                sources,
                report.database
            );
        }
    }
    if plan.stages.definitions {
        section(&mut out, "Definitions", plan.definitions.values());
    }
    if plan.stages.event_types {
        section(&mut out, "Event types", plan.event_types.values());
    }
    if plan.stages.schedules {
        schedules(&mut out, plan);
    }
    if !plan.warnings.is_empty() {
        let _ = writeln!(out, "\nWarnings");
        for w in &plan.warnings {
            let _ = writeln!(out, "  [{}] {}", w.kind.as_str(), w.message);
        }
    }
    let errors = report.bounded_errors();
    if !errors.is_empty() {
        let kinds = ErrorKinds::of(report.errors());
        let _ = writeln!(
            out,
            "\nErrors ({} automation, {} definition)",
            kinds.automation, kinds.definition
        );
        for e in &errors {
            let place = match (&e.source_path, e.line, e.col) {
                (Some(path), Some(line), Some(col)) => format!("{path}:{line}:{col}: "),
                (Some(path), _, _) => format!("{path}: "),
                (None, _, _) => {
                    e.id.as_ref()
                        .map(|id| format!("{id}: "))
                        .unwrap_or_default()
                }
            };
            let _ = writeln!(out, "  [{}] {place}{}", e.stage, e.message);
        }
    }
    if let Some(refusal) = &plan.refusal {
        let _ = writeln!(out, "\nRefused: {refusal}");
    }
    out.push('\n');
    if let Some(rate) = &plan.fires_per_day {
        let _ = writeln!(
            out,
            "Fires: {} across the scope's schedules.",
            format_change(rate)
        );
    }
    out.push_str(extra);
    out.push_str(&closing_line(report));
    out.push('\n');
    out
}

fn section<'a, R: Resource + 'a>(
    out: &mut String,
    title: &str,
    changes: impl Iterator<Item = &'a Change<R>>,
) {
    let changes = listed(changes);
    if changes.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n{title}");
    let width = changes
        .iter()
        .map(|c| c.row().label().chars().count())
        .max()
        .unwrap_or(0);
    for change in changes {
        let sign = if change.note.is_some() && change.action() == Action::Unchanged {
            "="
        } else {
            change.action().sign()
        };
        let _ = writeln!(
            out,
            "  {sign} {:<width$}  {}  {}",
            change.row().label(),
            summary(change),
            location(change),
        );
        for field in &change.fields {
            for line in field.diff.lines() {
                let _ = writeln!(out, "        {line}");
            }
        }
    }
}

fn schedules(out: &mut String, plan: &Plan) {
    let changes: Vec<_> = plan.schedules.values().filter(|c| c.listed()).collect();
    if changes.is_empty() {
        return;
    }
    let _ = writeln!(out, "\nSchedules");
    for c in changes {
        let what = match (c.op(), c.want()) {
            (ScheduleOp::Create | ScheduleOp::Update, Some(d)) => {
                // An update that also pauses or unpauses says so.
                let was = c.have().filter(|h| h.owner().is_some()).map(|h| h.paused);
                let paused = match (was, d.paused) {
                    (Some(false), true) => " · and pauses it",
                    (Some(true), false) => " · and unpauses it",
                    (_, true) => " · paused",
                    _ => "",
                };
                format!("{}{paused}", d.summary)
            }
            _ => String::new(),
        };
        let note = c.note.as_deref().unwrap_or("");
        let key = c.key.as_deref().unwrap_or("");
        let rate = c
            .fires_per_day
            .as_ref()
            .map(format_change)
            .unwrap_or_default();
        let detail = [what.as_str(), note, rate.as_str()]
            .iter()
            .filter(|s| !s.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(" · ");
        let _ = writeln!(
            out,
            "  {} {}  {key}  {detail}",
            c.op().sign(),
            c.schedule_id
        );
        if !c.fires.is_empty() {
            let fires = c
                .fires
                .iter()
                .map(|f| format!("{} ({} UTC)", f.local, f.utc.format("%Y-%m-%d %H:%M")))
                .collect::<Vec<_>>()
                .join(" · ");
            let _ = writeln!(out, "        next: {fires}");
        }
        for w in &c.warnings {
            let _ = writeln!(out, "        warning: {}", w.message);
        }
        for line in c.diff.lines() {
            let _ = writeln!(out, "        {line}");
        }
    }
}

fn sources_label(sources: &[SourceInfo]) -> String {
    let label = sources
        .iter()
        .map(|s| match (&s.commit, &s.resource_version) {
            (Some(sha), _) => format!("{}@{}", s.source, &sha[..sha.len().min(12)]),
            (None, Some(version)) => format!("{}@{version}", s.source),
            (None, None) => s.source.clone(),
        })
        .collect::<Vec<_>>()
        .join(", ");
    if label.is_empty() {
        "no sources".to_string()
    } else {
        label
    }
}

fn closing_line(report: &Report) -> String {
    let (d, e) = report.row_counts();
    let s = report.schedule_counts();
    let created = d.created + e.created + s.created;
    let updated = d.updated + e.updated + s.updated;
    let retired = d.retired + e.retired;
    let unchanged = d.unchanged + e.unchanged + s.unchanged;
    let schedule_part = |verb_pause: &str, verb_unpause: &str, verb_delete: &str| {
        if report.plan.stages.schedules {
            format!(
                ", {} {verb_pause}, {} {verb_unpause}, {} {verb_delete}",
                s.paused, s.unpaused, s.deleted
            )
        } else {
            String::new()
        }
    };
    let invalid = if report.plan.invalid > 0 {
        format!("; {} invalid", plural(report.plan.invalid, "file"))
    } else {
        String::new()
    };
    let nothing = created + updated + retired + s.paused + s.unpaused + s.deleted == 0;
    let applied = || {
        format!(
            "{created} created, {updated} updated, {retired} retired{}; {unchanged} unchanged{invalid}",
            schedule_part("paused", "unpaused", "deleted")
        )
    };
    let not_applied = report
        .applied
        .as_ref()
        .map_or(0, |a| a.schedules_not_applied());
    let rows_committed = report.applied.as_ref().is_some_and(|a| a.rows_committed);
    match (report.mode, report.outcome) {
        (_, Outcome::LockSkipped) => {
            "Lock held by another run of this scope: skipped, nothing written.".to_string()
        }
        (Mode::Apply, Outcome::Failed | Outcome::Conflict) if rows_committed => {
            let rows = if nothing {
                "No changes".to_string()
            } else {
                applied()
            };
            let left = if not_applied > 0 {
                format!(" {not_applied} schedule changes not applied.")
            } else {
                String::new()
            };
            format!(
                "Applied with errors ({}): {rows}.{left} See errors.",
                report.outcome.as_str()
            )
        }
        (Mode::Apply, outcome) if outcome != Outcome::Success => {
            format!(
                "Nothing applied ({}): nothing from this run was committed.",
                outcome.as_str().replace('_', " ")
            )
        }
        (mode, _) if nothing => {
            format!(
                "{}No changes; {unchanged} unchanged{invalid}.",
                if mode == Mode::Apply { "Applied: " } else { "" }
            )
        }
        (Mode::Plan | Mode::Diff, _) => format!(
            "Plan: {created} to create, {updated} to update, {retired} to retire{}; {unchanged} unchanged{invalid}.",
            schedule_part("to pause", "to unpause", "to delete")
        ),
        (Mode::Apply, _) => format!("Applied: {}.", applied()),
    }
}
