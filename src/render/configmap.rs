//! A ConfigMap manifest holding definition files, for `export configmap`.

use std::collections::BTreeMap;
use std::fmt::Write;

/// Kubernetes refuses objects over 1 MiB; the data alone must stay below it.
pub const MAX_CONFIGMAP_BYTES: usize = 1024 * 1024;

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum ConfigMapError {
    #[error(
        "`{key}` (from `{path}`) is not a legal ConfigMap key (letters, digits, `-`, `_`, `.`; at most 253)"
    )]
    IllegalKey { key: String, path: String },
    #[error("`{first}` and `{second}` both map to the ConfigMap key `{key}`")]
    KeyCollision {
        key: String,
        first: String,
        second: String,
    },
    #[error(
        "ConfigMap data is {bytes} bytes, over the Kubernetes limit of {MAX_CONFIGMAP_BYTES} bytes; split the definitions over several ConfigMaps"
    )]
    TooLarge { bytes: usize },
    #[error(
        "`{value}` is not a valid {what} (lowercase letters, digits and `-`{dots}, at most {max})"
    )]
    BadName {
        value: String,
        what: &'static str,
        dots: &'static str,
        max: usize,
    },
}

/// The ConfigMap key of a file: its relative path with `/` written as `__` (keys cannot hold
/// `/`; a mounted volume shows each key as one file name).
pub fn key_for(rel_path: &str) -> String {
    rel_path.replace('/', "__")
}

fn is_legal_key(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= 253
        && key != "."
        && key != ".."
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

fn check_name(
    value: &str,
    what: &'static str,
    max: usize,
    dots: bool,
) -> Result<(), ConfigMapError> {
    let ok = !value.is_empty()
        && value.len() <= max
        && value.chars().all(|c| {
            c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || (dots && c == '.')
        })
        && value.starts_with(|c: char| c.is_ascii_alphanumeric())
        && value.ends_with(|c: char| c.is_ascii_alphanumeric());
    if ok {
        Ok(())
    } else {
        Err(ConfigMapError::BadName {
            value: value.to_string(),
            what,
            dots: if dots { ", `.`" } else { "" },
            max,
        })
    }
}

/// Renders the manifest. `files` are `(rel_path, text)`; the text is kept byte for byte.
pub fn render(
    name: &str,
    namespace: Option<&str>,
    files: &[(&str, &str)],
) -> Result<String, ConfigMapError> {
    check_name(name, "ConfigMap name", 253, true)?;
    if let Some(ns) = namespace {
        check_name(ns, "namespace", 63, false)?;
    }
    let mut data: BTreeMap<String, (&str, &str)> = BTreeMap::new();
    let mut bytes = 0;
    for &(path, text) in files {
        let key = key_for(path);
        if !is_legal_key(&key) {
            return Err(ConfigMapError::IllegalKey {
                key,
                path: path.to_string(),
            });
        }
        bytes += key.len() + text.len();
        if let Some((first, _)) = data.insert(key.clone(), (path, text)) {
            return Err(ConfigMapError::KeyCollision {
                key,
                first: first.to_string(),
                second: path.to_string(),
            });
        }
    }
    if bytes > MAX_CONFIGMAP_BYTES {
        return Err(ConfigMapError::TooLarge { bytes });
    }
    let mut out = String::new();
    out.push_str("apiVersion: v1\nkind: ConfigMap\nmetadata:\n");
    let _ = writeln!(out, "  name: {name}");
    if let Some(ns) = namespace {
        let _ = writeln!(out, "  namespace: {ns}");
    }
    out.push_str("  labels:\n    app.kubernetes.io/managed-by: activity-sync\n");
    out.push_str("data:\n");
    for (key, (_, text)) in &data {
        let _ = write!(out, "  {key}: ");
        write_value(&mut out, text);
    }
    Ok(out)
}

/// A literal block scalar where that keeps the text exact and readable, else a JSON string
/// (JSON is valid YAML).
fn write_value(out: &mut String, text: &str) {
    let printable = |c: char| {
        c == '\t'
            || c == '\n'
            || (c >= ' ' && c != '\u{7f}' && !('\u{80}'..'\u{a0}').contains(&c) && c != '\u{feff}')
    };
    let trailing = text.len() - text.trim_end_matches('\n').len();
    let literal_ok = !text.trim().is_empty() && text.chars().all(printable);
    if !literal_ok {
        let _ = writeln!(out, "{}", serde_json::Value::String(text.to_string()));
        return;
    }
    let chomp = match trailing {
        0 => "-",
        1 => "",
        _ => "+",
    };
    // Relative to the key's indentation (2): content sits at column 4.
    let indent = if text.starts_with([' ', '\t', '\n']) {
        "2"
    } else {
        ""
    };
    let _ = writeln!(out, "|{indent}{chomp}");
    let body = if trailing == 0 {
        text
    } else {
        &text[..text.len() - 1]
    };
    for line in body.split('\n') {
        if line.is_empty() {
            out.push('\n');
        } else {
            let _ = writeln!(out, "    {line}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::definition::yaml::{Limits, load_one};

    fn round_trip(text: &str) {
        let manifest = render("defs", Some("platform"), &[("a.md", text)]).unwrap();
        let doc =
            load_one(&manifest, Limits::MANIFEST).unwrap_or_else(|e| panic!("{e:?}\n{manifest}"));
        let value = doc.get("data").unwrap().value.get("a.md").unwrap();
        assert_eq!(value.value.as_str(), Some(text), "manifest:\n{manifest}");
    }

    #[test]
    fn texts_survive_byte_for_byte() {
        for text in [
            "---\nkey: a\n---\nbody\n",
            "---\nkey: a\n---\nno newline",
            "---\nkey: a\n---\nbody\n\n\n",
            "  leading spaces\nx\n",
            "\nleading newline\n",
            "tabs\tinside\n",
            "trailing spaces   \nok\n",
            "crlf\r\nline\r\n",
            "",
            "\n\n",
            "bell\u{7}\n",
            "unicode ✓ ü\n",
            "a: b\n  # not a comment\n",
        ] {
            round_trip(text);
        }
    }

    #[test]
    fn keys_and_names() {
        assert_eq!(key_for("events/repo-pushed.md"), "events__repo-pushed.md");
        assert!(matches!(
            render("defs", None, &[("a b.md", "x")]),
            Err(ConfigMapError::IllegalKey { .. })
        ));
        assert!(matches!(
            render("defs", None, &[("a/b.md", "x"), ("a__b.md", "y")]),
            Err(ConfigMapError::KeyCollision { .. })
        ));
        assert!(matches!(
            render("Defs", None, &[]),
            Err(ConfigMapError::BadName { .. })
        ));
        assert!(matches!(
            render("defs", Some("a.b"), &[]),
            Err(ConfigMapError::BadName { .. })
        ));
    }

    #[test]
    fn size_limit() {
        let big = "x".repeat(MAX_CONFIGMAP_BYTES);
        assert_eq!(
            render("defs", None, &[("a.md", &big)]),
            Err(ConfigMapError::TooLarge {
                bytes: MAX_CONFIGMAP_BYTES + 4
            })
        );
    }
}
