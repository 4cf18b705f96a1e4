//! A row written back as a definition file (`activity-sync import`), in the canonical layout
//! of `docs/definitions.md`: `kind`, `id`, `key`, `name`, `enabled`, one `trigger` mapping,
//! then the body. Every string is written double-quoted (JSON's escapes are YAML's), so no
//! value reads back as something else (`no`, `1e3`, `null`, a leading `*`).

use serde_json::Value as Json;

use crate::definition::{CRON_KEYS, EVENT_KEYS, ONCE_KEYS, is_valid_name};
use crate::plan::{DefinitionRow, EventTypeRow};

/// A definition file, and the keys of `trigger_config` it had to leave out (not part of the
/// trigger's layout: the parser would refuse them).
#[derive(Debug, Clone, PartialEq)]
pub struct DefinitionFile {
    pub text: String,
    pub dropped: Vec<String>,
}

/// A readable key from a name: lowercase letters and digits, `-` between words; `fallback`
/// when nothing is left.
pub fn key_from_name(name: &str, fallback: &str) -> String {
    let mut key = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            key.push(c.to_ascii_lowercase());
        } else if !key.ends_with('-') && !key.is_empty() {
            key.push('-');
        }
    }
    let key = key.trim_end_matches('-').to_string();
    if is_valid_name(&key) {
        key
    } else {
        fallback.to_string()
    }
}

fn quoted(text: &str) -> String {
    serde_json::to_string(text).expect("strings serialize")
}

/// A JSON value as a YAML scalar or flow collection (JSON is YAML's flow style).
fn yaml_value(value: &Json) -> String {
    match value {
        Json::String(s) => quoted(s),
        other => other.to_string(),
    }
}

/// The file of `row`, under `key`; `description` is the runtime's column of that name (the
/// format's `description`), when it has one.
pub fn definition_file(
    row: &DefinitionRow,
    key: &str,
    description: Option<&str>,
) -> DefinitionFile {
    let mut text = String::from("---\nkind: ActivityDefinition\n");
    text.push_str(&format!("id: {}\n", row.id));
    text.push_str(&format!("key: {}\n", quoted(key)));
    text.push_str(&format!("name: {}\n", quoted(&row.name)));
    text.push_str(&format!("enabled: {}\n", row.enabled));
    if let Some(description) = description {
        text.push_str(&format!("description: {}\n", quoted(description)));
    }
    text.push_str("trigger:\n");
    text.push_str(&format!("  type: {}\n", quoted(&row.trigger_type)));
    let allowed: &[&str] = match row.trigger_type.as_str() {
        "cron" => CRON_KEYS,
        "event" => EVENT_KEYS,
        "once" => ONCE_KEYS,
        _ => &[],
    };
    let mut dropped = Vec::new();
    if let Json::Object(config) = &*row.trigger_config {
        // In the layout's order, then whatever else it holds (dropped).
        for name in allowed.iter().filter(|k| **k != "type") {
            if let Some(value) = config.get(*name).filter(|v| !v.is_null()) {
                text.push_str(&format!("  {name}: {}\n", yaml_value(value)));
            }
        }
        for (name, value) in config {
            if !allowed.contains(&name.as_str()) && !value.is_null() {
                dropped.push(name.clone());
            }
        }
    }
    text.push_str("---\n");
    text.push_str(&row.body);
    DefinitionFile { text, dropped }
}

pub fn event_type_file(row: &EventTypeRow) -> String {
    let mut text = String::from("---\nkind: EventType\n");
    text.push_str(&format!("name: {}\n", quoted(&row.name)));
    if let Some(description) = &row.description {
        text.push_str(&format!("description: {}\n", quoted(description)));
    }
    if let Some(schema) = &row.schema {
        text.push_str(&format!("schema: {schema}\n"));
    }
    text.push_str("---\n");
    text.push_str(&row.body);
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::definition::{Definition, FileOutcome, SourceFile, parse_file};
    use serde_json::json;

    fn row(trigger_type: &str, config: Json) -> DefinitionRow {
        DefinitionRow {
            id: uuid::Uuid::parse_str("0b7f3c52-91d4-4a8e-b6f1-2c3d4e5f6a7b").unwrap(),
            key: String::new(),
            name: "Nightly: \"no\" report #1".into(),
            enabled: false,
            trigger_type: trigger_type.into(),
            trigger_config: config.into(),
            spec: Json::Null.into(),
            body: String::new(),
            scope: String::new(),
            source_path: String::new(),
            retired: false,
        }
    }

    #[test]
    fn event_type_files_parse_back_to_the_row() {
        let row = EventTypeRow {
            name: "repo.pushed".into(),
            description: Some("A push: \"main\" or any branch".into()),
            schema: Some(json!({"type": "object", "required": ["repo"]})),
            spec: Json::Null,
            body: String::new(),
            scope: String::new(),
            source_path: String::new(),
            retired: false,
        };
        let text = event_type_file(&row);
        let parsed = parse_file(&SourceFile {
            source_path: "defs/events/repo.pushed.md".into(),
            rel_path: "events/repo.pushed.md".into(),
            text: text.clone(),
        });
        let FileOutcome::Parsed(d) = parsed else {
            panic!("{text}\n{parsed:?}")
        };
        let Definition::EventType(e) = *d else {
            panic!()
        };
        assert_eq!(e.name, row.name);
        assert_eq!(e.description, row.description);
        assert_eq!(e.schema, row.schema);
    }

    #[test]
    fn keys_are_readable_slugs() {
        assert_eq!(
            key_from_name("Nightly: \"no\" report #1", "x"),
            "nightly-no-report-1"
        );
        assert_eq!(key_from_name("  ", "fallback"), "fallback");
        assert_eq!(key_from_name("Ünïcode only ÄÖ", "f"), "n-code-only");
    }

    /// What import writes parses back to the row's id, name, enabled flag and trigger.
    #[test]
    fn written_files_parse_back_to_the_row() {
        let cases = [
            row(
                "cron",
                json!({"cron": "*/15 * * * *", "timezone": "Europe/Berlin", "misfire_policy": "catchup_latest", "catchup_window_seconds": 300, "jitter_seconds": null, "owner": "x"}),
            ),
            row(
                "event",
                json!({"event_type": "repo.pushed", "filters": {"branch": "main"}}),
            ),
            row("once", json!({"at": "2030-01-01T00:00:00+00:00"})),
        ];
        for r in cases {
            let file = definition_file(
                &r,
                "nightly-no-report-1",
                Some("Line one\nline \"two\": no"),
            );
            let parsed = parse_file(&SourceFile {
                source_path: "defs/x.md".into(),
                rel_path: "x.md".into(),
                text: file.text.clone(),
            });
            let FileOutcome::Parsed(d) = parsed else {
                panic!("{}\n{parsed:?}", file.text)
            };
            let Definition::ActivityDefinition(d) = *d else {
                panic!()
            };
            assert_eq!(d.id, r.id);
            assert_eq!(d.name, r.name);
            assert_eq!(d.enabled, r.enabled);
            assert_eq!(d.key, "nightly-no-report-1");
            assert_eq!(d.spec["description"], "Line one\nline \"two\": no");
            assert_eq!(d.trigger.type_name(), r.trigger_type);
            let want = DefinitionRow::desired(&d, "s");
            let strip = |v: &Json| match v {
                Json::Object(m) => Json::Object(
                    m.iter()
                        .filter(|(k, v)| !v.is_null() && *k != "owner")
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect(),
                ),
                v => v.clone(),
            };
            assert_eq!(
                strip(&want.trigger_config),
                strip(&r.trigger_config),
                "{}",
                file.text
            );
            if r.trigger_type == "cron" {
                assert_eq!(file.dropped, ["owner"]);
            }
        }
    }
}
