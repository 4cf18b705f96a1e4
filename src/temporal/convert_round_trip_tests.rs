//! Desired schedule → Temporal's form → back is unchanged, including the form Temporal
//! returns (it leaves `end` 0 for a single value and `step` 0 for step 1): without that
//! normalisation every describe would look like drift.

use proptest::prelude::*;

use super::*;
use crate::definition::{Definition, FileOutcome, SourceFile, parse_file};
use crate::schedule::desired::{WorkflowTarget, desired_schedule};

fn schedule(cron: &str, tz: &str, policy: &str) -> DesiredSchedule {
    let text = format!(
        "---\nkey: k\nname: n\ntrigger: {{type: cron, cron: '{cron}', timezone: {tz}, misfire_policy: {policy}}}\n---\n"
    );
    let FileOutcome::Parsed(d) = parse_file(&SourceFile {
        source_path: "k.md".into(),
        rel_path: "k.md".into(),
        text,
    }) else {
        panic!("{cron} does not parse")
    };
    let Definition::ActivityDefinition(d) = *d else {
        panic!()
    };
    desired_schedule(&d, &WorkflowTarget::default()).unwrap()
}

/// What Temporal's describe gives back for what we wrote.
fn as_temporal_returns(mut s: Schedule) -> Schedule {
    for calendar in &mut s.spec.as_mut().unwrap().structured_calendar {
        for field in [
            &mut calendar.second,
            &mut calendar.minute,
            &mut calendar.hour,
            &mut calendar.day_of_month,
            &mut calendar.month,
            &mut calendar.year,
            &mut calendar.day_of_week,
        ] {
            for range in field.iter_mut() {
                if range.end == range.start {
                    range.end = 0;
                }
                if range.step == 1 {
                    range.step = 0;
                }
            }
        }
    }
    s
}

fn arb_cron() -> impl Strategy<Value = String> {
    let minute = prop_oneof![
        Just("*".to_string()),
        (0u8..60).prop_map(|m| m.to_string()),
        (1u8..30).prop_map(|s| format!("*/{s}")),
        (0u8..30, 30u8..60).prop_map(|(a, b)| format!("{a}-{b}")),
        (0u8..30, 30u8..60).prop_map(|(a, b)| format!("{a},{b}")),
    ];
    let hour = prop_oneof![
        Just("*".to_string()),
        (0u8..24).prop_map(|h| h.to_string()),
        (0u8..12, 12u8..24).prop_map(|(a, b)| format!("{a}-{b}")),
    ];
    let dom = prop_oneof![Just("*".to_string()), (1u8..29).prop_map(|d| d.to_string())];
    let dow = prop_oneof![
        Just("*".to_string()),
        (0u8..7).prop_map(|d| d.to_string()),
        Just("1-5".to_string()),
    ];
    (minute, hour, dom, dow).prop_map(|(m, h, d, w)| format!("{m} {h} {d} * {w}"))
}

proptest! {
    #[test]
    fn desired_to_temporal_and_back_is_unchanged(
        cron in arb_cron(),
        tz in prop_oneof![Just("UTC"), Just("Europe/Berlin"), Just("America/New_York")],
        policy in prop_oneof![Just("skip"), Just("catchup_all"), Just("catchup_latest")],
    ) {
        let want = schedule(&cron, tz, policy);
        let proto = schedule_to_proto(&want, "note");
        prop_assert_eq!(shape_from_proto(&proto), Some(want.shape.clone()));
        let returned = as_temporal_returns(proto);
        prop_assert_eq!(shape_from_proto(&returned), Some(want.shape.clone()), "{}", cron);
    }
}

#[test]
fn a_missing_or_short_catchup_window_reads_as_temporal_applies_it() {
    let want = schedule("0 * * * *", "UTC", "skip");
    let mut proto = schedule_to_proto(&want, "");
    proto.policies.as_mut().unwrap().catchup_window = None;
    assert_eq!(
        shape_from_proto(&proto).unwrap().catchup_window_seconds,
        CATCHUP_ALL_WINDOW_SECONDS
    );
    proto.policies.as_mut().unwrap().catchup_window = Some(duration(3));
    assert_eq!(
        shape_from_proto(&proto).unwrap().catchup_window_seconds,
        MIN_CATCHUP_WINDOW_SECONDS
    );
}
