//! The actual state, read once: the rows (inside the scope lock for `apply`), then one
//! paginated list of the schedules and a describe of each one the list cannot settle. Which
//! those are is the planner's explicit verdict ([`needs_describe`]), so list-then-describe
//! is visible here, not a second planning pass hidden in a read.

use std::collections::BTreeMap;

use futures_util::stream::{self, StreamExt};

use crate::apply::Progress;
use crate::gather::Desired;
use crate::plan::{Actual, PlanOptions, needs_describe};
use crate::schedule::actual::ActualSchedule;
use crate::schedule::backend::{BackendError, ScheduleBackend};

/// Which schedules to describe after the list.
pub enum Describe<'a> {
    /// Those the planner cannot settle from the list (and every owned one with `full`).
    Unsettled {
        desired: &'a Desired,
        options: &'a PlanOptions,
        full: bool,
    },
    /// These (the mutations of a saved plan).
    These(Vec<String>),
}

/// Given what the list showed, describes what `describe` names, `concurrency` at a time.
pub async fn describe_listed<B: ScheduleBackend>(
    backend: &B,
    rows: &mut Actual,
    listed: BTreeMap<String, ActualSchedule>,
    describe: Describe<'_>,
    concurrency: usize,
    progress: Option<&Progress>,
) -> Result<BTreeMap<String, ActualSchedule>, BackendError> {
    let mut schedules = listed;
    let mut ids = match describe {
        Describe::Unsettled {
            desired,
            options,
            full,
        } => {
            // The rows and the list together, for the planner's verdict, without a copy of
            // the rows (thousands of them, each with its JSON).
            rows.schedules = schedules;
            let ids = needs_describe(desired, rows, options, full);
            schedules = std::mem::take(&mut rows.schedules);
            ids
        }
        Describe::These(ids) => ids,
    };
    ids.sort();
    ids.dedup();
    if let Some(progress) = progress {
        progress.begin("describing schedules", ids.len());
    }
    let described: Vec<(String, Result<Option<ActualSchedule>, BackendError>)> = stream::iter(ids)
        .map(|id| async move {
            let result = backend.describe(&id).await;
            if let Some(progress) = progress {
                progress.advance();
            }
            (id, result)
        })
        .buffer_unordered(concurrency.max(1))
        .collect()
        .await;
    for (id, result) in described {
        match result? {
            Some(schedule) => {
                schedules.insert(id, schedule);
            }
            None => {
                schedules.remove(&id);
            }
        }
    }
    Ok(schedules)
}
