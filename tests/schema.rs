//! `definitions-schema/definition.schema.json` and the validator agree: on every fixture,
//! and on a table of single-rule cases. Reading limits (size, depth, aliases), YAML-level
//! errors (duplicate keys) and cross-file checks are the validator's alone.

mod common;

use activity_sync::definition::yaml::{Limits, load_one};
use activity_sync::definition::{
    FileOutcome, MAX_FILE_BYTES, SourceFile, Split, parse_file, split_frontmatter,
};
use common::{fixtures, repo_root};
use serde_json::Value;

fn schema_text() -> String {
    std::fs::read_to_string(repo_root().join("definitions-schema/definition.schema.json")).unwrap()
}

fn validator() -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(&schema_text()).unwrap();
    jsonschema::validator_for(&schema).expect("the schema compiles")
}

/// `Some(valid)` from both sides, or `None` when the schema cannot judge the file.
fn verdicts(schema: &jsonschema::Validator, path: &str, text: &str) -> Option<(bool, bool)> {
    if text.len() as u64 > MAX_FILE_BYTES {
        return None;
    }
    let Ok(Split::Frontmatter { yaml, .. }) = split_frontmatter(text) else {
        return None;
    };
    let frontmatter = load_one(yaml, Limits::DEFINITION).ok()?.to_json();
    let file = SourceFile {
        source_path: path.to_string(),
        rel_path: path.to_string(),
        text: text.to_string(),
    };
    let ours = matches!(parse_file(&file), FileOutcome::Parsed(_));
    Some((ours, schema.is_valid(&frontmatter)))
}

/// Invalid fixtures for rules the schema cannot express (see `rules_only_the_validator_knows`).
const VALIDATOR_ONLY_FIXTURES: &[&str] = &["never-fires.md"];

#[test]
fn schema_and_validator_agree_on_every_fixture() {
    let schema = validator();
    let mut judged = 0;
    for dir in ["valid", "invalid"] {
        for entry in walkdir::WalkDir::new(fixtures(dir)) {
            let entry = entry.unwrap();
            let path = entry.path();
            if path.extension().is_none_or(|e| e != "md") || entry.path_is_symlink() {
                continue;
            }
            let text = std::fs::read_to_string(path).unwrap();
            if let Some((ours, theirs)) = verdicts(&schema, &path.display().to_string(), &text) {
                let name = path.file_name().unwrap().to_str().unwrap();
                if VALIDATOR_ONLY_FIXTURES.contains(&name) {
                    assert!(!ours && theirs, "{name} is listed as a validator-only rule");
                    continue;
                }
                assert_eq!(
                    ours,
                    theirs,
                    "{}: validator says {ours}, schema says {theirs}",
                    path.display()
                );
                judged += 1;
                if dir == "valid" {
                    assert!(ours, "{} must be valid", path.display());
                }
            }
        }
    }
    assert!(judged >= 15, "only {judged} fixtures judged");
}

#[test]
fn schema_and_validator_agree_rule_by_rule() {
    let schema = validator();
    let base = "key: a.b\nname: N\ntrigger:\n  type: cron\n  cron: '0 * * * *'\n";
    let cases: Vec<(String, bool)> = vec![
        (base.to_string(), true),
        (base.replace("key: a.b", "key: a b"), false),
        (base.replace("key: a.b\n", ""), false),
        (base.replace("name: N", "name: '  '"), false),
        (base.replace("name: N", "name: 12"), false),
        (format!("id: 7c4e9a12-8f3b-4d5e-9c6a-1b2d3e4f5a6b\n{base}"), true),
        (format!("id: not-a-uuid\n{base}"), false),
        (format!("enabled: yes\n{base}"), false),
        (format!("enabled: false\n{base}"), true),
        (format!("kind: Other\n{base}"), false),
        (format!("rules: [1, 2]\nowner: no\n{base}"), true),
        (base.replace("'0 * * * *'", "'*/15 * * *'"), false),
        (base.replace("'0 * * * *'", "'61 * * * *'"), false),
        (base.replace("'0 * * * *'", "'0 0 * JAN-MAR mon-fri'"), true),
        (base.replace("'0 * * * *'", "'@hourly'"), true),
        (base.replace("'0 * * * *'", "'5/15 * * * *'"), false),
        (base.replace("'0 * * * *'", "'5-59/15 * * * *'"), true),
        (base.replace("'0 * * * *'", "'@every 5m'"), false),
        (base.replace("'0 * * * *'", "'0 0 L * *'"), false),
        (format!("{base}  timezone: Europe/Berlin\n"), true),
        (format!("{base}  timezone: Europe/Berlim\n"), false),
        (format!("{base}  misfire_policy: compress\n"), true),
        (format!("{base}  misfire_policy: sometimes\n"), false),
        (format!("{base}  catchup_window_seconds: 300\n"), true),
        (format!("{base}  catchup_window_seconds: 5\n"), false),
        (format!("{base}  jitter_seconds: -1\n"), false),
        (format!("{base}  jitter_seconds: 86401\n"), false),
        (format!("{base}  jitter_seconds: 9223372036854775807\n"), false),
        (format!("{base}  jitter_seconds: 1800\n"), true),
        (format!("{base}  catchup_window_seconds: 9223372036\n"), true),
        (format!("{base}  catchup_window_seconds: 9223372037\n"), false),
        (base.replace("name: N", "name: \"N \\u202Eevil\""), false),
        (base.replace("name: N", "name: \"N\\tM\""), false),
        (base.replace("name: N", "name: \"two\\nlines\""), false),
        (base.replace("name: N", "name: \"\\u2067N\""), false),
        (base.replace("name: N", "name: Zürich – 東京"), true),
        (base.replace("'0 * * * *'", "'0 0 * * 5-7'"), true),
        (base.replace("'0 * * * *'", "'0 0 * JAN-DEC MON-SUN'"), true),
        (format!("{base}  unknown: 1\n"), false),
        ("key: k\nname: n\ntrigger: {type: event, event_type: repo.pushed, filters: {branch: main}}\n".into(), true),
        ("key: k\nname: n\ntrigger: {type: event, event_type: repo.pushed, filters: {branch: [a]}}\n".into(), false),
        ("key: k\nname: n\ntrigger: {type: event}\n".into(), false),
        ("key: k\nname: n\ntrigger: {type: once, at: '2026-12-18T17:00:00+01:00'}\n".into(), true),
        ("key: k\nname: n\ntrigger: {type: once, at: '2026-12-18T17:00:00'}\n".into(), false),
        ("key: k\nname: n\ntrigger: {type: once, at: '2026-12-18T17:00:00Z', cron: x}\n".into(), false),
        ("key: k\nname: n\ntrigger: {type: sometimes}\n".into(), false),
        ("kind: EventType\nname: repo.pushed\nschema: {type: object}\n".into(), true),
        ("kind: EventType\nname: repo pushed\n".into(), false),
        ("kind: EventType\nschema: {type: object}\n".into(), false),
        ("kind: EventType\nname: x\nschema: [1]\n".into(), false),
    ];
    for (frontmatter, expected) in cases {
        let text = format!("---\n{frontmatter}---\nbody\n");
        let (ours, theirs) = verdicts(&schema, "case.md", &text).expect("judgeable");
        assert_eq!(ours, expected, "validator on:\n{frontmatter}");
        assert_eq!(theirs, expected, "schema on:\n{frontmatter}");
    }
}

/// Rules the schema cannot express: the validator refuses these, the schema lets them pass.
/// (When the schema learns one, move it to the table above.)
#[test]
fn rules_only_the_validator_knows() {
    let schema = validator();
    let base = "key: a.b\nname: N\ntrigger:\n  type: cron\n  cron: '0 * * * *'\n";
    let cases = [
        // Never fires: no February has a 31st (any cron the validator's calendar check refuses).
        base.replace("'0 * * * *'", "'0 0 31 2 *'"),
        base.replace("'0 * * * *'", "'0 0 30 2 *'"),
        base.replace("'0 * * * *'", "'0 0 31 4,6,9,11 *'"),
        // A jitter as long as the cron's interval (hourly).
        format!("{base}  jitter_seconds: 3600\n"),
    ];
    for frontmatter in cases {
        let text = format!("---\n{frontmatter}---\nbody\n");
        let (ours, theirs) = verdicts(&schema, "case.md", &text).expect("judgeable");
        assert!(!ours, "validator on:\n{frontmatter}");
        assert!(theirs, "schema on:\n{frontmatter}");
    }
}

/// The schema's time zones are exactly chrono-tz's. `ACTIVITY_SYNC_BLESS=1` rewrites them.
#[test]
fn schema_time_zones_match_the_validator() {
    let names: Vec<&str> = chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name()).collect();
    let text = schema_text();
    let mut schema: Value = serde_json::from_str(&text).unwrap();
    let zones = &mut schema["$defs"]["cronTrigger"]["properties"]["timezone"]["enum"];
    if std::env::var_os("ACTIVITY_SYNC_BLESS").is_some() {
        *zones = serde_json::json!(names);
        let mut out = serde_json::to_string_pretty(&schema).unwrap();
        out.push('\n');
        std::fs::write(
            repo_root().join("definitions-schema/definition.schema.json"),
            out,
        )
        .unwrap();
        return;
    }
    let listed: Vec<&str> = zones
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(
        listed, names,
        "run with ACTIVITY_SYNC_BLESS=1 after a chrono-tz upgrade"
    );
}
