//! `activity-sync import --out DIR` (SPEC §4): one definition file per unmanaged row of
//! `activity_definitions` (no scope: written by the runtime or an older sync) and per
//! unmanaged event type, keeping each row's id and deriving a readable key from its name, so
//! that the first `plan --adopt` over the files shows only the takeover.

use std::collections::BTreeSet;

use anyhow::{Context, bail};

use crate::cli::ImportArgs;
use crate::error::Exit;
use crate::output::emit;
use crate::plan::Resource;
use crate::render::definition_file::{definition_file, event_type_file, key_from_name};
use crate::store::Store;

pub async fn run(args: &ImportArgs) -> anyhow::Result<Exit> {
    let store = Store::connect(&args.database.database_url).await?;
    let actual = store.snapshot().await?;
    let descriptions = store.runtime_descriptions().await?;
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create `{}`", args.out.display()))?;
    // Keys in use stay taken: a derived key never collides with a row's.
    let mut keys: BTreeSet<String> = actual
        .definitions
        .values()
        .filter(|r| !r.key.is_empty())
        .map(|r| r.key.clone())
        .collect();
    let mut files = Vec::new();
    let mut out = String::new();
    for row in actual.definitions.values().filter(|r| r.unmanaged()) {
        let base = key_from_name(&row.name, &format!("definition-{}", row.id.simple()));
        let mut key = base.clone();
        let mut n = 2;
        while !keys.insert(key.clone()) {
            key = format!("{base}-{n}");
            n += 1;
        }
        let file = definition_file(row, &key, descriptions.get(&row.id).map(String::as_str));
        for dropped in &file.dropped {
            out.push_str(&format!(
                "warning: `{key}`: `trigger_config.{dropped}` is not part of a `{}` trigger; left out of the file\n",
                row.trigger_type
            ));
        }
        files.push((format!("{key}.md"), file.text, row.id.to_string()));
    }
    for row in actual.event_types.values().filter(|r| r.unmanaged()) {
        files.push((
            format!("events/{}.md", row.name),
            event_type_file(row),
            row.name.clone(),
        ));
    }
    for (rel, _, _) in &files {
        let path = args.out.join(rel);
        if path.exists() {
            bail!(
                "`{}` exists already; import never overwrites a file (choose another --out)",
                path.display()
            );
        }
    }
    for (rel, text, id) in &files {
        let path = args.out.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create `{}`", parent.display()))?;
        }
        std::fs::write(&path, text)
            .with_context(|| format!("cannot write `{}`", path.display()))?;
        out.push_str(&format!("wrote {} ({id})\n", path.display()));
    }
    out.push_str(&format!(
        "{} files written to {}; review them, then `activity-sync plan --source {} --adopt`\n",
        files.len(),
        args.out.display(),
        args.out.display()
    ));
    emit(&out)?;
    Ok(Exit::Success)
}
