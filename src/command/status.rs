//! `activity-sync status`: recent runs, the last successful sync of each scope, and the
//! managed schedules held paused by hand (read from Temporal now).

use std::collections::BTreeSet;

use anyhow::bail;
use chrono::Utc;

use crate::cli::{Format, StatusArgs};
use crate::error::Exit;
use crate::output::emit;
use crate::plan::{HeldPause, held_pauses};
use crate::render::status::{self, LastSuccess};
use crate::store::{CALL_TIMEOUT, Store, bounded};
use crate::temporal::Temporal;

pub async fn run(args: &StatusArgs) -> anyhow::Result<Exit> {
    if args.format == Format::Markdown {
        bail!("`status` has no markdown output: use `--format text` or `json`");
    }
    let url = &args.database.database_url;
    let store = bounded("connecting", CALL_TIMEOUT, Store::connect(url)).await?;
    let recent = store.recent_runs(args.scope.as_deref(), i64::from(args.limit));
    let runs = bounded("reading the runs", CALL_TIMEOUT, recent).await?;
    let scopes: BTreeSet<&str> = match &args.scope {
        Some(scope) => [scope.as_str()].into(),
        None => runs.iter().map(|r| r.scope.as_str()).collect(),
    };
    let outbox = bounded("reading the outbox", CALL_TIMEOUT, store.has_outbox()).await?;
    let mut last = Vec::new();
    for scope in scopes {
        let report_outbox_pending = if outbox {
            let pending = store.pending_report_count(scope);
            Some(bounded("reading the outbox", CALL_TIMEOUT, pending).await?)
        } else {
            None
        };
        last.push(LastSuccess {
            scope: scope.to_string(),
            at: bounded("reading the runs", CALL_TIMEOUT, store.last_success(scope)).await?,
            report_outbox_pending,
        });
    }
    let held = if args.schedules {
        Some(held_by_hand(args, &store).await)
    } else {
        None
    };
    let failed = matches!(held, Some(Err(_)));
    let held = held.map(|h| h.map_err(|e| e.to_string()));
    emit(&match args.format {
        Format::Json => status::json(&last, &runs, held.as_ref()),
        _ => status::text(&last, &runs, held.as_ref(), Utc::now()),
    })?;
    // Temporal failing is an automation error (§6), but the runs are printed first.
    Ok(if failed { Exit::Failure } else { Exit::Success })
}

/// The schedules held paused by hand, from the rows and one list of the namespace.
async fn held_by_hand(args: &StatusArgs, store: &Store) -> anyhow::Result<Vec<HeldPause>> {
    let mut actual = bounded("reading the rows", CALL_TIMEOUT, store.snapshot()).await?;
    let temporal = Temporal::connect(&args.temporal.settings()).await?;
    actual.schedules = temporal.list(args.scope.as_deref()).await?;
    Ok(held_pauses(&actual, args.scope.as_deref()))
}
