//! The comment stays under GitHub's limit, says what it left out, and keeps its structure
//! whatever the definitions hold.

use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag, TagEnd};
use uuid::Uuid;

use super::*;
use crate::plan::{DefinitionRow, Plan, RowStep, Stages};
use crate::report::{Mode, Outcome};

fn row(i: usize, body: &str) -> DefinitionRow {
    DefinitionRow {
        id: Uuid::from_u128(i as u128),
        key: format!("team.activity-{i:05}"),
        name: format!("Activity {i}"),
        enabled: true,
        trigger_type: "cron".into(),
        trigger_config: serde_json::json!({"cron": "0 * * * *"}).into(),
        spec: serde_json::json!({"report": {"sinks": ["s"]}}).into(),
        body: body.to_string(),
        scope: "team".into(),
        source_path: format!("defs/activity-{i:05}.md"),
        retired: false,
    }
}

/// A plan that updates the body of `n` definitions, `before` → `after`.
fn report(n: usize, before: &str, after: impl Fn(usize) -> String) -> Report {
    let mut plan = Plan::empty(
        "team",
        Stages {
            definitions: true,
            event_types: false,
            schedules: false,
        },
        Vec::new(),
    );
    for i in 0..n {
        let have = row(i, before);
        let want = row(i, &after(i));
        plan.definitions
            .insert(have.id, Change::new(RowStep::Update { want, have }));
    }
    Report {
        mode: Mode::Plan,
        outcome: Outcome::Success,
        plan,
        database: String::new(),
        run_errors: Vec::new(),
        applied: None,
        calls: None,
        started_at: chrono::DateTime::UNIX_EPOCH,
        detailed_exitcode: false,
        fail_on_lock: false,
        base: None,
    }
}

fn items_shown(md: &str) -> usize {
    md.lines().filter(|l| l.starts_with("- `~` ")).count()
}

#[test]
fn five_thousand_changes_fit_with_a_note_saying_what_was_left_out() {
    let body = "Line one.\nLine two.\n".repeat(5);
    let report = report(5_000, &body, |i| format!("{body}Added in change {i}.\n"));
    let md = render(&report);
    assert!(chars(&md) <= MAX_CHARS, "{} characters", chars(&md));
    let shown = items_shown(&md);
    assert!(shown > 100, "{shown} changes shown");
    let note = md
        .lines()
        .find(|l| l.contains("**Truncated**"))
        .expect("a truncation note");
    assert!(
        note.contains(&format!("{} of 5000 changes are not shown", 5_000 - shown)),
        "{note}"
    );
    // The first changes keep their diffs, the last shown ones may not.
    assert!(md.contains("+Added in change 0."), "{}", &md[..2000]);
    assert!(!md.contains("Added in change 4999"));
    // Stable: the same plan renders to the same text.
    assert_eq!(md, render(&report));
}

#[test]
fn a_plan_that_fits_has_no_note_and_every_diff() {
    let report = report(20, "a\n", |i| format!("b{i}\n"));
    let md = render(&report);
    assert_eq!(items_shown(&md), 20);
    assert_eq!(md.matches("<details>").count(), 20);
    assert!(!md.contains("Truncated"), "{md}");
    assert!(
        md.starts_with("<!-- activity-sync:plan scope=team -->\n"),
        "{md}"
    );
}

#[test]
fn diffs_are_dropped_before_changes_are() {
    let report = report(40, "a\n", |i| format!("b{i}\n{}\n", "x".repeat(400)));
    let full = render(&report);
    let limit = chars(&full) - 2_000;
    let md = render_within(&report, limit);
    assert!(chars(&md) <= limit);
    assert_eq!(items_shown(&md), 40, "{md}");
    assert!(md.contains("shown without their diffs"), "{md}");
    assert!(!md.contains("are not shown"), "{md}");
}

/// Everything outside code: the HTML GitHub would see, and whether a code block is open.
struct Structure {
    html: Vec<String>,
    code_blocks: Vec<String>,
    texts: Vec<String>,
}

fn structure(md: &str) -> Structure {
    let mut s = Structure {
        html: Vec::new(),
        code_blocks: Vec::new(),
        texts: Vec::new(),
    };
    let mut in_code = None::<String>;
    for event in Parser::new(md) {
        match event {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(_))) => in_code = Some(String::new()),
            Event::End(TagEnd::CodeBlock) => s.code_blocks.extend(in_code.take()),
            Event::Text(t) => match in_code.as_mut() {
                Some(code) => code.push_str(&t),
                None => s.texts.push(t.to_string()),
            },
            Event::Html(h) | Event::InlineHtml(h) => s.html.push(h.trim().to_string()),
            Event::Start(Tag::Link { .. } | Tag::Image { .. } | Tag::Emphasis | Tag::Strong)
                if in_code.is_none() =>
            {
                s.texts.push("<styled>".into());
            }
            _ => {}
        }
    }
    assert!(in_code.is_none(), "a code block is left open:\n{md}");
    s
}

#[test]
fn fences_and_details_in_definitions_do_not_break_the_comment() {
    let hostile = "```\n</details>\n<script>alert(1)</script>\nLINE\n````sh\n```\n";
    // Unchanged lines are the diff's context: they start with a space, not a `+` or `-`, so
    // a fence among them could close a fence of the comment.
    let mut report = report(2, &hostile.replace("LINE", "old"), |_| {
        hostile.replace("LINE", "new")
    });
    // Names and notes with Markdown and HTML in them.
    for change in report.plan.definitions.values_mut() {
        change.note = Some("**bold** <img src=x onerror=alert(1)> [link](http://e.x)".into());
        if let RowStep::Update { want, .. } = &mut change.step {
            want.key = "k_<b>_*x*".into();
        }
    }
    let md = render(&report);
    let s = structure(&md);
    // The only HTML is ours: the marker, then one open and one close per diff, in order.
    let mut expected = vec!["<!-- activity-sync:plan scope=team -->".to_string()];
    expected.extend(
        ["<details><summary>diff</summary>", "</details>"]
            .repeat(2)
            .into_iter()
            .map(String::from),
    );
    assert_eq!(s.html, expected, "{md}");
    // Each diff is one code block holding the hostile body, `</details>` included.
    assert_eq!(s.code_blocks.len(), 2, "{md}");
    for block in &s.code_blocks {
        assert!(
            block.contains(" </details>\n") && block.contains(" ````sh\n"),
            "{block}"
        );
    }
    // Names and summaries read as text: nothing bold, linked or imaged from them.
    let shown = s.texts.concat();
    assert!(shown.contains("k_<b>_*x*"), "{shown}");
    assert_eq!(
        s.texts.iter().filter(|t| *t == "<styled>").count(),
        // Our own bold: the key of each change.
        2,
        "{md}"
    );
    assert!(md.contains("#### Changes"), "{md}");
}

#[test]
fn the_marker_names_mode_and_scope() {
    let mut report = report(0, "", |_| String::new());
    report.mode = Mode::Diff;
    report.base = Some(Vec::new());
    let md = render(&report);
    assert!(
        md.starts_with("<!-- activity-sync:diff scope=team -->\n"),
        "{md}"
    );
    assert!(md.contains("No changes."), "{md}");
}
