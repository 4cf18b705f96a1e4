//! The input of a run: the desired state read from the sources, or a plan saved by
//! `plan --out`. One enum, never two `Option`s.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::config::{InputSpec, RunConfig};
use super::rows::{desired_from_rows, rows_source};
use crate::gather::{Desired, SourceInfo};
use crate::plan::{Actual, PLAN_FORMAT, Plan};
use crate::store::SharedSpecs;

#[derive(Debug, Clone)]
pub enum Input {
    Sources(Desired),
    /// `--schedules-from database`: the desired state is the rows, read with the actual
    /// state ([`Input::with_rows`]).
    Database,
    Saved(Plan),
}

/// A saved plan that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum SavedPlanError {
    #[error("cannot read the plan `{path}`: {source}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("`{path}` is not a plan saved by `activity-sync plan --out`: {message}")]
    Format { path: String, message: String },
    #[error(
        "`{path}` has plan format {found}, this activity-sync reads format {PLAN_FORMAT}; plan again"
    )]
    Version { path: String, found: u32 },
    #[error("cannot write the plan to `{path}`: {source}")]
    Write {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

/// Only the format number, read first so an old plan gets the right message.
#[derive(Deserialize, Serialize)]
struct Header {
    format: u32,
}

impl Input {
    /// Reads the sources (a failing source is recorded in the desired state, never fatal)
    /// or the saved plan.
    pub fn load(config: &RunConfig) -> Result<Input, SavedPlanError> {
        match &config.input {
            InputSpec::Sources(specs) => {
                let mut desired = Desired::gather(specs);
                // The files' text is kept for `export`; a run has parsed it, and 10,000
                // files are megabytes held to the end of the run.
                desired.files = Vec::new();
                Ok(Input::Sources(desired))
            }
            InputSpec::Database => Ok(Input::Database),
            InputSpec::SavedPlan(path) => load(path).map(Input::Saved),
        }
    }

    /// The sources it was read from, for a report made before any plan.
    pub fn sources(&self) -> Vec<SourceInfo> {
        match self {
            Input::Sources(desired) => desired.sources.clone(),
            Input::Database => vec![rows_source(0)],
            Input::Saved(plan) => plan.sources.clone(),
        }
    }

    /// The desired definitions' frontmatter, for the rows read from the database to share
    /// where it is equal ([`SharedSpecs`]); nothing for the database mode or a saved plan.
    pub fn shared_specs(&self) -> SharedSpecs {
        match self {
            Input::Sources(desired) => SharedSpecs::new(
                desired
                    .catalog
                    .activities
                    .values()
                    .map(|d| (d.id, d.spec.clone())),
            ),
            Input::Database | Input::Saved(_) => SharedSpecs::none(),
        }
    }

    /// The rows of the scope as the desired state, once they are read (the database mode);
    /// any other input as it is.
    pub fn with_rows(self, actual: &Actual, scope: &str) -> Input {
        match self {
            Input::Database => Input::Sources(desired_from_rows(actual, scope)),
            other => other,
        }
    }
}

pub fn save(plan: &Plan, path: &Path) -> Result<(), SavedPlanError> {
    let text = serde_json::to_string_pretty(plan).expect("plans serialize");
    std::fs::write(path, text).map_err(|source| SavedPlanError::Write {
        path: path.display().to_string(),
        source,
    })
}

fn load(path: &Path) -> Result<Plan, SavedPlanError> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| SavedPlanError::Read {
        path: shown.clone(),
        source,
    })?;
    let format = |e: serde_json::Error| SavedPlanError::Format {
        path: shown.clone(),
        message: e.to_string(),
    };
    let header: Header = serde_json::from_str(&text).map_err(format)?;
    if header.format != PLAN_FORMAT {
        return Err(SavedPlanError::Version {
            path: shown,
            found: header.format,
        });
    }
    serde_json::from_str(&text).map_err(format)
}
