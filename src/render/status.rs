//! `status`: recent runs and the last successful apply of each scope, as text or JSON.

use std::fmt::Write;

use chrono::{DateTime, TimeDelta, Utc};
use serde::Serialize;

use crate::definition::text::escape_rendered;
use crate::store::RunRecord;

/// The last successful apply of one scope.
#[derive(Debug, Clone, Serialize)]
pub struct LastSuccess {
    pub scope: String,
    pub at: Option<DateTime<Utc>>,
}

#[derive(Serialize)]
struct StatusJson<'a> {
    last_success: &'a [LastSuccess],
    runs: &'a [RunRecord],
}

pub fn json(last: &[LastSuccess], runs: &[RunRecord]) -> String {
    let mut text = serde_json::to_string_pretty(&StatusJson {
        last_success: last,
        runs,
    })
    .expect("reports serialize");
    text.push('\n');
    text
}

pub fn text(last: &[LastSuccess], runs: &[RunRecord], now: DateTime<Utc>) -> String {
    escape_rendered(&compose_text(last, runs, now)).into_owned()
}

fn compose_text(last: &[LastSuccess], runs: &[RunRecord], now: DateTime<Utc>) -> String {
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
