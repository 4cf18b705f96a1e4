//! A calendar searched the way the Temporal server searches it, daylight-saving time included.
//!
//! The server (service/worker/scheduler `compiledCalendar.next`, unchanged from 1.20 to 1.32)
//! walks the wall clock of the schedule's zone field by field, from the year down to the
//! second, and turns each candidate into an instant with Go's `time.Date`. Three rules follow,
//! and every one of them was measured on the dev server (tests/dst_corpus.rs):
//!
//! - **Go's `time.Date`** resolves a wall time by looking up the zone's offset at the wall
//!   time read as if it were UTC, and, when the result falls outside that offset's period, at
//!   the result instead. A wall time that exists twice therefore becomes the *later* instant
//!   in zones east of UTC (Europe/Berlin: the second 02:30) and the *earlier* one west of it
//!   (America/New_York: the first 01:30); one that does not exist becomes the instant the old
//!   or the new offset gives it.
//! - **Nonexistent times**: a candidate whose instant shows another hour on the clock than the
//!   candidate's own is dropped (Berlin `30 2 28 3 *` does not fire on 2027-03-28). When the
//!   gap is shorter than an hour (Australia/Lord_Howe: 30 minutes) the hour can survive, and
//!   the fire happens at the resolved time instead (02:15 fires at 02:45).
//! - **Repeated hours**: when moving from one matching hour to the next takes the clock two
//!   hours of real time, the search tries the same hour again one real hour later. So a
//!   schedule whose repeated hour matches and that reaches it from the hour before fires in
//!   both copies (New York `30 1 7 11 *` fires at 05:30 and 06:30 UTC), one that reaches it
//!   only by the day or hour search fires once, where `time.Date` put it (Berlin
//!   `30 2 31 10 *`: the second 02:30), and an hourly cron in Berlin fires at the first 02:30
//!   (one real hour after 01:30) but not at the second.
//! - **Weekdays** are read from the candidate's instant while the search stands at midnight:
//!   on a day whose midnight does not exist (America/Santiago's September change) the
//!   instant falls on the day before, so a weekday-only calendar misses that day.
//!
//! This is a reading of the server's behaviour rewritten in Rust, not a copy of its code.

use chrono::{
    DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, Offset, TimeZone, Timelike, Utc,
};
use chrono_tz::Tz;

use super::calendar::{Calendar, Range};

/// The last year the server searches (`maxCalendarYear`).
const MAX_YEAR: i32 = 2100;

/// A calendar as bit sets, in its zone.
#[derive(Debug, Clone)]
pub struct CompiledCalendar {
    tz: Tz,
    second: u64,
    minute: u64,
    hour: u64,
    day_of_month: u64,
    month: u64,
    day_of_week: u64,
    /// Empty: any year.
    years: Vec<i32>,
}

/// One match of the search: the instant, and the wall-clock time the calendar matched there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Match {
    pub utc: DateTime<Utc>,
    /// The wall-clock time the search matched; the fire's own wall clock differs from it when
    /// the time did not exist (a gap shorter than an hour) or the repeated-hour retry moved it.
    pub wall: NaiveDateTime,
}

fn bits(ranges: &[Range]) -> u64 {
    ranges
        .iter()
        .flat_map(Range::values)
        .filter(|v| (0..64).contains(v))
        .fold(0, |acc, v| acc | 1 << v)
}

fn has(bits: u64, value: i32) -> bool {
    (0..64).contains(&value) && bits & (1 << value) != 0
}

fn days_in_month(month: i32, year: i32) -> i32 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl CompiledCalendar {
    pub fn new(calendar: &Calendar, tz: Tz) -> CompiledCalendar {
        let mut day_of_week = bits(&calendar.day_of_week);
        // 7 is Sunday too.
        day_of_week |= day_of_week >> 7;
        CompiledCalendar {
            tz,
            second: bits(&calendar.second),
            minute: bits(&calendar.minute),
            hour: bits(&calendar.hour),
            day_of_month: bits(&calendar.day_of_month),
            month: bits(&calendar.month),
            day_of_week,
            years: calendar.year.iter().flat_map(Range::values).collect(),
        }
    }

    pub fn tz(&self) -> Tz {
        self.tz
    }

    fn year_matches(&self, year: i32) -> bool {
        self.years.is_empty() || self.years.contains(&year)
    }

    /// Whether the calendar matches some wall-clock time of `day` (its date fields).
    pub fn matches_day(&self, day: NaiveDate) -> bool {
        self.year_matches(day.year())
            && has(self.month, day.month() as i32)
            && has(self.day_of_month, day.day() as i32)
            && has(
                self.day_of_week,
                day.weekday().num_days_from_sunday() as i32,
            )
    }

    /// How many wall-clock times of a matching day the calendar matches.
    pub fn times_a_day(&self) -> u32 {
        let count = |bits: u64, max: u32| (bits & ((1u64 << (max + 1)) - 1)).count_ones();
        count(self.hour, 23) * count(self.minute, 59) * count(self.second, 59)
    }

    /// Every matching wall-clock time in `[from, to]`, in order (the naive reading).
    pub fn walls_between(&self, from: NaiveDateTime, to: NaiveDateTime) -> Vec<NaiveDateTime> {
        let values = |bits: u64, max: u32| (0..=max).filter(move |v| bits & (1 << v) != 0);
        let mut out = Vec::new();
        let mut day = from.date();
        while day <= to.date() {
            if self.matches_day(day) {
                for h in values(self.hour, 23) {
                    for m in values(self.minute, 59) {
                        for s in values(self.second, 59) {
                            let wall = day.and_hms_opt(h, m, s).expect("a valid time");
                            if from <= wall && wall <= to {
                                out.push(wall);
                            }
                        }
                    }
                }
            }
            let Some(next) = day.succ_opt() else { break };
            day = next;
        }
        out
    }

    fn offset_at(&self, t: DateTime<Utc>) -> i64 {
        i64::from(
            self.tz
                .offset_from_utc_datetime(&t.naive_utc())
                .fix()
                .local_minus_utc(),
        )
    }

    /// A wall-clock time as an instant, the way Go's `time.Date` resolves it: the offset in
    /// force at the wall time read as UTC, unless the instant that gives lies outside that
    /// offset's period, then the offset in force at that instant.
    pub fn resolve(&self, wall: NaiveDateTime) -> DateTime<Utc> {
        let as_utc = wall.and_utc();
        let first = as_utc - Duration::seconds(self.offset_at(as_utc));
        as_utc - Duration::seconds(self.offset_at(first))
    }

    /// `time.Date(y, mo, d, h, m, s)`, with an hour of 24 carried into the next day.
    fn date(&self, y: i32, mo: i32, d: i32, h: i32, m: i32, s: i32) -> DateTime<Utc> {
        let first = NaiveDate::from_ymd_opt(y, mo as u32, 1)
            .expect("a month between 1 and 12")
            .and_hms_opt(0, 0, 0)
            .expect("midnight");
        let wall = first
            + Duration::days(i64::from(d - 1))
            + Duration::seconds(i64::from(h * 3600 + m * 60 + s));
        self.resolve(wall)
    }

    fn local(&self, t: DateTime<Utc>) -> NaiveDateTime {
        t.with_timezone(&self.tz).naive_local()
    }

    /// The first match strictly after `after` (whole seconds), or `None` before 2101.
    pub fn next(&self, after: DateTime<Utc>) -> Option<Match> {
        let start = self.local(after);
        let (mut y, mut mo, mut d) = (start.year(), start.month() as i32, start.day() as i32);
        let (mut h, mut m, mut s) = (
            start.hour() as i32,
            start.minute() as i32,
            start.second() as i32,
        );
        // Standing in the second copy of a repeated hour: what is found in it is an hour later
        // than `time.Date` would put it.
        let mut repeat = self.local(after - Duration::hours(1)).hour() as i32 == h;
        s += 1;
        'outer: loop {
            if s >= 60 {
                m += 1;
                s = 0;
            }
            if m >= 60 {
                let prev = self.date(y, mo, d, h, 0, 0);
                h += 1;
                m = 0;
                let next = self.date(y, mo, d, h, 0, 0);
                // The next hour is two real hours later: the hour repeats, search it again.
                if !repeat && next - prev > Duration::hours(1) {
                    h -= 1;
                    repeat = true;
                } else {
                    repeat = false;
                }
            }
            if h >= 24 {
                d += 1;
                h = 0;
            }
            if d > days_in_month(mo, y) {
                mo += 1;
                d = 1;
            }
            if mo > 12 {
                y += 1;
                mo = 1;
            }
            if y > MAX_YEAR {
                return None;
            }
            if !self.year_matches(y) {
                (y, mo, d, h, m, s) = (y + 1, 1, 1, 0, 0, 0);
                repeat = false;
                continue 'outer;
            }
            while !has(self.month, mo) {
                (mo, d, h, m, s) = (mo + 1, 1, 0, 0, 0);
                repeat = false;
                if mo > 12 {
                    continue 'outer;
                }
            }
            while !has(self.day_of_month, d)
                || !has(self.day_of_week, self.weekday(y, mo, d, h, m, s))
            {
                (d, h, m, s) = (d + 1, 0, 0, 0);
                repeat = false;
                if d > days_in_month(mo, y) {
                    continue 'outer;
                }
            }
            while !has(self.hour, h) {
                (h, m, s) = (h + 1, 0, 0);
                repeat = false;
                if h >= 24 {
                    continue 'outer;
                }
            }
            while !has(self.minute, m) {
                (m, s) = (m + 1, 0);
                if m >= 60 {
                    continue 'outer;
                }
            }
            while !has(self.second, s) {
                s += 1;
                if s >= 60 {
                    continue 'outer;
                }
            }
            let found = self.date(y, mo, d, h, m, s);
            // A wall time a transition jumped over shows another hour on the clock: not a fire.
            if self.local(found).hour() as i32 != h {
                (h, m, s) = (h + 1, 0, 0);
                continue 'outer;
            }
            let wall = NaiveDate::from_ymd_opt(y, mo as u32, d as u32)
                .and_then(|date| date.and_hms_opt(h as u32, m as u32, s as u32))
                .expect("a normalised wall time");
            let utc = if repeat {
                found + Duration::hours(1)
            } else {
                found
            };
            return Some(Match { utc, wall });
        }
    }

    /// The weekday of a candidate, read from its instant (Sunday = 0).
    fn weekday(&self, y: i32, mo: i32, d: i32, h: i32, m: i32, s: i32) -> i32 {
        self.local(self.date(y, mo, d, h, m, s))
            .weekday()
            .num_days_from_sunday() as i32
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::definition::CronExpr;
    use crate::schedule::calendar::from_cron;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn fires(cron: &str, zone: &str, after: &str, n: usize) -> Vec<String> {
        let calendar = from_cron(&CronExpr::parse(cron).unwrap());
        let compiled = CompiledCalendar::new(&calendar, zone.parse().unwrap());
        let mut t = at(after);
        let mut out = Vec::new();
        for _ in 0..n {
            let Some(found) = compiled.next(t) else { break };
            out.push(found.utc.format("%Y-%m-%dT%H:%M:%SZ").to_string());
            t = found.utc;
        }
        out
    }

    // Each expectation below is what the Temporal 1.32 dev server returned as
    // `futureActionTimes` for the same cron, zone and start time.

    #[test]
    fn berlin_gap_does_not_fire() {
        assert_eq!(
            fires("30 2 28 3 *", "Europe/Berlin", "2027-03-01T00:00:00Z", 3),
            [
                "2028-03-28T00:30:00Z",
                "2029-03-28T00:30:00Z",
                "2030-03-28T01:30:00Z"
            ]
        );
    }

    #[test]
    fn berlin_repeated_time_fires_once_at_the_second() {
        assert_eq!(
            fires("30 2 31 10 *", "Europe/Berlin", "2027-10-01T00:00:00Z", 2),
            ["2027-10-31T01:30:00Z", "2028-10-31T01:30:00Z"]
        );
    }

    #[test]
    fn new_york_repeated_time_fires_twice() {
        assert_eq!(
            fires("30 1 7 11 *", "America/New_York", "2027-11-01T00:00:00Z", 3),
            [
                "2027-11-07T05:30:00Z",
                "2027-11-07T06:30:00Z",
                "2028-11-07T06:30:00Z"
            ]
        );
    }

    #[test]
    fn berlin_hourly_fires_at_the_first_repeated_half_hour_only() {
        assert_eq!(
            fires("30 * * * *", "Europe/Berlin", "2027-10-30T21:00:00Z", 6),
            [
                "2027-10-30T21:30:00Z",
                "2027-10-30T22:30:00Z",
                "2027-10-30T23:30:00Z",
                "2027-10-31T00:30:00Z",
                "2027-10-31T02:30:00Z",
                "2027-10-31T03:30:00Z"
            ]
        );
    }

    #[test]
    fn santiago_skips_the_sunday_whose_midnight_does_not_exist() {
        assert_eq!(
            fires("0 12 * * 0", "America/Santiago", "2027-09-03T00:00:00Z", 2),
            ["2027-09-12T15:00:00Z", "2027-09-19T15:00:00Z"]
        );
    }

    #[test]
    fn lord_howe_half_hour_gap_moves_the_fire() {
        assert_eq!(
            fires(
                "15 2 * * *",
                "Australia/Lord_Howe",
                "2027-10-01T00:00:00Z",
                3
            ),
            [
                "2027-10-01T15:45:00Z",
                "2027-10-02T15:45:00Z",
                "2027-10-03T15:15:00Z"
            ]
        );
    }

    /// Without daylight-saving time the search is the plain calendar: every corpus cron, in UTC
    /// and in a zone with a fixed half-hour offset, against the calendar's own matches.
    #[test]
    fn without_dst_the_search_is_the_calendar() {
        use crate::schedule::calendar::corpus;
        for (cron, _) in corpus() {
            let calendar = from_cron(&CronExpr::parse(cron).unwrap());
            for zone in [chrono_tz::UTC, chrono_tz::Asia::Kolkata] {
                let compiled = CompiledCalendar::new(&calendar, zone);
                for after in [
                    "2026-01-01T00:00:00Z",
                    "2027-12-30T23:59:30Z",
                    "2028-02-27T12:00:00Z",
                ] {
                    let after = at(after);
                    let local = after.with_timezone(&zone).naive_local();
                    let expected: Vec<NaiveDateTime> = calendar.next_matches(local, 40, 30 * 366);
                    let mut found = Vec::new();
                    let mut t = after;
                    while found.len() < expected.len() {
                        let Some(m) = compiled.next(t) else { break };
                        found.push(m.utc.with_timezone(&zone).naive_local());
                        t = m.utc;
                    }
                    assert_eq!(found, expected, "{cron} in {zone} after {after}");
                }
            }
        }
    }

    #[test]
    fn go_date_resolution() {
        let berlin = CompiledCalendar::new(
            &from_cron(&CronExpr::parse("0 0 * * *").unwrap()),
            chrono_tz::Europe::Berlin,
        );
        let wall = |s: &str| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
        // Repeated: the later instant east of UTC.
        assert_eq!(
            berlin.resolve(wall("2027-10-31 02:30")),
            at("2027-10-31T01:30:00Z")
        );
        // Missing: the old offset's reading, which the clock shows as 03:30.
        assert_eq!(
            berlin.resolve(wall("2027-03-28 02:30")),
            at("2027-03-28T01:30:00Z")
        );
        let new_york = CompiledCalendar::new(
            &from_cron(&CronExpr::parse("0 0 * * *").unwrap()),
            chrono_tz::America::New_York,
        );
        // Repeated: the earlier instant west of UTC.
        assert_eq!(
            new_york.resolve(wall("2027-11-07 01:30")),
            at("2027-11-07T05:30:00Z")
        );
    }
}
