//! Capped exponential backoff with jitter, within a total time budget.

use std::time::Duration;

/// How an HTTP delivery is retried: pauses double from `base` up to `cap`, each one drawn
/// between half and all of its nominal length ("equal jitter": never zero, never in step
/// with another job retrying the same endpoint), and no pause starts a try that could not
/// begin before `budget` has passed since the first one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    pub base: Duration,
    pub cap: Duration,
    /// Total time of all tries and pauses.
    pub budget: Duration,
    /// Longest single try.
    pub attempt_timeout: Duration,
}

impl Backoff {
    /// The report sink's: 0.5 s doubling to 8 s, tries of at most 10 s, within `budget`.
    pub fn report(budget: Duration) -> Backoff {
        Backoff {
            base: Duration::from_millis(500),
            cap: Duration::from_secs(8),
            budget,
            attempt_timeout: Duration::from_secs(10),
        }
    }

    /// The Pushgateway's: brief (metrics are overwritten by the next run anyway).
    pub fn metrics() -> Backoff {
        Backoff {
            base: Duration::from_millis(250),
            cap: Duration::from_secs(2),
            budget: Duration::from_secs(10),
            attempt_timeout: Duration::from_secs(5),
        }
    }

    /// The nominal pause after try `n` (1-based), before jitter.
    pub fn nominal(&self, n: u32) -> Duration {
        let factor = 2u32.saturating_pow(n.saturating_sub(1).min(20));
        self.base.saturating_mul(factor).min(self.cap)
    }

    /// The pause after try `n`, with `unit` a random draw in `[0, 1)`.
    pub fn pause(&self, n: u32, unit: f64) -> Duration {
        let nominal = self.nominal(n);
        let half = nominal / 2;
        half + half.mul_f64(unit.clamp(0.0, 1.0))
    }

    /// The pause after try `n`, given the time `spent` since the first try started, or
    /// `None` when the budget leaves no room for another try.
    pub fn next(&self, n: u32, spent: Duration, unit: f64) -> Option<Duration> {
        let pause = self.pause(n, unit);
        (spent + pause < self.budget).then_some(pause)
    }

    /// How long one try may take when `spent` has passed: never past the budget.
    pub fn attempt_limit(&self, spent: Duration) -> Duration {
        self.attempt_timeout
            .min(self.budget.saturating_sub(spent))
            .max(Duration::from_millis(100))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pauses_double_up_to_the_cap() {
        let b = Backoff::report(Duration::from_secs(30));
        let nominal: Vec<u64> = (1..=7).map(|n| b.nominal(n).as_millis() as u64).collect();
        assert_eq!(nominal, [500, 1000, 2000, 4000, 8000, 8000, 8000]);
        assert_eq!(b.nominal(u32::MAX), Duration::from_secs(8));
    }

    #[test]
    fn jitter_stays_between_half_and_all_of_the_pause() {
        let b = Backoff::report(Duration::from_secs(30));
        assert_eq!(b.pause(3, 0.0), Duration::from_secs(1));
        assert_eq!(b.pause(3, 0.999_999).as_millis(), 1999);
        assert_eq!(b.pause(3, 7.0), Duration::from_secs(2));
        for i in 0..100 {
            let p = b.pause(4, f64::from(i) / 100.0);
            assert!(p >= Duration::from_secs(2) && p <= Duration::from_secs(4));
        }
    }

    /// Whatever the draws, tries and pauses end within the budget: a worst case where every
    /// try takes its whole timeout and every pause its whole length.
    #[test]
    fn the_schedule_is_bounded_by_the_budget() {
        for budget in [1, 3, 30, 120] {
            let b = Backoff::report(Duration::from_secs(budget));
            for unit in [0.0, 0.5, 0.999] {
                let mut spent = Duration::ZERO;
                let mut n = 1;
                loop {
                    spent += b.attempt_limit(spent);
                    match b.next(n, spent, unit) {
                        Some(pause) => spent += pause,
                        None => break,
                    }
                    n += 1;
                    assert!(n < 1000, "unbounded tries");
                }
                // The last try may run to its limit, floored at 100 ms.
                assert!(
                    spent <= Duration::from_secs(budget) + Duration::from_millis(100),
                    "budget {budget}s: spent {spent:?}"
                );
            }
        }
    }

    #[test]
    fn fast_failures_are_retried_several_times() {
        // A refused connection fails at once: a 30 s budget holds 7 tries at the most
        // jittered draws (pauses of 0.5, 1, 2, 4, 8 and 8 s).
        let b = Backoff::report(Duration::from_secs(30));
        let mut spent = Duration::ZERO;
        let mut tries = 1;
        while let Some(pause) = b.next(tries, spent, 0.999) {
            spent += pause;
            tries += 1;
        }
        assert_eq!(tries, 7);
    }
}
