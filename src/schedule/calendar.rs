//! Cron expressions as Temporal structured calendars.
//!
//! Schedules are written with `structured_calendar`, not `cron_string`: Temporal returns a
//! cron string as a structured calendar anyway, so writing the structured form ourselves makes
//! what DescribeSchedule / ListSchedules return equal, field for field, to what we wrote, and
//! drift is a plain comparison that never flaps. The conversion follows what the Temporal
//! server (1.32) does with a cron string: `*` is the full range, `a/s` runs to the field's
//! maximum, day-of-week 7 is 0, names are numbers, seconds are `[0]`, years are empty (any),
//! and day-of-month and day-of-week must both match.

use chrono::{DateTime, Datelike, Timelike, Utc};
use serde::{Deserialize, Serialize};

use crate::definition::CronExpr;

/// `start..=end` every `step`, as Temporal's `Range`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Range {
    pub start: i32,
    pub end: i32,
    pub step: i32,
}

/// Temporal's `StructuredCalendarSpec`: every field must match; a field matches any range.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Calendar {
    pub second: Vec<Range>,
    pub minute: Vec<Range>,
    pub hour: Vec<Range>,
    pub day_of_month: Vec<Range>,
    pub month: Vec<Range>,
    /// Empty: any year.
    pub year: Vec<Range>,
    pub day_of_week: Vec<Range>,
    /// Shown in Temporal's UI; the cron expression it came from.
    pub comment: String,
}

const MONTHS: [&str; 12] = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];
const DAYS: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

fn value(text: &str, names: &[&str], offset: i32) -> i32 {
    let upper = text.to_ascii_uppercase();
    names
        .iter()
        .position(|n| *n == upper)
        .map_or_else(|| text.parse().unwrap_or(0), |i| i as i32 + offset)
}

/// One cron field as ranges. The expression was validated by [`CronExpr::parse`].
fn field(text: &str, min: i32, max: i32, names: &[&str], offset: i32) -> Vec<Range> {
    text.split(',')
        .map(|item| {
            let (span, step) = match item.split_once('/') {
                Some((span, step)) => (span, step.parse().unwrap_or(1)),
                None => (item, 1),
            };
            let (start, end) = match span.split_once('-') {
                _ if span == "*" => (min, max),
                Some((a, b)) => (value(a, names, offset), value(b, names, offset)),
                None if item.contains('/') => (value(span, names, offset), max),
                None => {
                    let v = value(span, names, offset);
                    (v, v)
                }
            };
            Range { start, end, step }
        })
        .collect()
}

/// The calendar Temporal derives from a cron expression.
pub fn from_cron(expr: &CronExpr) -> Calendar {
    let [minute, hour, dom, month, dow] = expr.fields();
    let mut day_of_week = field(&dow, 0, 6, &DAYS, 0);
    for range in &mut day_of_week {
        // Sunday is 0 and 7 in cron; Temporal keeps 0.
        if range.start == 7 && range.end == 7 {
            *range = Range {
                start: 0,
                end: 0,
                step: 1,
            };
        } else if range.end == 7 {
            range.end = 6;
        }
    }
    Calendar {
        second: vec![Range {
            start: 0,
            end: 0,
            step: 1,
        }],
        minute: field(&minute, 0, 59, &[], 0),
        hour: field(&hour, 0, 23, &[], 0),
        day_of_month: field(&dom, 1, 31, &[], 0),
        month: field(&month, 1, 12, &MONTHS, 1),
        year: Vec::new(),
        day_of_week,
        comment: expr.as_str().to_string(),
    }
}

/// A calendar that matches one instant (UTC) only: the `once` trigger.
pub fn at_instant(at: DateTime<Utc>) -> Calendar {
    let one = |v: u32| {
        vec![Range {
            start: v as i32,
            end: v as i32,
            step: 1,
        }]
    };
    Calendar {
        second: one(at.second()),
        minute: one(at.minute()),
        hour: one(at.hour()),
        day_of_month: one(at.day()),
        month: one(at.month()),
        year: one(at.year() as u32),
        day_of_week: vec![Range {
            start: 0,
            end: 6,
            step: 1,
        }],
        comment: format!("once at {}", at.to_rfc3339()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(start: i32, end: i32, step: i32) -> Range {
        Range { start, end, step }
    }

    fn fields(cron: &str) -> [Vec<Range>; 5] {
        let c = from_cron(&CronExpr::parse(cron).unwrap());
        [c.minute, c.hour, c.day_of_month, c.month, c.day_of_week]
    }

    /// Each expected value was read back from a Temporal 1.32 dev server after creating a
    /// schedule with that `cron_string`.
    #[test]
    fn matches_what_the_server_derives() {
        let full_dom = vec![r(1, 31, 1)];
        let full_month = vec![r(1, 12, 1)];
        let full_dow = vec![r(0, 6, 1)];
        let cases = [
            (
                "*/15 * * * *",
                [
                    vec![r(0, 59, 15)],
                    vec![r(0, 23, 1)],
                    full_dom.clone(),
                    full_month.clone(),
                    full_dow.clone(),
                ],
            ),
            (
                "0 0 1 * 1",
                [
                    vec![r(0, 0, 1)],
                    vec![r(0, 0, 1)],
                    vec![r(1, 1, 1)],
                    full_month.clone(),
                    vec![r(1, 1, 1)],
                ],
            ),
            // (The server also takes `5/15`; the validator refuses single-number steps.)
            (
                "5-59/15 * * * *",
                [
                    vec![r(5, 59, 15)],
                    vec![r(0, 23, 1)],
                    full_dom.clone(),
                    full_month.clone(),
                    full_dow.clone(),
                ],
            ),
            (
                "0 9-17/2 * * mon-fri",
                [
                    vec![r(0, 0, 1)],
                    vec![r(9, 17, 2)],
                    full_dom.clone(),
                    full_month.clone(),
                    vec![r(1, 5, 1)],
                ],
            ),
            (
                "@daily",
                [
                    vec![r(0, 0, 1)],
                    vec![r(0, 0, 1)],
                    full_dom.clone(),
                    full_month.clone(),
                    full_dow.clone(),
                ],
            ),
            (
                "0 0 * * 7",
                [
                    vec![r(0, 0, 1)],
                    vec![r(0, 0, 1)],
                    full_dom.clone(),
                    full_month.clone(),
                    vec![r(0, 0, 1)],
                ],
            ),
            (
                "0,30 * * * *",
                [
                    vec![r(0, 0, 1), r(30, 30, 1)],
                    vec![r(0, 23, 1)],
                    full_dom.clone(),
                    full_month.clone(),
                    full_dow.clone(),
                ],
            ),
            (
                "0 0 1 JAN *",
                [
                    vec![r(0, 0, 1)],
                    vec![r(0, 0, 1)],
                    vec![r(1, 1, 1)],
                    vec![r(1, 1, 1)],
                    full_dow.clone(),
                ],
            ),
            (
                "@hourly",
                [
                    vec![r(0, 0, 1)],
                    vec![r(0, 23, 1)],
                    full_dom,
                    full_month,
                    full_dow,
                ],
            ),
        ];
        for (cron, expected) in cases {
            assert_eq!(fields(cron), expected, "{cron}");
        }
        let c = from_cron(&CronExpr::parse("*/15 * * * *").unwrap());
        assert_eq!(c.second, vec![r(0, 0, 1)]);
        assert!(c.year.is_empty());
        assert_eq!(c.comment, "*/15 * * * *");
    }

    #[test]
    fn once_is_a_single_instant() {
        let at = DateTime::parse_from_rfc3339("2026-12-18T16:00:05Z")
            .unwrap()
            .with_timezone(&Utc);
        let c = at_instant(at);
        assert_eq!(
            (c.year[0].start, c.month[0].start, c.day_of_month[0].start),
            (2026, 12, 18)
        );
        assert_eq!(
            (c.hour[0].start, c.minute[0].start, c.second[0].start),
            (16, 0, 5)
        );
    }
}
