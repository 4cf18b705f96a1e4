//! When a cron schedule fires, in its zone and in UTC, and whether any fire falls into a
//! daylight-saving gap (the wall time does not exist) or overlap (it happens twice).

use chrono::{DateTime, Duration, NaiveDateTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::definition::CronExpr;

/// One upcoming fire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fire {
    /// Local time with its offset, e.g. `2026-11-23T07:20:00+01:00`.
    pub local: String,
    pub utc: DateTime<Utc>,
}

/// A DST transition that the cron expression hits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DstWarning {
    /// `gap` (the wall time is skipped) or `overlap` (it occurs twice).
    pub kind: String,
    /// The local wall time the cron matches inside the transition.
    pub wall_time: NaiveDateTime,
    pub message: String,
}

/// The next `n` fires strictly after `after`.
pub fn next_fires(expr: &CronExpr, tz: Tz, after: DateTime<Utc>, n: usize) -> Vec<Fire> {
    expr.next_fires(&tz, after, n)
        .into_iter()
        .map(|t| Fire {
            local: t.to_rfc3339(),
            utc: t.with_timezone(&Utc),
        })
        .collect()
}

/// Cron matches inside DST transitions of `tz` during the year after `after`.
pub fn dst_warnings(expr: &CronExpr, tz: Tz, after: DateTime<Utc>) -> Vec<DstWarning> {
    let mut warnings = Vec::new();
    let offset_at = |t: DateTime<Utc>| {
        tz.offset_from_utc_datetime(&t.naive_utc())
            .fix()
            .local_minus_utc()
    };
    // Offsets change on whole quarter hours at most twice a year: scan by the hour, then
    // pin each change to the minute.
    let mut t = after;
    let end = after + Duration::days(366);
    let mut previous = offset_at(t);
    while t < end {
        let next = t + Duration::hours(1);
        let offset = offset_at(next);
        if offset != previous {
            let mut at = t;
            while offset_at(at + Duration::minutes(1)) == previous {
                at += Duration::minutes(1);
            }
            let change = at + Duration::minutes(1);
            let delta = i64::from(offset - previous);
            // Wall clock just before the change, in the old offset.
            let wall = change.naive_utc() + Duration::seconds(i64::from(previous));
            let (kind, from, minutes) = if delta > 0 {
                ("gap", wall, delta / 60)
            } else {
                ("overlap", wall + Duration::seconds(delta), -delta / 60)
            };
            for m in 0..minutes {
                let local = from + Duration::minutes(m);
                if expr.matches_naive(&local) {
                    let message = if kind == "gap" {
                        format!(
                            "{} does not exist in {tz} (clocks jump forward): that fire is skipped or moved",
                            local.format("%Y-%m-%d %H:%M")
                        )
                    } else {
                        format!(
                            "{} happens twice in {tz} (clocks fall back): the schedule may fire twice",
                            local.format("%Y-%m-%d %H:%M")
                        )
                    };
                    warnings.push(DstWarning {
                        kind: kind.to_string(),
                        wall_time: local,
                        message,
                    });
                    break;
                }
            }
            previous = offset;
        }
        t = next;
    }
    warnings
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
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
    fn gap_and_overlap_are_found() {
        // Berlin: 2027-03-28 02:00 → 03:00 (gap), 2026-10-25 03:00 → 02:00 (overlap).
        let expr = CronExpr::parse("30 2 * * *").unwrap();
        let warnings = dst_warnings(&expr, chrono_tz::Europe::Berlin, at("2026-10-01T00:00:00Z"));
        let kinds: Vec<(&str, String)> = warnings
            .iter()
            .map(|w| (w.kind.as_str(), w.wall_time.to_string()))
            .collect();
        assert_eq!(
            kinds,
            [
                ("overlap", "2026-10-25 02:30:00".to_string()),
                ("gap", "2027-03-28 02:30:00".to_string())
            ]
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
    }
}
