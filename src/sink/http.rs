//! One HTTP request, tried until it is answered 2xx, the answer says a retry cannot help,
//! or the backoff's budget is spent.

use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::{Client, Method, StatusCode};
use tokio::time::Instant;

use super::Backoff;
use crate::redact::redact;

/// The HTTP client of the sinks: rustls (the same ring provider as the database and
/// Temporal), the system's roots, no redirects (a redirected POST would turn into a GET and
/// carry the authorization header elsewhere).
pub fn client() -> Result<Client, String> {
    Client::builder()
        .use_rustls_tls()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(5))
        .user_agent(concat!("activity-sync/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| format!("cannot build the HTTP client: {}", cause(&e)))
}

/// What to send.
#[derive(Debug)]
pub struct Request<'a> {
    pub method: Method,
    /// Sent as given; printed only redacted.
    pub url: &'a str,
    pub headers: HeaderMap,
    pub body: &'a str,
}

/// How the tries ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    /// Tries made (at least 1 unless the request could not be built).
    pub attempts: u32,
    /// `Ok(status)` for a 2xx answer; the last failure otherwise (secrets redacted).
    pub result: Result<u16, String>,
}

impl Sent {
    pub fn ok(&self) -> bool {
        self.result.is_ok()
    }
}

/// A header value that `Debug` never shows (the authorization).
pub fn secret_header(value: &str) -> Result<HeaderValue, String> {
    let mut value = HeaderValue::from_str(value)
        .map_err(|_| "the authorization value is not a valid HTTP header value".to_string())?;
    value.set_sensitive(true);
    Ok(value)
}

pub fn header(name: &'static str, value: &str) -> Result<(HeaderName, HeaderValue), String> {
    let value = HeaderValue::from_str(value)
        .map_err(|_| format!("`{name}` is not a valid HTTP header value"))?;
    Ok((HeaderName::from_static(name), value))
}

/// Whether an answer is worth another try: timeouts, throttling and server errors.
pub fn retryable(status: StatusCode) -> bool {
    status.is_server_error()
        || status == StatusCode::REQUEST_TIMEOUT
        || status == StatusCode::TOO_MANY_REQUESTS
}

/// Sends `request` with retries under `backoff`.
pub async fn send(client: &Client, request: &Request<'_>, backoff: &Backoff) -> Sent {
    let started = Instant::now();
    let shown = redact(request.url);
    let mut attempts = 0;
    loop {
        attempts += 1;
        let limit = backoff.attempt_limit(started.elapsed());
        let answer = client
            .request(request.method.clone(), request.url)
            .headers(request.headers.clone())
            .body(request.body.to_string())
            .timeout(limit)
            .send()
            .await;
        let mut wait = None;
        let (retry, error) = match answer {
            Ok(response) if response.status().is_success() => {
                let status = response.status().as_u16();
                tracing::debug!(url = %shown, status, attempts, "delivered");
                return Sent {
                    attempts,
                    result: Ok(status),
                };
            }
            Ok(response) => {
                let status = response.status();
                wait = retry_after(response.headers());
                (retryable(status), format!("`{shown}` answered {status}"))
            }
            Err(e) => (true, format!("`{shown}`: {}", cause(&e))),
        };
        let error = redact(&error);
        tracing::debug!(attempts, retry, error = %error, "delivery failed");
        // A `Retry-After` longer than the pause is honoured while the budget allows.
        let next = backoff
            .next(attempts, started.elapsed(), fastrand::f64())
            .map(|pause| pause.max(wait.unwrap_or_default()))
            .filter(|pause| started.elapsed() + *pause < backoff.budget);
        match next {
            Some(pause) if retry => tokio::time::sleep(pause).await,
            _ => {
                return Sent {
                    attempts,
                    result: Err(error),
                };
            }
        }
    }
}

/// `Retry-After` in seconds (the HTTP-date form is not worth a clock here: ignored).
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?;
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

/// An error and its causes, without the URL reqwest puts in its message (the caller names
/// the redacted one) and each sentence once.
fn cause(error: &reqwest::Error) -> String {
    let kind = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "cannot connect"
    } else {
        "request failed"
    };
    let mut message = kind.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(s) = source {
        let text = s.to_string();
        if !message.contains(&text) {
            message = format!("{message}: {text}");
        }
        source = s.source();
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retryable_answers() {
        for code in [408, 429, 500, 502, 503, 504] {
            assert!(retryable(StatusCode::from_u16(code).unwrap()), "{code}");
        }
        for code in [200, 301, 400, 401, 403, 404, 409, 422] {
            assert!(!retryable(StatusCode::from_u16(code).unwrap()), "{code}");
        }
    }

    #[test]
    fn retry_after_in_seconds() {
        let mut headers = HeaderMap::new();
        assert_eq!(retry_after(&headers), None);
        headers.insert(reqwest::header::RETRY_AFTER, HeaderValue::from_static(" 3"));
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(3)));
        headers.insert(
            reqwest::header::RETRY_AFTER,
            HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        assert_eq!(retry_after(&headers), None);
    }
}
