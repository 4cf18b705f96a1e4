//! `activity-sync plan`: the run pipeline without writes.

use crate::cli::PlanArgs;
use crate::error::Exit;
use crate::run::{RunConfig, run};

pub fn run_plan(args: &PlanArgs) -> anyhow::Result<Exit> {
    Ok(run(&RunConfig::plan(args)?))
}
