//! activity-sync: a GitOps reconciler for ActivityDefinitions.
//!
//! One run is gather → actual → plan → apply → report ([`run`]): [`source`]s and [`gather`]
//! build the desired state from definition files ([`definition`]); [`store`] and
//! [`temporal`] read the actual state; [`plan`] is the pure difference of rows and
//! schedules ([`schedule`] is their pure model); [`apply`] transcribes it; [`report`] is the
//! one value every run ends in, and [`render`] shows it.
//!
//! Layers, bottom to top (no module imports one above it): `definition`, `source`, `gather`,
//! `schedule`, `plan`, `audit`, `store`, `apply`, `temporal`, `sink` and `metrics` (where
//! results go besides stdout), `report`, `render`, `cli`, `run`, `command`.

pub mod apply;
pub mod audit;
pub mod cli;
pub mod command;
pub mod definition;
pub mod error;
pub mod gather;
pub mod metrics;
pub mod output;
pub mod plan;
pub mod redact;
pub mod render;
pub mod report;
pub mod run;
pub mod schedule;
pub mod sink;
pub mod source;
pub mod store;
pub mod temporal;

pub use error::Exit;

/// Runs one parsed command line.
pub fn run(cli: cli::Cli) -> anyhow::Result<Exit> {
    match cli.command {
        cli::Command::Validate(args) => command::validate::run(&args),
        cli::Command::Plan(args) => command::plan::run_plan(&args),
        cli::Command::Apply(args) => command::apply::run_apply(&args),
        cli::Command::Status(args) => block_on(command::status::run(&args)),
        cli::Command::Migrate(args) => block_on(command::migrate::run(&args)),
        cli::Command::Export(cli::ExportCommand::Configmap(args)) => {
            command::export::configmap(&args)
        }
        cli::Command::Upcoming(args) => command::upcoming::run(&args),
        cli::Command::Diff(args) => command::diff::run(&args),
        cli::Command::Audit(args) => block_on(command::audit::run(&args)),
        cli::Command::Import(args) => block_on(command::import::run(&args)),
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
