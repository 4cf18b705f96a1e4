//! The Temporal backend: raw `WorkflowService` schedule calls (SPEC §5) with per-call
//! timeouts, retries on `Unavailable` / `ResourceExhausted`, and call counts.
//!
//! The high-level schedule API of temporalio-client cannot set a catchup window, a memo or
//! limited actions on create and never sends the conflict token, so every call here is the
//! raw RPC.

pub mod convert;

use std::collections::BTreeMap;
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use serde::Serialize;
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
use crate::schedule::desired::DesiredSchedule;

/// How long one Temporal call may take.
pub const CALL_TIMEOUT: Duration = Duration::from_secs(15);
const ATTEMPTS: u32 = 5;
const PAGE_SIZE: i32 = 500;

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
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct CallCountsSnapshot {
    pub list: u64,
    pub describe: u64,
    pub create: u64,
    pub update: u64,
    pub patch: u64,
    pub delete: u64,
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
        let identity = format!("activity-sync@{}", hostname());
        let mut options = ConnectionOptions::new(url)
            .identity(identity.clone())
            .build();
        options.api_key = settings.api_key.clone();
        options.connect_timeout = Some(CALL_TIMEOUT);
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
        let connection = tokio::time::timeout(CALL_TIMEOUT, Connection::connect(options))
            .await
            .map_err(|_| fail(format!("no answer within {} s", CALL_TIMEOUT.as_secs())))?
            .map_err(|e| fail(e.to_string()))?;
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
        })
    }

    /// One RPC with a timeout, retried with capped, jittered backoff while the server is
    /// unavailable or throttling.
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
        let mut delay = Duration::from_millis(200);
        for attempt in 1..=ATTEMPTS {
            counter.fetch_add(1, Ordering::Relaxed);
            match tokio::time::timeout(CALL_TIMEOUT, rpc(self.client.clone())).await {
                Ok(Ok(value)) => return Ok(value),
                Ok(Err(status))
                    if attempt < ATTEMPTS
                        && matches!(status.code(), Code::Unavailable | Code::ResourceExhausted) =>
                {
                    tracing::warn!(call = name, schedule, code = ?status.code(), attempt, "retrying");
                }
                Ok(Err(status)) => {
                    return Err(TemporalError::Call {
                        call: name,
                        schedule: schedule.to_string(),
                        code: status.code(),
                        message: status.message().to_string(),
                    });
                }
                Err(_) if attempt < ATTEMPTS => {
                    tracing::warn!(call = name, schedule, attempt, "timed out; retrying");
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
            delay = (delay * 2).min(Duration::from_secs(5));
        }
        unreachable!("the last attempt returns")
    }

    /// Every schedule of the namespace, one paginated ListSchedules (memo, search attributes,
    /// paused state and calendars come back).
    pub async fn list(&self) -> Result<BTreeMap<String, ActualSchedule>, TemporalError> {
        let mut out = BTreeMap::new();
        let mut token = Vec::new();
        loop {
            let request = ListSchedulesRequest {
                namespace: self.namespace.clone(),
                maximum_page_size: PAGE_SIZE,
                next_page_token: token.clone(),
                query: String::new(),
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
                    if let Some(spec) = &info.spec {
                        let (calendars, timezone, jitter_seconds) =
                            convert::calendars_from_spec(spec);
                        actual.listed = Some(ListedSpec {
                            calendars,
                            timezone,
                            jitter_seconds,
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
    if let Some(spec) = &schedule.spec {
        let (calendars, timezone, jitter_seconds) = convert::calendars_from_spec(spec);
        actual.listed = Some(ListedSpec {
            calendars,
            timezone,
            jitter_seconds,
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

fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_else(|_| "unknown".into())
}
