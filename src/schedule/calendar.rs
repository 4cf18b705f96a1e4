//! Cron expressions as Temporal structured calendars.
//!
//! Schedules are written with `structured_calendar`, not `cron_string`: Temporal returns a
//! cron string as a structured calendar anyway, so writing the structured form ourselves makes
//! what DescribeSchedule / ListSchedules return equal, field for field, to what we wrote, and
//! drift is a plain comparison that never flaps. The conversion follows what the Temporal
//! server (1.32) does with a cron string: `*` is the full range, `a/s` runs to the field's
//! maximum, day-of-week 7 is 0 (a range ending on it gets a separate `0` range: `5-7` is
//! `[0, 5-6]`), names are numbers, seconds are `[0]`, years are empty (any), and
//! day-of-month and day-of-week must both match. [`Calendar::matches`] models the server's
//! matcher, so the conversion is checked against croner (the plan's next fires) without a
//! server; `tests/cron_corpus.rs` checks it against the server's own `future_action_times`.

use chrono::{DateTime, Datelike, NaiveDateTime, Timelike, Utc};
use serde::{Deserialize, Serialize};

use crate::definition::CronExpr;
pub use crate::definition::cron_expr::Range;

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

/// Whether a field's ranges match a value, the way the Temporal server's calendar matcher
/// reads them (every field we write has ranges; only the year is left empty, for any year).
fn field_matches(ranges: &[Range], value: i32) -> bool {
    ranges.iter().any(|r| r.values().any(|v| v == value))
}

impl Calendar {
    /// Whether the calendar matches a wall-clock time in the schedule's zone: every field,
    /// day-of-month **and** day-of-week (Temporal ANDs them), Sunday = 0.
    pub fn matches(&self, t: &NaiveDateTime) -> bool {
        self.matches_date(&t.date())
            && field_matches(&self.hour, t.hour() as i32)
            && field_matches(&self.minute, t.minute() as i32)
            && field_matches(&self.second, t.second() as i32)
    }

    /// Whether the calendar matches some time of a day.
    pub fn matches_date(&self, d: &chrono::NaiveDate) -> bool {
        (self.year.is_empty() || field_matches(&self.year, d.year()))
            && field_matches(&self.month, d.month() as i32)
            && field_matches(&self.day_of_month, d.day() as i32)
            && field_matches(&self.day_of_week, d.weekday().num_days_from_sunday() as i32)
    }

    /// The first `n` matching wall-clock times strictly after `after` (seconds included),
    /// searching day by day up to `days` days ahead: the fires of the calendar in a zone
    /// without DST, computed from the calendar alone.
    pub fn next_matches(&self, after: NaiveDateTime, n: usize, days: i64) -> Vec<NaiveDateTime> {
        let mut out = Vec::new();
        let values = |ranges: &[Range], max: i32| -> Vec<u32> {
            (0..=max)
                .filter(|v| field_matches(ranges, *v))
                .map(|v| v as u32)
                .collect()
        };
        let (hours, minutes, seconds) = (
            values(&self.hour, 23),
            values(&self.minute, 59),
            values(&self.second, 59),
        );
        let mut day = after.date();
        for _ in 0..=days {
            if self.matches_date(&day) {
                for &h in &hours {
                    for &m in &minutes {
                        for &s in &seconds {
                            let t = day.and_hms_opt(h, m, s).expect("a valid time");
                            if t > after {
                                out.push(t);
                                if out.len() == n {
                                    return out;
                                }
                            }
                        }
                    }
                }
            }
            day = day.succ_opt().expect("a date before the end of time");
        }
        out
    }
}

/// The calendar Temporal derives from a cron expression (see
/// [`crate::definition::cron_expr::temporal_fields`]); the ranges were proven to match the
/// same values as the expression when it was parsed.
pub fn from_cron(expr: &CronExpr) -> Calendar {
    let f = expr.temporal_fields().clone();
    Calendar {
        second: vec![Range::one(0)],
        minute: f.minute,
        hour: f.hour,
        day_of_month: f.day_of_month,
        month: f.month,
        year: Vec::new(),
        day_of_week: f.day_of_week,
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

/// `fixtures/cron-corpus.tsv`: cron expressions and the ranges written for them.
#[cfg(test)]
pub(crate) fn corpus() -> Vec<(&'static str, &'static str)> {
    include_str!("../../fixtures/cron-corpus.tsv")
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| l.split_once('\t').expect("cron<TAB>ranges"))
        .collect()
}

#[cfg(test)]
pub(crate) fn corpus_ranges(text: &str) -> [Vec<Range>; 5] {
    let fields: Vec<Vec<Range>> = text
        .split('|')
        .map(|f| {
            f.trim()
                .split(',')
                .map(|item| {
                    let (span, step) = item.split_once('/').unwrap_or((item, "1"));
                    let (a, b) = span.split_once('-').unwrap_or((span, span));
                    Range::new(
                        a.parse().unwrap(),
                        b.parse().unwrap(),
                        step.parse().unwrap(),
                    )
                })
                .collect()
        })
        .collect();
    fields.try_into().unwrap()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn fields(cron: &str) -> [Vec<Range>; 5] {
        let c = from_cron(&CronExpr::parse(cron).unwrap_or_else(|e| panic!("{cron}: {e}")));
        [c.minute, c.hour, c.day_of_month, c.month, c.day_of_week]
    }

    #[test]
    fn matches_what_the_server_derives() {
        for (cron, expected) in corpus() {
            assert_eq!(fields(cron), corpus_ranges(expected), "{cron}");
        }
        let c = from_cron(&CronExpr::parse("*/15 * * * *").unwrap());
        assert_eq!(c.second, vec![Range::one(0)]);
        assert!(c.year.is_empty());
        assert_eq!(c.comment, "*/15 * * * *");
    }

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    /// The calendar's own fires (no croner) against croner's, over `n` fires.
    fn agree(cron: &str, after: NaiveDateTime, n: usize) -> Result<(), String> {
        let expr = CronExpr::parse(cron).map_err(|e| format!("{cron}: {e}"))?;
        let calendar = from_cron(&expr);
        // Thirty years: long enough for the rarest crons we accept (a day of the month on one
        // weekday); croner's fires beyond the horizon are not compared.
        let days = 30 * 366;
        let ours = calendar.next_matches(after, n, days);
        let horizon = after + chrono::Duration::days(days);
        let theirs: Vec<NaiveDateTime> = expr
            .next_fires(&Utc, after.and_utc(), n)
            .iter()
            .map(|t| t.naive_utc())
            .filter(|t| *t < horizon)
            .collect();
        if ours == theirs {
            Ok(())
        } else {
            Err(format!(
                "{cron} after {after}: calendar {:?} ≠ croner {:?}",
                &ours[..ours.len().min(5)],
                &theirs[..theirs.len().min(5)]
            ))
        }
    }

    #[test]
    fn every_corpus_calendar_fires_when_croner_does() {
        for (cron, _) in corpus() {
            for after in ["2026-01-01 00:00", "2027-12-30 23:59", "2028-02-27 12:00"] {
                agree(cron, at(after), 60).unwrap();
            }
        }
    }

    #[test]
    fn ranges_ending_on_sunday_fire_on_sunday() {
        let days = |cron: &str| -> Vec<String> {
            let c = from_cron(&CronExpr::parse(cron).unwrap());
            // 2026-01-05 is a Monday: one week of days.
            c.next_matches(at("2026-01-04 23:59"), 7, 60)
                .iter()
                .map(|t| t.format("%a").to_string())
                .collect()
        };
        assert_eq!(
            days("0 0 * * 5-7"),
            ["Fri", "Sat", "Sun", "Fri", "Sat", "Sun", "Fri"]
        );
        assert_eq!(
            days("0 0 * * FRI-SUN"),
            ["Fri", "Sat", "Sun", "Fri", "Sat", "Sun", "Fri"]
        );
        assert_eq!(
            days("0 0 * * 1-7"),
            ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
        );
        assert_eq!(
            days("0 0 * JAN-DEC MON-SUN"),
            ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
        );
        assert_eq!(days("0 0 * * 7"), ["Sun"; 7]);
    }

    /// One field item of a generated cron expression.
    fn item(
        min: u32,
        max: u32,
        names: &'static [&'static str],
        first: u32,
    ) -> BoxedStrategy<String> {
        let value = move |v: u32, as_name: bool| -> String {
            let i = v.checked_sub(first).map(|i| i as usize);
            match i.and_then(|i| names.get(i % names.len().max(1))) {
                Some(name) if as_name && !names.is_empty() => {
                    // Sunday as 7 is a name only as the end of a range (`FRI-SUN`).
                    name.to_string()
                }
                _ => v.to_string(),
            }
        };
        prop_oneof![
            (min..=max, any::<bool>()).prop_map(move |(v, n)| value(v, n && v < first + 7)),
            (min..=max, min..=max, any::<bool>()).prop_map(move |(a, b, n)| {
                let (a, b) = (a.min(b), a.max(b));
                format!("{}-{}", value(a, n && a < first + 7), value(b, n))
            }),
            (min..=max, min..=max, 1..=max).prop_map(|(a, b, s)| {
                let (a, b) = (a.min(b), a.max(b));
                format!("{a}-{b}/{s}")
            }),
        ]
        .boxed()
    }

    fn cron_field(
        min: u32,
        max: u32,
        names: &'static [&'static str],
        first: u32,
    ) -> BoxedStrategy<String> {
        // `*` and `*/s` stand alone (croner refuses them in a list).
        prop_oneof![
            1 => Just("*".to_string()),
            1 => (1..=max).prop_map(|s| format!("*/{s}")),
            3 => proptest::collection::vec(item(min, max, names, first), 1..=3)
                .prop_map(|items| items.join(",")),
        ]
        .boxed()
    }

    const MONTH_NAMES: &[&str] = &[
        "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
    ];
    const DAY_NAMES: &[&str] = &["sun", "mon", "tue", "wed", "thu", "fri", "sat", "SUN"];

    fn cron() -> impl Strategy<Value = String> {
        (
            cron_field(0, 59, &[], 0),
            cron_field(0, 23, &[], 0),
            cron_field(1, 31, &[], 1),
            cron_field(1, 12, MONTH_NAMES, 1),
            cron_field(0, 7, DAY_NAMES, 0),
        )
            .prop_map(|(m, h, dom, mon, dow)| format!("{m} {h} {dom} {mon} {dow}"))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        /// What we write to Temporal fires exactly when the plan says (croner): the
        /// calendar's matches, computed from its ranges alone, against croner's next fires.
        #[test]
        fn calendar_fires_agree_with_croner(
            cron in cron(),
            days in 0i64..3650,
            minute in 0i64..1440,
        ) {
            let raw = croner::parser::CronParser::builder()
                .seconds(croner::parser::Seconds::Disallowed)
                .dom_and_dow(true)
                .build()
                .parse(&cron);
            prop_assume!(raw.is_ok());
            let after = at("2025-01-01 00:00")
                + chrono::Duration::days(days)
                + chrono::Duration::minutes(minute);
            match CronExpr::parse(&cron) {
                Ok(_) => prop_assert!(agree(&cron, after, 40).is_ok(), "{}", agree(&cron, after, 40).unwrap_err()),
                // Only the expressions that never (or hardly ever) fire are refused.
                Err(e) => prop_assert!(
                    e.contains("never fires") || e.contains("once in 28 years"),
                    "{cron}: {e}"
                ),
            }
        }

        /// Minute by minute over a day: the calendar and croner match the same minutes.
        #[test]
        fn calendar_matches_minute_by_minute(cron in cron(), days in 0i64..3650) {
            let Ok(expr) = CronExpr::parse(&cron) else { return Ok(()); };
            let calendar = from_cron(&expr);
            let matches = expr.matcher();
            let start = at("2025-01-01 00:00") + chrono::Duration::days(days);
            for m in 0..1440 {
                let t = start + chrono::Duration::minutes(m);
                prop_assert_eq!(calendar.matches(&t), matches(&t), "{} at {}", cron, t);
            }
        }
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
