//! The Temporal backend: raw `WorkflowService` schedule calls (SPEC §5) with per-call
//! timeouts, retries on `Unavailable` / `ResourceExhausted`, a circuit breaker, and call
//! counts. It implements [`ScheduleBackend`] for the read phase and the executor.
//!
//! The high-level schedule API of temporalio-client cannot set a catchup window, a memo or
//! limited actions on create and never sends the conflict token, so every call here is the
//! raw RPC. The SDK's own retry layer is switched off: the retries here are the only ones,
//! so a dead server costs a bounded, known time.

mod audit;
pub mod convert;

use std::collections::BTreeMap;
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::time::Duration;

use temporalio_client::grpc::WorkflowService;
use temporalio_client::tonic::{Code, IntoRequest, Status};
use temporalio_client::{Client, ClientOptions, Connection, ConnectionOptions, TlsOptions, Url};
use temporalio_common::protos::temporal::api::common::v1::SearchAttributes;
use temporalio_common::protos::temporal::api::schedule::v1::SchedulePatch;
use temporalio_common::protos::temporal::api::workflowservice::v1::{
    CreateScheduleRequest, DeleteScheduleRequest, DescribeScheduleRequest,
    DescribeScheduleResponse, ListSchedulesRequest, PatchScheduleRequest, UpdateScheduleRequest,
};

use crate::schedule::actual::{ActualSchedule, Described, ListedSpec};
use crate::schedule::backend::{
    BackendError, CallCounts, CallCountsSnapshot, ErrorKind, ScheduleBackend,
};
use crate::schedule::desired::DesiredSchedule;

/// How long one Temporal call may take.
pub const CALL_TIMEOUT: Duration = Duration::from_secs(15);
/// Attempts of one call while the server is unavailable or throttling (a timed-out call is
/// not repeated: it already cost [`CALL_TIMEOUT`]).
const ATTEMPTS: u32 = 4;
/// Consecutive calls that found the server unavailable (each after its retries) before every
/// further call of the run fails at once.
const BREAKER_THRESHOLD: u32 = 3;
/// Attempts to connect, a second apart: a frontend restarting during a CronJob run.
const CONNECT_ATTEMPTS: u32 = 3;
/// Entries per ListSchedules page asked for: the server serves at most its
/// `frontend.visibilityMaxPageSize` (1,000 by default) and clamps a larger request to it, so
/// the largest page it serves is what comes back.
const PAGE_SIZE: i32 = 10_000;

/// Connection settings, named as Temporal's own clients name them.
#[derive(Debug, Clone)]
pub struct TemporalSettings {
    /// `host:port` (or a URL).
    pub address: String,
    pub namespace: String,
    pub api_key: Option<String>,
    pub tls: bool,
    pub tls_ca_cert: Option<std::path::PathBuf>,
    pub tls_client_cert: Option<std::path::PathBuf>,
    pub tls_client_key: Option<std::path::PathBuf>,
    pub tls_server_name: Option<String>,
    /// Send the API key over a plaintext (`http://`) connection anyway.
    pub allow_insecure_api_key: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum TemporalError {
    #[error("cannot connect to Temporal at `{address}`: {message}")]
    Connect { address: String, message: String },
    #[error("Temporal `{call}` of `{schedule}` failed: {code:?}: {message}")]
    Call {
        call: &'static str,
        schedule: String,
        code: Code,
        message: String,
    },
    #[error("Temporal `{call}` of `{schedule}` timed out after {seconds} s")]
    Timeout {
        call: &'static str,
        schedule: String,
        seconds: u64,
    },
    #[error(
        "Temporal `{call}` of `{schedule}` not sent: {failures} calls in a row found Temporal unavailable"
    )]
    CircuitOpen {
        call: &'static str,
        schedule: String,
        failures: u32,
    },
    #[error(
        "refusing to send the Temporal API key over plaintext to `{address}`: use `host:port` or an `https://` address (an API key implies TLS), or allow it with `--temporal-allow-insecure-api-key` (`TEMPORAL_ALLOW_INSECURE_API_KEY=true`)"
    )]
    InsecureApiKey { address: String },
    #[error("cannot read `{path}`: {source}")]
    Tls {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl TemporalError {
    pub fn code(&self) -> Option<Code> {
        match self {
            TemporalError::Call { code, .. } => Some(*code),
            _ => None,
        }
    }

    /// Whether later calls would most likely fail the same way.
    pub fn is_unavailable(&self) -> bool {
        match self {
            TemporalError::Call { code, .. } => matches!(
                code,
                Code::Unavailable | Code::DeadlineExceeded | Code::ResourceExhausted
            ),
            TemporalError::Connect { .. }
            | TemporalError::Timeout { .. }
            | TemporalError::CircuitOpen { .. } => true,
            TemporalError::Tls { .. } | TemporalError::InsecureApiKey { .. } => false,
        }
    }
}

impl From<TemporalError> for BackendError {
    fn from(e: TemporalError) -> BackendError {
        let kind = match e.code() {
            Some(Code::AlreadyExists) => ErrorKind::AlreadyExists,
            Some(Code::NotFound) => ErrorKind::NotFound,
            Some(Code::FailedPrecondition) => ErrorKind::FailedPrecondition,
            _ if e.is_unavailable() => ErrorKind::Unavailable,
            _ => ErrorKind::Other,
        };
        let (call, schedule, message) = match &e {
            TemporalError::Call {
                call,
                schedule,
                code,
                message,
            } => (*call, schedule.clone(), format!("{code:?}: {message}")),
            // The call and the schedule are named once, by the backend error.
            TemporalError::Timeout {
                call,
                schedule,
                seconds,
            } => (
                *call,
                schedule.clone(),
                format!("timed out after {seconds} s"),
            ),
            TemporalError::CircuitOpen {
                call,
                schedule,
                failures,
            } => (
                *call,
                schedule.clone(),
                format!("not sent: {failures} calls in a row found Temporal unavailable"),
            ),
            TemporalError::Connect { .. }
            | TemporalError::Tls { .. }
            | TemporalError::InsecureApiKey { .. } => ("connect", "*".to_string(), e.to_string()),
        };
        BackendError {
            call,
            schedule,
            kind,
            message,
        }
    }
}

#[derive(Clone)]
pub struct Temporal {
    client: Client,
    namespace: String,
    identity: String,
    pub calls: Arc<CallCounts>,
    /// Whether the namespace takes our search attributes; cleared at the first refusal, and
    /// the run goes on with describe-based comparison.
    attributes: Arc<std::sync::atomic::AtomicBool>,
    /// Calls in a row that found the server unavailable; at [`BREAKER_THRESHOLD`] the
    /// circuit opens and every further call fails at once.
    unavailable: Arc<AtomicU32>,
}

/// Whether Temporal refused a call because our search attributes are not registered.
fn attributes_refused(e: &TemporalError) -> bool {
    matches!(e, TemporalError::Call { code: Code::InvalidArgument, message, .. }
        if message.to_ascii_lowercase().contains("search attribute"))
}

fn read(path: &std::path::Path) -> Result<Vec<u8>, TemporalError> {
    std::fs::read(path).map_err(|source| TemporalError::Tls {
        path: path.to_path_buf(),
        source,
    })
}

impl Temporal {
    pub async fn connect(settings: &TemporalSettings) -> Result<Temporal, TemporalError> {
        let fail = |message: String| TemporalError::Connect {
            address: settings.address.clone(),
            message,
        };
        let tls = settings.tls
            || settings.tls_ca_cert.is_some()
            || settings.tls_client_cert.is_some()
            || settings.api_key.is_some();
        let url = if settings.address.contains("://") {
            settings.address.clone()
        } else {
            format!(
                "{}://{}",
                if tls { "https" } else { "http" },
                settings.address
            )
        };
        let url = Url::from_str(&url).map_err(|e| fail(e.to_string()))?;
        if settings.api_key.is_some() && url.scheme() == "http" && !settings.allow_insecure_api_key
        {
            return Err(TemporalError::InsecureApiKey {
                address: crate::redact::redact(&settings.address),
            });
        }
        let identity = format!("activity-sync@{}", hostname());
        let mut options = ConnectionOptions::new(url)
            .identity(identity.clone())
            .build();
        options.api_key = settings.api_key.clone();
        options.connect_timeout = Some(CALL_TIMEOUT);
        // Ours are the only retries (see `call`).
        options.retry_options = temporalio_client::RetryOptions::no_retries();
        if tls {
            let mut tls_options = TlsOptions::default();
            tls_options.server_root_ca_cert =
                settings.tls_ca_cert.as_deref().map(read).transpose()?;
            tls_options.domain = settings.tls_server_name.clone();
            if let (Some(cert), Some(key)) = (&settings.tls_client_cert, &settings.tls_client_key) {
                tls_options.client_tls_options = Some(
                    temporalio_client::ClientTlsOptions::builder()
                        .client_cert(read(cert)?)
                        .client_private_key(read(key)?)
                        .build(),
                );
            }
            options.tls_options = Some(tls_options);
        }
        let mut attempt = 1;
        let connection = loop {
            let result = tokio::time::timeout(CALL_TIMEOUT, Connection::connect(options.clone()))
                .await
                .map_err(|_| fail(format!("no answer within {} s", CALL_TIMEOUT.as_secs())))
                .and_then(|r| r.map_err(|e| fail(error_chain(&e))));
            match result {
                Ok(connection) => break connection,
                Err(e) if attempt < CONNECT_ATTEMPTS => {
                    tracing::warn!(error = %e, attempt, "cannot connect to Temporal; retrying");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    attempt += 1;
                }
                Err(e) => return Err(e),
            }
        };
        let client = Client::new(
            connection,
            ClientOptions::new(settings.namespace.clone()).build(),
        )
        .map_err(|e| fail(e.to_string()))?;
        Ok(Temporal {
            client,
            namespace: settings.namespace.clone(),
            identity,
            calls: Arc::new(CallCounts::default()),
            attributes: Arc::new(std::sync::atomic::AtomicBool::new(true)),
            unavailable: Arc::new(AtomicU32::new(0)),
        })
    }

    /// One RPC with a timeout, retried with capped, jittered backoff while the server is
    /// unavailable or throttling; refused at once while the circuit is open.
    async fn call<T, F, Fut>(
        &self,
        name: &'static str,
        schedule: &str,
        counter: &AtomicU64,
        mut rpc: F,
    ) -> Result<T, TemporalError>
    where
        F: FnMut(Client) -> Fut,
        Fut: std::future::Future<Output = Result<T, Status>>,
    {
        let failures = self.unavailable.load(Ordering::Relaxed);
        if failures >= BREAKER_THRESHOLD {
            return Err(TemporalError::CircuitOpen {
                call: name,
                schedule: schedule.to_string(),
                failures,
            });
        }
        let result = self.attempts(name, schedule, counter, &mut rpc).await;
        match &result {
            Err(e) if e.is_unavailable() => {
                self.unavailable.fetch_add(1, Ordering::Relaxed);
            }
            _ => self.unavailable.store(0, Ordering::Relaxed),
        }
        result
    }

    async fn attempts<T, F, Fut>(
        &self,
        name: &'static str,
        schedule: &str,
        counter: &AtomicU64,
        rpc: &mut F,
    ) -> Result<T, TemporalError>
    where
        F: FnMut(Client) -> Fut,
        Fut: std::future::Future<Output = Result<T, Status>>,
    {
        let mut delay = Duration::from_millis(200);
        for attempt in 1..=ATTEMPTS {
            counter.fetch_add(1, Ordering::Relaxed);
            match tokio::time::timeout(CALL_TIMEOUT, rpc(self.client.clone())).await {
                Ok(Ok(value)) => return Ok(value),
                Ok(Err(status))
                    if attempt < ATTEMPTS
                        && matches!(status.code(), Code::Unavailable | Code::ResourceExhausted) =>
                {
                    tracing::debug!(call = name, schedule, code = ?status.code(), attempt, "retrying");
                }
                Ok(Err(status)) => {
                    return Err(TemporalError::Call {
                        call: name,
                        schedule: schedule.to_string(),
                        code: status.code(),
                        message: status.message().to_string(),
                    });
                }
                Err(_) => {
                    return Err(TemporalError::Timeout {
                        call: name,
                        schedule: schedule.to_string(),
                        seconds: CALL_TIMEOUT.as_secs(),
                    });
                }
            }
            tokio::time::sleep(temporalio_client::jittered(delay, 0.2)).await;
            delay = (delay * 2).min(Duration::from_secs(2));
        }
        unreachable!("the last attempt returns")
    }

    /// The schedules of the namespace that may matter to a run, one paginated ListSchedules
    /// (memo, search attributes, paused state and calendars come back). With `scope`, only
    /// what that scope can own or adopt: the schedules its `ActivitySyncScope` attribute
    /// marks, and the conventional ids (`activity-schedule-…`) that carry no attribute
    /// (unmarked, or marked by memo only) — so a run costs what its scope holds, not what
    /// the namespace holds. A namespace without the attribute refuses that query: then the
    /// conventional ids alone (creates and updates go on without the attributes for the
    /// rest of the run), and a server that cannot filter by id lists every schedule.
    pub async fn list(
        &self,
        scope: Option<&str>,
    ) -> Result<BTreeMap<String, ActualSchedule>, TemporalError> {
        let Some(scope) = scope else {
            return self.list_query(String::new()).await;
        };
        if self.attributes.load(Ordering::Relaxed) {
            match self.list_query(convert::scope_query(scope)).await {
                Err(e) if e.code() == Some(Code::InvalidArgument) => {
                    if !attributes_refused(&e) {
                        tracing::info!(error = %e, "the server cannot filter schedules by id; listing them all");
                        return self.list_query(String::new()).await;
                    }
                    tracing::info!(error = %e, "search attributes not registered; listing the conventional ids, drift is judged by the notes and describe");
                    self.attributes.store(false, Ordering::Relaxed);
                }
                other => return other,
            }
        }
        match self.list_query(convert::conventional_query()).await {
            Err(e) if e.code() == Some(Code::InvalidArgument) => {
                tracing::info!(error = %e, "the server cannot filter schedules by id; listing them all");
                self.list_query(String::new()).await
            }
            other => other,
        }
    }

    async fn list_query(
        &self,
        query: String,
    ) -> Result<BTreeMap<String, ActualSchedule>, TemporalError> {
        let mut out = BTreeMap::new();
        let mut token = Vec::new();
        loop {
            let request = ListSchedulesRequest {
                namespace: self.namespace.clone(),
                maximum_page_size: PAGE_SIZE,
                next_page_token: token.clone(),
                query: query.clone(),
            };
            let page = self
                .call("ListSchedules", "*", &self.calls.list, |mut c| {
                    let request = request.clone();
                    async move { WorkflowService::list_schedules(&mut c, request.into_request()).await }
                })
                .await?
                .into_inner();
            for entry in page.schedules {
                let mut actual = ActualSchedule {
                    schedule_id: entry.schedule_id.clone(),
                    ..Default::default()
                };
                convert::marker(
                    &mut actual,
                    entry.memo.as_ref(),
                    entry.search_attributes.as_ref(),
                );
                if let Some(info) = &entry.info {
                    actual.paused = info.paused;
                    actual.notes = info.notes.clone();
                    if let Some(spec) = &info.spec {
                        let (calendars, timezone, jitter_seconds) =
                            convert::calendars_from_spec(spec);
                        actual.listed = Some(ListedSpec {
                            calendars,
                            timezone,
                            jitter_seconds,
                            workflow_type: info.workflow_type.as_ref().map(|t| t.name.clone()),
                        });
                    }
                }
                out.insert(entry.schedule_id, actual);
            }
            if page.next_page_token.is_empty() {
                return Ok(out);
            }
            token = page.next_page_token;
        }
    }

    /// The whole schedule and its conflict token; `None` when it does not exist.
    pub async fn describe(
        &self,
        schedule_id: &str,
    ) -> Result<Option<ActualSchedule>, TemporalError> {
        let request = DescribeScheduleRequest {
            namespace: self.namespace.clone(),
            schedule_id: schedule_id.to_string(),
        };
        let response = self
            .call(
                "DescribeSchedule",
                schedule_id,
                &self.calls.describe,
                |mut c| {
                    let request = request.clone();
                    async move {
                        WorkflowService::describe_schedule(&mut c, request.into_request()).await
                    }
                },
            )
            .await;
        let response: DescribeScheduleResponse = match response {
            Ok(r) => r.into_inner(),
            Err(e) if e.code() == Some(Code::NotFound) => return Ok(None),
            Err(e) => return Err(e),
        };
        Ok(Some(described(schedule_id, &response)))
    }

    /// Runs a create or update with our search attributes while the namespace takes them;
    /// at the first refusal (not registered) it goes on without them, for the whole run.
    async fn with_attributes<F, Fut>(
        &self,
        scope: &str,
        spec_hash: &str,
        mut call: F,
    ) -> Result<(), TemporalError>
    where
        F: FnMut(Option<SearchAttributes>) -> Fut,
        Fut: std::future::Future<Output = Result<(), TemporalError>>,
    {
        loop {
            let attributes = self
                .attributes
                .load(Ordering::Relaxed)
                .then(|| convert::search_attributes(scope, spec_hash));
            let sent = attributes.is_some();
            match call(attributes).await {
                Err(e) if sent && attributes_refused(&e) => {
                    tracing::warn!(error = %e, "search attributes not registered; drift is judged by describe");
                    self.attributes.store(false, Ordering::Relaxed);
                }
                other => return other,
            }
        }
    }

    pub async fn create(
        &self,
        scope: &str,
        s: &DesiredSchedule,
        note: &str,
    ) -> Result<(), TemporalError> {
        self.with_attributes(scope, &s.spec_hash, |search_attributes| {
            let request = CreateScheduleRequest {
                namespace: self.namespace.clone(),
                schedule_id: s.schedule_id.clone(),
                schedule: Some(convert::schedule_to_proto(s, note)),
                identity: self.identity.clone(),
                request_id: uuid::Uuid::new_v4().to_string(),
                memo: Some(convert::memo(scope, s.definition_id)),
                search_attributes,
                ..Default::default()
            };
            async move {
                self.call(
                    "CreateSchedule",
                    &s.schedule_id,
                    &self.calls.create,
                    |mut c| {
                        let request = request.clone();
                        async move {
                            WorkflowService::create_schedule(&mut c, request.into_request()).await
                        }
                    },
                )
                .await
                .map(|_| ())
            }
        })
        .await
    }

    /// Sends the whole desired schedule with the conflict token it was planned from.
    pub async fn update(
        &self,
        scope: &str,
        s: &DesiredSchedule,
        note: &str,
        conflict_token: &[u8],
    ) -> Result<(), TemporalError> {
        self.with_attributes(scope, &s.spec_hash, |search_attributes| {
            let request = UpdateScheduleRequest {
                namespace: self.namespace.clone(),
                schedule_id: s.schedule_id.clone(),
                schedule: Some(convert::schedule_to_proto(s, note)),
                conflict_token: conflict_token.to_vec(),
                identity: self.identity.clone(),
                request_id: uuid::Uuid::new_v4().to_string(),
                search_attributes,
                ..Default::default()
            };
            async move {
                self.call(
                    "UpdateSchedule",
                    &s.schedule_id,
                    &self.calls.update,
                    |mut c| {
                        let request = request.clone();
                        async move {
                            WorkflowService::update_schedule(&mut c, request.into_request()).await
                        }
                    },
                )
                .await
                .map(|_| ())
            }
        })
        .await
    }

    /// Registers the Keyword search attributes activity-sync uses, where missing; returns
    /// the names added. Needs operator rights on the namespace.
    pub async fn register_search_attributes(&self) -> Result<Vec<String>, TemporalError> {
        use temporalio_client::grpc::OperatorService;
        use temporalio_common::protos::temporal::api::enums::v1::IndexedValueType;
        use temporalio_common::protos::temporal::api::operatorservice::v1::{
            AddSearchAttributesRequest, ListSearchAttributesRequest,
        };
        let list = ListSearchAttributesRequest {
            namespace: self.namespace.clone(),
        };
        let existing = self
            .call("ListSearchAttributes", "*", &self.calls.list, |mut c| {
                let list = list.clone();
                async move { OperatorService::list_search_attributes(&mut c, list.into_request()).await }
            })
            .await?
            .into_inner()
            .custom_attributes;
        let missing: Vec<String> = [convert::SA_SCOPE, convert::SA_SPEC_HASH]
            .into_iter()
            .filter(|name| !existing.contains_key(*name))
            .map(str::to_string)
            .collect();
        if missing.is_empty() {
            return Ok(missing);
        }
        let add = AddSearchAttributesRequest {
            namespace: self.namespace.clone(),
            search_attributes: missing
                .iter()
                .map(|name| (name.clone(), IndexedValueType::Keyword as i32))
                .collect(),
        };
        self.call("AddSearchAttributes", "*", &self.calls.update, |mut c| {
            let add = add.clone();
            async move { OperatorService::add_search_attributes(&mut c, add.into_request()).await }
        })
        .await?;
        Ok(missing)
    }

    /// How many workers poll `task_queue` for workflow tasks (those Temporal has seen in the
    /// last few minutes): one DescribeTaskQueue.
    pub async fn pollers(&self, task_queue: &str) -> Result<usize, TemporalError> {
        use temporalio_common::protos::temporal::api::enums::v1::{TaskQueueKind, TaskQueueType};
        use temporalio_common::protos::temporal::api::taskqueue::v1::TaskQueue;
        use temporalio_common::protos::temporal::api::workflowservice::v1::DescribeTaskQueueRequest;
        let request = DescribeTaskQueueRequest {
            namespace: self.namespace.clone(),
            task_queue: Some(TaskQueue {
                name: task_queue.to_string(),
                kind: TaskQueueKind::Normal as i32,
                ..Default::default()
            }),
            task_queue_type: TaskQueueType::Workflow as i32,
            ..Default::default()
        };
        let response = self
            .call(
                "DescribeTaskQueue",
                task_queue,
                &self.calls.describe_task_queue,
                |mut c| {
                    let request = request.clone();
                    async move {
                        WorkflowService::describe_task_queue(&mut c, request.into_request()).await
                    }
                },
            )
            .await?
            .into_inner();
        Ok(response.pollers.len())
    }

    /// Pauses or unpauses, with a note saying why.
    pub async fn set_paused(
        &self,
        schedule_id: &str,
        paused: bool,
        note: &str,
    ) -> Result<(), TemporalError> {
        let patch = if paused {
            SchedulePatch {
                pause: note.to_string(),
                ..Default::default()
            }
        } else {
            SchedulePatch {
                unpause: note.to_string(),
                ..Default::default()
            }
        };
        let request = PatchScheduleRequest {
            namespace: self.namespace.clone(),
            schedule_id: schedule_id.to_string(),
            patch: Some(patch),
            identity: self.identity.clone(),
            request_id: uuid::Uuid::new_v4().to_string(),
        };
        self.call("PatchSchedule", schedule_id, &self.calls.patch, |mut c| {
            let request = request.clone();
            async move { WorkflowService::patch_schedule(&mut c, request.into_request()).await }
        })
        .await?;
        Ok(())
    }

    /// Deletes; a schedule that is already gone counts as deleted.
    pub async fn delete(&self, schedule_id: &str) -> Result<(), TemporalError> {
        let request = DeleteScheduleRequest {
            namespace: self.namespace.clone(),
            schedule_id: schedule_id.to_string(),
            identity: self.identity.clone(),
        };
        match self
            .call("DeleteSchedule", schedule_id, &self.calls.delete, |mut c| {
                let request = request.clone();
                async move { WorkflowService::delete_schedule(&mut c, request.into_request()).await }
            })
            .await
        {
            Err(e) if e.code() == Some(Code::NotFound) => Ok(()),
            other => other.map(|_| ()),
        }
    }
}

fn described(schedule_id: &str, response: &DescribeScheduleResponse) -> ActualSchedule {
    let mut actual = ActualSchedule {
        schedule_id: schedule_id.to_string(),
        ..Default::default()
    };
    convert::marker(
        &mut actual,
        response.memo.as_ref(),
        response.search_attributes.as_ref(),
    );
    let schedule = response.schedule.clone().unwrap_or_default();
    let state = schedule.state.clone().unwrap_or_default();
    actual.paused = state.paused;
    actual.notes = state.notes.clone();
    if let Some(spec) = &schedule.spec {
        let (calendars, timezone, jitter_seconds) = convert::calendars_from_spec(spec);
        actual.listed = Some(ListedSpec {
            calendars,
            timezone,
            jitter_seconds,
            workflow_type: schedule.action.as_ref().and_then(convert::workflow_type_of),
        });
    }
    actual.described = Some(Described {
        shape: convert::shape_from_proto(&schedule),
        conflict_token: response.conflict_token.clone(),
        action_count: response.info.as_ref().map_or(0, |i| i.action_count),
        limited_actions: state.limited_actions,
        remaining_actions: state.remaining_actions,
    });
    actual
}

impl ScheduleBackend for Temporal {
    async fn list(
        &self,
        scope: Option<&str>,
    ) -> Result<BTreeMap<String, ActualSchedule>, BackendError> {
        Ok(Temporal::list(self, scope).await?)
    }
    async fn describe(&self, schedule_id: &str) -> Result<Option<ActualSchedule>, BackendError> {
        Ok(Temporal::describe(self, schedule_id).await?)
    }
    async fn create(
        &self,
        scope: &str,
        want: &DesiredSchedule,
        note: &str,
    ) -> Result<(), BackendError> {
        Ok(Temporal::create(self, scope, want, note).await?)
    }
    async fn update(
        &self,
        scope: &str,
        want: &DesiredSchedule,
        note: &str,
        conflict_token: &[u8],
    ) -> Result<(), BackendError> {
        Ok(Temporal::update(self, scope, want, note, conflict_token).await?)
    }
    async fn set_paused(
        &self,
        schedule_id: &str,
        paused: bool,
        note: &str,
    ) -> Result<(), BackendError> {
        Ok(Temporal::set_paused(self, schedule_id, paused, note).await?)
    }
    async fn delete(&self, schedule_id: &str) -> Result<(), BackendError> {
        Ok(Temporal::delete(self, schedule_id).await?)
    }
    fn calls(&self) -> CallCountsSnapshot {
        self.calls.snapshot()
    }
}

/// An error and its causes in one line, each said once (tonic repeats its message down the
/// chain).
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut parts: Vec<String> = vec![e.to_string()];
    let mut source = e.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = cause.source();
    }
    parts.join(": ")
}

fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_else(|_| "unknown".into())
}
