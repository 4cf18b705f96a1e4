//! All files of a run → the desired state, with the checks that need more than one file.

use std::collections::{BTreeMap, BTreeSet};

use uuid::Uuid;

use super::diagnostic::Diagnostic;
use super::model::{ActivityDefinition, Definition, EventType, Trigger, source_location};
use super::parse::{Claims, FileOutcome, SourceFile, parse_file};

/// The desired state read from the sources, plus everything that went wrong reading it.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    pub activities: BTreeMap<Uuid, ActivityDefinition>,
    pub event_types: BTreeMap<String, EventType>,
    /// Source paths of `.md` files without frontmatter.
    pub skipped: Vec<String>,
    pub errors: Vec<Diagnostic>,
    /// Identities of invalid or refused files: their objects are left exactly as they are.
    pub protected: Protected,
}

/// What invalid files may own: nothing matching is retired, deleted or changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Protected {
    pub ids: BTreeSet<Uuid>,
    pub keys: BTreeSet<String>,
    pub event_types: BTreeSet<String>,
    /// [`source_location`]s of files that failed, whatever they describe.
    pub locations: BTreeSet<String>,
}

impl Protected {
    fn claim(&mut self, claims: Claims, source_path: &str) {
        self.ids.extend(claims.ids);
        self.keys.extend(claims.keys);
        self.event_types.extend(claims.event_types);
        self.locations
            .insert(source_location(source_path).to_string());
    }

    /// Whether a row read from `source_path` may belong to a file that failed.
    pub fn covers_location(&self, source_path: &str) -> bool {
        self.locations.contains(source_location(source_path))
    }
}

impl Catalog {
    /// Parses every file and runs the cross-file checks. `refused` are files a source could
    /// not hand over (outside the root, too large, not UTF-8): `(rel_path, diagnostic)`.
    pub fn build(files: &[SourceFile], refused: Vec<(String, Diagnostic)>) -> Catalog {
        let mut catalog = Catalog::default();
        for (_rel_path, diagnostic) in refused {
            catalog
                .protected
                .locations
                .insert(source_location(&diagnostic.source_path).to_string());
            catalog.errors.push(diagnostic);
        }
        let mut parsed = Vec::new();
        for (file, outcome) in files.iter().zip(parse_all(files)) {
            match outcome {
                FileOutcome::Skipped => catalog.skipped.push(file.source_path.clone()),
                FileOutcome::Parsed(d) => parsed.push(*d),
                FileOutcome::Invalid { errors, claims } => {
                    catalog.errors.extend(errors);
                    catalog.protected.claim(claims, &file.source_path);
                }
            }
        }
        catalog.admit(parsed);
        catalog.errors.sort();
        catalog
    }

    fn admit(&mut self, parsed: Vec<Definition>) {
        let mut by_id: BTreeMap<Uuid, &ActivityDefinition> = BTreeMap::new();
        let mut by_key: BTreeMap<&str, &ActivityDefinition> = BTreeMap::new();
        let mut by_name: BTreeMap<&str, &EventType> = BTreeMap::new();
        // Both sides of a duplicate are refused: picking one would be arbitrary.
        let mut rejected: BTreeSet<&str> = BTreeSet::new();
        let mut errors = Vec::new();
        for definition in &parsed {
            match definition {
                Definition::ActivityDefinition(d) => {
                    let id_field = if d.origin.lines.contains_key("id") {
                        "id"
                    } else {
                        "key"
                    };
                    if let Some(first) = by_id.insert(d.id, d) {
                        errors.push(duplicate(
                            d,
                            id_field,
                            "id",
                            &d.id.to_string(),
                            first,
                            id_field,
                        ));
                        rejected.extend([first.origin.source_path.as_str(), &d.origin.source_path]);
                    }
                    if let Some(first) = by_key.insert(&d.key, d) {
                        errors.push(duplicate(d, "key", "key", &d.key, first, "key"));
                        rejected.extend([first.origin.source_path.as_str(), &d.origin.source_path]);
                    }
                }
                Definition::EventType(e) => {
                    if let Some(first) = by_name.insert(&e.name, e) {
                        let origin = &e.origin;
                        errors.push(Diagnostic::new(
                            &origin.source_path,
                            line_of(origin, "name"),
                            1,
                            format!(
                                "duplicate event type `{}`: also defined in {}",
                                e.name,
                                first.origin.at("name")
                            ),
                        ));
                        rejected.extend([first.origin.source_path.as_str(), &e.origin.source_path]);
                    }
                }
            }
        }
        // Event references are checked when the sources carry event types at all.
        let event_types_known = !by_name.is_empty() || !self.protected.event_types.is_empty();
        for definition in &parsed {
            if let Definition::ActivityDefinition(d) = definition
                && let Trigger::Event(t) = &d.trigger
                && event_types_known
                && !by_name.contains_key(t.event_type.as_str())
                && !self.protected.event_types.contains(&t.event_type)
            {
                errors.push(Diagnostic::new(
                    &d.origin.source_path,
                    line_of(&d.origin, "trigger.event_type"),
                    1,
                    format!(
                        "unknown event type `{}` (no EventType of that name in the sources)",
                        t.event_type
                    ),
                ));
                rejected.insert(&d.origin.source_path);
            }
        }
        for definition in &parsed {
            let origin = definition.origin();
            if rejected.contains(origin.source_path.as_str()) {
                let claims = match definition {
                    Definition::ActivityDefinition(d) => Claims {
                        ids: vec![d.id],
                        keys: vec![d.key.clone()],
                        event_types: vec![],
                    },
                    Definition::EventType(e) => Claims {
                        event_types: vec![e.name.clone()],
                        ..Claims::default()
                    },
                };
                self.protected.claim(claims, &origin.source_path);
                continue;
            }
            match definition {
                Definition::ActivityDefinition(d) => {
                    self.activities.insert(d.id, d.clone());
                }
                Definition::EventType(e) => {
                    self.event_types.insert(e.name.clone(), e.clone());
                }
            }
        }
        self.errors.extend(errors);
    }

    /// Number of definitions of both kinds.
    pub fn len(&self) -> usize {
        self.activities.len() + self.event_types.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Parses files on every core; outcomes come back in the order of `files`.
fn parse_all(files: &[SourceFile]) -> Vec<FileOutcome> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    if threads == 1 || files.len() < 64 {
        return files.iter().map(parse_file).collect();
    }
    let chunk = files.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let workers: Vec<_> = files
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(parse_file).collect::<Vec<_>>()))
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().expect("parsing does not panic"))
            .collect()
    })
}

fn line_of(origin: &super::model::Origin, field: &str) -> usize {
    origin.lines.get(field).copied().unwrap_or(1)
}

fn duplicate(
    d: &ActivityDefinition,
    field: &str,
    what: &str,
    value: &str,
    first: &ActivityDefinition,
    first_field: &str,
) -> Diagnostic {
    let first_field = if what == "id" && !first.origin.lines.contains_key("id") {
        "key"
    } else {
        first_field
    };
    let derived = if what == "id" && field == "key" {
        " (derived from `key`)"
    } else {
        ""
    };
    Diagnostic::new(
        &d.origin.source_path,
        line_of(&d.origin, field),
        1,
        format!(
            "duplicate {what} `{value}`{derived}: also defined in {}",
            first.origin.at(first_field)
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(rel: &str, text: &str) -> SourceFile {
        SourceFile {
            source_path: format!("defs/{rel}"),
            rel_path: rel.into(),
            text: text.into(),
        }
    }

    fn cron(key: &str, id: Option<&str>) -> String {
        let id = id.map(|i| format!("id: {i}\n")).unwrap_or_default();
        format!("---\n{id}key: {key}\nname: N\ntrigger: {{type: cron, cron: '0 * * * *'}}\n---\n")
    }

    #[test]
    fn duplicate_key_names_both_files_and_admits_neither() {
        let c = Catalog::build(
            &[
                file("a.md", &cron("x", None)),
                file("b.md", &cron("x", None)),
            ],
            vec![],
        );
        let messages: Vec<String> = c.errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            messages,
            [
                format!(
                    "defs/b.md:2:1: duplicate id `{}` (derived from `key`): also defined in defs/a.md:2",
                    super::super::model::id_from_key("x")
                ),
                "defs/b.md:2:1: duplicate key `x`: also defined in defs/a.md:2".to_string(),
            ]
        );
        assert!(c.activities.is_empty());
        assert!(c.protected.keys.contains("x"));
    }

    #[test]
    fn duplicate_id_across_files() {
        let id = "7c4e9a12-8f3b-4d5e-9c6a-1b2d3e4f5a6b";
        let c = Catalog::build(
            &[
                file("a.md", &cron("x", Some(id))),
                file("b.md", &cron("y", Some(id))),
            ],
            vec![],
        );
        let messages: Vec<String> = c.errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            messages,
            [format!(
                "defs/b.md:2:1: duplicate id `{id}`: also defined in defs/a.md:2"
            )]
        );
        assert!(c.activities.is_empty());
    }

    #[test]
    fn unknown_event_type_only_when_event_types_are_present() {
        let on_push =
            "---\nkey: lint\nname: L\ntrigger:\n  type: event\n  event_type: repo.pushd\n---\n";
        let alone = Catalog::build(&[file("a.md", on_push)], vec![]);
        assert!(alone.errors.is_empty());
        let et = "---\nkind: EventType\nname: repo.pushed\n---\n";
        let both = Catalog::build(&[file("a.md", on_push), file("et.md", et)], vec![]);
        let messages: Vec<String> = both.errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            messages,
            [
                "defs/a.md:6:1: unknown event type `repo.pushd` (no EventType of that name in the sources)"
            ]
        );
        assert_eq!(both.event_types.len(), 1);
        assert!(both.activities.is_empty());
    }
}
