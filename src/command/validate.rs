//! `activity-sync validate`: offline parse, schema and cross-reference check.

use anyhow::bail;

use crate::cli::{Format, ValidateArgs};
use crate::error::Exit;
use crate::gather::Desired;
use crate::output::emit;
use crate::render::validation;

pub fn run(args: &ValidateArgs) -> anyhow::Result<Exit> {
    let desired = Desired::gather(&args.sources.sources);
    let text = match args.format {
        Format::Json => validation::json(&desired),
        Format::Text => validation::text(&desired),
        Format::Markdown => {
            bail!("`validate` has no markdown output: use `--format text` or `json`")
        }
    };
    emit(&text)?;
    Ok(exit_code(&desired))
}

/// 1 when a source failed to read, else 4 when a definition is invalid, else 0.
pub fn exit_code(desired: &Desired) -> Exit {
    if !desired.failed.is_empty() {
        Exit::Failure
    } else if !desired.catalog.errors.is_empty() {
        Exit::Invalid
    } else {
        Exit::Success
    }
}
