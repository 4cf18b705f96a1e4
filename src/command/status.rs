//! `activity-sync status`: recent runs and the last successful sync of each scope.

use std::collections::BTreeSet;
use std::fmt::Write;

use chrono::Utc;

use crate::cli::{Format, StatusArgs};
use crate::error::Exit;
use crate::output::emit;
use crate::store::Store;

pub async fn run(args: &StatusArgs) -> anyhow::Result<Exit> {
    let store = Store::connect(&args.database.database_url).await?;
    let runs = store
        .recent_runs(args.scope.as_deref(), i64::from(args.limit))
        .await?;
    let scopes: BTreeSet<&str> = match &args.scope {
        Some(scope) => [scope.as_str()].into(),
        None => runs.iter().map(|r| r.scope.as_str()).collect(),
    };
    let mut last = Vec::new();
    for scope in scopes {
        last.push((scope.to_string(), store.last_success(scope).await?));
    }
    let text = match args.format {
        Format::Json => {
            let value = serde_json::json!({
                "last_success": last.iter().map(|(s, at)| serde_json::json!({"scope": s, "at": at})).collect::<Vec<_>>(),
                "runs": runs,
            });
            format!(
                "{}\n",
                serde_json::to_string_pretty(&value).expect("JSON values serialize")
            )
        }
        Format::Text | Format::Markdown => {
            let mut out = String::new();
            if last.is_empty() {
                out.push_str("No runs recorded yet.\n");
            }
            for (scope, at) in &last {
                match at {
                    Some(at) => {
                        let ago = Utc::now().signed_duration_since(*at);
                        let _ = writeln!(
                            out,
                            "scope {scope}: last successful apply {} ({} ago)",
                            at.format("%Y-%m-%d %H:%M:%S UTC"),
                            human(ago)
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
            for run in &runs {
                let d = &run.counts.definitions;
                let s = &run.counts.schedules;
                let schedules = format!(
                    "  schedules +{} ~{} ⏸{} ▶{} -{} ={}",
                    s.created, s.updated, s.paused, s.unpaused, s.deleted, s.unchanged
                );
                let _ = writeln!(
                    out,
                    "  {}  {:<5}  {:<12}  {:<12}  +{} ~{} -{} ={}{schedules}  {} errors",
                    run.started_at.format("%Y-%m-%d %H:%M:%S"),
                    run.mode,
                    run.scope,
                    run.outcome,
                    d.created,
                    d.updated,
                    d.retired,
                    d.unchanged,
                    run.errors.len(),
                );
            }
            out
        }
    };
    emit(&text)?;
    Ok(Exit::Success)
}

fn human(d: chrono::TimeDelta) -> String {
    let s = d.num_seconds().max(0);
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m", s / 60),
        3600..86400 => format!("{}h{}m", s / 3600, s % 3600 / 60),
        _ => format!("{}d{}h", s / 86400, s % 86400 / 3600),
    }
}
