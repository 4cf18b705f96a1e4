//! Where a run's results go besides stdout (SPEC §8): the report webhook with its outbox
//! ([`ReportSink`]), and the HTTP tries it shares with the Pushgateway ([`http`]). A sink
//! failure never fails a run: it is counted and shown.

mod backoff;
pub mod http;
mod report_sink;
mod secret;

pub use backoff::Backoff;
pub use report_sink::{AUTHORIZATION_ENV, Delivery, ReportSink};
pub use secret::Secret;
