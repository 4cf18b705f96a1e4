//! Cron expressions as Temporal accepts them: five fields or an `@hourly`-style macro.

use std::collections::BTreeSet;

use chrono::{DateTime, TimeZone, Utc};
use croner::Cron;
use croner::parser::{CronParser, Seconds, Year};
use serde::{Deserialize, Serialize};

/// Seconds in a day of wall clock.
const DAY: i64 = 86_400;

/// Macros that Temporal's `cron_string` understands (`@every` is an interval, not a cron).
pub const MACROS: [&str; 7] = [
    "@yearly",
    "@annually",
    "@monthly",
    "@weekly",
    "@daily",
    "@midnight",
    "@hourly",
];

fn expand_macro(text: &str) -> Option<&'static str> {
    Some(match text {
        "@yearly" | "@annually" => "0 0 1 1 *",
        "@monthly" => "0 0 1 * *",
        "@weekly" => "0 0 * * 0",
        "@daily" | "@midnight" => "0 0 * * *",
        "@hourly" => "0 * * * *",
        _ => return None,
    })
}

/// `start..=end` every `step`: one range of a Temporal `StructuredCalendarSpec` field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Range {
    pub start: i32,
    pub end: i32,
    pub step: i32,
}

impl Range {
    pub const fn new(start: i32, end: i32, step: i32) -> Range {
        Range { start, end, step }
    }

    pub const fn one(value: i32) -> Range {
        Range::new(value, value, 1)
    }

    /// The values the Temporal server matches for this range: an `end` below `start` means
    /// `start` alone and a `step` of 0 means 1 (that is how the protobuf leaves them unset).
    pub fn values(&self) -> impl Iterator<Item = i32> + use<> {
        let end = self.end.max(self.start);
        let step = self.step.max(1) as usize;
        (self.start..=end).step_by(step)
    }
}

/// The five cron fields as Temporal calendar ranges, as the Temporal server derives them
/// from the same expression (see [`temporal_fields`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemporalFields {
    pub minute: Vec<Range>,
    pub hour: Vec<Range>,
    pub day_of_month: Vec<Range>,
    pub month: Vec<Range>,
    pub day_of_week: Vec<Range>,
}

/// A validated cron expression. Parsed once, when its file is read: the definition keeps
/// it ([`CronTrigger::cron`](super::model::CronTrigger)), and every later step (the desired
/// schedule, its next fires, the fire rates) uses it as it is (a parse checks the fields
/// against croner and walks the calendar; a run used to repeat it four times a cron).
///
/// It keeps the text and the fields only: croner's parsed form (about 6 KB an expression,
/// 41 MB for the 7,000 crons of 10,000 definitions) is needed to check the fields, then
/// dropped; [`CronExpr::matcher`] and [`CronExpr::next_fires`] parse it again.
#[derive(Debug, Clone)]
pub struct CronExpr {
    text: String,
    fields: TemporalFields,
}

/// The same expression: everything else is parsed from the text.
impl PartialEq for CronExpr {
    fn eq(&self, other: &CronExpr) -> bool {
        self.text == other.text
    }
}

/// As written (trimmed): `trigger_config.cron`, the JSON of a definition.
impl Serialize for CronExpr {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

impl CronExpr {
    /// Parses a 5-field expression or a macro; the error is a sentence for a diagnostic.
    pub fn parse(text: &str) -> Result<CronExpr, String> {
        let trimmed = text.trim();
        let pattern = if trimmed.starts_with('@') {
            expand_macro(trimmed).ok_or_else(|| {
                format!(
                    "unknown cron macro `{trimmed}` (expected one of {})",
                    MACROS.map(|m| format!("`{m}`")).join(", ")
                )
            })?
        } else {
            trimmed
        };
        let fields: Vec<&str> = pattern.split_whitespace().collect();
        if fields.len() != 5 {
            return Err(format!(
                "cron expression `{trimmed}` has {} fields, expected 5 (minute hour day-of-month month day-of-week)",
                fields.len()
            ));
        }
        const NAMES: [&str; 5] = ["minute", "hour", "day-of-month", "month", "day-of-week"];
        for (field, name) in fields.iter().zip(NAMES) {
            // Quartz/croner extensions that Temporal does not share.
            if let Some(c) = field
                .chars()
                .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '*' | ',' | '-' | '/')))
            {
                return Err(format!(
                    "cron expression `{trimmed}`: `{c}` is not allowed in the {name} field"
                ));
            }
            let letters_allowed = matches!(name, "month" | "day-of-week");
            if field.contains(|c: char| c.is_ascii_alphabetic()) && !letters_allowed
                || field
                    .split([',', '-', '/'])
                    .any(|part| part.chars().any(|c| c.is_ascii_alphabetic()) && part.len() != 3)
            {
                return Err(format!(
                    "cron expression `{trimmed}`: `{field}` is not a valid {name} field"
                ));
            }
        }
        let cron =
            croner(pattern).map_err(|e| format!("invalid cron expression `{trimmed}`: {e}"))?;
        let fields = temporal_fields(pattern);
        agree(trimmed, &cron, &fields)?;
        fires_at_all(trimmed, &fields)?;
        Ok(CronExpr {
            text: trimmed.to_string(),
            fields,
        })
    }

    /// croner's form of the expression, parsed again (it was valid when `self` was made).
    fn croner(&self) -> Cron {
        let pattern = if self.text.starts_with('@') {
            expand_macro(&self.text).expect("a macro that parsed")
        } else {
            &self.text
        };
        croner(pattern).expect("an expression that parsed")
    }

    /// The fields as Temporal calendar ranges (what is written to the schedule).
    pub fn temporal_fields(&self) -> &TemporalFields {
        &self.fields
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether a wall-clock time matches (seconds ignored), as croner reads the
    /// expression: parsed once for all the times asked.
    pub fn matcher(&self) -> impl Fn(&chrono::NaiveDateTime) -> bool {
        use chrono::Timelike;
        let cron = self.croner();
        move |time| {
            let minute = time.with_second(0).and_then(|t| t.with_nanosecond(0));
            minute.is_some_and(|t| cron.is_time_matching(&t).unwrap_or(false))
        }
    }

    /// The longest wait between two consecutive fires, in wall-clock seconds (DST ignored),
    /// over the two years from a fixed reference (and on to the next fire after them):
    /// "one interval" of the schedule.
    pub fn longest_interval_seconds(&self) -> i64 {
        let start = chrono::NaiveDate::from_ymd_opt(2024, 1, 1).expect("a valid date");
        self.gaps(start, 731 * DAY, true)
            .map_or(0, |(_, longest)| longest)
    }

    /// The shortest wait between two consecutive fires, in wall-clock seconds (DST ignored),
    /// over the 400 days from 2025-01-01 (every month, a February of 28 days, every weekday
    /// pattern); a cron that fires once in that time has the gap of a year or more.
    pub fn shortest_interval_seconds(&self) -> i64 {
        let start = chrono::NaiveDate::from_ymd_opt(2025, 1, 1).expect("a valid date");
        match self.gaps(start, 400 * DAY, false) {
            Some((shortest, _)) => shortest,
            None => self.longest_interval_seconds(),
        }
    }

    /// The shortest and longest gap between consecutive fires from `start`, in seconds of
    /// wall clock: pairs whose later fire is at most `horizon` after `start` count, and with
    /// `crossing` also the first pair that passes it. `None` when no pair counts.
    ///
    /// Computed from the fields, not by walking every fire (a `*/15` cron fires 38,000
    /// times in 400 days, and every definition file is checked): every day that fires,
    /// fires at the same times of day, so a gap is either between two times of one day or
    /// from the last time of a firing day to the first of the next. The days are walked one
    /// at a time (month, day of month and day of week ANDed, as Temporal does).
    fn gaps(&self, start: chrono::NaiveDate, horizon: i64, crossing: bool) -> Option<(i64, i64)> {
        let times: Vec<i64> = {
            let minutes = value_set(&self.fields.minute);
            let mut times: Vec<i64> = value_set(&self.fields.hour)
                .into_iter()
                .flat_map(|h| {
                    minutes
                        .iter()
                        .map(move |m| i64::from(h) * 3600 + i64::from(*m) * 60)
                })
                .collect();
            times.sort_unstable();
            times
        };
        let (first, last) = (*times.first()?, *times.last()?);
        // The gaps between the times of one day: the same on every firing day.
        let within =
            times
                .windows(2)
                .map(|w| w[1] - w[0])
                .fold(None, |seen: Option<(i64, i64)>, gap| {
                    Some(seen.map_or((gap, gap), |(lo, hi)| (lo.min(gap), hi.max(gap))))
                });
        let months = value_set(&self.fields.month);
        let days = value_set(&self.fields.day_of_month);
        let weekdays = value_set(&self.fields.day_of_week);
        let fires_on = |day: chrono::NaiveDate| {
            use chrono::Datelike;
            months.contains(&(day.month() as i32))
                && days.contains(&(day.day() as i32))
                && weekdays.contains(&(day.weekday().num_days_from_sunday() as i32))
        };
        let mut best: Option<(i64, i64)> = None;
        // A pair (a, b) of consecutive fires; `false` once the walk is over.
        let mut pair = |a: i64, b: i64| -> bool {
            if b > horizon && !crossing {
                return false;
            }
            let gap = b - a;
            best = Some(best.map_or((gap, gap), |(lo, hi)| (lo.min(gap), hi.max(gap))));
            b <= horizon
        };
        let mut previous: Option<i64> = None;
        let (mut day, mut offset) = (start, 0_i64);
        // Temporal searches no year after 2100.
        while chrono::Datelike::year(&day) <= 2100 {
            if fires_on(day) {
                if let Some(previous) = previous
                    && !pair(previous, offset + first)
                {
                    return best;
                }
                if offset + last <= horizon {
                    // A whole day inside the window: its gaps, once.
                    if let Some((lo, hi)) = within {
                        pair(0, lo);
                        pair(0, hi);
                    }
                } else {
                    for w in times.windows(2) {
                        if !pair(offset + w[0], offset + w[1]) {
                            return best;
                        }
                    }
                }
                previous = Some(offset + last);
            }
            day = day.succ_opt()?;
            offset += DAY;
        }
        best
    }

    /// The next `n` fire times strictly after `after`, in the zone `tz`.
    pub fn next_fires<Tz: TimeZone>(
        &self,
        tz: &Tz,
        after: DateTime<Utc>,
        n: usize,
    ) -> Vec<DateTime<Tz>>
    where
        Tz::Offset: Copy,
    {
        self.croner()
            .iter_after(after.with_timezone(tz))
            .take(n)
            .collect()
    }
}

const MONTHS: [&str; 12] = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];
const DAYS: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
/// The longest each month can be (February 29 in leap years).
const DAYS_IN_MONTH: [i32; 12] = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/// One cron field as ranges; `value(text, ends_a_range)` reads a number or a name. The
/// field was checked by the parser, so nothing here fails.
fn field(text: &str, min: i32, max: i32, value: impl Fn(&str, bool) -> i32) -> Vec<Range> {
    text.split(',')
        .map(|item| {
            let (span, step) = match item.split_once('/') {
                Some((span, step)) => (span, step.parse().unwrap_or(1)),
                None => (item, 1),
            };
            let (start, end) = match span.split_once('-') {
                _ if span == "*" => (min, max),
                Some((a, b)) => (value(a, false), value(b, true)),
                // `a/s`: from `a` to the field's maximum.
                None if item.contains('/') => (value(span, false), max),
                None => {
                    let v = value(span, false);
                    (v, v)
                }
            };
            Range::new(start, end, step)
        })
        .collect()
}

fn named(text: &str, names: &[&str], first: i32) -> Option<i32> {
    let upper = text.to_ascii_uppercase();
    names
        .iter()
        .position(|n| *n == upper)
        .map(|i| i as i32 + first)
}

/// Day-of-week ranges without the 7 that cron (and croner) accept for Sunday.
///
/// Read back from the Temporal 1.32 server, which converts a `cron_string` this way: a lone
/// 7 becomes 0 in place; a range that ends on 7 and reaches it (`5-7`, `1-7/2`, `*/7`) gets
/// a separate `0` range in front of it and ends on 6, except `0-7` (and `*`), which is
/// `0-6`; one that ends on 7 without reaching it (`5-7/3`) just ends on 6. Writing what the
/// server would derive keeps a schedule written from a `cron_string` (an older sync, a hand
/// edit) equal to ours.
fn sunday_as_zero(ranges: Vec<Range>) -> Vec<Range> {
    let mut out = Vec::with_capacity(ranges.len() + 1);
    for r in ranges {
        if r.end != 7 {
            out.push(r);
        } else if r.start == 7 {
            out.push(Range::one(0));
        } else if (7 - r.start) % r.step.max(1) != 0 {
            out.push(Range::new(r.start, 6, r.step));
        } else if r.start == 0 && r.step == 1 {
            out.push(Range::new(0, 6, 1));
        } else {
            out.push(Range::one(0));
            out.push(Range::new(r.start, 6, r.step));
        }
    }
    out
}

/// The calendar ranges of a 5-field pattern (macros expanded), as the Temporal server
/// derives them from the same `cron_string`: `*` is the full range, `a/s` runs to the
/// field's maximum, names are numbers, `SUN` ending a range is 7 (`FRI-SUN` is Friday to
/// Sunday, as croner reads it), and Sunday is written as 0.
pub fn temporal_fields(pattern: &str) -> TemporalFields {
    let parts: Vec<&str> = pattern.split_whitespace().collect();
    let part = |i: usize| parts.get(i).copied().unwrap_or("*");
    let number = |text: &str, _: bool| text.parse().unwrap_or(-1);
    TemporalFields {
        minute: field(part(0), 0, 59, number),
        hour: field(part(1), 0, 23, number),
        day_of_month: field(part(2), 1, 31, number),
        month: field(part(3), 1, 12, |text, _| {
            named(text, &MONTHS, 1).unwrap_or_else(|| number(text, false))
        }),
        day_of_week: sunday_as_zero(field(part(4), 0, 7, |text, ends_range| {
            match named(text, &DAYS, 0) {
                Some(0) if ends_range => 7,
                Some(day) => day,
                None => number(text, false),
            }
        })),
    }
}

/// Temporal ANDs day-of-month and day-of-week (`0 0 1 * 1`: the 1st, if a Monday),
/// unlike POSIX cron; next-fire times must say what Temporal will do.
fn croner(pattern: &str) -> Result<Cron, croner::errors::CronError> {
    CronParser::builder()
        .seconds(Seconds::Disallowed)
        .year(Year::Disallowed)
        .dom_and_dow(true)
        .build()
        .parse(pattern)
}

fn value_set(ranges: &[Range]) -> BTreeSet<i32> {
    ranges.iter().flat_map(Range::values).collect()
}

/// Proves, field by field, that the ranges written to Temporal match exactly the values
/// croner (the next fires of the plan) matches; an expression for which they would not is
/// refused rather than written wrong or left drifting.
fn agree(text: &str, cron: &Cron, fields: &TemporalFields) -> Result<(), String> {
    let p = &cron.pattern;
    let checks = [
        ("minute", &fields.minute, p.minutes.values(), 0, 59),
        ("hour", &fields.hour, p.hours.values(), 0, 23),
        ("day-of-month", &fields.day_of_month, p.days.values(), 1, 31),
        ("month", &fields.month, p.months.values(), 1, 12),
        (
            "day-of-week",
            &fields.day_of_week,
            p.days_of_week.values(),
            0,
            6,
        ),
    ];
    for (name, ranges, croner_values, min, max) in checks {
        let representable = ranges
            .iter()
            .all(|r| r.step >= 1 && min <= r.start && r.start <= r.end && r.end <= max);
        let theirs: BTreeSet<i32> = croner_values.into_iter().map(i32::from).collect();
        if !representable || value_set(ranges) != theirs {
            return Err(format!(
                "cron expression `{text}`: the {name} field cannot be written as a Temporal calendar that matches the same times"
            ));
        }
    }
    Ok(())
}

fn list(values: &BTreeSet<i32>) -> String {
    values
        .iter()
        .map(i32::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Refuses an expression that never fires (`0 0 31 2 *`: no February has a 31st), or fires
/// only when February 29 falls on one of its weekdays (about once in 28 years). Both
/// Temporal and croner AND day-of-month and day-of-week, and over the 400-year Gregorian
/// cycle every other date falls on every weekday, so this is exact.
fn fires_at_all(text: &str, fields: &TemporalFields) -> Result<(), String> {
    let months = value_set(&fields.month);
    let days = value_set(&fields.day_of_month);
    let dates: Vec<(i32, i32)> = months
        .iter()
        .flat_map(|&m| {
            days.iter()
                .filter(move |&&d| d <= DAYS_IN_MONTH[(m - 1) as usize])
                .map(move |&d| (m, d))
        })
        .collect();
    let plural = if days.len() == 1 { "" } else { "s" };
    if dates.is_empty() {
        return Err(format!(
            "cron expression `{text}` never fires: none of its months has day{plural} {}",
            list(&days)
        ));
    }
    if dates == [(2, 29)] && value_set(&fields.day_of_week).len() < 7 {
        return Err(format!(
            "cron expression `{text}` fires only when February 29 falls on one of its days of the week, about once in 28 years"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_temporal_forms() {
        for ok in [
            "*/15 * * * *",
            "20 7 * * *",
            "0 6 * * 1-5",
            "0,30 9-17 * JAN-MAR mon-fri",
            "5 4 * * 7",
            "@hourly",
            "@daily",
            " 0 0 * * * ",
        ] {
            CronExpr::parse(ok).unwrap_or_else(|e| panic!("{ok}: {e}"));
        }
    }

    #[test]
    fn rejects_bad_expressions() {
        for bad in [
            "*/15 * * *",
            "61 * * * *",
            "0 24 * * *",
            "0 0 32 * *",
            "0 0 * 13 *",
            "0 0 * * 8",
            "* * * * * *",
            "@every 5m",
            "0 0 L * *",
            "0 0 ? * *",
            "*/0 * * * *",
            "0 0 * * MON#2",
            "MON * * * *",
        ] {
            assert!(CronExpr::parse(bad).is_err(), "{bad} should be rejected");
        }
    }

    #[test]
    fn crons_that_never_fire_are_refused() {
        let err = |e: &str| CronExpr::parse(e).unwrap_err();
        assert_eq!(
            err("0 0 31 2 *"),
            "cron expression `0 0 31 2 *` never fires: none of its months has day 31"
        );
        assert_eq!(
            err("0 0 30 2 *"),
            "cron expression `0 0 30 2 *` never fires: none of its months has day 30"
        );
        assert_eq!(
            err("0 0 31 4,6,9,11 *"),
            "cron expression `0 0 31 4,6,9,11 *` never fires: none of its months has day 31"
        );
        assert_eq!(
            err("0 0 30,31 FEB *"),
            "cron expression `0 0 30,31 FEB *` never fires: none of its months has days 30, 31"
        );
        assert!(err("0 0 29 2 1").contains("about once in 28 years"));
        // Leap days, and the 31st of months that have one, do fire.
        for ok in [
            "0 0 29 2 *",
            "0 0 31 1-4 *",
            "0 0 30,31 2,3 *",
            "0 0 31 * *",
        ] {
            CronExpr::parse(ok).unwrap_or_else(|e| panic!("{ok}: {e}"));
        }
    }

    #[test]
    fn sunday_as_seven_ending_a_range() {
        let days = |e: &str| {
            let expr = CronExpr::parse(e).unwrap();
            // 2026-01-05 is a Monday.
            let after = Utc.with_ymd_and_hms(2026, 1, 4, 12, 0, 0).unwrap();
            expr.next_fires(&Utc, after, 7)
                .iter()
                .map(|t| t.format("%a").to_string())
                .collect::<Vec<_>>()
                .join(" ")
        };
        assert_eq!(days("0 0 * * 5-7"), "Fri Sat Sun Fri Sat Sun Fri");
        assert_eq!(days("0 0 * * FRI-SUN"), "Fri Sat Sun Fri Sat Sun Fri");
        assert_eq!(days("0 0 * * 1-7"), "Mon Tue Wed Thu Fri Sat Sun");
        assert_eq!(days("0 0 * JAN-DEC MON-SUN"), "Mon Tue Wed Thu Fri Sat Sun");
        let dow = |e: &str| {
            CronExpr::parse(e)
                .unwrap()
                .temporal_fields()
                .day_of_week
                .clone()
        };
        assert_eq!(dow("0 0 * * 5-7"), [Range::one(0), Range::new(5, 6, 1)]);
        assert_eq!(dow("0 0 * * FRI-SUN"), [Range::one(0), Range::new(5, 6, 1)]);
        assert_eq!(dow("0 0 * * 1-7"), [Range::one(0), Range::new(1, 6, 1)]);
        assert_eq!(dow("0 0 * * 7"), [Range::one(0)]);
    }

    /// The walk over every fire these replaced: the reference the field-based gaps must
    /// agree with.
    fn walked(expr: &CronExpr) -> (i64, i64) {
        let longest = {
            let start = chrono::NaiveDate::from_ymd_opt(2024, 1, 1)
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .unwrap();
            let horizon = start + chrono::Duration::days(731);
            let mut fires = expr.croner().iter_from(start, croner::Direction::Forward);
            let mut previous = fires.next().unwrap();
            let mut longest = 0;
            for fire in fires {
                longest = longest.max((fire - previous).num_seconds());
                if fire > horizon {
                    break;
                }
                previous = fire;
            }
            longest
        };
        let start = chrono::NaiveDate::from_ymd_opt(2025, 1, 1)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .unwrap();
        let horizon = start + chrono::Duration::days(400);
        let mut fires = expr.croner().iter_from(start, croner::Direction::Forward);
        let mut previous = fires.next().unwrap();
        let mut shortest = i64::MAX;
        for fire in fires.take(200_000) {
            if fire > horizon {
                break;
            }
            shortest = shortest.min((fire - previous).num_seconds());
            previous = fire;
        }
        (
            if shortest == i64::MAX {
                longest
            } else {
                shortest
            },
            longest,
        )
    }

    #[test]
    fn gaps_from_the_fields_agree_with_walking_every_fire() {
        let corpus = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/cron-corpus.tsv"
        ))
        .unwrap();
        let mut expressions: Vec<String> = corpus
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .map(|l| l.split('\t').next().unwrap().to_string())
            .collect();
        expressions.extend(
            [
                "0 0 29 2 *",
                "0 0 31 * *",
                "0 0 1 * 1",
                "10,50 8-9 * * *",
                "0 0,23 * * *",
                "*/7 */5 */3 */2 *",
                "59 23 31 12 *",
                "0 12 * * 0",
                "5 4 * * SUN-SAT",
            ]
            .map(String::from),
        );
        let mut checked = 0;
        for text in expressions {
            let Ok(expr) = CronExpr::parse(&text) else {
                continue;
            };
            let (shortest, longest) = walked(&expr);
            assert_eq!(
                expr.shortest_interval_seconds(),
                shortest,
                "shortest of `{text}`"
            );
            assert_eq!(
                expr.longest_interval_seconds(),
                longest,
                "longest of `{text}`"
            );
            checked += 1;
        }
        assert!(checked > 40, "{checked} expressions");
    }

    #[test]
    fn shortest_interval() {
        let seconds = |e: &str| CronExpr::parse(e).unwrap().shortest_interval_seconds();
        assert_eq!(seconds("* * * * *"), 60);
        assert_eq!(seconds("*/15 * * * *"), 900);
        assert_eq!(seconds("0 9,17 * * *"), 8 * 3600);
        assert_eq!(seconds("0 0 * * 1,2"), 86_400);
        assert_eq!(seconds("0 0 1 * *"), 28 * 86_400);
        assert_eq!(seconds("@yearly"), 365 * 86_400);
    }

    #[test]
    fn field_count_message() {
        assert_eq!(
            CronExpr::parse("*/15 * * *").unwrap_err(),
            "cron expression `*/15 * * *` has 4 fields, expected 5 (minute hour day-of-month month day-of-week)"
        );
    }

    #[test]
    fn day_of_month_and_day_of_week_are_anded_like_temporal() {
        let expr = CronExpr::parse("0 0 1 * 1").unwrap();
        let after = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let fires = expr.next_fires(&Utc, after, 2);
        // The 1st of a month that is a Monday: June 2026, then February 2027.
        assert_eq!(fires[0].to_rfc3339(), "2026-06-01T00:00:00+00:00");
        assert_eq!(fires[1].to_rfc3339(), "2027-02-01T00:00:00+00:00");
    }

    #[test]
    fn longest_interval() {
        let seconds = |e: &str| CronExpr::parse(e).unwrap().longest_interval_seconds();
        assert_eq!(seconds("*/15 * * * *"), 900);
        assert_eq!(seconds("20 7 * * *"), 86_400);
        assert_eq!(seconds("0 9,17 * * *"), 16 * 3600);
        assert_eq!(seconds("30 3 * * 0"), 7 * 86_400);
        assert_eq!(seconds("0 0 1 * *"), 31 * 86_400);
        assert_eq!(seconds("@hourly"), 3600);
    }

    #[test]
    fn next_fires_in_zone() {
        let expr = CronExpr::parse("20 7 * * *").unwrap();
        let after = Utc.with_ymd_and_hms(2026, 11, 22, 12, 0, 0).unwrap();
        let fires = expr.next_fires(&chrono_tz::Europe::Berlin, after, 3);
        let utc: Vec<String> = fires
            .iter()
            .map(|f| f.with_timezone(&Utc).to_rfc3339())
            .collect();
        assert_eq!(
            utc,
            [
                "2026-11-23T06:20:00+00:00",
                "2026-11-24T06:20:00+00:00",
                "2026-11-25T06:20:00+00:00"
            ]
        );
    }
}
