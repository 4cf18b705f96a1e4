//! activity-sync: a GitOps reconciler for ActivityDefinitions.
//!
//! The run is gather → plan → apply: [`source`]s and [`gather`] build the desired state from
//! definition files ([`definition`]); [`store`] snapshots the actual state; [`plan`] is the
//! pure difference; [`apply`] writes it; [`render`] shows it.

pub mod apply;
pub mod cli;
pub mod command;
pub mod definition;
pub mod error;
pub mod gather;
pub mod output;
pub mod plan;
pub mod render;
pub mod schedule;
pub mod source;
pub mod store;
pub mod temporal;

pub use error::Exit;

/// Runs one parsed command line.
pub fn run(cli: cli::Cli) -> anyhow::Result<Exit> {
    match cli.command {
        cli::Command::Validate(args) => command::validate::run(&args),
        cli::Command::Plan(args) => command::sync::plan(&args),
        cli::Command::Apply(args) => command::sync::apply(&args),
        cli::Command::Status(args) => block_on(command::status::run(&args)),
        cli::Command::Migrate(args) => block_on(command::migrate::run(&args)),
        cli::Command::Export(cli::ExportCommand::Configmap(args)) => {
            command::export::configmap(&args)
        }
    }
}

fn block_on<F: std::future::Future<Output = anyhow::Result<Exit>>>(
    future: F,
) -> anyhow::Result<Exit> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?
        .block_on(future)
}
