//! `--report-url` (SPEC §8): a run's JSON report POSTed to a webhook, with an idempotency
//! key, retries within a time budget, and an outbox in the database for the reports the
//! endpoint did not take. Reusable by any command that has a JSON document and an id for it.
//!
//! Exactly once from the receiver's point of view: every try of a report carries the same
//! `Idempotency-Key` (the `sync_runs` id of the run that made it), a queued report is marked
//! sent only on a 2xx answer, and the outbox is delivered oldest first, before the run's own
//! report; a report whose answer was lost is sent again with the same key, which the
//! receiver uses to drop the copy.

use std::future::Future;
use std::time::Duration;

use chrono::Utc;
use reqwest::Method;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderValue};
use serde::Serialize;
use tokio::time::Instant;

use super::http::{self, Request, Sent};
use super::{Backoff, Secret};
use crate::redact::redact;
use crate::store::{OutboxEntry, Store};

/// The environment variable holding the whole `Authorization` header value.
pub const AUTHORIZATION_ENV: &str = "ACTIVITY_SYNC_REPORT_AUTHORIZATION";

/// Queued reports delivered by one run at most (the rest wait for the next).
const OUTBOX_BATCH: i64 = 100;

/// How long one outbox statement may take.
const DB_TIMEOUT: Duration = Duration::from_secs(10);

/// Where and how reports go.
#[derive(Debug, Clone)]
pub struct ReportSink {
    pub url: String,
    pub authorization: Option<Secret>,
    /// Time for the whole delivery: the outbox and this run's report, tries and pauses.
    pub budget: Duration,
}

/// What became of a run's report: the `"report"` object of the JSON output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Delivery {
    /// The endpoint, redacted.
    pub url: String,
    /// This run's report reached the endpoint (a 2xx answer).
    pub delivered: bool,
    /// Tries of this run's report.
    pub attempts: u32,
    /// This run's report waits in the outbox for a later run.
    pub queued: bool,
    /// Reports of earlier runs delivered from the outbox by this run.
    pub outbox_delivered: u32,
    /// Reports of the scope still in the outbox after this run (`None`: unknown, no
    /// database).
    pub outbox_pending: Option<i64>,
    pub error: Option<String>,
}

impl ReportSink {
    /// Delivers the outbox of `scope`, oldest first, then `body` under `key`; queues `body`
    /// when it was not delivered. Never fails: what happened is in the [`Delivery`].
    pub async fn deliver(
        &self,
        store: Option<&Store>,
        scope: &str,
        key: &str,
        body: &str,
    ) -> Delivery {
        let shown = redact(&self.url);
        let mut delivery = Delivery {
            url: shown.clone(),
            delivered: false,
            attempts: 0,
            queued: false,
            outbox_delivered: 0,
            outbox_pending: None,
            error: None,
        };
        let started = Instant::now();
        let outbox = match store {
            Some(store) => match db(store.has_outbox()).await {
                Ok(true) => Some(store),
                Ok(false) => None,
                Err(e) => {
                    tracing::warn!(error = %e, "cannot read the report outbox");
                    None
                }
            },
            None => None,
        };
        let client = match http::client() {
            Ok(client) => Some(client),
            Err(e) => {
                delivery.error = Some(e);
                None
            }
        };
        if let Some(client) = &client {
            let blocked = match outbox {
                Some(store) => {
                    self.flush(client, store, scope, started, &mut delivery)
                        .await
                }
                None => None,
            };
            match blocked {
                Some(why) => delivery.error = Some(why),
                None => {
                    let sent = self.send(client, key, body, started).await;
                    delivery.attempts = sent.attempts;
                    match sent.result {
                        Ok(_) => delivery.delivered = true,
                        Err(e) => delivery.error = Some(e),
                    }
                }
            }
        }
        if !delivery.delivered {
            let error = delivery.error.clone().unwrap_or_default();
            match outbox {
                Some(store) => {
                    let entry = OutboxEntry {
                        id: uuid::Uuid::new_v4().to_string(),
                        scope: scope.to_string(),
                        idempotency_key: key.to_string(),
                        url: shown.clone(),
                        body: body.to_string(),
                        created_at: Utc::now(),
                        attempts: i64::from(delivery.attempts),
                        last_error: Some(error.clone()),
                    };
                    match db(store.enqueue_report(&entry)).await {
                        Ok(()) => delivery.queued = true,
                        Err(e) => {
                            delivery.error = Some(format!("{error}; not queued: {e}"));
                        }
                    }
                }
                None => {
                    let why = if store.is_some() {
                        "the database has no outbox yet"
                    } else {
                        "no database reached"
                    };
                    delivery.error = Some(format!("{error}; not queued: {why}"));
                }
            }
            tracing::warn!(
                url = %shown,
                queued = delivery.queued,
                error = delivery.error.as_deref().unwrap_or(""),
                "the report was not delivered"
            );
        }
        if let Some(store) = outbox {
            delivery.outbox_pending = db(store.pending_report_count(scope)).await.ok();
        }
        delivery
    }

    /// Delivers the queued reports, oldest first; `Some(reason)` when one could not be (the
    /// later ones, this run's included, then wait behind it).
    async fn flush(
        &self,
        client: &reqwest::Client,
        store: &Store,
        scope: &str,
        started: Instant,
        delivery: &mut Delivery,
    ) -> Option<String> {
        let pending = match db(store.pending_reports(scope, OUTBOX_BATCH)).await {
            Ok(pending) => pending,
            Err(e) => return Some(format!("cannot read the report outbox: {e}")),
        };
        for entry in pending {
            let sent = self
                .send(client, &entry.idempotency_key, &entry.body, started)
                .await;
            let attempts = i64::from(sent.attempts);
            match &sent.result {
                Ok(_) => {
                    delivery.outbox_delivered += 1;
                    if let Err(e) =
                        db(store.mark_report_sent(&entry.id, attempts, Utc::now())).await
                    {
                        // Delivered again by the next run, under the same key.
                        tracing::warn!(error = %e, key = %entry.idempotency_key, "cannot mark a queued report sent");
                    }
                }
                Err(error) => {
                    if let Err(e) = db(store.mark_report_failed(&entry.id, attempts, error)).await {
                        tracing::warn!(error = %e, "cannot record a failed delivery in the outbox");
                    }
                    return Some(format!(
                        "a queued report (run {}) was not delivered: {error}",
                        entry.idempotency_key
                    ));
                }
            }
        }
        None
    }

    /// One report, tried within what is left of the budget.
    async fn send(
        &self,
        client: &reqwest::Client,
        key: &str,
        body: &str,
        started: Instant,
    ) -> Sent {
        let left = self.budget.saturating_sub(started.elapsed());
        if left.is_zero() {
            return Sent {
                attempts: 0,
                result: Err(format!(
                    "the report's time budget of {:?} was spent",
                    self.budget
                )),
            };
        }
        let headers = match self.headers(key) {
            Ok(headers) => headers,
            Err(e) => {
                return Sent {
                    attempts: 0,
                    result: Err(e),
                };
            }
        };
        let request = Request {
            method: Method::POST,
            url: &self.url,
            headers,
            body,
        };
        http::send(client, &request, &Backoff::report(left)).await
    }

    fn headers(&self, key: &str) -> Result<HeaderMap, String> {
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        let (name, value) = http::header("idempotency-key", key)?;
        headers.insert(name, value);
        if let Some(auth) = &self.authorization {
            headers.insert(AUTHORIZATION, http::secret_header(auth.expose())?);
        }
        Ok(headers)
    }
}

/// An outbox statement, bounded in time.
async fn db<T, E: std::fmt::Display>(
    work: impl Future<Output = Result<T, E>>,
) -> Result<T, String> {
    match tokio::time::timeout(DB_TIMEOUT, work).await {
        Ok(result) => result.map_err(|e| redact(&e.to_string())),
        Err(_) => Err(format!("no answer within {} s", DB_TIMEOUT.as_secs())),
    }
}
