//! The entries of one ConfigMap as definition files: one rule for a ConfigMap read from a
//! manifest file and for a live one read through the Kubernetes API, so that both hand over
//! the same files for the same object.
//!
//! Every key of `data` or `binaryData` that ends in `.md` (any case) and is not hidden is a
//! file named after its key; other keys are ignored. A `binaryData` value is taken when it
//! is UTF-8 text (`kubectl create configmap --from-file` puts a file there when it is not,
//! and such a file is refused like an undecodable file of a directory). A ConfigMap with no
//! such key at all is a mistake of the operator (a wrong name, a `--from-env-file`): the
//! source fails and says which keys it has.

use super::{SourceRead, decode, is_hidden, is_markdown};
use crate::definition::{Diagnostic, MAX_FILE_BYTES, SourceFile};

/// The value of one entry, as the object holds it.
pub enum EntryValue<'a> {
    /// A `data` string.
    Text(&'a str),
    /// A decoded `binaryData` value.
    Bytes(Vec<u8>),
    /// What cannot be a file: `why` says what it is.
    Refused(String),
}

/// Whether an entry of a ConfigMap is a definition file.
pub fn is_definition_key(key: &str) -> bool {
    is_markdown(key) && !is_hidden(key)
}

/// Adds the definition entries of one ConfigMap to `read`, named `{prefix}{key}`; returns
/// how many there were (files and refused ones).
pub fn take<'a>(
    read: &mut SourceRead,
    prefix: &str,
    entries: impl IntoIterator<Item = (&'a str, EntryValue<'a>)>,
) -> usize {
    let mut taken = 0;
    for (key, value) in entries {
        if !is_definition_key(key) {
            continue;
        }
        taken += 1;
        let source_path = format!("{prefix}{key}");
        let refuse = |diagnostic| (key.to_string(), diagnostic);
        let text = match value {
            EntryValue::Text(text) => Ok(text.to_string()),
            EntryValue::Bytes(bytes) => decode(bytes, &source_path),
            EntryValue::Refused(why) => Err(Diagnostic::file(&source_path, why)),
        };
        match text {
            Ok(text) if text.len() as u64 > MAX_FILE_BYTES => read.refused.push(refuse(
                Diagnostic::oversized(&source_path, text.len() as u64),
            )),
            Ok(text) => read.files.push(SourceFile {
                source_path,
                rel_path: key.to_string(),
                text,
            }),
            Err(diagnostic) => read.refused.push(refuse(diagnostic)),
        }
    }
    taken
}

/// Most keys a message lists.
const KEYS_SHOWN: usize = 20;

/// "holds no `*.md` key (its keys: `a`, `b`)", for a ConfigMap `name`.
pub fn no_definitions(name: &str, keys: &[&str]) -> String {
    format!(
        "ConfigMap `{name}` holds no `*.md` key ({})",
        its_keys(keys)
    )
}

/// "its keys: `a`, `b`, and 3 more" or "it has no keys".
pub fn its_keys(keys: &[&str]) -> String {
    if keys.is_empty() {
        return "it has no keys".to_string();
    }
    let mut shown: Vec<String> = keys
        .iter()
        .take(KEYS_SHOWN)
        .map(|k| format!("`{}`", crate::definition::text::escape_unsafe(k)))
        .collect();
    if keys.len() > KEYS_SHOWN {
        shown.push(format!("and {} more", keys.len() - KEYS_SHOWN));
    }
    format!("its keys: {}", shown.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn empty() -> SourceRead {
        SourceRead {
            label: String::new(),
            commit: None,
            revision: None,
            resource_version: None,
            files: Vec::new(),
            refused: Vec::new(),
        }
    }

    #[test]
    fn takes_markdown_keys_of_any_case_and_nothing_else() {
        let mut read = empty();
        let taken = take(
            &mut read,
            "p:",
            [
                ("a.md", EntryValue::Text("---\n")),
                ("B.MD", EntryValue::Bytes(b"text".to_vec())),
                ("settings.yaml", EntryValue::Text("x")),
                (".hidden.md", EntryValue::Text("x")),
                ("md", EntryValue::Text("x")),
            ],
        );
        assert_eq!(taken, 2);
        let names: Vec<_> = read.files.iter().map(|f| f.source_path.as_str()).collect();
        assert_eq!(names, ["p:a.md", "p:B.MD"]);
        assert_eq!(read.files[1].rel_path, "B.MD");
        assert_eq!(read.files[1].text, "text");
        assert!(read.refused.is_empty());
    }

    #[test]
    fn refuses_binary_oversized_and_other_values_one_by_one() {
        let mut read = empty();
        let big = "x".repeat(MAX_FILE_BYTES as usize + 1);
        let taken = take(
            &mut read,
            "p:",
            [
                ("bin.md", EntryValue::Bytes(vec![0x66, 0xff, 0x00])),
                ("big.md", EntryValue::Text(&big)),
                ("list.md", EntryValue::Refused("must be a string".into())),
                ("ok.md", EntryValue::Text("fine")),
            ],
        );
        assert_eq!(taken, 4);
        assert_eq!(read.files.len(), 1);
        let refused: Vec<_> = read.refused.iter().map(|(_, d)| d.to_string()).collect();
        assert_eq!(refused.len(), 3);
        assert!(refused[0].starts_with("p:bin.md:1:1: file is not valid UTF-8"));
        assert!(refused[1].contains("over the limit"), "{}", refused[1]);
        assert_eq!(refused[2], "p:list.md:1:1: must be a string");
    }

    #[test]
    fn names_the_keys_when_none_is_a_definition() {
        assert_eq!(
            no_definitions("defs", &["LOG_LEVEL", "notes.txt"]),
            "ConfigMap `defs` holds no `*.md` key (its keys: `LOG_LEVEL`, `notes.txt`)"
        );
        assert_eq!(
            no_definitions("defs", &[]),
            "ConfigMap `defs` holds no `*.md` key (it has no keys)"
        );
        let many: Vec<String> = (0..25).map(|i| format!("k{i}")).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        assert!(its_keys(&many).ends_with("`k19`, and 5 more"));
    }
}
