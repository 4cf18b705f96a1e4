//! Between our schedule model and Temporal's protobuf messages.

use std::collections::HashMap;

use temporalio_common::protos::temporal::api::common::v1::{
    Memo, Payload, Payloads, SearchAttributes, WorkflowType,
};
use temporalio_common::protos::temporal::api::enums::v1::ScheduleOverlapPolicy;
use temporalio_common::protos::temporal::api::schedule::v1::{
    Range as PRange, Schedule, ScheduleAction as PScheduleAction, SchedulePolicies, ScheduleSpec,
    ScheduleState, StructuredCalendarSpec, schedule_action,
};
use temporalio_common::protos::temporal::api::taskqueue::v1::TaskQueue;
use temporalio_common::protos::temporal::api::workflow::v1::NewWorkflowExecutionInfo;
use uuid::Uuid;

use crate::schedule::actual::{ANY_SCOPE, ActualSchedule};
use crate::schedule::calendar::{Calendar, Range};
use crate::schedule::desired::{
    CATCHUP_ALL_WINDOW_SECONDS, DesiredSchedule, MIN_CATCHUP_WINDOW_SECONDS, Overlap,
    SCHEDULE_ID_PREFIX, Shape,
};

/// Memo keys written at create (the memo cannot be updated later).
pub const MEMO_SCOPE: &str = "activity-sync/scope";
pub const MEMO_DEFINITION: &str = "activity-sync/definition-id";
/// Custom Keyword search attributes (registered by `migrate` or `start-dev --search-attribute`).
pub const SA_SCOPE: &str = "ActivitySyncScope";
pub const SA_SPEC_HASH: &str = "ActivitySyncSpecHash";

pub fn json_payload(value: &serde_json::Value) -> Payload {
    Payload {
        metadata: HashMap::from([("encoding".to_string(), b"json/plain".to_vec())]),
        data: value.to_string().into_bytes(),
        ..Default::default()
    }
}

pub fn payload_string(payload: &Payload) -> Option<String> {
    match serde_json::from_slice::<serde_json::Value>(&payload.data).ok()? {
        serde_json::Value::String(s) => Some(s),
        _ => None,
    }
}

fn ranges_to_proto(ranges: &[Range]) -> Vec<PRange> {
    ranges
        .iter()
        .map(|r| PRange {
            start: r.start,
            end: r.end,
            step: r.step,
        })
        .collect()
}

fn ranges_from_proto(ranges: &[PRange]) -> Vec<Range> {
    ranges
        .iter()
        .map(|r| Range {
            start: r.start,
            // Temporal leaves `end` 0 and `step` 0 for "just start" / "step 1".
            end: if r.end < r.start { r.start } else { r.end },
            step: r.step.max(1),
        })
        .collect()
}

fn calendar_to_proto(c: &Calendar) -> StructuredCalendarSpec {
    StructuredCalendarSpec {
        second: ranges_to_proto(&c.second),
        minute: ranges_to_proto(&c.minute),
        hour: ranges_to_proto(&c.hour),
        day_of_month: ranges_to_proto(&c.day_of_month),
        month: ranges_to_proto(&c.month),
        year: ranges_to_proto(&c.year),
        day_of_week: ranges_to_proto(&c.day_of_week),
        comment: c.comment.clone(),
    }
}

fn calendar_from_proto(c: &StructuredCalendarSpec) -> Calendar {
    Calendar {
        second: ranges_from_proto(&c.second),
        minute: ranges_from_proto(&c.minute),
        hour: ranges_from_proto(&c.hour),
        day_of_month: ranges_from_proto(&c.day_of_month),
        month: ranges_from_proto(&c.month),
        year: ranges_from_proto(&c.year),
        day_of_week: ranges_from_proto(&c.day_of_week),
        comment: c.comment.clone(),
    }
}

fn duration(seconds: u64) -> prost_wkt_types::Duration {
    prost_wkt_types::Duration {
        seconds: seconds as i64,
        nanos: 0,
    }
}

fn overlap_to_proto(o: Overlap) -> i32 {
    match o {
        Overlap::Skip => ScheduleOverlapPolicy::Skip as i32,
        Overlap::BufferOne => ScheduleOverlapPolicy::BufferOne as i32,
        Overlap::BufferAll => ScheduleOverlapPolicy::BufferAll as i32,
    }
}

fn overlap_from_proto(value: i32) -> Option<Overlap> {
    match ScheduleOverlapPolicy::try_from(value).ok()? {
        // Unspecified means Temporal's default, SKIP.
        ScheduleOverlapPolicy::Skip | ScheduleOverlapPolicy::Unspecified => Some(Overlap::Skip),
        ScheduleOverlapPolicy::BufferOne => Some(Overlap::BufferOne),
        ScheduleOverlapPolicy::BufferAll => Some(Overlap::BufferAll),
        _ => None,
    }
}

/// The whole schedule as it is written: create and every update send all of it.
pub fn schedule_to_proto(s: &DesiredSchedule, note: &str) -> Schedule {
    let shape = &s.shape;
    Schedule {
        spec: Some(ScheduleSpec {
            structured_calendar: shape.calendars.iter().map(calendar_to_proto).collect(),
            timezone_name: shape.timezone.clone(),
            jitter: (shape.jitter_seconds > 0).then(|| duration(shape.jitter_seconds)),
            ..Default::default()
        }),
        action: Some(PScheduleAction {
            action: Some(schedule_action::Action::StartWorkflow(
                NewWorkflowExecutionInfo {
                    workflow_id: shape.workflow_id.clone(),
                    workflow_type: Some(WorkflowType {
                        name: shape.workflow_type.clone(),
                    }),
                    task_queue: Some(TaskQueue {
                        name: shape.task_queue.clone(),
                        ..Default::default()
                    }),
                    input: Some(Payloads {
                        payloads: vec![json_payload(&serde_json::Value::String(
                            s.definition_id.to_string(),
                        ))],
                    }),
                    ..Default::default()
                },
            )),
        }),
        policies: Some(SchedulePolicies {
            overlap_policy: overlap_to_proto(shape.overlap),
            catchup_window: Some(duration(shape.catchup_window_seconds)),
            ..Default::default()
        }),
        state: Some(ScheduleState {
            paused: s.paused,
            notes: note.to_string(),
            limited_actions: shape.limited_actions,
            remaining_actions: i64::from(shape.limited_actions),
        }),
    }
}

pub fn memo(scope: &str, definition: Uuid) -> Memo {
    Memo {
        fields: HashMap::from([
            (MEMO_SCOPE.to_string(), json_payload(&scope.into())),
            (
                MEMO_DEFINITION.to_string(),
                json_payload(&definition.to_string().into()),
            ),
        ]),
    }
}

/// Both attributes, always together: an update replaces the whole set.
pub fn search_attributes(scope: &str, spec_hash: &str) -> SearchAttributes {
    SearchAttributes {
        indexed_fields: HashMap::from([
            (SA_SCOPE.to_string(), json_payload(&scope.into())),
            (SA_SPEC_HASH.to_string(), json_payload(&spec_hash.into())),
        ]),
    }
}

/// Marker fields common to list entries and descriptions.
pub fn marker(
    actual: &mut ActualSchedule,
    memo: Option<&Memo>,
    attributes: Option<&SearchAttributes>,
) {
    let memo_field = |key: &str| {
        memo.and_then(|m| m.fields.get(key))
            .and_then(payload_string)
    };
    let attribute = |key: &str| {
        attributes
            .and_then(|a| a.indexed_fields.get(key))
            .and_then(payload_string)
    };
    actual.memo_scope = memo_field(MEMO_SCOPE);
    actual.memo_definition = memo_field(MEMO_DEFINITION).and_then(|s| Uuid::parse_str(&s).ok());
    actual.attribute_scope = attribute(SA_SCOPE);
    actual.spec_hash = attribute(SA_SPEC_HASH);
}

/// The comparable shape of a described schedule; `None` when it is not one we could have
/// written (another action, several calendars of other kinds, …): such a schedule differs.
pub fn shape_from_proto(schedule: &Schedule) -> Option<Shape> {
    let spec = schedule.spec.as_ref()?;
    let policies = schedule.policies.unwrap_or_default();
    let state = schedule.state.clone().unwrap_or_default();
    let Some(schedule_action::Action::StartWorkflow(start)) =
        schedule.action.as_ref().and_then(|a| a.action.clone())
    else {
        return None;
    };
    if !spec.cron_string.is_empty() || !spec.calendar.is_empty() || !spec.interval.is_empty() {
        return None;
    }
    // A missing window means 365 days; under 10 s is clamped to 10 s.
    let window = policies
        .catchup_window
        .map_or(CATCHUP_ALL_WINDOW_SECONDS, |d| d.seconds.max(0) as u64)
        .max(MIN_CATCHUP_WINDOW_SECONDS);
    let argument = start
        .input
        .as_ref()
        .and_then(|p| p.payloads.first())
        .map(|p| String::from_utf8_lossy(&p.data).into_owned())
        .unwrap_or_default();
    Some(Shape {
        calendars: spec
            .structured_calendar
            .iter()
            .map(calendar_from_proto)
            .collect(),
        timezone: spec.timezone_name.clone(),
        jitter_seconds: spec.jitter.as_ref().map_or(0, |d| d.seconds.max(0) as u64),
        overlap: overlap_from_proto(policies.overlap_policy)?,
        catchup_window_seconds: window,
        workflow_type: start.workflow_type.map(|t| t.name).unwrap_or_default(),
        task_queue: start.task_queue.map(|t| t.name).unwrap_or_default(),
        workflow_id: start.workflow_id,
        argument,
        limited_actions: state.limited_actions,
    })
}

/// The workflow type a schedule's action starts, as a list entry shows it (`None` for
/// another kind of action).
pub fn workflow_type_of(action: &PScheduleAction) -> Option<String> {
    match action.action.as_ref()? {
        schedule_action::Action::StartWorkflow(start) => Some(
            start
                .workflow_type
                .as_ref()
                .map(|t| t.name.clone())
                .unwrap_or_default(),
        ),
    }
}

/// The ListSchedules query of what one scope can own or adopt: the schedules marked for it
/// by search attribute, those the database mode made for rows with no scope
/// ([`ANY_SCOPE`]: a real scope adopts them with their rows), and the conventional ids with
/// no such attribute (unmarked, or marked by memo only). A scope is letters, digits, `.`,
/// `_` and `-`, or `*`: nothing to escape.
///
/// `--scope '*'` follows every row with no scope and says, for the rows other scopes took
/// over, whose their schedules are: it lists every conventional id.
pub fn scope_query(scope: &str) -> String {
    if scope == ANY_SCOPE {
        return conventional_query();
    }
    format!(
        "{SA_SCOPE} = '{scope}' OR {SA_SCOPE} = '{ANY_SCOPE}' OR ({SA_SCOPE} IS NULL AND {})",
        conventional_query()
    )
}

/// The ListSchedules query of the conventional schedule ids.
pub fn conventional_query() -> String {
    format!("ScheduleId STARTS_WITH '{SCHEDULE_ID_PREFIX}'")
}

/// The calendar part of a list entry's spec (lists carry no policies or action).
pub fn calendars_from_spec(spec: &ScheduleSpec) -> (Vec<Calendar>, String, u64) {
    (
        spec.structured_calendar
            .iter()
            .map(calendar_from_proto)
            .collect(),
        spec.timezone_name.clone(),
        spec.jitter.as_ref().map_or(0, |d| d.seconds.max(0) as u64),
    )
}

#[cfg(test)]
mod tests {
    //! Desired schedule → Temporal's form → back is unchanged, including the form Temporal
    //! returns: without that normalisation every describe would look like drift.

    use proptest::prelude::*;

    use super::*;
    use crate::definition::{CronExpr, Definition, FileOutcome, SourceFile, parse_file};
    use crate::schedule::calendar::{corpus, from_cron};
    use crate::schedule::desired::{WorkflowTarget, desired_schedule};

    /// What Temporal hands back for a range we wrote: proto3 leaves zeros out, so a range
    /// that is one value may come back with `end` 0 and a step of 1 as 0.
    fn as_the_server_returns(c: &StructuredCalendarSpec) -> StructuredCalendarSpec {
        let strip = |ranges: &[PRange]| -> Vec<PRange> {
            ranges
                .iter()
                .map(|r| PRange {
                    start: r.start,
                    end: if r.end == r.start { 0 } else { r.end },
                    step: if r.step == 1 { 0 } else { r.step },
                })
                .collect()
        };
        StructuredCalendarSpec {
            second: strip(&c.second),
            minute: strip(&c.minute),
            hour: strip(&c.hour),
            day_of_month: strip(&c.day_of_month),
            month: strip(&c.month),
            year: strip(&c.year),
            day_of_week: strip(&c.day_of_week),
            comment: c.comment.clone(),
        }
    }

    #[test]
    fn every_corpus_calendar_round_trips() {
        for (cron, _) in corpus() {
            let want = from_cron(&CronExpr::parse(cron).unwrap());
            let proto = calendar_to_proto(&want);
            assert_eq!(calendar_from_proto(&proto), want, "{cron}");
            assert_eq!(
                calendar_from_proto(&as_the_server_returns(&proto)),
                want,
                "{cron}: with zeros left out"
            );
            // Nothing we write is a form the server rewrites: no 7, no end before start.
            for r in &proto.day_of_week {
                assert!(
                    (0..=6).contains(&r.start) && r.start <= r.end && r.end <= 6,
                    "{cron}: {r:?}"
                );
            }
        }
    }

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

    /// A whole schedule as the server returns it: every calendar with its zeros left out.
    fn schedule_as_the_server_returns(mut s: Schedule) -> Schedule {
        let spec = s.spec.as_mut().unwrap();
        spec.structured_calendar = spec
            .structured_calendar
            .iter()
            .map(as_the_server_returns)
            .collect();
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
            let returned = schedule_as_the_server_returns(proto);
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
}
