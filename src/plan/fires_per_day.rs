//! Fires per day of a schedule (or of a whole scope) before and after a plan (SPEC §9).

use serde::{Deserialize, Serialize};

/// `"fires_per_day": {"before": 24.0, "after": 1.0}`: absent, paused or deleted = 0.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct FiresPerDay {
    pub before: f64,
    pub after: f64,
}

/// A change of rate by this factor or more, either way, is a `cadence` warning.
pub const CADENCE_FACTOR: f64 = 10.0;

impl FiresPerDay {
    /// Whether the schedule keeps firing at a pace changed by [`CADENCE_FACTOR`] or more. A
    /// schedule that starts or stops firing (create, pause, delete) is not a change of
    /// cadence: the plan says so on its own line.
    pub fn cadence_changed(&self) -> bool {
        self.before > 0.0
            && self.after > 0.0
            && (self.after / self.before >= CADENCE_FACTOR
                || self.before / self.after >= CADENCE_FACTOR)
    }
}

/// A rate for people: `24`, `23.997`, `0.714`, `0.033` (whole numbers plain, others with
/// three decimals or three significant digits, trailing zeros dropped).
pub fn format_rate(rate: f64) -> String {
    if (rate - rate.round()).abs() < 1e-9 {
        return format!("{rate:.0}");
    }
    let decimals = if rate >= 1.0 {
        3
    } else {
        // Three significant digits.
        usize::try_from((-rate.log10()).floor() as i64 + 3).unwrap_or(3)
    };
    let text = format!("{rate:.decimals$}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    text.to_string()
}

/// `24/day → 1/day`.
pub fn format_change(rate: &FiresPerDay) -> String {
    format!(
        "{}/day → {}/day",
        format_rate(rate.before),
        format_rate(rate.after)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_read_plainly() {
        assert_eq!(format_rate(24.0), "24");
        assert_eq!(format_rate(0.0), "0");
        assert_eq!(format_rate(5.0 / 7.0), "0.714");
        assert_eq!(format_rate(12.0 / 364.0), "0.033");
        assert_eq!(format_rate(8735.0 / 364.0), "23.997");
        assert_eq!(format_rate(1.5), "1.5");
        assert_eq!(
            format_change(&FiresPerDay {
                before: 24.0,
                after: 1.0
            }),
            "24/day → 1/day"
        );
    }

    #[test]
    fn cadence_is_a_factor_of_ten_either_way_while_firing() {
        let r = |before, after| FiresPerDay { before, after }.cadence_changed();
        assert!(r(24.0, 1.0));
        assert!(r(1.0, 10.0));
        assert!(!r(1.0, 9.9));
        assert!(!r(24.0, 0.0), "a pause is not a cadence change");
        assert!(!r(0.0, 24.0), "a create is not a cadence change");
    }
}
