//! The desired-spec hash in a schedule's notes. The hash lives in the
//! `ActivitySyncSpecHash` search attribute where the namespace has it (SPEC §5); where it
//! does not, ListSchedules still shows each schedule's notes, so every note activity-sync
//! writes ends with `[spec HASH]` and a list alone proves a schedule unchanged — no
//! describe of every schedule on every run. A note someone else wrote (an on-call pause)
//! carries no hash: that schedule is described, as before.

/// `note` with the hash of the shape it is written with.
pub fn with_spec(note: &str, spec_hash: &str) -> String {
    format!("{note} [spec {spec_hash}]")
}

/// The hash a note activity-sync wrote ends with; `None` for any other note.
pub fn spec_of(notes: &str) -> Option<&str> {
    let (_, tail) = notes.rsplit_once(" [spec ")?;
    let hash = tail.strip_suffix(']')?;
    (hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit())).then_some(hash)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_foreign_notes() {
        let note = with_spec(
            "managed by activity-sync (scope a) from defs/x.md",
            "0123456789abcdef",
        );
        assert_eq!(spec_of(&note), Some("0123456789abcdef"));
        assert_eq!(spec_of("incident 42: hammering the db"), None);
        assert_eq!(spec_of(""), None);
        // Someone typing something like it is not taken for a hash.
        assert_eq!(spec_of("paused [spec later]"), None);
        assert_eq!(spec_of("x [spec 0123456789abcdef] and more"), None);
        assert_eq!(spec_of("x [spec 0123456789abcdeg]"), None);
    }
}
