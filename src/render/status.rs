//! `status`: recent runs, the last successful apply of each scope and the schedules held
//! paused by hand, as text or JSON.

use std::fmt::Write;

use chrono::{DateTime, TimeDelta, Utc};
use serde::Serialize;

use crate::definition::text::escape_rendered;
use crate::plan::HeldPause;
use crate::schedule::pause::quoted_note;
use crate::store::RunRecord;

/// The last successful apply of one scope.
#[derive(Debug, Clone, Serialize)]
pub struct LastSuccess {
    pub scope: String,
    pub at: Option<DateTime<Utc>>,
}

/// The schedules held paused by hand, or why Temporal could not say; `None` when not asked.
pub type Held<'a> = Option<&'a Result<Vec<HeldPause>, String>>;

#[derive(Serialize)]
struct StatusJson<'a> {
    last_success: &'a [LastSuccess],
    runs: &'a [RunRecord],
    #[serde(skip_serializing_if = "Option::is_none")]
    held_by_hand: Option<&'a [HeldPause]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    schedules_error: Option<&'a str>,
}

pub fn json(last: &[LastSuccess], runs: &[RunRecord], held: Held<'_>) -> String {
    super::json_document(&StatusJson {
        last_success: last,
        runs,
        held_by_hand: held.and_then(|h| h.as_ref().ok()).map(Vec::as_slice),
        schedules_error: held.and_then(|h| h.as_ref().err()).map(String::as_str),
    })
}

pub fn text(
    last: &[LastSuccess],
    runs: &[RunRecord],
    held: Held<'_>,
    now: DateTime<Utc>,
) -> String {
    escape_rendered(&compose_text(last, runs, held, now)).into_owned()
}

fn compose_text(
    last: &[LastSuccess],
    runs: &[RunRecord],
    held: Held<'_>,
    now: DateTime<Utc>,
) -> String {
    let mut out = String::new();
    if last.is_empty() {
        out.push_str("No runs recorded yet.\n");
    }
    for LastSuccess { scope, at } in last {
        match at {
            Some(at) => {
                let _ = writeln!(
                    out,
                    "scope {scope}: last successful apply {} ({} ago)",
                    at.format("%Y-%m-%d %H:%M:%S UTC"),
                    human(now.signed_duration_since(*at))
                );
            }
            None => {
                let _ = writeln!(out, "scope {scope}: no successful apply yet");
            }
        }
    }
    if !runs.is_empty() {
        out.push_str("\nRecent runs (newest first)\n");
    }
    for run in runs {
        if let Some(a) = &run.counts.audit {
            let _ = writeln!(
                out,
                "  {}  {:<5}  {:<12}  {:<12}  fires ok {} running {} failed {} skipped {} missed {}  {} errors",
                run.started_at.format("%Y-%m-%d %H:%M:%S"),
                run.mode,
                run.scope,
                run.outcome,
                a.ok,
                a.running,
                a.failed,
                a.skipped,
                a.missed,
                run.errors.len(),
            );
            continue;
        }
        let d = &run.counts.definitions;
        let s = &run.counts.schedules;
        let _ = writeln!(
            out,
            "  {}  {:<5}  {:<12}  {:<12}  +{} ~{} -{} ={}  schedules +{} ~{} ⏸{} ▶{} -{} ={}  {} errors",
            run.started_at.format("%Y-%m-%d %H:%M:%S"),
            run.mode,
            run.scope,
            run.outcome,
            d.created,
            d.updated,
            d.retired,
            d.unchanged,
            s.created,
            s.updated,
            s.paused,
            s.unpaused,
            s.deleted,
            s.unchanged,
            run.errors.len(),
        );
    }
    match held {
        None => {}
        Some(Err(e)) => {
            let _ = writeln!(out, "\nSchedules held paused by hand: unknown ({e})");
        }
        Some(Ok(held)) if held.is_empty() => {
            out.push_str("\nSchedules held paused by hand: none\n");
        }
        Some(Ok(held)) => {
            out.push_str("\nSchedules held paused by hand (--unpause-manual lifts them)\n");
            for h in held {
                let _ = writeln!(
                    out,
                    "  ⏸ {}  scope {}  {}  {}",
                    h.schedule_id,
                    h.scope,
                    h.key,
                    quoted_note(&h.note)
                );
            }
        }
    }
    out
}

fn human(d: TimeDelta) -> String {
    let s = d.num_seconds().max(0);
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m", s / 60),
        3600..86400 => format!("{}h{}m", s / 3600, s % 3600 / 60),
        _ => format!("{}d{}h", s / 86400, s % 86400 / 3600),
    }
}
