//! The plan as a pull-request comment: a hidden marker, the counts first, then the changes
//! with collapsible diffs, warnings and errors.
//!
//! Made for a bot that keeps one sticky comment per pull request up to date:
//! - the first line is a hidden marker, `<!-- activity-sync:{mode} scope={scope} -->`, to
//!   find the comment by (scopes are letters, digits, `.`, `_` and `-`: nothing to escape);
//! - the same plan renders to the same text: no timestamps, changes ordered by name
//!   (schedules by id), errors in the plan's order;
//! - it stays under [`MAX_CHARS`] (GitHub refuses comments over 65,536 characters): when the
//!   changes do not fit, the last ones lose their diffs, then are left out, and a note says
//!   how many; warnings and errors are bounded the same way;
//! - text from definition files and from Temporal is made inert ([`super::markdown`]).

use std::fmt::Write;

use super::change_summary::{listed, location, summary};
use super::markdown::{code, fenced, text};
use crate::definition::text::escape_rendered;
use crate::plan::{Change, Resource, ScheduleChange, ScheduleOp, format_change};
use crate::report::Report;

/// The most characters a rendered comment has (GitHub's limit is 65,536).
pub const MAX_CHARS: usize = 65_000;
/// The most characters the warnings, and the errors, take each.
const SECTION_CHARS: usize = 12_000;
/// Room kept for the truncation note.
const NOTE_CHARS: usize = 400;
/// The most characters of one warning or error line.
const LINE_CHARS: usize = 2_000;

pub fn render(report: &Report) -> String {
    render_within(report, MAX_CHARS)
}

/// The comment in at most `limit` characters (for `limit` above a few thousand: the header,
/// counts and bounded sections always fit).
pub fn render_within(report: &Report, limit: usize) -> String {
    let head = safe(header(report));
    let warnings = safe(bounded(
        "Warnings",
        report.plan.warnings.iter().map(|w| {
            format!(
                "- ⚠ **{}** {}\n",
                text(w.kind.as_str()),
                text(&clip(&w.message))
            )
        }),
    ));
    let errors = safe(bounded(
        "Errors",
        report.bounded_errors().iter().map(|e| {
            let place = match (&e.source_path, e.line, e.col) {
                (Some(p), Some(l), Some(c)) => format!("{} ", code(&format!("{p}:{l}:{c}"))),
                (Some(p), _, _) => format!("{} ", code(p)),
                _ => {
                    e.id.as_deref()
                        .map(|id| format!("{} ", code(id)))
                        .unwrap_or_default()
                }
            };
            format!(
                "- **{}** {place}{}\n",
                text(&e.stage),
                text(&clip(&e.message))
            )
        }),
    ));
    let fixed = [&head, &warnings, &errors]
        .iter()
        .map(|s| chars(s))
        .sum::<usize>();
    let budget = limit.saturating_sub(fixed + NOTE_CHARS);
    let changes = fit(&items(report), budget, report.mode.as_str());
    let mut out = head;
    out.push_str(&changes);
    out.push_str(&warnings);
    out.push_str(&errors);
    out
}

fn chars(s: &str) -> usize {
    s.chars().count()
}

/// As it will be printed: unsafe characters escaped (which can lengthen it) before it is
/// measured.
fn safe(s: String) -> String {
    escape_rendered(&s).into_owned()
}

fn clip(s: &str) -> String {
    if chars(s) <= LINE_CHARS {
        return s.to_string();
    }
    let mut clipped: String = s.chars().take(LINE_CHARS).collect();
    clipped.push('…');
    clipped
}

fn header(report: &Report) -> String {
    let plan = &report.plan;
    let mode = report.mode.as_str();
    let mut out = String::new();
    let _ = writeln!(out, "<!-- activity-sync:{mode} scope={} -->", plan.scope);
    let _ = writeln!(
        out,
        "### activity-sync {mode} · scope {}",
        code(&plan.scope)
    );
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
    if plan.invalid > 0 {
        let _ = writeln!(
            out,
            "\n**{} invalid definition {}** (see errors): what {} would describe is left as it is.",
            plan.invalid,
            if plan.invalid == 1 { "file" } else { "files" },
            if plan.invalid == 1 { "it" } else { "they" }
        );
    }
    if let Some(refusal) = &plan.refusal {
        let _ = writeln!(out, "\n> **Refused:** {}", text(refusal));
    }
    out.push('\n');
    let mut source = |side: &str, s: &crate::gather::SourceInfo| {
        let _ = match s.commit.as_ref().or(s.resource_version.as_ref()) {
            Some(version) => writeln!(out, "- {side} {} at {}", code(&s.source), code(version)),
            None => writeln!(out, "- {side} {}", code(&s.source)),
        };
    };
    match &report.base {
        Some(base) => {
            for s in base {
                source("base", s);
            }
            for s in &plan.sources {
                source("head", s);
            }
        }
        None => {
            for s in &plan.sources {
                source("source", s);
            }
        }
    }
    out
}

/// A bounded list section: lines while they fit in [`SECTION_CHARS`], then how many more.
fn bounded(title: &str, lines: impl ExactSizeIterator<Item = String>) -> String {
    let total = lines.len();
    if total == 0 {
        return String::new();
    }
    let mut out = format!("\n#### {title}\n\n");
    let mut shown = 0;
    for line in lines {
        let line = safe(line);
        if chars(&out) + chars(&line) > SECTION_CHARS {
            break;
        }
        out.push_str(&line);
        shown += 1;
    }
    if shown < total {
        let _ = writeln!(out, "- … {} more not shown", total - shown);
    }
    out
}

/// One change as a list item: with its diff (`full`), and without (`short`).
struct Item {
    full: String,
    short: String,
}

fn items(report: &Report) -> Vec<Item> {
    let plan = &report.plan;
    let mut items: Vec<Item> = Vec::new();
    items.extend(listed(plan.definitions.values()).into_iter().map(row_item));
    items.extend(listed(plan.event_types.values()).into_iter().map(row_item));
    items.extend(
        plan.schedules
            .values()
            .filter(|c| c.listed())
            .map(schedule_item),
    );
    items
}

fn details(title: &str, diff: &str) -> String {
    format!(
        "  <details><summary>{title}</summary>\n\n{}  </details>\n",
        fenced("diff", diff, "  ")
    )
}

fn row_item<R: Resource>(c: &Change<R>) -> Item {
    let short = safe(format!(
        "- `{}` **{}** — {} · {}\n",
        c.action().sign().trim().chars().next().unwrap_or('='),
        text(c.row().label()),
        text(&summary(c)),
        code(&location(c))
    ));
    let full = if c.fields.is_empty() {
        short.clone()
    } else {
        safe(format!("{short}{}", details("diff", &c.diff())))
    };
    Item { full, short }
}

fn schedule_item(c: &ScheduleChange) -> Item {
    let mut short = format!(
        "- `{}` {} {}— {}{}{}\n",
        c.op().sign(),
        code(&c.schedule_id),
        c.key
            .as_deref()
            .map(|k| format!("**{}** ", text(k)))
            .unwrap_or_default(),
        c.want()
            .filter(|_| matches!(c.op(), ScheduleOp::Create | ScheduleOp::Update))
            .map(|d| format!("{} · ", code(&d.summary)))
            .unwrap_or_default(),
        text(c.note.as_deref().unwrap_or(c.op().as_str())),
        c.fires_per_day
            .as_ref()
            .map(|r| format!(" · {}", format_change(r)))
            .unwrap_or_default()
    );
    if !c.fires.is_empty() {
        let _ = writeln!(
            short,
            "  next: {}",
            c.fires
                .iter()
                .map(|f| format!("{} ({} UTC)", f.local, f.utc.format("%Y-%m-%d %H:%M")))
                .collect::<Vec<_>>()
                .join(" · ")
        );
    }
    for w in &c.warnings {
        let _ = writeln!(short, "  ⚠ {}", text(&w.message));
    }
    let short = safe(short);
    let full = if c.diff.is_empty() {
        short.clone()
    } else {
        safe(format!("{short}{}", details("schedule diff", &c.diff)))
    };
    Item { full, short }
}

/// The changes section in `budget` characters: items with their diffs while they fit, then
/// without, then none; a note says what was left out.
fn fit(items: &[Item], budget: usize, mode: &str) -> String {
    if items.is_empty() {
        return "\nNo changes.\n".to_string();
    }
    let mut out = String::from("\n#### Changes\n\n");
    let mut used = chars(&out);
    let (mut shown, mut without_diff) = (0, 0);
    let mut shortened = false;
    for item in items {
        let full = chars(&item.full);
        let short = chars(&item.short);
        if !shortened && used + full <= budget {
            out.push_str(&item.full);
            used += full;
        } else if used + short <= budget {
            shortened = true;
            out.push_str(&item.short);
            used += short;
            if full != short {
                without_diff += 1;
            }
        } else {
            break;
        }
        shown += 1;
    }
    let left_out = items.len() - shown;
    if left_out > 0 || without_diff > 0 {
        let mut what = Vec::new();
        if left_out > 0 {
            what.push(format!(
                "{left_out} of {} changes are not shown",
                items.len()
            ));
        }
        if without_diff > 0 {
            what.push(format!(
                "{without_diff} {} shown without {}",
                if without_diff == 1 { "is" } else { "are" },
                if without_diff == 1 {
                    "its diff"
                } else {
                    "their diffs"
                }
            ));
        }
        let _ = writeln!(
            out,
            "\n> **Truncated** to fit in a comment: {}. Run `activity-sync {mode} --format text` (or `json`) for the whole plan.",
            what.join("; ")
        );
    }
    out
}

#[cfg(test)]
mod tests;
