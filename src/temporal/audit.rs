//! What `audit` asks Temporal: a schedule's own record (DescribeSchedule `info`) and the
//! workflows it started (ListWorkflowExecutions by `TemporalScheduledById`), through the same
//! timeouts, retries and circuit breaker as every other call.

use chrono::{DateTime, Utc};
use temporalio_client::grpc::WorkflowService;
use temporalio_client::tonic::{Code, IntoRequest};
use temporalio_common::protos::temporal::api::enums::v1::WorkflowExecutionStatus;
use temporalio_common::protos::temporal::api::workflow::v1::WorkflowExecutionInfo;
use temporalio_common::protos::temporal::api::workflowservice::v1::{
    DescribeNamespaceRequest, DescribeScheduleRequest, ListWorkflowExecutionsRequest,
};

use super::{PAGE_SIZE, Temporal, TemporalError, convert};
use crate::audit::{Execution, RecentAction, RunStatus, ScheduleHistory};

/// The search attributes Temporal sets on every workflow a schedule starts.
const SCHEDULED_BY: &str = "TemporalScheduledById";
const SCHEDULED_START: &str = "TemporalScheduledStartTime";

fn instant(ts: Option<&prost_wkt_types::Timestamp>) -> Option<DateTime<Utc>> {
    let ts = ts?;
    DateTime::from_timestamp(ts.seconds, u32::try_from(ts.nanos).ok()?)
}

fn run_status(value: i32) -> RunStatus {
    match WorkflowExecutionStatus::try_from(value) {
        Ok(WorkflowExecutionStatus::Running) => RunStatus::Running,
        Ok(WorkflowExecutionStatus::Completed) => RunStatus::Completed,
        Ok(WorkflowExecutionStatus::Failed) => RunStatus::Failed,
        Ok(WorkflowExecutionStatus::Canceled) => RunStatus::Canceled,
        Ok(WorkflowExecutionStatus::Terminated) => RunStatus::Terminated,
        Ok(WorkflowExecutionStatus::ContinuedAsNew) => RunStatus::ContinuedAsNew,
        Ok(WorkflowExecutionStatus::TimedOut) => RunStatus::TimedOut,
        _ => RunStatus::Unknown,
    }
}

/// RFC 3339 in UTC with a `Z`, as visibility queries compare datetimes.
fn query_time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn execution(info: &WorkflowExecutionInfo) -> Option<Execution> {
    let run = info.execution.as_ref()?;
    let scheduled_for = info
        .search_attributes
        .as_ref()
        .and_then(|a| a.indexed_fields.get(SCHEDULED_START))
        .and_then(convert::payload_string)
        .and_then(|s| DateTime::parse_from_rfc3339(&s).ok())?
        .with_timezone(&Utc);
    Some(Execution {
        workflow_id: run.workflow_id.clone(),
        run_id: run.run_id.clone(),
        scheduled_for,
        start_time: instant(info.start_time.as_ref()),
        close_time: instant(info.close_time.as_ref()),
        status: run_status(info.status),
    })
}

impl Temporal {
    /// How long the namespace keeps closed workflows (visibility forgets older fires); `None`
    /// when it does not say.
    pub async fn retention(&self) -> Result<Option<std::time::Duration>, TemporalError> {
        let request = DescribeNamespaceRequest {
            namespace: self.namespace.clone(),
            ..Default::default()
        };
        let response = self
            .call("DescribeNamespace", "*", &self.calls.describe, |mut c| {
                let request = request.clone();
                async move {
                    WorkflowService::describe_namespace(&mut c, request.into_request()).await
                }
            })
            .await?
            .into_inner();
        Ok(response
            .config
            .and_then(|c| c.workflow_execution_retention_ttl)
            .and_then(|d| u64::try_from(d.seconds).ok())
            .filter(|s| *s > 0)
            .map(std::time::Duration::from_secs))
    }

    /// The schedule's record; `None` when it does not exist.
    pub async fn schedule_history(
        &self,
        schedule_id: &str,
    ) -> Result<Option<ScheduleHistory>, TemporalError> {
        let request = DescribeScheduleRequest {
            namespace: self.namespace.clone(),
            schedule_id: schedule_id.to_string(),
        };
        let response = match self
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
            .await
        {
            Ok(r) => r.into_inner(),
            Err(e) if e.code() == Some(Code::NotFound) => return Ok(None),
            Err(e) => return Err(e),
        };
        let state = response
            .schedule
            .as_ref()
            .and_then(|s| s.state.clone())
            .unwrap_or_default();
        let info = response.info.unwrap_or_default();
        Ok(Some(ScheduleHistory {
            paused: state.paused,
            notes: state.notes,
            create_time: instant(info.create_time.as_ref()),
            update_time: instant(info.update_time.as_ref()),
            action_count: info.action_count,
            missed_catchup_window: info.missed_catchup_window,
            overlap_skipped: info.overlap_skipped,
            buffer_dropped: info.buffer_dropped,
            recent_actions: info
                .recent_actions
                .iter()
                .filter_map(|a| {
                    let started = a.start_workflow_result.as_ref()?;
                    Some(RecentAction {
                        schedule_time: instant(a.schedule_time.as_ref())?,
                        workflow_id: started.workflow_id.clone(),
                        run_id: started.run_id.clone(),
                        status: run_status(a.start_workflow_status),
                    })
                })
                .collect(),
            future_action_times: info
                .future_action_times
                .iter()
                .filter_map(|t| instant(Some(t)))
                .collect(),
        }))
    }

    /// Every workflow the schedule started with a nominal time at or after `from` (one
    /// paginated ListWorkflowExecutions; visibility is eventually consistent, so a start of the
    /// last seconds may be missing: the schedule's recent actions cover it).
    pub async fn scheduled_executions(
        &self,
        schedule_id: &str,
        from: DateTime<Utc>,
    ) -> Result<Vec<Execution>, TemporalError> {
        // Schedule ids are `activity-schedule-{uuid}`; quotes are refused, never escaped.
        if schedule_id.contains(['\'', '"', '\\']) {
            return Err(TemporalError::Call {
                call: "ListWorkflowExecutions",
                schedule: schedule_id.to_string(),
                code: Code::InvalidArgument,
                message: "a schedule id with quotes cannot be queried".into(),
            });
        }
        let query = format!(
            "{SCHEDULED_BY} = '{schedule_id}' AND {SCHEDULED_START} >= '{}'",
            query_time(from)
        );
        let mut out = Vec::new();
        let mut token = Vec::new();
        loop {
            let request = ListWorkflowExecutionsRequest {
                namespace: self.namespace.clone(),
                page_size: PAGE_SIZE,
                next_page_token: token.clone(),
                query: query.clone(),
            };
            let page = self
                .call(
                    "ListWorkflowExecutions",
                    schedule_id,
                    &self.calls.list,
                    |mut c| {
                        let request = request.clone();
                        async move {
                            WorkflowService::list_workflow_executions(
                                &mut c,
                                request.into_request(),
                            )
                            .await
                        }
                    },
                )
                .await?
                .into_inner();
            out.extend(page.executions.iter().filter_map(execution));
            if page.next_page_token.is_empty() {
                return Ok(out);
            }
            token = page.next_page_token;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_and_times() {
        assert_eq!(run_status(2), RunStatus::Completed);
        assert_eq!(run_status(3), RunStatus::Failed);
        assert_eq!(run_status(7), RunStatus::TimedOut);
        assert_eq!(run_status(0), RunStatus::Unknown);
        let t = DateTime::parse_from_rfc3339("2026-12-07T10:01:00.5+01:00")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(query_time(t), "2026-12-07T09:01:00Z");
    }
}
