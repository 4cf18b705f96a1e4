//! Metrics of a batch job (SPEC §8), the way Prometheus users run them: `--metrics-file`
//! (the text format, for node-exporter's textfile collector or a sidecar) and
//! `--metrics-push` (a Pushgateway, grouped by job and scope). A [`MetricSet`] takes any
//! gauges (a run's are [`RunFigures`]; other commands add their own), and [`MetricsSink`]
//! writes and pushes it. A failure never fails the run: it is logged and shown.

mod audit_figures;
mod metric_set;
pub mod pushgateway;
mod run_figures;
pub mod textfile;

use std::path::PathBuf;

use serde::Serialize;

pub use audit_figures::AuditFigures;
pub use metric_set::{MetricSet, PREFIX};
pub use run_figures::RunFigures;

/// Where the metrics go.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MetricsSink {
    pub file: Option<PathBuf>,
    /// The Pushgateway's base URL.
    pub push: Option<String>,
}

/// What became of the metrics: the `"metrics"` object of the JSON output.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Exported {
    /// `--metrics-file` was written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file_written: Option<bool>,
    /// `--metrics-push` was answered 2xx.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pushed: Option<bool>,
    pub errors: Vec<String>,
}

impl MetricsSink {
    pub fn is_empty(&self) -> bool {
        self.file.is_none() && self.push.is_none()
    }

    /// Writes and pushes the gauges `add` sets for `scope` (with a `scope` label in the
    /// file; on the Pushgateway the grouping key carries it).
    pub async fn export(&self, scope: &str, add: impl Fn(&mut MetricSet)) -> Exported {
        let mut exported = Exported::default();
        if let Some(path) = &self.file {
            let mut set = MetricSet::new(&[("scope", scope)]);
            add(&mut set);
            let written = textfile::write_atomically(path, &set.encode());
            exported.file_written = Some(written.is_ok());
            if let Err(e) = written {
                tracing::warn!(error = %e, "cannot write the metrics file");
                exported.errors.push(e);
            }
        }
        if let Some(base) = &self.push {
            let mut set = MetricSet::new(&[]);
            add(&mut set);
            let pushed = pushgateway::push(base, scope, &set.encode()).await;
            exported.pushed = Some(pushed.is_ok());
            if let Err(e) = pushed {
                tracing::warn!(error = %e, "cannot push the metrics");
                exported.errors.push(e);
            }
        }
        exported
    }
}
