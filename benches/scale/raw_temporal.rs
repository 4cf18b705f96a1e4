//! The server's own pace, without activity-sync: raw `WorkflowService` calls through
//! temporalio-client with the request activity-sync sends (`convert::schedule_to_proto`,
//! its memo and search attributes), many in flight. Also the bench's own list, to wait
//! until the server's list shows what was written (Temporal's visibility is eventually
//! consistent) before the next step is timed.

use std::collections::BTreeMap;
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use activity_sync::schedule::actual::ActualSchedule;
use activity_sync::schedule::calendar::Calendar;
use activity_sync::schedule::desired::DesiredSchedule;
use activity_sync::temporal::convert;
use futures_util::StreamExt;
use temporalio_client::grpc::WorkflowService;
use temporalio_client::tonic::{Code, IntoRequest, Status};
use temporalio_client::{Client, ClientOptions, Connection, ConnectionOptions, Url};
use temporalio_common::protos::temporal::api::workflowservice::v1::{
    CreateScheduleRequest, DeleteScheduleRequest, ListSchedulesRequest, UpdateScheduleRequest,
};

const NAMESPACE: &str = "default";
/// Attempts of one call the server throttles (`ResourceExhausted`), cannot take now
/// (`Unavailable`) or gave up on (`Cancelled`, `DeadlineExceeded`: seen once in 8,500
/// creates on a loaded machine).
const ATTEMPTS: u32 = 20;

pub struct Raw {
    client: Client,
    /// Calls the server pushed back on (retried).
    pub retried: AtomicU64,
}

/// How a burst of calls went.
pub struct Burst {
    pub calls: usize,
    pub wall: Duration,
    pub failed: usize,
    pub first_error: Option<String>,
}

impl Burst {
    pub fn per_second(&self) -> f64 {
        self.calls as f64 / self.wall.as_secs_f64()
    }
}

/// A schedule as the list shows it: what the bench compares with what it wrote.
pub struct Listed {
    /// The memo's scope.
    scope: Option<String>,
    /// The `ActivitySyncSpecHash` search attribute.
    spec_hash: Option<String>,
    paused: bool,
    /// Calendars, time zone and jitter.
    spec: Option<(Vec<Calendar>, String, u64)>,
}

impl Raw {
    pub async fn connect(address: &str) -> Raw {
        let url = Url::from_str(&format!("http://{address}")).unwrap();
        let mut options = ConnectionOptions::new(url)
            .identity("activity-sync-scale-bench".to_string())
            .build();
        // The retries are ours (counted), as activity-sync's are.
        options.retry_options = temporalio_client::RetryOptions::no_retries();
        let connection = Connection::connect(options)
            .await
            .expect("the bench connects to Temporal");
        let client = Client::new(
            connection,
            ClientOptions::new(NAMESPACE.to_string()).build(),
        )
        .unwrap();
        Raw {
            client,
            retried: AtomicU64::new(0),
        }
    }

    /// One call, retried while the server pushes back.
    async fn call<T, F, Fut>(&self, mut rpc: F) -> Result<T, Status>
    where
        F: FnMut(Client) -> Fut,
        Fut: std::future::Future<Output = Result<T, Status>>,
    {
        let mut attempt = 1;
        loop {
            match rpc(self.client.clone()).await {
                Err(s)
                    if attempt < ATTEMPTS
                        && matches!(
                            s.code(),
                            Code::ResourceExhausted
                                | Code::Unavailable
                                | Code::Cancelled
                                | Code::DeadlineExceeded
                        ) =>
                {
                    self.retried.fetch_add(1, Ordering::Relaxed);
                    // The dev server's persistence rate limit ("System Persistence Max QPS
                    // Reached") can take seconds to refill after a list of 10,000: back off.
                    let pause =
                        Duration::from_millis(50 * u64::from(attempt)).min(Duration::from_secs(1));
                    tokio::time::sleep(pause).await;
                    attempt += 1;
                }
                other => return other,
            }
        }
    }

    /// `calls` run `inflight` at a time; timed from the first sent to the last answered.
    async fn burst<Fut>(&self, calls: Vec<Fut>, inflight: usize) -> Burst
    where
        Fut: std::future::Future<Output = Result<(), Status>>,
    {
        let count = calls.len();
        let start = Instant::now();
        let results: Vec<Result<(), Status>> = futures_util::stream::iter(calls)
            .buffer_unordered(inflight)
            .collect()
            .await;
        let wall = start.elapsed();
        let errors: Vec<&Status> = results.iter().filter_map(|r| r.as_ref().err()).collect();
        Burst {
            calls: count,
            wall,
            failed: errors.len(),
            first_error: errors
                .first()
                .map(|s| format!("{:?}: {}", s.code(), s.message())),
        }
    }

    /// CreateSchedule of each schedule, as activity-sync sends it for `scope` (search
    /// attributes only where the namespace has them).
    pub async fn create(
        &self,
        scope: &str,
        schedules: &[DesiredSchedule],
        attributes: bool,
        inflight: usize,
    ) -> Burst {
        let calls = schedules
            .iter()
            .map(|s| {
                let request = CreateScheduleRequest {
                    namespace: NAMESPACE.to_string(),
                    schedule_id: s.schedule_id.clone(),
                    schedule: Some(convert::schedule_to_proto(s, "created by the scale bench")),
                    identity: "activity-sync-scale-bench".to_string(),
                    request_id: uuid::Uuid::new_v4().to_string(),
                    memo: Some(convert::memo(scope, s.definition_id)),
                    search_attributes: attributes
                        .then(|| convert::search_attributes(scope, &s.spec_hash)),
                    ..Default::default()
                };
                async move {
                    self.call(|mut c| {
                        let request = request.clone();
                        async move {
                            WorkflowService::create_schedule(&mut c, request.into_request()).await
                        }
                    })
                    .await
                    .map(|_| ())
                    // Every id is new: it exists only when an attempt the server gave up on
                    // went through after all.
                    .or_else(|s| {
                        if s.code() == Code::AlreadyExists {
                            Ok(())
                        } else {
                            Err(s)
                        }
                    })
                }
            })
            .collect();
        self.burst(calls, inflight).await
    }

    /// UpdateSchedule of each (the whole schedule, new notes, no conflict token).
    pub async fn update(
        &self,
        scope: &str,
        schedules: &[DesiredSchedule],
        attributes: bool,
        inflight: usize,
    ) -> Burst {
        let calls = schedules
            .iter()
            .map(|s| {
                let request = UpdateScheduleRequest {
                    namespace: NAMESPACE.to_string(),
                    schedule_id: s.schedule_id.clone(),
                    schedule: Some(convert::schedule_to_proto(s, "updated by the scale bench")),
                    identity: "activity-sync-scale-bench".to_string(),
                    request_id: uuid::Uuid::new_v4().to_string(),
                    search_attributes: attributes
                        .then(|| convert::search_attributes(scope, &s.spec_hash)),
                    ..Default::default()
                };
                async move {
                    self.call(|mut c| {
                        let request = request.clone();
                        async move {
                            WorkflowService::update_schedule(&mut c, request.into_request()).await
                        }
                    })
                    .await
                    .map(|_| ())
                }
            })
            .collect();
        self.burst(calls, inflight).await
    }

    pub async fn delete(&self, schedule_ids: &[String], inflight: usize) -> Burst {
        let calls = schedule_ids
            .iter()
            .map(|id| {
                let request = DeleteScheduleRequest {
                    namespace: NAMESPACE.to_string(),
                    schedule_id: id.clone(),
                    identity: "activity-sync-scale-bench".to_string(),
                };
                async move {
                    self.call(|mut c| {
                        let request = request.clone();
                        async move {
                            WorkflowService::delete_schedule(&mut c, request.into_request()).await
                        }
                    })
                    .await
                    .map(|_| ())
                    // Gone already: an attempt the server gave up on went through.
                    .or_else(|s| {
                        if s.code() == Code::NotFound {
                            Ok(())
                        } else {
                            Err(s)
                        }
                    })
                }
            })
            .collect();
        self.burst(calls, inflight).await
    }

    /// Every schedule of the namespace as the list shows it.
    pub async fn list(&self) -> BTreeMap<String, Listed> {
        let mut out = BTreeMap::new();
        let mut token = Vec::new();
        loop {
            let request = ListSchedulesRequest {
                namespace: NAMESPACE.to_string(),
                maximum_page_size: 1000,
                next_page_token: token.clone(),
                query: String::new(),
            };
            let page = self
                .call(|mut c| {
                    let request = request.clone();
                    async move { WorkflowService::list_schedules(&mut c, request.into_request()).await }
                })
                .await
                .expect("the bench lists schedules")
                .into_inner();
            for entry in page.schedules {
                let mut marker = ActualSchedule::default();
                convert::marker(
                    &mut marker,
                    entry.memo.as_ref(),
                    entry.search_attributes.as_ref(),
                );
                let info = entry.info.unwrap_or_default();
                let spec = info.spec.as_ref().map(convert::calendars_from_spec);
                out.insert(
                    entry.schedule_id,
                    Listed {
                        scope: marker.memo_scope,
                        spec_hash: marker.spec_hash,
                        paused: info.paused,
                        spec,
                    },
                );
            }
            if page.next_page_token.is_empty() {
                return out;
            }
            token = page.next_page_token;
        }
    }

    /// Waits (up to `limit`) until the list shows each schedule of `scope` as written:
    /// present, paused as wanted, with its calendars, zone and jitter (and its spec hash
    /// where the namespace has the attributes), and no other schedule of the scope. Returns
    /// the first difference still seen when it gives up.
    pub async fn settle(
        &self,
        scope: &str,
        want: &[DesiredSchedule],
        attributes: bool,
        limit: Duration,
    ) -> Result<Duration, String> {
        let start = Instant::now();
        loop {
            let listed = self.list().await;
            let difference = difference(scope, want, attributes, &listed);
            match difference {
                None => return Ok(start.elapsed()),
                Some(d) if start.elapsed() > limit => return Err(d),
                Some(_) => tokio::time::sleep(Duration::from_millis(250)).await,
            }
        }
    }

    /// Waits until the namespace lists `count` schedules in all.
    pub async fn settle_count(&self, count: usize, limit: Duration) -> Result<(), usize> {
        let start = Instant::now();
        loop {
            let listed = self.list().await.len();
            if listed == count {
                return Ok(());
            }
            if start.elapsed() > limit {
                return Err(listed);
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }
}

fn difference(
    scope: &str,
    want: &[DesiredSchedule],
    attributes: bool,
    listed: &BTreeMap<String, Listed>,
) -> Option<String> {
    let mine = listed
        .values()
        .filter(|a| a.scope.as_deref() == Some(scope))
        .count();
    if mine != want.len() {
        return Some(format!(
            "the list shows {mine} schedules of `{scope}`, {} wanted",
            want.len()
        ));
    }
    for w in want {
        let Some(a) = listed.get(&w.schedule_id) else {
            return Some(format!("`{}` is not listed", w.schedule_id));
        };
        if a.paused != w.paused {
            return Some(format!("`{}`: paused {} listed", w.schedule_id, a.paused));
        }
        if attributes && a.spec_hash.as_deref() != Some(w.spec_hash.as_str()) {
            return Some(format!("`{}`: an older spec hash listed", w.schedule_id));
        }
        if let Some((calendars, timezone, jitter_seconds)) = &a.spec
            && (*calendars != w.shape.calendars
                || *timezone != w.shape.timezone
                || *jitter_seconds != w.shape.jitter_seconds)
        {
            return Some(format!("`{}`: an older spec listed", w.schedule_id));
        }
    }
    None
}
