//! One module per subcommand: thin glue from the parsed arguments to the code that runs it.

pub mod apply;
pub mod audit;
pub mod diff;
pub mod export;
pub mod import;
pub mod migrate;
pub mod plan;
pub mod status;
pub mod upcoming;
pub mod validate;
