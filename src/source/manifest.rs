//! A file of Kubernetes manifests: every `ConfigMap`'s `data` entries ending in `.md`.
//!
//! Definitions read from `cm.yaml` get the source path `cm.yaml:NAME/KEY`, and their
//! diagnostics count lines inside the entry (the file as it will be mounted).

use std::path::Path;

use base64::Engine;

use super::configmap_data::{self, EntryValue};
use super::{SourceError, SourceRead};
use crate::definition::yaml::{self, Limits, Node, Value};

/// Kubernetes refuses objects over about 1 MiB; a manifest file holds several.
pub const MAX_MANIFEST_BYTES: u64 = 16 * 1024 * 1024;

pub fn read(path: &Path) -> Result<SourceRead, SourceError> {
    let io = |source| SourceError::Io {
        path: path.to_path_buf(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => SourceError::Missing {
            path: path.to_path_buf(),
        },
        _ => io(e),
    })?;
    let shown = path.to_string_lossy().replace('\\', "/");
    let fail = |line, col, message: String| SourceError::Manifest {
        path: shown.clone(),
        line,
        col,
        message,
    };
    if meta.len() > MAX_MANIFEST_BYTES {
        return Err(fail(
            1,
            1,
            format!(
                "manifest is {} bytes, over the limit of {MAX_MANIFEST_BYTES} bytes",
                meta.len()
            ),
        ));
    }
    let text = std::fs::read_to_string(path).map_err(io)?;
    let docs = yaml::load_all(&text, Limits::MANIFEST).map_err(|e| {
        let pos = e.pos();
        fail(pos.line, pos.col, e.to_string())
    })?;
    let mut read = SourceRead {
        label: String::new(),
        commit: None,
        revision: None,
        resource_version: None,
        files: Vec::new(),
        refused: Vec::new(),
    };
    let mut objects = Vec::new();
    // ConfigMaps without a definition key: `(name, keys, where)`.
    let mut empty = Vec::new();
    for doc in &docs {
        collect_objects(doc, &mut objects);
    }
    for object in objects {
        if object.get("kind").and_then(|e| e.value.as_str()) != Some("ConfigMap") {
            continue;
        }
        let name = object
            .get("metadata")
            .and_then(|m| m.value.get("name"))
            .and_then(|n| n.value.as_str())
            .ok_or_else(|| {
                fail(
                    object.pos.line,
                    object.pos.col,
                    "ConfigMap without `metadata.name`".into(),
                )
            })?;
        let mut keys: Vec<&str> = Vec::new();
        let mut entries = Vec::new();
        for field in ["data", "binaryData"] {
            let Some(map) = object.get(field) else {
                continue;
            };
            let Value::Map(items) = &map.value.value else {
                return Err(fail(
                    map.value.pos.line,
                    map.value.pos.col,
                    format!("`{field}` of ConfigMap `{name}` must be a mapping"),
                ));
            };
            for item in items {
                keys.push(&item.key);
                entries.push((item.key.as_str(), entry_value(field, &item.value)));
            }
        }
        let prefix = format!("{shown}:{name}/");
        if configmap_data::take(&mut read, &prefix, entries) == 0 {
            empty.push((name, keys, object.pos));
        }
    }
    // A manifest that hands over nothing is a mistake (the wrong file, a ConfigMap of
    // settings), not "no definitions": say what it holds.
    if read.files.is_empty() && read.refused.is_empty() {
        let message = match empty.as_slice() {
            [] => "no ConfigMap here: definitions are `*.md` keys of a `kind: ConfigMap` object's `data`".to_string(),
            [(name, keys, _)] => configmap_data::no_definitions(name, keys),
            _ => format!(
                "no ConfigMap here holds a `*.md` key ({})",
                empty
                    .iter()
                    .map(|(name, keys, _)| format!("ConfigMap `{name}`: {}", configmap_data::its_keys(keys)))
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
        };
        let (line, col) = empty
            .first()
            .map_or((1, 1), |(_, _, pos)| (pos.line, pos.col));
        return Err(fail(line, col, message));
    }
    Ok(read)
}

/// An entry of `data` (a string) or `binaryData` (base64 of the bytes).
fn entry_value<'a>(field: &str, value: &'a Node) -> EntryValue<'a> {
    match (field, value.as_str()) {
        ("data", Some(text)) => EntryValue::Text(text),
        (_, Some(encoded)) => match base64::engine::general_purpose::STANDARD.decode(encoded) {
            Ok(bytes) => EntryValue::Bytes(bytes),
            Err(e) => EntryValue::Refused(format!("`binaryData` value is not base64: {e}")),
        },
        (_, None) => EntryValue::Refused(format!(
            "ConfigMap value must be a string, found {}",
            value.type_name()
        )),
    }
}

/// A document, or the items of a `kind: List` (what `kubectl get -o yaml` prints).
fn collect_objects<'a>(doc: &'a Node, out: &mut Vec<&'a Node>) {
    if doc.get("kind").and_then(|e| e.value.as_str()) == Some("List")
        && let Some(items) = doc.get("items")
        && let Value::Seq(items) = &items.value.value
    {
        out.extend(items.iter());
        return;
    }
    if matches!(doc.value, Value::Map(_)) {
        out.push(doc);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_text(text: &str) -> Result<SourceRead, SourceError> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cm.yaml");
        std::fs::write(&path, text).unwrap();
        read(&path)
    }

    #[test]
    fn binary_data_markdown_keys_are_files_when_they_are_text() {
        let text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: defs\nbinaryData:\n  a.md: aGVsbG8=\n  b.md: /w==\n  c.md: '***'\n  logo.png: AAEC\n";
        let read = read_text(text).unwrap();
        assert_eq!(read.files.len(), 1);
        assert!(read.files[0].source_path.ends_with("cm.yaml:defs/a.md"));
        assert_eq!(read.files[0].text, "hello");
        let refused: Vec<_> = read
            .refused
            .iter()
            .map(|(k, d)| (k.as_str(), d.message.as_str()))
            .collect();
        assert_eq!(refused.len(), 2, "{refused:?}");
        assert!(
            refused[0].1.starts_with("file is not valid UTF-8"),
            "{refused:?}"
        );
        assert!(
            refused[1].1.starts_with("`binaryData` value is not base64"),
            "{refused:?}"
        );
    }

    #[test]
    fn configmaps_without_markdown_keys_are_named_with_their_keys() {
        let one =
            read_text("kind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  LOG_LEVEL: info\n")
                .unwrap_err()
                .to_string();
        assert!(
            one.ends_with(":1:1: ConfigMap `settings` holds no `*.md` key (its keys: `LOG_LEVEL`)"),
            "{one}"
        );
        let two = read_text(
            "kind: ConfigMap\nmetadata:\n  name: a\ndata:\n  x: y\n---\nkind: ConfigMap\nmetadata:\n  name: b\n",
        )
        .unwrap_err()
        .to_string();
        assert!(
            two.ends_with("no ConfigMap here holds a `*.md` key (ConfigMap `a`: its keys: `x`; ConfigMap `b`: it has no keys)"),
            "{two}"
        );
        let none = read_text("kind: Secret\nmetadata:\n  name: s\n")
            .unwrap_err()
            .to_string();
        assert!(none.contains("no ConfigMap here"), "{none}");
        // One ConfigMap with definitions is enough: another one of settings is ignored.
        let mixed = read_text(
            "kind: ConfigMap\nmetadata:\n  name: a\ndata:\n  x: y\n---\nkind: ConfigMap\nmetadata:\n  name: b\ndata:\n  d.md: text\n",
        )
        .unwrap();
        assert_eq!(mixed.files.len(), 1);
    }
}
