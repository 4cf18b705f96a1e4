//! `activity-sync export configmap`: the definition files of the sources as one ConfigMap.

use crate::cli::ExportConfigMapArgs;
use crate::error::Exit;
use crate::gather::Desired;
use crate::output::emit;
use crate::render::{configmap, validation};

pub fn configmap(args: &ExportConfigMapArgs) -> anyhow::Result<Exit> {
    let desired = Desired::gather(&args.sources.sources);
    let exit = super::validate::exit_code(&desired);
    if exit != Exit::Success {
        // Never ship a ConfigMap that the sync would reject; say why on stderr.
        eprint!("{}", validation::text(&desired));
        eprintln!("error: not exporting: the sources have problems");
        return Ok(exit);
    }
    let skipped: std::collections::BTreeSet<&str> =
        desired.catalog.skipped.iter().map(String::as_str).collect();
    let files: Vec<(&str, &str)> = desired
        .files
        .iter()
        .filter(|f| !skipped.contains(f.source_path.as_str()))
        .map(|f| (f.rel_path.as_str(), f.text.as_str()))
        .collect();
    let manifest = configmap::render(&args.name, args.namespace.as_deref(), &files)?;
    emit(&manifest)?;
    Ok(Exit::Success)
}
