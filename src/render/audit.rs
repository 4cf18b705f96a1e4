//! The audit (SPEC §8) as text for people, JSON for machines (the [`AuditReport`] as it is)
//! and Markdown for an issue or chat message. Long runs of fires with one verdict and one
//! reason (a schedule paused all day) are one line.

use std::fmt::Write;

use chrono::{DateTime, Utc};

use super::markdown;
use super::validation::plural;
use super::{Format, json_document};
use crate::audit::{AuditCounts, AuditReport, FireAudit, FireStatus, ScheduleAudit};
use crate::definition::text::escape_rendered;
use crate::report::Published;

/// The most problem lines shown per schedule in text and Markdown (JSON has every fire).
const LINES_PER_SCHEDULE: usize = 20;

pub fn render(report: &AuditReport, format: Format) -> String {
    render_with(report, format, &Published::default())
}

/// The audit as printed, with what became of its report (`--report-url`) and metrics: in
/// JSON as `run_id`, `report` and `metrics` beside the audit's own keys; in text as lines
/// above the closing line; in Markdown after it.
pub fn render_with(report: &AuditReport, format: Format, published: &Published) -> String {
    match format {
        Format::Text => {
            let text = text(report);
            let body = text.trim_end_matches('\n');
            let (head, last) = body.rsplit_once('\n').unwrap_or(("", body));
            let head = if head.is_empty() {
                String::new()
            } else {
                format!("{head}\n")
            };
            let lines = super::published::text(published);
            escape_rendered(&format!("{head}{lines}{last}\n")).into_owned()
        }
        Format::Json => json_document(&AuditJson {
            run_id: published.run_id.as_deref(),
            audit: report,
            report: published.report.as_ref(),
            metrics: published.metrics.as_ref(),
        }),
        Format::Markdown => {
            escape_rendered(&(markdown(report) + &super::published::markdown(published)))
                .into_owned()
        }
    }
}

/// The JSON of an audit: the report as it is, with the run's id and its deliveries.
#[derive(serde::Serialize)]
struct AuditJson<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    run_id: Option<&'a str>,
    #[serde(flatten)]
    audit: &'a AuditReport,
    #[serde(skip_serializing_if = "Option::is_none")]
    report: Option<&'a crate::sink::Delivery>,
    #[serde(skip_serializing_if = "Option::is_none")]
    metrics: Option<&'a crate::metrics::Exported>,
}

/// Text from Temporal or a row (a pause note, an error) on one line: it cannot start a line
/// of its own that looks like a schedule.
fn one_line(s: &str) -> String {
    s.replace(['\n', '\r'], " ")
}

fn utc(t: &DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

fn maybe(t: Option<&DateTime<Utc>>) -> String {
    t.map_or_else(|| "—".to_string(), utc)
}

/// `3 ok, 1 failed, 2 missed` (the zero counts left out), or `no fires due`.
fn tally(c: &AuditCounts) -> String {
    let parts: Vec<String> = [
        (c.ok, "ok"),
        (c.running, "running"),
        (c.failed, "failed"),
        (c.skipped, "skipped"),
        (c.missed, "missed"),
        (c.extra, "extra"),
    ]
    .into_iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, label)| format!("{n} {label}"))
    .collect();
    if parts.is_empty() {
        "no fires due".to_string()
    } else {
        parts.join(", ")
    }
}

fn mark(s: &ScheduleAudit) -> &'static str {
    if s.error.is_some() {
        "?"
    } else if s.counts.failed + s.counts.missed > 0 {
        "✗"
    } else {
        "✓"
    }
}

/// A run of fires shown as one line.
struct Group<'a> {
    first: &'a FireAudit,
    last: &'a FireAudit,
    count: usize,
}

/// The fires that need a look (failed, skipped, missed), consecutive ones with the same
/// verdict and reason (and no workflow of their own) folded into one group.
fn problems(s: &ScheduleAudit) -> Vec<Group<'_>> {
    let mut groups: Vec<Group<'_>> = Vec::new();
    let mut previous_bad = false;
    for fire in &s.fires {
        let bad = !matches!(fire.status, FireStatus::Ok | FireStatus::Running);
        if bad {
            match groups.last_mut() {
                Some(g)
                    if previous_bad
                        && fire.workflow_id.is_none()
                        && g.last.workflow_id.is_none()
                        && g.last.status == fire.status
                        && g.last.reason == fire.reason =>
                {
                    g.last = fire;
                    g.count += 1;
                }
                _ => groups.push(Group {
                    first: fire,
                    last: fire,
                    count: 1,
                }),
            }
        }
        previous_bad = bad;
    }
    groups
}

fn group_when(g: &Group<'_>) -> String {
    if g.count == 1 {
        utc(&g.first.expected)
    } else {
        format!(
            "{} → {} ({} fires)",
            utc(&g.first.expected),
            utc(&g.last.expected),
            g.count
        )
    }
}

fn group_detail(g: &Group<'_>) -> String {
    match (
        &g.first.workflow_id,
        g.first.workflow_status,
        &g.first.reason,
    ) {
        (Some(id), Some(status), _) => format!("workflow {id} {}", status.as_str()),
        (Some(id), None, _) => format!("workflow {id}"),
        (None, _, Some(reason)) => one_line(reason),
        (None, _, None) => String::new(),
    }
}

fn summary(report: &AuditReport) -> String {
    let c = &report.counts;
    let mut line = format!(
        "Audit: {} ok, {} running, {} failed, {} skipped, {} missed of {} due ({}).",
        c.ok,
        c.running,
        c.failed,
        c.skipped,
        c.missed,
        plural(c.expected(), "fire"),
        plural(report.schedules.len(), "schedule")
    );
    if c.extra > 0 {
        line.push_str(&format!(
            " {} not on the calendar.",
            plural(c.extra, "extra fire")
        ));
    }
    if !report.errors.is_empty() {
        line.push_str(&format!(" {}.", plural(report.errors.len(), "error")));
    }
    line
}

pub fn text(report: &AuditReport) -> String {
    let mut out = String::new();
    for e in &report.errors {
        let id =
            e.id.as_deref()
                .map(|id| format!(" `{id}`"))
                .unwrap_or_default();
        let _ = writeln!(out, "error: {}{id}: {}", e.stage, one_line(&e.message));
    }
    for w in &report.warnings {
        let _ = writeln!(out, "warning: {}", one_line(w));
    }
    let _ = writeln!(
        out,
        "activity-sync audit · scope {} · namespace {} · {} → {}\n",
        report.scope,
        report.namespace,
        utc(&report.window.from),
        utc(&report.window.to)
    );
    if report.schedules.is_empty() {
        out.push_str("No enabled cron or once definitions in the scope.\n");
    }
    for s in &report.schedules {
        let state = if !s.exists && s.error.is_none() {
            "schedule missing".to_string()
        } else if s.paused {
            match &s.notes {
                Some(note) => format!("paused ({})", one_line(note)),
                None => "paused".to_string(),
            }
        } else {
            "active".to_string()
        };
        let _ = writeln!(
            out,
            "{} {}  {}  {}  {}",
            mark(s),
            s.key,
            s.schedule_id,
            s.trigger,
            state
        );
        let _ = writeln!(
            out,
            "    last fire {} · next fire {} · {}",
            maybe(s.last_fire.as_ref()),
            maybe(s.next_fire.as_ref()),
            tally(&s.counts)
        );
        if let Some(error) = &s.error {
            let _ = writeln!(out, "    not audited: {}", one_line(error));
        }
        if s.judged_from > report.window.from {
            let _ = writeln!(
                out,
                "    judged from {} (the schedule was created or updated then)",
                utc(&s.judged_from)
            );
        }
        let groups = problems(s);
        for g in groups.iter().take(LINES_PER_SCHEDULE) {
            let _ = writeln!(
                out,
                "    {:<8} {}  {}",
                g.first.status.as_str(),
                group_when(g),
                group_detail(g)
            );
        }
        if groups.len() > LINES_PER_SCHEDULE {
            let _ = writeln!(
                out,
                "    … and {} more (see `--format json`)",
                groups.len() - LINES_PER_SCHEDULE
            );
        }
        for e in s.extra.iter().take(LINES_PER_SCHEDULE) {
            let _ = writeln!(
                out,
                "    {:<8} {}  workflow {} {} (not on the calendar: a manual trigger or backfill)",
                "extra",
                utc(&e.scheduled_for),
                e.workflow_id,
                e.workflow_status.as_str()
            );
        }
    }
    let _ = writeln!(out, "\n{}", summary(report));
    out
}

pub fn markdown(report: &AuditReport) -> String {
    use markdown::{code, text as md};
    let mut out = String::new();
    let c = &report.counts;
    let verdict = if c.failed + c.missed > 0 {
        "fires missed or failed"
    } else if report.errors.is_empty() {
        "every fire accounted for"
    } else {
        "incomplete"
    };
    let _ = writeln!(
        out,
        "### activity-sync audit: {verdict}\n\nScope {} · namespace {} · {} → {}\n",
        code(&report.scope),
        code(&report.namespace),
        utc(&report.window.from),
        utc(&report.window.to)
    );
    out.push_str(
        "| ok | running | failed | skipped | missed | extra |\n|---:|---:|---:|---:|---:|---:|\n",
    );
    let _ = writeln!(
        out,
        "| {} | {} | {} | {} | {} | {} |\n",
        c.ok, c.running, c.failed, c.skipped, c.missed, c.extra
    );
    if !report.errors.is_empty() {
        out.push_str("**Errors**\n\n");
        for e in &report.errors {
            let id =
                e.id.as_deref()
                    .map(|id| format!(" {}", code(id)))
                    .unwrap_or_default();
            let _ = writeln!(out, "- {}{id}: {}", md(&e.stage), md(&e.message));
        }
        out.push('\n');
    }
    if !report.warnings.is_empty() {
        out.push_str("**Warnings**\n\n");
        for w in &report.warnings {
            let _ = writeln!(out, "- {}", md(w));
        }
        out.push('\n');
    }
    if report.schedules.is_empty() {
        out.push_str("No enabled cron or once definitions in the scope.\n");
        return out;
    }
    out.push_str("| | definition | trigger | state | last fire | next fire | fires |\n|---|---|---|---|---|---|---|\n");
    for s in &report.schedules {
        let state = if s.error.is_some() {
            "not audited".to_string()
        } else if !s.exists {
            "schedule missing".to_string()
        } else if s.paused {
            "paused".to_string()
        } else {
            "active".to_string()
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} |",
            mark(s),
            code(&s.key),
            code(&s.trigger),
            state,
            maybe(s.last_fire.as_ref()),
            maybe(s.next_fire.as_ref()),
            tally(&s.counts)
        );
    }
    let troubled: Vec<&ScheduleAudit> = report
        .schedules
        .iter()
        .filter(|s| s.error.is_some() || !problems(s).is_empty() || s.notes.is_some() && s.paused)
        .collect();
    for s in troubled {
        let _ = writeln!(out, "\n**{}** {}\n", md(&s.key), code(&s.schedule_id));
        if let Some(error) = &s.error {
            let _ = writeln!(out, "- not audited: {}", md(error));
        }
        if let (true, Some(note)) = (s.paused, &s.notes) {
            let _ = writeln!(out, "- paused: {}", md(note));
        }
        let groups = problems(s);
        for g in groups.iter().take(LINES_PER_SCHEDULE) {
            let detail = match (&g.first.workflow_id, g.first.workflow_status) {
                (Some(id), Some(status)) => format!("workflow {} {}", code(id), status.as_str()),
                (Some(id), None) => format!("workflow {}", code(id)),
                (None, _) => md(g.first.reason.as_deref().unwrap_or_default()),
            };
            let _ = writeln!(
                out,
                "- **{}** {}: {detail}",
                g.first.status.as_str(),
                group_when(g)
            );
        }
        if groups.len() > LINES_PER_SCHEDULE {
            let _ = writeln!(out, "- … and {} more", groups.len() - LINES_PER_SCHEDULE);
        }
    }
    let _ = writeln!(out, "\n{}", summary(report));
    out
}

#[cfg(test)]
mod tests {
    use chrono::Duration;
    use uuid::Uuid;

    use super::*;
    use crate::audit::{ExtraFire, RunStatus, Window};
    use crate::plan::RunError;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn fire(at: DateTime<Utc>, status: FireStatus, reason: Option<&str>) -> FireAudit {
        let ran = matches!(status, FireStatus::Ok | FireStatus::Failed);
        FireAudit {
            expected: at,
            status,
            workflow_id: ran.then(|| format!("activity-x-{}", at.format("%H:%M"))),
            run_id: ran.then(|| "r".to_string()),
            workflow_status: ran.then_some(if status == FireStatus::Ok {
                RunStatus::Completed
            } else {
                RunStatus::Failed
            }),
            reason: reason.map(str::to_string),
        }
    }

    fn report() -> AuditReport {
        let start = t("2026-12-07T09:00:00Z");
        let note = "**on-call** <img src=x> | \u{1b}[2J\n✓ fake line";
        let mut fires = vec![
            fire(start, FireStatus::Ok, None),
            fire(start + Duration::minutes(1), FireStatus::Failed, None),
        ];
        let paused = format!("the schedule is paused ({note})");
        fires.extend((2..6).map(|m| {
            fire(
                start + Duration::minutes(m),
                FireStatus::Missed,
                Some(&paused),
            )
        }));
        let mut counts = AuditCounts::default();
        for f in &fires {
            crate::audit::count(&mut counts, f.status);
        }
        counts.extra = 1;
        let schedule = ScheduleAudit {
            id: Uuid::from_u128(1),
            key: "team.job".into(),
            schedule_id: "activity-schedule-1".into(),
            source_path: "job.md".into(),
            trigger: "* * * * * UTC".into(),
            exists: true,
            paused: true,
            notes: Some(note.into()),
            judged_from: start,
            last_fire: Some(start + Duration::minutes(1)),
            next_fire: None,
            counts,
            temporal: None,
            fires,
            extra: vec![ExtraFire {
                scheduled_for: t("2026-12-07T09:03:17Z"),
                workflow_id: "activity-x-manual".into(),
                run_id: "m".into(),
                workflow_status: RunStatus::Completed,
            }],
            error: None,
        };
        AuditReport::new(
            "default",
            "default",
            Window {
                from: start,
                to: start + Duration::minutes(10),
            },
            vec![schedule],
            vec![RunError::new("temporal", "broken\nline")],
        )
    }

    #[test]
    fn text_folds_runs_and_keeps_foreign_text_on_its_line() {
        let text = render(&report(), Format::Text);
        assert!(
            text.contains("failed   2026-12-07 09:01:00 UTC  workflow activity-x-09:01 failed"),
            "{text}"
        );
        assert!(
            text.contains("missed   2026-12-07 09:02:00 UTC → 2026-12-07 09:05:00 UTC (4 fires)"),
            "{text}"
        );
        assert!(
            text.contains("extra    2026-12-07 09:03:17 UTC  workflow activity-x-manual completed"),
            "{text}"
        );
        assert!(text.contains("error: temporal: broken line"), "{text}");
        assert!(!text.contains('\u{1b}'), "{text}");
        assert!(
            !text.lines().any(|l| l.starts_with("✓ fake")),
            "a note cannot start a line: {text}"
        );
        assert!(text.ends_with(
            "Audit: 1 ok, 0 running, 1 failed, 0 skipped, 4 missed of 6 fires due (1 schedule). 1 extra fire not on the calendar. 1 error.\n"
        ), "{text}");
    }

    #[test]
    fn markdown_is_inert() {
        let md = render(&report(), Format::Markdown);
        assert!(
            md.starts_with("### activity-sync audit: fires missed or failed"),
            "{md}"
        );
        assert!(md.contains("| 1 | 0 | 1 | 0 | 4 | 1 |"), "{md}");
        assert!(
            md.contains("\\*\\*on-call\\*\\* \\<img src=x\\> \\|"),
            "{md}"
        );
        assert!(!md.contains(" <img"), "an unescaped tag: {md}");
        assert!(!md.contains('\u{1b}'), "{md}");
        assert!(
            md.contains("- **missed** 2026-12-07 09:02:00 UTC → 2026-12-07 09:05:00 UTC (4 fires)"),
            "{md}"
        );
    }

    #[test]
    fn json_is_the_report_as_it_is() {
        let json: serde_json::Value =
            serde_json::from_str(&render(&report(), Format::Json)).unwrap();
        assert_eq!(json["counts"]["missed"], 4);
        assert_eq!(json["schedules"][0]["fires"].as_array().unwrap().len(), 6);
        assert_eq!(json["schedules"][0]["next_fire"], serde_json::Value::Null);
        assert_eq!(json["errors"][0]["message"], "broken\nline");
    }
}
