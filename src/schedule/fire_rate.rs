//! How often a schedule fires, in fires per day, counted the way the Temporal server fires it
//! ([`CompiledCalendar`]) in the schedule's own zone: weekday-only crons, month lengths and
//! daylight-saving changes come out as they happen.
//!
//! The window is 52 whole weeks (364 days) from `now`: whole weeks make a weekday cron exact
//! (`0 9 * * 1-5` is 260 / 364 = 5/7 a day), and a year holds every month of a monthly cron
//! (`0 0 1 * *` is 12 / 364, about 12/365) and both DST changes of a zone (an hourly cron in
//! Europe/Berlin has no 02:00 in March and fires the repeated 02:00 of October once, as the
//! server does: 8,735 fires in the year, 23.997 a day). Counting
//! stops after [`MAX_COUNTED`] fires, so a dense cron is not enumerated for a whole year: its
//! rate is then the count over the whole weeks enumerated (at least one: a `* * * * *` week
//! holds 10,080 fires), so `*/5 * * * *` is counted over 9 weeks. Hourly and sparser crons
//! always get the whole year.

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;

use super::calendar::Calendar;
use super::compiled_calendar::CompiledCalendar;

/// Days in the counting window: 52 whole weeks.
pub const WINDOW_DAYS: i64 = 364;
/// Fires counted at most per schedule before the window is cut to whole weeks.
pub const MAX_COUNTED: usize = 20_000;

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
}

/// Fires per day of the calendars in `tz`, counted over the [`WINDOW_DAYS`] after `from`
/// (fewer whole weeks past [`MAX_COUNTED`] fires; see the module comment).
pub fn fires_per_day(calendars: &[Calendar], tz: Tz, from: DateTime<Utc>) -> f64 {
    let set = CalendarSet::new(calendars, tz);
    let end = from + Duration::days(WINDOW_DAYS);
    let week = Duration::days(7);
    // Fires counted up to the end of each whole week so far.
    let mut at_week_end = 0usize;
    let mut weeks = 0i64;
    let mut count = 0usize;
    let mut t = from;
    while let Some(next) = set.next(t).filter(|n| *n <= end) {
        while next > from + week * i32::try_from(weeks + 1).unwrap_or(i32::MAX) {
            weeks += 1;
            at_week_end = count;
        }
        if count == MAX_COUNTED {
            return rate(at_week_end, weeks.max(1) * 7);
        }
        count += 1;
        t = next;
    }
    rate(count, WINDOW_DAYS)
}

fn rate(fires: usize, days: i64) -> f64 {
    // Counts stay far below 2^52: exact as f64.
    fires as f64 / days as f64
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
        // A dense cron, counted over the nine weeks that hold the spring change: the server's
        // search keeps firing every five minutes of real time through the gap.
        assert_eq!(
            rate_of("*/5 * * * *", "Europe/Berlin", "2026-03-20T12:00:00Z"),
            288.0
        );
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
