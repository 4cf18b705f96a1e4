//! The definition model of SPEC §2: what a valid definition file means.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use chrono::{DateTime, FixedOffset};
use serde::Serialize;
use serde_json::{Value as Json, json};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::cron_expr::CronExpr;

/// Where a definition came from, for every message about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Origin {
    /// Shown to people and stored with the row, e.g. `defs/sweep.md` or
    /// `git::repo@3f2a1c9d0e1f:defs/sweep.md`.
    pub source_path: String,
    /// Path relative to the source root, e.g. `sweep.md`; stable across commits.
    pub rel_path: String,
    /// File line of each top-level and `trigger.*` key, for diffs that point into the file.
    #[serde(skip)]
    pub lines: BTreeMap<String, usize>,
}

impl Origin {
    /// `source_path:line` for a field, or the bare `source_path` when the field is absent.
    pub fn at(&self, field: &str) -> String {
        match self.lines.get(field) {
            Some(line) => format!("{}:{line}", self.source_path),
            None => self.source_path.clone(),
        }
    }
}

/// One parsed definition file.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind")]
pub enum Definition {
    ActivityDefinition(ActivityDefinition),
    EventType(EventType),
}

impl Definition {
    pub fn origin(&self) -> &Origin {
        match self {
            Definition::ActivityDefinition(d) => &d.origin,
            Definition::EventType(e) => &e.origin,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActivityDefinition {
    pub id: Uuid,
    pub key: String,
    pub name: String,
    pub enabled: bool,
    pub trigger: Trigger,
    /// The whole frontmatter as written, keys in file order (shared with the desired row).
    pub spec: std::sync::Arc<Json>,
    /// The markdown body, verbatim.
    pub body: String,
    pub origin: Origin,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventType {
    pub name: String,
    pub description: Option<String>,
    pub schema: Option<Json>,
    pub spec: Json,
    pub body: String,
    pub origin: Origin,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Trigger {
    Cron(CronTrigger),
    Event(EventTrigger),
    Once(OnceTrigger),
}

impl Trigger {
    pub fn type_name(&self) -> &'static str {
        match self {
            Trigger::Cron(_) => "cron",
            Trigger::Event(_) => "event",
            Trigger::Once(_) => "once",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CronTrigger {
    /// 5-field expression or `@hourly`-style macro, as written (trimmed), parsed; shared
    /// by the clones of the definition.
    pub cron: Arc<CronExpr>,
    /// IANA time zone name.
    pub timezone: String,
    pub misfire_policy: MisfirePolicy,
    pub catchup_window_seconds: Option<u64>,
    pub jitter_seconds: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventTrigger {
    pub event_type: String,
    /// Payload key → expected value.
    pub filters: serde_json::Map<String, Json>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OnceTrigger {
    pub at: DateTime<FixedOffset>,
}

/// How a missed fire is recovered (SPEC §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MisfirePolicy {
    Skip,
    CatchupAll,
    CatchupLatest,
}

impl MisfirePolicy {
    pub const NAMES: &'static str = "`skip`, `catchup_all` or `catchup_latest`";

    /// Parses a policy name, accepting the legacy aliases `catchup` and `compress`.
    pub fn parse(name: &str) -> Option<MisfirePolicy> {
        match name {
            "skip" => Some(MisfirePolicy::Skip),
            "catchup_all" | "catchup" => Some(MisfirePolicy::CatchupAll),
            "catchup_latest" | "compress" => Some(MisfirePolicy::CatchupLatest),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            MisfirePolicy::Skip => "skip",
            MisfirePolicy::CatchupAll => "catchup_all",
            MisfirePolicy::CatchupLatest => "catchup_latest",
        }
    }
}

impl fmt::Display for MisfirePolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The id of a definition that names no `id`: UUIDv5 of its `key` in the URL namespace
/// (`uuid.uuid5(uuid.NAMESPACE_URL, key)` in Python).
pub fn id_from_key(key: &str) -> Uuid {
    Uuid::new_v5(&Uuid::NAMESPACE_URL, key.as_bytes())
}

impl ActivityDefinition {
    /// The normalised trigger as stored in `trigger_config`: defaults filled in, policy
    /// aliases resolved.
    pub fn trigger_config(&self) -> Json {
        match &self.trigger {
            Trigger::Cron(c) => json!({
                "cron": c.cron,
                "timezone": c.timezone,
                "misfire_policy": c.misfire_policy,
                "catchup_window_seconds": c.catchup_window_seconds,
                "jitter_seconds": c.jitter_seconds,
            }),
            Trigger::Event(e) => json!({"event_type": e.event_type, "filters": e.filters}),
            Trigger::Once(o) => json!({"at": o.at.to_rfc3339()}),
        }
    }
}

/// SHA-256 of a JSON value in canonical form (object keys sorted), hex.
pub fn hash_json(value: &Json) -> String {
    let mut hasher = Sha256::new();
    write_canonical(value, &mut hasher).expect("hashing does not fail");
    hex(&hasher.finalize())
}

/// [`hash_json`] of the array of `items`, made one item at a time: the same hash, without
/// the whole array in memory (a fingerprint covers every row and schedule of a scope).
pub fn hash_json_items(items: impl IntoIterator<Item = Json>) -> String {
    let mut hasher = Sha256::new();
    hasher.update(b"[");
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            hasher.update(b",");
        }
        write_canonical(&item, &mut hasher).expect("hashing does not fail");
    }
    hasher.update(b"]");
    hex(&hasher.finalize())
}

/// [`hash_json`] of the object of `members`, given by reference: the same hash, without
/// copying them into an object first (a row's hash is taken several times a run, and its
/// `spec` is the whole frontmatter).
pub fn hash_json_members(members: &mut [(&str, &Json)]) -> String {
    members.sort_unstable_by(|a, b| a.0.cmp(b.0));
    let mut hasher = Sha256::new();
    hasher.update(b"{");
    for (i, (key, value)) in members.iter().enumerate() {
        if i > 0 {
            hasher.update(b",");
        }
        serde_json::to_writer(&mut hasher, key).expect("hashing does not fail");
        hasher.update(b":");
        write_canonical(value, &mut hasher).expect("hashing does not fail");
    }
    hasher.update(b"}");
    hex(&hasher.finalize())
}

fn hex(digest: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut text = String::with_capacity(digest.len() * 2);
    for b in digest {
        text.push(char::from(DIGITS[usize::from(b >> 4)]));
        text.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
    text
}

/// JSON text with object keys sorted at every level, so equal values hash equally whatever
/// order their keys were written in.
pub fn canonical_json(value: &Json) -> String {
    let mut out = Vec::new();
    write_canonical(value, &mut out).expect("writing to memory does not fail");
    String::from_utf8(out).expect("JSON is UTF-8")
}

/// Writes `value` as compact JSON with object keys sorted at every level — the text of
/// [`sorted_json`]'s value — without building the sorted copy.
fn write_canonical<W: std::io::Write>(value: &Json, out: &mut W) -> std::io::Result<()> {
    match value {
        Json::Object(map) => {
            let mut entries: Vec<(&String, &Json)> = map.iter().collect();
            entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
            out.write_all(b"{")?;
            for (i, (key, item)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.write_all(b",")?;
                }
                serde_json::to_writer(&mut *out, key)?;
                out.write_all(b":")?;
                write_canonical(item, out)?;
            }
            out.write_all(b"}")
        }
        Json::Array(items) => {
            out.write_all(b"[")?;
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.write_all(b",")?;
                }
                write_canonical(item, out)?;
            }
            out.write_all(b"]")
        }
        scalar => Ok(serde_json::to_writer(out, scalar)?),
    }
}

/// The value with object keys sorted at every level (Postgres `jsonb` keeps no key order;
/// diffs compare sorted forms so they never show a reordering).
pub fn sorted_json(value: &Json) -> Json {
    match value {
        Json::Object(map) => {
            let ordered: BTreeMap<&String, Json> =
                map.iter().map(|(k, v)| (k, sorted_json(v))).collect();
            Json::Object(ordered.into_iter().map(|(k, v)| (k.clone(), v)).collect())
        }
        Json::Array(items) => Json::Array(items.iter().map(sorted_json).collect()),
        other => other.clone(),
    }
}

/// Where a row came from, without the commit: `git::url@3f2a1c9d0e1f:defs/a.md` and
/// `git::url@77aa00bb11cc:defs/a.md` are the same place. Moving a file is a change; a new
/// commit that leaves the file alone is not.
pub fn source_location(source_path: &str) -> &str {
    if let Some(rest) = source_path.strip_prefix("git::")
        && let Some(at) = rest.rfind('@')
        && let Some(colon) = rest[at..].find(':')
    {
        let sha = &rest[at + 1..at + colon];
        if !sha.is_empty() && sha.chars().all(|c| c.is_ascii_hexdigit()) {
            // Everything after the commit is the path inside the repository.
            return &source_path["git::".len() + at + colon + 1..];
        }
    }
    source_path
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The streamed canonical text is the text of the sorted copy, byte for byte: hashes
    /// written by earlier versions (content hashes in the table, saved plans' fingerprints)
    /// stay valid.
    #[test]
    fn canonical_text_is_the_sorted_copy_and_items_hash_as_an_array() {
        let values = [
            json!({"b": [3, {"z": null, "a": "x\u{7f}\"q"}], "a": {"d": 1.5, "c": true}, "é": -1}),
            json!([{"k": "v"}, [], {}, "s", 0]),
            json!("plain"),
            json!({}),
        ];
        for value in &values {
            assert_eq!(canonical_json(value), sorted_json(value).to_string());
        }
        assert_eq!(
            hash_json_items(values.iter().cloned()),
            hash_json(&Json::Array(values.to_vec()))
        );
        assert_eq!(hash_json_items(std::iter::empty()), hash_json(&json!([])));
        let (b, a) = (values[1].clone(), values[0].clone());
        assert_eq!(
            hash_json_members(&mut [("b", &b), ("a", &a), ("é", &json!(null))]),
            hash_json(&json!({"a": a, "é": null, "b": b}))
        );
        // SHA-256 of `{}`, as `sha256sum` prints it.
        assert_eq!(
            hash_json(&json!({})),
            "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
        );
    }

    #[test]
    fn location_ignores_the_commit() {
        assert_eq!(
            source_location("git::/srv/repo@3f2a1c9d0e1f:defs/a.md"),
            "defs/a.md"
        );
        assert_eq!(
            source_location("git::https://h/r.git@77aa00bb11cc:defs/a.md"),
            "defs/a.md"
        );
        assert_eq!(
            source_location("fixtures/valid/a.md"),
            "fixtures/valid/a.md"
        );
        assert_eq!(source_location("cm.yaml:defs/a.md"), "cm.yaml:defs/a.md");
    }

    #[test]
    fn id_from_key_matches_python_uuid5() {
        // python3 -c 'import uuid;print(uuid.uuid5(uuid.NAMESPACE_URL, "the-custodian.report-daily"))'
        assert_eq!(
            id_from_key("the-custodian.report-daily").to_string(),
            "0e443e1a-0a89-58a5-ad7b-f797422bd584"
        );
    }

    #[test]
    fn policy_aliases() {
        assert_eq!(
            MisfirePolicy::parse("catchup"),
            Some(MisfirePolicy::CatchupAll)
        );
        assert_eq!(
            MisfirePolicy::parse("compress"),
            Some(MisfirePolicy::CatchupLatest)
        );
        assert_eq!(MisfirePolicy::parse("skip"), Some(MisfirePolicy::Skip));
        assert_eq!(MisfirePolicy::parse("Skip"), None);
    }

    #[test]
    fn canonical_json_sorts_keys() {
        let a: Json = serde_json::from_str(r#"{"b":1,"a":{"y":2,"x":3}}"#).unwrap();
        let b: Json = serde_json::from_str(r#"{"a":{"x":3,"y":2},"b":1}"#).unwrap();
        assert_eq!(canonical_json(&a), canonical_json(&b));
        assert_eq!(hash_json(&a), hash_json(&b));
    }
}
