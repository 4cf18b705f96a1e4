//! Command-line interface (SPEC §6). Names of commands, flags and variables are a contract.

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::source::SourceSpec;

#[derive(Debug, Parser)]
#[command(
    name = "activity-sync",
    version,
    about = "GitOps reconciler for ActivityDefinitions: markdown files → database rows and Temporal Schedules"
)]
pub struct Cli {
    /// More logs on stderr (`-v` debug, `-vv` trace); `RUST_LOG` overrides.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Offline check of definition files: parse, schema and cross-file references.
    Validate(ValidateArgs),
    /// Render manifests from definition files.
    #[command(subcommand)]
    Export(ExportCommand),
}

#[derive(Debug, Args)]
pub struct SourceArgs {
    /// Where to read definitions: a directory, a manifest `.yaml`, `git::URL//SUBDIR?ref=REF`
    /// or `configmap:NS/NAME` (repeatable).
    #[arg(long = "source", value_name = "S", required = true, value_parser = parse_source)]
    pub sources: Vec<SourceSpec>,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    #[command(flatten)]
    pub sources: SourceArgs,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// Print a ConfigMap manifest holding every definition file of the sources.
    Configmap(ExportConfigMapArgs),
}

#[derive(Debug, Args)]
pub struct ExportConfigMapArgs {
    /// `metadata.name` of the ConfigMap.
    #[arg(long)]
    pub name: String,
    /// `metadata.namespace` of the ConfigMap (left out when not given).
    #[arg(long)]
    pub namespace: Option<String>,
    #[command(flatten)]
    pub sources: SourceArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
    Markdown,
}

fn parse_source(s: &str) -> Result<SourceSpec, String> {
    s.parse()
        .map_err(|e: crate::source::SourceError| e.to_string())
}
