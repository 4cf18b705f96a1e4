//! How often a schedule fires, in fires per day, counted the way the Temporal server fires it
//! ([`CompiledCalendar`]) in the schedule's own zone: weekday-only crons, month lengths and
//! daylight-saving changes come out as they happen.
//!
//! The window is 52 whole weeks (364 local days) from the next local midnight after `now`:
//! whole weeks make a weekday cron exact (`0 9 * * 1-5` is 260 / 364 = 5/7 a day), and a
//! year holds every month of a monthly cron (`0 0 1 * *` is 12 / 364, about 12/365) and both
//! DST changes of a zone (an hourly cron in Europe/Berlin has no 02:00 in March and fires the
//! repeated 02:00 of October once, as the server does: 8,735 fires in the year, 23.997 a day).
//!
//! Nothing is enumerated minute by minute for a year: a local day of 24 hours at one offset
//! (all but one or two days a year) holds exactly `times_a_day` fires when its date matches;
//! only the days of an offset change are walked fire by fire with the server's own search
//! ([`CompiledCalendar::next`]). A year of any cron costs 364 date checks and at most a few
//! days of search.

use chrono::{DateTime, Duration, NaiveDate, Offset, TimeZone, Utc};
use chrono_tz::Tz;

use super::calendar::Calendar;
use super::compiled_calendar::CompiledCalendar;

/// Days in the counting window: 52 whole weeks.
pub const WINDOW_DAYS: i64 = 364;

/// The calendars of one schedule, compiled: a schedule fires once at an instant that any
/// of its calendars matches.
#[derive(Debug, Clone)]
pub struct CalendarSet {
    calendars: Vec<CompiledCalendar>,
}

impl CalendarSet {
    pub fn new(calendars: &[Calendar], tz: Tz) -> CalendarSet {
        CalendarSet {
            calendars: calendars
                .iter()
                .map(|c| CompiledCalendar::new(c, tz))
                .collect(),
        }
    }

    /// The first fire strictly after `after`.
    pub fn next(&self, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.calendars
            .iter()
            .filter_map(|c| c.next(after).map(|m| m.utc))
            .min()
    }

    /// Fires in `[from, to)`, by the server's search started at `walk_from`: where a search
    /// starts matters near an offset change (it remembers standing in a repeated hour), so a
    /// day of change is walked from two days before it, as the server walks from its last
    /// fire.
    fn count_between(
        &self,
        walk_from: DateTime<Utc>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> usize {
        let mut count = 0;
        let mut t = walk_from - Duration::seconds(1);
        while let Some(next) = self.next(t).filter(|n| *n < to) {
            if next >= from {
                count += 1;
            }
            t = next;
        }
        count
    }

    /// Fires in the local `day` that starts at `start` and ends at `end`.
    fn count_day(&self, day: NaiveDate, start: DateTime<Utc>, end: DateTime<Utc>) -> usize {
        let tz = match self.calendars.first() {
            Some(c) => c.tz(),
            None => return 0,
        };
        let offset = |t: DateTime<Utc>| tz.offset_from_utc_datetime(&t.naive_utc()).fix();
        match self.calendars.as_slice() {
            // A plain day: every matching wall time once. The day after a change is not
            // plain either: the search still remembers the repeated hour that ended it.
            [calendar]
                if end - start == Duration::days(1)
                    && offset(start) == offset(end)
                    && offset(start - Duration::days(1)) == offset(start) =>
            {
                if calendar.matches_day(day) {
                    calendar.times_a_day() as usize
                } else {
                    0
                }
            }
            _ => self.count_between(start - Duration::days(2), start, end),
        }
    }
}

/// Fires per day of the calendars in `tz`, counted over the [`WINDOW_DAYS`] local days from
/// the first local midnight after `from` (see the module comment).
pub fn fires_per_day(calendars: &[Calendar], tz: Tz, from: DateTime<Utc>) -> f64 {
    let set = CalendarSet::new(calendars, tz);
    let Some(compiled) = set.calendars.first() else {
        return 0.0;
    };
    let midnight = |day: NaiveDate| compiled.resolve(day.and_hms_opt(0, 0, 0).expect("midnight"));
    let mut day = from.with_timezone(&tz).date_naive() + Duration::days(1);
    let mut start = midnight(day);
    let mut fires = 0usize;
    for _ in 0..WINDOW_DAYS {
        let next_day = day + Duration::days(1);
        let end = midnight(next_day);
        fires += set.count_day(day, start, end);
        (day, start) = (next_day, end);
    }
    // Counts stay far below 2^52: exact as f64.
    fires as f64 / WINDOW_DAYS as f64
}

/// Every fire of the calendars in `(from, to]` as the window it may start in:
/// `(nominal instant, end of its jitter window)`, the end equal to the instant without
/// jitter. Temporal's jitter never pushes a fire past the following one. At most `limit`.
pub fn fire_windows(
    set: &CalendarSet,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    jitter_seconds: u64,
    limit: usize,
) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    let jitter = Duration::seconds(i64::try_from(jitter_seconds).unwrap_or(i64::MAX / 2));
    let mut out = Vec::new();
    let mut next = set.next(from);
    while let Some(at) = next.filter(|n| *n <= to) {
        if out.len() == limit {
            break;
        }
        let following = set.next(at);
        let room = following.map_or(jitter, |f| (f - at).min(jitter));
        out.push((at, at + room));
        next = following;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::definition::CronExpr;
    use crate::schedule::calendar::from_cron;

    fn rate_of(cron: &str, tz: &str, from: &str) -> f64 {
        let expr = CronExpr::parse(cron).unwrap();
        let from = DateTime::parse_from_rfc3339(from)
            .unwrap()
            .with_timezone(&Utc);
        fires_per_day(&[from_cron(&expr)], tz.parse().unwrap(), from)
    }

    #[test]
    fn rates_of_common_crons() {
        let from = "2026-03-20T12:00:00Z";
        assert_eq!(rate_of("0 * * * *", "UTC", from), 24.0);
        assert_eq!(rate_of("20 7 * * *", "UTC", from), 1.0);
        assert_eq!(rate_of("0 9 * * 1-5", "Europe/Berlin", from), 5.0 / 7.0);
        assert_eq!(rate_of("0 0 1 * *", "UTC", from), 12.0 / 364.0);
        assert_eq!(rate_of("0 6 * * 1", "America/New_York", from), 1.0 / 7.0);
        // Dense: counted over whole weeks, still exact.
        assert_eq!(rate_of("*/5 * * * *", "UTC", from), 288.0);
        assert_eq!(rate_of("* * * * *", "UTC", from), 1440.0);
    }

    #[test]
    fn dst_counts_in_the_zone() {
        // Both of Berlin's changes are in the year: the hour lost in March is not fired
        // twice in October (the server fires a repeated 02:00 once), one fire fewer a year.
        assert_eq!(
            rate_of("0 * * * *", "Europe/Berlin", "2026-03-20T12:00:00Z"),
            8735.0 / 364.0
        );
        assert_eq!(rate_of("0 * * * *", "UTC", "2026-03-20T12:00:00Z"), 24.0);
        // 02:30 does not exist on the day clocks jump forward: one fire fewer a year.
        assert_eq!(
            rate_of("30 2 * * *", "Europe/Berlin", "2026-03-20T12:00:00Z"),
            363.0 / 364.0
        );
        // A dense cron: the server's search keeps firing every five minutes of real time
        // through the spring gap and does not fire the whole repeated hour of October.
        assert_eq!(
            rate_of("*/5 * * * *", "Europe/Berlin", "2026-03-20T12:00:00Z"),
            (288.0 * 364.0 - 24.0) / 364.0
        );
    }

    /// The day-by-day count agrees with walking every fire of the year with the server's
    /// search, in zones with gaps, repeated hours, half-hour changes and midnight changes.
    #[test]
    fn counting_by_day_agrees_with_walking_every_fire() {
        let from = DateTime::parse_from_rfc3339("2026-03-20T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        for tz in [
            "Europe/Berlin",
            "America/New_York",
            "Australia/Lord_Howe",
            "America/Santiago",
            "Asia/Beirut",
            "UTC",
        ] {
            let tz: Tz = tz.parse().unwrap();
            for cron in [
                "*/5 * * * *",
                "0 * * * *",
                "30 2 * * *",
                "0 0 * * *",
                "0 9 * * 1-5",
                "15 0,1,2,3 1 * *",
            ] {
                let calendars = [from_cron(&CronExpr::parse(cron).unwrap())];
                let set = CalendarSet::new(&calendars, tz);
                let day = from.with_timezone(&tz).date_naive() + Duration::days(1);
                let compiled = &set.calendars[0];
                let midnight = |d: NaiveDate| compiled.resolve(d.and_hms_opt(0, 0, 0).unwrap());
                let walked = set.count_between(
                    midnight(day),
                    midnight(day),
                    midnight(day + Duration::days(WINDOW_DAYS)),
                );
                assert_eq!(
                    fires_per_day(&calendars, tz, from),
                    walked as f64 / WINDOW_DAYS as f64,
                    "{cron} in {tz}"
                );
            }
        }
    }

    #[test]
    fn jitter_windows_stop_at_the_following_fire() {
        let expr = CronExpr::parse("*/5 * * * *").unwrap();
        let set = CalendarSet::new(&[from_cron(&expr)], chrono_tz::UTC);
        let from = DateTime::parse_from_rfc3339("2026-03-20T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let w = fire_windows(&set, from, from + Duration::minutes(10), 600, 10);
        assert_eq!(w.len(), 2);
        assert_eq!(w[0].1 - w[0].0, Duration::minutes(5));
        let w = fire_windows(&set, from, from + Duration::minutes(10), 0, 10);
        assert_eq!(w[0].0, w[0].1);
    }
}
