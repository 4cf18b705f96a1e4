//! One definition file → a [`Definition`], or every diagnostic it deserves.

use std::collections::BTreeMap;
use std::str::FromStr;
use std::sync::Arc;

use chrono::DateTime;
use serde_json::Value as Json;
use uuid::Uuid;

use super::cron_expr::CronExpr;
use super::diagnostic::Diagnostic;
use super::frontmatter::{self, Split};
use super::model::{
    ActivityDefinition, CronTrigger, Definition, EventTrigger, EventType, MisfirePolicy,
    OnceTrigger, Origin, Trigger, id_from_key,
};
use super::text::first_unsafe;
use super::yaml::{self, Entry, Limits, Node, Pos, Value};

/// Largest definition file read; larger ones are refused before they are parsed.
pub const MAX_FILE_BYTES: u64 = 256 * 1024;

impl Diagnostic {
    /// A file over [`MAX_FILE_BYTES`] (here, beside the limit, so that the diagnostic type
    /// needs nothing of the parser).
    pub fn oversized(source_path: &str, bytes: u64) -> Self {
        Diagnostic::file(
            source_path,
            format!("file is {bytes} bytes, over the limit of {MAX_FILE_BYTES} bytes"),
        )
    }
}

/// What one file turned out to be.
#[derive(Debug, Clone, PartialEq)]
pub enum FileOutcome {
    /// No frontmatter: a README or index page, not a definition.
    Skipped,
    Parsed(Box<Definition>),
    Invalid {
        errors: Vec<Diagnostic>,
        /// What the broken file seems to describe, so nothing it owns is retired.
        claims: Claims,
    },
}

/// Identity a broken file could be read for, best effort.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Claims {
    pub ids: Vec<Uuid>,
    pub keys: Vec<String>,
    pub event_types: Vec<String>,
}

/// A file to parse: where it is from and what it says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    pub source_path: String,
    pub rel_path: String,
    pub text: String,
}

/// Parses one file. Never fails: problems become diagnostics.
pub fn parse_file(file: &SourceFile) -> FileOutcome {
    let invalid = |line, col, message: String| FileOutcome::Invalid {
        errors: vec![Diagnostic::new(&file.source_path, line, col, message)],
        claims: Claims::default(),
    };
    if let Some(c) = first_unsafe(&file.source_path) {
        // The path is shown in every message and stored with the row: refuse, don't escape.
        return invalid(
            1,
            1,
            format!(
                "the file name contains the control or bidirectional character U+{:04X}; rename the file",
                c as u32
            ),
        );
    }
    if file.text.len() as u64 > MAX_FILE_BYTES {
        return FileOutcome::Invalid {
            errors: vec![Diagnostic::oversized(
                &file.source_path,
                file.text.len() as u64,
            )],
            claims: Claims::default(),
        };
    }
    let (yaml_text, first_line, body) = match frontmatter::split(&file.text) {
        Ok(Split::NoFrontmatter) => return FileOutcome::Skipped,
        Ok(Split::Frontmatter {
            yaml,
            first_line,
            body,
        }) => (yaml, first_line, body),
        Err(e) => return invalid(1, 1, e.to_string()),
    };
    let root = match yaml::load_one(yaml_text, Limits::DEFINITION) {
        Ok(root) => root,
        Err(e) => {
            let e = e.shifted(first_line);
            let pos = e.pos();
            return invalid(pos.line, pos.col, e.to_string());
        }
    };
    let mut cx = Cx {
        source_path: &file.source_path,
        first_line,
        errors: Vec::new(),
        lines: BTreeMap::new(),
    };
    let definition = cx.definition(&root, body, &file.rel_path);
    match definition {
        Some(d) if cx.errors.is_empty() => FileOutcome::Parsed(Box::new(d)),
        _ => FileOutcome::Invalid {
            errors: cx.errors,
            claims: claims(&root),
        },
    }
}

fn claims(root: &Node) -> Claims {
    let text = |key| {
        root.get(key)
            .and_then(|e| e.value.as_str())
            .map(str::to_string)
    };
    let mut claims = Claims::default();
    match text("kind").as_deref() {
        Some("EventType") => claims.event_types.extend(text("name")),
        _ => {
            if let Some(key) = text("key") {
                claims.ids.push(id_from_key(&key));
                claims.keys.push(key);
            }
            claims
                .ids
                .extend(text("id").and_then(|id| Uuid::parse_str(&id).ok()));
        }
    }
    claims
}

/// A name (`key`, event type name): what an operator would type and a URL would carry.
pub fn is_valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
        && name.len() <= 253
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

const NAME_RULE: &str = "letters, digits, `.`, `_` and `-`, starting with a letter or digit";

pub(crate) const CRON_KEYS: &[&str] = &[
    "type",
    "cron",
    "timezone",
    "misfire_policy",
    "catchup_window_seconds",
    "jitter_seconds",
];
pub(crate) const EVENT_KEYS: &[&str] = &["type", "event_type", "filters"];
pub(crate) const ONCE_KEYS: &[&str] = &["type", "at"];

/// Temporal clamps catchup windows under 10 s to 10 s; a smaller value would read back as drift.
pub const MIN_CATCHUP_WINDOW_SECONDS: u64 = 10;
/// The longest catchup window Temporal keeps as written: the server holds durations as Go
/// `time.Duration` (int64 nanoseconds), so anything longer is saturated to
/// 9223372036.854775807 s (about 292 years) and would read back as drift.
pub const MAX_CATCHUP_WINDOW_SECONDS: u64 = 9_223_372_036;
/// Jitter spreads one schedule's fires to avoid a herd; more than a day is never that, and
/// Temporal stores (and other clients must read) whatever is written.
pub const MAX_JITTER_SECONDS: u64 = 86_400;

struct Cx<'a> {
    source_path: &'a str,
    first_line: usize,
    errors: Vec<Diagnostic>,
    lines: BTreeMap<String, usize>,
}

impl Cx<'_> {
    fn line(&self, pos: Pos) -> usize {
        pos.line + self.first_line - 1
    }

    fn error(&mut self, pos: Pos, message: impl Into<String>) {
        let line = self.line(pos);
        self.errors
            .push(Diagnostic::new(self.source_path, line, pos.col, message));
    }

    fn definition(&mut self, root: &Node, body: &str, rel_path: &str) -> Option<Definition> {
        let Value::Map(entries) = &root.value else {
            self.error(
                root.pos,
                format!("frontmatter must be a mapping, found {}", root.type_name()),
            );
            return None;
        };
        for entry in entries {
            let line = self.line(entry.key_pos);
            self.lines.insert(entry.key.clone(), line);
        }
        let kind = match root.get("kind") {
            None => "ActivityDefinition",
            Some(entry) => match entry.value.as_str() {
                Some(k @ ("ActivityDefinition" | "EventType")) => k,
                _ => {
                    self.error(
                        entry.value.pos,
                        format!(
                            "`kind` must be `ActivityDefinition` or `EventType`, found {}",
                            show(&entry.value)
                        ),
                    );
                    return None;
                }
            },
        };
        let spec = root.to_json();
        let body = body.to_string();
        if kind == "EventType" {
            let name = self.name(root, "name");
            let description = self.optional_string(root, "description");
            let schema = root.get("schema").and_then(|e| match &e.value.value {
                Value::Map(_) | Value::Bool(_) => Some(e.value.to_json()),
                _ => {
                    self.error(
                        e.value.pos,
                        format!(
                            "`schema` must be a JSON Schema (a mapping), found {}",
                            show(&e.value)
                        ),
                    );
                    None
                }
            });
            let origin = self.origin(rel_path);
            return Some(Definition::EventType(EventType {
                name: name?,
                description,
                schema,
                spec,
                body,
                origin,
            }));
        }
        let old_id = root
            .get("id")
            .and_then(|e| e.value.as_str())
            .filter(|id| Uuid::try_parse(id).is_err() && is_valid_name(id));
        let key = match (root.get("key"), old_id) {
            // The old layout: the slug was the id. Say what to write instead (below).
            (None, Some(_)) => None,
            _ => self.name(root, "key"),
        };
        let id = match (root.get("id"), old_id) {
            (None, _) => key.as_deref().map(id_from_key),
            (Some(entry), Some(slug)) => {
                self.error(
                    entry.value.pos,
                    format!(
                        "`id` must be a UUID, found the slug `{slug}` (the old layout): write `key: {slug}`, and as `id` the UUID of its existing database row (`id: <uuid>`, which keeps its schedule and run history) or no `id` for a new definition (derived from `key`); `activity-sync import --out DIR` writes these files from the existing rows"
                    ),
                );
                None
            }
            (Some(entry), None) => self.uuid(entry),
        };
        let name = self.required(root, "name").and_then(|e| {
            let name = self.string(e)?;
            if name.trim().is_empty() {
                self.error(e.value.pos, "`name` must not be empty");
                return None;
            }
            if let Some(c) = first_unsafe(name) {
                self.error(
                    e.value.pos,
                    format!(
                        "`name` must be one line of text without control or bidirectional-override characters, found U+{:04X}",
                        c as u32
                    ),
                );
                return None;
            }
            Some(name.to_string())
        });
        let enabled = match root.get("enabled") {
            None => Some(true),
            Some(entry) => self.boolean(entry),
        };
        self.optional_string(root, "description");
        let trigger = if let Some(old) = ["trigger_type", "trigger_config"]
            .iter()
            .find_map(|k| root.get(k))
        {
            self.old_trigger(root, old);
            None
        } else {
            self.required(root, "trigger")
                .and_then(|entry| self.trigger(&entry.value))
        };
        let origin = self.origin(rel_path);
        Some(Definition::ActivityDefinition(ActivityDefinition {
            id: id?,
            key: key?,
            name: name?,
            enabled: enabled?,
            trigger: trigger?,
            spec: spec.into(),
            body,
            origin,
        }))
    }

    /// `trigger_type` / `trigger_config` at the top level (the old layout, the runtime's
    /// columns): the error shows the `trigger:` mapping to write instead.
    fn old_trigger(&mut self, root: &Node, old: &Entry) {
        let mut trigger = serde_json::Map::new();
        if let Some(ty) = root.get("trigger_type") {
            trigger.insert("type".into(), ty.value.to_json());
        }
        if let Some(serde_json::Value::Object(config)) =
            root.get("trigger_config").map(|e| e.value.to_json())
        {
            trigger.extend(config.into_iter().filter(|(_, v)| !v.is_null()));
        }
        let written = serde_json::Value::Object(trigger).to_string();
        self.error(
            old.key_pos,
            format!(
                "`trigger_type` and `trigger_config` at the top level are the old layout: write one `trigger` mapping instead, here `trigger: {written}` (as YAML: `trigger:` then `type: …`, `cron: …` indented below it); `activity-sync import --out DIR` writes this form"
            ),
        );
    }

    fn origin(&mut self, rel_path: &str) -> Origin {
        Origin {
            source_path: self.source_path.to_string(),
            rel_path: rel_path.to_string(),
            lines: std::mem::take(&mut self.lines),
        }
    }

    fn trigger(&mut self, node: &Node) -> Option<Trigger> {
        let Value::Map(entries) = &node.value else {
            self.error(
                node.pos,
                format!("`trigger` must be a mapping, found {}", show(node)),
            );
            return None;
        };
        for entry in entries {
            let line = self.line(entry.key_pos);
            self.lines.insert(format!("trigger.{}", entry.key), line);
        }
        let Some(type_entry) = node.get("type") else {
            self.error(
                node.pos,
                "`trigger` is missing `type` (one of `cron`, `event`, `once`)",
            );
            return None;
        };
        let (kind, allowed) = match type_entry.value.as_str() {
            Some("cron") => ("cron", CRON_KEYS),
            Some("event") => ("event", EVENT_KEYS),
            Some("once") => ("once", ONCE_KEYS),
            _ => {
                self.error(
                    type_entry.value.pos,
                    format!(
                        "`trigger.type` must be `cron`, `event` or `once`, found {}",
                        show(&type_entry.value)
                    ),
                );
                return None;
            }
        };
        for entry in entries {
            if !allowed.contains(&entry.key.as_str()) {
                let expected = allowed
                    .iter()
                    .map(|k| format!("`{k}`"))
                    .collect::<Vec<_>>()
                    .join(", ");
                self.error(
                    entry.key_pos,
                    format!(
                        "unknown key `{}` in `trigger` (a {kind} trigger takes {expected})",
                        entry.key
                    ),
                );
            }
        }
        match kind {
            "cron" => self.cron_trigger(node).map(Trigger::Cron),
            "event" => self.event_trigger(node).map(Trigger::Event),
            _ => self.once_trigger(node).map(Trigger::Once),
        }
    }

    fn cron_trigger(&mut self, node: &Node) -> Option<CronTrigger> {
        let cron = self.required(node, "cron").and_then(|entry| {
            let text = self.string(entry)?;
            match CronExpr::parse(text) {
                Ok(expr) => Some(expr),
                Err(message) => {
                    self.error(entry.value.pos, message);
                    None
                }
            }
        });
        let timezone = match node.get("timezone") {
            None => Some("UTC".to_string()),
            Some(entry) => self.string(entry).and_then(|name| {
                if chrono_tz::Tz::from_str(name).is_ok() {
                    return Some(name.to_string());
                }
                let hint = chrono_tz::TZ_VARIANTS
                    .iter()
                    .find(|tz| tz.name().eq_ignore_ascii_case(name))
                    .map(|tz| format!("did you mean `{}`?", tz.name()))
                    .unwrap_or_else(|| "expected an IANA name such as `Europe/Berlin`".into());
                self.error(
                    entry.value.pos,
                    format!("unknown time zone `{name}` ({hint})"),
                );
                None
            }),
        };
        let misfire_policy = match node.get("misfire_policy") {
            None => Some(MisfirePolicy::Skip),
            Some(entry) => self.string(entry).and_then(|name| {
                let policy = MisfirePolicy::parse(name);
                if policy.is_none() {
                    self.error(
                        entry.value.pos,
                        format!(
                            "unknown misfire policy `{name}` (expected {}; legacy `catchup` and `compress` are accepted)",
                            MisfirePolicy::NAMES
                        ),
                    );
                }
                policy
            }),
        };
        let catchup_window_seconds = match node.get("catchup_window_seconds") {
            None => Some(None),
            Some(entry) => self
                .seconds(
                    entry,
                    MIN_CATCHUP_WINDOW_SECONDS,
                    MAX_CATCHUP_WINDOW_SECONDS,
                )
                .map(Some),
        };
        let jitter_seconds = match node.get("jitter_seconds") {
            None => Some(None),
            Some(entry) => self
                .seconds(entry, 0, MAX_JITTER_SECONDS)
                .and_then(|jitter| self.jitter_within(entry, jitter, cron.as_ref()))
                .map(Some),
        };
        Some(CronTrigger {
            cron: Arc::new(cron?),
            timezone: timezone?,
            misfire_policy: misfire_policy?,
            catchup_window_seconds: catchup_window_seconds?,
            jitter_seconds: jitter_seconds?,
        })
    }

    fn event_trigger(&mut self, node: &Node) -> Option<EventTrigger> {
        let event_type = self.name(node, "event_type");
        let filters = match node.get("filters") {
            None => Some(serde_json::Map::new()),
            Some(entry) => match &entry.value.value {
                Value::Map(items) => {
                    let mut ok = true;
                    for item in items {
                        if matches!(item.value.value, Value::Seq(_) | Value::Map(_)) {
                            self.error(
                                item.value.pos,
                                format!(
                                    "filter `{}` must be a scalar value, found {}",
                                    item.key,
                                    item.value.type_name()
                                ),
                            );
                            ok = false;
                        }
                    }
                    match entry.value.to_json() {
                        Json::Object(map) if ok => Some(map),
                        _ => None,
                    }
                }
                _ => {
                    self.error(
                        entry.value.pos,
                        format!(
                            "`filters` must be a mapping of payload key to value, found {}",
                            show(&entry.value)
                        ),
                    );
                    None
                }
            },
        };
        Some(EventTrigger {
            event_type: event_type?,
            filters: filters?,
        })
    }

    fn once_trigger(&mut self, node: &Node) -> Option<OnceTrigger> {
        let entry = self.required(node, "at")?;
        let text = self.string(entry)?;
        match DateTime::parse_from_rfc3339(text) {
            Ok(at) => Some(OnceTrigger { at }),
            Err(_) => {
                self.error(
                    entry.value.pos,
                    format!(
                        "`at` must be an RFC 3339 timestamp with an offset, such as `2026-12-18T17:00:00+01:00`, found `{text}`"
                    ),
                );
                None
            }
        }
    }

    fn required<'n>(&mut self, map: &'n Node, key: &str) -> Option<&'n Entry> {
        let entry = map.get(key);
        if entry.is_none() {
            self.error(map.pos, format!("missing required field `{key}`"));
        }
        entry
    }

    fn string<'n>(&mut self, entry: &'n Entry) -> Option<&'n str> {
        let text = entry.value.as_str();
        if text.is_none() {
            let hint = match entry.value.value {
                Value::Bool(_) | Value::Int(_) | Value::Float(_) | Value::Null => {
                    " (quote it to make it a string)"
                }
                _ => "",
            };
            self.error(
                entry.value.pos,
                format!(
                    "`{}` must be a string, found {}{hint}",
                    entry.key,
                    show(&entry.value)
                ),
            );
        }
        text
    }

    fn optional_string(&mut self, map: &Node, key: &str) -> Option<String> {
        let entry = map.get(key)?;
        self.string(entry).map(str::to_string)
    }

    fn name(&mut self, map: &Node, key: &str) -> Option<String> {
        let entry = self.required(map, key)?;
        let text = self.string(entry)?;
        if !is_valid_name(text) {
            self.error(
                entry.value.pos,
                format!("`{key}` `{text}` is not a valid name ({NAME_RULE}, at most 253)"),
            );
            return None;
        }
        Some(text.to_string())
    }

    fn uuid(&mut self, entry: &Entry) -> Option<Uuid> {
        let text = self.string(entry)?;
        match Uuid::try_parse(text) {
            Ok(id) if text.len() == 36 => Some(id),
            _ => {
                self.error(
                    entry.value.pos,
                    format!(
                        "`id` must be a UUID such as `7c4e9a12-8f3b-4d5e-9c6a-1b2d3e4f5a6b`, found `{text}` (leave `id` out to derive it from `key`)"
                    ),
                );
                None
            }
        }
    }

    fn boolean(&mut self, entry: &Entry) -> Option<bool> {
        match &entry.value.value {
            Value::Bool(b) => Some(*b),
            other => {
                let hint = match other {
                    Value::Str(s)
                        if matches!(
                            s.to_ascii_lowercase().as_str(),
                            "yes" | "no" | "on" | "off" | "y" | "n"
                        ) =>
                    {
                        " (YAML 1.2: only `true` and `false` are booleans)"
                    }
                    _ => "",
                };
                self.error(
                    entry.value.pos,
                    format!(
                        "`{}` must be `true` or `false`, found {}{hint}",
                        entry.key,
                        show(&entry.value)
                    ),
                );
                None
            }
        }
    }

    fn seconds(&mut self, entry: &Entry, min: u64, max: u64) -> Option<u64> {
        match entry.value.value {
            Value::Int(n) if (i128::from(min)..=i128::from(max)).contains(&n) => {
                u64::try_from(n).ok()
            }
            _ => {
                self.error(
                    entry.value.pos,
                    format!(
                        "`{}` must be a whole number of seconds from {min} to {max}, found {}",
                        entry.key,
                        show(&entry.value)
                    ),
                );
                None
            }
        }
    }

    /// Temporal caps each fire's jitter at the time to the next fire; a jitter that long
    /// would not spread the fires, it would reorder and merge them.
    fn jitter_within(
        &mut self,
        entry: &Entry,
        jitter: u64,
        cron: Option<&CronExpr>,
    ) -> Option<u64> {
        let Some(cron) = cron else {
            return Some(jitter);
        };
        let gap = u64::try_from(cron.shortest_interval_seconds()).unwrap_or(0);
        if jitter > 0 && jitter >= gap {
            self.error(
                entry.value.pos,
                format!(
                    "`jitter_seconds` `{jitter}` must be shorter than the shortest gap between fires of `{}` ({gap} s)",
                    cron.as_str()
                ),
            );
            return None;
        }
        Some(jitter)
    }
}

/// A value for a message: short scalars quoted, others by type.
fn show(node: &Node) -> String {
    let scalar = match &node.value {
        Value::Str(s) => format!("the string `{s}`"),
        Value::Int(i) => format!("`{i}`"),
        Value::Float(f) => format!("`{f}`"),
        Value::Bool(b) => format!("`{b}`"),
        Value::Null => "nothing".to_string(),
        Value::Seq(_) | Value::Map(_) => return node.type_name().to_string(),
    };
    if scalar.len() > 80 {
        node.type_name().to_string()
    } else {
        scalar
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> FileOutcome {
        parse_file(&SourceFile {
            source_path: "defs/x.md".into(),
            rel_path: "x.md".into(),
            text: text.into(),
        })
    }

    fn errors(text: &str) -> Vec<String> {
        match parse(text) {
            FileOutcome::Invalid { errors, .. } => errors.iter().map(|e| e.to_string()).collect(),
            other => panic!("expected errors, got {other:?}"),
        }
    }

    fn activity(text: &str) -> ActivityDefinition {
        match parse(text) {
            FileOutcome::Parsed(d) => match *d {
                Definition::ActivityDefinition(a) => a,
                other => panic!("{other:?}"),
            },
            other => panic!("{other:?}"),
        }
    }

    const MINIMAL: &str =
        "---\nkey: a.b\nname: A\ntrigger:\n  type: cron\n  cron: \"0 * * * *\"\n---\nbody\n";

    #[test]
    fn minimal_cron_definition_gets_defaults() {
        let d = activity(MINIMAL);
        assert_eq!(d.id, id_from_key("a.b"));
        assert!(d.enabled);
        assert_eq!(d.body, "body\n");
        let Trigger::Cron(c) = &d.trigger else {
            panic!()
        };
        assert_eq!(c.timezone, "UTC");
        assert_eq!(c.misfire_policy, MisfirePolicy::Skip);
        assert_eq!(d.origin.at("trigger.cron"), "defs/x.md:6");
        assert_eq!(d.origin.at("key"), "defs/x.md:2");
    }

    #[test]
    fn the_old_layout_is_refused_with_what_to_write_instead() {
        let errs = errors(
            "---\nid: the-custodian.sweep\nname: A\ntrigger_type: cron\ntrigger_config:\n  cron: \"*/15 * * * *\"\n  timezone: UTC\n---\n",
        );
        assert_eq!(errs.len(), 2, "{errs:#?}");
        assert!(
            errs[0].starts_with("defs/x.md:2:5: `id` must be a UUID, found the slug `the-custodian.sweep` (the old layout): write `key: the-custodian.sweep`"),
            "{errs:#?}"
        );
        assert!(
            errs[0].contains("activity-sync import --out DIR"),
            "{errs:#?}"
        );
        assert_eq!(
            errs[1],
            "defs/x.md:4:1: `trigger_type` and `trigger_config` at the top level are the old layout: write one `trigger` mapping instead, here `trigger: {\"type\":\"cron\",\"cron\":\"*/15 * * * *\",\"timezone\":\"UTC\"}` (as YAML: `trigger:` then `type: …`, `cron: …` indented below it); `activity-sync import --out DIR` writes this form"
        );
        // A slug id beside a key: the same advice about the id.
        let errs = errors(&MINIMAL.replace("key: a.b\n", "key: a.b\nid: a.b\n"));
        assert_eq!(errs.len(), 1, "{errs:#?}");
        assert!(errs[0].contains("found the slug `a.b`"), "{errs:#?}");
    }

    #[test]
    fn unknown_top_level_keys_are_kept() {
        let d = activity(&MINIMAL.replace("name: A\n", "name: A\nrules: [1, 2]\nowner: no\n"));
        assert_eq!(d.spec["rules"], serde_json::json!([1, 2]));
        assert_eq!(d.spec["owner"], "no");
    }

    #[test]
    fn unknown_trigger_key_is_an_error_at_its_line() {
        let errs = errors(&MINIMAL.replace("  type: cron\n", "  type: cron\n  cronn: x\n"));
        assert_eq!(
            errs,
            [
                "defs/x.md:6:3: unknown key `cronn` in `trigger` (a cron trigger takes `type`, `cron`, `timezone`, `misfire_policy`, `catchup_window_seconds`, `jitter_seconds`)"
            ]
        );
    }

    #[test]
    fn yaml11_boolean_for_enabled_is_explained() {
        let errs = errors(&MINIMAL.replace("name: A\n", "name: A\nenabled: yes\n"));
        assert_eq!(
            errs,
            [
                "defs/x.md:4:10: `enabled` must be `true` or `false`, found the string `yes` (YAML 1.2: only `true` and `false` are booleans)"
            ]
        );
    }

    #[test]
    fn all_errors_of_a_file_are_reported() {
        let text =
            "---\nid: nope\nkey: a b\ntrigger:\n  type: once\n  at: 2026-12-18T17:00:00\n---\n";
        let errs = errors(text);
        assert_eq!(errs.len(), 4, "{errs:#?}");
        assert!(errs[0].starts_with("defs/x.md:3:6: `key` `a b` is not a valid name"));
        assert!(errs[1].starts_with("defs/x.md:2:5: `id` must be a UUID"));
        assert_eq!(errs[2], "defs/x.md:2:1: missing required field `name`");
        assert!(errs[3].starts_with("defs/x.md:6:7: `at` must be an RFC 3339 timestamp"));
    }

    #[test]
    fn no_frontmatter_is_skipped_and_unclosed_is_an_error() {
        assert_eq!(parse("# Index\n"), FileOutcome::Skipped);
        assert_eq!(
            errors("---\nkey: a\n"),
            ["defs/x.md:1:1: frontmatter opened by `---` on line 1 is never closed"]
        );
    }

    #[test]
    fn yaml_errors_point_into_the_file() {
        assert_eq!(
            errors("---\nkey: a\nkey: b\n---\n"),
            ["defs/x.md:3:1: duplicate key `key` (first defined on line 2)"]
        );
    }

    #[test]
    fn catchup_window_minimum() {
        let errs = errors(&MINIMAL.replace(
            "  type: cron\n",
            "  type: cron\n  catchup_window_seconds: 5\n",
        ));
        assert_eq!(
            errs,
            [
                "defs/x.md:6:27: `catchup_window_seconds` must be a whole number of seconds from 10 to 9223372036, found `5`"
            ]
        );
    }

    fn trigger_errors(extra: &str) -> Vec<String> {
        errors(&MINIMAL.replace("  type: cron\n", &format!("  type: cron\n{extra}")))
    }

    #[test]
    fn numeric_fields_have_ranges_and_exact_messages() {
        assert_eq!(
            trigger_errors("  jitter_seconds: 9223372036854775807\n"),
            [
                "defs/x.md:6:19: `jitter_seconds` must be a whole number of seconds from 0 to 86400, found `9223372036854775807`"
            ]
        );
        assert_eq!(
            trigger_errors("  jitter_seconds: 18446744073709551615\n"),
            [
                "defs/x.md:6:19: `jitter_seconds` must be a whole number of seconds from 0 to 86400, found `18446744073709551615`"
            ]
        );
        assert_eq!(
            trigger_errors("  jitter_seconds: -1\n"),
            [
                "defs/x.md:6:19: `jitter_seconds` must be a whole number of seconds from 0 to 86400, found `-1`"
            ]
        );
        // `0 * * * *` fires hourly: a jitter of an hour would merge fires.
        assert_eq!(
            trigger_errors("  jitter_seconds: 3600\n"),
            [
                "defs/x.md:6:19: `jitter_seconds` `3600` must be shorter than the shortest gap between fires of `0 * * * *` (3600 s)"
            ]
        );
        assert_eq!(
            trigger_errors("  catchup_window_seconds: 9223372037\n"),
            [
                "defs/x.md:6:27: `catchup_window_seconds` must be a whole number of seconds from 10 to 9223372036, found `9223372037`"
            ]
        );
        assert_eq!(
            trigger_errors("  catchup_window_seconds: 18446744073709551616\n"),
            [
                "defs/x.md:6:27: integer `18446744073709551616` is out of range (integers from -9223372036854775808 to 18446744073709551615 are kept exactly)"
            ]
        );
        let d = activity(&MINIMAL.replace(
            "  type: cron\n",
            "  type: cron\n  jitter_seconds: 3599\n  catchup_window_seconds: 9223372036\n",
        ));
        let Trigger::Cron(c) = &d.trigger else {
            panic!()
        };
        assert_eq!(
            (c.jitter_seconds, c.catchup_window_seconds),
            (Some(3599), Some(9_223_372_036))
        );
    }

    #[test]
    fn unknown_integers_are_stored_exactly() {
        let d = activity(&MINIMAL.replace(
            "name: A\n",
            "name: A\nbudget: 18446744073709551615\nfloor: -9223372036854775808\n",
        ));
        assert_eq!(d.spec["budget"].as_u64(), Some(u64::MAX));
        assert!(
            d.spec
                .to_string()
                .contains("\"budget\":18446744073709551615")
        );
        assert_eq!(d.spec["floor"].as_i64(), Some(i64::MIN));
    }

    #[test]
    fn a_cron_that_never_fires_is_an_error_at_its_line() {
        let errs = errors(&MINIMAL.replace("0 * * * *", "0 0 31 2 *"));
        assert_eq!(
            errs,
            [
                "defs/x.md:6:9: cron expression `0 0 31 2 *` never fires: none of its months has day 31"
            ]
        );
    }

    #[test]
    fn control_and_bidi_characters_are_refused_in_names() {
        // YAML double-quoted escapes.
        for (yaml, code) in [
            (r"Report \u202Eyliad", "202E"),
            (r"a\x1b[2Jb", "001B"),
            (r"x\u2066y", "2066"),
            (r"two\nlines", "000A"),
        ] {
            let errs = errors(&MINIMAL.replace("name: A\n", &format!("name: \"{yaml}\"\n")));
            assert_eq!(
                errs,
                [format!(
                    "defs/x.md:3:7: `name` must be one line of text without control or bidirectional-override characters, found U+{code}"
                )]
            );
        }
        // A key is ASCII already; a quoted control character in it is escaped in the message.
        let errs = errors(&MINIMAL.replace("key: a.b", "key: \"a\\u202Eb\""));
        assert_eq!(errs.len(), 1);
        assert!(
            errs[0].contains("`a\\u{202e}b` is not a valid name"),
            "{errs:?}"
        );
        assert!(!errs[0].contains('\u{202E}'));
        // A file name with one is refused, escaped.
        let outcome = parse_file(&SourceFile {
            source_path: "defs/evil\u{202E}dm.md".into(),
            rel_path: "evil\u{202E}dm.md".into(),
            text: MINIMAL.into(),
        });
        let FileOutcome::Invalid { errors, .. } = outcome else {
            panic!("{outcome:?}")
        };
        assert_eq!(
            errors[0].to_string(),
            "defs/evil\\u{202e}dm.md:1:1: the file name contains the control or bidirectional character U+202E; rename the file"
        );
    }

    #[test]
    fn event_type_and_event_trigger() {
        let FileOutcome::Parsed(d) =
            parse("---\nkind: EventType\nname: repo.pushed\nschema: {type: object}\n---\n")
        else {
            panic!()
        };
        let Definition::EventType(e) = *d else {
            panic!()
        };
        assert_eq!(e.name, "repo.pushed");
        assert_eq!(e.schema, Some(serde_json::json!({"type": "object"})));

        let d = activity(
            "---\nkey: k\nname: n\ntrigger: {type: event, event_type: repo.pushed, filters: {branch: main}}\n---\n",
        );
        let Trigger::Event(t) = d.trigger else {
            panic!()
        };
        assert_eq!(t.filters["branch"], "main");
    }

    #[test]
    fn invalid_file_claims_its_identity() {
        let FileOutcome::Invalid { claims, .. } =
            parse("---\nkey: a.b\nname: A\ntrigger: {type: cron, cron: nope}\n---\n")
        else {
            panic!()
        };
        assert_eq!(claims.keys, ["a.b"]);
        assert_eq!(claims.ids, [id_from_key("a.b")]);
    }

    #[test]
    fn timezone_hint() {
        let errs = errors(&MINIMAL.replace(
            "  type: cron\n",
            "  type: cron\n  timezone: europe/berlin\n",
        ));
        assert_eq!(
            errs,
            ["defs/x.md:6:13: unknown time zone `europe/berlin` (did you mean `Europe/Berlin`?)"]
        );
    }
}
