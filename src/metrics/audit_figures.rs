//! The figures of one `audit`, as gauges (docs/operations.md lists them). Their names are
//! their own (`activity_sync_audit_*`), so an audit pushed to the Pushgateway group of its
//! scope (a POST replaces only the metrics it names) stands beside the apply's figures.

use chrono::{DateTime, Utc};

use super::MetricSet;
use super::run_figures::seconds;
use crate::audit::AuditReport;

/// What the metrics of one audit say.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditFigures {
    pub fires: Vec<(&'static str, usize)>,
    pub schedules: usize,
    pub errors: usize,
    pub exit_code: u8,
    pub finished_at: DateTime<Utc>,
}

impl AuditFigures {
    pub fn of(report: &AuditReport, exit_code: u8, finished_at: DateTime<Utc>) -> AuditFigures {
        let c = &report.counts;
        AuditFigures {
            fires: vec![
                ("ok", c.ok),
                ("running", c.running),
                ("failed", c.failed),
                ("skipped", c.skipped),
                ("missed", c.missed),
                ("extra", c.extra),
            ],
            schedules: report.schedules.len(),
            errors: report.errors.len(),
            exit_code,
            finished_at,
        }
    }

    /// Adds the audit's gauges to `set`.
    pub fn add_to(&self, set: &mut MetricSet) {
        for (status, n) in &self.fires {
            set.gauge(
                "audit_fires",
                "Fires due in the last audit's window, by what became of them",
                &[("status", status)],
                *n as f64,
            );
        }
        set.gauge(
            "audit_schedules",
            "Schedules the last audit judged",
            &[],
            self.schedules as f64,
        );
        set.gauge(
            "audit_errors",
            "Automation errors of the last audit (the database or Temporal failed)",
            &[],
            self.errors as f64,
        );
        set.gauge(
            "audit_exit_code",
            "The exit code of the last audit (0 all ran, 5 a fire missed or failed, 1 automation error)",
            &[],
            f64::from(self.exit_code),
        );
        set.gauge(
            "audit_last_run_timestamp_seconds",
            "When the last audit finished (Unix time)",
            &[],
            seconds(self.finished_at),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_is_set_and_names_are_the_audits_own() {
        let figures = AuditFigures {
            fires: vec![
                ("ok", 3),
                ("running", 0),
                ("failed", 1),
                ("skipped", 0),
                ("missed", 2),
                ("extra", 0),
            ],
            schedules: 4,
            errors: 0,
            exit_code: 5,
            finished_at: DateTime::from_timestamp(1_790_000_000, 0).unwrap(),
        };
        let mut set = MetricSet::new(&[("scope", "ops")]);
        figures.add_to(&mut set);
        let text = set.encode();
        assert!(
            text.contains("activity_sync_audit_fires{scope=\"ops\",status=\"missed\"} 2"),
            "{text}"
        );
        assert!(
            text.contains("activity_sync_audit_fires{scope=\"ops\",status=\"running\"} 0"),
            "{text}"
        );
        assert!(
            text.contains("activity_sync_audit_exit_code{scope=\"ops\"} 5"),
            "{text}"
        );
        assert!(
            text.contains(
                "activity_sync_audit_last_run_timestamp_seconds{scope=\"ops\"} 1790000000"
            ),
            "{text}"
        );
        assert!(!text.contains("activity_sync_outcome"), "{text}");
    }
}
