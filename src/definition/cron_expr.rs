//! Cron expressions as Temporal accepts them: five fields or an `@hourly`-style macro.

use chrono::{DateTime, TimeZone, Utc};
use croner::Cron;
use croner::parser::{CronParser, Seconds, Year};

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

/// A validated cron expression.
#[derive(Debug, Clone)]
pub struct CronExpr {
    text: String,
    cron: Cron,
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
        // Temporal ANDs day-of-month and day-of-week (`0 0 1 * 1`: the 1st, if a Monday),
        // unlike POSIX cron; next-fire times must say what Temporal will do.
        let parser = CronParser::builder()
            .seconds(Seconds::Disallowed)
            .year(Year::Disallowed)
            .dom_and_dow(true)
            .build();
        let cron = parser
            .parse(pattern)
            .map_err(|e| format!("invalid cron expression `{trimmed}`: {e}"))?;
        Ok(CronExpr {
            text: trimmed.to_string(),
            cron,
        })
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The five fields (macros expanded), for conversion to Temporal calendars.
    pub fn fields(&self) -> [String; 5] {
        let expanded = expand_macro(&self.text).unwrap_or(&self.text);
        let mut fields = expanded.split_whitespace().map(str::to_string);
        std::array::from_fn(|_| fields.next().unwrap_or_default())
    }

    /// Whether a wall-clock time matches (seconds ignored).
    pub fn matches_naive(&self, time: &chrono::NaiveDateTime) -> bool {
        use chrono::Timelike;
        let minute = time.with_second(0).and_then(|t| t.with_nanosecond(0));
        minute.is_some_and(|t| self.cron.is_time_matching(&t).unwrap_or(false))
    }

    /// The longest wait between two consecutive fires, in wall-clock seconds (DST ignored),
    /// over the two years from a fixed reference: "one interval" of the schedule.
    pub fn longest_interval_seconds(&self) -> i64 {
        let start = chrono::NaiveDate::from_ymd_opt(2024, 1, 1)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .expect("a valid date");
        let horizon = start + chrono::Duration::days(731);
        let mut fires = self.cron.iter_from(start, croner::Direction::Forward);
        let Some(mut previous) = fires.next() else {
            return 0;
        };
        let mut longest = 0;
        for (seen, fire) in fires.enumerate() {
            longest = longest.max((fire - previous).num_seconds());
            if fire > horizon || seen > 100_000 {
                break;
            }
            previous = fire;
        }
        longest
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
        self.cron
            .iter_after(after.with_timezone(tz))
            .take(n)
            .collect()
    }
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
