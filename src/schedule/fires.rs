//! When a schedule fires, in its zone and in UTC, exactly as the Temporal server computes it
//! ([`CompiledCalendar`]), and what a daylight-saving change does to its fires: a local time
//! that does not exist does not fire (or fires later, when the gap is shorter than an hour); a
//! repeated one fires once or twice, as the server's calendar search resolves it.

use std::collections::BTreeSet;
use std::fmt;

use chrono::{DateTime, Duration, LocalResult, NaiveDateTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::calendar::{Calendar, from_cron};
use super::compiled_calendar::{CompiledCalendar, Match};
use crate::definition::CronExpr;

/// One upcoming fire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fire {
    /// Local time with its offset, e.g. `2026-11-23T07:20:00+01:00`.
    pub local: String,
    pub utc: DateTime<Utc>,
}

/// What a daylight-saving change of the zone does to a cron schedule's fires.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DstWarning {
    /// `gap` (clocks jump forward) or `overlap` (clocks fall back).
    pub kind: String,
    /// The first local wall time of the schedule the change affects.
    pub wall_time: NaiveDateTime,
    pub message: String,
}

/// How daylight-saving time moved one fire away from its plain wall-clock reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DstShift {
    /// The first of the two instants of a repeated wall time.
    First(NaiveDateTime),
    /// The second of the two instants of a repeated wall time.
    Second(NaiveDateTime),
    /// The wall time the calendar matched does not exist; the fire is at a later one.
    Moved { from: NaiveDateTime },
}

impl fmt::Display for DstShift {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DstShift::First(wall) => write!(
                f,
                "the first {} (clocks fall back after it)",
                wall.format("%H:%M")
            ),
            DstShift::Second(wall) => {
                write!(f, "the second {} (clocks fell back)", wall.format("%H:%M"))
            }
            DstShift::Moved { from } => write!(
                f,
                "moved: {} does not exist (clocks jump forward)",
                from.format("%H:%M")
            ),
        }
    }
}

/// One fire in a window, as `upcoming` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduledFire {
    /// The nominal instant (before jitter).
    pub utc: DateTime<Utc>,
    /// Local time with its offset.
    pub local: String,
    pub dst: Option<DstShift>,
    /// With `jitter_seconds`: the fire starts somewhere in `[utc, jitter_until)` (Temporal
    /// picks the point from a hash; the window never reaches the following fire).
    pub jitter_until: Option<DateTime<Utc>>,
}

/// The fires in a window, and whether the window held more than the limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FiresInWindow {
    pub fires: Vec<ScheduledFire>,
    pub truncated: bool,
}

fn compiled(expr: &CronExpr, tz: Tz) -> CompiledCalendar {
    CompiledCalendar::new(&from_cron(expr), tz)
}

fn local_string(tz: Tz, t: DateTime<Utc>) -> String {
    t.with_timezone(&tz).to_rfc3339()
}

/// The next `n` fires strictly after `after`.
pub fn next_fires(expr: &CronExpr, tz: Tz, after: DateTime<Utc>, n: usize) -> Vec<Fire> {
    let calendar = compiled(expr, tz);
    let mut out = Vec::with_capacity(n);
    let mut t = after;
    while out.len() < n {
        let Some(found) = calendar.next(t) else { break };
        out.push(Fire {
            local: local_string(tz, found.utc),
            utc: found.utc,
        });
        t = found.utc;
    }
    out
}

/// How DST moved a match, if it did.
fn shift(calendar: &CompiledCalendar, found: &Match) -> Option<DstShift> {
    let tz = calendar.tz();
    let wall = found.utc.with_timezone(&tz).naive_local();
    match tz.from_local_datetime(&wall) {
        LocalResult::Ambiguous(first, _) if first.with_timezone(&Utc) == found.utc => {
            Some(DstShift::First(wall))
        }
        LocalResult::Ambiguous(..) => Some(DstShift::Second(wall)),
        _ if wall != found.wall => Some(DstShift::Moved { from: found.wall }),
        _ => None,
    }
}

/// Every fire of `calendar` in `(from, to]`, at most `limit` of them.
pub fn fires_between(
    calendar: &Calendar,
    tz: Tz,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    jitter_seconds: u64,
    limit: usize,
) -> FiresInWindow {
    let calendar = CompiledCalendar::new(calendar, tz);
    let mut fires = Vec::new();
    let mut next = calendar.next(from);
    while let Some(found) = next.filter(|f| f.utc <= to) {
        if fires.len() == limit {
            return FiresInWindow {
                fires,
                truncated: true,
            };
        }
        let following = calendar.next(found.utc);
        // Temporal's jitter never pushes a fire past the following one.
        let jitter_until = (jitter_seconds > 0).then(|| {
            let jitter = Duration::seconds(i64::try_from(jitter_seconds).unwrap_or(i64::MAX / 2));
            let room = following.map_or(jitter, |f| (f.utc - found.utc).min(jitter));
            found.utc + room
        });
        fires.push(ScheduledFire {
            utc: found.utc,
            local: local_string(tz, found.utc),
            dst: shift(&calendar, &found),
            jitter_until,
        });
        next = following;
    }
    FiresInWindow {
        fires,
        truncated: false,
    }
}

/// A change of the zone's offset.
#[derive(Debug, Clone, Copy)]
struct Transition {
    at: DateTime<Utc>,
    before: i64,
    after: i64,
}

fn offset_at(tz: Tz, t: DateTime<Utc>) -> i64 {
    i64::from(
        tz.offset_from_utc_datetime(&t.naive_utc())
            .fix()
            .local_minus_utc(),
    )
}

/// A zone and a window.
type Scan = (Tz, DateTime<Utc>, DateTime<Utc>);

thread_local! {
    /// The last zones scanned: a plan asks for the same zone and window for every schedule
    /// (a memo of a pure function, nothing else).
    static TRANSITIONS: std::cell::RefCell<Vec<(Scan, Vec<Transition>)>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// The offset changes of `tz` in `[from, to)`.
fn transitions(tz: Tz, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<Transition> {
    let key = (tz, from, to);
    if let Some(found) = TRANSITIONS.with_borrow(|cache| {
        cache
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.clone())
    }) {
        return found;
    }
    let found = scan_transitions(tz, from, to);
    TRANSITIONS.with_borrow_mut(|cache| {
        if cache.len() >= 64 {
            cache.remove(0);
        }
        cache.push((key, found.clone()));
    });
    found
}

fn scan_transitions(tz: Tz, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<Transition> {
    let mut out = Vec::new();
    // Offsets change on whole minutes and months apart: scan by the hour, then pin each change
    // to the minute.
    let mut t = from;
    let mut previous = offset_at(tz, t);
    while t < to {
        let next = t + Duration::hours(1);
        let offset = offset_at(tz, next);
        if offset != previous {
            let mut at = t;
            while offset_at(tz, at + Duration::minutes(1)) == previous {
                at += Duration::minutes(1);
            }
            out.push(Transition {
                at: at + Duration::minutes(1),
                before: previous,
                after: offset,
            });
            previous = offset;
        }
        t = next;
    }
    out
}

/// What the DST changes of `tz` in the year after `after` do to the cron's fires.
pub fn dst_warnings(expr: &CronExpr, tz: Tz, after: DateTime<Utc>) -> Vec<DstWarning> {
    dst_warnings_between(&from_cron(expr), tz, after, after + Duration::days(366))
}

/// What the DST changes of `tz` in `[from, to)` do to the calendar's fires: one warning per
/// change that makes Temporal fire otherwise than the plain wall clock says.
pub fn dst_warnings_between(
    calendar: &Calendar,
    tz: Tz,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Vec<DstWarning> {
    let calendar = CompiledCalendar::new(calendar, tz);
    transitions(tz, from, to)
        .into_iter()
        .filter_map(|t| transition_warning(&calendar, t))
        .collect()
}

fn hm(wall: &NaiveDateTime) -> String {
    wall.format("%H:%M").to_string()
}

fn utc_hm(t: &DateTime<Utc>) -> String {
    t.format("%H:%M").to_string()
}

/// `a`, `a and b`, `a, b and c`, `a, b, c, d and 3 more`.
fn list(items: &[String]) -> String {
    const SHOWN: usize = 4;
    match items {
        [] => String::new(),
        [one] => one.clone(),
        _ if items.len() > SHOWN => format!(
            "{} and {} more",
            items[..SHOWN].join(", "),
            items.len() - SHOWN
        ),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// The wall-clock expectation around one change against what the server's search does.
fn transition_warning(calendar: &CompiledCalendar, t: Transition) -> Option<DstWarning> {
    let tz = calendar.tz();
    // The local day of the change, whatever the offsets: a day either side.
    let (span_from, span_to) = (t.at - Duration::hours(30), t.at + Duration::hours(30));
    let focus =
        |u: &DateTime<Utc>| *u > t.at - Duration::hours(26) && *u <= t.at + Duration::hours(26);

    // What Temporal does.
    let mut fired: Vec<Match> = Vec::new();
    let mut cursor = span_from;
    while let Some(found) = calendar.next(cursor).filter(|f| f.utc <= span_to) {
        fired.push(found);
        cursor = found.utc;
    }
    let fired_at: BTreeSet<DateTime<Utc>> = fired.iter().map(|f| f.utc).collect();

    // What the wall clock says: every matching minute, where it exists.
    let mut missing_walls = Vec::new(); // exist once, not fired
    let mut gap_walls = Vec::new(); // do not exist
    let mut repeated = Vec::new(); // (wall, first, second)
    let mut expected: BTreeSet<DateTime<Utc>> = BTreeSet::new();
    let wall_from = (span_from + Duration::seconds(t.before.min(t.after))).naive_utc();
    let wall_to = (span_to + Duration::seconds(t.before.max(t.after))).naive_utc();
    for wall in calendar.walls_between(wall_from, wall_to) {
        match tz.from_local_datetime(&wall) {
            LocalResult::Single(x) => {
                let x = x.with_timezone(&Utc);
                if focus(&x) {
                    expected.insert(x);
                    if !fired_at.contains(&x) {
                        missing_walls.push(wall);
                    }
                }
            }
            LocalResult::Ambiguous(a, b) => {
                let (a, b) = (a.with_timezone(&Utc), b.with_timezone(&Utc));
                expected.insert(a);
                expected.insert(b);
                repeated.push((wall, a, b));
            }
            LocalResult::None => gap_walls.push(wall),
        }
    }

    let mut parts = Vec::new();
    let date = t.at.with_timezone(&tz).date_naive();
    // Gaps: skipped, or moved to a later time of the same hour.
    let moved: Vec<&Match> = fired
        .iter()
        .filter(|f| focus(&f.utc) && !expected.contains(&f.utc) && gap_walls.contains(&f.wall))
        .collect();
    let skipped: Vec<String> = gap_walls
        .iter()
        .filter(|w| !moved.iter().any(|m| m.wall == **w))
        .map(hm)
        .collect();
    if !skipped.is_empty() {
        parts.push(format!("does not fire on {date} at {}", list(&skipped)));
    }
    for m in &moved {
        let local = m.utc.with_timezone(&tz);
        parts.push(format!(
            "fires at {} ({} UTC) instead of {}",
            local.format("%H:%M%:z"),
            utc_hm(&m.utc),
            hm(&m.wall)
        ));
    }
    // Repeated wall times: twice, once (which copy), or not at all.
    let (mut twice, mut first, mut second, mut none) = (vec![], vec![], vec![], vec![]);
    for (wall, a, b) in &repeated {
        match (fired_at.contains(a), fired_at.contains(b)) {
            (true, true) => twice.push((wall, a, b)),
            (true, false) => first.push((wall, a)),
            (false, true) => second.push((wall, b)),
            (false, false) => none.push(hm(wall)),
        }
    }
    match twice.as_slice() {
        [] => {}
        [(_, a, b)] => parts.push(format!(
            "fires twice, at {} and {} UTC",
            utc_hm(a),
            utc_hm(b)
        )),
        many => parts.push(format!(
            "fires twice at {}",
            list(&many.iter().map(|(w, ..)| hm(w)).collect::<Vec<_>>())
        )),
    }
    for (which, copies) in [("first", &first), ("second", &second)] {
        match copies.as_slice() {
            [] => {}
            [(w, at)] => parts.push(format!(
                "fires once, at the {which} {} ({} UTC)",
                hm(w),
                utc_hm(at)
            )),
            many => parts.push(format!(
                "fires once at the {which} {}",
                list(&many.iter().map(|(w, _)| hm(w)).collect::<Vec<_>>())
            )),
        }
    }
    if !none.is_empty() {
        parts.push(format!("does not fire at {}", list(&none)));
    }
    // Wall times that exist once but are not fired (a day whose midnight does not exist).
    if let Some(first_missing) = missing_walls.first() {
        parts.push(format!(
            "does not fire on {} at {}",
            first_missing.date(),
            list(&missing_walls.iter().map(hm).collect::<Vec<_>>())
        ));
    }
    // Fires the wall clock does not explain.
    let extra: Vec<String> = fired
        .iter()
        .filter(|f| focus(&f.utc) && !expected.contains(&f.utc) && !gap_walls.contains(&f.wall))
        .map(|f| {
            format!(
                "{} ({} UTC)",
                f.utc.with_timezone(&tz).format("%Y-%m-%d %H:%M%:z"),
                utc_hm(&f.utc)
            )
        })
        .collect();
    if !extra.is_empty() {
        parts.push(format!("also fires at {}", list(&extra)));
    }
    if parts.is_empty() {
        return None;
    }

    let forward = t.after > t.before;
    let clock_before = hm(&(t.at + Duration::seconds(t.before)).naive_utc());
    let clock_after = hm(&(t.at + Duration::seconds(t.after)).naive_utc());
    let change = if forward {
        format!("clocks jump forward from {clock_before} to {clock_after}")
    } else {
        format!("clocks fall back from {clock_before} to {clock_after}")
    };
    let (subject, verb) = if forward && !gap_walls.is_empty() {
        (
            gap_walls.iter().map(hm).collect::<Vec<_>>(),
            if gap_walls.len() == 1 {
                "does not exist"
            } else {
                "do not exist"
            },
        )
    } else if !forward && !repeated.is_empty() {
        (
            repeated.iter().map(|(w, ..)| hm(w)).collect::<Vec<_>>(),
            if repeated.len() == 1 {
                "happens twice"
            } else {
                "happen twice"
            },
        )
    } else {
        (Vec::new(), "")
    };
    let head = if subject.is_empty() {
        format!("{date}: {change} in {tz}")
    } else {
        format!("{date} {} {verb} in {tz} ({change})", list(&subject))
    };
    let wall_time = gap_walls
        .first()
        .or(repeated.first().map(|(w, ..)| w))
        .or(missing_walls.first())
        .copied()
        .or_else(|| {
            fired
                .iter()
                .find(|f| !expected.contains(&f.utc))
                .map(|f| f.wall)
        })?;
    Some(DstWarning {
        kind: if forward { "gap" } else { "overlap" }.to_string(),
        wall_time,
        message: format!("{head}: Temporal {}", parts.join("; ")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn messages(cron: &str, tz: Tz, after: &str) -> Vec<(String, String)> {
        dst_warnings(&CronExpr::parse(cron).unwrap(), tz, at(after))
            .into_iter()
            .map(|w| (w.kind, w.message))
            .collect()
    }

    #[test]
    fn next_three_in_zone_and_utc() {
        let expr = CronExpr::parse("20 7 * * *").unwrap();
        let fires = next_fires(
            &expr,
            chrono_tz::Europe::Berlin,
            at("2026-11-22T12:00:00Z"),
            3,
        );
        assert_eq!(fires[0].local, "2026-11-23T07:20:00+01:00");
        assert_eq!(fires[0].utc, at("2026-11-23T06:20:00Z"));
        assert_eq!(fires.len(), 3);
    }

    #[test]
    fn next_fires_skip_a_missing_time_and_take_the_second_of_a_repeated_one() {
        let expr = CronExpr::parse("30 2 * * *").unwrap();
        let berlin = chrono_tz::Europe::Berlin;
        let utc = |after: &str| -> Vec<String> {
            next_fires(&expr, berlin, at(after), 3)
                .iter()
                .map(|f| f.local.clone())
                .collect()
        };
        assert_eq!(
            utc("2027-03-26T12:00:00Z"),
            [
                "2027-03-27T02:30:00+01:00",
                "2027-03-29T02:30:00+02:00",
                "2027-03-30T02:30:00+02:00"
            ]
        );
        assert_eq!(
            utc("2027-10-29T12:00:00Z"),
            [
                "2027-10-30T02:30:00+02:00",
                "2027-10-31T02:30:00+01:00",
                "2027-11-01T02:30:00+01:00"
            ]
        );
    }

    #[test]
    fn the_three_measured_cases_say_what_temporal_does() {
        let berlin = chrono_tz::Europe::Berlin;
        assert_eq!(
            messages("30 2 28 3 *", berlin, "2027-01-01T00:00:00Z"),
            [(
                "gap".into(),
                "2027-03-28 02:30 does not exist in Europe/Berlin (clocks jump forward from 02:00 to 03:00): Temporal does not fire on 2027-03-28 at 02:30".into()
            )]
        );
        assert_eq!(
            messages("30 2 31 10 *", berlin, "2027-01-01T00:00:00Z"),
            [(
                "overlap".into(),
                "2027-10-31 02:30 happens twice in Europe/Berlin (clocks fall back from 03:00 to 02:00): Temporal fires once, at the second 02:30 (01:30 UTC)".into()
            )]
        );
        assert_eq!(
            messages("30 1 7 11 *", chrono_tz::America::New_York, "2027-01-01T00:00:00Z"),
            [(
                "overlap".into(),
                "2027-11-07 01:30 happens twice in America/New_York (clocks fall back from 02:00 to 01:00): Temporal fires twice, at 05:30 and 06:30 UTC".into()
            )]
        );
    }

    #[test]
    fn quirks_of_the_server_search_are_warned() {
        // Hourly in Berlin: the first 02:30 fires, the second does not.
        let hourly = messages(
            "30 * * * *",
            chrono_tz::Europe::Berlin,
            "2027-10-01T00:00:00Z",
        );
        // (and the spring gap of 2028 drops 02:30, as for any cron).
        assert_eq!(hourly.len(), 2, "{hourly:?}");
        assert!(
            hourly[0]
                .1
                .ends_with("Temporal fires once, at the first 02:30 (00:30 UTC)"),
            "{hourly:?}"
        );
        // Santiago: the Sunday whose midnight does not exist is skipped by a Sunday cron.
        let sunday = messages(
            "0 12 * * 0",
            chrono_tz::America::Santiago,
            "2027-08-01T00:00:00Z",
        );
        assert_eq!(
            sunday,
            [(
                "gap".into(),
                "2027-09-05: clocks jump forward from 00:00 to 01:00 in America/Santiago: Temporal does not fire on 2027-09-05 at 12:00".into()
            )]
        );
        // Lord Howe: a half-hour gap moves the fire instead of dropping it.
        let lord_howe = messages(
            "15 2 * * *",
            chrono_tz::Australia::Lord_Howe,
            "2027-09-01T00:00:00Z",
        );
        assert_eq!(
            lord_howe,
            [(
                "gap".into(),
                "2027-10-03 02:15 does not exist in Australia/Lord_Howe (clocks jump forward from 02:00 to 02:30): Temporal fires at 02:45+11:00 (15:45 UTC) instead of 02:15".into()
            )]
        );
    }

    #[test]
    fn several_times_in_one_change_are_one_warning() {
        let every = CronExpr::parse("*/15 * * * *").unwrap();
        let ny: Vec<String> = dst_warnings(
            &every,
            chrono_tz::America::New_York,
            at("2027-01-01T00:00:00Z"),
        )
        .into_iter()
        .map(|w| w.message)
        .collect();
        assert_eq!(
            ny,
            [
                "2027-03-14 02:00, 02:15, 02:30 and 02:45 do not exist in America/New_York (clocks jump forward from 02:00 to 03:00): Temporal does not fire on 2027-03-14 at 02:00, 02:15, 02:30 and 02:45",
                "2027-11-07 01:00, 01:15, 01:30 and 01:45 happen twice in America/New_York (clocks fall back from 02:00 to 01:00): Temporal fires twice at 01:00, 01:15, 01:30 and 01:45"
            ]
        );
        // Lord Howe's half-hour fall-back: the server's one-hour retry drops fires (measured).
        let lord_howe = dst_warnings(
            &every,
            chrono_tz::Australia::Lord_Howe,
            at("2027-03-01T00:00:00Z"),
        );
        assert_eq!(
            lord_howe[0].message,
            "2027-04-04 01:30 and 01:45 happen twice in Australia/Lord_Howe (clocks fall back from 02:00 to 01:30): Temporal fires once, at the second 01:30 (15:00 UTC); does not fire at 01:45; does not fire on 2027-04-04 at 02:00, 02:15 and 02:30"
        );
    }

    #[test]
    fn no_warning_outside_transitions_or_in_utc() {
        let expr = CronExpr::parse("20 7 * * *").unwrap();
        assert!(
            dst_warnings(&expr, chrono_tz::Europe::Berlin, at("2026-10-01T00:00:00Z")).is_empty()
        );
        let every = CronExpr::parse("*/15 * * * *").unwrap();
        assert!(dst_warnings(&every, chrono_tz::UTC, at("2026-10-01T00:00:00Z")).is_empty());
        // New York's repeated hour is fired twice by an every-15-minutes cron: still a warning
        // (the hour runs twice), but its gap is plain.
        let ny = dst_warnings(
            &every,
            chrono_tz::America::New_York,
            at("2027-01-01T00:00:00Z"),
        );
        assert_eq!(ny.len(), 2, "{ny:?}");
    }

    #[test]
    fn fires_in_a_window_carry_dst_marks_and_jitter_windows() {
        let expr = CronExpr::parse("30 1 * * *").unwrap();
        let window = fires_between(
            &from_cron(&expr),
            chrono_tz::America::New_York,
            at("2027-11-06T12:00:00Z"),
            at("2027-11-08T12:00:00Z"),
            600,
            10,
        );
        let shown: Vec<(String, Option<String>, Option<DateTime<Utc>>)> = window
            .fires
            .iter()
            .map(|f| {
                (
                    f.local.clone(),
                    f.dst.map(|d| d.to_string()),
                    f.jitter_until,
                )
            })
            .collect();
        assert_eq!(
            shown,
            [
                (
                    "2027-11-07T01:30:00-04:00".to_string(),
                    Some("the first 01:30 (clocks fall back after it)".to_string()),
                    // The following fire is an hour later: the jitter window is 10 minutes.
                    Some(at("2027-11-07T05:40:00Z"))
                ),
                (
                    "2027-11-07T01:30:00-05:00".to_string(),
                    Some("the second 01:30 (clocks fell back)".to_string()),
                    Some(at("2027-11-07T06:40:00Z"))
                ),
                (
                    "2027-11-08T01:30:00-05:00".to_string(),
                    None,
                    Some(at("2027-11-08T06:40:00Z"))
                ),
            ]
        );
        assert!(!window.truncated);
        let capped = fires_between(
            &from_cron(&CronExpr::parse("* * * * *").unwrap()),
            chrono_tz::UTC,
            at("2027-01-01T00:00:00Z"),
            at("2027-01-31T00:00:00Z"),
            0,
            5,
        );
        assert_eq!(capped.fires.len(), 5);
        assert!(capped.truncated);
        assert_eq!(capped.fires[4].utc, at("2027-01-01T00:05:00Z"));
    }

    #[test]
    fn jitter_never_reaches_the_following_fire() {
        let window = fires_between(
            &from_cron(&CronExpr::parse("*/5 * * * *").unwrap()),
            chrono_tz::UTC,
            at("2027-01-01T00:00:00Z"),
            at("2027-01-01T00:10:00Z"),
            3600,
            10,
        );
        assert_eq!(
            window
                .fires
                .iter()
                .map(|f| f.jitter_until.unwrap())
                .collect::<Vec<_>>(),
            [at("2027-01-01T00:10:00Z"), at("2027-01-01T00:15:00Z")]
        );
    }

    #[test]
    fn moved_fires_are_marked() {
        let window = fires_between(
            &from_cron(&CronExpr::parse("15 2 * * *").unwrap()),
            chrono_tz::Australia::Lord_Howe,
            at("2027-10-02T00:00:00Z"),
            at("2027-10-03T00:00:00Z"),
            0,
            10,
        );
        assert_eq!(window.fires.len(), 1);
        assert_eq!(window.fires[0].local, "2027-10-03T02:45:00+11:00");
        assert_eq!(
            window.fires[0].dst.map(|d| d.to_string()).as_deref(),
            Some("moved: 02:15 does not exist (clocks jump forward)")
        );
    }
}
