//! `activity-sync status`: recent runs and the last successful sync of each scope.

use std::collections::BTreeSet;

use anyhow::bail;
use chrono::Utc;

use crate::cli::{Format, StatusArgs};
use crate::error::Exit;
use crate::output::emit;
use crate::render::status::{self, LastSuccess};
use crate::store::Store;

pub async fn run(args: &StatusArgs) -> anyhow::Result<Exit> {
    if args.format == Format::Markdown {
        bail!("`status` has no markdown output: use `--format text` or `json`");
    }
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
        last.push(LastSuccess {
            scope: scope.to_string(),
            at: store.last_success(scope).await?,
        });
    }
    emit(&match args.format {
        Format::Json => status::json(&last, &runs),
        _ => status::text(&last, &runs, Utc::now()),
    })?;
    Ok(Exit::Success)
}
