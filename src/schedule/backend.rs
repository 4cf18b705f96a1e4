//! The schedule calls a run makes, as a small trait: Temporal implements it
//! (`crate::temporal`), and an in-memory implementation stands in for executor unit tests.
//!
//! The trait speaks the pure schedule model ([`ActualSchedule`], [`DesiredSchedule`]) so that
//! the executor and the read phase never see protobuf or gRPC types.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize};

use super::actual::ActualSchedule;
use super::desired::DesiredSchedule;

/// How a backend call failed, as far as the executor decides on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ErrorKind {
    /// Create of an id that exists.
    AlreadyExists,
    /// The schedule does not exist.
    NotFound,
    /// Stale conflict token, or the schedule changed owner.
    FailedPrecondition,
    /// The server cannot be reached, or stopped answering in time: later calls would fail
    /// the same way, so the executor stops starting new ones.
    Unavailable,
    /// Anything else (refused argument, permission, …).
    Other,
}

/// One failed schedule call: which call, which schedule, and why, said once.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Temporal `{call}` of `{schedule}` failed: {message}")]
pub struct BackendError {
    pub call: &'static str,
    pub schedule: String,
    pub kind: ErrorKind,
    pub message: String,
}

impl BackendError {
    pub fn new(
        call: &'static str,
        schedule: &str,
        kind: ErrorKind,
        message: impl Into<String>,
    ) -> Self {
        BackendError {
            call,
            schedule: schedule.to_string(),
            kind,
            message: message.into(),
        }
    }
}

/// The schedule calls of one namespace.
#[allow(async_fn_in_trait)]
pub trait ScheduleBackend {
    /// The schedules of the namespace that may matter to a run (one paginated list): with
    /// `scope`, those marked for it by search attribute where the backend can filter by it
    /// (the others are not returned); every schedule otherwise.
    async fn list(
        &self,
        scope: Option<&str>,
    ) -> Result<BTreeMap<String, ActualSchedule>, BackendError>;
    /// The whole schedule with its conflict token; `None` when it does not exist.
    async fn describe(&self, schedule_id: &str) -> Result<Option<ActualSchedule>, BackendError>;
    /// Creates the schedule with the ownership marker of `scope`.
    async fn create(
        &self,
        scope: &str,
        want: &DesiredSchedule,
        note: &str,
    ) -> Result<(), BackendError>;
    /// Sends the whole desired schedule with a conflict token.
    async fn update(
        &self,
        scope: &str,
        want: &DesiredSchedule,
        note: &str,
        conflict_token: &[u8],
    ) -> Result<(), BackendError>;
    /// Pauses or unpauses, with a note saying why.
    async fn set_paused(
        &self,
        schedule_id: &str,
        paused: bool,
        note: &str,
    ) -> Result<(), BackendError>;
    /// Deletes; a schedule already gone counts as deleted.
    async fn delete(&self, schedule_id: &str) -> Result<(), BackendError>;
    /// Calls made so far, by kind.
    fn calls(&self) -> CallCountsSnapshot;
}

/// Calls made, by kind: proves a plan made no mutating call and a no-op run no describes.
#[derive(Debug, Default)]
pub struct CallCounts {
    pub list: AtomicU64,
    pub describe: AtomicU64,
    pub create: AtomicU64,
    pub update: AtomicU64,
    pub patch: AtomicU64,
    pub delete: AtomicU64,
    /// DescribeTaskQueue: who polls the schedules' task queue (one a run).
    pub describe_task_queue: AtomicU64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallCountsSnapshot {
    pub list: u64,
    pub describe: u64,
    pub create: u64,
    pub update: u64,
    pub patch: u64,
    pub delete: u64,
    #[serde(default)]
    pub describe_task_queue: u64,
}

impl CallCounts {
    pub fn snapshot(&self) -> CallCountsSnapshot {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        CallCountsSnapshot {
            list: get(&self.list),
            describe: get(&self.describe),
            create: get(&self.create),
            update: get(&self.update),
            patch: get(&self.patch),
            delete: get(&self.delete),
            describe_task_queue: get(&self.describe_task_queue),
        }
    }
}
