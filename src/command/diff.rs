//! `activity-sync diff`: the plan between two sets of sources, offline (pull requests).

use crate::cli::DiffArgs;
use crate::error::Exit;
use crate::run::{DiffConfig, run_diff};

pub fn run(args: &DiffArgs) -> anyhow::Result<Exit> {
    Ok(run_diff(&DiffConfig::new(args)))
}
