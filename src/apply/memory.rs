//! An in-memory schedule backend with Temporal's observable semantics, for executor unit
//! tests: `AlreadyExists` on a second create, a stale conflict token accepted and silently
//! dropped, `None` for a missing schedule — and faults on demand. Real Temporal stays in the
//! integration tests.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::Ordering;

use crate::schedule::actual::{ANY_SCOPE, ActualSchedule};
use crate::schedule::backend::{
    BackendError, CallCounts, CallCountsSnapshot, ErrorKind, ScheduleBackend,
};
use crate::schedule::desired::{DesiredSchedule, SCHEDULE_ID_PREFIX};

#[derive(Debug, Clone)]
pub struct Stored {
    pub want: DesiredSchedule,
    pub scope: String,
    pub paused: bool,
    pub note: String,
    pub token: u64,
}

#[derive(Debug, Default)]
pub struct MemoryBackend {
    pub schedules: Mutex<BTreeMap<String, Stored>>,
    pub calls: CallCounts,
    /// Every call after this many calls fails `Unavailable`.
    pub fail_after: Option<u64>,
    /// This many updates are dropped silently, as Temporal drops a stale-token update while
    /// another writer races us.
    pub drop_updates: Mutex<u32>,
}

impl MemoryBackend {
    pub fn with(schedules: impl IntoIterator<Item = Stored>) -> MemoryBackend {
        let backend = MemoryBackend::default();
        backend.schedules.lock().unwrap().extend(
            schedules
                .into_iter()
                .map(|s| (s.want.schedule_id.clone(), s)),
        );
        backend
    }

    fn total(&self) -> u64 {
        let c = self.calls.snapshot();
        c.list + c.describe + c.create + c.update + c.patch + c.delete
    }

    fn enter(&self, call: &'static str, id: &str) -> Result<(), BackendError> {
        match self.fail_after {
            Some(n) if self.total() > n => Err(BackendError::new(
                call,
                id,
                ErrorKind::Unavailable,
                "connection refused",
            )),
            _ => Ok(()),
        }
    }

    fn actual(id: &str, s: &Stored) -> ActualSchedule {
        let mut actual =
            ActualSchedule::as_written(&s.scope, &s.want, &s.note, s.token.to_be_bytes().to_vec());
        actual.schedule_id = id.to_string();
        actual.paused = s.paused;
        if s.scope.is_empty() {
            // Written by another client (an older sync): no marker, no hash.
            actual.memo_scope = None;
            actual.memo_definition = None;
            actual.attribute_scope = None;
            actual.spec_hash = None;
        }
        actual
    }
}

impl ScheduleBackend for MemoryBackend {
    async fn list(
        &self,
        scope: Option<&str>,
    ) -> Result<BTreeMap<String, ActualSchedule>, BackendError> {
        self.calls.list.fetch_add(1, Ordering::Relaxed);
        self.enter("ListSchedules", "*")?;
        let schedules = self.schedules.lock().unwrap();
        Ok(schedules
            .iter()
            // What Temporal's scope query returns (`convert::scope_query`): the scope's, the
            // database mode's, and unmarked conventional ids; for `*`, every conventional id.
            .filter(|(id, s)| {
                scope.is_none_or(|scope| {
                    let conventional = id.starts_with(SCHEDULE_ID_PREFIX);
                    if scope == ANY_SCOPE {
                        return conventional;
                    }
                    s.scope == scope || s.scope == ANY_SCOPE || (s.scope.is_empty() && conventional)
                })
            })
            .map(|(id, s)| {
                let mut a = MemoryBackend::actual(id, s);
                a.described = None;
                (id.clone(), a)
            })
            .collect())
    }

    async fn describe(&self, id: &str) -> Result<Option<ActualSchedule>, BackendError> {
        self.calls.describe.fetch_add(1, Ordering::Relaxed);
        self.enter("DescribeSchedule", id)?;
        tokio::task::yield_now().await;
        let schedules = self.schedules.lock().unwrap();
        Ok(schedules.get(id).map(|s| MemoryBackend::actual(id, s)))
    }

    async fn create(
        &self,
        scope: &str,
        want: &DesiredSchedule,
        note: &str,
    ) -> Result<(), BackendError> {
        self.calls.create.fetch_add(1, Ordering::Relaxed);
        self.enter("CreateSchedule", &want.schedule_id)?;
        tokio::task::yield_now().await;
        let mut schedules = self.schedules.lock().unwrap();
        if schedules.contains_key(&want.schedule_id) {
            return Err(BackendError::new(
                "CreateSchedule",
                &want.schedule_id,
                ErrorKind::AlreadyExists,
                "schedule is already registered",
            ));
        }
        schedules.insert(
            want.schedule_id.clone(),
            Stored {
                want: want.clone(),
                scope: scope.to_string(),
                paused: want.paused,
                note: note.to_string(),
                token: 1,
            },
        );
        Ok(())
    }

    async fn update(
        &self,
        _scope: &str,
        want: &DesiredSchedule,
        note: &str,
        conflict_token: &[u8],
    ) -> Result<(), BackendError> {
        self.calls.update.fetch_add(1, Ordering::Relaxed);
        self.enter("UpdateSchedule", &want.schedule_id)?;
        let mut dropped = self.drop_updates.lock().unwrap();
        if *dropped > 0 {
            *dropped -= 1;
            return Ok(());
        }
        let mut schedules = self.schedules.lock().unwrap();
        let Some(s) = schedules.get_mut(&want.schedule_id) else {
            return Err(BackendError::new(
                "UpdateSchedule",
                &want.schedule_id,
                ErrorKind::NotFound,
                "not found",
            ));
        };
        // Temporal answers success and changes nothing when the token is stale.
        if conflict_token == s.token.to_be_bytes() {
            s.want = want.clone();
            s.paused = want.paused;
            s.note = note.to_string();
            s.token += 1;
        }
        Ok(())
    }

    async fn set_paused(&self, id: &str, paused: bool, note: &str) -> Result<(), BackendError> {
        self.calls.patch.fetch_add(1, Ordering::Relaxed);
        self.enter("PatchSchedule", id)?;
        let mut schedules = self.schedules.lock().unwrap();
        let s = schedules.get_mut(id).ok_or_else(|| {
            BackendError::new("PatchSchedule", id, ErrorKind::NotFound, "not found")
        })?;
        s.paused = paused;
        s.note = note.to_string();
        s.token += 1;
        Ok(())
    }

    async fn delete(&self, id: &str) -> Result<(), BackendError> {
        self.calls.delete.fetch_add(1, Ordering::Relaxed);
        self.enter("DeleteSchedule", id)?;
        self.schedules.lock().unwrap().remove(id);
        Ok(())
    }

    fn calls(&self) -> CallCountsSnapshot {
        self.calls.snapshot()
    }
}
