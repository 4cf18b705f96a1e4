//! `activity-sync apply`: the run pipeline, from sources or a saved plan.

use crate::cli::ApplyArgs;
use crate::error::Exit;
use crate::run::{RunConfig, run};

pub fn run_apply(args: &ApplyArgs) -> anyhow::Result<Exit> {
    Ok(run(&RunConfig::apply(args)?))
}
