//! activity-sync: a GitOps reconciler for ActivityDefinitions.
//!
//! The run is gather → plan → apply: [`source`]s and [`gather`] build the desired state from
//! definition files ([`definition`]); later stages compare it with the actual state.

pub mod cli;
pub mod command;
pub mod definition;
pub mod error;
pub mod gather;
pub mod output;
pub mod render;
pub mod source;

pub use error::Exit;

/// Runs one parsed command line.
pub fn run(cli: cli::Cli) -> anyhow::Result<Exit> {
    match cli.command {
        cli::Command::Validate(args) => command::validate::run(&args),
        cli::Command::Export(cli::ExportCommand::Configmap(args)) => {
            command::export::configmap(&args)
        }
    }
}
