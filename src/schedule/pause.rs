//! Who paused a schedule. Pausing is what on-call does in an incident (the Temporal UI,
//! `temporal schedule toggle --pause --reason …`), so activity-sync lifts only the pauses it
//! wrote itself, and it knows them by their note: every note it writes on a paused schedule
//! starts with one of [`OUR_PAUSE_NOTES`]. Any other note on a paused schedule — an empty one
//! included — is someone else's pause (SPEC §5).

/// How the notes activity-sync writes on the schedules it pauses begin: at create or update
/// (`paused by activity-sync: …`) and in a pause patch (`activity-sync: …`).
use super::actual::ActualSchedule;

pub const OUR_PAUSE_NOTES: [&str; 2] = ["paused by activity-sync:", "activity-sync:"];

/// Whether a paused schedule with these notes was paused by activity-sync.
pub fn paused_by_us(notes: &str) -> bool {
    OUR_PAUSE_NOTES
        .iter()
        .any(|prefix| notes.starts_with(prefix))
}

/// A pause someone else made on `now` since the plan saw the schedule as `planned` (the
/// executor's fresh describe before a retried update): it must be carried over, as the
/// planner would have held it. `None` when there is none, or the plan already knew it.
pub fn pause_made_since<'a>(
    planned: Option<&ActualSchedule>,
    now: &'a ActualSchedule,
) -> Option<&'a str> {
    let known = planned.is_some_and(|p| p.paused && p.notes == now.notes);
    (now.paused && !paused_by_us(&now.notes) && !known).then_some(now.notes.as_str())
}

/// The note as people read it in a plan: quoted, one line, bounded.
pub fn quoted_note(notes: &str) -> String {
    let one_line: String = notes
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let trimmed = one_line.trim();
    if trimmed.is_empty() {
        return "(no reason given)".to_string();
    }
    const MAX: usize = 120;
    match trimmed.char_indices().nth(MAX) {
        Some((cut, _)) => format!("\"{}…\"", &trimmed[..cut]),
        None => format!("\"{trimmed}\""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn our_notes_and_theirs() {
        assert!(paused_by_us(
            "paused by activity-sync: disabled in defs/a.md:4"
        ));
        assert!(paused_by_us("activity-sync: disabled in defs/a.md:4"));
        assert!(!paused_by_us("incident 42: sweep hammers the db"));
        assert!(!paused_by_us(""));
        assert!(!paused_by_us("(no reason provided)"));
        assert!(!paused_by_us(" activity-sync: leading space is a person"));
    }

    #[test]
    fn pauses_made_since_the_plan() {
        let schedule = |paused: bool, notes: &str| ActualSchedule {
            paused,
            notes: notes.into(),
            ..Default::default()
        };
        let running = schedule(false, "managed by activity-sync");
        let hand = schedule(true, "incident");
        assert_eq!(pause_made_since(Some(&running), &hand), Some("incident"));
        assert_eq!(pause_made_since(None, &hand), Some("incident"));
        assert_eq!(
            pause_made_since(Some(&hand), &hand),
            None,
            "the plan knew it"
        );
        let ours = schedule(true, "activity-sync: disabled in a.md:3");
        assert_eq!(pause_made_since(Some(&running), &ours), None);
        assert_eq!(pause_made_since(Some(&hand), &running), None);
    }

    #[test]
    fn notes_are_quoted_on_one_bounded_line() {
        assert_eq!(quoted_note("incident 42"), "\"incident 42\"");
        assert_eq!(quoted_note("a\nb\u{1b}[31m"), "\"a b [31m\"");
        assert_eq!(quoted_note("  "), "(no reason given)");
        let long = "x".repeat(500);
        assert_eq!(quoted_note(&long).chars().count(), 123);
    }
}
