//! Rows as the database holds them: the shape both the desired and the actual state take.

use std::fmt::Display;
use std::sync::Arc;

use serde::{Deserialize, Serialize, de::DeserializeOwned};
use serde_json::Value as Json;
use uuid::Uuid;

use serde_json::json;

use crate::definition::{ActivityDefinition, EventType, hash_json, hash_json_members, sorted_json};

/// One row of `activity_definitions`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DefinitionRow {
    pub id: Uuid,
    pub key: String,
    pub name: String,
    pub enabled: bool,
    pub trigger_type: String,
    /// Shared, not copied: a plan holds every row of the scope, unchanged ones included,
    /// and a run holds several plans' worth of them (10,000 definitions, each JSON a few
    /// kilobytes).
    pub trigger_config: Arc<Json>,
    pub spec: Arc<Json>,
    pub body: String,
    pub scope: String,
    pub source_path: String,
    pub retired: bool,
}

/// One row of `event_types`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventTypeRow {
    pub name: String,
    pub description: Option<String>,
    pub schema: Option<Json>,
    pub spec: Json,
    pub body: String,
    pub scope: String,
    pub source_path: String,
    pub retired: bool,
}

impl DefinitionRow {
    pub fn desired(d: &ActivityDefinition, scope: &str) -> DefinitionRow {
        DefinitionRow {
            id: d.id,
            key: d.key.clone(),
            name: d.name.clone(),
            enabled: d.enabled,
            trigger_type: d.trigger.type_name().to_string(),
            trigger_config: Arc::new(d.trigger_config()),
            spec: d.spec.clone(),
            body: d.body.clone(),
            scope: scope.to_string(),
            source_path: d.origin.source_path.clone(),
            retired: false,
        }
    }
}

impl EventTypeRow {
    pub fn desired(e: &EventType, scope: &str) -> EventTypeRow {
        EventTypeRow {
            name: e.name.clone(),
            description: e.description.clone(),
            schema: e.schema.clone(),
            spec: e.spec.clone(),
            body: e.body.clone(),
            scope: scope.to_string(),
            source_path: e.origin.source_path.clone(),
            retired: false,
        }
    }
}

/// What the planner needs to know of a row, whatever table it lives in.
pub trait Resource: Clone + PartialEq + Serialize + DeserializeOwned {
    type Id: Ord + Clone + Display;
    /// `definition` or `event_type`, as in the JSON `changes[].resource`.
    const KIND: &'static str;
    fn id(&self) -> Self::Id;
    /// What people call it: the key of a definition, the name of an event type.
    fn label(&self) -> &str;
    /// A second unique column besides the id, if any.
    fn unique_key(&self) -> Option<&str>;
    fn scope(&self) -> &str;
    fn source_path(&self) -> &str;
    /// Hash of what the row stores, computed from its columns (never read from the stored
    /// `content_hash`): a hand edit of any column shows as drift (SPEC §4).
    fn content_hash(&self) -> String;
    fn retired(&self) -> bool;
    /// Fields as text, in display order, for diffs.
    fn fields(&self) -> Vec<(&'static str, String)>;
    /// The fields a row written by someone else (the runtime) holds, compared on adoption.
    fn runtime_fields(&self) -> Vec<(&'static str, String)>;
    /// A row without a scope: written before activity-sync took over the table.
    fn unmanaged(&self) -> bool {
        self.scope().is_empty()
    }
}

/// The object without its `null` members.
fn without_nulls(value: &Json) -> Json {
    match value {
        Json::Object(map) => Json::Object(
            map.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Pretty JSON with sorted keys: the database may not keep the file's key order.
fn pretty(value: &Json) -> String {
    let mut text =
        serde_json::to_string_pretty(&sorted_json(value)).expect("JSON values serialize");
    text.push('\n');
    text
}

impl Resource for DefinitionRow {
    type Id = Uuid;
    const KIND: &'static str = "definition";

    fn id(&self) -> Uuid {
        self.id
    }
    fn label(&self) -> &str {
        // An unmanaged row may have no key: its name says what it is.
        if self.key.is_empty() {
            &self.name
        } else {
            &self.key
        }
    }
    fn unique_key(&self) -> Option<&str> {
        Some(&self.key)
    }
    fn scope(&self) -> &str {
        &self.scope
    }
    fn source_path(&self) -> &str {
        &self.source_path
    }
    fn content_hash(&self) -> String {
        // What is stored for the definition, not where it was read from (the stored
        // `content_hash` column holds this value).
        // The members by reference: `spec` and `trigger_config` are not copied.
        hash_json_members(&mut [
            ("id", &Json::String(self.id.to_string())),
            ("key", &Json::String(self.key.clone())),
            ("name", &Json::String(self.name.clone())),
            ("enabled", &Json::Bool(self.enabled)),
            ("trigger_type", &Json::String(self.trigger_type.clone())),
            ("trigger_config", &self.trigger_config),
            ("spec", &self.spec),
            ("body", &Json::String(self.body.clone())),
        ])
    }
    fn retired(&self) -> bool {
        self.retired
    }
    fn fields(&self) -> Vec<(&'static str, String)> {
        // The trigger as written (not the normalised `trigger_config`), and the other
        // frontmatter keys without the ones shown on their own: every hashed input shows
        // up in exactly one field.
        let trigger = self.spec.get("trigger").unwrap_or(&self.trigger_config);
        let mut rest = Json::clone(&self.spec);
        if let Some(map) = rest.as_object_mut() {
            for shown in ["kind", "id", "key", "name", "enabled", "trigger"] {
                map.remove(shown);
            }
        }
        vec![
            ("key", self.key.clone()),
            ("name", self.name.clone()),
            ("enabled", self.enabled.to_string()),
            ("trigger", pretty(trigger)),
            ("spec", pretty(&rest)),
            ("body", self.body.clone()),
        ]
    }
    fn runtime_fields(&self) -> Vec<(&'static str, String)> {
        vec![
            ("name", self.name.clone()),
            ("enabled", self.enabled.to_string()),
            ("trigger_type", self.trigger_type.clone()),
            // A key with no value and a key left out say the same (activity-sync writes
            // `null` for options the runtime's rows leave out).
            (
                "trigger_config",
                pretty(&without_nulls(&self.trigger_config)),
            ),
        ]
    }
}

impl Resource for EventTypeRow {
    type Id = String;
    const KIND: &'static str = "event_type";

    fn id(&self) -> String {
        self.name.clone()
    }
    fn label(&self) -> &str {
        &self.name
    }
    fn unique_key(&self) -> Option<&str> {
        None
    }
    fn scope(&self) -> &str {
        &self.scope
    }
    fn source_path(&self) -> &str {
        &self.source_path
    }
    fn content_hash(&self) -> String {
        hash_json(&json!({
            "name": self.name,
            "description": self.description,
            "schema": self.schema,
            "spec": self.spec,
            "body": self.body,
        }))
    }
    fn retired(&self) -> bool {
        self.retired
    }
    fn fields(&self) -> Vec<(&'static str, String)> {
        vec![
            ("description", self.description.clone().unwrap_or_default()),
            (
                "schema",
                self.schema.as_ref().map(pretty).unwrap_or_default(),
            ),
            ("spec", pretty(&self.spec)),
            ("body", self.body.clone()),
        ]
    }
    fn runtime_fields(&self) -> Vec<(&'static str, String)> {
        vec![
            ("description", self.description.clone().unwrap_or_default()),
            (
                "schema",
                self.schema.as_ref().map(pretty).unwrap_or_default(),
            ),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The hash written to the `content_hash` column is the hash of the object of the
    /// stored columns, as it always was: rows written by earlier versions keep theirs.
    #[test]
    fn a_definition_row_hashes_as_the_object_of_its_columns() {
        let row = DefinitionRow {
            id: Uuid::from_u128(7),
            key: "team.sweep".into(),
            name: "Sweep".into(),
            enabled: false,
            trigger_type: "cron".into(),
            trigger_config: Arc::new(json!({"cron": "0 * * * *", "timezone": "UTC"})),
            spec: Arc::new(json!({"key": "team.sweep", "trigger": {"type": "cron"}})),
            body: "Sweeps.\n".into(),
            scope: "s".into(),
            source_path: "defs/sweep.md".into(),
            retired: false,
        };
        assert_eq!(
            row.content_hash(),
            hash_json(&json!({
                "id": row.id,
                "key": row.key,
                "name": row.name,
                "enabled": row.enabled,
                "trigger_type": row.trigger_type,
                "trigger_config": row.trigger_config,
                "spec": row.spec,
                "body": row.body,
            }))
        );
    }
}
