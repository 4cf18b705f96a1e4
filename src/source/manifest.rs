//! A file of Kubernetes manifests: every `ConfigMap`'s `data` entries ending in `.md`.
//!
//! Definitions read from `cm.yaml` get the source path `cm.yaml:NAME/KEY`, and their
//! diagnostics count lines inside the entry (the file as it will be mounted).

use std::path::Path;

use super::{SourceError, SourceRead, is_hidden, is_markdown};
use crate::definition::yaml::{self, Limits, Node, Value};
use crate::definition::{Diagnostic, MAX_FILE_BYTES, SourceFile};

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
        files: Vec::new(),
        refused: Vec::new(),
    };
    let mut objects = Vec::new();
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
        let Some(data) = object.get("data") else {
            continue;
        };
        let Value::Map(entries) = &data.value.value else {
            return Err(fail(
                data.value.pos.line,
                data.value.pos.col,
                format!("`data` of ConfigMap `{name}` must be a mapping"),
            ));
        };
        for entry in entries {
            if !is_markdown(&entry.key) || is_hidden(&entry.key) {
                continue;
            }
            let source_path = format!("{shown}:{name}/{}", entry.key);
            let Some(text) = entry.value.as_str() else {
                read.refused.push((
                    entry.key.clone(),
                    Diagnostic::file(
                        &source_path,
                        format!(
                            "ConfigMap value must be a string, found {}",
                            entry.value.type_name()
                        ),
                    ),
                ));
                continue;
            };
            if text.len() as u64 > MAX_FILE_BYTES {
                read.refused.push((
                    entry.key.clone(),
                    Diagnostic::oversized(&source_path, text.len() as u64),
                ));
                continue;
            }
            read.files.push(SourceFile {
                source_path,
                rel_path: entry.key.clone(),
                text: text.to_string(),
            });
        }
    }
    Ok(read)
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
