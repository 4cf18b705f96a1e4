//! `--metrics-push`: the exposition sent to a Prometheus Pushgateway, grouped by job
//! (`activity_sync`) and scope. POST replaces only the metrics it names, so a run that
//! cannot tell the last success leaves the one already there.

use reqwest::Method;
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderValue};

use crate::redact::redact;
use crate::sink::Backoff;
use crate::sink::http::{self, Request, Sent};

/// The group's URL: `{base}/metrics/job/activity_sync/scope/{scope}` (a scope is letters,
/// digits, `.`, `_` and `-`, or `*` for `--schedules-from database --scope '*'`, which a
/// URL path takes as it is: nothing to escape).
pub fn group_url(base: &str, scope: &str) -> String {
    format!(
        "{}/metrics/job/activity_sync/scope/{scope}",
        base.trim_end_matches('/')
    )
}

/// Pushes `text` to the group of `scope`, retried briefly.
pub async fn push(base: &str, scope: &str, text: &str) -> Result<(), String> {
    let url = group_url(base, scope);
    let client = http::client()?;
    let mut headers = HeaderMap::new();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    let request = Request {
        method: Method::POST,
        url: &url,
        headers,
        body: text,
    };
    match http::send(&client, &request, &Backoff::metrics()).await {
        Sent { result: Ok(_), .. } => Ok(()),
        Sent {
            result: Err(e),
            attempts,
        } => Err(redact(&format!(
            "cannot push the metrics ({attempts} tries): {e}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_url_is_job_then_scope() {
        assert_eq!(
            group_url("http://pgw:9091/", "ops"),
            "http://pgw:9091/metrics/job/activity_sync/scope/ops"
        );
        assert_eq!(
            group_url("http://pgw:9091", "a.b-c"),
            "http://pgw:9091/metrics/job/activity_sync/scope/a.b-c"
        );
    }
}
