//! The desired state of `--schedules-from database`: the rows the database holds, each read
//! as the definition file `activity-sync import` would write for it, through the same
//! parser and checks as a file. So the schedule a row gets here is the one its imported file
//! would want (a later file-based run that adopts the row changes nothing but the owner),
//! and a row that cannot be read (an unknown trigger type, a bad cron) is an invalid
//! definition: reported, its schedule left exactly as it is.

use std::collections::BTreeSet;

use crate::definition::{Catalog, SourceFile};
use crate::gather::{Desired, SourceInfo};
use crate::plan::{Actual, DefinitionRow, Resource};
use crate::render::definition_file::{definition_file, key_from_name};
use crate::schedule::actual::ANY_SCOPE;

/// The source the rows stand in for, in reports and `sync_runs`.
pub const ROWS_SOURCE: &str = "database:activity_definitions";

/// The live rows of `scope` ([`ANY_SCOPE`]: the rows no scope owns) as desired definitions.
pub fn desired_from_rows(actual: &Actual, scope: &str) -> Desired {
    let of_scope = |row: &DefinitionRow| {
        !row.retired
            && if scope == ANY_SCOPE {
                row.unmanaged()
            } else {
                row.scope == scope
            }
    };
    // A row without a key gets one from its name, never one another row holds (keys are
    // unique across the catalog).
    let mut keys: BTreeSet<String> = actual
        .definitions
        .values()
        .filter(|r| !r.key.is_empty())
        .map(|r| r.key.clone())
        .collect();
    let mut files = Vec::new();
    for row in actual.definitions.values().filter(|r| of_scope(r)) {
        let key = if row.key.is_empty() {
            let base = key_from_name(&row.name, &format!("definition-{}", row.id.simple()));
            let mut key = base.clone();
            let mut n = 2;
            while !keys.insert(key.clone()) {
                key = format!("{base}-{n}");
                n += 1;
            }
            key
        } else {
            row.key.clone()
        };
        // The description is not the schedule's business.
        let file = definition_file(row, &key, None);
        for dropped in &file.dropped {
            tracing::warn!(
                id = %row.id,
                "`trigger_config.{dropped}` is not part of a `{}` trigger; ignored",
                row.trigger_type
            );
        }
        let path = format!("{ROWS_SOURCE}/{}", row.id);
        files.push(SourceFile {
            source_path: path.clone(),
            rel_path: path,
            text: file.text,
        });
    }
    let mut catalog = Catalog::build(&files, Vec::new());
    // A row has no lines: its errors point at the row, not into the file made of it.
    for error in &mut catalog.errors {
        error.line = 1;
        error.col = 1;
    }
    Desired {
        catalog,
        sources: vec![rows_source(files.len())],
        failed: Vec::new(),
        files,
    }
}

/// [`ROWS_SOURCE`], with the number of rows read.
pub fn rows_source(rows: usize) -> SourceInfo {
    SourceInfo {
        source: ROWS_SOURCE.to_string(),
        commit: None,
        revision: None,
        resource_version: None,
        files: rows,
    }
}
