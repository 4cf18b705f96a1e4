//! What became of a run's results beyond stdout: its id (the `sync_runs` row and the
//! report's idempotency key), the report's delivery and the metrics. Printed with the
//! report; the report POSTed to `--report-url` is the JSON before the delivery is known.

use crate::metrics::Exported;
use crate::sink::Delivery;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Published {
    /// The `sync_runs` id of the run (also when it could not be recorded).
    pub run_id: Option<String>,
    /// `--report-url`.
    pub report: Option<Delivery>,
    /// `--metrics-file` / `--metrics-push`.
    pub metrics: Option<Exported>,
}
