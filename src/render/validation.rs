//! The `validate` report, as text for people and JSON for machines.

use std::collections::BTreeSet;
use std::fmt::Write;

use serde::Serialize;

use crate::definition::text::escape_rendered;
use crate::gather::{Desired, SourceInfo};
use crate::plan::RunError;

pub fn text(desired: &Desired) -> String {
    escape_rendered(&compose_text(desired)).into_owned()
}

fn compose_text(desired: &Desired) -> String {
    let mut out = String::new();
    for failure in &desired.failed {
        let _ = writeln!(
            out,
            "error: source `{}`: {}",
            failure.source, failure.message
        );
    }
    for error in &desired.catalog.errors {
        let _ = writeln!(out, "{error}");
    }
    for skipped in &desired.catalog.skipped {
        let _ = writeln!(out, "skipped {skipped} (no frontmatter: not a definition)");
    }
    let catalog = &desired.catalog;
    let verdict = if desired.failed.is_empty() && catalog.errors.is_empty() {
        "Valid"
    } else {
        "Invalid"
    };
    let mut summary = format!(
        "{verdict}: {}, {} ({} read from {}); {} skipped; {} in {}",
        plural(catalog.activities.len(), "activity definition"),
        plural(catalog.event_types.len(), "event type"),
        plural(desired.files.len(), "file"),
        plural(desired.sources.len() + desired.failed.len(), "source"),
        catalog.skipped.len(),
        plural(catalog.errors.len(), "error"),
        plural(invalid_files(desired), "file"),
    );
    if !desired.failed.is_empty() {
        summary.push_str(&format!(
            "; {} failed",
            plural(desired.failed.len(), "source")
        ));
    }
    let _ = writeln!(out, "{summary}.");
    out
}

#[derive(Serialize)]
struct ValidateJson<'a> {
    mode: &'static str,
    valid: bool,
    sources: &'a [SourceInfo],
    definitions: Tally,
    event_types: ValidCount,
    skipped: &'a [String],
    errors: Vec<RunError>,
}

#[derive(Serialize)]
struct Tally {
    valid: usize,
    invalid: usize,
}

#[derive(Serialize)]
struct ValidCount {
    valid: usize,
}

pub fn json(desired: &Desired) -> String {
    let catalog = &desired.catalog;
    let mut errors: Vec<RunError> = desired
        .failed
        .iter()
        .map(|f| {
            RunError::new("sources", &f.message)
                .id(&f.source)
                .source_path(&f.source)
        })
        .collect();
    errors.extend(catalog.errors.iter().map(RunError::from));
    let report = ValidateJson {
        mode: "validate",
        valid: desired.failed.is_empty() && catalog.errors.is_empty(),
        sources: &desired.sources,
        definitions: Tally {
            valid: catalog.activities.len(),
            invalid: invalid_files(desired),
        },
        event_types: ValidCount {
            valid: catalog.event_types.len(),
        },
        skipped: &catalog.skipped,
        errors,
    };
    super::json_document(&report)
}

fn invalid_files(desired: &Desired) -> usize {
    desired
        .catalog
        .errors
        .iter()
        .map(|e| e.source_path.as_str())
        .collect::<BTreeSet<_>>()
        .len()
}

/// `1 file`, `2 files`.
pub fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("{n} {noun}")
    } else {
        format!("{n} {noun}s")
    }
}
