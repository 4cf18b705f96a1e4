//! The figures of one `apply` (or `plan`) run, as gauges (docs/operations.md lists them).

use chrono::{DateTime, Utc};

use super::MetricSet;
use crate::plan::{ScheduleCounts, TableCounts};
use crate::report::Outcome;

/// Every outcome, so each run sets all of `activity_sync_outcome` (one at 1, the rest 0)
/// and a dashboard never sees a stale 1 left by an earlier run.
const OUTCOMES: [Outcome; 6] = [
    Outcome::Success,
    Outcome::Refused,
    Outcome::Invalid,
    Outcome::LockSkipped,
    Outcome::Failed,
    Outcome::Conflict,
];

/// What the metrics of one run say: plain data, built from the report after it was
/// recorded and delivered.
#[derive(Debug, Clone, PartialEq)]
pub struct RunFigures {
    pub outcome: Outcome,
    pub exit_code: u8,
    pub finished_at: DateTime<Utc>,
    pub duration_seconds: f64,
    /// The last `apply` of the scope that succeeded, this one included; `None` when unknown
    /// (then the series is left out rather than set to 0).
    pub last_success: Option<DateTime<Utc>>,
    pub definitions: TableCounts,
    pub event_types: TableCounts,
    pub schedules: ScheduleCounts,
    pub automation_errors: usize,
    pub definition_errors: usize,
    pub lock_skipped: bool,
    /// `--report-url`: whether this run's report was delivered.
    pub report_delivered: Option<bool>,
    /// `--report-url`: reports of the scope waiting in the outbox, when known.
    pub outbox_pending: Option<i64>,
}

/// Unix time in seconds, as Prometheus timestamps are written.
pub(super) fn seconds(t: DateTime<Utc>) -> f64 {
    t.timestamp_millis() as f64 / 1000.0
}

fn flag(b: bool) -> f64 {
    if b { 1.0 } else { 0.0 }
}

impl RunFigures {
    /// Adds the run's gauges to `set`.
    pub fn add_to(&self, set: &mut MetricSet) {
        if let Some(at) = self.last_success {
            set.gauge(
                "last_success_timestamp_seconds",
                "When an apply of the scope last succeeded (Unix time)",
                &[],
                seconds(at),
            );
        }
        set.gauge(
            "last_run_timestamp_seconds",
            "When the last run of the scope finished (Unix time), whatever its outcome",
            &[],
            seconds(self.finished_at),
        );
        set.gauge(
            "run_duration_seconds",
            "How long the last run took",
            &[],
            self.duration_seconds,
        );
        for outcome in OUTCOMES {
            set.gauge(
                "outcome",
                "The outcome of the last run: 1 for the one it had, 0 for the others",
                &[("outcome", outcome.as_str())],
                flag(outcome == self.outcome),
            );
        }
        set.gauge(
            "exit_code",
            "The exit code of the last run (0 success, 1 automation error, 3 refused, 4 invalid)",
            &[],
            f64::from(self.exit_code),
        );
        let d = &self.definitions;
        for (action, n) in [
            ("created", d.created),
            ("updated", d.updated),
            ("retired", d.retired),
            ("unchanged", d.unchanged),
            ("unmanaged", d.unmanaged),
            ("invalid", d.invalid.unwrap_or(0)),
        ] {
            set.gauge(
                "definitions",
                "Activity definitions by what the last run did to them",
                &[("action", action)],
                n as f64,
            );
        }
        let e = &self.event_types;
        for (action, n) in [
            ("created", e.created),
            ("updated", e.updated),
            ("retired", e.retired),
            ("unchanged", e.unchanged),
            ("unmanaged", e.unmanaged),
        ] {
            set.gauge(
                "event_types",
                "Event types by what the last run did to them",
                &[("action", action)],
                n as f64,
            );
        }
        let s = &self.schedules;
        for (action, n) in [
            ("created", s.created),
            ("updated", s.updated),
            ("paused", s.paused),
            ("unpaused", s.unpaused),
            ("deleted", s.deleted),
            ("unchanged", s.unchanged),
            ("unmanaged", s.unmanaged),
        ] {
            set.gauge(
                "schedules",
                "Temporal schedules by what the last run did to them",
                &[("action", action)],
                n as f64,
            );
        }
        for (state, n) in [("active", s.active), ("paused", s.paused_total)] {
            set.gauge(
                "managed_schedules",
                "The scope's managed schedules after the last run, running or paused",
                &[("state", state)],
                n as f64,
            );
        }
        for (kind, n) in [
            ("automation", self.automation_errors),
            ("definition", self.definition_errors),
        ] {
            set.gauge(
                "errors",
                "Errors of the last run: automation (a source, the database or Temporal failed) or definition (an invalid or conflicting file)",
                &[("kind", kind)],
                n as f64,
            );
        }
        set.gauge(
            "invalid_definitions",
            "Definition files the last run found invalid (left as they were)",
            &[],
            d.invalid.unwrap_or(0) as f64,
        );
        set.gauge(
            "lock_skipped",
            "1 when the last run found another run holding the scope and wrote nothing",
            &[],
            flag(self.lock_skipped),
        );
        if let Some(delivered) = self.report_delivered {
            set.gauge(
                "report_delivered",
                "1 when the last run's report reached --report-url",
                &[],
                flag(delivered),
            );
        }
        if let Some(pending) = self.outbox_pending {
            set.gauge(
                "report_outbox_pending",
                "Reports of the scope waiting in the outbox for a later run to deliver",
                &[],
                pending as f64,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn sample() -> RunFigures {
        RunFigures {
            outcome: Outcome::Success,
            exit_code: 0,
            finished_at: at("2026-03-20T12:00:01.5Z"),
            duration_seconds: 1.25,
            last_success: Some(at("2026-03-20T12:00:01.5Z")),
            definitions: TableCounts {
                created: 2,
                updated: 1,
                retired: 0,
                unchanged: 4,
                upserted: 3,
                unmanaged: 0,
                invalid: Some(1),
            },
            event_types: TableCounts::default(),
            schedules: ScheduleCounts {
                created: 2,
                paused: 1,
                unchanged: 3,
                ..ScheduleCounts::default()
            },
            automation_errors: 0,
            definition_errors: 1,
            lock_skipped: false,
            report_delivered: Some(true),
            outbox_pending: Some(0),
        }
    }

    /// The whole exposition of a run, byte for byte: names, help, labels and values are
    /// what dashboards and alerts are written against.
    #[test]
    fn golden_textfile() {
        let mut set = MetricSet::new(&[("scope", "ops")]);
        sample().add_to(&mut set);
        insta::assert_snapshot!(set.encode());
    }

    #[test]
    fn an_unknown_last_success_is_left_out_not_zero() {
        let mut figures = sample();
        figures.last_success = None;
        figures.outcome = Outcome::Failed;
        let mut set = MetricSet::new(&[]);
        figures.add_to(&mut set);
        let text = set.encode();
        assert!(!text.contains("last_success"), "{text}");
        assert!(
            text.contains("activity_sync_outcome{outcome=\"failed\"} 1.0"),
            "{text}"
        );
        assert!(
            text.contains("activity_sync_outcome{outcome=\"success\"} 0.0"),
            "{text}"
        );
    }
}
