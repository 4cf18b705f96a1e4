//! How far the Temporal calls of a run have got: plain counters that the reader and the
//! executor advance and that a terminal line ([`crate::run::progress_line`]) shows. They
//! decide nothing.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

#[derive(Debug, Default)]
pub struct Progress {
    phase: Mutex<&'static str>,
    done: AtomicU64,
    total: AtomicU64,
}

impl Progress {
    /// A new phase of `total` calls (`describing`, `applying`), none done yet.
    pub fn begin(&self, phase: &'static str, total: usize) {
        *self.phase.lock().expect("not poisoned") = phase;
        self.done.store(0, Ordering::Relaxed);
        self.total.store(total as u64, Ordering::Relaxed);
    }

    /// One more call of the phase finished (whatever its result).
    pub fn advance(&self) {
        self.done.fetch_add(1, Ordering::Relaxed);
    }

    /// The phase, calls done and calls planned; `None` before any phase began.
    pub fn now(&self) -> Option<(&'static str, u64, u64)> {
        let phase = *self.phase.lock().expect("not poisoned");
        let total = self.total.load(Ordering::Relaxed);
        (!phase.is_empty()).then(|| (phase, self.done.load(Ordering::Relaxed).min(total), total))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phases_count_from_zero() {
        let progress = Progress::default();
        assert_eq!(progress.now(), None);
        progress.begin("describing", 3);
        progress.advance();
        assert_eq!(progress.now(), Some(("describing", 1, 3)));
        progress.begin("applying", 2);
        assert_eq!(progress.now(), Some(("applying", 0, 2)));
    }
}
