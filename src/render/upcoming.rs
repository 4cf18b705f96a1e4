//! The `upcoming` list, as text for people, JSON for machines (SPEC §9) and Markdown for a
//! pull request comment.

use std::fmt::Write;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::Format;
use super::validation::plural;
use crate::gather::Desired;
use crate::plan::RunError;
use crate::schedule::upcoming::{
    FIRES_PER_DEFINITION, Truncated, Upcoming, UpcomingFire, UpcomingWarning,
};

pub fn render(upcoming: &Upcoming, desired: &Desired, format: Format) -> String {
    match format {
        Format::Text => text(upcoming, desired),
        Format::Json => json(upcoming, desired),
        Format::Markdown => markdown(upcoming, desired),
    }
}

fn utc(t: &DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// `90m`, `24h`, `7d`: the window as a person would write it.
fn span(upcoming: &Upcoming) -> String {
    let seconds = (upcoming.to - upcoming.from).num_seconds();
    match seconds {
        s if s % 86_400 == 0 && s > 0 => format!("{}d", s / 86_400),
        s if s % 3600 == 0 && s > 0 => format!("{}h", s / 3600),
        s if s % 60 == 0 && s > 0 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

fn errors(desired: &Desired) -> Vec<String> {
    let mut out: Vec<String> = desired
        .failed
        .iter()
        .map(|f| format!("error: source `{}`: {}", f.source, f.message))
        .collect();
    out.extend(desired.catalog.errors.iter().map(ToString::to_string));
    out
}

fn summary(upcoming: &Upcoming, desired: &Desired) -> String {
    let mut line = format!(
        "{} of {} in the next {}",
        plural(upcoming.fires.len(), "fire"),
        plural(upcoming.definitions, "enabled definition"),
        span(upcoming)
    );
    let invalid = desired.catalog.errors.len();
    if invalid > 0 {
        line.push_str(&format!(
            "; {} (what they describe is not listed)",
            plural(invalid, "error")
        ));
    }
    if !desired.failed.is_empty() {
        line.push_str(&format!(
            "; {} failed",
            plural(desired.failed.len(), "source")
        ));
    }
    line.push('.');
    line
}

fn truncated_note(t: &Truncated) -> String {
    format!(
        "{} fires more than {FIRES_PER_DEFINITION} times in the window: only its first {} are listed (to {})",
        t.key,
        t.listed,
        utc(&t.last)
    )
}

/// What a fire carries besides its time: DST, jitter.
fn notes(fire: &UpcomingFire) -> Vec<String> {
    let mut notes = Vec::new();
    if let Some(dst) = &fire.dst {
        notes.push(format!("DST: {dst}"));
    }
    if let Some(until) = &fire.jitter_until {
        notes.push(format!("jitter: starts before {}", utc(until)));
    }
    notes
}

pub fn text(upcoming: &Upcoming, desired: &Desired) -> String {
    let mut out = String::new();
    for error in errors(desired) {
        let _ = writeln!(out, "{error}");
    }
    let _ = writeln!(
        out,
        "activity-sync upcoming · {} → {} ({})\n",
        utc(&upcoming.from),
        utc(&upcoming.to),
        span(upcoming)
    );
    let local_width = upcoming
        .fires
        .iter()
        .map(|f| f.local.len())
        .max()
        .unwrap_or(0);
    let key_width = upcoming
        .fires
        .iter()
        .map(|f| f.key.len())
        .max()
        .unwrap_or(0);
    let policy_width = upcoming
        .fires
        .iter()
        .map(|f| f.misfire_policy.len())
        .max()
        .unwrap_or(0);
    for fire in &upcoming.fires {
        let mut line = format!(
            "  {}  {:local_width$}  {:key_width$}  {:policy_width$}",
            utc(&fire.utc),
            fire.local,
            fire.key,
            fire.misfire_policy
        );
        for note in notes(fire) {
            line.push_str(&format!("  ⚠ {note}"));
        }
        let _ = writeln!(out, "{}", line.trim_end());
    }
    if !upcoming.fires.is_empty() {
        out.push('\n');
    }
    for w in &upcoming.warnings {
        let _ = writeln!(out, "warning: {}: {}", w.key, w.message);
    }
    for t in &upcoming.truncated {
        let _ = writeln!(out, "note: {}", truncated_note(t));
    }
    let _ = writeln!(out, "{}", summary(upcoming, desired));
    out
}

#[derive(Serialize)]
struct UpcomingJson<'a> {
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    fires: &'a [UpcomingFire],
    warnings: &'a [UpcomingWarning],
    /// The most fires listed per definition.
    limit_per_definition: usize,
    truncated: &'a [Truncated],
    errors: Vec<RunError>,
}

pub fn json(upcoming: &Upcoming, desired: &Desired) -> String {
    let mut errors: Vec<RunError> = desired
        .failed
        .iter()
        .map(|f| {
            RunError::new("sources", &f.message)
                .id(&f.source)
                .source_path(&f.source)
        })
        .collect();
    errors.extend(desired.catalog.errors.iter().map(RunError::from));
    let report = UpcomingJson {
        from: upcoming.from,
        to: upcoming.to,
        fires: &upcoming.fires,
        warnings: &upcoming.warnings,
        limit_per_definition: FIRES_PER_DEFINITION,
        truncated: &upcoming.truncated,
        errors,
    };
    super::json_document(&report)
}

/// Markdown cells: no pipes, no line breaks.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

pub fn markdown(upcoming: &Upcoming, desired: &Desired) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "### Upcoming fires · {} → {} ({})\n",
        utc(&upcoming.from),
        utc(&upcoming.to),
        span(upcoming)
    );
    let errors = errors(desired);
    if !errors.is_empty() {
        let _ = writeln!(out, "**Errors**\n");
        for error in errors {
            let _ = writeln!(out, "- `{}`", error.replace('`', "'"));
        }
        out.push('\n');
    }
    if !upcoming.fires.is_empty() {
        let _ = writeln!(out, "| UTC | Local | Key | Misfire | Note |");
        let _ = writeln!(out, "|---|---|---|---|---|");
        for fire in &upcoming.fires {
            let _ = writeln!(
                out,
                "| {} | {} | `{}` | {} | {} |",
                utc(&fire.utc),
                fire.local,
                cell(&fire.key),
                fire.misfire_policy,
                cell(&notes(fire).join("; "))
            );
        }
        out.push('\n');
    }
    for w in &upcoming.warnings {
        let _ = writeln!(out, "- ⚠ `{}`: {}", cell(&w.key), w.message);
    }
    for t in &upcoming.truncated {
        let _ = writeln!(out, "- {}", truncated_note(t));
    }
    if !upcoming.warnings.is_empty() || !upcoming.truncated.is_empty() {
        out.push('\n');
    }
    let _ = writeln!(out, "{}", summary(upcoming, desired));
    out
}
