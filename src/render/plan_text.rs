//! The plan for people: a header, one line per change with a sign, diffs, a summary line.

use std::fmt::Write;

use super::report::{Mode, Outcome, Report, listed, location, summary};
use super::validation::plural;
use crate::plan::{Change, Resource};

pub fn render(report: &Report<'_>) -> String {
    let plan = report.plan;
    let mut out = String::new();
    let sources = plan
        .sources
        .iter()
        .map(|s| match &s.commit {
            Some(sha) => format!("{}@{}", s.source, &sha[..sha.len().min(12)]),
            None => s.source.clone(),
        })
        .collect::<Vec<_>>()
        .join(", ");
    let _ = writeln!(
        out,
        "activity-sync {} · scope {} · {} · {}",
        report.mode.as_str(),
        plan.scope,
        if sources.is_empty() {
            "no sources"
        } else {
            &sources
        },
        report.database
    );
    if plan.stages.definitions {
        section(&mut out, "Definitions", plan.definitions.values());
    }
    if plan.stages.event_types {
        section(&mut out, "Event types", plan.event_types.values());
    }
    let errors = report.bounded_errors();
    if !errors.is_empty() {
        let _ = writeln!(out, "\nErrors");
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
        let sign = if change.note.is_some() && change.action == crate::plan::Action::Unchanged {
            "="
        } else {
            change.action.sign()
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

fn closing_line(report: &Report<'_>) -> String {
    let (d, e) = report.counts();
    let created = d.created + e.created;
    let updated = d.updated + e.updated;
    let retired = d.retired + e.retired;
    let unchanged = d.unchanged + e.unchanged;
    let invalid = if report.plan.invalid > 0 {
        format!("; {} invalid", plural(report.plan.invalid, "file"))
    } else {
        String::new()
    };
    match (report.mode, report.outcome) {
        (_, Outcome::LockSkipped) => {
            "Lock held by another run of this scope: skipped, nothing written.".to_string()
        }
        (Mode::Apply, outcome) if outcome != Outcome::Success => {
            format!("Nothing applied ({}).", outcome.as_str().replace('_', " "))
        }
        (mode, _) if created + updated + retired == 0 => format!(
            "{}No changes; {unchanged} unchanged{invalid}.",
            if mode == Mode::Apply { "Applied: " } else { "" }
        ),
        (Mode::Plan, _) => format!(
            "Plan: {created} to create, {updated} to update, {retired} to retire; {unchanged} unchanged{invalid}."
        ),
        (Mode::Apply, _) => format!(
            "Applied: {created} created, {updated} updated, {retired} retired; {unchanged} unchanged{invalid}."
        ),
    }
}
