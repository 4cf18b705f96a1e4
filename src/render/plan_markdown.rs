//! The plan as a pull-request comment: summary table, changes, collapsible diffs.

use std::fmt::Write;

use super::change_summary::{listed, location, summary};
use crate::definition::text::escape_rendered;
use crate::plan::{Change, Resource, ScheduleOp, format_change};
use crate::report::Report;

pub fn render(report: &Report) -> String {
    escape_rendered(&compose(report)).into_owned()
}

fn compose(report: &Report) -> String {
    let plan = &report.plan;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "### activity-sync {} · scope `{}`\n",
        report.mode.as_str(),
        plan.scope
    );
    for source in &plan.sources {
        match &source.commit {
            Some(sha) => {
                let _ = writeln!(out, "- source `{}` at `{}`", source.source, sha);
            }
            None => {
                let _ = writeln!(out, "- source `{}`", source.source);
            }
        }
    }
    let (d, e) = report.row_counts();
    out.push_str("\n| | create | update | retire | unchanged |\n|---|---:|---:|---:|---:|\n");
    let _ = writeln!(
        out,
        "| definitions | {} | {} | {} | {} |",
        d.created, d.updated, d.retired, d.unchanged
    );
    if plan.stages.event_types {
        let _ = writeln!(
            out,
            "| event types | {} | {} | {} | {} |",
            e.created, e.updated, e.retired, e.unchanged
        );
    }
    if plan.stages.schedules {
        let s = report.schedule_counts();
        let _ = writeln!(
            out,
            "\n| schedules | create | update | pause | unpause | delete | unchanged | unmanaged | fires |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|\n| | {} | {} | {} | {} | {} | {} | {} | {} |",
            s.created,
            s.updated,
            s.paused,
            s.unpaused,
            s.deleted,
            s.unchanged,
            s.unmanaged,
            plan.fires_per_day
                .as_ref()
                .map(format_change)
                .unwrap_or_default()
        );
    }
    let mut items = String::new();
    for c in listed(plan.definitions.values()) {
        item(&mut items, c);
    }
    for c in listed(plan.event_types.values()) {
        item(&mut items, c);
    }
    for c in plan
        .schedules
        .values()
        .filter(|c| c.op().mutates() || c.note.is_some())
    {
        let _ = writeln!(
            items,
            "- `{}` `{}` {} — {}{}{}",
            c.op().sign(),
            c.schedule_id,
            c.key
                .as_deref()
                .map(|k| format!("**{k}**"))
                .unwrap_or_default(),
            c.want()
                .filter(|_| matches!(c.op(), ScheduleOp::Create | ScheduleOp::Update))
                .map(|d| format!("{} · ", d.summary))
                .unwrap_or_default(),
            c.note.as_deref().unwrap_or(c.op().as_str()),
            c.fires_per_day
                .as_ref()
                .map(|r| format!(" · {}", format_change(r)))
                .unwrap_or_default()
        );
        if !c.fires.is_empty() {
            let _ = writeln!(
                items,
                "  next: {}",
                c.fires
                    .iter()
                    .map(|f| format!("{} ({} UTC)", f.local, f.utc.format("%Y-%m-%d %H:%M")))
                    .collect::<Vec<_>>()
                    .join(" · ")
            );
        }
        for w in &c.warnings {
            let _ = writeln!(items, "  ⚠ {}", w.message);
        }
    }
    if items.is_empty() {
        out.push_str("\nNo changes.\n");
    } else {
        let _ = write!(out, "\n#### Changes\n\n{items}");
    }
    if !plan.warnings.is_empty() {
        out.push_str("\n#### Warnings\n\n");
        for w in &plan.warnings {
            let _ = writeln!(out, "- ⚠ **{}** {}", w.kind.as_str(), w.message);
        }
    }
    let errors = report.bounded_errors();
    if !errors.is_empty() {
        out.push_str("\n#### Errors\n\n");
        for e in &errors {
            let place = match (&e.source_path, e.line, e.col) {
                (Some(p), Some(l), Some(c)) => format!("`{p}:{l}:{c}` "),
                (Some(p), _, _) => format!("`{p}` "),
                _ => String::new(),
            };
            let _ = writeln!(out, "- **{}** {place}{}", e.stage, e.message);
        }
    }
    if let Some(refusal) = &plan.refusal {
        let _ = writeln!(out, "\n> **Refused:** {refusal}");
    }
    out
}

fn item<R: Resource>(out: &mut String, c: &Change<R>) {
    let _ = writeln!(
        out,
        "- `{}` **{}** — {} · `{}`",
        c.action().sign().trim().chars().next().unwrap_or('='),
        c.row().label(),
        summary(c),
        location(c)
    );
    if !c.fields.is_empty() {
        let _ = writeln!(
            out,
            "  <details><summary>diff</summary>\n\n  ```diff\n{}  ```\n  </details>",
            c.diff()
                .lines()
                .map(|l| format!("  {l}\n"))
                .collect::<String>()
        );
    }
}
